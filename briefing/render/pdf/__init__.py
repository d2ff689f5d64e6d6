"""The PDF renderer (reportlab): embedded subset fonts, running header and
footer, bookmarks, citations linked to their evidence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .fonts import register_fonts
from .renderer import render_pdf

if TYPE_CHECKING:
    from .. import Brief

__all__ = ["prepare", "render", "render_pdf"]


def render(brief: Brief, path: Path) -> None:
    render_pdf(brief.document, path)


def prepare() -> None:
    register_fonts()

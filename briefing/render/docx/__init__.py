"""The DOCX renderer (python-docx): Word styles from a reference document,
native footnotes, real hyperlinks, document properties."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .renderer import render_docx

if TYPE_CHECKING:
    from .. import Brief

__all__ = ["render", "render_docx"]


def render(brief: Brief, path: Path) -> None:
    render_docx(brief.document, path, brief.reference_docx, brief.pictures)

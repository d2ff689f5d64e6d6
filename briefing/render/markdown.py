"""The composed Markdown itself, as the template wrote it: for a quick look,
or for another tool (pandoc, a static site)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Brief


def render(brief: Brief, path: Path) -> None:
    path.write_text(brief.markdown, encoding="utf-8")

"""Render a `Document` as one self-contained, accessible HTML file.

The file needs nothing beside it and no script to be read: the stylesheet is
inside it, the headings are real headings, a table is a `<table>`, a citation
is a link to its evidence entry, and the print stylesheet puts the marking at
the top and bottom of every page with "Page X of Y", as the PDF does.
`briefing watch` serves the same file with a small live-reload script added
(see `preview`); the file on disk never holds one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .renderer import render_html

if TYPE_CHECKING:
    from .. import Brief

__all__ = ["render", "render_html"]


def render(brief: Brief, path: Path) -> None:
    path.write_text(render_html(brief.document), encoding="utf-8", newline="\n")

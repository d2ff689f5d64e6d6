"""Stage 5, render: one renderer per format, each mapping a `Document` onto
that format's native features. Renderers know nothing of facts or templates.

`FORMATS` is the registry that the build, the command line and mail all
read: adding a format is adding a module here and a line below. A renderer
module offers `render(brief, path)` (and may offer `prepare()`, run ahead of
its first brief); it is imported only when a brief is rendered in its format,
so `briefing --help` imports none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BriefingError

if TYPE_CHECKING:
    from ..document import Document


@dataclass(frozen=True)
class Picture:
    """A drawing as a PNG (the PDF's chronology figure, for the formats that show it as a picture)."""

    png: bytes
    width: float  # points: the width it is to be shown at
    height: float


@dataclass(frozen=True)
class Brief:
    """What a renderer is given: one composed brief."""

    document: Document
    markdown: str  # the Markdown the document was parsed from
    reference_docx: Path  # the Word styles of the dossier (or the built-in ones)
    # The chronology figures as pictures, where the build had them drawn ahead
    # (`pdf.picture.timeline_pictures`, in the render worker), for a format that shows them so.
    pictures: Callable[[], tuple[Picture | None, ...]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Format:
    name: str
    suffix: str  # ".pdf"
    media_type: str  # as an email attachment says it
    description: str  # for --help
    module: str  # the renderer, relative to this package
    in_worker: bool = False  # laid out in a worker process, beside the rest of the build
    pictures: bool = False  # shows the PDF's chronology figures as pictures, which the worker can draw ahead

    def render(self, brief: Brief, path: Path) -> None:
        self._renderer().render(brief, path)

    def prepare(self) -> None:
        """Import the renderer and get it ready (fonts read, …), ahead of its first brief."""
        prepare = getattr(self._renderer(), "prepare", None)
        if prepare is not None:
            prepare()

    def _renderer(self):
        return importlib.import_module(self.module, __name__)


FORMATS: dict[str, Format] = {format.name: format for format in (
    Format("docx", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "Word document to edit", ".docx", pictures=True),
    Format("pdf", ".pdf", "application/pdf", "PDF to send", ".pdf", in_worker=True),
    Format("html", ".html", "text/html", "one self-contained web page, to read or print", ".html"),
    Format("md", ".md", "text/markdown", "the composed Markdown", ".markdown"),
)}
DEFAULT_FORMATS = ("docx", "pdf")


def get_format(name: str) -> Format:
    try:
        return FORMATS[name.lower()]
    except KeyError:
        raise BriefingError(f"unknown format '{name}'; formats: {', '.join(FORMATS)}") from None

"""The PDF's chronology figure as a picture, for the formats that do not draw it (DOCX, HTML).

The figure is the PDF's own flowable (timeline.py), made by the PDF renderer's
builder, so it exists exactly where the PDF has one and is laid out as there,
with reportlab set up as for a PDF (`reportlab_patched`): the same faces, the
same line breaks in every label, right-to-left labels drawn right. It is drawn
on a page of its own size in memory, which PDFium (pypdfium2) rasterises into
a greyscale PNG (the figure is black, grey and white). Its caption is left
out: the other format sets it as text, which a reader can select and Word
numbers.

The PNG holds no time and no name: the same figure gives the same bytes.
"""

from __future__ import annotations

import io

from reportlab.pdfgen.canvas import Canvas

from ...document import Document, plain_text
from ...document import Table as TableBlock
from ...errors import BriefingError
from .. import Picture
from .fonts import check_glyphs, register_fonts
from .patches import reportlab_patched
from .renderer import _Builder
from .timeline import CAPTION_GAP

DPI = 220  # at the width the picture is shown at: as crisp on paper as the text beside it


PICTURE_MARGIN = 6  # points of white round the chronology's picture


def timeline_picture(document: Document, block: TableBlock, width: float | None = None,
                     dpi: int = DPI) -> Picture | None:
    """The figure the PDF draws above the timeline table `block`, without its
    caption, as a PNG to be shown `width` points wide (by default the PDF's
    width) at `dpi`; None where the PDF draws none (see `timeline_page`)."""
    page = timeline_page(document, block)
    if page is None:
        return None
    pdf, page_width, page_height = page
    width = width or page_width
    scale = width / page_width  # the PDF's frame is a little narrower or wider than another format's text
    return Picture(_rasterised(pdf, dpi / 72 * scale, dpi), width, page_height * scale)


def timeline_pictures(document: Document) -> tuple[Picture | None, ...]:
    """The picture of each chronology among the document's blocks, in order,
    the PDF's width: drawn ahead (by the render worker, which has the fonts
    read already) for a renderer that shows them at its own width."""
    return tuple(timeline_picture(document, block) for block in document.blocks
                 if isinstance(block, TableBlock) and block.kind == "timeline")


def timeline_page(document: Document, block: TableBlock) -> tuple[bytes, float, float] | None:
    """The figure of `block` below its caption, as the PDF draws it, on a PDF
    page of its size (points); None where the PDF draws none, or where the font
    lacks a letter of the events (the PDF of such a brief is refused; another
    format keeps the table alone)."""
    events = [row for row in block.rows if len(row) >= 2]
    family = register_fonts()
    try:
        check_glyphs((("the chronology", plain_text(cell)) for row in events for cell in row[:2]), family.covered)
    except BriefingError:
        return None
    with reportlab_patched(family):
        figure = _Builder(document).timeline(block)  # laid out the width of the PDF's frame
        if figure is None:
            return None
        height = figure.height - figure.caption_height - CAPTION_GAP
        out = io.BytesIO()
        # a margin round it: a centred line of a label may reach a little past the label's width,
        # which the PDF's page margin takes and a picture's edge would cut ("Vladimi")
        width = figure.width + 2 * PICTURE_MARGIN
        canvas = Canvas(out, pagesize=(width, height + 2 * PICTURE_MARGIN), invariant=1)
        figure.drawOn(canvas, PICTURE_MARGIN, PICTURE_MARGIN)  # its caption lies above the page
        canvas.showPage()
        canvas.save()
    return out.getvalue(), width, height + 2 * PICTURE_MARGIN


def _rasterised(pdf: bytes, pixels_per_point: float, dpi: int) -> bytes:
    """The first page of `pdf` as a greyscale PNG, `pixels_per_point` pixels a point, that says it is `dpi` dots an inch."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=pixels_per_point, grayscale=True).to_pil()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi))  # Pillow writes no time (no tIME chunk) unless told to
    return out.getvalue()

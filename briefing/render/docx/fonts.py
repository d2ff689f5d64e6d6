"""The DOCX's typeface, DejaVu Sans (the PDF's too): its widths, to size table
columns to their content."""

from __future__ import annotations

from functools import cache
from pathlib import Path

FONT_DIR = Path(__file__).resolve().parent.parent / "pdf" / "dejavu"
FAMILY = "DejaVu Sans"
FACES = {  # (bold, italic) → file
    (False, False): "DejaVuSans.ttf",
    (True, False): "DejaVuSans-Bold.ttf",
    (False, True): "DejaVuSans-Oblique.ttf",
    (True, True): "DejaVuSans-BoldOblique.ttf",
}


@cache
def _widths(bold: bool) -> tuple[dict[int, float], float]:
    from reportlab.pdfbase.ttfonts import TTFontFile

    face = TTFontFile(str(FONT_DIR / FACES[(bold, False)]))
    return face.charWidths, face.defaultWidth


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of `text` set at `size` points, in points."""
    widths, default = _widths(bold)
    return 0.001 * size * sum(widths.get(ord(char), default) for char in text)

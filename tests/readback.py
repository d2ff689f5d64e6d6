"""Read rendered briefs back, as a reader's tools see them."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import docx
from lxml import etree
from pypdf import PdfReader

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def flat(text: str) -> str:
    """Compare text modulo line breaks, spacing and Unicode composition."""
    return " ".join(unicodedata.normalize("NFC", text).replace("\u00a0", " ").split())


def pdf_text(path: Path) -> str:
    return flat(" ".join(page.extract_text() or "" for page in PdfReader(str(path)).pages))


def pdf_body_text(path: Path, band: float = 56.0) -> str:
    """The text of the pages without their running header and footer (the top and
    bottom `band` points), so a passage that runs over a page break reads whole."""
    parts: list[str] = []
    for page in PdfReader(str(path)).pages:
        height = float(page.mediabox.height)

        def keep(text, cm, tm, font, size):
            y = tm[5] * cm[3] + cm[5] if cm[3] else tm[5]
            if band < y < height - band:
                parts.append(text)
        page.extract_text(visitor_text=keep)
        parts.append(" ")
    return flat("".join(parts))


def docx_paragraphs(path: Path) -> list[str]:
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            texts += [cell.text for cell in row.cells]
    return texts


def docx_footnotes(path: Path) -> dict[int, str]:
    """Footnote id → text, leaving out Word's separators."""
    with zipfile.ZipFile(path) as package:
        if "word/footnotes.xml" not in package.namelist():
            return {}
        root = etree.fromstring(package.read("word/footnotes.xml"))
    notes = {}
    for note in root.iter(f"{W}footnote"):
        if note.get(f"{W}type") is None:
            notes[int(note.get(f"{W}id"))] = "".join(t.text or "" for t in note.iter(f"{W}t"))
    return notes


def docx_footnote_references(path: Path) -> list[int]:
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))
    return [int(ref.get(f"{W}id")) for ref in root.iter(f"{W}footnoteReference")]


def docx_footnotes_cited_in_cells(path: Path) -> set[int]:
    """The ids of the footnotes cited from a table cell: by their reference, or by a
    cross-reference (NOTEREF) to the bookmark at their reference."""
    with zipfile.ZipFile(path) as package:
        root = etree.fromstring(package.read("word/document.xml"))

    def in_cell(element) -> bool:
        return any(ancestor.tag == f"{W}tc" for ancestor in element.iterancestors())

    cited = {int(ref.get(f"{W}id")) for ref in root.iter(f"{W}footnoteReference") if in_cell(ref)}
    marks = {}  # bookmark name → the footnote whose reference it marks
    for start in root.iter(f"{W}bookmarkStart"):
        following = start.getnext()
        reference = following.find(f"{W}footnoteReference") if following is not None else None
        if reference is not None:
            marks[start.get(f"{W}name")] = int(reference.get(f"{W}id"))
    for field in root.iter(f"{W}fldSimple"):
        name = (field.get(f"{W}instr") or "").split()[1:2]
        if in_cell(field) and name and name[0] in marks:
            cited.add(marks[name[0]])
    return cited


def evidence_numbers(text: str, claims: dict[int, str]) -> bool:
    """True when each note number N is followed by its own claim in the evidence list."""
    return all(re.search(rf"\b{number}\. {re.escape(flat(claim))}", text) for number, claim in claims.items())


def blank_shares(path: Path, band: float = 0.08) -> list[float]:
    """For each page of a PDF, the tallest stretch with no ink between the running
    header and footer (the top and bottom `band` of the page), as a share of its height."""
    import pypdfium2

    shares = []
    pdf = pypdfium2.PdfDocument(str(path))
    try:
        for page in pdf:
            image = page.render(scale=0.5).to_pil().convert("L")
            width, height = image.size
            pixels = image.load()
            tallest = run = 0
            for y in range(int(height * band), int(height * (1 - band))):
                inked = any(pixels[x, y] < 200 for x in range(0, width, 2))
                run = 0 if inked else run + 1
                tallest = max(tallest, run)
            shares.append(tallest / height)
    finally:
        pdf.close()
    return shares


def footnote_gives(footnotes: dict[int, str], number: int, passage: str) -> bool:
    """Whether footnote `number` gives `passage`: whole, or as "(see note N)" or "(see notes N and M)"
    where footnote N gives it whole (a long passage is printed once)."""
    text = flat(footnotes[number])
    if flat(passage) in text:
        return True
    referred = [number for group in re.findall(r"\((?:see notes?|voir la note|voir les notes) ([^)]*)\)", text)
                for number in re.findall(r"\d+", group)]
    return any(flat(passage) in flat(footnotes.get(int(earlier), "")) for earlier in referred)

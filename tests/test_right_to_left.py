"""Right-to-left and joined scripts (Hebrew, Arabic) in the PDF, the DOCX and
the HTML brief.

The test dossier tests/fixtures/rtl-dossier holds a report in Arabic and one
in Hebrew, written for the tests, and facts quoting them: an English claim
with an Arabic name in it, a long Arabic quote with Latin digits, a Hebrew
quote; its subject is in Arabic. It is built once, in the three formats.

How a line is read back: a PDF draws every line from the left, so a line
that reads from the right is read from the page itself. `page_lines` gives
each line's words where pdftotext finds them (`-bbox`), and `reading` takes
them from the rightmost, each Hebrew or Arabic word turned back (its letters
are drawn in visual order), keeping letters and digits only, after Unicode
NFKC (which maps a joined presentation form to its letter). A quote reads
right when its letters appear there in their logical order, across its lines.
Tools that extract text in reading order (pypdf, plain pdftotext) guess at a
line that mixes directions, digits in Arabic above all; where they do not
have to guess, the extracted text is checked too.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, require
from lxml import etree
from readback import W, pdf_text

from briefing.build import build_briefs

FIXTURE = REPO / "tests" / "fixtures" / "rtl-dossier"
ARABIC_TEXT = (FIXTURE / "sources" / "texts" / "arabic-report.txt").read_text(encoding="utf-8")
HEBREW_TEXT = (FIXTURE / "sources" / "texts" / "hebrew-report.txt").read_text(encoding="utf-8")
MEETING = "استقبل الرئيس الروسي فلاديمير بوتين رئيس المرحلة الانتقالية في مالي الجنرال عاصمي غويتا في الكرملين يوم 23 يونيو 2025."
PARTNERSHIP = ("وقال غويتا إن مالي تعوّل على شراكة استراتيجية مع روسيا في مجالي الأمن والتنمية، مؤكداً أن بلاده لن تتراجع "
               "عن خياراتها السيادية.")
ACCORDS = "השניים חתמו על שלושה הסכמים בתחומי האנרגיה הגרעינית, המסחר והביטחון."
SUBJECT = "محادثات موسكو بين مالي وروسيا"
NAME = "عاصمي غويتا"
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")
DEJAVU = REPO / "briefing" / "render" / "pdf" / "dejavu"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The test dossier's analyst brief as PDF, DOCX and HTML, in out/."""
    root = tmp_path_factory.mktemp("rtl") / "dossier"
    shutil.copytree(FIXTURE, root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1750723200")
        build_briefs(root, ("analyst",), ("pdf", "docx", "html"), root / "out")
    return root / "out"


# --- reading a PDF's lines from the page ----------------------------------------

def page_lines(pdf: Path) -> list[list[tuple[float, str]]]:
    """Every line of every page, top to bottom: its words (left edge, text) from the left."""
    out = subprocess.run([require("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines: list[list[tuple[float, str]]] = []
    for page in out.split("<page ")[1:]:
        words = sorted((float(top), float(left), html.unescape(text)) for left, top, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*?)</word>', page))
        top_of_line = None
        for top, left, text in words:
            if top_of_line is None or top - top_of_line > 3:  # a mark set higher is still on its line
                lines.append([])
                top_of_line = top
            lines[-1].append((left, text))
    return [sorted(line) for line in lines]


def letters(text: str) -> str:
    return "".join(char for char in unicodedata.normalize("NFKC", text) if char.isalnum())


def reading(line: list[tuple[float, str]]) -> str:
    """The letters of a line read from its right edge (see the module's docstring)."""
    return "".join(letters(word[::-1] if RIGHT_TO_LEFT.search(word) else word) for _, word in reversed(line))


def line_holding(lines, word: str) -> list[tuple[float, str]]:
    """The line on which `word` (logical order) is drawn."""
    (line,) = [line for line in lines if any(letters(text[::-1]) == letters(word) for _, text in line)]
    return line


def left_edge(line, word: str) -> float:
    """Where `word` is drawn on `line`: right-to-left words are drawn in visual order."""
    for left, text in line:
        if letters(text) == letters(word) or letters(text[::-1]) == letters(word):
            return left
    raise AssertionError(f"{word!r} is not on the line {line}")


# --- the PDF -----------------------------------------------------------------------

def test_the_pdf_font_draws_every_letter_of_the_test_texts():
    """DejaVu's upright faces draw the Arabic (its obliques have none: italics set
    Arabic upright) and every face the Hebrew, with the contextual forms."""
    from fontTools.ttLib import TTFont

    faces = {name: set(TTFont(DEJAVU / f"{name}.ttf").getBestCmap())
             for name in ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique")}
    arabic = {ord(char) for char in ARABIC_TEXT + SUBJECT if RIGHT_TO_LEFT.match(char)}
    hebrew = {ord(char) for char in HEBREW_TEXT if RIGHT_TO_LEFT.match(char)}
    assert arabic and hebrew
    for name, drawn in faces.items():
        assert hebrew <= drawn, f"{name} lacks {sorted(map(chr, hebrew - drawn))}"
        if "Oblique" not in name:
            assert arabic <= drawn, f"{name} lacks {sorted(map(chr, arabic - drawn))}"
            assert set(range(0xFE80, 0xFEFD)) <= drawn, f"{name} lacks Arabic presentation forms"


def test_the_pdf_text_reads_back_in_logical_order(built):
    """Lines without Latin digits in them need no guess from pypdf."""
    text = unicodedata.normalize("NFKC", pdf_text(built / "analyst.pdf"))
    assert ACCORDS.rstrip(".") in text  # the Hebrew quote, on one line
    assert NAME in text  # the Arabic name in an English sentence
    assert SUBJECT in text  # the subject, a line of its own


@pytest.mark.parametrize("quote", [MEETING, PARTNERSHIP, ACCORDS, SUBJECT], ids=["meeting", "partnership", "accords", "subject"])
def test_each_right_to_left_text_reads_from_the_right_of_its_lines(built, quote):
    text = "".join(reading(line) for line in page_lines(built / "analyst.pdf"))
    assert letters(quote) in text


def test_a_long_right_to_left_quote_starts_at_the_right_of_its_first_line(built):
    lines = page_lines(built / "analyst.pdf")
    first, last = line_holding(lines, "استقبل"), line_holding(lines, "الكرملين")
    assert lines.index(first) + 1 == lines.index(last)  # the quote runs over two lines, in logical order
    arabic = [left for left, text in first if RIGHT_TO_LEFT.search(text)]
    assert left_edge(first, "“استقبل") == max(arabic)  # its first word at the right of the Arabic
    assert left_edge(first, "Test") > max(arabic)  # the source's name before it, read from the right


def test_latin_digits_in_an_arabic_quote_read_left_to_right_in_their_place(built):
    line = line_holding(page_lines(built / "analyst.pdf"), "يونيو")
    words = [text for _, text in line]
    assert "23" in words and any(text.endswith("2025") for text in words)  # "2025.”": the period at its left
    # read from the right: يوم 23 يونيو 2025
    assert left_edge(line, "يوم") > left_edge(line, "23") > left_edge(line, "يونيو") > left_edge(line, "2025")


def test_an_arabic_name_in_an_english_sentence_is_drawn_right_to_left_in_its_place(built):
    line = line_holding(page_lines(built / "analyst.pdf")[:30], "عاصمي")
    assert left_edge(line, "named") < left_edge(line, "غويتا") < left_edge(line, "عاصمي") < left_edge(line, "in")


def shaped_by_harfbuzz(word: str) -> list[set[str]]:
    """For each glyph HarfBuzz draws `word` with in DejaVu Sans, left to right:
    the characters the font maps to that glyph."""
    import uharfbuzz
    from fontTools.ttLib import TTFont

    path = DEJAVU / "DejaVuSans.ttf"
    font = TTFont(path)
    by_glyph: dict[str, set[str]] = {}
    for code, name in font.getBestCmap().items():
        by_glyph.setdefault(name, set()).add(chr(code))
    buffer = uharfbuzz.Buffer()
    buffer.add_str(word)
    buffer.guess_segment_properties()
    uharfbuzz.shape(uharfbuzz.Font(uharfbuzz.Face(path.read_bytes())), buffer, {"kern": True, "liga": True})
    order = font.getGlyphOrder()
    return [by_glyph.get(order[info.codepoint], set()) for info in buffer.glyph_infos]


@pytest.mark.parametrize("word", ["الرئيس", "فلاديمير", "الانتقالية", "غويتا", "محادثات"],
                         ids=["the-president", "vladimir", "transitional", "goita", "talks"])
def test_arabic_is_drawn_in_the_joined_forms_harfbuzz_chooses(built, word):
    """The characters the PDF maps its glyphs to (ToUnicode) are those of the
    glyphs HarfBuzz shapes the word with: joined forms, not letters side by side."""
    drawn = next(text for line in page_lines(built / "analyst.pdf") for _, text in line
                 if letters(text[::-1]) == letters(word))
    expected = shaped_by_harfbuzz(word)
    assert len(drawn) == len(expected) and all(char in chars for char, chars in zip(drawn, expected)), (drawn, expected)
    assert any(re.search("(INITIAL|MEDIAL|FINAL) FORM", unicodedata.name(char)) for char in drawn)
    assert drawn != word[::-1]  # not the letters in their isolated forms


def test_a_right_to_left_paragraph_split_over_pages_keeps_its_order(tmp_path):
    """Lines are broken in logical order and each part drawn in visual order:
    the first words on the first page, from the right."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate

    from briefing.render.pdf.fonts import FAMILY, register_fonts
    from briefing.render.pdf.patches import reportlab_patched
    from briefing.render.pdf.renderer import _Paragraph

    family = register_fonts()
    text = " ".join([PARTNERSHIP] * 6)
    paragraph = _Paragraph(text, ParagraphStyle("body", fontName=FAMILY, fontSize=10, leading=13))
    path = tmp_path / "split.pdf"
    with reportlab_patched(family):
        SimpleDocTemplate(str(path), pagesize=(300, 160), leftMargin=20, rightMargin=20, topMargin=20,
                          bottomMargin=20).build([paragraph])
    lines = page_lines(path)
    assert len(subprocess.run([require("pdftotext"), str(path), "-"], capture_output=True, text=True).stdout.split("\f")) > 2
    assert "".join(reading(line) for line in lines) == letters(text)
    assert all(max(left for left, _ in line) > 200 for line in lines)  # flush right: it reads from the right


def test_a_canvas_line_is_drawn_in_visual_order_and_joined():
    """The page's marking and reference are drawn by the canvas, not as paragraphs."""
    from briefing.render.pdf.fonts import FAMILY, register_fonts
    from briefing.render.pdf.rtl import visual_string

    drawn = visual_string("سري للغاية — SECRET", f"{FAMILY}-Bold", 7.5, register_fonts())
    assert drawn.startswith("SECRET — ")  # mostly Arabic, so read from the right: the Latin last, on the left
    assert unicodedata.normalize("NFKC", drawn[len("SECRET — "):][::-1]) == "سري للغاية"
    assert any("FORM" in unicodedata.name(char) for char in drawn)
    assert visual_string("TOP SECRET سري", FAMILY, 7.5, register_fonts()).startswith("TOP SECRET ")
    assert visual_string("UNCLASSIFIED", FAMILY, 7.5, register_fonts()) == "UNCLASSIFIED"


# --- the DOCX ----------------------------------------------------------------------

def docx_part(path: Path, name: str):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def paragraph_text(p) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def test_the_docx_marks_right_to_left_runs_and_paragraphs(built):
    body = docx_part(built / "analyst.docx", "word/document.xml")
    notes = docx_part(built / "analyst.docx", "word/footnotes.xml")
    runs = [r for part in (body, notes) for r in part.iter(f"{W}r") if RIGHT_TO_LEFT.search(paragraph_text(r))]
    assert runs
    for run in runs:
        properties = run.find(f"{W}rPr")
        assert properties is not None and properties.find(f"{W}rtl") is not None, paragraph_text(run)
        assert properties.find(f"{W}rFonts").get(f"{W}cs") == "DejaVu Sans"
        assert properties.find(f"{W}szCs") is not None  # the size of its paragraph, not Word's default
    assert NAME in [paragraph_text(r) for r in runs]  # the name is a run of its own in the English sentence
    for run in body.iter(f"{W}r"):  # and the English around it is left to right
        if "named" in paragraph_text(run):
            assert run.find(f"{W}rPr/{W}rtl") is None
    paragraphs = {paragraph_text(p): p for part in (body, notes) for p in part.iter(f"{W}p")}
    bidi = {text for text, p in paragraphs.items() if p.find(f"{W}pPr/{W}bidi") is not None}
    assert SUBJECT in bidi  # mostly right-to-left: it reads from the right
    quotes = [text for text in paragraphs if MEETING[:20] in text or ACCORDS[:20] in text]
    assert quotes and set(quotes) <= bidi  # the footnotes quoting the reports
    assert not [text for text in bidi if NAME in text and "Putin" in text]  # the English claim reads from the left


def test_libreoffice_sets_the_docx_quotes_right_to_left(built, tmp_path):
    office = require("libreoffice")
    result = subprocess.run([office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path), str(built / "analyst.docx")], capture_output=True, text=True, timeout=240)
    converted = tmp_path / "analyst.pdf"
    assert converted.is_file(), result.stdout + result.stderr
    text = "".join(reading(line) for line in page_lines(converted))
    for quote in (MEETING, PARTNERSHIP, ACCORDS, SUBJECT):
        # LibreOffice maps its lam-alef ligatures to the two letters the other way round
        assert letters(re.sub("ل([اأإآ])", r"\1ل", quote)) in text, quote
    assert letters(NAME[::-1]) not in text  # the name is not drawn in stored order


# --- the HTML ----------------------------------------------------------------------

def test_the_html_quotes_in_arabic_and_hebrew_are_marked_right_to_left(built):
    page = (built / "analyst.html").read_text(encoding="utf-8")
    assert f'<span lang="ar" dir="rtl">{MEETING}</span>' in page
    assert f'<span lang="he" dir="rtl">{ACCORDS}</span>' in page

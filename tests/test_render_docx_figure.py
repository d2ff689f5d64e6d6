"""The chronology's figure in the DOCX: the PDF's drawing, as an inline picture
above the table, under a Word caption, with the events in words as its alt text."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import EPOCH, REPO, build_default, make_dossier, require
from lxml import etree
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream
from readback import W, flat
from test_render_pdf_timeline import figure_words, tagged_events, timeline_markdown, words

from briefing.build import build_briefs, compose_and_parse
from briefing.check import load_and_check
from briefing.compose.templates import find_template
from briefing.document import Meta, NoteContent, Table
from briefing.parse import parse_markdown
from briefing.render.docx import render_docx
from briefing.render.pdf import render_pdf
from briefing.render.pdf.picture import timeline_page

WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
EMU_PER_INCH = 914400
CAPTION = "Figure 1. The dated events of the table below, evenly spaced (not to scale)"
REFERENCE = REPO / "templates" / "reference.docx"
NOTES = {"f": NoteContent("claim", "support", (), "short")}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build_default(tmp_path_factory.mktemp("figure"), ("docx", "pdf"))


def body(path: Path):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read("word/document.xml")).find(f"{W}body")


def style(p) -> str:
    found = p.find(f"{W}pPr/{W}pStyle")
    return found.get(f"{W}val") if found is not None else ""


def text(element) -> str:
    """The text of `element`, citations left out (runs in the Footnote Reference style)."""
    return "".join(t.text or "" for r in element.iter(f"{W}r") for t in r.findall(f"{W}t")
                   if r.find(f"{W}rPr/{W}rStyle[@{W}val='FootnoteReference']") is None)


def the_picture(path: Path):
    """The one inline picture of a DOCX, its paragraph, and the PNG it shows."""
    drawings = list(body(path).iter(f"{W}drawing"))
    assert len(drawings) == 1, f"{len(drawings)} pictures"
    inline = drawings[0].find(f"{WP}inline")
    assert inline is not None, "the picture floats"  # inline: it moves with the text, as the PDF's figure does
    rid = inline.find(f".//{A}blip").get(f"{R}embed")
    png = docx.Document(str(path)).part.related_parts[rid].blob
    return inline, drawings[0].getparent().getparent(), png


def test_the_analyst_docx_has_the_figure_under_a_caption_above_the_chronology(built):
    inline, p, _ = the_picture(built / "analyst.docx")
    table = p.getnext()
    assert p.getparent().tag == f"{W}body" and table.tag == f"{W}tbl"
    rows = [[text(cell) for cell in row.findall(f"{W}tc")] for row in table.findall(f"{W}tr")]
    assert rows[0] == ["Date", "Event", "Sources"]
    caption = p.getprevious()
    assert style(caption) == "Caption" and text(caption) == CAPTION
    assert [t.text.split()[:2] for t in caption.iter(f"{W}instrText")] == [["SEQ", "Figure"]]  # Word numbers its figures
    assert p.find(f"{W}pPr/{W}keepNext") is not None and caption.find(f"{W}pPr/{W}keepNext") is not None
    # the alt text says what the figure shows: the events in order, each with its date
    assert inline.find(f"{WP}docPr").get("descr") == "; ".join(f"{date}: {event}" for date, event, _ in rows[1:]) + "."
    assert inline.find(f"{WP}docPr").get("descr").startswith("2020: Coup d’état; 2021: New coup d’état; ")


def test_the_picture_is_the_text_width_at_more_than_200_dpi_and_holds_no_time(built):
    inline, _, png = the_picture(built / "analyst.docx")
    extent = inline.find(f"{WP}extent")
    width, height = int(extent.get("cx")), int(extent.get("cy"))
    section = docx.Document(str(built / "analyst.docx")).sections[0]
    assert width == section.page_width - section.left_margin - section.right_margin
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "L"  # black, grey and white: greyscale
    assert image.width / (width / EMU_PER_INCH) >= 200 and image.height / (height / EMU_PER_INCH) >= 200
    assert abs(image.height / image.width - height / width) < 1 / image.width * 2  # not stretched
    assert b"tIME" not in png and b"tEXt" not in png


def test_the_picture_is_the_pdfs_drawing_with_the_same_words_in_the_same_places(built):
    pdf_words = figure_words(built / "analyst.pdf")
    document = compose_and_parse(load_and_check(REPO), find_template("analyst", REPO)).document
    block = next(b for b in document.blocks if isinstance(b, Table) and b.kind == "timeline")
    assert placed(picture_words(document, block, built)) == placed(pdf_words)


def test_right_to_left_labels_are_drawn_as_in_the_pdf(tmp_path):
    events = [("22\u00a0June\u00a02025", "عاصمي غويتا في الكرملين"), ("23\u00a0June\u00a02025", "השניים חתמו על שלושה הסכמים"),
              ("24\u00a0June\u00a02025", "Return to Bamako")]
    document = parse_markdown(timeline_markdown(events), Meta(title="Timeline test"), NOTES)
    render_pdf(document, tmp_path / "brief.pdf")
    block = next(b for b in document.blocks if isinstance(b, Table))
    drawn = placed(picture_words(document, block, tmp_path))
    assert drawn == placed(figure_words(tmp_path / "brief.pdf"))
    for label in (events[0][1], events[1][1]):  # each label's first word (in reading order) is its rightmost
        mine = {logical(word): x for word, x, _ in drawn if logical(word) in label.split()}
        assert len(mine) == len(label.split()) and max(mine, key=mine.get) == label.split()[0], mine


def logical(word: str) -> str:
    """A word of right-to-left text as pdftotext reads it back (drawn order, joined forms) in reading order."""
    return unicodedata.normalize("NFKC", word)[::-1]


def picture_words(document, block, folder: Path) -> list[dict]:
    page = timeline_page(document, block)
    assert page is not None
    path = folder / "figure-page.pdf"
    path.write_bytes(page[0])
    return words(path)


def placed(found: list[dict]) -> list[tuple[str, float, float]]:
    """Words with their places relative to the first word's, to a tenth of a point."""
    x, y = found[0]["xMin"], found[0]["yMin"]
    return sorted((w["text"], round(w["xMin"] - x, 1), round(w["yMin"] - y, 1)) for w in found)


def test_a_brief_without_a_chronology_has_no_picture(built, tmp_path):
    root = make_dossier(tmp_path / "dossier", templates={"note.md.j2": (
        "{#---\nname: note\naudience: Minister\ndescription: d\n---#}\n"
        "## Dates\n\n| Date | Event |\n|---|---|\n| 2020 | A table, not a timeline |\n| 2021 | Another |\n")})
    build_briefs(root, ("note",), ("docx",))
    for path in (built / "executive.docx", root / "out" / "note.docx"):
        with zipfile.ZipFile(path) as package:
            assert not [name for name in package.namelist() if name.startswith("word/media/")], path.name
        assert not list(body(path).iter(f"{W}drawing"))
        assert not any(style(p) == "Caption" for p in body(path).iter(f"{W}p"))


def test_each_timeline_has_its_figure_numbered_in_turn_and_one_too_short_has_none(tmp_path):
    markdown = (timeline_markdown(tagged_events(3)) + "\n" + timeline_markdown(tagged_events(1)) + "\n"
                + timeline_markdown(tagged_events(4)))
    path = tmp_path / "brief.docx"
    render_docx(parse_markdown(markdown, Meta(title="Timeline test"), NOTES), path, REFERENCE)
    captions = [text(p) for p in body(path).iter(f"{W}p") if style(p) == "Caption"]
    assert [caption.split(".")[0] for caption in captions] == ["Figure 1", "Figure 2"]  # as the PDF numbers them
    assert len(list(body(path).iter(f"{W}drawing"))) == 2


def test_a_chronology_the_pdf_font_cannot_draw_keeps_its_table_alone(tmp_path):
    """The PDF of such a brief is refused, naming the letter; the DOCX draws no figure with blank boxes in it."""
    path = tmp_path / "brief.docx"
    markdown = timeline_markdown([("2020", "First accord"), ("2021", "Second accord (三)")])
    render_docx(parse_markdown(markdown, Meta(title="Timeline test"), NOTES), path, REFERENCE)
    assert not list(body(path).iter(f"{W}drawing")) and not any(style(p) == "Caption" for p in body(path).iter(f"{W}p"))
    assert any("Second accord (三)" in text(row) for row in body(path).iter(f"{W}tr"))


def test_libreoffice_shows_the_picture_on_the_page_of_its_caption(built, tmp_path):
    office = require("libreoffice")
    copy = shutil.copy(built / "analyst.docx", tmp_path / "analyst.docx")
    result = subprocess.run([office, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                             "--outdir", str(tmp_path / "pdf"), str(copy)], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    reader = PdfReader(str(tmp_path / "pdf" / "analyst.pdf"))
    drawn = {number: drawn_images(reader, page) for number, page in enumerate(reader.pages, start=1)}
    (page,) = [number for number, page in enumerate(reader.pages, start=1) if CAPTION in flat(page.extract_text())]
    assert {number: names for number, names in drawn.items() if names} == {page: drawn[page]} and len(drawn[page]) == 1
    shown = reader.pages[page - 1]["/Resources"]["/XObject"][drawn[page][0]].decode_as_image()
    _, _, png = the_picture(built / "analyst.docx")
    assert shown.size == Image.open(io.BytesIO(png)).size
    assert shown.convert("L").tobytes() == Image.open(io.BytesIO(png)).tobytes()  # the very pixels, not resampled


def drawn_images(reader: PdfReader, page) -> list[str]:
    """The names of the images a page's content draws (`Do`), not those its resources merely list."""
    xobjects = page["/Resources"].get("/XObject") or {}
    return [operands[0] for operands, operator in ContentStream(page.get_contents(), reader).operations
            if operator == b"Do" and xobjects[operands[0]].get_object()["/Subtype"] == "/Image"]


def test_two_builds_in_two_processes_give_the_same_docx_picture_and_all(built, tmp_path):
    copies = []
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "briefing", "build", "-t", "analyst", "-f", "docx", "--dossier", str(REPO),
                        "--out", str(tmp_path / name)], env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                       capture_output=True, check=True)
        copies.append((tmp_path / name / "analyst.docx").read_bytes())
    assert copies[0] == copies[1]
    assert copies[0] == (built / "analyst.docx").read_bytes()  # and the same as a build in this process


def test_the_chronology_picture_leaves_white_round_its_labels():
    """No label nor the axis's arrow touches the picture's edge: a centred line that reaches
    past its label's width ('received by Vladimir') is not cut at the edge ('Vladimi')."""
    from PIL import Image

    from briefing.check import check_dossier
    from briefing.compose import compose_brief
    from briefing.compose.templates import find_template
    from briefing.document import Table
    from briefing.load import load_dossier
    from briefing.parse import parse_markdown
    from briefing.render.pdf.picture import timeline_picture

    composed = compose_brief(check_dossier(load_dossier(REPO)), find_template("analyst", REPO))
    document = parse_markdown(composed.markdown, composed.meta, composed.notes)
    block = next(b for b in document.blocks if isinstance(b, Table) and b.kind == "timeline")
    image = Image.open(io.BytesIO(timeline_picture(document, block).png)).convert("L")
    width, height = image.size
    pixels = image.load()
    edges = [(x, y) for x in (0, 1, width - 2, width - 1) for y in range(height)]
    edges += [(x, y) for y in (0, 1, height - 2, height - 1) for x in range(width)]
    assert all(pixels[x, y] > 200 for x, y in edges)

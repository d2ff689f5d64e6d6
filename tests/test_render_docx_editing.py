"""A DOCX a desk edits in Word: Word's own numbering, short footnotes, no
evidence twice, no spacer paragraphs, nothing asked on opening, tables sized to
their content, the PDF's title block and typeface. Read back from the files,
and from LibreOffice's layout of them (with a paragraph inserted, as a desk
officer would)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from briefing.build import build_briefs
from briefing.check import check_dossier
from briefing.compose import compose_brief
from briefing.compose.templates import find_template
from briefing.document import Heading, Paragraph, Table, plain_text, title_block_rows
from briefing.load import load_dossier
from briefing.parse import parse_markdown
from briefing.render.docx.fonts import text_width
from briefing.render.docx.renderer import CELL_PADDING, FOOTNOTE_LIMIT, TABLE_SIZE
from conftest import EPOCH, REPO, require
from readback import W, docx_footnotes, flat, footnote_gives

NAMES = ("analyst", "defence", "executive")
TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The default briefs, DOCX and PDF, and their documents (name → Document)."""
    out = tmp_path_factory.mktemp("editing")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build_briefs(REPO, (), ("docx", "pdf"), out)
    checked = check_dossier(load_dossier(REPO))
    documents = {}
    for name in NAMES:
        composed = compose_brief(checked, find_template(name, REPO))
        documents[name] = parse_markdown(composed.markdown, composed.meta, composed.notes)
    return out, documents


def part(path: Path, member: str):
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(member))


def body_paragraphs(path: Path):
    """The paragraphs of the body (not those inside table cells), with their style id and text."""
    body = part(path, "word/document.xml").find(f"{W}body")
    for p in body.iterchildren(f"{W}p"):
        style = p.find(f"{W}pPr/{W}pStyle")
        yield p, (style.get(f"{W}val") if style is not None else ""), "".join(t.text or "" for t in p.iter(f"{W}t"))


def office_pdf(paths: list[Path], folder: Path) -> dict[str, Path]:
    office = require("libreoffice")
    result = subprocess.run([office, f"-env:UserInstallation=file://{folder}/profile", "--headless", "--convert-to",
                             "pdf", "--outdir", str(folder), *map(str, paths)], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    return {path.stem: folder / f"{path.stem}.pdf" for path in paths}


def pdftotext(path: Path, *options: str) -> str:
    return subprocess.run([require("pdftotext"), *options, str(path), "-"], capture_output=True, text=True, check=True).stdout


# --- numbering ---------------------------------------------------------------

def test_a_numbered_brief_is_numbered_by_word_not_by_typed_digits(built):
    out, documents = built
    for name in ("analyst", "defence"):
        path = out / f"{name}.docx"
        document = documents[name]
        styles = part(path, "word/styles.xml")
        numbering = part(path, "word/numbering.xml")
        linked = {}
        for style_id in ("Heading1", "NumberedParagraph"):
            style = styles.find(f"{W}style[@{W}styleId='{style_id}']")
            num_pr = style.find(f"{W}pPr/{W}numPr")
            assert num_pr is not None, f"{name}: style {style_id} is not linked to a list"
            linked[style_id] = (num_pr.find(f"{W}numId").get(f"{W}val"), int(num_pr.find(f"{W}ilvl").get(f"{W}val")))
        (num_id, _), = set((n, 0) for n, _ in linked.values())  # one list for both
        num = numbering.find(f"{W}num[@{W}numId='{num_id}']")
        abstract = numbering.find(f"{W}abstractNum[@{W}abstractNumId='{num.find(f'{W}abstractNumId').get(f'{W}val')}']")
        levels = {int(lvl.get(f"{W}ilvl")): lvl for lvl in abstract.iter(f"{W}lvl")}
        for style_id, (_, level) in linked.items():
            assert levels[level].find(f"{W}pStyle").get(f"{W}val") == style_id
        assert levels[linked["Heading1"][1]].find(f"{W}lvlText").get(f"{W}val") == "%1"
        assert levels[linked["NumberedParagraph"][1]].find(f"{W}lvlText").get(f"{W}val") == "%1.%2"

        paragraphs = list(body_paragraphs(path))
        numbered = [text for _, style, text in paragraphs if style == "NumberedParagraph"]
        assert len(numbered) == sum(1 for b in document.blocks if isinstance(b, Paragraph) and b.number)
        assert len([s for _, s, _ in paragraphs if s == "Heading1"]) == sum(
            1 for b in document.blocks if isinstance(b, Heading) and b.number)
        for _, style, text in paragraphs:
            if style in ("NumberedParagraph", "Heading1"):
                assert not re.match(r"\d+(\.\d+)*\s", text), f"{name}: a typed number: {text[:40]!r}"


def test_an_unnumbered_brief_has_no_numbered_headings(built):
    out, _ = built
    styles = part(out / "executive.docx", "word/styles.xml")
    for style_id in ("Heading1", "NumberedParagraph"):
        assert styles.find(f"{W}style[@{W}styleId='{style_id}']/{W}pPr/{W}numPr") is None


def test_ordered_lists_are_word_lists_restarting_at_their_first_number(tmp_path):
    from conftest import make_dossier

    template = """\
        {#---
        name: lists
        audience: Testers
        description: Two ordered lists, the second starting at 4.
        ---#}
        ## Steps

        1. First step
        2. Second step

        Between the lists.

        4. Fourth step
        5. Fifth step
        """
    root = make_dossier(tmp_path / "d", templates={"lists.md.j2": template})
    (output,) = build_briefs(root, ("lists",), ("docx",), tmp_path / "out")
    items = [(p, text) for p, style, text in body_paragraphs(output.path) if style == "ListNumber"]
    assert [text for _, text in items] == ["First step", "Second step", "Fourth step", "Fifth step"]  # no typed digits
    num_ids = [p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") for p, _ in items]
    assert num_ids[0] == num_ids[1] != num_ids[2] == num_ids[3]  # one Word list each
    numbering = part(output.path, "word/numbering.xml")
    starts = [numbering.find(f"{W}num[@{W}numId='{num_id}']/{W}lvlOverride/{W}startOverride").get(f"{W}val")
              for num_id in (num_ids[0], num_ids[2])]
    assert starts == ["1", "4"]


def test_libreoffice_shows_the_briefs_numbers_and_renumbers_after_an_inserted_paragraph(built, tmp_path):
    """The numbers LibreOffice lays out are the brief's (parse gives them); a
    paragraph started with Enter after 1.1 becomes 1.2 and the rest move down
    (1.3 …), the next section starts again at 2.1; a section heading inserted
    before section 2 makes it section 3, with paragraphs 3.1 …"""
    require("libreoffice")
    require("pdftotext")
    system_python = shutil.which("python3", path="/usr/bin") or sys.executable
    if subprocess.run([system_python, "-c", "import sys; sys.path.append('/usr/lib/libreoffice/program'); import uno"],
                      capture_output=True).returncode:
        require("python3-uno")  # skips (fails under CI) without LibreOffice's Python bridge
    out, documents = built
    source = tmp_path / "analyst.docx"
    shutil.copy(out / "analyst.docx", source)
    paragraphs = [b for b in documents["analyst"].blocks if isinstance(b, Paragraph) and b.number]

    def opening(block: Paragraph) -> str:
        return " ".join(plain_text(block.children).split()[:4])

    def numbers(pdf: Path) -> str:  # lines as laid out: a number beside its paragraph, not in the reading order of a table above
        return flat(pdftotext(pdf, "-layout"))

    original = numbers(office_pdf([source], tmp_path / "plain")["analyst"])
    for block in paragraphs:
        assert f"{block.number} {opening(block)}" in original, block.number

    first, second = paragraphs[0], paragraphs[1]
    assert (first.number, second.number) == ("1.1", "1.2")
    added = "A paragraph a desk officer added."
    script = str(TESTS / "office_insert.py")
    run = [system_python, script, str(source), str(tmp_path / "inserted.pdf"), str(tmp_path / "inserted.docx")]
    result = subprocess.run([*run, opening(first), added], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    inserted = numbers(tmp_path / "inserted.pdf")
    assert f"1.2 {added}" in inserted
    section_one = [b for b in paragraphs if b.number.startswith("1.")]
    for block in section_one[1:]:
        shifted = f"1.{int(block.number.split('.')[1]) + 1}"
        assert f"{shifted} {opening(block)}" in inserted, block.number
    for block in paragraphs[len(section_one):]:
        assert f"{block.number} {opening(block)}" in inserted, block.number

    section_two = next(b for b in documents["analyst"].blocks if isinstance(b, Heading) and b.number == "2")
    title = plain_text(section_two.children)
    run = [system_python, script, str(source), str(tmp_path / "heading.pdf"), str(tmp_path / "heading.docx")]
    result = subprocess.run([*run, "", "A section a desk officer added", title], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    with_heading = numbers(tmp_path / "heading.pdf")
    assert "2 A section a desk officer added" in with_heading and f"3 {title}" in with_heading
    for block in paragraphs:
        section, number = block.number.split(".")
        renumbered = f"{int(section) + 1 if int(section) >= 2 else section}.{number}"
        assert f"{renumbered} {opening(block)}" in with_heading, block.number


# --- footnotes and evidence --------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_footnotes_are_the_short_form(built, name):
    out, documents = built
    notes = docx_footnotes(out / f"{name}.docx")
    assert notes
    for note in documents[name].notes:
        text = notes[note.number]
        # every source named with its own words; over the limit, only the passages that carry the
        # statement (its figures, names and quoted words), the one that gives most of its other
        # words, and one more of a source shown by a fragment, each with its translation
        given = {entry.source: [carries for p, carries in zip(entry.passages, entry.carries or (False,) * len(entry.passages))
                                if flat(p) in flat(text) or (p in flat(text))] for entry in note.content.entries}
        if documents[name].meta.evidence == "full":  # a one-page note's footnote names its sources only
            assert "see note" in text or all(given.values()), text
        if len(text.strip()) > FOOTNOTE_LIMIT:
            others = [sum(not carries for carries in passages) for passages in given.values()]
            assert all(count <= 2 for count in others) and sum(others) <= 1 + len(others), text
        assert "unknown:" not in text and "[fr]" not in text


@pytest.mark.parametrize("name", ("analyst", "defence"))
def test_a_footnote_gives_the_passage_that_carries_its_claim_with_the_translation(built, name):
    """Each footnote quotes, with its translation, the passage that gives most of
    the words of the statement it backs; before, it gave the first passage, which
    often did not say what the statement says."""
    out, documents = built
    footnotes = docx_footnotes(out / f"{name}.docx")
    translated = [note for note in documents[name].notes if note.content.entries[0].translations[:1] != (None,)]
    assert len(translated) == len(documents[name].notes)  # every fact of the default dossier translates its quotes

    def words(text):
        return {word.lower() for word in re.findall(r"\w{4,}|\d+", text)}

    for note in translated:
        claim = words(note.content.claim)
        passages = [(passage, translation) for entry in note.content.entries
                    for passage, translation in zip(entry.passages, entry.translations)]
        most = max(len((words(p) | words(t or "")) & claim) for p, t in passages)
        given = [(p, t) for p, t in passages if footnote_gives(footnotes, note.number, p)]
        assert given, note.number
        assert max(len((words(p) | words(t or "")) & claim) for p, t in given) == most, note.number
        assert all(footnote_gives(footnotes, note.number, t) for p, t in given if t), note.number


@pytest.mark.parametrize("name", ("analyst", "defence"))
def test_a_footnoted_docx_has_no_second_copy_of_the_evidence(built, name):
    out, documents = built
    path = out / f"{name}.docx"
    body = flat(" ".join(text for _, _, text in body_paragraphs(path)))
    assert "Sources and evidence" not in body
    quotes = {flat(entry.quote) for note in documents[name].notes for entry in note.content.entries}
    assert not [quote for quote in quotes if quote in body]  # the quotes are in the footnotes only
    footnotes = flat(" ".join(docx_footnotes(path).values()))
    assert any(quote in footnotes for quote in quotes)


# --- title block, paragraphs, settings, typeface -----------------------------

@pytest.mark.parametrize("name", NAMES)
def test_the_title_block_is_the_pdfs(built, name):
    out, documents = built
    table = docx.Document(str(out / f"{name}.docx")).tables[0]
    cells = [[cell.text for cell in row.cells] for row in table.rows]
    if documents[name].meta.title_block == "compact":  # lines of "Label value · Label value"
        pairs = [tuple(pair.split(" ", 1)) for row in cells for pair in row[0].split(" · ")]
        labels = {label.split(" ")[0] for label, _ in title_block_rows(documents[name].meta)}
        assert {label for label, _ in pairs} <= labels
    else:
        pairs = [(row[i], row[i + 1]) for i in (0, 2) for row in cells if row[i]]  # read down, as the PDF sets them
        assert pairs == title_block_rows(documents[name].meta)
    page_one = flat(PdfReader(str(out / f"{name}.pdf")).pages[0].extract_text())
    for row in cells:
        assert flat(" ".join(text for text in row if text)) in page_one
    assert "Handling" not in " ".join(sum(cells, []))


@pytest.mark.parametrize("name", NAMES)
def test_no_empty_paragraphs_as_spacers(built, name):
    out, _ = built
    empty = [style for p, style, text in body_paragraphs(out / f"{name}.docx")
             if not text.strip() and p.find(f".//{W}drawing") is None]  # a picture's paragraph holds the picture
    assert empty == []


def test_one_text_family_at_reading_sizes(built):
    out, _ = built
    styles = part(out / "analyst.docx", "word/styles.xml")
    for fonts in styles.iter(f"{W}rFonts"):
        assert {k.split("}")[1] for k in fonts.attrib} <= {"ascii", "hAnsi", "cs", "eastAsia", "hint"}
        assert {v for k, v in fonts.attrib.items() if not k.endswith("hint")} == {"DejaVu Sans"}
    assert styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts").get(f"{W}ascii") == "DejaVu Sans"
    document = docx.Document(str(out / "analyst.docx"))
    assert 10 <= document.styles["Normal"].font.size.pt <= 11
    assert document.styles["Footnote Text"].font.size.pt >= 8.5


# --- tables ------------------------------------------------------------------

def test_table_columns_hold_their_longest_word(built):
    out, documents = built
    for name in NAMES:
        tables = [b for b in documents[name].blocks if isinstance(b, Table)]
        body = part(out / f"{name}.docx", "word/document.xml").find(f"{W}body")
        written = list(body.iterchildren(f"{W}tbl"))[1:]  # after the title block
        assert len(written) == len(tables)
        for block, tbl in zip(tables, written):
            assert tbl.find(f"{W}tblPr/{W}tblLayout").get(f"{W}type") == "fixed"
            assert tbl.find(f"{W}tr/{W}trPr/{W}tblHeader") is not None  # repeated on every page
            widths = [int(col.get(f"{W}w")) for col in tbl.iter(f"{W}gridCol")]
            for row in (block.header, *block.rows):
                for width, cell in zip(widths, row):
                    longest = max(plain_text(cell).split(), key=len, default="")
                    assert text_width(longest, TABLE_SIZE, True) * 20 + CELL_PADDING <= width + 1, (name, longest)


def test_libreoffice_breaks_no_word_in_a_table(built, tmp_path):
    out, documents = built
    copies = [Path(shutil.copy(out / f"{name}.docx", tmp_path / f"{name}.docx")) for name in NAMES]
    pdfs = office_pdf(copies, tmp_path / "pdf")
    for name in NAMES:
        words = set(re.findall(r"\w+", pdftotext(pdfs[name])))
        words |= {re.sub(r"\d+$", "", word) for word in words}  # "Coup13": a word and its footnote number
        for block in (b for b in documents[name].blocks if isinstance(b, Table)):
            for row in (block.header, *block.rows):
                for cell in row:
                    for word in re.findall(r"[\w-]+", plain_text(cell)):  # a line may end at a hyphen
                        if "-" not in word:
                            assert word in words, f"{name}: {word!r} is broken across lines"


def test_a_key_points_footnote_opens_with_its_source_as_the_others_do(built):
    """A key point is its fact's short form: its footnote opens with the source, not
    with the whole claim: every note does."""
    out, documents = built
    footnotes = docx_footnotes(out / "analyst.docx")
    note = next(n for n in documents["analyst"].notes if n.content.claim.startswith("Africa Corps, under the Russian Ministry"))
    assert not footnotes[note.number].startswith("Africa Corps"), footnotes[note.number][:80]
    assert footnotes[note.number].lstrip().startswith(tuple(entry.source for entry in note.content.entries))


@pytest.mark.parametrize("name", ("analyst", "defence"))
def test_a_footnote_gives_the_words_its_statement_quotes_and_its_figures(built, name):
    """Whatever its length, a footnote gives each passage (with its translation) that
    holds the words its statement quotes, or its numbers: a reader can trace every
    quoted phrase and figure of the statement to the source's words in the note."""
    out, documents = built
    footnotes = docx_footnotes(out / f"{name}.docx")
    checked = 0
    for note in documents[name].notes:
        content = note.content
        pairs = [(p, t or "") for entry in content.entries for p, t in zip(entry.passages, entry.translations)]
        phrases = [flat(m).casefold() for m in re.findall(r"‘([^’]{3,}?)’(?!\w)", content.claim)]
        figures = re.findall(r"\b\d[\d,.]*\d\b|\b\d\b", content.claim)
        for wanted in phrases + figures:
            holding = [p for p, t in pairs if wanted in flat(p + " " + t).casefold()]
            if holding:  # a passage that holds it is in the note, whole or referred to
                assert any(footnote_gives(footnotes, note.number, p) for p in holding), (note.number, wanted)
                checked += 1
    assert checked >= 10


@pytest.mark.parametrize("name", ("analyst", "defence"))
def test_a_long_passage_is_printed_in_one_footnote_and_referred_to_after(built, name):
    """As in the PDF's evidence: a passage of 120 characters or more is given whole
    once; a later footnote that cites it says "(see note N)"."""
    out, documents = built
    footnotes = {number: flat(text) for number, text in docx_footnotes(out / f"{name}.docx").items()}
    passages = {flat(p) for note in documents[name].notes for entry in note.content.entries
                for p in entry.passages if len(p) >= 120}
    for passage in passages:
        holding = [number for number, text in footnotes.items() if f"« {passage} »" in text]  # as a quote of its own
        assert len(holding) <= 1, (passage[:60], holding)
    assert any("(see note " in text for text in footnotes.values())
    # the number is a cross-reference to that footnote, which Word keeps true when a note is inserted
    fields = [t.text for t in part(out / f"{name}.docx", "word/footnotes.xml").iter(f"{W}instrText")]
    assert fields and all(re.fullmatch(r" NOTEREF _RefNote\d+ \\h ", text) for text in fields), fields


def test_a_footnote_says_how_its_statement_derives_what_its_quotes_do_not_give(built):
    """'April 2025' from « en avril dernier » in an article datelined 23 June 2025: the
    footnote gives the analyst's derivation, as the PDF's evidence does."""
    out, documents = built
    footnotes = {number: flat(text) for number, text in docx_footnotes(out / "analyst.docx").items()}
    derived = [note for note in documents["analyst"].notes if "Analyst’s derivation:" in note.content.support]
    assert len(derived) >= 2
    for note in derived:
        derivation = flat(note.content.support.split("Analyst’s derivation:")[1])
        assert f"Analyst’s derivation: {derivation}" in footnotes[note.number], note.number


def test_a_source_a_footnote_refers_back_for_also_shows_its_own_words_there():
    """'APA (B): (see note 3)' alone shows none of APA's words in this note: the note
    also gives APA's passage that adds most of the statement, as for a source shown by nothing."""
    from briefing.document import Citation, Meta, NoteContent, NoteEntry, plain_text
    from briefing.render.docx.renderer import footnote_pieces

    printed_before = ("Si le calendrier opérationnel n’a pas été détaillé, le texte prévoit des études préliminaires, "
                      "des sessions de formation, ainsi qu’une coopération scientifique sur la gestion du cycle.")
    ambition = ("l’ambition est de développer des solutions énergétiques durables, allant de la formation de "
                "ressources humaines à la mise en place d’infrastructures spécifiques.")
    content = NoteContent("We assess that studies come first, infrastructure remaining an ambition.", "support",
                          (NoteEntry("APA", "B", "", "fr", passages=(printed_before, ambition),
                                     translations=("the timetable aside, we assess that studies come first", None)),),
                          "APA (B)",
                          "Judgment, low confidence.")
    pieces = footnote_pieces(content, Meta(title="t"), {printed_before: 3}, limit=60)  # a note over its limit
    text = flat(plain_text(pieces))
    assert Citation(3) in pieces and "(see note )" in text  # the number, a cross-reference to note 3
    assert flat(ambition) in text and flat(printed_before) not in text, text

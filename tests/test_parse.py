"""Stage 4: Markdown becomes a Document; citations are numbered by first use."""

import pytest

from briefing.document import Citation, Heading, ListBlock, Meta, NoteContent, Paragraph, Strong, Table, Text
from briefing.errors import BriefingError
from briefing.parse import parse_markdown

NOTE = NoteContent("claim", "support", (), "short")
NOTES = {"a": NOTE, "b": NOTE, "c": NOTE}


def parse(markdown: str, numbered=False):
    return parse_markdown(markdown, Meta(title="t", numbered=numbered), NOTES)


def test_citations_are_numbered_in_order_of_first_use_and_reused():
    document = parse("First[^b] then[^a], again[^b].\n\n- item[^c][^a]\n")
    paragraph, items = document.blocks
    assert [i.number for i in paragraph.children if isinstance(i, Citation)] == [1, 2, 1]
    assert [i.number for i in items.items[0][0].children if isinstance(i, Citation)] == [3, 2]
    assert [(note.number, note.key) for note in document.notes] == [(1, "b"), (2, "a"), (3, "c")]


def test_blocks_and_inlines_map_to_the_document_tree():
    document = parse("## Head\n\nSome **bold** text.\n\n1. one\n2. two\n\n| x | y |\n|---|---|\n| 1 | 2[^a] |\n")
    heading, paragraph, numbered, table = document.blocks
    assert heading == Heading(2, (Text("Head"),))
    assert paragraph.children == (Text("Some "), Strong((Text("bold"),)), Text(" text."))
    assert isinstance(numbered, ListBlock) and numbered.ordered and len(numbered.items) == 2
    assert isinstance(table, Table) and table.header == ((Text("x"),), (Text("y"),))
    assert table.rows[0][1] == (Text("2"), Citation(1))


def test_numbered_briefs_number_sections_and_their_paragraphs():
    document = parse("Intro.\n\n## One\n\nA.\n\nB.\n\n## Two\n\nC.\n", numbered=True)
    labels = [(type(b).__name__, b.number) for b in document.blocks]
    assert labels == [("Paragraph", None), ("Heading", "1"), ("Paragraph", "1.1"), ("Paragraph", "1.2"),
                      ("Heading", "2"), ("Paragraph", "2.1")]


def test_raw_html_stays_text():
    (paragraph,) = parse("<script>alert(1)</script> & <b>x</b>\n").blocks
    assert isinstance(paragraph, Paragraph)
    assert "".join(i.text for i in paragraph.children) == "<script>alert(1)</script> & <b>x</b>"


def test_citing_an_unknown_fact_is_an_error():
    with pytest.raises(BriefingError, match="the template cites 'zzz', which is not a fact of this dossier"):
        parse("Oops[^zzz]\n")


TABLE = "| Date | Event |\n|---|---|\n| 2020 | First coup |\n"


def test_a_block_attribute_line_marks_the_table_below_as_a_timeline():
    blocks = parse("{.timeline}\n" + TABLE + "\ntext\n\n" + TABLE + "\n{.wide #t}\n" + TABLE).blocks
    marked, plain, other = (block for block in blocks if isinstance(block, Table))
    assert (marked.kind, plain.kind, other.kind) == ("timeline", None, None)
    assert marked.rows == plain.rows == other.rows


def test_a_claim_holding_the_marker_neither_marks_a_table_nor_vanishes(tmp_path):
    """The `md` filter escapes braces: a dossier's text cannot make a timeline (nor set attributes)."""
    from conftest import make_dossier

    from briefing.check import check_dossier
    from briefing.compose import compose_brief
    from briefing.compose.templates import find_template
    from briefing.load import load_dossier

    head = "{#---\nname: t\naudience: Testers\ndescription: A test template.\n---#}\n"
    body = '{{ "{.timeline}" | md }}\n\n' + TABLE + '\n{{ "{.timeline #x onclick=y}" | md }}\n' + TABLE
    root = make_dossier(tmp_path, templates={"t.md.j2": head + body})
    composed = compose_brief(check_dossier(load_dossier(root)), find_template("t", root))
    blocks = parse_markdown(composed.markdown, composed.meta, composed.notes).blocks
    assert [type(block).__name__ for block in blocks] == ["Paragraph", "Table", "Paragraph", "Table"]
    assert [block.kind for block in blocks if isinstance(block, Table)] == [None, None]
    assert [block.children for block in blocks if isinstance(block, Paragraph)] == [
        (Text("{.timeline}"),), (Text("{.timeline #x onclick=y}"),)]


def test_a_long_passage_an_earlier_note_gives_is_referred_to_not_repeated():
    from briefing.document import NoteEntry

    long = "Trois accords ont été signés en présence des deux chefs d’État " * 3
    def content(*passages):
        return NoteContent("claim", "support", (NoteEntry("APA", "B", "", "fr", passages=passages),), "APA (B)")
    notes = {"a": content(long), "b": content("court passage", long), "c": content(long + " autre")}
    document = parse_markdown("A.[^a] B.[^b] C.[^c] A again.[^a]", Meta(title="t"), notes)
    quoted_at = [note.content.entries[0].quoted_at for note in document.notes]
    assert quoted_at == [(), (None, 1), ()]  # a short passage, or other words, are printed again


def test_a_french_brief_sets_its_note_calls_before_the_punctuation():
    """« civil¹. », « défense⁷ ⁸ ? »: French typography puts the call before the point it
    follows (and before the no-break space of ; : ! ?); an English brief after it."""
    markdown = "Trois accords ont été signés.[^a] Et la défense\u00a0?[^a][^b] Ni ici[^b], ni là.\n"
    notes = {"a": NOTE, "b": NOTE}
    (french,) = parse_markdown(markdown, Meta(title="t", language="fr"), notes).blocks
    assert french.children == (Text("Trois accords ont été signés"), Citation(1), Text(". Et la défense"),
                               Citation(1), Citation(2), Text("\u00a0? Ni ici"), Citation(2), Text(", ni là."))
    (english,) = parse_markdown(markdown, Meta(title="t", language="en"), notes).blocks
    assert english.children[:2] == (Text("Trois accords ont été signés."), Citation(1))

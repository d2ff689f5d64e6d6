"""The layout read back from the built briefs: evidence that reads, templates
that fit any dossier, the defence digest's content, typography and counts."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from readback import flat, pdf_text

from briefing.build import build_briefs

TEMPLATES = ("executive", "analyst", "defence")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from conftest import REPO

    out = tmp_path_factory.mktemp("out")
    warnings = []
    build_briefs(REPO, (), ("pdf",), out, report=warnings.append)
    return out, warnings


def _documents():
    from conftest import REPO

    from briefing.build import compose_and_parse
    from briefing.check import check_dossier
    from briefing.compose.templates import find_template
    from briefing.load import load_dossier

    checked = check_dossier(load_dossier(REPO))
    return checked, {name: compose_and_parse(checked, find_template(name, REPO)).document for name in TEMPLATES}


def test_no_unknown_litany_in_the_evidence(built):
    out, _ = built
    for name in TEMPLATES:
        text = pdf_text(out / f"{name}.pdf")
        assert text.count("unknown") <= 1, name  # what is not known is said once, in the sources list
        assert "[fr]" not in text


def test_every_section_is_shown_or_reported_by_each_template(built):
    _, warnings = built
    from conftest import REPO

    from briefing.build import compose_and_parse
    from briefing.compose.templates import find_template

    checked, _documents_ = _documents()
    with_facts = {f.fact.section for f in checked.facts}
    for name in _documents_:
        # the facts the brief cites (a one-page note's facts with the same sources share a note)
        markdown = compose_and_parse(checked, find_template(name, REPO)).markdown
        cited = {f.id for f in checked.facts if f"[^{f.id}]" in markdown}
        shown = {f.fact.section for f in checked.facts if f.id in cited}
        reported = " ".join(w.message.split(" not shown")[0] for w in warnings if w.message.startswith(f"{name}:"))
        for section in with_facts - shown:
            assert f"'{section}'" in reported, (name, section)
        for section in shown:
            assert f"'{section}'" not in reported, (name, section)


def test_an_init_dossier_with_its_own_section_ids_builds_from_every_template(tmp_path):
    from briefing.authoring.init import create_dossier
    from briefing.compose.templates import builtin_templates_dir

    root = tmp_path / "mine"
    create_dossier(root)
    for template in (root / "templates").glob("*.md.j2"):  # the built-in templates, not the copies
        template.write_text((builtin_templates_dir() / template.name).read_text(encoding="utf-8"), encoding="utf-8")
    renames = {"summary": "overview", "developments": "military", "background": "history"}
    for path in [root / "sources" / "dossier.yaml", *(root / "sources" / "facts").glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = re.sub(rf"\b(id|section): {old}\b", rf"\1: {new}", text)
        path.write_text(text, encoding="utf-8")
    warnings = []
    outputs = build_briefs(root, (), ("pdf",), report=warnings.append)
    assert {o.template for o in outputs} == set(TEMPLATES)
    first_claim = "Northbridge opened a new public library"
    for name in TEMPLATES:
        text = flat(pdf_text(root / "out" / f"{name}.pdf"))
        assert first_claim in text, name  # each brief leads with the dossier's bottom line
    defence = [w.message for w in warnings if w.message.startswith("defence:")]
    assert defence and "'military'" in defence[0] and "tag a section" in defence[0]


def test_citation_clusters_are_sorted_and_ranged():
    from briefing.document import Citation, Text
    from briefing.render.pdf.renderer import markup

    text = re.sub(r"<[^>]+>", "", markup((Text("x"), Citation(40), Citation(5), Citation(38), Citation(39))))
    assert text == "x5,\u00a038\u201340"  # a no-break space: a cluster never breaks across lines
    assert re.sub(r"<[^>]+>", "", markup((Citation(3), Citation(4)))) == "3,\u00a04"


def test_the_defence_digest_has_a_security_bottom_line_and_the_deputy_defence_minister(built):
    out, _ = built
    text = flat(pdf_text(out / "defence.pdf"))
    bottom = text[text.index("Bottom line"):text.index("Key judgments")]
    assert "We assess" in bottom  # the bottom line says what it means; the security facts are in the body
    body = text[text.index("Key judgments"):text.index("Evidence")]
    assert "Africa Corps" in body and "jihadist" in body
    assert "Deputy Defence Minister Yunus-Bek Yevkurov" in text
    assert "Sénou" not in text.split("Evidence")[0]  # no economic material in its body
    _, documents = _documents()
    assert any("Sequence of forces" in "".join(getattr(c, "text", "") for c in block.children)
               for block in documents["defence"].blocks if hasattr(block, "level"))


def test_body_text_is_at_least_10_points_and_evidence_at_least_8_5(built):
    out, _ = built
    def sizes_of(pages) -> dict[float, int]:
        sizes: dict[float, int] = {}
        for page in pages:
            height = float(page.mediabox.height)

            def visit(text, cm, tm, font, size):
                y = cm[5] + tm[5] * cm[3]
                if any(c.isalpha() for c in text) and 56 < y < height - 56:  # not the footer, nor citation numbers
                    key = round(size * (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * abs(cm[0] or 1), 1)
                    sizes[key] = sizes.get(key, 0) + len(text)
            page.extract_text(visitor_text=visit)
        return sizes

    pages = PdfReader(str(out / "analyst.pdf")).pages
    body = sizes_of(pages[:3])
    assert 10 <= max(body, key=body.get) <= 11, body
    everything = sizes_of(pages)
    # only the chronology's figure labels its markers smaller (test_render_pdf_timeline.py): at 7 points at least
    small = {size: count for size, count in everything.items() if count > 20 and size < 8.5}
    assert min(small, default=7) >= 7 and sum(small.values()) < 1500, everything


def test_the_accords_table_has_a_row_per_accord():
    checked, documents = _documents()
    from briefing.document import Table, plain_text

    items = {f.fact.item for f in checked.facts if f.fact.item and f.fact.section == "accords"}
    labels = {checked.dossier.config.key_labels.get(item, item) for item in items}
    tables = [b for b in documents["analyst"].blocks if isinstance(b, Table) and plain_text(b.header[0]) == "Accord"]
    assert len(tables) == 1
    assert {plain_text(row[0]) for row in tables[0].rows} == labels
    assert len(tables[0].rows) == len(items)


def test_each_product_has_its_own_reference():
    _, documents = _documents()
    references = {document.meta.reference for document in documents.values()}
    assert len(references) == len(TEMPLATES)


def test_plural_agreement_in_the_source_summary(built):
    out, _ = built
    for name in TEMPLATES:
        text = flat(pdf_text(out / f"{name}.pdf"))
        assert not re.search(r"\b1 (judgments|facts|sources|quotes)\b", text), name
        assert "without a printed date" not in text  # dates said once, without contradiction


def test_columns_are_shared_so_that_the_rows_are_short():
    """The column with the most text is the widest; a column whose cells fit on
    one line is no wider than that line, and the columns fill the width."""
    from briefing.document import Text
    from briefing.render.tables import share_widths

    def cell(text):
        return (Text(text),)

    rows = [(cell("Accord"), cell("Parties"), cell("Scope"), cell("Sources")),
            (cell("Principles of relations"), cell("Russia and Mali"), cell("a general framework " * 30), cell("3")),
            (cell("Nuclear"), cell("Mali and Rosatom, the Russian state company " * 2), cell("training"), cell("3"))]
    widths = share_widths(rows, 4, 500.0, lambda text: 5.0 * len(text))
    assert abs(sum(widths) - 500.0) < 1e-6
    accord, parties, scope, sources = widths
    assert scope > parties > accord and scope > 500.0 / 3
    assert sources == pytest.approx(5.0 * len("Sources"))  # on one line, and no wider
    # before, every cell over 60 characters weighed the same: scope and parties were as wide
    assert scope > 1.5 * parties


def test_a_brief_lists_the_abbreviations_its_statements_use(tmp_path):
    """Each abbreviation of `abbreviations:` that a cited statement uses is spelled out,
    in the analyst brief's source statement and on the executive note's sources line;
    one that no statement uses is not listed."""
    from conftest import CONFIG, make_dossier
    from readback import docx_paragraphs

    article = "Le président a reçu son homologue à Moscou le 23 juin 2025. La MINUSMA a quitté le pays.\n"
    facts = [{"id": "meeting", "section": "summary", "headline": True,
              "claim": "The president received his counterpart in Moscow on 23 June 2025.",
              "evidence": [{"source": "one", "quote": "Le président a reçu son homologue à Moscou le 23 juin 2025."}]},
             {"id": "left", "section": "accords", "headline": True, "claim": "MINUSMA left the country.",
              "evidence": [{"source": "one", "quote": "La MINUSMA a quitté le pays."}]}]
    config = {**CONFIG, "abbreviations": {"MINUSMA": "United Nations mission in Mali", "LBMA": "London Bullion Market Association"}}
    root = make_dossier(tmp_path, config=config, texts={"one": article}, facts=facts)
    build_briefs(root, ("analyst", "executive"), ("pdf", "docx"))
    for name in ("analyst", "executive"):
        text = pdf_text(root / "out" / f"{name}.pdf")
        words = flat(" ".join(docx_paragraphs(root / "out" / f"{name}.docx")))
        expected = ("Abbreviation: MINUSMA, United Nations mission in Mali." if name == "analyst"
                    else "MINUSMA: United Nations mission in Mali.")
        assert expected in text and expected in words, name
        assert "London Bullion" not in text + words  # no statement of the brief uses it


@pytest.mark.parametrize("key", ["lbma", "A", "L B M A", "LBMA<script>", "X" * 21])
def test_an_abbreviation_that_is_not_one_is_refused_at_its_line(tmp_path, key):
    from conftest import CONFIG, make_dossier, error_lines

    root = make_dossier(tmp_path, config={**CONFIG, "abbreviations": {key: "something"}})
    lines = error_lines(build_briefs, root, ("analyst",), ("pdf",))
    assert len(lines) == 1 and "dossier.yaml" in lines[0] and "is not an abbreviation" in lines[0], lines


def test_a_credibility_held_down_by_a_dispute_is_said_once(built):
    """A disputed point gives its credibility and why, without "rated 3 at best, credibility 3"."""
    out, _ = built
    text = pdf_text(out / "analyst.pdf")
    assert "one source, on a point the sources disagree on: credibility 3." in text
    assert not re.search(r"at best, credibility \d", text)


def _block_texts(blocks):
    """The plain text of every paragraph, list item and table cell, in order."""
    from briefing.document import ListBlock, Paragraph, Table, plain_text

    for block in blocks:
        if isinstance(block, Paragraph):
            yield plain_text(block.children)
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from _block_texts(item)
        elif isinstance(block, Table):
            yield from (plain_text(cell) for row in (block.header, *block.rows) for cell in row)


def test_a_key_point_is_written_out_once_in_the_analyst_brief():
    """The summary's key points are not set out again, word for word, in their sections."""
    checked, documents = _documents()
    texts = list(_block_texts(documents["analyst"].blocks))
    key_points = [f for f in checked.facts if f.fact.headline and f.fact.section != "summary" and not f.fact.key]
    assert key_points
    for fact in key_points:
        claim = fact.fact.claim.rstrip(".")[:80]
        assert sum(claim in text for text in texts) <= 1, fact.fact.id


def test_the_accords_table_points_to_the_versions_it_does_not_repeat(tmp_path):
    """A disputed cell of an item's table says how many versions there are; the
    versions themselves are side by side once, in the table of discrepancies."""
    from briefing.check import check_dossier
    from briefing.compose import compose_brief
    from briefing.compose.templates import find_template
    from briefing.load import load_dossier
    from conftest import ARTICLE, make_dossier

    texts = {"one": ARTICLE, "two": "Deux accords ont été signés à Moscou.\n"}
    sources = [{"id": s, "file": f"texts/{s}.txt", "reliability": "B"} for s in texts]
    facts = [{"id": f"count-{s}", "section": "accords", "item": "accord.all", "key": "accords.count", "value": value,
              "claim": claim, "evidence": [{"source": s, "quote": quote}]}
             for s, value, claim, quote in (("one", "three", "Outlet one counts three accords.", "Trois accords ont été signés"),
                                            ("two", "two", "Outlet two counts two accords.", "Deux accords ont été signés"))]
    root = make_dossier(tmp_path, texts=texts, sources=sources, facts=facts)
    markdown = compose_brief(check_dossier(load_dossier(root)), find_template("analyst", root)).markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| **accord.all**"))
    assert "2 versions: see “Where the sources differ”" in row and "three" not in row
    assert markdown.count("three (unattributed source 'one')") == 1  # once, side by side with the other version


def test_complementary_descriptions_of_an_accord_share_a_cell_each_with_its_source():
    """APA and the Moscow report describe the accord on relations each its own way, without
    contradicting one another: one cell gives both, each with its source, and neither is a
    version of the other. The Kremlin report gives the title only: a silence, not a version."""
    from briefing.document import Table, plain_text

    checked, documents = _documents()
    accords = next(b for b in documents["analyst"].blocks if isinstance(b, Table) and plain_text(b.header[0]) == "Accord")
    relations = next(row for row in accords.rows if plain_text(row[0]) == "Principles of relations")
    scope = plain_text(relations[2])
    assert scope.startswith("APA: a general framework of principles (mutual respect")
    assert "; Unsigned report from Moscow: an accord in principle" in scope and "versions" not in scope
    assert {d.key for d in checked.discrepancies} == {"wagner.announced"}


def test_an_abbreviation_in_what_the_brief_says_of_a_source_is_spelled_out(built):
    """The defence digest's sources table gives APA's reservations ("LBMA, 38 % stake"):
    LBMA is spelled out there too, though no defence statement names it."""
    out, _ = built
    text = pdf_text(out / "defence.pdf")
    assert "LBMA" in text and "LBMA, London Bullion Market Association" in text


def test_a_key_point_is_its_short_form_and_its_section_gives_the_whole_claim():
    """A headline fact with a `point` is that point among the key points, with who alone
    says it where the point does not name its source, and its whole claim in its section."""
    from briefing.document import ListBlock, plain_text

    checked, documents = _documents()
    fact = next(f for f in checked.facts if f.fact.id == "africa-corps")
    point, claim = str(fact.fact.point), str(fact.fact.claim)
    blocks = documents["analyst"].blocks
    items = [plain_text(child.children) for block in blocks if isinstance(block, ListBlock)
             for item in block.items for child in item if hasattr(child, "children")]
    assert any(text.startswith(point.rstrip(".") + " (reported only by Médard Clobechi and APA, apparently from the same material)") for text in items)
    texts = list(_block_texts(blocks))
    assert sum(claim.rstrip(".") in text for text in texts) == 1  # written out once, in its section
    assert not any(claim.rstrip(".") in text for text in items)


def test_an_accords_cell_names_its_sources_where_not_all_the_accords_give_it():
    """The Kremlin report names no company for the nuclear accord: the Parties cell says
    first who names Rosatom, rather than stand as what all three sources give."""
    from briefing.document import Table, plain_text

    checked, documents = _documents()
    accords = next(b for b in documents["analyst"].blocks if isinstance(b, Table) and plain_text(b.header[0]) == "Accord")
    nuclear = next(row for row in accords.rows if plain_text(row[0]) == "Peaceful use of nuclear energy")
    assert plain_text(nuclear[1]) == "Mali and Rosatom (APA; Unsigned report from Moscow)"
    assert plain_text(nuclear[-1]) == "3\u00a0sources"  # the sources that report the accord


def test_a_grade_is_bound_to_the_word_before_it():
    """'credibility 3.' never leaves '3.' alone at the start of a line."""
    checked, documents = _documents()
    supports = [note.content.support for note in documents["analyst"].notes]
    grades = [grade for text in supports for grade in re.findall(r"credibility\s\d", text)]
    assert len(grades) >= len(supports) // 2
    assert all(grade == grade.replace(" ", "\u00a0") for grade in grades), [g for g in grades if " " in g]


def test_a_footnote_keeps_the_caveat_of_sources_of_one_origin():
    """A statement two sources back in words of one origin is rated as one source; its
    DOCX footnote (the brief support) says why, as the PDF's evidence does."""
    checked, documents = _documents()
    one_origin = [f.fact.id for f in checked.facts
                  if f.fact.kind == "fact" and f.independent_sources == 1 and len({q.source.id for q in f.evidence}) > 1]
    notes = {note.key: note.content for note in documents["analyst"].notes}
    assert one_origin and all("apparently of one origin" in notes[key].brief_support for key in one_origin if key in notes)


_FIRST = ("Trois accords ont été signés en présence des deux chefs d’État ainsi que de ministres et hauts "
          "responsables des deux gouvernements, à l’issue de négociations.")
_SECOND = ("Le premier acte la création d’une commission intergouvernementale chargée de structurer la "
           "coopération bilatérale dans les domaines économique, scientifique, technique et commercial.")


@pytest.mark.parametrize("code, in_pdf, in_docx", [("en", "(see evidence 1 and 2)", "(see notes 1 and 2)"),
                                                   ("fr", "(voir les éléments n° 1 et 2)", "(voir les notes 1 et 2)")])
def test_passages_printed_by_several_earlier_entries_are_referred_to_at_once(tmp_path, code, in_pdf, in_docx):
    """'(see evidence 1 and 2)', not '(see evidence 1) (see evidence 2)': the numbers
    listed as the brief's language lists them, each a link (a cross-reference in Word)."""
    from conftest import REPO
    from readback import docx_footnotes

    from briefing.compose.brief import labels
    from briefing.compose.language import language
    from briefing.document import Meta, NoteContent, NoteEntry
    from briefing.parse import parse_markdown
    from briefing.render.docx.renderer import render_docx
    from briefing.render.pdf.renderer import render_pdf

    def content(*passages):
        return NoteContent("claim", "support", (NoteEntry("APA", "B", "", "fr", passages=passages),), "APA (B)")

    notes = {"a": content(_FIRST), "b": content(_SECOND), "c": content(_FIRST, _SECOND)}
    document = parse_markdown("A.[^a] B.[^b] C.[^c]", Meta(title="t", language=code, labels=labels(language(code))), notes)
    render_pdf(document, tmp_path / "brief.pdf")
    render_docx(document, tmp_path / "brief.docx", REPO / "templates" / "reference.docx")

    assert in_pdf in pdf_text(tmp_path / "brief.pdf")
    links = [annotation.get_object()["/Dest"] for page in PdfReader(str(tmp_path / "brief.pdf")).pages
             for annotation in page.get("/Annots", [])]
    citations, refer_backs = links[:3], links[3:]
    assert [dest[2:4] for dest in refer_backs] == [dest[2:4] for dest in citations[:2]]  # to entries 1 and 2

    footnote = flat(docx_footnotes(tmp_path / "brief.docx")[3])
    assert in_docx in footnote and _FIRST not in footnote
    with zipfile.ZipFile(tmp_path / "brief.docx") as package:
        fields = re.findall(r"NOTEREF (_RefNote\d+)", package.read("word/footnotes.xml").decode())
    assert fields == ["_RefNote1", "_RefNote2"]

    from briefing.render.html import render_html

    page = flat(re.sub(r"<[^>]+>", "", render_html(document)))
    assert in_pdf in page and page.count(_FIRST) == 1
    assert '<a href="#note-1">1</a>' in render_html(document).split('id="note-3"')[-1]

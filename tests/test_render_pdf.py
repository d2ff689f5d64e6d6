"""The PDF renderer, read back with pypdf and checked with qpdf."""

import re

import subprocess

import pytest
from pypdf import PdfReader

from briefing import __version__
from briefing.build import build_briefs
from briefing.errors import BriefingError
from conftest import EPOCH, REPO, build_default, default_facts, make_dossier, require
from readback import blank_shares, flat, pdf_text

@pytest.fixture(scope="module")
def default_pdfs(tmp_path_factory):
    return build_default(tmp_path_factory.mktemp("pdf"), ("pdf",))


def test_every_pdf_passes_qpdf_check(default_pdfs):
    qpdf = require("qpdf")
    for path in sorted(default_pdfs.glob("*.pdf")):
        result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "No syntax or stream encoding errors" in result.stdout


def test_document_information_is_set(default_pdfs):
    info = PdfReader(str(default_pdfs / "analyst.pdf")).metadata
    assert info.title == "Mali–Russia: General Goïta’s visit to Moscow"
    assert info.author == "Sahel Desk analysts"
    assert info.subject.startswith("Meeting of General Assimi Goïta and Vladimir Putin")
    assert "Africa Corps" in info["/Keywords"]
    assert info.creator == f"briefing {__version__}"
    assert info["/CreationDate"].startswith("D:20250624000000")


def test_the_outline_mirrors_the_headings(default_pdfs):
    reader = PdfReader(str(default_pdfs / "analyst.pdf"))
    def titles(items):
        for item in items:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title
    found = list(titles(reader.outline))
    assert found[0] == "Mali–Russia: General Goïta’s visit to Moscow"
    assert "1  Executive summary" in found and "Evidence" in found
    assert any(t.endswith("Open questions") for t in found)


def test_citations_are_links_to_their_evidence_entry(default_pdfs):
    reader = PdfReader(str(default_pdfs / "analyst.pdf"))
    evidence_page = next(i for i, page in enumerate(reader.pages) if re.search(r"^\s*Evidence\s*$", page.extract_text(), re.M))
    links = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])]
    internal = [link for link in links if link.get("/Subtype") == "/Link" and "/Dest" in link]
    assert len(internal) >= 40  # the analyst brief cites over 40 entries, each at least once
    for link in internal:
        target = reader.get_page_number(link["/Dest"][0].get_object()) if not isinstance(link["/Dest"], str) else None
        assert target is not None and target >= evidence_page


def test_fonts_are_embedded_subsets(default_pdfs):
    reader = PdfReader(str(default_pdfs / "analyst.pdf"))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        assert "+" in name, f"{name} is not a subset"
        assert "/FontFile2" in font["/FontDescriptor"], f"{name} is not embedded"


def test_the_analyst_brief_is_small_enough_to_mail(default_pdfs):
    assert (default_pdfs / "analyst.pdf").stat().st_size <= 150_000


def test_the_executive_note_fits_one_page(default_pdfs):
    assert len(PdfReader(str(default_pdfs / "executive.pdf")).pages) == 1


def test_every_page_has_marking_and_page_x_of_y(default_pdfs):
    reader = PdfReader(str(default_pdfs / "analyst.pdf"))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        text = flat(page.extract_text())
        assert text.count("UNCLASSIFIED — FOR OFFICIAL USE ONLY") == 2
        assert f"Page {number} of {total}" in text


def test_long_tables_repeat_their_header_row_on_every_page(tmp_path):
    body = "| Fact | Claim |\n|---|---|\n{% for i in range(120) %}| row {{ i }} | a line of the table |\n{% endfor %}"
    head = "{#---\nname: long\naudience: Testers\ndescription: A long table.\n---#}\n"
    root = make_dossier(tmp_path, templates={"long.md.j2": head + body})
    build_briefs(root, ("long",), ("pdf",))
    pages = PdfReader(str(root / "out" / "long.pdf")).pages
    assert len(pages) >= 3
    for page in pages:
        assert "Fact Claim" in flat(page.extract_text())


def test_a_table_header_is_printed_once_a_page_and_no_row_is_alone_overleaf(default_pdfs):
    """Each page of the default briefs prints a table's header row at most once: a table
    broken early so that no row is alone overleaf goes on on the next page, not in the room left."""
    headers = ("Accord Parties Scope", "Date Event Sources", "Source What is known Date Reliability", "Point Version A Version B")
    for path in default_pdfs.glob("*.pdf"):
        for number, page in enumerate(PdfReader(str(path)).pages, 1):
            text = flat(page.extract_text())
            assert all(text.count(header) <= 1 for header in headers), (path.name, number)


def test_headings_are_never_the_last_line_of_a_page(default_pdfs):
    reader = PdfReader(str(default_pdfs / "analyst.pdf"))
    headings = ["Executive summary", "Key judgments", "The visit", "The three accords", "Security context",
                "Sénou gold refinery", "Open questions", "Where the sources differ", "Sources", "Evidence"]
    for page in reader.pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if "UNCLASSIFIED" not in line and "Page " not in line]
        last = body[-1]
        assert not any(last.endswith(heading) and len(last) < len(heading) + 4 for heading in headings), last


def test_no_page_but_the_last_is_a_third_blank(default_pdfs):
    for name in ("analyst", "defence"):
        shares = blank_shares(default_pdfs / f"{name}.pdf")
        assert all(share < 1 / 3 for share in shares[:-1]), (name, [f"{share:.0%}" for share in shares])


def test_a_character_the_font_lacks_stops_the_build_with_its_name(tmp_path):
    facts = default_facts()
    facts[0]["claim"] = "The meeting 会议 took place."
    root = make_dossier(tmp_path, facts=facts)
    with pytest.raises(BriefingError) as caught:
        build_briefs(root, ("executive",), ("pdf",))
    message = caught.value.format_line()
    assert "no glyph for U+4F1A CJK UNIFIED IDEOGRAPH-4F1A ('会')" in message
    assert "The meeting 会议 took place" in message
    assert not (root / "out" / "executive.pdf").exists()


def test_greek_cyrillic_and_typography_render_as_text(tmp_path):
    article = "Путин встретился с Гоитой. Ο Πούτιν συναντήθηκε — « œuvre » № 5 €.\n"
    facts = [{"id": "multi", "section": "summary", "headline": True, "claim": "Путин, Πούτιν — « œuvre » № 5 €",
              "evidence": [{"source": "one", "quote": "Путин встретился с Гоитой."},
                           {"source": "one", "quote": "Ο Πούτιν συναντήθηκε — « œuvre » № 5 €."}]}]
    root = make_dossier(tmp_path, texts={"one": article}, facts=facts)
    build_briefs(root, ("analyst",), ("pdf",))
    text = pdf_text(root / "out" / "analyst.pdf")
    assert "Путин, Πούτιν — « œuvre » № 5 €" in text
    assert "Путин встретился с Гоитой." in text


def test_a_number_and_its_unit_are_bound_in_claims_and_quotes(tmp_path):
    """A no-break space holds "45 %" together (text extraction reads it as a
    plain space, so the paragraphs given to reportlab are read instead)."""
    from briefing.check import check_dossier
    from briefing.compose import compose_brief
    from briefing.load import load_dossier
    from briefing.parse import parse_markdown
    from briefing.render.pdf.fonts import register_fonts
    from briefing.render.pdf.renderer import _Builder
    from briefing.compose.templates import find_template

    article = "La part de l’État passe à 45 % du capital, soit 20 € par action.\n"
    facts = [{"id": "share", "section": "summary", "headline": True, "claim": "The state takes 45 % of the capital.",
              "evidence": [{"source": "one", "quote": "La part de l’État passe à 45 %  du capital, soit 20 € par action."}]}]
    root = make_dossier(tmp_path, texts={"one": article}, facts=facts)
    composed = compose_brief(check_dossier(load_dossier(root)), find_template("analyst", root))
    register_fonts()
    story = _Builder(parse_markdown(composed.markdown, composed.meta, composed.notes)).build()
    def paragraphs(flowables):
        for flowable in flowables:
            yield from paragraphs(getattr(flowable, "_content", []))  # a group kept together
            yield flowable

    texts = ["".join(getattr(frag, "text", "") for frag in getattr(flowable, "frags", [])) for flowable in paragraphs(story)]
    assert any("takes 45\u00a0% of" in text for text in texts)  # the claim
    assert any("La part de l’État passe à 45\u00a0% du capital, soit 20\u00a0€ par action." in text for text in texts)  # the quote


def test_same_inputs_and_source_date_epoch_give_identical_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_dossier(tmp_path / "d")
    first = {o.path.name: o.path.read_bytes() for o in build_briefs(root, (), ("pdf", "docx"), tmp_path / "a")}
    second = {o.path.name: o.path.read_bytes() for o in build_briefs(root, (), ("pdf", "docx"), tmp_path / "b")}
    assert first.keys() == second.keys() and len(first) == 6
    for name in first:
        assert first[name] == second[name], f"{name} differs between two builds"


def test_pdftotext_reads_the_brief(default_pdfs):
    pdftotext = require("pdftotext")
    text = subprocess.run([pdftotext, "-layout", str(default_pdfs / "executive.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "Bottom line" in text and "Key points" in text and "What to watch" in text


@pytest.mark.parametrize("headings", [("###", "###"), ("####", "##"), ("#", "####")])
def test_headings_that_skip_levels_still_give_an_outline(tmp_path, headings):
    root = make_dossier(tmp_path)
    (root / "templates").mkdir()
    first, second = headings
    (root / "templates" / "note.md.j2").write_text(
        "{#---\nname: note\naudience: Minister\ndescription: d\n---#}\n"
        f"{first} First part\n\nText.\n\n{second} Second part\n\nMore text.\n")
    build_briefs(root, ("note",), ("pdf",))
    reader = PdfReader(str(root / "out" / "note.pdf"))
    def titles(items, depth=0):
        for item in items:
            if isinstance(item, list):
                yield from titles(item, depth + 1)
            else:
                yield depth, item.title
    found = list(titles(reader.outline))
    assert [title for _, title in found[1:]] == ["First part", "Second part"]
    assert all(depth <= previous + 1 for (previous, _), (depth, _) in zip(found, found[1:]))


def test_a_brief_over_its_page_budget_is_refused_not_shrunk(tmp_path):
    long_claim = "The visit was long and its programme detailed in many reports. " * 6
    facts = default_facts() + [
        {"id": f"point-{n}", "section": "accords", "headline": True, "claim": f"{n}: {long_claim}",
         "evidence": [{"source": "one", "quote": "Trois accords ont été signés"}]}
        for n in range(12)
    ]
    root = make_dossier(tmp_path, facts=facts, questions=[
        {"id": f"q{n}", "question": long_claim, "why": "w", "settle": "s"} for n in range(3)])
    (root / "templates").mkdir()
    template = ("{#---\nname: executive\naudience: Minister\ndescription: One page.\npage_budget: 1\n---#}\n"
                "## Key points\n\n{% for fact in key_points %}\n- {{ fact.claim | md }}{{ cite(fact) }}\n{% endfor %}\n")
    (root / "templates" / "executive.md.j2").write_text(template)  # more than a page holds
    with pytest.raises(BriefingError, match=r"the 'executive' brief runs to \d pages but its template allows 1: the type is not shrunk"):
        build_briefs(root, ("executive",), ("pdf",))
    assert not (root / "out" / "executive.pdf").exists()


def test_fast_text_encoding_matches_reportlabs_own():
    """The font encodes a drawn string in one step once its characters have
    codes, and the canvas escapes it in one step: both must give exactly the
    bytes reportlab's own code gives, through the first subset and beyond it."""
    from reportlab.lib import rl_accel
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from briefing.render.pdf.fonts import FAMILY, register_fonts
    from briefing.render.pdf.renderer import _Canvas

    register_fonts()
    font = pdfmetrics.getFont(FAMILY)
    class Document:  # what the font keeps its subsets by
        pass

    ours, theirs = Document(), Document()
    strings = ["Le président a reçu « 45 % » du marché", "", "Le\u00a0sommet", "(a\\b) \x01",
               "Ελληνικά и русский", *(chr(code) * 3 for code in range(0x400, 0x520)), "Le président encore"]
    for text in strings * 2:  # the second round: every character has its code
        assert font.splitString(text, ours) == TTFont.splitString(font, text, theirs), text
    assert font.state[ours].briefing_known_count == len(font.state[ours].assignments) > 256  # a second subset was needed

    every_byte = bytes(range(256))
    reportlab_escape = getattr(rl_accel, "_py_escapePDF", rl_accel.escapePDF)  # its C accelerator, if installed
    assert _Canvas._escape(None, every_byte) == reportlab_escape(every_byte)


def _analyst_document():
    from briefing.check import check_dossier
    from briefing.compose import compose_brief
    from briefing.load import load_dossier
    from briefing.parse import parse_markdown
    from briefing.compose.templates import find_template

    checked = check_dossier(load_dossier(REPO))
    template = find_template("analyst", REPO)
    composed = compose_brief(checked, template)
    return parse_markdown(composed.markdown, composed.meta, composed.notes, str(template.path))


def test_copied_fragments_are_those_reportlab_parses():
    """Paragraphs of text, bold, italics and citations, and the evidence notes,
    get copies of fragments parsed once: they must equal what reportlab's
    parser makes of each paragraph's markup, attribute for attribute."""
    from briefing.document import Citation, Emphasis, Heading, ListBlock, Paragraph, Strong, Table, Text
    from briefing.render.pdf.fonts import register_fonts
    from briefing.render.pdf.renderer import _as_parsed, _Builder, _Paragraph, _text, markup

    register_fonts()
    document = _analyst_document()
    builder = _Builder(document)
    body, note_style = builder.styles["body"], builder.styles["note"]

    def attributes(paragraph):
        return [{name: vars(value) if name == "cbDefn" else value for name, value in vars(frag).items()}
                for frag in paragraph.frags]

    def inlines_of(blocks):
        for block in blocks:
            if isinstance(block, (Paragraph, Heading)):
                yield block.children
            elif isinstance(block, ListBlock):
                for item in block.items:
                    yield from inlines_of(item)
            elif isinstance(block, Table):
                yield from (cell for row in (block.header, *block.rows) for cell in row)

    odd = [  # what the parser cleans or escapes, and runs it merges or keeps apart
        (Text("a < b & c > d"), Citation(3), Citation(4), Text(" et 45\u00a0% "), Strong((Text("gras"), Text("!"))),
         Strong((Text(""),)), Emphasis((Text("italique"),)), Text("fin")),
        (Text("  deux  espaces "), Citation(1)),
        (Citation(2), Text("x"), Text("y"), Citation(5)),
        (Text("45 % de « plus » "), Strong((Text("gras"),)), Text(" "), Emphasis((Text("x"),)), Text(".")),
    ]
    copied = 0
    paragraphs = [*inlines_of(document.blocks), *odd]
    for inlines in paragraphs:
        assert attributes(builder.paragraph(inlines, body)) == attributes(_Paragraph(markup(inlines), body)), inlines
        copied += _as_parsed(markup(inlines), body) and builder._fragments(inlines, body) is not None
    assert copied > len(paragraphs) / 2  # most of the brief's paragraphs take the copying path

    from reportlab.lib.styles import ParagraphStyle

    shouting = ParagraphStyle("shouting", parent=body, textTransform="uppercase")  # the parser transforms the text
    inlines = (Text("le sommet"), Citation(1))
    assert attributes(builder.paragraph(inlines, shouting)) == attributes(_Paragraph(markup(inlines), shouting))

    for note in document.notes:
        claim, support = note.content.claim, note.content.support
        parsed = _Paragraph(f'<a name="note-{note.number}"/>{_text(claim)} — <font size="8.5">{_text(support)}</font>',
                            note_style, bulletText=f"{note.number}.")
        assert attributes(builder.note(note.number, claim, support, note_style)) == attributes(parsed)


def test_reportlab_patched_answers_as_reportlab_and_is_undone_after():
    """Inside the block, words are measured and numbers formatted through
    shortcuts that must answer as reportlab's own code does; after it, every
    module reportlab has is as it was (a program using reportlab for its own
    PDFs must not meet our changes)."""
    from reportlab import rl_config
    from reportlab.lib import colors, rl_accel
    from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
    from reportlab.pdfgen import canvas, textobject
    from reportlab.platypus import flowables, paragraph, tables

    from briefing.render.pdf.fonts import register_fonts
    from briefing.render.pdf.patches import reportlab_patched
    from briefing.render.pdf.renderer import _Builder

    def state():
        fp = [module.fp_str for module in (textobject, canvas, pdfdoc, flowables, tables, colors)]
        return fp, paragraph.stringWidth, paragraph.sameFrag, ttfonts.makeToUnicodeCMap, rl_config.useA85

    family = register_fonts()
    story = _Builder(_analyst_document()).build()
    words = [word for flowable in story for frag in getattr(flowable, "frags", None) or ()
             for word in getattr(frag, "text", "").split()][:2000]
    assert len(words) > 500
    numbers = [(0.5,), (12.8, 3), (595.2755905511812, 841.8897637795277), (1e-7,), (-3.25, 0, 7)]
    original_fp_str = textobject.fp_str
    before = state()
    with reportlab_patched(family):
        assert state() != before and rl_config.useA85 == 0
        for font in ("BriefSans", "BriefSans-Bold", "Helvetica"):
            for word in words + words:  # measured, then remembered
                assert paragraph.stringWidth(word, font, 9.5) == pdfmetrics.stringWidth(word, font, 9.5)
        for values in numbers + numbers:
            assert textobject.fp_str(*values) == original_fp_str(*values)
        assert textobject.fp_str([1.5, 2]) == original_fp_str([1.5, 2])
        fragments = [frag for flowable in story for frag in getattr(flowable, "frags", None) or ()]
        for flowable in story:  # and the words of broken lines, with their line breaks
            if isinstance(flowable, paragraph.Paragraph):
                lines = flowable.breakLines([400, 400]).lines
                fragments += [word for line in lines for word in getattr(line, "words", ())]
        pairs = list(zip(fragments, fragments[1:]))
        verdicts = [paragraph.sameFrag(f, g) for f, g in pairs]
        python_same = rl_accel._py_funcs.get("sameFrag") or getattr(rl_accel, "_py_sameFrag", None)
        for reportlab_same in {same for same in (python_same, rl_accel.sameFrag) if same is not None}:
            assert verdicts == [bool(reportlab_same(f, g)) for f, g in pairs]  # Python's, and C's where installed
        assert 100 < sum(verdicts) < len(pairs)
    assert state() == before


def test_a_render_leaves_reportlab_and_the_collector_as_it_found_them(tmp_path):
    import gc

    from reportlab import rl_config
    from reportlab.pdfbase import ttfonts
    from reportlab.pdfgen import textobject
    from reportlab.platypus import paragraph

    from briefing.build import build_briefs
    from briefing.render.pdf.fonts import register_fonts

    register_fonts()
    before = (textobject.fp_str, paragraph.stringWidth, ttfonts.makeToUnicodeCMap, rl_config.useA85,
              gc.get_threshold(), gc.isenabled(), gc.get_freeze_count())
    build_briefs(REPO, ("analyst",), ("pdf",), tmp_path / "out", parallel=False)
    after = (textobject.fp_str, paragraph.stringWidth, ttfonts.makeToUnicodeCMap, rl_config.useA85,
             gc.get_threshold(), gc.isenabled(), gc.get_freeze_count())
    assert after == before


def test_the_story_behaves_as_the_list_platypus_takes_it_for():
    """Platypus takes from, and puts back at, the front of the story; the deque
    it gets must answer every such step as a list would."""
    import random

    from briefing.render.pdf.renderer import _Story

    rng = random.Random(7)
    for _ in range(500):
        expected = list(range(rng.randint(0, 12)))
        story = _Story(expected)
        for step in range(8):
            n = len(expected)
            i, j = rng.randint(0, n), rng.randint(0, n)
            operation = rng.choice(["index", "delete", "delete slice", "set slice", "insert", "slice"])
            if operation == "index" and n:
                k = rng.randrange(n)
                assert story[k] == expected[k] and story[-1] == expected[-1]
            elif operation == "delete" and n:
                k = rng.randrange(n)
                del story[k], expected[k]
            elif operation == "delete slice":
                del story[i:j], expected[i:j]
            elif operation == "set slice":
                story[i:j] = expected[i:j] = [100 + step, 200 + step]
            elif operation == "insert":
                story.insert(i, -1)
                expected.insert(i, -1)
            elif operation == "slice":
                assert story[i:j] == expected[i:j] and story[:i] == expected[:i]
            assert list(story) == expected


@pytest.mark.parametrize("url", ["https://x.org/&lt;font/color='red'&gt;BIG&lt;/font&gt;", "https://x.org/a'b&amp;c(d)*e",
                                 "https://x.org/'/&gt;&lt;a/href='javascript:alert(1)'&gt;x&lt;/a&gt;"])
def test_a_source_url_is_one_escaped_link_whatever_it_holds(tmp_path, url):
    """A crafted URL (of the characters a URL may hold: a quote, a bracket or a space is refused
    when the dossier is read) can neither restyle the page nor break the layout: it is drawn as the
    characters it holds, and links to itself."""
    from urllib.parse import unquote

    from briefing.load.model import check_url

    check_url(url)
    sources = [{"id": "one", "file": "texts/one.txt", "outlet": "Outlet one", "url": url, "reliability": "B"}]
    root = make_dossier(tmp_path, sources=sources)
    build_briefs(root, ("analyst",), ("pdf",))
    reader = PdfReader(str(root / "out" / "analyst.pdf"))
    text = pdf_text(root / "out" / "analyst.pdf")
    assert "BIG" not in text or "font" in text.replace(" ", "")  # the characters themselves, not a restyle
    uris = [annot.get_object()["/A"].get("/URI") for page in reader.pages for annot in page.get("/Annots") or []
            if "/A" in annot.get_object()]
    assert [uri for uri in uris if uri and uri.startswith("https://x.org/")], uris
    assert all(not uri or uri.startswith(("https://", "#")) for uri in uris)
    assert all('"' not in uri and "<" not in uri for uri in uris if uri)
    assert any(unquote(uri) == url for uri in uris if uri), uris  # the whole URL


def test_links_of_other_schemes_are_refused_in_a_template(tmp_path):
    from briefing.document import Meta
    from briefing.parse import parse_markdown

    meta = Meta(title="t")
    for markdown in ("[a](javascript:alert(1))", "[a](file:///etc/passwd)", "<smb://server/share>", "[a](data:text/html,x)"):
        with pytest.raises(BriefingError, match="a link goes to http://, https://, mailto: or #anchor"):
            parse_markdown(markdown, meta, {}, "t.md.j2")
    for markdown in ("[a](https://x.org)", "[a](mailto:a@x.org)"):
        parse_markdown(markdown, meta, {}, "t.md.j2")
    with pytest.raises(BriefingError, match="a link goes to '#note-1', but the brief has 0 evidence notes"):
        parse_markdown("[a](#note-1)", meta, {}, "t.md.j2")


@pytest.mark.parametrize("sources, quotes, claim_sentences", [(4, 3, 12), (2, 4, 1), (5, 2, 20), (1, 4, 18)])
def test_a_long_evidence_entry_breaks_between_its_sources_wherever_the_page_ends(tmp_path, sources, quotes,
                                                                                 claim_sentences):
    """An entry taller than a third of a page, at any height on the page: it breaks between its
    sources, its claim kept with the first one, and never fails to lay out."""
    sentences = [f"Phrase numéro {i} du texte, qui décrit longuement une chose et une autre encore." for i in range(100)]
    text = " ".join(sentences) + "\n"
    facts = []
    for number in range(5):  # entries of several heights, so one of them meets a page end
        evidence = [{"source": f"s{k}", "quote": " ".join(sentences[(7 * number + 11 * k + 5 * q) % 90:][:3 + q + number])}
                    for k in range(sources) for q in range(quotes)]
        facts.append({"id": f"f{number}", "section": "summary", "evidence": evidence,
                      "claim": "The text describes things. " * (claim_sentences + number)})
    root = make_dossier(tmp_path / "d", texts={f"s{k}": text for k in range(sources)}, facts=facts)
    out = tmp_path / "out"
    build_briefs(root, ("analyst",), ("pdf",), out)
    pages = PdfReader(out / "analyst.pdf").pages
    text = flat("".join(page.extract_text() for page in pages))
    for k in range(sources):
        assert f"Outlet s{k}:" in text
    assert text.count("The text describes things.") >= sum(claim_sentences + number for number in range(5))


def test_a_long_table_that_breaks_starts_with_its_first_rows_wherever_the_page_ends(tmp_path):
    """A table too long to be moved whole breaks between rows, but never leaves its
    heading and header with fewer than `FIRST_ROWS` rows at a page foot, nor its
    last row alone overleaf, and prints its header once a page."""
    from briefing.render.tables import FIRST_ROWS

    for rows, lines in ((14, 1), (4, 8)):  # a long chronology; a short table of tall rows
        _sweep_a_breaking_table(tmp_path, rows, lines, FIRST_ROWS)


def test_a_table_after_text_never_leaves_its_first_row_alone_at_a_page_foot(tmp_path):
    """The sources table, after the source statement: of five rows, it keeps two at the
    foot of a page, or starts overleaf."""
    _sweep_a_breaking_table(tmp_path, 5, 4, 2, lead="The table below gives the reason for each grade.\n\n", least=2)


def _sweep_a_breaking_table(tmp_path, rows: int, lines: int, first: int, lead: str = "", least: int = 0) -> None:
    from briefing.document import Meta
    from briefing.parse import parse_markdown
    from briefing.render.pdf import render_pdf
    from briefing.render.tables import first_rows

    table = "| Date | Event |\n|---|---|\n" + "".join(
        f"| 20{n:02d} | Event number {n} of the chronology{' and more words to wrap' * 3 * (lines - 1)} |\n" for n in range(rows))
    for words in range(0, 160, 6):  # the text before grows by half a line at a time
        markdown = "".join(f"Paragraph {n} of the text before the table, long enough to fill its line.\n\n"
                           for n in range(62)) + "word " * words + "\n\n## Chronology\n\n" + lead + table
        path = tmp_path / "brief.pdf"
        render_pdf(parse_markdown(markdown, Meta(title="Split test"), {}), path)
        pages = [flat(page.extract_text()) for page in PdfReader(str(path)).pages]
        starting = next(text for text in pages if "Chronology" in text)
        on_it = sum(f"Event number {n} of" in starting for n in range(rows))
        assert on_it == 0 or on_it >= max(least, min(first, first_rows(rows))), (words, on_it)
        # its header once a page, and never a row alone overleaf
        assert all(text.count("Date Event") <= 1 for text in pages), words
        assert sum(f"Event number {n} of" in pages[-1] for n in range(rows)) != 1, words


def test_a_table_of_three_rows_is_never_broken_however_tall(tmp_path):
    """A key table of three rows (the accords) moves whole with its heading, even when
    it is taller than a third of a page, rather than leave one row on a page."""
    from briefing.document import Meta
    from briefing.parse import parse_markdown
    from briefing.render.pdf import render_pdf
    from briefing.render.tables import WHOLE_TABLE

    table = "| Accord | Scope |\n|---|---|\n" + "".join(
        f"| Accord {n} | {'a scope of many words to wrap ' * 30}end {n} |\n" for n in range(1, WHOLE_TABLE + 1))
    for filler in range(30, 60, 3):
        markdown = "".join(f"Paragraph {n} of the text before the table, long enough to fill its line.\n\n"
                           for n in range(filler)) + "## The accords\n\n" + table
        render_pdf(parse_markdown(markdown, Meta(title="Split test"), {}), tmp_path / "brief.pdf")
        pages = [flat(page.extract_text()) for page in PdfReader(str(tmp_path / "brief.pdf")).pages]
        holding = [index for index, text in enumerate(pages) if "Accord " in text and "end " in text]
        assert len(holding) == 1 and "The accords" in pages[holding[0]], (filler, holding)


def test_a_heading_and_its_short_table_move_together_wherever_the_page_ends(tmp_path):
    """However much text comes before, a short table is never split: it stays with
    its heading on one page, or both go on to the next. Before, a table that fitted
    by less than the space above its heading was split, a row left overleaf."""
    from briefing.document import Meta
    from briefing.parse import parse_markdown
    from briefing.render.pdf import render_pdf

    for filler, words in ((filler, words) for filler in range(63, 66) for words in range(0, 30)):
        # the table grows a line of its last cell at a time, finer than the space above a heading
        table = "| Accord | Parties | Scope |\n|---|---|---|\n" + "".join(
            f"| Accord {n} | Russia and Mali | {'framework ' * (6 + (words if n == 3 else 0))}{n} |\n" for n in range(1, 4))
        markdown = "".join(f"Paragraph {n} of the text before the table, long enough to fill its line.\n\n"
                           for n in range(filler)) + "## The three accords\n\n" + table
        path = tmp_path / "brief.pdf"
        render_pdf(parse_markdown(markdown, Meta(title="Split test"), {}), path)
        pages = [flat(page.extract_text()) for page in PdfReader(str(path)).pages]
        holding = [index for index, text in enumerate(pages) if "Russia and Mali" in text]
        assert len(holding) == 1, (filler, words, holding)
        page = pages[holding[0]]
        assert "The three accords" in page and all(f"Accord {n}" in page for n in range(1, 4)), (filler, words)

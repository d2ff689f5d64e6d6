"""Odd text in claims, titles and quotes: markup characters, combining marks,
right-to-left scripts, emoji, control characters, very long words.

Each example is a dossier whose title, claim and quote come from the
strategies below (the quote is also put into the article, so it checks), built
through the real pipeline into PDF and into DOCX. Either a format renders and
what a reader's tools get back from it holds the title, the claim and the
quote, or the PDF fails with the clear error for a character its font lacks.
Never a crash, an XML error from python-docx, or reportlab markup taken from
the text.

What "holds" means (`visible`): both sides are compared after Unicode NFC,
with runs of whitespace as one space (`readback.flat`), and without control
and format characters (categories Cc and Cf: NUL, escape, zero-width space,
direction marks, BOM…), which draw nothing: the PDF leaves them out and Word
cannot hold most of them. Noncharacters U+FFFE and U+FFFF go too. The PDF is
compared without any whitespace: a word longer than a line is broken across
lines there, and a line break reads back as a space.

Right-to-left text (Hebrew, Arabic) is drawn in the PDF in visual order, and
Arabic with its joined letter forms, which a reader's tools give back as
presentation forms, and its brackets mirrored: for it, the PDF check is that
every character is there after Unicode NFKC (which maps a presentation form to
its letter), a bracket counting for either of its pair, since how a tool
orders a line that mixes directions is its own guess; the order is held by
the tests below and by tests/test_right_to_left.py.

The title becomes document properties, page headers and a mail's subject, so a
control character, a line break or a direction control in it is refused when
the dossier is read, with the clear error
naming sources/dossier.yaml; that is the third accepted outcome.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from briefing.build import build_briefs
from briefing.compose import escape_markdown
from briefing.document import fold_spaces
from briefing.errors import BriefingError
from briefing.parse import make_parser
from conftest import ARTICLE, CONFIG, default_facts, make_dossier
from readback import docx_footnotes, docx_paragraphs, flat, pdf_text

TEMPLATE = """{#---
name: odd
audience: Testers
description: Every claim, cited, with the evidence list.
---#}
# {{ brief.title | md }}

{% for f in facts %}
{{ f.claim | md }}{{ cite(f) }}

{% endfor %}
"""

MARKUP = ["<", ">", "&", "*", "_", "`", "[", "]", "{{", "}}", "{%", "%}", "#", "\\", "|", "~", "!", '"', "'",
          "<b>", "</b>", "<i>x</i>", "<font color='red'>", "<br/>", "<a href='#note-1'>", "&amp;", "&lt;", "&#0;",
          "[^meeting]", "[x](http://example.org)", "1. ", "- ", "> ", "# ", "---", "```", "]]>", "<![CDATA[", "{# #}"]
COMBINING = ["\u0301", "\u0308", "\u0327", "e\u0301", "a\u030a", "\u0338", "n\u0303"]
RIGHT_TO_LEFT = ["שלום", "سلام عليكم", "עברית 123", "\u202eabc", "\u200f", "\u200e"]
EMOJI = ["😀", "👍🏽", "🇫🇷", "\u2764\ufe0f", "👨\u200d👩\u200d👧"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\u2028", "\u200b",
           "\ufeff", "\ufffe", "\t", "\r\n", "\n"]

pieces = st.one_of(
    st.sampled_from(MARKUP + COMBINING + RIGHT_TO_LEFT + EMOJI + CONTROL),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=4),
    st.text("abcdéΩж ", min_size=1, max_size=12),
    st.integers(60, 400).map(lambda n: "Donaudampfschifffahrt"[: n % 21 + 1] * (n // 20)),  # a very long word
)
odd_text = st.lists(pieces, min_size=1, max_size=8).map("".join).filter(lambda text: text.strip())


def visible(text: str) -> str:
    """Text as a reader sees it; see the module's docstring."""
    kept = "".join(c for c in flat(text) if unicodedata.category(c) not in ("Cc", "Cf") and c not in "\ufffe\uffff")
    return " ".join(kept.split())


def is_right_to_left(text: str) -> bool:
    """Whether `text` holds a letter, digit or mark of a right-to-left script."""
    return re.search("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]", text) is not None


def drawn_right_to_left(text: str) -> str:
    """`text` as it reads back from right-to-left lines: presentation forms as
    their letters (NFKC), and a bracket as either of its pair, since a bracket
    in right-to-left text is drawn (and reads back) as its mirror image."""
    return unicodedata.normalize("NFKC", text).translate(str.maketrans(")>]}»›", "(<[{«‹"))


def odd_dossier(root: Path, title: str, claim: str, quote: str) -> Path:
    """The odd quote stands between plain words, in the quote and in the article,
    so that the quote has words enough and starts and ends on word boundaries."""
    quote = f"Le texte cite : {quote} , fin de la citation"
    facts = default_facts()
    facts[0]["claim"] = claim
    facts[0]["evidence"].append({"source": "two", "quote": "Un second article le dit aussi"})  # two sources: no "(… alone)"
    facts[0]["evidence"][0]["quote"] = quote
    return make_dossier(root, config=CONFIG | {"title": title}, facts=facts,
                        texts={"one": ARTICLE + "\n" + quote + "\n", "two": "Un second article le dit aussi.\n"},
                        templates={"odd.md.j2": TEMPLATE})


def read_pdf(path: Path) -> str:
    return visible(pdf_text(path))


def read_docx(path: Path) -> str:
    return visible(" ".join(docx_paragraphs(path) + list(docx_footnotes(path).values())))


def render(root: Path, fmt: str, texts: dict[str, str]) -> str | None:
    """Build one format: the text read back, or None after a clear error."""
    try:
        (output,) = build_briefs(root, ("odd",), (fmt,), root / "out")
    except BriefingError as error:
        several = getattr(error, "errors", None)  # a bad title and a bad quote: both, in one run
        if several:
            for one in several:
                assert ("which a document cannot show" in one.detail or ": retype it without them" in one.detail
                        or "characters (this one has" in one.detail or _one_line_refused(one.detail, texts)), one.detail
            return None
        message = error.format_line()
        if re.search(r": 'title': is at most 500 characters \(this one has [\d,]+\)", message):  # a field's length limit
            assert len(texts["title"].strip()) > 500, message
            return None
        if _one_line_refused(message, texts):  # the title becomes page headers, a mail's subject, a file name
            assert message.startswith(f"{root}/sources/dossier.yaml:1: 'title': "), message
            return None
        if "holds U+" in message and ": retype it without them" in message:  # invisible characters
            assert message.startswith(f"{root}/sources/facts/facts.yaml:"), message
            assert any(unicodedata.category(c) == "Cf" for c in texts["claim"] + texts["quote"]), message
            return None
        if "which a document cannot show" in message:
            field = re.match(rf"{re.escape(str(root))}/sources/(dossier\.yaml:1: 'title'|facts/facts\.yaml:\d+: "
                             r"'(claim|evidence\.0\.quote)'): holds the character U\+", message)
            assert field, message
            text = texts["title" if "title" in field[1] else "claim" if "claim" in field[1] else "quote"]
            assert any(unicodedata.category(c) == "Cc" or c in "\ufffe\uffff" for c in text)
            return None
        assert fmt == "pdf", f"the DOCX must render anything: {message}"
        assert "the PDF font has no glyph for U+" in message, message
        code = int(message.split("no glyph for U+")[1].split()[0], 16)
        assert any(chr(code) in text for text in texts.values()), message
        assert error.file and error.file.endswith(("dossier.yaml", "facts.yaml", "one.txt")), message
        assert not [p for p in (root / "out").iterdir() if p.name.startswith(".")], "a temporary file was left"
        return None
    return (read_pdf if fmt == "pdf" else read_docx)(output.path)


def _one_line_refused(message: str, texts: dict[str, str]) -> bool:
    """Whether `message` refuses the title for what a line of page headers and a mail's subject cannot
    hold, and the title holds it: a line break, a direction control (U+202E)."""
    title = texts["title"].strip()
    if "'title': holds a line break (U+" in message:
        return any(c in "\n\r" or unicodedata.category(c) in ("Zl", "Zp") for c in title)
    if "'title': holds U+" in message and "a direction control" in message:
        return any(c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069" for c in title)
    return False


def check_renders(title: str, claim: str, quote: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = odd_dossier(Path(folder), title, claim, quote)
        from briefing.compose.language import smart_quotes

        # straight quotes are set as typographic ones, in the analyst's text and in a quote
        # of a left-to-right language, as the source's is (a quote's words stay its source's)
        texts = {"title": smart_quotes(title), "claim": smart_quotes(claim), "quote": smart_quotes(quote)}
        for fmt in ("docx", "pdf"):
            text = render(root, fmt, texts)
            if text is None:
                continue
            if not any("\ufffd" in value for value in texts.values()):
                assert "\ufffd" not in text, f"{fmt}: a replacement character appeared"
            for name, value in texts.items():
                if fmt == "docx":
                    assert visible(value) in text, f"docx: the {name} {value!r} is not read back"
                elif is_right_to_left(value):  # every character, the order aside: see the module's docstring
                    assert set(drawn_right_to_left(visible(value))) - set(" ") <= set(drawn_right_to_left(text)), \
                        f"pdf: the {name} {value!r} is not read back"
                else:
                    assert "".join(visible(value).split()) in "".join(text.split()), f"pdf: the {name} {value!r} is not read back"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(title=odd_text, claim=odd_text, quote=odd_text)
@example(title="<b>Bold?</b> & {{ title }}", claim="**not bold** _nor_ `code` [^meeting] <br/> &amp; # 1. - |a|b|",
         quote="<font color='red'>rouge</font> & «&lt;»")
@example(title="שלום — سلام", claim="e\u0301te\u0301 \u202eRTL override\u202c and zero\u200bwidth",
         quote="Ça va \u0645\u0631\u062d\u0628\u0627")
@example(title="Control\x00\x07\x1b chars", claim="tab\there, bell\x07, NUL\x00, line\u2028sep, esc\x1b[31m",
         quote="form\x0cfeed and del\x7f")
@example(title="Long", claim="Donaudampfschifffahrtsgesellschaftskapitän" * 12, quote="x" * 300)
@example(title="Emoji 😀", claim="thumbs 👍🏽", quote="flag 🇫🇷")
@example(title="Marks", claim="mañana", quote="å")  # the passage keeps the ring after the a
@example(title="Two\nlines \u202eabc", claim="line\u2028sep", quote="a\nb")  # a title is one line, in its own direction
@example(title="Over\u202eride", claim="plain", quote="plain")  # a direction control in a one-line field: refused
def test_odd_text_renders_or_fails_clearly(title: str, claim: str, quote: str) -> None:
    check_renders(title, claim, quote)


@settings(max_examples=300, deadline=None)
@given(text=odd_text)
def test_escaped_text_parses_back_to_itself_and_nothing_else(text):
    """Whatever a claim holds, the `md` filter makes it one paragraph of plain text."""
    tokens = make_parser().parse(escape_markdown(text) + "\n")
    assert [token.type for token in tokens] in ([], ["paragraph_open", "inline", "paragraph_close"])
    children = [child for token in tokens if token.type == "inline" for child in token.children]
    assert {child.type for child in children} <= {"text"}
    assert "".join(child.content for child in children) == fold_spaces(text.replace("\x00", ""))  # no-break spaces kept


@pytest.mark.parametrize("claim", ["<b>bold</b>", "&lt;b&gt;", "<font size='40'>big</font>", "<para>x</para>",
                                   '<a href="javascript:alert(1)">x</a>', "<super>1</super>", "&#38;"])
def test_reportlab_markup_in_a_claim_stays_literal_text(claim):
    check_renders("Markup", claim, "Trois accords ont été signés")


def test_the_docx_renderer_drops_control_characters_from_properties_and_header(tmp_path):
    """The dossier and template loaders refuse such characters, so this is the renderer's own contract."""
    from dataclasses import replace

    from briefing.build import reference_docx
    from briefing.check import check_dossier
    from briefing.compose import compose_brief
    from briefing.load import load_dossier
    from briefing.parse import parse_markdown
    from briefing.render.docx import render_docx
    from briefing.compose.templates import find_template

    root = make_dossier(tmp_path / "dossier")
    composed = compose_brief(check_dossier(load_dossier(root)), find_template("analyst", root))
    meta = replace(composed.meta, title="Bell\x07title", audience="Esc\x1baudience", marking="NUL\x00MARK")
    document = parse_markdown(composed.markdown, meta, composed.notes)
    render_docx(document, tmp_path / "brief.docx", reference_docx(root))
    import docx
    properties = docx.Document(str(tmp_path / "brief.docx")).core_properties
    assert properties.title == "Belltitle" and "Escaudience" in properties.comments


@pytest.mark.parametrize("words", ["שלום עולם", "سلام عليكم"])
def test_right_to_left_text_reads_back_in_order_from_the_pdf(words):
    """Drawn in visual order, the words read back in logical order (Arabic after
    NFKC: the PDF maps its joined glyphs to presentation forms)."""
    with tempfile.TemporaryDirectory() as folder:
        root = odd_dossier(Path(folder), "Right to left", f"He said {words} to everyone.", "Trois accords")
        (output,) = build_briefs(root, ("odd",), ("pdf",), root / "out")
        assert words in unicodedata.normalize("NFKC", read_pdf(output.path))


def test_characters_beyond_the_basic_plane_read_back_from_the_pdf():
    """reportlab wrote U+1F600 as <1F600> in the PDF's text map; render/fonts.py rewrites it as UTF-16."""
    with tempfile.TemporaryDirectory() as folder:
        root = odd_dossier(Path(folder), "Emoji 😀 title", "A smile 😃 in a claim.", "😀")
        (output,) = build_briefs(root, ("odd",), ("pdf",), root / "out")
        text = read_pdf(output.path)
        assert "Emoji 😀 title" in text and "A smile 😃 in a claim." in text

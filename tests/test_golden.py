"""Golden-text tests of every default brief.

The repository's own dossier is built once (every template, DOCX and PDF, with
SOURCE_DATE_EPOCH fixed) and the text of each output is compared, in full, with
a file kept under tests/golden/ (`<template>.<format>.txt`):

- a PDF gives the text pypdf extracts from each page, after a `=== page N ===`
  line;
- a DOCX gives its header, its body paragraphs in document order (a table row
  is one line, its cells joined by ` | `), its footer and its footnotes, each
  part after a `=== part ===` line; a footnote reference reads `[^N]`, a
  picture `[picture: its alt text]`.

Only trailing spaces are removed. A difference fails with a unified diff.

After an intended change of a brief, regenerate the files and review the diff:

    python -m pytest tests/test_golden.py --update-golden
"""

from __future__ import annotations

import difflib
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from briefing.build import build_briefs
from briefing.compose.templates import list_templates

from conftest import REPO
from readback import W

WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
GOLDEN = Path(__file__).resolve().parent / "golden"
EPOCH = "1750636800"  # 2025-06-23 00:00 UTC
FORMATS = ("docx", "pdf")
NAMES = [f"{template.name}.{fmt}" for template in list_templates(REPO) for fmt in FORMATS]
REGENERATE = "python -m pytest tests/test_golden.py --update-golden"
DIFF_LINES = 80


# --- the build ---------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """Output name (`executive.pdf`) → path, for the default build."""
    out = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        outputs = build_briefs(REPO, (), FORMATS, out)
    return {output.path.name: output.path for output in outputs}


# --- text of a PDF -----------------------------------------------------------

def pdf_golden_text(path: Path) -> str:
    parts = []
    for number, page in enumerate(PdfReader(str(path)).pages, start=1):
        parts += [f"=== page {number} ===", page.extract_text() or ""]
    return "\n".join(parts)


# --- text of a DOCX ----------------------------------------------------------

def paragraph_text(paragraph) -> str:
    """A <w:p>'s text in order; a footnote reference (or a NOTEREF to one) reads [^N]."""
    parts = []
    for run in paragraph.iter(f"{W}r"):
        style = run.find(f"{W}rPr/{W}rStyle")
        text = "".join(run_piece(child) for child in run)
        if text and style is not None and style.get(f"{W}val") == "FootnoteReference":
            text = f"[^{text}]"
        parts.append(text)
    return "".join(parts)


def run_piece(element) -> str:
    if element.tag == f"{W}t":
        return element.text or ""
    if element.tag == f"{W}tab":
        return "\t"
    if element.tag in (f"{W}br", f"{W}cr"):
        return "\n"
    if element.tag == f"{W}footnoteReference":
        return element.get(f"{W}id")
    if element.tag == f"{W}drawing":  # a picture reads as what it says to a reader who cannot see it
        return "".join(f"[picture: {doc_pr.get('descr', '')}]" for doc_pr in element.iter(f"{WP}docPr"))
    return ""


def block_lines(container) -> list[str]:
    """The paragraphs and table rows directly in `container` (body, header, footer), in order."""
    lines = []
    for child in container.iterchildren():
        if child.tag == f"{W}p":
            lines.append(paragraph_text(child))
        elif child.tag == f"{W}tbl":
            for row in child.findall(f"{W}tr"):
                cells = row.findall(f"{W}tc")
                lines.append(" | ".join("\n".join(block_lines(cell)) for cell in cells))
    return lines


def footnote_lines(document) -> list[str]:
    """Each footnote as `[id] text`, leaving out Word's separators."""
    part = next((rel.target_part for rel in document.part.rels.values() if rel.reltype.endswith("/footnotes")), None)
    if part is None:
        return []
    root = etree.fromstring(part.blob)
    return [f"[{note.get(f'{W}id')}] " + "\n".join(block_lines(note))
            for note in root.iter(f"{W}footnote") if note.get(f"{W}type") is None]


def docx_golden_text(path: Path) -> str:
    document = docx.Document(str(path))
    header, footer = [], []
    for section in document.sections:
        for part, lines in ((section.header, header), (section.footer, footer)):
            if not part.is_linked_to_previous:
                lines += block_lines(part._element)
    parts = [("header", header), ("body", block_lines(document.element.body)),
             ("footer", footer), ("footnotes", footnote_lines(document))]
    return "\n".join(line for name, lines in parts for line in [f"=== {name} ===", *lines])


# --- comparing ---------------------------------------------------------------

def golden_text(path: Path) -> str:
    """The output's text, trailing spaces removed, ending with one newline."""
    text = pdf_golden_text(path) if path.suffix == ".pdf" else docx_golden_text(path)
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def first_differences(expected: str, actual: str, name: str) -> str:
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                     f"tests/golden/{name}.txt", f"built {name}", lineterm=""))
    shown = "\n".join(diff[:DIFF_LINES])
    more = f"\n… {len(diff) - DIFF_LINES} more diff lines" if len(diff) > DIFF_LINES else ""
    return f"{name} differs from its golden text:\n{shown}{more}\nIf the change is intended: {REGENERATE}"


def golden_file(name: str) -> Path:
    return GOLDEN / f"{name}.txt"


@pytest.mark.parametrize("name", NAMES)
def test_brief_text_matches_golden(name, built, update_golden):
    actual = golden_text(built[name])
    assert actual.strip(), f"{name}: no text extracted"
    path = golden_file(name)
    if update_golden:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no golden text for {name}; run: {REGENERATE}"
    expected = path.read_text(encoding="utf-8")
    assert expected.strip(), f"{path} is empty; run: {REGENERATE}"
    if actual != expected:
        pytest.fail(first_differences(expected, actual, name), pytrace=False)


def test_every_output_has_a_golden_file(built, update_golden):
    """The comparison covers every output built, and no golden file is left over."""
    if update_golden:
        for stale in set(GOLDEN.glob("*.txt")) - {golden_file(name) for name in built}:
            stale.unlink()
    golden = {path.name.removesuffix(".txt") for path in GOLDEN.glob("*.txt")}
    assert len(built) == 6, f"expected three templates × DOCX and PDF, built {sorted(built)}"
    assert set(built) == set(NAMES) == golden, f"built {sorted(built)}, golden {sorted(golden)}; run: {REGENERATE}"
    assert all(golden_file(name).stat().st_size > 0 for name in golden)

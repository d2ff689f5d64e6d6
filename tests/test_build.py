"""End to end: the default dossier becomes every brief, in both formats, read back."""

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefing.build import build_briefs
from briefing.check import check_dossier
from briefing.cli import cli
from briefing.compose import compose_brief
from briefing.load import load_dossier
from briefing.parse import parse_markdown
from briefing.compose.templates import find_template
from conftest import make_dossier
from readback import (docx_footnote_references, docx_footnotes, docx_footnotes_cited_in_cells, docx_paragraphs,
                      evidence_numbers, flat, footnote_gives, pdf_body_text, pdf_text)

TEMPLATES = ("executive", "analyst", "defence")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Build the repository's own dossier once for the module."""
    from conftest import REPO
    out = tmp_path_factory.mktemp("out")
    outputs = build_briefs(REPO, (), ("docx", "pdf"), out)
    checked = check_dossier(load_dossier(REPO))
    documents = {}
    for name in TEMPLATES:
        composed = compose_brief(checked, find_template(name, REPO))
        documents[name] = parse_markdown(composed.markdown, composed.meta, composed.notes)
    return out, outputs, documents


def test_every_template_is_built_in_both_formats(built):
    out, outputs, _ = built
    assert sorted(o.path.name for o in outputs) == sorted(f"{t}.{f}" for t in TEMPLATES for f in ("docx", "pdf"))
    assert all(o.path.stat().st_size > 10_000 for o in outputs)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file left


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_pdf_says_every_cited_claim_and_quote_with_matching_numbers(built, name):
    out, _, documents = built
    document = documents[name]
    assert document.meta.marking in pdf_text(out / f"{name}.pdf")
    text = pdf_body_text(out / f"{name}.pdf")
    assert flat(document.meta.title) in text
    for note in document.notes:
        assert flat(note.content.claim) in text
    if document.meta.evidence == "full":
        for note in document.notes:
            for entry in note.content.entries:
                for passage in entry.passages:
                    assert flat(passage) in text
        evidence = text[text.rindex("Evidence"):]
        assert evidence_numbers(evidence, {n.number: n.content.claim for n in document.notes})


@pytest.mark.parametrize("name", TEMPLATES)
def test_the_docx_says_every_claim_with_one_footnote_per_cited_fact(built, name):
    out, _, documents = built
    document = documents[name]
    path = out / f"{name}.docx"
    footnotes = docx_footnotes(path)
    references = docx_footnote_references(path)
    in_cells = docx_footnotes_cited_in_cells(path)
    body = flat(" ".join(docx_paragraphs(path)))
    for number, footnote_id in enumerate(references, start=1):
        claim = flat(document.notes[number - 1].content.claim)
        assert not flat(footnotes[footnote_id]).startswith(claim)  # a note opens with its source, as every note does
        if footnote_id not in in_cells:  # a cell states the point (a value and its sources), the note is the evidence
            assert claim in body
    assert len(footnotes) == len(document.notes)
    assert len(references) == len(set(references)) == len(document.notes)
    # Word numbers footnotes in the order of their references: footnote k is note k
    for number, footnote_id in enumerate(references, start=1):
        content = document.notes[number - 1].content
        if document.meta.evidence == "full":  # the short form: every source named, a quote at least, whole
            footnote = flat(footnotes[footnote_id])
            assert all(entry.source in footnote for entry in content.entries)
            assert any(footnote_gives(footnotes, footnote_id, passage)
                       for entry in content.entries for passage in entry.passages or (entry.quote,))
        else:
            assert flat(footnotes[footnote_id]) == flat(content.short + ".")


def test_the_analyst_brief_covers_every_section_and_every_fact(built):
    out, _, documents = built
    checked = check_dossier(load_dossier(Path(__file__).resolve().parent.parent))
    text = pdf_text(out / "analyst.pdf")
    for section in checked.dossier.config.sections:
        assert flat(section.title) in text
    for heading in ("Open questions", "Where the sources differ", "Sources", "Evidence"):
        assert heading in text
    assert {n.key for n in documents["analyst"].notes} == {f.id for f in checked.facts}


def test_build_prints_the_paths_it_wrote(tmp_path):
    from conftest import make_dossier
    root = make_dossier(tmp_path / "d")
    result = CliRunner().invoke(cli, ["build", "--dossier", str(root), "-t", "executive", "-f", "pdf", "-f", "md"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(root / "out" / "executive.pdf"), str(root / "out" / "executive.md")]


def test_a_changed_quote_fails_the_build_and_writes_nothing(tmp_path):
    from conftest import make_dossier, default_facts
    root = make_dossier(tmp_path / "d")
    out = root / "out"
    assert CliRunner().invoke(cli, ["build", "-d", str(root), "-t", "executive"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    facts = default_facts()
    facts[0]["evidence"][0]["quote"] = facts[0]["evidence"][0]["quote"].replace("reçu", "recu")
    make_dossier(tmp_path / "d", facts=facts)
    result = CliRunner().invoke(cli, ["build", "-d", str(root), "-t", "executive"])
    assert result.exit_code == 1
    assert re.search(r"facts\.yaml:6: fact 'meeting': quote not found in source 'one': .*closest passage: «Le président a reçu", result.output)
    assert "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_killed_builds_temporary_files_are_removed_by_the_next_build(tmp_path):
    """Only regular files named in the build's own pattern, of any output (another
    template's, a format not built now), whose process is gone; a folder of such a
    name is left alone and is no error."""
    import subprocess
    import sys

    root = make_dossier(tmp_path)
    out = root / "out"
    out.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(gone.stdout)
    stale = [out / f".executive.pdf.{pid}.0123abcd.part", out / f".executive.docx.{pid}.deadbeef.part",
             out / f".other.pdf.{pid}.0123abcd.part", out / f".big.docx.{pid}.0123abcd.part"]
    kept = [out / ".executive.pdf.notes.part", out / "notes.txt",
            out / f".executive.pdf.{os.getppid()}.0123abcd.part"]  # a running process's
    for path in stale + kept:
        path.write_bytes(b"partial")
    folder = out / f".executive.docx.{pid}.0123abcd.part"
    folder.mkdir()
    build_briefs(root, ("executive",), ("docx", "pdf"))
    assert [path for path in stale if path.exists()] == []
    assert all(path.exists() for path in kept) and folder.is_dir()


def test_outputs_follow_the_umask(tmp_path):
    root = make_dossier(tmp_path)
    previous = os.umask(0o077)
    try:
        outputs = build_briefs(root, ("executive",), ("docx", "pdf", "md"))
    finally:
        os.umask(previous)
    assert {output.path.stat().st_mode & 0o777 for output in outputs} == {0o600}


def test_a_template_named_twice_is_built_once(tmp_path):
    root = make_dossier(tmp_path)
    result = CliRunner().invoke(cli, ["build", "-d", str(root), "-t", "executive", "-t", "executive", "-f", "md", "-f", "md"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [str(root / "out" / "executive.md")]

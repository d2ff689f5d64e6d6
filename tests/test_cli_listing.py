"""`briefing add-source`, `briefing facts` and `briefing sources`, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ARTICLE, make_dossier

from briefing.check import check_dossier
from briefing.cli import cli
from briefing.load import load_dossier

COMMENTED = "# my own notes on the sources\n- id: one  # the first\n  file: texts/one.txt\n  reliability: B\n"


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env)


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "Le Monde – 24 juin.txt"
    path.write_text("Un second article.\nIl cite le ministre.\n", encoding="utf-8")
    return path


# --- add-source -----------------------------------------------------------------

def test_add_source_copies_the_text_and_records_the_metadata(dossier: Path, article: Path) -> None:
    result = run("add-source", str(article), "--dossier", str(dossier), "--outlet", "Le Monde",
                 "--date", "2025-06-24", "--language", "fr", "--reliability", "b")
    assert result.exit_code == 0, result.output
    text_path = dossier / "sources" / "texts" / "le-monde-24-juin.txt"
    assert result.output.splitlines() == [
        f"added source 'le-monde-24-juin': {text_path} (2 lines, 40 characters)",
        f"recorded in {dossier}/sources/sources.yaml:11",
        "unknown: title, author, url, reliability_reason (edit the entry when you learn more)",
        f'next: briefing quote le-monde-24-juin "a few words of a passage" --dossier {dossier}',
    ]
    assert text_path.read_text(encoding="utf-8") == article.read_text(encoding="utf-8")
    assert (dossier / "sources" / "sources.yaml").read_text(encoding="utf-8").splitlines()[10] == "- id: le-monde-24-juin"
    meta = load_dossier(dossier).sources[-1].meta
    assert (meta.id, meta.file, meta.outlet, meta.date, meta.language, meta.reliability) == (
        "le-monde-24-juin", "texts/le-monde-24-juin.txt", "Le Monde", "2025-06-24", "fr", "B")
    assert (meta.title, meta.author, meta.url, meta.reliability_reason) == ("unknown",) * 4


def test_add_source_keeps_the_comments_of_sources_yaml(dossier: Path, article: Path) -> None:
    sources_yaml = dossier / "sources" / "sources.yaml"
    sources_yaml.write_text(COMMENTED, encoding="utf-8")
    assert run("add-source", str(article), "-d", str(dossier), "--title", 'Le "second" article: suite').exit_code == 0
    text = sources_yaml.read_text(encoding="utf-8")
    assert text.startswith(COMMENTED + "\n- id: le-monde-24-juin\n")
    assert '  title: "Le \\"second\\" article: suite"\n' in text
    assert [s.meta.title for s in load_dossier(dossier).sources] == ["unknown", 'Le "second" article: suite']


def test_add_source_normalises_line_endings_and_drops_a_bom(dossier: Path, tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbfFirst line.\r\nSecond line.\rThird line.")
    assert run("add-source", str(path), "-d", str(dossier)).exit_code == 0
    copied = (dossier / "sources" / "texts" / "windows.txt").read_bytes()
    assert copied == b"First line.\nSecond line.\nThird line.\n"


def test_the_added_source_can_be_quoted_and_checked(dossier: Path, article: Path) -> None:
    run("add-source", str(article), "-d", str(dossier), "--id", "monde")
    quoted = json.loads(run("quote", "monde", "il cite le ministre", "-d", str(dossier), "--json").output)
    facts = dossier / "sources" / "facts" / "more.yaml"
    facts.write_text(f"- id: minister\n  section: summary\n  claim: It cites the minister.\n  evidence:\n"
                     f"    - source: monde\n      quote: {json.dumps(quoted[0]['quote'])}\n", encoding="utf-8")
    checked = check_dossier(load_dossier(dossier))
    assert checked.facts[-1].evidence[0].passage == "Il cite le ministre"


def test_ids_are_made_unique(dossier: Path, tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("Another text.\n", encoding="utf-8")
    result = run("add-source", str(path), "-d", str(dossier))
    assert result.output.startswith("added source 'one-2': ")
    path.write_text("Yet another text.\n", encoding="utf-8")
    result = run("add-source", str(path), "-d", str(dossier))
    assert result.output.startswith("added source 'one-3': ")


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.7\n...", "this PDF cannot be read (PDFSyntaxError: No /Root object! - Is this really a PDF?); save it again or export the text"),
    (b"PK\x03\x04rest", "this is a zip archive but not a Word (.docx) file; save the article as .docx, PDF, HTML or text"),
    (b"{\\rtf1 x}", "this is an RTF file; save it as .docx or PDF first"),
    (b"text\x00more", "not a text file (byte 4 is 0x00); save the article as text, HTML, PDF or .docx"),
    (bytes(range(128, 256)) * 3, "the encoding of this text cannot be told (it is not UTF-8, and no common encoding reads it as text); save it as UTF-8"),
    (b" \n\r\n", "the file is empty; an article needs its text"),
])
def test_non_text_is_refused_and_nothing_is_written(dossier: Path, tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "article.bin"
    path.write_bytes(content)
    before = (dossier / "sources" / "sources.yaml").read_bytes()
    result = run("add-source", str(path), "-d", str(dossier))
    assert result.exit_code == 1
    assert result.stderr == f"error: {path}: {message}\n"
    assert (dossier / "sources" / "sources.yaml").read_bytes() == before
    assert sorted(p.name for p in (dossier / "sources" / "texts").iterdir()) == ["one.txt"]


@pytest.mark.parametrize("args, message", [
    (["--id", "one"], "error: {sources}: a source with id 'one' exists already; choose another --id\n"),
    (["--id", "bad id"], "error: --id: an id uses letters, digits, '-', '_' and '.', and starts with a letter or digit\n"),
    (["--date", "24/06/2025"], "error: --date: write the date as YYYY-MM-DD (or YYYY-MM, YYYY), or 'unknown'\n"),
])
def test_bad_metadata_is_refused(dossier: Path, article: Path, args: list[str], message: str) -> None:
    result = run("add-source", str(article), "-d", str(dossier), *args)
    assert result.exit_code == 1
    assert result.stderr == message.format(sources=dossier / "sources" / "sources.yaml")


def test_a_sources_file_that_cannot_take_an_entry_is_left_alone(dossier: Path, article: Path) -> None:
    sources_yaml = dossier / "sources" / "sources.yaml"
    sources_yaml.write_text("[{id: one, file: texts/one.txt}]\n", encoding="utf-8")
    result = run("add-source", str(article), "-d", str(dossier))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {sources_yaml}: cannot append a new entry: write the file as a list of entries, "
                             "each starting with '- ' at the start of a line\n")
    assert sources_yaml.read_text(encoding="utf-8") == "[{id: one, file: texts/one.txt}]\n"
    assert not (dossier / "sources" / "texts" / "le-monde-24-juin.txt").exists()


def test_add_source_outside_a_dossier(tmp_path: Path, article: Path) -> None:
    result = run("add-source", str(article), "-d", str(tmp_path / "nowhere"))
    assert result.exit_code == 1
    assert result.stderr == (f"error: {tmp_path / 'nowhere'}: no dossier here (sources/dossier.yaml is missing); "
                             "pass --dossier DIR or create one with 'briefing init DIR'\n")


# --- facts ----------------------------------------------------------------------

def test_facts_table(dossier: Path) -> None:
    result = run("facts", "--dossier", str(dossier))
    assert result.exit_code == 0, result.output
    assert result.output == (
        "ID       SECTION  SOURCES  KEY            VALUE  CLAIM\n"
        "meeting  summary  one      -              -      The president received his counterpart in Moscow on 23 June 2025.\n"
        "accords  accords  one      accords.count  3      Three accords were signed, one of them on nuclear energy.\n"
        "2 facts\n"
    )


def test_facts_filters_combine(dossier: Path) -> None:
    result = run("facts", "-d", str(dossier), "--section", "summary", "--source", "one")
    assert result.output == (
        "ID       SECTION  SOURCES  CLAIM\n"
        "meeting  summary  one      The president received his counterpart in Moscow on 23 June 2025.\n"
        "1 of 2 facts\n"
    )
    assert run("facts", "-d", str(dossier), "--key", "accords.count").output.splitlines()[1].startswith("accords ")
    assert run("facts", "-d", str(dossier), "-s", "accords", "-k", "accords.count", "--source", "one").output.endswith("1 of 2 facts\n")


def test_facts_long_claims_are_shortened_in_the_table_but_not_in_json(tmp_path: Path) -> None:
    claim = "The president received his counterpart in Moscow on 23 June 2025, " * 3
    root = make_dossier(tmp_path / "d", facts=[{"id": "long", "section": "summary", "claim": claim,
                                                "evidence": [{"source": "one", "quote": "homologue à Moscou le 23 juin 2025"}]}])
    line = run("facts", "-d", str(root)).output.splitlines()[1]
    assert line.endswith("…") and len(line.split("  ")[-1]) == 72
    assert json.loads(run("facts", "-d", str(root), "--json").stdout)[0]["claim"] == claim.strip()


def test_facts_json(dossier: Path) -> None:
    rows = json.loads(run("facts", "--json", env={"BRIEFING_DOSSIER": str(dossier)}).stdout)
    assert rows[1] == {
        "id": "accords", "section": "accords", "kind": "fact", "confidence": None, "headline": True,
        "key": "accords.count", "value": "3", "sources": ["one"],
        "claim": "Three accords were signed, one of them on nuclear energy.",
        "file": str(dossier / "sources" / "facts" / "facts.yaml"), "line": 8,
        "credibility": 2, "credibility_label": "probably true", "independent_sources": 1,
        "credibility_reason": "one source", "confirming_sources": 1, "attributed_to": [],
        "evidence": [{"source": "one", "quote": "Trois accords ont été signés, dont un sur l'énergie nucléaire.",
                      "passage": "Trois accords ont été signés, dont un sur l’énergie nucléaire.",
                      "start": 113, "end": 175,
                      "spans": [{"start": 113, "end": 175, "passage": "Trois accords ont été signés, dont un sur l’énergie nucléaire."}]}],
    }


def test_facts_json_spans_round_trip_on_the_default_dossier(default_dossier: Path) -> None:
    result = run("facts", "--json", "-d", str(default_dossier))
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    texts = {source.id: source.text for source in load_dossier(default_dossier).sources}
    evidence = [item for row in rows for item in row["evidence"]]
    assert len(rows) == len(load_dossier(default_dossier).facts) and len(evidence) > 100
    spans = [(item["source"], span) for item in evidence for span in item["spans"]]
    assert all(texts[source][span["start"]:span["end"]] == span["passage"] for source, span in spans)
    whole = [item for item in evidence if len(item["spans"]) == 1]
    assert all(texts[item["source"]][item["start"]:item["end"]] == item["passage"] for item in whole)
    elided = [item for item in evidence if len(item["spans"]) > 1]
    assert elided and all(" […] " in item["passage"] for item in elided)
    assert any(item["passage"] != item["quote"] for item in evidence)  # typed otherwise, printed as the source has it
    assert {row["credibility"] for row in rows} <= set(range(1, 7))
    assert any(row["independent_sources"] >= 2 and row["credibility"] == 1 for row in rows)


@pytest.mark.parametrize("args, message", [
    (["--section", "nope"], "{root}/sources/dossier.yaml: no section 'nope'; sections of this dossier: summary, accords"),
    (["--source", "two"], "{root}/sources/sources.yaml: no source 'two'; sources of this dossier: one"),
    (["--key", "nope"], "no fact has the key 'nope'; keys of this dossier: accords.count"),
])
def test_facts_unknown_filter_names_what_exists(dossier: Path, args: list[str], message: str) -> None:
    result = run("facts", "-d", str(dossier), *args)
    assert result.exit_code == 1
    assert result.stderr == f"error: {message.format(root=dossier)}\n"


# --- sources --------------------------------------------------------------------

def test_sources_table(tmp_path: Path) -> None:
    root = make_dossier(tmp_path / "d", texts={"one": ARTICLE, "two": "Une autre source.\n"})
    result = run("sources", "-d", str(root))
    assert result.exit_code == 0, result.output
    assert result.output == (
        "ID   REL  DATE        LANG  OUTLET      AUTHOR   FACTS\n"
        "one  B    2025-06-23  fr    Outlet one  unknown  2\n"
        "two  B    2025-06-23  fr    Outlet two  unknown  0\n"
        "2 sources\n"
    )


def test_sources_coverage(dossier: Path) -> None:
    result = run("sources", "-d", str(dossier), "--coverage")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "ID   REL  DATE        LANG  OUTLET      AUTHOR   FACTS  CITED  SHARE\n"
        "one  B    2025-06-23  fr    Outlet one  unknown  2      2/3    67%\n"
        "1 source\n"
        "\n"
        "not cited in one:\n"
        "  - « Nous obtenons de bons résultats », a-t-il déclaré.\n"
    )
    [row] = json.loads(run("sources", "-d", str(dossier), "--coverage", "--json").output)
    assert (row["sentences_cited"], row["sentences"], row["share"]) == (2, 3, 0.6667)
    assert row["uncited"] == ["« Nous obtenons de bons résultats », a-t-il déclaré."]


def test_sources_json_without_coverage(dossier: Path) -> None:
    [row] = json.loads(run("sources", "-d", str(dossier), "--json").output)
    assert row == {"id": "one", "reliability": "B", "date": "2025-06-23", "language": "fr", "outlet": "Outlet one",
                   "author": "unknown", "title": "unknown", "url": "unknown", "file": "texts/one.txt", "facts": 2}


def test_sources_coverage_refuses_an_unchecked_dossier(dossier: Path) -> None:
    (dossier / "sources" / "texts" / "one.txt").write_text("Autre chose.\n", encoding="utf-8")
    result = run("sources", "-d", str(dossier), "--coverage")
    assert result.exit_code == 1
    assert "quote not found in source 'one'" in result.stderr


# --- completion -----------------------------------------------------------------

def test_shell_completion_offers_source_and_section_ids(dossier: Path) -> None:
    def complete(words: str) -> list[str]:
        env = {"_BRIEFING_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
               "BRIEFING_DOSSIER": str(dossier)}
        result = CliRunner().invoke(cli, [], env=env, prog_name="briefing")
        return [line.split(",", 1)[1] for line in result.output.splitlines()]

    assert complete("briefing quote ") == ["one"]
    assert complete("briefing facts --section a") == ["accords"]
    assert complete("briefing facts --source ") == ["one"]


def test_control_characters_of_a_dossier_never_reach_the_terminal(tmp_path):
    """Escape sequences (erase a line, write the clipboard) in a claim or a key are
    refused with the dossier's line, shown escaped; a line break in a value is
    shown escaped in every listing."""
    from conftest import default_facts

    facts = default_facts()
    facts[0]["claim"] = "The president\x1b[2K\x1b]52;c;cHduZWQ=\x07 received his counterpart."
    facts[1]["key"] = "accords\x1b[1A.count"
    root = make_dossier(tmp_path / "escapes", facts=facts)
    for args in (["facts"], ["check"], ["sources", "--coverage"], ["facts", "--json"]):
        result = run(*args, "--dossier", str(root))
        assert result.exit_code == 1 and "holds the character U+001B" in result.output, (args, result.output)
        assert "\x1b" not in result.output and "\x07" not in result.output, (args, result.output)
    facts = default_facts()
    facts[1]["value"] = "3\nerror: forged"
    root = make_dossier(tmp_path / "breaks", facts=facts)
    for args in (["facts"], ["check"], ["sources", "--coverage"], ["facts", "--json"]):
        result = run(*args, "--dossier", str(root))
        assert not any(line.startswith("error: forged") for line in result.output.splitlines()), args
    table = run("facts", "--dossier", str(root)).output
    assert "3\\nerror: forged" in table


def test_an_error_is_one_line_whatever_the_dossier_holds():
    from briefing.errors import BriefingError, terminal_text

    error = BriefingError("unknown section 'a\nerror: x.yaml:1: ok\x1b[2K\u202e'", file="f.yaml", line=3)
    assert terminal_text(error.format_line(), one_line=True) == \
        "f.yaml:3: unknown section 'a\\nerror: x.yaml:1: ok\\x1b[2K\\u202e'"
    assert terminal_text("two\nlines\tand a tab") == "two\nlines\tand a tab"

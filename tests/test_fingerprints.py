"""Fingerprints: a text that changed since it was added is an error; the
accept command records a change made on purpose, touching only its line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ARTICLE, error_lines, make_dossier

from briefing.check import check_dossier
from briefing.check.fingerprints import fingerprint
from briefing.cli import cli
from briefing.errors import BriefingError
from briefing.load import load_dossier


def check(root: Path, strict: bool = False):
    return check_dossier(load_dossier(root), strict=strict)


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_the_fingerprint_ignores_a_bom_and_line_endings():
    text = "Première ligne.\nSeconde ligne.\n"
    assert fingerprint(text) == fingerprint("\ufeff" + text.replace("\n", "\r\n")) == fingerprint(text.replace("\n", "\r"))
    assert fingerprint(text) != fingerprint(text.replace("Seconde", "Deuxième"))
    assert len(fingerprint(text)) == 64 and fingerprint(text) == fingerprint(text).lower()


def test_a_text_changed_since_it_was_added_is_an_error_naming_the_file_and_the_accept_command(tmp_path):
    root = make_dossier(tmp_path / "d")
    article = root / "sources" / "texts" / "one.txt"
    article.write_text(ARTICLE.replace("de bons résultats", "d’excellents résultats"), encoding="utf-8")
    (message,) = error_lines(check, root)
    assert message.startswith(f"{article}: the text changed since it was added (sha256 ")
    assert message.endswith(f"; if the change is intended, run: briefing sources --accept one --dossier {root}")


def test_resaving_a_text_with_a_bom_and_crlf_is_no_change(tmp_path):
    root = make_dossier(tmp_path / "d")
    article = root / "sources" / "texts" / "one.txt"
    article.write_bytes(b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode("utf-8"))
    assert check(root, strict=True).warnings == ()


def test_a_source_without_a_fingerprint_is_a_warning_and_strict_refuses(tmp_path):
    sources = [{"id": "one", "file": "texts/one.txt", "reliability": "B"}]
    root = make_dossier(tmp_path / "d", sources=sources)
    (warning,) = check(root).warnings
    assert warning.format_line() == (
        f"{root}/sources/sources.yaml:1: warning: source 'one' has no fingerprint (sha256), so a change to its text "
        f"would go unnoticed; run: briefing sources --accept one --dossier {root}")
    with pytest.raises(BriefingError):
        check(root, strict=True)


def test_several_sources_without_fingerprints_are_one_warning(tmp_path):
    texts = {name: f"Texte {name}, sans rapport avec les autres.\n" for name in ("a", "b", "c")}
    sources = [{"id": name, "file": f"texts/{name}.txt"} for name in texts]
    root = make_dossier(tmp_path / "d", texts=texts, sources=sources, facts=[
        {"id": "f", "section": "summary", "claim": "c", "evidence": [{"source": "a", "quote": "Texte a, sans rapport"}]}])
    (warning,) = check(root).warnings
    assert "3 sources have no fingerprint (sha256)" in warning.message
    assert warning.message.endswith(f"run: briefing sources --accept --all --dossier {root}")


COMMENTED = ("# my notes\r\n- id: one  # the first\r\n  file: texts/one.txt\r\n  reliability: B\r\n  sha256: '"
             + "0" * 64 + "'   # stale\r\n\r\n# the second\r\n- id: two\r\n  file: texts/two.txt\r\n  reliability: C")


def test_accept_rewrites_only_the_fingerprint_lines(tmp_path):
    root = make_dossier(tmp_path / "d", texts={"one": ARTICLE, "two": "Un autre texte.\n"})
    sources_yaml = root / "sources" / "sources.yaml"
    sources_yaml.write_bytes(COMMENTED.encode("utf-8"))
    result = run("sources", "--accept", "one", "-d", str(root))
    assert result.exit_code == 0, result.output
    one = fingerprint(ARTICLE)
    assert sources_yaml.read_bytes().decode("utf-8") == COMMENTED.replace("0" * 64, one)
    assert result.output.splitlines() == [f"one: sha256 {one[:12]}… accepted the new text ({sources_yaml}:2)",
                                          f"1 fingerprint written to {sources_yaml}"]
    result = run("sources", "--accept", "--all", "-d", str(root))
    assert result.exit_code == 0, result.output
    two = fingerprint("Un autre texte.\n")
    assert sources_yaml.read_bytes().decode("utf-8") == COMMENTED.replace("0" * 64, one) + f"\r\n  sha256: {two}\r\n"
    assert result.output.splitlines()[:2] == [f"one: sha256 {one[:12]}… unchanged ({sources_yaml}:2)",
                                              f"two: sha256 {two[:12]}… recorded ({sources_yaml}:8)"]
    assert check(root, strict=True).warnings == ()


def test_accept_all_fingerprints_an_old_dossier_so_it_checks_clean(tmp_path):
    root = make_dossier(tmp_path / "d", sources=[{"id": "one", "file": "texts/one.txt", "reliability": "B"}])
    assert run("sources", "--accept", "--all", "-d", str(root)).exit_code == 0
    assert load_dossier(root).sources[0].meta.sha256 == fingerprint(ARTICLE)
    assert check(root, strict=True).warnings == ()


@pytest.mark.parametrize("args, message", [
    (["--accept", "nope"], "error: {sources}: no source 'nope'; sources of this dossier: one\n"),
    (["one"], "Error: source ids and --all go with --accept"),
    (["--accept"], "Error: --accept takes the ids of the sources, or --all, not both"),
])
def test_accept_refuses_what_it_cannot_do_and_writes_nothing(tmp_path, args, message):
    root = make_dossier(tmp_path / "d")
    sources_yaml = root / "sources" / "sources.yaml"
    before = sources_yaml.read_bytes()
    result = run("sources", *args, "-d", str(root))
    assert result.exit_code in (1, 2)
    assert message.format(sources=sources_yaml) in result.stderr
    assert sources_yaml.read_bytes() == before


def test_accept_refuses_an_entry_written_on_one_line(tmp_path):
    root = make_dossier(tmp_path / "d")
    sources_yaml = root / "sources" / "sources.yaml"
    sources_yaml.write_text("- {id: one, file: texts/one.txt}\n", encoding="utf-8")
    result = run("sources", "--accept", "one", "-d", str(root))
    assert result.exit_code == 1
    assert "cannot record the fingerprint in this entry's layout" in result.stderr
    assert sources_yaml.read_text(encoding="utf-8") == "- {id: one, file: texts/one.txt}\n"


def test_the_default_dossier_is_fingerprinted_and_checks_without_warnings(default_dossier):
    checked = check(default_dossier, strict=True)
    assert checked.warnings == ()
    assert all(source.meta.sha256 == fingerprint(source.text) for source in checked.dossier.sources)

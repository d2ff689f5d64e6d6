"""The benchmark dossier generator makes dossiers briefing accepts (not timed)."""

from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

from briefing.cli import cli
from briefing.compose.context import source_view
from briefing.compose.language import language
from briefing.load import load_dossier
from conftest import make_dossier as make_small_dossier

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from make_dossier import make_dossier  # noqa: E402


def test_generated_dossier_checks_and_composes(tmp_path: Path):
    dossier = make_dossier(tmp_path / "bench", facts=30, sources=5, seed=3)
    runner = CliRunner()
    checked = runner.invoke(cli, ["check", "--dossier", str(dossier)])
    assert checked.exit_code == 0, checked.output
    assert "ok: 5 sources, 30 facts" in checked.output
    assert "discrepancy:" in checked.output

    built = runner.invoke(cli, ["build", "--dossier", str(dossier), "-t", "analyst", "-f", "md", "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    markdown = (tmp_path / "out" / "analyst.md").read_text(encoding="utf-8")
    assert "[^f-00001]" in markdown and "Where the sources differ" in markdown


def test_generated_dossier_is_deterministic_and_realistic(tmp_path: Path):
    first = make_dossier(tmp_path / "a", facts=30, sources=5, seed=7)
    second = make_dossier(tmp_path / "b", facts=30, sources=5, seed=7)
    files = sorted(path.relative_to(first) for path in first.rglob("*") if path.is_file())
    assert files == sorted(path.relative_to(second) for path in second.rglob("*") if path.is_file())
    assert all((first / name).read_bytes() == (second / name).read_bytes() for name in files)
    text = "".join((first / "sources" / "texts").joinpath(f"src-000{i}.txt").read_text(encoding="utf-8") for i in range(1, 6))
    assert all(char in text for char in "éèçœ«»’—")
    assert 3000 <= len((first / "sources" / "texts" / "src-0001.txt").read_text(encoding="utf-8")) <= 7000
    facts = "".join(path.read_text(encoding="utf-8") for path in (first / "sources" / "facts").glob("*.yaml"))
    assert "kind: judgment" in facts and "confidence:" in facts and "key:" in facts


def test_hyphenated_author_and_url_compose(tmp_path: Path):
    """Found by the benchmark dossiers: only the date field is read as a date."""
    dossier = make_small_dossier(tmp_path / "d", sources=[{
        "id": "one", "file": "texts/one.txt", "outlet": "L’Essor", "author": "Iounous-Bek Ievkourov",
        "title": "Bamako–Moscou", "date": "2025-06-23", "language": "fr", "url": "https://news.example.org/src-0001",
        "reliability": "B", "reliability_reason": "test source"}])
    built = CliRunner().invoke(cli, ["build", "--dossier", str(dossier), "-f", "md", "--out", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    details = source_view(load_dossier(dossier).sources[0], language("en")).details
    assert "Iounous-Bek Ievkourov" in details and "23\u00a0June\u00a02025" in details and "src-0001" in details


def test_peak_memory_counts_a_forked_child_alongside_its_parent(tmp_path: Path):
    """A build's PDF worker runs beside it: the benchmark must add the two up."""
    from run import run_once

    program = ("import os, time\n"
               "child = os.fork()\n"
               "block = b'x' * (100 * 2**20)\n"  # each holds 100 MB of its own, for half a second
               "time.sleep(0.5)\n"
               "os._exit(0) if child == 0 else os.wait()\n")
    _, peak_kb = run_once([sys.executable, "-c", program], tmp_path)
    assert peak_kb > 190 * 1024, peak_kb  # the larger process alone holds about 105 MB

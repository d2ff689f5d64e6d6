"""`briefing watch`: what a change rebuilds, what it reads again, and a clean end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from briefing.load import load_dossier
from briefing.preview import Session
from watching import WatchProcess

SUMMARY = Path("sources") / "facts" / "visit.yaml"  # the meeting fact


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_fact_file_edit_reads_that_file_alone_and_gives_the_dossier_a_full_load_gives(default_dossier):
    published = []
    session = Session(default_dossier, (), (), publish=lambda pages, errors: published.append((set(pages), errors)),
                      parallel=False)
    first = session.rebuild(None)
    assert first is not None and not first.errors and first.reloaded == "the whole dossier"
    assert [output.path.name for output in first.outputs] == ["analyst.html", "defence.html", "executive.html"]
    edit(default_dossier / SUMMARY, "at the Kremlin on 23 June.", "at the Kremlin on 23 June, as edited.")
    again = session.rebuild({default_dossier / SUMMARY})
    assert again is not None and not again.errors
    assert again.reloaded == "sources/facts/visit.yaml"
    assert "as edited." in (default_dossier / "out" / "analyst.html").read_text(encoding="utf-8")
    assert session.dossier is not None and session.dossier.facts == load_dossier(default_dossier).facts
    assert published[-1] == ({"analyst", "defence", "executive"}, ())


def test_a_template_edit_recomposes_that_template_only_and_reads_nothing(default_dossier):
    session = Session(default_dossier, (), (), parallel=False)
    session.rebuild(None)
    template = default_dossier / "templates" / "executive.md.j2"
    template.write_text(template.read_text(encoding="utf-8") + "\n{# a comment #}\n", encoding="utf-8")
    rebuilt = session.rebuild({template})
    assert rebuilt is not None and not rebuilt.errors
    assert rebuilt.reloaded == "nothing (templates only)"
    assert [output.path.name for output in rebuilt.outputs] == ["executive.html"]
    shared = session.rebuild({default_dossier / "templates" / "_base.md.j2"})
    assert shared is not None and len(shared.outputs) == 3


def test_a_broken_quote_is_reported_and_the_last_good_outputs_stay(default_dossier):
    published = []
    session = Session(default_dossier, ("analyst",), (), publish=lambda pages, errors: published.append(errors),
                      parallel=False)
    session.rebuild(None)
    good = (default_dossier / "out" / "analyst.html").read_bytes()
    edit(default_dossier / SUMMARY, 'quote: "', 'quote: "Nulle part ')
    broken = session.rebuild({default_dossier / SUMMARY})
    assert broken is not None and broken.errors and not broken.outputs
    assert all(line.startswith(f"{default_dossier / SUMMARY}:") for line in broken.errors), broken.errors
    assert published[-1] == broken.errors
    assert (default_dossier / "out" / "analyst.html").read_bytes() == good
    edit(default_dossier / SUMMARY, 'quote: "Nulle part ', 'quote: "')
    fixed = session.rebuild({default_dossier / SUMMARY})
    assert fixed is not None and not fixed.errors and published[-1] == ()
    assert (default_dossier / "out" / "analyst.html").read_bytes() == good


def test_a_file_an_editor_wrote_and_removed_is_no_change(default_dossier):
    session = Session(default_dossier, ("analyst",), (), parallel=False)
    session.rebuild(None)
    assert session.rebuild({default_dossier / "sources" / "facts" / "sed8Xk2Q"}) is None


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def test_ctrl_c_ends_the_watch_with_no_temporary_file_nor_worker_left(default_dossier):
    process = WatchProcess(default_dossier, "-t", "analyst", "-f", "pdf")
    try:
        process.wait_for("built analyst.html, analyst.pdf")
        assert process.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(process.url) as answer:  # / leads to the brief, with the reload script
            page = answer.read().decode("utf-8")
        assert "<h1>Mali–Russia: General Goïta’s visit to Moscow</h1>" in page and "/_events" in page
        assert "<script" not in (default_dossier / "out" / "analyst.html").read_text(encoding="utf-8")
        workers = children(process.process.pid)
        assert workers  # the PDF worker, kept between builds
        edit(default_dossier / SUMMARY, "at the Kremlin on 23 June.", "at the Kremlin on 23 June, as edited.")
        line = process.wait_for("built analyst.html, analyst.pdf")
        assert "read again: sources/facts/visit.yaml" in line
        assert process.interrupt() == 0
        process.wait_for("stopped")
    finally:
        process.kill()
    assert not [path for path in (default_dossier / "out").iterdir() if path.name.startswith(".")]
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(Path(f"/proc/{pid}").exists() and "Z" not in _state(pid) for pid in workers)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


def test_a_port_in_use_is_one_error_line(default_dossier):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "briefing", "watch", "-d", str(default_dossier), "--port", str(port)],
                              capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert done.returncode == 1
    assert f"error: cannot serve the preview on 127.0.0.1:{port}: Address already in use; choose another with --port" \
        in done.stderr


def test_the_preview_answers_only_to_its_own_host_name(default_dossier):
    process = WatchProcess(default_dossier, "-t", "executive")
    try:
        process.wait_for("built executive.html")
        request = urllib.request.Request(process.url + "executive.html", headers={"Host": "attacker.example"})
        try:
            urllib.request.urlopen(request)
            raise AssertionError("a foreign Host was served")
        except urllib.error.HTTPError as error:
            assert error.code == 403
        with urllib.request.urlopen(process.url + "nothing/../../etc/passwd") as answer:
            raise AssertionError(answer.status)
    except urllib.error.HTTPError as error:
        assert error.code == 404
    finally:
        process.kill()


def test_a_source_text_turned_into_a_link_is_a_change_of_the_sources(default_dossier, tmp_path):
    """A change is classed by where it is, not by where a link leads: a text of sources/ replaced by a
    link to a file outside the dossier reloads the dossier, which refuses it (before: "read again:
    nothing (templates only)", and no error until the next edit)."""
    session = Session(default_dossier, ("executive",), (), parallel=False)
    session.rebuild(None)
    outside = tmp_path / "outside.txt"
    outside.write_text("TOP-SECRET the key to the vault\n", encoding="utf-8")
    text = default_dossier / "sources" / "texts" / "apa.txt"
    text.unlink()
    text.symlink_to(outside)
    rebuilt = session.rebuild({text})
    assert rebuilt is not None and rebuilt.errors, rebuilt
    assert any("lies outside the dossier" in line for line in rebuilt.errors), rebuilt.errors


def test_watch_reports_a_source_text_turned_into_a_link_at_once(default_dossier, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("TOP-SECRET the key to the vault\n", encoding="utf-8")
    process = WatchProcess(default_dossier, "-t", "executive")
    try:
        process.wait_for("built executive.html")
        text = default_dossier / "sources" / "texts" / "apa.txt"
        kept = text.read_bytes()
        for attempt in range(5):  # the watcher starts after the first build is reported: a change made at once may precede it
            subprocess.run(["ln", "-sf", str(outside), str(text)], check=True)
            try:
                line = process.wait_for("lies outside the dossier", timeout=6)
                break
            except AssertionError:
                if attempt == 4:
                    raise
                text.unlink()
                text.write_bytes(kept)
                time.sleep(0.5)
        assert "sources/sources.yaml" in line
        process.wait_for("not rebuilt")
    finally:
        process.kill()

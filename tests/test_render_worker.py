"""The worker: a process that renders the PDFs while the build composes.

Its outputs must be the serial build's, byte for byte; its errors must read as
the serial build's; and however a build ends, no worker process and no
temporary file may outlive it.
"""

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

import briefing.render.pdf
from briefing import build
from briefing.build import build_briefs
from briefing.errors import BriefingError
from briefing.render import worker
from conftest import EPOCH, make_dossier

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/task").is_dir(),
                                reason="these tests watch the worker through fork() and /proc (Linux)")


@pytest.fixture(autouse=True)
def always_a_worker(monkeypatch):
    """Use the worker even on a one-core machine, where the build would not,
    and fork it, so that what a test replaces here is replaced there too."""
    monkeypatch.setattr(worker.RenderWorker, "worthwhile", staticmethod(lambda: True))
    monkeypatch.setattr(worker, "_fork_is_safe", lambda: True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def child_processes() -> list[str]:
    """Processes this one started and has not reaped (zombies included), but
    multiprocessing's resource tracker, which a spawned worker starts once and
    which ends with this process."""
    children = []
    for task in Path("/proc/self/task").iterdir():
        children += (task / "children").read_text().split()
    return [pid for pid in children if b"resource_tracker" not in _command_line(pid)]


def _command_line(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_worker_writes_what_the_serial_build_writes(default_dossier, tmp_path):
    parallel = build_briefs(default_dossier, (), ("docx", "pdf", "md"), tmp_path / "parallel", parallel=True)
    serial = build_briefs(default_dossier, (), ("docx", "pdf", "md"), tmp_path / "serial", parallel=False)
    assert [o.path.name for o in parallel] == [o.path.name for o in serial]
    assert len(parallel) == 9
    for one, other in zip(parallel, serial):
        assert one.path.read_bytes() == other.path.read_bytes(), one.path.name
    assert child_processes() == []


def test_an_error_met_by_the_worker_names_the_dossier_line(tmp_path):
    facts = [{"id": "odd", "section": "summary", "headline": True, "claim": "The parties met at the 会 hall.",
              "evidence": [{"source": "one", "quote": "Le président a reçu son homologue à Moscou le 23 juin 2025."}]}]
    root = make_dossier(tmp_path / "d", facts=facts)
    out = tmp_path / "out"
    out.mkdir()
    (out / "executive.pdf").write_bytes(b"earlier")
    with pytest.raises(BriefingError) as caught:
        build_briefs(root, ("executive",), ("docx", "pdf"), out)
    assert caught.value.format_line().startswith(f"{root}/sources/facts/facts.yaml:4: the PDF font has no glyph for U+4F1A")
    assert (out / "executive.pdf").read_bytes() == b"earlier"
    assert sorted(p.name for p in out.iterdir()) == ["executive.pdf"]  # the DOCX rendered here is not moved in
    assert child_processes() == []


def test_an_error_in_a_later_job_names_that_job_template(tmp_path):
    template = """\
        {#---
        name: odd
        audience: Test
        description: A template with a character the PDF font lacks.
        ---#}
        {% extends "_base.md.j2" %}
        {% block body %}
        The 会 hall.
        {% endblock %}
        """
    root = make_dossier(tmp_path / "d", templates={"odd.md.j2": template})
    with pytest.raises(BriefingError) as caught:
        build_briefs(root, ("executive", "analyst", "odd"), ("pdf",), tmp_path / "out")
    assert caught.value.format_line().startswith(f"{root}/templates/odd.md.j2:8: the PDF font has no glyph for U+4F1A")
    assert child_processes() == []


def test_a_worker_that_dies_is_one_line_and_leaves_nothing(dossier, tmp_path, monkeypatch):
    parent = os.getpid()
    render = briefing.render.pdf.render

    def die_in_the_worker(brief, path):
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        render(brief, path)

    monkeypatch.setattr(briefing.render.pdf, "render", die_in_the_worker)
    out = tmp_path / "out"
    with pytest.raises(worker.WorkerDied, match=r"^the worker process that renders the PDF ended unexpectedly"):
        build_briefs(dossier, ("executive",), ("docx", "pdf"), out)
    assert not out.exists() or list(out.iterdir()) == []
    assert child_processes() == []


def test_a_bug_in_the_worker_comes_back_as_its_own_exception(dossier, tmp_path, monkeypatch):
    """The CLI shows it as one 'internal error' line, its traceback under --debug."""
    def broken(brief, path):
        raise ZeroDivisionError("a bug in the renderer")

    monkeypatch.setattr(briefing.render.pdf, "render", broken)
    with pytest.raises(ZeroDivisionError, match="a bug in the renderer"):
        build_briefs(dossier, ("executive",), ("pdf",), tmp_path / "out")
    assert child_processes() == []


def test_an_interrupt_stops_the_worker_before_temporary_files_go(dossier, tmp_path, monkeypatch):
    compose_and_parse = build.compose_and_parse
    composed = []

    def interrupted_at_the_second_template(checked, template, report=None, language=None):
        if composed:  # the first template's PDF went to the worker
            raise KeyboardInterrupt
        composed.append(template)
        return compose_and_parse(checked, template)

    monkeypatch.setattr(build, "compose_and_parse", interrupted_at_the_second_template)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build_briefs(dossier, ("analyst", "executive"), ("docx", "pdf"), out)
    assert composed and child_processes() == []
    assert leftovers(out) == []


def test_the_worker_renders_the_pdf_and_this_process_the_rest(dossier, tmp_path, monkeypatch):
    import briefing.render.docx
    import briefing.render.markdown

    pids = tmp_path / "pids"
    pids.mkdir()

    def noting_the_process(name, render):
        def render_and_note(brief, path):
            (pids / f"{name}-{os.getpid()}").touch()  # a file: the worker's memory is its own
            render(brief, path)
        return render_and_note

    for module in (briefing.render.pdf, briefing.render.docx, briefing.render.markdown):
        name = module.__name__.rsplit(".", 1)[-1]
        monkeypatch.setattr(module, "render", noting_the_process(name, module.render))
    build_briefs(dossier, ("executive",), ("docx", "pdf", "md"), tmp_path / "out")
    noted = {name.split("-")[0]: int(name.split("-")[1]) for name in os.listdir(pids)}
    assert noted["docx"] == noted["markdown"] == os.getpid()
    assert noted["pdf"] != os.getpid()  # the PDF was rendered in the worker
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["executive.docx", "executive.md", "executive.pdf"]


def test_no_worker_is_forked_while_other_threads_run(monkeypatch):
    monkeypatch.undo()  # the real policy
    assert worker._fork_is_safe() == sys.platform.startswith("linux")
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not worker._fork_is_safe()
    finally:
        release.set()
        thread.join()


def test_a_spawned_worker_writes_what_a_forked_one_writes(dossier, tmp_path, monkeypatch):
    forked = build_briefs(dossier, ("executive",), ("pdf",), tmp_path / "forked")
    monkeypatch.setattr(worker, "_fork_is_safe", lambda: False)
    spawned = build_briefs(dossier, ("executive",), ("pdf",), tmp_path / "spawned")
    assert spawned[0].path.read_bytes() == forked[0].path.read_bytes()
    assert child_processes() == []


def test_the_worker_ends_when_its_parent_is_killed(tmp_path):
    """SIGKILL leaves the build no chance to stop its worker: the worker must notice."""
    import subprocess
    import time

    script = (
        "import sys, time\n"
        "from briefing.render.worker import RenderWorker\n"
        "worker = RenderWorker.start()\n"
        "worker._ready.result()\n"
        "print(*[p.pid for p in worker._pool._processes.values()], flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    (pid,) = map(int, parent.stdout.readline().split())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        if Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
            return  # ended, not yet reaped by its new parent
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the worker kept running after its parent was killed")

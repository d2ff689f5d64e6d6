"""The workers: forked processes that render while the build composes.

Its outputs must be the serial build's, byte for byte; its errors must read as
the serial build's; and however a build ends, no worker process and no
temporary file may outlive it.
"""

import os
import signal
import threading
from pathlib import Path

import pytest

from briefing import build
from briefing.build import build_briefs
from briefing.errors import BriefingError
from briefing.worker import can_fork
from conftest import EPOCH, make_dossier

pytestmark = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/task").is_dir(),
                                reason="the worker needs fork() and /proc (Linux)")


@pytest.fixture(autouse=True)
def always_fork(monkeypatch):
    """Use the worker even on a one-core machine, where the build would not."""
    monkeypatch.setattr(build, "can_fork", lambda: True)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def child_processes() -> list[str]:
    """Processes this one started and has not reaped (zombies included)."""
    children = []
    for task in Path("/proc/self/task").iterdir():
        children += (task / "children").read_text().split()
    return children


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
    assert caught.value.format_line().startswith(f"{root}/sources/facts/facts.yaml:1: the PDF font has no glyph for U+4F1A")
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
    assert caught.value.format_line().startswith(f"{root}/templates/odd.md.j2: the PDF font has no glyph for U+4F1A")
    assert child_processes() == []


def test_a_worker_that_dies_is_reported_and_leaves_nothing(dossier, tmp_path, monkeypatch):
    render = build.render

    def die_on_pdf(job):
        if job.format == "pdf":
            os.kill(os.getpid(), signal.SIGKILL)
        render(job)

    monkeypatch.setattr(build, "render", die_on_pdf)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match=r"the PDF worker ended unexpectedly \(signal 9\)"):
        build_briefs(dossier, ("executive",), ("docx", "pdf"), out)
    assert not out.exists() or list(out.iterdir()) == []
    assert child_processes() == []


def test_an_interrupt_stops_the_workers_before_temporary_files_go(dossier, tmp_path, monkeypatch):
    render_template = build.render_template
    composed = []

    def interrupted_at_the_second_template(*args):
        if composed:  # the first template's jobs went to the workers
            raise KeyboardInterrupt
        composed.append(args[1])
        return render_template(*args)

    monkeypatch.setattr(build, "render_template", interrupted_at_the_second_template)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        build_briefs(dossier, ("analyst", "executive"), ("docx", "pdf"), out)
    assert composed and child_processes() == []
    assert leftovers(out) == []


def test_the_worker_renders_the_pdf_and_this_process_the_rest(dossier, tmp_path, monkeypatch):
    render = build.render
    rendered_by = []

    def note_the_process(job):
        rendered_by.append((job.format, os.getpid()))
        render(job)

    monkeypatch.setattr(build, "render", note_the_process)
    build_briefs(dossier, ("executive",), ("docx", "pdf", "md"), tmp_path / "out")
    assert rendered_by == [("docx", os.getpid())]  # the PDF was rendered in the worker
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["executive.docx", "executive.md", "executive.pdf"]


def test_no_worker_is_forked_while_other_threads_run(monkeypatch):
    monkeypatch.undo()  # the real policy
    release = threading.Event()
    thread = threading.Thread(target=release.wait)
    thread.start()
    try:
        assert not can_fork()
    finally:
        release.set()
        thread.join()


def _pid_unless_killed(parent: int) -> int:
    """Killed in a forked process (as by the kernel when memory runs out); here, our pid."""
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


def test_a_forked_call_whose_process_dies_is_made_here():
    from briefing.worker import ForkedCall

    with ForkedCall(_pid_unless_killed, os.getpid()) as call:
        assert call.result() == os.getpid()
    assert child_processes() == []


def test_a_forked_call_that_cannot_fork_is_made_here(monkeypatch):
    from briefing import worker

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(worker.os, "fork", no_fork)
    descriptors = len(os.listdir("/proc/self/fd"))
    with worker.ForkedCall(os.getpid) as call:
        assert call.result() == os.getpid()
    assert len(os.listdir("/proc/self/fd")) == descriptors  # the pipe was closed


def test_a_forked_call_still_raises_the_user_errors_of_its_process():
    from briefing.worker import ForkedCall

    def refuse():
        raise BriefingError("a quote is wrong", file="facts.yaml", line=3)

    with ForkedCall(refuse) as call, pytest.raises(BriefingError, match="a quote is wrong") as raised:
        call.result()
    assert (raised.value.file, raised.value.line) == ("facts.yaml", 3)

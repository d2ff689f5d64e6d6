"""Every bad input of the corpus (tests/bad_inputs.py), through the real command.

For each case: the documented exit code, one line of message naming the file
(and line), no traceback, and the output folder exactly as before: earlier
outputs byte-identical, no partial or temporary file.

A case runs the command in this process (`briefing.cli.run`, as `main` does,
with stdout and stderr captured at the file descriptors, so that a forked
worker's output is caught too) unless it needs a process of its own: see
`needs_process`. Each in-process run checks that it left this process as it
found it (see `process_state`).
"""

from __future__ import annotations

import gc
import logging
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

from bad_inputs import CASES, Case
from conftest import make_dossier, trickle

EARLIER = ("analyst", "defence", "executive")


@pytest.fixture(scope="module")
def earlier_outputs(tmp_path_factory) -> dict[str, bytes]:
    """One good build of the base dossier: the outputs a user already has in out/."""
    from briefing.build import build_briefs

    root = make_dossier(tmp_path_factory.mktemp("good"))
    outputs = build_briefs(root, EARLIER, ("docx", "pdf", "md"))
    return {output.path.name: output.path.read_bytes() for output in outputs}


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under `folder`: file bytes, or None for a folder."""
    return {str(path.relative_to(folder)): None if path.is_dir() else path.read_bytes()
            for path in sorted(folder.rglob("*"))}


def outside(folder: Path, out: Path) -> dict[str, object]:
    """Every entry under `folder` but not under `out`: what a command must not write."""
    entries: dict[str, object] = {}
    for top, folders, files in os.walk(folder):  # links are not followed
        folders[:] = [name for name in folders if Path(top, name) != out]
        for path in (Path(top, name) for name in folders + files):
            regular = path.is_file() and not path.is_symlink()
            entries[str(path)] = path.read_bytes() if regular else os.readlink(path) if path.is_symlink() else None
    return entries


def mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True)


def prepare_out(case: Case, root: Path, tmp_path: Path, earlier: dict[str, bytes], cleanups: list) -> Path:
    """The output folder the failing command meets, holding earlier outputs."""
    if case.out == "readonly":
        out = tmp_path / "readonly"
        if mount_tmpfs(out, "4m"):
            cleanups.append(lambda: unmount(out))
            fill(out, earlier)
            subprocess.run(["mount", "-o", "remount,ro", str(out)], check=True)
        elif os.geteuid() != 0:
            fill(out, earlier)
            out.chmod(0o555)
            cleanups.append(lambda: out.chmod(0o755))
        else:
            pytest.skip("as root, a read-only folder needs a read-only mount, and mount is not permitted here")
        return out
    if case.out == "full":
        out = tmp_path / "full"
        if not mount_tmpfs(out, "96k"):
            pytest.skip("a small tmpfs needs root and mount; 'file-size-limit' covers the failed write")
        cleanups.append(lambda: unmount(out))
        fill(out, {"executive.md": earlier["executive.md"]})  # all that fits
        return out
    out = root / "out"
    fill(out, earlier)
    return out


def fill(out: Path, files: dict[str, bytes]) -> None:
    out.mkdir(exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)


def limit_file_size() -> None:
    """In the child: writes beyond 20 kB fail with EFBIG, like a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def run_interrupted(command: list[str], out: Path, cwd: Path, number: int = signal.SIGINT,
                    env: dict | None = None) -> subprocess.CompletedProcess:
    """Start a build, and send SIGINT (or `number`) once it is rendering (a temporary file exists)."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if any(path.name.endswith(".part") for path in out.iterdir()):
            break
        time.sleep(0.005)
    assert process.poll() is None, "the build ended before it could be interrupted; make the dossier bigger"
    process.send_signal(number)
    stdout, stderr = process.communicate(timeout=30)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def serve_pages(cleanups: list) -> str:
    """A local HTTP server (127.0.0.1, never the network) for the add-source cases: /logo.png is an
    image, /huge announces 900 MB, /trickle and /trickle-headers send a byte every 0.2 s (in the
    body, in the headers), anything else is 404. Its address; stopped by `cleanups`."""
    import http.server

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            if self.path in ("/trickle", "/trickle-headers"):
                return trickle(self, in_headers=self.path == "/trickle-headers")
            status, media, length = {"/logo.png": (200, "image/png", "6"), "/huge": (200, "text/html", "900000000")}.get(
                self.path, (404, "text/html", "6"))
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", length)
            self.end_headers()
            self.wfile.write(b"<p></p>"[:6])

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    cleanups.append(lambda: (httpd.shutdown(), httpd.server_close(), thread.join()))
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def needs_process(case: Case) -> str | None:
    """Why `case` must run as `python -m briefing` in a child process; None: it
    runs in this one."""
    if case.interrupt:
        return "SIGINT is sent to the command, which ends by os._exit(130)"
    if case.out == "fsize":
        return "the file size limit is set in the child (setrlimit), not on the test session"
    if case.process:
        return "marked in the corpus: see the case"
    if threading.active_count() > 1:
        # A build forks its PDF worker only from a single-threaded process: with a
        # thread left by another test, this process would take the unforked path.
        return "another thread runs in this process"
    return None


def children() -> str:
    """Whether this process has a child: 'none', 'running', or the pid of one that ended (left unreaped)."""
    try:
        ended = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return "none"
    return "running" if ended is None else f"ended: {ended.si_pid}"


def process_state() -> dict:
    """What a command run in this process must leave as it found it."""
    mask = os.umask(0o022)
    os.umask(mask)
    return {
        "cwd": os.getcwd(), "environ": dict(os.environ), "umask": mask,
        "signals": {number: signal.getsignal(number) for number in
                    (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGCHLD, signal.SIGXFSZ, signal.SIGALRM)},
        "threads": threading.enumerate(), "children": children(),
        "streams": (sys.stdin, sys.stdout, sys.stderr), "argv": list(sys.argv),
        "logging": (logging.root.level, list(logging.root.handlers), logging.root.manager.disable),
        "warnings": list(warnings.filters), "gc": gc.isenabled(), "recursion": sys.getrecursionlimit(),
        "resource": resource.getrlimit(resource.RLIMIT_FSIZE),
    }


def run_in_process(args: list[str], cwd: Path, capfd, monkeypatch) -> subprocess.CompletedProcess:
    """`python -m briefing *args` in `cwd`, but in this process: exit status and captured output."""
    from briefing.cli import run

    monkeypatch.chdir(cwd)
    capfd.readouterr()  # drop anything written before the command
    before = process_state()
    code = run(args)
    stdout, stderr = capfd.readouterr()
    after = process_state()
    leaked = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert not leaked, f"the command changed the test process: {leaked}"
    return subprocess.CompletedProcess(args, code, stdout, stderr)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_bad_input(case: Case, tmp_path: Path, earlier_outputs: dict[str, bytes], capfd, monkeypatch) -> None:
    root = make_dossier(tmp_path / "dossier")
    cleanups: list = []
    try:
        out = prepare_out(case, root, tmp_path, earlier_outputs, cleanups)
        if case.change is not None:
            case.change(root)
        url = serve_pages(cleanups) if case.serve else ""
        before = snapshot(out)
        around = outside(tmp_path, out)
        args = [a.format(root=root, out=out, url=url) for a in case.args]
        command = [sys.executable, "-m", "briefing", *args]
        env = os.environ | dict(case.env)
        if case.interrupt:
            done = run_interrupted(command, out, tmp_path, case.interrupt_with, env)
        elif needs_process(case):
            done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env,
                                  preexec_fn=limit_file_size if case.out == "fsize" else None)
        else:
            for name, value in case.env:
                monkeypatch.setenv(name, value)
            done = run_in_process(args, tmp_path, capfd, monkeypatch)
        after = snapshot(out)
        assert outside(tmp_path, out) == around, "the command wrote outside the output folder"
    finally:
        for cleanup in reversed(cleanups):
            cleanup()

    assert done.returncode == case.code, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    if case.code == 0:  # a section a template leaves out is reported, and is no error
        assert [line for line in done.stderr.splitlines() if " not shown — " not in line] == []
        if case.args[0] == "build":  # it prints the paths it wrote
            written = [Path(line) for line in done.stdout.splitlines()]
            assert written and all(path.stat().st_size > 0 for path in written)
        else:
            assert done.stdout.strip()
        assert not [name for name in after if name.startswith(".") or name.endswith(".part")]
        return
    assert after == before, "the output folder changed"
    lines = [line for line in done.stderr.splitlines() if line.strip() and " not shown — " not in line]
    if case.code == 2:  # Click's usage error: usage, hint, then "Error: ..." (in-process, the usage names pytest)
        assert lines[-1].startswith("Error: ") and case.message in lines[-1]
        return
    if case.several:  # at most 100 of them, then one line that counts the others
        more = [line for line in lines[-1:] if re.fullmatch(r"error: … and [\d,]+ more errors?, not shown: .*", line)]
        assert len(lines) - len(more) <= 100, len(lines)
        assert all(re.match(r"error: \S.*:\d+: \S", line) for line in lines[:len(lines) - len(more)]), lines
        line = next((line for line in lines if case.message in line), lines[0])
        if more and case.message in more[0]:
            return
    else:
        assert len(lines) == 1, lines
        line = lines[0]
    if case.code == 130:
        assert line == case.message
    elif case.where is None:  # nothing in a file to point at: the message comes first
        assert line.startswith(f"error: {case.message}"), line
    else:
        where = case.where.replace("{root}", re.escape(str(root)))
        assert re.match(rf"error: {where}: ", line), f"expected the place {where!r} in: {line}"
        assert case.message in line, line


def test_the_corpus_is_large_and_covers_the_issue():
    ids = {case.id for case in CASES}
    assert len(CASES) >= 40 and len(ids) == len(CASES)
    for needed in ("yaml-tab", "yaml-unclosed-quote", "yaml-bad-indent", "unknown-section", "unknown-source",
                   "duplicate-fact-id", "quote-not-in-source", "quote-in-another-source", "empty-article",
                   "article-not-utf8", "article-bom-crlf-works", "huge-fact", "template-syntax-error",
                   "template-undefined", "sandbox-class", "sandbox-globals", "sandbox-subclasses",
                   "include-outside-folders", "extends-outside-folders", "template-name-with-parent",
                   "out-not-writable", "output-path-is-a-folder", "disk-full", "interrupted"):
        assert needed in ids


def test_ctrl_c_while_outputs_move_into_place_lets_the_build_finish(tmp_path, monkeypatch):
    """All outputs new or all old: an interrupt during the (instant) moves is held off."""
    from briefing import build

    root = make_dossier(tmp_path / "dossier")
    moved = []
    original = build._move

    def move_then_interrupt(temporary, path):
        original(temporary, path)
        moved.append(path)
        if len(moved) == 1:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(build, "_move", move_then_interrupt)
    try:
        outputs = build.build_briefs(root, ("executive",), ("docx", "pdf", "md"))
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C between two moves left some outputs new and some old")
    assert len(moved) == 3 and all(output.path.is_file() for output in outputs)
    assert not [path for path in (root / "out").iterdir() if path.name.startswith(".")]

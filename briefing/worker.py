"""A process that renders documents while the build composes them.

A build spends its first few hundred milliseconds importing libraries and
reading fonts, and most of the rest laying out PDF pages. With two cores or
more, `build` forks a worker before its own heavy imports: the worker imports
the PDF renderer and reads the fonts while the build loads, checks and composes
the dossier, then lays out each PDF it is sent while the build renders the DOCX
files. Jobs travel through a pipe, pickled; the worker answers once, at the end.

A worker writes only the temporary files it is given. It ignores Ctrl-C: the
build handles the interrupt, stops the worker, then removes those files.

`ForkedCall` runs one function in a forked process and brings back its result;
the check uses it to find the quotes of half the sources of a large dossier.
"""

from __future__ import annotations

import os
import pickle
import queue
import signal
import threading
import traceback
from typing import Any, Callable, NoReturn

from .errors import BriefingError
from .gcpause import paused_gc


class ChildEnded(RuntimeError):
    """A forked process ended without an answer, or with an unexpected error."""


def can_fork() -> bool:
    """Forking pays only with a second core, and is safe only from a process
    with a single thread (a lock held by another thread stays held in the child)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1


class Worker:
    """Start with `Worker(name, prepare, run)`; `submit` jobs; `finish` waits for
    them, raising the first job's BriefingError with the job's number as `job`;
    `stop` ends the worker at once and is always safe to call. Start every
    worker before submitting to any: a fork must not copy a running thread."""

    _held: set[int] = set()  # pipe ends the build holds to its workers; no later worker may inherit them

    def __init__(self, name: str, prepare: Callable[[], None], run: Callable[[Any], None]):
        self.name = f"{name} worker"
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        self.pid = _fork(jobs_write, results_read)
        if self.pid == 0:
            _answer(results_write, lambda: _serve(jobs_read, prepare, run))
        os.close(jobs_read)
        os.close(results_write)
        Worker._held.update((jobs_write, results_read))
        self._results = os.fdopen(results_read, "rb")
        self._jobs_fd: int | None = jobs_write
        self._count = 0
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        # A writer thread, so that the build never waits for the worker to read.
        self._writer = threading.Thread(target=self._write_jobs, name=f"briefing-{name}-jobs", daemon=True)

    def submit(self, job: Any) -> int:
        """Queue a job; return its number (0, 1, …) as the worker will report it."""
        if self._writer.ident is None:  # not started yet
            self._writer.start()
        self._queue.put(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        self._count += 1
        return self._count - 1

    def finish(self) -> None:
        """Wait until every job is done; raise the error of the first that failed."""
        self._end_jobs()
        _read_answer(self._results, self._reap, self.name)

    def stop(self) -> None:
        _kill(self.pid)
        self._reap()
        self._end_jobs(timeout=5)
        if not self._results.closed:
            Worker._held.discard(self._results.fileno())
            self._results.close()

    def _reap(self) -> str:
        how, self.pid = _reap(self.pid), 0
        return how

    def _end_jobs(self, timeout: float | None = None) -> None:
        """No more jobs: the worker sees the pipe close once the writer is done."""
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(timeout)
        elif self._jobs_fd is not None:
            self._close_jobs()

    def _close_jobs(self) -> None:
        if self._jobs_fd is not None:
            Worker._held.discard(self._jobs_fd)
            os.close(self._jobs_fd)
            self._jobs_fd = None

    def _write_jobs(self) -> None:
        try:
            while (job := self._queue.get()) is not None:
                view = memoryview(job)
                while view:
                    view = view[os.write(self._jobs_fd, view):]
        except OSError:  # the worker has ended; its answer (or its absence) says why
            pass
        finally:
            self._close_jobs()


def _serve(jobs_fd: int, prepare: Callable[[], None], run: Callable[[Any], None]) -> None:
    """A worker's whole life: get ready, then run jobs until the pipe closes.
    A job's BriefingError leaves with the job's number as `job`."""
    with os.fdopen(jobs_fd, "rb") as jobs:
        prepare()
        number = 0
        while True:
            try:
                with paused_gc():  # a large brief is hundreds of thousands of objects, without cycles
                    job = pickle.load(jobs)
            except EOFError:
                return
            try:
                run(job)
            except BriefingError as error:
                error.job = number
                raise
            number += 1


class ForkedCall:
    """`function(*args)` run in a forked process while this one goes on. Use it
    as a context manager and take `result()` inside: the return value (or a
    BriefingError) comes back pickled; leaving the block early stops the process.

    If no process can be forked, or the process ends without answering (killed,
    out of memory, a bug), `result()` makes the call here instead: slower, but
    the command goes on, and a bug shows its own traceback."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        self._call = lambda: function(*args)
        self.pid, self._pipe = 0, None
        read, write = os.pipe()
        try:
            self.pid = _fork(read)
        except OSError:  # no process to spare: result() makes the call
            os.close(read)
            os.close(write)
            return
        if self.pid == 0:
            _answer(write, self._call)
        os.close(write)
        self._pipe = os.fdopen(read, "rb")

    def result(self) -> Any:
        if self._pipe is not None:
            try:
                return _read_answer(self._pipe, self._reap, "forked process")
            except ChildEnded:
                pass
        return self._call()

    def __enter__(self) -> "ForkedCall":
        return self

    def __exit__(self, *exc_info) -> None:
        _kill(self.pid)
        self._reap()
        if self._pipe is not None:
            self._pipe.close()

    def _reap(self) -> str:
        how, self.pid = _reap(self.pid), 0
        return how


# The two halves of a forked call: the child answers once, the parent reads the answer.

def _fork(*parent_ends: int) -> int:
    """fork(); in the child, close the parent's pipe ends (else a worker never
    sees its jobs end) and leave Ctrl-C to the parent, which stops the child."""
    pid = os.fork()
    if pid == 0:
        for fd in (*parent_ends, *Worker._held):
            os.close(fd)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    return pid


def _answer(fd: int, call: Callable[[], Any]) -> NoReturn:
    """In the child: run `call`, send back its value or its error, and end."""
    try:
        outcome: tuple = ("done", call())
    except BriefingError as error:
        outcome = ("error", error.detail, error.file, error.line, getattr(error, "char", None), getattr(error, "job", None))
    except BaseException:
        outcome = ("crash", traceback.format_exc())
    try:
        with os.fdopen(fd, "wb") as pipe:
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        os._exit(0)  # no clean-up of the parent's state: that belongs to the parent


def _read_answer(pipe, reap: Callable[[], str], who: str) -> Any:
    """In the parent: the child's value, or its error raised here."""
    try:
        outcome = pickle.load(pipe)  # read before reaping: a full pipe would hold the child
    except (EOFError, pickle.UnpicklingError):
        outcome = ("crash", f"the {who} ended unexpectedly ({reap()})")
    reap()
    if outcome[0] == "error":
        detail, file, line, char, job = outcome[1:]
        error = BriefingError(detail, file=file, line=line)
        if char is not None:
            error.char = char  # lets the build point at the dossier line that holds it
        error.job = job
        raise error
    if outcome[0] == "crash":
        raise ChildEnded(f"in the {who}: {outcome[1]}")
    return outcome[1]


def _kill(pid: int) -> None:
    if pid:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _reap(pid: int) -> str:
    """Wait for the child `pid` (0: none) to end; say how it ended."""
    if not pid:
        return "already ended"
    _, status = os.waitpid(pid, 0)
    return f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"status {os.WEXITSTATUS(status)}"

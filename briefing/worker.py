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
from typing import Any, Callable

from .errors import BriefingError


class JobFailed(Exception):
    """The worker's job number `number` (None: while getting ready) met `error`."""

    def __init__(self, number: int | None, error: BriefingError):
        super().__init__(error.format_line())
        self.number, self.error = number, error


def can_fork() -> bool:
    """Forking pays only with a second core, and is safe only from a process
    with a single thread (a lock held by another thread stays held in the child)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return cores > 1


class Worker:
    """Start with `Worker(name, prepare, run)`; `submit` jobs; `finish` waits for them
    (raising JobFailed); `stop` ends the worker at once and is always safe to call.
    Start every worker before submitting to any: a fork must not copy a running thread."""

    _held: set[int] = set()  # pipe ends the build holds to its workers; no later worker may inherit them

    def __init__(self, name: str, prepare: Callable[[], None], run: Callable[[Any], None]):
        self.name = name
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            for fd in (jobs_write, results_read, *Worker._held):  # else a worker never sees its jobs end
                os.close(fd)
            _serve(jobs_read, results_write, prepare, run)  # never returns
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
        """Wait until every job is done; raise JobFailed for the first that failed."""
        self._end_jobs()
        try:
            outcome = pickle.load(self._results)
        except (EOFError, pickle.UnpicklingError):
            outcome = ("crash", f"the {self.name} worker ended unexpectedly ({self._reap()})")
        self._reap()
        if outcome[0] == "error":
            number, detail, file, line, char = outcome[1:]
            error = BriefingError(detail, file=file, line=line)
            if char is not None:
                error.char = char
            raise JobFailed(number, error)
        if outcome[0] == "crash":
            raise RuntimeError(f"in the {self.name} worker: {outcome[1]}")

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        self._end_jobs(timeout=5)
        if not self._results.closed:
            Worker._held.discard(self._results.fileno())
            self._results.close()

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

    def _reap(self) -> str:
        if not self.pid:
            return "already ended"
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        return f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"status {os.WEXITSTATUS(status)}"

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


def _serve(jobs_fd: int, results_fd: int, prepare: Callable[[], None], run: Callable[[Any], None]) -> None:
    """The worker's whole life: get ready, run jobs until the pipe closes, answer once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    number = None
    try:
        with os.fdopen(jobs_fd, "rb") as jobs:
            prepare()
            while True:
                try:
                    job = pickle.load(jobs)
                except EOFError:
                    break
                number = 0 if number is None else number + 1
                run(job)
        outcome: tuple = ("done",)
    except BriefingError as error:
        outcome = ("error", number, error.detail, error.file, error.line, getattr(error, "char", None))
    except BaseException:
        outcome = ("crash", traceback.format_exc())
    try:
        with os.fdopen(results_fd, "wb") as results:
            pickle.dump(outcome, results)
    finally:
        os._exit(0)  # no clean-up of the build's state: that belongs to the build


class ForkedCall:
    """`function(*args)` run in a forked process while this one goes on. Use it
    as a context manager and take `result()` inside: the return value (or a
    BriefingError) comes back pickled; leaving the block early stops the process."""

    def __init__(self, function: Callable[..., Any], *args: Any):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(read)
            for fd in Worker._held:
                os.close(fd)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                outcome: tuple = ("done", function(*args))
            except BriefingError as error:
                outcome = ("error", error.detail, error.file, error.line)
            except BaseException:
                outcome = ("crash", traceback.format_exc())
            try:
                with os.fdopen(write, "wb") as pipe:
                    pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)
            finally:
                os._exit(0)
        os.close(write)
        self._pipe = os.fdopen(read, "rb")

    def result(self) -> Any:
        try:
            outcome = pickle.load(self._pipe)  # read before waiting: a full pipe would hold the child
        except (EOFError, pickle.UnpicklingError):
            outcome = ("crash", "the process ended unexpectedly")
        self._reap()
        if outcome[0] == "error":
            raise BriefingError(outcome[1], file=outcome[2], line=outcome[3])
        if outcome[0] == "crash":
            raise RuntimeError(f"in a forked process: {outcome[1]}")
        return outcome[1]

    def __enter__(self) -> "ForkedCall":
        return self

    def __exit__(self, *exc_info) -> None:
        if self.pid:
            os.kill(self.pid, signal.SIGKILL)
            self._reap()
        self._pipe.close()

    def _reap(self) -> None:
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0

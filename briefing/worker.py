"""A second process that renders PDFs while the build composes.

A build spends its first few hundred milliseconds importing libraries and
reading fonts, and most of the rest laying out PDF pages. With two cores or
more, `build` forks a worker before its own heavy imports: the worker imports
the PDF renderer and reads the fonts while the build loads, checks and composes
the dossier, then lays out each PDF it is sent while the build writes the DOCX
files. Jobs travel to it through a pipe, pickled; it answers once, at the end.

The worker writes only the temporary files it is given. It ignores Ctrl-C: the
build handles the interrupt, stops the worker, then removes those files.
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
    """Start with `Worker(prepare, run)`; `submit` jobs; `finish` waits for them
    (raising JobFailed); `stop` ends the worker at once and is always safe to call."""

    def __init__(self, prepare: Callable[[], None], run: Callable[[Any], None]):
        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(jobs_write)
            os.close(results_read)
            _serve(jobs_read, results_write, prepare, run)  # never returns
        os.close(jobs_read)
        os.close(results_write)
        self._results = os.fdopen(results_read, "rb")
        self._jobs_fd = jobs_write
        self._count = 0
        self._queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        # A writer thread, so that the build never waits for the worker to read.
        self._writer = threading.Thread(target=self._write_jobs, name="briefing-worker-feed", daemon=True)
        self._writer.start()

    def submit(self, job: Any) -> int:
        """Queue a job; return its number (0, 1, …) as the worker will report it."""
        self._queue.put(pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL))
        self._count += 1
        return self._count - 1

    def finish(self) -> None:
        """Wait until every job is done; raise JobFailed for the first that failed."""
        self._queue.put(None)
        self._writer.join()
        try:
            outcome = pickle.load(self._results)
        except (EOFError, pickle.UnpicklingError):
            outcome = ("crash", f"the PDF worker ended unexpectedly ({self._reap()})")
        self._reap()
        if outcome[0] == "error":
            number, detail, file, line, char = outcome[1:]
            error = BriefingError(detail, file=file, line=line)
            if char is not None:
                error.char = char
            raise JobFailed(number, error)
        if outcome[0] == "crash":
            raise RuntimeError(f"in the PDF worker: {outcome[1]}")

    def stop(self) -> None:
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap()
        self._queue.put(None)
        self._writer.join(timeout=5)
        self._results.close()

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
            os.close(self._jobs_fd)


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

"""A worker process that renders briefs while the build goes on.

A build spends its first few hundred milliseconds importing libraries and
reading fonts, and most of the rest laying out PDF pages. The worker is a
`concurrent.futures` process pool of one, started before the build loads the
dossier: it imports the renderers and reads the fonts meanwhile, then renders
each brief it is sent while the build renders the other formats.

The process is forked where that is safe (Linux, and no other thread in this
process: a lock held by another thread would stay held in the child), and
spawned elsewhere. It adopts this process's collector thresholds, ignores
Ctrl-C (the build handles the interrupt and stops it), and writes only the
temporary files it is given.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from . import FORMATS, Brief, Format


class WorkerDied(RuntimeError):
    """The worker process ended without an answer (killed, out of memory)."""


class RenderWorker:
    """`RenderWorker.start()`, then `submit` briefs; `stop` ends it at once and
    is always safe to call."""

    def __init__(self, pool: ProcessPoolExecutor, ready: Future):
        self._pool = pool
        self._ready = ready

    @staticmethod
    def worthwhile() -> bool:
        """A worker pays only with a second core to run it."""
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
        return cores > 1

    @classmethod
    def start(cls) -> RenderWorker:
        context = multiprocessing.get_context("fork" if _fork_is_safe() else "spawn")
        pool = ProcessPoolExecutor(max_workers=1, mp_context=context,
                                   initializer=_become_worker, initargs=(gc.get_threshold(),))
        ready = pool.submit(_prepare_renderers)  # starts the process now, not at the first brief
        return cls(pool, ready)

    def submit(self, format: Format, brief: Brief, path: Path) -> Future:
        """Render `brief` in `format` into `path`; see `result`."""
        return self._pool.submit(_render, format.name, brief, path)

    def submit_pictures(self, brief: Brief) -> Future:
        """Draw the chronology figures of `brief` as pictures (`pdf.picture.timeline_pictures`); see `result`."""
        return self._pool.submit(_pictures, brief.document)

    def result(self, future: Future):
        """Wait for a job sent with `submit` or `submit_pictures` and return its
        result; raise the renderer's error (a BriefingError for the user's
        input, an OSError for a failed write)."""
        try:
            self._ready.result()
            return future.result()
        except BrokenProcessPool:
            raise WorkerDied("the worker process that renders the PDF ended unexpectedly "
                             "(killed, or out of memory?)") from None

    def stop(self) -> None:
        """End the worker now, even in the middle of a brief."""
        for process in list((getattr(self._pool, "_processes", None) or {}).values()):  # no public way before Python 3.14
            process.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)


def _fork_is_safe() -> bool:
    return sys.platform.startswith("linux") and threading.active_count() == 1


def _become_worker(thresholds: tuple[int, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):  # a forked worker would inherit the command's handlers
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _end_with_parent(os.getppid())
    gc.set_threshold(*thresholds)


def _end_with_parent(parent: int) -> None:
    """The worker ends when the build's process does, even when that one is
    killed (SIGKILL) and cannot stop it: on Linux the kernel sends it SIGKILL
    (PR_SET_PDEATHSIG); elsewhere a thread watches for the parent to go."""
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # 1: PR_SET_PDEATHSIG
                if os.getppid() != parent:  # the parent died before the call
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="briefing-parent-watch", daemon=True).start()


def _prepare_renderers() -> None:
    for format in FORMATS.values():
        if format.in_worker:
            format.prepare()


def _render(name: str, brief: Brief, path: Path) -> None:
    FORMATS[name].render(brief, path)


def _pictures(document):
    from .pdf.picture import timeline_pictures

    return timeline_pictures(document)

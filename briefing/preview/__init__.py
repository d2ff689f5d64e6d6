"""`briefing watch`: one long-lived process that rebuilds a dossier's briefs
as it is edited and serves the HTML preview with live reload.

It stands beside `build.py`, above every stage: it orchestrates them, keeping
what it can in memory between builds (`session`), and serves the result
(`server`). The command line only prints what `watch_dossier` reports.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from ..errors import BriefingError
from .server import Preview, PreviewServer
from .session import Rebuilt, Session

__all__ = ["Preview", "PreviewServer", "Rebuilt", "Session", "watch_dossier"]

# watchfiles waits this long (ms) after a change for more before yielding, at
# most DEBOUNCE in all: an editor's save is a few writes or a rename.
STEP, DEBOUNCE = 30, 400


def watch_dossier(dossier: str | Path, templates: tuple[str, ...] = (), formats: tuple[str, ...] = (),
                  out_dir: str | Path | None = None, host: str = "127.0.0.1", port: int = 8000, strict: bool = False,
                  started: Callable[[str, list[Path]], None] | None = None,
                  report: Callable[[Rebuilt], None] | None = None,
                  stop: threading.Event | None = None) -> None:
    """Build, serve on `host:port`, and rebuild on each change until `stop` is
    set or Ctrl-C. `started` is given the preview's URL and the folders watched;
    `report` each rebuild. Every temporary file and the worker are gone on return."""
    import watchfiles

    preview = Preview()
    session = Session(dossier, templates, formats, out_dir, strict, publish=preview.publish)  # forks its worker first
    server: PreviewServer | None = None
    try:
        try:
            server = PreviewServer(host, port, preview)
        except OSError as error:
            hint = "; choose another with --port (0 picks a free one)" if error.errno == 98 else ""
            raise BriefingError(f"cannot serve the preview on {host}:{port}: {error.strerror or error}{hint}") from None
        server.start()
        folders = session.watched()
        if not folders:
            raise BriefingError("nothing to watch: the dossier has no sources/ folder", file=Path(dossier))
        if started is not None:
            started(server.url, folders)
        first = session.rebuild(None)
        if report is not None and first is not None:
            report(first)
        default = watchfiles.DefaultFilter()
        relevant = lambda change, path: _relevant(path) and default(change, path)  # noqa: E731
        for changes in watchfiles.watch(*folders, watch_filter=relevant, step=STEP, debounce=DEBOUNCE,
                                        stop_event=stop, yield_on_timeout=False, raise_interrupt=True):
            changed = {Path(path) for _, path in changes}
            rebuilt = session.rebuild(changed)
            if report is not None and rebuilt is not None:
                report(rebuilt)
    finally:
        if server is not None:
            server.close()
        session.close()


def _relevant(path: str) -> bool:
    """Dossier files, not an editor's swap and backup files (watchfiles' default
    filter then drops version control's and caches)."""
    name = Path(path).name
    return not (name.startswith((".#", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".part"))
                or name == "4913")  # vim's probe of a folder's permissions

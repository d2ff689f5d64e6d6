"""The preview: the HTML briefs served on a local port, reloaded on change.

The standard library's ThreadingHTTPServer serves, from memory, the last good
HTML of each brief with two additions the file on disk never has: the error
lines of a failed rebuild above the brief, and a small script that listens to
`/_events` (server-sent events) and reloads the page, keeping its scroll
position, when a rebuild publishes a new version. Nothing is served from
disk, so no path of a request can reach a file. Requests whose Host is not
this server's (a page elsewhere trying DNS rebinding) are refused.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..render.html.renderer import escape

HEARTBEAT = 15.0  # seconds between comments on an idle event stream, so a dropped client is noticed

_SCRIPT = """<script nonce="{nonce}">
(function () {{
  var version = "{version}", key = "briefing-preview-scroll:" + location.pathname;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {{ sessionStorage.removeItem(key); window.scrollTo(0, parseFloat(saved)); }}
  var events = new EventSource("/_events");
  events.onmessage = function (event) {{
    if (event.data !== version) {{ sessionStorage.setItem(key, String(window.scrollY)); location.reload(); }}
  }};
}})();
</script>
"""

_ERRORS = """<div id="briefing-preview-errors" role="alert" style="margin:0;padding:0.8rem 1.2rem;background:#fff;\
border:3px solid #b00020;color:#000;font:10pt 'DejaVu Sans',Arial,sans-serif;max-width:21cm;box-sizing:border-box;\
margin:1rem auto 0">
<p style="margin:0 0 0.4rem;font-weight:bold">{summary}</p>
<pre style="margin:0;white-space:pre-wrap;font:9pt 'DejaVu Sans Mono',monospace">{lines}</pre>
</div>
"""

_EMPTY = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<main>
<h1>{title}</h1>
<p>{text}</p>
</main>
</body>
</html>
"""


class Preview:
    """What the server shows: the pages, the errors, and a version that changes with each publication."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        self.errors: tuple[str, ...] = ()
        self.version = 0
        self.changed = threading.Condition()
        self.closing = False

    def publish(self, pages: dict[str, str], errors: tuple[str, ...]) -> None:
        with self.changed:
            self.pages, self.errors = pages, errors
            self.version += 1
            self.changed.notify_all()

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()

    def page(self, name: str, nonce: str) -> str | None:
        """The page of template `name` as served: errors above, the reload script below."""
        with self.changed:
            pages, errors, version = self.pages, self.errors, self.version
        html = pages.get(name)
        if html is None:
            if name not in pages and not errors and pages:
                return None
            title = "No brief yet" if errors else "Building…"
            html = _EMPTY.format(title=escape(title), text=escape(
                "The dossier has errors; the brief appears here once they are fixed." if errors
                else "The first build is under way; this page reloads when it is done."))
        banner = ""
        if errors:
            summary = (f"The last change did not build ({len(errors)} error{'s' if len(errors) != 1 else ''}); "
                       + ("the brief below is the last good one." if name in pages else "fix it and save."))
            banner = _ERRORS.format(summary=escape(summary), lines=escape("\n".join(errors)))
        script = _SCRIPT.format(nonce=nonce, version=version)
        head, _, tail = html.partition("<body>\n")
        body, _, end = tail.rpartition("</body>")
        return f"{head}<body>\n{banner}{body}{script}</body>{end}"

    def first_name(self) -> str | None:
        with self.changed:
            return next(iter(self.pages), None)

    def wait(self, seen: int, timeout: float) -> int | None:
        """The version once it differs from `seen` (or after `timeout`); None when closing."""
        with self.changed:
            self.changed.wait_for(lambda: self.closing or self.version != seen, timeout)
            return None if self.closing else self.version


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds the process
    allow_reuse_address = True

    def __init__(self, host: str, port: int, preview: Preview):
        self.preview = preview
        super().__init__((host, port), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="briefing-preview", daemon=True)

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), self.server_address[1]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        self.thread.start()

    def close(self) -> None:
        self.preview.close()
        if self.thread.is_alive():
            self.shutdown()
            self.thread.join()
        self.server_close()

    def host_allowed(self, header: str | None) -> bool:
        """Loopback servers answer only to loopback names; others to any."""
        bound = str(self.server_address[0])
        if not _loopback(bound):
            return True
        if not header:
            return False
        name = header.rsplit(":", 1)[0] if not header.endswith("]") else header
        return name.strip("[]").lower() in ("localhost", bound) or _loopback(name.strip("[]"))


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


class _Handler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # the terminal shows rebuilds, not requests
        pass

    def do_GET(self) -> None:
        if not self.server.host_allowed(self.headers.get("Host")):
            self._send(HTTPStatus.FORBIDDEN, "text/plain", b"this preview answers to localhost only\n")
            return
        path = self.path.split("?", 1)[0]
        preview = self.server.preview
        if path == "/_events":
            self._events()
        elif path == "/":
            first = preview.first_name()
            if first is None:
                self._page("")
            else:
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", f"/{first}.html")
                self.send_header("Content-Length", "0")
                self.end_headers()
        elif path.endswith(".html") and path.count("/") == 1:
            self._page(path[1:-len(".html")])
        else:
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"not found\n")

    def _page(self, name: str) -> None:
        nonce = secrets.token_urlsafe(16)
        page = self.server.preview.page(name, nonce)
        if page is None:
            self._send(HTTPStatus.NOT_FOUND, "text/plain", b"no such brief\n")
            return
        policy = (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; "
                  "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'")
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.encode("utf-8"), policy)

    def _send(self, status: HTTPStatus, media_type: str, body: bytes, policy: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        if policy:
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        """Server-sent events: the current version at once, then each new one."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        preview = self.server.preview
        version: int | None = preview.version
        try:
            self.wfile.write(f"data: {version}\n\n".encode())
            self.wfile.flush()
            while True:
                assert version is not None
                current = preview.wait(version, HEARTBEAT)
                if current is None:
                    return
                self.wfile.write(f"data: {current}\n\n".encode() if current != version else b": idle\n\n")
                self.wfile.flush()
                version = current
        except (BrokenPipeError, ConnectionResetError):
            return

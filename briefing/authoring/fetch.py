"""`briefing add-source URL`: fetch a page, bounded in time and size, with one line for each failure.

The time is bounded in all, not for each read: a socket's timeout only bounds
each wait for data, and a server that sends a byte every second, in its
headers or its body, would never meet it. So the sockets of a fetch are shut
when its time is up, wherever the fetch then is.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import BriefingError

TIMEOUT = 20.0  # seconds the whole fetch may take: connecting, the answer's headers and its body
CHUNK = 65_536
MAX_BYTES = 20_000_000  # an article page or a communiqué, not a download
ACCEPTED = ("text/html", "application/xhtml+xml", "application/pdf", "text/plain",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
USER_AGENT = "briefing/0.1 (+https://github.com/; a policy analyst's source archive)"


@dataclass(frozen=True)
class Fetched:
    data: bytes
    url: str  # the address asked for
    final_url: str  # where the redirects led
    content_type: str
    fetched_at: str  # ISO 8601, UTC, whole seconds


def is_link(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def fetch_url(url: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES) -> Fetched:
    """The body of `url` (http or https), within `timeout` seconds in all and `max_bytes`;
    a `BriefingError` naming the link for each failure."""
    import urllib.error

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(ACCEPTED)})
    sockets = _Sockets()
    opener = urllib.request.build_opener(_HttpOnlyRedirects(), _Handler(sockets), _SecureHandler(sockets))
    deadline = time.monotonic() + timeout
    timer = threading.Timer(timeout, sockets.expire)
    timer.start()
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = (response.headers.get_content_type() or "").lower()
            if content_type not in ACCEPTED:
                raise BriefingError(f"the link gives {content_type or 'no media type'}, not a web page, a PDF, a "
                                    "Word file or text; nothing added", file=url)
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, int(length), max_bytes)
            data = bytearray()
            while chunk := response.read(min(CHUNK, max_bytes + 1 - len(data))):
                data += chunk
                if len(data) > max_bytes:
                    raise _too_large(url, None, max_bytes)
                if time.monotonic() > deadline:
                    raise TimeoutError
            final = response.geturl()
        if sockets.expired:  # cut off, and what came before looked whole (headers that end there)
            raise TimeoutError
    except urllib.error.HTTPError as error:
        raise BriefingError(f"the server answered HTTP {error.code} {error.reason}; nothing added", file=url) from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException) as error:
        if sockets.expired or isinstance(error, TimeoutError) or \
                isinstance(getattr(error, "reason", None), TimeoutError):
            raise _timed_out(url, timeout) from None
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        # a connection reset, a malformed address or answer
        raise BriefingError(f"cannot fetch the link: {reason}; nothing added", file=url) from None
    finally:
        timer.cancel()
        timer.join()
        sockets.shut()  # the fetch is over either way: nothing is left open
    return Fetched(bytes(data), url, final, content_type,
                   datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"))


class _Sockets:
    """The sockets of one fetch, so that they can be shut from the timer's thread when its time is up:
    a read blocked on one of them then ends at once."""

    def __init__(self) -> None:
        self.open: list[socket.socket] = []
        self.shut_down = False
        self.expired = False  # shut because the time was up
        self.lock = threading.Lock()

    def add(self, sock: socket.socket) -> None:
        with self.lock:
            self.open.append(sock)
            if self.shut_down:
                _shut(sock)

    def expire(self) -> None:
        self.expired = True
        self.shut()

    def shut(self) -> None:
        with self.lock:
            self.shut_down = True
            for sock in self.open:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    """Shut the connection under `sock` (for a TLS socket, without touching its TLS state, which
    the fetching thread may be using): a read blocked on it returns at once."""
    with contextlib.suppress(OSError):  # closed already
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watched(connection: type[http.client.HTTPConnection], sockets: _Sockets) -> type[http.client.HTTPConnection]:
    """`connection` (http.client's HTTP or HTTPS connection) telling `sockets` of each socket it opens."""
    class Watched(connection):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            sockets.add(self.sock)
    return Watched


class _Watching:
    """A urllib handler whose connections report their sockets (mixed in before the handler)."""

    def __init__(self, sockets: _Sockets) -> None:
        super().__init__()
        self.sockets = sockets

    def do_open(self, http_class, req, **kwargs):
        return super().do_open(_watched(http_class, self.sockets), req, **kwargs)  # type: ignore[misc]


class _Handler(_Watching, urllib.request.HTTPHandler):
    pass


class _SecureHandler(_Watching, urllib.request.HTTPSHandler):
    pass


def _too_large(url: str, size: int | None, limit: int) -> BriefingError:
    said = f" ({size:,} bytes)" if size is not None else ""
    return BriefingError(f"the link gives more than {limit:,} bytes{said}, too large for an article; save the "
                         "part you need as a file and add that; nothing added", file=url)


def _timed_out(url: str, timeout: float) -> BriefingError:
    return BriefingError(f"the server did not send the whole answer within {timeout:g} seconds; try again later "
                         "(or give --timeout), or save the page and add the file; nothing added", file=url)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_link(newurl):
            raise BriefingError(f"the link redirects to '{newurl}', not an http(s) address; nothing added",
                                file=req.full_url)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

"""`briefing add-source URL`: fetch a page, bounded in time and size, with one line for each failure."""

from __future__ import annotations

import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import BriefingError

TIMEOUT = 20.0  # seconds without an answer before the fetch is given up
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
    """The body of `url` (http or https); a `BriefingError` naming the link for each failure."""
    import urllib.error

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(ACCEPTED)})
    opener = urllib.request.build_opener(_HttpOnlyRedirects())
    try:
        with opener.open(request, timeout=timeout) as response:
            content_type = (response.headers.get_content_type() or "").lower()
            if content_type not in ACCEPTED:
                raise BriefingError(f"the link gives {content_type or 'no media type'}, not a web page, a PDF, a "
                                    "Word file or text; nothing added", file=url)
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _too_large(url, int(length), max_bytes)
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise _too_large(url, None, max_bytes)
            final = response.geturl()
    except urllib.error.HTTPError as error:
        raise BriefingError(f"the server answered HTTP {error.code} {error.reason}; nothing added", file=url) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise _timed_out(url, timeout) from None
        raise BriefingError(f"cannot fetch the link: {reason}; nothing added", file=url) from None
    except TimeoutError:
        raise _timed_out(url, timeout) from None
    except (OSError, ValueError) as error:  # a connection reset, a malformed address or answer
        raise BriefingError(f"cannot fetch the link: {error}; nothing added", file=url) from None
    return Fetched(data, url, final, content_type, datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z"))


def _too_large(url: str, size: int | None, limit: int) -> BriefingError:
    said = f" ({size:,} bytes)" if size is not None else ""
    return BriefingError(f"the link gives more than {limit:,} bytes{said}, too large for an article; save the "
                         "part you need as a file and add that; nothing added", file=url)


def _timed_out(url: str, timeout: float) -> BriefingError:
    return BriefingError(f"no answer from the server within {timeout:g} seconds; try again later, or save the page "
                         "and add the file; nothing added", file=url)


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another http(s) address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not is_link(newurl):
            raise BriefingError(f"the link redirects to '{newurl}', not an http(s) address; nothing added",
                                file=req.full_url)
        return super().redirect_request(req, fp, code, msg, headers, newurl)

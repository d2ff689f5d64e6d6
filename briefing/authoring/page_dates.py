"""The date a web page gives, checked against the calendar.

The date library (htmldate, through trafilatura) reads a page's date metadata,
and mends a date no calendar has: 2025-02-30 becomes 2025-02-01 (the month it
can read, and day 1). A date briefing records is never invented, so the page's
own values are read again here, and an impossible one is not mended.
"""

from __future__ import annotations

import re
from datetime import date

# A whole date as pages write it: year first (2025-02-30, 2025/02/30, 2025.02.30), or day first
# (30.02.2025, 30/02/2025), as the date library reads them.
_WHOLE_DATE = re.compile(r"(?<!\d)(?:(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})"
                         r"|(?P<day2>\d{1,2})[-/.](?P<month2>\d{1,2})[-/.](?P<year2>\d{4}))(?!\d)")


def page_date(found: str | None, tree) -> str | None:
    """The page's date as the date library read it (`found`), unless the library mended it: where
    the page's own date metadata gives a date no calendar has (2025-02-30), the library reads the
    month it can and day 1 (2025-02-01). Then it is the page's impossible date, which the schema
    refuses (`add_source.merge_metadata`): the date stays unknown, and the user sees the page's words.
    A date the page gives whole and right is kept, whatever else its metadata says."""
    stated = [_whole_date(value) for value in _date_metadata(tree)]
    impossible = [text for text, day in stated if text and day is None]
    if impossible and found not in {day.isoformat() for _, day in stated if day}:
        return impossible[0]
    return found


_NAMED_BY = ("name", "property", "itemprop", "http-equiv")  # the attributes that say what a <meta> tag gives


def _date_metadata(tree) -> list[str]:
    """The dates a page's metadata gives: the `<meta>` tags the date library reads (publication and
    modification dates, by name, property or itemprop), and the `<time datetime>` of its text."""
    from htmldate.core import DATE_ATTRIBUTES, ITEMPROP_ATTRS, NAME_MODIFIED, PROPERTY_MODIFIED

    if tree is None:
        return []
    dates = DATE_ATTRIBUTES | PROPERTY_MODIFIED | NAME_MODIFIED | ITEMPROP_ATTRS | {"last-modified"}
    tags = [meta for meta in tree.iter("meta") if {_named(meta, kind) for kind in _NAMED_BY} & dates]
    return [meta.get("content") or meta.get("datetime") or "" for meta in tags] + \
        [str(value) for value in tree.xpath("//time/@datetime")]


def _named(meta, kind: str) -> str:
    return (meta.get(kind) or "").strip().lower()


def _whole_date(value: str) -> tuple[str | None, date | None]:
    """The first whole date of `value` as YYYY-MM-DD, and that date, or None when the calendar has none
    ('2025-02-30'); (None, None) when `value` gives no whole date. A day-first date whose month is over
    12 is read month first (02/30/2025), as the date library reads it."""
    match = _WHOLE_DATE.search(value)
    if match is None:
        return None, None
    year, month, day = (int(match[name] or match[name + "2"]) for name in ("year", "month", "day"))
    if match["day2"] and month > 12 >= day:
        month, day = day, month
    text = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return text, date(year, month, day)
    except ValueError:
        return text, None

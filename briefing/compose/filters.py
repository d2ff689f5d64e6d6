"""Jinja's filters as the sandbox gives them to templates: each bounded
before it makes anything (`compose.limits`), otherwise Jinja's own.

Every filter that writes its value out as text (`upper`, `string`, `e`, the
brief's `md`…) has the value measured first (`reads_text`); the others
below bound what they make themselves.
"""

from __future__ import annotations

import functools
from itertools import chain
from typing import TYPE_CHECKING

import jinja2
from jinja2.sandbox import SecurityError
from jinja2.utils import generate_lorem_ipsum

from .limits import MAX_PPRINT, check_items, check_text_size, check_width, item_count, printf_size, replaced_size, text_size

if TYPE_CHECKING:
    from .sandbox import Sandbox

# Filters that do not write their value out as text, or bound what they write themselves.
NOT_TEXT = frozenset(["abs", "attr", "batch", "count", "d", "default", "dictsort", "filesizeformat", "first", "float",
                      "groupby", "int", "items", "join", "last", "length", "list", "map", "max", "min", "pprint",
                      "random", "reject", "rejectattr", "reverse", "round", "select", "selectattr", "slice", "sort",
                      "sum", "tojson", "unique"])
# How many characters, at most, such a filter writes for each one it reads ('<' escaped is '&lt;',
# 'é' in a URL '%C3%A9', 'ß' upper case 'SS', '*' in Markdown '\\*'); the others write no more than they read.
GROWTH = {"e": 6, "escape": 6, "forceescape": 6, "xmlattr": 6, "urlencode": 12, "upper": 3, "lower": 3, "title": 3,
          "capitalize": 3, "md": 3, "link_target": 9}
MAX_LIPSUM = 100  # paragraphs of placeholder text


def reads_text(environment: Sandbox, function, growth: int = 1):
    """`function`, a filter that writes its value out as text (`growth` characters at most for each
    one of it), with the value measured first."""
    position = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0  # after the environment or context

    @functools.wraps(function)
    def bounded(*args, **kwargs):
        if len(args) > position:
            value = args[position]
            if type(value) is not str:
                check_text_size(growth * text_size(value, environment.limits))
            elif growth > 1:
                check_text_size(growth * len(value))
        return function(*args, **kwargs)
    return bounded


def _center(value, width: int = 80) -> str:
    check_width(width)
    return str(value).center(width)


def _indent(value, width=4, first: bool = False, blank: bool = False) -> str:
    text, pad = str(value), width if isinstance(width, int) else len(str(width))
    check_width(pad)
    check_text_size(len(text) + (text.count("\n") + 1) * pad, "an indented text")  # the padding, on every line
    return jinja2.filters.do_indent(text, width, first, blank)


@jinja2.pass_environment
def _wordwrap(environment: Sandbox, value, width: int = 79, break_long_words: bool = True, wrapstring=None,
              break_on_hyphens: bool = True) -> str:
    text = str(value)
    wrap = str(wrapstring) if wrapstring is not None else environment.newline_sequence
    lines = len(text) // max(width, 1) + text.count(" ") + text.count("\n") + 1  # at most, whatever the words
    check_text_size(len(text) + lines * len(wrap), "a wrapped text")  # `wrapstring` between every two lines
    return jinja2.filters.do_wordwrap(environment, text, width, break_long_words, wrapstring, break_on_hyphens)


@jinja2.pass_eval_context
def _urlize(eval_ctx, value, trim_url_limit=None, nofollow: bool = False, target=None, rel=None, extra_schemes=None):
    text = str(value)
    link = 60 + sum(len(str(part)) for part in (target, rel) if part is not None)  # the markup each link adds
    check_text_size(12 * len(text) + (len(text) // 4 + 1) * link, "a text with links")  # an address is 4 characters or more
    return jinja2.filters.do_urlize(eval_ctx, text, trim_url_limit, nofollow, target, rel, extra_schemes)


@jinja2.pass_environment
def _format(environment: Sandbox, value, *args, **kwargs) -> str:
    check_text_size(printf_size(str(value), kwargs or args, environment.limits))
    return jinja2.filters.do_format(str(value), *args, **kwargs)


@jinja2.pass_eval_context
def _replace(eval_ctx, value, old, new, count=None):
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
        check_text_size(replaced_size(value, old, new, -1 if count is None else count))
    return jinja2.filters.do_replace(eval_ctx, value, old, new, count)


@jinja2.pass_eval_context
def _join(eval_ctx, value, d="", attribute=None):
    limits = eval_ctx.environment.limits
    items = list(value)
    if attribute is None:
        check_text_size(sum(text_size(item, limits) for item in items) + len(str(d)) * max(len(items) - 1, 0))
    result = jinja2.filters.do_join(eval_ctx, items, d, attribute)
    check_text_size(len(result))
    return result


@jinja2.pass_environment
def _pprint(environment: Sandbox, value) -> str:
    size = text_size(value, environment.limits)
    if size > MAX_PPRINT:
        raise SecurityError(f"pprint lays out at most {MAX_PPRINT:,} characters (this value has about {size:,})")
    return jinja2.filters.do_pprint(value)


@jinja2.pass_eval_context
def _tojson(eval_ctx, value, indent=None):
    check_text_size(12 * text_size(value, eval_ctx.environment.limits), "the JSON of a value")  # an emoji: 12
    return jinja2.filters.do_tojson(eval_ctx, value, indent)


@jinja2.pass_environment
def _sum(environment: Sandbox, iterable, attribute=None, start=0):
    """Numbers added; lists (or tuples) joined in one step, of a size a brief can hold:
    Python's `sum` joins them two at a time, in time that grows with the square of their number."""
    if not isinstance(start, (list, tuple)):
        return jinja2.filters.do_sum(environment, iterable, attribute, start)
    items = list(map(jinja2.filters.make_attrgetter(environment, attribute), iterable) if attribute else iterable)
    kind = type(start).__name__
    odd = next((item for item in items if not isinstance(item, type(start))), None)
    if odd is not None:
        raise TypeError(f'can only concatenate {kind} (not "{type(odd).__name__}") to {kind}')
    check_items(item_count(start, environment.limits) + item_count(items, environment.limits) - len(items),
                "a list, counting the items of the lists inside it,")
    return type(start)(chain(start, *items))


def _list(value):
    """A list of a text's characters, of a list's items: of a size a brief can need."""
    if isinstance(value, str):
        check_items(len(value), "a list of the characters of a text")
    return list(value)


def _batch(value, linecount: int, fill_with=None):
    check_width(linecount)
    return jinja2.filters.do_batch(value, linecount, fill_with)


def _slice(value, slices: int, fill_with=None):
    check_width(slices)
    return jinja2.filters.sync_do_slice(value, slices, fill_with)


def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002  # Jinja's own names
    """Jinja's placeholder text, of a size a brief can hold."""
    for number in (n, min, max):
        if not isinstance(number, int) or number > MAX_LIPSUM:
            raise SecurityError(f"lipsum: at most {MAX_LIPSUM} paragraphs of at most {MAX_LIPSUM} words")
    return generate_lorem_ipsum(n, html, min, max)


BOUNDED = {"center": _center, "indent": _indent, "format": _format, "replace": _replace, "join": _join,
           "pprint": _pprint, "tojson": _tojson, "sum": _sum, "batch": _batch, "slice": _slice, "list": _list,
           "wordwrap": _wordwrap, "urlize": _urlize}

"""How much a template may make, and how it is measured before it is made.

A template comes from a colleague, so composing a brief is bounded (the
sandbox, `compose.sandbox`, applies these limits at every step a template
takes): in time; in the size of every text and of every list a template
builds, measured *before* it is built, because a single step in C (writing
a list as text, joining, repeating) can take gigabytes before any check
after it runs; and, as the last bound, in the memory the process gains while
the brief composes.

Sizes count what the value would be written out: a list that holds the same
list a thousand times counts that list a thousand times, as its text would.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import string
import sys
import time
from collections.abc import ItemsView, KeysView, ValuesView

import jinja2
from jinja2.environment import TemplateModule
from jinja2.sandbox import SecurityError
from jinja2.utils import Namespace

MAX_SECONDS = 10.0  # how long composing one brief may take (the longest default brief takes a fraction of a second)
MAX_OUTPUT = 20_000_000  # characters of Markdown a template may write, and of any text it makes
MAX_SIZE = 1_000_000  # the largest repeated text, and the most items a list may hold, those of the lists inside it counted
MAX_WIDTH = 10_000  # the widest padding or precision a format may ask for; the most rows batch or slice may make
MAX_DEPTH = 100  # lists (tuples, dicts) inside lists
MAX_PPRINT = 4_000  # characters `pprint` lays out: its indentation can grow with the square of the text
MAX_MEMORY = 100_000_000  # bytes composing may add to what the process holds
PROBE_SECONDS = 0.001  # how often the memory is read while a brief composes
_ATOMS = (str, int, float, bool, type(None))  # values that hold no other


class TemplateLimit(jinja2.TemplateError):
    """A template that would take more time or memory than a brief can need."""


class _Memory:
    """What this process holds, in bytes: its resident set, read from /proc/self/statm (Linux; the
    file kept open while a brief composes, so a reading costs a few microseconds), else the most it
    has held (other Unix systems, where a process started by a large one may start high), else 0."""

    def __init__(self) -> None:
        try:
            self.statm: int | None = os.open("/proc/self/statm", os.O_RDONLY)
        except OSError:
            self.statm = None

    def now(self) -> int:
        if self.statm is not None:
            return int(os.pread(self.statm, 128, 0).split()[1]) * PAGE
        try:
            import resource
        except ImportError:  # not a Unix system
            return 0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, kilobytes elsewhere

    def close(self) -> None:
        if self.statm is not None:
            os.close(self.statm)
            self.statm = None


PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class Limits:
    """The clock and the memory ceiling of the brief being composed. `check`
    runs at every step a template takes (an operator, a call, a filter applied
    to an item, a turn of a loop, a measure); it reads the clock each time and
    the memory at most every `PROBE_SECONDS`."""

    def __init__(self) -> None:
        self.deadline = math.inf
        self.ceiling = math.inf
        self.next_probe = 0.0
        self.memory: _Memory | None = None

    def start(self) -> None:
        self.memory = _Memory()
        self.deadline = time.monotonic() + MAX_SECONDS
        self.ceiling = self.memory.now() + MAX_MEMORY

    def stop(self) -> None:
        self.deadline = self.ceiling = math.inf
        if self.memory is not None:
            self.memory.close()
            self.memory = None

    def check(self) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise TemplateLimit(f"composing takes longer than {MAX_SECONDS:g} s; the template loops too long")
        if now >= self.next_probe and self.memory is not None:
            self.next_probe = now + PROBE_SECONDS
            if self.memory.now() > self.ceiling:
                raise TemplateLimit(f"composing takes more than {MAX_MEMORY // 1_000_000} MB of memory; the template "
                                    "keeps too much (a macro that calls itself with large texts, many large variables)")


def check_brief_size(size: int) -> None:
    if size > MAX_OUTPUT:
        raise TemplateLimit(f"the brief grows beyond {MAX_OUTPUT:,} characters; the template writes too much")


def check_text_size(size: int, what: str = "a text") -> None:
    if size > MAX_OUTPUT:
        raise SecurityError(f"{what} of {size:,} characters is too large (at most {MAX_OUTPUT:,})")


def check_items(count: int, what: str = "a list") -> None:
    if count > MAX_SIZE:
        raise SecurityError(f"{what} of {count:,} items is too large (at most {MAX_SIZE:,})")


def check_width(width) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > MAX_WIDTH:
        raise SecurityError(f"a width of {width} is too large (at most {MAX_WIDTH})")


def text_size(value, limits: Limits) -> int:
    """At least the length of `str(value)`: exact for a text, an upper bound for
    a list, a dict or an object (written as Python writes them); a
    SecurityError past `MAX_OUTPUT`, or for lists nested past `MAX_DEPTH`."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (int, float)) or value is None:  # the commonest, measured without a walk
        return _leaf_size(value)
    return _measure(value, limits, text=True)


def item_count(value, limits: Limits) -> int:
    """How many items the list, tuple or dict `value` holds, those of the lists,
    tuples and dicts inside it counted (a text or an object is one); a
    SecurityError past `MAX_SIZE`, or for lists nested past `MAX_DEPTH`."""
    flat = [*value.keys(), *value.values()] if isinstance(value, dict) else value
    if len(flat) <= 64 and all(type(item) in _ATOMS for item in flat):  # `{'low': _('Low')}`, `[a, b]`: no walk
        return len(flat)
    return _measure(value, limits, text=False) - 1  # the list itself is an item of the one holding it


def _measure(value, limits: Limits, text: bool) -> int:
    """The size of `value`, from its leaves up, each container measured once
    however often it recurs (a template can share one list a million times at
    the cost of one). Without recursion, since nesting is what is measured."""
    limit = MAX_OUTPUT if text else MAX_SIZE
    sizes: dict[int, tuple[int, int]] = {}  # id → (size, depth)
    held = []  # the lists of children made while measuring, alive until the end (their ids are keys)
    stack: list[tuple[object, tuple | None]] = [(value, None)]
    steps = 0
    while stack:
        node, opened = stack.pop()
        steps += 1
        if steps % 4096 == 0:
            limits.check()
        if opened is None:
            if id(node) in sizes:
                continue
            children, overhead = _children(node, text)
            if children is None:
                sizes[id(node)] = (_leaf_size(node) if text else 1, 0)
                continue
            held.append(children)
            sizes[id(node)] = (0, 0)  # a namespace that holds itself is written once, as Python does
            stack.append((node, (children, overhead)))
            stack.extend((child, None) for child in children)
            continue
        children, overhead = opened
        size = overhead + sum(sizes[id(child)][0] for child in children) + (2 if text else 0) * len(children)
        depth = 1 + max((sizes[id(child)][1] for child in children), default=0)
        if depth > MAX_DEPTH:
            raise SecurityError(f"lists, tuples or dicts nested more than {MAX_DEPTH} deep")
        if size - (0 if text else 1) > limit:  # a container is one item of the one holding it, not of itself
            what = type(value).__name__
            raise SecurityError(f"the text of this {what} would be more than {limit:,} characters" if text else
                                f"a {what} of more than {limit:,} items is too large (counting the items of the lists "
                                "inside it)")
        sizes[id(node)] = (size, depth)
    return sizes[id(value)][0]


def _children(value, text: bool) -> tuple[list | tuple | None, int]:
    """The values inside a container, and the characters its own text adds; None for a leaf.
    Objects (the views of facts and sources, a namespace) are leaves when items are counted, and
    are written out, field by field, when a text is measured."""
    if isinstance(value, (str, bytes, int, float)) or value is None:
        return None, 0
    if isinstance(value, dict):
        return [*value.keys(), *value.values()], 2 if text else 1
    if isinstance(value, (list, tuple, set, frozenset)):
        return (value if isinstance(value, (list, tuple)) else list(value)), 16 if text else 1
    if isinstance(value, (KeysView, ValuesView, ItemsView)):  # dict.keys(), .values(), .items()
        return list(value), 16 if text else 1
    if not text:
        return None, 0
    if isinstance(value, Namespace):
        return [object.__getattribute__(value, "_Namespace__attrs")], 16
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return ([getattr(value, field.name) for field in fields],
                len(type(value).__qualname__) + 2 + sum(len(field.name) + 1 for field in fields))
    return None, 0


def _leaf_size(value) -> int:
    """At most the length of `repr(value)`, as a list's text holds it (and of `str(value)`)."""
    if isinstance(value, str):  # quotes, and escapes: \\ and \' take 2, \x00 4, \U0010ffff 10
        return len(value) * (2 if value.isprintable() else 10) + 2
    if isinstance(value, bytes):
        return len(value) * 4 + 3
    if isinstance(value, bool) or value is None:
        return 5
    if isinstance(value, int):
        return abs(value).bit_length() * 31 // 100 + 2  # its decimal digits (log10(2) < 0.31), and a sign
    if isinstance(value, float):
        return 24
    if isinstance(value, TemplateModule):  # `{% import %}`ed: its text is what the template wrote
        return sum(map(len, getattr(value, "_body_stream", ())))
    return len(repr(value))  # a macro, a loop, a cycler: a short description of itself


# The sizes of formatted texts ------------------------------------------------------------------

# A width and a precision in a format spec ('{:>300}', '{:.5f}'), and a printf-style field ('%-300.2s', '%(name)s').
_SPEC_WIDTH = re.compile(r"^(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?")
_PRINTF = re.compile(r"%(?:\(([^)]*)\))?[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?[hlL]?(.)", re.S)


def printf_size(text: str | bytes, values, limits: Limits) -> int:
    """At least the length of `text % values`; every width checked, stars included.
    Where the values do not fit the fields, the rest is left to `%`, which says what is wrong."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    positional = iter(values if isinstance(values, tuple) else (values,))
    total = len(text)
    try:
        for match in _PRINTF.finditer(text):
            key, width, precision, kind = match.groups()
            if kind == "%":
                continue
            sizes = [next(positional, 0) if part == "*" else int(part) if part else 0 for part in (width, precision)]
            for size in sizes:
                check_width(size)
            value = values[key] if key is not None else next(positional, "")
            total += sum(abs(s) for s in sizes if isinstance(s, int)) + _field_size(value, kind, limits)
    except (KeyError, IndexError, TypeError):
        pass
    return total


def format_size(text: str, args, kwargs, formatter: string.Formatter, limits: Limits) -> int:
    """At least the length of `text.format(*args, **kwargs)`; every width checked, a nested one
    (`'{:{w}}'`) once resolved. `formatter` reads the fields as the sandbox allows. Where the
    values do not fit the fields, the rest is left to `format`, which says what is wrong."""
    total, auto = 0, 0
    try:
        for literal, name, spec, conversion in formatter.parse(text):
            total += len(literal)
            if name is None:
                continue
            if not name or name[0] in ".[":  # '{}', '{.attr}', '{[0]}': numbered in turn
                name, auto = f"{auto}{name}", auto + 1
            value, _ = formatter.get_field(name, args, kwargs)
            resolved = ""
            for inner_literal, inner, inner_spec, _ in formatter.parse(spec or ""):
                resolved += inner_literal
                if inner is not None:
                    if not inner:
                        inner, auto = str(auto), auto + 1
                    resolved += _spec_part(formatter.get_field(inner, args, kwargs)[0], inner_spec or "")
            match = _SPEC_WIDTH.match(resolved)
            sizes = [int(part) if part else 0 for part in (match.groups() if match else ())]
            for size in sizes:
                check_width(size)
            total += sum(sizes) + _field_size(value, "r" if conversion in ("r", "a") else "s", limits)
    except (KeyError, IndexError, AttributeError, ValueError, TypeError):
        pass
    return total


def replaced_size(text, old, new, count: int = -1) -> int:
    """The length `text.replace(old, new, count)` would have, without making it."""
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


def _field_size(value, kind: str, limits: Limits) -> int:
    """At most how long one field of a format gets: a text as it is, a repr as a list item is, a number's digits."""
    if kind == "s":
        return text_size(value, limits)
    if kind in "ra":
        return text_size([value], limits)
    return 400 if isinstance(value, (int, float)) else text_size(value, limits)  # 1e308 with '%f': 309 digits


def _spec_part(value, spec: str) -> str:
    """A value inside a format spec (`w` of `'{:{w}}'`): a width or a fill, never a whole text."""
    short = isinstance(value, str) and len(value) <= 20 or isinstance(value, int) and value.bit_length() <= 64
    if isinstance(value, bool) or not short:
        raise SecurityError("a value inside a format spec is a short number or character")
    return format(value, spec)

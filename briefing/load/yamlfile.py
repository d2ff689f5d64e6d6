"""Read YAML keeping the line of every mapping and key, so schema errors point home."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import BriefingError

try:  # the C parser is several times faster on large dossiers
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class _LineLoader(_BaseLoader):
    def resolve(self, kind, value, implicit):
        """PyYAML's resolution, without its steps for path resolvers (none are
        registered here): it runs for every scalar of every fact file."""
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)
        if implicit[0]:
            for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                if regexp.match(value):
                    return tag
        return self.DEFAULT_SCALAR_TAG

    def descend_resolver(self, current_node, current_index):
        pass  # path resolvers only

    def ascend_resolver(self):
        pass


# Dates stay text ("2025-06-23"): the schema checks their shape, and "unknown" is allowed.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
_MERGE = "tag:yaml.org,2002:merge"  # `<<: *base`, which PyYAML's safe loader cannot build here
MAX_DIGITS = 100  # a number in a dossier is a count, a year, an amount: not a 5,000-digit integer
MAX_ENTRIES = 50_000  # entries of one list: the facts of a file, the sources, the evidence of a fact
MAX_KEYS = 10_000  # keys of one mapping: the fields of an entry, the key labels, the glossary
COUNT_FIRST = 2_000_000  # characters: a text this long has its lists and mappings counted before it is parsed


class TooManyEntries(BriefingError):
    """A file whose list holds more entries than it may (`EntryLimit`)."""


@dataclass(frozen=True)
class EntryLimit:
    """At most `count` entries in the list a file holds (the facts a dossier has room for), and
    what to say of one past them."""

    count: int
    message: str


_ROOT_LIMIT = EntryLimit(MAX_ENTRIES, f"a file holds at most {MAX_ENTRIES:,} entries; split them over several")
_LIST_LIMIT = f"a list holds at most {MAX_ENTRIES:,} entries"
_KEYS_LIMIT = f"a mapping holds at most {MAX_KEYS:,} keys"


class TypedInt(int):
    """An integer as YAML reads it, that keeps the text it was written as (`typed`): a fact's
    value is text shown in the brief, "017" and "0x1F" as the analyst wrote them, not 15 and 31."""

    typed: str

    def __new__(cls, number: int, typed: str) -> TypedInt:
        made = super().__new__(cls, number)
        made.typed = typed
        return made

    def __reduce__(self):
        return (TypedInt, (int(self), self.typed))


class TypedFloat(float):
    """A number with a fraction as YAML reads it, that keeps the text it was written as ("1.50")."""

    typed: str

    def __new__(cls, number: float, typed: str) -> TypedFloat:
        made = super().__new__(cls, number)
        made.typed = typed
        return made

    def __reduce__(self):
        return (TypedFloat, (float(self), self.typed))


_PREFIX = re.compile(r"^[-+]?(?:0[xXoObB])?")


def _check_digits(text: str, line: int) -> None:
    """The digits of a number as it is written (hex, octal, binary, decimal, a fraction), counted
    before it is converted: Python cannot even print an integer of 4,300 decimal digits."""
    if sum(c.isalnum() for c in _PREFIX.sub("", text, count=1)) > MAX_DIGITS:
        raise BriefingError(f"a number of more than {MAX_DIGITS} digits; write it in quotes, as text", line=line)


def _scalar_of(loader, node, kind: str, what: str, construct):
    """A tagged scalar by PyYAML's constructor, or one line saying what it is not: the constructors
    meet an explicit tag's value unchecked (`!!int 0x`, `!!bool maybe`, `!!float ""`)."""
    text = loader.construct_scalar(node)  # a list or a mapping tagged so is PyYAML's own error
    try:
        return text, construct(loader, node)
    except (ValueError, ArithmeticError, LookupError, TypeError):
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise BriefingError(f"invalid YAML: '{shown}' is not {what} (tagged !!{kind}); write the value in quotes, "
                            "as text", line=node.start_mark.line + 1) from None


def _construct_int(loader, node):
    """An integer, with the text typed; YAML 1.1's base 60 ("190:20:30", which it reads as 685230)
    is the text typed, not a number."""
    text = loader.construct_scalar(node)
    if ":" in text:
        return text
    _check_digits(text, node.start_mark.line + 1)
    text, number = _scalar_of(loader, node, "int", "a whole number", _BaseLoader.construct_yaml_int)
    return TypedInt(number, text)


def _construct_float(loader, node):
    """A number with a fraction, with the text typed; finite (YAML reads "1.0e+999999" as infinity,
    ".nan" as not a number), and base 60 is the text typed, as for an integer."""
    text = loader.construct_scalar(node)
    if ":" in text:
        return text
    _check_digits(text, node.start_mark.line + 1)
    text, number = _scalar_of(loader, node, "float", "a number", _BaseLoader.construct_yaml_float)
    if not math.isfinite(number):
        raise BriefingError("a number YAML reads as infinite or as not a number; write the value in quotes, as text",
                            line=node.start_mark.line + 1)
    return TypedFloat(number, text)


def _construct_bool(loader, node):
    return _scalar_of(loader, node, "bool", "true or false", _BaseLoader.construct_yaml_bool)[1]


def _construct_timestamp(loader, node) -> str:
    """A date stays the text typed, even tagged `!!timestamp`: the schema checks its shape and its
    calendar, as it does for a date without the tag."""
    return loader.construct_scalar(node)


for _tag, _constructor in (("int", _construct_int), ("float", _construct_float), ("bool", _construct_bool),
                           ("timestamp", _construct_timestamp)):
    _LineLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _constructor)


def _build_without_aliases(loader, node):
    """Plain data from a node of a text without aliases: text, lists and
    `LineDict`s built directly (most of a dossier), anything else (numbers,
    booleans, null) by PyYAML's constructor."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR else loader.construct_object(node, deep=True)
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        if len(node.value) > MAX_ENTRIES:
            raise BriefingError(_LIST_LIMIT, line=node.value[MAX_ENTRIES].start_mark.line + 1)
        return [_build_without_aliases(loader, child) for child in node.value]
    if kind is yaml.MappingNode and node.tag == _MAP:
        return _build_mapping(loader, node, _build_without_aliases)
    return loader.construct_object(node, deep=True)


def _construct_with_aliases(loader, node):
    """A child node by PyYAML's constructor, which builds a node repeated by an
    alias once and reports one that contains itself."""
    return loader.construct_object(node, deep=True)


def _build_mapping(loader, node, build_child):
    if len(node.value) > MAX_KEYS:
        raise BriefingError(_KEYS_LIMIT, line=node.value[MAX_KEYS][0].start_mark.line + 1)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = key_lines = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            raise BriefingError("a merge key ('<<:') is not supported: write the keys out in each entry",
                                line=key_node.start_mark.line + 1)
        key = build_child(loader, key_node)
        if isinstance(key, (list, dict, set)) or not _hashable(key):
            raise BriefingError("a key must be a plain name, not a list or a mapping", line=key_node.start_mark.line + 1)
        if key in mapping:
            raise BriefingError(f"the key '{key}' appears twice in one mapping", line=key_node.start_mark.line + 1)
        mapping[key] = build_child(loader, value_node)
        key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(_MAP, lambda loader, node: _build_mapping(loader, node, _construct_with_aliases))


def _hashable(key) -> bool:
    try:
        hash(key)
    except TypeError:
        return False
    return True


def _parse(text: str, limit: EntryLimit = _ROOT_LIMIT):
    """The document in `text` as plain data, its list at most `limit.count` entries long. Only a
    text with an anchor ('&name') can have aliases, so only such a text needs PyYAML's constructor
    throughout (any '&', as in "R&D", takes that way: slower, with the same result)."""
    if len(text) > COUNT_FIRST:
        _count_entries(text, limit)
    loader = _LineLoader(text)
    try:
        node = loader.get_single_node()
        if isinstance(node, yaml.SequenceNode) and len(node.value) > limit.count:
            raise TooManyEntries(limit.message, line=node.value[limit.count].start_mark.line + 1)
        if node is None:
            return None
        return loader.construct_document(node) if "&" in text else _build_without_aliases(loader, node)
    finally:
        loader.dispose()


_OPENS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_NODES = (yaml.ScalarEvent, yaml.AliasEvent) + _OPENS
_CLOSES = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


def _count_entries(text: str, limit: EntryLimit) -> None:
    """The lists and mappings of a long text, counted from the parser's events before a node is
    made, and refused at the first entry past their limit: made into nodes, 300,000 facts take
    gigabytes and most of a minute before they could be counted."""
    open_: list[list] = []  # for each list or mapping being read: [its limit, what to say past it, entries so far]
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, _NODES) and open_:
            counted = open_[-1]
            counted[2] += 1
            if counted[2] > counted[0]:
                raise (TooManyEntries if counted[1] == limit.message else BriefingError)(
                    counted[1], line=event.start_mark.line + 1)
        if isinstance(event, yaml.SequenceStartEvent):
            open_.append([limit.count, limit.message, 0] if not open_ else [MAX_ENTRIES, _LIST_LIMIT, 0])
        elif isinstance(event, yaml.MappingStartEvent):
            open_.append([2 * MAX_KEYS, _KEYS_LIMIT, 0])  # a key and its value
        elif isinstance(event, _CLOSES):
            open_.pop()


def read_text(path: Path, shown: Path | None = None) -> str:
    """Read a UTF-8 text file; a BOM is dropped, bad bytes are reported by offset.
    Errors name `shown` (the path as the dossier gives it) when given."""
    shown = path if shown is None else shown
    try:
        data = path.read_bytes()
    except OSError as error:  # a folder, a broken link, no permission
        raise BriefingError(f"cannot read this file: {(error.strerror or str(error)).lower()}", file=shown) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefingError(
            f"not UTF-8 text: byte {error.start} is 0x{data[error.start]:02x}; save the file as UTF-8",
            file=shown,
        ) from None
    return text.removeprefix("\ufeff")


_HINTS = {  # what the parser says → what to fix
    "mapping values are not allowed": "a ':' followed by a space inside a value needs the value in quotes, or the indentation is wrong",
    "did not find expected key": "check the indentation (keys of one entry line up) and that every quote is closed",
    "did not find expected '-' indicator": "check the indentation of the list entries",
    "found undefined alias": "'*' starts an alias in YAML; put the value in quotes",
    "found character that cannot start any token": "put the value in quotes",
    "found unconstructable recursive node": "an alias ('*name') stands inside the entry it names; write the value out",
}


def load_yaml(path: Path, shown: Path | None = None, limit: EntryLimit = _ROOT_LIMIT):
    """Parse one YAML file into plain data whose mappings are `LineDict`s;
    errors name `shown` when given (the path as the dossier has it). A list
    the file holds has at most `limit.count` entries."""
    shown = path if shown is None else shown
    return parse_yaml(read_text(path, shown), shown, limit)


def parse_yaml(text: str, path: Path, limit: EntryLimit = _ROOT_LIMIT):
    """Parse YAML `text` read from `path` (named in errors) into plain data
    whose mappings are `LineDict`s; lines count from the start of `text`.
    Every list holds at most `MAX_ENTRIES` entries, the file's own at most
    `limit.count`, and every mapping at most `MAX_KEYS` keys."""
    try:
        return _parse(text, limit)
    except BriefingError as error:
        raise type(error)(error.detail, file=path, line=error.line) from None
    except RecursionError:
        raise BriefingError("invalid YAML: exceeded maximum nesting depth; a dossier's entries nest a few levels",
                            file=path) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = error.problem or "not valid YAML"
        if "\t" in text and "tab" in str(what).lower() or "found character '\\t'" in str(what):
            what = "a tab character; YAML indents with spaces only"
        elif "quoted scalar" in str(error.context) and "end of stream" in what and error.context_mark:
            what, line = "a quote opened on this line is never closed", error.context_mark.line + 1
        else:
            what += next((f"; {hint}" for problem, hint in _HINTS.items() if problem in what), "")
        raise BriefingError(f"invalid YAML: {what}", file=path, line=line) from None
    except yaml.reader.ReaderError as error:  # a character YAML forbids, e.g. a control character
        line = text.count("\n", 0, error.position) + 1
        code = error.character
        escape = f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
        raise BriefingError(f'invalid YAML: the character U+{code:04X} is not allowed; remove it, or write it as'
                            f' "{escape}" inside double quotes', file=path, line=line) from None
    except yaml.YAMLError as error:
        raise BriefingError(f"invalid YAML: {' '.join(str(error).split())}", file=path) from None


def line_of(data, location: tuple) -> int | None:
    """The line of the deepest item of `data` named by a pydantic error location."""
    line = getattr(data, "line", None)
    node = data
    for part in location:
        if isinstance(node, LineDict) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        line = getattr(node, "line", line)
    return line

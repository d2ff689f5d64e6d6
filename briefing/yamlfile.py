"""Read YAML keeping the line of every mapping and key, so schema errors point home."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import BriefingError

try:  # the C parser is several times faster on large dossiers
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class _LineLoader(_BaseLoader):
    pass


# Dates stay text ("2025-06-23"): the schema checks their shape, and "unknown" is allowed.
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader, node, deep=False):
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise BriefingError(f"the key '{key}' appears twice in one mapping", line=key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file; a BOM is dropped, bad bytes are reported by offset."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BriefingError(
            f"not UTF-8 text: byte {error.start} is 0x{data[error.start]:02x}; save the file as UTF-8",
            file=path,
        ) from None
    return text.removeprefix("\ufeff")


def load_yaml(path: Path):
    """Parse one YAML file into plain data whose mappings are `LineDict`s."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)
    except BriefingError as error:
        raise BriefingError(error.detail, file=path, line=error.line) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        what = error.problem or "not valid YAML"
        if "\t" in text and "tab" in str(what).lower() or "found character '\\t'" in str(what):
            what = "a tab character; YAML indents with spaces only"
        raise BriefingError(f"invalid YAML: {what}", file=path, line=line) from None
    except yaml.YAMLError as error:
        raise BriefingError(f"invalid YAML: {error}", file=path) from None


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

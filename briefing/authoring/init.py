"""`briefing init`: a new dossier that builds at once.

The files are written as text, not dumped from data, so that each one opens
with comments saying what it holds and how to fill it in. By default the
dossier carries a worked example (one short article, a few facts quoting it,
one open question) so that `briefing build` works before the user has added
anything; `example=False` leaves the source, fact and question files holding
only their explanatory comments, for a new subject.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from pathlib import Path

from ..check.fingerprints import fingerprint
from ..compose.templates import SUFFIX, builtin_templates_dir
from ..errors import BriefingError, current_umask, write_error

EXAMPLE_ID = "example"

EXAMPLE_ARTICLE = """\
EXAMPLE ARTICLE — a made-up text that shows how a source looks. Replace it with your own.

Northbridge opens a new public library
By Zoë Example, 3 March 2025

The town council of Northbridge opened its new public library on Monday, 3 March 2025.
The building holds about 40,000 books and has a reading room for 120 people.
« C’est un lieu pour tout le monde », said the mayor, who spoke in French and English at the opening.
The council said the library cost 4.2 million euros, paid from the town’s own budget.
A local newspaper, quoting a council member, put the cost at 4.5 million euros.
"""

_DOSSIER = """\
# The brief as a whole: what it is about, who prepares it, how it is marked.
# Dates are written YYYY-MM-DD; anything not known is "unknown", never guessed.
title: {title}
subject: {subject}
organisation: {organisation}
author: {author}
date: {date}
reference: unknown
status: draft
marking: {marking}
language: en
keywords: []

# The sections of the brief, in order. Every fact names one of these ids.
# The built-in templates expect a section with the id `summary`.
sections:
  - id: summary
    title: Executive summary
  - id: developments
    title: Key developments
  - id: background
    title: Background

# Readable names for the keys that make facts comparable (see sources/facts/).
key_labels:{key_labels}

# What the sources do not include, for the source summary statement.
source_gaps: []
"""

_SOURCES_HEADER = """\
# One entry per article; its text is in `file`, verbatim. Add articles with
#   briefing add-source ARTICLE.txt --outlet ... --date YYYY-MM-DD --reliability A-F
# Metadata that is not known says "unknown": never guess it.
# reliability: Admiralty scale A (completely reliable) to F (cannot be judged);
# reliability_reason says in one line why. sha256 is the fingerprint of the
# text: after changing a text on purpose, run  briefing sources --accept ID
"""

_EXAMPLE_SOURCE = f"""
- id: example
  file: texts/example.txt
  title: "Northbridge opens a new public library"
  outlet: unknown
  author: "Zoë Example"
  date: "2025-03-03"
  language: en
  url: unknown
  reliability: F
  reliability_reason: "A made-up example article: its reliability cannot be judged."
  sha256: {fingerprint(EXAMPLE_ARTICLE)}
"""

_FACTS_HEADER = """\
# Facts: each a claim in English, backed by verbatim quotes from the sources.
# Find the exact words to quote with
#   briefing quote SOURCE-ID "a few words of the passage"
# Fields: id, section (one of sources/dossier.yaml), claim, evidence (source +
# quote); optional: headline (true/false), kind (fact or judgment), confidence
# (low, moderate, high; required for a judgment), key + value (facts with the
# same key and different values are listed as a discrepancy).
"""

_EXAMPLE_FACTS = """
- id: example-opening
  section: summary
  headline: true
  claim: "Northbridge opened a new public library on 3 March 2025."
  evidence:
    - source: example
      quote: "The town council of Northbridge opened its new public library on Monday, 3 March 2025."

- id: example-size
  section: developments
  headline: true
  claim: "The library holds about 40,000 books and seats 120 readers."
  evidence:
    - source: example
      quote: "The building holds about 40,000 books and has a reading room for 120 people."

- id: example-cost-council
  section: developments
  claim: "According to the council, the library cost 4.2 million euros."
  key: library.cost
  value: "4.2 million euros"
  evidence:
    - source: example
      quote: "The council said the library cost 4.2 million euros, paid from the town’s own budget."

- id: example-cost-newspaper
  section: developments
  claim: "A local newspaper put the cost at 4.5 million euros."
  key: library.cost
  value: "4.5 million euros"
  evidence:
    - source: example
      quote: "A local newspaper, quoting a council member, put the cost at 4.5 million euros."

- id: example-mayor
  section: background
  claim: "The mayor presented the library as a place for everyone."
  evidence:
    - source: example
      quote: "« C’est un lieu pour tout le monde », said the mayor"
"""

_QUESTIONS_HEADER = """\
# Open questions: what the sources leave unanswered, why it matters, and what
# would settle it. `follows_from` names the facts that raise the question.
"""

_EXAMPLE_QUESTION = """
- id: example-cost
  question: "What did the library cost?"
  why: "The council and a local newspaper give different figures."
  settle: "The council's published accounts for 2025."
  follows_from: [example-cost-council, example-cost-newspaper]
"""


def create_dossier(root: str | Path, *, title: str | None = None, subject: str = "unknown",
                   organisation: str = "unknown", author: str = "unknown", marking: str = "UNCLASSIFIED",
                   date: str | None = None, example: bool = True) -> list[Path]:
    """Create a dossier in `root` (absent or empty); return the files written."""
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise BriefingError("a file of that name exists; choose a folder name for the new dossier", file=root)
    if root.is_dir() and any(root.iterdir()):
        raise BriefingError("the folder is not empty; choose a new folder (briefing init creates it)", file=root)
    folder = root / "sources"
    values = {
        "title": title or _title_from(root),
        "subject": subject,
        "organisation": organisation,
        "author": author,
        "marking": marking,
        "date": date or datetime.date.today().isoformat(),
    }
    _check_options(values, title is None)
    config = _DOSSIER.format(
        **{name: _quoted(value) for name, value in values.items()},
        key_labels='\n  library.cost: "Cost of the library"' if example else " {}",
    )
    _check_config(config, root, title is None)
    files = {
        folder / "dossier.yaml": config,
        folder / "sources.yaml": _SOURCES_HEADER + (_EXAMPLE_SOURCE if example else ""),
        folder / "questions.yaml": _QUESTIONS_HEADER + (_EXAMPLE_QUESTION if example else ""),
    }
    if example:
        files[folder / "texts" / f"{EXAMPLE_ID}.txt"] = EXAMPLE_ARTICLE
        files[folder / "facts" / f"{EXAMPLE_ID}.yaml"] = _FACTS_HEADER + _EXAMPLE_FACTS
    else:  # the comments alone: facts are appended below them
        files[folder / "facts" / "facts.yaml"] = _FACTS_HEADER
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.", suffix=".part"))
    except OSError as error:
        raise _not_created(error, root) from None
    try:  # built whole beside its place, then moved there: a full disk leaves no half-made dossier
        os.chmod(building, 0o777 & ~current_umask())
        (building / "sources" / "texts").mkdir(parents=True)
        (building / "sources" / "facts").mkdir()
        for path, text in files.items():
            (building / path.relative_to(root)).write_text(text, encoding="utf-8")
        _copy_templates(building / "templates")
        (building / ".gitignore").write_text("out/\n", encoding="utf-8")
        if root.is_dir():
            root.rmdir()  # empty, checked above
        os.replace(building, root)
    except OSError as error:
        shutil.rmtree(building, ignore_errors=True)
        raise _not_created(error, root) from None
    return list(files) + sorted((root / "templates").iterdir())


def _option(name: str, from_folder: bool) -> str:
    """How an error names a value of dossier.yaml: the option that gave it."""
    return "the title taken from the folder name (give --title)" if name == "title" and from_folder else f"--{name}"


def _check_options(values: dict[str, str], from_folder: bool) -> None:
    """An option that is no text at all: a byte the terminal gave that is not UTF-8 (Python keeps it
    as half of a surrogate pair, which no file can hold)."""
    for name, value in values.items():
        bad = next((c for c in value if "\ud800" <= c <= "\udfff"), None)
        if bad is not None:
            shown = f"byte 0x{ord(bad) - 0xDC00:02x}" if 0xDC80 <= ord(bad) <= 0xDCFF else f"U+{ord(bad):04X}"
            raise BriefingError(f"{_option(name, from_folder)}: is not UTF-8 text ({shown}); "
                                "type it again, or set the terminal to UTF-8")


def _check_config(text: str, root: Path, from_folder: bool) -> None:
    """The dossier.yaml about to be written, read back as `check` will read it: what the loader
    would refuse is refused now, naming the option that gave it, before anything is written."""
    from ..errors import raise_all
    from ..load.model import DossierConfig
    from ..load.validate import validate_models
    from ..load.yamlfile import parse_yaml

    path = root / "sources" / "dossier.yaml"
    errors: list[BriefingError] = []
    data = parse_yaml(text, path)
    validate_models(path, data, DossierConfig, errors, single=True)
    names = {line: name for name, line in getattr(data, "key_lines", {}).items()}
    found = []
    for error in errors:
        name = names.get(error.line, "")
        detail = error.detail.removeprefix(f"'{name}': ") if name else error.detail
        found.append(BriefingError(f"{_option(name, from_folder)}: {detail}" if name else detail))
    raise_all(found)


def _not_created(error: OSError, root: Path) -> BriefingError:
    detail = write_error(error, root, "cannot create the dossier").detail
    return BriefingError(detail.replace("earlier outputs are unchanged", "nothing was created"), file=root)


def _copy_templates(target: Path) -> list[Path]:
    source = builtin_templates_dir()
    target.mkdir()
    copied = []
    for path in sorted(source.glob("*" + SUFFIX)) + [source / "reference.docx"]:
        if path.is_file():
            copied.append(Path(shutil.copyfile(path, target / path.name)))
    return copied


def _title_from(root: Path) -> str:
    name = root.resolve().name.replace("-", " ").replace("_", " ").strip() or "New brief"
    return name[:1].upper() + name[1:]


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)

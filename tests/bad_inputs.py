"""The corpus of bad inputs: what an analyst or a colleague gets wrong, and
what the user must see for it.

Each case changes a fresh, valid dossier (`conftest.make_dossier`) that has
already been built once into out/, then runs one command as the console
script does (`briefing.cli.run`; as a child process where the case needs
one). `tests/test_bad_inputs.py` checks, for every case: the exit code, one
line of message holding `message`, the file (and line) in `where`, no
traceback, and out/ exactly as it was: earlier outputs byte-identical, no
partial or temporary file.

`where` is a regular expression for what comes between "error: " and the
message; "{root}" stands for the dossier folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import yaml
from conftest import pdf_with_streams, word_bomb

Change = Callable[[Path], None]

FACTS = "sources/facts/facts.yaml"
SOURCES = "sources/sources.yaml"
CONFIG = "sources/dossier.yaml"
ARTICLE = "sources/texts/one.txt"
HEAD = "{#---\nname: t\naudience: Testers\ndescription: A test template.\n---#}\n"  # a template's lines 1-5

BUILD = ("build", "-d", "{root}")
BUILD_T = ("build", "-d", "{root}", "-t", "t", "-f", "pdf")  # the template 't' that a case writes
CHECK = ("check", "-d", "{root}")


@dataclass(frozen=True)
class Case:
    id: str
    change: Change | None
    message: str  # a fragment of the message
    where: str | None = None  # regex: "{root}/sources/facts/facts\.yaml:4"; None: no file to name
    args: tuple[str, ...] = BUILD
    code: int = 1
    several: bool = False  # aggregated dossier errors: one `file:line: message` line each
    out: str = "out"  # "out" (in the dossier), "readonly", "full", "fsize": how the output folder fails
    interrupt: bool = False  # SIGINT once a temporary output file appears
    process: bool = False  # run as a child process even so (test_bad_inputs.needs_process): say why at the case
    env: tuple[tuple[str, str], ...] = ()  # environment variables set for the command
    interrupt_with: int = signal.SIGINT  # the signal `interrupt` sends
    serve: bool = False  # a local HTTP server runs for the command; "{url}" in args is its address

    def __str__(self) -> str:
        return self.id


# changes ---------------------------------------------------------------------

def replace(relative: str, old: str, new: str) -> Change:
    def change(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return change


def write(relative: str, data: str | bytes) -> Change:
    def change(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return change


def remove(relative: str) -> Change:
    return lambda root: (root / relative).unlink()


def edit_yaml(relative: str, edit: Callable) -> Change:
    """Load a YAML file, let `edit` change the data, write it back as make_dossier does."""
    def change(root: Path) -> None:
        path = root / relative
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return change


def template(body: str, name: str = "t.md.j2", head: str = HEAD) -> Change:
    return write(f"templates/{name}", head + textwrap.dedent(body))


def both(*changes: Change) -> Change:
    def change(root: Path) -> None:
        for each in changes:
            each(root)
    return change


def setitem(path: tuple, value) -> Callable:
    """An edit: data[path[0]][path[1]]... = value (None deletes)."""
    def edit(data) -> None:
        *parents, last = path
        for key in parents:
            data = data[key]
        if value is None:
            del data[last]
        else:
            data[last] = value
    return edit


def accept(source_id: str) -> Change:
    """Record the fingerprint of a text changed on purpose (briefing sources --accept)."""
    def change(root: Path) -> None:
        from briefing.authoring.accept import accept_fingerprints

        accept_fingerprints(root, [source_id])
    return change


def add_fact(**fields) -> Change:
    fact = {"id": "extra", "section": "summary", "claim": "An extra claim.",
            "evidence": [{"source": "one", "quote": "Trois accords ont été signés"}]} | fields
    return edit_yaml(FACTS, lambda facts: facts.append(fact))


def many_facts(count: int) -> Change:
    """A dossier big enough that rendering takes a while (for the interrupt)."""
    quote = "Le président a reçu son homologue à Moscou le 23 juin 2025."
    return edit_yaml(FACTS, lambda facts: facts.extend(
        {"id": f"bulk-{n}", "section": "accords", "headline": True,
         "claim": f"Bulk claim {'x' * (n % 7 + 1)}, long enough to wrap over a line or more of the evidence list of the brief.",
         "evidence": [{"source": "one", "quote": quote}]} for n in range(count)))


SECOND_ARTICLE = "Un autre article. Le sommet a duré trois heures.\n"


def second_source(root: Path) -> None:
    write("sources/texts/two.txt", SECOND_ARTICLE)(root)
    edit_yaml(SOURCES, lambda sources: sources.append(
        {"id": "two", "file": "texts/two.txt", "outlet": "Outlet two", "reliability": "C"}))(root)


# a dossier from someone else ---------------------------------------------------

SECRET = "TOP-SECRET-4711 the key to the vault\n"  # a file beside the dossier that it must not reach


def secret(root: Path) -> Path:
    path = root.parent / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def link(relative: str, target: Callable[[Path], Path | str]) -> Change:
    """Replace `relative` by a symbolic link to `target(root)`."""
    def change(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        path.unlink(missing_ok=True)
        path.symlink_to(target(root))
    return change


def victim(root: Path) -> Path:
    """A folder outside the dossier, which a link would have outputs written to."""
    folder = root.parent / "victim"
    folder.mkdir(exist_ok=True)
    return folder


def fifo(relative: str) -> Change:
    def change(root: Path) -> None:
        path = root / relative
        path.unlink(missing_ok=True)
        os.mkfifo(path)
    return change


def outside_yaml(text: str) -> Callable[[Path], Path]:
    def target(root: Path) -> Path:
        path = root.parent / "elsewhere.yaml"
        path.write_text(text, encoding="utf-8")
        return path
    return target


def scanned_pdf(root: Path) -> None:
    """A PDF of one page that is an image: no text layer."""
    from reportlab.pdfgen import canvas

    page = canvas.Canvas(str(root.parent / "scan.pdf"))
    page.rect(50, 50, 400, 600, fill=1)
    page.save()


def reference_with(name: str, megabytes: int) -> Change:
    """The shipped reference.docx with the part `name` made `megabytes` of spaces (a few kB zipped)."""
    def change(root: Path) -> None:
        import zipfile

        from conftest import REPO

        with zipfile.ZipFile(REPO / "templates" / "reference.docx") as shipped:
            parts = {part: shipped.read(part) for part in shipped.namelist()}
        (root / "templates").mkdir(exist_ok=True)
        with zipfile.ZipFile(root / "templates" / "reference.docx", "w", zipfile.ZIP_DEFLATED) as package:
            for part, data in parts.items():
                if part != name:
                    package.writestr(part, data)
            with package.open(name, "w", force_zip64=True) as big:
                big.write(parts.get(name, b"")[:-20] if name in parts else b"")
                for _ in range(megabytes):
                    big.write(b" " * 1_000_000)
                big.write(parts.get(name, b"")[-20:])
    return change


def long_article(root: Path) -> None:
    """The article, then a line of 1.6 MB that never ends a sentence."""
    from conftest import one_long_sentence

    path = root / ARTICLE
    path.write_text(path.read_text(encoding="utf-8") + one_long_sentence() + "\n", encoding="utf-8")


def hostile_reference_docx(root: Path) -> None:
    from conftest import hostile_reference

    hostile_reference(root / "templates" / "reference.docx")


def reference_section(section: str) -> Change:
    """The shipped reference.docx with `section` in place of the page setup (`<w:sectPr>`) of its document."""
    def change(root: Path) -> None:
        import re
        import zipfile

        from conftest import REPO

        with zipfile.ZipFile(REPO / "templates" / "reference.docx") as shipped:
            parts = {part: shipped.read(part) for part in shipped.namelist()}
        document = parts["word/document.xml"].decode()
        parts["word/document.xml"] = re.sub(r"<w:sectPr[ >].*</w:sectPr>", section, document, flags=re.S).encode()
        (root / "templates").mkdir(exist_ok=True)
        with zipfile.ZipFile(root / "templates" / "reference.docx", "w") as package:
            for part, data in parts.items():
                package.writestr(part, data)
    return change


def beside(make: Callable[[Path], Path], name: str, **options) -> Change:
    """../`name` beside the dossier, made by `make(path, **options)` (a bomb of conftest)."""
    return lambda root: make(root.parent / name, **options) and None


def word_file_with(declaration: str, old: str, new: str) -> Change:
    """../odd.docx beside the dossier: a Word file whose document.xml has `declaration` after its XML
    declaration and `new` in place of `old` in its text."""
    def change(root: Path) -> None:
        import zipfile

        import docx

        path = root.parent / "odd.docx"
        document = docx.Document()
        document.add_paragraph("The commission met in Calder on 7 April 2025 and read the level of the lake.")
        document.save(str(path))
        with zipfile.ZipFile(path) as package:
            parts = {part: package.read(part) for part in package.namelist()}
        xml = parts["word/document.xml"].decode()
        head = xml.index("?>") + 2
        parts["word/document.xml"] = (xml[:head] + declaration + xml[head:].replace(old, new)).encode()
        with zipfile.ZipFile(path, "w") as package:
            for part, data in parts.items():
                package.writestr(part, data)
    return change


PDF_PAGE = b"BT /F1 14 Tf 72 700 Td (The commission met in Calder on 7 April 2025.) Tj ET"


def second_template(name: str, front_name: str) -> Change:
    return write(f"templates/{name}", HEAD.replace("name: t", f"name: {front_name}") + "## Points\n")


MAIL = ("mail", "-d", "{root}", "-t", "executive", "--to", "office@example.org", "--from", "desk@example.org")


F = r"{root}/sources/facts/facts\.yaml"
S = r"{root}/sources/sources\.yaml"
D = r"{root}/sources/dossier\.yaml"
T = r"{root}/templates/t\.md\.j2"


CASES = [
    # malformed YAML ----------------------------------------------------------
    Case("yaml-tab", replace(FACTS, "  section: summary", "\tsection: summary"),
         "invalid YAML: a tab character; YAML indents with spaces only", F + ":2", CHECK),
    Case("yaml-unclosed-quote", replace(FACTS, "claim: The president", 'claim: "The president'),
         "invalid YAML: a quote opened on this line is never closed", F + ":4", CHECK),
    Case("yaml-bad-indent", replace(FACTS, "  section: summary", "    section: summary"),
         "invalid YAML: mapping values are not allowed in this context; a ':' followed by a space", F + ":2"),
    Case("yaml-list-indent", replace(FACTS, "  claim: Three", " claim: Three"),
         "check the indentation of the list entries", F + ":13", CHECK),
    Case("yaml-colon-in-value", replace(FACTS, "claim: The president received", "claim: Note: the president received"),
         "needs the value in quotes", F + ":4", CHECK),
    Case("yaml-alias-star", replace(FACTS, "claim: The president", "claim: *The president"),
         "'*' starts an alias in YAML; put the value in quotes", F + ":4", CHECK),
    Case("yaml-recursive-alias", replace(FACTS, "  headline: true\n  claim: The", "  headline: true\n  see: &loop [*loop]\n  claim: The"),
         "invalid YAML: found unconstructable recursive node; an alias ('*name') stands inside the entry it names", F + ":4", CHECK),
    Case("yaml-control-character", replace(FACTS, "claim: The president", "claim: The \x07president"),
         'invalid YAML: the character U+0007 is not allowed; remove it, or write it as "\\x07" inside double quotes',
         F + ":4", CHECK),
    # A merge key: before, PyYAML's "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'", and
    # questions.yaml's follows_from naming facts of the failed file as unknown.
    Case("yaml-merge-key", both(replace(FACTS, "- id: meeting", "- &base\n  id: meeting"),
                                replace(FACTS, "- id: accords", "- <<: *base\n  id: accords"),
                                write("sources/questions.yaml", "- id: q1\n  question: Who?\n  why: Because.\n  settle: A list.\n"
                                      "  follows_from: [accords]\n")),
         "a merge key ('<<:') is not supported: write the keys out in each entry", F + ":9", CHECK),
    Case("yaml-merge-key-build", both(replace(FACTS, "- id: meeting", "- &base\n  id: meeting"),
                                      replace(FACTS, "- id: accords", "- <<: *base\n  id: accords")),
         "a merge key ('<<:') is not supported: write the keys out in each entry", F + ":9", BUILD),
    Case("yaml-duplicate-key", replace(FACTS, "  headline: true\n  claim: The", "  headline: true\n  section: accords\n  claim: The"),
         "the key 'section' appears twice in one mapping", F + ":4", CHECK),
    Case("yaml-list-as-key", replace(FACTS, "  headline: true\n  claim: The", "  ? [a, b]\n  : c\n  claim: The"),
         "a key must be a plain name, not a list or a mapping", F + ":3", CHECK),
    Case("yaml-facts-not-a-list", write(FACTS, "id: meeting\nsection: summary\n"),
         "expected a list of entries, each starting with '- '", F + ":1", CHECK),
    Case("yaml-config-not-a-mapping", write(CONFIG, "- title: Test brief\n"),
         "expected a mapping of fields", D + ":1", CHECK),
    Case("yaml-not-utf8", write(FACTS, "- id: r\xe9union\n".encode("latin-1")),
         "not UTF-8 text: byte 7 is 0xe9; save the file as UTF-8", F, CHECK),

    # wrong types, missing and unknown fields -----------------------------------
    Case("missing-claim", edit_yaml(FACTS, setitem((0, "claim"), None)),
         "missing required field 'claim'", F + ":1", CHECK),
    Case("missing-evidence", edit_yaml(FACTS, setitem((1, "evidence"), None)),
         "missing required field 'evidence'", F + ":8"),
    Case("missing-title", edit_yaml(CONFIG, setitem(("title",), None)),
         "missing required field 'title'", D + ":1", CHECK),
    Case("missing-sources-file", remove(SOURCES), "file is missing", S, CHECK),
    Case("missing-fact-files", remove(FACTS), "no fact files (sources/facts/*.yaml)", r"{root}/sources/facts", CHECK),
    Case("missing-article", remove(ARTICLE), "source 'one': text file 'texts/one.txt' not found", S + ":1", CHECK),
    Case("not-a-dossier", lambda root: (root / CONFIG).unlink(),
         "no dossier here (sources/dossier.yaml is missing)", r"{root}", CHECK),
    Case("unknown-field", replace(FACTS, "  claim: The president", "  cliam: The president"),
         "unknown field 'cliam'; allowed fields: id, section, claim", F + ":4", CHECK, several=True),
    Case("wrong-type-evidence", edit_yaml(FACTS, setitem((0, "evidence"), "Le président a reçu son homologue")),
         "'evidence' has the wrong type (str): input should be a valid list", F + ":5", CHECK),
    Case("wrong-type-headline", edit_yaml(FACTS, setitem((0, "headline"), "very")),
         "'headline': Input should be a valid boolean", F + ":3", CHECK),
    Case("wrong-type-sections", edit_yaml(CONFIG, setitem(("sections",), "summary")),
         "'sections' has the wrong type (str): input should be a valid list", D + ":8", CHECK),
    Case("bad-date", edit_yaml(SOURCES, setitem((0, "date"), "23/06/2025")),
         "'date': write the date as YYYY-MM-DD (or YYYY-MM, YYYY), or 'unknown'", S + ":5", CHECK),
    Case("bad-reliability", edit_yaml(SOURCES, setitem((0, "reliability"), "Z")),
         "'reliability': Input should be 'A', 'B', 'C', 'D', 'E' or 'F'", S + ":7", CHECK),
    Case("judgment-without-confidence", edit_yaml(FACTS, setitem((0, "kind"), "judgment")),
         "a judgment needs a confidence: low, moderate or high", F + ":1", CHECK),
    Case("key-without-value", edit_yaml(FACTS, setitem((1, "value"), None)),
         "'key' and 'value' go together: give both or neither", F + ":8", CHECK),
    Case("silent-on-unknown-point", add_fact(silent_on="accords.nowhere"),
         "fact 'extra': silent_on names 'accords.nowhere', a point no fact gives; points of this dossier:", F + r":\d+", CHECK),
    Case("silent-on-and-key", edit_yaml(FACTS, setitem((1, "silent_on"), "x")),
         "'silent_on' and 'key' exclude each other: a fact gives a point or is silent on it", F + ":8", CHECK),
    Case("bad-id", edit_yaml(FACTS, setitem((0, "id"), "two words")),
         "'id': an id uses letters, digits", F + ":1", CHECK),
    Case("blank-claim", edit_yaml(FACTS, setitem((0, "claim"), "   ")),
         "'claim' is empty; write it", F + ":4", CHECK),
    Case("empty-evidence", edit_yaml(FACTS, setitem((0, "evidence"), [])),
         "'evidence' is empty; give at least one entry", F + ":5", CHECK),
    Case("huge-fact", edit_yaml(FACTS, setitem((0, "claim"), "The president received his counterpart. " * 2000)),
         "'claim': a claim is at most 2000 characters (this one has 79999); split it into several facts", F + ":4"),
    Case("huge-quote", edit_yaml(FACTS, setitem((0, "evidence", 0, "quote"), "Le président " * 400)),
         "a quote is at most 2000 characters", F + r":\d+", CHECK),
    Case("title-control-character", edit_yaml(CONFIG, setitem(("title",), "Test\x07brief")),
         "'title': holds the character U+0007, which a document cannot show; remove it", D + ":1", CHECK),
    Case("several-errors-at-once", both(edit_yaml(FACTS, setitem((0, "claim"), None)),
                                        edit_yaml(SOURCES, setitem((0, "reliability"), "Z"))),
         "missing required field 'claim'", F + ":1", CHECK, several=True),

    # articles ------------------------------------------------------------------
    Case("empty-article", write(ARTICLE, " \n\n"), "source 'one': the article text is empty", r"{root}/sources/texts/one\.txt", CHECK),
    Case("article-not-utf8", write(ARTICLE, "Le président a reçu".encode("latin-1")),
         "not UTF-8 text: byte 5 is 0xe9; save the file as UTF-8", r"{root}/sources/texts/one\.txt"),
    Case("article-bom-crlf-works", both(write(ARTICLE, "\ufeff".encode() + "Le président a reçu son homologue à Moscou\r\nle 23 juin 2025. "
                                              "Trois accords ont été signés, dont un sur l’énergie nucléaire.\r\n".encode()),
                                        accept("one")),
         "", code=0),
    Case("article-resaved-bom-crlf-same-fingerprint", lambda root: (root / ARTICLE).write_bytes(
        b"\xef\xbb\xbf" + (root / ARTICLE).read_bytes().replace(b"\n", b"\r\n")), "", code=0),
    Case("article-changed-since-added", replace(ARTICLE, "de bons résultats", "d’excellents résultats"),
         "the text changed since it was added (sha256 ", r"{root}/sources/texts/one\.txt", CHECK),
    Case("article-changed-names-the-accept-command", replace(ARTICLE, "a-t-il déclaré", "a-t-il dit"),
         "; if the change is intended, run: briefing sources --accept one --dossier ", r"{root}/sources/texts/one\.txt"),
    Case("bad-sha256", edit_yaml(SOURCES, setitem((0, "sha256"), "ABC123")),
         "'sha256': a fingerprint is 64 lowercase hexadecimal digits; to record the right one, run: "
         "briefing sources --accept one", S + ":9", CHECK),
    Case("yaml-bom-crlf-works", lambda root: [
        (root / name).write_bytes(b"\xef\xbb\xbf" + (root / name).read_bytes().replace(b"\n", b"\r\n"))
        for name in (FACTS, SOURCES, CONFIG)], "", code=0),
    Case("template-bom-crlf-works", write("templates/t.md.j2", "\ufeff" + (HEAD + "## Points\r\n\r\n{% for f in facts %}- {{ f.claim | md }}{{ cite(f) }}\r\n{% endfor %}").replace("\n", "\r\n")),
         "", args=BUILD_T, code=0),

    # checking ------------------------------------------------------------------
    Case("unknown-section", edit_yaml(FACTS, setitem((0, "section"), "sumary")),
         "fact 'meeting': unknown section 'sumary'; sections of this dossier: summary, accords", F + ":1"),
    Case("unknown-source", edit_yaml(FACTS, setitem((0, "evidence", 0, "source"), "tass")),
         "fact 'meeting': unknown source 'tass'; known sources: one", F + ":6"),
    Case("duplicate-fact-id", edit_yaml(FACTS, setitem((1, "id"), "meeting")),
         "duplicate fact id 'meeting' (first defined at ", F + ":8"),
    Case("duplicate-source-id", both(second_source, edit_yaml(SOURCES, setitem((1, "id"), "one"))),
         "duplicate source id 'one'", S + ":10", CHECK),
    Case("duplicate-section-id", edit_yaml(CONFIG, setitem(("sections", 1, "id"), "summary")),
         "duplicate section id 'summary'", D + ":11", CHECK, several=True),
    Case("quote-not-in-source", edit_yaml(FACTS, setitem((0, "evidence", 0, "quote"), "Le président a reçu son ami à Moscou")),
         "fact 'meeting': quote not found in source 'one': «Le président a reçu son ami à Moscou»; closest passage: «Le président a reçu son homologue»",
         F + ":6"),
    Case("quote-in-another-source", both(second_source, edit_yaml(FACTS, setitem((0, "evidence", 0, "quote"), "Le sommet a duré trois heures."))),
         "fact 'meeting': quote not in source 'one' but found in 'two': fix the source id", F + ":6"),
    Case("question-follows-unknown-fact", write("sources/questions.yaml", "- id: q1\n  question: Who?\n  why: Because.\n  settle: A list.\n  follows_from: [nothing]\n"),
         "question 'q1': follows_from names unknown fact 'nothing'", r"{root}/sources/questions\.yaml:1", CHECK),

    # templates -----------------------------------------------------------------
    Case("template-syntax-error", template("ok\n{% for f in facts %}\n{{ f.claim }\n"),
         "template syntax error: unexpected '}'", T + ":8", BUILD_T),
    Case("template-unclosed-block", template("ok\n{% for f in facts %}\n{{ f.claim }}\n"),
         "template syntax error: Unexpected end of template", T + r":\d+", BUILD_T),
    Case("template-syntax-error-in-partial", both(template("{% include '_part.md.j2' %}\n"), write("templates/_part.md.j2", "one\ntwo {% if %}\n")),
         "template syntax error", r"{root}/templates/_part\.md\.j2:2", BUILD_T),
    # A dossier language briefing has no catalogue for: the line of `language:`, not the first of the file.
    Case("language-without-catalogue", replace(CONFIG, "title: Test brief", "# the brief's settings\ntitle: Test brief\n"
                                               "language: zz"),
         "briefing has no catalogue for the language 'zz'", D + ":3", BUILD),
    # A --lang that is no language code is refused before a file name is made of it: before, 250 letters gave
    # "internal error: OSError: File name too long", and an empty one wrote executive..md.
    Case("language-option-too-long", None, "'" + "a" * 250 + "' is not a language code: write one such as en or fr", None,
         ("build", "-d", "{root}", "-t", "executive", "-f", "md", "--lang", "a" * 250)),
    Case("language-option-empty", None, "'' is not a language code: write one such as en or fr", None,
         ("build", "-d", "{root}", "-t", "executive", "-f", "md", "--lang", "")),
    Case("language-option-empty-mail", None, "'' is not a language code: write one such as en or fr", None, (*MAIL, "--lang", "")),
    Case("language-without-catalogue-mail", replace(CONFIG, "marking: UNCLASSIFIED", "marking: UNCLASSIFIED\nlanguage: zz"),
         "briefing has no catalogue for the language 'zz'", D + ":8", MAIL),
    # Numbers longer than Python writes out (4300 digits): before, its own words, and no line.
    Case("template-number-too-long", template("{{ " + "1" * 5000 + " }}\n"),
         "template syntax error: number too long (5000 digits; at most 4300)", T + ":6", BUILD_T),
    Case("template-number-too-long-on-its-line", template("one\n\n{{ 1 +\n   " + "2" * 4301 + " }}\n"),
         "template syntax error: number too long (4301 digits; at most 4300)", T + ":9", BUILD_T),
    Case("template-hex-number-too-long", template("one\n{{ 0x" + "f" * 5000 + " }}\n"),
         "template syntax error: number too long to write out (more than 4300 digits)", T + ":7", BUILD_T),
    Case("template-number-made-too-long", template("{% set x = 10 ** 1000 %}\n{{ x * x * x * x * x }}\n"),
         "template error: number too long to write out (more than 4300 digits)", T + ":7", BUILD_T),
    Case("template-undefined", template("one\n{{ facts[0].claim }}\n{{ nothing_here }}\n"),
         "undefined in template: 'nothing_here' is undefined", T + ":8", BUILD_T),
    Case("template-undefined-attribute", template("{{ facts[0].colour }}\n"),
         "has no attribute 'colour'", T + ":6", BUILD_T),
    Case("sandbox-class", template("{{ facts.__class__ }}\n"),
         "template refused by the sandbox: access to attribute '__class__' of 'tuple' object is unsafe", T + ":6", BUILD_T),
    Case("sandbox-globals", template("{{ cite.__globals__ }}\n"),
         "template refused by the sandbox: access to attribute '__globals__' of 'function' object is unsafe", T + ":6", BUILD_T),
    Case("sandbox-subclasses", template("{{ ().__class__.__base__.__subclasses__() }}\n"),
         "template refused by the sandbox", T + ":6", BUILD_T),
    Case("sandbox-mro-through-attr-filter", template("{{ (facts | attr('__class__')).__mro__ }}\n"),
         "template refused by the sandbox", T + ":6", BUILD_T),
    Case("sandbox-format-string", template("{{ '{0.__class__.__init__.__globals__}'.format(cite) }}\n"),
         "template refused by the sandbox: access to attribute", T + ":6", BUILD_T),
    Case("sandbox-internals-of-a-view", template("one\n{{ facts[0].__dict__ }}\n"),
         "template refused by the sandbox: access to attribute '__dict__' of 'FactView' object is unsafe", T + ":7", BUILD_T),
    Case("sandbox-function-code", template("{{ lipsum.__code__.co_consts }}\n"),
         "template refused by the sandbox: access to attribute '__code__'", T + ":6", BUILD_T),
    Case("sandbox-mutation", template("{% set x = section.update({'summary': 1}) %}\n"),
         "template refused by the sandbox: access to attribute 'update' of 'dict' object is unsafe", T + ":6", BUILD_T),
    # A process: should the sandbox let these through, the command would compute for
    # minutes or take gigabytes; a child process is stopped by the timeout instead.
    Case("sandbox-huge-power", template("{{ 9 ** 999999999 }}\n"),
         "template refused by the sandbox: the power 9**999999999 is too large", T + ":6", BUILD_T, process=True),
    Case("sandbox-huge-repeat", template("{{ 'ab' * 10**9 }}\n"),
         "template refused by the sandbox: repeating a text or list 1000000000 times is too large", T + ":6", BUILD_T,
         process=True),
    # In this process too: the recursion limit stops the macro at once, however deep the test's stack.
    Case("template-recursion", template("{% macro again() %}{{ again() }}{% endmacro %}\n{{ again() }}\n"),
         "template error: a macro or include calls itself without end", T + r":\d+", BUILD_T),
    Case("include-outside-folders", template("{% include '../sources/dossier.yaml' %}\n"),
         "template '../sources/dossier.yaml' not found in the template folders", T + ":6", BUILD_T),
    Case("include-absolute-path", template("{% include '/etc/passwd' %}\n"),
         "template '/etc/passwd' not found in the template folders", T + ":6", BUILD_T),
    Case("extends-outside-folders", template("{% extends '../../../../../../etc/hostname' %}\n"),
         "template '../../../../../../etc/hostname' not found in the template folders", T + ":6", BUILD_T),
    Case("template-name-with-parent", None, "a template file ends with '.md.j2'", r"\.\./executive",
         ("build", "-d", "{root}", "-t", "../executive")),
    Case("template-path-with-parent-missing", None, "template file not found", r"\.\./\.\./templates/executive\.md\.j2",
         ("build", "-d", "{root}", "-t", "../../templates/executive.md.j2")),
    Case("template-unknown-name", None, "no template named 'exec'; available: analyst, defence, executive", None,
         ("build", "-d", "{root}", "-t", "exec")),
    Case("template-without-front-matter", write("templates/t.md.j2", "## Just a heading\n"),
         "a template starts with front matter between '{#---' and '---#}'", T + ":1", BUILD_T),
    Case("template-front-matter-field", template("x\n", head=HEAD.replace("audience: Testers\n", "")),
         "front matter: missing required field 'audience'", T + ":2", BUILD_T),
    # A page budget is a number of pages; a brief that runs over it names the template and the line. Before,
    # 0 was no budget, -1 failed every PDF, and the overflow said neither file nor line.
    Case("template-page-budget-negative", template("x\n", head=HEAD.replace("---#}", "page_budget: -1\n---#}")),
         "front matter: 'page_budget': a page budget is a whole number of pages, from 1 to 1,000", T + ":5", BUILD_T),
    Case("template-page-budget-zero", template("x\n", head=HEAD.replace("---#}", "page_budget: 0\n---#}")),
         "front matter: 'page_budget': a page budget is a whole number of pages, from 1 to 1,000", T + ":5", BUILD_T),
    Case("template-page-budget-huge", template("x\n", head=HEAD.replace("---#}", "page_budget: 99999999\n---#}")),
         "front matter: 'page_budget': a page budget is a whole number of pages, from 1 to 1,000", T + ":5", BUILD_T),
    Case("template-page-budget-overrun", template("{% for i in range(150) %}Paragraph {{ i }} of a brief too long.\n\n{% endfor %}",
                                                  head=HEAD.replace("---#}", "page_budget: 1\n---#}")),
         "the 't' brief runs to 5 pages but its template allows 1", T + ":5", BUILD_T),
    # A template's language without a catalogue: the line of its `language:` (before, the template without a line).
    Case("template-language-without-catalogue", template("x\n", head=HEAD.replace("---#}", "language: fr-CA\n---#}")),
         "briefing has no catalogue for the language 'fr-CA'", T + ":5", BUILD_T),
    # Before, accepted: short front-matter fields are limited as a dossier's are.
    Case("template-reference-suffix-too-long", template("x\n", head=HEAD.replace("---#}", "reference_suffix: " + "S" * 600 + "\n---#}")),
         "front matter: 'reference_suffix': is at most 500 characters (this one has 600)", T + ":5", BUILD_T),
    Case("template-front-matter-control-character", template("x\n", head=HEAD.replace("audience: Testers", 'audience: "Testers\\a"')),
         "front matter: 'audience': holds the character U+0007, which a document cannot show; remove it", T + ":3", BUILD_T),
    Case("template-not-utf8", write("templates/t.md.j2", (HEAD + "café\n").encode("latin-1")),
         "not UTF-8 text: byte 71 is 0xe9; save the file as UTF-8", T, BUILD_T),
    Case("partial-not-utf8", both(template("{% include '_part.md.j2' %}\n"), write("templates/_part.md.j2", "café".encode("latin-1"))),
         "not UTF-8 text: byte 3 is 0xe9; save the template as UTF-8", r"{root}/templates/_part\.md\.j2", BUILD_T),
    Case("template-cites-unknown-fact", template("A claim.[^nothing]\n"),
         "the template cites 'nothing', which is not a fact of this dossier", T + ":6", BUILD_T),
    # A mistake in the Markdown a template writes: the template's line where it is literal there, before, no line at all;
    # else the line of the Markdown, said as such.
    Case("template-cite-call-unknown-fact", template("## Points\n\nA claim.{{ cite('nothing') }}\n"),
         "the template cites 'nothing', which is not a fact of this dossier", T + ":8", BUILD_T),
    Case("template-cites-unknown-fact-made", template("## Points\n\n{% set k = 'no' ~ 'thing' %}A claim.{{ cite(k) }}\n"),
         "the template cites 'nothing', which is not a fact of this dossier (in the Markdown the template wrote, line 3)",
         T, BUILD_T),
    Case("glyph-missing-in-claim", edit_yaml(FACTS, setitem((1, "claim"), "Three accords (三) were signed.")),
         "the PDF font has no glyph for U+4E09 CJK UNIFIED IDEOGRAPH-4E09", F + ":13", ("build", "-d", "{root}", "-f", "pdf")),
    Case("glyph-missing-in-title", edit_yaml(CONFIG, setitem(("title",), "Test brief 漢")),
         "the PDF font has no glyph for U+6F22 CJK UNIFIED IDEOGRAPH-6F22", D + ":1", ("build", "-d", "{root}", "-f", "pdf")),
    # Dossier text that reaches a table: the field's own line, not the template (before, the template without a line).
    Case("glyph-missing-in-event-label", edit_yaml(FACTS, setitem((1, "events"), [{"date": "2023", "label": "Talks"},
                                                                                {"date": "2024", "label": "三"}])),
         "the PDF font has no glyph for U+4E09 CJK UNIFIED IDEOGRAPH-4E09", F + ":21", ("build", "-d", "{root}", "-f", "pdf")),
    Case("glyph-missing-in-section-title", edit_yaml(CONFIG, setitem(("sections", 1, "title"), "Accords 漢")),
         "the PDF font has no glyph for U+6F22 CJK UNIFIED IDEOGRAPH-6F22", D + ":12", ("build", "-d", "{root}", "-f", "pdf")),
    Case("glyph-missing-in-source-outlet", edit_yaml(SOURCES, setitem((0, "outlet"), "Outlet 漢")),
         "the PDF font has no glyph for U+6F22 CJK UNIFIED IDEOGRAPH-6F22", S + ":3", ("build", "-d", "{root}", "-f", "pdf")),
    Case("glyph-missing-in-key-label", both(edit_yaml(CONFIG, setitem(("key_labels",), {"accords.count": "Accords 漢"})),
                                            template("| Key |\n|---|\n{% for f in facts if f.key %}| {{ f.label | md }} |\n{% endfor %}")),
         "the PDF font has no glyph for U+6F22 CJK UNIFIED IDEOGRAPH-6F22", D + ":14", BUILD_T),
    Case("glyph-missing-in-template", template("## Points 漢\n"),
         "the PDF font has no glyph for U+6F22 CJK UNIFIED IDEOGRAPH-6F22 ('漢') in the text", T + ":6", BUILD_T),

    # outputs -------------------------------------------------------------------
    Case("out-is-a-file", None, "the output folder is a file; choose a folder with --out", "/dev/full",
         ("build", "-d", "{root}", "--out", "/dev/full")),
    Case("out-cannot-be-created", None, "cannot create the output folder", "/proc/briefing-out",
         ("build", "-d", "{root}", "--out", "/proc/briefing-out")),
    Case("output-path-is-a-folder", lambda root: (root / "out" / "executive.pdf").unlink() or (root / "out" / "executive.pdf").mkdir(),
         "the output path is a folder; move it away or choose another --out", r"{root}/out/executive\.pdf"),
    Case("out-not-writable", None, "the output folder is not writable; choose another with --out", r"\S+/readonly",
         ("build", "-d", "{root}", "--out", "{out}"), out="readonly"),
    # A process: which output meets the full disk first is a race between the PDF worker
    # and the DOCX files written meanwhile. A fresh process, still importing, names
    # defence.docx; this one, with everything imported, names executive.docx instead.
    Case("disk-full", None, "cannot write: the disk is full; earlier outputs are unchanged", r"\S+/full/\w+\.(pdf|docx)",
         ("build", "-d", "{root}", "--out", "{out}"), out="full", process=True),
    Case("file-size-limit", None, "cannot write: the file is larger than this system allows", r"{root}/out/\w+\.(pdf|docx)",
         out="fsize"),
    Case("interrupted", many_facts(400), "interrupted; earlier outputs are unchanged", None, code=130, interrupt=True),

    # a dossier from someone else: reading outside the dossier -----------------------
    Case("contain-source-climbs", both(secret, edit_yaml(SOURCES, setitem((0, "file"), "../../secret.txt"))),
         "source 'one': 'file': '../../secret.txt' lies outside the dossier", S + ":1", CHECK),
    Case("contain-source-absolute", both(secret, lambda root: edit_yaml(SOURCES, setitem((0, "file"), str(root.parent / "secret.txt")))(root)),
         "lies outside the dossier", S + ":1", CHECK),
    Case("contain-source-symlink", link(ARTICLE, secret),
         "source 'one': 'file': 'texts/one.txt' lies outside the dossier", S + ":1", CHECK),
    Case("contain-source-symlink-quote", both(link(ARTICLE, secret), edit_yaml(FACTS, setitem((0, "evidence", 0, "quote"), "TOP-SECRET"))),
         "lies outside the dossier", S + ":1", ("quote", "one", "the key", "-d", "{root}")),
    Case("contain-source-coverage", link(ARTICLE, secret), "lies outside the dossier", S + ":1",
         ("sources", "--coverage", "-d", "{root}")),
    Case("contain-sources-folder-symlink", both(secret, link("sources/texts", lambda root: root.parent),
                                                edit_yaml(SOURCES, setitem((0, "file"), "texts/secret.txt"))),
         "lies outside the dossier", S + ":1", CHECK),
    Case("contain-source-fifo", fifo(ARTICLE), "source 'one': 'file': 'texts/one.txt' is not a regular file", S + ":1", CHECK,
         process=True),  # a process: before the fix, reading the FIFO hangs
    Case("contain-source-device", link(ARTICLE, lambda root: "/dev/zero"), "lies outside the dossier", S + ":1", CHECK,
         process=True),  # a process: before the fix, reading /dev/zero grows without bound
    Case("contain-facts-symlink", link("sources/facts/more.yaml", outside_yaml("- id: x\n")),
         "the fact file lies outside the dossier", r"{root}/sources/facts/more\.yaml", CHECK),
    Case("contain-facts-fifo", fifo("sources/facts/more.yaml"), "the fact file is not a regular file",
         r"{root}/sources/facts/more\.yaml", CHECK, process=True),  # a process: reading the FIFO hangs
    Case("contain-questions-symlink", link("sources/questions.yaml", outside_yaml("- id: q\n")),
         "the questions file lies outside the dossier", r"{root}/sources/questions\.yaml", CHECK),
    Case("contain-config-symlink", link(CONFIG, outside_yaml("title: x\nsections: [{id: a, title: A}]\n")),
         "the dossier file lies outside the dossier", D, CHECK),
    Case("contain-include-symlink", both(template("{% include '_part.md.j2' %}\n"), link("templates/_part.md.j2", secret)),
         "template '_part.md.j2' lies outside the template folders", T + ":6", BUILD_T),
    Case("contain-template-symlink", link("templates/t.md.j2", lambda root: outside_yaml(HEAD + "x\n")(root)),
         "the template lies outside the dossier", T, BUILD_T),
    Case("contain-templates-folder-symlink", link("templates", lambda root: root.parent),
         "the templates folder lies outside the dossier", r"{root}/templates", BUILD),
    Case("contain-reference-docx-symlink", link("templates/reference.docx", secret),
         "the reference document lies outside the dossier", r"{root}/templates/reference\.docx", BUILD),
    Case("contain-mail-cafile-absolute", edit_yaml(CONFIG, setitem(("mail",), {"cafile": "/etc/hostname"})),
         "'mail.cafile': '/etc/hostname' lies outside the dossier", D + r":\d+", MAIL),
    Case("contain-mail-cafile-climbs", edit_yaml(CONFIG, setitem(("mail",), {"cafile": "../../secret.txt"})),
         "'mail.cafile': '../../secret.txt' lies outside the dossier", D + r":\d+", MAIL),

    Case("contain-out-link", link("out", victim),
         "the output folder lies outside the dossier", r"{root}/out", ("build", "-d", "{root}", "-t", "executive", "-f", "md")),
    Case("contain-out-link-mail", link("out", victim),
         "the output folder lies outside the dossier", r"{root}/out", MAIL),
    # `out` a link to itself: before, "internal error: RuntimeError: Symlink loop from '…/out'".
    Case("contain-out-link-loop", link("out", lambda root: "out"),
         "the output folder cannot be used: it is a loop of links", r"{root}/out", ("build", "-d", "{root}", "-t", "executive", "-f", "md")),
    Case("contain-out-link-loop-mail", link("out", lambda root: "out"),
         "the output folder cannot be used: it is a loop of links", r"{root}/out", MAIL),

    # writing outside --out ---------------------------------------------------------------
    Case("output-name-climbs", template("x\n", head=HEAD.replace("name: t", "name: ../../escaped")),
         "front matter: 'name': a template name uses letters, digits", T + ":2", BUILD_T),
    Case("output-name-absolute", template("x\n", head=HEAD.replace("name: t", "name: /tmp/escaped")),
         "front matter: 'name': a template name uses letters, digits", T + ":2", BUILD_T),
    Case("output-name-overwrites-dossier", template("x\n", head=HEAD.replace("name: t", "name: ../sources/dossier")),
         "front matter: 'name'", T + ":2", ("build", "-d", "{root}", "-t", "t", "-f", "md")),
    Case("output-name-line-break", template("x\n", head=HEAD.replace("name: t", 'name: "t\\nerror: forged"')),
         "front matter: 'name'", T + ":2", BUILD_T),
    Case("output-name-collides", both(template("x\n"), second_template("u.md.j2", "t")),
         "two templates are named 't'", T + ":2", ("build", "-d", "{root}", "-f", "md")),
    Case("output-name-collides-builtin", template("x\n", head=HEAD.replace("name: t", "name: executive")),
         "two templates are named 'executive'", T + ":2", ("build", "-d", "{root}", "-f", "md")),

    # sending what it should not ------------------------------------------------------------
    Case("secret-password-env", edit_yaml(CONFIG, setitem(("mail",), {"password_env": "HOME"})),
         "'mail': 'password_env' is no longer read: the SMTP password comes only from $BRIEFING_SMTP_PASSWORD", D + r":\d+",
         CHECK),
    Case("secret-password-env-mail", edit_yaml(CONFIG, setitem(("mail",), {"host": "smtp.example.org", "password_env": "PATH"})),
         "'mail': 'password_env' is no longer read", D + r":\d+", MAIL + ("--send",)),
    Case("secret-password-in-dossier", edit_yaml(CONFIG, setitem(("mail",), {"password": "hunter2"})),
         "never write the SMTP password in the dossier", D + r":\d+", CHECK),

    # mail headers from a dossier ----------------------------------------------------------------
    Case("mail-header-encoded-word", edit_yaml(CONFIG, setitem(("title",), "=?utf-8?b?UXVhcnRlcmx5DQpSZXBseS1UbzogYXR0YWNrZXJAZXZpbC5leGFtcGxlDQpYLUluamVjdGVkOiB5ZXM=?=")),
         "the subject holds an encoded word ('=?...?=')", D + r":\d+", MAIL),
    Case("mail-header-encoded-word-subject", None, "the subject holds an encoded word ('=?...?=')", None,
         MAIL + ("--subject", "=?utf-8?b?QQ0KQmNjOiBldmlsQGV4YW1wbGUub3Jn?=")),
    Case("mail-header-encoded-word-from", edit_yaml(CONFIG, setitem(("mail",), {"from": "=?utf-8?b?QQ0KQmNjOiBldmlsQGV4YW1wbGUub3Jn?= <b@example.org>"})),
         "a name in an address holds an encoded word ('=?...?=')", D + r":\d+",
         ("mail", "-d", "{root}", "-t", "executive", "--to", "office@example.org")),

    # The allowed fields of `mail:` are named as they are written (before: 'sender' for `from:`).
    Case("mail-unknown-field", edit_yaml(CONFIG, setitem(("mail",), {"hots": "smtp.example.org"})),
         "unknown field 'mail.hots'; allowed fields: host, port, security, username, from, timeout, max_attachment_mb, cafile",
         D + r":\d+", CHECK, several=True),
    Case("secret-dossier-host", edit_yaml(CONFIG, setitem(("mail",), {"host": "127.0.0.1", "port": 9, "username": "desk"})),
         "the SMTP server 127.0.0.1 is named only by the dossier, and the password is not sent to it: give --smtp-host",
         D + r":\d+", MAIL + ("--send",), env=(("BRIEFING_SMTP_PASSWORD", "hunter2"),)),
    Case("secret-dossier-cafile", both(write("ca.pem", "x"), edit_yaml(CONFIG, setitem(("mail",), {"username": "desk", "cafile": "ca.pem"}))),
         "the CA file is named only by the dossier", D + r":\d+", MAIL + ("--send", "--smtp-host", "127.0.0.1", "--smtp-port", "9"),
         env=(("BRIEFING_SMTP_PASSWORD", "hunter2"),)),

    # markup through metadata -----------------------------------------------------------------
    Case("markup-url-javascript", edit_yaml(SOURCES, setitem((0, "url"), "javascript:alert(1)")),
         "'url': a URL starts with http://, https:// or mailto:", S + r":\d+", CHECK),
    Case("markup-url-file", edit_yaml(SOURCES, setitem((0, "url"), "file:///etc/passwd")),
         "'url': a URL starts with http://, https:// or mailto:", S + r":\d+", CHECK),
    Case("markup-url-space", edit_yaml(SOURCES, setitem((0, "url"), "https://example.org/a b")),
         "'url': a URL has no spaces or control characters", S + r":\d+", CHECK),
    # A URL holds the characters of RFC 3986 only (and letters of any script): a quote, an angle bracket, a
    # bracket outside an IPv6 host is refused at its line. Before, the first two built (escaped), and the
    # last two made a second link (to evil.example, or a PDF link to http://x/ with garbled text).
    Case("markup-url-quote", edit_yaml(SOURCES, setitem((0, "url"), 'https://example.org/a"b<c>&d')),
         "'url': a URL cannot hold '\"'; write it as %22", S + ":10", CHECK),
    Case("markup-url-restyle", edit_yaml(SOURCES, setitem((0, "url"), 'https://x.org/"><font/color="red">BIG</font>')),
         "'url': a URL cannot hold '\"'; write it as %22", S + ":10", CHECK),
    Case("markup-url-second-link", edit_yaml(SOURCES, setitem((0, "url"), "https://good.example/)[CLICK_HERE](https://evil.example/")),
         "'url': a URL holds '[' only around an IPv6 address; write it as %5B", S + ":10", BUILD),
    Case("markup-url-javascript-after-bracket", edit_yaml(SOURCES, setitem((0, "url"), "http://x/)](javascript:alert(1))")),
         "'url': a URL holds ']' only around an IPv6 address; write it as %5D", S + ":10", BUILD),
    Case("markup-url-no-host", edit_yaml(SOURCES, setitem((0, "url"), "https:///)**BOLD**(")),
         "'url': a URL names its server after '//'", S + ":10", BUILD),
    # A table row taller than a page (a long reason in the sources table) is split across pages: before,
    # "internal error: LayoutError: Flowable <Table …> too large on page 3".
    Case("internal-table-row-taller-than-a-page-works", both(edit_yaml(SOURCES, setitem((0, "reliability_reason"), ("Wo " * 700)[:1990] + ".")),
                                                             edit_yaml(SOURCES, setitem((0, "title"), ("Ti " * 200)[:490]))),
         "", code=0, args=("build", "-d", "{root}", "-t", "analyst", "-f", "pdf")),
    Case("internal-table-row-taller-than-a-page-defence-works", both(edit_yaml(SOURCES, setitem((0, "reliability_reason"), ("Wo " * 700)[:1990] + ".")),
                                                                     edit_yaml(SOURCES, setitem((0, "title"), ("Ti " * 200)[:490]))),
         "", code=0, args=("build", "-d", "{root}", "-t", "defence", "-f", "pdf")),
    Case("markup-url-bold-works", edit_yaml(SOURCES, setitem((0, "url"), "https://good.example/)**BOLD**(")), "", code=0,
         args=("build", "-d", "{root}", "-f", "html", "-f", "md")),  # one link to itself: tests/test_compose.py
    Case("markup-template-link-scheme", template("[open](smb://server/share) and [run](ftp://x.org/a)\n"),
         "a link goes to http://, https://, mailto: or #anchor, not 'smb://server/share'", T + ":6", BUILD_T),
    Case("markup-template-link-javascript", template("## Points\n\nSee [x](javascript:alert(1)).\n"),
         "not 'javascript:alert(1)'", T + ":8", BUILD_T),
    Case("markup-template-link-anchor", template("## Points\n\n\nSee [x](#nowhere).\n"),
         "a link goes to '#nowhere', which is no heading of the brief", T + ":9", BUILD_T),
    Case("markup-template-link-note-beyond", template("## Points\n\nSee [x](#note-7).\n"),
         "a link goes to '#note-7', but the brief has 0 evidence notes", T + ":8", BUILD_T),

    # terminal control --------------------------------------------------------------------------
    Case("terminal-line-break-in-section", edit_yaml(FACTS, setitem((0, "section"), "sumary\nerror: forged.yaml:1: all is well")),
         "unknown section 'sumary\\nerror: forged.yaml:1: all is well'", F + ":1", CHECK),
    Case("terminal-escape-in-quote", edit_yaml(FACTS, setitem((0, "evidence", 0, "quote"), "Le président \x1b[2K\x1b]52;c;ZWNobyBwd25lZA==\x07")),
         "'evidence.0.quote': holds the character U+001B", F + ":7", CHECK),
    Case("terminal-escape-in-source-id", edit_yaml(FACTS, setitem((0, "evidence", 0, "source"), "tass\x1b[1A\x1b[2K")),
         "'evidence.0.source': holds the character U+001B", F + ":6", CHECK),
    Case("terminal-escape-in-template-name", None, "no template named 'x\\x1b[2K'", None, ("build", "-d", "{root}", "-t", "x\x1b[2K")),

    # faults ------------------------------------------------------------------------------------------
    Case("interrupted-sigterm", many_facts(400), "interrupted; earlier outputs are unchanged", None, code=130, interrupt=True,
         interrupt_with=signal.SIGTERM),
    Case("interrupted-sighup", many_facts(400), "interrupted; earlier outputs are unchanged", None, code=130, interrupt=True,
         interrupt_with=signal.SIGHUP),
    Case("mail-refused-leaves-outputs", edit_yaml(CONFIG, setitem(("title",), "A new title")),
         "the attachments weigh", None, MAIL + ("--strict", "--max-attachment-mb", "0.001")),

    # internal errors instead of a line -------------------------------------------------------------
    Case("internal-date-month-13", edit_yaml(SOURCES, setitem((0, "date"), "2025-13-01")),
         "'date': 2025-13-01 is not a date of the calendar", S + r":\d+", CHECK),
    Case("internal-date-day-99", edit_yaml(CONFIG, setitem(("date",), "2025-06-99")),
         "'date': 2025-06-99 is not a date of the calendar", D + r":\d+", CHECK),
    Case("internal-date-february-30", edit_yaml(SOURCES, setitem((0, "date"), "2025-02-30")),
         "'date': 2025-02-30 is not a date of the calendar", S + r":\d+", BUILD),
    Case("internal-huge-number", replace(FACTS, "value: 3", "value: " + "9" * 5000),
         "a number of more than 100 digits; write it in quotes, as text", F + ":12", CHECK),
    # Every form of integer is held to the digits it is written with, before it is converted: before, 120 hex
    # digits passed, and 5,000 gave Python's "Exceeds the limit (4300 digits)… sys.set_int_max_str_digits()".
    Case("internal-huge-hex-number", replace(FACTS, "value: 3", "value: 0x" + "f" * 120),
         "a number of more than 100 digits; write it in quotes, as text", F + ":12", CHECK),
    Case("internal-huge-hex-number-5000", replace(FACTS, "value: 3", "value: 0x" + "f" * 5000),
         "a number of more than 100 digits; write it in quotes, as text", F + ":12", CHECK),
    Case("yaml-infinite-float", replace(FACTS, "value: 3", "value: 1.0e+999999"),
         "a number YAML reads as infinite or as not a number; write the value in quotes, as text", F + ":12", CHECK),
    Case("yaml-nan-float", replace(FACTS, "value: 3", "value: .NaN"),
         "a number YAML reads as infinite or as not a number; write the value in quotes, as text", F + ":12", CHECK),
    Case("yaml-timestamp-not-a-date", replace(CONFIG, "date: '2025-06-24'", "date: !!timestamp 2025-02-30"),
         "'date': 2025-02-30 is not a date of the calendar", D + ":5", CHECK),
    Case("yaml-timestamp-bad-hour", replace(SOURCES, "date: '2025-06-23'", "date: !!timestamp 2025-02-28 25:61:00"),
         "'date': write the date as YYYY-MM-DD", S + ":5", CHECK),
    Case("yaml-timestamp-in-event", both(add_fact(events=[{"date": "PLACEHOLDER", "label": "x"}]), replace(FACTS, "PLACEHOLDER", "!!timestamp 2025-02-30")),
         "'events.0.date': 2025-02-30 is not a date of the calendar", F + r":\d+", CHECK),
    Case("yaml-timestamp-in-value-works", replace(FACTS, "value: 3", "value: !!timestamp 2025-02-30"), "", CHECK, code=0),
    Case("yaml-explicit-int-not-a-number", replace(FACTS, "value: 3", "value: !!int 0x"),
         "invalid YAML: '0x' is not a whole number (tagged !!int); write the value in quotes, as text", F + ":12", CHECK),
    Case("yaml-explicit-bool-not-a-boolean", replace(FACTS, "headline: true", "headline: !!bool maybe"),
         "invalid YAML: 'maybe' is not true or false (tagged !!bool)", F + ":3", CHECK),
    Case("yaml-explicit-float-empty", replace(FACTS, "value: 3", 'value: !!float ""'),
         "invalid YAML: '' is not a number (tagged !!float)", F + ":12", CHECK),
    Case("internal-deep-nesting", write(FACTS, "- id: x\n  claim: " + "[" * 20000 + "]" * 20000 + "\n"),
         "invalid YAML: exceeded maximum nesting depth", F + r"(:\d+)?", CHECK),
    Case("internal-set-as-key", replace(FACTS, "  headline: true\n  claim: The", "  ? !!set {a: null}\n  : c\n  claim: The"),
         "a key must be a plain name, not a list or a mapping", F + ":3", CHECK),
    Case("internal-float-key", replace(FACTS, "  headline: true\n  claim: The", "  headline: true\n  1.5: x\n  claim: The"),
         "'1.5': Keys should be strings", F + r":\d+", CHECK),
    Case("internal-reference-docx-not-docx", write("templates/reference.docx", "not a Word document"),
         "the reference document is not a Word document (.docx)", r"{root}/templates/reference\.docx",
         ("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("internal-timeout-inf", None, "Invalid value for '--timeout'", None, MAIL + ("--timeout", "inf"), code=2),
    Case("internal-timeout-nan", None, "Invalid value for '--timeout'", None, MAIL + ("--timeout", "nan"), code=2),
    Case("internal-source-date-epoch-far", None, "$SOURCE_DATE_EPOCH", None, BUILD, env=(("SOURCE_DATE_EPOCH", "999999999999"),)),
    Case("internal-mail-timeout-env-inf", None, "$BRIEFING_SMTP_TIMEOUT: 'inf' is not a valid timeout", None, MAIL,
         env=(("BRIEFING_SMTP_TIMEOUT", "inf"),)),
    Case("internal-pathological-markdown-works", template("{{ '>' * 50000 }} x\n{{ '[' * 50000 }}\n{{ '*' * 50000 }}\n"),
         "", args=BUILD_T, code=0),
    Case("internal-pathological-list-works", template("{% for i in range(3000) %}{{ '  ' * i }}- x\n{% endfor %}"),
         "", args=BUILD_T, code=0),
    Case("internal-reference-docx-empty-zip", write("templates/reference.docx", b"PK\x05\x06" + b"\x00" * 18),
         "the reference document is not a Word document (.docx)", r"{root}/templates/reference\.docx",
         ("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    # A reference document from someone else: its styles, and nothing else of it, reach the brief
    # (tests/test_render_docx.py reads the DOCX back).
    Case("reference-docx-hostile-works", hostile_reference_docx, "", code=0,
         args=("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("reference-docx-huge-styles", reference_with("word/styles.xml", 70),
         "the part 'word/styles.xml' of the reference document unpacks to more than 64 MB", r"{root}/templates/reference\.docx",
         ("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("reference-docx-huge-thumbnail-works", reference_with("docProps/thumbnail.jpeg", 300), "", code=0,
         args=("build", "-d", "{root}", "-t", "executive", "-f", "docx")),  # before: read, and copied into the brief
    # A reference document's page setup, as a colleague's file may have it: a missing size or margin is
    # A4's with 2.5 cm margins; one that is not a number, or a page with no room for text, is refused.
    # Before, each was "internal error: TypeError … 'Twips' and 'NoneType'", a ValueError, or a brief
    # laid out in a negative width.
    Case("reference-docx-no-margins-works", reference_section('<w:sectPr><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>'),
         "", code=0, args=("build", "-d", "{root}", "-t", "analyst", "-f", "docx")),
    Case("reference-docx-empty-section-works", reference_section("<w:sectPr/>"), "", code=0,
         args=("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("reference-docx-no-section-works", reference_section(""), "", code=0,
         args=("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("reference-docx-page-width-not-a-number", reference_section('<w:sectPr><w:pgSz w:w="abc" w:h="16838"/></w:sectPr>'),
         "the page setup of the reference document: the page width is 'abc', not a length",
         r"{root}/templates/reference\.docx", ("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("reference-docx-tiny-page", reference_section(
        '<w:sectPr><w:pgSz w:w="100" w:h="100"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr>'),
         "the page setup of the reference document leaves a text width of -4.9 cm; a brief needs at least 5 cm",
         r"{root}/templates/reference\.docx", ("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("reference-docx-negative-margins", reference_section(
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="-30000" w:bottom="1440" w:left="-30000"/></w:sectPr>'),
         "the page setup of the reference document: the left margin is -52.92 cm; a margin is 0 or more",
         r"{root}/templates/reference\.docx", ("build", "-d", "{root}", "-t", "executive", "-f", "docx")),
    Case("internal-long-title-works", edit_yaml(CONFIG, setitem(("title",), "Long " * 100)), "", code=0,
         args=("build", "-d", "{root}", "-t", "analyst")),
    Case("internal-long-word-works", both(edit_yaml(CONFIG, setitem(("reference",), "R" * 300)),
                                          edit_yaml(SOURCES, setitem((0, "outlet"), "O" * 60))), "", code=0),

    Case("internal-null-byte-path", edit_yaml(SOURCES, setitem((0, "file"), "texts/one.txt\0x")),
         "holds the character U+0000", S + r":\d+", CHECK),
    Case("internal-null-byte-cafile", edit_yaml(CONFIG, setitem(("mail",), {"cafile": "ca\0.pem"})),
         "holds the character U+0000", D + r":\d+", MAIL),

    # control characters in any text of a dossier ------------------------------------------------
    Case("control-escape-in-claim", edit_yaml(FACTS, setitem((0, "claim"), "The \x1b[31mpresident received his counterpart.")),
         "'claim': holds the character U+001B", F + r":\d+", CHECK),
    # A fact's key-point form and a dossier's abbreviations reach the brief and the terminal as a claim does.
    Case("control-escape-in-point", edit_yaml(FACTS, setitem((0, "point"), "The \x1b[31mpresident met.")),
         "'point': holds the character U+001B", F + r":\d+", CHECK),
    Case("control-escape-in-title-translation", edit_yaml(SOURCES, setitem((0, "title_translation"), {"en": "Visit\x1b[2K to Moscow"})),
         "'title_translation': holds the character U+001B", S + r":\d+", CHECK),
    Case("control-escape-in-silent-on", edit_yaml(FACTS, setitem((0, "silent_on"), "accords.count\x1b]0;owned\x07")),
         "'silent_on': holds the character U+001B", F + r":\d+", CHECK),
    Case("markup-abbreviation-key", edit_yaml(CONFIG, setitem(("abbreviations",), {"<b>LBMA</b>": "London Bullion Market Association"})),
         "'abbreviations': '<b>LBMA</b>' is not an abbreviation", D + r":\d+", CHECK),
    Case("terminal-line-break-in-abbreviation", edit_yaml(CONFIG, setitem(("abbreviations",), {"LBMA": "London\nerror: forged.yaml:1: all is well"})),
         "holds a line break (U+000A)", D + r":\d+", CHECK),
    # Direction controls in a line that becomes a mail's subject, a file name, a page header: "\u202e" makes
    # "Quarterly \u202efdp.exe" read "Quarterly exe.pdf". Before, each went into the mail.
    Case("bidi-override-in-title", edit_yaml(CONFIG, setitem(("title",), "Quarterly \u202efdp.exe")),
         "'title': holds U+202E RIGHT-TO-LEFT OVERRIDE, a direction control", D + r":\d+", MAIL),
    Case("bidi-isolate-in-marking", edit_yaml(CONFIG, setitem(("marking",), "OFFICIAL \u2067SENSITIVE")),
         "'marking': holds U+2067 RIGHT-TO-LEFT ISOLATE, a direction control", D + r":\d+", CHECK),
    Case("bidi-embedding-in-template-audience", template("x\n", head=HEAD.replace("audience: Testers", 'audience: "Test\u202bers"')),
         "front matter: 'audience': holds U+202B RIGHT-TO-LEFT EMBEDDING", T + ":3", BUILD_T),
    # A line break in a subject is refused, as the README says, not folded into a space (before, each of these
    # gave exit 0 and "Subject: x Bcc: e@e"); in a title, subject, marking of dossier.yaml as well.
    Case("mail-subject-option-line-break", None, "the subject cannot hold line breaks", None,
         MAIL + ("--subject", "x\nBcc: e@e")),
    Case("mail-subject-option-line-separator", None, "the subject cannot hold line breaks", None,
         MAIL + ("--subject", "x\u2028Bcc: e@e")),
    Case("mail-subject-option-next-line", None, "the subject cannot hold line breaks", None,
         MAIL + ("--subject", "x\x85Bcc: e@e")),
    Case("title-line-break", edit_yaml(CONFIG, setitem(("title",), "D0\nBcc: evil@evil.example")),
         "'title': holds a line break (U+000A)", D + ":1", MAIL),
    Case("title-line-separator", edit_yaml(CONFIG, setitem(("title",), "D0\u2028Bcc: evil@evil.example")),
         "'title': holds a line break (U+2028 LINE SEPARATOR)", D + ":1", MAIL),
    Case("marking-paragraph-separator", edit_yaml(CONFIG, setitem(("marking",), "OFFICIAL\u2029SECRET")),
         "'marking': holds a line break (U+2029 PARAGRAPH SEPARATOR)", D + r":\d+", CHECK),
    Case("front-matter-block-scalar-works", template("## Points\n", head=HEAD.replace("audience: Testers", "audience: >\n  Testers\n  of the tool")),
         "", args=BUILD_T, code=0),
    Case("title-folded-over-lines-works", replace(CONFIG, "title: Test brief", "title: Test\n  brief\n  over lines"),
         "", code=0, args=MAIL),
    Case("bidi-override-in-subject-option", None, "the subject cannot hold line breaks, control characters or direction "
         "controls", None, MAIL + ("--subject", "Report \u202efdp.exe")),
    Case("bidi-override-in-sender-name", edit_yaml(CONFIG, setitem(("mail",), {"from": "Desk \u202eesrever <d@example.org>"})),
         "'from': an address cannot hold line breaks, control characters or direction controls", D + r":\d+",
         ("mail", "-d", "{root}", "-t", "executive", "--to", "office@example.org")),
    Case("control-c1-in-outlet", edit_yaml(SOURCES, setitem((0, "outlet"), "Agency \x9b31m")),
         "'outlet': holds the character U+009B", S + r":\d+", CHECK),
    Case("control-escape-in-section-title", edit_yaml(CONFIG, setitem(("sections", 0, "title"), "Summary \x1b[2K")),
         "'sections.0.title': holds the character U+001B", D + r":\d+", CHECK),
    Case("control-escape-in-key-label", edit_yaml(CONFIG, setitem(("key_labels",), {"meeting.date": "Date \x1b[2K"})),
         "'key_labels': holds the character U+001B", D + r":\d+", CHECK),
    Case("control-escape-in-reliability-reason", edit_yaml(SOURCES, setitem((0, "reliability_reason"), "Known \x1b[2K")),
         "'reliability_reason': holds the character U+001B", S + r":\d+", CHECK),
    Case("control-escape-in-question", write("sources/questions.yaml", "- id: q1\n  question: \"Who \\e[2K?\"\n  why: Because.\n  settle: A list.\n"),
         "'question': holds the character U+001B", r"{root}/sources/questions\.yaml:\d+", CHECK),
    Case("control-escape-in-cite", template('{{ cite("\x1b[31mnot-a-fact") }}\n'),
         "cite(): '\\x1b[31mnot-a-fact' is not a fact id", T + ":6", BUILD_T),

    # sizes of a dossier ------------------------------------------------------------------------------
    # Before, 300,000 small facts (29 MB, under the 64 MB of a file) took 25 s and 2.2 GB and printed 300,002
    # lines; a mapping of 200,000 unknown keys printed 200,007. A dossier holds at most 50,000 facts, a file
    # 50,000 entries, a mapping 10,000 keys, counted before the entries are validated (a long text before
    # it is even parsed into nodes).
    Case("bounded-facts-in-a-dossier", write("sources/facts/more.yaml", "".join(f"- {{id: f{n}}}\n" for n in range(60_000))),
         "the dossier has more than 50,000 facts", r"{root}/sources/facts/more\.yaml:49999", CHECK),
    Case("bounded-error-lines", write("sources/facts/more.yaml", "".join(f"- {{id: f{n}}}\n" for n in range(400))),
         "… and 1,100 more errors, not shown: fix the ones above and run again", None, CHECK, several=True),
    Case("bounded-facts-in-a-large-file", write("sources/facts/more.yaml", "".join(
        f"- id: f{n}\n  section: summary\n  claim: c\n  evidence: [{{source: one, quote: Trois accords ont}}]\n"
        for n in range(300_000))),
         "the dossier has more than 50,000 facts", r"{root}/sources/facts/more\.yaml:199993", CHECK),
    Case("bounded-entries-in-sources", write(SOURCES, "".join(f"- {{id: s{n}, file: texts/one.txt}}\n" for n in range(60_000))),
         "a file holds at most 50,000 entries", S + ":50001", CHECK),
    Case("bounded-keys-in-a-mapping", lambda root: (root / CONFIG).write_text(
        (root / CONFIG).read_text(encoding="utf-8") + "".join(f"unknown{n}: x\n" for n in range(200_000)), encoding="utf-8"),
         "a mapping holds at most 10,000 keys", D + r":\d+", CHECK),
    Case("bounded-evidence-of-a-fact", lambda root: (root / FACTS).write_text(
        (root / FACTS).read_text(encoding="utf-8").replace("  evidence:\n", "  evidence:\n" + "  - {source: one, quote: x}\n" * 60_000, 1),
        encoding="utf-8"), "a list holds at most 50,000 entries", F + r":\d+", CHECK),

    # lengths of short fields ------------------------------------------------------------------------
    Case("bounded-title-length", edit_yaml(CONFIG, setitem(("title",), "word " * 12000)),
         "'title': is at most 500 characters (this one has 59,999)", D + r":\d+", CHECK),
    Case("bounded-outlet-length", edit_yaml(SOURCES, setitem((0, "outlet"), "O" * 300_000)),
         "'outlet': is at most 500 characters", S + r":\d+", CHECK),
    Case("bounded-question-length", write("sources/questions.yaml", "- id: q1\n  question: " + "Who? " * 600 + "\n  why: Because.\n  settle: A list.\n"),
         "'question': is at most 2,000 characters", r"{root}/sources/questions\.yaml:\d+", CHECK),
    Case("bounded-section-title-length", edit_yaml(CONFIG, setitem(("sections", 0, "title"), "S" * 300_000)),
         "'sections.0.title': is at most 500 characters", D + r":\d+", CHECK),
    Case("bounded-marking-length", edit_yaml(CONFIG, setitem(("marking",), "OFFICIAL-SENSITIVE " * 10)),
         "'marking': is at most 100 characters", D + r":\d+", CHECK),

    Case("internal-lone-surrogate", template('{{ "%c" % 0xd800 }}\n'),
         "the template writes U+D800, half of a surrogate pair", T + r"(:\d+)?", ("build", "-d", "{root}", "-t", "t", "-f", "md")),
    Case("internal-lone-surrogate-escape", template('{{ "\\ud800" }}\n'),
         "the template writes U+D800", T + r"(:\d+)?", BUILD_T),
    Case("control-template-writes-escape", template('{{ "\\x1b]0;pwn\\x07" }}\n'),
         "the template writes the control character U+001B", T + r"(:\d+)?", ("build", "-d", "{root}", "-t", "t", "-f", "md")),
    Case("control-template-writes-bell", template('{{ "%c" % 7 }}\n'),
         "the template writes the control character U+0007", T + r"(:\d+)?", BUILD_T),
    Case("internal-id-too-long", add_fact(id="f" * 300),
         "an id is at most 64 characters (this one has 300)", r"{root}/sources/facts/facts\.yaml:\d+"),
    Case("internal-bookmark-missing", template("[frag](#bookmark)\n"),
         "a link goes to '#bookmark', which is no heading of the brief", T + ":6", BUILD_T),
    Case("internal-note-link-missing", template("[a](#note-99)\n"),
         "a link goes to '#note-99', but the brief has 0 evidence notes", T + ":6", BUILD_T),
    # unbounded templates ---------------------------------------------------------------------------------
    # In a process: before the limits, each would take the machine's memory or time.
    Case("bounded-format-width", template("{{ '{:>300000000}'.format('x') }}\n"),
         "template refused by the sandbox: a width of 300000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-format-method-nested", template("{{ '{:{w}}'.format('x', w=300000000) }}\n"),
         "template refused by the sandbox: a width of 300000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-center", template("{{ 'x' | center(300000000) }}\n"),
         "template refused by the sandbox: a width of 300000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-ljust", template("{{ 'x'.ljust(300000000) }}\n"),
         "template refused by the sandbox: a width of 300000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-percent", template("{{ '%300000000s' % 'x' }}\n"),
         "template refused by the sandbox: a width of 300000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-format-filter", template("{{ '%300000000d' | format(1) }}\n"),
         "template refused by the sandbox: a width of 300000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-squaring", template("{% set ns = namespace(x=9) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}\n"),
         "template refused by the sandbox: the product of", T + ":6", BUILD_T, process=True),
    Case("bounded-output-size", template("{% for i in range(100000) %}{{ 'x' * 999999 }}{% endfor %}\n"),
         "template error: the brief grows beyond", T + r"(:\d+)?", BUILD_T, process=True),
    Case("bounded-time", template("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n"),
         "template error: composing takes longer than", T + r"(:\d+)?", BUILD_T, process=True),

    Case("bounded-list-doubling", template("{% set s = namespace(x=[1]) %}{% for i in range(40) %}{% set s.x = s.x + s.x %}{% endfor %}{{ s.x|length }}\n"),
         "template refused by the sandbox: a list of", T + ":6", BUILD_T, process=True),
    Case("bounded-text-doubling", template("{% set s = namespace(x='ab') %}{% for i in range(40) %}{% set s.x = s.x ~ s.x %}{% endfor %}{{ s.x|length }}\n"),
         "template refused by the sandbox: a text of", T + ":6", BUILD_T, process=True),
    Case("bounded-text-plus", template("{% set s = namespace(x='ab') %}{% for i in range(40) %}{% set s.x = s.x + s.x %}{% endfor %}{{ s.x|length }}\n"),
         "template refused by the sandbox: a text of", T + ":6", BUILD_T, process=True),
    Case("bounded-replace-chain", template("{{ ('a' * 1000)" + '|replace("a","aaaaaaaaaa")' * 9 + "|length }}\n"),
         "template refused by the sandbox: a text of", T + ":6", BUILD_T, process=True),
    Case("bounded-replace-method", template("{{ ('a' * 1000)" + '.replace("a","aaaaaaaaaa")' * 9 + "|length }}\n"),
         "template refused by the sandbox: a text of", T + ":6", BUILD_T, process=True),
    Case("bounded-join", template("{% set s = namespace(x=['x' * 100000]) %}{% for i in range(10) %}{% set s.x = [s.x|join('-')] * 9 %}{% endfor %}{{ s.x|length }}\n"),
         "template refused by the sandbox: a text of", T + ":6", BUILD_T, process=True),
    Case("bounded-lipsum", template("{{ lipsum(10**6) }}\n"),
         "template refused by the sandbox: lipsum: at most 100 paragraphs", T + ":6", BUILD_T, process=True),

    Case("contain-include-huge", both(template('{% include "big.j2" %}\n'),
                                      lambda root: (root / "templates/big.j2").write_bytes(b"")
                                      or os.truncate(root / "templates/big.j2", 2_000_000_000)),
         "template 'big.j2' is larger than 64 MB", T + ":6", BUILD_T, process=True),

    Case("bounded-table-rows", template("| a |\n|---|\n{% for i in range(50000) %}| {{ i }} |\n{% endfor %}"),
         "a table of the brief has more than 10,000 rows", T, BUILD_T, process=True),
    Case("bounded-code-lines", template("```\n{% for i in range(100000) %}{{ i }}\n{% endfor %}```\n"),
         "a code block of the brief has more than 10,000 lines", T, BUILD_T, process=True),
    Case("bounded-blocks", template("{% for i in range(300) %}{% for j in range(300) %}- {{ j }}\n{% endfor %}{% endfor %}"),
         "the brief has more than 100,000 blocks", T, BUILD_T, process=True),

    # Each of these took 1 to 10 GB before what a template builds was measured before it is built
    # (a list holding one list many times counts it as many times, as its text does).
    Case("bounded-shared-lists-as-text", template("{% set a = [[[[1] * 1000] * 1000]] %}{{ a | string }}\n"),
         "template refused by the sandbox: repeating a text or list 1000 times is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-shared-lists-in-literals", template(
        "{% set a = [1] * 1000 %}{% set b = [a, a, a, a, a, a, a, a, a, a] %}{% set c = [b, b, b, b, b, b, b, b, b, b] %}"
        "{% set d = [c, c, c, c, c, c, c, c, c, c] %}{{ d | string }}\n"),
         "template refused by the sandbox: a list of more than 1,000,000 items is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-shared-lists-tojson", template("{% set a = ['x' * 1000] * 1000 %}{{ ([a] * 999) | tojson }}\n"),
         "template refused by the sandbox: the text of this list would be more than 20,000,000 characters", T + ":6",
         BUILD_T, process=True),
    Case("bounded-pprint-indentation", template("{{ {'k' * 100000: [['x'] * 10] * 10000} | pprint }}\n"),
         "template refused by the sandbox: pprint lays out at most 4,000 characters", T + ":6", BUILD_T, process=True),
    Case("bounded-format-repeated-field", template("{% set a = 'x' * 999999 %}{{ ('{0}' * 3000).format(a) }}\n"),
         "template refused by the sandbox: a text of 2,999,997,000 characters is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-printf-repeated-key", template("{% set a = 'x' * 999999 %}{{ ('%(a)s' * 3000) % {'a': a} }}\n"),
         "template refused by the sandbox: a text of 3,000,012,000 characters is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-trans-repeated-value", template("{% set big = 'x' * 999999 %}{% trans x=big %}" + "{{ x }}" * 1500
                                                  + "{% endtrans %}\n"),
         "template refused by the sandbox: a text of 1,500,006,000 characters is too large", T + r"(:\d+)?", BUILD_T,
         process=True),
    Case("bounded-gettext-repeated-value", template("{% set big = 'x' * 999999 %}{{ _('" + "%(x)s" * 1500 + "', x=big) }}\n"),
         "template refused by the sandbox: a text of 1,500,006,000 characters is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-macro-text", template("{% set big = 'x' * 999999 %}{% macro m() %}{% for i in range(3000) %}{{ big }}"
                                        "{% endfor %}{% endmacro %}{{ m() | length }}\n"),
         "template refused by the sandbox: the text of a macro or block of 2,999,997,000 characters", T + ":6", BUILD_T,
         process=True),
    Case("bounded-set-block-text", template("{% set big = 'x' * 999999 %}{% set x %}{% for i in range(3000) %}{{ big }}"
                                            "{% endfor %}{% endset %}{{ x | length }}\n"),
         "template refused by the sandbox: the text of a macro or block of 2,999,997,000 characters", T + ":6", BUILD_T,
         process=True),
    Case("bounded-imported-template-text", both(
        template("{% import '_big.md.j2' as m %}{{ m }}\n"),
        write("templates/_big.md.j2", "{% set big = 'x' * 999999 %}{% for i in range(3000) %}{{ big }}{% endfor %}")),
         "template refused by the sandbox: a text of 2,999,997,000 characters is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-translate", template("{{ ('a' * 100000).translate({97: 'b' * 100000}) }}\n"),
         "template refused by the sandbox: a text of 10,000,000,000 characters is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-bytes-repeat", template("{{ 'x'.encode() * 10 ** 10 }}\n"),
         "template refused by the sandbox: repeating a text or list 10000000000 times is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-split-pieces", template("{% set s = 'ab ' * 333333 %}{% set t = s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s %}"
                                          "{{ (t ~ t).split() | length }}\n"),  # before: 500 MB of little texts
         "template refused by the sandbox: a list of the pieces of a text of", T + ":6", BUILD_T, process=True),
    Case("bounded-list-of-characters", template("{% set s = 'ab ' * 333333 %}{% set t = s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s %}"
                                                "{{ (t ~ t) | list | length }}\n"),
         "template refused by the sandbox: a list of the characters of a text of 19,999,980 items", T + ":6", BUILD_T,
         process=True),
    # A filter whose text grows with what it is given: an indent on every line, a wrapstring between every
    # two, a rel on every link, '&lt;' for every '<' (before: 5 GB, 5 GB, 1.6 GB, 220 MB).
    Case("bounded-indent-every-line", template("{{ ('a\\n' * 499999) | indent(10000) | length }}\n"),
         "template refused by the sandbox: an indented text of 5,000,999,998 characters", T + ":6", BUILD_T, process=True),
    Case("bounded-wordwrap-string", template("{{ ('a ' * 499999) | wordwrap(1, wrapstring='x' * 9999) | length }}\n"),
         "template refused by the sandbox: a wrapped text of", T + ":6", BUILD_T, process=True),
    Case("bounded-urlize-rel", template("{{ ('http://a.bc ' * 80000) | urlize(rel='x' * 9999) | length }}\n"),
         "template refused by the sandbox: a text with links of", T + ":6", BUILD_T, process=True),
    Case("bounded-escape-growth", template("{% set s = '<' * 999999 %}{% set t = s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s %}"
                                           "{{ (t ~ t) | e | length }}\n"),
         "template refused by the sandbox: a text of 119,999,880 characters is too large", T + ":6", BUILD_T,
         process=True),
    Case("bounded-batch-width", template("{{ [1] | batch(1000000000, 0) | list | length }}\n"),
         "template refused by the sandbox: a width of 1000000000 is too large", T + ":6", BUILD_T, process=True),
    Case("bounded-nesting-depth", template("{% set ns = namespace(x=1) %}{% for i in range(1000) %}{% set ns.x = [ns.x] %}"
                                           "{% endfor %}{{ ns.x }}\n"),
         "template refused by the sandbox: lists, tuples or dicts nested more than 100 deep", T + ":6", BUILD_T),
    # What each step makes is bounded, but many steps can keep many large texts: the memory a brief
    # takes is bounded too, and each of these stops there (before, 1.5 to 8 GB).
    Case("bounded-memory-map", template("{{ (['x' * 999999] * 2000) | map('upper') | list | length }}\n"),
         "template error: composing takes more than 100 MB of memory", T + r"(:\d+)?", BUILD_T, process=True),
    Case("bounded-memory-recursion", template(
        "{% macro f(n, s) %}{% if n %}{{ f(n - 1, s ~ n) }}{% endif %}{% endmacro %}"
        "{% set s = 'x' * 999999 %}{{ f(200, s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s ~ s) }}\n"),
         "template error: composing takes more than 100 MB of memory", T + r"(:\d+)?", BUILD_T, process=True),
    Case("bounded-memory-loops-over-a-text", template(
        "{% set t = 'x' * 1000 %}{% macro m() %}{% for a in t %}{% for b in t %}{% for c in t %}x{% endfor %}{% endfor %}"
        "{% endfor %}{% endmacro %}{{ m() | length }}\n"),
         "template error: composing takes more than 100 MB of memory", T + r"(:\d+)?", BUILD_T, process=True),
    # Python's sum joins lists two at a time, in time that grows with the square of their number: this never ended.
    Case("bounded-sum-of-lists-works", template("{{ ([[1]] * 500000) | sum(start=[]) | length }}\n"), "",
         args=BUILD_T, code=0, process=True),

    # smaller ---------------------------------------------------------------------------------------------------
    Case("front-matter-duplicate-key", template("x\n", head=HEAD.replace("audience: Testers\n", "audience: Testers\naudience: Others\n")),
         "the key 'audience' appears twice in one mapping", T + ":4", BUILD_T),

    # sources as analysts get them: add-source and remove-source ------------------------------------------
    Case("contain-add-source-texts-link", lambda root: (
             shutil.rmtree(root / "sources" / "texts"), (root.parent / "elsewhere").mkdir(exist_ok=True),
             (root / "sources" / "texts").symlink_to(root.parent / "elsewhere"),
             (root.parent / "page.txt").write_text("Un article venu d’ailleurs, assez long pour compter.\n", encoding="utf-8")),
         "lies outside the dossier", r"{root}/sources/texts", ("add-source", "{root}/../page.txt", "-d", "{root}")),
    Case("add-source-scanned-pdf", scanned_pdf, "this PDF has no text layer (a scanned image?); run it through OCR first",
         r"{root}/\.\./scan\.pdf", ("add-source", "{root}/../scan.pdf", "-d", "{root}")),
    # python-docx reads a run's text only up to the first node that is not text: before, the rest went, silently.
    Case("add-source-docx-entity", word_file_with('<!DOCTYPE w:document [<!ENTITY place "Calder">]>', "in Calder", "in &place;"),
         "this Word file holds the XML entity reference &place; inside its text", r"{root}/\.\./odd\.docx",
         ("add-source", "{root}/../odd.docx", "-d", "{root}")),
    Case("add-source-docx-comment-in-text", word_file_with("", "in Calder", "in <!-- a note -->Calder"),
         "this Word file holds an XML comment inside its text", r"{root}/\.\./odd\.docx",
         ("add-source", "{root}/../odd.docx", "-d", "{root}")),
    # Compressed bombs: a file of about 100 kB that unpacks to 100 MB. Before, the PDF was read whole and
    # added (and the probe's 900 MB ones ended in MemoryError); the Word file met lxml's own limit by luck.
    Case("add-source-docx-bomb", beside(word_bomb, "bomb.docx"),
         "this Word file unpacks to more than 64 MB", r"{root}/\.\./bomb\.docx",
         ("add-source", "{root}/../bomb.docx", "-d", "{root}")),
    Case("add-source-pdf-bomb", beside(pdf_with_streams, "bomb.pdf", page=PDF_PAGE, padding_megabytes=100),
         "this PDF unpacks to more than 64 MB", r"{root}/\.\./bomb\.pdf", ("add-source", "{root}/../bomb.pdf", "-d", "{root}")),
    Case("add-source-docx-bzip2", beside(word_bomb, "packed.docx", megabytes=1, compression=zipfile.ZIP_BZIP2),
         "is packed in a way Word never writes", r"{root}/\.\./packed\.docx",
         ("add-source", "{root}/../packed.docx", "-d", "{root}")),
    Case("add-source-unknown-encoding", lambda root: (root.parent / "noise.txt").write_bytes(bytes(range(128, 256)) * 3),
         "the encoding of this text cannot be told", r"{root}/\.\./noise\.txt", ("add-source", "{root}/../noise.txt", "-d", "{root}")),
    Case("add-source-url-404", None, "the server answered HTTP 404 Not Found; nothing added", r"http://127\.0\.0\.1:\d+/missing",
         ("add-source", "{url}/missing", "-d", "{root}"), serve=True),
    Case("add-source-url-not-html", None, "the link gives image/png, not a web page, a PDF, a Word file or text",
         r"http://127\.0\.0\.1:\d+/logo\.png", ("add-source", "{url}/logo.png", "-d", "{root}"), serve=True),
    Case("add-source-url-too-large", None, "the link gives more than 20,000,000 bytes", r"http://127\.0\.0\.1:\d+/huge",
         ("add-source", "{url}/huge", "-d", "{root}"), serve=True),
    # A socket's timeout bounds each wait, and a byte every 0.2 s meets none: before, these ran for two minutes.
    Case("add-source-url-trickled-body", None, "the server did not send the whole answer within 1.5 seconds",
         r"http://127\.0\.0\.1:\d+/trickle", ("add-source", "{url}/trickle", "-d", "{root}", "--timeout", "1.5"), serve=True),
    Case("add-source-url-trickled-headers", None, "the server did not send the whole answer within 1.5 seconds",
         r"http://127\.0\.0\.1:\d+/trickle-headers", ("add-source", "{url}/trickle-headers", "-d", "{root}", "--timeout", "1.5"),
         serve=True),
    Case("add-source-timeout-nan", None, "Invalid value for '--timeout'", None,
         ("add-source", "http://127.0.0.1:9/x", "-d", "{root}", "--timeout", "nan"), code=2),
    # An article of one sentence of 1.6 MB (no full stop): segmenting it, and scoring every window of it,
    # never ended. A process: the harness stops one that runs past a minute.
    Case("quote-one-long-sentence-works", both(long_article, accept("one")), "", code=0, process=True,
         args=("quote", "one", "la comission mixte publira le niveau", "-d", "{root}")),
    Case("coverage-one-long-sentence-works", both(long_article, accept("one")), "", code=0, process=True,
         args=("sources", "--coverage", "-d", "{root}")),
    Case("remove-source-while-cited", None, "source 'one' is cited by 2 pieces of evidence: 'meeting'", S + ":1",
         ("remove-source", "one", "-d", "{root}")),

    # init writes what check accepts, or nothing: its options pass the loader's own validation first.
    # Before, each of these exited 0 and wrote a dossier that check refused.
    Case("init-title-escape", None, "--title: holds the character U+001B, which a document cannot show", None,
         ("init", "{root}/../new", "--no-example", "--title", "a\x1b[2Jb")),
    Case("init-title-direction-control", None, "--title: holds U+202E RIGHT-TO-LEFT OVERRIDE, a direction control", None,
         ("init", "{root}/../new", "--no-example", "--title", "Quarterly \u202efdp.exe")),
    Case("init-title-too-long", None, "--title: is at most 500 characters (this one has 600)", None,
         ("init", "{root}/../new", "--no-example", "--title", "a" * 600)),
    Case("init-marking-too-long", None, "--marking: is at most 100 characters (this one has 101)", None,
         ("init", "{root}/../new", "--no-example", "--marking", "M" * 101)),
    Case("init-subject-line-break", None, "--subject: holds a line break (U+000A)", None,
         ("init", "{root}/../new", "--subject", "one\ntwo")),
    Case("init-title-not-utf8", None, "--title: is not UTF-8 text", None,
         ("init", "{root}/../new", "--title", "caf\udce9")),  # a byte the terminal gave, not a character
    Case("init-title-from-folder-escape", None, "the title taken from the folder name (give --title): holds the character U+001B", None,
         ("init", "{root}/../x\x1b[2Ky", "--no-example")),

    # usage -----------------------------------------------------------------------
    Case("usage-bad-format", None, "Invalid value for '--format' / '-f': 'odt' is not one of 'docx', 'pdf', 'html', 'md'", None,
         ("build", "-d", "{root}", "-f", "odt"), code=2),
    Case("usage-unknown-option", None, "No such option '--colour'", None, ("build", "-d", "{root}", "--colour"), code=2),
]

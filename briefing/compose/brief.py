"""Stage 3, compose: a Jinja2 template of one audience turns the checked
dossier into Markdown with citation markers `[^fact-id]`.

Templates may come from colleagues, so they run sandboxed (no access to
internals, no changes to the context), every undefined name is an error, and
`include`/`extends` only reach the template folders.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter, SecurityError, safe_range

from .. import __version__
from ..check import CheckedDossier, CheckedFact, in_language
from ..document import Labels, Meta, NoteContent, NoteEntry, fold_spaces, quote_marks
from ..errors import BriefingError, BriefingWarning
from ..load.paths import MAX_FILE_BYTES
from . import wording
from .context import FactView, SourceView, attribution_of, build_context, smart_quotes, source_view
from .language import Language, typeset
from .language import language as language_of
from .templates import TemplateFile, search_path

# Characters that can start markup anywhere, and those that only matter at the
# start of a block ("1." or "-" would open a list, "#" a heading).
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>!|~&])")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+#=>])")
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # all but tab and line ends
_FACT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")  # as `load.model` checks ids


@dataclass(frozen=True)
class ComposedBrief:
    markdown: str
    meta: Meta
    notes: dict[str, NoteContent]
    template: TemplateFile
    warnings: tuple[BriefingWarning, ...] = ()  # sections with facts the brief leaves out


def escape_markdown(text) -> str:
    """Make text literal in Markdown: every ASCII punctuation gets a backslash,
    and line breaks become spaces, so a claim can never open a list or a table.
    NUL goes: CommonMark turns it into U+FFFD, a visible "�"."""
    escaped = _INLINE_MARKUP.sub(r"\\\1", fold_spaces(str(text).replace("\x00", "")))
    return _BLOCK_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", escaped)


def cite(*facts, record: dict[str, None] | None = None) -> str:
    """Citation markers for one or more facts (or fact ids); `record` collects the ids cited."""
    markers = []
    for fact in facts:
        for item in fact if isinstance(fact, (list, tuple)) else (fact,):
            key = item.id if isinstance(item, FactView) else str(item)
            if not _FACT_ID.match(key):  # a footnote label a parser would read as text
                raise jinja2.TemplateRuntimeError(f"cite(): '{key}' is not a fact id")
            if record is not None:
                record.setdefault(key, None)
            markers.append(f"[^{key}]")
    return "".join(markers)


MAX_SIZE = 1_000_000  # the largest number or repeated text a template may make
MAX_WIDTH = 10_000  # the widest padding or precision a format may ask for
MAX_OUTPUT = 20_000_000  # characters of Markdown a template may write
MAX_SECONDS = 10.0  # how long composing one brief may take (the longest default brief takes a fraction of a second)

# A width and a precision in a format spec ('{:>300}', '{:.5f}'), and in printf style ('%-300.2s').
_SPEC_WIDTH = re.compile(r"^(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?")
_PRINTF_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d+|\*)?(?:\.(\d+|\*))?")


class TemplateLimit(jinja2.TemplateError):
    """A template that would take more time or memory than a brief can need."""


def check_width(width) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > MAX_WIDTH:
        raise SecurityError(f"a width of {width} is too large (at most {MAX_WIDTH})")


def check_printf(text, values) -> None:
    """The widths of a printf-style format (`'%300s' % x`), stars included."""
    if not isinstance(text, str):
        return
    stars = iter(values if isinstance(values, tuple) else (values,))
    for match in _PRINTF_WIDTH.finditer(text):
        for part in match.groups():
            check_width(next(stars, 0) if part == "*" else int(part) if part else 0)


class _WidthCheck(SandboxedFormatter):
    """A first run of `str.format` that checks each field's spec (nested ones
    resolved) before it is applied."""

    def format_field(self, value, format_spec: str) -> str:
        match = _SPEC_WIDTH.match(format_spec)
        for part in match.groups() if match else ():
            check_width(int(part) if part else 0)
        return super().format_field(value, format_spec)


class _Bounded(Sequence):
    """`range` for templates: Jinja's safe range, whose iteration also stops at
    the composing deadline (a loop that writes nothing still spends time)."""

    def __init__(self, numbers: range, deadline: list[float]):
        self.numbers, self.deadline = numbers, deadline

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, index):
        return self.numbers[index]

    def __iter__(self):
        for count, number in enumerate(self.numbers):
            if count % 1024 == 0:
                check_deadline(self.deadline)
            yield number


def check_deadline(deadline: list[float]) -> None:
    if deadline and time.monotonic() > deadline[0]:
        raise TemplateLimit(f"composing takes longer than {MAX_SECONDS:g} s; the template loops too long")


def check_text_size(size: int, what: str = "a text") -> None:
    if size > MAX_OUTPUT:
        raise SecurityError(f"{what} of {size:,} characters is too large (at most {MAX_OUTPUT:,})")


def _replaced_size(text: str, old: str, new: str, count: int = -1) -> int:
    """The length `text.replace(old, new, count)` would have, without making it."""
    found = text.count(old) if old else len(text) + 1
    if count is not None and count >= 0:
        found = min(found, count)
    return len(text) + found * (len(new) - len(old))


class _Compiler(CodeGenerator):
    """Jinja's code generator, but `~` joins through the sandbox's `checked_join`."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.checked_join((")
        for argument in node.nodes:
            self.visit(argument, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox guards attributes; this also refuses what would take the
    machine's memory or time: huge arithmetic (`9**9**9`, `'x' * 10**10`,
    repeated squaring), huge widths (`'{:>300000000}'`, `center`, `'%300000000s'`),
    and loops past the deadline. The output's size is bounded by `compose_brief`."""

    intercepted_binops = frozenset(["*", "**", "%", "+"])
    code_generator_class = _Compiler

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.deadline: list[float] = []  # set while a brief composes
        self.globals["range"] = lambda *args: _Bounded(safe_range(*args), self.deadline)

    def call_binop(self, context, operator, left, right):
        check_deadline(self.deadline)
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right * abs(left).bit_length() > 10_000:
            raise SecurityError(f"the power {left}**{right} is too large")
        if operator == "*" and isinstance(left, int) and isinstance(right, int) \
                and abs(left).bit_length() + abs(right).bit_length() > 20_000:
            raise SecurityError(f"the product of numbers of {abs(left).bit_length()} and {abs(right).bit_length()} "
                                "bits is too large")
        if operator == "*" and isinstance(left, int) != isinstance(right, int):
            count, sequence = (left, right) if isinstance(left, int) else (right, left)
            if isinstance(sequence, (str, list, tuple)) and len(sequence) * count > MAX_SIZE:
                raise SecurityError(f"repeating a text or list {count} times is too large")
        if operator == "%":
            check_printf(left, right)
        if operator == "+" and isinstance(left, str) and isinstance(right, str):
            check_text_size(len(left) + len(right))
        if operator == "+" and isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)) \
                and len(left) + len(right) > MAX_SIZE:
            raise SecurityError(f"a list of {len(left) + len(right):,} items is too large (at most {MAX_SIZE:,})")
        return super().call_binop(context, operator, left, right)

    def checked_join(self, parts) -> str:
        """`a ~ b`: the texts joined, when the result is of a size a brief can hold."""
        texts = [str(part) for part in parts]
        check_text_size(sum(map(len, texts)))
        return "".join(texts)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805  # Jinja's own signature
        check_deadline(__self.deadline)
        name, owner = getattr(__obj, "__name__", None), getattr(__obj, "__self__", None)
        if name in _PADDING and isinstance(owner, str):
            for width in (*args[:1], *kwargs.values()):
                check_width(width)
        if name == "replace" and isinstance(owner, str) and len(args) >= 2 and all(isinstance(a, str) for a in args[:2]):
            check_text_size(_replaced_size(owner, args[0], args[1], *[a for a in args[2:3] if isinstance(a, int)]))
        if name == "join" and isinstance(owner, str) and args and isinstance(args[0], (list, tuple)):
            check_text_size(sum(len(str(item)) for item in args[0]) + len(owner) * max(len(args[0]) - 1, 0))
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, is_map = value.__self__, value.__name__ == "format_map"

        def checked(*args, **kwargs):
            _WidthCheck(self).vformat(text, (), args[0]) if is_map and args else _WidthCheck(self).vformat(text, args, kwargs)
            return wrapped(*args, **kwargs)
        return checked


_PADDING = frozenset(["center", "ljust", "rjust", "zfill", "expandtabs"])


def _center(value, width: int = 80) -> str:
    check_width(width)
    return str(value).center(width)


def _indent(value, width=4, first: bool = False, blank: bool = False) -> str:
    check_width(width if isinstance(width, int) else len(str(width)))
    return jinja2.filters.do_indent(str(value), width, first, blank)


def _format(value, *args, **kwargs) -> str:
    check_printf(str(value), kwargs or args)
    return jinja2.filters.do_format(str(value), *args, **kwargs)


@jinja2.pass_eval_context
def _replace(eval_ctx, value, old, new, count=None):
    if isinstance(value, str) and isinstance(old, str) and isinstance(new, str):
        check_text_size(_replaced_size(value, old, new, -1 if count is None else count))
    return jinja2.filters.do_replace(eval_ctx, value, old, new, count)


@jinja2.pass_eval_context
def _join(eval_ctx, value, d="", attribute=None):
    items = list(value)
    if attribute is None:
        check_text_size(sum(len(str(item)) for item in items) + len(str(d)) * max(len(items) - 1, 0))
    result = jinja2.filters.do_join(eval_ctx, items, d, attribute)
    check_text_size(len(result))
    return result


MAX_LIPSUM = 100  # paragraphs of placeholder text


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:  # noqa: A002  # Jinja's own names
    """Jinja's placeholder text, of a size a brief can hold."""
    for number in (n, min, max):
        if not isinstance(number, int) or number > MAX_LIPSUM:
            raise SecurityError(f"lipsum: at most {MAX_LIPSUM} paragraphs of at most {MAX_LIPSUM} words")
    from jinja2.utils import generate_lorem_ipsum

    return generate_lorem_ipsum(n, html, min, max)


class TemplateOutside(jinja2.TemplateError):
    """An include or extends that a link leads out of the template folders."""


class _Loader(jinja2.FileSystemLoader):
    """Template files as UTF-8, found only inside the template folders (links
    followed: a link to a file elsewhere is refused); a file that is not UTF-8
    is named, with the bad byte."""

    def get_source(self, environment, template):
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            candidate = Path(folder, *pieces)
            if candidate.exists() or candidate.is_symlink():
                real = candidate.resolve()
                if not real.is_relative_to(Path(folder).resolve()) or not real.is_file():
                    raise TemplateOutside(f"template '{template}' lies outside the template folders, or is not a "
                                          "regular file (links are followed)")
                if real.stat().st_size > MAX_FILE_BYTES:  # every template file, whatever its suffix
                    raise TemplateOutside(f"template '{template}' is larger than {MAX_FILE_BYTES // 1_000_000} MB")
                break
        try:
            return super().get_source(environment, template)
        except UnicodeDecodeError as error:
            found = next((Path(folder, template) for folder in self.searchpath if Path(folder, template).is_file()), template)
            raise BriefingError(f"not UTF-8 text: byte {error.start} is 0x{error.object[error.start]:02x}; "
                                "save the template as UTF-8", file=found) from None


def make_environment(folders: list[Path], words: Language) -> _Sandbox:
    """The sandbox, with the brief's language: gettext (`_()`, `{% trans %}`) from its catalogue,
    and filters that write dates, numbers and lists its way."""
    env = _Sandbox(
        loader=_Loader([str(folder) for folder in folders]),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(center=_center, indent=_indent, format=_format, replace=_replace, join=_join)
    env.globals["lipsum"] = _lipsum
    env.filters["md"] = lambda text: escape_markdown(words.typeset(str(text)))
    env.install_gettext_translations(words.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = words.date
    env.filters["language"] = words.language_name
    env.filters["number"] = words.number
    env.filters["format_list"] = words.list
    env.tests["contains"] = lambda sequence, value: value in sequence
    env.tests["intersect"] = lambda one, other: not {id(x) for x in one}.isdisjoint(id(x) for x in other)
    env.tests["touches"] = lambda versions, chosen: any(fact in chosen for version in versions for fact in version.facts)
    env.globals["cite"] = cite
    return env


def compose_brief(checked: CheckedDossier, template: TemplateFile, language: str | None = None) -> ComposedBrief:
    """The template's Markdown for the checked dossier, with what its citations lead to, in
    `language`: the template's own, else `language`, else the dossier's. Every text the
    dossier lacks in that language is an error, all of them at once."""
    code = brief_language(checked, template, language)
    words = language_of(code)
    checked = in_language(checked, code)
    root = checked.dossier.root
    folders = [template.path.parent.resolve()] + [folder.resolve() for folder in search_path(root)]
    env = make_environment(list(dict.fromkeys(folders)), words)
    meta = make_meta(checked, template, words)
    record: dict[str, None] = {}
    env.globals["cite"] = lambda *facts: cite(*facts, record=record)
    context = build_context(checked, words, lambda: tuple(record)) | {"brief": meta, "template": template.info}
    try:
        markdown = _render_bounded(env, env.get_template(template.path.name), context)
    except jinja2.TemplateSyntaxError as error:
        raise BriefingError(f"template syntax error: {error.message}", file=error.filename or template.path, line=error.lineno) from None
    except jinja2.TemplateNotFound as error:
        file, line = _template_frame(template.path)
        raise BriefingError(f"template '{error.name}' not found in the template folders", file=file, line=line) from None
    except jinja2.UndefinedError as error:
        file, line = _template_frame(template.path)
        raise BriefingError(f"undefined in template: {error.message}", file=file, line=line) from None
    except TemplateOutside as error:
        file, line = _template_frame(template.path)
        raise BriefingError(str(error), file=file, line=line) from None
    except SecurityError as error:
        file, line = _template_frame(template.path)
        raise BriefingError(f"template refused by the sandbox: {error}", file=file, line=line) from None
    except RecursionError:
        file, line = _template_frame(template.path)
        raise BriefingError("template error: a macro or include calls itself without end", file=file, line=line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, jinja2.TemplateError) as error:
        file, line = _template_frame(template.path)
        raise BriefingError(f"template error: {error}", file=file, line=line) from None
    unshown = unshown_sections(checked, template, record)
    return ComposedBrief(markdown, meta, note_contents(checked, words), template, (unshown,) if unshown else ())


def brief_language(checked: CheckedDossier, template: TemplateFile, language: str | None = None) -> str:
    """The language a brief is written in: the template's, else the one asked for, else the dossier's."""
    return template.info.language or language or checked.dossier.config.language


def unshown_sections(checked: CheckedDossier, template: TemplateFile, cited) -> BriefingWarning | None:
    """One line naming the sections with facts of which the brief cites none:
    a section is never dropped silently."""
    left_out = [section.id for section in checked.dossier.config.sections
                if any(f.fact.section == section.id for f in checked.facts)
                and not any(f.fact.section == section.id and f.id in cited for f in checked.facts)]
    if not left_out:
        return None
    names = ", ".join(f"'{name}'" for name in left_out)
    shows = template.info.shows
    hint = (f"tag a section {' or '.join(repr(tag) for tag in shows)} in sources/dossier.yaml (or a fact with "
            "`tags:`) to include it" if shows else "this template shows only the headline facts of a section; "
            "mark a fact `headline: true` to include it")
    label = "section" if len(left_out) == 1 else "sections"
    return BriefingWarning(f"{template.name}: {label} {names} not shown — {hint}", file=str(template.path))


def _render_bounded(env: _Sandbox, template: jinja2.Template, context: dict) -> str:
    """The template's output, streamed so that it stops at `MAX_OUTPUT`
    characters or `MAX_SECONDS`, whichever comes first."""
    env.deadline[:] = [time.monotonic() + MAX_SECONDS]
    try:
        chunks, size = [], 0
        for chunk in template.generate(context):
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise TemplateLimit(f"the brief grows beyond {MAX_OUTPUT:,} characters; the template writes too much")
            check_deadline(env.deadline)
            chunks.append(chunk)
        markdown = "".join(chunks)
        lone = _SURROGATE.search(markdown)
        if lone:
            raise TemplateLimit(f"the template writes U+{ord(lone[0]):04X}, half of a surrogate pair, "
                                "which no file can hold; remove it")
        control = _CONTROL.search(markdown)
        if control:
            raise TemplateLimit(f"the template writes the control character U+{ord(control[0]):04X}, "
                                "which no brief may hold; remove it")
        return markdown
    finally:
        env.deadline.clear()


def _template_frame(default: Path) -> tuple[str, int | None]:
    """The innermost template file and line of the exception being handled."""
    found: tuple[str, int | None] = (str(default), None)
    traceback = sys.exc_info()[2]
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            found = (filename, traceback.tb_lineno)
        traceback = traceback.tb_next
    return found


def make_meta(checked: CheckedDossier, template: TemplateFile, words: Language) -> Meta:
    config = checked.dossier.config
    info = template.info
    _ = words.gettext
    return Meta(
        title=words.typeset(smart_quotes(config.title)), subject=words.typeset(smart_quotes(config.subject)),
        doc_type=_(info.doc_type),
        organisation=config.organisation, author=config.author, date=config.date,
        reference=product_reference(config.reference, info.reference_suffix), status=config.status, marking=config.marking,
        audience=_(info.audience), keywords=tuple(config.keywords), language=words.code,
        date_text=words.date(config.date), labels=labels(words, config.status),
        template=info.name, evidence=info.evidence, numbered=info.numbered,
        table_of_contents=info.table_of_contents, page_budget=info.page_budget,
        generator=f"briefing {__version__}",
    )


def labels(words: Language, status: str = "draft") -> Labels:
    """The fixed words of the renderers, in the brief's language."""
    _ = words.gettext
    status = {"draft": _("Draft"), "final": _("Final")}.get(status, status)
    return Labels(
        date=_("Date"), reference=_("Reference"), audience=_("Audience"), prepared_by=_("Prepared by"),
        status=_("Status"), marking=_("Marking"), status_value=status, contents=_("Contents"),
        evidence=_("Evidence"), sources_and_evidence=_("Sources and evidence"), page_of=_("Page %(page)s of %(pages)s"),
        translation=_("(translation: %(text)s)"), also=_("Also %(names)s."), evidence_number=_("evidence %(number)s"),
        back_to_citation=_("back to citation %(number)s"), made_for=_("%(doc_type)s for: %(audience)s"),
        attached=_("Attached"), colon=str(words.translations.pgettext("after a label or a source's name", ": ")),
    )


def product_reference(reference: str, suffix: str | None) -> str:
    """'BN-2025-0623-MLI-RUS' + 'EXE' → 'BN-2025-0623-MLI-RUS-EXE': each product its own reference."""
    if not suffix or reference == "unknown":
        return reference
    return f"{reference}-{suffix}"


def note_contents(checked: CheckedDossier, words: Language) -> dict[str, NoteContent]:
    """What a citation of each fact leads to, as plain text a renderer can set."""
    views = {source.id: source_view(source, words) for source in checked.dossier.sources}  # once per source, not per quote
    return {fact.id: _note_content(fact, views, words) for fact in checked.facts}


def _note_content(fact: CheckedFact, views: dict[str, SourceView], words: Language) -> NoteContent:
    """An evidence entry: who backs the claim and how well (the credibility and
    its reason), then each source's verbatim passages with the analyst's
    translation where the dossier gives one and the quote's language is not
    the brief's. The sources themselves are described once, in the sources list."""
    _ = words.gettext
    by_source: dict[str, list] = {}
    for located, evidence in zip(fact.evidence, fact.fact.evidence):
        by_source.setdefault(located.source.id, []).append((located, evidence.translation))
    entries = []
    for source_id, quotes in by_source.items():
        view = views[source_id]
        url = view.url if view.url.startswith(("http://", "https://")) else None
        passages = tuple(typeset(fold_spaces(located.passage), view.language, verbatim=True)
                         for located, _t in quotes)
        same_language = view.language.split("-")[0] == words.code.split("-")[0]
        translations = tuple(None if same_language or translation is None else words.typeset(translation)
                             for _l, translation in quotes)
        descriptor = _("reliability %(grade)s", grade=view.reliability) + (f" · {url}" if url else "")
        quoted = " ".join("{0}{2}{1}".format(*quote_marks(p, view.language, words.code), p) for p in passages)
        entries.append(NoteEntry(view.name, descriptor, quoted,
                                 view.language, url, view.reliability, passages, translations))
    cited = tuple(dict.fromkeys(views[quote.source.id] for quote in fact.evidence))
    names = ", ".join(f"{v.name} ({v.reliability})" for v in cited)
    reason = smart_quotes(wording.reason(fact, words))
    if fact.fact.kind == "judgment":
        support = _("%(judgment)s, resting on %(names)s: %(reason)s.", names=names, reason=reason,
                    judgment=wording.confidence_phrase(fact.fact.confidence or "", words))
    else:
        support = _("%(names)s: %(reason)s, credibility %(grade)s.", names=names, reason=reason, grade=fact.credibility)
    if fact.fact.derivation:
        support += " " + _("Analyst’s derivation: %(derivation)s", derivation=smart_quotes(fact.fact.derivation))
    claim = smart_quotes(wording.with_attribution(fact.fact.claim, attribution_of(fact, cited, words)))
    if fact.fact.kind == "judgment":
        brief_support = wording.confidence_phrase(fact.fact.confidence or "", words) + "."
    else:
        brief_support = _("Credibility %(grade)s.", grade=fact.credibility)  # the source summary gives the scale
    short = "; ".join(f"{v.name} ({v.reliability})" for v in cited)
    typeset_ = words.typeset  # the analyst's text and ours, in the brief's typography
    return NoteContent(typeset_(claim), typeset_(support), tuple(entries), typeset_(short), typeset_(brief_support))

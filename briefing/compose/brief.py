"""Stage 3, compose: a Jinja2 template of one audience turns the checked
dossier into Markdown with citation markers `[^fact-id]`.

Templates may come from colleagues, so they run sandboxed (`compose.sandbox`:
no access to internals, no changes to the context, bounded in time, size and
memory), every undefined name is an error, and `include`/`extends` only reach
the template folders.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2.sandbox import SecurityError

from .. import __version__
from ..check import CheckedDossier, CheckedFact, in_language
from ..check.claims import Glossary
from ..document import Labels, Meta, NoteContent, NoteEntry, fold_spaces, quote_marks
from ..errors import BriefingError, BriefingWarning
from . import wording
from .carrying import carrying_passages
from .context import FactView, SourceView, attribution_of, build_context, source_view
from .language import Language, smart_quotes, typeset
from .language import language as language_of
from .sandbox import Sandbox, TemplateOutside, in_plain_words, make_sandbox, render_bounded
from .templates import TemplateFile, search_path

# Characters that can start markup anywhere, and those that only matter at the
# start of a block ("1." or "-" would open a list, "#" a heading). A brace is
# escaped wherever it stands: a line of `{…}` is a block attribute (`{.timeline}`).
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>!|~&{}])")
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([-+#=>])")
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


# In a link destination, what could end the link or change the address: a parenthesis, a bracket, '<',
# '>', an entity's '&', a backslash, a backtick; and what a destination cannot hold at all (a space).
_TARGET_MARKUP = re.compile(r"([\\()\[\]<>&`])")
_TARGET_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def escape_link_target(url) -> str:
    """`url` as a Markdown link destination that the parser reads back as exactly that address
    (`[text]({{ url | link_target }})`): its markup characters backslash-escaped, so that
    ")[text](https://elsewhere/" is no second link and "&lt;" no '<', and any space or control
    percent-encoded. Each format percent-encodes the address again for its own links."""
    text = _TARGET_BREAKS.sub(lambda m: "".join(f"%{byte:02X}" for byte in m[0].encode("utf-8")), str(url))
    return _TARGET_MARKUP.sub(r"\\\1", text)


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


def make_environment(folders: list[Path], words: Language) -> Sandbox:
    """The sandbox a brief composes in (`compose.sandbox`), with the brief's language: gettext
    (`_()`, `{% trans %}`) from its catalogue, and filters that write dates, numbers and lists its way."""
    return make_sandbox(
        folders,
        filters={"md": lambda text: escape_markdown(words.typeset(str(text))), "link_target": escape_link_target,
                 "date": words.date,
                 "language": words.language_name, "number": words.number, "format_list": words.list,
                 "spelled": lambda n: wording.count_word(int(n), words)},
        tests={"contains": lambda sequence, value: value in sequence,
               "intersect": lambda one, other: not {id(x) for x in one}.isdisjoint(id(x) for x in other),
               "touches": lambda versions, chosen: any(fact in chosen for version in versions for fact in version.facts)},
        globals={"cite": cite},
        translations=words.translations,
    )


def compose_brief(checked: CheckedDossier, template: TemplateFile, language: str | None = None) -> ComposedBrief:
    """The template's Markdown for the checked dossier, with what its citations lead to, in
    `language`: the template's own, else `language`, else the dossier's. Every text the
    dossier lacks in that language is an error, all of them at once."""
    code = brief_language(checked, template, language)
    try:
        words = language_of(code)
    except BriefingError as error:  # point at the line that chose the language, when a file did
        where = checked.dossier.config.where.of("language")
        file, line = ((str(template.path), template.language_line) if template.info.language else
                      (None, None) if language and language != checked.dossier.config.language else
                      (where.file, where.line))
        raise BriefingError(error.detail, file=file, line=line) from None
    checked = in_language(checked, code)
    root = checked.dossier.root
    folders = [template.path.parent.resolve()] + [folder.resolve() for folder in search_path(root)]
    env = make_environment(list(dict.fromkeys(folders)), words)
    meta = make_meta(checked, template, words)
    record: dict[str, None] = {}
    env.globals["cite"] = lambda *facts: cite(*facts, record=record)
    context = build_context(checked, words, lambda: tuple(record)) | {"brief": meta, "template": template.info}
    try:
        markdown = render_bounded(env, env.get_template(template.path.name), context)
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
    except MemoryError:  # the limits keep composing far below this; a machine short of memory still gets a line
        file, line = _template_frame(template.path)
        raise BriefingError("template error: composing needs more memory than this machine has", file=file,
                            line=line) from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError, jinja2.TemplateError) as error:
        file, line = _template_frame(template.path)
        raise BriefingError(f"template error: {in_plain_words(error)}", file=file, line=line) from None
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
        table_of_contents=info.table_of_contents, page_budget=info.page_budget, title_block=info.title_block,
        budget_where=(str(template.path), template.budget_line),
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
        translation=_("(translation: %(text)s)"), evidence_number=_("evidence %(number)s"),
        back_to_citation=_("back to citation %(number)s"), made_for=_("%(doc_type)s for: %(audience)s"),
        attached=_("Attached"), quoted_at=_("(see evidence %(number)s)"),
        quoted_in_note=_("(see note %(number)s)"), quoted_at_several=_("(see evidence %(numbers)s)"),
        quoted_in_notes=_("(see notes %(numbers)s)"), list_patterns=words.list_patterns(),
        timeline_figure=_("Figure %(number)s. The dated events of the table below, evenly spaced (not to scale)"),
        colon=str(words.translations.pgettext("after a label or a source's name", ": ")),
        style_names=(("Brief Organisation", _("Brief Organisation")), ("Brief Type", _("Brief Type")),
                     ("Brief Field", _("Brief Field")), ("Numbered Paragraph", _("Numbered Paragraph")),
                     ("Table Text", _("Table Text"))),
    )


_GRADE = re.compile(r" (\d)(?=[.,](?:\s|$))")  # "credibility 3.": the grade never starts a line alone


def product_reference(reference: str, suffix: str | None) -> str:
    """'BN-2025-0623-MLI-RUS' + 'EXE' → 'BN-2025-0623-MLI-RUS-EXE': each product its own reference."""
    if not suffix or reference == "unknown":
        return reference
    return f"{reference}-{suffix}"


def note_contents(checked: CheckedDossier, words: Language) -> dict[str, NoteContent]:
    """What a citation of each fact leads to, as plain text a renderer can set."""
    views = {source.id: source_view(source, words) for source in checked.dossier.sources}  # once per source, not per quote
    glossary = Glossary.of(checked.dossier.config.glossary)
    return {fact.id: _note_content(fact, views, words, glossary) for fact in checked.facts}


def _note_content(fact: CheckedFact, views: dict[str, SourceView], words: Language, glossary: Glossary) -> NoteContent:
    """An evidence entry: who backs the claim and how well (the credibility and
    its reason), then each source's verbatim passages with the analyst's
    translation where the dossier gives one and the quote's language is not
    the brief's. The sources themselves are described once, in the sources list."""
    _ = words.gettext
    by_source: dict[str, list] = {}
    for located, evidence in zip(fact.evidence, fact.fact.evidence):
        by_source.setdefault(located.source.id, []).append((located, evidence.translation))
    flat = [(located.passage, located.source.meta.language, translation)
            for quotes in by_source.values() for located, translation in quotes]
    own = [name for located in fact.evidence for name in (located.source.meta.id, located.source.meta.outlet,
                                                           located.source.meta.author, views[located.source.id].name)]
    carrying = carrying_passages(str(fact.fact.claim), words.code, flat, glossary, own)
    first = 0  # the index in `flat` of each source's first passage
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
        quoted = " ".join("{0}{2}{1}".format(*quote_marks(p, view.language), p) for p in passages)
        carries = tuple(first + index in carrying for index in range(len(quotes)))
        first += len(quotes)
        entries.append(NoteEntry(view.name, descriptor, quoted, view.language, url, view.reliability, passages,
                                 translations, carries=carries))
    cited = tuple(dict.fromkeys(views[quote.source.id] for quote in fact.evidence))
    names = ", ".join(f"{v.name} ({v.reliability})" for v in cited)
    reason = smart_quotes(wording.reason(fact, words))
    if fact.fact.kind == "judgment":
        support = _("%(judgment)s, resting on %(names)s: %(reason)s.", names=names, reason=reason,
                    judgment=wording.confidence_phrase(fact.fact.confidence or "", words))
    elif fact.disputed:
        # the source statement says once that a disputed point is rated 3 at best
        support = _("%(names)s: %(reason)s, on a point the sources disagree on: credibility %(grade)s.", names=names,
                    grade=fact.credibility, reason=smart_quotes(wording.reason(fact, words, with_cap=False)))
    else:
        support = _("%(names)s: %(reason)s, credibility %(grade)s.", names=names, reason=reason, grade=fact.credibility)
    derivation = ""
    if fact.fact.derivation:  # said in the evidence entry and in the footnote alike
        derivation = " " + _("Analyst’s derivation: %(derivation)s", derivation=smart_quotes(fact.fact.derivation))
    support += derivation
    claim = smart_quotes(wording.with_attribution(fact.fact.claim, attribution_of(fact, cited, words)))
    if fact.fact.kind == "judgment":
        brief_support = wording.confidence_phrase(fact.fact.confidence or "", words) + "."
    elif len(cited) > 1 and fact.independent_sources == 1:  # a footnote keeps the caveat the evidence gives
        brief_support = _("Credibility %(grade)s, sources apparently of one origin.", grade=fact.credibility)
    else:
        brief_support = _("Credibility %(grade)s.", grade=fact.credibility)  # the source summary gives the scale
    brief_support += derivation  # a footnote says how the claim goes past its quotes
    short = "; ".join(f"{v.name} ({v.reliability})" for v in cited)
    if len(cited) > 1 and fact.independent_sources == 1:  # a one-page note says it as the evidence does
        short = _("Apparently drawing on the same material: %(sources)s", sources=short)
    typeset_ = words.typeset  # the analyst's text and ours, in the brief's typography
    support, brief_support = (_GRADE.sub("\u00a0\\1", text) for text in (support, brief_support))
    return NoteContent(typeset_(claim), typeset_(support), tuple(entries), typeset_(short), typeset_(brief_support))

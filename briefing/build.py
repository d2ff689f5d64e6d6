"""The orchestrator: load → check → compose → parse → render, written atomically.

This is the one module that imports every stage. Each output is rendered to a
temporary file beside its destination, and all of them are moved into place
only when every one has succeeded: a failed or interrupted build leaves
earlier outputs byte-identical and no partial file.

Formats whose renderer says `in_worker` (the PDF, the longest to lay out) are
rendered by a worker process, started first so that it imports its renderer
while this process loads, checks and composes; this process renders the
other formats meanwhile.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BriefingError, BriefingWarning, build_time, current_umask, source_date_epoch, write_error
from .render import DEFAULT_FORMATS, Brief, Format, get_format
from .render.worker import RenderWorker

if TYPE_CHECKING:
    from .check import CheckedDossier
    from .compose.templates import TemplateFile
    from .document import Document
    from .mail import MailRequest, MailResult


@dataclass(frozen=True)
class Output:
    template: str
    format: str
    path: Path
    language: str = ""


@dataclass(frozen=True)
class _Job:
    template: TemplateFile
    language: str
    format: Format
    path: Path  # the output, once every output succeeded
    temporary: Path = field(init=False)  # what the renderer writes: a fresh name beside `path`

    def __post_init__(self) -> None:
        name = f".{self.path.name}.{os.getpid()}.{secrets.token_hex(4)}.part"
        object.__setattr__(self, "temporary", self.path.with_name(name))


def build_briefs(dossier_dir: str | Path = ".", templates: tuple[str, ...] = (),
                 formats: tuple[str, ...] = DEFAULT_FORMATS, out_dir: str | Path | None = None,
                 parallel: bool = True, strict: bool = False,
                 report: Callable[[BriefingWarning], None] | None = None,
                 languages: tuple[str, ...] = ()) -> list[Output]:
    """Build each template in each format and each of `languages` (by default
    the dossier's); return the outputs written. `report` is given each warning
    of the check; with `strict`, a warning stops the build as an error does.

    With `parallel`, a worker process renders the formats that ask for one
    (see `render.worker`)."""
    chosen_formats = [get_format(name) for name in dict.fromkeys(formats)]
    source_date_epoch()  # a bad value is an error before any work
    _check_languages(languages)
    wanted = parallel and RenderWorker.worthwhile() and any(fmt.in_worker for fmt in chosen_formats)
    worker = RenderWorker.start() if wanted else None  # first: it imports while this process loads
    try:
        from .check import load_and_check
        from .compose.templates import find_template, list_templates, unique_names

        checked = load_and_check(dossier_dir, strict=strict)
        if report is not None:
            for warning in checked.warnings:
                report(warning)
        root = checked.dossier.root
        chosen = unique_names([find_template(name, root) for name in dict.fromkeys(templates)]) if templates \
            else list_templates(root)
        out = output_folder(root, out_dir)
        return write_briefs(checked, chosen, chosen_formats, out, worker, report=report, languages=languages)
    finally:
        if worker is not None:
            worker.stop()


def output_folder(dossier_root: Path, out_dir: str | Path | None) -> Path:
    """`--out`, else the dossier's `out/`, which must lie inside the dossier once
    links are followed: a dossier could ship `out` as a link to any folder."""
    if out_dir is not None:
        return Path(out_dir)
    from .load.paths import is_inside

    out = dossier_root / "out"
    try:
        inside = is_inside(out, dossier_root)
    except (OSError, RuntimeError):  # a loop of links
        raise BriefingError("the output folder cannot be used: it is a loop of links; remove the link or choose "
                            "a folder with --out", file=out) from None
    if not inside:
        raise BriefingError("the output folder lies outside the dossier (links are followed); "
                            "remove the link or choose a folder with --out", file=out)
    return out


def write_briefs(checked: CheckedDossier, templates: list[TemplateFile], formats: list[Format], out: Path,
                 worker: RenderWorker | None = None, composed: dict[Path, Brief] | None = None,
                 before_move: Callable[[list[Path]], None] | None = None,
                 report: Callable[[BriefingWarning], None] | None = None,
                 languages: tuple[str, ...] = ()) -> list[Output]:
    """Render each template in each format and language into `out`, all or
    nothing. `composed` holds briefs already composed, by template path (each
    used in its own language). `before_move` is given the rendered temporary
    files, in the order of the jobs, before any moves into place: an error it
    raises leaves `out` as it was. `report` is given what a brief leaves out
    (a section none of whose facts it shows)."""
    default = checked.dossier.config.language
    jobs = [_Job(template, language, fmt, out / f"{output_name(template, language, default)}{fmt.suffix}")
            for template in templates for language in brief_languages(template, languages, default) for fmt in formats]
    _prepare(out, [job.path for job in jobs])
    left_out: list[BriefingWarning] = []  # reported once every brief is written: a failed build reports its error alone
    try:
        pending: list[tuple[_Job, Future]] = []
        products = {(job.template.path, job.language): (job.template, job.language) for job in jobs}
        for template, language in products.values():
            brief = (composed or {}).get(template.path)
            if brief is None or brief.document.meta.language != language:
                brief = compose_and_parse(checked, template, left_out.append, language)
            ours = [job for job in jobs if job.template is template and job.language == language]
            here = brief
            if worker and _has_timeline(brief) and any(job.format.pictures for job in ours):
                # the worker, which has read the fonts, draws the figures first, while this process starts the DOCX
                drawn = worker.submit_pictures(brief)
                here = replace(brief, pictures=partial(worker.result, drawn))
            for job in sorted(ours, key=lambda job: not (worker and job.format.in_worker)):  # the worker's first
                if worker and job.format.in_worker:
                    pending.append((job, worker.submit(job.format, brief, job.temporary)))
                else:
                    _render_here(job, here, checked)
        for job, future in pending:
            try:
                assert worker is not None  # only a worker's briefs are pending
                worker.result(future)
            except OSError as error:  # name the output, not its temporary file
                raise write_error(error, job.path) from None
            except BriefingError as error:
                raise _located(error, checked, job) from None
        if before_move is not None:
            before_move([job.temporary for job in jobs])
        with _uninterrupted():
            for job in jobs:
                _move(job.temporary, job.path)
    except BaseException:
        if worker is not None:
            worker.stop()  # before removing temporary files: it may be writing one
        raise
    finally:
        for job in jobs:
            job.temporary.unlink(missing_ok=True)
    if report is not None:
        for warning in left_out:
            report(warning)
    return [Output(job.template.name, job.format.name, job.path, job.language) for job in jobs]


def _check_languages(languages: tuple[str, ...]) -> None:
    """Each language asked for is a language code with a catalogue, before any file name is made of it
    (an empty one too: it is no language, not the default)."""
    from .compose.language import language

    for code in languages:
        language(code)


def brief_languages(template: TemplateFile, languages: tuple[str, ...], default: str) -> tuple[str, ...]:
    """The languages a template is built in: its own, else those asked for, else the dossier's."""
    return (template.info.language,) if template.info.language else tuple(dict.fromkeys(languages)) or (default,)


def output_name(template: TemplateFile, language: str, default: str) -> str:
    """'analyst' in the dossier's language, 'analyst.fr' in another: briefs in two languages never collide."""
    return template.name if language == default else f"{template.name}.{language}"


def compose_and_parse(checked: CheckedDossier, template: TemplateFile,
                      report: Callable[[BriefingWarning], None] | None = None, language: str | None = None) -> Brief:
    """One template's brief in `language` (by default its own or the dossier's), composed and parsed once for every format."""
    from .compose import compose_brief
    from .parse import parse_markdown

    composed = compose_brief(checked, template, language)
    if report is not None:
        for warning in composed.warnings:
            report(warning)
    document: Document = parse_markdown(composed.markdown, composed.meta, composed.notes, str(template.path))
    return Brief(document, composed.markdown, reference_docx(checked.dossier.root))


def _has_timeline(brief: Brief) -> bool:
    from .document import Table

    return any(isinstance(block, Table) and block.kind == "timeline" for block in brief.document.blocks)


def _render_here(job: _Job, brief: Brief, checked: CheckedDossier) -> None:
    try:
        job.format.render(brief, job.temporary)
    except OSError as error:  # name the output, not its temporary file
        raise write_error(error, job.path) from None
    except BriefingError as error:
        raise _located(error, checked, job) from None


def reference_docx(dossier_root: Path) -> Path:
    """The dossier's own reference.docx, or the one shipped with briefing."""
    from .compose.templates import builtin_templates_dir
    from .load.paths import resolve_inside

    own = dossier_root / "templates" / "reference.docx"
    if not own.exists() and not own.is_symlink():
        return builtin_templates_dir() / "reference.docx"
    return resolve_inside(dossier_root, own, "the reference document")


def _prepare(out: Path, paths: list[Path]) -> None:
    if out.exists() and not out.is_dir():
        raise BriefingError("the output folder is a file; choose a folder with --out", file=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise write_error(error, out, "cannot create the output folder") from None
    if not os.access(out, os.W_OK):
        raise BriefingError("the output folder is not writable; choose another with --out", file=out)
    for path in paths:
        if path.is_dir():
            raise BriefingError("the output path is a folder; move it away or choose another --out", file=path)
    _remove_stale(out)


_PART = re.compile(r"^\.(?P<name>[^/]+\.[A-Za-z0-9]+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.part$")


def _remove_stale(out: Path) -> None:
    """Temporary files that a killed build left in `out` (SIGKILL, a power cut),
    of any output: only regular files named in this build's own pattern
    (`.NAME.SUFFIX.PID.HEX.part`) whose process no longer runs."""
    for candidate in out.glob(".*.part"):
        match = _PART.match(candidate.name)
        if match and candidate.is_file() and not candidate.is_symlink() and not _running(int(match["pid"])):
            candidate.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _move(temporary: Path, path: Path) -> None:
    try:
        os.chmod(temporary, 0o666 & ~current_umask())  # as any new file's, whatever the renderer made
        os.replace(temporary, path)
    except OSError as error:
        raise write_error(error, path) from None


@contextmanager
def _uninterrupted() -> Iterator[None]:
    """Ctrl-C while outputs move into place would leave some new and some old:
    moving takes microseconds, so finish it and let the build complete."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    numbers = [signal.SIGINT] + [getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous = {number: signal.signal(number, signal.SIG_IGN) for number in numbers}
    try:
        yield
    finally:
        for number, handler in previous.items():
            default = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
            signal.signal(number, default if handler is None else handler)


def _located(error: BriefingError, checked: CheckedDossier, job: _Job) -> BriefingError:
    """A character the renderer cannot draw: point at the dossier line (or the
    template) that holds it, so the user knows what to edit."""
    char = error.char
    if char is None or error.file:
        return error
    from .load.locate import where_char

    dossier = checked.dossier
    where = where_char(char, [*dossier.facts, *(source.meta for source in dossier.sources), *dossier.questions,
                              dossier.config])
    if where is not None:
        return BriefingError(error.detail, file=where.file, line=where.line)
    for source in dossier.sources:  # a quoted passage is printed as the article has it
        if char in source.text:
            return BriefingError(error.detail, file=source.path, line=source.text.count("\n", 0, source.text.index(char)) + 1)
    from .load.locate import line_of

    return BriefingError(error.detail, file=job.template.path, line=line_of(char, job.template.path))


# Mail: a brief built here, then handed to the mail stage ---------

def mail_brief(dossier_dir: str | Path, request: MailRequest, env: Mapping[str, str] | None = None) -> MailResult:
    """Build the brief, write its `.eml`, and send it if asked.
    The dossier is loaded, checked and composed once."""
    from .check import check_dossier, in_language
    from .compose.templates import find_template
    from .load import load_dossier
    from .mail import (
        MailMessage,
        MailResult,
        attachment,
        check_header_text,
        check_size,
        compose_body,
        compose_html_body,
        envelope,
        password_problem,
        resolve_settings,
        send_message,
        write_message,
    )

    env = os.environ if env is None else env
    when = build_time(env)
    dossier = load_dossier(dossier_dir)
    settings = resolve_settings(request.options, env, dossier.config.mail, dossier.root)
    mail = dossier.config.mail
    from_dossier = mail is not None and mail.sender is not None and settings.sender == mail.sender \
        and "sender" not in request.options and not env.get("BRIEFING_MAIL_FROM", "").strip()
    refused = password_problem(settings) if request.send else None
    if refused and mail is not None:  # before anything is written
        raise BriefingError(f"'mail': {refused}", file=mail.where.file, line=mail.where.line)
    sender, to, cc = envelope(settings.sender, request,
                              (mail.where.file, mail.where.line) if from_dossier and mail is not None else None)
    checked = check_dossier(dossier)
    template = find_template(request.template, dossier.root)
    _check_languages(() if request.language is None else (request.language,))
    brief = compose_and_parse(checked, template, language=request.language)
    language = brief.document.meta.language
    localised = in_language(checked, language)
    title = localised.dossier.config.title
    try:  # a line break is refused, never folded into a space (it would be the start of another header)
        subject = " ".join(check_header_text((request.subject or title).replace("\t", " "), "the subject").split())
    except ValueError as error:
        where = dossier.config.where.of("title")
        raise (BriefingError(str(error)) if request.subject else
               BriefingError(f"'title': {error}", file=where.file, line=where.line)) from None
    stem = output_name(template, language, dossier.config.language)
    out = output_folder(dossier.root, request.out_dir)
    formats = [get_format(name) for name in (("pdf", "docx") if request.attach_docx else ("pdf",))]
    paths = [out / f"{stem}{fmt.suffix}" for fmt in formats]
    warnings: tuple[str, ...] = ()

    def refuse_if_too_large(temporaries: list[Path]) -> None:
        """Measured before the files move into place: a refused mail leaves out/ as it was."""
        nonlocal warnings
        rendered = tuple(attachment(path, title, stem, fmt.media_type)
                         for path, fmt in zip(temporaries, formats))
        warnings = check_size(rendered, settings.max_attachment_mb, request.strict)

    # Always rendered from the brief just composed: a file already in out/ may be
    # another dossier's, or older than it looks; only this one is the brief the mail describes.
    write_briefs(checked, [template], formats, out, composed={template.path: brief}, before_move=refuse_if_too_large,
                 languages=(language,))
    attachments = tuple(attachment(path, title, stem, fmt.media_type)
                        for path, fmt in zip(paths, formats))
    first = localised.dossier.config.sections[0]  # the bottom line of a brief without headings
    default = (first.title, [fact.fact.claim for fact in localised.facts if fact.fact.section == first.id])
    message = MailMessage(sender, to, cc, subject, compose_body(brief.document, attachments, default), attachments,
                          compose_html_body(brief.document, attachments, default))
    path = write_message(message, out / f"{stem}.eml", when)
    if not request.send:
        return MailResult(path, warnings)
    return MailResult(path, warnings, send_message(path, settings), settings.server)

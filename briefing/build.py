"""The orchestrator: load → check → compose → parse → render, written atomically.

Each output is rendered to a temporary file beside its destination, and all of
them are moved into place only when every one has succeeded. A failed or
interrupted build leaves earlier outputs byte-identical and no partial file.
"""

from __future__ import annotations

import errno
import os
import signal
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import BriefingError
from .worker import Worker, can_fork

if TYPE_CHECKING:
    from .document import Document

FORMATS = ("docx", "pdf", "md")


@dataclass(frozen=True)
class Output:
    template: str
    format: str
    path: Path


def build_briefs(dossier_dir: str | Path = ".", templates: tuple[str, ...] = (), formats: tuple[str, ...] = ("docx", "pdf"),
                 out_dir: str | Path | None = None, parallel: bool = True) -> list[Output]:
    """Build each template in each format; return the outputs written.

    With `parallel` (and two cores), a worker process lays out the PDFs while
    this one composes the briefs and renders the other formats (see `worker`)."""
    workers = _start_workers(formats) if parallel else {}  # first: they import while this process loads
    staged: list[tuple[Path, Path]] = []
    try:
        from .check import check_dossier
        from .load import load_dossier
        from .templates import find_template, list_templates

        dossier = load_dossier(dossier_dir)
        checked = check_dossier(dossier)
        chosen = [find_template(name, dossier.root) for name in templates] if templates else list_templates(dossier.root)
        out = Path(out_dir) if out_dir is not None else dossier.root / "out"
        jobs = [(template, fmt, out / f"{template.name}.{fmt}") for template in chosen for fmt in formats]
        _prepare(out, [path for _, _, path in jobs])
        sent: dict[str, list] = {fmt: [] for fmt in workers}  # format → the template of each job, by number
        for template in chosen:
            targets = []
            for fmt in formats:
                path = out / f"{template.name}.{fmt}"
                temporary = _temporary_beside(path)
                staged.append((temporary, path))  # named before it exists, so an interrupt never leaves it behind
                targets.append((fmt, temporary, path))
            try:
                for fmt in render_template(checked, template, targets, workers):
                    sent[fmt].append(template)
            except BriefingError as error:
                raise _locate_glyph_error(error, checked, template) from None
        for fmt, worker in workers.items():
            try:
                worker.finish()
            except BriefingError as error:  # `job`: which of the jobs sent to it (None: while getting ready)
                raise _locate_glyph_error(error, checked, sent[fmt][error.job]) if error.job is not None else error from None
        with _uninterrupted():
            for temporary, path in staged:
                _move(temporary, path)
    finally:
        for worker in workers.values():
            worker.stop()  # before removing temporary files: it may be writing one
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return [Output(template.name, fmt, path) for template, fmt, path in jobs]


@dataclass(frozen=True)
class RenderJob:
    """One output to render: `temporary` is written, and stands for `path`."""
    document: Document | None  # None for Markdown, which is written as composed
    format: str
    temporary: Path
    path: Path
    reference_docx: Path


def render_template(checked, template, targets: list[tuple[str, Path, Path]],
                    workers: dict[str, Worker] | None = None) -> list[str]:
    """Compose and parse one template once, then render it in each format, by
    the format's worker if there is one; return the formats sent to workers.
    `targets` holds (format, file to write, output it stands for)."""
    from .compose import compose_brief
    from .parse import parse_markdown

    composed = compose_brief(checked, template)
    document = None
    if any(fmt != "md" for fmt, _, _ in targets):
        document = parse_markdown(composed.markdown, composed.meta, composed.notes, str(template.path))
    reference = reference_docx(checked.dossier.root)
    jobs = [RenderJob(document, fmt, temporary, path, reference) for fmt, temporary, path in targets]
    workers = workers or {}
    sent = []
    for job in sorted(jobs, key=lambda job: job.format not in workers):  # workers first, so all work at once
        if job.format in workers:
            workers[job.format].submit(job)
            sent.append(job.format)
        elif job.format == "md":
            _write_markdown(composed.markdown, job)
        else:
            render(job)
    return sent


def render(job: RenderJob) -> None:
    """Render one document in one format (not "md": that is not rendered)."""
    try:
        if job.format == "pdf":
            from .render.pdf import render_pdf
            render_pdf(job.document, job.temporary)
        else:
            from .render.docx import render_docx
            render_docx(job.document, job.temporary, job.reference_docx)
    except OSError as error:  # name the output, not its temporary file
        raise _write_error(error, job.path) from None


def _write_markdown(markdown: str, job: RenderJob) -> None:
    try:
        job.temporary.write_text(markdown, encoding="utf-8")
    except OSError as error:
        raise _write_error(error, job.path) from None


def _start_workers(formats: tuple[str, ...]) -> dict[str, Worker]:
    """A worker for the PDFs, the longest to lay out; this process renders the
    other formats meanwhile (a DOCX worker as well measured no faster)."""
    if "pdf" not in formats or not can_fork():
        return {}
    return {"pdf": Worker("PDF", _ready_for_pdf, render)}


def _ready_for_pdf() -> None:
    from .render.fonts import register_fonts
    from .render.pdf import render_pdf  # noqa: F401  (imported now, while the build loads)

    register_fonts()


def reference_docx(dossier_root: Path) -> Path:
    """The dossier's own reference.docx, or the one shipped with briefing."""
    from .templates import builtin_templates_dir

    own = dossier_root / "templates" / "reference.docx"
    return own if own.is_file() else builtin_templates_dir() / "reference.docx"


def _prepare(out: Path, paths: list[Path]) -> None:
    if out.exists() and not out.is_dir():
        raise BriefingError("the output folder is a file; choose a folder with --out", file=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _write_error(error, out, "cannot create the output folder") from None
    if not os.access(out, os.W_OK):
        raise BriefingError("the output folder is not writable; choose another with --out", file=out)
    for path in paths:
        if path.is_dir():
            raise BriefingError("the output path is a folder; move it away or choose another --out", file=path)


def _temporary_beside(path: Path) -> Path:
    """A fresh name beside `path`; the renderer creates the file."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")


def _move(temporary: Path, path: Path) -> None:
    try:
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as error:
        raise _write_error(error, path) from None


def _write_error(error: OSError, path: Path, what: str = "cannot write") -> BriefingError:
    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EFBIG: "the file is larger than this system allows (file size limit)",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.EISDIR: "it is a folder",
    }
    reason = reasons.get(error.errno, error.strerror or str(error))
    return BriefingError(f"{what}: {reason}; earlier outputs are unchanged", file=path)


@contextmanager
def _uninterrupted():
    """Ctrl-C while outputs move into place would leave some new and some old:
    moving takes microseconds, so finish it and let the build complete."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)


def _locate_glyph_error(error: BriefingError, checked, template) -> BriefingError:
    """A character the PDF font lacks: point at the dossier line (or the
    template) that holds it, so the user knows what to edit."""
    char = getattr(error, "char", None)
    if char is None or error.file:
        return error
    dossier = checked.dossier
    places = [(fact.where, [fact.claim, fact.key or "", fact.value or ""]) for fact in dossier.facts]
    places += [(evidence.where, [evidence.quote]) for fact in dossier.facts for evidence in fact.evidence]
    places += [(source.meta.where, [str(value) for _, value in source.meta]) for source in dossier.sources]
    places += [(question.where, [question.question, question.why, question.settle]) for question in dossier.questions]
    places += [(dossier.config.where, [str(value) for _, value in dossier.config])]
    for where, texts in places:
        if any(char in text for text in texts):
            return BriefingError(error.detail, file=where.file, line=where.line)
    for source in dossier.sources:  # a quoted passage is printed as the article has it
        if char in source.text:
            return BriefingError(error.detail, file=source.path, line=source.text.count("\n", 0, source.text.index(char)) + 1)
    return BriefingError(error.detail, file=template.path)

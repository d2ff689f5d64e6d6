"""Stage 6, mail: wrap a rendered brief into a standard email (RFC 5322), write
it as `out/<template>.eml`, and deliver it through SMTP when asked.

The `.eml` is always written first, atomically, so that whatever happens on the
network the message is on disk and can be sent by hand. SMTP settings and
delivery live in `smtp`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, getaddresses
from pathlib import Path
from typing import Mapping

from .errors import BriefingError
from .smtp import resolve_settings, send_message

MB = 1_000_000
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class Attachment:
    path: Path
    filename: str  # the name the recipient sees
    mime: str  # "application/pdf"


@dataclass(frozen=True)
class MailMessage:
    sender: Address
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    body: str
    attachments: tuple[Attachment, ...]


@dataclass(frozen=True)
class MailRequest:
    """What `briefing mail` was asked for; settings not given here are `None`."""

    template: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    subject: str | None = None
    attach_docx: bool = False
    out_dir: str | Path | None = None
    strict: bool = False
    send: bool = False
    options: Mapping[str, object] = field(default_factory=dict)  # command-line SMTP settings, by MailSettings name


@dataclass(frozen=True)
class MailResult:
    path: Path
    warnings: tuple[str, ...] = ()
    delivered_to: tuple[str, ...] = ()
    server: str | None = None


def mail_brief(dossier_dir: str | Path, request: MailRequest, env: Mapping[str, str] | None = None) -> MailResult:
    """Build (or reuse) the brief, write its `.eml`, and send it if asked."""
    from .check import check_dossier
    from .load import load_dossier
    from .templates import find_template

    env = os.environ if env is None else env
    dossier = load_dossier(dossier_dir)
    settings = resolve_settings(request.options, env, dossier.config.mail, dossier.root)
    sender, to, cc = _envelope(settings.sender, request)
    checked = check_dossier(dossier)
    template = find_template(request.template, dossier.root)
    out = Path(request.out_dir) if request.out_dir is not None else dossier.root / "out"
    files = ensure_outputs(dossier.root, template, ("pdf", "docx") if request.attach_docx else ("pdf",), out)
    attachments = tuple(_attachment(path, dossier.config.title, template.name) for path in files)
    warnings = check_size(attachments, settings.max_attachment_mb, request.strict)
    subject = " ".join((request.subject or dossier.config.title).split())
    body = compose_body(checked, template, attachments)
    message = MailMessage(sender, to, cc, subject, body, attachments)
    path = write_message(message, out / f"{template.name}.eml", message_date(env))
    if not request.send:
        return MailResult(path, warnings)
    return MailResult(path, warnings, send_message(path, settings), settings.server)


def parse_address(text: str) -> Address:
    """One address, `Name <user@example.org>` or `user@example.org`; ValueError says why not."""
    if any(ord(char) < 32 for char in text):
        raise ValueError("an address cannot hold line breaks or control characters")
    found = getaddresses([text])
    if sum(1 for _, spec in found if spec) > 1:
        raise ValueError(f"'{text}' holds several addresses: give one address per option")
    invalid = ValueError(f"'{text}' is not an email address (write user@example.org or 'Name <user@example.org>')")
    if len(found) != 1 or not found[0][1]:
        raise invalid
    name, spec = found[0]
    if not spec.isascii():
        raise ValueError(f"'{spec}': write the address in ASCII (an internationalised domain in its xn-- form)")
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, TypeError):
        raise invalid from None
    if not address.username or not address.domain:
        raise invalid
    return address


def _envelope(sender: str | None, request: MailRequest) -> tuple[Address, tuple[Address, ...], tuple[Address, ...]]:
    if not sender:
        raise BriefingError("no sender address: give --from, set $BRIEFING_MAIL_FROM, "
                            "or write 'from:' under 'mail:' in sources/dossier.yaml")
    if not request.to:
        raise BriefingError("no recipient: give at least one --to")
    try:
        return (parse_address(sender), tuple(parse_address(a) for a in request.to),
                tuple(parse_address(a) for a in request.cc))
    except ValueError as error:
        raise BriefingError(str(error)) from None


# The brief and its attachments ----------------------------------------------

def ensure_outputs(root: Path, template, formats: tuple[str, ...], out: Path) -> list[Path]:
    """The brief's files in `out/`, rebuilt unless each is newer than every input."""
    paths = [out / f"{template.name}.{fmt}" for fmt in formats]
    inputs = dossier_inputs(root, template)
    if all(is_up_to_date(path, inputs) for path in paths):
        return paths
    from .build import build_briefs

    outputs = build_briefs(root, (str(template.path),), formats, out)
    return [output.path for output in outputs]


def dossier_inputs(root: Path, template) -> list[Path]:
    """Every file a brief depends on: the sources, the template folders, the template."""
    from .templates import search_path

    folders = [root / "sources", *search_path(root)]
    return [path for folder in folders for path in folder.rglob("*") if path.is_file()] + [template.path]


def is_up_to_date(path: Path, inputs: list[Path]) -> bool:
    try:
        built = path.stat().st_mtime_ns
    except OSError:
        return False
    return all(source.stat().st_mtime_ns < built for source in inputs)


def _attachment(path: Path, title: str, template: str) -> Attachment:
    kind = path.suffix.lstrip(".")
    mime = {"pdf": "application/pdf",
            "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}[kind]
    return Attachment(path, attachment_name(title, template, kind), mime)


def attachment_name(title: str, template: str, extension: str) -> str:
    """A name a recipient can keep: the brief's title and audience, safe on every system."""
    safe = " ".join(_UNSAFE_IN_FILE_NAME.sub(" ", title).split())[:80].strip(" .")
    return f"{safe} ({template}).{extension}" if safe else f"{template}.{extension}"


def check_size(attachments: tuple[Attachment, ...], limit_mb: float, strict: bool) -> tuple[str, ...]:
    """A warning when the attachments together exceed the limit; with `strict`, an error."""
    total = sum(attachment.path.stat().st_size for attachment in attachments)
    if total <= limit_mb * MB:
        return ()
    message = (f"the attachments weigh {total / MB:.2f} MB, over the {limit_mb:g} MB limit "
               "(max_attachment_mb); many mail servers refuse messages that large")
    if strict:
        raise BriefingError(message + "; nothing written (--strict)")
    return (message,)


def compose_body(checked, template, attachments: tuple[Attachment, ...]) -> str:
    """Plain text: what the brief is, its bottom line with citation numbers, the attachments."""
    from .compose import compose_brief
    from .document import human_date
    from .parse import parse_markdown

    composed = compose_brief(checked, template)
    document = parse_markdown(composed.markdown, composed.meta, composed.notes, str(template.path))
    meta = document.meta
    lines = [meta.title, f"{meta.doc_type} for: {meta.audience}"]
    lines += [f"{label}: {value}" for label, value in (
        ("Date", human_date(meta.date)), ("Reference", meta.reference), ("Marking", meta.marking)) if value != "unknown"]
    heading, paragraphs, cited = bottom_line(document)
    if not paragraphs:  # no heading in the template: the facts of the dossier's first section
        section = checked.dossier.config.sections[0]
        heading, paragraphs = section.title, [f.fact.claim for f in checked.facts if f.fact.section == section.id]
    if paragraphs:
        lines += ["", heading.upper(), ""]
        lines += [line for text in paragraphs for line in (_wrap(text), "")][:-1]
    notes = [f"[{note.number}] {note.content.short}" for note in document.notes if note.number in cited]
    if notes:
        lines += ["", *notes]
    lines += ["", "ATTACHED", ""]
    lines += [f"- {a.filename} ({a.path.stat().st_size / 1000:,.0f} kB)" for a in attachments]
    return "\n".join(lines) + "\n"


def bottom_line(document) -> tuple[str, list[str], set[int]]:
    """The first heading of the brief, the text under it, and the citation numbers used."""
    from .document import Heading, ListBlock, Paragraph, plain_text

    heading: Heading | None = None
    paragraphs: list[str] = []
    cited: set[int] = set()
    for block in document.blocks:
        if isinstance(block, Heading):
            if heading is not None and block.level <= heading.level:
                break
            heading = heading or block
        elif heading is not None and isinstance(block, Paragraph):
            paragraphs.append(_inline_text(block.children, cited))
        elif heading is not None and isinstance(block, ListBlock):
            paragraphs += [f"- {_inline_text(item.children, cited)}" for blocks in block.items
                           for item in blocks if isinstance(item, Paragraph)]
    return (plain_text(heading.children) if heading else "", paragraphs, cited)


def _inline_text(inlines, cited: set[int]) -> str:
    from .document import Citation, Code, Emphasis, LineBreak, Link, Strong, Text

    parts = []
    for inline in inlines:
        if isinstance(inline, (Text, Code)):
            parts.append(inline.text)
        elif isinstance(inline, (Strong, Emphasis, Link)):
            parts.append(_inline_text(inline.children, cited))
        elif isinstance(inline, Citation):
            cited.add(inline.number)
            parts.append(f"[{inline.number}]")
        elif isinstance(inline, LineBreak):
            parts.append(" ")
    return " ".join("".join(parts).split())


def _wrap(text: str) -> str:
    indent = "  " if text.startswith("- ") else ""
    return textwrap.fill(text, 72, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False)


# The message ----------------------------------------------------------------

def build_email(message: MailMessage, when: datetime) -> EmailMessage:
    """The MIME message; boundary and Message-ID derive from its content, so equal
    inputs at an equal date give equal bytes."""
    digest = hashlib.sha256()
    root = EmailMessage(policy=policy.SMTP)
    root["From"] = message.sender
    root["To"] = message.to
    if message.cc:
        root["Cc"] = message.cc
    root["Subject"] = message.subject
    root["Date"] = format_datetime(when)
    parts = [_text_part(message.body)] + [_file_part(attachment) for attachment in message.attachments]
    for name in ("From", "To", "Cc", "Subject", "Date"):
        digest.update(f"{name}: {root.get(name, '')}\n".encode())
    for part in parts:
        digest.update(part.as_bytes())
    hexdigest = digest.hexdigest()
    root["Message-ID"] = f"<{hexdigest[:32]}@{message.sender.domain}>"
    root["MIME-Version"] = "1.0"
    root.make_mixed()
    for part in parts:
        root.attach(part)
    root.set_boundary(f"briefing-{hexdigest[32:]}")
    return root


def _text_part(body: str) -> MIMEPart:
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(body, cte="quoted-printable")
    return part


def _file_part(attachment: Attachment) -> MIMEPart:
    maintype, subtype = attachment.mime.split("/")
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(attachment.path.read_bytes(), maintype=maintype, subtype=subtype,
                     disposition="attachment", filename=attachment.filename)
    return part


def message_date(env: Mapping[str, str] | None = None) -> datetime:
    """Now, or SOURCE_DATE_EPOCH when it is set (reproducible messages)."""
    epoch = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return datetime.now(timezone.utc).replace(microsecond=0)
    if not epoch.isdigit():
        raise BriefingError(f"$SOURCE_DATE_EPOCH: '{epoch}' is not a number of seconds")
    return datetime.fromtimestamp(int(epoch), timezone.utc)


def write_message(message: MailMessage, path: Path, when: datetime | None = None) -> Path:
    """Write the message as an `.eml` file, atomically: the whole file or none."""
    data = build_email(message, when or message_date()).as_bytes()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:
        raise BriefingError(f"cannot write the message: {error.strerror or error}", file=path) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(name, 0o644)
        os.replace(name, path)
    except OSError as error:
        raise BriefingError(f"cannot write the message: {error.strerror or error}", file=path) from None
    finally:
        Path(name).unlink(missing_ok=True)
    return path

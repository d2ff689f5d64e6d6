"""A rendered brief as a standard email (RFC 5322): the envelope, a body with
the brief's bottom line (plain text, and HTML beside it as its alternative),
the attachments, and the `.eml` file.

This module is given a brief already built (its `Document` and its files);
it loads nothing. The orchestration (build or reuse, then write, then send)
is `build.mail_brief`.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import format_datetime, getaddresses
from pathlib import Path

from ..document import (
    Citation,
    Code,
    Document,
    Emphasis,
    Heading,
    LineBreak,
    Link,
    ListBlock,
    Paragraph,
    Strong,
    Text,
    plain_text,
)
from ..errors import BriefingError, atomic_write
from ..render.html.renderer import escape

MB = 1_000_000
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]+')
# An RFC 2047 encoded word: a mail client (and Python's header parser) decodes it,
# line breaks and all, so a subject or a name holding one could add headers.
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[^?\s]*\?[^\s]*?\?=")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")  # and direction controls


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
    html: str | None = None  # the body as HTML: sent with the text as multipart/alternative


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
    language: str | None = None  # the brief's language (by default the template's, else the dossier's)
    options: Mapping[str, object] = field(default_factory=dict)  # command-line SMTP settings, by MailSettings name


@dataclass(frozen=True)
class MailResult:
    path: Path
    warnings: tuple[str, ...] = ()
    delivered_to: tuple[str, ...] = ()
    server: str | None = None


def check_header_text(text: str, what: str) -> str:
    """`text` as plain header text (a subject, a display name): never decoded as
    an encoded word, never a line break; ValueError says why not."""
    if _CONTROL.search(text):
        raise ValueError(f"{what} cannot hold line breaks, control characters or direction controls (U+202E…)")
    if _ENCODED_WORD.search(text):
        raise ValueError(f"{what} holds an encoded word ('=?...?='), which mail programs would decode; write the text itself")
    return text


def parse_address(text: str) -> Address:
    """One address, `Name <user@example.org>` or `user@example.org`; ValueError says why not."""
    if _CONTROL.search(text):
        raise ValueError("an address cannot hold line breaks, control characters or direction controls (U+202E…)")
    found = getaddresses([text])
    if sum(1 for _, spec in found if spec) > 1:
        raise ValueError(f"'{text}' holds several addresses: give one address per option")
    invalid = ValueError(f"'{text}' is not an email address (write user@example.org or 'Name <user@example.org>')")
    if len(found) != 1 or not found[0][1]:
        raise invalid
    name, spec = found[0]
    check_header_text(name, "a name in an address")
    if not spec.isascii():
        raise ValueError(f"'{spec}': write the address in ASCII (an internationalised domain in its xn-- form)")
    try:
        address = Address(display_name=name, addr_spec=spec)
    except (ValueError, IndexError, TypeError):
        raise invalid from None
    if not address.username or not address.domain:
        raise invalid
    return address


def envelope(sender: str | None, request: MailRequest,
             sender_where: tuple[str, int | None] | None = None) -> tuple[Address, tuple[Address, ...], tuple[Address, ...]]:
    """The sender and recipients; `sender_where` is the file and line the sender was read from, if a file."""
    if not sender:
        raise BriefingError("no sender address: give --from, set $BRIEFING_MAIL_FROM, "
                            "or write 'from:' under 'mail:' in sources/dossier.yaml")
    if not request.to:
        raise BriefingError("no recipient: give at least one --to")
    try:
        from_address = parse_address(sender)
    except ValueError as error:
        file, line = sender_where or (None, None)
        raise BriefingError(f"'from': {error}" if file else str(error), file=file, line=line) from None
    try:
        return (from_address, tuple(parse_address(a) for a in request.to),
                tuple(parse_address(a) for a in request.cc))
    except ValueError as error:
        raise BriefingError(str(error)) from None


# The brief and its attachments ----------------------------------------------

def attachment(path: Path, title: str, template: str, media_type: str) -> Attachment:
    """A brief's file as the recipient sees it: named for the brief, typed."""
    return Attachment(path, attachment_name(title, template, path.suffix.lstrip(".")), media_type)


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


def compose_body(document: Document, attachments: tuple[Attachment, ...],
                 default_bottom_line: tuple[str, list[str]] = ("", [])) -> str:
    """Plain text: what the brief is, its bottom line with citation numbers, the
    attachments. A brief without headings has no bottom line of its own: the
    caller's `default_bottom_line` (a heading and its paragraphs) stands for it."""
    meta = document.meta
    lines = [meta.title, meta.labels.made_for % {"doc_type": meta.doc_type, "audience": meta.audience}]
    lines += [f"{label}{meta.labels.colon}{value}" for label, value in _details(document)]
    heading, paragraphs, notes = _summary(document, default_bottom_line)
    if paragraphs:
        lines += ["", heading.upper(), ""]
        lines += [line for text in paragraphs for line in (_wrap(text), "")][:-1]
    if notes:
        lines += ["", *notes]
    lines += ["", meta.labels.attached.upper(), ""]
    lines += [f"- {_described(a)}" for a in attachments]
    return "\n".join(lines) + "\n"


def compose_html_body(document: Document, attachments: tuple[Attachment, ...],
                      default_bottom_line: tuple[str, list[str]] = ("", [])) -> str:
    """The same as `compose_body`, as HTML for mail clients that show it: the
    marking, title, bottom line with superscript citation numbers, the short
    evidence lines and the attachments. Styles are inline, as mail clients
    drop style sheets; every text goes through `escape`."""
    meta = document.meta
    heading, paragraphs, notes = _summary(document, default_bottom_line)
    marking = f'<p style="margin:0 0 12px;font-size:11px;font-weight:bold;letter-spacing:0.04em">{escape(meta.marking)}</p>\n'
    parts = [f'<!DOCTYPE html>\n<html lang="{escape(meta.language or "en")}">\n<head>\n<meta charset="utf-8">\n'
             f"<title>{escape(meta.title)}</title>\n</head>\n"
             '<body style="font-family:\'DejaVu Sans\',Arial,sans-serif;font-size:14px;line-height:1.4;color:#000">\n',
             marking,
             f'<h1 style="margin:0 0 4px;font-size:20px">{escape(meta.title)}</h1>\n',
             f'<p style="margin:0 0 12px">{escape(meta.labels.made_for % {"doc_type": meta.doc_type, "audience": meta.audience})}'
             + "".join(f"<br>\n{escape(label)}{escape(meta.labels.colon)}{escape(value)}"
                       for label, value in _details(document) if label != meta.labels.marking)
             + "</p>\n"]
    if paragraphs:
        parts.append(f'<h2 style="margin:16px 0 8px;font-size:16px">{escape(heading)}</h2>\n')
        items = [text[2:] for text in paragraphs if text.startswith("- ")]
        for text in paragraphs:
            if not text.startswith("- "):
                parts.append(f"<p>{_cited(text)}</p>\n")
        if items:
            parts.append("<ul>\n" + "".join(f"<li>{_cited(item)}</li>\n" for item in items) + "</ul>\n")
    if notes:
        parts.append('<p style="font-size:12px">' + "<br>\n".join(escape(note) for note in notes) + "</p>\n")
    parts.append(f'<h2 style="margin:16px 0 8px;font-size:16px">{escape(meta.labels.attached)}</h2>\n<ul>\n'
                 + "".join(f"<li>{escape(_described(a))}</li>\n" for a in attachments) + "</ul>\n")
    parts += [marking, "</body>\n</html>\n"]
    return "".join(parts)


def _details(document: Document) -> list[tuple[str, str]]:
    meta = document.meta
    words = meta.labels
    return [(label, value) for label, value in (
        (words.date, meta.date_text if meta.date != "unknown" else "unknown"), (words.reference, meta.reference),
        (words.marking, meta.marking)) if value != "unknown"]


def _summary(document: Document, default_bottom_line: tuple[str, list[str]]) -> tuple[str, list[str], list[str]]:
    """The bottom line's heading and paragraphs, and the short lines of the notes they cite."""
    heading, paragraphs, cited = bottom_line(document)
    if not paragraphs:
        heading, paragraphs = default_bottom_line
    return heading, paragraphs, [f"[{note.number}] {note.content.short}" for note in document.notes if note.number in cited]


def _described(attachment: Attachment) -> str:
    return f"{attachment.filename} ({attachment.path.stat().st_size / 1000:,.0f} kB)"


_CITATION = re.compile(r"\[(\d+)\]")


def _cited(text: str) -> str:
    """A bottom-line paragraph as HTML: escaped, its [n] markers superscript."""
    return _CITATION.sub(r"<sup>[\1]</sup>", escape(text))


def bottom_line(document: Document) -> tuple[str, list[str], set[int]]:
    """The first heading of the brief, the text under it, and the citation numbers used."""
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
    root["Subject"] = check_header_text(message.subject, "the subject")
    root["Date"] = format_datetime(when)
    parts = [_body_part(message)] + [_file_part(attachment) for attachment in message.attachments]
    for name in ("From", "To", "Cc", "Subject", "Date"):
        digest.update(f"{name}: {root.get(name, '')}\n".encode())
    for part in parts:
        digest.update(part.as_bytes())
    hexdigest = digest.hexdigest()
    root["Message-ID"] = f"<{hexdigest[:32]}@{message.sender.domain}>"
    root["MIME-Version"] = "1.0"
    root.make_mixed()
    for part in parts:
        root.attach(part)  # type: ignore[arg-type]  # typeshed wants an EmailMessage; any MIMEPart is attached
    root.set_boundary(f"briefing-{hexdigest[32:]}")
    return root


def _text_part(body: str, subtype: str = "plain") -> MIMEPart:
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(body, subtype=subtype, cte="quoted-printable")
    return part


def _body_part(message: MailMessage) -> MIMEPart:
    """The plain text, or multipart/alternative of the text then the HTML (a
    client shows the last it can); its boundary derives from both."""
    text = _text_part(message.body)
    if message.html is None:
        return text
    html = _text_part(message.html, "html")
    alternative = MIMEPart(policy=policy.SMTP)
    alternative.make_alternative()
    alternative.attach(text)
    alternative.attach(html)
    alternative.set_boundary(f"briefing-alt-{hashlib.sha256(text.as_bytes() + html.as_bytes()).hexdigest()[:32]}")
    return alternative


def _file_part(attachment: Attachment) -> MIMEPart:
    maintype, subtype = attachment.mime.split("/")
    part = MIMEPart(policy=policy.SMTP)
    part.set_content(attachment.path.read_bytes(), maintype=maintype, subtype=subtype,
                     disposition="attachment", filename=attachment.filename)
    return part


def write_message(message: MailMessage, path: Path, when: datetime) -> Path:
    """Write the message as an `.eml` file, atomically: the whole file or none."""
    return atomic_write(path, build_email(message, when).as_bytes(), "cannot write the message")

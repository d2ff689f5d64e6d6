"""Stage 6, mail: wrap a rendered brief into a standard email (RFC 5322), write
it as `out/<template>.eml`, and deliver it through SMTP when asked.

The `.eml` is always written first, atomically, so that whatever happens on the
network the message is on disk and can be sent by hand. SMTP settings come from
the command line, then the environment, then `mail:` in `sources/dossier.yaml`,
then the defaults; the password only ever comes from the environment and never
appears in a message, a repr or a log.
"""

from __future__ import annotations

import email
import hashlib
import os
import re
import smtplib
import socket
import ssl
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
from .model import MailConfig

MB = 1_000_000
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"
ENV = {  # setting → environment variable
    "host": "BRIEFING_SMTP_HOST", "port": "BRIEFING_SMTP_PORT", "security": "BRIEFING_SMTP_SECURITY",
    "username": "BRIEFING_SMTP_USER", "sender": "BRIEFING_MAIL_FROM", "timeout": "BRIEFING_SMTP_TIMEOUT",
    "cafile": "BRIEFING_SMTP_CAFILE", "max_attachment_mb": "BRIEFING_MAIL_MAX_MB",
}
_UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


@dataclass(frozen=True)
class MailSettings:
    """Where and how to send; `port` None means the usual port of `security`."""

    host: str | None = None
    port: int | None = None
    security: str = "starttls"  # starttls | tls | none
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str | None = None
    timeout: float = 30.0
    cafile: str | None = None  # trust this CA bundle (a private or test CA) instead of the system's
    max_attachment_mb: float = 10.0

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"


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


# Settings ---------------------------------------------------------------------

def resolve_settings(options: Mapping[str, object], env: Mapping[str, str], config: MailConfig | None,
                     root: Path = Path(".")) -> MailSettings:
    """Command line > environment > dossier configuration > defaults."""
    unknown = set(options) - set(ENV)
    if unknown:
        raise ValueError(f"unknown mail settings: {', '.join(sorted(unknown))}")
    values: dict[str, object] = {}
    for name, variable in ENV.items():
        from_config = getattr(config, name, None) if config is not None else None
        if name == "cafile" and from_config is not None:
            from_config = str(root / from_config)
        for value in (options.get(name), _from_env(env, name, variable), from_config):
            if value is not None:
                values[name] = value
                break
    password_env = (config.password_env if config is not None else None) or PASSWORD_ENV
    return MailSettings(**values, password=env.get(password_env) or None)


def _from_env(env: Mapping[str, str], name: str, variable: str) -> object:
    text = env.get(variable, "").strip()
    if not text:
        return None
    try:
        value: object = text
        if name == "port" and not 1 <= (value := int(text)) <= 65535:
            raise ValueError
        if name in ("timeout", "max_attachment_mb") and not (value := float(text)) > 0:
            raise ValueError
    except ValueError:
        raise BriefingError(f"${variable}: '{text}' is not a valid {name.replace('_', ' ')}") from None
    if name == "security" and value not in DEFAULT_PORTS:
        raise BriefingError(f"${variable}: '{text}' is not one of starttls, tls, none")
    return value


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
    from .context import human_date
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


# Delivery -------------------------------------------------------------------

_STAGES = {"connect": "the connection", "hello": "the greeting", "starttls": "STARTTLS",
           "login": "the login", "send": "the transfer"}


def send_message(path: Path, settings: MailSettings) -> tuple[str, ...]:
    """Send an `.eml` file as it is; return the recipients the server accepted.

    Every failure is one BriefingError that names the server and the cause and
    says where the message is kept.
    """
    kept = f"the message is kept in {path}"
    data = path.read_bytes()
    parsed = email.message_from_bytes(data, policy=policy.SMTP)
    sender = parsed["From"].addresses[0].addr_spec
    recipients = list(dict.fromkeys(a.addr_spec for name in ("To", "Cc") if parsed[name] for a in parsed[name].addresses))
    problem = _settings_problem(settings)
    if problem:
        raise BriefingError(f"{problem}; {kept}")
    refused = _deliver(settings, sender, recipients, data, kept)
    if refused:
        which = ", ".join(f"{address} ({_reply(*reply)})" for address, reply in refused.items())
        raise BriefingError(f"{settings.server} refused {which}; the others received it; {kept}")
    return tuple(recipients)


def _settings_problem(settings: MailSettings) -> str | None:
    if not settings.host:
        return ("no SMTP server: give --smtp-host, set $BRIEFING_SMTP_HOST, "
                "or write 'host:' under 'mail:' in sources/dossier.yaml")
    if settings.username and settings.password is None:
        return f"a user name is set for {settings.server} but no password: set it in the environment ({PASSWORD_ENV} or mail.password_env)"
    if settings.username and settings.security == "none":
        return "refusing to send the password over an unencrypted connection: use security starttls or tls"
    return None


def _deliver(settings: MailSettings, sender: str, recipients: list[str], data: bytes, kept: str) -> dict:
    stage = "connect"
    smtp: smtplib.SMTP | None = None
    try:
        context = _tls_context(settings)
        port = settings.port or DEFAULT_PORTS[settings.security]
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(settings.host, port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, port, timeout=settings.timeout)
        stage = "hello"
        smtp.ehlo()
        if settings.security == "starttls":
            stage = "starttls"
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.username:
            stage = "login"
            smtp.login(settings.username, settings.password or "")
        stage = "send"
        options = ["SMTPUTF8"] if not (sender + "".join(recipients)).isascii() else []
        return smtp.sendmail(sender, recipients, data, mail_options=options)
    except (OSError, smtplib.SMTPException) as error:
        raise BriefingError(f"{describe_failure(error, stage, settings)}; {kept}") from None
    finally:
        _quit(smtp)


def _tls_context(settings: MailSettings) -> ssl.SSLContext | None:
    if settings.security == "none":
        return None
    try:
        return ssl.create_default_context(cafile=settings.cafile)
    except (OSError, ssl.SSLError) as error:
        raise BriefingError(f"cannot read the CA file: {getattr(error, 'strerror', None) or error}",
                            file=settings.cafile) from None


def _quit(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def describe_failure(error: BaseException, stage: str, settings: MailSettings) -> str:
    """One line a person can act on; never the password."""
    server, during = settings.server, _STAGES[stage]
    if isinstance(error, smtplib.SMTPServerDisconnected) and isinstance(error.__context__, TimeoutError):
        error = error.__context__  # smtplib reports a timeout as a disconnection
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"TLS failure with {server}: the certificate is not trusted ({error.verify_message}); "
                "for a private CA set $BRIEFING_SMTP_CAFILE")
    if isinstance(error, ssl.SSLError):
        hint = " (the server may expect STARTTLS: try security 'starttls')" if stage == "connect" else ""
        return f"TLS failure with {server}: {(error.reason or str(error)).lower().replace('_', ' ')}{hint}"
    if isinstance(error, smtplib.SMTPNotSupportedError):
        what = {"starttls": "STARTTLS; use security 'tls' or 'none'", "login": "a login (AUTH)"}.get(stage, str(error))
        return f"{server} does not offer {what}"
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return f"{server} refused the login of user '{settings.username}': {_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        which = ", ".join(f"{address} ({_reply(*reply)})" for address, reply in error.recipients.items())
        return f"{server} refused every recipient: {which}"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"{server} refused the sender {error.sender}: {_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPDataError):
        return f"{server} refused the message: {_reply(error.smtp_code, error.smtp_error)}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        if stage == "connect":
            return f"{server} closed the connection before greeting: is it an SMTP server, with security '{settings.security}'?"
        return f"{server} dropped the connection during {during}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{server} answered {_reply(error.smtp_code, error.smtp_error)} during {during}"
    if isinstance(error, socket.gaierror):
        return f"cannot reach {server}: unknown host ({error.strerror})"
    if isinstance(error, TimeoutError):
        if stage == "connect":
            return f"cannot reach {server}: no answer within {settings.timeout:g} s"
        return f"{server} stopped answering during {during} (timeout {settings.timeout:g} s)"
    if isinstance(error, OSError) and stage == "connect":
        return f"cannot reach {server}: {(error.strerror or str(error)).lower()}"
    if isinstance(error, OSError):
        return f"the connection to {server} dropped during {during}: {(error.strerror or str(error)).lower()}"
    return f"SMTP error with {server} during {during}: {error}"


def _reply(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(words.split())}".strip()

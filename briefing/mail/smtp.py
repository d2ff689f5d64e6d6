"""SMTP settings and delivery, for `mail`.

Settings come from the command line, then the environment, then `mail:` in
`sources/dossier.yaml`, then the defaults; the password only ever comes from
the environment and never appears in a message, a repr or a log. Every failure
to deliver is one line that says where the message is kept.
"""

from __future__ import annotations

import email
import math
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

from ..errors import BriefingError
from ..load.model import MailConfig
from ..load.paths import resolve_inside

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
PASSWORD_ENV = "BRIEFING_SMTP_PASSWORD"
ENV = {  # setting → environment variable
    "host": "BRIEFING_SMTP_HOST", "port": "BRIEFING_SMTP_PORT", "security": "BRIEFING_SMTP_SECURITY",
    "username": "BRIEFING_SMTP_USER", "sender": "BRIEFING_MAIL_FROM", "timeout": "BRIEFING_SMTP_TIMEOUT",
    "cafile": "BRIEFING_SMTP_CAFILE", "max_attachment_mb": "BRIEFING_MAIL_MAX_MB",
}


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
    from_dossier: frozenset[str] = frozenset()  # the settings only the dossier gave

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"


# Settings ---------------------------------------------------------------------

def resolve_settings(options: Mapping[str, object], env: Mapping[str, str], config: MailConfig | None,
                     root: Path = Path(".")) -> MailSettings:
    """Command line > environment > dossier configuration > defaults."""
    unknown = set(options) - set(ENV)
    if unknown:
        raise ValueError(f"unknown mail settings: {', '.join(sorted(unknown))}")
    values: dict[str, object] = {}
    from_dossier: set[str] = set()
    for name, variable in ENV.items():
        from_config = getattr(config, name, None) if config is not None else None
        if name == "cafile" and from_config is not None and config is not None:
            where = config.where
            from_config = str(resolve_inside(root, root / from_config, f"'mail.cafile': '{from_config}'",
                                             where.file, where.line))
        for value in (options.get(name), _from_env(env, name, variable), from_config):
            if value is not None:
                values[name] = value
                if value is from_config:
                    from_dossier.add(name)
                break
    return MailSettings(**values, password=env.get(PASSWORD_ENV) or None,  # type: ignore[arg-type]  # each checked above
                        from_dossier=frozenset(from_dossier))


def password_problem(settings: MailSettings) -> str | None:
    """Why the password must not be sent: a dossier comes from someone else, so the
    password goes only to a server (and through a CA) that the user chose."""
    if not (settings.username and settings.password):
        return None
    if "host" in settings.from_dossier:
        return (f"the SMTP server {settings.host} is named only by the dossier, and the password is not sent to it: "
                "give --smtp-host (or set $BRIEFING_SMTP_HOST) to confirm the server")
    if "cafile" in settings.from_dossier:
        return ("the CA file is named only by the dossier, and the password is not sent through it: "
                "give $BRIEFING_SMTP_CAFILE to confirm it")
    return None


def _from_env(env: Mapping[str, str], name: str, variable: str) -> object:
    text = env.get(variable, "").strip()
    if not text:
        return None
    try:
        value: object = text
        if name == "port" and not 1 <= (value := int(text)) <= 65535:
            raise ValueError
        if name in ("timeout", "max_attachment_mb") and not 0 < (value := float(text)) < math.inf:
            raise ValueError
    except ValueError:
        raise BriefingError(f"${variable}: '{text}' is not a valid {name.replace('_', ' ')}") from None
    if name == "security" and value not in DEFAULT_PORTS:
        raise BriefingError(f"${variable}: '{text}' is not one of starttls, tls, none")
    return value


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
        return f"a user name is set for {settings.server} but no password: set it in the environment variable {PASSWORD_ENV}"
    if settings.username and settings.security == "none":
        return "refusing to send the password over an unencrypted connection: use security starttls or tls"
    return password_problem(settings)


def _deliver(settings: MailSettings, sender: str, recipients: list[str], data: bytes, kept: str) -> dict:
    stage = "connect"
    smtp: smtplib.SMTP | None = None
    try:
        context = _tls_context(settings)
        port = settings.port or DEFAULT_PORTS[settings.security]
        host = settings.host or ""  # `_settings_problem` refused an empty one
        if settings.security == "tls":
            smtp = smtplib.SMTP_SSL(host, port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=settings.timeout)
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

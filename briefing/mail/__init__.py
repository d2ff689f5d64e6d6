"""Stage 6, mail: a brief already built, as an email (plain text and HTML) written to an `.eml`
file and delivered through SMTP when asked (`message`, `smtp`)."""

from .message import (
    Attachment,
    MailMessage,
    MailRequest,
    MailResult,
    attachment,
    check_header_text,
    check_size,
    compose_body,
    compose_html_body,
    envelope,
    parse_address,
    write_message,
)
from .smtp import MailSettings, password_problem, resolve_settings, send_message

__all__ = ["Attachment", "MailMessage", "MailRequest", "MailResult", "MailSettings", "attachment", "check_header_text", "check_size",
           "compose_body", "compose_html_body", "envelope", "parse_address", "password_problem", "resolve_settings",
           "send_message", "write_message"]

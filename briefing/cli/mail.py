"""The mail command: a brief as an email, written and optionally sent."""

from __future__ import annotations

import click

from .options import dossier_option, echo, finite


def _addresses(ctx: click.Context, param: click.Parameter, values):
    """Check each address at parse time, so a typo is a usage error (exit 2)."""
    from ..mail import parse_address

    for value in (values if isinstance(values, tuple) else (values,) if values else ()):
        try:
            parse_address(value)
        except ValueError as error:
            raise click.BadParameter(str(error), ctx=ctx, param=param) from None
    return values


@click.command()
@dossier_option
@click.option("--template", "-t", required=True, metavar="NAME|PATH", help="The brief to send (see 'briefing templates').")
@click.option("--to", "to", multiple=True, required=True, callback=_addresses, metavar="ADDR",
              help="Recipient, 'Name <user@example.org>' or 'user@example.org'; repeatable.")
@click.option("--cc", multiple=True, callback=_addresses, metavar="ADDR", help="Copy recipient; repeatable.")
@click.option("--from", "sender", callback=_addresses, metavar="ADDR",
              help="Sender. Default: $BRIEFING_MAIL_FROM, then 'mail: from:' in sources/dossier.yaml.")
@click.option("--subject", help="Subject. Default: the brief's title.")
@click.option("--attach-docx", is_flag=True, help="Attach the DOCX as well as the PDF.")
@click.option("--lang", "language", metavar="CODE",
              help="Language of the brief (en, fr…). Default: the template's, then the dossier's `language:`.")
@click.option("--out", "-o", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder. Default: out/ inside the dossier.")
@click.option("--send", is_flag=True, help="Deliver through SMTP; without it, only the .eml is written.")
@click.option("--smtp-host", metavar="HOST", help="SMTP server. Default: $BRIEFING_SMTP_HOST, then 'mail: host:'.")
@click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT",
              help="Default: $BRIEFING_SMTP_PORT, 'mail: port:', else 587 / 465 / 25 by security.")
@click.option("--security", type=click.Choice(["starttls", "tls", "none"]),
              help="STARTTLS, implicit TLS, or none. Default: $BRIEFING_SMTP_SECURITY, 'mail: security:', starttls.")
@click.option("--smtp-user", metavar="NAME",
              help="Log in as NAME; the password is read from $BRIEFING_SMTP_PASSWORD, never from the command line.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True, max=3600), callback=finite, metavar="SECONDS",
              help="Network timeout. Default: $BRIEFING_SMTP_TIMEOUT, 'mail: timeout:', 30.")
@click.option("--max-attachment-mb", type=click.FloatRange(min=0, min_open=True, max=10_000), callback=finite,
              metavar="MB",
              help="Warn above this total size of attachments. Default: 'mail: max_attachment_mb:', 10.")
@click.option("--strict", is_flag=True, help="Refuse, rather than warn, when the attachments exceed the limit.")
def mail(dossier: str, template: str, to: tuple[str, ...], cc: tuple[str, ...], sender: str | None,
         subject: str | None, attach_docx: bool, language: str | None, out_dir: str | None, send: bool, smtp_host: str | None,
         smtp_port: int | None, security: str | None, smtp_user: str | None, timeout: float | None,
         max_attachment_mb: float | None, strict: bool) -> None:
    """Mail a brief: build its PDF, write out/NAME.eml, and --send it.

    The message is written first, so if delivery fails it stays in out/ to be
    sent by hand. SMTP settings come from these options, then the environment
    (BRIEFING_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, BRIEFING_MAIL_FROM),
    then 'mail:' in sources/dossier.yaml.

    \b
    Examples:
      briefing mail -t executive --to desk@example.org --from me@example.org
      BRIEFING_SMTP_PASSWORD=... briefing mail -t executive --to desk@example.org \\
          --send --smtp-host smtp.example.org --smtp-user me
    """
    from ..build import mail_brief
    from ..mail import MailRequest

    options = {"host": smtp_host, "port": smtp_port, "security": security, "username": smtp_user,
               "sender": sender, "timeout": timeout, "max_attachment_mb": max_attachment_mb}
    request = MailRequest(template, to, cc, subject, attach_docx, out_dir, strict, send, language,
                          {name: value for name, value in options.items() if value is not None})
    result = mail_brief(dossier, request)
    for warning in result.warnings:
        echo(f"warning: {warning}", err=True)
    echo(str(result.path))
    if result.delivered_to:
        echo(f"sent to {', '.join(result.delivered_to)} through {result.server}")

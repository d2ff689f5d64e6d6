"""`briefing mail`: the message written to out/, and its delivery to a real SMTP
server on localhost (aiosmtpd), over plain SMTP, STARTTLS and implicit TLS with
certificates made here (trustme), with logins accepted and refused, recipients
refused, and a server that drops the connection in the middle of the transfer."""

from __future__ import annotations

import email
import os
import re
import socket
import ssl
import threading
from email import policy
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from briefing.cli import cli
from briefing.errors import BriefingError
from briefing.mail.smtp import MailSettings, resolve_settings
from briefing.load.model import MailConfig
from conftest import CONFIG, make_dossier

TITLE = "Mali–Russia: Goïta's visit"
PASSWORD = "s3cret-Passw0rd"
FROM = "Sahel Desk <desk@example.org>"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No SMTP setting of the machine running the tests leaks in."""
    for name in list(os.environ):
        if name.startswith(("BRIEFING_SMTP_", "BRIEFING_MAIL_")) or name == "SOURCE_DATE_EPOCH":
            monkeypatch.delenv(name)


@pytest.fixture
def dossier(tmp_path: Path) -> Path:
    return make_dossier(tmp_path / "dossier", config=CONFIG | {"title": TITLE})


def run(dossier: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["mail", "--dossier", str(dossier), "--template", "executive", *args], env=env)


def parse(data: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# SMTP servers on localhost ----------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """Keeps every message received; refuses recipients at nobody@…"""

    def __init__(self):
        self.received: list[dict] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("nobody@"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content,
                              "tls": session.ssl is not None, "authenticated": bool(session.authenticated)})
        return "250 Message accepted"


def check_login(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (b"analyst", PASSWORD.encode())
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 itself


@pytest.fixture
def serve():
    """Start an aiosmtpd server on 127.0.0.1; returns (recorder, port)."""
    controllers = []

    def start(**options) -> tuple[Recorder, int]:
        recorder = Recorder()
        controller = Controller(recorder, hostname="127.0.0.1", port=free_port(), ready_timeout=5, **options)
        controller.start()
        controllers.append(controller)
        return recorder, controller.port

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory) -> tuple[ssl.SSLContext, Path]:
    """A CA made for the tests, a server context signed by it, and the CA file a client trusts."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    cafile = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return context, cafile


@pytest.fixture
def dropping_server():
    """A server that speaks SMTP until DATA, reads a little of the message, and hangs up."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(5)

    def speak():
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.settimeout(5)
            reader = connection.makefile("rb")
            connection.sendall(b"220 localhost ESMTP\r\n")
            for _ in range(10):
                line = reader.readline().upper()
                if not line:
                    return
                if line.startswith(b"EHLO"):
                    connection.sendall(b"250-localhost\r\n250 SIZE 100000000\r\n")
                elif line.startswith(b"DATA"):
                    connection.sendall(b"354 go ahead\r\n")
                    reader.read(100)
                    return  # closes mid-transfer
                else:
                    connection.sendall(b"250 OK\r\n")

    thread = threading.Thread(target=speak, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    listener.close()
    thread.join(5)


# The message ------------------------------------------------------------------

def test_message_has_standard_headers_a_bottom_line_and_the_pdf_attached(dossier):
    result = run(dossier, "--to", "Amadou Touré <amadou@example.org>", "--to", "b@example.org",
                 "--cc", "c@example.org", "--from", FROM)
    assert result.exit_code == 0, result.output
    path = dossier / "out" / "executive.eml"
    assert result.stdout.strip() == str(path)
    raw = path.read_bytes()
    assert raw.isascii() and b"\r\n" in raw  # 7-bit, CRLF: ready for any SMTP server
    message = parse(raw)
    assert message["From"].addresses[0].display_name == "Sahel Desk"
    assert [a.display_name for a in message["To"].addresses] == ["Amadou Touré", ""]
    assert [a.addr_spec for a in message["To"].addresses] == ["amadou@example.org", "b@example.org"]
    assert message["Cc"] == "c@example.org"
    assert message["Subject"] == TITLE
    assert message["Date"].datetime is not None
    assert message["Message-ID"].endswith("@example.org>")
    body = message.get_body(("plain",)).get_content()
    assert "BOTTOM LINE" in body.upper()
    assert "The president received his counterpart in Moscow on 23 June 2025 (Outlet one alone).[1]" in " ".join(body.split())
    assert "[1] Outlet one (B)" in body
    assert f"- {TITLE.replace(':', '')} (executive).pdf" in body
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "Mali–Russia Goïta's visit (executive).pdf"
    assert re.search(rb"filename\*(0\*)?=utf-8''Mali%E2%80%93Russia%20Go%C3%AFta%27s", raw)  # RFC 2231
    assert attachment.get_content() == (dossier / "out" / "executive.pdf").read_bytes()


def test_the_bottom_line_is_also_an_html_alternative_beside_the_pdf(dossier):
    """multipart/mixed holds multipart/alternative (the text, then the HTML) and the PDF."""
    assert run(dossier, "--to", "a@example.org", "--from", FROM).exit_code == 0
    message = parse((dossier / "out" / "executive.eml").read_bytes())
    assert message.get_content_type() == "multipart/mixed"
    alternative, pdf = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert pdf.get_content_type() == "application/pdf"
    html = message.get_body(("html",)).get_content()
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html
    text = " ".join(html.split())
    assert "<h1 style=\"margin:0 0 4px;font-size:20px\">Mali–Russia: Goïta’s visit</h1>" in text
    assert "The president received his counterpart in Moscow on 23 June 2025 (Outlet one alone).<sup>[1]</sup>" in text
    assert "[1] Outlet one (B)" in text and "UNCLASSIFIED" in text
    assert "Mali–Russia Goïta&#x27;s visit (executive).pdf" in text
    assert "BOTTOM LINE" in message.get_body(("plain",)).get_content().upper()


def test_attach_docx_adds_the_word_file(dossier):
    result = run(dossier, "--to", "a@example.org", "--from", FROM, "--attach-docx")
    assert result.exit_code == 0, result.output
    types = [(part.get_content_type(), part.get_filename()) for part in
             parse((dossier / "out" / "executive.eml").read_bytes()).iter_attachments()]
    assert types == [("application/pdf", "Mali–Russia Goïta's visit (executive).pdf"),
                     ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                      "Mali–Russia Goïta's visit (executive).docx")]


def test_subject_option_replaces_the_title(dossier):
    assert run(dossier, "--to", "a@example.org", "--from", FROM, "--subject", "For Monday’s meeting").exit_code == 0
    assert parse((dossier / "out" / "executive.eml").read_bytes())["Subject"] == "For Monday’s meeting"


def test_same_inputs_and_source_date_epoch_give_the_same_bytes(dossier):
    env = {"SOURCE_DATE_EPOCH": "1750700000"}
    assert run(dossier, "--to", "a@example.org", "--from", FROM, env=env).exit_code == 0
    first = (dossier / "out" / "executive.eml").read_bytes()
    assert run(dossier, "--to", "a@example.org", "--from", FROM, env=env).exit_code == 0
    assert (dossier / "out" / "executive.eml").read_bytes() == first
    assert parse(first)["Date"] == "Mon, 23 Jun 2025 17:33:20 +0000"
    assert not list((dossier / "out").glob(".*.part"))


def test_the_attachment_is_the_brief_the_mail_describes_never_a_newer_file_in_out(dossier, tmp_path, monkeypatch):
    """Another dossier's PDF, newer than every input, in the same output folder:
    the mail attaches this dossier's brief all the same (by content, not time)."""
    from briefing.build import build_briefs

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750636800")
    out = tmp_path / "shared-out"
    other = make_dossier(tmp_path / "other", config=CONFIG | {"title": "Another dossier entirely"})
    build_briefs(dossier, ("executive",), ("pdf",), out)
    own = (out / "executive.pdf").read_bytes()
    build_briefs(other, ("executive",), ("pdf",), out)
    later = (out / "executive.pdf").stat().st_mtime_ns + 10**9
    os.utime(out / "executive.pdf", ns=(later, later))
    assert run(dossier, "--to", "a@example.org", "--from", FROM, "--out", str(out)).exit_code == 0
    message = parse((out / "executive.eml").read_bytes())
    (attached,) = [part.get_content() for part in message.iter_attachments()]
    assert attached == own and attached == (out / "executive.pdf").read_bytes()


def test_a_refused_mail_leaves_the_outputs_as_they_were(dossier):
    from briefing.build import build_briefs

    build_briefs(dossier, ("executive",), ("pdf",))
    out = dossier / "out"
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    config = dossier / "sources" / "dossier.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(TITLE, "A changed title"), encoding="utf-8")
    result = run(dossier, "--to", "a@example.org", "--from", FROM, "--max-attachment-mb", "0.001", "--strict")
    assert result.exit_code == 1 and "nothing written (--strict)" in error_line(result)
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_a_malformed_address_is_a_usage_error(dossier):
    result = run(dossier, "--to", "a@example.org, b@example.org", "--from", FROM)
    assert result.exit_code == 2
    assert "give one address per option" in result.stderr
    result = run(dossier, "--to", "amadou@", "--from", FROM)
    assert result.exit_code == 2 and "'amadou@' is not an email address" in result.stderr


def test_without_a_sender_one_line_says_where_to_give_it(dossier):
    result = run(dossier, "--to", "a@example.org")
    assert result.exit_code == 1
    assert error_line(result) == ("error: no sender address: give --from, set $BRIEFING_MAIL_FROM, "
                                  "or write 'from:' under 'mail:' in sources/dossier.yaml")


def test_size_guard_warns_and_strict_refuses(dossier):
    result = run(dossier, "--to", "a@example.org", "--from", FROM, "--max-attachment-mb", "0.001")
    assert result.exit_code == 0
    assert "warning: the attachments weigh" in result.stderr and "over the 0.001 MB limit" in result.stderr
    (dossier / "out" / "executive.eml").unlink()
    result = run(dossier, "--to", "a@example.org", "--from", FROM, "--max-attachment-mb", "0.001", "--strict")
    assert result.exit_code == 1
    assert error_line(result).endswith("nothing written (--strict)")
    assert not (dossier / "out" / "executive.eml").exists()


# Settings ---------------------------------------------------------------------

def test_settings_command_line_beats_environment_beats_dossier():
    config = MailConfig.model_validate({"host": "config.example.org", "port": 2525, "security": "tls",
                                        "from": "config@example.org", "username": "from-config",
                                        "max_attachment_mb": 5})
    env = {"BRIEFING_SMTP_HOST": "env.example.org", "BRIEFING_SMTP_SECURITY": "starttls",
           "DESK_SMTP_PASSWORD": "not-this-one", "BRIEFING_SMTP_PASSWORD": PASSWORD}
    settings = resolve_settings({"host": "cli.example.org"}, env, config)
    assert (settings.host, settings.port, settings.security) == ("cli.example.org", 2525, "starttls")
    assert (settings.sender, settings.username, settings.max_attachment_mb) == ("config@example.org", "from-config", 5)
    assert settings.password == PASSWORD and PASSWORD not in repr(settings)
    defaults = resolve_settings({}, {}, None)
    assert defaults == MailSettings() and defaults.server == "None:587"
    with pytest.raises(BriefingError, match=r"\$BRIEFING_SMTP_PORT: 'smtp' is not a valid port"):
        resolve_settings({}, {"BRIEFING_SMTP_PORT": "smtp"}, None)


def test_only_the_readme_variable_holds_the_password_whatever_the_dossier_says(tmp_path):
    """A dossier cannot choose which variable of the user's environment is sent to its server."""
    with pytest.raises(Exception, match="'password_env' is no longer read"):
        MailConfig.model_validate({"host": "evil.example.org", "password_env": "AWS_SECRET_ACCESS_KEY"})
    settings = resolve_settings({}, {"AWS_SECRET_ACCESS_KEY": "aws-secret", "BRIEFING_SMTP_PASSWORD": PASSWORD},
                                MailConfig.model_validate({"host": "evil.example.org", "username": "u"}))
    assert settings.password == PASSWORD
    assert resolve_settings({}, {"HOME": "/root"}, MailConfig.model_validate({"username": "u"})).password is None
    assert "password_env" not in MailConfig.model_fields


def test_the_dossier_refuses_a_password_and_names_the_allowed_fields(tmp_path):
    root = make_dossier(tmp_path / "d", config=CONFIG | {"mail": {"host": "smtp.example.org", "password": "x"}})
    result = CliRunner().invoke(cli, ["check", "--dossier", str(root)])
    assert result.exit_code == 1
    assert "never write the SMTP password in the dossier" in result.stderr
    root = make_dossier(tmp_path / "e", config=CONFIG | {"mail": {"hots": "smtp.example.org"}})
    result = CliRunner().invoke(cli, ["check", "--dossier", str(root)])
    assert "unknown field 'mail.hots'" in result.stderr and "host" in result.stderr


# Delivery ---------------------------------------------------------------------

def send_args(port: int, *more: str) -> list[str]:
    return ["--to", "Amadou Touré <amadou@example.org>", "--cc", "c@example.org", "--from", FROM,
            "--send", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--timeout", "5", *more]


def assert_received_intact(received: dict, dossier: Path) -> None:
    message = parse(received["data"])
    assert received["from"] == "desk@example.org"
    assert received["to"] == ["amadou@example.org", "c@example.org"]
    assert message["Subject"] == TITLE
    assert message["To"].addresses[0].display_name == "Amadou Touré"
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == (dossier / "out" / "executive.pdf").read_bytes()
    assert received["data"].replace(b"\r\n", b"\n") == (dossier / "out" / "executive.eml").read_bytes().replace(b"\r\n", b"\n")


def test_plain_delivery(dossier, serve):
    recorder, port = serve()
    result = run(dossier, *send_args(port, "--security", "none"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == f"sent to amadou@example.org, c@example.org through 127.0.0.1:{port}"
    (received,) = recorder.received
    assert_received_intact(received, dossier)
    assert not received["tls"]


def test_starttls_with_a_login_accepted(dossier, serve, certificates):
    context, cafile = certificates
    recorder, port = serve(tls_context=context, require_starttls=True, authenticator=check_login, auth_required=True)
    env = {"BRIEFING_SMTP_PASSWORD": PASSWORD, "BRIEFING_SMTP_CAFILE": str(cafile)}
    result = run(dossier, *send_args(port, "--smtp-user", "analyst"), env=env)
    assert result.exit_code == 0, result.output
    (received,) = recorder.received
    assert received["tls"] and received["authenticated"]
    assert_received_intact(received, dossier)
    assert PASSWORD not in result.output


def test_implicit_tls(dossier, serve, certificates):
    context, cafile = certificates
    recorder, port = serve(ssl_context=context)
    result = run(dossier, *send_args(port, "--security", "tls"), env={"BRIEFING_SMTP_CAFILE": str(cafile)})
    assert result.exit_code == 0, result.output
    (received,) = recorder.received
    assert_received_intact(received, dossier)


def test_settings_from_the_dossier_and_the_environment(tmp_path, serve, certificates):
    context, cafile = certificates
    recorder, port = serve(tls_context=context, require_starttls=True, authenticator=check_login, auth_required=True)
    mail = {"host": "127.0.0.1", "port": port, "security": "starttls", "username": "analyst",
            "from": "Desk <desk@example.org>", "timeout": 5, "cafile": "ca.pem"}  # inside the dossier
    root = make_dossier(tmp_path / "d", config=CONFIG | {"mail": mail})
    (root / "ca.pem").write_bytes(Path(cafile).read_bytes())
    send = ["mail", "-d", str(root), "-t", "executive", "--to", "a@example.org", "--send"]
    # the password goes only to a server the user names, never to one only the dossier names
    result = CliRunner().invoke(cli, send, env={"BRIEFING_SMTP_PASSWORD": PASSWORD})
    assert result.exit_code == 1 and recorder.received == []
    assert "give --smtp-host (or set $BRIEFING_SMTP_HOST) to confirm the server" in error_line(result)
    assert not (root / "out" / "executive.eml").exists()
    # nor through a CA that only the dossier names
    result = CliRunner().invoke(cli, send, env={"BRIEFING_SMTP_PASSWORD": PASSWORD, "BRIEFING_SMTP_HOST": "127.0.0.1"})
    assert result.exit_code == 1 and recorder.received == []
    assert "the CA file is named only by the dossier" in error_line(result)
    confirmed = {"BRIEFING_SMTP_PASSWORD": PASSWORD, "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_CAFILE": str(cafile)}
    result = CliRunner().invoke(cli, send, env=confirmed)
    assert result.exit_code == 0, result.output
    assert recorder.received[0]["authenticated"]
    # the environment overrides the dossier: a port where nothing listens
    closed = free_port()
    result = CliRunner().invoke(cli, send, env=confirmed | {"BRIEFING_SMTP_PORT": str(closed)})
    assert result.exit_code == 1
    assert f"cannot reach 127.0.0.1:{closed}" in error_line(result)
    assert len(recorder.received) == 1


def test_login_refused(dossier, serve, certificates):
    context, cafile = certificates
    recorder, port = serve(tls_context=context, require_starttls=True, authenticator=check_login, auth_required=True)
    env = {"BRIEFING_SMTP_PASSWORD": "wrong-" + PASSWORD, "BRIEFING_SMTP_CAFILE": str(cafile)}
    result = run(dossier, *send_args(port, "--smtp-user", "analyst"), env=env)
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"error: 127.0.0.1:{port} refused the login of user 'analyst': 535")
    assert line.endswith(f"the message is kept in {dossier / 'out' / 'executive.eml'}")
    assert PASSWORD not in result.output
    assert (dossier / "out" / "executive.eml").is_file() and not recorder.received


@pytest.mark.parametrize("security, env, expected", [
    ("starttls", {}, "no password: set it in the environment variable BRIEFING_SMTP_PASSWORD"),
    ("none", {"BRIEFING_SMTP_PASSWORD": PASSWORD}, "refusing to send the password over an unencrypted connection"),
])
def test_a_login_needs_a_password_from_the_environment_and_encryption(dossier, serve, security, env, expected):
    recorder, port = serve()
    result = run(dossier, *send_args(port, "--smtp-user", "analyst", "--security", security), env=env)
    assert result.exit_code == 1
    assert expected in error_line(result)
    assert PASSWORD not in result.output and not recorder.received


def test_tls_failure_when_the_certificate_is_not_trusted(dossier, serve, certificates):
    context, _ = certificates
    recorder, port = serve(tls_context=context, require_starttls=True)
    result = run(dossier, *send_args(port))
    assert result.exit_code == 1
    line = error_line(result)
    assert line.startswith(f"error: TLS failure with 127.0.0.1:{port}: the certificate is not trusted")
    assert (dossier / "out" / "executive.eml").is_file() and not recorder.received


def test_starttls_asked_of_a_server_without_it(dossier, serve):
    recorder, port = serve()
    result = run(dossier, *send_args(port))
    assert result.exit_code == 1
    assert error_line(result).startswith(f"error: 127.0.0.1:{port} does not offer STARTTLS")


def test_a_recipient_refused(dossier, serve):
    recorder, port = serve()
    result = run(dossier, *send_args(port, "--security", "none", "--to", "nobody@example.org"))
    assert result.exit_code == 1
    line = error_line(result)
    assert f"127.0.0.1:{port} refused nobody@example.org (550 5.1.1 no such mailbox here); the others received it" in line
    assert [r["to"] for r in recorder.received] == [["amadou@example.org", "c@example.org"]]


def test_every_recipient_refused(dossier, serve):
    recorder, port = serve()
    result = run(dossier, "--to", "nobody@example.org", "--from", FROM, "--send", "--security", "none",
                 "--smtp-host", "127.0.0.1", "--smtp-port", str(port))
    assert result.exit_code == 1
    assert "refused every recipient: nobody@example.org (550 5.1.1 no such mailbox here)" in error_line(result)
    assert not recorder.received and (dossier / "out" / "executive.eml").is_file()


def test_the_server_drops_the_connection_mid_transfer(dossier, dropping_server):
    result = run(dossier, *send_args(dropping_server, "--security", "none"))
    assert result.exit_code == 1
    line = error_line(result)
    assert "dropped" in line and "during the transfer" in line
    assert line.endswith(f"the message is kept in {dossier / 'out' / 'executive.eml'}")
    assert parse((dossier / "out" / "executive.eml").read_bytes())["Subject"] == TITLE


def test_host_unreachable(dossier):
    port = free_port()
    result = run(dossier, *send_args(port, "--security", "none"))
    assert result.exit_code == 1
    assert error_line(result) == (f"error: cannot reach 127.0.0.1:{port}: connection refused; "
                                  f"the message is kept in {dossier / 'out' / 'executive.eml'}")


def test_a_server_that_never_answers_times_out(dossier):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # connections queue, nobody greets
        port = silent.getsockname()[1]
        result = run(dossier, *send_args(port, "--security", "none", "--timeout", "0.5"))
    assert result.exit_code == 1
    assert error_line(result).startswith(f"error: cannot reach 127.0.0.1:{port}: no answer within 0.5 s;")


def test_an_attachment_name_holds_no_direction_control():
    from briefing.mail.message import attachment_name

    assert attachment_name("Quarterly \u202efdp.exe\u2066", "executive", "pdf") == "Quarterly fdp.exe (executive).pdf"

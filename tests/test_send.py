"""`pmo-xl send DIR` against a real SMTP server on 127.0.0.1 (aiosmtpd) that the tests start."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.people import send as sending

from .conftest import run_process
from .smtp_server import (
    HOST,
    PASSWORD,
    USER,
    Recorder,
    Server,
    free_port,
    make_certificates,
)

SENDER = "pmo@northwind.example.org"
PEOPLE = [("helen-marsh", "helen.marsh@example.org", "Helen Marsh"),
          ("raj-patel", "raj.patel@example.org", "Raj Patel"),
          ("ana-lima", "ana.lima@example.org", "Ana Lima"),
          ("tom-okafor", "tom.okafor@example.org", "Tom O'Kafor")]
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# -- drafts as `pmo-xl actions -o DIR` writes them ------------------------------------------

def small_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Record", "What to do", "Cell"])
    sheet.append(["SVC-028", "Add the go-live date", "Services!AD29"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def draft(to: str | None, name: str = "Someone", *, message_id: bool = True,
          attachment: bytes | None = None) -> EmailMessage:
    message = EmailMessage()
    if to is not None:
        message["To"] = f"{name} <{to}>" if "@" in to else to
    message["Subject"] = f"Northwind PMO — your actions, October 2026 ({name})"
    message["X-Unsent"] = "1"
    if message_id:
        message["Message-ID"] = make_msgid(domain="northwind.example.org")
    text = (f"Hello {name},\n\nBefore the meeting:\n- SVC-028: add the go-live date "
            "(Services!AD29)\n.\nA line that starts with a dot, and é ü ß.\n")
    message.set_content(text)
    message.add_alternative(f"<p>Hello {name},</p><table><tr><td>SVC-028</td><td>Add the "
                            "go-live date &lt;b&gt;</td></tr></table>", subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype=XLSX[0], subtype=XLSX[1],
                               filename="your-actions.xlsx")
    return message


def write_drafts(folder: Path, people=PEOPLE, *, attachment_for: str | None = "raj-patel"
                 ) -> dict[str, EmailMessage]:
    folder.mkdir(parents=True, exist_ok=True)
    drafts = {}
    for stem, address, name in people:
        message = draft(address, name,
                        attachment=small_workbook() if stem == attachment_for else None)
        (folder / f"{stem}.eml").write_bytes(bytes(message))
        drafts[address] = message
    return drafts


def bodies(message: EmailMessage) -> tuple[str, str, bytes | None]:
    """Text, HTML and attachment; text line ends as a mail client reads them (SMTP sends
    CRLF)."""
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    attachments = [part.get_content() for part in message.iter_attachments()]
    return plain, html, attachments[0] if attachments else None


def sent_record(folder: Path) -> list[dict]:
    return json.loads((folder / "sent.json").read_text(encoding="utf-8"))["sent"]


# -- the server and the command --------------------------------------------------------------

@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Nothing in these tests may look up or reach another host than 127.0.0.1."""
    real = socket.getaddrinfo

    def only_loopback(host, *args, **kwargs):
        if host not in (HOST, "localhost", b"localhost"):
            raise AssertionError(f"a test tried to reach {host!r}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", only_loopback)


@pytest.fixture
def start_server():
    servers: list[Server] = []

    def start(recorder: Recorder | None = None, **options) -> Server:
        server = Server(recorder or Recorder(), **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def run_send(monkeypatch):
    """`pmo-xl send ...` in-process; the password, if any, only in the environment."""
    monkeypatch.delenv(sending.PASSWORD_VARIABLE, raising=False)

    def run(*args, input: str | None = None, password: str | None = None):
        env = {sending.PASSWORD_VARIABLE: password} if password is not None else {}
        return CliRunner().invoke(cli, ["send", *map(str, args)], input=input, env=env,
                                  catch_exceptions=False)

    return run


def one_line_error(result) -> str:
    """The one sentence a bad input gets: on stderr, exit 2, no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def assert_delivered_once(server: Server, drafts: dict[str, EmailMessage],
                          cc: tuple[str, ...] = ()) -> None:
    """Each draft reached the server exactly once, as a real message, its bodies intact."""
    ids = Counter(r.message["Message-ID"] for r in server.received)
    assert ids == Counter({d["Message-ID"]: 1 for d in drafts.values()})
    for received in server.received:
        message = received.message
        original = next(d for d in drafts.values() if d["Message-ID"] == message["Message-ID"])
        to = original["To"].addresses[0].addr_spec
        assert received.mail_from == SENDER
        assert received.rcpt_tos == [to, *cc]
        assert message["To"] == original["To"]
        assert message["From"] == SENDER
        assert message["Subject"] == original["Subject"]
        assert "X-Unsent" not in message
        assert message["Date"].datetime.tzinfo is not None
        if cc:
            assert [a.addr_spec for a in message["Cc"].addresses] == list(cc)
        else:
            assert "Cc" not in message
        assert bodies(message) == bodies(original)


# -- sending --------------------------------------------------------------------------------

def test_plain_sends_each_draft_as_a_real_message(tmp_path, start_server, run_send) -> None:
    server = start_server()
    drafts = write_drafts(tmp_path / "drafts")
    result = run_send(tmp_path / "drafts", "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)
    attached = [r for r in server.received if bodies(r.message)[2] is not None]
    assert [r.rcpt_tos for r in attached] == [["raj.patel@example.org"]]
    assert bodies(attached[0].message)[2] == bodies(drafts["raj.patel@example.org"])[2]
    assert openpyxl.load_workbook(io.BytesIO(bodies(attached[0].message)[2])).active[
        "C2"].value == "Services!AD29"
    record = sent_record(tmp_path / "drafts")
    assert [(e["file"], e["to"]) for e in record] == [
        ("ana-lima.eml", ["ana.lima@example.org"]),
        ("helen-marsh.eml", ["helen.marsh@example.org"]),
        ("raj-patel.eml", ["raj.patel@example.org"]),
        ("tom-okafor.eml", ["tom.okafor@example.org"])]
    assert {e["message_id"] for e in record} == {d["Message-ID"] for d in drafts.values()}
    assert all(e["time"][:4].isdigit() and e["server"] == server.address for e in record)
    assert "  sent      helen-marsh.eml to helen.marsh@example.org" in result.stdout
    assert result.stdout.splitlines()[-1] == "Sent 4; 4 drafts in all."
    assert not (tmp_path / "drafts" / sending.LOCK_FILE).exists()


def test_listing_shows_who_what_and_size_before_sending(tmp_path, start_server,
                                                         run_send) -> None:
    server = start_server()
    write_drafts(tmp_path / "drafts")
    result = run_send(tmp_path / "drafts", "--smtp", server.address, "--from",
                      f"PMO Office <{SENDER}>", "--cc", "boss@example.org", "--yes")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"4 drafts in {tmp_path / 'drafts'}"
    assert lines[1] == (f"To send through {server.address} (no encryption) from PMO Office "
                        f"<{SENDER}>, Cc boss@example.org:")
    raj = next(line for line in lines if line.startswith("  raj-patel.eml"))
    assert "raj.patel@example.org" in raj and "your actions, October 2026 (Raj Patel)" in raj
    helen = next(line for line in lines if line.startswith("  helen-marsh.eml"))
    # the attachment shows in the size
    raj_size, helen_size = raj.split()[2:4], helen.split()[2:4]
    assert raj_size[1] == "KB" and int(raj_size[0]) >= 5
    assert helen_size[1] == "B" and 500 < int(helen_size[0]) < 1024


def test_cc_goes_to_every_message(tmp_path, start_server, run_send) -> None:
    server = start_server()
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER,
                      "--cc", "pmo-office@example.org", "--cc", "Dana Boss <boss@example.org>",
                      "--yes")
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts, cc=("pmo-office@example.org", "boss@example.org"))
    assert sent_record(tmp_path / "d")[0]["cc"] == ["pmo-office@example.org",
                                                    "boss@example.org"]


def test_a_drafts_own_cc_and_bcc_are_kept_and_bcc_hidden(tmp_path, start_server,
                                                         run_send) -> None:
    server = start_server()
    folder = tmp_path / "d"
    folder.mkdir()
    message = draft("raj.patel@example.org", "Raj Patel")
    message["Cc"] = "Deputy <deputy@example.org>"
    message["Bcc"] = "audit@example.org"
    (folder / "raj.eml").write_bytes(bytes(message))
    result = run_send(folder, "--smtp", server.address, "--from", SENDER, "--cc",
                      "boss@example.org", "--yes")
    assert result.exit_code == 0, result.output
    (received,) = server.received
    assert received.rcpt_tos == ["raj.patel@example.org", "deputy@example.org",
                                 "boss@example.org", "audit@example.org"]
    assert [a.addr_spec for a in received.message["Cc"].addresses] == [
        "deputy@example.org", "boss@example.org"]
    assert "Bcc" not in received.message
    assert b"audit@" not in received.data


def test_starttls_with_a_trusted_certificate(tmp_path, start_server, run_send, certificates,
                                             monkeypatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    server = start_server(tls=certificates.server_context)
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--starttls", "--from",
                      SENDER, "--yes")
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)
    assert all(r.tls for r in server.received)
    assert "(STARTTLS)" in result.stdout


@pytest.mark.parametrize("implicit", [False, True], ids=["starttls", "ssl"])
def test_an_untrusted_certificate_is_refused_in_one_sentence(
        tmp_path, start_server, run_send, certificates, monkeypatch, implicit) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    options = ({"implicit_tls": certificates.server_context} if implicit
               else {"tls": certificates.server_context})
    server = start_server(**options)
    write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address,
                      "--ssl" if implicit else "--starttls", "--from", SENDER, "--yes")
    line = one_line_error(result)
    assert line.startswith(f"Error: The certificate of {HOST} is not trusted (")
    assert "SSL_CERT_FILE" in line
    assert server.received == []
    assert not (tmp_path / "d" / "sent.json").exists()


def test_implicit_ssl(tmp_path, start_server, run_send, certificates, monkeypatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    server = start_server(implicit_tls=certificates.server_context)
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--ssl", "--from", SENDER,
                      "--yes")
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)
    assert all(r.tls for r in server.received)


def test_ssl_against_a_plain_server_is_one_sentence(tmp_path, start_server, run_send) -> None:
    server = start_server()
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", server.address, "--ssl",
                                   "--from", SENDER, "--yes"))
    assert line.startswith(f"Error: TLS with {server.address} failed (")


def test_starttls_not_offered_is_one_sentence(tmp_path, start_server, run_send) -> None:
    server = start_server()
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", server.address, "--starttls",
                                   "--from", SENDER, "--yes"))
    assert line == (f"Error: {server.address} does not offer STARTTLS; use --ssl (usually "
                    "port 465) or ask your mail administrator for the right port.")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_login_with_the_password_from_the_environment(
        tmp_path, start_server, run_send, certificates, monkeypatch, mechanism) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    server = start_server(tls=certificates.server_context, auth=True,
                          exclude_mechanisms=(other,))
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--starttls", "--user", USER,
                      "--from", SENDER, "--yes", password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)
    assert server.recorder.auth_mechanisms == [mechanism]
    assert all(r.authenticated for r in server.received)
    assert PASSWORD not in result.output


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_over_plain_text_on_the_loopback(tmp_path, start_server, run_send) -> None:
    server = start_server(auth=True, auth_over_plain=True)
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--user", USER, "--from",
                      SENDER, "--yes", password=PASSWORD)
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)


def test_a_wrong_password_is_one_sentence_and_never_shown(tmp_path, start_server, run_send,
                                                         certificates, monkeypatch) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates.ca_file))
    server = start_server(tls=certificates.server_context, auth=True)
    write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--starttls", "--user", USER,
                      "--from", SENDER, "--yes", password="wrong-secret-42")
    line = one_line_error(result)
    assert line.startswith(f"Error: {server.address} refused the login for '{USER}' (535")
    assert line.endswith(f"check --user and {sending.PASSWORD_VARIABLE}.")
    assert "wrong-secret-42" not in result.output
    assert server.received == []


def test_login_not_offered_without_tls(tmp_path, start_server, run_send) -> None:
    server = start_server(auth=True)  # aiosmtpd offers AUTH only after STARTTLS by default
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", server.address, "--user", USER,
                                   "--from", SENDER, "--yes", password=PASSWORD))
    assert line == (f"Error: {server.address} does not offer a login (AUTH) on this "
                    "connection (many servers offer it only after --starttls or with --ssl).")


def test_user_without_the_password_variable(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", f"{HOST}:{free_port()}",
                                   "--user", USER, "--from", SENDER, "--yes"))
    assert line.startswith(f"Error: --user {USER} needs the password in the environment "
                           f"variable {sending.PASSWORD_VARIABLE} ")


def test_no_password_option_exists(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--password", "x")
    assert result.exit_code == 2
    # click words it "No such option: --password" before 8.4 and "... '--password'" since.
    assert "No such option" in result.stderr and "--password" in result.stderr


def test_password_in_clear_to_a_remote_host_is_refused(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    # Refused before any connection is tried: no name lookup, nothing leaves the machine.
    line = one_line_error(run_send(tmp_path / "d", "--smtp", "smtp.northwind.example.org",
                                   "--user", USER, "--from", SENDER, "--yes",
                                   password=PASSWORD))
    assert line == ("Error: --user without --starttls or --ssl would send the password to "
                    "smtp.northwind.example.org unencrypted; add --starttls or --ssl.")


# -- refusals and lost connections ----------------------------------------------------------

def test_a_refused_recipient_is_one_sentence_and_the_rest_carry_on(tmp_path, start_server,
                                                                   run_send) -> None:
    server = start_server(Recorder(refuse={"raj.patel@example.org"}))
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 1, result.output
    refused = [line for line in result.stderr.splitlines() if "raj-patel.eml" in line]
    assert refused == ["  not sent  raj-patel.eml to raj.patel@example.org: the server "
                       "refused raj.patel@example.org (550 5.1.1 No such mailbox here)."]
    delivered = {d: m for d, m in drafts.items() if d != "raj.patel@example.org"}
    assert_delivered_once(server, delivered)
    assert [e["file"] for e in sent_record(tmp_path / "d")] == [
        "ana-lima.eml", "helen-marsh.eml", "tom-okafor.eml"]
    assert result.stdout.splitlines()[-1] == (
        "Sent 3, 1 failed; 4 drafts in all. Run again to retry the failed ones; none is sent "
        "twice.")


def test_a_refused_cc_holds_the_message_back(tmp_path, start_server, run_send) -> None:
    server = start_server(Recorder(refuse={"boss@example.org"}))
    write_drafts(tmp_path / "d", PEOPLE[:2])
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--cc",
                      "boss@example.org", "--yes")
    assert result.exit_code == 1
    assert server.received == []
    assert result.stderr.count("the server refused boss@example.org (550") == 2


def test_a_dropped_connection_then_a_rerun_sends_each_message_once(tmp_path, start_server,
                                                                   run_send) -> None:
    recorder = Recorder(drop_data_on=2)
    server = start_server(recorder)
    drafts = write_drafts(tmp_path / "d")
    first = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert first.exit_code == 1, first.output
    lost = [line for line in first.stderr.splitlines() if "not sent" in line]
    assert lost == [f"  not sent  helen-marsh.eml to helen.marsh@example.org: the connection "
                    f"to {server.address} was lost while the message was being handed over; "
                    "it is not recorded as sent, so the next run sends it (check with "
                    "helen.marsh@example.org whether it arrived)."]
    # reconnected: the two after the drop went out
    assert [r.rcpt_tos for r in server.received] == [
        ["ana.lima@example.org"], ["raj.patel@example.org"], ["tom.okafor@example.org"]]
    assert len(sent_record(tmp_path / "d")) == 3

    second = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert second.exit_code == 0, second.output
    assert "Already sent before (see sent.json), not sent again: 3." in second.stdout
    assert [line for line in second.stdout.splitlines() if line.startswith("  sent")] == [
        "  sent      helen-marsh.eml to helen.marsh@example.org"]
    assert second.stdout.splitlines()[-1] == "Sent 1, 3 already sent before; 4 drafts in all."
    assert_delivered_once(server, drafts)

    third = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert third.exit_code == 0
    assert third.stdout.splitlines()[-1] == "Sent 0, 4 already sent before; 4 drafts in all."
    assert_delivered_once(server, drafts)
    assert len(sent_record(tmp_path / "d")) == 4


def test_a_connection_lost_before_the_message_is_retried_at_once(tmp_path, start_server,
                                                                 run_send) -> None:
    server = start_server(Recorder(drop_mail_on=2))
    drafts = write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)
    assert server.recorder.mails == 5  # one MAIL FROM was cut off, then sent again


def test_a_server_gone_for_good_stops_the_run_and_a_rerun_finishes(tmp_path, start_server,
                                                                   run_send) -> None:
    recorder = Recorder(drop_data_on=2)
    server = start_server(recorder)
    recorder.on_drop = server.stop_soon
    drafts = write_drafts(tmp_path / "d")
    first = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert first.exit_code == 1, first.output
    stopped = [line for line in first.stderr.splitlines() if line.startswith("Stopped:")]
    assert stopped == [f"Stopped: {server.address} refused the connection; check the host and "
                       "port in --smtp and that the mail server is running. 2 not sent; run "
                       "again to send them."]
    assert [r.rcpt_tos for r in server.received] == [["ana.lima@example.org"]]
    assert first.stdout.splitlines()[-1] == (
        "Sent 1, 3 failed; 4 drafts in all. Run again to retry the failed ones; none is sent "
        "twice.")

    again = start_server(Recorder())
    second = run_send(tmp_path / "d", "--smtp", again.address, "--from", SENDER, "--yes")
    assert second.exit_code == 0, second.output
    assert sorted(r.rcpt_tos[0] for r in again.received) == [
        "helen.marsh@example.org", "raj.patel@example.org", "tom.okafor@example.org"]
    assert_delivered_once_across([server, again], drafts)


def assert_delivered_once_across(servers: list[Server], drafts: dict[str, EmailMessage]):
    ids = Counter(r.message["Message-ID"] for s in servers for r in s.received)
    assert ids == Counter({d["Message-ID"]: 1 for d in drafts.values()})


# -- never twice ---------------------------------------------------------------------------

def test_a_rewritten_draft_with_a_new_message_id_is_a_new_message(tmp_path, start_server,
                                                                 run_send) -> None:
    server = start_server()
    write_drafts(tmp_path / "d", PEOPLE[:2])
    assert run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER,
                    "--yes").exit_code == 0
    rewritten = draft("raj.patel@example.org", "Raj Patel")
    (tmp_path / "d" / "raj-patel.eml").write_bytes(bytes(rewritten))
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 0
    assert [r.message["Message-ID"] for r in server.received][-1] == rewritten["Message-ID"]
    assert len(server.received) == 3
    assert "not sent again: 1." in result.stdout


def test_a_corrected_address_is_a_new_message(tmp_path, start_server, run_send) -> None:
    server = start_server()
    folder = tmp_path / "d"
    folder.mkdir()
    message = draft("raj.patel@example.org", "Raj Patel")
    (folder / "raj.eml").write_bytes(bytes(message))
    assert run_send(folder, "--smtp", server.address, "--from", SENDER,
                    "--yes").exit_code == 0
    message.replace_header("To", "Raj Patel <r.patel@example.org>")  # same Message-ID
    (folder / "raj.eml").write_bytes(bytes(message))
    assert run_send(folder, "--smtp", server.address, "--from", SENDER,
                    "--yes").exit_code == 0
    assert [r.rcpt_tos for r in server.received] == [["raj.patel@example.org"],
                                                     ["r.patel@example.org"]]


def test_a_draft_without_message_id_gets_a_stable_one(tmp_path, start_server,
                                                      run_send) -> None:
    server = start_server()
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "ana.eml").write_bytes(bytes(draft("ana.lima@example.org", message_id=False)))
    for _ in range(2):
        assert run_send(folder, "--smtp", server.address, "--from", SENDER,
                        "--yes").exit_code == 0
    assert len(server.received) == 1
    message_id = server.received[0].message["Message-ID"]
    assert message_id.endswith("@northwind.example.org>") and len(message_id) > 30
    assert sent_record(folder)[0]["message_id"] == message_id


def test_a_pack_folder_sends_its_to_people_drafts(tmp_path, start_server, run_send) -> None:
    server = start_server()
    pack = tmp_path / "pmo-pack-2026-11-30"
    drafts = write_drafts(pack / "to-people")
    (pack / "governance-pack.eml").write_bytes(bytes(draft(None, "Everyone")))
    result = run_send(pack, "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 0, result.output
    assert_delivered_once(server, drafts)
    assert result.stdout.splitlines()[0] == f"4 drafts in {pack / 'to-people'}"
    # one record for the pack, whichever folder is named
    assert [e["file"] for e in sent_record(pack)][0] == "to-people/ana-lima.eml"
    again = run_send(pack / "to-people", "--smtp", server.address, "--from", SENDER, "--yes")
    assert again.exit_code == 0
    assert again.stdout.splitlines()[-1] == "Sent 0, 4 already sent before; 4 drafts in all."
    assert len(server.received) == 4


def test_a_draft_without_usable_to_is_listed_and_skipped(tmp_path, start_server,
                                                         run_send) -> None:
    server = start_server()
    folder = tmp_path / "d"
    drafts = write_drafts(folder, PEOPLE[:2])
    (folder / "nobody.eml").write_bytes(bytes(draft(None, "Nobody")))
    (folder / "typo.eml").write_bytes(bytes(draft("helen.marsh@example", "Typo")))
    (folder / "notes.eml").write_text("just some notes, not an email\n")
    (folder / "two-ats.eml").write_bytes(b"To: X <bad@@example.org>\r\n" + bytes(draft(None)))
    result = run_send(folder, "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 1, result.output
    skipped = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert skipped == [
        "  skipped   nobody.eml: it has no To: address; add the recipient or send it by hand.",
        "  skipped   notes.eml: it has no To: address; add the recipient or send it by hand.",
        "  skipped   two-ats.eml: it has no usable To: address ('X <bad@@example.org>'); "
        "correct the person's Email in the master and write the drafts again, or send it by "
        "hand.",
        "  skipped   typo.eml: it has no usable To: address ('Typo <helen.marsh@example>'); "
        "correct the person's Email in the master and write the drafts again, or send it by "
        "hand."]
    assert_delivered_once(server, drafts)
    assert result.stdout.splitlines()[-1] == "Sent 2, 4 skipped; 6 drafts in all."


# -- asking first, dry run ------------------------------------------------------------------

def test_dry_run_shows_and_sends_nothing(tmp_path, start_server, run_send) -> None:
    server = start_server()
    folder = tmp_path / "d"
    write_drafts(folder)
    before = sorted(p.name for p in folder.iterdir())
    result = run_send(folder, "--smtp", server.address, "--from", SENDER, "--dry-run")
    assert result.exit_code == 0, result.output
    assert sum(line.startswith("  ") and "@example.org" in line
               for line in result.stdout.splitlines()) == 4
    assert result.stdout.splitlines()[-1] == "Dry run: nothing sent."
    assert server.received == [] and server.recorder.mails == 0
    assert sorted(p.name for p in folder.iterdir()) == before  # no sent.json, no lock
    # no server needed to look
    assert run_send(folder, "--dry-run").exit_code == 0


def test_dry_run_leaves_sent_json_alone(tmp_path, start_server, run_send) -> None:
    server = start_server(Recorder(refuse={"raj.patel@example.org"}))
    folder = tmp_path / "d"
    write_drafts(folder)
    run_send(folder, "--smtp", server.address, "--from", SENDER, "--yes")
    record = (folder / "sent.json").read_bytes()
    result = run_send(folder, "--smtp", server.address, "--from", SENDER, "--dry-run")
    assert "not sent again: 3." in result.stdout
    assert [line.split()[0] for line in result.stdout.splitlines() if "@" in line
            and line.startswith("  ")] == ["raj-patel.eml"]
    assert (folder / "sent.json").read_bytes() == record


@pytest.mark.parametrize(("answer", "delivered"), [("n\n", 0), ("\n", 0), ("y\n", 4)])
def test_confirmation_on_a_terminal(tmp_path, start_server, run_send, monkeypatch, answer,
                                    delivered) -> None:
    monkeypatch.setattr(sending, "stdin_is_terminal", lambda: True)
    server = start_server()
    write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER,
                      input=answer)
    assert "Send 4 messages? [y/N]: " in result.stdout
    assert len(server.received) == delivered
    if delivered:
        assert result.exit_code == 0
        assert len(sent_record(tmp_path / "d")) == 4
    else:
        assert result.exit_code == 1
        assert result.stdout.splitlines()[-1] == "Nothing sent."
        assert not (tmp_path / "d" / "sent.json").exists()


def test_without_a_terminal_and_without_yes_it_refuses(tmp_path, start_server,
                                                       run_send) -> None:
    server = start_server()
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", server.address, "--from",
                                   SENDER))
    assert line == ("Error: Not sending without confirmation: no terminal to ask on; add "
                    "--yes to send from a script, or --dry-run to only look.")
    assert server.recorder.mails == 0


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")
def test_on_a_real_terminal_it_asks_and_sends(tmp_path, start_server) -> None:
    """A pseudo-terminal, the way a person runs it: the question, the answer, the sending."""
    import pty

    server = start_server()
    drafts = write_drafts(tmp_path / "d", PEOPLE[:2])
    leader, follower = pty.openpty()
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    env.pop(sending.PASSWORD_VARIABLE, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "pmo_xl", "send", str(tmp_path / "d"), "--smtp",
         server.address, "--from", SENDER], stdin=follower, stdout=follower, stderr=follower,
        env=env, close_fds=True)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 60
    while b"[y/N]" not in seen and time.monotonic() < deadline:
        seen += os.read(leader, 4096)
    assert b"Send 2 messages? [y/N]" in seen
    assert server.recorder.mails == 0  # nothing before the answer
    os.write(leader, b"y\n")
    try:
        while True:
            chunk = os.read(leader, 4096)
            if not chunk:
                break
            seen += chunk
    except OSError:  # the terminal closes when the process ends
        pass
    assert process.wait(timeout=60) == 0, seen.decode()
    os.close(leader)
    assert_delivered_once(server, drafts)


# -- as a subprocess ------------------------------------------------------------------------

def test_as_a_subprocess(tmp_path, start_server) -> None:
    server = start_server(Recorder(refuse={"tom.okafor@example.org"}))
    drafts = write_drafts(tmp_path / "d")
    done = run_process("send", tmp_path / "d", "--smtp", server.address, "--from", SENDER,
                       "--yes")
    assert done.returncode == 1, done.stderr
    assert "tom-okafor.eml to tom.okafor@example.org: the server refused" in done.stderr
    assert done.stdout.splitlines()[-1] == (
        "Sent 3, 1 failed; 4 drafts in all. Run again to retry the failed ones; none is sent "
        "twice.")
    assert_delivered_once(server, {k: v for k, v in drafts.items()
                                   if k != "tom.okafor@example.org"})
    no_terminal = run_process("send", tmp_path / "d", "--smtp", server.address, "--from",
                              SENDER)
    assert no_terminal.returncode == 2
    assert no_terminal.stderr.startswith("Error: Not sending without confirmation")
    missing = run_process("send", tmp_path / "nowhere", "--dry-run")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


# -- bad input: one sentence, exit 2 ------------------------------------------------------------

def test_folder_missing_or_a_file_or_without_drafts(tmp_path, run_send) -> None:
    assert one_line_error(run_send(tmp_path / "nowhere", "--dry-run")).startswith(
        f"Error: {tmp_path / 'nowhere'} does not exist; give the folder with the drafts")
    (tmp_path / "file.eml").write_text("x")
    assert one_line_error(run_send(tmp_path / "file.eml", "--dry-run")).startswith(
        f"Error: {tmp_path / 'file.eml'} is a file, not a folder")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("x")
    assert one_line_error(run_send(tmp_path / "empty", "--dry-run")).startswith(
        f"Error: {tmp_path / 'empty'} holds no .eml drafts; write them with `pmo-xl actions")
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "governance-pack.eml").write_bytes(bytes(draft(None)))
    assert "holds no .eml drafts" in one_line_error(run_send(pack, "--dry-run"))


def test_unreachable_server_refused_connection(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    port = free_port()
    line = one_line_error(run_send(tmp_path / "d", "--smtp", f"{HOST}:{port}", "--from",
                                   SENDER, "--yes"))
    assert line == (f"Error: {HOST}:{port} refused the connection; check the host and port "
                    "in --smtp and that the mail server is running.")
    assert not (tmp_path / "d" / "sent.json").exists()


def test_unknown_host_name(tmp_path, run_send, monkeypatch) -> None:
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    # No real lookup: the resolver says what it says for a name that does not exist.
    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", "smtp.nowhere.invalid",
                                   "--from", SENDER, "--yes"))
    assert line == ("Error: The SMTP server 'smtp.nowhere.invalid' cannot be found (no such "
                    "name in DNS); check the host in --smtp.")


def test_a_server_that_never_answers(tmp_path) -> None:
    write_drafts(tmp_path / "d")
    with socket.socket() as silent:
        silent.bind((HOST, 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(sending.CannotSend) as caught:
            sending.send(tmp_path / "d", smtp=f"{HOST}:{port}", from_address=SENDER,
                         timeout=0.5, echo=lambda *a, **k: None)
    assert str(caught.value) == (f"{HOST}:{port} did not answer within 0.5 seconds; check "
                                 "--smtp, --starttls/--ssl and whether a firewall blocks "
                                 "the port.")


@pytest.mark.parametrize(("option", "value"), [
    ("--from", "pmo"), ("--from", "pmo@"), ("--from", "a@b@example.org"),
    ("--from", "pmo@example.org\nBcc: x@example.org"), ("--from", "pmo@example.org, x@y.org"),
    ("--cc", "boss"), ("--cc", "boss@example"), ("--cc", "<>")])
def test_malformed_addresses(tmp_path, run_send, option, value) -> None:
    write_drafts(tmp_path / "d")
    args = ["--from", SENDER] if option == "--cc" else []
    line = one_line_error(run_send(tmp_path / "d", "--smtp", f"{HOST}:{free_port()}", *args,
                                   option, value, "--yes"))
    assert line == (f"Error: {option} {value!r} is not an email address; write it as "
                    "name@example.org (or \"Name <name@example.org>\").")


@pytest.mark.parametrize("value", ["smtp.example.org:", "smtp.example.org:smtp",
                                   "smtp.example.org:70000", "user@smtp.example.org", ":25"])
def test_malformed_smtp(tmp_path, run_send, value) -> None:
    write_drafts(tmp_path / "d")
    line = one_line_error(run_send(tmp_path / "d", "--smtp", value, "--from", SENDER,
                                   "--yes"))
    assert line.startswith(f"Error: --smtp {value!r}")


@pytest.mark.parametrize(("value", "security", "expected"), [
    ("smtp.example.org", "plain", ("smtp.example.org", 25)),
    ("smtp.example.org", "starttls", ("smtp.example.org", 587)),
    ("smtp.example.org", "ssl", ("smtp.example.org", 465)),
    ("smtp.example.org:2525", "starttls", ("smtp.example.org", 2525)),
    ("[::1]:2525", "plain", ("::1", 2525)), ("[::1]", "ssl", ("::1", 465)),
    (" 127.0.0.1:25 ", "plain", ("127.0.0.1", 25))])
def test_default_ports(value, security, expected) -> None:
    from pmo_xl.people.mail_server import parse_server

    assert parse_server(value, security) == expected


def test_missing_smtp_or_from(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    assert "--smtp HOST[:PORT]" in one_line_error(run_send(tmp_path / "d", "--from", SENDER,
                                                           "--yes"))
    assert "--from ADDRESS" in one_line_error(run_send(tmp_path / "d", "--smtp",
                                                       f"{HOST}:{free_port()}", "--yes"))


def test_starttls_and_ssl_together(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    result = run_send(tmp_path / "d", "--smtp", HOST, "--from", SENDER, "--starttls", "--ssl")
    assert result.exit_code == 2
    assert "--starttls and --ssl cannot be used together; pick one." in result.stderr


@pytest.mark.parametrize("content", ["{not json", '{"sent": {}}', '[1, 2]',
                                     '{"sent": [{"to": []}]}'])
def test_a_damaged_sent_json_is_never_overwritten(tmp_path, start_server, run_send,
                                                  content) -> None:
    server = start_server()
    write_drafts(tmp_path / "d")
    (tmp_path / "d" / "sent.json").write_text(content)
    line = one_line_error(run_send(tmp_path / "d", "--smtp", server.address, "--from",
                                   SENDER, "--yes"))
    assert line.startswith(f"Error: {tmp_path / 'd' / 'sent.json'} is damaged (")
    assert "pmo-xl will not overwrite it" in line
    assert (tmp_path / "d" / "sent.json").read_text() == content
    assert server.recorder.mails == 0


def test_two_runs_at_once_on_one_folder(tmp_path, run_send) -> None:
    write_drafts(tmp_path / "d")
    with sending.folder_lock(tmp_path / "d"):
        line = one_line_error(run_send(tmp_path / "d", "--smtp", f"{HOST}:{free_port()}",
                                       "--from", SENDER, "--yes"))
    assert line == (f"Error: Another `pmo-xl send` is sending from {tmp_path / 'd'}; wait for "
                    "it to finish, then run again.")


def test_a_lock_file_left_by_a_crash_does_not_block(tmp_path, start_server, run_send) -> None:
    server = start_server()
    write_drafts(tmp_path / "d", PEOPLE[:1])
    (tmp_path / "d" / sending.LOCK_FILE).write_text("")  # nobody holds it
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 0, result.output
    assert len(server.received) == 1


def test_sent_json_that_cannot_be_written_stops_the_run(tmp_path, start_server, run_send,
                                                        monkeypatch) -> None:
    server = start_server()
    write_drafts(tmp_path / "d")
    real = sending.write_sent
    calls = []

    def full_disk(path, entries):
        calls.append(1)
        if len(calls) == 2:
            raise sending.CannotCheck("The disk is full; sent.json was not written.")
        real(path, entries)

    monkeypatch.setattr(sending, "write_sent", full_disk)
    result = run_send(tmp_path / "d", "--smtp", server.address, "--from", SENDER, "--yes")
    line = one_line_error(result)
    assert line.startswith("Error: helen-marsh.eml was sent but ")
    assert "stopped so nothing goes out twice" in line
    assert len(server.received) == 2  # nothing after the message it could not record


# -- a crash mid-run loses nothing ------------------------------------------------------------

def test_a_crash_mid_run_keeps_the_record_of_what_went_out(tmp_path, start_server,
                                                           monkeypatch) -> None:
    """sent.json is written after each message, not at the end: Ctrl-C (or a power cut)
    after two messages leaves both recorded, and the next run sends only the other two."""
    server = start_server()
    drafts = write_drafts(tmp_path / "d")
    real = sending.transmit
    calls = []

    def crash_on_third(conn, sender, message, **options):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        real(conn, sender, message, **options)

    monkeypatch.setattr(sending, "transmit", crash_on_third)
    with pytest.raises(KeyboardInterrupt):
        sending.send(tmp_path / "d", smtp=server.address, from_address=SENDER,
                     echo=lambda *a, **k: None)
    assert [e["file"] for e in sent_record(tmp_path / "d")] == ["ana-lima.eml",
                                                               "helen-marsh.eml"]
    assert not (tmp_path / "d" / sending.LOCK_FILE).exists()
    assert not [p for p in (tmp_path / "d").iterdir() if p.name.startswith(".")]
    monkeypatch.setattr(sending, "transmit", real)
    outcome = sending.send(tmp_path / "d", smtp=server.address, from_address=SENDER,
                           echo=lambda *a, **k: None)
    assert [d.path.name for d in outcome.sent] == ["raj-patel.eml", "tom-okafor.eml"]
    assert len(outcome.already_sent) == 2 and outcome.exit_code == 0
    assert_delivered_once(server, drafts)


def test_each_message_is_dated_when_it_goes(tmp_path, start_server) -> None:
    import datetime as dt

    server = start_server()
    write_drafts(tmp_path / "d", PEOPLE[:2])
    shown = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
    times = iter([shown, *(shown + dt.timedelta(minutes=m) for m in range(20, 40))])
    sending.send(tmp_path / "d", smtp=server.address, from_address=SENDER,
                 echo=lambda *a, **k: None, now=lambda: next(times))
    dates = [r.message["Date"].datetime for r in server.received]
    assert dates == [shown + dt.timedelta(minutes=20), shown + dt.timedelta(minutes=22)]
    assert [e["time"] for e in sent_record(tmp_path / "d")] == [
        "2026-11-30T09:21:00+00:00", "2026-11-30T09:23:00+00:00"]


def test_an_address_with_non_ascii_letters(tmp_path, start_server, run_send) -> None:
    server = start_server()
    folder = tmp_path / "d"
    folder.mkdir()
    message = draft("josé.núñez@example.org", "José Núñez")
    (folder / "jose.eml").write_bytes(message.as_bytes(policy=message.policy.clone(utf8=True)))
    result = run_send(folder, "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 0, result.output
    assert server.received[0].rcpt_tos == ["josé.núñez@example.org"]
    assert bodies(server.received[0].message) == bodies(message)

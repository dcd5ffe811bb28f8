"""A real SMTP server on 127.0.0.1 for the send tests (aiosmtpd), with the failures we need."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"
USER = "pmo-office"
PASSWORD = "correct horse 7!"


def free_port() -> int:
    """A port nobody listens on right now (the server, or a refused connection, takes it)."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """One message the server accepted (answered 250 to)."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    authenticated: bool
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The server's handler: accepts messages, refuses listed addresses, drops on request.

    `drop_data_on=n` closes the connection when the n-th message's text has arrived, before
    answering (the client cannot know whether it was delivered; it is not). `drop_mail_on=n`
    closes it at the n-th MAIL FROM, before any text was handed over.
    """

    refuse: set[str] = field(default_factory=set)
    drop_data_on: int | None = None
    drop_mail_on: int | None = None
    received: list[Received] = field(default_factory=list)
    mails: int = 0
    datas: int = 0
    auth_mechanisms: list[str] = field(default_factory=list)
    on_drop: object = None  # called after a drop (e.g. to stop the server for good)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        self.mails += 1
        if self.mails == self.drop_mail_on:
            server.transport.close()
            return "421 4.3.0 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.datas == self.drop_data_on:
            server.transport.close()
            if callable(self.on_drop):
                self.on_drop()
            return "421 4.3.0 going away"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content,
                                      bool(session.authenticated),
                                      server.transport.get_extra_info("ssl_object") is not None))
        return "250 2.0.0 Accepted"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        self.auth_mechanisms.append(mechanism)
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
              and auth_data.password == PASSWORD.encode())
        return AuthResult(success=ok, handled=False)


class Server:
    """A running aiosmtpd server on 127.0.0.1; `stop()` it (the fixture does)."""

    def __init__(self, recorder: Recorder, *, tls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None, auth: bool = False,
                 auth_over_plain: bool = False, exclude_mechanisms: tuple[str, ...] = ()
                 ) -> None:
        self.recorder = recorder
        self.port = free_port()
        kwargs: dict = {}
        if tls is not None:
            kwargs["tls_context"] = tls
        if auth:
            kwargs.update(authenticator=recorder.authenticator, auth_required=True,
                          auth_require_tls=not auth_over_plain,
                          auth_exclude_mechanism=list(exclude_mechanisms))
        self.controller = Controller(recorder, hostname=HOST, port=self.port,
                                     ssl_context=implicit_tls, server_hostname="mail.test",
                                     ready_timeout=10, **kwargs)
        self.controller.start()
        self.stopped = False

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @property
    def received(self) -> list[Received]:
        return self.recorder.received

    def stop(self) -> None:
        if not self.stopped:
            self.stopped = True
            self.controller.stop()

    def stop_soon(self) -> None:
        """Stop from inside a handler (the server's own thread cannot wait for itself)."""
        threading.Thread(target=self.stop, daemon=True).start()


@dataclass
class Certificates:
    """A test certificate authority and a server certificate for 127.0.0.1 it signed."""

    ca_file: Path
    server_context: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    import trustme

    authority = trustme.CA(organization_name="pmo-xl test CA")
    certificate = authority.issue_cert(HOST, "localhost")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = folder / "test-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return Certificates(ca_file, context)

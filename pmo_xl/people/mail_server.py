"""Talking to the mail server: connect (TLS, login) and hand over one message; every way it
can fail is one sentence."""

from __future__ import annotations

import contextlib
import email.utils
import re
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from pmo_xl.errors import CannotCheck
from pmo_xl.interrupts import held
from pmo_xl.output import header_value
from pmo_xl.people.email_address import usable_email

PASSWORD_VARIABLE = "PMO_XL_SMTP_PASSWORD"
TIMEOUT = 30.0  # seconds to wait for the server before saying it does not answer
# TIMEOUT bounds each wait; a server that answers one byte every few seconds never hits it.
# So connecting (greeting, TLS, login) and each message also have an overall deadline: the
# base, plus time for the message's size on a slow line (20 KB a second).
DEADLINE = 120.0
SLOW_LINE = 20_000  # bytes a second
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}
SECURITY_LABELS = {"plain": "no encryption", "starttls": "STARTTLS", "ssl": "SSL/TLS"}



class CannotSend(CannotCheck):
    """Bad input or an unusable server: one sentence, exit code 2, nothing (more) sent."""


class Outgoing(Protocol):
    """One message ready for the server: its bytes and its envelope recipients."""

    data: bytes
    recipients: list[str]


# -- addresses and the server ------------------------------------------------------------------

@dataclass(frozen=True)
class Mailbox:
    """One address as given: `header` goes into From/Cc, `address` into the SMTP envelope."""

    header: str
    address: str


def parse_mailbox(value: str, option: str) -> Mailbox:
    """`pmo@example.org` or `PMO Office <pmo@example.org>`; anything else is one sentence."""
    text = value.strip()
    found = email.utils.getaddresses([text]) if "\n" not in text and "\r" not in text else []
    if len(found) != 1 or usable_email(found[0][1]) != found[0][1]:
        raise CannotSend(f"{option} {value!r} is not an email address; write it as "
                         "name@example.org (or \"Name <name@example.org>\").")
    name, address = header_value(found[0][0]), found[0][1]
    return Mailbox(email.utils.formataddr((name, address)) if name else address, address)


@dataclass(frozen=True)
class Server:
    """Where and how to send: host, port, encryption and (optionally) a login."""

    host: str
    port: int
    security: str = "plain"  # plain | starttls | ssl
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT
    deadline: float | None = None  # seconds for connecting or one message; None: DEADLINE+

    @property
    def label(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_server(value: str, security: str = "plain") -> tuple[str, int]:
    """`smtp.example.org`, `smtp.example.org:587`, `[::1]:25` -> host and port."""
    text = value.strip()
    host, port_text = text, None
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else (rest or None)
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host or any(c.isspace() or c in "/@[]" for c in host) or (
            port_text is not None and not (port_text.isascii() and port_text.isdigit())):
        raise CannotSend(f"--smtp {value!r} is not HOST or HOST:PORT, e.g. smtp.example.org:587.")
    port = int(port_text) if port_text is not None else DEFAULT_PORTS[security]
    if not 0 < port < 65536:
        raise CannotSend(f"--smtp {value!r}: the port must be between 1 and 65535.")
    return host, port


def is_loopback(host: str) -> bool:
    return host == "localhost" or host.startswith("127.") or host == "::1"


def time_allowed(server: Server, size: int = 0) -> float:
    """Seconds allowed for connecting (size 0) or for handing over a message of `size` bytes."""
    if server.deadline is not None:
        return server.deadline
    return DEADLINE + size / SLOW_LINE


class Watchdog:
    """Cuts a connection that runs past its deadline, however the server trickles its bytes.

    A timer thread shuts the connection's socket when the time is up; the read waiting on it
    then ends at once (smtplib says the server disconnected), and `expired` tells why.
    """

    def __init__(self, conn: smtplib.SMTP, seconds: float) -> None:
        self.conn, self.seconds, self.expired = conn, seconds, False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                # The plain socket's shutdown, also under TLS: the TLS layer's own would
                # change its state while the main thread reads through it.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


def connect(server: Server) -> smtplib.SMTP:
    """An open, greeted (and, if asked, encrypted and logged-in) connection, or one sentence."""
    context = ssl.create_default_context()  # system trust store, or SSL_CERT_FILE
    # Made unconnected, then connected under the watchdog, which needs the object first.
    conn: smtplib.SMTP = (smtplib.SMTP_SSL(timeout=server.timeout, context=context)
                          if server.security == "ssl" else smtplib.SMTP(timeout=server.timeout))
    conn._host = server.host  # what SMTP(host) sets: TLS checks the certificate against it
    limit = time_allowed(server)
    with Watchdog(conn, limit) as watch:
        try:
            return _open(conn, server, context)
        except (CannotSend, OSError) as exc:  # smtplib's and ssl's errors are OSErrors too
            close(conn)
            if watch.expired:
                raise CannotSend(f"{server.label} took longer than {limit:g} seconds to "
                                 "accept the connection (it answers too slowly); try "
                                 "again later or ask your mail administrator.") from None
            raise _why_not(exc, server) from None


def _open(conn: smtplib.SMTP, server: Server, context: ssl.SSLContext) -> smtplib.SMTP:
    code, reply = conn.connect(server.host, server.port)
    if code != 220:
        raise smtplib.SMTPConnectError(code, reply)
    # A message's final dot goes in a write of its own (see transmit): without this, the
    # system would hold it back until the server acknowledged the text (40 ms a message).
    with contextlib.suppress(OSError, AttributeError):
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    conn.ehlo_or_helo_if_needed()
    if server.security == "starttls":
        if not conn.has_extn("starttls"):
            raise CannotSend(f"{server.label} does not offer STARTTLS; use --ssl (usually port "
                             "465) or ask your mail administrator for the right port.")
        conn.starttls(context=context)
        conn.ehlo()
    if server.user:
        _login(conn, server)
    return conn


def _why_not(exc: Exception, server: Server) -> CannotSend:
    """The one sentence for a connection that could not be made."""
    where = server.label
    if isinstance(exc, CannotSend):
        return exc
    if isinstance(exc, socket.gaierror):
        return CannotSend(f"The SMTP server {server.host!r} cannot be found (no such name in "
                          "DNS); check the host in --smtp.")
    if isinstance(exc, ConnectionRefusedError):
        return CannotSend(f"{where} refused the connection; check the host and port in --smtp "
                          "and that the mail server is running.")
    # smtplib reports a server that stays silent as a disconnection "timed out".
    if isinstance(exc, TimeoutError) or (
            isinstance(exc, smtplib.SMTPServerDisconnected) and "timed out" in str(exc)):
        return CannotSend(f"{where} did not answer within {server.timeout:g} seconds; check "
                          "--smtp, --starttls/--ssl and whether a firewall blocks the port.")
    if isinstance(exc, ssl.SSLCertVerificationError):
        reason = exc.verify_message or exc.reason or "not verified"
        return CannotSend(f"The certificate of {server.host} is not trusted ({reason}); if "
                          "your organisation uses its own certificate authority, point "
                          "SSL_CERT_FILE at its certificate.")
    if isinstance(exc, ssl.SSLError):
        hint = ("is it a --starttls port (587) rather than an SSL port (465)?"
                if server.security == "ssl" else "check --smtp and --starttls.")
        return CannotSend(f"TLS with {where} failed ({exc.reason or exc}); {hint}")
    if isinstance(exc, smtplib.SMTPConnectError):
        return CannotSend(f"{where} refused to talk to pmo-xl ({_reply(exc)}).")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return CannotSend(f"{where} closed the connection before pmo-xl could send anything; "
                          "check the port and --starttls/--ssl.")
    if isinstance(exc, smtplib.SMTPException):
        return CannotSend(f"{where} did not accept the connection ({_reply(exc)}).")
    return CannotSend(f"Cannot reach {where}: {getattr(exc, 'strerror', None) or exc}.")


def _login(conn: smtplib.SMTP, server: Server) -> None:
    if not conn.has_extn("auth"):
        hint = ("" if server.security != "plain"
                else " (many servers offer it only after --starttls or with --ssl)")
        raise CannotSend(f"{server.label} does not offer a login (AUTH) on this "
                         f"connection{hint}.")
    try:
        conn.login(server.user or "", server.password or "")
    except smtplib.SMTPServerDisconnected:
        raise  # said as for any connection that closes early
    except smtplib.SMTPAuthenticationError as exc:
        raise CannotSend(f"{server.label} refused the login for {server.user!r} "
                         f"({_reply(exc)}); check --user and {PASSWORD_VARIABLE}.") from None
    except smtplib.SMTPException as exc:
        raise CannotSend(f"{server.label} offers no login method pmo-xl knows "
                         f"({_reply(exc)}).") from None


def _reply(exc: Exception) -> str:
    code = getattr(exc, "smtp_code", None)
    text = getattr(exc, "smtp_error", None)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    message = " ".join(str(text if text is not None else exc).split())
    return f"{code} {message}" if code else message


def close(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return
    with contextlib.suppress(Exception):
        conn.quit()
    with contextlib.suppress(Exception):
        conn.close()


# -- one message -------------------------------------------------------------------------------

class Refused(Exception):
    """The server said no to this message; the connection is still usable."""


class Lost(Exception):
    """The connection went away; `delivered_maybe` when it happened after the message's text
    was handed over, so the server may have it."""

    def __init__(self, delivered_maybe: bool) -> None:
        super().__init__()
        self.delivered_maybe = delivered_maybe


def transmit(conn: smtplib.SMTP, sender: str, message: Outgoing, *,
             accepted: Callable[[], None] | None = None) -> None:
    """MAIL, RCPT, DATA by hand (not sendmail) to know whether a lost connection happened
    before the server had the message (safe to retry) or after (it may have it).

    `accepted` (the record that the message went out) is called as soon as the server has
    accepted it. From the last line of the message to the end of that call, Ctrl-C and
    SIGTERM are held: a signal in between would leave a delivered message unrecorded, and
    the next run would send it again. They take effect as soon as the record is written.
    """
    handed_over = False
    try:
        options = []
        if not message.data.isascii():
            if any(not a.isascii() for a in [sender, *message.recipients]):
                if not conn.has_extn("smtputf8"):
                    raise Refused("the server does not accept addresses with non-ASCII "
                                   "letters (no SMTPUTF8).")
                options.append("SMTPUTF8")
            if conn.has_extn("8bitmime"):
                options.append("BODY=8BITMIME")
        code, reply = conn.mail(sender, options)
        if code == 421:
            raise Lost(False)
        if code != 250:
            _reset(conn)
            raise Refused(f"the server refused the sender {sender} ({code} "
                           f"{_text(reply)}); check --from.")
        refused = []
        for address in message.recipients:
            code, reply = conn.rcpt(address)
            if code == 421:
                raise Lost(False)
            if code not in (250, 251):
                refused.append(f"{address} ({code} {_text(reply)})")
        if refused:
            _reset(conn)
            raise Refused(f"the server refused {'; '.join(refused)}.")
        code, reply = conn.docmd("DATA")
        if code == 421:
            raise Lost(False)
        if code != 354:
            _reset(conn)
            raise Refused(f"the server would not take the message ({code} {_text(reply)}).")
        handed_over = True
        body = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", message.data)
        body = re.sub(rb"(?m)^\.", b"..", body)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        conn.send(body)
        with held():  # the server may accept the message from the final dot on
            conn.send(b".\r\n")
            code, reply = conn.getreply()
            if code == 421:  # an explicit "not taken, closing": safe to try again
                raise Lost(False)
            if code != 250:
                raise Refused(f"the server rejected the message ({code} {_text(reply)}).")
            if accepted is not None:
                accepted()
    except smtplib.SMTPServerDisconnected:
        raise Lost(handed_over) from None
    except OSError:
        close(conn)
        raise Lost(handed_over) from None


def _reset(conn: smtplib.SMTP) -> None:
    try:
        conn.rset()
    except smtplib.SMTPServerDisconnected:
        raise Lost(False) from None


def _text(reply: bytes) -> str:
    return " ".join(reply.decode("utf-8", "replace").split())

"""Sending the addressed drafts through an SMTP server, each message once (`sent.json` remembers).

A folder of drafts comes from `pmo-xl actions -o DIR` or from a pack (its `to-people/`). Each
draft is an unsent `.eml` (`X-Unsent: 1`, `To:` one person). Sending makes it a real message
(no `X-Unsent`, `From` and `Date` set, `Cc` added, `Message-ID` kept) and records it in
`sent.json` straight after the server accepts it, so a re-run after any failure, crash or
Ctrl-C sends only what is left.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.policy
import email.utils
import hashlib
import json
import os
import smtplib
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.interrupts import held
from pmo_xl.json_file import Damaged, Missing, UnreadableJson, read_json_file
from pmo_xl.output import atomic_output
from pmo_xl.people.email_address import usable_email
from pmo_xl.people.mail_server import (
    DEFAULT_PORTS,
    PASSWORD_VARIABLE,
    SECURITY_LABELS,
    TIMEOUT,
    CannotSend,
    Lost,
    Mailbox,
    Refused,
    Server,
    Watchdog,
    close,
    connect,
    is_loopback,
    parse_mailbox,
    parse_server,
    time_allowed,
    transmit,
)

__all__ = ["CannotSend", "Outcome", "send"]

DRAFTS_SUBFOLDER = "to-people"
PACK_EMAIL = "governance-pack.eml"  # the pack's own, unaddressed email (reports/pack.py)
SENT_FILE = "sent.json"
LOCK_FILE = ".sent.json.lock"


# -- drafts ------------------------------------------------------------------------------------

@dataclass
class Draft:
    """One .eml file in the folder and what sending it would mean."""

    path: Path
    name: str  # as recorded in sent.json, relative to the folder that holds sent.json
    sha256: str
    message: EmailMessage | None = None
    to: list[str] = field(default_factory=list)
    subject: str = ""
    message_id: str | None = None  # as written in the draft
    problem: str | None = None  # why it is skipped
    already_sent: dict | None = None  # its sent.json entry
    data: bytes = b""  # the real message as it goes to the server
    utf8: bool = False  # an address with non-ASCII letters: needs SMTPUTF8
    recipients: list[str] = field(default_factory=list)  # envelope: To, Cc, Bcc, --cc

    @property
    def size(self) -> int:
        return len(self.data) if self.data else self.path.stat().st_size


def read_draft(path: Path, name: str) -> Draft:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return Draft(path, name, "", problem=f"cannot be read ({exc.strerror or exc}).")
    draft = Draft(path, name, hashlib.sha256(raw).hexdigest())
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        to_values = _as_written(message, "To")
        subject = " ".join(str(message.get("Subject", "")).split())
        message_id = str(message.get("Message-ID", "")).strip() or None
    except Exception as exc:  # the email package raises many kinds on a damaged file
        draft.problem = f"cannot be read as an email ({type(exc).__name__})."
        return draft
    assert isinstance(message, EmailMessage)
    draft.message, draft.subject, draft.message_id = message, subject, message_id
    addresses = [address for _, address in email.utils.getaddresses(to_values)]
    if not "".join(to_values).strip():
        draft.problem = "has no To: address; add the recipient or send it by hand."
    elif not addresses or not all(usable_email(a) == a for a in addresses):
        shown = " ".join(", ".join(to_values).split())[:80]
        draft.problem = (f"has no usable To: address ({shown!r}); correct the person's Email "
                         "in the master and write the drafts again, or send it by hand.")
    else:
        draft.to = addresses
    return draft


def _as_written(message: EmailMessage, name: str) -> list[str]:
    """A header's values as the draft holds them (UTF-8 decoded), not as the email package
    repairs them: a malformed address must be seen, not silently dropped."""
    return [value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
            for key, value in message.raw_items() if key.lower() == name.lower()]


def drafts_folder(folder: Path) -> Path:
    """The folder that holds the drafts: DIR itself, or DIR/to-people for a pack."""
    if not folder.exists():
        raise CannotSend(f"{folder} does not exist; give the folder with the drafts (a pack "
                         "folder, or the folder written by `pmo-xl actions -o DIR`).")
    if not folder.is_dir():
        raise CannotSend(f"{folder} is a file, not a folder; give the folder that holds the "
                         ".eml drafts.")
    inner = folder / DRAFTS_SUBFOLDER
    return inner if inner.is_dir() else folder


def record_folder(drafts: Path) -> Path:
    """Where sent.json lives: the pack folder for a pack's to-people/, else the drafts folder.

    So `send PACK` and `send PACK/to-people` share one record, and rewriting the drafts
    folder cannot lose it.
    """
    if drafts.name == DRAFTS_SUBFOLDER and (drafts.parent / PACK_EMAIL).is_file():
        return drafts.parent
    return drafts


def draft_files(drafts: Path) -> list[Path]:
    try:
        files = [p for p in drafts.iterdir()
                 if p.suffix.lower() == ".eml" and not p.name.startswith(".") and p.is_file()]
    except OSError as exc:
        raise CannotSend(f"{drafts} cannot be read: {exc.strerror or exc}.") from None
    # The pack's own email has no recipient: the analyst forwards it, it is not a draft here.
    files = [p for p in files if not (p.name == PACK_EMAIL and drafts.name != DRAFTS_SUBFOLDER)]
    if not files:
        raise CannotSend(f"{drafts} holds no .eml drafts; write them with `pmo-xl actions "
                         "MASTER -o DIR` or `pmo-xl pack`, then send that folder.")
    return sorted(files, key=lambda p: p.name.lower())


# -- sent.json ---------------------------------------------------------------------------------

def read_sent(path: Path) -> list[dict]:
    """The entries of sent.json ([] when there is none); a damaged file is one sentence."""
    damaged = (f"{path} is damaged ({{}}); pmo-xl will not overwrite it, because it is the "
               "record of what was already sent. Repair it, or move it away if every draft "
               "should be sent again.")
    try:
        data = read_json_file(path)
    except Missing:
        if os.path.islink(path):  # a link to nothing: not "never sent", a record gone astray
            raise CannotSend(f"{path} is a link to a file that does not exist; pmo-xl records "
                             "what it sent there, so point it at the record or remove "
                             "it.") from None
        return []
    except Damaged as exc:
        raise CannotSend(damaged.format(exc)) from None
    except UnreadableJson as exc:
        raise CannotSend(f"{path} cannot be read: {exc}; it is the record of what was "
                         "already sent, so pmo-xl sends nothing until it can read it.") from None
    entries = data.get("sent") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("message_id"), str)
            and isinstance(e.get("to"), list) for e in entries):
        raise CannotSend(damaged.format('expected {"sent": [{"message_id": ..., "to": [...]}]}'))
    return entries


def write_sent(path: Path, entries: list[dict]) -> None:
    document = {
        "about": "Messages `pmo-xl send` delivered from this folder; it never sends one of "
                 "them again. Remove an entry to send that draft once more.",
        "sent": entries,
    }
    with atomic_output(path) as temp:
        temp.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")


def can_record(folder: Path) -> None:
    """Before anything is sent: prove sent.json can be written in `folder`, as it will be
    after each message (a temporary file beside it, made and removed). A lock file left in a
    folder that has since become read-only opens, and would let one message go out
    unrecorded."""
    with held():  # a signal between making the probe and removing it would leave it behind
        try:
            handle, name = tempfile.mkstemp(prefix=".sent.json-", suffix=".probe", dir=folder)
        except OSError as exc:
            raise CannotSend(f"{folder} is not writable ({exc.strerror or exc}); pmo-xl "
                             f"records what it sent in {SENT_FILE} there, so it sends nothing "
                             "until it can write in that folder.") from None
        os.close(handle)
        with contextlib.suppress(OSError):
            os.unlink(name)


def _same_people(a: Sequence[str], b: Sequence[str]) -> bool:
    return sorted(x.lower() for x in a) == sorted(x.lower() for x in b)


def find_sent(draft: Draft, entries: list[dict] | SentIndex) -> dict | None:
    """The entry that says this draft went out: same Message-ID (or, for a draft without one,
    the same file content) to the same people. A rewritten draft with a new Message-ID, or a
    corrected address, is a new message."""
    index = entries if isinstance(entries, SentIndex) else SentIndex(entries)
    key = draft.message_id if draft.message_id is not None else f"sha256:{draft.sha256}"
    for entry in index.by_key.get(key, []):
        if _same_people(draft.to, [str(x) for x in entry["to"]]):
            return entry
    return None


class SentIndex:
    """sent.json's entries by Message-ID and by draft content, so a folder of a thousand
    drafts is matched in one pass."""

    def __init__(self, entries: list[dict]) -> None:
        self.by_key: dict[str, list[dict]] = {}
        for entry in entries:
            self.by_key.setdefault(entry["message_id"], []).append(entry)
            if isinstance(entry.get("draft_sha256"), str):
                self.by_key.setdefault(f"sha256:{entry['draft_sha256']}", []).append(entry)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """One `send` at a time per folder: two at once could both send the same draft."""
    path = folder / LOCK_FILE
    for _ in range(5):
        try:
            handle = open(path, "a+b")  # noqa: SIM115 - held open for the whole run
        except OSError as exc:
            raise CannotSend(f"{folder} is not writable ({exc.strerror or exc}); pmo-xl "
                             f"records what it sent in {SENT_FILE} there, so it needs to write "
                             "in that folder.") from None
        if not _try_lock(handle):
            handle.close()
            raise CannotSend(f"Another `pmo-xl send` is sending from {folder}; wait for it "
                             "to finish, then run again.")
        # The file may have been removed by a run that just finished: lock the one in place.
        with contextlib.suppress(OSError):
            if os.path.samestat(os.fstat(handle.fileno()), os.stat(path)):
                break
        handle.close()
    else:  # pragma: no cover - only when the lock file keeps vanishing
        raise CannotSend(f"Cannot lock {path}; run again.")
    try:
        yield
    finally:
        # Removed while still locked, so a run that opened it meanwhile sees it is stale;
        # Windows cannot remove an open file, so there it is closed first.
        if sys.platform == "win32":  # pragma: no cover - tested on Linux only
            handle.close()
        with contextlib.suppress(OSError):
            path.unlink()
        handle.close()


def _try_lock(handle) -> bool:
    try:
        if sys.platform == "win32":  # pragma: no cover - tested on Linux only
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


# -- making the real message -------------------------------------------------------------------

def prepare(draft: Draft, sender: Mailbox | None, cc: Sequence[Mailbox],
            now: dt.datetime) -> None:
    """The draft as a real message: bytes for the server and its envelope recipients."""
    message = draft.message
    assert message is not None
    del message["X-Unsent"]
    if sender is not None:
        del message["From"]
        message["From"] = sender.header
    del message["Date"]
    message["Date"] = email.utils.format_datetime(now)
    cc_values = _as_written(message, "Cc") + [m.header for m in cc]
    if cc:
        del message["Cc"]
        message["Cc"] = ", ".join(cc_values)
    if draft.message_id is None:
        # Derived from the file, so a re-run of the same draft gives the same ID.
        domain = sender.address.rpartition("@")[2] if sender else "pmo-xl.invalid"
        message["Message-ID"] = f"<{draft.sha256[:32]}@{domain}>"
    bcc = _as_written(message, "Bcc")
    del message["Bcc"]  # never shown to the others; still delivered
    extra = [a for _, a in email.utils.getaddresses(cc_values + bcc) if a]
    recipients: list[str] = []
    for address in [*draft.to, *extra]:
        if address.lower() not in (r.lower() for r in recipients):
            recipients.append(address)
    draft.recipients = recipients
    draft.utf8 = not all(a.isascii() for a in recipients) or bool(
        sender and not sender.address.isascii())
    draft.data = message.as_bytes(policy=email.policy.SMTPUTF8 if draft.utf8
                                  else email.policy.SMTP)


def date_now(draft: Draft, now: dt.datetime) -> None:
    """Date the message when it goes, not when the list was shown (the question may wait)."""
    assert draft.message is not None
    draft.message.replace_header("Date", email.utils.format_datetime(now))
    draft.data = draft.message.as_bytes(policy=email.policy.SMTPUTF8 if draft.utf8
                                        else email.policy.SMTP)


# -- the run -----------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What a run did: each list holds drafts; `failed` pairs a draft with its sentence."""

    drafts: list[Draft]
    sent: list[Draft] = field(default_factory=list)
    failed: list[tuple[Draft, str]] = field(default_factory=list)
    declined: bool = False
    dry_run: bool = False

    @property
    def already_sent(self) -> list[Draft]:
        return [d for d in self.drafts if d.already_sent is not None]

    @property
    def skipped(self) -> list[Draft]:
        return [d for d in self.drafts if d.problem is not None]

    @property
    def to_send(self) -> list[Draft]:
        return [d for d in self.drafts if d.problem is None and d.already_sent is None]

    @property
    def exit_code(self) -> int:
        """0 when every draft in the folder has gone out (now or before), else 1."""
        if self.dry_run:
            return 0
        return 1 if (self.failed or self.skipped or self.declined) else 0


Echo = Callable[..., None]


def _print(text: str = "", err: bool = False) -> None:
    print(text, file=sys.stderr if err else sys.stdout)


def stdin_is_terminal() -> bool:
    """Whether a person can answer the confirmation (tests stand in for a terminal here)."""
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def send(
    folder: str | Path,
    *,
    smtp: str | None = None,
    from_address: str | None = None,
    security: str = "plain",
    user: str | None = None,
    password: str | None = None,
    cc: Sequence[str] = (),
    dry_run: bool = False,
    confirm: Callable[[str], bool] | None = None,
    echo: Echo = _print,
    timeout: float = TIMEOUT,
    deadline: float | None = None,
    now: Callable[[], dt.datetime] | None = None,
) -> Outcome:
    """Send every draft in `folder` not yet sent, through `smtp` (HOST[:PORT]).

    `security` is plain, starttls or ssl. With `user`, the password is `password` or else
    the environment variable PMO_XL_SMTP_PASSWORD. `confirm(question)` is asked once after
    the list is shown (None: send without asking). Bad input or an unusable server raises
    CannotSend before anything is sent; a message the server refuses, or a lost
    connection, is reported through `echo` and the others carry on. `timeout` bounds each
    wait for the server; `deadline` the whole of connecting and of each message (default:
    mail_server.DEADLINE, plus time for the message's size), so a server that trickles its
    answers cannot hold the run.
    """
    now = now or (lambda: dt.datetime.now().astimezone().replace(microsecond=0))
    if security not in DEFAULT_PORTS:
        raise CannotSend(f"Unknown security {security!r}; use plain, starttls or ssl.")
    source = drafts_folder(Path(folder))
    records = record_folder(source)
    if not dry_run:
        if not smtp:
            raise CannotSend("Give the mail server with --smtp HOST[:PORT] (or use --dry-run "
                             "to see what would be sent).")
        if not from_address:
            raise CannotSend("Give the sender with --from ADDRESS, e.g. --from "
                             "pmo@example.org.")
    server = None
    if smtp:
        host, port = parse_server(smtp, security)
        server = Server(host, port, security, user or None, None, timeout, deadline)
    sender = parse_mailbox(from_address, "--from") if from_address else None
    copies = [parse_mailbox(value, "--cc") for value in cc]
    if user and not dry_run:
        password = password if password is not None else os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise CannotSend(f"--user {user} needs the password in the environment variable "
                             f"{PASSWORD_VARIABLE} (pmo-xl never takes it as an option, so it "
                             "stays out of the shell history); set it and run again.")
        assert server is not None
        if server.security == "plain" and not is_loopback(server.host):
            raise CannotSend(f"--user without --starttls or --ssl would send the password "
                             f"to {server.host} unencrypted; add --starttls or --ssl.")
        server = Server(server.host, server.port, security, user, password, timeout,
                        deadline)

    with contextlib.nullcontext() if dry_run else folder_lock(records):
        sent_path = records / SENT_FILE
        entries = read_sent(sent_path)
        drafts = [read_draft(p, p.relative_to(records).as_posix()) for p in draft_files(source)]
        stamp = now()
        index = SentIndex(entries)
        for draft in drafts:
            if draft.problem is None:
                draft.already_sent = find_sent(draft, index)
                if draft.already_sent is None:
                    prepare(draft, sender, copies, stamp)
        outcome = Outcome(drafts, dry_run=dry_run)
        _show_plan(outcome, source, server, sender, copies, echo)
        if dry_run:
            echo("Dry run: nothing sent.")
            return outcome
        if not outcome.to_send:
            _summary(outcome, echo)
            return outcome
        can_record(records)
        count = len(outcome.to_send)
        if confirm is not None and not confirm(
                f"Send {count} message{'s' if count != 1 else ''}?"):
            outcome.declined = True
            echo("Nothing sent.")
            return outcome
        assert server is not None and sender is not None
        _send_all(outcome, server, sender, entries, sent_path, now, echo)
    _summary(outcome, echo)
    return outcome


class NotRecorded(CannotSend):
    """A message went out but sent.json could not be written: the run stops at once."""


class TooSlow(Exception):
    """The server took longer than its deadline over one message (see mail_server.DEADLINE)."""

    def __init__(self, seconds: float, delivered_maybe: bool) -> None:
        super().__init__()
        self.seconds, self.delivered_maybe = seconds, delivered_maybe


def _send_all(outcome: Outcome, server: Server, sender: Mailbox, entries: list[dict],
              sent_path: Path, now: Callable[[], dt.datetime], echo: Echo) -> None:
    conn: smtplib.SMTP | None = connect(server)  # a first failure is one sentence, exit 2
    queue = list(outcome.to_send)
    try:
        for index, draft in enumerate(queue):
            problem, stop = None, None
            for _attempt in (1, 2):
                try:
                    if conn is None:
                        conn = connect(server)
                    date_now(draft, now())
                    _hand_over(conn, server, sender, draft,
                               lambda d=draft: _record(d, outcome, entries, sent_path, server,
                                                       now, echo))
                    problem = None
                    break
                except Refused as exc:
                    problem = str(exc)
                    break
                except TooSlow as slow:
                    close(conn)
                    conn = None
                    stop = CannotSend(f"{server.label} took longer than {slow.seconds:g} "
                                      "seconds over one message (it answers too slowly).")
                    if slow.delivered_maybe:
                        problem = (f"{stop} It may have arrived: it is not recorded as sent, "
                                   f"so check with {', '.join(draft.to)} before the next run "
                                   "sends it again.")
                    break
                except Lost as lost:
                    close(conn)
                    conn = None
                    if lost.delivered_maybe:
                        problem = (f"the connection to {server.label} was lost while the "
                                   "message was being handed over; it is not recorded as "
                                   "sent, so the next run sends it (check with "
                                   f"{', '.join(draft.to)} whether it arrived).")
                        break
                    # Nothing was handed over yet: reconnect and try once more.
                    problem = f"the connection to {server.label} was lost twice."
                except NotRecorded:
                    raise
                except CannotSend as exc:
                    # The server went away for good: the rest cannot be sent this run.
                    stop = exc
                    break
            if stop is not None:
                outcome.failed.append((draft, problem or str(stop)))
                for rest in queue[index + 1:]:
                    outcome.failed.append((rest, str(stop)))
                echo(f"Stopped: {stop} {len(queue) - index} not sent; run again to send "
                     "them.", err=True)
                return
            if problem is not None:
                outcome.failed.append((draft, problem))
                echo(f"  not sent  {draft.path.name} to {', '.join(draft.to)}: {problem}",
                     err=True)
    finally:
        close(conn)


def _hand_over(conn: smtplib.SMTP, server: Server, sender: Mailbox, draft: Draft,
               record: Callable[[], None]) -> None:
    """One message to the server within its deadline; `record` runs once it is accepted."""
    limit = time_allowed(server, len(draft.data))
    with Watchdog(conn, limit) as watch:
        try:
            transmit(conn, sender.address, draft, accepted=record)
        except Lost as lost:
            if watch.expired:
                raise TooSlow(limit, lost.delivered_maybe) from None
            raise


def _record(draft: Draft, outcome: Outcome, entries: list[dict], sent_path: Path,
            server: Server, now: Callable[[], dt.datetime], echo: Echo) -> None:
    """sent.json gains the message, at once (signals are held while this runs)."""
    entry = {"file": draft.name, "message_id": _message_id(draft), "to": draft.to,
             "cc": [r for r in draft.recipients if r not in draft.to],
             "time": now().isoformat(), "server": server.label,
             "draft_sha256": draft.sha256}
    entries.append(entry)
    outcome.sent.append(draft)
    try:
        write_sent(sent_path, entries)
    except CannotCheck as exc:
        raise NotRecorded(f"{draft.path.name} was sent but {sent_path} could not be written "
                          f"({exc}); stopped so nothing goes out twice: add it to sent.json "
                          "by hand or remove the draft before running again.") from None
    echo(f"  sent      {draft.path.name} to {', '.join(draft.to)}")


def _message_id(draft: Draft) -> str:
    assert draft.message is not None
    return str(draft.message["Message-ID"]).strip()


def _size(count: int) -> str:
    if count < 1024:
        return f"{count} B"
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _show_plan(outcome: Outcome, source: Path, server: Server | None, sender: Mailbox | None,
               copies: Sequence[Mailbox], echo: Echo) -> None:
    to_send = outcome.to_send
    total = len(outcome.drafts)
    echo(f"{total} draft{'s' if total != 1 else ''} in {source}")
    if to_send:
        how = ""
        if server is not None:
            how = f" through {server.label} ({SECURITY_LABELS[server.security]})"
        who = f" from {sender.header}" if sender else ""
        cc = f", Cc {', '.join(m.header for m in copies)}" if copies else ""
        echo(f"To send{how}{who}{cc}:")
        name_width = min(max(len(d.path.name) for d in to_send), 32)
        to_width = min(max(len(", ".join(d.to)) for d in to_send), 36)
        for draft in to_send:
            echo(f"  {_cut(draft.path.name, name_width):<{name_width}}  "
                 f"{_cut(', '.join(draft.to), to_width):<{to_width}}  "
                 f"{_size(draft.size):>6}  {draft.subject or '(no subject)'}")
    already = outcome.already_sent
    if already:
        echo(f"Already sent before (see {SENT_FILE}), not sent again: {len(already)}.")
    for draft in outcome.skipped:
        echo(f"  skipped   {draft.path.name}: it {draft.problem}", err=True)


def _summary(outcome: Outcome, echo: Echo) -> None:
    parts = [f"Sent {len(outcome.sent)}"]
    if outcome.failed:
        parts.append(f"{len(outcome.failed)} failed")
    if outcome.already_sent:
        parts.append(f"{len(outcome.already_sent)} already sent before")
    if outcome.skipped:
        parts.append(f"{len(outcome.skipped)} skipped")
    total = len(outcome.drafts)
    again = " Run again to retry the failed ones; none is sent twice." if outcome.failed else ""
    echo(f"{', '.join(parts)}; {total} draft{'s' if total != 1 else ''} in all.{again}")

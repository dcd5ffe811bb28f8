"""`pmo-xl send` under fire (issue 24): Ctrl-C just after the server accepted a message, a
folder that cannot take the record, a server that trickles its answers. Only 127.0.0.1.

Each message goes out once, or is not recorded as sent only when it may not have arrived
(and then the run says so); nothing holds a run for longer than its deadline.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from pmo_xl.people import send as sending

from .smtp_server import HOST, Recorder, Server
from .test_send import PEOPLE, SENDER, loopback_only, run_send, start_server, write_drafts

__all__ = ["loopback_only", "run_send", "start_server"]  # fixtures, used by name
FIRST = min(name for name, _, _ in PEOPLE)  # drafts go out in file name order


def sent_files(folder: Path) -> list[str]:
    return [e["file"] for e in json.loads((folder / "sent.json").read_text())["sent"]]


def pmo_xl(*args: object) -> subprocess.Popen:
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.Popen([sys.executable, "-m", "pmo_xl", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL)


# --- Ctrl-C between the server's acceptance and the record --------------------------------

class InterruptOnData(Recorder):
    """Sends the pmo-xl process a signal the moment the first message's text has arrived,
    and accepts the message a little later: the signal lands between the server taking the
    message and pmo-xl recording it."""

    def __init__(self, sig: signal.Signals) -> None:
        super().__init__()
        self.sig, self.pid, self.fired = sig, None, False

    async def handle_DATA(self, server, session, envelope):
        if not self.fired and self.pid is not None:
            self.fired = True
            os.kill(self.pid, self.sig)
            await asyncio.sleep(0.5)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_just_after_acceptance_still_records_the_message(tmp_path: Path, start_server,
                                                                  sig) -> None:
    recorder = InterruptOnData(sig)
    server = start_server(recorder)
    folder = tmp_path / "d"
    write_drafts(folder)
    process = pmo_xl("send", folder, "--smtp", server.address, "--from", SENDER, "--yes")
    recorder.pid = process.pid
    out, err = process.communicate(timeout=120)
    assert process.returncode == 128 + sig, (out, err)
    assert err.strip().splitlines()[-1].endswith("nothing was left half-written."), err
    assert len(server.received) == 1
    assert sent_files(folder) == [f"{FIRST}.eml"]  # recorded although interrupted
    again = pmo_xl("send", folder, "--smtp", server.address, "--from", SENDER, "--yes")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, (out, err)
    ids = Counter(r.message["Message-ID"] for r in server.received)
    assert len(ids) == len(PEOPLE) and set(ids.values()) == {1}  # nobody mailed twice
    assert not [p for p in folder.iterdir() if p.name.startswith(".")]


# --- a folder that cannot take the record -----------------------------------------------------

def test_a_stale_lock_in_a_folder_that_cannot_be_written_sends_nothing(
        tmp_path: Path, start_server, run_send, monkeypatch) -> None:
    """A lock file left behind opens even where no new file can be made (a folder made
    read-only since): the run used to send one message and then fail to record it."""
    server = start_server()
    folder = tmp_path / "d"
    write_drafts(folder)
    (folder / sending.LOCK_FILE).write_text("")  # left by a crash, nobody holds it
    real = tempfile.mkstemp

    def read_only(*args, dir=None, **kwargs):
        if dir is not None and Path(dir) == folder:
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    result = run_send(folder, "--smtp", server.address, "--from", SENDER, "--yes")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        f"Error: {folder} is not writable (Permission denied); pmo-xl records what it sent in "
        "sent.json there, so it sends nothing until it can write in that folder.")
    assert server.recorder.mails == 0 and not (folder / "sent.json").exists()


# --- a server that trickles its answers ------------------------------------------------------

class Trickler(threading.Thread):
    """A server on 127.0.0.1 that answers one byte every `gap` seconds, for ever (well: for
    `give_up` seconds, so that a pmo-xl without a deadline fails this test instead of
    hanging the suite). `where` is "greeting" (it never finishes saying hello) or "data" (it
    takes the message, then never finishes saying it accepted it)."""

    def __init__(self, where: str, gap: float = 0.1, give_up: float = 20.0) -> None:
        super().__init__(daemon=True)
        self.where, self.gap, self.give_up = where, gap, give_up
        self.listener = socket.create_server((HOST, 0))
        self.address = f"{HOST}:{self.listener.getsockname()[1]}"
        self.messages = 0

    def run(self) -> None:
        self.listener.settimeout(self.give_up)
        try:
            conn, _ = self.listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(self.give_up)
            started = time.monotonic()
            try:
                if self.where == "greeting":
                    self._trickle(conn, started)
                    return
                conn.sendall(b"220 slow.test ESMTP\r\n")
                reader = conn.makefile("rb")
                while True:
                    line = reader.readline()
                    if not line:
                        return
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 slow.test\r\n")
                    elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                        conn.sendall(b"250 OK\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go on\r\n")
                        while reader.readline() not in (b".\r\n", b""):
                            pass
                        self.messages += 1
                        self._trickle(conn, started)
                        return
                    elif verb == b"QUIT":
                        conn.sendall(b"221 bye\r\n")
                        return
            except OSError:
                return

    def _trickle(self, conn: socket.socket, started: float) -> None:
        code = b"220" if self.where == "greeting" else b"250"
        while time.monotonic() - started < self.give_up:
            for byte in code + b"-still thinking\r\n":
                conn.sendall(bytes([byte]))
                time.sleep(self.gap)
                if time.monotonic() - started >= self.give_up:
                    return

    def stop(self) -> None:
        self.listener.close()


@pytest.fixture
def trickler():
    started: list[Trickler] = []

    def start(where: str) -> Trickler:
        server = Trickler(where)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_a_server_trickling_its_greeting_is_given_up_at_the_deadline(tmp_path: Path,
                                                                     trickler) -> None:
    server = trickler("greeting")
    write_drafts(tmp_path / "d")
    began = time.monotonic()
    with pytest.raises(sending.CannotSend) as caught:
        sending.send(tmp_path / "d", smtp=server.address, from_address=SENDER, timeout=1.0,
                     deadline=2.0, echo=lambda *a, **k: None)
    assert time.monotonic() - began < 8  # each byte came within the 1 s timeout
    assert str(caught.value) == (f"{server.address} took longer than 2 seconds to accept the "
                                 "connection (it answers too slowly); try again later or ask "
                                 "your mail administrator.")
    assert not (tmp_path / "d" / "sent.json").exists()


def test_a_server_trickling_its_acceptance_stops_the_run_and_says_it_may_have_arrived(
        tmp_path: Path, trickler) -> None:
    server = trickler("data")
    write_drafts(tmp_path / "d")
    said: list[str] = []
    began = time.monotonic()
    outcome = sending.send(tmp_path / "d", smtp=server.address, from_address=SENDER,
                           timeout=1.0, deadline=2.0,
                           echo=lambda text="", err=False: said.append(text))
    assert time.monotonic() - began < 8
    assert server.messages == 1 and outcome.sent == [] and outcome.exit_code == 1
    first, why = outcome.failed[0]
    assert first.path.name == f"{FIRST}.eml"
    assert why.startswith(f"{server.address} took longer than 2 seconds over one message (it "
                          "answers too slowly). It may have arrived: it is not recorded as sent")
    assert len(outcome.failed) == len(PEOPLE)  # the rest were not tried on this server
    assert any(line.startswith(f"Stopped: {server.address} took longer than 2 seconds")
               for line in said)
    assert not (tmp_path / "d" / "sent.json").exists()


def test_the_default_deadline_grows_with_the_message() -> None:
    from pmo_xl.people.mail_server import DEADLINE, SLOW_LINE, time_allowed
    from pmo_xl.people.mail_server import Server as MailServer

    server = MailServer(HOST, 25)
    assert time_allowed(server) == DEADLINE
    assert time_allowed(server, 5 * 1024 * 1024) == DEADLINE + 5 * 1024 * 1024 / SLOW_LINE
    assert time_allowed(MailServer(HOST, 25, deadline=3.0), 10**9) == 3.0


def test_a_fast_server_is_not_affected(tmp_path: Path, start_server) -> None:
    server: Server = start_server()
    write_drafts(tmp_path / "d")
    outcome = sending.send(tmp_path / "d", smtp=server.address, from_address=SENDER,
                           deadline=5.0, echo=lambda *a, **k: None)
    assert outcome.exit_code == 0 and len(server.received) == len(PEOPLE)

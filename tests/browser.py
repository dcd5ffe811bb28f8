"""Headless Chromium for the page tests, driven over its DevTools pipe with the stdlib only.

`--remote-debugging-pipe` makes Chromium read DevTools commands on file descriptor 3 and
write replies and events on 4, each a JSON message ending in a NUL byte: no port is opened,
nothing else on the machine can talk to it, and no websocket library is needed. Every
event is kept, so a test can ask afterwards which requests the page made, what reached the
console and whether a dialog (an `alert()`) ever opened.

Name resolution is switched off (`--host-resolver-rules`), so even a request that slipped
past the page's Content-Security-Policy could not reach a server.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

CHROMIUM = next((found for name in ("chromium", "chromium-browser", "google-chrome")
                 if (found := shutil.which(name))), None)

# The flags HELPERS.md asks for, plus: no name resolution, no extensions, no sound.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND", "--disable-extensions", "--mute-audio",
    "--hide-scrollbars", "--no-default-browser-check",
]
TIMEOUT = 60.0  # seconds for any one step; Chromium starts in 1-3 s on this machine


class BrowserError(RuntimeError):
    pass


def command_line(*extra: str, profile: Path) -> list[str]:
    """Chromium's command line with the test flags and a fresh profile."""
    if CHROMIUM is None:
        raise BrowserError("Chromium is not installed")
    return [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra]


class Browser:
    """One headless Chromium; use as a context manager. `open()` gives a Page."""

    def __init__(self) -> None:
        self._profile = tempfile.TemporaryDirectory(prefix="pmo-xl-chromium-")
        # Our ends of the two pipes, and theirs moved above 10 (close-on-exec) so that
        # putting them at 3 and 4 in the child can never clobber one with the other.
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()
        theirs = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
                  for fd in (commands_read, replies_write)]
        os.close(commands_read)
        os.close(replies_write)

        def at_3_and_4() -> None:  # in the child, before exec: dup2 leaves them inheritable
            os.dup2(theirs[0], 3)
            os.dup2(theirs[1], 4)

        self.process = subprocess.Popen(
            command_line("--remote-debugging-pipe", profile=Path(self._profile.name)),
            preexec_fn=at_3_and_4, close_fds=False, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for fd in theirs:
            os.close(fd)
        self._inbox: queue.Queue[dict | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 0
        self.events: list[dict] = []  # every event, in order, with its sessionId

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._replies, "rb", buffering=0) as stream:
            while True:
                chunk = stream.read(1 << 16)
                if not chunk:
                    self._inbox.put(None)
                    return
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._inbox.put(json.loads(message))

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        """Send one DevTools command and return its result (events meanwhile are kept)."""
        self._next_id += 1
        message: dict = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT
        while True:
            reply = self._take(deadline, method)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None, since: int = 0) -> dict:
        """The first event `method` (of `session`) at or after position `since`."""
        deadline = time.monotonic() + TIMEOUT
        checked = since
        while True:
            for event in self.events[checked:]:
                if event["method"] == method and (session is None
                                                  or event.get("sessionId") == session):
                    return event
            checked = len(self.events)
            reply = self._take(deadline, method)
            if "method" in reply:
                self.events.append(reply)

    def _take(self, deadline: float, waiting_for: str) -> dict:
        try:
            reply = self._inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            raise BrowserError(f"Chromium did not answer {waiting_for} in time") from None
        if reply is None:
            raise BrowserError(f"Chromium closed its pipe while waiting for {waiting_for}")
        return reply

    def open(self, width: int, height: int, *, mobile: bool = False,
             scripts: bool = True) -> Page:
        """A fresh tab at this viewport (a phone's when `mobile`), scripts on or off."""
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget",
                            {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, session)
        for domain in ("Page", "Runtime", "Log", "Network"):
            page.call(f"{domain}.enable")
        page.call("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        if not scripts:
            page.call("Emulation.setScriptExecutionDisabled", {"value": True})
        return page

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except BrowserError:
            pass
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._commands)
        self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Page:
    """One tab: load a URL, type, evaluate, screenshot, print; and what it did meanwhile."""

    def __init__(self, browser: Browser, session: str) -> None:
        self.browser = browser
        self.session = session
        self.start = len(browser.events)

    def call(self, method: str, params: dict | None = None) -> dict:
        return self.browser.call(method, params, self.session)

    def load(self, url: str) -> None:
        mark = len(self.browser.events)
        self.call("Page.navigate", {"url": url})
        self.browser.wait_for("Page.loadEventFired", self.session, since=mark)

    def evaluate(self, expression: str) -> object:
        """The value of a JavaScript expression in the page (DevTools runs it even with the
        page's own scripts off)."""
        result = self.call("Runtime.evaluate", {"expression": expression,
                                                "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def type(self, text: str) -> None:
        """Type `text` where the focus is, as a keyboard would (input events fire)."""
        self.call("Input.insertText", {"text": text})

    def press(self, key: str, code: int) -> None:
        for kind in ("rawKeyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", {"type": kind, "key": key,
                                                 "windowsVirtualKeyCode": code})

    def screenshot(self, path: Path, *, full_page: bool = False) -> Path:
        params: dict = {"format": "png"}
        if full_page:
            size = self.call("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={
                "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        data = self.call("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def events(self, *methods: str) -> list[dict]:
        """This tab's events of these kinds, since it opened."""
        return [e for e in self.browser.events[self.start:]
                if e.get("sessionId") == self.session and e["method"] in methods]

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events("Network.requestWillBeSent")]

    def console_problems(self) -> list[str]:
        """Console messages, log entries at warning or error, exceptions, CSP violations."""
        found = []
        for event in self.events("Runtime.consoleAPICalled", "Runtime.exceptionThrown",
                                 "Log.entryAdded"):
            params = event["params"]
            if event["method"] == "Runtime.consoleAPICalled":
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif event["method"] == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails']}")
            elif params["entry"]["level"] in ("warning", "error"):
                found.append(f"{params['entry']['source']}: {params['entry']['text']}")
        return found

    def dialogs(self) -> list[dict]:
        return self.events("Page.javascriptDialogOpening")


def print_to_pdf(url: str, pdf: Path) -> subprocess.CompletedProcess:
    """Print a page to PDF the way a user's `chromium --print-to-pdf` does."""
    with tempfile.TemporaryDirectory(prefix="pmo-xl-chromium-") as profile:
        return subprocess.run(
            command_line(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", url,
                         profile=Path(profile)),
            capture_output=True, text=True, timeout=120)

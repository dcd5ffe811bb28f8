"""Each draft's HTML in a real browser: headless Chromium renders it at desktop and phone width,
runs no script and shows the master's text as text.

Chromium comes from Debian's `chromium` package; the README's test command installs it.
"""

from __future__ import annotations

import email
import email.policy
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from .test_drafts import INJECTED, emls, injected_master

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]
DESKTOP, PHONE = (1280, 900), (390, 844)


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """One headless Chromium run with a fresh profile."""
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180)


def screenshot(page: Path, png: Path, size: tuple[int, int], profile: Path) -> None:
    done = chromium(profile, f"--screenshot={png}", f"--window-size={size[0]},{size[1]}",
                    page.as_uri())
    assert png.is_file(), done.stderr[-2000:]


def dump_dom(page: Path, profile: Path) -> str:
    done = chromium(profile, "--virtual-time-budget=2000", "--dump-dom", page.as_uri())
    assert "<body" in done.stdout, done.stderr[-2000:]
    return done.stdout


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


class Elements(HTMLParser):
    """Every element of a page with its attributes, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data) -> None:
        self.text.append(data)


def parse(markup: str) -> Elements:
    found = Elements()
    found.feed(markup)
    return found


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    """The HTML part of each draft written for a master full of markup, as files."""
    from click.testing import CliRunner

    from pmo_xl.cli import cli

    folder = tmp_path_factory.mktemp("browser")
    master = injected_master(folder)
    out = folder / "drafts"
    CliRunner().invoke(cli, ["actions", str(master), "--as-of", "2026-11-15", "-o", str(out)])
    found = []
    for name in emls(out):
        message = email.message_from_bytes((out / name).read_bytes(),
                                           policy=email.policy.default)
        page = folder / f"{Path(name).stem}.html"
        page.write_text(message.get_body(("html",)).get_content(), encoding="utf-8")
        found.append(page)
    assert len(found) == 2  # Dana (the proposed change) and Morgan (the proposal)
    return found


def test_each_draft_renders_at_desktop_and_phone_width(pages, tmp_path) -> None:
    for page in pages:
        for size in (DESKTOP, PHONE):
            png = tmp_path / f"{page.stem}-{size[0]}.png"
            screenshot(page, png, size, tmp_path / f"profile-{page.stem}-{size[0]}")
            assert png_size(png) == size
            assert png.stat().st_size > 10_000  # a rendered page, not a blank one


def test_no_script_runs_and_master_text_is_inert(pages, tmp_path) -> None:
    shown = []
    for page in pages:
        dom = parse(dump_dom(page, tmp_path / f"profile-{page.stem}"))
        tags = [tag for tag, _ in dom.tags]
        assert "script" not in tags and "img" not in tags and "b" not in tags, tags
        body = next(attrs for tag, attrs in dom.tags if tag == "body")
        assert "data-pwned" not in body  # neither injected script ran
        for tag, attrs in dom.tags:
            assert not any(name.startswith("on") for name in attrs), (tag, attrs)
            assert "src" not in attrs and "href" not in attrs, (tag, attrs)  # nothing fetched
        shown.append(" ".join(" ".join(dom.text).split()))
    # The master's markup reaches the reader as the text it is.
    text = " ".join(shown)
    for injected in (*INJECTED, 'Morgan <b>Manager</b> & "Co"'):
        assert " ".join(injected.split()) in text


def page_width(page: Path, width: int, profile: Path) -> int:
    """How wide the page's content lays out in `width` pixels: a measuring copy of the page
    (without its script ban) narrows its body to `width` and reports what it scrolls to.
    (Headless Chromium's window is never narrower than 500 pixels, so the body is narrowed
    instead of the window.)"""
    copy = page.with_name(f"{page.stem}-measured.html")
    markup = page.read_text(encoding="utf-8")
    markup = markup.replace('<meta http-equiv="Content-Security-Policy"', "<meta data-x")
    copy.write_text(markup.replace("</body>", f"<script>document.body.style.width = "
                                   f"'{width}px'; document.body.dataset.width = "
                                   "document.body.scrollWidth;</script></body>"),
                    encoding="utf-8")
    done = chromium(profile, "--window-size=800,900", "--dump-dom", copy.as_uri())
    body = next(attrs for tag, attrs in parse(done.stdout).tags if tag == "body")
    return int(body["data-width"])


def test_nothing_is_wider_than_a_phone(pages, tmp_path) -> None:
    """A long word of master text wraps; the table never runs off a phone's screen."""
    for page in pages:
        assert page_width(page, PHONE[0], tmp_path / f"profile-{page.stem}") <= PHONE[0]


def test_the_width_check_would_see_a_table_too_wide(tmp_path) -> None:
    page = tmp_path / "wide.html"
    page.write_text("<!DOCTYPE html><html><body style=\"margin:0\"><table><tr><td>" +
                    "x" * 200 + "</td></tr></table></body></html>", encoding="utf-8")
    assert page_width(page, PHONE[0], tmp_path / "profile") > PHONE[0]


def test_the_browser_check_would_see_a_script_run(tmp_path) -> None:
    """The control: the same text pasted in unescaped runs, and the DOM dump shows it."""
    page = tmp_path / "unsafe.html"
    page.write_text(f"<!DOCTYPE html><html><body><p>{INJECTED[0]}</p><p>{INJECTED[1]}</p>"
                    "</body></html>", encoding="utf-8")
    dom = parse(dump_dom(page, tmp_path / "profile"))
    body = next(attrs for tag, attrs in dom.tags if tag == "body")
    assert body.get("data-pwned") in ("1", "2")


def test_every_draft_forbids_fetching_and_scripts(pages) -> None:
    for page in pages:
        meta = [attrs for tag, attrs in parse(page.read_text()).tags if tag == "meta"]
        assert {"http-equiv": "Content-Security-Policy",
                "content": "default-src 'none'; style-src 'unsafe-inline'"} in meta
        assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in meta

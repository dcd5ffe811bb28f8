"""The catalogue page in a real browser: headless Chromium opens it from a file.

Screenshots at desktop (1280) and phone (390) widths with the layout measured, the search
box driven by typing, the page with scripts off, a print to A4 PDF, and on every load: no
request but the page itself, nothing on the console, no dialog. The hostile master's text
must stay text. Set PMO_XL_SCREENSHOTS=DIR to keep the screenshots and the PDF to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from pmo_xl import api
from pmo_xl.example.northwind import EXAMPLE_AS_OF, write_example_master
from pmo_xl.validators.examples import EXAMPLE_AS_OF as CLEAN_AS_OF
from pmo_xl.workbook.template import write_master
from tests import catalogue_masters as cm
from tests.browser import CHROMIUM, Browser, print_to_pdf

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

DESKTOP = (1280, 900)
PHONE = (390, 844)
VISIBLE = ("Array.from(document.querySelectorAll('article.service'))"
           ".filter(a => a.offsetParent !== null).map(a => a.id)")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("catalogue-browser")


@pytest.fixture(scope="module")
def northwind(folder: Path):
    """Northwind's Running services and pilots, with status: every kind of entry."""
    master = write_example_master(folder / "northwind.xlsx")
    return api.catalogue(master, EXAMPLE_AS_OF, folder / "northwind.html",
                         stages=["Running", "Pilot"], with_status=True)


@pytest.fixture(scope="module")
def hostile(folder: Path):
    master = write_master(folder / "hostile.xlsx", cm.hostile_rows())
    return api.catalogue(master, CLEAN_AS_OF, folder / "hostile.html", with_status=True,
                         title=cm.TITLE)


@pytest.fixture(scope="module")
def browser():
    with Browser() as running:
        yield running


def _keep(path: Path) -> None:
    """Copy a screenshot or PDF to PMO_XL_SCREENSHOTS, when set, to look at."""
    target = os.environ.get("PMO_XL_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def _open(browser: Browser, path: Path, size: tuple[int, int], *, query: str = "",
          mobile: bool = False, scripts: bool = True):
    """Load the page and assert what must hold on every load: it fetched nothing but
    itself, said nothing on the console and opened no dialog."""
    page = browser.open(*size, mobile=mobile, scripts=scripts)
    url = path.as_uri() + query
    page.load(url)
    assert page.requests() == [url]
    assert page.console_problems() == []
    assert page.dialogs() == []
    return page


def _box(page) -> None:
    page.evaluate("document.getElementById('search-box').focus()")


def _clear(page) -> None:
    page.evaluate("document.getElementById('search-box').select()")
    page.press("Backspace", 8)


def _matching(published, query: str) -> list[str]:
    words = query.casefold().split()
    return [e.anchor for e in published.catalogue.entries
            if all(w in e.search_text().casefold() for w in words)]


# --- screens --------------------------------------------------------------------------------


def test_desktop_width(browser: Browser, northwind, folder: Path) -> None:
    page = _open(browser, northwind.path, DESKTOP)
    shot = page.screenshot(folder / "catalogue-desktop.png")
    _keep(shot)
    assert _png_size(shot) == DESKTOP
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP[0]
    # Contents beside the services, with each service listed; the search box showing.
    nav = page.evaluate("JSON.stringify(document.querySelector('nav').getBoundingClientRect())")
    main = page.evaluate("JSON.stringify(document.querySelector('main')"
                         ".getBoundingClientRect())")
    nav_box, main_box = (__import__("json").loads(b) for b in (nav, main))
    assert nav_box["right"] <= main_box["left"] and nav_box["top"] < 300
    assert page.evaluate("document.querySelectorAll('nav [data-entry]')[0].offsetParent "
                         "!== null")
    assert page.evaluate("document.getElementById('search-box').offsetParent !== null")
    assert len(page.evaluate(VISIBLE)) == len(northwind.catalogue.entries) == 18
    # The two facts of a service sit side by side.
    assert page.evaluate("(() => { const d = document.querySelectorAll('.facts > div');"
                         " return d[0].getBoundingClientRect().top === "
                         "d[1].getBoundingClientRect().top; })()")
    shot = page.screenshot(folder / "catalogue-desktop-full.png", full_page=True)
    _keep(shot)
    assert _png_size(shot)[1] > 5 * DESKTOP[1]


def test_phone_width(browser: Browser, northwind, folder: Path) -> None:
    page = _open(browser, northwind.path, PHONE, mobile=True)
    shot = page.screenshot(folder / "catalogue-phone.png")
    _keep(shot)
    assert _png_size(shot) == PHONE
    assert page.evaluate("window.innerWidth") == PHONE[0]
    # Nothing wider than the phone: no sideways scrolling, every table inside the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    assert page.evaluate("Math.max(...Array.from(document.querySelectorAll('table, article'))"
                         ".map(e => e.getBoundingClientRect().right))") <= PHONE[0]
    # Contents above the services, categories only; facts stacked.
    assert page.evaluate("document.querySelector('nav').getBoundingClientRect().bottom <= "
                         "document.querySelector('main').getBoundingClientRect().top")
    assert page.evaluate("document.querySelectorAll('nav [data-entry]')[0].offsetParent") \
        is None
    assert page.evaluate("(() => { const d = document.querySelectorAll('.facts > div');"
                         " return d[1].getBoundingClientRect().top > "
                         "d[0].getBoundingClientRect().top; })()")
    # Text is readable without zooming: at least 14 px.
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.description'))"
                         ".fontSize)") >= 14
    _keep(page.screenshot(folder / "catalogue-phone-full.png", full_page=True))


# --- search ---------------------------------------------------------------------------------


def test_the_search_box_filters_as_you_type(browser: Browser, northwind) -> None:
    page = _open(browser, northwind.path, DESKTOP)
    every = [e.anchor for e in northwind.catalogue.entries]
    _box(page)
    page.type("benefit")
    shown = page.evaluate(VISIBLE)
    assert shown == _matching(northwind, "benefit")
    assert {"svc-SVC-003", "svc-SVC-017"} <= set(shown) and "svc-SVC-001" not in shown
    assert page.evaluate("document.getElementById('search-status').textContent") == \
        f"{len(shown)} of 18 services match \u201cbenefit\u201d."
    # The contents list follows: only matching services, only categories with one.
    listed = page.evaluate("Array.from(document.querySelectorAll('nav [data-entry]'))"
                           ".filter(e => !e.hidden).map(e => e.dataset.entry)")
    assert listed == shown
    sections = page.evaluate("Array.from(document.querySelectorAll('section.category'))"
                             ".filter(s => !s.hidden).map(s => s.id)")
    assert sections == ["cat-Assurance"]
    # A second word narrows it (every word must match, in any order, any case).
    page.type(" REVIEWS")
    assert page.evaluate(VISIBLE) == _matching(northwind, "benefit reviews") == \
        ["svc-SVC-017"]
    _clear(page)
    assert page.evaluate(VISIBLE) == every
    assert page.evaluate("document.getElementById('search-status').textContent") == ""
    page.type("zzzz")
    assert page.evaluate(VISIBLE) == []
    assert page.evaluate("document.getElementById('no-match').offsetParent !== null")
    _clear(page)
    page.type("Rajesh")  # a contact's name finds the services they manage
    assert page.evaluate(VISIBLE) == _matching(northwind, "rajesh") != []
    assert page.console_problems() == [] and page.dialogs() == []


def test_a_link_can_open_the_page_searched(browser: Browser, northwind) -> None:
    page = _open(browser, northwind.path, DESKTOP, query="?q=benefit")
    assert page.evaluate("document.getElementById('search-box').value") == "benefit"
    assert page.evaluate(VISIBLE) == _matching(northwind, "benefit")


def test_with_scripts_off_every_service_shows_and_no_dead_search_box(browser: Browser,
                                                                     northwind) -> None:
    page = _open(browser, northwind.path, DESKTOP, scripts=False)
    assert page.evaluate(VISIBLE) == [e.anchor for e in northwind.catalogue.entries]
    assert page.evaluate("document.getElementById('search').offsetParent") is None
    assert page.evaluate("document.getElementById('no-match').offsetParent") is None


# --- hostile text ---------------------------------------------------------------------------


def test_hostile_text_is_inert(browser: Browser, hostile, folder: Path) -> None:
    page = _open(browser, hostile.path, DESKTOP)
    _keep(page.screenshot(folder / "catalogue-hostile.png", full_page=True))
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, iframe, svg, object, embed, form, "
                         "base, b, u, style:not(head > style)').length") == 0
    assert page.evaluate("document.scripts.length") == 2
    assert page.evaluate("document.title") == cm.TITLE
    assert page.evaluate("document.querySelector('article h3').textContent") == cm.NAME_SCRIPT
    text = page.evaluate("document.querySelector('article').innerText")
    for payload in (cm.DESCRIPTION_IMG, cm.CUSTOMERS_JS, cm.OUTPUT_IFRAME, cm.QUALITY_LINK,
                    cm.KPI_SVG, cm.JS_EMAIL, cm.HEADER_EMAIL):
        assert payload in text, payload
    links = page.evaluate("Array.from(document.links).map(a => a.href)")
    outside = [link for link in links if not link.startswith(hostile.path.as_uri() + "#")]
    assert outside == ["mailto:jo@example.org"]
    # Searching for the markup finds it, as text, and runs nothing.
    _box(page)
    page.type("<script>")
    assert page.evaluate(VISIBLE) == ["svc-SVC-001"]
    assert page.evaluate("document.getElementById('search-status').children.length") == 0
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert page.console_problems() == [] and page.dialogs() == []


def test_the_browser_checks_can_fail(browser: Browser, northwind, folder: Path) -> None:
    """What the tests above watch for is seen when it happens: a fetched image, a console
    error, a dialog; and a script slipped into the page is refused by its policy."""
    careless = folder / "careless.html"
    careless.write_text('<!DOCTYPE html><title>x</title><img src="missing.png" alt="">'
                        '<script>console.error("ran")</script>')
    page = browser.open(*DESKTOP)
    page.load(careless.as_uri())
    assert any(url.endswith("missing.png") for url in page.requests())
    assert any("ran" in problem for problem in page.console_problems())
    slipped = folder / "slipped.html"
    source = northwind.path.read_text(encoding="utf-8")
    slipped.write_text(source.replace("</body>", "<script>window.pwned = 9</script></body>"),
                       encoding="utf-8")
    page = browser.open(*DESKTOP)
    page.load(slipped.as_uri())
    assert page.evaluate("typeof window.pwned") == "undefined"
    assert any("Content Security Policy" in problem for problem in page.console_problems())
    assert len(page.evaluate(VISIBLE)) == 18  # the page's own script still ran


# --- print ----------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler (pdfinfo) is not installed")
def test_prints_to_a_clean_a4_document(northwind, folder: Path) -> None:
    pdf = folder / "catalogue.pdf"
    done = print_to_pdf(northwind.path.as_uri(), pdf)
    assert done.returncode == 0, done.stderr[-2000:]
    _keep(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Page size:\s+59\d(\.\d+)? x 84\d(\.\d+)? pts \(A4\)", info), info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    # A contents page, then the 18 services at two or so to a page.
    assert 4 <= pages <= 14, pages
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for entry in northwind.catalogue.entries:
        assert " ".join(entry.name.split()) in flat, entry.name
    first = " ".join(text.split("\f")[0].split())
    assert "Northwind Group PMO service catalogue" in first and "CONTENTS" in first.upper()
    assert "Benefits tracking" in first  # the contents list
    assert "Search the services" not in text and "Skip to the services" not in text

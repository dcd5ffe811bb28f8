"""Time `pmo-xl catalogue` on a large master: the check, the content, the page, the workbook,
and (with --browser) how long headless Chromium takes to open the page and filter it.

Usage: python benchmarks/catalogue.py MASTER.xlsx [--as-of 2026-11-15] [--browser]
(make a master with: python benchmarks/generate.py --services 5000 big.xlsx)
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("master", type=Path)
    parser.add_argument("--as-of", default="2026-11-15")
    parser.add_argument("--browser", action="store_true",
                        help="also open the page in headless Chromium and type a search")
    args = parser.parse_args(argv)

    from pmo_xl import api
    from pmo_xl.reports.catalogue import build_catalogue
    from pmo_xl.reports.catalogue_page import write_page
    from pmo_xl.reports.catalogue_workbook import write_workbook

    as_of = dt.date.fromisoformat(args.as_of)
    out = Path(tempfile.mkdtemp(prefix="pmo-xl-catalogue-bench-"))
    clock = time.process_time
    start = clock()
    result = api.check(args.master, as_of)
    checked = clock()
    content = build_catalogue(result, with_status=True)
    built = clock()
    page = write_page(content, out / "catalogue.html")
    paged = clock()
    write_workbook(content, out / "catalogue.xlsx")
    booked = clock()
    print(f"{len(result.facts.services):,} services, {len(content.entries):,} published")
    print(f"check {checked - start:.2f} s cpu · content {built - checked:.2f} s · page "
          f"{paged - built:.2f} s ({page.stat().st_size / 1e6:.1f} MB) · workbook "
          f"{booked - paged:.2f} s (in {out})")
    if args.browser:
        sys.path.insert(0, str(ROOT))
        from tests.browser import Browser

        with Browser() as browser:
            tab = browser.open(1280, 900)
            began = time.monotonic()
            tab.load(page.as_uri())
            print(f"Chromium opens it in {time.monotonic() - began:.1f} s")
            tab.evaluate("document.getElementById('search-box').focus()")
            slowest = 0.0
            for key in "report 12":
                began = time.monotonic()
                tab.type(key)
                tab.evaluate("document.getElementById('search-status').textContent")
                slowest = max(slowest, time.monotonic() - began)
            print(f"slowest keystroke while typing 'report 12': {slowest * 1000:.0f} ms")


if __name__ == "__main__":
    main()

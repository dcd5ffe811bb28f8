"""The published catalogue as one self-contained web page: inline style and script, nothing fetched.

The page is rendered with Jinja2 with autoescaping on, so every piece of master text is
HTML-escaped wherever it lands (text, attributes); the search index the script reads is
JSON with `<`, `>`, `&` and `'` written as `\\u003c`… so no master text is markup inside a
script block either. The Content-Security-Policy allows exactly the one inline style and
the one inline script, by their SHA-256 (worked out here, from the very text written), and
nothing else: no request leaves the page, and a stray `<script>` or `onerror=` could not
run even if it got in. Same catalogue, same bytes: nothing in the page says when it was
made except the as-of date.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from functools import cache
from importlib.resources import files
from pathlib import Path

from pmo_xl import rag
from pmo_xl.output import atomic_output
from pmo_xl.reports.catalogue import Catalogue

TEMPLATES = "templates"
# Beyond this many services the page renders only those near the screen (a 4,000-service
# page then opens in 2.6 s instead of 16 s in headless Chromium on this machine).
LONG_CATALOGUE = 150
RAG_CLASS = {rag.GREEN: "green", rag.AMBER: "amber", rag.RED: "red", rag.NO_DATA: "nodata"}


def _resource(name: str) -> str:
    return files("pmo_xl.reports").joinpath(TEMPLATES, name).read_text(encoding="utf-8")


@cache
def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("pmo_xl.reports", TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def source_hash(text: str) -> str:
    """`'sha256-…'`: the CSP source that allows exactly this inline style or script."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(style: str, script: str | None) -> str:
    scripts = source_hash(script) if script is not None else "'none'"
    return (f"default-src 'none'; style-src {source_hash(style)}; script-src {scripts}; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def render_page(catalogue: Catalogue) -> str:
    """The page's HTML."""
    return "".join(_render_chunks(catalogue))


def _render_chunks(catalogue: Catalogue) -> Iterator[str]:
    """The page's HTML, piece by piece (a page of thousands of services is written without
    ever being one string in memory)."""
    style, script = _resource("catalogue.css"), _resource("catalogue.js")
    # Our own files, written inline: neither may end its element early.
    assert "</style" not in style.lower() and "</script" not in script.lower()
    entries = catalogue.entries
    return _environment().get_template("catalogue.html.j2").generate(
        c=catalogue,
        entries=entries,
        csp=_markup(content_security_policy(style, script if entries else None)),
        style=_markup(style),
        script=_markup(script),
        index=[[e.anchor, e.search_text()] for e in entries],
        rag_class=RAG_CLASS,
        long_catalogue=LONG_CATALOGUE,
    )


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)


def write_page(catalogue: Catalogue, path: str | Path, *, source: Path | None = None) -> Path:
    """Write the page to `path` (never over the master, never half-written)."""
    path = Path(path)
    with atomic_output(path, source=source) as temp, temp.open("wb") as out:
        for chunk in _render_chunks(catalogue):
            out.write(chunk.encode("utf-8"))
    return path

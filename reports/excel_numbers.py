"""A copy of the master's bytes without the numbers Excel cannot hold (NaN, INF, 1e999).

A program can store `<v>NaN</v>` or `<v>1e999</v>` in a number cell; Excel cannot show it
(it "repairs" the file), openpyxl cannot load `NaN` or `INF` at all (it stops the annotated
copy), and would write infinity back as `inf`. The check reads such a cell as blank and
names it (S105); the annotated copy shows it blank too, with that finding in its comment.
Only number cells change: text, shared strings, booleans, errors and formulas stay as they
are (a formula keeps its formula, only its saved result is dropped).
"""

from __future__ import annotations

import io
import math
import re
import zipfile

_WORKSHEETS = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
# A saved value that is not a plain, finite-looking decimal number, or one with an exponent
# of three digits or more (`1e999`): only a part holding one is looked at cell by cell.
_SUSPECT = re.compile(
    rb"<(?:\w+:)?v>(?![-+]?\d*\.?\d+(?:[eE][-+]?\d{1,2})?</)")
# A cell with content (`<c r="A1" .../>` has none); an optional namespace prefix (`x:c`).
_CELL = re.compile(rb"<((?:\w+:)?)c\b([^>/]*)>(.*?)</\1c>", re.DOTALL)
_TYPE = re.compile(rb"""\bt\s*=\s*["']([^"']*)["']""")
_VALUE = re.compile(rb"<((?:\w+:)?)v>([^<]*)</\1v>")


def without_unholdable_numbers(data: bytes) -> bytes:
    """The workbook `data` (an .xlsx) with every number cell Excel cannot hold emptied; the
    same bytes when there is none."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        changed: dict[str, bytes] = {}
        for info in archive.infolist():
            if not _WORKSHEETS.fullmatch(info.filename):
                continue
            part = archive.read(info)
            if _SUSPECT.search(part) is None:
                continue
            cleaned = _CELL.sub(_clean_cell, part)
            if cleaned != part:
                changed[info.filename] = cleaned
        if not changed:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as copy:
            for info in archive.infolist():
                copy.writestr(info, changed.get(info.filename) or archive.read(info),
                              compress_type=info.compress_type)
    return out.getvalue()


def _clean_cell(match: re.Match[bytes]) -> bytes:
    attributes = match.group(2)
    kind = _TYPE.search(attributes)
    if kind is not None and kind.group(1) not in (b"n", b""):
        return match.group(0)  # text, a shared string, a boolean, an error: not a number
    body = _VALUE.sub(_drop_unholdable, match.group(3))
    return b"<%sc%s>%s</%sc>" % (match.group(1), attributes, body, match.group(1))


def _drop_unholdable(match: re.Match[bytes]) -> bytes:
    try:
        holdable = math.isfinite(float(match.group(2)))
    except ValueError:
        holdable = False
    return match.group(0) if holdable else b""

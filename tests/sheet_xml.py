"""Test helper: put cells into a workbook's sheet XML as a program (or Excel) would write them.

openpyxl and xlsxwriter cannot write an error value, NaN, a formula with an empty saved value
or a link to another workbook the way Excel and LibreOffice store them; these helpers copy
a workbook and rewrite the XML of one sheet so the reader sees exactly that.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import column_index_from_string

from pmo_xl.workbook.package import inspect_workbook


def cell(ref: str, *, t: str | None = None, f: str | None = None, v: str | None = None,
         text: str | None = None) -> str:
    """One `<c>` element: type `t`, formula `f`, saved value `v` ("" writes `<v></v>`), or
    an inline string `text`."""
    kind = ' t="inlineStr"' if text is not None else (f' t="{t}"' if t else "")
    body = f"<f>{escape(f)}</f>" if f is not None else ""
    if v is not None:
        body += f"<v>{escape(v)}</v>"
    if text is not None:
        body += f"<is><t>{escape(text)}</t></is>"
    return f'<c r="{ref}"{kind}>{body}</c>'


def rewrite(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a workbook's zip, passing each part through `change` (None drops the part)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def add_parts(source: Path, target: Path, parts: dict[str, bytes],
              change: Callable[[str, bytes], bytes | None] = lambda name, data: data) -> Path:
    """Copy a workbook with extra parts (and others passed through `change`)."""
    rewrite(source, target, change)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return target


def with_cells(source: Path, target: Path, title: str, cells: list[str]) -> Path:
    """Copy a workbook with each `<c>` of `cells` put into sheet `title`: replacing the
    cell of the same address, or inserted into its row in column order."""
    part = inspect_workbook(source).sheet_parts[title]

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        text = data.decode()
        for element in cells:
            text = _put(text, element)
        return text.encode()

    return rewrite(source, target, change)


def _put(xml: str, element: str) -> str:
    ref = re.match(r'<c r="([A-Z]+)([0-9]+)"', element)
    assert ref, element
    letters, row = ref.group(1), int(ref.group(2))
    same = re.search(rf'<c r="{letters}{row}"[^>]*?(?:/>|>.*?</c>)', xml)
    if same:
        return xml[:same.start()] + element + xml[same.end():]
    rows = list(re.finditer(r'<row r="([0-9]+)"[^>]*?(?:/>|>(.*?)</row>)', xml, re.DOTALL))
    for match in rows:
        number = int(match.group(1))
        if number == row:
            body = match.group(2) or ""
            cells = list(re.finditer(r'<c r="([A-Z]+)[0-9]+"[^>]*?(?:/>|>.*?</c>)', body))
            after = [c for c in cells if column_index_from_string(c.group(1))
                     > column_index_from_string(letters)]
            at = (match.start(2) + after[0].start()) if after else (
                match.end() - len("</row>") if match.group(2) is not None else None)
            if at is None:  # <row .../> with no cells
                head = match.group(0)[:-2] + ">"
                return xml[:match.start()] + head + element + "</row>" + xml[match.end():]
            return xml[:at] + element + xml[at:]
        if number > row:
            return xml[:match.start()] + f'<row r="{row}">{element}</row>' + xml[match.start():]
    end = xml.index("</sheetData>")
    return xml[:end] + f'<row r="{row}">{element}</row>' + xml[end:]


def libreoffice(source: Path, folder: Path, to: str = "xlsx") -> Path:
    """`source` opened and saved by LibreOffice headless as `to` (xlsx, ods, xls)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed"
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{folder / 'profile'}",
                    "--headless", "--convert-to", to, "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=180)
    converted = folder / (source.stem + "." + to)
    assert converted.exists(), f"LibreOffice wrote no {converted.name}"
    return converted

"""Looking at a file before reading it: is it a workbook we can open safely, and which parts.

Every test here is cheap (magic bytes, the zip directory, the first bytes of each XML part)
and runs before any sheet is parsed, so a pipe, a CSV renamed .xlsx, an old .xls, an .ods,
a Strict Open XML workbook, an encrypted workbook, a truncated zip, a zip bomb or an XML
entity attack is refused with one sentence. :func:`scan_sheets` then reads each sheet's XML
once for what python-calamine cannot say (how far its cells reach, formulas without a saved
value, error values, links to other workbooks) before python-calamine loads it.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import column_letter, column_number

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted .xlsx is an OLE container with this stream name (UTF-16LE) inside.
ENCRYPTED_MARK = "EncryptedPackage".encode("utf-16-le")

# Limits against zip bombs: far above any real master (a 1,000,000-row sheet is ~100 MB).
MAX_UNCOMPRESSED = 2 * 1024**3
MAX_ENTRIES = 10_000
MAX_RATIO = 200  # uncompressed/compressed, for parts over 50 MB
RATIO_FLOOR = 50 * 1024**2

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# Excel's "Strict Open XML Spreadsheet" names every part in these namespaces instead.
_NS_STRICT = "{http://purl.oclc.org/ooxml/"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
SAVE_AS_XLSX = ("open it in Excel or LibreOffice and save it as .xlsx (Excel Workbook), then "
                "check that file")
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class WorkbookPackage:
    """What the zip says about the workbook: its sheets in order and their XML parts."""

    path: Path
    sheet_parts: dict[str, str]  # sheet title -> its part, e.g. xl/worksheets/sheet1.xml
    hidden: dict[str, str]  # sheet title -> "hidden" / "veryHidden"
    # [1], [2]... in formulas -> the other workbook's file name ("" where the link has none)
    linked_books: dict[int, str] = field(default_factory=dict)


def inspect_workbook(path: Path) -> WorkbookPackage:
    """Check that `path` is a readable, unencrypted, sane .xlsx; raise CannotCheck if not."""
    name = path.name
    if name.startswith("~$"):
        # Excel's owner file: a few bytes naming who has the real workbook open.
        raise CannotCheck(
            f"{name} is the lock file Excel keeps while {name[2:]} is open, not a workbook; "
            f"check {name[2:]} itself."
        )
    if not path.exists():
        raise CannotCheck(f"{path} does not exist; give the path of the master workbook (.xlsx).")
    if path.is_dir():
        raise CannotCheck(f"{path} is a folder, not a workbook; give the path of the .xlsx file.")
    _refuse_special_file(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
            if head[:8] == OLE_MAGIC:
                handle.seek(0)
                body = handle.read(8 * 1024 * 1024)
    except PermissionError:
        raise CannotCheck(f"{name} cannot be read: permission denied.") from None
    except OSError as exc:
        raise CannotCheck(f"{name} cannot be read: {exc.strerror or exc}.") from None
    if not head:
        raise CannotCheck(f"{name} is empty (0 bytes); it is not a workbook.")
    if head == OLE_MAGIC:
        if ENCRYPTED_MARK in body:
            raise CannotCheck(
                f"{name} is password-protected; save an unprotected copy in Excel "
                "(File > Info > Protect Workbook > remove the password) and check that."
            )
        raise CannotCheck(
            f"{name} is an old Excel 97-2003 workbook (.xls), which pmo-xl does not read; "
            f"{SAVE_AS_XLSX}."
        )
    if head[:4] != ZIP_MAGIC:
        kind = _guess_text_kind(path)
        raise CannotCheck(f"{name} is not an Excel workbook ({kind}); save it from Excel as .xlsx.")
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise CannotCheck(
            f"{name} is damaged (the file is truncated or corrupt); open it in Excel to repair "
            "it, or use a backup copy."
        ) from None
    with archive:
        return _inspect_archive(path, archive)


def _refuse_special_file(path: Path) -> None:
    """A pipe, a terminal or a device is not a workbook file. Only its type is asked (stat),
    never its contents: opening a FIFO for reading waits for a writer, forever."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise CannotCheck(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if stat.S_ISREG(mode):
        return
    kind = ("a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
            else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a file")
    raise CannotCheck(
        f"{path} is {kind}, not a workbook file; pmo-xl reads a saved .xlsx file, so save the "
        "workbook and give the path of that file."
    )


def _guess_text_kind(path: Path) -> str:
    with path.open("rb") as handle:
        sample = handle.read(4096)
    if b"\x00" in sample:
        return "it holds binary data of another kind"
    text = sample.decode("utf-8", errors="replace")
    if text.lstrip().startswith("<"):
        return "it looks like an HTML or XML file"
    if text.count(",") + text.count(";") + text.count("\t") >= 2:
        return "it looks like a CSV or text file renamed .xlsx"
    return "it looks like a text file"


def _inspect_archive(path: Path, archive: zipfile.ZipFile) -> WorkbookPackage:
    name = path.name
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise CannotCheck(f"{name} has {len(infos):,} parts inside; that is not a real workbook.")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        raise CannotCheck(
            f"{name} would unpack to {total / 1024**3:.1f} GB, over pmo-xl's limit of "
            f"{MAX_UNCOMPRESSED / 1024**3:.0f} GB; it is not a master workbook (or a zip bomb)."
        )
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise CannotCheck(
                f"{name} has a part that unpacks {info.file_size // max(info.compress_size, 1):,}"
                " times larger than it is stored; refusing it as a likely zip bomb."
            )
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names and "mimetype" in names:
            if archive.read("mimetype").strip().startswith(ODS_MIMETYPE):
                # python-calamine reads .ods, but not its error values, merged cells or
                # formulas without a value, and an annotated copy could not be written.
                raise CannotCheck(
                    f"{name} is an OpenDocument spreadsheet (.ods), which pmo-xl does not "
                    f"read; {SAVE_AS_XLSX}."
                )
            raise CannotCheck(f"{name} is an OpenDocument file, not a spreadsheet.")
        if "word/document.xml" in names:
            raise CannotCheck(f"{name} is a Word document, not an Excel workbook.")
        if "ppt/presentation.xml" in names:
            raise CannotCheck(f"{name} is a PowerPoint file, not an Excel workbook.")
        raise CannotCheck(f"{name} is a zip file but not an Excel workbook (no xl/workbook.xml).")
    try:
        for info in infos:
            if info.filename.endswith((".xml", ".rels", ".vml")) and _declares_doctype(
                archive, info
            ):
                raise CannotCheck(
                    f"{name} contains an XML document type declaration in {info.filename}; "
                    "Excel never writes one, so the file is refused as unsafe."
                )
        return WorkbookPackage(path=path, **_sheet_parts(archive, name))
    except DefusedXmlException:
        raise CannotCheck(
            f"{name} contains XML entity declarations; Excel never writes them, so the file "
            "is refused as unsafe."
        ) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, SafeET.ParseError):
        raise CannotCheck(
            f"{name} is damaged (its contents cannot be unpacked); open it in Excel to repair "
            "it, or use a backup copy."
        ) from None
    except RuntimeError as exc:  # zipfile raises this for encrypted entries
        raise CannotCheck(f"{name} cannot be unpacked: {exc}.") from None


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_ROOT_START = re.compile(rb"<[A-Za-z_]")
PROLOG_LIMIT = 1024 * 1024  # bytes before the first element; Excel writes about 60


def _declares_doctype(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when the part's prolog (everything before its first element) has a DOCTYPE.

    The whole prolog is read, not a fixed number of bytes, so a long comment in front of
    an entity declaration does not hide it. A prolog longer than PROLOG_LIMIT counts too.
    """
    prolog = b""
    with archive.open(info) as part:
        while True:
            chunk = part.read(64 * 1024)
            prolog += chunk
            visible = _COMMENT.sub(b"", prolog)
            root = _ROOT_START.search(visible)
            head = visible if root is None else visible[: root.start()]
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                return True
            if root is not None or not chunk:
                return False
            if len(prolog) > PROLOG_LIMIT:
                return True


def _sheet_parts(archive: zipfile.ZipFile, name: str) -> dict[str, dict]:
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    if workbook.tag.startswith(_NS_STRICT):
        # python-calamine reads its values but not its formulas, and openpyxl cannot write a
        # faithful copy of it: refused rather than checked wrongly.
        raise CannotCheck(
            f"{name} is saved as Strict Open XML Spreadsheet, which pmo-xl does not read; open "
            "it in Excel, choose File > Save As > Excel Workbook (*.xlsx), and check that file."
        )
    targets = _relationships(archive, "xl/workbook.xml")
    parts: dict[str, str] = {}
    hidden: dict[str, str] = {}
    for node in workbook.iter(f"{_NS_MAIN}sheet"):
        title = node.get("name", "")
        parts[title] = targets.get(node.get(f"{_NS_REL}id"), "")
        state = node.get("state")
        if state in ("hidden", "veryHidden"):
            hidden[title] = state
    linked: dict[int, str] = {}
    for index, node in enumerate(workbook.iter(f"{_NS_MAIN}externalReference"), start=1):
        link = targets.get(node.get(f"{_NS_REL}id"), "")
        book = next(iter(_relationships(archive, link, resolve=False).values()), "") if link else ""
        linked[index] = unquote(posixpath.basename(book.replace("\\", "/"))) if book else ""
    return {"sheet_parts": parts, "hidden": hidden, "linked_books": linked}


def _relationships(archive: zipfile.ZipFile, part: str, resolve: bool = True) -> dict[str, str]:
    """Relationship id -> target of one part: a part's path inside the zip (`resolve`), or the
    target as written (a linked workbook's file name)."""
    folder, name = posixpath.split(part)
    try:
        rels = SafeET.fromstring(archive.read(posixpath.join(folder, "_rels", name + ".rels")))
    except KeyError:
        return {}
    targets = {}
    for node in rels.iter(f"{_NS_PKG_REL}Relationship"):
        target = node.get("Target", "")
        if resolve and target:
            target = (target.lstrip("/") if target.startswith("/")
                      else posixpath.normpath(posixpath.join(folder, target)))
        targets[node.get("Id")] = target
    return targets


# --- a sheet's XML, read once before python-calamine loads the sheet ------------------------

# python-calamine builds a full grid from A1 to the farthest value (about 45 bytes a cell
# once read): one value in XFD1048576 asks for 17 billion cells and the process aborts. A
# sheet is refused before it is loaded when its grid would exceed its budget: MAX_CELLS at
# most (1,048,576 rows by 19 columns fit; the 5,000-service benchmark's largest sheet is
# 216,001 by 6), and for a sheet whose XML is small, EMPTY_GRID times the cells its XML could
# hold (a cell takes at least CELL_BYTES), but never under GRID_FLOOR: a grid that much
# larger than its cells is empty space out to a stray value.
MAX_CELLS = 20_000_000
GRID_FLOOR = 1_000_000
EMPTY_GRID = 50
CELL_BYTES = 20  # <c r="A1"><v>1</v></c>
MAX_COLUMNS = 16_384  # XFD, Excel's last column
MAX_ROWS = 1_048_576

_FORMULA = re.compile(rb"<f[ >/]")
_ERROR = re.compile(rb' t="e"')
_LAST_ROW = re.compile(rb'<row\b[^>]*?\br="([0-9]+)"')
_DIMENSION = re.compile(rb'<dimension\b[^>]*?\bref="(?:[A-Z]+[0-9]+:)?[A-Z]+([0-9]+)"')
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_TYPE = re.compile(rb'\bt="([a-zA-Z]+)"')
_VALUE = re.compile(rb"<v>([^<]*)</v>|<v/>|<is>")
_FORMULA_TEXT = re.compile(rb"<f\b([^>]*?)(?:/>|>([^<]*)</f>)")
_SHARED_INDEX = re.compile(rb'\bsi="([0-9]+)"')
# [1]Budget!A1 or '[1]Budget 2026'!A1; not a table's column such as Table1[2026]
_LINK = re.compile(r"(?<![\w\]])\[([0-9]+)\]")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)


@dataclass(frozen=True)
class SheetScan:
    """What one sheet's XML says that python-calamine does not."""

    far_cell: str | None = None  # the value that makes the sheet too big to read, e.g. XFD5000
    rows: int = 0  # with far_cell: the rows and columns python-calamine would make of it
    columns: int = 0
    no_value: tuple[str, ...] = ()  # formula cells with no saved value, e.g. ("O2",)
    errors: dict[str, str] = field(default_factory=dict)  # "F7" -> "#DIV/0!"
    linked: dict[str, str] = field(default_factory=dict)  # "F7" -> "Budget.xlsx" (or "")


def scan_sheets(package: WorkbookPackage, titles: list[str]) -> dict[str, SheetScan]:
    """Scan the XML of the sheets `titles` (one unpacking each; most sheets hold no formula
    and no error value, and then a couple of searches in C decide it)."""
    scans = {}
    with zipfile.ZipFile(package.path) as archive:
        for title in titles:
            try:
                data = archive.read(package.sheet_parts.get(title, ""))
            except KeyError:  # python-calamine names the missing part as damage
                scans[title] = SheetScan()
                continue
            scans[title] = _scan(data, package.linked_books)
    return scans


def _scan(data: bytes, linked_books: dict[int, str]) -> SheetScan:
    far = _too_big(data)
    if far is not None:
        return SheetScan(far_cell=far[0], rows=far[1], columns=far[2])
    no_value, linked = _formulas(data, linked_books) if _FORMULA.search(data) else ((), {})
    errors = _errors(data) if _ERROR.search(data) else {}
    for ref in errors:  # an error from a broken link is the error, said once
        linked.pop(ref, None)
    return SheetScan(no_value=no_value, errors=errors, linked=linked)


def _too_big(data: bytes) -> tuple[str, int, int] | None:
    """(far cell, rows, columns) when python-calamine's grid of this sheet would exceed its
    budget (see MAX_CELLS); None when it fits.

    Rows come in order (Excel writes and requires it), so the last row element and the
    dimension give the height without reading the rows between. The width is then bounded
    by one search for a cell reference beyond the width that still fits; only a sheet
    that has one is measured cell by cell (slow, and only for an odd sheet).
    """
    rows = 0
    last = data.rfind(b"<row ")
    if last >= 0:
        match = _LAST_ROW.match(data, last)
        rows = int(match.group(1)) if match else MAX_ROWS
    dimension = _DIMENSION.search(data, 0, 1 << 16)
    if dimension:
        rows = max(rows, int(dimension.group(1)))
    budget = min(MAX_CELLS, max(GRID_FLOOR, len(data) // CELL_BYTES * EMPTY_GRID))
    if rows * MAX_COLUMNS <= budget:
        return None
    if not _columns_beyond(budget // rows).search(data):
        return None
    return _measured(data, budget)


def _columns_beyond(width: int) -> re.Pattern[bytes]:
    """A search for a cell reference in a column past `width` (under XFD), rounded down to
    a boundary a character class can say (`GC` -> any column from `GA` on, and any of three
    letters)."""
    letters = column_letter(max(width, 1))
    first, size = letters[0], len(letters)
    if size == 1:
        beyond = ([f"[{chr(ord(first) + 1)}-Z]"] if first < "Z" else []) + ["[A-Z]{2,3}"]
    else:
        beyond = [f"[{first}-Z][A-Z]{{{size - 1}}}"] + (["[A-Z]{3}"] if size == 2 else [])
    return re.compile(b' r="(?:' + "|".join(beyond).encode() + b")[0-9]")


def _measured(data: bytes, budget: int) -> tuple[str, int, int] | None:
    """The exact grid of the cells holding a value (what python-calamine keeps), and the
    cell that makes it too big: the one whose removal shrinks the grid most."""
    right: list[tuple[int, int]] = [(0, 0), (0, 0)]  # two largest (column, row)
    down: list[tuple[int, int]] = [(0, 0), (0, 0)]  # two largest (row, column)
    for match in _CELL.finditer(data):
        body = match.group(2)
        if not body or not _VALUE.search(body):
            continue
        ref = _REF.search(match.group(1))
        if ref is None:
            continue
        column, row = column_number(ref.group(1).decode()), int(ref.group(2))
        if (column, row) > right[0]:
            right = [(column, row), right[0]]
        elif (column, row) > right[1]:
            right[1] = (column, row)
        if (row, column) > down[0]:
            down = [(row, column), down[0]]
        elif (row, column) > down[1]:
            down[1] = (row, column)
    rows, columns = down[0][0], right[0][0]
    if rows * columns <= budget:
        return None
    without_right = rows * right[1][0]
    without_down = down[1][0] * columns
    if without_right <= without_down:
        far = f"{column_letter(right[0][0])}{right[0][1]}"
    else:
        far = f"{column_letter(down[0][1])}{down[0][0]}"
    return far, rows, columns


def _cell_around(data: bytes, position: int) -> tuple[bytes, bytes]:
    """(attributes, body) of the cell element holding the byte at `position`."""
    start = data.rfind(b"<c ", 0, position)
    head_end = data.find(b">", start)
    end = data.find(b"</c>", position)
    if data[head_end - 1:head_end] == b"/" or end < 0:
        return data[start + 3:head_end], b""
    return data[start + 3:head_end], data[head_end + 1:end]


def _formulas(data: bytes, linked_books: dict[int, str]) -> tuple[tuple[str, ...], dict]:
    """Formula cells with no saved value, and those whose formula reads another workbook.

    A saved value is a `<v>` with text, or an empty `<v>` in a text-typed cell (what Excel
    and LibreOffice save for `=IF(...,"",...)`: a blank, not a missing value).
    """
    missing: list[str] = []
    linked: dict[str, str] = {}
    shared_links: dict[bytes, str] = {}  # a shared formula's index -> the book it reads
    for match in _FORMULA.finditer(data):
        head, body = _cell_around(data, match.start())
        ref = _REF.search(head)
        if ref is None:
            continue
        cell = ref.group(1).decode() + ref.group(2).decode()
        kind = _TYPE.search(head)
        kind = kind.group(1) if kind else b"n"
        value = _VALUE.search(body)
        if value is None or (kind not in (b"str", b"inlineStr") and not value.group(1)
                             and value.group(0) != b"<is>"):
            if kind != b"e":
                missing.append(cell)
        if linked_books:
            book = _linked_book(body, linked_books, shared_links)
            if book is not None:
                linked[cell] = book
    return tuple(missing), linked


def _linked_book(body: bytes, linked_books: dict[int, str],
                 shared_links: dict[bytes, str]) -> str | None:
    """The other workbook a cell's formula reads (`[1]Budget!A1`), "" when unnamed."""
    formula = _FORMULA_TEXT.search(body)
    if formula is None:
        return None
    shared = _SHARED_INDEX.search(formula.group(1))
    text = (formula.group(2) or b"").decode("utf-8", "replace")
    link = _LINK.search(text)
    book = linked_books.get(int(link.group(1))) if link is not None else None
    if book is not None:
        if shared is not None:
            shared_links[shared.group(1)] = book
        return book
    if shared is not None and not text:
        return shared_links.get(shared.group(1))
    return None


def _errors(data: bytes) -> dict[str, str]:
    """Cells holding an error value (`#DIV/0!`, `#N/A`...), from a formula or pasted."""
    errors = {}
    for match in _ERROR.finditer(data):
        head, body = _cell_around(data, match.start())
        ref = _REF.search(head)
        value = _VALUE.search(body)
        if ref is not None:
            text = value.group(1).decode("utf-8", "replace") if value and value.group(1) else ""
            errors[ref.group(1).decode() + ref.group(2).decode()] = text.strip() or "#VALUE!"
    return errors

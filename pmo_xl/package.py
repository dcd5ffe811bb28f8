"""Looking at a file before reading it: is it a workbook we can open safely, and which parts.

Every test here is cheap (magic bytes, the zip directory, the first bytes of each XML part)
and runs before any sheet is parsed, so a CSV renamed .xlsx, an old .xls, an encrypted
workbook, a truncated zip, a zip bomb or an XML entity attack is refused with one sentence.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from pmo_xl.errors import CannotCheck

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
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class WorkbookPackage:
    """What the zip says about the workbook: its sheets in order and their XML parts."""

    path: Path
    sheet_parts: dict[str, str]  # sheet title -> its part, e.g. xl/worksheets/sheet1.xml
    hidden: dict[str, str]  # sheet title -> "hidden" / "veryHidden"


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
            f"{name} is an old Excel 97-2003 (.xls) file; open it in Excel and save it as "
            ".xlsx (Excel Workbook)."
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
        return WorkbookPackage(path=path, **_sheet_parts(archive))
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


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, dict[str, str]]:
    workbook = SafeET.fromstring(archive.read("xl/workbook.xml"))
    try:
        rels = SafeET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {
            r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG_REL}Relationship")
        }
    except KeyError:
        targets = {}
    parts: dict[str, str] = {}
    hidden: dict[str, str] = {}
    for node in workbook.iter(f"{_NS_MAIN}sheet"):
        title = node.get("name", "")
        target = targets.get(node.get(f"{_NS_REL}id"), "")
        if target.startswith("/"):
            part = target.lstrip("/")
        else:
            part = posixpath.normpath(posixpath.join("xl", target)) if target else ""
        parts[title] = part
        state = node.get("state")
        if state in ("hidden", "veryHidden"):
            hidden[title] = state
    return {"sheet_parts": parts, "hidden": hidden}


_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]+[0-9]+)"')
_VALUE = re.compile(rb"<v>[^<]")


def formulas_without_values(path: Path, part: str) -> list[str]:
    """A1 addresses of formula cells in one sheet part that carry no cached value.

    Such a file was written by a program and never opened in Excel, so the value a person
    sees cannot be read. Most sheets have no formula at all: one substring test decides that.
    """
    with zipfile.ZipFile(path) as archive:
        try:
            data = archive.read(part)
        except KeyError:
            return []
    if b"<f" not in data:
        return []
    missing = []
    for match in _CELL.finditer(data):
        body = match.group(2)
        if body and b"<f" in body and not _VALUE.search(body):
            ref = _REF.search(match.group(1))
            if ref:
                missing.append(ref.group(1).decode())
    return missing

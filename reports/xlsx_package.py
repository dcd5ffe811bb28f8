"""An .xlsx package edited part by part: what is not changed is copied byte for byte.

A workbook is a zip of XML parts. Loading all of it into a spreadsheet library and saving
it again costs time in proportion to every cell (openpyxl: 17 s of CPU at 1,000 services,
~60,000 rows) and rewrites what it does not understand. Here the parts a change needs are
read, edited as text and stored again; every other part is copied still compressed, as the
master holds it (Python's zipfile can only copy a part by inflating and deflating it again:
a second at 5,000 services), so a copy costs about what its edits cost.

Relationships and content types are kept as they are, with only the new entries added.
An editor that meets a part it cannot edit safely raises :class:`Unusual`.
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable

from defusedxml import ElementTree as SafeET

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
REL = f"{NS_REL}/"  # relationship types: REL + "worksheet", "comments", "vmlDrawing"
CONTENT_TYPE = {
    "worksheet": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
    "comments": "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml",
    "vml": "application/vnd.openxmlformats-officedocument.vmlDrawing",
}
# Deflate level for a part written anew: zlib's default for a small part; for a large one
# (a sheet with its print set-up added) level 2, four times faster for a fifth more bytes
# (the 5,000-service master's sheets, 100 MB of XML: 1.37 s and 7.9 MB at level 6, 0.34 s
# and 9.6 MB at level 2).
LEVEL, LARGE_LEVEL, LARGE_PART = 6, 2, 256 * 1024
# 1980-01-01 00:00, as Excel dates the parts it writes: the same copy is the same bytes.
DOS_DATE, DOS_TIME = (0 << 9) | (1 << 5) | 1, 0
# A literal `_x0041_` in text would read back as "A": its underscore is escaped as Excel does.
_LITERAL = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
# <, > and & as entities; the characters XML cannot hold as Excel writes them (`_x0001_`).
_TEXT = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;",
         **{c: f"_x{c:04X}_" for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20),
                                      0xFFFE, 0xFFFF)}}
_MAX_ZIP32 = 0xFFFF_FFFF


class Unusual(Exception):
    """A part is laid out in a way this editor does not edit (a row without its number, a
    workbook without styles); the caller normalises the package first, then edits it."""


def xml_text(text: object) -> str:
    """Text for an XML element, as Excel writes it: <, > and & escaped, and the characters
    XML cannot hold as `_x0001_` (a literal `_x0041_` in the text as `_x005F_x0041_`)."""
    text = str(text)
    if "_x" in text:
        text = _LITERAL.sub("_x005F_", text)
    return text.translate(_TEXT)


def attribute(text: object) -> str:
    return xml_text(text).replace('"', "&quot;")


class Package:
    """The parts of one .xlsx, read from its bytes, with the changes to write."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.archive = zipfile.ZipFile(io.BytesIO(data))
        self.infos = {info.filename: info for info in self.archive.infolist()}
        self.changed: dict[str, bytes] = {}
        self.added: list[str] = []

    # --- reading ------------------------------------------------------------------------

    def has(self, name: str) -> bool:
        return name in self.changed or name in self.infos

    def read(self, name: str) -> bytes:
        if name in self.changed:
            return self.changed[name]
        try:
            return self.archive.read(self.infos[name])
        except KeyError:
            raise Unusual(f"no part {name}") from None

    def relationships(self, part: str) -> list[dict[str, str]]:
        """The relationships of `part`: Id, Type, Target (resolved to a part name unless
        external) and TargetMode, in the order the rels part lists them."""
        rels = rels_name(part)
        if not self.has(rels):
            return []
        folder = posixpath.dirname(part)
        found = []
        for node in SafeET.fromstring(self.read(rels)).iter(f"{{{NS_PKG_REL}}}Relationship"):
            target = node.get("Target", "")
            if node.get("TargetMode") != "External" and target:
                target = (target.lstrip("/") if target.startswith("/")
                          else posixpath.normpath(posixpath.join(folder, target)))
            found.append({"Id": node.get("Id", ""), "Type": node.get("Type", ""),
                          "Target": target, "TargetMode": node.get("TargetMode", "")})
        return found

    # --- changing -----------------------------------------------------------------------

    def write(self, name: str, content: bytes) -> None:
        if not self.has(name):
            self.added.append(name)
        self.changed[name] = content

    def new_name(self, pattern: str) -> str:
        """The first free part name of `pattern` (`xl/comments{}.xml`) from 1 up."""
        number = 1
        while self.has(pattern.format(number)):
            number += 1
        return pattern.format(number)

    def relate(self, part: str, kind: str, target: str) -> str:
        """Add a relationship of type REL + `kind` from `part` to the part `target`; its Id."""
        rels = rels_name(part)
        taken = {r["Id"] for r in self.relationships(part)}
        number = len(taken) + 1
        while f"rId{number}" in taken:
            number += 1
        new_id = f"rId{number}"
        relative = posixpath.relpath(target, posixpath.dirname(part) or ".")
        entry = (f'<Relationship Id="{new_id}" Type="{REL}{kind}" '
                 f'Target="{attribute(relative)}"/>').encode()
        if self.has(rels):
            xml = self.read(rels)
            end = xml.rfind(b"</Relationships>")
            if end < 0:
                raise Unusual(f"{rels} has no end")
            self.write(rels, xml[:end] + entry + xml[end:])
        else:
            self.write(rels, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                             b'<Relationships xmlns="' + NS_PKG_REL.encode() + b'">'
                             + entry + b"</Relationships>")
        return new_id

    def declare(self, part: str, content_type: str) -> None:
        """Give `part` its content type in [Content_Types].xml (an Override), unless its
        extension's Default already says it."""
        xml = self.read("[Content_Types].xml")
        extension = part.rpartition(".")[2]
        default = re.search(rb'<Default\b[^>]*\bExtension="' + re.escape(extension.encode())
                            + rb'"[^>]*>', xml, re.IGNORECASE)
        if default is not None and content_type.encode() in default.group(0):
            return
        if re.search(rb'PartName="/' + re.escape(part.encode()) + rb'"', xml):
            return
        if extension == "vml" and default is None:
            entry = f'<Default Extension="vml" ContentType="{content_type}"/>'
        else:
            entry = f'<Override PartName="/{attribute(part)}" ContentType="{content_type}"/>'
        end = xml.rfind(b"</Types>")
        if end < 0:
            raise Unusual("[Content_Types].xml has no end")
        self.write("[Content_Types].xml", xml[:end] + entry.encode() + xml[end:])

    # --- the zip ------------------------------------------------------------------------

    def save(self) -> bytes:
        """The package as .xlsx bytes: unchanged parts copied as stored, in their order,
        then the new ones."""
        names = [*self.infos, *self.added]
        if len(names) >= 0xFFFF or len(self.data) > _MAX_ZIP32 // 2:
            return self._save_with_zipfile(names)
        out = io.BytesIO()
        directory = []
        for name in names:
            info = self.infos.get(name)
            if name in self.changed or info is None:
                raw_name, flags, method, crc, raw, size = self._deflated(name)
                date, time, attributes = DOS_DATE, DOS_TIME, 0o600 << 16
            else:
                raw_name, flags, method, crc, raw, size = self._stored(info)
                date, time, attributes = _dos(info.date_time), _dos_time(info.date_time), \
                    info.external_attr
            offset = out.tell()
            out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, time,
                                  date, crc, len(raw), size, len(raw_name), 0))
            out.write(raw_name)
            out.write(raw)
            directory.append(struct.pack(
                "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, time, date, crc,
                len(raw), size, len(raw_name), 0, 0, 0, 0, attributes, offset) + raw_name)
        start = out.tell()
        for entry in directory:
            out.write(entry)
        size = out.tell() - start
        if start > _MAX_ZIP32 or out.tell() > _MAX_ZIP32:
            return self._save_with_zipfile(names)
        out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory),
                              len(directory), size, start, 0))
        return out.getvalue()

    def _stored(self, info: zipfile.ZipInfo) -> tuple[bytes, int, int, int, memoryview, int]:
        """A part exactly as the master stores it (compressed bytes, CRC, sizes)."""
        view = memoryview(self.data)
        header = info.header_offset
        if bytes(view[header:header + 4]) != b"PK\x03\x04":
            raise Unusual(f"{info.filename} has no local header")
        name_length, extra_length = struct.unpack("<HH", view[header + 26:header + 30])
        start = header + 30 + name_length + extra_length
        raw = view[start:start + info.compress_size]
        flags = info.flag_bits & 0x0800  # only "the name is UTF-8"; the sizes come first
        raw_name = info.filename.encode("utf-8" if flags else "cp437")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Unusual(f"{info.filename} is compressed with method {info.compress_type}")
        return raw_name, flags, info.compress_type, info.CRC, raw, info.file_size

    def _deflated(self, name: str) -> tuple[bytes, int, int, int, bytes, int]:
        content = self.read(name)
        level = LARGE_LEVEL if len(content) > LARGE_PART else LEVEL
        squeeze = zlib.compressobj(level, zlib.DEFLATED, -15)
        raw = squeeze.compress(content) + squeeze.flush()
        try:
            raw_name, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw_name, flags = name.encode("utf-8"), 0x0800
        return raw_name, flags, zipfile.ZIP_DEFLATED, zlib.crc32(content), raw, len(content)

    def _save_with_zipfile(self, names: Iterable[str]) -> bytes:
        """The same package through zipfile (ZIP64 where needed), every part inflated and
        deflated again: only for a package too large for the plain zip format."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as copy:
            for name in names:
                copy.writestr(name, self.read(name))
        return out.getvalue()


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def _dos(date_time: tuple) -> int:
    year, month, day = date_time[:3]
    return max(year - 1980, 0) << 9 | month << 5 | day


def _dos_time(date_time: tuple) -> int:
    hour, minute, second = date_time[3:6]
    return hour << 11 | minute << 5 | second // 2

"""Excel comments ("notes") added to a worksheet part: the comments part and the VML drawing
that holds their boxes, created or extended as text.

A cell that already has a comment (the template's guidance on each header) keeps it; the
new text follows it in the same comment, and its box grows to show it. Nothing else in the
existing parts changes: their authors, formatting and other comments stay as they are.
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import unescape

from pmo_xl.findings import column_letter
from pmo_xl.reports.worksheet_part import Worksheet, cell_position
from pmo_xl.reports.xlsx_package import CONTENT_TYPE, Package, Unusual, xml_text

AUTHOR = "pmo-xl"
# Comment boxes large enough to read a finding and its hint without resizing (points).
WIDTH_PT = 320
LINE_PT = 15
MAX_HEIGHT_PT = 600
CHARS_PER_LINE = 48
# The VML namespaces and the prefixes Excel gives them (a drawing openpyxl wrote calls them
# ns0, ns1, ns2: new shapes use whatever the drawing declares).
VML = {"v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
       "x": "urn:schemas-microsoft-com:office:excel"}
_SHAPETYPE = (
    '<{v}shapetype id="_x0000_t202" coordsize="21600,21600" {o}spt="202" '
    'path="m,l,21600r21600,l21600,xe"><{v}stroke joinstyle="miter"/>'
    '<{v}path gradientshapeok="t" {o}connecttype="rect"/></{v}shapetype>')
_MAX_TEXT = 32_767  # Excel's limit on a comment's text


def box_height(text: str) -> float:
    lines = sum(max(1, len(line) // CHARS_PER_LINE + 1) for line in text.splitlines())
    return min(MAX_HEIGHT_PT, LINE_PT * (lines + 1))


def add_notes(package: Package, part: str, sheet: Worksheet,
              notes: dict[tuple[int, int], str]) -> None:
    """Add a comment with `notes[(row, column)]` to each cell of the worksheet `part`
    (whose XML is `sheet`, edited in place), after any comment the cell has."""
    if not notes:
        return
    relations = {r["Id"]: r for r in package.relationships(part)}
    comments_part = next((r["Target"] for r in relations.values()
                          if r["Type"].endswith("/comments")), None)
    drawing_id = sheet.legacy_drawing_id()
    drawing_part = relations[drawing_id]["Target"] if drawing_id in relations else None
    if drawing_id is not None and drawing_part is None:
        raise Unusual("a legacy drawing without its part")
    if comments_part is not None and drawing_part is None:
        raise Unusual("comments without the drawing of their boxes")

    grown: dict[tuple[int, int], str] = {}
    if comments_part is not None:
        xml, grown = _extend_comments(package.read(comments_part), notes)
        package.write(comments_part, xml)
    else:
        comments_part = package.new_name("xl/comments{}.xml")
        package.write(comments_part, _new_comments(notes))
        package.declare(comments_part, CONTENT_TYPE["comments"])
        package.relate(part, "comments", comments_part)
    fresh = {cell: text for cell, text in notes.items() if cell not in grown}
    if drawing_part is not None:
        package.write(drawing_part, _extend_drawing(package.read(drawing_part), fresh, grown))
    else:
        drawing_part = package.new_name("xl/drawings/vmlDrawing{}.vml")
        package.write(drawing_part, _new_drawing(package, fresh))
        package.declare(drawing_part, CONTENT_TYPE["vml"])
        sheet.add_legacy_drawing(package.relate(part, "vmlDrawing", drawing_part))


def _run(text: str) -> str:
    return f'<t xml:space="preserve">{xml_text(text[:_MAX_TEXT])}</t>'


def _new_comments(notes: dict[tuple[int, int], str]) -> bytes:
    body = "".join(_comment(cell, text, 0) for cell, text in sorted(notes.items()))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<authors><author>{AUTHOR}</author></authors><commentList>{body}</commentList>'
            '</comments>').encode()


def _comment(cell: tuple[int, int], text: str, author: int, prefix: str = "") -> str:
    row, col = cell
    p = prefix
    return (f'<{p}comment ref="{column_letter(col)}{row}" authorId="{author}"><{p}text>'
            f"{_run(text).replace('<t ', f'<{p}t ').replace('</t>', f'</{p}t>')}"
            f"</{p}text></{p}comment>")


def _extend_comments(xml: bytes, notes: dict[tuple[int, int], str]
                     ) -> tuple[bytes, dict[tuple[int, int], str]]:
    """The comments part with the notes added: after a cell's own comment, else as new
    comments by the pmo-xl author. Returns it and the cells whose comment grew (cell -> its
    whole text now, for the size of its box)."""
    root = re.search(rb"<(?:([\w.-]+):)?comments\b", xml)
    if root is None:
        raise Unusual("a comments part without <comments>")
    p = (root.group(1) + b":").decode() if root.group(1) else ""
    authors = re.findall(rb"<" + p.encode() + rb"author(?:/>|>(.*?)</" + p.encode()
                         + rb"author>)", xml, re.DOTALL)
    if AUTHOR.encode() in authors:
        author = authors.index(AUTHOR.encode())
    else:
        author = len(authors)
        end = xml.find(f"</{p}authors>".encode())
        entry = f"<{p}author>{AUTHOR}</{p}author>".encode()
        if end >= 0:
            xml = xml[:end] + entry + xml[end:]
        else:
            empty = re.search(rb"<" + p.encode() + rb"authors\s*/>", xml)
            if empty is None:
                raise Unusual("a comments part without authors")
            xml = (xml[:empty.start()] + f"<{p}authors>".encode() + entry
                   + f"</{p}authors>".encode() + xml[empty.end():])
    grown: dict[tuple[int, int], str] = {}
    edits: list[tuple[int, int, bytes]] = []
    pattern = re.compile(rb"<" + re.escape(p.encode()) + rb'comment\b[^>]*?\bref="([A-Z]+[0-9]+)"'
                         rb"[^>]*>")
    for match in pattern.finditer(xml):
        cell = cell_position(match.group(1).decode())
        if cell not in notes:
            continue
        close = xml.find(f"</{p}text>".encode(), match.end())
        if close < 0:
            raise Unusual("a comment without its text")
        own = _plain(xml[match.end():close], p)
        run = f"<{p}r>{_run(chr(10) * 2 + notes[cell])}</{p}r>"
        run = run.replace("<t ", f"<{p}t ").replace("</t>", f"</{p}t>")
        edits.append((close, close, run.encode()))
        grown[cell] = f"{own.rstrip()}\n\n{notes[cell]}"
    for close, _, run in sorted(edits, reverse=True):
        xml = xml[:close] + run + xml[close:]
    new = "".join(_comment(cell, text, author, p) for cell, text in sorted(notes.items())
                  if cell not in grown)
    end = xml.rfind(f"</{p}commentList>".encode())
    if end >= 0:
        xml = xml[:end] + new.encode() + xml[end:]
    else:
        empty = re.search(rb"<" + p.encode() + rb"commentList\s*/>", xml)
        if empty is None:
            raise Unusual("a comments part without its list")
        xml = (xml[:empty.start()] + f"<{p}commentList>{new}</{p}commentList>".encode()
               + xml[empty.end():])
    return xml, grown


def _plain(inner: bytes, p: str) -> str:
    """The text of a comment's runs, markup left out."""
    texts = re.findall(rb"<" + re.escape(p.encode()) + rb"t\b[^>]*>(.*?)</"
                       + re.escape(p.encode()) + rb"t>", inner, re.DOTALL)
    return unescape(b"".join(texts).decode("utf-8", "replace"))


def _shape(shape_id: int, cell: tuple[int, int], text: str, z: int,
           prefixes: dict[str, str]) -> str:
    row, col = cell[0] - 1, cell[1] - 1  # VML counts from 0
    height = box_height(text)
    v, o, x = (prefixes[k] for k in "vox")
    return (
        f'<{v}shape id="_x0000_s{shape_id}" type="#_x0000_t202" style="position:absolute;'
        f"margin-left:59.25pt;margin-top:1.5pt;width:{WIDTH_PT}pt;height:{height}pt;"
        f'z-index:{z};visibility:hidden" fillcolor="#ffffe1" {o}insetmode="auto">'
        f'<{v}fill color2="#ffffe1"/><{v}shadow on="t" color="black" obscured="t"/>'
        f'<{v}path {o}connecttype="none"/><{v}textbox style="mso-direction-alt:auto">'
        f'<div style="text-align:left"></div></{v}textbox><{x}ClientData ObjectType="Note">'
        f"<{x}MoveWithCells/><{x}SizeWithCells/><{x}Anchor>{_anchor(row, col, height)}"
        f"</{x}Anchor><{x}AutoFill>False</{x}AutoFill><{x}Row>{row}</{x}Row>"
        f"<{x}Column>{col}</{x}Column></{x}ClientData></{v}shape>")


def _anchor(row: int, col: int, height: float) -> str:
    """Where the box sits, in cells and pixels (Excel's default column and row sizes): to
    the right of its cell, from the row above."""
    top = max(row - 1, 0)
    across = math.ceil(WIDTH_PT / 0.75 / 64)
    down = math.ceil(height / 0.75 / 20)
    return f"{col + 1}, 15, {top}, 10, {col + 1 + across}, 15, {top + down}, 4"


def _used_blocks(package: Package) -> set[int]:
    used: set[int] = set()
    for name in [*package.infos, *package.added]:
        if name.lower().endswith(".vml"):
            for data in re.findall(rb'idmap\b[^>]*\bdata="([0-9, ]+)"', package.read(name)):
                used.update(int(n) for n in data.replace(b" ", b"").split(b",") if n)
    return used


def _new_drawing(package: Package, notes: dict[tuple[int, int], str]) -> bytes:
    block = max(_used_blocks(package), default=0) + 1
    blocks = math.ceil((len(notes) + 1) / 1024)
    data = ",".join(str(block + n) for n in range(blocks))
    plain = {k: f"{k}:" for k in VML}
    shapes = "".join(_shape(block * 1024 + 1 + n, cell, text, n + 1, plain)
                     for n, (cell, text) in enumerate(sorted(notes.items())))
    return ('<xml xmlns:v="urn:schemas-microsoft-com:vml" '
            'xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:x="urn:schemas-microsoft-com:office:excel">'
            f'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{data}"/>'
            f"</o:shapelayout>{_SHAPETYPE.format(**plain)}{shapes}</xml>").encode()


def _prefixes(vml: bytes) -> tuple[bytes, dict[str, str]]:
    """The drawing, its root declaring every VML namespace, and the prefix of each."""
    root = re.search(rb"<xml\b([^>]*)>", vml)
    if root is None:
        raise Unusual("a VML drawing without <xml>")
    prefixes, missing = {}, []
    for key, namespace in VML.items():
        found = re.search(rb'xmlns:([\w.-]+)="' + re.escape(namespace.encode()) + b'"',
                          root.group(1))
        if found is None:
            missing.append(f' xmlns:pmo{key}="{namespace}"')
            prefixes[key] = f"pmo{key}:"
        else:
            prefixes[key] = found.group(1).decode() + ":"
    if missing:
        vml = vml[:root.end() - 1] + "".join(missing).encode() + vml[root.end() - 1:]
    return vml, prefixes


def _extend_drawing(vml: bytes, fresh: dict[tuple[int, int], str],
                    grown: dict[tuple[int, int], str]) -> bytes:
    """The drawing with a box for each new comment, and the boxes of grown comments made
    large enough for their text."""
    vml, prefixes = _prefixes(vml)
    v, x = prefixes["v"].encode(), prefixes["x"].encode()
    if grown:
        vml = re.sub(rb"<" + re.escape(v) + rb"shape\b.*?</" + re.escape(v) + rb"shape>",
                     lambda m: _grow(m.group(0), grown, x), vml, flags=re.DOTALL)
    if not fresh:
        return vml
    if b'id="_x0000_t202"' not in vml:
        end = vml.find(b"shapelayout>")
        at = end + len(b"shapelayout>") if end >= 0 else vml.find(b">") + 1
        vml = vml[:at] + _SHAPETYPE.format(**prefixes).encode() + vml[at:]
    ids = [int(n) for n in re.findall(rb'\bid="_x0000_s([0-9]+)"', vml)]
    first = max(ids, default=1024) + 1
    shapes = "".join(_shape(first + n, cell, text, len(ids) + n + 1, prefixes)
                     for n, (cell, text) in enumerate(sorted(fresh.items())))
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise Unusual("a VML drawing without its end")
    blocks = {(first + n) // 1024 for n in range(len(fresh))}
    vml = re.sub(rb'(idmap\b[^>]*\bdata=")([0-9, ]+)"',
                 lambda m: m.group(1) + ",".join(str(n) for n in sorted(
                     {int(x) for x in m.group(2).replace(b" ", b"").split(b",") if x}
                     | blocks)).encode() + b'"', vml, count=1)
    return vml[:end] + shapes.encode() + vml[end:]


def _grow(shape: bytes, grown: dict[tuple[int, int], str], x: bytes) -> bytes:
    x = re.escape(x)
    row = re.search(rb"<" + x + rb"Row>\s*([0-9]+)\s*</" + x + rb"Row>", shape)
    col = re.search(rb"<" + x + rb"Column>\s*([0-9]+)\s*</" + x + rb"Column>", shape)
    if row is None or col is None:
        return shape
    cell = (int(row.group(1)) + 1, int(col.group(1)) + 1)
    if cell not in grown:
        return shape
    height = box_height(grown[cell])
    shape = re.sub(rb"width:\s*[0-9.]+(?:pt|px)", f"width:{WIDTH_PT}pt".encode(), shape,
                   count=1)
    shape = re.sub(rb"height:\s*[0-9.]+(?:pt|px)", f"height:{height}pt".encode(), shape,
                   count=1)
    anchor = f"{_anchor(cell[0] - 1, cell[1] - 1, height)}".encode()
    found = re.search(rb"(<" + x + rb"Anchor>).*?(</" + x + rb"Anchor>)", shape, re.DOTALL)
    if found is not None:
        shape = shape[:found.end(1)] + anchor + shape[found.start(2):]
    return shape

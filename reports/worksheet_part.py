"""One worksheet's XML edited as text: a style on chosen cells, a print set-up, a legacy
drawing (the comments' boxes), the tab no longer selected; every other byte as it was.

The edits find what they change by the names Excel gives it (`<row r="7">`, `<c r="H7">`),
never by parsing the whole sheet, so marking a cell in a sheet of 200,000 rows costs a
search, not a parse. A row or cell without its `r` (allowed, rarely written) is
:class:`~pmo_xl.reports.xlsx_package.Unusual`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from pmo_xl.findings import column_letter, column_number
from pmo_xl.reports.xlsx_package import NS_REL, Unusual, attribute

# The children of <worksheet> in the order the schema requires them (CT_Worksheet).
ORDER = ("sheetPr dimension sheetViews sheetFormatPr cols sheetData sheetCalcPr "
         "sheetProtection protectedRanges scenarios autoFilter sortState dataConsolidate "
         "customSheetViews mergeCells phoneticPr conditionalFormatting dataValidations "
         "hyperlinks printOptions pageMargins pageSetup headerFooter rowBreaks colBreaks "
         "customProperties cellWatches ignoredErrors smartTags drawing legacyDrawing "
         "legacyDrawingHF drawingHF picture oleObjects controls webPublishItems tableParts "
         "extLst").split()
_ATTRIBUTE = re.compile(rb'([\w:.-]+)\s*=\s*"([^"]*)"')
_REF = re.compile(rb"^([A-Z]{1,3})([0-9]+)$")
DEFAULT_WIDTH = 8.43  # Excel's column width, in characters, where none is set


@dataclass(frozen=True)
class PrintSetUp:
    """What a sheet without its own print set-up gets (see annotated_copy)."""

    orientation: str  # portrait / landscape
    across: int  # pages wide
    header: str  # left header text, "&" already doubled
    footer: str  # left footer text, "&" already doubled


class Worksheet:
    """A worksheet part's bytes and the edits made to them, kept in three pieces: the head
    (up to <sheetData>), the rows, and the tail (from </sheetData>). Print set-up and
    drawings change the head and tail, a few kilobytes; only marking cells touches the rows,
    which at 5,000 services are 58 MB that no other edit copies."""

    def __init__(self, xml: bytes) -> None:
        root = re.search(rb"<(?:([\w.-]+):)?worksheet\b([^>]*)>", xml)
        if root is None:
            raise Unusual("a worksheet part without <worksheet>")
        self.p = (root.group(1) + b":") if root.group(1) else b""
        self.root_end = root.end()
        rel = re.search(rb'xmlns:([\w.-]+)="' + NS_REL.encode() + b'"', root.group(2))
        self.r = rel.group(1).decode() if rel else None
        found = re.compile(self._tag("sheetData") + rb"\b[^>]*?(/?)>").search(xml, root.end())
        if found is None:
            raise Unusual("a worksheet without sheetData")
        close = b"</" + self.p + b"sheetData>"
        if found.group(1):  # <sheetData/>: the same as an empty pair, which rows can go in
            self.head = xml[:found.start()] + b"<" + self.p + b"sheetData>"
            self.rows, self.tail = b"", close + xml[found.end():]
            return
        # Its end is near the end of the part: looked for from there, not across the rows.
        end = xml.rfind(close, found.end())
        if end < 0:
            raise Unusual("sheetData without its end")
        self.head, self.rows, self.tail = xml[:found.end()], xml[found.end():end], xml[end:]

    @property
    def xml(self) -> bytes:
        return b"".join((self.head, self.rows, self.tail))

    # --- where things are ---------------------------------------------------------------

    def _tag(self, name: str) -> bytes:
        return b"<" + self.p + name.encode()

    def find(self, name: str) -> re.Match[bytes] | None:
        """The first element `name` after the rows (in the tail)."""
        return re.compile(self._tag(name) + rb"(?=[\s/>])").search(self.tail)

    def insert(self, name: str, element: bytes) -> None:
        """Put `element` (a child named `name`, one that follows sheetData) where the
        schema's order wants it."""
        later = ORDER[ORDER.index(name) + 1:]
        pattern = re.compile(rb"<(?:" + re.escape(self.p) + rb"(?:" + b"|".join(
            n.encode() for n in later) + rb")(?=[\s/>])|[\w.-]+:AlternateContent\b)")
        found = pattern.search(self.tail)
        at = found.start() if found else self.tail.rfind(b"</" + self.p + b"worksheet>")
        if at < 0:
            raise Unusual("a worksheet without its end")
        self.tail = self.tail[:at] + element + self.tail[at:]

    def element(self, name: str, attributes: dict[str, str], inner: bytes = b"") -> bytes:
        attrs = "".join(f' {key}="{attribute(value)}"' for key, value in attributes.items())
        tag = self.p + name.encode()
        if not inner:
            return b"<" + tag + attrs.encode() + b"/>"
        return b"<" + tag + attrs.encode() + b">" + inner + b"</" + tag + b">"

    # --- what the sheet holds -----------------------------------------------------------

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        """(first row, first column, last row, last column) of each merged range."""
        found = []
        pattern = re.compile(self._tag("mergeCell") + rb'\b[^>]*?\bref="([A-Z]+)([0-9]+)'
                             rb'(?::([A-Z]+)([0-9]+))?"')
        for match in pattern.finditer(self.tail):
            c1, r1 = column_number(match.group(1).decode()), int(match.group(2))
            c2 = column_number(match.group(3).decode()) if match.group(3) else c1
            r2 = int(match.group(4)) if match.group(4) else r1
            found.append((r1, c1, r2, c2))
        return found

    def column_styles_and_widths(self) -> tuple[dict[int, int], dict[int, float]]:
        """Column -> its style, column -> its custom width (from <cols>)."""
        styles: dict[int, int] = {}
        widths: dict[int, float] = {}
        for match in re.finditer(self._tag("col") + rb"\b([^>]*)>", self.head):
            attrs = dict(_ATTRIBUTE.findall(match.group(1)))
            try:
                low, high = int(attrs[b"min"]), int(attrs[b"max"])
            except (KeyError, ValueError):
                continue
            high = min(high, low + 16_384)
            style = attrs.get(b"style")
            custom = attrs.get(b"customWidth") in (b"1", b"true") and attrs.get(b"width")
            for col in range(low, high + 1):
                if style and style.isdigit():
                    styles[col] = int(style)
                if custom:
                    try:
                        widths[col] = float(attrs[b"width"])
                    except ValueError:
                        pass
        return styles, widths

    def extent(self) -> tuple[int, int]:
        """(last row, last column) with a cell: from <dimension>, else from the cells."""
        found = re.search(self._tag("dimension") + rb'\b[^>]*?\bref="(?:[A-Z]+[0-9]+:)?'
                          rb'([A-Z]+)([0-9]+)"', self.head)
        if found:
            return int(found.group(2)), column_number(found.group(1).decode())
        rows, cols = 0, 0
        for match in re.finditer(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Z]+)([0-9]+)"', self.rows):
            rows = max(rows, int(match.group(2)))
            cols = max(cols, column_number(match.group(1).decode()))
        return rows, cols

    def has_own_print_setup(self) -> bool:
        """Whether the sheet was set up for printing (an orientation chosen, or fit to
        pages); its print titles and area are in workbook.xml and asked there."""
        setup = self.find("pageSetup")
        if setup is not None:
            if b"orientation=" in self.tail[setup.start():self.tail.find(b">", setup.start())]:
                return True
        fit = re.search(self._tag("pageSetUpPr") + rb'\b[^>]*\bfitToPage="(?:1|true)"',
                        self.head)
        return fit is not None

    def selected(self) -> bool:
        return re.search(self._tag("sheetView") + rb'\b[^>]*\btabSelected="(?:1|true)"',
                         self.head) is not None

    # --- edits --------------------------------------------------------------------------

    def unselect(self) -> None:
        """The tab no longer selected: the copy opens on its findings, and two selected tabs
        would group the sheets (an edit in one would go to both)."""
        self.head = re.sub(rb"(" + self._tag("sheetView") + rb'\b[^>]*?)\s+tabSelected='
                           rb'"(?:1|true)"', rb"\1", self.head)

    def style_cells(self, cells: dict[tuple[int, int], Callable[[int], int]]) -> None:
        """Give each (row, column) the style its function makes of the style it has (the
        cell's, else its row's, else its column's, else 0); a cell or row the XML lacks
        (a blank cell) is added in its place."""
        if not cells:
            return
        column_styles = self.column_styles_and_widths()[0]
        by_row: dict[int, dict[int, Callable[[int], int]]] = {}
        for (row, col), restyle in cells.items():
            by_row.setdefault(row, {})[col] = restyle
        edits: list[tuple[int, int, bytes]] = []
        index = _RowIndex(self.rows, self.p)
        for row in sorted(by_row):
            found = index.find(row)
            if found is None:
                cells_xml = b"".join(self._new_cell(row, col, restyle(column_styles.get(col, 0)))
                                     for col, restyle in sorted(by_row[row].items()))
                at = index.insertion_point(row)
                edits.append((at, at, b"<" + self.p + b'row r="%d">' % row + cells_xml
                               + b"</" + self.p + b"row>"))
                continue
            edits += self._style_row(found, row, by_row[row], column_styles)
        self.rows = _apply(self.rows, edits)

    def _new_cell(self, row: int, col: int, style: int) -> bytes:
        return b"<" + self.p + b'c r="%s%d" s="%d"/>' % (column_letter(col).encode(), row,
                                                         style)

    def _style_row(self, found: tuple[int, int, int, bool], row: int,
                   cols: dict[int, Callable[[int], int]],
                   column_styles: dict[int, int]) -> list[tuple[int, int, bytes]]:
        tag_start, tag_end, content_end, closed = found
        xml = self.rows
        row_tag = xml[tag_start:tag_end]
        row_attrs = dict(_ATTRIBUTE.findall(row_tag))
        row_style = (int(row_attrs[b"s"]) if row_attrs.get(b"customFormat") in (b"1", b"true")
                     and row_attrs.get(b"s", b"").isdigit() else None)
        edits: list[tuple[int, int, bytes]] = []
        missing: list[tuple[int, bytes]] = []
        for col in sorted(cols):
            ref = column_letter(col).encode() + str(row).encode()
            start = _find_tag(xml, b"<" + self.p + b'c r="' + ref + b'"', tag_end, content_end)
            if start < 0:
                start = self._scan_cells(tag_end, content_end, ref)
            if start < 0:
                base = row_style if row_style is not None else column_styles.get(col, 0)
                missing.append((col, self._new_cell(row, col, cols[col](base))))
                continue
            end = xml.find(b">", start) + 1
            tag = xml[start:end]
            style = re.search(rb'\ss="([0-9]*)"', tag)
            if style is not None:
                base = int(style.group(1) or 0)
                new = tag[:style.start(1)] + str(cols[col](base)).encode() + tag[style.end(1):]
            else:
                base = row_style if row_style is not None else column_styles.get(col, 0)
                cut = end - (2 if tag.endswith(b"/>") else 1)
                new = xml[start:cut] + b' s="%d"' % cols[col](base) + xml[cut:end]
            edits.append((start, end, new))
        if missing:
            # Blank cells, added in column order among the row's cells; "spans" is only a
            # hint Excel may trust, so it goes rather than be wrong.
            new_tag = re.sub(rb'\sspans="[^"]*"', b"", row_tag)
            if closed:
                new_tag = new_tag[:-2].rstrip() + b">"
                edits.append((tag_start, tag_end, new_tag + b"".join(c for _, c in missing)
                              + b"</" + self.p + b"row>"))
                return edits
            edits.append((tag_start, tag_end, new_tag))
            positions = self._cell_positions(tag_end, content_end)
            for col, cell in missing:
                at = bisect.bisect_left([c for c, _ in positions], col)
                point = positions[at][1] if at < len(positions) else content_end
                edits.append((point, point, cell))
        return edits

    def _scan_cells(self, start: int, end: int, ref: bytes) -> int:
        """The position of cell `ref` between start and end, whatever its attributes'
        order; -1 when the row has no such cell."""
        for _col, position, this in self._cells(start, end):
            if this == ref:
                return position
        return -1

    def _cells(self, start: int, end: int):
        pattern = re.compile(rb"<" + re.escape(self.p) + rb"c\b([^>]*)>")
        for match in pattern.finditer(self.rows, start, end):
            ref = re.search(rb'\br="([A-Z]+[0-9]+)"', match.group(1))
            if ref is None:
                raise Unusual("a cell without its reference")
            letters = re.match(rb"[A-Z]+", ref.group(1)).group(0)
            yield column_number(letters.decode()), match.start(), ref.group(1)

    def _cell_positions(self, start: int, end: int) -> list[tuple[int, int]]:
        return [(col, position) for col, position, _ in self._cells(start, end)]

    def set_print_setup(self, setup: PrintSetUp) -> None:
        """A4, fit to `setup.across` pages wide and as many tall, the orientation, margins,
        and a header and footer (kept where the sheet has its own)."""
        self._fit_to_page()
        margins = self.element("pageMargins", {"left": "0.5", "right": "0.5", "top": "0.6",
                                               "bottom": "0.6", "header": "0.3",
                                               "footer": "0.3"})
        self._replace_or_insert("pageMargins", margins)
        attrs = {"paperSize": "9", "fitToWidth": str(setup.across), "fitToHeight": "0"}
        if setup.across > 1:
            attrs["pageOrder"] = "overThenDown"
        attrs["orientation"] = setup.orientation
        own = self.find("pageSetup")
        if own is not None:  # keep what else it says (its printer settings, its scale)
            tag = self.tail[own.start():self.tail.find(b">", own.start()) + 1]
            kept = {k.decode(): v.decode() for k, v in _ATTRIBUTE.findall(tag)
                    if k.decode() not in attrs}
            attrs = {**kept, **attrs}
        self._replace_or_insert("pageSetup", self.element("pageSetup", attrs))
        if self.find("headerFooter") is None:
            odd_header = self.element("oddHeader", {}, _amp(f"&L{setup.header}"))
            odd_footer = self.element("oddFooter", {},
                                      _amp(f"&L{setup.footer}&RPage &P of &N"))
            self.insert("headerFooter", self.element("headerFooter", {},
                                                      odd_header + odd_footer))

    def _replace_or_insert(self, name: str, element: bytes) -> None:
        found = self.find(name)
        if found is None:
            self.insert(name, element)
            return
        tail = self.tail
        end = tail.find(b">", found.start()) + 1
        if not tail[found.start():end].endswith(b"/>"):
            close = b"</" + self.p + name.encode() + b">"
            end = tail.find(close, end) + len(close)
        self.tail = tail[:found.start()] + element + tail[end:]

    def _fit_to_page(self) -> None:
        head = self.head
        found = re.search(self._tag("sheetPr") + rb"\b([^>]*?)(/?)>", head)
        fit = self.element("pageSetUpPr", {"fitToPage": "1"})
        if found is None:
            head = head[:self.root_end] + self.element("sheetPr", {}, fit) + head[self.root_end:]
        elif found.group(2):  # <sheetPr .../>
            head = (head[:found.start()] + b"<" + self.p + b"sheetPr" + found.group(1) + b">"
                    + fit + b"</" + self.p + b"sheetPr>" + head[found.end():])
        else:
            close = head.find(b"</" + self.p + b"sheetPr>", found.end())
            inner = head[found.end():close]
            own = re.search(self._tag("pageSetUpPr") + rb"\b([^>]*?)/>", inner)
            if own is None:
                inner = inner + fit
            else:
                attrs = re.sub(rb'\sfitToPage="[^"]*"', b"", own.group(1))
                inner = (inner[:own.start()] + b"<" + self.p + b"pageSetUpPr" + attrs
                         + b' fitToPage="1"/>' + inner[own.end():])
            head = head[:found.end()] + inner + head[close:]
        self.head = head

    def add_legacy_drawing(self, relationship_id: str) -> None:
        """Point the sheet at the drawing that holds its comments' boxes."""
        prefix = self.r or "r"
        declare = "" if self.r else f' xmlns:r="{NS_REL}"'
        element = (b"<" + self.p + b"legacyDrawing" + declare.encode()
                   + f' {prefix}:id="{attribute(relationship_id)}"/>'.encode())
        self.insert("legacyDrawing", element)

    def legacy_drawing_id(self) -> str | None:
        found = re.search(self._tag("legacyDrawing") + rb'\b[^>]*?\b(?:[\w.-]+:)?id="([^"]+)"',
                          self.tail)
        return found.group(1).decode() if found else None


class _RowIndex:
    """Finding a row's element by its number in the rows: a direct search for `<row r="7"`
    (how every spreadsheet application writes it), else one pass over the rows."""

    def __init__(self, rows: bytes, p: bytes) -> None:
        self.xml, self.p = rows, p
        self._rows: list[tuple[int, int]] | None = None  # (row, position), in order
        self._after = 0  # rows are asked for in order: each search starts at the last

    def find(self, row: int) -> tuple[int, int, int, bool] | None:
        """(start of its tag, end of its tag, end of its content, self-closed), or None.
        Rows are asked for in ascending order."""
        xml, p = self.xml, self.p
        start = _find_tag(xml, b"<" + p + b'row r="%d"' % row, self._after, len(xml))
        if start >= 0:
            self._after = start
        else:
            rows = self.rows()
            at = bisect.bisect_left(rows, (row, -1))
            if at == len(rows) or rows[at][0] != row:
                return None
            start = rows[at][1]
        tag_end = xml.find(b">", start) + 1
        if xml[tag_end - 2:tag_end] == b"/>":
            return start, tag_end, tag_end, True
        close = xml.find(b"</" + p + b"row>", tag_end)
        if close < 0:
            raise Unusual("a row without its end")
        return start, tag_end, close, False

    def rows(self) -> list[tuple[int, int]]:
        if self._rows is None:
            found = []
            for match in re.compile(rb"<" + re.escape(self.p) + rb"row\b([^>]*)>").finditer(
                    self.xml):
                number = re.search(rb'\br="([0-9]+)"', match.group(1))
                if number is None:
                    raise Unusual("a row without its number")
                found.append((int(number.group(1)), match.start()))
            if any(a[0] >= b[0] for a, b in zip(found, found[1:], strict=False)):
                raise Unusual("rows out of order")
            self._rows = found
        return self._rows

    def insertion_point(self, row: int) -> int:
        """Where a new row `row` goes: before the first row after it, else at the end."""
        rows = self.rows()
        at = bisect.bisect_left(rows, (row, -1))
        return rows[at][1] if at < len(rows) else len(self.xml)


def _find_tag(xml: bytes, needle: bytes, start: int, end: int) -> int:
    """The position of `needle` (a tag's start up to an attribute's closing quote) between
    start and end, followed by the end of that attribute; -1 when absent."""
    at = xml.find(needle, start, end)
    while at >= 0:
        after = xml[at + len(needle):at + len(needle) + 1]
        if after in (b" ", b">", b"/", b"\t", b"\r", b"\n"):
            return at
        at = xml.find(needle, at + 1, end)
    return -1


def _apply(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """`xml` with each (start, end, replacement) applied; edits do not overlap."""
    if not edits:
        return xml
    pieces, last = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        if start < last:
            raise Unusual("edits overlap")
        pieces += [xml[last:start], replacement]
        last = end
    pieces.append(xml[last:])
    return b"".join(pieces)


def _amp(text: str) -> bytes:
    return attribute(text).encode()


def widths_of(sheet: Worksheet) -> list[float]:
    """Each used column's width in characters (8.43 where none is set)."""
    _rows, last_col = sheet.extent()
    custom = sheet.column_styles_and_widths()[1]
    return [custom.get(col, DEFAULT_WIDTH) for col in range(1, max(last_col, 1) + 1)]


def cell_position(address: str) -> tuple[int, int]:
    """`I998` -> (998, 9)."""
    match = _REF.match(address.encode())
    if match is None:
        raise Unusual(f"{address} is not a cell")
    return int(match.group(2)), column_number(match.group(1).decode())

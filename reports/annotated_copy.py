"""The annotated copy (`pmo-xl check --annotate`): the master with its findings first and
each failing cell marked.

- A first sheet, "pmo-xl findings", lists every finding in the one order the terminal and
  the findings workbook use, each cell address a link to the cell (a finding on a sheet the
  copy has no cells for, a missing sheet or a chart sheet, is listed without one); the copy
  opens on it.
- Each failing cell is filled in its worst severity's colour (red error, amber warning, blue
  info; a waived finding alone leaves the cell unfilled) and carries an Excel comment with
  every finding on it, after any comment it had (the template's guidance on a header). A
  finding on a merged cell is marked on the range's first cell, the one Excel shows.
- A sheet the master has not set up for printing gets A4, one page wide (landscape unless it
  fits upright, or a few pages across with its ID column on each), its header row on every
  page, and a footer naming the master and the check.
- Everything else is the master's own bytes: values, formulas, tables, drop-downs,
  conditional formats, defined names, styles, print set-up, merged cells. A number Excel
  cannot hold (NaN, INF) is blank, as the check read it.

The master itself is only read: its bytes are checked against the check's fingerprint, the
copy is built from them in memory and written through ``atomic_output``. The copy is made by
editing the package's parts as text (:mod:`pmo_xl.reports.xlsx_package`), not by loading the
workbook: at 1,000 services that takes a fraction of a second where openpyxl took 17 s of
CPU. A package laid out in a way the edits do not handle (rows without their numbers, no
styles part) is first passed through openpyxl once, then edited the same way.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from defusedxml import ElementTree as SafeET

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import SEVERITY_ORDER, Finding, column_letter
from pmo_xl.output import atomic_output
from pmo_xl.reports import styles as house
from pmo_xl.reports.cell_notes import add_notes
from pmo_xl.reports.excel_numbers import without_unholdable_numbers
from pmo_xl.reports.findings_workbook import FINDINGS_COLUMNS, MAX_LINKS, SEVERITY_LABEL
from pmo_xl.reports.styles_part import Styles
from pmo_xl.reports.worksheet_part import (
    PrintSetUp,
    Worksheet,
    cell_position,
    widths_of,
)
from pmo_xl.reports.xlsx_package import (
    CONTENT_TYPE,
    NS_MAIN,
    NS_REL,
    Package,
    Unusual,
    attribute,
    xml_text,
)
from pmo_xl.validators.engine import CheckResult
from pmo_xl.workbook.paging import fits_portrait, pages_wide
from pmo_xl.workbook.text_fit import line_count

FINDINGS_SHEET = "pmo-xl findings"
WORKBOOK = "xl/workbook.xml"
STYLES_TYPE = "/styles"
LINK_COLOUR = "FF0563C1"  # Excel's hyperlink blue
Progress = Callable[[str], None]
# The findings sheet's columns that hold free text (Sheet, Record, Message, Hint, Waiver
# Reason): the only ones that can make a row taller.
_WRAPPING = (2, 4, 5, 6, 8)


def write_annotated_copy(result: CheckResult, path: Path,
                         progress: Progress | None = None) -> Path:
    """Write the annotated copy of the checked master to `path`; `progress` hears what it is
    doing ("Annotating KPIs: 2,397 cells…")."""
    path = Path(path)
    with atomic_output(path, source=result.master.path) as temp:
        data = without_unholdable_numbers(_read_checked_bytes(result))
        footer = f"{result.master.path.name}, checked as of {result.as_of.isoformat()}"
        try:
            copy = annotated(data, result.findings, footer, progress)
        except Unusual:
            copy = annotated(_through_openpyxl(data), result.findings, footer, progress)
        if progress is not None:
            progress("Writing the annotated copy…")
        temp.write_bytes(copy)
    return path


def _read_checked_bytes(result: CheckResult) -> bytes:
    """The master's bytes, refusing if it changed since the check (cells would not match)."""
    try:
        data = result.master.path.read_bytes()
    except OSError as exc:
        raise CannotCheck(f"{result.master.path} cannot be read again for the annotated "
                          f"copy: {exc.strerror or exc}.") from None
    if hashlib.sha256(data).hexdigest() != result.master.sha256:
        raise CannotCheck(f"{result.master.path.name} changed while it was being checked; "
                          "run the check again for an annotated copy.")
    return data


def _through_openpyxl(data: bytes) -> bytes:
    """The package as openpyxl writes it (every row and cell numbered, a styles part)."""
    import openpyxl

    with warnings.catch_warnings():  # "extension is not supported": not the user's concern
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(io.BytesIO(data))
        out = io.BytesIO()
        book.save(out)
    return out.getvalue()


def comment_text(finding: Finding) -> str:
    """`S106 Error: <message>\\nHint: <hint>` (and the waiver, where there is one): the
    severity spelt as every workbook spells it."""
    label = SEVERITY_LABEL.get(finding.severity, finding.severity)
    text = f"{finding.rule} {label}: {finding.message}\nHint: {finding.hint}"
    if finding.waived:
        text += f"\nWaived: {finding.waiver_reason or 'yes'}"
    return text


def _fill_colour(findings: Iterable[Finding]) -> str | None:
    counted = [f for f in findings if not f.waived]
    if not counted:
        return None
    worst = min(counted, key=lambda f: SEVERITY_ORDER.get(f.severity, 9)).severity
    # Opaque ARGB: a fill with alpha 00 may show as transparent in some viewers.
    return "FF" + house.SEVERITY_FILL_HEX.get(worst, house.SEVERITY_FILL_HEX["info"])


# --- the copy ---------------------------------------------------------------------------


class _Book:
    """workbook.xml: its sheets in order, their parts and kinds, and the edits to it."""

    def __init__(self, package: Package) -> None:
        self.package = package
        self.xml = package.read(WORKBOOK)
        root = re.search(rb"<(?:([\w.-]+):)?workbook\b([^>]*)>", self.xml)
        if root is None:
            raise Unusual("a workbook part without <workbook>")
        self.p = (root.group(1) + b":") if root.group(1) else b""
        rel = re.search(rb'xmlns:([\w.-]+)="' + NS_REL.encode() + b'"', root.group(2))
        self.r = rel.group(1).decode() if rel else None
        relations = {r["Id"]: r for r in package.relationships(WORKBOOK)}
        tree = SafeET.fromstring(self.xml)
        self.sheets: list[tuple[str, str | None, str]] = []  # title, part, kind
        for node in tree.iter(f"{{{NS_MAIN}}}sheet"):
            relation = relations.get(node.get(f"{{{NS_REL}}}id") or "")
            kind = relation["Type"].rpartition("/")[2] if relation else ""
            self.sheets.append((node.get("name", ""), relation["Target"] if relation else None,
                                kind))
        self.sheet_ids = [int(node.get("sheetId") or 0)
                          for node in tree.iter(f"{{{NS_MAIN}}}sheet")]
        self.print_names = {
            int(node.get("localSheetId")) for node in tree.iter(f"{{{NS_MAIN}}}definedName")
            if node.get("name") in ("_xlnm.Print_Titles", "_xlnm.Print_Area")
            and (node.get("localSheetId") or "").isdigit()}
        styles = next((r["Target"] for r in relations.values()
                       if r["Type"].endswith(STYLES_TYPE)), None)
        if styles is None or not package.has(styles):
            raise Unusual("a workbook without styles")
        self.styles_part = styles
        self.new_names: list[tuple[int, str, str, bool]] = []  # sheet, name, text, hidden

    def worksheets(self) -> Iterable[tuple[int, str, str]]:
        for index, (title, part, kind) in enumerate(self.sheets):
            if kind == "worksheet" and part is not None and self.package.has(part):
                yield index, title, part

    def print_titles(self, index: int, title: str, rows: bool, cols: bool) -> None:
        quoted = "'" + title.replace("'", "''") + "'"
        parts = ([f"{quoted}!$A:$A"] if cols else []) + ([f"{quoted}!$1:$1"] if rows else [])
        if parts:
            self.new_names.append((index, "_xlnm.Print_Titles", ",".join(parts), False))

    def free_title(self, wanted: str) -> str:
        taken = {title.casefold() for title, _, _ in self.sheets}
        title, number = wanted, 1
        while title.casefold() in taken:
            number += 1
            title = f"{wanted} ({number})"
        return title

    def add_first_sheet(self, title: str, part: str) -> None:
        """`part` as the first sheet, the one the workbook opens on; every sheet-scoped name
        moves up one place with the sheets."""
        package, p = self.package, self.p
        relation = package.relate(WORKBOOK, "worksheet", part)
        package.declare(part, CONTENT_TYPE["worksheet"])
        prefix = self.r or "r"
        declare = "" if self.r else f' xmlns:r="{NS_REL}"'
        entry = (f'<{p.decode()}sheet name="{attribute(title)}" '
                 f'sheetId="{max(self.sheet_ids, default=0) + 1}"{declare} '
                 f'{prefix}:id="{relation}"/>').encode()
        xml = re.sub(rb'(\blocalSheetId=")([0-9]+)(")',
                     lambda m: m.group(1) + str(int(m.group(2)) + 1).encode() + m.group(3),
                     self.xml)
        sheets = re.search(rb"<" + re.escape(p) + rb"sheets\b[^>]*>", xml)
        if sheets is None:
            raise Unusual("a workbook without <sheets>")
        xml = xml[:sheets.end()] + entry + xml[sheets.end():]
        view = re.search(rb"<" + re.escape(p) + rb"workbookView\b([^>]*?)(/?)>", xml)
        if view is not None:
            attrs = re.sub(rb'\s(?:activeTab|firstSheet)="[^"]*"', b"", view.group(1))
            xml = (xml[:view.start()] + b"<" + p + b"workbookView" + attrs
                   + b' activeTab="0"' + view.group(2) + b">" + xml[view.end():])
        else:
            xml = (xml[:sheets.start()] + b"<" + p + b"bookViews><" + p
                   + b'workbookView activeTab="0"/></' + p + b"bookViews>"
                   + xml[sheets.start():])
        self.xml = xml

    def to_bytes(self) -> bytes:
        if not self.new_names:
            return self.xml
        p = self.p
        names = b"".join(
            b"<" + p + b'definedName name="' + name.encode() + b'"'
            + (b' hidden="1"' if hidden else b"") + b' localSheetId="%d">' % index
            + xml_text(text).encode() + b"</" + p + b"definedName>"
            for index, name, text, hidden in self.new_names)
        xml = self.xml
        end = xml.find(b"</" + p + b"definedNames>")
        if end >= 0:
            return xml[:end] + names + xml[end:]
        empty = re.search(rb"<" + re.escape(p) + rb"definedNames\s*/>", xml)
        block = b"<" + p + b"definedNames>" + names + b"</" + p + b"definedNames>"
        if empty is not None:
            return xml[:empty.start()] + block + xml[empty.end():]
        for after in (b"externalReferences", b"functionGroups", b"sheets"):
            close = xml.find(b"</" + p + after + b">")
            if close >= 0:
                at = close + len(b"</" + p + after + b">")
                return xml[:at] + block + xml[at:]
        raise Unusual("a workbook without a place for defined names")


def annotated(data: bytes, findings: list[Finding], footer: str,
              progress: Progress | None = None) -> bytes:
    """The bytes of the annotated copy of the package `data` (see the module's docstring)."""
    package = Package(data)
    book = _Book(package)
    styles = Styles(package.read(book.styles_part))
    title_of = {title: index for index, title, _ in book.worksheets()}
    by_sheet: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in findings:
        if finding.sheet in title_of:
            by_sheet[finding.sheet][finding.cell].append(finding)
    for index, title, part in book.worksheets():
        cells = by_sheet.get(title, {})
        if cells and progress is not None:
            count = len(cells)
            progress(f"Annotating {title}: {count:,} cell{'' if count == 1 else 's'}…")
        sheet = Worksheet(package.read(part))
        changed = bool(cells)
        if cells:
            _mark(package, part, sheet, cells, styles)
        if index not in book.print_names and not sheet.has_own_print_setup():
            rows, cols = _set_up_for_print(sheet, title, footer)
            book.print_titles(index, title, rows, cols)
            changed = True
        if sheet.selected():
            sheet.unselect()
            changed = True
        if changed:
            package.write(part, sheet.xml)
    findings_title = book.free_title(FINDINGS_SHEET)
    part = package.new_name("xl/worksheets/sheet{}.xml")
    # Every sheet moves up one place: the names given above, then the findings sheet's.
    book.new_names = [(i + 1, name, text, hidden) for i, name, text, hidden in book.new_names]
    listing, rows = _findings_sheet(findings, set(title_of), styles, findings_title, footer)
    package.write(part, listing)
    book.add_first_sheet(findings_title, part)
    book.print_titles(0, findings_title, rows=rows > 1, cols=False)
    if findings:
        book.new_names.append((0, "_xlnm._FilterDatabase",
                               f"'{findings_title.replace(chr(39), chr(39) * 2)}'!$A$1:$"
                               f"{column_letter(len(FINDINGS_COLUMNS))}${rows}", True))
    package.write(WORKBOOK, book.to_bytes())
    package.write(book.styles_part, styles.to_bytes())
    return package.save()


def _mark(package: Package, part: str, sheet: Worksheet,
          cells: dict[str, list[Finding]], styles: Styles) -> None:
    """Fill each failing cell (on the merged range's first cell where it is hidden under
    one) and give it a comment with its findings."""
    merged = sheet.merged_ranges()
    shown: dict[tuple[int, int], list[Finding]] = defaultdict(list)
    for cell, on_cell in cells.items():
        row, col = cell_position(cell)
        for r1, c1, r2, c2 in merged:
            if r1 <= row <= r2 and c1 <= col <= c2:
                row, col = r1, c1
                break
        shown[(row, col)].extend(on_cell)
    fills = {}
    for position, on_cell in shown.items():
        colour = _fill_colour(on_cell)
        if colour is not None:
            fills[position] = (lambda base, c=colour: styles.with_fill(base, c))
    sheet.style_cells(fills)
    add_notes(package, part, sheet, {position: "\n\n".join(comment_text(f) for f in on_cell)
                                     for position, on_cell in shown.items()})


def _set_up_for_print(sheet: Worksheet, title: str, footer: str) -> tuple[bool, bool]:
    """Print set-up for a sheet that has none; whether its header row and its first column
    repeat on every page (print titles)."""
    widths = widths_of(sheet)
    across = pages_wide(widths)
    sheet.set_print_setup(PrintSetUp(
        orientation="portrait" if fits_portrait(widths) else "landscape", across=across,
        header=title.replace("&", "&&"), footer=footer.replace("&", "&&")))
    last_row, _ = sheet.extent()
    return last_row > 1, across > 1


# --- the findings sheet -----------------------------------------------------------------


def _findings_sheet(findings: list[Finding], sheets: set[str], styles: Styles, title: str,
                    footer: str) -> tuple[bytes, int]:
    """The XML of the findings sheet, and its last row."""
    font = styles.font(size=house.FONT_SIZE)
    text = styles.cell_format(font=font, wrap=True)
    header = styles.cell_format(font=styles.font(bold=True, rgb="FFFFFFFF",
                                                 size=house.FONT_SIZE),
                                fill=styles.fill("FF" + house.HEADER_FILL.lstrip("#")),
                                wrap=True, vertical="center")
    link = styles.cell_format(font=styles.font(underline=True, rgb=LINK_COLOUR,
                                               size=house.FONT_SIZE))
    severity = {
        level: styles.cell_format(
            font=styles.font(bold=True, rgb="FF" + colours["font_color"].lstrip("#"),
                             size=house.FONT_SIZE),
            fill=styles.fill("FF" + colours["bg_color"].lstrip("#")))
        for level, colours in house.SEVERITY.items()}
    widths = [width for _, width in FINDINGS_COLUMNS]
    rows = [_row(1, [(h, header) for h, _ in FINDINGS_COLUMNS], height=None)]
    links = []
    for number, finding in enumerate(findings, start=2):
        label = f"{finding.sheet}!{finding.cell}"
        linked = finding.sheet in sheets and number - 1 <= MAX_LINKS
        values = [
            (SEVERITY_LABEL.get(finding.severity, finding.severity),
             severity.get(finding.severity, text)),
            (finding.rule, text), (finding.sheet, text), (label, link if linked else text),
            (finding.record, text), (finding.message, text), (finding.hint, text),
            ("Yes" if finding.waived else "No", text), (finding.waiver_reason, text)]
        # Excel and LibreOffice do not grow a row for wrapped text a program wrote; only the
        # free-text columns can wrap.
        lines = max(line_count(str(values[col][0] or ""), widths[col], size=house.FONT_SIZE)
                    for col in _WRAPPING)
        rows.append(_row(number, values, height=lines * house.LINE_HEIGHT if lines > 1
                         else None))
        if linked:
            target = "'" + finding.sheet.replace("'", "''") + "'!" + finding.cell
            links.append(f'<hyperlink ref="D{number}" location="{attribute(target)}" '
                         f'display="{attribute(label)}" '
                         f'tooltip="Open the master at this cell"/>')
    last_row = len(findings) + 1
    if not findings:
        rows.append(_row(2, [("No findings: every rule that was run passed.", text)],
                         height=None))
        last_row = 2
    last_col = column_letter(len(FINDINGS_COLUMNS))
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    filters = f'<autoFilter ref="A1:{last_col}{last_row}"/>' if findings else ""
    hyperlinks = f"<hyperlinks>{''.join(links)}</hyperlinks>" if links else ""
    across = pages_wide(widths)
    header_text = xml_text(f"&L{title.replace('&', '&&')}")
    footer_text = xml_text(f"&L{footer.replace('&', '&&')}&RPage &P of &N")
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{NS_MAIN}" xmlns:r="{NS_REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{last_col}{last_row}"/>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f"<sheetData>{''.join(rows)}</sheetData>{filters}{hyperlinks}"
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
        'footer="0.3"/>'
        f'<pageSetup paperSize="9" fitToWidth="{across}" fitToHeight="0"'
        f'{" pageOrder=" + chr(34) + "overThenDown" + chr(34) if across > 1 else ""} '
        'orientation="landscape"/>'
        f"<headerFooter><oddHeader>{header_text}</oddHeader>"
        f"<oddFooter>{footer_text}</oddFooter></headerFooter>"
        "</worksheet>")
    return xml.encode("utf-8"), last_row


def _row(number: int, values: list[tuple[object, int]], height: float | None) -> str:
    """One row of inline-string cells (text, never a formula: master text such as "=1+1"
    stays text)."""
    cells = []
    for letter, (value, style) in zip(_LETTERS, values, strict=False):
        if value is None or value == "":
            cells.append(f'<c r="{letter}{number}" s="{style}"/>')
        else:
            cells.append(f'<c r="{letter}{number}" s="{style}" t="inlineStr"><is>'
                         f'<t xml:space="preserve">{xml_text(str(value)[:32_767])}</t></is></c>')
    tall = f' ht="{height:g}" customHeight="1"' if height else ""
    return f'<row r="{number}"{tall}>{"".join(cells)}</row>'


_LETTERS = [column_letter(col) for col in range(1, len(FINDINGS_COLUMNS) + 1)]

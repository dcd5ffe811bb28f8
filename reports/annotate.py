"""The annotated copy (`pmo-xl check --annotate`): the master with each failing cell marked.

Each failing cell gets a fill in its worst severity's colour (red error, amber warning, blue
info) and an Excel comment with every finding on it. The master itself is only read: its
bytes are copied, the copy is edited and written through ``atomic_output``. openpyxl keeps
the master's Excel tables, drop-downs (data validations), conditional formats, defined names,
header comments and values; findings on a sheet the master does not have (or on a chart
sheet, which has no cells) are listed on an extra sheet, "pmo-xl findings". A finding on a
merged cell is marked on the merge's first cell, the one Excel shows.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections import defaultdict
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import SEVERITY_ORDER, Finding, severity_label
from pmo_xl.output import atomic_output
from pmo_xl.reports.excel_numbers import without_unholdable_numbers
from pmo_xl.reports.styles import SEVERITY_FILL_HEX
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import NOT_FINITE
from pmo_xl.workbook.paging import fits_portrait, pages_wide

AUTHOR = "pmo-xl"
FINDINGS_SHEET = "pmo-xl findings"
# Comment boxes large enough to read a finding and its hint without resizing (points).
COMMENT_WIDTH = 320
COMMENT_LINE_HEIGHT = 15


def write_annotated_copy(result: CheckResult, path: Path) -> Path:
    """Write a copy of the checked master to `path`, each failing cell filled and commented."""
    path = Path(path)
    master_path = result.master.path
    with atomic_output(path, source=master_path) as temp:
        book = _load_copy(result, _read_checked_bytes(result))
        by_cell: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        missing: list[Finding] = []
        worksheets = {sheet.title for sheet in book.worksheets if isinstance(sheet, Worksheet)}
        for finding in result.findings:
            if finding.sheet in worksheets:
                by_cell[(finding.sheet, _shown_cell(book[finding.sheet], finding.cell))].append(
                    finding)
            else:
                missing.append(finding)
        for (sheet, cell), findings in by_cell.items():
            _annotate_cell(book[sheet][cell], findings)
        if missing:
            _findings_sheet(book, missing)
        for sheet in book.worksheets:
            _print_setup(sheet, f"{master_path.name}, checked as of {result.as_of.isoformat()}")
        # Saved into memory, then written in one go: on a full disk openpyxl's half-written
        # zip would otherwise complain again, with a traceback, when it is collected.
        buffer = io.BytesIO()
        book.save(buffer)
        temp.write_bytes(buffer.getbuffer())
    return path


def _load_copy(result: CheckResult, master_bytes: bytes):
    """The master as openpyxl reads it; a number Excel cannot hold (NaN, INF: S105 names it)
    is left blank in the copy, as the check read it (openpyxl cannot load NaN at all)."""
    unholdable = any(odd.kind == NOT_FINITE for table in result.master.sheets.values()
                     for odd in table.odd_values)
    if unholdable:
        master_bytes = without_unholdable_numbers(master_bytes)
    with warnings.catch_warnings():  # "extension is not supported" and the like: not
        warnings.simplefilter("ignore")  # the user's concern, and not a finding
        try:
            return openpyxl.load_workbook(io.BytesIO(master_bytes))
        except ValueError:
            if unholdable:
                raise
        # NaN on a sheet the check does not read (a PMO's own sheet): clean, then load.
        return openpyxl.load_workbook(io.BytesIO(without_unholdable_numbers(master_bytes)))


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


def _shown_cell(sheet: Worksheet, cell: str) -> str:
    """The cell itself, or for a cell inside a merged range the range's first cell: the
    others are hidden under it and take no fill or comment."""
    if not sheet.merged_cells.ranges:
        return cell
    for merged in sheet.merged_cells.ranges:
        if cell in merged and cell != merged.start_cell.coordinate:
            return merged.start_cell.coordinate
    return cell


def comment_text(finding: Finding) -> str:
    """`S106 Error: <message>\\nHint: <hint>` (and the waiver, where there is one)."""
    text = (f"{finding.rule} {severity_label(finding.severity)}: {finding.message}\n"
            f"Hint: {finding.hint}")
    if finding.waived:
        text += f"\nWaived: {finding.waiver_reason or 'yes'}"
    return text


def _annotate_cell(cell, findings: list[Finding]) -> None:
    counted = [f for f in findings if not f.waived]
    if counted:
        worst = min(counted, key=lambda f: SEVERITY_ORDER.get(f.severity, 9)).severity
        # Opaque ARGB: a fill with alpha 00 may show as transparent in some viewers.
        colour = "FF" + SEVERITY_FILL_HEX.get(worst, SEVERITY_FILL_HEX["info"])
        cell.fill = PatternFill(fill_type="solid", start_color=colour, end_color=colour)
    parts = [comment_text(f) for f in findings]
    if cell.comment is not None:
        # A header's guidance comment from the template stays; the findings follow it.
        parts.insert(0, cell.comment.text.rstrip())
    text = "\n\n".join(parts)
    lines = sum(max(1, len(line) // 48 + 1) for line in text.splitlines())
    cell.comment = Comment(text, AUTHOR, height=min(600, COMMENT_LINE_HEIGHT * (lines + 1)),
                           width=COMMENT_WIDTH)


def _findings_sheet(book, findings: list[Finding]) -> None:
    """Findings whose sheet is not in the master (a missing sheet, S101) as a list."""
    sheet = book.create_sheet(FINDINGS_SHEET)
    headers = ["Rule", "Severity", "Sheet", "Cell", "Record", "Message", "Hint"]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for finding in findings:
        row = [finding.rule, severity_label(finding.severity), finding.sheet, finding.cell,
               finding.record or "", finding.message, finding.hint]
        sheet.append(row)
        # openpyxl would store "=..." text as a formula; mark every cell as a string.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for index, width in enumerate([8, 9, 20, 8, 12, 60, 50], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _print_setup(sheet, footer: str) -> None:
    """A4, one page wide (landscape unless the sheet fits upright at full size), the header
    row on every page, and a footer naming the master and the check; a sheet the master
    already set up for printing keeps its own."""
    setup = sheet.page_setup
    properties = sheet.sheet_properties.pageSetUpPr
    if (setup.orientation or sheet.print_title_rows or sheet.print_area
            or (properties is not None and properties.fitToPage)):
        return
    widths = _widths(sheet)
    setup.orientation = "portrait" if fits_portrait(widths) else "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    # One page wide unless that would shrink the text past reading (see pages_wide); then a
    # few pages across, each row's pages in turn, with the ID column on every one.
    across = pages_wide(widths)
    setup.fitToWidth, setup.fitToHeight = across, 0
    if across > 1:
        setup.pageOrder = "overThenDown"
        sheet.print_title_cols = "A:A"
    sheet.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    if sheet.max_row > 1:
        sheet.print_title_rows = "1:1"
    sheet.oddHeader.left.text = sheet.title.replace("&", "&&")
    sheet.oddFooter.left.text = footer.replace("&", "&&")
    sheet.oddFooter.right.text = "Page &P of &N"


def _widths(sheet) -> list[float]:
    """Each used column's width in characters (Excel's default, 8.43, where none is set)."""
    widths = [8.43] * sheet.max_column
    for dimension in sheet.column_dimensions.values():
        if dimension.customWidth and dimension.width and dimension.min:
            for col in range(dimension.min, min(dimension.max or dimension.min,
                                                len(widths)) + 1):
                widths[col - 1] = dimension.width
    return widths

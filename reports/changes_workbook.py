"""The changes workbook (`pmo-xl diff -o changes.xlsx`): two versions of the master compared.

Summary (both versions, counts per sheet, drift findings by severity) · Changes (one row per
change, old and new values side by side, each cell a hyperlink that opens the master at it:
NEW for added and changed records, OLD for removed ones) · Drift findings (linked the same
way). Links are relative to the changes workbook, as in the findings workbook.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from openpyxl.utils import quote_sheetname
from xlsxwriter.worksheet import Worksheet

from pmo_xl import links as links_to
from pmo_xl.compare.comparison import Comparison
from pmo_xl.compare.diff import (
    ADDED,
    CHANGED,
    COLUMN_ADDED,
    COLUMN_REMOVED,
    REMOVED,
    UNMATCHED,
)
from pmo_xl.compare.packs import SNAPSHOT
from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.output import atomic_output, refuse_master
from pmo_xl.reports.common import (
    AS_OF_LABEL,
    GENERATED_LABEL,
    ORGANISATION_LABEL,
    generated_at,
)
from pmo_xl.reports.styles import (
    TableColumn,
    cover_block,
    formats,
    new_workbook,
    print_setup,
    write_table,
)
from pmo_xl.workbook.master import collector_paused

# Excel allows 65,530 hyperlinks on one worksheet; beyond that the address is plain text.
MAX_LINKS = 65_530
KIND_LABEL = {ADDED: "Added", REMOVED: "Removed", CHANGED: "Changed",
              COLUMN_ADDED: "Column added", COLUMN_REMOVED: "Column removed",
              UNMATCHED: "Cannot be matched"}
CELL_COLUMN = 6  # the Changes table's "Cell" column


def write_changes_workbook(comparison: Comparison, path: Path) -> Path:
    """Write the comparison to `path` (.xlsx); never over either version."""
    path = Path(path)
    old, new = comparison.old.master.path, comparison.new.master.path
    refuse_master(path, old)
    generated = generated_at()
    organisation = comparison.new.settings.organisation
    with collector_paused(), atomic_output(path, source=new) as temp:
        workbook = new_workbook(temp, f"pmo-xl changes: {old.name} → {new.name}",
                                f"Changes as of {comparison.as_of.isoformat()}", organisation)
        fmt = formats(workbook)
        fmt["count"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                            "valign": "top", "align": "center",
                                            "num_format": "0"})
        links = {False: links_to.master_link(new, path),
                 True: links_to.master_link(old, path)}
        _summary(workbook.add_worksheet("Summary"), fmt, comparison, generated, organisation)
        _changes(workbook.add_worksheet("Changes"), fmt, comparison, links)
        _findings(workbook.add_worksheet("Drift findings"), fmt, comparison, links)
        workbook.close()
    return path


def _url(link: str, sheet: str, cell: str) -> str | None:
    """The link to a cell of one version, its file name encoded as the findings workbook's
    (a `#`, `%` or space in it would otherwise cut or break the link); None when too long."""
    quoted = quote_sheetname(sheet)
    quoted = quoted if quoted.startswith("'") else f"'{sheet}'"
    return links_to.cell_url(link, f"{quoted}!{cell}")


def _summary(sheet: Worksheet, fmt: dict, comparison: Comparison, generated: dt.datetime,
             organisation: str) -> None:
    sheet.hide_gridlines(2)
    old, new = comparison.old.master, comparison.new.master
    summary = comparison.summary
    row = cover_block(sheet, fmt, title="Changes between two versions of the master", rows=[
        (ORGANISATION_LABEL, organisation),
        ("Old version", f"{_version(old.path)} ({old.short_hash})"),
        ("New version", f"{_version(new.path)} ({new.short_hash})"),
        (AS_OF_LABEL, comparison.as_of),
        (GENERATED_LABEL, generated),
        ("Records added", summary[ADDED]),
        ("Records removed", summary[REMOVED]),
        ("Records changed", summary[CHANGED]),
        ("Values changed", comparison.values_changed),
        ("Drift errors", summary[ERROR]),
        ("Drift warnings", summary[WARNING]),
    ])
    counts: dict[str, Counter] = {}
    records_changed: dict[str, int] = {}
    for change in comparison.diff.changes:
        counts.setdefault(change.sheet, Counter())[change.kind] += 1
    for compared in comparison.diff.sheets.values():
        if compared.changed:
            records_changed[compared.new.title] = len(compared.changed)
    columns = [TableColumn("Sheet", "text", 18), TableColumn("Records added", "count", 9),
               TableColumn("Records removed", "count", 9),
               TableColumn("Records changed", "count", 9),
               TableColumn("Values changed", "count", 9),
               TableColumn("Columns added or removed", "count", 12),
               TableColumn("Cannot be matched", "count", 11)]
    rows = [[name, c[ADDED], c[REMOVED], records_changed.get(name, 0), c[CHANGED],
             c[COLUMN_ADDED] + c[COLUMN_REMOVED], c[UNMATCHED]] for name, c in counts.items()]
    sheet.write_string(row, 0, "Changes per sheet", fmt["subtitle"])
    last = write_table(sheet, fmt, columns, rows, first_row=row + 1, name="ChangesPerSheet",
                       empty="No changes: both versions hold the same records.", freeze=False)
    sheet.set_column(0, 0, 26)  # the cover's text runs on into the empty cells beside it;
    sheet.set_column(1, 1, 17)  # a date and time cannot, so its column fits it
    severities = Counter(f.severity for f in comparison.counted)
    row = last + 2
    sheet.write_string(row, 0, "Drift findings (rules D101-D108)", fmt["subtitle"])
    for offset, (label, severity) in enumerate((("Errors", ERROR), ("Warnings", WARNING),
                                                ("Info", INFO)), start=1):
        sheet.write_string(row + offset, 0, label, fmt[f"severity_{severity}"])
        sheet.write_number(row + offset, 1, severities[severity], fmt["cover_integer"])
    waived = sum(1 for f in comparison.findings if f.waived)
    sheet.write_string(row + 4, 0, "Waived", fmt["text"])
    sheet.write_number(row + 4, 1, waived, fmt["cover_integer"])
    print_setup(sheet, comparison.as_of, header_row=None, landscape=False,
                title="pmo-xl changes")
    sheet.activate()


def _changes(sheet: Worksheet, fmt: dict, comparison: Comparison,
             links: dict[bool, str]) -> None:
    columns = [TableColumn("Sheet", "text", 16), TableColumn("Record", "text", 18),
               TableColumn("Change", "text", 14), TableColumn("Column", "text", 18),
               TableColumn("Old value", "wrap", 30), TableColumn("New value", "wrap", 30),
               TableColumn("Cell", "text", 22), TableColumn("In", "text", 5)]
    changes = comparison.diff.changes
    rows = [[c.sheet, c.record, KIND_LABEL[c.kind] + (f" ({c.reason})" if c.reason else ""),
             c.column, _value(c.old) if c.kind == CHANGED else None,
             _value(c.new) if c.kind == CHANGED else None,
             f"{c.sheet}!{c.cell}", "Old" if c.in_old else "New"] for c in changes]
    write_table(sheet, fmt, columns, rows, name="Changes",
                empty="No changes: both versions hold the same records.")
    for index, change in enumerate(changes[:MAX_LINKS], start=1):
        url = _url(links[change.in_old], change.sheet, change.cell)
        if url is None or sheet.write_url(index, CELL_COLUMN, url, fmt["link"],
                                          string=f"{change.sheet}!{change.cell}",
                                          tip="Open that version of the master at this "
                                              "cell") != 0:
            sheet.write_string(index, CELL_COLUMN, f"{change.sheet}!{change.cell}", fmt["text"])
    print_setup(sheet, comparison.as_of, title="Changes")


def _value(value: object) -> object:
    """A value as its cell shows it: text as text (never a formula), dates and numbers as
    themselves (left-aligned, like the text beside them); a blank reads (blank) so a cleared
    cell is not mistaken for a gap."""
    if value is None:
        return "(blank)"
    if isinstance(value, dt.date):
        return (value, "date")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (value, "cover_number")
    return value


def _version(path: Path) -> str:
    """`pmo-pack-2026-10-31/master-snapshot.xlsx` for a pack's snapshot, else the name."""
    return f"{path.parent.name}/{path.name}" if path.name == SNAPSHOT else path.name


def _findings(sheet: Worksheet, fmt: dict, comparison: Comparison,
              links: dict[bool, str]) -> None:
    columns = [TableColumn("Rule"), TableColumn("Severity", "severity", 10),
               TableColumn("Cell", "text", 24), TableColumn("Record"),
               TableColumn("Message", "wrap", 48), TableColumn("Hint", "wrap", 40),
               TableColumn("Waived", "text", 8)]
    findings = comparison.findings
    rows = [[f.rule, f.severity, f.address + (" (old)" if f.in_old else ""), f.record,
             f.message, f.hint, "Yes" if f.waived else None] for f in findings]
    write_table(sheet, fmt, columns, rows, name="DriftFindings",
                empty="No drift findings: every change was seen by the governance process.")
    for index, finding in enumerate(findings[:MAX_LINKS], start=1):
        url = _url(links[finding.in_old], finding.sheet, finding.cell)
        label = finding.address + (" (old)" if finding.in_old else "")
        if url is None or sheet.write_url(index, 2, url, fmt["link"], string=label,
                                          tip="Open that version of the master at this "
                                              "cell") != 0:
            sheet.write_string(index, 2, label, fmt["text"])
    print_setup(sheet, comparison.as_of, title="Drift findings")

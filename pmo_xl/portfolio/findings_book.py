"""The enterprise findings workbook: every member's findings and those across masters.

A Summary sheet first (the organisation, the as-of date, the month the roll-up reports, one
row per member: counted or not and why, its PMOs and its counts; then counts by rule family
and severity), then a Findings sheet with one row per finding: the Member it sits in, the
rule, the cell as a hyperlink that opens that member at that cell, the record, the message,
the fix, and for a finding across masters the other cells it points at ("Also at").
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl import links
from pmo_xl.findings import ERROR, INFO, WARNING, Finding
from pmo_xl.output import atomic_output
from pmo_xl.reports import styles
from pmo_xl.reports.findings_workbook import MAX_CELL_TEXT, MAX_LINKS, SEVERITY_LABEL
from pmo_xl.validators.registry import FAMILIES
from pmo_xl.workbook.text_fit import line_count

if TYPE_CHECKING:
    from pmo_xl.portfolio.rollup import Rollup

COLUMNS = [  # (header, width in characters)
    ("Member", 22),
    ("Severity", 10),
    ("Rule", 7),
    ("Sheet", 16),
    ("Cell", 20),
    ("Record", 12),
    ("Message", 60),
    ("Hint", 48),
    ("Also at", 30),
    ("Waived", 8),
]
CELL_COLUMN = 4
NO_FINDINGS = "No findings: every member passed its own rules, and the rules across masters."


def write_findings_book(rollup: Rollup, path: Path) -> Path:
    """Write the roll-up's findings to `path` (.xlsx)."""
    path = Path(path)
    with atomic_output(path) as temp:
        workbook = styles.new_workbook(
            temp, title="pmo-xl enterprise findings",
            subject=f"Findings as of {rollup.as_of.isoformat()}",
            organisation=rollup.organisation)
        fmt = styles.formats(workbook)
        _summary(workbook, fmt, rollup)
        _findings(workbook, fmt, rollup, path)
        workbook.close()
    return path


def _summary(workbook, fmt: dict, rollup: Rollup) -> None:
    sheet = workbook.add_worksheet("Summary")
    sheet.hide_gridlines(2)
    summary = rollup.summary
    row = styles.cover_block(sheet, fmt, title="Findings across the enterprise", rows=[
        ("Organisation", rollup.organisation),
        ("As of", rollup.as_of),
        ("Reporting period", rollup.enterprise.period_text),
        ("Members counted", len(rollup.counted_members)),
        ("Members not counted", len(rollup.not_counted)),
        ("Errors", summary[ERROR]),
        ("Warnings", summary[WARNING]),
        ("Info", summary[INFO]),
        ("Waived", summary["waived"]),
    ])
    sheet.write_string(row, 0, "Members", fmt["subtitle"])
    columns = [styles.TableColumn("Member"), styles.TableColumn("Counted", width=12),
               styles.TableColumn("PMOs"), styles.TableColumn("Errors", "integer"),
               styles.TableColumn("Warnings", "integer"), styles.TableColumn("Info", "integer"),
               styles.TableColumn("Waived", "integer"),
               styles.TableColumn("Why not counted", "wrap")]
    rows = []
    for member in rollup.members:
        pmos = (", ".join(rollup.enterprise.own_pmos(member.keys))
                if member.keys is not None and member not in rollup.left_out else "")
        state = rollup.state_of(member)
        rows.append([member.name, (state, "severity_error") if not member.counted else state,
                     pmos, member.summary[ERROR], member.summary[WARNING],
                     member.summary[INFO], member.summary["waived"], member.why_not or ""])
    last = styles.write_table(sheet, fmt, columns, rows, first_row=row + 1, name="Members",
                              freeze=False)
    row = last + 2
    sheet.write_string(row, 0, "Findings by rule family", fmt["subtitle"])
    counts: dict[str, Counter] = {code: Counter() for code in FAMILIES}
    for finding in rollup.findings:
        counts.setdefault(finding.family, Counter())[
            "waived" if finding.waived else finding.severity] += 1
    family_rows = [[code, FAMILIES.get(code, "Other"), c[ERROR], c[WARNING], c[INFO],
                    c["waived"]] for code, c in counts.items()]
    styles.write_table(sheet, fmt, [
        styles.TableColumn("Family"), styles.TableColumn("Name"),
        styles.TableColumn("Error", "integer"), styles.TableColumn("Warning", "integer"),
        styles.TableColumn("Info", "integer"), styles.TableColumn("Waived", "integer")],
        family_rows, first_row=row + 1, name="ByFamily", freeze=False)
    sheet.set_column(0, 0, max(30, max((len(m.name) for m in rollup.members), default=0) + 2))
    styles.print_setup(sheet, rollup.as_of, header_row=None, title="pmo-xl enterprise findings")


def _findings(workbook, fmt: dict, rollup: Rollup, path: Path) -> None:
    sheet = workbook.add_worksheet("Findings")
    styles.set_widths(sheet, [width for _, width in COLUMNS])
    headers = [header for header, _ in COLUMNS]
    sheet.freeze_panes(1, 0)
    styles.print_setup(sheet, rollup.as_of, header_row=0, title="pmo-xl enterprise findings")
    findings = rollup.findings
    if not findings:
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, fmt["header"])
        sheet.write_string(1, 0, NO_FINDINGS, fmt["bold"])
        return
    workbooks = {m.name: m.source.workbook for m in rollup.members}
    wrap = fmt["wrap"]
    for row, finding in enumerate(findings, start=1):
        also = "\n".join(side.address for side in finding.sides[1:])
        values = [finding.member, SEVERITY_LABEL.get(finding.severity, finding.severity),
                  finding.rule, finding.sheet, None, finding.record, _fit(finding.message),
                  _fit(finding.hint), also, "Yes" if finding.waived else "No"]
        for col, value in enumerate(values):
            if col == CELL_COLUMN:
                continue
            cell_format = (fmt.get(f"severity_{finding.severity}", wrap) if col == 1 else wrap)
            styles.write_text(sheet, row, col, value, cell_format)
        _cell_link(sheet, fmt, row, finding, workbooks.get(finding.member or ""), path)
        # Only a text longer than its column can wrap (measuring every cell of thousands of
        # rows was most of the workbook's time).
        lines = max((line_count(v, width, size=styles.FONT_SIZE)
                     for v, (_h, width) in zip(values, COLUMNS, strict=True)
                     if isinstance(v, str) and (len(v) > width * 0.8 or "\n" in v)), default=1)
        if lines > 1:
            sheet.set_row(row, lines * styles.LINE_HEIGHT)
    sheet.add_table(0, 0, len(findings), len(headers) - 1, {
        "name": "Findings", "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt["header"]} for h in headers]})


def _cell_link(sheet, fmt: dict, row: int, finding: Finding, workbook: Path | None,
               path: Path) -> None:
    label = finding.address
    url = None
    if workbook is not None and row <= MAX_LINKS:
        quoted = "'" + finding.sheet.replace("'", "''") + "'"
        url = links.cell_url(links.master_link(workbook, path), f"{quoted}!{finding.cell}")
    linked = url is not None and sheet.write_url(
        row, CELL_COLUMN, url, fmt["link"], string=label,
        tip=f"Open {finding.member} at this cell") == 0
    if not linked:
        sheet.write_string(row, CELL_COLUMN, label, fmt["wrap"])


def _fit(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_CELL_TEXT:
        return text
    return text[: MAX_CELL_TEXT - 1] + "…"


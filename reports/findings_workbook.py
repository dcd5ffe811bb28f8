"""The findings workbook (`pmo-xl check --output`): every finding, a link to its cell, counts.

A Summary sheet first (the master, its hash, the as-of date, counts by rule family and by
severity with a bar chart), then a Findings sheet with one row per finding as an Excel table
with filters, each cell address a hyperlink that opens the master at that cell, then the
Rules in force: every rule's kind, default severity and the severity the master's Rules
sheet gives it, its departures from the default marked and linked to the row that set them.

Which path the hyperlinks use
-----------------------------
A path relative to the findings workbook (``..\\master.xlsx`` when the master sits one
folder up; in a pack, the pack's own ``master-snapshot.xlsx`` beside it), percent-encoded
where a file name holds `#`, `%`, spaces and the like: see :mod:`pmo_xl.links`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from openpyxl.utils import quote_sheetname
from xlsxwriter.utility import xl_rowcol_to_cell

from pmo_xl import links
from pmo_xl.findings import ERROR, INFO, SEVERITIES, SEVERITY_LABEL, WARNING, Finding
from pmo_xl.output import atomic_output
from pmo_xl.reports import styles
from pmo_xl.reports.common import generated_at, made_from
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.policy import Policy
from pmo_xl.validators.registry import FAMILIES
from pmo_xl.workbook.text_fit import line_count

FINDINGS_COLUMNS = [
    # (header, width in characters)
    ("Severity", 10),
    ("Rule", 7),
    ("Sheet", 16),
    ("Cell", 20),
    ("Record", 12),
    ("Message", 60),
    ("Hint", 50),
    ("Waived", 8),
    ("Waiver Reason", 30),
]
CELL_COLUMN = 3
# Excel allows 65,530 hyperlinks on one worksheet; beyond that the address is plain text.
MAX_LINKS = 65_530
# Excel's limit on the text of one cell.
MAX_CELL_TEXT = 32_767
NO_FINDINGS = "No findings: every rule that was run passed."


def write_findings_workbook(result: CheckResult, path: Path, *,
                            linked_copy: Path | None = None) -> Path:
    """Write the findings of one check run to `path` (.xlsx); never over the master.

    Each finding links to its cell in the master, or in `linked_copy`, a byte copy of it
    (a pack links to its own master-snapshot.xlsx, so the links work wherever the pack goes).
    """
    path = Path(path)
    with atomic_output(path, source=result.master.path) as temp:
        workbook = styles.new_workbook(
            temp,
            title=f"pmo-xl findings: {result.master.path.name}",
            subject=f"Findings as of {result.as_of.isoformat()}",
            organisation=result.facts.settings.organisation,
        )
        fmt = styles.formats(workbook)
        _summary_sheet(workbook, fmt, result)
        link = master_link(linked_copy or result.master.path, path)
        _findings_sheet(workbook, fmt, result, link)
        _policy_sheet(workbook, fmt, result, link)
        workbook.close()
    return path


def master_link(master: Path, findings_path: Path) -> str:
    """The file part of each hyperlink: the master relative to the findings workbook."""
    return links.master_link(master, findings_path)


def cell_url(link: str, finding: Finding) -> str | None:
    """`external:master.xlsx#'Services'!I2` for xlsxwriter's write_url (None: too long)."""
    return links.cell_url(link, f"{_quoted(finding.sheet)}!{finding.cell}")


def _quoted(sheet: str) -> str:
    """The sheet name always in quotes (apostrophes doubled): valid in Excel and LibreOffice."""
    quoted = quote_sheetname(sheet)
    return quoted if quoted.startswith("'") else f"'{sheet}'"


def family_counts(findings: list[Finding]) -> dict[str, Counter]:
    """Per family code: counts of error/warning/info (not waived) and waived."""
    counts: dict[str, Counter] = {code: Counter() for code in FAMILIES}
    for finding in findings:
        bucket = counts.setdefault(finding.family, Counter())
        bucket["waived" if finding.waived else finding.severity] += 1
    return counts


def _summary_sheet(workbook, fmt: dict, result: CheckResult) -> None:
    sheet = workbook.add_worksheet("Summary")
    sheet.hide_gridlines(2)
    styles.set_widths(sheet, [30, 34, 10, 10, 10, 10, 10])
    summary = result.summary
    row = styles.cover_block(sheet, fmt, title="Findings of the master workbook check", rows=[
        *made_from(result, generated_at()),
        ("Rules run", len(result.rules_run)),
        ("Rules set apart by the master", len(result.rule_policy.departures)),
        ("Errors", summary[ERROR]),
        ("Warnings", summary[WARNING]),
        ("Info", summary[INFO]),
        ("Waived", summary["waived"]),
    ])
    if not result.findings:
        sheet.write_string(row, 0, NO_FINDINGS, fmt["subtitle"])
        styles.print_setup(sheet, result.as_of, header_row=None, landscape=False,
                           title="pmo-xl findings")
        return

    # Counts by family: one row per family, columns per severity.
    sheet.write_string(row, 0, "Findings by rule family", fmt["subtitle"])
    row += 1
    headers = ["Family", "Name", "Error", "Warning", "Info", "Waived", "Total"]
    family_first = row
    counts = family_counts(result.findings)
    for offset, (code, counter) in enumerate(counts.items(), start=1):
        r = row + offset
        sheet.write_string(r, 0, code, fmt["text"])
        sheet.write_string(r, 1, FAMILIES.get(code, "Other"), fmt["text"])
        values = [counter[ERROR], counter[WARNING], counter[INFO], counter["waived"]]
        for col, value in enumerate(values, start=2):
            sheet.write_number(r, col, value, fmt["integer"])
        sheet.write_number(r, 6, sum(values), fmt["integer"])
    family_last = row + len(counts)
    sheet.add_table(family_first, 0, family_last, 6, {
        "name": "FindingsByFamily",
        "style": "Table Style Light 9",
        "autofilter": False,
        "columns": [{"header": h, "header_format": fmt["header"]} for h in headers],
    })
    row = family_last + 2

    # Counts by severity, with the same fills as the Findings sheet.
    sheet.write_string(row, 0, "Findings by severity", fmt["subtitle"])
    row += 1
    severity_first = row
    for offset, severity in enumerate(SEVERITIES, start=1):
        sheet.write_string(row + offset, 0, SEVERITY_LABEL[severity],
                           fmt[f"severity_{severity}"])
        sheet.write_number(row + offset, 1, summary[severity], fmt["integer"])
    sheet.write_string(row + 4, 0, "Waived", fmt["text"])
    sheet.write_number(row + 4, 1, summary["waived"], fmt["integer"])
    sheet.add_table(severity_first, 0, row + 4, 1, {
        "name": "FindingsBySeverity",
        "style": "Table Style Light 9",
        "autofilter": False,
        "columns": [{"header": h, "header_format": fmt["header"]}
                    for h in ("Severity", "Count")],
    })
    row += 6

    most = max(sum(c[s] for s in SEVERITIES) for c in counts.values())
    _family_chart(workbook, sheet, family_first, family_last, row, most)
    styles.print_setup(sheet, result.as_of, header_row=None, landscape=False,
                       title="pmo-xl findings")


def _family_chart(workbook, sheet, first: int, last: int, anchor_row: int, most: int) -> None:
    """A stacked bar per family: errors, warnings and info in the severity colours."""
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for col, severity in enumerate(SEVERITIES, start=2):
        chart.add_series({
            "name": ["Summary", first, col],
            "categories": ["Summary", first + 1, 1, last, 1],
            "values": ["Summary", first + 1, col, last, col],
            "fill": {"color": styles.SEVERITY[severity]["font_color"]},
            "gap": 60,
        })
    chart.set_title({"name": "Findings per rule family (not waived)"})
    # Whole findings only: no 0.5 ticks on the axis.
    chart.set_x_axis({"name": "Findings", "min": 0, "major_unit": max(1, _tick(most)),
                      "num_format": "0", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 720, "height": 400})
    sheet.insert_chart(xl_rowcol_to_cell(anchor_row, 0), chart)


def _tick(most: int) -> int:
    """A round step giving at most about ten gridlines."""
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if most / step <= 10:
            return step
    return 10_000


def _findings_sheet(workbook, fmt: dict, result: CheckResult, link: str) -> None:
    sheet = workbook.add_worksheet("Findings")
    styles.set_widths(sheet, [width for _, width in FINDINGS_COLUMNS])
    headers = [header for header, _ in FINDINGS_COLUMNS]
    sheet.freeze_panes(1, 0)
    styles.print_setup(sheet, result.as_of, header_row=0, title="pmo-xl findings")
    if not result.findings:
        for col, header in enumerate(headers):
            sheet.write_string(0, col, header, fmt["header"])
        sheet.write_string(1, 0, NO_FINDINGS, fmt["bold"])
        return

    wrap = fmt["wrap"]
    for row, finding in enumerate(result.findings, start=1):
        sheet.write_string(row, 0, SEVERITY_LABEL.get(finding.severity, finding.severity),
                           fmt.get(f"severity_{finding.severity}", wrap))
        sheet.write_string(row, 1, finding.rule, wrap)
        sheet.write_string(row, 2, finding.sheet, wrap)
        label = f"{finding.sheet}!{finding.cell}"
        url = cell_url(link, finding) if row <= MAX_LINKS else None
        linked = url is not None and sheet.write_url(
            row, CELL_COLUMN, url, fmt["link"], string=label,
            tip="Open the master at this cell") == 0
        if not linked:  # too many links, or a path longer than Excel accepts
            sheet.write_string(row, CELL_COLUMN, label, wrap)
        styles.write_text(sheet, row, 4, finding.record, wrap)
        styles.write_text(sheet, row, 5, _fit(finding.message), wrap)
        styles.write_text(sheet, row, 6, _fit(finding.hint), wrap)
        sheet.write_string(row, 7, "Yes" if finding.waived else "No", wrap)
        styles.write_text(sheet, row, 8, _fit(finding.waiver_reason), wrap)
        # Excel and LibreOffice do not grow a row for wrapped text a program wrote.
        lines = max(_lines(value, width) for value, (_, width) in zip(
            (finding.sheet, finding.record, finding.message, finding.hint,
             finding.waiver_reason), [FINDINGS_COLUMNS[i] for i in (2, 4, 5, 6, 8)],
            strict=True))
        if lines > 1:
            sheet.set_row(row, lines * styles.LINE_HEIGHT)
    sheet.add_table(0, 0, len(result.findings), len(headers) - 1, {
        "name": "Findings",
        "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt["header"]} for h in headers],
    })


def _lines(text: str | None, width: float) -> int:
    """Lines a text takes when wrapped in a column `width` characters wide, measured in
    Calibri's widths (see text_fit), never too few."""
    return line_count(str(text or ""), width, size=styles.FONT_SIZE)


def _fit(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_CELL_TEXT:
        return text
    return text[: MAX_CELL_TEXT - 1] + "…"


POLICY_SHEET = "Rules in force"
POLICY_COLUMNS = [
    ("Rule", 7), ("Title", 46), ("Kind", 12), ("Default", 9), ("In force", 9),
    ("Set apart", 9), ("Set by", 14), ("Reason", 40), ("Approved By", 11),
    ("Approved Date", 12),
]
POLICY_NOTE = ("Each rule's kind gives its default severity: required rules are errors, "
               "recommended ones warnings, conventions information. The master's Rules sheet "
               "sets its own (Off: the rule is not run); the rows it set apart are in bold.")


def _policy_sheet(workbook, fmt: dict, result: CheckResult, link: str) -> None:
    """Every rule's severity in force, and where the master's Rules sheet departs from the
    default (each such row links to the Rules row that set it)."""
    policy: Policy = result.rule_policy
    sheet = workbook.add_worksheet(POLICY_SHEET)
    styles.set_widths(sheet, [width for _, width in POLICY_COLUMNS])
    headers = [header for header, _ in POLICY_COLUMNS]
    sheet.freeze_panes(1, 0)
    styles.print_setup(sheet, result.as_of, header_row=0, title="pmo-xl rules in force")
    bold_wrap = workbook.add_format({"font_name": styles.FONT, "font_size": styles.FONT_SIZE,
                                     "valign": "top", "bold": True, "text_wrap": True})
    rules = load_rules()
    row = 0
    for row, (code, setting) in enumerate(policy.settings.items(), start=1):
        item = rules[code]
        text = bold_wrap if setting.departs else fmt["wrap"]
        sheet.write_string(row, 0, code, text)
        sheet.write_string(row, 1, item.title, text)
        sheet.write_string(row, 2, item.kind, text)
        sheet.write_string(row, 3, setting.default, text)
        sheet.write_string(row, 4, setting.severity, text)
        sheet.write_string(row, 5, "Yes" if setting.departs else "No", text)
        address = policy.address(setting)
        if address is not None:
            url = links.cell_url(link, address)
            if url is None or sheet.write_url(row, 6, url, fmt["link"], string=address,
                                              tip="Open the master at this row") != 0:
                sheet.write_string(row, 6, address, text)
        styles.write_text(sheet, row, 7, _fit(setting.reason), text)
        styles.write_text(sheet, row, 8, setting.approved_by, text)
        if setting.approved_date is not None:
            sheet.write_datetime(row, 9, dt.datetime.combine(setting.approved_date, dt.time()),
                                 fmt["date"])
        lines = max(_lines(item.title, 46), _lines(setting.reason, 40))
        if lines > 1:
            sheet.set_row(row, lines * styles.LINE_HEIGHT)
    sheet.add_table(0, 0, max(row, 1), len(headers) - 1, {
        "name": "RulesInForce",
        "style": "Table Style Light 9",
        "columns": [{"header": h, "header_format": fmt["header"]} for h in headers],
    })
    sheet.write_string(row + 2, 0, POLICY_NOTE, fmt["note"])

"""What the report workbooks share: the cover block, the workbook set-up and small writers.

The status and KPI reports (and the changes workbook) start from here, so they read as one
family; neither report imports the other's internals.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl.period import period_label
from pmo_xl.reports.styles import LINE_HEIGHT, RAG, formats, new_workbook, write_text
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import Frequency
from pmo_xl.workbook.paging import span_width
from pmo_xl.workbook.text_fit import line_count

# The words every workbook's cover uses for what it was made from, one set: the findings
# workbook, the status and KPI reports and the changes workbook say it alike.
ORGANISATION_LABEL = "Organisation"
AS_OF_LABEL = "As of"
MASTER_LABEL = "Master workbook"
FINGERPRINT_LABEL = "Master fingerprint (SHA-256)"
GENERATED_LABEL = "Generated"


def generated_at() -> dt.datetime:
    """When the report was made: now, or SOURCE_DATE_EPOCH when a build pins it.

    This is the one value that differs between two runs on the same master and --as-of;
    it sits in the Summary cell beside "Generated" and in the document properties, so a
    comparison of two reports skips just that cell.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    return dt.datetime.now().replace(microsecond=0)


def periods_text(result: CheckResult) -> str:
    """`Oct 2026 (monthly KPIs) · 2026 Q3 (quarterly KPIs)`."""
    facts = result.facts
    monthly, quarterly = Frequency.MONTHLY, Frequency.QUARTERLY
    return (f"{period_label(monthly, facts.period_for(monthly))} (monthly KPIs) · "
            f"{period_label(quarterly, facts.period_for(quarterly))} (quarterly KPIs)")


def made_from(result: CheckResult, generated: dt.datetime) -> list[tuple[str, object]]:
    """Organisation, as-of date, master, its fingerprint and when: the first lines of every
    cover, in these words and this order."""
    master = result.master
    rows = [
        (ORGANISATION_LABEL, result.facts.settings.organisation),
        (AS_OF_LABEL, result.as_of),
        (MASTER_LABEL, master.path.name),
        (FINGERPRINT_LABEL, master.short_hash),
        (GENERATED_LABEL, generated),
    ]
    if result.pmo is not None:
        rows.append((PMO_LABEL, pmo_scope_text(result)))
    return rows


PMO_LABEL = "PMO"


def pmo_scope_text(result: CheckResult) -> str:
    """`Digital Portfolio PMO (PMO-DIG): the services it leads or delivers, its own KPIs and
    its people`: what a report limited with --pmo covers."""
    name = result.facts.pmo_name(result.pmo)
    named = f"{name} ({result.pmo})" if name and name != result.pmo else str(result.pmo)
    return f"{named}: the services it leads or delivers, its own KPIs and its people"


def cover_rows(result: CheckResult, generated: dt.datetime) -> list[tuple[str, object]]:
    return [*made_from(result, generated), ("KPI reporting periods", periods_text(result))]


def start_workbook(path: Path, result: CheckResult, title: str, subject: str,
                   generated: dt.datetime) -> tuple[Workbook, dict]:
    organisation = result.facts.settings.organisation
    workbook = new_workbook(path, title, subject, organisation)
    workbook.set_properties({
        "title": title,
        "subject": subject,
        "author": "pmo-xl",
        "company": organisation,
        "created": generated,
        "keywords": f"as of {result.as_of.isoformat()}; master "
                    f"{result.master.path.name} {result.master.short_hash}",
        "comments": "Written by pmo-xl from the PMO master workbook.",
    })
    return workbook, report_formats(workbook)


def report_formats(workbook: Workbook) -> dict:
    """The named formats of a report: the styles' own, and those the report tables add."""
    fmt = formats(workbook)
    fmt["value"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                        "valign": "top", "num_format": "General"})
    fmt["signed"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                         "valign": "top",
                                         "num_format": "+General;-General;0"})
    # A ruled cell of the first page's small tables (not Excel tables: read, not filtered).
    fmt["grid"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                       "valign": "top", "text_wrap": True, "border": 1,
                                       "border_color": "#BFBFBF"})
    # Counts in a wide table read better centred under their (wrapped) header.
    fmt["count"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                        "valign": "top", "align": "center",
                                        "num_format": "0"})
    return fmt


def label_rows(sheet: Worksheet, fmt: dict, row: int, heading: str,
               rows: list[tuple[str, object]], value_col: int = 1) -> int:
    """A subtitle and label/number lines, each label across the columns before `value_col`;
    returns the next free row (after a gap)."""
    sheet.write_string(row, 0, heading, fmt["subtitle"])
    row += 1
    for label, value in rows:
        if value_col > 1:
            sheet.merge_range(row, 0, row, value_col - 1, label, fmt["label"])
        else:
            sheet.write_string(row, 0, label, fmt["label"])
        if isinstance(value, int | float):
            sheet.write_number(row, value_col, value, fmt["cover_integer"])
        else:
            sheet.write_string(row, value_col, str(value), fmt["text"])
        row += 1
    return row + 1


def count_table(sheet: Worksheet, fmt: dict, row: int, headers: tuple[str, str],
                counts: dict[str, int], rag_fill: bool = False) -> tuple[int, int]:
    """A small two-column label/count table (a chart's data); returns (first, last) data row."""
    sheet.write_string(row, 0, headers[0], fmt["header"])
    sheet.write_string(row, 1, headers[1], fmt["header"])
    first = row + 1
    for offset, (label, count) in enumerate(counts.items(), start=first):
        label_format = fmt[f"rag_{label}"] if rag_fill and label in RAG else fmt["text"]
        sheet.write_string(offset, 0, label, label_format)
        sheet.write_number(offset, 1, count, fmt["cover_integer"])
    return first, first + len(counts) - 1


def note(sheet: Worksheet, fmt: dict, row: int, text: str, last_col: int, lines: int) -> int:
    """A wrapped italic note across columns A..`last_col`, at least `lines` lines tall (more
    if the text needs them at the columns' widths so far); returns the next free row."""
    sheet.merge_range(row, 0, row, last_col, text, fmt["note"])
    lines = max(lines, line_count(text, span_width(sheet, 0, last_col)))
    sheet.set_row(row, LINE_HEIGHT * lines)
    return row + 2


def heading(sheet: Worksheet, fmt: dict, row: int, text: str) -> int:
    """A first page's section heading. Returns the next row."""
    sheet.write_string(row, 0, text, fmt["subtitle"])
    sheet.set_row(row, 18)
    return row + 1


def ruled_grid(sheet: Worksheet, fmt: dict, row: int, headers: list[str],
               rows: list[list[object]], widths: list[float]) -> int:
    """A small ruled table on a first page (not an Excel table: the first page is read, not
    filtered); each row as tall as its wrapped text in the sheet's column `widths`. A value
    given as (text, format key) takes that format. Returns the next row."""
    for col, header in enumerate(headers):
        sheet.write_string(row, col, header, fmt["header"])
    sheet.set_row(row, LINE_HEIGHT + 4)
    row += 1
    for values in rows:
        lines = 1
        for col, value in enumerate(values):
            style = fmt["grid"]
            if isinstance(value, tuple):
                value, key = value
                style = fmt[key]
            write_text(sheet, row, col, value, style)
            if isinstance(value, str):
                lines = max(lines, line_count(value, widths[col]))
        sheet.set_row(row, LINE_HEIGHT * lines + 2)
        row += 1
    return row

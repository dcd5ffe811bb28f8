"""The KPI report workbook: every KPI against its target for the reporting period, and trends.

Sheets: Summary (per service, and per PMO for the KPIs of a PMO's own performance: KPI
count and RAG counts, with a chart) · Trend charts (a small chart per KPI of the services
the Summary's attention table names: its actuals, target and baseline) · KPIs (the
reporting period's actual, target, variance, RAG, commentary; a missing actual is flagged,
never Green) · Trends (the last 12 periods per KPI, its target and baseline, with
sparklines).

Every sheet follows ONE ranking of attention (`Facts.attention_ranking`, rag.ATTENTION_RULE):
the services that need most attention come first on each, so the first pages are the ones
to read, and the charts are for exactly the services the attention table names.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from dataclasses import replace
from pathlib import Path

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl import rag
from pmo_xl.facts import Facts, KpiStatus
from pmo_xl.output import atomic_output
from pmo_xl.period import period_label
from pmo_xl.reports.chart_scale import count_axis, trend_axis
from pmo_xl.reports.common import cover_rows, generated_at, label_rows, note, start_workbook
from pmo_xl.reports.styles import (
    RAG,
    TableColumn,
    chart_text,
    cover_block,
    print_setup,
    set_widths,
    write_table,
)
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import FREQUENCIES, Frequency, KPIActuals, KPIs, Services
from pmo_xl.workbook.master import collector_paused
from pmo_xl.workbook.paging import paginate

KPI_SHEETS = ("Summary", "Trend charts", "KPIs", "Trends")
KPI_LEGEND = ("How a KPI's RAG is set: " + rag.RAG_RULE + " A service's (or PMO's) KPI RAG "
              "is the worst of its KPIs that have a colour, and No data when none has: the "
              "bar beside its row shows the same counts.")
TREND_PERIODS = 12
MIN_QUARTERS = 4  # a quarterly trend shows a year at least, even of new KPIs
FIRST_PERIOD_COL = 2  # C: KPI ID and KPI name come first
# A small chart per KPI, three across: one line each for the actual, the target and the
# baseline, so the actual is never lost among other KPIs' lines. The charts run on in the
# ranking's order (a small-multiples grid); each title names its service.
CHARTS_PER_ROW = 3
CHART_WIDTH, CHART_HEIGHT = 392, 172  # pixels: four rows of charts to a page
CHART_ROWS = 9  # rows one chart covers (9 of 20 pixels: 4 + 172), with a gap
CHART_GAP = 404  # pixels from a chart's left edge to the next one's
CHARTS_START = 3  # the chart sheet's title and note come first
# Past CHART_SERVICES, the table of every service with KPIs has a sheet of its own, last.
EVERY_SERVICE_SHEET = "All services"
EVERY_SERVICE_TITLE = "Every service with KPIs"
# What the Summary's Stage column says for a PMO's own KPIs (a PMO has no lifecycle stage).
PMO_STAGE = "PMO"
# Past this many services with KPIs, the Summary's attention table and its chart show this
# many that need most attention (stated in a note above it) rather than a bar per service,
# and the trend charts are for exactly these. A director reads a few pages of charts, not
# thousands; every KPI's trend is still on the Trends sheet, with its sparkline.
CHART_SERVICES = 20


def write_kpi_report(result: CheckResult, path: Path) -> Path:
    """Write the KPI report for one check run to `path` (never over the master)."""
    path = Path(path)
    generated = generated_at()
    # No cyclic GC while writing (see write_status_report).
    with collector_paused(), atomic_output(path, source=result.master.path) as temp:
        workbook, fmt = start_workbook(temp, result, "KPI report",
                                       "The PMO services' KPIs against their targets",
                                       generated)
        # The period's figures are the KPIs in force for it; a retired KPI keeps its trend.
        current = result.facts.current_kpis
        # In reading order: what needs attention (the table, then its charts) comes first.
        summary, charts, period, trends = (workbook.add_worksheet(n) for n in KPI_SHEETS)
        charted = _summary(workbook, summary, fmt, result, current, generated)
        # Past CHART_SERVICES, the detail sheets print the charted services' KPIs only.
        printed = set(charted) if len(charted) < len(result.facts.attention_ranking) else None
        _kpis(workbook, period, fmt, result, current, printed)
        blocks = _trends(workbook, trends, fmt, result, result.facts.kpi_statuses, printed)
        _trend_charts(workbook, charts, fmt, result, blocks, charted)
        workbook.close()
    return path


def _summary(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
             kpis: list[KpiStatus], generated: dt.datetime) -> list[str]:
    """The Summary sheet; returns the services (and PMOs) its attention table names, most
    attention first: the trend charts are for exactly these."""
    # The widths the tables below end with, set first so the notes wrap at them.
    set_widths(sheet, [30, 34, 11, 8, 8, 8, 8, 8, 10, 16])
    row = cover_block(sheet, fmt, title="KPI report", rows=cover_rows(result, generated))
    row = label_rows(sheet, fmt, row, "Headline numbers", headline_numbers(kpis))
    row = note(sheet, fmt, row, KPI_LEGEND, 9, 3)
    facts = result.facts
    services = facts.services
    by_service: dict[object, list[KpiStatus]] = {}
    for kpi in kpis:
        by_service.setdefault(kpi.measured, []).append(kpi)
    with_kpis = _ranked((s for s in by_service if s is not None), facts)
    columns = [
        TableColumn("Service or PMO", "text", 12), TableColumn("Name", "wrap", 34),
        TableColumn(Services.stage, "text", 11), TableColumn("KPIs", "count", 8),
        TableColumn("Green", "count", 8), TableColumn("Amber", "count", 8),
        TableColumn("Red", "count", 8), TableColumn("No data", "count", 8),
        TableColumn("KPI RAG", "rag", 10), TableColumn("Health", "rag", 16),
    ]
    rows = []
    for sid in with_kpis:
        mine = by_service[sid]
        service_counts = rag.rag_counts(k.rag for k in mine)
        stage = facts.stage_as_typed.get(sid) if sid in services else (
            PMO_STAGE if sid in facts.pmos else None)
        status = result.service_statuses.get(sid)
        # In no stage (until its Stage is fixed), or not reporting yet (in set-up, with its KPIs
        # agreed): no KPI RAG, as on the status report's Services sheet.
        if facts.stage_unknown(sid) or (status is not None and not status.expected):
            kpi_rag = ("", "rag_none")
        else:
            kpi_rag = status.kpi_rag if status is not None else rag.kpi_rollup(
                k.rag for k in mine)
        # The health the ranking reads: the status report's, or a PMO's KPI RAG.
        health = status.health if status is not None else rag.kpi_rollup(k.rag for k in mine)
        rows.append([sid, facts.measured_name(sid), stage, len(mine),
                     *service_counts.values(), kpi_rag,
                     health if health is not None else ("", "rag_none")])
    charted = list(with_kpis)
    keep = []  # row spans printed on one page
    if len(rows) > CHART_SERVICES:
        # A chart of a hundred bars says nothing: it shows the services that need most
        # attention, listed above it; the last sheet holds every service.
        worst = rows[:CHART_SERVICES]
        charted = charted[:CHART_SERVICES]
        sheet.write_string(row, 0, "Services whose KPIs need most attention", fmt["subtitle"])
        row = note(sheet, fmt, row + 1, f"The {CHART_SERVICES} of the {len(rows):,} services "
                   f"with KPIs that need most attention, charted on the Trend charts sheet. "
                   f"{rag.ATTENTION_RULE} Every service is on the last sheet, "
                   f"{EVERY_SERVICE_SHEET}, in the same order. Printed, the KPIs and Trends "
                   "sheets show these services' KPIs only; every KPI is on them in the "
                   "workbook.", 9, 3)
        last = write_table(sheet, fmt, columns, worst, first_row=row, name="KpiAttention",
                           freeze=False)
        keep.append((row - 3, last))  # with its heading and note
        row = _rag_chart(workbook, sheet, row, last, "KPI RAG of the services that need "
                         "most attention", max(r[3] for r in worst))
        print_setup(sheet, result.as_of, header_row=None, title="KPI report")
        paginate(sheet, keep=keep)
        sheet.activate()
        # Every service, in the same order, on a sheet of its own at the end: at 1,000
        # services it is an index of 25 pages that the attention pages come before.
        every = workbook.add_worksheet(EVERY_SERVICE_SHEET)
        write_table(every, fmt, columns, rows, name="KpiSummary")
        print_setup(every, result.as_of, title=EVERY_SERVICE_TITLE)
        return charted
    if rows:
        row = note(sheet, fmt, row, rag.ATTENTION_RULE, 9, 2)
    table_row = row
    last = write_table(sheet, fmt, columns, rows, first_row=table_row, name="KpiSummary",
                       empty="The master has no KPIs.", freeze=False)
    sheet.set_column(0, 0, 30)  # the cover labels need more room than Service ID
    if rows:
        _rag_chart(workbook, sheet, table_row, last, "KPI RAG by service",
                   max(r[3] for r in rows))
    print_setup(sheet, result.as_of, header_row=table_row if rows else None,
                title="KPI report")
    # The table's heading and header row never end a page on their own.
    keep.append((table_row - 1, min(last, table_row + 3)))
    paginate(sheet, repeat_row=table_row if rows else None, keep=keep)
    sheet.activate()
    return charted


def headline_numbers(kpis: list[KpiStatus]) -> list[tuple[str, int]]:
    """The Summary's headline numbers, label and value: the one place they are counted (the
    enterprise roll-up adds up each member's from here)."""
    counts = rag.rag_counts(k.rag for k in kpis)
    return [
        ("KPIs", len(kpis)),
        ("Green", counts[rag.GREEN]),
        ("Amber", counts[rag.AMBER]),
        ("Red", counts[rag.RED]),
        ("No data (actual missing)", counts[rag.NO_DATA]),
    ]


def _ranked(measured, facts: Facts) -> list[str]:
    """Services and PMOs in THE ranking of attention (Facts.attention_ranking); one with
    only retired KPIs (not ranked) after them, by ID."""
    ranking = facts.attention_ranking
    return sorted((str(m) for m in measured),
                  key=lambda m: (ranking.get(m, len(ranking)), m))


def _rag_chart(workbook: Workbook, sheet: Worksheet, header_row: int, last: int,
               title: str, most_kpis: int) -> int:
    """A stacked bar per service of the Summary table at `header_row`..`last`, placed under
    it; returns the first free row after the chart."""
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for offset, word in enumerate(rag.RAG_WORDS, start=4):
        chart.add_series({
            "name": ["Summary", header_row, offset],
            "categories": ["Summary", header_row + 1, 0, last, 0],
            "values": ["Summary", header_row + 1, offset, last, offset],
            "fill": {"color": RAG[word]["bg_color"]},
            "border": {"color": RAG[word]["font_color"]},
            "gap": 60,
        })
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_x_axis(count_axis(most_kpis))  # a service with 40 KPIs: 5 gridlines, not 40
    chart.set_y_axis({"reverse": True, "crossing": "max"})  # value axis at the bottom
    chart.set_legend({"position": "bottom"})
    y_scale = min(1.4, 0.6 + 0.12 * (last - header_row))
    sheet.insert_chart(last + 2, 0, chart, {"x_scale": 1.3, "y_scale": y_scale, "y_offset": 4})
    return last + 2 + -(-int(288 * y_scale + 4) // 20) + 1


def _kpis(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
          kpis: list[KpiStatus], printed: set[str] | None) -> None:
    facts = result.facts
    columns = [
        TableColumn("Service or PMO", "text", 11), TableColumn("Name", "wrap", 20),
        TableColumn(KPIs.kpi_id, "text", 9), TableColumn(KPIs.kpi_name, "wrap", 26),
        TableColumn(KPIs.unit, "text", 7), TableColumn(KPIs.direction, "wrap", 10),
        TableColumn(KPIActuals.period, "text", 10), TableColumn(KPIActuals.actual, "value", 9),
        TableColumn(KPIs.target, "value", 9), TableColumn("Variance", "signed", 9),
        TableColumn("RAG", "rag", 9), TableColumn(KPIs.amber_threshold, "value", 9),
        TableColumn(KPIs.red_threshold, "value", 9), TableColumn(KPIActuals.commentary, "wrap", 34),
        TableColumn(KPIs.owner, "wrap", 14), TableColumn("Missing actual", "text", 10),
    ]
    rows = []
    for kpi in _ordered(kpis, facts):
        rows.append([
            kpi.measured, facts.measured_name(kpi.measured),
            kpi.kpi_id, kpi.name, kpi.unit, kpi.direction, kpi.period_label, kpi.actual,
            kpi.target, kpi.variance, kpi.rag, kpi.amber_threshold, kpi.red_threshold,
            kpi.commentary, facts.name_of(kpi.owner),
            ("Missing", "rag_Red") if kpi.missing else None,
        ])
    last = write_table(sheet, fmt, columns, rows, name="KpiPeriod",
                       empty="The master has no KPIs.")
    row = note(sheet, fmt, last + 2, "How a KPI's RAG is set: " + rag.RAG_RULE, 12, 2)
    note(sheet, fmt, row, "Thresholds: " + rag.THRESHOLD_RULE, 12, 1)
    print_setup(sheet, result.as_of, title="KPIs for the reporting period")
    if printed is not None:
        shown = sum(1 for r in rows if r[0] in printed)  # they come first
        _print_only(workbook, sheet, [(0, shown)], len(columns) - 1)


def _ordered(kpis: list[KpiStatus], facts: Facts) -> list[KpiStatus]:
    """KPIs in THE ranking of attention of what they measure, and within one service or PMO
    Red first, then Amber, No data and Green, then by KPI ID."""
    ranking = facts.attention_ranking
    return sorted(kpis, key=lambda k: (ranking.get(str(k.measured), len(ranking)),
                                       str(k.measured), rag.kpi_attention(k.rag), k.kpi_id))


def _trends(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
            kpis: list[KpiStatus], printed: set[str] | None) -> list:
    """One block per frequency (its own period headers) with sparklines; returns the blocks
    [(frequency, header row, [(data row, kpi)], periods shown, KPI ID -> values shown)] for
    the charts."""
    facts = result.facts
    row = 0
    blocks = []  # (frequency, header row, [(data row, kpi)], periods shown, KPI -> values)
    widths: list[float | None] = []  # the first block's: later blocks share its columns
    spans = []  # (header row, last printed row, last column) of each block
    for frequency in FREQUENCIES:
        mine = [k for k in _ordered(kpis, facts)
                if (k.frequency or Frequency.MONTHLY) == frequency]
        if not mine and frequency != Frequency.MONTHLY:
            continue
        periods = facts.trend_periods(frequency, TREND_PERIODS)
        values_of = {kpi.kpi_id: facts.actuals_of(kpi.kpi_id, periods) for kpi in mine}
        if frequency != Frequency.MONTHLY:
            # Twelve quarters are three years: start at the first quarter with an actual
            # (keeping a year at least) rather than print a row of empty quarters.
            first = min((i for values in values_of.values()
                         for i, value in enumerate(values) if value is not None),
                        default=0)
            first = min(first, len(periods) - MIN_QUARTERS)
            periods = periods[first:]
            values_of = {kpi_id: values[first:] for kpi_id, values in values_of.items()}
        columns = [TableColumn(KPIs.kpi_id, "text", 10), TableColumn(KPIs.kpi_name, "wrap", 26)]
        columns += [TableColumn(period_label(frequency, p), "value", 8.5) for p in periods]
        columns += [TableColumn("Trend", "text", 16), TableColumn(KPIs.target, "value", 8),
                    TableColumn(KPIs.baseline, "value", 8), TableColumn(KPIs.direction, "wrap", 14),
                    TableColumn("Service or PMO", "text", 10)]
        # One column width serves every block in that column, so a shorter block's rows
        # are measured (and wrapped) at the widths they are printed at.
        columns = [replace(col, width=width) for col, width in
                   zip(columns, widths or [col.width for col in columns], strict=False)]
        widths = widths or [col.width for col in columns]
        rows = []
        for kpi in mine:
            values = values_of[kpi.kpi_id]
            name = kpi.name
            if not kpi.current:
                name = f"{name or ''} (retired {_retired(kpi)})".strip()
            rows.append([kpi.kpi_id, name, *values, None, kpi.target, kpi.baseline,
                         kpi.direction, kpi.measured])
        last = write_table(sheet, fmt, columns, rows, first_row=row,
                           name=f"{frequency}Trends", freeze=row == 0,
                           empty=f"No {frequency.lower()} KPIs.")
        blocks.append((frequency, row, [(row + 1 + i, k) for i, k in enumerate(mine)],
                       len(periods), values_of))
        data_rows = [data_row for data_row, _ in blocks[-1][2]]
        if data_rows:
            # One sparkline group per block, as Excel itself makes them: the options and
            # colours are set up once, not once per KPI (thousands at enterprise scale).
            # Columns, not a line: LibreOffice prints a line sparkline as its markers alone
            # (scattered dots); columns print as they show, the latest period highlighted.
            trend_col = FIRST_PERIOD_COL + len(periods)
            sheet.add_sparkline(data_rows[0], trend_col, {
                "location": [xl_rowcol_to_cell(r, trend_col) for r in data_rows],
                "range": [_range(r, FIRST_PERIOD_COL, trend_col - 1) for r in data_rows],
                "type": "column", "last_point": True, "empty_cells": "gaps",
                "series_color": "#8EA9DB", "last_color": "#1F3864",
            })
        spans.append((row, row + sum(1 for k in mine if str(k.measured) in (printed or ())),
                      len(columns) - 1))
        row = last + 2
    print_setup(sheet, result.as_of, title="KPI trends")
    if printed is not None:
        _print_only(workbook, sheet, [(first, last) for first, last, _ in spans],
                    max(width for _, _, width in spans))
    return blocks


def _print_only(workbook: Workbook, sheet: Worksheet, spans: list[tuple[int, int]],
                last_col: int) -> None:
    """Print rows `first`..`last` of each span only: at enterprise scale a detail sheet's
    printout is the KPIs of the services that need most attention (a few pages, not a
    hundred); every row stays on the sheet, to filter and read in Excel."""
    spans = [(first, last) for first, last in spans if last > first]  # a header alone: none
    if not spans:
        spans = [(0, 0)]
    if len(spans) == 1:
        sheet.print_area(spans[0][0], 0, spans[0][1], last_col)
        return
    # One range per frequency's block (each with its own header): a print area of several
    # ranges, which xlsxwriter's print_area cannot write.
    ranges = ",".join(f"{sheet.name}!{xl_range_abs(first, 0, last, last_col)}"
                      for first, last in spans)
    workbook.define_name(f"{sheet.name}!_xlnm.Print_Area", f"={ranges}")


def _retired(kpi: KpiStatus) -> str:
    return kpi.retired_date.isoformat() if kpi.retired_date else "with no date"


def _range(row: int, first_col: int, last_col: int) -> str:
    return (f"Trends!{xl_rowcol_to_cell(row, first_col, True, True)}:"
            f"{xl_rowcol_to_cell(row, last_col, True, True)}")


def _trend_charts(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
                  blocks: list, charted: list[str]) -> None:
    """A small line chart per KPI (a retired one's history too) of each service the
    Summary's attention table names (`charted`, most attention first): its actuals, target
    and baseline, on a sheet of its own so the Trends table's repeated header never prints
    above a chart."""
    shown = {frequency: count for frequency, _, _, count, _ in blocks}
    values_of = {kpi_id: values for *_, block in blocks for kpi_id, values in block.items()}
    by_measured: dict[str, list] = {}  # (frequency, header row, data row, kpi)
    for frequency, header_row, kpi_rows, _, _ in blocks:
        for data_row, kpi in kpi_rows:
            by_measured.setdefault(str(kpi.measured), []).append(
                (frequency, header_row, data_row, kpi))
    every = len(result.facts.attention_ranking)  # the Summary's rows
    sheet.write_string(0, 0, "KPI trend charts", fmt["title"])
    sheet.set_row(0, 24)
    if not by_measured:
        text = "No KPI has actuals to chart."
    elif len(charted) >= every:
        text = ("A chart per KPI, for each service with KPIs in the Summary's order (most "
                "attention first): the actual as a solid line, its target dashed and its "
                "baseline dotted; the figures are on the Trends sheet.")
    else:
        text = (f"A chart per KPI of the {len(charted)} services whose KPIs need most "
                f"attention (of {every:,} services with KPIs), the Summary's attention table "
                "in its order: the actual as a solid line, its target dashed and its baseline "
                "dotted; every KPI's 12-period trend is on the Trends sheet, with a "
                "sparkline.")
    sheet.merge_range(1, 0, 1, 17, text, fmt["note"])
    sheet.set_row(1, 27)
    lines = _ReferenceLines(workbook, fmt)
    place = 0  # the chart's place in the grid
    for sid in charted:
        # Its KPIs as the KPIs sheet orders them; a retired KPI's history after them.
        items = sorted(by_measured.get(sid, []),
                       key=lambda item: (not item[3].current, rag.kpi_attention(item[3].rag),
                                         item[3].kpi_id))
        for frequency, header_row, data_row, kpi in items:
            chart = workbook.add_chart({"type": "line"})
            last_col = FIRST_PERIOD_COL + shown[frequency] - 1
            categories = ["Trends", header_row, FIRST_PERIOD_COL, header_row, last_col]
            chart.add_series({
                "name": ["Trends", data_row, 0],  # the KPI ID
                "categories": categories,
                "values": ["Trends", data_row, FIRST_PERIOD_COL, data_row, last_col],
                "line": {"color": ACTUAL_COLOUR, "width": 2.25},
                "marker": {"type": "circle", "size": 4, "fill": {"color": ACTUAL_COLOUR},
                           "border": {"color": ACTUAL_COLOUR}},
            })
            lines.add(chart, categories, kpi)
            chart.show_hidden_data()  # the target and baseline lines' data is on a hidden sheet
            chart.set_title({"name": chart_text(_chart_title(sid, kpi)),
                             "name_font": {"size": 9, "bold": True}, "overlay": False})
            chart.show_blanks_as("gap")
            chart.set_legend({"position": "bottom", "font": {"size": 8}})
            chart.set_x_axis({"num_font": {"size": 7}})
            plotted = [v for v in (*values_of.get(kpi.kpi_id, []), kpi.target, kpi.baseline)
                       if isinstance(v, numbers.Real) and math.isfinite(v)]
            chart.set_y_axis({"num_font": {"size": 8}, **trend_axis(plotted),
                              "major_gridlines": {"visible": True,
                                                  "line": {"color": "#E7E6E6"}}})
            at_row = CHARTS_START + (place // CHARTS_PER_ROW) * CHART_ROWS
            # A few pixels down from the row's top: a chart starting exactly on a page break
            # otherwise prints its top edge at the foot of the page before.
            sheet.insert_chart(at_row, 0, chart, {
                "x_scale": CHART_WIDTH / 480, "y_scale": CHART_HEIGHT / 288, "y_offset": 4,
                "x_offset": (place % CHARTS_PER_ROW) * CHART_GAP})
            place += 1
    print_setup(sheet, result.as_of, header_row=None, title="KPI trend charts")
    paginate(sheet)  # a scale that fits three charts across, and no chart across a break
    lines.hide()


def _chart_title(sid: str, kpi: KpiStatus) -> str:
    """`SVC-001 · KPI-01 Reports published on time (Red)`: the service first, as the
    Summary's attention table names it."""
    name = f" {kpi.name}" if kpi.name else ""
    return f"{sid} · {kpi.kpi_id}{name} ({kpi.rag if kpi.current else 'retired'})"


# The actual dark and solid with markers; its target dashed green; its baseline dotted grey,
# thinner: reference lines that never drown the actual.
ACTUAL_COLOUR = "#1F3864"
REFERENCE_LINES = (("Target", "#548235", "dash", 1.5), ("Baseline", "#8C8C8C", "round_dot", 1.25))
LINES_SHEET = "Chart lines"


class _ReferenceLines:
    """Target and baseline lines for the trend charts. A chart series is a range of cells,
    so each KPI's target (and baseline) is written once per period shown on a hidden sheet
    of its own, one row per line, and charted from there; the chart sheet holds charts
    only, so its print scale and page breaks (reports/paging.py) see nothing else."""

    def __init__(self, workbook: Workbook, fmt: dict) -> None:
        self.workbook, self.fmt, self.row = workbook, fmt, 0
        self.sheet: Worksheet | None = None

    def add(self, chart, categories: list, kpi: KpiStatus) -> None:
        periods = categories[4] - categories[2] + 1
        for (label, colour, dash, width), value in zip(REFERENCE_LINES,
                                                       (kpi.target, kpi.baseline), strict=True):
            if value is None:
                continue
            if self.sheet is None:
                self.sheet = self.workbook.add_worksheet(LINES_SHEET)
            self.sheet.write_string(self.row, 0, label, self.fmt["text"])
            for offset in range(periods):
                self.sheet.write_number(self.row, 1 + offset, value, self.fmt["value"])
            chart.add_series({
                "name": [LINES_SHEET, self.row, 0],
                "categories": categories,
                "values": [LINES_SHEET, self.row, 1, self.row, periods],
                "line": {"color": colour, "width": width, "dash_type": dash},
                "marker": {"type": "none"},
            })
            self.row += 1

    def hide(self) -> None:
        """The lines' sheet is data for the charts, not a page to read."""
        if self.sheet is not None:
            self.sheet.hide()

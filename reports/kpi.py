"""The KPI report workbook: every KPI against its target for the reporting period, and trends.

Sheets: Summary (per service, and per PMO for the KPIs of a PMO's own performance: KPI
count and RAG counts, with a chart) · KPIs (the reporting period's actual, target,
variance, RAG, commentary; a missing actual is flagged, never Green) · Trends (the last 12
periods per KPI, its target and baseline, with sparklines) · Trend charts (a line chart per
service or PMO, each KPI with its target and baseline as lines; at enterprise scale only
for those whose KPIs need most attention).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl import rag
from pmo_xl.facts import Facts, KpiStatus
from pmo_xl.output import atomic_output
from pmo_xl.period import period_label
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

KPI_SHEETS = ("Summary", "KPIs", "Trends", "Trend charts")
KPI_LEGEND = ("How a KPI's RAG is set: " + rag.RAG_RULE + " A service's (or PMO's) KPI RAG "
              "is the worst of its KPIs that have a colour, and No data when none has: the "
              "bar beside its row shows the same counts.")
TREND_PERIODS = 12
MIN_QUARTERS = 4  # a quarterly trend shows a year at least, even of new KPIs
FIRST_PERIOD_COL = 2  # C: KPI ID and KPI name come first
CHARTS_PER_ROW = 2
CHART_ROWS = 13  # rows one chart covers (12 of 20 pixels: 4 + 236), with a gap
CHART_GAP = 600  # pixels from a chart's left edge to the next one's (a chart is 576 wide)
CHARTS_START = 3  # the chart sheet's title and note come first
# A director reads a few pages of charts, not thousands: above this many, the charts are for
# the services whose KPIs need most attention and the sheet says so. Every KPI's trend is
# still on the Trends sheet, with its sparkline.
TREND_CHART_LIMIT = 24
# What the Summary's Stage column says for a PMO's own KPIs (a PMO has no lifecycle stage).
PMO_STAGE = "PMO"
# Past this many services with KPIs, the Summary's chart shows this many that need most
# attention (stated in a note above it) rather than a bar per service.
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
        _summary(workbook, workbook.add_worksheet("Summary"), fmt, result, current, generated)
        _kpis(workbook.add_worksheet("KPIs"), fmt, result, current)
        blocks = _trends(workbook.add_worksheet("Trends"), fmt, result,
                         result.facts.kpi_statuses)
        _trend_charts(workbook, workbook.add_worksheet("Trend charts"), fmt, result, blocks)
        workbook.close()
    return path


def _summary(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
             kpis: list[KpiStatus], generated: dt.datetime) -> None:
    # The widths the tables below end with, set first so the notes wrap at them.
    set_widths(sheet, [30, 34, 11, 8, 8, 8, 8, 8, 10])
    row = cover_block(sheet, fmt, title="KPI report", rows=cover_rows(result, generated))
    counts = rag.rag_counts(k.rag for k in kpis)
    row = label_rows(sheet, fmt, row, "Headline numbers", [
        ("KPIs", len(kpis)),
        ("Green", counts[rag.GREEN]),
        ("Amber", counts[rag.AMBER]),
        ("Red", counts[rag.RED]),
        ("No data (actual missing)", counts[rag.NO_DATA]),
    ])
    row = note(sheet, fmt, row, KPI_LEGEND, 9, 3)
    facts = result.facts
    services = facts.services
    order = _measured_order(facts)
    by_service: dict[object, list[KpiStatus]] = {}
    for kpi in kpis:
        by_service.setdefault(kpi.measured, []).append(kpi)
    with_kpis = sorted((s for s in by_service if s is not None),
                       key=lambda s: (s not in order, order.get(s, 0), s))
    columns = [
        TableColumn("Service or PMO", "text", 12), TableColumn("Name", "wrap", 34),
        TableColumn(Services.stage, "text", 11), TableColumn("KPIs", "count", 8),
        TableColumn("Green", "count", 8), TableColumn("Amber", "count", 8),
        TableColumn("Red", "count", 8), TableColumn("No data", "count", 8),
        TableColumn("KPI RAG", "rag", 10),
    ]
    rows = []
    for sid in with_kpis:
        mine = by_service[sid]
        service_counts = rag.rag_counts(k.rag for k in mine)
        stage = facts.stage_as_typed.get(sid) if sid in services else (
            PMO_STAGE if sid in facts.pmos else None)
        status = result.service_statuses.get(sid)
        if facts.stage_unknown(sid):
            kpi_rag = ("", "rag_none")  # in no stage: no KPI RAG until its Stage is fixed
        else:
            kpi_rag = status.kpi_rag if status is not None else rag.kpi_rollup(
                k.rag for k in mine)
        rows.append([sid, facts.measured_name(sid), stage, len(mine),
                     *service_counts.values(), kpi_rag])
    keep = []  # row spans printed on one page
    if len(rows) > CHART_SERVICES:
        # A chart of a hundred bars says nothing: it shows the services that need most
        # attention, listed above it, and the table after it holds every service.
        worst = sorted(rows, key=_attention)[:CHART_SERVICES]
        sheet.write_string(row, 0, "Services whose KPIs need most attention", fmt["subtitle"])
        row = note(sheet, fmt, row + 1, f"The {CHART_SERVICES} of the {len(rows):,} services "
                   "with KPIs whose KPI RAG is worst: most Red KPIs first, then Amber, then "
                   "No data. Every service is in the table after the chart.", 8, 2)
        last = write_table(sheet, fmt, columns, worst, first_row=row, name="KpiAttention",
                           freeze=False)
        keep.append((row - 3, last))  # with its heading and note
        row = _rag_chart(workbook, sheet, row, last, "KPI RAG of the services that need "
                         "most attention")
        sheet.write_string(row, 0, "Every service with KPIs", fmt["subtitle"])
        row += 1
    table_row = row
    last = write_table(sheet, fmt, columns, rows, first_row=table_row, name="KpiSummary",
                       empty="The master has no KPIs.", freeze=False)
    sheet.set_column(0, 0, 30)  # the cover labels need more room than Service ID
    if rows and len(rows) <= CHART_SERVICES:
        _rag_chart(workbook, sheet, table_row, last, "KPI RAG by service")
    print_setup(sheet, result.as_of, header_row=table_row if rows else None,
                title="KPI report")
    # The table's heading and header row never end a page on their own.
    keep.append((table_row - 1, min(last, table_row + 3)))
    paginate(sheet, repeat_row=table_row if rows else None, keep=keep)
    sheet.activate()


def _attention(row: list) -> tuple:
    """Worst KPI RAG first, then most Red, Amber and No data KPIs (a Summary table row)."""
    _green, amber, red, no_data, worst = row[4:9]
    return (rag.ATTENTION.get(worst, 2), -red, -amber, -no_data)


def _rag_chart(workbook: Workbook, sheet: Worksheet, header_row: int, last: int,
               title: str) -> int:
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
    chart.set_x_axis({"min": 0, "major_unit": 1, "num_format": "0"})
    chart.set_y_axis({"reverse": True, "crossing": "max"})  # value axis at the bottom
    chart.set_legend({"position": "bottom"})
    y_scale = min(1.4, 0.6 + 0.12 * (last - header_row))
    sheet.insert_chart(last + 2, 0, chart, {"x_scale": 1.3, "y_scale": y_scale, "y_offset": 4})
    return last + 2 + -(-int(288 * y_scale + 4) // 20) + 1


def _kpis(sheet: Worksheet, fmt: dict, result: CheckResult, kpis: list[KpiStatus]) -> None:
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


def _measured_order(facts: Facts) -> dict[str, int]:
    """Services in catalogue order, then the PMOs (their own KPIs) in PMOs order."""
    order = {sid: i for i, sid in enumerate(facts.services)}
    for pmo in facts.pmos:
        order.setdefault(pmo, len(order))
    return order


def _ordered(kpis: list[KpiStatus], facts: Facts) -> list[KpiStatus]:
    order = _measured_order(facts)
    return sorted(kpis, key=lambda k: (order.get(str(k.measured), len(order)),
                                       str(k.measured), k.kpi_id))


def _trends(sheet: Worksheet, fmt: dict, result: CheckResult,
            kpis: list[KpiStatus]) -> list:
    """One block per frequency (its own period headers) with sparklines; returns the blocks
    [(frequency, header row, [(data row, kpi)])] for the charts."""
    facts = result.facts
    row = 0
    blocks = []  # (frequency, header row, [(data row, kpi)], periods shown)
    widths: list[float | None] = []  # the first block's: later blocks share its columns
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
                       len(periods)))
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
        row = last + 2
    print_setup(sheet, result.as_of, title="KPI trends")
    return blocks


def _retired(kpi: KpiStatus) -> str:
    return kpi.retired_date.isoformat() if kpi.retired_date else "with no date"


def _range(row: int, first_col: int, last_col: int) -> str:
    return (f"Trends!{xl_rowcol_to_cell(row, first_col, True, True)}:"
            f"{xl_rowcol_to_cell(row, last_col, True, True)}")


def _trend_charts(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
                  blocks: list) -> None:
    """A line chart per service and frequency (monthly and quarterly never share an axis), on
    a sheet of its own so the Trends table's repeated header never prints above a chart."""
    facts = result.facts
    candidates = []  # (attention, position, frequency, header row, sid, [(data row, kpi)])
    shown = {frequency: count for frequency, _, _, count in blocks}
    for frequency, header_row, kpi_rows, _ in blocks:
        by_service: dict[str, list] = {}
        for data_row, kpi in kpi_rows:
            by_service.setdefault(str(kpi.measured), []).append((data_row, kpi))
        for sid, items in by_service.items():
            attention = min(rag.ATTENTION.get(kpi.rag, 2) for _, kpi in items)
            candidates.append((attention, len(candidates), frequency, header_row, sid, items))
    chosen = candidates
    if len(candidates) > TREND_CHART_LIMIT:
        # Worst first (Red, Amber, No data, Green), then catalogue order; shown in catalogue
        # order so a reader finds a service where they expect it.
        chosen = sorted(sorted(candidates)[:TREND_CHART_LIMIT], key=lambda c: c[1])
    sheet.write_string(0, 0, "KPI trend charts", fmt["title"])
    sheet.set_row(0, 24)
    if not candidates:
        text = "No KPI has actuals to chart."
    elif chosen is candidates:
        text = ("A line chart per service with KPIs (monthly and quarterly KPIs on separate "
                "charts); the figures are on the Trends sheet.")
    else:
        text = (f"Charts for the {len(chosen)} services whose KPIs need most attention (Red "
                f"first, then Amber and No data), of {len(candidates):,} service charts in "
                "all; every KPI's 12-period trend is on the Trends sheet, with a sparkline.")
    sheet.merge_range(1, 0, 1, 17, text, fmt["note"])
    sheet.set_row(1, 27)
    lines = _ReferenceLines(workbook, fmt)
    for index, (_, _, frequency, header_row, sid, items) in enumerate(chosen):
        chart = workbook.add_chart({"type": "line"})
        last_col = FIRST_PERIOD_COL + shown[frequency] - 1
        categories = ["Trends", header_row, FIRST_PERIOD_COL, header_row, last_col]
        for position, (data_row, kpi) in enumerate(items):
            colour = LINE_COLOURS[position % len(LINE_COLOURS)]
            chart.add_series({
                "name": ["Trends", data_row, 0],
                "categories": categories,
                "values": ["Trends", data_row, FIRST_PERIOD_COL, data_row, last_col],
                "line": {"color": colour, "width": 2},
                "marker": {"type": "circle", "size": 5, "fill": {"color": colour},
                           "border": {"color": colour}},
            })
            lines.add(chart, categories, kpi, colour)
        chart.show_hidden_data()  # the target and baseline lines' data is on a hidden sheet
        name = facts.measured_name(sid)
        title = f"{sid} {name}" if name else sid
        chart.set_title({"name": chart_text(f"{title}: {frequency.lower()} KPIs"),
                         "name_font": {"size": 11}})
        chart.show_blanks_as("gap")
        chart.set_legend({"position": "bottom"})
        chart.set_y_axis({"major_gridlines": {"visible": True,
                                              "line": {"color": "#D9D9D9"}}})
        at_row = CHARTS_START + (index // CHARTS_PER_ROW) * CHART_ROWS
        # A few pixels down from the row's top: a chart starting exactly on a page break
        # otherwise prints its top edge at the foot of the page before.
        sheet.insert_chart(at_row, 0, chart, {"x_scale": 1.2, "y_scale": 236 / 288, "y_offset": 4,
                                              "x_offset": (index % CHARTS_PER_ROW) * CHART_GAP})
    print_setup(sheet, result.as_of, header_row=None, title="KPI trend charts")
    paginate(sheet)  # a scale that fits two charts across, and no chart across a break
    lines.hide()


# One colour per KPI on a chart: its actuals solid with markers, its target dashed and its
# baseline dotted in the same colour, so a reader pairs them without the legend.
LINE_COLOURS = ("#1F3864", "#C55A11", "#548235", "#7030A0", "#2E75B6", "#BF8F00",
                "#843C0C", "#00B0F0")
LINES_SHEET = "Chart lines"


class _ReferenceLines:
    """Target and baseline lines for the trend charts. A chart series is a range of cells,
    so each KPI's target (and baseline) is written once per period shown on a hidden sheet
    of its own, one row per line, and charted from there; the chart sheet holds charts
    only, so its print scale and page breaks (reports/paging.py) see nothing else."""

    def __init__(self, workbook: Workbook, fmt: dict) -> None:
        self.workbook, self.fmt, self.row = workbook, fmt, 0
        self.sheet: Worksheet | None = None

    def add(self, chart, categories: list, kpi: KpiStatus, colour: str) -> None:
        periods = categories[4] - categories[2] + 1
        for label, value, dash in (("target", kpi.target, "dash"),
                                   ("baseline", kpi.baseline, "round_dot")):
            if value is None:
                continue
            if self.sheet is None:
                self.sheet = self.workbook.add_worksheet(LINES_SHEET)
            name = f"{kpi.kpi_id} {label}"
            self.sheet.write_string(self.row, 0, name, self.fmt["text"])
            for offset in range(periods):
                self.sheet.write_number(self.row, 1 + offset, value, self.fmt["value"])
            chart.add_series({
                "name": [LINES_SHEET, self.row, 0],
                "categories": categories,
                "values": [LINES_SHEET, self.row, 1, self.row, periods],
                "line": {"color": colour, "width": 1.25, "dash_type": dash},
                "marker": {"type": "none"},
            })
            self.row += 1

    def hide(self) -> None:
        """The lines' sheet is data for the charts, not a page to read."""
        if self.sheet is not None:
            self.sheet.hide()

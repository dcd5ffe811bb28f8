"""The status report's memory: a Since last meeting sheet and a RAG history sheet.

A pack that found the pack before it gets **Since last meeting**: what moved since then,
one line per move (services whose health or stage moved, risks and issues opened and closed,
KPIs whose RAG moved, findings new and resolved, drift findings), filterable by kind. With
two or more earlier packs it also gets **RAG history**: each active service's health in each of
the last 12 packs (read from their pack.json, never by re-reading old masters) and a chart of
the error and warning findings per pack. Both only present :mod:`pmo_xl.compare.since`'s facts.
"""

from __future__ import annotations

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl import rag
from pmo_xl.compare.packs import HISTORY_PACKS
from pmo_xl.compare.since import PackMemory, SinceLastMeeting
from pmo_xl.findings import ERROR, WARNING
from pmo_xl.reports.chart_scale import count_axis
from pmo_xl.reports.common import note
from pmo_xl.reports.styles import (
    SEVERITY,
    TableColumn,
    cover_block,
    print_setup,
    write_table,
)
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import ACTIVE_STAGES, Services

SINCE_SHEET = "Since last meeting"
HISTORY_SHEET = "RAG history"
# The RAG history needs this many earlier packs: with one there is nothing to trend.
HISTORY_FROM = 2


def summary_rows(memory: PackMemory | None) -> tuple[str, list[tuple[str, object]]] | None:
    """The Summary sheet's "Since the pack of DATE" heading and counts, if there is one."""
    if memory is None or memory.since is None:
        return None
    return memory.since.heading, memory.since.counts()


def write_since_sheet(workbook: Workbook, fmt: dict, result: CheckResult,
                      memory: PackMemory | None) -> None:
    """Add Since last meeting where the pack's memory has it (the report's second sheet)."""
    if memory is not None and memory.since is not None:
        since_sheet(workbook.add_worksheet(SINCE_SHEET), fmt, result, memory.since)


def write_history_sheet(workbook: Workbook, fmt: dict, result: CheckResult,
                        memory: PackMemory | None) -> None:
    """Add RAG history where the pack's memory has enough earlier packs (the last sheet)."""
    if memory is not None and len(memory.history) >= HISTORY_FROM:
        history_sheet(workbook, workbook.add_worksheet(HISTORY_SHEET), fmt, result, memory)


def _shown(value: object) -> object:
    """A RAG or health word on its fill; anything else as written."""
    if isinstance(value, str) and value in rag.HEALTH_WORDS:
        return (value, f"rag_{value}")
    return value


def since_sheet(sheet: Worksheet, fmt: dict, result: CheckResult,
                since: SinceLastMeeting) -> None:
    previous = since.previous
    sheet.hide_gridlines(2)
    where = previous.folder.name if previous.folder is not None else previous.master_name
    row = cover_block(sheet, fmt, title=since.heading, rows=[
        ("Previous pack", where),
        ("Its as-of date", previous.as_of),
        ("Its master", f"{previous.master_name} ({previous.sha256[:12]})"),
        ("This pack's as-of date", result.as_of),
        ("This master", f"{result.master.path.name} ({result.master.short_hash})"),
    ])
    if since.comparison is None:
        row = note(sheet, fmt, row, "The previous pack's master snapshot could not be read, so "
                   "risks and issues and drift are not compared; the rest comes from its "
                   "pack.json.", 6, 2)
    else:
        row = note(sheet, fmt, row, "One line per move; filter on What. Drift findings are "
                   "changes the governance process should have seen (rules D101-D108, "
                   "`pmo-xl rules D`); each names its cell in this master, or in the previous "
                   "one.", 6, 2)
    columns = [
        TableColumn("What", "text", 19), TableColumn("ID", "text", 12),
        TableColumn("Name", "wrap", 30), TableColumn("Was", "text", 12),
        TableColumn("Now", "text", 12), TableColumn("Where", "text", 24),
        TableColumn("Detail", "wrap", 48),
    ]
    rows = [[m.what, m.record, m.name, _shown(m.was), _shown(m.now), m.where, m.detail]
            for m in since.moves]
    last = write_table(sheet, fmt, columns, rows, first_row=row, name="SinceLastMeeting",
                       empty=f"Nothing moved {since.heading.lower()}.")
    note(sheet, fmt, last + 2, "How a service's health is set: " + rag.ROLLUP_RULE, 6, 2)
    note(sheet, fmt, last + 4, "How a KPI's RAG is set: " + rag.RAG_RULE, 6, 2)
    print_setup(sheet, result.as_of, header_row=row, title=SINCE_SHEET)


def history_sheet(workbook: Workbook, sheet: Worksheet, fmt: dict, result: CheckResult,
                  memory: PackMemory) -> None:
    facts = result.facts
    packs = memory.history[-(HISTORY_PACKS - 1):]
    dates = [p.as_of.isoformat() for p in packs]
    columns = [TableColumn(Services.service_id), TableColumn(Services.service_name, "wrap", 28),
               TableColumn(Services.stage),
               *[TableColumn(day, "text", 11) for day in dates],
               TableColumn(f"{result.as_of.isoformat()} (this pack)", "text", 12)]
    rows = []
    for sid, record in facts.services.items():
        if not facts.active(sid):
            continue
        line: list[object] = [sid, record[Services.service_name], record[Services.stage]]
        for pack in packs:
            then = pack.services.get(sid)
            line.append(_shown(then.colour) if then is not None and then.stage in ACTIVE_STAGES
                        else None)
        line.append(_shown(result.service_statuses[sid].health))
        rows.append(line)
    last = write_table(sheet, fmt, columns, rows, name="RagHistory",
                       empty="No active service.")
    note(sheet, fmt, last + 2, "How a service's health is set: " + rag.ROLLUP_RULE + " A pack "
         "made before health was kept apart shows its RAG, which counted error findings too.",
         len(columns) - 1, 2)
    # Beside the matrix: errors and warnings per pack, and their chart.
    first_col = len(columns) + 1
    counts = [(p.as_of.isoformat(), p.summary.get(ERROR, 0), p.summary.get(WARNING, 0))
              for p in packs]
    counts.append((result.as_of.isoformat(), result.summary[ERROR], result.summary[WARNING]))
    headers = ("Pack", "Errors", "Warnings")
    for offset, (day, errors, warnings) in enumerate(counts, start=1):
        sheet.write_string(offset, first_col, day, fmt["text"])
        sheet.write_number(offset, first_col + 1, errors, fmt["count"])
        sheet.write_number(offset, first_col + 2, warnings, fmt["count"])
    sheet.add_table(0, first_col, len(counts), first_col + 2, {
        "name": "FindingsPerPack", "style": "Table Style Light 1", "autofilter": False,
        "columns": [{"header": h, "header_format": fmt["header"]} for h in headers]})
    sheet.set_column(first_col, first_col, 12)
    sheet.set_column(first_col + 1, first_col + 2, 9)
    chart = workbook.add_chart({"type": "line"})
    for col, severity in ((first_col + 1, ERROR), (first_col + 2, WARNING)):
        chart.add_series({
            "name": [HISTORY_SHEET, 0, col],
            "categories": [HISTORY_SHEET, 1, first_col, len(counts), first_col],
            "values": [HISTORY_SHEET, 1, col, len(counts), col],
            "line": {"color": SEVERITY[severity]["font_color"], "width": 2.25},
            "marker": {"type": "circle", "size": 6,
                       "fill": {"color": SEVERITY[severity]["font_color"]},
                       "border": {"color": SEVERITY[severity]["font_color"]}},
            "data_labels": {"value": True, "position": "above"},
        })
    chart.set_title({"name": "Findings per pack", "name_font": {"size": 12}})
    # A unit from the counts (five or so gridlines) and room above the top label.
    chart.set_y_axis({**count_axis(max(max(e, w) for _, e, w in counts)),
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_legend({"position": "bottom"})
    sheet.insert_chart(len(counts) + 2, first_col, chart, {"x_scale": 1.0, "y_scale": 0.9})
    print_setup(sheet, result.as_of, title=HISTORY_SHEET)

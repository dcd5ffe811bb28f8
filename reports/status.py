"""The status report workbook: what the meeting reads, first page first.

Sheets: Summary (the first page a PMO Director reads: the decisions for the meeting by
name, the services at Red with why, what changed since the last meeting, then the headline
counts and charts, and what the report was made from at the foot) · Since last meeting (in a
pack that found the pack before it) · Decisions needed · Services · Set-up pipeline ·
Closing · Changes in flight · Risks and Issues · Findings · RAG history (in a pack with
several before it). Built from one check run, so its findings are exactly those `pmo-xl
check` prints; every count and colour comes from the run's facts and agenda.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl import rag
from pmo_xl.compare.since import PackMemory
from pmo_xl.facts import Facts, ServiceStatus
from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.output import atomic_output
from pmo_xl.reports.chart_scale import count_axis
from pmo_xl.reports.common import (
    count_table,
    cover_rows,
    generated_at,
    heading,
    label_rows,
    note,
    ruled_grid,
    start_workbook,
)
from pmo_xl.reports.decisions import (
    DECISIONS_SHEET,
    actual,
    next_stage_plan,
    plans_text,
    write_decisions_sheet,
)
from pmo_xl.reports.outcomes_sheet import OUTCOMES_SHEET, write_outcomes_sheet
from pmo_xl.reports.since_sheets import (
    summary_rows,
    write_history_sheet,
    write_since_sheet,
)
from pmo_xl.reports.styles import (
    LINE_HEIGHT,
    RAG,
    TableColumn,
    print_setup,
    set_widths,
    write_table,
    write_text,
)
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import (
    NEXT_STAGE,
    SET_UP_STAGES,
    STAGES,
    Changes,
    ClosureReason,
    Escalation,
    ItemType,
    PilotResult,
    ProcedureKind,
    ProcedureStatus,
    Risks,
    Services,
    Severity,
    Stage,
    YesNo,
)
from pmo_xl.workbook.master import collector_paused
from pmo_xl.workbook.paging import paginate, span_width
from pmo_xl.workbook.text_fit import line_count

CHANGES_SHEET = "Changes in flight"
STATUS_SHEETS = ("Summary", DECISIONS_SHEET, "Services", OUTCOMES_SHEET, "Set-up pipeline",
                 "Closing",
                 CHANGES_SHEET, "Risks and Issues", "Findings")
S = Services
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
ESCALATION_RANK = {Escalation.OWNERSHIP: 0, Escalation.DELIVERY: 1, Escalation.OPERATIONS: 2}
# The stage table's row for services whose Stage is blank.
NOT_RECORDED = "Not recorded"
# The date that marks entering each set-up stage.
STAGE_START = {Stage.DESIGN: S.design_start, Stage.PILOT: S.pilot_start,
               Stage.TRANSITION: S.sign_off_date}
# The first page lists this many decisions and Red services, then says how many more.
FIRST_PAGE_ITEMS = 10
HEALTH_RULE_NOTE = "How a service's health is set: " + rag.ROLLUP_RULE
KPI_RULE_NOTE = "How a KPI's RAG is set: " + rag.RAG_RULE
DATA_QUALITY_NOTE = ("Data quality counts the errors and warnings `pmo-xl check` finds on a "
                     "service's records (the Findings sheet lists them); it never changes "
                     "the health.")
# The Summary's columns (characters): 130 in all, an A4 landscape page at full size.
SUMMARY_WIDTHS = [24, 8, 14, 84]
SUMMARY_LAST_COL = len(SUMMARY_WIDTHS) - 1
# Labels of the Summary's headline numbers that other outputs say too (the agreement test
# reads them).
DECISIONS_LABEL = "Decisions needed"
CHANGES_LABEL = "Changes in flight"
SERVICES_LABEL = "Services in the catalogue"
AT_RED_LABEL = "Active services at Red"
AT_AMBER_LABEL = "Active services at Amber"


def write_status_report(result: CheckResult, path: Path, memory: PackMemory | None = None) -> Path:
    """Write the status report for one check run to `path` (never over the master); a pack's
    `memory` of the packs before it adds Since last meeting and RAG history."""
    path = Path(path)
    generated = generated_at()
    # No cyclic GC while writing: half a million cells are as many small objects and no
    # cycles worth collecting, and each collection walks the whole master (a third of the time).
    with collector_paused(), atomic_output(path, source=result.master.path) as temp:
        workbook, fmt = start_workbook(temp, result, "Service status report",
                                       "Status of the PMO's services", generated)
        _summary(workbook.add_worksheet("Summary"), fmt, result, generated, workbook, memory)
        write_since_sheet(workbook, fmt, result, memory)
        write_decisions_sheet(workbook.add_worksheet(DECISIONS_SHEET), fmt, result)
        _services(workbook.add_worksheet("Services"), fmt, result)
        write_outcomes_sheet(workbook.add_worksheet(OUTCOMES_SHEET), fmt, result)
        _pipeline(workbook.add_worksheet("Set-up pipeline"), fmt, result)
        _closing(workbook.add_worksheet("Closing"), fmt, result)
        _changes(workbook.add_worksheet(CHANGES_SHEET), fmt, result)
        _risks(workbook.add_worksheet("Risks and Issues"), fmt, result)
        _findings(workbook.add_worksheet("Findings"), fmt, result)
        write_history_sheet(workbook, fmt, result, memory)
        workbook.close()
    return path


# --- the first page -----------------------------------------------------------------------


def red_services(result: CheckResult) -> list[tuple[str, ServiceStatus]]:
    """The active services whose health is Red, in catalogue order."""
    facts = result.facts
    return [(sid, status) for sid, status in result.service_statuses.items()
            if facts.active(sid) and status.health == rag.RED]


def _summary(sheet: Worksheet, fmt: dict, result: CheckResult, generated: dt.datetime,
             workbook: Workbook, memory: PackMemory | None = None) -> None:
    facts = result.facts
    set_widths(sheet, SUMMARY_WIDTHS)
    sheet.hide_gridlines(2)
    sheet.write_string(0, 0, "Service status report", fmt["title"])
    sheet.set_row(0, 24)
    scope = f" · {_pmo_words(result)}" if result.pmo else ""
    row = _line(sheet, fmt, 1, f"{facts.settings.organisation} · as of "
                f"{result.as_of.isoformat()} · {_periods(result)}{scope}", "subline")
    row = _gap(sheet, row)

    # 1. The decisions, by name.
    agenda = result.agenda
    row = heading(sheet, fmt, row, f"Decisions for the meeting: {len(agenda)}")
    if agenda:
        row = ruled_grid(sheet, fmt, row, ["Decision", "Record", "Who decides",
                                           "What is to be decided (the Decisions needed sheet "
                                           "has the numbers)"],
                         [[f"{n}. {d.kind}", d.record,
                           facts.name_of(d.decider) if d.decider else d.decider_name, d.headline]
                          for n, d in enumerate(agenda[:FIRST_PAGE_ITEMS], start=1)],
                         SUMMARY_WIDTHS)
        if len(agenda) > FIRST_PAGE_ITEMS:
            row = _line(sheet, fmt, row, f"and {len(agenda) - FIRST_PAGE_ITEMS} more: the "
                        f"{DECISIONS_SHEET} sheet lists every one, with its numbers.", "note")
    else:
        row = _line(sheet, fmt, row, "No decision is needed this period.", "note")
    row = _gap(sheet, row)

    # 2. The services at Red, by name, with why.
    reds = red_services(result)
    row = heading(sheet, fmt, row, f"Services at Red: {len(reds)}")
    if reds:
        row = ruled_grid(sheet, fmt, row, ["Service", "Stage", "Service Owner", "Why"],
                         [[(sid, "rag_Red"), status.stage, facts.name_of(facts.owner_of(sid)),
                           f"{facts.service_name(sid) or sid}: {status.why}"]
                          for sid, status in reds[:FIRST_PAGE_ITEMS]],
                         SUMMARY_WIDTHS)
        if len(reds) > FIRST_PAGE_ITEMS:
            row = _line(sheet, fmt, row, f"and {len(reds) - FIRST_PAGE_ITEMS} more: the "
                        "Services sheet lists every one.", "note")
    else:
        row = _line(sheet, fmt, row, "No active service is at Red.", "note")
    row = _line(sheet, fmt, row, HEALTH_RULE_NOTE, "note")
    row = _gap(sheet, row)

    # 3. What changed since the last meeting, in a few lines.
    since = memory.since if memory is not None else None
    since_first = row
    row = heading(sheet, fmt, row, since.heading if since else "Since the last meeting")
    if since is not None:
        text = since.paragraph(pointer=False).removeprefix(f"{since.heading}: ")
        text = text[:1].upper() + text[1:]
    elif memory is not None and memory.named and memory.empty:
        text = "Not compared with an earlier pack (--since none)."
    elif memory is not None:
        text = "No earlier pack to compare with: this pack starts the history."
    else:
        text = ("Not compared with the last meeting: `pmo-xl pack` compares each pack with "
                "the pack before it.")
    row = _line(sheet, fmt, row, text, "wrap")
    keep = [(since_first, row - 1)]
    row += 1

    # 4. The headline counts and the charts.
    health = result.active_service_rags
    numbers_row = row
    row = _kept(keep, row, label_rows(sheet, fmt, row, "Headline numbers",
                                      headline_numbers(result), value_col=2))
    pie_row = None
    if (since_rows := summary_rows(memory)) is not None:
        pie_row = row
        row = _kept(keep, row, label_rows(sheet, fmt, row, *since_rows, value_col=2))
    # The rule beside the health chart (and the health counts just below).
    row = _kept(keep, row, note(sheet, fmt, row, HEALTH_RULE_NOTE, SUMMARY_LAST_COL, 2))
    stage_counts = services_by_stage(result)
    stage_first, stage_last = count_table(sheet, fmt, row, (S.stage, "Services"), stage_counts)
    row = stage_last + 2
    health_first, health_last = count_table(sheet, fmt, row, ("Active services' health",
                                                              "Services"),
                                            health, rag_fill=True)
    row = health_last + 2
    row = _kept(keep, row, note(sheet, fmt, row, KPI_RULE_NOTE, SUMMARY_LAST_COL, 2))

    by_stage = workbook.add_chart({"type": "column"})
    by_stage.add_series({
        "name": "Services",
        "categories": ["Summary", stage_first, 0, stage_last, 0],
        "values": ["Summary", stage_first, 1, stage_last, 1],
        "fill": {"color": "#1F3864"},
        "data_labels": {"value": True},
        "gap": 60,
    })
    by_stage.set_title({"name": "Services by stage", "name_font": {"size": 12}})
    by_stage.set_legend({"none": True})
    by_stage.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                         **count_axis(max(stage_counts.values(), default=0))})
    sheet.insert_chart(numbers_row, 3, by_stage, {"x_scale": 1.0, "y_scale": 0.75,
                                                   "x_offset": 24, "y_offset": 4})

    by_health = workbook.add_chart({"type": "pie"})
    by_health.add_series({
        "name": "Active services by health",
        "categories": ["Summary", health_first, 0, health_last, 0],
        "values": ["Summary", health_first, 1, health_last, 1],
        "points": [{"fill": {"color": RAG[w]["bg_color"]},
                    "border": {"color": RAG[w]["font_color"]}} for w in rag.HEALTH_WORDS],
        "data_labels": {"value": True, "category": True, "separator": "\n"},
    })
    by_health.set_title({"name": "Active services by health", "name_font": {"size": 12}})
    by_health.set_legend({"position": "right"})
    # Beside the since-last-meeting counts where there are some, else beside the stages.
    sheet.insert_chart(pie_row if pie_row is not None else stage_first - 1, 3, by_health,
                       {"x_scale": 1.0, "y_scale": 0.75, "x_offset": 24, "y_offset": 4})

    # 5. At the foot: what the report was made from.
    about = row
    row = heading(sheet, fmt, row, "About this report")
    for label, value in cover_rows(result, generated):
        sheet.write_string(row, 0, label, fmt["label"])
        if isinstance(value, dt.datetime):
            sheet.merge_range(row, 1, row, SUMMARY_LAST_COL, None, fmt["datetime"])
            sheet.write_datetime(row, 1, value, fmt["datetime"])
        elif isinstance(value, dt.date):
            sheet.merge_range(row, 1, row, SUMMARY_LAST_COL, None, fmt["date"])
            sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), fmt["date"])
        else:
            sheet.merge_range(row, 1, row, SUMMARY_LAST_COL, None, fmt["text"])
            write_text(sheet, row, 1, value, fmt["text"])
        row += 1
    print_setup(sheet, result.as_of, header_row=None, title="Service status report")
    # Each small table on one page, and no chart across a page break.
    keep += [(stage_first - 1, stage_last), (health_first - 1, health_last),
             (about, row - 1)]
    paginate(sheet, keep=keep)
    sheet.activate()


def headline_numbers(result: CheckResult) -> list[tuple[str, int]]:
    """The Summary's headline numbers, label and value: the one place they are counted (the
    enterprise roll-up adds up each member's from here)."""
    facts = result.facts
    stages = [r[S.stage] for r in facts.services.values()]
    health = result.active_service_rags
    open_items = [item for _row, item in facts.open_items]
    return [
        (SERVICES_LABEL, len(facts.services)),
        ("In set-up", sum(s in SET_UP_STAGES for s in stages)),
        ("Running", stages.count(Stage.RUNNING)),
        ("Closing", stages.count(Stage.CLOSING)),
        (AT_RED_LABEL, health[rag.RED]),
        (AT_AMBER_LABEL, health[rag.AMBER]),
        ("Open risks", sum(1 for r in open_items if r[Risks.type] == ItemType.RISK)),
        ("Open issues", sum(1 for r in open_items if r[Risks.type] == ItemType.ISSUE)),
        (CHANGES_LABEL, len(facts.changes_in_flight)),
        (DECISIONS_LABEL, len(result.agenda)),
        ("Error findings", result.summary[ERROR]),
        ("Warnings", result.summary[WARNING]),
        ("Info findings", result.summary[INFO]),
        ("Waived findings", result.summary["waived"]),
    ]


def services_by_stage(result: CheckResult) -> dict[str, int]:
    """Services by stage, every stage shown: the Summary's stage table and chart, and what
    the enterprise roll-up adds up. A stage that is no lifecycle stage is shown as typed
    ("Runing"), counted under no stage; only a blank Stage is "Not recorded"."""
    facts = result.facts
    stages = [r[S.stage] for r in facts.services.values()]
    counts = {s: stages.count(s) for s in STAGES}
    for typed in facts.stage_as_typed.values():
        if typed not in STAGES:
            label = NOT_RECORDED if typed is None else typed
            counts[label] = counts.get(label, 0) + 1
    return counts


def _periods(result: CheckResult) -> str:
    from pmo_xl.reports.common import periods_text

    return "KPIs for " + periods_text(result)


def _pmo_words(result: CheckResult) -> str:
    facts = result.facts
    name = facts.pmo_name(result.pmo)
    return f"{name} ({result.pmo}) only" if name and name != result.pmo else f"{result.pmo} only"


def _kept(keep: list[tuple[int, int]], first: int, after: int) -> int:
    """Note rows `first`..`after - 2` (a block and the gap after it) as one span to print on
    one page; returns `after`."""
    keep.append((first, max(first, after - 2)))
    return after


def _gap(sheet: Worksheet, row: int) -> int:
    """A thin blank row between the first page's sections; returns the next row."""
    sheet.set_row(row, 8)
    return row + 1




def _line(sheet: Worksheet, fmt: dict, row: int, text: str, kind: str) -> int:
    """A line of text across the Summary's columns, as tall as it wraps; the next row."""
    style = {"subline": fmt["text"], "note": fmt["note"], "wrap": fmt["wrap"]}[kind]
    sheet.merge_range(row, 0, row, SUMMARY_LAST_COL, text, style)
    lines = line_count(text, span_width(sheet, 0, SUMMARY_LAST_COL))
    sheet.set_row(row, LINE_HEIGHT * lines + (2 if lines > 1 else 0))
    return row + 1




def _services(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    facts = result.facts
    columns = [
        TableColumn(S.service_id), TableColumn(S.service_name, "wrap", 28),
        TableColumn(S.stage), TableColumn(S.service_owner, "wrap", 16),
        TableColumn(S.service_managers, "wrap", 18), TableColumn(S.lead_pmo, "wrap", 18),
        TableColumn("Health", "rag", 11), TableColumn("KPI RAG", "rag"),
        TableColumn("Why", "wrap", 26),
        TableColumn("Open risks and issues", "count", 11),
        TableColumn("Open changes", "count", 9),
        TableColumn("Data quality: errors", "count", 10),
        TableColumn("Data quality: warnings", "count", 10),
        TableColumn("Next date due", "date", 12), TableColumn("Due for", "wrap", 24),
    ]
    rows = []
    for sid, service in facts.services.items():
        status = result.service_statuses[sid]
        due, what = _next_due(service, status, result.as_of)
        rows.append([
            sid, service[S.service_name], facts.stage_as_typed[sid],
            facts.name_of(service[S.service_owner]),
            facts.name_of(service[S.service_managers]),
            facts.pmo_name(service[S.lead_pmo]),
            status.health if status.health is not None else ("", "rag_none"),
            status.kpi_rag if status.kpis and status.expected and not facts.stage_unknown(sid)
            else ("", "rag_none"),
            status.why,
            len(status.open_items),
            len(facts.changes_in_flight_by_service.get(sid, [])),
            status.errors, status.warnings, due, what,
        ])
    last = write_table(sheet, fmt, columns, rows, name="ServiceList",
                       empty="The catalogue has no services.")
    row = note(sheet, fmt, last + 2, HEALTH_RULE_NOTE, 8, 2)
    note(sheet, fmt, row, DATA_QUALITY_NOTE, 8, 1)
    print_setup(sheet, result.as_of, title="Services")


def _next_due(service: dict, status: ServiceStatus,
              as_of: dt.date) -> tuple[dt.date | None, str | None]:
    """The earliest date that asks something of the service; an overdue one comes first."""
    candidates: list[tuple[dt.date, str]] = []
    if service[S.stage] not in (Stage.CLOSED, Stage.REJECTED) and isinstance(
            service[S.planned_end_date], dt.date):
        candidates.append((service[S.planned_end_date], "Planned end"))
    for item in status.open_items:
        if isinstance(item[Risks.target_date], dt.date):
            kind = str(item[Risks.type] or "item").lower()
            candidates.append((item[Risks.target_date],
                               f"{item[Risks.item_id]} {kind} target date"))
    if not candidates:
        return None, None
    date, what = min(candidates)
    return date, f"{what} (overdue)" if date < as_of else what


def missing_before_next(service: dict, facts: Facts) -> list[str]:
    """What the service still lacks for its current stage and the move to the next one: the
    fields and records the lifecycle, handbook and KPI rules ask of the next stage. A date
    that is still a plan (a stage not reached yet, or any date after the as-of date) is no
    step done: it is listed with the date it is planned for."""
    sid, stage = str(service[S.service_id]), service[S.stage]
    missing = [header for header in (S.service_owner, S.lead_pmo, S.strategic_objective)
               if service[header] is None]
    procedures = facts.procedures_by_service.get(sid, [])

    def not_done(header: str, words: str | None = None) -> None:
        if actual(service, header, facts) is not None:
            return
        value = service[header]
        planned = f" (planned {value.isoformat()})" if isinstance(value, dt.date) else ""
        missing.append(f"{words or header}{planned}")

    if stage in SET_UP_STAGES:
        if service[S.service_managers] is None:
            missing.append("Service Manager")
        if not facts.processes_by_service.get(sid):
            missing.append("SIPOC process")
        if not procedures:
            missing.append("a procedure in the handbook")
    if stage in SET_UP_STAGES and service[S.desired_outcome] is None:
        missing.append(S.desired_outcome)
    if stage in (Stage.PILOT, Stage.TRANSITION):
        if service[S.pilot_result] is None:
            missing.append("Pilot Result (how the pilot met its success criteria)")
        elif service[S.pilot_result] == PilotResult.NOT_MET:
            missing.append("a pilot that meets its success criteria (the last was Not met)")
        if not facts.outcome_kpis.get(sid):
            missing.append("an Outcome KPI with its Target")
        not_done(S.sign_off_date)
    if stage == Stage.TRANSITION:
        not_done(S.readiness_assessment_date)
        if service[S.rollout_approach] is None:
            missing.append(S.rollout_approach)
        if service[S.go_live_date] is None:
            missing.append(S.go_live_date)
        draft = [p.procedure_id for p in procedures
                 if p.status not in (ProcedureStatus.TESTED, ProcedureStatus.APPROVED)]
        if draft:
            missing.append("procedures Tested or Approved (" + ", ".join(draft) + ")")
        if procedures and not any(p.kind == ProcedureKind.MONITORING for p in procedures):
            missing.append("a Monitoring procedure")
        if not facts.kpis_by_service.get(sid):
            missing.append("a KPI")
        no_raci = [p.procedure_id for p in procedures
                   if p.procedure_id not in facts.procedures_with_raci]
        if no_raci:
            missing.append("a RACI for " + ", ".join(no_raci))
    return missing


def _pipeline(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    facts = result.facts
    columns = [
        TableColumn(S.service_id), TableColumn(S.service_name, "wrap", 26),
        TableColumn(S.stage), TableColumn(S.service_owner, "wrap", 16),
        TableColumn(S.lead_pmo, "wrap", 16), TableColumn("Health", "rag", 11),
        TableColumn("Approved", "date", 11), TableColumn(S.design_start, "date", 11),
        TableColumn(S.pilot_start, "date", 11), TableColumn(S.pilot_result, "wrap", 19),
        TableColumn(S.sign_off_date, "date", 11),
        TableColumn("Readiness Assessment", "date", 11),
        TableColumn("Days in stage", "count", 8), TableColumn("Next stage"),
        TableColumn("Next stage planned", "date", 11), TableColumn("Slip (days)", "count", 8),
        TableColumn("Missing before the next stage", "wrap", 40),
        TableColumn("Plans (dates not reached yet)", "wrap", 34),
    ]
    as_of = result.as_of
    rows = []
    ordered = sorted((s for s in facts.services.values() if s[S.stage] in SET_UP_STAGES),
                     key=lambda s: (SET_UP_STAGES.index(s[S.stage]), str(s[S.service_id])))
    for service in ordered:
        sid = str(service[S.service_id])
        started = service[STAGE_START[service[S.stage]]]
        missing = missing_before_next(service, facts)
        planned, slip = next_stage_plan(sid, service[S.stage], facts)
        rows.append([
            sid, service[S.service_name], service[S.stage],
            facts.name_of(service[S.service_owner]), facts.pmo_name(service[S.lead_pmo]),
            result.service_statuses[sid].health,
            *(actual(service, h, facts) for h in (S.approved_date, S.design_start,
                                                  S.pilot_start)),
            pilot_result_cell(service),
            *(actual(service, h, facts) for h in (S.sign_off_date,
                                                  S.readiness_assessment_date)),
            (as_of - started).days if isinstance(started, dt.date) else None,
            NEXT_STAGE[service[S.stage]], planned, (slip, "rag_Red") if slip else None,
            "; ".join(missing) if missing else "Nothing: ready to move on",
            plans_text(sid, facts),
        ])
    last = write_table(sheet, fmt, columns, rows, name="Pipeline",
                       empty="No service is in Design, Pilot or Transition.")
    note(sheet, fmt, last + 2, HEALTH_RULE_NOTE + " A date after the as-of date is a plan, "
         "never a step done.", 10, 2)
    print_setup(sheet, as_of, title="Set-up pipeline")


PILOT_FILL = {PilotResult.MET: "rag_Green", PilotResult.PARTLY_MET: "rag_Amber",
              PilotResult.NOT_MET: "rag_Red"}


def pilot_result_cell(service: dict) -> object:
    """`Met (2026-09-03)` on its colour; blank before a result is known."""
    result = service[S.pilot_result]
    if result is None:
        return None
    day = service[S.pilot_result_date]
    text = f"{result} ({day.isoformat()})" if isinstance(day, dt.date) else str(result)
    return (text, PILOT_FILL[result]) if result in PILOT_FILL else text


CHECKLIST = (
    "Closure reason recorded", "Approved by the Service Owner", "Approval dated",
    "Replacement named", "Artefacts reviewed", "Procedures retired",
    "No open risks or issues", "No open changes", "No service depends on it",
)


def closure_checklist(service: dict, facts: Facts) -> dict[str, bool | None]:
    """Each closure step (seed §5.3) -> done (True), outstanding (False) or not needed (None).

    "No service depends on it" is False exactly where H109 reports a live process that
    takes an input only this service makes, or a live temporary service supports it.
    """
    sid = str(service[S.service_id])
    procedures = facts.procedures_by_service.get(sid, [])
    replaced = service[S.closure_reason] == ClosureReason.REPLACED
    return {
        "Closure reason recorded": service[S.closure_reason] is not None,
        "Approved by the Service Owner": service[S.closure_approved_by] is not None
        and service[S.closure_approved_by] == service[S.service_owner],
        "Approval dated": service[S.closure_approved_date] is not None,
        "Replacement named": (service[S.replaced_by] is not None) if replaced else None,
        "Artefacts reviewed": service[S.artefacts_reviewed] == YesNo.YES,
        "Procedures retired": all(p.status == ProcedureStatus.RETIRED for p in procedures),
        "No open risks or issues": not facts.open_items_by_service.get(sid),
        "No open changes": not facts.changes_in_flight_by_service.get(sid),
        "No service depends on it": not facts.dependants_of(sid) and not facts.supported_by(sid),
    }


def _closing(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    facts = result.facts
    columns = [
        TableColumn(S.service_id), TableColumn(S.service_name, "wrap", 24),
        TableColumn(S.service_owner, "wrap", 16), TableColumn(S.closure_reason, "wrap", 20),
        TableColumn(S.closure_approved_by, "wrap", 14),
        TableColumn(S.closure_approved_date, "date", 11),
        TableColumn(S.planned_end_date, "date", 11),
        *[TableColumn(step, "text", 11) for step in CHECKLIST],
        TableColumn("Outstanding", "wrap", 30),
        TableColumn("Risks or issues that led to it", "wrap", 16),
    ]
    shown = {True: ("Done", "rag_Green"), False: ("To do", "rag_Red"), None: ("n/a", "text")}
    rows = []
    for sid, service in facts.services.items():
        if service[S.stage] != Stage.CLOSING:
            continue
        checklist = closure_checklist(service, facts)
        outstanding = [step for step, done in checklist.items() if done is False]
        rows.append([
            sid, service[S.service_name], facts.name_of(service[S.service_owner]),
            service[S.closure_reason], facts.name_of(service[S.closure_approved_by]),
            service[S.closure_approved_date], service[S.planned_end_date],
            *[shown[checklist[step]] for step in CHECKLIST],
            "; ".join(outstanding) if outstanding else "Ready to close",
            ", ".join(facts.led_to_closure.get(sid, [])) or None,
        ])
    write_table(sheet, fmt, columns, rows, name="ClosingChecklist",
                empty="No service is Closing.")
    print_setup(sheet, result.as_of, title="Closing")


def _changes(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    """Every change not yet Implemented or Rejected: what the Summary's "Changes in flight"
    counts."""
    facts = result.facts
    columns = [
        TableColumn(Changes.change_id), TableColumn(Changes.service_id),
        TableColumn(S.service_name, "wrap", 22), TableColumn(Changes.type, "wrap", 14),
        TableColumn(Changes.status), TableColumn("Requested", "date", 11),
        TableColumn(Changes.approved_by, "wrap", 16),
        TableColumn(Changes.approved_date, "date", 11),
        TableColumn(Changes.description, "wrap", 44),
        TableColumn("Raised by (risks or issues)", "wrap", 16),
    ]
    rows = [[change[Changes.change_id], change[Changes.service_id],
             facts.service_name(change[Changes.service_id]), change[Changes.type],
             change[Changes.status], change[Changes.requested_date],
             facts.name_of(change[Changes.approved_by]), change[Changes.approved_date],
             change[Changes.description],
             ", ".join(facts.led_to_change.get(str(change[Changes.change_id]).strip(), []))
             or None]
            for _row, change in facts.changes_in_flight]
    write_table(sheet, fmt, columns, rows, name="ChangesInFlight",
                empty="No change is in flight: every change is Implemented or Rejected.")
    print_setup(sheet, result.as_of, title=CHANGES_SHEET)


def _risks(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    facts = result.facts
    columns = [
        TableColumn(Risks.item_id), TableColumn(Risks.type), TableColumn(Risks.service_id),
        TableColumn(S.service_name, "wrap", 20), TableColumn(Risks.severity, "text", 10),
        TableColumn(Risks.status), TableColumn(Risks.escalation_level, "wrap", 14),
        TableColumn(Risks.owner, "wrap", 14), TableColumn("Raised", "date", 11),
        TableColumn(Risks.target_date, "date", 11), TableColumn("Overdue", "text", 9),
        TableColumn(Risks.description, "wrap", 40), TableColumn(Risks.action, "wrap", 34),
    ]
    fill = {Severity.CRITICAL: "rag_Red", Severity.HIGH: "rag_Amber"}
    as_of = result.as_of
    ordered = sorted((item for _row, item in facts.open_items), key=lambda r: (
        SEVERITY_RANK.get(r[Risks.severity], 4),
        ESCALATION_RANK.get(r[Risks.escalation_level], 3), str(r[Risks.item_id])))
    rows = []
    for item in ordered:
        severity = item[Risks.severity]
        target = item[Risks.target_date]
        overdue = isinstance(target, dt.date) and target < as_of
        rows.append([
            item[Risks.item_id], item[Risks.type], item[Risks.service_id],
            facts.service_name(item[Risks.service_id]),
            (severity, fill[severity]) if severity in fill else severity,
            item[Risks.status], item[Risks.escalation_level],
            facts.name_of(item[Risks.owner]), item[Risks.raised_date], target,
            ("Overdue", "rag_Red") if overdue else None,
            item[Risks.description], item[Risks.action],
        ])
    write_table(sheet, fmt, columns, rows, name="OpenRisksIssues",
                empty="No open risks or issues.")
    print_setup(sheet, as_of, title="Open risks and issues")


def _findings(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    columns = [
        TableColumn("Rule"), TableColumn("Severity", "severity", 10),
        TableColumn("Cell", "text", 18), TableColumn("Record"), TableColumn(S.service_id),
        TableColumn("Message", "wrap", 48), TableColumn("Hint", "wrap", 40),
        TableColumn("Waived", "wrap", 16),
    ]
    rows = [[
        f.rule, f.severity, f.address, f.record,
        result.facts.service_of_row(f.sheet, f.row), f.message, f.hint,
        f"Waived: {f.waiver_reason}" if f.waived and f.waiver_reason else
        ("Waived" if f.waived else None),
    ] for f in result.findings]
    write_table(sheet, fmt, columns, rows, name="FindingList",
                empty="No findings: the master passed every check.")
    print_setup(sheet, result.as_of, title="Findings")

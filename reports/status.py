"""The status report workbook: the catalogue's health for a governance meeting.

Sheets: Summary (headline numbers, services by stage and by RAG, findings by severity, with
charts) · Services · Set-up pipeline · Closing · Risks and Issues · Findings. Built from one
check run, so its findings are exactly those `pmo-xl check` prints.
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
from pmo_xl.reports.common import (
    count_table,
    cover_rows,
    generated_at,
    label_rows,
    note,
    start_workbook,
)
from pmo_xl.reports.decisions import (
    DECISIONS_SHEET,
    actual,
    decisions_of,
    next_stage_plan,
    plans_text,
    write_decisions_sheet,
)
from pmo_xl.reports.since_sheets import summary_rows, write_memory_sheets
from pmo_xl.reports.styles import RAG, TableColumn, cover_block, print_setup, write_table
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import (
    NEXT_STAGE,
    SET_UP_STAGES,
    STAGES,
    ClosureReason,
    Escalation,
    ItemType,
    ProcedureKind,
    ProcedureStatus,
    Risks,
    Services,
    Severity,
    Stage,
    YesNo,
)
from pmo_xl.workbook.master import collector_paused
from pmo_xl.workbook.paging import paginate

STATUS_SHEETS = ("Summary", DECISIONS_SHEET, "Services", "Set-up pipeline", "Closing",
                 "Risks and Issues", "Findings")
S = Services
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
ESCALATION_RANK = {Escalation.OWNERSHIP: 0, Escalation.DELIVERY: 1, Escalation.OPERATIONS: 2}
# The date that marks entering each set-up stage.
STAGE_START = {Stage.DESIGN: S.design_start, Stage.PILOT: S.pilot_start,
               Stage.TRANSITION: S.sign_off_date}


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
        write_decisions_sheet(workbook.add_worksheet(DECISIONS_SHEET), fmt, result)
        _services(workbook.add_worksheet("Services"), fmt, result)
        _pipeline(workbook.add_worksheet("Set-up pipeline"), fmt, result)
        _closing(workbook.add_worksheet("Closing"), fmt, result)
        _risks(workbook.add_worksheet("Risks and Issues"), fmt, result)
        _findings(workbook.add_worksheet("Findings"), fmt, result)
        write_memory_sheets(workbook, fmt, result, memory)
        workbook.close()
    return path


def _summary(sheet: Worksheet, fmt: dict, result: CheckResult, generated: dt.datetime,
             workbook: Workbook, memory: PackMemory | None = None) -> None:
    facts = result.facts
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 3)
    sheet.set_column(3, 10, 9)
    row = cover_block(sheet, fmt, title="Service status report",
                      rows=cover_rows(result, generated))
    stages = [r[S.stage] for r in facts.services.values()]
    rags = result.active_service_rags
    open_items = [item for _row, item in facts.open_items]
    risks = sum(1 for r in open_items if r[Risks.type] == ItemType.RISK)
    issues = sum(1 for r in open_items if r[Risks.type] == ItemType.ISSUE)
    row = label_rows(sheet, fmt, row, "Headline numbers", [
        ("Services in the catalogue", len(facts.services)),
        ("In set-up (Design, Pilot, Transition)", sum(s in SET_UP_STAGES for s in stages)),
        ("Running", stages.count(Stage.RUNNING)),
        ("Closing", stages.count(Stage.CLOSING)),
        ("Active services at Red", rags[rag.RED]),
        ("Active services at Amber", rags[rag.AMBER]),
        ("Open risks", risks),
        ("Open issues", issues),
        ("Changes in flight", len(facts.changes_in_flight)),
        ("Decisions needed (see Decisions needed)", decisions_of(result).count),
        ("Error findings", result.summary[ERROR]),
        ("Warnings", result.summary[WARNING]),
    ])
    if (since := summary_rows(memory)) is not None:
        row = label_rows(sheet, fmt, row, *since)
    stage_counts = {s: stages.count(s) for s in STAGES}
    unknown = sum(1 for s in stages if s not in STAGES)
    if unknown:
        stage_counts["Not recorded"] = unknown
    stage_first, stage_last = count_table(sheet, fmt, row, (S.stage, "Services"), stage_counts)
    row = stage_last + 2
    rag_first, rag_last = count_table(sheet, fmt, row, ("Active service RAG", "Services"),
                                      rags, rag_fill=True)
    row = rag_last + 2
    severity = {"Errors": result.summary[ERROR], "Warnings": result.summary[WARNING],
                "Info": result.summary[INFO], "Waived": result.summary["waived"]}
    severity_first, severity_last = count_table(sheet, fmt, row, ("Findings", "Count"),
                                                severity)
    row = severity_last + 2
    row = note(sheet, fmt, row, "How a service's RAG is set: " + rag.ROLLUP_RULE, 10, 3)
    row = note(sheet, fmt, row, "How a KPI's RAG is set: " + rag.RAG_RULE, 10, 3)

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
                         "min": 0, "major_unit": 1, "num_format": "0"})
    sheet.insert_chart(2, 3, by_stage, {"x_scale": 1.0, "y_scale": 0.9})

    by_rag = workbook.add_chart({"type": "pie"})
    by_rag.add_series({
        "name": "Active services by RAG",
        "categories": ["Summary", rag_first, 0, rag_last, 0],
        "values": ["Summary", rag_first, 1, rag_last, 1],
        "points": [{"fill": {"color": RAG[w]["bg_color"]},
                    "border": {"color": RAG[w]["font_color"]}} for w in rag.RAG_WORDS],
        "data_labels": {"value": True, "category": True, "separator": "\n"},
    })
    by_rag.set_title({"name": "Active services by RAG", "name_font": {"size": 12}})
    by_rag.set_legend({"position": "right"})
    sheet.insert_chart(18, 3, by_rag, {"x_scale": 1.0, "y_scale": 0.9})
    print_setup(sheet, result.as_of, header_row=None, title="Service status report")
    # Each small table on one page, and no chart across a page break.
    paginate(sheet, keep=[(stage_first - 1, stage_last), (rag_first - 1, rag_last),
                          (severity_first - 1, severity_last)])
    sheet.activate()


def _services(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    facts = result.facts
    columns = [
        TableColumn(S.service_id), TableColumn(S.service_name, "wrap", 28),
        TableColumn(S.stage), TableColumn(S.service_owner, "wrap", 16),
        TableColumn(S.service_managers, "wrap", 18), TableColumn(S.lead_pmo, "wrap", 18),
        TableColumn("RAG", "rag"), TableColumn("KPI RAG", "rag"),
        TableColumn("Why", "wrap", 26),
        TableColumn("Open risks and issues", "count", 11),
        TableColumn("Open changes", "count", 9), TableColumn("Findings", "count", 9),
        TableColumn("Errors", "count", 8),
        TableColumn("Next date due", "date", 12), TableColumn("Due for", "wrap", 24),
    ]
    rows = []
    for sid, service in facts.services.items():
        status = result.service_statuses[sid]
        due, what = _next_due(service, status, result.as_of)
        rows.append([
            sid, service[S.service_name], service[S.stage],
            facts.name_of(service[S.service_owner]),
            facts.name_of(service[S.service_managers]),
            facts.pmo_name(service[S.lead_pmo]),
            status.rag, status.kpi_rag if status.kpis else None, status.reasons,
            len(status.open_items),
            len(facts.changes_in_flight_by_service.get(sid, [])),
            len(status.findings), status.errors, due, what,
        ])
    write_table(sheet, fmt, columns, rows, name="ServiceList",
                empty="The catalogue has no services.")
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
    fields and records the lifecycle, handbook and KPI rules ask of the next stage."""
    sid, stage = str(service[S.service_id]), service[S.stage]
    missing = [header for header in (S.service_owner, S.lead_pmo, S.strategic_objective)
               if service[header] is None]
    procedures = facts.procedures_by_service.get(sid, [])
    if stage in SET_UP_STAGES:
        if service[S.service_managers] is None:
            missing.append("Service Manager")
        if not facts.processes_by_service.get(sid):
            missing.append("SIPOC process")
        if not procedures:
            missing.append("a procedure in the handbook")
    if stage in (Stage.PILOT, Stage.TRANSITION) and service[S.sign_off_date] is None:
        missing.append(S.sign_off_date)
    if stage == Stage.TRANSITION:
        for header in (S.readiness_assessment_date, S.rollout_approach, S.go_live_date):
            if service[header] is None:
                missing.append(header)
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
        TableColumn(S.lead_pmo, "wrap", 16), TableColumn("RAG", "rag"),
        TableColumn("Approved", "date", 11), TableColumn(S.design_start, "date", 11),
        TableColumn(S.pilot_start, "date", 11), TableColumn(S.sign_off_date, "date", 11),
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
            result.service_statuses[sid].rag,
            *(actual(service, h, facts) for h in (S.approved_date, S.design_start,
                                                  S.pilot_start, S.sign_off_date,
                                                  S.readiness_assessment_date)),
            (as_of - started).days if isinstance(started, dt.date) else None,
            NEXT_STAGE[service[S.stage]], planned, (slip, "rag_Red") if slip else None,
            "; ".join(missing) if missing else "Nothing: ready to move on",
            plans_text(sid, facts),
        ])
    write_table(sheet, fmt, columns, rows, name="Pipeline",
                empty="No service is in Design, Pilot or Transition.")
    print_setup(sheet, as_of, title="Set-up pipeline")


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
        ])
    write_table(sheet, fmt, columns, rows, name="ClosingChecklist",
                empty="No service is Closing.")
    print_setup(sheet, result.as_of, title="Closing")


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

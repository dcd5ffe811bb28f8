"""The status report workbook: the catalogue's health for a governance meeting.

Sheets: Summary (headline numbers, services by stage and by RAG, findings by severity, with
charts) · Services · Set-up pipeline · Closing · Risks and Issues · Findings. Built from one
check run, so its findings are exactly those `pmo-xl check` prints.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.master import Master, collector_paused
from pmo_xl.output import atomic_output
from pmo_xl.period import period_label
from pmo_xl.reports import rag
from pmo_xl.reports.styles import (
    RAG,
    TableColumn,
    cover_block,
    formats,
    new_workbook,
    print_setup,
    write_table,
)
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import ACTIVE_STAGES, SET_UP_STAGES, STAGES, split_list

STATUS_SHEETS = ("Summary", "Services", "Set-up pipeline", "Closing", "Risks and Issues",
                 "Findings")
GENERATED_LABEL = "Generated"
IN_FLIGHT = ("Proposed", "Approved")  # change statuses still to be implemented or rejected
SEVERITY_RANK = {"Critical": 0, "High": 1, "Medium": 2, "Low": 3}
ESCALATION_RANK = {"Service Ownership": 0, "Delivery Management": 1, "Service Operations": 2}
NEXT_STAGE = {"Design": "Pilot", "Pilot": "Transition", "Transition": "Running"}
STAGE_START = {"Design": "Design Start", "Pilot": "Pilot Start", "Transition": "Sign-off Date"}


# --- shared by the status and KPI reports ---------------------------------------------


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
    context = result.context
    return (f"{period_label('Monthly', context.period_for('Monthly'))} (monthly KPIs) · "
            f"{period_label('Quarterly', context.period_for('Quarterly'))} (quarterly KPIs)")


def cover_rows(result: CheckResult, generated: dt.datetime) -> list[tuple[str, object]]:
    master = result.master
    return [
        ("Organisation", result.context.settings.organisation),
        ("As of", result.context.as_of),
        ("Master workbook", master.path.name),
        ("Master fingerprint (SHA-256)", master.short_hash),
        (GENERATED_LABEL, generated),
        ("KPI reporting periods", periods_text(result)),
    ]


def start_workbook(path: Path, result: CheckResult, title: str, subject: str,
                   generated: dt.datetime) -> tuple[Workbook, dict]:
    workbook = new_workbook(path, title, subject, result.context.settings.organisation)
    workbook.set_properties({
        "title": title,
        "subject": subject,
        "author": "pmo-xl",
        "company": result.context.settings.organisation,
        "created": generated,
        "keywords": f"as of {result.context.as_of.isoformat()}; master "
                    f"{result.master.path.name} {result.master.short_hash}",
        "comments": "Written by pmo-xl from the PMO master workbook.",
    })
    fmt = formats(workbook)
    fmt["value"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                        "valign": "top", "num_format": "General"})
    fmt["signed"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                         "valign": "top",
                                         "num_format": "+General;-General;0"})
    # Counts in a wide table read better centred under their (wrapped) header.
    fmt["count"] = workbook.add_format({"font_name": "Calibri", "font_size": 10,
                                        "valign": "top", "align": "center",
                                        "num_format": "0"})
    return workbook, fmt


def label_rows(sheet: Worksheet, fmt: dict, row: int, heading: str,
               rows: list[tuple[str, object]]) -> int:
    """A subtitle and label/number lines; returns the next free row (after a gap)."""
    sheet.write_string(row, 0, heading, fmt["subtitle"])
    row += 1
    for label, value in rows:
        sheet.write_string(row, 0, label, fmt["label"])
        if isinstance(value, int | float):
            sheet.write_number(row, 1, value, fmt["cover_integer"])
        else:
            sheet.write_string(row, 1, str(value), fmt["text"])
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
    sheet.merge_range(row, 0, row, last_col, text, fmt["note"])
    sheet.set_row(row, 13.5 * lines)
    return row + 2


def people_names(master: Master) -> dict[str, str]:
    return {str(r["Person ID"]): str(r["Name"]) for _, r in master["People"].rows()
            if r.get("Person ID") is not None and r.get("Name") is not None}


def named(names: dict[str, str], ids: object) -> str | None:
    """`Dana Director` for P-001; several names for a `;` list; an unknown ID as typed."""
    items = split_list(ids) if ids is not None else []
    return "; ".join(names.get(i, i) for i in items) or None


def services_by_id(master: Master) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for _, record in master["Services"].rows():
        if record.get("Service ID") is not None:
            found.setdefault(str(record["Service ID"]), record)
    return found


# --- the status report ----------------------------------------------------------------


def write_status_report(result: CheckResult, path: Path) -> Path:
    """Write the status report for one check run to `path` (never over the master)."""
    path = Path(path)
    generated = generated_at()
    # No cyclic GC while writing: half a million cells are as many small objects and no
    # cycles worth collecting, and each collection walks the whole master (a third of the time).
    with collector_paused(), atomic_output(path, source=result.master.path) as temp:
        workbook, fmt = start_workbook(temp, result, "Service status report",
                                       "Status of the PMO's services", generated)
        facts = _Facts(result)
        _summary(workbook.add_worksheet("Summary"), fmt, result, facts, generated, workbook)
        _services(workbook.add_worksheet("Services"), fmt, result, facts)
        _pipeline(workbook.add_worksheet("Set-up pipeline"), fmt, result, facts)
        _closing(workbook.add_worksheet("Closing"), fmt, result, facts)
        _risks(workbook.add_worksheet("Risks and Issues"), fmt, result, facts)
        _findings(workbook.add_worksheet("Findings"), fmt, result, facts)
        workbook.close()
    return path


class _Facts:
    """What several sheets need, worked out once."""

    def __init__(self, result: CheckResult) -> None:
        master = result.master
        self.master = master
        self.names = people_names(master)
        self.pmos = {str(r["PMO ID"]): r.get("PMO Name") or str(r["PMO ID"])
                     for _, r in master["PMOs"].rows() if r.get("PMO ID") is not None}
        self.services = services_by_id(master)
        self.status = rag.service_statuses(master, result.context, result.findings)
        self.open_items = [r for _, r in rag.open_risks(master)]
        self.changes_in_flight = [r for _, r in master["Changes"].rows()
                                  if r.get("Status") in IN_FLIGHT]
        # Per-service lookups, so each service's row costs the same at 10 or 10,000 services.
        self.changes_by_service = _by_service(self.changes_in_flight)
        self.procedures = _by_service(r for _, r in master["Procedures"].rows())
        self.processes = [r for _, r in master["SIPOC"].rows()]
        self.processes_by_service = _by_service(self.processes)
        self.kpi_services = set(_values(master, "KPIs", "Service ID"))
        self.procedures_with_raci = {str(p) for p in _values(master, "RACI", "Procedure ID")}
        self.service_of_finding = rag.service_of_finding(master, result.findings)

    def procedures_of(self, sid: str) -> list[dict]:
        return self.procedures.get(sid, [])

    def processes_of(self, sid: str) -> list[dict]:
        return self.processes_by_service.get(sid, [])

    def changes_of(self, sid: str) -> list[dict]:
        return self.changes_by_service.get(sid, [])

    def service_name(self, sid: object) -> str | None:
        record = self.services.get(str(sid)) if sid is not None else None
        return record.get("Service Name") if record else None

    def pmo(self, pmo_id: object) -> str | None:
        return None if pmo_id is None else self.pmos.get(str(pmo_id), str(pmo_id))


def _by_service(records) -> dict[object, list[dict]]:
    grouped: dict[object, list[dict]] = {}
    for record in records:
        grouped.setdefault(record.get("Service ID"), []).append(record)
    return grouped


def _values(master: Master, sheet: str, header: str) -> list[object]:
    data = master[sheet].data
    return data[header].tolist() if header in data.columns else []


def _summary(sheet: Worksheet, fmt: dict, result: CheckResult, facts: _Facts,
             generated: dt.datetime, workbook: Workbook) -> None:
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 3)
    sheet.set_column(3, 10, 9)
    row = cover_block(sheet, fmt, title="Service status report",
                      rows=cover_rows(result, generated))
    stages = [r.get("Stage") for r in facts.services.values()]
    # Proposed, Closed and Rejected services deliver nothing to rate; counting them would
    # bury the active services' RAG under grey.
    rags = [facts.status[sid].rag for sid, r in facts.services.items()
            if r.get("Stage") in ACTIVE_STAGES]
    risks = sum(1 for r in facts.open_items if r.get("Type") == "Risk")
    issues = sum(1 for r in facts.open_items if r.get("Type") == "Issue")
    row = label_rows(sheet, fmt, row, "Headline numbers", [
        ("Services in the catalogue", len(facts.services)),
        ("In set-up (Design, Pilot, Transition)", sum(s in SET_UP_STAGES for s in stages)),
        ("Running", stages.count("Running")),
        ("Closing", stages.count("Closing")),
        ("Active services at Red", rags.count(rag.RED)),
        ("Active services at Amber", rags.count(rag.AMBER)),
        ("Open risks", risks),
        ("Open issues", issues),
        ("Changes in flight", len(facts.changes_in_flight)),
        ("Error findings", result.summary[ERROR]),
        ("Warnings", result.summary[WARNING]),
    ])
    stage_counts = {s: stages.count(s) for s in STAGES}
    unknown = sum(1 for s in stages if s not in STAGES)
    if unknown:
        stage_counts["Not recorded"] = unknown
    stage_first, stage_last = count_table(sheet, fmt, row, ("Stage", "Services"), stage_counts)
    row = stage_last + 2
    rag_first, rag_last = count_table(sheet, fmt, row, ("Active service RAG", "Services"),
                                      rag.rag_counts(rags), rag_fill=True)
    row = rag_last + 2
    severity = {"Errors": result.summary[ERROR], "Warnings": result.summary[WARNING],
                "Info": result.summary[INFO], "Waived": result.summary["waived"]}
    _, severity_last = count_table(sheet, fmt, row, ("Findings", "Count"), severity)
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
    print_setup(sheet, result.context.as_of, header_row=None, title="Service status report")
    sheet.fit_to_pages(1, 1)  # the cover is one page, like a report's front sheet
    sheet.activate()


def _services(sheet: Worksheet, fmt: dict, result: CheckResult, facts: _Facts) -> None:
    columns = [
        TableColumn("Service ID"), TableColumn("Service Name", "wrap", 28),
        TableColumn("Stage"), TableColumn("Service Owner", "wrap", 16),
        TableColumn("Service Managers", "wrap", 18), TableColumn("Lead PMO", "wrap", 18),
        TableColumn("RAG", "rag"), TableColumn("KPI RAG", "rag"),
        TableColumn("Why", "wrap", 26),
        TableColumn("Open risks and issues", "count", 11),
        TableColumn("Open changes", "count", 9), TableColumn("Findings", "count", 9),
        TableColumn("Errors", "count", 8),
        TableColumn("Next date due", "date", 12), TableColumn("Due for", "wrap", 24),
    ]
    rows = []
    for sid, service in facts.services.items():
        status = facts.status[sid]
        due, what = _next_due(service, status, result.context.as_of)
        rows.append([
            sid, service.get("Service Name"), service.get("Stage"),
            named(facts.names, service.get("Service Owner")),
            named(facts.names, service.get("Service Managers")),
            facts.pmo(service.get("Lead PMO")),
            status.rag, status.kpi_rag if status.kpis else None, status.reasons,
            len(status.open_items),
            len(facts.changes_of(sid)),
            len(status.findings), status.errors, due, what,
        ])
    write_table(sheet, fmt, columns, rows, name="ServiceList",
                empty="The catalogue has no services.")
    print_setup(sheet, result.context.as_of, title="Services")


def _next_due(service: dict, status: rag.ServiceStatus,
              as_of: dt.date) -> tuple[dt.date | None, str | None]:
    """The earliest date that asks something of the service; an overdue one comes first."""
    candidates: list[tuple[dt.date, str]] = []
    if service.get("Stage") not in ("Closed", "Rejected") and isinstance(
            service.get("Planned End Date"), dt.date):
        candidates.append((service["Planned End Date"], "Planned end"))
    for item in status.open_items:
        if isinstance(item.get("Target Date"), dt.date):
            candidates.append((item["Target Date"],
                               f"{item.get('ID')} {str(item.get('Type') or 'item').lower()} "
                               "target date"))
    if not candidates:
        return None, None
    date, what = min(candidates)
    return date, f"{what} (overdue)" if date < as_of else what


def _missing_before_next(service: dict, facts: _Facts) -> list[str]:
    """What the service still lacks for its current stage and the move to the next one."""
    sid, stage = str(service.get("Service ID")), service.get("Stage")
    missing = []
    for header in ("Service Owner", "Lead PMO", "Strategic Objective"):
        if service.get(header) is None:
            missing.append(header)
    procedures = facts.procedures_of(sid)
    if stage in ("Design", "Pilot", "Transition"):
        if service.get("Service Managers") is None:
            missing.append("Service Manager")
        if not facts.processes_of(sid):
            missing.append("SIPOC process")
        if not procedures:
            missing.append("a procedure in the handbook")
    if stage in ("Pilot", "Transition") and service.get("Sign-off Date") is None:
        missing.append("Sign-off Date")
    if stage == "Transition":
        for header in ("Readiness Assessment Date", "Rollout Approach", "Go-live Date"):
            if service.get(header) is None:
                missing.append(header)
        draft = [str(p.get("Procedure ID")) for p in procedures
                 if p.get("Status") not in ("Tested", "Approved")]
        if draft:
            missing.append("procedures Tested or Approved (" + ", ".join(draft) + ")")
        if procedures and not any(p.get("Kind") == "Monitoring" for p in procedures):
            missing.append("a Monitoring procedure")
        if sid not in facts.kpi_services:
            missing.append("a KPI")
        no_raci = [str(p.get("Procedure ID")) for p in procedures
                   if str(p.get("Procedure ID")) not in facts.procedures_with_raci]
        if no_raci:
            missing.append("a RACI for " + ", ".join(no_raci))
    return missing


def _pipeline(sheet: Worksheet, fmt: dict, result: CheckResult, facts: _Facts) -> None:
    columns = [
        TableColumn("Service ID"), TableColumn("Service Name", "wrap", 26),
        TableColumn("Stage"), TableColumn("Service Owner", "wrap", 16),
        TableColumn("Lead PMO", "wrap", 16), TableColumn("RAG", "rag"),
        TableColumn("Approved", "date", 11), TableColumn("Design Start", "date", 11),
        TableColumn("Pilot Start", "date", 11), TableColumn("Sign-off Date", "date", 11),
        TableColumn("Readiness Assessment", "date", 11),
        TableColumn("Days in stage", "count", 8), TableColumn("Next stage"),
        TableColumn("Missing before the next stage", "wrap", 40),
    ]
    as_of = result.context.as_of
    rows = []
    ordered = sorted((s for s in facts.services.values() if s.get("Stage") in SET_UP_STAGES),
                     key=lambda s: (SET_UP_STAGES.index(s["Stage"]), str(s["Service ID"])))
    for service in ordered:
        sid = str(service["Service ID"])
        started = service.get(STAGE_START[service["Stage"]])
        missing = _missing_before_next(service, facts)
        rows.append([
            sid, service.get("Service Name"), service["Stage"],
            named(facts.names, service.get("Service Owner")), facts.pmo(service.get("Lead PMO")),
            facts.status[sid].rag, service.get("Approved Date"), service.get("Design Start"),
            service.get("Pilot Start"), service.get("Sign-off Date"),
            service.get("Readiness Assessment Date"),
            (as_of - started).days if isinstance(started, dt.date) else None,
            NEXT_STAGE[service["Stage"]],
            "; ".join(missing) if missing else "Nothing: ready to move on",
        ])
    write_table(sheet, fmt, columns, rows, name="Pipeline",
                empty="No service is in Design, Pilot or Transition.")
    print_setup(sheet, as_of, title="Set-up pipeline")


CHECKLIST = (
    "Closure reason recorded", "Approved by the Service Owner", "Approval dated",
    "Replacement named", "Artefacts reviewed", "Procedures retired",
    "No open risks or issues", "No open changes", "No service depends on it",
)


def closure_checklist(service: dict, facts: _Facts) -> dict[str, bool | None]:
    """Each closure step (seed §5.3) -> done (True), outstanding (False) or not needed (None)."""
    sid = str(service.get("Service ID"))
    procedures = facts.procedures_of(sid)
    outputs = {o for p in facts.processes_of(sid) for o in split_list(p.get("Outputs"))}
    dependants = [p for p in facts.processes if p.get("Service ID") != sid
                  and outputs & set(split_list(p.get("Inputs")))]
    supported = [s for s in facts.services.values() if s.get("Supports Service") == sid
                 and s.get("Stage") not in ("Closed", "Rejected", "Closing")]
    replaced = service.get("Closure Reason") == "Replaced by another service"
    return {
        "Closure reason recorded": service.get("Closure Reason") is not None,
        "Approved by the Service Owner": service.get("Closure Approved By") is not None
        and service.get("Closure Approved By") == service.get("Service Owner"),
        "Approval dated": service.get("Closure Approved Date") is not None,
        "Replacement named": (service.get("Replaced By") is not None) if replaced else None,
        "Artefacts reviewed": service.get("Artefacts Reviewed") == "Y",
        "Procedures retired": all(p.get("Status") == "Retired" for p in procedures),
        "No open risks or issues": not facts.status[sid].open_items,
        "No open changes": not facts.changes_of(sid),
        "No service depends on it": not dependants and not supported,
    }


def _closing(sheet: Worksheet, fmt: dict, result: CheckResult, facts: _Facts) -> None:
    columns = [
        TableColumn("Service ID"), TableColumn("Service Name", "wrap", 24),
        TableColumn("Service Owner", "wrap", 16), TableColumn("Closure Reason", "wrap", 20),
        TableColumn("Closure Approved By", "wrap", 14),
        TableColumn("Closure Approved Date", "date", 11),
        TableColumn("Planned End Date", "date", 11),
        *[TableColumn(step, "text", 11) for step in CHECKLIST],
        TableColumn("Outstanding", "wrap", 30),
    ]
    shown = {True: ("Done", "rag_Green"), False: ("To do", "rag_Red"), None: ("n/a", "text")}
    rows = []
    for sid, service in facts.services.items():
        if service.get("Stage") != "Closing":
            continue
        checklist = closure_checklist(service, facts)
        outstanding = [step for step, done in checklist.items() if done is False]
        rows.append([
            sid, service.get("Service Name"), named(facts.names, service.get("Service Owner")),
            service.get("Closure Reason"), named(facts.names, service.get("Closure Approved By")),
            service.get("Closure Approved Date"), service.get("Planned End Date"),
            *[shown[checklist[step]] for step in CHECKLIST],
            "; ".join(outstanding) if outstanding else "Ready to close",
        ])
    write_table(sheet, fmt, columns, rows, name="ClosingChecklist",
                empty="No service is Closing.")
    print_setup(sheet, result.context.as_of, title="Closing")


def _risks(sheet: Worksheet, fmt: dict, result: CheckResult, facts: _Facts) -> None:
    columns = [
        TableColumn("ID"), TableColumn("Type"), TableColumn("Service ID"),
        TableColumn("Service Name", "wrap", 20), TableColumn("Severity", "text", 10),
        TableColumn("Status"), TableColumn("Escalation Level", "wrap", 14),
        TableColumn("Owner", "wrap", 14), TableColumn("Raised", "date", 11),
        TableColumn("Target Date", "date", 11), TableColumn("Overdue", "text", 9),
        TableColumn("Description", "wrap", 40), TableColumn("Action", "wrap", 34),
    ]
    fill = {"Critical": "rag_Red", "High": "rag_Amber"}
    as_of = result.context.as_of
    ordered = sorted(facts.open_items, key=lambda r: (
        SEVERITY_RANK.get(r.get("Severity"), 4),
        ESCALATION_RANK.get(r.get("Escalation Level"), 3), str(r.get("ID"))))
    rows = []
    for item in ordered:
        severity = item.get("Severity")
        target = item.get("Target Date")
        overdue = isinstance(target, dt.date) and target < as_of
        rows.append([
            item.get("ID"), item.get("Type"), item.get("Service ID"),
            facts.service_name(item.get("Service ID")),
            (severity, fill[severity]) if severity in fill else severity,
            item.get("Status"), item.get("Escalation Level"),
            named(facts.names, item.get("Owner")), item.get("Raised Date"), target,
            ("Overdue", "rag_Red") if overdue else None,
            item.get("Description"), item.get("Action"),
        ])
    write_table(sheet, fmt, columns, rows, name="OpenRisksIssues",
                empty="No open risks or issues.")
    print_setup(sheet, as_of, title="Open risks and issues")


def _findings(sheet: Worksheet, fmt: dict, result: CheckResult, facts: _Facts) -> None:
    columns = [
        TableColumn("Rule"), TableColumn("Severity", "severity", 10),
        TableColumn("Cell", "text", 18), TableColumn("Record"), TableColumn("Service ID"),
        TableColumn("Message", "wrap", 48), TableColumn("Hint", "wrap", 40),
        TableColumn("Waived", "wrap", 16),
    ]
    rows = [[
        f.rule, f.severity, f.address, f.record,
        facts.service_of_finding.get((f.sheet, f.row)), f.message, f.hint,
        f"Waived: {f.waiver_reason}" if f.waived and f.waiver_reason else
        ("Waived" if f.waived else None),
    ] for f in result.findings]
    write_table(sheet, fmt, columns, rows, name="FindingList",
                empty="No findings: the master passed every check.")
    print_setup(sheet, result.context.as_of, title="Findings")

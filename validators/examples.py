"""The small, clean master every rule's examples start from.

One running service with its full set-up history, SIPOC, handbook, RACI, KPIs and actuals;
one service in Design; one Proposed. It passes every rule at ``EXAMPLE_AS_OF``; a rule's
``fails`` edits break exactly that rule, and its test asserts the cell it names.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import RECORD_OF, SHEETS

EXAMPLE_AS_OF = dt.date(2026, 11, 15)
D = dt.date

_RACI = ("Service Owner", "Service Manager", "Service Operative", "Customer")


def _raci(procedure: str, activity: str, *letters: str) -> dict:
    row = {"Procedure ID": procedure, "Activity": activity}
    row.update({role: value for role, value in zip(_RACI, letters, strict=True) if value})
    return row


def _months(kpi: str, start: D, count: int, values: Iterable[float]) -> list[dict]:
    rows = []
    for i, value in zip(range(count), values, strict=False):
        index = start.year * 12 + start.month - 1 + i
        period = D(index // 12, index % 12 + 1, 1)
        rows.append({"KPI ID": kpi, "Period": period, "Actual": value,
                     "Reported By": "P-002", "Reported On": D(index // 12, index % 12 + 1, 1)})
    return rows


BASE: dict[str, list[dict]] = {
    "Services": [
        {
            "Service ID": "SVC-001", "Service Name": "Portfolio reporting",
            "Description": "Monthly portfolio status report to the executive board.",
            "Category": "Reporting", "Lead PMO": "PMO-1", "Customers": "Executive board",
            "Desired Outcome": "Decisions taken on current, trusted portfolio data.",
            "Scope": "Portfolio", "Stage": "Running", "Offering": "Mandated",
            "Delivery": "In-house", "Strategic Objective": "OBJ-1", "Priority": 1,
            "Funding": "Central", "Planned FTE": 2, "Service Owner": "P-001",
            "Service Managers": "P-002", "Operatives": "P-004; P-005", "Temporary": "N",
            "Approved Date": D(2025, 1, 6), "Design Start": D(2025, 2, 3),
            "Pilot Start": D(2025, 4, 7), "Sign-off Date": D(2025, 6, 2),
            "Readiness Assessment Date": D(2025, 6, 16), "Rollout Approach": "Phased",
            "Go-live Date": D(2025, 7, 1), "Last Reviewed": D(2026, 9, 1),
            "Pilot Result": "Met", "Pilot Result Date": D(2025, 5, 26),
            "How to Request": "Nothing to request: every board member receives it.",
            "Lead Time": 0,
        },
        {
            "Service ID": "SVC-002", "Service Name": "Benefits tracking",
            "Description": "Track benefits of programmes against their business cases.",
            "Category": "Assurance", "Lead PMO": "PMO-2", "Customers": "Programme boards",
            "Desired Outcome": "Benefits realised are visible and owned.",
            "Scope": "Multiple projects or programmes", "Stage": "Design", "Offering": "Menu",
            "Delivery": "In-house", "Strategic Objective": "OBJ-1", "Priority": 2,
            "Funding": "Recharged", "Planned FTE": 1, "Service Owner": "P-002",
            "Service Managers": "P-003", "Temporary": "N",
            "Approved Date": D(2026, 6, 1), "Design Start": D(2026, 7, 1),
            "Last Reviewed": D(2026, 7, 1),
        },
        {
            "Service ID": "SVC-003", "Service Name": "Lessons learned library",
            "Description": "Collect and share lessons from closed projects.",
            "Category": "Knowledge", "Lead PMO": "PMO-1", "Scope": "Organisation",
            "Stage": "Proposed", "Offering": "Off-menu", "Strategic Objective": "OBJ-1",
            "Priority": 3, "Planned FTE": 0.5, "Service Owner": "P-001",
        },
    ],
    "PMOs": [
        {"PMO ID": "PMO-1", "PMO Name": "Enterprise PMO", "Level": "Enterprise",
         "Capacity FTE": 6, "PMO Manager": "P-002"},
        {"PMO ID": "PMO-2", "PMO Name": "Change Programme PMO", "Level": "Programme",
         "Parent PMO": "PMO-1", "Capacity FTE": 3, "PMO Manager": "P-003"},
    ],
    "People": [
        {"Person ID": "P-001", "Name": "Dana Director", "Job Role": "PMO Director",
         "PMO": "PMO-1", "FTE": 1, "Email": "dana@example.org"},
        {"Person ID": "P-002", "Name": "Morgan Manager", "Job Role": "PMO Manager",
         "PMO": "PMO-1", "FTE": 1, "Email": "morgan@example.org"},
        {"Person ID": "P-003", "Name": "Pat Programme", "Job Role": "PMO Manager",
         "PMO": "PMO-2", "FTE": 1, "Email": "pat@example.org"},
        {"Person ID": "P-004", "Name": "Alex Analyst", "Job Role": "PMO Analyst",
         "PMO": "PMO-1", "FTE": 1, "Email": "alex@example.org"},
        {"Person ID": "P-005", "Name": "Sam Admin", "Job Role": "PMO Administrator",
         "PMO": "PMO-1", "FTE": 0.6, "Email": "sam@example.org"},
        {"Person ID": "P-006", "Name": "Jo Analyst", "Job Role": "PMO Analyst",
         "PMO": "PMO-2", "FTE": 1, "Email": "jo@example.org"},
        # The rest of the PMOs' people, so each PMO's Capacity FTE is what its people give.
        {"Person ID": "P-011", "Name": "Kim Analyst", "Job Role": "PMO Analyst",
         "PMO": "PMO-1", "FTE": 1, "Email": "kim@example.org"},
        {"Person ID": "P-012", "Name": "Lee Analyst", "Job Role": "PMO Analyst",
         "PMO": "PMO-1", "FTE": 1, "Email": "lee@example.org"},
        {"Person ID": "P-013", "Name": "Ash Analyst", "Job Role": "PMO Analyst",
         "PMO": "PMO-2", "FTE": 1, "Email": "ash@example.org"},
    ],
    "Strategy": [
        {"Objective ID": "OBJ-1", "Objective": "Deliver the change portfolio on time and "
         "within budget.", "Owner": "P-001"},
    ],
    "Documents": [
        {"Document": "Service Strategy", "Owner": "P-001", "Version": "1.0",
         "Last Reviewed": D(2026, 4, 1)},
        {"Document": "Service Catalogue", "Owner": "P-002", "Version": "2.1",
         "Last Reviewed": D(2026, 9, 1)},
        {"Document": "Operations Handbook", "Owner": "P-002", "Version": "1.4",
         "Last Reviewed": D(2026, 9, 1)},
    ],
    "SIPOC": [
        {"Service ID": "SVC-001", "Process ID": "PRC-001", "Process Name": "Collect status",
         "Suppliers": "Project managers", "Inputs": "Project status updates",
         "Outputs": "Status dataset", "Customers": "PMO analysts",
         "Input Quality Criteria": "Submitted by the 5th working day",
         "Output Quality Criteria": "Every active project present"},
        {"Service ID": "SVC-001", "Process ID": "PRC-002", "Process Name": "Publish report",
         "Suppliers": "PMO analysts", "Inputs": "Status dataset",
         "Outputs": "Portfolio report", "Customers": "Executive board",
         "Output Quality Criteria": "Published by the 10th working day"},
    ],
    "Procedures": [
        {"Procedure ID": "PRD-001", "Procedure Name": "Request and chase status updates",
         "Service ID": "SVC-001", "Process ID": "PRC-001", "Status": "Approved",
         "Tools and Techniques": "Status template; reminder emails", "Owner": "P-002",
         "Version": "1.2", "Last Reviewed": D(2026, 9, 1), "Kind": "Delivery"},
        {"Procedure ID": "PRD-002", "Procedure Name": "Compile and publish the report",
         "Service ID": "SVC-001", "Process ID": "PRC-002", "Status": "Approved",
         "Tools and Techniques": "Report template", "Owner": "P-002", "Version": "1.1",
         "Last Reviewed": D(2026, 9, 1), "Kind": "Delivery"},
        {"Procedure ID": "PRD-003", "Procedure Name": "Report the service's KPIs",
         "Service ID": "SVC-001", "Status": "Approved", "Owner": "P-002", "Version": "1.0",
         "Last Reviewed": D(2026, 9, 1), "Kind": "Monitoring"},
    ],
    "RACI": [
        _raci("PRD-001", "Send the status request", "", "A", "R", "I"),
        _raci("PRD-001", "Chase late updates", "I", "A", "R", ""),
        _raci("PRD-002", "Compile the report", "", "A", "R", ""),
        _raci("PRD-002", "Approve and publish", "A", "R", "", "I"),
        _raci("PRD-003", "Report KPIs to the owner", "I", "A/R", "C", ""),
    ],
    "KPIs": [
        {"KPI ID": "KPI-01", "Service ID": "SVC-001", "KPI Name": "Reports published on time",
         "Unit": "%", "Direction": "Higher is better", "Target": 95, "Amber Threshold": 90,
         "Frequency": "Monthly", "Owner": "P-002", "Baseline": 70,
         "Evidences": "Output"},
        {"KPI ID": "KPI-02", "Service ID": "SVC-001", "KPI Name": "Data errors found after "
         "publication", "Unit": "count", "Direction": "Lower is better", "Target": 2,
         "Red Threshold": 6, "Frequency": "Quarterly",
         "Owner": "P-002", "Baseline": 9, "Evidences": "Outcome"},
    ],
    "KPI Actuals": (
        _months("KPI-01", D(2026, 1, 1), 10, [88, 90, 92, 91, 94, 96, 95, 97, 93, 96])
        + [
            {"KPI ID": "KPI-02", "Period": D(2026, 1, 1), "Actual": 5, "Reported By": "P-002",
             "Reported On": D(2026, 4, 3)},
            {"KPI ID": "KPI-02", "Period": D(2026, 4, 1), "Actual": 3, "Reported By": "P-002",
             "Reported On": D(2026, 7, 3)},
            {"KPI ID": "KPI-02", "Period": D(2026, 7, 1), "Actual": 2, "Reported By": "P-002",
             "Reported On": D(2026, 10, 2), "Commentary": "New validation macro."},
        ]
    ),
    "Risks and Issues": [
        {"ID": "RSK-001", "Service ID": "SVC-001", "Type": "Risk",
         "Description": "Project managers miss the status deadline in holiday months.",
         "Severity": "Medium", "Owner": "P-002", "Status": "Open",
         "Escalation Level": "Service Operations", "Raised Date": D(2026, 9, 1),
         "Target Date": D(2026, 12, 31), "Action": "Send reminders two days earlier."},
    ],
    "Changes": [
        {"Change ID": "CHG-001", "Service ID": "SVC-001", "Type": "Change request",
         "Reason": "Feedback", "Description": "Add a benefits section to the report.",
         "Requested Date": D(2026, 5, 4), "Status": "Implemented", "Approved By": "P-001",
         "Approved Date": D(2026, 5, 18), "Strategy Updated": "N", "Catalogue Updated": "Y",
         "Handbook Updated": "Y", "Affects": "Catalogue; Handbook"},
    ],
    "Lifecycle Log": [
        {"Service ID": "SVC-001", "From Stage": "Proposed", "To Stage": "Design",
         "Date": D(2025, 2, 3), "Approved By": "P-001"},
        {"Service ID": "SVC-001", "From Stage": "Design", "To Stage": "Pilot",
         "Date": D(2025, 4, 7), "Approved By": "P-001"},
        {"Service ID": "SVC-001", "From Stage": "Pilot", "To Stage": "Transition",
         "Date": D(2025, 6, 2), "Approved By": "P-001"},
        {"Service ID": "SVC-001", "From Stage": "Transition", "To Stage": "Running",
         "Date": D(2025, 7, 1), "Approved By": "P-001"},
        {"Service ID": "SVC-002", "From Stage": "Proposed", "To Stage": "Design",
         "Date": D(2026, 7, 1), "Approved By": "P-002"},
    ],
    "Waivers": [],
    "Settings": [
        {"Setting": "Organisation", "Value": "Example Org"},
        {"Setting": "Mandated Share Target", "Value": "50%"},
    ],
}


def base_rows() -> dict[str, list[dict]]:
    """A fresh deep copy of the clean example master's rows."""
    return copy.deepcopy(BASE)


def record_key(sheet: str) -> str:
    """The column an Edit's `record` is matched against: the sheet's ID, else its first."""
    return RECORD_OF[sheet]


def apply_edits(rows: dict[str, list[dict]], edits: Iterable[Edit]) -> dict[str, list[dict]]:
    """Apply example edits to rows (in place) and return them; a dropped sheet's key goes."""
    for edit in edits:
        if edit.action == "drop_sheet":
            rows.pop(edit.sheet, None)
            continue
        if edit.action == "rename_header":
            for record in rows.get(edit.sheet, []):
                if edit.record in record:
                    record[edit.values["to"]] = record.pop(edit.record)
            continue
        records = rows.setdefault(edit.sheet, [])
        if edit.record is None:
            records.append(dict(edit.values or {}))
            continue
        key = record_key(edit.sheet)
        index = next((i for i, r in enumerate(records) if r.get(key) == edit.record), None)
        if index is None:
            raise KeyError(f"example edit: no {edit.sheet} row with {key} = {edit.record}")
        if edit.values is None:
            del records[index]
        else:
            records[index].update(edit.values)
    return rows


def write_example(path, edits: Iterable[Edit] = (), *, saved: dt.date | None = None) -> Path:
    """Write the clean example master with `edits` applied (the tests' workhorse); `saved`
    is the day its properties say it was last saved (a roll-up's members' age)."""
    from pmo_xl.workbook.template import write_master

    edits = list(edits)
    rows = apply_edits(base_rows(), edits)
    dropped = {e.sheet for e in edits if e.action == "drop_sheet"}
    renamed = {(e.sheet, e.record): e.values["to"] for e in edits if e.action == "rename_header"}
    return write_master(
        path,
        rows,
        sheets=[s for s in SHEETS if s not in dropped],
        renamed_headers=renamed,
        saved=None if saved is None else dt.datetime.combine(saved, dt.time(9)),
    )

"""L — lifecycle: set-up, running and closing a service (seed §5).

A service moves Proposed > Design > Pilot (which may repeat) > Transition > Running >
Closing > Closed, or is Rejected at proposal. Each stage asks for the fields that prove its
gate was passed (sign-off, readiness assessment, go-live, closure approval); the dates tell
the same story in order; the optional Lifecycle Log records each move.
"""

from __future__ import annotations

import datetime as dt
import functools
import weakref
from collections.abc import Callable, Iterator
from typing import TypeVar

from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.master import Master, SheetTable
from pmo_xl.validators.registry import Context, Edit, rule
from pmo_xl.validators.schema import DATE, columns_of

D = dt.date

# The lifecycle in order; Rejected sits outside it (a proposal that was turned down).
LIFECYCLE = ("Proposed", "Design", "Pilot", "Transition", "Running", "Closing", "Closed")
RANK = {stage: index for index, stage in enumerate(LIFECYCLE)}

# The moves a service may make (seed §5; master-workbook.md). Pilot may repeat before
# sign-off; a set-up that is stopped goes through Closing like a running service.
LEGAL_MOVES: dict[str, tuple[str, ...]] = {
    "Proposed": ("Design", "Rejected"),
    "Design": ("Pilot", "Closing"),
    "Pilot": ("Pilot", "Transition", "Closing"),
    "Transition": ("Running", "Closing"),
    "Running": ("Closing",),
    "Closing": ("Closed",),
    "Closed": (),
    "Rejected": (),
}

# The lifecycle's dates, in the order they happen.
DATE_CHAIN = (
    "Approved Date",
    "Design Start",
    "Pilot Start",
    "Sign-off Date",
    "Readiness Assessment Date",
    "Go-live Date",
    "Closure Approved Date",
    "Closed Date",
)
GO_LIVE_FIELDS = ("Sign-off Date", "Readiness Assessment Date", "Rollout Approach",
                  "Go-live Date")
CLOSING_FIELDS = ("Closure Reason", "Closure Approved By", "Closure Approved Date")
REPLACED = "Replaced by another service"
# Dates of set-up a Rejected service never reaches (it was turned down at proposal).
SET_UP_DATES = DATE_CHAIN[:6]
# Set-up dates each stage has by then: (date, the stage from which it is due).
SET_UP_DUE = (("Approved Date", "Design"), ("Design Start", "Design"), ("Pilot Start", "Pilot"))


T = TypeVar("T")


def per_master(build: Callable[[Master], T]) -> Callable[[Master], T]:
    """Build an index of the master once and share it between a family's rules.

    Only the master last asked about is kept (a check reads one master at a time); the
    weak reference makes sure a new master read at the same address is not mistaken for it.
    """
    last: list = [None, None]

    @functools.wraps(build)
    def cached(master: Master) -> T:
        ref, value = last
        if ref is not None and ref() is master:
            return value
        value = build(master)
        last[:] = [weakref.ref(master), value]
        return value

    return cached


def problem_at(table: SheetTable, row: int, header: str, record: str | None, message: str,
               hint: str, severity: str | None = None) -> Problem:
    """`table.problem` with the record already known: no lookup, fast on big sheets."""
    return Problem(table.title, row, table.letter(header), record, message, hint, severity)


def reached(stage: object, floor: str) -> bool:
    """True if `stage` is `floor` or later in the lifecycle (Rejected never is)."""
    return stage in RANK and RANK[stage] >= RANK[floor]


def is_at(stage: object) -> str:
    """`is in Design` for a set-up stage, `is Running` for the others."""
    return f"is in {stage}" if stage in ("Design", "Pilot", "Transition") else f"is {stage}"


def service_name(record: dict, row: int) -> str:
    sid = record.get("Service ID")
    return f"Service {sid}" if sid else f"The service on row {row}"


@per_master
def catalogue(master: Master) -> list[tuple[int, dict, dict]]:
    """Each Services row as (Excel row, typed values, values as typed), read once."""
    services = master["Services"]
    typed = list(services.rows())
    names = list(services.raw.columns)
    columns = [services.raw[name].tolist() for name in names]
    raw = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
    return [(row, record, as_typed) for (row, record), as_typed
            in zip(typed, raw, strict=True)]


def _stage_of(master: Master) -> dict[str, str]:
    services = master["Services"]
    return {str(s): st for s, st in zip(services.data["Service ID"], services.data["Stage"],
                                        strict=True) if s is not None and st is not None}


# --- fields each stage requires --------------------------------------------------------------


# "Design and later have a Service Owner and a Lead PMO" (rules.md) is S104's job: both
# columns are required on every row of Services, so a separate L rule would report the same
# blank cell twice.


@rule("L102", ERROR, "A service in Pilot or later has no Service Manager",
      fails=[Edit("Services", "SVC-001", {"Service Managers": None})], cell="Services!Q2")
def pilot_manager(master: Master, context: Context) -> Iterator[Problem]:
    """From Pilot onwards someone runs the service day to day: it has at least one Service
    Manager (seed §3.2, §5.1: the PMO Director and PMO Managers appoint them at set-up).

    Passing: SVC-001, Running, managed by P-002. Failing: SVC-001 with Service Managers blank.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        if reached(record["Stage"], "Pilot") and record["Service Managers"] is None:
            yield problem_at(
                services, row, "Service Managers", record["Service ID"],
                f"{service_name(record, row)} {is_at(record['Stage'])} but has no Service "
                "Manager.",
                "Enter the Person ID of the Service Manager (one per delivering PMO) who runs "
                "the service day to day.")


@rule("L103", ERROR, "A service in Pilot or later has no SIPOC process",
      fails=[Edit("Services", "SVC-002", {"Stage": "Pilot"})], cell="Services!I3")
def pilot_sipoc(master: Master, context: Context) -> Iterator[Problem]:
    """The processes underpinning a service are defined in its SIPOC during Design, before
    they are piloted (seed §5.1): from Pilot onwards the service has at least one SIPOC row.

    Passing: SVC-001, Running, with processes PRC-001 and PRC-002. Failing: SVC-002 moved to
    Pilot with no process in SIPOC.
    """
    services, sipoc = master["Services"], master["SIPOC"]
    if not sipoc.present:
        return
    with_process = {str(s) for s in sipoc.data["Service ID"] if s is not None}
    for row, record, _raw in catalogue(master):
        sid = record["Service ID"]
        if sid is not None and reached(record["Stage"], "Pilot") and sid not in with_process:
            yield problem_at(
                services, row, "Stage", record["Service ID"],
                f"{service_name(record, row)} {is_at(record['Stage'])} but has no process "
                "in SIPOC.",
                f"Add the processes that underpin {sid} to SIPOC (Suppliers, Inputs, Process, "
                "Outputs, Customers).")


@rule("L104", ERROR, "A Running service lacks its sign-off, readiness or go-live details",
      fails=[Edit("Services", "SVC-001", {"Go-live Date": None})], cell="Services!AB2")
def running_fields(master: Master, context: Context) -> Iterator[Problem]:
    """A service enters business as usual after formal sign-off of its pilot and an
    organisation readiness assessment, through a phased or big-bang rollout (seed §5.1). A
    Running service therefore has its Sign-off Date, Readiness Assessment Date, Rollout
    Approach and Go-live Date.

    Passing: SVC-001, Running, with all four. Failing: SVC-001 with no Go-live Date.
    """
    services = master["Services"]
    for row, record, raw in catalogue(master):
        if record["Stage"] != "Running":
            continue
        for header in GO_LIVE_FIELDS:
            if record[header] is None and raw[header] is None:
                yield problem_at(
                    services, row, header, record["Service ID"],
                    f"{service_name(record, row)} is Running but has no {header}.",
                    f"Enter the {header}; a service goes live only after sign-off and a "
                    "readiness assessment.")


@rule("L105", ERROR, "A closing service lacks its closure reason or approval",
      fails=[Edit("Services", "SVC-001", {"Stage": "Closing", "Closure Reason":
                                          "Objective achieved", "Closure Approved By": "P-001"})],
      cell="Services!AE2")
def closing_fields(master: Master, context: Context) -> Iterator[Problem]:
    """A service is closed in an orderly way with the formal approval of its Service Owner
    (seed §5.3): a Closing or Closed service has a Closure Reason, Closure Approved By and
    Closure Approved Date.

    Passing: a Closing service with all three. Failing: SVC-001 Closing, with a reason and
    an approver but no Closure Approved Date.
    """
    services = master["Services"]
    for row, record, raw in catalogue(master):
        if record["Stage"] not in ("Closing", "Closed"):
            continue
        for header in CLOSING_FIELDS:
            if record[header] is None and raw[header] is None:
                yield problem_at(
                    services, row, header, record["Service ID"],
                    f"{service_name(record, row)} is {record['Stage']} but has no {header}.",
                    f"Enter the {header}; closing a service needs a reason and the Service "
                    "Owner's formal approval.")


@rule("L106", ERROR, "A closure was not approved by the Service Owner",
      fails=[Edit("Services", "SVC-001", {"Stage": "Closing", "Closure Reason":
                                          "Objective achieved", "Closure Approved By": "P-002",
                                          "Closure Approved Date": D(2026, 10, 1)})],
      cell="Services!AD2")
def closure_by_owner(master: Master, context: Context) -> Iterator[Problem]:
    """Closing a service needs the formal approval of its Service Owner (seed §5.3), so
    Closure Approved By is the service's Service Owner.

    Passing: SVC-001's closure approved by P-001, its Service Owner. Failing: approved by
    P-002, its Service Manager.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        by, owner = record["Closure Approved By"], record["Service Owner"]
        if by is not None and owner is not None and by != owner:
            yield problem_at(
                services, row, "Closure Approved By", record["Service ID"],
                f"The closure of {service_name(record, row)} was approved by {by}, but its "
                f"Service Owner is {owner}.",
                f"Have the Service Owner {owner} approve the closure, or correct Service "
                "Owner if ownership changed.")


@rule("L107", ERROR, "A Closed service has no Closed Date or its artefacts are not reviewed",
      fails=[Edit("Services", "SVC-001", {"Stage": "Closed", "Closure Reason":
                                          "Objective achieved", "Closure Approved By": "P-001",
                                          "Closure Approved Date": D(2026, 10, 1),
                                          "Artefacts Reviewed": "Y"})],
      cell="Services!AF2")
def closed_fields(master: Master, context: Context) -> Iterator[Problem]:
    """A Closed service says when it stopped (Closed Date) and that all its artefacts were
    reviewed for future reuse (Artefacts Reviewed = Y), in case the PMO or another PMO
    brings the service back (seed §5.3).

    Passing: SVC-001 Closed on 2026-10-30 with Artefacts Reviewed Y. Failing: Closed with
    no Closed Date.
    """
    services = master["Services"]
    for row, record, raw in catalogue(master):
        if record["Stage"] != "Closed":
            continue
        if record["Closed Date"] is None and raw["Closed Date"] is None:
            yield problem_at(
                services, row, "Closed Date", record["Service ID"],
                f"{service_name(record, row)} is Closed but has no Closed Date.",
                "Enter the date the service stopped.")
        if record["Artefacts Reviewed"] != "Y":
            yield problem_at(
                services, row, "Artefacts Reviewed", record["Service ID"],
                f"{service_name(record, row)} is Closed but its artefacts are not marked as "
                "reviewed.",
                "Review the service's artefacts for anything worth keeping for future reuse, "
                "then set Artefacts Reviewed to Y.")


@rule("L116", ERROR, "A service in Transition has no Sign-off Date",
      fails=[Edit("Services", "SVC-002", {"Stage": "Transition"})], cell="Services!Y3")
def transition_signed_off(master: Master, context: Context) -> Iterator[Problem]:
    """A service moves into Transition only after formal sign-off of its testing and pilot
    (seed §5.1), so a service in Transition has a Sign-off Date.

    Passing: a Transition service signed off on 2026-09-01. Failing: SVC-002 in Transition
    with no Sign-off Date.
    """
    services = master["Services"]
    for row, record, raw in catalogue(master):
        if (record["Stage"] == "Transition" and record["Sign-off Date"] is None
                and raw["Sign-off Date"] is None):
            yield problem_at(
                services, row, "Sign-off Date", record["Service ID"],
                f"{service_name(record, row)} is in Transition but has no Sign-off Date.",
                "Enter the date the pilot was formally signed off, or move the service back "
                "to Pilot until it is.")


@rule("L117", WARNING, "A service in set-up or running lacks an earlier stage's date",
      fails=[Edit("Services", "SVC-002", {"Design Start": None})], cell="Services!W3")
def set_up_dates(master: Master, context: Context) -> Iterator[Problem]:
    """The catalogue keeps a service's history: from Design onwards it has its Approved Date
    (when the decision to set it up was taken) and Design Start; from Pilot onwards its
    Pilot Start. Closing and Closed services are not checked (a set-up may have been
    stopped early, and old records may predate the catalogue).

    Passing: SVC-002 in Design, approved 2026-06-01 and designed from 2026-07-01. Failing:
    SVC-002 with no Design Start.
    """
    services = master["Services"]
    for row, record, raw in catalogue(master):
        stage = record["Stage"]
        if not reached(stage, "Design") or reached(stage, "Closing"):
            continue
        for header, due in SET_UP_DUE:
            if (reached(stage, due) and record[header] is None
                    and raw[header] is None):
                yield problem_at(
                    services, row, header, record["Service ID"],
                    f"{service_name(record, row)} {is_at(stage)} but has no {header}.",
                    f"Enter the {header} so the catalogue keeps the service's history.")


# --- dates ---------------------------------------------------------------------------------


@rule("L108", ERROR, "A service's lifecycle dates are out of order",
      fails=[Edit("Services", "SVC-001", {"Pilot Start": D(2025, 1, 20)})], cell="Services!X2")
def dates_in_order(master: Master, context: Context) -> Iterator[Problem]:
    """The lifecycle dates follow the lifecycle: Approved Date ≤ Design Start ≤ Pilot Start
    ≤ Sign-off Date ≤ Readiness Assessment Date ≤ Go-live Date ≤ Closure Approved Date ≤
    Closed Date. Blank dates are skipped; each date is compared with the nearest filled one
    before it, so one mistyped date is reported once.

    Passing: SVC-001 designed from 2025-02-03 and piloted from 2025-04-07. Failing: Pilot
    Start 2025-01-20, before Design Start.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        before: tuple[str, dt.date] | None = None
        for header in DATE_CHAIN:
            value = record[header]
            if value is None:
                continue
            if before is not None and value < before[1]:
                yield problem_at(
                    services, row, header, record["Service ID"],
                    f"{service_name(record, row)}'s {header} {value.isoformat()} is before "
                    f"its {before[0]} {before[1].isoformat()}.",
                    "Correct whichever date is wrong: the lifecycle runs Approved, Design, "
                    "Pilot, Sign-off, Readiness Assessment, Go-live, Closure Approved, "
                    "Closed.")
            before = (header, value)


_FUTURE_EXEMPT = {"Planned End Date"}


@rule("L109", WARNING, "A service's date is after the as-of date",
      fails=[Edit("Services", "SVC-002", {"Design Start": D(2026, 12, 1)})], cell="Services!W3")
def dates_not_future(master: Master, context: Context) -> Iterator[Problem]:
    """The catalogue records what has happened: no date of a service is later than the
    as-of date of the check, except Planned End Date (a temporary service's planned end).
    A future date is usually a typing slip, or a plan entered as a fact.

    Passing: SVC-002's Design Start 2026-07-01, checked as of 2026-11-15. Failing: its
    Design Start is 2026-12-01.
    """
    services = master["Services"]
    headers = [c.header for c in columns_of("Services")
               if c.kind == DATE and c.header not in _FUTURE_EXEMPT]
    for row, record, _raw in catalogue(master):
        for header in headers:
            value = record[header]
            if value is not None and value > context.as_of:
                yield problem_at(
                    services, row, header, record["Service ID"],
                    f"{service_name(record, row)}'s {header} {value.isoformat()} is after "
                    f"the as-of date {context.as_of.isoformat()}.",
                    f"Correct the {header}; record a date once it has happened (a planned "
                    "date belongs in the plan, not in the catalogue).")


# --- temporary supporting services and replacements --------------------------------------


@rule("L110", ERROR, "A temporary service has no Planned End Date or supported service",
      fails=[Edit("Services", "SVC-003", {"Temporary": "Y", "Supports Service": "SVC-001"})],
      cell="Services!U4")
def temporary_fields(master: Master, context: Context) -> Iterator[Problem]:
    """A temporary supporting service is set up beside a requested service to embed the
    behavioural change it needs (seed §5.1), and is closed when its agreed end date is
    reached (§5.3). So it has a Planned End Date and names the service it Supports.
    Rejected services are not checked.

    Passing: a temporary service supporting SVC-001 until 2027-03-31. Failing: SVC-003
    marked Temporary, supporting SVC-001, with no Planned End Date.
    """
    services = master["Services"]
    for row, record, raw in catalogue(master):
        if record["Temporary"] != "Y" or record["Stage"] == "Rejected":
            continue
        name = service_name(record, row)
        if record["Planned End Date"] is None and raw["Planned End Date"] is None:
            yield problem_at(
                services, row, "Planned End Date", record["Service ID"],
                f"{name} is a temporary service but has no Planned End Date.",
                "Enter the date it was agreed to stop the temporary service.")
        if record["Supports Service"] is None:
            yield problem_at(
                services, row, "Supports Service", record["Service ID"],
                f"{name} is a temporary service but does not say which service it supports.",
                "Enter the Service ID of the requested service it sits beside.")


@rule("L111", WARNING, "A temporary service is still active past its Planned End Date",
      fails=[Edit("Services", "SVC-001", {"Temporary": "Y", "Supports Service": "SVC-002",
                                          "Planned End Date": D(2026, 10, 31)})],
      cell="Services!U2")
def temporary_overrun(master: Master, context: Context) -> Iterator[Problem]:
    """A temporary supporting service stops when its agreed end date is reached (seed
    §5.3). One still in set-up or Running after its Planned End Date is flagged: close it,
    or agree a new end date.

    Passing: Planned End Date 2027-03-31, checked as of 2026-11-15. Failing: a Running
    temporary service whose Planned End Date was 2026-10-31.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        end, stage = record["Planned End Date"], record["Stage"]
        if (record["Temporary"] == "Y" and end is not None and end < context.as_of
                and reached(stage, "Design") and not reached(stage, "Closing")):
            yield problem_at(
                services, row, "Planned End Date", record["Service ID"],
                f"{service_name(record, row)} is a temporary service still {stage} after its "
                f"Planned End Date {end.isoformat()}.",
                "Start closing it (Stage Closing, reason `Agreed end date reached`), or agree "
                "a new end date with the Service Owner and enter it.")


@rule("L118", WARNING, "A service supports another but is not marked Temporary",
      fails=[Edit("Services", "SVC-003", {"Supports Service": "SVC-001"})], cell="Services!S4")
def supports_without_temporary(master: Master, context: Context) -> Iterator[Problem]:
    """Supports Service is for temporary supporting services (seed §5.1); a service that
    names one is marked Temporary = Y, so its end date is tracked.

    Passing: SVC-003 with Supports Service blank. Failing: SVC-003 supports SVC-001 but
    Temporary is blank.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        if record["Supports Service"] is not None and record["Temporary"] != "Y":
            yield problem_at(
                services, row, "Temporary", record["Service ID"],
                f"{service_name(record, row)} supports {record['Supports Service']} but is not "
                "marked Temporary.",
                "Set Temporary to Y (and give it a Planned End Date), or clear Supports "
                "Service if it is a service in its own right.")


@rule("L112", ERROR, "A replaced service has no live replacement",
      fails=[Edit("Services", "SVC-001", {"Stage": "Closing", "Closure Reason": REPLACED,
                                          "Closure Approved By": "P-001",
                                          "Closure Approved Date": D(2026, 10, 1)})],
      cell="Services!AH2")
def replacement(master: Master, context: Context) -> Iterator[Problem]:
    """A service closed because `Replaced by another service` names that service in Replaced
    By, and the replacement is not itself Closing, Closed or Rejected: customers must have
    somewhere to go.

    Passing: SVC-001 replaced by SVC-002, in Design. Failing: Closure Reason `Replaced by
    another service` with Replaced By blank.
    """
    services = master["Services"]
    stage_of = _stage_of(master)
    for row, record, _raw in catalogue(master):
        name, by = service_name(record, row), record["Replaced By"]
        if record["Closure Reason"] == REPLACED and by is None:
            yield problem_at(
                services, row, "Replaced By", record["Service ID"],
                f"{name} is being replaced by another service, but Replaced By is blank.",
                "Enter the Service ID of the service that replaces it.")
        elif by is not None and stage_of.get(by) in ("Closing", "Closed", "Rejected"):
            yield problem_at(
                services, row, "Replaced By", record["Service ID"],
                f"{name} is replaced by {by}, which is itself {stage_of[by]}.",
                "Name a replacement service that is being set up or is Running, or change "
                "the Closure Reason.")


@rule("L119", ERROR, "A service supports or is replaced by itself",
      fails=[Edit("Services", "SVC-001", {"Replaced By": "SVC-001"})], cell="Services!AH2")
def self_reference(master: Master, context: Context) -> Iterator[Problem]:
    """Supports Service and Replaced By name another service; a service that names itself
    there is a copy-paste slip.

    Passing: SVC-001 replaced by SVC-002. Failing: SVC-001 replaced by SVC-001.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        sid = record["Service ID"]
        for header in ("Supports Service", "Replaced By"):
            if sid is not None and record[header] == sid:
                yield problem_at(
                    services, row, header, record["Service ID"],
                    f"Service {sid} names itself in {header}.",
                    f"Enter the Service ID of the other service in {header}, or clear it.")


@rule("L121", WARNING, "A Rejected service has set-up dates",
      fails=[Edit("Services", "SVC-003", {"Stage": "Rejected",
                                          "Design Start": D(2026, 8, 3)})],
      cell="Services!W4")
def rejected_after_proposal(master: Master, context: Context) -> Iterator[Problem]:
    """A service is Rejected only from Proposed: the decision not to set it up. A Rejected
    service with an Approved Date, Design Start or a later set-up date went further than a
    proposal; it should be closed (Stage Closing, then Closed) instead, so its closure is
    approved and its artefacts reviewed.

    Passing: SVC-003 Rejected with no set-up dates. Failing: SVC-003 Rejected with a Design
    Start of 2026-08-03.
    """
    services = master["Services"]
    for row, record, _raw in catalogue(master):
        if record["Stage"] != "Rejected":
            continue
        filled = next((h for h in SET_UP_DATES if record[h] is not None), None)
        if filled is not None:
            yield problem_at(
                services, row, filled, record["Service ID"],
                f"{service_name(record, row)} is Rejected but has a {filled}, so it went "
                "beyond a proposal.",
                "A service that was approved or started set-up is closed, not rejected: set "
                "Stage to Closing with a Closure Reason, or clear the date if it was a slip.")


# --- the Lifecycle Log ---------------------------------------------------------------------


def _log_by_service(log: SheetTable) -> dict[str, list[tuple[int, dict]]]:
    """Each service's log rows, in sheet order."""
    steps: dict[str, list[tuple[int, dict]]] = {}
    for row, record in log.rows():
        sid = record["Service ID"]
        if sid is not None:
            steps.setdefault(str(sid), []).append((row, record))
    return steps


@rule("L113", ERROR, "A Lifecycle Log step is not a legal move",
      fails=[Edit("Lifecycle Log", "SVC-002", {"To Stage": "Running"})],
      cell="'Lifecycle Log'!C6")
def legal_moves(master: Master, context: Context) -> Iterator[Problem]:
    """Each step in the Lifecycle Log is a move the lifecycle allows: Proposed to Design or
    Rejected; Design to Pilot; Pilot to Pilot again (a further iteration) or Transition;
    Transition to Running; Running to Closing; Closing to Closed. A set-up that is stopped
    may go from Design, Pilot or Transition to Closing. Skipping a stage skips its gate
    (sign-off, readiness assessment).

    Passing: SVC-001 Pilot to Transition. Failing: SVC-002 Proposed straight to Running.
    """
    log = master["Lifecycle Log"]
    for row, record in log.rows():
        start, end = record["From Stage"], record["To Stage"]
        if start is None or end is None or end in LEGAL_MOVES.get(start, ()):
            continue
        allowed = LEGAL_MOVES.get(start, ())
        onward = (" or ".join(allowed) if allowed else "no other stage")
        yield problem_at(
            log, row, "To Stage", record["Service ID"],
            f"Lifecycle Log: {record['Service ID']} moved from {start} to {end}, which the "
            "lifecycle does not allow.",
            f"From {start} a service moves to {onward}; log each stage it passed through on "
            "its own row, or correct the stage.")


@rule("L114", WARNING, "Lifecycle Log dates of a service go backwards",
      fails=[Edit("Lifecycle Log", "SVC-001", {"Date": D(2025, 5, 1)})],
      cell="'Lifecycle Log'!D3")
def log_dates_ascend(master: Master, context: Context) -> Iterator[Problem]:
    """A service's steps in the Lifecycle Log are listed in the order they happened, so
    their dates never go backwards (two moves on one day are fine). Each step is compared
    with the one before it, so one mistyped date is reported once.

    Passing: SVC-001 to Design on 2025-02-03, to Pilot on 2025-04-07. Failing: the Design
    step dated 2025-05-01, after the Pilot step that follows it.
    """
    log = master["Lifecycle Log"]
    for sid, steps in _log_by_service(log).items():
        latest: dt.date | None = None
        for row, record in steps:
            when = record["Date"]
            if when is None:
                continue
            if latest is not None and when < latest:
                yield problem_at(
                    log, row, "Date", sid,
                    f"Lifecycle Log: {sid}'s move to {record['To Stage']} on "
                    f"{when.isoformat()} is dated before its previous step "
                    f"({latest.isoformat()}).",
                    "Correct the date, or put the service's steps in the order they happened.")
            latest = when  # the previous step only: one mistyped date is reported once


@rule("L115", WARNING, "The Lifecycle Log's last stage is not the service's Stage",
      fails=[Edit("Lifecycle Log", "SVC-002", {"From Stage": "Design", "To Stage": "Pilot"})],
      cell="'Lifecycle Log'!C6")
def log_matches_stage(master: Master, context: Context) -> Iterator[Problem]:
    """A service's last step in the Lifecycle Log ends in the Stage the catalogue shows;
    otherwise one of the two is out of date.

    Passing: SVC-002's last step is to Design and it is in Design. Failing: its last step is
    to Pilot while Services still says Design.
    """
    log = master["Lifecycle Log"]
    stage_of = _stage_of(master)
    for sid, steps in _log_by_service(log).items():
        row, record = steps[-1]
        stage, end = stage_of.get(sid), record["To Stage"]
        if stage is not None and end is not None and end != stage:
            yield problem_at(
                log, row, "To Stage", sid,
                f"Lifecycle Log: {sid}'s last step is to {end}, but Services shows it in "
                f"{stage}.",
                f"Bring the two into line: log the move to {stage}, or set the Stage in "
                f"Services to {end} if the log is right.")


@rule("L120", WARNING, "A Lifecycle Log step does not start where the last one ended",
      fails=[Edit("Lifecycle Log", None, {"Service ID": "SVC-002", "From Stage": "Pilot",
                                          "To Stage": "Transition", "Date": D(2026, 9, 1),
                                          "Approved By": "P-002"})],
      cell="'Lifecycle Log'!B7")
def log_continuity(master: Master, context: Context) -> Iterator[Problem]:
    """Each step of a service in the Lifecycle Log starts from the stage its previous step
    ended in; a gap means a move was not logged.

    Passing: SVC-001 Design to Pilot, then Pilot to Transition. Failing: SVC-002 Proposed to
    Design, then a step from Pilot to Transition.
    """
    log = master["Lifecycle Log"]
    for sid, steps in _log_by_service(log).items():
        for (_, before), (row, record) in zip(steps, steps[1:], strict=False):
            end, start = before["To Stage"], record["From Stage"]
            if end is not None and start is not None and start != end:
                yield problem_at(
                    log, row, "From Stage", sid,
                    f"Lifecycle Log: {sid}'s step from {start} follows a step that ended in "
                    f"{end}.",
                    f"Log the missing move from {end} to {start}, or correct the From Stage.")

"""L — lifecycle: set-up, running and closing a service.

A service moves Proposed > Design > Pilot (which may repeat) > Transition > Running >
Closing > Closed, or is Rejected at proposal. Each stage asks for the fields that prove its
gate was passed (sign-off, readiness assessment, go-live, closure approval); the dates tell
the same story in order; the optional Lifecycle Log records each move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.facts import is_plan, reached
from pmo_xl.findings import ERROR, INFO, WARNING, Problem
from pmo_xl.validators.common import is_at, problem_at, service_name
from pmo_xl.validators.registry import CONVENTION, RECOMMENDED, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    DATE,
    GOING_STAGES,
    LEGAL_MOVES,
    SIPOC,
    ClosureReason,
    LifecycleLog,
    Services,
    Stage,
    YesNo,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

D = dt.date
S, Log = Services, LifecycleLog

# The lifecycle's dates, in the order they happen.
DATE_CHAIN = (S.approved_date, S.design_start, S.pilot_start, S.sign_off_date,
              S.readiness_assessment_date, S.go_live_date, S.closure_approved_date,
              S.closed_date)
GO_LIVE_FIELDS = (S.sign_off_date, S.readiness_assessment_date, S.rollout_approach,
                  S.go_live_date)
CLOSING_FIELDS = (S.closure_reason, S.closure_approved_by, S.closure_approved_date)
# Dates of set-up a Rejected service never reaches (it was turned down at proposal).
SET_UP_DATES = DATE_CHAIN[:6]
# Set-up dates each stage has by then: (date, the stage from which it is due).
SET_UP_DUE = ((S.approved_date, Stage.DESIGN), (S.design_start, Stage.DESIGN),
              (S.pilot_start, Stage.PILOT))


# --- fields each stage requires --------------------------------------------------------------


# "Design and later have a Service Owner and a Lead PMO" (rules.md) is S104's job: both
# columns are required on every row of Services, so a separate L rule would report the same
# blank cell twice.


@rule("L102", ERROR, "A service in Pilot or later has no Service Manager",
      kind=REQUIRED,
      why="A Service Manager is responsible for the day-to-day running of a service, and from "
          "Pilot on there is a service to run.",
      fails=[Edit(Services, "SVC-001", {S.service_managers: None})], cell="Services!Q2",
      passes=[Edit(Services, "SVC-002", {S.service_managers: None})])
def pilot_manager(facts: Facts) -> Iterator[Problem]:
    """From Pilot onwards someone runs the service day to day: it has at least one Service
    Manager (the PMO Director and PMO Managers appoint them at set-up).

    Passing: SVC-002 in Design, the stage before Pilot, with Service Managers blank. Failing:
    SVC-001, Running, with Service Managers blank.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        if reached(record[S.stage], Stage.PILOT) and record[S.service_managers] is None:
            yield problem_at(
                services, row, S.service_managers, record[S.service_id],
                f"{service_name(record, row)} {is_at(record[S.stage])} but has no Service "
                "Manager.",
                "Enter the Person ID of the Service Manager (one per delivering PMO) who runs "
                "the service day to day.")


@rule("L103", ERROR, "A service in Pilot or later has no SIPOC process",
      kind=REQUIRED,
      why="The processes underpinning a service are defined and agreed during set-up, before they "
          "are piloted.",
      fails=[Edit(Services, "SVC-002", {S.stage: Stage.PILOT})], cell="Services!I3",
      passes=[Edit(Services, "SVC-003", {S.stage: Stage.REJECTED})])
def pilot_sipoc(facts: Facts) -> Iterator[Problem]:
    """The processes underpinning a service are defined in its SIPOC during Design, before
    they are piloted: from Pilot onwards the service has at least one SIPOC row.

    Passing: SVC-002 in Design, the stage before Pilot, and SVC-003 Rejected, neither with a
    process in SIPOC. Failing: SVC-002 moved to Pilot with no process in SIPOC.
    """
    services, sipoc = facts.master[Services], facts.master[SIPOC]
    if not sipoc.present:
        return
    with_process = {str(s) for s in sipoc.data[S.service_id] if s is not None}
    for row, record, _raw in facts.catalogue:
        sid = record[S.service_id]
        if sid is not None and reached(record[S.stage], Stage.PILOT) and sid not in with_process:
            yield problem_at(
                services, row, S.stage, record[S.service_id],
                f"{service_name(record, row)} {is_at(record[S.stage])} but has no process "
                "in SIPOC.",
                f"Add the processes that underpin {sid} to SIPOC (Suppliers, Inputs, Process, "
                "Outputs, Customers).")


@rule("L104", ERROR, "A Running service lacks its sign-off, readiness or go-live details",
      kind=REQUIRED,
      why="A service moves into business as usual only after formal sign-off, an organisation "
          "readiness assessment and a phased or big-bang rollout.",
      fails=[Edit(Services, "SVC-001", {S.go_live_date: None})], cell="Services!AB2",
      passes=[Edit(Services, "SVC-002", {S.stage: Stage.TRANSITION, S.pilot_start: D(2026, 8, 3),
                                         S.sign_off_date: D(2026, 10, 1)})])
def running_fields(facts: Facts) -> Iterator[Problem]:
    """A service enters business as usual after formal sign-off of its pilot and an
    organisation readiness assessment, through a phased or big-bang rollout. A
    Running service therefore has its Sign-off Date, Readiness Assessment Date, Rollout
    Approach and Go-live Date.

    Passing: SVC-002 in Transition, the stage before Running, signed off on 2026-10-01 with
    no readiness assessment, rollout approach or go-live yet. Failing: SVC-001, Running,
    with no Go-live Date.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if record[S.stage] != Stage.RUNNING:
            continue
        for header in GO_LIVE_FIELDS:
            if record[header] is None and raw[header] is None:
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)} is Running but has no {header}.",
                    f"Enter the {header}; a service goes live only after sign-off and a "
                    "readiness assessment.")


@rule("L105", ERROR, "A closing service lacks its closure reason or approval",
      kind=REQUIRED,
      why="The Service Owner is accountable for closing a service: a closure has its reason and "
          "the owner's formal approval, with its date.",
      fails=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                        S.closure_reason: ClosureReason.OBJECTIVE_ACHIEVED,
                                        S.closure_approved_by: "P-001"})],
      cell="Services!AE2",
      passes=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                         S.closure_reason: ClosureReason.OBJECTIVE_ACHIEVED,
                                         S.closure_approved_by: "P-001",
                                         S.closure_approved_date: "1 October 2026"})])
def closing_fields(facts: Facts) -> Iterator[Problem]:
    """A service is closed in an orderly way with the formal approval of its Service Owner:
    a Closing or Closed service has a Closure Reason, Closure Approved By and Closure
    Approved Date.

    A date typed as text is there, in the wrong form: S105's finding, not a missing one.
    Passing: SVC-001 Closing with a reason, an approver and the Closure Approved Date typed
    as the text `1 October 2026`. Failing: SVC-001 Closing, with a reason and an approver
    but no Closure Approved Date.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if record[S.stage] not in GOING_STAGES:
            continue
        for header in CLOSING_FIELDS:
            if record[header] is None and raw[header] is None:
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)} is {record[S.stage]} but has no {header}.",
                    f"Enter the {header}; closing a service needs a reason and the Service "
                    "Owner's formal approval.")


@rule("L106", ERROR, "A closure was not approved by the Service Owner",
      kind=REQUIRED,
      why="The Service Owner is accountable for closing a service, so the closure is approved by "
          "the Service Owner.",
      fails=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                        S.closure_reason: ClosureReason.OBJECTIVE_ACHIEVED,
                                        S.closure_approved_by: "P-002",
                                        S.closure_approved_date: D(2026, 10, 1)})],
      cell="Services!AD2",
      passes=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                         S.closure_reason: ClosureReason.OBJECTIVE_ACHIEVED,
                                         S.closure_approved_date: D(2026, 10, 1)})])
def closure_by_owner(facts: Facts) -> Iterator[Problem]:
    """Closing a service needs the formal approval of its Service Owner, so
    Closure Approved By is the service's Service Owner.

    Passing: SVC-001 Closing with Closure Approved By still blank (L105's finding: nobody
    has approved it yet). Failing: approved by P-002, its Service Manager, not its Service
    Owner P-001.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        by, owner = record[S.closure_approved_by], record[S.service_owner]
        if by is not None and owner is not None and by != owner:
            yield problem_at(
                services, row, S.closure_approved_by, record[S.service_id],
                f"The closure of {service_name(record, row)} was approved by "
                f"{facts.person_label(by)}, but its Service Owner is "
                f"{facts.person_label(owner)}.",
                f"Have the Service Owner, {facts.person_label(owner)}, approve the closure, or "
                "correct Service Owner if ownership changed.")


@rule("L107", WARNING, "A Closed service has no Closed Date or its artefacts are not reviewed",
      kind=RECOMMENDED,
      why="Closing a service should be orderly, and all its artefacts should be reviewed for "
          "anything useful in future: should, so a warning.",
      fails=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSED,
                                        S.closure_reason: ClosureReason.OBJECTIVE_ACHIEVED,
                                        S.closure_approved_by: "P-001",
                                        S.closure_approved_date: D(2026, 10, 1),
                                        S.artefacts_reviewed: YesNo.YES})],
      cell="Services!AF2",
      passes=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                         S.closure_reason: ClosureReason.OBJECTIVE_ACHIEVED,
                                         S.closure_approved_by: "P-001",
                                         S.closure_approved_date: D(2026, 10, 1)})])
def closed_fields(facts: Facts) -> Iterator[Problem]:
    """Closing a service should be orderly, and all its artefacts should be reviewed for
    anything useful in future, in case the PMO or another PMO brings the service back: a
    Closed service says when it stopped (Closed Date) and that its artefacts were reviewed
    (Artefacts Reviewed = Y). Should, so a warning.

    Passing: SVC-001 Closing, the stage before Closed, with no Closed Date and Artefacts
    Reviewed blank. Failing: SVC-001 Closed, its artefacts reviewed, with no Closed Date.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if record[S.stage] != Stage.CLOSED:
            continue
        if record[S.closed_date] is None and raw[S.closed_date] is None:
            yield problem_at(
                services, row, S.closed_date, record[S.service_id],
                f"{service_name(record, row)} is Closed but has no Closed Date.",
                "Enter the date the service stopped.")
        if record[S.artefacts_reviewed] != YesNo.YES:
            yield problem_at(
                services, row, S.artefacts_reviewed, record[S.service_id],
                f"{service_name(record, row)} is Closed but its artefacts are not marked as "
                "reviewed.",
                "Review the service's artefacts for anything worth keeping for future reuse, "
                "then set Artefacts Reviewed to Y.")


@rule("L116", ERROR, "A service in Transition has no Sign-off Date",
      kind=REQUIRED,
      why="A service moves into transition only after formal sign-off of its testing and pilot.",
      fails=[Edit(Services, "SVC-002", {S.stage: Stage.TRANSITION})], cell="Services!Y3",
      passes=[Edit(Services, "SVC-002", {S.stage: Stage.PILOT})])
def transition_signed_off(facts: Facts) -> Iterator[Problem]:
    """A service moves into Transition only after formal sign-off of its testing and pilot,
    so a service in Transition has a Sign-off Date.

    Passing: SVC-002 in Pilot, the stage before Transition, with no Sign-off Date yet.
    Failing: SVC-002 in Transition with no Sign-off Date.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if (record[S.stage] == Stage.TRANSITION and record[S.sign_off_date] is None
                and raw[S.sign_off_date] is None):
            yield problem_at(
                services, row, S.sign_off_date, record[S.service_id],
                f"{service_name(record, row)} is in Transition but has no Sign-off Date.",
                "Enter the date the pilot was formally signed off, or move the service back "
                "to Pilot until it is.")


@rule("L117", WARNING, "A service in set-up or running lacks an earlier stage's date",
      kind=RECOMMENDED,
      why="The catalogue keeps a service's history: when it was approved and when each stage "
          "began.",
      fails=[Edit(Services, "SVC-002", {S.design_start: None})], cell="Services!W3",
      passes=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING, S.approved_date: None})])
def set_up_dates(facts: Facts) -> Iterator[Problem]:
    """The catalogue keeps a service's history: from Design onwards it has its Approved Date
    (when the decision to set it up was taken) and Design Start; from Pilot onwards its
    Pilot Start. Closing and Closed services are not checked (a set-up may have been
    stopped early, and old records may predate the catalogue).

    Passing: SVC-002 in Design with no Pilot Start (due from Pilot), and SVC-001 Closing
    with no Approved Date (Closing is not checked). Failing: SVC-002 in Design with no
    Design Start.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        stage = record[S.stage]
        if not reached(stage, Stage.DESIGN) or reached(stage, Stage.CLOSING):
            continue
        for header, due in SET_UP_DUE:
            if (reached(stage, due) and record[header] is None
                    and raw[header] is None):
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)} {is_at(stage)} but has no {header}.",
                    f"Enter the {header} so the catalogue keeps the service's history.")


# --- dates ---------------------------------------------------------------------------------


@rule("L108", ERROR, "A service's lifecycle dates are out of order",
      kind=REQUIRED,
      why="The lifecycle runs in order: approval, design, pilot, sign-off, readiness, go-live, "
          "closure.",
      fails=[Edit(Services, "SVC-001", {S.pilot_start: D(2025, 1, 20)})], cell="Services!X2",
      passes=[Edit(Services, "SVC-001", {S.readiness_assessment_date: D(2025, 6, 2)})])
def dates_in_order(facts: Facts) -> Iterator[Problem]:
    """The lifecycle dates follow the lifecycle: Approved Date ≤ Design Start ≤ Pilot Start
    ≤ Sign-off Date ≤ Readiness Assessment Date ≤ Go-live Date ≤ Closure Approved Date ≤
    Closed Date. Blank dates are skipped; each date is compared with the nearest filled one
    before it, so one mistyped date is reported once.

    Passing: SVC-001's Readiness Assessment Date is 2025-06-02, the same day as its Sign-off
    Date (two dates may fall on one day). Failing: Pilot Start 2025-01-20, before Design
    Start 2025-02-03.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        before: tuple[str, dt.date] | None = None
        for header in DATE_CHAIN:
            value = record[header]
            if value is None:
                continue
            if before is not None and value < before[1]:
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)}'s {header} {value.isoformat()} is before "
                    f"its {before[0]} {before[1].isoformat()}.",
                    "Correct whichever date is wrong: the lifecycle runs Approved, Design, "
                    "Pilot, Sign-off, Readiness Assessment, Go-live, Closure Approved, "
                    "Closed.")
            before = (header, value)


_FUTURE_EXEMPT = {S.planned_end_date}


@rule("L109", WARNING, "A service's date is after the as-of date",
      kind=RECOMMENDED,
      why="The catalogue records what has happened; a date of a stage already reached that lies "
          "in the future is probably a typo.",
      fails=[Edit(Services, "SVC-002", {S.design_start: D(2026, 12, 1)})], cell="Services!W3",
      passes=[Edit(Services, "SVC-002", {S.pilot_start: D(2027, 1, 4)})])
def dates_not_future(facts: Facts) -> Iterator[Problem]:
    """The catalogue records what has happened: no date of a stage the service has reached
    is later than the as-of date of the check. A set-up date for a stage not reached yet
    (an Approved Date or Design Start before Design, a Pilot Start before Pilot, a Sign-off
    Date before Transition, a Readiness Assessment or Go-live Date before Running) is a
    plan and may lie in the future (V109 watches it slip), as may Planned End Date. A
    future date for a stage already reached is usually a typing slip.

    Passing: SVC-002 (in Design) started design on 2026-07-01 and plans its Pilot Start for
    2027-01-04, checked as of 2026-11-15. Failing: its Design Start is 2026-12-01, though
    it is in Design already.
    """
    services = facts.master[Services]
    headers = [c.header for c in Services.COLUMNS
               if c.kind == DATE and c.header not in _FUTURE_EXEMPT]
    for row, record, _raw in facts.catalogue:
        for header in headers:
            value = record[header]
            if value is not None and value > facts.as_of and not is_plan(record[S.stage],
                                                                         header):
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)}'s {header} {value.isoformat()} is after "
                    f"the as-of date {facts.as_of.isoformat()}.",
                    f"Correct the {header}: record it once it has happened (only the set-up "
                    "dates of stages the service has not reached yet are plans).")


# --- temporary supporting services and replacements --------------------------------------


@rule("L110", INFO, "A temporary service has no Planned End Date or supported service",
      kind=CONVENTION,
      why="A temporary supporting service may be set up beside a requested service, and an agreed "
          "end date is a particularly relevant reason to close it: worth recording, not required.",
      fails=[Edit(Services, "SVC-003", {S.temporary: YesNo.YES, S.supports_service: "SVC-001"})],
      cell="Services!U4",
      passes=[Edit(Services, "SVC-003", {S.temporary: YesNo.YES, S.stage: Stage.REJECTED})])
def temporary_fields(facts: Facts) -> Iterator[Problem]:
    """A temporary supporting service may be set up beside a requested service to embed the
    behavioural change it needs, and reaching its agreed end date is a particularly relevant
    reason to close it. So it is worth recording its Planned End Date and the service it
    Supports: information by default, since neither is required. Rejected services are not
    checked.

    Passing: SVC-003 marked Temporary with neither, but Rejected. Failing: SVC-003 (Proposed)
    marked Temporary, supporting SVC-001, with no Planned End Date.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if record[S.temporary] != YesNo.YES or record[S.stage] == Stage.REJECTED:
            continue
        name = service_name(record, row)
        if record[S.planned_end_date] is None and raw[S.planned_end_date] is None:
            yield problem_at(
                services, row, S.planned_end_date, record[S.service_id],
                f"{name} is a temporary service but has no Planned End Date.",
                "Enter the date it was agreed to stop the temporary service.")
        if record[S.supports_service] is None:
            yield problem_at(
                services, row, S.supports_service, record[S.service_id],
                f"{name} is a temporary service but does not say which service it supports.",
                "Enter the Service ID of the requested service it sits beside.")


@rule("L111", WARNING, "A temporary service is still active past its Planned End Date",
      kind=RECOMMENDED,
      why="A temporary service past the date it was agreed to stop should be closed, or its end "
          "date agreed again.",
      fails=[Edit(Services, "SVC-001", {S.temporary: YesNo.YES, S.supports_service: "SVC-002",
                                          S.planned_end_date: D(2026, 10, 31)})],
      cell="Services!U2",
      passes=[Edit(Services, "SVC-001", {S.temporary: YesNo.YES, S.supports_service: "SVC-002",
                                           S.planned_end_date: D(2026, 11, 15)})])
def temporary_overrun(facts: Facts) -> Iterator[Problem]:
    """A temporary supporting service stops when its agreed end date is reached.
    One still in set-up or Running after its Planned End Date is flagged: close it,
    or agree a new end date.

    Passing: a Running temporary service whose Planned End Date is the as-of date,
    2026-11-15 (it may run to the end of that day). Failing: its Planned End Date was
    2026-10-31.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        end, stage = record[S.planned_end_date], record[S.stage]
        if (record[S.temporary] == YesNo.YES and end is not None and end < facts.as_of
                and reached(stage, Stage.DESIGN) and not reached(stage, Stage.CLOSING)):
            yield problem_at(
                services, row, S.planned_end_date, record[S.service_id],
                f"{service_name(record, row)} is a temporary service still {stage} after its "
                f"Planned End Date {end.isoformat()}.",
                "Start closing it (Stage Closing, reason `Agreed end date reached`), or agree "
                "a new end date with the Service Owner and enter it.")


@rule("L118", WARNING, "A service supports another but is not marked Temporary",
      kind=RECOMMENDED,
      why="Supports Service is for temporary supporting services, whose end dates are tracked.",
      fails=[Edit(Services, "SVC-003", {S.supports_service: "SVC-001"})], cell="Services!S4",
      passes=[Edit(Services, "SVC-003", {S.supports_service: "SVC-001", S.temporary: "y",
                                         S.planned_end_date: D(2027, 3, 31)})])
def supports_without_temporary(facts: Facts) -> Iterator[Problem]:
    """Supports Service is for temporary supporting services; a service that
    names one is marked Temporary = Y, so its end date is tracked.

    Passing: SVC-003 supports SVC-001 and its Temporary reads `y` (Y and N are read in any
    case). Failing: SVC-003 supports SVC-001 but Temporary is blank.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        if record[S.supports_service] is not None and record[S.temporary] != YesNo.YES:
            yield problem_at(
                services, row, S.temporary, record[S.service_id],
                f"{service_name(record, row)} supports {record[S.supports_service]} but is not "
                "marked Temporary.",
                "Set Temporary to Y (and give it a Planned End Date), or clear Supports "
                "Service if it is a service in its own right.")


@rule("L112", ERROR, "A replaced service has no live replacement",
      kind=REQUIRED,
      why="A service replaced by another needs a live replacement for its customers to go to.",
      fails=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                        S.closure_reason: ClosureReason.REPLACED,
                                        S.closure_approved_by: "P-001",
                                        S.closure_approved_date: D(2026, 10, 1)})],
      cell="Services!AH2",
      passes=[Edit(Services, "SVC-001", {S.stage: Stage.CLOSING,
                                         S.closure_reason: ClosureReason.REPLACED,
                                         S.closure_approved_by: "P-001",
                                         S.closure_approved_date: D(2026, 10, 1),
                                         S.replaced_by: "SVC-003"})])
def replacement(facts: Facts) -> Iterator[Problem]:
    """A service closed because `Replaced by another service` names that service in Replaced
    By, and the replacement is not itself Closing, Closed or Rejected: customers must have
    somewhere to go.

    Passing: SVC-001 Closing, replaced by SVC-003, which is only Proposed (any stage but
    Closing, Closed or Rejected will do). Failing: Closure Reason `Replaced by another
    service` with Replaced By blank.
    """
    services = facts.master[Services]
    stage_of = facts.stage_of
    for row, record, _raw in facts.catalogue:
        name, by = service_name(record, row), record[S.replaced_by]
        if record[S.closure_reason] == ClosureReason.REPLACED and by is None:
            yield problem_at(
                services, row, S.replaced_by, record[S.service_id],
                f"{name} is being replaced by another service, but Replaced By is blank.",
                "Enter the Service ID of the service that replaces it.")
        elif by is not None and stage_of.get(by) in (*GOING_STAGES, Stage.REJECTED):
            yield problem_at(
                services, row, S.replaced_by, record[S.service_id],
                f"{name} is replaced by {by}, which is itself {stage_of[by]}.",
                "Name a replacement service that is being set up or is Running, or change "
                "the Closure Reason.")


@rule("L119", ERROR, "A service supports or is replaced by itself",
      kind=REQUIRED,
      why="A service cannot support or replace itself: it is a copy-paste slip.",
      fails=[Edit(Services, "SVC-001", {S.replaced_by: "SVC-001"})], cell="Services!AH2",
      passes=[Edit(Services, "SVC-001", {S.replaced_by: "SVC-002"})])
def self_reference(facts: Facts) -> Iterator[Problem]:
    """Supports Service and Replaced By name another service; a service that names itself
    there is a copy-paste slip.

    Passing: SVC-001 replaced by SVC-002. Failing: SVC-001 replaced by SVC-001.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        sid = record[S.service_id]
        for header in (S.supports_service, S.replaced_by):
            if sid is not None and record[header] == sid:
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"Service {sid} names itself in {header}.",
                    f"Enter the Service ID of the other service in {header}, or clear it.")


@rule("L121", WARNING, "A Rejected service has set-up dates",
      kind=RECOMMENDED,
      why="Rejected is the decision not to set a proposal up; a service that went further should "
          "be closed, so its closure is approved and its artefacts reviewed.",
      fails=[Edit(Services, "SVC-003", {S.stage: Stage.REJECTED,
                                        S.design_start: D(2026, 8, 3)})],
      cell="Services!W4",
      passes=[Edit(Services, "SVC-003", {S.stage: Stage.REJECTED,
                                         S.last_reviewed: D(2026, 8, 3)})])
def rejected_after_proposal(facts: Facts) -> Iterator[Problem]:
    """A service is Rejected only from Proposed: the decision not to set it up. A Rejected
    service with an Approved Date, Design Start or a later set-up date went further than a
    proposal; it should be closed (Stage Closing, then Closed) instead, so its closure is
    approved and its artefacts reviewed.

    Passing: SVC-003 Rejected, last reviewed on 2026-08-03 (a date, but not one of set-up).
    Failing: SVC-003 Rejected with a Design Start of 2026-08-03.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        if record[S.stage] != Stage.REJECTED:
            continue
        filled = next((h for h in SET_UP_DATES if record[h] is not None), None)
        if filled is not None:
            yield problem_at(
                services, row, filled, record[S.service_id],
                f"{service_name(record, row)} is Rejected but has a {filled}, so it went "
                "beyond a proposal.",
                "A service that was approved or started set-up is closed, not rejected: set "
                "Stage to Closing with a Closure Reason, or clear the date if it was a slip.")


# --- the Lifecycle Log ---------------------------------------------------------------------


@rule("L113", ERROR, "A Lifecycle Log step is not a legal move",
      kind=REQUIRED,
      why="The lifecycle allows only these moves; skipping a stage skips its gate (sign-off, "
          "readiness assessment).",
      fails=[Edit(Log, "SVC-002", {Log.to_stage: Stage.RUNNING})],
      cell="'Lifecycle Log'!C6",
      passes=[Edit(Log, None, {Log.service_id: "SVC-002", Log.from_stage: Stage.DESIGN,
                               Log.to_stage: Stage.CLOSING, Log.date: D(2026, 11, 2),
                               Log.approved_by: "P-002"})])
def legal_moves(facts: Facts) -> Iterator[Problem]:
    """Each step in the Lifecycle Log is a move the lifecycle allows: Proposed to Design or
    Rejected; Design to Pilot; Pilot to Pilot again (a further iteration) or Transition;
    Transition to Running; Running to Closing; Closing to Closed. A set-up that is stopped
    may go from Design, Pilot or Transition to Closing. Skipping a stage skips its gate
    (sign-off, readiness assessment).

    Passing: SVC-002 logged from Design to Closing, a set-up that is stopped. Failing:
    SVC-002 Proposed straight to Running.
    """
    log = facts.master[Log]
    for row, record in log.rows():
        start, end = record[Log.from_stage], record[Log.to_stage]
        if start is None or end is None or end in LEGAL_MOVES.get(start, ()):
            continue
        allowed = LEGAL_MOVES.get(start, ())
        onward = (" or ".join(allowed) if allowed else "no other stage")
        yield problem_at(
            log, row, Log.to_stage, record[Log.service_id],
            f"Lifecycle Log: {record[Log.service_id]} moved from {start} to {end}, which the "
            "lifecycle does not allow.",
            f"From {start} a service moves to {onward}; log each stage it passed through on "
            "its own row, or correct the stage.")


@rule("L114", WARNING, "Lifecycle Log dates of a service go backwards",
      kind=RECOMMENDED,
      why="The log records moves in the order they happened; a date going backwards is probably a "
          "typo.",
      fails=[Edit(Log, "SVC-001", {Log.date: D(2025, 5, 1)})],
      cell="'Lifecycle Log'!D3",
      passes=[Edit(Log, "SVC-001", {Log.date: D(2025, 4, 7)})])
def log_dates_ascend(facts: Facts) -> Iterator[Problem]:
    """A service's steps in the Lifecycle Log are listed in the order they happened, so
    their dates never go backwards (two moves on one day are fine). Each step is compared
    with the one before it, so one mistyped date is reported once.

    Passing: SVC-001's moves to Design and to Pilot both dated 2025-04-07. Failing: the
    Design step dated 2025-05-01, after the Pilot step (2025-04-07) that follows it.
    """
    log = facts.master[Log]
    for sid, steps in facts.log_steps.items():
        latest: dt.date | None = None
        for row, record in steps:
            when = record[Log.date]
            if when is None:
                continue
            if latest is not None and when < latest:
                yield problem_at(
                    log, row, Log.date, sid,
                    f"Lifecycle Log: {sid}'s move to {record[Log.to_stage]} on "
                    f"{when.isoformat()} is dated before its previous step "
                    f"({latest.isoformat()}).",
                    "Correct the date, or put the service's steps in the order they happened.")
            latest = when  # the previous step only: one mistyped date is reported once


@rule("L115", WARNING, "The Lifecycle Log's last stage is not the service's Stage",
      kind=RECOMMENDED,
      why="The log and the catalogue should tell the same story; one of them is out of date.",
      fails=[Edit(Log, "SVC-002", {Log.from_stage: Stage.DESIGN, Log.to_stage: Stage.PILOT})],
      cell="'Lifecycle Log'!C6",
      passes=[Edit(Log, None, {Log.service_id: "SVC-002", Log.from_stage: Stage.DESIGN,
                               Log.to_stage: Stage.PILOT, Log.date: D(2026, 9, 1),
                               Log.approved_by: "P-002"}),
              Edit(Services, "SVC-002", {S.stage: Stage.PILOT})])
def log_matches_stage(facts: Facts) -> Iterator[Problem]:
    """A service's last step in the Lifecycle Log ends in the Stage the catalogue shows;
    otherwise one of the two is out of date.

    Passing: SVC-002's second and last step is from Design to Pilot, and Services shows it
    in Pilot. Failing: its last step is to Pilot while Services still says Design.
    """
    log = facts.master[Log]
    stage_of = facts.stage_of
    for sid, steps in facts.log_steps.items():
        row, record = steps[-1]
        stage, end = stage_of.get(sid), record[Log.to_stage]
        if stage is not None and end is not None and end != stage:
            yield problem_at(
                log, row, Log.to_stage, sid,
                f"Lifecycle Log: {sid}'s last step is to {end}, but Services shows it in "
                f"{stage}.",
                f"Bring the two into line: log the move to {stage}, or set the Stage in "
                f"Services to {end} if the log is right.")


@rule("L120", WARNING, "A Lifecycle Log step does not start where the last one ended",
      kind=RECOMMENDED,
      why="A gap in the log means a move was not recorded.",
      fails=[Edit(Log, None, {Log.service_id: "SVC-002", Log.from_stage: Stage.PILOT,
                              Log.to_stage: Stage.TRANSITION, Log.date: D(2026, 9, 1),
                              Log.approved_by: "P-002"})],
      cell="'Lifecycle Log'!B7",
      passes=[Edit(Log, None, {Log.service_id: "SVC-002", Log.from_stage: Stage.DESIGN,
                               Log.to_stage: Stage.PILOT, Log.date: D(2026, 9, 1),
                               Log.approved_by: "P-002"})])
def log_continuity(facts: Facts) -> Iterator[Problem]:
    """Each step of a service in the Lifecycle Log starts from the stage its previous step
    ended in; a gap means a move was not logged.

    Passing: SVC-002 Proposed to Design, then a step from Design to Pilot. Failing: SVC-002
    Proposed to Design, then a step from Pilot to Transition.
    """
    log = facts.master[Log]
    for sid, steps in facts.log_steps.items():
        for (_, before), (row, record) in zip(steps, steps[1:], strict=False):
            end, start = before[Log.to_stage], record[Log.from_stage]
            if end is not None and start is not None and start != end:
                yield problem_at(
                    log, row, Log.from_stage, sid,
                    f"Lifecycle Log: {sid}'s step from {start} follows a step that ended in "
                    f"{end}.",
                    f"Log the missing move from {end} to {start}, or correct the From Stage.")

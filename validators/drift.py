"""D — drift: changes between two versions of the master that governance should have seen.

These rules judge what changed, so they need two versions: `pmo-xl diff OLD NEW`, or a pack
that finds the previous pack beside it. `pmo-xl check` never runs them. Each takes the facts
of the old and the new version and their record-level :class:`pmo_xl.compare.diff.Diff`, and names
the changed cell in NEW (or, for a record that is gone, its cell in OLD).

Why: a service moves through its lifecycle by recorded decisions; any change applied to a
running service needs its Service Owner's agreement and is reflected in the catalogue and
the handbook (while a service is designed and piloted it may be modified in light of the
results, so change control starts with Running); closing should be orderly with the
service's artefacts reviewed, so services, procedures, KPIs, risks and changes are closed,
retired or rejected rather than deleted; KPIs are how governance monitors a service, so what
was reported, and the targets it was judged against, are not rewritten quietly; and an
Updated tick says a document reflects a change, so a tick with nothing changed behind it is
worth a question.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.facts import is_plan
from pmo_xl.findings import ERROR, INFO, WARNING, Problem, shown_value
from pmo_xl.period import period_label
from pmo_xl.validators.common import problem_at
from pmo_xl.validators.registry import CONVENTION, RECOMMENDED, REQUIRED, Edit, Pair, rule
from pmo_xl.validators.schema import (
    CLOSED_RISK_STATUSES,
    MATCH_KEYS,
    RACI,
    RECORD_OF,
    SERIOUS_SEVERITIES,
    SEVERITIES,
    SIPOC,
    Changes,
    ChangeStatus,
    ChangeType,
    KPIActuals,
    KPIs,
    LifecycleLog,
    Procedures,
    RaciRole,
    Risks,
    RiskStatus,
    Services,
    Stage,
    YesNo,
)

if TYPE_CHECKING:
    from pmo_xl.compare.diff import Diff, SheetDiff
    from pmo_xl.facts import Facts
    from pmo_xl.workbook.master import SheetTable

D = dt.date
S, Log = Services, LifecycleLog

# What the catalogue promises a customer (since-last-meeting.md, D103).
OFFER_COLUMNS = (S.service_name, S.description, S.scope, S.offering, S.customers,
                 S.service_owner, S.lead_pmo, S.delivery, S.desired_outcome)
# The recorded decisions of a service's lifecycle: once written, they are history.
DECISION_COLUMNS = (S.approved_date, S.design_start, S.pilot_start, S.sign_off_date,
                    S.readiness_assessment_date, S.go_live_date, S.closure_approved_by,
                    S.closure_approved_date, S.closed_date)
# A change "moves on" when its status, its approval or what it has updated changes.
MOVED_ON = (Changes.status, Changes.approved_by, Changes.approved_date,
            Changes.strategy_updated, Changes.catalogue_updated, Changes.handbook_updated)
# What a KPI is judged against: moving these moves the goalposts.
GOALPOSTS = (KPIs.direction, KPIs.target, KPIs.amber_threshold, KPIs.red_threshold)
# A review date alone is no change to a procedure.
NOT_A_HANDBOOK_CHANGE = (Procedures.last_reviewed,)
# Change control starts with Running: while a service is designed and piloted, it and its
# catalogue entry may be modified in light of the results (D103, D108).
CHANGE_CONTROLLED = (Stage.RUNNING, Stage.CLOSING, Stage.CLOSED)

# A change request for SVC-001, raised between the versions: change control seen.
_NEW_CHANGE = Edit(Changes, None, {
    Changes.change_id: "CHG-002", Changes.service_id: "SVC-001",
    Changes.type: ChangeType.REQUEST, Changes.description: "Report to a new audience.",
    Changes.requested_date: D(2026, 11, 2), Changes.status: ChangeStatus.PROPOSED})
# A KPI of PMO-1's own performance, and a change to PMO-1 raised to move its target.
_PMO_KPI_ROW = {KPIs.kpi_id: "KPI-03", KPIs.pmo_id: "PMO-1",
                KPIs.kpi_name: "Customers satisfied with the PMO", KPIs.unit: "%",
                KPIs.direction: "Higher is better", KPIs.target: 80,
                KPIs.frequency: "Quarterly", KPIs.owner: "P-002"}
_PMO_KPI = Edit(KPIs, None, _PMO_KPI_ROW)
_PMO_CHANGE = Edit(Changes, None, {
    Changes.change_id: "CHG-003", Changes.pmo_id: "PMO-1", Changes.type: ChangeType.REQUEST,
    Changes.description: "Raise the satisfaction target to 85%.",
    Changes.requested_date: D(2026, 11, 2), Changes.status: ChangeStatus.PROPOSED})


def _old_problem(table: SheetTable, row: int, header: str, record: str | None, message: str,
                 hint: str) -> Problem:
    """A problem at a cell of the OLD version (a record that is gone from NEW)."""
    return Problem(table.title, row, table.letter(header), record, message, hint, in_old=True)


_shown = shown_value


def change_controlled(diff: Diff, column: str = Changes.service_id) -> set[str]:
    """Services (or, by `column` Changes.pmo_id, PMOs) with a change added, or moved on,
    between the two versions."""
    sheet = diff[Changes]
    found: set[str] = set()
    for key in sheet.added:
        record = sheet.new_record(key) or {}
        if record.get(column) is not None:
            found.add(str(record[column]))
    for key, change in sheet.changed.items():
        if any(moved in change.columns for moved in MOVED_ON):
            for record in (sheet.new_record(key), sheet.old_record(key)):
                if record and record.get(column) is not None:
                    found.add(str(record[column]))
    return found


# --- the lifecycle -----------------------------------------------------------------------------


@rule("D101", ERROR, "A service changed stage with no Lifecycle Log step for the move",
      kind=REQUIRED,
      why="A service moves stage by a decision (a sign-off, an approval), and the Lifecycle Log "
          "records each move.",
      needs_previous=True,
      fails=Pair(new=[Edit(S, "SVC-002", {S.stage: Stage.PILOT, S.pilot_start: D(2026, 10, 5)})]),
      cell="Services!I3",
      passes=Pair(new=[Edit(S, "SVC-002", {S.stage: Stage.PILOT, S.pilot_start: D(2026, 10, 5)}),
                       Edit(Log, None, {Log.service_id: "SVC-002", Log.from_stage: Stage.DESIGN,
                                        Log.to_stage: Stage.PILOT, Log.date: D(2026, 10, 5),
                                        Log.approved_by: "P-002"})]))
def stage_move_logged(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """A service moves stage by a decision, and the Lifecycle Log records each move: when
    Stage changed between the versions, the new version's log has a step (or a chain of
    steps) for that service from the old stage to the new one. A master without a Lifecycle
    Log sheet keeps no log and is not asked for one; a Stage that is blank or not a stage is
    S104's or S106's finding.

    Passing: SVC-002 moved from Design to Pilot and the log has its Design to Pilot step.
    Failing: SVC-002 moved from Design to Pilot with nothing in the log.
    """
    if not new.master[Log].present:
        return
    services = diff[Services]
    stages = set(Stage)
    for sid, change in services.changed.items():
        if S.stage not in change.columns:
            continue
        before, after = change.columns[S.stage]
        if before not in stages or after not in stages:
            continue
        steps = {(r[Log.from_stage], r[Log.to_stage]) for _row, r in new.log_steps.get(sid, [])}
        if _reaches(steps, before, after):
            continue
        yield problem_at(
            services.new, change.new_row, S.stage, sid,
            f"{sid} moved from {before} to {after} since the previous version, but the "
            f"Lifecycle Log has no step for it from {before} to {after}.",
            f"Add the move to the Lifecycle Log: {sid}, From Stage {before}, To Stage "
            f"{after}, the date and who approved it (or put the Stage back if it was a slip).")


def _reaches(steps: set[tuple[object, object]], start: str, end: str) -> bool:
    """True when the logged steps lead from `start` to `end` (one step, or several)."""
    seen, queue = {start}, deque([start])
    while queue:
        stage = queue.popleft()
        for source, target in steps:
            if source == stage and target not in seen:
                if target == end:
                    return True
                seen.add(target)
                queue.append(target)
    return False


# --- records deleted instead of closed ------------------------------------------------------

# Per sheet: what the record is called, and what is done instead of deleting it.
_KEPT = {
    Services.SHEET: ("Service", "A service is closed or rejected, never deleted: put the row back "
                     "and set its Stage to Closing (with a Closure Reason) or Rejected."),
    Procedures.SHEET: ("Procedure", "A procedure is retired, never deleted: put the row back "
                       "and set its Status to Retired."),
    KPIs.SHEET: ("KPI", "A KPI is retired, never deleted: put the row back and set its Status to "
                 "Retired with its Retired Date (its actuals and past RAG refer to it; it is "
                 "not due after that date)."),
    Risks.SHEET: ("Risk or issue", "A risk or issue is closed, never deleted: put the row back "
                  "and set its Status to Closed, with the outcome in Action."),
    Changes.SHEET: ("Change", "A change is implemented or rejected, never deleted: put the row "
                    "back and set its Status to Rejected (or Implemented)."),
    KPIActuals.SHEET: ("Actual", "An actual once reported is never deleted: put the row back "
                       "(restate its value, with the reason in Commentary, if it was wrong)."),
}


@rule("D102", WARNING, "A service, procedure, KPI, risk, change or reported actual was deleted",
      kind=RECOMMENDED,
      why="Closing a service should be orderly, with its artefacts reviewed for future reference; "
          "a record deleted rather than closed, retired or rejected leaves nothing to review and "
          "loses what was decided.",
      needs_previous=True,
      fails=Pair(new=[Edit(Risks, "RSK-001", None)]), cell="'Risks and Issues'!A2",
      passes=Pair(new=[Edit(Risks, "RSK-001", {Risks.status: RiskStatus.CLOSED})]))
def records_kept(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """Services, procedures, KPIs, risks and issues and changes are closed, retired or
    rejected, not deleted, so the history of what was decided stays in the master and a
    closed service's artefacts can be reviewed; a KPI actual once reported is not deleted
    either. A warning: closing should be orderly and its artefacts reviewed, and a deleted
    row loses both. A record in the old version that the new one no longer holds is named
    at its cell in the OLD version; a sheet left out of the new version altogether deleted
    every record on it, and is one finding, at the sheet's header in the OLD version.

    Passing: RSK-001 was closed (Status Closed). Failing: RSK-001's row was deleted.
    """
    for sheet, (what, hint) in _KEPT.items():
        gone = diff[sheet]
        if not gone.removed:
            continue
        key = _record_column(sheet)
        if not gone.new.present:
            yield _sheet_gone(gone, key, hint)
            continue
        for record, row in gone.removed.items():
            yield _old_problem(
                gone.old, row, key, _record_id(gone, record),
                f"{what} {record} is in the previous version but not in this one: it was "
                "deleted.", hint)


def _sheet_gone(gone: SheetDiff, key: str, hint: str) -> Problem:
    """One finding for a whole sheet missing from NEW, at its key column's header in OLD."""
    count = len(gone.removed)
    named = sorted(gone.removed, key=gone.removed.get)
    shown = ", ".join(named[:3]) + (f" and {count - 3:,} more" if count > 3 else "")
    records = "its record" if count == 1 else f"all {count:,} of its records"
    return _old_problem(
        gone.old, gone.old.header_row, key, None,
        f"The {gone.old.title} sheet is in the previous version but not in this one: "
        f"{records} ({shown}) {'was' if count == 1 else 'were'} deleted with it.",
        f"Put the {gone.old.title} sheet back from the previous version. {hint}")


def _record_column(sheet: str) -> str:
    """The first column of a sheet's key: where a whole record is named."""
    return MATCH_KEYS[sheet][0]


def _record_id(sheet: SheetDiff, key: str) -> str:
    """The record a finding names: the row's ID (an actual's KPI ID), as check names it."""
    column = RECORD_OF.get(sheet.name)
    record = sheet.old_record(key) if key in sheet.removed else sheet.new_record(key)
    value = record.get(column) if record and column else None
    return str(value) if value is not None else key


# --- the catalogue and the handbook changed without change control ---------------------------


@rule("D103", WARNING, "A catalogue entry changed what it offers without a change request",
      kind=RECOMMENDED,
      why="Any change applied to a running service requires agreement with its Service Owner; "
          "during design and pilot the service and its catalogue entry may be modified in light "
          "of the results, so change control starts with Running.",
      needs_previous=True,
      fails=Pair(new=[Edit(S, "SVC-001", {S.offering: "Menu"})]), cell="Services!J2",
      passes=Pair(new=[Edit(S, "SVC-001", {S.offering: "Menu"}), _NEW_CHANGE,
                       Edit(S, "SVC-002", {S.description: "Track benefits, with owners."})]))
def catalogue_change_controlled(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """What a running service offers its customers (Service Name, Description, Scope,
    Offering, Customers, Service Owner, Lead PMO, Delivery, Desired Outcome) changes only
    through change control, agreed with the Service Owner: when one of them changed between
    the versions, a change for that service was added to Changes, or moved on (its status,
    approval or Updated flags changed). Each changed cell is named. Change control starts
    with Running: a service that was still in set-up (Proposed, Design, Pilot, Transition)
    in the previous version may be modified in light of its pilot.

    Passing: SVC-001's Offering changed from Mandated to Menu and CHG-002 for SVC-001 was
    raised; or SVC-002, in Design, changed its Description with no change raised. Failing:
    Running SVC-001's Offering changed and no change for it was raised or moved on.
    """
    services = diff[Services]
    controlled = None
    for sid, change in services.changed.items():
        changed = [c for c in OFFER_COLUMNS if c in change.columns]
        if not changed or old.stage_of.get(sid) not in CHANGE_CONTROLLED:
            continue
        if controlled is None:
            controlled = change_controlled(diff)
        if sid in controlled:
            continue
        for column in changed:
            before, after = change.columns[column]
            yield problem_at(
                services.new, change.new_row, column, sid,
                f"{sid}'s {column} changed from {_shown(before)} to {_shown(after)} since the "
                "previous version, and no change for the service was raised or moved on.",
                f"Record the change in Changes (Service ID {sid}) with the Service Owner's "
                "approval, or put the previous value back if it was not agreed.")


@rule("D105", WARNING, "A Running service's procedure or RACI changed without change control",
      kind=RECOMMENDED,
      why="Any change applied to a running service requires agreement with its Service Owner, and "
          "the handbook is part of the service.",
      needs_previous=True,
      fails=Pair(new=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_OWNER: "I"})]), cell="RACI!C2",
      passes=Pair(new=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_OWNER: "I"}), _NEW_CHANGE]))
def handbook_change_controlled(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """The Operations Handbook of a Running service changes through change control: when one
    of its procedures or RACI lines was added, changed or (for a RACI line) removed between
    the versions, a change for that service was added to Changes or moved on. A new Last
    Reviewed date alone is no change; a deleted procedure is D102's finding. One finding per
    record, at its first changed cell.

    Passing: PRD-001's RACI changed and CHG-002 for SVC-001 was raised. Failing: the Service
    Owner became Informed of "Send the status request" with no change raised.
    """
    controlled = None
    for sheet, service_of in ((diff[Procedures], _procedure_service),
                              (diff[RACI], _raci_service)):
        for key, row, column, in_old in _handbook_edits(sheet):
            sid = service_of(sheet, key, old, new)
            if sid is None or new.stage_of.get(sid) != Stage.RUNNING:
                continue
            if controlled is None:
                controlled = change_controlled(diff)
            if sid in controlled:
                continue
            record = _record_id(sheet, key)
            what = "procedure" if sheet.name == Procedures.SHEET else "RACI line"
            how = {True: "was removed", False: "changed" if column else "was added"}[in_old]
            message = (f"{sid}'s {what} {key} {how} since the previous version, and no "
                       f"change for {sid} (Running) was raised or moved on.")
            hint = (f"Record the handbook change in Changes (Service ID {sid}) with the Service "
                    "Owner's approval, or put the handbook back as it was.")
            table = sheet.old if in_old else sheet.new
            header = column or _record_column(sheet.name)
            yield Problem(table.title, row, table.letter(header), record, message, hint,
                          in_old=in_old)


# A change ticked Implemented and Catalogue Updated for SVC-001 between the versions.
_TICKED = Edit(Changes, None, {
    Changes.change_id: "CHG-002", Changes.service_id: "SVC-001",
    Changes.type: ChangeType.IMPROVEMENT, Changes.description: "Name the report's sponsor.",
    Changes.requested_date: D(2026, 11, 2), Changes.status: ChangeStatus.IMPLEMENTED,
    Changes.approved_by: "P-001", Changes.approved_date: D(2026, 11, 3),
    Changes.strategy_updated: YesNo.NO, Changes.catalogue_updated: YesNo.YES,
    Changes.handbook_updated: YesNo.NO, Changes.affects: "Catalogue"})
TICKS = {Changes.catalogue_updated: "Service Catalogue",
         Changes.handbook_updated: "Operations Handbook"}


@rule("D109", WARNING, "A change was ticked Updated but its document did not change",
      kind=RECOMMENDED,
      why="An Updated tick says the document reflects the change; with nothing changed in it "
          "since the previous version, the tick claims an update nobody can see.",
      needs_previous=True,
      fails=Pair(new=[_TICKED]), cell="Changes!K3",
      passes=Pair(new=[_TICKED, Edit(S, "SVC-001", {
          S.description: "Monthly portfolio status report to the board, with its sponsor."})]))
def tick_changed_nothing(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """A change ticked Catalogue Updated or Handbook Updated = Y since the previous version
    (a change added with the tick, or whose tick turned Y) says that document now reflects
    it. When nothing of its service's catalogue entry (its Services row, SIPOC processes and
    KPIs) changed between the versions, for a Catalogue tick, or nothing of its procedures
    and their RACI, for a Handbook tick, the tick changed nothing: the update was not made,
    or was made somewhere the master does not hold. A new Last Reviewed date alone is no
    update. Only changes to a service are judged (a change to a PMO itself has no catalogue
    entry of its own).

    Passing: CHG-002, implemented and ticked Catalogue Updated, and SVC-001's Description
    changed. Failing: CHG-002 was ticked and nothing of SVC-001 changed.
    """
    changes = diff[Changes]
    for key, row, header in _new_ticks(changes):
        record = changes.new_record(key) or {}
        sid = record.get(Changes.service_id)
        if sid is None:
            continue
        sid = str(sid)
        if header == Changes.catalogue_updated:
            touched = _catalogue_changed(diff, sid)
        else:
            touched = _handbook_changed(diff, sid, old, new)
        if touched:
            continue
        document = TICKS[header]
        what = ("catalogue entry" if header == Changes.catalogue_updated
                else "procedures or RACI")
        yield problem_at(
            changes.new, row, header, _record_id(changes, key),
            f"Change {key} was ticked {header} since the previous version, but nothing of "
            f"{sid}'s {what} changed.",
            f"Make the update in the {document} (the master's rows for {sid}), or set {header} "
            "back to N until it is made.")


def _new_ticks(changes: SheetDiff) -> Iterator[tuple[str, int, str]]:
    """(change key, row in NEW, Updated column) of each Catalogue or Handbook tick that is Y
    in NEW and was not in the previous version."""
    for key, row in changes.added.items():
        record = changes.new_record(key) or {}
        for header in TICKS:
            if record.get(header) == YesNo.YES:
                yield key, row, header
    for key, change in changes.changed.items():
        for header in TICKS:
            before, after = change.columns.get(header, (None, None))
            if header in change.columns and after == YesNo.YES and before != YesNo.YES:
                yield key, change.new_row, header


def _edited(sheet: SheetDiff, ignore: tuple[str, ...] = ()) -> Iterator[tuple[str, bool]]:
    """(key, in OLD) of each record added, removed, or changed beyond the `ignore` columns."""
    for key in sheet.added:
        yield key, False
    for key in sheet.removed:
        yield key, True
    for key, change in sheet.changed.items():
        if any(column not in ignore for column in change.columns):
            yield key, False


def _record_of(sheet: SheetDiff, key: str, in_old: bool) -> dict:
    return (sheet.old_record(key) if in_old else sheet.new_record(key)) or {}


def _catalogue_changed(diff: Diff, sid: str) -> bool:
    """True when the service's Services row, SIPOC processes or KPIs changed."""
    services = diff[Services]
    if sid in services.changed and any(c != S.last_reviewed
                                       for c in services.changed[sid].columns):
        return True
    for sheet, column in ((diff[SIPOC], SIPOC.service_id), (diff[KPIs], KPIs.service_id)):
        for key, in_old in _edited(sheet):
            if str(_record_of(sheet, key, in_old).get(column)) == sid:
                return True
    return False


def _handbook_changed(diff: Diff, sid: str, old: Facts, new: Facts) -> bool:
    """True when one of the service's procedures or RACI lines changed."""
    procedures = diff[Procedures]
    for key, in_old in _edited(procedures, NOT_A_HANDBOOK_CHANGE):
        if str(_record_of(procedures, key, in_old).get(Procedures.service_id)) == sid:
            return True
    raci = diff[RACI]
    return any(_raci_service(raci, key, old, new) == sid for key, _in_old in _edited(raci))


def _handbook_edits(sheet: SheetDiff) -> Iterator[tuple[str, int, str | None, bool]]:
    """(key, row, first changed column or None, in OLD) of each added, changed or removed
    record, in row order."""
    found = [(row, key, None, False) for key, row in sheet.added.items()]
    for key, change in sheet.changed.items():
        columns = [c for c in change.columns if c not in NOT_A_HANDBOOK_CHANGE]
        if columns:
            first = min(columns, key=lambda c: sheet.new.column_index.get(c, 0))
            found.append((change.new_row, key, first, False))
    found.sort()
    for row, key, column, in_old in found:
        yield key, row, column, in_old
    if sheet.name == RACI.SHEET:
        for key, row in sheet.removed.items():
            yield key, row, None, True


def _procedure_service(sheet: SheetDiff, key: str, old: Facts, new: Facts) -> str | None:
    record = sheet.new_record(key) or sheet.old_record(key) or {}
    sid = record.get(Procedures.service_id)
    return None if sid is None else str(sid)


def _raci_service(sheet: SheetDiff, key: str, old: Facts, new: Facts) -> str | None:
    record = sheet.new_record(key) or sheet.old_record(key) or {}
    procedure = record.get(RACI.procedure_id)
    if procedure is None:
        return None
    return (new.service_of_procedure.get(str(procedure))
            or old.service_of_procedure.get(str(procedure)))


# --- what was reported, and what it is judged against ------------------------------------------


@rule("D104", WARNING, "A reported KPI actual was restated",
      kind=RECOMMENDED,
      why="What was reported is what governance judged; a restated actual should be seen by the "
          "meeting.",
      needs_previous=True,
      fails=Pair(new=[Edit(KPIActuals, "KPI-01", {KPIActuals.actual: 91})]),
      cell="'KPI Actuals'!C2",
      passes=Pair(new=[Edit(KPIActuals, "KPI-01", {KPIActuals.commentary: "Late returns."})]))
def actual_restated(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """An actual reported for a period is what governance saw and judged: when the old
    version held an actual for a KPI and period and the new version shows another value,
    the restatement is named with both values so the meeting sees it. An actual that was
    blank and is now filled came in late, and is no restatement; a new Commentary alone
    changes no value.

    Passing: KPI-01's January actual gained a commentary. Failing: it went from 88 to 91.
    """
    actuals = diff[KPIActuals]
    for key, change in actuals.changed.items():
        if KPIActuals.actual not in change.columns:
            continue
        before, after = change.columns[KPIActuals.actual]
        if before is None:
            continue
        record = actuals.new_record(key) or {}
        kpi = record.get(KPIActuals.kpi_id)
        period = record.get(KPIActuals.period)
        when = (period_label(new.frequency_of.get(str(kpi)), period)
                if isinstance(period, dt.date) else _shown(period))
        yield problem_at(
            actuals.new, change.new_row, KPIActuals.actual, None if kpi is None else str(kpi),
            f"{kpi}'s actual for {when} was {_shown(before)} in the previous version and is "
            f"{_shown(after)} now: it was restated.",
            "If the restatement is right, say why in Commentary so the meeting knows; "
            f"otherwise put back the reported value ({_shown(before)}).")


@rule("D108", WARNING, "A KPI's target or thresholds moved without change control",
      kind=RECOMMENDED,
      why="A KPI's target and thresholds decide what governance is told, and any change applied "
          "to a running service requires agreement with its Service Owner; during design and "
          "pilot a service may be modified in light of the results, so change control starts with "
          "Running.",
      needs_previous=True,
      fails=Pair(new=[Edit(KPIs, "KPI-01", {KPIs.target: 93})]), cell="KPIs!F2",
      passes=Pair(old=[_PMO_KPI], new=[Edit(KPIs, "KPI-01", {KPIs.target: 93}), _NEW_CHANGE,
                                       Edit(KPIs, None, _PMO_KPI_ROW | {KPIs.target: 85}),
                                       _PMO_CHANGE]))
def goalposts_kept(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """A KPI's Direction, Target and thresholds decide its RAG, and so what governance is
    told; moving them turns Red to Green without anything getting better. For a running
    service they change through change control: when one changed between the versions, a
    change for the KPI's service was added to Changes or moved on. A KPI of a PMO's own
    performance is moved by a change to that PMO (Changes' PMO ID). A KPI of a service
    still in set-up in the previous version (Proposed to Transition) may be re-set in light
    of its pilot. Each changed cell is named.

    Passing: KPI-01's Target went from 95 to 93 and CHG-002 for SVC-001 was raised; and
    PMO-1's own KPI-03 went from 80 to 85 with a change to PMO-1 raised. Failing: KPI-01's
    Target moved with no change for SVC-001.
    """
    kpis = diff[KPIs]
    controlled = pmo_controlled = None
    for kpi, change in kpis.changed.items():
        moved = [c for c in GOALPOSTS if c in change.columns]
        if not moved:
            continue
        sid = new.service_of_kpi.get(kpi) or old.service_of_kpi.get(kpi)
        record = kpis.new_record(kpi) or kpis.old_record(kpi) or {}
        pmo = record.get(KPIs.pmo_id) if sid is None else None
        if pmo is not None:
            if pmo_controlled is None:
                pmo_controlled = change_controlled(diff, Changes.pmo_id)
            if str(pmo) in pmo_controlled:
                continue
            owner, column_name = f"PMO {pmo}", f"PMO ID {pmo}"
            approval = "its PMO Manager's or a PMO Director's"
        else:
            if sid is not None and old.stage_of.get(sid) not in CHANGE_CONTROLLED:
                continue
            if controlled is None:
                controlled = change_controlled(diff)
            if sid in controlled:
                continue
            owner, column_name = sid or "its service", f"Service ID {sid or '…'}"
            approval = "the Service Owner's"
        for column in moved:
            before, after = change.columns[column]
            yield problem_at(
                kpis.new, change.new_row, column, kpi,
                f"{kpi}'s {column} moved from {_shown(before)} to {_shown(after)} since the "
                f"previous version, and no change for {owner} was raised or moved on.",
                f"Record the new {column} in Changes ({column_name}) with {approval} "
                "approval, or put the previous value back.")


# --- history rewritten -----------------------------------------------------------------------


@rule("D106", WARNING, "A recorded lifecycle decision was rewritten",
      kind=RECOMMENDED,
      why="A lifecycle date or approval once recorded is history; rewriting it should be seen by "
          "the meeting.",
      needs_previous=True,
      fails=Pair(new=[Edit(S, "SVC-001", {S.go_live_date: D(2025, 7, 8)})]),
      cell="Services!AB2",
      passes=Pair(new=[Edit(S, "SVC-002", {S.pilot_start: D(2026, 10, 5)})]))
def decisions_kept(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """A service's lifecycle is a record of decisions: once a gate date (Approved, Design
    Start, Pilot Start, Sign-off, Readiness Assessment, Go-live, Closure Approved, Closed) or
    the closure's approver is written, it is history. Changing or clearing one, or deleting
    or re-approving a Lifecycle Log step (or the whole log), rewrites that history; the
    meeting should know (a typo corrected is a fine reason, and worth a line in the
    minutes). Filling a date
    that was blank is the lifecycle moving on, not a rewrite; so is moving a plan (a set-up
    date of a stage the service had not reached in the previous version).

    Passing: SVC-002's Pilot Start was blank and is now filled. Failing: SVC-001's Go-live
    Date was 2025-07-01 and is now 2025-07-08.
    """
    services = diff[Services]
    for sid, change in services.changed.items():
        old_stage = old.stage_of.get(sid)
        for column in DECISION_COLUMNS:
            if column not in change.columns:
                continue
            before, after = change.columns[column]
            if before is None or is_plan(old_stage, column):
                continue
            yield problem_at(
                services.new, change.new_row, column, sid,
                f"{sid}'s {column} was {_shown(before)} in the previous version and is "
                f"{_shown(after)} now: a recorded decision was rewritten.",
                "If it corrects a mistake, note it for the meeting; otherwise put back "
                f"{_shown(before)}.")
    log = diff[Log]
    for key, change in log.changed.items():
        if Log.approved_by in change.columns:
            before, after = change.columns[Log.approved_by]
            if before is not None:
                yield problem_at(
                    log.new, change.new_row, Log.approved_by, _record_id(log, key),
                    f"Lifecycle Log: the step {key} was approved by {_shown(before)} in the "
                    f"previous version and by {_shown(after)} now.",
                    "A recorded approval is history: note the correction for the meeting or "
                    f"put back {_shown(before)}.")
    if not log.new.present:
        if log.removed:
            yield _sheet_gone(log, Log.service_id, "A logged move is history: keep the log "
                              "and correct a wrong step in place, noting it for the meeting.")
        return
    for key, row in log.removed.items():
        yield _old_problem(
            log.old, row, Log.service_id, _record_id(log, key),
            f"Lifecycle Log: the step {key} is in the previous version but not in this one.",
            "A logged move is history: put the row back (correct its date in place if it was "
            "wrong, and note it for the meeting).")


# --- risks taken off governance's list ------------------------------------------------------


@rule("D107", INFO, "An open High or Critical risk or issue was downgraded",
      kind=CONVENTION,
      why="Which severity is escalated how far is the organisation's own policy; lowering an open "
          "High or Critical item is worth the meeting's attention, not wrong in itself.",
      needs_previous=True,
      fails=Pair(old=[Edit(Risks, "RSK-001", {Risks.severity: "High",
                                              Risks.escalation_level: "Service Ownership"})],
                 new=[Edit(Risks, "RSK-001", {Risks.severity: "Medium",
                                              Risks.escalation_level: "Service Ownership"})]),
      cell="'Risks and Issues'!E2",
      passes=Pair(old=[Edit(Risks, "RSK-001", {Risks.severity: "High",
                                               Risks.escalation_level: "Service Ownership"})],
                  new=[Edit(Risks, "RSK-001", {Risks.status: RiskStatus.CLOSED})]))
def serious_items_kept(old: Facts, new: Facts, diff: Diff) -> Iterator[Problem]:
    """Where an organisation escalates High and Critical risks and issues to Service
    Ownership, they are on governance's list until closed, and lowering the Severity of one
    that is still open takes it off that list without a decision the meeting saw: it is
    named, with both severities. Which severity goes how far is the organisation's policy,
    so this is information by default (raise D107 in the Rules sheet where it is policy).
    Closing an item is the ordinary way off the list, and is not reported.

    Passing: RSK-001, High, was closed. Failing: RSK-001 was High and is Medium now, still
    Open.
    """
    items = diff[Risks]
    rank = {severity: index for index, severity in enumerate(SEVERITIES)}
    for item, change in items.changed.items():
        if Risks.severity not in change.columns:
            continue
        before, after = change.columns[Risks.severity]
        if before not in SERIOUS_SEVERITIES or after not in rank or rank[after] >= rank[before]:
            continue
        record = items.new_record(item) or {}
        if record.get(Risks.status) in CLOSED_RISK_STATUSES:
            continue
        yield problem_at(
            items.new, change.new_row, Risks.severity, item,
            f"{item} was {before} in the previous version and is {after} now, still "
            f"{record.get(Risks.status) or 'open'}: a serious item left governance's list "
            "without being closed.",
            "If it was reassessed, record why in Action for the meeting; if it is resolved, "
            "close it instead.")

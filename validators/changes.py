"""C — changes to a service, or to a PMO itself.

Any change applied to a service needs the agreement of its Service Owner, and every change
is reflected in the Service Strategy, the Service Catalogue and the Operations Handbook as
appropriate: a change says which of them it affects (Affects), and only those are asked for;
with Affects blank, the Reason says whether the strategy is touched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.facts import affected, is_open_change
from pmo_xl.findings import ERROR, INFO, WARNING, Problem
from pmo_xl.validators.registry import RECOMMENDED, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    AGREED_CHANGE_STATUSES,
    Affected,
    ChangeReason,
    Changes,
    ChangeStatus,
    ChangeType,
    JobRole,
    PMOs,
    Services,
    Stage,
    YesNo,
    split_list,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

D = dt.date
C = Changes
# Reasons that touch what the Service Strategy decides: how services are prioritised (the
# business context) and the principles for resourcing and funding them (policy). Read only
# when a change's Affects is blank; a change that says what it affects is taken at its word.
STRATEGY_REASONS = (ChangeReason.BUSINESS_CONTEXT, ChangeReason.POLICY_OR_TOOLS)
# A change to PMO-1 itself (a new target for one of its own KPIs), for the examples.
_PMO_CHANGE = {C.change_id: "CHG-002", C.pmo_id: "PMO-1", C.type: ChangeType.REQUEST,
               C.description: "Raise the PMO's survey target.", C.status: ChangeStatus.APPROVED,
               C.approved_date: D(2026, 10, 1)}


@rule("C101", ERROR, "An agreed change was not approved by the Service Owner",
      kind=REQUIRED,
      why="Any change applied to a service requires agreement with its Service Owner.",
      fails=[Edit(Changes, "CHG-001", {C.approved_by: "P-002"})], cell="Changes!H2",
      passes=[Edit(Changes, "CHG-001", {C.status: ChangeStatus.REJECTED, C.approved_by: "P-002"}),
              Edit(Changes, None, _PMO_CHANGE | {C.approved_by: "P-002"})])
def approved_by_owner(facts: Facts) -> Iterator[Problem]:
    """Any change applied to a service requires the agreement of its Service Owner:
    an Approved or Implemented change names the service's Service Owner in Approved
    By. It is compared with today's Service Owner; a change approved by a previous owner
    can be waived. A change to a PMO itself (PMO ID instead of Service ID, such as a new
    target for a KPI of the PMO's own performance) has no Service Owner: it is agreed by the
    PMO's PMO Manager or by a PMO Director.

    Passing: CHG-001 to SVC-001 is Rejected, with P-002, its Service Manager, in Approved By
    (a rejected change needs no agreement); and CHG-002, a change to PMO-1 itself, was
    approved by P-002, PMO-1's PMO Manager. Failing: CHG-001 is Implemented and was approved
    by P-002.
    """
    changes = facts.master[Changes]
    data = changes.data
    for row, change, service, pmo, status, approver in zip(
        data.index, data[C.change_id], data[C.service_id], data[C.pmo_id], data[C.status],
        data[C.approved_by], strict=True,
    ):
        if status not in AGREED_CHANGE_STATUSES:
            continue
        if service is None and pmo is not None:
            problem = _pmo_approval(facts, int(row), change, str(pmo), status, approver)
            if problem is not None:
                yield problem
            continue
        owner = facts.owner_of(service)
        if owner is None or approver == owner:
            continue
        if approver is None:
            message = f"Change {change} to {service} is {status} but Approved By is blank."
        else:
            message = (f"Change {change} to {service} was approved by "
                       f"{facts.person_label(approver)}, but the service's Service Owner is "
                       f"{facts.person_label(owner)}.")
        yield changes.problem(
            int(row), C.approved_by, message,
            f"Have the Service Owner ({facts.person_label(owner)}) agree the change and enter "
            "them in Approved By, or set the Status back to Proposed.")


def _pmo_approval(facts: Facts, row: int, change: str, pmo: str, status: str,
                  approver: str | None) -> Problem | None:
    """A change to a PMO itself not agreed by its PMO Manager or a PMO Director."""
    record = facts.pmos.get(pmo)
    if record is None:
        return None  # X101 names the unknown PMO
    managers = [m for m in split_list(record[PMOs.pmo_manager]) if m]
    person = facts.people.get(approver) if approver is not None else None
    if approver in managers or (person is not None and person.job_role == JobRole.DIRECTOR):
        return None
    who = f"its PMO Manager ({', '.join(managers)})" if managers else "its PMO Manager"
    if approver is None:
        message = f"Change {change} to PMO {pmo} is {status} but Approved By is blank."
    else:
        message = (f"Change {change} to PMO {pmo} was approved by {approver}, who is neither "
                   f"{who} nor a PMO Director.")
    return facts.master[Changes].problem(
        row, C.approved_by, message,
        f"Have {who} or a PMO Director agree the change and enter them in Approved By, or set "
        "the Status back to Proposed.")


@rule("C102", ERROR, "An agreed change has no Approved Date",
      kind=REQUIRED,
      why="Any change applied to a service requires agreement with its Service Owner, and the "
          "agreement is recorded with its date.",
      fails=[Edit(Changes, "CHG-001", {C.approved_date: None})], cell="Changes!I2",
      passes=[Edit(Changes, "CHG-001", {C.status: ChangeStatus.PROPOSED, C.approved_date: None})])
def approved_without_date(facts: Facts) -> Iterator[Problem]:
    """An Approved or Implemented change records when the Service Owner agreed it.

    Passing: CHG-001 is still Proposed, with no Approved Date. Failing: CHG-001 is
    Implemented and its Approved Date is blank.
    """
    changes = facts.master[Changes]
    data = changes.data
    # A date typed as text is blank in `data` but is S105's finding, so use the raw cell.
    missing = data[data[C.status].isin(AGREED_CHANGE_STATUSES)
                   & changes.raw[C.approved_date].isna()]
    for row, change, status in zip(missing.index, missing[C.change_id], missing[C.status],
                                   strict=True):
        yield changes.problem(
            int(row), C.approved_date,
            f"Change {change} is {status} but has no Approved Date.",
            "Enter the date the Service Owner agreed the change.")


@rule("C103", WARNING, "A change's Approved Date is before its request or in the future",
      kind=RECOMMENDED,
      why="A change is agreed after it is requested, and not in the future: one or the other date "
          "is probably a typo.",
      fails=[Edit(Changes, "CHG-001", {C.approved_date: D(2026, 5, 1)})], cell="Changes!I2",
      passes=[Edit(Changes, "CHG-001", {C.requested_date: D(2026, 11, 15),
                                        C.approved_date: D(2026, 11, 15)})])
def approved_date_out_of_order(facts: Facts) -> Iterator[Problem]:
    """A change is approved after it was requested and not after the as-of date.

    Passing: as of 2026-11-15, CHG-001 was requested and approved on 2026-11-15, the as-of
    day. Failing: it was requested on 2026-05-04 and approved on 2026-05-01, before the
    request.
    """
    changes = facts.master[Changes]
    data = changes.data
    for row, change, requested, approved in zip(
        data.index, data[C.change_id], data[C.requested_date], data[C.approved_date],
        strict=True,
    ):
        if approved is None:
            continue
        if approved > facts.as_of:
            message = (f"Change {change} has Approved Date {approved.isoformat()}, after the "
                       f"as-of date {facts.as_of.isoformat()}.")
        elif requested is not None and approved < requested:
            message = (f"Change {change} was approved on {approved.isoformat()}, before it was "
                       f"requested on {requested.isoformat()}.")
        else:
            continue
        yield changes.problem(
            int(row), C.approved_date, message,
            "Correct the Approved Date (or the Requested Date); a change not yet agreed "
            "stays Proposed.")


def _not_updated(facts: Facts, header: str) -> Iterator[tuple[int, str, frozenset | None,
                                                           object]]:
    """(row, change, the documents its Affects names or None, Reason) of each Implemented
    change whose `header` (an Updated column) is not Y."""
    data = facts.master[Changes].data
    for row, change, status, reason, affects, flag in zip(
        data.index, data[C.change_id], data[C.status], data[C.reason], data[C.affects],
        data[header], strict=True,
    ):
        if status == ChangeStatus.IMPLEMENTED and flag != YesNo.YES:
            yield int(row), change, affected(affects), reason


def _unsaid(facts: Facts, header: str, document: str, row: int, change: str) -> Problem:
    """An Implemented change whose Affects is blank, with `header` not Y: the update is asked
    for "as appropriate", and nobody has said whether it is: information, not a fault."""
    return facts.master[Changes].problem(
        row, header,
        f"Change {change} is Implemented with {header} not Y, and its Affects does not say "
        f"whether it touches the {document}.",
        f"Fill Affects with the documents the change updates (Strategy, Catalogue, Handbook); "
        f"if the {document} is one, update it and set {header} to Y.", INFO)


@rule("C104", ERROR, "An implemented change is not in the Service Catalogue",
      kind=REQUIRED,
      why="All changes need to be reflected in the Service Catalogue as appropriate: where the "
          "change affects it.",
      fails=[Edit(Changes, "CHG-001", {C.catalogue_updated: YesNo.NO})], cell="Changes!K2",
      passes=[Edit(Changes, "CHG-001", {C.affects: "handbook", C.catalogue_updated: YesNo.NO})])
def catalogue_not_updated(facts: Facts) -> Iterator[Problem]:
    """Every change is reflected in the PMO Service Catalogue as appropriate: an
    Implemented change whose Affects names the Catalogue has Catalogue Updated = Y (an
    error). A change that affects only other documents is not asked to. With Affects blank
    nobody has said whether the catalogue is touched, so a Catalogue Updated that is not Y
    is information: say what the change affects.

    Passing: CHG-001 affects only the handbook (Affects `handbook`, read in any case), with
    Catalogue Updated N. Failing: CHG-001 affects the catalogue and the handbook, is
    Implemented, and Catalogue Updated is N.
    """
    changes = facts.master[Changes]
    for row, change, affects, _reason in _not_updated(facts, C.catalogue_updated):
        if affects is None:
            yield _unsaid(facts, C.catalogue_updated, "Service Catalogue", row, change)
        elif Affected.CATALOGUE in affects:
            yield changes.problem(
                row, C.catalogue_updated,
                f"Change {change} affects the Service Catalogue and is Implemented, but the "
                "catalogue is not updated.",
                "Update the service's entry in the Service Catalogue, then set Catalogue "
                "Updated to Y (or take Catalogue out of Affects if the change does not touch "
                "it).")


@rule("C105", ERROR, "An implemented change is not in the Operations Handbook",
      kind=REQUIRED,
      why="All changes need to be reflected in the Operations Handbook as appropriate: where "
          "the change affects it.",
      fails=[Edit(Changes, "CHG-001", {C.handbook_updated: YesNo.NO})], cell="Changes!L2",
      passes=[Edit(Changes, "CHG-001", {C.affects: "Catalogue", C.handbook_updated: YesNo.NO})])
def handbook_not_updated(facts: Facts) -> Iterator[Problem]:
    """Every change is reflected in the PMO Operations Handbook as appropriate: an
    Implemented change whose Affects names the Handbook has Handbook Updated = Y, once the
    procedures and RACI are brought in line (an error). A change that affects only other
    documents is not asked to. With Affects blank nobody has said whether the handbook is
    touched, so a Handbook Updated that is not Y is information: say what the change
    affects.

    Passing: CHG-001 affects only the catalogue, with Handbook Updated N. Failing: CHG-001
    affects the catalogue and the handbook, is Implemented, and Handbook Updated is N.
    """
    changes = facts.master[Changes]
    for row, change, affects, _reason in _not_updated(facts, C.handbook_updated):
        if affects is None:
            yield _unsaid(facts, C.handbook_updated, "Operations Handbook", row, change)
        elif Affected.HANDBOOK in affects:
            yield changes.problem(
                row, C.handbook_updated,
                f"Change {change} affects the Operations Handbook and is Implemented, but the "
                "handbook is not updated.",
                "Update the procedures and RACI it affects, then set Handbook Updated to Y (or "
                "take Handbook out of Affects if the change does not touch it).")


@rule("C106", ERROR, "An implemented change of strategy is not in the Service Strategy",
      kind=REQUIRED,
      why="All changes need to be reflected in the Service Strategy as appropriate: where the "
          "change affects it.",
      fails=[Edit(Changes, "CHG-001", {C.affects: "Strategy; Catalogue; Handbook"})],
      cell="Changes!J2",
      passes=[Edit(Changes, "CHG-001", {C.reason: ChangeReason.BUSINESS_CONTEXT})])
def strategy_not_updated(facts: Facts) -> Iterator[Problem]:
    """Every change is reflected in the PMO Service Strategy as appropriate: an Implemented
    change whose Affects names the Strategy has Strategy Updated = Y (an error). With
    Affects blank, the Reason is read instead: a change made for the business context, or
    for policy or tools, touches what the strategy decides (how services are prioritised,
    the principles for resourcing and funding them), so it is a warning when Strategy
    Updated is not Y; Feedback and Other are not asked to. A change that says what it
    affects, without the Strategy, is not asked to whatever its Reason.

    Passing: CHG-001 is for the business context but its Affects names only the catalogue
    and the handbook. Failing: its Affects names the Strategy too, and Strategy Updated is
    still N.
    """
    changes = facts.master[Changes]
    for row, change, affects, reason in _not_updated(facts, C.strategy_updated):
        if affects is None and reason in STRATEGY_REASONS:
            yield changes.problem(
                row, C.strategy_updated,
                f"Change {change} ({reason}) is Implemented but the Service Strategy is not "
                "updated, and its Affects does not say whether the strategy is touched.",
                "Reflect the change in the PMO Service Strategy and set Strategy Updated to Y, "
                "or fill Affects with the documents it does touch (Catalogue, Handbook).",
                WARNING)
        elif affects is not None and Affected.STRATEGY in affects:
            yield changes.problem(
                row, C.strategy_updated,
                f"Change {change} affects the Service Strategy and is Implemented, but the "
                "strategy is not updated.",
                "Reflect the change in the PMO Service Strategy, then set Strategy Updated to Y "
                "(or take Strategy out of Affects if the change does not touch it).")


@rule("C107", WARNING, "A Closed service has an open change",
      kind=RECOMMENDED,
      why="A closed service is no longer changed; a change still open on it should be settled as "
          "part of closing.",
      fails=[Edit(Services, "SVC-001", {Services.stage: Stage.CLOSED}),
             Edit(Changes, "CHG-001", {C.status: ChangeStatus.APPROVED})],
      cell="Changes!G2",
      passes=[Edit(Services, "SVC-001", {Services.stage: Stage.CLOSING}),
              Edit(Changes, "CHG-001", {C.status: ChangeStatus.APPROVED})])
def open_change_on_closed(facts: Facts) -> Iterator[Problem]:
    """A closed service is no longer changed: a change to it that is still Proposed or
    Approved is rejected or closed as part of closing the service.

    Passing: SVC-001 is Closing, the stage before Closed, while CHG-001 is still Approved.
    Failing: SVC-001 is Closed while CHG-001 is still Approved.
    """
    changes = facts.master[Changes]
    data = changes.data
    for row, change, service, status in zip(data.index, data[C.change_id], data[C.service_id],
                                            data[C.status], strict=True):
        if is_open_change(status) and facts.stage_of.get(service) == Stage.CLOSED:
            yield changes.problem(
                int(row), C.status,
                f"Change {change} is still {status or 'open'} but {service} is Closed.",
                "Set the change to Rejected (or Implemented if it was done before closure).")


@rule("C108", ERROR, "A change names neither a service nor a PMO, or both",
      kind=REQUIRED,
      why="A change is agreed by the owner of what it changes: a service's Service Owner, or "
          "a PMO's manager or director. It has to say which it changes.",
      fails=[Edit(Changes, "CHG-001", {C.service_id: None})], cell="Changes!B2",
      passes=[Edit(Changes, None, _PMO_CHANGE | {C.approved_by: "P-001"})])
def change_of_service_or_pmo(facts: Facts) -> Iterator[Problem]:
    """A change is to one service (Service ID) or to a PMO itself (PMO ID, for the PMO's own
    performance: a new target for one of its KPIs, say): exactly one of the two is filled.
    With neither, nobody can agree it (the Service ID cell is named); with both, it is
    unclear whose agreement it needs (the PMO ID cell is named).

    Passing: CHG-002 is a change to PMO-1 with Service ID blank, approved by P-001, a PMO
    Director. Failing: CHG-001 with both blank.
    """
    changes = facts.master[Changes]
    data = changes.data
    for row, change, service, pmo in zip(data.index, data[C.change_id], data[C.service_id],
                                         data[C.pmo_id], strict=True):
        if service is None and pmo is None and changes.raw.at[row, C.service_id] is None:
            yield changes.problem(
                int(row), C.service_id,
                f"Change {change or 'on row ' + str(row)} names neither a service nor a PMO.",
                "Enter the Service ID it changes, or, for a change to a PMO itself, the PMO "
                "ID.")
        elif service is not None and pmo is not None:
            yield changes.problem(
                int(row), C.pmo_id,
                f"Change {change} names both service {service} and PMO {pmo}.",
                "Keep the Service ID for a change to the service, or the PMO ID for one to the "
                "PMO itself, and clear the other.")

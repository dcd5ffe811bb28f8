"""C — changes to a service (seed §5.2).

Any change applied to a service needs the agreement of its Service Owner, and every change
is reflected in the Service Strategy, the Service Catalogue and the Operations Handbook as
appropriate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.facts import is_open_change
from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.validators.registry import RECOMMENDED, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    AGREED_CHANGE_STATUSES,
    ChangeReason,
    Changes,
    ChangeStatus,
    Services,
    Stage,
    YesNo,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

D = dt.date
C = Changes
# Reasons that touch what the Service Strategy decides: how services are prioritised (the
# business context) and the principles for resourcing and funding them (policy). A tools-
# only change under "Policy or tools" that leaves the strategy alone can be waived.
STRATEGY_REASONS = (ChangeReason.BUSINESS_CONTEXT, ChangeReason.POLICY_OR_TOOLS)


@rule("C101", ERROR, "An agreed change was not approved by the Service Owner",
      kind=REQUIRED,
      why="Any change applied to a service requires agreement with its Service Owner.",
      fails=[Edit(Changes, "CHG-001", {C.approved_by: "P-002"})], cell="Changes!H2",
      passes=[Edit(Changes, "CHG-001", {C.status: ChangeStatus.REJECTED, C.approved_by: "P-002"})])
def approved_by_owner(facts: Facts) -> Iterator[Problem]:
    """Any change applied to a service requires the agreement of its Service Owner:
    an Approved or Implemented change names the service's Service Owner in Approved
    By. It is compared with today's Service Owner; a change approved by a previous owner
    can be waived.

    Passing: CHG-001 to SVC-001 is Rejected, with P-002, its Service Manager, in Approved By
    (a rejected change needs no agreement). Failing: CHG-001 is Implemented and was approved
    by P-002.
    """
    changes = facts.master[Changes]
    data = changes.data
    for row, change, service, status, approver in zip(
        data.index, data[C.change_id], data[C.service_id], data[C.status], data[C.approved_by],
        strict=True,
    ):
        owner = facts.owner_of(service)
        if status not in AGREED_CHANGE_STATUSES or owner is None or approver == owner:
            continue
        if approver is None:
            message = f"Change {change} to {service} is {status} but Approved By is blank."
        else:
            message = (f"Change {change} to {service} was approved by {approver}, but the "
                       f"service's Service Owner is {owner}.")
        yield changes.problem(
            int(row), C.approved_by, message,
            f"Have the Service Owner ({owner}) agree the change and enter them in Approved "
            "By, or set the Status back to Proposed.")


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


def _not_updated(facts: Facts, header: str, reasons: tuple[str, ...] | None
                 ) -> Iterator[tuple[int, str]]:
    """(row, change) of Implemented changes (with one of `reasons`) whose `header` is not Y."""
    data = facts.master[Changes].data
    for row, change, status, reason, flag in zip(
        data.index, data[C.change_id], data[C.status], data[C.reason], data[header],
        strict=True,
    ):
        if (status == ChangeStatus.IMPLEMENTED and flag != YesNo.YES
                and (reasons is None or reason in reasons)):
            yield int(row), change


@rule("C104", ERROR, "An implemented change is not in the Service Catalogue",
      kind=REQUIRED,
      why="All changes need to be reflected in the Service Catalogue as appropriate: where the "
          "change affects it.",
      fails=[Edit(Changes, "CHG-001", {C.catalogue_updated: YesNo.NO})], cell="Changes!K2",
      passes=[Edit(Changes, "CHG-001", {C.status: ChangeStatus.APPROVED,
                                        C.catalogue_updated: YesNo.NO})])
def catalogue_not_updated(facts: Facts) -> Iterator[Problem]:
    """Every change is reflected in the PMO Service Catalogue: an Implemented
    change has Catalogue Updated = Y.

    Passing: CHG-001 is Approved, not yet Implemented, with Catalogue Updated N. Failing:
    it is Implemented with Catalogue Updated N.
    """
    changes = facts.master[Changes]
    for row, change in _not_updated(facts, C.catalogue_updated, None):
        yield changes.problem(
            row, C.catalogue_updated,
            f"Change {change} is Implemented but the Service Catalogue is not updated.",
            "Update the service's entry in the Service Catalogue, then set Catalogue "
            "Updated to Y.")


@rule("C105", ERROR, "An implemented change is not in the Operations Handbook",
      kind=REQUIRED,
      why="All changes need to be reflected in the Operations Handbook as appropriate: where the "
          "change affects it.",
      fails=[Edit(Changes, "CHG-001", {C.handbook_updated: YesNo.NO})], cell="Changes!L2",
      passes=[Edit(Changes, "CHG-001", {C.status: ChangeStatus.APPROVED,
                                        C.handbook_updated: YesNo.NO})])
def handbook_not_updated(facts: Facts) -> Iterator[Problem]:
    """Every change is reflected in the PMO Operations Handbook: an Implemented
    change has Handbook Updated = Y, once the procedures and RACI are brought in line.

    Passing: CHG-001 is Approved, not yet Implemented, with Handbook Updated N. Failing: it
    is Implemented with Handbook Updated N.
    """
    changes = facts.master[Changes]
    for row, change in _not_updated(facts, C.handbook_updated, None):
        yield changes.problem(
            row, C.handbook_updated,
            f"Change {change} is Implemented but the Operations Handbook is not updated.",
            "Update the procedures and RACI it affects, then set Handbook Updated to Y.")


@rule("C106", ERROR, "An implemented change of strategy is not in the Service Strategy",
      kind=REQUIRED,
      why="All changes need to be reflected in the Service Strategy as appropriate: where the "
          "change affects it.",
      fails=[Edit(Changes, "CHG-001", {C.reason: ChangeReason.BUSINESS_CONTEXT})],
      cell="Changes!J2",
      passes=[Edit(Changes, "CHG-001", {C.reason: ChangeReason.OTHER})])
def strategy_not_updated(facts: Facts) -> Iterator[Problem]:
    """A change made for the business context, or for policy or tools, touches what the
    PMO Service Strategy decides (how services are prioritised, the principles for
    resourcing and funding them), so once Implemented it has Strategy Updated = Y.
    Changes for Feedback or Other reasons are not required to. A tools-only
    change that leaves the strategy alone can be waived.

    Passing: CHG-001's Reason is Other, with Strategy Updated N. Failing: its Reason is
    Business context and Strategy Updated is still N.
    """
    changes = facts.master[Changes]
    data = changes.data
    for row, change in _not_updated(facts, C.strategy_updated, STRATEGY_REASONS):
        reason = data.at[row, C.reason]
        yield changes.problem(
            row, C.strategy_updated,
            f"Change {change} ({reason}) is Implemented but the Service Strategy is not "
            "updated.",
            "Reflect the change in the PMO Service Strategy, then set Strategy Updated to Y "
            "(or waive it if the strategy is unaffected).")


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

"""C — changes to a service (seed §5.2).

Any change applied to a service needs the agreement of its Service Owner, and every change
is reflected in the Service Strategy, the Service Catalogue and the Operations Handbook as
appropriate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.master import Master
from pmo_xl.validators.registry import Context, Edit, rule

D = dt.date
AGREED = ("Approved", "Implemented")
OPEN = ("Proposed", "Approved")
# Reasons that touch what the Service Strategy decides: how services are prioritised (the
# business context) and the principles for resourcing and funding them (policy). A tools-
# only change under "Policy or tools" that leaves the strategy alone can be waived.
STRATEGY_REASONS = ("Business context", "Policy or tools")


def _services(master: Master) -> dict[str, dict[str, object]]:
    """Service ID -> its Stage and Service Owner, read once."""
    data = master["Services"].data
    return {
        str(s): {"stage": stage, "owner": owner}
        for s, stage, owner in zip(data["Service ID"], data["Stage"], data["Service Owner"],
                                   strict=True)
        if s is not None
    }


@rule("C101", ERROR, "An agreed change was not approved by the Service Owner",
      fails=[Edit("Changes", "CHG-001", {"Approved By": "P-002"})], cell="Changes!H2")
def approved_by_owner(master: Master, context: Context) -> Iterator[Problem]:
    """Any change applied to a service requires the agreement of its Service Owner (seed
    §5.2): an Approved or Implemented change names the service's Service Owner in Approved
    By. It is compared with today's Service Owner; a change approved by a previous owner
    can be waived.

    Passing: CHG-001 to SVC-001 was approved by P-001, SVC-001's Service Owner. Failing: it
    was approved by P-002, its Service Manager.
    """
    changes, services = master["Changes"], _services(master)
    data = changes.data
    for row, change, service, status, approver in zip(
        data.index, data["Change ID"], data["Service ID"], data["Status"], data["Approved By"],
        strict=True,
    ):
        owner = services.get(service, {}).get("owner") if service else None
        if status not in AGREED or owner is None or approver == owner:
            continue
        if approver is None:
            message = f"Change {change} to {service} is {status} but Approved By is blank."
        else:
            message = (f"Change {change} to {service} was approved by {approver}, but the "
                       f"service's Service Owner is {owner}.")
        yield changes.problem(
            int(row), "Approved By", message,
            f"Have the Service Owner ({owner}) agree the change and enter them in Approved "
            "By, or set the Status back to Proposed.")


@rule("C102", ERROR, "An agreed change has no Approved Date",
      fails=[Edit("Changes", "CHG-001", {"Approved Date": None})], cell="Changes!I2")
def approved_without_date(master: Master, context: Context) -> Iterator[Problem]:
    """An Approved or Implemented change records when the Service Owner agreed it.

    Passing: CHG-001 was approved on 2026-05-18. Failing: its Approved Date is blank.
    """
    changes = master["Changes"]
    data = changes.data
    # A date typed as text is blank in `data` but is S105's finding, so use the raw cell.
    missing = data[data["Status"].isin(AGREED) & changes.raw["Approved Date"].isna()]
    for row, change, status in zip(missing.index, missing["Change ID"], missing["Status"],
                                   strict=True):
        yield changes.problem(
            int(row), "Approved Date",
            f"Change {change} is {status} but has no Approved Date.",
            "Enter the date the Service Owner agreed the change.")


@rule("C103", WARNING, "A change's Approved Date is before its request or in the future",
      fails=[Edit("Changes", "CHG-001", {"Approved Date": D(2026, 5, 1)})], cell="Changes!I2")
def approved_date_out_of_order(master: Master, context: Context) -> Iterator[Problem]:
    """A change is approved after it was requested and not after the as-of date.

    Passing: CHG-001 was requested on 2026-05-04 and approved on 2026-05-18. Failing: its
    Approved Date is 2026-05-01, before the request.
    """
    changes = master["Changes"]
    data = changes.data
    for row, change, requested, approved in zip(
        data.index, data["Change ID"], data["Requested Date"], data["Approved Date"],
        strict=True,
    ):
        if approved is None:
            continue
        if approved > context.as_of:
            message = (f"Change {change} has Approved Date {approved.isoformat()}, after the "
                       f"as-of date {context.as_of.isoformat()}.")
        elif requested is not None and approved < requested:
            message = (f"Change {change} was approved on {approved.isoformat()}, before it was "
                       f"requested on {requested.isoformat()}.")
        else:
            continue
        yield changes.problem(
            int(row), "Approved Date", message,
            "Correct the Approved Date (or the Requested Date); a change not yet agreed "
            "stays Proposed.")


def _not_updated(master: Master, header: str, reasons: tuple[str, ...] | None
                 ) -> Iterator[tuple[int, str]]:
    """(row, change) of Implemented changes (with one of `reasons`) whose `header` is not Y."""
    data = master["Changes"].data
    for row, change, status, reason, flag in zip(
        data.index, data["Change ID"], data["Status"], data["Reason"], data[header],
        strict=True,
    ):
        if status == "Implemented" and flag != "Y" and (reasons is None or reason in reasons):
            yield int(row), change


@rule("C104", ERROR, "An implemented change is not in the Service Catalogue",
      fails=[Edit("Changes", "CHG-001", {"Catalogue Updated": "N"})], cell="Changes!K2")
def catalogue_not_updated(master: Master, context: Context) -> Iterator[Problem]:
    """Every change is reflected in the PMO Service Catalogue (seed §5.2): an Implemented
    change has Catalogue Updated = Y.

    Passing: CHG-001 is Implemented with Catalogue Updated Y. Failing: Catalogue Updated N.
    """
    changes = master["Changes"]
    for row, change in _not_updated(master, "Catalogue Updated", None):
        yield changes.problem(
            row, "Catalogue Updated",
            f"Change {change} is Implemented but the Service Catalogue is not updated.",
            "Update the service's entry in the Service Catalogue, then set Catalogue "
            "Updated to Y.")


@rule("C105", ERROR, "An implemented change is not in the Operations Handbook",
      fails=[Edit("Changes", "CHG-001", {"Handbook Updated": "N"})], cell="Changes!L2")
def handbook_not_updated(master: Master, context: Context) -> Iterator[Problem]:
    """Every change is reflected in the PMO Operations Handbook (seed §5.2): an Implemented
    change has Handbook Updated = Y, once the procedures and RACI are brought in line.

    Passing: CHG-001 is Implemented with Handbook Updated Y. Failing: Handbook Updated N.
    """
    changes = master["Changes"]
    for row, change in _not_updated(master, "Handbook Updated", None):
        yield changes.problem(
            row, "Handbook Updated",
            f"Change {change} is Implemented but the Operations Handbook is not updated.",
            "Update the procedures and RACI it affects, then set Handbook Updated to Y.")


@rule("C106", WARNING, "An implemented change of strategy is not in the Service Strategy",
      fails=[Edit("Changes", "CHG-001", {"Reason": "Business context"})], cell="Changes!J2")
def strategy_not_updated(master: Master, context: Context) -> Iterator[Problem]:
    """A change made for the business context, or for policy or tools, touches what the
    PMO Service Strategy decides (how services are prioritised, the principles for
    resourcing and funding them), so once Implemented it has Strategy Updated = Y (seed
    §4.1, §5.2). Changes for Feedback or Other reasons are not required to. A tools-only
    change that leaves the strategy alone can be waived.

    Passing: CHG-001 was made on Feedback, with Strategy Updated N. Failing: its Reason is
    Business context and Strategy Updated is still N.
    """
    changes = master["Changes"]
    data = changes.data
    for row, change in _not_updated(master, "Strategy Updated", STRATEGY_REASONS):
        reason = data.at[row, "Reason"]
        yield changes.problem(
            row, "Strategy Updated",
            f"Change {change} ({reason}) is Implemented but the Service Strategy is not "
            "updated.",
            "Reflect the change in the PMO Service Strategy, then set Strategy Updated to Y "
            "(or waive it if the strategy is unaffected).")


@rule("C107", WARNING, "A Closed service has an open change",
      fails=[Edit("Services", "SVC-001", {"Stage": "Closed"}),
             Edit("Changes", "CHG-001", {"Status": "Approved"})],
      cell="Changes!G2")
def open_change_on_closed(master: Master, context: Context) -> Iterator[Problem]:
    """A closed service is no longer changed: a change to it that is still Proposed or
    Approved is rejected or closed as part of closing the service (seed §5.3).

    Passing: SVC-001 is Running and its change CHG-001 is Implemented. Failing: SVC-001 is
    Closed while CHG-001 is still Approved.
    """
    changes, services = master["Changes"], _services(master)
    data = changes.data
    for row, change, service, status in zip(data.index, data["Change ID"], data["Service ID"],
                                            data["Status"], strict=True):
        if status in OPEN and services.get(service, {}).get("stage") == "Closed":
            yield changes.problem(
                int(row), "Status",
                f"Change {change} is still {status} but {service} is Closed.",
                "Set the change to Rejected (or Implemented if it was done before closure).")

"""G — governance and capacity (seed §2, §5.2; talk notes on mandated and off-menu work).

PMO governance makes sure the mix of services is aligned to strategy, prioritised and
resourced, and that risks and issues reach the right level.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator

from pmo_xl.findings import INFO, WARNING, Problem
from pmo_xl.master import Master
from pmo_xl.settings import read_date, read_share
from pmo_xl.validators.registry import Context, Edit, rule
from pmo_xl.validators.schema import ACTIVE_STAGES, normalise_header

D = dt.date
OPEN_STATUSES = ("Open", "Mitigating")
SERIOUS = ("High", "Critical")
TOP_LEVEL = "Service Ownership"
UNALIGNED_STAGES = ("Proposed", "Rejected")
# Floating point sums of FTE (0.1 + 0.2) must not tip a PMO over its capacity.
TOLERANCE = 1e-9


def _fte(value: float) -> str:
    return f"{value:g}"


@rule("G101", WARNING, "A service is not aligned to a strategic objective",
      fails=[Edit("Services", "SVC-001", {"Strategic Objective": None})], cell="Services!L2")
def not_aligned(master: Master, context: Context) -> Iterator[Problem]:
    """Services have to be aligned to what the business needs, normally its strategy (talk
    notes; seed §2): every service past Proposed (and not Rejected) names the objective in
    Strategy it contributes to.

    Passing: SVC-001 is aligned to OBJ-1. Failing: SVC-001's Strategic Objective is blank.
    """
    services = master["Services"]
    data = services.data
    for row, service, stage, objective in zip(data.index, data["Service ID"], data["Stage"],
                                              data["Strategic Objective"], strict=True):
        if stage is None or stage in UNALIGNED_STAGES or objective is not None:
            continue
        yield services.problem(
            int(row), "Strategic Objective",
            f"{service or 'The service'} ({stage}) is not aligned to a strategic objective.",
            "Enter the Objective ID (sheet Strategy) the service contributes to; if it "
            "contributes to none, question whether it should continue.")


def _active_fte(master: Master) -> list[tuple[str | None, str | None, float | None]]:
    """(Lead PMO, Offering, Planned FTE) of every active service (Design to Closing)."""
    data = master["Services"].data
    return [
        (lead, offering, fte) for lead, offering, fte, stage in zip(
            data["Lead PMO"], data["Offering"], data["Planned FTE"], data["Stage"], strict=True)
        if stage in ACTIVE_STAGES
    ]


@rule("G102", WARNING, "A PMO's active services need more FTE than it has",
      fails=[Edit("PMOs", "PMO-2", {"Capacity FTE": 0.5})], cell="PMOs!E3")
def over_capacity(master: Master, context: Context) -> Iterator[Problem]:
    """A PMO needs the capacity for the services it delivers (seed §1, §2): the Planned FTE
    of the services it leads that are active (Design, Pilot, Transition, Running or
    Closing) adds up to no more than its Capacity FTE. Proposed services are not counted
    yet; agreeing to one may mean closing another.

    Passing: PMO-2 (capacity 3) leads SVC-002 in Design with 1 FTE. Failing: PMO-2's
    Capacity FTE is 0.5.
    """
    pmos = master["PMOs"]
    planned: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for lead, _offering, fte in _active_fte(master):
        if lead is not None and fte is not None:
            planned[lead] += fte
            count[lead] += 1
    for row, pmo, capacity in zip(pmos.data.index, pmos.data["PMO ID"],
                                  pmos.data["Capacity FTE"], strict=True):
        if pmo is None or capacity is None or planned.get(pmo, 0.0) <= capacity + TOLERANCE:
            continue
        yield pmos.problem(
            int(row), "Capacity FTE",
            f"{pmo}'s {count[pmo]} active service(s) plan {_fte(planned[pmo])} FTE, more than "
            f"its Capacity FTE of {_fte(capacity)}.",
            "Raise the PMO's capacity, lower the services' Planned FTE, move a service to "
            "another PMO, or close one.")


@rule("G103", INFO, "Mandated services take less effort than the target share",
      fails=[Edit("Settings", "Mandated Share Target", {"Value": "80%"})], cell="Settings!B3")
def mandated_share(master: Master, context: Context) -> Iterator[Problem]:
    """The talk notes suggest mandated services (the things the PMO must do, such as
    reporting) take a planned share of the PMO's effort, e.g. 50%, leaving the rest for
    menu and off-menu work. This compares the Planned FTE of active Mandated services with
    that of all active services, against Settings' Mandated Share Target (50% if not set).
    Reported, as information, only when the share is below the target.

    The finding names the Settings Value cell of Mandated Share Target; without that row it
    names the Planned FTE header of Services (the column the share is counted from).
    Passing: SVC-001 (Mandated, 2 FTE) is 67% of 3 active FTE, target 50%. Failing: the
    target is 80%.
    """
    total = mandated = 0.0
    for _lead, offering, fte in _active_fte(master):
        if fte is not None:
            total += fte
            mandated += fte if offering == "Mandated" else 0.0
    target = context.settings.mandated_share_target
    if total <= 0 or mandated / total >= target - TOLERANCE:
        return
    share = mandated / total
    settings, key = master["Settings"], "mandated share target"
    row = context.settings.rows.get(key)
    told = settings.present and row is not None and settings.has("Value")
    message = (f"Mandated services take {share:.0%} of the {_fte(total)} planned FTE of active "
               f"services, below the {'' if told else 'default '}target of {target:.0%}.")
    hint = ("Review the mix of services: move effort to mandated services, or agree a new "
            "target in Settings (Mandated Share Target).")
    if told:
        yield settings.problem(row, "Value", message, hint)
        return
    services = master["Services"]
    yield Problem(services.title, services.header_row, services.letter("Planned FTE"),
                  "Mandated Share Target", message, hint)


@rule("G104", WARNING, "A Proposed service has no Priority",
      fails=[Edit("Services", "SVC-003", {"Priority": None})], cell="Services!M4")
def proposed_without_priority(master: Master, context: Context) -> Iterator[Problem]:
    """Requested services are prioritised as the Service Strategy says, typically on their
    alignment and contribution to strategy (seed §4.1), so every Proposed service has a
    Priority (1 = highest) before governance decides on it.

    Passing: SVC-003 is Proposed with Priority 3. Failing: its Priority is blank.
    """
    services = master["Services"]
    data = services.data
    # A Priority typed as text is blank in `data` but S105's finding, so blank means raw blank.
    proposed = data[(data["Stage"] == "Proposed") & services.raw["Priority"].isna()]
    for row, service in proposed["Service ID"].items():
        yield services.problem(
            int(row), "Priority",
            f"{service or 'The service'} is Proposed but has no Priority.",
            "Give it a Priority (1 = highest) from the Service Strategy's prioritisation.")


@rule("G105", WARNING, "An open High or Critical risk or issue is not escalated",
      fails=[Edit("Risks and Issues", "RSK-001", {"Severity": "High"})],
      cell="'Risks and Issues'!H2")
def not_escalated(master: Master, context: Context) -> Iterator[Problem]:
    """Risks and issues escalate from Service Operations through Delivery Management to
    Service Ownership (seed §5.2); an open (Open or Mitigating) High or Critical one sits
    with Service Ownership, who agree the mitigation, which may mean changing or closing the
    service.

    Passing: RSK-001 is Medium and handled by Service Operations. Failing: RSK-001 is High
    and still at Service Operations.
    """
    table = master["Risks and Issues"]
    data = table.data
    for row, item, kind, severity, status, level in zip(
        data.index, data["ID"], data["Type"], data["Severity"], data["Status"],
        data["Escalation Level"], strict=True,
    ):
        if status not in OPEN_STATUSES or severity not in SERIOUS or level == TOP_LEVEL:
            continue
        yield table.problem(
            int(row), "Escalation Level",
            f"{(kind or 'Item')} {item} is {severity} and {status.lower()} but escalated only "
            f"to {level or 'no level'}.",
            f"Escalate it to {TOP_LEVEL} (the Service Owner), or lower its Severity if it "
            "was reassessed.")


@rule("G106", WARNING, "An open risk or issue is past its Target Date",
      fails=[Edit("Risks and Issues", "RSK-001", {"Target Date": D(2026, 10, 31)})],
      cell="'Risks and Issues'!J2")
def past_target(master: Master, context: Context) -> Iterator[Problem]:
    """An open (Open or Mitigating) risk or issue whose Target Date has passed needs
    attention: its action is late.

    Passing: as of 2026-11-15, RSK-001 is due 2026-12-31. Failing: it was due 2026-10-31.
    """
    table = master["Risks and Issues"]
    data = table.data
    as_of = context.as_of
    for row, item, status, due in zip(data.index, data["ID"], data["Status"],
                                      data["Target Date"], strict=True):
        if status not in OPEN_STATUSES or due is None or due >= as_of:
            continue
        yield table.problem(
            int(row), "Target Date",
            f"{item} is {status.lower()} and its Target Date {due.isoformat()} has passed "
            f"({(as_of - due).days} days ago).",
            "Complete the action and close it, or agree a new Target Date with its owner.")


@rule("G107", WARNING, "An active service has no Planned FTE",
      fails=[Edit("Services", "SVC-002", {"Planned FTE": None})], cell="Services!O3")
def active_without_fte(master: Master, context: Context) -> Iterator[Problem]:
    """Governance makes sure the services are appropriately resourced (seed §2), which
    needs the effort each takes: every active service (Design to Closing) has a Planned FTE.
    Without it the PMO's capacity check and the mandated share miss the service.

    Passing: SVC-002 in Design plans 1 FTE. Failing: its Planned FTE is blank.
    """
    services = master["Services"]
    data = services.data
    missing = data[data["Stage"].isin(ACTIVE_STAGES) & services.raw["Planned FTE"].isna()]
    for row, service, stage in zip(missing.index, missing["Service ID"], missing["Stage"],
                                   strict=True):
        yield services.problem(
            int(row), "Planned FTE",
            f"{service or 'The service'} is in {stage} but has no Planned FTE.",
            "Enter the effort the service takes in full-time equivalents (0 if none).")


@rule("G108", WARNING, "A setting's value cannot be read",
      fails=[Edit("Settings", "Mandated Share Target", {"Value": "half"})], cell="Settings!B3")
def unreadable_setting(master: Master, context: Context) -> Iterator[Problem]:
    """The Settings the checks and reports rely on hold values pmo-xl can read: Reporting
    Period a date (the first day of the month), Mandated Share Target a share such as 50%
    or 0.5. An unreadable value is ignored: the reporting period then follows --as-of and
    the mandated share target defaults to 50%.

    Passing: Mandated Share Target `50%`. Failing: `half`.
    """
    settings = master["Settings"]
    if not settings.present or not settings.has("Value"):
        return
    readers = {
        "reporting period": (read_date, "a date such as 2026-10-01"),
        "mandated share target": (read_share, "a share between 0% and 100%, e.g. 50%"),
    }
    for row, record in settings.rows():
        name, value = record.get("Setting"), record.get("Value")
        reader = readers.get(normalise_header(name)) if name else None
        if reader is None or value is None:
            continue
        read, wanted = reader
        if read(value) is None:
            yield settings.problem(
                row, "Value", f"The {name} setting {value!r} cannot be read, so it is ignored.",
                f"Enter {wanted}.")

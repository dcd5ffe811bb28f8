"""G — governance and capacity: the mix of services, its resources and its risks.

PMO governance makes sure the mix of services is aligned to strategy, prioritised and
appropriately resourced (against a capacity its people really give), and that risks and
issues are escalated as the organisation decides.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import INFO, WARNING, Problem
from pmo_xl.validators.common import fte, problem_at
from pmo_xl.validators.registry import CONVENTION, RECOMMENDED, Edit, rule
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    SERIOUS_SEVERITIES,
    SETTINGS_DECLARED,
    TOP_ESCALATION,
    Escalation,
    ItemType,
    Offering,
    PMOs,
    Risks,
    RiskStatus,
    Scope,
    Services,
    Setting,
    Settings,
    Severity,
    Stage,
    normalise_header,
)
from pmo_xl.workbook.settings import unreadable

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

D = dt.date
UNALIGNED_STAGES = (Stage.REJECTED,)  # a proposal turned down needs no objective
# Floating point sums of FTE (0.1 + 0.2) must not tip a PMO over its capacity.
TOLERANCE = 1e-9


@rule("G101", WARNING, "A service is not aligned to a strategic objective",
      kind=RECOMMENDED,
      why="Services have to be aligned to what the business needs, normally its strategy, and the "
          "decision to set one up is supported by the strategy: a service without an objective is "
          "one nobody has tied to it.",
      fails=[Edit(Services, "SVC-003", {Services.strategic_objective: None})],
      cell="Services!L4",
      passes=[Edit(Services, "SVC-003", {Services.strategic_objective: None,
                                         Services.stage: Stage.REJECTED})])
def not_aligned(facts: Facts) -> Iterator[Problem]:
    """Services have to be aligned to what the business needs, normally its strategy:
    every service (but a Rejected proposal) names the objective in Strategy it contributes
    to. A Proposed service too: the decision to set one up is supported by the strategy,
    and a proposal that serves no objective is one to question before it is approved.

    Passing: SVC-003, Rejected, has no Strategic Objective. Failing: SVC-003, still
    Proposed, has none.
    """
    services = facts.master[Services]
    data = services.data
    for row, service, stage, objective in zip(
            data.index, data[Services.service_id], data[Services.stage],
            data[Services.strategic_objective], strict=True):
        if stage is None or stage in UNALIGNED_STAGES or objective is not None:
            continue
        yield services.problem(
            int(row), Services.strategic_objective,
            f"{service or 'The service'} ({stage}) is not aligned to a strategic objective.",
            "Enter the Objective ID (sheet Strategy) the service contributes to; if it "
            "contributes to none, question whether it should continue.")


def _active_fte(facts: Facts) -> list[tuple[str | None, str | None, float | None]]:
    """(Lead PMO, Offering, Planned FTE) of every active service (Design to Closing)."""
    data = facts.master[Services].data
    return [
        (lead, offering, planned) for lead, offering, planned, stage in zip(
            data[Services.lead_pmo], data[Services.offering], data[Services.planned_fte],
            data[Services.stage], strict=True)
        if stage in ACTIVE_STAGES
    ]


@rule("G102", WARNING, "A PMO's active services need more FTE than it has",
      kind=RECOMMENDED,
      why="Governance makes sure the mix of services is appropriately resourced; more planned "
          "effort than capacity cannot all be delivered.",
      fails=[Edit(PMOs, "PMO-2", {PMOs.capacity_fte: 0.5})], cell="PMOs!E3",
      passes=[Edit(Services, "SVC-002", {Services.planned_fte: 0.1}),
              Edit(Services, None, {Services.service_id: "SVC-004",
                                    Services.service_name: "Dependency mapping",
                                    Services.lead_pmo: "PMO-2", Services.scope: Scope.PORTFOLIO,
                                    Services.stage: Stage.DESIGN,
                                    Services.offering: Offering.MENU,
                                    Services.planned_fte: 0.2, Services.service_owner: "P-002"}),
              Edit(PMOs, "PMO-2", {PMOs.capacity_fte: 0.3})])
def over_capacity(facts: Facts) -> Iterator[Problem]:
    """A PMO needs the capacity for the services it delivers: the Planned FTE of the
    services it leads that are active (Design, Pilot, Transition, Running or Closing) adds
    up to no more than its Capacity FTE (exactly full is fine, however the FTE add up in
    floating point). Proposed services are not counted yet; agreeing to one may mean closing
    another.

    Passing: PMO-2 (capacity 3) leads SVC-002 in Design with 1 FTE; or 0.1 and 0.2 FTE
    against a capacity of exactly 0.3. Failing: PMO-2's Capacity FTE is 0.5.
    """
    pmos = facts.master[PMOs]
    planned: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    for lead, _offering, effort in _active_fte(facts):
        if lead is not None and effort is not None:
            planned[lead] += effort
            count[lead] += 1
    for row, pmo, capacity in zip(pmos.data.index, pmos.data[PMOs.pmo_id],
                                  pmos.data[PMOs.capacity_fte], strict=True):
        if pmo is None or capacity is None or planned.get(pmo, 0.0) <= capacity + TOLERANCE:
            continue
        yield pmos.problem(
            int(row), PMOs.capacity_fte,
            f"{pmo}'s {count[pmo]} active service(s) plan {fte(planned[pmo])} FTE, more than "
            f"its Capacity FTE of {fte(capacity)}.",
            "Raise the PMO's capacity, lower the services' Planned FTE, move a service to "
            "another PMO, or close one.")


@rule("G103", INFO, "Mandated services take less effort than the target share",
      kind=CONVENTION,
      why="The share of effort on mandated services is given only as an example, so it is judged "
          "only against a target the PMO sets.",
      fails=[Edit(Settings, Setting.MANDATED_SHARE_TARGET, {Settings.value: "80%"})],
      cell="Settings!B3",
      passes=[Edit(Settings, Setting.MANDATED_SHARE_TARGET, {Settings.value: 2 / 3})])
def mandated_share(facts: Facts) -> Iterator[Problem]:
    """A service-based PMO may plan the share of its effort that goes to mandated services
    (the things the PMO must do, such as reporting), leaving the rest for menu and
    off-menu work. A share such as 50% is given only as an example, so no target is assumed:
    when Settings sets a Mandated Share Target, the Planned FTE of active Mandated services
    is compared with that of all active services and reported, as information, when it is
    below the target. Without the setting (or with an unreadable one, G108) nothing is
    judged.

    The finding names the Settings Value cell of Mandated Share Target.
    Passing: SVC-001 (Mandated, 2 FTE) is 67% of 3 active FTE, target 50% (or exactly two
    thirds). Failing: the target is 80%.
    """
    target = facts.settings.mandated_share_target
    if target is None:
        return
    total = mandated = 0.0
    for _lead, offering, effort in _active_fte(facts):
        if effort is not None:
            total += effort
            mandated += effort if offering == Offering.MANDATED else 0.0
    if total <= 0 or mandated / total >= target - TOLERANCE:
        return
    share = mandated / total
    settings = facts.master[Settings]
    row = facts.settings.rows[normalise_header(Setting.MANDATED_SHARE_TARGET)]
    yield settings.problem(
        row, Settings.value,
        f"Mandated services take {share:.0%} of the {fte(total)} planned FTE of active "
        f"services, below the target of {target:.0%}.",
        "Review the mix of services: move effort to mandated services, or agree a new "
        "target in Settings (Mandated Share Target), or delete the setting if the PMO sets "
        "no target.")


@rule("G104", WARNING, "A Proposed service has no Priority",
      kind=RECOMMENDED,
      why="The Service Strategy says how requested services will be prioritised; a proposal "
          "without a priority cannot be ordered against the others.",
      fails=[Edit(Services, "SVC-003", {Services.priority: None})], cell="Services!M4",
      passes=[Edit(Services, "SVC-002", {Services.priority: None}),
              Edit(Services, "SVC-003", {Services.priority: "first"})])
def proposed_without_priority(facts: Facts) -> Iterator[Problem]:
    """Requested services are prioritised as the Service Strategy says, typically on their
    alignment and contribution to strategy, so every Proposed service has a
    Priority (1 = highest) before governance decides on it.

    Passing: SVC-002, in Design, has no Priority (only Proposed services need one), and
    Proposed SVC-003's Priority is typed as the text `first` (S105's finding, not a missing
    Priority). Failing: SVC-003's Priority is blank.
    """
    services = facts.master[Services]
    data = services.data
    # A Priority typed as text is blank in `data` but S105's finding, so blank means raw blank.
    proposed = data[(data[Services.stage] == Stage.PROPOSED)
                    & services.raw[Services.priority].isna()]
    for row, service in proposed[Services.service_id].items():
        yield services.problem(
            int(row), Services.priority,
            f"{service or 'The service'} is Proposed but has no Priority.",
            "Give it a Priority (1 = highest) from the Service Strategy's prioritisation.")


@rule("G105", INFO, "An open High or Critical risk or issue is not escalated",
      kind=CONVENTION,
      why="Risks and issues are escalated as appropriate, from Service Operations through "
          "Delivery Management to Service Ownership; how far a given severity goes is the "
          "organisation's own policy (raise this rule in the Rules sheet to enforce one).",
      fails=[Edit(Risks, "RSK-001", {Risks.severity: Severity.HIGH})],
      cell="'Risks and Issues'!H2",
      passes=[Edit(Risks, "RSK-001", {Risks.severity: Severity.HIGH,
                                      Risks.escalation_level: TOP_ESCALATION}),
              Edit(Risks, None, {Risks.item_id: "ISS-001", Risks.service_id: "SVC-001",
                                 Risks.type: ItemType.ISSUE, Risks.severity: Severity.CRITICAL,
                                 Risks.description: "The June report went out late.",
                                 Risks.owner: "P-002", Risks.status: RiskStatus.CLOSED,
                                 Risks.escalation_level: Escalation.OPERATIONS,
                                 Risks.raised_date: D(2026, 6, 12)})])
def not_escalated(facts: Facts) -> Iterator[Problem]:
    """Risks and issues are escalated as appropriate, from Service Operations through
    Delivery Management to Service Ownership, who agree the mitigation, which may mean
    changing or closing the service. Which severity goes how far is the organisation's own
    policy; this rule holds the common one, that an open (not Closed) High or Critical item
    sits with Service Ownership, as information by default. A PMO whose policy it is raises
    G105 to a warning or an error in its Rules sheet.

    Passing: RSK-001 is High and escalated to Service Ownership, and ISS-001, Critical but
    Closed, stayed at Service Operations. Failing: RSK-001 is High and still at Service
    Operations.
    """
    table = facts.master[Risks]
    for row, item in facts.open_items:
        severity, level = item[Risks.severity], item[Risks.escalation_level]
        if severity not in SERIOUS_SEVERITIES or level == TOP_ESCALATION:
            continue
        status = item[Risks.status] or "open"
        yield problem_at(
            table, row, Risks.escalation_level, item[Risks.item_id],
            f"{item[Risks.type] or 'Item'} {item[Risks.item_id]} is {severity} and "
            f"{status.lower()} but escalated only to {level or 'no level'}.",
            f"Escalate it to {TOP_ESCALATION} (the Service Owner), or lower its Severity if "
            "it was reassessed.")


@rule("G106", WARNING, "An open risk or issue is past its Target Date",
      kind=RECOMMENDED,
      why="Risks and issues need to be managed; one past its own target date is slipping.",
      fails=[Edit(Risks, "RSK-001", {Risks.target_date: D(2026, 10, 31)})],
      cell="'Risks and Issues'!J2",
      passes=[Edit(Risks, "RSK-001", {Risks.target_date: D(2026, 11, 15)})])
def past_target(facts: Facts) -> Iterator[Problem]:
    """An open (not Closed) risk or issue whose Target Date has passed needs attention: its
    action is late. Due on the as-of day itself is not late yet.

    Passing: as of 2026-11-15, RSK-001 is due on 2026-11-15. Failing: it was due 2026-10-31.
    """
    table = facts.master[Risks]
    as_of = facts.as_of
    for row, item in facts.overdue_items:
        due = item[Risks.target_date]
        status = item[Risks.status] or "open"
        yield problem_at(
            table, row, Risks.target_date, item[Risks.item_id],
            f"{item[Risks.item_id]} is {status.lower()} and its Target Date {due.isoformat()} "
            f"has passed ({(as_of - due).days} days ago).",
            "Complete the action and close it, or agree a new Target Date with its owner.")


@rule("G107", WARNING, "An active service has no Planned FTE",
      kind=RECOMMENDED,
      why="Governance makes sure services are appropriately resourced, which needs the effort "
          "each one takes.",
      fails=[Edit(Services, "SVC-002", {Services.planned_fte: None})], cell="Services!O3",
      passes=[Edit(Services, "SVC-002", {Services.planned_fte: 0})])
def active_without_fte(facts: Facts) -> Iterator[Problem]:
    """Governance makes sure the services are appropriately resourced, which
    needs the effort each takes: every active service (Design to Closing) has a Planned FTE.
    Without it the PMO's capacity check and the mandated share miss the service.

    Passing: SVC-002 in Design plans 0 FTE (zero is an answer; blank is not). Failing: its
    Planned FTE is blank.
    """
    services = facts.master[Services]
    data = services.data
    missing = data[data[Services.stage].isin(ACTIVE_STAGES)
                   & services.raw[Services.planned_fte].isna()]
    for row, service, stage in zip(missing.index, missing[Services.service_id],
                                   missing[Services.stage], strict=True):
        yield services.problem(
            int(row), Services.planned_fte,
            f"{service or 'The service'} is in {stage} but has no Planned FTE.",
            "Enter the effort the service takes in full-time equivalents (0 if none).")


@rule("G108", WARNING, "A setting's value cannot be read",
      kind=RECOMMENDED,
      why="An unreadable setting is ignored, so the checks use the default instead of what was "
          "meant.",
      fails=[Edit(Settings, Setting.MANDATED_SHARE_TARGET, {Settings.value: "half"})],
      cell="Settings!B3",
      passes=[Edit(Settings, Setting.MANDATED_SHARE_TARGET, {Settings.value: "100%"})])
def unreadable_setting(facts: Facts) -> Iterator[Problem]:
    """The Settings the checks and reports rely on hold values pmo-xl can read: Reporting
    Period a date (the first day of the month), Mandated Share Target and Capacity
    Tolerance a share such as 50% or 0.5, Review Interval Months and Chronic Red Periods a
    whole number of at least 1. An unreadable value is ignored: the reporting period then
    follows --as-of, no mandated share target is judged, reviews fall due every 12 months, a
    KPI is chronically Red after 3 periods and a PMO's capacity may differ from its people's
    FTE by 10%.

    Passing: Mandated Share Target `100%`, the largest share there is. Failing: `half`.
    """
    settings = facts.master[Settings]
    if not settings.present or not settings.has(Settings.value):
        return
    declared = {normalise_header(info.name): info for info in SETTINGS_DECLARED}
    for row, record in settings.rows():
        name, value = record.get(Settings.setting), record.get(Settings.value)
        info = declared.get(normalise_header(name)) if name else None
        if info is not None and unreadable(info, value):
            yield settings.problem(
                row, Settings.value,
                f"The {name} setting {value!r} cannot be read, so it is ignored.",
                f"Enter {info.wanted}.")


@rule("G109", WARNING, "A PMO's Capacity FTE differs from its people's FTE",
      kind=RECOMMENDED,
      why="A PMO must have the capacity to deliver its services, and the decision to take on "
          "a new one weighs the capacity available: a Capacity FTE its people do not add up "
          "to makes that headroom wrong.",
      fails=[Edit(PMOs, "PMO-1", {PMOs.capacity_fte: 6.3})], cell="PMOs!E2",
      passes=[Edit(PMOs, "PMO-1", {PMOs.capacity_fte: 6.2}),
              Edit(Settings, None, {Settings.setting: Setting.CAPACITY_TOLERANCE,
                                    Settings.value: "10%"})])
def capacity_against_people(facts: Facts) -> Iterator[Problem]:
    """A PMO's Capacity FTE, which its headroom for new services rests on, agrees with the
    FTE of the people who work in it (People's PMO and FTE; a person with no FTE counts as
    full time): within Settings' Capacity Tolerance of the Capacity FTE (10% if not set),
    either way. More capacity than people overstates the headroom; less may mean people on
    other work, worth saying in the Capacity FTE. A PMO with no Capacity FTE is not judged.

    Passing: PMO-1's people add up to 5.6 FTE and its Capacity FTE is 6.2 (0.6 apart, under
    10% of 6.2), with Capacity Tolerance set to 10%. Failing: its Capacity FTE is 6.3 (0.7
    apart, over 10% of 6.3).
    """
    pmos = facts.master[PMOs]
    tolerance = facts.settings.capacity_tolerance
    for row, pmo, capacity in zip(pmos.data.index, pmos.data[PMOs.pmo_id],
                                  pmos.data[PMOs.capacity_fte], strict=True):
        if pmo is None or capacity is None:
            continue
        people, count = facts.people_fte.get(str(pmo), (0.0, 0))
        if abs(capacity - people) <= tolerance * capacity + TOLERANCE:
            continue
        more = "more" if capacity > people else "less"
        yield pmos.problem(
            int(row), PMOs.capacity_fte,
            f"{pmo}'s Capacity FTE is {fte(capacity)}, but its {count} people in People add "
            f"up to {fte(round(people, 6))} FTE: {more} than they give, by more than "
            f"{tolerance:.0%}.",
            "Set Capacity FTE to what the PMO's people give its services, or add the missing "
            "people to People with their PMO and FTE: the headroom for new services rests on "
            "it.")

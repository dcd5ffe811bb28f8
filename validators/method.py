"""What a service is for, checked: outcomes measured, pilots evaluated, risks with their
actions, and complete published entries.

A service is activities that produce an output for a customer and deliver a desired outcome
for the organisation. Its pilot verifies the success criteria agreed with the customers
before it moves on; its risks and issues are managed with an agreed mitigation and action,
which may lead to a change or a closure; and its catalogue entry says what it is, whom it is
for, what it delivers and what a customer provides. The rules keep their families' letters
(L lifecycle, K KPIs, G governance, X references) and live here together because they are
one part of the method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, INFO, Problem
from pmo_xl.validators.common import is_at, problem_at, service_name
from pmo_xl.validators.registry import CONVENTION, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    LED_TO_CLOSURE,
    PUBLISHED_STAGES,
    SERIOUS_SEVERITIES,
    SIPOC,
    TOP_ESCALATION,
    Changes,
    Evidence,
    KPIs,
    PilotResult,
    Risks,
    Services,
    Severity,
    Stage,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

D = dt.date
S = Services

# What a published catalogue entry says about the service, besides its name.
ENTRY_FIELDS = (S.description, S.customers, S.desired_outcome)
ENTRY_WORDS = {S.description: "what the service does",
               S.customers: "who receives its outputs",
               S.desired_outcome: "the outcome it delivers for the organisation"}
# The stages past the pilot, whose pilot must have been evaluated.
PAST_PILOT = (Stage.TRANSITION, Stage.RUNNING)
# The stages at which someone operates the service.
OPERATED = (Stage.PILOT, Stage.TRANSITION, Stage.RUNNING)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- complete published entries -----------------------------------------------------------


@rule("L122", ERROR, "A published service lacks its Description, Customers or Desired Outcome",
      kind=REQUIRED,
      why="A service is activities that produce an output for a customer and deliver a desired "
          "outcome for the organisation; a catalogue entry without what it does, whom it is for "
          "or the outcome it delivers does not describe the service.",
      fails=[Edit(Services, "SVC-001", {S.desired_outcome: None})], cell="Services!G2",
      passes=[Edit(Services, "SVC-002", {S.customers: None, S.desired_outcome: None})])
def published_entry_holes(facts: Facts) -> Iterator[Problem]:
    """From Pilot until it closes a service can be published in the catalogue (Pilot,
    Transition, Running, Closing), so its entry says what the service does (Description),
    who receives its outputs (Customers) and the outcome it delivers for the organisation
    (Desired Outcome). One finding per blank cell; `pmo-xl catalogue` counts a published
    service with one among the services it will not publish quietly.

    Passing: SVC-002 in Design, not yet published, with Customers and Desired Outcome blank.
    Failing: SVC-001, Running, with its Desired Outcome blank.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if record[S.stage] not in PUBLISHED_STAGES:
            continue
        for header in ENTRY_FIELDS:
            if _blank(record[header]) and _blank(raw.get(header)):
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)} {is_at(record[S.stage])}, so it may be "
                    f"published, but has no {header}.",
                    f"Enter {ENTRY_WORDS[header]} in {header}: customers read it in the "
                    "catalogue.")


@rule("L126", ERROR, "A published service's process has no Outputs",
      kind=REQUIRED,
      why="A process converts inputs into outputs, and the catalogue entry shows customers what "
          "they get; a published service's process with no Outputs leaves that blank.",
      fails=[Edit(SIPOC, "PRC-002", {SIPOC.outputs: None})], cell="SIPOC!F3",
      passes=[Edit(SIPOC, None, {SIPOC.service_id: "SVC-002", SIPOC.process_id: "PRC-003",
                                 SIPOC.process_name: "Agree the benefits profile",
                                 SIPOC.inputs: "Business case"})])
def process_without_outputs(facts: Facts) -> Iterator[Problem]:
    """The SIPOC of a service forms part of its catalogue entry: each process of a published
    service (Pilot, Transition, Running, Closing) names what it creates (Outputs), which
    the catalogue shows as what customers get.

    Passing: a process of SVC-002, in Design and not yet published, with no Outputs yet.
    Failing: PRC-002 of Running SVC-001 with its Outputs blank.
    """
    sipoc = facts.master[SIPOC]
    if not sipoc.present:
        return
    for row, process in sipoc.rows():
        sid = process[SIPOC.service_id]
        record = facts.services.get(str(sid)) if sid is not None else None
        if record is None or record[S.stage] not in PUBLISHED_STAGES:
            continue
        if _blank(process[SIPOC.outputs]):
            yield problem_at(
                sipoc, row, SIPOC.outputs, process[SIPOC.process_id],
                f"Process {process[SIPOC.process_id]} of {sid} ({record[S.stage]}) has no "
                "Outputs, so the catalogue cannot say what customers get from it.",
                "Enter what the process creates in Outputs (separated by ;).")


# --- pilots evaluated ----------------------------------------------------------------------


@rule("L123", ERROR, "A service past its pilot has no Pilot Result or Pilot Result Date",
      kind=REQUIRED,
      why="Processes and procedures need testing before a service moves into business as usual: "
          "the pilot verifies they achieve the success criteria agreed with the customers, and "
          "its result is what sign-off rests on.",
      fails=[Edit(Services, "SVC-001", {S.pilot_result: None})], cell="Services!AK2",
      passes=[Edit(Services, "SVC-002", {S.stage: Stage.PILOT, S.pilot_start: D(2026, 8, 3)})])
def pilot_not_evaluated(facts: Facts) -> Iterator[Problem]:
    """A service in Transition or Running has passed its pilot, so it records how the pilot
    went against the success criteria agreed with the customers (Pilot Result: Met, Partly
    met or Not met) and when that was agreed (Pilot Result Date). One finding per blank
    cell.

    Passing: SVC-002 in Pilot, its result not yet known. Failing: SVC-001, Running, with no
    Pilot Result.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if record[S.stage] not in PAST_PILOT:
            continue
        for header in (S.pilot_result, S.pilot_result_date):
            if record[header] is None and _blank(raw.get(header)):
                yield problem_at(
                    services, row, header, record[S.service_id],
                    f"{service_name(record, row)} {is_at(record[S.stage])} but has no "
                    f"{header}.",
                    "Enter how the pilot went against the success criteria agreed with the "
                    "customers: Met, Partly met or Not met." if header == S.pilot_result else
                    "Enter the date the pilot's result was agreed.")


@rule("L124", ERROR, "A service moved past a pilot whose result was Not met",
      kind=REQUIRED,
      why="The pilot verifies that the service achieves the success criteria agreed with the "
          "customers before sign-off; a pilot that did not meet them is repeated, the service "
          "changed or closed, not moved into business as usual.",
      fails=[Edit(Services, "SVC-001", {S.pilot_result: PilotResult.NOT_MET})],
      cell="Services!AK2",
      passes=[Edit(Services, "SVC-001", {S.pilot_result: PilotResult.PARTLY_MET}),
              Edit(Services, "SVC-002", {S.stage: Stage.PILOT, S.pilot_start: D(2026, 8, 3),
                                         S.pilot_result: PilotResult.NOT_MET,
                                         S.pilot_result_date: D(2026, 10, 1)})])
def failed_pilot_moved_on(facts: Facts) -> Iterator[Problem]:
    """A pilot whose result is Not met did not show the service achieves what was agreed
    with its customers: the service pilots again (Pilot may repeat), changes or closes. In
    Transition or Running with a Not met result, it moved on regardless.

    Passing: SVC-001 Running after a Partly met pilot, and SVC-002 still in Pilot after one
    that was Not met. Failing: SVC-001 Running after a pilot that was Not met.
    """
    services = facts.master[Services]
    for row, record, _raw in facts.catalogue:
        if record[S.stage] in PAST_PILOT and record[S.pilot_result] == PilotResult.NOT_MET:
            yield problem_at(
                services, row, S.pilot_result, record[S.service_id],
                f"{service_name(record, row)} {is_at(record[S.stage])} but its pilot's "
                "result is Not met.",
                "Pilot it again, change it or close it; if a later pilot met its success "
                "criteria, enter that result and its date.")


# --- pilot people --------------------------------------------------------------------------


@rule("L125", INFO, "A service in Pilot or later names no Operatives",
      kind=CONVENTION,
      why="The testing of a service may include piloting it with a selection of Service "
          "Operatives: \"may\", so naming them from the pilot on is a convention, not a "
          "requirement, and a blank Operatives is worth a look, no more.",
      fails=[Edit(Services, "SVC-001", {S.operatives: None})], cell="Services!R2",
      passes=[Edit(Services, "SVC-002", {S.operatives: None})])
def no_operatives(facts: Facts) -> Iterator[Problem]:
    """Service Operatives carry out a service's procedures; a pilot may already include a
    selection of them. A service in Pilot, Transition or Running names its Operatives.

    Passing: SVC-002 in Design with no Operatives. Failing: SVC-001, Running, with
    Operatives blank.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if (record[S.stage] in OPERATED and record[S.operatives] is None
                and _blank(raw.get(S.operatives))):
            yield problem_at(
                services, row, S.operatives, record[S.service_id],
                f"{service_name(record, row)} {is_at(record[S.stage])} but names no "
                "Operatives.",
                "Enter the Person IDs of the Service Operatives who carry out its procedures "
                "(separated by ;).")


# --- outcomes measured ---------------------------------------------------------------------


@rule("K110", ERROR, "A service past its pilot has no Outcome KPI",
      kind=REQUIRED,
      why="Testing and pilot validate that the service will deliver the outcomes expected of "
          "it; from then on a KPI that evidences the outcome, with its Target, is how the "
          "owner monitors it.",
      fails=[Edit(KPIs, "KPI-02", {KPIs.evidences: Evidence.OUTPUT})], cell="Services!A2",
      passes=[Edit(KPIs, "KPI-02", {KPIs.evidences: Evidence.OUTPUT}),
              Edit(KPIs, "KPI-01", {KPIs.evidences: Evidence.OUTCOME})])
def no_outcome_kpi(facts: Facts) -> Iterator[Problem]:
    """A service in Transition or Running has at least one KPI in force whose Evidences is
    Outcome: its success criteria, with a Target, and what shows whether it delivers the
    outcome it was set up for. A Running service with no KPI at all is K101's finding.

    Passing: SVC-001's KPI-01 evidences its outcome (KPI-02 only its output). Failing:
    neither KPI of SVC-001 evidences an outcome.
    """
    services = facts.master[Services]
    by_service = facts.kpis_by_service
    for row, record, _raw in facts.catalogue:
        sid = record[S.service_id]
        if sid is None or record[S.stage] not in PAST_PILOT:
            continue
        kpis = by_service.get(sid, [])
        if not kpis and record[S.stage] == Stage.RUNNING:
            continue  # K101 says it has no KPI at all
        if not any(k.evidences == Evidence.OUTCOME for k in kpis):
            yield problem_at(
                services, row, S.service_id, sid,
                f"{service_name(record, row)} {is_at(record[S.stage])} but no KPI of it "
                "evidences its outcome.",
                f"Add a KPI for {sid} with Evidences = Outcome and a Target (its success "
                "criteria), or set Evidences on the KPI that shows the outcome.")


# --- risks with their actions --------------------------------------------------------------


@rule("G110", ERROR, "An open High or Critical risk or issue has no Action or Target Date",
      kind=REQUIRED,
      why="Risks and issues need to be managed, escalated to agree and manage an appropriate "
          "mitigation and action; a serious one with no action, or no date for it, is not "
          "being managed.",
      fails=[Edit(Risks, "RSK-001", {Risks.severity: Severity.HIGH,
                                     Risks.escalation_level: TOP_ESCALATION,
                                     Risks.action: None})],
      cell="'Risks and Issues'!K2",
      passes=[Edit(Risks, "RSK-001", {Risks.severity: Severity.MEDIUM, Risks.action: None,
                                      Risks.target_date: None})])
def serious_without_action(facts: Facts) -> Iterator[Problem]:
    """An open (not Closed) High or Critical risk or issue has the mitigation or action
    agreed for it (Action) and the date it is due (Target Date). One finding per blank
    cell, for the item's Owner, the Service Owner copied.

    Passing: RSK-001, Medium, with neither. Failing: RSK-001, High, with no Action.
    """
    table = facts.master[Risks]
    for row, item in facts.open_items:
        if item[Risks.severity] not in SERIOUS_SEVERITIES:
            continue
        for header in (Risks.action, Risks.target_date):
            if _blank(item[header]):
                yield problem_at(
                    table, row, header, item[Risks.item_id],
                    f"{item[Risks.type] or 'Item'} {item[Risks.item_id]} is "
                    f"{item[Risks.severity]} and {(item[Risks.status] or 'open').lower()} "
                    f"but has no {header}.",
                    "Agree the mitigation or action and the date it is due with the Service "
                    "Owner, and enter them." if header == Risks.action else
                    "Enter the date the agreed action is due.")


# --- what a risk led to ---------------------------------------------------------------------


@rule("X104", ERROR, "A risk or issue's Led To is not a change of its service or Closure",
      kind=REQUIRED,
      why="Led To links a risk or issue to what it caused, a change to its service or the "
          "service's closure; one that names anything else links to nothing.",
      fails=[Edit(Risks, "RSK-001", {Risks.led_to: "CHG-099"})], cell="'Risks and Issues'!L2",
      passes=[Edit(Risks, "RSK-001", {Risks.led_to: " chg-001 "})])
def led_to_unknown(facts: Facts) -> Iterator[Problem]:
    """An item's Led To is blank, `Closure`, or the Change ID of a change to the same
    service (any case or spacing).

    Passing: RSK-001 led to CHG-001, a change of its service SVC-001. Failing: it names
    CHG-099, which is not in Changes.
    """
    table, changes = facts.master[Risks], facts.master[Changes]
    service_of: dict[str, object] = {}
    if changes.present:
        for _row, change in changes.rows():
            if change[Changes.change_id] is not None:
                service_of.setdefault(str(change[Changes.change_id]).strip().casefold(),
                                      change[Changes.service_id])
    for row, item in table.rows():
        led = item[Risks.led_to]
        if _blank(led):
            continue
        key = str(led).strip().casefold()
        if key == LED_TO_CLOSURE.casefold():
            continue
        if key not in service_of:
            yield problem_at(
                table, row, Risks.led_to, item[Risks.item_id],
                f"{item[Risks.item_id]} led to {str(led).strip()!r}, which is not a Change ID "
                "in Changes nor Closure.",
                "Enter the Change ID of the change it led to, or Closure.")
        elif service_of[key] != item[Risks.service_id]:
            yield problem_at(
                table, row, Risks.led_to, item[Risks.item_id],
                f"{item[Risks.item_id]} (a risk to {item[Risks.service_id]}) led to "
                f"{str(led).strip()}, a change of {service_of[key] or 'a PMO'}.",
                "Enter a change of the item's own service, or move the item to the service "
                "the change is about.")

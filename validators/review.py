"""V — review and decisions: is each service still worth running, and can we take this on?

The other families ask whether the master is consistent; these ask what governance has to
decide. The method's words: "make sure what we already deliver is still needed" (periodic
review); a service closes when "the level of service … cannot be achieved" (chronic Red
KPIs); a new service "cannot be taken in isolation … may require closing another"
(headroom); the set-up "can be run as a project" (planned dates and their slips);
"individuals with the right level of competence" and "better to say no" to services
outside the skillset (required skills). Every number comes from the run's Facts, which the
status report and the pack email read too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import INFO, WARNING, Problem
from pmo_xl.period import period_label
from pmo_xl.validators.common import all_present, fte, is_at, problem_at
from pmo_xl.validators.registry import CONVENTION, RECOMMENDED, Edit, rule
from pmo_xl.validators.schema import (
    ClosureReason,
    Documents,
    KeyDocument,
    KPIActuals,
    KPIs,
    People,
    Procedures,
    Services,
    Stage,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts, Review

D = dt.date
S = Services
_REVIEW_HINT = ("Review it with its owner (is it still needed, still right?), then enter the "
                "date in Last Reviewed.")


def _overdue(item: Review, what: str, facts: Facts) -> str:
    interval = facts.settings.review_interval_months
    if item.last_reviewed is None:
        return f"{what} has never been reviewed (Last Reviewed is blank)."
    return (f"{what} was last reviewed on {item.last_reviewed.isoformat()}, more than "
            f"{interval} month{'s' if interval != 1 else ''} ago (due "
            f"{item.due.isoformat()}).")


# --- periodic review -------------------------------------------------------------------------


@rule("V101", WARNING, "A Running service is due for review",
      kind=RECOMMENDED,
      why="Documenting what the PMO already does is not enough: what it delivers needs to be "
          "checked as still needed. How often is the PMO's own choice (Review Interval Months).",
      fails=[Edit(Services, "SVC-001", {S.last_reviewed: D(2025, 11, 14)})],
      cell="Services!AI2",
      passes=[Edit(Services, "SVC-001", {S.last_reviewed: D(2025, 11, 15)})])
def service_review_due(facts: Facts) -> Iterator[Problem]:
    """It is not enough to document what the PMO already does: it has to make sure what it
    already delivers is still needed. A Running service is reviewed at least
    once every review interval (Settings `Review Interval Months`, 12 if not set): its
    Last Reviewed is filled and no older than that. A review that falls due on the as-of
    day is not late yet; a date typed as text is S105's finding.

    Passing: as of 2026-11-15, SVC-001 last reviewed 2025-11-15 (due today). Failing: last
    reviewed 2025-11-14, so the review fell due yesterday.
    """
    services = facts.master[Services]
    for item in facts.reviews_due:
        if item.sheet == Services.SHEET:
            yield problem_at(
                services, item.row, S.last_reviewed, item.record,
                _overdue(item, f"Running service {item.record}", facts),
                "Review the service with its Service Owner: is it still needed, still aligned "
                "and achieving its outcome? Then enter the date in Last Reviewed; if it is no "
                "longer needed, start closing it.")


@rule("V102", WARNING, "A procedure of a Running service is due for review",
      kind=RECOMMENDED,
      why="The Operations Handbook should stay true to how a running service is delivered; a "
          "procedure nobody has reviewed may not be.",
      fails=[Edit(Procedures, "PRD-001", {Procedures.last_reviewed: D(2025, 11, 14)})],
      cell="Procedures!I2",
      passes=[Edit(Procedures, "PRD-001", {Procedures.last_reviewed: D(2025, 11, 15)})])
def procedure_review_due(facts: Facts) -> Iterator[Problem]:
    """The Operations Handbook stays true to how a running service is delivered: each
    procedure of a Running service that is not Retired is reviewed at least once every
    review interval (Settings `Review Interval Months`, 12 if not set).

    Passing: as of 2026-11-15, PRD-001 last reviewed 2025-11-15 (a Retired procedure is not
    judged). Failing: PRD-001 last reviewed 2025-11-14.
    """
    table = facts.master[Procedures]
    for item in facts.reviews_due:
        if item.sheet == Procedures.SHEET:
            yield problem_at(
                table, item.row, Procedures.last_reviewed, item.record,
                _overdue(item, f"Procedure {item.record} of Running service {item.service}",
                         facts),
                _REVIEW_HINT + " A procedure no longer used is set to Retired.")


@rule("V103", WARNING, "A key document is due for review",
      kind=RECOMMENDED,
      why="The key documents reflect every change to the services; one nobody has reviewed may "
          "not.",
      fails=[Edit(Documents, KeyDocument.STRATEGY, {Documents.last_reviewed: D(2025, 11, 14)})],
      cell="Documents!D2",
      passes=[Edit(Documents, KeyDocument.STRATEGY, {Documents.last_reviewed: D(2025, 11, 15)})])
def document_review_due(facts: Facts) -> Iterator[Problem]:
    """The Service Strategy, Service Catalogue and Operations Handbook reflect every change
    to the services, so each is reviewed at least once every review interval
    (Settings `Review Interval Months`, 12 if not set).

    Passing: as of 2026-11-15, the Service Strategy last reviewed 2025-11-15. Failing: last
    reviewed 2025-11-14.
    """
    table = facts.master[Documents]
    for item in facts.reviews_due:
        if item.sheet == Documents.SHEET:
            yield problem_at(table, item.row, Documents.last_reviewed, item.record,
                             _overdue(item, f"The {item.record}", facts), _REVIEW_HINT)


# --- chronic under-performance ----------------------------------------------------------------


@rule("V104", WARNING, "A Running service's KPI has been Red for several periods in a row",
      kind=RECOMMENDED,
      why="A level of service that cannot be achieved is a reason to close a service, and Red "
          "period after period is how it shows.",
      fails=[Edit(KPIs, "KPI-01", {KPIs.target: 98, KPIs.amber_threshold: None,
                                   KPIs.red_threshold: 97})],
      cell="'KPI Actuals'!C11",
      passes=[Edit(KPIs, "KPI-01", {KPIs.target: 97, KPIs.amber_threshold: None,
                                    KPIs.red_threshold: 96})])
def chronic_red(facts: Facts) -> Iterator[Problem]:
    """A KPI Red once is a bad month; Red period after period says the level of service may
    not be achievable, one of the reasons to close a service. A KPI of a
    Running service whose actuals were Red for `Chronic Red Periods` reporting periods in a
    row (Settings, 3 if not set), up to its latest actual, is reported on that latest
    actual, so governance reviews the service: improve it, change its target, or close it
    (`Service level not achievable`). A period with no actual breaks the run. A KPI retired
    before its reporting period ended is history: its Reds are not reported.

    Passing: KPI-01 (target 97, Red Threshold 96) is Green in August 2026, then Red in
    September and October: two in a row. Failing: with target 98 and Red Threshold 97,
    August is Red too: three in a row, reported on October's actual.
    """
    if not all_present(facts, KPIs, KPIActuals):
        return
    actuals = facts.master[KPIActuals]
    running = {sid for sid, stage in facts.stage_of.items() if stage == Stage.RUNNING}
    for kpi in facts.kpi_statuses:
        run = facts.chronic_red.get(kpi.kpi_id)
        if run is None or kpi.service_id not in running:
            continue
        span = (f"{period_label(kpi.frequency, run.first)} to "
                f"{period_label(kpi.frequency, run.last)}")
        yield problem_at(
            actuals, run.row, KPIActuals.actual, kpi.kpi_id,
            f"KPI {kpi.kpi_id} ({kpi.name or 'unnamed'}) of {kpi.service_id} has been Red for "
            f"{run.length} reporting periods in a row ({span}): the service may need a "
            f"review, or closure ({ClosureReason.LEVEL_NOT_ACHIEVABLE}).",
            "Put the service to its Service Owner for review: agree an improvement (a "
            "change or continuous improvement), a target it can achieve, or its closure.")


# --- can we take this on? -----------------------------------------------------------------


@rule("V105", WARNING, "A Proposed service would take its Lead PMO over capacity",
      kind=RECOMMENDED,
      why="Setting up a new service cannot be decided in isolation of the services already "
          "delivered; agreeing to one may require closing another.",
      fails=[Edit(Services, "SVC-003", {S.planned_fte: 4.1})], cell="Services!O4",
      passes=[Edit(Services, "SVC-003", {S.planned_fte: 4})])
def proposal_over_capacity(facts: Facts) -> Iterator[Problem]:
    """Setting up a new service cannot be decided in isolation of the services already
    delivered and those in set-up; agreeing to one may require closing another.
    A Proposed service whose Planned FTE is more than its Lead PMO's headroom (Capacity FTE
    minus the Planned FTE of the services it leads from Design to Closing) would take that
    PMO over capacity if approved; the message gives the headroom. Exactly filling the
    headroom is fine. A PMO with no Capacity FTE is not judged.

    Passing: PMO-1 has capacity 6 and SVC-001 (Running) plans 2 FTE: 4 FTE of headroom for
    SVC-003's 4. Failing: SVC-003 plans 4.1 FTE.
    """
    services = facts.master[Services]
    for proposal in facts.proposals:
        if not proposal.over_capacity:
            continue
        pmo = proposal.lead_pmo
        yield problem_at(
            services, proposal.row, S.planned_fte, proposal.service_id,
            f"{proposal.service_id} plans {fte(proposal.planned_fte)} FTE, but its Lead PMO "
            f"{pmo} has {fte(proposal.headroom)} FTE of headroom (Capacity "
            f"{fte(proposal.capacity)}, {fte(proposal.committed)} planned for its active "
            f"services): approving it would take {pmo} {fte(-proposal.left)} FTE over "
            "capacity.",
            f"Before approving it, decide what gives: raise {pmo}'s capacity, lead it from "
            "another PMO, reduce the effort, or close or shrink another service.")


@rule("V106", WARNING, "A Proposed service has no Planned FTE",
      kind=RECOMMENDED,
      why="A proposal can be weighed against its Lead PMO's capacity only when it says what "
          "effort it takes.",
      fails=[Edit(Services, "SVC-003", {S.planned_fte: None})], cell="Services!O4",
      passes=[Edit(Services, "SVC-003", {S.planned_fte: 0})])
def proposal_without_fte(facts: Facts) -> Iterator[Problem]:
    """Governance can only weigh a proposal against its Lead PMO's capacity when it says what
    effort it takes: a Proposed service has a Planned FTE (0 if it takes none).

    Passing: SVC-003 is Proposed with Planned FTE 0.5 (or 0). Failing: it is blank.
    """
    services = facts.master[Services]
    for row, record, raw in facts.catalogue:
        if (record[S.stage] == Stage.PROPOSED and record[S.planned_fte] is None
                and raw[S.planned_fte] is None):
            sid = record[S.service_id]
            yield problem_at(
                services, row, S.planned_fte, sid,
                f"{sid or 'The service'} is Proposed but has no Planned FTE, so nobody can "
                f"tell whether {record[S.lead_pmo] or 'its Lead PMO'} can take it on.",
                "Enter the effort the service would take in full-time equivalents.")


# --- competence ---------------------------------------------------------------------------


@rule("V107", WARNING, "A service's team lacks one of its Required Skills",
      kind=RECOMMENDED,
      why="A PMO delivers its services through individuals with the right level of competence; a "
          "team without a skill its service needs is at risk.",
      fails=[Edit(Services, "SVC-001", {S.required_skills: "Reporting"})],
      cell="Services!AJ2",
      passes=[Edit(Services, "SVC-001", {S.required_skills: "Reporting"}),
              Edit(People, "P-005", {People.skills: "Data analysis; reporting"})])
def team_lacks_skill(facts: Facts) -> Iterator[Problem]:
    """A PMO delivers services through individuals with the right level of competence.
    From Pilot until it closes, a service's Service Managers and Operatives together
    hold each of its Required Skills (in People's Skills; matched ignoring case and spaces).
    The Service Owner does not count: they are accountable, not delivering. A team member
    not in People is X101's finding and the service is not judged.

    Passing: SVC-001 requires Reporting and its operative P-005 has `reporting`. Failing:
    nobody on SVC-001's team has Reporting.
    """
    if not all_present(facts, People):
        return
    services = facts.master[Services]
    for sid, missing in facts.skill_gaps.items():
        row = facts.service_row[sid]
        stage = facts.stage_of.get(sid)
        yield problem_at(
            services, row, S.required_skills, sid,
            f"{sid} {is_at(stage)} but nobody among its Service Managers and Operatives has "
            f"{_and(missing)}.",
            "Add someone with the skill to the team, develop it in the team (record it in "
            "People's Skills), or source it outside the PMO.")


@rule("V108", INFO, "A Proposed service needs a skill its Lead PMO does not have",
      kind=CONVENTION,
      why="It is better to say no to a service outside the PMO's skillset than to agree and fail "
          "to deliver it, and better still to upskill: information for the decision.",
      fails=[Edit(Services, "SVC-003", {S.required_skills: "Knowledge management"})],
      cell="Services!AJ4",
      passes=[Edit(Services, "SVC-003", {S.required_skills: "Knowledge management"}),
              Edit(People, "P-004", {People.skills: "Knowledge Management"})])
def proposal_lacks_skill(facts: Facts) -> Iterator[Problem]:
    """A service-based PMO is better off saying no to services outside its skillset than
    agreeing and failing to deliver; the ideal is that the organisation agrees to upskill
    it. For a Proposed service, each Required Skill that nobody in its Lead
    PMO has (People's PMO and Skills) is decision information: build the skill, source it,
    or say no.

    Passing: SVC-003 (Lead PMO PMO-1) needs Knowledge management and P-004 of PMO-1 has it.
    Failing: nobody in PMO-1 has it.
    """
    if not all_present(facts, People):
        return
    services = facts.master[Services]
    for proposal in facts.proposals:
        if not proposal.missing_skills:
            continue
        pmo = proposal.lead_pmo
        yield problem_at(
            services, proposal.row, S.required_skills, proposal.service_id,
            f"{proposal.service_id} needs {_and(proposal.missing_skills)}, which nobody in "
            f"{pmo} has.",
            f"Decide before approving it: develop the skill in {pmo}, source it (another PMO "
            "or outside), or say no to the service.")


def _and(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# --- planned dates ------------------------------------------------------------------------


@rule("V109", WARNING, "A planned set-up date has passed but the service has not got there",
      kind=RECOMMENDED,
      why="Setting a service up can be run as a project; a planned date that has passed means the "
          "plan, or the Stage, is out of date.",
      fails=[Edit(Services, "SVC-002", {S.pilot_start: D(2026, 11, 14)})], cell="Services!X3",
      passes=[Edit(Services, "SVC-002", {S.pilot_start: D(2026, 11, 15)})])
def slipped_plan(facts: Facts) -> Iterator[Problem]:
    """Setting a service up is run as a project, so the catalogue may hold its
    plan: an Approved Date, Design Start, Pilot Start, Sign-off Date or Go-live Date for a
    stage the service has not reached yet is a planned date. One that has passed while the
    service is still short of that stage has slipped: the plan, or the Stage, is out of
    date. A plan due on the as-of day has not slipped yet. (A Readiness Assessment Date
    happens during Transition, so a past one is no slip.)

    Passing: as of 2026-11-15, SVC-002 (in Design) plans its Pilot Start for 2026-11-15.
    Failing: the Pilot Start it planned, 2026-11-14, has passed and it is still in Design.
    """
    services = facts.master[Services]
    for sid, plans in facts.planned_dates.items():
        for plan in plans:
            if plan.slipped_days is None:
                continue
            days = plan.slipped_days
            yield problem_at(
                services, plan.row, plan.header, sid,
                f"{sid} planned its {plan.header} for {plan.date.isoformat()} ({days} "
                f"day{'s' if days != 1 else ''} ago) but {is_at(facts.stage_of.get(sid))}, "
                f"not yet at {plan.stage}: the plan has slipped.",
                f"If it has moved on, set its Stage to {plan.stage}; otherwise enter the new "
                f"planned {plan.header} (and tell its Service Owner the plan slipped).")

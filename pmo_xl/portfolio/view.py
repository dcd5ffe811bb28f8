"""What the enterprise outputs show of one member, taken from its own check.

A roll-up lets each member's workbook go once it is checked, so whatever the enterprise
reports, catalogue page and drafts present of a member is taken here, while its check is at
hand, from the same functions and facts its own reports present (the status report's and
the KPI report's headline numbers, its services' health and why, its agenda, its KPIs for
the period): the enterprise outputs add members up, they never recompute a member's number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmo_xl.validators.schema import PMOs, Services, Stage

if TYPE_CHECKING:
    from pmo_xl.reports.catalogue import Entry
    from pmo_xl.validators.engine import CheckResult

# The enterprise catalogue publishes what the demo's does: running services, and pilots
# marked as such.
PUBLISHED_STAGES = (Stage.RUNNING, Stage.PILOT)


@dataclass(frozen=True)
class Contact:
    """A PMO Manager as their own member's People has them."""

    person_id: str
    name: str | None
    email: str | None


@dataclass(frozen=True)
class ServiceLine:
    """A service as the member's status report shows it (its Services sheet)."""

    service_id: str
    name: str | None
    stage: str | None
    lead_pmo: str | None  # the ID
    pmo_name: str | None
    owner: str | None  # the Service Owner's name
    health: str | None  # None for a Closed or Rejected service
    why: str
    errors: int
    warnings: int
    active: bool  # set-up, Running or Closing: counted in the health counts


@dataclass(frozen=True)
class DecisionLine:
    """An item of the member's agenda, as its Decisions needed sheet names it."""

    kind: str
    record: str
    service: str | None
    pmo: str | None
    decider: str  # by name (or why nobody is named)
    headline: str
    summary: str


@dataclass(frozen=True)
class KpiLine:
    """A KPI in its reporting period, as the member's KPI report shows it."""

    kpi_id: str
    measured: str | None  # its service or PMO
    measured_name: str | None
    name: str | None
    unit: str | None
    period: str  # `Oct 2026`
    actual: float | None
    target: float | None
    rag: str


@dataclass
class MemberView:
    name: str
    organisation: str
    periods: str = ""  # its KPI reporting periods, in words
    pmo_names: dict[str, str] = field(default_factory=dict)  # PMO ID -> PMO Name
    managers: dict[str, Contact] = field(default_factory=dict)  # PMO ID -> its PMO Manager
    catalogue: list[Entry] = field(default_factory=list)  # its published services
    status_numbers: list[tuple[str, int]] = field(default_factory=list)  # its status report's
    kpi_numbers: list[tuple[str, int]] = field(default_factory=list)  # its KPI report's
    health: dict[str, int] = field(default_factory=dict)  # active services by health
    stages: dict[str, int] = field(default_factory=dict)  # services by stage
    services: list[ServiceLine] = field(default_factory=list)
    agenda: list[DecisionLine] = field(default_factory=list)
    kpis: list[KpiLine] = field(default_factory=list)


def member_view(result: CheckResult, name: str) -> MemberView:
    from pmo_xl.reports import kpi as kpi_report
    from pmo_xl.reports import status as status_report
    from pmo_xl.reports.catalogue import build_catalogue
    from pmo_xl.reports.common import periods_text

    facts = result.facts
    view = MemberView(name, facts.settings.organisation, periods_text(result))
    for pmo, record in facts.pmos.items():
        view.pmo_names[pmo] = str(record.get(PMOs.pmo_name) or pmo)
        manager = record.get(PMOs.pmo_manager)
        person = facts.people.get(str(manager)) if manager is not None else None
        if person is not None:
            view.managers[pmo] = Contact(person.person_id, person.name, person.email)
    view.catalogue = build_catalogue(result, stages=PUBLISHED_STAGES).entries
    view.status_numbers = status_report.headline_numbers(result)
    # The KPIs in force for the period, as the member's own KPI report counts them (a
    # retired KPI keeps its trend there, but is no longer one of its numbers).
    kpis = facts.current_kpis
    view.kpi_numbers = kpi_report.headline_numbers(kpis)
    view.health = dict(result.active_service_rags)
    view.stages = status_report.services_by_stage(result)
    statuses = result.service_statuses
    for sid, service in facts.services.items():
        status = statuses[sid]
        lead = service[Services.lead_pmo]
        view.services.append(ServiceLine(
            sid, _text(service[Services.service_name]), _text(service[Services.stage]),
            _text(lead), facts.pmo_name(lead), facts.name_of(service[Services.service_owner]),
            status.health, status.why, status.errors, status.warnings, facts.active(sid)))
    for decision in result.agenda:
        view.agenda.append(DecisionLine(
            decision.kind, decision.record, decision.service, decision.pmo,
            facts.name_of(decision.decider) if decision.decider else decision.decider_name,
            decision.headline or decision.summary, decision.summary))
    for kpi in kpis:
        view.kpis.append(KpiLine(kpi.kpi_id, kpi.measured, facts.measured_name(kpi.measured),
                                 kpi.name, kpi.unit, kpi.period_label, kpi.actual, kpi.target,
                                 kpi.rag))
    return view


def _text(value: object) -> str | None:
    return None if value is None else str(value)

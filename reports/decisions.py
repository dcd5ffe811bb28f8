"""What governance has to decide, from one check run: the status report's "Decisions needed"
sheet, the pack email's lines, and the set-up pipeline's plans.

Three kinds of decision (rules.md V): proposals, with the headroom their Lead PMO has and
would have left ("can we take this on?"); services, procedures and key documents due for
review ("is it still needed?"); services whose KPIs have been Red for several periods in a
row (improve it, or close it: "Service level not achievable"). Which records are due or
chronically Red comes from the run's findings (so --select, --ignore and waivers count);
every number comes from the run's Facts. Nothing here is worked out a second time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

from pmo_xl.facts import FTE_TOLERANCE, Facts, KpiStatus, PlannedDate, Proposal, RedRun
from pmo_xl.findings import Finding
from pmo_xl.period import period_label
from pmo_xl.reports.styles import TableColumn, print_setup, write_table
from pmo_xl.validators.common import fte
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import (
    NEXT_STAGE,
    ClosureReason,
    Documents,
    KPIActuals,
    KPIs,
    Procedures,
    Services,
    Stage,
)

DECISIONS_SHEET = "Decisions needed"
REVIEW_RULES = ("V101", "V102", "V103")
CHRONIC_RULE = "V104"
# The date that marks entering each stage, for "next stage planned" in the pipeline.
ENTRY_DATE = {Stage.PILOT: Services.pilot_start, Stage.TRANSITION: Services.sign_off_date,
              Stage.RUNNING: Services.go_live_date}
_KIND = {Services.SHEET: "Service", Procedures.SHEET: "Procedure",
         Documents.SHEET: "Key document"}


@dataclass(frozen=True)
class Review:
    """A record due for review, as its unwaived V101-V103 finding says."""

    kind: str  # Service, Procedure or Key document
    record: str
    service: str | None
    last_reviewed: dt.date | None
    due: dt.date | None
    days_overdue: int | None  # None when it was never reviewed


@dataclass(frozen=True)
class Chronic:
    """A KPI of a Running service Red several periods in a row, as its V104 finding says."""

    kpi: KpiStatus
    run: RedRun
    latest: float | None  # the latest actual, the one the run ends on


@dataclass(frozen=True)
class Crowded:
    """A PMO whose proposals each fit its headroom but not all together: approving one
    means saying no to, or finding capacity for, another (seed §2)."""

    pmo_id: str
    headroom: float
    proposals: tuple[Proposal, ...]

    @property
    def planned(self) -> float:
        return round(sum(p.planned_fte or 0.0 for p in self.proposals), 6)


@dataclass(frozen=True)
class Decisions:
    proposals: list[Proposal]
    reviews: list[Review]
    chronic: list[Chronic]
    crowded: list[Crowded]

    @property
    def count(self) -> int:
        return len(self.proposals) + len(self.reviews) + len(self.chronic)


def _unwaived(findings: list[Finding], *codes: str) -> list[Finding]:
    return [f for f in findings if f.rule in codes and not f.waived]


def decisions_of(result: CheckResult) -> Decisions:
    """The decisions one check run puts to governance."""
    facts = result.facts
    titles = {facts.master[name].title: name for name in _KIND}
    due = {(item.sheet, item.row): item for item in facts.reviews_due}
    reviews = []
    for finding in _unwaived(result.findings, *REVIEW_RULES):
        item = due.get((titles.get(finding.sheet), finding.row))
        if item is None:
            continue
        late = None if item.due is None else (result.as_of - item.due).days
        reviews.append(Review(_KIND[item.sheet], item.record, item.service,
                              item.last_reviewed, item.due, late))
    statuses = {}
    for kpi in facts.kpi_statuses:
        statuses.setdefault(kpi.kpi_id, kpi)
    chronic = []
    for finding in _unwaived(result.findings, CHRONIC_RULE):
        run = facts.chronic_red.get(finding.record or "")
        kpi = statuses.get(finding.record or "")
        if run is not None and kpi is not None:
            latest = facts.actual_at(run.row, KPIActuals.actual)
            chronic.append(Chronic(kpi, run, latest if isinstance(latest, int | float)
                                   else None))
    return Decisions(list(facts.proposals), reviews, chronic, _crowded(facts.proposals))


def _crowded(proposals: list[Proposal]) -> list[Crowded]:
    by_pmo: dict[str, list[Proposal]] = {}
    for proposal in proposals:
        if proposal.lead_pmo and proposal.left is not None and not proposal.over_capacity:
            by_pmo.setdefault(proposal.lead_pmo, []).append(proposal)
    found = []
    for pmo, mine in by_pmo.items():
        crowded = Crowded(pmo, mine[0].headroom or 0.0, tuple(mine))
        if len(mine) > 1 and crowded.planned > crowded.headroom + FTE_TOLERANCE:
            found.append(crowded)
    return found


# --- the email's lines ----------------------------------------------------------------------


def proposal_note(proposal: Proposal) -> str:
    """What approving a proposal would mean, for the end of its line in the email:
    `; it plans 0.3 FTE and would leave PMO-ENT 0.1 FTE of headroom`."""
    pmo = proposal.lead_pmo or "its Lead PMO"
    if proposal.planned_fte is None:
        text = f"; it has no Planned FTE, so whether {pmo} can take it on is unknown"
    elif proposal.headroom is None:
        text = (f"; it plans {fte(proposal.planned_fte)} FTE ({pmo}'s Capacity FTE is not "
                "recorded)")
    elif proposal.over_capacity:
        text = (f"; it plans {fte(proposal.planned_fte)} FTE but {pmo} has "
                f"{fte(proposal.headroom)} FTE of headroom: approving it would take {pmo} "
                f"{fte(-proposal.left)} FTE over capacity")
    else:
        text = (f"; it plans {fte(proposal.planned_fte)} FTE and would leave {pmo} "
                f"{fte(_zero(proposal.left))} of its {fte(proposal.headroom)} FTE of "
                "headroom")
    if proposal.missing_skills:
        text += f"; nobody in {pmo} has {', '.join(proposal.missing_skills)}"
    return text


def _zero(value: float | None) -> float:
    """A headroom within float noise of zero is zero (never `-0`)."""
    return 0.0 if value is None or abs(value) <= FTE_TOLERANCE else value


def review_and_chronic_lines(decisions: Decisions, facts: Facts) -> list[str]:
    """The email's lines for proposals that do not fit together, chronic Red KPIs and
    reviews due (each proposal has its own line)."""
    lines = [_crowded_line(c) for c in decisions.crowded]
    for item in decisions.chronic:
        kpi, run = item.kpi, item.run
        latest = "" if item.latest is None else f", latest {item.latest:g}"
        target = "" if kpi.target is None else f" against a target of {kpi.target:g}"
        lines.append(
            f"{kpi.kpi_id} {_text(kpi.name)} ({_label(kpi.service_id, facts)}): Red for "
            f"{run.length} periods in a row ({period_label(kpi.frequency, run.first)} to "
            f"{period_label(kpi.frequency, run.last)}{latest}{target}) — a candidate for "
            f"improvement or closure ({ClosureReason.LEVEL_NOT_ACHIEVABLE}).")
    procedures = [r for r in decisions.reviews if r.kind == "Procedure"]
    for item in decisions.reviews:
        if item.kind == "Procedure":
            continue
        label = (_label(item.record, facts) if item.kind == "Service"
                 else f"The {item.record}")
        lines.append(f"{label}: due for review ({_when(item)}) — is it still needed and "
                     "still right?")
    if procedures:
        count = len(procedures)
        services = sorted({str(r.service) for r in procedures})
        lines.append(f"{count} procedure{'s' if count != 1 else ''} of Running services "
                     f"({', '.join(services)}) {'are' if count != 1 else 'is'} due for "
                     "review (listed in the status report).")
    return lines


def _crowded_line(crowded: Crowded) -> str:
    ids = ", ".join(p.service_id for p in crowded.proposals)
    return (f"{crowded.pmo_id}: its proposals {ids} each fit, but together plan "
            f"{fte(crowded.planned)} FTE against {fte(crowded.headroom)} FTE of headroom — "
            "approving all of them means finding capacity or closing another service.")


def _when(item: Review) -> str:
    if item.last_reviewed is None:
        return "never reviewed"
    return (f"last reviewed {item.last_reviewed.isoformat()}, due {item.due.isoformat()}, "
            f"{item.days_overdue} days ago")


def _label(sid: object, facts: Facts) -> str:
    name = facts.service_name(sid)
    return f"{sid} {_text(name)}" if name else str(sid)


def _text(text: object) -> str:
    """One line of user text (the email folds line breaks; the workbook carries it whole)."""
    return " ".join(str(text or "").split()).rstrip(".")


# --- the status report's sheet ---------------------------------------------------------------

COLUMNS = [
    TableColumn("Decision", "wrap", 16), TableColumn(Services.service_id),
    TableColumn(Services.service_name, "wrap", 24),
    TableColumn("What the numbers say", "wrap", 48), TableColumn(Services.stage),
    TableColumn(Services.lead_pmo, "wrap", 14), TableColumn(Services.service_owner, "wrap", 14),
    TableColumn("Record"), TableColumn(Services.planned_fte, "number", 8),
    TableColumn("PMO headroom now (FTE)", "number", 10),
    TableColumn("Headroom if approved (FTE)", "number", 10),
    TableColumn("Last reviewed", "date", 11), TableColumn("Review due", "date", 11),
    TableColumn("Red periods in a row", "count", 9), TableColumn("Latest actual", "number", 9),
    TableColumn(KPIs.target, "number", 8),
]


def write_decisions_sheet(sheet: Worksheet, fmt: dict, result: CheckResult) -> int:
    """One table of every decision, proposals first; returns how many there are."""
    facts = result.facts
    decisions = decisions_of(result)
    rows = []
    for proposal in decisions.proposals:
        rows.append(_proposal_row(proposal, facts))
    for crowded in decisions.crowded:
        rows.append([
            "Which of them?", None, None, Stage.PROPOSED, facts.pmo_name(crowded.pmo_id),
            None, ", ".join(p.service_id for p in crowded.proposals), crowded.planned,
            crowded.headroom, round(crowded.headroom - crowded.planned, 6),
            None, None, None, None, None, _crowded_line(crowded),
        ])
    for item in decisions.chronic:
        kpi, run = item.kpi, item.run
        service = facts.services.get(str(kpi.service_id), {})
        rows.append([
            "Improve or close?", kpi.service_id, facts.service_name(kpi.service_id),
            service.get(Services.stage), facts.pmo_name(service.get(Services.lead_pmo)),
            facts.name_of(service.get(Services.service_owner)), kpi.kpi_id, None, None, None,
            None, None, run.length, item.latest, kpi.target,
            f"{kpi.kpi_id} {_text(kpi.name)} has been Red for {run.length} periods in a row "
            f"({period_label(kpi.frequency, run.first)} to "
            f"{period_label(kpi.frequency, run.last)}): improve the service, agree a target "
            f"it can meet, or close it ({ClosureReason.LEVEL_NOT_ACHIEVABLE}).",
        ])
    for item in decisions.reviews:
        sid = item.service
        service = facts.services.get(str(sid), {}) if sid else {}
        owner = service.get(Services.service_owner) if sid else None
        rows.append([
            "Still needed?" if item.kind == "Service" else "Review", sid,
            facts.service_name(sid) if sid else None, service.get(Services.stage),
            facts.pmo_name(service.get(Services.lead_pmo)) if sid else None,
            facts.name_of(owner), None if item.kind == "Service" else item.record,
            None, None, None, item.last_reviewed, item.due, None, None, None,
            f"{item.kind} {item.record}: " + ("never reviewed." if item.last_reviewed is None
                                              else f"review fell due {item.due.isoformat()},"
                                              f" {item.days_overdue} days ago."),
        ])
    # Built in the order of the facts; shown with the sentence beside the name it is about.
    rows = [row[:3] + row[-1:] + row[3:-1] for row in rows]
    write_table(sheet, fmt, COLUMNS, rows, name="Decisions",
                empty="No decision is needed: no proposal, nothing due for review, no "
                      "chronically Red KPI.")
    print_setup(sheet, result.as_of, title=DECISIONS_SHEET)
    return len(rows)


def _proposal_row(proposal: Proposal, facts: Facts) -> list[object]:
    sid = proposal.service_id
    service = facts.services.get(sid, {})
    decision_day = next((p.date for p in facts.planned_dates.get(sid, [])
                         if p.header == Services.approved_date), None)
    when = f" Decision planned for {decision_day.isoformat()}." if decision_day else ""
    return [
        "Approve?", sid, proposal.name, Stage.PROPOSED, facts.pmo_name(proposal.lead_pmo),
        facts.name_of(service.get(Services.service_owner)), None, proposal.planned_fte,
        proposal.headroom, None if proposal.left is None else _zero(proposal.left),
        None, None, None, None, None,
        _sentence(proposal_note(proposal)) + when,
    ]


def _sentence(note: str) -> str:
    """`; it plans 0.3 FTE …` as a sentence: `It plans 0.3 FTE ….`"""
    text = note.removeprefix("; ")
    return text[:1].upper() + text[1:] + "."


# --- the set-up pipeline's plans -----------------------------------------------------------


def next_stage_plan(sid: str, stage: object, facts: Facts) -> tuple[dt.date | None, int | None]:
    """The planned date of the service's move to its next stage, and the days it has
    slipped by (None while the plan lies ahead)."""
    header = ENTRY_DATE.get(NEXT_STAGE.get(stage))
    plan = next((p for p in facts.planned_dates.get(sid, []) if p.header == header), None)
    return (None, None) if plan is None else (plan.date, plan.slipped_days)


def plans_text(sid: str, facts: Facts) -> str | None:
    """`Sign-off Date 2027-01-18 (in 49 days); Go-live Date 2027-03-01 (slipped 3 days)`."""
    parts = [_plan(p, facts.as_of) for p in facts.planned_dates.get(sid, [])]
    return "; ".join(parts) or None


def _plan(plan: PlannedDate, as_of: dt.date) -> str:
    if plan.slipped_days is not None:
        return f"{plan.header} {plan.date.isoformat()} (slipped {plan.slipped_days} days)"
    days = (plan.date - as_of).days
    when = "today" if days == 0 else f"in {days} days" if days > 0 else "passed"
    return f"{plan.header} {plan.date.isoformat()} ({when})"


def actual(service: dict, header: str, facts: Facts) -> dt.date | None:
    """A set-up date as happened: blank where the date is still a plan."""
    sid = str(service[Services.service_id])
    planned = {p.header for p in facts.planned_dates.get(sid, [])}
    value = service[header]
    return None if header in planned or not isinstance(value, dt.date) else value

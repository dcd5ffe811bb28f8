"""The meeting's agenda: every decision governance has to take, as one list, with who decides.

The status report's Summary and its Decisions needed sheet, the pack's email, `pmo-xl
actions` and pack.json all present this one list (meeting.md "One agenda"); nothing else
counts decisions. Each item names its kind, the record it is about, the service and PMO,
the numbers that support it and the person who decides it. In the order the agenda lists
them:

- a proposal to approve, in its Lead PMO's priority order (Priority 1 first), with the
  headroom its Lead PMO has once every higher-priority proposal is approved, and what is
  left after this one; the PMO Director of the Lead PMO decides;
- proposals that each fit their Lead PMO's headroom but not all together;
- a service to improve or close: a KPI Red period after period (V104), or a Running
  service whose Outcome KPIs have all been Red or without data for as long (its outcome
  is not being delivered);
- a High or Critical risk or issue escalated to Service Ownership and still open;
- a closure awaiting the Service Owner's approval;
- a change awaiting the Service Owner's approval;
- a service, procedure or key document due for review (V101-V103).

Which records are due for review or chronically Red comes from the run's unwaived findings,
so waivers and --select/--ignore count (as for the roll-up); every number comes from the
domains below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from pmo_xl.facts.capacity import FTE_TOLERANCE, CapacityFacts, Proposal
from pmo_xl.facts.outcomes import OutcomeFacts
from pmo_xl.facts.reviews import Review, ReviewFacts
from pmo_xl.facts.rollup import RollupFacts
from pmo_xl.period import period_label
from pmo_xl.validators.schema import (
    SERIOUS_SEVERITIES,
    TOP_ESCALATION,
    Changes,
    ClosureReason,
    Documents,
    JobRole,
    KPIActuals,
    PMOs,
    Procedures,
    Risks,
    RiskStatus,
    Services,
)

if TYPE_CHECKING:
    from pmo_xl.findings import Finding

PROPOSAL = "Proposal to approve"
CROWDED = "Proposals that do not all fit"
CHRONIC = "Improve or close"
ESCALATED = "Escalated risk or issue"
CLOSURE = "Closure to approve"
CHANGE = "Change to approve"
REVIEW = "Review due"
KINDS = (PROPOSAL, CROWDED, CHRONIC, ESCALATED, CLOSURE, CHANGE, REVIEW)
# Kinds that ask for an approval (people.md's action kind "approval"); the rest are decisions.
APPROVALS = (PROPOSAL, CLOSURE, CHANGE)
_DIRECTOR = ("the PMO Director of its Lead PMO (failing one, of the PMO above it; failing "
             "that, its PMO Manager)")
# Who decides each kind, and who else hears of it, in words (`pmo-xl actions` routes them so;
# the README's routing table shows this).
WHO_DECIDES = {
    PROPOSAL: (_DIRECTOR, "the proposed service's Service Owner"),
    CROWDED: (_DIRECTOR, ""),
    CHRONIC: ("the service's Service Owner", "the KPI's Owner"),
    ESCALATED: ("the service's Service Owner", "the risk's or issue's Owner"),
    CLOSURE: ("the service's Service Owner", ""),
    CHANGE: ("the service's Service Owner (a change to a PMO: its PMO Manager)", ""),
    REVIEW: ("the Service Owner (of the service, or of the procedure's service), or the key "
             "document's Owner", "the procedure's Owner"),
}

REVIEW_RULES = ("V101", "V102", "V103")
CHRONIC_RULE = "V104"
# Long master text is cut in a decision's sentence; the workbooks carry it whole.
MAX_TEXT = 90


@dataclass(frozen=True)
class Figure:
    """One number (or date, or word) that supports a decision, with its label."""

    label: str
    value: float | int | str | dt.date | None


@dataclass(frozen=True)
class Decision:
    """One item of the meeting's agenda."""

    kind: str  # one of KINDS
    record: str  # the record it is about (for proposals that do not all fit: their IDs)
    service: str | None  # the service it concerns, if one
    pmo: str | None  # the PMO it concerns (the service's Lead PMO, or the PMO itself)
    decider: str | None  # the Person ID of who decides (None: the master names nobody)
    decider_name: str  # their name, or why nobody is named
    summary: str  # one sentence: what is to be decided and why, people named by name
    figures: tuple[Figure, ...]  # the numbers that support it
    sheet: str  # the schema name of the sheet where the decision is recorded
    row: int  # its Excel row there
    column: str  # the header of the cell to change once it is decided
    about: tuple[str, ...] = ()  # Person IDs of the people it is about (they hear of it too)
    headline: str = ""  # the question in a line, with its key number (the first page's list)

    @property
    def approval(self) -> bool:
        return self.kind in APPROVALS

    def figure(self, label: str) -> object:
        return next((f.value for f in self.figures if f.label == label), None)

    def as_record(self) -> dict:
        """As pack.json keeps it: kind, record, service, PMO, who decides, a sentence."""
        return {"kind": self.kind, "record": self.record, "service": self.service,
                "pmo": self.pmo, "decider": self.decider, "summary": self.summary}


# Figure labels, shared by every output that shows them.
PRIORITY = "Priority"
PLANNED_FTE = "Planned FTE"
HEADROOM_BEFORE = "Headroom before (FTE)"  # the Lead PMO's, once those ranked above are in
HEADROOM_AFTER = "Headroom after (FTE)"
TOGETHER_FTE = "Planned FTE together"
HEADROOM = "Headroom (FTE)"
RED_PERIODS = "Red periods in a row"
LATEST = "Latest actual"
TARGET = "Target"
SEVERITY = "Severity"
DAYS_OPEN = "Days open"
DAYS_WAITING = "Days waiting"
LAST_REVIEWED = "Last reviewed"
REVIEW_DUE = "Review due"
DAYS_OVERDUE = "Days overdue"


def fte(value: float | None) -> str:
    """An FTE figure as a person writes it (0.1, not 0.09999999); a zero never shows as -0."""
    if value is None:
        return "unknown"
    return f"{0.0 if abs(value) <= FTE_TOLERANCE else value:g}"


def short(text: object, limit: int = MAX_TEXT) -> str:
    """One line of master text, cut to `limit`, without a closing full stop."""
    line = " ".join(str(text or "").split()).rstrip(".")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def ended(text: str) -> str:
    """A sentence's full stop, unless it was cut short (it then ends in "…")."""
    return text if text.endswith("…") else f"{text}."


@dataclass(frozen=True)
class Ranked:
    """A proposal in its Lead PMO's priority order, with the headroom around it."""

    proposal: Proposal
    before: float | None  # the Lead PMO's headroom once every higher-priority one is approved
    above: tuple[str, ...]  # the higher-priority proposals of the same Lead PMO

    @property
    def after(self) -> float | None:
        planned = self.proposal.planned_fte
        if self.before is None or planned is None:
            return None
        return round(self.before - planned, 6)


class AgendaFacts(OutcomeFacts, RollupFacts, ReviewFacts, CapacityFacts):
    """The meeting's agenda, from the facts below and the run's unwaived findings."""

    # --- who decides ------------------------------------------------------------------

    @cached_property
    def _directors(self) -> dict[str, str]:
        """PMO ID -> the first person in People who is a PMO Director in it."""
        found: dict[str, str] = {}
        for person in self.people.values():
            if person.job_role == JobRole.DIRECTOR and person.pmo:
                found.setdefault(person.pmo, person.person_id)
        return found

    def director_of(self, pmo: object) -> str | None:
        """The PMO Director of a PMO: the first person in People whose Job Role is PMO
        Director and whose PMO it is; failing that, its parent PMO's (and so on up); failing
        that, its PMO Manager. None when the master names nobody."""
        seen: set[str] = set()
        current = None if pmo is None else str(pmo).strip()
        while current and current not in seen:
            seen.add(current)
            if current in self._directors:
                return self._directors[current]
            record = self.pmos.get(current)
            parent = record.get(PMOs.parent_pmo) if record else None
            current = None if parent is None else str(parent).strip()
        record = self.pmos.get(str(pmo).strip()) if pmo is not None else None
        manager = record.get(PMOs.pmo_manager) if record else None
        return str(manager) if manager is not None and str(manager) in self.people else None

    def lead_pmo_of(self, sid: object) -> str | None:
        record = self.services.get(str(sid)) if sid is not None else None
        lead = record.get(Services.lead_pmo) if record else None
        return None if lead is None else str(lead)

    def _decider(self, person: object) -> tuple[str | None, str]:
        """(Person ID, name) of who decides; an ID not in People is nobody."""
        if person is None:
            return None, "nobody named"
        pid = str(person).strip()
        if pid not in self.people:
            return None, f"nobody named ({pid} is not in People)"
        return pid, self.person_label(pid)

    def _label(self, sid: object, limit: int = MAX_TEXT) -> str:
        name = self.service_name(sid) if str(sid) in self.services else self.pmo_name(sid)
        return f"{sid} {short(name, limit)}" if name and name != str(sid) else str(sid)

    @staticmethod
    def _fits(planned: float | None, ranked: Ranked, pmo: str) -> str:
        """`Plans 0.3 FTE; leaves PMO-ENT 0.1 FTE of headroom.` (a proposal's headline)."""
        if planned is None:
            return "No Planned FTE."
        if ranked.after is None:
            return f"Plans {fte(planned)} FTE; {pmo}'s capacity is not recorded."
        if ranked.after < -FTE_TOLERANCE:
            return f"Plans {fte(planned)} FTE: {pmo} {fte(-ranked.after)} FTE over capacity."
        return f"Plans {fte(planned)} FTE; leaves {pmo} {fte(ranked.after)} FTE of headroom."

    def _about(self, *people: object, decider: str | None) -> tuple[str, ...]:
        found = []
        for person in people:
            pid = None if person is None else str(person).strip()
            if pid and pid in self.people and pid != decider and pid not in found:
                found.append(pid)
        return tuple(found)

    # --- the agenda ------------------------------------------------------------------

    def ranked_proposals(self) -> list[Ranked]:
        """Every proposal in its Lead PMO's priority order (Lead PMOs in the order their
        first proposal appears; within one, Priority 1 first, a blank Priority last, then
        catalogue order), with the headroom left once those above it are approved."""
        by_pmo: dict[str | None, list[Proposal]] = {}
        for proposal in self.proposals:
            by_pmo.setdefault(proposal.lead_pmo, []).append(proposal)
        order = {p.service_id: i for i, p in enumerate(self.proposals)}
        found: list[Ranked] = []
        for mine in by_pmo.values():
            mine = sorted(mine, key=lambda p: (self._priority(p) is None,
                                               self._priority(p) or 0, order[p.service_id]))
            taken = 0.0
            above: list[str] = []
            for proposal in mine:
                before = None if proposal.headroom is None else round(
                    proposal.headroom - taken, 6)
                found.append(Ranked(proposal, before, tuple(above)))
                taken += proposal.planned_fte or 0.0
                above.append(proposal.service_id)
        return found

    def _priority(self, proposal: Proposal) -> float | None:
        value = self.services.get(proposal.service_id, {}).get(Services.priority)
        return value if isinstance(value, int | float) else None

    def agenda(self, findings: Iterable[Finding]) -> list[Decision]:
        """The decisions the meeting must take, in agenda order (see the module docstring)."""
        findings = [f for f in findings if not f.waived]
        found: list[Decision] = []
        ranked = self.ranked_proposals()
        for pmo in dict.fromkeys(r.proposal.lead_pmo for r in ranked):
            mine = [r for r in ranked if r.proposal.lead_pmo == pmo]
            found += [self._proposal(r) for r in mine]
            crowded = self._crowded(pmo, mine)
            if crowded is not None:
                found.append(crowded)
        chronic = self._chronic(findings)
        found += chronic + self._outcomes_unmet({d.service for d in chronic})
        found += self._escalated()
        found += self._closures()
        found += self._changes()
        found += self._reviews(findings)
        return found

    def _proposal(self, ranked: Ranked) -> Decision:
        proposal = ranked.proposal
        sid, pmo = proposal.service_id, proposal.lead_pmo
        decider, name = self._decider(self.director_of(pmo))
        where = pmo or "its Lead PMO"
        priority = self._priority(proposal)
        rank = f" (priority {priority:g})" if priority is not None else ""
        above = ""
        if ranked.above:
            verb = "is" if len(ranked.above) == 1 else "are"
            above = f" once {', '.join(ranked.above)}, ranked above it, {verb} approved"
        if proposal.planned_fte is None:
            numbers = (f"it has no Planned FTE, so whether {where} can take it on is "
                       "unknown")
        elif ranked.before is None:
            numbers = (f"it plans {fte(proposal.planned_fte)} FTE ({where}'s Capacity FTE is "
                       "not recorded)")
        elif ranked.before < -FTE_TOLERANCE:
            numbers = (f"it plans {fte(proposal.planned_fte)} FTE, and {where} would already "
                       f"be {fte(-ranked.before)} FTE over capacity{above}: approving it too "
                       f"would take {where} {fte(-ranked.after)} FTE over capacity")
        elif ranked.after is not None and ranked.after < -FTE_TOLERANCE:
            numbers = (f"it plans {fte(proposal.planned_fte)} FTE but {where} has "
                       f"{fte(ranked.before)} FTE of headroom{above}: approving it would take "
                       f"{where} {fte(-ranked.after)} FTE over capacity")
        else:
            numbers = (f"it plans {fte(proposal.planned_fte)} FTE and would leave {where} "
                       f"{fte(ranked.after)} of its {fte(ranked.before)} FTE of headroom"
                       f"{above}")
        if proposal.missing_skills:
            numbers += f"; nobody in {where} has {', '.join(proposal.missing_skills)}"
        planned = next((p.date for p in self.planned_dates.get(sid, [])
                        if p.header == Services.approved_date), None)
        if planned is not None:
            numbers += f". The decision is planned for {planned.isoformat()}"
        record = self.services.get(sid, {})
        return Decision(
            PROPOSAL, sid, sid, pmo, decider, name,
            f"Approve {self._label(sid)}{rank}? {numbers[:1].upper()}{numbers[1:]}.",
            (Figure(PRIORITY, priority), Figure(PLANNED_FTE, proposal.planned_fte),
             Figure(HEADROOM_BEFORE, ranked.before), Figure(HEADROOM_AFTER, ranked.after)),
            Services.SHEET, proposal.row, Services.stage,
            self._about(record.get(Services.service_owner), decider=decider),
            f"Approve {self._label(sid, 40)}? {self._fits(proposal.planned_fte, ranked, where)}")

    def _crowded(self, pmo: str | None, ranked: list[Ranked]) -> Decision | None:
        """The Lead PMO's proposals that each fit its headroom alone but not together."""
        fitting = [r.proposal for r in ranked if r.proposal.planned_fte is not None
                   and r.proposal.left is not None and not r.proposal.over_capacity]
        if pmo is None or len(fitting) < 2:
            return None
        headroom = fitting[0].headroom or 0.0
        together = round(sum(p.planned_fte or 0.0 for p in fitting), 6)
        if together <= headroom + FTE_TOLERANCE:
            return None
        ids = [p.service_id for p in fitting]
        decider, name = self._decider(self.director_of(pmo))
        listed = ", ".join(ids[:-1]) + f" and {ids[-1]}"
        row = self.pmo_rows.get(pmo)
        return Decision(
            CROWDED, ", ".join(ids), None, pmo, decider, name,
            f"Which of {pmo}'s proposals {listed}? Each fits its {fte(headroom)} FTE of "
            f"headroom, but together they plan {fte(together)} FTE: approving all of them "
            "means finding capacity or closing another service.",
            (Figure(TOGETHER_FTE, together), Figure(HEADROOM, headroom),
             Figure(HEADROOM_AFTER, round(headroom - together, 6))),
            PMOs.SHEET if row is not None else Services.SHEET,
            row if row is not None else fitting[0].row,
            PMOs.capacity_fte if row is not None else Services.stage,
            headline=f"Which of {listed}? Together {fte(together)} FTE against {pmo}'s "
                     f"{fte(headroom)} FTE of headroom.")

    def _chronic(self, findings: list[Finding]) -> list[Decision]:
        statuses = {}
        for kpi in self.kpi_statuses:
            statuses.setdefault(kpi.kpi_id, kpi)
        found = []
        for finding in findings:
            if finding.rule != CHRONIC_RULE:
                continue
            run = self.chronic_red.get(finding.record or "")
            kpi = statuses.get(finding.record or "")
            if run is None or kpi is None:
                continue
            latest = self.actual_at(run.row, KPIActuals.actual)
            latest = latest if isinstance(latest, int | float) else None
            sid = kpi.service_id
            pmo = self.lead_pmo_of(sid) if sid is not None else kpi.pmo_id
            owner = self.owner_of(sid) if sid is not None else self.director_of(kpi.pmo_id)
            decider, name = self._decider(owner)
            said = f", latest {latest:g}" if latest is not None else ""
            target = f" against a target of {kpi.target:g}" if kpi.target is not None else ""
            found.append(Decision(
                CHRONIC, kpi.kpi_id, None if sid is None else str(sid), pmo, decider, name,
                f"Improve {self._label(sid if sid is not None else kpi.pmo_id)}, agree a "
                f"target it can meet, or close it ({ClosureReason.LEVEL_NOT_ACHIEVABLE})? "
                f"{kpi.kpi_id} {short(kpi.name)} has been Red for {run.length} periods in a "
                f"row ({period_label(kpi.frequency, run.first)} to "
                f"{period_label(kpi.frequency, run.last)}{said}{target}).",
                (Figure(RED_PERIODS, run.length), Figure(LATEST, latest),
                 Figure(TARGET, kpi.target)),
                KPIActuals.SHEET, run.row, KPIActuals.actual,
                self._about(kpi.owner, decider=decider),
                f"Improve or close {self._label(sid if sid is not None else kpi.pmo_id, 40)}? "
                f"{kpi.kpi_id} Red {run.length} periods in a row{said}{target}."))
        return found

    def _outcomes_unmet(self, on_agenda: set[str | None]) -> list[Decision]:
        """Running services whose Outcome KPIs have all been Red or without data for the
        chronic-Red run: the service is not delivering what it was set up for. A service
        already on the agenda for a chronically Red KPI is not asked about twice."""
        found = []
        for sid, miss in self.outcomes_unmet.items():
            if sid in on_agenda:
                continue
            record = self.services.get(sid, {})
            decider, name = self._decider(record.get(Services.service_owner))
            measures = ", ".join(f"{k.kpi_id} {short(k.name, 40)}" for k in miss.kpis)
            outcome = short(record.get(Services.desired_outcome) or "its desired outcome")
            found.append(Decision(
                CHRONIC, sid, sid, self.lead_pmo_of(sid), decider, name,
                f"Improve {self._label(sid)}, or close it "
                f"({ClosureReason.LEVEL_NOT_ACHIEVABLE})? Its outcome ({outcome}) has "
                f"not been shown delivered for {miss.periods} periods in a row: every KPI "
                f"that measures it ({measures}) was Red or without data.",
                (Figure(RED_PERIODS, miss.periods),),
                Services.SHEET, miss.row, Services.stage,
                self._about(*(k.owner for k in miss.kpis), decider=decider),
                f"Improve or close {self._label(sid, 40)}? Outcome unmet {miss.periods} "
                "periods in a row."))
        return found

    def _escalated(self) -> list[Decision]:
        found = []
        for row, item in self.open_items:
            if (item[Risks.severity] not in SERIOUS_SEVERITIES
                    or item[Risks.escalation_level] != TOP_ESCALATION):
                continue
            sid = item[Risks.service_id]
            decider, name = self._decider(self.owner_of(sid))
            kind = str(item[Risks.type] or "item").lower()
            raised = item[Risks.raised_date]
            days = (self.as_of - raised).days if isinstance(raised, dt.date) else None
            status = item[Risks.status]
            status = f" ({status})" if status and status != RiskStatus.OPEN else ""
            found.append(Decision(
                ESCALATED, str(item[Risks.item_id]), None if sid is None else str(sid),
                self.lead_pmo_of(sid), decider, name,
                f"{item[Risks.item_id]}, a {item[Risks.severity]} {kind} to "
                f"{self._label(sid)} escalated to {TOP_ESCALATION}, still open"
                f"{status}: {short(item[Risks.description])}.",
                (Figure(SEVERITY, item[Risks.severity]), Figure(DAYS_OPEN, days),
                 Figure(Risks.target_date, item[Risks.target_date])),
                Risks.SHEET, row, Risks.status,
                self._about(item[Risks.owner], decider=decider),
                f"{item[Risks.item_id]} ({item[Risks.severity]} {kind}, {sid}): "
                f"{ended(short(item[Risks.description], 60))}"))
        return found

    def _closures(self) -> list[Decision]:
        found = []
        for sid in self.closures_awaiting_approval:
            record = self.services[sid]
            decider, name = self._decider(record[Services.service_owner])
            reason = record[Services.closure_reason]
            because = f" ({short(reason)})" if reason else ""
            found.append(Decision(
                CLOSURE, sid, sid, self.lead_pmo_of(sid), decider, name,
                f"Approve the closure of {self._label(sid)}{because}?",
                (Figure(Services.planned_end_date, record[Services.planned_end_date]),),
                Services.SHEET, self.service_row[sid], Services.closure_approved_date,
                headline=f"Approve the closure of {self._label(sid, 50)}?"))
        return found

    def _changes(self) -> list[Decision]:
        found = []
        for row, change in self.changes_awaiting_approval:
            sid, pmo = change[Changes.service_id], change[Changes.pmo_id]
            if sid is None and pmo is not None:  # a change to a PMO: its PMO Manager decides
                decider, name = self._decider(self.pmos.get(str(pmo), {}).get(PMOs.pmo_manager))
                label, target, lead = self.pmo_name(pmo) or str(pmo), str(pmo), str(pmo)
            else:
                decider, name = self._decider(self.owner_of(sid))
                label, target, lead = self._label(sid), sid, self.lead_pmo_of(sid)
            asked = change[Changes.requested_date]
            days = (self.as_of - asked).days if isinstance(asked, dt.date) else None
            found.append(Decision(
                CHANGE, str(change[Changes.change_id]), None if sid is None else str(sid),
                lead, decider, name,
                f"Approve or reject {change[Changes.change_id]} to {label}: "
                f"{short(change[Changes.description])}?",
                (Figure(DAYS_WAITING, days),),
                Changes.SHEET, row, Changes.status,
                headline=f"Approve {change[Changes.change_id]} to {target}? "
                         f"{ended(short(change[Changes.description], 60))}"))
        return found

    def _reviews(self, findings: list[Finding]) -> list[Decision]:
        titles = {self.master[name].title: name
                  for name in (Services.SHEET, Procedures.SHEET, Documents.SHEET)}
        due = {(item.sheet, item.row): item for item in self.reviews_due}
        found = []
        for finding in findings:
            if finding.rule not in REVIEW_RULES:
                continue
            item = due.get((titles.get(finding.sheet), finding.row))
            if item is not None:
                found.append(self._review(item))
        return found

    def _review(self, item: Review) -> Decision:
        sid = item.service
        late = None if item.due is None else (self.as_of - item.due).days
        when = ("It has never been reviewed." if item.last_reviewed is None else
                f"Its review fell due on {item.due.isoformat()}, {late} days ago.")
        when_short = ("Never reviewed" if item.last_reviewed is None
                      else f"Review due {item.due.isoformat()}")
        if item.sheet == Services.SHEET:
            owner, what, column = self.owner_of(sid), self._label(sid), Services.last_reviewed
            pmo = self.lead_pmo_of(sid)
            question = f"Is {what} still needed and still right?"
            headline = f"Is {self._label(sid, 50)} still needed?"
            owners: tuple[object, ...] = ()
        elif item.sheet == Procedures.SHEET:
            procedure = self._procedure_at.get(item.row)
            owner = self.owner_of(sid)
            column, pmo = Procedures.last_reviewed, self.lead_pmo_of(sid)
            question = (f"Is procedure {item.record} of {self._label(sid)} still how the "
                        "service is delivered?")
            headline = f"Is procedure {item.record} of {sid} still right?"
            owners = (procedure.owner,) if procedure else ()
        else:
            record = self._documents.get(item.row, {})
            owner, column, pmo = record.get(Documents.owner), Documents.last_reviewed, None
            question = f"Is the {item.record} still right?"
            headline = question
            owners = ()
        decider, name = self._decider(owner)
        return Decision(
            REVIEW, item.record, sid, pmo, decider, name, f"{question} {when}",
            (Figure(LAST_REVIEWED, item.last_reviewed), Figure(REVIEW_DUE, item.due),
             Figure(DAYS_OVERDUE, late)),
            item.sheet, item.row, column, self._about(*owners, decider=decider),
            f"{headline} {when_short}.")

    @cached_property
    def _procedure_at(self) -> dict[int, object]:
        """Excel row in Procedures -> its procedure (a review names its row)."""
        return {item.row: item for item in self.procedures}

    @cached_property
    def _documents(self) -> dict[int, dict]:
        table = self.master[Documents]
        return dict(table.rows()) if table.present else {}

    @cached_property
    def pmo_rows(self) -> dict[str, int]:
        """PMO ID -> its Excel row in PMOs (the first row of a repeated ID)."""
        found: dict[str, int] = {}
        for row, record in self.master[PMOs].rows():
            if record[PMOs.pmo_id] is not None:
                found.setdefault(str(record[PMOs.pmo_id]), row)
        return found

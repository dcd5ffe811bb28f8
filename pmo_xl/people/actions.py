"""Who has to act before the meeting: each person's items, as plain data, routed by one table.

A check's findings say what is wrong; this says whose it is to put right. Every finding
that is not waived goes to the people who own the record it sits on, by the sheet of its
cell (:data:`ROUTES`, the one table; the README shows it). Nobody to own it: the PMO
Manager of the service's Lead PMO; nobody there either: the unassigned list, with the
reason. Beside the findings come what no finding says: the meeting's agenda (each decision
to the person who decides it, and to the people it is about: :data:`WHO_DECIDES`), reviews
coming due, and (only when the rule that says them was not run) overdue items and missing
actuals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.facts import Decision, Facts, Person, agenda
from pmo_xl.facts.agenda import WHO_DECIDES
from pmo_xl.findings import ERROR, INFO, WARNING, Finding, FindingOrder
from pmo_xl.people.email_address import usable_email
from pmo_xl.period import add_months
from pmo_xl.validators.schema import (
    RACI,
    SIPOC,
    Changes,
    Documents,
    KeyDocument,
    KPIActuals,
    KPIs,
    LifecycleLog,
    People,
    PMOs,
    Procedures,
    Risks,
    Rules,
    Services,
    Settings,
    Strategy,
    Waivers,
    split_list,
)

if TYPE_CHECKING:
    from pmo_xl.validators.engine import CheckResult

# The kinds of action (people.md). A finding is always kind `finding`, with its rule. An
# item of the meeting's agenda is an `approval` (a proposal, closure or change to approve)
# or a `decision` (any other) for the person who decides it, and a `decision` for the people
# it is about.
FINDING, OVERDUE, ACTUAL_DUE, APPROVAL, REVIEW_DUE, DECISION = (
    "finding", "overdue", "actual due", "approval", "review due", "decision")
KINDS = (FINDING, OVERDUE, ACTUAL_DUE, APPROVAL, REVIEW_DUE, DECISION)

# A review "coming due" falls due before the next monthly meeting.
REVIEW_HORIZON_MONTHS = 1

# What comes first in a person's list: errors, then what waits on them, then the rest.
_ORDER = {ERROR: 0, APPROVAL: 1, DECISION: 1, WARNING: 2, OVERDUE: 2, ACTUAL_DUE: 2,
          REVIEW_DUE: 3, INFO: 4}


@dataclass(frozen=True)
class Action:
    """One thing one person (or nobody yet) has to do, at one cell of the master."""

    kind: str  # one of KINDS
    rule: str | None  # the finding's rule; None for the other kinds
    record: str | None  # the ID of the record it is about
    sheet: str  # the sheet's title in the master
    row: int
    cell: str  # `Services!AD29`, quoted where Excel needs it
    text: str  # what is wrong and what to do
    due: dt.date | None = None  # a Target Date, or when a review falls due
    severity: str | None = None  # a finding's severity
    finding: Finding | None = None
    note: str | None = None  # why it came to this person, when not as the record's owner
    decision: str | None = None  # the agenda item's kind, for an approval or decision

    @property
    def label(self) -> str:
        """`L106 error` for a finding, else the kind (`approval`)."""
        return f"{self.rule} {self.severity}" if self.finding is not None else self.kind

    @property
    def what_to_do(self) -> str:
        return f"{self.text} {self.note}" if self.note else self.text

    def as_json(self) -> dict:
        return {"kind": self.kind, "rule": self.rule, "record": self.record, "cell": self.cell,
                "text": self.what_to_do, "due": self.due.isoformat() if self.due else None,
                "decision": self.decision}

    def sort_key(self, order: FindingOrder) -> tuple:
        """By kind (errors, approvals, warnings and what is due, reviews, info), then in the
        one order of findings (pmo_xl.findings.FindingOrder): a person's findings come in
        the order the terminal, the findings workbook and the status report show them."""
        if self.finding is not None:
            return _ORDER.get(self.severity, 3), *order(self.finding)[2:]
        column = "".join(ch for ch in self.cell.rpartition("!")[2] if ch.isalpha())
        return _ORDER.get(self.kind, 3), *order.place(self.sheet, self.row, column), self.kind

    @property
    def identity(self) -> tuple:
        """What makes two runs' actions the same action, whatever their wording."""
        return (self.kind, self.rule, self.record, self.cell,
                self.due.isoformat() if self.due else None, self.decision)


@dataclass(frozen=True)
class Unassigned:
    action: Action
    why: str

    def as_json(self) -> dict:
        a = self.action
        return {"kind": a.kind, "rule": a.rule, "record": a.record, "cell": a.cell,
                "text": a.text, "why": self.why}


@dataclass
class PersonActions:
    """One person and what they have to do."""

    person: Person
    actions: list[Action] = field(default_factory=list)

    @property
    def person_id(self) -> str:
        return self.person.person_id

    @property
    def name(self) -> str:
        return " ".join(str(self.person.name).split()) if self.person.name else self.person_id

    @property
    def address(self) -> str | None:
        """Their Email, when it is one address a mail server would take."""
        return usable_email(self.person.email)

    @property
    def unaddressed_reason(self) -> str | None:
        """Why no draft can be addressed to them (None when one can)."""
        email = self.person.email
        if email is None or not str(email).strip():
            return "no Email in People"
        if self.address is None:
            return f"Email {' '.join(str(email).split())!r} in People is not an address"
        return None

    def as_json(self) -> dict:
        email = self.person.email
        return {"person": self.person_id, "name": self.person.name,
                "email": None if email is None else str(email),
                "actions": [a.as_json() for a in self.actions]}


@dataclass
class WrittenDrafts:
    """The addressed drafts a run wrote (reports/drafts.py writes them): the folder, one
    file per addressed person, who got none and why."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)  # person ID -> draft
    unaddressed: list[PersonActions] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # earlier drafts no longer needed


@dataclass
class ActionList:
    """Everyone's actions from one check run."""

    result: CheckResult
    people: list[PersonActions]  # people with at least one action, in People order
    unassigned: list[Unassigned]
    person: Person | None = None  # the one person asked for (`--person`), if any
    drafts: WrittenDrafts | None = None  # the drafts written, if any

    @property
    def as_of(self) -> dt.date:
        return self.result.as_of

    @property
    def facts(self) -> Facts:
        return self.result.facts

    @property
    def organisation(self) -> str:
        return self.facts.settings.organisation

    @property
    def period(self) -> str:
        """`October 2026`: the month the meeting reviews (as the pack email says)."""
        return self.facts.reporting_month.strftime("%B %Y")

    @property
    def unaddressed(self) -> list[PersonActions]:
        return [p for p in self.people if p.address is None]

    @property
    def action_count(self) -> int:
        return sum(len(p.actions) for p in self.people)

    def only(self, person_id: str) -> ActionList:
        """The same list narrowed to one person (no unassigned items)."""
        return ActionList(self.result, [p for p in self.people if p.person_id == person_id], [],
                          self.facts.people.get(person_id))

    @property
    def decisions(self) -> list[Decision]:
        """The meeting's agenda (the same list the status report and the email show)."""
        return self.result.agenda

    def as_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(),
                "decisions": [{**d.as_record(), "decider_name": d.decider_name}
                              for d in self.decisions],
                "people": [p.as_json() for p in self.people],
                "unassigned": [u.as_json() for u in self.unassigned],
                "unaddressed": [p.person_id for p in self.unaddressed]}


# --- who owns a record: the one routing table -------------------------------------------------

# A tier is (who, as the sentence names them, [person IDs as typed]); the first tier with a
# person who is in People takes the action.
Tier = tuple[str, list[str]]


class Records:
    """A row's record and its service, for each sheet, looked up once per run."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._rows: dict[str, dict[int, dict]] = {}
        self.name_of_title = {t.title: name for name, t in facts.master.sheets.items()}

    def record(self, sheet: str, row: int) -> dict | None:
        """The typed record on `row` of the sheet named `sheet` (schema name)."""
        if sheet not in self._rows:
            table = self.facts.master[sheet]
            self._rows[sheet] = dict(table.rows()) if table.present else {}
        return self._rows[sheet].get(row)

    def service(self, sheet: str, row: int) -> str | None:
        table = self.facts.master[sheet]
        return self.facts.service_of_row(table.title, row)

    @property
    def procedures(self) -> dict[str, object]:
        """Procedure ID -> its Owner (the first row of a repeated ID)."""
        if "_procedures" not in self.__dict__:
            found: dict[str, object] = {}
            for item in self.facts.procedures:
                found.setdefault(item.procedure_id, item.owner)
            self.__dict__["_procedures"] = found
        return self.__dict__["_procedures"]

    @property
    def kpi_owners(self) -> dict[str, object]:
        """KPI ID -> its Owner (the first row of a repeated ID)."""
        if "_kpis" not in self.__dict__:
            found: dict[str, object] = {}
            for _row, kpi in self.facts.kpi_rows:
                found.setdefault(str(kpi[KPIs.kpi_id]), kpi[KPIs.owner])
            self.__dict__["_kpis"] = found
        return self.__dict__["_kpis"]

    def pmo_manager(self, pmo: object) -> list[str]:
        record = self.facts.pmos.get(str(pmo).strip()) if pmo is not None else None
        return _ids(record[PMOs.pmo_manager]) if record else []


def _ids(value: object) -> list[str]:
    return [i for i in split_list(value) if i] if value is not None else []


def _cell(records: Records, sheet: str, row: int, header: str) -> object:
    record = records.record(sheet, row)
    return None if record is None else record.get(header)


def _service_team(records: Records, sheet: str, row: int) -> list[Tier]:
    sid = records.service(sheet, row)
    facts = records.facts
    owner = facts.owner_of(sid)
    return [("its service's Service Owner and Service Managers",
             [*_ids(owner), *facts.managers_of(sid)])]


def _service_owner(records: Records, sheet: str, row: int) -> list[Tier]:
    return [("its service's Service Owner", _ids(records.facts.owner_of(
        records.service(sheet, row))))]


def _change_owner(records: Records, sheet: str, row: int) -> list[Tier]:
    """A change to a service goes to its Service Owner; one to a PMO itself (PMO ID, no
    Service ID) to that PMO's PMO Manager."""
    pmo = _cell(records, sheet, row, Changes.pmo_id)
    if pmo is not None and _cell(records, sheet, row, Changes.service_id) is None:
        return [("its PMO's PMO Manager", records.pmo_manager(pmo))]
    return _service_owner(records, sheet, row)


def _service_managers(records: Records, sheet: str, row: int) -> Tier:
    return ("its service's Service Managers",
            records.facts.managers_of(records.service(sheet, row)))


def _procedure(records: Records, sheet: str, row: int) -> list[Tier]:
    return [("its Owner", _ids(_cell(records, sheet, row, Procedures.owner))),
            _service_managers(records, sheet, row)]


def _raci_line(records: Records, sheet: str, row: int) -> list[Tier]:
    procedure = _cell(records, sheet, row, RACI.procedure_id)
    owner = records.procedures.get(str(procedure).strip()) if procedure is not None else None
    return [("its procedure's Owner", _ids(owner)), _service_managers(records, sheet, row)]


def _kpi(records: Records, sheet: str, row: int) -> list[Tier]:
    return [("its KPI Owner", _ids(_cell(records, sheet, row, KPIs.owner))),
            _service_managers(records, sheet, row)]


def _actual(records: Records, sheet: str, row: int) -> list[Tier]:
    kpi = _cell(records, sheet, row, KPIActuals.kpi_id)
    owner = records.kpi_owners.get(str(kpi).strip()) if kpi is not None else None
    return [("its KPI's Owner", _ids(owner)), _service_managers(records, sheet, row)]


def _column(header: str, who: str) -> Callable[[Records, str, int], list[Tier]]:
    def owners(records: Records, sheet: str, row: int) -> list[Tier]:
        return [(who, _ids(_cell(records, sheet, row, header)))]
    return owners


def _objective(records: Records, sheet: str, row: int) -> list[Tier]:
    strategy_owner: list[str] = []
    documents = records.facts.master[Documents]
    if documents.present:
        for _row, document in documents.rows():
            if document[Documents.document] == KeyDocument.STRATEGY:
                strategy_owner = _ids(document[Documents.owner])
                break
    return [("its Owner", _ids(_cell(records, sheet, row, Strategy.owner))),
            ("the Service Strategy's Owner", strategy_owner)]


def _person(records: Records, sheet: str, row: int) -> list[Tier]:
    return [("the PMO Manager of their PMO",
             records.pmo_manager(_cell(records, sheet, row, People.pmo)))]


def _nobody(records: Records, sheet: str, row: int) -> list[Tier]:
    return []


@dataclass(frozen=True)
class Route:
    """Who owns a record of one kind, in words (for the README) and as a lookup."""

    record: str  # the record, in the PMO's words
    owners: str  # who acts on it
    lookup: Callable[[Records, str, int], list[Tier]]
    fallback: bool = True  # False where the owners already are the Lead PMO's manager


# THE routing table: a finding goes to the owners of the record its cell sits on (the sheet
# decides what the record is); the approvals use the rows marked "approval".
ROUTES: dict[str, Route] = {
    Services.SHEET: Route("a service (its row in Services)",
                          "its Service Owner and Service Managers", _service_team),
    SIPOC.SHEET: Route("a service's process (SIPOC)",
                       "the service's Service Owner and Service Managers", _service_team),
    LifecycleLog.SHEET: Route("a service's stage change (Lifecycle Log)",
                              "the service's Service Owner and Service Managers", _service_team),
    Procedures.SHEET: Route("a procedure", "its Owner, else the service's Service Managers",
                            _procedure),
    RACI.SHEET: Route("a procedure's RACI line",
                      "the procedure's Owner, else the service's Service Managers", _raci_line),
    KPIs.SHEET: Route("a KPI", "its KPI Owner, else the service's Service Managers", _kpi),
    KPIActuals.SHEET: Route("a KPI's actual",
                            "the KPI's Owner, else the service's Service Managers", _actual),
    Risks.SHEET: Route("a risk or issue", "its Owner", _column(Risks.owner, "its Owner")),
    Changes.SHEET: Route("a change", "the service's Service Owner (a change to a PMO: its PMO "
                         "Manager)", _change_owner),
    PMOs.SHEET: Route("a PMO", "its PMO Manager",
                      _column(PMOs.pmo_manager, "its PMO Manager")),
    People.SHEET: Route("a person", "the PMO Manager of their PMO", _person),
    Documents.SHEET: Route("a key document", "its Owner",
                           _column(Documents.owner, "its Owner")),
    Strategy.SHEET: Route("a strategic objective",
                          "its Owner, else the Service Strategy's Owner", _objective),
    Waivers.SHEET: Route("a waiver", "whoever approved it (Approved By)",
                         _column(Waivers.approved_by, "its Approved By")),
    Rules.SHEET: Route("a Rules row (the PMO's own policy)", "whoever approved it (Approved By)",
                       _column(Rules.approved_by, "its Approved By")),
    Settings.SHEET: Route("a setting", "nobody: the unassigned list", _nobody),
}
# A finding of one of these rules goes, besides the record's owners, to these people too.
ALSO_TOLD: dict[str, tuple[str, Callable[[Records, str, int], list[Tier]]]] = {
    # An open High or Critical item not escalated far enough: its Owner fixes the escalation,
    # and the Service Owner, who answers for the service's risks, hears of it.
    "G105": ("the service's Service Owner", _service_owner),
    # A serious item with no agreed action or date, or one past its Target Date: its Owner
    # acts, and the Service Owner, who agrees the mitigation, hears of it.
    "G106": ("the service's Service Owner", _service_owner),
    "G110": ("the service's Service Owner", _service_owner),
}
FALLBACK = "the PMO Manager of the service's Lead PMO, else the unassigned list with the reason"


def routing_table() -> str:
    """ROUTES, ALSO_TOLD and the agenda's WHO_DECIDES as a Markdown table (the README's
    copy is checked against it)."""
    lines = ["| an action about … | goes to |", "| --- | --- |"]
    lines += [f"| {route.record} | {route.owners} |" for route in ROUTES.values()]
    lines += [f"| a {rule} finding | also {who} |" for rule, (who, _) in ALSO_TOLD.items()]
    lines.append(f"| any of these, when nobody above is in People | {FALLBACK} |")
    for kind, (decides, hears) in WHO_DECIDES.items():
        also = f"; {hears} hear{'s' if ' and ' not in hears else ''} of it" if hears else ""
        lines.append(f"| the meeting's agenda: {kind.lower()} | {decides} decides{also} |")
    return "\n".join(lines)


class Router:
    """Finds the people in People who take an action, or the reason nobody does."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.records = Records(facts)

    def also_told(self, rule: str | None, sheet: str, row: int) -> list[str]:
        """The people in People a finding of this rule goes to besides its record's owners
        (ALSO_TOLD)."""
        if rule not in ALSO_TOLD:
            return []
        _who, lookup = ALSO_TOLD[rule]
        return [i for _w, ids in lookup(self.records, sheet, row) for i in dict.fromkeys(ids)
                if i in self.facts.people]

    def route(self, key: str, sheet: str, row: int) -> tuple[list[str], str | None, str]:
        """(person IDs, a note for the fallback's person, why nobody) for the record on
        `row` of the sheet named `sheet` (schema name), routed as ROUTES[key] says."""
        people = self.facts.people
        route = ROUTES[key]
        tiers = route.lookup(self.records, sheet, row)
        if not tiers:
            return [], None, (f"The master names no owner for {route.record}: whoever keeps "
                              "the master workbook fixes it.")
        for _who, ids in tiers:
            known = [i for i in dict.fromkeys(ids) if i in people]
            if known:
                return known, None, ""
        missing = "; ".join(_missing(who, ids) for who, ids in tiers)
        if not route.fallback:
            return [], None, f"{_capital(missing)}."
        return self._fallback(sheet, row, missing)

    def _fallback(self, sheet: str, row: int, missing: str) -> tuple[list[str], str | None, str]:
        facts = self.facts
        sid = self.records.service(sheet, row)
        if sid is None:
            return [], None, f"{_capital(missing)}, and it belongs to no service."
        service = facts.services.get(sid)
        if service is None:
            return [], None, f"{_capital(missing)}, and its service {sid} is not in Services."
        lead = service[Services.lead_pmo]
        managers = [i for i in self.records.pmo_manager(lead) if i in facts.people]
        if managers:
            note = (f"(This comes to you as PMO Manager of {lead}, the Lead PMO of {sid}: "
                    f"{missing}.)")
            return managers, note, ""
        if lead is None:
            return [], None, f"{_capital(missing)}, and {sid} has no Lead PMO."
        if str(lead).strip() not in facts.pmos:
            return [], None, f"{_capital(missing)}, and {sid}'s Lead PMO {lead} is not in PMOs."
        return [], None, (f"{_capital(missing)}, and {sid}'s Lead PMO {lead} has no PMO Manager "
                          "in People.")


def _missing(who: str, ids: list[str]) -> str:
    if not ids:
        return f"{who} {'are' if ' and ' in who else 'is'} blank"
    return f"{who} ({'; '.join(ids)}) {'is' if len(ids) == 1 else 'are'} not in People"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the actions ------------------------------------------------------------------------------


def build_actions(result: CheckResult) -> ActionList:
    """Every person's actions and the unassigned ones, from a check run."""
    facts = result.facts
    router = Router(facts)
    by_person: dict[str, list[Action]] = {}
    unassigned: list[Unassigned] = []
    seen: dict[str, set[tuple]] = {}
    for key, action in _all_actions(result, router.records):
        if key is None:
            people, note, why = [], None, (
                f"It is about the layout of the sheet {action.sheet}, not one record: whoever "
                "keeps the master workbook fixes it.")
        else:
            sheet = router.records.name_of_title.get(action.sheet, action.sheet)
            people, note, why = router.route(key, sheet, action.row)
            also = [i for i in router.also_told(action.rule, sheet, action.row)
                    if i not in people]
        if not people:
            unassigned.append(Unassigned(action, why))
            continue
        if note:
            action = replace(action, note=note)
        add = [(pid, action) for pid in people]
        if key is not None and also:
            told = replace(action, note=f"(This comes to you as {ALSO_TOLD[action.rule][0]}.)")
            add += [(pid, told) for pid in also]
        for pid, item in add:
            if item.identity not in seen.setdefault(pid, set()):
                seen[pid].add(item.identity)
                by_person.setdefault(pid, []).append(item)
    for pid, action, why in _decisions(result):
        if pid is None:
            unassigned.append(Unassigned(action, why))
        elif action.identity not in seen.setdefault(pid, set()):
            seen[pid].add(action.identity)
            by_person.setdefault(pid, []).append(action)
    order = result.order
    people = []
    for pid, person in facts.people.items():
        if pid in by_person:
            items = sorted((_to(facts, pid, a) for a in by_person[pid]),
                           key=lambda a: a.sort_key(order))
            people.append(PersonActions(person, items))
    unassigned.sort(key=lambda u: u.action.sort_key(order))
    return ActionList(result, people, unassigned)


def _to(facts: Facts, pid: str, action: Action) -> Action:
    """The action as its person reads it: where its text names them (`approved by Rajesh
    Iyer (P-002)`), it says `you` (`approved by you (Rajesh Iyer, P-002)`)."""
    person = facts.people.get(pid)
    if person is None or not person.name:
        return action
    label = facts.person_label(pid)
    if label not in action.text and label not in (action.note or ""):
        return action
    you = f"you ({' '.join(str(person.name).split())}, {pid})"
    return replace(action, text=action.text.replace(label, you),
                   note=None if action.note is None else action.note.replace(label, you))


def _decisions(result: CheckResult) -> Iterator[tuple[str | None, Action, str]]:
    """(Person ID, action, why nobody) for each item of the meeting's agenda: an approval or
    decision for the person who decides it, and a decision for each person it is about. An
    item whose decider the master does not name goes to the unassigned list (Person ID
    None), with the reason."""
    facts = result.facts
    for decision in result.agenda:
        table = facts.master[decision.sheet]
        cell = table.address(decision.row, decision.column)
        kind = APPROVAL if decision.approval else DECISION

        def action(kind: str, text: str, decision: Decision = decision, cell: str = cell,
                   title: str = table.title) -> Action:
            return Action(kind, None, decision.record, title, decision.row, cell, text,
                          None, decision=decision.kind)

        decides = (f"For the meeting ({decision.kind.lower()}), yours to decide: "
                   f"{decision.summary} {_RECORD_IT[decision.kind]}")
        if decision.decider is None:
            yield None, action(kind, decides), (
                f"The master names nobody to decide it ({decision.decider_name}): "
                f"{WHO_DECIDES[decision.kind][0]} decides.")
        else:
            yield decision.decider, action(kind, decides), ""
        for pid in decision.about:
            yield pid, action(DECISION, f"On the meeting's agenda ({decision.kind.lower()}), "
                              f"for {decision.decider_name} to decide: {decision.summary} "
                              "Be ready to speak to it."), ""


# What the decider records once it is decided, at the decision's cell.
_RECORD_IT = {
    agenda.PROPOSAL: "Approve it to start Design (Stage and Approved Date) or reject it.",
    agenda.CROWDED: "Then record each proposal's outcome, or the PMO's new Capacity FTE.",
    agenda.CHRONIC: "Then raise the improvement as a change, agree a new target, or start "
                    "closing the service.",
    agenda.ESCALATED: "Then record the action agreed and the item's Status.",
    agenda.CLOSURE: "Approve it as Service Owner: fill Closure Approved By and Closure "
                    "Approved Date.",
    agenda.CHANGE: "Then set Status, Approved By and Approved Date.",
    agenda.REVIEW: "Then enter the date in Last Reviewed (or start closing or retiring it).",
}


def _all_actions(result: CheckResult, records: Records) -> Iterator[tuple[str | None, Action]]:
    """(routing key, action) for each action: a routing key of ROUTES, or None when the
    action sits on no record (a header, a missing sheet)."""
    facts = result.facts
    findings = list(result.findings)
    risks = facts.master[Risks].title
    target_dates = {row: item[Risks.target_date] for row, item in facts.open_items}
    for finding in findings:
        if finding.waived:
            continue
        # A finding's due date is the one G106 says has passed; any other finding is due now.
        due = (target_dates.get(finding.row) if finding.sheet == risks and finding.rule == "G106"
               else None)
        yield _finding_key(finding, records), Action(
            FINDING, finding.rule, finding.record, finding.sheet, finding.row, finding.address,
            f"{finding.message} {finding.hint}", due if isinstance(due, dt.date) else None,
            finding.severity, finding)
    covered = _Covered(findings)
    for key, action, covering in _other_actions(facts):
        if not covered(action.cell, covering):
            yield key, action


def _finding_key(finding: Finding, records: Records) -> str | None:
    name = records.name_of_title.get(finding.sheet)
    if name is None or name not in ROUTES:
        return None
    table = records.facts.master[name]
    if not table.present or finding.row <= table.header_row or records.record(
            name, finding.row) is None:
        return None
    return name


class _Covered:
    """Whether a finding already says what another kind of action would (the same cell, from
    one of the rules that say it, waived or not): then the finding is the one action."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.rules_at: dict[str, set[str]] = {}
        for finding in findings:
            self.rules_at.setdefault(finding.address, set()).add(finding.rule)

    def __call__(self, cell: str, covering: tuple[str, ...]) -> bool:
        return any(rule.startswith(covering) for rule in self.rules_at.get(cell, ()))


def _other_actions(facts: Facts) -> Iterator[tuple[str, Action, tuple[str, ...]]]:
    """(routing key, action, the rules whose finding would say it) for each action that is
    not a finding nor on the agenda: overdue items, actuals due, reviews coming due."""
    master = facts.master
    risks, kpis = master[Risks], master[KPIs]
    for row, item in facts.overdue_items:
        due = item[Risks.target_date]
        what = item[Risks.action] or item[Risks.description]
        yield Risks.SHEET, Action(
            OVERDUE, None, _text(item[Risks.item_id]), risks.title, row,
            risks.address(row, Risks.target_date),
            f"{item[Risks.item_id]} ({_text(item[Risks.type]) or 'item'} on "
            f"{item[Risks.service_id]}) was due on {due.isoformat()}: {_short(what)}. Complete "
            "the action and close it, or agree a new Target Date.", due), ("G106",)
    for kpi in facts.kpi_statuses:
        if kpi.unreported:
            yield KPIs.SHEET, Action(
                ACTUAL_DUE, None, kpi.kpi_id, kpis.title, kpi.row,
                kpis.address(kpi.row, KPIs.kpi_id),
                f"Report the {kpi.period_label} actual of {kpi.kpi_id} "
                f"({_short(kpi.name)}): add a row to KPI Actuals with Period "
                f"{kpi.period.isoformat()}.", None), ("K103",)
    horizon = add_months(facts.as_of, REVIEW_HORIZON_MONTHS)
    for review in facts.reviews:
        if not review.due_by(horizon):
            continue
        table = master[review.sheet]
        what, column = _REVIEWED[review.sheet]
        if review.last_reviewed is None:
            when = "has never been reviewed"
        elif review.due is not None and review.due < facts.as_of:
            when = (f"was last reviewed on {review.last_reviewed.isoformat()}; its review was "
                    f"due on {review.due.isoformat()}")
        else:
            when = (f"was last reviewed on {review.last_reviewed.isoformat()}; its review "
                    f"falls due on {review.due.isoformat() if review.due else ''}")
        yield review.sheet, Action(
            REVIEW_DUE, None, review.record, table.title, review.row,
            table.address(review.row, column),
            f"The {what} {review.record} {when}. Review it and update Last Reviewed.",
            review.due), ("V",)


_REVIEWED = {Services.SHEET: ("service", Services.last_reviewed),
             Procedures.SHEET: ("procedure", Procedures.last_reviewed),
             Documents.SHEET: ("document", Documents.last_reviewed)}


def _text(value: object) -> str:
    return "" if value is None else " ".join(str(value).split())


def _short(value: object, limit: int = 90) -> str:
    text = _text(value).rstrip(".")
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""The published service catalogue's content: what customers may read, as plain data.

:func:`build_catalogue` picks the services at the published stages (and, with an audience,
those whose Customers include it) from one check run and says each one in the customers'
words: what it is, who it is for, the outcome and how it is measured (its Outcome KPIs),
what you get (its SIPOC outputs) and what you provide (its inputs), its service levels (its
KPIs' targets), how to ask for it (How to Request, Lead Time and the named contacts) and
when it was last reviewed. The
web page (:mod:`catalogue_page`) and the workbook (:mod:`catalogue_workbook`) only present
this; neither reads the master.

What is left out is the point: no Planned FTE, Funding, Priority, risks, issues, changes or
findings, no service at another stage, and no person but each service's Service Managers
and Service Owner. The check's findings are used for one number only: how many published
services carry errors, which the command reports to the analyst and never prints.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.people.email_address import usable_email
from pmo_xl.validators.schema import (
    SIPOC,
    Direction,
    Evidence,
    Offering,
    PMOs,
    Services,
    Stage,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts
    from pmo_xl.validators.engine import CheckResult

DEFAULT_STAGES = (Stage.RUNNING,)

# The offering in the customers' words (catalogue.md).
OFFERING_WORDS = {
    Offering.MANDATED: "Provided to everyone",
    Offering.MENU: "Available on request",
    Offering.OFF_MENU: "By arrangement",
}
# A service published before or after it runs is marked, so nobody mistakes a trial for
# business as usual.
STAGE_NOTES = {
    Stage.PILOT: "Pilot: being trialled, so details may change",
    Stage.TRANSITION: "Being rolled out",
    Stage.CLOSING: "Closing: being withdrawn",
}
UNCATEGORISED = "Other services"
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")

def long_date(day: dt.date) -> str:
    """`14 September 2026`, the same in every locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def number_text(value: float) -> str:
    """95.0 -> `95`, 0.5 -> `0.5`, 12500 -> `12,500`: a target as people write it."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None  # a usable address (shown as a mailto: link)
    email_as_typed: str | None  # what People holds, when it is not a usable address


@dataclass(frozen=True)
class Output:
    """Something the service delivers (a SIPOC output) and what a good one looks like."""

    item: str
    quality: str | None


@dataclass(frozen=True)
class ServiceLevel:
    """A KPI as a promise: its name and target; its RAG only when status is published."""

    name: str
    target: str  # `at least 95%`, `at most 2 days`
    target_value: float | None
    unit: str | None
    aim: str | None  # `at least` / `at most`, from the KPI's Direction
    rag: str | None = None
    period: str | None = None  # `Oct 2026`, the period the RAG is for
    outcome: bool = False  # the KPI evidences the service's outcome (Evidences = Outcome)


@dataclass(frozen=True)
class Entry:
    """One published service, in the customers' words."""

    service_id: str
    anchor: str  # a safe fragment id, e.g. `svc-SVC-001`
    name: str
    description: str | None
    category: str
    stage: str
    stage_note: str | None  # set for a service not (yet or any more) simply Running
    offering: str | None  # Mandated / Menu / Off-menu, as in the master
    offering_text: str | None  # in the customers' words
    customers: str | None
    desired_outcome: str | None
    outputs: list[Output]
    service_levels: list[ServiceLevel]
    managers: list[Contact]
    lead_pmo: str | None
    owner: str | None
    last_reviewed: str | None
    last_reviewed_date: dt.date | None
    # What a customer provides (SIPOC inputs the service's own processes do not make), how
    # to ask for it and how long it takes to start (Services' How to Request, Lead Time).
    inputs: tuple[str, ...] = ()
    how_to_request: str | None = None
    lead_time: str | None = None  # `5 working days`

    @property
    def request_link(self) -> str | None:
        """How to Request, when it is a web address customers follow (http or https only)."""
        text = self.how_to_request or ""
        return text if re.fullmatch(r"https?://[^\s<>\"']+", text) else None

    @property
    def outcome_measures(self) -> list[ServiceLevel]:
        """The service levels that measure its outcome (its Outcome KPIs)."""
        return [s for s in self.service_levels if s.outcome]

    def search_text(self) -> str:
        """Every word a reader might search this entry by."""
        parts = [self.name, self.description, self.category, self.offering_text,
                 self.stage_note, self.customers, self.desired_outcome, self.lead_pmo,
                 self.owner]
        parts += [o.item for o in self.outputs] + [o.quality for o in self.outputs]
        parts += [*self.inputs, self.how_to_request]
        parts += [s.name for s in self.service_levels]
        parts += [m.name for m in self.managers]
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Category:
    name: str
    anchor: str
    entries: list[Entry]


@dataclass(frozen=True)
class Catalogue:
    """The whole published catalogue, ready to present."""

    title: str
    organisation: str
    as_of: dt.date
    stages: tuple[str, ...]
    audience: str | None
    with_status: bool
    categories: list[Category]
    # Published services with error findings on their records: for the analyst, never shown.
    services_with_errors: list[str]

    @property
    def entries(self) -> list[Entry]:
        return [e for c in self.categories for e in c.entries]

    @property
    def as_of_text(self) -> str:
        return long_date(self.as_of)

    @property
    def stages_text(self) -> str:
        """`Running services and pilots`, for the page's introduction."""
        words = {Stage.RUNNING: "running services", Stage.PILOT: "pilots",
                 Stage.TRANSITION: "services being rolled out",
                 Stage.CLOSING: "services being withdrawn"}
        named = [words.get(s, f"services at {s}") for s in self.stages]
        text = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        return text[0].upper() + text[1:]


def default_title(organisation: str) -> str:
    return f"{organisation} PMO service catalogue"


def build_catalogue(result: CheckResult, *, stages: tuple[str, ...] | list[str] = DEFAULT_STAGES,
                    audience: str | None = None, with_status: bool = False,
                    title: str | None = None) -> Catalogue:
    """The customer-facing catalogue of one check run."""
    facts = result.facts
    stages = tuple(dict.fromkeys(str(s) for s in stages)) or DEFAULT_STAGES
    wanted = _audience_key(audience)
    statuses = result.service_statuses
    seen: set[str] = set()
    anchors: set[str] = set()
    entries: list[Entry] = []
    errors: list[str] = []
    for _row, record, raw in facts.catalogue:
        sid = record[Services.service_id]
        if sid is None or str(sid) in seen:
            continue
        sid = str(sid)
        seen.add(sid)
        if record[Services.stage] not in stages:
            continue
        if wanted is not None and not _for_audience(wanted, record[Services.customers]):
            continue
        status = statuses.get(sid)
        if status is not None and status.errors:
            errors.append(sid)
        entries.append(_entry(facts, sid, record, raw, with_status,
                              _anchor("svc", sid, anchors)))
    return Catalogue(
        title=(title or "").strip() or default_title(facts.settings.organisation),
        organisation=facts.settings.organisation,
        as_of=facts.as_of,
        stages=tuple(str(s) for s in stages),
        audience=" ".join((audience or "").split()) or None,
        with_status=with_status,
        categories=_by_category(entries),
        services_with_errors=errors,
    )


def _audience_key(text: object) -> re.Pattern[str] | None:
    """The audience as whole words in any case or spacing (`IT` is not in `Facilities`), a
    plural of its last word included (`project manager` is among `Project managers`)."""
    if text is None or not str(text).strip():
        return None
    words = r"\s+".join(map(re.escape, str(text).split()))
    return re.compile(rf"(?<!\w){words}(?:e?s)?(?!\w)", re.IGNORECASE)


def _for_audience(wanted: re.Pattern[str], customers: object) -> bool:
    """True when the Customers cell names the audience; a blank cell names nobody."""
    return customers is not None and wanted.search(str(customers)) is not None


def _entry(facts: Facts, sid: str, record: dict, raw: dict, with_status: bool,
           anchor: str) -> Entry:
    stage = record[Services.stage]
    offering = record[Services.offering]
    reviewed = record[Services.last_reviewed]
    reviewed_raw = raw.get(Services.last_reviewed)
    if isinstance(reviewed, dt.date):
        reviewed_text = long_date(reviewed)
    else:  # typed as text (a finding): shown as the analyst wrote it
        reviewed_text = _text(reviewed_raw) if isinstance(reviewed_raw, str) else None
    return Entry(
        service_id=sid,
        anchor=anchor,
        name=_text(record[Services.service_name]) or sid,
        description=_text(record[Services.description]),
        category=_text(record[Services.category]) or UNCATEGORISED,
        stage=str(stage),
        stage_note=STAGE_NOTES.get(stage),
        offering=_text(offering),
        offering_text=OFFERING_WORDS.get(offering),
        customers=_text(record[Services.customers]),
        desired_outcome=_text(record[Services.desired_outcome]),
        outputs=_outputs(facts, sid),
        service_levels=_service_levels(facts, sid, with_status),
        managers=[c for c in (_contact(facts, p) for p in facts.managers_of(sid)) if c],
        lead_pmo=_pmo(facts, record[Services.lead_pmo]),
        owner=_person_name(facts, record[Services.service_owner]),
        last_reviewed=reviewed_text,
        last_reviewed_date=reviewed if isinstance(reviewed, dt.date) else None,
        inputs=_inputs(facts, sid),
        how_to_request=_text(record[Services.how_to_request]),
        lead_time=_lead_time(record[Services.lead_time]),
    )


def _inputs(facts: Facts, sid: str) -> tuple[str, ...]:
    """What a customer provides: the inputs of the service's SIPOC processes that none of
    its own processes makes (one process's output feeding the next is internal), each
    once, in SIPOC order."""
    processes = facts.processes_by_service.get(sid, [])
    made = {o for p in processes for o in p.outputs}
    found: dict[str, str] = {}
    for process in processes:
        for key, typed in process.inputs.items():
            if key not in made:
                found.setdefault(key, typed)
    return tuple(found.values())


def _lead_time(value: object) -> str | None:
    """`5 working days`, `1 working day`, `Immediate` for 0; text as typed."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value == 0:
            return "Immediate"
        return f"{number_text(value)} working day{'' if value == 1 else 's'}"
    return _text(value)


def _text(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _outputs(facts: Facts, sid: str) -> list[Output]:
    """The outputs of the service's SIPOC processes, each once (first process wins), with
    that process's Output Quality Criteria."""
    quality_column = facts.master[SIPOC].data[SIPOC.output_quality_criteria]
    found: dict[str, Output] = {}
    for process in facts.processes_by_service.get(sid, []):
        quality = _text(quality_column.at[process.row])
        for item, key in zip(process.outputs_as_typed, process.outputs, strict=True):
            if key not in found:
                found[key] = Output(item, quality)
    return list(found.values())


def _service_levels(facts: Facts, sid: str, with_status: bool) -> list[ServiceLevel]:
    levels = []
    for kpi in facts.kpis_by_service.get(sid, []):
        name = _text(kpi.name)
        if name is None or not kpi.in_force:  # a retired KPI is no longer promised
            continue
        unit = _text(kpi.unit)
        aim = {Direction.HIGHER: "at least", Direction.LOWER: "at most"}.get(kpi.direction)
        target = ""
        if kpi.target is not None:
            amount = number_text(kpi.target)
            if unit:
                amount += unit if unit == "%" else f" {unit}"
            target = f"{aim} {amount}" if aim else amount
        levels.append(ServiceLevel(
            name=name, target=target, target_value=kpi.target, unit=unit, aim=aim,
            rag=kpi.rag if with_status else None,
            period=kpi.period_label if with_status else None,
            outcome=kpi.evidences == Evidence.OUTCOME,
        ))
    return levels


def _person_name(facts: Facts, person_id: object) -> str | None:
    """A named contact's name; an ID that is not on People is not shown (X101 names it)."""
    person = facts.people.get(str(person_id)) if person_id is not None else None
    return _text(person.name) if person is not None else None


def _contact(facts: Facts, person_id: str) -> Contact | None:
    person = facts.people.get(person_id)
    name = _text(person.name) if person is not None else None
    if name is None:
        return None
    address = usable_email(person.email)
    return Contact(name, address, None if address else _text(person.email))


def _pmo(facts: Facts, pmo_id: object) -> str | None:
    """The Lead PMO's name; an ID that is not on PMOs is not shown (X101 names it)."""
    record = facts.pmos.get(str(pmo_id)) if pmo_id is not None else None
    return _text(record.get(PMOs.pmo_name)) if record else None


def _anchor(prefix: str, text: str, taken: set[str]) -> str:
    """A fragment id made of safe characters only, unique on the page."""
    stem = f"{prefix}-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "x")
    anchor, number = stem, 2
    while anchor.casefold() in taken:
        anchor, number = f"{stem}-{number}", number + 1
    taken.add(anchor.casefold())
    return anchor


def _by_category(entries: list[Entry]) -> list[Category]:
    """Categories A to Z (the catch-all last), services A to Z within each, numbers in
    names by their value."""
    groups: dict[str, list[Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.category, []).append(entry)
    names = sorted(groups, key=lambda n: (n == UNCATEGORISED, natural(n), n))
    taken: set[str] = set()
    return [Category(name, _anchor("cat", name, taken),
                     sorted(groups[name], key=lambda e: (natural(e.name), e.service_id)))
            for name in names]


def natural(text: str) -> list:
    """A sort key that puts `Clinic 2` before `Clinic 10`, in any case."""
    return [int(part) if i % 2 else part.casefold()
            for i, part in enumerate(re.split(r"(\d+)", text))]



@dataclass(frozen=True)
class Published:
    """A written catalogue: where it is, what it says, and the check run it came from."""

    path: Path
    catalogue: Catalogue
    result: CheckResult

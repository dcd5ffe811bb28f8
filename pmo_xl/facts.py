"""One account of the master: every fact more than one place needs, worked out once per run.

A :class:`Facts` is built from the read master and the as-of date, then passed explicitly
to every rule and every output (status and KPI reports, the email, diff, actions, the
published catalogue). Rules decide findings from it; outputs only present it and the
findings. Each fact is a cached property, so a fact nobody asks for costs nothing and one
asked for twice is worked out once; nothing is kept anywhere else (no module state, nothing
added to the master).

What "open" means, which actual counts for a KPI and period, whether a KPI is due, a
KPI's RAG, which processes depend on a service: each is defined here and only here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from pmo_xl import rag
from pmo_xl.period import add_months, period_label, period_start, reporting_period, step_back
from pmo_xl.settings import Settings as SettingValues
from pmo_xl.settings import read_settings
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    CLOSED_RISK_STATUSES,
    ENDED_STAGES,
    GOING_STAGES,
    LIFECYCLE,
    RACI,
    RACI_ROLES,
    SERIOUS_SEVERITIES,
    SET_UP_DATE_STAGE,
    SETTLED_CHANGE_STATUSES,
    SIPOC,
    STAGE_ENTRY_DATES,
    Changes,
    ChangeStatus,
    Documents,
    Frequency,
    KPIActuals,
    KPIs,
    LifecycleLog,
    People,
    PMOs,
    Procedures,
    ProcedureStatus,
    Risks,
    Services,
    Stage,
    Waivers,
    normalise_header,
    split_list,
)

if TYPE_CHECKING:
    import pandas as pd

    from pmo_xl.findings import Finding
    from pmo_xl.master import Master

def column_letter(index: int) -> str:
    """`A` for 0-based column 0, `AB` for 27 (openpyxl's own, without importing openpyxl)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


RANK = {stage: index for index, stage in enumerate(LIFECYCLE)}


def reached(stage: object, floor: str) -> bool:
    """True if `stage` is `floor` or later in the lifecycle (Rejected never is)."""
    return stage in RANK and RANK[stage] >= RANK[floor]


def is_plan(stage: object, header: str) -> bool:
    """True when `header` is a set-up date of a stage a service at `stage` has not reached
    yet: a plan, which may lie in the future (rules.md V). A Rejected service or a stage
    that cannot be read has no plans."""
    marks = SET_UP_DATE_STAGE.get(header)
    return marks is not None and stage in RANK and not reached(stage, marks)


def is_open_item(status: object) -> bool:
    """A risk or issue is open until it is Closed (an unreadable status counts as open: a
    typo never hides a risk; S106 reports the typo)."""
    return status not in CLOSED_RISK_STATUSES


def is_open_change(status: object) -> bool:
    """A change is in flight until it is Implemented or Rejected."""
    return status not in SETTLED_CHANGE_STATUSES


def matched(text: str) -> str:
    """An input or output as SIPOC items are matched: trimmed, spaces folded, any case."""
    return " ".join(text.split()).casefold()


def _lacking(required: object, held: set[str]) -> tuple[str, ...]:
    """The items of a Required Skills cell (as typed, each once) not in `held` (matched)."""
    missing: dict[str, str] = {}
    for skill in split_list(required):
        if skill and matched(skill) not in held:
            missing.setdefault(matched(skill), skill)
    return tuple(missing.values())


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str | None
    job_role: str | None
    pmo: str | None
    email: str | None
    skills: tuple[str, ...] = ()  # as typed in People's Skills



@dataclass
class Procedure:
    row: int
    procedure_id: str
    service: str | None
    process: str | None
    status: str | None
    kind: str | None
    owner: str | None


@dataclass
class Process:
    row: int
    process_id: str
    service: str | None
    inputs: dict[str, str]  # matched form -> as typed
    outputs: list[str]  # matched form
    outputs_as_typed: list[str]


@dataclass(frozen=True)
class Dependency:
    """A process of a live service that takes an input only a going service's process makes."""

    process: Process  # the dependant
    item: str  # the input, as typed
    source: Process  # the process of the Closing or Closed service that makes it
    source_stage: str


@dataclass(frozen=True)
class RoleColumn:
    """A RACI column headed by a role or a Person ID."""

    header: str  # the header as typed (the raw frame's column name)
    letter: str  # Excel column letter
    role: str | None  # the RACI role it stands for, or None for a person column
    person: str | None  # the Person ID it stands for


@dataclass
class Activity:
    """One RACI row: an activity of a procedure and its filled role cells."""

    row: int
    procedure: str | None
    name: str | None
    cells: list[tuple[RoleColumn, object, frozenset[str] | None]]  # (column, value, letters)

    def holders(self, letter: str) -> list[RoleColumn]:
        """The columns whose cell holds `letter` (R, A, C or I)."""
        return [column for column, _value, found in self.cells if found and letter in found]


_RACI_LETTERS = frozenset("RACI")
_RACI_SEPARATORS = re.compile(r"[\s/,+&;]+")


def raci_letters(value: object) -> frozenset[str] | None:
    """The RACI letters in a cell (`A/R` -> {A, R}); None for a value that is not RACI.

    Letters are read in any case and with `/`, `,`, `+` or spaces between them; a compact
    pair such as `AR` is read too.
    """
    if not isinstance(value, str):
        return None
    parts = [p for p in _RACI_SEPARATORS.split(value.strip().upper()) if p]
    found: set[str] = set()
    for part in parts:
        if len(part) > 2 or not set(part) <= _RACI_LETTERS or len(set(part)) < len(part):
            return None
        found.update(part)
    return frozenset(found) if found else None


@dataclass(frozen=True)
class KpiStatus:
    """One KPI in its reporting period: the actual that counts, and its RAG."""

    kpi_id: str
    row: int  # the KPI's Excel row in KPIs
    service_id: str | None
    pmo_id: str | None  # a KPI of a PMO's own performance names the PMO instead of a service
    name: str | None
    unit: str | None
    direction: str | None
    frequency: str | None
    target: float | None
    amber_threshold: float | None
    red_threshold: float | None
    baseline: float | None
    owner: str | None
    period: dt.date
    actual: float | None
    actual_row: int | None  # the Excel row in KPI Actuals of the actual that counts
    commentary: str | None
    rag: str
    due: bool  # a Running service's KPI that should have reported this period (K103)

    @property
    def period_label(self) -> str:
        return period_label(self.frequency, self.period)

    @property
    def measured(self) -> str | None:
        """What the KPI measures: its service, or else its PMO (an ID either way)."""
        if self.service_id is not None:
            return str(self.service_id)
        return None if self.pmo_id is None else str(self.pmo_id)

    @property
    def variance(self) -> float | None:
        return rag.variance(self.actual, self.target)

    @property
    def missing(self) -> bool:
        return self.actual is None

    @property
    def unreported(self) -> bool:
        """Due for its reporting period and no actual counts for it (K103; the KPI Owner's
        action)."""
        return self.due and self.actual_row is None


@dataclass(frozen=True)
class Review:
    """A record reviewed periodically (a Running service, a live procedure of one, a key
    document) and when its next review falls due."""

    sheet: str  # the sheet's schema name: Services, Procedures or Documents
    row: int
    record: str
    last_reviewed: dt.date | None
    due: dt.date | None  # None: never reviewed, so due now

    def due_by(self, day: dt.date) -> bool:
        return self.due is None or self.due <= day


@dataclass(frozen=True)
class ServiceStatus:
    """One service's roll-up and the reasons for it."""

    service_id: str
    kpis: list[KpiStatus] = field(default_factory=list)
    open_items: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def kpi_rag(self) -> str:
        return rag.worst(k.rag for k in self.kpis)

    @property
    def errors(self) -> int:
        from pmo_xl.findings import ERROR

        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def rag(self) -> str:
        return rag.service_rag((k.rag for k in self.kpis),
                               (r.get(Risks.severity) for r in self.open_items), self.errors > 0)

    @property
    def reasons(self) -> str:
        """Why the roll-up is what it is, in words (empty when Green with nothing to say)."""
        parts = [f"{k.kpi_id} {k.rag}" for k in self.kpis if k.rag != rag.GREEN]
        parts += [f"{r.get(Risks.item_id)} {r.get(Risks.severity)} open" for r in self.open_items
                  if r.get(Risks.severity) in SERIOUS_SEVERITIES]
        if self.errors:
            parts.append(f"{self.errors} error finding{'s' if self.errors != 1 else ''}")
        if not self.kpis and not parts:
            parts.append("No KPIs")
        return "; ".join(parts)


# Floating point sums of FTE (0.1 + 0.2) never tip a PMO over its capacity.
FTE_TOLERANCE = 1e-9
# Stages from which a service's team is expected to hold its Required Skills (rules.md V).
DELIVERING_STAGES = (Stage.PILOT, Stage.TRANSITION, Stage.RUNNING, Stage.CLOSING)


@dataclass(frozen=True)
class ReviewDue:
    """A record due for its periodic review (rules.md V): never reviewed, or reviewed longer
    ago than the review interval."""

    sheet: str  # the sheet's schema name: Services, Procedures or Documents
    row: int
    record: str  # Service ID, Procedure ID or the document's name
    service: str | None  # the service it belongs to (None for a key document)
    last_reviewed: dt.date | None  # None: never reviewed
    due: dt.date | None  # when the review fell due (None: never reviewed)


@dataclass(frozen=True)
class RedRun:
    """A KPI's latest run of Red reporting periods in a row, up to its latest actual."""

    length: int
    first: dt.date  # the first period of the run
    last: dt.date  # the period of the latest actual
    row: int  # the Excel row in KPI Actuals of the latest actual


@dataclass(frozen=True)
class PmoLoad:
    """A PMO's Capacity FTE against the Planned FTE of the services it leads that are active
    (Design to Closing)."""

    pmo_id: str
    capacity: float | None
    committed: float
    services: int  # active services with a Planned FTE

    @property
    def headroom(self) -> float | None:
        # Rounded as variances are: sums of FTE such as 9.6 carry float noise.
        return None if self.capacity is None else round(self.capacity - self.committed, 6)


@dataclass(frozen=True)
class Proposal:
    """A Proposed service and what approving it would mean for its Lead PMO."""

    service_id: str
    row: int
    name: str | None
    lead_pmo: str | None
    planned_fte: float | None
    capacity: float | None  # the Lead PMO's, None when unknown
    committed: float | None  # Planned FTE of the Lead PMO's active services
    headroom: float | None  # capacity - committed, before approving it
    missing_skills: tuple[str, ...]  # Required Skills nobody in the Lead PMO has

    @property
    def left(self) -> float | None:
        """The Lead PMO's headroom once this service is approved (negative: over capacity)."""
        if self.headroom is None or self.planned_fte is None:
            return None
        return round(self.headroom - self.planned_fte, 6)

    @property
    def over_capacity(self) -> bool:
        return self.left is not None and self.left < -FTE_TOLERANCE


@dataclass(frozen=True)
class PlannedDate:
    """A set-up date of a stage the service has not reached yet: a plan (rules.md V)."""

    service_id: str
    row: int
    header: str  # the Services column, e.g. Pilot Start
    stage: str  # the stage it marks
    date: dt.date
    slipped_days: int | None  # days since a stage-entry date passed; None while it has not


class Facts:
    """The derived facts of one master as of one date. Build one per run; never change it."""

    def __init__(self, master: Master, as_of: dt.date,
                 settings: SettingValues | None = None) -> None:
        self.master = master
        self.as_of = as_of
        self.settings = settings if settings is not None else read_settings(master)

    # --- time ----------------------------------------------------------------------------

    def period_for(self, frequency: str | None) -> dt.date:
        """The reporting period a KPI of this frequency should have an actual for: the last
        complete month or quarter before the as-of date (Settings' Reporting Period overrides
        the month)."""
        if self.settings.reporting_period is not None and frequency != Frequency.QUARTERLY:
            return self.settings.reporting_period.replace(day=1)
        return reporting_period(frequency, self.as_of)

    def trend_periods(self, frequency: str | None, count: int = 12) -> list[dt.date]:
        """The last `count` periods up to the reporting period, oldest first."""
        latest = self.period_for(frequency)
        return [step_back(frequency, latest, count - 1 - i) for i in range(count)]

    @property
    def reporting_month(self) -> dt.date:
        return self.period_for(Frequency.MONTHLY)

    # --- the catalogue ------------------------------------------------------------------

    @cached_property
    def catalogue(self) -> list[tuple[int, dict, dict]]:
        """Each Services row as (Excel row, typed values, values as typed), in sheet order."""
        services = self.master[Services]
        typed = list(services.rows())
        names = list(services.raw.columns)
        columns = [services.raw[name].tolist() for name in names]
        raw = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        return [(row, record, as_typed) for (row, record), as_typed
                in zip(typed, raw, strict=True)]

    @cached_property
    def services(self) -> dict[str, dict]:
        """Service ID -> its typed record (the first row of a duplicated ID), catalogue order."""
        found: dict[str, dict] = {}
        for _row, record, _raw in self.catalogue:
            sid = record[Services.service_id]
            if sid is not None:
                found.setdefault(str(sid), record)
        return found

    @cached_property
    def service_row(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row, record, _raw in self.catalogue:
            if record[Services.service_id] is not None:
                found.setdefault(str(record[Services.service_id]), row)
        return found

    @cached_property
    def stage_of(self) -> dict[str, str]:
        return {sid: r[Services.stage] for sid, r in self.services.items()
                if r[Services.stage] is not None}

    def service_name(self, sid: object) -> str | None:
        record = self.services.get(str(sid)) if sid is not None else None
        return record.get(Services.service_name) if record else None

    def active(self, sid: object) -> bool:
        """Set-up, Running or Closing: a service that takes effort and has a RAG to show."""
        return self.stage_of.get(str(sid)) in ACTIVE_STAGES

    @cached_property
    def leaders(self) -> dict[str, set[str]]:
        """Service ID -> its Service Owner and Service Managers."""
        found: dict[str, set[str]] = {}
        for sid, record in self.services.items():
            found[sid] = {p for p in [record[Services.service_owner],
                                      *split_list(record[Services.service_managers])] if p}
        return found

    def managers_of(self, sid: object) -> list[str]:
        record = self.services.get(str(sid)) if sid is not None else None
        return [p for p in split_list(record[Services.service_managers]) if p] if record else []

    def owner_of(self, sid: object) -> str | None:
        record = self.services.get(str(sid)) if sid is not None else None
        return record[Services.service_owner] if record else None

    @cached_property
    def closures_awaiting_approval(self) -> list[str]:
        """Closing services whose closure the Service Owner has not yet approved."""
        return [sid for sid, r in self.services.items()
                if r[Services.stage] == Stage.CLOSING
                and r[Services.closure_approved_date] is None]

    @cached_property
    def log_steps(self) -> dict[str, list[tuple[int, dict]]]:
        """Service ID -> its Lifecycle Log rows (Excel row, record), in sheet order."""
        steps: dict[str, list[tuple[int, dict]]] = {}
        for row, record in self.master[LifecycleLog].rows():
            sid = record[LifecycleLog.service_id]
            if sid is not None:
                steps.setdefault(str(sid), []).append((row, record))
        return steps

    # --- people and PMOs ----------------------------------------------------------------

    @cached_property
    def people(self) -> dict[str, Person]:
        table = self.master[People]
        found: dict[str, Person] = {}
        for _row, r in table.rows():
            pid = r[People.person_id]
            if pid is not None and str(pid) not in found:
                found[str(pid)] = Person(str(pid), r[People.name], r[People.job_role],
                                         None if r[People.pmo] is None else str(r[People.pmo]),
                                         r[People.email],
                                         tuple(i for i in split_list(r[People.skills]) if i))
        return found

    def name_of(self, ids: object) -> str | None:
        """`Helen Marsh` for P-001; several names for a `;` list; an unknown ID as typed."""
        items = [i for i in split_list(ids) if i]
        names = [(self.people[i].name or i) if i in self.people else i for i in items]
        return "; ".join(names) or None

    @cached_property
    def pmos(self) -> dict[str, dict]:
        found: dict[str, dict] = {}
        for _row, r in self.master[PMOs].rows():
            if r[PMOs.pmo_id] is not None:
                found.setdefault(str(r[PMOs.pmo_id]), r)
        return found

    def pmo_name(self, pmo_id: object) -> str | None:
        if pmo_id is None:
            return None
        record = self.pmos.get(str(pmo_id))
        return (record.get(PMOs.pmo_name) or str(pmo_id)) if record else str(pmo_id)

    def ids(self, sheet) -> set[str]:
        return self.master.ids(sheet)

    # --- the handbook -------------------------------------------------------------------

    @cached_property
    def procedures(self) -> list[Procedure]:
        data = self.master[Procedures].data
        found = []
        for row, pid, sid, process, status, kind, owner in zip(
                data.index.tolist(),
                *(data[c].tolist() for c in (Procedures.procedure_id, Procedures.service_id,
                                             Procedures.process_id, Procedures.status,
                                             Procedures.kind, Procedures.owner)),
                strict=True):
            if pid is not None:
                found.append(Procedure(row, str(pid), sid, process, status, kind, owner))
        return found

    @cached_property
    def procedures_by_service(self) -> dict[str, list[Procedure]]:
        found: dict[str, list[Procedure]] = {}
        for item in self.procedures:
            if item.service is not None:
                found.setdefault(item.service, []).append(item)
        return found

    @cached_property
    def procedures_by_process(self) -> dict[str, list[Procedure]]:
        found: dict[str, list[Procedure]] = {}
        for item in self.procedures:
            if item.process is not None:
                found.setdefault(item.process, []).append(item)
        return found

    @cached_property
    def service_of_procedure(self) -> dict[str, str]:
        return {p.procedure_id: str(p.service) for p in self.procedures if p.service is not None}

    @cached_property
    def procedures_with_raci(self) -> set[str]:
        return {str(p).strip() for p in self.master[RACI].raw[RACI.procedure_id]
                if p is not None}

    # --- the RACI matrix ----------------------------------------------------------------

    @cached_property
    def raci_columns(self) -> list[RoleColumn]:
        """The RACI sheet's role and person columns, in sheet order (any other column is
        X103's finding and is not read)."""
        table = self.master[RACI]
        roles = {normalise_header(r): r for r in RACI_ROLES}
        declared = {normalise_header(h) for h in RACI.headers()}
        people = self.ids(People)
        position: dict[str, int] = {}
        for index, text in table.headers:  # a repeated header is read from its last copy
            if normalise_header(text) not in declared and text in table.raw.columns:
                position[text] = index
        found = []
        for text, index in sorted(position.items(), key=lambda item: item[1]):
            role = roles.get(normalise_header(text))
            if role is None and text not in people:
                continue
            found.append(RoleColumn(text, column_letter(index), role, None if role else text))
        return found

    @cached_property
    def raci_activities(self) -> list[Activity]:
        """Each RACI row with its filled role cells. Read column by column, and each distinct
        cell value parsed once: fast on big sheets."""
        table = self.master[RACI]
        if not table.present:
            return []
        columns = self.raci_columns
        values = [table.raw[c.header].tolist() for c in columns]
        procedures = table.data[RACI.procedure_id].tolist()
        names = table.data[RACI.activity].tolist()
        parsed: dict[object, frozenset[str] | None] = {}
        found = []
        for i, row in enumerate(table.raw.index.tolist()):
            cells = []
            for column, column_values in zip(columns, values, strict=True):
                value = column_values[i]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                key = (type(value), value)  # 1 and True are equal keys; their types are not
                if key not in parsed:
                    parsed[key] = raci_letters(value)
                cells.append((column, value, parsed[key]))
            found.append(Activity(row, procedures[i], names[i], cells))
        return found

    # --- SIPOC and the dependencies between processes (seed §5.1) -----------------------

    @cached_property
    def processes(self) -> list[Process]:
        data = self.master[SIPOC].data
        found = []
        for row, pid, sid, inputs, outputs in zip(
                data.index.tolist(),
                *(data[c].tolist() for c in (SIPOC.process_id, SIPOC.service_id, SIPOC.inputs,
                                             SIPOC.outputs)),
                strict=True):
            if pid is None:
                continue
            typed: dict[str, str] = {}
            for text in split_list(inputs):
                if text:
                    typed.setdefault(matched(text), text)
            made = [o for o in split_list(outputs) if o]
            found.append(Process(row, str(pid), sid, typed, [matched(o) for o in made], made))
        return found

    @cached_property
    def processes_by_service(self) -> dict[str, list[Process]]:
        found: dict[str, list[Process]] = {}
        for process in self.processes:
            if process.service is not None:
                found.setdefault(process.service, []).append(process)
        return found

    @cached_property
    def producers(self) -> dict[str, list[Process]]:
        """Output (matched form) -> the processes that produce it (each once, SIPOC order)."""
        made: dict[str, list[Process]] = {}
        for process in self.processes:
            for output in dict.fromkeys(process.outputs):
                made.setdefault(output, []).append(process)
        return made

    @cached_property
    def dependencies_on_going(self) -> list[Dependency]:
        """Each input of a live service's process that only a Closing or Closed service's
        process makes (an input that a live process also makes is fine): H109's findings
        and the closing checklist's "No service depends on it" both come from here."""
        stage_of = self.stage_of

        def live(process: Process) -> bool:
            return stage_of.get(process.service) not in GOING_STAGES

        # Per output, counted once: how many live processes make it, and the first going one.
        # (Many processes may share one register; comparing every pair would be quadratic.)
        live_makers: dict[str, int] = {}
        going_maker: dict[str, Process] = {}
        for item, makers in self.producers.items():
            live_makers[item] = sum(1 for p in makers if live(p))
            going = next((p for p in makers if not live(p)), None)
            if going is not None:
                going_maker[item] = going
        found = []
        for process in self.processes:
            if process.service is None or stage_of.get(process.service) in (
                    *GOING_STAGES, Stage.REJECTED):
                continue
            outputs = set(process.outputs)
            for item, typed in process.inputs.items():
                source = going_maker.get(item)
                # the process itself (live) does not count as another live source
                others_live = live_makers.get(item, 0) - (1 if item in outputs else 0)
                if source is None or others_live > 0:
                    continue
                found.append(Dependency(process, typed, source, stage_of[source.service]))
        return found

    def dependants_of(self, sid: str) -> list[Dependency]:
        """The dependencies of live services on the processes of (going) service `sid`."""
        return [d for d in self.dependencies_on_going if d.source.service == sid]

    def supported_by(self, sid: str) -> list[str]:
        """Live services that name `sid` as the service they support."""
        return [other for other, r in self.services.items()
                if r[Services.supports_service] == sid
                and r[Services.stage] not in (*ENDED_STAGES, Stage.CLOSING)]

    # --- risks, issues and changes ------------------------------------------------------

    @cached_property
    def open_items(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every open risk and issue."""
        return [(row, r) for row, r in self.master[Risks].rows()
                if is_open_item(r[Risks.status])]

    @cached_property
    def open_items_by_service(self) -> dict[object, list[dict]]:
        found: dict[object, list[dict]] = {}
        for _row, item in self.open_items:
            found.setdefault(item[Risks.service_id], []).append(item)
        return found

    @cached_property
    def changes_in_flight(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every change not yet Implemented or Rejected."""
        return [(row, r) for row, r in self.master[Changes].rows()
                if is_open_change(r[Changes.status])]

    @cached_property
    def overdue_items(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every open risk and issue whose Target Date has passed (due
        on the as-of day itself is not late yet)."""
        return [(row, r) for row, r in self.open_items
                if r[Risks.target_date] is not None and r[Risks.target_date] < self.as_of]

    @cached_property
    def changes_awaiting_approval(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every change still Proposed: the Service Owner decides."""
        return [(row, r) for row, r in self.changes_in_flight
                if r[Changes.status] == ChangeStatus.PROPOSED]

    @cached_property
    def changes_in_flight_by_service(self) -> dict[object, list[dict]]:
        found: dict[object, list[dict]] = {}
        for _row, change in self.changes_in_flight:
            found.setdefault(change[Changes.service_id], []).append(change)
        return found

    # --- KPIs and the actuals that count ------------------------------------------------

    @cached_property
    def kpi_rows(self) -> list[tuple[int, dict]]:
        return [(row, r) for row, r in self.master[KPIs].rows() if r[KPIs.kpi_id] is not None]

    @cached_property
    def frequency_of(self) -> dict[str, str | None]:
        """KPI ID -> Frequency (the first row of a duplicated KPI ID)."""
        found: dict[str, str | None] = {}
        for _row, r in self.kpi_rows:
            found.setdefault(str(r[KPIs.kpi_id]), r[KPIs.frequency])
        return found

    @cached_property
    def service_of_kpi(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for _row, r in self.kpi_rows:
            if r[KPIs.service_id] is not None:
                found.setdefault(str(r[KPIs.kpi_id]), str(r[KPIs.service_id]))
        return found

    @cached_property
    def dated_actuals(self) -> pd.DataFrame:
        """The actuals with a KPI ID and a Period date (index = Excel row), with the period
        each counts for: the month (Monthly KPI) or quarter (Quarterly) containing its
        Period, so an actual dated inside its period still counts (K106 reports its date).

        200,000 actuals have a few dozen different Periods: each (frequency, day) is worked
        out once and the rows matched in C.
        """
        data = self.master[KPIActuals].data
        frame = data[[KPIActuals.kpi_id, KPIActuals.period]]
        frame = frame[frame[KPIActuals.kpi_id].notna() & frame[KPIActuals.period].notna()]
        quarterly = {k for k, f in self.frequency_of.items() if f == Frequency.QUARTERLY}
        is_quarterly = frame[KPIActuals.kpi_id].isin(list(quarterly))
        days = set(frame[KPIActuals.period].tolist())
        months = {day: period_start(Frequency.MONTHLY, day) for day in days}
        starts = frame[KPIActuals.period].map(months)
        if is_quarterly.any():
            quarters = {day: period_start(Frequency.QUARTERLY, day) for day in days}
            starts = starts.where(~is_quarterly, frame[KPIActuals.period].map(quarters))
        frame = frame.assign(counts_for=starts)
        return frame

    @cached_property
    def standing_actuals(self) -> dict[str, dict[dt.date, int]]:
        """KPI ID -> period -> the Excel row of the actual that counts: the first row for
        that KPI and period. A later row for the same KPI and period is K105's finding and
        counts nowhere."""
        frame = self.dated_actuals
        first = frame[~frame.duplicated(subset=[KPIActuals.kpi_id, "counts_for"], keep="first")]
        found: dict[str, dict[dt.date, int]] = {}
        add = found.setdefault  # 200,000 actuals: one bound method, and IDs read as text
        for row, kpi, period in zip(first.index.tolist(), first[KPIActuals.kpi_id].tolist(),
                                    first["counts_for"].tolist(), strict=True):
            add(kpi, {})[period] = row
        return found

    @cached_property
    def repeated_actuals(self) -> list[tuple[int, str, dt.date, int]]:
        """(row, KPI, period, row of the actual that counts) of each later actual for a KPI
        and period that already has one."""
        frame = self.dated_actuals
        later = frame[frame.duplicated(subset=[KPIActuals.kpi_id, "counts_for"], keep="first")]
        standing = self.standing_actuals
        return [(row, str(kpi), period, standing[str(kpi)][period])
                for row, kpi, period in zip(later.index.tolist(),
                                            later[KPIActuals.kpi_id].tolist(),
                                            later["counts_for"].tolist(), strict=True)]

    def actual_at(self, row: int | None, header: str) -> object:
        """A typed value of the KPI Actuals row `row` (None for no row)."""
        if row is None:
            return None
        return self.master[KPIActuals].data.at[row, header]

    def actuals_of(self, kpi: str, periods: Iterable[dt.date]) -> list[float | None]:
        """The actuals that count for `kpi` in each of `periods` (None where none)."""
        rows = self.standing_actuals.get(kpi, {})
        column = self.master[KPIActuals].data[KPIActuals.actual]
        return [None if rows.get(p) is None else column.at[rows[p]] for p in periods]

    @cached_property
    def go_live_of_running(self) -> dict[str, dt.date | None]:
        """Running service -> its Go-live Date."""
        return {sid: r[Services.go_live_date] for sid, r in self.services.items()
                if r[Services.stage] == Stage.RUNNING}

    def kpi_due(self, kpi_service: object, frequency: str | None,
                kpi_pmo: object = None) -> bool:
        """A KPI is due for its reporting period when its service is Running and went live
        before that period ended (a service that went live during the period reports it).
        A KPI of a PMO (no service) is due whenever its PMO is in PMOs: a PMO is always
        running."""
        if kpi_service is None and kpi_pmo is not None:
            return frequency is not None and str(kpi_pmo) in self.pmos
        if kpi_service not in self.go_live_of_running or frequency is None:
            return False
        go_live = self.go_live_of_running[kpi_service]
        return go_live is None or go_live < self._period_ends[frequency]

    @cached_property
    def _period_ends(self) -> dict[str, dt.date]:
        """Frequency -> the first day after its reporting period."""
        return {frequency: step_back(frequency, self.period_for(frequency), -1)
                for frequency in Frequency}

    @cached_property
    def kpi_statuses(self) -> list[KpiStatus]:
        """Every KPI with the actual that counts and its RAG for its reporting period."""
        statuses = []
        periods: dict[object, dt.date] = {}  # frequency -> its reporting period, once each
        rows_of: list[int | None] = []
        for _row, kpi in self.kpi_rows:
            frequency = kpi[KPIs.frequency]
            if frequency not in periods:
                periods[frequency] = self.period_for(frequency)
            rows_of.append(self.standing_actuals.get(str(kpi[KPIs.kpi_id]), {})
                           .get(periods[frequency]))
        # The actuals that count, read in one go (a lookup per KPI costs more than the rest
        # of the KPI facts together on a large master).
        data = self.master[KPIActuals].data
        found = [r for r in rows_of if r is not None]
        values = dict(zip(found, data.loc[found, KPIActuals.actual].tolist(), strict=True))
        notes = dict(zip(found, data.loc[found, KPIActuals.commentary].tolist(), strict=True))
        for (row, kpi), actual_row in zip(self.kpi_rows, rows_of, strict=True):
            kpi_id = str(kpi[KPIs.kpi_id])
            frequency = kpi[KPIs.frequency]
            period = periods[frequency]
            actual = values.get(actual_row)
            statuses.append(KpiStatus(
                kpi_id=kpi_id, row=row, service_id=kpi[KPIs.service_id],
                pmo_id=kpi[KPIs.pmo_id],
                name=kpi[KPIs.kpi_name], unit=kpi[KPIs.unit], direction=kpi[KPIs.direction],
                frequency=frequency, target=kpi[KPIs.target],
                amber_threshold=kpi[KPIs.amber_threshold],
                red_threshold=kpi[KPIs.red_threshold], baseline=kpi[KPIs.baseline],
                owner=kpi[KPIs.owner], period=period, actual=actual, actual_row=actual_row,
                commentary=notes.get(actual_row),
                rag=rag.kpi_rag(actual, kpi[KPIs.target], kpi[KPIs.direction],
                                kpi[KPIs.amber_threshold], kpi[KPIs.red_threshold]),
                due=self.kpi_due(kpi[KPIs.service_id], frequency, kpi[KPIs.pmo_id]),
            ))
        return statuses

    @cached_property
    def kpis_by_service(self) -> dict[object, list[KpiStatus]]:
        found: dict[object, list[KpiStatus]] = {}
        for kpi in self.kpi_statuses:
            found.setdefault(kpi.service_id, []).append(kpi)
        return found

    @cached_property
    def kpis_by_pmo(self) -> dict[str, list[KpiStatus]]:
        """PMO ID -> the KPIs of the PMO's own performance (those naming no service)."""
        found: dict[str, list[KpiStatus]] = {}
        for kpi in self.kpi_statuses:
            if kpi.service_id is None and kpi.pmo_id is not None:
                found.setdefault(str(kpi.pmo_id), []).append(kpi)
        return found

    def measured_name(self, measured: object) -> str | None:
        """The name of what a KPI measures: a service's name, else a PMO's."""
        if measured is None:
            return None
        if str(measured) in self.services:
            return self.service_name(measured)
        return self.pmo_name(measured) if str(measured) in self.pmos else None

    # --- review and decisions (rules.md V) ------------------------------------------------

    @cached_property
    def reviews_due(self) -> list[ReviewDue]:
        """Running services, the procedures (not Retired) of Running services and the key
        documents that were never reviewed or whose review fell due before the as-of date:
        Last Reviewed plus Settings' Review Interval Months. A date typed as text is S105's
        finding and is not judged."""
        found: list[ReviewDue] = []
        for row, record, raw in self.catalogue:
            sid = record[Services.service_id]
            if record[Services.stage] == Stage.RUNNING and sid is not None:
                found += self._review(Services.SHEET, row, str(sid), str(sid),
                                      record[Services.last_reviewed],
                                      raw[Services.last_reviewed])
        table = self.master[Procedures]
        for row, pid, sid, status, typed, raw in zip(
                table.data.index.tolist(),
                *(table.data[c].tolist() for c in (Procedures.procedure_id,
                                                   Procedures.service_id, Procedures.status,
                                                   Procedures.last_reviewed)),
                table.raw[Procedures.last_reviewed].tolist(), strict=True):
            if (pid is not None and self.stage_of.get(str(sid)) == Stage.RUNNING
                    and status != ProcedureStatus.RETIRED):
                found += self._review(Procedures.SHEET, row, str(pid), str(sid), typed, raw)
        table = self.master[Documents]
        for row, document, typed, raw in zip(
                table.data.index.tolist(), table.data[Documents.document].tolist(),
                table.data[Documents.last_reviewed].tolist(),
                table.raw[Documents.last_reviewed].tolist(), strict=True):
            if document is not None:
                found += self._review(Documents.SHEET, row, str(document), None, typed, raw)
        return found

    def _review(self, sheet: str, row: int, record: str, service: str | None,
                typed: object, raw: object) -> list[ReviewDue]:
        if typed is None:
            return [] if raw is not None else [ReviewDue(sheet, row, record, service, None,
                                                         None)]
        if not isinstance(typed, dt.date) or typed >= self.as_of:
            return []  # a future date is L109's finding, never a review due
        try:
            due = add_months(typed, self.settings.review_interval_months)
        except ValueError:  # due after 9999-12-31: not due yet
            return []
        return [ReviewDue(sheet, row, record, service, typed, due)] if due < self.as_of else []

    @cached_property
    def _histories(self) -> dict[str, tuple[dict, list[dt.date], dict[dt.date, int]]]:
        """KPI ID -> (its KPIs record, its history's periods oldest first, period -> Excel
        row of the actual that counts). A repeated KPI ID is S107's finding; its first row
        counts."""
        count = max(12, self.settings.chronic_red_periods)
        periods: dict[object, list[dt.date]] = {}
        found: dict[str, tuple[dict, list[dt.date], dict[dt.date, int]]] = {}
        for _row, kpi in self.kpi_rows:
            kpi_id = str(kpi[KPIs.kpi_id])
            if kpi_id in found:
                continue
            frequency = kpi[KPIs.frequency]
            if frequency not in periods:
                periods[frequency] = self.trend_periods(frequency, count)
            found[kpi_id] = (kpi, periods[frequency], self.standing_actuals.get(kpi_id, {}))
        return found

    @cached_property
    def _actual_values(self) -> dict[int, object]:
        data = self.master[KPIActuals].data
        return dict(zip(data.index.tolist(), data[KPIActuals.actual].tolist(), strict=True))

    def _rag_of(self, kpi: dict, row: int | None) -> str:
        """The RAG of the actual on `row` (No data for none) against the KPI's thresholds."""
        value = None if row is None else self._actual_values[row]
        return rag.kpi_rag(value, kpi[KPIs.target], kpi[KPIs.direction],
                           kpi[KPIs.amber_threshold], kpi[KPIs.red_threshold])

    @cached_property
    def rag_history(self) -> dict[str, list[tuple[dt.date, str, int | None]]]:
        """KPI ID -> (period, RAG, Excel row in KPI Actuals of the actual that counts) for
        each of its last periods up to its reporting period, oldest first: 12, or Chronic Red
        Periods where that is more. A period without an actual is No data."""
        return {kpi_id: [(p, self._rag_of(kpi, rows.get(p)), rows.get(p)) for p in periods]
                for kpi_id, (kpi, periods, rows) in self._histories.items()}

    @cached_property
    def chronic_red(self) -> dict[str, RedRun]:
        """KPI ID -> its run of Red periods in a row up to its latest actual (within the
        history's periods), for each KPI whose run is at least Settings' Chronic Red Periods
        long; a period with no actual ends the run. V104, the status report's decisions and
        the email read it. It walks back from the latest actual, so a check reads only the
        periods a run needs; the RAG of each period is the one rag_history shows."""
        needed = self.settings.chronic_red_periods
        found: dict[str, RedRun] = {}
        for kpi_id, (kpi, periods, rows) in self._histories.items():
            latest = next((i for i in range(len(periods) - 1, -1, -1) if periods[i] in rows),
                          None)
            if latest is None:
                continue
            start = latest
            while (start >= 0 and periods[start] in rows
                   and self._rag_of(kpi, rows[periods[start]]) == rag.RED):
                start -= 1
            if latest - start >= needed:
                found[kpi_id] = RedRun(latest - start, periods[start + 1], periods[latest],
                                       rows[periods[latest]])
        return found

    @cached_property
    def pmo_loads(self) -> dict[str, PmoLoad]:
        """PMO ID -> its Capacity FTE and the Planned FTE of the services it leads that are
        active (Design to Closing), for every PMO in PMOs."""
        committed: dict[str, float] = {}
        counted: dict[str, int] = {}
        for _row, record, _raw in self.catalogue:
            lead, effort = record[Services.lead_pmo], record[Services.planned_fte]
            if record[Services.stage] in ACTIVE_STAGES and lead is not None and effort is not None:
                committed[str(lead)] = committed.get(str(lead), 0.0) + effort
                counted[str(lead)] = counted.get(str(lead), 0) + 1
        return {pmo: PmoLoad(pmo, record[PMOs.capacity_fte], committed.get(pmo, 0.0),
                             counted.get(pmo, 0))
                for pmo, record in self.pmos.items()}

    @cached_property
    def skills_in_pmo(self) -> dict[str, set[str]]:
        """PMO ID -> every skill (matched form) someone working in it has."""
        found: dict[str, set[str]] = {}
        for person in self.people.values():
            if person.pmo is not None:
                found.setdefault(person.pmo, set()).update(matched(s) for s in person.skills)
        return found

    @cached_property
    def proposals(self) -> list[Proposal]:
        """Every Proposed service, catalogue order, with its Lead PMO's headroom before
        approving it and the Required Skills nobody in that PMO has (for a Lead PMO in
        PMOs)."""
        found = []
        for row, record, _raw in self.catalogue:
            sid = record[Services.service_id]
            if record[Services.stage] != Stage.PROPOSED or sid is None:
                continue
            lead = record[Services.lead_pmo]
            load = self.pmo_loads.get(str(lead)) if lead is not None else None
            missing: tuple[str, ...] = ()
            if load is not None:
                held = self.skills_in_pmo.get(load.pmo_id, set())
                missing = _lacking(record[Services.required_skills], held)
            found.append(Proposal(
                str(sid), row, record[Services.service_name],
                None if lead is None else str(lead), record[Services.planned_fte],
                None if load is None else load.capacity,
                None if load is None else load.committed,
                None if load is None else load.headroom, missing))
        return found

    @cached_property
    def skill_gaps(self) -> dict[str, tuple[str, ...]]:
        """Service ID -> the Required Skills none of its Service Managers and Operatives has,
        for each service from Pilot to Closing whose whole team is in People (an unknown
        person is X101's finding: they may well have the skill)."""
        found: dict[str, tuple[str, ...]] = {}
        for sid, record in self.services.items():
            if record[Services.stage] not in DELIVERING_STAGES:
                continue
            if not any(split_list(record[Services.required_skills])):
                continue
            team = [p for p in (*split_list(record[Services.service_managers]),
                                *split_list(record[Services.operatives])) if p]
            if any(p not in self.people for p in team):
                continue
            held = {matched(s) for p in team for s in self.people[p].skills}
            missing = _lacking(record[Services.required_skills], held)
            if missing:
                found[sid] = missing
        return found

    @cached_property
    def planned_dates(self) -> dict[str, list[PlannedDate]]:
        """Service ID -> its set-up dates for stages it has not reached yet (plans), each with
        the days it has slipped by: for a date that marks entering its stage and lies before
        the as-of date, the days since; None while it lies ahead (or on the as-of day). A
        past Readiness Assessment Date of a service in Transition has happened (the
        assessment comes before go-live), so it is no plan."""
        found: dict[str, list[PlannedDate]] = {}
        for row, record, _raw in self.catalogue:
            sid, stage = record[Services.service_id], record[Services.stage]
            if sid is None:
                continue
            for header, marks in SET_UP_DATE_STAGE.items():
                value = record[header]
                if not isinstance(value, dt.date) or not is_plan(stage, header):
                    continue
                entry = header in STAGE_ENTRY_DATES
                if not entry and value <= self.as_of:
                    continue
                slipped = (self.as_of - value).days if entry and value < self.as_of else None
                found.setdefault(str(sid), []).append(
                    PlannedDate(str(sid), row, header, marks, value, slipped))
        return found

    # --- findings and the services they belong to ----------------------------------------

    def service_of_row(self, sheet_title: str, row: int) -> str | None:
        """The Service ID the record on `row` of a sheet belongs to (an actual or a RACI
        line belongs to the service of its KPI or procedure)."""
        return self._row_services.get(sheet_title, {}).get(row)

    @cached_property
    def _row_services(self) -> dict[str, dict[int, str]]:
        found: dict[str, dict[int, str]] = {}
        for name, table in self.master.sheets.items():
            if not table.present:
                continue
            if name == KPIActuals.SHEET:
                header, lookup = KPIActuals.kpi_id, self.service_of_kpi
            elif name == RACI.SHEET:
                header, lookup = RACI.procedure_id, self.service_of_procedure
            elif Services.service_id in table.data.columns and name != LifecycleLog.SHEET:
                header, lookup = Services.service_id, None
            elif name == LifecycleLog.SHEET:
                header, lookup = LifecycleLog.service_id, None
            else:
                continue
            rows = {}
            for row, value in zip(table.data.index.tolist(), table.data[header].tolist(),
                                  strict=True):
                service = value if lookup is None else lookup.get(str(value))
                if service is not None:
                    rows[row] = str(service)
            found[table.title] = rows
        return found

    def rollup(self, findings: Iterable[Finding]) -> dict[str, ServiceStatus]:
        """Service ID -> its roll-up for every service in the catalogue (catalogue order),
        from its KPIs, its open risks and issues and the unwaived findings on its records."""
        by_service: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.waived:
                continue
            service = self.service_of_row(finding.sheet, finding.row)
            if service is not None:
                by_service.setdefault(service, []).append(finding)
        return {sid: ServiceStatus(sid, self.kpis_by_service.get(sid, []),
                                   self.open_items_by_service.get(sid, []),
                                   by_service.get(sid, []))
                for sid in self.services}

    # --- periodic reviews ---------------------------------------------------------------

    @property
    def review_interval_months(self) -> int:
        """Settings' Review Interval Months: a whole number of months from 1, else 12 (read
        once, by pmo_xl.settings, as G108 and the V rules read it)."""
        return self.settings.review_interval_months

    @cached_property
    def reviews(self) -> list[Review]:
        """What is reviewed periodically, with its next review date: Running services, the
        procedures of Running services (not Retired) and the key documents (seed: make sure
        what we already deliver is still needed)."""
        months = self.review_interval_months
        found: list[Review] = []
        columns: dict[str, tuple[dict, dict]] = {}  # sheet -> (typed, as typed) by row

        def review(sheet: type[Services | Procedures | Documents], row: int, record: str) -> None:
            if sheet.SHEET not in columns:  # read each column once: fast on big sheets
                table = self.master[sheet]
                columns[sheet.SHEET] = tuple(
                    dict(zip(frame.index.tolist(), frame[sheet.last_reviewed].tolist(),
                             strict=True)) if sheet.last_reviewed in frame.columns else {}
                    for frame in (table.data, table.raw))
            typed, as_typed = columns[sheet.SHEET]
            last = typed.get(row)
            if last is None and as_typed.get(row) is not None:
                return  # a date that cannot be read: S105's finding is the action
            last = last if isinstance(last, dt.date) else None
            found.append(Review(sheet.SHEET, row, record, last,
                                None if last is None else add_months(last, months)))

        for row, r, _raw in self.catalogue:
            if r[Services.service_id] is not None and r[Services.stage] == Stage.RUNNING:
                review(Services, row, str(r[Services.service_id]))
        for item in self.procedures:
            if (self.stage_of.get(str(item.service)) == Stage.RUNNING
                    and item.status != ProcedureStatus.RETIRED):
                review(Procedures, item.row, item.procedure_id)
        if self.master[Documents].present:
            for row, r in self.master[Documents].rows():
                if r[Documents.document] is not None:
                    review(Documents, row, str(r[Documents.document]))
        return found

    # --- waivers ------------------------------------------------------------------------

    @cached_property
    def live_waivers(self) -> dict[tuple[str, str], str]:
        """(rule code, record casefolded) -> reason, for every waiver not past its Expires
        date (a waiver works up to and including the day it expires)."""
        table = self.master[Waivers]
        found: dict[tuple[str, str], str] = {}
        if not table.present:
            return found
        for row, record in table.rows():
            code, target = record[Waivers.rule], record[Waivers.record]
            expires = record[Waivers.expires]
            if not code or not target or (expires is not None and expires < self.as_of):
                continue
            if expires is None and table.unreadable(row, Waivers.expires):
                continue  # #REF! where the date was: S112 names it, and it waives nothing
            found[(str(code).strip().upper(), str(target).strip().casefold())] = str(
                record[Waivers.reason] or "waived")
        return found

    # --- the schema's verdict on each cell (the S rules' pandera pass) --------------------

    @cached_property
    def cell_failures(self) -> dict[tuple[str, str], list[tuple[int, str, object]]]:
        """(sheet name, check) -> [(row, header, value)] for every cell that fails its
        column's pandera checks, each sheet validated once, lazily."""
        from pmo_xl.validators.cell_checks import validate_sheet

        found: dict[tuple[str, str], list[tuple[int, str, object]]] = {}
        for table in self.master.sheets.values():
            if not table.present:
                continue
            for check, row, header, value in validate_sheet(table):
                found.setdefault((table.name, check), []).append((row, header, value))
        for (name, _check), cases in found.items():
            order = self.master[name].column_index
            cases.sort(key=lambda case: (case[0], order.get(case[1], 0)))
        return found

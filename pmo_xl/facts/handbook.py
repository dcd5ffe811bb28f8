"""The handbook: procedures, the RACI as read, SIPOC processes and the dependencies between
them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from pmo_xl.facts.base import matched
from pmo_xl.facts.catalogue import CatalogueFacts
from pmo_xl.facts.people import PeopleFacts
from pmo_xl.findings import column_letter
from pmo_xl.validators.schema import (
    GOING_STAGES,
    RACI,
    RACI_ROLES,
    SIPOC,
    People,
    Procedures,
    Stage,
    normalise_header,
    split_list,
)


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


class HandbookFacts(CatalogueFacts, PeopleFacts):
    """Procedures, RACI and SIPOC, and which processes depend on which."""

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
            found.append(RoleColumn(text, column_letter(index + 1), role, None if role else text))
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

    # --- SIPOC and the dependencies between processes ----------------------------------

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


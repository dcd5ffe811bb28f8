"""Capacity and proposals: each PMO's load and headroom, what approving a proposal would
mean, and the skills a team or a PMO lacks."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pmo_xl.facts.base import matched
from pmo_xl.facts.catalogue import CatalogueFacts
from pmo_xl.facts.people import PeopleFacts
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    PMOs,
    Services,
    Stage,
    split_list,
)


def _lacking(required: object, held: set[str]) -> tuple[str, ...]:
    """The items of a Required Skills cell (as typed, each once) not in `held` (matched)."""
    missing: dict[str, str] = {}
    for skill in split_list(required):
        if skill and matched(skill) not in held:
            missing.setdefault(matched(skill), skill)
    return tuple(missing.values())


# Floating point sums of FTE (0.1 + 0.2) never tip a PMO over its capacity.
FTE_TOLERANCE = 1e-9
# Stages from which a service's team is expected to hold its Required Skills (rules.md V).
DELIVERING_STAGES = (Stage.PILOT, Stage.TRANSITION, Stage.RUNNING, Stage.CLOSING)


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


class CapacityFacts(CatalogueFacts, PeopleFacts):
    """PMO loads, proposals and skill gaps."""

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
    def people_fte(self) -> dict[str, tuple[float, int]]:
        """PMO ID -> (the FTE its people add up to, how many people), from People's PMO and
        FTE; a person with no FTE counts as full time (1), the usual case."""
        found: dict[str, tuple[float, int]] = {}
        for person in self.people.values():
            if person.pmo is not None:
                total, count = found.get(person.pmo, (0.0, 0))
                found[person.pmo] = (total + (1.0 if person.fte is None else person.fte),
                                     count + 1)
        return found

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


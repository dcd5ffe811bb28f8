"""People and PMOs: who is who, their names, and the PMOs they work in."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pmo_xl.facts.base import FactsBase
from pmo_xl.validators.schema import (
    People,
    PMOs,
    split_list,
)


@dataclass(frozen=True)
class Person:
    person_id: str
    name: str | None
    job_role: str | None
    pmo: str | None
    email: str | None
    skills: tuple[str, ...] = ()  # as typed in People's Skills
    fte: float | None = None  # their working time (1 = full time); None: not given


class PeopleFacts(FactsBase):
    """The People and PMOs sheets, by ID."""

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
                                         tuple(i for i in split_list(r[People.skills]) if i),
                                         r[People.fte])
        return found

    def name_of(self, ids: object) -> str | None:
        """`Helen Marsh` for P-001; several names for a `;` list; an unknown ID as typed."""
        items = [i for i in split_list(ids) if i]
        names = [(self.people[i].name or i) if i in self.people else i for i in items]
        return "; ".join(names) or None

    def person_label(self, pid: object) -> str:
        """`Helen Marsh (P-001)`: a person by name, their ID in brackets (messages name
        people by name); an ID not in People, or a person with no Name, as typed."""
        if pid is None:
            return ""
        person = self.people.get(str(pid).strip())
        if person is None or not person.name:
            return str(pid)
        return f"{' '.join(str(person.name).split())} ({person.person_id})"

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


"""X — references between sheets: every ID that points elsewhere points at a real record."""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, Problem, column_letter
from pmo_xl.validators.registry import REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    KEY_OF,
    RACI,
    RACI_ROLES,
    SIPOC,
    People,
    Procedures,
    Services,
    columns_of,
    normalise_header,
    split_list,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts


@rule("X101", ERROR, "A reference points at a record that does not exist",
      kind=REQUIRED,
      why="A reference to a record that does not exist points nowhere: the person, PMO, service "
          "or objective it names cannot be found.",
      fails=[Edit(Services, "SVC-001", {Services.service_owner: "P-099"})], cell="Services!P2",
      passes=[Edit(Services, "SVC-001", {Services.operatives: " P-004 ;P-005;"})])
def unknown_reference(facts: Facts) -> Iterator[Problem]:
    """Every ID that points at another sheet (→ in the workbook guide) exists there.

    Service Owner, Service Managers and every other person column point at People; Lead
    PMO at PMOs; Strategic Objective at Strategy; Service ID at Services; a procedure's
    Process ID at SIPOC; a RACI row's Procedure ID at Procedures; an actual's KPI ID at KPIs.
    A list cell (Service Managers, Operatives) is read item by item, ignoring spaces around
    an item and an empty item (S111 reports that).
    Passing: SVC-001's Operatives typed ` P-004 ;P-005;`, both in People. Failing: its
    Service Owner is P-099, who is not.
    """
    known_ids: dict[str, set[str]] = {}  # People is pointed at by a dozen columns: read once
    hints = _Hints()
    master = facts.master
    for table in master.sheets.values():
        if not table.present:
            continue
        for col in columns_of(table.name):
            target = col.references
            if target is None or not table.has(col.header) or not master[target].present:
                continue
            if target not in known_ids:
                known_ids[target] = master.ids(target)
            known = known_ids[target]
            values = table.data[col.header]
            values = values[values.notna()]
            if not col.many:  # one ID per cell: a vectorised lookup, fast on big sheets
                values = values[~values.isin(known)]
            for row, value in values.items():
                items = split_list(value) if col.many else [str(value)]
                for item in items:
                    if item and item not in known:
                        yield table.problem(
                            int(row), col.header,
                            f"{col.header} {item!r}{_of(table, int(row))} is not a "
                            f"{KEY_OF[target]} in {master[target].title}.",
                            hints.hint(item, known, target, master[target].title))


# Beyond this many different unknown IDs pointing at one sheet (a People sheet half
# deleted), the fix stops naming the nearest ID: each search compares with every known ID.
NEAREST_LOOKUPS = 1000


class _Hints:
    """The fix for an unknown ID, naming the nearest known ID. Each unknown ID is looked up
    once per target sheet however many cells hold it (a deleted person can leave
    thousands), against candidates sorted once per target."""

    def __init__(self) -> None:
        self._candidates: dict[str, list[str]] = {}
        self._hints: dict[tuple[str, str], str] = {}
        self._lookups: dict[str, int] = {}

    def hint(self, item: str, known: set[str], target: str, title: str) -> str:
        key = (target, item)
        if key not in self._hints:
            if target not in self._candidates:
                self._candidates[target] = sorted(known)
            self._lookups[target] = self._lookups.get(target, 0) + 1
            near = (nearest(item, self._candidates[target])
                    if self._lookups[target] <= NEAREST_LOOKUPS else None)
            self._hints[key] = _hint(item, near, target, title)
        return self._hints[key]


def nearest(word: str, candidates: list[str], cutoff: float = 0.6) -> str | None:
    """What ``difflib.get_close_matches(word, candidates, n=1, cutoff=cutoff)`` returns, for
    sorted `candidates`, found faster: the candidates next to `word` in sort order share
    its longest prefix and are tried first, and a candidate whose cheap upper bounds on its
    score cannot beat the best so far is not scored (ties go to the larger string, as in
    get_close_matches)."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: tuple[float, str] | None = None
    for candidate in _outward(candidates, bisect.bisect_left(candidates, word)):
        matcher.set_seq1(candidate)
        bar = cutoff if best is None else best[0]
        if _beaten(matcher.real_quick_ratio(), bar, candidate, best):
            continue
        if _beaten(matcher.quick_ratio(), bar, candidate, best):
            continue
        score = matcher.ratio()
        if score >= cutoff and (best is None or (score, candidate) > best):
            best = (score, candidate)
    return None if best is None else best[1]


def _beaten(bound: float, bar: float, candidate: str, best: tuple[float, str] | None) -> bool:
    return bound < bar or (best is not None and bound == bar and candidate < best[1])


def _outward(items: list[str], start: int) -> Iterator[str]:
    """items[start], items[start - 1], items[start + 1], ... until both ends."""
    low, high = start - 1, start
    while low >= 0 or high < len(items):
        if high < len(items):
            yield items[high]
            high += 1
        if low >= 0:
            yield items[low]
            low -= 1


def _hint(item: str, near: str | None, target: str, title: str) -> str:
    if near:
        return f"Did you mean {near!r}? Otherwise add {item!r} to {title}."
    return f"Use a {KEY_OF[target]} listed in {title}, or add the missing record there."


def _of(table, row: int) -> str:
    record = table.record(row)
    return f" on {record}'s row" if record else f" on row {row}"


@rule("X102", ERROR, "A procedure's process belongs to another service",
      kind=REQUIRED,
      why="A procedure carries out a process of its own service; one that points at another "
          "service's process is in the wrong place.",
      fails=[Edit(SIPOC, "PRC-002", {SIPOC.service_id: "SVC-002"})], cell="Procedures!D3",
      passes=[Edit(Procedures, "PRD-003", {Procedures.process_id: "PRC-009"})])
def process_of_other_service(facts: Facts) -> Iterator[Problem]:
    """A procedure carries out a SIPOC process of its own service. A Process ID that is not
    in SIPOC at all is X101's finding, not this one.

    Passing: PRD-003 of SVC-001 names PRC-009, which SIPOC does not list (X101 reports it).
    Failing: PRC-002, carried out by PRD-002 of SVC-001, is listed in SIPOC under SVC-002.
    """
    procedures, sipoc = facts.master[Procedures], facts.master[SIPOC]
    if not (procedures.present and sipoc.present):
        return
    service_of = {
        str(p): s for p, s in zip(sipoc.data[SIPOC.process_id], sipoc.data[SIPOC.service_id],
                                  strict=True) if p is not None
    }
    for item in facts.procedures:
        process, service = item.process, item.service
        owner = service_of.get(process) if process else None
        if owner and service and owner != service:
            yield procedures.problem(
                item.row, Procedures.process_id,
                f"Procedure {item.procedure_id} belongs to {service} but its process "
                f"{process} is a process of {owner}.",
                f"Use a process of {service} (see SIPOC), or move the procedure to {owner}.")


@rule("X103", ERROR, "A RACI column is not a known role or person",
      kind=REQUIRED,
      why="A RACI column that is neither a role nor a person says nothing about who does what.",
      fails=[Edit(RACI, "PRD-001", {"Sponsor": "I"})], cell="RACI!L1",
      passes=[Edit(RACI, "PRD-001", {"P-004": "I"})])
def unknown_raci_role(facts: Facts) -> Iterator[Problem]:
    """Each RACI role column is headed by a role (Service Owner, Service Manager, Service
    Operative, PMO Director, PMO Manager, PMO Analyst, PMO Administrator, Customer,
    Supplier) or by a Person ID from People.

    Passing: a column headed `P-004`, a person in People, beside the role columns. Failing:
    a column headed `Sponsor`.
    """
    raci = facts.master[RACI]
    if not raci.present:
        return
    roles = {normalise_header(r): r for r in RACI_ROLES}
    people = facts.ids(People)
    declared = {normalise_header(h) for h in RACI.headers()}
    for index, text in raci.headers:
        key = normalise_header(text)
        if key in declared or key in roles or text in people:
            continue
        near = difflib.get_close_matches(key, list(roles), n=1, cutoff=0.6)
        yield Problem(
            raci.title, raci.header_row, column_letter(index + 1), None,
            f"RACI column {text!r} is neither a known role nor a Person ID.",
            f"Rename it to {roles[near[0]]!r}." if near else
            "Head it with a role (" + ", ".join(RACI_ROLES) + ") or a Person ID from People.")

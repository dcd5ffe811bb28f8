"""P — across masters: what only several PMOs' masters together can show (`pmo-xl rollup`).

Each PMO keeps its own master, and a master names people, PMOs, services and objectives that
other masters hold too (a parent PMO, a manager who works for two PMOs, the enterprise's
strategy). Each master can be clean on its own while together they disagree: one person
under two IDs, a person's time promised twice, a PMO tree that goes round in a circle, one
Service ID for two services, a process supplied by a service no PMO delivers, two wordings
of one objective, members reporting different months, a member nobody has updated. These
rules read the members' keys (:mod:`pmo_xl.validators.member_keys`) and name the cell of
every side, in every member.

The documents say nothing about several PMOs' masters; these rules keep the roll-up's own
numbers honest, as the S and X rules do inside one master: an ID that means two things, or
points at nothing, is an error; time over-committed, an objective the enterprise does not
have, a different month or an old member are warnings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from pmo_xl.findings import ERROR, WARNING, Problem, Side
from pmo_xl.validators.common import fte
from pmo_xl.validators.member_keys import (
    PACK,
    Enterprise,
    KeyRow,
    MemberKeys,
    in_words,
    problem_at,
    same_text,
    supplier_services,
)
from pmo_xl.validators.registry import RECOMMENDED, REQUIRED, Edit, Member, Members, rule
from pmo_xl.validators.schema import (
    SIPOC,
    People,
    PMOs,
    Services,
    Setting,
    Settings,
    Stage,
    Strategy,
)

# Floating point sums of FTE (0.1 + 0.2) never make a person over-committed.
FTE_TOLERANCE = 1e-9
ENTERPRISE, PROGRAMME = "enterprise.xlsx", "programme.xlsx"
D = dt.date


def _rows(enterprise: Enterprise, sheet: str) -> Iterator[tuple[MemberKeys, KeyRow]]:
    for member in enterprise.members:
        for row in member.rows_of(sheet):
            yield member, row


def _reference(enterprise: Enterprise, rows: list[tuple[MemberKeys, KeyRow]],
               preferred: MemberKeys | None) -> tuple[MemberKeys, KeyRow]:
    """The row the others are compared with: `preferred`'s (the member whose own record it
    is), else the first."""
    return next(((m, r) for m, r in rows if m is preferred), rows[0])


def _grouped(enterprise: Enterprise, sheet: str, header: str, fold: bool = False
             ) -> dict[str, list[tuple[MemberKeys, KeyRow]]]:
    groups: dict[str, list[tuple[MemberKeys, KeyRow]]] = {}
    for member, row in _rows(enterprise, sheet):
        key = row.text(header)
        if key:
            groups.setdefault(key.casefold() if fold else key, []).append((member, row))
    return groups


# --- people ---------------------------------------------------------------------------------


@rule("P101", ERROR, "One person has two Person IDs in different members",
      kind=REQUIRED,
      why="One person is one record: two Person IDs for the same name and email split their work "
          "and FTE, so neither member's totals nor the roll-up's are right.",
      fails=Members(Member(ENTERPRISE), Member(
          PROGRAMME, Edit(People, "P-003", {"Person ID": "P-007"}),
          Edit(Services, "SVC-002", {"Service Managers": "P-007"}),
          Edit(PMOs, "PMO-2", {"PMO Manager": None}))),
      cell=f"[{PROGRAMME}]People!F4",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(People, "P-003", {
          "Email": " PAT@example.org"}))))
def one_email_two_ids(enterprise: Enterprise) -> Iterator[Problem]:
    """The same Email under two Person IDs, in two members, is one person with two
    identities: their time is counted twice, their actions are split between two lists, and
    nobody sees the whole of what they are asked to do. Emails match in any case.

    The finding sits on the Email of the other ID's row and points at the row in the master
    of the PMO the person works in (else the first).
    Passing: both members list Pat Programme as P-003, one with the Email typed
    ` PAT@example.org`. Failing: programme.xlsx numbers Pat Programme P-007 (in People and
    as SVC-002's manager).
    """
    for email, rows in _grouped(enterprise, People.SHEET, People.email, fold=True).items():
        if len({id(m) for m, _ in rows}) < 2:
            continue
        # Compared with the row in the master of the PMO the person works in, else the first.
        own = next((m for m, r in rows if enterprise.homes.get(r.text(People.pmo) or "") is m),
                   None)
        first_member, first = _reference(enterprise, rows, own)
        first_id = first.text(People.person_id)
        for member, row in rows:
            pid = row.text(People.person_id)
            if member is first_member or pid is None or pid == first_id:
                continue
            there = first.side(first_member.name, People.email)
            yield problem_at(
                member.side(row, People.email),
                f"{row.text(People.email)} is {pid} in {member.name} but {first_id} in "
                f"{first_member.name} ({there.address}): one person under two Person IDs, so "
                "their time and actions are counted twice.",
                f"Agree one Person ID for {row.text(People.name) or email} across the PMOs, and "
                f"use it in {member.fix_in} (People, Service Managers and every other person "
                "column).",
                there)


@rule("P102", ERROR, "One Person ID has different names or emails in two members",
      kind=REQUIRED,
      why="A Person ID names one person everywhere; two names or emails under one ID send actions "
          "to the wrong person and merge two people's work.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(People, "P-003", {
          "Email": "pat.programme@example.org"}))),
      cell=f"[{PROGRAMME}]People!F4",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(People, "P-003", {
          "Name": "pat  programme"}))))
def one_id_two_people(enterprise: Enterprise) -> Iterator[Problem]:
    """A Person ID names one person everywhere: the same Name and Email in every member that
    lists it. Otherwise one ID is two people (each PMO numbered its own people), or one of
    the masters holds an old name or address, and drafts go to the wrong inbox.

    Each member's row is compared with the row of the member the person works in (the home
    of their PMO), else with the first; names match in any case and spacing, an Email left
    blank is no difference. Passing: programme.xlsx types P-003's Name `pat  programme`.
    Failing: it gives P-003 another Email.
    """
    for pid, rows in _grouped(enterprise, People.SHEET, People.person_id).items():
        if len({id(m) for m, _ in rows}) < 2:
            continue
        # The row in the master of the PMO the person works in is their own.
        own = next((m for m, r in rows if enterprise.homes.get(r.text(People.pmo) or "") is m),
                   None)
        ref_member, ref = _reference(enterprise, rows, own)
        for member, row in rows:
            if member is ref_member:
                continue
            for header, what in ((People.name, "Name"), (People.email, "Email")):
                mine, theirs = row.text(header), ref.text(header)
                if mine is None or theirs is None or same_text(mine, theirs):
                    continue
                there = ref.side(ref_member.name, header)
                yield problem_at(
                    member.side(row, header),
                    f"{pid}'s {what} is {mine!r} in {member.name} but {theirs!r} in "
                    f"{ref_member.name} ({there.address}): one Person ID, two {what}s.",
                    f"If {pid} is one person, correct the {what} in {member.fix_in}; if they are "
                    "two people, agree Person IDs across the PMOs so each person has their own.",
                    there)


@rule("P103", WARNING, "A person's FTE across the members adds up to more than 1",
      kind=RECOMMENDED,
      why="A person's FTE across the PMOs should add up to what they can give; more than one "
          "full-time equivalent means some of the work the members plan on will not be done.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(People, "P-006", {
          "PMO": "PMO-1", "FTE": 0.5}))),
      cell=f"[{PROGRAMME}]People!E7",
      passes=Members(Member(ENTERPRISE, Edit(People, "P-006", {"FTE": 0.5})),
                     Member(PROGRAMME, Edit(People, "P-006", {"PMO": "PMO-1", "FTE": 0.5}))))
def over_committed(enterprise: Enterprise) -> Iterator[Problem]:
    """A person who works for several PMOs is in each PMO's People with the FTE that PMO
    has of them; added up over the members it is at most 1 (full time). More, and each
    PMO plans with time the person does not have.

    A row that another member repeats for the same person and PMO (a copy, to name them)
    counts once, at its largest FTE; so does a person in no PMO. The finding sits on the
    FTE of the last member's row and points at each. Passing: Jo Analyst is 0.5 FTE in
    PMO-2 (enterprise.xlsx) and 0.5 in PMO-1 (programme.xlsx): 1 in all. Failing: 1 and 0.5.
    """
    for pid, rows in _grouped(enterprise, People.SHEET, People.person_id).items():
        shares: dict[str, tuple[float, MemberKeys, KeyRow]] = {}
        for member, row in rows:
            value = row.get(People.fte)
            if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
                continue
            # One PMO's share of the person, however many masters repeat it (a person in
            # no PMO has one share, wherever they are listed).
            pmo = row.text(People.pmo)
            key = pmo.casefold() if pmo else ""
            if key not in shares or value > shares[key][0]:
                shares[key] = (float(value), member, row)
        if len(shares) < 2 or len({id(m) for _v, m, _r in shares.values()}) < 2:
            continue
        total = sum(v for v, _m, _r in shares.values())
        if total <= 1 + FTE_TOLERANCE:
            continue
        ordered = sorted(shares.values(), key=lambda s: (enterprise.members.index(s[1]),
                                                         s[2].row))
        _value, last_member, last = ordered[-1]
        name = next((r.text(People.name) for _m, r in rows if r.text(People.name)), None)
        parts = [f"{fte(v)} FTE in {r.text(People.pmo) or m.name} "
                 f"({m.side(r, People.fte).address})" for v, m, r in ordered]
        yield problem_at(
            last_member.side(last, People.fte),
            f"{in_words(pid, name)} is {', '.join(parts[:-1])} and {parts[-1]}: "
            f"{fte(total)} FTE in all, more than one person's full time.",
            f"Agree how {name or pid}'s time is split between the PMOs and correct FTE in each "
            "master so the shares add up to at most 1.",
            *(m.side(r, People.fte) for _v, m, r in ordered[:-1]))


# --- the PMO tree ---------------------------------------------------------------------------


@rule("P104", ERROR, "A Parent PMO is defined by no member",
      kind=REQUIRED,
      why="A PMO's parent must exist: a Parent PMO no member defines leaves that PMO outside the "
          "enterprise's structure.",
      fails=Members(
          Member(ENTERPRISE, Edit(PMOs, "PMO-2", {"Parent PMO": None})),
          Member(PROGRAMME, Edit(Services, "SVC-003", {"Lead PMO": "PMO-2"}),
                 Edit(PMOs, "PMO-2", {"Parent PMO": "PMO-9"}),
                 Edit(PMOs, None, {"PMO ID": "PMO-9", "PMO Name": "Group Transformation Office",
                                   "Level": "Portfolio"}))),
      cell=f"[{PROGRAMME}]PMOs!D3",
      passes=Members(
          Member(ENTERPRISE, Edit(PMOs, "PMO-2", {"Parent PMO": None}),
                 Edit(PMOs, None, {"PMO ID": "PMO-9", "PMO Name": "Group Transformation Office",
                                   "Level": "Portfolio"}),
                 Edit(People, None, {"Person ID": "P-009", "Name": "Lee Transformation",
                                     "Job Role": "PMO Manager", "PMO": "PMO-9"})),
          Member(PROGRAMME, Edit(Services, "SVC-003", {"Lead PMO": "PMO-2"}),
                 Edit(PMOs, "PMO-2", {"Parent PMO": "PMO-9"}),
                 Edit(PMOs, None, {"PMO ID": "PMO-9", "PMO Name": "Group Transformation Office",
                                   "Level": "Portfolio"}))))
def parent_nobody_defines(enterprise: Enterprise) -> Iterator[Problem]:
    """Each PMO's Parent PMO is a PMO of the roll-up: one whose master is among the members
    (it leads services there, or people work in it). A parent no member defines means the
    roll-up is missing that PMO's master, or the Parent PMO is an old or mistyped ID.

    A PMO is judged by its own master (the member whose services it leads); a row copied
    into another master to name it is not. With `--pmo`, the parent of the PMO at the top
    lies outside the roll-up by design and is not judged. Passing: PMO-2's parent PMO-9
    leads no service but Lee Transformation works in it (enterprise.xlsx). Failing: nobody
    works in PMO-9 and it leads no service.
    """
    for pmo, home in enterprise.homes.items():
        if pmo == enterprise.top:
            continue
        row = enterprise.home_row(pmo)
        parent = row.text(PMOs.parent_pmo) if row is not None else None
        if row is None or not parent or parent in enterprise.homes:
            continue
        yield problem_at(
            home.side(row, PMOs.parent_pmo),
            f"The Parent PMO of {in_words(pmo, row.get(PMOs.pmo_name))}, {parent}, is defined "
            "by no member of the roll-up: no member's services are led by it and nobody works "
            "in it.",
            f"Add {parent}'s own master to the roll-up, or correct the Parent PMO of {pmo} in "
            f"{home.fix_in} to the PMO it reports to.")


@rule("P105", ERROR, "Parent PMOs go round in a circle across the members",
      kind=REQUIRED,
      why="PMOs form one hierarchy: parents that go round in a circle have no top, so nothing "
          "rolls up.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(PMOs, "PMO-1", {
          "Parent PMO": "PMO-2"}))),
      cell=f"[{PROGRAMME}]PMOs!D2",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(PMOs, None, {
          "PMO ID": "PMO-3", "PMO Name": "Project PMO", "Level": "Project",
          "Parent PMO": "PMO-2"}))))
def parent_cycle(enterprise: Enterprise) -> Iterator[Problem]:
    """The PMO tree, read from every member's PMOs sheet, has a top: following Parent PMO
    upwards never comes back to where it started. A circle (PMO-1 under PMO-2 under PMO-1)
    leaves the enterprise without a top, so nothing can be rolled up to it.

    The finding sits on a Parent PMO of the circle that is a copy in another master where
    there is one (that is usually the slip), and points at every link. Passing:
    programme.xlsx adds PMO-3 under PMO-2, under PMO-1. Failing: it gives PMO-1 the parent
    PMO-2.
    """
    edges: dict[str, dict[str, list[tuple[MemberKeys, KeyRow]]]] = {}
    for member, row in _rows(enterprise, PMOs.SHEET):
        pmo, parent = row.text(PMOs.pmo_id), row.text(PMOs.parent_pmo)
        if pmo and parent:
            edges.setdefault(pmo, {}).setdefault(parent, []).append((member, row))
    for circle in _circles({p: set(parents) for p, parents in edges.items()}):
        links = []
        for i, pmo in enumerate(circle):
            parent = circle[(i + 1) % len(circle)]
            links += [(pmo, parent, m, r) for m, r in edges[pmo][parent]]
        order = {id(m): i for i, m in enumerate(enterprise.members)}
        # The slip is usually a link its PMO's own master does not make: that one first.
        links.sort(key=lambda link: (enterprise.parent_of(link[0]) == link[1],
                                     enterprise.homes.get(link[0]) is link[2],
                                     order[id(link[2])], link[3].row))
        pmo, parent, member, row = links[0]
        sides = [m.side(r, PMOs.parent_pmo) for _p, _q, m, r in links]
        start = circle.index(pmo)
        circle = circle[start:] + circle[:start]
        chain = " under ".join([*circle, circle[0]])
        yield problem_at(
            sides[0],
            f"Parent PMOs go round in a circle across the members: {chain} "
            f"({', '.join(s.address for s in sides)}), so the PMO tree has no top.",
            f"Correct the Parent PMO of {pmo} in {member.fix_in}: the PMO at the top of the "
            "tree has none, and every other PMO's parent is above it.",
            *sides[1:])


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each circle of the graph once, as the list of its PMOs from its first (sorted)."""
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for start in sorted(graph):
        # Walk every path from `start` back to it, visiting only PMOs sorted after it, so
        # each circle is found from its smallest PMO only.
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for parent in sorted(graph.get(node, ()), reverse=True):
                if parent == start:
                    key = frozenset(path)
                    if key not in seen:
                        seen.add(key)
                        found.append(path)
                elif parent > start and parent not in path and len(path) < 50:
                    stack.append((parent, [*path, parent]))
    return found


_PMO_FIELDS = ((PMOs.pmo_name, "PMO Name"), (PMOs.level, "Level"),
               (PMOs.parent_pmo, "Parent PMO"), (PMOs.capacity_fte, "Capacity FTE"),
               (PMOs.pmo_manager, "PMO Manager"))


@rule("P106", ERROR, "One PMO ID is defined differently in two members",
      kind=REQUIRED,
      why="A PMO ID names one PMO everywhere; two definitions under one ID mean the members "
          "disagree about who that PMO is or what it holds.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(PMOs, "PMO-2", {
          "PMO Name": "Change PMO"}))),
      cell=f"[{PROGRAMME}]PMOs!B3",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(PMOs, "PMO-2", {
          "PMO Name": "change  programme PMO", "Capacity FTE": None}))))
def pmo_defined_twice(enterprise: Enterprise) -> Iterator[Problem]:
    """A PMO listed in several masters (its own, and others that name it as a parent or as
    the PMO of their people) has one name, level, parent, capacity and manager: the copies
    agree with the PMO's own master. Otherwise the enterprise report cannot say which is
    right, and the tree or the capacity totals come out wrong.

    A value left blank in a copy is no difference; names match in any case and spacing.
    Passing: programme.xlsx types PMO-2's name `change  programme PMO` and leaves its
    capacity blank. Failing: it calls PMO-2 `Change PMO`.
    """
    for pmo, rows in _grouped(enterprise, PMOs.SHEET, PMOs.pmo_id).items():
        if len({id(m) for m, _ in rows}) < 2:
            continue
        ref_member, ref = _reference(enterprise, rows, enterprise.homes.get(pmo))
        for member, row in rows:
            if member is ref_member:
                continue
            for header, what in _PMO_FIELDS:
                mine, theirs = row.get(header), ref.get(header)
                if mine is None or theirs is None or same_text(mine, theirs):
                    continue
                there = ref.side(ref_member.name, header)
                whose = ("its own master" if enterprise.homes.get(pmo) is ref_member
                         else "the first to list it")
                yield problem_at(
                    member.side(row, header),
                    f"{pmo}'s {what} is {row.text(header)!r} in {member.name} but "
                    f"{ref.text(header)!r} in {ref_member.name} ({there.address}), {whose}.",
                    f"Copy {pmo}'s {what} from {ref_member.name} into {member.fix_in}, or agree "
                    "the change with the PMO and make it in its own master too.",
                    there)


# --- services and strategy ------------------------------------------------------------------


@rule("P107", ERROR, "One Service ID is used for two different services",
      kind=REQUIRED,
      why="A Service ID names one service everywhere; two services under one ID are counted as "
          "one and their KPIs mixed.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Services, "SVC-003", {
          "Service Name": "Risk clinic"}))),
      cell=f"[{PROGRAMME}]Services!A4",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Services, "SVC-003", {
          "Service Name": "lessons  learned library"}))))
def service_id_twice(enterprise: Enterprise) -> Iterator[Problem]:
    """A Service ID names one service across the enterprise. Two masters using one ID for
    two services (each PMO numbered its own) make the enterprise catalogue, its counts and
    every dependency on the ID ambiguous.

    A service listed by several members under one name is one service (the member that
    delivers it counts it; the others name it); names match in any case and spacing.
    Passing: programme.xlsx lists SVC-003 as `lessons  learned library`. Failing: it uses
    SVC-003 for `Risk clinic`.
    """
    for sid, rows in _grouped(enterprise, Services.SHEET, Services.service_id).items():
        if len({id(m) for m, _ in rows}) < 2:
            continue
        delivered = enterprise.deliverers.get(sid)
        ref_member, ref = _reference(enterprise, rows, delivered[0] if delivered else None)
        for member, row in rows:
            mine, theirs = row.text(Services.service_name), ref.text(Services.service_name)
            if member is ref_member or not mine or not theirs or same_text(mine, theirs):
                continue
            there = ref.side(ref_member.name, Services.service_id)
            yield problem_at(
                member.side(row, Services.service_id),
                f"{sid} is {mine!r} in {member.name} but {theirs!r} in {ref_member.name} "
                f"({there.address}): one Service ID for two services.",
                f"Give {mine!r} a Service ID of its own in {member.fix_in} (and in every "
                "sheet that names it), agreed across the PMOs so no two services share one.",
                there)


@rule("P108", ERROR, "A member depends on a service no member delivers",
      kind=REQUIRED,
      why="A service depends on what its suppliers deliver: a supplier service that no member "
          "runs cannot be delivered.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(SIPOC, "PRC-001", {
          "Suppliers": "Project managers; SVC-009"}))),
      cell=f"[{PROGRAMME}]SIPOC!D2",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(SIPOC, "PRC-001", {
          "Suppliers": "Project managers; SVC-003"}))))
def depends_on_nobody(enterprise: Enterprise) -> Iterator[Problem]:
    """A service that a member depends on is delivered by a member of the roll-up: the
    service another supports (Supports Service) and a service that supplies a process
    (a SIPOC supplier written as a Service ID, such as `SVC-009`). A member delivers a
    service when it lists it with a Lead PMO of its own; a copy in another master, listed
    only to point at it, delivers nothing.

    Passing: programme.xlsx's process PRC-001 is supplied by SVC-003, which enterprise.xlsx
    delivers. Failing: it is supplied by SVC-009, which no member has.
    """
    delivered = enterprise.deliverers
    for member in enterprise.members:
        for row in member.rows_of(Services.SHEET):
            supported = row.text(Services.supports_service)
            if supported and supported not in delivered:
                yield problem_at(
                    member.side(row, Services.supports_service),
                    f"{row.text(Services.service_id)} supports {supported}, which no member "
                    "of the roll-up delivers (none lists it with a Lead PMO of its own).",
                    f"Add the master of the PMO that delivers {supported} to the roll-up, or "
                    f"correct Supports Service in {member.fix_in}.",
                    *_copies(enterprise, supported))
        for row, item in supplier_services(member):
            if item in delivered:
                continue
            yield problem_at(
                member.side(row, SIPOC.suppliers),
                f"Process {row.text(SIPOC.process_id)} of {row.text(SIPOC.service_id)} is "
                f"supplied by {item}, which no member of the roll-up delivers.",
                f"Add the master of the PMO that delivers {item} to the roll-up, or correct the "
                f"Suppliers of {row.text(SIPOC.process_id)} in {member.fix_in}.",
                *_copies(enterprise, item))


def _copies(enterprise: Enterprise, sid: str) -> list[Side]:
    """Where members list a service that none delivers (copies, to point at it)."""
    return [m.side(r, Services.service_id) for m, r in _rows(enterprise, Services.SHEET)
            if r.text(Services.service_id) == sid]


@rule("P109", ERROR, "One objective ID has different text in two members",
      kind=REQUIRED,
      why="An objective ID names one objective everywhere; two wordings mean services are aligned "
          "to different aims under one name.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Strategy, "OBJ-1", {
          "Objective": "Deliver the portfolio."}))),
      cell=f"[{PROGRAMME}]Strategy!B2",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Strategy, "OBJ-1", {
          "Objective": "deliver the change  portfolio on time and within budget."}))))
def objective_worded_twice(enterprise: Enterprise) -> Iterator[Problem]:
    """A strategic objective reads the same in every master that lists it: services aligned
    to OBJ-1 in two PMOs are aligned to one objective only if OBJ-1 says one thing. Each copy
    is compared with the master at the top of the roll-up (the enterprise strategy), else
    with the first that lists it; any case and spacing match.

    Passing: programme.xlsx types OBJ-1 in other case and spacing. Failing: it words OBJ-1
    `Deliver the portfolio.`
    """
    lead = enterprise.lead
    for oid, rows in _grouped(enterprise, Strategy.SHEET, Strategy.objective_id).items():
        if len({id(m) for m, _ in rows}) < 2:
            continue
        ref_member, ref = _reference(enterprise, rows, lead)
        for member, row in rows:
            mine, theirs = row.text(Strategy.objective), ref.text(Strategy.objective)
            if member is ref_member or not mine or not theirs or same_text(mine, theirs):
                continue
            there = ref.side(ref_member.name, Strategy.objective)
            yield problem_at(
                member.side(row, Strategy.objective),
                f"{oid} reads {mine!r} in {member.name} but {theirs!r} in {ref_member.name} "
                f"({there.address}).",
                f"Copy {oid}'s wording from {ref_member.name} into {member.fix_in}, or give the "
                "objective it means an ID of its own (and add it to the enterprise strategy).",
                there)


@rule("P110", WARNING, "A service is aligned to an objective the enterprise strategy lacks",
      kind=RECOMMENDED,
      why="A service should serve the strategy it rolls up to: an objective the enterprise's "
          "strategy does not have is aligned to nothing the enterprise steers by.",
      fails=Members(Member(ENTERPRISE), Member(
          PROGRAMME, Edit(Strategy, None, {"Objective ID": "OBJ-2", "Objective":
                                           "Cut programme overheads by a tenth.",
                                           "Owner": "P-001"}),
          Edit(Services, "SVC-002", {"Strategic Objective": "OBJ-2"}))),
      cell=f"[{PROGRAMME}]Services!L3",
      passes=Members(
          Member(ENTERPRISE, Edit(Strategy, None, {"Objective ID": "OBJ-2", "Objective":
                                                   "Cut programme overheads by a tenth.",
                                                   "Owner": "P-001"})),
          Member(PROGRAMME, Edit(Strategy, None, {"Objective ID": "OBJ-2", "Objective":
                                                  "Cut programme overheads by a tenth.",
                                                  "Owner": "P-001"}),
                 Edit(Services, "SVC-002", {"Strategic Objective": "OBJ-2"}))))
def objective_not_enterprise(enterprise: Enterprise) -> Iterator[Problem]:
    """Services align to the enterprise's strategy: the Strategy sheet of the master at the
    top of the roll-up (the PMO with no parent, or the one `--pmo` names). A service
    aligned to an objective only its own master has serves a strategy the enterprise has not
    agreed. Rejected and Closed services are not judged.

    Passing: the objective SVC-002 aligns to is in enterprise.xlsx's Strategy too. Failing:
    only programme.xlsx has OBJ-2.
    """
    lead = enterprise.lead
    if lead is None or not lead.rows_of(Strategy.SHEET):
        return
    agreed = {r.text(Strategy.objective_id) for r in lead.rows_of(Strategy.SHEET)}
    where = lead.rows_of(Strategy.SHEET)[0]
    for member in enterprise.members:
        if member is lead:
            continue  # X101 judges the lead's own services against its own strategy
        for row in member.rows_of(Services.SHEET):
            objective = row.text(Services.strategic_objective)
            if not objective or objective in agreed or row.get(Services.stage) in (
                    Stage.REJECTED, Stage.CLOSED):
                continue
            yield problem_at(
                member.side(row, Services.strategic_objective),
                f"{row.text(Services.service_id)} is aligned to {objective}, which the enterprise "
                f"strategy ({lead.name}'s Strategy) does not have.",
                f"Align {row.text(Services.service_id)} to one of the enterprise's objectives, or "
                f"agree {objective} with the owner of the enterprise strategy and add it there.",
                Side(lead.name, where.sheet, 1, "A", None))


# --- the same month, and up to date ---------------------------------------------------------


@rule("P111", WARNING, "A member reports a different month from the roll-up",
      kind=RECOMMENDED,
      why="Totals add up only when every member reports the same month; a member on another month "
          "mixes periods.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Settings, None, {
          "Setting": "Reporting Period", "Value": D(2026, 9, 1)}))),
      cell=f"[{PROGRAMME}]Settings!B4",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Settings, None, {
          "Setting": "Reporting Period", "Value": D(2026, 10, 1)}))))
def other_period(enterprise: Enterprise) -> Iterator[Problem]:
    """Every member reports the roll-up's month, so the enterprise totals add up one month's
    KPIs. The roll-up's month is the Reporting Period in the Settings of the master at the
    top, else the last complete month before the as-of date; a member's is its own Reporting
    Period, else the month before its own date (a pack's as-of date, for a pack).

    The finding sits on the member's Reporting Period (or, when it has none, on its own
    PMO). Passing: programme.xlsx's Reporting Period is October 2026, the month before the
    as-of date 2026-11-15. Failing: it is September.
    """
    wanted = enterprise.reporting_period
    for member in enterprise.members:
        if member.reporting_period == wanted:
            continue
        setting = member.setting_cells.get(Setting.REPORTING_PERIOD) if member.period_set else None
        why = ("its Settings' Reporting Period" if setting is not None else
               f"the last month before its pack's as-of date, {member.as_of.isoformat()}"
               if member.kind == PACK else
               f"the last month before {member.as_of.isoformat()}")
        yield problem_at(
            setting or enterprise.member_side(member),
            f"{member.name} reports for {member.period_text} ({why}), the roll-up for "
            f"{enterprise.period_text}: its KPIs and counts are for another month.",
            (f"Set the Reporting Period of {member.fix_in} to "
             f"{enterprise.reporting_period.isoformat()}" if setting is not None else
             f"Roll up {member.fix_in} as it stands now, or its pack for "
             f"{enterprise.period_text}") + ", so every member reports the same month.",
            enterprise.setting_side(Setting.REPORTING_PERIOD))


@rule("P112", WARNING, "A member has not been updated within the roll-up's cadence",
      kind=RECOMMENDED,
      why="A member should be kept up to date at the roll-up's cadence; one not saved (or packed) "
          "for longer makes the enterprise's view out of date.",
      fails=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Services, "SVC-003", {
          "Lead PMO": "PMO-2"}), saved_days_ago=46)),
      cell=f"[{PROGRAMME}]PMOs!A3",
      passes=Members(Member(ENTERPRISE), Member(PROGRAMME, Edit(Services, "SVC-003", {
          "Lead PMO": "PMO-2"}), saved_days_ago=45)))
def out_of_date(enterprise: Enterprise) -> Iterator[Problem]:
    """A member's master was saved, or its newest pack was made, within the roll-up's
    cadence: Settings' Rollup Max Age Days in the master at the top (default 45) before the
    as-of date. An older member may no longer say how its PMO stands, and the totals carry
    it as if it did. A master's date is when it was last saved (the workbook's own
    properties, which Excel and LibreOffice set on every save; else the file's date).

    The finding sits on the member's own PMO (its PMO Manager hears of it). Passing:
    programme.xlsx was last saved 45 days before the as-of date. Failing: 46 days.
    """
    limit = enterprise.max_age_days
    for member in enterprise.members:
        if member.dated is None:
            continue
        age = (enterprise.as_of - member.dated).days
        if age <= limit:
            continue
        yield problem_at(
            enterprise.member_side(member),
            f"{member.name} was {member.dated_from} {member.dated.isoformat()}, {age} days "
            f"before the roll-up's as-of date; the roll-up's cadence is {limit} days.",
            f"Ask for {member.fix_in} as it stands now (or its latest pack), and roll up "
            "again.",
            enterprise.setting_side(Setting.ROLLUP_MAX_AGE_DAYS))


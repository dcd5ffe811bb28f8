"""What a roll-up keeps of each member for the rules across masters (family P).

`pmo-xl rollup` reads its members one at a time and lets each go once it is checked, so
memory stays flat however many members there are. What it keeps of a member for the P
rules is this: the IDs and the few columns that must agree between members (people, PMOs,
services, objectives, the services a process is supplied by), each value with its cell, the
member's dates and the waivers in force: a few hundred values, not the workbook.

:class:`Enterprise` is the members of one roll-up together, and what only they together
can say: which member is the *home* of each PMO (the member whose services it leads, or
failing that whose people work in it: a row for a PMO in another member is a copy), the
PMO tree as the homes define it, the member at the top whose Settings and strategy govern
the roll-up (the *lead*), and which member delivers each service.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from pmo_xl.findings import Problem, Side, column_letter
from pmo_xl.period import period_label, reporting_period
from pmo_xl.validators.schema import (
    SIPOC,
    Frequency,
    People,
    PMOs,
    Services,
    Setting,
    Settings,
    Strategy,
    normalise_header,
    split_list,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

# The columns kept of each sheet: what the P rules compare between members.
KEPT: dict[str, tuple[str, ...]] = {
    Services.SHEET: (Services.service_id, Services.service_name, Services.lead_pmo,
                     Services.stage, Services.strategic_objective, Services.supports_service),
    PMOs.SHEET: (PMOs.pmo_id, PMOs.pmo_name, PMOs.level, PMOs.parent_pmo, PMOs.capacity_fte,
                 PMOs.pmo_manager),
    People.SHEET: (People.person_id, People.name, People.job_role, People.pmo, People.fte,
                   People.email),
    Strategy.SHEET: (Strategy.objective_id, Strategy.objective),
    SIPOC.SHEET: (SIPOC.service_id, SIPOC.process_id, SIPOC.suppliers),
}
MASTER, PACK = "master", "pack"


def same_text(a: object, b: object) -> bool:
    """Two values as a person reads them: any case, spaces folded, `6` = `6.0`."""
    return _folded(a) == _folded(b)


def _folded(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()).casefold()


def id_shape(text: str) -> str:
    """`SVC-035` -> `SVC-999`: what IDs of one kind look like."""
    return re.sub(r"\d", "9", text.strip().upper())


@dataclass(frozen=True)
class Columns:
    """The kept columns of one sheet of one member and their letters (shared by its rows)."""

    sheet: str  # the sheet's title in the member
    headers: tuple[str, ...]
    letters: tuple[str, ...]

    def index(self, header: str) -> int | None:
        try:
            return self.headers.index(header)
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class KeyRow:
    """One kept row of a member: its values, in its sheet's kept columns. Slotted and
    sharing its columns with the other rows: a roll-up keeps thousands of these."""

    columns: Columns
    row: int
    record: str | None
    values: tuple[object, ...]

    @property
    def sheet(self) -> str:
        return self.columns.sheet

    def get(self, header: str) -> object:
        index = self.columns.index(header)
        return None if index is None else self.values[index]

    def text(self, header: str) -> str | None:
        value = self.get(header)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        return text or None

    def side(self, member: str, header: str) -> Side:
        index = self.columns.index(header)
        letter = self.columns.letters[index] if index is not None else "A"
        return Side(member, self.sheet, self.row, letter, self.record)


@dataclass(frozen=True)
class MemberKeys:
    """What the P rules know of one member (see the module docstring)."""

    name: str  # its name in the roll-up: the file name, or enough of its path
    kind: str  # MASTER or PACK
    as_of: dt.date  # the date it is judged as of: the roll-up's, or its pack's
    dated: dt.date | None  # when it was last saved (a master) or its pack's as-of date
    dated_from: str  # how `dated` is known, in words: "last saved", "its pack of"
    organisation: str
    reporting_period: dt.date  # its own: Settings' Reporting Period, else from its as-of
    period_set: bool  # True when Settings' Reporting Period sets it
    max_age_days: int  # its Settings' Rollup Max Age Days (the lead's governs)
    rows: dict[str, tuple[KeyRow, ...]]
    setting_cells: dict[str, Side]  # Setting name -> the cell of its Value
    settings_sheet: str  # the Settings sheet's title (or "Settings" when it has none)
    waivers: dict[tuple[str, str], str] = field(default_factory=dict)
    # The member's own Rules sheet, for the rules across masters: code -> severity in force
    # (error / warning / info / off), only where it departs from the default.
    severities: dict[str, str] = field(default_factory=dict)
    master_name: str | None = None  # a pack's: the master it was made from

    @property
    def fix_in(self) -> str:
        """Where a fix is made: the member itself, or for a pack (the record of a meeting,
        never changed) the master it was made from."""
        if self.kind == PACK:
            return self.master_name or "its PMO's master"
        return self.name

    def rows_of(self, sheet: str) -> tuple[KeyRow, ...]:
        return self.rows.get(sheet, ())

    def side(self, row: KeyRow, header: str) -> Side:
        return row.side(self.name, header)

    @cached_property
    def service_id_shapes(self) -> frozenset[str]:
        return frozenset(id_shape(r.text(Services.service_id) or "")
                         for r in self.rows_of(Services.SHEET) if r.text(Services.service_id))

    @property
    def period_text(self) -> str:
        return period_label(Frequency.MONTHLY, self.reporting_period)


def member_keys(facts: Facts, name: str, *, kind: str = MASTER, dated: dt.date | None = None,
                dated_from: str = "last saved", master_name: str | None = None,
                severities: dict[str, str] | None = None) -> MemberKeys:
    """What the P rules keep of one checked member (its facts as of its own as-of date);
    `severities`: the rules across masters its Rules sheet sets apart from the default."""
    master = facts.master
    rows: dict[str, tuple[KeyRow, ...]] = {}
    for sheet, headers in KEPT.items():
        table = master[sheet]
        if not table.present:
            rows[sheet] = ()
            continue
        kept = tuple(h for h in headers if table.has(h))
        columns = Columns(table.title, kept, tuple(table.letter(h) for h in kept))
        found = []
        for row, record in table.rows():
            values = tuple(record.get(h) for h in kept)
            if all(v is None for v in values):
                continue
            found.append(KeyRow(columns, int(row), table.record(int(row)), values))
        rows[sheet] = tuple(found)
    # Of SIPOC only the processes supplied by a service are judged (P108).
    shapes = {id_shape(r.text(Services.service_id) or "") for r in rows[Services.SHEET]}
    rows[SIPOC.SHEET] = tuple(
        r for r in rows[SIPOC.SHEET]
        if any(item and id_shape(item) in shapes for item in split_list(r.get(SIPOC.suppliers))))
    settings = facts.settings
    table = master[Settings]
    cells = {}
    if table.present and table.has(Settings.value):
        letter = table.letter(Settings.value)
        for info_name in Setting:
            row = settings.rows.get(normalise_header(info_name))
            if row is not None:
                cells[str(info_name)] = Side(name, table.title, row, letter, str(info_name))
    return MemberKeys(
        name=name, kind=kind, as_of=facts.as_of, dated=dated, dated_from=dated_from,
        organisation=settings.organisation,
        reporting_period=facts.period_for(Frequency.MONTHLY),
        period_set=settings.reporting_period is not None,
        max_age_days=settings.rollup_max_age_days,
        rows=rows, setting_cells=cells,
        settings_sheet=table.title if table.present else Settings.SHEET,
        waivers=dict(facts.live_waivers), master_name=master_name,
        severities=dict(severities or {}),
    )


@dataclass
class Enterprise:
    """The counted members of one roll-up, in the order given, and what they say together."""

    members: list[MemberKeys]
    as_of: dt.date
    top: str | None = None  # `--pmo`: the PMO this roll-up is of (its branch of the tree)

    # --- which member is whose ----------------------------------------------------------------

    @cached_property
    def homes(self) -> dict[str, MemberKeys]:
        """PMO ID -> its home: the member in which it leads the most services, or (leading
        none anywhere) in which most people work in it; the earlier member on a tie. A PMO
        no member leads services for or employs anyone in has no home."""
        best: dict[str, tuple[tuple[int, int], int, MemberKeys]] = {}
        for order, member in enumerate(self.members):
            score: dict[str, list[int]] = {}
            for row in member.rows_of(Services.SHEET):
                pmo = row.text(Services.lead_pmo)
                if pmo:
                    score.setdefault(pmo, [0, 0])[0] += 1
            for row in member.rows_of(People.SHEET):
                pmo = row.text(People.pmo)
                if pmo:
                    score.setdefault(pmo, [0, 0])[1] += 1
            for pmo, (services, people) in score.items():
                mine = (services, people)
                if pmo not in best or mine > best[pmo][0]:
                    best[pmo] = (mine, order, member)
        return {pmo: member for pmo, (_score, _order, member) in best.items()}

    def home_row(self, pmo: str) -> KeyRow | None:
        """The PMO's row in its home member (its own definition), if there is one."""
        home = self.homes.get(pmo)
        if home is None:
            return None
        return next((r for r in home.rows_of(PMOs.SHEET) if r.text(PMOs.pmo_id) == pmo), None)

    def own_pmos(self, member: MemberKeys) -> list[str]:
        """The PMOs whose home `member` is, in the order of its PMOs sheet (then the rest)."""
        mine = {pmo for pmo, home in self.homes.items() if home is member}
        listed = [r.text(PMOs.pmo_id) for r in member.rows_of(PMOs.SHEET)]
        ordered = [p for p in listed if p in mine]
        return ordered + sorted(mine - set(ordered))

    def parent_of(self, pmo: str) -> str | None:
        row = self.home_row(pmo)
        return row.text(PMOs.parent_pmo) if row is not None else None

    def branch(self, pmo: str) -> set[str]:
        """`pmo` and every PMO under it, as the homes define the tree."""
        children: dict[str, set[str]] = {}
        for child in self.homes:
            parent = self.parent_of(child)
            if parent:
                children.setdefault(parent, set()).add(child)
        found, todo = {pmo}, [pmo]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    @cached_property
    def top_pmo(self) -> str | None:
        """The PMO at the top of the roll-up: `--pmo`, else the PMO with no Parent PMO that
        has the most PMOs under it (the earlier home on a tie)."""
        if self.top is not None:
            return self.top
        roots = [p for p in self.homes if not self.parent_of(p)]
        if not roots:
            return None
        order = {id(m): i for i, m in enumerate(self.members)}
        return min(roots, key=lambda p: (-len(self.branch(p)), order[id(self.homes[p])]))

    @cached_property
    def lead(self) -> MemberKeys | None:
        """The member whose Settings and strategy govern the roll-up: the home of the PMO at
        the top; else the first member."""
        if self.top_pmo is not None and self.top_pmo in self.homes:
            return self.homes[self.top_pmo]
        return self.members[0] if self.members else None

    @cached_property
    def reporting_period(self) -> dt.date:
        """The roll-up's: the lead's Settings' Reporting Period, else the last complete month
        before the roll-up's as-of date."""
        lead = self.lead
        if lead is not None and lead.period_set:
            return lead.reporting_period
        return reporting_period(Frequency.MONTHLY, self.as_of)

    @property
    def period_text(self) -> str:
        return period_label(Frequency.MONTHLY, self.reporting_period)

    @cached_property
    def max_age_days(self) -> int:
        from pmo_xl.workbook.settings import Settings as SettingValues

        return self.lead.max_age_days if self.lead else SettingValues().rollup_max_age_days

    def setting_side(self, setting: str) -> Side | None:
        """The lead's cell of a setting, where it sets one."""
        return self.lead.setting_cells.get(setting) if self.lead else None

    # --- services ---------------------------------------------------------------------------

    @cached_property
    def deliverers(self) -> dict[str, tuple[MemberKeys, KeyRow]]:
        """Service ID -> the member that delivers it and its row there: a member holding the
        service whose Lead PMO it is the home of (the first such)."""
        found: dict[str, tuple[MemberKeys, KeyRow]] = {}
        for member in self.members:
            for row in member.rows_of(Services.SHEET):
                sid, lead = row.text(Services.service_id), row.text(Services.lead_pmo)
                if sid and lead and self.homes.get(lead) is member:
                    found.setdefault(sid, (member, row))
        return found

    @cached_property
    def _listings(self) -> dict[str, list[tuple[MemberKeys, KeyRow]]]:
        found: dict[str, list[tuple[MemberKeys, KeyRow]]] = {}
        for member in self.members:
            for row in member.rows_of(Services.SHEET):
                sid = row.text(Services.service_id)
                if sid:
                    found.setdefault(sid, []).append((member, row))
        return found

    def delivers(self, member: MemberKeys, row: KeyRow) -> bool:
        """True when `member` lists the service with a Lead PMO of its own."""
        lead = row.text(Services.lead_pmo)
        return bool(lead) and self.homes.get(lead) is member

    def counts_here(self, member: MemberKeys, row: KeyRow) -> bool:
        """True when this Services row is one the enterprise counts: the service is
        delivered here, or (delivered nowhere) this is its first listing. A copy of the same
        service (same ID and name) in another member, to point at it, is not counted twice;
        one ID used for a different service (P107) is a service of its own."""
        sid = row.text(Services.service_id)
        if sid is None or self.delivers(member, row):
            return True
        same = [(m, r) for m, r in self._listings.get(sid, ())
                if same_text(r.get(Services.service_name), row.get(Services.service_name))]
        if any(self.delivers(m, r) for m, r in same if r is not row):
            return False
        return not same or same[0][1] is row

    # --- where a finding about a whole member sits ------------------------------------------

    def member_side(self, member: MemberKeys) -> Side:
        """A finding about a member as a whole (its period, its age) sits on the ID of its
        own PMO in PMOs (so its PMO Manager hears of it), else on its Settings sheet."""
        for pmo in self.own_pmos(member):
            row = next((r for r in member.rows_of(PMOs.SHEET) if r.text(PMOs.pmo_id) == pmo),
                       None)
            if row is not None:
                return member.side(row, PMOs.pmo_id)
        return Side(member.name, member.settings_sheet, 1, column_letter(1), None)


def problem_at(side: Side, message: str, hint: str, *others: Side | None,
               severity: str | None = None) -> Problem:
    """A problem across members: at `side`, pointing at every other side too."""
    return Problem(side.sheet, side.row, side.column, side.record, message, hint, severity,
                   member=side.member, sides=(side, *(o for o in others if o is not None)))


def in_words(pmo_or_person: str, name: object) -> str:
    """`Digital Portfolio PMO (PMO-DIG)`, or the ID alone when there is no name."""
    text = None if name is None else " ".join(str(name).split())
    return f"{text} ({pmo_or_person})" if text else pmo_or_person


def supplier_services(member: MemberKeys) -> list[tuple[KeyRow, str]]:
    """(SIPOC row, item) for each supplier written as a Service ID (the shape of the
    member's own Service IDs, `SVC-035`): a process supplied by another service."""
    shapes = member.service_id_shapes
    found = []
    for row in member.rows_of(SIPOC.SHEET):
        for item in split_list(row.get(SIPOC.suppliers)):
            if item and id_shape(item) in shapes:
                found.append((row, item))
    return found

"""R — RACI: who is Responsible, Accountable, Consulted and Informed (seed §4.3).

The RACI sheet is the matrix analysts draw: one row per activity of a procedure, one column
per role (or per person, headed by a Person ID). Only known role and person columns are
read here; any other column is X103's finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.master import Master, SheetTable
from pmo_xl.validators.lifecycle import per_master
from pmo_xl.validators.registry import Context, Edit, rule
from pmo_xl.validators.schema import RACI_ROLES, SCHEMAS, normalise_header, split_list

LETTERS = frozenset("RACI")
# Roles that may hold the A: the owner and manager levels (seed §3.1, §3.2).
ACCOUNTABLE_ROLES = ("Service Owner", "Service Manager", "PMO Director", "PMO Manager")
ACCOUNTABLE_JOB_ROLES = ("PMO Director", "PMO Manager")
_SEPARATORS = re.compile(r"[\s/,+&;]+")


@dataclass(frozen=True)
class RoleColumn:
    header: str  # the header as typed (the raw frame's column name)
    letter: str  # Excel column letter
    role: str | None  # the RACI role it stands for, or None for a person column
    person: str | None  # the Person ID it stands for


def role_columns(master: Master) -> list[RoleColumn]:
    """The RACI sheet's role and person columns, in sheet order."""
    table = master["RACI"]
    roles = {normalise_header(r): r for r in RACI_ROLES}
    declared = {normalise_header(h) for h in SCHEMAS["RACI"].columns}
    people = master.ids("People")
    position: dict[str, int] = {}
    for index, text in table.headers:  # a repeated header is read from its last copy
        if normalise_header(text) not in declared and text in table.raw.columns:
            position[text] = index
    found = []
    for text, index in sorted(position.items(), key=lambda item: item[1]):
        role = roles.get(normalise_header(text))
        if role is None and text not in people:
            continue
        found.append(RoleColumn(text, get_column_letter(index + 1), role,
                                None if role else text))
    return found


def letters(value: object) -> frozenset[str] | None:
    """The RACI letters in a cell (`A/R` -> {A, R}); None for a value that is not RACI.

    Letters are read in any case and with `/`, `,`, `+` or spaces between them; a compact
    pair such as `AR` is read too.
    """
    if not isinstance(value, str):
        return None
    parts = [p for p in _SEPARATORS.split(value.strip().upper()) if p]
    found: set[str] = set()
    for part in parts:
        if len(part) > 2 or not set(part) <= LETTERS or len(set(part)) < len(part):
            return None
        found.update(part)
    return frozenset(found) if found else None


@dataclass
class Activity:
    row: int
    procedure: str | None
    name: str | None
    cells: list[tuple[RoleColumn, object, frozenset[str] | None]]  # filled cells only


@per_master
def activities(master: Master) -> list[Activity]:
    """Each RACI row with its filled role cells, read once for all R rules.

    Read column by column, and each distinct cell value parsed once: fast on big sheets.
    """
    table = master["RACI"]
    if not table.present:
        return []
    columns = role_columns(master)
    values = [table.raw[c.header].tolist() for c in columns]
    procedures = table.data["Procedure ID"].tolist()
    names = table.data["Activity"].tolist()
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
                parsed[key] = letters(value)
            cells.append((column, value, parsed[key]))
        found.append(Activity(row, procedures[i], names[i], cells))
    return found


def _problem(table: SheetTable, activity: Activity, letter: str, message: str, hint: str,
             severity: str | None = None) -> Problem:
    return Problem(table.title, activity.row, letter, activity.procedure, message, hint,
                   severity)


def _what(activity: Activity) -> str:
    name = f"activity {activity.name!r}" if activity.name else f"the activity on row {activity.row}"
    return f"{name} of {activity.procedure}" if activity.procedure else name


def _holders(activity: Activity, letter: str) -> list[RoleColumn]:
    return [column for column, _value, found in activity.cells if found and letter in found]


@rule("R101", ERROR, "An activity has no A (Accountable)",
      fails=[Edit("RACI", "PRD-001", {"Service Manager": "R"})], cell="RACI!B2")
def no_accountable(master: Master, context: Context) -> Iterator[Problem]:
    """Every activity in the handbook's RACI has exactly one Accountable role: the one who
    answers for it being done (seed §4.3). Without an A nobody answers for it.

    Passing: `Send the status request` has A with the Service Manager. Failing: its Service
    Manager is R too, and nobody holds the A.
    """
    table = master["RACI"]
    for activity in activities(master):
        if not _holders(activity, "A"):
            yield _problem(
                table, activity, table.letter("Activity"),
                f"RACI: {_what(activity)} has no A (Accountable).",
                "Mark exactly one role A, normally the Service Manager or Service Owner.")


@rule("R102", ERROR, "An activity has more than one A (Accountable)",
      fails=[Edit("RACI", "PRD-001", {"Service Owner": "A"})], cell="RACI!D2")
def several_accountable(master: Master, context: Context) -> Iterator[Problem]:
    """Exactly one role is Accountable for an activity (seed §4.3); two As blur who answers
    for it. The second A in the row is named.

    Passing: `Send the status request` has one A, the Service Manager. Failing: the Service
    Owner is A as well.
    """
    table = master["RACI"]
    for activity in activities(master):
        holders = _holders(activity, "A")
        if len(holders) > 1:
            names = ", ".join(c.header for c in holders)
            yield _problem(
                table, activity, holders[1].letter,
                f"RACI: {_what(activity)} has {len(holders)} As ({names}).",
                "Keep one A; make the others R, C or I.")


@rule("R103", ERROR, "An activity has no R (Responsible)",
      fails=[Edit("RACI", "PRD-001", {"Service Operative": "C"})], cell="RACI!B2")
def no_responsible(master: Master, context: Context) -> Iterator[Problem]:
    """Every activity has at least one Responsible role, who does the work (seed §4.3). The
    Accountable role may do it too (`A/R`).

    Passing: the Service Operative is R for `Send the status request`. Failing: the
    Service Operative is only C, so nobody does it.
    """
    table = master["RACI"]
    for activity in activities(master):
        if not _holders(activity, "R"):
            yield _problem(
                table, activity, table.letter("Activity"),
                f"RACI: {_what(activity)} has no R (Responsible).",
                "Mark at least one role R (A/R if the accountable role also does the work).")


@rule("R104", ERROR, "A RACI cell is not R, A, C, I or a combination",
      fails=[Edit("RACI", "PRD-001", {"Customer": "X"})], cell="RACI!J2")
def bad_letter(master: Master, context: Context) -> Iterator[Problem]:
    """A RACI cell holds R, A, C or I, or a combination such as `A/R`, or is blank.
    Anything else (`X`, `yes`, a tick) says nothing about the role's part.

    Passing: `A/R`. Failing: `X` under Customer.
    """
    table = master["RACI"]
    for activity in activities(master):
        for column, value, found in activity.cells:
            if found is None:
                yield _problem(
                    table, activity, column.letter,
                    f"RACI: {_what(activity)} has {value!r} under {column.header}, which is not "
                    "R, A, C, I or a combination.",
                    "Use R (Responsible), A (Accountable), C (Consulted), I (Informed) or a "
                    "combination such as A/R; leave the cell blank if the role has no part.")


@rule("R105", WARNING, "The A sits with an operative, analyst, customer or supplier",
      fails=[Edit("RACI", "PRD-001", {"Service Manager": "I", "Service Operative": "A/R"})],
      cell="RACI!E2")
def accountable_level(master: Master, context: Context) -> Iterator[Problem]:
    """Accountability stays at owner or manager level: the Service Owner is accountable for
    the service and the Service Manager for its day-to-day running (seed §3). The A sits
    with the Service Owner, Service Manager, a PMO Director or a PMO Manager, not with a
    Service Operative, PMO Analyst, PMO Administrator, Customer or Supplier. A column headed
    by a Person ID counts by that person's Job Role, or as the service's owner or manager
    when the person is named so in Services (a Service Manager may be a PMO Analyst).

    Passing: the Service Manager is A for `Send the status request`. Failing: the Service
    Operative is A/R.
    """
    table = master["RACI"]
    job_role = _job_roles(master)
    leaders = _service_leaders(master)
    service_of = _service_of_procedure(master)
    for activity in activities(master):
        for column in _holders(activity, "A"):
            if column.role is not None:
                if column.role in ACCOUNTABLE_ROLES:
                    continue
                who = f"the {column.role}"
            else:
                role = job_role.get(column.person)
                service = service_of.get(activity.procedure)
                if (role is None or role in ACCOUNTABLE_JOB_ROLES
                        or column.person in leaders.get(service, ())):
                    continue
                who = f"{column.person} ({role})"
            yield _problem(
                table, activity, column.letter,
                f"RACI: the A for {_what(activity)} sits with {who}, not at owner or manager "
                "level.",
                "Give the A to the Service Manager or Service Owner and make this role R "
                "(Responsible) for doing the work.")


def _job_roles(master: Master) -> dict[str, str]:
    people = master["People"]
    return {str(p): r for p, r in zip(people.data["Person ID"], people.data["Job Role"],
                                      strict=True) if p is not None and r is not None}


def _service_leaders(master: Master) -> dict[str, set[str]]:
    """Service ID -> its Service Owner and Service Managers."""
    services = master["Services"]
    leaders: dict[str, set[str]] = {}
    for sid, owner, managers in zip(services.data["Service ID"], services.data["Service Owner"],
                                    services.data["Service Managers"], strict=True):
        if sid is not None:
            found = leaders.setdefault(str(sid), set())
            found.update(p for p in [owner, *split_list(managers)] if p)
    return leaders


def _service_of_procedure(master: Master) -> dict[str, str]:
    procedures = master["Procedures"]
    return {str(p): str(s) for p, s in zip(procedures.data["Procedure ID"],
                                           procedures.data["Service ID"], strict=True)
            if p is not None and s is not None}

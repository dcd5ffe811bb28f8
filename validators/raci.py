"""R — RACI: who is Responsible, Accountable, Consulted and Informed for each activity.

The RACI sheet is the matrix analysts draw: one row per activity of a procedure, one column
per role (or per person, headed by a Person ID). Only known role and person columns are
read here; any other column is X103's finding.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, INFO, Problem
from pmo_xl.validators.registry import CONVENTION, REQUIRED, Edit, rule
from pmo_xl.validators.schema import OWNER_JOB_ROLES, RACI, RaciRole, Services

if TYPE_CHECKING:
    from pmo_xl.facts import Activity, Facts
    from pmo_xl.workbook.master import SheetTable

# Roles that hold the A by good practice: the owner and manager levels (R105, a convention).
ACCOUNTABLE_ROLES = (RaciRole.SERVICE_OWNER, RaciRole.SERVICE_MANAGER, RaciRole.PMO_DIRECTOR,
                     RaciRole.PMO_MANAGER)


def _problem(table: SheetTable, activity: Activity, letter: str, message: str, hint: str,
             severity: str | None = None) -> Problem:
    return Problem(table.title, activity.row, letter, activity.procedure, message, hint,
                   severity)


def _what(activity: Activity) -> str:
    name = f"activity {activity.name!r}" if activity.name else f"the activity on row {activity.row}"
    return f"{name} of {activity.procedure}" if activity.procedure else name


@rule("R101", ERROR, "An activity has no A (Accountable)",
      kind=REQUIRED,
      why="The handbook's RACI names who is Accountable for each activity; without an A nobody "
          "answers for it.",
      fails=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_MANAGER: "R"})], cell="RACI!B2",
      passes=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_MANAGER: "r, a"})])
def no_accountable(facts: Facts) -> Iterator[Problem]:
    """Every activity in the handbook's RACI has exactly one Accountable role: the one who
    answers for it being done. Without an A nobody answers for it.

    Passing: the Service Manager's cell for `Send the status request` reads `r, a` (letters
    are read in any case, with `/`, `,`, `+` or spaces between). Failing: the Service
    Manager is R, and nobody holds the A.
    """
    table = facts.master[RACI]
    for activity in facts.raci_activities:
        if not activity.holders("A"):
            yield _problem(
                table, activity, table.letter(RACI.activity),
                f"RACI: {_what(activity)} has no A (Accountable).",
                "Mark exactly one role A, normally the Service Manager or Service Owner.")


@rule("R102", ERROR, "An activity has more than one A (Accountable)",
      kind=REQUIRED,
      why="Accountable means the one who answers for the activity: two As blur who that is.",
      fails=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_OWNER: "A"})], cell="RACI!D2",
      passes=[Edit(RACI, "PRD-001", {"Sponsor": "A"})])
def several_accountable(facts: Facts) -> Iterator[Problem]:
    """Exactly one role is Accountable for an activity; two As blur who answers
    for it. The second A in the row is named.

    Passing: `Send the status request` has one A, the Service Manager; an A under a column
    headed `Sponsor`, which is no role, is X103's finding and does not count. Failing: the
    Service Owner is A as well.
    """
    table = facts.master[RACI]
    for activity in facts.raci_activities:
        holders = activity.holders("A")
        if len(holders) > 1:
            names = ", ".join(c.header for c in holders)
            yield _problem(
                table, activity, holders[1].letter,
                f"RACI: {_what(activity)} has {len(holders)} As ({names}).",
                "Keep one A; make the others R, C or I.")


@rule("R103", ERROR, "An activity has no R (Responsible)",
      kind=REQUIRED,
      why="The handbook's RACI names who is Responsible for doing each activity.",
      fails=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_OPERATIVE: "C"})], cell="RACI!B2",
      passes=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_MANAGER: "AR",
                                     RaciRole.SERVICE_OPERATIVE: "C"})])
def no_responsible(facts: Facts) -> Iterator[Problem]:
    """Every activity has at least one Responsible role, who does the work. The
    Accountable role may do it too (`A/R`).

    Passing: the Service Operative is only C for `Send the status request`, and the Service
    Manager's cell reads `AR` (A and R run together). Failing: the Service Operative is only
    C and the Service Manager only A, so nobody does it.
    """
    table = facts.master[RACI]
    for activity in facts.raci_activities:
        if not activity.holders("R"):
            yield _problem(
                table, activity, table.letter(RACI.activity),
                f"RACI: {_what(activity)} has no R (Responsible).",
                "Mark at least one role R (A/R if the accountable role also does the work).")


@rule("R104", ERROR, "A RACI cell is not R, A, C, I or a combination",
      kind=REQUIRED,
      why="A RACI cell says R, A, C or I; anything else says nothing about the role's part.",
      fails=[Edit(RACI, "PRD-001", {RaciRole.CUSTOMER: "X"})], cell="RACI!J2",
      passes=[Edit(RACI, "PRD-001", {RaciRole.CUSTOMER: "c + i"})])
def bad_letter(facts: Facts) -> Iterator[Problem]:
    """A RACI cell holds R, A, C or I, or a combination such as `A/R`, or is blank.
    Anything else (`X`, `yes`, a tick) says nothing about the role's part.

    Passing: `c + i` under Customer (letters in any case, joined by `/`, `,`, `+`, `&` or
    spaces). Failing: `X` under Customer.
    """
    table = facts.master[RACI]
    for activity in facts.raci_activities:
        for column, value, found in activity.cells:
            if found is None:
                yield _problem(
                    table, activity, column.letter,
                    f"RACI: {_what(activity)} has {value!r} under {column.header}, which is not "
                    "R, A, C, I or a combination.",
                    "Use R (Responsible), A (Accountable), C (Consulted), I (Informed) or a "
                    "combination such as A/R; leave the cell blank if the role has no part.")


@rule("R105", INFO, "The A sits with an operative, analyst, customer or supplier",
      kind=CONVENTION,
      why="Who may hold the A is not laid down. Keeping it with the Service Owner, the Service "
          "Manager, a PMO Director or a PMO Manager, who are accountable for the service and its "
          "running, is good practice, not a requirement.",
      fails=[Edit(RACI, "PRD-001", {RaciRole.SERVICE_MANAGER: "I",
                                    RaciRole.SERVICE_OPERATIVE: "A/R"})],
      cell="RACI!E2",
      passes=[Edit(Services, "SVC-001", {Services.service_managers: "P-002; P-004"}),
              Edit(RACI, "PRD-001", {RaciRole.SERVICE_MANAGER: "R", "P-004": "A"})])
def accountable_level(facts: Facts) -> Iterator[Problem]:
    """A good-practice convention, information by default: accountability stays at owner or
    manager level, since the Service Owner is accountable for the service and the Service
    Manager responsible for its day-to-day running. Who may hold the A is not laid down
    anywhere else; a PMO that wants it enforced raises R105 in its Rules sheet. The A sits
    with the Service Owner, Service Manager, a PMO Director or a PMO Manager, not with a
    Service Operative, PMO Analyst, PMO Administrator, Customer or Supplier. A column headed
    by a Person ID counts by that person's Job Role, or as the service's owner or manager
    when the person is named so in Services (a Service Manager may be a PMO Analyst).

    Passing: the A for `Send the status request` sits in a column headed P-004, a PMO Analyst
    who is one of SVC-001's Service Managers. Failing: the Service Operative is A/R.
    """
    table = facts.master[RACI]
    people, leaders = facts.people, facts.leaders
    service_of = facts.service_of_procedure
    for activity in facts.raci_activities:
        for column in activity.holders("A"):
            if column.role is not None:
                if column.role in ACCOUNTABLE_ROLES:
                    continue
                who = f"the {column.role}"
            else:
                role = people[column.person].job_role if column.person in people else None
                service = service_of.get(activity.procedure)
                if (role is None or role in OWNER_JOB_ROLES
                        or column.person in leaders.get(service, ())):
                    continue
                who = f"{column.person} ({role})"
            yield _problem(
                table, activity, column.letter,
                f"RACI: the A for {_what(activity)} sits with {who}, not at owner or manager "
                "level.",
                "Give the A to the Service Manager or Service Owner and make this role R "
                "(Responsible) for doing the work.")

"""What the rules' own machinery asks of the master: the waivers in force, the PMO's own
policy as its Rules sheet types it, and the schema's verdict on each cell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from pmo_xl.facts.people import PeopleFacts
from pmo_xl.validators.schema import (
    OWNER_JOB_ROLES,
    Rules,
    Waivers,
)


@dataclass(frozen=True)
class PolicyRow:
    """One row of the Rules sheet as typed: what it sets, why, and who approved it."""

    row: int  # the Excel row
    target: str | None  # a rule code or a family letter, upper case (None: blank)
    severity: str | None  # Error, Warning, Info or Off (None: blank or not one of them)
    reason: str | None
    approved_by: str | None
    approved_date: dt.date | None
    approver_role: str | None  # the approver's Job Role in People (None: not there)
    approver_known: bool  # the approver is on People

    @property
    def approved(self) -> bool:
        """Approved by a PMO Director or PMO Manager: the people who own the PMO's method
        (the strategy and the handbook), and so may change how strictly it is checked."""
        return self.approved_by is not None and self.approver_role in OWNER_JOB_ROLES


class CheckFacts(PeopleFacts):
    """Waivers in force, the Rules sheet and the pandera pass over every sheet."""

    @cached_property
    def policy_rows(self) -> list[PolicyRow]:
        """Every row of the Rules sheet that names something, in sheet order (none without
        the sheet). Whether a row is governed, and what it sets, the rules decide
        (validators/policy.py): the facts do not know the rule codes."""
        table = self.master[Rules]
        if not table.present:
            return []
        found = []
        for row, record in table.rows():
            target, approver = record[Rules.rule], record[Rules.approved_by]
            if target is None and approver is None and record[Rules.severity] is None:
                continue
            person = self.people.get(str(approver)) if approver is not None else None
            found.append(PolicyRow(
                int(row), None if target is None else str(target).strip().upper(),
                record[Rules.severity],
                None if record[Rules.reason] is None else str(record[Rules.reason]),
                None if approver is None else str(approver), record[Rules.approved_date],
                None if person is None else person.job_role, person is not None))
        return found

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

"""What the rules' own machinery asks of the master: the waivers in force and the schema's
verdict on each cell."""

from __future__ import annotations

from functools import cached_property

from pmo_xl.facts.base import FactsBase
from pmo_xl.validators.schema import (
    Waivers,
)


class CheckFacts(FactsBase):
    """Waivers in force and the pandera pass over every sheet."""

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

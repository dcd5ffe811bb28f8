"""What several rule families share: building a problem at a cell, and wording a service.

Rule families never import each other; anything two of them need lives here or in the run's
:class:`pmo_xl.facts.Facts`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_xl.findings import Problem
from pmo_xl.validators.schema import SET_UP_STAGES, Services, Sheet

if TYPE_CHECKING:
    from pmo_xl.facts import Facts
    from pmo_xl.workbook.master import SheetTable


def problem_at(table: SheetTable, row: int, header: str, record: str | None, message: str,
               hint: str, severity: str | None = None) -> Problem:
    """`table.problem` with the record already known: no lookup, fast on big sheets."""
    return Problem(table.title, row, table.letter(header), record, message, hint, severity)


def is_at(stage: object) -> str:
    """`is in Design` for a set-up stage, `is Running` for the others."""
    return f"is in {stage}" if stage in SET_UP_STAGES else f"is {stage}"


def service_name(record: dict, row: int) -> str:
    """`Service SVC-001`, or `The service on row 7` when its ID is blank."""
    sid = record.get(Services.service_id)
    return f"Service {sid}" if sid else f"The service on row {row}"


def all_present(facts: Facts, *sheets: type[Sheet]) -> bool:
    """True when every sheet is in the workbook: a missing sheet is S101's finding, and
    judging records against it would report every one of them."""
    return all(facts.master[s].present for s in sheets)


def fte(value: float) -> str:
    """An FTE figure as a person writes it: 1.5, 0.25, 3, 1,698."""
    return f"{value:,g}"

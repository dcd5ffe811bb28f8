"""Risks, issues and changes: what is open, overdue, in flight or awaiting approval."""

from __future__ import annotations

from functools import cached_property

from pmo_xl.facts.base import FactsBase
from pmo_xl.validators.schema import (
    AFFECTED,
    CLOSED_RISK_STATUSES,
    SETTLED_CHANGE_STATUSES,
    Changes,
    ChangeStatus,
    Risks,
    normalise_header,
    split_list,
)

_AFFECTED = {normalise_header(item): item for item in AFFECTED}


def is_open_item(status: object) -> bool:
    """A risk or issue is open until it is Closed (an unreadable status counts as open: a
    typo never hides a risk; S106 reports the typo)."""
    return status not in CLOSED_RISK_STATUSES


def is_open_change(status: object) -> bool:
    """A change is in flight until it is Implemented or Rejected."""
    return status not in SETTLED_CHANGE_STATUSES


def affected(value: object) -> frozenset[str] | None:
    """The key documents a change's Affects names (Strategy, Catalogue, Handbook, read in any
    case), or None when Affects is blank or names none of them: then nobody has said, and
    the rules read the change's Reason instead (an item that is none of the three is S106's
    finding)."""
    found = {_AFFECTED[key] for item in split_list(value)
             if (key := normalise_header(item)) in _AFFECTED}
    return frozenset(found) if found else None


class ItemsFacts(FactsBase):
    """The Risks and Issues and Changes sheets: what is still open."""

    @cached_property
    def open_items(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every open risk and issue."""
        return [(row, r) for row, r in self.master[Risks].rows()
                if is_open_item(r[Risks.status])]

    @cached_property
    def open_items_by_service(self) -> dict[object, list[dict]]:
        found: dict[object, list[dict]] = {}
        for _row, item in self.open_items:
            found.setdefault(item[Risks.service_id], []).append(item)
        return found

    @cached_property
    def changes_in_flight(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every change not yet Implemented or Rejected."""
        return [(row, r) for row, r in self.master[Changes].rows()
                if is_open_change(r[Changes.status])]

    @cached_property
    def overdue_items(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every open risk and issue whose Target Date has passed (due
        on the as-of day itself is not late yet)."""
        return [(row, r) for row, r in self.open_items
                if r[Risks.target_date] is not None and r[Risks.target_date] < self.as_of]

    @cached_property
    def changes_awaiting_approval(self) -> list[tuple[int, dict]]:
        """(Excel row, record) of every change still Proposed: the Service Owner decides."""
        return [(row, r) for row, r in self.changes_in_flight
                if r[Changes.status] == ChangeStatus.PROPOSED]

    @cached_property
    def changes_in_flight_by_service(self) -> dict[object, list[dict]]:
        found: dict[object, list[dict]] = {}
        for _row, change in self.changes_in_flight:
            found.setdefault(change[Changes.service_id], []).append(change)
        return found


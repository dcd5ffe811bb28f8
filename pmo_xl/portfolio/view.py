"""What the enterprise outputs show of one member, taken from its own check.

A roll-up lets each member's workbook go once it is checked, so whatever the enterprise
reports, catalogue page and drafts present of a member is taken here, while its check is at
hand, from the same facts and findings its own reports present: the enterprise outputs never
recompute a member's number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmo_xl.validators.schema import PMOs, Stage

if TYPE_CHECKING:
    from pmo_xl.reports.catalogue import Entry
    from pmo_xl.validators.engine import CheckResult

# The enterprise catalogue publishes what the demo's does: running services, and pilots
# marked as such.
PUBLISHED_STAGES = (Stage.RUNNING, Stage.PILOT)


@dataclass(frozen=True)
class Contact:
    """A PMO Manager as their own member's People has them."""

    person_id: str
    name: str | None
    email: str | None


@dataclass
class MemberView:
    name: str
    organisation: str
    pmo_names: dict[str, str] = field(default_factory=dict)  # PMO ID -> PMO Name
    managers: dict[str, Contact] = field(default_factory=dict)  # PMO ID -> its PMO Manager
    catalogue: list[Entry] = field(default_factory=list)  # its published services


def member_view(result: CheckResult, name: str) -> MemberView:
    from pmo_xl.reports.catalogue import build_catalogue

    facts = result.facts
    view = MemberView(name, facts.settings.organisation)
    for pmo, record in facts.pmos.items():
        view.pmo_names[pmo] = str(record.get(PMOs.pmo_name) or pmo)
        manager = record.get(PMOs.pmo_manager)
        person = facts.people.get(str(manager)) if manager is not None else None
        if person is not None:
            view.managers[pmo] = Contact(person.person_id, person.name, person.email)
    view.catalogue = build_catalogue(result, stages=PUBLISHED_STAGES).entries
    return view

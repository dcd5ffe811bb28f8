"""One service catalogue page across the enterprise: one menu for customers.

Each counted member's published services (running services, and pilots marked as such) as
its own catalogue page would show them, each with the PMO that delivers it, on one page. A
service listed by several members (a copy, to point at it) appears once, from the member
that delivers it; the page is the catalogue page's own template, so it is as safe (every
piece of master text escaped, nothing fetched) and as readable.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.reports.catalogue import Catalogue, _anchor, _by_category
from pmo_xl.reports.catalogue_page import write_page
from pmo_xl.validators.schema import Services

if TYPE_CHECKING:
    from pmo_xl.portfolio.rollup import Rollup
    from pmo_xl.reports.catalogue import Entry


def enterprise_catalogue(rollup: Rollup) -> Catalogue:
    """The catalogue of every counted member, each service once."""
    from pmo_xl.portfolio.view import PUBLISHED_STAGES

    enterprise = rollup.enterprise
    taken: set[str] = set()
    entries: list[Entry] = []
    for outcome in rollup.counted_members:
        keys, view = outcome.keys, outcome.view
        if keys is None or view is None:
            continue
        rows = {r.text(Services.service_id): r for r in reversed(keys.rows_of(Services.SHEET))}
        for entry in view.catalogue:
            row = rows.get(entry.service_id)
            if row is not None and not enterprise.counts_here(keys, row):
                continue
            entries.append(replace(entry, anchor=_anchor("svc", entry.service_id, taken)))
    return Catalogue(
        title=f"{rollup.organisation} service catalogue: every PMO",
        organisation=rollup.organisation,
        as_of=rollup.as_of,
        stages=tuple(str(s) for s in PUBLISHED_STAGES),
        audience=None,
        with_status=False,
        categories=_by_category(entries),
        services_with_errors=[],
    )


def write_enterprise_catalogue(rollup: Rollup, path: Path) -> Path:
    return write_page(enterprise_catalogue(rollup), path)

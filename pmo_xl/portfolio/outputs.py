"""Writing a roll-up's outputs into one folder (`pmo-xl rollup -o DIR`).

The folder holds derived outputs, replaced when written again, each file written whole or
not at all (:func:`pmo_xl.output.atomic_output`); no other file in it is touched. It may not
be, or lie inside, a folder the roll-up reads members from (the next roll-up would read its
own reports as members), and no output may be a member.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.output import made_folder, refuse_master

if TYPE_CHECKING:
    from pmo_xl.portfolio.drafts import Addressed
    from pmo_xl.portfolio.rollup import Rollup

FINDINGS = "enterprise-findings.xlsx"
CATALOGUE = "enterprise-catalogue.html"
STATUS = "enterprise-status-report.xlsx"
KPI = "enterprise-kpi-report.xlsx"


@dataclass
class Written:
    folder: Path
    files: list[tuple[Path, str]] = field(default_factory=list)  # (path, what it is)
    drafts: Addressed | None = None


def refuse_output_folder(folder: Path, paths: Iterable[str | Path]) -> None:
    """Before any work: the output folder is not a member, nor a folder members are read
    from (or inside one)."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CannotCheck(f"{folder} is a file, not a folder; give a folder for the roll-up's "
                          "outputs.")
    target = os.path.realpath(folder)
    for given in paths:
        given = Path(given)
        if not given.is_dir():
            for name in (FINDINGS, CATALOGUE, STATUS, KPI):
                refuse_master(folder / name, given)
            continue
        source = os.path.realpath(given)
        if target == source or target.startswith(source.rstrip(os.sep) + os.sep):
            raise CannotCheck(f"{folder} is inside {given}, which the roll-up reads members "
                              "from: the next roll-up would read its own reports as members. "
                              "Choose an output folder outside it.")


def write_outputs(rollup: Rollup, folder: Path) -> Written:
    from pmo_xl.portfolio.catalogue import write_enterprise_catalogue
    from pmo_xl.portfolio.drafts import FOLDER, write_manager_drafts
    from pmo_xl.portfolio.findings_book import write_findings_book
    from pmo_xl.portfolio.reports import write_enterprise_kpi, write_enterprise_status

    folder = made_folder(folder, "roll-up")
    written = Written(folder)
    written.files.append((write_enterprise_status(rollup, folder / STATUS),
                          "the enterprise status report: one agenda across the PMOs, the "
                          "services at Red, every member's numbers added up"))
    written.files.append((write_enterprise_kpi(rollup, folder / KPI),
                          "the enterprise KPI report: every member's KPIs for the period"))
    written.files.append((write_findings_book(rollup, folder / FINDINGS),
                          "the findings of every member and across masters, a Member column "
                          "and a link to each cell"))
    written.files.append((write_enterprise_catalogue(rollup, folder / CATALOGUE),
                          "one service catalogue page across the PMOs"))
    written.drafts = write_manager_drafts(rollup, folder / FOLDER)
    written.files.append((written.drafts.folder,
                          f"{len(written.drafts.files)} drafts to the PMO Managers involved in "
                          "findings across masters"))
    return written

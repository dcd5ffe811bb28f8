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
from pmo_xl.portfolio.workers import POOL_FROM, cores, run, worker_pool

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


def write_outputs(rollup: Rollup, folder: Path, *, workers: int | None = None) -> Written:
    """Every output into `folder`. With more than a few members, the workbooks and the page
    are written side by side in worker processes (one per core, or `workers`)."""
    from pmo_xl.portfolio.drafts import FOLDER, write_manager_drafts

    global _ROLLUP
    folder = made_folder(folder, "roll-up")
    written = Written(folder)
    count = workers if workers is not None else (
        cores() if len(rollup.members) >= POOL_FROM else 1)
    names = list(OUTPUTS)
    if count > 1:
        # The workers are forked with the roll-up in hand: nothing large is sent to them.
        _ROLLUP = rollup
        try:
            with worker_pool(min(count, len(names))) as pool:
                futures = [pool.submit(run, _write, name, folder) for name in names]
                written.drafts = write_manager_drafts(rollup, folder / FOLDER)
                paths = [future.result() for future in futures]
        finally:
            _ROLLUP = None
    else:
        paths = [_write(name, folder, rollup) for name in names]
        written.drafts = write_manager_drafts(rollup, folder / FOLDER)
    written.files += [(path, OUTPUTS[name][1]) for path, name in zip(paths, names, strict=True)]
    written.files.append((written.drafts.folder,
                          f"{len(written.drafts.files)} drafts to the PMO Managers involved in "
                          "findings across masters"))
    return written


_ROLLUP: Rollup | None = None  # the roll-up whose outputs forked workers are writing


def _write(name: str, folder: Path, rollup: Rollup | None = None) -> Path:
    writer, _what = OUTPUTS[name]
    return writer()(rollup or _ROLLUP, folder / name)


def _status():
    from pmo_xl.portfolio.reports import write_enterprise_status

    return write_enterprise_status


def _kpi():
    from pmo_xl.portfolio.reports import write_enterprise_kpi

    return write_enterprise_kpi


def _findings():
    from pmo_xl.portfolio.findings_book import write_findings_book

    return write_findings_book


def _catalogue():
    from pmo_xl.portfolio.catalogue import write_enterprise_catalogue

    return write_enterprise_catalogue


# Each output: the function that gives its writer, and what it is (for the listing).
OUTPUTS = {
    STATUS: (_status, "the enterprise status report: one agenda across the PMOs, the "
                      "services at Red, every member's numbers added up"),
    KPI: (_kpi, "the enterprise KPI report: every member's KPIs for the period"),
    FINDINGS: (_findings, "the findings of every member and across masters, a Member column "
                          "and a link to each cell"),
    CATALOGUE: (_catalogue, "one service catalogue page across the PMOs"),
}

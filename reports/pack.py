"""The governance pack (`pmo-xl pack`): one dated folder with everything for the meeting.

The folder holds the findings workbook, the status report, the KPI report and an unsent
email draft (`governance-pack.eml`) with the three workbooks attached. A folder that already
holds files is never written into silently: the PMO passes --force to replace a pack.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.output import same_file
from pmo_xl.reports.email_draft import build_email, summarise, write_email
from pmo_xl.reports.findings_workbook import write_findings_workbook
from pmo_xl.validators.engine import CheckResult

if TYPE_CHECKING:
    from pmo_xl.since import PackMemory

EMAIL_NAME = "governance-pack.eml"


@dataclass
class Pack:
    """A written pack: its folder, its files and the check run it came from."""

    folder: Path
    findings: Path
    status: Path
    kpi: Path
    email: Path
    result: CheckResult
    snapshot: Path | None = None  # the master's byte copy, master-snapshot.xlsx
    memory: PackMemory | None = None  # the packs before it, and what moved since

    @property
    def workbooks(self) -> list[Path]:
        return [self.findings, self.status, self.kpi]


def default_folder(as_of: dt.date) -> Path:
    """`./pmo-pack-2026-11-30`: in the current folder, dated by the as-of date."""
    return Path.cwd() / f"pmo-pack-{as_of.isoformat()}"


def write_pack_files(result: CheckResult, folder: Path, memory: PackMemory | None = None) -> Pack:
    """Write the pack's workbooks and email draft for a check already run, and its memory
    (master-snapshot.xlsx and pack.json, written last: a pack cut short is no pack)."""
    # Imported here: the report modules are only needed for a pack.
    from pmo_xl.history import write_memory
    from pmo_xl.reports.kpi import write_kpi_report
    from pmo_xl.reports.status import write_status_report

    master_path = result.master.path
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotCheck(f"The pack folder {folder} cannot be created: "
                          f"{exc.strerror or exc}.") from None
    stamp = result.as_of.isoformat()
    findings = write_findings_workbook(result, folder / f"findings-{stamp}.xlsx")
    status = folder / f"status-report-{stamp}.xlsx"
    write_status_report(result, status, memory)
    kpi = folder / f"kpi-report-{stamp}.xlsx"
    write_kpi_report(result, kpi)
    summary = summarise(result)
    if memory is not None and memory.since is not None:
        summary.since = memory.since.paragraph()
    message = build_email(summary, [findings, status, kpi])
    email = write_email(message, folder / EMAIL_NAME, source=master_path)
    snapshot, _ = write_memory(result, folder)
    return Pack(folder, findings, status, kpi, email, result, snapshot, memory)


def refuse_folder(folder: Path, master_path: Path, force: bool) -> None:
    """One sentence, before any work, when the folder cannot or should not be written."""
    if same_file(folder, master_path):
        raise CannotCheck(f"{folder} is the master itself; give a folder for the pack.")
    if folder.exists() and not folder.is_dir():
        raise CannotCheck(f"{folder} is a file, not a folder; give a folder for the pack.")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise CannotCheck(f"The pack folder {folder} already exists and is not empty; "
                          "pmo-xl does not overwrite a pack. Choose another --output or pass "
                          "--force to replace its files.")

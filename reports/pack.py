"""The governance pack (`pmo-xl pack`): one dated folder with everything for the meeting.

The folder holds the findings workbook, the status report, the KPI report, an unsent email
draft (`governance-pack.eml`) with the three workbooks attached, and `to-people/`: one
addressed draft per person with actions (reports/drafts.py). A folder that already
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
    from pmo_xl.reports.drafts import WrittenDrafts

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
    drafts: WrittenDrafts | None = None  # to-people/: the addressed drafts

    @property
    def workbooks(self) -> list[Path]:
        return [self.findings, self.status, self.kpi]


def default_folder(as_of: dt.date) -> Path:
    """`./pmo-pack-2026-11-30`: in the current folder, dated by the as-of date."""
    return Path.cwd() / f"pmo-pack-{as_of.isoformat()}"


def write_pack_files(result: CheckResult, folder: Path) -> Pack:
    """Write the pack's workbooks and email draft for a check already run."""
    # Imported here: the report modules are only needed for a pack.
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
    write_status_report(result, status)
    kpi = folder / f"kpi-report-{stamp}.xlsx"
    write_kpi_report(result, kpi)
    drafts = write_people_drafts(result, folder)
    summary = summarise(result)
    summary.drafts = len(drafts.files)
    summary.unaddressed = [f"{p.name} ({p.person_id}): {p.unaddressed_reason}."
                           for p in drafts.unaddressed]
    message = build_email(summary, [findings, status, kpi])
    email = write_email(message, folder / EMAIL_NAME, source=master_path)
    return Pack(folder, findings, status, kpi, email, result, drafts)


def write_people_drafts(result: CheckResult, folder: Path) -> WrittenDrafts:
    """Each person's actions as an addressed draft in the pack's `to-people/`."""
    from pmo_xl.actions import build_actions
    from pmo_xl.reports.drafts import write_drafts
    from pmo_xl.send import DRAFTS_SUBFOLDER

    return write_drafts(build_actions(result), folder / DRAFTS_SUBFOLDER,
                        source=result.master.path)


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

"""The governance pack (`pmo-xl pack`): one dated folder with everything for the meeting.

The folder holds the findings workbook, the status report, the KPI report, an unsent email
draft (`governance-pack.eml`) with the three workbooks attached, and `to-people/`: one
addressed draft per person with actions (reports/drafts.py). A folder that already holds
files is never written into silently: the PMO passes --force to replace a pack. The pack is
written into a temporary folder and renamed into place (``atomic_folder``): a pack appears
whole or not at all, and a replaced pack stays intact until the new one is complete. What
`pmo-xl send` recorded in the old pack (sent.json) is carried into the new one, so a
replaced pack never sends a draft twice. Each pack remembers what it was made from
(master-snapshot.xlsx and pack.json, pmo_xl/compare/packs.py), so the next pack can say what
changed since.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.compare.packs import PACK_JSON, SNAPSHOT
from pmo_xl.output import atomic_folder, refuse_folder
from pmo_xl.people.send import DRAFTS_SUBFOLDER, SENT_FILE
from pmo_xl.reports.email_draft import build_email, summarise, write_email
from pmo_xl.reports.findings_workbook import write_findings_workbook
from pmo_xl.validators.engine import CheckResult

if TYPE_CHECKING:
    from pmo_xl.compare.since import PackMemory
    from pmo_xl.people.actions import WrittenDrafts

EMAIL_NAME = "governance-pack.eml"
# What a pack folder holds; --force replaces a folder only when it holds nothing else.
PACK_FILE = re.compile(r"(findings|status-report|kpi-report)-\d{4}-\d{2}-\d{2}\.xlsx|"
                       + "|".join(map(re.escape, (EMAIL_NAME, SENT_FILE, SNAPSHOT, PACK_JSON))))


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
    snapshot: Path | None = None  # the master's byte copy, master-snapshot.xlsx
    memory: PackMemory | None = None  # the packs before it, and what moved since
    notes: list[str] = field(default_factory=list)  # what the user must know (a leftover)

    @property
    def workbooks(self) -> list[Path]:
        return [self.findings, self.status, self.kpi]


def default_folder(as_of: dt.date, pmo: str | None = None) -> Path:
    """`./pmo-pack-2026-11-30` (`./pmo-pack-PMO-DIG-2026-11-30` for one PMO's): in the
    current folder, dated by the as-of date."""
    scope = f"{re.sub(r'[^A-Za-z0-9_-]+', '-', pmo.strip())}-" if pmo else ""
    return Path.cwd() / f"pmo-pack-{scope}{as_of.isoformat()}"


def is_pack_file(path: Path) -> bool:
    """A file a pack writes (by its name), or its drafts folder: what --force may replace."""
    if path.is_dir():
        return path.name == DRAFTS_SUBFOLDER
    return path.is_file() and PACK_FILE.fullmatch(path.name) is not None


def write_pack_files(
    result: CheckResult, folder: Path, memory: PackMemory | None = None, *,
    force: bool = False, replaceable=is_pack_file,
) -> Pack:
    """Write the pack's workbooks, email draft and addressed drafts for a check already run,
    and its memory (master-snapshot.xlsx and pack.json, written last).

    All or nothing (see the module docstring); `force` and `replaceable` say when an
    existing folder may be replaced (``pmo_xl.output.refuse_folder``).
    """
    # Imported here: the report modules are only needed for a pack.
    from pmo_xl.compare.packs import write_memory
    from pmo_xl.reports.kpi import write_kpi_report
    from pmo_xl.reports.status import write_status_report

    master_path = result.master.path
    stamp = result.as_of.isoformat()
    names = [f"findings-{stamp}.xlsx", f"status-report-{stamp}.xlsx", f"kpi-report-{stamp}.xlsx"]
    notes: list[str] = []
    with atomic_folder(folder, source=master_path, overwrite=force, replaceable=replaceable,
                       what="pack folder", notes=notes) as temp:
        findings, status, kpi = (temp / name for name in names)
        # Linked to the pack's own copy of the master, written beside it below: the links
        # work wherever the pack travels (an email attachment, another share).
        write_findings_workbook(result, findings, linked_copy=temp / SNAPSHOT)
        write_status_report(result, status, memory)
        write_kpi_report(result, kpi)
        drafts = write_people_drafts(result, temp)
        if (folder / SENT_FILE).is_file():  # what was sent from the pack it replaces
            shutil.copy2(folder / SENT_FILE, temp / SENT_FILE)
        summary = summarise(result)
        summary.drafts = len(drafts.files)
        summary.unaddressed = [f"{p.name} ({p.person_id}): {p.unaddressed_reason}."
                               for p in drafts.unaddressed]
        if memory is not None and memory.since is not None:
            summary.since = memory.since.paragraph()
        message = build_email(summary, [findings, status, kpi])
        write_email(message, temp / EMAIL_NAME, source=master_path)
        write_memory(result, temp)
    drafts.folder = folder / DRAFTS_SUBFOLDER  # where the drafts are now the pack is in place
    drafts.files = {pid: drafts.folder / path.name for pid, path in drafts.files.items()}
    return Pack(folder, *(folder / name for name in names), folder / EMAIL_NAME, result, drafts,
                folder / SNAPSHOT, memory, notes)


def write_people_drafts(result: CheckResult, folder: Path) -> WrittenDrafts:
    """Each person's actions as an addressed draft in the pack's `to-people/`."""
    from pmo_xl.people.actions import build_actions
    from pmo_xl.reports.drafts import write_drafts

    return write_drafts(build_actions(result), folder / DRAFTS_SUBFOLDER,
                        source=result.master.path)


def refuse_folder_for_pack(folder: Path, master_path: Path, force: bool) -> None:
    """One sentence, before any work, when the folder cannot or should not be written."""
    refuse_folder(folder, source=master_path, overwrite=force, replaceable=is_pack_file,
                  what="pack folder")

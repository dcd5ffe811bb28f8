"""`pmo-xl demo`: the main job on a built-in example master, in a folder of its own.

It writes Northwind Group's example master (see :mod:`pmo_xl.example.northwind`), checks it and
writes the reports, the packs and the catalogue beside it; it returns what it wrote (a
:class:`Demo`), which the terminal prints (``pmo_xl.terminal.console.print_demo``). The
example carries a handful of deliberate problems, so the demo always has findings to show;
it still exits 0, because showing them is what it is for (`pmo-xl check` is the command
whose exit code scripts should trust).

It writes two packs a month apart: first one from the master as it stood at the end of the
previous month, then this month's, which finds the first beside it and shows what moved
since (``THIS_MONTH``: a service promoted without its log entry, an issue closed, a KPI
turned Red, an actual restated) on the status report's Since last meeting sheet. Then the
history of its two packs as tables (``history/``, as `pmo-xl history pack-*` writes them),
ready for Power BI, Excel's Power Query, pandas or DuckDB.

It also writes an enterprise (``enterprise/``): Northwind's three PMOs each keeping its own
master, split from the same example data with one slip of each kind the rules across
masters find (:mod:`pmo_xl.example.enterprise`), the Finance PMO's member being its newest
pack; and the roll-up of the three (``enterprise/rollup/``: the enterprise findings
workbook, catalogue page and drafts to the PMO Managers).

The demo folder is the demo's own, but only as far as it can prove it: a second run
refreshes the files the first one wrote, and stops (before writing anything) when a file of
the same name was not written by pmo-xl or was saved since (it may be someone's work). No
other file in the folder is touched.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.example.northwind import (
    THIS_MONTH,
    month_before,
    month_before_rows,
    write_example_master,
)
from pmo_xl.output import carries_stamp, made_folder, refuse_folder
from pmo_xl.portfolio.history import is_history_file, write_history
from pmo_xl.validators.engine import CheckResult, check_path
from pmo_xl.validators.schema import Stage

if TYPE_CHECKING:
    from pmo_xl.portfolio.rollup import Rollup

EXAMPLE_NAME = "example-master.xlsx"
ENTERPRISE_FOLDER = "enterprise"
FINDINGS_NAME = "findings.xlsx"
CATALOGUE_NAME = "service-catalogue.html"
HISTORY_NAME = "history"

Written = list[tuple[Path, str]]  # (path, what it is, for the "what next" lines)


@dataclass
class Demo:
    """What one demo run wrote, and the check of its example master."""

    folder: Path
    master: Path  # the example master
    result: CheckResult  # its check, as of the demo's date
    written: Written  # every file or folder written, with what it is
    earlier: Path  # last month's pack, which this month's compares itself with
    since: str | None  # this month's pack's "Since the pack of DATE" paragraph
    warnings: list[str] = field(default_factory=list)  # e.g. a pack the history left out
    rollup: Rollup | None = None  # the roll-up of the enterprise's three members

    @property
    def as_of(self) -> dt.date:
        return self.result.as_of


def run_demo(folder: Path, as_of: dt.date) -> Demo:
    """Write the example master into `folder`, check it, and write the findings workbook,
    last month's pack, this month's pack and the catalogue page beside it."""
    folder = Path(folder)
    made_folder(folder, "demo")
    master = folder / EXAMPLE_NAME
    # Every refusal before anything is written: a demo that stops leaves the folder as it was.
    _refuse_edited(master)
    _refuse_edited(folder / FINDINGS_NAME)
    for date in (month_before(as_of), as_of):
        refuse_folder(pack_folder(folder, date), source=None, overwrite=True,
                      replaceable=_demo_pack_file, what="demo's pack folder")
    refuse_folder(folder / HISTORY_NAME, source=None, overwrite=True,
                  replaceable=is_history_file, what="demo's history folder")
    _refuse_edited_enterprise(folder / ENTERPRISE_FOLDER, as_of)
    earlier = write_earlier_pack(folder, as_of)
    write_example_master(master, as_of, THIS_MONTH)
    result = check_path(master, as_of)
    written: Written = [(master, "the example master: open it in Excel and look around")]
    pack_outputs, since = write_demo_outputs(result, folder)
    written += pack_outputs
    written.append((earlier, "last month's pack, which this month's compares itself with"))
    rollup = write_demo_enterprise(folder / ENTERPRISE_FOLDER, as_of)
    written.append((folder / ENTERPRISE_FOLDER / "members", "the enterprise: Northwind's three "
                    "PMOs each keeping its own master (the Finance PMO's newest pack)"))
    if rollup.written is not None:
        written.append((rollup.written.folder, "their roll-up: the findings of every member "
                        "and across the masters, one catalogue page, drafts to the PMO "
                        "Managers"))
    history, warnings = write_demo_history(folder)
    written.append((history, "Northwind's packs as tables for Power BI, Excel or "
                    "pandas, one CSV per table; docs/history.md describes them"))
    return Demo(folder, master, result, written, earlier, since, warnings, rollup)


def write_demo_enterprise(folder: Path, as_of: dt.date) -> Rollup:
    """The enterprise's members (`members/`) and their roll-up (`rollup/`)."""
    from pmo_xl.example.enterprise import write_enterprise_members
    from pmo_xl.portfolio.outputs import write_outputs
    from pmo_xl.portfolio.rollup import run_rollup

    paths = write_enterprise_members(folder / "members", as_of, replaceable=_demo_pack_file)
    rollup = run_rollup(paths, as_of)
    rollup.written = write_outputs(rollup, folder / "rollup")
    return rollup


def _refuse_edited_enterprise(folder: Path, as_of: dt.date) -> None:
    from pmo_xl.example.enterprise import DIGITAL, ENTERPRISE, finance_pack_folder
    from pmo_xl.portfolio.outputs import FINDINGS

    for path in (folder / "members" / ENTERPRISE, folder / "members" / DIGITAL,
                 folder / "rollup" / FINDINGS):
        _refuse_edited(path)
    refuse_folder(finance_pack_folder(folder / "members", as_of), source=None, overwrite=True,
                  replaceable=_demo_pack_file, what="demo's pack folder")


def write_earlier_pack(folder: Path, as_of: dt.date) -> Path:
    """The pack of the master as it stood at the end of the previous month (the demo's own
    folder `pack-DATE`, refreshed on every run)."""
    import tempfile

    from pmo_xl.reports.pack import write_pack_files
    from pmo_xl.workbook.template import write_master

    earlier = month_before(as_of)
    with tempfile.TemporaryDirectory(prefix="pmo-xl-demo-") as temp:
        # Named like the master itself: the pack remembers which master it was made from.
        master = write_master(Path(temp) / EXAMPLE_NAME, month_before_rows(as_of))
        result = check_path(master, earlier)
        pack = write_pack_files(result, pack_folder(folder, earlier), force=True,
                                replaceable=_demo_pack_file)
    return pack.folder


def write_demo_outputs(result: CheckResult, folder: Path) -> tuple[Written, str | None]:
    """Write the findings workbook and the governance pack beside the example master; the
    pack compares itself with the packs before it in `folder`. Returns what was written and
    the pack's "Since the pack of DATE" paragraph (None when it found no earlier pack).

    The pack folder (`pack-DATE`) is the demo's own, so a second run refreshes its files.
    """
    from pmo_xl.compare.since import recall, since_last_meeting
    from pmo_xl.reports.findings_workbook import write_findings_workbook
    from pmo_xl.reports.pack import write_pack_files

    written: Written = []
    path = write_findings_workbook(result, folder / FINDINGS_NAME)
    written.append((path, "the findings workbook: one row per finding, linked to its cell"))
    target = pack_folder(folder, result.as_of)
    memory = recall(target, result.as_of)
    memory.since = since_last_meeting(memory, result)
    pack = write_pack_files(result, target, memory, force=True, replaceable=_demo_pack_file)
    written.append((pack.status, "the status report for service owners and directors, with "
                    "the Since last meeting sheet" if memory.since else
                    "the status report for service owners and directors"))
    written.append((pack.kpi, "the KPI report: RAG for the reporting period and trends"))
    written.append((pack.email, "the email draft with the three workbooks attached"))
    if pack.drafts is not None:
        drafts = pack.drafts
        missing = "".join(f"; {p.name} ({p.person_id}) has none: {p.unaddressed_reason}"
                          for p in drafts.unaddressed)
        written.append((drafts.folder, f"one email draft per person with their actions, "
                                       f"{len(drafts.files)} in all{missing}"))
    written.append((write_demo_catalogue(result, folder),
                    "the service catalogue customers read: running services and pilots, "
                    "open it in a browser"))
    return written, memory.since.paragraph() if memory.since else None


def write_demo_history(folder: Path) -> tuple[Path, list[str]]:
    """The history of the example master's packs in the demo folder (`history/`, one CSV per
    table), as `pmo-xl history pack-*/ -o FOLDER/history` writes it, and a warning for each
    pack it left out. The enterprise's member packs (`enterprise/`) are another PMO's
    meetings: the history of "every meeting" is of Northwind's own."""
    written = write_history(sorted(p for p in folder.glob("pack-*") if p.is_dir()),
                            folder / HISTORY_NAME)
    return written.folder, list(written.warnings)


def pack_folder(folder: Path, as_of: dt.date) -> Path:
    return folder / f"pack-{as_of.isoformat()}"


def write_demo_catalogue(result: CheckResult, folder: Path) -> Path:
    """The published catalogue page of the example (Running services and pilots, as
    `pmo-xl catalogue --stage Running --stage Pilot` writes it)."""
    from pmo_xl.reports.catalogue import build_catalogue
    from pmo_xl.reports.catalogue_page import write_page

    content = build_catalogue(result, stages=(Stage.RUNNING, Stage.PILOT))
    return write_page(content, folder / CATALOGUE_NAME, source=result.master.path)


def _refuse_edited(path: Path) -> None:
    if (path.exists() or path.is_symlink()) and not written_by_demo(path):
        raise CannotCheck(f"{path} was not written by pmo-xl demo or was changed since "
                          "(it may hold your edits); move it or choose another demo folder.")


def _demo_pack_file(path: Path) -> bool:
    """A file in the demo's pack folder that the demo wrote and nobody changed since."""
    from pmo_xl.compare.packs import PACK_JSON
    from pmo_xl.reports.pack import EMAIL_NAME, is_pack_file

    if not is_pack_file(path):
        return False
    if path.is_dir():  # to-people/: only drafts pmo-xl wrote
        from pmo_xl.reports.drafts import draft_owner

        return all(child.is_file() and draft_owner(child) is not None
                   for child in path.iterdir())
    if path.name == EMAIL_NAME:
        return _demo_email(path)
    if path.name == PACK_JSON:  # a pack's memory: pmo-xl's if it reads as one
        return _pmo_xl_pack_json(path)
    return written_by_demo(path)


def _pmo_xl_pack_json(path: Path) -> bool:
    from pmo_xl.json_file import UnreadableJson, read_json_file

    try:
        record = read_json_file(path)
    except UnreadableJson:
        return False
    return isinstance(record, dict) and str(record.get("written_by", "")).startswith("pmo-xl")


def _demo_email(path: Path) -> bool:
    """The draft the demo wrote, unchanged since: its digest stamp still matches."""
    return not path.is_symlink() and carries_stamp(path)


def written_by_demo(path: Path) -> bool:
    """True for a workbook pmo-xl wrote and nobody saved since.

    pmo-xl stamps its workbooks as last modified by `pmo-xl` at its fixed creation time;
    Excel and LibreOffice replace both when they save.
    """
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    modified_by = re.search(r"<cp:lastModifiedBy>(.*?)</cp:lastModifiedBy>", core)
    created = re.search(r"<dcterms:created[^>]*>(.*?)</dcterms:created>", core)
    modified = re.search(r"<dcterms:modified[^>]*>(.*?)</dcterms:modified>", core)
    return bool(modified_by and modified_by.group(1) == "pmo-xl" and created and modified
                and created.group(1) == modified.group(1))

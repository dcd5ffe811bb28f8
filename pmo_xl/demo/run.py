"""`pmo-xl demo`: the main job on a built-in example master, in a folder of its own.

It writes Northwind Group's example master (see :mod:`pmo_xl.demo.example`), checks it, prints
the findings and says what was written. The example carries a handful of deliberate
problems, so the demo always has findings to show; it still exits 0, because showing them
is what it is for (`pmo-xl check` is the command whose exit code scripts should trust).

It writes two packs a month apart: first one from the master as it stood at the end of the
previous month, then this month's, which finds the first beside it and shows what moved
since (``THIS_MONTH``: a service promoted without its log entry, an issue closed, a KPI
turned Red, an actual restated) on the status report's Since last meeting sheet.

The demo folder is the demo's own, but only as far as it can prove it: a second run
refreshes the files the first one wrote, and stops (before writing anything) when a file of
the same name was not written by pmo-xl or was saved since (it may be someone's work). No
other file in the folder is touched.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import click

from pmo_xl import api
from pmo_xl.demo.example import (
    DELIBERATE,
    THIS_MONTH,
    month_before,
    month_before_rows,
    write_example_master,
)
from pmo_xl.errors import CannotCheck
from pmo_xl.output import carries_stamp, made_folder, refuse_folder
from pmo_xl.terminal.console import console, print_findings
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import Stage

EXAMPLE_NAME = "example-master.xlsx"
FINDINGS_NAME = "findings.xlsx"
CATALOGUE_NAME = "service-catalogue.html"

Written = list[tuple[Path, str]]  # (path, what it is, for the "what next" lines)


def run_demo(folder: Path, as_of: dt.date) -> CheckResult:
    """Write the example master into `folder`, check it, print the findings and next steps."""
    folder = Path(folder)
    made_folder(folder, "demo")
    master = folder / EXAMPLE_NAME
    # Every refusal before anything is written: a demo that stops leaves the folder as it was.
    _refuse_edited(master)
    _refuse_edited(folder / FINDINGS_NAME)
    for date in (month_before(as_of), as_of):
        refuse_folder(pack_folder(folder, date), source=None, overwrite=True,
                      replaceable=_demo_pack_file, what="demo's pack folder")
    earlier = write_earlier_pack(folder, as_of)
    write_example_master(master, as_of, THIS_MONTH)
    result = api.check(master, as_of)
    out = console()
    out.print(f"[bold]pmo-xl demo[/bold]: Northwind Group's example master, checked as of "
              f"{as_of.isoformat()}. It has {len(DELIBERATE)} deliberate problems, at least one "
              "of each kind of rule.")
    print_findings(result.findings, result.summary, master.name, as_of.isoformat(), out=out)
    written: Written = [(master, "the example master: open it in Excel and look around")]
    pack_outputs, since = write_demo_outputs(result, folder)
    written += pack_outputs
    written.append((earlier, "last month's pack, which this month's compares itself with"))
    if since is not None:
        click.echo(f"\n{since}")
    _what_next(written, master, as_of, earlier)
    return result


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
        result = api.check(master, earlier)
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
    import json

    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
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


def _what_next(written: Written, master: Path, as_of: dt.date, earlier: Path) -> None:
    click.echo("\nWritten:")
    for path, what in written:
        click.echo(f"  {path}  ({what})")
    click.echo("\nWhat next:")
    click.echo(f"  Fix a finding in {master.name} (each names its cell), save, then run:")
    click.echo(f"    pmo-xl check {master} --as-of {as_of.isoformat()}")
    click.echo(f"  Who has to do what:     pmo-xl actions {master} --as-of {as_of.isoformat()}")
    click.echo("  What changed since last month's pack, record by record:")
    click.echo(f"    pmo-xl diff {earlier} {master} --as-of {as_of.isoformat()}")
    click.echo("  Start your own master:  pmo-xl new master.xlsx")
    click.echo("  Publish the catalogue:  pmo-xl catalogue master.xlsx")
    click.echo("  What each rule means:   pmo-xl rules")

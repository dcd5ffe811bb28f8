"""`pmo-xl demo`: the main job on a built-in example master, in a folder of its own.

It writes Northwind Group's example master (see :mod:`pmo_xl.example`), checks it, prints
the findings and says what was written. The example carries a handful of deliberate
problems, so the demo always has findings to show; it still exits 0, because showing them
is what it is for (`pmo-xl check` is the command whose exit code scripts should trust).

It writes two packs a month apart: first one from the master as it stood at the end of the
previous month, then this month's, which finds the first beside it and shows what moved
since (``THIS_MONTH``: a service promoted without its log entry, an issue closed, a KPI
turned Red, an actual restated) on the status report's Since last meeting sheet.

The demo folder is the demo's own: it overwrites the files the demo writes there (so a
second run refreshes them) but no other file, and never an example master that someone has
opened and saved since the demo wrote it (it may hold their edits).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import click

from pmo_xl import api
from pmo_xl.console import console, print_findings
from pmo_xl.errors import CannotCheck
from pmo_xl.example import THIS_MONTH, month_before, month_before_rows, write_example_master
from pmo_xl.validators.engine import CheckResult

EXAMPLE_NAME = "example-master.xlsx"
FINDINGS_NAME = "findings.xlsx"

Written = list[tuple[Path, str]]  # (path, what it is, for the "what next" lines)


def run_demo(folder: Path, as_of: dt.date) -> CheckResult:
    """Write the example master into `folder`, check it, print the findings and next steps."""
    folder = Path(folder)
    _prepare(folder)
    master = folder / EXAMPLE_NAME
    _refuse_edited(master)
    earlier = write_earlier_pack(folder, as_of)
    write_example_master(master, as_of, THIS_MONTH)
    result = api.check(master, as_of)
    out = console()
    out.print(f"[bold]pmo-xl demo[/bold]: Northwind Group's example master, checked as of "
              f"{as_of.isoformat()}. It has a handful of deliberate problems, one per kind of "
              "rule.")
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
    from pmo_xl.template import write_master

    earlier = month_before(as_of)
    with tempfile.TemporaryDirectory(prefix="pmo-xl-demo-") as temp:
        # Named like the master itself: the pack remembers which master it was made from.
        master = write_master(Path(temp) / EXAMPLE_NAME, month_before_rows(as_of))
        result = api.check(master, earlier)
        pack = write_pack_files(result, folder / f"pack-{earlier.isoformat()}")
    return pack.folder


def write_demo_outputs(result: CheckResult, folder: Path) -> tuple[Written, str | None]:
    """Write the findings workbook and the governance pack beside the example master; the
    pack compares itself with the packs before it in `folder`. Returns what was written and
    the pack's "Since the pack of DATE" paragraph (None when it found no earlier pack).

    The pack folder (`pack-DATE`) is the demo's own, so a second run refreshes its files.
    """
    from pmo_xl.reports.findings_workbook import write_findings_workbook
    from pmo_xl.reports.pack import write_pack_files
    from pmo_xl.since import recall, since_last_meeting

    written: Written = []
    path = write_findings_workbook(result, folder / FINDINGS_NAME)
    written.append((path, "the findings workbook: one row per finding, linked to its cell"))
    pack_folder = folder / f"pack-{result.as_of.isoformat()}"
    memory = recall(pack_folder, result.as_of)
    memory.since = since_last_meeting(memory, result)
    pack = write_pack_files(result, pack_folder, memory)
    written.append((pack.status, "the status report for service owners and directors, with "
                    "the Since last meeting sheet" if memory.since else
                    "the status report for service owners and directors"))
    written.append((pack.kpi, "the KPI report: RAG for the reporting period and trends"))
    written.append((pack.email, "the email draft with the three workbooks attached"))
    return written, memory.since.paragraph() if memory.since else None


def _prepare(folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CannotCheck(f"{folder} is a file, not a folder; give a folder for the demo.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CannotCheck(f"The demo folder {folder} cannot be created: "
                          f"{exc.strerror or exc}.") from None


def _refuse_edited(master: Path) -> None:
    if master.exists() and not written_by_demo(master):
        raise CannotCheck(f"{master} was not written by pmo-xl demo or was changed since "
                          "(it may hold your edits); move it or choose another demo folder.")


def written_by_demo(path: Path) -> bool:
    """True for a workbook pmo-xl wrote and nobody saved since.

    pmo-xl stamps its workbooks as last modified by `pmo-xl` at its fixed creation time;
    Excel and LibreOffice replace both when they save.
    """
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
    click.echo("  What changed since last month's pack, record by record:")
    click.echo(f"    pmo-xl diff {earlier} {master} --as-of {as_of.isoformat()}")
    click.echo("  Start your own master:  pmo-xl new master.xlsx")
    click.echo("  What each rule means:   pmo-xl rules")

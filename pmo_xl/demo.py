"""`pmo-xl demo`: the main job on a built-in example master, in a folder of its own.

It writes Northwind Group's example master (see :mod:`pmo_xl.example`), checks it, prints
the findings and says what was written. The example carries a handful of deliberate
problems, so the demo always has findings to show; it still exits 0, because showing them
is what it is for (`pmo-xl check` is the command whose exit code scripts should trust).

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
from pmo_xl.example import write_example_master
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import Stage

EXAMPLE_NAME = "example-master.xlsx"
FINDINGS_NAME = "findings.xlsx"
CATALOGUE_NAME = "service-catalogue.html"

Written = list[tuple[Path, str]]  # (path, what it is, for the "what next" lines)


def run_demo(folder: Path, as_of: dt.date) -> CheckResult:
    """Write the example master into `folder`, check it, print the findings and next steps."""
    folder = Path(folder)
    _prepare(folder)
    master = folder / EXAMPLE_NAME
    _refuse_edited(master)
    write_example_master(master, as_of)
    result = api.check(master, as_of)
    out = console()
    out.print(f"[bold]pmo-xl demo[/bold]: Northwind Group's example master, checked as of "
              f"{as_of.isoformat()}. It has a handful of deliberate problems, one per kind of "
              "rule.")
    print_findings(result.findings, result.summary, master.name, as_of.isoformat(), out=out)
    written: Written = [(master, "the example master: open it in Excel and look around")]
    written += write_demo_outputs(result, folder)
    _what_next(written, master, as_of)
    return result


def write_demo_outputs(result: CheckResult, folder: Path) -> Written:
    """Write the findings workbook and the governance pack beside the example master.

    The pack folder (`pack-DATE`) is the demo's own, so a second run refreshes its files.
    """
    from pmo_xl.reports.findings_workbook import write_findings_workbook
    from pmo_xl.reports.pack import write_pack_files

    written: Written = []
    path = write_findings_workbook(result, folder / FINDINGS_NAME)
    written.append((path, "the findings workbook: one row per finding, linked to its cell"))
    pack = write_pack_files(result, folder / f"pack-{result.as_of.isoformat()}")
    written.append((pack.status, "the status report for service owners and directors"))
    written.append((pack.kpi, "the KPI report: RAG for the reporting period and trends"))
    written.append((pack.email, "the email draft with the three workbooks attached"))
    written.append((write_demo_catalogue(result, folder),
                    "the service catalogue customers read: running services and pilots, "
                    "open it in a browser"))
    return written


def write_demo_catalogue(result: CheckResult, folder: Path) -> Path:
    """The published catalogue page of the example (Running services and pilots, as
    `pmo-xl catalogue --stage Running --stage Pilot` writes it)."""
    from pmo_xl.reports.catalogue import build_catalogue
    from pmo_xl.reports.catalogue_page import write_page

    content = build_catalogue(result, stages=(Stage.RUNNING, Stage.PILOT))
    return write_page(content, folder / CATALOGUE_NAME, source=result.master.path)


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


def _what_next(written: Written, master: Path, as_of: dt.date) -> None:
    click.echo("\nWritten:")
    for path, what in written:
        click.echo(f"  {path}  ({what})")
    click.echo("\nWhat next:")
    click.echo(f"  Fix a finding in {master.name} (each names its cell), save, then run:")
    click.echo(f"    pmo-xl check {master} --as-of {as_of.isoformat()}")
    click.echo("  Start your own master:  pmo-xl new master.xlsx")
    click.echo("  Publish the catalogue:  pmo-xl catalogue master.xlsx")
    click.echo("  What each rule means:   pmo-xl rules")

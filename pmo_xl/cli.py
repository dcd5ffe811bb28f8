"""The `pmo-xl` command: a thin layer over pmo_xl.api; every expected failure is one sentence."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from pmo_xl import api
from pmo_xl.errors import CannotCheck
from pmo_xl.period import parse_date


class InputError(click.ClickException):
    """Shown as `Error: <sentence>` on stderr with exit code 2."""

    exit_code = 2


def fail(exc: CannotCheck) -> InputError:
    return InputError(str(exc))


def _as_of(ctx, param, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return parse_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. "
                                 "2026-11-30.") from None


def _codes(ctx, param, values: tuple[str, ...]) -> list[str]:
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    unknown = [c for c in codes if not any(r.startswith(c.upper()) for r in api.rules())]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} is not a rule code or family; "
                                 "`pmo-xl rules` lists them.")
    return codes


as_of_option = click.option(
    "--as-of", "as_of", callback=_as_of, metavar="DATE",
    help="Treat this date (YYYY-MM-DD) as today, so runs are reproducible. Default: today.")
master_argument = click.argument("path", type=click.Path(path_type=Path, dir_okay=True))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pmo-xl")
def cli() -> None:
    """Check a PMO master workbook and write the governance reports.

    \b
    Start here:  pmo-xl demo            (an example master, checked, with reports)
                 pmo-xl new master.xlsx (a blank master to fill in Excel)
                 pmo-xl check master.xlsx
    """


@cli.command()
@master_argument
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="text for people, json for scripts.")
@click.option("--select", multiple=True, callback=_codes, metavar="CODES",
              help="Run only these rules or families (K, L104, S1). Repeat or use commas.")
@click.option("--ignore", multiple=True, callback=_codes, metavar="CODES",
              help="Skip these rules or families.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FINDINGS.xlsx",
              help="Also write the findings workbook (hyperlinks to each cell, filters).")
@click.option("--annotate", type=click.Path(path_type=Path), metavar="COPY.xlsx",
              help="Also write a copy of the master with each failing cell highlighted and "
                   "commented. The master itself is never touched.")
def check(path: Path, as_of: dt.date, output_format: str, select: list[str],
          ignore: list[str], strict: bool, quiet: bool, output: Path | None,
          annotate: Path | None) -> None:
    """Check the master workbook at PATH against every rule.

    Findings are grouped by sheet; each names its rule, severity, cell, the record and a
    fix. Exit code 0: no errors; 1: errors (or warnings with --strict); 2: PATH could not
    be checked.

    \b
    Example:
      pmo-xl check master.xlsx --as-of 2026-11-30
      pmo-xl check master.xlsx --format json --select L,K --output findings.xlsx
    """
    from pmo_xl.console import findings_json, print_findings

    try:
        for out in (output, annotate):
            api.refuse_same(out, path)
        result = api.check(path, as_of, select=select, ignore=ignore,
                           progress=_progress(quiet or output_format == "json"))
        if output is not None:
            from pmo_xl.reports.findings_workbook import write_findings_workbook

            write_findings_workbook(result, output)
        if annotate is not None:
            from pmo_xl.reports.annotate import write_annotated_copy

            write_annotated_copy(result, annotate)
    except CannotCheck as exc:
        raise fail(exc) from None
    finally:
        _progress_done()
    name = path.name
    if output_format == "json":
        click.echo(findings_json(result.findings, result.summary, name, as_of.isoformat()))
    else:
        print_findings(result.findings, result.summary, name, as_of.isoformat(), quiet=quiet)
        for label, out in (("Findings workbook", output), ("Annotated copy", annotate)):
            if out is not None and not quiet:
                click.echo(f"{label}: {out}")
    sys.exit(1 if result.failed(strict) else 0)


class _Spinner:
    """A spinner on stderr, only on a terminal, shown once a check takes more than a moment."""

    DELAY = 0.5  # seconds: a quick check never flashes a spinner

    def __init__(self) -> None:
        import threading

        from rich.console import Console

        self.status = Console(stderr=True).status("Reading the master…")
        self.timer = threading.Timer(self.DELAY, self.status.start)
        self.timer.daemon = True
        self.timer.start()

    def update(self, rule) -> None:
        self.status.update(f"Checking {rule.code}: {rule.title}…")

    def stop(self) -> None:
        self.timer.cancel()
        self.status.stop()


_spinner: _Spinner | None = None


def _progress(silent: bool):
    global _spinner
    if silent or not sys.stderr.isatty():
        return None
    _spinner = _Spinner()
    return _spinner.update


def _progress_done() -> None:
    global _spinner
    if _spinner is not None:
        _spinner.stop()
        _spinner = None


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def new(path: Path, force: bool) -> None:
    """Write a blank master workbook to PATH, ready to fill in Excel.

    Every sheet has its headers as an Excel table, drop-downs for controlled columns, date
    checks, guidance on each header (hover over it), a frozen header row and a Readme.

    \b
    Example:
      pmo-xl new master.xlsx
    """
    try:
        api.new(path, overwrite=force)
    except CannotCheck as exc:
        raise fail(exc) from None
    click.echo(f"Wrote a blank master to {path}. Fill it in Excel, then run: "
               f"pmo-xl check {path}")


@cli.command()
@click.argument("code", required=False)
def rules(code: str | None) -> None:
    """List every rule, or explain one with a passing and a failing example.

    \b
    Example:
      pmo-xl rules
      pmo-xl rules L104
    """
    from pmo_xl.validators.registry import FAMILIES

    registry = api.rules()
    if code is None:
        family = None
        for item in registry.values():
            if item.family != family:
                family = item.family
                click.echo(f"\n{family}  {FAMILIES.get(family, '')}")
            click.echo(f"  {item.code}  {item.severity:<7}  {item.title}")
        click.echo(f"\n{len(registry)} rules. `pmo-xl rules CODE` explains one.")
        return
    item = registry.get(code.strip().upper())
    if item is None:
        raise click.BadParameter(f"{code!r} is not a rule code; `pmo-xl rules` lists them.",
                                 param_hint="CODE")
    click.echo(f"{item.code} ({item.severity}, {FAMILIES.get(item.family, item.family)}): "
               f"{item.title}\n")
    click.echo(item.explanation)
    click.echo("\nFailing example (edits to the clean example master):")
    for edit in item.fails.edits:
        click.echo(f"  - {edit.describe()}")
    if item.fails.note:
        click.echo(f"  - {item.fails.note}")
    if item.fails.cell:
        click.echo(f"  -> {item.code} names {item.fails.cell}")


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]),
              default="text", show_default=True)
def schema(output_format: str) -> None:
    """Print the master's sheets, columns and allowed values (from the schemas the checks use).

    \b
    Example:
      pmo-xl schema
      pmo-xl schema --format markdown > WORKBOOK.md
    """
    from pmo_xl.schema_doc import schema_markdown, schema_text

    click.echo(schema_markdown() if output_format == "markdown" else schema_text())


@cli.group()
def report() -> None:
    """Write a report workbook (status or KPI) from the master, ready to email or print.

    \b
    Example:
      pmo-xl report status master.xlsx --as-of 2026-11-30
      pmo-xl report kpi master.xlsx -o kpi-november.xlsx
    """


def _write_report(kind: str, path: Path, as_of: dt.date, output: Path | None) -> None:
    from pmo_xl.reports.kpi import write_kpi_report
    from pmo_xl.reports.status import write_status_report

    output = output or Path(f"{kind}-report-{as_of.isoformat()}.xlsx")
    writer = write_status_report if kind == "status" else write_kpi_report
    try:
        api.refuse_same(output, path)
        result = api.check(path, as_of)
        writer(result, output)
    except CannotCheck as exc:
        raise fail(exc) from None
    click.echo(f"Wrote the {kind} report to {output}.")


report_output = click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
    help="The report file. Default: ./<kind>-report-YYYY-MM-DD.xlsx (the as-of date).")


@report.command("status")
@master_argument
@as_of_option
@report_output
def report_status(path: Path, as_of: dt.date, output: Path | None) -> None:
    """Write the status report for the master at PATH.

    Summary with charts, Services (RAG, owner, open risks, findings, next date due),
    Set-up pipeline, Closing checklist, open Risks and Issues, and the Findings of the same
    checks `pmo-xl check` runs. Exit 0 when written (findings are in the report), 2 when
    PATH cannot be read or the report cannot be written.

    \b
    Example:
      pmo-xl report status master.xlsx --as-of 2026-11-30
      pmo-xl report status master.xlsx -o status-november.xlsx
    """
    _write_report("status", path, as_of, output)


@report.command("kpi")
@master_argument
@as_of_option
@report_output
def report_kpi(path: Path, as_of: dt.date, output: Path | None) -> None:
    """Write the KPI report for the master at PATH.

    Summary (KPI and RAG counts per service), every KPI for its reporting period (actual,
    target, variance, RAG, commentary; a missing actual is flagged, never Green), and
    Trends: the last 12 periods per KPI with a line chart per service and sparklines.
    Exit 0 when written, 2 when PATH cannot be read or the report cannot be written.

    \b
    Example:
      pmo-xl report kpi master.xlsx --as-of 2026-11-30
      pmo-xl report kpi master.xlsx -o kpi-november.xlsx
    """
    _write_report("kpi", path, as_of, output)


@cli.command()
@master_argument
@as_of_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR",
              help="The pack folder. Default: ./pmo-pack-YYYY-MM-DD (the as-of date).")
@click.option("--force", is_flag=True, help="Replace the files of an existing pack folder.")
def pack(path: Path, as_of: dt.date, output: Path | None, force: bool) -> None:
    """Write everything for the governance meeting into one dated folder.

    The findings workbook, the status report, the KPI report and governance-pack.eml, an
    unsent email draft with the three attached (open it, add recipients, send). An
    existing pack folder is never overwritten unless --force. Exit codes as for check:
    0 no errors, 1 errors found (the pack is still written), 2 nothing could be written.

    \b
    Example:
      pmo-xl pack master.xlsx --as-of 2026-11-30
      pmo-xl pack master.xlsx -o "//share/PMO/Board 2026-11"
    """
    from pmo_xl.console import print_findings

    try:
        written = api.pack(path, as_of, output, force=force)
    except CannotCheck as exc:
        raise fail(exc) from None
    result = written.result
    print_findings(result.findings, result.summary, path.name, as_of.isoformat(), quiet=True)
    click.echo(f"Governance pack: {written.folder}")
    for item in (*written.workbooks, written.email):
        click.echo(f"  {item.name}")
    sys.exit(1 if result.failed() else 0)


@cli.command()
@click.argument("folder", required=False, type=click.Path(path_type=Path),
                default=Path("pmo-xl-demo"))
@as_of_option
def demo(folder: Path, as_of: dt.date) -> None:
    """Run the main job on a built-in example master (default folder ./pmo-xl-demo).

    Writes a realistic example master with a handful of real problems, checks it and
    prints the findings. Exits 0 although the example has errors: showing them is the
    point (use `pmo-xl check` in scripts). Refreshes its own files in FOLDER, no others.

    \b
    Example:
      pmo-xl demo
      pmo-xl demo /tmp/pmo-demo --as-of 2026-11-30
    """
    from pmo_xl.demo import run_demo

    try:
        run_demo(folder, as_of)
    except CannotCheck as exc:
        raise fail(exc) from None


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--smtp", metavar="HOST[:PORT]",
              help="The mail server. Port default: 25, 587 with --starttls, 465 with --ssl.")
@click.option("--from", "from_address", metavar="ADDRESS",
              help="The sender, e.g. pmo@example.org or \"PMO Office <pmo@example.org>\".")
@click.option("--starttls", is_flag=True, help="Encrypt with STARTTLS (usually port 587).")
@click.option("--ssl", "use_ssl", is_flag=True, help="Encrypt from the start (usually port 465).")
@click.option("--user", metavar="NAME",
              help="Log in as NAME; the password comes from the environment variable "
                   "PMO_XL_SMTP_PASSWORD, never from the command line.")
@click.option("--cc", multiple=True, metavar="ADDRESS",
              help="Copy every message to ADDRESS (repeat for more).")
@click.option("--yes", is_flag=True, help="Send without asking (for scripts).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
def send(folder: Path, smtp: str | None, from_address: str | None, starttls: bool,
         use_ssl: bool, user: str | None, cc: tuple[str, ...], yes: bool,
         dry_run: bool) -> None:
    """Send the addressed drafts in DIR through an SMTP server, each one once.

    DIR is a pack folder (its to-people/ drafts) or a folder written by `pmo-xl actions -o`.
    It lists what it will send (to whom, subject, size) and asks before sending. sent.json
    records every message sent, so running again sends only what is left. Exit 0: every
    draft has gone out; 1: some were refused, lost or skipped (the rest were sent); 2: bad
    input, or the server could not be reached or refused the login.

    \b
    Example:
      pmo-xl send pmo-pack-2026-11-30 --dry-run
      export PMO_XL_SMTP_PASSWORD='...'
      pmo-xl send pmo-pack-2026-11-30 --smtp smtp.example.org --starttls \\
          --user pmo@example.org --from pmo@example.org --cc pmo-office@example.org
    """
    from pmo_xl import send as sending

    if starttls and use_ssl:
        raise click.UsageError("--starttls and --ssl cannot be used together; pick one.")
    security = "ssl" if use_ssl else "starttls" if starttls else "plain"

    def confirm(question: str) -> bool:
        if not sending.stdin_is_terminal():
            raise InputError("Not sending without confirmation: no terminal to ask on; add "
                             "--yes to send from a script, or --dry-run to only look.")
        return click.confirm(question, default=False)

    try:
        outcome = sending.send(folder, smtp=smtp, from_address=from_address,
                               security=security, user=user, cc=cc, dry_run=dry_run,
                               confirm=None if yes else confirm,
                               echo=lambda text="", err=False: click.echo(text, err=err))
    except CannotCheck as exc:
        raise fail(exc) from None
    sys.exit(outcome.exit_code)


def main() -> None:
    """Console entry point: no traceback ever reaches a user."""
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        code = 1
    except KeyboardInterrupt:
        click.echo("Interrupted; nothing was left half-written.", err=True)
        code = 130
    except SystemExit as exc:
        code = exc.code
    except Exception as exc:  # a defect in pmo-xl itself: still one sentence, exit 2
        if os.environ.get("PMO_XL_DEBUG"):
            raise
        click.echo(f"Error: pmo-xl stopped on an unexpected problem ({type(exc).__name__}: "
                   f"{str(exc)[:200]}); set PMO_XL_DEBUG=1 for details and please report it.",
                   err=True)
        code = 2
    sys.exit(code if isinstance(code, int) else 0)


def _published_stages(ctx, param, values: tuple[str, ...]) -> list[str]:
    """Stage names as the master spells them; only stages a customer can be offered."""
    offered = ("Running", "Pilot", "Transition", "Closing")
    by_key = {s.casefold(): s for s in offered}
    unknown = [v for v in values if v.strip().casefold() not in by_key]
    if unknown:
        raise click.BadParameter(f"{unknown[0]!r} is not a stage the catalogue publishes; "
                                 f"choose {', '.join(offered[:-1])} or {offered[-1]}.")
    return [by_key[v.strip().casefold()] for v in values]


@cli.command()
@master_argument
@as_of_option
@click.option("--format", "output_format", type=click.Choice(["html", "xlsx"]),
              help="html: one self-contained web page (the default); xlsx: a workbook of the "
                   "same content. Default: from the -o name, else html.")
@click.option("--stage", "stages", multiple=True, metavar="STAGE", callback=_published_stages,
              help="Publish the services at this stage: Running, Pilot, Transition or Closing "
                   "(repeat for more). Default: Running. Pilots and others are marked as such.")
@click.option("--audience", metavar="TEXT",
              help="Only the services whose Customers include TEXT, e.g. \"project managers\".")
@click.option("--with-status", is_flag=True,
              help="Show each service level's latest RAG (Green, Amber, Red, No data).")
@click.option("--title", metavar="TEXT",
              help="The page's title. Default: \"<Organisation> PMO service catalogue\".")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="The file to write. Default: ./service-catalogue.html (or .xlsx).")
def catalogue(path: Path, as_of: dt.date, output_format: str | None, stages: tuple[str, ...],
              audience: str | None, with_status: bool, title: str | None,
              output: Path | None) -> None:
    """Publish the service catalogue customers read: one web page, or a workbook.

    Each published service in the customers' words: what it is, who it is for, the outcome,
    what you get (its SIPOC outputs), its service levels (KPI targets) and how to ask for
    it, grouped by Category, with a contents list and a search box. Nothing internal is
    shown: no FTE, funding, priority, risks, changes or findings, no other service, no
    other person. The page works offline, from a file or a share, on a phone and in print.
    Exit 0: written; 1: written, but published services carry errors in the master (run
    pmo-xl check); 2: nothing could be written.

    \b
    Example:
      pmo-xl catalogue master.xlsx --as-of 2026-11-30
      pmo-xl catalogue master.xlsx --stage Running --stage Pilot -o catalogue.html
      pmo-xl catalogue master.xlsx --audience "project managers" --format xlsx
    """
    try:
        published = api.catalogue(path, as_of, output, output_format=output_format,
                                  stages=stages,
                                  audience=audience, with_status=with_status, title=title)
    except CannotCheck as exc:
        raise fail(exc) from None
    content = published.catalogue
    count = len(content.entries)
    click.echo(f"Wrote the service catalogue ({count} service{'' if count == 1 else 's'} in "
               f"{len(content.categories)} categor{'y' if len(content.categories) == 1 else 'ies'}"
               f") to {published.path}.")
    if not count:
        click.echo("No service is published: none is at the stages asked for"
                   + (f" with {audience!r} among its Customers." if content.audience else "."),
                   err=True)
    errors = content.services_with_errors
    if errors:
        verb = "carries" if len(errors) == 1 else "carry"
        click.echo(f"{len(errors)} of the {count} published services {verb} errors in the "
                   f"master ({', '.join(errors)}); the catalogue was written anyway. Run "
                   f"pmo-xl check {path.name} to see them.", err=True)
        sys.exit(1)

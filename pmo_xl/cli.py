"""The `pmo-xl` command: a thin layer over pmo_xl.api; every expected failure is one sentence.

Start-up is kept light: this module imports click and the standard library only, and each
command imports pandas, pandera, openpyxl and the rules when it runs, so `--help`,
`--version` and a mistyped option answer at once.
"""

from __future__ import annotations

import datetime as dt
import errno
import gc
import os
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import click

from pmo_xl import __version__, interrupts
from pmo_xl.errors import CannotCheck
from pmo_xl.period import out_of_range, parse_date, usable


class InputError(click.ClickException):
    """Shown as `Error: <sentence>` on stderr with exit code 2."""

    exit_code = 2


def fail(exc: CannotCheck) -> InputError:
    return InputError(str(exc))


_as_a_program = False  # set by main(): pmo-xl runs as its own short-lived process


def _library(checks: bool = True):
    """pmo_xl.api, with (for a command that reads a master) the checks' libraries imported
    too: pandas, pandera, openpyxl, the rules. `history` reads only pack.json files and
    asks for the API alone.

    Run as the `pmo-xl` program, the objects those imports made (a few hundred thousand,
    alive until exit) are then frozen out of the cyclic garbage collector, which would
    otherwise walk them again at every full collection: about 50 ms of a check on the
    example master. Used as a library (tests, a notebook) nothing is frozen.
    """
    global _as_a_program
    from pmo_xl import api

    if checks:
        import pmo_xl.validators.engine  # noqa: F401  (pandas, pandera and the rules)
    if _as_a_program and checks:
        _as_a_program = False
        gc.freeze()
    return api


# --- options shared by several commands (one definition each, so they cannot drift) -------


def _as_of(ctx, param, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        day = parse_date(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. "
                                 "2026-11-30.") from None
    if not usable(day):
        raise click.BadParameter(out_of_range(day))
    return day


def _codes(ctx, param, values: tuple[str, ...]) -> list[str]:
    codes = [c.strip() for v in values for c in v.split(",") if c.strip()]
    if not codes:
        return codes
    from pmo_xl.validators.families import load_rules
    from pmo_xl.validators.registry import unknown_codes

    unknown = unknown_codes(load_rules(), codes)
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)} is not a rule code or family; "
                                 "`pmo-xl rules` lists them.")
    return codes


as_of_option = click.option(
    "--as-of", "as_of", callback=_as_of, metavar="DATE",
    help="Treat this date (YYYY-MM-DD) as today, so runs are reproducible. Default: today.")
select_option = click.option(
    "--select", multiple=True, callback=_codes, metavar="CODES",
    help="Run only these rules or families (K, L104, S1), so only their findings are "
         "reported. Repeat or use commas.")
ignore_option = click.option(
    "--ignore", multiple=True, callback=_codes, metavar="CODES",
    help="Skip these rules or families.")
strict_option = click.option(
    "--strict", is_flag=True, help="Warnings fail too (exit 1).")
quiet_option = click.option(
    "-q", "--quiet", is_flag=True,
    help="Print only the summary line (a report: nothing when it succeeds).")
format_option = click.option(
    "--format", "output_format", type=click.Choice(["text", "json"]), default="text",
    show_default=True, help="text for people, json for scripts.")
master_argument = click.argument("path", type=click.Path(path_type=Path, dir_okay=True))
pmo_option = click.option(
    "--pmo", metavar="PMO-ID",
    help="Only this PMO (a PMO ID from PMOs): the services it leads or delivers, its own "
         "KPIs and its people. The checks still run on the whole master.")


def force_option(what: str) -> Callable:
    return click.option("--force", is_flag=True, help=f"Replace {what} if it exists.")


def _require_rules(select: list[str], ignore: list[str]) -> None:
    """--select K --ignore K would run nothing and report "0 errors": say so instead."""
    if not (select or ignore):
        return
    from pmo_xl.validators.families import load_rules
    from pmo_xl.validators.registry import selected

    if not selected(load_rules(), select, ignore):
        chosen = f"--select {','.join(select)} " if select else ""
        raise click.UsageError(f"{chosen}--ignore {','.join(ignore)} leaves no rule to run; "
                               "ignore fewer rules.")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="pmo-xl")
def cli() -> None:
    """Check a PMO master workbook and write the governance reports.

    \b
    Start here:  pmo-xl demo            (an example master, checked, with reports)
                 pmo-xl new master.xlsx (a blank master to fill in Excel)
                 pmo-xl check master.xlsx

    \b
    Exit codes: 0 done, no errors; 1 errors found (or warnings with --strict);
    2 the master could not be read or the command was misused; 130 interrupted (Ctrl-C).
    """


@cli.command()
@master_argument
@as_of_option
@format_option
@select_option
@ignore_option
@strict_option
@quiet_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FINDINGS.xlsx",
              help="Also write the findings workbook (hyperlinks to each cell, filters). "
                   "Replaced if it exists.")
@click.option("--annotate", type=click.Path(path_type=Path), metavar="COPY.xlsx",
              help="Also write a copy of the master with each failing cell highlighted and "
                   "commented, and the findings first, each linked to its cell. Replaced if it "
                   "exists; the master itself is never touched.")
@click.option("--statistics", is_flag=True,
              help="Instead of the findings, a count per rule: how many, its severity, the "
                   "first cell and what the rule is about (with --format json: added as "
                   "\"statistics\").")
@click.option("--show-waived", is_flag=True,
              help="List the waived findings, one line each (by default only their count).")
def check(path: Path, as_of: dt.date, output_format: str, select: list[str],
          ignore: list[str], strict: bool, quiet: bool, output: Path | None,
          annotate: Path | None, statistics: bool, show_waived: bool) -> None:
    """Check the master workbook at PATH against every rule.

    Errors first, then warnings, then info, each grouped by sheet; each finding names its
    rule, cell, the record and a fix. A rule that fires more than five times on one sheet
    is shown once, with its count, its first finding and the next records; --output and
    --format json list every one, --statistics counts them per rule. Exit code 0: no
    errors; 1: errors (or warnings with --strict); 2: PATH could not be checked or an output
    not written; 130: interrupted (no output is left half-written).

    \b
    Example:
      pmo-xl check master.xlsx --as-of 2026-11-30
      pmo-xl check master.xlsx --statistics
      pmo-xl check master.xlsx --format json --select L,K --output findings.xlsx
    """
    _require_rules(select, ignore)
    api = _library()
    from pmo_xl.terminal.console import findings_json, print_findings

    try:
        result = api.check(path, as_of, select=select, ignore=ignore, output=output,
                           annotate=annotate,
                           progress=_progress(quiet or output_format == "json"))
    except CannotCheck as exc:
        raise fail(exc) from None
    finally:
        _progress_done()
    name = path.name
    if output_format == "json":
        click.echo(findings_json(result.findings, result.summary, name, as_of.isoformat(),
                                 statistics=statistics))
    else:
        print_findings(result.findings, result.summary, name, as_of.isoformat(), quiet=quiet,
                       show_waived=show_waived, statistics=statistics)
        apart = len(result.rule_policy.departures)
        if apart and not quiet:  # a rule switched off finds nothing: say that it was
            click.echo(f"The master's Rules sheet sets {apart} rule{'s' if apart > 1 else ''} "
                       f"apart from the default: pmo-xl rules --master {name}")
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

    def update(self, what) -> None:
        """A rule being run, or what is being done in words ("Writing the findings
        workbook…")."""
        self.status.update(what if isinstance(what, str) else
                           f"Checking {what.code}: {what.title}…")

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
@force_option("PATH")
def new(path: Path, force: bool) -> None:
    """Write a blank master workbook to PATH, ready to fill in Excel.

    Every sheet has its headers as an Excel table, drop-downs for controlled columns, date
    checks, guidance on each header (hover over it), a frozen header row and a Readme. An
    existing file is never replaced unless --force.

    \b
    Example:
      pmo-xl new master.xlsx
    """
    api = _library()

    try:
        api.new(path, force=force)
    except CannotCheck as exc:
        raise fail(exc) from None
    click.echo(f"Wrote a blank master to {path}. Fill it in Excel, then run: "
               f"pmo-xl check {path}")


@cli.command()
@click.argument("code", required=False)
@click.option("--master", "master", type=click.Path(path_type=Path, dir_okay=True),
              metavar="MASTER",
              help="Show the severity each rule has in this master (its Rules sheet) and "
                   "where it departs from the default.")
def rules(code: str | None, master: Path | None) -> None:
    """List every rule, or explain one with its examples.

    Each explanation comes with a passing and a failing example.

    Each rule is required (an error by default), recommended (a warning) or a convention
    (information), by how the method puts what it checks. A master's Rules sheet sets its
    own severities: --master shows the ones in force.

    \b
    Example:
      pmo-xl rules
      pmo-xl rules L104
      pmo-xl rules --master master.xlsx
    """
    from pmo_xl import api
    from pmo_xl.terminal.policy_text import departure_lines, in_force
    from pmo_xl.terminal.schema_doc import example_lines, kind_line, kinds_text, rule_examples
    from pmo_xl.validators.registry import FAMILIES

    registry = api.rules()
    item = None
    if code is not None:
        item = registry.get(code.strip().upper())
        if item is None:
            raise click.BadParameter(f"{code!r} is not a rule code; `pmo-xl rules` lists them.",
                                     param_hint="CODE")
    policy = None
    if master is not None:
        try:
            policy = _library().policy(master)
        except CannotCheck as exc:
            raise fail(exc) from None
    if item is None:
        family = None
        for rule in registry.values():
            if rule.family != family:
                family = rule.family
                click.echo(f"\n{family}  {FAMILIES.get(family, '')}"
                           + ("  (two versions: pmo-xl diff, pmo-xl pack)"
                              if rule.needs_previous else "")
                           + ("  (several masters: pmo-xl rollup)"
                              if rule.needs_members else ""))
            severity = rule.severity
            if policy is not None:
                setting = policy.settings[rule.code]
                severity = setting.severity + ("*" if setting.departs else "")
            click.echo(f"  {rule.code}  {severity:<8} {rule.kind:<11}  {rule.title}")
        click.echo(f"\n{len(registry)} rules. `pmo-xl rules CODE` explains one.")
        if policy is None:
            click.echo("Each rule's kind gives its severity by default:")
            for line in kinds_text():
                click.echo(textwrap.fill(line, 96, initial_indent="  ",
                                         subsequent_indent="    "))
        else:
            click.echo("* set by the master's Rules sheet.")
            for line in departure_lines(policy, master.name):
                click.echo(line)
        return
    click.echo(f"{item.code} ({item.severity}, {FAMILIES.get(item.family, item.family)}): "
               f"{item.title}\n")
    click.echo(kind_line(item))
    if policy is not None:
        setting = policy.settings[item.code]
        click.echo(f"In force in {master.name}: {in_force(policy, setting)}.")
    click.echo("")
    click.echo(item.explanation)
    for example in rule_examples(item):
        side = "Passing" if example.passing else "Failing"
        what = ("members rolled up by pmo-xl rollup, each the clean example master"
                if example.members is not None else
                "two versions of the clean example master, compared by pmo-xl diff"
                if example.old is not None else "edits to the clean example master")
        click.echo(f"\n{side} example ({what}):")
        for edit in example_lines(example):
            click.echo(f"  - {edit}")
        if example.passing:
            click.echo(f"  -> {item.code} stays silent")
        elif example.cell:
            click.echo(f"  -> {item.code} names {example.cell}")


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "markdown"]),
              default="text", show_default=True)
def schema(output_format: str) -> None:
    """Print the master's sheets, columns and allowed values.

    They come from the schemas the checks use.

    \b
    Example:
      pmo-xl schema
      pmo-xl schema --format markdown > WORKBOOK.md
    """
    from pmo_xl import api

    click.echo(api.schema(output_format))


@cli.group(invoke_without_command=True, no_args_is_help=False)
@click.pass_context
def report(ctx: click.Context) -> None:
    """Write the status or KPI report workbook from the master.

    Ready to email or print.

    \b
    Example:
      pmo-xl report status master.xlsx --as-of 2026-11-30
      pmo-xl report kpi master.xlsx -o kpi-november.xlsx
    """
    if ctx.invoked_subcommand is None:
        raise click.UsageError("Say which report to write: `pmo-xl report status PATH` or "
                               "`pmo-xl report kpi PATH`.", ctx)


REPORT_NAMES = {"status": "status report", "kpi": "KPI report"}


def _write_report(kind: str, path: Path, as_of: dt.date, output: Path | None,
                  select: list[str], ignore: list[str], quiet: bool,
                  pmo: str | None = None) -> None:
    _require_rules(select, ignore)
    api = _library()
    write = api.report_status if kind == "status" else api.report_kpi
    try:
        written = write(path, as_of, output, select=select, ignore=ignore, pmo=pmo)
    except CannotCheck as exc:
        raise fail(exc) from None
    if not quiet:
        click.echo(f"Wrote the {REPORT_NAMES[kind]} to {written}.")


def report_options(command: Callable) -> Callable:
    """The options both reports take, in one place."""
    for option in reversed([
        master_argument,
        as_of_option,
        click.option(
            "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
            help="The report file, replaced if it exists. Default: "
                 "./<kind>-report-YYYY-MM-DD.xlsx (the as-of date)."),
        select_option,
        ignore_option,
        quiet_option,
        pmo_option,
    ]):
        command = option(command)
    return command


@report.command("status")
@report_options
def report_status(path: Path, as_of: dt.date, output: Path | None, select: list[str],
                  ignore: list[str], quiet: bool, pmo: str | None) -> None:
    """Write the status report for the master at PATH.

    Summary with charts, Services (RAG, owner, open risks, findings, next date due),
    Set-up pipeline, Closing checklist, open Risks and Issues, and the Findings of the same
    checks `pmo-xl check` runs (--select/--ignore choose which). Exit 0 when written
    (findings are in the report, whatever they are), 2 when PATH cannot be read or the
    report cannot be written, 130 when interrupted.

    \b
    Example:
      pmo-xl report status master.xlsx --as-of 2026-11-30
      pmo-xl report status master.xlsx -o status-november.xlsx
      pmo-xl report status master.xlsx --pmo PMO-DIG
    """
    _write_report("status", path, as_of, output, select, ignore, quiet, pmo)


@report.command("kpi")
@report_options
def report_kpi(path: Path, as_of: dt.date, output: Path | None, select: list[str],
               ignore: list[str], quiet: bool, pmo: str | None) -> None:
    """Write the KPI report for the master at PATH.

    Summary (KPI and RAG counts per service), every KPI for its reporting period (actual,
    target, variance, RAG, commentary; a missing actual is flagged, never Green), and
    Trends: the last 12 periods per KPI with a line chart per service and sparklines.
    --select/--ignore choose which findings raise a service's RAG. Exit 0 when written,
    2 when PATH cannot be read or the report cannot be written, 130 when interrupted.

    \b
    Example:
      pmo-xl report kpi master.xlsx --as-of 2026-11-30
      pmo-xl report kpi master.xlsx -o kpi-november.xlsx
      pmo-xl report kpi master.xlsx --pmo PMO-DIG
    """
    _write_report("kpi", path, as_of, output, select, ignore, quiet, pmo)


@cli.command()
@master_argument
@as_of_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR",
              help="The pack folder. Default: ./pmo-pack-YYYY-MM-DD (the as-of date).")
@force_option("an existing pack folder (as a whole, once the new pack is complete)")
@select_option
@ignore_option
@strict_option
@quiet_option
@click.option("--since", metavar="PACK|MASTER|none",
              help="Compare with this pack folder or master instead of the newest earlier pack "
                   "beside the new one; none compares with nothing.")
@pmo_option
def pack(path: Path, as_of: dt.date, output: Path | None, force: bool, select: list[str],
         ignore: list[str], strict: bool, quiet: bool, since: str | None,
         pmo: str | None) -> None:
    """Write everything for the governance meeting into one folder.

    The folder, dated by the as-of date, holds the findings workbook, the status report,
    the KPI report, governance-pack.eml (an unsent email draft with the three attached: open
    it, add recipients, send) and to-people/ (each person's actions as a draft addressed to
    them; `pmo-xl send` sends them). The pack appears whole or not at all; an existing pack
    folder is replaced only with --force, and only once the new pack is complete. Exit
    codes as for check: 0 no errors, 1 errors found (or warnings with --strict; the pack is
    still written), 2 nothing was written, 130 interrupted (nothing was written).

    The pack keeps a copy of the master (master-snapshot.xlsx) and pack.json, and compares
    itself with the newest earlier pack beside it: the status report gains a Since last
    meeting sheet (and, with several earlier packs, a RAG history) and the email a paragraph.

    \b
    Example:
      pmo-xl pack master.xlsx --as-of 2026-11-30
      pmo-xl pack master.xlsx -o "//share/PMO/Board 2026-11"
      pmo-xl pack master.xlsx --since pmo-pack-2026-09-30
      pmo-xl pack master.xlsx --pmo PMO-DIG   (one PMO's pack, compared with its last one)
    """
    _require_rules(select, ignore)
    api = _library()
    from pmo_xl.terminal.console import print_findings

    try:
        written = api.pack(path, as_of, output, force=force, select=select, ignore=ignore,
                           since=since, pmo=pmo)
    except CannotCheck as exc:
        raise fail(exc) from None
    result = written.result
    for warning in [*(written.memory.warnings if written.memory else ()), *written.notes]:
        click.echo(f"Warning: {warning}", err=True)
    print_findings(result.findings, result.summary, path.name, as_of.isoformat(), quiet=True)
    if not quiet:
        # As the user named it (the default: its name in the current folder), like report.
        click.echo(f"Governance pack: {output if output is not None else written.folder.name}")
        for item in (*written.workbooks, written.email):
            click.echo(f"  {item.name}")
        if written.drafts is not None:
            drafts, unaddressed = len(written.drafts.files), len(written.drafts.unaddressed)
            click.echo(f"  {written.drafts.folder.name}/  ({drafts} addressed "
                       f"draft{'' if drafts == 1 else 's'}, {unaddressed} "
                       f"{'person' if unaddressed == 1 else 'people'} without a usable "
                       "email)")
        click.echo(_since_line(written.memory))
    sys.exit(1 if result.failed(strict) else 0)


def _since_line(memory) -> str:
    """What the pack compared itself with, in one line."""
    if memory is None or memory.empty:
        return ("Not compared with an earlier pack (--since none)." if memory and memory.named
                else "No earlier pack beside it to compare with: this pack starts the history.")
    if memory.since is None:
        return "The earlier pack could not be compared with (see the warning above)."
    return memory.since.paragraph()


@cli.command()
@click.argument("folder", required=False, type=click.Path(), default="pmo-xl-demo")
@as_of_option
def demo(folder: str, as_of: dt.date) -> None:
    """Try pmo-xl on a built-in example master.

    Writes a realistic example master with a handful of real problems into FOLDER (default
    ./pmo-xl-demo), checks it, writes its reports and prints the findings. Exits 0 although
    the example has errors: showing them is the point (use `pmo-xl check` in scripts).
    Refreshes files it wrote in FOLDER earlier, and no others: a file of the same name that
    pmo-xl did not write, or that was saved since, is left alone and the demo stops.

    \b
    Example:
      pmo-xl demo
      pmo-xl demo /tmp/pmo-demo --as-of 2026-11-30
    """
    if not folder.strip():  # "" would mean the current folder: say it if you mean it (".")
        raise click.BadParameter("the folder name is empty; give one, e.g. pmo-xl-demo (or . "
                                 "for the current folder).", param_hint="FOLDER")
    api = _library()
    from pmo_xl.terminal.console import print_demo

    try:
        run = api.demo(Path(folder), as_of)
    except CannotCheck as exc:
        raise fail(exc) from None
    print_demo(run)


@cli.command()
@click.argument("folder", metavar="DIR", type=click.Path(path_type=Path))
@click.option("--smtp", metavar="HOST[:PORT]",
              help="The mail server. Port default: 25, 587 with --starttls, 465 with --ssl.")
@click.option("--from", "from_address", metavar="ADDRESS",
              help="The sender, e.g. pmo@example.org or \"PMO Office <pmo@example.org>\".")
@click.option("--starttls", is_flag=True, help="Encrypt with STARTTLS (usually port 587).")
@click.option("--ssl", is_flag=True, help="Encrypt from the start (usually port 465).")
@click.option("--user", metavar="NAME",
              help="Log in as NAME; the password comes from the environment variable "
                   "PMO_XL_SMTP_PASSWORD, never from the command line.")
@click.option("--cc", multiple=True, metavar="ADDRESS",
              help="Copy every message to ADDRESS (repeat for more).")
@click.option("--yes", is_flag=True, help="Send without asking (for scripts).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
def send(folder: Path, smtp: str | None, from_address: str | None, starttls: bool,
         ssl: bool, user: str | None, cc: tuple[str, ...], yes: bool,
         dry_run: bool) -> None:
    """Send the addressed drafts in DIR through a mail server, once.

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
    from pmo_xl import api
    from pmo_xl.people.send import stdin_is_terminal

    if starttls and ssl:
        raise click.UsageError("--starttls and --ssl cannot be used together; pick one.")

    def confirm(question: str) -> bool:
        if not stdin_is_terminal():
            raise InputError("Not sending without confirmation: no terminal to ask on; add "
                             "--yes to send from a script, or --dry-run to only look.")
        return click.confirm(question, default=False)

    try:
        outcome = api.send(folder, smtp=smtp, from_address=from_address, starttls=starttls,
                           ssl=ssl, user=user, cc=cc, dry_run=dry_run,
                           confirm=None if yes else confirm,
                           echo=lambda text="", err=False: click.echo(text, err=err))
    except CannotCheck as exc:
        raise fail(exc) from None
    sys.exit(outcome.exit_code)


def _flush_stdout() -> None:
    """Write out what is buffered for stdout now, while a failure can still be reported.

    Python would otherwise flush at exit and print its own complaint (with exit code 120)
    when stdout is a full disk; afterwards stdout points nowhere, so nothing is flushed twice.
    """
    try:
        sys.stdout.flush()
    finally:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass  # stdout is not a real file (a test runner's): nothing to flush at exit


def _stdout_failed(exc: OSError) -> int:
    if exc.errno == errno.EPIPE:  # the reader went away (`pmo-xl check | head`): not ours
        return 1
    click.echo(f"Error: pmo-xl could not write its output to standard output: "
               f"{exc.strerror or exc}.", err=True)
    return 2


@cli.command()
@master_argument
@as_of_option
@format_option
@select_option
@ignore_option
@click.option("--person", metavar="ID", help="Only this person's actions (a Person ID).")
@quiet_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR",
              help="Also write one unsent email draft per person into DIR (replacing the "
                   "drafts pmo-xl wrote there before; no other file is touched).")
@pmo_option
def actions(path: Path, as_of: dt.date, output_format: str, select: list[str],
            ignore: list[str], person: str | None, quiet: bool, output: Path | None,
            pmo: str | None) -> None:
    """List, per person, what they have to do before the meeting.

    Each finding goes to the people who own its record (a service's to its Service Owner
    and Service Managers, a risk's to its Owner, ...; the README has the table), with the
    approvals waiting and the reviews coming due. A finding nobody owns goes to the PMO
    Manager of the service's Lead PMO, else to the unassigned list with the reason. Exit
    codes as for check: 0 no errors, 1 errors found, 2 PATH could not be checked.

    \b
    Example:
      pmo-xl actions master.xlsx --as-of 2026-11-30
      pmo-xl actions master.xlsx --person P-001 --format json
      pmo-xl actions master.xlsx -o drafts    (then: pmo-xl send drafts --dry-run)
    """
    import json

    api = _library()
    from pmo_xl.terminal.console import print_actions

    _require_rules(select, ignore)
    try:
        found = api.actions(path, as_of, select=select, ignore=ignore, person=person,
                            output=output, pmo=pmo)
    except CannotCheck as exc:
        raise fail(exc) from None
    if output_format == "json":
        click.echo(json.dumps(found.as_json(), indent=1, ensure_ascii=False))
    else:
        print_actions(found, path.name, quiet=quiet)
    sys.exit(1 if found.result.failed() else 0)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@as_of_option
@format_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="CHANGES.xlsx",
              help="Also write the changes workbook (old and new side by side, a link to "
                   "each cell, the drift findings).")
@select_option
@ignore_option
@strict_option
@quiet_option
def diff(old: Path, new: Path, as_of: dt.date, output_format: str, output: Path | None,
         select: list[str], ignore: list[str], strict: bool, quiet: bool) -> None:
    """Compare two versions of the master, record by record.

    Records are matched on their IDs (never row positions): sorting, inserted columns and
    moved rows are no change. OLD and NEW are master workbooks or pack folders (their
    master-snapshot.xlsx). The drift rules (D) name changes governance should have seen.
    Exit code 0: compared, no drift errors; 1: drift errors (or warnings with --strict);
    2: OLD or NEW could not be read.

    \b
    Example:
      pmo-xl diff master-2026-10.xlsx master.xlsx --as-of 2026-11-30
      pmo-xl diff pmo-pack-2026-10-31 master.xlsx -o changes.xlsx
    """
    api = _library()
    from pmo_xl.terminal.diff_output import comparison_json, print_comparison

    try:
        comparison = api.diff(old, new, as_of, select=select, ignore=ignore, output=output)
    except CannotCheck as exc:
        raise fail(exc) from None
    if output_format == "json":
        click.echo(comparison_json(comparison, old.name, new.name))
    else:
        print_comparison(comparison, old.name, new.name, quiet=quiet)
        if output is not None and not quiet:
            click.echo(f"Changes workbook: {output}")
    sys.exit(1 if comparison.failed(strict) else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...",
                type=click.Path(path_type=Path))
@as_of_option
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR",
              help="Write the enterprise findings workbook, catalogue page and drafts to the "
                   "PMO Managers into DIR (replacing what pmo-xl wrote there; no other file "
                   "is touched).")
@click.option("--pmo", metavar="ID",
              help="Roll up this PMO and the PMOs under it only (a PMO ID of a member).")
@format_option
@strict_option
@quiet_option
def rollup(paths: tuple[Path, ...], as_of: dt.date, output: Path | None, pmo: str | None,
           output_format: str, strict: bool, quiet: bool) -> None:
    """Roll several PMOs' masters up into one enterprise view.

    Each PATH is a member master (.xlsx), a pack folder (its master snapshot, as of the
    pack's date) or a folder holding them (every master, and the newest pack of each). Every
    member is checked with its own rules, then the rules across masters (P) judge them
    together: one person under two IDs or over-committed, the PMO tree across the files,
    shared services and strategy, the same month, members out of date. A member that cannot
    be read, or whose structure is broken, is named and NOT counted. Members' files are
    never written. Exit code 0: every member counted, no errors; 1: errors (or warnings with
    --strict); 2: a member could not be counted (the rest are still rolled up and written),
    or the command was misused.

    \b
    Example:
      pmo-xl rollup enterprise.xlsx digital.xlsx finance/ --as-of 2026-11-30
      pmo-xl rollup //share/PMOs -o rollup-2026-11 --format json
      pmo-xl rollup //share/PMOs --pmo PMO-DIG
    """
    api = _library()
    from pmo_xl.terminal.rollup_output import print_rollup, rollup_json

    try:
        found = api.rollup(paths, as_of, output=output, pmo=pmo)
    except CannotCheck as exc:
        raise fail(exc) from None
    if output_format == "json":
        click.echo(rollup_json(found))
    else:
        print_rollup(found, quiet=quiet)
        if found.written is not None and not quiet:
            click.echo(f"Written to {found.written.folder}:")
            for path, what in found.written.files:
                click.echo(f"  {path.name}  ({what})")
    for member in found.not_counted:
        click.echo(f"Error: {member.name} is not counted: {member.why_not}", err=True)
    sys.exit(found.exit_code(strict))


@cli.command()
@click.argument("paths", metavar="PATH...", nargs=-1, required=True,
                type=click.Path(path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path), metavar="DIR",
              help="The folder for the tables (one file per table). Replaced as a whole when "
                   "it holds only tables pmo-xl wrote, so a refresh is the same command.")
@click.option("--format", "output_format", type=click.Choice(["csv", "parquet"]),
              default="csv", show_default=True,
              help="csv: UTF-8 files any tool opens; parquet: typed files (needs pip install "
                   "'pmo-xl[parquet]').")
@quiet_option
def history(paths: tuple[Path, ...], output: Path, output_format: str, quiet: bool) -> None:
    """Years of packs as tables for Power BI, pandas or DuckDB.

    PATHs are pack folders, folders holding them (one PMO's or many), and optionally the
    current master. Each pack's pack.json gives one row per service, KPI, finding and
    decision of its meeting (keys: the master's IDs and the pack); the services, KPIs,
    PMOs, people (no email addresses) and dates are described once each. A damaged pack, one
    from a newer pmo-xl, or one without its master snapshot is named and left out; the same
    pack twice counts once. docs/history.md describes every table. Exit 0: written (even with
    packs left out, each named on stderr); 2: nothing could be written.

    \b
    Example:
      pmo-xl history //share/PMO/packs -o pmo-history
      pmo-xl history packs-2025 packs-2026 master.xlsx -o pmo-history --format parquet
    """
    api = _library(checks=False)  # a history reads pack.json files: no pandas, no rules

    try:
        written = api.history(paths, output, output_format=output_format)
    except CannotCheck as exc:
        raise fail(exc) from None
    for warning in written.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if quiet:
        return
    current = f"{written.masters} current master{'' if written.masters == 1 else 's'}"
    if written.packs:
        read = (f"Read {written.packs} pack{'' if written.packs == 1 else 's'} of "
                f"{written.series} master{'' if written.series == 1 else 's'}"
                + (f" and {current}" if written.masters else ""))
    else:
        read = f"Read no pack, only {current}"
    click.echo(f"{read}; wrote {len(written.files)} tables to {written.folder}:")
    for name, path in written.files.items():
        rows = written.rows[name]
        click.echo(f"  {path.name:<22} {rows:>9,} row{'' if rows == 1 else 's'}")


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
              help="Only the services whose Customers name TEXT as whole words (any case), "
                   "e.g. \"project managers\".")
@click.option("--with-status", is_flag=True,
              help="Show each service level's latest RAG (Green, Amber, Red, No data).")
@click.option("--title", metavar="TEXT",
              help="The page's title. Default: \"<Organisation> PMO service catalogue\".")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="The file to write. Default: ./service-catalogue.html (or .xlsx).")
@pmo_option
def catalogue(path: Path, as_of: dt.date, output_format: str | None, stages: tuple[str, ...],
              audience: str | None, with_status: bool, title: str | None,
              output: Path | None, pmo: str | None) -> None:
    """Publish the service catalogue customers read.

    One web page, or with --format xlsx a workbook of the same content. Each published
    service in the customers' words: what it is, who it is for, the outcome, what you get
    (its SIPOC outputs), its service levels (KPI targets) and how to ask for it, grouped by
    Category, with a contents list and a search box. Nothing internal is
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
    api = _library()

    try:
        published = api.catalogue(path, as_of, output, output_format=output_format,
                                  stages=stages,
                                  audience=audience, with_status=with_status, title=title,
                                  pmo=pmo)
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


def main() -> None:
    """Console entry point: no traceback ever reaches a user, interrupted or not."""
    try:
        interrupts.install()  # again, in case an older `pmo-xl` script calls main() directly
        global _as_a_program
        _as_a_program = True
        if not os.environ.get("PMO_XL_DEBUG"):
            # A library's warning ("extension is not supported") is not the user's business.
            warnings.simplefilter("ignore")
        code = _run()
        interrupts.settle()  # the outcome is decided: a late Ctrl-C changes nothing
        try:
            _flush_stdout()
        except OSError as exc:
            if exc.errno != errno.EPIPE:  # a reader that went away changes nothing we did
                code = _stdout_failed(exc)
    except interrupts.Interrupted as exc:
        interrupts.settle()
        code = exc.exit_code
        click.echo(exc.message, err=True)
    sys.exit(code)


def _run() -> int:
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C before install() took hold
        click.echo(interrupts.Interrupted(2).message, err=True)
        code = 130
    except SystemExit as exc:
        code = exc.code
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EPIPE, errno.EDQUOT):
            return _unexpected(exc)
        code = _stdout_failed(exc)
    except Exception as exc:  # a defect in pmo-xl itself: still one sentence, exit 2
        return _unexpected(exc)
    return code if isinstance(code, int) else 0


def _unexpected(exc: Exception) -> int:
    if os.environ.get("PMO_XL_DEBUG"):
        raise exc
    click.echo(f"Error: pmo-xl stopped on an unexpected problem ({type(exc).__name__}: "
               f"{str(exc)[:200]}); set PMO_XL_DEBUG=1 for details and please report it.",
               err=True)
    return 2

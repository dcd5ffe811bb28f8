"""Every command of `pmo-xl`, callable from Python with the same names and options.

The command line only parses its options, calls one function here and prints what it
returns; nothing a command does is done anywhere else. Each function takes the master's
path first, ``as_of`` (default today) and the command's options as keywords of the same
names (``select``, ``ignore``, ``output``...). Expected failures raise
:class:`pmo_xl.errors.CannotCheck` with one sentence.

Example::

    import datetime as dt
    from pmo_xl import api

    day = dt.date(2026, 11, 30)
    result = api.check("master.xlsx", day, output="findings.xlsx")
    print(result.summary)                     # {'error': 3, 'warning': 5, 'info': 1, ...}
    api.report_status("master.xlsx", day, "status.xlsx")
    pack = api.pack("master.xlsx", day)       # ./pmo-pack-2026-11-30/
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.output import refuse_master
from pmo_xl.period import out_of_range, usable

if TYPE_CHECKING:
    from pmo_xl.validators.engine import CheckResult
    from pmo_xl.validators.policy import Policy
    from pmo_xl.validators.registry import Rule

# Each function imports what it needs when it runs: `import pmo_xl.api` costs no pandas,
# pandera or openpyxl, so a command that needs none of them (history, rules, schema, send)
# starts at once.


def check(
    path: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    output: str | Path | None = None,
    annotate: str | Path | None = None,
    progress: Callable[[Rule | str], None] | None = None,
    pmo: str | None = None,
) -> CheckResult:
    """Read the master at `path` and run every selected rule as of `as_of` (default today);
    with `output`, also write the findings workbook there, with `annotate` the annotated
    copy of the master (`pmo-xl check PATH -o FINDINGS.xlsx --annotate COPY.xlsx`).
    `progress` hears each rule as it starts, then what is being written, in words.

    With `pmo` (a PMO ID), the result is limited to that PMO: the services it leads or
    delivers, its own KPIs and its people, and the findings on them (the rules still run on
    the whole master).

    Example::

        result = api.check("master.xlsx", dt.date(2026, 11, 30), select=["L", "K"])
        for finding in result.findings:
            print(finding.address, finding.rule, finding.message)
    """
    from pmo_xl.validators.engine import check_path, for_pmo

    if as_of is not None and not usable(as_of):
        raise CannotCheck(out_of_range(as_of))
    refuse_outputs(path, output=output, annotate=annotate)
    result = for_pmo(check_path(path, as_of or dt.date.today(), select=select, ignore=ignore,
                                progress=progress), pmo)
    if output is not None:
        from pmo_xl.reports.findings_workbook import write_findings_workbook

        if progress is not None:
            progress("Writing the findings workbook…")
        write_findings_workbook(result, Path(output))
    if annotate is not None:
        from pmo_xl.reports.annotated_copy import write_annotated_copy

        if progress is not None:
            progress("Reading the master again for the annotated copy…")
        write_annotated_copy(result, Path(annotate), progress=progress)
    return result


def refuse_outputs(master: str | Path, **outputs: str | Path | None) -> None:
    """Before any work: no output is the master, an odd file, or another output's file."""
    from pmo_xl.output import refuse_odd_target, refuse_shared

    for out in outputs.values():
        if out is not None:
            refuse_master(Path(out), Path(master))
            refuse_odd_target(Path(out))
    refuse_shared({f"--{name}": None if out is None else Path(out)
                   for name, out in outputs.items()})


def report_status(
    path: str | Path,
    as_of: dt.date | None = None,
    output: str | Path | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    pmo: str | None = None,
) -> Path:
    """Check the master and write the status report (`pmo-xl report status`); returns its
    path (default ./status-report-YYYY-MM-DD.xlsx, the as-of date; with `pmo`, that PMO's
    part, ./status-report-PMO-YYYY-MM-DD.xlsx).

    Example::

        api.report_status("master.xlsx", dt.date(2026, 11, 30), "status-november.xlsx")
    """
    from pmo_xl.reports.status import write_status_report

    return _report(write_status_report, "status", path, as_of, output, select, ignore, pmo)


def report_kpi(
    path: str | Path,
    as_of: dt.date | None = None,
    output: str | Path | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    pmo: str | None = None,
) -> Path:
    """Check the master and write the KPI report (`pmo-xl report kpi`); returns its path
    (default ./kpi-report-YYYY-MM-DD.xlsx, the as-of date; with `pmo`, that PMO's part,
    ./kpi-report-PMO-YYYY-MM-DD.xlsx).

    Example::

        api.report_kpi("master.xlsx", dt.date(2026, 11, 30))
    """
    from pmo_xl.reports.kpi import write_kpi_report

    return _report(write_kpi_report, "kpi", path, as_of, output, select, ignore, pmo)


def _report(writer: Callable, kind: str, path: str | Path, as_of: dt.date | None,
            output: str | Path | None, select: Iterable[str], ignore: Iterable[str],
            pmo: str | None) -> Path:
    as_of = as_of or dt.date.today()
    scope = f"{pmo.strip()}-" if pmo else ""
    output = Path(output) if output is not None else Path(
        f"{kind}-report-{scope}{as_of.isoformat()}.xlsx")
    refuse_outputs(path, output=output)
    result = check(path, as_of, select=select, ignore=ignore, pmo=pmo)
    writer(result, output)
    return output


def pack(
    path: str | Path,
    as_of: dt.date | None = None,
    output: str | Path | None = None,
    *,
    force: bool = False,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    since: str | Path | None = None,
    pmo: str | None = None,
):
    """Check the master and write the governance pack folder; returns the written Pack.

    The previous pack is found beside the folder by itself; `since` names another (a pack
    folder or a master) or is "none" to compare with nothing (`pmo-xl pack`). The folder
    (default ./pmo-pack-YYYY-MM-DD) appears whole or not at all. With `pmo`, the pack is
    that PMO's (see :func:`check`), and it compares itself only with packs of the same PMO.

    Example::

        written = api.pack("master.xlsx", dt.date(2026, 11, 30), force=True)
        print(written.folder, written.email, written.result.summary)
    """
    from pmo_xl.compare.since import recall, since_last_meeting
    from pmo_xl.reports.pack import default_folder, refuse_folder_for_pack, write_pack_files

    path = Path(path)
    as_of = as_of or dt.date.today()
    folder = Path(output) if output is not None else default_folder(as_of, pmo)
    refuse_folder_for_pack(folder, path, force)
    # A bad --since stops here, before any work.
    memory = recall(folder, as_of, since, pmo=pmo.strip() if pmo else None)
    # Check first: an unreadable master (or an unknown PMO) leaves no empty pack folder.
    result = check(path, as_of, select=select, ignore=ignore, pmo=pmo)
    memory.since = since_last_meeting(memory, result)
    return write_pack_files(result, folder, memory, force=force)


def actions(
    path: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    person: str | None = None,
    output: str | Path | None = None,
    pmo: str | None = None,
):
    """Check the master and work out who has to act: each person's items and the unassigned
    ones (an ActionList; `pmo-xl actions`). With `person`, that person's only (a Person ID
    not in People is refused); with `output`, also write their addressed drafts into that
    folder (`.drafts` says which).

    Example::

        found = api.actions("master.xlsx", dt.date(2026, 11, 30), output="drafts")
        for person in found.people:
            print(person.name, len(person.actions))
    """
    from pmo_xl.people.actions import build_actions

    path = Path(path)
    if output is not None:
        refuse_same(Path(output), path)
        if Path(output).exists() and not Path(output).is_dir():
            raise CannotCheck(f"{output} is a file, not a folder; give a folder for the "
                              "drafts.")
    result = check(path, as_of, select=select, ignore=ignore, pmo=pmo)
    found = build_actions(result)
    if person is not None:
        wanted = person.strip()
        people = result.facts.people
        match = wanted if wanted in people else next(
            (pid for pid in people if pid.casefold() == wanted.casefold()), None)
        if match is None:
            raise CannotCheck(f"{person} is not a Person ID in the People sheet of "
                              f"{path.name}; give an ID such as "
                              f"{next(iter(people), 'P-001')}.")
        found = found.only(match)
    if output is not None:
        from pmo_xl.reports.drafts import write_drafts

        found.drafts = write_drafts(found, Path(output), source=path,
                                    only=None if found.person is None else found.person.person_id)
    return found


def diff(
    old: str | Path,
    new: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    output: str | Path | None = None,
):
    """Compare two versions of the master record by record and run the drift rules
    (`pmo-xl diff OLD NEW`); with `output`, also write the changes workbook there.

    OLD and NEW are master workbooks or pack folders (their master-snapshot.xlsx); returns
    the :class:`~pmo_xl.compare.comparison.Comparison`.

    Example::

        comparison = api.diff("pmo-pack-2026-10-31", "master.xlsx", dt.date(2026, 11, 30))
        print(comparison.summary)  # {'added': 2, 'removed': 0, 'changed': 5, 'error': 1, ...}
    """
    from pmo_xl.compare.comparison import run_comparison

    (old_path, old_as_of), (new_path, _) = version_of(old), version_of(new)
    if output is not None:
        for source in (old, new, old_path, new_path):
            refuse_same(Path(output), Path(source))
    from pmo_xl.workbook.master import read_master

    old_master, new_master = read_master(old_path), read_master(new_path)
    comparison = run_comparison(old_master, new_master, as_of or dt.date.today(),
                                old_as_of=old_as_of, select=select, ignore=ignore)
    if output is not None:
        from pmo_xl.reports.changes_workbook import write_changes_workbook

        write_changes_workbook(comparison, Path(output))
    return comparison


def version_of(path: str | Path) -> tuple[Path, dt.date | None]:
    """The master a diff reads for PATH: the workbook itself, or a pack folder's snapshot
    (with the pack's as-of date)."""
    from pmo_xl.compare.packs import SNAPSHOT, read_pack, snapshot_of

    path = Path(path)
    if not path.is_dir():
        return path, None
    if not (path / SNAPSHOT).is_file():
        raise CannotCheck(f"{path} is a folder without a {SNAPSHOT}; name a master workbook, "
                          "or a pack folder written by pmo-xl pack.")
    record = read_pack(path)
    return snapshot_of(record), record.as_of


def new(path: str | Path, *, force: bool = False) -> Path:
    """Write a blank master workbook from the template to `path` (`pmo-xl new`); an existing
    file is replaced only with `force`.

    Example::

        api.new("master.xlsx")
    """
    path = Path(path)
    if path.name.lower() == ".xlsx" or not path.name.strip():
        raise CannotCheck(f"{str(path)!r} has no name; give the workbook one, e.g. master.xlsx.")
    if path.suffix.lower() != ".xlsx":
        raise CannotCheck(f"{path.name} should end in .xlsx so Excel opens it.")
    if path.exists() and not force:
        raise CannotCheck(f"{path} already exists; pmo-xl never overwrites a workbook. Choose "
                          "another name (or pass --force).")
    from pmo_xl.validators.families import load_rules
    from pmo_xl.validators.policy import policy_choices
    from pmo_xl.workbook.template import write_master  # xlsxwriter only when a template is written

    return write_master(path, rule_codes=policy_choices(load_rules()))


def rules(code: str | None = None) -> dict[str, Rule]:
    """Every rule, by code, in family order (`pmo-xl rules`); with `code`, that one rule
    (`pmo-xl rules L104`), or CannotCheck when no rule has that code.

    Example::

        for rule in api.rules().values():
            print(rule.code, rule.severity, rule.title)
        print(api.rules("L104")["L104"].explanation)
    """
    from pmo_xl.validators.families import load_rules

    registry = load_rules()
    if code is None:
        return registry
    found = registry.get(code.strip().upper())
    if found is None:
        raise CannotCheck(f"{code!r} is not a rule code; `pmo-xl rules` lists them.")
    return {found.code: found}


def schema(output_format: str = "text") -> str:
    """The master's sheets, columns, allowed values and settings, from the declarations the
    checks use (`pmo-xl schema`): as text, or as Markdown with `output_format="markdown"`.

    Example::

        print(api.schema())
    """
    from pmo_xl.terminal.schema_doc import schema_markdown, schema_text

    if output_format not in ("text", "markdown"):
        raise CannotCheck(f"{output_format!r} is not a schema format; use text or markdown.")
    return schema_markdown() if output_format == "markdown" else schema_text()


def send(
    folder: str | Path,
    *,
    smtp: str | None = None,
    from_address: str | None = None,
    starttls: bool = False,
    ssl: bool = False,
    user: str | None = None,
    cc: Iterable[str] = (),
    dry_run: bool = False,
    confirm: Callable[[str], bool] | None = None,
    echo: Callable[..., None] | None = None,
):
    """Send the addressed drafts in `folder` (a pack folder or a folder written by
    `actions(..., output=DIR)`) through the SMTP server `smtp` (HOST[:PORT]), each once
    (`pmo-xl send DIR`). The password comes from PMO_XL_SMTP_PASSWORD only. `confirm` is
    asked once before sending (None: send without asking, as `--yes`); `echo` receives
    each line of progress (default: printed). Returns the Outcome (sent, refused, skipped).

    Example::

        outcome = api.send("pmo-pack-2026-11-30", smtp="smtp.example.org", starttls=True,
                           from_address="pmo@example.org", dry_run=True)
    """
    from pmo_xl.people import send as sending

    if starttls and ssl:
        raise CannotCheck("starttls and ssl cannot be used together; pick one.")
    security = "ssl" if ssl else "starttls" if starttls else "plain"
    options = {} if echo is None else {"echo": echo}
    return sending.send(folder, smtp=smtp, from_address=from_address, security=security,
                        user=user, cc=tuple(cc), dry_run=dry_run, confirm=confirm, **options)


def policy(path: str | Path, as_of: dt.date | None = None) -> Policy:
    """The severity in force for every rule in the master at `path`: its default, or what
    the master's Rules sheet sets (`pmo-xl rules --master MASTER`; see
    validators/policy.py).

    Example::

        for setting in api.policy("master.xlsx").departures:
            print(setting.code, setting.default, "->", setting.severity)
    """
    from pmo_xl.facts import Facts
    from pmo_xl.validators.families import load_rules
    from pmo_xl.validators.policy import policy_of
    from pmo_xl.workbook.master import read_master

    master = read_master(path)
    return policy_of(Facts(master, as_of or dt.date.today()), load_rules())


def refuse_same(output: Path | None, master: Path) -> None:
    """Refuse, before any work, an output path that is the master itself."""
    if output is not None:
        refuse_master(Path(output), Path(master))


def catalogue(
    path: str | Path,
    as_of: dt.date | None = None,
    output: str | Path | None = None,
    *,
    output_format: str | None = None,
    stages: Iterable[str] = (),
    audience: str | None = None,
    with_status: bool = False,
    title: str | None = None,
    pmo: str | None = None,
):
    """Check the master and write the customer-facing service catalogue: one web page
    (default `service-catalogue.html`) or, with `output_format="xlsx"`, a workbook.

    Returns the Published catalogue: its path, its content and the check it came from
    (`.catalogue.services_with_errors` names the published services with errors).

    Example::

        published = api.catalogue("master.xlsx", dt.date(2026, 11, 30), "catalogue.html",
                                  stages=["Running", "Pilot"])
        print(published.catalogue.services_with_errors)
    """
    from pmo_xl.reports.catalogue import DEFAULT_STAGES, Published, build_catalogue

    output_format = catalogue_format(output, output_format)
    target = Path(output) if output is not None else Path(f"service-catalogue.{output_format}")
    refuse_same(target, Path(path))
    result = check(path, as_of, pmo=pmo)
    content = build_catalogue(result, stages=tuple(stages) or DEFAULT_STAGES,
                              audience=audience, with_status=with_status, title=title)
    if output_format == "xlsx":
        from pmo_xl.reports.catalogue_workbook import write_workbook as write
    else:
        from pmo_xl.reports.catalogue_page import write_page as write
    write(content, target, source=result.master.path)
    return Published(target, content, result)


def catalogue_format(output: str | Path | None, output_format: str | None) -> str:
    """html or xlsx: as asked, else from the output's name (`.xlsx`), else html."""
    workbook_name = output is not None and Path(output).suffix.lower() in (".xlsx", ".xlsm",
                                                                           ".xls")
    if output_format is None:
        return "xlsx" if workbook_name else "html"
    if output_format not in ("html", "xlsx"):
        raise CannotCheck(f"{output_format!r} is not a catalogue format; use html or xlsx.")
    if output is not None and output_format == "xlsx" and Path(output).suffix.lower() != ".xlsx":
        raise CannotCheck(f"{Path(output).name} should end in .xlsx so Excel opens it.")
    if output_format == "html" and workbook_name:
        raise CannotCheck(f"{Path(output).name} is a workbook name; for the web page choose a "
                          "name ending in .html, or add --format xlsx.")
    return output_format


def demo(folder: str | Path = "pmo-xl-demo", as_of: dt.date | None = None):
    """The main job on the built-in example (`pmo-xl demo [DIR]`): write Northwind Group's
    example master into `folder`, check it, and write the findings workbook, two packs a
    month apart and the catalogue page beside it. Returns the Demo (what was written, the
    check). Files of the same name that pmo-xl did not write stop it before it writes.

    Example::

        run = api.demo("/tmp/pmo-demo", dt.date(2026, 11, 30))
        print(run.result.summary, [str(path) for path, _ in run.written])
    """
    from pmo_xl.example.demo import run_demo

    if not str(folder).strip():
        raise CannotCheck("the folder name is empty; give one, e.g. pmo-xl-demo (or . for "
                          "the current folder).")
    if as_of is not None and not usable(as_of):
        raise CannotCheck(out_of_range(as_of))
    return run_demo(Path(folder), as_of or dt.date.today())


def rollup(
    paths: Iterable[str | Path] | str | Path,
    as_of: dt.date | None = None,
    *,
    output: str | Path | None = None,
    pmo: str | None = None,
    workers: int | None = None,
    progress: Callable | None = None,
):
    """Roll several PMOs' masters up into one enterprise view (`pmo-xl rollup PATH...`).

    PATHs are masters, pack folders (their snapshot, as of the pack's date) or folders
    holding them. Each member is checked with its own rules, then the rules across masters
    (family P) judge them together; a member that cannot be read or whose structure is
    broken is named and not counted. With `pmo`, the roll-up of that PMO and the PMOs under
    it; with `output`, the enterprise findings workbook, catalogue page and drafts to the
    PMO Managers are written into that folder (`.written` says what). `workers` sets how
    many processes check members (default: one per core, for four members or more).
    Returns the :class:`~pmo_xl.portfolio.rollup.Rollup`.

    Example::

        found = api.rollup(["enterprise.xlsx", "digital.xlsx", "finance/"],
                           dt.date(2026, 11, 30), output="rollup")
        print(found.summary, [m.name for m in found.not_counted])
        for finding in found.across:
            print(finding.rule, [side.address for side in finding.sides])
    """
    from pmo_xl.portfolio.rollup import run_rollup

    paths = [paths] if isinstance(paths, str | Path) else list(paths)
    if as_of is not None and not usable(as_of):
        raise CannotCheck(out_of_range(as_of))
    if output is not None:
        from pmo_xl.portfolio.outputs import refuse_output_folder

        refuse_output_folder(Path(output), paths)
    found = run_rollup(paths, as_of or dt.date.today(), pmo=pmo, workers=workers,
                       progress=progress)
    if output is not None:
        from pmo_xl.portfolio.outputs import write_outputs

        found.written = write_outputs(found, Path(output), workers=workers)
    return found


def history(
    paths: Iterable[str | Path],
    output: str | Path,
    *,
    output_format: str = "csv",
):
    """Read the packs under `paths` (pack folders, folders holding them, and optionally the
    current master) and write the history tables into `output`: one file per table,
    CSV or (with the optional pyarrow) Parquet. Returns a HistoryWritten: each table's file
    and rows, the packs counted, and a warning for each pack left out.

    A damaged pack, one written by a newer pmo-xl or one that has lost its master snapshot
    is named and left out; the same pack reached twice counts once (`pmo-xl history`).
    Needs neither pandas nor the rules: a history reads the packs' pack.json files.

    Example::

        written = api.history(["//share/PMO/packs"], "pmo-history")
        print(written.packs, {name: path.name for name, path in written.files.items()})
    """
    from pmo_xl.portfolio.history import write_history

    return write_history(paths, output, output_format)

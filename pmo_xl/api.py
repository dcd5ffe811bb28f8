"""What the CLI does, callable from Python with the same names: check, new, rules, policy,
pack, actions, diff."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.output import refuse_master
from pmo_xl.period import out_of_range, usable
from pmo_xl.validators.engine import CheckResult, run_checks
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.policy import Policy, policy_choices, policy_of
from pmo_xl.validators.registry import Rule
from pmo_xl.workbook.master import read_master


def check(
    path: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: Callable[[Rule], None] | None = None,
) -> CheckResult:
    """Read the master at `path` and run every selected rule as of `as_of` (default today)."""
    if as_of is not None and not usable(as_of):
        raise CannotCheck(out_of_range(as_of))
    master = read_master(path)
    return run_checks(master, as_of or dt.date.today(), select=select, ignore=ignore,
                      progress=progress)


def pack(
    master_path: str | Path,
    as_of: dt.date | None = None,
    output_dir: str | Path | None = None,
    *,
    force: bool = False,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    since: str | Path | None = None,
):
    """Check the master and write the governance pack folder; returns the written Pack.

    The previous pack is found beside the folder by itself; `since` names another (a pack
    folder or a master) or is "none" to compare with nothing."""
    from pmo_xl.compare.since import recall, since_last_meeting
    from pmo_xl.reports.pack import default_folder, refuse_folder_for_pack, write_pack_files

    master_path = Path(master_path)
    as_of = as_of or dt.date.today()
    folder = Path(output_dir) if output_dir is not None else default_folder(as_of)
    refuse_folder_for_pack(folder, master_path, force)
    memory = recall(folder, as_of, since)  # a bad --since stops here, before any work
    # Check first: an unreadable master leaves no empty pack folder behind.
    result = check(master_path, as_of, select=select, ignore=ignore)
    memory.since = since_last_meeting(memory, result)
    return write_pack_files(result, folder, memory, force=force)


def actions(
    master_path: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    person: str | None = None,
    drafts_dir: str | Path | None = None,
):
    """Check the master and work out who has to act: each person's items and the unassigned
    ones (an ActionList). With `person`, that person's only (a Person ID not in People is
    refused); with `drafts_dir`, also write their addressed drafts there (`.drafts`)."""
    from pmo_xl.people.actions import build_actions

    master_path = Path(master_path)
    if drafts_dir is not None:
        refuse_same(Path(drafts_dir), master_path)
        if Path(drafts_dir).exists() and not Path(drafts_dir).is_dir():
            raise CannotCheck(f"{drafts_dir} is a file, not a folder; give a folder for the "
                              "drafts.")
    result = check(master_path, as_of, select=select, ignore=ignore)
    found = build_actions(result)
    if person is not None:
        wanted = person.strip()
        people = result.facts.people
        match = wanted if wanted in people else next(
            (pid for pid in people if pid.casefold() == wanted.casefold()), None)
        if match is None:
            raise CannotCheck(f"{person} is not a Person ID in the People sheet of "
                              f"{master_path.name}; give an ID such as "
                              f"{next(iter(people), 'P-001')}.")
        found = found.only(match)
    if drafts_dir is not None:
        from pmo_xl.reports.drafts import write_drafts

        found.drafts = write_drafts(found, Path(drafts_dir), source=master_path,
                                    only=None if found.person is None else found.person.person_id)
    return found


def diff(
    old: str | Path,
    new: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
):
    """Compare two versions of the master record by record and run the drift rules.

    OLD and NEW are master workbooks or pack folders (their master-snapshot.xlsx); returns
    the :class:`~pmo_xl.compare.comparison.Comparison`."""
    from pmo_xl.compare.comparison import run_comparison

    (old_path, old_as_of), (new_path, _) = version_of(old), version_of(new)
    old_master, new_master = read_master(old_path), read_master(new_path)
    return run_comparison(old_master, new_master, as_of or dt.date.today(),
                          old_as_of=old_as_of, select=select, ignore=ignore)


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


def new(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a blank master workbook from the template to `path`."""
    path = Path(path)
    if path.name.lower() == ".xlsx" or not path.name.strip():
        raise CannotCheck(f"{str(path)!r} has no name; give the workbook one, e.g. master.xlsx.")
    if path.suffix.lower() != ".xlsx":
        raise CannotCheck(f"{path.name} should end in .xlsx so Excel opens it.")
    if path.exists() and not overwrite:
        raise CannotCheck(f"{path} already exists; pmo-xl never overwrites a workbook. Choose "
                          "another name (or pass --force).")
    from pmo_xl.workbook.template import write_master  # xlsxwriter only when a template is written

    return write_master(path, rule_codes=policy_choices(load_rules()))


def rules() -> dict[str, Rule]:
    """Every rule, by code, in family order."""
    return load_rules()


def policy(path: str | Path, as_of: dt.date | None = None) -> Policy:
    """The severity in force for every rule in the master at `path`: its default, or what
    the master's Rules sheet sets (see validators/policy.py)."""
    from pmo_xl.facts import Facts

    master = read_master(path)
    return policy_of(Facts(master, as_of or dt.date.today()), load_rules())


def refuse_same(output: Path | None, master: Path) -> None:
    """Refuse, before any work, an output path that is the master itself."""
    if output is not None:
        refuse_master(Path(output), Path(master))


def catalogue(
    master_path: str | Path,
    as_of: dt.date | None = None,
    output: str | Path | None = None,
    *,
    output_format: str | None = None,
    stages: Iterable[str] = (),
    audience: str | None = None,
    with_status: bool = False,
    title: str | None = None,
):
    """Check the master and write the customer-facing service catalogue: one web page
    (default `service-catalogue.html`) or, with `output_format="xlsx"`, a workbook.

    Returns the Published catalogue: its path, its content and the check it came from
    (`.catalogue.services_with_errors` names the published services with errors).
    """
    from pmo_xl.reports.catalogue import DEFAULT_STAGES, Published, build_catalogue

    output_format = catalogue_format(output, output_format)
    path = Path(output) if output is not None else Path(f"service-catalogue.{output_format}")
    refuse_same(path, Path(master_path))
    result = check(master_path, as_of)
    content = build_catalogue(result, stages=tuple(stages) or DEFAULT_STAGES,
                              audience=audience, with_status=with_status, title=title)
    if output_format == "xlsx":
        from pmo_xl.reports.catalogue_workbook import write_workbook as write
    else:
        from pmo_xl.reports.catalogue_page import write_page as write
    write(content, path, source=result.master.path)
    return Published(path, content, result)


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

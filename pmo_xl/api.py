"""What the CLI does, callable from Python with the same names: check, new, rules, pack."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.master import read_master
from pmo_xl.output import refuse_master
from pmo_xl.template import write_master
from pmo_xl.validators.engine import CheckResult, run_checks
from pmo_xl.validators.registry import Rule, load_rules


def check(
    path: str | Path,
    as_of: dt.date | None = None,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: Callable[[Rule], None] | None = None,
) -> CheckResult:
    """Read the master at `path` and run every selected rule as of `as_of` (default today)."""
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
):
    """Check the master and write the governance pack folder; returns the written Pack."""
    from pmo_xl.reports.pack import default_folder, refuse_folder, write_pack_files

    master_path = Path(master_path)
    as_of = as_of or dt.date.today()
    folder = Path(output_dir) if output_dir is not None else default_folder(as_of)
    refuse_folder(folder, master_path, force)
    # Check first: an unreadable master leaves no empty pack folder behind.
    result = check(master_path, as_of, select=select, ignore=ignore)
    return write_pack_files(result, folder)


def new(path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a blank master workbook from the template to `path`."""
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise CannotCheck(f"{path.name} should end in .xlsx so Excel opens it.")
    if path.exists() and not overwrite:
        raise CannotCheck(f"{path} already exists; pmo-xl never overwrites a workbook. Choose "
                          "another name (or pass --force).")
    return write_master(path)


def rules() -> dict[str, Rule]:
    """Every rule, by code, in family order."""
    return load_rules()


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

"""The API is as wide as the command line: every command is a function of pmo_xl.api with the
same options, documented with an example, and each is tested here once through the API."""

from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path

import click
import openpyxl
import pytest

import pmo_xl
from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.errors import CannotCheck
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

# Options that only change how a result is shown or what the exit code is, not what is done.
PRESENTATION = {"output_format", "quiet", "strict", "yes", "statistics", "show_waived"}
# ... except where output_format chooses what is written (a catalogue page or workbook).
CONTENT_FORMAT = {"catalogue", "schema"}
# An option one command's API function leaves to another function: `rules --master MASTER`
# shows the master's policy, which pmo_xl.api.policy(MASTER) returns.
ELSEWHERE = {("rules", "master"): ("policy", "path")}


def commands() -> dict[str, click.Command]:
    """Every command, by its API name (`report status` is report_status)."""
    found = {}
    for name, command in cli.commands.items():
        if isinstance(command, click.Group):
            for sub, subcommand in command.commands.items():
                found[f"{name}_{sub}"] = subcommand
        else:
            found[name] = command
    return found


@pytest.mark.parametrize("name", sorted(commands()))
def test_every_command_is_an_api_function_with_the_same_options(name: str) -> None:
    function = getattr(api, name)
    parameters = inspect.signature(function).parameters
    for option in commands()[name].params:
        if option.name in PRESENTATION and not (option.name == "output_format"
                                                and name in CONTENT_FORMAT):
            continue
        if (name, option.name) in ELSEWHERE:
            other, parameter = ELSEWHERE[name, option.name]
            assert parameter in inspect.signature(getattr(api, other)).parameters
            continue
        assert option.name in parameters, f"pmo_xl.api.{name} has no {option.name!r}"
    assert "Example::" in (function.__doc__ or ""), f"pmo_xl.api.{name} shows no example"
    assert name in pmo_xl.__all__ and getattr(pmo_xl, name) is function


# API functions with no command of their own: ELSEWHERE's, and the library's plain readers.
NOT_COMMANDS = {"policy"}


def test_every_api_command_is_on_the_command_line() -> None:
    """The other way round: a command lost from the CLI (a decorator dropped in a merge)
    while its API function stays fails here, not in a user's terminal."""
    exported = {name for name in pmo_xl.__all__ if callable(getattr(pmo_xl, name))
                and getattr(getattr(pmo_xl, name), "__module__", "") == "pmo_xl.api"}
    assert exported - NOT_COMMANDS <= set(commands()), exported - set(commands())
    assert {"history", "rollup", "check", "pack"} <= set(commands())


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    return write_example(tmp_path_factory.mktemp("api") / "master.xlsx", [
        Edit("Services", "SVC-001", {"Stage": "Runing"})])


def test_check_writes_its_outputs(master: Path, tmp_path: Path) -> None:
    result = api.check(master, EXAMPLE_AS_OF, output=tmp_path / "f.xlsx",
                       annotate=tmp_path / "a.xlsx", select=["S"])
    assert [(f.rule, f.address) for f in result.findings] == [("S106", "Services!I2")]
    assert openpyxl.load_workbook(tmp_path / "f.xlsx").sheetnames[0] == "Summary"
    assert openpyxl.load_workbook(tmp_path / "a.xlsx")["Services"]["I2"].comment is not None
    with pytest.raises(CannotCheck, match="both name"):
        api.check(master, EXAMPLE_AS_OF, output=tmp_path / "x.xlsx",
                  annotate=tmp_path / "x.xlsx")


def test_the_reports(master: Path, tmp_path: Path, monkeypatch) -> None:
    status = api.report_status(master, EXAMPLE_AS_OF, tmp_path / "s.xlsx")
    assert status == tmp_path / "s.xlsx" and status.is_file()
    monkeypatch.chdir(tmp_path)
    kpi = api.report_kpi(master, EXAMPLE_AS_OF)
    assert kpi == Path(f"kpi-report-{EXAMPLE_AS_OF.isoformat()}.xlsx") and kpi.is_file()
    with pytest.raises(CannotCheck):
        api.report_kpi(master, EXAMPLE_AS_OF, master)  # never the master


def test_pack_actions_diff_and_catalogue(master: Path, tmp_path: Path) -> None:
    written = api.pack(master, EXAMPLE_AS_OF, tmp_path / "pack", since="none")
    assert written.folder == tmp_path / "pack" and written.email.is_file()
    found = api.actions(master, EXAMPLE_AS_OF, output=tmp_path / "drafts")
    assert found.drafts is not None and found.drafts.folder == tmp_path / "drafts"
    comparison = api.diff(written.folder, master, EXAMPLE_AS_OF, output=tmp_path / "c.xlsx")
    assert comparison.summary["changed"] == 0 and (tmp_path / "c.xlsx").is_file()
    published = api.catalogue(master, EXAMPLE_AS_OF, tmp_path / "c.html")
    assert published.path == tmp_path / "c.html" and published.path.is_file()


def test_new_rules_schema_and_send(tmp_path: Path) -> None:
    blank = api.new(tmp_path / "blank.xlsx")
    with pytest.raises(CannotCheck, match="already exists"):
        api.new(blank)
    assert api.new(blank, force=True) == blank
    assert list(api.rules("l104")) == ["L104"] and len(api.rules()) >= 100
    with pytest.raises(CannotCheck, match="not a rule code"):
        api.rules("Z999")
    assert api.schema().startswith("Services")
    assert api.schema("markdown").startswith("### Services")
    with pytest.raises(CannotCheck, match="together"):
        api.send(tmp_path, starttls=True, ssl=True)


def test_send_dry_run_lists_the_drafts(master: Path, tmp_path: Path) -> None:
    api.actions(master, EXAMPLE_AS_OF, output=tmp_path / "drafts")
    lines: list[str] = []
    outcome = api.send(tmp_path / "drafts", dry_run=True,
                       echo=lambda text="", err=False: lines.append(text))
    assert outcome.exit_code == 0 and any("@example" in line for line in lines)


def test_demo(tmp_path: Path) -> None:
    run = api.demo(tmp_path / "demo", dt.date(2026, 11, 30))
    assert run.master == tmp_path / "demo" / "example-master.xlsx"
    assert all(path.exists() for path, _what in run.written)
    assert run.result.summary["error"] > 0  # the example's deliberate problems
    with pytest.raises(CannotCheck, match="empty"):
        api.demo(" ")

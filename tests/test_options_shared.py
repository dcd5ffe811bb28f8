"""One option set and one overwrite rule across the commands, as cli.md says (issue 12).

`report status`, `report kpi` and `pack` take --select/--ignore/--quiet (and pack --strict)
from the same definitions `check` uses, so they cannot drift apart; each command's help
states its exit codes; derived outputs are replaced, `new` and `pack` need --force.
"""

from __future__ import annotations

import openpyxl
import pytest

from pmo_xl.cli import cli
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
COMMANDS = {"check": ("check",), "report status": ("report", "status"),
            "report kpi": ("report", "kpi"), "pack": ("pack",)}
SHARED = {"--select": COMMANDS, "--ignore": COMMANDS, "--quiet": COMMANDS,
          "--as-of": COMMANDS, "--strict": {"check": ("check",), "pack": ("pack",)}}
# Two findings of different rules: an error (S106) and a warning (S1xx on the operatives).
TWO = [Edit("Services", "SVC-001", {"Stage": "Runing"}),
       Edit("Services", "SVC-002", {"Service Owner": "P-099"})]
WARNING_ONLY = [Edit("Services", "SVC-001", {"Operatives": "P-004;;P-005"})]


def command(path: tuple[str, ...]):
    node = cli
    for name in path:
        node = node.commands[name]
    return node


def option(path: tuple[str, ...], name: str):
    return next(p for p in command(path).params if name in p.opts)


@pytest.mark.parametrize("name", SHARED)
def test_shared_options_are_one_definition(name):
    found = [option(path, name) for path in SHARED[name].values()]
    first = found[0]
    for other in found[1:]:
        assert (other.opts, other.help, other.callback, other.multiple, other.is_flag,
                other.metavar) == (first.opts, first.help, first.callback, first.multiple,
                                   first.is_flag, first.metavar)


@pytest.mark.parametrize("label", COMMANDS)
def test_each_command_states_its_exit_codes_in_its_help(run_cli, label):
    text = " ".join(run_cli(*COMMANDS[label], "--help").output.split())
    for code in ("0", "2", "130"):
        assert f"{code} " in text or f"{code}:" in text, (label, code)
    assert "interrupted" in text


def findings_in_status_report(path) -> set[str]:
    sheet = openpyxl.load_workbook(path)["Findings"]
    return {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}


def test_report_select_and_ignore_choose_the_findings_it_carries(tmp_path, run_cli):
    master = write_example(tmp_path / "master.xlsx", TWO)
    every = tmp_path / "every.xlsx"
    assert run_cli("report", "status", master, "--as-of", AS_OF, "-o", every).exit_code == 0
    assert {"S106", "X101"} <= findings_in_status_report(every)
    selected = tmp_path / "selected.xlsx"
    result = run_cli("report", "status", master, "--as-of", AS_OF, "-o", selected,
                     "--select", "X")
    assert result.exit_code == 0
    assert findings_in_status_report(selected) == {"X101"}
    ignored = tmp_path / "ignored.xlsx"
    run_cli("report", "status", master, "--as-of", AS_OF, "-o", ignored, "--ignore", "X101")
    assert "X101" not in findings_in_status_report(ignored)


def test_report_kpi_takes_the_same_selection(tmp_path, run_cli):
    master = write_example(tmp_path / "master.xlsx", TWO)
    out = tmp_path / "kpi.xlsx"
    result = run_cli("report", "kpi", master, "--as-of", AS_OF, "-o", out, "--select", "K",
                     "--quiet")
    assert result.exit_code == 0
    assert result.output == ""
    assert out.exists()


def test_pack_strict_and_quiet(tmp_path, run_cli):
    master = write_example(tmp_path / "master.xlsx", WARNING_ONLY)
    plain = run_cli("pack", master, "--as-of", AS_OF, "-o", tmp_path / "a")
    assert plain.exit_code == 0, plain.output
    assert "Governance pack:" in plain.output
    strict = run_cli("pack", master, "--as-of", AS_OF, "-o", tmp_path / "b", "--strict",
                     "--quiet")
    assert strict.exit_code == 1
    lines = strict.output.strip().splitlines()
    assert len(lines) == 1 and "1 warning" in lines[0]
    assert (tmp_path / "b").is_dir()  # the pack is still written


def test_pack_select_changes_what_the_pack_reports(tmp_path, run_cli):
    master = write_example(tmp_path / "master.xlsx", TWO)
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", tmp_path / "p", "--select", "X")
    assert result.exit_code == 1
    findings = openpyxl.load_workbook(tmp_path / "p" / f"findings-{AS_OF}.xlsx")["Findings"]
    assert {row[1] for row in findings.iter_rows(min_row=2, values_only=True)} == {"X101"}


# --- one overwrite rule ------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ("check", "{m}", "-o", "{t}"), ("check", "{m}", "--annotate", "{t}"),
    ("report", "status", "{m}", "-o", "{t}"), ("report", "kpi", "{m}", "-o", "{t}"),
], ids=lambda a: " ".join(a[:2]) + (" --annotate" if "--annotate" in a else ""))
def test_derived_outputs_are_replaced(tmp_path, run_cli, args):
    master = write_example(tmp_path / "master.xlsx", TWO)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"last month's")
    result = run_cli(*[a.format(m=master, t=target) for a in args], "--as-of", AS_OF)
    assert result.exit_code in (0, 1), result.output
    assert openpyxl.load_workbook(target).sheetnames  # replaced by a whole workbook


def test_new_and_pack_need_force(tmp_path, run_cli):
    master = write_example(tmp_path / "master.xlsx")
    existing = tmp_path / "blank.xlsx"
    existing.write_bytes(b"someone's master")
    refused = run_cli("new", existing)
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert existing.read_bytes() == b"someone's master"
    assert run_cli("new", existing, "--force").exit_code == 0
    assert openpyxl.load_workbook(existing).sheetnames
    folder = tmp_path / "pack"
    assert run_cli("pack", master, "--as-of", AS_OF, "-o", folder).exit_code == 0
    again = run_cli("pack", master, "--as-of", AS_OF, "-o", folder)
    assert again.exit_code == 2 and "--force" in again.stderr
    assert run_cli("pack", master, "--as-of", AS_OF, "-o", folder, "--force").exit_code == 0

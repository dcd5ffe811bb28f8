"""The command line contract of cli.md: output shapes, exit codes, shared options."""

from __future__ import annotations

import json
from pathlib import Path

from pmo_xl.validators.examples import write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Edit

from .conftest import AS_OF, check_json, run_process

STAGE_TYPO = [Edit("Services", "SVC-001", {"Stage": "Runing"})]
EXPIRED = Edit("Waivers", None, {"Rule": "S106", "Record": "SVC-001", "Reason": "Migration",
                                  "Approved By": "P-001"})


def test_json_has_exactly_the_documented_shape(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", STAGE_TYPO)
    report = check_json(path)
    assert set(report) == {"file", "as_of", "summary", "findings"}
    assert report["file"] == "m.xlsx" and report["as_of"] == AS_OF
    assert set(report["summary"]) == {"error", "warning", "info", "waived"}
    finding = next(f for f in report["findings"] if f["rule"] == "S106")
    assert list(finding) == ["rule", "severity", "sheet", "cell", "row", "column", "record",
                             "message", "hint", "waived"]
    assert (finding["sheet"], finding["cell"], finding["row"], finding["column"]) == (
        "Services", "I2", 2, "I")
    assert finding["record"] == "SVC-001"
    assert "Running" in finding["hint"]


def test_text_output_groups_by_sheet_and_ends_with_summary(tmp_path: Path, run_cli) -> None:
    path = write_example(tmp_path / "m.xlsx", STAGE_TYPO)
    result = run_cli("check", path, "--as-of", AS_OF)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "Services" in lines
    assert any("S106" in line and "Services!I2" in line for line in lines)
    assert any("hint: Did you mean 'Running'?" in line for line in lines)
    assert lines[-1].startswith("1 error, ") and "(as of 2026-11-15)" in lines[-1]
    assert "\x1b[" not in result.output  # no colour when not on a terminal


def test_clean_master_exits_0(example_master: Path, run_cli) -> None:
    result = run_cli("check", example_master, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "0 errors, 0 warnings, 0 info" in result.output


def test_quiet_prints_only_the_summary(tmp_path: Path, run_cli) -> None:
    path = write_example(tmp_path / "m.xlsx", STAGE_TYPO)
    result = run_cli("check", path, "--as-of", AS_OF, "--quiet")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip().splitlines()[-1]]
    assert "S106" not in result.output


def test_strict_fails_on_warnings(tmp_path: Path, run_cli) -> None:
    path = write_example(tmp_path / "m.xlsx",
                         [Edit("Services", "SVC-001", {"Operatives": "P-004;;P-005"})])
    assert run_cli("check", path, "--as-of", AS_OF).exit_code == 0
    assert run_cli("check", path, "--as-of", AS_OF, "--strict").exit_code == 1


def test_select_and_ignore(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Stage": "Runing", "Service Owner": "P-099"})])
    rules = {f["rule"] for f in check_json(path)["findings"]}
    assert {"S106", "X101"} <= rules
    assert {f["rule"] for f in check_json(path, "--select", "X")["findings"]} == {"X101"}
    assert "S106" not in {f["rule"] for f in check_json(path, "--ignore", "S106,S1")["findings"]}


def test_unknown_rule_code_is_a_usage_error(example_master: Path, run_cli) -> None:
    result = run_cli("check", example_master, "--select", "Q9")
    assert result.exit_code == 2
    assert "not a rule code" in result.output and "Traceback" not in result.output


def test_bad_as_of_is_a_usage_error(example_master: Path, run_cli) -> None:
    result = run_cli("check", example_master, "--as-of", "30/11/2026")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_waiver_reports_finding_as_waived_and_not_counted(tmp_path: Path, run_cli) -> None:
    import datetime as dt

    path = write_example(tmp_path / "m.xlsx", STAGE_TYPO + [
        Edit("Waivers", None, {**EXPIRED.values, "Expires": dt.date(2027, 1, 31)})])
    report = check_json(path)
    s106 = [f for f in report["findings"] if f["rule"] == "S106"]
    assert s106 and s106[0]["waived"] is True
    assert report["summary"]["error"] == 0 and report["summary"]["waived"] == 1
    assert run_cli("check", path, "--as-of", AS_OF).exit_code == 0


def test_expired_waiver_no_longer_waives(tmp_path: Path) -> None:
    import datetime as dt

    path = write_example(tmp_path / "m.xlsx", STAGE_TYPO + [
        Edit("Waivers", None, {**EXPIRED.values, "Expires": dt.date(2026, 11, 1)})])
    report = check_json(path)
    assert [f["waived"] for f in report["findings"] if f["rule"] == "S106"] == [False]
    assert [(f["rule"], f["cell"]) for f in report["findings"] if f["sheet"] == "Waivers"] == [
        ("W101", "E2")]


def test_rules_lists_every_rule_and_explains_one(run_cli) -> None:
    listing = run_cli("rules")
    assert listing.exit_code == 0
    for code in load_rules():
        assert code in listing.output
    one = run_cli("rules", "s106")
    assert one.exit_code == 0
    assert "S106 (error" in one.output and "Passing" in one.output
    assert "Services!I2" in one.output
    assert run_cli("rules", "Q999").exit_code == 2


def test_schema_prints_sheets_columns_and_lists(run_cli) -> None:
    result = run_cli("schema")
    assert result.exit_code == 0
    assert "Services:" in result.output and "Stage" in result.output
    assert "Proposed | Design | Pilot" in result.output
    markdown = run_cli("schema", "--format", "markdown").output
    assert "### KPI Actuals" in markdown


def test_every_command_has_help_with_an_example(run_cli) -> None:
    from pmo_xl.cli import cli

    for name, command in cli.commands.items():
        text = run_cli(name, "--help").output
        assert "Example" in text or name == "report", name
        if hasattr(command, "commands"):
            for sub in command.commands:
                assert "Example" in run_cli(name, sub, "--help").output, (name, sub)


def test_check_as_a_real_process(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", STAGE_TYPO)
    done = run_process("check", path, "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert any(f["rule"] == "S106" and f["cell"] == "I2" for f in report["findings"])
    missing = run_process("check", tmp_path / "nope.xlsx")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "does not exist" in missing.stderr
    assert "Traceback" not in missing.stderr

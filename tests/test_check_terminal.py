"""`pmo-xl check` reads like a linter's output (issue 24): errors first, grouped by sheet,
wrapped at the terminal's width with a hanging indent and no word cut, a rule's many findings
as one entry, waived findings as a count, --statistics, thousands separators; on a 1,000-service
master it fits on a few screens."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.terminal.findings_view import GROUP_OVER
from pmo_xl.validators.examples import base_rows, write_example
from pmo_xl.validators.registry import Edit

from .conftest import AS_OF, check_json, run_process

ROOT = Path(__file__).resolve().parents[1]
# A month after the generated master's last actuals: every KPI lacks November's (K103).
LARGE_AS_OF = dt.date(2026, 12, 15).isoformat()
RISK = base_rows()["Risks and Issues"][0]
EXPIRING = dt.date(2027, 1, 31)


def check_text(path: Path, *extra: str, columns: int = 80) -> str:
    result = CliRunner().invoke(cli, ["check", str(path), "--as-of", AS_OF, *map(str, extra)],
                                env={"COLUMNS": str(columns)}, catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def flowed(text: str) -> str:
    """The output with its line breaks and indents as single spaces: a word cut at a line's
    end shows here as two (`Se rvice`), so a message found whole in it was not cut."""
    return " ".join(text.split())


def assert_fits(text: str, width: int) -> None:
    for line in text.splitlines():
        assert len(line) <= width, (width, line)
        assert line == line.rstrip(), repr(line)  # no padding to the width


def risks_owned_by_nobody(count: int) -> list[Edit]:
    """`count` more risks whose Owner is no Person ID: X101 at each one's Owner cell."""
    return [Edit("Risks and Issues", None, {**RISK, "ID": f"RSK-1{i:02d}", "Owner": "P-099"})
            for i in range(count)]


# --- a 1,000-service master -------------------------------------------------------------------


@pytest.fixture(scope="module")
def large_master(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path_factory.mktemp("large") / "master-1000.xlsx"
    generate.generate(1000, path)
    return path


@pytest.fixture(scope="module")
def large_report(large_master: Path) -> dict:
    result = CliRunner().invoke(cli, ["check", str(large_master), "--as-of", LARGE_AS_OF,
                                      "--format", "json", "--statistics"])
    return json.loads(result.stdout)


@pytest.mark.parametrize("columns", [80, 100])
def test_a_large_master_fits_a_few_screens_with_no_word_cut(large_master, large_report,
                                                            columns):
    result = CliRunner().invoke(cli, ["check", str(large_master), "--as-of", LARGE_AS_OF],
                                env={"COLUMNS": str(columns)})
    assert result.exit_code == 1
    text = result.stdout
    lines = text.splitlines()
    assert len(lines) < 150, len(lines)
    assert_fits(text, columns)
    findings = large_report["findings"]
    k103 = [f for f in findings if f["rule"] == "K103"]
    assert len(k103) > 2000
    # Every rule's first finding is shown whole: its cell, message and fix.
    for rule in {f["rule"] for f in findings}:
        first = next(f for f in findings if f["rule"] == rule)
        shown = flowed(text)
        assert flowed(first["message"]) in shown, rule
        assert flowed(f"hint: {first['hint']}") in shown, rule
    # K103's thousands are one entry: how many, and how many more beyond the first.
    assert sum(1 for line in lines if line.startswith("  K103")) == 1
    assert f"× {len(k103):,}" in text
    assert f"and {len(k103) - 1:,} more:" in text
    assert lines[-1].startswith("1 error, ") and f"{len(k103):,} warnings" in lines[-1]
    # The error comes first, before any warning.
    assert text.index("S106") < text.index("K103")


def test_a_large_masters_statistics_and_json_carry_everything(large_report):
    findings = large_report["findings"]
    statistics = {(s["rule"], s["severity"]): s for s in large_report["statistics"]}
    for (rule, severity), item in statistics.items():
        mine = [f for f in findings if (f["rule"], f["severity"]) == (rule, severity)]
        assert item["count"] + item["waived"] == len(mine)
        assert item["first_cell"] == f"{mine[0]['sheet']}!{mine[0]['cell']}"
    assert sum(s["count"] for s in statistics.values()) == sum(
        large_report["summary"][k] for k in ("error", "warning", "info"))
    assert statistics[("K103", "warning")]["title"] == (
        "A KPI has no actual for the reporting period")


def test_the_large_masters_check_as_a_process_fits_80_columns(large_master):
    done = run_process("check", large_master, "--as-of", LARGE_AS_OF, "--statistics")
    assert done.returncode == 1, done.stderr
    assert_fits(done.stdout, 80)  # rich's width when stdout is not a terminal
    rows = [line for line in done.stdout.splitlines() if re.match(r"^\s*[\d,]+\s+K103 ", line)]
    assert len(rows) == 1 and re.match(r"^\s*2,\d{3}\s+K103\s+warning\s+KPIs!A2\s", rows[0])


# --- the layout on small masters --------------------------------------------------------------


def test_errors_come_first_whatever_their_row(tmp_path):
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Operatives": "P-004;;P-005"}),  # S111 warning, row 2
        Edit("Services", "SVC-002", {"Stage": "Runing"}),  # S106 error, row 3
    ])
    text = check_text(path)
    assert text.index("Services!I3") < text.index("Services!R2")
    assert text.index("1 error") < text.index("Services!I3") < text.index("1 warning")


def test_a_rule_repeated_on_a_sheet_is_one_entry_past_the_limit(tmp_path):
    listed = write_example(tmp_path / "five.xlsx", risks_owned_by_nobody(GROUP_OVER))
    text = check_text(listed)
    assert sum(1 for line in text.splitlines() if line.startswith("  X101")) == GROUP_OVER
    grouped = write_example(tmp_path / "six.xlsx", risks_owned_by_nobody(GROUP_OVER + 1))
    text = check_text(grouped)
    assert sum(1 for line in text.splitlines() if line.startswith("  X101")) == 1
    assert f"× {GROUP_OVER + 1}  A reference points at a record that does not exist" in text
    assert "'Risks and Issues'!F3 Owner 'P-099' on RSK-100's row" in flowed(text)
    assert (f"and {GROUP_OVER} more: RSK-101 (F4), RSK-102 (F5), RSK-103 (F6) … (all of them: "
            "--output FILE.xlsx or --format json)") in flowed(text)
    # Every one of them is still in the JSON.
    found = check_json(grouped)["findings"]
    assert [f["cell"] for f in found if f["rule"] == "X101"] == [
        f"F{row}" for row in range(3, 4 + GROUP_OVER)]


def test_wrapping_keeps_words_whole_and_indents_under_the_text(tmp_path):
    path = write_example(tmp_path / "m.xlsx", risks_owned_by_nobody(1))
    for columns in (60, 80, 100):
        text = check_text(path, columns=columns)
        assert_fits(text, columns)
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("  X101  "))
        entry = lines[start:lines.index("", start)]
        # The message and its hint wrap under the cell's address, not under X101.
        assert len(entry) >= (2 if columns == 100 else 3)
        assert all(re.match(r"^ {8}\S", line) for line in entry[1:]), entry
        message = check_json(path)["findings"][0]
        assert flowed(message["message"]) in flowed(text)
        assert flowed(message["hint"]) in flowed(text)


WAIVED = [Edit("Services", "SVC-001", {"Stage": "Runing"}),
          Edit("Waivers", None, {"Rule": "S106", "Record": "SVC-001", "Reason": "Migration.",
                                 "Approved By": "P-001", "Expires": EXPIRING})]


def test_waived_findings_are_a_count_unless_asked_for(tmp_path):
    path = write_example(tmp_path / "m.xlsx", WAIVED)
    text = check_text(path)
    assert "Services!I2" not in text
    assert "1 waived finding not shown (a waived finding does not count); --show-waived " \
           "lists it." in flowed(text)
    shown = check_text(path, "--show-waived")
    lines = [line for line in shown.splitlines() if "Services!I2" in line]
    assert lines == ["  S106  Services!I2  SVC-001, waived: Migration."]
    assert shown.splitlines()[-1].startswith("0 errors, 0 warnings, ")
    assert shown.splitlines()[-1].endswith(f" info, 1 waived in m.xlsx (as of {AS_OF})")


def test_statistics_count_per_rule_like_ruff(tmp_path):
    path = write_example(tmp_path / "m.xlsx", risks_owned_by_nobody(7) + WAIVED[1:] + [
        Edit("Services", "SVC-001", {"Stage": "Runing"}),
        Edit("Services", "SVC-002", {"Operatives": "P-004;;P-005"})])
    text = check_text(path, "--statistics", columns=100)
    assert_fits(text, 100)
    lines = text.splitlines()
    assert re.match(r"^Count\s+Waived\s+Rule\s+Severity\s+First cell\s+What$", lines[1])
    rows = [line.split(None, 4) for line in lines[:-1] if re.match(r"^ *[0-9]", line)]
    # Errors first, then the most frequent; a rule with only waived findings last.
    assert rows[0][:4] == ["7", "X101", "error", "'Risks"]
    assert rows[1][:3] == ["1", "S111", "warning"]
    assert rows[-1][:4] == ["0", "1", "S106", "error"]
    assert "A reference points at a record that does" in lines[2]
    assert "X101" not in text.split("Count")[0]  # instead of the findings, not beside them
    report = check_json(path, "--statistics")
    assert report["statistics"][0] == {
        "rule": "X101", "severity": "error", "count": 7, "waived": 0,
        "first_cell": "'Risks and Issues'!F3",
        "title": "A reference points at a record that does not exist"}
    assert {"rule": "S106", "severity": "error", "count": 0, "waived": 1,
            "first_cell": "Services!I2",
            "title": "A value is not one of the column's allowed values"} in report["statistics"]
    assert "statistics" not in check_json(path)  # the documented shape, unless asked


def test_counts_have_thousands_separators():
    from pmo_xl.terminal.console import summary_line

    assert summary_line({"error": 1, "warning": 2397, "info": 12345, "waived": 1000}, "m.xlsx",
                        AS_OF) == (f"1 error, 2,397 warnings, 12,345 info, 1,000 waived in m.xlsx"
                                   f" (as of {AS_OF})")


def test_master_text_that_looks_like_markup_is_printed_as_it_is(tmp_path):
    owner = "[bold red]P-099[/] [link=http://evil.example]x[/link] :smile:"
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Risks and Issues", "RSK-001", {"Owner": owner})])
    result = CliRunner().invoke(cli, ["check", str(path), "--as-of", AS_OF],
                                env={"COLUMNS": "200", "FORCE_COLOR": "1"})
    assert f"Owner '{owner}' on RSK-001's row" in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout)

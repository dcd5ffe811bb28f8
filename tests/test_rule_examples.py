"""Every rule's own failing example (from its registration) fires at exactly its cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmo_xl.validators.examples import write_example
from pmo_xl.validators.families import load_rules

from .conftest import check_json, diff_json

RULES = load_rules()
EDITABLE = [r for r in RULES.values() if r.fails.edits and not r.needs_previous]
BOUNDED = [r for r in RULES.values() if r.passes.edits and not r.needs_previous]
# Rules across masters (family P) are tested with their members in tests/test_rollup.py.
# Drift rules judge two versions: their examples are pairs (OLD edits, NEW edits).
DRIFT = [r for r in RULES.values() if r.needs_previous]


def test_clean_example_master_has_no_findings(example_master: Path) -> None:
    report = check_json(example_master)
    assert report["findings"] == []
    assert report["summary"] == {"error": 0, "warning": 0, "info": 0, "waived": 0}


@pytest.mark.parametrize("rule", EDITABLE, ids=[r.code for r in EDITABLE])
def test_failing_example_names_its_cell(rule, tmp_path: Path) -> None:
    path = write_example(tmp_path / "master.xlsx", rule.fails.edits)
    report = check_json(path)
    mine = [f for f in report["findings"] if f["rule"] == rule.code]
    assert mine, f"{rule.code} did not fire; findings: {report['findings']}"
    sheet, cell = rule.fails.cell.rsplit("!", 1)
    assert [(f["sheet"], f["cell"]) for f in mine] == [(sheet.strip("'"), cell)]
    assert mine[0]["severity"] == rule.severity
    assert mine[0]["hint"] and mine[0]["message"]
    assert mine[0]["row"] == int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))


@pytest.mark.parametrize("rule", BOUNDED, ids=[r.code for r in BOUNDED])
def test_passing_example_at_the_boundary_stays_silent(rule, tmp_path: Path) -> None:
    """The edits up to the rule's boundary (the last value that still passes) make no finding
    of this rule: a rule that fires one step too early fails here, one that fires one step
    too late fails its failing example."""
    path = write_example(tmp_path / "master.xlsx", rule.passes.edits)
    report = check_json(path)
    assert [f for f in report["findings"] if f["rule"] == rule.code] == []


def test_every_rule_has_a_failing_example_and_a_docstring() -> None:
    for rule in RULES.values():
        assert rule.fails.cell, rule.code
        assert rule.fails.edits or rule.fails.note or rule.fails.members, rule.code
        assert rule.check.__doc__ and "Failing" in rule.check.__doc__, rule.code


def _versions(tmp_path: Path, example) -> tuple[Path, Path]:
    old = write_example(tmp_path / "old.xlsx", example.before)
    new = write_example(tmp_path / "new.xlsx", example.edits)
    return old, new


@pytest.mark.parametrize("rule", DRIFT, ids=[r.code for r in DRIFT])
def test_drift_rule_failing_pair_names_its_cell(rule, tmp_path: Path) -> None:
    report = diff_json(*_versions(tmp_path, rule.fails))
    mine = [f for f in report["findings"] if f["rule"] == rule.code]
    assert mine, f"{rule.code} did not fire; findings: {report['findings']}"
    sheet, cell = rule.fails.cell.rsplit("!", 1)
    assert [(f["sheet"], f["cell"]) for f in mine] == [(sheet.strip("'"), cell)]
    assert mine[0]["severity"] == rule.severity
    assert mine[0]["hint"] and mine[0]["message"]
    # Nothing else drifted: the pair breaks exactly its own rule.
    assert [f["rule"] for f in report["findings"]] == [rule.code]


@pytest.mark.parametrize("rule", DRIFT, ids=[r.code for r in DRIFT])
def test_drift_rule_passing_pair_at_its_boundary_is_silent(rule, tmp_path: Path) -> None:
    assert rule.passes.edits or rule.passes.before, f"{rule.code} has no passing example"
    report = diff_json(*_versions(tmp_path, rule.passes))
    assert report["changes"], f"{rule.code}'s passing pair changes nothing"
    assert [f for f in report["findings"] if f["rule"] == rule.code] == []


def test_check_never_runs_a_drift_rule(tmp_path: Path) -> None:
    """A check sees one version: a drift rule's failing NEW version checks clean of D."""
    for rule in DRIFT:
        path = write_example(tmp_path / f"{rule.code}.xlsx", rule.fails.edits)
        assert not [f for f in check_json(path)["findings"] if f["rule"].startswith("D")]
    assert not [f for f in check_json(path, "--select", "D")["findings"]]

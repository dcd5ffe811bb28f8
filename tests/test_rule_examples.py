"""Every rule's own failing example (from its registration) fires at exactly its cell."""

from __future__ import annotations

from pathlib import Path

import pytest

from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import load_rules

from .conftest import check_json

RULES = load_rules()
EDITABLE = [r for r in RULES.values() if r.fails.edits]
BOUNDED = [r for r in RULES.values() if r.passes.edits]


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
        assert rule.fails.edits or rule.fails.note, rule.code
        assert rule.check.__doc__ and "Failing" in rule.check.__doc__, rule.code

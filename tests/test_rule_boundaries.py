"""Boundaries a rule's passing example alone cannot pin down, and the examples' own upkeep.

Each test here sits on both sides of one boundary (a waiver on its last day and the day
after, a service that went live on the last day of the reporting period and the day after),
so the mutant that moves the boundary by one step fails it either way.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.facts import Facts
from pmo_xl.terminal.schema_doc import rule_examples, rules_markdown
from pmo_xl.validators.examples import EXAMPLE_AS_OF, apply_edits, base_rows, write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import (
    Frequency,
    KPIs,
    Services,
    Waivers,
)
from pmo_xl.workbook.master import read_master

from .conftest import check_json

D = dt.date
RULES = load_rules()
# Rules whose passing example is someone else's to write for now: the S family and three
# rules being rewritten. Any other rule without one fails below.
OWNED_ELSEWHERE = {"L109", "O103", "G103"}


def findings(report: dict, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == code]


def cells(report: dict, code: str) -> list[tuple[str, str]]:
    return [(f["sheet"], f["cell"]) for f in findings(report, code)]


# --- a waiver works up to and including the day it expires --------------------------------

# K103's failing example: a new KPI-03 of Running SVC-001 with no actual, named at KPIs!A4.
NEW_KPI = list(RULES["K103"].fails.edits)


def waiver_of_kpi_03(expires: dt.date) -> Edit:
    return Edit(Waivers, None, {Waivers.rule: "K103", Waivers.record: "KPI-03",
                                Waivers.reason: "New KPI, first report in December",
                                Waivers.approved_by: "P-001", Waivers.expires: expires})


def test_a_waiver_expiring_on_the_as_of_day_still_waives(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [*NEW_KPI, waiver_of_kpi_03(EXAMPLE_AS_OF)])
    report = check_json(path)
    [k103] = findings(report, "K103")
    assert (k103["cell"], k103["waived"]) == ("A4", True)
    assert findings(report, "W101") == []
    assert report["summary"]["warning"] == 0 and report["summary"]["waived"] == 1
    facts = Facts(read_master(path), EXAMPLE_AS_OF)
    assert ("K103", "kpi-03") in facts.live_waivers


def test_a_waiver_stops_the_day_after_it_expires(tmp_path: Path) -> None:
    day_before = EXAMPLE_AS_OF - dt.timedelta(days=1)
    path = write_example(tmp_path / "m.xlsx", [*NEW_KPI, waiver_of_kpi_03(day_before)])
    report = check_json(path)
    [k103] = findings(report, "K103")
    assert (k103["cell"], k103["waived"]) == ("A4", False)
    assert cells(report, "W101") == [("Waivers", "E2")]
    assert Facts(read_master(path), EXAMPLE_AS_OF).live_waivers == {}


# --- L108: two lifecycle dates on one day are in order -----------------------------------


@pytest.mark.parametrize(("readiness", "named"), [
    (D(2025, 6, 2), []),  # the same day as the Sign-off Date
    (D(2025, 6, 1), [("Services", "Z2")]),  # the day before it
])
def test_lifecycle_dates_on_the_same_day_are_in_order(tmp_path: Path, readiness: dt.date,
                                                      named: list) -> None:
    assert base_rows()["Services"][0][Services.sign_off_date] == D(2025, 6, 2)
    report = check_json(write_example(tmp_path / "m.xlsx", [
        Edit(Services, "SVC-001", {Services.readiness_assessment_date: readiness})]))
    assert cells(report, "L108") == named


# --- K103: a service that went live during the reporting period reports it ----------------


def _went_live(go_live: dt.date, frequency: str) -> list[Edit]:
    kpi = dict(NEW_KPI[0].values, **{KPIs.frequency: frequency})
    return [Edit(Services, "SVC-001", {Services.go_live_date: go_live}), Edit(KPIs, None, kpi)]


@pytest.mark.parametrize(("go_live", "frequency", "due"), [
    # As of 2026-11-15 a monthly KPI reports October 2026 ...
    (D(2026, 10, 1), Frequency.MONTHLY, True),  # live on the period's first day
    (D(2026, 10, 31), Frequency.MONTHLY, True),  # live on its last day
    (D(2026, 11, 1), Frequency.MONTHLY, False),  # live the day after it ended
    # ... and a quarterly KPI 2026 Q3 (July to September).
    (D(2026, 9, 30), Frequency.QUARTERLY, True),
    (D(2026, 10, 1), Frequency.QUARTERLY, False),
])
def test_kpi_is_due_when_its_service_went_live_before_the_period_ended(
        tmp_path: Path, go_live: dt.date, frequency: str, due: bool) -> None:
    path = write_example(tmp_path / "m.xlsx", _went_live(go_live, frequency))
    assert cells(check_json(path), "K103") == ([("KPIs", "A4")] if due else [])
    facts = Facts(read_master(path), EXAMPLE_AS_OF)
    [status] = [k for k in facts.kpi_statuses if k.kpi_id == "KPI-03"]
    assert status.due is due and status.missing


# --- the passing examples themselves ---------------------------------------------------------


def test_every_rule_outside_the_s_family_has_a_passing_example() -> None:
    missing = {code for code, rule in RULES.items()
               if not (rule.passes.edits or rule.passes.members) and rule.family != "S"}
    assert missing <= OWNED_ELSEWHERE, sorted(missing - OWNED_ELSEWHERE)


@pytest.mark.parametrize("rule", [r for r in RULES.values() if r.passes.edits],
                         ids=[c for c, r in RULES.items() if r.passes.edits])
def test_passing_example_changes_the_clean_master_and_is_explained(rule) -> None:
    """An example that edits nothing shows no boundary; its docstring says which it is."""
    assert apply_edits(base_rows(), rule.passes.edits) != base_rows()
    assert "Passing:" in rule.check.__doc__


@pytest.mark.parametrize("rule", [r for r in RULES.values() if r.needs_members],
                         ids=[c for c, r in RULES.items() if r.needs_members])
def test_passing_members_differ_from_two_clean_masters_and_are_explained(rule) -> None:
    """A rule across masters' passing members show a boundary: some member is edited."""
    assert any(member.edits or member.saved_days_ago for member in rule.passes.members)
    assert 2 <= len(rule.passes.members) <= 3 and 2 <= len(rule.fails.members) <= 3
    assert "Passing:" in rule.check.__doc__ and "Failing:" in rule.check.__doc__


def test_rules_code_shows_the_passing_example_before_the_failing_one() -> None:
    result = CliRunner().invoke(cli, ["rules", "l108"], catch_exceptions=False)
    assert result.exit_code == 0
    out = result.output
    passing = out.index("Passing example (edits to the clean example master):")
    failing = out.index("Failing example (edits to the clean example master):")
    assert passing < failing
    assert out.index("Readiness Assessment Date = 2025-06-02", passing) < failing
    assert out.index("L108 stays silent", passing) < failing
    assert out.index("Pilot Start = 2025-01-20", failing) < out.index("L108 names Services!X2")


def test_rules_code_without_a_passing_example_says_the_clean_master_passes() -> None:
    result = CliRunner().invoke(cli, ["rules", "S101"], catch_exceptions=False)
    before, after = result.output.split("Failing example", 1)
    assert "none: the clean example master as it is" in before
    assert "leave the sheet KPIs out of the workbook" in after


def test_rules_doc_and_cli_tell_the_same_examples() -> None:
    text = rules_markdown()
    for code in ("L108", "W101", "S101"):
        rule = RULES[code]
        section = text.split(f"### {code} ", 1)[1].split("\n### ", 1)[0]
        passing, failing = rule_examples(rule)
        assert section.index("Passes ") < section.index("Fails when")
        for edit in passing.edits + failing.edits:
            assert edit in section
        cli_text = CliRunner().invoke(cli, ["rules", code]).output
        for edit in passing.edits + failing.edits:
            assert f"  - {edit}\n" in cli_text

"""The Settings sheet: values read leniently, unreadable ones reported and ignored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import SETTINGS_DECLARED
from pmo_xl.workbook.master import read_master
from pmo_xl.workbook.settings import parse, read_count, read_settings, read_share, unreadable

from .conftest import check_json


@pytest.mark.parametrize(("value", "share"), [
    ("50%", 0.5), ("50", 0.5), (0.4, 0.4), (40, 0.4), (" 75 % ", 0.75), (1, 1.0),
    ("half", None), (dt.date(2000, 1, 1), None), (True, None), ("150%", None), (-3, None),
])
def test_read_share(value, share) -> None:
    assert read_share(value) == share


def test_a_date_as_mandated_share_target_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    # Found by the property test: float(date) raised inside the Settings reader.
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", "Mandated Share Target", {"Value": dt.date(2000, 1, 1)})])
    assert read_settings(read_master(path)).mandated_share_target is None  # not judged
    findings = check_json(path)["findings"]
    assert [(f["rule"], f["sheet"], f["cell"]) for f in findings] == [
        ("G108", "Settings", "B3")]


def test_reporting_period_setting_overrides_the_month(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", None, {"Setting": "Reporting Period", "Value": dt.date(2026, 9, 1)})])
    settings = read_settings(read_master(path))
    assert settings.reporting_period == dt.date(2026, 9, 1)
    assert settings.organisation == "Example Org"
    assert check_json(path)["findings"] == []


@pytest.mark.parametrize(("value", "count"), [
    ("12", 12), (12, 12), (12.0, 12), (" 3 ", 3), (1, 1), ("0", None), (0, None), (-2, None),
    (2.5, None), ("twelve", None), (True, None), (dt.date(2000, 1, 1), None), ("nan", None),
    ("inf", None), (None, None), (120, 120), (121, None),
])
def test_read_count(value, count) -> None:
    assert read_count(value) == count


def test_review_settings_are_read_and_an_unreadable_one_is_g108(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", None, {"Setting": "review interval  months", "Value": 6}),
        Edit("Settings", None, {"Setting": "Chronic Red Periods", "Value": "three"})])
    settings = read_settings(read_master(path))
    assert settings.review_interval_months == 6
    assert settings.chronic_red_periods == 3  # unreadable: the default
    findings = check_json(path)["findings"]
    # Six months: SVC-001 (2026-09-01) is fine, the Service Strategy (2026-04-01) is due.
    assert [(f["rule"], f["sheet"], f["cell"]) for f in findings] == [
        ("V103", "Documents", "D2"), ("G108", "Settings", "B5")]
    assert "more than 6 months ago (due 2026-10-01)" in findings[0]["message"]


def test_without_settings_the_review_defaults_apply(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [Edit("Settings", "Mandated Share Target", None)])
    settings = read_settings(read_master(path))
    assert (settings.review_interval_months, settings.chronic_red_periods) == (12, 3)
    assert settings.mandated_share_target is None


def test_a_review_due_after_the_year_9999_is_not_due(tmp_path: Path) -> None:
    from pmo_xl.facts import Facts

    path = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", None, {"Setting": "Review Interval Months", "Value": 120}),
        Edit("Services", "SVC-001", {"Last Reviewed": dt.date(9998, 6, 1)})])
    due = Facts(read_master(path), dt.date(9998, 12, 31)).reviews_due
    assert "SVC-001" not in {item.record for item in due}
    assert "PRD-001" in {item.record for item in due}  # reviewed 2026: long overdue


# --- every setting, parsed once: the same answer in every command ---------------------------

ODD = ["6.0", "²", "", "0", "121"]


@pytest.mark.parametrize("info", SETTINGS_DECLARED, ids=lambda i: i.name)
@pytest.mark.parametrize("value", ODD)
def test_a_setting_gives_one_answer_in_every_command(info, value, tmp_path: Path) -> None:
    """check, actions, the reports, the pack and the catalogue all read the setting through
    one parser: the value they use is the same, none of them crashes, and check's G108
    names it exactly when it is filled in but cannot be read."""
    from pmo_xl import api

    edits = [Edit("Settings", "Mandated Share Target", None),
             Edit("Settings", None, {"Setting": info.name, "Value": value})]
    if info.name == "Organisation":
        edits = [Edit("Settings", "Organisation", {"Value": value}),
                 Edit("Settings", "Mandated Share Target", None)]
    path = write_example(tmp_path / "m.xlsx", edits)
    expected = parse(info, value)
    used = expected if expected is not None else info.default
    result = api.check(path, EXAMPLE_AS_OF)
    g108 = [f.address for f in result.findings if f.rule == "G108"]
    assert g108 == (["Settings!B3"] if unreadable(info, value) else [])
    assert unreadable(info, value) == (value.strip() != "" and expected is None)
    runs = {
        "check": result,
        "actions": api.actions(path, EXAMPLE_AS_OF).result,
        "pack": api.pack(path, EXAMPLE_AS_OF, tmp_path / "pack", since="none").result,
        "catalogue": api.catalogue(path, EXAMPLE_AS_OF, tmp_path / "c.html").result,
    }
    for command, run in runs.items():
        assert getattr(run.facts.settings, info.field) == used, command


def test_six_point_oh_months_is_six_months_for_reviews_and_actions(tmp_path: Path) -> None:
    """Review Interval Months "6.0" once meant 6 months to the review rules and 12 to the
    actions list: one parser now, so both say six."""
    from pmo_xl import api

    path = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", None, {"Setting": "Review Interval Months", "Value": "6.0"})])
    found = api.actions(path, EXAMPLE_AS_OF)
    assert found.facts.settings.review_interval_months == 6
    assert any(f.rule == "V103" for f in found.result.findings)
    strategy = next(r for r in found.facts.reviews if r.record == "Service Strategy")
    assert strategy.due == dt.date(2026, 10, 1)

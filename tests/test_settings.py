"""The Settings sheet: values read leniently, unreadable ones reported and ignored."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmo_xl.master import read_master
from pmo_xl.settings import DEFAULT_MANDATED_SHARE, read_settings, read_share
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit

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
    assert read_settings(read_master(path)).mandated_share_target == DEFAULT_MANDATED_SHARE
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

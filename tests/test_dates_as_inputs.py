"""Dates at the calendar's ends, as an --as-of or a Settings Reporting Period (issue 13).

A Reporting Period of 9999-12-31 crashed `check`, 0001-01-01 crashed the reports, and an
--as-of in year 1 crashed every command: the KPI checks look one period ahead and the trends
twelve back, past what a date can hold. Such a setting is now unreadable (G108, at its cell)
and such an --as-of one sentence.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmo_xl import api
from pmo_xl.errors import CannotCheck
from pmo_xl.period import FIRST_DAY, LAST_DAY, step_back, usable
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.settings import read_date

from .conftest import check_json

AS_OF = EXAMPLE_AS_OF.isoformat()


def with_period(tmp_path: Path, value) -> Path:
    return write_example(tmp_path / "master.xlsx", [
        Edit("Settings", None, {"Setting": "Reporting Period", "Value": value})])


# Text dates reach every year a date can hold; a real Excel date only 1900 to 9999.
EXTREMES = [dt.date(9999, 12, 31), dt.date(9999, 12, 1), "9999-12-31", "0001-01-01",
            "0001-02-01", "1899-12-01"]


@pytest.mark.parametrize("value", EXTREMES, ids=str)
def test_an_extreme_reporting_period_is_g108_not_a_crash(tmp_path, value):
    path = with_period(tmp_path, value)
    report = check_json(path)
    g108 = [f for f in report["findings"] if f["rule"] == "G108"]
    assert [(f["sheet"], f["cell"]) for f in g108] == [("Settings", "B4")]
    assert "Reporting Period" in g108[0]["message"]


@pytest.mark.parametrize("value", EXTREMES, ids=str)
@pytest.mark.parametrize("kind", ["status", "kpi"])
def test_reports_with_an_extreme_reporting_period_are_written(tmp_path, run_cli, value, kind):
    path = with_period(tmp_path, value)
    out = tmp_path / f"{kind}.xlsx"
    result = run_cli("report", kind, path, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 0, result.output
    assert out.exists()


@pytest.mark.parametrize("as_of", ["0001-01-01", "0001-03-05", "0001-12-05", "1800-06-30",
                                   "9999-12-31"])
@pytest.mark.parametrize("command", [("check",), ("report", "status"), ("report", "kpi"),
                                     ("pack",)], ids=" ".join)
def test_an_as_of_outside_the_calendar_is_one_sentence(example_master, run_cli, as_of,
                                                       command):
    result = run_cli(*command, example_master, "--as-of", as_of)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{as_of} is outside the dates pmo-xl can work from" in result.stderr


def test_the_demo_refuses_such_an_as_of_too(tmp_path, run_cli):
    result = run_cli("demo", tmp_path / "demo", "--as-of", "0001-01-01")
    assert result.exit_code == 2
    assert not (tmp_path / "demo").exists()


def test_the_first_and_last_usable_days_work(example_master, run_cli, tmp_path):
    for day in (FIRST_DAY, LAST_DAY):
        for command in (("check",), ("report", "kpi")):
            out = ["-o", tmp_path / f"{day}.xlsx"] if command[0] == "report" else []
            result = run_cli(*command, example_master, "--as-of", day.isoformat(), *out)
            assert result.exit_code in (0, 1), (day, command, result.output)


def test_the_api_refuses_an_as_of_outside_the_calendar(example_master):
    with pytest.raises(CannotCheck, match="outside the dates"):
        api.check(example_master, dt.date(1, 1, 1))


def test_reporting_period_range_and_trend_arithmetic():
    assert read_date(dt.date(9999, 12, 31)) is None and read_date("0001-01-01") is None
    assert read_date("2026-10-01") == dt.date(2026, 10, 1)
    assert usable(FIRST_DAY) and usable(LAST_DAY)
    assert not usable(FIRST_DAY - dt.timedelta(days=1))
    # twelve quarters back from the first usable day is still a date Excel can show
    assert step_back("Quarterly", FIRST_DAY, 12) >= dt.date(1900, 1, 1)

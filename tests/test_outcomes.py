"""What a service is for: an outcome not delivered reaches the agenda's "Improve or close",
and what a risk or issue led to is known once, for the reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmo_xl import api
from pmo_xl.facts.agenda import CHRONIC
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

D = dt.date
# KPI-02 is SVC-001's Outcome KPI (quarterly, Lower is better, Red at 6 or more); as of
# 2026-11-15 its reporting period is Q3 2026 and the chronic-Red run is 3 quarters.
QUARTERS = (D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1))


def _kpi_02(*values: float | None) -> list[Edit]:
    """KPI-02's three actuals replaced by `values`, one per quarter (None: no actual)."""
    edits = [Edit("KPI Actuals", "KPI-02", None) for _ in QUARTERS]
    return edits + [Edit("KPI Actuals", None, {"KPI ID": "KPI-02", "Period": period,
                                               "Actual": value, "Reported By": "P-002"})
                     for period, value in zip(QUARTERS, values, strict=True)
                     if value is not None]


def _agenda(tmp_path: Path, edits) -> list:
    path = write_example(tmp_path / "master.xlsx", edits)
    return api.check(path, EXAMPLE_AS_OF).agenda


def _improve_or_close(tmp_path: Path, edits) -> list:
    return [d for d in _agenda(tmp_path, edits) if d.kind == CHRONIC]


def test_an_outcome_without_data_for_the_run_is_improve_or_close(tmp_path: Path) -> None:
    mine = _improve_or_close(tmp_path, _kpi_02(None, None, None))
    assert [(d.record, d.sheet, d.row, d.column, d.decider) for d in mine] == [
        ("SVC-001", "Services", 2, "Stage", "P-001")]
    assert "KPI-02" in mine[0].summary and "3 periods in a row" in mine[0].summary
    assert "Decisions taken on current, trusted portfolio data" in mine[0].summary
    assert mine[0].about == ("P-002",)  # the KPI's owner hears of it


def test_one_period_that_is_not_red_keeps_it_off_the_agenda(tmp_path: Path) -> None:
    # Q1 and Q2 without data, Q3 Amber (5: worse than the target 2, better than Red at 6).
    assert _improve_or_close(tmp_path, _kpi_02(None, None, 5)) == []


def test_red_and_no_data_together_count(tmp_path: Path) -> None:
    # Q1 Red (7), Q2 without data, Q3 Red (6): the gap ends V104's run; the outcome is unmet.
    mine = _improve_or_close(tmp_path, _kpi_02(7, None, 6))
    assert [d.record for d in mine] == ["SVC-001"]


def test_an_outcome_kpi_red_for_the_run_is_asked_once(tmp_path: Path) -> None:
    """V104 already puts the chronically Red KPI on the agenda: the service is not asked
    about a second time for the same run."""
    mine = _improve_or_close(tmp_path, _kpi_02(7, 7, 7))
    assert [(d.record, d.sheet) for d in mine] == [("KPI-02", "KPI Actuals")]


def test_a_service_not_live_for_the_whole_run_is_not_judged(tmp_path: Path) -> None:
    edits = [*_kpi_02(None, None, None), Edit("Services", "SVC-001",
                                              {"Go-live Date": D(2026, 3, 2)})]
    assert _improve_or_close(tmp_path, edits) == []


def test_led_to_links_changes_and_closures(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Risks and Issues", "RSK-001", {"Led To": " chg-001 "}),
        Edit("Risks and Issues", None, {
            "ID": "ISS-001", "Service ID": "SVC-001", "Type": "Issue", "Severity": "Low",
            "Description": "Boards read the dashboard instead.", "Owner": "P-002",
            "Status": "Closed", "Led To": "closure"})])
    facts = api.check(path, EXAMPLE_AS_OF).facts
    assert facts.led_to_change == {"CHG-001": ["RSK-001"]}
    assert facts.led_to_closure == {"SVC-001": ["ISS-001"]}

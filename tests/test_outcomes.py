"""What a service is for: an outcome not delivered reaches the agenda's "Improve or close",
and what a risk or issue led to is known once, for the reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from pmo_xl import api
from pmo_xl.facts.agenda import CHRONIC
from pmo_xl.reports.outcomes_sheet import NOT_MEASURED, OUTCOMES_SHEET
from pmo_xl.reports.status import write_status_report
from pmo_xl.reports.styles import RAG
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

D = dt.date
# KPI-02 is SVC-001's Outcome KPI (quarterly, Lower is better, Red at 6 or more); as of
# 2026-11-15 its reporting period is Q3 2026 and the chronic-Red run is 3 quarters.
FILL_AMBER = RAG["Amber"]["bg_color"].lstrip("#").upper()
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


# --- the status report: Outcomes sheet, pilot results, what items led to ------------------


def _status(tmp_path: Path, edits) -> openpyxl.Workbook:
    path = write_example(tmp_path / "master.xlsx", edits)
    result = api.check(path, EXAMPLE_AS_OF)
    return openpyxl.load_workbook(write_status_report(result, tmp_path / "status.xlsx"))


def _rows(sheet) -> list[dict]:
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if r[0] is not None
            and len([v for v in r if v is not None]) > 1]


def test_the_outcomes_sheet_goes_objective_outcome_service_kpi(tmp_path: Path) -> None:
    book = _status(tmp_path, [])
    rows = _rows(book[OUTCOMES_SHEET])
    running = next(r for r in rows if r["Service ID"] == "SVC-001")
    assert running["Objective ID"] == "OBJ-1"
    assert running["Objective"].startswith("Deliver the change portfolio")
    assert running["Desired Outcome"] == "Decisions taken on current, trusted portfolio data."
    assert (running["KPI ID"], running["Target"], running["Latest"], running["RAG"]) == (
        "KPI-02", 2, 2, "Green")
    assert running["Trend (oldest first)"] == "– → – → – → 5 → 3 → 2 (2025 Q2 to 2026 Q3)"
    assert running["Delivering its outcome?"] == "Yes: on target"
    # SVC-002, in Design, has no Outcome KPI yet: it says so.
    design = next(r for r in rows if r["Service ID"] == "SVC-002")
    assert design["KPI ID"] is None and design["Delivering its outcome?"] == NOT_MEASURED
    # Proposed SVC-003 is not there: it delivers nothing yet.
    assert "SVC-003" not in {r["Service ID"] for r in rows}


def test_the_outcomes_sheet_says_when_the_outcome_is_on_the_agenda(tmp_path: Path) -> None:
    rows = _rows(_status(tmp_path, _kpi_02(None, None, None))[OUTCOMES_SHEET])
    running = next(r for r in rows if r["Service ID"] == "SVC-001")
    assert running["Delivering its outcome?"] == (
        "Not shown for 3 periods in a row: on the agenda to improve or close")


def test_the_pipeline_shows_the_pilot_result(tmp_path: Path) -> None:
    book = _status(tmp_path, [Edit("Services", "SVC-002", {
        "Stage": "Transition", "Pilot Start": D(2026, 8, 3), "Pilot Result": "Partly met",
        "Pilot Result Date": D(2026, 9, 28), "Sign-off Date": D(2026, 10, 1)})])
    sheet = book["Set-up pipeline"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("Pilot Result") + 1)
    assert sheet.cell(2, 1).value == "SVC-002"
    assert cell.value == "Partly met (2026-09-28)"
    assert cell.fill.fgColor.rgb.endswith(FILL_AMBER)
    missing = sheet.cell(2, header.index("Missing before the next stage") + 1).value
    assert "an Outcome KPI with its Target" in missing  # no KPI measures its outcome yet
    assert "Pilot Result" not in missing  # it has one


def test_a_change_and_a_closure_show_the_items_that_led_to_them(tmp_path: Path) -> None:
    book = _status(tmp_path, [
        Edit("Changes", None, {"Change ID": "CHG-002", "Service ID": "SVC-001",
                               "Type": "Change request", "Description": "Send reminders.",
                               "Status": "Proposed", "Requested Date": D(2026, 11, 2)}),
        Edit("Risks and Issues", "RSK-001", {"Led To": "CHG-002"}),
        Edit("Services", "SVC-002", {"Stage": "Closing", "Closure Reason": "No longer "
                                     "advantageous", "Closure Approved By": "P-002",
                                     "Closure Approved Date": D(2026, 11, 2)}),
        Edit("Risks and Issues", None, {
            "ID": "ISS-001", "Service ID": "SVC-002", "Type": "Issue", "Severity": "Low",
            "Description": "Boards track benefits themselves.", "Owner": "P-002",
            "Status": "Closed", "Led To": "Closure"})])
    change = next(r for r in _rows(book["Changes in flight"]) if r["Change ID"] == "CHG-002")
    assert change["Raised by (risks or issues)"] == "RSK-001"
    closing = next(r for r in _rows(book["Closing"]) if r["Service ID"] == "SVC-002")
    assert closing["Risks or issues that led to it"] == "ISS-001"

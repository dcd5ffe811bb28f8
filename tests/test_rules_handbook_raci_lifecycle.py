"""H, R and L rules beyond their own failing examples: the other branches, and passing
variants that must stay quiet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pmo_xl.facts import raci_letters as letters
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit, drop_sheet

from .conftest import check_json

D = dt.date


def found(tmp_path: Path, edits: list[Edit], code: str) -> list[tuple[str, str, str]]:
    """(sheet, cell, severity) of every finding of `code` on the example master + edits."""
    report = check_json(write_example(tmp_path / "m.xlsx", edits))
    return [(f["sheet"], f["cell"], f["severity"]) for f in report["findings"]
            if f["rule"] == code]


def messages(tmp_path: Path, edits: list[Edit], code: str) -> list[str]:
    report = check_json(write_example(tmp_path / "m.xlsx", edits))
    return [f["message"] for f in report["findings"] if f["rule"] == code]


# --- H: catalogue against handbook ---------------------------------------------------------


def test_three_process_cycle_is_reported_once_at_its_first_process(tmp_path: Path) -> None:
    edits = [
        Edit("SIPOC", None, {"Service ID": "SVC-001", "Process ID": "PRC-003",
                             "Process Name": "Learn lessons", "Inputs": "Portfolio report",
                             "Outputs": "Lessons"}),
        # matched trimmed and case-insensitively: `  LESSONS ` is PRC-003's `Lessons`
        Edit("SIPOC", "PRC-001", {"Inputs": "Project status updates;  LESSONS "}),
    ]
    assert found(tmp_path, edits, "H110") == [("SIPOC", "E2", "warning")]
    (message,) = messages(tmp_path, edits, "H110")
    assert "PRC-001 -> PRC-003 -> PRC-002 -> PRC-001" in message


def test_a_process_updating_its_own_register_is_not_a_cycle(tmp_path: Path) -> None:
    edits = [Edit("SIPOC", "PRC-002", {"Inputs": "Status dataset; Portfolio report"})]
    assert found(tmp_path, edits, "H110") == []


def test_two_separate_cycles_are_two_findings(tmp_path: Path) -> None:
    edits = [
        Edit("SIPOC", "PRC-001", {"Inputs": "Portfolio report"}),
        Edit("SIPOC", None, {"Service ID": "SVC-002", "Process ID": "PRC-010",
                             "Process Name": "Plan", "Inputs": "Benefit data",
                             "Outputs": "Benefit plan"}),
        Edit("SIPOC", None, {"Service ID": "SVC-002", "Process ID": "PRC-011",
                             "Process Name": "Measure", "Inputs": "Benefit plan",
                             "Outputs": "Benefit data"}),
    ]
    assert found(tmp_path, edits, "H110") == [("SIPOC", "E2", "warning"),
                                              ("SIPOC", "E4", "warning")]


def test_dependency_on_a_closing_service_is_a_warning(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-003", {"Stage": "Closing"}),
             Edit("SIPOC", "PRC-001", {"Service ID": "SVC-003"})]
    assert found(tmp_path, edits, "H109") == [("SIPOC", "E3", "warning")]


def test_dependency_with_a_live_second_source_is_fine(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-003", {"Stage": "Closed"}),
             Edit("SIPOC", "PRC-001", {"Service ID": "SVC-003"}),
             Edit("SIPOC", None, {"Service ID": "SVC-002", "Process ID": "PRC-020",
                                  "Process Name": "Extract status",
                                  "Outputs": "STATUS DATASET"})]
    assert found(tmp_path, edits, "H109") == []


def test_processes_of_a_closed_service_may_depend_on_each_other(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Stage": "Closed"})]
    assert found(tmp_path, edits, "H109") == []


def test_draft_procedure_without_raci_is_a_warning(tmp_path: Path) -> None:
    edits = [Edit("Procedures", None, {"Procedure ID": "PRD-010", "Procedure Name":
                                       "Define benefit profiles", "Service ID": "SVC-002",
                                       "Status": "Draft"})]
    assert found(tmp_path, edits, "H107") == [("Procedures", "A5", "warning")]


def test_retired_procedure_needs_no_raci(tmp_path: Path) -> None:
    edits = [Edit("Procedures", None, {"Procedure ID": "PRD-010", "Procedure Name": "Old",
                                       "Service ID": "SVC-001", "Status": "Retired"})]
    assert found(tmp_path, edits, "H107") == []


def test_retired_procedure_beside_a_live_one_is_fine(tmp_path: Path) -> None:
    edits = [Edit("Procedures", None, {"Procedure ID": "PRD-010", "Procedure Name": "Old chase",
                                       "Service ID": "SVC-001", "Process ID": "PRC-001",
                                       "Status": "Retired"})]
    assert found(tmp_path, edits, "H106") == []


def test_draft_procedure_in_transition_is_an_error(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Stage": "Transition"}),
             Edit("Procedures", "PRD-001", {"Status": "Draft"})]
    assert found(tmp_path, edits, "H103") == [("Procedures", "E2", "error")]


def test_retired_monitoring_procedure_does_not_count(tmp_path: Path) -> None:
    edits = [Edit("Procedures", "PRD-003", {"Status": "Retired"})]
    assert found(tmp_path, edits, "H108") == [("Services", "I2", "warning")]


def test_closed_service_needs_no_procedure(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-003", {"Stage": "Closed"})]
    assert found(tmp_path, edits, "H101") == []


def test_design_process_without_procedure_is_fine(tmp_path: Path) -> None:
    edits = [Edit("SIPOC", None, {"Service ID": "SVC-002", "Process ID": "PRC-010",
                                  "Process Name": "Plan benefits"})]
    assert found(tmp_path, edits, "H102") == []


# --- R: RACI -------------------------------------------------------------------------------


def test_person_column_counts_by_job_role(tmp_path: Path) -> None:
    # P-004 is a PMO Analyst and not SVC-001's owner or manager: the A is too low.
    edits = [Edit("RACI", "PRD-001", {"Service Manager": "R", "P-004": "A"})]
    assert found(tmp_path, edits, "R105") == [("RACI", "L2", "info")]
    assert found(tmp_path, edits, "R101") == []
    (message,) = messages(tmp_path, edits, "R105")
    assert "P-004 (PMO Analyst)" in message


def test_person_column_of_a_manager_may_hold_the_a(tmp_path: Path) -> None:
    edits = [Edit("RACI", "PRD-001", {"Service Manager": "R", "P-003": "A"})]
    assert found(tmp_path, edits, "R105") == []


def test_analyst_who_is_the_service_manager_may_hold_the_a(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Service Managers": "P-002; P-004"}),
             Edit("RACI", "PRD-001", {"Service Manager": "R", "P-004": "A"})]
    assert found(tmp_path, edits, "R105") == []


def test_a_in_a_person_column_counts_towards_exactly_one_a(tmp_path: Path) -> None:
    edits = [Edit("RACI", "PRD-001", {"P-003": "A"})]
    assert found(tmp_path, edits, "R102") == [("RACI", "L2", "error")]


def test_unknown_column_is_not_read_as_a_role(tmp_path: Path) -> None:
    # `Sponsor` is X103's finding; its A neither adds a second A nor a bad letter.
    edits = [Edit("RACI", "PRD-001", {"Sponsor": "A"})]
    assert found(tmp_path, edits, "R102") == []
    assert found(tmp_path, edits, "R104") == []


def test_customer_holding_the_a_is_flagged(tmp_path: Path) -> None:
    edits = [Edit("RACI", "PRD-001", {"Service Manager": None, "Customer": "A"})]
    assert found(tmp_path, edits, "R105") == [("RACI", "J2", "info")]


def test_lenient_spellings_of_raci_letters() -> None:
    assert letters("A/R") == {"A", "R"}
    assert letters(" a / r ") == {"A", "R"}
    assert letters("A, R") == {"A", "R"}
    assert letters("AR") == {"A", "R"}
    assert letters("C/I") == {"C", "I"}
    for bad in ("X", "yes", "Resp", "AIR", "RR", "", 1):
        assert letters(bad) is None, bad


# --- L: lifecycle --------------------------------------------------------------------------


def test_one_mistyped_date_is_reported_once(tmp_path: Path) -> None:
    # Design Start typed a year late: Pilot Start (the next date) is named, nothing else.
    edits = [Edit("Services", "SVC-001", {"Design Start": D(2026, 2, 3)})]
    assert found(tmp_path, edits, "L108") == [("Services", "X2", "error")]


def test_one_mistyped_log_date_is_reported_once(tmp_path: Path) -> None:
    # The Design step typed a year late: only the Pilot step after it is out of order.
    edits = [Edit("Lifecycle Log", "SVC-001", {"Date": D(2026, 2, 3)})]
    assert found(tmp_path, edits, "L114") == [("Lifecycle Log", "D3", "warning")]


def test_planned_end_date_may_be_in_the_future(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Temporary": "Y", "Supports Service": "SVC-002",
                                          "Planned End Date": D(2027, 3, 31)})]
    assert found(tmp_path, edits, "L109") == []
    assert found(tmp_path, edits, "L110") == []
    assert found(tmp_path, edits, "L111") == []


def test_closing_temporary_service_past_its_end_is_not_overrunning(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Temporary": "Y", "Supports Service": "SVC-002",
                                          "Planned End Date": D(2026, 10, 31),
                                          "Stage": "Closing"})]
    assert found(tmp_path, edits, "L111") == []


def test_temporary_service_without_supported_service(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-003", {"Temporary": "Y",
                                          "Planned End Date": D(2027, 3, 31)})]
    assert found(tmp_path, edits, "L110") == [("Services", "T4", "info")]


def test_replacement_that_is_itself_closed(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-003", {"Stage": "Closed"}),
             Edit("Services", "SVC-001", {"Stage": "Closing",
                                          "Closure Reason": "Replaced by another service",
                                          "Closure Approved By": "P-001",
                                          "Closure Approved Date": D(2026, 10, 1),
                                          "Replaced By": "SVC-003"})]
    assert found(tmp_path, edits, "L112") == [("Services", "AH2", "error")]


def test_live_replacement_is_fine(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Stage": "Closing",
                                          "Closure Reason": "Replaced by another service",
                                          "Closure Approved By": "P-001",
                                          "Closure Approved Date": D(2026, 10, 1),
                                          "Replaced By": "SVC-002"})]
    assert found(tmp_path, edits, "L112") == []
    assert found(tmp_path, edits, "L105") == []
    assert found(tmp_path, edits, "L106") == []


def test_closed_service_with_artefacts_not_reviewed(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-001", {"Stage": "Closed", "Closure Reason":
                                          "Objective achieved", "Closure Approved By": "P-001",
                                          "Closure Approved Date": D(2026, 10, 1),
                                          "Closed Date": D(2026, 10, 30),
                                          "Artefacts Reviewed": "N"})]
    assert found(tmp_path, edits, "L107") == [("Services", "AG2", "warning")]


def test_supports_itself(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-003", {"Temporary": "Y", "Supports Service": "SVC-003",
                                          "Planned End Date": D(2027, 3, 31)})]
    assert found(tmp_path, edits, "L119") == [("Services", "T4", "error")]


def test_pilot_may_repeat(tmp_path: Path) -> None:
    edits = [
        Edit("Services", "SVC-002", {"Stage": "Pilot", "Pilot Start": D(2026, 8, 3)}),
        Edit("Lifecycle Log", None, {"Service ID": "SVC-002", "From Stage": "Design",
                                     "To Stage": "Pilot", "Date": D(2026, 8, 3)}),
        Edit("Lifecycle Log", None, {"Service ID": "SVC-002", "From Stage": "Pilot",
                                     "To Stage": "Pilot", "Date": D(2026, 10, 5)}),
    ]
    for code in ("L113", "L114", "L115", "L120"):
        assert found(tmp_path, edits, code) == [], code


def test_rejected_only_from_proposed(tmp_path: Path) -> None:
    edits = [
        Edit("Services", "SVC-002", {"Stage": "Rejected"}),
        Edit("Lifecycle Log", None, {"Service ID": "SVC-002", "From Stage": "Design",
                                     "To Stage": "Rejected", "Date": D(2026, 9, 1)}),
    ]
    assert found(tmp_path, edits, "L113") == [("Lifecycle Log", "C7", "error")]
    # The catalogue row says so too: a Rejected service with an Approved Date.
    assert found(tmp_path, edits, "L121") == [("Services", "V3", "warning")]


def test_rejected_straight_from_proposal_is_fine(tmp_path: Path) -> None:
    edits = [
        Edit("Services", "SVC-003", {"Stage": "Rejected"}),
        Edit("Lifecycle Log", None, {"Service ID": "SVC-003", "From Stage": "Proposed",
                                     "To Stage": "Rejected", "Date": D(2026, 9, 1)}),
    ]
    for code in ("L113", "L115", "L121"):
        assert found(tmp_path, edits, code) == [], code


def test_transition_with_sign_off_passes(tmp_path: Path) -> None:
    edits = [Edit("Services", "SVC-002", {"Stage": "Transition",
                                          "Pilot Start": D(2026, 8, 3),
                                          "Sign-off Date": D(2026, 10, 1)})]
    assert found(tmp_path, edits, "L116") == []
    assert found(tmp_path, edits, "L117") == []


# --- a missing sheet is S101's finding, not a cascade of H, R and L findings ---------------


@pytest.mark.parametrize("sheet", ["SIPOC", "Procedures", "RACI", "People", "Lifecycle Log"])
def test_missing_sheet_does_not_cascade(tmp_path: Path, sheet: str) -> None:
    report = check_json(write_example(tmp_path / "m.xlsx", [drop_sheet(sheet)]))
    assert [f for f in report["findings"] if f["rule"][0] in "HRL"] == []

"""The drift rules at their edges: each pair of versions names exactly the cells it should."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit, drop_sheet

from .conftest import diff_json

D = dt.date
LOG = "Lifecycle Log"


def drift(tmp_path: Path, old_edits=(), new_edits=()) -> list[tuple[str, str, str, bool]]:
    old = write_example(tmp_path / "old.xlsx", old_edits)
    new = write_example(tmp_path / "new.xlsx", new_edits)
    return [(f["rule"], f["sheet"], f["cell"], f.get("in") == "old")
            for f in diff_json(old, new)["findings"]]


def step(sid: str, start: str, end: str, when: dt.date) -> Edit:
    return Edit(LOG, None, {"Service ID": sid, "From Stage": start, "To Stage": end,
                            "Date": when, "Approved By": "P-002"})


def test_d101_accepts_a_chain_of_logged_steps(tmp_path) -> None:
    moved = Edit("Services", "SVC-002", {"Stage": "Transition", "Pilot Start": D(2026, 9, 1),
                                         "Sign-off Date": D(2026, 10, 1)})
    both = [moved, step("SVC-002", "Design", "Pilot", D(2026, 9, 1)),
            step("SVC-002", "Pilot", "Transition", D(2026, 10, 1))]
    assert [f for f in drift(tmp_path, (), both) if f[0] == "D101"] == []
    one = [moved, step("SVC-002", "Pilot", "Transition", D(2026, 10, 1))]
    assert [f for f in drift(tmp_path, (), one) if f[0] == "D101"] == [
        ("D101", "Services", "I3", False)]


def test_d101_asks_no_log_of_a_master_that_keeps_none(tmp_path) -> None:
    moved = Edit("Services", "SVC-002", {"Stage": "Pilot"})
    assert drift(tmp_path, [drop_sheet(LOG)], [drop_sheet(LOG), moved]) == []


def test_d102_names_each_deleted_record_in_the_old_version(tmp_path) -> None:
    found = drift(tmp_path, (), [Edit("Procedures", "PRD-003", None),
                                 Edit("KPI Actuals", "KPI-02", None),
                                 Edit("Services", "SVC-003", None)])
    assert found == [("D102", "Services", "A4", True), ("D102", "Procedures", "A4", True),
                     ("D102", "KPI Actuals", "A12", True)]


def test_d102_names_a_sheet_that_is_gone_once(tmp_path) -> None:
    # diff runs no S101: the sheet's records are gone, and that is one drift error.
    assert drift(tmp_path, (), [drop_sheet("Risks and Issues")]) == [
        ("D102", "Risks and Issues", "A1", True)]


def test_d105_procedure_changes_review_dates_and_raci_removals(tmp_path) -> None:
    reviewed = Edit("Procedures", "PRD-001", {"Last Reviewed": D(2026, 11, 2)})
    assert drift(tmp_path, (), [reviewed]) == []  # a review alone changes nothing
    renamed = Edit("Procedures", "PRD-001", {"Version": "1.3",
                                             "Tools and Techniques": "Status portal"})
    assert drift(tmp_path, (), [renamed]) == [("D105", "Procedures", "F2", False)]
    removed = Edit("RACI", "PRD-002", None)
    assert drift(tmp_path, (), [removed]) == [("D105", "RACI", "A4", True)]
    # A Design service's handbook may change freely while it is set up.
    design = [Edit("Procedures", None, {"Procedure ID": "PRD-009", "Procedure Name": "Draft",
                                        "Service ID": "SVC-002", "Status": "Draft"})]
    assert drift(tmp_path, (), design) == []


def test_d106_a_removed_log_step_and_a_reapproved_one(tmp_path) -> None:
    found = drift(tmp_path, (), [Edit(LOG, "SVC-002", None),
                                 Edit(LOG, "SVC-001", {"Approved By": "P-002"})])
    assert found == [("D106", LOG, "E2", False), ("D106", LOG, "A6", True)]


def test_d107_a_critical_item_downgraded_to_high_is_still_reported(tmp_path) -> None:
    critical = Edit("Risks and Issues", "RSK-001", {"Severity": "Critical"})
    high = Edit("Risks and Issues", "RSK-001", {"Severity": "High"})
    assert drift(tmp_path, [critical], [high]) == [("D107", "Risks and Issues", "E2", False)]
    raised = Edit("Risks and Issues", "RSK-001", {"Severity": "Critical"})
    assert drift(tmp_path, [high], [raised]) == []


def test_a_live_waiver_in_the_new_version_waives_a_drift_finding(tmp_path) -> None:
    waiver = Edit("Waivers", None, {"Rule": "D104", "Record": "KPI-01",
                                    "Reason": "Restated after the audit", "Approved By": "P-001",
                                    "Expires": D(2027, 1, 31)})
    old = write_example(tmp_path / "old.xlsx", [waiver])
    new = write_example(tmp_path / "new.xlsx", [waiver, Edit("KPI Actuals", "KPI-01",
                                                             {"Actual": 91})])
    report = diff_json(old, new)
    assert [(f["rule"], f["waived"]) for f in report["findings"]] == [("D104", True)]
    assert report["summary"]["warning"] == 0


def test_rules_lists_and_explains_the_drift_family() -> None:
    runner = CliRunner()
    listing = runner.invoke(cli, ["rules"]).output
    assert "D  Drift since the previous version  (two versions: pmo-xl diff, pmo-xl pack)" in (
        listing)
    explained = runner.invoke(cli, ["rules", "D101"]).output
    assert "old: the clean example master" in explained
    assert "new: Services, row of SVC-002: Stage = 'Pilot'" in explained
    assert "-> D101 names Services!I3" in explained

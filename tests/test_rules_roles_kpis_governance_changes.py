"""Branches of the O, K, G and C rules beyond each rule's own failing example."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pandas as pd

from pmo_xl.facts import Facts
from pmo_xl.validators.examples import EXAMPLE_AS_OF, base_rows, write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.master import read_master
from pmo_xl.workbook.template import write_master

from .conftest import check_json

D = dt.date
RULES = load_rules()


def found(report: dict, code: str) -> list[tuple[str, str]]:
    """(sheet, cell) of each finding of rule `code`."""
    return [(f["sheet"], f["cell"]) for f in report["findings"] if f["rule"] == code]


def findings(report: dict, code: str) -> list[dict]:
    return [f for f in report["findings"] if f["rule"] == code]


def check_edits(tmp_path: Path, edits: list[Edit], *extra: str) -> dict:
    return check_json(write_example(tmp_path / "m.xlsx", edits), *extra)


# --- O: roles -------------------------------------------------------------------------------


def test_owner_who_is_a_pmo_manager_passes_and_unknown_person_is_left_to_x101(
        tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Service Owner": "P-002"}),
        Edit("Services", "SVC-002", {"Service Owner": "P-099"}),
    ])
    assert found(report, "O101") == []
    assert ("Services", "P3") in found(report, "X101")


def test_every_unfit_service_manager_is_named_in_one_finding(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Service Managers": "P-002; P-005; P-001"}),
    ])
    [finding] = findings(report, "O102")
    assert finding["cell"] == "Q2"
    # People are named by name, the Person ID in brackets.
    assert "Sam Admin (P-005), a PMO Administrator" in finding["message"]
    assert "Dana Director (P-001), a PMO Director" in finding["message"]
    assert "P-002" not in finding["message"]


def test_service_of_two_pmos_with_a_manager_in_each_passes(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Operatives": "P-004; P-006",
                                     "Service Managers": "P-002; P-003"}),
    ])
    assert found(report, "O103") == []


def test_lead_pmo_without_a_manager_is_reported(tmp_path: Path) -> None:
    # SVC-001 is led by PMO-1 but managed only from PMO-2.
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Service Managers": "P-003"}),
    ])
    [finding] = findings(report, "O103")
    assert finding["cell"] == "Q2" and "is led by PMO-1" in finding["message"]
    # The seed's "may be multiple Service Managers": information, never a warning.
    assert finding["severity"] == "info"
    assert report["summary"]["warning"] == 0


def test_manager_per_pmo_waits_until_pilot(tmp_path: Path) -> None:
    # SVC-002 is in Design: managers are appointed, not yet required per delivering PMO.
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-002", {"Operatives": "P-004"}),
    ])
    assert found(report, "O103") == []


def test_outsourced_without_pmo_manager_is_o106_not_o103(tmp_path: Path) -> None:
    edits = list(RULES["O106"].fails.edits)
    report = check_edits(tmp_path, edits)
    assert found(report, "O106") == [("Services", "Q2")]
    assert found(report, "O103") == []


def test_outsourced_service_managed_from_the_pmo_passes(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Delivery": "Outsourced internal"}),
    ])
    assert found(report, "O106") == []


def test_handbook_owned_by_a_director_is_reported(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Documents", "Operations Handbook", {"Owner": "P-001"}),
    ])
    [finding] = findings(report, "O104")
    assert finding["cell"] == "B4" and "PMO Manager" in finding["message"]


def test_missing_documents_sheet_is_left_to_s101(tmp_path: Path) -> None:
    from pmo_xl.validators.registry import drop_sheet

    report = check_edits(tmp_path, [drop_sheet("Documents")])
    assert found(report, "O105") == []
    assert found(report, "S101") == [("Documents", "A1")]


def test_missing_document_carries_its_name_as_record(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Documents", "Operations Handbook", None)])
    [finding] = findings(report, "O105")
    assert finding["record"] == "Operations Handbook"


# --- K: KPIs --------------------------------------------------------------------------------


def test_lower_is_better_thresholds(tmp_path: Path) -> None:
    # KPI-02 is Lower is better: Target 2 < Amber 4 < Red 6 passes K102. Red 3 is below
    # Amber 4, so the red threshold is named.
    report = check_edits(tmp_path, [Edit("KPIs", "KPI-02", {"Amber Threshold": 4,
                                                            "Red Threshold": 3})])
    [finding] = findings(report, "K102")
    assert finding["cell"] == "H3" and "Lower is better" in finding["message"]
    report = check_edits(tmp_path, [Edit("KPIs", "KPI-02", {"Amber Threshold": 1})])
    assert found(report, "K102") == [("KPIs", "G3")]


def test_thresholds_that_differ_say_the_amber_one_decides_nothing(tmp_path: Path) -> None:
    """K109 (info) sits on the Amber Threshold and names both cells; equal thresholds are
    K102's, and one threshold alone decides every colour."""
    report = check_edits(tmp_path, [Edit("KPIs", "KPI-02", {"Amber Threshold": 4})])
    [finding] = findings(report, "K109")
    assert (finding["cell"], finding["severity"]) == ("G3", "info")
    assert "KPIs!G3" in finding["message"] and "KPIs!H3" in finding["message"]
    assert "between 4 and 6 is Amber" in finding["message"]
    assert findings(report, "K102") == []
    report = check_edits(tmp_path, [Edit("KPIs", "KPI-01", {"Red Threshold": 90})])
    assert found(report, "K109") == [] and found(report, "K102") == [("KPIs", "H2")]
    assert found(check_edits(tmp_path, []), "K109") == []  # one threshold each


def test_equal_thresholds_and_blank_amber(tmp_path: Path) -> None:
    # Red equal to Amber is out of order; with Amber blank, Red is compared with Target.
    report = check_edits(tmp_path, [Edit("KPIs", "KPI-01", {"Red Threshold": 90})])
    assert found(report, "K102") == [("KPIs", "H2")]
    report = check_edits(tmp_path, [
        Edit("KPIs", "KPI-01", {"Amber Threshold": None, "Red Threshold": 96}),
    ])
    assert found(report, "K102") == [("KPIs", "H2")]
    report = check_edits(tmp_path, [Edit("KPIs", "KPI-01", {"Amber Threshold": None})])
    assert found(report, "K102") == []


def _without_actual(kpi: str, period: D) -> dict:
    rows = base_rows()
    rows["KPI Actuals"] = [
        r for r in rows["KPI Actuals"] if not (r["KPI ID"] == kpi and r["Period"] == period)
    ]
    return rows


def test_quarterly_kpi_needs_last_complete_quarter(tmp_path: Path) -> None:
    # As of 2026-11-15 the last complete quarter is Q3 (2026-07-01).
    path = write_master(tmp_path / "m.xlsx", _without_actual("KPI-02", D(2026, 7, 1)))
    [finding] = findings(check_json(path), "K103")
    assert (finding["sheet"], finding["cell"]) == ("KPIs", "A3")
    assert finding["record"] == "KPI-02" and "2026 Q3" in finding["message"]


def test_monthly_kpi_missing_last_month(tmp_path: Path) -> None:
    path = write_master(tmp_path / "m.xlsx", _without_actual("KPI-01", D(2026, 10, 1)))
    assert found(check_json(path), "K103") == [("KPIs", "A2")]


def test_later_as_of_needs_later_periods(tmp_path: Path) -> None:
    # As of 2027-01-15: December for monthly KPI-01, Q4 (October) for quarterly KPI-02.
    report = check_json(write_example(tmp_path / "m.xlsx"), "--as-of", "2027-01-15")
    assert found(report, "K103") == [("KPIs", "A2"), ("KPIs", "A3")]
    assert "Dec 2026" in findings(report, "K103")[0]["message"]
    assert "2026 Q4" in findings(report, "K103")[1]["message"]


def test_settings_reporting_period_overrides_monthly_period(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Settings", None, {"Setting": "Reporting Period", "Value": D(2026, 11, 1)}),
    ])
    assert found(report, "K103") == [("KPIs", "A2")]


def test_service_live_after_the_period_is_not_yet_due(tmp_path: Path) -> None:
    new_kpi = dict(RULES["K103"].fails.edits[0].values)
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Go-live Date": D(2026, 11, 2)}),
        Edit("KPIs", None, new_kpi),
    ])
    assert found(report, "K103") == []


def test_kpi_of_a_service_not_running_needs_no_actual(tmp_path: Path) -> None:
    new_kpi = dict(RULES["K103"].fails.edits[0].values, **{"Service ID": "SVC-002"})
    report = check_edits(tmp_path, [Edit("KPIs", None, new_kpi)])
    assert found(report, "K103") == []


def test_actual_for_the_current_period_is_not_in_the_future(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("KPI Actuals", None, {"KPI ID": "KPI-01", "Period": D(2026, 11, 1), "Actual": 90}),
    ])
    assert found(report, "K104") == []


def test_each_later_duplicate_is_named_with_the_first_row(tmp_path: Path) -> None:
    extra = {"KPI ID": "KPI-02", "Period": D(2026, 4, 1), "Actual": 4}
    report = check_edits(tmp_path, [Edit("KPI Actuals", None, extra),
                                    Edit("KPI Actuals", None, extra)])
    cells = found(report, "K105")
    assert cells == [("KPI Actuals", "B15"), ("KPI Actuals", "B16")]
    assert "row 13" in findings(report, "K105")[0]["message"]


def test_monthly_period_on_day_other_than_first(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("KPI Actuals", "KPI-01", {"Period": D(2026, 1, 15)})])
    [finding] = findings(report, "K106")
    assert finding["cell"] == "B2" and "2026-01-01" in finding["hint"]


def test_mid_quarter_actual_still_counts_for_its_quarter(tmp_path: Path) -> None:
    rows = _without_actual("KPI-02", D(2026, 7, 1))
    rows["KPI Actuals"].append({"KPI ID": "KPI-02", "Period": D(2026, 8, 1), "Actual": 2})
    report = check_json(write_master(tmp_path / "m.xlsx", rows))
    assert found(report, "K103") == []
    assert found(report, "K106") == [("KPI Actuals", "B14")]


def test_kpi_rules_are_fast_on_200k_actuals(tmp_path: Path) -> None:
    master = read_master(write_example(tmp_path / "m.xlsx"))
    table = master["KPI Actuals"]
    count = 200_000
    kpis = [f"KPI-{i % 2000:04d}" for i in range(count)]
    periods = [D(2000 + (i // 2000) // 12, (i // 2000) % 12 + 1, 1) for i in range(count)]
    frame = pd.DataFrame({"KPI ID": kpis, "Period": periods, "Actual": [1.0] * count},
                         index=pd.Index(range(2, count + 2), name="row"), dtype=object)
    for header in table.data.columns:
        if header not in frame:
            frame[header] = None
    frame.loc[count + 1, "Period"] = D(2030, 1, 1)  # one future actual, one duplicate
    frame.loc[count, "Period"] = frame.loc[count - 2000, "Period"]
    table.data = table.raw = frame
    facts = Facts(master, EXAMPLE_AS_OF)
    start = time.perf_counter()
    results = {code: list(RULES[code].run(facts))
               for code in ("K101", "K102", "K103", "K104", "K105", "K106")}
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"K rules took {elapsed:.1f}s on {count} actuals"
    assert [f.row for f in results["K104"]] == [count + 1]
    assert [f.row for f in results["K105"]] == [count]


# --- G: governance and capacity ------------------------------------------------------------


def test_capacity_over_two_services(tmp_path: Path) -> None:
    # PMO-1 leads SVC-001 (Running, 2 FTE) and SVC-003 (0.5 FTE): 2.5 > 2.2 once SVC-003
    # is in Design; while it is Proposed it does not count.
    report = check_edits(tmp_path, [Edit("PMOs", "PMO-1", {"Capacity FTE": 2.2})])
    assert found(report, "G102") == []
    report = check_edits(tmp_path, [
        Edit("PMOs", "PMO-1", {"Capacity FTE": 2.2}),
        Edit("Services", "SVC-003", {"Stage": "Design"}),
    ])
    [finding] = findings(report, "G102")
    assert finding["cell"] == "E2" and finding["record"] == "PMO-1"
    assert "2 active service(s)" in finding["message"] and "2.5" in finding["message"]


def test_capacity_exactly_used_passes(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("PMOs", "PMO-1", {"Capacity FTE": 2.3}),
        Edit("Services", "SVC-001", {"Planned FTE": 0.1 + 0.2}),
        Edit("Services", "SVC-003", {"Stage": "Design", "Planned FTE": 2}),
    ])
    assert found(report, "G102") == []


def test_mandated_share_is_judged_only_against_a_target_settings_sets(tmp_path: Path) -> None:
    # SVC-001 is Menu now: no active effort is mandated. The talk notes' 50% is an example,
    # not a default: without the setting there is nothing to fall short of.
    menu = Edit("Services", "SVC-001", {"Offering": "Menu"})
    report = check_edits(tmp_path, [Edit("Settings", "Mandated Share Target", None), menu])
    assert found(report, "G103") == []
    report = check_edits(tmp_path, [menu])
    [finding] = findings(report, "G103")
    assert (finding["sheet"], finding["cell"]) == ("Settings", "B3")
    assert finding["severity"] == "info" and "0%" in finding["message"]
    assert "target of 50%" in finding["message"]


def test_mandated_share_at_target_passes(tmp_path: Path) -> None:
    # Mandated 2 FTE of 4: exactly 50%.
    report = check_edits(tmp_path, [Edit("Services", "SVC-002", {"Planned FTE": 2})])
    assert found(report, "G103") == []


def test_serious_item_at_service_ownership_or_closed_passes(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Risks and Issues", "RSK-001", {
        "Severity": "Critical", "Type": "Issue", "Escalation Level": "Service Ownership"})])
    assert found(report, "G105") == []
    report = check_edits(tmp_path, [Edit("Risks and Issues", "RSK-001", {
        "Severity": "High", "Status": "Closed", "Target Date": D(2026, 10, 1)})])
    assert found(report, "G105") == [] and found(report, "G106") == []


def test_mitigating_item_without_escalation_level(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Risks and Issues", "RSK-001", {
        "Severity": "Critical", "Status": "Mitigating", "Escalation Level": None})])
    assert found(report, "G105") == [("Risks and Issues", "H2")]


def test_a_proposal_needs_an_objective_and_a_rejected_one_does_not(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-003", {"Strategic Objective": None}),
    ])
    assert found(report, "G101") == [("Services", "L4")]
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-003", {"Strategic Objective": None, "Stage": "Rejected"}),
    ])
    assert found(report, "G101") == []


def test_priority_typed_as_text_is_left_to_structure(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Services", "SVC-003", {"Priority": "high"})])
    assert found(report, "G104") == []
    assert ("Services", "M4") in found(report, "S105")


# --- C: changes -----------------------------------------------------------------------------


def test_agreed_change_without_approver(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", {"Approved By": None})])
    [finding] = findings(report, "C101")
    assert finding["cell"] == "H2" and "blank" in finding["message"]


def test_proposed_change_needs_no_approval(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", {
        "Status": "Proposed", "Approved By": None, "Approved Date": None,
        "Catalogue Updated": "N", "Handbook Updated": "N"})])
    for code in ("C101", "C102", "C104", "C105"):
        assert found(report, code) == [], code


def test_approved_date_in_the_future(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", {"Approved Date": D(2026, 12, 1)})])
    [finding] = findings(report, "C103")
    assert finding["cell"] == "I2" and "as-of" in finding["message"]


def test_with_affects_blank_the_strategy_update_follows_the_reason(tmp_path: Path) -> None:
    unsaid = {"Affects": None}
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", unsaid | {
        "Reason": "Policy or tools"})])
    assert found(report, "C106") == [("Changes", "J2")]
    assert [f["severity"] for f in report["findings"] if f["rule"] == "C106"] == ["warning"]
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", unsaid | {
        "Reason": "Business context", "Strategy Updated": "Y"})])
    assert found(report, "C106") == []
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", unsaid | {"Reason": "Other"})])
    assert found(report, "C106") == []
    # A change that says what it affects is taken at its word, whatever its Reason.
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", {"Reason": "Policy or tools"})])
    assert found(report, "C106") == []


def test_blank_update_flags_count_as_not_updated(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [Edit("Changes", "CHG-001", {
        "Catalogue Updated": None, "Handbook Updated": None})])
    assert found(report, "C104") == [("Changes", "K2")]
    assert found(report, "C105") == [("Changes", "L2")]


def test_open_change_on_closing_service_is_fine(tmp_path: Path) -> None:
    report = check_edits(tmp_path, [
        Edit("Services", "SVC-001", {"Stage": "Closing"}),
        Edit("Changes", "CHG-001", {"Status": "Proposed"}),
    ])
    assert found(report, "C107") == []


def test_waiver_of_a_k103_finding_is_counted_as_waived(tmp_path: Path) -> None:
    edits = list(RULES["K103"].fails.edits) + [Edit("Waivers", None, {
        "Rule": "K103", "Record": "KPI-03", "Reason": "New KPI, first report in December",
        "Approved By": "P-001", "Expires": D(2026, 12, 31)})]
    [finding] = findings(check_edits(tmp_path, edits), "K103")
    assert finding["waived"] is True

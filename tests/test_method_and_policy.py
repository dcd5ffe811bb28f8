"""The method as written, and a PMO's own policy: rule kinds and the severities they give,
the Rules sheet, changes that say what they affect, KPIs that retire, proposals on the
method's own grounds. Each case is asserted at its cell."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.example.northwind import EXAMPLE_AS_OF as NORTHWIND_AS_OF
from pmo_xl.example.northwind import write_example_master
from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import KIND_SEVERITY, KINDS, Edit

from .conftest import check_json, diff_json, run_process

D = dt.date
RULES = load_rules()
NORTHWIND = NORTHWIND_AS_OF.isoformat()


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def found(report: dict, code: str) -> list[tuple[str, str, str]]:
    """(sheet!cell, severity, record) of each finding of one rule."""
    return [(f"{f['sheet']}!{f['cell']}", f["severity"], f["record"])
            for f in report["findings"] if f["rule"] == code]


def northwind(tmp_path: Path, edits: list[Edit], name: str = "master.xlsx") -> dict:
    path = write_example_master(tmp_path / name, NORTHWIND_AS_OF, edits)
    return check_json(path, "--as-of", NORTHWIND)


def policy_row(rule: str, severity: str, approver: str = "P-001", **more) -> Edit:
    return Edit("Rules", None, {"Rule": rule, "Severity": severity,
                                "Reason": "Our own policy.", "Approved By": approver, **more})


# --- every rule has a kind, and its kind gives its severity ---------------------------------


def test_every_rule_has_a_kind_and_a_reason_and_its_severity_follows() -> None:
    for rule in RULES.values():
        assert rule.kind in KINDS, rule.code
        assert rule.severity == KIND_SEVERITY[rule.kind], rule.code
        assert len(rule.why) > 20, rule.code


def test_rules_code_says_the_kind_and_why_in_plain_words() -> None:
    result = run("rules", "O101")
    assert result.exit_code == 0
    assert result.output.startswith("O101 (info, Roles): ")
    assert ("Kind: convention, so info by default. A Service Owner is typically a PMO "
            "Director or a PMO Manager: typical, not required.") in result.output
    listed = run("rules").output
    assert "  O101  info     convention   A Service Owner is not a PMO Director" in listed
    assert "  C104  error    required     An implemented change is not in" in listed
    assert "Recommended: the method says it should be so" in listed


# --- the cases the documents' words decide, each at its cell ---------------------------------


def test_a_change_that_touched_only_the_handbook_is_not_asked_for_the_catalogue(
        tmp_path: Path) -> None:
    """Northwind's CHG-006 made to update the handbook only: no C104, no C105."""
    only_handbook = {"Catalogue Updated": "N", "Handbook Updated": "Y", "Affects": "Handbook"}
    report = northwind(tmp_path, [Edit("Changes", "CHG-006", only_handbook)])
    assert found(report, "C104") == [] and found(report, "C105") == []
    # Nobody said what it affects: the catalogue update is information, not an error.
    unsaid = northwind(tmp_path, [Edit("Changes", "CHG-006", only_handbook | {"Affects": None})],
                       "unsaid.xlsx")
    assert found(unsaid, "C104") == [("Changes!K7", INFO, "CHG-006")]
    said = northwind(tmp_path, [Edit("Changes", "CHG-006", only_handbook
                                     | {"Affects": "Catalogue; Handbook"})], "said.xlsx")
    assert found(said, "C104") == [("Changes!K7", ERROR, "CHG-006")]


def test_the_demo_needs_no_waiver_for_a_tools_change(tmp_path: Path) -> None:
    report = northwind(tmp_path, [])
    assert found(report, "C106") == []
    assert [f["rule"] for f in report["findings"] if f["waived"]] == ["C101"]
    # With Affects blank, its Reason (Policy or tools) still reads as touching the strategy.
    blank = northwind(tmp_path, [Edit("Changes", "CHG-002", {"Affects": None})], "blank.xlsx")
    assert found(blank, "C106") == [("Changes!J3", WARNING, "CHG-002")]


def test_a_pilot_may_change_its_entry_and_a_running_service_may_not(tmp_path: Path) -> None:
    old = write_example_master(tmp_path / "old.xlsx", NORTHWIND_AS_OF)
    pilot = write_example_master(tmp_path / "pilot.xlsx", NORTHWIND_AS_OF, [
        Edit("Services", "SVC-017", {"Description": "Answers to common questions, on the "
                                     "intranet and in the tool."})])
    assert found(diff_json(old, pilot, "--as-of", NORTHWIND), "D103") == []
    running = write_example_master(tmp_path / "running.xlsx", NORTHWIND_AS_OF, [
        Edit("Services", "SVC-005", {"Description": "Schedules checked every week."})])
    assert found(diff_json(old, running, "--as-of", NORTHWIND), "D103") == [
        ("Services!C6", WARNING, "SVC-005")]


def test_a_design_service_may_raise_its_kpi_target(tmp_path: Path) -> None:
    kpi = Edit("KPIs", None, {"KPI ID": "KPI-03", "Service ID": "SVC-002",
                              "KPI Name": "Benefits with an owner", "Direction": "Higher is better",
                              "Target": 95, "Frequency": "Monthly"})
    old = write_example(tmp_path / "old.xlsx", [kpi])
    new = write_example(tmp_path / "new.xlsx", [Edit("KPIs", None, {**kpi.values, "Target": 96})])
    assert found(diff_json(old, new), "D108") == []
    running = write_example(tmp_path / "running.xlsx", [Edit("KPIs", "KPI-01", {"Target": 96})])
    assert found(diff_json(write_example(tmp_path / "clean.xlsx"), running), "D108") == [
        ("KPIs!F2", WARNING, "KPI-01")]


@pytest.mark.parametrize(("edits", "code", "cell", "severity"), [
    ([Edit("Services", "SVC-001", {"Service Owner": "P-004"})], "O101", "Services!P2", INFO),
    ([Edit("Services", "SVC-001", {"Service Managers": "P-005"})], "O102", "Services!Q2", INFO),
    ([Edit("RACI", "PRD-001", {"Service Manager": "I", "Service Operative": "A/R"})], "R105",
     "RACI!E2", INFO),
    ([Edit("Risks and Issues", "RSK-001", {"Severity": "High"})], "G105",
     "Risks and Issues!H2", INFO),
    ([Edit("Services", "SVC-001", {"Stage": "Closed", "Closure Reason": "Objective achieved",
                                   "Closure Approved By": "P-001",
                                   "Closure Approved Date": D(2026, 10, 1),
                                   "Closed Date": D(2026, 10, 31)})], "L107", "Services!AG2",
     WARNING),
    ([Edit("Services", "SVC-003", {"Temporary": "Y", "Supports Service": "SVC-001"})], "L110",
     "Services!U4", INFO),
], ids=["O101", "O102", "R105", "G105", "L107", "L110"])
def test_what_the_documents_call_typical_or_should(tmp_path: Path, edits, code, cell,
                                                   severity) -> None:
    report = check_json(write_example(tmp_path / "m.xlsx", edits))
    assert [(where, level) for where, level, _ in found(report, code)] == [(cell, severity)]


def test_a_downgrade_is_information_and_a_deletion_a_warning_that_says_retire(
        tmp_path: Path) -> None:
    high = {"Severity": "High", "Escalation Level": "Service Ownership"}
    old = write_example(tmp_path / "old.xlsx", [Edit("Risks and Issues", "RSK-001", high)])
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Risks and Issues", "RSK-001", high | {"Severity": "Medium"}),
        Edit("KPIs", "KPI-02", None)])
    report = diff_json(old, new)
    assert found(report, "D107") == [("Risks and Issues!E2", INFO, "RSK-001")]
    assert found(report, "D102") == [("KPIs!A3", WARNING, "KPI-02")]
    deleted = next(f for f in report["findings"] if f["rule"] == "D102")
    assert deleted["in"] == "old"
    assert "set its Status to Retired with its Retired Date" in deleted["hint"]


# --- the Rules sheet: a PMO's own policy ----------------------------------------------------

SLIPS = [Edit("Services", "SVC-001", {"Service Owner": "P-004"}),  # O101
         Edit("RACI", "PRD-001", {"Service Manager": "R"}),  # R101
         Edit("RACI", "PRD-002", {"Service Manager": "I", "Service Operative": "A/R"})]  # R105


def _all(report: dict) -> set[tuple[str, str, str, str]]:
    return {(f["rule"], f["sheet"], f["cell"], f["severity"]) for f in report["findings"]}


def test_switching_the_raci_rules_off_removes_exactly_their_findings(tmp_path: Path) -> None:
    without = _all(check_json(write_example(tmp_path / "a.xlsx", SLIPS)))
    assert {f[0] for f in without} >= {"O101", "R101", "R105"}
    off = _all(check_json(write_example(tmp_path / "b.xlsx", [*SLIPS, policy_row("r", "Off")])))
    assert off == {f for f in without if not f[0].startswith("R")}


def test_raising_o101_changes_exactly_that_finding(tmp_path: Path) -> None:
    without = _all(check_json(write_example(tmp_path / "a.xlsx", SLIPS)))
    raised = check_json(write_example(tmp_path / "b.xlsx", [*SLIPS,
                                                             policy_row("O101", "Error")]))
    assert _all(raised) == {("O101", s, c, ERROR) if r == "O101" else (r, s, c, v)
                            for r, s, c, v in without}
    assert raised["summary"]["error"] == check_json(
        write_example(tmp_path / "c.xlsx", SLIPS))["summary"]["error"] + 1


def test_check_says_the_master_sets_rules_apart(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [*SLIPS, policy_row("R", "Off")])
    result = run("check", path, "--as-of", "2026-11-15")
    assert result.output.strip().endswith(
        "The master's Rules sheet sets 5 rules apart from the default: "
        "pmo-xl rules --master m.xlsx")
    clean = run("check", write_example(tmp_path / "clean.xlsx"), "--as-of", "2026-11-15")
    assert "Rules sheet" not in clean.output


def test_a_rule_row_beats_its_family_row(tmp_path: Path) -> None:
    report = check_json(write_example(tmp_path / "m.xlsx", [
        *SLIPS, policy_row("R", "Info"), policy_row("R105", "Warning")]))
    assert {(f[0], f[3]) for f in _all(report) if f[0].startswith("R")} == {
        ("R101", INFO), ("R105", WARNING)}


def test_each_governance_defect_of_the_sheet_is_its_own_finding_at_its_cell(
        tmp_path: Path) -> None:
    report = check_json(write_example(tmp_path / "m.xlsx", [
        SLIPS[0],
        policy_row("Q999", "Off"),  # row 2: names no rule
        Edit("Rules", None, {"Rule": "O101", "Severity": "Error"}),  # row 3: no reason, approver
        policy_row("O101", "Error", approver="P-004"),  # row 4: a PMO Analyst approved it
        policy_row("O101", "Error", approver="P-099"),  # row 5: not on People
        policy_row("W", "Off"),  # row 6: the W rules cannot be set
    ]))
    assert found(report, "W103") == [("Rules!A2", WARNING, "Q999"), ("Rules!A6", WARNING, "W")]
    assert found(report, "W104") == [("Rules!C3", WARNING, "O101"),
                                     ("Rules!D3", WARNING, "O101")]
    assert found(report, "W105") == [("Rules!D4", WARNING, "O101")]
    assert ("Rules!D5", ERROR, "O101") in found(report, "X101")
    assert found(report, "S104") == []  # the W rules name the blanks, once
    # None of them is governed, so O101 keeps its default.
    assert found(report, "O101") == [("Services!P2", INFO, "SVC-001")]


def test_select_and_ignore_still_narrow_one_run(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [*SLIPS, policy_row("R", "Off"),
                                               policy_row("O101", "Error")])
    assert check_json(path, "--select", "R")["findings"] == []
    assert found(check_json(path, "--ignore", "O"), "O101") == []
    assert found(check_json(path, "--select", "O101"), "O101") == [
        ("Services!P2", ERROR, "SVC-001")]


def test_rules_master_shows_the_policy_in_force(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [policy_row("R", "Off"),
                                               policy_row("O101", "Error", "P-002"),
                                               policy_row("Q999", "Off")])
    listed = run_process("rules", "--master", path)
    assert listed.returncode == 0, listed.stderr
    out = listed.stdout
    assert "  O101  error*   convention   A Service Owner is not" in out
    assert "  R101  off*     required     An activity has no A" in out
    assert "  O102  info     convention" in out
    assert "m.xlsx's Rules sheet: 6 rules depart from the default." in out
    assert ("  Rules!A2: R (R101, R102, R103, R104, R105) set to off (default error, info); "
            "approved by P-001. Reason: Our own policy.") in out
    assert "  Rules!A4 sets nothing: Q999 is not a rule code or family letter" in out
    one = run("rules", "O101", "--master", path)
    assert "In force in m.xlsx: error (Rules!A3, default info)." in one.output
    plain = run("rules", "O102", "--master", write_example(tmp_path / "clean.xlsx"))
    assert "In force in clean.xlsx: info (the default)." in plain.output
    missing = run_process("rules", "--master", tmp_path / "nowhere.xlsx")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


def test_the_findings_workbook_shows_the_rules_in_force(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [*SLIPS, policy_row("O101", "Error")])
    out = tmp_path / "findings.xlsx"
    assert run("check", path, "--as-of", "2026-11-15", "-o", out, "-q").exit_code == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Findings", "Rules in force"]
    sheet = book["Rules in force"]
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2) if r[0].value}
    assert set(rows) >= set(RULES)
    o101 = rows["O101"]
    assert [c.value for c in o101[:8]] == ["O101", RULES["O101"].title, "convention", "info",
                                           "error", "Yes", "Rules!A2", "Our own policy."]
    assert o101[0].font.b
    assert (o101[6].hyperlink.target, o101[6].hyperlink.location) == ("m.xlsx", "Rules!A2")
    assert [c.value for c in rows["O102"][3:6]] == ["info", "info", "No"]
    assert not rows["O102"][0].font.b
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Rules set apart by the master"] == 1


def test_diff_runs_the_drift_rules_under_the_new_versions_policy(tmp_path: Path) -> None:
    high = {"Severity": "High", "Escalation Level": "Service Ownership"}
    old = write_example(tmp_path / "old.xlsx", [Edit("Risks and Issues", "RSK-001", high)])
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Risks and Issues", "RSK-001", high | {"Severity": "Medium"}),
        policy_row("D107", "Warning")])
    assert found(diff_json(old, new), "D107") == [("Risks and Issues!E2", WARNING, "RSK-001")]
    off = write_example(tmp_path / "off.xlsx", [
        Edit("Risks and Issues", "RSK-001", high | {"Severity": "Medium"}),
        policy_row("D", "Off")])
    assert diff_json(old, off)["findings"] == []


# --- changes to a PMO itself ------------------------------------------------------------------

PMO_CHANGE = {"Change ID": "CHG-002", "PMO ID": "PMO-1", "Type": "Change request",
              "Description": "Raise the satisfaction target.", "Status": "Approved",
              "Approved Date": D(2026, 10, 1)}


def test_a_change_to_a_pmo_is_agreed_by_its_manager_or_a_director(tmp_path: Path) -> None:
    for approver in ("P-002", "P-001"):  # PMO-1's PMO Manager; a PMO Director
        report = check_json(write_example(tmp_path / f"{approver}.xlsx", [
            Edit("Changes", None, PMO_CHANGE | {"Approved By": approver})]))
        assert report["findings"] == [], approver
    analyst = check_json(write_example(tmp_path / "analyst.xlsx", [
        Edit("Changes", None, PMO_CHANGE | {"Approved By": "P-004"})]))
    assert found(analyst, "C101") == [("Changes!H3", ERROR, "CHG-002")]
    both = check_json(write_example(tmp_path / "both.xlsx", [
        Edit("Changes", None, PMO_CHANGE | {"Approved By": "P-002", "Service ID": "SVC-001"})]))
    assert found(both, "C108") == [("Changes!N3", ERROR, "CHG-002")]


def test_a_pmo_change_awaiting_approval_goes_to_the_pmos_manager(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Changes", None, PMO_CHANGE | {"Status": "Proposed", "Approved Date": None})])
    result = run("actions", path, "--as-of", "2026-11-15", "--format", "json")
    data = json.loads(result.stdout)
    approvals = [(p["person"], a["record"], a["text"]) for p in data["people"]
                 for a in p["actions"] if a["kind"] == "approval" and a["record"] == "CHG-002"]
    assert [(who, record) for who, record, _ in approvals] == [("P-002", "CHG-002")]
    assert "CHG-002 to Enterprise PMO:" in approvals[0][2]


def test_a_pmo_kpi_moved_without_a_change_to_its_pmo(tmp_path: Path) -> None:
    kpi = {"KPI ID": "KPI-03", "PMO ID": "PMO-1", "KPI Name": "Customers satisfied",
           "Direction": "Higher is better", "Target": 80, "Frequency": "Quarterly"}
    old = write_example(tmp_path / "old.xlsx", [Edit("KPIs", None, kpi)])
    new = write_example(tmp_path / "new.xlsx", [Edit("KPIs", None, kpi | {"Target": 85})])
    report = diff_json(old, new)
    assert found(report, "D108") == [("KPIs!F4", WARNING, "KPI-03")]
    assert "no change for PMO PMO-1" in report["findings"][0]["message"]


# --- a tick that changed nothing --------------------------------------------------------------

TICKED = {"Change ID": "CHG-002", "Service ID": "SVC-001", "Type": "Continuous improvement",
          "Description": "Tidy the report procedures.", "Status": "Implemented",
          "Approved By": "P-001", "Approved Date": D(2026, 11, 3), "Strategy Updated": "N",
          "Catalogue Updated": "N", "Handbook Updated": "Y", "Affects": "Handbook"}


def test_a_handbook_tick_with_no_handbook_change(tmp_path: Path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    ticked = write_example(tmp_path / "ticked.xlsx", [Edit("Changes", None, TICKED)])
    report = diff_json(old, ticked)
    assert found(report, "D109") == [("Changes!L3", WARNING, "CHG-002")]
    updated = write_example(tmp_path / "updated.xlsx", [
        Edit("Changes", None, TICKED), Edit("Procedures", "PRD-002", {"Version": "1.2"})])
    assert found(diff_json(old, updated), "D109") == []
    reviewed = write_example(tmp_path / "reviewed.xlsx", [
        Edit("Changes", None, TICKED), Edit("Procedures", "PRD-002",
                                            {"Last Reviewed": D(2026, 11, 10)})])
    assert found(diff_json(old, reviewed), "D109") == [("Changes!L3", WARNING, "CHG-002")]
    # A tick already there in the previous version is not new.
    assert found(diff_json(ticked, ticked), "D109") == []
    # A tick that turns Y on an existing change counts too.
    was = write_example(tmp_path / "was.xlsx", [Edit("Changes", None,
                                                     TICKED | {"Handbook Updated": "N"})])
    assert found(diff_json(was, ticked), "D109") == [("Changes!L3", WARNING, "CHG-002")]


def test_the_packs_since_last_meeting_shows_the_tick_that_changed_nothing(
        tmp_path: Path) -> None:
    packs = tmp_path / "packs"
    packs.mkdir()
    october = write_example(tmp_path / "october.xlsx")
    november = write_example(tmp_path / "master.xlsx", [Edit("Changes", None, TICKED)])
    for master, day, name in ((october, "2026-10-31", "pmo-pack-2026-10-31"),
                              (november, "2026-11-30", "pmo-pack-2026-11-30")):
        result = run("pack", master, "--as-of", day, "-o", packs / name)
        assert result.exit_code in (0, 1), result.output
    book = openpyxl.load_workbook(packs / "pmo-pack-2026-11-30" / "status-report-2026-11-30.xlsx")
    grid = [list(r) for r in book["Since last meeting"].iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(grid) if r[0] == "What")
    moves = [dict(zip(grid[start], line, strict=False)) for line in grid[start + 1:] if line[0]]
    drift = [(m["Name"], m["Where"]) for m in moves if m["What"] == "Drift finding"]
    assert drift == [("D109 Warning", "Changes!L3")]


# --- KPIs that retire --------------------------------------------------------------------------

# KPI-02 (quarterly) never reported 2026 Q3, the reporting quarter as of 2026-11-15: its three
# actuals go (an edit deletes a KPI's first one) and Q1 and Q2 come back.
NO_Q3 = [*[Edit("KPI Actuals", "KPI-02", None)] * 3,
         *[Edit("KPI Actuals", None, {"KPI ID": "KPI-02", "Period": period, "Actual": actual,
                                      "Reported By": "P-002"})
           for period, actual in ((D(2026, 1, 1), 5), (D(2026, 4, 1), 3))]]


def _retired(day: D | None) -> Edit:
    return Edit("KPIs", "KPI-02", {"Status": "Retired", "Retired Date": day})


# With KPI-02 (its outcome's measure) retired, SVC-001's outcome is measured by KPI-01.
KPI_01_OUTCOME = Edit("KPIs", "KPI-01", {"Evidences": "Outcome"})


def test_a_retired_kpi_is_quiet_after_its_retired_date(tmp_path: Path) -> None:
    due = check_json(write_example(tmp_path / "due.xlsx", NO_Q3))
    assert found(due, "K103") == [("KPIs!A3", WARNING, "KPI-02")]
    # Retired during Q3: the quarter had not ended by its Retired Date.
    quiet = check_json(write_example(tmp_path / "quiet.xlsx",
                                     [*NO_Q3, _retired(D(2026, 9, 30)), KPI_01_OUTCOME]))
    assert quiet["findings"] == []
    # Retired on the day after Q3 ended: Q3 is still due.
    still = check_json(write_example(tmp_path / "still.xlsx", [*NO_Q3, _retired(D(2026, 10, 1))]))
    assert found(still, "K103") == [("KPIs!A3", WARNING, "KPI-02")]


def _period_kpis(book) -> list[str]:
    """The KPI IDs of the KPI report's KPIs table (the notes below it left out)."""
    found = []
    for row in book["KPIs"].iter_rows(min_row=2, values_only=True):
        if row[0] is None:
            break
        found.append(row[2])
    return found


def test_a_retired_kpi_keeps_its_trend_and_leaves_the_period_and_catalogue(
        tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx",
                         [*NO_Q3, _retired(D(2026, 9, 30)), KPI_01_OUTCOME])
    out = tmp_path / "kpi.xlsx"
    assert run("report", "kpi", path, "--as-of", "2026-11-15", "-o", out).exit_code == 0
    book = openpyxl.load_workbook(out)
    assert _period_kpis(book) == ["KPI-01"]
    trends = {r[0]: r for r in book["Trends"].iter_rows(values_only=True) if r[0]}
    assert trends["KPI-02"][1] == "Data errors found after publication (retired 2026-09-30)"
    assert [v for v in trends["KPI-02"][2:6] if v is not None] == [5, 3]
    page = tmp_path / "catalogue.html"
    assert run("catalogue", path, "--as-of", "2026-11-15", "-o", page).exit_code == 0
    text = page.read_text()
    assert "Reports published on time" in text
    assert "Data errors found after publication" not in text


def test_a_kpi_retired_after_the_period_is_still_shown_for_it_but_not_published(
        tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [_retired(D(2026, 11, 10))])
    assert check_json(path)["findings"] == []
    out = tmp_path / "kpi.xlsx"
    run("report", "kpi", path, "--as-of", "2026-11-15", "-o", out)
    assert _period_kpis(openpyxl.load_workbook(out)) == ["KPI-01", "KPI-02"]
    page = tmp_path / "catalogue.html"
    run("catalogue", path, "--as-of", "2026-11-15", "-o", page)
    assert "Data errors found after publication" not in page.read_text()


def test_a_retired_kpi_no_longer_runs_red_nor_colours_its_service(tmp_path: Path) -> None:
    red = [Edit("KPIs", "KPI-01", {"Target": 98, "Amber Threshold": 97.5,
                                   "Red Threshold": 97})]
    assert found(check_json(write_example(tmp_path / "red.xlsx", red)), "V104") == [
        ("KPI Actuals!C11", WARNING, "KPI-01")]
    retired = red + [Edit("KPIs", "KPI-01", {"Status": "Retired",
                                             "Retired Date": D(2026, 10, 15)})]
    report = check_json(write_example(tmp_path / "retired.xlsx", retired))
    assert found(report, "V104") == []
    from pmo_xl import api

    result = api.check(write_example(tmp_path / "again.xlsx", retired), D(2026, 11, 15))
    status = result.service_statuses["SVC-001"]
    assert [k.kpi_id for k in status.kpis] == ["KPI-02"]
    assert status.rag == "Green"


def test_a_running_service_whose_kpis_are_all_retired(tmp_path: Path) -> None:
    report = check_json(write_example(tmp_path / "m.xlsx", [
        Edit("KPIs", "KPI-01", {"Status": "Retired", "Retired Date": D(2026, 8, 1)}),
        Edit("KPIs", "KPI-02", {"Status": "Retired", "Retired Date": D(2026, 8, 1)})]))
    assert found(report, "K101") == [("Services!A2", ERROR, "SVC-001")]
    assert "every KPI of it is retired" in report["findings"][0]["message"]


def test_a_retired_date_on_an_active_kpi_retires_nothing(tmp_path: Path) -> None:
    report = check_json(write_example(tmp_path / "m.xlsx", [
        *NO_Q3, Edit("KPIs", "KPI-02", {"Retired Date": D(2026, 9, 30)})]))
    assert found(report, "K108") == [("KPIs!M3", WARNING, "KPI-02")]
    assert found(report, "K103") == [("KPIs!A3", WARNING, "KPI-02")]


# --- proposals on the method's own grounds ------------------------------------------------------


def test_the_capacity_tolerance_is_a_setting(tmp_path: Path) -> None:
    wide = Edit("Settings", None, {"Setting": "Capacity Tolerance", "Value": "50%"})
    far = Edit("PMOs", "PMO-1", {"Capacity FTE": 10})
    assert found(check_json(write_example(tmp_path / "a.xlsx", [far])), "G109") == [
        ("PMOs!E2", WARNING, "PMO-1")]
    assert found(check_json(write_example(tmp_path / "b.xlsx", [far, wide])), "G109") == []
    bad = Edit("Settings", None, {"Setting": "Capacity Tolerance", "Value": "some"})
    report = check_json(write_example(tmp_path / "c.xlsx", [far, bad]))
    assert found(report, "G108") == [("Settings!B4", WARNING, "Capacity Tolerance")]
    assert found(report, "G109") == [("PMOs!E2", WARNING, "PMO-1")]


def test_the_demo_pmos_capacities_rest_on_their_people(tmp_path: Path) -> None:
    report = northwind(tmp_path, [Edit("PMOs", "PMO-ENT", {"Capacity FTE": 14})])
    assert found(report, "G109") == [("PMOs!E2", WARNING, "PMO-ENT")]
    assert "its 9 people in People add up to 9 FTE" in next(
        f["message"] for f in report["findings"] if f["rule"] == "G109")

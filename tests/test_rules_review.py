"""Family V (review and decisions), PMO KPIs, planned dates, and the rules brought back to the
seeds (O103, G103): each fires at its exact cell and nowhere else, on the small example
master and on Northwind, and the reports and the email show the decisions with their
numbers."""

from __future__ import annotations

import datetime as dt
import email.policy
import re
import zipfile
from collections.abc import Callable
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api
from pmo_xl.example.northwind import DELIBERATE, EXAMPLE_AS_OF, example_rows
from pmo_xl.example.tables import Rows
from pmo_xl.period import add_months
from pmo_xl.reports.email_draft import decisions_needed
from pmo_xl.reports.kpi import write_kpi_report
from pmo_xl.reports.status import write_status_report
from pmo_xl.validators.examples import EXAMPLE_AS_OF as SMALL_AS_OF
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.master import read_master
from pmo_xl.workbook.template import write_master

D = dt.date
RULES = load_rules()
NEW = [r for r in RULES.values()
       if (r.family == "V" or r.code in ("K107", "L109")) and r.passes.edits]


def _findings(path: Path, as_of: D) -> list:
    return [f for f in api.check(path, as_of).findings if not f.waived]


def _cells(findings, code: str | None = None) -> list[tuple[str, str, str]]:
    return sorted((f.rule, f.sheet, f.cell) for f in findings if code in (None, f.rule))


# --- the registry's own examples --------------------------------------------------------------


@pytest.mark.parametrize("rule", NEW, ids=[r.code for r in NEW])
def test_passing_example_at_the_boundary_stays_silent(rule, tmp_path: Path) -> None:
    path = write_example(tmp_path / "master.xlsx", rule.passes.edits)
    assert [f.address for f in _findings(path, SMALL_AS_OF) if f.rule == rule.code] == []


@pytest.mark.parametrize("rule", NEW, ids=[r.code for r in NEW])
def test_failing_example_fires_only_this_rule_at_its_cell(rule, tmp_path: Path) -> None:
    """Nowhere else: the failing edits make no other finding either."""
    path = write_example(tmp_path / "master.xlsx", rule.fails.edits)
    sheet, cell = rule.fails.cell.rsplit("!", 1)
    assert _cells(_findings(path, SMALL_AS_OF)) == [(rule.code, sheet.strip("'"), cell)]


def test_v_family_is_listed_with_its_name() -> None:
    from pmo_xl.validators.registry import FAMILIES

    assert FAMILIES["V"] == "Review and decisions"
    codes = [code for code in RULES if code[0] == "V"]
    assert codes == [f"V{n}" for n in range(101, 110)]
    assert list(RULES).index("V101") > list(RULES).index("C101")


# --- Northwind: each new rule at its exact cell, the deliberate problems untouched -----------


def _northwind(tmp_path: Path, change: Callable[[Rows], None],
               as_of: D = EXAMPLE_AS_OF) -> tuple[list, list]:
    """(findings beyond DELIBERATE, DELIBERATE findings no longer found) after `change`."""
    rows = example_rows(as_of)
    change(rows)
    path = write_master(tmp_path / "northwind.xlsx", rows)
    found = _findings(path, as_of)
    cells = set(_cells(found))
    extra = [f for f in found if (f.rule, f.sheet, f.cell) not in DELIBERATE]
    return extra, sorted(set(DELIBERATE) - cells)


def _record(rows: Rows, sheet: str, key: str, value: str) -> dict:
    return next(r for r in rows[sheet] if r.get(key) == value)


def _service(rows: Rows, sid: str) -> dict:
    return _record(rows, "Services", "Service ID", sid)


def test_northwind_service_due_for_review(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _service(rows, "SVC-005")["Last Reviewed"] = add_months(EXAMPLE_AS_OF, -13)
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address, f.severity) for f in extra] == [
        ("V101", "Services!AI6", "warning")]
    assert "SVC-005 was last reviewed on 2025-10-30, more than 12 months ago" in extra[0].message
    assert lost == []


def test_northwind_procedure_and_document_due_for_review(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _record(rows, "Procedures", "Procedure ID", "PRD-004")["Last Reviewed"] = None
        _record(rows, "Documents", "Document", "Operations Handbook")["Last Reviewed"] = D(
            2025, 9, 1)
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address) for f in extra] == [
        ("V103", "Documents!D4"), ("V102", "Procedures!I5")]
    assert "never been reviewed" in extra[1].message and lost == []


def test_northwind_chronic_red_follows_the_setting(tmp_path: Path) -> None:
    def two(rows: Rows) -> None:
        _record(rows, "Settings", "Setting", "Chronic Red Periods")["Value"] = "2"
    extra, lost = _northwind(tmp_path, two)
    # KPI-04 (SVC-003, quarterly) was Red in 2026 Q2 and Q3: its latest actual is named.
    master = read_master(write_master(tmp_path / "rows.xlsx", example_rows()))
    latest = max((record["Period"], row) for row, record in master["KPI Actuals"].rows()
                 if record["KPI ID"] == "KPI-04")[1]
    assert [(f.rule, f.address) for f in extra] == [("V104", f"'KPI Actuals'!C{latest}")]
    assert "Red for 2 reporting periods in a row (2026 Q2 to 2026 Q3)" in extra[0].message
    assert lost == []

    def four(rows: Rows) -> None:
        _record(rows, "Settings", "Setting", "Chronic Red Periods")["Value"] = 4
    extra, lost = _northwind(tmp_path, four)
    assert extra == [] and lost == [("V104", "KPI Actuals", "C171")]


def test_northwind_the_deliberate_chronic_red_says_review_or_close(tmp_path: Path) -> None:
    [finding] = [f for f in _findings(write_master(tmp_path / "n.xlsx", example_rows()),
                                      EXAMPLE_AS_OF) if f.rule == "V104"]
    assert finding.record == "KPI-17"
    assert finding.message == (
        "KPI KPI-17 (Managers using dashboards unaided) of SVC-032 has been Red for 3 "
        "reporting periods in a row (Aug 2026 to Oct 2026): the service may need a review, or "
        "closure (Service level not achievable).")


def test_northwind_proposal_over_headroom_and_without_fte(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _service(rows, "SVC-024")["Planned FTE"] = 0.5
        _service(rows, "SVC-025")["Planned FTE"] = None
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address) for f in extra] == [
        ("V105", "Services!O25"), ("V106", "Services!O26")]
    assert extra[0].message == (
        "SVC-024 plans 0.5 FTE, but its Lead PMO PMO-ENT has 0.4 FTE of headroom (Capacity 10, "
        "9.6 planned for its active services): approving it would take PMO-ENT 0.1 FTE over "
        "capacity.")
    assert lost == []


def test_northwind_competence(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _service(rows, "SVC-005")["Required Skills"] = "Scheduling; Earned value"
        _service(rows, "SVC-024")["Required Skills"] = "Reporting; carbon  accounting"
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address, f.severity) for f in extra] == [
        ("V107", "Services!AJ6", "warning"), ("V108", "Services!AJ25", "info")]
    assert extra[0].message == ("SVC-005 is Running but nobody among its Service Managers and "
                                "Operatives has Earned value.")
    assert extra[1].message == "SVC-024 needs carbon  accounting, which nobody in PMO-ENT has."
    assert lost == []


def test_northwind_slipped_plan_and_a_reached_stage_in_the_future(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _service(rows, "SVC-020")["Pilot Start"] = EXAMPLE_AS_OF - dt.timedelta(days=10)
        _service(rows, "SVC-021")["Design Start"] = EXAMPLE_AS_OF + dt.timedelta(days=1)
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address, f.severity) for f in extra] == [
        ("V109", "Services!X21", "warning"), ("L109", "Services!W22", "warning")]
    assert extra[0].message == (
        "SVC-020 planned its Pilot Start for 2026-11-20 (10 days ago) but is in Design, not "
        "yet at Pilot: the plan has slipped.")
    assert lost == []


@pytest.mark.parametrize("as_of", [D(2026, 11, 30), D(2027, 1, 1), D(2028, 2, 29),
                                   D(2026, 6, 15)], ids=str)
def test_northwinds_plans_stay_ahead_on_any_day(as_of: D) -> None:
    rows = example_rows(as_of)
    plans = {(s["Service ID"], h): s[h] for s in rows["Services"]
             for h in ("Approved Date", "Pilot Start", "Sign-off Date", "Go-live Date")
             if s["Stage"] in ("Proposed", "Design", "Pilot", "Transition")
             and isinstance(s.get(h), D) and s[h] > as_of}
    assert {sid for sid, _ in plans} == {"SVC-016", "SVC-017", "SVC-018", "SVC-019",
                                         "SVC-020", "SVC-021", "SVC-023"}


def test_northwind_pmo_kpis_are_checked(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _record(rows, "KPIs", "KPI ID", "KPI-18")["Service ID"] = "SVC-001"
        _record(rows, "KPIs", "KPI ID", "KPI-19")["PMO ID"] = None
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address, f.severity) for f in extra] == [
        ("K107", "KPIs!L19", "error"), ("K107", "KPIs!B20", "error")]
    assert extra[0].message == "KPI KPI-18 names both service SVC-001 and PMO PMO-ENT."
    assert lost == []

    def missing(rows: Rows) -> None:
        last = max(i for i, r in enumerate(rows["KPI Actuals"]) if r["KPI ID"] == "KPI-19")
        del rows["KPI Actuals"][last]
    extra, lost = _northwind(tmp_path, missing)
    assert [(f.rule, f.address) for f in extra] == [("K103", "KPIs!A20")]
    assert extra[0].message == "KPI KPI-19 of PMO-DIG has no actual for Oct 2026."

    def unknown(rows: Rows) -> None:
        _record(rows, "KPIs", "KPI ID", "KPI-19")["PMO ID"] = "PMO-XYZ"
    extra, lost = _northwind(tmp_path, unknown)
    assert [(f.rule, f.address) for f in extra] == [("X101", "KPIs!L20")]


def test_northwind_o103_is_information(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        _service(rows, "SVC-001")["Operatives"] = "P-005; P-010; P-007"
    extra, lost = _northwind(tmp_path, change)
    assert [(f.rule, f.address, f.severity) for f in extra] == [
        ("O103", "Services!Q2", "info")]
    assert "has operatives in PMO-DIG" in extra[0].message and "may" in extra[0].hint


def test_northwind_mandated_share_only_against_its_target(tmp_path: Path) -> None:
    def high(rows: Rows) -> None:
        _record(rows, "Settings", "Setting", "Mandated Share Target")["Value"] = "90%"
    extra, _ = _northwind(tmp_path, high)
    assert [(f.rule, f.address, f.severity) for f in extra] == [
        ("G103", "Settings!B3", "info")]

    def none(rows: Rows) -> None:
        rows["Settings"] = [r for r in rows["Settings"]
                            if r["Setting"] != "Mandated Share Target"]
        for service in rows["Services"]:
            if service["Offering"] == "Mandated":
                service["Offering"] = "Menu"
    extra, _ = _northwind(tmp_path, none)
    assert extra == []


# --- planned dates on the small master ------------------------------------------------------


def test_a_plan_in_the_future_passes_and_a_slipped_one_warns(tmp_path: Path) -> None:
    future = write_example(tmp_path / "future.xlsx", [
        Edit("Services", "SVC-002", {"Pilot Start": D(2027, 1, 4), "Sign-off Date": D(2027, 3, 1),
                                     "Go-live Date": D(2027, 5, 3)}),
        Edit("Services", "SVC-003", {"Approved Date": D(2026, 12, 7)})])
    assert _findings(future, SMALL_AS_OF) == []
    slipped = write_example(tmp_path / "slipped.xlsx", [
        Edit("Services", "SVC-002", {"Pilot Start": D(2026, 10, 1),
                                     "Go-live Date": D(2027, 5, 3)})])
    [finding] = _findings(slipped, SMALL_AS_OF)
    assert (finding.rule, finding.address, finding.severity) == ("V109", "Services!X3",
                                                                   "warning")
    assert "(45 days ago)" in finding.message and finding.record == "SVC-002"


def test_a_past_readiness_assessment_in_transition_is_no_slip(tmp_path: Path) -> None:
    done = write_example(tmp_path / "done.xlsx", [Edit("Services", "SVC-002", {
        "Stage": "Transition", "Pilot Start": D(2026, 8, 3), "Sign-off Date": D(2026, 10, 1),
        "Readiness Assessment Date": D(2026, 10, 20), "Go-live Date": D(2026, 12, 1)})])
    found = _findings(done, SMALL_AS_OF)
    assert not [f for f in found if f.rule in ("V109", "L109")]
    facts = api.check(done, SMALL_AS_OF).facts
    assert [(p.header, p.slipped_days) for p in facts.planned_dates["SVC-002"]] == [
        ("Go-live Date", None)]


def test_a_date_of_a_reached_stage_in_the_future_still_warns(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Go-live Date": D(2026, 11, 16),
                                     "Last Reviewed": D(2026, 11, 20)})])
    assert _cells(_findings(path, SMALL_AS_OF), "L109") == [
        ("L109", "Services", "AB2"), ("L109", "Services", "AI2")]


# --- the facts behind the decisions ---------------------------------------------------------


def test_a_run_of_red_is_broken_by_a_missing_period(tmp_path: Path) -> None:
    red = Edit("KPIs", "KPI-01", {"Target": 99, "Amber Threshold": 98, "Red Threshold": 97})
    facts = _facts(tmp_path / "red.xlsx", [red])
    run = facts.chronic_red["KPI-01"]
    assert (run.length, run.first, run.last, run.row) == (10, D(2026, 1, 1), D(2026, 10, 1), 11)
    # August's actual missing: the run up to October is two periods long, not chronic.
    assert "KPI-01" not in _facts(tmp_path / "gap.xlsx", [red], D(2026, 8, 1)).chronic_red
    # October's missing (K103's finding): the run ends at September's actual instead.
    run = _facts(tmp_path / "late.xlsx", [red], D(2026, 10, 1)).chronic_red["KPI-01"]
    assert (run.length, run.last) == (9, D(2026, 9, 1))


def _facts(path: Path, edits: list[Edit], without: D | None = None):
    from pmo_xl.validators.examples import apply_edits, base_rows

    rows = apply_edits(base_rows(), edits)
    rows["KPI Actuals"] = [r for r in rows["KPI Actuals"]
                           if not (r["KPI ID"] == "KPI-01" and r["Period"] == without)]
    return api.check(write_master(path, rows), SMALL_AS_OF).facts


def test_chronic_red_periods_longer_than_a_year_reach_back_far_enough(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("KPIs", "KPI-01", {"Target": 99, "Amber Threshold": 98, "Red Threshold": 97}),
        Edit("Settings", None, {"Setting": "Chronic Red Periods", "Value": 10})])
    facts = api.check(path, SMALL_AS_OF).facts
    assert facts.chronic_red["KPI-01"].length == 10
    path = write_example(tmp_path / "n.xlsx", [
        Edit("KPIs", "KPI-01", {"Target": 99, "Amber Threshold": 98, "Red Threshold": 97}),
        Edit("Settings", None, {"Setting": "Chronic Red Periods", "Value": 14})])
    facts = api.check(path, SMALL_AS_OF).facts
    assert "KPI-01" not in facts.chronic_red  # 14 periods back reach before its first actual


def test_competence_counts_managers_and_operatives_not_the_owner(tmp_path: Path) -> None:
    owner_only = write_example(tmp_path / "owner.xlsx", [
        Edit("Services", "SVC-001", {"Required Skills": "Governance"}),
        Edit("People", "P-001", {"Skills": "Governance"})])
    assert _cells(_findings(owner_only, SMALL_AS_OF)) == [("V107", "Services", "AJ2")]
    manager = write_example(tmp_path / "manager.xlsx", [
        Edit("Services", "SVC-001", {"Required Skills": "Governance; Reporting; governance"}),
        Edit("People", "P-002", {"Skills": "GOVERNANCE"})])
    [finding] = _findings(manager, SMALL_AS_OF)
    assert finding.message.endswith("has Reporting.")
    unknown = write_example(tmp_path / "unknown.xlsx", [
        Edit("Services", "SVC-001", {"Required Skills": "Governance", "Operatives": "P-099"})])
    assert _cells(_findings(unknown, SMALL_AS_OF)) == [("X101", "Services", "R2")]
    design = write_example(tmp_path / "design.xlsx", [
        Edit("Services", "SVC-002", {"Required Skills": "Governance"})])
    assert _findings(design, SMALL_AS_OF) == []  # a service in Design is still forming


def test_headroom_counts_active_services_only(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", None, {"Service ID": "SVC-004", "Service Name": "Old service",
                                "Lead PMO": "PMO-1", "Scope": "Portfolio", "Stage": "Rejected",
                                "Offering": "Menu", "Planned FTE": 3, "Service Owner": "P-001"})])
    facts = api.check(path, SMALL_AS_OF).facts
    load = facts.pmo_loads["PMO-1"]
    assert (load.capacity, load.committed, load.services, load.headroom) == (6, 2, 1, 4)
    [proposal] = facts.proposals
    assert (proposal.service_id, proposal.headroom, proposal.left) == ("SVC-003", 4, 3.5)


# --- the status report, the pipeline, the email and the KPI report --------------------------


@pytest.fixture(scope="module")
def northwind_outputs(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("northwind")
    rows = example_rows()
    _service(rows, "SVC-024")["Planned FTE"] = 0.5  # over PMO-ENT's 0.4 FTE of headroom
    _service(rows, "SVC-020")["Pilot Start"] = EXAMPLE_AS_OF - dt.timedelta(days=12)
    _service(rows, "SVC-005")["Last Reviewed"] = D(2025, 10, 1)
    master = write_master(folder / "northwind.xlsx", rows)
    result = api.check(master, EXAMPLE_AS_OF)
    status = write_status_report(result, folder / "status.xlsx")
    kpi = write_kpi_report(result, folder / "kpi.xlsx")
    pack = api.pack(master, EXAMPLE_AS_OF, folder / "pack")
    return {"result": result, "status": status, "kpi": kpi, "eml": pack.folder /
            "governance-pack.eml"}


def _table(sheet) -> list[dict]:
    """The sheet's first table (from row 1) as dicts, to its first blank row."""
    rows = list(sheet.iter_rows(values_only=True))
    found = []
    for r in rows[1:]:
        if not any(v is not None for v in r):
            break
        found.append(dict(zip(rows[0], r, strict=True)))
    return found


def _figures(sheet) -> dict[tuple[int, str], object]:
    """The Decisions needed sheet's second block (a table per kind of decision, its figures
    as columns): (decision number, figure) -> value."""
    found: dict[tuple[int, str], object] = {}
    header = None
    for r in sheet.iter_rows(values_only=True):
        if r[0] == "#" and str(r[1]).endswith(": record"):
            header = r
        elif header is not None and isinstance(r[0], int):
            found.update({(r[0], label): value for label, value in zip(header[2:], r[2:],
                                                                        strict=True) if label})
        else:
            header = None
    return found


def test_status_report_decisions_needed(northwind_outputs) -> None:
    book = openpyxl.load_workbook(northwind_outputs["status"])
    assert book.sheetnames[1] == "Decisions needed"  # no earlier pack: no Since sheet
    sheet = book["Decisions needed"]
    rows = _table(sheet)
    assert [c.value for c in sheet[1]] == ["#", "Decision", "Service", "Record", "PMO",
                                           "Who decides", "What is to be decided"]
    assert len(rows) == 8 == len(northwind_outputs["result"].agenda)
    by = {(r["Decision"], r["Record"]): r for r in rows}
    figures = _figures(sheet)
    # Proposals in their Lead PMO's priority order, with the headroom left after each one
    # and every higher-priority one.
    over = by[("Proposal to approve", "SVC-024")]
    assert over["Who decides"] == "Helen Marsh (P-001)"  # PMO-ENT's PMO Director
    assert "approving it would take PMO-ENT 0.1 FTE over capacity" in over[
        "What is to be decided"]
    number = over["#"]
    assert (figures[(number, "Priority")], figures[(number, "Planned FTE")],
            figures[(number, "Headroom before (FTE)")],
            figures[(number, "Headroom after (FTE)")]) == (3, 0.5, 0.4, -0.1)
    after = by[("Proposal to approve", "SVC-025")]
    assert "once SVC-024, ranked above it, is approved" in after["What is to be decided"]
    assert (figures[(after["#"], "Headroom before (FTE)")],
            figures[(after["#"], "Headroom after (FTE)")]) == (-0.1, -0.3)
    fits = by[("Proposal to approve", "SVC-023")]
    assert fits["Who decides"] == "Marcus Webb (P-015)"  # PMO-DIG's PMO Director
    assert (figures[(fits["#"], "Headroom before (FTE)")],
            figures[(fits["#"], "Headroom after (FTE)")]) == (2.3, 2)
    assert "The decision is planned for 2026-12-14" in fits["What is to be decided"]
    chronic = by[("Improve or close", "KPI-17")]
    assert chronic["Service"] == "SVC-032 Reporting adoption clinic"
    assert chronic["Who decides"] == "Rajesh Iyer (P-002)"  # its Service Owner
    assert (figures[(chronic["#"], "Red periods in a row")],
            figures[(chronic["#"], "Latest actual")],
            figures[(chronic["#"], "Target")]) == (3, 49, 80)
    review = by[("Review due", "SVC-005")]
    assert figures[(review["#"], "Last reviewed")] == dt.datetime(2025, 10, 1)
    assert figures[(review["#"], "Review due")] == dt.datetime(2026, 10, 1)
    assert "60 days ago" in review["What is to be decided"]
    assert {r["Decision"] for r in rows} >= {"Escalated risk or issue", "Change to approve"}
    summary = {r[0]: next((v for v in r[1:] if v is not None), None)
               for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Decisions needed"] == 8
    assert summary["Decisions for the meeting: 8"] is None  # the first page's heading


def test_status_pipeline_shows_plans_against_actuals_and_the_slip(northwind_outputs) -> None:
    rows = {r["Service ID"]: r for r in _table(
        openpyxl.load_workbook(northwind_outputs["status"])["Set-up pipeline"])}
    slipped = rows["SVC-020"]
    assert slipped["Next stage planned"] == dt.datetime(2026, 11, 18)
    assert slipped["Slip (days)"] == 12
    assert slipped["Pilot Start"] is None  # a plan is not shown as a date that happened
    assert slipped["Plans (dates not reached yet)"] == "Pilot Start 2026-11-18 (slipped 12 days)"
    ahead = rows["SVC-018"]
    assert ahead["Next stage planned"] == dt.datetime(2027, 1, 11) and ahead["Slip (days)"] is None
    assert ahead["Readiness Assessment"] == dt.datetime(2026, 10, 6)  # it has happened
    assert ahead["Plans (dates not reached yet)"] == "Go-live Date 2027-01-11 (in 42 days)"


def test_the_email_shows_the_decisions_with_their_numbers(northwind_outputs) -> None:
    message = BytesParser(policy=email.policy.default).parse(northwind_outputs["eml"].open("rb"))
    body = message.get_body(("plain",)).get_content()
    decisions = body.split("Decisions needed (8):\n")[1].split("\n\n")[0]
    assert ("2. Proposal to approve: Approve SVC-024 Sustainability impact reporting "
            "(priority 3)? It plans 0.5 FTE but PMO-ENT has 0.4 FTE of headroom: approving it "
            "would take PMO-ENT 0.1 FTE over capacity. Helen Marsh (P-001) decides."
            ) in decisions
    assert ("1. Proposal to approve: Approve SVC-023 Project health checks on request "
            "(priority 2)? It plans 0.3 FTE and would leave PMO-DIG 2 of its 2.3 FTE of "
            "headroom. The decision is planned for 2026-12-14. Marcus Webb (P-015) decides."
            ) in decisions
    assert ("4. Improve or close: Improve SVC-032 Reporting adoption clinic, agree a target it "
            "can meet, or close it (Service level not achievable)? KPI-17 Managers using "
            "dashboards unaided has been Red for 3 periods in a row (Aug 2026 to Oct 2026, "
            "latest 49 against a target of 80). Rajesh Iyer (P-002) decides.") in decisions
    assert ("8. Review due: Is SVC-005 Schedule assurance still needed and still right? Its "
            "review fell due on 2026-10-01, 60 days ago. Tom Okafor (P-004) decides."
            ) in decisions
    lines = decisions_needed(northwind_outputs["result"])
    assert [f"{n}. {line}" for n, line in enumerate(lines, start=1)] \
        == decisions.strip().splitlines()


def test_a_waived_review_is_no_decision(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Last Reviewed": None}),
        Edit("Waivers", None, {"Rule": "V101", "Record": "SVC-001", "Reason": "Merger review",
                               "Approved By": "P-001", "Expires": D(2027, 1, 31)})])
    agenda = api.check(path, SMALL_AS_OF).agenda
    assert not [d for d in agenda if d.kind == "Review due"]
    due = write_example(tmp_path / "due.xlsx", [
        Edit("Services", "SVC-001", {"Last Reviewed": None}),
        Edit("Procedures", "PRD-002", {"Last Reviewed": None}),
        Edit("Documents", "Service Catalogue", {"Last Reviewed": None})])
    reviews = [d for d in api.check(due, SMALL_AS_OF).agenda if d.kind == "Review due"]
    # In the order of their findings (the master's sheet order).
    assert sorted((d.record, d.decider, d.about) for d in reviews) == [
        ("PRD-002", "P-001", ("P-002",)),  # the Service Owner decides; its Owner hears of it
        ("SVC-001", "P-001", ()),  # the Service Owner decides
        ("Service Catalogue", "P-002", ())]  # the document's Owner decides
    assert reviews[0].summary == ("Is SVC-001 Portfolio reporting still needed and still "
                                  "right? It has never been reviewed.")


def test_kpi_report_groups_pmo_kpis_under_their_pmo(northwind_outputs) -> None:
    book = openpyxl.load_workbook(northwind_outputs["kpi"])
    summary = [r for r in book["Summary"].iter_rows(values_only=True) if r[0]]
    first = next(i for i, r in enumerate(summary) if r[0] == "Service or PMO")
    table = summary[first + 1:]
    # A PMO's own KPIs rank among the services by their KPI RAG (one ranking of attention).
    pmo_ent = next(r for r in table if r[0] == "PMO-ENT")
    assert pmo_ent[:4] == ("PMO-ENT", "Enterprise PMO and Centre of Excellence", "PMO", 1)
    assert any(r[0] == "PMO-DIG" for r in table)
    kpis = {r["KPI ID"]: r for r in _table(book["KPIs"])}
    assert (kpis["KPI-19"]["Service or PMO"], kpis["KPI-19"]["Name"], kpis["KPI-19"]["RAG"]) == (
        "PMO-DIG", "Digital Portfolio PMO", "Green")
    trends = list(book["Trends"].iter_rows(values_only=True))
    header = trends[0]
    row = next(r for r in trends if r[0] == "KPI-01")
    assert header[14:19] == ("Trend", "Target", "Baseline", "Direction", "Service or PMO")
    assert row[15:17] == (95, 70)
    at = next(i for i, r in enumerate(trends) if r[0] == "KPI-18")
    quarter_header = next(r for r in reversed(trends[:at]) if r[0] == "KPI ID")
    quarterly = dict(zip(quarter_header, trends[at], strict=False))
    assert (quarterly["Target"], quarterly["Baseline"], quarterly["Direction"],
            quarterly["Service or PMO"]) == (4, 3.1, "Higher is better", "PMO-ENT")


def test_trend_charts_draw_target_and_baseline_lines(northwind_outputs) -> None:
    path = northwind_outputs["kpi"]
    with zipfile.ZipFile(path) as package:
        charts = [package.read(n).decode() for n in package.namelist()
                  if n.startswith("xl/charts/chart")]
    kpi_01 = next(c for c in charts if "SVC-001 · KPI-01 " in c)
    # A chart per KPI: its actual, its target (dashed) and its baseline (dotted).
    assert kpi_01.count("<c:ser>") == 3
    assert kpi_01.count('<a:prstDash val="dash"/>') == 1
    assert kpi_01.count('<a:prstDash val="sysDot"/>') == 1
    # KPI-20, retired, keeps its trend on a chart: a target and a baseline line.
    kpi_20 = next(c for c in charts if "SVC-001 · KPI-20 " in c)
    assert "(retired)" in kpi_20 and kpi_20.count("<c:ser>") == 3
    # The lines' data is on a hidden sheet: "plot visible cells only" is left out (off).
    assert "plotVisOnly" not in kpi_01
    assert any("PMO-ENT · KPI-18 " in c for c in charts)
    book = openpyxl.load_workbook(path)
    lines = book["Chart lines"]
    assert lines.sheet_state == "hidden"
    target = re.search(r"'Chart lines'!\$A\$(\d+)", kpi_01.split("<c:ser>")[2])
    values = [c.value for c in lines[int(target.group(1))][:13]]
    assert values == ["Target"] + [95] * 12
    assert book["Trend charts"].max_column < 20  # charts only: nothing prints beside them


def test_proposals_that_fit_one_by_one_but_not_together(tmp_path: Path) -> None:
    result = api.check(write_master(tmp_path / "n.xlsx", example_rows()), EXAMPLE_AS_OF)
    [crowded] = [d for d in result.agenda if d.kind == "Proposals that do not all fit"]
    assert crowded.summary == (
        "Which of PMO-ENT's proposals SVC-024 and SVC-025? Each fits its 0.4 FTE of headroom, "
        "but together they plan 0.5 FTE: approving all of them means finding capacity or "
        "closing another service.")
    assert (crowded.decider, crowded.pmo) == ("P-001", "PMO-ENT")
    status = write_status_report(result, tmp_path / "status.xlsx")
    sheet = openpyxl.load_workbook(status)["Decisions needed"]
    [row] = [r for r in _table(sheet) if r["Decision"] == "Proposals that do not all fit"]
    figures = _figures(sheet)
    assert (row["Record"], figures[(row["#"], "Planned FTE together")],
            figures[(row["#"], "Headroom (FTE)")],
            figures[(row["#"], "Headroom after (FTE)")]) == ("SVC-024, SVC-025", 0.5, 0.4, -0.1)

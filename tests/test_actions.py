"""`pmo-xl actions`: each finding reaches the people who own its record, by the one table."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from pmo_xl import api
from pmo_xl.example.northwind import EXAMPLE_AS_OF as NORTHWIND_AS_OF
from pmo_xl.example.northwind import write_example_master
from pmo_xl.people.actions import KINDS, ROUTES, build_actions, routing_table, usable_email
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit, rename_header

from .conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()
D = dt.date
ROOT = Path(__file__).resolve().parents[1]
# BASE's Proposed service SVC-003 (Lead PMO PMO-1) is always on the meeting's agenda, for
# PMO-1's PMO Director, P-001, to decide.
PROPOSAL = ("approval", "Services!I4", ("P-001",))


def actions_for(tmp_path: Path, edits=(), **options):
    master = write_example(tmp_path / "master.xlsx", edits)
    return api.actions(master, EXAMPLE_AS_OF, **options)


def routed(found) -> set[tuple[str, str, tuple[str, ...]]]:
    """(label, cell, the people it went to) for every action given to someone."""
    people: dict[tuple[str, str], list[str]] = {}
    for person in found.people:
        for action in person.actions:
            people.setdefault((action.label, action.cell), []).append(person.person_id)
    return {(label, cell, tuple(sorted(ids))) for (label, cell), ids in people.items()}


def unassigned(found) -> dict[tuple[str, str], str]:
    return {(u.action.label, u.action.cell): u.why for u in found.unassigned}


@pytest.fixture(scope="module")
def northwind(tmp_path_factory) -> Path:
    return write_example_master(tmp_path_factory.mktemp("nw") / "example-master.xlsx")


# --- Northwind: every finding reaches someone -------------------------------------------------

def test_northwind_every_finding_reaches_a_named_person(northwind) -> None:
    found = api.actions(northwind, NORTHWIND_AS_OF)
    assert found.unassigned == []
    findings = {(f.rule, f.address) for f in found.result.findings if not f.waived}
    given = {(a.rule, a.cell) for p in found.people for a in p.actions if a.kind == "finding"}
    assert given == findings
    assert ("C106", "Changes!J3") not in given  # waived: not an action
    assert routed(found) >= {
        ("L106 error", "Services!AD29", ("P-001", "P-002")),  # SVC-028's owner and manager
        ("X101 error", "'Risks and Issues'!F9", ("P-003",)),  # RSK-005: P-021 is unknown
        ("K103 warning", "KPIs!A13", ("P-014",)),  # KPI-12's owner
        ("R102 error", "RACI!F33", ("P-002",)),  # PRD-016's owner
        ("C105 error", "Changes!L7", ("P-004",)),  # CHG-006's service owner
        ("H102 error", "SIPOC!B16", ("P-003", "P-008")),  # SVC-011's owner and manager
        ("approval", "Changes!G5", ("P-001",)),  # CHG-004 is Proposed
        ("approval", "Services!I24", ("P-015",)),  # SVC-023: PMO-DIG's PMO Director decides
        # The chronic Red of KPI-17 (SVC-032): its Service Owner decides, its KPI's Owner
        # hears of it (and has V104's finding).
        ("decision", "'KPI Actuals'!C171", ("P-002", "P-005")),
        # RSK-003, High and not escalated: its Owner, and the Service Owner of SVC-002.
        ("G105 warning", "'Risks and Issues'!H4", ("P-003", "P-015")),
    }
    # Every item of the agenda reaches the person who decides it.
    decided = {(a.decision, a.record): p.person_id for p in found.people for a in p.actions
               if a.kind in ("approval", "decision") and "yours to decide" in a.text}
    assert len(decided) == len(found.decisions) == 8
    assert all(decided[(d.kind, d.record)] == d.decider for d in found.decisions)
    x101 = next(a for p in found.people for a in p.actions if a.rule == "X101")
    assert x101.note == ("(This comes to you as PMO Manager of PMO-DIG, the Lead PMO of "
                         "SVC-017: its Owner (P-021) is not in People.)")
    assert [p.person_id for p in found.unaddressed] == ["P-014"]


def test_json_is_the_spec_shape(northwind, run_cli) -> None:
    result = run_cli("actions", northwind, "--as-of", NORTHWIND_AS_OF.isoformat(),
                     "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["as_of", "decisions", "people", "unassigned", "unaddressed"]
    assert len(data["decisions"]) == 8
    assert data["decisions"][0] == {
        "kind": "Proposal to approve", "record": "SVC-023", "service": "SVC-023",
        "pmo": "PMO-DIG", "decider": "P-015", "summary": data["decisions"][0]["summary"],
        "decider_name": "Marcus Webb (P-015)"}
    assert data["as_of"] == "2026-11-30"
    assert data["unaddressed"] == ["P-014"]
    helen = data["people"][0]
    assert list(helen) == ["person", "name", "email", "actions"]
    assert (helen["person"], helen["name"], helen["email"]) == (
        "P-001", "Helen Marsh", "helen.marsh@example.org")
    assert helen["actions"][0] == {
        "kind": "finding", "rule": "L106", "record": "SVC-028", "cell": "Services!AD29",
        # People by name; to Helen Marsh herself, "you".
        "text": "The closure of Service SVC-028 was approved by Rajesh Iyer (P-002), but its "
                "Service Owner is you (Helen Marsh, P-001). Have the Service Owner, you (Helen "
                "Marsh, P-001), approve the closure, or correct Service Owner if ownership "
                "changed.",
        "due": None, "decision": None}
    hannah = next(p for p in data["people"] if p["person"] == "P-014")
    assert hannah["email"] is None
    for person in data["people"]:
        for action in person["actions"]:
            assert list(action) == ["kind", "rule", "record", "cell", "text", "due",
                                    "decision"]
            assert action["kind"] in KINDS


# --- the routing table, sheet by sheet -------------------------------------------------------

@pytest.mark.parametrize(("edits", "expected"), [
    pytest.param([Edit("Services", "SVC-001", {"Service Name": None})],
                 ("S104 error", "Services!B2", ("P-001", "P-002")), id="service"),
    pytest.param([Edit("SIPOC", None, {"Service ID": "SVC-001", "Process ID": "PRC-003",
                                       "Process Name": "Archive the report"})],
                 ("H102 error", "SIPOC!B4", ("P-001", "P-002")), id="process"),
    pytest.param([Edit("Procedures", "PRD-002", {"Status": "Tested", "Owner": "P-004"})],
                 ("H104 warning", "Procedures!E3", ("P-004",)), id="procedure"),
    pytest.param([Edit("Procedures", "PRD-002", {"Status": "Tested", "Owner": None})],
                 ("H104 warning", "Procedures!E3", ("P-002",)), id="procedure-no-owner"),
    pytest.param([Edit("Procedures", "PRD-001", {"Owner": "P-006"}),
                  Edit("RACI", "PRD-001", {"Service Manager": "R"})],
                 ("R101 error", "RACI!B2", ("P-006",)), id="raci"),
    pytest.param([Edit("KPIs", "KPI-01", {"Amber Threshold": 96, "Owner": "P-004"})],
                 ("K102 error", "KPIs!G2", ("P-004",)), id="kpi"),
    pytest.param([Edit("KPIs", "KPI-01", {"Amber Threshold": 96, "Owner": None})],
                 ("K102 error", "KPIs!G2", ("P-002",)), id="kpi-no-owner"),
    pytest.param([Edit("KPIs", "KPI-01", {"Owner": "P-006"}),
                  Edit("KPI Actuals", None, {"KPI ID": "KPI-01", "Period": D(2026, 12, 1),
                                             "Actual": 97, "Reported By": "P-002"})],
                 ("K104 error", "'KPI Actuals'!B15", ("P-006",)), id="actual"),
    # Its Owner, and (a High risk not escalated far enough) the Service Owner.
    pytest.param([Edit("Risks and Issues", "RSK-001", {"Severity": "High", "Owner": "P-006"})],
                 ("G105 info", "'Risks and Issues'!H2", ("P-001", "P-006")), id="risk"),
    pytest.param([Edit("Changes", "CHG-001", {"Approved By": "P-002"})],
                 ("C101 error", "Changes!H2", ("P-001",)), id="change"),
    pytest.param([Edit("PMOs", "PMO-2", {"Capacity FTE": 0.5})],
                 ("G102 warning", "PMOs!E3", ("P-003",)), id="pmo"),
    pytest.param([Edit("People", "P-006", {"Job Role": "Boss"})],
                 ("S106 error", "People!C7", ("P-003",)), id="person"),
    pytest.param([Edit("Documents", "Service Strategy", {"Owner": "P-002"})],
                 ("O104 warning", "Documents!B2", ("P-002",)), id="document"),
    pytest.param([Edit("Strategy", "OBJ-1", {"Objective": None, "Owner": None})],
                 ("S104 error", "Strategy!B2", ("P-001",)), id="objective-no-owner"),
    pytest.param([Edit("Waivers", None, {"Rule": "K103", "Record": "KPI-01", "Reason": "x",
                                         "Approved By": "P-006", "Expires": D(2026, 11, 14)})],
                 ("W101 warning", "Waivers!E2", ("P-006",)), id="waiver"),
    pytest.param([Edit("Risks and Issues", "RSK-001", {"Owner": "P-099"})],
                 ("X101 error", "'Risks and Issues'!F2", ("P-002",)), id="lead-pmo-fallback"),
])
def test_a_finding_goes_to_the_owner_of_its_record(tmp_path, edits, expected) -> None:
    found = actions_for(tmp_path, edits)
    assert expected in routed(found)
    assert found.unassigned == []
    # each goes to those people and nobody else
    assert [r for r in routed(found) if r[:2] == expected[:2]] == [expected]


def test_nobody_to_own_it_is_unassigned_with_the_reason(tmp_path) -> None:
    found = actions_for(tmp_path, [Edit("Risks and Issues", "RSK-001", {"Owner": "P-099"}),
                                   Edit("PMOs", "PMO-1", {"PMO Manager": None})])
    assert unassigned(found) == {
        ("X101 error", "'Risks and Issues'!F2"):
            "Its Owner (P-099) is not in People, and SVC-001's Lead PMO PMO-1 has no PMO "
            "Manager in People.",
    }
    data = found.as_json()["unassigned"][0]
    assert data == {"kind": "finding", "rule": "X101", "record": "RSK-001",
                    "cell": "'Risks and Issues'!F2", "text": data["text"],
                    "why": unassigned(found)[("X101 error", "'Risks and Issues'!F2")]}


def test_a_setting_or_a_header_has_no_owner(tmp_path) -> None:
    found = actions_for(tmp_path, [Edit("Settings", "Mandated Share Target", {"Value": "half"}),
                                   rename_header("Services", "Go-live Date", "Go live")])
    why = unassigned(found)
    assert why[("G108 warning", "Settings!B3")] == (
        "The master names no owner for a setting: whoever keeps the master workbook fixes it.")
    assert why[("S110 warning", "Services!AB1")] == (
        "It is about the layout of the sheet Services, not one record: whoever keeps the "
        "master workbook fixes it.")


def test_a_missing_sheet_is_unassigned(tmp_path) -> None:
    from pmo_xl.validators.registry import drop_sheet

    found = actions_for(tmp_path, [drop_sheet("Documents")])
    assert ("S101 error", "Documents!A1") in unassigned(found)


def test_a_waived_finding_is_not_an_action(tmp_path) -> None:
    found = actions_for(tmp_path, [
        Edit("Changes", "CHG-001", {"Approved By": "P-002"}),
        Edit("Waivers", None, {"Rule": "C101", "Record": "CHG-001", "Reason": "Delegated",
                               "Approved By": "P-001", "Expires": D(2027, 1, 1)})])
    assert {f.rule for f in found.result.findings if f.waived} == {"C101"}
    assert routed(found) == {PROPOSAL}


# --- the other kinds, only where no finding says it -------------------------------------------

def test_an_overdue_item_is_its_finding_once_and_overdue_only_without_g106(tmp_path) -> None:
    late = [Edit("Risks and Issues", "RSK-001", {"Target Date": D(2026, 10, 31)})]
    found = actions_for(tmp_path, late)
    # Its Owner acts; the Service Owner (P-001), who agrees the mitigation, is told too.
    assert routed(found) == {("G106 warning", "'Risks and Issues'!J2", ("P-001", "P-002")),
                             PROPOSAL}
    owner = next(p for p in found.people if p.person_id == "P-002")
    assert owner.actions[-1].due == D(2026, 10, 31)
    without = actions_for(tmp_path, late, ignore=["G106"])
    assert routed(without) == {("overdue", "'Risks and Issues'!J2", ("P-002",)), PROPOSAL}
    overdue = next(a for p in without.people for a in p.actions if a.kind == "overdue")
    assert overdue.due == D(2026, 10, 31) and overdue.record == "RSK-001"
    waived = actions_for(tmp_path, [*late, Edit("Waivers", None, {
        "Rule": "G106", "Record": "RSK-001", "Reason": "Agreed", "Approved By": "P-001"})])
    assert routed(waived) == {PROPOSAL}


def test_a_missing_actual_is_k103_once_and_actual_due_only_without_it(tmp_path) -> None:
    new_kpi = [Edit("KPIs", None, {"KPI ID": "KPI-03", "Service ID": "SVC-001",
                                   "KPI Name": "Board members reading the report",
                                   "Direction": "Higher is better", "Target": 8,
                                   "Frequency": "Monthly", "Owner": "P-006"})]
    assert ("K103 warning", "KPIs!A4", ("P-006",)) in routed(actions_for(tmp_path, new_kpi))
    without = routed(actions_for(tmp_path, new_kpi, ignore=["K"]))
    assert without == {("actual due", "KPIs!A4", ("P-006",)), PROPOSAL}


def test_approvals_waiting(tmp_path) -> None:
    found = actions_for(tmp_path, [Edit("Changes", "CHG-001", {
        "Status": "Proposed", "Approved By": None, "Approved Date": None})])
    assert routed(found) == {("approval", "Changes!G2", ("P-001",)), PROPOSAL}
    change = next(a for a in found.people[0].actions if a.cell == "Changes!G2")
    assert change.text == ("For the meeting (change to approve), yours to decide: Approve or "
                           "reject CHG-001 to SVC-001 Portfolio reporting: Add a benefits "
                           "section to the report? Then set Status, Approved By and Approved "
                           "Date.")
    assert change.decision == "Change to approve"


def test_a_closure_waiting_is_on_the_agenda_beside_l105(tmp_path) -> None:
    """The closure is the meeting's decision (its Service Owner's), whatever L105 says of
    the missing date; L105's finding goes to the service's owner and managers as before."""
    closing = [Edit("Services", "SVC-001", {"Stage": "Closing",
                                            "Closure Reason": "Objective achieved",
                                            "Closure Approved By": "P-001"})]
    with_rule = routed(actions_for(tmp_path, closing))
    assert ("L105 error", "Services!AE2", ("P-001", "P-002")) in with_rule
    assert ("approval", "Services!AE2", ("P-001",)) in with_rule
    without = routed(actions_for(tmp_path, closing, ignore=["L105"]))
    assert ("approval", "Services!AE2", ("P-001",)) in without


def test_reviews_coming_due(tmp_path) -> None:
    found = actions_for(tmp_path, [
        Edit("Documents", "Service Strategy", {"Last Reviewed": D(2025, 12, 10)}),  # due soon
        Edit("Procedures", "PRD-001", {"Last Reviewed": D(2025, 10, 1)}),  # overdue
        Edit("Services", "SVC-001", {"Last Reviewed": None}),  # never reviewed
        Edit("Documents", "Service Catalogue", {"Last Reviewed": D(2026, 1, 1)}),  # not yet
    ])
    reviews = {(a.cell, a.due, a.text) for p in found.people for a in p.actions
               if a.kind == "review due"}
    # Only what no finding says yet is a "review due": the overdue procedure and the service
    # never reviewed are V102's and V101's findings, each once, routed to their owners.
    assert reviews == {
        ("Documents!D2", D(2026, 12, 10), "The document Service Strategy was last reviewed on "
         "2025-12-10; its review falls due on 2026-12-10. Review it and update Last Reviewed."),
    }
    assert ("review due", "Documents!D2", ("P-001",)) in routed(found)
    found_rules = {r[:2] for r in routed(found)}
    assert ("V102 warning", "Procedures!I2") in found_rules
    assert ("V101 warning", "Services!AI2") in found_rules
    assert not any(r[0] == "review due" and r[1] in ("Procedures!I2", "Services!AI2")
                   for r in routed(found))


def test_the_review_interval_comes_from_settings(tmp_path) -> None:
    edits = [Edit("Documents", "Service Strategy", {"Last Reviewed": D(2026, 6, 1)}),
             Edit("Settings", None, {"Setting": "Review Interval Months", "Value": "6"})]
    found = actions_for(tmp_path, edits)
    assert ("review due", "Documents!D2", ("P-001",)) in routed(found)


def test_each_person_once_per_action_and_in_people_order(tmp_path) -> None:
    # SVC-001's owner is also its manager: one action, not two.
    found = actions_for(tmp_path, [Edit("Services", "SVC-001", {"Service Managers": "P-001",
                                                                "Service Name": None})])
    assert ("S104 error", "Services!B2", ("P-001",)) in routed(found)
    assert sum(a.cell == "Services!B2" for a in found.people[0].actions) == 1
    assert [p.person_id for p in found.people] == sorted(p.person_id for p in found.people)


# --- the command -----------------------------------------------------------------------------

def test_text_output_and_exit_codes(tmp_path, run_cli) -> None:
    clean = write_example(tmp_path / "clean.xlsx")
    result = run_cli("actions", clean, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "Dana Director (P-001) <dana@example.org>: 1 action" in result.stdout
    assert re.search(r"approval +SVC-003 +Services!I4 +For the meeting \(proposal to approve\), "
                     r"yours to decide: Approve SVC-003", result.stdout)
    assert result.stdout.strip().splitlines()[-1] == (
        "1 action for 1 person; 1 decision for the meeting; 0 unassigned in clean.xlsx "
        "(as of 2026-11-15)")
    broken = write_example(tmp_path / "broken.xlsx", [
        Edit("Services", "SVC-001", {"Service Name": None}),
        Edit("People", "P-001", {"Email": None})])
    result = run_cli("actions", broken, "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "Dana Director (P-001), no draft (no Email in People): 2 actions" in result.stdout
    quiet = run_cli("actions", broken, "--as-of", AS_OF, "--quiet")
    assert quiet.stdout.splitlines() == [
        "3 actions for 2 people; 1 decision for the meeting; 0 unassigned; no usable email "
        "for Dana Director (P-001) in broken.xlsx (as of 2026-11-15)"]


def test_one_person(tmp_path, run_cli) -> None:
    master = write_example(tmp_path / "m.xlsx", [Edit("Services", "SVC-001",
                                                      {"Service Name": None})])
    result = run_cli("actions", master, "--as-of", AS_OF, "--person", "p-001",
                     "--format", "json")
    data = json.loads(result.stdout)
    assert [p["person"] for p in data["people"]] == ["P-001"]
    assert data["unassigned"] == [] and data["unaddressed"] == []
    nothing = run_cli("actions", master, "--as-of", AS_OF, "--person", "P-005")
    assert "Sam Admin (P-005) has no actions." in nothing.stdout
    unknown = run_cli("actions", master, "--as-of", AS_OF, "--person", "P-099")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == ("Error: P-099 is not a Person ID in the People sheet of "
                                      "m.xlsx; give an ID such as P-001.")


def test_select_and_ignore(tmp_path, run_cli) -> None:
    master = write_example(tmp_path / "m.xlsx", [Edit("Services", "SVC-001",
                                                      {"Service Name": None})])
    data = json.loads(run_cli("actions", master, "--as-of", AS_OF, "--select", "K",
                              "--format", "json").stdout)
    assert all(a["rule"] is None or a["rule"].startswith("K")
               for p in data["people"] for a in p["actions"])


def test_bad_input_is_one_sentence(tmp_path, run_cli) -> None:
    missing = run_cli("actions", tmp_path / "nope.xlsx")
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    assert len(missing.stderr.strip().splitlines()) == 1
    bad = run_cli("actions", tmp_path / "nope.xlsx", "--as-of", "30/11/2026")
    assert bad.exit_code == 2


def test_as_a_subprocess(northwind, tmp_path) -> None:
    done = run_process("actions", northwind, "--as-of", NORTHWIND_AS_OF.isoformat(), "--quiet")
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip() == ("40 actions for 12 people; 8 decisions for the meeting; 0 "
                                   "unassigned; no usable email for Hannah Lewis (P-014) in "
                                   "example-master.xlsx (as of 2026-11-30)")


def test_the_master_is_untouched(tmp_path, run_cli) -> None:
    master = write_example(tmp_path / "m.xlsx")
    master.chmod(0o444)
    before = master.read_bytes(), master.stat().st_mtime_ns
    try:
        result = run_cli("actions", master, "--as-of", AS_OF, "-o", tmp_path / "drafts")
        assert result.exit_code == 0, result.output
    finally:
        master.chmod(0o644)
    assert (master.read_bytes(), master.stat().st_mtime_ns) == before


# --- the table and its copy in the README ------------------------------------------------------

def test_the_docs_show_the_routing_table() -> None:
    docs = (ROOT / "docs" / "actions.md").read_text(encoding="utf-8")
    assert routing_table() in docs


def test_every_sheet_has_a_route() -> None:
    from pmo_xl.validators.schema import SHEETS

    assert set(SHEETS) <= set(ROUTES)


@pytest.mark.parametrize(("value", "usable"), [
    ("helen.marsh@example.org", "helen.marsh@example.org"), (" a@b.org ", "a@b.org"),
    (None, None), ("", None), ("helen", None), ("helen@example", None),
    ("Helen <helen@example.org>", None), ("a@b.org; c@d.org", None),
    ("a@b.org\nBcc: evil@x.org", None), (42, None)])
def test_usable_email(value, usable) -> None:
    assert usable_email(value) == usable


def test_build_actions_on_a_result(tmp_path) -> None:
    master = write_example(tmp_path / "m.xlsx")
    result = api.check(master, EXAMPLE_AS_OF)
    assert build_actions(result).as_json()["people"][0]["person"] == "P-001"

"""Six one-edit mutants of the newest rules survived the whole suite (issue 24): no test
wrote the master that tells the right code from the mutant. Each test here writes it.

The mutant each test kills, applied by hand and run against this file before it was
committed:

- V104 without "the KPI's service is Running": a chronically Red KPI of a Pilot or Closing
  service, or of a PMO, is reported -> test_v104_*.
- V106 counting a Planned FTE typed as text as missing -> test_v106_*.
- V102 reviewing Retired procedures -> test_v102_*.
- D103/D105 counting any edit to a change record as "moved on" -> test_d103_*, test_d105_*.
- diff matching a key repeated only in NEW -> test_a_key_repeated_only_in_new_*.
- the catalogue listing a repeated Service ID twice -> test_the_catalogue_*.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit

from .conftest import check_json, diff_json

D = dt.date
# KPI-01's actuals Red for August to October 2026 (the V104 failing example's thresholds).
CHRONIC = Edit("KPIs", "KPI-01", {"Target": 98, "Amber Threshold": 97.5, "Red Threshold": 97})


def cells(findings: list[dict], rule: str) -> list[str]:
    return [f"{f['sheet']}!{f['cell']}" for f in findings if f["rule"] == rule]


# --- V104: only a Running service's KPI -----------------------------------------------------


@pytest.mark.parametrize("stage", ["Running", "Pilot", "Closing", "Closed"])
def test_v104_judges_the_kpis_of_running_services_only(tmp_path: Path, stage: str) -> None:
    master = write_example(tmp_path / "m.xlsx", [CHRONIC, Edit("Services", "SVC-001",
                                                               {"Stage": stage})])
    found = cells(check_json(master, "--select", "V104")["findings"], "V104")
    assert found == (["KPI Actuals!C11"] if stage == "Running" else [])


def test_v104_leaves_a_pmo_kpi_alone(tmp_path: Path) -> None:
    """A KPI that measures a PMO (no Service ID) belongs to no Running service."""
    master = write_example(tmp_path / "m.xlsx", [
        CHRONIC, Edit("KPIs", "KPI-01", {"Service ID": None, "PMO ID": "PMO-1"})])
    assert cells(check_json(master, "--select", "V104")["findings"], "V104") == []


# --- V106: a Planned FTE typed as text is S105's, not "no Planned FTE" -------------------------


@pytest.mark.parametrize(("typed", "v106"), [(None, ["Services!O4"]), ("half", []),
                                             ("0.5 FTE", []), (0, [])])
def test_v106_names_only_a_blank_planned_fte(tmp_path: Path, typed, v106: list[str]) -> None:
    master = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-003", {"Planned FTE": typed})])
    findings = check_json(master, "--select", "V106,S105")["findings"]
    assert cells(findings, "V106") == v106
    assert cells(findings, "S105") == (["Services!O4"] if isinstance(typed, str) else [])


# --- V102: a Retired procedure is not reviewed ---------------------------------------------------


@pytest.mark.parametrize(("status", "v102"), [("Active", ["Procedures!I2"]), ("Retired", [])])
def test_v102_leaves_a_retired_procedure_alone(tmp_path: Path, status: str,
                                               v102: list[str]) -> None:
    master = write_example(tmp_path / "m.xlsx", [
        Edit("Procedures", "PRD-001", {"Status": status, "Last Reviewed": D(2025, 11, 14)})])
    assert cells(check_json(master, "--select", "V102")["findings"], "V102") == v102


# --- D103/D105: only a change that moved on is change control ----------------------------------

OFFER = Edit("Services", "SVC-001", {"Offering": "Menu"})
HANDBOOK = Edit("RACI", "PRD-001", {"Service Owner": "I"})
WORDING = Edit("Changes", "CHG-001", {"Description": "Add a benefits section to the reports."})
MOVED_ON = Edit("Changes", "CHG-001", {"Status": "Approved", "Catalogue Updated": "N"})


@pytest.mark.parametrize(("change", "d103"), [
    (None, ["Services!J2"]), (WORDING, ["Services!J2"]), (MOVED_ON, [])])
def test_d103_a_reworded_change_is_not_change_control(tmp_path: Path, change, d103) -> None:
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [OFFER, *([change] if change else [])])
    assert cells(diff_json(old, new, "--select", "D103")["findings"], "D103") == d103


@pytest.mark.parametrize(("change", "d105"), [
    (None, ["RACI!C2"]), (WORDING, ["RACI!C2"]), (MOVED_ON, [])])
def test_d105_a_reworded_change_is_not_change_control(tmp_path: Path, change, d105) -> None:
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [HANDBOOK, *([change] if change else [])])
    assert cells(diff_json(old, new, "--select", "D105")["findings"], "D105") == d105


# --- diff: a key repeated only in NEW matches nothing -------------------------------------------


def test_a_key_repeated_only_in_new_matches_nothing(tmp_path: Path) -> None:
    """RSK-001 once in OLD, twice in NEW (one copy with another Severity): neither copy can
    be told to be the old record, so both are "cannot be matched" and nothing is compared
    with the old one: no change, no deletion, no downgrade."""
    from pmo_xl.validators.examples import base_rows

    risk = next(r for r in base_rows()["Risks and Issues"] if r["ID"] == "RSK-001")
    old = write_example(tmp_path / "old.xlsx", [
        Edit("Risks and Issues", "RSK-001", {"Severity": "High",
                                            "Escalation Level": "Service Ownership"})])
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Risks and Issues", "RSK-001", {"Severity": "High",
                                            "Escalation Level": "Service Ownership"}),
        Edit("Risks and Issues", None, {**risk, "Severity": "Low"})])
    result = diff_json(old, new)
    risks = [(c["kind"], c["cell"], c.get("reason"), c.get("in"))
             for c in result["changes"] if c["sheet"] == "Risks and Issues"]
    assert risks == [("unmatched", "A2", "duplicate key", None),
                     ("unmatched", "A3", "duplicate key", None)]
    assert [f["rule"] for f in result["findings"]] == []
    assert result["summary"]["changed"] == 0 and result["summary"]["removed"] == 0


# --- the catalogue: a repeated Service ID is published once --------------------------------------


def test_the_catalogue_publishes_a_repeated_service_id_once(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pmo_xl.cli import cli
    from pmo_xl.validators.examples import base_rows

    first = next(r for r in base_rows()["Services"] if r["Service ID"] == "SVC-001")
    master = write_example(tmp_path / "m.xlsx", [
        Edit("Services", None, {**first, "Service Name": "Portfolio reporting (copy)"})])
    page = tmp_path / "catalogue.html"
    done = CliRunner().invoke(cli, ["catalogue", str(master), "--as-of", "2026-11-15", "-o",
                                    str(page), "--format", "html"])
    assert done.exit_code in (0, 1), done.output
    text = page.read_text(encoding="utf-8")
    assert re.findall(r'<article class="service" id="([^"]+)"', text) == ["svc-SVC-001"]
    assert "(copy)" not in text  # the first row with the ID is the one published
    assert "1 service in 1 category" in done.output
    # and the check names the repeat, so the PMO can fix it
    assert cells(check_json(master, "--select", "S107")["findings"], "S107") == ["Services!A5"]

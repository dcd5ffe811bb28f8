"""`pmo-xl demo` and its example master: realistic, and wrong in exactly the planned ways."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.example.northwind import (
    DELIBERATE,
    EXAMPLE_AS_OF,
    WAIVED,
    example_rows,
    write_example_master,
)
from pmo_xl.period import previous_month, previous_quarter, step_back
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.schema import (
    CHANGE_REASONS,
    CHANGE_STATUSES,
    CHANGE_TYPES,
    DELIVERY,
    DIRECTIONS,
    ESCALATION_LEVELS,
    FREQUENCIES,
    JOB_ROLES,
    KEY_DOCUMENTS,
    OFFERINGS,
    PROCEDURE_KINDS,
    PROCEDURE_STATUSES,
    RISK_STATUSES,
    RISK_TYPES,
    SCOPES,
    SEVERITIES,
    STAGES,
)
from pmo_xl.workbook.master import read_master
from tests.conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()


def _check(path: Path, as_of: str) -> dict:
    result = CliRunner().invoke(cli, ["check", str(path), "--format", "json", "--as-of", as_of],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _found(report: dict, waived: bool) -> list[tuple[str, str, str]]:
    return sorted((f["rule"], f["sheet"], f["cell"]) for f in report["findings"]
                  if f["waived"] == waived)


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    return write_example_master(tmp_path_factory.mktemp("example") / "example-master.xlsx")


@pytest.fixture(scope="module")
def master(example: Path):
    return read_master(example)


# --- exactly the planned problems ------------------------------------------------------------


def test_the_example_finds_exactly_the_deliberate_problems(example: Path) -> None:
    report = _check(example, AS_OF)
    assert _found(report, waived=False) == sorted(DELIBERATE)
    assert _found(report, waived=True) == sorted(WAIVED)
    assert report["summary"]["waived"] == len(WAIVED)


@pytest.mark.parametrize("as_of", ["2026-11-30", "2027-03-01", "2027-06-15", "2028-01-31"])
def test_the_deliberate_problems_do_not_depend_on_the_as_of_date(tmp_path, as_of) -> None:
    """Every date is relative to as-of, so `pmo-xl demo` shows the same findings any day."""
    path = write_example_master(tmp_path / "example.xlsx", dt.date.fromisoformat(as_of))
    report = _check(path, as_of)
    assert _found(report, waived=False) == sorted(DELIBERATE)
    assert _found(report, waived=True) == sorted(WAIVED)


def test_the_deliberate_problems_are_a_handful_at_least_one_per_family() -> None:
    assert 6 <= len(DELIBERATE) <= 20
    families = [rule[0] for rule, _sheet, _cell in DELIBERATE]
    assert set(families) == set("SXHRLOKGCV")
    # One rule each, no rule twice: a slip per family, plus one per rule of what a service is
    # for (outcomes, pilots, risks with their actions, published entries).
    method = {"L122", "L123", "L124", "L125", "L126", "K110", "G110", "X104"}
    assert method <= {rule for rule, _sheet, _cell in DELIBERATE}
    assert len({rule for rule, _sheet, _cell in DELIBERATE}) == len(DELIBERATE)
    rules = load_rules()
    for rule, _sheet, _cell in DELIBERATE + WAIVED:
        assert rule in rules, f"{rule} is not a registered rule"


def test_the_example_is_deterministic(tmp_path: Path) -> None:
    first = write_example_master(tmp_path / "a.xlsx").read_bytes()
    second = write_example_master(tmp_path / "b.xlsx").read_bytes()
    assert first == second
    assert example_rows() == example_rows()


# --- realistic: the shape the requirements ask for ---------------------------------------------


def _column(master, sheet: str, header: str) -> list:
    return [record[header] for _row, record in master[sheet].rows()]


def test_services_cover_every_stage_scope_offering_and_delivery(master) -> None:
    stages = Counter(_column(master, "Services", "Stage"))
    assert sum(stages.values()) >= 30
    assert set(stages) == set(STAGES)
    assert stages["Running"] == max(stages.values())
    assert set(_column(master, "Services", "Scope")) == set(SCOPES)
    assert set(_column(master, "Services", "Offering")) == set(OFFERINGS)
    assert set(_column(master, "Services", "Delivery")) == set(DELIVERY)
    names = " ".join(_column(master, "Services", "Service Name")).lower()
    for word in ("portfolio", "raid", "benefits", "capacity", "schedule", "lessons",
                 "academy", "tool", "gate", "financial"):
        assert word in names


def test_a_temporary_supporting_service_and_a_replaced_one(master) -> None:
    services = {record["Service ID"]: record for _row, record in master["Services"].rows()}
    temporary = [s for s in services.values() if s["Temporary"] == "Y"]
    assert len(temporary) == 1
    clinic = temporary[0]
    assert "clinic" in clinic["Service Name"].lower()
    assert clinic["Stage"] == "Running"
    assert clinic["Planned End Date"] > EXAMPLE_AS_OF
    assert services[clinic["Supports Service"]]["Stage"] in ("Pilot", "Transition")
    replaced = [s for s in services.values() if s["Closure Reason"] == "Replaced by another "
                "service"]
    assert len(replaced) == 1 and replaced[0]["Stage"] == "Closed"
    assert services[replaced[0]["Replaced By"]]["Stage"] == "Running"


def test_pmos_people_strategy_and_documents(master) -> None:
    pmos = {r["PMO ID"]: r for _row, r in master["PMOs"].rows()}
    assert len(pmos) == 3
    assert {r["Level"] for r in pmos.values()} == {"Enterprise", "Portfolio", "Programme"}
    assert sum(1 for r in pmos.values() if r["Parent PMO"] in pmos) == 2
    people = _column(master, "People", "Job Role")
    assert len(people) >= 15 and set(people) == set(JOB_ROLES)
    assert 3 <= len(_column(master, "Strategy", "Objective ID")) <= 5
    assert sorted(_column(master, "Documents", "Document")) == sorted(KEY_DOCUMENTS)


def test_sipoc_handbook_and_raci(master) -> None:
    stage = {r["Service ID"]: r["Stage"] for _row, r in master["Services"].rows()}
    sipoc_services = set(_column(master, "SIPOC", "Service ID"))
    later = {"Pilot", "Transition", "Running", "Closing", "Closed"}
    assert {s for s, st in stage.items() if st in later} == sipoc_services
    outputs = {o.strip() for v in _column(master, "SIPOC", "Outputs") if v for o in v.split(";")}
    inputs = {i.strip() for v in _column(master, "SIPOC", "Inputs") for i in v.split(";")}
    assert len(outputs & inputs) >= 5  # processes depend on each other's outputs
    assert set(_column(master, "Procedures", "Status")) == set(PROCEDURE_STATUSES)
    assert set(_column(master, "Procedures", "Kind")) == set(PROCEDURE_KINDS)
    raci_procedures = set(_column(master, "RACI", "Procedure ID"))
    live = {r["Procedure ID"] for _row, r in master["Procedures"].rows()
            if r["Status"] != "Retired"}
    assert live <= raci_procedures


def test_kpis_have_a_year_of_actuals_up_to_the_reporting_period(master) -> None:
    kpis = {r["KPI ID"]: r for _row, r in master["KPIs"].rows()}
    stages = {r["Service ID"]: r["Stage"] for _row, r in master["Services"].rows()}
    assert {k["Direction"] for k in kpis.values()} == set(DIRECTIONS)
    assert {k["Frequency"] for k in kpis.values()} == set(FREQUENCIES)
    periods: dict[str, list[dt.date]] = {}
    for _row, record in master["KPI Actuals"].rows():
        periods.setdefault(record["KPI ID"], []).append(record["Period"])
    assert any(r["Commentary"] for _row, r in master["KPI Actuals"].rows())
    full_year = not_due = 0
    for kpi_id, kpi in kpis.items():
        last = (previous_quarter(EXAMPLE_AS_OF) if kpi["Frequency"] == "Quarterly"
                else previous_month(EXAMPLE_AS_OF))
        if ("K103", "KPIs", f"A{_row_of(master, 'KPIs', kpi_id)}") in DELIBERATE:
            assert last not in periods[kpi_id]
            continue
        if kpi_id not in periods:  # KPI-21, KPI-22: of services in Transition, not due yet
            assert stages[kpi["Service ID"]] == "Transition", kpi_id
            not_due += 1
            continue
        if kpi["Status"] == "Retired":  # KPI-20: reported up to its Retired Date, then not
            assert max(periods[kpi_id]) < kpi["Retired Date"] < last
            continue
        assert max(periods[kpi_id]) == last
        if min(periods[kpi_id]) <= step_back(kpi["Frequency"], last, 3 if kpi["Frequency"]
                                             == "Quarterly" else 11):
            full_year += 1
    retired = sum(1 for k in kpis.values() if k["Status"] == "Retired")
    assert full_year >= len(kpis) - retired - not_due - 2


def _row_of(master, sheet: str, record_id: str) -> int:
    return next(row for row, record in master[sheet].rows() if record["KPI ID"] == record_id)


def test_risks_changes_log_waivers_and_settings(master) -> None:
    risks = master["Risks and Issues"]
    assert set(_column(master, "Risks and Issues", "Severity")) == set(SEVERITIES)
    assert set(_column(master, "Risks and Issues", "Status")) == set(RISK_STATUSES)
    assert set(_column(master, "Risks and Issues", "Escalation Level")) == set(ESCALATION_LEVELS)
    assert set(_column(master, "Risks and Issues", "Type")) == set(RISK_TYPES)
    assert risks.present
    assert set(_column(master, "Changes", "Type")) == set(CHANGE_TYPES)
    assert set(_column(master, "Changes", "Reason")) == set(CHANGE_REASONS)
    assert set(_column(master, "Changes", "Status")) == set(CHANGE_STATUSES)
    assert len(_column(master, "Lifecycle Log", "Service ID")) >= 30
    assert len(_column(master, "Waivers", "Rule")) >= 1
    settings = {r["Setting"]: r["Value"] for _row, r in master["Settings"].rows()}
    assert settings["Organisation"] == "Northwind Group"
    assert settings["Mandated Share Target"] == "50%"


# --- pmo-xl demo --------------------------------------------------------------------------


def test_demo_in_process(tmp_path: Path, run_cli) -> None:
    folder = tmp_path / "demo"
    result = run_cli("demo", folder, "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    master = folder / "example-master.xlsx"
    assert master.exists()
    for rule, _sheet, cell in DELIBERATE:
        assert rule in result.output
        assert cell in result.output
    assert "example-master.xlsx" in result.output and "pmo-xl check" in result.output
    assert openpyxl.load_workbook(master)["Settings"]["B2"].value == "Northwind Group"
    findings = folder / "findings.xlsx"
    assert str(findings) in result.output
    assert "Findings" in openpyxl.load_workbook(findings).sheetnames
    pack = folder / f"pack-{AS_OF}"
    status = openpyxl.load_workbook(pack / f"status-report-{AS_OF}.xlsx")
    assert status.sheetnames[0] == "Summary" and "Services" in status.sheetnames
    kpi = openpyxl.load_workbook(pack / f"kpi-report-{AS_OF}.xlsx")
    assert "Trends" in kpi.sheetnames
    assert b"X-Unsent: 1" in (pack / "governance-pack.eml").read_bytes()
    assert str(pack / "governance-pack.eml") in result.output


def test_demo_as_a_process_exits_0_although_it_finds_errors(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    completed = run_process("demo", folder, "--as-of", AS_OF)
    assert completed.returncode == 0, completed.stderr
    assert (folder / "example-master.xlsx").exists()
    for _rule, _sheet, cell in DELIBERATE:
        assert cell in completed.stdout
    assert "\x1b[" not in completed.stdout  # no colour codes when not on a terminal
    # The check of what the demo wrote gives the same findings as the demo printed.
    report = _check(folder / "example-master.xlsx", AS_OF)
    assert _found(report, waived=False) == sorted(DELIBERATE)
    summary = report["summary"]
    assert summary["error"] > 0
    # (the line wraps where the terminal's width ends it)
    assert (f"{summary['error']} errors, {summary['warning']} warnings, {summary['info']} info, "
            f"{summary['waived']} waived in example-master.xlsx (as of {AS_OF})"
            in " ".join(completed.stdout.split()))


def test_demo_with_no_arguments_uses_its_default_folder_and_today(tmp_path: Path) -> None:
    completed = run_process("demo", cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    master = tmp_path / "pmo-xl-demo" / "example-master.xlsx"
    assert master.exists()
    report = _check(master, dt.date.today().isoformat())
    assert _found(report, waived=False) == sorted(DELIBERATE)


def test_demo_refreshes_its_own_files_but_touches_nothing_else(tmp_path: Path, run_cli) -> None:
    folder = tmp_path / "demo"
    assert run_cli("demo", folder, "--as-of", AS_OF).exit_code == 0
    notes = folder / "my-notes.txt"
    notes.write_text("mine")
    again = run_cli("demo", folder, "--as-of", "2027-01-31")
    assert again.exit_code == 0, again.output
    assert notes.read_text() == "mine"
    assert "as of 2027-01-31" in again.output


def test_demo_never_overwrites_an_example_master_someone_saved(tmp_path: Path, run_cli) -> None:
    folder = tmp_path / "demo"
    assert run_cli("demo", folder, "--as-of", AS_OF).exit_code == 0
    master = folder / "example-master.xlsx"
    book = openpyxl.load_workbook(master)
    book["Services"]["B2"] = "Portfolio reporting (my edit)"
    book.save(master)  # as Excel would: a new modified time and author
    before = master.read_bytes()
    result = run_cli("demo", folder, "--as-of", AS_OF)
    assert result.exit_code == 2
    assert master.read_bytes() == before
    assert "may hold your edits" in result.stderr and result.stderr.count("\n") == 1


def test_demo_into_a_file_is_one_sentence(tmp_path: Path) -> None:
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    completed = run_process("demo", target, "--as-of", AS_OF)
    assert completed.returncode == 2
    assert "is a file, not a folder" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_libreoffice_opens_the_example_master(example: Path, tmp_path: Path) -> None:
    """A real spreadsheet application opens it and shows every sheet with what we wrote."""
    import csv
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed, so the example master cannot be "
                    "opened in a real spreadsheet application here")
    # CSV filter options: comma, quote, UTF-8, from row 1, ..., last field -1 = every sheet.
    csv_filter = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", csv_filter, "--outdir", str(tmp_path), str(example)],
        capture_output=True, text=True, timeout=240,
    )
    services = tmp_path / f"{example.stem}-Services.csv"
    assert services.exists(), completed.stdout + completed.stderr
    with services.open(encoding="utf-8", newline="") as handle:
        shown = list(csv.DictReader(handle))
    written = example_rows()["Services"]
    assert [r["Service ID"] for r in shown] == [r["Service ID"] for r in written]
    assert [r["Stage"] for r in shown] == [r["Stage"] for r in written]
    assert shown[0]["Go-live Date"] == written[0]["Go-live Date"].isoformat()
    for sheet in ("Readme", "KPI Actuals", "RACI", "Settings"):
        assert (tmp_path / f"{example.stem}-{sheet}.csv").stat().st_size > 0

"""`pmo-xl diff OLD NEW`: record by record, the drift rules, the JSON and the changes workbook."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.compare.diff import compare_masters
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.master import read_master

from .conftest import AS_OF, diff_json, run_process

D = dt.date


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def edit_as_a_user(source: Path, target: Path) -> Path:
    """What a PMO analyst does to the master in Excel in a month.

    Services sorted by Service Name (Z to A) and a "Local Notes" column inserted before Lead
    PMO; KPI Actuals sorted newest first, the Period shown as dd/mm/yyyy; trailing spaces
    typed after a description; and five real edits: SVC-002 moved to Pilot with nothing in
    the Lifecycle Log, SVC-001's Customers widened with no change request, RSK-001's row
    deleted, KPI-01's March actual changed from 92 to 90, and PRD-003's Version typed as a
    number where it was text (the same 1.0, typed either way: no change).
    """
    book = openpyxl.load_workbook(source)
    services = book["Services"]
    del services.tables["Services"]  # a user's own sort and insert leave no stale table
    _sort(services, key=lambda r: r[1], reverse=True)  # Service Name, Z to A
    for row in services.iter_rows(min_row=2):
        if row[0].value == "SVC-002":
            row[8].value = "Pilot"  # Stage (column I before the insert)
        if row[0].value == "SVC-001":
            row[5].value = "Executive board; programme boards"  # Customers
        if row[0].value == "SVC-003":
            row[2].value = f"{row[2].value}   "  # Description: trailing spaces only
    services.insert_cols(5)  # before Lead PMO (E)
    services["E1"] = "Local Notes"
    services["E2"] = "Check with Dana"
    actuals = book["KPI Actuals"]
    del actuals.tables["KPIActuals"]
    _sort(actuals, key=lambda r: (r[1], r[0]), reverse=True)  # newest first
    for row in actuals.iter_rows(min_row=2):
        row[1].number_format = "dd/mm/yyyy"
        if row[0].value == "KPI-01" and row[1].value == dt.datetime(2026, 3, 1):
            row[2].value = 90
    risks = book["Risks and Issues"]
    risks.delete_rows(2)
    book.save(target)
    return target


def _sort(sheet, key, reverse: bool) -> None:
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    rows.sort(key=key, reverse=reverse)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c).value = value


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old = write_example(tmp_path / "master-2026-10.xlsx")
    new = edit_as_a_user(old, tmp_path / "master.xlsx")
    return old, new


# --- a master edited as a user would ----------------------------------------------------------

EXPECTED_CHANGES = [
    {"sheet": "Services", "kind": "column added", "column": "Local Notes", "cell": "E1"},
    {"sheet": "Services", "record": "SVC-001", "kind": "changed", "column": "Customers",
     "old": "Executive board", "new": "Executive board; programme boards", "cell": "G2"},
    {"sheet": "Services", "record": "SVC-002", "kind": "changed", "column": "Stage",
     "old": "Design", "new": "Pilot", "cell": "J4"},
    {"sheet": "KPI Actuals", "record": "KPI-01 2026-03-01", "kind": "changed",
     "column": "Actual", "old": 92, "new": 90, "cell": "C11"},
    {"sheet": "Risks and Issues", "record": "RSK-001", "kind": "removed", "cell": "A2",
     "in": "old"},
]
EXPECTED_FINDINGS = [  # in the one order of findings: errors first, then by sheet and row
    ("D101", "error", "Services", "J4", "SVC-002", False),
    ("D103", "warning", "Services", "G2", "SVC-001", False),
    ("D104", "warning", "KPI Actuals", "C11", "KPI-01", False),
    ("D102", "warning", "Risks and Issues", "A2", "RSK-001", True),
]


def test_a_month_of_user_edits_gives_exactly_the_expected_changes(versions) -> None:
    report = diff_json(*versions)
    assert report["changes"] == EXPECTED_CHANGES
    assert report["summary"] == {"added": 0, "removed": 1, "changed": 3, "error": 1,
                                 "warning": 3}


def test_and_exactly_the_expected_drift_findings_at_their_cells(versions) -> None:
    report = diff_json(*versions)
    found = [(f["rule"], f["severity"], f["sheet"], f["cell"], f["record"], f.get("in") == "old")
             for f in report["findings"]]
    assert found == EXPECTED_FINDINGS
    d101 = report["findings"][0]
    assert d101["message"] == ("SVC-002 moved from Design to Pilot since the previous version, "
                               "but the Lifecycle Log has no step for it from Design to Pilot.")
    assert "Lifecycle Log" in d101["hint"]
    d104 = report["findings"][2]
    assert "was 92 in the previous version and is 90 now" in d104["message"]


def test_the_json_object_has_the_spec_shape(versions) -> None:
    report = diff_json(*versions)
    assert list(report) == ["old", "new", "as_of", "summary", "changes", "findings"]
    assert (report["old"], report["new"], report["as_of"]) == (
        "master-2026-10.xlsx", "master.xlsx", AS_OF)
    assert list(report["summary"]) == ["added", "removed", "changed", "error", "warning"]
    finding = report["findings"][0]
    assert list(finding) == ["rule", "severity", "sheet", "cell", "row", "column", "record",
                             "message", "hint", "waived"]
    assert list(report["findings"][-1])[-1] == "in"  # D102 names the old version's cell
    for change in report["changes"]:
        keys = {"sheet", "kind", "cell"} | ({"record"} if "column" not in change
                                           or change["kind"] == "changed" else set())
        assert keys <= set(change)


def test_exit_codes_strict_select_and_quiet(versions) -> None:
    old, new = versions
    assert run("diff", old, new, "--as-of", AS_OF).exit_code == 1  # D101 is an error
    assert run("diff", old, new, "--as-of", AS_OF, "--select", "D103,D104").exit_code == 0
    assert run("diff", old, new, "--as-of", AS_OF, "--select", "D103", "--strict").exit_code == 1
    assert run("diff", old, new, "--as-of", AS_OF, "--ignore", "D").exit_code == 0
    quiet = run("diff", old, new, "--as-of", AS_OF, "--quiet")
    assert quiet.output.strip().splitlines() == [
        f"0 records added, 1 removed, 3 changed, 1 column added or removed; 1 drift error, "
        f"3 warnings "
        f"(master-2026-10.xlsx → master.xlsx, as of {AS_OF})"]
    only = diff_json(old, new, "--select", "D101")
    assert [f["rule"] for f in only["findings"]] == ["D101"]
    assert only["changes"] == EXPECTED_CHANGES  # selecting rules never hides a change


def test_text_output_groups_changes_by_sheet_with_their_cells(versions) -> None:
    old, new = versions
    text = run("diff", old, new, "--as-of", AS_OF).output
    assert text.index("Services\n") < text.index("KPI Actuals\n") < text.index(
        "Risks and Issues\n") < text.index("Drift findings")
    assert "Services!J4" in text and "SVC-002  Stage: Design → Pilot" in text
    assert "'KPI Actuals'!C11" in text and "Actual: 92 → 90" in text
    assert "'Risks and Issues'!A2 (old)" in text and "RSK-001 removed" in text
    assert "'Local Notes' column added" in text
    assert "D101 error" in text and "hint:" in text


def test_a_file_compared_with_itself_has_no_changes(example_master) -> None:
    result = run("diff", example_master, example_master, "--as-of", AS_OF)
    assert result.exit_code == 0
    assert result.output.startswith("No changes")
    completed = run_process("diff", example_master, example_master)
    assert completed.returncode == 0 and completed.stdout.startswith("No changes")
    report = diff_json(example_master, example_master)
    assert report["changes"] == [] and report["findings"] == []


def test_sorting_moving_and_reformatting_alone_change_nothing(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    book = openpyxl.load_workbook(old)
    for title in ("Services", "KPI Actuals", "RACI", "Lifecycle Log", "SIPOC"):
        sheet = book[title]
        for table in list(sheet.tables):
            del sheet.tables[table]
        _sort(sheet, key=lambda r: tuple(str(v) for v in r), reverse=True)
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.number_format = "0.00" if isinstance(cell.value, int | float) else (
                    "d mmm yyyy" if isinstance(cell.value, dt.datetime) else "@")
    book["KPIs"]["F2"] = 95.0  # was typed 95
    book["Procedures"]["B2"] = "  Request and chase status updates  "
    new = tmp_path / "new.xlsx"
    book.save(new)
    assert diff_json(old, new)["changes"] == []


def test_blank_and_repeated_keys_are_reported_never_guessed(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx", [
        Edit("KPIs", None, {"KPI ID": "KPI-01", "Service ID": "SVC-001", "KPI Name": "Copy",
                            "Direction": "Higher is better", "Target": 1,
                            "Frequency": "Monthly"})])
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Risks and Issues", "RSK-001", {"ID": None, "Severity": "High"}),
        Edit("KPIs", "KPI-01", {"Target": 50})])
    report = diff_json(old, new)
    unmatched = [c for c in report["changes"] if c["kind"] == "unmatched"]
    assert unmatched == [
        {"sheet": "KPIs", "record": "KPI-01", "kind": "unmatched", "cell": "A2",
         "reason": "duplicate key", "in": "old"},
        {"sheet": "KPIs", "record": "KPI-01", "kind": "unmatched", "cell": "A4",
         "reason": "duplicate key", "in": "old"},
        {"sheet": "Risks and Issues", "record": "", "kind": "unmatched", "cell": "A2",
         "reason": "blank key"},
    ]
    # KPI-01 is repeated in OLD, so neither of its rows is matched with NEW's KPI-01: its
    # changed Target is not guessed at. The row with a blank ID is not guessed to be RSK-001
    # either, so NEW has no RSK-001: that record is gone, and D102 says so.
    assert [c for c in report["changes"] if c["kind"] != "unmatched"] == [
        {"sheet": "Risks and Issues", "record": "RSK-001", "kind": "removed", "cell": "A2",
         "in": "old"}]
    assert [(f["rule"], f["cell"]) for f in report["findings"]] == [("D102", "A2")]


def test_columns_removed_and_added_are_reported_once_per_sheet(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Services", "SVC-001", {"Local Notes": "x"}),
        Edit("Services", "SVC-002", {"Local Notes": "y"})])
    book = openpyxl.load_workbook(new)
    sheet = book["RACI"]
    del sheet.tables["RACI"]
    sheet.delete_cols(10)  # the Customer role column (J)
    book.save(new)
    changes = diff_json(old, new)["changes"]
    assert changes == [
        {"sheet": "Services", "kind": "column added", "column": "Local Notes", "cell": "AO1"},
        {"sheet": "RACI", "kind": "column removed", "column": "Customer", "cell": "J1",
         "in": "old"},
    ]


def test_the_raci_role_columns_are_fields_of_an_activity(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [Edit("RACI", "PRD-002", {"Customer": "C"})])
    assert diff_json(old, new)["changes"] == [
        {"sheet": "RACI", "record": "PRD-002 Compile the report", "kind": "changed",
         "column": "Customer", "old": None, "new": "C", "cell": "J4"}]


def test_a_value_that_cannot_be_typed_still_shows_its_change(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [Edit("Services", "SVC-002", {"Stage": "Pillot"})])
    assert diff_json(old, new)["changes"] == [
        {"sheet": "Services", "record": "SVC-002", "kind": "changed", "column": "Stage",
         "old": "Design", "new": "Pillot", "cell": "I3"}]


def test_the_library_function_matches_the_command(versions) -> None:
    comparison = api.diff(*versions, D(2026, 11, 15))
    assert [f.rule for f in comparison.findings] == [f[0] for f in EXPECTED_FINDINGS]
    assert comparison.summary["changed"] == 3
    changed = comparison.diff["Services"].changed["SVC-002"]
    assert changed.columns == {"Stage": ("Design", "Pilot")}
    assert (changed.old_row, changed.new_row) == (3, 4)
    direct = compare_masters(read_master(versions[0]), read_master(versions[1]))
    assert [c.as_json() for c in direct.changes] == EXPECTED_CHANGES


def test_a_pack_folder_is_read_through_its_snapshot(versions, tmp_path) -> None:
    old, new = versions
    pack = api.pack(old, D(2026, 10, 31), tmp_path / "pmo-pack-2026-10-31").folder
    report = diff_json(pack, new)
    assert report["old"] == "pmo-pack-2026-10-31"
    assert report["changes"] == EXPECTED_CHANGES


# --- the changes workbook ---------------------------------------------------------------------


def test_the_changes_workbook(versions, tmp_path) -> None:
    old, new = versions
    output = tmp_path / "out" / "changes.xlsx"
    output.parent.mkdir()
    result = run("diff", old, new, "--as-of", AS_OF, "-o", output)
    assert result.exit_code == 1 and f"Changes workbook: {output}" in result.output
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Summary", "Changes", "Drift findings"]
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Old version"].startswith("master-2026-10.xlsx (")
    assert (summary["Records removed"], summary["Records changed"], summary["Values changed"],
            summary["Drift errors"]) == (1, 3, 3, 1)
    per_sheet = _table(book["Summary"], "Sheet")
    assert [(r["Sheet"], r["Records changed"], r["Values changed"], r["Records removed"],
             r["Columns added or removed"]) for r in per_sheet] == [
        ("Services", 2, 2, 0, 1), ("KPI Actuals", 1, 1, 0, 0), ("Risks and Issues", 0, 0, 1, 0)]
    changes = book["Changes"]
    rows = _table(changes, "Sheet")
    stage = next(r for r in rows if r["Column"] == "Stage")
    assert (stage["Old value"], stage["New value"], stage["Cell"], stage["In"]) == (
        "Design", "Pilot", "Services!J4", "New")
    assert _link(changes.cell(rows.index(stage) + 2, 7)) == "../master.xlsx#'Services'!J4"
    removed = next(r for r in rows if r["Change"] == "Removed")
    assert removed["In"] == "Old"
    assert _link(changes.cell(rows.index(removed) + 2, 7)) == (
        "../master-2026-10.xlsx#'Risks and Issues'!A2")
    drift = _table(book["Drift findings"], "Rule")
    assert [r["Rule"] for r in drift] == ["D101", "D103", "D104", "D102"]  # the one order
    assert drift[3]["Cell"] == "'Risks and Issues'!A2 (old)"
    assert _link(book["Drift findings"].cell(5, 3)) == (
        "../master-2026-10.xlsx#'Risks and Issues'!A2")
    assert _link(book["Drift findings"].cell(2, 3)) == "../master.xlsx#'Services'!J4"


def _link(cell) -> str:
    """A cell's hyperlink as one address (xlsxwriter writes Windows separators)."""
    return f"{cell.hyperlink.target.replace(chr(92), '/')}#{cell.hyperlink.location}"


def _table(sheet, first_header: str) -> list[dict]:
    grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(grid) if r[0] == first_header)
    headers = [h for h in grid[start] if h is not None]
    found = []
    for line in grid[start + 1:]:
        if line[0] is None:
            break
        found.append(dict(zip(headers, line, strict=False)))
    return found


def test_user_text_is_written_as_text_never_a_formula(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    payload = "=HYPERLINK(\"http://evil.example\",\"click\")"
    new = write_example(tmp_path / "new.xlsx", [Edit("Services", "SVC-001",
                                                     {"Description": payload})])
    output = tmp_path / "changes.xlsx"
    assert run("diff", old, new, "--as-of", AS_OF, "-o", output).exit_code == 0
    cell = openpyxl.load_workbook(output)["Changes"]["F2"]
    assert cell.value == payload and cell.data_type == "s"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_changes_workbook(versions, tmp_path) -> None:
    output = tmp_path / "changes.xlsx"
    assert run("diff", *versions, "--as-of", AS_OF, "-o", output).exit_code == 1
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(output)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "changes.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000


# --- bad input: one sentence, exit 2 --------------------------------------------------------


def _one_sentence(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_missing_old_or_new_is_one_sentence(example_master, tmp_path) -> None:
    missing = tmp_path / "nowhere.xlsx"
    assert "nowhere.xlsx" in _one_sentence(run("diff", missing, example_master))
    assert "nowhere.xlsx" in _one_sentence(run("diff", example_master, missing))


def test_an_unreadable_version_is_one_sentence(example_master, tmp_path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    assert "broken.xlsx" in _one_sentence(run("diff", example_master, broken))
    completed = run_process("diff", broken, example_master)
    assert completed.returncode == 2 and "Traceback" not in completed.stderr


def test_an_output_that_is_either_version_is_refused(versions) -> None:
    old, new = versions
    before = old.read_bytes(), new.read_bytes()
    for target in (old, new):
        assert "master itself" in _one_sentence(run("diff", old, new, "-o", target))
    assert (old.read_bytes(), new.read_bytes()) == before


def test_an_output_that_is_a_pack_snapshot_is_refused(versions, tmp_path) -> None:
    old, new = versions
    pack = api.pack(old, D(2026, 10, 31), tmp_path / "pack").folder
    snapshot = pack / "master-snapshot.xlsx"
    before = snapshot.read_bytes()
    assert "master itself" in _one_sentence(run("diff", pack, new, "-o", snapshot))
    assert snapshot.read_bytes() == before


def test_a_folder_without_a_snapshot_is_one_sentence(example_master, tmp_path) -> None:
    folder = tmp_path / "not-a-pack"
    folder.mkdir()
    message = _one_sentence(run("diff", folder, example_master))
    assert "without a master-snapshot.xlsx" in message


@pytest.mark.parametrize("content, words", [
    ("{not json", "is damaged"),
    (json.dumps({"format": 99}), "newer pmo-xl"),
    (json.dumps({"format": 1, "as_of": "2026-10-31"}), "is damaged"),
])
def test_a_pack_whose_pack_json_cannot_be_used_is_one_sentence(versions, tmp_path, content,
                                                               words) -> None:
    old, new = versions
    pack = api.pack(old, D(2026, 10, 31), tmp_path / "pack").folder
    (pack / "pack.json").write_text(content)
    assert words in _one_sentence(run("diff", pack, new))


def test_a_snapshot_that_is_not_the_packs_master_is_one_sentence(versions, tmp_path) -> None:
    old, new = versions
    pack = api.pack(old, D(2026, 10, 31), tmp_path / "pack").folder
    shutil.copy(new, pack / "master-snapshot.xlsx")
    assert "is not the master its pack.json names" in _one_sentence(run("diff", pack, new))


def test_dates_and_numbers_in_the_changes_workbook_stay_dates_and_numbers(tmp_path) -> None:
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Services", "SVC-002", {"Pilot Start": D(2026, 10, 5)}),
        Edit("KPIs", "KPI-01", {"Target": 93.5})])
    output = tmp_path / "changes.xlsx"
    assert run("diff", old, new, "--as-of", AS_OF, "-o", output).exit_code == 0  # D108 warns
    sheet = openpyxl.load_workbook(output)["Changes"]
    date_row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 4).value ==
                    "Pilot Start")
    assert sheet.cell(date_row, 5).value == "(blank)"
    assert sheet.cell(date_row, 6).value == dt.datetime(2026, 10, 5)
    assert sheet.cell(date_row, 6).number_format == "yyyy-mm-dd"
    target_row = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 4).value ==
                      "Target")
    assert (sheet.cell(target_row, 5).value, sheet.cell(target_row, 6).value) == (95, 93.5)

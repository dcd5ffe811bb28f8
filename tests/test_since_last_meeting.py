"""The pack remembers: its snapshot and pack.json, the previous pack found by itself or named,
the Since last meeting and RAG history sheets, the email paragraph and the demo's two packs."""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import json
import shutil
import subprocess
import zipfile
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl import rag
from pmo_xl.cli import cli
from pmo_xl.example.northwind import EXAMPLE_AS_OF as NORTHWIND_AS_OF
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit

D = dt.date
OCT, NOV, DEC = D(2026, 10, 31), D(2026, 11, 30), D(2026, 12, 31)
# A month of moves at the example organisation: SVC-002 into Pilot with nothing logged,
# RSK-001 closed, a new issue raised, KPI-01's January actual restated.
MOVES = [
    Edit("Services", "SVC-002", {"Stage": "Pilot", "Pilot Start": D(2026, 11, 2)}),
    Edit("Risks and Issues", "RSK-001", {"Status": "Closed"}),
    Edit("Risks and Issues", None, {
        "ID": "ISS-001", "Service ID": "SVC-001", "Type": "Issue", "Severity": "High",
        "Description": "The status template broke after the tool upgrade.", "Owner": "P-002",
        "Status": "Open", "Escalation Level": "Service Ownership",
        "Raised Date": D(2026, 11, 9), "Target Date": D(2026, 12, 15)}),
    Edit("KPI Actuals", "KPI-01", {"Actual": 80}),
]


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def pack(master: Path, as_of: dt.date, folder: Path, *extra: object):
    result = run("pack", master, "--as-of", as_of.isoformat(), "-o", folder, *extra)
    assert result.exit_code in (0, 1), result.output
    return result


def status(folder: Path, as_of: dt.date) -> openpyxl.Workbook:
    return openpyxl.load_workbook(folder / f"status-report-{as_of.isoformat()}.xlsx")


def body(folder: Path) -> str:
    with (folder / "governance-pack.eml").open("rb") as handle:
        message = BytesParser(policy=email.policy.default).parse(handle)
    return message.get_body(preferencelist=("plain",)).get_content()


def table(sheet, first_header: str) -> list[dict]:
    grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(grid) if r[0] == first_header)
    headers = grid[start]
    rows = []
    for line in grid[start + 1:]:
        if line[0] is None:
            break
        rows.append(dict(zip(headers, line, strict=False)))
    return rows


def snapshot_state(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def two_packs(tmp_path: Path) -> dict:
    """October's pack of the clean example master, then November's of the moved one."""
    packs = tmp_path / "packs"
    packs.mkdir()
    october = write_example(tmp_path / "master-october.xlsx")
    november = write_example(tmp_path / "master.xlsx", MOVES)
    first = pack(october, OCT, packs / "pmo-pack-2026-10-31")
    before = snapshot_state(packs / "pmo-pack-2026-10-31")
    second = pack(november, NOV, packs / "board-november")  # the name does not matter
    return {"packs": packs, "october": october, "november": november, "first": first,
            "second": second, "before": before, "old": packs / "pmo-pack-2026-10-31",
            "new": packs / "board-november"}


# --- what each pack keeps -------------------------------------------------------------------


def test_a_pack_keeps_a_byte_copy_of_its_master_and_pack_json(two_packs) -> None:
    folder, master = two_packs["old"], two_packs["october"]
    assert (folder / "master-snapshot.xlsx").read_bytes() == master.read_bytes()
    memory = json.loads((folder / "pack.json").read_text())
    assert memory["format"] == 1
    assert memory["as_of"] == "2026-10-31"
    assert memory["master"] == {"name": "master-october.xlsx",
                                "sha256": hashlib.sha256(master.read_bytes()).hexdigest(),
                                "snapshot": "master-snapshot.xlsx"}
    # At 31 October the reporting month is September: KPI-01's 93 misses its 95 target.
    assert memory["services"]["SVC-001"] == {
        "name": "Portfolio reporting", "stage": "Running", "rag": "Amber", "health": "Amber",
        "data_quality": {"error": 0, "warning": 0}, "why": "KPI-01 Amber", "lead_pmo": "PMO-1",
        "category": "Reporting", "service_owner": "P-001"}
    assert memory["services"]["SVC-002"] == {
        "name": "Benefits tracking", "stage": "Design", "rag": "Not reporting yet",
        "health": "Not reporting yet", "data_quality": {"error": 0, "warning": 0},
        "why": "not reporting KPIs yet (Design)", "lead_pmo": "PMO-2",
        "category": "Assurance", "service_owner": "P-002"}
    assert [(d["kind"], d["record"], d["decider"]) for d in memory["decisions"]] == [
        ("Proposal to approve", "SVC-003", "P-001")]
    assert memory["pmo"] is None
    assert memory["kpis"]["KPI-01"] == {
        "service": "SVC-001", "rag": "Amber", "pmo": None, "period": "2026-09-01",
        "actual": 93.0, "target": 95.0, "amber_threshold": 90.0, "red_threshold": None,
        "direction": "Higher is better", "frequency": "Monthly",
        "name": "Reports published on time", "unit": "%", "owner": "P-002"}
    assert memory["summary"] == {"error": 0, "warning": 0, "info": 0, "waived": 0}
    assert memory["findings"] == []
    # The one decision of the Decisions needed sheet: the proposal, decided by PMO-1's manager.
    assert memory["decisions"] == [{
        "kind": "Proposal to approve", "record": "SVC-003", "service": "SVC-003",
        "pmo": "PMO-1", "decider": "P-001",
        "summary": "Approve SVC-003 Lessons learned library (priority 3)? It plans 0.5 FTE and "
                   "would leave PMO-1 3.5 of its 4 FTE of headroom."}]
    assert memory["pmos"]["PMO-2"] == {"name": "Change Programme PMO", "level": "Programme",
                                       "parent": "PMO-1", "capacity_fte": 3.0,
                                       "manager": "P-003"}
    # Who people are, never how to reach them: no email address leaves the master this way.
    assert memory["people"]["P-003"] == {"name": "Pat Programme", "job_role": "PMO Manager",
                                         "pmo": "PMO-2"}
    assert "@" not in (folder / "pack.json").read_text()
    november = json.loads((two_packs["new"] / "pack.json").read_text())
    assert {(f["rule"], f["record"]) for f in november["findings"]} >= {("L103", "SVC-002")}


def test_the_first_pack_says_it_starts_the_history(two_packs) -> None:
    assert "No earlier pack beside it to compare with" in two_packs["first"].output
    book = status(two_packs["old"], OCT)
    assert "Since last meeting" not in book.sheetnames
    assert "Since the pack" not in body(two_packs["old"])


def test_nothing_in_the_earlier_pack_is_touched(two_packs) -> None:
    assert snapshot_state(two_packs["old"]) == two_packs["before"]


# --- two packs a month apart ----------------------------------------------------------------


def test_the_next_pack_finds_the_previous_one_and_shows_what_moved(two_packs) -> None:
    book = status(two_packs["new"], NOV)
    assert book.sheetnames[1] == "Since last meeting"  # second, after the first page
    assert "RAG history" not in book.sheetnames  # one earlier pack: nothing to trend yet
    sheet = book["Since last meeting"]
    assert sheet["A1"].value == "Since the pack of 2026-10-31"
    moves = [(m["What"], m["ID"], m["Was"], m["Now"], m["Where"])
             for m in table(sheet, "What")]
    assert ("Service stage", "SVC-002", "Design", "Pilot", "Services!I3") in moves
    assert ("Risk or issue opened", "ISS-001", "(not in the master)", "Open",
            "'Risks and Issues'!A3") in moves
    assert ("Risk or issue closed", "RSK-001", "Open", "Closed",
            "'Risks and Issues'!G2") in moves
    # In Pilot with no SIPOC and no procedure (L103, H101 errors): findings about the data
    # never change its health, still Not reporting yet (no actual): no move.
    assert not [m for m in moves if m[:2] == ("Service health", "SVC-002")]
    # October's actual is Green, but the new High issue keeps SVC-001 Amber: no move.
    assert ("KPI RAG", "KPI-01", "Amber", "Green", "KPIs!A2") in moves
    assert not [m for m in moves if m[:2] == ("Service health", "SVC-001")]
    drift = [(m["Name"], m["Where"]) for m in table(sheet, "What")
             if m["What"] == "Drift finding"]
    assert drift == [("D101 Error", "Services!I3"), ("D104 Warning", "'KPI Actuals'!C2")]
    new = {m["Name"].split()[0] for m in table(sheet, "What") if m["What"] == "New finding"}
    assert {"L103", "H101"} <= new
    # The RAG words carry their fill, and the rules are stated under the table.
    was = next(r for r, line in enumerate(sheet.iter_rows(values_only=True), start=1)
               if line[0] == "KPI RAG")
    assert sheet.cell(was, 4).fill.fgColor.rgb.endswith("FFEB9C")  # Amber
    notes = [line[0] for line in sheet.iter_rows(values_only=True) if line[0]]
    assert any(rag.ROLLUP_RULE in str(n) for n in notes)
    assert any(rag.RAG_RULE in str(n) for n in notes)


def test_the_summary_counts_and_the_email_paragraph(two_packs) -> None:
    summary = status(two_packs["new"], NOV)["Summary"]
    labels = {r[0]: next((v for v in r[1:] if v is not None), None)
              for r in summary.iter_rows(values_only=True) if r[0]}
    assert "Since the pack of 2026-10-31" in labels
    assert labels["Services whose stage moved"] == 1
    assert labels["Risks and issues opened"] == 1
    assert labels["Risks and issues closed"] == 1
    assert labels["Drift errors"] == 1
    assert labels["Drift warnings"] == 1
    text = body(two_packs["new"])
    paragraph = next(line for line in text.splitlines() if line.startswith("Since the pack"))
    assert paragraph.startswith("Since the pack of 2026-10-31: 0 services changed health; 1 "
                                "moved stage (SVC-002 Design → Pilot); risks and issues: 1 "
                                "opened, 1 closed; 1 KPI changed RAG;")
    assert "1 error, 1 warning" in paragraph
    assert paragraph in two_packs["second"].output  # the command says it too


# --- three packs: the RAG history ------------------------------------------------------------


def test_three_packs_give_a_rag_history_with_a_chart(two_packs, tmp_path) -> None:
    december = write_example(tmp_path / "master-december.xlsx", [
        *MOVES, Edit("Risks and Issues", "ISS-001", {"Status": "Closed"}),
        Edit("KPI Actuals", None, {"KPI ID": "KPI-01", "Period": D(2026, 11, 1), "Actual": 70,
                                   "Reported By": "P-002", "Reported On": D(2026, 12, 4)})])
    third = two_packs["packs"] / "pmo-pack-2026-12-31"
    pack(december, DEC, third)
    book = status(third, DEC)
    assert book.sheetnames[1] == "Since last meeting" and book.sheetnames[-1] == "RAG history"
    assert book["Since last meeting"]["A1"].value == "Since the pack of 2026-11-30"
    history = table(book["RAG history"], "Service ID")
    assert list(history[0])[:6] == ["Service ID", "Service Name", "Stage", "2026-10-31",
                                    "2026-11-30", "2026-12-31 (this pack)"]
    by_service = {r["Service ID"]: r for r in history}
    assert set(by_service) == {"SVC-001", "SVC-002"}  # active services only
    days = ("2026-10-31", "2026-11-30", "2026-12-31 (this pack)")
    assert [by_service["SVC-001"][d] for d in days] == ["Amber", "Amber", "Red"]
    assert [by_service["SVC-002"][d] for d in days] == ["Not reporting yet"] * 3
    counts = [(r[7], r[8], r[9]) for r in book["RAG history"].iter_rows(
        min_row=1, max_row=4, values_only=True)]
    assert counts[0] == ("Pack", "Errors", "Warnings")
    assert counts[1] == ("2026-10-31", 0, 0)
    with zipfile.ZipFile(third / "status-report-2026-12-31.xlsx") as archive:
        charts = [archive.read(n).decode() for n in archive.namelist()
                  if n.startswith("xl/charts/chart")]
    assert any("<c:lineChart>" in c and "Findings per pack" in c for c in charts)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_status_report_with_both_new_sheets(two_packs, tmp_path) -> None:
    third = two_packs["packs"] / "pmo-pack-2026-12-31"
    pack(two_packs["november"], DEC, third)
    report = third / "status-report-2026-12-31.xlsx"
    assert {"Since last meeting", "RAG history"} <= set(openpyxl.load_workbook(report).sheetnames)
    profile = tmp_path / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(report)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "status-report-2026-12-31.pdf"
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20000


# --- choosing the previous pack ----------------------------------------------------------------


def test_the_newest_earlier_pack_counts_and_later_ones_do_not(two_packs, tmp_path) -> None:
    packs = two_packs["packs"]
    pack(two_packs["november"], DEC, packs / "pmo-pack-2026-12-31")
    # A re-run for 15 November into a fresh folder: December's pack is later, so the
    # previous pack is still November's... and November's is not earlier than itself.
    folder = packs / "again"
    pack(two_packs["november"], D(2026, 12, 15), folder)
    assert status(folder, D(2026, 12, 15))["Since last meeting"]["A1"].value == (
        "Since the pack of 2026-11-30")


def test_since_none_compares_with_nothing(two_packs) -> None:
    folder = two_packs["packs"] / "plain"
    result = pack(two_packs["november"], DEC, folder, "--since", "none")
    assert "Not compared with an earlier pack (--since none)" in result.output
    assert status(folder, DEC).sheetnames[-1] == "Findings"


def test_since_names_a_pack_elsewhere_or_a_master(two_packs, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = elsewhere / "pack"
    pack(two_packs["november"], NOV, folder, "--since", two_packs["old"])
    sheet = status(folder, NOV)["Since last meeting"]
    assert sheet["A1"].value == "Since the pack of 2026-10-31"
    assert sheet["B3"].value == "pmo-pack-2026-10-31"
    folder = elsewhere / "against-a-master"
    pack(two_packs["november"], NOV, folder, "--since", two_packs["october"])
    sheet = status(folder, NOV)["Since last meeting"]
    assert sheet["A1"].value == "Since master-october.xlsx"
    drift = [m["Name"] for m in table(sheet, "What") if m["What"] == "Drift finding"]
    assert drift == ["D101 Error", "D104 Warning"]


@pytest.mark.parametrize("content, words", [
    ("{broken", "is damaged"),
    (json.dumps({"format": 7, "as_of": "2026-10-31"}), "newer pmo-xl"),
])
def test_an_unusable_pack_json_beside_is_a_warning(two_packs, content, words) -> None:
    (two_packs["old"] / "pack.json").write_text(content)
    folder = two_packs["packs"] / "later"
    result = pack(two_packs["november"], DEC, folder)
    assert "Warning:" in result.stderr and words in result.stderr
    assert "left out of the history" in result.stderr
    # November's pack is still there to compare with, and the damaged one is not rewritten.
    assert status(folder, DEC)["Since last meeting"]["A1"].value == (
        "Since the pack of 2026-11-30")
    assert (two_packs["old"] / "pack.json").read_text() == content


@pytest.mark.parametrize("content, words", [
    ("{broken", "is damaged"),
    (json.dumps({"format": 7}), "newer pmo-xl"),
])
def test_an_unusable_pack_named_by_since_stops_with_one_sentence(two_packs, tmp_path, content,
                                                                 words) -> None:
    (two_packs["old"] / "pack.json").write_text(content)
    folder = tmp_path / "never"
    result = run("pack", two_packs["november"], "--as-of", NOV.isoformat(), "-o", folder,
                 "--since", two_packs["old"])
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not folder.exists()


def test_a_pack_without_its_snapshot(two_packs, tmp_path) -> None:
    (two_packs["old"] / "master-snapshot.xlsx").unlink()
    named = run("pack", two_packs["november"], "--as-of", NOV.isoformat(), "-o",
                tmp_path / "never", "--since", two_packs["old"])
    assert named.exit_code == 2 and "has no master-snapshot.xlsx" in named.stderr
    # Found by itself: a warning, and the sheet compares what pack.json holds.
    folder = two_packs["packs"] / "found"
    result = pack(two_packs["november"], NOV, folder)
    assert "has no master-snapshot.xlsx" in result.stderr
    sheet = status(folder, NOV)["Since last meeting"]
    whats = {m["What"] for m in table(sheet, "What")}
    assert "Service stage" in whats and "Drift finding" not in whats


def test_since_a_missing_path_or_a_later_pack_is_one_sentence(two_packs, tmp_path) -> None:
    result = run("pack", two_packs["november"], "--as-of", NOV.isoformat(), "-o",
                 tmp_path / "x", "--since", tmp_path / "nowhere")
    assert result.exit_code == 2 and "no such pack folder or master" in result.stderr
    result = run("pack", two_packs["october"], "--as-of", OCT.isoformat(), "-o",
                 tmp_path / "y", "--since", two_packs["new"])
    assert result.exit_code == 2 and "not one before this pack's as-of date" in result.stderr


# --- the demo shows it ------------------------------------------------------------------------


def test_the_demo_writes_two_packs_a_month_apart(tmp_path) -> None:
    folder = tmp_path / "demo"
    result = run("demo", folder, "--as-of", NORTHWIND_AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    earlier, later = folder / "pack-2026-10-31", folder / "pack-2026-11-30"
    assert (earlier / "pack.json").is_file() and (later / "master-snapshot.xlsx").is_file()
    assert "Since the pack of 2026-10-31:" in result.output
    assert f"pmo-xl diff {earlier} {folder / 'example-master.xlsx'}" in result.output
    sheet = status(later, NORTHWIND_AS_OF)["Since last meeting"]
    moves = {(m["What"], m["ID"], m["Was"], m["Now"]) for m in table(sheet, "What")}
    assert ("Service stage", "SVC-023", "Proposed", "Design") in moves  # promoted ...
    assert ("Risk or issue closed", "ISS-003", "Open", "Closed") in moves
    # 73.7 against a target of 85: worse than its Amber Threshold (75), better than its Red
    # Threshold (60), which decides: Amber.
    assert ("KPI RAG", "KPI-07", "Green", "Amber") in moves
    drift = {(m["Name"], m["Where"]) for m in table(sheet, "What")
             if m["What"] == "Drift finding"}
    assert drift == {("D101 Error", "Services!I24"),  # ... without its log entry
                     ("D104 Warning", "'KPI Actuals'!C93")}  # KPI-09's September restated

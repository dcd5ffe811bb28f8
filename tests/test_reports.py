"""The status and KPI report workbooks: RAG rules, sheets, values, fills, charts, print setup."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl import rag
from pmo_xl.cli import cli
from pmo_xl.reports.common import GENERATED_LABEL
from pmo_xl.reports.decisions import DECISIONS_SHEET
from pmo_xl.reports.kpi import KPI_SHEETS
from pmo_xl.reports.status import STATUS_SHEETS
from pmo_xl.reports.styles import RAG
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import Direction

AS_OF = EXAMPLE_AS_OF.isoformat()
FILL = {word: colours["bg_color"].lstrip("#").upper() for word, colours in RAG.items()}
H, L = Direction.HIGHER, Direction.LOWER
# openpyxl drops sparklines when it reads a file; the tests read them from the XML instead.
pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension")


# --- the RAG rules, as pure functions --------------------------------------------------


@pytest.mark.parametrize("actual, target, direction, amber, red, expected", [
    (96, 95, H, 90, None, rag.GREEN),    # beyond target
    (95, 95, H, 90, None, rag.GREEN),    # at target
    (93, 95, H, 90, None, rag.AMBER),    # between target and the Amber Threshold
    (90, 95, H, 90, None, rag.AMBER),    # at the Amber Threshold: the last value still Amber
    (89, 95, H, 90, None, rag.RED),      # worse than the Amber Threshold, with no Red one
    (85, 95, H, None, 80, rag.AMBER),    # only a Red Threshold: Amber until it
    (80, 95, H, None, 80, rag.RED),      # at the Red Threshold
    (79, 95, H, None, 80, rag.RED),
    (89, 95, H, 90, 80, rag.AMBER),      # both: the Red Threshold decides (K109 says so)
    (80, 95, H, 90, 80, rag.RED),
    (73.7, 85, H, 75, 60, rag.AMBER),    # KPI-07 of the demo: better than its Red Threshold
    (60, 85, H, 75, 60, rag.RED),
    (94, 95, H, None, None, rag.AMBER),  # no thresholds: any miss is Amber, never Red
    (2, 2, L, 4, None, rag.GREEN),
    (1, 2, L, 4, None, rag.GREEN),
    (3, 2, L, 4, None, rag.AMBER),
    (4, 2, L, 4, None, rag.AMBER),
    (5, 2, L, 4, None, rag.RED),
    (5, 2, L, 4, 6, rag.AMBER),          # both: 5 is better than the Red Threshold of 6
    (6, 2, L, None, 6, rag.RED),
    (5, 2, L, None, 6, rag.AMBER),
    (None, 95, H, 90, 80, rag.NO_DATA),  # missing actual: never green
    (96, None, H, 90, 80, rag.NO_DATA),  # no usable target
    (96, 95, None, 90, 80, rag.NO_DATA),  # no usable direction
])
def test_kpi_rag(actual, target, direction, amber, red, expected):
    assert rag.kpi_rag(actual, target, direction, amber, red) == expected


def test_service_health_leaves_data_quality_out():
    NR = rag.NOT_REPORTING
    assert rag.service_health([rag.GREEN, rag.GREEN], [], True) == rag.GREEN
    # A KPI with no actual is a data-quality finding (K103), not a colour.
    assert rag.service_health([rag.GREEN, rag.NO_DATA], [], True) == rag.GREEN
    assert rag.service_health([rag.GREEN, rag.RED], [], True) == rag.RED
    assert rag.service_health([rag.GREEN], ["Critical"], True) == rag.RED
    assert rag.service_health([rag.GREEN], ["High", "Low"], True) == rag.AMBER
    assert rag.service_health([rag.GREEN], ["Medium"], True) == rag.GREEN
    assert rag.service_health([rag.RED], ["High"], True) == rag.RED
    assert rag.service_health([], [], True) == rag.NO_DATA  # no evidence is not Green
    assert rag.service_health([rag.NO_DATA], [], True) == rag.NO_DATA
    assert rag.service_health([], [], False) == NR  # in set-up: not reporting yet
    assert rag.service_health([rag.NO_DATA], [], False) == NR
    assert rag.service_health([], ["High"], False) == rag.AMBER  # its risks still count
    assert rag.worst([]) == rag.NO_DATA
    assert rag.kpi_rollup([rag.NO_DATA]) == rag.NO_DATA
    assert rag.kpi_rollup([rag.GREEN, rag.NO_DATA, rag.AMBER]) == rag.AMBER


def test_rules_are_one_sentence_each():
    for text in (rag.RAG_RULE, rag.ROLLUP_RULE, rag.THRESHOLD_RULE):
        assert text.count(". ") == 0 and text.endswith(".")


# --- building the reports -------------------------------------------------------------


def run_report(kind: str, master: Path, output: Path, *extra: str):
    result = CliRunner().invoke(cli, ["report", kind, str(master), "--as-of", AS_OF,
                                      "-o", str(output), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert output.exists()
    return output


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Path]:
    """The clean example master and both reports, written once for the module."""
    folder = tmp_path_factory.mktemp("reports")
    master = write_example(folder / "master.xlsx")
    return {
        "master": master,
        "status": run_report("status", master, folder / "status.xlsx"),
        "kpi": run_report("kpi", master, folder / "kpi.xlsx"),
    }


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> dict[str, Path]:
    """A master with a Red KPI, a KPI with no actual, a Critical issue and formula-like text."""
    folder = tmp_path_factory.mktemp("edited")
    master = write_example(folder / "master.xlsx", [
        # 96 against a target of 99 is worse than the Amber Threshold of 98: Red.
        Edit("KPIs", "KPI-01", {"Target": 99, "Amber Threshold": 98}),
        Edit("KPIs", None, {"KPI ID": "KPI-03", "Service ID": "SVC-001",
                            "KPI Name": "Stakeholder satisfaction", "Unit": "score",
                            "Direction": "Higher is better", "Target": 4,
                            "Red Threshold": 3, "Frequency": "Monthly", "Owner": "P-002"}),
        Edit("Risks and Issues", None, {
            "ID": "ISS-001", "Service ID": "SVC-002", "Type": "Issue",
            "Description": "=HYPERLINK(\"http://evil.example\",\"click\")",
            "Severity": "Critical", "Owner": "P-002", "Status": "Open",
            "Escalation Level": "Service Ownership", "Raised Date": EXAMPLE_AS_OF,
            "Target Date": EXAMPLE_AS_OF, "Action": "@SUM(1,2)"}),
        Edit("Services", "SVC-003", {"Service Name": "+Lessons learned library"}),
    ])
    return {
        "master": master,
        "status": run_report("status", master, folder / "status.xlsx"),
        "kpi": run_report("kpi", master, folder / "kpi.xlsx"),
    }


def rows_of(sheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def row_for(sheet, key: str, column: int = 1) -> int:
    """The Excel row whose `column` (1-based) holds `key`."""
    for row in range(1, sheet.max_row + 1):
        if sheet.cell(row, column).value == key:
            return row
    raise AssertionError(f"{key} not found in column {column} of {sheet.title}")


def record(sheet, key: str, key_header: str) -> dict[str, object]:
    """The row of `key` as {header: cell}, headers from row 1."""
    headers = [c.value for c in sheet[1]]
    row = row_for(sheet, key, headers.index(key_header) + 1)
    return dict(zip(headers, sheet[row], strict=False))


def fill_of(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper()


def charts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name).decode() for name in package.namelist()
                if re.fullmatch(r"xl/charts/chart\d+\.xml", name)}


# --- the status report ----------------------------------------------------------------


def test_status_sheets_in_order(built):
    book = openpyxl.load_workbook(built["status"])
    assert book.sheetnames == list(STATUS_SHEETS)
    assert book.active.title == "Summary"


def test_status_summary_cover(built):
    sheet = openpyxl.load_workbook(built["status"])["Summary"]
    assert sheet["A1"].value == "Service status report"
    labels = {r[0]: next((v for v in r[1:] if v is not None), None)
              for r in rows_of(sheet) if r[0] is not None}
    assert labels["Organisation"] == "Example Org"
    assert labels["As of"].date() == EXAMPLE_AS_OF
    assert labels["Master workbook"] == "master.xlsx"
    from pmo_xl.workbook.master import read_master

    assert labels["Master fingerprint (SHA-256)"] == read_master(built["master"]).short_hash
    assert labels["Services in the catalogue"] == 3
    assert labels["Running"] == 1
    assert labels["Open risks"] == 1
    assert labels["KPI reporting periods"].startswith("Oct 2026 (monthly KPIs)")
    assert any(rag.ROLLUP_RULE in str(r[0]) for r in rows_of(sheet))
    assert any(rag.RAG_RULE in str(r[0]) for r in rows_of(sheet))
    # The first page: the decisions, the Red services, then the counts; metadata at the foot.
    order = [r[0] for r in rows_of(sheet) if r[0]]
    assert order[0] == "Service status report"
    assert order.index("Decisions for the meeting: 1") < order.index("Services at Red: 0") \
        < order.index("Since the last meeting") < order.index("Headline numbers") \
        < order.index("About this report") < order.index("Master fingerprint (SHA-256)")
    rows = rows_of(sheet)
    heading = next(i for i, r in enumerate(rows) if r[0] == "Decisions for the meeting: 1")
    assert rows[heading + 2][:3] == ["1. Proposal to approve", "SVC-003", "Dana Director"]


def test_status_services_row(built):
    sheet = openpyxl.load_workbook(built["status"])["Services"]
    assert [c.value for c in sheet[1]] == [
        "Service ID", "Service Name", "Stage", "Service Owner", "Service Managers",
        "Lead PMO", "Health", "KPI RAG", "Why", "Open risks and issues", "Open changes",
        "Data quality: errors", "Data quality: warnings", "Next date due", "Due for"]
    svc = record(sheet, "SVC-001", "Service ID")
    assert svc["Service Name"].value == "Portfolio reporting"
    assert svc["Stage"].value == "Running"
    assert svc["Service Owner"].value == "Dana Director"
    assert svc["Service Managers"].value == "Morgan Manager"
    assert svc["Lead PMO"].value == "Enterprise PMO"
    assert svc["Health"].value == "Green" and fill_of(svc["Health"]) == FILL["Green"]
    assert svc["KPI RAG"].value == "Green"
    assert svc["Open risks and issues"].value == 1
    assert svc["Open changes"].value == 0
    assert svc["Data quality: errors"].value == 0
    assert svc["Data quality: warnings"].value == 0
    assert svc["Next date due"].value.date().isoformat() == "2026-12-31"
    assert svc["Next date due"].number_format == "yyyy-mm-dd"
    assert svc["Due for"].value == "RSK-001 risk target date"
    proposed = record(sheet, "SVC-003", "Service ID")
    assert proposed["Health"].value == "Not reporting yet"  # Proposed: not expected to report
    assert fill_of(proposed["Health"]) == FILL["Not reporting yet"]
    assert proposed["KPI RAG"].value is None
    # The rule is stated under the table.
    assert any(rag.ROLLUP_RULE in str(r[0]) for r in rows_of(sheet))


def test_status_pipeline_says_what_is_missing(built):
    sheet = openpyxl.load_workbook(built["status"])["Set-up pipeline"]
    row = record(sheet, "SVC-002", "Service ID")
    assert row["Stage"].value == "Design"
    assert row["Next stage"].value == "Pilot"
    assert row["Days in stage"].value == (EXAMPLE_AS_OF - dt.date(2026, 7, 1)).days
    assert row["Missing before the next stage"].value == (
        "SIPOC process; a procedure in the handbook")
    # Only the Design service (SVC-001 runs, SVC-003 is Proposed); the rule is under it.
    assert next(iter(sheet.tables.values())).ref.endswith("2")
    assert rag.ROLLUP_RULE in sheet["A4"].value


def test_status_closing_checklist(tmp_path):
    master = write_example(tmp_path / "master.xlsx", [
        Edit("Services", "SVC-002", {"Stage": "Closing", "Closure Reason": "Objective achieved",
                                     "Closure Approved By": "P-002",
                                     "Closure Approved Date": EXAMPLE_AS_OF})])
    report = run_report("status", master, tmp_path / "status.xlsx")
    sheet = openpyxl.load_workbook(report)["Closing"]
    row = record(sheet, "SVC-002", "Service ID")
    assert row["Closure reason recorded"].value == "Done"
    assert fill_of(row["Closure reason recorded"]) == FILL["Green"]
    assert row["Approved by the Service Owner"].value == "Done"
    assert row["Replacement named"].value == "n/a"
    assert row["Artefacts reviewed"].value == "To do"
    assert fill_of(row["Artefacts reviewed"]) == FILL["Red"]
    assert row["Outstanding"].value == "Artefacts reviewed"


def test_empty_sheets_say_so(built):
    book = openpyxl.load_workbook(built["status"])
    assert book["Closing"]["A2"].value == "No service is Closing."
    assert book["Findings"]["A2"].value == "No findings: the master passed every check."


def test_status_with_problems(edited):
    book = openpyxl.load_workbook(edited["status"])
    services = book["Services"]
    running = record(services, "SVC-001", "Service ID")
    assert running["KPI RAG"].value == "Red"
    assert running["Health"].value == "Red" and fill_of(running["Health"]) == FILL["Red"]
    assert "KPI-01 Red" in running["Why"].value
    assert "KPI-03 no actual for Oct 2026" in running["Why"].value
    assert running["Data quality: warnings"].value == 2  # K103 on KPI-03, V104 on KPI-01
    design = record(services, "SVC-002", "Service ID")  # an open Critical issue
    assert design["Health"].value == "Red"
    assert "ISS-001 Critical open" in design["Why"].value
    risks = book["Risks and Issues"]
    issue = record(risks, "ISS-001", "ID")
    assert risks["A2"].value == "ISS-001"  # Critical sorts first
    assert issue["Severity"].value == "Critical" and fill_of(issue["Severity"]) == FILL["Red"]
    # Text that looks like a formula stays text in the report.
    assert issue["Description"].value.startswith("=HYPERLINK")
    assert issue["Description"].data_type == "s"
    assert issue["Action"].value == "@SUM(1,2)" and issue["Action"].data_type == "s"
    proposed = record(services, "SVC-003", "Service ID")
    assert proposed["Service Name"].value == "+Lessons learned library"
    assert proposed["Service Name"].data_type == "s"
    findings = book["Findings"]
    assert [c.value for c in findings[1]][:5] == ["Rule", "Severity", "Cell", "Record",
                                                  "Service ID"]
    assert findings.max_row > 1
    # The missing actual is a finding on SVC-001's KPI row, attributed to the service.
    missing = record(findings, "KPI-03", "Record")
    assert missing["Service ID"].value == "SVC-001"
    assert missing["Cell"].value.startswith("KPIs!A")
    assert fill_of(missing["Severity"]) == FILL["Amber" if missing["Severity"].value ==
                                                 "Warning" else "Red"]


def test_no_formulas_anywhere(edited):
    for kind in ("status", "kpi"):
        book = openpyxl.load_workbook(edited[kind])
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{kind} {sheet.title}!{cell.coordinate}"
        with zipfile.ZipFile(edited[kind]) as package:
            assert not any("externalLink" in n for n in package.namelist())


def test_status_charts(built):
    found = charts(built["status"])
    assert len(found) == 2
    text = "\n".join(found.values())
    assert "<c:barChart>" in text and "<c:pieChart>" in text
    sheet = openpyxl.load_workbook(built["status"])["Summary"]
    stage_row = row_for(sheet, "Stage")
    assert (f"Summary!$B${stage_row + 1}:$B${stage_row + 8}") in text  # 8 lifecycle stages
    rag_row = row_for(sheet, "Active services' health")
    assert (f"Summary!$A${rag_row + 1}:$A${rag_row + 5}") in text  # 5 words of health


def test_status_layout_and_print(built):
    book = openpyxl.load_workbook(built["status"])
    for title in STATUS_SHEETS:
        sheet = book[title]
        assert sheet.page_setup.orientation == "landscape", title
        if title == "Summary":
            # Charts: a fixed scale that fits the width, so the page breaks before the charts
            # hold in Excel and LibreOffice alike (Excel ignores manual breaks under "fit to");
            # the first page is read at full size.
            assert not sheet.sheet_properties.pageSetUpPr.fitToPage
            assert sheet.page_setup.scale in (None, 100)
        else:
            # One page wide (OOXML's default fitToWidth is 1, so it may be left out).
            assert sheet.sheet_properties.pageSetUpPr.fitToPage, title
            assert sheet.page_setup.fitToWidth in (None, 1), title
        assert "As of 2026-11-15" in sheet.oddFooter.left.text, title
        assert "Page &P of &N" in sheet.oddFooter.right.text, title
        if title != "Summary":
            assert sheet.freeze_panes == "A2", title
            # The Decisions sheet has a second block, with a header of its own.
            assert sheet.print_title_rows == (None if title == DECISIONS_SHEET else "$1:$1")
            assert sheet.page_setup.fitToHeight == 0, title  # as many pages tall as needed
            assert len(sheet.tables) == (2 if title == DECISIONS_SHEET else 1), title
            table = next(iter(sheet.tables.values()))
            assert table.autoFilter is not None
            if title != DECISIONS_SHEET:  # its first column is the decision's number
                assert sheet.column_dimensions["A"].width > 8
    services = book["Services"]
    assert services["B2"].alignment.wrap_text
    assert book.properties.title == "Service status report"
    assert book.properties.subject
    with zipfile.ZipFile(built["status"]) as package:
        assert "<Company>Example Org</Company>" in package.read("docProps/app.xml").decode()


# --- the KPI report -------------------------------------------------------------------


def test_kpi_sheets_and_headers(built):
    book = openpyxl.load_workbook(built["kpi"])
    assert [ws.title for ws in book.worksheets if ws.sheet_state == "visible"] \
        == list(KPI_SHEETS)
    headers = [c.value for c in book["KPIs"][1]]
    assert headers == ["Service or PMO", "Name", "KPI ID", "KPI Name", "Unit", "Direction",
                       "Period", "Actual", "Target", "Variance", "RAG", "Amber Threshold",
                       "Red Threshold", "Commentary", "Owner", "Missing actual"]


def test_kpi_period_values(built):
    sheet = openpyxl.load_workbook(built["kpi"])["KPIs"]
    monthly = record(sheet, "KPI-01", "KPI ID")
    assert monthly["Period"].value == "Oct 2026"
    assert monthly["Actual"].value == 96 and monthly["Target"].value == 95
    assert monthly["Variance"].value == 1
    assert monthly["RAG"].value == "Green" and fill_of(monthly["RAG"]) == FILL["Green"]
    assert monthly["Missing actual"].value is None
    quarterly = record(sheet, "KPI-02", "KPI ID")
    assert quarterly["Period"].value == "2026 Q3"
    assert quarterly["Actual"].value == 2
    assert quarterly["Commentary"].value == "New validation macro."
    assert quarterly["RAG"].value == "Green"
    summary = openpyxl.load_workbook(built["kpi"])["Summary"]
    row = row_for(summary, "SVC-001")
    assert [c.value for c in summary[row]][:9] == ["SVC-001", "Portfolio reporting", "Running",
                                                   2, 2, 0, 0, 0, "Green"]


def test_kpi_red_and_missing(edited):
    book = openpyxl.load_workbook(edited["kpi"])
    sheet = book["KPIs"]
    red = record(sheet, "KPI-01", "KPI ID")
    assert red["RAG"].value == "Red" and fill_of(red["RAG"]) == FILL["Red"]
    assert red["Variance"].value == -3
    missing = record(sheet, "KPI-03", "KPI ID")
    assert missing["Actual"].value is None
    assert missing["RAG"].value == "No data"
    assert fill_of(missing["RAG"]) == FILL["No data"]
    assert missing["Missing actual"].value == "Missing"
    summary = book["Summary"]
    row = row_for(summary, "SVC-001")
    assert [c.value for c in summary[row]][3:9] == [3, 1, 0, 1, 1, "Red"]
    assert any(rag.RAG_RULE in str(r[0]) for r in rows_of(sheet))  # the legend under it
    assert any(rag.THRESHOLD_RULE in str(r[0]) for r in rows_of(sheet))


def test_kpi_trends(built):
    book = openpyxl.load_workbook(built["kpi"])
    sheet = book["Trends"]
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["KPI ID", "KPI Name", "Nov 2025"]
    assert headers[13] == "Oct 2026" and headers[14] == "Trend"
    assert [c.value for c in sheet[2]][:14] == ["KPI-01", "Reports published on time", None,
                                                None, 88, 90, 92, 91, 94, 96, 95, 97, 93, 96]
    rows = rows_of(sheet)
    quarterly = next(i for i, r in enumerate(rows, start=1) if r[0] == "KPI-02")
    # Quarterly KPIs on quarterly columns from their first actual (a year at least), not
    # twelve quarters of which most are empty: 2025 Q4 (none yet) .. 2026 Q3.
    assert [c.value for c in sheet[quarterly - 1]][:7] == [
        "KPI ID", "KPI Name", "2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "Trend"]
    assert [sheet.cell(quarterly, c).value for c in (3, 4, 5, 6)] == [None, 5, 3, 2]
    assert sheet.freeze_panes == "A2"
    text = "\n".join(charts(built["kpi"]).values())
    assert "Trends!$C$2:$N$2" in text and "Trends!$C$1:$N$1" in text  # monthly KPI-01
    assert f"Trends!$C${quarterly}:$F${quarterly}" in text  # quarterly KPI-02
    assert text.count("<c:lineChart>") == 2  # a chart per KPI: KPI-01 and KPI-02
    with zipfile.ZipFile(built["kpi"]) as package:
        trends_xml = package.read("xl/worksheets/sheet4.xml").decode().replace("$", "")
    assert "<xm:f>Trends!C2:N2</xm:f><xm:sqref>O2</xm:sqref>" in trends_xml
    assert (f"<xm:f>Trends!C{quarterly}:F{quarterly}</xm:f><xm:sqref>G{quarterly}</xm:sqref>"
            in trends_xml)
    # Column sparklines: LibreOffice prints a line sparkline as its markers alone.
    assert trends_xml.count('<x14:sparklineGroup type="column"') == 2
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$1"
    assert not sheet._charts  # the charts have a sheet of their own


def test_kpi_trend_charts_sheet(built):
    book = openpyxl.load_workbook(built["kpi"])
    sheet = book["Trend charts"]
    assert sheet["A1"].value == "KPI trend charts"
    assert sheet["A2"].value.startswith("A chart per KPI, for each service with KPIs")
    assert len(sheet._charts) == 2
    # One KPI a chart: its actual, its target dashed and its baseline dotted, nothing else.
    for part in charts(built["kpi"]).values():
        if "<c:lineChart>" in part:
            assert part.count("<c:ser>") <= 3
            assert "SVC-001 · KPI-0" in part
    # No table header repeated above the charts when printed, and none cut across pages.
    assert sheet.print_title_rows is None
    assert sheet.page_setup.orientation == "landscape"
    # A fixed scale that fits three charts across (under "fit to", Excel would ignore the page
    # breaks that keep each chart whole).
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage
    assert 60 <= sheet.page_setup.scale < 100


# --- CLI behaviour, reproducibility, LibreOffice --------------------------------------


def test_default_name_and_refusing_the_master(built, tmp_path, monkeypatch):
    master = tmp_path / "master.xlsx"
    shutil.copy(built["master"], master)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["report", "kpi", "master.xlsx", "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    assert (tmp_path / f"kpi-report-{AS_OF}.xlsx").exists()
    before = master.read_bytes()
    result = runner.invoke(cli, ["report", "status", "master.xlsx", "--as-of", AS_OF,
                                 "-o", "master.xlsx"])
    assert result.exit_code == 2
    assert "is the master itself" in result.output
    assert master.read_bytes() == before
    result = runner.invoke(cli, ["report", "status", "missing.xlsx", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def cell_values(path: Path) -> dict[tuple[str, str], object]:
    """Every cell's value except the one beside "Generated" (the time the report was made)."""
    values = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                left = sheet.cell(cell.row, cell.column - 1).value if cell.column > 1 else None
                if left != GENERATED_LABEL and cell.value is not None:
                    values[(sheet.title, cell.coordinate)] = cell.value
    return values


@pytest.mark.parametrize("kind", ["status", "kpi"])
def test_same_master_same_report(built, tmp_path, kind):
    again = run_report(kind, built["master"], tmp_path / f"{kind}.xlsx")
    first, second = cell_values(built[kind]), cell_values(again)
    assert first == second
    assert len(first) > 30


def test_generated_time_can_be_pinned(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    report = run_report("status", built["master"], tmp_path / "status.xlsx")
    sheet = openpyxl.load_workbook(report)["Summary"]
    row = row_for(sheet, GENERATED_LABEL)
    assert sheet.cell(row, 2).value.isoformat() == "2026-11-18T11:06:40"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_both_reports(edited, tmp_path):
    for kind in ("status", "kpi"):
        done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir",
                               str(tmp_path), str(edited[kind])],
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stderr
        pdf = tmp_path / f"{kind}.pdf"
        assert pdf.exists() and pdf.stat().st_size > 5000
        assert pdf.read_bytes().startswith(b"%PDF")


def test_reports_of_a_master_without_kpis_or_risks(tmp_path):
    from pmo_xl.validators.registry import drop_sheet

    master = write_example(tmp_path / "master.xlsx",
                           [drop_sheet("KPIs"), drop_sheet("Risks and Issues")])
    kpi = openpyxl.load_workbook(run_report("kpi", master, tmp_path / "kpi.xlsx"))
    assert kpi["KPIs"]["A2"].value == "The master has no KPIs."
    assert kpi["Trends"]["A2"].value == "No monthly KPIs."
    status = openpyxl.load_workbook(run_report("status", master, tmp_path / "status.xlsx"))
    assert status["Risks and Issues"]["A2"].value == "No open risks or issues."
    running = record(status["Services"], "SVC-001", "Service ID")
    assert running["KPI RAG"].value is None  # no KPIs to colour
    # K101's error on SVC-001 is its data quality: its health is No data, never Amber for it.
    assert running["Health"].value == "No data"
    assert running["Data quality: errors"].value == 1

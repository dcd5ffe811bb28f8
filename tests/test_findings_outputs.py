"""The outputs of `pmo-xl check`: the findings workbook (--output) and the annotated copy."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api
from pmo_xl.findings import Finding
from pmo_xl.reports.annotated_copy import FINDINGS_SHEET, write_annotated_copy
from pmo_xl.reports.findings_workbook import NO_FINDINGS, write_findings_workbook
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit, drop_sheet

AS_OF = EXAMPLE_AS_OF.isoformat()
TYPO = [Edit("Services", "SVC-001", {"Stage": "Runing"})]  # -> S106 at Services!I2


@pytest.fixture
def typo_master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx", TYPO)


def check(master: Path):
    """The structure rules only: a known, stable set of findings for these tests."""
    return api.check(master, EXAMPLE_AS_OF, select=["S"])


def with_findings(result, *extra: Finding):
    """The same check result with extra findings (for text no real rule produces)."""
    return dataclasses.replace(result, findings=[*result.findings, *extra])


def formula_cells(path: Path) -> list[str]:
    """Every sheet XML part of a workbook that holds a formula element."""
    with zipfile.ZipFile(path) as package:
        return [name for name in package.namelist()
                if name.startswith("xl/worksheets/sheet") and b"<f>" in package.read(name)]


def row_of(sheet, label: str) -> tuple:
    return next(row for row in sheet.iter_rows(values_only=True) if row[0] == label)


# --- findings workbook ----------------------------------------------------------------


def test_findings_workbook_has_summary_counts_and_a_link_to_the_cell(typo_master, run_cli):
    output = typo_master.parent / "findings.xlsx"
    # Only the structure rules, so the counts do not move as other families grow.
    result = run_cli("check", typo_master, "--as-of", AS_OF, "--select", "S", "--output", output)
    assert result.exit_code == 1, result.output

    book = openpyxl.load_workbook(output)
    assert book.sheetnames[:2] == ["Summary", "Findings"]
    summary = book["Summary"]
    assert row_of(summary, "Master workbook")[1] == "master.xlsx"
    assert row_of(summary, "Master fingerprint (SHA-256)")[1] == check(
        typo_master).master.short_hash
    assert row_of(summary, "Errors")[1] == 1
    assert row_of(summary, "Warnings")[1] == 0
    # Family table: S (Structure) has the one error; every other family is listed with 0.
    assert row_of(summary, "S")[1:] == ("Structure", 1, 0, 0, 0, 1)
    assert row_of(summary, "K")[1:] == ("KPIs", 0, 0, 0, 0, 0)
    assert row_of(summary, "Error")[1] == 1

    findings = book["Findings"]
    header = [c.value for c in findings[1]]
    assert header[:8] == ["Severity", "Rule", "Sheet", "Cell", "Record", "Message", "Hint",
                          "Waived"]
    row = [c.value for c in findings[2]]
    assert row[:5] == ["Error", "S106", "Services", "Services!I2", "SVC-001"]
    assert "Runing" in row[5] and "Running" in row[6]
    link = findings["D2"].hyperlink
    assert link.location == "'Services'!I2"
    assert link.target == "master.xlsx"  # relative: the two files sit in one folder
    assert "FFC7CE" in findings["A2"].fill.fgColor.rgb  # red fill with the word "Error"

    table = findings.tables["Findings"]
    assert table.ref == "A1:I2"
    assert table.autoFilter is not None
    assert findings.freeze_panes == "A2"
    assert findings.page_setup.orientation == "landscape"
    assert findings.print_title_rows == "$1:$1"
    assert "&P" in findings.oddFooter.right.text and AS_OF in findings.oddFooter.left.text
    with zipfile.ZipFile(output) as package:
        assert any(name.startswith("xl/charts/chart") for name in package.namelist())


def test_link_is_relative_to_the_findings_workbook_in_another_folder(typo_master, tmp_path):
    result = check(typo_master)
    output = tmp_path / "out" / "findings.xlsx"
    output.parent.mkdir()
    write_findings_workbook(result, output)
    link = openpyxl.load_workbook(output)["Findings"]["D2"].hyperlink
    assert link.target.replace("\\", "/") == "../master.xlsx"
    assert link.location == "'Services'!I2"


def test_quoted_sheet_names_in_links(typo_master, tmp_path):
    result = check(typo_master)
    odd = Finding("R101", "warning", "Risks and Issues", 3, "B", "RSK-001", "m", "h")
    apostrophe = Finding("R101", "warning", "Owner's list", 4, "C", None, "m", "h")
    output = write_findings_workbook(with_findings(result, odd, apostrophe),
                                     tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(output)["Findings"]
    assert sheet["D3"].hyperlink.location == "'Risks and Issues'!B3"
    assert sheet["D4"].hyperlink.location == "'Owner''s list'!C4"


def test_text_starting_with_equals_is_stored_as_text(typo_master, tmp_path):
    result = check(typo_master)
    hostile = Finding("S106", "error", "Services", 3, "C", "=SVC()", "=1+1",
                      '=HYPERLINK("http://example.com","x")', waived=True,
                      waiver_reason="@SUM(A1)")
    output = write_findings_workbook(with_findings(result, hostile), tmp_path / "f.xlsx")
    sheet = openpyxl.load_workbook(output)["Findings"]
    assert [sheet.cell(3, c).value for c in (5, 6, 7, 8, 9)] == [
        "=SVC()", "=1+1", '=HYPERLINK("http://example.com","x")', "Yes", "@SUM(A1)"]
    assert all(sheet.cell(3, c).data_type == "s" for c in (5, 6, 7, 9))
    assert formula_cells(output) == []


def test_no_findings_still_makes_a_workbook(example_master, tmp_path):
    result = check(example_master)
    assert result.findings == []
    output = write_findings_workbook(result, tmp_path / "f.xlsx")
    book = openpyxl.load_workbook(output)
    values = [v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row]
    assert values.count(NO_FINDINGS) == 2  # on Summary and on Findings
    assert row_of(book["Summary"], "Errors")[1] == 0


def test_output_over_the_master_is_refused(typo_master, run_cli):
    before = typo_master.read_bytes(), typo_master.stat().st_mtime_ns
    for option in ("--output", "--annotate"):
        result = run_cli("check", typo_master, "--as-of", AS_OF, option, typo_master)
        assert result.exit_code == 2
        assert "is the master itself" in result.output
        assert "Traceback" not in result.output
    # The same file by another spelling is refused too.
    other = typo_master.parent / "." / typo_master.name
    assert run_cli("check", typo_master, "--as-of", AS_OF, "-o", other).exit_code == 2
    assert (typo_master.read_bytes(), typo_master.stat().st_mtime_ns) == before


# --- annotated copy -------------------------------------------------------------------


def sheet_contents(book) -> dict:
    """Every value, table and validation of a workbook, sheet by sheet."""
    contents = {}
    for sheet in book:
        contents[sheet.title] = {
            "values": [list(row) for row in sheet.iter_rows(values_only=True)],
            "tables": {name: (table.ref, [c.name for c in table.tableColumns])
                   for name, table in dict.items(sheet.tables)},
            "validations": sorted((str(dv.sqref), dv.type, dv.formula1)
                                  for dv in sheet.data_validations.dataValidation),
        }
    return contents


def test_annotated_copy_marks_the_failing_cell_and_keeps_everything(typo_master, run_cli):
    copy = typo_master.parent / "annotated.xlsx"
    before = typo_master.read_bytes(), typo_master.stat().st_mtime_ns
    result = run_cli("check", typo_master, "--as-of", AS_OF, "--annotate", copy)
    assert result.exit_code == 1, result.output
    assert (typo_master.read_bytes(), typo_master.stat().st_mtime_ns) == before

    original = openpyxl.load_workbook(typo_master)
    annotated = openpyxl.load_workbook(copy)
    # The findings come first and the copy opens on them; every other sheet is the master's.
    assert annotated.sheetnames == [FINDINGS_SHEET, *original.sheetnames]
    assert annotated.active.title == FINDINGS_SHEET
    assert [bool(s.sheet_view.tabSelected) for s in annotated] == [True] + [False] * len(
        original.sheetnames)
    contents = sheet_contents(annotated)
    listed = contents.pop(FINDINGS_SHEET)["values"]
    assert contents == sheet_contents(original)
    assert listed[0][:4] == ["Severity", "Rule", "Sheet", "Cell"]
    assert listed[1][:4] == ["Error", "S106", "Services", "Services!I2"]
    link = annotated[FINDINGS_SHEET]["D2"].hyperlink
    assert (link.location, link.target) == ("'Services'!I2", None)
    assert sum(len(s.data_validations.dataValidation) for s in annotated) > 0
    assert sum(len(s.tables) for s in annotated) > 5

    cell = annotated["Services"]["I2"]
    assert cell.value == "Runing"
    assert cell.comment is not None
    assert cell.comment.text.startswith("S106 Error: Stage 'Runing' for SVC-001")
    assert "Hint: Did you mean 'Running'?" in cell.comment.text
    assert cell.fill.fgColor.rgb == "FFFFC7CE"
    # Only the failing cell is marked; the template's header guidance stays as it was.
    marked = [c.coordinate for s in annotated for row in s.iter_rows() for c in row
              if c.comment is not None and "S106" in c.comment.text]
    assert marked == ["I2"]
    assert annotated["Services"]["A1"].comment.text == original["Services"]["A1"].comment.text


def test_several_findings_on_one_cell_share_one_comment(typo_master, tmp_path):
    result = check(typo_master)
    warning = Finding("L104", "warning", "Services", 2, "I", "SVC-001", "Second.", "Fix it.")
    header = Finding("S102", "info", "Services", 1, "A", None, "On a header.", "Look.")
    copy = write_annotated_copy(with_findings(result, warning, header), tmp_path / "a.xlsx")
    sheet = openpyxl.load_workbook(copy)["Services"]
    text = sheet["I2"].comment.text
    assert "S106 Error" in text and "L104 Warning: Second.\nHint: Fix it." in text
    assert sheet["I2"].fill.fgColor.rgb == "FFFFC7CE"  # the worst severity's colour
    assert sheet["A1"].comment.text.startswith("Required.")  # the guidance first
    assert sheet["A1"].comment.text.endswith("S102 Info: On a header.\nHint: Look.")
    assert sheet["A1"].fill.fgColor.rgb == "FFDDEBF7"


def test_findings_on_a_missing_sheet_are_listed(tmp_path):
    master = write_example(tmp_path / "master.xlsx", [drop_sheet("Documents")])
    result = check(master)
    assert [(f.rule, f.sheet, f.cell) for f in result.findings] == [("S101", "Documents",
                                                                      "A1")]
    hostile = Finding("X101", "error", "Documents", 2, "B", "=DOC", "=1+1", "-2")
    copy = write_annotated_copy(with_findings(result, hostile), tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(copy)
    assert "Documents" not in book.sheetnames
    listed = list(book[FINDINGS_SHEET].iter_rows(values_only=True))
    assert listed[0][:4] == ("Severity", "Rule", "Sheet", "Cell")
    assert listed[1][:4] == ("Error", "S101", "Documents", "Documents!A1")
    assert listed[2][4:7] == ("=DOC", "=1+1", "-2")
    # No cell to open on a sheet the copy does not have: no link.
    assert book[FINDINGS_SHEET]["D2"].hyperlink is None
    assert formula_cells(copy) == []


def test_annotated_copy_refuses_a_master_changed_since_the_check(typo_master, tmp_path):
    from pmo_xl.errors import CannotCheck

    result = check(typo_master)
    write_example(typo_master, [Edit("Services", "SVC-001", {"Stage": "Pilott"})])
    with pytest.raises(CannotCheck, match="changed while it was being checked"):
        write_annotated_copy(result, tmp_path / "a.xlsx")
    assert not (tmp_path / "a.xlsx").exists()


# --- both open in LibreOffice ---------------------------------------------------------


def convert_to_pdf(workbook: Path, folder: Path) -> Path:
    """Open a workbook in LibreOffice headless and print it to PDF."""
    profile = folder / "lo-profile"  # own profile: other LibreOffice runs do not collide
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(workbook)],
        check=True, capture_output=True, timeout=180,
        env={**os.environ, "HOME": str(folder)},
    )
    return folder / f"{workbook.stem}.pdf"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_both_outputs_open_in_libreoffice(typo_master, run_cli, tmp_path):
    findings = tmp_path / "findings.xlsx"
    annotated = tmp_path / "annotated.xlsx"
    result = run_cli("check", typo_master, "--as-of", AS_OF, "-o", findings,
                     "--annotate", annotated)
    assert result.exit_code == 1
    for workbook in (findings, annotated):
        pdf = convert_to_pdf(workbook, tmp_path / "pdf")
        assert pdf.exists() and pdf.stat().st_size > 1000
        assert pdf.read_bytes().startswith(b"%PDF")

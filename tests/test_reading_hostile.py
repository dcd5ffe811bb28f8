"""Reading the master right, whatever the file holds: far cells, pipes, chart sheets, stale
hidden copies, error values, formulas without a value, links, Strict Open XML, NaN, .ods and
.xls, drop-down spelling, IDs typed with an apostrophe.

Workbooks are the example master (validators/examples.py) with cells written into the
sheet XML the way Excel, LibreOffice or another program stores them (tests/sheet_xml.py),
and a few round trips through LibreOffice itself.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.chart import BarChart, Reference

import pmo_xl.workbook.master
from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.errors import CannotCheck
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.master import read_master

from .conftest import run_process
from .sheet_xml import add_parts, cell, libreoffice, rewrite, with_cells

AS_OF = EXAMPLE_AS_OF.isoformat()
HAS_LIBREOFFICE = shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def refused(path: Path, *words: str, extra: tuple = ()) -> str:
    """`check PATH` exits 2 with one sentence on stderr holding `words`; returns it."""
    result = invoke("check", path, "--as-of", AS_OF, *extra)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for word in words:
        assert word.lower() in lines[0].lower(), lines[0]
    return lines[0]


def findings(path: Path) -> list[dict]:
    result = invoke("check", path, "--as-of", AS_OF, "--format", "json")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def at(found: list[dict], sheet: str, cell_ref: str) -> list[str]:
    """The rules of the findings standing on one cell."""
    return [f["rule"] for f in found if (f["sheet"], f["cell"]) == (sheet, cell_ref)]


def where(found: list[dict], rule: str) -> list[str]:
    return [f"{f['sheet']}!{f['cell']}" for f in found if f["rule"] == rule]


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx")


# --- 1. a value typed far away --------------------------------------------------------------


def _far(master: Path, target: Path, ref: str, sheet: str = "People",
         dimension: str | None = "keep") -> Path:
    """The master with one value typed at `ref` of `sheet`; its <dimension> kept, removed
    (None) or replaced by a wrong one."""
    path = with_cells(master, target, sheet, [cell(ref, text="typed far away")])
    if dimension == "keep":
        return path
    moved = target.with_name("dim-" + target.name)

    def change(name: str, data: bytes) -> bytes:
        if b"<dimension" not in data:
            return data
        new = b"" if dimension is None else f'<dimension ref="{dimension}"/>'.encode()
        return re.sub(rb"<dimension[^>]*/>", new, data)

    return rewrite(path, moved, change)


def test_a_value_in_the_last_cell_of_excel_is_refused_before_any_sheet_loads(
        master: Path, tmp_path: Path, monkeypatch) -> None:
    """XFD1048576 made python-calamine ask for 512 GB and abort (exit 134)."""
    path = _far(master, tmp_path / "far.xlsx", "XFD1048576")

    def never(*args, **kwargs):
        raise AssertionError("a sheet was loaded before the far value was refused")

    monkeypatch.setattr(pmo_xl.workbook.master, "_read_one_sheet", never)
    sentence = refused(path, "People", "XFD1048576")
    assert "1,048,576 rows by 16,384 columns" in sentence


def test_a_value_in_the_last_cell_of_excel_as_a_real_process(master: Path,
                                                            tmp_path: Path) -> None:
    path = _far(master, tmp_path / "far.xlsx", "XFD1048576", sheet="Settings")
    done = run_process("check", path, "--as-of", AS_OF)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert done.stderr.strip().splitlines()[-1].startswith("Error: The sheet 'Settings'")
    assert "XFD1048576" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("dimension", ["keep", None, "A1:F7", "A1"],
                         ids=["dimension-kept", "no-dimension", "wrong-dimension", "A1-only"])
def test_xfd5000_is_refused_whatever_the_dimension_says(master: Path, tmp_path: Path,
                                                        dimension) -> None:
    path = _far(master, tmp_path / "far.xlsx", "XFD5000", dimension=dimension)
    refused(path, "'People'", "XFD5000", "5,000 rows")


def test_a_far_value_in_a_middle_row_behind_a_wrong_dimension_is_refused(
        master: Path, tmp_path: Path) -> None:
    """The far cell is not on the last row, and the dimension hides it."""
    path = with_cells(master, tmp_path / "mid.xlsx", "People",
                      [cell("XFD3", text="far"), cell("A2000", text="P-999")])
    path = rewrite(path, tmp_path / "mid2.xlsx",
                   lambda name, data: re.sub(rb'<dimension ref="[^"]*"/>',
                                             b'<dimension ref="A1:F2000"/>', data))
    refused(path, "XFD3")


def test_a_stray_value_far_down_a_column_is_refused_naming_it(master: Path,
                                                              tmp_path: Path) -> None:
    path = _far(master, tmp_path / "down.xlsx", "B1048576", sheet="Services")
    refused(path, "'Services'", "B1048576")


def test_a_value_far_right_within_bounds_is_read_and_named(master: Path, tmp_path: Path) -> None:
    """A small sheet with a value in XFD still fits: it is read, and S103 names the column."""
    path = _far(master, tmp_path / "wide.xlsx", "XFD3")
    assert where(findings(path), "S103") == ["People!XFD1"]


def test_a_missing_column_beside_a_header_in_xfd_names_a_cell_inside_the_sheet(
        master: Path, tmp_path: Path) -> None:
    """The next free column after XFD would be XFE, past Excel's last column."""
    path = with_cells(master, tmp_path / "xfd.xlsx", "People",
                      [cell("XFD1", text="Budget code"), cell("C1", text="")])
    found = findings(path)
    s102 = [f for f in found if f["rule"] == "S102"]
    assert [(f["sheet"], f["cell"]) for f in s102] == [("People", "C1")]
    for f in found:
        assert re.fullmatch(r"[A-Z]{1,3}[0-9]+", f["cell"]), f
        letters = f["column"]
        assert len(letters) < 3 or letters <= "XFD", f


def test_the_benchmark_sized_sheet_is_not_refused(tmp_path: Path) -> None:
    """A large, dense sheet is read: the budget grows with the sheet's XML."""
    from pmo_xl.workbook.package import _too_big

    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r}</v></c>' for c in "ABCDEF")
                   + "</row>" for r in range(1, 200_001))
    assert _too_big(f"<sheetData>{rows}</sheetData>".encode()) is None


# --- 2. a pipe, a device or a folder as the master -------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "master.xlsx"
    os.mkfifo(fifo)
    done = run_process("check", fifo, "--as-of", AS_OF)  # opening it would block forever
    assert done.returncode == 2, done.stderr
    assert "is a pipe, not a workbook file" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_stdin_as_a_pipe_is_refused(tmp_path: Path, master: Path) -> None:
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "pmo_xl", "check", "/dev/stdin", "--as-of",
                           AS_OF], input=master.read_bytes(), capture_output=True, env=env,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert b"/dev/stdin is a pipe, not a workbook file" in done.stderr


def test_a_device_is_refused() -> None:
    refused(Path("/dev/null"), "/dev/null is a device, not a workbook file")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    refused(tmp_path, "folder")


# --- 3. chart sheets, hidden stale copies, merged cells in the annotated copy --------------


def _with_chart_sheet_named_kpis(master: Path, target: Path) -> Path:
    book = openpyxl.load_workbook(master)
    book["KPIs"].title = "KPI data"
    chart_sheet = book.create_chartsheet("KPIs", 3)
    chart = BarChart()
    chart.add_data(Reference(book["KPI data"], min_col=6, min_row=1, max_row=3),
                   titles_from_data=True)
    chart_sheet.add_chart(chart)
    book.save(target)
    return target


def test_a_chart_sheet_named_kpis_is_not_read_as_the_kpis(master: Path, tmp_path: Path) -> None:
    path = _with_chart_sheet_named_kpis(master, tmp_path / "chart.xlsx")
    found = findings(path)
    s101 = [f for f in found if f["rule"] == "S101"]
    assert [(f["sheet"], f["cell"]) for f in s101] == [("KPIs", "A1")]
    assert "chart sheet" in s101[0]["message"]
    assert "'KPI data' to 'KPIs'" in s101[0]["hint"]
    assert not [f for f in found if f["rule"] == "S102"]  # no "KPIs has no column" noise


def test_annotating_a_master_with_a_chart_sheet_named_kpis(master: Path, tmp_path: Path) -> None:
    path = _with_chart_sheet_named_kpis(master, tmp_path / "chart.xlsx")
    copy = tmp_path / "annotated.xlsx"
    result = invoke("check", path, "--as-of", AS_OF, "--annotate", copy)
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(copy)
    assert "KPIs" in book.sheetnames and "KPIs" in [s.title for s in book.chartsheets]
    listed = [row for row in book["pmo-xl findings"].iter_rows(min_row=2, values_only=True)]
    assert ("Error", "S101", "KPIs", "KPIs!A1") in [row[:4] for row in listed]


def _with_stale_hidden_copy(master: Path, target: Path) -> Path:
    """A hidden 'Services ' (an old copy, with a typo in it) before the real Services."""
    book = openpyxl.load_workbook(master)
    stale = book.copy_worksheet(book["Services"])
    stale.title = "Services "
    stale.sheet_state = "hidden"
    stale["I2"] = "Runing"
    book.move_sheet(stale, -(len(book.sheetnames) - 1))
    book["Services"]["B3"] = None  # a real problem on the visible sheet
    book.save(target)
    return target


def test_the_visible_sheet_is_checked_not_a_hidden_stale_copy(master: Path,
                                                               tmp_path: Path) -> None:
    path = _with_stale_hidden_copy(master, tmp_path / "stale.xlsx")
    assert openpyxl.load_workbook(path).sheetnames[0] == "Services "
    found = findings(path)
    assert where(found, "S104") == ["Services!B3"]
    assert where(found, "S106") == []  # the stale copy's typo is not read
    s114 = [f for f in found if f["rule"] == "S114"]
    assert [(f["sheet"], f["cell"], f["severity"]) for f in s114] == [
        ("Services ", "A1", "warning")]
    assert "'Services ' (hidden)" in s114[0]["message"]


def test_an_exact_name_is_preferred_to_a_loose_match(master: Path, tmp_path: Path) -> None:
    """Two visible sheets (Excel takes `people` for `People`, but not `People ` for it)."""
    book = openpyxl.load_workbook(master)
    other = book.copy_worksheet(book["People"])
    other.title = "People "
    other["C2"] = "Boss"  # not a Job Role: would be S106 if read
    book.move_sheet(other, -(len(book.sheetnames) - 1))
    book.save(tmp_path / "two.xlsx")
    found = findings(tmp_path / "two.xlsx")
    assert where(found, "S106") == []
    assert where(found, "S114") == ["People !A1"]
    assert "(hidden)" not in next(f["message"] for f in found if f["rule"] == "S114")


def test_a_hidden_sheet_alone_is_still_checked(master: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(master)
    book["Strategy"].sheet_state = "hidden"
    book["Strategy"]["B2"] = None
    book.save(tmp_path / "hidden.xlsx")
    found = findings(tmp_path / "hidden.xlsx")
    assert where(found, "S104") == ["Strategy!B2"] and where(found, "S114") == []


def test_annotating_findings_on_merged_data_cells(master: Path, tmp_path: Path) -> None:
    """S108 warns about merged data cells; a finding under the merge crashed --annotate."""
    book = openpyxl.load_workbook(master)
    book["Services"].merge_cells("B2:C3")  # SVC-002's Service Name (B3) is now hidden
    book.save(tmp_path / "merged.xlsx")
    copy = tmp_path / "annotated.xlsx"
    result = invoke("check", tmp_path / "merged.xlsx", "--as-of", AS_OF, "--annotate", copy)
    assert result.exit_code == 1, result.output
    sheet = openpyxl.load_workbook(copy)["Services"]
    assert "S108" in sheet["B2"].comment.text and "S104" in sheet["B2"].comment.text
    assert "Service Name is blank for SVC-002" in sheet["B2"].comment.text
    assert "B2:C3" in [str(r) for r in sheet.merged_cells.ranges]


# --- 4. error values, formulas without a value, links -----------------------------------------

ERRORS = ["#DIV/0!", "#N/A", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("sheet,ref,required", [
    ("Services", "B2", True),  # Service Name
    ("Services", "AI2", False),  # Last Reviewed
    ("KPIs", "K2", False),  # Baseline
    ("Services", "AO2", False),  # right of the headers: a column pmo-xl does not read
], ids=["required", "optional-date", "optional-number", "unread-column"])
def test_an_error_value_is_one_finding_naming_it(master: Path, tmp_path: Path, error: str,
                                                 sheet: str, ref: str, required: bool) -> None:
    path = with_cells(master, tmp_path / "e.xlsx", sheet,
                      [cell(ref, t="e", f="1/0" if error == "#DIV/0!" else "NA()", v=error)])
    found = findings(path)
    on_cell = [f for f in found if (f["sheet"], f["cell"]) == (sheet, ref)]
    assert [f["rule"] for f in on_cell] == ["S112"], found
    assert error in on_cell[0]["message"]
    if ref == "AO2":
        assert on_cell[0]["severity"] == "warning"
    else:
        assert on_cell[0]["severity"] == "error" and on_cell[0]["record"] in ("SVC-001",
                                                                           "KPI-01")


def test_an_error_pasted_as_a_value_is_found_too(master: Path, tmp_path: Path) -> None:
    path = with_cells(master, tmp_path / "e.xlsx", "KPIs", [cell("F2", t="e", v="#N/A")])
    assert [f["rule"] for f in findings(path) if f["cell"] == "F2"] == ["S112"]


def test_a_waiver_whose_expiry_shows_ref_waives_nothing(tmp_path: Path) -> None:
    """#REF! in Expires read as blank: the waiver never expired."""
    source = write_example(tmp_path / "w.xlsx", [
        Edit("Services", "SVC-001", {"Stage": "Runing"}),
        Edit("Waivers", None, {"Rule": "S106", "Record": "SVC-001", "Reason": "Migration",
                               "Approved By": "P-001", "Expires": dt_date(2027, 1, 31)}),
    ])
    assert [f["waived"] for f in findings(source) if f["rule"] == "S106"] == [True]
    path = with_cells(source, tmp_path / "ref.xlsx", "Waivers",
                      [cell("E2", t="e", f="#REF!", v="#REF!")])
    found = findings(path)
    assert [f["waived"] for f in found if f["rule"] == "S106"] == [False]
    assert where(found, "S112") == ["Waivers!E2"]


def dt_date(*args: int):
    import datetime as dt

    return dt.date(*args)


def test_a_formula_without_a_value_is_one_finding_with_no_knock_ons(master: Path,
                                                                   tmp_path: Path) -> None:
    """SVC-001 is Running: a blank Go-live Date (AB2) or Stage (I2) brings lifecycle
    findings on the same cell; the formula with no value is the only one there."""
    blank = write_example(tmp_path / "blank.xlsx", [
        Edit("Services", "SVC-001", {"Go-live Date": None, "Service Name": None})])
    assert len(at(findings(blank), "Services", "AB2")) >= 1  # knock-ons exist for a blank
    path = with_cells(master, tmp_path / "f.xlsx", "Services",
                      [cell("AB2", f="DATE(2025,7,1)"), cell("B2", t="str", f='"x"&"y"')])
    found = findings(path)
    assert at(found, "Services", "AB2") == ["S109"]
    assert at(found, "Services", "B2") == ["S109"]  # not S104 "is blank" as well


def test_libreoffice_empty_text_from_a_formula_is_a_blank_cell(master: Path,
                                                              tmp_path: Path) -> None:
    """=IF(...,"",...) saved by LibreOffice: `<v></v>` in a text cell, a saved value."""
    path = with_cells(master, tmp_path / "if.xlsx", "Services", [
        cell("D2", t="str", f='IF(1=1,"","x")', v=""),  # Category: optional
        cell("B3", t="str", f='IF(1=1,"","x")', v=""),  # Service Name: required
    ])
    found = findings(path)
    assert where(found, "S109") == []
    assert at(found, "Services", "D2") == []
    assert at(found, "Services", "B3") == ["S104"]  # it is blank, and Service Name is required


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason="LibreOffice is not installed")
def test_formulas_saved_by_libreoffice(master: Path, tmp_path: Path) -> None:
    book = openpyxl.load_workbook(master)
    book["Services"]["C2"] = '=IF(1=1,"","x")'
    book["KPIs"]["G2"] = "=1/0"
    book["KPIs"]["K2"] = "=F2-25"  # Baseline 70, calculated
    book.save(tmp_path / "formulas.xlsx")
    saved = libreoffice(tmp_path / "formulas.xlsx", tmp_path / "lo")
    found = findings(saved)
    assert where(found, "S109") == []
    assert [(f["rule"], f["sheet"], f["cell"]) for f in found
            if f["rule"].startswith("S")] == [("S112", "KPIs", "G2")]
    assert "#DIV/0!" in next(f["message"] for f in found if f["rule"] == "S112")
    assert read_master(saved)["KPIs"].data.at[2, "Baseline"] == 70


def _linked(master: Path, target: Path) -> Path:
    """KPI-01's Target as =[1]Targets!B2, with the link parts Excel writes."""
    rel = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
           "externalLink")
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    r_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    def change(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            return data.replace(b"</sheets>", b'</sheets><externalReferences>'
                                b'<externalReference r:id="rIdLink1"/></externalReferences>')
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>", f'<Relationship Id="rIdLink1" Type="{rel}"'
                                f' Target="externalLinks/externalLink1.xml"/></Relationships>'
                                .encode())
        return data

    linked = with_cells(master, target.with_name("cells-" + target.name), "KPIs",
                        [cell("F2", f="[1]Targets!B2", v="95")])
    return add_parts(linked, target, {
        "xl/externalLinks/externalLink1.xml": (
            f'<externalLink xmlns="{main}" xmlns:r="{r_ns}"><externalBook r:id="rId1">'
            '<sheetNames><sheetName val="Targets"/></sheetNames></externalBook></externalLink>'
        ).encode(),
        "xl/externalLinks/_rels/externalLink1.xml.rels": (
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/externalLinkPath" Target="file:///C:/PMO/'
            b'KPI%20targets.xlsx" TargetMode="External"/></Relationships>'),
    }, change)


def test_a_value_from_another_workbook_is_an_info_finding(master: Path, tmp_path: Path) -> None:
    path = _linked(master, tmp_path / "linked.xlsx")
    found = findings(path)
    s113 = [f for f in found if f["rule"] == "S113"]
    assert [(f["sheet"], f["cell"], f["severity"], f["record"]) for f in s113] == [
        ("KPIs", "F2", "info", "KPI-01")]
    assert "KPI targets.xlsx" in s113[0]["message"]
    assert [f["rule"] for f in found] == ["S113"]  # the saved value (95) is read as usual
    assert read_master(path)["KPIs"].data.at[2, "Target"] == 95


def test_a_broken_link_is_one_error_finding(master: Path, tmp_path: Path) -> None:
    path = _linked(master, tmp_path / "linked.xlsx")
    broken = with_cells(path, tmp_path / "broken.xlsx", "KPIs",
                        [cell("F2", t="e", f="[1]Targets!B2", v="#REF!")])
    assert at(findings(broken), "KPIs", "F2") == ["S112"]


# --- 5. Strict Open XML ---------------------------------------------------------------------

_STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main":
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
}


def _strict(master: Path, target: Path) -> Path:
    def change(name: str, data: bytes) -> bytes:
        for transitional, strict in _STRICT.items():
            data = data.replace(transitional, strict)
        return data

    return rewrite(master, target, change)


def test_a_strict_open_xml_workbook_is_refused_and_never_annotated(master: Path,
                                                                  tmp_path: Path) -> None:
    path = _strict(master, tmp_path / "strict.xlsx")
    copy = tmp_path / "annotated.xlsx"
    refused(path, "Strict Open XML", "Excel Workbook (*.xlsx)", extra=("--annotate", copy))
    assert not copy.exists()


# --- 6. NaN and INF, TRUE beside 1 ----------------------------------------------------------


@pytest.mark.parametrize("stored,shown", [("NaN", "NaN"), ("INF", "INF"), ("-inf", "-INF")])
def test_nan_or_inf_in_a_number_cell_is_one_finding_and_reads_blank(
        master: Path, tmp_path: Path, stored: str, shown: str) -> None:
    path = with_cells(master, tmp_path / "nan.xlsx", "KPIs",
                      [cell("F2", v=stored), cell("G3", v=stored)])  # Target, Amber
    found = findings(path)
    assert at(found, "KPIs", "F2") == ["S105"]  # required Target: not S104 as well
    assert at(found, "KPIs", "G3") == ["S105"]
    message = next(f["message"] for f in found if f["cell"] == "F2")
    assert shown in message and "not a number Excel can hold" in message
    kpis = read_master(path)["KPIs"]
    assert kpis.data.at[2, "Target"] is None and kpis.raw.at[3, "Amber Threshold"] is None


@pytest.mark.parametrize("stored", ["NaN", "INF"])
def test_nan_never_reaches_the_kpi_report(master: Path, tmp_path: Path, stored: str) -> None:
    path = with_cells(master, tmp_path / "nan.xlsx", "KPIs",
                      [cell("F2", v=stored), cell("G2", v=stored)])
    result = invoke("report", "kpi", path, "--as-of", AS_OF, "-o", tmp_path / "kpi.xlsx")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    values = [c for sheet in openpyxl.load_workbook(tmp_path / "kpi.xlsx").worksheets
              for row in sheet.iter_rows(values_only=True) for c in row]
    assert not [v for v in values if isinstance(v, float) and v != v]


def test_true_beside_1_is_not_a_duplicate_id_but_text_1_beside_1_is(tmp_path: Path) -> None:
    true_and_one = write_example(tmp_path / "a.xlsx", [
        Edit("People", "P-005", {"Person ID": True}), Edit("People", "P-006", {"Person ID": 1})])
    assert where(findings(true_and_one), "S107") == []
    text_and_number = write_example(tmp_path / "b.xlsx", [
        Edit("People", "P-005", {"Person ID": "1"}), Edit("People", "P-006", {"Person ID": 1})])
    s107 = [f for f in findings(text_and_number) if f["rule"] == "S107"]
    assert [(f["cell"], f["record"]) for f in s107] == [("A7", "1")]
    assert "'1' on row 7 is also used on row 6" in s107[0]["message"]


def test_an_id_typed_as_a_number_matches_its_references(tmp_path: Path) -> None:
    """People's Person ID 7 (a number) is the person a reference typed "7" points at."""
    path = write_example(tmp_path / "m.xlsx", [
        Edit("People", "P-006", {"Person ID": 7}),
        Edit("Strategy", "OBJ-1", {"Owner": "7"})])
    found = findings(path)
    assert where(found, "X101") == [] and where(found, "S105") == ["People!A7"]
    assert next(f["record"] for f in found if f["rule"] == "S105") == "7"


# --- 7. .ods and .xls -------------------------------------------------------------------------


@pytest.mark.skipif(not HAS_LIBREOFFICE, reason="LibreOffice is not installed")
@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_ods_and_xls_get_the_same_helpful_sentence(master: Path, tmp_path: Path,
                                                   kind: str) -> None:
    converted = libreoffice(master, tmp_path / kind, kind)
    sentence = refused(converted, f".{kind}", "does not read", "save it as .xlsx")
    assert sentence.endswith("then check that file.")


def test_an_ods_by_its_contents_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    refused(path, "OpenDocument spreadsheet (.ods)", "save it as .xlsx")


# --- 8. drop-down values in any case and spacing --------------------------------------------


@pytest.mark.parametrize("typed", ["running", "Running ", "RUNNING", " running  ",
                                   "Running\u00a0"])
def test_a_drop_down_value_reads_as_its_list_spelling(tmp_path: Path, typed: str) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Stage": typed}),
        Edit("Risks and Issues", "RSK-001", {"Severity": typed.replace("Running", "medium")
                                             .replace("running", "MEDIUM")
                                             .replace("RUNNING", "Medium")})])
    assert findings(path) == []
    master = read_master(path)
    assert master["Services"].raw.at[2, "Stage"] == "Running"
    assert master["Services"].data.at[2, "Stage"] == "Running"
    assert master["Risks and Issues"].data.at[2, "Severity"] == "Medium"


def test_a_lowercase_stage_is_running_to_every_rule(tmp_path: Path) -> None:
    """K101 (a Running service has KPIs) fires for `running` exactly as for `Running`."""
    drop = [Edit("KPIs", "KPI-01", None), Edit("KPIs", "KPI-02", None)]
    exact = write_example(tmp_path / "a.xlsx", drop)
    loose = write_example(tmp_path / "b.xlsx", [*drop,
                                                 Edit("Services", "SVC-001", {"Stage": "running"})])

    def rules(path: Path) -> list[tuple[str, str]]:
        return sorted((f["rule"], f["cell"]) for f in findings(path))

    assert rules(exact) == rules(loose) and ("K101", "A2") in rules(exact)


def test_a_real_near_miss_is_still_named_with_the_closest_value(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [Edit("Services", "SVC-001", {"Stage": "Runing"})])
    s106 = [f for f in findings(path) if f["rule"] == "S106"]
    assert [(f["cell"], f["hint"]) for f in s106] == [
        ("I2", "Did you mean 'Running'? Pick it from the drop-down.")]


# --- 9. an ID pasted with a leading apostrophe ----------------------------------------------


def test_an_id_with_a_leading_apostrophe_is_one_finding(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-002", {"Service ID": "'SVC-002"}),
        Edit("KPIs", "KPI-01", {"Service ID": "'SVC-001"})])
    found = findings(path)
    assert [(f["rule"], f["sheet"], f["cell"], f["record"]) for f in found] == [
        ("S115", "Services", "A3", "SVC-002"), ("S115", "KPIs", "B2", "KPI-01")]
    assert found[0]["message"] == ('Service ID "\'SVC-002" for SVC-002 starts with an '
                                   "apostrophe typed as part of the text; pmo-xl reads it as "
                                   "SVC-002.")
    assert "apostrophe" in found[0]["hint"]


# --- the rules' own examples ------------------------------------------------------------------

RULES = load_rules()
PASSING = [r for r in RULES.values() if r.passes.edits]


@pytest.mark.parametrize("rule", PASSING, ids=[r.code for r in PASSING])
def test_passing_example_does_not_fire(rule, tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", rule.passes.edits)
    assert where(findings(path), rule.code) == []


def test_every_new_structure_rule_has_its_example(tmp_path: Path) -> None:
    for code in ("S112", "S113", "S114", "S115"):
        assert RULES[code].fails.cell, code
        assert RULES[code].fails.edits or RULES[code].fails.note, code


def test_the_notes_of_s112_to_s114_describe_what_these_tests_build(master: Path,
                                                                  tmp_path: Path) -> None:
    """The failing examples said in words (edits cannot make them) fire at their cell."""
    built = {
        "S112": with_cells(master, tmp_path / "a.xlsx", "KPIs",
                           [cell("G2", t="e", f="1/0", v="#DIV/0!")]),
        "S113": _linked(master, tmp_path / "b.xlsx"),
        "S114": _with_stale_hidden_copy(master, tmp_path / "c.xlsx"),
        "S109": with_cells(master, tmp_path / "d.xlsx", "Services", [cell("O2", f="1+1")]),
    }
    for code, path in built.items():
        assert where(findings(path), code) == [RULES[code].fails.cell.replace("'", "")], code


def test_check_in_python_reads_no_pipe(tmp_path: Path) -> None:
    """The same refusal from the Python API."""
    with pytest.raises(CannotCheck, match="is a device"):
        api.check(Path("/dev/zero"), EXAMPLE_AS_OF)


@pytest.mark.parametrize("width", [1, 2, 25, 26, 27, 52, 53, 78, 92, 700, 702, 703, 1000,
                                   5000, 16383])
def test_the_width_search_finds_every_column_beyond_the_width(width: int) -> None:
    """Sound: no column past `width` escapes the one search that stands in for reading
    every cell reference; tight: it rounds the width down by less than one leading letter."""
    from pmo_xl.findings import column_letter as column_letters
    from pmo_xl.workbook.package import _columns_beyond

    search = _columns_beyond(width)
    slack = 26 ** (len(column_letters(width)) - 1)
    for column in [*range(1, 800), *range(800, 16385, 37), 16384]:
        flagged = search.search(f'<c r="{column_letters(column)}1048576">'.encode())
        if column > width:
            assert flagged, (width, column_letters(column))
        elif column <= width - slack:
            assert not flagged, (width, column_letters(column))

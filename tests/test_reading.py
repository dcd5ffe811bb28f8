"""Reading the master: headers matched loosely, addresses never shifted, tables = ranges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.master import read_master

from .conftest import check_json


def _services_sheet_rewritten(path: Path, rows_above: int = 0, title: str | None = None,
                              header_case=str, hide_row: int | None = None) -> Path:
    """Rewrite the Services sheet of the example as a plain range, optionally shifted down."""
    book = openpyxl.load_workbook(path)
    old = book["Services"]
    values = [list(r) for r in old.iter_rows(values_only=True)]
    index = book.sheetnames.index("Services")
    del book["Services"]
    sheet = book.create_sheet("Services", index)
    if title:
        sheet.cell(1, 1, title)
    for r, row in enumerate(values, start=1 + rows_above):
        for c, value in enumerate(row, start=1):
            sheet.cell(r, c, header_case(value) if r == 1 + rows_above and value else value)
    if hide_row:
        sheet.row_dimensions[hide_row].hidden = True
    out = path.with_name("rewritten.xlsx")
    book.save(out)
    return out


def test_table_and_plain_range_read_the_same(example_master: Path) -> None:
    plain = _services_sheet_rewritten(example_master)
    a = read_master(example_master)["Services"].raw
    b = read_master(plain)["Services"].raw
    assert a.equals(b)


def test_headers_match_case_and_space_insensitively(example_master: Path) -> None:
    odd = _services_sheet_rewritten(
        example_master, header_case=lambda h: "  " + h.upper().replace(" ", "  ") + " ")
    table = read_master(odd)["Services"]
    assert table.has("Service ID") and table.has("Go-live Date")
    assert table.data.at[2, "Stage"] == "Running"


def test_title_and_blank_rows_above_do_not_shift_addresses(example_master: Path) -> None:
    shifted = _services_sheet_rewritten(example_master, rows_above=3, title="Service Catalogue")
    path = shifted
    book = openpyxl.load_workbook(path)
    book["Services"]["I6"] = "Runing"  # SVC-001's Stage, header now on row 4
    book.save(path)
    findings = check_json(path)["findings"]
    assert [(f["rule"], f["cell"]) for f in findings if f["sheet"] == "Services"] == [
        ("S106", "I6")]


def test_hidden_rows_and_interleaved_blank_rows_keep_their_numbers(example_master: Path) -> None:
    book = openpyxl.load_workbook(example_master)
    sheet = book["Services"]
    sheet.insert_rows(3)  # a blank row between SVC-001 and SVC-002
    sheet.row_dimensions[2].hidden = True
    for table in list(sheet.tables):
        del sheet.tables[table]
    sheet["I4"] = "Pilott"  # SVC-002 moved to row 4
    path = example_master.with_name("gaps.xlsx")
    book.save(path)
    table = read_master(path)["Services"]
    assert list(table.data.index) == [2, 4, 5]
    findings = [f for f in check_json(path)["findings"] if f["rule"] == "S106"]
    assert [(f["cell"], f["record"]) for f in findings] == [("I4", "SVC-002")]


def test_extra_columns_are_kept_and_never_an_error(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Budget Code": "CC-1234", "Notes": "=not a formula"})])
    table = read_master(path)["Services"]
    assert table.extra_columns == ["Budget Code", "Notes"]
    assert table.raw.at[2, "Notes"] == "=not a formula"
    assert check_json(path)["findings"] == []


def test_values_are_typed_for_the_rules(example_master: Path) -> None:
    services = read_master(example_master)["Services"]
    assert services.data.at[2, "Go-live Date"] == dt.date(2025, 7, 1)
    assert services.data.at[2, "Planned FTE"] == 2.0
    assert services.data.at[2, "Temporary"] == "N"
    assert services.cell(2, "Go-live Date") == "AB2"
    assert services.address(2, "Stage") == "Services!I2"
    risks = read_master(example_master)["Risks and Issues"]
    assert risks.address(2, "Severity") == "'Risks and Issues'!E2"


def test_sheet_names_match_loosely(example_master: Path) -> None:
    book = openpyxl.load_workbook(example_master)
    book["KPI Actuals"].title = "kpi  actuals"
    path = example_master.with_name("renamed.xlsx")
    book.save(path)
    master = read_master(path)
    assert master["KPI Actuals"].present and master["KPI Actuals"].title == "kpi  actuals"

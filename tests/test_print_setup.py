"""Print set-up of the workbooks that are not reports: the blank template (its Readme legible
on paper) and the annotated copy of a master that has no print set-up of its own; and the
row-height estimate the reports' tables rely on."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api
from pmo_xl.reports.annotated_copy import write_annotated_copy
from pmo_xl.validators.schema import README_SHEET, SHEETS
from pmo_xl.workbook.template import README_LINE_HEIGHT, README_WIDTH, write_master
from pmo_xl.workbook.text_fit import column_points, line_count, text_points

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2026, 11, 15)


def _prints_one_page_wide_or_a_few(sheet) -> None:
    assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
    assert sheet.page_setup.fitToHeight == 0, sheet.title  # as many pages tall as needed
    assert str(sheet.page_setup.paperSize) == str(sheet.PAPERSIZE_A4), sheet.title
    assert sheet.page_setup.orientation in ("landscape", "portrait"), sheet.title
    assert "Page &P of &N" in sheet.oddFooter.right.text, sheet.title


def test_template_sheets_print_with_their_header_row_on_every_page(tmp_path):
    book = openpyxl.load_workbook(write_master(tmp_path / "template.xlsx"))
    for name in SHEETS:
        sheet = book[name]
        _prints_one_page_wide_or_a_few(sheet)
        assert sheet.print_title_rows == "$1:$1", name
        assert sheet.oddFooter.left.text == name
    services = book["Services"]
    # Some forty columns: a few pages across at a readable size, the ID and name on each,
    # a row's pages one after another; a short sheet is one page wide.
    assert (services.page_setup.fitToWidth or 1) > 1
    assert services.print_title_cols == "$A:$B"
    assert services.page_setup.pageOrder == "overThenDown"
    assert services.page_setup.orientation == "landscape"
    assert book["PMOs"].page_setup.fitToWidth in (None, 1)
    assert book["Waivers"].page_setup.orientation == "portrait"  # narrow: upright


def test_template_readme_rows_fit_their_wrapped_text(tmp_path):
    book = openpyxl.load_workbook(write_master(tmp_path / "template.xlsx"))
    sheet = book[README_SHEET]
    _prints_one_page_wide_or_a_few(sheet)
    assert sheet.page_setup.orientation == "landscape"
    texts = [(row, sheet.cell(row, 2).value) for row in range(1, sheet.max_row + 1)
             if sheet.cell(row, 2).value]
    assert len(texts) > 10
    wrapped = 0
    for row, text in texts:
        assert sheet.cell(row, 2).alignment.wrap_text
        # Wider than the column at 11 points: the row holds as many lines as it needs.
        lines = line_count(text, README_WIDTH, size=11)
        if text_points(text, size=11) > column_points(README_WIDTH):
            assert lines > 1
            wrapped += 1
        if lines > 1:
            assert sheet.row_dimensions[row].height >= lines * README_LINE_HEIGHT, row
    assert wrapped >= 3


@pytest.fixture(scope="module")
def bare_master(tmp_path_factory) -> Path:
    """A master written without any print set-up (as by an older template, or by hand)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path_factory.mktemp("bare") / "PMO master & co.xlsx"
    generate.generate(10, path)
    return path


def test_annotated_copy_gets_a_print_set_up(bare_master, tmp_path):
    result = api.check(bare_master, AS_OF)
    copy = openpyxl.load_workbook(write_annotated_copy(result, tmp_path / "annotated.xlsx"))
    for sheet in copy.worksheets:
        _prints_one_page_wide_or_a_few(sheet)
        if sheet.max_row > 1:  # a header alone has nothing to repeat it over
            assert sheet.print_title_rows == "$1:$1", sheet.title
        # "&" starts a code in a footer: the master's name is written with "&&".
        assert sheet.oddFooter.left.text == (
            "PMO master && co.xlsx, checked as of 2026-11-15"), sheet.title
        assert sheet.oddHeader.left.text == sheet.title.replace("&", "&&")
    assert copy["Services"].page_setup.orientation == "landscape"
    assert copy["Services"].print_title_cols == "$A:$A"
    assert copy["KPI Actuals"].page_setup.orientation == "portrait"


def test_annotated_copy_keeps_the_masters_own_print_set_up(bare_master, tmp_path):
    book = openpyxl.load_workbook(bare_master)
    book["Services"].page_setup.orientation = "portrait"
    book["Services"].print_title_rows = "1:2"
    own = tmp_path / "own.xlsx"
    book.save(own)
    result = api.check(own, AS_OF)
    copy = openpyxl.load_workbook(write_annotated_copy(result, tmp_path / "annotated.xlsx"))
    assert copy["Services"].page_setup.orientation == "portrait"
    assert copy["Services"].print_title_rows == "$1:$2"
    assert copy["PMOs"].print_title_rows == "$1:$1"


@pytest.mark.parametrize(("text", "width", "lines"), [
    ("KPI-00003-1 Red; KPI-00003-2 Amber", 26, 2),  # printed over the next row before
    ("Change Programme PMO 1", 18, 2),  # the Lead PMO that did the same
    ("Short", 10, 1),
    ("one\ntwo\nthree", 40, 3),
    ("W" * 40, 20, 4),  # a word wider than the column breaks between its letters
    ("i" * 40, 20, 1),  # narrow letters: one line, where counting characters says two
    ("supercalifragilistic-expialidocious-word", 14, 4),  # and after its hyphens
])
def test_lines_a_wrapped_cell_takes(text, width, lines):
    assert line_count(text, width) == lines

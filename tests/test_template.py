"""The blank master template: what `pmo-xl new` writes, read back with openpyxl and LibreOffice."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string, range_boundaries

from pmo_xl.validators.schema import (
    CHOICE,
    DATE,
    RACI_ROLES,
    README_SHEET,
    SHEETS,
    YESNO,
    columns_of,
)
from pmo_xl.workbook.template import VALIDATED_ROWS
from tests.conftest import run_process

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook_templates"


def _regenerate_module():
    spec = importlib.util.spec_from_file_location("regenerate", COMMITTED / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def template_path(tmp_path_factory) -> Path:
    """The template as `pmo-xl new` writes it (in-process, through the CLI)."""
    from click.testing import CliRunner

    from pmo_xl.cli import cli

    path = tmp_path_factory.mktemp("template") / "master.xlsx"
    result = CliRunner().invoke(cli, ["new", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Wrote a blank master" in result.output
    return path


@pytest.fixture(scope="module")
def template(template_path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template_path)


def _headers(sheet_name: str) -> list[str]:
    headers = [c.header for c in columns_of(sheet_name)]
    if SHEETS[sheet_name].ROLE_COLUMNS:
        headers += list(RACI_ROLES)
    return headers


def _validations(worksheet) -> dict[str, object]:
    """Column letter -> the data validation that covers rows 2.. of that column."""
    found = {}
    for validation in worksheet.data_validations.dataValidation:
        for cell_range in str(validation.sqref).split():
            min_col, min_row, max_col, max_row = range_boundaries(cell_range)
            if min_row == 2 and max_row >= VALIDATED_ROWS:
                for col in range(min_col, max_col + 1):
                    found[get_column_letter(col)] = validation
    return found


# --- the committed workbooks are current ---------------------------------------------------


def test_committed_workbooks_are_byte_identical_to_a_fresh_generation(tmp_path: Path) -> None:
    """xlsxwriter output is deterministic with the template's fixed creation date."""
    written = _regenerate_module().regenerate(tmp_path)
    assert [p.name for p in written] == ["pmo-master-template.xlsx", "example-master.xlsx"]
    for path in written:
        committed = COMMITTED / path.name
        assert committed.exists(), f"{committed} is not committed"
        assert path.read_bytes() == committed.read_bytes(), (
            f"{committed.name} is out of date: run python workbook_templates/regenerate.py")


def test_pmo_xl_new_writes_the_committed_template(template_path: Path) -> None:
    assert template_path.read_bytes() == (COMMITTED / "pmo-master-template.xlsx").read_bytes()


# --- sheets, headers, tables ---------------------------------------------------------------


def test_every_schema_sheet_and_the_readme(template: openpyxl.Workbook) -> None:
    assert template.sheetnames == [README_SHEET, *SHEETS]
    readme = template[README_SHEET]
    text = " ".join(str(c.value) for row in readme.iter_rows() for c in row if c.value)
    assert "pmo-xl check" in text
    for name in SHEETS:
        assert name in text


@pytest.mark.parametrize("sheet_name", list(SHEETS))
def test_header_row_is_the_schema_headers(template, sheet_name: str) -> None:
    worksheet = template[sheet_name]
    row = [c.value for c in next(worksheet.iter_rows(min_row=1, max_row=1))]
    assert row == _headers(sheet_name)


@pytest.mark.parametrize("sheet_name", list(SHEETS))
def test_each_sheet_is_an_excel_table_over_its_headers(template, sheet_name: str) -> None:
    worksheet = template[sheet_name]
    assert len(worksheet.tables) == 1
    table = next(iter(worksheet.tables.values()))
    min_col, min_row, max_col, _max_row = range_boundaries(table.ref)
    assert (min_col, min_row) == (1, 1)
    assert max_col == len(_headers(sheet_name))
    assert [c.name for c in table.tableColumns] == _headers(sheet_name)


@pytest.mark.parametrize("sheet_name", list(SHEETS))
def test_header_row_is_frozen(template, sheet_name: str) -> None:
    frozen = template[sheet_name].freeze_panes
    assert frozen is not None
    _column, row = coordinate_from_string(frozen)
    assert row == 2


@pytest.mark.parametrize("sheet_name", list(SHEETS))
def test_every_header_carries_its_guidance(template, sheet_name: str) -> None:
    worksheet = template[sheet_name]
    for index, info in enumerate(columns_of(sheet_name), start=1):
        comment = worksheet.cell(1, index).comment
        assert comment is not None, f"{sheet_name}!{get_column_letter(index)}1 has no comment"
        assert info.guidance in comment.text
        assert comment.text.startswith("Required.") == info.required
    for offset, role in enumerate(_headers(sheet_name)[len(columns_of(sheet_name)):]):
        comment = worksheet.cell(1, len(columns_of(sheet_name)) + offset + 1).comment
        assert comment is not None and role in comment.text


# --- drop-downs and date checks ------------------------------------------------------------


CHOICE_COLUMNS = [(c.sheet, c) for s in SHEETS for c in columns_of(s) if c.kind == CHOICE]
DATE_COLUMNS = [(c.sheet, c) for s in SHEETS for c in columns_of(s) if c.kind == DATE]


def test_the_schema_has_the_controlled_columns_the_spec_names() -> None:
    named = {(sheet, c.header) for sheet, c in CHOICE_COLUMNS}
    assert {("Services", "Stage"), ("Services", "Scope"), ("Services", "Offering"),
            ("Procedures", "Status"), ("Risks and Issues", "Severity"),
            ("Changes", "Reason")} <= named
    assert len(DATE_COLUMNS) >= 15


@pytest.mark.parametrize(("sheet_name", "info"), CHOICE_COLUMNS,
                         ids=[f"{s}:{c.header}" for s, c in CHOICE_COLUMNS])
def test_a_drop_down_lists_exactly_the_schema_choices(template, sheet_name, info) -> None:
    letter = get_column_letter(_headers(sheet_name).index(info.header) + 1)
    validation = _validations(template[sheet_name]).get(letter)
    assert validation is not None, f"{sheet_name}!{letter} ({info.header}) has no drop-down"
    assert validation.type == "list"
    assert validation.formula1.startswith('"') and validation.formula1.endswith('"')
    assert tuple(validation.formula1[1:-1].split(",")) == info.choices


def test_services_stage_drop_down_is_the_lifecycle(template) -> None:
    validation = _validations(template["Services"])["I"]
    assert validation.formula1 == (
        '"Proposed,Design,Pilot,Transition,Running,Closing,Closed,Rejected"')
    assert validation.showErrorMessage


@pytest.mark.parametrize(("sheet_name", "info"), DATE_COLUMNS,
                         ids=[f"{s}:{c.header}" for s, c in DATE_COLUMNS])
def test_a_date_column_accepts_only_dates(template, sheet_name, info) -> None:
    letter = get_column_letter(_headers(sheet_name).index(info.header) + 1)
    validation = _validations(template[sheet_name]).get(letter)
    assert validation is not None, f"{sheet_name}!{letter} ({info.header}) has no date check"
    assert validation.type == "date"


def test_yes_no_columns_offer_y_and_n(template) -> None:
    yes_no = [(s, c) for s in SHEETS for c in columns_of(s) if c.kind == YESNO]
    assert yes_no
    for sheet_name, info in yes_no:
        letter = get_column_letter(_headers(sheet_name).index(info.header) + 1)
        assert _validations(template[sheet_name])[letter].formula1 == '"Y,N"'


# --- a real spreadsheet application opens it -----------------------------------------------


def test_libreoffice_opens_the_template(template_path: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed, so the template cannot be "
                    "opened in a real spreadsheet application here")
    profile = tmp_path / "profile"
    completed = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         "pdf", "--outdir", str(tmp_path), str(template_path)],
        capture_output=True, text=True, timeout=240,
    )
    pdf = tmp_path / (template_path.stem + ".pdf")
    assert pdf.exists(), completed.stdout + completed.stderr
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 1000


# --- pmo-xl new never overwrites -----------------------------------------------------------


def test_new_refuses_to_overwrite_an_existing_file(tmp_path: Path, run_cli) -> None:
    path = tmp_path / "master.xlsx"
    path.write_bytes(b"the PMO's own workbook")
    result = run_cli("new", path)
    assert result.exit_code == 2
    assert path.read_bytes() == b"the PMO's own workbook"
    message = result.stderr.strip()
    assert message.startswith("Error:") and "already exists" in message
    assert message.count("\n") == 0 and "Traceback" not in result.output


def test_new_refuses_to_overwrite_as_a_process(tmp_path: Path) -> None:
    path = tmp_path / "master.xlsx"
    first = run_process("new", path)
    assert first.returncode == 0, first.stderr
    before = path.read_bytes()
    second = run_process("new", path)
    assert second.returncode == 2
    assert path.read_bytes() == before
    assert second.stderr.strip().count("\n") == 0 and "Traceback" not in second.stderr
    assert "already exists" in second.stderr

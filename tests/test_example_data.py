"""Northwind as data: its tables read as the sheets, its dates move to any as-of date, and the
example stays clean but for the deliberate problems on every day of the year."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from pmo_xl import api
from pmo_xl.example.northwind import (
    DATA,
    DELIBERATE,
    EXAMPLE_AS_OF,
    ORGANISATION,
    PLANTED,
    WAIVED,
    example_rows,
)
from pmo_xl.example.tables import (
    BadTable,
    add_months,
    headers_of,
    move_dates,
    read_tables,
    write_tables,
)
from pmo_xl.validators.schema import SHEETS
from pmo_xl.workbook.template import write_master

D = dt.date


def _found(path: Path, as_of: D) -> tuple[list, list]:
    findings = api.check(path, as_of).findings
    return (sorted((f.rule, f.sheet, f.cell) for f in findings if not f.waived),
            sorted((f.rule, f.sheet, f.cell) for f in findings if f.waived))


# --- clean but deliberate on any day -------------------------------------------------------

MONTH_ENDS = [add_months(D(2026, 12, 31), n) for n in range(12)]  # Dec 2026 ... Nov 2027
OTHER_DAYS = [
    D(2027, 1, 1),  # a quarter's first day: last quarter's actuals reported "today"
    D(2027, 4, 16), D(2027, 8, 14), D(2028, 2, 15),
    D(2028, 2, 29),  # a leap day
    D(2026, 6, 15),  # before the tables' own date: everything moves back
]


def test_twelve_consecutive_month_ends() -> None:
    assert MONTH_ENDS[0] == D(2026, 12, 31) and MONTH_ENDS[2] == D(2027, 2, 28)
    assert MONTH_ENDS[-1] == D(2027, 11, 30) and len(set(MONTH_ENDS)) == 12


@pytest.mark.parametrize("as_of", MONTH_ENDS + OTHER_DAYS, ids=str)
def test_the_example_is_clean_but_deliberate_on_any_day(tmp_path: Path, as_of: D) -> None:
    path = write_master(tmp_path / "example.xlsx", example_rows(as_of))
    assert _found(path, as_of) == (sorted(DELIBERATE), sorted(WAIVED))


def test_the_tables_alone_find_only_the_slips_written_as_values(tmp_path: Path) -> None:
    """PLANTED adds S105 and K103; without it the tables hold the values the analyst meant."""
    tables = read_tables(DATA)
    path = write_master(tmp_path / "tables.xlsx", tables)
    planted = {"S105", "K103"}
    found, waived = _found(path, EXAMPLE_AS_OF)
    # KPI-12's deleted actual is still in the tables, so the actuals below it sit a row lower.
    deleted = 2 + max(i for i, r in enumerate(tables["KPI Actuals"]) if r["KPI ID"] == "KPI-12")

    def in_tables(rule: str, sheet: str, cell: str) -> tuple[str, str, str]:
        column, row = re.match(r"([A-Z]+)(\d+)", cell).groups()
        lower = sheet == "KPI Actuals" and int(row) >= deleted
        return rule, sheet, f"{column}{int(row) + 1}" if lower else cell

    assert found == sorted(in_tables(*d) for d in DELIBERATE if d[0] not in planted)
    assert ("V104", "KPI Actuals", "C172") in found
    assert waived == sorted(WAIVED)
    assert {edit.record for edit in PLANTED} == {"SVC-010", "KPI-12"}


def test_the_text_date_and_the_missing_actual_follow_the_as_of_date() -> None:
    rows = example_rows(D(2027, 3, 31))  # four months on from 30 Nov 2026
    svc_010 = next(r for r in rows["Services"] if r["Service ID"] == "SVC-010")
    assert svc_010["Last Reviewed"] == "14/01/2027"  # 14 Sep 2026, four months on
    periods = [r["Period"] for r in rows["KPI Actuals"] if r["KPI ID"] == "KPI-12"]
    assert max(periods) == D(2027, 1, 1)  # February's never came in
    assert example_rows()["Services"][9]["Last Reviewed"] == "14/09/2026"


# --- the tables ----------------------------------------------------------------------------


def test_one_table_per_sheet_with_the_sheets_columns_in_order() -> None:
    assert sorted(item.name for item in DATA.iterdir()) == sorted(f"{s}.csv" for s in SHEETS)
    for sheet in SHEETS:
        first_line = DATA.joinpath(f"{sheet}.csv").read_text(encoding="utf-8").splitlines()[0]
        assert first_line.split(",") == headers_of(sheet), sheet


def test_the_tables_are_written_the_way_write_tables_writes_them(tmp_path: Path) -> None:
    """So a diff shows what changed, not how a tool quoted it."""
    write_tables(read_tables(DATA), tmp_path)
    for sheet in SHEETS:
        assert (tmp_path / f"{sheet}.csv").read_bytes() == DATA.joinpath(
            f"{sheet}.csv").read_bytes(), sheet


def test_values_are_typed_by_their_columns() -> None:
    rows = read_tables(DATA)
    svc = rows["Services"][0]
    assert svc["Go-live Date"] == D(2024, 5, 1)
    assert svc["Priority"] == 1 and isinstance(svc["Priority"], int)
    assert svc["Planned FTE"] == 2.0
    assert "Closure Reason" not in svc  # a blank cell is blank, not ""
    kpi = rows["KPIs"][9]
    assert kpi["Target"] == 4.3 and kpi["Unit"] == "score /5"
    assert rows["Procedures"][0]["Version"] == "1.2"  # text, though it looks like a number
    assert rows["Settings"] == [{"Setting": "Organisation", "Value": ORGANISATION},
                                {"Setting": "Mandated Share Target", "Value": "50%"},
                                {"Setting": "Review Interval Months", "Value": "12"},
                                {"Setting": "Chronic Red Periods", "Value": "3"}]


def _copy_of_data(tmp_path: Path) -> Path:
    folder = tmp_path / "northwind"
    folder.mkdir()
    for item in DATA.iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    return folder


def test_a_value_that_does_not_read_is_named_by_file_line_and_column(tmp_path: Path) -> None:
    folder = _copy_of_data(tmp_path)
    services = folder / "Services.csv"
    # Excel saving the table in a UK locale, with a byte-order mark.
    services.write_text(services.read_text().replace("2024-05-01", "01/05/2024", 1),
                        encoding="utf-8-sig")
    with pytest.raises(BadTable, match=re.escape(
            "Services.csv line 2, Go-live Date: '01/05/2024' should be a date written "
            "yyyy-mm-dd.")):
        read_tables(folder)


def test_a_mistyped_header_file_or_missing_table_is_refused(tmp_path: Path) -> None:
    folder = _copy_of_data(tmp_path)
    people = folder / "People.csv"
    people.write_text(people.read_text().replace("Email", "E-mail", 1))
    with pytest.raises(BadTable, match="'E-mail' is not a column of People"):
        read_tables(folder)
    shutil.copy(DATA.joinpath("People.csv"), people)
    (folder / "Risks.csv").write_text("ID\n")
    with pytest.raises(BadTable, match="Risks.csv .* is not a sheet of the master"):
        read_tables(folder)
    (folder / "Risks.csv").unlink()
    (folder / "Waivers.csv").unlink()
    with pytest.raises(BadTable, match="has no Waivers.csv"):
        read_tables(folder)
    shutil.copy(DATA.joinpath("Waivers.csv"), folder / "Waivers.csv")
    assert read_tables(folder) == read_tables(DATA)


# --- moving dates --------------------------------------------------------------------------


def _moved(sheet: str, record: dict, as_of: D, kpis: list[dict] = ()) -> dict:
    rows = {sheet: [record], "KPIs": list(kpis)}
    return move_dates(rows, EXAMPLE_AS_OF, as_of)[sheet][0]


def test_dates_move_by_whole_months_to_the_last_day_a_month_has() -> None:
    risk = {"ID": "RSK-003", "Raised Date": D(2026, 10, 8), "Target Date": D(2026, 12, 30)}
    assert _moved("Risks and Issues", risk, D(2027, 1, 31)) == {
        "ID": "RSK-003", "Raised Date": D(2026, 12, 8), "Target Date": D(2027, 2, 28)}
    assert _moved("Risks and Issues", risk, D(2027, 2, 1))["Target Date"] == D(2027, 3, 30)
    assert _moved("Risks and Issues", risk, D(2026, 11, 1)) == risk  # same month: unmoved
    assert add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert add_months(D(2026, 1, 15), -13) == D(2024, 12, 15)


def test_a_past_date_never_moves_past_the_as_of_date() -> None:
    actual = {"KPI ID": "KPI-01", "Period": D(2026, 10, 1), "Reported On": D(2026, 11, 6)}
    on_the_3rd = _moved("KPI Actuals", actual, D(2027, 1, 3))
    assert on_the_3rd == {"KPI ID": "KPI-01", "Period": D(2026, 12, 1),
                          "Reported On": D(2027, 1, 3)}
    assert _moved("KPI Actuals", actual, D(2027, 1, 6))["Reported On"] == D(2027, 1, 6)
    # A future date stays in the future even in a short month.
    waiver = {"Rule": "C106", "Expires": D(2027, 5, 1)}
    assert _moved("Waivers", waiver, D(2027, 1, 3))["Expires"] == D(2027, 7, 1)


def test_a_quarterly_kpis_actuals_move_by_whole_quarters() -> None:
    kpis = [{"KPI ID": "KPI-04", "Frequency": "Quarterly"}]
    actual = {"KPI ID": "KPI-04", "Period": D(2026, 7, 1), "Reported On": D(2026, 10, 6)}
    # Nov 2026 -> Dec 2026: the same quarter is still the last complete one.
    assert _moved("KPI Actuals", actual, D(2026, 12, 31), kpis) == actual
    # Nov 2026 -> Jan 2027: two months on, but one quarter on.
    assert _moved("KPI Actuals", actual, D(2027, 1, 1), kpis) == {
        "KPI ID": "KPI-04", "Period": D(2026, 10, 1), "Reported On": D(2027, 1, 1)}
    assert _moved("KPI Actuals", actual, D(2026, 9, 30), kpis)["Period"] == D(2026, 4, 1)


# --- people ------------------------------------------------------------------------------


def test_everyone_but_one_has_a_work_email_at_example_org() -> None:
    people = example_rows()["People"]
    without = [p["Person ID"] for p in people if not p.get("Email")]
    assert without == ["P-014"]
    for person in people:
        if person.get("Email"):
            first, last = person["Name"].lower().split(" ", 1)
            assert person["Email"] == f"{first}.{last.replace(' ', '.')}@example.org"
    assert people[0]["Email"] == "helen.marsh@example.org"

"""The cell checks of the pandera schemas: vectorised over a column of raw cell values.

A column of 200,000 cells holds a handful of Python types and, in controlled columns, a
handful of distinct values. Each check therefore decides once per type (or per distinct
value) and looks the verdict up per cell in C, instead of calling a lambda for every cell:
the same answers at a tenth of the cost on a large master. Imported only when a check runs
(see :func:`pandera_schema`). The pandera schemas themselves are built here too, from the
schema's declarations, when a check first needs them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd

from pmo_xl.validators.schema import (
    CHECK_CHOICE,
    CHECK_LIST_ITEMS,
    CHECK_NOT_NULL,
    CHECK_TYPE,
    CHECK_UNIQUE,
    CHOICE,
    DATE,
    ID,
    INTEGER,
    LIST,
    NUMBER,
    SHEETS,
    TEXT,
    YESNO,
    bad_items,
    split_list,
    yes,
)

if TYPE_CHECKING:
    import pandera.pandas as pa

_NONE = type(None)


def _verdicts(values: pd.Series, by_type: bool, verdict) -> pd.Series:
    """True where the cell passes. `verdict` runs once per distinct key of the column: the
    cell's type (`by_type`), else the cell's value (with its type where the column mixes
    types: 1, 1.0 and True are equal in a set but not alike to a check)."""
    cells = values.tolist()
    types = list(map(type, cells))
    judge = verdict
    if by_type:
        keys = types
    elif len(set(types) - {_NONE}) <= 1:  # one type (text, usually): the value is the key
        keys = cells
    else:
        keys = list(zip(types, cells, strict=True))
        judge = lambda key: verdict(key[1])  # noqa: E731
    distinct = set(keys)
    good = {key for key in distinct if judge(key)}
    if len(good) == len(distinct):  # nearly always: every cell passes
        return pd.Series(True, index=values.index, dtype=bool)
    return _blank_passes(values, pd.Series([key in good for key in keys], index=values.index,
                                           dtype=bool))


def _blank_passes(values: pd.Series, passed: pd.Series) -> pd.Series:
    """A blank (None, NaN) passes a type or list check: S104 alone reports blanks. The checks
    run with pandera's ignore_na off, which spares a null scan and a copy of every column
    per check; this restores what ignore_na would do, on the rare failing column only."""
    return passed | values.isna()


def _by_value(check):
    """A check decided once per distinct value; unhashable cells (no workbook has them)
    fall back to one call per cell."""

    def vectorised(values: pd.Series) -> pd.Series:
        try:
            return _verdicts(values, False, check)
        except TypeError:
            return _blank_passes(values, values.map(check).astype(bool))

    return vectorised


def _text_type(kind: type) -> bool:
    return kind is _NONE or issubclass(kind, str)


def _number_type(kind: type) -> bool:
    return kind is _NONE or (issubclass(kind, int | float) and not issubclass(kind, bool))


def _date_type(kind: type) -> bool:
    return kind is _NONE or issubclass(kind, dt.date)


def _is_text(values: pd.Series) -> pd.Series:
    return _verdicts(values, True, _text_type)


def _is_number(values: pd.Series) -> pd.Series:
    return _verdicts(values, True, _number_type)


def _is_integer(values: pd.Series) -> pd.Series:
    # Whether a float is whole depends on its value: judged once per distinct value.
    return _by_value(
        lambda v: v is None
        or (isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer())
    )(values)


def _is_date(values: pd.Series) -> pd.Series:
    return _verdicts(values, True, _date_type)


_is_yes_no = _by_value(lambda v: v is None or yes(v) is not None)


def in_list(choices: tuple[str, ...], many: bool = False):
    """A value of the list; for a `;` list column (Affects), every item of the cell, in any
    case or spacing (empty items are S111's)."""
    allowed = frozenset(choices)
    if not many:
        return _by_value(lambda v: v is None or v in allowed)
    return _by_value(lambda v: v is None or not bad_items(v, choices))


has_no_empty_items = _by_value(
    lambda v: v is None or not isinstance(v, str) or all(split_list(v))
)


TYPE_CHECKS = {
    ID: _is_text,
    TEXT: None,  # anything typed in a text column is kept as text
    NUMBER: _is_number,
    INTEGER: _is_integer,
    DATE: _is_date,
    YESNO: _is_yes_no,
    CHOICE: None,  # the list check says it better
    LIST: None,
}


def validate_sheet(table) -> list[tuple[str, int, str, object]]:
    """(check, Excel row, header, value) of every cell of `table` (a read SheetTable) that
    fails its column's checks; pandera runs lazily over the columns the sheet has."""
    import pandera.errors as pa_errors

    from pmo_xl.validators.schema import SHEETS

    declared = [c for c in SHEETS[table.name].COLUMNS if table.has(c.header)]
    present = [c.header for c in declared if not _passes(table, c)]
    if not present or table.raw.empty:
        return []
    try:
        _subschema(table.name, tuple(present)).validate(table.raw[present], lazy=True)
    except pa_errors.SchemaErrors as errors:
        cases = errors.failure_cases
        found = []
        for check, header, value, index in zip(
            cases["check"], cases["column"], cases["failure_case"], cases["index"], strict=True
        ):
            if index is None or pd.isna(index):
                continue
            name = _check_name(check)
            if name is not None:
                found.append((name, int(index), header, value))
        return found
    return []


def _passes(table, info) -> bool:
    """True when every cell of one column passes the column's checks, decided with the same
    check functions pandera would run, without pandera's per-column overhead (a few
    milliseconds a column, most of a small master's check). Pandera is asked only about the
    columns that have something to report, and it alone words the failure cases."""
    if table.raw.empty:
        return True
    values = table.raw[info.header]
    if info.required and values.isna().any():
        return False
    checks = [TYPE_CHECKS[info.kind],
              in_list(info.choices, info.many) if info.choices else None,
              has_no_empty_items if info.many else None]
    return not any(check is not None and not check(values).all() for check in checks)


@cache
def _subschema(name: str, present: tuple[str, ...]):
    # Uniqueness is S107's own pass over IDs as text (pandera would take TRUE for 1).
    schema = pandera_schema(name).select_columns(list(present))
    return schema.update_columns({h: {"unique": False} for h in present
                                  if schema.columns[h].unique})


def _check_name(check: object) -> str | None:
    text = str(check)
    for name in (CHECK_NOT_NULL, CHECK_UNIQUE, CHECK_TYPE, CHECK_CHOICE, CHECK_LIST_ITEMS):
        if text == name or text.startswith(name):
            return name
    return None


# --- the pandera schemas, built from the declarations when a check first needs them --------



@cache
def pandera_schema(sheet_name: str) -> pa.DataFrameSchema:
    """The pandera DataFrameSchema of one sheet, with the cell checks of each column's kind."""
    import pandera.pandas as pa

    sheet = SHEETS[sheet_name]
    columns = {}
    for info in sheet.COLUMNS:
        checks = []
        type_check = TYPE_CHECKS[info.kind]
        # ignore_na=False: the checks themselves let blanks pass (see cell_checks).
        if type_check is not None:
            checks.append(pa.Check(type_check, name=CHECK_TYPE, ignore_na=False))
        if info.choices:
            checks.append(pa.Check(in_list(info.choices, info.many), name=CHECK_CHOICE,
                                   ignore_na=False))
        if info.many:
            checks.append(pa.Check(has_no_empty_items, name=CHECK_LIST_ITEMS,
                                   ignore_na=False))
        columns[info.header] = pa.Column(
            dtype=None,
            name=info.header,
            nullable=not info.required,
            unique=info.unique,
            report_duplicates="exclude_first",
            required=False,  # a missing column is reported by S102/S103 with a hint, not here
            checks=checks,
            description=info.guidance,
        )
    return pa.DataFrameSchema(columns=columns, name=sheet_name, description=sheet.PURPOSE,
                              unique_column_names=False)


class _Schemas(Mapping[str, "pa.DataFrameSchema"]):
    """Sheet name -> its pandera schema, built on first use (iterating needs no pandera)."""

    def __getitem__(self, name: str) -> pa.DataFrameSchema:
        if name not in SHEETS:
            raise KeyError(name)
        return pandera_schema(name)

    def __iter__(self) -> Iterator[str]:
        return iter(SHEETS)

    def __len__(self) -> int:
        return len(SHEETS)


SCHEMAS: Mapping[str, pa.DataFrameSchema] = _Schemas()

"""The example master's data: one CSV table per sheet, typed by the schema, dated as of any day.

A table is the sheet as Excel shows it: a header row (the schema's columns in template
order, plus the role columns on RACI) and one line per record. A value is typed by its
column's kind (``columns_of``): a DATE is ``yyyy-mm-dd``, a NUMBER or INTEGER a number,
everything else text; an empty cell is blank (None).

The dates are written as they stand on ``written_as_of`` (the example's as-of date).
:func:`move_dates` carries them to another as-of date by whole months, so every record
keeps its age: a service that went live 16 months before the as-of date still has, and a
KPI's actuals still run up to the reporting period. The details that keep that true:

- a day the new month lacks becomes its last day (30 Dec moved two months is 28 Feb);
- a quarterly KPI's actuals move by whole quarters, so their Period stays the first day of
  a quarter and the newest is still the last complete quarter;
- a date on or before ``written_as_of`` was in the past and stays there: moved beyond the
  new as-of date (a Reported On in the as-of month itself), it becomes the as-of date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path

from pmo_xl.period import add_months, quarter_start
from pmo_xl.validators.schema import DATE, INTEGER, NUMBER, RACI_ROLES, SHEETS, columns_of

Rows = dict[str, list[dict]]

QUARTERLY = "Quarterly"


class BadTable(ValueError):
    """A table of the example data cannot be read; the message names the file, line and column."""


def headers_of(sheet: str) -> list[str]:
    """A sheet's columns as its table has them: the schema's, then RACI's role columns."""
    headers = [c.header for c in columns_of(sheet)]
    if SHEETS[sheet].ROLE_COLUMNS:
        headers += list(RACI_ROLES)
    return headers


# --- reading and writing the tables -----------------------------------------------------------


def read_tables(folder: Traversable | Path) -> Rows:
    """Every sheet's records from `folder`/<sheet>.csv, typed; blank cells are left out."""
    files = {item.name: item for item in folder.iterdir() if item.name.endswith(".csv")}
    unknown = sorted(set(files) - {f"{sheet}.csv" for sheet in SHEETS})
    if unknown:
        raise BadTable(f"{unknown[0]} in {folder} is not a sheet of the master; name a table "
                       "after its sheet, e.g. Services.csv.")
    rows: Rows = {}
    for sheet in SHEETS:
        if f"{sheet}.csv" not in files:
            raise BadTable(f"{folder} has no {sheet}.csv; every sheet needs its table.")
        rows[sheet] = _read_table(sheet, files[f"{sheet}.csv"])
    return rows


def _read_table(sheet: str, file: Traversable | Path) -> list[dict]:
    # utf-8-sig: Excel's "CSV UTF-8" puts a byte-order mark in front of the header.
    text = file.read_text(encoding="utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    allowed = headers_of(sheet)
    for name in header:
        if name not in allowed:
            raise BadTable(f"{file.name}: {name!r} is not a column of {sheet}; the columns are "
                           f"{', '.join(allowed)}.")
    kinds = {c.header: c.kind for c in columns_of(sheet)}
    records = []
    for line in reader:
        if not any(cell.strip() for cell in line):
            continue
        if len(line) != len(header):
            raise BadTable(f"{file.name} line {reader.line_num}: {len(line)} values under "
                           f"{len(header)} headers.")
        record = {}
        for name, cell in zip(header, line, strict=True):
            if cell.strip():
                record[name] = _typed(cell.strip(), kinds.get(name), file.name, reader.line_num,
                                      name)
        records.append(record)
    return records


def _typed(cell: str, kind: str | None, file: str, line: int, column: str) -> object:
    try:
        if kind == DATE:
            return dt.date.fromisoformat(cell)
        if kind == INTEGER:
            return int(cell)
        if kind == NUMBER:
            number = float(cell)
            return int(number) if number.is_integer() and "." not in cell else number
    except ValueError:
        wanted = {DATE: "a date written yyyy-mm-dd", INTEGER: "a whole number"}
        raise BadTable(f"{file} line {line}, {column}: {cell!r} should be "
                       f"{wanted.get(kind, 'a number')}.") from None
    return cell


def write_tables(rows: Mapping[str, Iterable[Mapping[str, object]]], folder: Path) -> None:
    """Write each sheet's records to `folder`/<sheet>.csv, in the form read_tables reads."""
    folder.mkdir(parents=True, exist_ok=True)
    for sheet, records in rows.items():
        headers = headers_of(sheet)
        with (folder / f"{sheet}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(headers)
            for record in records:
                extra = set(record) - set(headers)
                if extra:
                    raise BadTable(f"{sheet}: {sorted(extra)[0]!r} is not one of its columns.")
                writer.writerow([_text(record.get(h)) for h in headers])


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- moving the dates to another as-of date ---------------------------------------------------


def months_between(earlier: dt.date, later: dt.date) -> int:
    """Whole calendar months from `earlier`'s month to `later`'s (Nov 2026 -> Jan 2027 is 2)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def move_dates(rows: Rows, written_as_of: dt.date, as_of: dt.date) -> Rows:
    """The records with every date moved from `written_as_of` to `as_of` (see the module doc)."""
    months = months_between(written_as_of, as_of)
    # Quarters count from quarter to quarter: Nov 2026 -> Jan 2027 is one quarter, not 2/3.
    quarters = months_between(quarter_start(written_as_of), quarter_start(as_of)) // 3
    quarterly = {k["KPI ID"] for k in rows.get("KPIs", []) if k.get("Frequency") == QUARTERLY}

    def moved(day: dt.date, by: int) -> dt.date:
        day_then = add_months(day, by)
        return min(day_then, as_of) if day <= written_as_of else day_then

    moved_rows: Rows = {}
    for sheet, records in rows.items():
        dates = [c.header for c in columns_of(sheet) if c.kind == DATE]
        moved_rows[sheet] = []
        for record in records:
            by = (3 * quarters if sheet == "KPI Actuals" and record.get("KPI ID") in quarterly
                  else months)
            copy = dict(record)
            for header in dates:
                if isinstance(copy.get(header), dt.date):
                    copy[header] = moved(copy[header], by)
            moved_rows[sheet].append(copy)
    return moved_rows


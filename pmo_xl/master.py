"""Reading the master workbook into DataFrames that remember every value's Excel cell.

Each sheet becomes a :class:`SheetTable` whose DataFrame index is the Excel row number and
whose columns are the schema's headers, so any value's address is ``sheet!{letter}{row}``.
python-calamine does the reading (several times faster than openpyxl; see the README); the
master is opened read-only and never written or locked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine as calamine
from openpyxl.utils import get_column_letter

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import Problem, quote_sheet
from pmo_xl.package import WorkbookPackage, formulas_without_values, inspect_workbook
from pmo_xl.validators.schema import (
    CHOICE,
    DATE,
    ID,
    INTEGER,
    NUMBER,
    RECORD_OF,
    SCHEMAS,
    YESNO,
    ColumnInfo,
    Sheet,
    columns_of,
    id_column,
    normalise_header,
    yes,
)

# Rows scanned to find the header row when a sheet has a title or blank rows above it.
HEADER_SEARCH_ROWS = 20
# A sheet bigger than this is refused rather than read: no master comes near it.
MAX_CELLS = 60_000_000


@dataclass
class SheetTable:
    """One master sheet: its values by Excel row, and where each column sits."""

    name: str  # the schema's sheet name, e.g. "Services"
    title: str  # the sheet's title in this workbook (may differ in case or spacing)
    header_row: int  # Excel row number of the header (1 unless there are rows above it)
    column_index: dict[str, int]  # schema header -> 0-based column of its first occurrence
    headers: list[tuple[int, str]]  # every non-blank header cell: (0-based column, text)
    raw: pd.DataFrame  # values as typed in the cells (blank -> None), index = Excel row
    data: pd.DataFrame  # the same, typed: bad values -> None, Y/N -> "Y"/"N", dates -> date
    extra_columns: list[str] = field(default_factory=list)  # headers the schema does not know
    present: bool = True  # False for a sheet missing from the workbook (empty frames)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based r0,c0,r1,c1
    formula_cells: list[str] = field(default_factory=list)  # A1 cells with no cached value
    width: int = 0  # number of columns read
    unnamed_columns: list[int] = field(default_factory=list)  # 0-based: data, blank header
    # (raw, data, row -> record ID) once record() was asked; rebuilt if raw or data change.
    _records: tuple | None = field(default=None, repr=False, compare=False)

    def letter(self, header: str) -> str:
        """The Excel column letter of a header; for a missing one, the next free column."""
        index = self.column_index.get(header)
        if index is None:
            index = max((c for c, _ in self.headers), default=-1) + 1
        return get_column_letter(index + 1)

    def cell(self, row: int, header: str) -> str:
        """`H7` for the value of `header` on Excel row `row`."""
        return f"{self.letter(header)}{row}"

    def header_cell(self, header: str) -> str:
        return self.cell(self.header_row, header)

    def address(self, row: int, header: str) -> str:
        """`Services!H7`, quoted where the title needs it (`'Risks and Issues'!B3`)."""
        return f"{quote_sheet(self.title)}!{self.cell(row, header)}"

    def problem(
        self, row: int, header: str, message: str, hint: str, severity: str | None = None
    ) -> Problem:
        """A problem at `header` on Excel row `row`, naming that row's record."""
        return Problem(
            sheet=self.title,
            row=row,
            column=self.letter(header),
            record=self.record(row),
            message=message,
            hint=hint,
            severity=severity,
        )

    def has(self, header: str) -> bool:
        return header in self.column_index

    def record(self, row: int) -> str | None:
        """The ID of the record on Excel row `row`, where the sheet has one."""
        records = self._records
        if records is None or records[0] is not self.raw or records[1] is not self.data:
            records = self._records = (self.raw, self.data, self._record_ids())
        if records[2] is not None:
            return records[2].get(row)
        key = record_column(self.name)  # raw and data disagree on rows: look it up
        if key is None or row not in self.data.index:
            return None
        value = self.raw.at[row, key] if key in self.raw.columns else None
        return None if value is None else str(value).strip()

    def _record_ids(self) -> dict[int, str] | None:
        """Every row's record ID, read once: findings name their record, and a large master
        can have thousands of findings (one lookup in the frame each was most of their cost).
        None when raw and data do not hold the same rows."""
        if not self.raw.index.equals(self.data.index) or not self.raw.index.is_unique:
            return None
        key = record_column(self.name)
        if key is None or key not in self.raw.columns:
            return {}
        return {row: str(value).strip()
                for row, value in zip(self.raw.index.tolist(), self.raw[key].tolist(),
                                      strict=True)
                if value is not None}

    def rows(self) -> Iterator[tuple[int, dict[str, object]]]:
        """(Excel row, {header: typed value}) for each record; blanks are None."""
        names = list(self.data.columns)
        columns = [self.data[name].tolist() for name in names]
        for row, values in zip(self.data.index.tolist(), zip(*columns, strict=True),
                               strict=True):
            yield row, dict(zip(names, values, strict=True))

    def __len__(self) -> int:
        return len(self.data)


def record_column(sheet_name: str) -> str | None:
    """The column whose value names a row's record in findings."""
    return RECORD_OF.get(sheet_name)


@dataclass
class Master:
    """The whole master workbook, read once."""

    path: Path
    sheets: dict[str, SheetTable]  # schema name -> table (missing sheets: present=False)
    titles: list[str]  # every sheet title in workbook order
    unknown_sheets: list[str]  # titles that match no schema sheet (Readme excluded)
    hidden: dict[str, str]
    sha256: str

    def __getitem__(self, name: str | type[Sheet]) -> SheetTable:
        """A sheet by its schema name or declaration: ``master["KPIs"]``, ``master[KPIs]``."""
        return self.sheets[name if isinstance(name, str) else name.SHEET]

    def ids(self, sheet: str | type[Sheet]) -> set[str]:
        """The set of record IDs of a sheet (stripped text), for reference lookups."""
        table = self[sheet]
        key = id_column(table.name)
        if key is None or not table.has(key):
            return set()
        return {str(v).strip() for v in table.raw[key] if v is not None}

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


def read_master(path: str | Path) -> Master:
    """Open the master read-only and read every schema sheet; raise CannotCheck if unusable."""
    path = Path(path)
    package = inspect_workbook(path)
    digest = _sha256(path)
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.PasswordError:
        raise CannotCheck(f"{path.name} is password-protected; save an unprotected copy.") from None
    except Exception as exc:  # calamine raises several error types for broken files
        raise CannotCheck(
            f"{path.name} cannot be read as a workbook ({_short(exc)}); open it in Excel, "
            "save it again as .xlsx and retry."
        ) from None
    with collector_paused():
        return _read_book(path, package, digest, book)


def _read_book(path: Path, package: WorkbookPackage, digest: str, book) -> Master:
    try:
        titles = list(book.sheet_names)
        by_key = {}
        for title in titles:
            by_key.setdefault(normalise_header(title), title)
        sheets: dict[str, SheetTable] = {}
        for name in SCHEMAS:
            title = by_key.get(normalise_header(name))
            if title is None:
                sheets[name] = empty_table(name)
            else:
                sheets[name] = _read_one_sheet(book, package, name, title)
    finally:
        book.close()
    known = {normalise_header(n) for n in SCHEMAS} | {"readme"}
    unknown = [t for t in titles if normalise_header(t) not in known]
    if not any(t.present for t in sheets.values()):
        raise CannotCheck(
            f"{path.name} has none of the master's sheets (it has {_list(titles)}); "
            "is this the right file? `pmo-xl new master.xlsx` writes a blank master."
        )
    return Master(
        path=path,
        sheets=sheets,
        titles=titles,
        unknown_sheets=unknown,
        hidden=package.hidden,
        sha256=digest,
    )


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and checking make millions of small objects and no reference cycles; the
    cyclic garbage collector would walk them again and again (a quarter of the reading time,
    and on a large master a growing share of the checking: each full collection walks
    everything read so far, so its cost grows faster than the master)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120].rstrip(".")


def _list(titles: list[str]) -> str:
    if not titles:
        return "no sheets"
    shown = ", ".join(titles[:6])
    return shown + (f" and {len(titles) - 6} more" if len(titles) > 6 else "")


def empty_table(name: str) -> SheetTable:
    headers = [c.header for c in columns_of(name)]
    frame = pd.DataFrame({h: pd.Series([], dtype=object) for h in headers})
    return SheetTable(
        name=name,
        title=name,
        header_row=1,
        column_index={},
        headers=[],
        raw=frame,
        data=frame.copy(),
        present=False,
    )


def _read_one_sheet(book, package: WorkbookPackage, name: str, title: str) -> SheetTable:
    """One sheet, or one sentence naming it when its XML is broken (calamine raises then)."""
    try:
        return _read_sheet(book, package, name, title)
    except CannotCheck:
        raise
    except Exception as exc:  # calamine's XmlError, WorksheetNotFound, CalamineError, ...
        raise CannotCheck(
            f"The sheet {title!r} of {package.path.name} is damaged and cannot be read "
            f"({_short(exc)}); open the workbook in Excel, save it again as .xlsx and retry."
        ) from None


def _read_sheet(book, package: WorkbookPackage, name: str, title: str) -> SheetTable:
    sheet = book.get_sheet_by_name(title)
    height, width = sheet.total_height, sheet.total_width
    if height * max(width, 1) > MAX_CELLS:
        raise CannotCheck(
            f"Sheet {title!r} spans {height:,} rows by {width:,} columns, more than pmo-xl "
            "reads; delete the unused rows and columns (select them, right-click > Delete)."
        )
    grid = sheet.to_python(skip_empty_area=False)
    # calamine's total_width can be one short (a value in XFD); the grid itself is the truth.
    width = max(map(len, grid), default=0)
    merged = [
        (r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
    ]
    declared = columns_of(name)
    header_index = _find_header_row(grid, declared)
    header_cells = grid[header_index] if header_index < len(grid) else []
    headers = [(i, str(v).strip()) for i, v in enumerate(header_cells) if _text(v)]
    wanted = {normalise_header(c.header): c.header for c in declared}
    column_index: dict[str, int] = {}
    extra: list[tuple[int, str]] = []
    for index, text in headers:
        canonical = wanted.get(normalise_header(text))
        if canonical is None:
            extra.append((index, text))
        elif canonical not in column_index:
            column_index[canonical] = index
    body = grid[header_index + 1 :]
    # Trailing and interleaved empty rows are not records; their neighbours keep their rows.
    row_numbers = []
    records = []
    for offset, row in enumerate(body):
        if _row_filled(row):
            row_numbers.append(header_index + 2 + offset)
            records.append(row)
    index = pd.Index(row_numbers, dtype="int64", name="row")
    # One transpose (in C) instead of one pass over every row per column.
    by_column = _transpose(records, width)
    columns = {}
    for col in declared:
        position = column_index.get(col.header)
        columns[col.header] = _column_values(by_column, position, len(records))
    extra_names = []
    for position, text in extra:
        if text in columns:  # a second copy of a declared header: S103 reports it
            continue
        extra_names.append(text)
        columns[text] = _column_values(by_column, position, len(records))
    raw = pd.DataFrame(columns, index=index, dtype=object)
    data = _typed(raw, declared, columns)
    named = {i for i, _ in headers}
    # Values right of the last header are as unread as values under a blank header between
    # two headers: both are named (S103), so a PMO's typed data never vanishes silently.
    gaps = [i for i in range(width) if i not in named]
    unnamed = [i for i in gaps if _any_filled(by_column[i])]
    return SheetTable(
        name=name,
        title=title,
        header_row=header_index + 1,
        column_index=column_index,
        headers=headers,
        raw=raw,
        data=data,
        extra_columns=extra_names,
        merged=merged,
        formula_cells=formulas_without_values(package.path, package.sheet_parts.get(title, "")),
        width=width,
        unnamed_columns=unnamed,
    )


_EMPTY = frozenset(("", None))


def _row_filled(row: list) -> bool:
    """True when any cell of the row holds something other than blanks or spaces."""
    for v in row:  # the first cell of a record is nearly always filled: one step
        if v is None or v == "":
            continue
        if type(v) is not str or v.strip():
            return True
    return False


def _any_filled(column: tuple) -> bool:
    return _row_filled(column)


def _transpose(records: list[list], width: int) -> list[tuple]:
    if not records:
        return [() for _ in range(width)]
    if set(map(len, records)) != {width}:  # calamine's rows are even; be safe anyway
        records = [list(r) + [None] * (width - len(r)) for r in records]
    return list(zip(*records, strict=True))


def _text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


def _filled(value: object) -> bool:
    return _text(value) if isinstance(value, str) else value is not None


def _find_header_row(grid: list[list], declared: list[ColumnInfo]) -> int:
    """The 0-based row holding the headers: the first that names a declared column.

    A title line or blank rows above the table are skipped, so their presence does not
    shift any address; a sheet whose headers were all renamed falls back to its first
    non-blank row (and S102 then names the missing columns).
    """
    wanted = {normalise_header(c.header) for c in declared}
    first_filled = None
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        cells = [normalise_header(v) for v in row if _text(v)]
        if not cells:
            continue
        if first_filled is None:
            first_filled = index
        if sum(c in wanted for c in cells) >= min(2, len(wanted)):
            return index
    return first_filled if first_filled is not None else 0


_MIDNIGHT = dt.time(0)
_DATETIME = dt.datetime
_PLAIN = frozenset((float, int, bool, type(None), dt.date, dt.time, dt.timedelta))
_TEXT_ONLY = frozenset((str,))


def _column_values(by_column: list[tuple], position: int | None, count: int) -> list:
    """One column as typed: text trimmed (non-breaking spaces too), blank -> None,
    a date-time at midnight -> its date. Written as one comprehension: it runs per cell."""
    if position is None:
        return [None] * count
    column = by_column[position]
    kinds = set(map(type, column))
    if kinds <= _PLAIN:  # numbers, booleans, dates: nothing to clean
        return list(column)
    if kinds == _TEXT_ONLY:  # text (blanks are ""): trim in C, then blanks -> None
        values = list(map(str.strip, column))
        if "\u00a0" in "\x00".join(values):
            values = [v.replace("\u00a0", " ") for v in values]
        return [v or None for v in values]
    return [
        (v.strip().replace("\u00a0", " ") or None) if type(v) is str
        else ((v.date() if v.time() == _MIDNIGHT else v) if type(v) is _DATETIME else v)
        for v in by_column[position]
    ]


def _typed(raw: pd.DataFrame, declared: list[ColumnInfo],
           columns: dict[str, list]) -> pd.DataFrame:
    """Values the rules can trust: a value of the wrong type becomes None (S rules report it)."""
    # A shallow copy: columns already typed are shared with `raw` (copy-on-write keeps the
    # two apart), only converted columns get new arrays.
    data = raw.copy(deep=False)
    for col in declared:
        values = columns[col.header]
        typed = _typed_values(col, values)
        if typed is not None:
            data[col.header] = pd.Series(typed, index=raw.index, dtype=object)
    return data


# Per kind, the cell types that are already what the rules read: a column holding only
# these (the usual case) is used as read, without a pass over its cells.
_ALREADY_TYPED = {
    DATE: frozenset((dt.date, type(None))),
    NUMBER: frozenset((float, type(None))),
    INTEGER: frozenset((float, type(None))),
    ID: frozenset((str, type(None))),
}


def _typed_values(col: ColumnInfo, values: list) -> list | None:
    """The column converted for the rules, or None when it needs no conversion."""
    already = _ALREADY_TYPED.get(col.kind)
    if already is not None and set(map(type, values)) <= already:
        return None
    # The common kinds are converted inline (they run once per cell of large sheets).
    if col.kind == DATE:
        return [v if type(v) is dt.date else (v.date() if type(v) is _DATETIME else None)
                for v in values]
    if col.kind in (NUMBER, INTEGER):
        return [float(v) if type(v) is float or type(v) is int else None for v in values]
    if col.kind == ID:
        # Trimmed text is already an ID; a number typed as an ID reads "7", not "7.0".
        return [v if v is None or type(v) is str else _id_text(v) for v in values]
    convert = _converter(col)
    if convert is None:
        return None
    return [None if v is None else convert(v) for v in values]


def _converter(col: ColumnInfo):
    if col.kind == DATE:
        return _as_date
    if col.kind in (NUMBER, INTEGER):
        return _as_number
    if col.kind == YESNO:
        return lambda v: {True: "Y", False: "N"}.get(yes(v))
    if col.kind == CHOICE and col.choices:
        allowed = frozenset(col.choices)
        return lambda v: v if v in allowed else None
    if col.kind == ID:
        return _id_text
    return None


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _id_text(value: object) -> str:
    # An ID typed as a number (7 for P-007's row) still reads as text: "7", not "7.0".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()

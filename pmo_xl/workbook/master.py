"""Reading the master workbook into DataFrames that remember every value's Excel cell.

Each sheet becomes a :class:`SheetTable` whose DataFrame index is the Excel row number and
whose columns are the schema's headers, so any value's address is ``sheet!{letter}{row}``.
python-calamine does the reading (several times faster than openpyxl; see the README); the
master is opened read-only and never written or locked. Each sheet's XML is scanned first
(:func:`pmo_xl.workbook.package.scan_sheets`) for what python-calamine does not say: a sheet too big
to load, error values, formulas without a saved value, links to other workbooks.

Values are read the way a person reads the cell: text trimmed, a drop-down value in any case
or spacing as its list's own spelling (`running` is `Running`), an ID typed with a leading
apostrophe as the ID, and a number Excel cannot hold (NaN, INF) or an error value as blank;
the odd ones are kept on the table for the structure rules to name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import python_calamine as calamine
from openpyxl.utils import get_column_letter

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import Problem, quote_sheet
from pmo_xl.output import file_sha256
from pmo_xl.validators.schema import (
    APOSTROPHE,
    CHOICE,
    DATE,
    ID,
    INTEGER,
    NOT_FINITE,
    NUMBER,
    RECORD_OF,
    SHEETS,
    YESNO,
    ColumnInfo,
    Sheet,
    columns_of,
    id_column,
    id_text,
    normalise_header,
    yes,
)
from pmo_xl.workbook.package import (
    MAX_COLUMNS,
    SheetScan,
    WorkbookPackage,
    inspect_workbook,
    scan_sheets,
)

# Rows scanned to find the header row when a sheet has a title or blank rows above it.
HEADER_SEARCH_ROWS = 20

@dataclass(frozen=True)
class OddValue:
    """A cell read differently from what it holds: `'SVC-001` as SVC-001, NaN as blank."""

    row: int
    column: str  # Excel column letter
    header: str  # the column's header (the schema's name where it has one)
    kind: str  # APOSTROPHE or NOT_FINITE
    value: object  # what the cell holds


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
    errors: dict[str, str] = field(default_factory=dict)  # A1 cell -> "#DIV/0!"
    linked: dict[str, str] = field(default_factory=dict)  # A1 cell -> the other workbook
    odd_values: list[OddValue] = field(default_factory=list)
    width: int = 0  # number of columns read
    unnamed_columns: list[int] = field(default_factory=list)  # 0-based: data, blank header
    # (raw, data, row -> record ID) once record() was asked; rebuilt if raw or data change.
    _records: tuple | None = field(default=None, repr=False, compare=False)

    def letter(self, header: str) -> str:
        """The Excel column letter of a header, a declared one or the sheet's own (a RACI
        role); for a missing one, the next free column (or, when the headers reach Excel's
        last column, the first blank header cell)."""
        index = self.column_index.get(header)
        if index is None:
            index = next((i for i, text in self.headers if text == header), None)
        if index is None:
            index = self._free_column()
        return get_column_letter(index + 1)

    def _free_column(self) -> int:
        named = [c for c, _ in self.headers]
        after = max(named, default=-1) + 1
        if after < MAX_COLUMNS:
            return after
        taken = set(named)
        return next((c for c in range(MAX_COLUMNS) if c not in taken), MAX_COLUMNS - 1)

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

    def unreadable(self, row: int, header: str) -> bool:
        """True when the cell holds something that cannot be read as its column's kind: an
        error value, a formula with no saved value, NaN or INF, or a value of the wrong type.
        It reads as blank; a rule that takes blank for "not set" (a waiver's Expires) must
        not take this cell so."""
        if not self.has(header):
            return False
        cell = self.cell(row, header)
        if cell in self.errors or cell in self.formula_cells:
            return True
        if any(v.row == row and v.header == header and v.kind == NOT_FINITE
               for v in self.odd_values):
            return True
        if row not in self.raw.index:
            return False
        return self.raw.at[row, header] is not None and self.data.at[row, header] is None

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
        # An ID reads as the checks read it (7 as "7", 'SVC-001 as SVC-001).
        values = self.data[key] if key == id_column(self.name) else self.raw[key]
        return {row: str(value).strip()
                for row, value in zip(self.raw.index.tolist(), values.tolist(), strict=True)
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
    # schema name -> the other sheets going by its name, not read ('Services ' hidden
    # beside 'Services')
    passed_over: dict[str, list[str]] = field(default_factory=dict)
    chart_sheets: list[str] = field(default_factory=list)  # titles of sheets holding no cells

    def __getitem__(self, name: str | type[Sheet]) -> SheetTable:
        """A sheet by its schema name or declaration: ``master["KPIs"]``, ``master[KPIs]``."""
        return self.sheets[name if isinstance(name, str) else name.SHEET]

    def ids(self, sheet: str | type[Sheet]) -> set[str]:
        """The set of record IDs of a sheet, as the checks read them, for reference lookups."""
        table = self[sheet]
        key = id_column(table.name)
        if key is None or not table.has(key):
            return set()
        return {v for v in table.data[key] if v is not None}

    @property
    def short_hash(self) -> str:
        return self.sha256[:12]


def read_master(path: str | Path) -> Master:
    """Open the master read-only and read every schema sheet; raise CannotCheck if unusable."""
    path = Path(path)
    package = inspect_workbook(path)
    digest = file_sha256(path)
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
        chosen, passed_over, charts = _choose_sheets(book, package)
        # Every sheet is sized before any is loaded: a far value is refused at once.
        scans = scan_sheets(package, list(chosen.values()))
        for title in chosen.values():
            _refuse_too_big(path, title, scans[title])
        sheets: dict[str, SheetTable] = {}
        for name in SHEETS:
            title = chosen.get(name)
            if title is None:
                sheets[name] = empty_table(name)
            else:
                sheets[name] = _read_one_sheet(book, package, name, title, scans[title])
    finally:
        book.close()
    known = {normalise_header(n) for n in SHEETS} | {"readme"}
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
        passed_over=passed_over,
        chart_sheets=charts,
    )


def _choose_sheets(book, package: WorkbookPackage
                   ) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """Which sheet is read for each schema sheet: of the worksheets whose title matches its
    name case- and space-insensitively, a visible one before a hidden one (a stale copy
    hidden away), and one spelt exactly before one spelt otherwise. Chart sheets hold no
    cells and are never read as data."""
    kinds = {m.name: m.typ for m in book.sheets_metadata}
    charts = [t for t, kind in kinds.items() if kind != calamine.SheetTypeEnum.WorkSheet]
    by_key: dict[str, list[tuple[int, str]]] = {}
    for order, title in enumerate(book.sheet_names):
        if title not in charts:
            by_key.setdefault(normalise_header(title), []).append((order, title))
    chosen: dict[str, str] = {}
    passed_over: dict[str, list[str]] = {}
    for name in SHEETS:
        candidates = by_key.get(normalise_header(name), [])
        if not candidates:
            continue
        ranked = sorted(candidates, key=lambda c: (c[1] in package.hidden, c[1] != name, c[0]))
        chosen[name] = ranked[0][1]
        if len(ranked) > 1:
            passed_over[name] = [title for _, title in ranked[1:]]
    return chosen, passed_over, charts


def _refuse_too_big(path: Path, title: str, scan: SheetScan) -> None:
    if scan.far_cell is not None:
        raise CannotCheck(
            f"The sheet {title!r} of {path.name} has a value as far out as cell "
            f"{scan.far_cell}, which would make it {scan.rows:,} rows by {scan.columns:,} "
            f"columns, more than pmo-xl reads; delete what is in {scan.far_cell} (and any "
            "other stray values out there), save, and check again."
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


def _read_one_sheet(book, package: WorkbookPackage, name: str, title: str,
                    scan: SheetScan) -> SheetTable:
    """One sheet, or one sentence naming it when its XML is broken (calamine raises then)."""
    try:
        return _read_sheet(book, name, title, scan)
    except CannotCheck:
        raise
    except Exception as exc:  # calamine's XmlError, WorksheetNotFound, CalamineError, ...
        raise CannotCheck(
            f"The sheet {title!r} of {package.path.name} is damaged and cannot be read "
            f"({_short(exc)}); open the workbook in Excel, save it again as .xlsx and retry."
        ) from None


def _read_sheet(book, name: str, title: str, scan: SheetScan) -> SheetTable:
    sheet = book.get_sheet_by_name(title)
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
    odd: list[OddValue] = []
    columns = {}
    for col in declared:
        position = column_index.get(col.header)
        columns[col.header] = _column_values(by_column, position, len(records), col,
                                             row_numbers, odd)
    extra_names = []
    for position, text in extra:
        if text in columns:  # a second column with the same header: S103 reports it
            continue
        extra_names.append(text)
        columns[text] = _column_values(by_column, position, len(records), None, row_numbers,
                                       odd, text)
    raw = pd.DataFrame(columns, index=index, dtype=object)
    data = _typed(raw, declared, columns)
    named = {i for i, _ in headers}
    # Values right of the last header are as unread as values under a blank header between
    # two headers: both are named (S103), so a PMO's typed data never vanishes silently.
    gaps = [i for i in range(width) if i not in named]
    unnamed = [i for i in gaps if _row_filled(by_column[i])]
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
        formula_cells=list(scan.no_value),
        errors=scan.errors,
        linked=scan.linked,
        odd_values=sorted(odd, key=lambda v: (v.row, v.column)),
        width=width,
        unnamed_columns=unnamed,
    )


def _row_filled(row: list) -> bool:
    """True when any cell of the row holds something other than blanks or spaces."""
    for v in row:  # the first cell of a record is nearly always filled: one step
        if v is None or v == "":
            continue
        if type(v) is not str or v.strip():
            return True
    return False


def _transpose(records: list[list], width: int) -> list[tuple]:
    """Rows to columns; python-calamine's grid is a rectangle, so every row is `width` long."""
    if not records:
        return [() for _ in range(width)]
    return list(zip(*records, strict=True))


def _text(value: object) -> bool:
    return isinstance(value, str) and value.strip() != ""


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
_NUMBERS = frozenset((float, int, bool, type(None)))


def _column_values(by_column: list[tuple], position: int | None, count: int,
                   col: ColumnInfo | None, row_numbers: list[int], odd: list[OddValue],
                   header: str | None = None) -> list:
    """One column as read: text trimmed (non-breaking spaces too), blank -> None, a
    date-time at midnight -> its date, NaN/INF -> None, a drop-down value -> its list's own
    spelling, an ID's leading apostrophe dropped (the odd values go to `odd`). Each step is
    decided once per column from the kinds of value it holds, so a clean column costs a
    pass or two in C; the general case is one comprehension (it runs per cell)."""
    if position is None:
        return [None] * count
    column = by_column[position]
    kinds = set(map(type, column))
    letter = get_column_letter(position + 1)
    label = header if col is None else col.header
    if float in kinds:
        column = _finite(column, kinds, row_numbers, letter, label, odd)
    if kinds <= _PLAIN:  # numbers, booleans, dates: nothing to clean
        values = list(column)
    elif kinds == _TEXT_ONLY:  # text (blanks are ""): trim in C, then blanks -> None
        values = list(map(str.strip, column))
        if "\u00a0" in "\x00".join(values):
            values = [v.replace("\u00a0", " ") for v in values]
        values = [v or None for v in values]
    else:
        values = [
            (v.strip().replace("\u00a0", " ") or None) if type(v) is str
            else ((v.date() if v.time() == _MIDNIGHT else v) if type(v) is _DATETIME else v)
            for v in column
        ]
    if col is not None and str in kinds:
        if col.kind == ID:
            _drop_apostrophes(values, row_numbers, letter, label, odd)
        elif col.kind == CHOICE:
            values = _list_spelling(values, col.choices)
    return values


def _finite(column: tuple, kinds: set, row_numbers: list[int], letter: str, label: str,
            odd: list[OddValue]) -> tuple:
    """The column with NaN and INF (which a program can store and Excel cannot) as blanks.
    A numeric column is cleared by one sum in C: only a non-finite value (or an overflow)
    makes the sum non-finite."""
    if kinds <= _NUMBERS and math.isfinite(sum(filter(None, column))):
        return column
    bad = [i for i, v in enumerate(column) if type(v) is float and not math.isfinite(v)]
    if not bad:
        return column
    cleared = list(column)
    for i in bad:
        odd.append(OddValue(row_numbers[i], letter, label, NOT_FINITE, cleared[i]))
        cleared[i] = None
    return tuple(cleared)


def _drop_apostrophes(values: list, row_numbers: list[int], letter: str, label: str,
                      odd: list[OddValue]) -> None:
    """`'SVC-001` pasted as text reads as SVC-001 (in place); each such cell goes to `odd`."""
    try:
        if "\x00'" not in "\x00" + "\x00".join(filter(None, values)):
            return
    except TypeError:  # numbers among the IDs: look cell by cell
        pass
    for i, v in enumerate(values):
        if type(v) is str and v.startswith("'"):
            odd.append(OddValue(row_numbers[i], letter, label, APOSTROPHE, v))
            values[i] = v[1:].strip() or None


def _list_spelling(values: list, choices: tuple[str, ...]) -> list:
    """A drop-down value in any case or spacing as its list's spelling (`running` ->
    `Running`), as Excel's own list validation accepts it; other values unchanged."""
    allowed = frozenset(choices)
    others = {v for v in set(values) if type(v) is str} - allowed
    if not others:
        return values
    spelling = {normalise_header(c): c for c in choices}
    mapping = {v: spelling[key] for v in others if (key := normalise_header(v)) in spelling}
    if not mapping:
        return values
    return [mapping.get(v, v) if type(v) is str else v for v in values]


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
_YES_NO = {True: "Y", False: "N"}


def _typed_values(col: ColumnInfo, values: list) -> list | None:
    """The column converted for the rules, or None when it needs no conversion. Written
    inline per kind: it runs once per cell of large sheets."""
    already = _ALREADY_TYPED.get(col.kind)
    if already is not None and set(map(type, values)) <= already:
        return None
    if col.kind == DATE:
        return [v if type(v) is dt.date else (v.date() if type(v) is _DATETIME else None)
                for v in values]
    if col.kind in (NUMBER, INTEGER):
        return [float(v) if type(v) is float or type(v) is int else None for v in values]
    if col.kind == ID:
        # Trimmed text is already an ID; a number typed as an ID reads "7", not "7.0".
        return [v if v is None or type(v) is str else id_text(v) for v in values]
    if col.kind == YESNO:
        return [None if v is None else _YES_NO.get(yes(v)) for v in values]
    if col.kind == CHOICE and col.choices:
        allowed = frozenset(col.choices)
        if set(values) <= allowed | {None}:
            return None
        return [v if type(v) is str and v in allowed else None for v in values]
    return None

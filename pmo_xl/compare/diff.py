"""Two versions of the master compared record by record: what was added, removed and changed.

Records are matched on their keys (the schema's ``MATCH_KEYS``: an ID, or the columns that
together name a record), never on row positions, so sorting a sheet, inserting a column or
moving rows changes nothing. Values are compared as the checks read them: the typed value
of each cell (a date is a date whatever its number format, ``1`` equals ``1.0``,
surrounding spaces do not count), or the value as typed where it cannot be typed
(``Runing`` in Stage is still a value that changed). A record whose key is blank or
repeated cannot be matched: it is reported as such, at its cell, and never guessed.

The comparison works one column at a time over whole sheets (two aligned arrays compared in
C), not cell by cell in Python: two 5,000-service masters hold over half a million records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmo_xl.findings import json_value, quote_sheet
from pmo_xl.validators.schema import (
    ID,
    LIST,
    MATCH_KEYS,
    SHEETS,
    TEXT,
    normalise_header,
)

if TYPE_CHECKING:
    import numpy as np

    from pmo_xl.workbook.master import Master, SheetTable

# What matches a record in one version to the same record in the other.

ADDED, REMOVED, CHANGED = "added", "removed", "changed"
COLUMN_ADDED, COLUMN_REMOVED = "column added", "column removed"
UNMATCHED = "unmatched"
BLANK_KEY, REPEATED_KEY = "blank key", "duplicate key"



@dataclass(frozen=True)
class Change:
    """One difference between the versions, at one cell.

    `cell` is in NEW, or in OLD when `in_old` (a removed record or column, or an unmatched
    record of OLD). `record` is the record's key as the spec writes it: its ID, or the parts
    of a composite key joined by a space (`KPI-04 2026-09-01`).
    """

    sheet: str  # the sheet's title in the version the cell is in
    kind: str  # added / removed / changed / column added / column removed / unmatched
    cell: str  # e.g. "I22"
    row: int
    record: str | None = None
    column: str | None = None
    old: object = None
    new: object = None
    in_old: bool = False
    reason: str | None = None  # for an unmatched record: blank key / duplicate key

    @property
    def address(self) -> str:
        return f"{quote_sheet(self.sheet)}!{self.cell}"

    def as_json(self) -> dict:
        """The entry of `pmo-xl diff --format json` (since-last-meeting.md)."""
        data: dict[str, object] = {"sheet": self.sheet}
        if self.record is not None:
            data["record"] = self.record
        data["kind"] = self.kind
        if self.column is not None:
            data["column"] = self.column
        if self.kind == CHANGED:
            data["old"] = json_value(self.old)
            data["new"] = json_value(self.new)
        data["cell"] = self.cell
        if self.reason is not None:
            data["reason"] = self.reason
        if self.in_old:
            data["in"] = "old"
        return data


@dataclass
class RecordChange:
    """A record held by both versions whose values differ: its rows and the changed columns."""

    key: str
    old_row: int
    new_row: int
    columns: dict[str, tuple[object, object]]  # header -> (old value, new value)


@dataclass
class SheetDiff:
    """One sheet's differences, by record key (the key as `Change.record` shows it)."""

    name: str  # the schema's sheet name
    old: SheetTable
    new: SheetTable
    added: dict[str, int] = field(default_factory=dict)  # key -> row in NEW
    removed: dict[str, int] = field(default_factory=dict)  # key -> row in OLD
    changed: dict[str, RecordChange] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)

    def old_record(self, key: str) -> dict | None:
        """The removed or changed record's typed values in OLD."""
        row = self.removed.get(key)
        if row is None and key in self.changed:
            row = self.changed[key].old_row
        return None if row is None else _record_at(self.old, row)

    def new_record(self, key: str) -> dict | None:
        """The added or changed record's typed values in NEW."""
        row = self.added.get(key)
        if row is None and key in self.changed:
            row = self.changed[key].new_row
        return None if row is None else _record_at(self.new, row)


@dataclass
class Diff:
    """What differs between two read masters, sheet by sheet, in template order."""

    old: Master
    new: Master
    sheets: dict[str, SheetDiff]

    def __getitem__(self, sheet: str | type) -> SheetDiff:
        return self.sheets[sheet if isinstance(sheet, str) else sheet.SHEET]

    @property
    def changes(self) -> list[Change]:
        return [change for item in self.sheets.values() for change in item.changes]

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def empty(self) -> bool:
        return not any(item.changes for item in self.sheets.values())


def compare_masters(old: Master, new: Master) -> Diff:
    """Every difference between two read masters (see the module docstring)."""
    return Diff(old, new, {name: compare_sheet(name, old[name], new[name]) for name in SHEETS})


def compare_sheet(name: str, old: SheetTable, new: SheetTable) -> SheetDiff:
    result = SheetDiff(name, old, new)
    if not old.present and not new.present:
        return result
    old_columns, new_columns = _columns(old), _columns(new)
    if old.present and new.present:
        for key, header in new_columns.items():
            if key not in old_columns:
                result.changes.append(Change(
                    new.title, COLUMN_ADDED, f"{new.letter(header)}{new.header_row}",
                    new.header_row, column=header))
        for key, header in old_columns.items():
            if key not in new_columns:
                result.changes.append(Change(
                    old.title, COLUMN_REMOVED, f"{old.letter(header)}{old.header_row}",
                    old.header_row, column=header, in_old=True))
    key_columns = MATCH_KEYS[name]
    matching = _match(old, new, key_columns)
    for table, shown, unmatched, in_old in (
            (old, matching.old_shown, matching.old_unmatched, True),
            (new, matching.new_shown, matching.new_unmatched, False)):
        first = table.letter(key_columns[0])
        rows = table.data.index
        for position, blank in unmatched:
            row = int(rows[position])
            result.changes.append(Change(
                table.title, UNMATCHED, f"{first}{row}", row, record=shown[position],
                in_old=in_old, reason=BLANK_KEY if blank else REPEATED_KEY))
    old_rows, new_rows = old.data.index.tolist(), new.data.index.tolist()
    found: list[Change] = []
    new_first = new.letter(key_columns[0])
    for position in matching.added:
        row, shown = new_rows[position], matching.new_shown[position]
        result.added[shown] = row
        found.append(Change(new.title, ADDED, f"{new_first}{row}", row, record=shown))
    if len(matching.new_positions):
        _changed_cells(result, matching, old_columns, new_columns, found)
    found.sort(key=lambda c: (c.row, new.column_index.get(c.column or "", 0)))
    old_first = old.letter(key_columns[0])
    for position in matching.removed:
        row, shown = old_rows[position], matching.old_shown[position]
        result.removed[shown] = row
        found.append(Change(old.title, REMOVED, f"{old_first}{row}", row, record=shown,
                            in_old=True))
    unmatched = [c for c in result.changes if c.kind == UNMATCHED]
    columns = [c for c in result.changes if c.kind != UNMATCHED]
    result.changes = columns + found + unmatched
    return result


@dataclass
class _Matching:
    """How the records of two versions of a sheet pair up, by position in each frame."""

    old_positions: np.ndarray  # matched pairs, in NEW's row order
    new_positions: np.ndarray
    added: list[int]  # positions in NEW
    removed: list[int]  # positions in OLD
    old_unmatched: list[tuple[int, bool]]  # (position, key blank) of unmatchable records
    new_unmatched: list[tuple[int, bool]]
    old_shown: _Shown
    new_shown: _Shown


def _match(old: SheetTable, new: SheetTable, columns: tuple[str, ...]) -> _Matching:
    """Pair the records of two versions on their keys, in C: each key becomes one integer
    (its parts factorised together over both versions), then the integers are matched."""
    import numpy as np
    import pandas as pd

    old_parts, new_parts = _key_parts(old, columns), _key_parts(new, columns)
    old_count = len(old.data) if old.present else 0
    codes = None
    for before, after in zip(old_parts, new_parts, strict=True):
        part, uniques = pd.factorize(np.array(before + after, dtype=object))
        part = part.astype(np.int64)
        if codes is None:
            codes = part
            continue
        blank = (codes < 0) | (part < 0)
        codes = pd.factorize(codes * (len(uniques) + 1) + part)[0].astype(np.int64)
        codes[blank] = -1
    if codes is None:
        codes = np.empty(0, dtype=np.int64)
    old_codes, new_codes = codes[:old_count], codes[old_count:]
    old_repeated = pd.Series(old_codes).duplicated(keep=False).to_numpy() & (old_codes >= 0)
    new_repeated = pd.Series(new_codes).duplicated(keep=False).to_numpy() & (new_codes >= 0)
    # A key repeated in either version matches nothing in the other either.
    repeated = np.union1d(old_codes[old_repeated], new_codes[new_repeated])
    old_usable = (old_codes >= 0) & ~np.isin(old_codes, repeated)
    new_usable = (new_codes >= 0) & ~np.isin(new_codes, repeated)
    old_at = np.flatnonzero(old_usable)
    found = pd.Index(old_codes[old_at]).get_indexer(new_codes)
    matched = new_usable & (found >= 0)
    new_positions = np.flatnonzero(matched)
    old_positions = old_at[found[matched]]
    seen = np.zeros(old_count, dtype=bool)
    seen[old_positions] = True
    return _Matching(
        old_positions, new_positions,
        added=np.flatnonzero(new_usable & (found < 0)).tolist(),
        removed=np.flatnonzero(old_usable & ~seen).tolist(),
        old_unmatched=[(p, bool(old_codes[p] < 0))
                       for p in np.flatnonzero((old_codes < 0) | old_repeated).tolist()],
        new_unmatched=[(p, bool(new_codes[p] < 0))
                       for p in np.flatnonzero((new_codes < 0) | new_repeated).tolist()],
        old_shown=_Shown(old_parts), new_shown=_Shown(new_parts))


def _changed_cells(result: SheetDiff, matching: _Matching, old_columns: dict[str, str],
                   new_columns: dict[str, str], found: list[Change]) -> None:
    """Compare each column shared by both versions over all matched records at once."""
    import numpy as np

    old, new = result.old, result.new
    old_positions, new_positions = matching.old_positions, matching.new_positions
    old_rows, new_rows = old.data.index.to_numpy(), new.data.index.to_numpy()
    for key, header in new_columns.items():
        if key not in old_columns:
            continue
        before = _comparable(old, old_columns[key])[old_positions]
        after = _comparable(new, header)[new_positions]
        differs = before != after
        if not differs.any():
            continue
        letter = new.letter(header)
        for index in np.flatnonzero(differs).tolist():
            position = int(new_positions[index])
            row = int(new_rows[position])
            shown = matching.new_shown[position]
            old_value, new_value = before[index], after[index]
            record = result.changed.get(shown)
            if record is None:
                record = result.changed[shown] = RecordChange(
                    shown, int(old_rows[old_positions[index]]), row, {})
            record.columns[header] = (old_value, new_value)
            found.append(Change(new.title, CHANGED, f"{letter}{row}", row, record=shown,
                                column=header, old=old_value, new=new_value))


def _columns(table: SheetTable) -> dict[str, str]:
    """The columns a sheet really has, by their matched form: the declared ones it holds
    and any of its own (a RACI role, a PMO's notes); header -> the frame's column name."""
    if not table.present:
        return {}
    found = {normalise_header(h): h for h in table.column_index}
    for header in table.extra_columns:
        found.setdefault(normalise_header(header), header)
    return found


def _comparable(table: SheetTable, header: str) -> np.ndarray:
    """A column's values as the checks read them: typed, or as typed where that failed.

    Only a column whose bad values the reader drops (dates, numbers, choices, Y/N) can
    differ from its values as typed; text, IDs and the sheet's own columns cannot."""
    import pandas as pd

    typed = table.data[header].to_numpy(dtype=object)
    if _KINDS.get(table.name, {}).get(header, TEXT) in _AS_TYPED or (
            header not in table.raw.columns):
        return typed
    missing = pd.isna(typed)
    if not missing.any():
        return typed
    raw = table.raw[header].to_numpy(dtype=object)
    untyped = missing & ~pd.isna(raw)
    if untyped.any():
        typed = typed.copy()
        typed[untyped] = raw[untyped]
    return typed


_KINDS = {name: {c.header: c.kind for c in sheet.COLUMNS} for name, sheet in SHEETS.items()}
# Kinds whose typed value is blank only where the cell is: text is read as typed, and an ID
# typed as a number is converted to text, never dropped.
_AS_TYPED = (TEXT, LIST, ID)


class _Shown:
    """The key of the record at a position as findings show it (its parts joined by a
    space), worked out only for the few records a change is reported for."""

    def __init__(self, parts: list[list[str | None]]) -> None:
        self.parts = parts

    def __getitem__(self, position: int) -> str:
        return " ".join(p[position] for p in self.parts if p[position] is not None)


def _key_parts(table: SheetTable, columns: tuple[str, ...]) -> list[list[str | None]]:
    """Each key column's values as key text, one list per column (blank -> None)."""
    count = len(table.data) if table.present else 0
    return [_key_texts(_comparable(table, c)) if count and table.has(c) else [None] * count
            for c in columns]


def _key_texts(values: np.ndarray) -> list[str | None]:
    """Key parts as text: IDs are text already (trimmed by the reader); a date reads in its
    ISO form and `7.0` reads `7`, each distinct value worked out once."""
    found = values.tolist()
    if set(map(type, found)) <= _TEXT_TYPES:
        return found
    texts = {value: key_text(value) for value in set(found)}
    return [texts[value] for value in found]


_TEXT_TYPES = frozenset((str, type(None)))


def key_text(value: object) -> str | None:
    """One part of a record's key as text; None for a blank."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _record_at(table: SheetTable, row: int) -> dict:
    return {header: table.data.at[row, header] for header in table.data.columns}



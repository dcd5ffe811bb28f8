"""Writing the history tables: one file per table, CSV or Parquet, a batch of rows at a time.

Values arrive column by column in the order of the table's declared columns
(:mod:`.tables`), every value already in its text form (:class:`TextForms`: a date as
`2026-11-30`, a number in Python's shortest exact form, a boolean as True or False, a blank
as ""). A CSV line is then one ``join`` done in C, with no Python step per row: turning 2.5
million rows' values into text one by one was most of an export's time. The Parquet writer
turns each column back into its declared type in one Arrow cast. Nothing is held beyond one
batch, so memory does not grow with the number of packs.

CSV is UTF-8 with a byte-order mark (Excel needs it to show accented names right when a
file is opened with a double click; pandas, DuckDB and Power BI skip it), one header row,
dates as YYYY-MM-DD, True and False, decimal points, blanks for unknown. Parquet needs the
optional pyarrow package (``pip install 'pmo-xl[parquet]'``) and carries the declared
types.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.portfolio.tables import BOOLEAN, DATE, INTEGER, NUMBER, TEXT, Table

CSV, PARQUET = "csv", "parquet"
FORMATS = (CSV, PARQUET)
BOM = "\ufeff"
RISKY = ("=", "+", "-", "@", "\t", "\r", "\n")  # what makes Excel read text as a formula
RISKY_AFTER = (",=", ",+", ",-", ",@", ",\t")
# A batch with none of these characters holds no value Excel would run: a value beginning
# with "-" does nothing without one of them (a minus sign alone makes a number or #NAME?).
# Single characters are found at memory speed; ",-" would cost fifty times as much.
FORMULA_MARKS = ("=", "+", "@", "\t", "(", "|", "!", "&", "*", "/", "^")
BATCH = 50_000  # rows of one table kept before they are written (Parquet: one row group)


def file_name(table: Table, output_format: str) -> str:
    return f"{table.name}.{output_format}"


def require_format(output_format: str) -> None:
    """One sentence, before any work, for a format that cannot be written here."""
    if output_format not in FORMATS:
        raise CannotCheck(f"{output_format!r} is not a history format; use csv or parquet.")
    if output_format == PARQUET:
        try:
            import pyarrow  # noqa: F401
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise CannotCheck("Parquet needs the optional pyarrow package, which is not "
                              "installed: pip install 'pmo-xl[parquet]' (or leave out "
                              "--format parquet for CSV files).") from None


class TextForms(dict):
    """value -> its text in a table file, each worked out once: formatting a float or a date
    costs ten times a dictionary look-up, and a history repeats the same targets, thresholds
    and most actuals thousands of times. None is "", text stays text. Counts need a
    TextForms of their own: 1 and 1.0 are one key, but "1" and "1.0" are not one text."""

    LIMIT = 100_000  # distinct values remembered (some 15 MB); more are formatted each time

    def __missing__(self, value: object) -> str:
        if value is None:
            text = ""
        elif isinstance(value, str):
            text = value
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = repr(value)
        if len(self) < self.LIMIT:
            self[value] = text
        return text


class TableFile:
    """One table's file, open for rows."""

    def __init__(self, table: Table, folder: Path, output_format: str) -> None:
        self.table = table
        self.path = folder / file_name(table, output_format)
        self.rows = 0

    def add(self, columns: list[list[str]]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class CsvFile(TableFile):
    """A CSV file written a line at a time without the csv module's per-field work (five
    times slower, a third of the whole export), which is kept for the few lines that need
    quoting or a guard."""

    def __init__(self, table: Table, folder: Path) -> None:
        super().__init__(table, folder, CSV)
        # Lines end in \r\n (RFC 4180's line end); a line break inside a value stays as
        # it is, inside quotes.
        self.handle = self.path.open("w", encoding="utf-8", newline="")
        self.commas = len(table.columns) - 1
        self.texts = [c.type == TEXT for c in table.columns]
        self.careful = csv.writer(self.handle)
        self.handle.write(BOM)
        self.careful.writerow(table.headers)

    def add(self, columns: list[list[str]]) -> None:
        # The batch is joined, then checked once: a comma, quote or line break inside a
        # value, or a value Excel would take for a formula, is rare, and only then is each
        # line looked at (and those lines written the careful way).
        lines = len(columns[0])
        if not lines:
            return
        block = "\r\n".join(map(",".join, zip(*columns, strict=True)))
        if (block.count(",") == self.commas * lines and '"' not in block
                and block.count("\n") == lines - 1 and block.count("\r") == lines - 1
                and not any(mark in block for mark in FORMULA_MARKS)):
            self.handle.write(block + "\r\n")
        else:
            self._one_by_one(list(zip(*columns, strict=True)))
        self.rows += lines

    def _one_by_one(self, rows: list[tuple]) -> None:
        for row in rows:
            line = ",".join(row)
            if (line.count(",") != self.commas or '"' in line or "\n" in line or "\r" in line
                    or line[:1] in RISKY or any(mark in line for mark in RISKY_AFTER)):
                self.careful.writerow(self._guarded(row))
            else:
                self.handle.write(line + "\r\n")

    def _guarded(self, row: tuple) -> list:
        """Text that Excel would run as a formula when the file is opened (=, +, -, @, a
        tab or a line break first) is written after an apostrophe, so it stays text."""
        return [f"'{v}" if text and v[:1] in RISKY else v
                for v, text in zip(row, self.texts, strict=True)]

    def close(self) -> None:
        self.handle.close()


class ParquetFile(TableFile):
    def __init__(self, table: Table, folder: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(table, folder, PARQUET)
        self.pa = pa
        self.schema = parquet_schema(table)
        self.writer = pq.ParquetWriter(self.path, self.schema)
        self.pending: list[list[str]] = [[] for _ in table.columns]

    def add(self, columns: list[list[str]]) -> None:
        for pending, values in zip(self.pending, columns, strict=True):
            pending.extend(values)
        self.rows += len(columns[0])
        if len(self.pending[0]) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.pending[0]:
            return
        arrays = [self._array(values, field.type)
                  for values, field in zip(self.pending, self.schema, strict=True)]
        self.pending = [[] for _ in self.schema]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def _array(self, values: list[str], kind):
        """A column of the table's type from its values' text forms ("" is null)."""
        pa = self.pa
        if kind == pa.bool_():
            return pa.array([None if v == "" else v == "True" for v in values], kind)
        column = pa.array([v or None for v in values], pa.string())
        if kind == pa.date32():  # ISO text to a date by way of a time (older pyarrow)
            return column.cast(pa.timestamp("s")).cast(kind)
        return column if kind == pa.string() else column.cast(kind)

    def close(self) -> None:
        self._flush()
        self.writer.close()


def parquet_schema(table: Table):
    """The table's columns with their declared types, as Arrow types."""
    import pyarrow as pa

    kinds = {DATE: pa.date32(), INTEGER: pa.int64(), NUMBER: pa.float64(), BOOLEAN: pa.bool_()}
    return pa.schema([pa.field(c.name, kinds.get(c.type, pa.string())) for c in table.columns])


def open_files(tables: Iterable[Table], folder: Path, output_format: str) -> dict[str, TableFile]:
    kind = CsvFile if output_format == CSV else ParquetFile
    return {table.name: kind(table, folder) for table in tables}


def join_files(table: Table, parts: list[Path], whole: Path, output_format: str) -> None:
    """One table's file from the part files several readers wrote, in order (each part a
    whole file of its own: header and all). The parts are gone afterwards."""
    if output_format == CSV:
        os.replace(parts[0], whole)  # the first part becomes the file: nothing copied
        with whole.open("ab") as out:
            for part in parts[1:]:
                with part.open("rb") as source:
                    _copy_rest(source, out, len(source.readline()))  # not its header
                part.unlink()
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = parquet_schema(table)
    with pq.ParquetWriter(whole, schema) as writer:
        for part in parts:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=BATCH):
                writer.write_table(pa.Table.from_batches([batch], schema=schema))
            part.unlink()


def _copy_rest(source, out, start: int) -> None:
    """The bytes of `source` from `start` on, to the end of `out` (in the kernel where it
    can: a part of a large history is hundreds of megabytes)."""
    out.flush()
    size = os.fstat(source.fileno()).st_size
    offset = start
    try:
        while offset < size:
            sent = os.sendfile(out.fileno(), source.fileno(), offset, size - offset)
            if not sent:
                break
            offset += sent
    except (AttributeError, OSError):  # no sendfile here: copy through Python
        source.seek(offset)
        shutil.copyfileobj(source, out, 1 << 20)

"""Writing the history tables: one file per table, CSV or Parquet, a batch of rows at a time.

Rows arrive as tuples in the order of the table's declared columns (:mod:`.tables`), with
dates as ISO text (`2026-11-30`), numbers as numbers, true/false as booleans and blanks as
None. Nothing is held beyond one batch, so memory does not grow with the number of packs.

CSV is UTF-8 with a byte-order mark (Excel needs it to show accented names right when a
file is opened with a double click; pandas, DuckDB and Power BI skip it), one header row,
dates as YYYY-MM-DD, True and False, decimal points, blanks for unknown. Parquet needs the
optional pyarrow package (``pip install 'pmo-xl[parquet]'``) and carries the declared
types.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.portfolio.tables import BOOLEAN, DATE, INTEGER, NUMBER, Table

CSV, PARQUET = "csv", "parquet"
FORMATS = (CSV, PARQUET)
CSV_ENCODING = "utf-8-sig"
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


class TableFile:
    """One table's file, open for rows."""

    def __init__(self, table: Table, folder: Path, output_format: str) -> None:
        self.table = table
        self.path = folder / file_name(table, output_format)
        self.rows = 0

    def add(self, rows: list[tuple]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class CsvFile(TableFile):
    def __init__(self, table: Table, folder: Path) -> None:
        super().__init__(table, folder, CSV)
        self.handle = self.path.open("w", encoding=CSV_ENCODING, newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerow(table.headers)

    def add(self, rows: list[tuple]) -> None:
        # Booleans go out as True and False, which DuckDB, pandas and Power BI all read as
        # booleans; floats as Python writes them (shortest exact form, decimal point).
        self.writer.writerows(rows)
        self.rows += len(rows)

    def close(self) -> None:
        self.handle.close()


class ParquetFile(TableFile):
    def __init__(self, table: Table, folder: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        super().__init__(table, folder, PARQUET)
        self.pa = pa
        kinds = {DATE: pa.date32(), INTEGER: pa.int64(), NUMBER: pa.float64(),
                 BOOLEAN: pa.bool_()}
        self.schema = pa.schema([pa.field(c.name, kinds.get(c.type, pa.string()))
                                 for c in table.columns])
        self.writer = pq.ParquetWriter(self.path, self.schema)
        self.pending: list[tuple] = []

    def add(self, rows: list[tuple]) -> None:
        self.pending.extend(rows)
        self.rows += len(rows)
        if len(self.pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if not self.pending:
            return
        columns = list(zip(*self.pending, strict=True))
        self.pending = []
        arrays = [self._array(values, field.type)
                  for values, field in zip(columns, self.schema, strict=True)]
        self.writer.write_table(self.pa.Table.from_arrays(arrays, schema=self.schema))

    def _array(self, values: tuple, kind):
        pa = self.pa
        if kind == pa.date32():
            return pa.array(values, pa.string()).cast(pa.date32())
        try:
            return pa.array(values, kind)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            if kind != pa.string():
                raise
            # A name typed as a number in the master is still text in a text column.
            return pa.array([None if v is None else str(v) for v in values], kind)

    def close(self) -> None:
        self._flush()
        self.writer.close()


def open_files(tables: Iterable[Table], folder: Path, output_format: str) -> dict[str, TableFile]:
    kind = CsvFile if output_format == CSV else ParquetFile
    return {table.name: kind(table, folder) for table in tables}

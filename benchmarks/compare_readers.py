"""Time reading one large sheet with python-calamine and with openpyxl (read-only mode).

Usage: python benchmarks/compare_readers.py [ROWS]   (default 200,000 rows x 6 columns)
The README quotes its output; pmo-xl reads with the faster of the two.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import python_calamine
import xlsxwriter


def write_sheet(path: Path, rows: int) -> None:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("KPI Actuals")
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    for c, h in enumerate(["KPI ID", "Period", "Actual", "Commentary", "Reported By",
                           "Reported On"]):
        sheet.write_string(0, c, h)
    for r in range(1, rows + 1):
        sheet.write_string(r, 0, f"KPI-{r % 15000:05d}")
        sheet.write_datetime(r, 1, dt.datetime(2025, 1 + r % 12, 1), date)
        sheet.write_number(r, 2, (r * 7) % 100)
        sheet.write_string(r, 3, "On track; minor slippage in two projects")
        sheet.write_string(r, 4, f"P-{r % 300:03d}")
        sheet.write_datetime(r, 5, dt.datetime(2025, 1 + r % 12, 5), date)
    book.close()


def best_of(runs: int, work) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.xlsx"
        write_sheet(path, rows)

        def with_calamine() -> None:
            book = python_calamine.CalamineWorkbook.from_path(str(path))
            book.get_sheet_by_name("KPI Actuals").to_python(skip_empty_area=False)

        def with_openpyxl() -> None:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            list(book["KPI Actuals"].iter_rows(values_only=True))
            book.close()

        fast = best_of(3, with_calamine)
        slow = best_of(1, with_openpyxl)
        print(f"{rows:,} rows x 6 columns ({path.stat().st_size / 1e6:.1f} MB)")
        print(f"python-calamine: {fast:6.2f} s")
        print(f"openpyxl (read-only): {slow:6.2f} s  ({slow / fast:.1f}x slower)")


if __name__ == "__main__":
    main()

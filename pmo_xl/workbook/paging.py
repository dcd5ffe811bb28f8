"""Printing a report sheet that holds charts: a scale that fits its width, and page breaks
that never cut a chart in two.

"Fit to one page wide" leaves the scale to the application: Excel and LibreOffice arrive at
different scales (their column widths differ by a few per cent, and more when Calibri is
missing), so the rows on a page, and so where a page ends, differ too, and a chart can land
across a break. Excel also ignores manual page breaks under "fit to". So a sheet with charts
gets a fixed scale, worked out here from its widths with room to spare in either
application, and a manual break before every chart that would not fit on what is left of a
page. Both applications honour those; the pages are the same in both.

The geometry is A4 landscape with the margins :func:`styles.print_setup` sets. Heights,
widths and chart sizes come from xlsxwriter's own record of them (`_size_row`, `_size_col`,
`charts`: what it anchors charts with), so the plan matches what the file says.

The same measures tell the template and the annotated copy (sheets without charts) how many
pages across a wide sheet needs and whether a narrow one fits upright.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from xlsxwriter.worksheet import Worksheet

# A4 landscape, in points, less the margins print_setup sets (0.5 inch left and right,
# 0.6 inch top and bottom; the header and footer sit inside those margins).
BODY_WIDTH_PT = 841.9 - 2 * 36
BODY_HEIGHT_PT = 595.3 - 2 * 43.2
PORTRAIT_BODY_WIDTH_PT = 595.3 - 2 * 36
# A pixel of column or chart width is 0.75 point in Excel and up to 0.8 in LibreOffice,
# whose columns come out wider (it measures them in Carlito's digits, not whole pixels).
COLUMN_PT_PER_PIXEL = 0.8
ROW_PT_PER_PIXEL = 0.75  # row heights are exact points in both
# Room to spare on every page: rounding in either application never pushes the last row
# (or the bottom edge of a chart) onto a page of its own.
SPARE = 0.98
MIN_TEXT_SCALE = 0.6  # a sheet split across pages rather than printed smaller than this


@dataclass(frozen=True)
class Pages:
    """How a sheet prints: its scale (per cent) and the rows that start a new page."""

    scale: int
    breaks: list[int]

    @property
    def count(self) -> int:
        return len(self.breaks) + 1


def paginate(sheet: Worksheet, *, repeat_row: int | None = None,
             keep: Sequence[tuple[int, int]] = ()) -> Pages:
    """Fix the sheet's print scale to fit its width and break pages between charts.

    Call it once the sheet is complete (every row height, column width and chart set).
    `repeat_row` is the row print_setup repeats at the top of each page, if any (it takes
    room on every page after the one it first appears on); `keep` lists more (first, last)
    row spans to keep on one page, such as a small table.
    """
    charts = _chart_boxes(sheet)
    width_px = max([_columns_px(sheet, _last_col(sheet))] + [right for _, _, right in charts])
    scale = max(10, min(100, int(100 * BODY_WIDTH_PT * SPARE / (width_px * COLUMN_PT_PER_PIXEL))))
    spans = _merged([(first, last) for first, last, _ in charts] + list(keep))
    last = max([_last_row(sheet)] + [end for _, end in spans])
    breaks = _breaks(sheet, scale / 100, last, spans, repeat_row)
    sheet.set_print_scale(scale)
    sheet.set_h_pagebreaks(breaks)
    return Pages(scale, breaks)


def _breaks(sheet: Worksheet, scale: float, last: int, spans: list[tuple[int, int]],
            repeat_row: int | None) -> list[int]:
    """Rows that start a new page: a page takes rows (a chart's rows as one block) while
    they fit; a block that does not fit starts the next page."""
    room = BODY_HEIGHT_PT * SPARE
    block_end = dict(spans)
    repeat_pt = _row_pt(sheet, repeat_row) * scale if repeat_row is not None else 0.0
    breaks: list[int] = []
    used, row = 0.0, 0
    while row <= last:
        end = block_end.get(row, row)
        height = sum(_row_pt(sheet, r) for r in range(row, end + 1)) * scale
        if used and used + height > room:
            breaks.append(row)
            used = repeat_pt if repeat_row is not None and repeat_row < row else 0.0
        used += height
        row = end + 1
    return breaks


def fits_portrait(widths: Iterable[float]) -> bool:
    """Whether columns this wide (in characters) fit across a portrait A4 page at full size:
    a narrow, long sheet (KPI Actuals) then prints on fewer pages upright than sideways."""
    points = sum(int(width * 7 + 0.5) + 5 for width in widths) * COLUMN_PT_PER_PIXEL
    return points <= PORTRAIT_BODY_WIDTH_PT * SPARE


def pages_wide(widths: Iterable[float]) -> int:
    """Pages across that a sheet with columns this wide (in characters) needs to print its
    text at MIN_TEXT_SCALE of its size or larger: one for most sheets, more for a sheet of
    forty columns, which on one page would shrink to a fifth and could not be read."""
    points = sum(int(width * 7 + 0.5) + 5 for width in widths) * COLUMN_PT_PER_PIXEL
    return max(1, math.ceil(points * MIN_TEXT_SCALE / (BODY_WIDTH_PT * SPARE)))


def span_width(sheet: Worksheet, first_col: int, last_col: int) -> float:
    """Width, in characters, of columns `first_col`..`last_col` together (a merged cell)."""
    pixels = sum(sheet._size_col(col) for col in range(first_col, last_col + 1))
    return max(pixels - 5, 0) / 7


def _row_pt(sheet: Worksheet, row: int) -> float:
    return sheet._size_row(row) * ROW_PT_PER_PIXEL


def _columns_px(sheet: Worksheet, last_col: int) -> int:
    return sum(sheet._size_col(col) for col in range(last_col + 1))


def _last_col(sheet: Worksheet) -> int:
    return sheet.dim_colmax if sheet.dim_colmax is not None else 0


def _last_row(sheet: Worksheet) -> int:
    return sheet.dim_rowmax if sheet.dim_rowmax is not None else 0


def _chart_boxes(sheet: Worksheet) -> list[tuple[int, int, int]]:
    """(first row, last row, right edge in pixels) of each chart on the sheet, as
    xlsxwriter will anchor it from its row, column, offsets, size and scale."""
    boxes = []
    for row, col, chart, x_offset, y_offset, x_scale, y_scale, *_ in sheet.charts:
        height = chart.height * y_scale + y_offset
        last = row
        while height > sheet._size_row(last):
            height -= sheet._size_row(last)
            last += 1
        right = _columns_px(sheet, col - 1) + x_offset + chart.width * x_scale
        boxes.append((row, last, int(right + 0.5)))
    return boxes


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping row spans (charts side by side) as one span each."""
    merged: list[tuple[int, int]] = []
    for first, last in sorted(spans):
        if merged and first <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged

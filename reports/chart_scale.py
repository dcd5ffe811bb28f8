"""Value axes that scale with the data: a count chart of 3 services and one of 1,000 both
print a handful of gridlines, and the tallest bar's label stays clear of the title."""

from __future__ import annotations

# About this many gridlines (major units) up the value axis, whatever the largest count.
GRIDLINES = 5
HEADROOM = 1.15


def major_unit(largest: float, gridlines: int = GRIDLINES) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50, ... that splits 0..`largest` into at most
    `gridlines` steps (1 for a chart of small counts)."""
    unit, step = 1, 0
    while unit * gridlines < largest:
        unit *= (2, 2.5, 2)[step % 3]  # 1, 2, 5, 10, 20, 50, ...
        step += 1
    return int(unit)


def count_axis(largest: float, gridlines: int = GRIDLINES) -> dict:
    """xlsxwriter axis options for a count axis from 0: a unit from the data and room above
    the largest value for its data label (a label at the very top overprints the title)."""
    unit = major_unit(largest, gridlines)
    # A seventh of the axis or more above the largest bar: its label's height at any size.
    room = largest * HEADROOM
    top = max(unit, -(-room // unit) * unit)
    if top <= largest:
        top += unit
    return {"min": 0, "max": int(top), "major_unit": unit, "num_format": "#,##0"}

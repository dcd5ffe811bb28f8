"""Value axes that scale with the data: a count chart of 3 services and one of 1,000 both
print a handful of gridlines, and the tallest bar's label stays clear of the title."""

from __future__ import annotations

import math

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


def nice_step(span: float, steps: int = GRIDLINES) -> float:
    """The smallest of ..., 0.1, 0.2, 0.5, 1, 2, 5, 10, ... that splits `span` into at most
    `steps` steps."""
    if span <= 0:
        return 1.0
    step = 10.0 ** math.floor(math.log10(span / steps))
    for factor in (1, 2, 5, 10):
        if span / (step * factor) <= steps:
            return step * factor
    return step * 10


def trend_axis(values: list[float]) -> dict:
    """xlsxwriter axis options for a KPI's trend: from a little under its lowest value (its
    actuals, target and baseline) to a little over its highest, not from 0, so a KPI that
    moves between 88 and 97 fills the chart instead of a thin band at its top; 0 stays the
    floor of a KPI that never goes below it."""
    if not values:
        return {}
    low, high = min(values), max(values)
    step = nice_step((high - low) or abs(high) or 1.0, 4)
    bottom = math.floor(low / step) * step
    if bottom == low:
        bottom -= step  # the lowest point never sits on the axis line
    if low >= 0 > bottom:
        bottom = 0.0
    top = math.ceil(high / step) * step
    if top == high:
        top += step
    return {"min": round(bottom, 10), "max": round(top, 10), "major_unit": step}

"""The Settings sheet: Organisation, Reporting Period, Mandated Share Target and friends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from pmo_xl.period import usable
from pmo_xl.validators.schema import normalise_header

if TYPE_CHECKING:
    from pmo_xl.workbook.master import Master, SheetTable


T = TypeVar("T")

# A share of effort on mandated services (50%) is given only as an example: no target is
# assumed, so the mandated share (G103) is judged only when Settings sets one.
DEFAULT_REVIEW_INTERVAL_MONTHS = 12  # rules.md V: review each service at least yearly
DEFAULT_CHRONIC_RED_PERIODS = 3  # rules.md V: Red three reporting periods in a row
# How far a PMO's Capacity FTE may stray from its people's FTE before G109 asks (a share of
# the Capacity FTE): part-time rounding and a vacancy being filled, not a different PMO.
DEFAULT_CAPACITY_TOLERANCE = 0.10


@dataclass(frozen=True)
class Settings:
    organisation: str = "Your organisation"
    reporting_period: dt.date | None = None  # overrides the period derived from --as-of
    mandated_share_target: float | None = None  # None: not set (or unreadable)
    review_interval_months: int = DEFAULT_REVIEW_INTERVAL_MONTHS
    chronic_red_periods: int = DEFAULT_CHRONIC_RED_PERIODS
    capacity_tolerance: float = DEFAULT_CAPACITY_TOLERANCE
    values: dict[str, object] = field(default_factory=dict)  # every row, by normalised name
    rows: dict[str, int] = field(default_factory=dict)  # normalised name -> Excel row


def read_settings(master: Master) -> Settings:
    table: SheetTable = master["Settings"]
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    if table.present and table.has("Setting"):
        for row, record in table.rows():
            name = record.get("Setting")
            if name is None:
                continue
            key = normalise_header(name)
            values[key] = record.get("Value")
            rows[key] = int(row)
    organisation = values.get("organisation")
    period = values.get("reporting period")
    return Settings(
        organisation=str(organisation).strip() if organisation else Settings.organisation,
        reporting_period=_as_date(period),
        mandated_share_target=read_share(values.get("mandated share target")),
        review_interval_months=_or(read_count(values.get("review interval months")),
                                   DEFAULT_REVIEW_INTERVAL_MONTHS),
        chronic_red_periods=_or(read_count(values.get("chronic red periods")),
                                DEFAULT_CHRONIC_RED_PERIODS),
        capacity_tolerance=_or(read_share(values.get("capacity tolerance")),
                               DEFAULT_CAPACITY_TOLERANCE),
        values=values,
        rows=rows,
    )


def _as_date(value: object) -> dt.date | None:
    """A real date or ISO text, inside the range pmo-xl can work from (a Reporting Period of
    0001-01-01 or 9999-12-31 would take the KPI trends and checks past the calendar's end)."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    else:
        return None
    return day if usable(day) else None


def _or(value: T | None, default: T) -> T:
    return default if value is None else value


# Longest review interval (months) and run of Red (periods) read: ten years of months. More
# is a slip, and would reach back before any date a master holds.
MAX_COUNT = 120


def read_count(value: object) -> int | None:
    """A whole number from 1 to MAX_COUNT (`12`, 12.0, " 3 "); None for anything else."""
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 1 or value > MAX_COUNT or not float(value).is_integer():
        return None
    return int(value)


def read_share(value: object) -> float | None:
    """50%, 0.5, "50%" and "50" all mean one half; None for a blank or unreadable value."""
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        try:
            number = float(text)
        except ValueError:
            return None
        share = number / 100 if number > 1 or value.strip().endswith("%") else number
    elif isinstance(value, int | float) and not isinstance(value, bool):
        share = float(value) / 100 if value > 1 else float(value)
    else:
        return None
    return share if 0 <= share <= 1 else None


def read_date(value: object) -> dt.date | None:
    """A setting's date: a real date, or ISO text, from 1910 to 9998; None for anything else."""
    return _as_date(value)

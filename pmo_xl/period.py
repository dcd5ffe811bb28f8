"""Time as an input: the as-of date and the reporting period it implies."""

from __future__ import annotations

import calendar
import datetime as dt

# The dates pmo-xl can work from: Excel's calendar runs from 1900 to 9999, a KPI trend looks
# back 12 quarters and a check looks one period ahead, so an as-of date or a reporting period
# outside this range would produce dates no workbook (or Python) can hold.
FIRST_DAY = dt.date(1910, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def usable(day: dt.date) -> bool:
    """True for a date inside the range pmo-xl can work from (see FIRST_DAY, LAST_DAY)."""
    if isinstance(day, dt.datetime):
        day = day.date()
    return FIRST_DAY <= day <= LAST_DAY


def out_of_range(day: dt.date) -> str:
    """The sentence for an as-of date outside the usable range."""
    return (f"{day.isoformat()} is outside the dates pmo-xl can work from "
            f"({FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}).")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def previous_month(day: dt.date) -> dt.date:
    """First day of the last complete month before `day` (2026-11-23 -> 2026-10-01)."""
    first = month_start(day)
    return (first - dt.timedelta(days=1)).replace(day=1)


def previous_quarter(day: dt.date) -> dt.date:
    """First day of the last complete quarter before `day` (2026-11-23 -> 2026-07-01)."""
    first = quarter_start(day)
    return quarter_start(first - dt.timedelta(days=1))


def reporting_period(frequency: str | None, as_of: dt.date) -> dt.date:
    """The period a KPI of this frequency should have reported by `as_of`."""
    if frequency == "Quarterly":
        return previous_quarter(as_of)
    return previous_month(as_of)


def period_start(frequency: str | None, day: dt.date) -> dt.date:
    """The first day of the month or quarter that contains `day`."""
    return quarter_start(day) if frequency == "Quarterly" else month_start(day)


def step_back(frequency: str | None, period: dt.date, count: int = 1) -> dt.date:
    """The period `count` months or quarters before `period`."""
    months = 3 * count if frequency == "Quarterly" else count
    index = period.year * 12 + period.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by whole months, kept inside the month (2026-01-31 + 1 -> 2026-02-28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return dt.date.max if months > 0 else dt.date.min
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_label(frequency: str | None, period: dt.date) -> str:
    """`Oct 2026` for a month, `2026 Q3` for a quarter."""
    if frequency == "Quarterly":
        return f"{period.year} Q{(period.month - 1) // 3 + 1}"
    return period.strftime("%b %Y")


def parse_date(text: str) -> dt.date:
    """An ISO date (2026-11-30) as typed on the command line."""
    return dt.date.fromisoformat(text.strip())

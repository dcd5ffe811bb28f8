"""The Settings sheet, each value parsed once, by one function, the same for every command.

What settings there are, their kinds, defaults and guidance are declared in the schema
(``SETTINGS_DECLARED``); here is how a value of each kind is read. A value that is blank
takes the default without a word; one that cannot be read takes the default and is G108's
finding (which asks :func:`parse` too, so a value the checks accept is a value every command
uses, and one they reject is ignored everywhere).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmo_xl.period import usable
from pmo_xl.validators.schema import (
    COUNT,
    DATE,
    SETTINGS_DECLARED,
    SHARE,
    TEXT,
    SettingInfo,
    normalise_header,
)
from pmo_xl.validators.schema import Settings as SettingsSheet

if TYPE_CHECKING:
    from pmo_xl.workbook.master import Master

_DEFAULTS = {info.field: info.default for info in SETTINGS_DECLARED}


@dataclass(frozen=True)
class Settings:
    """The settings of one master, read; each attribute is a declared setting's ``field``."""

    organisation: str = _DEFAULTS["organisation"]
    reporting_period: dt.date | None = None  # overrides the period derived from --as-of
    mandated_share_target: float | None = None  # None: not set (or unreadable)
    review_interval_months: int = _DEFAULTS["review_interval_months"]
    chronic_red_periods: int = _DEFAULTS["chronic_red_periods"]
    rollup_max_age_days: int = _DEFAULTS["rollup_max_age_days"]
    capacity_tolerance: float = _DEFAULTS["capacity_tolerance"]
    values: dict[str, object] = field(default_factory=dict)  # every row, by normalised name
    rows: dict[str, int] = field(default_factory=dict)  # normalised name -> Excel row


def read_settings(master: Master) -> Settings:
    """Every declared setting of `master`, parsed (its default where blank or unreadable)."""
    table = master[SettingsSheet]
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    if table.present and table.has(SettingsSheet.setting):
        for row, record in table.rows():
            name = record.get(SettingsSheet.setting)
            if name is None:
                continue
            key = normalise_header(name)
            values[key] = record.get(SettingsSheet.value)
            rows[key] = int(row)
    chosen = {}
    for info in SETTINGS_DECLARED:
        parsed = parse(info, values.get(normalise_header(info.name)))
        chosen[info.field] = info.default if parsed is None else parsed
    return Settings(**chosen, values=values, rows=rows)


def parse(info: SettingInfo, value: object) -> object | None:
    """A setting's value as pmo-xl uses it; None when blank or unreadable (see
    :func:`unreadable`)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _READERS[info.kind](value)


def unreadable(info: SettingInfo, value: object) -> bool:
    """True for a value that is filled in but cannot be read: G108's finding."""
    return parse(info, value) is None and not (
        value is None or (isinstance(value, str) and not value.strip()))


def read_text(value: object) -> str | None:
    text = str(value).strip()
    return text or None


def read_date(value: object) -> dt.date | None:
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


# Longest review interval (months) and run of Red (periods) read: ten years of months. More
# is a slip, and would reach back before any date a master holds.
MAX_COUNT = 120


def read_count(value: object) -> int | None:
    """A whole number from 1 to MAX_COUNT (`12`, 12.0, " 3 ", "6.0"); None for anything else
    ("²", "0", "121", "half")."""
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


_READERS: dict[str, Callable[[object], object | None]] = {
    TEXT: read_text, DATE: read_date, SHARE: read_share, COUNT: read_count,
}

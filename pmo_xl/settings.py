"""The Settings sheet: Organisation, Reporting Period, Mandated Share Target and friends."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pmo_xl.period import usable
from pmo_xl.validators.schema import normalise_header

if TYPE_CHECKING:
    from pmo_xl.master import Master, SheetTable

DEFAULT_MANDATED_SHARE = 0.5  # the talk notes' example: mandated work is about half


@dataclass(frozen=True)
class Settings:
    organisation: str = "Your organisation"
    reporting_period: dt.date | None = None  # overrides the period derived from --as-of
    mandated_share_target: float = DEFAULT_MANDATED_SHARE
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
        mandated_share_target=_as_share(values.get("mandated share target")),
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


def _as_share(value: object) -> float:
    share = read_share(value)
    return DEFAULT_MANDATED_SHARE if share is None else share


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

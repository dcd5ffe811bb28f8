"""The ground every domain of the facts stands on: the master, the as-of date, the
settings and the reporting periods; and the small definitions the domains share."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from pmo_xl.period import reporting_period, step_back
from pmo_xl.validators.schema import (
    LIFECYCLE,
    SET_UP_DATE_STAGE,
    Frequency,
)
from pmo_xl.workbook.settings import Settings as SettingValues
from pmo_xl.workbook.settings import read_settings

if TYPE_CHECKING:
    from pmo_xl.workbook.master import Master


RANK = {stage: index for index, stage in enumerate(LIFECYCLE)}


def reached(stage: object, floor: str) -> bool:
    """True if `stage` is `floor` or later in the lifecycle (Rejected never is)."""
    return stage in RANK and RANK[stage] >= RANK[floor]


def is_plan(stage: object, header: str) -> bool:
    """True when `header` is a set-up date of a stage a service at `stage` has not reached
    yet: a plan, which may lie in the future (rules.md V). A Rejected service or a stage
    that cannot be read has no plans."""
    marks = SET_UP_DATE_STAGE.get(header)
    return marks is not None and stage in RANK and not reached(stage, marks)


def matched(text: str) -> str:
    """An input or output as SIPOC items are matched: trimmed, spaces folded, any case."""
    return " ".join(text.split()).casefold()


class FactsBase:
    """The derived facts of one master as of one date. Build one per run; never change it."""

    def __init__(self, master: Master, as_of: dt.date,
                 settings: SettingValues | None = None) -> None:
        self.master = master
        self.as_of = as_of
        self.settings = settings if settings is not None else read_settings(master)

    def period_for(self, frequency: str | None) -> dt.date:
        """The reporting period a KPI of this frequency should have an actual for: the last
        complete month or quarter before the as-of date (Settings' Reporting Period overrides
        the month)."""
        if self.settings.reporting_period is not None and frequency != Frequency.QUARTERLY:
            return self.settings.reporting_period.replace(day=1)
        return reporting_period(frequency, self.as_of)

    def trend_periods(self, frequency: str | None, count: int = 12) -> list[dt.date]:
        """The last `count` periods up to the reporting period, oldest first."""
        latest = self.period_for(frequency)
        return [step_back(frequency, latest, count - 1 - i) for i in range(count)]

    @property
    def reporting_month(self) -> dt.date:
        return self.period_for(Frequency.MONTHLY)

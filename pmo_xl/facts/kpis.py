"""KPIs and their actuals: which actual counts for a KPI and period, each KPI's RAG in its
reporting period, its history and its runs of Red, and which KPIs are retired.

A KPI is retired, never deleted (KPIs Status Retired, with its Retired Date): it stays in
the trends with its history, but from its Retired Date it is no longer due, no longer
counts in its service's colour, no longer runs Red, and leaves the published catalogue.
One definition decides it: :meth:`KpiFacts.in_force`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from pmo_xl import rag
from pmo_xl.facts.catalogue import CatalogueFacts
from pmo_xl.facts.people import PeopleFacts
from pmo_xl.period import period_label, period_start, step_back
from pmo_xl.validators.schema import (
    Frequency,
    KPIActuals,
    KPIs,
    KpiState,
    Services,
    Stage,
)

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class KpiStatus:
    """One KPI in its reporting period: the actual that counts, and its RAG."""

    kpi_id: str
    row: int  # the KPI's Excel row in KPIs
    service_id: str | None
    pmo_id: str | None  # a KPI of a PMO's own performance names the PMO instead of a service
    name: str | None
    unit: str | None
    direction: str | None
    frequency: str | None
    target: float | None
    amber_threshold: float | None
    red_threshold: float | None
    baseline: float | None
    owner: str | None
    period: dt.date
    actual: float | None
    actual_row: int | None  # the Excel row in KPI Actuals of the actual that counts
    commentary: str | None
    rag: str
    due: bool  # a Running service's KPI that should have reported this period (K103)
    current: bool = True  # in force for its reporting period (not retired before it ended)
    in_force: bool = True  # not retired on the as-of date (the published catalogue shows it)
    retired_date: dt.date | None = None  # its Retired Date, for a Retired KPI
    evidences: str | None = None  # Outcome, Output, Adoption or Efficiency (KPIs' Evidences)

    @property
    def period_label(self) -> str:
        return period_label(self.frequency, self.period)

    @property
    def measured(self) -> str | None:
        """What the KPI measures: its service, or else its PMO (an ID either way)."""
        if self.service_id is not None:
            return str(self.service_id)
        return None if self.pmo_id is None else str(self.pmo_id)

    @property
    def variance(self) -> float | None:
        return rag.variance(self.actual, self.target)

    @property
    def missing(self) -> bool:
        return self.actual is None

    @property
    def unreported(self) -> bool:
        """Due for its reporting period and no actual counts for it (K103; the KPI Owner's
        action)."""
        return self.due and self.actual_row is None


@dataclass(frozen=True)
class RedRun:
    """A KPI's latest run of Red reporting periods in a row, up to its latest actual."""

    length: int
    first: dt.date  # the first period of the run
    last: dt.date  # the period of the latest actual
    row: int  # the Excel row in KPI Actuals of the latest actual


class KpiFacts(CatalogueFacts, PeopleFacts):
    """The KPIs and KPI Actuals sheets, read once: statuses, histories, chronic Reds."""

    @cached_property
    def kpi_rows(self) -> list[tuple[int, dict]]:
        return [(row, r) for row, r in self.master[KPIs].rows() if r[KPIs.kpi_id] is not None]

    @cached_property
    def frequency_of(self) -> dict[str, str | None]:
        """KPI ID -> Frequency (the first row of a duplicated KPI ID)."""
        found: dict[str, str | None] = {}
        for _row, r in self.kpi_rows:
            found.setdefault(str(r[KPIs.kpi_id]), r[KPIs.frequency])
        return found

    @cached_property
    def service_of_kpi(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for _row, r in self.kpi_rows:
            if r[KPIs.service_id] is not None:
                found.setdefault(str(r[KPIs.kpi_id]), str(r[KPIs.service_id]))
        return found

    @cached_property
    def dated_actuals(self) -> pd.DataFrame:
        """The actuals with a KPI ID and a Period date (index = Excel row), with the period
        each counts for: the month (Monthly KPI) or quarter (Quarterly) containing its
        Period, so an actual dated inside its period still counts (K106 reports its date).

        200,000 actuals have a few dozen different Periods: each (frequency, day) is worked
        out once and the rows matched in C.
        """
        data = self.master[KPIActuals].data
        frame = data[[KPIActuals.kpi_id, KPIActuals.period]]
        frame = frame[frame[KPIActuals.kpi_id].notna() & frame[KPIActuals.period].notna()]
        quarterly = {k for k, f in self.frequency_of.items() if f == Frequency.QUARTERLY}
        is_quarterly = frame[KPIActuals.kpi_id].isin(list(quarterly))
        days = set(frame[KPIActuals.period].tolist())
        months = {day: period_start(Frequency.MONTHLY, day) for day in days}
        starts = frame[KPIActuals.period].map(months)
        if is_quarterly.any():
            quarters = {day: period_start(Frequency.QUARTERLY, day) for day in days}
            starts = starts.where(~is_quarterly, frame[KPIActuals.period].map(quarters))
        frame = frame.assign(counts_for=starts)
        return frame

    @cached_property
    def standing_actuals(self) -> dict[str, dict[dt.date, int]]:
        """KPI ID -> period -> the Excel row of the actual that counts: the first row for
        that KPI and period. A later row for the same KPI and period is K105's finding and
        counts nowhere."""
        frame = self.dated_actuals
        first = frame[~frame.duplicated(subset=[KPIActuals.kpi_id, "counts_for"], keep="first")]
        found: dict[str, dict[dt.date, int]] = {}
        add = found.setdefault  # 200,000 actuals: one bound method, and IDs read as text
        for row, kpi, period in zip(first.index.tolist(), first[KPIActuals.kpi_id].tolist(),
                                    first["counts_for"].tolist(), strict=True):
            add(kpi, {})[period] = row
        return found

    @cached_property
    def repeated_actuals(self) -> list[tuple[int, str, dt.date, int]]:
        """(row, KPI, period, row of the actual that counts) of each later actual for a KPI
        and period that already has one."""
        frame = self.dated_actuals
        later = frame[frame.duplicated(subset=[KPIActuals.kpi_id, "counts_for"], keep="first")]
        standing = self.standing_actuals
        return [(row, str(kpi), period, standing[str(kpi)][period])
                for row, kpi, period in zip(later.index.tolist(),
                                            later[KPIActuals.kpi_id].tolist(),
                                            later["counts_for"].tolist(), strict=True)]

    def actual_at(self, row: int | None, header: str) -> object:
        """A typed value of the KPI Actuals row `row` (None for no row)."""
        if row is None:
            return None
        return self.master[KPIActuals].data.at[row, header]

    def actuals_of(self, kpi: str, periods: Iterable[dt.date]) -> list[float | None]:
        """The actuals that count for `kpi` in each of `periods` (None where none)."""
        rows = self.standing_actuals.get(kpi, {})
        column = self.master[KPIActuals].data[KPIActuals.actual]
        return [None if rows.get(p) is None else column.at[rows[p]] for p in periods]

    @cached_property
    def retired_kpis(self) -> dict[str, dt.date | None]:
        """KPI ID -> its Retired Date, for each KPI whose Status is Retired (None: retired
        with no date given, so never in force). A Retired Date on a KPI that is not Retired
        retires nothing (K108 names it)."""
        found: dict[str, dt.date | None] = {}
        for _row, r in self.kpi_rows:
            kpi = str(r[KPIs.kpi_id])
            if kpi not in found and r[KPIs.status] == KpiState.RETIRED:
                found[kpi] = r[KPIs.retired_date]
        return found

    def in_force(self, kpi_id: str, until: dt.date) -> bool:
        """True when the KPI is not retired before `until`, the first day after the time it
        is asked about: a KPI retired on a date is in force for each period that ended by
        that date (`until` = the day after the period), and on each day before it. A Retired
        KPI with no Retired Date is never in force. THE definition of a KPI that counts."""
        if kpi_id not in self.retired_kpis:
            return True
        day = self.retired_kpis[kpi_id]
        return day is not None and day >= until

    @cached_property
    def current_kpis(self) -> list[KpiStatus]:
        """The KPIs in force for their reporting period: what is due, what colours a service,
        what the reports show for the period (a retired KPI keeps only its trend)."""
        return [kpi for kpi in self.kpi_statuses if kpi.current]

    @cached_property
    def go_live_of_running(self) -> dict[str, dt.date | None]:
        """Running service -> its Go-live Date."""
        return {sid: r[Services.go_live_date] for sid, r in self.services.items()
                if r[Services.stage] == Stage.RUNNING}

    def kpi_due(self, kpi_service: object, frequency: str | None,
                kpi_pmo: object = None) -> bool:
        """A KPI is due for its reporting period when its service is Running and went live
        before that period ended (a service that went live during the period reports it).
        A KPI of a PMO (no service) is due whenever its PMO is in PMOs: a PMO is always
        running."""
        if kpi_service is None and kpi_pmo is not None:
            return frequency is not None and str(kpi_pmo) in self.pmos
        if kpi_service not in self.go_live_of_running or frequency is None:
            return False
        go_live = self.go_live_of_running[kpi_service]
        return go_live is None or go_live < self._period_ends[frequency]

    @cached_property
    def _period_ends(self) -> dict[str, dt.date]:
        """Frequency -> the first day after its reporting period."""
        return {frequency: step_back(frequency, self.period_for(frequency), -1)
                for frequency in Frequency}

    @cached_property
    def kpi_statuses(self) -> list[KpiStatus]:
        """Every KPI with the actual that counts and its RAG for its reporting period."""
        statuses = []
        periods: dict[object, dt.date] = {}  # frequency -> its reporting period, once each
        rows_of: list[int | None] = []
        for _row, kpi in self.kpi_rows:
            frequency = kpi[KPIs.frequency]
            if frequency not in periods:
                periods[frequency] = self.period_for(frequency)
            rows_of.append(self.standing_actuals.get(str(kpi[KPIs.kpi_id]), {})
                           .get(periods[frequency]))
        # The actuals that count, read in one go (a lookup per KPI costs more than the rest
        # of the KPI facts together on a large master).
        data = self.master[KPIActuals].data
        found = [r for r in rows_of if r is not None]
        values = dict(zip(found, data.loc[found, KPIActuals.actual].tolist(), strict=True))
        notes = dict(zip(found, data.loc[found, KPIActuals.commentary].tolist(), strict=True))
        tomorrow = self.as_of + dt.timedelta(days=1)
        retired = self.retired_kpis
        ends = {frequency: step_back(frequency, period, -1)  # the day after each period
                for frequency, period in periods.items()}
        for (row, kpi), actual_row in zip(self.kpi_rows, rows_of, strict=True):
            kpi_id = str(kpi[KPIs.kpi_id])
            frequency = kpi[KPIs.frequency]
            period = periods[frequency]
            actual = values.get(actual_row)
            # Most KPIs are not retired: asked only of those that are (15,000 KPIs).
            current = kpi_id not in retired or self.in_force(kpi_id, ends[frequency])
            in_force = kpi_id not in retired or self.in_force(kpi_id, tomorrow)
            statuses.append(KpiStatus(
                kpi_id=kpi_id, row=row, service_id=kpi[KPIs.service_id],
                pmo_id=kpi[KPIs.pmo_id],
                name=kpi[KPIs.kpi_name], unit=kpi[KPIs.unit], direction=kpi[KPIs.direction],
                frequency=frequency, target=kpi[KPIs.target],
                amber_threshold=kpi[KPIs.amber_threshold],
                red_threshold=kpi[KPIs.red_threshold], baseline=kpi[KPIs.baseline],
                owner=kpi[KPIs.owner], period=period, actual=actual, actual_row=actual_row,
                commentary=notes.get(actual_row),
                rag=rag.kpi_rag(actual, kpi[KPIs.target], kpi[KPIs.direction],
                                kpi[KPIs.amber_threshold], kpi[KPIs.red_threshold]),
                due=current and self.kpi_due(kpi[KPIs.service_id], frequency, kpi[KPIs.pmo_id]),
                current=current, in_force=in_force, retired_date=retired.get(kpi_id),
                evidences=kpi.get(KPIs.evidences),
            ))
        return statuses

    @cached_property
    def kpis_by_service(self) -> dict[object, list[KpiStatus]]:
        """Service ID -> its KPIs in force for their reporting period."""
        found: dict[object, list[KpiStatus]] = {}
        for kpi in self.current_kpis:
            found.setdefault(kpi.service_id, []).append(kpi)
        return found

    def measured_name(self, measured: object) -> str | None:
        """The name of what a KPI measures: a service's name, else a PMO's."""
        if measured is None:
            return None
        if str(measured) in self.services:
            return self.service_name(measured)
        return self.pmo_name(measured) if str(measured) in self.pmos else None

    @cached_property
    def _histories(self) -> dict[str, tuple[dict, list[dt.date], dict[dt.date, int]]]:
        """KPI ID -> (its KPIs record, its history's periods oldest first, period -> Excel
        row of the actual that counts). A repeated KPI ID is S107's finding; its first row
        counts."""
        count = max(12, self.settings.chronic_red_periods)
        periods: dict[object, list[dt.date]] = {}
        found: dict[str, tuple[dict, list[dt.date], dict[dt.date, int]]] = {}
        for _row, kpi in self.kpi_rows:
            kpi_id = str(kpi[KPIs.kpi_id])
            if kpi_id in found:
                continue
            frequency = kpi[KPIs.frequency]
            if frequency not in periods:
                periods[frequency] = self.trend_periods(frequency, count)
            found[kpi_id] = (kpi, periods[frequency], self.standing_actuals.get(kpi_id, {}))
        return found

    @cached_property
    def _actual_values(self) -> dict[int, object]:
        data = self.master[KPIActuals].data
        return dict(zip(data.index.tolist(), data[KPIActuals.actual].tolist(), strict=True))

    def _rag_of(self, kpi: dict, row: int | None) -> str:
        """The RAG of the actual on `row` (No data for none) against the KPI's thresholds."""
        value = None if row is None else self._actual_values[row]
        return rag.kpi_rag(value, kpi[KPIs.target], kpi[KPIs.direction],
                           kpi[KPIs.amber_threshold], kpi[KPIs.red_threshold])

    @cached_property
    def chronic_red(self) -> dict[str, RedRun]:
        """KPI ID -> its run of Red periods in a row up to its latest actual (within the
        history's periods), for each KPI whose run is at least Settings' Chronic Red Periods
        long; a period with no actual ends the run. V104, the status report's decisions and
        the email read it. It walks back from the latest actual, so a check reads only the
        periods a run needs."""
        needed = self.settings.chronic_red_periods
        found: dict[str, RedRun] = {}
        current = {kpi.kpi_id for kpi in self.current_kpis}
        for kpi_id, (kpi, periods, rows) in self._histories.items():
            if kpi_id not in current:
                continue  # retired: its Reds are history, nothing to decide
            latest = next((i for i in range(len(periods) - 1, -1, -1) if periods[i] in rows),
                          None)
            if latest is None:
                continue
            start = latest
            while (start >= 0 and periods[start] in rows
                   and self._rag_of(kpi, rows[periods[start]]) == rag.RED):
                start -= 1
            if latest - start >= needed:
                found[kpi_id] = RedRun(latest - start, periods[start + 1], periods[latest],
                                       rows[periods[latest]])
        return found


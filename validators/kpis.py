"""K — KPIs and their actuals: a running service is managed by monitoring its KPI reporting.

KPI Actuals can hold hundreds of thousands of rows: which actual counts for a KPI and
period, and whether a KPI is due, are worked out once per run by the Facts (whole columns,
never a lookup per row) and shared with every report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl import rag
from pmo_xl.findings import ERROR, INFO, WARNING, Problem
from pmo_xl.period import period_label, period_start
from pmo_xl.validators.common import problem_at
from pmo_xl.validators.registry import CONVENTION, RECOMMENDED, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    Direction,
    Frequency,
    KPIActuals,
    KPIs,
    KpiState,
    Services,
    Stage,
)

if TYPE_CHECKING:
    import pandas as pd

    from pmo_xl.facts import Facts

D = dt.date
A = KPIActuals


def _days_where(actuals: pd.DataFrame, test) -> pd.Series:
    """True on the actuals whose Period passes `test`. 200,000 actuals have a few dozen
    different Periods: each is tested once and the rows matched in C."""
    days = actuals[A.period]
    chosen = [day for day in set(days.tolist()) if test(day)]
    return days.isin(chosen)


@rule("K101", ERROR, "A Running service has no KPI",
      kind=REQUIRED,
      why="A running service is managed through the monitoring of its KPI reporting; without a "
          "KPI there is nothing to monitor.",
      fails=[Edit(KPIs, "KPI-01", {KPIs.service_id: "SVC-002"}),
             Edit(KPIs, "KPI-02", {KPIs.service_id: "SVC-002"})],
      cell="Services!A2",
      passes=[Edit(Services, "SVC-002", {Services.stage: Stage.TRANSITION})])
def running_without_kpi(facts: Facts) -> Iterator[Problem]:
    """A Running service is monitored through KPI reporting, so it has at least
    one KPI in the KPIs sheet that is in force (not retired before its reporting period
    ended).

    Passing: SVC-002 in Transition, the stage before Running, with no KPI yet. Failing: both
    KPIs are moved to SVC-002, leaving Running SVC-001 with none.
    """
    services = facts.master[Services]
    listed = set(facts.master[KPIs].data[KPIs.service_id].dropna())
    measured = {kpi.service_id for kpi in facts.current_kpis}
    stages = services.data[Services.stage]
    for row, service in services.data[Services.service_id][stages == Stage.RUNNING].items():
        if service is not None and service not in measured:
            lacks = "every KPI of it is retired" if service in listed else "has no KPI"
            yield services.problem(
                int(row), Services.service_id,
                f"{service} is Running but {lacks}.",
                f"Add at least one KPI for {service} to the KPIs sheet, with its target and "
                "frequency.")


@rule("K102", ERROR, "A KPI's thresholds disagree with its Direction",
      kind=REQUIRED,
      why="Thresholds that run against the KPI's Direction make its RAG meaningless.",
      fails=[Edit(KPIs, "KPI-01", {KPIs.amber_threshold: 95})], cell="KPIs!G2",
      passes=[Edit(KPIs, "KPI-01", {KPIs.amber_threshold: 94.9, KPIs.red_threshold: 94.8})])
def thresholds_out_of_order(facts: Facts) -> Iterator[Problem]:
    """The RAG thresholds run the way the KPI improves. For Higher is better: Red Threshold
    < Amber Threshold < Target; for Lower is better the other way round (Red > Amber >
    Target). A blank threshold is skipped; the first threshold out of order is named.

    Passing: KPI-01 (Higher is better) has Red 94.8 < Amber 94.9 < Target 95, each just
    below the next. Failing: its Amber Threshold is 95, equal to the target.
    """
    kpis = facts.master[KPIs]
    for row, record in facts.kpi_rows:
        direction, target = record[KPIs.direction], record[KPIs.target]
        if direction not in (Direction.HIGHER, Direction.LOWER) or target is None:
            continue
        higher = direction == Direction.HIGHER
        bound, bound_name = target, KPIs.target
        for header in (KPIs.amber_threshold, KPIs.red_threshold):
            value = record[header]
            if value is None:
                continue
            if not (bound > value if higher else bound < value):
                word = "below" if higher else "above"
                sign = "<" if higher else ">"
                yield problem_at(
                    kpis, row, header, record[KPIs.kpi_id],
                    f"KPI {record[KPIs.kpi_id]} ({direction}) has {header} {value:g}, "
                    f"not {word} its {bound_name} {bound:g}.",
                    f"For {direction}, keep Red {sign} Amber {sign} Target; correct the "
                    "thresholds or the Direction.")
                break
            bound, bound_name = value, header


@rule("K103", WARNING, "A KPI has no actual for the reporting period",
      kind=RECOMMENDED,
      why="A running service's KPIs are reported so governance can monitor it; a missing actual "
          "leaves the meeting without the figure.",
      fails=[Edit(KPIs, None, {KPIs.kpi_id: "KPI-03", KPIs.service_id: "SVC-001",
                               KPIs.kpi_name: "Board members reading the report",
                               KPIs.direction: Direction.HIGHER, KPIs.target: 8,
                               KPIs.frequency: Frequency.MONTHLY})],
      cell="KPIs!A4",
      passes=[Edit(KPIs, None, {KPIs.kpi_id: "KPI-03", KPIs.service_id: "SVC-001",
                                KPIs.kpi_name: "Board members reading the report",
                                KPIs.direction: Direction.HIGHER, KPIs.target: 8,
                                KPIs.frequency: Frequency.MONTHLY}),
              Edit(KPIActuals, None, {A.kpi_id: "KPI-03", A.period: D(2026, 10, 31),
                                      A.actual: 8, A.reported_by: "P-002"})])
def missing_actual(facts: Facts) -> Iterator[Problem]:
    """Every KPI of a Running service, and every KPI of a PMO's own performance, has its
    actual for the reporting period: the last complete month (Monthly) or quarter
    (Quarterly) before the as-of date, or the Settings Reporting Period for monthly KPIs. A
    service that went live after that period ended is not yet due; one that went live
    during it is. A KPI retired (Status Retired) is due for each period that ended by its
    Retired Date and for none after. An actual dated inside the period (not on its first
    day) still counts, and the reports show it; K106 reports its date.

    Passing: as of 2026-11-15, monthly KPI-01 has an actual for October 2026 and quarterly
    KPI-02 one for 2026 Q3; a new KPI-03 whose October actual is dated 2026-10-31. Failing:
    the new KPI-03 has no actuals.
    """
    kpis = facts.master[KPIs]
    for kpi in facts.kpi_statuses:
        if kpi.unreported:
            yield problem_at(
                kpis, kpi.row, KPIs.kpi_id, kpi.kpi_id,
                f"KPI {kpi.kpi_id} of {kpi.measured} has no actual for {kpi.period_label}.",
                f"Add a row to KPI Actuals with KPI ID {kpi.kpi_id}, Period "
                f"{kpi.period.isoformat()} and the actual.")


@rule("K104", ERROR, "An actual is for a period after the as-of date",
      kind=REQUIRED,
      why="An actual reports a period that has begun.",
      fails=[Edit(KPIActuals, None, {A.kpi_id: "KPI-01", A.period: D(2026, 12, 1),
                                     A.actual: 97, A.reported_by: "P-002"})],
      cell="'KPI Actuals'!B15",
      passes=[Edit(KPIActuals, None, {A.kpi_id: "KPI-01", A.period: D(2026, 11, 15),
                                      A.actual: 97, A.reported_by: "P-002"})])
def future_actual(facts: Facts) -> Iterator[Problem]:
    """An actual reports a period that has begun: its Period is not after the as-of date.

    Passing: as of 2026-11-15, an actual for KPI-01 dated 2026-11-15, the as-of day itself.
    Failing: an actual for KPI-01 with Period 2026-12-01.
    """
    table = facts.master[KPIActuals]
    actuals = facts.dated_actuals
    as_of = facts.as_of
    future = actuals[_days_where(actuals, lambda day: day > as_of)]
    for row, kpi, period in zip(future.index, future[A.kpi_id], future[A.period], strict=True):
        yield problem_at(
            table, int(row), A.period, str(kpi),
            f"The actual for KPI {kpi} is for {period.isoformat()}, after the as-of date "
            f"{as_of.isoformat()}.",
            "Correct the Period (the first day of the month or quarter reported), or check "
            "the --as-of date.")


@rule("K105", ERROR, "A KPI has two actuals for one period",
      kind=REQUIRED,
      why="One actual per KPI and period, so everyone reads the same value.",
      fails=[Edit(KPIActuals, None, {A.kpi_id: "KPI-01", A.period: D(2026, 10, 1),
                                     A.actual: 95, A.reported_by: "P-002"})],
      cell="'KPI Actuals'!B15",
      passes=[Edit(KPIActuals, None, {A.kpi_id: "KPI-01", A.period: D(2026, 11, 1),
                                      A.actual: 96, A.reported_by: "P-002"})])
def duplicate_actual(facts: Facts) -> Iterator[Problem]:
    """Each KPI has one actual per period, so everyone reads the same value. The first row
    for a KPI and period stands (the reports show it); each later row for the same KPI and
    period is named, including one dated inside the period rather than on its first day.

    Passing: a row for KPI-01 and 2026-11-01 is added at the bottom: the first day of the
    month after October starts a new period. Failing: a second row for KPI-01 and
    2026-10-01 is added at the bottom.
    """
    table = facts.master[KPIActuals]
    for row, kpi, period, first in facts.repeated_actuals:
        frequency = facts.frequency_of.get(kpi)
        yield problem_at(
            table, row, A.period, kpi,
            f"KPI {kpi} already has an actual for {period_label(frequency, period)} on row "
            f"{first}, which is the one that counts.",
            "Delete the duplicate row, or correct its KPI ID or Period.")


@rule("K106", ERROR, "An actual's Period is not the first day of a month or quarter",
      kind=REQUIRED,
      why="Actuals line up across KPIs and reports only when each is dated on its period's first "
          "day.",
      fails=[Edit(KPIActuals, "KPI-02", {A.period: D(2026, 2, 1)})],
      cell="'KPI Actuals'!B12",
      passes=[Edit(KPIs, "KPI-02", {KPIs.frequency: Frequency.MONTHLY}),
              Edit(KPIActuals, "KPI-02", {A.period: D(2026, 2, 1)})])
def period_not_period_start(facts: Facts) -> Iterator[Problem]:
    """Period is the first day of the month (Monthly KPI) or of the quarter (Quarterly KPI:
    1 January, 1 April, 1 July or 1 October) the actual is for, so actuals line up across
    KPIs and reports.

    Passing: KPI-02 made Monthly, its first actual dated 2026-02-01, which starts a month.
    Failing: quarterly KPI-02's first actual is dated 2026-02-01, which starts no quarter.
    """
    table = facts.master[KPIActuals]
    actuals = facts.dated_actuals
    wrong = actuals[actuals[A.period] != actuals["counts_for"]]
    for row, kpi, period in zip(wrong.index, wrong[A.kpi_id], wrong[A.period], strict=True):
        frequency = facts.frequency_of.get(str(kpi))
        start = period_start(frequency, period)
        kind = "quarter" if frequency == Frequency.QUARTERLY else "month"
        yield problem_at(
            table, int(row), A.period, str(kpi),
            f"The actual for KPI {kpi} has Period {period.isoformat()}, which is not the "
            f"first day of a {kind}.",
            f"Use {start.isoformat()}, the first day of the {kind} it reports.")


@rule("K107", ERROR, "A KPI names neither a service nor a PMO, or both",
      kind=REQUIRED,
      why="A KPI measures a service or a PMO's own performance, and has to say which.",
      fails=[Edit(KPIs, "KPI-01", {KPIs.service_id: None})], cell="KPIs!B2",
      passes=[Edit(KPIs, "KPI-01", {KPIs.service_id: None, KPIs.pmo_id: "PMO-1"})])
def service_or_pmo(facts: Facts) -> Iterator[Problem]:
    """A KPI measures a service, or a PMO's own performance (the handbook covers the
    "performance monitoring of the PMO" too): exactly one of Service ID and PMO
    ID is filled. With neither, the KPI belongs nowhere (the Service ID cell is named);
    with both, it is unclear which it measures (the PMO ID cell is named).

    Passing: KPI-01 measures SVC-001; or, with Service ID blank, PMO-1 itself (its monthly
    actuals then fall due like a Running service's). Failing: KPI-01 with both blank.
    """
    kpis = facts.master[KPIs]
    for row, record in facts.kpi_rows:
        service, pmo = record[KPIs.service_id], record[KPIs.pmo_id]
        kpi = record[KPIs.kpi_id]
        if service is None and pmo is None and kpis.raw.at[row, KPIs.service_id] is None:
            yield problem_at(
                kpis, row, KPIs.service_id, kpi,
                f"KPI {kpi} names neither a service nor a PMO.",
                "Enter the Service ID it measures, or, for a KPI of a PMO's own performance, "
                "the PMO ID.")
        elif service is not None and pmo is not None:
            yield problem_at(
                kpis, row, KPIs.pmo_id, kpi,
                f"KPI {kpi} names both service {service} and PMO {pmo}.",
                "Keep the Service ID for a KPI of the service, or the PMO ID for one of the "
                "PMO's own performance, and clear the other.")


@rule("K108", WARNING, "A KPI's Status and Retired Date disagree",
      kind=RECOMMENDED,
      why="A KPI is retired, not deleted, from a date: without the date nobody can tell "
          "which periods it still reports, and a date on an active KPI retires nothing.",
      fails=[Edit(KPIs, "KPI-02", {KPIs.status: KpiState.RETIRED})], cell="KPIs!N3",
      passes=[Edit(KPIs, "KPI-02", {KPIs.status: "retired", KPIs.retired_date: D(2026, 10, 1)})])
def retired_without_date(facts: Facts) -> Iterator[Problem]:
    """A retired KPI has Status Retired and the Retired Date it stopped: it is due for every
    period that ended by that date, and for none after (its history stays in the trends).
    Retired with no Retired Date, it is taken as never in force (the Retired Date cell is
    named); a Retired Date on a KPI whose Status is not Retired retires nothing (the Status
    cell is named).

    Passing: KPI-02 is `retired` (read in any case) since 2026-10-01. Failing: KPI-02 is
    Retired with no Retired Date.
    """
    kpis = facts.master[KPIs]
    data, raw = kpis.data, kpis.raw
    # Whole columns, not a lookup per KPI: a Retired Date typed as text is there (S105's).
    for row, kpi, status, typed_status, day in zip(
            data.index.tolist(), data[KPIs.kpi_id].tolist(), data[KPIs.status].tolist(),
            raw[KPIs.status].tolist(), raw[KPIs.retired_date].tolist(), strict=True):
        dated = day is not None
        if not dated and status != KpiState.RETIRED:
            continue
        if status == KpiState.RETIRED and not dated:
            yield problem_at(
                kpis, row, KPIs.retired_date, kpi,
                f"KPI {kpi} is Retired but has no Retired Date, so it counts in no period.",
                "Enter the date the KPI stopped: every period that ended by then is still "
                "reported.")
        elif dated and (status == KpiState.ACTIVE or typed_status is None):
            yield problem_at(
                kpis, row, KPIs.status, kpi,
                f"KPI {kpi} has a Retired Date but its Status is not Retired, so it is still "
                "due.",
                "Set Status to Retired, or clear the Retired Date if the KPI carries on.")


@rule("K109", INFO, "A KPI's Amber Threshold decides no colour (its Red Threshold differs)",
      kind=CONVENTION,
      why="Every threshold a report prints should decide a colour: with both set, the Red "
          "Threshold decides, so an Amber Threshold that differs from it decides nothing.",
      fails=[Edit(KPIs, "KPI-01", {KPIs.red_threshold: 80})], cell="KPIs!G2",
      passes=[Edit(KPIs, "KPI-01", {KPIs.amber_threshold: None, KPIs.red_threshold: 80})])
def amber_threshold_decides_nothing(facts: Facts) -> Iterator[Problem]:
    """Every threshold printed in a report decides a colour. With both thresholds set, the
    Red Threshold decides: an actual at it or worse is Red, and every miss of the Target
    short of it is Amber. So when the two differ, the values between them are Amber like
    any other miss, and the Amber Threshold changes no colour; a service owner reading
    "Amber Threshold 75" would expect 74 to be Red. The finding sits on the Amber Threshold
    and names both cells; it is information, not an error, since the colours are still
    worked out one way.

    Passing: KPI-01 (target 95) with only a Red Threshold of 80: Red at 80 or worse, Amber
    in between. Failing: KPI-01 keeps its Amber Threshold of 90 and gets a Red Threshold of
    80 as well.
    """
    kpis = facts.master[KPIs]
    for row, record in facts.kpi_rows:
        amber, red = record[KPIs.amber_threshold], record[KPIs.red_threshold]
        if not rag.thresholds_differ(amber, red):
            continue
        kpi = record[KPIs.kpi_id]
        amber_cell = kpis.address(row, KPIs.amber_threshold)
        red_cell = kpis.address(row, KPIs.red_threshold)
        yield problem_at(
            kpis, row, KPIs.amber_threshold, kpi,
            f"KPI {kpi} has an Amber Threshold of {amber:g} ({amber_cell}) and a Red "
            f"Threshold of {red:g} ({red_cell}): the Red Threshold decides, so an actual "
            f"between {min(amber, red):g} and {max(amber, red):g} is Amber like any other "
            "miss of the Target, and the Amber Threshold changes no colour.",
            f"If anything worse than {amber:g} should be Red, clear the Red Threshold; if "
            f"Red starts at {red:g}, clear the Amber Threshold.")

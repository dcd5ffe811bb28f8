"""K — KPIs and their actuals (seed §5.2: running a service is monitored through its KPIs).

KPI Actuals can hold hundreds of thousands of rows, so each rule works on whole columns
(pandas) or on dicts and sets built once, never a DataFrame lookup per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd

from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.master import Master
from pmo_xl.period import period_label, period_start
from pmo_xl.validators.registry import Context, Edit, rule

D = dt.date
HIGHER, LOWER = "Higher is better", "Lower is better"


def _frequencies(master: Master) -> dict[str, str | None]:
    """KPI ID -> Frequency, read once."""
    kpis = master["KPIs"].data
    return {str(k): f for k, f in zip(kpis["KPI ID"], kpis["Frequency"], strict=True)
            if k is not None}


def _dated_actuals(master: Master) -> pd.DataFrame:
    """The actuals with both a KPI ID and a Period date (index = Excel row); built once per
    master and shared by K103-K106 (again if the sheet's data is replaced)."""
    data = master["KPI Actuals"].data
    cached = getattr(master, "_dated_actuals", None)
    if cached is not None and cached[0] is data:
        return cached[1]
    frame = data[["KPI ID", "Period"]]
    frame = frame[frame["KPI ID"].notna() & frame["Period"].notna()]
    master._dated_actuals = (data, frame)  # type: ignore[attr-defined]
    return frame


def _days_where(actuals: pd.DataFrame, test) -> pd.Series:
    """True on the actuals whose Period passes `test`. 200,000 actuals have a few dozen
    different Periods: each is tested once and the rows matched in C."""
    days = actuals["Period"]
    chosen = [day for day in set(days.tolist()) if test(day)]
    return days.isin(chosen)


def _next_period(frequency: str | None, period: D) -> D:
    months = 3 if frequency == "Quarterly" else 1
    index = period.year * 12 + period.month - 1 + months
    return D(index // 12, index % 12 + 1, 1)


@rule("K101", ERROR, "A Running service has no KPI",
      fails=[Edit("KPIs", "KPI-01", {"Service ID": "SVC-002"}),
             Edit("KPIs", "KPI-02", {"Service ID": "SVC-002"})],
      cell="Services!A2")
def running_without_kpi(master: Master, context: Context) -> Iterator[Problem]:
    """A Running service is monitored through KPI reporting (seed §5.2), so it has at least
    one KPI in the KPIs sheet.

    Passing: SVC-001 is Running and has KPI-01 and KPI-02. Failing: both KPIs are moved to
    SVC-002, leaving SVC-001 with none.
    """
    services = master["Services"]
    measured = set(master["KPIs"].data["Service ID"].dropna())
    stages = services.data["Stage"]
    for row, service in services.data["Service ID"][stages == "Running"].items():
        if service is not None and service not in measured:
            yield services.problem(
                int(row), "Service ID",
                f"{service} is Running but has no KPI.",
                f"Add at least one KPI for {service} to the KPIs sheet, with its target and "
                "frequency.")


@rule("K102", ERROR, "A KPI's thresholds disagree with its Direction",
      fails=[Edit("KPIs", "KPI-01", {"Amber Threshold": 96})], cell="KPIs!G2")
def thresholds_out_of_order(master: Master, context: Context) -> Iterator[Problem]:
    """The RAG thresholds run the way the KPI improves. For Higher is better: Red Threshold
    < Amber Threshold < Target; for Lower is better the other way round (Red > Amber >
    Target). A blank threshold is skipped; the first threshold out of order is named.

    Passing: KPI-01 (Higher is better) has Red 80, Amber 90, Target 95. Failing: its Amber
    Threshold is 96, above the target.
    """
    kpis = master["KPIs"]
    for row, record in kpis.rows():
        direction, target = record["Direction"], record["Target"]
        if direction not in (HIGHER, LOWER) or target is None:
            continue
        better = (lambda a, b: a > b) if direction == HIGHER else (lambda a, b: a < b)
        bound, bound_name = target, "Target"
        for header in ("Amber Threshold", "Red Threshold"):
            value = record[header]
            if value is None:
                continue
            if not better(bound, value):
                word = "below" if direction == HIGHER else "above"
                yield kpis.problem(
                    int(row), header,
                    f"KPI {kpis.record(int(row))} ({direction}) has {header} {value:g}, "
                    f"not {word} its {bound_name} {bound:g}.",
                    f"For {direction}, keep Red {'<' if direction == HIGHER else '>'} Amber "
                    f"{'<' if direction == HIGHER else '>'} Target; correct the thresholds or "
                    "the Direction.")
                break
            bound, bound_name = value, header


@rule("K103", WARNING, "A KPI has no actual for the reporting period",
      fails=[Edit("KPIs", None, {"KPI ID": "KPI-03", "Service ID": "SVC-001",
                                 "KPI Name": "Board members reading the report",
                                 "Direction": "Higher is better", "Target": 8,
                                 "Frequency": "Monthly"})],
      cell="KPIs!A4")
def missing_actual(master: Master, context: Context) -> Iterator[Problem]:
    """Every KPI of a Running service has its actual for the reporting period: the last
    complete month (Monthly) or quarter (Quarterly) before the as-of date, or the Settings
    Reporting Period for monthly KPIs. A service that went live after that period ended is
    not yet due. An actual dated inside the period (not on its first day) still counts; K106
    reports its date.

    Passing: as of 2026-11-15, monthly KPI-01 has an actual for October 2026 and quarterly
    KPI-02 one for 2026 Q3 (period 2026-07-01). Failing: a new KPI-03 has no actuals.
    """
    kpis, services = master["KPIs"], master["Services"].data
    live = {
        s: go_live for s, stage, go_live in zip(
            services["Service ID"], services["Stage"], services["Go-live Date"], strict=True)
        if s is not None and stage == "Running"
    }
    due: dict[str, tuple[int, str, D, D]] = {}  # KPI -> (row, service, period, next period)
    windows: dict[str, tuple[D, D]] = {}  # frequency -> (period, next period)
    for row, record in kpis.rows():
        kpi, service, frequency = record["KPI ID"], record["Service ID"], record["Frequency"]
        if kpi is None or service not in live or frequency is None:
            continue
        if frequency not in windows:
            start = context.period_for(frequency)
            windows[frequency] = (start, _next_period(frequency, start))
        period, following = windows[frequency]
        go_live = live[service]
        if go_live is None or go_live < following:
            due[kpi] = (int(row), service, period, following)
    actuals = _dated_actuals(master)
    # Only actuals dated inside some KPI's period can count; of those, which due KPIs have
    # one inside their own period.
    inside = actuals[_days_where(
        actuals, lambda day: any(start <= day < end for start, end in windows.values()))]
    reported = {
        kpi for kpi, day in zip(inside["KPI ID"], inside["Period"], strict=True)
        if kpi in due and due[kpi][2] <= day < due[kpi][3]
    }
    for kpi, (row, service, period, _following) in due.items():
        if kpi not in reported:
            frequency = kpis.data.at[row, "Frequency"]
            yield kpis.problem(
                row, "KPI ID",
                f"KPI {kpi} of {service} has no actual for {period_label(frequency, period)}.",
                f"Add a row to KPI Actuals with KPI ID {kpi}, Period {period.isoformat()} "
                "and the actual.")


@rule("K104", ERROR, "An actual is for a period after the as-of date",
      fails=[Edit("KPI Actuals", None, {"KPI ID": "KPI-01", "Period": D(2026, 12, 1),
                                        "Actual": 97, "Reported By": "P-002"})],
      cell="'KPI Actuals'!B15")
def future_actual(master: Master, context: Context) -> Iterator[Problem]:
    """An actual reports a period that has begun: its Period is not after the as-of date.

    Passing: as of 2026-11-15, actuals up to October 2026. Failing: an actual for KPI-01
    with Period 2026-12-01.
    """
    table = master["KPI Actuals"]
    actuals = _dated_actuals(master)
    as_of = context.as_of
    future = actuals[_days_where(actuals, lambda day: day > as_of)]
    for row, kpi, period in zip(future.index, future["KPI ID"], future["Period"], strict=True):
        yield table.problem(
            int(row), "Period",
            f"The actual for KPI {kpi} is for {period.isoformat()}, after the as-of date "
            f"{as_of.isoformat()}.",
            "Correct the Period (the first day of the month or quarter reported), or check "
            "the --as-of date.")


@rule("K105", ERROR, "A KPI has two actuals for one period",
      fails=[Edit("KPI Actuals", None, {"KPI ID": "KPI-01", "Period": D(2026, 10, 1),
                                        "Actual": 95, "Reported By": "P-002"})],
      cell="'KPI Actuals'!B15")
def duplicate_actual(master: Master, context: Context) -> Iterator[Problem]:
    """Each KPI has one actual per period, so the reports know which value counts. The
    first row stands; each later row for the same KPI and Period is named.

    Passing: KPI-01 has one actual for October 2026. Failing: a second row for KPI-01 and
    2026-10-01 is added at the bottom.
    """
    table = master["KPI Actuals"]
    actuals = _dated_actuals(master)
    repeated = actuals.duplicated(subset=["KPI ID", "Period"], keep="first")
    first_row: dict[tuple[str, D], int] = {}
    if repeated.any():
        for row, kpi, period in zip(actuals.index, actuals["KPI ID"], actuals["Period"],
                                    strict=True):
            first_row.setdefault((kpi, period), int(row))
    later = actuals[repeated]
    for row, kpi, period in zip(later.index, later["KPI ID"], later["Period"], strict=True):
        yield table.problem(
            int(row), "Period",
            f"KPI {kpi} already has an actual for {period.isoformat()} on row "
            f"{first_row[(kpi, period)]}.",
            "Delete the duplicate row, or correct its KPI ID or Period.")


@rule("K106", ERROR, "An actual's Period is not the first day of a month or quarter",
      fails=[Edit("KPI Actuals", "KPI-02", {"Period": D(2026, 2, 1)})],
      cell="'KPI Actuals'!B12")
def period_not_period_start(master: Master, context: Context) -> Iterator[Problem]:
    """Period is the first day of the month (Monthly KPI) or of the quarter (Quarterly KPI:
    1 January, 1 April, 1 July or 1 October) the actual is for, so actuals line up across
    KPIs and reports.

    Passing: quarterly KPI-02 has actuals for 2026-01-01, 2026-04-01 and 2026-07-01.
    Failing: its first actual is dated 2026-02-01, which starts no quarter.
    """
    table = master["KPI Actuals"]
    actuals = _dated_actuals(master)
    frequencies = _frequencies(master)
    quarterly = {k for k, f in frequencies.items() if f == "Quarterly"}
    # Each different Period is tested once; rows are matched in C (200k rows).
    not_month_start = _days_where(actuals, lambda day: day.day != 1)
    not_quarter_start = _days_where(actuals, lambda day: day.month % 3 != 1)
    wrong = actuals[not_month_start
                    | (not_quarter_start & actuals["KPI ID"].isin(list(quarterly)))]
    for row, kpi, period in zip(wrong.index, wrong["KPI ID"], wrong["Period"], strict=True):
        frequency = frequencies.get(kpi)
        start = period_start(frequency, period)
        kind = "quarter" if frequency == "Quarterly" else "month"
        yield table.problem(
            int(row), "Period",
            f"The actual for KPI {kpi} has Period {period.isoformat()}, which is not the "
            f"first day of a {kind}.",
            f"Use {start.isoformat()}, the first day of the {kind} it reports.")

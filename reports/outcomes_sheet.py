"""The status report's Outcomes sheet: what each service is for and whether it delivers it.

Objective -> desired outcome -> service -> the KPIs that evidence its outcome, with their
target, the latest RAG and the trend over the last periods. A service no KPI measures says
so; a Running service whose outcome has gone unmet for the chronic-Red run says it is on the
agenda's Improve or close. Every value comes from the facts (facts/outcomes.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pmo_xl import rag
from pmo_xl.period import period_label
from pmo_xl.reports.common import note
from pmo_xl.reports.styles import TableColumn, print_setup, write_table

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

    from pmo_xl.facts.outcomes import OutcomeLine
    from pmo_xl.validators.engine import CheckResult

OUTCOMES_SHEET = "Outcomes"
NOT_MEASURED = "No KPI measures its outcome yet"
OUTCOMES_NOTE = (
    "A KPI measures a service's outcome when its Evidences is Outcome. From Transition on a "
    "service has at least one, with a Target (its success criteria). A Running service whose "
    "Outcome KPIs have all been Red or without data for the Chronic Red Periods setting is on "
    "the agenda to improve or close.")


def write_outcomes_sheet(sheet: Worksheet, fmt: dict, result: CheckResult) -> None:
    columns = [
        TableColumn("Objective ID"), TableColumn("Objective", "wrap", 30),
        TableColumn("Service ID"), TableColumn("Service Name", "wrap", 24),
        TableColumn("Stage"), TableColumn("Desired Outcome", "wrap", 32),
        TableColumn("KPI ID"), TableColumn("Outcome KPI", "wrap", 28),
        TableColumn("Target", "number", 9), TableColumn("Latest", "number", 9),
        TableColumn("RAG", "rag", 10), TableColumn("Trend (oldest first)", "wrap", 24),
        TableColumn("Delivering its outcome?", "wrap", 30),
    ]
    rows = [_row(line) for line in result.facts.outcome_lines]
    last = write_table(sheet, fmt, columns, rows, name="Outcomes",
                       empty="No service is being set up, running or closing.")
    note(sheet, fmt, last + 2, OUTCOMES_NOTE, 10, 2)
    print_setup(sheet, result.as_of, title=OUTCOMES_SHEET)


def _row(line: OutcomeLine) -> list[object]:
    kpi = line.kpi
    if kpi is None:
        return [line.objective_id, line.objective, line.service_id, line.service_name,
                line.stage, line.desired_outcome, None, None, None, None, ("", "rag_none"),
                None, NOT_MEASURED]
    return [line.objective_id, line.objective, line.service_id, line.service_name,
            line.stage, line.desired_outcome, kpi.kpi_id, kpi.name, kpi.target, kpi.actual,
            ("", "rag_none") if line.stage in rag.NOT_REPORTING_STAGES else kpi.rag,
            trend_text(line), verdict(line)]


def trend_text(line: OutcomeLine) -> str | None:
    """`– → 9 → 7 → 6 → 3 → 1 (2025 Q2 to 2026 Q3)`: each period's actual, oldest first, a
    dash where none came in."""
    if line.kpi is None or not line.trend:
        return None
    frequency = line.kpi.frequency
    values = " → ".join(f"{value:g}" if value is not None else "–"
                        for _period, value, _word in line.trend)
    first, last = line.trend[0][0], line.trend[-1][0]
    return (f"{values} ({period_label(frequency, first)} to "
            f"{period_label(frequency, last)})")


def verdict(line: OutcomeLine) -> str:
    """Whether the service is shown delivering its outcome, in a few words."""
    if line.unmet is not None:
        return (f"Not shown for {line.unmet.periods} periods in a row: on the agenda to "
                "improve or close")
    if line.kpi is None:
        return NOT_MEASURED
    if line.stage in rag.NOT_REPORTING_STAGES:
        return f"{rag.NOT_REPORTING}: its target is its success criteria"
    if line.kpi.rag == rag.GREEN:
        return "Yes: on target"
    if line.kpi.rag == rag.NO_DATA:
        return "Not known: no actual for the period"
    return f"Not yet: {line.kpi.rag}"

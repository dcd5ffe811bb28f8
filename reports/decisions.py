"""What governance has to decide, as the status report shows it: the Decisions needed sheet,
and the set-up pipeline's plans.

The sheet presents the run's agenda (``CheckResult.agenda``, worked out once by
:mod:`pmo_xl.facts.agenda`): one row per decision, at most eight columns so that it prints
across an A4 landscape page at full size, then the numbers that support each decision in a
second block: a small table per kind of decision, its numbers as columns (so each kind has
the few columns it needs).
Nothing here decides anything or counts anything a second time.
"""

from __future__ import annotations

import datetime as dt

from xlsxwriter.worksheet import Worksheet

from pmo_xl.facts import Decision, Facts, PlannedDate
from pmo_xl.facts.agenda import KINDS
from pmo_xl.reports.styles import TableColumn, print_setup, write_table
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import NEXT_STAGE, Services, Stage

DECISIONS_SHEET = "Decisions needed"
FIGURES_TITLE = "The numbers behind each decision"
# The date that marks entering each stage, for "next stage planned" in the pipeline.
ENTRY_DATE = {Stage.PILOT: Services.pilot_start, Stage.TRANSITION: Services.sign_off_date,
              Stage.RUNNING: Services.go_live_date}

# Seven columns, 125 characters: an A4 landscape page at full size (10 point).
COLUMNS = [
    TableColumn("#", "count", 4), TableColumn("Decision", "wrap", 13),
    TableColumn("Service", "wrap", 20), TableColumn("Record", "wrap", 11),
    TableColumn("PMO", "wrap", 10), TableColumn("Who decides", "wrap", 15),
    TableColumn("What is to be decided", "wrap", 52),
]
# The second block: one small table per kind of decision (its figures as columns), in the
# first block's columns and so their widths.
FIGURE_WIDTHS = [col.width for col in COLUMNS]
EMPTY = ("No decision is needed: no proposal, closure or change waiting for approval, no "
         "escalated High or Critical risk or issue, nothing due for review, no chronically "
         "Red KPI.")


def service_label(facts: Facts, sid: object) -> str | None:
    """`SVC-024 Sustainability impact reporting` (the ID alone when it has no name)."""
    if sid is None:
        return None
    name = facts.service_name(sid)
    return f"{sid} {' '.join(str(name).split())}" if name else str(sid)


def decision_row(number: int, decision: Decision, facts: Facts) -> list[object]:
    """One decision as the Decisions needed sheet (and the Summary's list) shows it."""
    return [number, decision.kind, service_label(facts, decision.service), decision.record,
            decision.pmo, decision.decider_name, decision.summary]


def _value(value: object) -> object:
    """A figure as its cell shows it: a date in the date format, anything else as it is."""
    return (value, "date") if isinstance(value, dt.date) else value


def write_decisions_sheet(sheet: Worksheet, fmt: dict, result: CheckResult) -> int:
    """The agenda, then its supporting numbers; returns how many decisions there are."""
    facts = result.facts
    agenda = result.agenda
    rows = [decision_row(n, d, facts) for n, d in enumerate(agenda, start=1)]
    last = write_table(sheet, fmt, COLUMNS, rows, name="Decisions", empty=EMPTY)
    if agenda:
        row = last + 2
        sheet.write_string(row, 0, FIGURES_TITLE, fmt["subtitle"])
        row += 1
        for kind in dict.fromkeys(d.kind for d in agenda):
            numbered = [(n, d) for n, d in enumerate(agenda, start=1) if d.kind == kind]
            labels = list(dict.fromkeys(f.label for _n, d in numbered for f in d.figures))
            columns = [TableColumn("#", "count", FIGURE_WIDTHS[0]),
                       TableColumn(f"{kind}: record", "wrap", FIGURE_WIDTHS[1])]
            columns += [TableColumn(label, "value", width)
                        for label, width in zip(labels, FIGURE_WIDTHS[2:], strict=False)]
            rows = [[n, d.record, *(_value(d.figure(label)) for label in labels)]
                    for n, d in numbered]
            last = write_table(sheet, fmt, columns, rows, first_row=row, freeze=False,
                               name=f"Figures{KINDS.index(kind) + 1}")
            row = last + 2
        # The small tables set the first columns' widths again: the first block's stand.
        for col, column in enumerate(COLUMNS):
            sheet.set_column(col, col, column.width)
    # No repeated header row: the second block below has a header of its own.
    print_setup(sheet, result.as_of, header_row=None, title=DECISIONS_SHEET)
    return len(rows)


# --- the set-up pipeline's plans -----------------------------------------------------------


def next_stage_plan(sid: str, stage: object, facts: Facts) -> tuple[dt.date | None, int | None]:
    """The planned date of the service's move to its next stage, and the days it has
    slipped by (None while the plan lies ahead)."""
    header = ENTRY_DATE.get(NEXT_STAGE.get(stage))
    plan = next((p for p in facts.planned_dates.get(sid, []) if p.header == header), None)
    return (None, None) if plan is None else (plan.date, plan.slipped_days)


def plans_text(sid: str, facts: Facts) -> str | None:
    """`Sign-off Date 2027-01-18 (in 49 days); Go-live Date 2027-03-01 (slipped 3 days)`."""
    parts = [_plan(p, facts.as_of) for p in facts.planned_dates.get(sid, [])]
    return "; ".join(parts) or None


def _plan(plan: PlannedDate, as_of: dt.date) -> str:
    if plan.slipped_days is not None:
        return f"{plan.header} {plan.date.isoformat()} (slipped {plan.slipped_days} days)"
    days = (plan.date - as_of).days
    when = "today" if days == 0 else f"in {days} days" if days > 0 else "passed"
    return f"{plan.header} {plan.date.isoformat()} ({when})"


def actual(service: dict, header: str, facts: Facts) -> dt.date | None:
    """A set-up date as happened: blank where the date is still a plan, and for any date
    after the as-of date (a future date is a plan, never a step done)."""
    sid = str(service[Services.service_id])
    planned = {p.header for p in facts.planned_dates.get(sid, [])}
    value = service[header]
    if header in planned or not isinstance(value, dt.date) or value > facts.as_of:
        return None
    return value

"""The demo's example master: Northwind Group's PMOs, their services and a handful of real problems.

How it is built: Northwind is data, one CSV table per sheet in
``pmo_xl/example/data/northwind/`` (``Services.csv``, ``SIPOC.csv``, ``KPI Actuals.csv``…),
each the sheet as Excel shows it: header row, one line per record, dates as ``yyyy-mm-dd``.
:func:`example_rows` reads the tables (typed by the schema, see :mod:`pmo_xl.example.tables`),
moves every date by whole months from ``EXAMPLE_AS_OF`` (the tables show the master as it
stands on that day) to the as-of date asked for, and applies ``PLANTED``: the deliberate
problems that a plain value in a table cannot show. So `pmo-xl demo` gives the same findings
whatever day it runs; the committed workbook is the tables as they stand, plus ``PLANTED``.

The master is clean against every rule except the problems listed in ``DELIBERATE`` (each a
slip a real PMO makes, at least one per rule family) and the one finding that the Waivers
sheet waives (``WAIVED``, a change approved by the service's owner of the time). Its Rules
sheet shows a PMO's own policy: Northwind escalates every open High or Critical item to its
Service Owner, so G105 (a convention, information by default) is a warning there. KPI-20
(SVC-001's paper returns) is retired, not deleted: quiet since its Retired Date, its history
still in the trends. All but two of the slips are ordinary values in the tables (the comment
on each says where); those two are the ``Edit`` s in ``PLANTED``.

To add a service, add its lines to the tables, dated as on ``EXAMPLE_AS_OF``, in the shape of
a service of the same stage (SVC-005 is a plain Running one):
- ``Services.csv``: the service, with the lifecycle dates its stage needs;
- ``SIPOC.csv``: its processes (from Pilot on), each with a procedure in ``Procedures.csv``,
  plus a Monitoring procedure (Running, Closing) and a Recharging one (Running, Recharged);
- ``RACI.csv``: two activities per live procedure, one Accountable role each;
- ``KPIs.csv`` and ``KPI Actuals.csv``: its KPIs and an actual per period since go-live, up
  to the last complete month (or quarter) before ``EXAMPLE_AS_OF``;
- ``Lifecycle Log.csv``: one line per stage it has moved through.
Then run ``python -m pytest tests/test_demo.py``: a finding that is not in ``DELIBERATE`` is
named by rule and cell. Run ``python workbook_templates/regenerate.py`` to update the
committed workbook.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from importlib.resources import files
from pathlib import Path

from pmo_xl.example.tables import Rows, move_dates, read_tables
from pmo_xl.period import period_start, reporting_period
from pmo_xl.validators.examples import record_key
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.policy import policy_choices
from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import Frequency
from pmo_xl.workbook.template import write_master

#: The as-of date of the committed example master (workbook_templates/example-master.xlsx),
#: and the day the tables' dates are written as of.
EXAMPLE_AS_OF = dt.date(2026, 11, 30)
ORGANISATION = "Northwind Group"  # also the Organisation in Settings.csv (a test checks)

#: The problems planted in the example: (rule code, sheet, cell). Checking the example master
#: reports exactly these (not waived), whatever the as-of date.
DELIBERATE: list[tuple[str, str, str]] = [
    ("S105", "Services", "AI11"),  # SVC-010 Last Reviewed typed as text: PLANTED
    ("X101", "Risks and Issues", "F9"),  # RSK-005 owned by P-021, who is not on People
    ("H102", "SIPOC", "B16"),  # SVC-011's "Log start-up actions" has no procedure
    ("R102", "RACI", "F33"),  # SVC-006 gate decision (PRD-016): a second A, for the PMO Director
    ("L106", "Services", "AD29"),  # SVC-028's closure approved by the manager, not the owner
    ("O102", "Services", "Q11"),  # SVC-010's Service Manager is a PMO Administrator
    ("K103", "KPIs", "A13"),  # KPI-12 (SVC-011) has no actual for the reporting period: PLANTED
    # KPI-07 (SVC-006) keeps both an Amber Threshold (75) and a Red Threshold (60): the Red
    # one decides, so the Amber one changes no colour (every other KPI has one threshold)
    ("K109", "KPIs", "G8"),
    # RSK-003 is open, High and not escalated: a warning by Northwind's Rules sheet
    ("G105", "Risks and Issues", "H4"),
    ("C105", "Changes", "L7"),  # CHG-006 implemented, Operations Handbook not updated
    # KPI-17 (SVC-032, the adoption clinic) Red since go-live, three months in a row: the
    # finding sits on its latest actual (October 2026)
    ("V104", "KPI Actuals", "C171"),
    # What a service is for (outcomes, pilots, risks with their actions, published entries):
    ("L122", "Services", "G17"),  # SVC-016, in Pilot and so publishable, has no Desired Outcome
    ("L123", "Services", "AL20"),  # SVC-019's pilot result is entered, its date is not
    ("L124", "Services", "AK19"),  # SVC-018 moved to Transition after a pilot Not met
    ("L125", "Services", "R18"),  # SVC-017 is piloted with no Operatives named
    ("L126", "SIPOC", "F22"),  # SVC-017's "Review benefits after closure" has no Outputs
    ("K110", "Services", "A13"),  # SVC-012's only KPI measures its speed, not its outcome
    ("G110", "Risks and Issues", "J5"),  # ISS-001 is High and mitigating, with no Target Date
    ("X104", "Risks and Issues", "L7"),  # RSK-004 (SVC-018) led to CHG-007, SVC-014's change
]

#: Findings the example's Waivers sheet waives: (rule code, sheet, cell). (The C106 waiver it
#: once needed, for a tools change that leaves the strategy alone, went when changes could
#: say what they affect.)
WAIVED: list[tuple[str, str, str]] = [
    ("C101", "Changes", "H2"),  # CHG-001 approved by SVC-001's Service Owner of the time
]

#: In an edit's values: the row's own date (once moved to the as-of date), typed as text.
TYPED_AS_TEXT = "dd/mm/yyyy"

#: The deliberate problems no plain value in a table can show, as edits to the tables' rows
#: (on KPI Actuals, where a KPI has many rows, an edit takes the KPI's newest one).
PLANTED: list[Edit] = [
    # S105: the date in Services.csv (2026-09-14), typed as text the way a UK user would.
    Edit("Services", "SVC-010", {"Last Reviewed": TYPED_AS_TEXT}),
    # K103: the actual for the reporting period never came in. Its line stays in the table
    # so the series reads whole; the edit deletes it.
    Edit("KPI Actuals", "KPI-12", None),
]

#: The month before the as-of date at Northwind, as edits to the tables (dated as on
#: ``EXAMPLE_AS_OF``): `pmo-xl demo` writes a pack of the master as it stood a month earlier
#: (:func:`month_before_rows`) and then this month's pack, with these moves in it, so the
#: Since last meeting sheet has something to show. A KPI Actuals edit names its row the way
#: `pmo-xl diff` does: KPI ID and Period.
THIS_MONTH: list[Edit] = [
    # D101: the investment committee approved SVC-023 and design started, but nobody logged
    # the move from Proposed to Design in the Lifecycle Log.
    Edit("Services", "SVC-023", {"Stage": "Design", "Approved Date": dt.date(2026, 11, 3),
                                 "Design Start": dt.date(2026, 11, 9)}),
    # Closed: IT's resource managers sent their capacity returns.
    Edit("Risks and Issues", "ISS-003", {
        "Status": "Closed", "Action": "Returns received after escalation; view complete."}),
    # D104: September's tickets were re-counted after an audit, and the actual restated.
    Edit("KPI Actuals", "KPI-09 2026-09-01", {"Actual": 88.4}),
    # No edit is needed for the KPI that turned Amber: KPI-07 (SVC-006's gate packs) was
    # Green in September (97) and its October actual, which came in this month, is 73.7:
    # below its Amber Threshold (75) but better than its Red Threshold (60), so Amber.
]

# Northwind's People all have a work Email at example.org except P-014 (Hannah Lewis, role
# Other, in Finance, who owns KPI-12 and so the missing actual K103 finds): a person with
# actions whom the addressed drafts cannot reach, so `pmo-xl actions` lists her as
# unaddressed and the pack email names her. Her blank Email produces no finding.

DATA = files("pmo_xl.example").joinpath("data", "northwind")


def example_rows(as_of: dt.date = EXAMPLE_AS_OF, edits: Iterable[Edit] = ()) -> Rows:
    """Every sheet's rows of the example master, as of `as_of`; `edits` (dated as on
    ``EXAMPLE_AS_OF``, such as ``THIS_MONTH``) are made to the tables before dates move."""
    tables = read_tables(DATA)
    for edit in edits:
        _plant(tables, edit)
    rows = move_dates(tables, EXAMPLE_AS_OF, as_of)
    for edit in PLANTED:
        _plant(rows, _planted(edit, rows))
    return rows


def write_example_master(path: str | Path, as_of: dt.date = EXAMPLE_AS_OF,
                         edits: Iterable[Edit] = ()) -> Path:
    """Write the example master to `path` (replacing a file there), with the template's
    Rules drop-down."""
    return write_master(path, example_rows(as_of, edits),
                        rule_codes=policy_choices(load_rules()))


def month_before(as_of: dt.date) -> dt.date:
    """The as-of date of the demo's earlier pack: the last day of the month before `as_of`'s
    month. Every date of the tables up to the month before ``EXAMPLE_AS_OF`` moves to it or
    earlier, so the earlier master holds nothing from its future."""
    return period_start(Frequency.MONTHLY, as_of) - dt.timedelta(days=1)


def month_before_rows(as_of: dt.date = EXAMPLE_AS_OF) -> Rows:
    """The example master as it stood on ``month_before(as_of)``: the same records, less the
    actuals for periods that had not been reported yet (and without ``THIS_MONTH``)."""
    earlier = month_before(as_of)
    rows = example_rows(as_of)
    frequency = {k["KPI ID"]: k.get("Frequency") for k in rows["KPIs"]}
    rows["KPI Actuals"] = [
        actual for actual in rows["KPI Actuals"]
        if actual["Period"] <= reporting_period(frequency.get(actual["KPI ID"]), earlier)]
    return rows


def _planted(edit: Edit, rows: Rows) -> Edit:
    """The edit with a date typed as text filled in from the row's own (moved) date."""
    if not edit.values or TYPED_AS_TEXT not in edit.values.values():
        return edit
    record = rows[edit.sheet][_row_of(rows, edit)]
    return Edit(edit.sheet, edit.record, {
        header: f"{record[header]:%d/%m/%Y}" if value == TYPED_AS_TEXT else value
        for header, value in edit.values.items()})


def _plant(rows: Rows, edit: Edit) -> None:
    index = _row_of(rows, edit)
    if edit.values is None:
        del rows[edit.sheet][index]
    else:
        rows[edit.sheet][index].update(edit.values)


def _row_of(rows: Rows, edit: Edit) -> int:
    """The edited row: the record's last (a KPI's actuals are listed oldest first), or on KPI
    Actuals the row of one period when the record reads `KPI-09 2026-09-01`."""
    key = record_key(edit.sheet)
    record, period = str(edit.record), ""
    if edit.sheet == "KPI Actuals":
        record, _, period = record.partition(" ")
    matches = [i for i, r in enumerate(rows[edit.sheet]) if r.get(key) == record
               and (not period or str(r.get("Period")) == period)]
    if not matches:
        raise KeyError(f"example edit: no {edit.sheet} row with {key} = {edit.record}")
    return matches[-1]


"""The enterprise status and KPI reports: every counted member's own report, added up.

Each number is the sum of what the members' own reports say (their status report's and KPI
report's headline numbers, taken from the same functions: :mod:`pmo_xl.portfolio.view`),
with one correction said out loud: a service listed by two members (a copy, to point at it)
is counted once, where it is delivered, and the Summary names each such copy. The agreement
test reads the written reports back, the members' and the enterprise's, and adds them up.

The status report's first page reads as a member's does: the decisions across the PMOs by
name (the first ten, then "and N more"), the services at Red with why, what the rules across
masters found, the members not counted, then the headline numbers and charts. Then: the
Decisions needed (one agenda across the members), the PMOs (one row each), the Members (each
member's own headline numbers), the Services (one row per service, counted once) and the
findings Across masters. The KPI report: a Summary per member, and every KPI for its period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from xlsxwriter.worksheet import Worksheet

from pmo_xl import rag
from pmo_xl.facts.agenda import KINDS
from pmo_xl.output import atomic_output
from pmo_xl.reports import kpi as kpi_report
from pmo_xl.reports import status as status_report
from pmo_xl.reports.common import (
    count_table,
    generated_at,
    heading,
    label_rows,
    note,
    report_formats,
    ruled_grid,
)
from pmo_xl.reports.styles import (
    LINE_HEIGHT,
    RAG,
    TableColumn,
    new_workbook,
    print_setup,
    set_widths,
    write_table,
    write_text,
)
from pmo_xl.validators.schema import SET_UP_STAGES, Services, Stage
from pmo_xl.workbook.master import collector_paused
from pmo_xl.workbook.paging import paginate, span_width
from pmo_xl.workbook.text_fit import line_count

if TYPE_CHECKING:
    from pmo_xl.portfolio.members import MemberOutcome
    from pmo_xl.portfolio.rollup import Rollup
    from pmo_xl.portfolio.view import DecisionLine, ServiceLine

FIRST_PAGE_ITEMS = status_report.FIRST_PAGE_ITEMS
SUMMARY_WIDTHS = [26, 10, 12, 16, 70]
LAST_COL = len(SUMMARY_WIDTHS) - 1
DECISIONS_SHEET = "Decisions needed"
SUMS_NOTE = ("Each number is the sum of the members' own status reports (their Headline "
             "numbers; the Members sheet has each member's), with a service listed by two "
             "members counted once, where it is delivered.")
KPI_SUMS_NOTE = ("Each number is the sum of the members' own KPI reports (their Headline "
                 "numbers; the table below has each member's).")


# --- the numbers ----------------------------------------------------------------------------


@dataclass
class Copy:
    """A service listed by a member that is not the one counted for it."""

    member: str
    service: ServiceLine
    counted_in: str | None  # the member that counts it


@dataclass
class Totals:
    """The enterprise's numbers: the counted members' own, added up, copies counted once."""

    status: list[tuple[str, int]] = field(default_factory=list)
    kpi: list[tuple[str, int]] = field(default_factory=list)
    health: dict[str, int] = field(default_factory=dict)
    stages: dict[str, int] = field(default_factory=dict)
    copies: list[Copy] = field(default_factory=list)

    def number(self, label: str) -> int:
        return dict(self.status)[label]


def counted(rollup: Rollup) -> list[MemberOutcome]:
    return [m for m in rollup.counted_members if m.view is not None and m.keys is not None]


def services_counted(rollup: Rollup) -> list[tuple[MemberOutcome, ServiceLine]]:
    """Every service once, with the member that counts it, in member order."""
    return [(member, line) for member, line, here in _listed(rollup) if here]


def _listed(rollup: Rollup) -> list[tuple[MemberOutcome, ServiceLine, bool]]:
    """Every service line of every counted member, and whether it counts there: worked out
    once per roll-up (the reports ask several times)."""
    if "listed" not in rollup.cache:
        found = []
        for member in counted(rollup):
            rows: dict[str, object] = {}
            for row in member.keys.rows_of(Services.SHEET):
                rows.setdefault(row.text(Services.service_id), row)
            for line in member.view.services:
                row = rows.get(line.service_id)
                here = row is None or rollup.enterprise.counts_here(member.keys, row)
                found.append((member, line, here))
        rollup.cache["listed"] = found
    return rollup.cache["listed"]


def totals(rollup: Rollup) -> Totals:
    found = Totals()
    members = counted(rollup)
    status: dict[str, int] = {}
    kpi: dict[str, int] = {}
    for member in members:
        view = member.view
        for label, value in view.status_numbers:
            status[label] = status.get(label, 0) + value
        for label, value in view.kpi_numbers:
            kpi[label] = kpi.get(label, 0) + value
        for word, value in view.health.items():
            found.health[word] = found.health.get(word, 0) + value
        for stage, value in view.stages.items():
            found.stages[stage] = found.stages.get(stage, 0) + value
    deliverers = rollup.enterprise.deliverers
    for member, line, here in _listed(rollup):
        if here:
            continue
        delivered = deliverers.get(line.service_id)
        found.copies.append(Copy(member.name, line, delivered[0].name if delivered else None))
        _uncount(status, found, line)
    found.status = list(status.items())
    found.kpi = list(kpi.items())
    return found


def _uncount(status: dict[str, int], found: Totals, line: ServiceLine) -> None:
    """Take a copied service out of the numbers it added to (those counted per service)."""
    status[status_report.SERVICES_LABEL] -= 1
    stage = line.stage if line.stage in found.stages else "Not recorded"
    if stage in found.stages:
        found.stages[stage] -= 1
    label = ("In set-up" if line.stage in SET_UP_STAGES else "Running"
             if line.stage == Stage.RUNNING else "Closing" if line.stage == Stage.CLOSING
             else None)
    if label is not None:
        status[label] -= 1
    if line.active and line.health is not None:
        found.health[line.health] = found.health.get(line.health, 0) - 1
        if line.health == rag.RED:
            status[status_report.AT_RED_LABEL] -= 1
        elif line.health == rag.AMBER:
            status[status_report.AT_AMBER_LABEL] -= 1


def agenda(rollup: Rollup) -> list[tuple[MemberOutcome, DecisionLine]]:
    """One agenda across the members: by kind (in the agenda's order), then member, then
    each member's own order."""
    items = [(member, decision, (KINDS.index(decision.kind) if decision.kind in KINDS
                                 else len(KINDS), m, n))
             for m, member in enumerate(counted(rollup))
             for n, decision in enumerate(member.view.agenda)]
    return [(member, decision) for member, decision, _key in sorted(items, key=lambda i: i[2])]


# --- the status report ----------------------------------------------------------------------


def write_enterprise_status(rollup: Rollup, path: Path) -> Path:
    path = Path(path)
    generated = generated_at()
    numbers = totals(rollup)
    with collector_paused(), atomic_output(path) as temp:
        workbook, fmt = _start(temp, rollup, "Enterprise status report", generated)
        _summary(workbook, workbook.add_worksheet("Summary"), fmt, rollup, numbers, generated)
        _decisions(workbook.add_worksheet(DECISIONS_SHEET), fmt, rollup)
        _pmos(workbook.add_worksheet("PMOs"), fmt, rollup)
        _members(workbook.add_worksheet("Members"), fmt, rollup)
        _services(workbook.add_worksheet("Services"), fmt, rollup)
        _across(workbook.add_worksheet("Across masters"), fmt, rollup)
        workbook.close()
    return path


def _start(path: Path, rollup: Rollup, title: str, generated: dt.datetime):
    organisation = rollup.organisation
    workbook = new_workbook(path, title, f"{organisation}: every PMO's master", organisation)
    workbook.set_properties({
        "title": title, "subject": f"{organisation}: every PMO's master", "author": "pmo-xl",
        "company": organisation, "created": generated,
        "keywords": f"as of {rollup.as_of.isoformat()}; {len(rollup.members)} members",
        "comments": "Written by pmo-xl from the PMO master workbook."})
    return workbook, report_formats(workbook)


def _line(sheet: Worksheet, fmt: dict, row: int, text: str, kind: str = "note") -> int:
    sheet.merge_range(row, 0, row, LAST_COL, text, fmt[kind])
    lines = line_count(text, span_width(sheet, 0, LAST_COL))
    sheet.set_row(row, LINE_HEIGHT * lines + (2 if lines > 1 else 0))
    return row + 1






def _summary(workbook, sheet: Worksheet, fmt: dict, rollup: Rollup, numbers: Totals,
             generated: dt.datetime) -> None:
    set_widths(sheet, SUMMARY_WIDTHS)
    sheet.hide_gridlines(2)
    enterprise = rollup.enterprise
    sheet.write_string(0, 0, "Enterprise status report", fmt["title"])
    sheet.set_row(0, 24)
    members = counted(rollup)
    top = (f" · {enterprise.top_pmo} and the PMOs under it" if enterprise.top_pmo else "")
    row = _line(sheet, fmt, 1, f"{rollup.organisation} · as of {rollup.as_of.isoformat()} · "
                f"reporting {enterprise.period_text} · {len(members)} PMO masters{top}",
                "text")
    keep = []
    if rollup.not_counted:
        row = heading(sheet, fmt, row + 1, f"Not counted: {len(rollup.not_counted)}")
        row = ruled_grid(sheet, fmt, row, ["Member", "Why it is not counted"], [
                 [(m.name, "severity_error"), m.why_not] for m in rollup.not_counted],
                         SUMMARY_WIDTHS)
        row = _line(sheet, fmt, row, "Their services, KPIs and decisions are not in any "
                    "number of this report.")

    # 1. The decisions across the PMOs, by name.
    items = agenda(rollup)
    first = row + 1
    row = heading(sheet, fmt, row + 1, f"Decisions for the meeting, across the PMOs: "
                   f"{len(items)}")
    if items:
        row = ruled_grid(sheet, fmt, row, ["Decision", "PMO", "Record", "Who decides",
                                           "What is to be decided"],
                         [[f"{n}. {d.kind}", d.pmo, d.record, d.decider, d.headline]
                          for n, (_member, d) in enumerate(items[:FIRST_PAGE_ITEMS], 1)],
                         SUMMARY_WIDTHS)
        if len(items) > FIRST_PAGE_ITEMS:
            row = _line(sheet, fmt, row, f"and {len(items) - FIRST_PAGE_ITEMS} more: the "
                        f"{DECISIONS_SHEET} sheet lists every one.")
    else:
        row = _line(sheet, fmt, row, "No decision is needed this period.")
    keep.append((first, row - 1))

    # 2. The services at Red, by name, with why.
    reds = [(m, s) for m, s in services_counted(rollup) if s.active and s.health == rag.RED]
    first = row + 1
    row = heading(sheet, fmt, row + 1, f"Services at Red: {len(reds)}")
    if reds:
        row = ruled_grid(sheet, fmt, row, ["Service", "PMO", "Stage", "Service Owner", "Why"],
                         [[(s.service_id, "rag_Red"), s.lead_pmo, s.stage, s.owner,
                           f"{s.name or s.service_id}: {s.why}"]
                          for _m, s in reds[:FIRST_PAGE_ITEMS]],
                         SUMMARY_WIDTHS)
        if len(reds) > FIRST_PAGE_ITEMS:
            row = _line(sheet, fmt, row, f"and {len(reds) - FIRST_PAGE_ITEMS} more: the "
                        "Services sheet lists every one.")
    else:
        row = _line(sheet, fmt, row, "No active service is at Red.")
    row = _line(sheet, fmt, row, status_report.HEALTH_RULE_NOTE)
    keep.append((first, row - 1))

    # 3. What only the masters together show.
    across = rollup.across_summary
    first = row + 1
    row = heading(sheet, fmt, row + 1, "Across the PMOs' masters")
    found = across["error"] + across["warning"] + across["info"]
    text = (f"The rules across masters found {found} problem{'' if found == 1 else 's'} "
            f"between the PMOs' masters ({across['error']} errors, {across['warning']} "
            "warnings): the Across masters sheet names the cells on every side, and each PMO "
            "Manager involved has a draft." if found else
            "The rules across masters found nothing between the PMOs' masters.")
    if numbers.copies:
        named = ", ".join(f"{c.service.service_id} (listed by {c.member}, counted in "
                          f"{c.counted_in or 'its first listing'})" for c in numbers.copies[:10])
        more = f" and {len(numbers.copies) - 10} more" if len(numbers.copies) > 10 else ""
        copies = len(numbers.copies)
        text += (f" {copies} service listing{'s are' if copies > 1 else ' is'} a copy of "
                 f"another member's, counted once: {named}{more}.")
    row = _line(sheet, fmt, row, text, "wrap")
    keep.append((first, row - 1))

    # 4. The headline numbers and the charts.
    numbers_row = row + 1
    row = label_rows(sheet, fmt, row + 1, "Headline numbers", numbers.status, value_col=2)
    keep.append((numbers_row, row - 2))
    row = note(sheet, fmt, row, SUMS_NOTE, LAST_COL, 2)
    stage_first, stage_last = count_table(sheet, fmt, row, (Services.stage, "Services"),
                                          numbers.stages)
    row = stage_last + 2
    health_first, health_last = count_table(sheet, fmt, row, ("Active services' health",
                                                              "Services"),
                                            numbers.health, rag_fill=True)
    row = health_last + 2
    by_stage = workbook.add_chart({"type": "column"})
    by_stage.add_series({
        "name": "Services", "categories": ["Summary", stage_first, 0, stage_last, 0],
        "values": ["Summary", stage_first, 1, stage_last, 1], "fill": {"color": "#1F3864"},
        "data_labels": {"value": True}, "gap": 60})
    by_stage.set_title({"name": "Services by stage, every PMO", "name_font": {"size": 12}})
    by_stage.set_legend({"none": True})
    by_stage.set_y_axis({"major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
                         "min": 0, "num_format": "0"})
    sheet.insert_chart(numbers_row, 3, by_stage, {"x_scale": 1.0, "y_scale": 0.75,
                                                   "x_offset": 24, "y_offset": 4})
    by_health = workbook.add_chart({"type": "pie"})
    by_health.add_series({
        "name": "Active services by health",
        "categories": ["Summary", health_first, 0, health_last, 0],
        "values": ["Summary", health_first, 1, health_last, 1],
        "points": [{"fill": {"color": RAG[w]["bg_color"]},
                    "border": {"color": RAG[w]["font_color"]}} for w in rag.HEALTH_WORDS],
        "data_labels": {"value": True, "category": True, "separator": "\n"}})
    by_health.set_title({"name": "Active services by health, every PMO",
                         "name_font": {"size": 12}})
    by_health.set_legend({"position": "right"})
    sheet.insert_chart(stage_first - 1, 3, by_health, {"x_scale": 1.0, "y_scale": 0.75,
                                                       "x_offset": 24, "y_offset": 4})

    # 5. At the foot: what it was made from.
    about = row
    row = heading(sheet, fmt, row, "About this report")
    for label, value in [("Organisation", rollup.organisation), ("As of", rollup.as_of),
                         ("Reporting period", enterprise.period_text),
                         ("Members counted", len(members)),
                         ("Members not counted", len(rollup.not_counted)),
                         ("Settings and strategy from", enterprise.lead.name
                          if enterprise.lead else "none"),
                         ("Generated", generated)]:
        sheet.write_string(row, 0, label, fmt["label"])
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, 1, value, fmt["datetime"])
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), fmt["date"])
        elif isinstance(value, int):
            sheet.write_number(row, 1, value, fmt["cover_integer"])
        else:
            write_text(sheet, row, 1, value, fmt["text"])
        row += 1
    print_setup(sheet, rollup.as_of, header_row=None, title="Enterprise status report")
    keep += [(stage_first - 1, stage_last), (health_first - 1, health_last), (about, row - 1)]
    paginate(sheet, keep=keep)
    sheet.activate()


def _pmo_name(member: MemberOutcome, pmo: str | None) -> str | None:
    if pmo is None:
        return None
    return member.view.pmo_names.get(pmo, pmo)


def _decisions(sheet: Worksheet, fmt: dict, rollup: Rollup) -> None:
    columns = [TableColumn("Decision", "wrap", 18), TableColumn("PMO", "wrap", 16),
               TableColumn("Member", "wrap", 16), TableColumn("Record", "text", 11),
               TableColumn("Service", "text", 10), TableColumn("Who decides", "wrap", 16),
               TableColumn("What is to be decided", "wrap", 60)]
    rows = [[f"{n}. {d.kind}", _pmo_name(member, d.pmo), member.name, d.record, d.service,
             d.decider, d.summary] for n, (member, d) in enumerate(agenda(rollup), 1)]
    write_table(sheet, fmt, columns, rows, name="Decisions",
                empty="No decision is needed this period.")
    print_setup(sheet, rollup.as_of, title="Decisions needed, every PMO")


def _pmos(sheet: Worksheet, fmt: dict, rollup: Rollup) -> None:
    enterprise = rollup.enterprise
    by_pmo: dict[str, list[ServiceLine]] = {}
    for _member, line in services_counted(rollup):
        by_pmo.setdefault(line.lead_pmo or "", []).append(line)
    decisions: dict[str, int] = {}
    for _member, decision in agenda(rollup):
        decisions[decision.pmo or ""] = decisions.get(decision.pmo or "", 0) + 1
    columns = [TableColumn("PMO ID"), TableColumn("PMO", "wrap", 26),
               TableColumn("Parent PMO"), TableColumn("Member", "wrap", 20),
               TableColumn("Services", "count", 9), TableColumn("Active", "count", 8),
               *[TableColumn(w, "count", 9) for w in rag.HEALTH_WORDS],
               TableColumn("Decisions", "count", 9)]
    rows = []
    for outcome in counted(rollup):
        for pmo in enterprise.own_pmos(outcome.keys):
            lines = by_pmo.get(pmo, [])
            health = rag.rag_counts((s.health for s in lines if s.active), health=True)
            rows.append([pmo, outcome.view.pmo_names.get(pmo, pmo), enterprise.parent_of(pmo),
                         outcome.name, len(lines), sum(1 for s in lines if s.active),
                         *health.values(), decisions.get(pmo, 0)])
    last = write_table(sheet, fmt, columns, rows, name="PMOs", empty="No PMO was counted.")
    note(sheet, fmt, last + 2, "Each PMO with the services it leads (counted once) by health, "
         "and the decisions about it. " + status_report.HEALTH_RULE_NOTE, 8, 2)
    print_setup(sheet, rollup.as_of, title="PMOs")


def _members(sheet: Worksheet, fmt: dict, rollup: Rollup) -> None:
    labels = [label for label, _ in (counted(rollup)[0].view.status_numbers
                                     if counted(rollup) else [])]
    columns = [TableColumn("Member", "wrap", 22), TableColumn("Counted", "wrap", 14),
               TableColumn("As of", "date", 11),
               *[TableColumn(label, "count", 10) for label in labels]]
    rows = []
    for member in rollup.members:
        numbers = dict(member.view.status_numbers) if member.view else {}
        state = rollup.state_of(member)
        rows.append([member.name, (state, "severity_error") if not member.counted else state,
                     member.as_of, *[numbers.get(label) if member.counted and
                                     member not in rollup.left_out else None
                                     for label in labels]])
    last = write_table(sheet, fmt, columns, rows, name="Members")
    note(sheet, fmt, last + 2, "Each member's own status report's headline numbers (pmo-xl "
         "report status, or its pack's); the Summary adds them up.", 8, 1)
    print_setup(sheet, rollup.as_of, title="Members")


def _services(sheet: Worksheet, fmt: dict, rollup: Rollup) -> None:
    columns = [TableColumn("Member", "wrap", 18), TableColumn("PMO", "wrap", 18),
               TableColumn(Services.service_id), TableColumn(Services.service_name, "wrap", 28),
               TableColumn(Services.stage), TableColumn(Services.service_owner, "wrap", 16),
               TableColumn("Health", "rag", 11), TableColumn("Why", "wrap", 30),
               TableColumn("Data quality: errors", "count", 10),
               TableColumn("Data quality: warnings", "count", 10)]
    rows = [[member.name, line.pmo_name or line.lead_pmo, line.service_id, line.name,
             line.stage, line.owner,
             line.health if line.health is not None else ("", "rag_none"), line.why,
             line.errors, line.warnings] for member, line in services_counted(rollup)]
    last = write_table(sheet, fmt, columns, rows, name="Services",
                       empty="No member lists a service.")
    row = note(sheet, fmt, last + 2, status_report.HEALTH_RULE_NOTE, 8, 2)
    note(sheet, fmt, row, status_report.DATA_QUALITY_NOTE, 8, 1)
    print_setup(sheet, rollup.as_of, title="Services, every PMO")


def _across(sheet: Worksheet, fmt: dict, rollup: Rollup) -> None:
    columns = [TableColumn("Rule", "text", 7), TableColumn("Severity", "severity", 9),
               TableColumn("Member", "wrap", 20), TableColumn("Cell", "wrap", 22),
               TableColumn("Also at", "wrap", 26), TableColumn("Message", "wrap", 50),
               TableColumn("Hint", "wrap", 40)]
    rows = [[f.rule, f.severity, f.member, f.sides[0].address,
             "\n".join(s.address for s in f.sides[1:]), f.message, f.hint]
            for f in rollup.across if not f.waived]
    write_table(sheet, fmt, columns, rows, name="AcrossMasters",
                empty="The rules across masters found nothing.")
    print_setup(sheet, rollup.as_of, title="Across the PMOs' masters")


# --- the KPI report -------------------------------------------------------------------------


def write_enterprise_kpi(rollup: Rollup, path: Path) -> Path:
    path = Path(path)
    generated = generated_at()
    numbers = totals(rollup)
    with collector_paused(), atomic_output(path) as temp:
        workbook, fmt = _start(temp, rollup, "Enterprise KPI report", generated)
        _kpi_summary(workbook, workbook.add_worksheet("Summary"), fmt, rollup, numbers,
                     generated)
        _kpis(workbook.add_worksheet("KPIs"), fmt, rollup)
        workbook.close()
    return path


def _kpi_summary(workbook, sheet: Worksheet, fmt: dict, rollup: Rollup, numbers: Totals,
                 generated: dt.datetime) -> None:
    set_widths(sheet, [30, 20, 10, 9, 9, 9, 9, 9])
    sheet.write_string(0, 0, "Enterprise KPI report", fmt["title"])
    sheet.set_row(0, 24)
    row = label_rows(sheet, fmt, 2, "About this report", [
        ("Organisation", rollup.organisation), ("As of", rollup.as_of.isoformat()),
        ("Reporting period", rollup.enterprise.period_text),
        ("Members counted", len(counted(rollup))),
        ("Members not counted", len(rollup.not_counted)),
        ("Generated", generated.isoformat(sep=" "))])
    row = label_rows(sheet, fmt, row, "Headline numbers", numbers.kpi)
    row = note(sheet, fmt, row, KPI_SUMS_NOTE, 7, 2)
    row = note(sheet, fmt, row, "How a KPI's RAG is set: " + rag.RAG_RULE, 7, 2)
    columns = [TableColumn("Member", "wrap", 30), TableColumn("PMOs", "wrap", 20),
               *[TableColumn(label.split(" (")[0], "count", 9)
                 for label, _ in (numbers.kpi or kpi_report.headline_numbers([]))]]
    rows = []
    for member in counted(rollup):
        pmos = ", ".join(rollup.enterprise.own_pmos(member.keys))
        rows.append([member.name, pmos, *[value for _label, value in member.view.kpi_numbers]])
    table_row = row
    last = write_table(sheet, fmt, columns, rows, first_row=table_row, name="KpiByMember",
                       empty="No member was counted.", freeze=False)
    if rows and len(rows) <= kpi_report.CHART_SERVICES:
        chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
        for offset, word in enumerate((rag.GREEN, rag.AMBER, rag.RED, rag.NO_DATA)):
            chart.add_series({
                "name": word, "categories": ["Summary", table_row + 1, 0, last, 0],
                "values": ["Summary", table_row + 1, 3 + offset, last, 3 + offset],
                "fill": {"color": RAG[word]["bg_color"]},
                "border": {"color": RAG[word]["font_color"]}, "gap": 60})
        chart.set_title({"name": "KPI RAG by member", "name_font": {"size": 12}})
        chart.set_y_axis({"reverse": True})
        chart.set_x_axis({"min": 0, "num_format": "0"})
        chart.set_legend({"position": "bottom"})
        sheet.insert_chart(last + 2, 0, chart, {"x_scale": 1.2, "y_scale": 0.8})
    print_setup(sheet, rollup.as_of, header_row=None, title="Enterprise KPI report")
    paginate(sheet, keep=[(table_row - 1, last)])
    sheet.activate()


def _kpis(sheet: Worksheet, fmt: dict, rollup: Rollup) -> None:
    columns = [TableColumn("Member", "wrap", 18), TableColumn("Service or PMO", "text", 11),
               TableColumn("Name", "wrap", 22), TableColumn("KPI ID", "text", 9),
               TableColumn("KPI Name", "wrap", 28), TableColumn("Unit", "text", 7),
               TableColumn("Period", "text", 10), TableColumn("Actual", "value", 9),
               TableColumn("Target", "value", 9), TableColumn("RAG", "rag", 9)]
    rows = [[member.name, k.measured, k.measured_name, k.kpi_id, k.name, k.unit, k.period,
             k.actual, k.target, k.rag]
            for member in counted(rollup) for k in member.view.kpis]
    last = write_table(sheet, fmt, columns, rows, name="Kpis", empty="No member has KPIs.")
    note(sheet, fmt, last + 2, "Each KPI for its member's reporting period, as the member's "
         "own KPI report shows it. How a KPI's RAG is set: " + rag.RAG_RULE, 9, 2)
    print_setup(sheet, rollup.as_of, title="KPIs, every PMO")

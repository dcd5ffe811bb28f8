"""Rules and reports tell a service owner one story: property-based over generated masters.

Each example edits the small clean master the way the four disagreements of issue 8 arose
(duplicate actuals with different values, actuals dated inside their quarter, go-live dates
around the reporting period, closing services whose outputs others take, risk statuses), then
checks it, writes the pack (status report, KPI report, email draft) and reads the written
files back. Each property compares what a report SHOWS with what a rule SAYS, read from the
outputs, never from the shared code that both use:

- every KPI the KPI report flags "Missing" is one K103 flags, or one that is not due (its
  service is not Running, or went live after the period ended); and every KPI K103 flags is
  flagged "Missing" in the report;
- the actual the KPI report shows for a KPI and period is the one on the row K105 says
  stands (the first), never a later duplicate;
- the email's "Active services by health" counts equal the status report's summary table;
- a Closing service whose checklist says "No service depends on it: Done" is named as the
  source of no H109 finding.

Across files (`pmo-xl rollup`): the enterprise status and KPI reports' headline numbers,
health and stage counts, Members sheet and agenda equal the members' own reports added up
(read back from every written workbook), and a service two members list is counted once.

Examples: 20 by default, PMO_XL_AGREEMENT_EXAMPLES for more.
"""

from __future__ import annotations

import copy
import datetime as dt
import email
import email.policy
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pmo_xl import api
from pmo_xl.reports.pack import EMAIL_NAME
from pmo_xl.validators.examples import EXAMPLE_AS_OF, base_rows
from pmo_xl.validators.schema import (
    SIPOC,
    KPIActuals,
    KPIs,
    Risks,
    Services,
    Settings,
    Stage,
)
from pmo_xl.workbook.template import write_master

D = dt.date
EXAMPLES = int(os.environ.get("PMO_XL_AGREEMENT_EXAMPLES") or 20)
MONTHS = [D(2026, m, 1) for m in range(1, 12)]
INSIDE = [D(2026, 7, 1), D(2026, 8, 15), D(2026, 9, 30), D(2026, 10, 1), D(2026, 10, 17),
          D(2026, 10, 31), D(2026, 11, 1), D(2026, 6, 30)]
GO_LIVE = [None, D(2025, 7, 1), D(2026, 6, 30), D(2026, 7, 1), D(2026, 9, 30),
           D(2026, 10, 1), D(2026, 10, 15), D(2026, 10, 31), D(2026, 11, 1), D(2026, 11, 14)]
RISK_STATUS = ["Open", "Mitigating", "Closed", None, "closed", "Opne"]
SEVERITY = ["Low", "Medium", "High", "Critical"]


@st.composite
def moves(draw) -> list[tuple]:
    """Domain edits, each a tuple `apply` understands: every example has a duplicate actual,
    a re-dated actual, a go-live date and a closing service (the four disagreements' ground),
    plus a few others drawn at random."""
    def duplicate():
        return ("duplicate", draw(st.sampled_from(["KPI-01", "KPI-02"])),
                draw(st.sampled_from(INSIDE + MONTHS)),
                draw(st.sampled_from([0, 1, 2.5, 10, 96, 99])))

    def redate():
        return ("redate", draw(st.integers(0, 12)), draw(st.sampled_from(INSIDE)))

    def closing():
        return ("closing", draw(st.sampled_from([Stage.CLOSING, Stage.CLOSED])),
                draw(st.sampled_from(["Archive index", "archive  INDEX", " Archive Index",
                                      "Status dataset", "Something else"])),
                draw(st.booleans()))

    found = [duplicate(), redate(), ("go_live", draw(st.sampled_from(GO_LIVE))), closing()]
    extra = st.sampled_from(["duplicate", "redate", "drop", "frequency", "risk",
                             "reporting_period", "stage"])
    for kind in draw(st.lists(extra, max_size=4)):
        if kind == "duplicate":
            found.append(duplicate())
        elif kind == "redate":
            found.append(redate())
        elif kind == "drop":
            found.append((kind, draw(st.integers(0, 12))))
        elif kind == "frequency":
            found.append((kind, draw(st.sampled_from(["KPI-01", "KPI-02"])),
                          draw(st.sampled_from(["Monthly", "Quarterly"]))))
        elif kind == "risk":
            found.append((kind, draw(st.sampled_from(RISK_STATUS)),
                          draw(st.sampled_from(SEVERITY)),
                          draw(st.sampled_from(["SVC-001", "SVC-002", "SVC-003"]))))
        elif kind == "reporting_period":
            found.append((kind, draw(st.sampled_from([D(2026, 9, 1), D(2026, 10, 1),
                                                      D(2026, 8, 1)]))))
        else:
            found.append((kind, draw(st.sampled_from(["SVC-001", "SVC-002"])),
                          draw(st.sampled_from([Stage.RUNNING, Stage.PILOT,
                                                Stage.TRANSITION]))))
    return found


def apply(rows: dict[str, list[dict]], changes: list[tuple]) -> dict[str, list[dict]]:
    actuals = rows[KPIActuals.SHEET]
    for change in changes:
        kind = change[0]
        if kind == "duplicate":
            _, kpi, period, value = change
            actuals.append({KPIActuals.kpi_id: kpi, KPIActuals.period: period,
                            KPIActuals.actual: value, KPIActuals.reported_by: "P-002"})
        elif kind == "redate" and actuals:
            actuals[change[1] % len(actuals)][KPIActuals.period] = change[2]
        elif kind == "drop" and actuals:
            del actuals[change[1] % len(actuals)]
        elif kind == "go_live":
            rows[Services.SHEET][0][Services.go_live_date] = change[1]
        elif kind == "frequency":
            for kpi in rows[KPIs.SHEET]:
                if kpi[KPIs.kpi_id] == change[1]:
                    kpi[KPIs.frequency] = change[2]
        elif kind == "closing":
            _, stage, output, live_twin = change
            service = rows[Services.SHEET][2]  # SVC-003, Proposed in the clean master
            service[Services.stage] = stage
            publish = rows[SIPOC.SHEET][1]  # PRC-002 of Running SVC-001 takes the index
            publish[SIPOC.inputs] = "Status dataset; Archive index"
            rows[SIPOC.SHEET].append({SIPOC.service_id: "SVC-003",
                                      SIPOC.process_id: f"PRC-9{len(rows[SIPOC.SHEET])}",
                                      SIPOC.process_name: "Old feed", SIPOC.outputs: output})
            if live_twin:  # a live process makes the same output: no dependency
                rows[SIPOC.SHEET].append({SIPOC.service_id: "SVC-002",
                                          SIPOC.process_id: "PRC-800",
                                          SIPOC.process_name: "New feed",
                                          SIPOC.outputs: output})
        elif kind == "risk":
            _, status, severity, service = change
            rows[Risks.SHEET].append({
                Risks.item_id: f"RSK-{100 + len(rows[Risks.SHEET])}",
                Risks.service_id: service, Risks.type: "Risk",
                Risks.description: "Generated risk", Risks.severity: severity,
                Risks.owner: "P-002", Risks.status: status})
        elif kind == "reporting_period":
            rows[Settings.SHEET].append({Settings.setting: "Reporting Period",
                                         Settings.value: change[1]})
        else:
            _, sid, stage = change
            for service in rows[Services.SHEET]:
                if service[Services.service_id] == sid:
                    service[Services.stage] = stage
    return rows


def table(sheet) -> list[dict]:
    """A written report table as dicts keyed by its header row."""
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows)
                  if r and ("Service ID" in r[:3] or "KPI ID" in r[:3]))
    names = rows[header]
    return [dict(zip(names, r, strict=False)) for r in rows[header + 1:] if r and any(r)]


def summary_counts(sheet, heading: str) -> dict[str, int]:
    rows = [r for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r and r[0] == heading)
    counts = {}
    for r in rows[start + 1:]:
        if not r or r[0] is None:
            break
        counts[r[0]] = r[1]
    return counts


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("agreement")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(changes=moves())
# The four disagreements issue 8 found, always among the examples:
@example(changes=[("duplicate", "KPI-01", D(2026, 10, 1), 10)])  # a later actual of 10
@example(changes=[("redate", 12, D(2026, 8, 15))])  # Q3's actual dated inside the quarter
@example(changes=[("closing", Stage.CLOSING, "archive  INDEX", False)])  # spelt otherwise
@example(changes=[("go_live", D(2026, 10, 15)), ("drop", 9)])  # live mid-period, no actual
@example(changes=[("risk", None, "Critical", "SVC-002"), ("stage", "SVC-002", Stage.RUNNING)])
def test_reports_say_what_the_rules_say(folder: Path, changes) -> None:
    master = folder / "master.xlsx"
    write_master(master, apply(base_rows(), changes))
    pack = api.pack(master, EXAMPLE_AS_OF, folder / "pack", force=True)
    result = pack.result
    findings = [f for f in result.findings if not f.waived]
    book = openpyxl.load_workbook(master, data_only=True)

    # 1. "Missing" in the KPI report <=> K103, except KPIs that are not due.
    kpi_report = openpyxl.load_workbook(pack.kpi, data_only=True)
    shown = {r["KPI ID"]: r for r in table(kpi_report["KPIs"])}
    flagged = {f.record for f in findings if f.rule == "K103"}
    kpis = {r[0]: r for r in book[KPIs.SHEET].iter_rows(min_row=2, values_only=True) if r[0]}
    services = {r[0]: r for r in book[Services.SHEET].iter_rows(min_row=2, values_only=True)}
    for kpi, row in shown.items():
        if row["Missing actual"] == "Missing":
            service = services.get(kpis[kpi][1])
            stage = service[8] if service else None
            assert kpi in flagged or stage != Stage.RUNNING or _went_live_after(
                service, row["Period"]), (kpi, row, changes)
    for kpi in flagged:
        assert shown[kpi]["Missing actual"] == "Missing", (kpi, changes)

    # 2. The actual shown is the first row for that KPI and period (the one K105 leaves
    # standing), worked out here from the master itself.
    first_value: dict[tuple[str, str], object] = {}
    for values in book[KPIActuals.SHEET].iter_rows(min_row=2, values_only=True):
        kpi, period, actual = values[0], values[1], values[2]
        if kpi in kpis and isinstance(period, dt.datetime | dt.date):
            first_value.setdefault((kpi, _label(kpis[kpi][8], period)), actual)
    repeated = {f.record for f in findings if f.rule == "K105"}
    for kpi, row in shown.items():
        if (kpi, row["Period"]) in first_value:
            assert row["Actual"] == first_value[(kpi, row["Period"])], (kpi, row, changes)
            assert row["Missing actual"] != "Missing"
    assert repeated <= set(kpis)

    # 3. The email counts what the status report's summary counts.
    status = openpyxl.load_workbook(pack.status, data_only=True)
    counts = summary_counts(status["Summary"], "Active services' health")
    message = email.message_from_bytes((pack.folder / EMAIL_NAME).read_bytes(),
                                       policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",)).get_content()
    said = re.search(r"Active services by health: (.*)\.", body).group(1)
    assert dict((w.rsplit(" ", 1)[0], int(w.rsplit(" ", 1)[1])) for w in said.split(", ")) \
        == counts, (said, counts, changes)

    # 4. A closing service free of dependants is the source of no H109.
    sources = {re.search(r"of (\S+), which is", f.message).group(1)
               for f in findings if f.rule == "H109"}
    for row in table(status["Closing"]):
        if row["No service depends on it"] == "Done":
            assert row["Service ID"] not in sources, (row, changes)


def _went_live_after(service: tuple, period_label: str) -> bool:
    """True when the service's Go-live Date is after the end of the labelled period."""
    go_live = service[27]
    if go_live is None:
        return False
    go_live = go_live.date() if isinstance(go_live, dt.datetime) else go_live
    if " Q" in period_label:
        year, quarter = period_label.split(" Q")
        end_month = 3 * int(quarter)
        following = D(int(year) + end_month // 12, end_month % 12 + 1, 1)
    else:
        start = dt.datetime.strptime(period_label, "%b %Y").date()
        following = D(start.year + start.month // 12, start.month % 12 + 1, 1)
    return go_live >= following


def _label(frequency: str, period) -> str:
    day = period.date() if isinstance(period, dt.datetime) else period
    if frequency == "Quarterly":
        return f"{day.year} Q{(day.month - 1) // 3 + 1}"
    return day.strftime("%b %Y")


# --- every number said twice is the same (meeting.md "One agenda") --------------------------
#
# A pack is written for a generated master with a pack of the month before beside it (so the
# Since last meeting numbers exist), every output is read back (the status report, the KPI
# report, the pack's email, the addressed drafts, `pmo-xl actions --format json` and
# pack.json), and each number that appears in two of them is compared, naming both places
# when they differ. The numbers covered are listed in COVERED (the closing note quotes it).

COVERED = {
    "decisions": "the count of decisions: status Summary (headline and the first page's "
                 "heading), Decisions needed sheet, email, actions JSON, pack.json",
    "decision items": "each decision's kind, record and sentence: Decisions needed sheet, "
                      "email, actions JSON, pack.json (and who decides: sheet, actions JSON, "
                      "pack.json)",
    "first page decisions": "the first page's list (up to ten) against the Decisions sheet",
    "health counts": "active services by health (Green, Amber, Red, No data, Not reporting "
                     "yet): Summary table, Summary headline (Red, Amber), email, Services "
                     "sheet, pack.json",
    "red services": "the services at Red on the first page against the Services sheet",
    "health by service": "each service's health: Services sheet, pack.json",
    "data quality by service": "each service's errors and warnings: Services sheet, pack.json",
    "kpi rag by service": "each service's KPI RAG: status Services sheet, KPI report Summary",
    "kpi rag counts": "KPIs by RAG: KPI report headline, KPI report KPIs sheet, pack.json",
    "kpi summary rows": "each KPI report Summary row's counts against its KPIs sheet",
    "findings by severity": "errors, warnings, info, waived: Summary headline, email, "
                            "pack.json, the status report's Findings sheet",
    "changes in flight": "Summary headline, Changes in flight sheet, Services sheet (Open "
                         "changes)",
    "open risks and issues": "Summary headline (risks, issues), Risks and Issues sheet, "
                             "Services sheet",
    "services by stage": "Summary headline (catalogue, in set-up, Running, Closing), the "
                         "stage table, Services sheet, pack.json",
    "since last meeting": "services whose health and stage moved, risks and issues opened "
                          "and closed, KPIs whose RAG moved, findings new and resolved, drift "
                          "errors and warnings: Summary, Since last meeting sheet, email",
    "actions per person": "each person's count of actions: actions JSON, their addressed "
                          "draft; the number of drafts: email, to-people/, actions JSON",
    "outcomes": "each Outcome KPI's RAG and latest actual: status Outcomes sheet, KPI report "
                "KPIs sheet; the services the Outcomes sheet puts on the agenda, against the "
                "Decisions needed sheet's Improve or close items about a service",
}


class Said:
    """Numbers as each output says them: name -> place -> value."""

    def __init__(self) -> None:
        self.numbers: dict[str, dict[str, object]] = {}

    def __call__(self, name: str, place: str, value: object) -> None:
        self.numbers.setdefault(name, {})[place] = value

    def disagreements(self) -> list[str]:
        found = []
        for name, places in self.numbers.items():
            items = list(places.items())
            for place, value in items[1:]:
                if value != items[0][1]:
                    found.append(f"{name}: {items[0][0]} says {items[0][1]!r}, {place} says "
                                 f"{value!r}")
        return found


def _rows(sheet) -> list[tuple]:
    return [r for r in sheet.iter_rows(values_only=True)]


def _first_table(sheet, first_header: str) -> list[dict]:
    """The table whose header row starts with `first_header`, to its first blank row (none
    when the sheet says it has nothing to list)."""
    rows = _rows(sheet)
    start = next((i for i, r in enumerate(rows) if r and r[0] == first_header), None)
    if start is None:
        return []
    found = []
    for r in rows[start + 1:]:
        if not r or all(v is None for v in r):
            break
        found.append(dict(zip(rows[start], r, strict=False)))
    return found


def _labels(sheet) -> dict[str, object]:
    """Label (column A) -> the first value after it on its row."""
    return {r[0]: next((v for v in r[1:] if v is not None), None)
            for r in _rows(sheet) if r and isinstance(r[0], str)}


def _count_table(sheet, header: str) -> dict[str, int]:
    rows = _rows(sheet)
    start = next(i for i, r in enumerate(rows) if r and r[0] == header)
    found = {}
    for r in rows[start + 1:]:
        if not r or r[0] is None:
            break
        found[r[0]] = r[1]
    return found


def _body(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def _number(text: str, pattern: str) -> int:
    return int(re.search(pattern, text).group(1))


ACTIVE = ("Design", "Pilot", "Transition", "Running", "Closing")
HEALTH = ("Green", "Amber", "Red", "No data", "Not reporting yet")


def read_pack_back(pack_folder: Path, master: Path, as_of: dt.date) -> Said:
    """Every number of one pack, read back from its written outputs."""
    from click.testing import CliRunner

    from pmo_xl.cli import cli

    said = Said()
    stamp = as_of.isoformat()
    status = openpyxl.load_workbook(pack_folder / f"status-report-{stamp}.xlsx",
                                    data_only=True)
    kpi = openpyxl.load_workbook(pack_folder / f"kpi-report-{stamp}.xlsx", data_only=True)
    memory = json.loads((pack_folder / "pack.json").read_text(encoding="utf-8"))
    body = _body(pack_folder / EMAIL_NAME)
    run = CliRunner().invoke(cli, ["actions", str(master), "--as-of", stamp, "--format",
                                   "json"], catch_exceptions=False)
    actions = json.loads(run.stdout)

    # The agenda.
    summary = _labels(status["Summary"])
    heading = next(k for k in summary if k.startswith("Decisions for the meeting: "))
    decisions = _first_table(status["Decisions needed"], "#")
    decisions = [d for d in decisions if isinstance(d["#"], int)]
    listed = re.findall(r"^(\d+)\. (.+)$", body.split("Decisions needed (")[1].split(
        "\n\n")[0], re.M)
    said("decisions", "status Summary headline", summary["Decisions needed"])
    said("decisions", "status Summary first page", int(heading.rsplit(" ", 1)[1]))
    said("decisions", "Decisions needed sheet", len(decisions))
    said("decisions", "email 'Decisions needed (N)'",
         _number(body, r"Decisions needed \((\d+)\):"))
    said("decisions", "email's numbered lines", len(listed))
    said("decisions", "actions --format json", len(actions["decisions"]))
    said("decisions", "pack.json", len(memory["decisions"]))
    said("decision items", "Decisions needed sheet",
         [(d["Decision"], d["Record"], d["What is to be decided"]) for d in decisions])
    said("decision items", "actions --format json",
         [(d["kind"], d["record"], d["summary"]) for d in actions["decisions"]])
    said("decision items", "pack.json",
         [(d["kind"], d["record"], d["summary"]) for d in memory["decisions"]])
    said("decision items", "email",
         [(d["Decision"], d["Record"], d["What is to be decided"]) for d in decisions
          if any(line.startswith(f"{d['Decision']}: {d['What is to be decided']} ")
                 for _n, line in listed)])
    said("who decides", "Decisions needed sheet", [d["Who decides"] for d in decisions])
    said("who decides", "actions --format json",
         [d["decider_name"] for d in actions["decisions"]])
    first_page = [r for r in _first_table(status["Summary"], "Decision") if r["Record"]]
    said("first page decisions", "status Summary first page",
         [(r["Decision"].split(". ", 1)[1], r["Record"]) for r in first_page])
    said("first page decisions", "Decisions needed sheet",
         [(d["Decision"], d["Record"]) for d in decisions[:10]])

    # Health apart from hygiene.
    services = {r["Service ID"]: r for r in _first_table(status["Services"], "Service ID")}
    active = {sid: r for sid, r in services.items() if r["Stage"] in ACTIVE}
    counted = dict.fromkeys(HEALTH, 0)
    for r in active.values():
        counted[r["Health"]] += 1
    said("health counts", "status Summary table", _count_table(status["Summary"],
                                                               "Active services' health"))
    said("health counts", "status Services sheet", counted)
    said("health counts", "email", dict(
        (w.rsplit(" ", 1)[0], int(w.rsplit(" ", 1)[1]))
        for w in re.search(r"Active services by health: (.*)\.\n", body).group(1).split(", ")))
    in_pack = dict.fromkeys(HEALTH, 0)
    for s in memory["services"].values():
        if s["stage"] in ACTIVE:
            in_pack[s["health"]] += 1
    said("health counts", "pack.json", in_pack)
    said("red services", "status Summary headline", summary["Active services at Red"])
    said("red services", "status Services sheet", counted["Red"])
    said("amber services", "status Summary headline", summary["Active services at Amber"])
    said("amber services", "status Services sheet", counted["Amber"])
    reds = [r for r in _first_table(status["Summary"], "Service") if r["Stage"]]
    said("red services listed", "status Summary first page",
         [r["Service"] for r in reds][:10])
    said("red services listed", "status Services sheet",
         [sid for sid, r in active.items() if r["Health"] == "Red"][:10])
    for sid, r in services.items():
        said(f"health of {sid}", "status Services sheet", r["Health"] or None)
        said(f"health of {sid}", "pack.json", memory["services"][sid]["health"])
        said(f"data quality of {sid}", "status Services sheet",
             {"error": r["Data quality: errors"], "warning": r["Data quality: warnings"]})
        said(f"data quality of {sid}", "pack.json", memory["services"][sid]["data_quality"])

    # KPIs.
    kpi_rows = _first_table(kpi["KPIs"], "Service or PMO")
    kpi_counts = dict.fromkeys(("Green", "Amber", "Red", "No data"), 0)
    for r in kpi_rows:
        if r["KPI ID"]:
            kpi_counts[r["RAG"]] += 1
    headline = _labels(kpi["Summary"])
    said("kpi rag counts", "KPI report headline",
         {w: headline[w] for w in ("Green", "Amber", "Red")}
         | {"No data": headline["No data (actual missing)"]})
    said("kpi rag counts", "KPI report KPIs sheet", kpi_counts)
    said("kpi rag counts", "pack.json", {w: sum(1 for k in memory["kpis"].values()
                                                if k["rag"] == w) for w in kpi_counts})
    # Every service's row: on the Summary, or past 20 services on the last sheet.
    rows = _rows(kpi["All services"] if "All services" in kpi.sheetnames else kpi["Summary"])
    last_header = max(i for i, r in enumerate(rows) if r and r[0] == "Service or PMO")
    for r in rows[last_header + 1:]:
        if not r or r[0] is None:
            break
        measured = [k for k in kpi_rows if k["Service or PMO"] == r[0]]
        said(f"KPI counts of {r[0]}", "KPI report Summary row", list(r[3:8]))
        said(f"KPI counts of {r[0]}", "KPI report KPIs sheet",
             [len(measured), *(sum(1 for k in measured if k["RAG"] == w)
                               for w in ("Green", "Amber", "Red", "No data"))])
        if r[0] in services:
            said(f"KPI RAG of {r[0]}", "KPI report Summary row", r[8])
            said(f"KPI RAG of {r[0]}", "status Services sheet", services[r[0]]["KPI RAG"])
            said(f"health of {r[0]}", "KPI report Summary row", r[9] or None)
            said(f"health of {r[0]}", "status Services sheet", services[r[0]]["Health"] or None)
    _ranking_said(said, kpi, [r[0] for r in rows[last_header + 1:] if r and r[0] is not None])

    # Outcomes: the Outcomes sheet shows the KPI report's RAG of each Outcome KPI of a service
    # that reports, and puts on the agenda exactly the services the agenda asks about.
    by_kpi = {k["KPI ID"]: k for k in kpi_rows if k["KPI ID"]}
    outcomes = _first_table(status["Outcomes"], "Objective ID")
    for r in outcomes:
        if r["KPI ID"] and r["RAG"]:
            said(f"outcome KPI {r['KPI ID']}", "status Outcomes sheet", (r["RAG"], r["Latest"]))
            said(f"outcome KPI {r['KPI ID']}", "KPI report KPIs sheet",
                 (by_kpi.get(r["KPI ID"], {}).get("RAG"),
                  by_kpi.get(r["KPI ID"], {}).get("Actual")))
    said("outcomes unmet", "status Outcomes sheet", sorted(
        {r["Service ID"] for r in outcomes
         if str(r["Delivering its outcome?"]).endswith("on the agenda to improve or close")}))
    said("outcomes unmet", "Decisions needed sheet", sorted(
        d["Record"] for d in decisions
        if d["Decision"] == "Improve or close" and d["Record"] in services))

    # Findings by severity.
    checks = re.search(r"Checks of the master workbook: (\d+) errors?, (\d+) warnings?, "
                       r"(\d+) info(?: \((\d+) waived\))?", body)
    findings = _first_table(status["Findings"], "Rule")
    findings = [f for f in findings if f["Severity"]]
    for place, values in (
            ("status Summary headline", [summary["Error findings"], summary["Warnings"],
                                         summary["Info findings"], summary["Waived findings"]]),
            ("email", [int(checks.group(1)), int(checks.group(2)), int(checks.group(3)),
                       int(checks.group(4) or 0)]),
            ("pack.json", [memory["summary"][k] for k in ("error", "warning", "info",
                                                          "waived")]),
            ("status Findings sheet", [
                sum(1 for f in findings if f["Severity"] == s and not f["Waived"])
                for s in ("Error", "Warning", "Info")] + [
                sum(1 for f in findings if f["Waived"])])):
        said("findings by severity", place, values)

    # Changes in flight, open risks and issues, stages.
    changes = _first_table(status["Changes in flight"], "Change ID")
    changes = [c for c in changes if c["Service ID"] or c["Status"]]
    said("changes in flight", "status Summary headline", summary["Changes in flight"])
    said("changes in flight", "Changes in flight sheet", len(changes))
    said("changes in flight", "status Services sheet",
         sum(r["Open changes"] for r in services.values())
         + sum(1 for c in changes if c["Service ID"] not in services))
    items = [r for r in _first_table(status["Risks and Issues"], "ID") if r["Type"]]
    said("open risks", "status Summary headline", summary["Open risks"])
    said("open risks", "Risks and Issues sheet", sum(1 for r in items if r["Type"] == "Risk"))
    said("open issues", "status Summary headline", summary["Open issues"])
    said("open issues", "Risks and Issues sheet", sum(1 for r in items if r["Type"] == "Issue"))
    said("open risks and issues", "Risks and Issues sheet",
         sum(1 for r in items if r["Service ID"] in services))
    said("open risks and issues", "status Services sheet",
         sum(r["Open risks and issues"] for r in services.values()))
    stages = [r["Stage"] for r in services.values()]
    said("services", "status Summary headline", summary["Services in the catalogue"])
    said("services", "status Services sheet", len(services))
    said("services", "pack.json", len(memory["services"]))
    for label, wanted in (("In set-up", ("Design", "Pilot", "Transition")),
                          ("Running", ("Running",)), ("Closing", ("Closing",))):
        said(f"services {label}", "status Summary headline", summary[label])
        said(f"services {label}", "status Services sheet",
             sum(1 for s in stages if s in wanted))
        said(f"services {label}", "pack.json", sum(
            1 for s in memory["services"].values() if s["stage"] in wanted))
    stage_table = _count_table(status["Summary"], "Stage")
    for stage, count in stage_table.items():
        said(f"services at {stage}", "status Summary stage table", count)
        said(f"services at {stage}", "status Services sheet", stages.count(stage))

    # Since last meeting.
    if "Since last meeting" in status.sheetnames:
        moves = _first_table(status["Since last meeting"], "What")
        moves = [m for m in moves if m["What"]]

        def lines(what: str) -> int:
            return sum(1 for m in moves if m["What"] == what)

        paragraph = next(line for line in body.splitlines()
                         if line.startswith("Since the pack of"))
        for label, what, pattern in (
                ("Services whose health moved", "Service health",
                 r"(\d+) services? changed health"),
                ("Services whose stage moved", "Service stage", r"; (\d+) moved stage"),
                ("Risks and issues opened", "Risk or issue opened", r"(\d+) opened"),
                ("Risks and issues closed", "Risk or issue closed", r"(\d+) closed"),
                ("KPIs whose RAG moved", "KPI RAG", r"(\d+) KPIs? changed RAG"),
                ("New findings", "New finding", r"findings: (\d+) new"),
                ("Findings resolved", "Finding resolved", r"(\d+) resolved"),
                ("Drift errors", None, r"seen: (\d+) errors?"),
                ("Drift warnings", None, r"(\d+) warnings?\.")):
            said(f"since: {label}", "status Summary", summary[label])
            if what is not None:
                said(f"since: {label}", "Since last meeting sheet", lines(what))
            said(f"since: {label}", "email paragraph", _number(paragraph, pattern))
        drift = [m for m in moves if m["What"] == "Drift finding"]
        said("since: Drift errors", "Since last meeting sheet",
             sum(1 for m in drift if m["Name"].endswith(" error")))
        said("since: Drift warnings", "Since last meeting sheet",
             sum(1 for m in drift if m["Name"].endswith(" warning")))

    # Actions per person, and the drafts.
    drafts = {}
    folder = pack_folder / "to-people"
    for path in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        text = _body(path)
        one = "please see to this item" in " ".join(text.split())
        drafts[message["X-PMO-XL-Person"]] = 1 if one else _number(
            " ".join(text.split()), r"please see to these (\d+) items")
    addressed = {p["person"]: len(p["actions"]) for p in actions["people"]
                 if p["person"] not in actions["unaddressed"]}
    said("actions per person", "actions --format json", addressed)
    said("actions per person", "addressed drafts (to-people/)", drafts)
    said("addressed drafts", "email", _number(body, r"Each person's actions: (\d+) addressed"))
    said("addressed drafts", "to-people/", len(drafts))
    said("addressed drafts", "actions --format json", len(addressed))
    return said


def _month_before(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The master a month earlier: the same records, less the last month's actuals."""
    earlier = copy.deepcopy(rows)
    earlier[KPIActuals.SHEET] = [a for a in earlier[KPIActuals.SHEET]
                                 if not isinstance(a.get(KPIActuals.period), dt.date)
                                 or a[KPIActuals.period] < D(2026, 10, 1)]
    return earlier


def _agree(folder: Path, rows: dict[str, list[dict]], as_of: dt.date) -> Said:
    """Write last month's pack and this month's beside it, read this one back."""
    before = folder / "before.xlsx"
    write_master(before, _month_before(rows))
    api.pack(before, as_of - dt.timedelta(days=31), folder / "pack-earlier", force=True)
    master = folder / "master.xlsx"
    write_master(master, rows)
    api.pack(master, as_of, folder / "pack-now", force=True)
    said = read_pack_back(folder / "pack-now", master, as_of)
    assert not said.disagreements(), "\n".join(said.disagreements())
    return said


@settings(max_examples=max(4, EXAMPLES // 2), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(changes=moves())
@example(changes=[("risk", "Open", "Critical", "SVC-002"), ("stage", "SVC-001", Stage.PILOT)])
def test_every_number_said_twice_is_the_same(tmp_path_factory, changes) -> None:
    folder = tmp_path_factory.mktemp("said")
    said = _agree(folder, apply(base_rows(), changes), EXAMPLE_AS_OF)
    assert {"decisions", "health counts", "findings by severity", "changes in flight",
            "actions per person", "since: New findings"} <= set(said.numbers)


def test_an_outcome_not_delivered_is_said_the_same_on_the_outcomes_sheet_and_agenda(
        tmp_path) -> None:
    """SVC-001's only Outcome KPI (KPI-02) without an actual for three quarters: the
    Outcomes sheet and the Decisions needed sheet both name it, once."""
    rows = base_rows()
    rows["KPI Actuals"] = [r for r in rows["KPI Actuals"] if r["KPI ID"] != "KPI-02"]
    said = _agree(tmp_path, rows, EXAMPLE_AS_OF)
    assert said.numbers["outcomes unmet"] == {"status Outcomes sheet": ["SVC-001"],
                                              "Decisions needed sheet": ["SVC-001"]}


def _ranking_said(said: Said, kpi, every: list[str]) -> None:
    """One ranking of attention: the services the Summary's attention table names are the
    ones the trend charts chart, in the same order, and every sheet lists services in it."""
    attention = [r["Service or PMO"] for r in _first_table(kpi["Summary"], "Service or PMO")]
    charted = []
    for title in _chart_titles(kpi):
        sid = title.split(" · ", 1)[0]
        if " · " in title and sid not in charted:
            charted.append(sid)
    said("services that need most attention", "KPI report Summary attention table", attention)
    said("services that need most attention", "KPI report Trend charts titles", charted)
    said("services that need most attention", "KPI report Summary, every service",
         every[:len(attention)])
    for sheet, header in (("KPIs", "Service or PMO"), ("Trends", "Service or PMO")):
        order = []
        for r in _first_table(kpi[sheet], header if sheet == "KPIs" else "KPI ID"):
            measured = r.get("Service or PMO")
            if measured in every and measured not in order:
                order.append(measured)
        # A sheet's first table (Trends: the monthly KPIs) lists some of them, in that order.
        said(f"ranking of attention on {sheet}", "KPI report Summary",
             [m for m in every if m in order])
        said(f"ranking of attention on {sheet}", f"KPI report {sheet} sheet", order)
    assert len(every) == 0 or attention, "the attention table names services"


def _chart_titles(book) -> list[str]:
    """The trend charts' titles in the order they sit on the Trend charts sheet."""
    sheet = book["Trend charts"]
    placed = sorted(sheet._charts, key=lambda c: (c.anchor._from.row, c.anchor._from.col))
    titles = []
    for chart in placed:
        runs = chart.title.tx.rich.p[0].r if chart.title and chart.title.tx.rich else []
        titles.append("".join(run.t for run in runs))
    return titles


def test_every_number_said_twice_is_the_same_in_the_demo(tmp_path) -> None:
    from pmo_xl.example.northwind import THIS_MONTH, example_rows

    as_of = dt.date(2026, 12, 6)
    said = _agree(tmp_path, example_rows(as_of, THIS_MONTH), as_of)
    assert said.numbers["decisions"]["pack.json"] == 7
    assert said.numbers["red services"]["status Services sheet"] == 3


def test_every_number_said_twice_is_the_same_at_120_services(tmp_path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "generate", Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    master = tmp_path / "m120.xlsx"
    generate.generate(120, master)
    api.pack(master, generate.AS_OF, tmp_path / "pack", force=True)
    said = read_pack_back(tmp_path / "pack", master, generate.AS_OF)
    assert not said.disagreements(), "\n".join(said.disagreements())
    assert said.numbers["decisions"]["pack.json"] > 10  # the first page lists ten


def test_a_disagreement_names_both_places() -> None:
    said = Said()
    said("decisions", "status Summary headline", 3)
    said("decisions", "email 'Decisions needed (N)'", 7)
    assert said.disagreements() == [
        "decisions: status Summary headline says 3, email 'Decisions needed (N)' says 7"]


# --- across files: the enterprise roll-up adds up the members' own reports -------------------


def _block(sheet, heading: str) -> dict[str, int]:
    """The label/number lines under `heading` (a Summary's Headline numbers), to the first
    blank row: label -> its number."""
    rows = _rows(sheet)
    start = next(i for i, r in enumerate(rows) if r and r[0] == heading)
    found = {}
    for r in rows[start + 1:]:
        if not r or r[0] is None:
            break
        found[r[0]] = next(v for v in r[1:] if isinstance(v, int | float))
    return found


def _own_reports(member: Path, as_of: dt.date, folder: Path) -> tuple[Path, Path]:
    """A member's own status and KPI reports, as its PMO has them: a pack's were written
    with it; a master's are written now, as `pmo-xl report status/kpi` writes them."""
    if member.is_dir():
        return next(member.glob("status-report-*.xlsx")), next(member.glob("kpi-report-*.xlsx"))
    return (api.report_status(member, as_of, folder / f"{member.stem}-status.xlsx"),
            api.report_kpi(member, as_of, folder / f"{member.stem}-kpi.xlsx"))


def _added_up(readings: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for reading in readings:
        for label, value in reading.items():
            total[label] = total.get(label, 0) + value
    return total


def test_enterprise_totals_are_the_sum_of_the_members_own_reports(tmp_path: Path) -> None:
    """Read back from the written workbooks: every headline number, the health and stage
    counts of the enterprise status report and the KPI report's numbers equal the sums of
    the members' own reports (the Finance PMO's being its pack's), and the Members sheet
    shows each member's own numbers."""
    from pmo_xl.example.enterprise import write_enterprise_members
    from pmo_xl.example.northwind import EXAMPLE_AS_OF as AS_OF

    members = write_enterprise_members(tmp_path / "members", AS_OF)
    found = api.rollup(members, AS_OF, output=tmp_path / "rollup")
    assert not found.not_counted
    own = [_own_reports(m, AS_OF, tmp_path) for m in members]
    status = [openpyxl.load_workbook(s)["Summary"] for s, _k in own]
    kpi = [openpyxl.load_workbook(k)["Summary"] for _s, k in own]
    enterprise = openpyxl.load_workbook(tmp_path / "rollup" / "enterprise-status-report.xlsx")
    summary = enterprise["Summary"]
    assert _block(summary, "Headline numbers") == _added_up(
        [_block(s, "Headline numbers") for s in status])
    assert _count_table(summary, "Active services' health") == _added_up(
        [_count_table(s, "Active services' health") for s in status])
    assert _count_table(summary, "Stage") == _added_up([_count_table(s, "Stage") for s in status])
    enterprise_kpi = openpyxl.load_workbook(tmp_path / "rollup" / "enterprise-kpi-report.xlsx")
    assert _block(enterprise_kpi["Summary"], "Headline numbers") == _added_up(
        [_block(k, "Headline numbers") for k in kpi])
    # The Members sheet: each member's own numbers, row by row.
    rows = _first_table(enterprise["Members"], "Member")
    for member, sheet in zip(found.members, status, strict=True):
        (row,) = [r for r in rows if r["Member"] == member.name]
        mine = _block(sheet, "Headline numbers")
        assert {label: row[label] for label in mine} == mine
    # The agenda: one list across the members, as long as theirs together.
    decisions = _first_table(enterprise["Decisions needed"], "Decision")
    assert len(decisions) == _added_up(
        [_block(s, "Headline numbers") for s in status])["Decisions needed"]
    # The services at Red on the first page are the Services sheet's Red ones.
    services = _first_table(enterprise["Services"], "Member")
    red = {r["Service ID"] for r in services if r["Health"] == "Red"}
    assert len(red) == _block(summary, "Headline numbers")["Active services at Red"]


def test_a_service_two_members_list_is_counted_once_and_named(tmp_path: Path) -> None:
    """Two masters listing the same three services (the second's are copies: its PMOs'
    own master is the first): the enterprise counts each once, says which, and every other
    number is still the two members' own added up."""
    from pmo_xl.validators.examples import write_example

    members = [write_example(tmp_path / name, saved=EXAMPLE_AS_OF)
               for name in ("enterprise.xlsx", "programme.xlsx")]
    api.rollup(members, EXAMPLE_AS_OF, output=tmp_path / "rollup")
    own = [openpyxl.load_workbook(api.report_status(m, EXAMPLE_AS_OF, tmp_path / f"{m.stem}-s"
                                                    ".xlsx"))["Summary"] for m in members]
    summary = openpyxl.load_workbook(
        tmp_path / "rollup" / "enterprise-status-report.xlsx")["Summary"]
    theirs = _added_up([_block(s, "Headline numbers") for s in own])
    mine = _block(summary, "Headline numbers")
    assert mine["Services in the catalogue"] == theirs["Services in the catalogue"] - 3 == 3
    for label in ("Open risks", "Error findings", "Decisions needed"):
        assert mine[label] == theirs[label]
    text = " ".join(str(v) for r in _rows(summary) for v in r if isinstance(v, str))
    assert "3 service listings are a copy of another member's, counted once" in text
    assert "SVC-001 (listed by programme.xlsx, counted in enterprise.xlsx)" in text

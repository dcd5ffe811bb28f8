"""Write a synthetic enterprise master: N services with everything a large PMO keeps.

Usage: python benchmarks/generate.py --services N OUT.xlsx

Services come in blocks of ten, modelled on the clean example master
(`validators/examples.py`): eight Running services, each with its SIPOC (2 processes),
handbook (3 procedures, 5 RACI rows), 3 monthly KPIs with 18 months of actuals, lifecycle
log, a risk and a change; one service in Design; one Proposed. Each block has its own two
PMOs and six people. About 1 service in 1,000 carries a typo so the check has something to
find. At N = 5,000 that is ~300,000 rows, KPI Actuals (~216,000) the largest.

Written with xlsxwriter in constant_memory mode, row by row, so N = 20,000 fits in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import xlsxwriter

from pmo_xl.validators.cell_checks import SCHEMAS
from pmo_xl.validators.schema import RACI_ROLES

D = dt.date
BLOCK = 10  # services per block: 8 Running, 1 Design, 1 Proposed
RUNNING = 8
MONTHS = 18
FIRST_PERIOD = D(2025, 5, 1)  # 18 monthly actuals: May 2025 .. Oct 2026
AS_OF = D(2026, 11, 15)  # the as-of date the benchmark checks at
RACI_COLUMNS = ("Service Owner", "Service Manager", "Service Operative", "Customer")
TYPO_EVERY = 997  # one service in ~1,000 has a Stage typo


def month(start: D, offset: int) -> D:
    index = start.year * 12 + start.month - 1 + offset
    return D(index // 12, index % 12 + 1, 1)


def _ids(block: int) -> dict[str, str]:
    b = f"{block:05d}"
    return {
        "pmo1": f"PMO-{b}-1", "pmo2": f"PMO-{b}-2", "obj": "OBJ-1",
        **{f"p{i}": f"P-{b}-{i}" for i in range(1, 7)},
    }


def _service_id(n: int) -> str:
    return f"SVC-{n:05d}"


# --- one generator per sheet: yields {header: value} ----------------------------------------


def services(n: int) -> Iterator[dict]:
    for i in range(n):
        block, slot = divmod(i, BLOCK)
        ids = _ids(block)
        sid = _service_id(i + 1)
        if slot < RUNNING:
            yield {
                "Service ID": sid, "Service Name": f"Portfolio reporting {i + 1}",
                "Description": "Monthly portfolio status report to the executive board.",
                "Category": ("Reporting", "Assurance", "Planning", "Resourcing")[slot % 4],
                "Lead PMO": ids["pmo1"], "Customers": "Executive board",
                "Desired Outcome": "Decisions taken on current, trusted portfolio data.",
                "Scope": "Portfolio",
                "Stage": "Runing" if i % TYPO_EVERY == TYPO_EVERY - 1 else "Running",
                "Offering": "Mandated" if slot % 2 == 0 else "Menu",
                "Delivery": "In-house", "Strategic Objective": ids["obj"],
                "Priority": 1 + slot % 3, "Funding": "Central", "Planned FTE": 0.4,
                "Service Owner": ids["p1"], "Service Managers": ids["p2"],
                "Operatives": f"{ids['p4']}; {ids['p5']}", "Temporary": "N",
                "Approved Date": D(2024, 10, 7), "Design Start": D(2024, 11, 4),
                "Pilot Start": D(2025, 1, 6), "Sign-off Date": D(2025, 3, 3),
                "Readiness Assessment Date": D(2025, 3, 17), "Rollout Approach": "Phased",
                "Go-live Date": D(2025, 4, 1), "Last Reviewed": D(2026, 9, 1),
                "Pilot Result": "Met", "Pilot Result Date": D(2025, 2, 24),
            }
        elif slot == RUNNING:
            yield {
                "Service ID": sid, "Service Name": f"Benefits tracking {i + 1}",
                "Description": "Track benefits of programmes against their business cases.",
                "Category": "Assurance", "Lead PMO": ids["pmo2"],
                "Customers": "Programme boards",
                "Desired Outcome": "Benefits realised are visible and owned.",
                "Scope": "Multiple projects or programmes", "Stage": "Design",
                "Offering": "Menu", "Delivery": "In-house", "Strategic Objective": ids["obj"],
                "Priority": 2, "Funding": "Recharged", "Planned FTE": 1,
                "Service Owner": ids["p2"], "Service Managers": ids["p3"], "Temporary": "N",
                "Approved Date": D(2026, 6, 1), "Design Start": D(2026, 7, 1),
                "Last Reviewed": D(2026, 7, 1),
            }
        else:
            yield {
                "Service ID": sid, "Service Name": f"Lessons learned library {i + 1}",
                "Description": "Collect and share lessons from closed projects.",
                "Category": "Knowledge", "Lead PMO": ids["pmo1"], "Scope": "Organisation",
                "Stage": "Proposed", "Offering": "Off-menu", "Strategic Objective": ids["obj"],
                "Priority": 3, "Planned FTE": 0.5, "Service Owner": ids["p1"],
            }


def _blocks(n: int) -> range:
    return range((n + BLOCK - 1) // BLOCK)


def _running(n: int) -> Iterator[tuple[int, str, dict[str, str]]]:
    """(service number, Service ID, the block's IDs) of every Running service."""
    for i in range(n):
        block, slot = divmod(i, BLOCK)
        if slot < RUNNING:
            yield i + 1, _service_id(i + 1), _ids(block)


def pmos(n: int) -> Iterator[dict]:
    for block in _blocks(n):
        ids = _ids(block)
        # Each PMO's capacity is what its people give (G109): four people in the first,
        # two in the second, with room for the block's proposal.
        yield {"PMO ID": ids["pmo1"], "PMO Name": f"Enterprise PMO {block + 1}",
               "Level": "Enterprise", "Capacity FTE": 4, "PMO Manager": ids["p2"]}
        yield {"PMO ID": ids["pmo2"], "PMO Name": f"Change Programme PMO {block + 1}",
               "Level": "Programme", "Parent PMO": ids["pmo1"], "Capacity FTE": 2,
               "PMO Manager": ids["p3"]}


PEOPLE = (("Dana Director", "PMO Director", "pmo1"), ("Morgan Manager", "PMO Manager", "pmo1"),
          ("Pat Programme", "PMO Manager", "pmo2"), ("Alex Analyst", "PMO Analyst", "pmo1"),
          ("Sam Admin", "PMO Administrator", "pmo1"), ("Jo Analyst", "PMO Analyst", "pmo2"))


def people(n: int) -> Iterator[dict]:
    for block in _blocks(n):
        ids = _ids(block)
        for k, (name, role, pmo) in enumerate(PEOPLE, start=1):
            first = name.split()[0].lower()
            yield {"Person ID": ids[f"p{k}"], "Name": f"{name} {block + 1}", "Job Role": role,
                   "PMO": ids[pmo], "FTE": 1, "Email": f"{first}.{block + 1}@example.org"}


def strategy(n: int) -> Iterator[dict]:
    yield {"Objective ID": "OBJ-1", "Objective": "Deliver the change portfolio on time and "
           "within budget.", "Owner": _ids(0)["p1"]}


def documents(n: int) -> Iterator[dict]:
    ids = _ids(0)
    yield {"Document": "Service Strategy", "Owner": ids["p1"], "Version": "1.0",
           "Last Reviewed": D(2026, 4, 1)}
    yield {"Document": "Service Catalogue", "Owner": ids["p2"], "Version": "2.1",
           "Last Reviewed": D(2026, 9, 1)}
    yield {"Document": "Operations Handbook", "Owner": ids["p2"], "Version": "1.4",
           "Last Reviewed": D(2026, 9, 1)}


def sipoc(n: int) -> Iterator[dict]:
    # Each service's processes have outputs of their own (as in a real catalogue): one
    # output name shared by thousands of processes would make a dependency graph with
    # millions of edges, which no PMO has.
    for k, sid, _ in _running(n):
        yield {"Service ID": sid, "Process ID": f"PRC-{k:05d}-1",
               "Process Name": "Collect status", "Suppliers": "Project managers",
               "Inputs": "Project status updates", "Outputs": f"Status dataset {k}",
               "Customers": "PMO analysts",
               "Input Quality Criteria": "Submitted by the 5th working day",
               "Output Quality Criteria": "Every active project present"}
        yield {"Service ID": sid, "Process ID": f"PRC-{k:05d}-2",
               "Process Name": "Publish report", "Suppliers": "PMO analysts",
               "Inputs": f"Status dataset {k}", "Outputs": f"Portfolio report {k}",
               "Customers": "Executive board",
               "Output Quality Criteria": "Published by the 10th working day"}


def procedures(n: int) -> Iterator[dict]:
    for k, sid, ids in _running(n):
        common = {"Service ID": sid, "Status": "Approved", "Owner": ids["p2"],
                  "Last Reviewed": D(2026, 9, 1)}
        yield {"Procedure ID": f"PRD-{k:05d}-1",
               "Procedure Name": "Request and chase status updates",
               "Process ID": f"PRC-{k:05d}-1",
               "Tools and Techniques": "Status template; reminder emails", "Version": "1.2",
               "Kind": "Delivery", **common}
        yield {"Procedure ID": f"PRD-{k:05d}-2", "Procedure Name": "Compile and publish",
               "Process ID": f"PRC-{k:05d}-2", "Tools and Techniques": "Report template",
               "Version": "1.1", "Kind": "Delivery", **common}
        yield {"Procedure ID": f"PRD-{k:05d}-3", "Procedure Name": "Report the KPIs",
               "Version": "1.0", "Kind": "Monitoring", **common}


RACI_ROWS = ((1, "Send the status request", ("", "A", "R", "I")),
             (1, "Chase late updates", ("I", "A", "R", "")),
             (2, "Compile the report", ("", "A", "R", "")),
             (2, "Approve and publish", ("A", "R", "", "I")),
             (3, "Report KPIs to the owner", ("I", "A/R", "C", "")))


def raci(n: int) -> Iterator[dict]:
    for k, _sid, _ in _running(n):
        for procedure, activity, letters in RACI_ROWS:
            row = {"Procedure ID": f"PRD-{k:05d}-{procedure}", "Activity": activity}
            row.update({r: v for r, v in zip(RACI_COLUMNS, letters, strict=True) if v})
            yield row


KPI_NAMES = ("Reports published on time", "Status updates received on time",
             "Board actions closed on time")


def kpis(n: int) -> Iterator[dict]:
    for k, sid, ids in _running(n):
        for j, name in enumerate(KPI_NAMES, start=1):
            yield {"KPI ID": f"KPI-{k:05d}-{j}", "Service ID": sid, "KPI Name": name,
                   "Unit": "%", "Direction": "Higher is better", "Target": 95,
                   "Amber Threshold": 90, "Frequency": "Monthly",
                   "Owner": ids["p2"], "Baseline": 70,
                   "Evidences": ("Outcome", "Output", "Adoption")[j - 1]}


def kpi_actuals(n: int) -> Iterator[dict]:
    for k, _sid, ids in _running(n):
        for j in range(1, len(KPI_NAMES) + 1):
            for m in range(MONTHS):
                period = month(FIRST_PERIOD, m)
                actual = 85 + (k * 7 + j * 3 + m * 5) % 15
                row = {"KPI ID": f"KPI-{k:05d}-{j}", "Period": period, "Actual": actual,
                       "Reported By": ids["p2"], "Reported On": period}
                if actual < 90:
                    row["Commentary"] = "Two projects reported late; reminders moved earlier."
                yield row


def risks(n: int) -> Iterator[dict]:
    for k, sid, ids in _running(n):
        yield {"ID": f"RSK-{k:05d}", "Service ID": sid, "Type": "Risk",
               "Description": "Project managers miss the status deadline in holiday months.",
               "Severity": ("Low", "Medium", "High")[k % 3], "Owner": ids["p2"],
               "Status": "Open",
               "Escalation Level": "Service Ownership" if k % 3 == 2 else "Service Operations",
               "Raised Date": D(2026, 9, 1), "Target Date": D(2026, 12, 31),
               "Action": "Send reminders two days earlier."}


def changes(n: int) -> Iterator[dict]:
    for k, sid, ids in _running(n):
        yield {"Change ID": f"CHG-{k:05d}", "Service ID": sid, "Type": "Change request",
               "Reason": "Feedback", "Description": "Add a benefits section to the report.",
               "Requested Date": D(2026, 5, 4), "Status": "Implemented",
               "Approved By": ids["p1"], "Approved Date": D(2026, 5, 18),
               "Strategy Updated": "N", "Catalogue Updated": "Y", "Handbook Updated": "Y"}


STEPS = (("Proposed", "Design", D(2024, 11, 4)), ("Design", "Pilot", D(2025, 1, 6)),
         ("Pilot", "Transition", D(2025, 3, 3)), ("Transition", "Running", D(2025, 4, 1)))


def lifecycle_log(n: int) -> Iterator[dict]:
    for i in range(n):
        block, slot = divmod(i, BLOCK)
        ids = _ids(block)
        sid = _service_id(i + 1)
        if slot < RUNNING:
            for old, new, when in STEPS:
                yield {"Service ID": sid, "From Stage": old, "To Stage": new, "Date": when,
                       "Approved By": ids["p1"]}
        elif slot == RUNNING:
            yield {"Service ID": sid, "From Stage": "Proposed", "To Stage": "Design",
                   "Date": D(2026, 7, 1), "Approved By": ids["p2"]}


def settings(n: int) -> Iterator[dict]:
    yield {"Setting": "Organisation", "Value": "Benchmark Org"}
    yield {"Setting": "Mandated Share Target", "Value": "50%"}


SHEETS = {
    "Services": services, "PMOs": pmos, "People": people, "Strategy": strategy,
    "Documents": documents, "SIPOC": sipoc, "Procedures": procedures, "RACI": raci,
    "KPIs": kpis, "KPI Actuals": kpi_actuals, "Risks and Issues": risks, "Changes": changes,
    "Lifecycle Log": lifecycle_log, "Waivers": lambda n: iter(()), "Settings": settings,
}


def headers(sheet: str) -> list[str]:
    names = list(SCHEMAS[sheet].columns)
    if sheet == "RACI":
        names += [r for r in RACI_ROLES if r in RACI_COLUMNS]
    return names


def generate(services_count: int, out: Path) -> dict[str, int]:
    """Write the master; returns the number of data rows per sheet."""
    return write(out, {sheet: rows(services_count) for sheet, rows in SHEETS.items()})


def write(out: Path, sheets: dict[str, Iterable[dict]],
          names: dict[str, list[str]] | None = None) -> dict[str, int]:
    """Write records per sheet (row by row, in constant memory); `names` overrides a sheet's
    header order (benchmarks/diff.py inserts a column). Returns data rows per sheet."""
    book = xlsxwriter.Workbook(str(out), {"constant_memory": True,
                                          "strings_to_formulas": False,
                                          "strings_to_urls": False,
                                          "strings_to_numbers": False})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    bold = book.add_format({"bold": True})
    counts = {}
    for sheet, rows in sheets.items():
        page = book.add_worksheet(sheet)
        columns = (names or {}).get(sheet) or headers(sheet)
        page.write_row(0, 0, columns, bold)
        r = 0
        for r, record in enumerate(rows, start=1):
            for c, header in enumerate(columns):
                value = record.get(header)
                if value is None:
                    continue
                if isinstance(value, str):
                    page.write_string(r, c, value)
                elif isinstance(value, D):
                    page.write_datetime(r, c, dt.datetime(value.year, value.month, value.day),
                                        date)
                else:
                    page.write_number(r, c, value)
        counts[sheet] = r
    book.close()
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000, help="number of services")
    parser.add_argument("out", type=Path, help="the .xlsx to write")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    counts = generate(args.services, args.out)
    seconds = time.perf_counter() - start
    print(f"Wrote {args.out}: {args.services:,} services, {sum(counts.values()):,} rows "
          f"({', '.join(f'{k} {v:,}' for k, v in counts.items() if v)}) in {seconds:.1f} s",
          file=sys.stderr)


if __name__ == "__main__":
    main()

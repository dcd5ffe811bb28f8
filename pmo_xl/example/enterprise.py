"""The demo's enterprise: Northwind's three PMOs, each keeping its own master, rolled up.

The example master holds all of Northwind (the Enterprise PMO, the Digital Portfolio PMO
and the Finance Transformation Programme PMO). Here it is split the way three PMOs would
keep it: each member master holds the services its PMO leads and everything that hangs off
them (SIPOC, procedures, RACI, KPIs and actuals, risks, changes, the log, the waivers of
those records), its own PMO KPIs, its people, and a copy of every person, PMO and objective
its rows name (as the checks ask: a name in a master is a row of that master). The
enterprise master keeps the whole strategy; the others keep the objectives they align to.
Each member's own key documents are owned by its own director and manager (``DOCUMENTS``).

Then ``PLANTED`` plants one instance of each rule across masters, each a slip real PMOs
make (the comment on each says which), and ``ACROSS`` lists where each is found. The
Finance PMO's member is not its master but its newest pack, made as of the end of a month
three months before the as-of date (``finance_pack_date``): it reports another month
(P111) and is out of date (P112). Each member's own check finds the example's deliberate
problems that fall in it, and nothing else.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pmo_xl.example.northwind import example_rows, month_before
from pmo_xl.example.tables import Rows
from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import (
    RACI,
    KPIActuals,
    People,
    PMOs,
    Procedures,
    Services,
    Strategy,
    Waivers,
    columns_of,
    split_list,
)

ENTERPRISE, DIGITAL, FINANCE = "enterprise.xlsx", "digital.xlsx", "finance.xlsx"
#: Each member master and the PMO that keeps it, in the order they are rolled up.
MEMBERS: dict[str, str] = {ENTERPRISE: "PMO-ENT", DIGITAL: "PMO-DIG", FINANCE: "PMO-FIN"}
#: Who owns each member's key documents (Service Strategy, Service Catalogue, Operations
#: Handbook): a PMO Director owns the strategy, a PMO Manager the handbook. The Finance PMO
#: has no director of its own; its strategy is owned by the Digital PMO's (P101 below).
DOCUMENTS: dict[str, tuple[str, str, str]] = {
    ENTERPRISE: ("P-001", "P-002", "P-002"),
    DIGITAL: ("P-015", "P-003", "P-003"),
    FINANCE: ("P-030", "P-004", "P-004"),
}

#: One slip per rule across masters, as edits to a member's rows after the split.
PLANTED: dict[str, list[Edit]] = {
    ENTERPRISE: [
        # P102: the enterprise master still has Claire Donovan's address from before the
        # group's domain changed; the Digital PMO's own master has her current one.
        Edit(People, "P-003", {"Email": "claire.donovan@northwind-group.example"}),
    ],
    DIGITAL: [
        # P105: the Digital PMO's copy of the Enterprise PMO names the Digital PMO as its
        # parent (the relation typed the wrong way round): a circle with PMO-DIG's own row.
        Edit(PMOs, "PMO-ENT", {"Parent PMO": "PMO-DIG"}),
        # P108: dependency management is supplied by the Enterprise PMO's integrated
        # planning service, SVC-035, which was proposed once and never set up.
        Edit("SIPOC", "PRC-017", {"Suppliers": "Project managers; SVC-035"}),
        # P109: the Digital PMO's copy of OBJ-2 has last year's wording.
        Edit(Strategy, "OBJ-2", {"Objective": "Realise the benefits promised in business "
                                              "cases."}),
    ],
    FINANCE: [
        # P101: the Finance PMO lists the Digital PMO's director, who owns its strategy,
        # under a Person ID of its own.
        Edit(People, None, {"Person ID": "P-030", "Name": "Marcus Webb",
                            "Job Role": "PMO Director", "PMO": "PMO-DIG",
                            "Email": "marcus.webb@example.org",
                            "Skills": "Governance; Benefits management; Risk management"}),
        # P103: Daniel Price is 0.8 FTE in the Digital PMO and the Finance PMO has him for
        # 0.4 more, as an operative of schedule assurance.
        Edit(People, None, {"Person ID": "P-008", "Name": "Daniel Price",
                            "Job Role": "PMO Analyst", "PMO": "PMO-FIN", "FTE": 0.4,
                            "Email": "daniel.price@example.org",
                            "Skills": "Scheduling; Dependency management"}),
        Edit(Services, "SVC-005", {"Operatives": "P-012; P-008"}),
        # P104: the Finance PMO now reports to the Transformation Office, whose master is
        # not in the roll-up.
        Edit(PMOs, "PMO-FIN", {"Parent PMO": "PMO-TRN"}),
        Edit(PMOs, None, {"PMO ID": "PMO-TRN", "PMO Name": "Transformation Office",
                          "Level": "Portfolio", "Parent PMO": "PMO-ENT"}),
        # P106: the Finance PMO's copy of the Enterprise PMO has its old name.
        Edit(PMOs, "PMO-ENT", {"PMO Name": "Group PMO"}),
        # P110: project financial tracking is aligned to the Finance PMO's own objective
        # OBJ-5, which the enterprise strategy does not have.
        Edit(Strategy, None, {"Objective ID": "OBJ-5", "Objective": "Close the programme's "
                              "books within three working days of month end.",
                              "Owner": "P-004"}),
        Edit(Services, "SVC-007", {"Strategic Objective": "OBJ-5"}),
    ],
}
#: P107: the Finance PMO numbered its estimating assurance service itself, SVC-021, which
#: the Enterprise PMO uses for agile delivery coaching (renumbered in every Finance sheet).
RENUMBERED = {FINANCE: ("SVC-022", "SVC-021")}


@dataclass(frozen=True)
class Planted:
    """Where a planted rule across masters is found: the rule, member, sheet and record."""

    rule: str
    member: str
    sheet: str
    record: str


#: The findings across masters the demo's roll-up reports: exactly these, one per rule.
ACROSS: list[Planted] = [
    Planted("P101", FINANCE, "People", "P-030"),
    Planted("P102", ENTERPRISE, "People", "P-003"),
    Planted("P103", FINANCE, "People", "P-008"),
    Planted("P104", FINANCE, "PMOs", "PMO-FIN"),
    Planted("P105", DIGITAL, "PMOs", "PMO-ENT"),
    Planted("P106", FINANCE, "PMOs", "PMO-ENT"),
    Planted("P107", FINANCE, "Services", "SVC-021"),
    Planted("P108", DIGITAL, "SIPOC", "PRC-017"),
    Planted("P109", DIGITAL, "Strategy", "OBJ-2"),
    Planted("P110", FINANCE, "Services", "SVC-007"),
    Planted("P111", FINANCE, "PMOs", "PMO-FIN"),
    Planted("P112", FINANCE, "PMOs", "PMO-FIN"),
]


def finance_pack_folder(folder: Path, as_of: dt.date) -> Path:
    return folder / "finance" / f"pack-{finance_pack_date(as_of).isoformat()}"


def finance_pack_date(as_of: dt.date) -> dt.date:
    """The as-of date of the Finance PMO's newest pack: the end of the month three months
    before `as_of`'s (62 to 92 days earlier, always beyond the default cadence of 45)."""
    return month_before(month_before(month_before(as_of)))


# --- the split --------------------------------------------------------------------------------

_PEOPLE_COLUMNS = {sheet: [c for c in columns_of(sheet) if c.references == People.SHEET]
                   for sheet in ("Services", "PMOs", "Strategy", "Documents", "Procedures",
                                 "KPIs", "KPI Actuals", "Risks and Issues", "Changes",
                                 "Lifecycle Log", "Waivers")}


def member_rows(rows: Rows, pmo: str, *, whole_strategy: bool = False,
                documents: tuple[str, str, str] | None = None) -> Rows:
    """The rows of one PMO's own master, split from the whole example's `rows`; `documents`
    names the owners of its Service Strategy, Service Catalogue and Operations Handbook."""
    rows = copy.deepcopy(rows)
    out: Rows = {sheet: [] for sheet in rows}
    out["Services"] = [r for r in rows["Services"] if r.get(Services.lead_pmo) == pmo]
    services = {r[Services.service_id] for r in out["Services"]}

    def of_services(sheet: str) -> list[dict]:
        return [r for r in rows.get(sheet, []) if r.get("Service ID") in services]

    for sheet in ("SIPOC", "Procedures", "Lifecycle Log"):
        out[sheet] = of_services(sheet)
    procedures = {r[Procedures.procedure_id] for r in out["Procedures"]}
    out["RACI"] = [r for r in rows["RACI"] if r.get(RACI.procedure_id) in procedures]
    out["KPIs"] = [r for r in rows["KPIs"]
                   if r.get("Service ID") in services or r.get("PMO ID") == pmo]
    kpis = {r["KPI ID"] for r in out["KPIs"]}
    out["KPI Actuals"] = [r for r in rows["KPI Actuals"] if r.get(KPIActuals.kpi_id) in kpis]
    out["Risks and Issues"] = of_services("Risks and Issues")
    out["Changes"] = [r for r in rows["Changes"]
                      if r.get("Service ID") in services or r.get("PMO ID") == pmo]
    records = {v for sheet in ("Services", "Risks and Issues", "Changes", "KPIs", "Procedures")
               for r in out[sheet] for k, v in r.items() if k.endswith("ID")}
    out["Waivers"] = [r for r in rows.get("Waivers", []) if r.get(Waivers.record) in records]
    out["Settings"] = rows.get("Settings", [])
    objectives = {r.get(Services.strategic_objective) for r in out["Services"]}
    out["Strategy"] = [r for r in rows["Strategy"]
                       if whole_strategy or r[Strategy.objective_id] in objectives]
    out["Documents"] = rows.get("Documents", [])
    owners = dict(zip(("Service Strategy", "Service Catalogue", "Operations Handbook"),
                      documents or (), strict=False))
    for record in out["Documents"]:
        record["Owner"] = owners.get(record["Document"], record["Owner"])
    return _with_people_and_pmos(rows, out, pmo)


def _with_people_and_pmos(whole: Rows, out: Rows, pmo: str) -> Rows:
    """People: the PMO's own, and everyone its rows name; PMOs: its own, every PMO its
    people and rows name, and their parents up to the top (only its own with a capacity)."""
    named = {p["Person ID"] for p in whole["People"] if p.get(People.pmo) == pmo}
    for sheet, columns in _PEOPLE_COLUMNS.items():
        if sheet == PMOs.SHEET:
            continue
        for record in out.get(sheet, []):
            for column in columns:
                named.update(i for i in split_list(record.get(column.header)) if i)
    pmos = {p[PMOs.pmo_id]: p for p in whole["PMOs"]}
    wanted = {pmo} | {r.get(Services.lead_pmo) for r in out["Services"]} | {
        r.get("PMO ID") for sheet in ("KPIs", "Changes") for r in out[sheet]}
    # A person named brings their PMO; a PMO brings its parent and its PMO Manager; until
    # nothing more is named.
    while True:
        people = [p for p in whole["People"] if p["Person ID"] in named]
        more = {p.get(People.pmo) for p in people} | {
            pmos[p].get(PMOs.parent_pmo) for p in wanted if p in pmos}
        more = {p for p in more if p} - wanted
        managers = {pmos[p].get(PMOs.pmo_manager) for p in wanted | more if p in pmos}
        managers = {m for m in managers if m} - named
        if not more and not managers:
            break
        wanted |= more
        named |= managers
    out["People"] = people
    # Another PMO's capacity is that PMO's to keep (in its own master, beside its people):
    # a member lists the others by name, parent and manager, with Capacity FTE blank.
    out["PMOs"] = [p if p[PMOs.pmo_id] == pmo else {**p, PMOs.capacity_fte: None}
                   for p in whole["PMOs"] if p[PMOs.pmo_id] in wanted]
    return out


def enterprise_rows(as_of: dt.date) -> dict[str, Rows]:
    """Each member master's rows as of `as_of`, split and planted (the Finance PMO's as of
    its pack's date, see :func:`finance_pack_date`)."""
    from pmo_xl.example.northwind import _plant  # one way of making an edit to rows

    members: dict[str, Rows] = {}
    for name, pmo in MEMBERS.items():
        when = finance_pack_date(as_of) if name == FINANCE else as_of
        rows = member_rows(example_rows(when), pmo, whole_strategy=name == ENTERPRISE,
                           documents=DOCUMENTS[name])
        if name in RENUMBERED:
            rows = _renumbered(rows, *RENUMBERED[name])
        for edit in PLANTED[name]:
            if edit.record is None:
                rows.setdefault(edit.sheet, []).append(dict(edit.values or {}))
            else:
                _plant(rows, edit)
        members[name] = rows
    return members


def _renumbered(rows: Rows, old: str, new: str) -> Rows:
    return {sheet: [{k: (new if v == old else v) for k, v in record.items()}
                    for record in records] for sheet, records in rows.items()}


def write_enterprise_members(folder: Path, as_of: dt.date,
                             replaceable: Callable[[Path], bool] | None = None) -> list[Path]:
    """Write the three members into `folder`: the enterprise and digital masters (saved on
    the as-of date), and the Finance PMO's pack (its folder, `finance/pack-DATE`, whose
    files `replaceable` says may be refreshed). Returns the paths to roll up, in order."""
    import tempfile

    from pmo_xl.reports.pack import write_pack_files
    from pmo_xl.validators.engine import check_path
    from pmo_xl.workbook.template import write_master

    folder.mkdir(parents=True, exist_ok=True)
    members = enterprise_rows(as_of)
    paths = []
    saved = dt.datetime.combine(as_of, dt.time(9))
    for name in (ENTERPRISE, DIGITAL):
        paths.append(write_master(folder / name, members[name], saved=saved))
    packed = finance_pack_date(as_of)
    with tempfile.TemporaryDirectory(prefix="pmo-xl-demo-") as temp:
        master = write_master(Path(temp) / FINANCE, members[FINANCE],
                              saved=dt.datetime.combine(packed, dt.time(9)))
        pack = write_pack_files(check_path(master, packed), finance_pack_folder(folder, as_of),
                                force=True, replaceable=replaceable)
    paths.append(pack.folder)
    return paths

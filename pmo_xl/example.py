"""The demo's example master: Northwind Group's PMOs, their services and a handful of real problems.

Everything is generated from the tables below and an as-of date: every date is counted back
from the month of `as_of`, KPI actuals come from a random generator seeded by the KPI's ID,
so one as-of date always gives the same workbook (and `pmo-xl demo` shows the same findings
whatever day it runs). The master is clean against every rule except the problems listed in
``DELIBERATE`` (one per rule family, each a slip a real PMO makes) and the one finding that
the Waivers sheet waives (``WAIVED``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pmo_xl.period import previous_month, previous_quarter, step_back
from pmo_xl.template import write_master

D = dt.date
Rows = dict[str, list[dict]]

#: The as-of date of the committed example master (workbook_templates/example-master.xlsx).
EXAMPLE_AS_OF = D(2026, 11, 30)
ORGANISATION = "Northwind Group"

#: The problems planted in the example: (rule code, sheet, cell). Checking the example master
#: reports exactly these (not waived), whatever the as-of date.
DELIBERATE: list[tuple[str, str, str]] = [
    ("S105", "Services", "AI11"),  # SVC-010 Last Reviewed typed as text, e.g. "14/09/2026"
    ("X101", "Risks and Issues", "F9"),  # RSK-005 owned by P-021, who is not on People
    ("H102", "SIPOC", "B16"),  # SVC-011's "Log start-up actions" has no procedure
    ("R102", "RACI", "F33"),  # SVC-006 gate decision: a second A, for the PMO Director
    ("L106", "Services", "AD29"),  # SVC-028's closure approved by the manager, not the owner
    ("O102", "Services", "Q11"),  # SVC-010's Service Manager is a PMO Administrator
    ("K103", "KPIs", "A13"),  # KPI-12 (SVC-011) has no actual for the reporting period
    ("G105", "Risks and Issues", "H4"),  # RSK-003 is open, High and not escalated
    ("C105", "Changes", "L7"),  # CHG-006 implemented, Operations Handbook not updated
]

#: Findings the example's Waivers sheet waives: (rule code, sheet, cell).
WAIVED: list[tuple[str, str, str]] = [
    ("C106", "Changes", "J3"),  # CHG-002 moved a log into a tool: no strategy change
]


# --- dates, counted back from the as-of month --------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """Dates relative to the as-of date: `month(3, 10)` is the 10th, three months back."""

    as_of: D

    def month(self, back: int, day: int = 1) -> D:
        index = self.as_of.year * 12 + self.as_of.month - 1 - back
        year, month = index // 12, index % 12 + 1
        return D(year, month, min(day, calendar.monthrange(year, month)[1]))

    def ahead(self, months: int, day: int = 1) -> D:
        return self.month(-months, day)


# --- the organisation --------------------------------------------------------------------

PMOS = [
    ("PMO-ENT", "Enterprise PMO and Centre of Excellence", "Enterprise", None, 10.0, "P-002"),
    ("PMO-DIG", "Digital Portfolio PMO", "Portfolio", "PMO-ENT", 6.0, "P-003"),
    ("PMO-FIN", "Finance Transformation Programme PMO", "Programme", "PMO-DIG", 4.0, "P-004"),
]

PEOPLE = [
    ("P-001", "Helen Marsh", "PMO Director", "PMO-ENT", 1.0),
    ("P-002", "Rajesh Iyer", "PMO Manager", "PMO-ENT", 1.0),
    ("P-003", "Claire Donovan", "PMO Manager", "PMO-DIG", 1.0),
    ("P-004", "Tom Okafor", "PMO Manager", "PMO-FIN", 1.0),
    ("P-005", "Aisha Rahman", "PMO Analyst", "PMO-ENT", 1.0),
    ("P-006", "Lukas Novak", "PMO Analyst", "PMO-ENT", 1.0),
    ("P-007", "Mei Chen", "PMO Analyst", "PMO-DIG", 1.0),
    ("P-008", "Daniel Price", "PMO Analyst", "PMO-DIG", 0.8),
    ("P-009", "Sofia Alvarez", "PMO Analyst", "PMO-FIN", 1.0),
    ("P-010", "Grace Whitfield", "PMO Administrator", "PMO-ENT", 1.0),
    ("P-011", "Ben Adeyemi", "PMO Administrator", "PMO-DIG", 1.0),
    ("P-012", "Priya Nair", "PMO Administrator", "PMO-FIN", 0.6),
    ("P-013", "Oliver Grant", "Other", None, 1.0),
    ("P-014", "Hannah Lewis", "Other", None, 1.0),
    ("P-015", "Marcus Webb", "PMO Director", "PMO-DIG", 1.0),
    ("P-016", "Nina Kowalski", "PMO Analyst", "PMO-ENT", 1.0),
    ("P-017", "James Thornton", "Other", None, 1.0),
]

OBJECTIVES = [
    ("OBJ-1", "Give the executive one trusted, current view of the change portfolio.", "P-001"),
    ("OBJ-2", "Realise the benefits promised in approved business cases.", "P-015"),
    ("OBJ-3", "Raise project delivery capability across Northwind.", "P-001"),
    ("OBJ-4", "Land the Finance Transformation programme safely by the end of 2027.", "P-017"),
]


# --- the Service Catalogue ---------------------------------------------------------------


@dataclass
class Process:
    name: str
    suppliers: str
    inputs: str
    outputs: str
    customers: str
    procedure: str | None  # the handbook procedure that carries it out (None: a gap)
    tools: str = ""


@dataclass
class Kpi:
    name: str
    unit: str
    direction: str
    target: float
    amber: float
    red: float
    frequency: str
    baseline: float


@dataclass
class Service:
    id: str
    name: str
    stage: str
    lead: str
    scope: str
    offering: str
    delivery: str
    funding: str
    fte: float
    owner: str
    managers: str
    operatives: str
    objective: str
    priority: int
    category: str
    customers: str
    description: str
    outcome: str
    live_months: int = 16  # go-live this many months before the as-of month
    processes: list[Process] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


HIGHER, LOWER = "Higher is better", "Lower is better"
MONTHLY, QUARTERLY = "Monthly", "Quarterly"
PROJECT, MULTI, PORTFOLIO, ORG = (
    "Project or programme", "Multiple projects or programmes", "Portfolio", "Organisation")


def _services() -> list[Service]:
    p, k = Process, Kpi
    return [
        Service(
            "SVC-001", "Portfolio status reporting", "Running", "PMO-ENT", PORTFOLIO,
            "Mandated", "In-house", "Central", 2.0, "P-001", "P-002", "P-005; P-010", "OBJ-1",
            1, "Reporting", "Executive board; portfolio board",
            "Monthly status of every project in the portfolio, with RAG, milestones and spend.",
            "Decisions are taken on current, trusted portfolio data.", 30,
            [p("Collect project status", "Project managers", "Project status updates",
               "Status dataset", "PMO analysts", "Request and chase status updates",
               "Status template; reminder emails"),
             p("Compile the portfolio report", "PMO analysts",
               "Status dataset; RAID log; Project financial actuals", "Portfolio status report",
               "Executive board", "Compile and publish the portfolio report",
               "Report template; PPM tool")],
            [k("Reports published on time", "%", HIGHER, 95, 90, 80, MONTHLY, 70),
             k("Data errors found after publication", "count", LOWER, 2, 4, 6, QUARTERLY, 9)]),
        Service(
            "SVC-002", "RAID management", "Running", "PMO-DIG", MULTI, "Mandated", "In-house",
            "Central", 1.0, "P-015", "P-003", "P-008; P-011", "OBJ-1", 1, "Control",
            "Project managers; programme boards",
            "Keep the risks, assumptions, issues and dependencies of every digital project in "
            "one log, reviewed fortnightly.", "No risk surprises at the portfolio board.", 28,
            [p("Maintain the RAID log", "Project managers", "Project RAID entries",
               "RAID log", "Programme boards; PMO analysts", "Review and update the RAID log",
               "RAID template; PPM tool")],
            [k("Risks with an owner and an action", "%", HIGHER, 90, 80, 70, MONTHLY, 55)]),
        Service(
            "SVC-003", "Benefits tracking", "Running", "PMO-DIG", PORTFOLIO, "Mandated",
            "In-house", "Central", 1.0, "P-015", "P-007", "P-011", "OBJ-2", 2, "Assurance",
            "Benefit owners; investment committee",
            "Track benefits of projects against their business cases after delivery.",
            "Benefits realised are visible and owned.", 22,
            [p("Record benefit profiles", "Business case authors", "Approved business cases",
               "Benefit profiles", "Benefit owners", "Set up benefit profiles",
               "Benefits register"),
             p("Measure benefits realised", "Benefit owners", "Benefit profiles; "
               "Benefit measurements", "Benefits realisation report", "Investment committee",
               "Collect and report benefit measurements", "Benefits register; Power BI")],
            [k("Benefits on track against profile", "%", HIGHER, 80, 70, 60, QUARTERLY, 45)]),
        Service(
            "SVC-004", "Resource capacity planning", "Running", "PMO-ENT", ORG, "Menu",
            "In-house", "Recharged", 1.0, "P-002", "P-006", "P-010", "OBJ-1", 2, "Planning",
            "Resource managers; portfolio board",
            "Quarterly view of demand against capacity for delivery roles.",
            "Projects start only when the people they need are free.", 20,
            [p("Forecast resource demand", "Project managers; resource managers",
               "Resource requests; Team capacity", "Capacity plan", "Portfolio board",
               "Build the quarterly capacity plan", "Capacity model; PPM tool")],
            [k("Forecast accuracy", "%", HIGHER, 85, 75, 65, QUARTERLY, 60)]),
        Service(
            "SVC-005", "Schedule assurance", "Running", "PMO-FIN", PROJECT, "Menu", "In-house",
            "Recharged", 0.8, "P-004", "P-009", "P-012", "OBJ-4", 2, "Assurance",
            "Finance Transformation project managers",
            "Independent checks of project schedules: logic, critical path, float, baselines.",
            "Schedules the programme can steer by.", 19,
            [p("Review project schedules", "Project planners", "Project schedules",
               "Schedule health report", "Project managers", "Run the schedule health check",
               "Schedule checklist; MS Project")],
            [k("Schedules passing the health check", "%", HIGHER, 90, 80, 70, MONTHLY, 50)]),
        Service(
            "SVC-006", "Stage gate reviews", "Running", "PMO-ENT", PORTFOLIO, "Mandated",
            "In-house", "Central", 1.0, "P-001", "P-002; P-003", "P-005; P-007", "OBJ-1", 1,
            "Governance", "Project sponsors; investment committee",
            "Gate reviews at each stage of the project lifecycle, delivered by the Enterprise "
            "and Digital PMOs.", "Only ready projects pass a gate.", 34,
            [p("Prepare the gate review", "Project managers", "Gate submission",
               "Gate review pack", "Gate panel", "Check and circulate the gate pack",
               "Gate checklist"),
             p("Hold the gate review", "Gate panel", "Gate review pack", "Gate decision record",
               "Project sponsors", "Run the gate meeting and record the decision",
               "Decision log")],
            [k("Gate packs complete at first submission", "%", HIGHER, 85, 75, 60, MONTHLY, 50)]),
        Service(
            "SVC-007", "Project financial tracking", "Running", "PMO-FIN", PROJECT, "Mandated",
            "Outsourced internal", "Central", 0.8, "P-004", "P-009", "P-012", "OBJ-4", 1,
            "Finance", "Programme director; finance business partners",
            "Monthly actuals and forecasts per project, produced with Finance Shared Services.",
            "No project overspends unnoticed.", 18,
            [p("Reconcile project actuals", "Finance Shared Services", "General ledger extract",
               "Project financial actuals", "PMO analysts; programme director",
               "Reconcile the ledger to project codes", "ERP report; reconciliation workbook")],
            [k("Days to close project actuals", "days", LOWER, 5, 7, 10, MONTHLY, 12)]),
        Service(
            "SVC-008", "PPM tool support", "Running", "PMO-ENT", ORG, "Menu",
            "Outsourced external", "Recharged", 0.5, "P-002", "P-006", "", "OBJ-1", 3,
            "Tooling", "Every PPM tool user",
            "Access, configuration and first-line help for the PPM tool, with the vendor.",
            "The PPM tool is available and people can use it.", 26,
            [p("Handle tool requests", "Tool users; tool vendor", "Tool support tickets",
               "Resolved tickets", "Tool users", "Triage and resolve tool tickets",
               "Service desk queue")],
            [k("Tickets resolved within two days", "%", HIGHER, 90, 85, 75, MONTHLY, 72)]),
        Service(
            "SVC-009", "PMO Academy", "Running", "PMO-ENT", ORG, "Menu", "In-house",
            "Recharged", 1.0, "P-001", "P-016", "P-010", "OBJ-3", 2, "Capability",
            "Project managers; new starters",
            "Foundation and practitioner courses in Northwind's delivery method.",
            "Project managers work the same way and know why.", 24,
            [p("Deliver courses", "Centre of Excellence trainers", "Course material; "
               "Course bookings", "Trained delivery staff", "Project managers",
               "Schedule and run courses", "Learning management system")],
            [k("Course satisfaction", "score /5", HIGHER, 4.3, 4.0, 3.5, QUARTERLY, 3.8)]),
        Service(
            "SVC-010", "Lessons learned library", "Running", "PMO-ENT", ORG, "Menu",
            "In-house", "Central", 0.5, "P-002", "P-010", "", "OBJ-3", 3, "Knowledge",
            "Project managers",
            "Collect lessons at each project closure and make them searchable.",
            "Projects stop repeating last year's mistakes.", 21,
            [p("Capture lessons", "Project managers", "Closure reports",
               "Lessons learned entries", "Project managers; Centre of Excellence",
               "Run lessons workshops and file the lessons", "Lessons library; workshop kit")],
            [k("Closed projects with lessons filed", "%", HIGHER, 90, 75, 60, MONTHLY, 40)],
            {"Last Reviewed": "TEXT-DATE"}),
        Service(
            "SVC-011", "Project start-up support", "Running", "PMO-DIG", PROJECT, "Off-menu",
            "In-house", "Recharged", 0.5, "P-003", "P-008", "P-011", "OBJ-3", 3, "Set-up",
            "New project managers",
            "Kick-off facilitation and set-up of plans, RAID and reporting for new projects.",
            "New projects are set up right in their first month.", 17,
            [p("Facilitate the kick-off", "Project sponsors", "Project mandate",
               "Kick-off pack", "Project teams", "Facilitate the project kick-off",
               "Kick-off deck"),
             p("Log start-up actions", "Project teams", "Kick-off pack", "Start-up action log",
               "Project managers", None)],
            [k("Projects set up within 20 days", "%", HIGHER, 85, 75, 60, MONTHLY, 50)]),
        Service(
            "SVC-012", "Change control board secretariat", "Running", "PMO-FIN", PROJECT,
            "Mandated", "In-house", "Central", 0.5, "P-004", "P-009", "P-012", "OBJ-4", 2,
            "Governance", "Change control board",
            "Agenda, papers and decisions of the programme's change control board.",
            "Scope changes are decided, not drifted into.", 18,
            [p("Run the change board", "Project managers", "Change requests",
               "Change decisions", "Project managers; programme director",
               "Prepare and minute the change board", "Change log")],
            [k("Change requests decided within 10 days", "%", HIGHER, 90, 80, 70, MONTHLY, 60)]),
        Service(
            "SVC-013", "Dependency management", "Running", "PMO-DIG", MULTI, "Menu",
            "In-house", "Central", 0.5, "P-003", "P-007", "P-008", "OBJ-1", 2, "Control",
            "Programme managers",
            "Map and track dependencies between digital projects and programmes.",
            "No project is blocked by one it did not know it needed.", 16,
            [p("Map dependencies", "Project managers", "RAID log; Project plans",
               "Dependency map", "Programme managers", "Update the dependency map",
               "Dependency register")],
            [k("Overdue dependencies", "count", LOWER, 3, 6, 10, MONTHLY, 14)]),
        Service(
            "SVC-014", "Delivery method and templates", "Running", "PMO-ENT", ORG,
            "Mandated", "In-house", "Central", 0.8, "P-001", "P-016", "P-005", "OBJ-3", 1,
            "Capability",
            "Every project", "The Centre of Excellence's delivery method, templates and "
            "guidance, kept current.", "One way of delivering change across Northwind.", 36,
            [p("Maintain the method", "Centre of Excellence; project managers",
               "Method feedback; Lessons learned entries", "Delivery method and templates",
               "Every project", "Review and release the method", "Method intranet")],
            [k("Templates reviewed in the last year", "%", HIGHER, 95, 85, 70, QUARTERLY, 60)]),
        Service(
            "SVC-015", "Executive portfolio dashboard", "Running", "PMO-ENT", PORTFOLIO,
            "Mandated", "In-house", "Central", 0.6, "P-001", "P-005", "P-006", "OBJ-1", 1,
            "Reporting", "Executive board",
            "A live dashboard of the portfolio; it replaced the monthly slide pack.",
            "Executives look up the portfolio when they need it.", 16,
            [p("Refresh the dashboard", "PMO analysts", "Status dataset; Capacity plan",
               "Executive dashboard", "Executive board", "Refresh and check the dashboard",
               "Power BI")],
            [k("Dashboard refreshed on schedule", "%", HIGHER, 98, 95, 90, MONTHLY, 90)]),
        # --- set-up -----------------------------------------------------------------------
        Service(
            "SVC-016", "Risk maturity assessment", "Pilot", "PMO-DIG", MULTI, "Menu",
            "In-house", "Recharged", 0.4, "P-015", "P-007", "", "OBJ-3", 2, "Assurance",
            "Programme managers",
            "Assess how well programmes manage risk, against a five-level maturity model.",
            "Programmes know what to improve in their risk management.", 0,
            [p("Assess risk maturity", "Programme managers", "Risk management evidence",
               "Maturity assessment", "Programme managers", "Run the maturity assessment",
               "Maturity model")]),
        Service(
            "SVC-017", "Post-project benefits reviews", "Pilot", "PMO-DIG", PROJECT, "Menu",
            "In-house", "Central", 0.3, "P-003", "P-008", "", "OBJ-2", 2, "Assurance",
            "Benefit owners",
            "A review six months after closure: were the benefits of the business case real?",
            "Lessons about benefits feed the next business cases.", 0,
            [p("Review benefits after closure", "Benefit owners",
               "Benefits realisation report", "Benefits review findings",
               "Investment committee", "Hold the post-project benefits review",
               "Review template")]),
        Service(
            "SVC-018", "Self-service portfolio dashboards", "Transition", "PMO-ENT",
            PORTFOLIO, "Menu", "In-house", "Central", 0.6, "P-002", "P-006", "P-005", "OBJ-1",
            1, "Reporting", "Portfolio, programme and project managers",
            "Dashboards anyone can filter for their own projects, fed from the PPM tool.",
            "Managers answer their own questions without asking the PMO.", 0,
            [p("Publish self-service dashboards", "PMO analysts", "Status dataset",
               "Self-service dashboards; Dashboard user guide", "Portfolio managers",
               "Publish and support the dashboards", "Power BI")]),
        Service(
            "SVC-019", "Supplier milestone tracking", "Transition", "PMO-FIN", PROJECT, "Menu",
            "Outsourced external", "Recharged", 0.4, "P-004", "P-009", "", "OBJ-4", 2,
            "Control", "Programme director",
            "Track the milestones the programme's suppliers committed to, with an external "
            "contract-management firm.", "Supplier slippage is seen a month earlier.", 0,
            [p("Track supplier milestones", "Suppliers; contract-management firm",
               "Supplier milestone returns", "Supplier milestone tracker",
               "Programme director", "Collect and check supplier returns", "Tracker")]),
        Service(
            "SVC-020", "Portfolio prioritisation", "Design", "PMO-ENT", PORTFOLIO, "Mandated",
            "In-house", "Central", 0.5, "P-001", "P-002", "", "OBJ-1", 1, "Governance",
            "Investment committee",
            "Score and rank proposed projects against strategy, value and risk.",
            "The portfolio funds the right projects first.", 0),
        Service(
            "SVC-021", "Agile delivery coaching", "Design", "PMO-ENT", PROJECT, "Off-menu",
            "In-house", "Recharged", 0.4, "P-002", "P-016", "", "OBJ-3", 3, "Capability",
            "Agile teams", "Coaching for teams adopting agile delivery.",
            "Agile teams that still report reliably.", 0),
        Service(
            "SVC-022", "Estimating assurance", "Design", "PMO-FIN", PROJECT, "Menu", "In-house",
            "Central", 0.3, "P-004", "P-009", "", "OBJ-4", 2, "Assurance",
            "Project managers", "Independent review of cost and time estimates.",
            "Estimates the programme can commit to.", 0),
        Service(
            "SVC-023", "Project health checks on request", "Proposed", "PMO-DIG", PROJECT,
            "Off-menu", "In-house", "Recharged", 0.3, "P-015", "", "", "OBJ-3", 2,
            "Assurance", "Project sponsors", "A two-day health check when a sponsor asks.",
            "Sponsors get an independent view when they need one.", 0),
        Service(
            "SVC-024", "Sustainability impact reporting", "Proposed", "PMO-ENT", ORG, "Menu",
            "In-house", "Central", 0.5, "P-001", "", "", "OBJ-1", 3, "Reporting",
            "Sustainability office", "The carbon impact of the change portfolio.",
            "The portfolio's carbon impact is known.", 0),
        Service(
            "SVC-025", "AI-assisted status summaries", "Proposed", "PMO-ENT", PORTFOLIO,
            "Menu", "In-house", "Central", 0.2, "P-002", "", "", "OBJ-1", 4, "Reporting",
            "Executive board", "Draft status summaries from project updates with an AI tool.",
            "Shorter reports written faster.", 0),
        Service(
            "SVC-026", "Programme recruitment support", "Rejected", "PMO-FIN", PROJECT,
            "Off-menu", "In-house", "Recharged", 0.5, "P-004", "", "", "OBJ-4", 4, "Resourcing",
            "Programme director", "Shortlist contractors for the programme.",
            "Roles filled faster.", 0),
        Service(
            "SVC-027", "Vendor invoice processing", "Rejected", "PMO-DIG", PROJECT,
            "Off-menu", "Outsourced internal", "Recharged", 0.5, "P-003", "", "", "OBJ-2", 5,
            "Finance", "Project managers", "Check and pay project vendor invoices.",
            "Invoices paid on time.", 0),
        # --- closing and closed -------------------------------------------------------------
        Service(
            "SVC-028", "Legacy timesheet administration", "Closing", "PMO-ENT", ORG, "Menu",
            "In-house", "Central", 0.3, "P-001", "P-002", "P-010", "OBJ-1", 4, "Administration",
            "Project managers", "Chase and correct project timesheets in the old system.",
            "Project time recorded.", 40,
            [p("Chase timesheets", "Project staff", "Legacy timesheet entries",
               "Corrected timesheet extract", "Finance", "Chase and correct timesheets",
               "Legacy timesheet system")],
            extra={"Closure Reason": "No longer advantageous", "Closure Approved By": "P-002"}),
        Service(
            "SVC-029", "ERP readiness reporting", "Closing", "PMO-FIN", PROJECT, "Mandated",
            "In-house", "Central", 0.2, "P-004", "P-009", "", "OBJ-4", 3, "Reporting",
            "Programme board", "Readiness of business units for the ERP go-live.",
            "Every business unit ready on go-live day.", 12,
            [p("Report ERP readiness", "Business unit leads", "Readiness checklists",
               "ERP readiness report", "Programme board", "Collate readiness checklists",
               "Readiness tracker")],
            extra={"Closure Reason": "Objective achieved", "Closure Approved By": "P-004"}),
        Service(
            "SVC-030", "Monthly portfolio slide pack", "Closed", "PMO-ENT", PORTFOLIO,
            "Mandated", "In-house", "Central", 1.0, "P-001", "P-005", "", "OBJ-1", 1,
            "Reporting", "Executive board", "The monthly PowerPoint pack for the executive.",
            "The executive sees the portfolio monthly.", 48,
            [p("Build the slide pack", "PMO analysts", "Slide pack status returns",
               "Monthly slide pack", "Executive board", "Assemble the monthly slide pack",
               "PowerPoint template")],
            extra={"Closure Reason": "Replaced by another service",
                   "Closure Approved By": "P-001", "Replaced By": "SVC-015"}),
        Service(
            "SVC-031", "Office relocation programme tracking", "Closed", "PMO-DIG", PROJECT,
            "Off-menu", "In-house", "Recharged", 0.5, "P-003", "P-008", "", "OBJ-1", 3,
            "Reporting", "Relocation programme board",
            "Weekly tracking of the head-office move.", "The move lands on time.", 30,
            [p("Track relocation actions", "Relocation workstreams",
               "Relocation action updates", "Relocation tracker", "Relocation programme board",
               "Update the relocation tracker", "Tracker")],
            extra={"Closure Reason": "Agreed end date reached", "Closure Approved By": "P-003"}),
        # --- the temporary supporting service ------------------------------------------------
        Service(
            "SVC-032", "Reporting adoption clinic", "Running", "PMO-ENT", PORTFOLIO, "Menu",
            "In-house", "Central", 0.4, "P-002", "P-005", "P-010", "OBJ-1", 2, "Reporting",
            "Portfolio, programme and project managers",
            "Weekly drop-in clinic helping managers move to the self-service dashboards.",
            "Managers use the new dashboards without help by the planned end date.", 3,
            [p("Run the clinic", "PMO analysts", "Dashboard user guide; Clinic bookings",
               "Clinic attendance log", "Portfolio managers", "Run the weekly clinic",
               "Teams booking page")],
            [k("Managers using dashboards unaided", "%", HIGHER, 80, 60, 40, MONTHLY, 10)],
            {"Temporary": "Y", "Supports Service": "SVC-018", "Planned End Date": "AHEAD-4"}),
    ]


# --- building the rows -------------------------------------------------------------------


def example_rows(as_of: D = EXAMPLE_AS_OF) -> Rows:
    """Every sheet's rows of the example master, as of `as_of`."""
    cal = Calendar(as_of)
    services = _services()
    builder = _Builder(cal, services)
    return builder.build()


def write_example_master(path: str | Path, as_of: D = EXAMPLE_AS_OF) -> Path:
    """Write the example master to `path` (replacing a file there)."""
    return write_master(path, example_rows(as_of))


class _Builder:
    def __init__(self, cal: Calendar, services: list[Service]) -> None:
        self.cal = cal
        self.services = services
        self.by_id = {s.id: s for s in services}
        self.rows: Rows = {}

    def build(self) -> Rows:
        cal = self.cal
        self.rows = {
            "Services": [self._service(s) for s in self.services],
            "PMOs": [{"PMO ID": i, "PMO Name": n, "Level": level, "Parent PMO": parent,
                      "Capacity FTE": capacity, "PMO Manager": manager}
                     for i, n, level, parent, capacity, manager in PMOS],
            "People": [{"Person ID": i, "Name": n, "Job Role": role, "PMO": pmo, "FTE": fte,
                        "Email": n.lower().replace(" ", ".") + "@northwind.example"}
                       for i, n, role, pmo, fte in PEOPLE],
            "Strategy": [{"Objective ID": i, "Objective": text, "Owner": owner}
                         for i, text, owner in OBJECTIVES],
            "Documents": [
                {"Document": "Service Strategy", "Owner": "P-001", "Version": "2.0",
                 "Last Reviewed": cal.month(5, 12)},
                {"Document": "Service Catalogue", "Owner": "P-002", "Version": "3.4",
                 "Last Reviewed": cal.month(1, 20)},
                {"Document": "Operations Handbook", "Owner": "P-002", "Version": "2.7",
                 "Last Reviewed": cal.month(2, 8)},
            ],
        }
        self._sipoc_and_handbook()
        self._kpis()
        self.rows["Risks and Issues"] = self._risks()
        self.rows["Changes"] = self._changes()
        self.rows["Lifecycle Log"] = list(self._lifecycle_log())
        self.rows["Waivers"] = self._waivers()
        self.rows["Settings"] = [
            {"Setting": "Organisation", "Value": ORGANISATION},
            {"Setting": "Mandated Share Target", "Value": "50%"},
        ]
        return self.rows

    # -- Services --------------------------------------------------------------------------

    def _dates(self, s: Service) -> dict[str, D]:
        """The lifecycle dates of a service, counted back from the as-of month."""
        m = self.cal.month
        if s.stage in ("Proposed", "Rejected"):
            return {}
        if s.stage == "Design":
            return {"Approved Date": m(4, 3), "Design Start": m(3, 2)}
        if s.stage == "Pilot":
            return {"Approved Date": m(9, 5), "Design Start": m(8, 1), "Pilot Start": m(3, 6)}
        if s.stage == "Transition":
            return {"Approved Date": m(14, 5), "Design Start": m(12, 1), "Pilot Start": m(8, 4),
                    "Sign-off Date": m(2, 10), "Readiness Assessment Date": m(1, 6),
                    "Rollout Approach": "Phased"}
        g = s.live_months
        if g <= 4:  # a short set-up, as for a temporary service
            dates = {"Approved Date": m(g + 3, 2), "Design Start": m(g + 2, 1),
                     "Pilot Start": m(g + 1, 3), "Sign-off Date": m(g + 1, 24),
                     "Readiness Assessment Date": m(g, 2), "Go-live Date": m(g, 10)}
        else:
            dates = {"Approved Date": m(g + 9, 5), "Design Start": m(g + 8, 1),
                     "Pilot Start": m(g + 5, 2), "Sign-off Date": m(g + 2, 15),
                     "Readiness Assessment Date": m(g + 1, 9), "Go-live Date": m(g, 1)}
        dates["Rollout Approach"] = "Big-bang" if s.scope == PROJECT else "Phased"
        if s.stage == "Closing":
            dates["Closure Approved Date"] = m(1, 12)
        if s.stage == "Closed":
            dates["Closure Approved Date"] = m(8, 4)
            dates["Closed Date"] = m(5, 28)
            dates["Artefacts Reviewed"] = "Y"
        return dates

    def _service(self, s: Service) -> dict:
        cal = self.cal
        row = {
            "Service ID": s.id, "Service Name": s.name, "Description": s.description,
            "Category": s.category, "Lead PMO": s.lead, "Customers": s.customers,
            "Desired Outcome": s.outcome, "Scope": s.scope, "Stage": s.stage,
            "Offering": s.offering, "Delivery": s.delivery, "Strategic Objective": s.objective,
            "Priority": s.priority, "Funding": s.funding, "Planned FTE": s.fte,
            "Service Owner": s.owner, "Service Managers": s.managers or None,
            "Operatives": s.operatives or None, "Temporary": "N",
        }
        row.update(self._dates(s))
        if s.stage == "Rejected":
            row["Last Reviewed"] = cal.month(6, 18)
        elif s.stage != "Proposed":
            row["Last Reviewed"] = cal.month(1 + int(s.id[-2:]) % 5, 10 + int(s.id[-1]))
        for key, value in s.extra.items():
            if value == "TEXT-DATE":  # typed by hand as text, the way a UK user would
                value = cal.month(2, 14).strftime("%d/%m/%Y")
            elif isinstance(value, str) and value.startswith("AHEAD-"):
                value = cal.ahead(int(value.split("-")[1]), 28)
            row[key] = value
        return row

    # -- SIPOC, Procedures, RACI -----------------------------------------------------------

    def _sipoc_and_handbook(self) -> None:
        sipoc, procedures, raci = [], [], []
        process_no = procedure_no = 0
        for s in self.services:
            status = {"Pilot": "Draft", "Transition": "Tested", "Closed": "Retired"}.get(
                s.stage, "Approved")
            reviewed = self.cal.month(2 + int(s.id[-1]) % 4, 3)
            for index, proc in enumerate(s.processes):
                process_no += 1
                process_id = f"PRC-{process_no:03d}"
                sipoc.append({
                    "Service ID": s.id, "Process ID": process_id, "Process Name": proc.name,
                    "Suppliers": proc.suppliers, "Inputs": proc.inputs,
                    "Outputs": proc.outputs, "Customers": proc.customers,
                    "Input Quality Criteria": "Complete and on time for the cycle",
                    "Output Quality Criteria": f"{proc.outputs.split(';')[0]} checked by the "
                                               "Service Manager before release",
                })
                if proc.procedure is None:
                    continue
                procedure_no += 1
                procedure_id = f"PRD-{procedure_no:03d}"
                # A pilot's second procedure has been tested already; the first is a draft.
                this_status = "Tested" if status == "Draft" and index else status
                procedures.append(self._procedure(
                    procedure_id, proc.procedure, s, process_id, this_status, proc.tools,
                    "Delivery", reviewed))
                if this_status != "Retired":
                    raci += _delivery_raci(procedure_id, proc, s)
            if s.stage in ("Running", "Closing") or (s.stage == "Pilot" and s.id == "SVC-016"):
                procedure_no += 1
                procedure_id = f"PRD-{procedure_no:03d}"
                monitoring_status = status if s.stage != "Pilot" else "Tested"
                procedures.append(self._procedure(
                    procedure_id, f"Report the KPIs of {s.name.lower()}", s, None,
                    monitoring_status, "KPI tracker", "Monitoring", reviewed))
                raci += [
                    _raci(procedure_id, "Collect the KPI actuals", manager="A",
                          operative="R" if s.operatives else None,
                          analyst=None if s.operatives else "R"),
                    _raci(procedure_id, "Review the KPIs with the Service Owner", owner="A",
                          manager="R", director="I"),
                ]
            if s.funding == "Recharged" and s.stage == "Running":
                procedure_no += 1
                procedure_id = f"PRD-{procedure_no:03d}"
                procedures.append(self._procedure(
                    procedure_id, f"Recharge {s.name.lower()} to customers", s, None, status,
                    "Timesheets; recharge schedule", "Recharging", reviewed))
                raci += [
                    _raci(procedure_id, "Calculate the quarter's recharges", manager="A",
                          administrator="R"),
                    _raci(procedure_id, "Agree the recharges with customers", owner="I",
                          manager="A/R", customer="C"),
                ]
        self.rows["SIPOC"] = sipoc
        self.rows["Procedures"] = procedures
        self.rows["RACI"] = raci

    def _procedure(self, procedure_id: str, name: str, s: Service, process_id: str | None,
                   status: str, tools: str, kind: str, reviewed: D) -> dict:
        major = {"Draft": "0", "Tested": "0", "Approved": "1", "Retired": "2"}[status]
        return {
            "Procedure ID": procedure_id, "Procedure Name": name, "Service ID": s.id,
            "Process ID": process_id, "Status": status, "Tools and Techniques": tools or None,
            "Owner": s.managers.split(";")[0].strip() or s.owner,
            "Version": f"{major}.{int(procedure_id[-1]) % 4 + 1}", "Last Reviewed": reviewed,
            "Kind": kind,
        }

    # -- KPIs and their actuals ------------------------------------------------------------

    def _kpis(self) -> None:
        kpis, actuals = [], []
        number = 0
        for s in self.services:
            for kpi in s.kpis:
                number += 1
                kpi_id = f"KPI-{number:02d}"
                owner = s.managers.split(";")[0].strip()
                kpis.append({
                    "KPI ID": kpi_id, "Service ID": s.id, "KPI Name": kpi.name,
                    "Unit": kpi.unit, "Direction": kpi.direction, "Target": kpi.target,
                    "Amber Threshold": kpi.amber, "Red Threshold": kpi.red,
                    "Frequency": kpi.frequency, "Owner": owner, "Baseline": kpi.baseline,
                })
                periods = self._periods(kpi.frequency, s)
                if s.id == "SVC-011":
                    periods = periods[:-1]  # deliberate: last month's actual never came in
                actuals += _actuals(kpi_id, kpi, periods, owner, self.cal.as_of)
        self.rows["KPIs"] = kpis
        self.rows["KPI Actuals"] = actuals

    def _periods(self, frequency: str, s: Service) -> list[D]:
        """The periods from go-live (at most 13 months or 5 quarters) to the last complete."""
        if frequency == QUARTERLY:
            last, count = previous_quarter(self.cal.as_of), 5
        else:
            last, count = previous_month(self.cal.as_of), 13
        go_live = self.cal.month(s.live_months, 1)
        periods = [step_back(frequency, last, n) for n in range(count - 1, -1, -1)]
        return [p for p in periods if p >= go_live]

    # -- Risks and issues, changes ---------------------------------------------------------

    def _risks(self) -> list[dict]:
        m, ahead = self.cal.month, self.cal.ahead
        items = [
            ("RSK-001", "SVC-001", "Risk", "Project managers miss the status deadline in "
             "holiday months, so the report goes out incomplete.", "Medium", "P-002", "Open",
             "Delivery Management", m(3, 4), ahead(1, 20),
             "Move the deadline two days earlier in August and December."),
            ("RSK-002", "SVC-008", "Risk", "The PPM tool contract ends in four months and the "
             "renewal is not signed.", "Critical", "P-002", "Mitigating", "Service Ownership",
             m(2, 11), ahead(2, 15), "Director to sign the renewal; fallback export tested."),
            ("RSK-003", "SVC-002", "Risk", "Two programmes keep their RAID in local "
             "spreadsheets, so the portfolio log misses their top risks.", "High", "P-003",
             "Open", "Delivery Management", m(1, 8), ahead(1, 30),
             "Migrate both logs into the PPM tool."),
            ("ISS-001", "SVC-007", "Issue", "ERP month-end change delays the ledger extract "
             "by three days.", "High", "P-004", "Mitigating", "Service Ownership", m(2, 20),
             ahead(1, 12), "Agreed an interim extract with Finance Shared Services."),
            ("ISS-002", "SVC-009", "Issue", "The training room booking system double-booked "
             "two courses.", "Low", "P-016", "Closed", "Service Operations", m(6, 3),
             m(5, 15), "Courses rebooked; bookings now confirmed by email."),
            ("RSK-004", "SVC-018", "Risk", "Managers keep asking for the old slide pack "
             "instead of using the dashboards.", "Medium", "P-006", "Mitigating",
             "Service Operations", m(3, 17), ahead(3, 1),
             "Adoption clinic runs weekly until the dashboards are in everyday use."),
            ("ISS-003", "SVC-004", "Issue", "Resource managers in IT have not sent their "
             "capacity returns this quarter.", "Medium", "P-006", "Open", "Service Operations",
             m(1, 5), ahead(1, 5), "Escalate through the IT portfolio lead."),
            ("RSK-005", "SVC-017", "Risk", "Benefit owners have moved on before the review "
             "takes place.", "Low", "P-021", "Open", "Service Operations", m(2, 2),
             ahead(4, 1), "Name a successor benefit owner at project closure."),
            ("ISS-004", "SVC-013", "Issue", "A dependency on the identity platform slipped "
             "six weeks.", "Critical", "P-003", "Closed", "Service Ownership", m(7, 9),
             m(5, 30), "Replanned with the identity programme; closed at the board."),
        ]
        headers = ("ID", "Service ID", "Type", "Description", "Severity", "Owner", "Status",
                   "Escalation Level", "Raised Date", "Target Date", "Action")
        return [dict(zip(headers, item, strict=True)) for item in items]

    def _changes(self) -> list[dict]:
        m = self.cal.month
        items = [
            ("CHG-001", "SVC-001", "Change request", "Feedback", "Add a benefits section to "
             "the portfolio report.", m(8, 4), "Implemented", "P-001", m(8, 18), "N", "Y",
             "Y"),
            ("CHG-002", "SVC-002", "Continuous improvement", "Policy or tools", "Move the RAID "
             "log from spreadsheets into the PPM tool.", m(6, 2), "Implemented", "P-015",
             m(6, 9), "N", "Y", "Y"),
            ("CHG-003", "SVC-006", "Change request", "Business context", "Add a sustainability "
             "criterion to gate 2.", m(2, 6), "Approved", "P-001", m(1, 14), "N", "N", "N"),
            ("CHG-004", "SVC-009", "Continuous improvement", "Feedback", "Shorten the "
             "foundation course to one day.", m(1, 21), "Proposed", None, None, "N", "N", "N"),
            ("CHG-005", "SVC-003", "Change request", "Other", "Track non-financial benefits "
             "in the same register.", m(4, 7), "Rejected", None, None, "N", "N", "N"),
            ("CHG-006", "SVC-005", "Continuous improvement", "Policy or tools", "Automate the "
             "critical-path checks with the new scheduling add-in.", m(5, 11), "Implemented",
             "P-004", m(4, 20), "Y", "Y", "N"),
            ("CHG-007", "SVC-014", "Change request", "Business context", "Add the hybrid "
             "agile lifecycle to the delivery method.", m(9, 1), "Implemented", "P-001",
             m(8, 15), "Y", "Y", "Y"),
        ]
        headers = ("Change ID", "Service ID", "Type", "Reason", "Description", "Requested Date",
                   "Status", "Approved By", "Approved Date", "Strategy Updated",
                   "Catalogue Updated", "Handbook Updated")
        return [dict(zip(headers, item, strict=True)) for item in items]

    # -- Lifecycle Log, Waivers ------------------------------------------------------------

    def _lifecycle_log(self) -> Iterator[dict]:
        order = ["Proposed", "Design", "Pilot", "Transition", "Running", "Closing", "Closed"]
        entered = {"Design": "Design Start", "Pilot": "Pilot Start",
                   "Transition": "Sign-off Date", "Running": "Go-live Date",
                   "Closing": "Closure Approved Date", "Closed": "Closed Date"}
        for s in self.services:
            dates = self._dates(s)
            if s.stage == "Rejected":
                yield {"Service ID": s.id, "From Stage": "Proposed", "To Stage": "Rejected",
                       "Date": self.cal.month(6, 18), "Approved By": s.owner}
                continue
            if s.stage == "Proposed":
                continue
            for before, after in zip(order, order[1:order.index(s.stage) + 1], strict=False):
                yield {"Service ID": s.id, "From Stage": before, "To Stage": after,
                       "Date": dates[entered[after]], "Approved By": s.owner}

    def _waivers(self) -> list[dict]:
        return [{"Rule": "C106", "Record": "CHG-002",
                 "Reason": "Moving the RAID log into the PPM tool changes no part of the "
                           "Service Strategy.",
                 "Approved By": "P-001", "Expires": self.cal.ahead(6, 1)}]


# --- helpers ------------------------------------------------------------------------------

_ROLE_HEADERS = {
    "owner": "Service Owner", "manager": "Service Manager", "operative": "Service Operative",
    "director": "PMO Director", "pmo_manager": "PMO Manager", "analyst": "PMO Analyst",
    "administrator": "PMO Administrator", "customer": "Customer", "supplier": "Supplier",
}


def _raci(procedure_id: str, activity: str, **letters: str | None) -> dict:
    row: dict[str, object] = {"Procedure ID": procedure_id, "Activity": activity}
    row.update({_ROLE_HEADERS[role]: value for role, value in letters.items() if value})
    return row


def _delivery_raci(procedure_id: str, proc: Process, s: Service) -> list[dict]:
    output = proc.outputs.split(";")[0].strip()
    doer = {"operative": "R"} if s.operatives else {"analyst": "R"}
    first = _raci(procedure_id, f"Gather the {proc.inputs.split(';')[0].strip().lower()}",
                  manager="A", customer="C", **doer)
    if s.id == "SVC-006" and proc.name == "Hold the gate review":
        # Deliberate: the gate decision has two accountable roles.
        second = _raci(procedure_id, "Decide the gate outcome", owner="A", director="A",
                       manager="R", customer="I")
    else:
        second = _raci(procedure_id, f"Check and issue the {output.lower()}", owner="I",
                       manager="A/R", customer="I")
    return [first, second]


def _actuals(kpi_id: str, kpi: Kpi, periods: list[D], owner: str, as_of: D) -> list[dict]:
    """A KPI's actuals: from its baseline towards its target, with the odd bad period."""
    rng = random.Random(kpi_id)  # a string seed gives the same series on every run
    spread = abs(kpi.target - kpi.red) / 3
    rows = []
    for index, period in enumerate(periods):
        progress = min(1.0, (index + 1) / 5)
        centre = kpi.baseline + (kpi.target - kpi.baseline) * progress
        value = centre + rng.gauss(0, spread)
        if kpi.unit == "%":
            value = min(100.0, max(0.0, value))
        value = max(0.0, value)
        value = round(value) if kpi.unit in ("count", "days") else round(value, 1)
        reported = min(_period_end(kpi.frequency, period) + dt.timedelta(days=6), as_of)
        rows.append({"KPI ID": kpi_id, "Period": period, "Actual": value,
                     "Commentary": _commentary(kpi, value, rng), "Reported By": owner,
                     "Reported On": reported})
    return rows


def _period_end(frequency: str, period: D) -> D:
    months = 3 if frequency == QUARTERLY else 1
    index = period.year * 12 + period.month - 1 + months
    return D(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)


_REASONS = [
    "Holiday period; two returns came in late.",
    "New starters still learning the process.",
    "Source system outage in the second week.",
    "Peak of year-end work on the projects.",
]


def _commentary(kpi: Kpi, value: float, rng: random.Random) -> str | None:
    missed = value < kpi.amber if kpi.direction == HIGHER else value > kpi.amber
    short = value < kpi.target if kpi.direction == HIGHER else value > kpi.target
    if missed:
        return "Red: " + rng.choice(_REASONS) + " Recovery plan agreed with the owner."
    if short:
        return "Amber: " + rng.choice(_REASONS)
    return None

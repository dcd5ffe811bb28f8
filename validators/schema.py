"""The master workbook, declared once: every sheet, column and controlled value lives here.

A sheet is a class; each column is one :func:`column` attribute giving its header, kind,
whether it is required, its allowed values, what it points at and the guidance shown on its
header cell. The class attribute then *is* the header, so code names columns the way an
editor can follow and a typo fails at import: ``record[Services.stage]``,
``master[KPIs].data[KPIs.target]``. From the same declarations come the pandera schema of
each sheet (``cell_checks.pandera_schema``, run by the S rules), the template's drop-downs
and comments, the reference checks, ``pmo-xl schema`` and docs/WORKBOOK.md.

Importing this module is cheap (no pandas, no pandera): ``pmo-xl rules`` and ``pmo-xl
schema`` answer at once; the pandera schemas are built the first time a check needs them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

# --- the controlled vocabularies (master-workbook.md) ------------------------------------------
# Each is a StrEnum: its members are the very strings a cell holds (``Stage.RUNNING ==
# "Running"``), so code compares with a name an editor can follow instead of a literal.


class Stage(StrEnum):
    """The service lifecycle; Rejected sits outside it, a proposal turned down."""

    PROPOSED = "Proposed"
    DESIGN = "Design"
    PILOT = "Pilot"
    TRANSITION = "Transition"
    RUNNING = "Running"
    CLOSING = "Closing"
    CLOSED = "Closed"
    REJECTED = "Rejected"


class Scope(StrEnum):
    PROJECT = "Project or programme"
    MULTIPLE = "Multiple projects or programmes"
    PORTFOLIO = "Portfolio"
    ORGANISATION = "Organisation"


class Offering(StrEnum):
    MANDATED = "Mandated"
    MENU = "Menu"
    OFF_MENU = "Off-menu"


class Delivery(StrEnum):
    IN_HOUSE = "In-house"
    OUTSOURCED_INTERNAL = "Outsourced internal"
    OUTSOURCED_EXTERNAL = "Outsourced external"


class Funding(StrEnum):
    CENTRAL = "Central"
    RECHARGED = "Recharged"


class Rollout(StrEnum):
    PHASED = "Phased"
    BIG_BANG = "Big-bang"


class ClosureReason(StrEnum):
    """Why a service closes."""

    END_DATE = "Agreed end date reached"
    OBJECTIVE_ACHIEVED = "Objective achieved"
    RESOURCES_NEEDED = "Resources needed elsewhere"
    REQUESTED = "Requested by stakeholders or owner"
    NOT_ADVANTAGEOUS = "No longer advantageous"
    LEVEL_NOT_ACHIEVABLE = "Service level not achievable"
    REPLACED = "Replaced by another service"
    FOCUS_CHANGED = "Change in PMO focus"


class PmoLevel(StrEnum):
    PROJECT = "Project"
    PROGRAMME = "Programme"
    PORTFOLIO = "Portfolio"
    ENTERPRISE = "Enterprise"
    CENTRE_OF_EXCELLENCE = "Centre of Excellence"


class JobRole(StrEnum):
    DIRECTOR = "PMO Director"
    MANAGER = "PMO Manager"
    ANALYST = "PMO Analyst"
    ADMINISTRATOR = "PMO Administrator"
    OTHER = "Other"


class KeyDocument(StrEnum):
    """The three key documents."""

    STRATEGY = "Service Strategy"
    CATALOGUE = "Service Catalogue"
    HANDBOOK = "Operations Handbook"


class ProcedureStatus(StrEnum):
    DRAFT = "Draft"
    TESTED = "Tested"
    APPROVED = "Approved"
    RETIRED = "Retired"


class ProcedureKind(StrEnum):
    DELIVERY = "Delivery"
    MONITORING = "Monitoring"
    RECHARGING = "Recharging"


class RaciRole(StrEnum):
    """The roles a RACI column may be headed by (besides a Person ID)."""

    SERVICE_OWNER = "Service Owner"
    SERVICE_MANAGER = "Service Manager"
    SERVICE_OPERATIVE = "Service Operative"
    PMO_DIRECTOR = "PMO Director"
    PMO_MANAGER = "PMO Manager"
    PMO_ANALYST = "PMO Analyst"
    PMO_ADMINISTRATOR = "PMO Administrator"
    CUSTOMER = "Customer"
    SUPPLIER = "Supplier"


class Direction(StrEnum):
    HIGHER = "Higher is better"
    LOWER = "Lower is better"


class Frequency(StrEnum):
    MONTHLY = "Monthly"
    QUARTERLY = "Quarterly"


class ItemType(StrEnum):
    RISK = "Risk"
    ISSUE = "Issue"


class Severity(StrEnum):
    LOW = "Low"
    MEDIUM = "Medium"
    HIGH = "High"
    CRITICAL = "Critical"


class RiskStatus(StrEnum):
    OPEN = "Open"
    MITIGATING = "Mitigating"
    CLOSED = "Closed"


class Escalation(StrEnum):
    """Escalation runs from Service Operations through Delivery Management to Service
    Ownership."""

    OPERATIONS = "Service Operations"
    DELIVERY = "Delivery Management"
    OWNERSHIP = "Service Ownership"


class ChangeType(StrEnum):
    REQUEST = "Change request"
    IMPROVEMENT = "Continuous improvement"


class ChangeReason(StrEnum):
    BUSINESS_CONTEXT = "Business context"
    FEEDBACK = "Feedback"
    POLICY_OR_TOOLS = "Policy or tools"
    OTHER = "Other"


class ChangeStatus(StrEnum):
    PROPOSED = "Proposed"
    APPROVED = "Approved"
    IMPLEMENTED = "Implemented"
    REJECTED = "Rejected"


class YesNo(StrEnum):
    YES = "Y"
    NO = "N"


class KpiState(StrEnum):
    """A KPI's Status: it is retired, never deleted, so its history stays (blank is Active)."""

    ACTIVE = "Active"
    RETIRED = "Retired"


class Affected(StrEnum):
    """The key documents a change may have to update (Changes' Affects)."""

    STRATEGY = "Strategy"
    CATALOGUE = "Catalogue"
    HANDBOOK = "Handbook"


class PilotResult(StrEnum):
    """How the pilot went against the success criteria agreed with the customers."""

    MET = "Met"
    PARTLY_MET = "Partly met"
    NOT_MET = "Not met"


class Evidence(StrEnum):
    """What a KPI shows about its service (KPIs' Evidences)."""

    OUTCOME = "Outcome"
    OUTPUT = "Output"
    ADOPTION = "Adoption"
    EFFICIENCY = "Efficiency"


class PolicySeverity(StrEnum):
    """What a Rules row sets a rule or family to."""

    ERROR = "Error"
    WARNING = "Warning"
    INFO = "Info"
    OFF = "Off"


# The allowed values of each controlled column, in drop-down order.
STAGES = tuple(Stage)
SCOPES = tuple(Scope)
OFFERINGS = tuple(Offering)
DELIVERY = tuple(Delivery)
FUNDING = tuple(Funding)
ROLLOUT = tuple(Rollout)
CLOSURE_REASONS = tuple(ClosureReason)
PMO_LEVELS = tuple(PmoLevel)
JOB_ROLES = tuple(JobRole)
KEY_DOCUMENTS = tuple(KeyDocument)
PROCEDURE_STATUSES = tuple(ProcedureStatus)
PROCEDURE_KINDS = tuple(ProcedureKind)
RACI_ROLES = tuple(RaciRole)
DIRECTIONS = tuple(Direction)
FREQUENCIES = tuple(Frequency)
RISK_TYPES = tuple(ItemType)
SEVERITIES = tuple(Severity)
RISK_STATUSES = tuple(RiskStatus)
ESCALATION_LEVELS = tuple(Escalation)
CHANGE_TYPES = tuple(ChangeType)
CHANGE_REASONS = tuple(ChangeReason)
CHANGE_STATUSES = tuple(ChangeStatus)
YES_NO = tuple(YesNo)
KPI_STATES = tuple(KpiState)
AFFECTED = tuple(Affected)
POLICY_SEVERITIES = tuple(PolicySeverity)
PILOT_RESULTS = tuple(PilotResult)
EVIDENCES = tuple(Evidence)

# --- what the vocabularies mean (one place, read by rules and reports alike) ---------------

# The lifecycle in order, and the moves it allows. Pilot may repeat before
# sign-off; a set-up that is stopped goes through Closing like a running service.
LIFECYCLE = (Stage.PROPOSED, Stage.DESIGN, Stage.PILOT, Stage.TRANSITION, Stage.RUNNING,
             Stage.CLOSING, Stage.CLOSED)
LEGAL_MOVES: dict[str, tuple[Stage, ...]] = {
    Stage.PROPOSED: (Stage.DESIGN, Stage.REJECTED),
    Stage.DESIGN: (Stage.PILOT, Stage.CLOSING),
    Stage.PILOT: (Stage.PILOT, Stage.TRANSITION, Stage.CLOSING),
    Stage.TRANSITION: (Stage.RUNNING, Stage.CLOSING),
    Stage.RUNNING: (Stage.CLOSING,),
    Stage.CLOSING: (Stage.CLOSED,),
    Stage.CLOSED: (),
    Stage.REJECTED: (),
}
SET_UP_STAGES = (Stage.DESIGN, Stage.PILOT, Stage.TRANSITION)  # setting up a service
# Services that take effort and deliver something to rate: set-up, running and closing.
ACTIVE_STAGES = (*SET_UP_STAGES, Stage.RUNNING, Stage.CLOSING)
# The stages a service may be published at in the catalogue (pmo-xl catalogue --stage).
PUBLISHED_STAGES = (Stage.PILOT, Stage.TRANSITION, Stage.RUNNING, Stage.CLOSING)
GOING_STAGES = (Stage.CLOSING, Stage.CLOSED)  # a service whose processes are going or gone
ENDED_STAGES = (Stage.CLOSED, Stage.REJECTED)  # nothing is delivered or changed any more
# The stage each set-up stage moves to next, and the date that marks entering a stage.
NEXT_STAGE = {Stage.DESIGN: Stage.PILOT, Stage.PILOT: Stage.TRANSITION,
              Stage.TRANSITION: Stage.RUNNING}

# A risk or issue is open until it is Closed; an unreadable status counts as open, so a
# typo never hides a risk (S106 reports the typo).
CLOSED_RISK_STATUSES = (RiskStatus.CLOSED,)
SERIOUS_SEVERITIES = (Severity.HIGH, Severity.CRITICAL)  # escalated to Service Ownership
# What Risks' Led To holds besides a Change ID: the item led to its service's closure.
LED_TO_CLOSURE = "Closure"
TOP_ESCALATION = Escalation.OWNERSHIP
# A change is in flight until it is Implemented or Rejected; agreed once Approved.
SETTLED_CHANGE_STATUSES = (ChangeStatus.IMPLEMENTED, ChangeStatus.REJECTED)
AGREED_CHANGE_STATUSES = (ChangeStatus.APPROVED, ChangeStatus.IMPLEMENTED)

# Who typically holds each role and who owns each key document.
OWNER_JOB_ROLES = (JobRole.DIRECTOR, JobRole.MANAGER)  # a Service Owner, typically
MANAGER_JOB_ROLES = (JobRole.MANAGER, JobRole.ANALYST)  # a Service Manager, typically
DOCUMENT_OWNER_ROLE = {KeyDocument.STRATEGY: JobRole.DIRECTOR,
                       KeyDocument.HANDBOOK: JobRole.MANAGER}
OUTSOURCED = (Delivery.OUTSOURCED_INTERNAL, Delivery.OUTSOURCED_EXTERNAL)

# --- the kinds of value a column holds ----------------------------------------------------

# Template widths of free text that wraps, and of names and short lists.
PROSE_WIDTH, NAME_WIDTH = 40, 30

ID, TEXT, NUMBER, INTEGER, DATE, YESNO, CHOICE, LIST = (
    "id", "text", "number", "integer", "date", "yes/no", "choice", "list")

_YES = {"y", "yes"}
_NO = {"n", "no"}


def normalise_header(text: object) -> str:
    """The form headers are matched in: case-insensitive, spaces folded (`Service  ID`)."""
    if isinstance(text, str):
        return _normalised(text)
    return _normalise(str(text))


@functools.lru_cache(maxsize=4096)
def _normalised(text: str) -> str:
    # A check asks for the same few hundred headers thousands of times.
    return _normalise(text)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip().casefold()


# What the reader notes about a cell whose value cannot be used as typed.
APOSTROPHE = "apostrophe"  # an ID typed with a leading ' as part of its text
NOT_FINITE = "not finite"  # NaN or INF in a number cell: a program wrote it, Excel cannot


def id_text(value: object) -> str:
    """An ID typed as something else, as text the way Excel shows it: 7 (for P-007's row)
    reads "7", not "7.0"; a boolean reads "TRUE", never equal to the number 1."""
    if type(value) is bool:
        return "TRUE" if value else "FALSE"
    if type(value) is float and value.is_integer():
        return str(int(value))
    return str(value).strip()


def closest(value: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The allowed value nearest to what was typed (`Runing` -> `Running`), if any is near."""
    import difflib

    by_key = {c.casefold(): c for c in choices}
    match = difflib.get_close_matches(value.casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


def split_list(value: object) -> list[str]:
    """A `;` list cell as its items, spaces trimmed (`P-001; P-002` -> two items)."""
    if value is None:
        return []
    return [item.strip() for item in str(value).split(";")]


def bad_items(value: object, choices: tuple[str, ...]) -> list[str]:
    """The items of a `;` list cell that are not one of `choices` (any case or spacing)."""
    if not isinstance(value, str):
        return [str(value)]
    allowed = {normalise_header(c) for c in choices}
    return [item for item in split_list(value) if item and normalise_header(item) not in allowed]


def yes(value: object) -> bool | None:
    """Y/Yes -> True, N/No -> False (any case); blank or anything else -> None."""
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _YES:
            return True
        if word in _NO:
            return False
    return None


# --- declaring columns and sheets ----------------------------------------------------------


@dataclass(frozen=True)
class ColumnInfo:
    """One column's declaration."""

    sheet: str
    header: str
    kind: str
    required: bool
    unique: bool
    choices: tuple[str, ...]
    references: str | None
    many: bool
    guidance: str
    key: bool = False  # the column whose value names the row's record
    width: int | None = None  # the template's column width, where the kind does not say it


@dataclass(frozen=True)
class _Declared:
    header: str
    kind: str
    required: bool
    unique: bool
    choices: tuple[str, ...]
    references: str | None
    many: bool
    guidance: str
    key: bool
    width: int | None


def column(
    header: str,
    kind: str = TEXT,
    *,
    required: bool = False,
    unique: bool = False,
    choices: tuple[str, ...] = (),
    references: str | None = None,
    many: bool = False,
    key: bool = False,
    guidance: str = "",
    width: int | None = None,
) -> Any:
    """Declare one column of a :class:`Sheet`; on the class, the attribute becomes `header`."""
    return _Declared(header, kind, required, unique, tuple(str(c) for c in choices),
                     references, many, guidance, key, width)


class Sheet:
    """A sheet of the master: subclass it, with the sheet's name, and declare its columns.

    The docstring's first paragraph is the sheet's purpose (the template's Readme and
    ``pmo-xl schema`` show it). After the class is made, each column attribute holds its
    header text; ``SHEET``, ``COLUMNS``, ``KEY`` and ``OPTIONAL`` describe the sheet.
    """

    SHEET: ClassVar[str]
    PURPOSE: ClassVar[str]
    OPTIONAL: ClassVar[bool] = False
    ROLE_COLUMNS: ClassVar[bool] = False  # RACI: one column per role after the declared ones
    KEY: ClassVar[str | None] = None  # the ID column, where the sheet has one
    COLUMNS: ClassVar[tuple[ColumnInfo, ...]] = ()

    def __init_subclass__(cls, *, sheet: str, optional: bool = False,
                          role_columns: bool = False, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.SHEET = sheet
        cls.PURPOSE = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
        cls.OPTIONAL = optional
        cls.ROLE_COLUMNS = role_columns
        declared = []
        for attribute, value in list(vars(cls).items()):
            if isinstance(value, _Declared):
                declared.append(ColumnInfo(sheet, value.header, value.kind, value.required,
                                           value.unique, value.choices, value.references,
                                           value.many, value.guidance, value.key,
                                           value.width))
                setattr(cls, attribute, value.header)
        cls.COLUMNS = tuple(declared)
        cls.KEY = next((c.header for c in declared if c.key), None)

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.COLUMNS]


# --- the sheets ------------------------------------------------------------------------------


class Services(Sheet, sheet="Services"):
    """The Service Catalogue: one row per PMO service, from proposal to closure."""

    service_id = column("Service ID", ID, required=True, unique=True, key=True,
                        guidance="A unique ID for the service, e.g. SVC-001. Never reuse a "
                                 "closed ID.")
    service_name = column("Service Name", TEXT, width=NAME_WIDTH, required=True,
                          guidance="The name customers know the service by.")
    description = column("Description", TEXT, width=PROSE_WIDTH,
                         guidance="What the service does, in a sentence or two.")
    category = column("Category", TEXT, guidance="Your own grouping, e.g. Reporting, Assurance.")
    lead_pmo = column("Lead PMO", ID, required=True, references="PMOs",
                      guidance="PMO ID of the PMO that leads the service (sheet PMOs).")
    customers = column("Customers", TEXT, width=NAME_WIDTH,
                       guidance="Who receives the service's outputs.")
    desired_outcome = column("Desired Outcome", TEXT, width=PROSE_WIDTH,
                             guidance="The outcome for the organisation the service delivers.")
    scope = column("Scope", CHOICE, required=True, choices=SCOPES,
                   guidance="How wide the service reaches: a project or programme, several, "
                            "the portfolio or the whole organisation.")
    stage = column("Stage", CHOICE, required=True, choices=STAGES,
                   guidance="Lifecycle stage: Proposed > Design > Pilot > Transition > Running "
                            "> Closing > Closed (or Rejected from Proposed).")
    offering = column("Offering", CHOICE, required=True, choices=OFFERINGS,
                      guidance="Mandated (must be done by the PMO), Menu (in the catalogue) or "
                               "Off-menu (on request).")
    delivery = column("Delivery", CHOICE, choices=DELIVERY,
                      guidance="In-house, or outsourced inside or outside the organisation.")
    strategic_objective = column("Strategic Objective", ID, references="Strategy",
                                 guidance="Objective ID (sheet Strategy) the service is aligned "
                                          "to.")
    priority = column("Priority", INTEGER, guidance="1 = highest. Needed for Proposed services.")
    funding = column("Funding", CHOICE, choices=FUNDING,
                     guidance="Central, or Recharged to customers.")
    planned_fte = column("Planned FTE", NUMBER,
                         guidance="Effort the service takes, in full-time equivalents.")
    service_owner = column("Service Owner", ID, required=True, references="People",
                           guidance="Person ID of the accountable owner: a PMO Director or PMO "
                                    "Manager.")
    service_managers = column("Service Managers", ID, references="People", many=True,
                              guidance="Person IDs of the Service Managers, one per delivering "
                                       "PMO, separated by ;")
    operatives = column("Operatives", ID, references="People", many=True,
                        guidance="Person IDs of the Service Operatives, separated by ;")
    temporary = column("Temporary", YESNO,
                       guidance="Y for a temporary supporting service (it needs a Planned End "
                                "Date and the service it supports).")
    supports_service = column("Supports Service", ID, references="Services",
                              guidance="For a temporary supporting service: the Service ID it "
                                       "sits beside.")
    planned_end_date = column("Planned End Date", DATE,
                              guidance="When a temporary service is due to end.")
    approved_date = column("Approved Date", DATE,
                           guidance="When the decision to set up was taken.")
    design_start = column("Design Start", DATE, guidance="When design of the service began.")
    pilot_start = column("Pilot Start", DATE, guidance="When the (first) pilot began.")
    sign_off_date = column("Sign-off Date", DATE,
                           guidance="Formal sign-off after testing and pilot.")
    readiness_assessment_date = column("Readiness Assessment Date", DATE,
                                       guidance="When the organisation readiness assessment "
                                                "was done.")
    rollout_approach = column("Rollout Approach", CHOICE, choices=ROLLOUT,
                              guidance="How it moved into business as usual: Phased or "
                                       "Big-bang.")
    go_live_date = column("Go-live Date", DATE,
                          guidance="When the service entered business as usual.")
    closure_reason = column("Closure Reason", CHOICE, choices=CLOSURE_REASONS,
                            guidance="Why the service is closing.")
    closure_approved_by = column("Closure Approved By", ID, references="People",
                                 guidance="Person ID of the Service Owner who approved the "
                                          "closure.")
    closure_approved_date = column("Closure Approved Date", DATE,
                                   guidance="When the closure was approved.")
    closed_date = column("Closed Date", DATE, guidance="When the service stopped.")
    artefacts_reviewed = column("Artefacts Reviewed", YESNO,
                                guidance="Y once the service's artefacts were reviewed for "
                                         "future reuse.")
    replaced_by = column("Replaced By", ID, references="Services",
                         guidance="Service ID of the service that replaces this one.")
    last_reviewed = column("Last Reviewed", DATE,
                           guidance="When this catalogue entry was last reviewed.")
    required_skills = column("Required Skills", LIST, many=True,
                             guidance="Skills the service's team needs, in the words People's "
                                      "Skills use, separated by ;")
    pilot_result = column("Pilot Result", CHOICE, choices=PILOT_RESULTS,
                          guidance="How the pilot went against the success criteria agreed with "
                                   "the customers: Met, Partly met or Not met. Needed before "
                                   "Transition.")
    pilot_result_date = column("Pilot Result Date", DATE,
                               guidance="When the pilot's result was agreed.")
    how_to_request = column("How to Request", TEXT, width=PROSE_WIDTH,
                            guidance="What customers do to ask for the service: a sentence or a "
                                     "link. Published in the catalogue.")
    lead_time = column("Lead Time", NUMBER,
                       guidance="Working days from a request to the service starting. Published "
                                "in the catalogue.")


# Planned dates (rules.md V): a set-up date for a stage the service has not reached yet is
# a plan and may lie in the future. Each date -> the stage from which it has happened.
SET_UP_DATE_STAGE: dict[str, Stage] = {
    Services.approved_date: Stage.DESIGN, Services.design_start: Stage.DESIGN,
    Services.pilot_start: Stage.PILOT, Services.sign_off_date: Stage.TRANSITION,
    Services.readiness_assessment_date: Stage.RUNNING, Services.go_live_date: Stage.RUNNING,
}
# The dates that mark entering their stage: one that has passed while the service is short
# of that stage is a slipped plan. (A readiness assessment happens during Transition, so a
# past one proves nothing about the stage.)
STAGE_ENTRY_DATES = (Services.approved_date, Services.design_start, Services.pilot_start,
                     Services.sign_off_date, Services.go_live_date)


class PMOs(Sheet, sheet="PMOs"):
    """The PMOs that deliver services, and their capacity."""

    pmo_id = column("PMO ID", ID, required=True, unique=True, key=True,
                    guidance="A unique ID, e.g. PMO-1.")
    pmo_name = column("PMO Name", TEXT, width=NAME_WIDTH, required=True, guidance="The PMO's name.")
    level = column("Level", CHOICE, choices=PMO_LEVELS,
                   guidance="Project, Programme, Portfolio, Enterprise or Centre of "
                            "Excellence.")
    parent_pmo = column("Parent PMO", ID, references="PMOs",
                        guidance="PMO ID of the PMO this one reports to, if any.")
    capacity_fte = column("Capacity FTE", NUMBER,
                          guidance="Full-time equivalents the PMO has for its services.")
    pmo_manager = column("PMO Manager", ID, references="People",
                         guidance="Person ID of its manager.")


class People(Sheet, sheet="People"):
    """Everyone named elsewhere in the workbook, with their job role."""

    person_id = column("Person ID", ID, required=True, unique=True, key=True,
                       guidance="A unique ID, e.g. P-007.")
    name = column("Name", TEXT, width=NAME_WIDTH, required=True, guidance="Full name.")
    job_role = column("Job Role", CHOICE, required=True, choices=JOB_ROLES,
                      guidance="PMO Director, PMO Manager, PMO Analyst, PMO Administrator or "
                               "Other.")
    pmo = column("PMO", ID, references="PMOs", guidance="PMO ID the person works in.")
    fte = column("FTE", NUMBER, guidance="Their working time, 1 = full time.")
    email = column("Email", TEXT, guidance="Work email address.")
    skills = column("Skills", LIST, many=True,
                    guidance="What the person is competent in, in the PMO's own words, e.g. "
                             "Scheduling; Benefits management")


class Strategy(Sheet, sheet="Strategy"):
    """The objectives from the PMO Service Strategy that services align to."""

    objective_id = column("Objective ID", ID, required=True, unique=True, key=True,
                          guidance="A unique ID, e.g. OBJ-1.")
    objective = column("Objective", TEXT, width=PROSE_WIDTH, required=True,
                       guidance="The objective, in a sentence.")
    owner = column("Owner", ID, references="People", guidance="Person ID of its owner.")


class Documents(Sheet, sheet="Documents"):
    """The three key documents: Service Strategy, Service Catalogue, Operations Handbook."""

    document = column("Document", CHOICE, required=True, unique=True, key=True,
                      choices=KEY_DOCUMENTS,
                      guidance="Service Strategy, Service Catalogue or Operations Handbook.")
    owner = column("Owner", ID, required=True, references="People",
                   guidance="Person ID: the strategy is owned by a PMO Director, the handbook "
                            "by a PMO Manager.")
    version = column("Version", TEXT, guidance="e.g. 1.2")
    last_reviewed = column("Last Reviewed", DATE, guidance="When it was last reviewed.")


class SIPOC(Sheet, sheet="SIPOC"):
    """The processes underpinning each service: Suppliers, Inputs, Process, Outputs, Customers."""

    service_id = column("Service ID", ID, required=True, references="Services",
                        guidance="The service this process underpins.")
    process_id = column("Process ID", ID, required=True, unique=True, key=True,
                        guidance="A unique ID, e.g. PRC-014.")
    process_name = column("Process Name", TEXT, width=NAME_WIDTH, required=True,
                          guidance="The process, as a verb phrase.")
    suppliers = column("Suppliers", LIST, width=NAME_WIDTH, many=True,
                       guidance="Roles or systems that provide inputs, separated by ;")
    inputs = column("Inputs", LIST, width=NAME_WIDTH, many=True,
                    guidance="What the process transforms or uses, separated by ;. An input "
                             "that is another process's output makes a dependency.")
    outputs = column("Outputs", LIST, width=NAME_WIDTH, many=True,
                     guidance="What the process creates, separated by ;")
    customers = column("Customers", LIST, width=NAME_WIDTH, many=True,
                       guidance="Roles or systems that receive the outputs, separated by ;")
    input_quality_criteria = column("Input Quality Criteria", TEXT, width=PROSE_WIDTH,
                                    guidance="What a good input looks like.")
    output_quality_criteria = column("Output Quality Criteria", TEXT, width=PROSE_WIDTH,
                                     guidance="What a good output looks like.")


class Procedures(Sheet, sheet="Procedures"):
    """The Operations Handbook: one row per procedure, with its status."""

    procedure_id = column("Procedure ID", ID, required=True, unique=True, key=True,
                          guidance="A unique ID, e.g. PRD-001.")
    procedure_name = column("Procedure Name", TEXT, width=NAME_WIDTH, required=True,
                            guidance="What the procedure does.")
    service_id = column("Service ID", ID, required=True, references="Services",
                        guidance="The service the procedure delivers or monitors.")
    process_id = column("Process ID", ID, references="SIPOC",
                        guidance="The SIPOC process (of the same service) it carries out.")
    status = column("Status", CHOICE, required=True, choices=PROCEDURE_STATUSES,
                    guidance="Draft, Tested, Approved or Retired.")
    tools_and_techniques = column("Tools and Techniques", TEXT, width=NAME_WIDTH,
                                  guidance="Tools, templates and techniques used.")
    owner = column("Owner", ID, references="People", guidance="Person ID of its owner.")
    version = column("Version", TEXT, guidance="e.g. 2.0")
    last_reviewed = column("Last Reviewed", DATE, guidance="When it was last reviewed.")
    kind = column("Kind", CHOICE, choices=PROCEDURE_KINDS,
                  guidance="Delivery, Monitoring (KPI reporting) or Recharging.")


class RACI(Sheet, sheet="RACI", role_columns=True):
    """The handbook's RACI matrix: one row per activity, one column per role."""

    procedure_id = column("Procedure ID", ID, required=True, references="Procedures",
                          guidance="The procedure the activity belongs to.")
    activity = column("Activity", TEXT, width=NAME_WIDTH, required=True,
                      guidance="One step of the procedure.")


class KPIs(Sheet, sheet="KPIs"):
    """The KPIs each service (or a PMO itself) reports against, with their thresholds."""

    kpi_id = column("KPI ID", ID, required=True, unique=True, key=True,
                    guidance="A unique ID, e.g. KPI-01.")
    service_id = column("Service ID", ID, references="Services",
                        guidance="The service measured; leave blank for a KPI of a PMO itself "
                                 "(then fill PMO ID).")
    kpi_name = column("KPI Name", TEXT, width=NAME_WIDTH, required=True,
                      guidance="What is measured.")
    unit = column("Unit", TEXT, guidance="e.g. %, days, count.")
    direction = column("Direction", CHOICE, required=True, choices=DIRECTIONS,
                       guidance="Higher is better or Lower is better.")
    target = column("Target", NUMBER, required=True,
                    guidance="Green at this value or beyond it, in the KPI's Direction.")
    amber_threshold = column("Amber Threshold", NUMBER,
                             guidance="Optional: with no Red Threshold, the last value that is "
                                      "still Amber (anything worse is Red); with a Red "
                                      "Threshold set, that one decides and this changes no "
                                      "colour (K109 says so).")
    red_threshold = column("Red Threshold", NUMBER,
                           guidance="Optional: Red at this value or worse; every miss of the "
                                    "Target short of it is Amber.")
    frequency = column("Frequency", CHOICE, required=True, choices=FREQUENCIES,
                       guidance="Monthly or Quarterly.")
    owner = column("Owner", ID, references="People", guidance="Person ID who reports it.")
    baseline = column("Baseline", NUMBER, guidance="The value before the service started.")
    pmo_id = column("PMO ID", ID, references="PMOs",
                    guidance="For a KPI of a PMO's own performance: the PMO measured (then "
                             "leave Service ID blank).")
    status = column("Status", CHOICE, choices=KPI_STATES,
                    guidance="Active, or Retired once the KPI is no longer reported (blank is "
                             "Active). Retire a KPI, never delete it: its history stays.")
    retired_date = column("Retired Date", DATE,
                          guidance="For a Retired KPI: the day it stopped. Every period that "
                                   "ended before it is still reported; none after.")
    evidences = column("Evidences", CHOICE, choices=EVIDENCES,
                       guidance="What the KPI shows about its service: Outcome (the desired "
                                "outcome is delivered), Output, Adoption or Efficiency. From "
                                "Transition a service has at least one Outcome KPI.")


class KPIActuals(Sheet, sheet="KPI Actuals"):
    """One row per KPI per period: what was achieved."""

    kpi_id = column("KPI ID", ID, required=True, references="KPIs",
                    guidance="The KPI reported.")
    period = column("Period", DATE, required=True,
                    guidance="First day of the month or quarter the actual is for.")
    actual = column("Actual", NUMBER, required=True, guidance="The value achieved.")
    commentary = column("Commentary", TEXT, width=PROSE_WIDTH,
                        guidance="Why it is what it is, and what is being done.")
    reported_by = column("Reported By", ID, references="People", guidance="Person ID.")
    reported_on = column("Reported On", DATE, guidance="When it was reported.")


class Risks(Sheet, sheet="Risks and Issues"):
    """Risks and issues to services, with their escalation."""

    item_id = column("ID", ID, required=True, unique=True, key=True,
                     guidance="A unique ID, e.g. RSK-001.")
    service_id = column("Service ID", ID, required=True, references="Services",
                        guidance="The service at risk.")
    type = column("Type", CHOICE, required=True, choices=RISK_TYPES, guidance="Risk or Issue.")
    description = column("Description", TEXT, width=PROSE_WIDTH, required=True,
                         guidance="What could happen or has happened.")
    severity = column("Severity", CHOICE, required=True, choices=SEVERITIES,
                      guidance="Low, Medium, High or Critical.")
    owner = column("Owner", ID, required=True, references="People", guidance="Person ID.")
    status = column("Status", CHOICE, required=True, choices=RISK_STATUSES,
                    guidance="Open, Mitigating or Closed.")
    escalation_level = column("Escalation Level", CHOICE, choices=ESCALATION_LEVELS,
                              guidance="Service Operations > Delivery Management > Service "
                                       "Ownership.")
    raised_date = column("Raised Date", DATE, guidance="When it was raised.")
    target_date = column("Target Date", DATE, guidance="When the action is due.")
    action = column("Action", TEXT, width=PROSE_WIDTH, guidance="The mitigation or action agreed.")
    led_to = column("Led To", TEXT,
                    guidance="What the item caused: a Change ID of the same service, or Closure "
                             "(the service is being closed because of it).")


class Changes(Sheet, sheet="Changes"):
    """Change requests and continuous improvements to services."""

    change_id = column("Change ID", ID, required=True, unique=True, key=True,
                       guidance="A unique ID, e.g. CHG-001.")
    service_id = column("Service ID", ID, references="Services",
                        guidance="The service changed; leave blank for a change to a PMO itself "
                                 "(then fill PMO ID).")
    type = column("Type", CHOICE, required=True, choices=CHANGE_TYPES,
                  guidance="Change request or Continuous improvement.")
    reason = column("Reason", CHOICE, choices=CHANGE_REASONS,
                    guidance="Business context, Feedback, Policy or tools, or Other.")
    description = column("Description", TEXT, width=PROSE_WIDTH, required=True,
                         guidance="What changes.")
    requested_date = column("Requested Date", DATE, guidance="When it was requested.")
    status = column("Status", CHOICE, required=True, choices=CHANGE_STATUSES,
                    guidance="Proposed, Approved, Implemented or Rejected.")
    approved_by = column("Approved By", ID, references="People",
                         guidance="Person ID: the service's Service Owner (for a change to a "
                                  "PMO: its PMO Manager or a PMO Director).")
    approved_date = column("Approved Date", DATE,
                           guidance="When the Service Owner agreed it.")
    strategy_updated = column("Strategy Updated", YESNO,
                              guidance="Y once the Service Strategy reflects it.")
    catalogue_updated = column("Catalogue Updated", YESNO,
                               guidance="Y once the Service Catalogue reflects it.")
    handbook_updated = column("Handbook Updated", YESNO,
                              guidance="Y once the Operations Handbook reflects it.")
    affects = column("Affects", LIST, many=True, choices=AFFECTED,
                     guidance="The documents the change has to update: Strategy, Catalogue, "
                              "Handbook, separated by ;. Only these are asked for; blank: "
                              "read from the Reason.")
    pmo_id = column("PMO ID", ID, references="PMOs",
                    guidance="For a change to a PMO itself (a PMO KPI's target, say): the PMO "
                             "(then leave Service ID blank).")


class LifecycleLog(Sheet, sheet="Lifecycle Log", optional=True):
    """Optional: one row per stage change of a service."""

    service_id = column("Service ID", ID, required=True, references="Services",
                        guidance="The service that moved.")
    from_stage = column("From Stage", CHOICE, required=True, choices=STAGES,
                        guidance="Stage it left.")
    to_stage = column("To Stage", CHOICE, required=True, choices=STAGES,
                      guidance="Stage it entered.")
    date = column("Date", DATE, required=True, guidance="When it moved.")
    approved_by = column("Approved By", ID, references="People",
                         guidance="Person ID who approved it.")


class Waivers(Sheet, sheet="Waivers", optional=True):
    """Optional: accepted exceptions to a rule for one record, approved and with an expiry."""

    rule = column("Rule", TEXT, required=True, guidance="The rule code, e.g. K103.")
    record = column("Record", TEXT, required=True,
                    guidance="The ID the finding is about, e.g. SVC-004.")
    reason = column("Reason", TEXT, width=PROSE_WIDTH, required=True,
                    guidance="Why the exception is accepted.")
    approved_by = column("Approved By", ID, required=True, references="People",
                         guidance="Person ID.")
    expires = column("Expires", DATE,
                     guidance="The last day the waiver works; it stops after this date.")


class Rules(Sheet, sheet="Rules", optional=True):
    """Optional: the PMO's own policy: a rule's or a family's severity, or Off, approved."""

    rule = column("Rule", TEXT, required=True, unique=True, key=True,
                  guidance="A rule code such as O101, or a family letter such as R (every rule "
                           "of the family). A row for one rule beats its family's.")
    severity = column("Severity", CHOICE, required=True, choices=POLICY_SEVERITIES,
                      guidance="Error, Warning or Info for its findings, or Off: the rule is "
                               "not run.")
    reason = column("Reason", TEXT, required=True,
                    guidance="Why the PMO departs from the default.")
    approved_by = column("Approved By", ID, required=True, references="People",
                         guidance="Person ID of the PMO Director or PMO Manager who approved "
                                  "it; without an approval the row sets nothing.")
    approved_date = column("Approved Date", DATE, guidance="When it was approved.")


class Setting(StrEnum):
    """The names a Settings row may have (matched case- and space-insensitively)."""

    ORGANISATION = "Organisation"
    REPORTING_PERIOD = "Reporting Period"
    MANDATED_SHARE_TARGET = "Mandated Share Target"
    REVIEW_INTERVAL_MONTHS = "Review Interval Months"
    CHRONIC_RED_PERIODS = "Chronic Red Periods"
    ROLLUP_MAX_AGE_DAYS = "Rollup Max Age Days"
    CAPACITY_TOLERANCE = "Capacity Tolerance"


# How a setting's value is read (pmo_xl.workbook.settings has one reader per kind): TEXT and
# DATE as in a column; a SHARE is 50%, 0.5 or "50"; a COUNT a whole number from 1 to 120.
SHARE, COUNT = "share", "count"


@dataclass(frozen=True)
class SettingInfo:
    """One setting's declaration: everything about it lives here and only here."""

    name: str  # as the Setting cell says it
    kind: str  # TEXT, DATE, SHARE or COUNT
    default: object  # what applies when the setting is blank, absent or cannot be read
    wanted: str  # what a readable value looks like (G108's hint)
    guidance: str  # what it sets (the template, pmo-xl schema, the workbook guide)
    field: str  # the attribute of pmo_xl.workbook.settings.Settings that holds it


SETTINGS_DECLARED: tuple[SettingInfo, ...] = (
    SettingInfo(Setting.ORGANISATION, TEXT, "Your organisation", "the organisation's name",
                "The name on every report, email and catalogue page.", "organisation"),
    SettingInfo(Setting.REPORTING_PERIOD, DATE, None, "a date such as 2026-10-01",
                "The first day of the month the monthly KPIs report; default: the last "
                "complete month before --as-of.", "reporting_period"),
    SettingInfo(Setting.MANDATED_SHARE_TARGET, SHARE, None,
                "a share between 0% and 100%, e.g. 50%",
                "The share of effort on Mandated services the PMO aims for (G103 compares the "
                "mandated share with it); default: none, not judged.", "mandated_share_target"),
    SettingInfo(Setting.REVIEW_INTERVAL_MONTHS, COUNT, 12,
                "a whole number of months from 1 to 120, e.g. 12",
                "How often a Running service, its procedures and the key documents are "
                "reviewed; default: 12 months.", "review_interval_months"),
    SettingInfo(Setting.CHRONIC_RED_PERIODS, COUNT, 3,
                "a whole number of reporting periods from 1 to 120, e.g. 3",
                "How many reporting periods Red in a row call for a decision (improve or "
                "close); default: 3.", "chronic_red_periods"),
    SettingInfo(Setting.ROLLUP_MAX_AGE_DAYS, COUNT, 45,
                "a whole number of days from 1 to 120, e.g. 45",
                "In an enterprise roll-up (pmo-xl rollup), read from the master at the top: a "
                "member last saved, or whose newest pack was made, more days ago than this is "
                "flagged as out of date (P112); default: 45.", "rollup_max_age_days"),
    SettingInfo(Setting.CAPACITY_TOLERANCE, SHARE, 0.10,
                "a share between 0% and 100%, e.g. 10%",
                "How far a PMO's Capacity FTE may differ from its people's FTE before G109 "
                "asks (part-time rounding, a vacancy being filled); default: 10%.",
                "capacity_tolerance"),
)
SETTINGS = tuple(s.name for s in SETTINGS_DECLARED)


class Settings(Sheet, sheet="Settings", optional=True):
    """Optional: one Setting / Value pair per row (Organisation, Reporting Period, Mandated Share
    Target, Review Interval Months, Chronic Red Periods, Capacity Tolerance)."""

    setting = column("Setting", TEXT, required=True, unique=True, key=True,
                     guidance=", ".join(SETTINGS[:-1]) + f" or {SETTINGS[-1]}.")
    value = column("Value", TEXT, required=True,
                   guidance="The organisation's name; a date; a share such as 50%; a whole "
                            "number of months or periods.")

# Sheet order is the template's order.
SHEETS: dict[str, type[Sheet]] = {
    s.SHEET: s for s in (
        Services, PMOs, People, Strategy, Documents, SIPOC, Procedures, RACI, KPIs,
        KPIActuals, Risks, Changes, LifecycleLog, Waivers, Rules, Settings,
    )
}
README_SHEET = "Readme"

# Which column of a referenced sheet holds the key a reference column points at.
KEY_OF: dict[str, str] = {name: sheet.KEY for name, sheet in SHEETS.items()
                          if sheet.KEY is not None}
# The columns that name a row's record where a sheet has no ID of its own (a RACI line or
# an actual is about its procedure or KPI).
RECORD_OF: dict[str, str] = {**KEY_OF, RACI.SHEET: RACI.procedure_id,
                             KPIActuals.SHEET: KPIActuals.kpi_id,
                             LifecycleLog.SHEET: LifecycleLog.service_id,
                             Waivers.SHEET: Waivers.rule}


def sheet_of(name: str | type[Sheet]) -> type[Sheet]:
    """The declaration of a sheet, by name or class."""
    return name if isinstance(name, type) else SHEETS[name]


def columns_of(sheet_name: str | type[Sheet]) -> list[ColumnInfo]:
    """The declared columns of one sheet, in template order."""
    return list(sheet_of(sheet_name).COLUMNS)


def is_optional(sheet_name: str | type[Sheet]) -> bool:
    return sheet_of(sheet_name).OPTIONAL


def id_column(sheet_name: str | type[Sheet]) -> str | None:
    return sheet_of(sheet_name).KEY


# What matches a record in one version to the same record in the other (pmo-xl diff and the
# drift rules).
MATCH_KEYS: dict[str, tuple[str, ...]] = {
    **{sheet.SHEET: (sheet.KEY,) for sheet in (Services, PMOs, People, Strategy, Procedures,
                                               KPIs, Risks, Changes)},
    Documents.SHEET: (Documents.document,),
    SIPOC.SHEET: (SIPOC.service_id, SIPOC.process_id),
    RACI.SHEET: (RACI.procedure_id, RACI.activity),
    KPIActuals.SHEET: (KPIActuals.kpi_id, KPIActuals.period),
    LifecycleLog.SHEET: (LifecycleLog.service_id, LifecycleLog.from_stage,
                         LifecycleLog.to_stage, LifecycleLog.date),
    Waivers.SHEET: (Waivers.rule, Waivers.record),
    Rules.SHEET: (Rules.rule,),
    Settings.SHEET: (Settings.setting,),
}


# The `check` names pandera reports, mapped to structure rules in validators/structure.py.
CHECK_TYPE = "type"
CHECK_CHOICE = "choice"
CHECK_NOT_NULL = "not_nullable"
CHECK_UNIQUE = "field_uniqueness"
CHECK_LIST_ITEMS = "list_items"

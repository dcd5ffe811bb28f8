"""The master workbook, declared once as pandera schemas: every other part reads from here.

A column is one call to :func:`column`: its header, kind, whether it is required, its
allowed values, what it points at and the guidance shown on its header cell. The template's
drop-downs and comments, the structure and reference checks, ``pmo-xl schema`` and the
README's tables all come from these declarations.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

# --- the controlled lists (seed §3, §5; master-workbook.md) --------------------------------

STAGES = ("Proposed", "Design", "Pilot", "Transition", "Running", "Closing", "Closed", "Rejected")
SET_UP_STAGES = ("Design", "Pilot", "Transition")
ACTIVE_STAGES = ("Design", "Pilot", "Transition", "Running", "Closing")
SCOPES = (
    "Project or programme",
    "Multiple projects or programmes",
    "Portfolio",
    "Organisation",
)
OFFERINGS = ("Mandated", "Menu", "Off-menu")
DELIVERY = ("In-house", "Outsourced internal", "Outsourced external")
FUNDING = ("Central", "Recharged")
ROLLOUT = ("Phased", "Big-bang")
CLOSURE_REASONS = (
    "Agreed end date reached",
    "Objective achieved",
    "Resources needed elsewhere",
    "Requested by stakeholders or owner",
    "No longer advantageous",
    "Service level not achievable",
    "Replaced by another service",
    "Change in PMO focus",
)
PMO_LEVELS = ("Project", "Programme", "Portfolio", "Enterprise", "Centre of Excellence")
JOB_ROLES = ("PMO Director", "PMO Manager", "PMO Analyst", "PMO Administrator", "Other")
KEY_DOCUMENTS = ("Service Strategy", "Service Catalogue", "Operations Handbook")
PROCEDURE_STATUSES = ("Draft", "Tested", "Approved", "Retired")
PROCEDURE_KINDS = ("Delivery", "Monitoring", "Recharging")
RACI_ROLES = (
    "Service Owner",
    "Service Manager",
    "Service Operative",
    "PMO Director",
    "PMO Manager",
    "PMO Analyst",
    "PMO Administrator",
    "Customer",
    "Supplier",
)
DIRECTIONS = ("Higher is better", "Lower is better")
FREQUENCIES = ("Monthly", "Quarterly")
RISK_TYPES = ("Risk", "Issue")
SEVERITIES = ("Low", "Medium", "High", "Critical")
RISK_STATUSES = ("Open", "Mitigating", "Closed")
ESCALATION_LEVELS = ("Service Operations", "Delivery Management", "Service Ownership")
CHANGE_TYPES = ("Change request", "Continuous improvement")
CHANGE_REASONS = ("Business context", "Feedback", "Policy or tools", "Other")
CHANGE_STATUSES = ("Proposed", "Approved", "Implemented", "Rejected")
YES_NO = ("Y", "N")
SETTINGS = ("Organisation", "Reporting Period", "Mandated Share Target")

# The kinds of value a column holds. Each kind has one type check below.
ID, TEXT, NUMBER, INTEGER, DATE, YESNO, CHOICE, LIST = (
    "id",
    "text",
    "number",
    "integer",
    "date",
    "yes/no",
    "choice",
    "list",
)

_YES = {"y", "yes"}
_NO = {"n", "no"}


def normalise_header(text: object) -> str:
    """The form headers are matched in: case-insensitive, spaces folded (`Service  ID`)."""
    return re.sub(r"\s+", " ", str(text).replace("\u00a0", " ")).strip().casefold()


# --- type checks: vectorised over a column of raw cell values, blanks already None ---------
#
# A column of 200,000 cells holds a handful of Python types and, in controlled columns, a
# handful of distinct values. Each check therefore decides once per type (or per distinct
# value) and looks the verdict up per cell in C, instead of calling a lambda for every cell:
# the same answers at a tenth of the cost on a large master.

_NONE = type(None)


def _verdicts(values: pd.Series, by_type: bool, verdict) -> pd.Series:
    """True where the cell passes. `verdict` runs once per distinct key of the column: the
    cell's type (`by_type`), else the cell's value (with its type where the column mixes
    types: 1, 1.0 and True are equal in a set but not alike to a check)."""
    cells = values.tolist()
    types = list(map(type, cells))
    judge = verdict
    if by_type:
        keys = types
    elif len(set(types) - {_NONE}) <= 1:  # one type (text, usually): the value is the key
        keys = cells
    else:
        keys = list(zip(types, cells, strict=True))
        judge = lambda key: verdict(key[1])  # noqa: E731
    distinct = set(keys)
    good = {key for key in distinct if judge(key)}
    if len(good) == len(distinct):  # nearly always: every cell passes
        return pd.Series(True, index=values.index, dtype=bool)
    return _blank_passes(values, pd.Series([key in good for key in keys], index=values.index,
                                           dtype=bool))


def _blank_passes(values: pd.Series, passed: pd.Series) -> pd.Series:
    """A blank (None, NaN) passes a type or list check: S104 alone reports blanks. The checks
    run with pandera's ignore_na off, which spares a null scan and a copy of every column
    per check; this restores what ignore_na would do, on the rare failing column only."""
    return passed | values.isna()


def _by_value(check):
    """A check decided once per distinct value; unhashable cells (no workbook has them)
    fall back to one call per cell."""

    def vectorised(values: pd.Series) -> pd.Series:
        try:
            return _verdicts(values, False, check)
        except TypeError:
            return _blank_passes(values, values.map(check).astype(bool))

    return vectorised


def _text_type(kind: type) -> bool:
    return kind is _NONE or issubclass(kind, str)


def _number_type(kind: type) -> bool:
    return kind is _NONE or (issubclass(kind, int | float) and not issubclass(kind, bool))


def _date_type(kind: type) -> bool:
    return kind is _NONE or issubclass(kind, dt.date)


def _is_text(values: pd.Series) -> pd.Series:
    return _verdicts(values, True, _text_type)


def _is_number(values: pd.Series) -> pd.Series:
    return _verdicts(values, True, _number_type)


def _is_integer(values: pd.Series) -> pd.Series:
    # Whether a float is whole depends on its value: judged once per distinct value.
    return _by_value(
        lambda v: v is None
        or (isinstance(v, int | float) and not isinstance(v, bool) and float(v).is_integer())
    )(values)


def _is_date(values: pd.Series) -> pd.Series:
    return _verdicts(values, True, _date_type)


_is_yes_no = _by_value(
    lambda v: v is None or (isinstance(v, str) and v.strip().casefold() in _YES | _NO)
)


def _in_list(choices: tuple[str, ...]):
    allowed = frozenset(choices)
    return _by_value(lambda v: v is None or v in allowed)


_has_no_empty_items = _by_value(
    lambda v: v is None or not isinstance(v, str) or all(split_list(v))
)


TYPE_CHECKS = {
    ID: _is_text,
    TEXT: None,  # anything typed in a text column is kept as text
    NUMBER: _is_number,
    INTEGER: _is_integer,
    DATE: _is_date,
    YESNO: _is_yes_no,
    CHOICE: None,  # the list check says it better
    LIST: None,
}

# The `check` names pandera reports, mapped to structure rules in validators/structure.py.
CHECK_TYPE = "type"
CHECK_CHOICE = "choice"
CHECK_NOT_NULL = "not_nullable"
CHECK_UNIQUE = "field_uniqueness"


def split_list(value: object) -> list[str]:
    """A `;` list cell as its items, spaces trimmed (`P-001; P-002` -> two items)."""
    if value is None:
        return []
    return [item.strip() for item in str(value).split(";")]


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


def column(
    header: str,
    kind: str = TEXT,
    *,
    required: bool = False,
    unique: bool = False,
    choices: tuple[str, ...] = (),
    references: str | None = None,
    many: bool = False,
    guidance: str = "",
) -> pa.Column:
    """One master column as a pandera Column; everything else reads its metadata."""
    checks = []
    type_check = TYPE_CHECKS[kind]
    # ignore_na=False: the checks themselves let blanks pass (see _blank_passes).
    if type_check is not None:
        checks.append(pa.Check(type_check, name=CHECK_TYPE, ignore_na=False))
    if choices:
        checks.append(pa.Check(_in_list(choices), name=CHECK_CHOICE, ignore_na=False))
    if many:
        checks.append(pa.Check(_has_no_empty_items, name="list_items", ignore_na=False))
    return pa.Column(
        dtype=None,
        name=header,
        nullable=not required,
        unique=unique,
        report_duplicates="exclude_first",
        required=False,  # a missing column is reported by S102/S103 with a hint, not here
        checks=checks,
        description=guidance,
        metadata={
            "kind": kind,
            "required": required,
            "choices": choices,
            "references": references,
            "many": many,
        },
    )


def sheet(
    name: str,
    purpose: str,
    columns: list[pa.Column],
    *,
    optional: bool = False,
    id_column: str | None = None,
    role_columns: bool = False,
) -> pa.DataFrameSchema:
    """One master sheet as a pandera DataFrameSchema (columns in template order)."""
    return pa.DataFrameSchema(
        columns={c.name: c for c in columns},
        name=name,
        description=purpose,
        unique_column_names=False,
        metadata={"optional": optional, "id_column": id_column, "role_columns": role_columns},
    )


SERVICES = sheet(
    "Services",
    "The Service Catalogue: one row per PMO service, from proposal to closure.",
    [
        column("Service ID", ID, required=True, unique=True,
               guidance="A unique ID for the service, e.g. SVC-001. Never reuse a closed ID."),
        column("Service Name", TEXT, required=True,
               guidance="The name customers know the service by."),
        column("Description", TEXT, guidance="What the service does, in a sentence or two."),
        column("Category", TEXT, guidance="Your own grouping, e.g. Reporting, Assurance."),
        column("Lead PMO", ID, required=True, references="PMOs",
               guidance="PMO ID of the PMO that leads the service (sheet PMOs)."),
        column("Customers", TEXT, guidance="Who receives the service's outputs."),
        column("Desired Outcome", TEXT,
               guidance="The outcome for the organisation the service delivers."),
        column("Scope", CHOICE, required=True, choices=SCOPES,
               guidance="How wide the service reaches: a project or programme, several, "
                        "the portfolio or the whole organisation."),
        column("Stage", CHOICE, required=True, choices=STAGES,
               guidance="Lifecycle stage: Proposed > Design > Pilot > Transition > Running > "
                        "Closing > Closed (or Rejected from Proposed)."),
        column("Offering", CHOICE, required=True, choices=OFFERINGS,
               guidance="Mandated (must be done by the PMO), Menu (in the catalogue) or "
                        "Off-menu (on request)."),
        column("Delivery", CHOICE, choices=DELIVERY,
               guidance="In-house, or outsourced inside or outside the organisation."),
        column("Strategic Objective", ID, references="Strategy",
               guidance="Objective ID (sheet Strategy) the service is aligned to."),
        column("Priority", INTEGER, guidance="1 = highest. Needed for Proposed services."),
        column("Funding", CHOICE, choices=FUNDING,
               guidance="Central, or Recharged to customers."),
        column("Planned FTE", NUMBER,
               guidance="Effort the service takes, in full-time equivalents."),
        column("Service Owner", ID, required=True, references="People",
               guidance="Person ID of the accountable owner: a PMO Director or PMO Manager."),
        column("Service Managers", ID, references="People", many=True,
               guidance="Person IDs of the Service Managers, one per delivering PMO, "
                        "separated by ;"),
        column("Operatives", ID, references="People", many=True,
               guidance="Person IDs of the Service Operatives, separated by ;"),
        column("Temporary", YESNO,
               guidance="Y for a temporary supporting service (it needs a Planned End Date "
                        "and the service it supports)."),
        column("Supports Service", ID, references="Services",
               guidance="For a temporary supporting service: the Service ID it sits beside."),
        column("Planned End Date", DATE, guidance="When a temporary service is due to end."),
        column("Approved Date", DATE, guidance="When the decision to set up was taken."),
        column("Design Start", DATE, guidance="When design of the service began."),
        column("Pilot Start", DATE, guidance="When the (first) pilot began."),
        column("Sign-off Date", DATE, guidance="Formal sign-off after testing and pilot."),
        column("Readiness Assessment Date", DATE,
               guidance="When the organisation readiness assessment was done."),
        column("Rollout Approach", CHOICE, choices=ROLLOUT,
               guidance="How it moved into business as usual: Phased or Big-bang."),
        column("Go-live Date", DATE, guidance="When the service entered business as usual."),
        column("Closure Reason", CHOICE, choices=CLOSURE_REASONS,
               guidance="Why the service is closing (seed §5.3)."),
        column("Closure Approved By", ID, references="People",
               guidance="Person ID of the Service Owner who approved the closure."),
        column("Closure Approved Date", DATE, guidance="When the closure was approved."),
        column("Closed Date", DATE, guidance="When the service stopped."),
        column("Artefacts Reviewed", YESNO,
               guidance="Y once the service's artefacts were reviewed for future reuse."),
        column("Replaced By", ID, references="Services",
               guidance="Service ID of the service that replaces this one."),
        column("Last Reviewed", DATE, guidance="When this catalogue entry was last reviewed."),
    ],
    id_column="Service ID",
)

PMOS = sheet(
    "PMOs",
    "The PMOs that deliver services, and their capacity.",
    [
        column("PMO ID", ID, required=True, unique=True, guidance="A unique ID, e.g. PMO-1."),
        column("PMO Name", TEXT, required=True, guidance="The PMO's name."),
        column("Level", CHOICE, choices=PMO_LEVELS,
               guidance="Project, Programme, Portfolio, Enterprise or Centre of Excellence."),
        column("Parent PMO", ID, references="PMOs",
               guidance="PMO ID of the PMO this one reports to, if any."),
        column("Capacity FTE", NUMBER,
               guidance="Full-time equivalents the PMO has for its services."),
        column("PMO Manager", ID, references="People", guidance="Person ID of its manager."),
    ],
    id_column="PMO ID",
)

PEOPLE = sheet(
    "People",
    "Everyone named elsewhere in the workbook, with their job role.",
    [
        column("Person ID", ID, required=True, unique=True, guidance="A unique ID, e.g. P-007."),
        column("Name", TEXT, required=True, guidance="Full name."),
        column("Job Role", CHOICE, required=True, choices=JOB_ROLES,
               guidance="PMO Director, PMO Manager, PMO Analyst, PMO Administrator or Other."),
        column("PMO", ID, references="PMOs", guidance="PMO ID the person works in."),
        column("FTE", NUMBER, guidance="Their working time, 1 = full time."),
        column("Email", TEXT, guidance="Work email address."),
    ],
    id_column="Person ID",
)

STRATEGY = sheet(
    "Strategy",
    "The objectives from the PMO Service Strategy that services align to.",
    [
        column("Objective ID", ID, required=True, unique=True,
               guidance="A unique ID, e.g. OBJ-1."),
        column("Objective", TEXT, required=True, guidance="The objective, in a sentence."),
        column("Owner", ID, references="People", guidance="Person ID of its owner."),
    ],
    id_column="Objective ID",
)

DOCUMENTS = sheet(
    "Documents",
    "The three key documents: Service Strategy, Service Catalogue, Operations Handbook.",
    [
        column("Document", CHOICE, required=True, unique=True, choices=KEY_DOCUMENTS,
               guidance="Service Strategy, Service Catalogue or Operations Handbook."),
        column("Owner", ID, required=True, references="People",
               guidance="Person ID: the strategy is owned by a PMO Director, the handbook by "
                        "a PMO Manager."),
        column("Version", TEXT, guidance="e.g. 1.2"),
        column("Last Reviewed", DATE, guidance="When it was last reviewed."),
    ],
    id_column="Document",
)

SIPOC = sheet(
    "SIPOC",
    "The processes underpinning each service: Suppliers, Inputs, Process, Outputs, Customers.",
    [
        column("Service ID", ID, required=True, references="Services",
               guidance="The service this process underpins."),
        column("Process ID", ID, required=True, unique=True,
               guidance="A unique ID, e.g. PRC-014."),
        column("Process Name", TEXT, required=True, guidance="The process, as a verb phrase."),
        column("Suppliers", LIST, many=True,
               guidance="Roles or systems that provide inputs, separated by ;"),
        column("Inputs", LIST, many=True,
               guidance="What the process transforms or uses, separated by ;. An input that "
                        "is another process's output makes a dependency."),
        column("Outputs", LIST, many=True, guidance="What the process creates, separated by ;"),
        column("Customers", LIST, many=True,
               guidance="Roles or systems that receive the outputs, separated by ;"),
        column("Input Quality Criteria", TEXT, guidance="What a good input looks like."),
        column("Output Quality Criteria", TEXT, guidance="What a good output looks like."),
    ],
    id_column="Process ID",
)

PROCEDURES = sheet(
    "Procedures",
    "The Operations Handbook: one row per procedure, with its status.",
    [
        column("Procedure ID", ID, required=True, unique=True,
               guidance="A unique ID, e.g. PRD-001."),
        column("Procedure Name", TEXT, required=True, guidance="What the procedure does."),
        column("Service ID", ID, required=True, references="Services",
               guidance="The service the procedure delivers or monitors."),
        column("Process ID", ID, references="SIPOC",
               guidance="The SIPOC process (of the same service) it carries out."),
        column("Status", CHOICE, required=True, choices=PROCEDURE_STATUSES,
               guidance="Draft, Tested, Approved or Retired."),
        column("Tools and Techniques", TEXT, guidance="Tools, templates and techniques used."),
        column("Owner", ID, references="People", guidance="Person ID of its owner."),
        column("Version", TEXT, guidance="e.g. 2.0"),
        column("Last Reviewed", DATE, guidance="When it was last reviewed."),
        column("Kind", CHOICE, choices=PROCEDURE_KINDS,
               guidance="Delivery, Monitoring (KPI reporting) or Recharging."),
    ],
    id_column="Procedure ID",
)

RACI = sheet(
    "RACI",
    "The handbook's RACI matrix: one row per activity, one column per role.",
    [
        column("Procedure ID", ID, required=True, references="Procedures",
               guidance="The procedure the activity belongs to."),
        column("Activity", TEXT, required=True, guidance="One step of the procedure."),
    ],
    role_columns=True,
)

KPIS = sheet(
    "KPIs",
    "The KPIs each service reports against, with their thresholds.",
    [
        column("KPI ID", ID, required=True, unique=True, guidance="A unique ID, e.g. KPI-01."),
        column("Service ID", ID, required=True, references="Services",
               guidance="The service measured."),
        column("KPI Name", TEXT, required=True, guidance="What is measured."),
        column("Unit", TEXT, guidance="e.g. %, days, count."),
        column("Direction", CHOICE, required=True, choices=DIRECTIONS,
               guidance="Higher is better or Lower is better."),
        column("Target", NUMBER, required=True, guidance="Green at or beyond this value."),
        column("Amber Threshold", NUMBER,
               guidance="Amber from here to the target; worse than this is Red-bound."),
        column("Red Threshold", NUMBER, guidance="Red at or beyond this value."),
        column("Frequency", CHOICE, required=True, choices=FREQUENCIES,
               guidance="Monthly or Quarterly."),
        column("Owner", ID, references="People", guidance="Person ID who reports it."),
        column("Baseline", NUMBER, guidance="The value before the service started."),
    ],
    id_column="KPI ID",
)

KPI_ACTUALS = sheet(
    "KPI Actuals",
    "One row per KPI per period: what was achieved.",
    [
        column("KPI ID", ID, required=True, references="KPIs", guidance="The KPI reported."),
        column("Period", DATE, required=True,
               guidance="First day of the month or quarter the actual is for."),
        column("Actual", NUMBER, required=True, guidance="The value achieved."),
        column("Commentary", TEXT, guidance="Why it is what it is, and what is being done."),
        column("Reported By", ID, references="People", guidance="Person ID."),
        column("Reported On", DATE, guidance="When it was reported."),
    ],
)

RISKS = sheet(
    "Risks and Issues",
    "Risks and issues to services, with their escalation.",
    [
        column("ID", ID, required=True, unique=True, guidance="A unique ID, e.g. RSK-001."),
        column("Service ID", ID, required=True, references="Services",
               guidance="The service at risk."),
        column("Type", CHOICE, required=True, choices=RISK_TYPES, guidance="Risk or Issue."),
        column("Description", TEXT, required=True, guidance="What could happen or has happened."),
        column("Severity", CHOICE, required=True, choices=SEVERITIES,
               guidance="Low, Medium, High or Critical."),
        column("Owner", ID, required=True, references="People", guidance="Person ID."),
        column("Status", CHOICE, required=True, choices=RISK_STATUSES,
               guidance="Open, Mitigating or Closed."),
        column("Escalation Level", CHOICE, choices=ESCALATION_LEVELS,
               guidance="Service Operations > Delivery Management > Service Ownership."),
        column("Raised Date", DATE, guidance="When it was raised."),
        column("Target Date", DATE, guidance="When the action is due."),
        column("Action", TEXT, guidance="The mitigation or action agreed."),
    ],
    id_column="ID",
)

CHANGES = sheet(
    "Changes",
    "Change requests and continuous improvements to services.",
    [
        column("Change ID", ID, required=True, unique=True, guidance="A unique ID, e.g. CHG-001."),
        column("Service ID", ID, required=True, references="Services",
               guidance="The service changed."),
        column("Type", CHOICE, required=True, choices=CHANGE_TYPES,
               guidance="Change request or Continuous improvement."),
        column("Reason", CHOICE, choices=CHANGE_REASONS,
               guidance="Business context, Feedback, Policy or tools, or Other."),
        column("Description", TEXT, required=True, guidance="What changes."),
        column("Requested Date", DATE, guidance="When it was requested."),
        column("Status", CHOICE, required=True, choices=CHANGE_STATUSES,
               guidance="Proposed, Approved, Implemented or Rejected."),
        column("Approved By", ID, references="People",
               guidance="Person ID: must be the service's Service Owner."),
        column("Approved Date", DATE, guidance="When the Service Owner agreed it."),
        column("Strategy Updated", YESNO, guidance="Y once the Service Strategy reflects it."),
        column("Catalogue Updated", YESNO, guidance="Y once the Service Catalogue reflects it."),
        column("Handbook Updated", YESNO, guidance="Y once the Operations Handbook reflects it."),
    ],
    id_column="Change ID",
)

LIFECYCLE_LOG = sheet(
    "Lifecycle Log",
    "Optional: one row per stage change of a service.",
    [
        column("Service ID", ID, required=True, references="Services",
               guidance="The service that moved."),
        column("From Stage", CHOICE, required=True, choices=STAGES, guidance="Stage it left."),
        column("To Stage", CHOICE, required=True, choices=STAGES, guidance="Stage it entered."),
        column("Date", DATE, required=True, guidance="When it moved."),
        column("Approved By", ID, references="People", guidance="Person ID who approved it."),
    ],
    optional=True,
)

WAIVERS = sheet(
    "Waivers",
    "Optional: accepted exceptions to a rule for one record, approved and with an expiry.",
    [
        column("Rule", TEXT, required=True, guidance="The rule code, e.g. K103."),
        column("Record", TEXT, required=True,
               guidance="The ID the finding is about, e.g. SVC-004."),
        column("Reason", TEXT, required=True, guidance="Why the exception is accepted."),
        column("Approved By", ID, required=True, references="People", guidance="Person ID."),
        column("Expires", DATE, guidance="The waiver stops working after this date."),
    ],
    optional=True,
)

SETTINGS_SHEET = sheet(
    "Settings",
    "Optional: one Setting / Value pair per row (Organisation, Reporting Period, "
    "Mandated Share Target).",
    [
        column("Setting", TEXT, required=True, unique=True,
               guidance="Organisation, Reporting Period or Mandated Share Target."),
        column("Value", TEXT, required=True,
               guidance="The organisation's name; a date; a share such as 50%."),
    ],
    optional=True,
    id_column="Setting",
)

# Sheet order is the template's order.
SCHEMAS: dict[str, pa.DataFrameSchema] = {
    s.name: s
    for s in (
        SERVICES, PMOS, PEOPLE, STRATEGY, DOCUMENTS, SIPOC, PROCEDURES, RACI, KPIS,
        KPI_ACTUALS, RISKS, CHANGES, LIFECYCLE_LOG, WAIVERS, SETTINGS_SHEET,
    )
}
README_SHEET = "Readme"

# Which column of a referenced sheet holds the key a reference column points at.
KEY_OF = {
    "Services": "Service ID",
    "PMOs": "PMO ID",
    "People": "Person ID",
    "Strategy": "Objective ID",
    "Procedures": "Procedure ID",
    "SIPOC": "Process ID",
    "KPIs": "KPI ID",
}


@dataclass(frozen=True)
class ColumnInfo:
    """A column's declaration in plain attributes (read from the pandera metadata)."""

    sheet: str
    header: str
    kind: str
    required: bool
    unique: bool
    choices: tuple[str, ...]
    references: str | None
    many: bool
    guidance: str


def columns_of(sheet_name: str) -> list[ColumnInfo]:
    """The declared columns of one sheet, in template order."""
    schema = SCHEMAS[sheet_name]
    return [
        ColumnInfo(
            sheet=sheet_name,
            header=name,
            kind=col.metadata["kind"],
            required=col.metadata["required"],
            unique=col.unique,
            choices=tuple(col.metadata["choices"]),
            references=col.metadata["references"],
            many=col.metadata["many"],
            guidance=col.description or "",
        )
        for name, col in schema.columns.items()
    ]


def is_optional(sheet_name: str) -> bool:
    return bool(SCHEMAS[sheet_name].metadata["optional"])


def id_column(sheet_name: str) -> str | None:
    return SCHEMAS[sheet_name].metadata["id_column"]

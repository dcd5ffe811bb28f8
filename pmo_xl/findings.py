"""A finding: one problem in the master, at one cell, with the record it is about and a fix."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace

ERROR, WARNING, INFO = "error", "warning", "info"
_PLAIN_SHEET = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def column_letter(number: int) -> str:
    """The Excel column letters of 1-based column `number`: 1 -> A, 28 -> AB, 16384 -> XFD
    (openpyxl's own, without importing openpyxl)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str) -> int:
    """A -> 1, XFD -> 16384."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def quote_sheet(title: str) -> str:
    """`Services`, but `'Risks and Issues'` and `'Bob''s sheet'`, as Excel writes references."""
    if _PLAIN_SHEET.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"
SEVERITIES = (ERROR, WARNING, INFO)
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
# A severity as every workbook writes it (a column, a comment); the terminal and JSON keep
# the lower-case code, as linters print it.
SEVERITY_LABEL = {ERROR: "Error", WARNING: "Warning", INFO: "Info"}


def severity_label(severity: str) -> str:
    """`Error`, `Warning`, `Info` (anything else as it is)."""
    return SEVERITY_LABEL.get(severity, severity)


@dataclass(frozen=True)
class Side:
    """One place a finding across masters (family P) points at: a cell of one member."""

    member: str  # the member's name in the roll-up (its file name, or enough of its path)
    sheet: str
    row: int
    column: str
    record: str | None = None

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    @property
    def address(self) -> str:
        """`[digital.xlsx]People!E9`, as Excel writes a cell of another workbook (quoted
        where Excel needs it: `'[digital.xlsx]Risks and Issues'!B3`, `'finance/[master.xlsx]
        People'!E5`)."""
        folder, _, name = self.member.rpartition("/")
        folder = f"{folder}/" if folder else ""
        inner = f"{folder}[{name}]{self.sheet}"
        if folder or not (_PLAIN_SHEET.match(name) and _PLAIN_SHEET.match(self.sheet)):
            return "'" + inner.replace("'", "''") + f"'!{self.cell}"
        return f"{inner}!{self.cell}"

    def as_json(self) -> dict:
        return {"member": self.member, "sheet": self.sheet, "cell": self.cell, "row": self.row,
                "column": self.column, "record": self.record}


@dataclass(frozen=True)
class Finding:
    rule: str  # stable code, e.g. "L104"
    severity: str  # error / warning / info
    sheet: str  # the sheet's title in the master
    row: int  # Excel row, 1-based (header = row 1)
    column: str  # Excel column letter
    record: str | None  # ID of the row's record, where it has one
    message: str  # what is wrong, naming the record
    hint: str  # how to fix it
    waived: bool = False
    waiver_reason: str | None = None
    in_old: bool = False  # a drift finding on a record only the old version holds
    # In a roll-up (pmo-xl rollup): the member whose cell this is, and for a finding across
    # members (family P) every cell it points at, this one first.
    member: str | None = None
    sides: tuple[Side, ...] = ()

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"

    @property
    def address(self) -> str:
        """`Services!H7` (sheet quoted where Excel needs it)."""
        return f"{quote_sheet(self.sheet)}!{self.cell}"

    @property
    def family(self) -> str:
        return self.rule[0]

    def as_json(self) -> dict:
        data = asdict(self)
        data.pop("waiver_reason")
        return {
            "rule": data["rule"],
            "severity": data["severity"],
            "sheet": data["sheet"],
            "cell": self.cell,
            "row": data["row"],
            "column": data["column"],
            "record": data["record"],
            "message": data["message"],
            "hint": data["hint"],
            "waived": data["waived"],
        } | ({"in": "old"} if self.in_old else {}) | (
            {"member": self.member} if self.member is not None else {}) | (
            {"sides": [side.as_json() for side in self.sides]} if self.sides else {})

    def waive(self, reason: str) -> Finding:
        return replace(self, waived=True, waiver_reason=reason)



class FindingOrder:
    """The one order findings are shown in, everywhere: the terminal, the findings workbook,
    the status report's Findings sheet and each person's actions and draft.

    Counted findings before waived ones (a waived finding asks nothing of anyone); errors,
    then warnings, then info, so what blocks the meeting comes first; then by sheet in the
    master's order, a finding on an old version's record after the new one's, row, column
    and rule. `place` is the position part alone, for lists that mix findings with other
    items (a person's approvals and reviews) and rank them by kind first.
    """

    def __init__(self, sheet_titles: Iterable[str]) -> None:
        self.positions: dict[str, int] = {}
        for title in sheet_titles:
            self.positions.setdefault(title, len(self.positions))

    def place(self, sheet: str, row: int, column: str, in_old: bool = False) -> tuple:
        return (self.positions.get(sheet, len(self.positions)), in_old, row,
                column_number(column))

    def __call__(self, finding: Finding) -> tuple:
        return (finding.waived, SEVERITY_ORDER.get(finding.severity, len(SEVERITY_ORDER)),
                *self.place(finding.sheet, finding.row, finding.column, finding.in_old),
                finding.rule)


class Tally:
    """What a run's findings add up to; mixed into the results of a check and of a diff,
    which keep their findings in `findings`."""

    findings: list[Finding]

    @property
    def counted(self) -> list[Finding]:
        """The findings that count: every one not waived."""
        return [f for f in self.findings if not f.waived]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if not f.waived and f.severity == severity)

    def failed(self, strict: bool = False) -> bool:
        """True when the run should exit 1: errors, or warnings too with --strict."""
        return self.count(ERROR) > 0 or (strict and self.count(WARNING) > 0)

    def by_rule(self) -> list[RuleCount]:
        """Per rule and severity: how many findings and the first (see `by_rule`)."""
        return by_rule(self.findings)


def by_rule(findings: Iterable[Finding]) -> list[RuleCount]:
    """Per rule and severity: how many findings (counted, and waived) and the first, in the
    order the findings come in; what `pmo-xl check --statistics` shows."""
    counts: dict[tuple[str, str], RuleCount] = {}
    for finding in findings:
        key = (finding.rule, finding.severity)
        if key not in counts:
            counts[key] = RuleCount(finding.rule, finding.severity, 0, 0, finding)
        entry = counts[key]
        if finding.waived:
            entry.waived += 1
        else:
            entry.count += 1
    return list(counts.values())


@dataclass
class RuleCount:
    """One rule's findings at one severity in a run (see Tally.by_rule)."""

    rule: str
    severity: str
    count: int  # not waived
    waived: int
    first: Finding  # the first in the one order of findings

    def as_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "count": self.count,
                "waived": self.waived, "first_cell": self.first.address}


@dataclass(frozen=True)
class Problem:
    """What a rule function yields: a finding before the registry stamps its code on it."""

    sheet: str
    row: int
    column: str
    record: str | None
    message: str
    hint: str
    severity: str | None = None  # only where one rule has two severities
    in_old: bool = False  # the cell is in the old version (a drift rule, a removed record)
    # A rule across members (family P): the member of this cell, and every side's cell.
    member: str | None = None
    sides: tuple[Side, ...] = ()


def json_value(value: object) -> object:
    """A cell value for JSON: a date in ISO form, a whole number without `.0`."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def shown_value(value: object) -> str:
    """A cell value for a person: `(blank)`, a date in ISO form, `95` rather than `95.0`."""
    if value is None:
        return "(blank)"
    shown = json_value(value)
    return str(shown) if not isinstance(shown, str) else repr(shown) if not shown else shown

"""The rule registry: every rule's code, severity, explanation and examples, in one place.

A rule is a generator function over the run's :class:`pmo_xl.facts.Facts` (the read master,
the as-of date and every derived fact), registered with :func:`rule`. Its docstring explains
it in the PMO's words; its ``fails`` example is a set of edits to the small clean master in
:mod:`pmo_xl.validators.examples` that makes it fire at ``cell``, and its ``passes`` example
edits the same master up to the rule's boundary without making it fire. A drift rule
(``needs_previous``) judges two versions, so its examples are :class:`Pair` s; a rule across
masters (``needs_members``, family P, run by ``pmo-xl rollup``) judges several members, so
its examples are :class:`Members`: two or three small members, each the clean example master
with its own edits. ``pmo-xl rules``,
``--select``/``--ignore``, the README and the tests all read from here. Importing the
registry and the rule modules needs no pandas, so ``pmo-xl rules`` answers at once.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, INFO, SEVERITIES, WARNING, Finding, Problem

if TYPE_CHECKING:
    from pmo_xl.compare.diff import Diff
    from pmo_xl.facts import Facts
    from pmo_xl.validators.member_keys import Enterprise

FAMILIES = {
    "S": "Structure",
    "X": "References between sheets",
    "H": "Catalogue against handbook",
    "R": "RACI",
    "L": "Lifecycle",
    "O": "Roles",
    "K": "KPIs",
    "G": "Governance and capacity",
    "C": "Changes",
    "V": "Review and decisions",
    "W": "Waivers",
    "D": "Drift since the previous version",
    "P": "Across masters",
}


# What a rule asks, judged by how the method of running PMO services puts it. A rule says no
# more than the method does: its kind decides its default severity, and a PMO that wants
# more (or less) says so in its own master (the Rules sheet, governed like a waiver).
REQUIRED, RECOMMENDED, CONVENTION = "required", "recommended", "convention"
KIND_SEVERITY = {REQUIRED: ERROR, RECOMMENDED: WARNING, CONVENTION: INFO}
KINDS = tuple(KIND_SEVERITY)
KIND_MEANING = {
    REQUIRED: "required: the method asks for it in so many words (must, need to, requires, "
              "is accountable), or the master cannot be read without it. An error by "
              "default.",
    RECOMMENDED: "recommended: the method says it should be so, or the finding is a sign "
                 "that something it requires is slipping. A warning by default.",
    CONVENTION: "a convention: the method calls it typical or optional (typically, may, as "
                "appropriate, for example), or it is good practice the method does not "
                "state. Information by default; a PMO that wants it enforced raises it in "
                "its Rules sheet.",
}


@dataclass(frozen=True)
class Edit:
    """One change to the example master.

    `record` is the value in the row's ID column (or first column); None appends a row.
    `values` None deletes the row. Two structural edits: ``drop_sheet(name)`` leaves a
    sheet out, ``rename_header(sheet, old, new)`` renames a column's header.
    """

    sheet: str  # a sheet name, or its declaration (`Services`), stored as the name
    record: str | None
    values: dict[str, object] | None
    action: str = "set"  # set / drop_sheet / rename_header

    def __post_init__(self) -> None:
        if isinstance(self.sheet, type):
            object.__setattr__(self, "sheet", self.sheet.SHEET)

    def describe(self) -> str:
        if self.action == "drop_sheet":
            return f"leave the sheet {self.sheet} out of the workbook"
        if self.action == "rename_header":
            return f"{self.sheet}: rename the header {self.record!r} to {self.values['to']!r}"
        if self.values is None:
            return f"{self.sheet}: delete the row of {self.record}"
        shown = ", ".join(f"{k} = {_show(v)}" for k, v in self.values.items())
        if self.record is None:
            return f"{self.sheet}: add a row with {shown}"
        return f"{self.sheet}, row of {self.record}: {shown}"


def drop_sheet(sheet) -> Edit:
    return Edit(sheet, None, None, action="drop_sheet")


def rename_header(sheet, old: str, new: str) -> Edit:
    return Edit(sheet, old, {"to": new}, action="rename_header")


def _show(value: object) -> str:
    if value is None:
        return "(blank)"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(str(value)) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Pair:
    """A drift rule's example: edits making the OLD version and edits making the NEW one, each
    from the clean example master."""

    old: Iterable[Edit] = ()
    new: Iterable[Edit] = ()


@dataclass(frozen=True)
class Member:
    """One member of a rule-across-masters example: the clean example master under `name`
    with `edits`, last saved `saved_days_ago` days before the roll-up's as-of date."""

    name: str
    edits: tuple[Edit, ...] = ()
    saved_days_ago: int = 0

    def __init__(self, name: str, *edits: Edit, saved_days_ago: int = 0) -> None:
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "edits", tuple(edits))
        object.__setattr__(self, "saved_days_ago", saved_days_ago)

    def describe(self) -> list[str]:
        """The member in words, one line per edit (none: the clean example master)."""
        saved = (f" (last saved {self.saved_days_ago} days before the roll-up's as-of date)"
                 if self.saved_days_ago else "")
        if not self.edits:
            return [f"{self.name}: the clean example master{saved}"]
        return [f"{self.name}{saved}: {edit.describe()}" for edit in self.edits]


@dataclass(frozen=True)
class Members:
    """A rule across masters' example: two or three members rolled up together."""

    members: tuple[Member, ...]

    def __init__(self, *members: Member) -> None:
        object.__setattr__(self, "members", tuple(members))


@dataclass(frozen=True)
class Example:
    """Edits to the clean example master, and the cell the rule then names (or None).

    A drift rule's example has two versions: `before` makes the OLD one, `edits` the NEW.
    A rule across masters' example has `members` instead, and its cell names the member
    (`[finance.xlsx]People!F3`)."""

    edits: tuple[Edit, ...] = ()
    cell: str | None = None  # e.g. "Services!AB2"; None for a passing example
    note: str = ""  # for defects edits cannot make (merged cells, formulas): said in words
    before: tuple[Edit, ...] = ()
    members: tuple[Member, ...] = ()


Check = Callable[["Facts"], Iterable[Problem]]
# A drift rule judges two versions and what differs between them.
DriftCheck = Callable[["Facts", "Facts", "Diff"], Iterable[Problem]]
# A rule across masters judges the members of a roll-up, each read down to its keys.
MembersCheck = Callable[["Enterprise"], Iterable[Problem]]


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    check: Check
    fails: Example
    passes: Example = Example()
    needs_previous: bool = False  # a drift rule: runs only with two versions, never in check
    needs_members: bool = False  # across masters: runs only in a roll-up, never in check
    kind: str = REQUIRED  # required / recommended / convention: what decides `severity`
    why: str = ""  # the reason for its kind and severity, in plain words

    @property
    def family(self) -> str:
        return self.code[0]

    @property
    def explanation(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or self.title)

    def run(self, facts: Facts) -> Iterable[Finding]:
        return map(self._finding, self.check(facts))

    def run_drift(self, old: Facts, new: Facts, diff: Diff) -> Iterable[Finding]:
        """A drift rule's findings for two versions of the master."""
        return map(self._finding, self.check(old, new, diff))

    def run_members(self, enterprise: Enterprise) -> Iterable[Finding]:
        """A rule across masters' findings for the members of one roll-up."""
        return map(self._finding, self.check(enterprise))

    def _finding(self, problem: Problem) -> Finding:
        return Finding(
            rule=self.code,
            severity=problem.severity or self.severity,
            sheet=problem.sheet,
            row=problem.row,
            column=problem.column,
            record=problem.record,
            message=problem.message,
            hint=problem.hint,
            in_old=problem.in_old,
            member=problem.member,
            sides=problem.sides,
        )


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    severity: str,
    title: str,
    *,
    kind: str,
    why: str,
    fails: Iterable[Edit] | Example | Pair | Members,
    cell: str | None = None,
    passes: Iterable[Edit] | Pair | Members = (),
    note: str = "",
    needs_previous: bool = False,
) -> Callable[[Check], Check]:
    """Register a rule. `kind` says whether the method requires, recommends or merely
    describes what the rule checks, and `severity` must be the one that kind gives; `why`
    says so in plain words. `fails` edits the example master so the rule names `cell`;
    `passes` edits it up to the rule's boundary, and the rule stays silent. A drift rule
    (`needs_previous`) takes two versions, so its examples are :class:`Pair` s of edits; a
    rule across masters takes :class:`Members` (and is registered as `needs_members`)."""
    if severity not in SEVERITIES:
        raise ValueError(f"{code}: unknown severity {severity}")
    if KIND_SEVERITY.get(kind) != severity:
        raise ValueError(f"{code}: a {kind} rule is {KIND_SEVERITY.get(kind)} by default, "
                         f"not {severity}")
    if not why.strip():
        raise ValueError(f"{code}: say why the rule is {kind}")
    if code in RULES:
        raise ValueError(f"rule {code} registered twice")
    needs_members = isinstance(fails, Members)
    if isinstance(fails, Pair):
        failing = Example(tuple(fails.new), cell, note, tuple(fails.old))
    elif isinstance(fails, Members):
        failing = Example(cell=cell, note=note, members=fails.members)
    else:
        failing = fails if isinstance(fails, Example) else Example(tuple(fails), cell, note)
    if isinstance(passes, Pair):
        passing = Example(tuple(passes.new), before=tuple(passes.old))
    elif isinstance(passes, Members):
        passing = Example(members=passes.members)
    else:
        passing = Example(tuple(passes))

    def register(check: Check) -> Check:
        RULES[code] = Rule(code, severity, title, check, failing, passing, needs_previous,
                           needs_members, kind, " ".join(why.split()))
        return check

    return register


def selected(codes: dict[str, Rule], select: Iterable[str], ignore: Iterable[str]) -> list[Rule]:
    """Rules chosen by --select/--ignore; a code may be a whole family (`K`) or a prefix."""
    select = [s.strip().upper() for s in select if s.strip()]
    ignore = [s.strip().upper() for s in ignore if s.strip()]
    chosen = []
    for code, item in codes.items():
        if select and not any(code.startswith(s) for s in select):
            continue
        if any(code.startswith(s) for s in ignore):
            continue
        chosen.append(item)
    return chosen


def unknown_codes(codes: dict[str, Rule], given: Iterable[str]) -> list[str]:
    """The codes in `given` that name no rule and no family or prefix of one."""
    return [
        g for g in given if g.strip() and not any(c.startswith(g.strip().upper()) for c in codes)
    ]

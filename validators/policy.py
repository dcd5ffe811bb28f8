"""A PMO's own policy: its Rules sheet read against the rule registry.

Organisations differ. A rule's default severity follows how the method puts what it checks
(its kind, in the registry); a PMO that wants a convention enforced, or a recommendation
relaxed, says so in its master, governed like a waiver: each row of the optional Rules sheet
sets one rule's or one family's severity, or switches it off (the rule is not run), with a
reason and the approval of a PMO Director or PMO Manager. A row for one rule beats a row for
its family. A row that is not governed (a code that names no rule, a W rule, a blank
reason or approver, an approver who is not a Director or Manager or not on People, a
severity that is not one of the list) sets nothing: the W rules and the structure rules name
it, and the rule keeps its default. ``--select``/``--ignore`` still narrow one run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, INFO, WARNING, Finding, quote_sheet
from pmo_xl.validators.registry import FAMILIES, Rule
from pmo_xl.validators.schema import PolicySeverity, Rules

if TYPE_CHECKING:
    from pmo_xl.facts import Facts
    from pmo_xl.facts.checks import PolicyRow

OFF = "off"  # a rule switched off: not run
SETTING = {PolicySeverity.ERROR: ERROR, PolicySeverity.WARNING: WARNING,
           PolicySeverity.INFO: INFO, PolicySeverity.OFF: OFF}
# The W rules govern waivers and this very sheet: a policy that could switch them off could
# hide its own defects.
UNSETTABLE_FAMILY = "W"


@dataclass(frozen=True)
class Setting:
    """One rule's severity in force, and where it comes from."""

    code: str
    default: str  # the severity the rule's kind gives
    severity: str  # error / warning / info / off
    row: int | None = None  # the Rules row that set it (None: the default)
    target: str | None = None  # what that row names: the code, or its family letter
    reason: str | None = None
    approved_by: str | None = None
    approved_date: dt.date | None = None

    @property
    def departs(self) -> bool:
        return self.severity != self.default


@dataclass(frozen=True)
class Policy:
    """The severity in force for every rule of a run, from the master's Rules sheet."""

    settings: dict[str, Setting]
    sheet: str | None = None  # the Rules sheet's title, where the master has one
    unapplied: list[tuple[PolicyRow, str]] = field(default_factory=list)  # (row, why not)
    rule_letter: str = "A"  # the column of the sheet's Rule header

    def severity(self, code: str) -> str:
        setting = self.settings.get(code)
        return setting.severity if setting is not None else ""

    def runs(self, code: str) -> bool:
        return self.severity(code) != OFF

    @property
    def departures(self) -> list[Setting]:
        """The rules whose severity in force is not their default, in registry order."""
        return [s for s in self.settings.values() if s.departs]

    def address(self, setting: Setting) -> str | None:
        """`Rules!A2`: the Rule cell of the row that set `setting` (None: the default)."""
        if setting.row is None or self.sheet is None:
            return None
        return f"{quote_sheet(self.sheet)}!{self.rule_letter}{setting.row}"

    def apply(self, findings: Iterable[Finding]) -> list[Finding]:
        """Each finding at the severity its rule has in force (a rule set to Error makes all
        its findings errors, including those it reports as a warning by default)."""
        result = []
        for finding in findings:
            setting = self.settings.get(finding.rule)
            if setting is not None and setting.row is not None and setting.severity != OFF:
                finding = replace(finding, severity=setting.severity)
            result.append(finding)
        return result


def settable(target: str | None, rules: dict[str, Rule]) -> bool:
    """True when a Rules row may name `target`: a rule code, or a family letter, of a rule
    that is not a W rule."""
    if not target or target.startswith(UNSETTABLE_FAMILY):
        return False
    if target in rules:
        return True
    return len(target) == 1 and target in FAMILIES and any(c[0] == target for c in rules)


def why_not(row: PolicyRow, rules: dict[str, Rule]) -> str | None:
    """Why a Rules row sets nothing, in plain words; None when it is governed and applies."""
    if not row.target:
        return "it names no rule"
    if row.target.startswith(UNSETTABLE_FAMILY):
        return "the W rules govern waivers and this sheet, and cannot be set here"
    if not settable(row.target, rules):
        return f"{row.target} is not a rule code or family letter"
    if row.severity not in SETTING:
        return "its Severity is not Error, Warning, Info or Off"
    if row.reason is None:
        return "it gives no reason"
    if row.approved_by is None:
        return "nobody approved it"
    if not row.approver_known:
        return f"its approver {row.approved_by} is not on People"
    if not row.approved:
        role = row.approver_role or "person with no Job Role"
        return f"its approver {row.approved_by} is a {role}, not a PMO Director or PMO Manager"
    return None


def policy_of(facts: Facts, rules: dict[str, Rule]) -> Policy:
    """Every rule's severity in force in this master: its default, or what its own governed
    Rules row sets, else its family's (the first governed row for a code or family counts;
    a repeated one is S107's finding)."""
    chosen: dict[str, PolicyRow] = {}
    unapplied = []
    for row in facts.policy_rows:
        why = why_not(row, rules)
        if why is not None:
            unapplied.append((row, why))
        elif row.target not in chosen:
            chosen[row.target] = row
        else:
            unapplied.append((row, f"row {chosen[row.target].row} already sets {row.target}"))
    settings = {}
    for code, item in rules.items():
        row = chosen.get(code) or chosen.get(item.family)
        if row is None or item.family == UNSETTABLE_FAMILY:
            settings[code] = Setting(code, item.severity, item.severity)
            continue
        settings[code] = Setting(code, item.severity, SETTING[row.severity], row.row,
                                 row.target, row.reason, row.approved_by, row.approved_date)
    table = facts.master[Rules]
    if not table.present:
        return Policy(settings, None, unapplied)
    return Policy(settings, table.title, unapplied, table.letter(Rules.rule))


def default_policy(rules: dict[str, Rule]) -> Policy:
    """Every rule at its default: a run without a master's say (or a master with no Rules)."""
    return Policy({code: Setting(code, item.severity, item.severity)
                   for code, item in rules.items()})


def policy_choices(rules: dict[str, Rule]) -> list[tuple[str, str]]:
    """(code, what it names) of everything a Rules row may set: each family letter, then each
    rule code, W left out: the template's drop-down and its Readme list them."""
    families = [(letter, f"{name} (every {letter} rule)") for letter, name in FAMILIES.items()
                if letter != UNSETTABLE_FAMILY and any(c[0] == letter for c in rules)]
    return families + [(code, item.title) for code, item in rules.items()
                       if item.family != UNSETTABLE_FAMILY]

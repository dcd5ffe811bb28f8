"""W — waivers and the PMO's own policy: the exceptions and settings a PMO approves.

A waiver is an accepted, approved exception to a rule for one record, until it expires:
like a linter's `noqa`, but governed. Each names its rule, its record, a reason and who
approved it; a finding that matches a live waiver is reported as waived and not counted.
The Rules sheet is governed the same way: each row that sets a rule's severity names the
rule, a reason and its approver (see validators/policy.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import WARNING, Problem
from pmo_xl.validators.common import problem_at
from pmo_xl.validators.policy import settable, why_not
from pmo_xl.validators.registry import RECOMMENDED, RULES, Edit, rule
from pmo_xl.validators.schema import Rules, Waivers

if TYPE_CHECKING:
    from pmo_xl.facts import Facts
    from pmo_xl.facts.checks import PolicyRow
    from pmo_xl.workbook.master import SheetTable

D = dt.date
W = Waivers


@rule("W101", WARNING, "A waiver has expired",
      kind=RECOMMENDED,
      why="An expired waiver no longer waives: its findings count again.",
      fails=[Edit(Waivers, None, {W.rule: "K103", W.record: "KPI-01",
                                  W.reason: "Source system migration", W.approved_by: "P-001",
                                  W.expires: D(2026, 11, 14)})],
      cell="Waivers!E2",
      passes=[Edit(Waivers, None, {W.rule: "K103", W.record: "KPI-01",
                                   W.reason: "Source system migration", W.approved_by: "P-001",
                                   W.expires: D(2026, 11, 15)})])
def expired_waiver(facts: Facts) -> Iterator[Problem]:
    """A waiver past its Expires date no longer waives anything; renew or delete it. Expires
    is the last day the waiver works.

    Passing: a waiver that expires on the as-of date (2026-11-15) or later. Failing: one
    that expired the day before, checked as of 2026-11-15.
    """
    table = facts.master[Waivers]
    for row, record in table.rows():
        expires = record[W.expires]
        if expires is not None and expires < facts.as_of:
            yield table.problem(
                int(row), W.expires,
                f"The waiver of {record[W.rule]} for {record[W.record]} expired on "
                f"{expires.isoformat()}, so those findings count again.",
                "Fix the findings, or have the waiver re-approved with a new Expires date.")


@rule("W102", WARNING, "A waiver names a rule that does not exist",
      kind=RECOMMENDED,
      why="A waiver for a rule that does not exist waives nothing.",
      fails=[Edit(Waivers, None, {W.rule: "Q999", W.record: "SVC-001", W.reason: "Old",
                                  W.approved_by: "P-001"})],
      cell="Waivers!A2",
      passes=[Edit(Waivers, None, {W.rule: "k103", W.record: "KPI-01",
                                   W.reason: "Source system migration", W.approved_by: "P-001",
                                   W.expires: D(2026, 12, 31)})])
def unknown_waiver_rule(facts: Facts) -> Iterator[Problem]:
    """A waiver's Rule is a rule code that `pmo-xl rules` lists, or it waives nothing.

    The code is read in any case.

    Passing: Rule `k103`. Failing: Rule Q999.
    """
    table = facts.master[Waivers]
    for row, record in table.rows():
        code = record[W.rule]
        if code and str(code).strip().upper() not in RULES:
            yield table.problem(int(row), W.rule,
                                f"The waiver names rule {code!r}, which does not exist.",
                                "Use a code from `pmo-xl rules`, e.g. K103.")


# --- the Rules sheet: a PMO's own policy, governed like a waiver --------------------------

P = Rules


def _policy_rows(facts: Facts) -> Iterator[tuple[SheetTable, PolicyRow]]:
    table = facts.master[Rules]
    for row in facts.policy_rows:
        yield table, row


@rule("W103", WARNING, "A Rules row names no rule it can set",
      kind=RECOMMENDED,
      why="A policy row that names no rule sets nothing, so the PMO's policy is not what its "
          "sheet says.",
      fails=[Edit(Rules, None, {P.rule: "Q999", P.severity: "Off",
                                P.reason: "An old rule of ours.", P.approved_by: "P-001"})],
      cell="Rules!A2",
      passes=[Edit(Rules, None, {P.rule: "r", P.severity: "Info",
                                 P.reason: "Our RACI is reviewed in the handbook review.",
                                 P.approved_by: "P-001"})])
def unknown_policy_rule(facts: Facts) -> Iterator[Problem]:
    """A Rules row names a rule code that `pmo-xl rules` lists, or a family letter (every
    rule of the family), read in any case. The W rules themselves cannot be set: they govern
    waivers and this sheet, and switching them off would hide the sheet's own defects. A row
    that names nothing it can set sets nothing.

    Passing: Rule `r` (the RACI family, lower case). Failing: Rule Q999.
    """
    for table, row in _policy_rows(facts):
        if row.target is None or settable(row.target, RULES):
            continue
        why = why_not(row, RULES)
        yield problem_at(
            table, row.row, P.rule, row.target,
            f"The Rules row for {row.target!r} sets nothing: {why}.",
            "Use a rule code or family letter from `pmo-xl rules` (not W), e.g. O101 or R, or "
            "delete the row.")


@rule("W104", WARNING, "A Rules row has no reason or approver",
      kind=RECOMMENDED,
      why="A PMO's policy is governed like a waiver: without its reason and its approval a "
          "row sets nothing.",
      fails=[Edit(Rules, None, {P.rule: "O101", P.severity: "Warning", P.approved_by: "P-001"})],
      cell="Rules!C2",
      passes=[Edit(Rules, None, {P.rule: "O101", P.severity: "Warning",
                                 P.reason: "Our Service Owners are always senior.",
                                 P.approved_by: "P-001"})])
def ungoverned_policy(facts: Facts) -> Iterator[Problem]:
    """A Rules row says why the PMO departs from the default (Reason) and who approved it
    (Approved By). Either blank, the row sets nothing and the rule keeps its default
    severity; each blank cell is named.

    Passing: O101 raised to Warning, with a reason, approved by P-001. Failing: the same row
    without a Reason.
    """
    for table, row in _policy_rows(facts):
        if row.target is None and row.severity is None:
            continue
        what = row.target or f"row {row.row}"
        if row.reason is None:
            yield problem_at(
                table, row.row, P.reason, row.target,
                f"The Rules row for {what} gives no Reason, so it sets nothing.",
                "Say why the PMO departs from the default, as you would for a waiver.")
        if row.approved_by is None:
            yield problem_at(
                table, row.row, P.approved_by, row.target,
                f"The Rules row for {what} has no Approved By, so it sets nothing.",
                "Have a PMO Director or PMO Manager approve it and enter their Person ID.")


@rule("W105", WARNING, "A Rules row is not approved by a PMO Director or PMO Manager",
      kind=RECOMMENDED,
      why="How strictly the PMO's method is checked is for the people who own it, a PMO "
          "Director or PMO Manager, to decide.",
      fails=[Edit(Rules, None, {P.rule: "O101", P.severity: "Warning",
                                P.reason: "Our Service Owners are always senior.",
                                P.approved_by: "P-004"})],
      cell="Rules!D2",
      passes=[Edit(Rules, None, {P.rule: "O101", P.severity: "Warning",
                                 P.reason: "Our Service Owners are always senior.",
                                 P.approved_by: "P-002"})])
def policy_approver(facts: Facts) -> Iterator[Problem]:
    """A Rules row is approved by a PMO Director or a PMO Manager (their Job Role in
    People): they own the Service Strategy and the Operations Handbook, the method the rules
    check. Approved by anyone else, the row sets nothing. An approver who is not on People
    is X101's finding (the row sets nothing either).

    Passing: approved by P-002, a PMO Manager (the more junior of the two roles). Failing:
    approved by P-004, a PMO Analyst.
    """
    for table, row in _policy_rows(facts):
        if row.approved_by is None or not row.approver_known or row.approved:
            continue
        yield problem_at(
            table, row.row, P.approved_by, row.target,
            f"The Rules row for {row.target or f'row {row.row}'} was approved by "
            f"{row.approved_by} ({row.approver_role or 'no Job Role'}), not a PMO Director or "
            "PMO Manager, so it sets nothing.",
            "Have a PMO Director or PMO Manager approve it, or correct the Job Role in People.")

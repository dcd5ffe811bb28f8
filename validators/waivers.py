"""Waivers: accepted, approved exceptions to a rule for one record, until they expire.

Like a linter's `noqa`, but governed: each waiver names its rule, its record, a reason and
who approved it. A finding that matches a live waiver is reported as waived and not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import WARNING, Problem
from pmo_xl.validators.registry import RULES, Edit, rule
from pmo_xl.validators.schema import Waivers

if TYPE_CHECKING:
    from pmo_xl.facts import Facts

D = dt.date
W = Waivers


@rule("W101", WARNING, "A waiver has expired",
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

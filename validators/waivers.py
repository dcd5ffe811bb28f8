"""Waivers: accepted, approved exceptions to a rule for one record, until they expire.

Like a linter's `noqa`, but governed: each waiver names its rule, its record, a reason and
who approved it. A finding that matches a live waiver is reported as waived and not counted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from pmo_xl.findings import WARNING, Finding, Problem
from pmo_xl.master import Master
from pmo_xl.validators.registry import RULES, Context, Edit, rule

D = dt.date


def live_waivers(master: Master, context: Context) -> dict[tuple[str, str], str]:
    """(rule code, record) -> reason, for every waiver not past its Expires date."""
    table = master["Waivers"]
    waivers: dict[tuple[str, str], str] = {}
    if not table.present:
        return waivers
    for row, record in table.rows():
        code, target, expires = record["Rule"], record["Record"], record["Expires"]
        if not code or not target:
            continue
        if expires is not None and expires < context.as_of:
            continue
        if expires is None and table.unreadable(row, "Expires"):  # #REF!: S112 names it
            continue
        waivers[(str(code).strip().upper(), str(target).strip().casefold())] = str(
            record["Reason"] or "waived")
    return waivers


def apply_waivers(master: Master, context: Context, findings: Iterable[Finding]) -> list[Finding]:
    waivers = live_waivers(master, context)
    result = []
    for finding in findings:
        key = (finding.rule, (finding.record or "").casefold())
        reason = waivers.get(key) if finding.record else None
        result.append(finding.waive(reason) if reason is not None else finding)
    return result


@rule("W101", WARNING, "A waiver has expired",
      fails=[Edit("Waivers", None, {"Rule": "K103", "Record": "KPI-01", "Reason": "Source "
              "system migration", "Approved By": "P-001", "Expires": D(2026, 10, 31)})],
      cell="Waivers!E2")
def expired_waiver(master: Master, context: Context) -> Iterator[Problem]:
    """A waiver past its Expires date no longer waives anything; renew or delete it.

    Passing: a waiver that expires after the as-of date. Failing: one that expired on
    2026-10-31, checked as of 2026-11-15.
    """
    table = master["Waivers"]
    for row, record in table.rows():
        expires = record["Expires"]
        if expires is not None and expires < context.as_of:
            yield table.problem(
                int(row), "Expires",
                f"The waiver of {record['Rule']} for {record['Record']} expired on "
                f"{expires.isoformat()}, so those findings count again.",
                "Fix the findings, or have the waiver re-approved with a new Expires date.")


@rule("W102", WARNING, "A waiver names a rule that does not exist",
      fails=[Edit("Waivers", None, {"Rule": "Q999", "Record": "SVC-001", "Reason": "Old",
                                    "Approved By": "P-001"})],
      cell="Waivers!A2")
def unknown_waiver_rule(master: Master, context: Context) -> Iterator[Problem]:
    """A waiver's Rule is a rule code that `pmo-xl rules` lists, or it waives nothing.

    Passing: Rule K103. Failing: Rule Q999.
    """
    table = master["Waivers"]
    for row, record in table.rows():
        code = record["Rule"]
        if code and str(code).strip().upper() not in RULES:
            yield table.problem(int(row), "Rule",
                                f"The waiver names rule {code!r}, which does not exist.",
                                "Use a code from `pmo-xl rules`, e.g. K103.")

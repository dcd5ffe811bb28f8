"""`pmo-xl rollup`: several PMOs' masters as one enterprise.

Every member is checked with its own rules first, one at a time (in as many processes as
there are cores, each holding one member at a time), and let go; what is kept of each is
small (:class:`~pmo_xl.portfolio.members.MemberOutcome`), so memory does not grow with the
number of members. Then the rules across masters (family P) judge the members together from
what was kept, each finding naming the cell of every side, and a member's own Waivers sheet
waives a P finding that sits in it as it waives its own.

A member that cannot be read or whose structure is broken is not counted and is named, with
the reason; the roll-up still runs over the others. With `--pmo`, the roll-up covers that
PMO and the PMOs under it; the members of other branches are left out (and listed so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import ERROR, INFO, WARNING, Finding, Tally
from pmo_xl.portfolio.members import MemberOutcome, MemberSource, check_member, find_members
from pmo_xl.portfolio.workers import POOL_FROM, cores, run, worker_pool
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.member_keys import Enterprise
from pmo_xl.validators.policy import OFF

if TYPE_CHECKING:
    from pmo_xl.portfolio.outputs import Written

@dataclass
class Rollup(Tally):
    """One roll-up: every member (counted or not), the enterprise the counted ones make, and
    the findings across masters."""

    as_of: dt.date
    members: list[MemberOutcome]  # every member named, in order
    enterprise: Enterprise  # the counted members of this roll-up (its branch, with --pmo)
    across: list[Finding] = field(default_factory=list)  # family P
    left_out: list[MemberOutcome] = field(default_factory=list)  # other branches (--pmo)
    pmo: str | None = None
    written: Written | None = None  # what `-o DIR` wrote (pmo_xl.api.rollup fills it in)
    # What the outputs work out once and ask again (portfolio.reports' lists).
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def counted_members(self) -> list[MemberOutcome]:
        return [m for m in self.members if m.counted and m not in self.left_out]

    @property
    def not_counted(self) -> list[MemberOutcome]:
        return [m for m in self.members if not m.counted]

    @property
    def in_scope(self) -> list[MemberOutcome]:
        """The members this roll-up is about: all of them but other branches' (--pmo)."""
        return [m for m in self.members if m not in self.left_out]

    @cached_property
    def findings(self) -> list[Finding]:  # type: ignore[override]
        """Every finding: each member's own (in member order), then those across masters."""
        return [f for m in self.in_scope for f in m.findings] + self.across

    @cached_property
    def summary(self) -> dict[str, int]:
        return {ERROR: self.count(ERROR), WARNING: self.count(WARNING), INFO: self.count(INFO),
                "waived": sum(1 for f in self.findings if f.waived)}

    @cached_property
    def across_summary(self) -> dict[str, int]:
        found = [f for f in self.across if not f.waived]
        return {ERROR: sum(1 for f in found if f.severity == ERROR),
                WARNING: sum(1 for f in found if f.severity == WARNING),
                INFO: sum(1 for f in found if f.severity == INFO),
                "waived": sum(1 for f in self.across if f.waived)}

    @property
    def reporting_period(self) -> dt.date:
        return self.enterprise.reporting_period

    @property
    def organisation(self) -> str:
        lead = self.enterprise.lead
        return lead.organisation if lead is not None else "Your organisation"

    def exit_code(self, strict: bool = False) -> int:
        """2 when a member could not be counted (the totals miss it), else as `check`: 1 for
        errors (or warnings with `strict`), 0 otherwise."""
        if self.not_counted:
            return 2
        return 1 if self.failed(strict) else 0

    def summary_text(self) -> str:
        """One line: members counted, findings, as of."""
        def plural(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        members, missing = self.in_scope, self.not_counted
        counted = f"{len(members) - len(missing)} of {plural(len(members), 'member')} counted"
        if missing:
            names = ", ".join(m.name for m in missing)
            counted += f" ({names} {'is' if len(missing) == 1 else 'are'} not)"
        summary = self.summary
        counts = [plural(summary[ERROR], "error"), plural(summary[WARNING], "warning"),
                  f"{summary[INFO]} info"] + (
            [f"{summary['waived']} waived"] if summary["waived"] else [])
        across = sum(self.across_summary[s] for s in (ERROR, WARNING, INFO))
        return (f"{counted}; {', '.join(counts)}, {across} of them across masters (as of "
                f"{self.as_of.isoformat()}, reporting {self.enterprise.period_text})")

    def state_of(self, member: MemberOutcome) -> str:
        """`counted`, `counted (pack of 2026-09-30)`, `NOT COUNTED` or `left out: not under
        PMO-DIG`."""
        if not member.counted:
            return "NOT COUNTED"
        if member in self.left_out:
            return f"left out: not under {self.pmo}"
        if member.source.pack_as_of is not None:
            return f"counted (pack of {member.source.pack_as_of.isoformat()})"
        return "counted"

    def member(self, name: str) -> MemberOutcome | None:
        return next((m for m in self.members if m.name == name), None)


def run_rollup(
    paths: Iterable[str | Path],
    as_of: dt.date,
    *,
    pmo: str | None = None,
    workers: int | None = None,
    progress: Callable[[MemberOutcome], None] | None = None,
) -> Rollup:
    """Find the members PATHs name, check each, and judge them together as of `as_of`."""
    sources = find_members(list(paths))
    if not sources:
        raise CannotCheck("Name at least one member: a master (.xlsx), a pack folder or a "
                          "folder holding them.")
    outcomes = []
    for outcome in check_all(sources, as_of, workers):
        outcomes.append(outcome)
        if progress is not None:
            progress(outcome)
    whole = Enterprise([o.keys for o in outcomes if o.keys is not None], as_of)
    left_out: list[MemberOutcome] = []
    top = None
    if pmo is not None:
        top = _known_pmo(whole, pmo)
        branch = whole.branch(top)
        for outcome in outcomes:
            if outcome.keys is not None and not branch & set(whole.own_pmos(outcome.keys)):
                left_out.append(outcome)
    enterprise = Enterprise([o.keys for o in outcomes
                             if o.keys is not None and o not in left_out], as_of, top=top)
    across = judge(enterprise)
    return Rollup(as_of, outcomes, enterprise, across, left_out, top)


def _known_pmo(whole: Enterprise, pmo: str) -> str:
    wanted = pmo.strip()
    match = wanted if wanted in whole.homes else next(
        (p for p in whole.homes if p.casefold() == wanted.casefold()), None)
    if match is None:
        known = ", ".join(sorted(whole.homes)[:6]) or "none"
        raise CannotCheck(f"{pmo} is a PMO of no member of the roll-up (no member's services "
                          f"are led by it and nobody works in it); the members' PMOs are "
                          f"{known}.")
    return match


def judge(enterprise: Enterprise) -> list[Finding]:
    """The rules across masters over the enterprise, each finding at the severity the Rules
    sheet of the member it sits in gives its rule (left out where that member turns it off),
    and waived where that member waives it (rule and record, as in one master)."""
    by_name = {m.name: m for m in enterprise.members}
    order = {m.name: i for i, m in enumerate(enterprise.members)}
    found: list[Finding] = []
    for item in load_rules().values():
        if not item.needs_members:
            continue
        for finding in item.run_members(enterprise):
            member = by_name.get(finding.member or "")
            severity = member.severities.get(finding.rule) if member is not None else None
            if severity == OFF:
                continue
            if severity is not None:
                finding = replace(finding, severity=severity)
            reason = (member.waivers.get((finding.rule, finding.record.casefold()))
                      if member is not None and finding.record else None)
            found.append(finding.waive(reason) if reason is not None else finding)
    found.sort(key=lambda f: (f.rule, order.get(f.member or "", len(order)), f.sheet, f.row,
                              f.column))
    return found


# --- checking the members, in parallel where it pays --------------------------------------


def check_all(sources: list[MemberSource], as_of: dt.date,
              workers: int | None = None) -> Iterator[MemberOutcome]:
    """Each member's outcome, in order. With more than a few members, in a pool of worker
    processes (one per core, or `workers`), each checking one member at a time."""
    count = workers if workers is not None else (cores() if len(sources) >= POOL_FROM else 1)
    if count <= 1 or len(sources) < 2:
        for source in sources:
            yield check_member(source, as_of)
        return
    # The first member is checked here: the first check of a process compiles the schemas
    # and fills caches (a second), and workers forked afterwards start with all of that.
    yield check_member(sources[0], as_of)
    rest = sources[1:]
    with worker_pool(min(count, len(rest))) as pool:
        futures = [pool.submit(run, check_member, source, as_of) for source in rest]
        for future in futures:
            yield future.result()

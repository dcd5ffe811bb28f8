"""Running the rules over a master: select, run under the PMO's own policy, apply waivers,
put the findings in the one order every output shows them in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pmo_xl import rag
from pmo_xl.errors import CannotCheck
from pmo_xl.facts import Decision, Facts, ServiceStatus
from pmo_xl.findings import ERROR, INFO, WARNING, Finding, FindingOrder, Tally
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.policy import Policy, default_policy, policy_of
from pmo_xl.validators.registry import Rule, selected
from pmo_xl.validators.structure import without_knock_ons
from pmo_xl.workbook.master import Master, collector_paused, read_master


@dataclass
class CheckResult(Tally):
    """Everything one check run produced: the facts it judged and the findings."""

    facts: Facts
    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)
    pmo: str | None = None  # the one PMO the outputs are limited to (--pmo), if any
    policy: Policy | None = None  # every rule's severity in force (the master's Rules sheet)

    @cached_property
    def rule_policy(self) -> Policy:
        """The policy the run was made under (every default when none was given)."""
        return self.policy if self.policy is not None else default_policy(load_rules())

    @property
    def master(self) -> Master:
        return self.facts.master

    @property
    def as_of(self) -> dt.date:
        return self.facts.as_of

    @cached_property
    def summary(self) -> dict[str, int]:
        return {
            ERROR: self.count(ERROR),
            WARNING: self.count(WARNING),
            INFO: self.count(INFO),
            "waived": sum(1 for f in self.findings if f.waived),
        }

    @cached_property
    def order(self) -> FindingOrder:
        """The one order of this run's findings (they are sorted in it)."""
        return finding_order(self.master)

    @cached_property
    def service_statuses(self) -> dict[str, ServiceStatus]:
        """Service ID -> its roll-up (KPIs, open risks and issues, findings on its records)."""
        return self.facts.rollup(self.findings)

    @cached_property
    def agenda(self) -> list[Decision]:
        """The meeting's decisions, one list (facts/agenda.py), from this run's unwaived
        findings: the status report, the email, `pmo-xl actions` and pack.json all present
        it, and nothing else counts decisions."""
        return self.facts.agenda(self.findings)

    @cached_property
    def active_service_rags(self) -> dict[str, int]:
        """Active services (set-up, Running, Closing) by health (Green, Amber, Red, No data,
        Not reporting yet): what the status report's summary and the pack email both count.
        Proposed, Closed and Rejected services deliver nothing to rate."""
        return rag.rag_counts((status.health for sid, status in self.service_statuses.items()
                               if self.facts.active(sid)), health=True)


def for_pmo(result: CheckResult, pmo: str | None) -> CheckResult:
    """The run limited to one PMO (`--pmo`): the facts of its part of the master (the
    services it leads or delivers, its own KPIs, its people) and the findings on those rows;
    the checks themselves ran on the whole master. None: the run as it is. A PMO ID not in
    PMOs is one sentence (CannotCheck)."""
    if pmo is None:
        return result
    facts = result.facts
    wanted = pmo.strip()
    match = wanted if wanted in facts.pmos else next(
        (p for p in facts.pmos if p.casefold() == wanted.casefold()), None)
    if match is None:
        known = ", ".join(list(facts.pmos)[:5]) or "none"
        raise CannotCheck(f"{pmo} is not a PMO ID in the PMOs sheet of "
                          f"{facts.master.path.name} (it has {known}); give one of those.")
    rows = facts.rows_of_pmo(match)
    scoped = Facts(facts.pmo_master(rows), facts.as_of, facts.settings)
    return CheckResult(scoped, [f for f in result.findings if facts.in_pmo(f, rows)],
                       result.rules_run, pmo=match, policy=result.policy)


def check_path(
    path: str | Path,
    as_of: dt.date,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: Callable[[Rule], None] | None = None,
) -> CheckResult:
    """Read the master at `path` and run the chosen rules over it as of `as_of`."""
    return run_checks(read_master(path), as_of, select=select, ignore=ignore,
                      progress=progress)


def run_checks(
    master: Master,
    as_of: dt.date,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: Callable[[Rule], None] | None = None,
) -> CheckResult:
    """Run the chosen rules over `master` as of `as_of` and return the findings, each at the
    severity the master's Rules sheet sets for its rule (a rule set Off is not run)."""
    facts = Facts(master, as_of)
    registry = load_rules()
    policy = policy_of(facts, registry)
    # Drift rules judge two versions, rules across masters several; a check has one master
    # (pmo-xl diff and packs run the first, pmo-xl rollup the second).
    rules = [r for r in selected(registry, select, ignore)
             if not (r.needs_previous or r.needs_members) and policy.runs(r.code)]
    findings: list[Finding] = []
    with collector_paused():
        for item in rules:
            if progress is not None:
                progress(item)
            findings.extend(item.run(facts))
    findings = without_knock_ons(master, findings)
    findings = apply_waivers(facts, policy.apply(findings))
    findings.sort(key=finding_order(master))
    return CheckResult(facts, findings, [r.code for r in rules], policy=policy)


def finding_order(*masters: Master) -> FindingOrder:
    """The one order of findings (pmo_xl.findings.FindingOrder) over these masters' sheets:
    the master's, then for a comparison the sheets only the old version has."""
    return FindingOrder(table.title for master in masters for table in master.sheets.values())


def apply_waivers(facts: Facts, findings: Iterable[Finding]) -> list[Finding]:
    """Each finding whose rule and record match a live waiver, marked waived."""
    waivers = facts.live_waivers
    result = []
    for finding in findings:
        reason = (waivers.get((finding.rule, finding.record.casefold()))
                  if finding.record else None)
        result.append(finding.waive(reason) if reason is not None else finding)
    return result

"""Running the rules over a master: select, run, apply waivers, put the findings in the one
order every output shows them in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pmo_xl import rag
from pmo_xl.facts import Facts, ServiceStatus
from pmo_xl.findings import ERROR, INFO, WARNING, Finding, FindingOrder, Tally
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Rule, selected
from pmo_xl.validators.structure import without_knock_ons
from pmo_xl.workbook.master import Master, collector_paused, read_master


@dataclass
class CheckResult(Tally):
    """Everything one check run produced: the facts it judged and the findings."""

    facts: Facts
    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

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
    def active_service_rags(self) -> dict[str, int]:
        """Active services (set-up, Running, Closing) by roll-up RAG: what the status report's
        summary and the pack email both count. Proposed, Closed and Rejected services deliver
        nothing to rate; counting them would bury the active services' RAG under grey."""
        return rag.rag_counts(status.rag for sid, status in self.service_statuses.items()
                              if self.facts.active(sid))


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
    """Run the chosen rules over `master` as of `as_of` and return the findings."""
    facts = Facts(master, as_of)
    # Drift rules judge two versions; a check has one (pmo-xl diff and packs run them).
    rules = [r for r in selected(load_rules(), select, ignore) if not r.needs_previous]
    findings: list[Finding] = []
    with collector_paused():
        for item in rules:
            if progress is not None:
                progress(item)
            findings.extend(item.run(facts))
    findings = without_knock_ons(master, findings)
    findings = apply_waivers(facts, findings)
    findings.sort(key=finding_order(master))
    return CheckResult(facts, findings, [r.code for r in rules])


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

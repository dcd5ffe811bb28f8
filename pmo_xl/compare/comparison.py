"""Comparing two versions of the master: the record-level diff and the drift rules' findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from pmo_xl.compare.diff import ADDED, CHANGED, REMOVED, UNMATCHED, Diff, compare_masters
from pmo_xl.facts import Facts
from pmo_xl.findings import ERROR, WARNING, Finding, Tally
from pmo_xl.validators.engine import apply_waivers, finding_order
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.policy import policy_of
from pmo_xl.validators.registry import selected
from pmo_xl.workbook.master import Master, collector_paused


@dataclass
class Comparison(Tally):
    """What one comparison produced: both versions' facts, the diff and the drift findings."""

    old: Facts
    new: Facts
    diff: Diff
    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

    @property
    def as_of(self) -> dt.date:
        return self.new.as_of

    @cached_property
    def summary(self) -> dict[str, int]:
        """The counts `pmo-xl diff --format json` prints (since-last-meeting.md): records
        added, removed and changed (a record with three changed values is one), and the
        drift errors and warnings."""
        return {
            ADDED: self.diff.count(ADDED),
            REMOVED: self.diff.count(REMOVED),
            CHANGED: sum(len(sheet.changed) for sheet in self.diff.sheets.values()),
            ERROR: self.count(ERROR),
            WARNING: self.count(WARNING),
        }

    @property
    def values_changed(self) -> int:
        """The cells whose value changed in the records that changed."""
        return self.diff.count(CHANGED)

    @property
    def unmatched(self) -> int:
        return self.diff.count(UNMATCHED)


def run_comparison(
    old: Master,
    new: Master,
    as_of: dt.date,
    *,
    old_as_of: dt.date | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    old_facts: Facts | None = None,
    new_facts: Facts | None = None,
) -> Comparison:
    """Diff two read masters and run the chosen drift rules over them.

    `old_as_of` is the date the old version was judged on (a pack's as-of date), else
    `as_of`. Facts already built for a version (a pack's check) can be passed in. The new
    version's Rules sheet sets the drift rules' severities (or switches one off).
    """
    old_facts = old_facts or Facts(old, old_as_of or as_of)
    new_facts = new_facts or Facts(new, as_of)
    with collector_paused():
        diff = compare_masters(old, new)
        registry = load_rules()
        policy = policy_of(new_facts, registry)
        rules = [r for r in selected(registry, select, ignore)
                 if r.needs_previous and policy.runs(r.code)]
        findings: list[Finding] = []
        for item in rules:
            findings.extend(item.run_drift(old_facts, new_facts, diff))
    findings = apply_waivers(new_facts, policy.apply(findings))
    findings.sort(key=finding_order(new, old))
    return Comparison(old_facts, new_facts, diff, findings, [r.code for r in rules])

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
        """The counts `pmo-xl diff --format json` prints (since-last-meeting.md)."""
        return {
            ADDED: self.diff.count(ADDED),
            REMOVED: self.diff.count(REMOVED),
            CHANGED: self.diff.count(CHANGED),
            ERROR: self.count(ERROR),
            WARNING: self.count(WARNING),
        }

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
    `as_of`. Facts already built for a version (a pack's check) can be passed in.
    """
    old_facts = old_facts or Facts(old, old_as_of or as_of)
    new_facts = new_facts or Facts(new, as_of)
    with collector_paused():
        diff = compare_masters(old, new)
        rules = [r for r in selected(load_rules(), select, ignore) if r.needs_previous]
        findings: list[Finding] = []
        for item in rules:
            findings.extend(item.run_drift(old_facts, new_facts, diff))
    findings = apply_waivers(new_facts, findings)
    findings.sort(key=finding_order(new, old))
    return Comparison(old_facts, new_facts, diff, findings, [r.code for r in rules])

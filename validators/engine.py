"""Running the rules over a master: select, run, apply waivers, order the findings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pmo_xl.findings import ERROR, INFO, WARNING, Finding
from pmo_xl.master import Master, collector_paused
from pmo_xl.settings import read_settings
from pmo_xl.validators.registry import Context, Rule, load_rules, selected
from pmo_xl.validators.structure import without_knock_ons
from pmo_xl.validators.waivers import apply_waivers


@dataclass
class CheckResult:
    """Everything one check run produced."""

    master: Master
    context: Context
    findings: list[Finding] = field(default_factory=list)
    rules_run: list[str] = field(default_factory=list)

    @property
    def counted(self) -> list[Finding]:
        return [f for f in self.findings if not f.waived]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.counted if f.severity == severity)

    @property
    def summary(self) -> dict[str, int]:
        return {
            ERROR: self.count(ERROR),
            WARNING: self.count(WARNING),
            INFO: self.count(INFO),
            "waived": sum(1 for f in self.findings if f.waived),
        }

    def failed(self, strict: bool = False) -> bool:
        return self.count(ERROR) > 0 or (strict and self.count(WARNING) > 0)


def run_checks(
    master: Master,
    as_of: dt.date,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    progress: Callable[[Rule], None] | None = None,
) -> CheckResult:
    """Run the chosen rules over `master` as of `as_of` and return the findings."""
    context = Context(as_of=as_of, settings=read_settings(master))
    rules = selected(load_rules(), select, ignore)
    findings: list[Finding] = []
    with collector_paused():
        for item in rules:
            if progress is not None:
                progress(item)
            findings.extend(item.run(master, context))
    findings = without_knock_ons(master, findings)
    findings = apply_waivers(master, context, findings)
    order = {table.title: i for i, table in enumerate(master.sheets.values())}
    findings.sort(key=lambda f: (order.get(f.sheet, len(order)), *f.sort_key()[1:]))
    return CheckResult(master, context, findings, [r.code for r in rules])

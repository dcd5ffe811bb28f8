"""Printing a roll-up (`pmo-xl rollup`) for a person, or as JSON for a script."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.terminal.console import COLOURS, console, plural

if TYPE_CHECKING:
    from pmo_xl.portfolio.members import MemberOutcome
    from pmo_xl.portfolio.rollup import Rollup


def _counts(summary: dict[str, int]) -> str:
    parts = [plural(summary[ERROR], "error"), plural(summary[WARNING], "warning"),
             f"{summary[INFO]} info"]
    if summary.get("waived"):
        parts.append(f"{summary['waived']} waived")
    return ", ".join(parts)


def print_rollup(rollup: Rollup, *, quiet: bool = False, out: Console | None = None) -> None:
    out = out or console()
    enterprise = rollup.enterprise
    if not quiet:
        lead = enterprise.lead
        top = (f"; {enterprise.top_pmo} at the top, from {lead.name}"
               if enterprise.top_pmo and lead is not None else "")
        out.print(f"[bold]Members[/bold] (as of {rollup.as_of.isoformat()}; the roll-up "
                  f"reports for {escape(enterprise.period_text)}{escape(top)})")
        width = min(max((len(m.name) for m in rollup.members), default=10), 48)
        for member in rollup.members:
            state = rollup.state_of(member)
            style = "bold red" if not member.counted else (
                "dim" if member in rollup.left_out else "green")
            pmos = (", ".join(enterprise.own_pmos(member.keys))
                    if member.keys is not None and member not in rollup.left_out else "")
            detail = escape(member.why_not or "") if not member.counted else (
                f"{escape(pmos):<10} {_counts(member.summary)}")
            out.print(f"  {escape(member.name):<{width}}  [{style}]{escape(state)}[/{style}]  "
                      f"{detail}")
        for member in rollup.in_scope:
            if member.findings:
                _print_member_findings(out, member)
        if rollup.across:
            out.print("\n[bold]Across masters[/bold]")
            for finding in rollup.across:
                colour = COLOURS[finding.severity]
                waived = " [dim](waived)[/dim]" if finding.waived else ""
                first, *others = finding.sides
                out.print(f"  [bold]{finding.rule}[/bold] [{colour}]{finding.severity:<7}"
                          f"[/{colour}] {escape(first.address)}{waived}")
                out.print(f"  {'':<13}{escape(finding.message)}")
                out.print(f"  {'':<13}[dim]hint: {escape(finding.hint)}[/dim]")
        out.print()
    summary = rollup.summary
    style = ("bold red" if rollup.not_counted or summary[ERROR] else
             "yellow" if summary[WARNING] else "bold green")
    out.print(f"[{style}]{escape(rollup.summary_text())}[/{style}]")


def _print_member_findings(out: Console, member: MemberOutcome) -> None:
    out.print(f"\n[bold]{escape(member.name)}[/bold]")
    sheet = None
    for finding in member.findings:
        if finding.sheet != sheet:
            sheet = finding.sheet
            out.print(f"  [bold]{escape(sheet)}[/bold]")
        colour = COLOURS[finding.severity]
        waived = " [dim](waived)[/dim]" if finding.waived else ""
        out.print(f"    [bold]{finding.rule}[/bold] [{colour}]{finding.severity:<7}[/{colour}] "
                  f"{escape(finding.address):<22} {escape(finding.message)}{waived}")
        out.print(f"    {'':<36}[dim]hint: {escape(finding.hint)}[/dim]")


def rollup_json(rollup: Rollup) -> str:
    """One JSON object (see docs/rollup.md)."""
    enterprise = rollup.enterprise
    members = []
    for member in rollup.members:
        members.append({
            "member": member.name,
            "path": str(member.source.given),
            "kind": member.kind,
            "counted": member.counted and member not in rollup.left_out,
            "why_not": member.why_not if not member.counted else (
                f"not under {rollup.pmo}" if member in rollup.left_out else None),
            "as_of": member.as_of.isoformat() if member.as_of else None,
            "pmos": (enterprise.own_pmos(member.keys)
                     if member.keys is not None and member not in rollup.left_out else []),
            "summary": member.summary,
        })
    in_scope = rollup.in_scope
    from pmo_xl.portfolio.reports import totals

    added = totals(rollup)
    return json.dumps({
        "as_of": rollup.as_of.isoformat(),
        "reporting_period": enterprise.reporting_period.isoformat(),
        "pmo": rollup.pmo,
        "top": enterprise.top_pmo,
        "lead": enterprise.lead.name if enterprise.lead is not None else None,
        "summary": {"members": len(in_scope), "counted": len(rollup.counted_members),
                    "not_counted": len(rollup.not_counted), "left_out": len(rollup.left_out),
                    **rollup.summary, "across": rollup.across_summary},
        # The enterprise reports' headline numbers: the members' own added up.
        "totals": {"status": dict(added.status), "kpi": dict(added.kpi),
                   "health": added.health, "stages": added.stages,
                   "copies": [{"member": c.member, "service": c.service.service_id,
                               "counted_in": c.counted_in} for c in added.copies]},
        "members": members,
        "findings": [f.as_json() for f in rollup.findings],
    }, indent=1, ensure_ascii=False)

"""Printing a comparison of two masters: changes grouped by sheet for a person, or JSON."""

from __future__ import annotations

import json
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from pmo_xl.compare.comparison import Comparison
from pmo_xl.compare.diff import (
    ADDED,
    CHANGED,
    COLUMN_ADDED,
    COLUMN_REMOVED,
    REMOVED,
    UNMATCHED,
    Change,
)
from pmo_xl.findings import ERROR, WARNING, shown_value
from pmo_xl.terminal.console import COLOURS, console, plural

NO_CHANGES = "No changes"
_STYLE = {ADDED: "green", REMOVED: "red", CHANGED: "yellow", COLUMN_ADDED: "green",
          COLUMN_REMOVED: "red", UNMATCHED: "magenta"}


def comparison_json(comparison: Comparison, old_name: str, new_name: str) -> str:
    """The object `pmo-xl diff --format json` prints (since-last-meeting.md)."""
    return json.dumps({
        "old": old_name,
        "new": new_name,
        "as_of": comparison.as_of.isoformat(),
        "summary": comparison.summary,
        "changes": [change.as_json() for change in comparison.diff.changes],
        "findings": [finding.as_json() for finding in comparison.findings],
    }, indent=1, ensure_ascii=False, default=str)


def summary_line(comparison: Comparison, old_name: str, new_name: str) -> str:
    summary = comparison.summary
    if comparison.diff.empty:
        return f"{NO_CHANGES} between {old_name} and {new_name}."
    values = comparison.values_changed
    # Records, each counted once however many of its values changed (say so when they differ).
    parts = [f"{plural(summary[ADDED], 'record')} added", f"{summary[REMOVED]} removed",
             f"{summary[CHANGED]} changed"
             + (f" ({plural(values, 'value')})" if values != summary[CHANGED] else "")]
    columns = comparison.diff.count(COLUMN_ADDED) + comparison.diff.count(COLUMN_REMOVED)
    if columns:
        parts.append(plural(columns, "column") + " added or removed")
    if comparison.unmatched:
        parts.append(f"{comparison.unmatched} unmatched")
    drift = f"{plural(summary[ERROR], 'drift error')}, {plural(summary[WARNING], 'warning')}"
    return (f"{', '.join(parts)}; {drift} ({old_name} → {new_name}, as of "
            f"{comparison.as_of.isoformat()})")


def describe(change: Change) -> str:
    """One change in words: `Stage: 'Design' → 'Pilot'`, `RSK-009 added`."""
    if change.kind == CHANGED:
        return (f"{change.record}  {change.column}: {shown_value(change.old)} → "
                f"{shown_value(change.new)}")
    if change.kind in (COLUMN_ADDED, COLUMN_REMOVED):
        return f"{change.column!r} {change.kind}"
    if change.kind == UNMATCHED:
        key = f" {change.record!r}" if change.record else ""
        where = " in OLD" if change.in_old else ""
        return (f"record with {change.reason}{key}{where}: cannot be matched, so it is not "
                "compared")
    return f"{change.record} {change.kind}" + (" (was in OLD)" if change.in_old else "")


def print_comparison(comparison: Comparison, old_name: str, new_name: str, *,
                     quiet: bool = False, out: Console | None = None) -> None:
    out = out or console()
    if not quiet and not comparison.diff.empty:
        for sheet, changes in groupby(comparison.diff.changes, key=lambda c: c.sheet):
            out.print(f"\n[bold]{escape(sheet)}[/bold]")
            for change in changes:
                style = _STYLE[change.kind]
                cell = change.address + (" (old)" if change.in_old else "")
                out.print(f"  [{style}]{change.kind:<14}[/{style}] {escape(cell):<26} "
                          f"{escape(describe(change))}")
        if comparison.findings:
            out.print("\n[bold]Drift findings[/bold]")
            for finding in comparison.findings:
                colour = COLOURS[finding.severity]
                waived = " [dim](waived)[/dim]" if finding.waived else ""
                where = finding.address + (" (old)" if finding.in_old else "")
                out.print(f"  [bold]{finding.rule}[/bold] [{colour}]{finding.severity:<7}"
                          f"[/{colour}] {escape(where):<26} {escape(finding.message)}{waived}")
                out.print(f"  {'':<42}[dim]hint: {escape(finding.hint)}[/dim]")
        out.print()
    summary = comparison.summary
    style = ("bold red" if summary[ERROR] else "yellow" if summary[WARNING]
             else "bold green")
    out.print(f"[{style}]{escape(summary_line(comparison, old_name, new_name))}[/{style}]")

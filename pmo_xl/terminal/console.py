"""Printing findings for a person (grouped by sheet, colour only on a terminal) or as JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from pmo_xl.findings import ERROR, INFO, WARNING, Finding, by_rule

if TYPE_CHECKING:
    from pmo_xl.example.demo import Demo

COLOURS = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}


def console(stream=None) -> Console:
    """A rich console that colours only when writing to a terminal (and honours NO_COLOR)."""
    stream = stream or sys.stdout
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False)


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary_line(summary: dict[str, int], file_name: str, as_of: str) -> str:
    parts = [plural(summary[ERROR], "error"), plural(summary[WARNING], "warning"),
             f"{summary[INFO]:,} info"]
    if summary.get("waived"):
        parts.append(f"{summary['waived']:,} waived")
    return f"{', '.join(parts)} in {file_name} (as of {as_of})"


def rule_titles() -> dict[str, str]:
    """Each rule's title by code, as `pmo-xl rules` lists them."""
    from pmo_xl.validators.families import load_rules

    return {code: rule.title for code, rule in load_rules().items()}


def print_findings(
    findings: Iterable[Finding], summary: dict[str, int], file_name: str, as_of: str,
    *, quiet: bool = False, show_waived: bool = False, statistics: bool = False,
    out: Console | None = None,
) -> None:
    """A check's findings (pmo_xl.terminal.findings_view), or with `statistics` a count per
    rule, then the summary line."""
    from pmo_xl.terminal.findings_view import render_findings, render_statistics

    out = out or console()
    findings = list(findings)
    if not quiet:
        if statistics:
            pieces = [render_statistics(by_rule(findings), rule_titles())] if findings else []
        else:
            pieces = list(render_findings(findings, rule_titles(), show_waived=show_waived))
        for piece in pieces:
            # Wrapped to the terminal's width (console() itself leaves long lines whole).
            out.print(piece, soft_wrap=False)
        out.print()
    style = "bold red" if summary[ERROR] else ("yellow" if summary[WARNING] else "bold green")
    out.print(Text(summary_line(summary, file_name, as_of), style=style), soft_wrap=False)


def findings_json(findings: Iterable[Finding], summary: dict[str, int], file_name: str,
                  as_of: str, *, statistics: bool = False) -> str:
    """The object `check --format json` prints (cli.md); with `statistics`, also a count
    per rule (`"statistics"`: rule, severity, count, waived, first_cell, title)."""
    findings = list(findings)
    report: dict = {
        "file": file_name,
        "as_of": as_of,
        "summary": summary,
        "findings": [f.as_json() for f in findings],
    }
    if statistics:
        titles = rule_titles()
        report["statistics"] = [item.as_json() | {"title": titles.get(item.rule, "")}
                                for item in by_rule(findings)]
    return json.dumps(report, indent=1, ensure_ascii=False)


def print_actions(found, file_name: str, *, quiet: bool = False,
                  out: Console | None = None) -> None:
    """Each person's actions (`pmo-xl actions`), then the unassigned ones and a summary."""
    out = out or console()
    as_of = found.as_of.isoformat()
    if not quiet:
        if found.person is None and found.decisions:
            out.print(f"[bold]Decisions for the meeting[/bold]: {len(found.decisions)}, in "
                      "agenda order (each is also in the list of who decides it)")
            for number, decision in enumerate(found.decisions, start=1):
                out.print(f"  {number:>2}. {escape(decision.kind):<30} "
                          f"{escape(decision.record):<10} {escape(decision.headline)} "
                          f"[dim]{escape(decision.decider_name)} decides.[/dim]")
        for person in found.people:
            where = (f" <{escape(person.address)}>" if person.address else
                     f", [yellow]no draft ({escape(person.unaddressed_reason or '')})[/yellow]")
            out.print(f"\n[bold]{escape(person.name)}[/bold] ({escape(person.person_id)})"
                      f"{where}: {plural(len(person.actions), 'action')}")
            for action in person.actions:
                _print_action(out, action)
        if found.unassigned:
            out.print(f"\n[bold]Unassigned[/bold]: {plural(len(found.unassigned), 'action')} "
                      "nobody in People owns")
            for item in found.unassigned:
                _print_action(out, item.action)
                out.print(f"  {'':<14}[dim]why: {escape(item.why)}[/dim]")
        if found.person is not None and not found.people:
            out.print(f"{escape(' '.join(str(found.person.name or '').split()))} "
                      f"({escape(found.person.person_id)}) has no actions.")
        out.print()
    out.print(escape(actions_summary(found, file_name, as_of)))
    drafts = found.drafts
    if drafts is not None and not quiet:
        out.print(f"Drafts: {escape(str(drafts.folder))} ({plural(len(drafts.files), 'draft')} "
                  "written; `pmo-xl send` sends them)")


def _print_action(out: Console, action) -> None:
    colour = COLOURS.get(action.severity or "", "bold")
    due = f" [bold]due {action.due.isoformat()}[/bold]" if action.due else ""
    out.print(f"  [{colour}]{escape(action.label):<13}[/{colour}] "
              f"{escape(action.record or '-'):<10} {escape(action.cell):<22} "
              f"{escape(action.what_to_do)}{due}")


def actions_summary(found, file_name: str, as_of: str) -> str:
    people, items = len(found.people), found.action_count
    who = "1 person" if people == 1 else f"{people} people"
    parts = [f"{plural(items, 'action')} for {who}"]
    if found.person is None:
        parts.append(f"{plural(len(found.decisions), 'decision')} for the meeting")
        parts.append(f"{len(found.unassigned)} unassigned")
    unaddressed = found.unaddressed
    if unaddressed:
        names = ", ".join(f"{p.name} ({p.person_id})" for p in unaddressed)
        parts.append(f"no usable email for {names}")
    return f"{'; '.join(parts)} in {file_name} (as of {as_of})"


def print_demo(demo: Demo) -> None:
    """What `pmo-xl demo` says: the example's findings, what moved since last month, what
    was written and what to try next."""
    from pmo_xl.example.demo import HISTORY_NAME
    from pmo_xl.example.northwind import DELIBERATE

    out = console()
    for warning in demo.warnings:
        console(sys.stderr).print(f"Warning: {escape(warning)}", highlight=False)
    as_of = demo.as_of.isoformat()
    out.print(f"[bold]pmo-xl demo[/bold]: Northwind Group's example master, checked as of "
              f"{as_of}. It has {len(DELIBERATE)} deliberate problems, at least one of each "
              "kind of rule.", soft_wrap=False)  # wrapped at the terminal's width, between words
    result = demo.result
    print_findings(result.findings, result.summary, demo.master.name, as_of, out=out)
    if demo.since is not None:
        out.print(f"\n{escape(demo.since)}", highlight=False)
    if demo.rollup is not None:
        rollup = demo.rollup
        out.print(f"\n[bold]The enterprise[/bold]: Northwind's three PMOs each keep their own "
                  f"master; rolled up, the rules across masters find "
                  f"{plural(len(rollup.across), 'problem')} between them, one of each kind:")
        from pmo_xl.validators.families import load_rules

        titles = {code: rule.title for code, rule in load_rules().items()}
        for finding in rollup.across:
            out.print(f"  [bold]{finding.rule}[/bold] {escape(titles.get(finding.rule, '')):<68}"
                      f" {escape(finding.sides[0].address)}", highlight=False)
        out.print(escape(rollup.summary_text()), highlight=False)
    out.print("\nWritten:", highlight=False)
    for path, what in demo.written:
        out.print(f"  {escape(str(path))}  ({escape(what)})", highlight=False)
    master = demo.master
    for line in (
        "\nWhat next:",
        f"  Fix a finding in {master.name} (each names its cell), save, then run:",
        f"    pmo-xl check {master} --as-of {as_of}",
        f"  Who has to do what:     pmo-xl actions {master} --as-of {as_of}",
        "  What changed since last month's pack, record by record:",
        f"    pmo-xl diff {demo.earlier} {master} --as-of {as_of}",
        "  Start your own master:  pmo-xl new master.xlsx",
        "  Publish the catalogue:  pmo-xl catalogue master.xlsx",
        f"  Roll up several PMOs:   pmo-xl rollup {demo.folder / 'enterprise' / 'members'} "
        f"--as-of {as_of}",
        "  What each rule means:   pmo-xl rules",
        f"  Packs as tables:        pmo-xl history {demo.folder}/pack-* -o "
        f"{demo.folder / HISTORY_NAME}",
    ):
        out.print(escape(line), highlight=False)

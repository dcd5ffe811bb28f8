"""Printing findings for a person (grouped by sheet, colour only on a terminal) or as JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape

from pmo_xl.findings import ERROR, INFO, WARNING, Finding

COLOURS = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}


def console(stream=None) -> Console:
    """A rich console that colours only when writing to a terminal (and honours NO_COLOR)."""
    stream = stream or sys.stdout
    return Console(file=stream, highlight=False, soft_wrap=True, emoji=False)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(summary: dict[str, int], file_name: str, as_of: str) -> str:
    parts = [plural(summary[ERROR], "error"), plural(summary[WARNING], "warning"),
             f"{summary[INFO]} info"]
    if summary.get("waived"):
        parts.append(f"{summary['waived']} waived")
    return f"{', '.join(parts)} in {file_name} (as of {as_of})"


def print_findings(
    findings: Iterable[Finding], summary: dict[str, int], file_name: str, as_of: str,
    *, quiet: bool = False, out: Console | None = None,
) -> None:
    out = out or console()
    if not quiet:
        sheet = None
        for finding in findings:
            if finding.sheet != sheet:
                sheet = finding.sheet
                out.print(f"\n[bold]{escape(sheet)}[/bold]")
            colour = COLOURS[finding.severity]
            waived = " [dim](waived)[/dim]" if finding.waived else ""
            out.print(
                f"  [bold]{finding.rule}[/bold] [{colour}]{finding.severity:<7}[/{colour}] "
                f"{escape(finding.address):<22} {escape(finding.message)}{waived}"
            )
            out.print(f"  {'':<36}[dim]hint: {escape(finding.hint)}[/dim]")
        out.print()
    style = "bold red" if summary[ERROR] else ("yellow" if summary[WARNING] else "bold green")
    out.print(f"[{style}]{escape(summary_line(summary, file_name, as_of))}[/{style}]")


def findings_json(findings: Iterable[Finding], summary: dict[str, int], file_name: str,
                  as_of: str) -> str:
    return json.dumps(
        {
            "file": file_name,
            "as_of": as_of,
            "summary": summary,
            "findings": [f.as_json() for f in findings],
        },
        indent=1,
        ensure_ascii=False,
    )

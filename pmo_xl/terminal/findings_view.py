"""A check's findings laid out for a person at a terminal, the way a linter shows them.

Errors first, then warnings, then info (the one order of findings, pmo_xl.findings), each
severity grouped by sheet; every entry wraps to the terminal's width with a hanging indent,
so no word is cut at the edge. A rule that fires more than GROUP_OVER times on one sheet is
one entry: how many, the rule's title, the first finding in full with its fix, and the next
few records; every finding is still in `--output`, `--format json` and `--statistics`.
Waived findings are a count, or one line each with `--show-waived`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.rule import Rule
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

try:  # rich 10 named it Group; the floor (9.10) calls the same class RenderGroup
    from rich.console import Group
except ImportError:  # pragma: no cover - exercised by .ci/lowest
    from rich.console import RenderGroup as Group  # type: ignore[attr-defined,no-redef]

from pmo_xl.findings import ERROR, INFO, SEVERITIES, WARNING, Finding, RuleCount

# More findings of one rule than this on one sheet (at one severity) are shown as one entry.
GROUP_OVER = 5
# The records a grouped entry names after its first finding.
NAMED = 3
COLOURS = {ERROR: "bold red", WARNING: "yellow", INFO: "cyan"}
HEADINGS = {ERROR: ("error", "errors"), WARNING: ("warning", "warnings"), INFO: ("info", "info")}
CODE_WIDTH = 4  # K103; a wider code (a future family) widens its own column
WHERE_ALL = "all of them: --output FILE.xlsx or --format json"


def count(number: int, words: tuple[str, str]) -> str:
    """`1 error`, `2,397 warnings`: a count with its thousands separated."""
    return f"{number:,} {words[0] if number == 1 else words[1]}"


@dataclass
class Entry:
    """What the terminal shows as one item: one finding, or one rule's many on one sheet."""

    findings: list[Finding]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def grouped(self) -> bool:
        return len(self.findings) > 1


def entries(findings: Iterable[Finding]) -> list[Entry]:
    """The findings (in the one order) as entries in the same order: a rule with more than
    GROUP_OVER findings on one sheet at one severity becomes one entry where its first was."""
    findings = list(findings)
    sizes: dict[tuple, int] = {}
    for finding in findings:
        key = (finding.severity, finding.sheet, finding.rule)
        sizes[key] = sizes.get(key, 0) + 1
    shown: list[Entry] = []
    groups: dict[tuple, Entry] = {}
    for finding in findings:
        key = (finding.severity, finding.sheet, finding.rule)
        if sizes[key] <= GROUP_OVER:
            shown.append(Entry([finding]))
        elif key in groups:
            groups[key].findings.append(finding)
        else:
            groups[key] = Entry([finding])
            shown.append(groups[key])
    return shown


def render_findings(findings: Iterable[Finding], titles: Mapping[str, str], *,
                    show_waived: bool = False) -> Iterator[RenderableType]:
    """What `pmo-xl check` prints above its summary line, piece by piece."""
    findings = list(findings)
    counted = [f for f in findings if not f.waived]
    waived = [f for f in findings if f.waived]
    for severity in SEVERITIES:
        of_severity = [f for f in counted if f.severity == severity]
        if not of_severity:
            continue
        yield Text("")
        yield Rule(count(len(of_severity), HEADINGS[severity]), align="left",
                   style=COLOURS[severity])
        sheet = None
        for entry in entries(of_severity):
            if entry.first.sheet != sheet:
                sheet = entry.first.sheet
                yield Text(f"{sheet}", style="bold")
            yield _entry(entry, titles)
    if waived and show_waived:
        yield Text("")
        yield Rule(count(len(waived), ("waived", "waived")), align="left", style="dim")
        for finding in waived:
            yield _waived_line(finding)
    elif waived:
        yield Text("")
        shown = "it" if len(waived) == 1 else "them"
        yield Text(f"{count(len(waived), ('waived finding', 'waived findings'))} not shown "
                   f"(a waived finding does not count); --show-waived lists {shown}.",
                   style="dim")


class Hanging:
    """`  CODE  body...`: the body wrapped at word boundaries to the width it is printed at,
    its later lines indented under its first word, and no padding at the ends of lines (a
    table would pad every line to the full width)."""

    def __init__(self, code: Text, body: Text) -> None:
        self.code, self.body = code, body

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(self.code.cell_len, CODE_WIDTH)
        indent = 2 + width + 2
        room = max(options.max_width - indent, 20)
        for number, line in enumerate(self.body.wrap(console, room, overflow="fold")):
            line.rstrip()
            if number == 0:
                lead = Text("  ")
                lead.append_text(self.code)
                lead.append(" " * (indent - 2 - self.code.cell_len))
            else:
                lead = Text(" " * indent)
            lead.append_text(line)
            lead.end = "\n"
            yield lead


def _entry(entry: Entry, titles: Mapping[str, str]) -> RenderableType:
    first = entry.first
    colour = COLOURS.get(first.severity, "bold")
    body = Text()
    if entry.grouped:
        body.append(f"× {len(entry.findings):,}", style="bold")
        body.append(f"  {titles.get(first.rule, '')}".rstrip(), style="bold")
        body.append("\n")
    body.append(first.address, style="bold")
    body.append(f"  {first.message}")
    body.append(f"\nhint: {first.hint}", style="dim")
    if entry.grouped:
        body.append(f"\n{_the_rest(entry.findings[1:])}", style="dim")
    return Hanging(Text(first.rule, style=colour), body)


def _the_rest(others: list[Finding]) -> str:
    """`and 2,396 more: KPI-00001-2 (A3), KPI-00001-3 (A4), KPI-00002-1 (A5) …`"""
    named = [f"{f.record} ({f.cell})" if f.record else f.cell for f in others[:NAMED]]
    more = "" if len(others) <= NAMED else " …"
    return f"and {len(others):,} more: {', '.join(named)}{more} ({WHERE_ALL})"


def _waived_line(finding: Finding) -> RenderableType:
    """`C106  Changes!J3  CHG-002, waived: <the reason>`: one line where the reason is short."""
    body = Text()
    body.append(finding.address, style="bold")
    reason = (finding.waiver_reason or "").strip().rstrip(".")
    body.append(f"  {finding.record + ', ' if finding.record else ''}waived"
                + (f": {reason}." if reason else "."))
    return Hanging(Text(finding.rule, style="dim"), body)


def _is_control(segment: Segment) -> bool:
    # rich 10 calls the field `control` (the codes); rich 9 `is_control` (a flag).
    return bool(segment._asdict().get("control") or segment._asdict().get("is_control"))


class Trimmed:
    """A renderable printed without the spaces a table pads each line with to its width."""

    def __init__(self, inner: RenderableType) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in console.render_lines(self.inner, options, pad=False):
            while line and not line[-1].text.strip() and not _is_control(line[-1]):
                line.pop()
            if line:
                line[-1] = line[-1]._replace(text=line[-1].text.rstrip())
            yield from line
            yield Segment.line()


def render_statistics(rules: list[RuleCount], titles: Mapping[str, str]) -> RenderableType:
    """Per rule, like `ruff --statistics`: how many, the rule, its severity, the first cell
    and what the rule is about; errors first, then the most frequent."""
    ordered = sorted(rules, key=lambda r: (r.count == 0, SEVERITIES.index(r.severity)
                                           if r.severity in SEVERITIES else 9, -r.count,
                                           r.rule))
    waived = any(r.waived for r in rules)
    table = Table.grid(padding=(0, 2, 0, 0))
    table.add_column(justify="right", no_wrap=True)
    if waived:
        table.add_column(justify="right", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")
    head = ["Count", *(["Waived"] if waived else []), "Rule", "Severity", "First cell", "What"]
    table.add_row(*(Text(h, style="bold") for h in head))
    for item in ordered:
        colour = COLOURS.get(item.severity, "bold")
        table.add_row(f"{item.count:,}",
                      *([f"{item.waived:,}" if item.waived else ""] if waived else []),
                      Text(item.rule, style=colour), Text(item.severity, style=colour),
                      Text(item.first.address), Text(titles.get(item.rule, "")))
    return Group(Text(""), Trimmed(table))


def print_all(out: Console, pieces: Iterable[RenderableType]) -> None:
    for piece in pieces:
        out.print(piece)

"""The governance pack's email draft: an unsent .eml with the summary and the workbooks attached.

`X-Unsent: 1` makes Outlook open the file as a new message ready to address and send;
Thunderbird and Apple Mail open it as a message they can forward or edit as new. No From or
To is set: the analyst's mail client fills the sender, and the analyst picks the recipients.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from pmo_xl import rag
from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.output import atomic_output, header_value, stamped
from pmo_xl.validators.engine import CheckResult

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass
class PackSummary:
    """What the email says, worked out once from a check run."""

    organisation: str
    period_label: str  # the reporting month, e.g. "October 2026"
    as_of: dt.date
    master_name: str
    short_hash: str
    errors: int
    warnings: int
    info: int
    waived: int
    service_rags: dict[str, int] | None  # health word -> active services
    decisions: list[str] = field(default_factory=list)  # the agenda, one line each
    drafts: int | None = None  # addressed drafts written to to-people/
    unaddressed: list[str] = field(default_factory=list)  # "Name (P-014): why", no draft
    since: str | None = None  # "Since the pack of DATE: ...", when a previous pack was found

    @property
    def subject(self) -> str:
        # One line whatever the Settings cell holds: a line break in a header is refused
        # (it could smuggle in a header of its own, such as Bcc).
        return " ".join(f"{self.organisation} PMO governance pack — {self.period_label}".split())


def reporting_month(result: CheckResult) -> str:
    """`October 2026`: the month the pack reports on (Settings' Reporting Period or the last
    complete month before the as-of date), the same period the KPI checks use."""
    return result.facts.reporting_month.strftime("%B %Y")


def summarise(result: CheckResult) -> PackSummary:
    summary = result.summary
    return PackSummary(
        organisation=result.facts.settings.organisation,
        period_label=reporting_month(result),
        as_of=result.as_of,
        master_name=result.master.path.name,
        short_hash=result.master.short_hash,
        errors=summary[ERROR],
        warnings=summary[WARNING],
        info=summary[INFO],
        waived=summary["waived"],
        service_rags=result.active_service_rags,
        decisions=decisions_needed(result),
    )


def decisions_needed(result: CheckResult) -> list[str]:
    """The meeting's agenda (``CheckResult.agenda``), one line per decision in its order:
    what kind, what is to be decided with its numbers, and who decides, by name."""
    return [f"{decision.kind}: {decision.summary} {decision.decider_name} decides."
            if decision.decider else
            f"{decision.kind}: {decision.summary} Who decides: {decision.decider_name}."
            for decision in result.agenda]


def body_text(summary: PackSummary, attachments: Iterable[Path]) -> str:
    """The plain-text body: the headline numbers, the decisions, what is attached."""
    lines = [
        "Hello,",
        "",
        f"Please find attached the {summary.organisation} PMO governance pack for "
        f"{summary.period_label} (as of {summary.as_of.isoformat()}).",
        "",
    ]
    if summary.service_rags is not None:
        counts = ", ".join(f"{word} {count}" for word, count in summary.service_rags.items())
        lines.append(f"Active services by health: {counts}.")
        lines.append(f"(How health is set: {rag.ROLLUP_RULE})")
    lines.append(
        f"Checks of the master workbook: {_count(summary.errors, 'error')}, "
        f"{_count(summary.warnings, 'warning')}, {summary.info} info"
        + (f" ({summary.waived} waived)." if summary.waived else ".")
    )
    if summary.since:
        lines += ["", summary.since]
    lines += ["", f"Decisions needed ({len(summary.decisions)}):"]
    lines += [f"{number}. {line}" for number, line in enumerate(summary.decisions, start=1)]
    if not summary.decisions:
        lines.append("- None this period.")
    if summary.drafts is not None:
        lines += ["", f"Each person's actions: {_count(summary.drafts, 'addressed draft')} in "
                      "to-people/ (pmo-xl send sends them)."]
    if summary.unaddressed:
        lines += ["Not addressed, no usable Email in People (pass their actions on, or add "
                  "the Email and run again):"]
        lines += [f"- {line}" for line in summary.unaddressed]
    lines += ["", "Attached:"]
    lines += [f"- {path.name}" for path in attachments]
    lines += [
        "",
        f"Source: {summary.master_name} (SHA-256 {summary.short_hash}), checked by pmo-xl.",
        "",
    ]
    return "\n".join(lines)


def build_email(summary: PackSummary, attachments: list[Path]) -> EmailMessage:
    """The unsent message with the workbooks attached, byte for byte."""
    message = EmailMessage()
    message["Subject"] = header_value(summary.subject)
    message["X-Unsent"] = "1"
    message.set_content(body_text(summary, attachments))
    for path in attachments:
        message.add_attachment(path.read_bytes(), maintype=XLSX_TYPE[0],
                               subtype=XLSX_TYPE[1], filename=header_value(path.name))
    return message


def write_email(message: EmailMessage, path: Path, *, source: Path | None = None) -> Path:
    """Write the message as an .eml file (CRLF line ends, as mail clients expect), stamped
    so that `pmo-xl demo` can tell its own draft from one somebody changed."""
    path = Path(path)
    with atomic_output(path, source=source) as temp:
        temp.write_bytes(stamped(message.as_bytes(policy=email.policy.SMTP)))
    return path


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"

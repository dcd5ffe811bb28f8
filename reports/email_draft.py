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

from pmo_xl.findings import ERROR, INFO, WARNING
from pmo_xl.output import atomic_output, header_value, stamped
from pmo_xl.reports.decisions import decisions_of, proposal_note, review_and_chronic_lines
from pmo_xl.validators.engine import CheckResult
from pmo_xl.validators.schema import (
    SERIOUS_SEVERITIES,
    TOP_ESCALATION,
    Changes,
    Risks,
    Services,
)

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Long user text is cut in the body; the workbooks carry it in full.
MAX_TEXT = 90


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
    service_rags: dict[str, int] | None  # Green/Amber/Red/No data -> services
    decisions: list[str] = field(default_factory=list)
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
    """What the governance meeting has to decide, one line each, in the PMO's words.

    Services proposed and awaiting approval, with the headroom their Lead PMO would have
    left; closures awaiting approval; open Critical or High risks and issues escalated to
    Service Ownership; changes Proposed awaiting the owner's approval; KPIs Red period
    after period (improve or close?); services and key documents due for review.
    """
    facts = result.facts
    decided = decisions_of(result)
    notes = {p.service_id: proposal_note(p) for p in decided.proposals}
    lines: list[str] = []
    proposals = {p.service_id for p in facts.proposals}
    closures = set(facts.closures_awaiting_approval)
    for sid, service in facts.services.items():
        label = _join(sid, service[Services.service_name])
        if sid in proposals:
            lines.append(f"{label}: proposed service awaiting approval to start design"
                         f"{notes.get(sid, '')}.")
        elif sid in closures:
            reason = service[Services.closure_reason]
            because = f" ({_short(reason)})" if reason else ""
            lines.append(f"{label}: closure awaiting approval{because}.")
    for _row, item in facts.open_items:
        if (item[Risks.severity] in SERIOUS_SEVERITIES
                and item[Risks.escalation_level] == TOP_ESCALATION):
            kind = (item[Risks.type] or "item").lower()
            lines.append(f"{item[Risks.item_id]} ({item[Risks.severity]} {kind}, "
                         f"{item[Risks.service_id]}): {_short(item[Risks.description])} — "
                         f"escalated to {TOP_ESCALATION}.")
    for _row, change in facts.changes_awaiting_approval:
        lines.append(f"{change[Changes.change_id]} "
                     f"({change[Changes.service_id] or change[Changes.pmo_id]}): "
                     f"{_short(change[Changes.description])} — proposed, awaiting the "
                     "service owner's approval.")
    return lines + review_and_chronic_lines(decided, facts)


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
        lines.append(f"Active services by RAG: {counts}.")
    lines.append(
        f"Checks of the master workbook: {_count(summary.errors, 'error')}, "
        f"{_count(summary.warnings, 'warning')}, {summary.info} info"
        + (f" ({summary.waived} waived)." if summary.waived else ".")
    )
    if summary.since:
        lines += ["", summary.since]
    lines += ["", "Decisions needed:"]
    lines += [f"- {line}" for line in summary.decisions] or ["- None this period."]
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


def _join(identifier: object, name: object) -> str:
    return f"{identifier} {_short(name)}" if name else str(identifier)


def _short(text: object) -> str:
    """One line of user text, cut to MAX_TEXT, without a closing full stop (we add ours)."""
    text = " ".join(str(text or "").split()).rstrip(".")
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"

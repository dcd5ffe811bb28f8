"""A draft to each PMO Manager involved in a finding across masters.

A finding across masters (family P) is nobody's alone: it names a cell in two or three
members, and each of those PMOs must agree the fix. Each member is kept by the PMO Manager
of its own PMO (the PMO that leads most of its services), as its own People sheet names
them; each gets one unsent draft listing every finding across masters with a cell in their
master, the cells on both sides, and the fix. `pmo-xl send DIR/to-pmo-managers` sends them.

A manager with no usable Email (or a member whose PMO has no PMO Manager) gets no draft;
they are listed as unaddressed, so the enterprise PMO can pass the findings on.
"""

from __future__ import annotations

import email.policy
import hashlib
import html
import json
import os
import textwrap
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import Finding
from pmo_xl.output import made_folder
from pmo_xl.reports.catalogue import usable_email
from pmo_xl.reports.drafts import PERSON_HEADER, draft_owner, slug
from pmo_xl.validators.schema import Services

if TYPE_CHECKING:
    from pmo_xl.portfolio.rollup import Rollup
    from pmo_xl.validators.member_keys import MemberKeys

FOLDER = "to-pmo-managers"
WRAP = 76
DOMAIN = "pmo-xl.invalid"


@dataclass
class Manager:
    """A PMO Manager and the findings across masters that concern the members they keep."""

    person_id: str
    name: str
    email: str | None
    pmos: list[str] = field(default_factory=list)  # the PMOs they manage in this roll-up
    members: list[str] = field(default_factory=list)  # the masters they keep
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Addressed:
    """Who hears of the findings across masters, and who cannot."""

    managers: list[Manager]
    unaddressed: list[tuple[str, str]]  # (member or manager, why)
    files: dict[str, Path] = field(default_factory=dict)  # person -> draft written
    folder: Path | None = None


def keeper(rollup: Rollup, keys: MemberKeys) -> str | None:
    """The member's own PMO that leads most of its services (its PMOs sheet order on a tie)."""
    own = rollup.enterprise.own_pmos(keys)
    if not own:
        return None
    led = {pmo: sum(1 for r in keys.rows_of(Services.SHEET)
                    if r.text(Services.lead_pmo) == pmo) for pmo in own}
    return max(own, key=lambda pmo: (led[pmo], -own.index(pmo)))


def addressed(rollup: Rollup) -> Addressed:
    """Each PMO Manager involved, with their findings (each once), in member order."""
    by_key: dict[str, Manager] = {}
    of_member: dict[str, Manager] = {}
    unaddressed: list[tuple[str, str]] = []
    for outcome in rollup.counted_members:
        keys, view = outcome.keys, outcome.view
        if keys is None or view is None:
            continue
        pmo = keeper(rollup, keys)
        contact = view.managers.get(pmo) if pmo is not None else None
        if contact is None:
            why = ("it is the home of no PMO" if pmo is None else
                   f"{pmo} has no PMO Manager in its People")
            unaddressed.append((outcome.name, why))
            continue
        address = usable_email(contact.email)
        name = " ".join(str(contact.name or contact.person_id).split())
        key = address.casefold() if address else f"{outcome.name}:{contact.person_id}"
        manager = by_key.setdefault(key, Manager(contact.person_id, name, address))
        manager.pmos.append(pmo)
        manager.members.append(outcome.name)
        of_member[outcome.name] = manager
    for finding in rollup.across:
        if finding.waived:
            continue
        for member in dict.fromkeys(side.member for side in finding.sides):
            manager = of_member.get(member)
            if manager is not None and finding not in manager.findings:
                manager.findings.append(finding)
    involved = [m for m in by_key.values() if m.findings]
    for manager in involved:
        if manager.email is None:
            unaddressed.append((f"{manager.name} ({manager.person_id})",
                                "no usable Email in their People"))
    return Addressed(involved, unaddressed)


def subject(rollup: Rollup) -> str:
    return " ".join(f"{rollup.organisation} PMOs — findings across the masters, "
                    f"{rollup.enterprise.period_text}".split())


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(" ".join(text.split()), WRAP, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def text_body(rollup: Rollup, manager: Manager) -> str:
    count = len(manager.findings)
    masters = ", ".join(manager.members)
    lines = [f"Hello {manager.name},", ""]
    lines += _wrap(f"The {rollup.organisation} enterprise roll-up as of "
                   f"{rollup.as_of.isoformat()} found {'this' if count == 1 else count} "
                   f"finding{'' if count == 1 else 's'} across the PMOs' masters with a cell in "
                   f"{masters}, which you keep. Each names the cells on every side; please "
                   "agree the fix with the other PMO and correct your master.") + [""]
    for number, finding in enumerate(manager.findings, start=1):
        lines.append(f"{number}. {finding.rule} ({finding.severity}) at {finding.sides[0].address}")
        lines += _wrap(finding.message, indent="   ")
        lines += _wrap(f"Fix: {finding.hint}", indent="   ")
        lines.append("")
    lines += _wrap(f"From pmo-xl rollup, as of {rollup.as_of.isoformat()}. If a finding is not "
                   "yours, please reply and say whose it is.")
    return "\n".join(lines) + "\n"


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


_CELL = "padding:8px 6px;border-bottom:1px solid #D9D9D9;vertical-align:top;text-align:left;"
_HEAD = ("padding:6px;background-color:#1F3864;color:#FFFFFF;font-weight:bold;text-align:left;"
         "font-size:13px;")
_WRAP_CSS = "overflow-wrap:anywhere;word-break:break-word;"


def html_body(rollup: Rollup, manager: Manager) -> str:
    rows = "".join(
        "<tr>"
        f'<td style="{_CELL}white-space:nowrap;"><strong>{_e(f.rule)}</strong><br>'
        f'<span style="font-size:12px;">{_e(f.severity)}</span></td>'
        f'<td style="{_CELL}{_WRAP_CSS}">{_e(f.message)}<br>'
        f'<span style="font-size:13px;color:#595959;">Fix: {_e(f.hint)}</span></td>'
        f'<td style="{_CELL}font-family:Consolas,Menlo,monospace;font-size:12px;{_WRAP_CSS}">'
        f'{"<br>".join(_e(s.address) for s in f.sides)}</td>'
        "</tr>" for f in manager.findings)
    intro = text_body(rollup, manager).split("\n\n")[1]
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        f"<title>{_e(subject(rollup))}</title>\n</head>\n"
        '<body style="margin:0;padding:0;background-color:#F2F2F2;">\n'
        '<div style="max-width:760px;margin:0 auto;padding:12px 8px;font-size:15px;'
        "line-height:1.4;font-family:Calibri,Carlito,'Segoe UI',Arial,sans-serif;"
        'color:#1A1A1A;">\n<div style="background-color:#FFFFFF;border:1px solid #D9D9D9;'
        'padding:16px 12px;">\n'
        f'<h1 style="margin:0 0 12px 0;font-size:20px;color:#1F3864;">Findings across the '
        f"PMOs' masters</h1>\n"
        f"<p>Hello {_e(manager.name)},</p>\n<p style=\"{_WRAP_CSS}\">{_e(intro)}</p>\n"
        '<table cellpadding="0" cellspacing="0" style="width:100%;border-collapse:collapse;'
        'font-size:14px;">\n'
        f'<thead><tr><th style="{_HEAD}">Rule</th><th style="{_HEAD}">What, and the fix</th>'
        f'<th style="{_HEAD}">Cells</th></tr></thead>\n<tbody>{rows}</tbody>\n</table>\n'
        f'<p style="margin:16px 0 0 0;font-size:12px;color:#595959;">From pmo-xl rollup, as of '
        f"{_e(rollup.as_of.isoformat())}.</p>\n</div>\n</div>\n</body>\n</html>\n")


def build_message(rollup: Rollup, manager: Manager) -> EmailMessage:
    assert manager.email is not None
    local, _, domain = manager.email.rpartition("@")
    message = EmailMessage()
    message["To"] = Address(display_name=manager.name, username=local, domain=domain)
    message["Subject"] = subject(rollup)
    message["X-Unsent"] = "1"
    content = json.dumps([rollup.organisation, rollup.as_of.isoformat(), manager.email.lower(),
                          sorted(f"{f.rule} {f.sides[0].address}" for f in manager.findings)])
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    message["Message-ID"] = f"<{digest[:40]}@{DOMAIN}>"
    message[PERSON_HEADER] = " ".join(manager.person_id.split())
    message.set_content(text_body(rollup, manager))
    message.add_alternative(html_body(rollup, manager), subtype="html")
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_pmo-xl-{digest[:16]}-{number}")
    return message


def write_manager_drafts(rollup: Rollup, folder: Path) -> Addressed:
    """One draft per addressed PMO Manager into `folder`, replacing the drafts pmo-xl wrote
    there before and no other file."""
    found = addressed(rollup)
    folder = made_folder(folder, "drafts")
    names: dict[str, str] = {}
    for manager in found.managers:
        if manager.email is None:
            continue
        stem = "-".join(p for p in (slug(manager.name), slug(manager.person_id)) if p)[:60]
        name, count = f"{stem or 'manager'}.eml", 1
        while name in names.values():
            count += 1
            name = f"{stem}-{count}.eml"
        names[manager.email] = name
    try:
        existing = {p.name: p for p in folder.iterdir() if p.suffix.lower() == ".eml"}
    except OSError as exc:
        raise CannotCheck(f"{folder} cannot be read: {exc.strerror or exc}.") from None
    for name in names.values():
        if name in existing and draft_owner(existing[name]) is None:
            raise CannotCheck(f"{existing[name]} exists and was not written by pmo-xl; move it "
                              "or choose another folder.")
    from pmo_xl.output import atomic_output

    for manager in found.managers:
        if manager.email is None:
            continue
        policy = email.policy.SMTP if manager.email.isascii() else email.policy.SMTPUTF8
        data = build_message(rollup, manager).as_bytes(policy=policy)
        target = folder / names[manager.email]
        with atomic_output(target) as temp:
            temp.write_bytes(data)
        found.files[manager.email] = target
    written = set(names.values())
    for name, path in existing.items():
        if name not in written and draft_owner(path) is not None:
            try:
                os.unlink(path)
            except OSError:
                pass
    found.folder = folder
    return found

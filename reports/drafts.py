"""One unsent email per person with their actions: To: their Email, plain text and HTML.

`pmo-xl actions -o DIR` and every pack (`to-people/`) write these; `pmo-xl send` sends them.
Each draft carries `X-Unsent: 1` (Outlook opens it ready to send) and a Message-ID derived
from the organisation, the period, the person and what their items are (not their wording),
so a draft written again for the same person, period and items keeps its Message-ID and
`send` never sends it twice. The HTML is a short table with inline styles and nothing to
fetch; every piece of master text in it is escaped. More than 25 items: the list is cut
and the person's items come as a small workbook attached.

The folder is a derived output: a run replaces the drafts pmo-xl wrote there before (they
carry an `X-PMO-XL-Person` header) and never touches another file, such as `sent.json`.
"""

from __future__ import annotations

import datetime as dt
import email.policy
import errno
import hashlib
import html
import io
import json
import os
import re
import shutil
import tempfile
import textwrap
import unicodedata
from collections.abc import Iterable
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.output import header_value, made_folder
from pmo_xl.people.actions import Action, ActionList, PersonActions, WrittenDrafts

MAX_LISTED = 25  # more than this and the items come as an attached workbook
PERSON_HEADER = "X-PMO-XL-Person"
MESSAGE_ID_DOMAIN = "pmo-xl.invalid"  # as `pmo-xl send` uses for a draft without one
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
WRAP = 76

# Windows refuses these as file names whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}
_MAX_STEM = 60


# --- file names -------------------------------------------------------------------------------

def slug(text: object) -> str:
    """`Zoë O'Brien-Smith` -> `zoe-o-brien-smith`: letters and digits only, safe in a file
    name on Windows, macOS and Linux alike (and the same on a case-blind disk)."""
    folded = unicodedata.normalize("NFKD", str(text or "")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def file_names(people: Iterable[PersonActions]) -> dict[str, str]:
    """Person ID -> a draft file name, unique in the folder even for two people with one
    name (the Person ID is part of it, and a clash after folding gets a number)."""
    found: dict[str, str] = {}
    taken: set[str] = set()
    for person in people:
        parts = [p for p in (slug(person.person.name), slug(person.person_id)) if p]
        stem = "-".join(dict.fromkeys(parts))[:_MAX_STEM].strip("-") or "person"
        if stem in _RESERVED:
            stem = f"person-{stem}"
        name, count = f"{stem}.eml", 1
        while name in taken:
            count += 1
            name = f"{stem}-{count}.eml"
        taken.add(name)
        found[person.person_id] = name
    return found


# --- the message ------------------------------------------------------------------------------

def subject(actions: ActionList) -> str:
    # One line of plain text whatever the Settings cell holds, as the pack's email: a line
    # break could smuggle in a header of its own, a control or right-to-left override
    # character would garble or reverse what the reader sees.
    return header_value(f"{actions.organisation} PMO — your actions, {actions.period}")


def message_id(actions: ActionList, person: PersonActions) -> str:
    """Stable for the same organisation, period, person, address and items."""
    content = json.dumps([actions.organisation, actions.period, person.person_id,
                          (person.address or "").lower(),
                          sorted(json.dumps(a.identity) for a in person.actions)])
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    return f"<{digest[:40]}@{MESSAGE_ID_DOMAIN}>"


def attachment_name(actions: ActionList) -> str:
    return f"your-actions-{actions.as_of.isoformat()}.xlsx"


def build_message(actions: ActionList, person: PersonActions) -> EmailMessage:
    """The unsent draft for one person with a usable Email."""
    assert person.address is not None
    local, _, domain = person.address.rpartition("@")
    message = EmailMessage()
    message["To"] = Address(display_name=header_value(person.name), username=local,
                            domain=domain)
    message["Subject"] = subject(actions)
    message["X-Unsent"] = "1"
    message["Message-ID"] = message_id(actions, person)
    message[PERSON_HEADER] = " ".join(person.person_id.split())
    message.set_content(text_body(actions, person))
    message.add_alternative(html_body(actions, person), subtype="html")
    if len(person.actions) > MAX_LISTED:
        message.add_attachment(actions_workbook(actions, person), maintype=XLSX_TYPE[0],
                               subtype=XLSX_TYPE[1], filename=attachment_name(actions))
    # Boundaries from the Message-ID, not at random: the same draft is the same bytes.
    seed = message["Message-ID"].strip("<>").split("@")[0][:16]
    for number, part in enumerate(message.walk()):
        if part.is_multipart():
            part.set_boundary(f"=_pmo-xl-{seed}-{number}")
    return message


def _intro(actions: ActionList, person: PersonActions) -> str:
    count = len(person.actions)
    return (f"Before the {actions.organisation} PMO governance meeting for {actions.period}, "
            f"please see to {'this item' if count == 1 else f'these {count} items'} in the PMO "
            "master workbook. Each names the cell to change.")


def _more(actions: ActionList, person: PersonActions) -> str | None:
    extra = len(person.actions) - MAX_LISTED
    if extra <= 0:
        return None
    return (f"… and {extra} more: all {len(person.actions)} are in the attached workbook "
            f"{attachment_name(actions)}.")


def _footer(actions: ActionList) -> str:
    return (f"From the PMO master workbook {actions.result.master.path.name}, checked as of "
            f"{actions.as_of.isoformat()} by pmo-xl. If an item is not yours, please reply "
            "and say whose it is.")


def _wrap(text: str, indent: str = "") -> list[str]:
    """Lines of at most WRAP characters, broken at spaces only (never inside `pmo-xl`)."""
    return textwrap.wrap(" ".join(text.split()), WRAP, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False,
                         break_long_words=False)


def text_body(actions: ActionList, person: PersonActions) -> str:
    lines = [f"Hello {person.name},", ""]
    lines += _wrap(_intro(actions, person)) + [""]
    for number, action in enumerate(person.actions[:MAX_LISTED], start=1):
        lines.append(f"{number}. {action.record or '(no ID)'} ({action.label}) at {action.cell}")
        lines += _wrap(action.what_to_do, indent="   ")
        if action.due:
            lines.append(f"   Due: {action.due.isoformat()}")
        lines.append("")
    more = _more(actions, person)
    if more:
        lines += _wrap(more) + [""]
    lines += _wrap(_footer(actions))
    return "\n".join(lines) + "\n"


# Colours from the reports' palette (reports/styles.py), so mail and workbooks match.
_NAVY, _MUTED, _RULE = "#1F3864", "#595959", "#D9D9D9"
_LABEL_COLOURS = {"error": "#9C0006", "warning": "#9C5700", "info": "#1F4E79"}
# A long word in master text (a path, a link) wraps rather than push the table off a phone.
_WRAP = "overflow-wrap:anywhere;word-break:break-word;"
_CELL = "padding:8px 6px;border-bottom:1px solid #D9D9D9;vertical-align:top;text-align:left;"
_HEAD = (f"padding:6px;background-color:{_NAVY};color:#FFFFFF;font-weight:bold;"
         "text-align:left;font-size:13px;white-space:nowrap;")


def _e(text: object) -> str:
    """Master text as HTML text: every <, >, &, " and ' escaped, so it is never markup."""
    return html.escape("" if text is None else str(text), quote=True)


def _cell_html(address: str) -> str:
    """`Services!AI11` that may break after the `!` on a narrow screen, never inside a part."""
    sheet, mark, cell = address.rpartition("!")
    if not mark:
        return _e(address)
    return f'{_e(sheet)}!<wbr><span style="white-space:nowrap;">{_e(cell)}</span>'


def _id_style(record: str | None) -> str:
    """An ID such as `SVC-010` is not broken at its hyphen; a long one may wrap anywhere."""
    return "white-space:nowrap;" if record is None or len(record) <= 16 else _WRAP


def _row(action: Action, with_due: bool = True) -> str:
    colour = _LABEL_COLOURS.get(action.severity or "", _NAVY)
    due = action.due.isoformat() if action.due else ""
    due_cell = (f'<td style="{_CELL}white-space:nowrap;font-size:13px;">{_e(due)}</td>'
                if with_due else "")
    return (
        "<tr>"
        f'<td style="{_CELL}"><strong style="{_id_style(action.record)}">'
        f'{_e(action.record or "(no ID)")}</strong><br>'
        f'<span style="font-size:12px;color:{colour};">{_e(action.label)}</span></td>'
        f'<td style="{_CELL}{_WRAP}">{_e(action.what_to_do)}</td>'
        f'<td style="{_CELL}font-family:Consolas,Menlo,monospace;font-size:12px;">'
        f"{_cell_html(action.cell)}</td>"
        f"{due_cell}"
        "</tr>")


_PAGE = ("max-width:720px;margin:0 auto;padding:12px 8px;font-size:15px;line-height:1.4;"
         "font-family:Calibri,Carlito,'Segoe UI',Arial,sans-serif;color:#1A1A1A;")
_CARD = f"background-color:#FFFFFF;border:1px solid {_RULE};padding:16px 12px;"
_TEXT = f"margin:0 0 12px 0;{_WRAP}"
_KICKER = f"margin:0 0 4px 0;font-size:13px;color:{_MUTED};{_WRAP}"
_TITLE = f"margin:0 0 12px 0;font-size:20px;line-height:1.2;color:{_NAVY};{_WRAP}"
_TABLE = "width:100%;border-collapse:collapse;font-size:14px;"
_SMALL = f"margin:16px 0 0 0;font-size:12px;color:{_MUTED};{_WRAP}"
_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def html_body(actions: ActionList, person: PersonActions) -> str:
    """A short table (record, what to do, cell, and due where any item has a due date) that
    reads in a mail client and on a phone: inline styles only, no script, nothing fetched."""
    more = _more(actions, person)
    shown = person.actions[:MAX_LISTED]
    # A Due column with nothing in it says nothing: it is left out.
    with_due = any(a.due for a in shown)
    titles = ("Record", "What to do", "Cell", "Due") if with_due else (
        "Record", "What to do", "Cell")
    head = "".join(f'<th style="{_HEAD}">{title}</th>' for title in titles)
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{_e(subject(actions))}</title>",
        "</head>",
        '<body style="margin:0;padding:0;background-color:#F2F2F2;">',
        f'<div style="{_PAGE}">',
        f'<div style="{_CARD}">',
        f'<p style="{_KICKER}">{_e(actions.organisation)} PMO · {_e(actions.period)}</p>',
        f'<h1 style="{_TITLE}">Your actions before the meeting</h1>',
        f'<p style="margin:0 0 8px 0;{_WRAP}">Hello {_e(person.name)},</p>',
        f'<p style="{_TEXT}">{_e(_intro(actions, person))}</p>',
        f'<table cellpadding="0" cellspacing="0" style="{_TABLE}">',
        f"<thead><tr>{head}</tr></thead>",
        "<tbody>",
        *(_row(a, with_due) for a in shown),
        "</tbody>",
        "</table>",
        f'<p style="margin:12px 0 0 0;{_WRAP}">{_e(more)}</p>' if more else "",
        f'<p style="{_SMALL}">{_e(_footer(actions))}</p>',
        "</div>",
        "</div>",
        "</body>",
        "</html>",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def actions_workbook(actions: ActionList, person: PersonActions) -> bytes:
    """The person's items as a small workbook (for a list too long for the email)."""
    import xlsxwriter

    from pmo_xl.reports.styles import (
        SAFE_OPTIONS,
        TableColumn,
        formats,
        print_setup,
        write_table,
    )

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {**SAFE_OPTIONS, "in_memory": True})
    book.set_properties({
        "title": subject(actions), "author": "pmo-xl", "company": actions.organisation,
        # Fixed, so the same items give the same bytes.
        "created": dt.datetime.combine(actions.as_of, dt.time()),
        "comments": "Written by pmo-xl from the PMO master workbook.",
    })
    fmt = formats(book)
    sheet = book.add_worksheet("Your actions")
    columns = [TableColumn("Record"), TableColumn("Kind"), TableColumn("Rule"),
               TableColumn("What to do", "wrap"), TableColumn("Cell"),
               TableColumn("Due", "date")]
    rows = [[a.record or "", a.kind, a.label if a.rule else "", a.what_to_do, a.cell, a.due]
            for a in person.actions]
    if not any(a.due for a in person.actions):  # no column of blanks
        columns, rows = columns[:-1], [row[:-1] for row in rows]
    write_table(sheet, fmt, columns, rows, name="YourActions")
    print_setup(sheet, actions.as_of, title=f"{person.name}: {subject(actions)}")
    book.close()
    return buffer.getvalue()


# --- the folder -------------------------------------------------------------------------------

def draft_owner(path: Path) -> str | None:
    """The Person ID of a draft pmo-xl wrote (its X-PMO-XL-Person header), else None."""
    try:
        with path.open("rb") as handle:
            headers = BytesHeaderParser(policy=email.policy.default).parse(handle)
    except (OSError, ValueError):
        return None
    value = headers.get(PERSON_HEADER)
    return str(value).strip() if value is not None else None


def write_drafts(actions: ActionList, folder: Path, *, source: Path | None = None,
                 only: str | None = None) -> WrittenDrafts:
    """Write a draft per addressed person into `folder`, replacing the drafts pmo-xl wrote
    there before (all of them, or with `only`, that person's) and no other file.

    All drafts are written into a hidden folder inside `folder` first and moved into place
    once every one is complete, so a failure leaves the earlier drafts as they were.
    """
    folder = made_folder(folder, "drafts", source=source)
    addressed = [p for p in actions.people if p.address is not None]
    names = file_names(addressed)
    existing = _existing_drafts(folder)
    for name in names.values():
        holder = existing.get(name.lower())
        if holder is not None and holder[1] is None:
            raise CannotCheck(f"{folder / holder[0].name} exists and was not written by "
                              "pmo-xl; move it or choose another folder for the drafts.")
    written = WrittenDrafts(folder, unaddressed=[p for p in actions.people
                                                 if p.address is None])
    try:
        staging = Path(tempfile.mkdtemp(prefix=".pmo-xl-drafts-", dir=folder))
    except OSError as exc:
        raise CannotCheck(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
    try:
        for person in addressed:
            # An address with non-ASCII letters needs SMTPUTF8 (as `send` does).
            policy = email.policy.SMTP if person.address.isascii() else email.policy.SMTPUTF8
            data = build_message(actions, person).as_bytes(policy=policy)
            (staging / names[person.person_id]).write_bytes(data)
        for person in addressed:
            name = names[person.person_id]
            os.replace(staging / name, folder / name)
            written.files[person.person_id] = folder / name
        new = {n.lower() for n in names.values()}
        for key, (path, owner) in existing.items():
            if owner is None or key in new or (only is not None and owner != only):
                continue
            path.unlink(missing_ok=True)
            written.removed.append(path)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise CannotCheck(f"The disk is full; the drafts in {folder} were not "
                              "written.") from None
        raise CannotCheck(f"The drafts in {folder} cannot be written: "
                          f"{exc.strerror or exc}.") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written


def _existing_drafts(folder: Path) -> dict[str, tuple[Path, str | None]]:
    """Lower-cased file name -> (path, the Person ID if pmo-xl wrote it) for each .eml."""
    try:
        return {p.name.lower(): (p, draft_owner(p)) for p in folder.iterdir()
                if p.suffix.lower() == ".eml" and p.is_file()}
    except OSError as exc:
        raise CannotCheck(f"{folder} cannot be read: {exc.strerror or exc}.") from None

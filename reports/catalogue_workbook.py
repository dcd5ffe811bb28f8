"""The published catalogue as a workbook (`pmo-xl catalogue --format xlsx`), in tables.

A cover sheet (title, organisation, as-of date, what is published), then one table per
kind of content: Services (one row each, with how to ask for it), What you get (its SIPOC
outputs) and Service levels (its KPI targets, and with --with-status the latest RAG). Text
goes in as text (never a formula or link), and the workbook's creation time is the as-of
date, so the same master and --as-of give the same bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pmo_xl.output import atomic_output
from pmo_xl.reports import styles
from pmo_xl.reports.catalogue import Catalogue
from pmo_xl.reports.styles import TableColumn

SERVICES_SHEET, OUTPUTS_SHEET, LEVELS_SHEET = "Services", "What you get", "Service levels"


def write_workbook(catalogue: Catalogue, path: str | Path, *,
                   source: Path | None = None) -> Path:
    """Write the catalogue workbook to `path` (never over the master, never half-written)."""
    path = Path(path)
    created = dt.datetime.combine(catalogue.as_of, dt.time())
    with atomic_output(path, source=source) as temp:
        workbook = styles.new_workbook(temp, catalogue.title, "PMO service catalogue",
                                       catalogue.organisation)
        workbook.set_properties({
            "title": catalogue.title,
            "subject": "PMO service catalogue",
            "author": "pmo-xl",
            "company": catalogue.organisation,
            "created": created,
            "comments": f"As of {catalogue.as_of.isoformat()}.",
        })
        fmt = styles.formats(workbook)
        _cover(workbook.add_worksheet("Catalogue"), fmt, catalogue)
        _services(workbook.add_worksheet(SERVICES_SHEET), fmt, catalogue)
        _outputs(workbook.add_worksheet(OUTPUTS_SHEET), fmt, catalogue)
        _levels(workbook.add_worksheet(LEVELS_SHEET), fmt, catalogue)
        workbook.close()
    return path


def _cover(sheet, fmt: dict, catalogue: Catalogue) -> None:
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 1, 70)
    rows: list[tuple[str, object]] = [
        ("Organisation", catalogue.organisation),
        ("As of", catalogue.as_of),
        ("Published", catalogue.stages_text),
    ]
    if catalogue.audience:
        rows.append(("For", catalogue.audience))
    rows += [("Services", len(catalogue.entries)),
             ("Categories", len(catalogue.categories))]
    row = styles.cover_block(sheet, fmt, title=catalogue.title, rows=rows)
    sheet.write_string(row, 0, "Sheets", fmt["subtitle"])
    for offset, (name, what) in enumerate([
            (SERVICES_SHEET, "each service: what it is, who it is for, how to ask for it"),
            (OUTPUTS_SHEET, "what each service delivers, and what a good one looks like"),
            (LEVELS_SHEET, "the service levels each service aims for"
                           + (", and how each did lately" if catalogue.with_status else "")),
    ], start=row + 1):
        sheet.write_string(offset, 0, name, fmt["label"])
        sheet.write_string(offset, 1, what, fmt["text"])
    styles.print_setup(sheet, catalogue.as_of, header_row=None, landscape=False,
                       title=catalogue.title)


def _services(sheet, fmt: dict, catalogue: Catalogue) -> None:
    columns = [
        TableColumn("Category", "text"),
        TableColumn("Service", "wrap", 30),
        TableColumn("Description", "wrap", 48),
        TableColumn("Offering", "text"),
        TableColumn("Stage", "wrap", 24),
        TableColumn("Who it is for", "wrap", 30),
        TableColumn("The outcome", "wrap", 40),
        TableColumn("Outcome measured by", "wrap", 36),
        TableColumn("What you provide", "wrap", 30),
        TableColumn("How to request", "wrap", 36),
        TableColumn("Lead time", "wrap", 16),
        TableColumn("Contact", "wrap", 24),
        TableColumn("Contact email", "wrap", 30),
        TableColumn("Lead PMO", "wrap", 28),
        TableColumn("Accountable (Service Owner)", "wrap", 22),
        TableColumn("Last reviewed", "date", 14),
    ]
    rows = []
    for e in catalogue.entries:
        reviewed: object = e.last_reviewed_date or e.last_reviewed
        rows.append([
            e.category, e.name, e.description, e.offering_text, e.stage_note or e.stage,
            e.customers, e.desired_outcome,
            "\n".join(f"{s.name} ({s.target})" if s.target else s.name
                      for s in e.outcome_measures) or None,
            "\n".join(e.inputs) or None, e.how_to_request, e.lead_time,
            "\n".join(m.name for m in e.managers) or None,
            _emails(e),
            e.lead_pmo, e.owner,
            reviewed if isinstance(reviewed, dt.date) else (reviewed, "text"),
        ])
    styles.write_table(sheet, fmt, columns, rows, name="Services",
                       empty="No service is published.")
    styles.print_setup(sheet, catalogue.as_of, title=catalogue.title)


def _outputs(sheet, fmt: dict, catalogue: Catalogue) -> None:
    columns = [TableColumn("Category", "text"), TableColumn("Service", "wrap", 30),
               TableColumn("Output", "wrap", 40), TableColumn("What good looks like", "wrap", 48)]
    rows = [[e.category, e.name, o.item, o.quality] for e in catalogue.entries
            for o in e.outputs]
    styles.write_table(sheet, fmt, columns, rows, name="Outputs",
                       empty="No published service describes its outputs yet.")
    styles.print_setup(sheet, catalogue.as_of, title=catalogue.title)


def _levels(sheet, fmt: dict, catalogue: Catalogue) -> None:
    columns = [TableColumn("Category", "text"), TableColumn("Service", "wrap", 30),
               TableColumn("Measure", "wrap", 40), TableColumn("Target", "wrap", 22),
               TableColumn("Target value", "number", 12), TableColumn("Unit", "text", 10)]
    if catalogue.with_status:
        columns += [TableColumn("Latest", "rag", 10), TableColumn("Period", "text", 12)]
    rows = []
    for e in catalogue.entries:
        for level in e.service_levels:
            row: list[object] = [e.category, e.name, level.name, level.target,
                                 level.target_value, level.unit]
            if catalogue.with_status:
                row += [level.rag, level.period]
            rows.append(row)
    styles.write_table(sheet, fmt, columns, rows, name="ServiceLevels",
                       empty="No published service has service levels yet.")
    styles.print_setup(sheet, catalogue.as_of, title=catalogue.title)


def _emails(entry) -> str | None:
    """The contacts' emails, one line per contact as in the Contact column."""
    lines = [m.email or m.email_as_typed or "" for m in entry.managers]
    return "\n".join(lines) if any(lines) else None

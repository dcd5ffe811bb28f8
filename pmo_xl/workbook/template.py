"""Writing a master workbook from the schemas: the blank template, or one filled with rows.

Every sheet gets its headers as an Excel table, a drop-down on each controlled column (the
schema's list), date validation on date columns, a comment on each header with its guidance,
a frozen header row and sensible widths; a Readme sheet explains the workbook. The demo's
example master and the tests' workbooks are written by the same function, so they carry the
same drop-downs a person gets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from pmo_xl.output import WORKBOOK_OPTIONS, atomic_output
from pmo_xl.validators.schema import (
    CHOICE,
    DATE,
    INTEGER,
    NUMBER,
    RACI_ROLES,
    SHEETS,
    STAGES,
    YES_NO,
    YESNO,
    Rules,
    columns_of,
    is_optional,
)
from pmo_xl.workbook.paging import fits_portrait, pages_wide
from pmo_xl.workbook.text_fit import line_count
from pmo_xl.workbook.writer import Workbook as WorkbookFile

Rows = Sequence[Mapping[str, object]]

# A fixed creation time keeps the committed template byte-identical between runs.
FIXED_CREATED = dt.datetime(2026, 1, 1)
VALIDATED_ROWS = 2000  # drop-downs reach this far below the header
RACI_VALUES = ("R", "A", "C", "I", "A/R", "R/C", "C/I")
HEADER_COLOUR = "#1F4E79"
README_WIDTH = 100  # characters: the Readme's text column
README_LINE_HEIGHT = 15  # points per line of 11-point Calibri
REQUIRED_COLOUR = "#C00000"


def write_master(
    path: str | Path,
    rows: Mapping[str, Rows] | None = None,
    *,
    sheets: Sequence[str] | None = None,
    role_columns: Sequence[str] = RACI_ROLES,
    extra_sheets: Mapping[str, Sequence[Sequence[object]]] | None = None,
    renamed_headers: Mapping[tuple[str, str], str] | None = None,
    source: Path | None = None,
    saved: dt.datetime | None = None,
    rule_codes: Sequence[tuple[str, str]] = (),
) -> Path:
    """Write a master: the blank template when `rows` is None, else those rows per sheet.

    `rows` maps a sheet name to its records, each a mapping from header to value (headers
    the schema does not declare become extra columns, as a PMO might add). `sheets` limits
    which schema sheets are written (the tests use it to leave one out). `saved` is the time
    the workbook's properties give as created and last saved (default: the fixed
    FIXED_CREATED); a roll-up reads a master's age from it, so the demo's and the tests'
    members say when they stand. `rule_codes`,
    (code, what it names) for every family and rule a Rules row may set, are listed on the
    Readme and become the Rules sheet's Rule drop-down (the rules live above this module,
    so the caller passes them: validators.policy.policy_choices).
    """
    path = Path(path)
    rows = rows or {}
    with atomic_output(path, source=source) as temp:
        workbook = WorkbookFile(
            temp,
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
             **WORKBOOK_OPTIONS},
        )
        workbook.set_properties(
            {
                "title": "PMO master workbook",
                "subject": "Service Catalogue, SIPOC, Operations Handbook, KPIs, people, "
                "risks, issues and changes",
                "author": "pmo-xl",
                "comments": "Written by pmo-xl new; fill it in Excel and run `pmo-xl check`.",
                "created": saved or FIXED_CREATED,
            }
        )
        styles = _styles(workbook)
        codes = _write_readme(workbook, styles, rule_codes)
        for name in sheets if sheets is not None else SHEETS:
            renamed = {old: new for (s, old), new in (renamed_headers or {}).items() if s == name}
            _write_sheet(workbook, styles, name, rows.get(name, ()), role_columns, renamed)
            if name == Rules.SHEET and codes is not None:
                _rule_drop_down(workbook.get_worksheet_by_name(name), codes)
        for title, grid in (extra_sheets or {}).items():
            sheet = workbook.add_worksheet(title)
            for r, line in enumerate(grid):
                for c, value in enumerate(line):
                    _write_value(sheet, r, c, value, styles)
        workbook.close()
    return path


def _styles(workbook) -> dict:
    return {
        "header": workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_COLOUR,
             "text_wrap": True, "valign": "top", "border": 1}
        ),
        "required": workbook.add_format(
            {"bold": True, "font_color": "#FFFFFF", "bg_color": REQUIRED_COLOUR,
             "text_wrap": True, "valign": "top", "border": 1}
        ),
        "date": workbook.add_format({"num_format": "yyyy-mm-dd", "align": "left"}),
        "text": workbook.add_format({"text_wrap": False, "valign": "top"}),
        "title": workbook.add_format(
            {"bold": True, "font_size": 16, "font_color": HEADER_COLOUR}),
        "heading": workbook.add_format(
            {"bold": True, "font_size": 12, "font_color": HEADER_COLOUR}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "bold": workbook.add_format({"bold": True, "valign": "top"}),
    }


def _write_value(sheet, row: int, col: int, value: object, styles: dict) -> None:
    """User text is always written as text: `=SUM(...)` typed in a cell stays text."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, styles["date"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), styles["date"])
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _write_sheet(
    workbook, styles, name: str, records: Rows, role_columns: Sequence[str],
    renamed: Mapping[str, str] | None = None,
) -> None:
    schema = SHEETS[name]
    declared = columns_of(name)
    headers = [(renamed or {}).get(c.header, c.header) for c in declared]
    if schema.ROLE_COLUMNS:
        headers += list(role_columns)
    for record in records:
        for key in record:
            if key not in headers:
                headers.append(key)
    by_header = {c.header: c for c in declared}
    sheet = workbook.add_worksheet(name)
    last_row = max(len(records), 1)
    if len({h.casefold().replace(" ", "") for h in headers}) < len(headers):
        # Excel refuses a table with two equal headers: write a plain range (tests use this).
        for c, header in enumerate(headers):
            sheet.write_string(0, c, header, _header_style(styles, by_header, header))
    else:
        _add_table(sheet, styles, name, headers, by_header, last_row)
    for r, record in enumerate(records, start=1):
        for c, header in enumerate(headers):
            _write_value(sheet, r, c, record.get(header), styles)
    for c, header in enumerate(headers):
        info = by_header.get(header)
        guidance = info.guidance if info else _role_guidance(header, schema)
        if info and info.required:
            guidance = "Required. " + guidance
        sheet.write_comment(0, c, guidance, {"x_scale": 2, "y_scale": 1.2, "author": "pmo-xl"})
        date_style = styles["date"] if info and info.kind == DATE else None
        sheet.set_column(c, c, _width(header, info), date_style)
        _validate(sheet, c, info, header, schema)
    sheet.freeze_panes(1, 2 if name == "Services" else 1)
    sheet.set_row(0, 32)
    _print_setup(sheet, name, header_row=0,
                 widths=[_width(h, by_header.get(h)) for h in headers],
                 key_columns=2 if name == "Services" else 1)
    if is_optional(name):
        sheet.set_tab_color("#A6A6A6")


def _add_table(sheet, styles, name, headers, by_header, last_row) -> None:
    sheet.add_table(0, 0, last_row, len(headers) - 1, {
        "name": name.replace(" ", ""),
        "style": "Table Style Medium 2",
        "columns": [{"header": h, "header_format": _header_style(styles, by_header, h)}
                    for h in headers],
    })


def _header_style(styles, by_header, header):
    info = by_header.get(header)
    return styles["required"] if info and info.required else styles["header"]


def _role_guidance(header: str, schema) -> str:
    if schema.ROLE_COLUMNS:
        return (f"{header}: R, A, C or I (or a combination such as A/R) for each activity. "
                "Add a column per further role or Person ID.")
    return "A column of your own; pmo-xl keeps it and does not check it."


def _width(header: str, info) -> float:
    if info is None:
        return max(10, len(header) + 2)
    if info.kind == DATE:
        return max(12, len(header) + 2)
    if info.choices and info.many:  # a `;` list of them (Affects): room for all of them
        return min(34, len("; ".join(info.choices)) + 2)
    if info.choices:
        return max(len(header) + 2, min(34, max(len(c) for c in info.choices) + 4))
    if info.width is not None:
        return info.width
    return max(11, len(header) + 3)


def _validate(sheet, col: int, info, header: str, schema) -> None:
    first, last = 1, VALIDATED_ROWS
    if info is None:
        if schema.ROLE_COLUMNS:
            sheet.data_validation(first, col, last, col, {
                "validate": "list", "source": list(RACI_VALUES), "error_type": "warning",
                "error_title": "RACI", "error_message": "Use R, A, C, I or a combination.",
            })
        return
    if info.kind == CHOICE and info.choices:
        sheet.data_validation(first, col, last, col, {
            "validate": "list",
            "source": list(info.choices),
            "input_title": header[:32],
            "input_message": info.guidance[:255],
            "error_title": f"Not a valid {header}"[:32],
            "error_message": ("Pick one of: " + ", ".join(info.choices))[:255],
        })
    elif info.kind == YESNO:
        sheet.data_validation(first, col, last, col, {
            "validate": "list", "source": list(YES_NO),
            "error_title": "Y or N", "error_message": "Enter Y or N.",
        })
    elif info.kind == DATE:
        sheet.data_validation(first, col, last, col, {
            "validate": "date", "criteria": "between",
            "minimum": dt.date(1990, 1, 1), "maximum": dt.date(2100, 12, 31),
            "error_title": "A date", "error_message": "Enter a date, e.g. 2026-11-30.",
        })
    elif info.kind in (NUMBER, INTEGER):
        sheet.data_validation(first, col, last, col, {
            "validate": "integer" if info.kind == INTEGER else "decimal",
            "criteria": ">=", "value": -1e12 if info.kind == NUMBER else 0,
            "error_title": "A number", "error_message": f"{header} takes a number.",
        })


def _print_setup(sheet, name: str, header_row: int | None, widths: Sequence[float] = (),
                 key_columns: int = 1) -> None:
    """A4, one page wide, the header row on every page, the sheet's name and page numbers in
    the footer: a printed master reads like the report workbooks. Landscape, unless the
    sheet is narrow enough to print upright at full size (fewer pages for a long list); a
    sheet too wide to read on one page (Services has some forty columns) prints a few pages
    across, each row's pages one after another, its ID columns on each."""
    if fits_portrait(widths):
        sheet.set_portrait()
    else:
        sheet.set_landscape()
    sheet.set_paper(9)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    across = pages_wide(widths)
    sheet.fit_to_pages(across, 0)
    if across > 1:
        sheet.repeat_columns(0, key_columns - 1)
        sheet.print_across()
    if header_row is not None:
        sheet.repeat_rows(header_row)
    sheet.set_footer(f"&L{name.replace('&', '&&')}&RPage &P of &N")


def _rule_drop_down(sheet, codes: str) -> None:
    """The Rules sheet's Rule column: a drop-down of the family letters and rule codes the
    Readme lists (a list this long cannot be typed into the validation itself)."""
    column = Rules.headers().index(Rules.rule)
    sheet.data_validation(1, column, VALIDATED_ROWS, column, {
        "validate": "list", "source": codes,
        "input_title": "Rule or family",
        "input_message": "A rule code such as O101, or a family letter such as R (every rule "
                         "of the family). The Readme lists them.",
        "error_type": "warning", "error_title": "Not a rule",
        "error_message": "Pick a rule code or family letter; `pmo-xl rules` lists them.",
    })


def _write_readme(workbook, styles, rule_codes: Sequence[tuple[str, str]] = ()) -> str | None:
    """The Readme sheet; returns the range of the rule codes it lists (for the Rules sheet's
    drop-down), or None when it lists none."""
    sheet = workbook.add_worksheet("Readme")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, README_WIDTH)
    _print_setup(sheet, "Readme", header_row=None, widths=[24, README_WIDTH])
    sheet.write_string(0, 0, "PMO master workbook", styles["title"])
    lines = [
        ("What it is", "The PMO's single source of truth: Service Catalogue, SIPOC, Operations "
         "Handbook with RACI, KPIs and actuals, people, risks, issues and changes."),
        ("How to fill it", "One record per row under the header. Red headers are required. "
         "Pick controlled values from the drop-downs; enter dates as real dates; separate "
         "several IDs in one cell with ; (P-001; P-002). Hover over a header for guidance."),
        ("Before a meeting", "Run `pmo-xl check master.xlsx`, fix what it finds (each finding "
         "names the cell), then `pmo-xl pack master.xlsx` for the reports and email draft."),
        ("Lifecycle", " > ".join(STAGES[:-1]) + " (or Rejected from Proposed). Set-up is "
         "Design, Pilot and Transition; Running is business as usual."),
        ("Your own columns", "Add columns anywhere; pmo-xl keeps them and does not check them."),
        ("Grey tabs", "Optional sheets: Lifecycle Log, Waivers, Rules, Settings."),
    ]
    row = 2
    for label, text in lines:
        sheet.write_string(row, 0, label, styles["bold"])
        sheet.write_string(row, 1, text, styles["wrap"])
        _fit_row(sheet, row, text)
        row += 1
    row += 1
    sheet.write_string(row, 0, "Sheets", styles["heading"])
    row += 1
    for name, schema in SHEETS.items():
        sheet.write_string(row, 0, name, styles["bold"])
        required = [c.header for c in columns_of(name) if c.required]
        text = f"{schema.PURPOSE} Required: {', '.join(required)}."
        sheet.write_string(row, 1, text, styles["wrap"])
        _fit_row(sheet, row, text)
        row += 1
    sheet.activate()
    if not rule_codes:
        return None
    row += 1
    sheet.write_string(row, 0, "Rules you can set", styles["heading"])
    text = ("In the Rules sheet, a row sets one rule's severity (or a whole family's, by its "
            "letter) to Error, Warning, Info or Off, with a reason and the approval of a PMO "
            "Director or PMO Manager. `pmo-xl rules CODE` explains each.")
    sheet.write_string(row, 1, text, styles["wrap"])
    _fit_row(sheet, row, text)
    first = row + 1
    for offset, (code, title) in enumerate(rule_codes, start=first):
        sheet.write_string(offset, 0, code)
        sheet.write_string(offset, 1, title)
    last = first + len(rule_codes) - 1
    return f"=Readme!$A${first + 1}:$A${last + 1}"


def _fit_row(sheet, row: int, text: str) -> None:
    """A Readme row as tall as its wrapped text (Excel keeps a written row's height, and
    LibreOffice prints lines of a too-short row over the next)."""
    lines = line_count(text, README_WIDTH, size=11)
    if lines > 1:
        sheet.set_row(row, lines * README_LINE_HEIGHT)

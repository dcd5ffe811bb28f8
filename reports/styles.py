"""Shared look of every report workbook: colours, RAG fills, cell formats and print setup.

Every report (findings, status, KPI) builds its workbook with :func:`new_workbook` and takes
its cell formats from :func:`formats`, so the documents a PMO emails look like one family
and user text is never turned into a formula, link or number on the way in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from pmo_xl.findings import severity_label
from pmo_xl.output import WORKBOOK_OPTIONS
from pmo_xl.workbook.text_fit import line_count
from pmo_xl.workbook.writer import Workbook as WorkbookFile

# xlsxwriter would otherwise turn "=..." into a live formula, "http..." into a link and
# "007" into 7; a report shows the master's text exactly as typed.
SAFE_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}

FONT = "Calibri"
FONT_SIZE = 10

# House colours: a dark navy for titles and header rows, pale grey for banding and notes.
NAVY = "#1F3864"
HEADER_FILL = "#1F3864"
HEADER_FONT = "#FFFFFF"
SUBTLE_FILL = "#F2F2F2"
BORDER = "#BFBFBF"
MUTED = "#595959"

# RAG fills with readable text on top; the word is always written in the cell too, so
# colour is never the only signal (printouts in black and white, colour-blind readers).
RAG = {
    "Green": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "Amber": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "Red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "No data": {"bg_color": "#D9D9D9", "font_color": "#404040"},
    # A service not expected to report yet: no colour of health, and not the grey of a
    # service that should report and has not.
    "Not reporting yet": {"bg_color": "#FFFFFF", "font_color": "#595959"},
}
RAG_WORDS = tuple(RAG)  # Green, Amber, Red, No data, Not reporting yet
GREY = "No data"

# Finding severities, in the same palette as RAG (error ~ Red, warning ~ Amber) plus blue.
SEVERITY = {
    "error": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "warning": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "info": {"bg_color": "#DDEBF7", "font_color": "#1F4E79"},
}
# Plain hex (no '#') for openpyxl fills on an annotated copy of the master.
SEVERITY_FILL_HEX = {"error": "FFC7CE", "warning": "FFEB9C", "info": "DDEBF7"}

DATE_FORMAT = "yyyy-mm-dd"  # unambiguous in every locale the reports travel to
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
NUMBER_FORMAT = "General"  # "#,##0.##" would print a whole number as "96." in Excel
INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0%"


def new_workbook(path: str | Path, title: str, subject: str, organisation: str) -> Workbook:
    """An xlsxwriter Workbook at `path` with safe text handling and document properties.

    `path` is usually the temporary file yielded by ``pmo_xl.output.atomic_output``.
    """
    workbook = WorkbookFile(path, {**SAFE_OPTIONS, **WORKBOOK_OPTIONS})
    workbook.set_properties({
        "title": title,
        "subject": subject,
        "author": "pmo-xl",
        "company": organisation,
        "comments": "Written by pmo-xl from the PMO master workbook.",
    })
    return workbook


def formats(workbook: Workbook) -> dict:
    """Named cell formats for one workbook (xlsxwriter formats belong to one workbook).

    Keys: title, subtitle, label, note, header, text, wrap, date, datetime, number, integer,
    percent, bold, link, rag_<word> (rag_Green, rag_Amber, rag_Red, rag_No data) and
    severity_<level> (severity_error, severity_warning, severity_info).
    """
    base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "top"}

    def make(**props) -> object:
        return workbook.add_format({**base, **props})

    result = {
        "title": make(bold=True, font_size=16, font_color=NAVY, valign="vcenter"),
        "subtitle": make(bold=True, font_size=12, font_color=NAVY),
        "label": make(bold=True, font_color=MUTED),
        "note": make(italic=True, font_color=MUTED, text_wrap=True),
        "header": make(bold=True, font_color=HEADER_FONT, bg_color=HEADER_FILL,
                       text_wrap=True, border=1, border_color=BORDER, valign="vcenter"),
        "text": make(),
        "wrap": make(text_wrap=True),
        "date": make(num_format=DATE_FORMAT, align="left"),
        "datetime": make(num_format=DATETIME_FORMAT, align="left"),
        "number": make(num_format=NUMBER_FORMAT),
        "integer": make(num_format=INTEGER_FORMAT),
        "percent": make(num_format=PERCENT_FORMAT),
        # Cover-sheet values sit under each other: numbers left-aligned like the text.
        "cover_integer": make(num_format=INTEGER_FORMAT, align="left"),
        "cover_number": make(num_format=NUMBER_FORMAT, align="left"),
        "bold": make(bold=True),
        "link": make(font_color="#0563C1", underline=1),
    }
    for word, colours in RAG.items():
        result[f"rag_{word}"] = make(bold=True, align="center", border=1, text_wrap=True,
                                     border_color=BORDER, **colours)
    # A RAG cell with nothing to show (a Closed service's health): ruled like its neighbours.
    result["rag_none"] = make(border=1, border_color=BORDER)
    for level, colours in SEVERITY.items():
        result[f"severity_{level}"] = make(bold=True, border=1, border_color=BORDER,
                                           **colours)
    return result


def rag_format(fmt: dict, word: str | None) -> object:
    """The fill for a RAG word; anything unknown or blank shows as grey "No data"."""
    return fmt.get(f"rag_{word}") or fmt[f"rag_{GREY}"]


def rag_word(word: str | None) -> str:
    """The word to write beside the colour: Green/Amber/Red, or "No data"."""
    return word if word in RAG else GREY


def print_setup(
    sheet: Worksheet,
    as_of: dt.date,
    *,
    header_row: int | None = 0,
    landscape: bool = True,
    title: str | None = None,
) -> None:
    """Make a sheet print as a finished document.

    Landscape, fit to one page wide (as many pages tall as needed), the header row
    (0-based `header_row`, None for none) repeated on every page, and a footer with the
    page number and the as-of date so a printout says which run it came from.
    """
    if landscape:
        sheet.set_landscape()
    sheet.set_paper(9)  # A4; Letter users' printers scale it
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.fit_to_pages(1, 0)
    if header_row is not None:
        sheet.repeat_rows(header_row)
    if title:
        sheet.set_header(f"&L&\"{FONT},Bold\"{_escape(title)}")
    sheet.set_footer(f"&LAs of {as_of.isoformat()}&RPage &P of &N")


def _escape(text: str) -> str:
    """'&' starts a control code in Excel headers and footers; '&&' is a literal ampersand."""
    return text.replace("&", "&&")


def set_widths(sheet: Worksheet, widths: list[float], first_col: int = 0) -> None:
    """Column widths in characters, left to right."""
    for offset, width in enumerate(widths):
        sheet.set_column(first_col + offset, first_col + offset, width)


def write_text(sheet: Worksheet, row: int, col: int, value: object, fmt=None) -> None:
    """Write a value from the master as text (or blank), never as a formula."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


# xlsxwriter takes a chart title that looks like `Sheet!A1` (anywhere after an optional "=")
# for a reference to that cell, so master text such as `=cmd|' /C calc'!A0` would become
# the title's formula. The pattern is xlsxwriter's own (Chart._process_names).
_LOOKS_LIKE_REFERENCE = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")


def chart_text(text: str) -> str:
    """Master text for a chart title, shown as written and never read as a cell reference.

    Only a title xlsxwriter would misread changes: a zero-width space after its first "!"
    breaks the reference pattern without changing what the reader sees.
    """
    if not _LOOKS_LIKE_REFERENCE.match(text):
        return text
    return text.replace("!", "!\u200b", 1)


def cover_block(
    sheet: Worksheet,
    fmt: dict,
    *,
    title: str,
    rows: list[tuple[str, object]],
    start_row: int = 0,
) -> int:
    """Title and label/value lines at the top of a summary sheet; returns the next free row.

    Values that are dates get the date format; numbers the integer/number format; anything
    else is written as text.
    """
    sheet.write_string(start_row, 0, title, fmt["title"])
    sheet.set_row(start_row, 24)
    row = start_row + 2
    for label, value in rows:
        sheet.write_string(row, 0, label, fmt["label"])
        if isinstance(value, dt.datetime):
            sheet.write_datetime(row, 1, value, fmt["datetime"])
        elif isinstance(value, dt.date):
            sheet.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), fmt["date"])
        elif isinstance(value, bool) or value is None:
            write_text(sheet, row, 1, value, fmt["text"])
        elif isinstance(value, int):
            sheet.write_number(row, 1, value, fmt["cover_integer"])
        elif isinstance(value, float):
            sheet.write_number(row, 1, value, fmt["cover_number"])
        else:
            write_text(sheet, row, 1, value, fmt["text"])
        row += 1
    return row + 1


# --- tables ---------------------------------------------------------------------------

WRAP_WIDTH = 48  # widest a wrapped text column grows before it wraps, in characters
LINE_HEIGHT = 13.5  # points per line of 10-point text


@dataclass(frozen=True)
class TableColumn:
    """One column of a report table: its header, how its values are shown, its width.

    `kind` is a key of :func:`formats` (text, wrap, date, datetime, number, integer,
    percent, or any key a report adds to its format dict), or "rag" (the RAG word on its
    fill) or "severity" (a finding severity on its fill). `width` None fits the content.
    """

    header: str
    kind: str = "text"
    width: float | None = None


def write_table(
    sheet: Worksheet,
    fmt: dict,
    columns: list[TableColumn],
    rows: list[list[object]],
    *,
    first_row: int = 0,
    name: str | None = None,
    empty: str = "Nothing to show.",
    freeze: bool = True,
) -> int:
    """Write `rows` as an Excel table (styled header, filters) and return its last row.

    Text goes in with write_string, so master text never becomes a formula; widths fit the
    content (wrapped columns stop at WRAP_WIDTH) and row heights follow the wrapped lines,
    because Excel does not grow rows for wrapped text a program wrote and a phone viewer
    never does. An empty table gets one row saying `empty`, so the reader knows it is empty
    on purpose.
    """
    if not rows:
        rows = [[empty] + [None] * (len(columns) - 1)]
    widths = [_fit_width(col, rows, i) for i, col in enumerate(columns)]
    for i, width in enumerate(widths):
        sheet.set_column(i, i, width)
    # Bold header text, beside the filter button (about 2.5 characters wide).
    header_lines = max(_lines(col.header, max(w - 2.5, 1), bold=True)
                       for col, w in zip(columns, widths, strict=True))
    sheet.set_row(first_row, max(2, header_lines) * LINE_HEIGHT + 3)
    # Per-column work is done once, not per cell: a report table can hold half a million
    # cells, and only wrapped text columns can make a row taller.
    writers = [_column_writer(sheet, fmt, col.kind) for col in columns]
    # A RAG word ("Not reporting yet") may wrap in a narrow column too.
    wrapped = [(c, widths[c], col.kind == "rag") for c, col in enumerate(columns)
               if col.kind in ("wrap", "rag") or getattr(fmt.get(col.kind), "text_wrap", False)]
    for r, values in enumerate(rows, start=first_row + 1):
        if len(values) != len(columns):
            raise ValueError(f"row {r} has {len(values)} values for {len(columns)} columns")
        for c, value in enumerate(values):
            if isinstance(value, tuple):  # (value, format key): one cell styled on its own
                _write_value(sheet, fmt, r, c, value[1], value[0])
            else:
                writers[c](r, c, value)
        lines = 1
        for c, width, bold in wrapped:
            text = values[c]
            if isinstance(text, tuple):
                text = text[0]
            if isinstance(text, str):
                lines = max(lines, _lines(text, width, bold=bold))
        if lines > 1:
            sheet.set_row(r, lines * LINE_HEIGHT)
    last_row = first_row + len(rows)
    options = {
        "columns": [{"header": col.header, "header_format": fmt["header"]} for col in columns],
        "style": "Table Style Light 1",
    }
    if name:
        options["name"] = name
    sheet.add_table(first_row, 0, last_row, len(columns) - 1, options)
    if freeze:
        sheet.freeze_panes(first_row + 1, 0)
    return last_row


def _column_writer(sheet: Worksheet, fmt: dict, kind: str):
    """A function (row, col, value) that writes one cell of a column of this kind, exactly
    as :func:`_write_value` would, with the column's format looked up once."""
    if kind == "rag":
        return lambda row, col, value: sheet.write_string(row, col, rag_word(value),
                                                          rag_format(fmt, value))
    if kind == "severity":
        return lambda row, col, value: _write_value(sheet, fmt, row, col, kind, value)
    cell_format = fmt.get(kind, fmt["text"])
    write_string, write_number = sheet.write_string, sheet.write_number

    def write(row: int, col: int, value: object) -> None:
        kind_of = type(value)
        if kind_of is str:
            if value:
                write_string(row, col, value, cell_format)
            else:
                sheet.write_blank(row, col, None, cell_format)
        elif kind_of is float or kind_of is int:
            write_number(row, col, value, cell_format)
        else:
            _write_plain(sheet, row, col, value, cell_format)

    return write


def _write_value(sheet: Worksheet, fmt: dict, row: int, col: int, kind: str,
                 value: object) -> None:
    if isinstance(value, tuple):  # (value, format key): one cell styled on its own
        value, kind = value
    if kind == "rag":
        sheet.write_string(row, col, rag_word(value), rag_format(fmt, value))
        return
    if kind == "severity" and value is not None:
        sheet.write_string(row, col, severity_label(str(value)),
                           fmt.get(f"severity_{value}", fmt["text"]))
        return
    _write_plain(sheet, row, col, value, fmt.get(kind, fmt["text"]))


def _write_plain(sheet: Worksheet, row: int, col: int, value: object, cell_format) -> None:
    if value is None or value == "":
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, cell_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "Y" if value else "N", cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, str(value), cell_format)


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        value = value[0]
    if isinstance(value, dt.date):
        return "2026-12-31"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _fit_width(col: TableColumn, rows: list[list[object]], index: int) -> float:
    if col.width is not None:
        return col.width
    longest = max((len(_shown(r[index])) for r in rows), default=0)
    # The header may wrap onto two lines, so it needs only half its length plus the filter
    # button; the widest word must still fit.
    header = max(len(col.header) / 2 + 3, max(len(w) for w in col.header.split()) + 3)
    if col.kind == "rag":
        longest = max(longest, len("No data"))  # "Not reporting yet" wraps in a narrow one
    width = max(header, longest + 2, 6)
    return min(width, WRAP_WIDTH if col.kind == "wrap" else 60)


def _lines(text: str, width: float, bold: bool = False) -> int:
    """Lines `text` takes wrapped in a column `width` characters wide, never too few for
    Calibri or Carlito (see :mod:`pmo_xl.workbook.text_fit`)."""
    return line_count(text, width, size=FONT_SIZE, bold=bold)

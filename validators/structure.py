"""S — structure: the sheets and columns are there and each cell holds what its column takes.

The cell checks (blank required cell, wrong type, value outside its list) are the pandera
schemas of :mod:`pmo_xl.validators.schema`, run lazily over each sheet; this module turns
pandera's failure cases into findings with their cell and a fix. What the reader saw in
the sheet's XML (error values, formulas without a saved value, links to other workbooks,
NaN, IDs typed with an apostrophe, sheets sharing a name) is named here too.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, INFO, WARNING, Finding, Problem, column_letter
from pmo_xl.validators.registry import (
    CONVENTION,
    RECOMMENDED,
    REQUIRED,
    Edit,
    Example,
    drop_sheet,
    rename_header,
    rule,
)
from pmo_xl.validators.schema import (
    APOSTROPHE,
    CHECK_CHOICE,
    CHECK_LIST_ITEMS,
    CHECK_NOT_NULL,
    CHECK_TYPE,
    DATE,
    INTEGER,
    NOT_FINITE,
    NUMBER,
    SHEETS,
    YESNO,
    KPIs,
    Rules,
    Services,
    bad_items,
    closest,
    columns_of,
    id_text,
    is_optional,
    normalise_header,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts
    from pmo_xl.workbook.master import Master, SheetTable

KIND_WORDS = {
    NUMBER: "a number",
    INTEGER: "a whole number",
    DATE: "a date",
    YESNO: "Y or N",
    "id": "an ID (text)",
}


@rule("S101", ERROR, "A required sheet is missing",
      kind=REQUIRED,
      why="Without the sheet, nothing on it can be checked or reported.",
      fails=[drop_sheet(KPIs)], cell="KPIs!A1")
def missing_sheet(facts: Facts) -> Iterator[Problem]:
    """Every sheet of the master is there (Lifecycle Log, Waivers, Rules and Settings are
    optional).

    The sheet is looked up by name, case- and space-insensitively, so `kpis` is KPIs.
    Passing: a workbook written by `pmo-xl new`. Failing: the KPIs sheet was deleted.
    """
    master = facts.master
    charts = {normalise_header(t): t for t in master.chart_sheets}
    for name, table in facts.master.sheets.items():
        if not table.present and not is_optional(name):
            near = difflib.get_close_matches(name, facts.master.unknown_sheets, n=1, cutoff=0.5)
            hint = (f"Rename the sheet {near[0]!r} to {name!r}." if near else
                    f"Add a sheet named {name!r} with its headers (`pmo-xl new` writes one).")
            message = f"The sheet {name!r} is missing."
            chart = charts.get(normalise_header(name))
            if chart is not None:  # a chart sheet holds no cells: it cannot be the data
                message = (f"The sheet {name!r} is missing: {chart!r} is a chart sheet, "
                           "which holds no cells.")
                hint = f"Rename the chart sheet (e.g. to '{chart} chart'); then " + \
                    hint[0].lower() + hint[1:]
            yield Problem(name, 1, "A", None, message, hint)


@rule("S102", ERROR, "A required column is missing",
      kind=REQUIRED,
      why="Without the column, its values cannot be read.",
      fails=[rename_header(Services, Services.stage, "Phase")], cell="Services!I1")
def missing_column(facts: Facts) -> Iterator[Problem]:
    """Every required (bold) column of a sheet has its header in the header row.

    Headers match case- and space-insensitively. The finding names the unknown header
    nearest to the missing one (probably renamed), or else the first free header cell.
    Passing: `service id` as the header of Services. Failing: `Stage` renamed `Phase`.
    """
    for table in _present(facts.master):
        extra = [text for _, text in table.headers if _unknown(table, text)]
        for col in columns_of(table.name):
            if col.required and not table.has(col.header):
                near = difflib.get_close_matches(col.header, extra, n=1, cutoff=0.4)
                if near:  # point at the header that was probably renamed
                    index = next(i for i, text in table.headers if text == near[0])
                    yield Problem(table.title, table.header_row, _letter(index + 1),
                                  None, f"{table.title} has no {col.header!r} column.",
                                  f"Rename the header {near[0]!r} to {col.header!r}.")
                else:
                    yield table.problem(table.header_row, col.header,
                                        f"{table.title} has no {col.header!r} column.",
                                        f"Add a column headed {col.header!r}.")


@rule("S103", ERROR, "A header appears twice",
      kind=REQUIRED,
      why="With two copies of a header nobody can tell which one counts.",
      fails=[Edit(Services, "SVC-001", {"service  name": "Reporting"})], cell="Services!AO1")
def duplicate_header(facts: Facts) -> Iterator[Problem]:
    """Each header appears once in its sheet, and a column with values has a header.

    A second copy would hide which one counts; values under a blank header are not read
    (a warning).

    Passing: one `Service Name` column. Failing: two columns headed `Service Name` (the
    first is read, the second is named).
    """
    for table in _present(facts.master):
        seen: dict[str, int] = {}
        for index, text in table.headers:
            key = normalise_header(text)
            if key in seen:
                letter = _letter(index + 1)
                yield Problem(table.title, table.header_row, letter, None,
                              f"The header {text!r} appears twice in {table.title} "
                              f"(columns {_letter(seen[key] + 1)} and {letter}).",
                              "Rename or delete one of them; pmo-xl reads only the first.")
            else:
                seen[key] = index
        for index in table.unnamed_columns:
            letter = _letter(index + 1)
            yield Problem(table.title, table.header_row, letter, None,
                          f"Column {letter} of {table.title} has values but a blank header, "
                          "so they are not read.",
                          "Give the column a header, or delete it.", WARNING)


# A Rules row without its reason or approver sets nothing: W104 names the blank cell and says
# so, and "is blank" beside it would report one slip twice.
GOVERNED_BY_W = {(Rules.SHEET, Rules.reason), (Rules.SHEET, Rules.approved_by)}


@rule("S104", ERROR, "A required cell is blank",
      kind=REQUIRED,
      why="The checks and reports need a value in a required column on every row.",
      fails=[Edit(Services, "SVC-001", {Services.service_name: None})], cell="Services!B2")
def blank_required_cell(facts: Facts) -> Iterator[Problem]:
    """A required (bold) column has a value on every row.

    Passing: every service has a Service Name. Failing: SVC-001's Service Name is blank.
    """
    for table, row, header, _value in _failures(facts, CHECK_NOT_NULL):
        if (table.name, header) in GOVERNED_BY_W:
            continue
        yield table.problem(row, header, f"{header} is blank{_of(table, row)}.",
                            f"Fill in {header}; it is required on every row of {table.title}.")


@rule("S105", ERROR, "A cell holds the wrong type of value",
      kind=REQUIRED,
      why="A value of the wrong type cannot be compared, sorted or added up: a date typed as text "
          "is no date.",
      fails=[Edit(Services, "SVC-001", {Services.go_live_date: "1 July 2025"})],
      cell="Services!AB2")
def wrong_type(facts: Facts) -> Iterator[Problem]:
    """A number column holds numbers, a date column real Excel dates, a Y/N column Y or N.

    A date typed as text (`1 July 2025`, `2025-07-01` with a leading apostrophe) looks
    right on screen but cannot be compared or sorted; so can a number stored as text. NaN
    or INF, which a program can store in a cell and Excel cannot, reads as blank.
    Passing: Go-live Date is the date 2025-07-01. Failing: it is the text `1 July 2025`.
    """
    for table in _present(facts.master):
        for odd in table.odd_values:
            if odd.kind == NOT_FINITE:
                yield Problem(table.title, odd.row, odd.column, table.record(odd.row),
                              f"{odd.header}{_of(table, odd.row)} holds {_not_finite(odd.value)}"
                              ", which is not a number Excel can hold (a program wrote it).",
                              "Type the value again in Excel; until then pmo-xl reads the cell "
                              "as blank.")
    for table, row, header, value in _failures(facts, CHECK_TYPE):
        kind = _kind(table, header)
        if kind == DATE and isinstance(value, str):
            message = f"{header} {value!r}{_of(table, row)} is a date typed as text."
            hint = ("Retype it as a date (e.g. 2025-07-01) so Excel right-aligns it, or use "
                    "Data > Text to Columns > Date to convert the column.")
        elif kind in (NUMBER, INTEGER) and isinstance(value, str):
            message = f"{header} {value!r}{_of(table, row)} is text, not a number."
            hint = "Retype it as a number (no units or spaces; Excel right-aligns numbers)."
        else:
            message = (f"{header}{_of(table, row)} holds {_show(value)}, but the column takes "
                       f"{KIND_WORDS.get(kind, kind)}.")
            hint = f"Enter {KIND_WORDS.get(kind, kind)} in {header}."
        yield table.problem(row, header, message, hint)


@rule("S106", ERROR, "A value is not one of the column's allowed values",
      kind=REQUIRED,
      why="A value outside the column's list means nothing to the checks: a stage that is not a "
          "stage cannot be judged.",
      fails=[Edit(Services, "SVC-001", {Services.stage: "Runing"})], cell="Services!I2")
def value_outside_list(facts: Facts) -> Iterator[Problem]:
    """A controlled column (Stage, Scope, Status, …) holds one of its drop-down values.

    A value matches its list case- and space-insensitively, as Excel's own drop-down
    accepts it: `running` and `Running ` are read as `Running`. A near miss (`Runing`) is
    named with the closest allowed value.
    Passing: Stage `running`. Failing: Stage `Runing`.
    """
    for table, row, header, value in _failures(facts, CHECK_CHOICE):
        column = _column(table, header)
        choices = column.choices
        if column.many:  # a `;` list of allowed values (Affects): name the item that is not
            value = next(iter(bad_items(value, choices)), value)
        near = closest(str(value), choices)
        hint = (f"Did you mean {near!r}? Pick it from the drop-down." if near else
                "Pick one of: " + ", ".join(choices) + ".")
        yield table.problem(row, header,
                            f"{header} {_show(value)}{_of(table, row)} is not an allowed value.",
                            hint)


@rule("S107", ERROR, "An ID is used twice",
      kind=REQUIRED,
      why="An ID names one record; used twice, every reference to it is ambiguous.",
      fails=[Edit(Services, "SVC-002", {Services.service_id: "SVC-001"})], cell="Services!A3")
def duplicate_id(facts: Facts) -> Iterator[Problem]:
    """Each record's ID is unique in its sheet; the second and later copies are named.

    IDs are compared as the checks read them, as text: the number 1 and the text `1` are
    the same ID, and TRUE is never the number 1.
    Passing: SVC-001 and SVC-002. Failing: two rows with Service ID SVC-001.
    """
    for table in _present(facts.master):
        for col in columns_of(table.name):
            if not col.unique or not table.has(col.header):
                continue
            for row, key, first in _duplicates(table, col.header):
                yield table.problem(
                    row, col.header,
                    f"{col.header} {_show(key)} on row {row} is also used on row {first}.",
                    f"Give this record a new {col.header}; IDs are never reused.")


@rule("S108", ERROR, "Merged cells in a sheet",
      kind=REQUIRED,
      why="Merged cells hide columns and values from anyone reading the sheet as a table.",
      fails=Example((), "Services!A1", "merge the header cells A1:B1 of Services"))
def merged_cells(facts: Facts) -> Iterator[Problem]:
    """No cells are merged: a merged header hides a column, merged data hides values.

    Merged cells across the header row are an error; merged cells in the data a warning
    (only the first cell of a merge holds a value).
    Passing: no merges. Failing: A1:B1 of Services merged.
    """
    for table in _present(facts.master):
        for r0, c0, r1, c1 in table.merged:
            area = f"{_letter(c0)}{r0}:{_letter(c1)}{r1}"
            in_header = r0 <= table.header_row <= r1
            yield Problem(
                table.title, r0, _letter(c0), None if in_header else table.record(r0),
                f"Cells {area} of {table.title} are merged"
                + (" across the header row." if in_header else "; only the first holds a value."),
                "Select them and choose Merge & Center > Unmerge Cells, then fill each cell.",
                None if in_header else WARNING)


@rule("S109", ERROR, "A formula has no saved value",
      kind=REQUIRED,
      why="A formula with no saved value reads as blank: there is no value to check.",
      fails=Example((), "Services!O2",
                    "put the formula =1+1 in Planned FTE of SVC-001, written by a program "
                    "that saves no values"))
def formula_without_value(facts: Facts) -> Iterator[Problem]:
    """Formulas carry the value Excel last calculated; pmo-xl reads that value.

    A workbook written by a program (not Excel or LibreOffice) can hold formulas with no
    saved value, which pmo-xl would read as blank; this is the one finding on such a cell.
    A formula whose saved value is empty text (`=IF(…,"",…)`) is a blank cell, not this.
    Passing: a workbook saved by Excel. Failing: a generated workbook never opened.
    """
    for table in _present(facts.master):
        for ref in table.formula_cells:
            letters = ref.rstrip("0123456789")
            row = int(ref[len(letters):])
            yield Problem(table.title, row, letters, table.record(row),
                          f"Cell {ref} of {table.title} holds a formula with no saved value.",
                          "Open the workbook in Excel or LibreOffice and save it, so the "
                          "values are calculated and stored.")


@rule("S110", WARNING, "An unknown header looks like a known column",
      kind=RECOMMENDED,
      why="A header that looks like a known column is probably a typo, and that column's values "
          "are not being read.",
      fails=[rename_header(Services, Services.go_live_date, "Go live")], cell="Services!AB1")
def near_miss_header(facts: Facts) -> Iterator[Problem]:
    """A header the schema does not know, close to a column the sheet lacks, is a typo.

    Your own extra columns are welcome and kept; one that looks like a missing column
    (`Go live` for `Go-live Date`) means that column's values are not being read.
    Passing: an extra column `Notes`. Failing: `Go-live Date` typed `Go live`.
    """
    for table in _present(facts.master):
        missing = [c.header for c in columns_of(table.name)
                   if not c.required and not table.has(c.header)]
        if not missing:
            continue
        for index, text in table.headers:
            if not _unknown(table, text):
                continue
            near = _near_header(text, missing)
            if near:
                yield Problem(table.title, table.header_row, _letter(index + 1), None,
                              f"The header {text!r} is not a {table.title} column; it looks "
                              f"like {near!r}, which is missing.",
                              f"Rename it to {near!r} so its values are read.")


@rule("S111", WARNING, "A ;-list has an empty item",
      kind=RECOMMENDED,
      why="An empty item in a list is usually a stray `;`, and may hide a missing name.",
      fails=[Edit(Services, "SVC-001", {Services.operatives: "P-004;;P-005"})], cell="Services!R2")
def empty_list_item(facts: Facts) -> Iterator[Problem]:
    """Lists in one cell are separated by single `;` with no empty items.

    Passing: `P-004; P-005`. Failing: `P-004;;P-005` (or a trailing `;`).
    """
    for table, row, header, value in _failures(facts, CHECK_LIST_ITEMS):
        yield table.problem(row, header, f"{header} {_show(value)}{_of(table, row)} has an "
                            "empty item between its ; separators.",
                            "Remove the extra ; so each item is one ID or name.")


# What each error value usually means, for the finding's message.
ERROR_MEANINGS = {
    "#DIV/0!": "the formula divides by zero or by a blank cell",
    "#N/A": "a lookup found nothing",
    "#REF!": "the formula refers to a cell, sheet or workbook that was deleted",
    "#VALUE!": "the formula is given the wrong type of value",
    "#NAME?": "the formula uses a name or function Excel does not know",
    "#NUM!": "the formula's numbers are out of range",
    "#NULL!": "the formula's ranges do not meet",
}


@rule("S112", ERROR, "A cell shows an error value",
      kind=REQUIRED,
      why="A cell that shows an error has no value to read.",
      fails=Example((), "KPIs!G2", "put the formula =1/0 in Amber Threshold of KPI-01 "
                    "(Excel saves its value, #DIV/0!)"))
def error_value(facts: Facts) -> Iterator[Problem]:
    """A cell shows a value, not an error such as #DIV/0!, #N/A or #REF!.

    A formula that cannot be calculated (or an error pasted as a value) shows an error
    instead of a value, and pmo-xl cannot read the cell: it reads as blank, and this is the
    one finding on it (not "is blank" as well). In a column pmo-xl does not read, it is a
    warning. A waiver whose Expires shows an error waives nothing.
    Passing: Amber Threshold 90. Failing: Amber Threshold =1/0, which shows #DIV/0!.
    """
    for table in _present(facts.master):
        for ref, error in table.errors.items():
            row, letters = _split_ref(ref)
            header = _header_at(table, letters)
            read = header is not None and table.has(header) or row == table.header_row
            meaning = ERROR_MEANINGS.get(error.upper())
            what = f"{header}{_of(table, row)}" if header else f"Cell {ref} of {table.title}"
            yield Problem(table.title, row, letters, table.record(row),
                          f"{what} shows the error {error}"
                          + (f" ({meaning})" if meaning else "")
                          + (", so pmo-xl cannot read it." if read else "."),
                          f"Correct the formula in {ref} (or type the value) so the cell "
                          "shows a value; until then pmo-xl reads it as blank.",
                          None if read else WARNING)


@rule("S113", INFO, "A value comes from another workbook",
      kind=CONVENTION,
      why="A linked value is only as current as the link's last update: worth knowing, not wrong.",
      fails=Example((), "KPIs!F2", "put the formula =[1]Targets!B2 in Target of KPI-01, "
                    "a link to another workbook"))
def linked_value(facts: Facts) -> Iterator[Problem]:
    """A value taken by a link from another workbook is only as current as the last time
    the link was updated and the master saved: pmo-xl reads the value saved in the master.

    Passing: Target typed as 95. Failing: Target =[1]Targets!B2, a link to another
    workbook.
    """
    for table in _present(facts.master):
        for ref, book in table.linked.items():
            row, letters = _split_ref(ref)
            header = _header_at(table, letters)
            what = f"{header}{_of(table, row)}" if header else f"Cell {ref} of {table.title}"
            source = f"another workbook ({book})" if book else "another workbook"
            yield Problem(table.title, row, letters, table.record(row),
                          f"{what} comes from {source} by a link; pmo-xl reads the value "
                          "last saved in the master.",
                          "Make sure it is current (in Excel: Data > Edit Links > Update "
                          "Values, then save), or paste it as a plain value.")


@rule("S114", WARNING, "Two sheets go by one name",
      kind=RECOMMENDED,
      why="Two sheets with one name compete, and the one passed over may be the one you edit.",
      fails=Example((), "'Services '!A1", "add a hidden copy of Services named 'Services ' "
                    "(with a trailing space) before the real one"))
def sheets_sharing_a_name(facts: Facts) -> Iterator[Problem]:
    """Each master sheet is one sheet: names match case- and space-insensitively, so a
    stale copy (`Services ` hidden beside `Services`) competes for the name.

    pmo-xl reads a visible sheet before a hidden one, and one spelt exactly before one
    spelt otherwise, and names the sheet it passed over.
    Passing: one sheet named Services. Failing: a hidden copy named `Services ` beside it.
    """
    master = facts.master
    for name, titles in master.passed_over.items():
        chosen = master[name].title
        for title in titles:
            state = " (hidden)" if title in master.hidden else ""
            yield Problem(title, 1, "A", None,
                          f"The sheets {title!r}{state} and {chosen!r} both go by the name "
                          f"{name}; pmo-xl checks {chosen!r} and not this one.",
                          f"Delete the sheet {title!r} if it is an old copy, or rename it so "
                          f"its name differs from {name!r}.")


@rule("S115", WARNING, "An ID is typed with a leading apostrophe",
      kind=RECOMMENDED,
      why="An ID typed with an apostrophe reads the same on screen but does not match in Excel's "
          "own lookups and filters.",
      fails=[Edit(Services, "SVC-001", {Services.service_id: "'SVC-001"})], cell="Services!A2",
      passes=[Edit(Services, "SVC-001",
                   {Services.description: "'Quoted' reports for the board."})])
def apostrophe_id(facts: Facts) -> Iterator[Problem]:
    """An ID is its text alone: `'SVC-001` pasted as text (the apostrophe stored in the
    cell, not Excel's hidden text marker) is read as SVC-001, and named so it is retyped.

    Passing: an apostrophe starting an ordinary text cell (a Description). Failing: Service
    ID `'SVC-001`.
    """
    for table in _present(facts.master):
        for odd in table.odd_values:
            if odd.kind == APOSTROPHE:
                shown = str(odd.value)[1:].strip()
                yield Problem(table.title, odd.row, odd.column, table.record(odd.row),
                              f'{odd.header} "{odd.value}"{_of(table, odd.row)} starts with an '
                              f"apostrophe typed as part of the text; pmo-xl reads it as "
                              f"{shown or 'blank'}.",
                              "Retype the ID without the apostrophe (Find and Replace can "
                              "remove them all), so every tool reads it the same.")


# Cells that read as blank because of what they hold, and the one rule that names each.
def _unreadable(master: Master) -> dict[tuple[str, str], str]:
    cells: dict[tuple[str, str], str] = {}
    for table in _present(master):
        for ref in table.formula_cells:
            cells[(table.title, ref)] = "S109"
        for ref in table.errors:
            cells[(table.title, ref)] = "S112"
        for odd in table.odd_values:
            if odd.kind == NOT_FINITE:
                cells[(table.title, f"{odd.column}{odd.row}")] = "S105"
    return cells


def without_knock_ons(master: Master, findings: Iterable[Finding]) -> list[Finding]:
    """The findings, less those standing on a cell that reads as blank only because it holds
    an error value, a formula without a saved value, NaN or INF: that cell gets one finding,
    saying why, not "is blank" and the lifecycle or reference findings a blank brings."""
    findings = list(findings)
    cells = _unreadable(master)
    if not cells:
        return findings
    return [f for f in findings if cells.get((f.sheet, f.cell), f.rule) == f.rule]


def _split_ref(ref: str) -> tuple[int, str]:
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters):]), letters


def _header_at(table: SheetTable, letters: str) -> str | None:
    """The header of a column by its letter: the schema's name where it has one."""
    index = _index(letters) - 1
    for header, position in table.column_index.items():
        if position == index:
            return header
    return next((text for position, text in table.headers if position == index), None)


def _not_finite(value: object) -> str:
    if value != value:
        return "NaN"
    return "INF" if value > 0 else "-INF"


def _duplicates(table: SheetTable, header: str) -> Iterator[tuple[int, str, int]]:
    """(row, ID, first row with it) for each second and later copy of an ID, comparing IDs
    as text the way the checks read them, in one pass over the column."""
    first: dict[str, int] = {}
    for row, value in zip(table.raw.index.tolist(), table.raw[header].tolist(), strict=True):
        if value is None:
            continue
        key = value if type(value) is str else id_text(value)
        seen = first.setdefault(key, row)
        if seen != row:
            yield row, key, seen


def _near_header(text: str, missing: list[str]) -> str | None:
    key = normalise_header(text)
    for header in missing:
        if normalise_header(header).startswith(key) or key.startswith(normalise_header(header)):
            return header
    match = difflib.get_close_matches(key, [normalise_header(m) for m in missing], n=1,
                                      cutoff=0.6)
    if match:
        return next(m for m in missing if normalise_header(m) == match[0])
    return None


# --- the schema's verdicts on cells, worked out once per run by the Facts --------------


def _letter(index: int) -> str:
    """The Excel letter of 1-based column `index`."""
    return column_letter(index)


def _index(letters: str) -> int:
    """The 1-based column index of Excel column `letters` (`A` -> 1, `AB` -> 28)."""
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def _present(master: Master) -> list[SheetTable]:
    return [t for t in master.sheets.values() if t.present]


def _unknown(table: SheetTable, text: str) -> bool:
    declared = {normalise_header(c.header) for c in columns_of(table.name)}
    return normalise_header(text) not in declared and not SHEETS[table.name].ROLE_COLUMNS


def _failures(facts: Facts, check: str) -> Iterator[tuple[SheetTable, int, str, object]]:
    cases = facts.cell_failures
    for table in _present(facts.master):
        for row, header, value in cases.get((table.name, check), ()):
            yield table, row, header, value


def _column(table: SheetTable, header: str):
    return next(c for c in SHEETS[table.name].COLUMNS if c.header == header)


def _kind(table: SheetTable, header: str) -> str:
    return _column(table, header).kind


def _of(table: SheetTable, row: int) -> str:
    record = table.record(row)
    return f" for {record}" if record else f" on row {row}"


def _show(value: object) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)

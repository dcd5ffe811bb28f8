"""The history tables, declared once: each table's name, what one row is, its key and its
columns with their types.

The writer takes each file's columns and types from here (the CSV header, the Parquet
schema), docs/history.md documents exactly these (a test compares them), and the tests
load the written files with pandas and DuckDB and check each column's type against its
declaration. Adding a column is one line here and one value in the row the reader builds.

Facts have one row per thing a pack said; dimensions describe what the facts name, once
per ID. Keys are the master's own IDs plus the pack (its `pack_id`, which carries its date).
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT, DATE, INTEGER, NUMBER, BOOLEAN = "text", "date", "integer", "number", "boolean"
FACT, DIMENSION = "fact", "dimension"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # TEXT, DATE, INTEGER, NUMBER or BOOLEAN
    about: str


@dataclass(frozen=True)
class Table:
    name: str  # the file's name without .csv or .parquet
    kind: str  # FACT or DIMENSION
    row: str  # what one row is: "One row per {row}"
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def headers(self) -> list[str]:
        return [c.name for c in self.columns]

    def of_type(self, kind: str) -> list[str]:
        return [c.name for c in self.columns if c.type == kind]


def _pack(what: str = "pack") -> tuple[Column, Column]:
    return (Column("pack_id", TEXT, f"The {what} (→ packs)."),
            Column("pack_date", DATE, "The pack's as-of date: the meeting it was made for."))


PACKS = Table("packs", DIMENSION, "pack counted in the history: one meeting of one master",
              ("pack_id",), (
    Column("pack_id", TEXT, "The pack's key: its as-of date and the start of its master's "
                            "SHA-256, e.g. 2026-11-30-3fa2c1d0e9ab. The same in every export."),
    Column("pack_date", DATE, "The pack's as-of date: the meeting it was made for."),
    Column("organisation", TEXT, "The Organisation in the master's Settings."),
    Column("master", TEXT, "The master's file name when the pack was made."),
    Column("master_sha256", TEXT, "The SHA-256 of the master the pack was made from (its "
                                  "master-snapshot.xlsx)."),
    Column("folder", TEXT, "The pack folder it was read from."),
    Column("written_by", TEXT, "The pmo-xl that wrote its pack.json."),
    Column("services", INTEGER, "Services in the catalogue."),
    Column("errors", INTEGER, "Error findings that counted (not waived), as its summary said."),
    Column("warnings", INTEGER, "Warnings that counted."),
    Column("info", INTEGER, "Info findings that counted."),
    Column("waived", INTEGER, "Findings waived."),
    Column("decisions", INTEGER, "Decisions put to the meeting; blank when unknown."),
    Column("details", BOOLEAN, "True when the pack keeps health, data quality, KPI actuals and "
                               "decisions; False for a pack made by an older pmo-xl, whose "
                               "columns for them are blank (unknown, not zero)."),
))

SERVICE_STATUS = Table("service_status", FACT, "service in a pack",
                       ("pack_id", "service_id"), (
    *_pack(),
    Column("service_id", TEXT, "The Service ID (→ services)."),
    Column("service_name", TEXT, "Its name then."),
    Column("stage", TEXT, "Its lifecycle stage then."),
    Column("active", BOOLEAN, "True for Design, Pilot, Transition, Running and Closing: the "
                              "services the status report's RAG counts cover."),
    Column("rag", TEXT, "Its RAG as the status report showed it: Green, Amber, Red or No data."),
    Column("health", TEXT, "Its health as the pack recorded it (from its KPIs and open risks "
                           "and issues); blank when unknown."),
    Column("data_quality_errors", INTEGER, "Error findings (not waived) on its records; blank "
                                           "when unknown."),
    Column("data_quality_warnings", INTEGER, "Warnings (not waived) on its records; blank when "
                                             "unknown."),
    Column("why", TEXT, "Why its RAG is what it is, in words."),
    Column("lead_pmo", TEXT, "Its Lead PMO then (→ pmos)."),
))

KPI_ACTUALS = Table("kpi_actuals", FACT, "KPI in a pack: the actual that counted for its "
                    "reporting period", ("pack_id", "kpi_id"), (
    *_pack(),
    Column("kpi_id", TEXT, "The KPI ID (→ kpis)."),
    Column("service_id", TEXT, "The service it measures (→ services); blank for a PMO's KPI."),
    Column("pmo_id", TEXT, "The PMO it measures (→ pmos), for a KPI of a PMO itself."),
    Column("period", DATE, "The first day of the reporting period the pack judged (→ dates)."),
    Column("actual", NUMBER, "The actual that counted; blank when there was none."),
    Column("target", NUMBER, "The Target then."),
    Column("amber_threshold", NUMBER, "The Amber Threshold then."),
    Column("red_threshold", NUMBER, "The Red Threshold then."),
    Column("direction", TEXT, "Higher is better or Lower is better."),
    Column("frequency", TEXT, "Monthly or Quarterly."),
    Column("rag", TEXT, "Its RAG: Green, Amber, Red or No data."),
))

FINDINGS = Table("findings", FACT, "finding in a pack", ("pack_id", "rule", "sheet", "cell"), (
    *_pack(),
    Column("rule", TEXT, "The rule's code, e.g. L104 (pmo-xl rules L104 explains it)."),
    Column("severity", TEXT, "error, warning or info."),
    Column("record", TEXT, "The ID of the record it is about, where it has one."),
    Column("sheet", TEXT, "The master's sheet."),
    Column("cell", TEXT, "The cell, e.g. H7."),
    Column("waived", BOOLEAN, "True when a waiver in the master covered it (it did not count)."),
))

DECISIONS = Table("decisions", FACT, "decision put to a meeting",
                  ("pack_id", "kind", "record"), (
    *_pack(),
    Column("kind", TEXT, "Proposal to approve, Proposals that do not all fit, Improve or "
                         "close, or Review due."),
    Column("record", TEXT, "What it is about: a Service ID, KPI ID, Procedure ID or key "
                           "document (several IDs for proposals that do not all fit)."),
    Column("service_id", TEXT, "The service (→ services), where there is one."),
    Column("pmo_id", TEXT, "The PMO concerned (→ pmos)."),
    Column("decider", TEXT, "The Person ID of who decides (→ people)."),
    Column("summary", TEXT, "What the numbers say, in a sentence."),
))

SERVICES = Table("services", DIMENSION, "service, as the newest pack (or master) naming it "
                 "describes it", ("service_id",), (
    Column("service_id", TEXT, "The Service ID."),
    Column("service_name", TEXT, "Its name."),
    Column("category", TEXT, "Its Category."),
    Column("stage", TEXT, "Its stage in the newest pack (or master) naming it."),
    Column("lead_pmo", TEXT, "Its Lead PMO (→ pmos)."),
    Column("service_owner", TEXT, "Its Service Owner (→ people)."),
    Column("first_pack_date", DATE, "The first pack it appears in; blank if in none."),
    Column("last_pack_date", DATE, "The last pack it appears in; blank if in none."),
))

KPIS = Table("kpis", DIMENSION, "KPI, as the newest pack (or master) naming it defines it",
             ("kpi_id",), (
    Column("kpi_id", TEXT, "The KPI ID."),
    Column("kpi_name", TEXT, "What it measures."),
    Column("service_id", TEXT, "The service it measures (→ services)."),
    Column("pmo_id", TEXT, "The PMO it measures, for a KPI of a PMO itself (→ pmos)."),
    Column("unit", TEXT, "Its Unit, e.g. % or days."),
    Column("direction", TEXT, "Higher is better or Lower is better."),
    Column("frequency", TEXT, "Monthly or Quarterly."),
    Column("target", NUMBER, "Its Target."),
    Column("amber_threshold", NUMBER, "Its Amber Threshold."),
    Column("red_threshold", NUMBER, "Its Red Threshold."),
    Column("owner", TEXT, "Who reports it (→ people)."),
))

PMOS = Table("pmos", DIMENSION, "PMO", ("pmo_id",), (
    Column("pmo_id", TEXT, "The PMO ID."),
    Column("pmo_name", TEXT, "Its name."),
    Column("level", TEXT, "Project, Programme, Portfolio, Enterprise or Centre of Excellence."),
    Column("parent_pmo", TEXT, "The PMO it reports to (→ pmos)."),
    Column("capacity_fte", NUMBER, "Its Capacity FTE."),
    Column("pmo_manager", TEXT, "Its PMO Manager (→ people)."),
))

PEOPLE = Table("people", DIMENSION, "person (never an email address)", ("person_id",), (
    Column("person_id", TEXT, "The Person ID."),
    Column("name", TEXT, "Their name."),
    Column("job_role", TEXT, "Their Job Role."),
    Column("pmo_id", TEXT, "The PMO they work in (→ pmos)."),
))

DATES = Table("dates", DIMENSION, "day, from the earliest date in the facts to the latest",
              ("date",), (
    Column("date", DATE, "The day."),
    Column("year", INTEGER, "e.g. 2026."),
    Column("quarter", INTEGER, "1 to 4."),
    Column("quarter_label", TEXT, "e.g. 2026 Q4."),
    Column("month", INTEGER, "1 to 12."),
    Column("month_name", TEXT, "e.g. November."),
    Column("year_month", TEXT, "e.g. 2026-11 (sorts as text)."),
    Column("month_start", DATE, "The first day of its month."),
    Column("iso_week", INTEGER, "Its ISO week number."),
    Column("weekday", INTEGER, "1 (Monday) to 7 (Sunday)."),
))

FACTS = (SERVICE_STATUS, KPI_ACTUALS, FINDINGS, DECISIONS)
DIMENSIONS = (PACKS, SERVICES, KPIS, PMOS, PEOPLE, DATES)
TABLES = {t.name: t for t in (*FACTS, *DIMENSIONS)}


# --- the tables in docs/history.md ----------------------------------------------------------

DOC_START = ("<!-- The tables: written by "
             "`python -m pmo_xl.portfolio.tables docs/history.md docs/power-bi.md` -->")
DOC_END = "<!-- End of the tables -->"
TYPE_WORDS = {TEXT: "text", DATE: "date (YYYY-MM-DD)", INTEGER: "whole number",
              NUMBER: "number", BOOLEAN: "True or False"}


def markdown() -> str:
    """Every table as docs/history.md shows it: what a row is, its key, its columns."""
    parts = []
    for heading, tables in (("Facts", FACTS), ("Dimensions", DIMENSIONS)):
        parts.append(f"### {heading}\n")
        for table in tables:
            key = ", ".join(f"`{k}`" for k in table.key)
            parts.append(f"#### `{table.name}`\n\nOne row per {table.row}. Key: {key}.\n")
            parts.append("| Column | Type | What it holds |\n| --- | --- | --- |")
            parts += [f"| `{c.name}` | {TYPE_WORDS[c.type]} | {c.about} |"
                      for c in table.columns]
            parts.append("")
    return "\n".join(parts).rstrip() + "\n"


M_TYPES = {TEXT: "type text", DATE: "type date", INTEGER: "Int64.Type", NUMBER: "type number",
           BOOLEAN: "type logical"}


def power_query(table: Table) -> str:
    """The Power Query (M) that loads one table's CSV file with its declared types. The
    numbers are read as en-US writes them (a decimal point), whatever the PC's own locale:
    read with a comma locale, 95.5 would be 955."""
    types = ",\n        ".join(f'{{"{c.name}", {M_TYPES[c.type]}}}' for c in table.columns)
    return (f"let\n"
            f'    Source = Csv.Document(File.Contents(HistoryFolder & "{table.name}.csv"),\n'
            f"        [Delimiter = \",\", Encoding = 65001, QuoteStyle = QuoteStyle.Csv]),\n"
            f"    Headers = Table.PromoteHeaders(Source, [PromoteAllScalars = true]),\n"
            f"    Typed = Table.TransformColumnTypes(Headers, {{\n        {types}}}, \"en-US\")\n"
            f"in\n"
            f"    Typed")


def power_queries() -> str:
    """Every table's query, as docs/power-bi.md shows them."""
    return "\n".join(f"#### `{table.name}`\n\n```\n{power_query(table)}\n```\n"
                      for table in (*FACTS, *DIMENSIONS))


def with_tables(document: str, queries: bool = False) -> str:
    """`document` with the part between DOC_START and DOC_END written afresh: the tables'
    columns (docs/history.md), or with `queries` their Power Query (docs/power-bi.md)."""
    start = document.index(DOC_START) + len(DOC_START)
    end = document.index(DOC_END)
    content = power_queries() if queries else markdown()
    return document[:start] + "\n\n" + content + "\n" + document[end:]


if __name__ == "__main__":
    import sys
    from pathlib import Path

    for name in sys.argv[1:]:
        path = Path(name)
        text = with_tables(path.read_text(encoding="utf-8"), queries="power-bi" in path.name)
        path.write_text(text, encoding="utf-8")

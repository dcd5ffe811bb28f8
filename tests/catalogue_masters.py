"""Masters for the catalogue tests, and how to read what a published catalogue shows.

Two masters: Northwind (the demo's example, as rows) and a hostile one, the clean example
master with markup, script, `javascript:` and header tricks in every field that reaches the
page, and a sentinel in every internal field. From the rows themselves (never from the
catalogue code) come what must be published and every value that must never appear.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from pmo_xl.validators.examples import apply_edits, base_rows
from pmo_xl.validators.registry import Edit
from pmo_xl.validators.schema import (
    SIPOC,
    KPIs,
    People,
    PMOs,
    Services,
    Settings,
    split_list,
)

# --- the hostile master ----------------------------------------------------------------

NAME_SCRIPT = "<script>window.pwned=1</script>Portfolio reporting"
DESCRIPTION_IMG = '"><img src=x onerror="window.pwned=2">'
CATEGORY_STYLE = "</style><b>Reporting</b>"
CUSTOMERS_JS = "javascript:window.pwned=3"
OUTCOME_SCRIPT = "</script><script>window.pwned=4</script>\u2028end"
OUTPUT_IFRAME = '<iframe src="https://evil.example/"></iframe>'
QUALITY_LINK = '<a href="javascript:window.pwned=5">click</a>'
KPI_SVG = "<svg onload=window.pwned=6>"
UNIT_QUOTES = "\"'><u>"
ORGANISATION = "Org <b>&amp;</b> 'quoted'"
TITLE = "</title><script>window.pwned=7</script>Our services"
JS_EMAIL = "javascript:window.pwned=8//@example.org"
HEADER_EMAIL = "pat@example.org?bcc=evil@example.net"
PAYLOADS = [NAME_SCRIPT, DESCRIPTION_IMG, CATEGORY_STYLE, CUSTOMERS_JS, OUTCOME_SCRIPT,
            OUTPUT_IFRAME, QUALITY_LINK, KPI_SVG, ORGANISATION, TITLE, JS_EMAIL, HEADER_EMAIL]

# Sentinels in internal fields: none may appear anywhere in what is published.
FTE_SENTINEL = 7777.25
PRIORITY_SENTINEL = 8642
SENTINELS = {
    "risk": "Risk sentinel: the vendor may walk away",
    "action": "Action sentinel: renegotiate quietly",
    "change": "Change sentinel: cut the service next year",
    "unpublished": "Unpublished sentinel service",
    "operative": "Olga Operative-Sentinel",
    "procedure": "Procedure sentinel: chase by phone",
    "objective": "Objective sentinel: halve the PMO",
    "commentary": "Commentary sentinel: numbers massaged",
    "process": "Process sentinel step",
}


def hostile_edits() -> list[Edit]:
    return [
        Edit("Services", "SVC-001", {
            "Service Name": NAME_SCRIPT, "Description": DESCRIPTION_IMG,
            "Category": CATEGORY_STYLE, "Customers": CUSTOMERS_JS,
            "Desired Outcome": OUTCOME_SCRIPT, "Planned FTE": FTE_SENTINEL,
            "Priority": PRIORITY_SENTINEL, "Service Managers": "P-002; P-003; P-006",
            "Operatives": "P-004; P-005"}),
        Edit("Services", "SVC-002", {"Service Name": SENTINELS["unpublished"]}),
        Edit("People", "P-002", {"Email": JS_EMAIL}),
        Edit("People", "P-003", {"Email": HEADER_EMAIL}),
        Edit("People", "P-005", {"Name": SENTINELS["operative"]}),
        Edit("SIPOC", "PRC-002", {"Outputs": f"{OUTPUT_IFRAME}; Portfolio report",
                                  "Output Quality Criteria": QUALITY_LINK,
                                  "Process Name": SENTINELS["process"]}),
        Edit("KPIs", "KPI-01", {"KPI Name": KPI_SVG, "Unit": UNIT_QUOTES}),
        Edit("Risks and Issues", "RSK-001", {"Description": SENTINELS["risk"],
                                             "Action": SENTINELS["action"]}),
        Edit("Changes", "CHG-001", {"Description": SENTINELS["change"]}),
        Edit("Procedures", "PRD-001", {"Procedure Name": SENTINELS["procedure"]}),
        Edit("Strategy", "OBJ-1", {"Objective": SENTINELS["objective"]}),
        Edit("KPI Actuals", None, {"KPI ID": "KPI-01", "Period": dt.date(2025, 12, 1),
                                   "Actual": 91, "Commentary": SENTINELS["commentary"]}),
        Edit("Settings", "Organisation", {"Value": ORGANISATION}),
    ]


def hostile_rows() -> dict[str, list[dict]]:
    return apply_edits(base_rows(), hostile_edits())


# --- what a master publishes, worked out from its rows -----------------------------------


def published_ids(rows: dict[str, list[dict]], stages=("Running",)) -> list[str]:
    return [r["Service ID"] for r in rows["Services"] if r.get("Stage") in stages]


def contacts(rows: dict[str, list[dict]], stages=("Running",)) -> set[str]:
    """Person IDs the catalogue may name: published services' managers and owners."""
    ids = set(published_ids(rows, stages))
    found: set[str] = set()
    for r in rows["Services"]:
        if r["Service ID"] in ids:
            found.add(r[Services.service_owner])
            found.update(p for p in split_list(r.get(Services.service_managers)) if p)
    return found


def published_text(rows: dict[str, list[dict]], stages=("Running",)) -> str:
    """Every value the catalogue may legitimately show, one per line."""
    ids = set(published_ids(rows, stages))
    people = {p[People.person_id]: p for p in rows["People"]}
    pmos = {p[PMOs.pmo_id]: p for p in rows["PMOs"]}
    values: list[object] = []
    for r in rows["Services"]:
        if r.get("Service ID") in ids:
            values += [r.get(c) for c in (Services.service_id, Services.service_name,
                                          Services.description, Services.category,
                                          Services.customers, Services.desired_outcome)]
            values.append(pmos.get(r[Services.lead_pmo], {}).get(PMOs.pmo_name))
    for pid in contacts(rows, stages):
        values += [people.get(pid, {}).get(People.name), people.get(pid, {}).get(People.email)]
    for r in rows["SIPOC"]:
        if r[SIPOC.service_id] in ids:
            values += split_list(r.get(SIPOC.outputs)) + [r.get(SIPOC.output_quality_criteria)]
    for r in rows["KPIs"]:
        if r.get(KPIs.service_id) in ids:
            values += [r.get(KPIs.kpi_name), r.get(KPIs.unit)]
    values += [s["Value"] for s in rows.get("Settings", []) if s["Setting"] == "Organisation"]
    return "\n".join(str(v) for v in values if v not in (None, ""))


def internal_values(rows: dict[str, list[dict]], stages=("Running",),
                    findings: list[dict] = ()) -> tuple[list[str], list[str]]:
    """(texts, words): internal text that must not appear, and IDs or labels that must not
    appear as whole words. A text that is also a published value (an unpublished service in
    a published service's Category) is left out: it may appear for that reason."""
    shown = published_text(rows, stages).casefold()
    ids = set(published_ids(rows, stages))
    named = contacts(rows, stages)
    texts: list[object] = []
    words: list[str] = ["Planned FTE", "FTE", "Funding", "Priority", "Recharged"]
    for r in rows["Services"]:
        if r.get("Service ID") in ids:
            texts += [r.get(Services.planned_fte), r.get(Services.priority)]
        else:
            words.append(r["Service ID"])
            texts += [r.get(Services.service_name), r.get(Services.description),
                      r.get(Services.desired_outcome)]
    for p in rows["People"]:
        words.append(p[People.person_id])
        if p[People.person_id] not in named:
            texts += [p.get(People.name), p.get(People.email)]
    for sheet, id_column, free_text in (
            ("Risks and Issues", "ID", ("Description", "Action")),
            ("Changes", "Change ID", ("Description",)),
            ("Procedures", "Procedure ID", ("Procedure Name", "Tools and Techniques")),
            ("Strategy", "Objective ID", ("Objective",)),
            ("SIPOC", "Process ID", ("Process Name", "Suppliers", "Input Quality Criteria")),
            ("KPIs", "KPI ID", ()),
            ("KPI Actuals", None, ("Commentary",)),
            ("RACI", None, ("Activity",)),
            ("Waivers", None, ("Reason",))):
        for r in rows.get(sheet, []):
            if id_column:
                words.append(str(r[id_column]))
            texts += [r.get(column) for column in free_text]
    # A published service's inputs are what its customers provide (published); another's
    # are internal.
    texts += [r.get("Inputs") for r in rows.get("SIPOC", []) if r.get("Service ID") not in ids]
    for finding in findings:
        texts += [finding["message"], finding["hint"]]
        words.append(finding["rule"])
    kept = []
    for value in texts:
        if value is None or isinstance(value, dt.date):
            continue
        text = str(value) if not isinstance(value, float) else f"{value:g}"
        if isinstance(value, int | float):
            if abs(value) < 1000:
                continue  # a small number is in any page; the hostile master's are sentinels
        elif len(text) < 6 or text.casefold() in shown:
            continue
        kept.append(text)
    words = [w for w in dict.fromkeys(words) if w.casefold() not in shown]
    return sorted(set(kept)), words


# --- reading what a catalogue shows -----------------------------------------------------


def page_text(page: str) -> str:
    """Everything a page holds, with HTML entities and the script data's JSON escapes
    undone, so a value is found however it was escaped."""
    decoded = html.unescape(page)
    index = re.search(r'<script type="application/json" id="search-index">(.*?)</script>',
                      page, re.S)
    if index:
        decoded += "\n" + json.dumps(json.loads(index.group(1)), ensure_ascii=False)
    return decoded


def workbook_text(path: Path) -> str:
    """Every part of an xlsx (cells, shared strings, properties, table names), unescaped."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(html.unescape(archive.read(name).decode("utf-8", "replace"))
                         for name in archive.namelist())


def leaks(text: str, texts: list[str], words: list[str]) -> list[str]:
    folded = text.casefold()
    found = [t for t in texts if t.casefold() in folded]
    found += [w for w in words
              if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text, re.I)]
    return found


class PageReader(HTMLParser):
    """Each article's text by its id, the elements and attributes of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.articles: dict[str, list[str]] = {}
        self.names: dict[str, str] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.title = ""
        self._open: list[str] = []
        self._in: str | None = None
        self._heading: str | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "article":
            self._in = found["id"]
            self.articles[self._in] = []
        elif tag == "h3" and self._in:
            self._heading = self._in
            self.names[self._in] = ""
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self._in = None
        elif tag == "h3":
            self._heading = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.articles[self._in].append(data)
        if self._heading:
            self.names[self._heading] += data
        if self._in_title:
            self.title += data

    def article_text(self, anchor: str) -> str:
        return " ".join(" ".join(self.articles[anchor]).split())


def read_page(path: Path) -> PageReader:
    reader = PageReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def organisation(rows: dict[str, list[dict]]) -> str:
    return next(s["Value"] for s in rows.get(Settings.SHEET, []) if s["Setting"] == "Organisation")

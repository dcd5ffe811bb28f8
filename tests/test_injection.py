"""Master text that looks like a formula arrives as inert text in every output.

A PMO master is filled in by many hands; a cell may begin with `=`, `+`, `-`, `@`, a tab or
a carriage return (a CSV/formula injection payload, or a DDE call). Every output built from
it — the findings workbook, the annotated copy, the status and KPI reports, the pack's email
draft, the JSON and the text output — must carry such text as text: no live formula, no
external link, no hyperlink to the payload's URL, no extra mail header. The workbooks are
checked three ways: openpyxl, the raw sheet and chart XML, and LibreOffice's own reading.
"""

from __future__ import annotations

import csv
import datetime as dt
import email.policy
import json
import re
import shutil
import subprocess
import uuid
import zipfile
from collections import Counter
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.escape import unescape

from pmo_xl.cli import cli
from pmo_xl.facts.agenda import MAX_TEXT
from pmo_xl.reports.styles import chart_text
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
DDE = "=cmd|' /C calc'!A0"
PAYLOADS = {
    "hyperlink": HYPERLINK,
    "dde": DDE,
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "plus": "+1+1",
    "minus": "-2+3",
    "tab": "\t=3+3",
    "cr": "\r=4+4",
    "long": '=HYPERLINK("http://evil.example/' + "x" * 3000 + '","long")',
}
# The master is read with surrounding whitespace trimmed, so a leading tab or CR is gone in
# what pmo-xl writes; what is left still begins with "=" and must stay text.
SHOWN = {key: value.strip() for key, value in PAYLOADS.items()}
BCC_RISK = "-2+3\r\nBcc: x@evil.example"
BCC_CHANGE = "@SUM(1+1)\r\nBcc: y@evil.example"
BCC_ORGANISATION = "Example Org\r\nBcc: z@evil.example"
# What LibreOffice would show for an evaluated HYPERLINK instead of its text.
EVALUATED = {"click", "long"}
REFERENCE = re.compile(r"^(?:'[^']+'|[A-Za-z]+)!\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?$")
FORMULA_ELEMENT = re.compile(r"<((?:\w+:)?f)(?:\s[^>]*)?>(.*?)</\1>", re.S)
TEXT_ELEMENT = re.compile(r"<((?:\w+:)?t)(?:\s[^>]*)?>.*?</\1>", re.S)
MASTER_XLSX = "master.xlsx"


def _edits() -> list[Edit]:
    """The payloads in user-text, ID and list columns that reach every output."""
    edits = [
        Edit("Services", "SVC-001", {"Service Name": DDE, "Description": HYPERLINK,
                                     "Desired Outcome": PAYLOADS["at"]}),
        # A Service Owner that is no Person ID: X101 quotes it; a Stage off the list: S106.
        Edit("Services", "SVC-002", {"Service Owner": HYPERLINK, "Stage": "=1+1",
                                     "Description": PAYLOADS["tab"]}),
        # A Proposed service is a decision in the email's body.
        Edit("Services", "SVC-003", {"Service Name": PAYLOADS["plus"]}),
        Edit("Risks and Issues", "RSK-001", {"Description": BCC_RISK, "Severity": "High",
                                             "Escalation Level": "Service Ownership"}),
        Edit("Changes", "CHG-001", {"Description": BCC_CHANGE, "Status": "Proposed"}),
        Edit("Settings", "Organisation", {"Value": BCC_ORGANISATION}),
    ]
    for number, payload in enumerate(PAYLOADS.values(), start=11):
        # Escalated High risks: the status report and the email; the unknown Owner: X101.
        edits.append(Edit("Risks and Issues", None, {
            "ID": f"RSK-{number:03}", "Service ID": "SVC-001", "Type": "Risk",
            "Description": payload, "Severity": "High", "Owner": payload, "Status": "Open",
            "Escalation Level": "Service Ownership", "Raised Date": dt.date(2026, 10, 1),
            "Target Date": dt.date(2026, 12, 31), "Action": payload}))
        # A monthly KPI with October's actual: name and commentary in the KPI report.
        edits.append(Edit("KPIs", None, {
            "KPI ID": f"KPI-{number}", "Service ID": "SVC-001", "KPI Name": payload,
            "Unit": "%", "Direction": "Higher is better", "Target": 95,
            "Amber Threshold": 90, "Frequency": "Monthly",
            "Owner": "P-002", "Baseline": 70}))
        edits.append(Edit("KPI Actuals", None, {
            "KPI ID": f"KPI-{number}", "Period": dt.date(2026, 10, 1), "Actual": 96,
            "Reported By": "P-002", "Reported On": dt.date(2026, 11, 2),
            "Commentary": payload}))
    return edits


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """Every output of one master holding the payloads, written once for all the tests."""
    folder = tmp_path_factory.mktemp("injection")
    master = write_example(folder / MASTER_XLSX, _edits())
    runner = CliRunner()

    def run(*args: object):
        result = runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)
        assert result.exit_code in (0, 1), result.output
        return result

    text = run("check", master, "--as-of", AS_OF, "--output", folder / "findings.xlsx",
               "--annotate", folder / "annotated.xlsx")
    as_json = run("check", master, "--as-of", AS_OF, "--format", "json")
    run("report", "status", master, "--as-of", AS_OF, "-o", folder / "status.xlsx")
    run("report", "kpi", master, "--as-of", AS_OF, "-o", folder / "kpi.xlsx")
    run("pack", master, "--as-of", AS_OF, "-o", folder / "pack")
    pack = folder / "pack"
    return {
        "folder": folder,
        "master": master,
        "text": text.stdout,
        "json": json.loads(as_json.stdout),
        "workbooks": {
            "findings": folder / "findings.xlsx",
            "annotated": folder / "annotated.xlsx",
            "status": folder / "status.xlsx",
            "kpi": folder / "kpi.xlsx",
            "pack findings": pack / f"findings-{AS_OF}.xlsx",
            "pack status": pack / f"status-report-{AS_OF}.xlsx",
            "pack kpi": pack / f"kpi-report-{AS_OF}.xlsx",
        },
        "eml": pack / "governance-pack.eml",
    }


def _text_cells(path: Path) -> dict[str, list[openpyxl.cell.Cell]]:
    """Every cell of every sheet, by sheet title."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: [c for row in sheet.iter_rows() for c in row] for sheet in book}


def _values(cells: list) -> set[str]:
    """The text of string cells as Excel shows it (openpyxl leaves `_x000D_` escaped)."""
    return {unescape(c.value) for c in cells if c.data_type == "s" and c.value is not None}


def _parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()}


def test_the_master_holds_the_payloads_as_text(outputs):
    """Guard: the master itself carries every payload as a string cell, not a formula."""
    services = {c.coordinate: c for c in _text_cells(outputs["master"])["Services"]}
    assert services["B2"].value == DDE and services["B2"].data_type == "s"
    risks = _values(_text_cells(outputs["master"])["Risks and Issues"])
    for payload in PAYLOADS.values():
        assert payload in risks
    for name, text in _parts(outputs["master"]).items():
        assert not FORMULA_ELEMENT.search(text), name


@pytest.mark.parametrize("kind", ["findings", "annotated", "status", "kpi", "pack findings",
                                  "pack status", "pack kpi"])
def test_no_formula_link_or_external_part_in_any_workbook(outputs, kind):
    path = outputs["workbooks"][kind]
    parts = _parts(path)
    sheets = set(openpyxl.load_workbook(path, read_only=True).sheetnames)
    assert not [n for n in parts if "externallink" in n.lower()]
    assert "externalLink" not in parts["[Content_Types].xml"]
    for name, text in parts.items():
        for tag, formula in FORMULA_ELEMENT.findall(text):
            # No cell formulas at all; charts and sparklines (xm:f) refer to the report's
            # own cells, and only to them.
            assert not name.startswith("xl/worksheets/") or tag == "xm:f", (name, formula)
            assert REFERENCE.match(formula), (name, formula)
            assert formula.split("!")[0].strip("'") in sheets, (name, formula)
        # Outside text elements (cell, comment and chart text) the payload appears nowhere:
        # not in a hyperlink, a relationship, a defined name or a data connection.
        if not name.startswith("docProps/"):  # document properties are text elements too
            markup = TEXT_ELEMENT.sub("", text)
            assert "evil.example" not in markup and "cmd|" not in markup, name
        for target in re.findall(r'<Relationship [^>]*?hyperlink"[^>]*?Target="([^"]*)"', text):
            # The findings workbook links each cell address to the master (a pack's, to its
            # own copy of the master); nothing else links.
            assert kind.endswith("findings"), (name, target)
            master = "master-snapshot.xlsx" if kind.startswith("pack") else MASTER_XLSX
            assert Path(target.replace("\\", "/")).name == master, target
    if kind.endswith("findings"):
        assert any('hyperlink"' in t for n, t in parts.items() if n.endswith(".rels"))


@pytest.mark.parametrize("kind", ["findings", "status", "kpi", "pack findings", "pack status",
                                  "pack kpi"])
def test_report_cells_are_values_never_formulas(outputs, kind):
    for title, cells in _text_cells(outputs["workbooks"][kind]).items():
        formulas = [c.coordinate for c in cells if c.data_type == "f"]
        assert not formulas, (kind, title, formulas)


def test_findings_workbook_quotes_the_payloads_as_text(outputs):
    for kind in ("findings", "pack findings"):
        cells = _text_cells(outputs["workbooks"][kind])["Findings"]
        messages = [c.value for c in cells if c.column == 6 and c.row > 1]
        assert all(c.data_type == "s" for c in cells if c.column == 6 and c.row > 1)
        for shown in SHOWN.values():
            assert any(shown in m for m in messages), shown
        assert any("'=1+1'" in m for m in messages)  # S106 on the Stage
        assert any(HYPERLINK in m and "Service Owner" in m for m in messages)  # X101


def test_annotated_copy_keeps_cells_and_comments_as_text(outputs):
    cells = _text_cells(outputs["workbooks"]["annotated"])
    assert not [c.coordinate for sheet in cells.values() for c in sheet if c.data_type == "f"]
    by_address = {(c.parent.title, c.coordinate): c for s in cells.values() for c in s}
    assert by_address[("Services", "B2")].value == DDE
    assert by_address[("Services", "C2")].value == HYPERLINK
    for payload in PAYLOADS.values():
        assert payload in _values(cells["Risks and Issues"])
    comments = [c.comment.text for s in cells.values() for c in s if c.comment is not None]
    for shown in SHOWN.values():
        assert any(shown in text for text in comments), shown
    owner = by_address[("Services", "P3")]
    assert owner.value == HYPERLINK and HYPERLINK in owner.comment.text


def test_status_report_shows_the_text(outputs):
    for kind in ("status", "pack status"):
        cells = _text_cells(outputs["workbooks"][kind])
        assert DDE in _values(cells["Services"])
        risks = _values(cells["Risks and Issues"])
        for shown in SHOWN.values():
            assert shown in risks, shown
        assert BCC_RISK in risks
        assert any(HYPERLINK in v for v in _values(cells["Findings"]))


def test_kpi_report_shows_the_text(outputs):
    for kind in ("kpi", "pack kpi"):
        cells = _text_cells(outputs["workbooks"][kind])
        kpis = _values(cells["KPIs"])
        for shown in SHOWN.values():
            assert shown in kpis, shown
        assert DDE in kpis  # the service's name
        assert SHOWN["long"] in _values(cells["Trends"])


def test_kpi_chart_title_is_text_not_a_reference(outputs):
    """xlsxwriter reads a title like `SVC-001 =cmd|' /C calc'!A0: ...` as a cell reference."""
    titles = [text.replace("\u200b", "").replace("&apos;", "'")
              for name, part in _parts(outputs["workbooks"]["kpi"]).items()
              if name.startswith("xl/charts/") for text in re.findall(r"<a:t>([^<]*)</a:t>", part)]
    # A chart per KPI: the KPI whose name is the payload, shown as typed.
    assert any(t.startswith("SVC-001 · KPI-") and t.endswith(f" {DDE} (Green)")
               for t in titles), titles


def test_chart_text_only_changes_what_would_be_a_reference():
    looks_like = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")  # xlsxwriter's own test
    for title in (f"SVC-001 {DDE}: monthly KPIs", "Alert!A1", "=Summary!$B$2"):
        safe = chart_text(title)
        assert not looks_like.match(safe)
        assert safe.replace("\u200b", "") == title
    assert chart_text(f"SVC-001 {HYPERLINK}") == f"SVC-001 {HYPERLINK}"


def test_email_has_no_injected_header_and_intact_attachments(outputs):
    message = BytesParser(policy=email.policy.default).parse(outputs["eml"].open("rb"))
    assert sorted(message.keys()) == ["Content-Type", "MIME-Version", "Subject",
                                      "X-Pmo-Xl-Digest", "X-Unsent"]
    assert "Bcc" not in message and "\n" not in message["Subject"]
    assert message["Subject"].startswith("Example Org Bcc: z@evil.example PMO governance pack")
    body = message.get_body(("plain",)).get_content()
    for key in ("hyperlink", "dde", "at", "plus", "minus", "tab", "cr"):
        assert f"escalated to Service Ownership, still open: {SHOWN[key]}. " in body, key
    assert SHOWN["long"][: MAX_TEXT - 1] + "…" in body
    assert "Proposal to approve: Approve SVC-003 +1+1 (priority 3)?" in body
    # A line break in the master's text is folded into the line, so it opens no header.
    assert "still open: -2+3 Bcc: x@evil.example. " in body
    assert ": @SUM(1+1) Bcc: y@evil.example? " in body
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    pack = outputs["eml"].parent
    assert attached == {name: (pack / name).read_bytes() for name in attached}
    assert len(attached) == 3


def test_json_round_trips_the_exact_text(outputs):
    findings = outputs["json"]["findings"]
    messages = [f["message"] for f in findings]
    for shown in SHOWN.values():
        assert any(shown in m for m in messages), shown
    owner = next(f for f in findings if f["rule"] == "X101" and f["cell"] == "P3")
    assert owner["message"] == (f"Service Owner {HYPERLINK!r} on SVC-002's row is not a "
                                "Person ID in People.")


def test_text_output_prints_the_text_literally(outputs):
    """Every finding the terminal shows in full (a rule's first on a sheet, or each of a few)
    has its message printed as it is, markup and all; the terminal wraps lines, and folds a
    word longer than a line, so whitespace is left out of the comparison."""
    from pmo_xl.terminal.findings_view import GROUP_OVER

    text = "".join(outputs["text"].split())
    findings = [f for f in outputs["json"]["findings"] if not f["waived"]]
    sizes = Counter((f["severity"], f["sheet"], f["rule"]) for f in findings)
    seen: set[tuple] = set()
    shown_in_full = []
    for finding in findings:
        key = (finding["severity"], finding["sheet"], finding["rule"])
        if sizes[key] <= GROUP_OVER or key not in seen:
            shown_in_full.append(finding["message"])
        seen.add(key)
    for message in shown_in_full:
        assert "".join(message.split()) in text, message[:60]
    # The risks' Owner payloads are one X101 entry (its first, the link, in full); the rest
    # are in the JSON and the workbooks, tested above and below.
    assert [shown for shown in SHOWN.values() if any(shown in m for m in shown_in_full)]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_the_text_and_evaluates_nothing(outputs, tmp_path):
    """LibreOffice's own reading: each payload is a cell's text, nothing computed."""
    kinds = ("findings", "annotated", "status", "kpi")
    for kind in kinds:
        shutil.copy(outputs["workbooks"][kind], tmp_path / f"{kind}.xlsx")
    profile = f"file:///tmp/lo-{uuid.uuid4().hex}"
    try:
        # The 12th token, -1, writes every sheet to its own CSV: <file>-<sheet>.csv.
        subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to",
             'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
             "--outdir", str(tmp_path / "csv"), *[str(tmp_path / f"{k}.xlsx") for k in kinds]],
            check=True, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    shown: dict[str, set[str]] = {}
    for kind in kinds:
        values: set[str] = set()
        files = list((tmp_path / "csv").glob(f"{kind}-*.csv"))
        assert files, kind
        for file in files:
            with file.open(newline="", encoding="utf-8") as handle:
                values |= {v.replace("\r\n", "\n") for row in csv.reader(handle) for v in row}
        shown[kind] = values
        assert not values & EVALUATED, kind  # HYPERLINK shown as written, not evaluated
    for payload in PAYLOADS.values():
        assert payload in shown["annotated"], repr(payload[:20])
    for kind in ("status", "kpi"):
        for text in SHOWN.values():
            assert text in shown[kind], (kind, text[:40])
    for text in SHOWN.values():
        assert any(text in v for v in shown["findings"]), text[:40]
    assert BCC_RISK.replace("\r\n", "\n") in shown["status"]

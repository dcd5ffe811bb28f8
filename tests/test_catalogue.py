"""`pmo-xl catalogue`: what is published, what never is, escaping, bytes, exit codes.

The browser's view of the page (screenshots, search, print, network) is in
test_catalogue_browser.py; here the page and the workbook are read as files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api
from pmo_xl.example.northwind import EXAMPLE_AS_OF, example_rows, write_example_master
from pmo_xl.reports.catalogue import number_text, usable_email
from pmo_xl.validators.examples import EXAMPLE_AS_OF as CLEAN_AS_OF
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.template import write_master
from tests import catalogue_masters as cm
from tests.conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()
CLEAN = CLEAN_AS_OF.isoformat()


@pytest.fixture(scope="module")
def northwind_rows() -> dict:
    return example_rows(EXAMPLE_AS_OF)


@pytest.fixture(scope="module")
def northwind(tmp_path_factory) -> Path:
    return write_example_master(tmp_path_factory.mktemp("northwind") / "northwind.xlsx")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return write_master(tmp_path_factory.mktemp("hostile") / "hostile.xlsx", cm.hostile_rows())


def _findings(master: Path, as_of: str) -> list[dict]:
    import datetime as dt

    return [f.as_json() for f in api.check(master, dt.date.fromisoformat(as_of)).findings]


def _names(rows: dict, ids: list[str]) -> set[str]:
    return {r["Service Name"] for r in rows["Services"] if r["Service ID"] in ids}


# --- what is published --------------------------------------------------------------------


def test_northwind_lists_exactly_its_running_services(northwind: Path, northwind_rows: dict,
                                                      tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    result = run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 1, result.output  # Northwind's deliberate errors
    page = cm.read_page(out)
    running = cm.published_ids(northwind_rows)
    assert len(running) == 16
    assert sorted(page.articles) == sorted(f"svc-{sid}" for sid in running)
    assert set(page.names.values()) == _names(northwind_rows, running)
    assert "Pilot" not in out.read_text()
    assert f"Wrote the service catalogue (16 services in 10 categories) to {out}." in \
        result.output


def test_pilots_are_added_and_shown_as_such(northwind: Path, northwind_rows: dict,
                                            tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "--stage", "Running", "--stage", "pilot",
            "-o", out)
    page = cm.read_page(out)
    published = cm.published_ids(northwind_rows, ("Running", "Pilot"))
    pilots = cm.published_ids(northwind_rows, ("Pilot",))
    assert sorted(pilots) == ["SVC-016", "SVC-017"]
    assert sorted(page.articles) == sorted(f"svc-{sid}" for sid in published)
    for sid in published:
        marked = "Pilot: being trialled" in page.article_text(f"svc-{sid}")
        assert marked == (sid in pilots), sid


def test_each_service_shows_its_outputs_targets_and_contacts(northwind: Path,
                                                             northwind_rows: dict,
                                                             tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    page = cm.read_page(out)
    people = {p["Person ID"]: p for p in northwind_rows["People"]}
    pmos = {p["PMO ID"]: p["PMO Name"] for p in northwind_rows["PMOs"]}
    offering = {"Mandated": "Provided to everyone", "Menu": "Available on request",
                "Off-menu": "By arrangement"}
    checked_outputs = checked_targets = 0
    for service in northwind_rows["Services"]:
        if service["Stage"] != "Running":
            continue
        sid = service["Service ID"]
        text = page.article_text(f"svc-{sid}")
        for column in ("Service Name", "Description", "Customers", "Desired Outcome"):
            assert " ".join(service[column].split()) in text, (sid, column)
        assert offering[service["Offering"]] in text
        assert pmos[service["Lead PMO"]] in text
        assert f"{people[service['Service Owner']]['Name']}, Service Owner" in text
        for manager in service["Service Managers"].split(";"):
            assert people[manager.strip()]["Name"] in text
            assert people[manager.strip()]["Email"] in text
        for process in northwind_rows["SIPOC"]:
            if process["Service ID"] == sid:
                for output in process["Outputs"].split(";"):
                    assert output.strip() in text, (sid, output)
                    checked_outputs += 1
                assert process["Output Quality Criteria"] in text
        for kpi in northwind_rows["KPIs"]:
            if kpi.get("Status") == "Retired":  # KPI-20: no longer promised
                assert kpi["KPI Name"] not in text
            elif kpi.get("Service ID") == sid:
                aim = "at least" if kpi["Direction"] == "Higher is better" else "at most"
                unit = kpi["Unit"] if kpi["Unit"] == "%" else f" {kpi['Unit']}"
                target = f"{aim} {kpi['Target']:g}{unit}"
                assert kpi["KPI Name"] in text and target in text, (sid, target)
                checked_targets += 1
        assert "Last reviewed" in text
    assert checked_outputs >= 16 and checked_targets == 17
    # Where it is given, the date customers read is spelled out: 11 September 2026.
    assert "Last reviewed 11 September 2026" in page.article_text("svc-SVC-001")


def test_grouped_by_category_with_a_contents_list(northwind: Path, northwind_rows: dict,
                                                  tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    source = out.read_text()
    page = cm.read_page(out)
    categories = sorted({r["Category"] for r in northwind_rows["Services"]
                         if r["Stage"] == "Running"})
    headings = re.findall(r'<section class="category" id="([^"]+)"', source)
    assert headings == [f"cat-{c}" for c in categories]  # A to Z
    for category in categories:
        assert f'<a href="#cat-{category}">{category}</a>' in source
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and attrs.get("href", "")
             .startswith("#svc-")]
    assert sorted(links) == sorted(f"#{a}" for a in page.articles)
    # Landmarks and real tables for a screen reader.
    tags = [tag for tag, _ in page.tags]
    for landmark in ("header", "nav", "main", "footer", "h1", "h2", "h3", "table", "thead",
                     "th"):
        assert landmark in tags
    assert all(attrs.get("scope") == "col" for tag, attrs in page.tags if tag == "th")
    assert '<html lang="en">' in source and 'role="search"' in source


def test_audience_keeps_services_whose_customers_include_it(northwind: Path,
                                                            northwind_rows: dict,
                                                            tmp_path: Path, run_cli) -> None:
    out = tmp_path / "pm.html"
    result = run_cli("catalogue", northwind, "--as-of", AS_OF, "--audience", "PROJECT  managers",
                     "-o", out)
    assert result.exit_code in (0, 1), result.output
    expected = [r["Service ID"] for r in northwind_rows["Services"] if r["Stage"] == "Running"
                and "project managers" in " ".join(r["Customers"].split()).casefold()]
    assert len(expected) >= 3
    assert sorted(cm.read_page(out).articles) == sorted(f"svc-{sid}" for sid in expected)
    assert "for PROJECT managers" in out.read_text()
    none = run_cli("catalogue", northwind, "--as-of", AS_OF, "--audience", "astronauts", "-o",
                   tmp_path / "none.html")
    assert none.exit_code == 0
    assert "No service is published" in none.output
    assert "No service is published for astronauts yet." in (tmp_path / "none.html").read_text()


def test_with_status_adds_each_service_levels_rag(northwind: Path, tmp_path: Path,
                                                  run_cli) -> None:
    plain, status = tmp_path / "plain.html", tmp_path / "status.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", plain)
    run_cli("catalogue", northwind, "--as-of", AS_OF, "--with-status", "-o", status)
    assert 'class="rag' not in plain.read_text()
    page = cm.read_page(status)
    # KPI-12 (SVC-011) has no actual for October: No data, never Green.
    assert "No data Oct 2026" in page.article_text("svc-SVC-011")
    assert "Green Oct 2026" in page.article_text("svc-SVC-005")
    assert "Latest" in status.read_text() and "Latest" not in plain.read_text()


def test_title_and_organisation(northwind: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    assert cm.read_page(out).title == "Northwind Group PMO service catalogue"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "--title", "What we offer", "-o", out)
    source = out.read_text()
    assert cm.read_page(out).title == "What we offer"
    assert "<h1>What we offer</h1>" in source and "as of <time datetime=\"2026-11-30\">" \
        "30 November 2026</time>" in source


# --- nothing internal leaks ----------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["html", "xlsx"])
def test_nothing_internal_of_northwind_appears(northwind: Path, northwind_rows: dict,
                                               tmp_path: Path, run_cli,
                                               output_format: str) -> None:
    out = tmp_path / f"catalogue.{output_format}"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "--with-status", "-o", out)
    texts, words = cm.internal_values(northwind_rows, findings=_findings(northwind, AS_OF))
    # The test is only as good as what it looks for.
    assert len(texts) > 150 and len(words) > 150
    assert {"Monthly portfolio slide pack", "Hannah Lewis"} <= set(texts)
    assert {"RSK-005", "CHG-006", "SVC-030", "S105", "P-001", "Funding"} <= set(words)
    shown = cm.page_text(out.read_text()) if output_format == "html" else cm.workbook_text(out)
    assert cm.leaks(shown, texts, words) == []


@pytest.mark.parametrize("output_format", ["html", "xlsx"])
def test_nothing_internal_of_a_hostile_master_appears(hostile: Path, tmp_path: Path, run_cli,
                                                      output_format: str) -> None:
    out = tmp_path / f"catalogue.{output_format}"
    run_cli("catalogue", hostile, "--as-of", CLEAN, "--with-status", "-o", out)
    rows = cm.hostile_rows()
    texts, words = cm.internal_values(rows, findings=_findings(hostile, CLEAN))
    for sentinel in [*cm.SENTINELS.values(), "7777.25", "8642"]:
        assert sentinel in texts
    shown = cm.page_text(out.read_text()) if output_format == "html" else cm.workbook_text(out)
    assert cm.leaks(shown, texts, words) == []
    # ... while what is published is there, as written.
    for payload in (cm.NAME_SCRIPT, cm.DESCRIPTION_IMG, cm.OUTPUT_IFRAME, cm.KPI_SVG):
        assert payload in shown


def test_the_leak_test_finds_a_leak(northwind_rows: dict) -> None:
    texts, words = cm.internal_values(northwind_rows)
    risk = next(r for r in northwind_rows["Risks and Issues"])
    assert cm.leaks(f"<p>{risk['Description']}</p>", texts, words) == [risk["Description"]]
    assert cm.leaks("Priority: 1", texts, words) == ["Priority"]
    assert cm.leaks("see SVC-030.", texts, words) == ["SVC-030"]
    assert cm.leaks("SVC-0301 P-0010", texts, words) == []


# --- escaping -------------------------------------------------------------------------------


def test_hostile_text_is_text_in_the_page(hostile: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    result = run_cli("catalogue", hostile, "--as-of", CLEAN, "--title", cm.TITLE, "-o", out)
    assert result.exit_code in (0, 1), result.output
    source = out.read_text()
    page = cm.read_page(out)
    # Only our own elements: no img, iframe, svg, b, u, style or script from the master.
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"img", "iframe", "svg", "b", "u", "object", "embed", "form", "base"}
    assert [tag for tag, _ in page.tags].count("script") == 2
    assert [tag for tag, _ in page.tags].count("style") == 1
    # No attribute the master could have written, no link but the page's own and mailto:.
    for tag, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if "href" in attrs:
            href = attrs["href"] or ""
            assert href.startswith("#") or href.startswith("mailto:"), href
            if href.startswith("mailto:"):
                assert usable_email(href.removeprefix("mailto:")) == href[7:]
    mailto = [a["href"] for t, a in page.tags if t == "a" and a["href"].startswith("mailto:")]
    assert mailto == ["mailto:jo@example.org"]  # the one valid address of the three managers
    # The text reads as written.
    assert page.names["svc-SVC-001"] == cm.NAME_SCRIPT
    assert page.title == cm.TITLE
    text = page.article_text("svc-SVC-001")
    for payload in (cm.DESCRIPTION_IMG, cm.CUSTOMERS_JS, cm.OUTPUT_IFRAME, cm.QUALITY_LINK,
                    cm.KPI_SVG, cm.JS_EMAIL, cm.HEADER_EMAIL):
        assert payload in text, payload
    # The script's data holds no markup: `<` is \u003c there, and no line separator is raw.
    index = re.search(r'<script type="application/json" id="search-index">(.*?)</script>',
                      source, re.S).group(1)
    assert "<" not in index and ">" not in index and "&" not in index and "'" not in index
    assert "\\u003cscript\\u003e" in index and "\u2028" not in index
    assert cm.NAME_SCRIPT in json.dumps(json.loads(index), ensure_ascii=False)


def test_only_valid_addresses_become_mailto_links() -> None:
    assert usable_email(" helen.marsh@example.org ") == "helen.marsh@example.org"
    assert usable_email("o'neil+pmo@mail.example.co.uk") == "o'neil+pmo@mail.example.co.uk"
    for bad in (cm.JS_EMAIL, cm.HEADER_EMAIL, "javascript:alert(1)", "a@b", "a b@example.org",
                "<a@example.org>", "a@example.org, b@example.org", "a@example.org#x",
                "Helen <helen@example.org>", "a@-example.org", "a..b@example.org", "", None,
                42, "a@example.org\nBcc: x@example.org", "x" * 250 + "@example.org"):
        assert usable_email(bad) is None, bad


def test_the_content_security_policy_allows_exactly_the_inline_style_and_script(
        northwind: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    source = out.read_text()
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">',
                       source).group(1)
    style = re.search(r"<style>(.*?)</style>", source, re.S).group(1)
    script = re.search(r"<script>(.*?)</script>", source, re.S).group(1)

    def source_hash(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == source_hash(style)
    assert directives["script-src"] == source_hash(script)
    assert "unsafe-inline" not in policy and "http" not in policy
    # Nothing the page could fetch: no src, no external href, no @import or url().
    assert not re.search(r"\ssrc=|@import|url\(|https?://", source)


# --- reproducible ---------------------------------------------------------------------------


@pytest.mark.parametrize("output_format", ["html", "xlsx"])
def test_same_master_and_as_of_give_the_same_bytes(northwind: Path, tmp_path: Path, run_cli,
                                                   output_format: str) -> None:
    first, second = tmp_path / f"a.{output_format}", tmp_path / f"b.{output_format}"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "--with-status", "-o", first)
    run_cli("catalogue", northwind, "--as-of", AS_OF, "--with-status", "-o", second)
    assert first.read_bytes() == second.read_bytes()
    later = tmp_path / f"c.{output_format}"
    run_cli("catalogue", northwind, "--as-of", "2026-12-01", "--with-status", "-o", later)
    assert later.read_bytes() != first.read_bytes()  # the as-of date is in it


def test_no_generated_timestamp_in_the_page(northwind: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", out.read_text()))
    reviewed = {r["Last Reviewed"].isoformat() for r in example_rows(EXAMPLE_AS_OF)["Services"]
                if isinstance(r.get("Last Reviewed"), type(EXAMPLE_AS_OF))}
    assert dates <= {AS_OF} | reviewed


# --- the workbook ---------------------------------------------------------------------------


def test_the_workbook_has_the_same_content(northwind: Path, northwind_rows: dict,
                                           tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.xlsx"
    result = run_cli("catalogue", northwind, "--as-of", AS_OF, "--stage", "Running", "--stage",
                     "Pilot", "--with-status", "-o", out)
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Catalogue", "Services", "What you get", "Service levels"]
    services = list(book["Services"].iter_rows(values_only=True))
    assert services[0][:3] == ("Category", "Service", "Description")
    published = cm.published_ids(northwind_rows, ("Running", "Pilot"))
    assert {row[1] for row in services[1:]} == _names(northwind_rows, published)
    assert ("Pilot: being trialled, so details may change" in
            {row[4] for row in services[1:]})
    outputs = {(row[1], row[2]) for row in book["What you get"].iter_rows(min_row=2,
                                                                          values_only=True)}
    assert ("Portfolio status reporting", "Portfolio status report") in outputs
    levels = list(book["Service levels"].iter_rows(values_only=True))
    assert levels[0] == ("Category", "Service", "Measure", "Target", "Target value", "Unit",
                         "Latest", "Period")
    assert ("Reporting", "Portfolio status reporting", "Reports published on time",
            "at least 95%", 95, "%") in {row[:6] for row in levels[1:]}
    assert len(levels) - 1 == sum(1 for k in northwind_rows["KPIs"]
                                  if k.get("Service ID") in published
                                  and k.get("Status") != "Retired")
    assert book["Services"].tables and book["Services"].freeze_panes == "A2"
    # Text stays text: no formula anywhere.
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


def test_the_hostile_workbook_holds_text_not_formulas(tmp_path: Path, run_cli) -> None:
    master = write_example(tmp_path / "master.xlsx", [
        Edit("Services", "SVC-001", {"Service Name": '=HYPERLINK("http://evil.example","x")',
                                     "Description": "=cmd|' /C calc'!A0"})])
    out = tmp_path / "catalogue.xlsx"
    run_cli("catalogue", master, "--as-of", CLEAN, "-o", out)
    book = openpyxl.load_workbook(out)
    row = next(book["Services"].iter_rows(min_row=2))
    assert row[1].value == '=HYPERLINK("http://evil.example","x")' and row[1].data_type == "s"
    assert row[2].value == "=cmd|' /C calc'!A0" and row[2].data_type == "s"
    with __import__("zipfile").ZipFile(out) as archive:
        assert not any("<f>" in archive.read(n).decode("utf-8", "replace")
                       for n in archive.namelist() if n.endswith(".xml"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_workbook(northwind: Path, tmp_path: Path, run_cli) -> None:
    out = tmp_path / "catalogue.xlsx"
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    done = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false"
         ",false,-1", "--outdir", str(tmp_path / "csv"), str(out)],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    services = (tmp_path / "csv" / "catalogue-Services.csv").read_text(encoding="utf-8")
    assert "Portfolio status reporting" in services and "Reports published on time" in \
        (tmp_path / "csv" / "catalogue-Service levels.csv").read_text(encoding="utf-8")


# --- errors, exit codes, options ------------------------------------------------------------


def test_a_clean_master_exits_0(tmp_path: Path, run_cli) -> None:
    master = write_example(tmp_path / "master.xlsx")
    result = run_cli("catalogue", master, "--as-of", CLEAN, "-o", tmp_path / "c.html")
    assert result.exit_code == 0, result.output
    assert "carry errors" not in result.output
    assert sorted(cm.read_page(tmp_path / "c.html").articles) == ["svc-SVC-001"]


def test_errors_in_published_records_are_counted_and_the_page_still_written(
        northwind: Path, tmp_path: Path) -> None:
    out = tmp_path / "catalogue.html"
    done = run_process("catalogue", northwind, "--as-of", AS_OF, "-o", out)
    assert done.returncode == 1
    assert out.exists()
    # Errors on the records of published services: SVC-005 (its risk RSK-005's unknown
    # owner), SVC-006 (a second A in its RACI), SVC-007 (its High issue ISS-001 has no
    # Target Date), SVC-010 (a date typed as text), SVC-011 (a process with no procedure),
    # SVC-012 (no KPI measures its outcome). SVC-028's error is not counted: it is not
    # published, nor are the pilots' holes (SVC-016, SVC-017) unless pilots are published.
    assert ("6 of the 16 published services carry errors in the master (SVC-005, SVC-006, "
            "SVC-007, SVC-010, SVC-011, SVC-012); the catalogue was written anyway. Run "
            "pmo-xl check "
            "northwind.xlsx to see them.") in " ".join(done.stderr.split())
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "Wrote the service catalogue" in done.stdout


def test_only_errors_on_published_services_count(tmp_path: Path, run_cli) -> None:
    # An error on the Design service SVC-002 (an unknown Lead PMO): not published, exit 0.
    master = write_example(tmp_path / "design.xlsx", [
        Edit("Services", "SVC-002", {"Lead PMO": "PMO-9"})])
    result = run_cli("catalogue", master, "--as-of", CLEAN, "-o", tmp_path / "a.html")
    assert result.exit_code == 0, result.output
    assert run_cli("check", master, "--as-of", CLEAN).exit_code == 1
    # The same error on the published SVC-001: exit 1, one service named.
    master = write_example(tmp_path / "running.xlsx", [
        Edit("Services", "SVC-001", {"Lead PMO": "PMO-9"})])
    result = run_cli("catalogue", master, "--as-of", CLEAN, "-o", tmp_path / "b.html")
    assert result.exit_code == 1
    assert "1 of the 1 published services carries errors in the master (SVC-001)" in \
        " ".join(result.output.split())
    # The unknown PMO is not shown as if it were one.
    assert "PMO-9" not in (tmp_path / "b.html").read_text()


def test_default_output_names(northwind: Path, tmp_path: Path, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run_cli("catalogue", northwind, "--as-of", AS_OF).exit_code == 1
    assert (tmp_path / "service-catalogue.html").exists()
    result = run_cli("catalogue", northwind, "--as-of", AS_OF, "--format", "xlsx")
    assert result.exit_code == 1, result.output
    assert openpyxl.load_workbook(tmp_path / "service-catalogue.xlsx")
    # An -o ending in .xlsx is a workbook without --format.
    run_cli("catalogue", northwind, "--as-of", AS_OF, "-o", "mine.xlsx")
    assert openpyxl.load_workbook(tmp_path / "mine.xlsx")


@pytest.mark.parametrize("args, sentence", [
    (["--format", "xlsx", "-o", "{tmp}/c.html"], "c.html should end in .xlsx"),
    (["--format", "html", "-o", "{tmp}/c.xlsx"], "c.xlsx is a workbook name"),
    (["-o", "{master}"], "is the master itself"),
    (["--stage", "Design"], "'Design' is not a stage the catalogue publishes"),
    (["-o", "{tmp}/no/such/folder/c.html"], "does not exist"),
])
def test_misuse_is_one_sentence_and_exit_2(northwind: Path, tmp_path: Path, args: list[str],
                                           sentence: str, run_cli, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    before = northwind.read_bytes()
    args = [a.format(tmp=tmp_path, master=northwind) for a in args]
    result = run_cli("catalogue", northwind, "--as-of", AS_OF, *args)
    assert result.exit_code == 2
    assert sentence in result.stderr and "Traceback" not in result.stderr
    assert northwind.read_bytes() == before
    assert not (tmp_path / "service-catalogue.html").exists()


def test_an_unreadable_master_is_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    done = run_process("catalogue", bad, cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith("Error: ") and done.stderr.count("\n") == 1
    assert not (tmp_path / "service-catalogue.html").exists()


def test_api_catalogue_returns_what_it_wrote(northwind: Path, tmp_path: Path) -> None:
    published = api.catalogue(northwind, EXAMPLE_AS_OF, tmp_path / "c.xlsx",
                              stages=["Running", "Pilot"], audience="benefit owners")
    assert published.path == tmp_path / "c.xlsx" and published.path.exists()
    assert [e.service_id for e in published.catalogue.entries] == ["SVC-003", "SVC-017"]
    assert published.catalogue.services_with_errors == ["SVC-017"]
    assert published.result.as_of == EXAMPLE_AS_OF


def test_numbers_read_as_people_write_them() -> None:
    assert [number_text(v) for v in (95.0, 0.5, 4.3, 12500.0, 2.25, -1.0)] == \
        ["95", "0.5", "4.3", "12,500", "2.25", "-1"]


def test_the_demo_writes_the_catalogue(tmp_path: Path, run_cli) -> None:
    result = run_cli("demo", tmp_path / "demo", "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    page = tmp_path / "demo" / "service-catalogue.html"
    assert str(page) in result.output and "service catalogue" in result.output
    assert len(cm.read_page(page).articles) == 18  # Running services and pilots
    assert "pmo-xl catalogue" in result.output


def test_names_sort_as_people_read_them() -> None:
    from pmo_xl.reports.catalogue import natural

    names = ["Clinic 10", "clinic 2", "Academy", "Clinic 1b", "Ölgemälde", "Zeta"]
    assert sorted(names, key=natural) == ["Academy", "Clinic 1b", "clinic 2", "Clinic 10",
                                         "Zeta", "Ölgemälde"]


def test_a_long_catalogue_renders_only_what_is_near_the_screen(northwind: Path) -> None:
    """Beyond LONG_CATALOGUE services the page asks the browser to skip rendering services
    off screen (content-visibility), so thousands open in seconds; a short one does not."""
    import dataclasses

    from pmo_xl.reports.catalogue_page import LONG_CATALOGUE, render_page

    short = api.catalogue(northwind, EXAMPLE_AS_OF, northwind.with_name("short.html"))
    assert "<body>" in short.path.read_text()
    entry = short.catalogue.entries[0]
    many = [dataclasses.replace(entry, service_id=f"S{i}", anchor=f"svc-S{i}")
            for i in range(LONG_CATALOGUE + 1)]
    long = dataclasses.replace(short.catalogue, categories=[
        dataclasses.replace(short.catalogue.categories[0], entries=many)])
    page = render_page(long)
    assert '<body class="long">' in page and page.count("<article") == LONG_CATALOGUE + 1
    assert ".long .service { content-visibility: auto;" in page


# --- what a service is for, published (issue 23) -------------------------------------------

def test_a_published_service_without_its_desired_outcome_is_named_and_exits_1(
        tmp_path: Path) -> None:
    master = write_example(tmp_path / "master.xlsx",
                           [Edit("Services", "SVC-001", {"Desired Outcome": None})])
    out = tmp_path / "catalogue.html"
    done = run_process("catalogue", master, "--as-of", CLEAN_AS_OF.isoformat(), "-o", out)
    assert done.returncode == 1, done.stderr
    assert "1 of the 1 published services carries errors in the master (SVC-001)" in " ".join(
        done.stderr.split())
    assert out.exists()


def test_the_entry_shows_the_outcome_measure_what_you_provide_and_how_to_ask(
        tmp_path: Path, run_cli) -> None:
    master = write_example(tmp_path / "master.xlsx", [
        Edit("Services", "SVC-001", {"How to Request": "https://intranet.example.org/pmo",
                                     "Lead Time": 5})])
    out = tmp_path / "catalogue.html"
    assert run_cli("catalogue", master, "--as-of", CLEAN_AS_OF.isoformat(),
                   "-o", out).exit_code == 0
    page = out.read_text()
    text = cm.page_text(page)
    # KPI-02 evidences SVC-001's outcome; KPI-01 (an output) is a service level only.
    assert "Measured by: Data errors found after publication (at most 2 count)" in text
    assert "Measured by: Reports published on time" not in text
    # The inputs customers provide; "Status dataset" is made by its own first process.
    assert "What you provide" in text and "Project status updates" in text
    provide = page.split("What you provide")[1].split("</ul>")[0]
    assert "Status dataset" not in provide
    assert '<a href="https://intranet.example.org/pmo">' in page
    assert "Lead time" in text and "5 working days" in text


def test_the_catalogue_workbook_has_the_same_columns(tmp_path: Path, run_cli) -> None:
    master = write_example(tmp_path / "master.xlsx")
    out = tmp_path / "catalogue.xlsx"
    assert run_cli("catalogue", master, "--as-of", CLEAN_AS_OF.isoformat(),
                   "-o", out).exit_code == 0
    sheet = openpyxl.load_workbook(out)["Services"]
    header = next(r for r in sheet.iter_rows(values_only=True) if "Service" in r)
    row = dict(zip(header, next(r for r in sheet.iter_rows(values_only=True)
                                if r[1] == "Portfolio reporting"), strict=False))
    assert row["Outcome measured by"] == "Data errors found after publication (at most 2 count)"
    assert row["What you provide"] == "Project status updates"
    assert row["How to request"] == "Nothing to request: every board member receives it."
    assert row["Lead time"] == "Immediate"


def test_a_request_route_that_is_not_a_web_address_is_not_a_link(tmp_path: Path,
                                                                 run_cli) -> None:
    master = write_example(tmp_path / "master.xlsx", [
        Edit("Services", "SVC-001", {"How to Request": "javascript:alert(1)"})])
    out = tmp_path / "catalogue.html"
    run_cli("catalogue", master, "--as-of", CLEAN_AS_OF.isoformat(), "-o", out)
    page = out.read_text()
    assert "javascript:alert(1)" in cm.page_text(page)
    assert 'href="javascript' not in page

"""The reports as printed: LibreOffice renders the status and KPI reports of the demo's
32-service master and a 120-service one to PDF with Carlito (Calibri's metrics), and the
pages are read back with pdfplumber.

Three things are checked on the pages themselves, not on the workbook's settings: how many
pages each sheet takes (a summary flows onto pages at a readable size, no sheet runs away),
that no chart is cut by a page break (LibreOffice draws a cut chart on both pages, so each
page's chart frames are counted and must sit inside the page's printable area), and that no
wrapped text runs into the next row (each cell's characters must lie within the row its
borders draw).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api
from pmo_xl.example.northwind import EXAMPLE_AS_OF, write_example_master
from pmo_xl.reports.kpi import write_kpi_report
from pmo_xl.reports.status import write_status_report

pdfplumber = pytest.importorskip("pdfplumber")

ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _calibri_metrics() -> bool:
    fonts = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    return bool(re.search(r"\b(Carlito|Calibri)\b", fonts))


pytestmark = [
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
    pytest.mark.skipif(shutil.which("fc-list") is None or not _calibri_metrics(),
                       reason="neither Calibri nor Carlito (fonts-crosextra-carlito) is "
                              "installed, so LibreOffice would print in another font"),
]

# The printable area of an A4 landscape page (595 points tall) as LibreOffice lays out the
# reports' margins: body text and charts stay within these, with a point or two to spare.
BODY_TOP, BODY_BOTTOM = 36.0, 560.0


def _generate_module():
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[tuple[str, int], tuple[Path, object]]:
    """(report, services) -> (the .xlsx, its PDF opened with pdfplumber)."""
    folder = tmp_path_factory.mktemp("printed")
    generate = _generate_module()
    masters = {
        32: (write_example_master(folder / "demo.xlsx", EXAMPLE_AS_OF), EXAMPLE_AS_OF),
        120: (folder / "m120.xlsx", generate.AS_OF),
    }
    generate.generate(120, masters[120][0])
    workbooks = {}
    for size, (master, as_of) in masters.items():
        result = api.check(master, as_of)
        workbooks[("status", size)] = write_status_report(result, folder / f"status-{size}.xlsx")
        workbooks[("kpi", size)] = write_kpi_report(result, folder / f"kpi-{size}.xlsx")
    # The demo's own status report: this month's pack, which compares itself with last
    # month's (a Since last meeting sheet, and the first page's few lines about it).
    from pmo_xl.example.demo import run_demo

    run_demo(folder / "demo", EXAMPLE_AS_OF)
    demo = folder / "demo" / f"pack-{EXAMPLE_AS_OF.isoformat()}"
    workbooks[("status", "demo")] = demo / f"status-report-{EXAMPLE_AS_OF.isoformat()}.xlsx"
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), *map(str, workbooks.values())],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    opened = {}
    for key, path in workbooks.items():
        pdf = pdfplumber.open(folder / path.with_suffix(".pdf").name)
        opened[key] = (path, pdf)
    yield opened
    for _, pdf in opened.values():
        pdf.close()


def _title(page) -> str:
    """The page header: the title of the sheet the page belongs to."""
    return (page.extract_text() or "").split("\n", 1)[0].strip()


def _pages_per_sheet(pdf) -> Counter:
    return Counter(_title(page) for page in pdf.pages)


# Most pages each sheet may take; at 120 services the tables grow with the catalogue and the
# Summary and Trend charts stay small. The Summary's first page is the meeting's (the
# decisions, the Red services, what changed); its counts and charts follow.
MOST_PAGES = {
    ("status", 32): {"Service status report": 3, "Decisions needed": 2, "Services": 2,
                     "Outcomes": 2, "Set-up pipeline": 1, "Closing": 1, "Changes in flight": 1,
                     "Open risks and issues": 1, "Findings": 2},
    ("status", "demo"): {"Service status report": 3, "Since last meeting": 2,
                         "Decisions needed": 2, "Services": 2, "Outcomes": 2,
                         "Set-up pipeline": 1,
                         "Closing": 1, "Changes in flight": 1, "Open risks and issues": 1,
                         "Findings": 2},
    ("status", 120): {"Service status report": 4, "Decisions needed": 6, "Services": 5,
                      "Outcomes": 8, "Set-up pipeline": 1, "Closing": 1, "Changes in flight": 2,
                      "Open risks and issues": 5, "Findings": 1},
    # A small chart per KPI, four rows of three to a page. Past 20 services with KPIs the
    # attention pages come first and are all that the detail sheets print; the index of
    # every service is last.
    ("kpi", 32): {"KPI report": 2, "KPIs for the reporting period": 2, "KPI trends": 1,
                  "KPI trend charts": 2},
    ("kpi", 120): {"KPI report": 3, "KPI trend charts": 5, "KPIs for the reporting period": 3,
                   "KPI trends": 2, "Every service with KPIs": 4},
}


@pytest.mark.parametrize("key", list(MOST_PAGES))
def test_each_sheet_prints_on_a_sensible_number_of_pages(printed, key):
    _, pdf = printed[key]
    pages = _pages_per_sheet(pdf)
    assert set(pages) == set(MOST_PAGES[key]), pages  # every page starts with its sheet
    for title, most in MOST_PAGES[key].items():
        assert 1 <= pages[title] <= most, (title, pages[title])


def test_the_kpi_summary_flows_onto_pages_at_a_readable_size(printed):
    """At 120 services the 96 services' table is not squeezed onto one page: it runs on,
    printed at 80% or more, after the attention pages (the Summary's table and chart of the
    20 services that need most attention, and their charts)."""
    path, pdf = printed[("kpi", 120)]
    titles = [_title(page) for page in pdf.pages]
    assert titles[0] == "KPI report" and titles[-1] == "Every service with KPIs"
    summary = [page for page in pdf.pages if _title(page) == "KPI report"]
    every = [page for page in pdf.pages if _title(page) == "Every service with KPIs"]
    assert len(every) >= 3
    sizes = Counter(round(char["size"]) for page in every for char in page.chars)
    assert sizes.most_common(1)[0][0] >= 8  # 10-point text printed at 8 points or more
    assert "Services whose KPIs need most attention" in "\n".join(
        page.extract_text() for page in summary)
    text = "\n".join(page.extract_text() for page in every)
    assert all(f"SVC-{n:05d}" in text for n in range(1, 121) if n % 10 not in (9, 0))
    chart = openpyxl.load_workbook(path)["Summary"]._charts
    assert len(chart) == 1


def _charts_in(path: Path) -> int:
    return sum(len(sheet._charts) for sheet in openpyxl.load_workbook(path).worksheets)


def _white(colour) -> bool:
    values = colour if isinstance(colour, (tuple, list)) else (colour,)
    return bool(values) and all(isinstance(v, (int, float)) and v >= 0.99 for v in values)


def _chart_frames(page) -> list[dict]:
    """The filled outer frame of each chart on the page (a chart's inner boxes excluded).
    A chart's area is white; a block of coloured cells (a column of Red beside a column of
    Red, which LibreOffice fills as one shape) is not a chart."""
    shapes = [s for s in page.curves + page.rects
              if s.get("fill") and s["x1"] - s["x0"] > 150 and s["bottom"] - s["top"] > 80
              and _white(s.get("non_stroking_color"))]
    return [s for s in shapes if not any(
        o is not s and o["x0"] <= s["x0"] and o["x1"] >= s["x1"] and o["top"] <= s["top"]
        and o["bottom"] >= s["bottom"] and (o["x0"], o["top"]) != (s["x0"], s["top"])
        for o in shapes)]


@pytest.mark.parametrize("key", list(MOST_PAGES))
def test_no_chart_crosses_a_page_break(printed, key):
    path, pdf = printed[key]
    frames = [(number, frame) for number, page in enumerate(pdf.pages, start=1)
              for frame in _chart_frames(page)]
    outside = [(number, round(f["top"]), round(f["bottom"])) for number, f in frames
               if f["top"] < BODY_TOP or f["bottom"] > BODY_BOTTOM]
    assert not outside, f"charts cut by a page break (page, top, bottom): {outside}"
    # A chart cut by a break is drawn on both pages: one frame per chart means none is.
    assert len(frames) == _charts_in(path) > 0


def _rows_on_page(page) -> list[list[str]]:
    """Each table row drawn on the page, as the text of its cells (no spaces), with
    "<SPILLS>" after a cell whose text runs below the row's bottom border.

    Column edges are the header row's cell borders; row edges are the borders of the cells
    that have them on every row (RAG and severity cells)."""
    lines = page.lines
    header_top = min(line["top"] for line in lines if line["x1"] - line["x0"] > 300)
    uprights = [line for line in lines if abs(line["x1"] - line["x0"]) < 0.5
                and line["top"] <= header_top + 1 and line["bottom"] - line["top"] > 5]
    header_bottom = min(line["bottom"] for line in uprights)
    edges = sorted({round(line["x0"], 1) for line in uprights})
    rows = [header_bottom] + sorted({round(line["top"], 1) for line in lines
                                     if abs(line["bottom"] - line["top"]) < 0.5
                                     and line["top"] > header_bottom + 1
                                     and line["x1"] - line["x0"] < 300})
    chars = [c for c in page.chars if not c["text"].isspace()]
    drawn = []
    for top, bottom in zip(rows, rows[1:], strict=False):
        # A glyph's box starts a little above the text: a point and a half of leeway.
        mine = [c for c in chars if top - 1.5 <= c["top"] < bottom - 1.5]
        cells = []
        for left, right in zip(edges, edges[1:] + [page.width], strict=True):
            inside = [c for c in mine if left - 0.5 <= c["x0"] < right - 0.5]
            text = "".join(c["text"] for c in inside)
            if any(c["bottom"] > bottom + 0.3 for c in inside):
                text += "<SPILLS>"
            cells.append(text)
        drawn.append(cells)
    return drawn


WRAPPED_SHEETS = [
    ("status", "Services", "Services"),
    ("status", "Set-up pipeline", "Set-up pipeline"),
    ("status", "Findings", "Findings"),
    ("kpi", "KPIs", "KPIs for the reporting period"),
]


@pytest.mark.parametrize("size", [32, 120])
@pytest.mark.parametrize(("report", "sheet_name", "title"), WRAPPED_SHEETS)
def test_wrapped_text_stays_in_its_row(printed, report, sheet_name, title, size):
    path, pdf = printed[(report, size)]
    sheet = openpyxl.load_workbook(path)[sheet_name]
    # The table's rows (a note on the rule for its colours follows it, unruled).
    last = int(re.sub(r"\D", "", next(iter(sheet.tables.values())).ref.split(":")[1]))
    if sheet.print_area:  # past 20 services: the attention services' rows only
        last = min(last, int(re.sub(r"\D", "", sheet.print_area.rsplit(":", 1)[1])))
    rows = list(sheet.iter_rows(min_row=2, max_row=last))
    wrapped = [i for i, cell in enumerate(rows[0]) if cell.alignment.wrap_text]
    assert wrapped, sheet_name
    drawn = [row for page in pdf.pages if _title(page) == title
             for row in _rows_on_page(page)]
    assert len(drawn) == len(rows), (len(drawn), len(rows))
    checked = 0
    for cells, row in zip(drawn, rows, strict=True):
        for i in wrapped:
            expected = re.sub(r"\s", "", str(row[i].value or ""))
            assert cells[i] == expected, (sheet_name, row[i].coordinate)
            checked += len(expected) > 0
    assert checked > len(rows)


# --- the first page and the Decisions sheet (meeting.md "The first page") -------------------


def _page_text(page) -> str:
    return re.sub(r"\s", "", page.extract_text() or "")


def test_the_first_page_names_every_decision_and_every_red_service(printed):
    """Page 1 of the demo's status report holds every decision's record ID and every Red
    service's ID, then what changed since the last meeting; the counts come after."""
    path, pdf = printed[("status", "demo")]
    result = api.check(path.parent / "master-snapshot.xlsx", EXAMPLE_AS_OF)
    first = _page_text(pdf.pages[0])
    assert result.agenda and all(record in first for d in result.agenda
                                 for record in d.record.split(", "))
    reds = [sid for sid, status in result.service_statuses.items()
            if result.facts.active(sid) and status.health == "Red"]
    assert reds and all(sid in first for sid in reds)
    assert first.index("Decisionsforthemeeting") < first.index("ServicesatRed") \
        < first.index("Sincethepackof")
    assert "Headlinenumbers" not in first and "Masterfingerprint" not in first


def test_the_decisions_sheet_prints_legibly(printed):
    """At most eight columns across A4 landscape, at 9 point or more."""
    for key in (("status", 32), ("status", "demo"), ("status", 120)):
        path, pdf = printed[key]
        sheet = openpyxl.load_workbook(path)["Decisions needed"]
        assert all(sheet.cell(1, c).value for c in range(1, sheet.max_column + 1))
        assert sheet.max_column <= 8
        pages = [p for p in pdf.pages if _title(p) == "Decisions needed"]
        assert pages
        sizes = {round(char["size"], 1) for page in pages for char in page.chars}
        assert min(sizes) >= 9, (key, sorted(sizes))

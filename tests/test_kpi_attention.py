"""The KPI report ranks: one ranking of attention (rag.attention_key, ranked once in
Facts.attention_ranking) orders the attention table, the trend charts and every sheet; past
20 services the detail sheets print the attention services' KPIs only (issue 24)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api, rag
from pmo_xl.reports.kpi import CHART_SERVICES, EVERY_SERVICE_SHEET, KPI_SHEETS, write_kpi_report

ROOT = Path(__file__).resolve().parents[1]


def test_worst_health_first_then_most_red_then_amber_then_id():
    ranked = sorted([
        ("SVC-4", rag.GREEN, [rag.GREEN]),
        ("SVC-3", rag.AMBER, [rag.RED, rag.RED]),  # impossible health, but ranked by it
        ("SVC-2", rag.RED, [rag.RED]),
        ("SVC-1", rag.RED, [rag.RED, rag.AMBER]),
        ("SVC-0", rag.RED, [rag.AMBER]),  # Red by an open Critical risk
        ("SVC-5", None, [rag.RED]),  # Closed, or in no stage: no health, last
        ("SVC-6", rag.NOT_REPORTING, []),
        ("SVC-7", rag.NO_DATA, [rag.NO_DATA]),
    ], key=lambda s: rag.attention_key(s[1], s[2], s[0]))
    assert [s[0] for s in ranked] == ["SVC-1", "SVC-2", "SVC-0", "SVC-3", "SVC-7", "SVC-4",
                                       "SVC-6", "SVC-5"]


@pytest.fixture(scope="module")
def at_120(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kpi120")
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    generate.generate(120, folder / "m120.xlsx")
    result = api.check(folder / "m120.xlsx", generate.AS_OF)
    return result, openpyxl.load_workbook(write_kpi_report(result, folder / "kpi.xlsx"))


def test_the_attention_pages_come_first_and_every_service_last(at_120):
    result, book = at_120
    visible = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]
    assert visible == [*KPI_SHEETS, EVERY_SERVICE_SHEET]
    every = [r[0] for r in book[EVERY_SERVICE_SHEET].iter_rows(min_row=2, values_only=True)]
    ranking = result.facts.attention_ranking
    assert every == sorted(ranking, key=ranking.get)
    assert len(every) == 96  # eight Running services with KPIs in every ten


def test_the_detail_sheets_print_the_attention_services_kpis_only(at_120):
    result, book = at_120
    charted = set(sorted(result.facts.attention_ranking,
                         key=result.facts.attention_ranking.get)[:CHART_SERVICES])
    kpis = book["KPIs"]
    rows = list(kpis.iter_rows(min_row=2, values_only=True))
    printed = sum(1 for r in rows if r[0] in charted)
    assert printed == 3 * CHART_SERVICES
    assert all(r[0] in charted for r in rows[:printed])  # they come first
    assert kpis.print_area.endswith(f"!$A$1:$P${printed + 1}")
    trends = book["Trends"]
    assert trends.print_area.endswith(f"!$A$1:$S${printed + 1}")  # to Service or PMO
    # Every KPI is still on the sheet.
    assert sum(1 for r in rows if str(r[2]).startswith("KPI-")) == 3 * 96

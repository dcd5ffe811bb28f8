"""Count charts that scale with the data, and a mistyped stage shown as typed (issue 24).

The reports are written through the CLI and read back: the stage table and the Services
sheet with openpyxl, the chart's axis from the chart part itself."""

from __future__ import annotations

import importlib.util
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.reports.chart_scale import count_axis, major_unit
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

ROOT = Path(__file__).resolve().parents[1]
AS_OF = EXAMPLE_AS_OF.isoformat()


def report(kind: str, master: Path, out: Path, as_of: str = AS_OF) -> Path:
    result = CliRunner().invoke(cli, ["report", kind, str(master), "--as-of", as_of,
                                      "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


def chart_with_title(path: Path, title: str) -> str:
    with zipfile.ZipFile(path) as package:
        parts = [package.read(n).decode() for n in package.namelist()
                 if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    found = [p for p in parts if f"<a:t>{title}</a:t>" in p]
    assert len(found) == 1, title
    return found[0]


def value_axis(chart_xml: str) -> tuple[float, float]:
    """(major unit, max) of the chart's value axis."""
    axis = chart_xml[chart_xml.index("<c:valAx>"):]
    unit = re.search(r'<c:majorUnit val="([\d.]+)"', axis)
    top = re.search(r'<c:max val="([\d.]+)"', axis)
    assert unit and top, axis[:400]
    return float(unit.group(1)), float(top.group(1))


@pytest.mark.parametrize(("largest", "unit"), [(0, 1), (3, 1), (5, 1), (6, 2), (11, 5),
                                                (120, 50), (799, 200), (5000, 1000)])
def test_the_major_unit_gives_a_handful_of_gridlines(largest, unit):
    assert major_unit(largest) == unit
    axis = count_axis(largest)
    assert axis["max"] > largest  # room for the tallest bar's label below the title
    assert axis["max"] % axis["major_unit"] == 0
    assert axis["max"] / axis["major_unit"] <= 6


def _stage_table(sheet) -> dict[str, int]:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == "Stage" and r[1] == "Services")
    table = {}
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        table[r[0]] = r[1]
    return table


def test_a_mistyped_stage_is_shown_as_typed_and_counted_under_no_stage(tmp_path):
    master = write_example(tmp_path / "master.xlsx",
                           [Edit("Services", "SVC-001", {"Stage": "Runing"})])
    status = report("status", master, tmp_path / "status.xlsx")
    book = openpyxl.load_workbook(status)
    stages = _stage_table(book["Summary"])
    assert stages["Runing"] == 1 and stages["Running"] == 0
    assert "Not recorded" not in stages
    services = book["Services"]
    headers = [c.value for c in services[1]]
    row = next(r for r in services.iter_rows(min_row=2, values_only=True) if r[0] == "SVC-001")
    assert row[headers.index("Stage")] == "Runing"
    assert row[headers.index("KPI RAG")] in (None, "")  # in no stage: no KPI RAG

    kpi = openpyxl.load_workbook(report("kpi", master, tmp_path / "kpi.xlsx"))["Summary"]
    found = [list(r) for r in kpi.iter_rows(values_only=True) if r[0] == "SVC-001"]
    assert found, "SVC-001 is on the KPI report's Summary"
    for r in found:
        assert r[2] == "Runing"  # as typed, not blank
        assert r[8] in (None, "")  # and given no KPI RAG


def test_a_blank_stage_is_not_recorded(tmp_path):
    master = write_example(tmp_path / "master.xlsx",
                           [Edit("Services", "SVC-003", {"Stage": None})])
    book = openpyxl.load_workbook(report("status", master, tmp_path / "status.xlsx"))
    assert _stage_table(book["Summary"])["Not recorded"] == 1


def _generate(services: int, out: Path) -> Path:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.generate(services, out)
    return out, module.AS_OF.isoformat()


def test_the_stage_chart_takes_its_unit_from_the_data(tmp_path):
    master, as_of = _generate(120, tmp_path / "m120.xlsx")
    status = report("status", master, tmp_path / "status.xlsx", as_of)
    stages = _stage_table(openpyxl.load_workbook(status)["Summary"])
    largest = max(stages.values())
    assert largest == 96  # eight Running services in every ten
    unit, top = value_axis(chart_with_title(status, "Services by stage"))
    assert unit == 20 and top == 120  # six gridlines, not ninety-six
    assert top > largest


def test_a_small_master_keeps_a_unit_of_one(tmp_path):
    status = report("status", write_example(tmp_path / "master.xlsx"), tmp_path / "s.xlsx")
    unit, top = value_axis(chart_with_title(status, "Services by stage"))
    assert unit == 1 and top == 2

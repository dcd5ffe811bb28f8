"""The annotated copy, written by editing the master's package (issue 24): a valid package
whatever wrote the master (xlsxwriter, openpyxl, LibreOffice, a bare generator), blank and
missing cells marked in their place, styles kept, rows without numbers handled, progress in
words. test_findings_outputs.py, test_print_setup.py and test_reading_hostile.py hold what
the copy promises beyond that."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from pmo_xl import api
from pmo_xl.findings import Finding
from pmo_xl.reports.annotated_copy import FINDINGS_SHEET, write_annotated_copy
from pmo_xl.reports.worksheet_part import ORDER
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

from .sheet_xml import cell, libreoffice, rewrite, with_cells

ROOT = Path(__file__).resolve().parents[1]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
PROBLEMS = [
    Edit("Services", "SVC-001", {"Stage": "Runing"}),  # S106 at I2
    Edit("Services", "SVC-002", {"Service Name": None}),  # S104 at B3: a cell the XML lacks
    Edit("Risks and Issues", "RSK-001", {"Owner": "P-099"}),  # X101 at F2
]


def synthetic(sheet: str, ref: str, severity: str = "error") -> Finding:
    match = re.match(r"([A-Z]+)([0-9]+)", ref)
    return Finding("X101", severity, sheet, int(match.group(2)), match.group(1), None,
                   f"A made-up finding at {ref}.", "Nothing to do.")


def annotate(master: Path, copy: Path, *extra: Finding) -> Path:
    result = api.check(master, EXAMPLE_AS_OF)
    if extra:
        result = dataclasses.replace(result, findings=[*result.findings, *extra])
    return write_annotated_copy(result, copy)


def assert_valid_package(path: Path) -> None:
    """What Excel insists on and openpyxl does not check: every XML part well-formed, every
    relationship's target present, every part's content type declared, a worksheet's
    children in the schema's order, styles' counts equal to what they count."""
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        for name in names:
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(package.read(name))  # raises if not well-formed
        types = ElementTree.fromstring(package.read("[Content_Types].xml"))
        defaults = {d.get("Extension").lower() for d in types.iter(f"{TYPES}Default")}
        overrides = {o.get("PartName").lstrip("/") for o in types.iter(f"{TYPES}Override")}
        for name in names:
            assert name in overrides or name.rpartition(".")[2].lower() in defaults, name
        for rels in (n for n in names if n.endswith(".rels")):
            folder = rels.replace("_rels/", "").removesuffix(".rels").rpartition("/")[0]
            for relation in ElementTree.fromstring(package.read(rels)).iter(
                    f"{PKG_REL}Relationship"):
                if relation.get("TargetMode") == "External":
                    continue
                target = relation.get("Target")
                resolved = target.lstrip("/") if target.startswith("/") else "/".join(
                    _normal(f"{folder}/{target}" if folder else target))
                assert resolved in names, (rels, target)
        for name in (n for n in names if n.startswith("xl/worksheets/sheet")):
            children = [c.tag.removeprefix(MAIN) for c in ElementTree.fromstring(
                package.read(name))]
            places = [ORDER.index(c) for c in children if c in ORDER]
            assert places == sorted(places), (name, children)
        styles = ElementTree.fromstring(package.read("xl/styles.xml"))
        for group in ("fonts", "fills", "cellXfs"):
            node = styles.find(f"{MAIN}{group}")
            assert int(node.get("count")) == len(node), group


def _normal(path: str) -> list[str]:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            parts.pop()
        elif part and part != ".":
            parts.append(part)
    return parts


@pytest.fixture(scope="module")
def bare_master(tmp_path_factory) -> Path:
    """A master a program wrote: inline strings, no comments, no print set-up."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks/generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path_factory.mktemp("bare") / "master.xlsx"
    generate.generate(10, path)
    return path


def test_the_template_masters_copy_is_a_valid_package_with_its_cells_marked(tmp_path):
    master = write_example(tmp_path / "master.xlsx", PROBLEMS)
    copy = openpyxl.load_workbook(assert_path(annotate(master, tmp_path / "copy.xlsx")))
    services = copy["Services"]
    assert services["B3"].value is None and services["B3"].fill.fgColor.rgb == "FFFFC7CE"
    assert services["B3"].comment.text.startswith("S104 Error: ")
    assert services["I2"].fill.fgColor.rgb == "FFFFC7CE"
    # The header's own guidance stays, once.
    original = openpyxl.load_workbook(master)
    assert services["A1"].comment.text == original["Services"]["A1"].comment.text
    # Values and styles of the row the blank cell was added to are as they were.
    for col in range(1, services.max_column + 1):
        before, after = original["Services"].cell(3, col), services.cell(3, col)
        assert (after.value, after.number_format) == (before.value, before.number_format)
        if col != 2:
            assert (after.fill.patternType, after.fill.fgColor.rgb, after.font.b,
                    after.font.sz) == (before.fill.patternType, before.fill.fgColor.rgb,
                                       before.font.b, before.font.sz), col


def assert_path(path: Path) -> Path:
    assert_valid_package(path)
    return path


def test_a_bare_masters_copy_gets_comments_print_set_up_and_stays_valid(bare_master,
                                                                         tmp_path):
    extra = [synthetic("Services", "C3"), synthetic("KPI Actuals", "B2", "warning"),
             synthetic("Services", "C40", "info"),  # a row the sheet does not have
             synthetic("PMOs", "Z2")]  # a cell right of the last one
    copy = assert_path(annotate(bare_master, tmp_path / "copy.xlsx", *extra))
    book = openpyxl.load_workbook(copy)
    assert book.sheetnames[0] == FINDINGS_SHEET
    for sheet, ref, colour in (("Services", "C3", "FFFFC7CE"), ("KPI Actuals", "B2", "FFFFEB9C"),
                               ("Services", "C40", "FFDDEBF7"), ("PMOs", "Z2", "FFFFC7CE")):
        target = book[sheet][ref]
        assert target.fill.fgColor.rgb == colour, (sheet, ref)
        assert f"A made-up finding at {ref}." in target.comment.text, (sheet, ref)
    # A date keeps its number format under the fill.
    original = openpyxl.load_workbook(bare_master)
    assert book["KPI Actuals"]["B2"].number_format == (
        original["KPI Actuals"]["B2"].number_format)
    assert book["KPI Actuals"]["B2"].value == original["KPI Actuals"]["B2"].value
    assert book["Services"]["C3"].value == original["Services"]["C3"].value


def test_rows_and_cells_without_their_numbers_are_marked_all_the_same(tmp_path):
    """`r` is optional on rows and cells; the copy then goes through openpyxl first."""
    master = write_example(tmp_path / "master.xlsx", PROBLEMS)
    from pmo_xl.workbook.package import inspect_workbook

    part = inspect_workbook(master).sheet_parts["Services"]
    unnumbered = rewrite(master, tmp_path / "unnumbered.xlsx", lambda name, data: re.sub(
        rb'(<(?:row|c)\b[^>]*?)\sr="[A-Z]*[0-9]+"', rb"\1", data) if name == part else data)
    assert b'<row r="' not in zipfile.ZipFile(unnumbered).read(part)
    copy = openpyxl.load_workbook(assert_path(annotate(unnumbered, tmp_path / "copy.xlsx")))
    assert copy["Services"]["I2"].value == "Runing"
    assert copy["Services"]["I2"].fill.fgColor.rgb == "FFFFC7CE"
    assert "S106 Error" in copy["Services"]["I2"].comment.text


def test_a_master_saved_by_openpyxl_keeps_its_comments_and_gets_the_new_ones(tmp_path):
    """openpyxl writes its comment drawings with ns0/ns1/ns2 for the VML prefixes."""
    master = write_example(tmp_path / "master.xlsx", PROBLEMS)
    book = openpyxl.load_workbook(master)
    book.save(tmp_path / "saved.xlsx")
    copy = openpyxl.load_workbook(assert_path(annotate(tmp_path / "saved.xlsx",
                                                       tmp_path / "copy.xlsx")))
    services = copy["Services"]
    assert "S106 Error" in services["I2"].comment.text
    assert services["A1"].comment.text == book["Services"]["A1"].comment.text
    with zipfile.ZipFile(tmp_path / "copy.xlsx") as package:
        drawings = [n for n in package.namelist() if n.endswith(".vml")]
        assert any(b"ns1:shape" in package.read(n) and b"_x0000_t202" in package.read(n)
                   for n in drawings)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_master_saved_by_libreoffice_is_annotated(tmp_path):
    master = write_example(tmp_path / "master.xlsx", PROBLEMS)
    saved = libreoffice(master, tmp_path / "lo")
    copy = openpyxl.load_workbook(assert_path(annotate(saved, tmp_path / "copy.xlsx")))
    assert copy["Services"]["I2"].fill.fgColor.rgb == "FFFFC7CE"
    assert "S106 Error" in copy["Services"]["I2"].comment.text
    assert copy["Services"]["B3"].comment is not None
    # And LibreOffice opens the copy it did not write.
    back = libreoffice(tmp_path / "copy.xlsx", tmp_path / "lo-back", to="ods")
    assert back.stat().st_size > 1000


def test_a_number_excel_cannot_hold_is_blank_in_the_copy(tmp_path):
    master = with_cells(write_example(tmp_path / "clean.xlsx"), tmp_path / "master.xlsx",
                        "KPIs", [cell("F2", v="NaN"), cell("Z3", t="str", v="INF")])
    copy = openpyxl.load_workbook(assert_path(annotate(master, tmp_path / "copy.xlsx")))
    assert copy["KPIs"]["F2"].value is None
    assert copy["KPIs"]["Z3"].value == "INF"  # text that reads like a number stays


def test_the_findings_sheet_holds_master_text_as_text(tmp_path):
    master = write_example(tmp_path / "master.xlsx", PROBLEMS)
    odd = Finding("X101", "error", "Services", 2, "B", "=1+1", "_x0041_ a\x01b <c> & d",
                  "-2 'hint'")
    copy = openpyxl.load_workbook(assert_path(annotate(master, tmp_path / "copy.xlsx", odd)))
    rows = list(copy[FINDINGS_SHEET].iter_rows(values_only=True))
    row = next(r for r in rows if r[4] == "=1+1")
    # As Excel reads it: `_x0001_` is the control character, `_x005F_` the underscore.
    assert [unescape(value) for value in row[5:7]] == ["_x0041_ a\x01b <c> & d", "-2 'hint'"]


def test_progress_says_what_the_copy_is_doing(tmp_path):
    master = write_example(tmp_path / "master.xlsx", PROBLEMS)
    heard: list = []
    api.check(master, EXAMPLE_AS_OF, annotate=tmp_path / "copy.xlsx", progress=heard.append)
    words = [item for item in heard if isinstance(item, str)]
    assert "Annotating Services: 2 cells…" in words
    assert "Annotating Risks and Issues: 1 cell…" in words
    assert words[-1] == "Writing the annotated copy…"
    assert any(not isinstance(item, str) for item in heard)  # the rules, before

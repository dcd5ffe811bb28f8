"""Small things a user meets (issue 13): control characters in the email's Subject, library
warnings on stderr, unhelpful sentences, a demo that overwrote files it did not write, and a
selection that ran no rule but said "0 errors"."""

from __future__ import annotations

import email.policy
import unicodedata
import zipfile
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest

from pmo_xl.output import header_value
from pmo_xl.reports.pack import EMAIL_NAME
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

from .conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()
TYPO = [Edit("Services", "SVC-001", {"Stage": "Runing"})]


def one_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


# --- the email's headers -----------------------------------------------------------------


@pytest.mark.parametrize("organisation", [
    "North\x07wind\x1b[31m Group", "Northwind\u202eGroup", "Northwind\x00Group\x7f",
    "Northwind\u2028Bcc: someone@example.com", "Northwind\x85Group\x9b",
])
def test_no_control_character_reaches_the_email_subject(tmp_path, run_cli, organisation):
    master = write_example(tmp_path / "master.xlsx", [
        Edit("Settings", "Organisation", {"Value": organisation})])
    folder = tmp_path / "pack"
    assert run_cli("pack", master, "--as-of", AS_OF, "-o", folder).exit_code in (0, 1)
    raw = (folder / EMAIL_NAME).read_bytes()
    message = BytesParser(policy=email.policy.default).parse(
        __import__("io").BytesIO(raw))
    subject = message["Subject"]
    assert subject.endswith("PMO governance pack — October 2026")
    assert "Northwind" in subject
    assert not [ch for ch in subject if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
    assert message["Bcc"] is None
    for part in message.iter_attachments():
        assert part.get_filename().isprintable()


def test_header_value_keeps_ordinary_text():
    assert header_value("Müller & Söhne — Q4  2026") == "Müller & Söhne — Q4 2026"
    assert header_value("a\r\nBcc: x") == "a Bcc: x"


# --- library warnings --------------------------------------------------------------------


def with_unknown_extension(path: Path) -> Path:
    """A master whose Services sheet carries an extension openpyxl warns about on loading
    (as masters saved by newer Excel versions do)."""
    copy = path.with_name("extended.xlsx")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"</worksheet>", b'<extLst><ext uri="{00000000-0000-0000-'
                                    b'0000-000000000000}"/></extLst></worksheet>')
            target.writestr(item, data)
    return copy


def test_openpyxl_warnings_do_not_reach_stderr(tmp_path):
    master = with_unknown_extension(write_example(tmp_path / "master.xlsx", TYPO))
    with pytest.warns(UserWarning, match="extension is not supported"):
        openpyxl.load_workbook(master)  # the master does make openpyxl warn
    done = run_process("check", master, "--as-of", AS_OF, "--annotate", tmp_path / "copy.xlsx",
                       "-o", tmp_path / "findings.xlsx")
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    assert (tmp_path / "copy.xlsx").exists()


def test_the_annotated_copy_does_not_warn_from_python_either(tmp_path, recwarn):
    from pmo_xl import api
    from pmo_xl.reports.annotated_copy import write_annotated_copy

    master = with_unknown_extension(write_example(tmp_path / "master.xlsx", TYPO))
    write_annotated_copy(api.check(master, EXAMPLE_AS_OF), tmp_path / "copy.xlsx")
    assert not [w for w in recwarn if "openpyxl" in w.filename]


# --- sentences ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", [".xlsx", "sub/.xlsx", ".XLSX"])
def test_new_with_no_name_says_a_name_is_needed(tmp_path, run_cli, name):
    (tmp_path / "sub").mkdir()
    result = run_cli("new", tmp_path / name)
    assert result.exit_code == 2
    sentence = one_line(result.stderr)
    assert "has no name; give the workbook one, e.g. master.xlsx" in sentence
    assert "should end in .xlsx" not in sentence


def test_report_with_no_subcommand_is_a_usage_error(run_cli):
    result = run_cli("report")
    assert result.exit_code == 2
    assert "Usage: " in result.stderr
    assert "Error: Say which report to write" in result.stderr
    assert "status" in result.stderr and "kpi" in result.stderr


def test_report_help_still_works(run_cli):
    result = run_cli("report", "--help")
    assert result.exit_code == 0 and "status" in result.output


@pytest.mark.parametrize("command", [("check",), ("report", "status"), ("report", "kpi"),
                                     ("pack",)], ids=" ".join)
@pytest.mark.parametrize("select, ignore", [("S", "S"), ("S106", "S1"), ("K,L", "K,L")])
def test_a_selection_that_leaves_no_rule_is_refused(example_master, tmp_path, run_cli,
                                                    command, select, ignore):
    result = run_cli(*command, example_master, "--as-of", AS_OF, "--select", select,
                     "--ignore", ignore)
    assert result.exit_code == 2
    assert "leaves no rule to run" in result.stderr
    assert "0 errors" not in result.output


def test_a_selection_that_leaves_some_rules_runs(tmp_path, run_cli):
    master = write_example(tmp_path / "master.xlsx", TYPO)
    result = run_cli("check", master, "--as-of", AS_OF, "--select", "S", "--ignore", "S106")
    assert result.exit_code == 0, result.output
    result = run_cli("check", master, "--as-of", AS_OF, "--select", "S", "--ignore", "X")
    assert result.exit_code == 1, result.output


# --- the demo only touches what it can prove it wrote --------------------------------------


def run_demo(run_cli, folder: Path):
    return run_cli("demo", folder, "--as-of", AS_OF)


@pytest.mark.parametrize("name", ["findings.xlsx", "example-master.xlsx"])
def test_demo_never_overwrites_a_file_of_the_users_that_shares_a_name(tmp_path, run_cli,
                                                                     name):
    folder = tmp_path / "Documents"
    folder.mkdir()
    mine = folder / name
    mine.write_bytes(b"my own spreadsheet")
    result = run_demo(run_cli, folder)
    assert result.exit_code == 2
    assert "was not written by pmo-xl demo" in one_line(result.stderr)
    assert mine.read_bytes() == b"my own spreadsheet"
    assert sorted(p.name for p in folder.iterdir()) == [name]  # nothing else written either


def test_demo_never_overwrites_a_findings_workbook_someone_saved(tmp_path, run_cli):
    folder = tmp_path / "demo"
    assert run_demo(run_cli, folder).exit_code == 0
    findings = folder / "findings.xlsx"
    book = openpyxl.load_workbook(findings)
    book["Findings"]["F2"] = "my note"
    book.properties.lastModifiedBy = "Alex Analyst"  # as Excel would: a new author
    book.save(findings)
    before = findings.read_bytes()
    result = run_demo(run_cli, folder)
    assert result.exit_code == 2
    assert findings.read_bytes() == before


@pytest.mark.parametrize("change", ["own file", "edited report", "edited email"])
def test_demo_never_replaces_a_pack_folder_holding_work(tmp_path, run_cli, change):
    folder = tmp_path / "demo"
    assert run_demo(run_cli, folder).exit_code == 0
    pack = folder / f"pack-{AS_OF}"
    if change == "own file":
        (pack / "minutes.docx").write_bytes(b"minutes")
    elif change == "edited report":
        book = openpyxl.load_workbook(pack / f"status-report-{AS_OF}.xlsx")
        book.properties.lastModifiedBy = "Alex Analyst"  # as Excel would: a new author
        book.save(pack / f"status-report-{AS_OF}.xlsx")
    else:
        eml = pack / EMAIL_NAME
        eml.write_bytes(eml.read_bytes().replace(b"Hello,", b"Dear board,"))
    before = {p.relative_to(pack): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    result = run_demo(run_cli, folder)
    assert result.exit_code == 2
    assert "which pmo-xl did not write" in one_line(result.stderr)
    assert {p.relative_to(pack): p.read_bytes() for p in pack.rglob("*") if p.is_file()} \
        == before


def test_demo_refreshes_everything_it_wrote(tmp_path, run_cli):
    folder = tmp_path / "demo"
    assert run_demo(run_cli, folder).exit_code == 0
    first = {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*")
             if p.is_file()}
    assert run_demo(run_cli, folder).exit_code == 0
    second = {p.relative_to(folder): p.stat().st_mtime_ns for p in folder.rglob("*")
              if p.is_file()}
    assert set(first) == set(second) and all(first[p] != second[p] for p in first)


def test_demo_with_an_empty_folder_name_is_refused(tmp_path):
    done = run_process("demo", "", "--as-of", AS_OF, cwd=tmp_path)
    assert done.returncode == 2
    assert "the folder name is empty" in done.stderr
    assert list(tmp_path.iterdir()) == []

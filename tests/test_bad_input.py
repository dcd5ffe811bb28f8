"""Bad input: every file a PMO might point pmo-xl at by mistake, and every broken workbook.

Each case asserts the exit code (2: cannot be checked, 1: checked with findings), one clear
sentence on stderr for exit 2, no traceback anywhere, and that the input's bytes are
unchanged. Most run in-process through click.testing; a handful as real processes.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

import pmo_xl.output
from pmo_xl.cli import cli
from pmo_xl.findings import Finding
from pmo_xl.validators.cell_checks import SCHEMAS
from pmo_xl.validators.examples import EXAMPLE_AS_OF, base_rows, write_example
from pmo_xl.validators.registry import Edit, drop_sheet, rename_header

from .conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()


# --- helpers --------------------------------------------------------------------------------


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def invoke(*args: object):
    """Run pmo-xl in-process, catching exceptions so a traceback would show as a failure."""
    return CliRunner().invoke(cli, [str(a) for a in args])


def assert_no_crash(result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"pmo-xl raised {result.exception!r}:\n{result.output}")
    assert "Traceback" not in result.output
    assert "Traceback" not in (result.stderr or "")


def assert_cannot_check(result, *words: str) -> str:
    """Exit 2 with one sentence on stderr naming `words`; returns that sentence."""
    assert_no_crash(result)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "nothing on stderr"
    sentence = lines[-1]
    assert sentence.startswith("Error: "), result.stderr
    # One sentence: the message ends once, and nothing follows it but click's usage lines.
    assert all(not line.startswith("Error") for line in lines[:-1]), result.stderr
    assert len(sentence) < 400, sentence
    for word in words:
        assert word.lower() in sentence.lower(), sentence
    assert result.stdout == "" or "Usage" not in result.stdout
    return sentence


def check_file(path: Path, *extra: object):
    return invoke("check", path, "--as-of", AS_OF, *extra)


def check_findings(path: Path, *extra: object) -> tuple[int, list[dict]]:
    """`check --format json`: the exit code and the findings; input bytes asserted unchanged."""
    before = digest(path)
    result = check_file(path, "--format", "json", *extra)
    assert_no_crash(result)
    assert digest(path) == before
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def cells(findings: list[dict], rule: str) -> list[str]:
    return [f"{f['sheet']}!{f['cell']}" for f in findings if f["rule"] == rule]


def refused(path: Path, *words: str, extra: tuple = ()) -> str:
    """Check `path`, expect exit 2 with `words`, and the file's bytes untouched."""
    before = digest(path)
    sentence = assert_cannot_check(check_file(path, *extra), *words)
    assert digest(path) == before
    return sentence


def rezip(source: Path, target: Path, change: Callable[[str, bytes], bytes | None]) -> Path:
    """Copy a workbook's zip, passing each part through `change` (None drops the part)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = change(info.filename, old.read(info))
            if data is not None:
                new.writestr(info.filename, data)
    return target


def sheet_part(path: Path, title: str) -> str:
    from pmo_xl.workbook.package import inspect_workbook

    return inspect_workbook(path).sheet_parts[title]


def edited(path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    """The example master re-saved through openpyxl after `change` (merges, formulas...)."""
    source = write_example(path.with_name("base-" + path.name))
    book = openpyxl.load_workbook(source)
    change(book)
    book.save(path)
    return path


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx")


# --- files that are not a master workbook: exit 2 -------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    assert_cannot_check(check_file(tmp_path / "nope.xlsx"), "does not exist")


def test_a_folder(tmp_path: Path) -> None:
    assert_cannot_check(check_file(tmp_path), "folder")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    refused(path, "empty")


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "services.xlsx"
    path.write_text("Service ID,Service Name,Stage\nSVC-001,Reporting,Running\n")
    refused(path, "CSV")


def test_text_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.xlsx"
    path.write_text("Remember to update the catalogue before the board meeting.\n")
    refused(path, "text file")


def test_html_saved_as_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    path.write_text("<html><body><table><tr><td>SVC-001</td></tr></table></body></html>")
    refused(path, "HTML")


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "noise.xlsx"
    path.write_bytes(bytes(range(256)) * 20)
    refused(path, "not an Excel workbook")


def test_old_xls(tmp_path: Path) -> None:
    path = tmp_path / "master.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4088)
    refused(path, ".xls")


def test_encrypted_workbook(master: Path, tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "locked.xlsx"
    with master.open("rb") as plain, path.open("wb") as locked:
        OOXMLFile(plain).encrypt("board-secret", locked)
    refused(path, "password")


def test_truncated_zip(master: Path, tmp_path: Path) -> None:
    path = tmp_path / "half.xlsx"
    data = master.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    refused(path, "damaged")


def test_zip_without_workbook_part(tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    refused(path, "xl/workbook.xml")


def test_word_document_renamed(tmp_path: Path) -> None:
    path = tmp_path / "handbook.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    refused(path, "Word document")


def test_powerpoint_renamed(tmp_path: Path) -> None:
    path = tmp_path / "deck.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p:presentation/>")
    refused(path, "PowerPoint")


def test_zip_bomb_by_ratio(master: Path, tmp_path: Path) -> None:
    """A part that compresses over the ratio limit: 60 MB of zeros stored in ~60 KB."""
    from pmo_xl.workbook.package import MAX_RATIO, RATIO_FLOOR

    path = tmp_path / "bomb.xlsx"
    size = RATIO_FLOOR + 10 * 1024**2
    with zipfile.ZipFile(master) as old, zipfile.ZipFile(path, "w",
                                                         zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, old.read(info))
        with new.open("xl/media/image1.bin", "w") as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(size // len(block)):
                part.write(block)
    info = zipfile.ZipFile(path).getinfo("xl/media/image1.bin")
    assert info.file_size > MAX_RATIO * info.compress_size  # the test builds what it claims
    refused(path, "zip bomb")


def test_zip_bomb_by_declared_size(master: Path, tmp_path: Path) -> None:
    """A zip whose directory declares a 3.9 GB part (forged cheaply in the directory)."""
    path = tmp_path / "huge.xlsx"
    data = bytearray(master.read_bytes())
    entry = data.find(b"PK\x01\x02")  # first central-directory record
    struct.pack_into("<I", data, entry + 24, 0xF0000000)  # its uncompressed size
    path.write_bytes(bytes(data))
    refused(path, "GB")


def test_too_many_parts(tmp_path: Path) -> None:
    from pmo_xl.workbook.package import MAX_ENTRIES

    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for i in range(MAX_ENTRIES + 1):
            archive.writestr(f"xl/x/{i}", b"")
    refused(path, "parts")


LAUGHS = (b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"".join([b"&lol%d;" % (i - 1)] * 10)
                                                   if i > 1 else b"&lol;" * 10)
                     for i in range(1, 10))
          + b"]>")


def _with_laughs(data: bytes, padding: bytes = b"") -> bytes:
    declaration, rest = data.split(b"?>", 1)
    return declaration + b"?>" + padding + LAUGHS + rest.replace(b"<v>", b"<v>&lol9;", 1)


def test_billion_laughs_in_a_sheet(master: Path, tmp_path: Path) -> None:
    part = sheet_part(master, "Services")
    path = rezip(master, tmp_path / "laughs.xlsx",
                 lambda name, data: _with_laughs(data) if name == part else data)
    refused(path, "unsafe")


def test_billion_laughs_behind_a_long_comment(master: Path, tmp_path: Path) -> None:
    """A comment longer than any fixed-size sniff in front of the DTD does not hide it."""
    padding = b"<!--" + b"x" * 10_000 + b"-->"
    path = rezip(master, tmp_path / "laughs2.xlsx",
                 lambda name, data: _with_laughs(data, padding)
                 if name in ("xl/workbook.xml", "xl/sharedStrings.xml") else data)
    refused(path, "unsafe")


def test_damaged_sheet_xml(master: Path, tmp_path: Path) -> None:
    part = sheet_part(master, "Services")
    path = rezip(master, tmp_path / "cut.xlsx",
                 lambda name, data: data[: len(data) // 2] if name == part else data)
    refused(path, "Services", "damaged")


def test_sheet_part_missing(master: Path, tmp_path: Path) -> None:
    part = sheet_part(master, "People")
    path = rezip(master, tmp_path / "gone.xlsx",
                 lambda name, data: None if name == part else data)
    refused(path, "damaged")


def test_shared_strings_missing(master: Path, tmp_path: Path) -> None:
    path = rezip(master, tmp_path / "nostrings.xlsx",
                 lambda name, data: None if name == "xl/sharedStrings.xml" else data)
    refused(path, "cannot be read")


def test_none_of_the_expected_sheets(tmp_path: Path) -> None:
    path = tmp_path / "budget.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Budget 2026"
    book.active["A1"] = "Cost centre"
    book.save(path)
    refused(path, "none of the master's sheets", "Budget 2026")


def test_excel_lock_file_checked_itself(master: Path) -> None:
    lock = master.with_name("~$" + master.name)
    lock.write_bytes(b"\x05Alice" + b" " * 48 + "Alice".encode("utf-16-le") + b"\x20\x00" * 50)
    refused(lock, "lock file", master.name)


# --- options and outputs that cannot be used: exit 2 ----------------------------------------


def test_as_of_not_a_date(master: Path) -> None:
    before = digest(master)
    assert_cannot_check(invoke("check", master, "--as-of", "next Tuesday"), "not a date")
    assert digest(master) == before


def test_as_of_impossible_date(master: Path) -> None:
    assert_cannot_check(invoke("check", master, "--as-of", "2026-02-30"), "not a date")


def test_unknown_select_code(master: Path) -> None:
    assert_cannot_check(check_file(master, "--select", "Q999"), "Q999", "rule")


def test_unknown_ignore_code(master: Path) -> None:
    assert_cannot_check(check_file(master, "--ignore", "S101,ZZZ"), "ZZZ")


def test_output_is_the_master(master: Path) -> None:
    before = digest(master), master.stat().st_mtime_ns
    assert_cannot_check(check_file(master, "--output", master), "master itself")
    assert (digest(master), master.stat().st_mtime_ns) == before


def test_output_is_the_master_spelled_differently(master: Path) -> None:
    (master.parent / "x").mkdir()
    other = f"{master.parent}/x/../{master.name}"
    before = digest(master), master.stat().st_mtime_ns
    assert_cannot_check(check_file(master, "-o", other), "master itself")
    assert (digest(master), master.stat().st_mtime_ns) == before


def test_relative_output_is_the_master(master: Path, monkeypatch) -> None:
    monkeypatch.chdir(master.parent)
    assert_cannot_check(invoke("check", "master.xlsx", "--as-of", AS_OF, "-o",
                               "./x/../master.xlsx"), "master itself")


def test_output_is_a_link_to_the_master(master: Path) -> None:
    link = master.with_name("link.xlsx")
    link.symlink_to(master)
    before = digest(master)
    assert_cannot_check(check_file(master, "-o", link), "master itself")
    assert digest(master) == before and link.is_symlink()


def test_annotated_copy_is_the_master(master: Path) -> None:
    before = digest(master)
    assert_cannot_check(check_file(master, "--annotate", master), "master itself")
    assert digest(master) == before


def test_output_folder_missing(master: Path, tmp_path: Path) -> None:
    assert_cannot_check(invoke("new", tmp_path / "no-such-folder" / "blank.xlsx"),
                        "does not exist")


def test_output_folder_not_writable_simulated(tmp_path: Path, monkeypatch) -> None:
    """Root ignores chmod, so refusal is simulated where the temp file is created."""
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(pmo_xl.output.tempfile, "mkstemp", refuse)
    assert_cannot_check(invoke("new", tmp_path / "blank.xlsx"), "not writable")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 0555 does not stop root writing")
def test_output_folder_not_writable_for_real(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        assert_cannot_check(invoke("new", folder / "blank.xlsx"), "not writable")
    finally:
        folder.chmod(0o755)


def test_disk_full_on_rename(tmp_path: Path, monkeypatch) -> None:
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pmo_xl.output.os, "replace", full)
    assert_cannot_check(invoke("new", tmp_path / "blank.xlsx"), "disk is full")
    assert list(tmp_path.iterdir()) == []  # no final file, no temp file


def test_disk_full_while_writing(tmp_path: Path, monkeypatch) -> None:
    """The writer fails half-way through (ENOSPC): nothing under the final name, no temp."""
    from pmo_xl.workbook.writer import Workbook

    real_close = Workbook.close  # the one place a workbook reaches the disk

    def close_then_fill_disk(self):
        real_close(self)
        with open(self.target, "r+b") as handle:  # half a file on disk, as a full disk does
            handle.truncate(100)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Workbook, "close", close_then_fill_disk)
    assert_cannot_check(invoke("new", tmp_path / "blank.xlsx"), "disk is full")
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_to_overwrite(master: Path) -> None:
    before = digest(master), master.stat().st_mtime_ns
    assert_cannot_check(invoke("new", master), "already exists")
    assert (digest(master), master.stat().st_mtime_ns) == before


def test_new_needs_xlsx_name(tmp_path: Path) -> None:
    assert_cannot_check(invoke("new", tmp_path / "master.csv"), ".xlsx")


# --- checked, with findings at the exact cell: exit 1 ---------------------------------------


def test_missing_sheet(tmp_path: Path) -> None:
    code, findings = check_findings(write_example(tmp_path / "m.xlsx", [drop_sheet("KPIs")]))
    assert code == 1 and cells(findings, "S101") == ["KPIs!A1"]


def test_renamed_header(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [rename_header("Services", "Stage", "Phase")])
    code, findings = check_findings(path)
    assert code == 1 and cells(findings, "S102") == ["Services!I1"]


def test_duplicate_header(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx",
                         [Edit("Services", "SVC-001", {"service  name": "Reporting"})])
    code, findings = check_findings(path)
    assert code == 1 and cells(findings, "S103") == ["Services!AO1"]


def test_blank_header_with_data(tmp_path: Path) -> None:
    def blank_header(book: openpyxl.Workbook) -> None:
        book["Services"]["AP2"] = "a note typed beside the table"

    code, findings = check_findings(edited(tmp_path / "m.xlsx", blank_header), "--strict")
    assert code == 1 and cells(findings, "S103") == ["Services!AP1"]


def test_merged_cells_across_header(tmp_path: Path) -> None:
    code, findings = check_findings(edited(tmp_path / "m.xlsx",
                                           lambda b: b["Services"].merge_cells("A1:B1")))
    assert code == 1 and cells(findings, "S108") == ["Services!A1"]


@pytest.mark.parametrize("typed", ["1/7/2025", "01.07.2025", "July 1, 2025", "2025-07-01",
                                   "1 juillet 2025"])
def test_dates_typed_as_text(tmp_path: Path, typed: str) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Go-live Date": typed}),
        Edit("KPI Actuals", "KPI-01", {"Period": typed}),
    ])
    code, findings = check_findings(path)
    assert code == 1
    assert cells(findings, "S105") == ["Services!AB2", "KPI Actuals!B2"]


def test_numbers_stored_as_text(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Planned FTE": "2"}),
        Edit("KPIs", "KPI-01", {"Target": "95%"}),
    ])
    code, findings = check_findings(path)
    assert code == 1 and cells(findings, "S105") == ["Services!O2", "KPIs!F2"]
    assert all("not a number" in f["message"] for f in findings if f["rule"] == "S105")


def test_spaces_and_non_breaking_spaces_in_ids(tmp_path: Path) -> None:
    """Stray spaces around an ID do not break references, but do not make a new ID either."""
    path = write_example(tmp_path / "m.xlsx", [
        Edit("KPIs", "KPI-01", {"Service ID": " SVC-001\u00a0"}),
        Edit("Services", "SVC-002", {"Service ID": "\u00a0SVC-001 "}),
    ])
    code, findings = check_findings(path)
    assert code == 1
    assert cells(findings, "S107") == ["Services!A3"]
    assert not [f for f in findings if f["sheet"] == "KPIs" and f["rule"].startswith("X")]


def test_formula_without_cached_value(tmp_path: Path) -> None:
    code, findings = check_findings(edited(tmp_path / "m.xlsx",
                                           lambda b: b["Services"].__setitem__("O2", "=1+1")))
    assert code == 1 and cells(findings, "S109") == ["Services!O2"]


def test_hidden_and_very_hidden_sheets_are_still_checked(tmp_path: Path) -> None:
    def hide(book: openpyxl.Workbook) -> None:
        book["KPIs"].sheet_state = "hidden"
        book["KPIs"]["F2"] = None  # a blank required Target on the hidden sheet
        book["Strategy"].sheet_state = "veryHidden"

    code, findings = check_findings(edited(tmp_path / "m.xlsx", hide))
    assert code == 1 and cells(findings, "S104") == ["KPIs!F2"]


def test_sheet_names_with_unicode_and_quotes(tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    rows = base_rows()
    rows["Risks and Issues"][0]["Severity"] = "Catastrophic"
    from pmo_xl.workbook.template import write_master

    write_master(path, rows, extra_sheets={"Budget – Q3 'draft' ü": [["Cost", "€"]]})
    code, findings = check_findings(path)
    assert code == 1 and cells(findings, "S106") == ["Risks and Issues!E2"]
    finding = next(f for f in findings if f["rule"] == "S106")
    address = Finding(**{k: finding[k] for k in ("rule", "severity", "sheet", "row", "column",
                                                  "record", "message", "hint")}).address
    assert address == "'Risks and Issues'!E2"
    odd = Finding("S101", "error", "Budget – Q3 'draft' ü", 1, "A", None, "m", "h")
    assert odd.address == "'Budget – Q3 ''draft'' ü'!A1"


def test_cell_of_32767_characters(tmp_path: Path) -> None:
    longest = ("Portfolio reporting " * 2000)[:32767]
    path = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Description": longest}),
        Edit("Services", "SVC-003", {"Stage": "x" * 32767}),
    ])
    code, findings = check_findings(path)
    assert code == 1 and cells(findings, "S106") == ["Services!I4"]
    assert all(len(f["message"]) < 500 for f in findings)


def test_sheet_of_16384_columns(tmp_path: Path) -> None:
    def widest(book: openpyxl.Workbook) -> None:
        book["People"].cell(row=3, column=16384, value="typed in XFD")

    code, findings = check_findings(edited(tmp_path / "m.xlsx", widest), "--strict")
    assert code == 1 and cells(findings, "S103") == ["People!XFD1"]


def test_lock_file_beside_the_master(master: Path) -> None:
    lock = master.with_name("~$" + master.name)
    lock.write_bytes(b"\x05Alice" + b" " * 48)
    before = digest(lock)
    code, findings = check_findings(master)
    assert (code, findings) == (0, [])
    assert digest(lock) == before


def test_read_only_master_still_checks(master: Path) -> None:
    master.chmod(0o444)
    try:
        code, findings = check_findings(master)
        assert (code, findings) == (0, [])
        assert oct(master.stat().st_mode & 0o777) == "0o444"
    finally:
        master.chmod(0o644)


def test_every_sheet_empty_but_headers(tmp_path: Path) -> None:
    from pmo_xl.workbook.template import write_master

    path = write_master(tmp_path / "blank.xlsx")
    result = check_file(path)
    assert_no_crash(result)
    assert result.exit_code in (0, 1)


# --- as real processes ----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "csv", "encrypted", "laughs", "as-of"])
def test_as_a_real_process(master: Path, tmp_path: Path, kind: str) -> None:
    path, extra, word = master, ["--as-of", AS_OF], ""
    if kind == "missing":
        path, word = tmp_path / "gone.xlsx", "does not exist"
    elif kind == "csv":
        path, word = tmp_path / "list.xlsx", "CSV"
        path.write_text("a;b;c\n1;2;3\n")
    elif kind == "encrypted":
        from msoffcrypto.format.ooxml import OOXMLFile

        path, word = tmp_path / "locked.xlsx", "password"
        with master.open("rb") as plain, path.open("wb") as locked:
            OOXMLFile(plain).encrypt("pw", locked)
    elif kind == "laughs":
        part = sheet_part(master, "People")
        path, word = tmp_path / "lol.xlsx", "unsafe"
        rezip(master, path, lambda name, data: _with_laughs(data) if name == part else data)
    else:
        extra, word = ["--as-of", "30/11/2026x"], "not a date"
    before = digest(path)
    done = run_process("check", path, *extra)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("Error: ")
    assert word.lower() in done.stderr.lower()
    assert digest(path) == before


def test_a_real_process_with_findings(tmp_path: Path) -> None:
    path = write_example(tmp_path / "m.xlsx", [Edit("Services", "SVC-001", {"Stage": "Runing"})])
    done = run_process("check", path, "--as-of", AS_OF, "--format", "json")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert cells(json.loads(done.stdout)["findings"], "S106") == ["Services!I2"]


# --- a million rows -------------------------------------------------------------------------

MILLION = 1_000_000


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PMO_XL_SLOW") != "1", reason="set PMO_XL_SLOW=1 (~1 min)")
def test_a_million_row_sheet_is_checked(tmp_path: Path) -> None:
    """Excel allows 1,048,576 rows; a sheet that long is checked, not refused."""
    path = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True,
                                           "strings_to_numbers": False})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    rows = base_rows()
    for name in SCHEMAS:
        sheet = book.add_worksheet(name)
        headers = list(SCHEMAS[name].columns)
        if name == "RACI":
            headers += ["Service Owner", "Service Manager", "Service Operative", "Customer"]
        sheet.write_row(0, 0, headers)
        records = rows.get(name, [])
        if name == "KPI Actuals":
            records = [records[i % 10] for i in range(MILLION)]
        for r, record in enumerate(records, start=1):
            for c, header in enumerate(headers):
                value = record.get(header)
                if value is None:
                    continue
                if hasattr(value, "year"):
                    sheet.write_datetime(r, c, value, date)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    book.close()
    code, findings = check_findings(path)
    assert code in (0, 1)
    for finding in findings:
        assert 1 <= finding["row"] <= MILLION + 1

"""The master is never written: every command leaves its bytes and mtime as they were.

Commands are found in `pmo_xl.cli.cli` at import time, so a command that lands later (the
`report` group, say) is covered as soon as it exists. An interrupted write leaves nothing
under the final name and no temporary file behind.
"""

from __future__ import annotations

import errno
import hashlib
import os
import zipfile
from pathlib import Path

import click
import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.errors import CannotCheck
from pmo_xl.output import atomic_output
from pmo_xl.reports.xlsx_package import Package
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
# Where each command writes, given the output folder: the option and a file or folder name.
OUTPUTS: dict[tuple[str, ...], tuple[str, str]] = {
    ("check",): ("--output", "findings.xlsx"),
    ("check", "--annotate"): ("--annotate", "annotated.xlsx"),
    ("report", "status"): ("--output", "status.xlsx"),
    ("report", "kpi"): ("--output", "kpi.xlsx"),
    ("pack",): ("--output", "pack"),
}


def _command(path: tuple[str, ...]) -> click.Command | None:
    node: click.Command | None = cli
    for name in path:
        if name.startswith("-"):
            continue
        node = getattr(node, "commands", {}).get(name)
        if node is None:
            return None
    return node


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in param.opts}


def _scenarios() -> list:
    found = []
    for path in OUTPUTS:
        command = _command(path)
        if command is None:
            continue
        found.append(pytest.param(path, id=" ".join(path)))
    return found


SCENARIOS = _scenarios()


def fingerprint(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_size


@pytest.fixture
def master(tmp_path: Path) -> Path:
    """A master with findings in it, so annotated copies and reports have work to do."""
    folder = tmp_path / "share"
    folder.mkdir()
    return write_example(folder / "master.xlsx", [
        Edit("Services", "SVC-001", {"Stage": "Runing"}),
        Edit("Services", "SVC-002", {"Service Name": "=HYPERLINK(\"http://x\",\"y\")"}),
    ])


def arguments(path: tuple[str, ...], master: Path, out: Path) -> list[str]:
    command = _command(path)
    assert command is not None
    option, name = OUTPUTS[path]
    args = [p for p in path if not p.startswith("-")] + [str(master)]
    options = _options(command)
    if "--as-of" in options:
        args += ["--as-of", AS_OF]
    if option in options:
        args += [option, str(out / name)]
    return args


def assert_only_outputs(master: Path, out: Path) -> None:
    """Nothing new beside the master (no lock, no temp); outputs are whole workbooks."""
    assert sorted(p.name for p in master.parent.iterdir()) == ["master.xlsx"]
    for item in out.rglob("*"):
        assert not item.name.startswith("."), f"temporary file left behind: {item}"
        if item.suffix == ".xlsx":
            assert zipfile.is_zipfile(item), f"half-written workbook: {item}"


def test_some_commands_are_covered() -> None:
    names = {s.values[0] for s in SCENARIOS}
    assert ("check",) in names and ("check", "--annotate") in names


@pytest.mark.parametrize("path", SCENARIOS)
def test_command_leaves_master_untouched(path, master: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = fingerprint(master)
    result = CliRunner().invoke(cli, arguments(path, master, out))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert fingerprint(master) == before
    assert_only_outputs(master, out)
    assert any(out.iterdir()), "the command wrote nothing"


@pytest.mark.parametrize("path", SCENARIOS)
def test_read_only_master_works_and_stays_read_only(path, master: Path,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    master.chmod(0o444)
    try:
        before = fingerprint(master)
        result = CliRunner().invoke(cli, arguments(path, master, out))
        assert result.exit_code in (0, 1), result.output
        assert fingerprint(master) == before
        assert master.stat().st_mode & 0o777 == 0o444
    finally:
        master.chmod(0o644)


def test_plain_check_and_json_leave_master_untouched(master: Path) -> None:
    before = fingerprint(master)
    for extra in ([], ["--format", "json"], ["--quiet", "--strict"]):
        result = CliRunner().invoke(cli, ["check", str(master), "--as-of", AS_OF, *extra])
        assert result.exit_code == 1, result.output
    assert fingerprint(master) == before
    assert_only_outputs(master, master.parent)


def test_new_beside_the_master_leaves_it_untouched(master: Path) -> None:
    before = fingerprint(master)
    result = CliRunner().invoke(cli, ["new", str(master.with_name("blank.xlsx"))])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(cli, ["new", str(master)])
    assert refused.exit_code == 2, refused.output
    assert fingerprint(master) == before
    names = sorted(p.name for p in master.parent.iterdir())
    assert names == ["blank.xlsx", "master.xlsx"]


# --- interrupted writes ---------------------------------------------------------------------


def _interrupting(monkeypatch, error: BaseException) -> None:
    """Every workbook writer writes half a file, then `error` is raised (Ctrl+C, disk...)."""
    def half(filename) -> None:
        if isinstance(filename, str | os.PathLike):
            Path(filename).write_bytes(b"PK\x03\x04 half a workbook")

    def xlsxwriter_close(self):
        half(self.filename)
        raise error

    def openpyxl_save(self, filename):
        half(filename)
        raise error

    def package_save(self):  # the annotated copy: its bytes are built, then written
        raise error

    monkeypatch.setattr(xlsxwriter.Workbook, "close", xlsxwriter_close)
    monkeypatch.setattr(openpyxl.Workbook, "save", openpyxl_save)
    monkeypatch.setattr(Package, "save", package_save)


@pytest.mark.parametrize("path", SCENARIOS)
def test_interrupted_write_leaves_no_partial_file(path, master: Path, tmp_path: Path,
                                                  monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    before = fingerprint(master)
    _interrupting(monkeypatch, KeyboardInterrupt())
    CliRunner().invoke(cli, arguments(path, master, out))
    assert fingerprint(master) == before
    option, name = OUTPUTS[path]
    final = out / name
    assert not final.is_file(), "a half-written workbook under the final name"
    leftovers = [p for p in out.rglob("*") if p.is_file()]
    assert leftovers == [], f"left behind: {leftovers}"
    assert_only_outputs(master, out)


def test_atomic_output_interrupted_inside(tmp_path: Path) -> None:
    final = tmp_path / "report.xlsx"
    with pytest.raises(KeyboardInterrupt), atomic_output(final) as temp:
        temp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_keeps_old_file_when_interrupted(tmp_path: Path) -> None:
    final = tmp_path / "report.xlsx"
    final.write_bytes(b"last week's report")
    with pytest.raises(KeyboardInterrupt), atomic_output(final) as temp:
        temp.write_bytes(b"half")
        raise KeyboardInterrupt
    assert final.read_bytes() == b"last week's report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


@pytest.mark.parametrize("failure", [OSError(errno.ENOSPC, "No space left on device"),
                                     PermissionError(errno.EACCES, "Permission denied"),
                                     OSError(errno.EIO, "Input/output error")])
def test_atomic_output_failure_is_a_sentence(tmp_path: Path, failure: OSError) -> None:
    final = tmp_path / "report.xlsx"
    with pytest.raises(CannotCheck) as caught, atomic_output(final) as temp:
        temp.write_bytes(b"half")
        raise failure
    assert "report.xlsx" in str(caught.value) and "\n" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_atomic_output_refuses_the_master(tmp_path: Path) -> None:
    master = tmp_path / "master.xlsx"
    master.write_bytes(b"PK\x03\x04 precious")
    for spelling in (master, tmp_path / "x" / ".." / "master.xlsx"):
        with pytest.raises(CannotCheck), atomic_output(spelling, source=master):
            pytest.fail("atomic_output yielded for the master")
    assert master.read_bytes() == b"PK\x03\x04 precious"
    assert [p.name for p in tmp_path.iterdir()] == ["master.xlsx"]


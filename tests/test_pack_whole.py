"""A pack appears whole or not at all, a replaced pack stays intact until the new one is
complete, and two packs into one folder at once never mix (issue 13)."""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import os
import re
from pathlib import Path

import pytest

from pmo_xl import api
from pmo_xl.errors import CannotCheck
from pmo_xl.output import atomic_folder
from pmo_xl.reports import pack as pack_module
from pmo_xl.reports.pack import EMAIL_NAME
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example

AS_OF = EXAMPLE_AS_OF.isoformat()
FILES = sorted([f"findings-{AS_OF}.xlsx", f"status-report-{AS_OF}.xlsx",
                f"kpi-report-{AS_OF}.xlsx", EMAIL_NAME, "to-people", "master-snapshot.xlsx",
                "pack.json"])


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx")


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def leftovers(parent: Path, keep: set[str]) -> list[str]:
    """Anything beside the pack that a run left behind (temporary folders, lock files)."""
    return sorted(p.name for p in parent.iterdir() if p.name not in keep)


class Boom(Exception):
    pass


def fail_on_kpi_report(monkeypatch) -> None:
    """The KPI report is the third file: the findings and status report are already written."""
    from pmo_xl.reports import kpi

    def broken(result, path):
        raise Boom("the disk went away")

    monkeypatch.setattr(kpi, "write_kpi_report", broken)


def test_a_pack_that_fails_after_its_first_files_leaves_no_folder(master, tmp_path,
                                                                   monkeypatch):
    fail_on_kpi_report(monkeypatch)
    folder = tmp_path / "board"
    with pytest.raises(Boom):
        api.pack(master, EXAMPLE_AS_OF, folder)
    assert not folder.exists()
    assert leftovers(tmp_path, {"master.xlsx"}) == []
    # and the next run is not blocked by anything the failed one left
    monkeypatch.undo()
    assert api.pack(master, EXAMPLE_AS_OF, folder).folder == folder
    assert sorted(p.name for p in folder.iterdir()) == FILES


def test_force_keeps_the_old_pack_whole_until_the_new_one_is_complete(master, tmp_path,
                                                                      monkeypatch, run_cli):
    folder = tmp_path / "board"
    api.pack(master, EXAMPLE_AS_OF, folder)
    before = snapshot(folder)
    fail_on_kpi_report(monkeypatch)
    with pytest.raises(Boom):
        api.pack(master, dt.date(2026, 12, 15), folder, force=True)
    assert snapshot(folder) == before  # not a mixture of new findings and old reports
    assert leftovers(tmp_path, {"master.xlsx", "board"}) == []


def test_force_replaces_the_pack_as_a_whole(master, tmp_path, run_cli):
    folder = tmp_path / "board"
    assert run_cli("pack", master, "--as-of", "2026-12-15", "-o", folder).exit_code in (0, 1)
    assert any("2026-12-15" in p.name for p in folder.iterdir())
    inode = folder.stat().st_ino
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder, "--force")
    assert result.exit_code in (0, 1), result.output
    # the old pack's files (another date) are gone: the folder is the new pack, nothing else
    assert sorted(p.name for p in folder.iterdir()) == FILES
    assert folder.stat().st_ino != inode
    assert leftovers(tmp_path, {"master.xlsx", "board"}) == []


def test_force_never_replaces_a_folder_holding_other_files(master, tmp_path, run_cli):
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "budget.docx").write_bytes(b"someone's work")
    (folder / f"status-report-{AS_OF}.xlsx").write_bytes(b"an old report")
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder, "--force")
    assert result.exit_code == 2
    assert "budget.docx, which pmo-xl did not write" in result.stderr
    assert (folder / "budget.docx").read_bytes() == b"someone's work"
    assert (folder / f"status-report-{AS_OF}.xlsx").read_bytes() == b"an old report"


def test_force_never_replaces_the_folder_holding_the_master(tmp_path, run_cli):
    folder = tmp_path / "board"
    folder.mkdir()
    master = write_example(folder / "master.xlsx")
    before = master.read_bytes()
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder, "--force")
    assert result.exit_code == 2
    assert "is inside" in result.stderr
    assert master.read_bytes() == before


def test_a_second_pack_into_the_same_folder_at_the_same_time_is_refused(master, tmp_path,
                                                                        run_cli):
    folder = tmp_path / "board"
    lock = tmp_path / ".board.lock"
    # Another run holds the folder's lock (what a pack in progress does).
    handle = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX)
    try:
        result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder, "--force")
        assert result.exit_code == 2
        assert "Another pmo-xl run is writing" in result.stderr
        assert result.stderr.count("\n") == 1
        assert not folder.exists()
    finally:
        os.close(handle)
    # Once it is done (lock released, even with its file left behind), packs go ahead.
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder)
    assert result.exit_code in (0, 1), result.output
    assert sorted(p.name for p in folder.iterdir()) == FILES
    assert not lock.exists()


def test_two_packs_at_once_as_processes_never_mix(master, tmp_path):
    """Two real processes into one folder: each either writes a whole pack or is refused."""
    import subprocess
    import sys

    folder = tmp_path / "board"
    env = dict(os.environ, NO_COLOR="1")
    runs = [subprocess.Popen([sys.executable, "-m", "pmo_xl", "pack", str(master), "--as-of",
                              as_of, "-o", str(folder), "--force"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for as_of in (AS_OF, "2026-12-15")]
    codes = [(run.wait(timeout=300), run.stderr.read()) for run in runs]
    for code, err in codes:
        assert code in (0, 1, 2), err
        if code == 2:
            assert "Another pmo-xl run is writing" in err
    names = sorted(p.name for p in folder.iterdir())
    dates = {re.search(r"\d{4}-\d\d-\d\d", name).group() for name in names
             if name.endswith(".xlsx") and name != "master-snapshot.xlsx"}
    assert len(names) == len(FILES) and len(dates) == 1, names  # one whole pack, one date
    assert leftovers(tmp_path, {"master.xlsx", "board"}) == []


def test_atomic_folder_leaves_nothing_on_an_error(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(Boom), atomic_folder(target) as temp:
        (temp / "a.txt").write_text("half")
        raise Boom()
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_refuses_a_file_where_the_folder_goes(tmp_path):
    target = tmp_path / "out"
    target.write_text("a file")
    with pytest.raises(CannotCheck, match="is a file, not a folder"), atomic_folder(target):
        pass
    assert target.read_text() == "a file"


def test_pack_files_are_recognised_by_name(tmp_path):
    for name in FILES:
        if name == "to-people":
            (tmp_path / name).mkdir()
        else:
            (tmp_path / name).write_bytes(b"x")
        assert pack_module.is_pack_file(tmp_path / name)
    for name in ("notes.txt", "findings.xlsx", f"status-report-{AS_OF}.xlsx.bak"):
        (tmp_path / name).write_bytes(b"x")
        assert not pack_module.is_pack_file(tmp_path / name)

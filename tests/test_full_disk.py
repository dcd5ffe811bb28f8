"""A full disk under every command that writes: one sentence, exit 2, nothing left (issue 24).

The disk is a real one: a 64 KB tmpfs, filled to the last block before the commands run
(the test mounts it; it needs root, as the suite's set-up does, and is skipped where mounting
is not allowed). Each command runs as a process, so what Python prints while it shuts down (a
half-written zip complaining when it is collected) is seen too. Where no tmpfs can be
mounted, the in-process test below still makes every workbook writer meet ENOSPC.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example

AS_OF = EXAMPLE_AS_OF.isoformat()
FULL = "Error: The disk is full; "

# (command line with {master}, {full}; the name the sentence gives)
COMMANDS = [
    (["check", "{master}", "-o", "{full}/findings.xlsx"], "findings.xlsx"),
    (["check", "{master}", "--annotate", "{full}/annotated.xlsx"], "annotated.xlsx"),
    (["report", "status", "{master}", "-o", "{full}/status.xlsx"], "status.xlsx"),
    (["report", "kpi", "{master}", "-o", "{full}/kpi.xlsx"], "kpi.xlsx"),
    (["diff", "{master}", "{master}", "-o", "{full}/changes.xlsx"], "changes.xlsx"),
    (["catalogue", "{master}", "--format", "xlsx", "-o", "{full}/catalogue.xlsx"],
     "catalogue.xlsx"),
    (["catalogue", "{master}", "-o", "{full}/catalogue.html"], "catalogue.html"),
    (["new", "{full}/blank.xlsx"], "blank.xlsx"),
    (["pack", "{master}", "-o", "{full}/pack"], "findings-"),
    (["actions", "{master}", "-o", "{full}/drafts"], "the drafts in"),
    (["demo", "{full}/demo"], "was not written"),
]


def as_of(args: list[str]) -> list[str]:
    return [] if args[0] == "new" else ["--as-of", AS_OF]


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory) -> Path:
    """A 64 KB tmpfs with no free block left; unmounted afterwards."""
    folder = tmp_path_factory.mktemp("full")
    if not shutil.which("mount") or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        with (folder / "filler").open("wb", buffering=0) as handle:
            try:
                while True:
                    handle.write(b"\0" * 4096)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture(scope="module")
def master(tmp_path_factory) -> Path:
    return write_example(tmp_path_factory.mktemp("master") / "master.xlsx")


@pytest.mark.parametrize(("args", "named"), COMMANDS, ids=lambda v: " ".join(v[:2])
                         if isinstance(v, list) else None)
def test_a_full_disk_is_one_sentence_and_exit_2(full_disk: Path, master: Path,
                                                args: list[str], named: str) -> None:
    before = sorted(os.listdir(full_disk))
    command = [a.format(master=master, full=full_disk) for a in args] + as_of(args)
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "pmo_xl", *command],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.splitlines() == [done.stderr.strip()], done.stderr  # one line only
    assert done.stderr.startswith(FULL) and named in done.stderr, done.stderr
    # Nothing half-written is left: no temporary file, no new workbook (an empty folder that
    # a command made for its output may stay).
    left = [name for name in os.listdir(full_disk) if name not in before]
    for name in left:
        item = full_disk / name
        assert item.is_dir() and not any(item.iterdir()), name


def test_every_workbook_writer_turns_enospc_into_one_sentence(tmp_path: Path, master: Path,
                                                              monkeypatch) -> None:
    """Without a tmpfs: the one place xlsxwriter workbooks reach the disk raises ENOSPC."""
    from pmo_xl.workbook import writer as workbook_file

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(workbook_file, "open", full, raising=False)
    runner = CliRunner()
    for args, named in COMMANDS:
        if args[0] in ("actions", "demo") or "catalogue.html" in args[-1] \
                or "--annotate" in args:
            continue  # these write no xlsxwriter workbook of their own first
        command = [a.format(master=master, full=tmp_path) for a in args] + as_of(args)
        done = runner.invoke(cli, command)
        assert done.exit_code == 2, (command, done.output)
        assert done.stderr.startswith(FULL) and named in done.stderr, done.stderr
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


@pytest.mark.parametrize("args", [
    ["check", "{master}", "-o", "/dev/full/findings.xlsx"],
    ["report", "kpi", "{master}", "-o", "/dev/full/kpi.xlsx"],
    ["pack", "{master}", "-o", "/dev/full/pack"],
    ["actions", "{master}", "-o", "/dev/full/drafts"],
    ["catalogue", "{master}", "-o", "{master}/catalogue.html"],
    ["demo", "/dev/full/demo"],
])
def test_a_device_or_file_where_a_folder_should_be_is_named(master: Path, args: list[str]
                                                            ) -> None:
    command = [a.format(master=master) for a in args] + as_of(args)
    done = CliRunner().invoke(cli, command)
    assert done.exit_code == 2, done.output
    where = master if "{master}/" in " ".join(args) else Path("/dev/full")
    assert done.stderr.strip() == (f"Error: {where} is not a folder, so nothing can be "
                                   "written inside it; choose an output in a folder.")

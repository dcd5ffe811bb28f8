"""Where outputs may go: odd targets refused, two outputs never one file, a full stdout.

Issue 13: `-o` onto a device node or FIFO replaced it with a regular file, `-o X --annotate X`
silently replaced one with the other, and stdout on a full device gave the crash message.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

from .conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()
TYPO = [Edit("Services", "SVC-001", {"Stage": "Runing"})]


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx", TYPO)


def one_sentence(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output
    return lines[0]


@pytest.mark.parametrize("args", [
    ("check", "{m}", "-o", "{t}"),
    ("check", "{m}", "--annotate", "{t}"),
    ("report", "status", "{m}", "-o", "{t}"),
    ("report", "kpi", "{m}", "-o", "{t}"),
], ids=["check -o", "check --annotate", "report status", "report kpi"])
def test_a_fifo_as_output_is_refused_and_stays_a_fifo(master, tmp_path, run_cli, args):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    result = run_cli(*[a.format(m=master, t=fifo) for a in args], "--as-of", AS_OF)
    assert result.exit_code == 2, result.output
    assert "not an ordinary file" in one_sentence(result.stderr)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still the pipe, not a workbook


@pytest.fixture
def device(tmp_path: Path) -> Path:
    """A null device of our own: code that replaced it (as the old code did, and as root
    it replaced the system's /dev/null) can only do harm here."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root; the FIFO tests cover the same path")
    return node


def test_a_device_as_output_is_refused(master, device, run_cli):
    result = run_cli("check", master, "--as-of", AS_OF, "-o", device)
    assert result.exit_code == 2
    assert "not an ordinary file" in one_sentence(result.stderr)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_link_to_a_device_is_refused_too(master, device, tmp_path, run_cli):
    link = tmp_path / "findings.xlsx"
    link.symlink_to(device)
    result = run_cli("check", master, "--as-of", AS_OF, "-o", link)
    assert result.exit_code == 2
    assert link.is_symlink() and os.readlink(link) == str(device)
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_new_onto_a_fifo_is_refused(tmp_path, run_cli):
    fifo = tmp_path / "master.xlsx"
    os.mkfifo(fifo)
    result = run_cli("new", fifo, "--force")
    assert result.exit_code == 2
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("spelling", ["same", "dot", "link"])
def test_output_and_annotate_naming_one_file_is_refused(master, tmp_path, run_cli, spelling):
    out = tmp_path / "out.xlsx"
    other = {"same": out, "dot": tmp_path / "." / "out.xlsx", "link": tmp_path / "alias.xlsx"}
    if spelling == "link":
        out.write_bytes(b"previous")
        other["link"].symlink_to(out)
    result = run_cli("check", master, "--as-of", AS_OF, "-o", out, "--annotate",
                     other[spelling])
    assert result.exit_code == 2, result.output
    sentence = one_sentence(result.stderr)
    assert "--output and --annotate both name" in sentence
    if spelling == "link":
        assert out.read_bytes() == b"previous"
    else:
        assert not out.exists()


def test_the_master_through_a_link_is_refused_as_every_output(master, tmp_path, run_cli):
    alias = tmp_path / "alias.xlsx"
    alias.symlink_to(master)
    before = master.read_bytes()
    for args in (["check", master, "-o", alias], ["check", master, "--annotate", alias],
                 ["report", "status", master, "-o", alias], ["pack", master, "-o", alias]):
        result = run_cli(*args, "--as-of", AS_OF)
        assert result.exit_code == 2, (args, result.output)
        assert "master itself" in one_sentence(result.stderr)
    assert master.read_bytes() == before


needs_dev_full = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")


@needs_dev_full
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_stdout_on_a_full_device_is_one_sentence(master, fmt):
    with open("/dev/full", "w") as full:
        done = run_process_to(full, "check", master, "--as-of", AS_OF, "--format", fmt)
    assert done.returncode == 2
    sentence = one_sentence(done.stderr)
    assert sentence.startswith("Error: pmo-xl could not write its output to standard output")
    assert "No space left on device" in sentence


@needs_dev_full
def test_help_on_a_full_device_is_one_sentence():
    with open("/dev/full", "w") as full:
        done = run_process_to(full, "--help")
    assert done.returncode == 2
    assert "could not write its output" in one_sentence(done.stderr)


def run_process_to(stdout, *args):
    import subprocess
    import sys

    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pmo_xl", *map(str, args)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, env=env, timeout=300)


def test_a_process_refusing_a_fifo_does_not_hang(master, tmp_path):
    """A FIFO opened for writing would block until a reader comes: it is never opened."""
    fifo = tmp_path / "findings.xlsx"
    os.mkfifo(fifo)
    done = run_process("check", master, "--as-of", AS_OF, "-o", fifo)
    assert done.returncode == 2
    assert "not an ordinary file" in one_sentence(done.stderr)

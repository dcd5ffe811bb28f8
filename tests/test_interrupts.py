"""Ctrl-C and SIGTERM at any moment: exit 130 (143), one line, nothing left behind (issue 13).

Two kinds of test. Deterministic ones run pmo-xl in a small wrapper that sends the process
the signal itself at a chosen point (the import of click or pandas, reading the master,
xlsxwriter closing a workbook, between the files of a pack, while a pack is swapped in).
Timed ones send a real signal from outside at several moments of a run on a large master.
Every run must end with exit code 128 + signal (or its normal code, when it finished first),
exactly one line on stderr, no temporary file beside the outputs, and nothing in $TMPDIR.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
ROOT = Path(__file__).resolve().parents[1]
MESSAGE = {signal.SIGINT: "Interrupted; nothing was left half-written.",
           signal.SIGTERM: "Stopped (SIGTERM); nothing was left half-written."}

# Runs pmo-xl exactly as the `pmo-xl` script does, after arranging for the process to send
# itself a signal at one point: `import:NAME` when module NAME is first imported,
# `call:MODULE:ATTR` when that function is first called.
WRAPPER = r"""
import importlib, importlib.abc, os, signal, sys

point, sig = os.environ["TEST_POINT"], getattr(signal, os.environ["TEST_SIGNAL"])

def fire():
    os.kill(os.getpid(), sig)

if point.startswith("import:"):
    wanted = point.split(":", 1)[1]

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == wanted:
                sys.meta_path.remove(self)
                fire()
            return None

    sys.meta_path.insert(0, Hook())
else:
    _, module, attr = point.split(":")
    owner = importlib.import_module(module)
    *parents, name = attr.split(".")
    for part in parents:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    def hooked(*args, **kwargs):
        fire()
        return original(*args, **kwargs)

    setattr(owner, name, hooked)

sys.argv = ["pmo-xl", *sys.argv[1:]]
from pmo_xl.__main__ import main
main()
"""


@pytest.fixture
def place(tmp_path: Path) -> dict[str, Path]:
    """A master, an output folder and a private TMPDIR, each checked for leftovers after."""
    folders = {name: tmp_path / name for name in ("share", "out", "tmp")}
    for folder in folders.values():
        folder.mkdir()
    # A master with findings, so the annotated copy has cells to mark.
    folders["master"] = write_example(folders["share"] / "master.xlsx", [
        Edit("Services", "SVC-001", {"Stage": "Runing"})])
    (tmp_path / "wrapper.py").write_text(WRAPPER)
    folders["wrapper"] = tmp_path / "wrapper.py"
    return folders


def environment(place: dict[str, Path], **extra: str) -> dict[str, str]:
    return dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8", TMPDIR=str(place["tmp"]),
                **extra)


def run_interrupted(place, point: str, sig: signal.Signals, *args) -> subprocess.CompletedProcess:
    env = environment(place, TEST_POINT=point, TEST_SIGNAL=sig.name)
    return subprocess.run([sys.executable, str(place["wrapper"]), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=300)


def assert_clean(place: dict[str, Path]) -> None:
    """No temporary file or folder, no lock; whatever output exists is a whole workbook."""
    assert sorted(p.name for p in place["share"].iterdir()) == ["master.xlsx"]
    assert list(place["tmp"].iterdir()) == [], "files left in TMPDIR"
    for item in place["out"].rglob("*"):
        assert not item.name.startswith("."), f"left behind: {item.relative_to(place['out'])}"
        if item.suffix == ".xlsx":
            assert zipfile.is_zipfile(item) and zipfile.ZipFile(item).testzip() is None


def assert_interrupted(done: subprocess.CompletedProcess, sig: signal.Signals) -> None:
    assert done.returncode == 128 + sig, (done.returncode, done.stderr)
    assert done.stderr.splitlines() == [MESSAGE[sig]], done.stderr


CHECK = ("check", "{master}", "--as-of", AS_OF, "-o", "{out}/findings.xlsx",
         "--annotate", "{out}/annotated.xlsx")
REPORT = ("report", "status", "{master}", "--as-of", AS_OF, "-o", "{out}/status.xlsx")
PACK = ("pack", "{master}", "--as-of", AS_OF, "-o", "{out}/pack")


def filled(args: tuple[str, ...], place) -> list[str]:
    return [a.format(master=place["master"], out=place["out"]) for a in args]


@pytest.mark.parametrize("point, sig, args, left", [
    ("import:click", signal.SIGINT, CHECK, []),
    ("import:pandas", signal.SIGINT, CHECK, []),
    ("import:pandas", signal.SIGTERM, CHECK, []),
    ("call:pmo_xl.workbook.master:read_master", signal.SIGINT, CHECK, []),
    ("call:pmo_xl.reports.findings_workbook:_findings_sheet", signal.SIGTERM, CHECK, []),
    # the findings workbook is complete by then; the annotated copy is not written
    ("call:pmo_xl.reports.annotated_copy:_mark", signal.SIGINT, CHECK, ["findings.xlsx"]),
    ("call:xlsxwriter.workbook:Workbook._store_workbook", signal.SIGINT, REPORT, []),
    ("call:xlsxwriter.workbook:Workbook._store_workbook", signal.SIGTERM, REPORT, []),
    ("call:pmo_xl.reports.status:write_status_report", signal.SIGINT, PACK, []),
    ("call:pmo_xl.reports.email_draft:write_email", signal.SIGTERM, PACK, []),
], ids=lambda value: value.name if isinstance(value, signal.Signals) else (
    value if isinstance(value, str) else "-"))
def test_a_signal_at_this_moment_exits_with_one_line_and_leaves_nothing(place, point, sig,
                                                                         args, left):
    done = run_interrupted(place, point, sig, *filled(args, place))
    assert_interrupted(done, sig)
    assert_clean(place)
    assert sorted(p.name for p in place["out"].iterdir()) == left


@pytest.mark.parametrize("point, replaced", [
    ("call:pmo_xl.output:_swap_in", False),  # just before the swap: the old pack stays
    ("call:pmo_xl.output:_exchange", True),  # during the swap: it finishes, then exits
])
def test_a_signal_around_the_swap_of_a_pack_leaves_one_whole_pack(place, point, replaced):
    pack = place["out"] / "pack"
    first = subprocess.run([sys.executable, "-m", "pmo_xl", *filled(PACK, place)],
                           capture_output=True, text=True, env=environment(place), timeout=300)
    assert first.returncode in (0, 1), first.stderr
    old = {str(p.relative_to(pack)): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    done = run_interrupted(place, point, signal.SIGINT, *filled(PACK, place), "--force")
    assert_interrupted(done, signal.SIGINT)
    assert_clean(place)
    new = {str(p.relative_to(pack)): p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    assert set(new) == set(old)
    if replaced:  # every file is the new run's (the findings workbook notes when it was made)
        assert all(new[name] != old[name] for name in new if name.startswith("findings"))
    else:
        assert new == old


def test_a_signal_while_the_previous_output_exists_keeps_it(place):
    previous = place["out"] / "status.xlsx"
    write_example(previous)
    before = previous.read_bytes()
    done = run_interrupted(place, "call:xlsxwriter.workbook:Workbook._store_workbook",
                           signal.SIGINT, *filled(REPORT, place))
    assert_interrupted(done, signal.SIGINT)
    assert previous.read_bytes() == before
    assert_clean(place)


# --- real signals from outside, on a large master ---------------------------------------


@pytest.fixture(scope="module")
def large_master(tmp_path_factory) -> Path:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    path = tmp_path_factory.mktemp("large") / "master.xlsx"
    generate.generate(600, path)
    return path


@pytest.mark.parametrize("args, sig, delays", [
    (CHECK, signal.SIGINT, (0.2, 0.8, 1.6, 3.0)),
    (PACK, signal.SIGTERM, (1.0, 2.5, 4.5)),
], ids=["check SIGINT", "pack SIGTERM"])
def test_real_signals_at_several_moments(place, large_master, args, sig, delays):
    place["master"].unlink()
    place["master"].symlink_to(large_master)
    for delay in delays:
        for item in sorted(place["out"].rglob("*"), reverse=True):
            item.rmdir() if item.is_dir() else item.unlink()
        process = subprocess.Popen([sys.executable, "-m", "pmo_xl", *filled(args, place)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=environment(place))
        time.sleep(delay)
        running = process.poll() is None
        if running:
            process.send_signal(sig)
        out, err = process.communicate(timeout=300)
        if process.returncode in (0, 1):  # it finished before the signal took effect
            assert "Traceback" not in err, err
        else:
            assert running
            assert_interrupted(subprocess.CompletedProcess(args, process.returncode, out, err),
                               sig)
        assert sorted(p.name for p in place["share"].iterdir()) == ["master.xlsx"]
        assert_clean(place)

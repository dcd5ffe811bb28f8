"""A damaged or hostile pack.json or sent.json: one sentence (or a warning), never a crash or
a hang (issue 24).

The files are what a disk, a sync tool or a person can leave under those names: a number too
big for any program (`1e999`), nesting 100,000 deep, an integer of 5,000 digits, a named
pipe (which blocks a plain open for ever), a link to /dev/zero (which never ends), a file far
larger than pmo-xl writes. Pipes and /dev/zero run pmo-xl as a process with a timeout, so a
hang fails the test instead of stopping the suite.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pmo_xl import api
from pmo_xl.json_file import Damaged, Missing, UnreadableJson, read_json_file
from pmo_xl.validators.examples import write_example

from .conftest import AS_OF

OCT = dt.date(2026, 10, 31)
DEEP = "[" * 100_000 + "]" * 100_000
HUGE_NUMBER = '{"format": 1, "summary": {"error": 1e999}}'
LONG_INTEGER = '{"format": 1, "summary": {"error": ' + "9" * 5000 + "}}"


def run(*args: object, timeout: float = 120) -> subprocess.CompletedProcess:
    """pmo-xl as a process; a hang becomes a failure after `timeout` seconds."""
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pmo_xl", *map(str, args)], capture_output=True,
                          text=True, env=env, timeout=timeout, stdin=subprocess.DEVNULL)


def one_sentence(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr
    return lines[0]


def plant(path: Path, kind: str) -> None:
    """Put something hostile under `path` (which may already hold a file)."""
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "huge-number":
        path.write_text(HUGE_NUMBER)
    elif kind == "deep":
        path.write_text(DEEP)
    elif kind == "long-integer":
        path.write_text(LONG_INTEGER)
    elif kind == "too-large":
        with path.open("wb") as handle:
            handle.truncate(65 * 1024 * 1024)  # sparse: takes no room on the disk
    else:
        raise AssertionError(kind)


KINDS = ["fifo", "dev-zero", "huge-number", "deep", "long-integer", "too-large"]
WHY = {"fifo": "device, pipe or socket", "dev-zero": "device, pipe or socket",
       "huge-number": "1e999 is too large", "deep": "nested too deep",
       "long-integer": "is too large", "too-large": "larger than"}


# -- the one reader ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_the_reader_refuses_each_hostile_file_in_plain_words(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "pack.json"
    plant(path, kind)
    with pytest.raises(UnreadableJson) as caught:
        read_json_file(path)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 140
    assert isinstance(caught.value, Damaged) == (kind in ("huge-number", "deep", "long-integer"))


def test_the_reader_reads_what_pmo_xl_writes_and_says_when_nothing_is_there(
        tmp_path: Path) -> None:
    path = tmp_path / "sent.json"
    path.write_text(json.dumps({"sent": [{"to": ["a@example.org"], "n": 1.5}]}))
    assert read_json_file(path) == {"sent": [{"to": ["a@example.org"], "n": 1.5}]}
    with pytest.raises(Missing):
        read_json_file(tmp_path / "nothing.json")
    for text in ("NaN", "[Infinity]", "-1e400"):
        path.write_text(text)
        with pytest.raises(Damaged):
            read_json_file(path)
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(Damaged, match="UTF-8"):
        read_json_file(path)


# -- pack.json: diff names it in one sentence, a later pack passes it over ----------------------

@pytest.fixture(scope="module")
def october_pack(tmp_path_factory) -> tuple[Path, Path]:
    """A master and a pack of it, written once; each test copies the pack."""
    folder = tmp_path_factory.mktemp("pack")
    master = write_example(folder / "master.xlsx")
    return master, api.pack(master, OCT, folder / "pmo-pack-2026-10-31").folder


def copied_pack(october_pack, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    master, pack = october_pack
    target = tmp_path / "packs" / pack.name
    shutil.copytree(pack, target)
    return master, target


@pytest.mark.parametrize("kind", KINDS)
def test_diff_against_a_pack_with_a_hostile_pack_json_is_one_sentence(
        october_pack, tmp_path: Path, kind: str) -> None:
    master, pack = copied_pack(october_pack, tmp_path)
    plant(pack / "pack.json", kind)
    line = one_sentence(run("diff", pack, master, "--as-of", AS_OF))
    assert f"The pack.json of {pack}" in line and WHY[kind] in line, line


@pytest.mark.parametrize("kind", KINDS)
def test_a_later_pack_passes_a_hostile_pack_json_over_with_a_warning(
        october_pack, tmp_path: Path, kind: str) -> None:
    master, pack = copied_pack(october_pack, tmp_path)
    plant(pack / "pack.json", kind)
    later = pack.parent / "pmo-pack-2026-11-15"
    done = run("pack", master, "--as-of", AS_OF, "-o", later)
    assert done.returncode in (0, 1), done.stderr
    warnings = [line for line in done.stderr.splitlines() if line.startswith("Warning: ")]
    assert len(warnings) == 1 and WHY[kind] in warnings[0], done.stderr
    assert "left out of the history" in warnings[0]
    assert "Traceback" not in done.stderr and (later / "pack.json").is_file()
    # and the pack after that as well: one bad folder never stops the history
    again = run("pack", master, "--as-of", "2026-11-30", "-o", pack.parent / "december")
    assert again.returncode in (0, 1) and "Since the pack of 2026-11-15" in again.stdout


@pytest.mark.parametrize("kind", ["fifo", "deep"])
def test_pack_since_a_hostile_pack_json_is_one_sentence(october_pack, tmp_path: Path,
                                                        kind: str) -> None:
    master, pack = copied_pack(october_pack, tmp_path)
    plant(pack / "pack.json", kind)
    line = one_sentence(run("pack", master, "--as-of", AS_OF, "-o", tmp_path / "new",
                            "--since", pack))
    assert WHY[kind] in line and not (tmp_path / "new").exists()


# -- sent.json: send (and --dry-run) name it in one sentence and send nothing -------------------

def drafts_folder(tmp_path: Path) -> Path:
    from tests.test_send import write_drafts

    folder = tmp_path / "drafts"
    write_drafts(folder)
    return folder


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("dry_run", [True, False])
def test_send_with_a_hostile_sent_json_is_one_sentence(tmp_path: Path, kind: str,
                                                       dry_run: bool) -> None:
    from tests.smtp_server import HOST, free_port

    folder = drafts_folder(tmp_path)
    plant(folder / "sent.json", kind)
    how = ["--dry-run"] if dry_run else ["--smtp", f"{HOST}:{free_port()}", "--from",
                                         "pmo@example.org", "--yes"]
    line = one_sentence(run("send", folder, *how))
    assert f"{folder / 'sent.json'}" in line and WHY[kind] in line, line
    assert "sends nothing" in line or "will not overwrite it" in line
    # the record is left exactly as it was
    path = folder / "sent.json"
    if kind == "fifo":
        assert path.is_fifo()
    elif kind == "dev-zero":
        assert path.is_symlink() and os.readlink(path) == "/dev/zero"
    assert not (folder / ".sent.json.lock").exists()

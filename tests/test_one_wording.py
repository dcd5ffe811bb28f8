"""One wording (issue 24): what pmo-xl prints and writes says the same thing the same way.

Plurals ("1 person", never "1 people"), the KPI report's name, the path a command prints for
what it wrote, the command summaries of `pmo-xl --help`, the words on every workbook's cover,
the spelling of a severity in every workbook, and what diff's summary counts.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.reports.common import (
    AS_OF_LABEL,
    FINGERPRINT_LABEL,
    GENERATED_LABEL,
    MASTER_LABEL,
    ORGANISATION_LABEL,
)
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
COVER = [ORGANISATION_LABEL, AS_OF_LABEL, MASTER_LABEL, FINGERPRINT_LABEL, GENERATED_LABEL]
TYPO = Edit("Services", "SVC-001", {"Stage": "Runing"})


def invoke(*args: object, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)


# --- plurals, names and paths in what the commands print --------------------------------------


@pytest.mark.parametrize(("edits", "line"), [
    ((), "  to-people/  (1 addressed draft, 0 people without a usable email)"),
    ((Edit("People", "P-001", {"Email": None}),),
     "  to-people/  (0 addressed drafts, 1 person without a usable email)"),
])
def test_pack_counts_drafts_and_people_in_good_english(tmp_path: Path, edits, line) -> None:
    master = write_example(tmp_path / "m.xlsx", edits)
    done = invoke("pack", master, "--as-of", AS_OF, "-o", tmp_path / "pack")
    assert line in done.stdout.splitlines(), done.stdout


def test_each_command_prints_the_path_it_wrote_as_given(tmp_path: Path) -> None:
    """report printed a relative path, pack an absolute one; both print what the user gave,
    or the default name in the current folder."""
    write_example(tmp_path / "m.xlsx")
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "pmo_xl", *args, "--as-of", AS_OF],
                              capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    assert f"Wrote the status report to status-report-{AS_OF}.xlsx." in run(
        "report", "status", "m.xlsx")
    assert f"Wrote the KPI report to kpi-report-{AS_OF}.xlsx." in run("report", "kpi", "m.xlsx")
    assert f"Governance pack: pmo-pack-{AS_OF}\n" in run("pack", "m.xlsx")
    assert "Governance pack: out/board\n" in run("pack", "m.xlsx", "-o", "out/board")
    assert f"Governance pack: {tmp_path / 'abs'}\n" in run("pack", "m.xlsx", "-o",
                                                          str(tmp_path / "abs"))


def test_help_shows_each_command_summary_whole_at_80_columns() -> None:
    """`pmo-xl --help` cut five summaries with "..."; each is now the command's first
    sentence, whole, on one line at 80 columns."""
    env = dict(os.environ, COLUMNS="80", NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "pmo_xl", "--help"], capture_output=True,
                          text=True, env=env, timeout=60)
    listed = done.stdout.split("Commands:\n", 1)[1].splitlines()
    assert len(listed) == len(cli.commands)
    for line in listed:
        assert len(line) <= 80 and not line.rstrip().endswith("..."), line
        name, summary = line.split(None, 1)
        first = cli.commands[name].help.strip().split("\n\n")[0]
        assert summary == " ".join(first.split()) and summary.endswith("."), (name, summary)


# --- the words on every workbook's cover, and a severity's spelling ----------------------------


def cover(sheet) -> dict[str, object]:
    """Label -> value of a cover block (column A label, column B value)."""
    return {row[0]: row[1] for row in sheet.iter_rows(max_col=2, values_only=True)
            if isinstance(row[0], str)}


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("wording")
    old = write_example(folder / "old.xlsx")
    master = write_example(folder / "master.xlsx", [
        TYPO, Edit("Risks and Issues", "RSK-001", None)])
    out = {name: folder / f"{name}.xlsx" for name in ("findings", "annotated", "status", "kpi",
                                                       "changes")}
    invoke("check", master, "--as-of", AS_OF, "-o", out["findings"], "--annotate",
           out["annotated"])
    invoke("report", "status", master, "--as-of", AS_OF, "-o", out["status"])
    invoke("report", "kpi", master, "--as-of", AS_OF, "-o", out["kpi"])
    invoke("diff", old, master, "--as-of", AS_OF, "-o", out["changes"])
    return out


@pytest.mark.parametrize("name", ["findings", "status", "kpi"])
def test_every_cover_names_the_master_in_the_same_words(written, name: str) -> None:
    labels = cover(openpyxl.load_workbook(written[name])["Summary"])
    assert [label for label in COVER if label in labels] == COVER, sorted(labels)
    assert labels[MASTER_LABEL] == "master.xlsx"
    assert not {"Master file", "Short hash (SHA-256)", "Made"} & set(labels)


def test_the_changes_workbook_uses_the_same_words(written) -> None:
    labels = cover(openpyxl.load_workbook(written["changes"])["Summary"])
    assert {ORGANISATION_LABEL, AS_OF_LABEL, GENERATED_LABEL} <= set(labels)


def severities(path: Path, sheet: str, header: str) -> set[str]:
    rows = openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)
    headers = list(next(rows))
    column = headers.index(header)
    return {row[column] for row in rows if row[column] is not None}


@pytest.mark.parametrize(("name", "sheet"), [
    ("findings", "Findings"), ("status", "Findings"), ("changes", "Drift findings")])
def test_a_severity_is_spelt_one_way_in_every_workbook(written, name: str, sheet: str) -> None:
    found = severities(written[name], sheet, "Severity")
    assert found and found <= {"Error", "Warning", "Info"}, found


def test_the_annotated_copy_spells_it_the_same_way(written) -> None:
    comment = openpyxl.load_workbook(written["annotated"])["Services"]["I2"].comment.text
    assert comment.startswith("S106 Error: ")


# --- what diff's summary counts -----------------------------------------------------------------


def test_diff_counts_records_and_says_so(tmp_path: Path) -> None:
    """One service with two values changed is one record changed (it said "2 changed",
    counting cells, beside records added and removed)."""
    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [
        Edit("Services", "SVC-003", {"Description": "Collect lessons.", "Priority": 2}),
        Edit("Risks and Issues", "RSK-001", None)])
    text = invoke("diff", old, new, "--as-of", AS_OF, "--quiet").stdout.strip()
    assert re.match(r"0 records added, 1 removed, 1 changed \(2 values\); ", text), text
    report = json.loads(invoke("diff", old, new, "--as-of", AS_OF, "--format", "json").stdout)
    assert report["summary"]["changed"] == 1
    assert sum(1 for c in report["changes"] if c["kind"] == "changed") == 2

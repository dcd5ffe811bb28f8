"""Under fire (issue 24): the inputs that crashed a command or slipped past it, each at its case.

Every master is built in code from the clean example (validators/examples.py) with the one
edit that broke something; the command is run as a user runs it and must end with its
ordinary outcome, or one sentence on stderr and exit code 2, never "an unexpected problem".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.master import read_master
from pmo_xl.settings import read_settings
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def no_crash(result) -> None:
    """The command ended as a command ends: no exception escaped, no 'unexpected problem'."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "unexpected problem" not in result.output, result.output
    assert "Traceback" not in result.output


# --- Settings: Review Interval Months "²" --------------------------------------------------


@pytest.mark.parametrize(("typed", "months", "g108"), [
    ("²", 12, ["B4"]), ("½", 12, ["B4"]), ("1²", 12, ["B4"]), ("٦", 6, [])])  # Arabic-Indic 6
def test_a_review_interval_in_odd_digits_is_g108_and_crashes_nothing(
        tmp_path: Path, typed: str, months: int, g108: list[str]) -> None:
    """`"²".isdigit()` is True but int("²") fails: actions and pack used to stop there. The
    interval is read once (pmo_xl.settings), so the check, the reviews and the reports agree:
    a value G108 names is ignored everywhere, and one it accepts is used everywhere."""
    master = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", None, {"Setting": "Review Interval Months", "Value": typed})])
    settings = read_settings(read_master(master))
    result = api.check(master, EXAMPLE_AS_OF)
    assert result.facts.review_interval_months == settings.review_interval_months
    assert [f.cell for f in result.findings if f.rule == "G108"] == g108
    assert settings.review_interval_months == months
    for args in (("actions", master), ("pack", master, "-o", tmp_path / "pack"),
                 ("report", "status", master, "-o", tmp_path / "status.xlsx")):
        done = invoke(*args, "--as-of", AS_OF)
        no_crash(done)
        assert done.exit_code in (0, 1), done.output


# --- catalogue --audience: a blank Customers cell, a word inside another word --------------


@pytest.mark.parametrize(("customers", "audience", "published"), [
    (None, "board", False),  # blank Customers: used to crash ("unexpected problem")
    ("Facilities management", "IT", False),  # "it" inside "facilities" is not IT
    ("IT service desk; Facilities", "IT", True),
    ("Project managers and sponsors", "project  MANAGER", True),  # plural, any case/spacing
    ("Project management office", "project manager", False),
    ("Executive board", "board", True),
    ("Boardroom staff", "board", False),
])
def test_the_audience_is_matched_as_whole_words(tmp_path: Path, customers: str | None,
                                                audience: str, published: bool) -> None:
    master = write_example(tmp_path / "m.xlsx", [
        Edit("Services", "SVC-001", {"Customers": customers})])
    out = tmp_path / "catalogue.html"
    done = invoke("catalogue", master, "--as-of", AS_OF, "--audience", audience, "-o", out)
    no_crash(done)
    assert done.exit_code in (0, 1), done.output
    assert ('id="svc-SVC-001"' in out.read_text(encoding="utf-8")) == published
    assert ("No service is published" in done.output) == (not published)

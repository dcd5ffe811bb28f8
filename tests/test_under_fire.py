"""Under fire (issue 24): the inputs that crashed a command or slipped past it, each at its case.

Every master is built in code from the clean example (validators/examples.py) with the one
edit that broke something; the command is run as a user runs it and must end with its
ordinary outcome, or one sentence on stderr and exit code 2, never "an unexpected problem".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.master import read_master
from pmo_xl.workbook.settings import read_settings

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
    interval is read once (pmo_xl.workbook.settings), so the check, the reviews and the
    reports agree: a value G108 names is ignored everywhere, and one it accepts is used
    everywhere."""
    master = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", None, {"Setting": "Review Interval Months", "Value": typed})])
    settings = read_settings(read_master(master))
    result = api.check(master, EXAMPLE_AS_OF)
    assert result.facts.settings.review_interval_months == settings.review_interval_months
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


# --- check --annotate on a master with NaN, INF or 1e999 in a number cell ------------------


@pytest.mark.parametrize("stored", ["NaN", "INF", "-inf", "1e999", "nan"])
def test_annotating_a_master_with_a_number_excel_cannot_hold(tmp_path: Path,
                                                              stored: str) -> None:
    """openpyxl cannot load `<v>NaN</v>` (the copy stopped on "an unexpected problem"); the
    copy shows the cell blank, as the check read it, with S105's comment on it; every other
    cell, a text `NaN` and a formula included, is as the master holds it."""
    import openpyxl

    from .sheet_xml import cell, with_cells

    clean = write_example(tmp_path / "clean.xlsx", [
        Edit("People", "P-001", {"Name": "NaN"})])  # text that reads like NaN stays text
    master = with_cells(clean, tmp_path / "m.xlsx", "KPIs", [
        cell("F2", v=stored), cell("Z2", f="1/0", v="NaN"), cell("Z3", t="str", v="INF")])
    copy = tmp_path / "annotated.xlsx"
    done = invoke("check", master, "--as-of", AS_OF, "--annotate", copy)
    no_crash(done)
    assert done.exit_code == 1 and "Annotated copy:" in done.output
    kpis = openpyxl.load_workbook(copy)["KPIs"]
    assert kpis["F2"].value is None and kpis["F2"].comment.text.startswith("S105 ")
    assert kpis["Z2"].value == "=1/0" and kpis["Z3"].value == "INF"  # formula; text result
    original = openpyxl.load_workbook(clean)
    assert kpis["G2"].value == original["KPIs"]["G2"].value
    assert openpyxl.load_workbook(copy)["People"]["B2"].value == "NaN"


def test_nan_on_a_sheet_the_check_does_not_read_is_blank_in_the_copy(tmp_path: Path) -> None:
    import openpyxl

    from pmo_xl.validators.examples import base_rows
    from pmo_xl.workbook.template import write_master

    from .sheet_xml import cell, with_cells

    clean = write_master(tmp_path / "clean.xlsx", base_rows(),
                         extra_sheets={"Notes": [["Budget"], [12.5]]})
    master = with_cells(clean, tmp_path / "m.xlsx", "Notes", [cell("A3", v="NaN")])
    copy = tmp_path / "annotated.xlsx"
    done = invoke("check", master, "--as-of", AS_OF, "--annotate", copy)
    no_crash(done)
    notes = openpyxl.load_workbook(copy)["Notes"]
    assert (notes["A2"].value, notes["A3"].value) == (12.5, None)


# --- diff: a whole sheet lost is drift, as one deleted row is ------------------------------


@pytest.mark.parametrize(("sheet", "rule", "exit_code", "cell", "words"), [
    # D102 is a warning (closing should be orderly), so the exit code is 0 unless --strict.
    ("Services", "D102", 0, "A1", "all 3 of its records (SVC-001, SVC-002, SVC-003) were"),
    ("Risks and Issues", "D102", 0, "A1", "its record (RSK-001) was deleted"),
    ("KPI Actuals", "D102", 0, "A1", "(KPI-01 2026-01-01, KPI-01 2026-02-01, KPI-01 2026-03-01 "
                                     "and 10 more)"),
    ("Lifecycle Log", "D106", 0, "A1", "all 5 of its records"),
])
def test_a_sheet_lost_between_versions_is_one_drift_finding(
        tmp_path: Path, sheet: str, rule: str, exit_code: int, cell: str, words: str) -> None:
    """diff said "0 drift" (exit 0) when the new version had lost the whole Services or Risks
    and Issues sheet, while deleting one risk row was a drift finding."""
    from pmo_xl.validators.registry import drop_sheet

    old = write_example(tmp_path / "old.xlsx")
    new = write_example(tmp_path / "new.xlsx", [drop_sheet(sheet)])
    done = invoke("diff", old, new, "--as-of", AS_OF, "--format", "json")
    no_crash(done)
    assert done.exit_code == exit_code, done.output
    found = json.loads(done.stdout)["findings"]
    assert [(f["rule"], f["sheet"], f["cell"], f.get("in")) for f in found] == [
        (rule, sheet, cell, "old")]
    assert f"The {sheet} sheet is in the previous version but not in this one" in \
        found[0]["message"] and words in found[0]["message"]
    assert found[0]["hint"].startswith(f"Put the {sheet} sheet back from the previous version.")


# --- an Email cell with a character nobody can see ----------------------------------------

HIDDEN = {"zero-width space": "\u200b", "byte-order mark": "\ufeff", "soft hyphen": "\u00ad",
          "left-to-right mark": "\u200e", "right-to-left override": "\u202e",
          "word joiner": "\u2060", "bell": "\a", "no-break space": "\u00a0"}


@pytest.mark.parametrize("where", ["start", "local", "domain"])
@pytest.mark.parametrize("name", list(HIDDEN))
def test_one_definition_refuses_an_address_with_a_hidden_character(name: str,
                                                                   where: str) -> None:
    from pmo_xl.people import actions, email_address
    from pmo_xl.reports import catalogue

    assert actions.usable_email is catalogue.usable_email is email_address.usable_email
    char = HIDDEN[name]
    address = {"start": f"{char}morgan@example.org", "local": f"mor{char}gan@example.org",
               "domain": f"morgan@exam{char}ple.org"}[where]
    if name == "no-break space" and where == "start":
        assert email_address.usable_email(address) == "morgan@example.org"  # trimmed, as
        return  # the reader trims a cell
    assert email_address.usable_email(address) is None


@pytest.mark.parametrize("address", ["morgan@example.org", "o'neil+pmo@mail.example.co.uk",
                                     "josé.núñez@example.org", "jörg@müller.de",
                                     "a_b@example.org"])
def test_one_definition_keeps_real_addresses(address: str) -> None:
    from pmo_xl.people.email_address import usable_email

    assert usable_email(f" {address} ") == address


@pytest.mark.parametrize("name", ["zero-width space", "byte-order mark", "soft hyphen",
                                  "right-to-left override"])
def test_a_hidden_character_in_an_email_cell_gets_no_draft_and_no_link(tmp_path: Path,
                                                                       name: str) -> None:
    """The drafts and send took `morgan\u200b@example.org` while the catalogue refused to link
    it: now none of them does, and the person is listed without a usable email."""
    char = HIDDEN[name]
    master = write_example(tmp_path / "m.xlsx", [
        Edit("People", "P-001", {"Email": f"dana{char}@example.org"}),  # has an action
        Edit("People", "P-002", {"Email": f"morgan{char}@example.org"})])  # the contact
    drafts = tmp_path / "drafts"
    done = invoke("actions", master, "--as-of", AS_OF, "-o", drafts, "--format", "json")
    no_crash(done)
    assert json.loads(done.stdout)["unaddressed"] == ["P-001"]
    assert not list(drafts.glob("*.eml"))
    page = tmp_path / "catalogue.html"
    no_crash(invoke("catalogue", master, "--as-of", AS_OF, "-o", page))
    assert "mailto:morgan" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["zero-width space", "soft hyphen", "left-to-right mark"])
def test_send_skips_a_draft_and_refuses_a_sender_with_a_hidden_character(tmp_path: Path,
                                                                         name: str) -> None:
    from pmo_xl.people import send as sending

    char = HIDDEN[name]
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "morgan.eml").write_bytes(
        f"To: Morgan <morgan{char}@example.org>\r\nSubject: Your actions\r\nX-Unsent: 1\r\n"
        "Message-ID: <1@example.org>\r\n\r\nHello\r\n".encode())
    outcome = sending.send(folder, dry_run=True, echo=lambda *a, **k: None)
    assert [d.path.name for d in outcome.skipped] == ["morgan.eml"]
    assert "no usable To: address" in outcome.skipped[0].problem
    with pytest.raises(sending.CannotSend, match="is not an email address"):
        sending.send(folder, dry_run=True, from_address=f"pmo{char}@example.org",
                     echo=lambda *a, **k: None)


def test_the_drafts_subject_and_to_are_plain_text_like_the_packs_email(tmp_path: Path) -> None:
    """The per-person drafts kept control and right-to-left override characters in Subject
    and To (a reversed subject, a bell), which the pack's email strips."""
    import email
    import email.policy
    import unicodedata

    master = write_example(tmp_path / "m.xlsx", [
        Edit("Settings", "Organisation", {"Value": "Exa\u202emple\a Org"}),
        Edit("People", "P-001", {"Name": "Morgan\u200f Man\x1bager",
                                 "Email": "morgan@example.org"})])
    drafts = tmp_path / "drafts"
    no_crash(invoke("actions", master, "--as-of", AS_OF, "-o", drafts))
    (draft,) = drafts.glob("*.eml")
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    for header in ("Subject", "To"):
        value = str(message[header])
        assert not [c for c in value if unicodedata.category(c) in ("Cc", "Cf")], (header, value)
    assert str(message["Subject"]).startswith("Example Org PMO — your actions")
    assert message["To"].addresses[0].display_name == "Morgan Manager"
    assert message["To"].addresses[0].addr_spec == "morgan@example.org"


# --- pack --force over a previous pack that cannot be removed ------------------------------


def test_pack_force_says_so_when_the_previous_pack_cannot_be_removed(tmp_path: Path) -> None:
    """A file of the old pack that nobody may remove (immutable, on a share, held open on
    Windows): the new pack is in place, and the run says where the old one was left
    instead of leaving a hidden copy beside it unsaid."""
    import shutil
    import subprocess

    master = write_example(tmp_path / "m.xlsx")
    folder = tmp_path / "packs" / "pack"
    assert invoke("pack", master, "--as-of", AS_OF, "-o", folder).exit_code == 0
    stuck = folder / "pack.json"
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(stuck)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a file immutable here (chattr, as root, on ext4)")
    left: list[Path] = []
    try:
        done = invoke("pack", master, "--as-of", AS_OF, "-o", folder, "--force")
        no_crash(done)
        assert done.exit_code == 0, done.output
        left = [p for p in folder.parent.iterdir() if p.name.startswith(".")]
        assert len(left) == 1 and (left[0] / "pack.json").exists()
        warnings = [line for line in done.stderr.splitlines() if line.startswith("Warning: ")]
        assert warnings == [f"Warning: The previous pack folder could not be removed once the "
                            f"new one was in place (it is read-only); it is kept beside it as "
                            f"{left[0]}, a hidden folder: delete it when you no longer need it."]
        assert (folder / "pack.json").is_file() and not (folder / "pack.json").samefile(
            left[0] / "pack.json")
    finally:
        for where in (stuck, *(p / "pack.json" for p in left)):
            subprocess.run(["chattr", "-i", str(where)], capture_output=True)

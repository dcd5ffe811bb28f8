"""`pmo-xl rollup`: members found and checked one by one, the rules across masters (family P)
at every side's cell, members that cannot be counted named, and the enterprise outputs."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.registry import Edit, Member, rename_header

from .conftest import run_process

AS_OF = EXAMPLE_AS_OF.isoformat()
ACROSS = [r for r in load_rules().values() if r.needs_members]


def write_members(folder: Path, members: tuple[Member, ...]) -> list[Path]:
    """Each example member, saved the number of days before the as-of date it says."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_example(folder / m.name, m.edits,
                          saved=EXAMPLE_AS_OF - dt.timedelta(days=m.saved_days_ago))
            for m in members]


def master(path: Path, edits=()) -> Path:
    """A clean example master (with `edits`) at `path`, saved on the as-of date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_example(path, edits, saved=EXAMPLE_AS_OF)


def rollup_json(*args: object, code: tuple[int, ...] = (0, 1)) -> dict:
    result = CliRunner().invoke(cli, ["rollup", *map(str, args), "--format", "json",
                                      "--as-of", AS_OF], catch_exceptions=False)
    assert result.exit_code in code, (result.exit_code, result.output)
    return json.loads(result.stdout)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- every rule across masters: its failing members name its cell, its passing ones do not --


@pytest.mark.parametrize("rule", ACROSS, ids=[r.code for r in ACROSS])
def test_failing_members_name_exactly_their_cell(rule, tmp_path: Path) -> None:
    paths = write_members(tmp_path, rule.fails.members)
    report = rollup_json(*paths)
    across = [f for f in report["findings"] if f["rule"].startswith("P")]
    assert [f["rule"] for f in across] == [rule.code], across  # nothing else across masters
    (found,) = across
    member, rest = rule.fails.cell[1:].split("]", 1)
    sheet, cell = rest.split("!")
    assert (found["member"], found["sheet"], found["cell"]) == (member, sheet, cell)
    assert found["sides"][0] == {"member": member, "sheet": sheet, "cell": cell,
                                 "row": found["row"], "column": found["column"],
                                 "record": found["record"]}
    assert found["severity"] == rule.severity and found["message"] and found["hint"]
    # every other side names a member of the roll-up and a real cell
    names = {m["member"] for m in report["members"]}
    for side in found["sides"]:
        assert side["member"] in names and side["row"] >= 1


@pytest.mark.parametrize("rule", ACROSS, ids=[r.code for r in ACROSS])
def test_passing_members_at_the_boundary_are_silent(rule, tmp_path: Path) -> None:
    paths = write_members(tmp_path, rule.passes.members)
    report = rollup_json(*paths)
    assert [f for f in report["findings"] if f["rule"].startswith("P")] == []


def test_two_clean_members_roll_up_clean(tmp_path: Path) -> None:
    paths = write_members(tmp_path, (Member("enterprise.xlsx"), Member("programme.xlsx")))
    before = [digest(p) for p in paths]
    report = rollup_json(*paths, code=(0,))
    assert report["summary"]["error"] == report["summary"]["warning"] == 0
    assert report["summary"]["counted"] == 2 and report["top"] == "PMO-1"
    assert report["lead"] == "enterprise.xlsx" and report["reporting_period"] == "2026-10-01"
    # The second lists the first's three services again: counted once, and said so.
    assert report["totals"]["status"]["Services in the catalogue"] == 3
    assert [c["service"] for c in report["totals"]["copies"]] == ["SVC-001", "SVC-002",
                                                                  "SVC-003"]
    assert [digest(p) for p in paths] == before  # members' bytes never change


# --- members that cannot be counted ---------------------------------------------------------


def test_a_renamed_required_column_is_named_and_not_counted(tmp_path: Path) -> None:
    good = master(tmp_path / "enterprise.xlsx")
    broken = master(tmp_path / "programme.xlsx",
                    [rename_header("Services", "Stage", "Lifecycle Stage")])
    before = digest(broken)
    out = tmp_path / "rollup"
    # The terminal: the member is named NOT COUNTED with the reason, and the exit code is 2.
    done = run_process("rollup", good, broken, "--as-of", AS_OF, "-o", out)
    assert done.returncode == 2, done.stderr
    line = next(li for li in done.stdout.splitlines() if li.strip().startswith("programme.xlsx"))
    assert "NOT COUNTED" in line and "structure is broken" in line and "Services!I1" in line
    assert "Error: programme.xlsx is not counted: its structure is broken" in done.stderr
    assert "1 of 2 members counted (programme.xlsx is not)" in done.stdout
    assert "Traceback" not in done.stderr
    # The JSON says the same.
    report = rollup_json(good, broken, code=(2,))
    member = next(m for m in report["members"] if m["member"] == "programme.xlsx")
    assert member["counted"] is False and "S102" in member["why_not"]
    assert report["summary"]["not_counted"] == 1
    # Its own findings are still shown (so its PMO can fix it), with the member's name.
    s102 = [f for f in report["findings"] if f["rule"] == "S102"]
    assert [(f["member"], f["sheet"], f["cell"]) for f in s102] == [
        ("programme.xlsx", "Services", "I1")]
    # The enterprise findings workbook shows it as not counted, with why.
    book = openpyxl.load_workbook(out / "enterprise-findings.xlsx")
    rows = [[c.value for c in r] for r in book["Summary"].iter_rows()]
    row = next(r for r in rows if r[0] == "programme.xlsx")
    assert row[1] == "NOT COUNTED" and "S102 at Services!I1" in row[7]
    assert digest(broken) == before


def test_an_unreadable_member_and_an_empty_folder_are_named(tmp_path: Path) -> None:
    good = master(tmp_path / "a" / "enterprise.xlsx")
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook")
    empty = tmp_path / "empty"
    empty.mkdir()
    report = rollup_json(good, text, empty, tmp_path / "missing.xlsx", code=(2,))
    why = {m["member"]: m["why_not"] for m in report["members"] if not m["counted"]}
    assert set(why) == {"notes.xlsx", "empty", "missing.xlsx"}
    assert "not an Excel workbook" in why["notes.xlsx"]
    assert "holds no master workbook" in why["empty"]
    assert "does not exist" in why["missing.xlsx"]
    assert report["summary"]["counted"] == 1


def test_no_member_at_all_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    done = run_process("rollup")
    assert done.returncode == 2 and "Missing argument" in done.stderr


# --- finding members in folders -------------------------------------------------------------


def test_a_folder_holds_masters_and_the_newest_pack_of_each(tmp_path: Path) -> None:
    folder = tmp_path / "pmos"
    master(folder / "enterprise.xlsx")
    # The programme PMO's master is not here: its packs are, and the newest one counts.
    programme = master(tmp_path / "elsewhere" / "programme.xlsx")
    for day in (dt.date(2026, 9, 30), dt.date(2026, 10, 31)):
        api.pack(programme, day, folder / "programme" / f"pack-{day}", force=True)
    # The enterprise PMO's own packs sit beside its master: they are its history, not members.
    api.pack(folder / "enterprise.xlsx", dt.date(2026, 10, 31), folder / "pack-ent", force=True)
    # pmo-xl's own reports, Excel's lock files and hidden files are passed over.
    api.report_status(folder / "enterprise.xlsx", EXAMPLE_AS_OF, folder / "status.xlsx")
    (folder / "~$enterprise.xlsx").write_bytes(b"lock")
    (folder / ".hidden.xlsx").write_bytes(b"x")
    report = rollup_json(folder)
    members = [(m["member"], m["kind"], m["as_of"]) for m in report["members"]]
    assert members == [
        ("enterprise.xlsx", "master", AS_OF),
        ("programme/pack-2026-10-31/master-snapshot.xlsx", "pack", "2026-10-31")]


def test_a_damaged_pack_is_named_not_guessed(tmp_path: Path) -> None:
    programme = master(tmp_path / "programme.xlsx")
    pack = api.pack(programme, EXAMPLE_AS_OF, tmp_path / "pack", force=True).folder
    (pack / "pack.json").write_text("{not json")
    report = rollup_json(pack, code=(2,))
    (member,) = report["members"]
    assert member["counted"] is False and "damaged" in member["why_not"]


def test_the_output_folder_is_never_inside_a_members_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pmos"
    master(folder / "enterprise.xlsx")
    done = run_process("rollup", folder, "-o", folder / "rollup", "--as-of", AS_OF)
    assert done.returncode == 2 and "reads members from" in done.stderr
    assert not (folder / "rollup").exists()
    done = run_process("rollup", folder / "enterprise.xlsx", "-o", folder / "enterprise.xlsx")
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr


# --- the enterprise outputs -------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_members(tmp_path_factory) -> tuple[list[Path], Path]:
    """Two PMOs' masters with one finding across them (P102), rolled up into rollup/."""
    folder = tmp_path_factory.mktemp("rollup")
    paths = write_members(folder / "members", (
        Member("enterprise.xlsx"),
        Member("programme.xlsx", Edit("Services", "SVC-003", {"Lead PMO": "PMO-2"}),
               Edit("People", "P-003", {"Email": "pat.programme@example.org"}))))
    api.rollup(paths, EXAMPLE_AS_OF, output=folder / "rollup")
    return paths, folder / "rollup"


def test_the_findings_workbook_has_a_member_column_and_links_into_each_member(
        two_members) -> None:
    paths, out = two_members
    book = openpyxl.load_workbook(out / "enterprise-findings.xlsx")
    sheet = book["Findings"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["Member", "Severity", "Rule", "Sheet", "Cell"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    # Pat works in PMO-2, whose own master is programme.xlsx: the enterprise's copy of her
    # row is the one that differs.
    (p102,) = [r for r in rows if r[2] == "P102"]
    assert p102[0] == "enterprise.xlsx" and p102[3] == "People" and p102[4] == "People!F4"
    assert p102[8] == "[programme.xlsx]People!F4"  # the other side
    link = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == "P102")[4].hyperlink
    assert link.target.replace("\\", "/") == "../members/enterprise.xlsx"
    assert link.location == "'People'!F4"


def test_each_pmo_manager_involved_gets_a_draft(two_members) -> None:
    _paths, out = two_members
    drafts = sorted((out / "to-pmo-managers").glob("*.eml"))
    assert [d.name for d in drafts] == ["morgan-manager-p-002.eml", "pat-programme-p-003.eml"]
    for draft in drafts:
        message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        assert message["X-Unsent"] == "1"
        body = message.get_body(("plain",)).get_content()
        assert "P102" in body and "[programme.xlsx]People!F4" in body
    tos = {str(email.message_from_bytes(d.read_bytes(), policy=email.policy.default)["To"])
           for d in drafts}
    # Each as their own master names them (programme.xlsx has Pat's new address).
    assert tos == {"Morgan Manager <morgan@example.org>",
                   "Pat Programme <pat.programme@example.org>"}


def test_the_catalogue_page_lists_each_service_once(two_members) -> None:
    _paths, out = two_members
    page = (out / "enterprise-catalogue.html").read_text()
    # Both members list SVC-001 (Running): it is the enterprise PMO's and shown once.
    assert page.count('id="svc-SVC-001"') == 1
    assert "Enterprise PMO" in page and "every PMO" in page


def test_a_members_waiver_waives_a_finding_across_masters_in_it(tmp_path: Path) -> None:
    paths = write_members(tmp_path, (
        Member("enterprise.xlsx"),
        Member("programme.xlsx", Edit("People", "P-003", {"Email": "pat.programme@example.org"}),
               Edit("Waivers", None, {"Rule": "P102", "Record": "P-003",
                                      "Reason": "Pat moves to the programme's domain in "
                                                "December.", "Approved By": "P-001",
                                      "Expires": dt.date(2027, 1, 31)}))))
    report = rollup_json(*paths, code=(0,))
    (found,) = [f for f in report["findings"] if f["rule"] == "P102"]
    assert found["waived"] is True and report["summary"]["across"]["waived"] == 1


@pytest.mark.parametrize("severity, expected", [("Warning", ["warning"]), ("Off", [])])
def test_a_members_rules_sheet_sets_a_rule_across_masters_in_it(tmp_path: Path, severity: str,
                                                                 expected: list[str]) -> None:
    """A member's own policy (its Rules sheet) holds for the findings across masters that sit
    in it, as its waivers do: P102 is an error by default."""
    paths = write_members(tmp_path, (
        Member("enterprise.xlsx"),
        Member("programme.xlsx", Edit("People", "P-003", {"Email": "pat.programme@example.org"}),
               Edit("Rules", None, {"Rule": "P102", "Severity": severity,
                                    "Reason": "Emails are being moved to the new domain.",
                                    "Approved By": "P-001"}))))
    report = rollup_json(*paths, code=(0, 1))
    assert [f["severity"] for f in report["findings"] if f["rule"] == "P102"] == expected
    clean = rollup_json(*write_members(tmp_path / "default", (
        Member("enterprise.xlsx"),
        Member("programme.xlsx", Edit("People", "P-003", {
            "Email": "pat.programme@example.org"})))), code=(1,))
    assert [f["severity"] for f in clean["findings"] if f["rule"] == "P102"] == ["error"]


def test_pmo_limits_the_roll_up_to_a_branch(tmp_path: Path) -> None:
    paths = write_members(tmp_path, (
        Member("enterprise.xlsx"),
        Member("programme.xlsx", Edit("Services", "SVC-003", {"Lead PMO": "PMO-2"}),
               Edit("People", "P-003", {"Email": "pat.programme@example.org"}))))
    report = rollup_json(*paths, "--pmo", "pmo-2")
    assert report["pmo"] == "PMO-2" and report["top"] == "PMO-2"
    assert report["lead"] == "programme.xlsx"
    states = {m["member"]: (m["counted"], m["why_not"]) for m in report["members"]}
    assert states == {"enterprise.xlsx": (False, "not under PMO-2"),
                      "programme.xlsx": (True, None)}
    # one member left: nothing across masters, and only its own findings count
    assert [f for f in report["findings"] if f["member"] == "enterprise.xlsx"] == []
    result = CliRunner().invoke(cli, ["rollup", *map(str, paths), "--pmo", "PMO-9",
                                      "--as-of", AS_OF])
    assert result.exit_code == 2 and "PMO-9 is a PMO of no member" in result.stderr


def test_several_processes_find_what_one_finds(tmp_path: Path) -> None:
    rule = load_rules()["P103"]
    paths = write_members(tmp_path / "a", rule.fails.members)
    paths += write_members(tmp_path / "b", (Member("other.xlsx"), Member("fourth.xlsx")))
    one = api.rollup(paths, EXAMPLE_AS_OF, workers=1, output=tmp_path / "one")
    two = api.rollup(paths, EXAMPLE_AS_OF, workers=2, output=tmp_path / "two")
    assert [f.as_json() for f in one.findings] == [f.as_json() for f in two.findings]
    assert [m.name for m in two.members] == [m.name for m in one.members]
    # the outputs written side by side in two processes say what one process writes
    for name in ("enterprise-findings.xlsx", "enterprise-status-report.xlsx",
                 "enterprise-kpi-report.xlsx"):
        books = [openpyxl.load_workbook(tmp_path / run / name) for run in ("one", "two")]
        assert books[0].sheetnames == books[1].sheetnames
        for sheet in books[0].sheetnames[1:]:  # the Summary holds the time it was made
            assert [[c.value for c in r] for r in books[0][sheet].iter_rows()] == \
                [[c.value for c in r] for r in books[1][sheet].iter_rows()], (name, sheet)
    pages = [(tmp_path / run / "enterprise-catalogue.html").read_bytes() for run in ("one",
                                                                                     "two")]
    assert pages[0] == pages[1]
    assert not list(tmp_path.rglob(".*"))  # no temporary file left behind


def test_rollup_help_and_the_api_agree() -> None:
    done = CliRunner().invoke(cli, ["rollup", "--help"])
    assert done.exit_code == 0 and "NOT counted" in done.output and "Example:" in done.output


def test_as_of_makes_a_roll_up_reproducible(tmp_path: Path) -> None:
    paths = write_members(tmp_path / "m", load_rules()["P112"].fails.members)
    first = rollup_json(*paths)
    shutil.copytree(tmp_path / "m", tmp_path / "copy")
    again = rollup_json(*paths)
    assert first == again


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_findings_workbook_opens_and_prints_in_libreoffice(two_members, tmp_path) -> None:
    """LibreOffice opens it, and what it prints names the finding across masters and both
    of its cells."""
    import pdfplumber

    from tests.sheet_xml import libreoffice

    _paths, out = two_members
    pdf = libreoffice(out / "enterprise-findings.xlsx", tmp_path, to="pdf")
    with pdfplumber.open(pdf) as document:
        text = "\n".join(page.extract_text() or "" for page in document.pages)
    assert "Findings across the enterprise" in text
    assert "P102" in text and "[programme.xlsx]People!F4" in text

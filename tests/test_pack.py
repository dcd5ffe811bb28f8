"""`pmo-xl pack`: the dated folder with three workbooks and an unsent email draft."""

from __future__ import annotations

import email.policy
from email.parser import BytesParser
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api, rag
from pmo_xl.compare.packs import PACK_JSON, SNAPSHOT
from pmo_xl.people.send import DRAFTS_SUBFOLDER
from pmo_xl.reports.email_draft import XLSX_TYPE, decisions_needed
from pmo_xl.reports.pack import EMAIL_NAME
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
WORKBOOKS = [f"findings-{AS_OF}.xlsx", f"status-report-{AS_OF}.xlsx",
             f"kpi-report-{AS_OF}.xlsx"]
MEMORY = [SNAPSHOT, PACK_JSON]  # what the next pack compares itself with
# Things the meeting must decide: a Critical risk escalated to the service owner, a change
# still Proposed (and BASE's SVC-003 is a Proposed service).
DECISIONS = [
    Edit("Risks and Issues", "RSK-001", {"Severity": "Critical",
                                         "Escalation Level": "Service Ownership"}),
    Edit("Changes", "CHG-001", {"Status": "Proposed", "Approved By": None,
                                "Approved Date": None}),
]


@pytest.fixture
def master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx", DECISIONS)


def read_eml(path: Path):
    with path.open("rb") as handle:
        return BytesParser(policy=email.policy.default).parse(handle)


def test_pack_writes_the_workbooks_and_an_email_draft(master, tmp_path, run_cli):
    folder = tmp_path / "board"
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder)
    checked = api.check(master, EXAMPLE_AS_OF)
    assert result.exit_code == (1 if checked.failed() else 0), result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted([*WORKBOOKS, EMAIL_NAME,
                                                               DRAFTS_SUBFOLDER, *MEMORY])
    for name in WORKBOOKS:
        assert openpyxl.load_workbook(folder / name).sheetnames  # each opens

    message = read_eml(folder / EMAIL_NAME)
    assert message["Subject"] == "Example Org PMO governance pack — October 2026"
    assert message["X-Unsent"] == "1"
    assert message["From"] is None

    body = message.get_body(preferencelist=("plain",)).get_content()
    rags = checked.active_service_rags
    assert (f"Active services by health: Green {rags['Green']}, Amber {rags['Amber']}, "
            f"Red {rags['Red']}, No data {rags['No data']}, Not reporting yet "
            f"{rags['Not reporting yet']}.") in body
    assert rag.ROLLUP_RULE in " ".join(body.split())  # the rule beside the colours
    errors = checked.summary["error"]
    assert f"Checks of the master workbook: {errors} error{'' if errors == 1 else 's'}" in body
    decisions = body.split(f"Decisions needed ({len(checked.agenda)}):")[1].split(
        "Attached:")[0]
    assert "Proposal to approve: Approve SVC-003 Lessons learned library" in decisions
    assert ("Escalated risk or issue: RSK-001, a Critical risk to SVC-001 Portfolio reporting "
            "escalated to Service Ownership, still open:") in decisions
    assert ("Change to approve: Approve or reject CHG-001 to SVC-001 Portfolio reporting: Add "
            "a benefits section to the report?") in decisions
    assert "Source: master.xlsx (SHA-256 " + checked.master.short_hash in body

    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == WORKBOOKS
    for attachment in attachments:
        assert attachment.get_content_type() == "/".join(XLSX_TYPE)
        assert attachment.get_content() == (folder / attachment.get_filename()).read_bytes()


def test_a_second_pack_into_the_same_folder_is_refused(master, tmp_path, run_cli):
    folder = tmp_path / "board"
    assert run_cli("pack", master, "--as-of", AS_OF, "-o", folder).exit_code in (0, 1)
    before = {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns)
              for p in folder.rglob("*") if p.is_file()}
    again = run_cli("pack", master, "--as-of", AS_OF, "-o", folder)
    assert again.exit_code == 2
    assert "already exists" in again.output and "--force" in again.output
    assert "Traceback" not in again.output
    assert {p.relative_to(folder): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()} == before
    forced = run_cli("pack", master, "--as-of", AS_OF, "-o", folder, "--force")
    assert forced.exit_code in (0, 1), forced.output
    assert sorted(p.name for p in folder.iterdir()) == sorted([*WORKBOOKS, EMAIL_NAME,
                                                               DRAFTS_SUBFOLDER, *MEMORY])


def test_default_folder_is_dated_in_the_current_folder(master, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = master.read_bytes(), master.stat().st_mtime_ns
    folder = api.pack(master, EXAMPLE_AS_OF).folder
    assert folder == tmp_path / f"pmo-pack-{AS_OF}"
    assert (folder / EMAIL_NAME).is_file()
    assert (master.read_bytes(), master.stat().st_mtime_ns) == before


def test_an_empty_existing_folder_is_used(master, tmp_path):
    folder = tmp_path / "made-by-hand"
    folder.mkdir()
    assert api.pack(master, EXAMPLE_AS_OF, folder).folder == folder
    assert (folder / EMAIL_NAME).is_file()


def test_unreadable_master_leaves_no_folder(tmp_path, run_cli):
    broken = tmp_path / "broken.xlsx"
    broken.write_text("not a workbook")
    folder = tmp_path / "board"
    result = run_cli("pack", broken, "--as-of", AS_OF, "-o", folder)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not folder.exists()


def test_the_master_as_the_pack_folder_is_refused(master, run_cli):
    before = master.read_bytes(), master.stat().st_mtime_ns
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", master)
    assert result.exit_code == 2
    assert (master.read_bytes(), master.stat().st_mtime_ns) == before


def test_closures_awaiting_approval_are_decisions(tmp_path):
    path = write_example(tmp_path / "master.xlsx", [Edit("Services", "SVC-001", {
        "Stage": "Closing", "Closure Reason": "Objective achieved"})])
    lines = decisions_needed(api.check(path, EXAMPLE_AS_OF))
    assert ("Closure to approve: Approve the closure of SVC-001 Portfolio reporting (Objective "
            "achieved)? Dana Director (P-001) decides." in lines)
    approved = write_example(tmp_path / "approved.xlsx", [Edit("Services", "SVC-001", {
        "Stage": "Closing", "Closure Reason": "Objective achieved",
        "Closure Approved By": "P-001", "Closure Approved Date": EXAMPLE_AS_OF})])
    assert not any("closure" in line for line in decisions_needed(api.check(approved,
                                                                            EXAMPLE_AS_OF)))


def test_clean_master_has_no_decisions_but_the_proposed_service(example_master):
    lines = decisions_needed(api.check(example_master, EXAMPLE_AS_OF))
    assert lines == ["Proposal to approve: Approve SVC-003 Lessons learned library (priority "
                     "3)? It plans 0.5 FTE and would leave PMO-1 3.5 of its 4 FTE of headroom. "
                     "Dana Director (P-001) decides."]

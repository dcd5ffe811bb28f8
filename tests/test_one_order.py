"""One order of findings everywhere (issue 24): the terminal, the findings workbook, the status
report's Findings sheet and each person's draft list the same findings in the same order,
read back from what each wrote. The master mixes what the old orders got wrong: a warning on a
row above an error (sheet order put the warning first), and two errors on one row in columns K
and AI (compared as text, "AI2" came before "K2")."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.findings import quote_sheet
from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit

from .conftest import AS_OF

EDITS = [
    Edit("Services", "SVC-001", {"Operatives": "P-004;;P-005"}),  # S111 warning, R2
    Edit("Services", "SVC-001", {"Last Reviewed": "14/09/2026"}),  # S105 error, AI2
    Edit("Services", "SVC-001", {"Delivery": "Inhouse"}),  # S106 error, K2
    Edit("Services", "SVC-002", {"Stage": "Desing"}),  # S106 error, waived below
    Edit("Procedures", "PRD-001", {"Status": "Aproved"}),  # S106 error
    Edit("Risks and Issues", "RSK-001", {"Owner": "P-099"}),  # X101 error
    Edit("Waivers", None, {"Rule": "S106", "Record": "SVC-002", "Reason": "Renaming.",
                           "Approved By": "P-001", "Expires": dt.date(2027, 1, 31)}),
]


def run(*args: object) -> str:
    result = CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": "200"},
                                catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def from_terminal(text: str) -> list[tuple[str, str]]:
    """(rule, cell address) of each finding `check --show-waived` prints, in its order."""
    found = []
    for line in text.splitlines():
        match = re.match(r"^  ([A-Z][0-9]{3})  (.+?)  ", line)
        if match:
            found.append((match.group(1), match.group(2)))
    return found


def from_table(path: Path, sheet: str, rule: str, cell: str) -> list[tuple[str, str]]:
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = list(rows[0])
    return [(row[header.index(rule)], row[header.index(cell)]) for row in rows[1:]]


def address(label: str) -> str:
    """`Risks and Issues!F2` (the findings workbook's label) as `'Risks and Issues'!F2`."""
    sheet, _, cell = label.rpartition("!")
    return label if sheet.startswith("'") else f"{quote_sheet(sheet)}!{cell}"


def from_drafts(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """Per draft, (rule, cell) of each finding it lists (`1. SVC-001 (S105 error) at ...`)."""
    found = {}
    for draft in sorted(folder.glob("*.eml")):
        message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
        text = message.get_body(("plain",)).get_content()
        found[draft.name] = [
            (match.group(1), match.group(2)) for match in re.finditer(
                r"^\d+\. \S+ \(([A-Z][0-9]{3}) (?:error|warning|info)\) at (.+?)\r?$", text,
                re.MULTILINE)]
    return found


def test_the_same_findings_in_the_same_order_in_all_four_outputs(tmp_path: Path) -> None:
    master = write_example(tmp_path / "master.xlsx", EDITS)
    terminal = from_terminal(run("check", master, "--as-of", AS_OF, "--show-waived",
                                 "-o", tmp_path / "findings.xlsx"))
    workbook = [(rule, address(label)) for rule, label in
                from_table(tmp_path / "findings.xlsx", "Findings", "Rule", "Cell")]
    run("report", "status", master, "--as-of", AS_OF, "-o", tmp_path / "status.xlsx")
    status = from_table(tmp_path / "status.xlsx", "Findings", "Rule", "Cell")
    run("actions", master, "--as-of", AS_OF, "-o", tmp_path / "drafts")
    drafts = from_drafts(tmp_path / "drafts")

    assert terminal == workbook == status
    # Errors first (the one on row 2's column K before the one in AI), the warning after
    # them, the waived finding last.
    services = [cell for rule, cell in terminal if cell.startswith("Services!")]
    assert services == ["Services!K2", "Services!AI2", "Services!R2", "Services!I3"]
    assert [rule for rule, _ in terminal][-1] == "S106" and terminal[-1][1] == "Services!I3"
    # Each person's draft lists their findings in that order too.
    position = {item: index for index, item in enumerate(terminal)}
    assert drafts and any(len(items) >= 3 for items in drafts.values())
    for name, items in drafts.items():
        assert all(item in position for item in items), name
        assert [position[item] for item in items] == sorted(position[item] for item in items), (
            name, items)

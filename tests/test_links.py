"""Hyperlinks from the findings workbook to the master's cells, whatever the master's name
holds (issue 12: `PMO master #2 (Q4).xlsx` got links cut at the `#`).

Each link is read back as a spreadsheet application would: the relationship's target is a
URI reference, resolved against the findings workbook's folder and percent-decoded; it must
name the master file, and the link's location the finding's cell. LibreOffice then opens the
findings workbooks and says where it thinks each link goes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import openpyxl
import pytest

from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

AS_OF = EXAMPLE_AS_OF.isoformat()
TYPO = [Edit("Services", "SVC-001", {"Stage": "Runing"})]  # S106 at Services!I2
NAMES = [
    "PMO master #2 (Q4).xlsx",
    "Bilanz März.xlsx",
    "100% done.xlsx",
    "a%20b.xlsx",  # looks escaped already: must not be read as "a b.xlsx"
    "Q4: plan [draft] {v2}.xlsx",
    "総合 マスター.xlsx",
    "plain.xlsx",
]
# The master in a folder whose name needs escaping too, the findings workbook elsewhere,
# so the link climbs out of one folder and into another.
MASTER_FOLDER = "PMO share #1 (Ü)"
OUT_FOLDER = "out 50%"


def resolve(findings: Path, target: str) -> Path:
    """Where a spreadsheet application opens a relative file link: decoded, joined to the
    folder of the workbook that holds it."""
    relative = urllib.parse.unquote(target.replace("\\", "/"))
    return Path(os.path.normpath(findings.parent / relative))


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> list[tuple[Path, Path]]:
    """(master, findings workbook) for every name, written by `pmo-xl check --output`."""
    from click.testing import CliRunner

    from pmo_xl.cli import cli

    root = tmp_path_factory.mktemp("links")
    (root / MASTER_FOLDER).mkdir()
    (root / OUT_FOLDER).mkdir()
    pairs = []
    for number, name in enumerate(NAMES):
        master = write_example(root / MASTER_FOLDER / name, TYPO)
        findings = root / OUT_FOLDER / f"findings {number}.xlsx"
        result = CliRunner().invoke(cli, ["check", str(master), "--as-of", AS_OF, "--select",
                                          "S", "-o", str(findings)])
        assert result.exit_code == 1, result.output
        pairs.append((master, findings))
    return pairs


@pytest.mark.parametrize("index", range(len(NAMES)), ids=NAMES)
def test_each_link_names_the_master_and_the_cell(written, index):
    master, findings = written[index]
    link = openpyxl.load_workbook(findings)["Findings"]["D2"].hyperlink
    assert link is not None and link.target, "the address is not a link"
    assert link.location == "'Services'!I2"
    assert "#" not in link.target  # a "#" in the file part would cut the name there
    opened = resolve(findings, link.target)
    assert opened == master and opened.is_file()


def test_a_master_beside_the_findings_gets_a_plain_relative_link(tmp_path, run_cli):
    master = write_example(tmp_path / "PMO master #2 (Q4).xlsx", TYPO)
    findings = tmp_path / "findings.xlsx"
    run_cli("check", master, "--as-of", AS_OF, "--select", "S", "-o", findings)
    link = openpyxl.load_workbook(findings)["Findings"]["D2"].hyperlink
    assert link.target == "PMO%20master%20%232%20(Q4).xlsx"


def test_libreoffice_follows_each_link_to_the_master(written, tmp_path):
    """LibreOffice opens every findings workbook and writes it out as flat ODF, where each
    link is a plain URL it resolved itself; each must lead to the master's cell."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    converted = tmp_path / "converted"
    done = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "fods", "--outdir", str(converted),
         *[str(findings) for _, findings in written]],
        capture_output=True, text=True, timeout=300)
    for master, findings in written:
        fods = converted / f"{findings.stem}.fods"
        assert fods.exists(), done.stdout + done.stderr
        text = fods.read_text(encoding="utf-8").replace("&apos;", "'")
        # LibreOffice writes each link as a URL relative to the document it saved.
        hrefs = [h for h in re.findall(r'xlink:href="([^"]*)"', text) if "#" in h]
        assert hrefs, f"no cell links in {fods.name}"
        url, _, location = urllib.parse.urljoin(fods.as_uri(), hrefs[0]).partition("#")
        opened = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
        assert opened == master, (hrefs[0], opened)
        assert location == "'Services'!I2"


def test_the_packs_findings_links_lead_to_its_own_snapshot_wherever_it_goes(tmp_path,
                                                                            run_cli):
    """A pack is written in a temporary folder and renamed into place, then emailed or moved:
    its findings link to the pack's own master-snapshot.xlsx beside them (issue 24: they led
    to `..\\master.xlsx`, which breaks as soon as the pack travels)."""
    (tmp_path / MASTER_FOLDER).mkdir()
    master = write_example(tmp_path / MASTER_FOLDER / "PMO master #2 (Q4).xlsx", TYPO)
    folder = tmp_path / "Board #7" / "pack 100%"
    result = run_cli("pack", master, "--as-of", AS_OF, "-o", folder)
    assert result.exit_code == 1, result.output
    findings = folder / f"findings-{AS_OF}.xlsx"
    link = openpyxl.load_workbook(findings)["Findings"]["D2"].hyperlink
    assert link.target == "master-snapshot.xlsx" and link.location == "'Services'!I2"
    assert resolve(findings, link.target) == folder / "master-snapshot.xlsx"
    travelled = tmp_path / "elsewhere" / "attachments"
    shutil.copytree(folder, travelled)
    opened = resolve(travelled / findings.name, link.target)
    assert opened.read_bytes() == master.read_bytes()  # the master the pack checked
    assert openpyxl.load_workbook(opened)["Services"]["I2"].value == "Runing"


@pytest.mark.parametrize("name", NAMES)
def test_the_changes_workbook_links_lead_to_each_version_whatever_its_name(tmp_path, run_cli,
                                                                           name):
    """`diff -o`: a `#`, `%` or space in a version's name cut or broke its links (issue 24);
    they are encoded as the findings workbook's are."""
    (tmp_path / MASTER_FOLDER).mkdir()
    (tmp_path / OUT_FOLDER).mkdir()
    old = write_example(tmp_path / MASTER_FOLDER / f"old {name}")
    new = write_example(tmp_path / MASTER_FOLDER / name, [
        *TYPO, Edit("Risks and Issues", "RSK-001", None)])
    changes = tmp_path / OUT_FOLDER / "changes #1.xlsx"
    result = run_cli("diff", old, new, "--as-of", AS_OF, "-o", changes)
    assert result.exit_code == 0, result.output  # D102 is a warning
    book = openpyxl.load_workbook(changes)
    sheet = book["Changes"]
    rows = {(row[0].value, row[2].value): row[6] for row in sheet.iter_rows(min_row=2)}
    stage = rows[("Services", "Changed")].hyperlink
    removed = rows[("Risks and Issues", "Removed")].hyperlink
    assert "#" not in stage.target and resolve(changes, stage.target) == new
    assert stage.location == "'Services'!I2"
    assert resolve(changes, removed.target) == old and removed.location == "'Risks and Issues'!A2"
    drift = book["Drift findings"]["C2"].hyperlink
    assert resolve(changes, drift.target) == old and drift.location == "'Risks and Issues'!A2"

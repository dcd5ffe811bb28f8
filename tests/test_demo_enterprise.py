"""The demo's enterprise: Northwind's three PMOs' own masters, exactly one planted problem of
each kind across them, each member's own check finding exactly the example's deliberate
problems that fall in it, and nothing of a member ever written."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.example.enterprise import ACROSS, write_enterprise_members
from pmo_xl.example.northwind import DELIBERATE, EXAMPLE_AS_OF, WAIVED
from pmo_xl.validators.families import load_rules

AS_OF = EXAMPLE_AS_OF


@pytest.fixture(scope="module")
def members(tmp_path_factory) -> list[Path]:
    return write_enterprise_members(tmp_path_factory.mktemp("enterprise") / "members", AS_OF)


def _digests(paths: list[Path]) -> dict[str, str]:
    files = [p for path in paths for p in ([path] if path.is_file() else sorted(path.rglob("*")))
             if p.is_file()]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _member_of(name: str, members: list[dict]) -> str:
    """The roll-up's name of a demo member (`finance.xlsx` is its pack's snapshot)."""
    stem = name.removesuffix(".xlsx")
    return next(m["member"] for m in members if m["member"].startswith(stem))


def test_exactly_the_planted_problems_across_masters_each_at_its_cell(members, tmp_path):
    before = _digests(members)
    result = CliRunner().invoke(cli, ["rollup", *map(str, members), "--format", "json",
                                      "--as-of", AS_OF.isoformat(), "-o", str(tmp_path / "out")],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output  # every member counted; errors found
    report = json.loads(result.stdout)
    across = [f for f in report["findings"] if f["rule"].startswith("P")]
    found = sorted((f["rule"], f["member"], f["sheet"], f["record"]) for f in across)
    wanted = sorted((p.rule, _member_of(p.member, report["members"]), p.sheet, p.record)
                    for p in ACROSS)
    assert found == wanted
    # one of each rule across masters, and each names a cell of every member it involves
    assert sorted(f["rule"] for f in across) == sorted(
        code for code, r in load_rules().items() if r.needs_members)
    for finding in across:
        assert finding["sides"][0]["cell"] == finding["cell"]
    assert _digests(members) == before  # the members' bytes never change


def test_each_members_own_check_finds_its_share_of_the_deliberate_problems(members):
    found = api.rollup(members, AS_OF)
    own = [f for m in found.members for f in m.findings]
    assert all(m.counted for m in found.members)
    assert sorted(f.rule for f in own if not f.waived) == sorted(r for r, _s, _c in DELIBERATE)
    assert sorted(f.rule for f in own if f.waived) == sorted(r for r, _s, _c in WAIVED)
    # The Finance PMO's member is its pack of three months ago: out of date, another month.
    finance = found.members[2]
    assert finance.kind == "pack" and finance.source.pack_as_of == dt.date(2026, 8, 31)


@pytest.mark.parametrize("as_of", [dt.date(2026, 12, 1), dt.date(2027, 3, 31)])
def test_the_planted_problems_do_not_depend_on_the_as_of_date(as_of, tmp_path):
    paths = write_enterprise_members(tmp_path / "members", as_of)
    found = api.rollup(paths, as_of)
    assert sorted(f.rule for f in found.across) == sorted(p.rule for p in ACROSS)
    assert sorted(f.rule for m in found.members for f in m.findings if not f.waived) == \
        sorted(r for r, _s, _c in DELIBERATE)


def test_the_demo_writes_the_roll_up_beside_the_rest(tmp_path: Path) -> None:
    run = api.demo(tmp_path / "demo", AS_OF)
    assert run.rollup is not None and len(run.rollup.across) == len(ACROSS)
    out = tmp_path / "demo" / "enterprise" / "rollup"
    assert (out / "enterprise-findings.xlsx").is_file()
    assert (out / "enterprise-catalogue.html").is_file()
    assert sorted(p.name for p in (out / "to-pmo-managers").iterdir()) == [
        "claire-donovan-p-003.eml", "rajesh-iyer-p-002.eml", "tom-okafor-p-004.eml"]
    # a second run refreshes its own files
    again = api.demo(tmp_path / "demo", AS_OF)
    assert len(again.rollup.across) == len(ACROSS)

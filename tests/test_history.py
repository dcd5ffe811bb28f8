"""pmo-xl history: years of packs as tables, read back by independent readers.

Each pack's RAG counts, findings counts and decisions are worked out again from the written
tables, once with pandas and once with DuckDB (neither is used by pmo-xl to write them), and
compared with the pack's own pack.json and with its status report read back with openpyxl:
on the demo's packs and on two generated series of packs of two PMOs side by side.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import shutil
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pmo_xl import api
from pmo_xl.cli import cli
from pmo_xl.portfolio import tables as t
from pmo_xl.portfolio.history import write_history
from pmo_xl.validators.examples import apply_edits, base_rows
from pmo_xl.validators.registry import Edit
from pmo_xl.workbook.template import write_master

D = dt.date
# Written here, not imported: the readers must not share pmo-xl's own definitions.
ACTIVE = {"Design", "Pilot", "Transition", "Running", "Closing"}


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def actual(kpi: str, period: D, value: float, prefix: str = "") -> Edit:
    return Edit("KPI Actuals", None, {"KPI ID": f"{prefix}{kpi}", "Period": period,
                                      "Actual": value, "Reported By": f"{prefix}P-002",
                                      "Reported On": period})


# PMO A, the example organisation, month by month: a Critical risk opens, a service moves
# into Pilot with nothing logged (and a waiver covers it), KPI-01 goes Red three months in a
# row (a decision: improve or close), SVC-001's yearly review falls due, the proposal waits.
SERIES_A = [
    (D(2026, 10, 31), []),
    (D(2026, 11, 30), [Edit("Risks and Issues", "RSK-001",
                            {"Severity": "Critical", "Status": "Open"})]),
    (D(2026, 12, 31), [Edit("Services", "SVC-002", {"Stage": "Pilot",
                                                    "Pilot Start": D(2026, 12, 1)}),
                       Edit("Waivers", None, {"Rule": "L103", "Record": "SVC-002",
                                              "Reason": "Logged on paper", "Approved By": "P-001",
                                              "Expires": D(2027, 6, 30)}),
                       actual("KPI-01", D(2026, 11, 1), 70)]),
    (D(2027, 1, 31), [actual("KPI-01", D(2026, 12, 1), 72),
                      Edit("Services", "SVC-001", {"Last Reviewed": D(2025, 12, 1)})]),
    (D(2027, 2, 28), [actual("KPI-01", D(2027, 1, 1), 71)]),
]
# PMO B: the same shape under its own IDs and organisation, with a stage typed wrong.
SERIES_B = [
    (D(2026, 10, 31), []),
    (D(2026, 11, 30), [Edit("Services", "FIN-SVC-002", {"Stage": "Desing"})]),
    (D(2026, 12, 31), []),
]
_ID = re.compile(r"\b(?:SVC|KPI|PMO|P|RSK|CHG|PRC|PRD|OBJ)-")


def own_ids(rows: dict[str, list[dict]], prefix: str) -> dict[str, list[dict]]:
    """The example's rows with every ID (and every Person ID header) made `prefix`'s own."""
    def own(value):
        return _ID.sub(lambda m: prefix + m.group(0), value) if isinstance(value, str) else value

    return {sheet: [{own(k): own(v) for k, v in row.items()} for row in records]
            for sheet, records in rows.items()}


def write_series(folder: Path, masters: Path, series, rows_of, name: str) -> list[Path]:
    edits: list[Edit] = []
    packs = []
    for as_of, more in series:
        edits += more
        # The PMO's master keeps its name from month to month, as a master does.
        month = masters / f"{name}-{as_of.isoformat()}"
        month.mkdir()
        master = write_master(month / f"{name}-master.xlsx", apply_edits(rows_of(), edits))
        pack = folder / f"pack-{as_of.isoformat()}"
        result = run("pack", master, "--as-of", as_of.isoformat(), "-o", pack, "-q")
        assert result.exit_code in (0, 1), result.output
        packs.append(pack)
    return packs


def finance_rows() -> dict[str, list[dict]]:
    rows = own_ids(base_rows(), "FIN-")
    rows["Settings"] = [{"Setting": "Organisation", "Value": "Finance PMO"}]
    return rows


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> dict:
    """The demo's two packs, PMO A's five and PMO B's three, and their history."""
    root = tmp_path_factory.mktemp("history")
    demo = root / "demo"
    assert run("demo", demo, "--as-of", "2026-11-30").exit_code == 0
    masters = root / "masters"
    masters.mkdir()
    a = write_series(root / "pmo-a", masters, SERIES_A, base_rows, "a")
    b = write_series(root / "pmo-b", masters, SERIES_B, finance_rows, "b")
    out = root / "tables"
    # The demo's own two packs (its enterprise/ holds a member's pack of another PMO).
    result = run("history", *sorted(demo.glob("pack-*")), root / "pmo-a", root / "pmo-b",
                 "-o", out)
    assert result.exit_code == 0, result.output
    return {"root": root, "demo": demo, "a": a, "b": b, "all": sorted(demo.glob("pack-*")) + a + b,
            "out": out, "result": result}


# --- the independent readers ------------------------------------------------------------


def read_pandas(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / f"{name}.csv", keep_default_na=False,
                              na_values=[""], dtype={"record": str})
            for name in t.TABLES}


def counts_pandas(folder: Path) -> dict[str, dict]:
    """Pack folder -> its RAG counts, findings counts and decisions, from the tables."""
    tables = read_pandas(folder)
    found = {}
    for _i, pack in tables["packs"].iterrows():
        status = tables["service_status"][tables["service_status"].pack_id == pack.pack_id]
        rags = collections.Counter(status[status.active].rag)
        findings = tables["findings"][tables["findings"].pack_id == pack.pack_id]
        counted = findings[~findings.waived]
        decisions = tables["decisions"][tables["decisions"].pack_id == pack.pack_id]
        found[pack.folder] = {
            "rag": dict(rags),
            "findings": {"error": int((counted.severity == "error").sum()),
                         "warning": int((counted.severity == "warning").sum()),
                         "info": int((counted.severity == "info").sum()),
                         "waived": int(findings.waived.sum())},
            "decisions": [{k: (None if pd.isna(v) else v) for k, v in row.items()}
                          for row in decisions[["kind", "record", "service_id", "pmo_id",
                                                "decider", "summary"]].to_dict("records")],
            "summary": {k: int(pack[k]) for k in ("errors", "warnings", "info", "waived")},
        }
    return found


def counts_duckdb(folder: Path) -> dict[str, dict]:
    db = duckdb.connect()
    for name in t.TABLES:
        db.execute(f"create view {name} as select * from read_csv('{folder / name}.csv')")
    found = {}
    for pack_id, pack_folder, errors, warnings, info, waived in db.execute(
            "select pack_id, folder, errors, warnings, info, waived from packs").fetchall():
        rags = dict(db.execute("select rag, count(*) from service_status where pack_id = ? "
                               "and active group by rag", [pack_id]).fetchall())
        counted = dict(db.execute("select severity, count(*) from findings where pack_id = ? "
                                  "and not waived group by severity", [pack_id]).fetchall())
        waived_rows = db.execute("select count(*) from findings where pack_id = ? and waived",
                                 [pack_id]).fetchone()[0]
        decisions = db.execute("select kind, record, service_id, pmo_id, decider, summary from "
                               "decisions where pack_id = ?",
                               [pack_id]).fetchall()
        found[pack_folder] = {
            "rag": rags,
            "findings": {"error": counted.get("error", 0), "warning": counted.get("warning", 0),
                         "info": counted.get("info", 0), "waived": waived_rows},
            "decisions": [dict(zip(("kind", "record", "service_id", "pmo_id", "decider",
                                    "summary"), row, strict=True)) for row in decisions],
            "summary": {"errors": errors, "warnings": warnings, "info": info, "waived": waived},
        }
    return found


# --- what each pack says of itself ----------------------------------------------------------


def pack_json_says(folder: Path) -> dict:
    memory = json.loads((folder / "pack.json").read_text(encoding="utf-8"))
    rags = collections.Counter(s["rag"] for s in memory["services"].values()
                               if s["stage"] in ACTIVE)
    return {"rag": dict(rags), "findings": memory["summary"],
            "decisions": [{"kind": d["kind"], "record": d["record"], "service_id": d["service"],
                           "pmo_id": d["pmo"], "decider": d["decider"], "summary": d["summary"]}
                          for d in memory["decisions"]],
            "as_of": memory["as_of"]}


def _count_table(sheet, heading: str) -> dict[str, int]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == heading)
    counts = {}
    for r in rows[start + 1:]:
        if not r or r[0] is None:
            break
        counts[r[0]] = r[1]
    return counts


def _label_values(sheet) -> dict[str, object]:
    """The Summary's headline numbers: each label (column A) and its value (column C)."""
    return {r[0]: r[2] for r in sheet.iter_rows(values_only=True)
            if r and isinstance(r[0], str) and len(r) > 2 and isinstance(r[2], int | float)}


def status_report_says(folder: Path, as_of: str) -> dict:
    book = openpyxl.load_workbook(folder / f"status-report-{as_of}.xlsx", read_only=True)
    rags = {k: v for k, v in _count_table(book["Summary"], "Active services' health").items()
            if v}
    numbers = _label_values(book["Summary"])
    grid = list(book["Decisions needed"].iter_rows(values_only=True))
    header = next(i for i, r in enumerate(grid) if r and r[1] == "Decision")
    names = grid[header]
    rows = []
    for r in grid[header + 1:]:  # the agenda's table, up to the gap before its numbers
        if not r or not isinstance(r[0], int | float):
            break
        rows.append(dict(zip(names, r, strict=False)))
    return {"rag": rags,
            "findings": {"error": numbers["Error findings"], "warning": numbers["Warnings"],
                         "info": numbers["Info findings"], "waived": numbers["Waived findings"]},
            "decisions": [(r["Decision"], r["Record"]) for r in rows]}


def as_sheet_rows(decisions: list[dict]) -> list[tuple]:
    """The decisions as the sheet shows them: kind and record, in the agenda's order."""
    return [(d["kind"], d["record"]) for d in decisions]


# --- the tables reproduce every pack's own numbers -----------------------------------------


@pytest.mark.parametrize("reader", [counts_pandas, counts_duckdb], ids=["pandas", "duckdb"])
def test_every_pack_s_numbers_come_back_from_the_tables(packs, reader) -> None:
    from_tables = reader(packs["out"])
    assert len(from_tables) == len(packs["all"]) == 10
    for folder in packs["all"]:
        tables = next(v for k, v in from_tables.items() if Path(k).resolve() == folder.resolve())
        memory = pack_json_says(folder)
        report = status_report_says(folder, memory["as_of"])
        assert tables["rag"] == memory["rag"] == report["rag"], folder
        assert tables["findings"] == memory["findings"] == report["findings"], folder
        assert tables["summary"] == {"errors": memory["findings"]["error"],
                                     "warnings": memory["findings"]["warning"],
                                     "info": memory["findings"]["info"],
                                     "waived": memory["findings"]["waived"]}
        assert tables["decisions"] == memory["decisions"], folder
        assert as_sheet_rows(tables["decisions"]) == report["decisions"], folder


def test_the_series_have_something_to_count(packs) -> None:
    """The comparison above is only as good as its packs: they hold every kind of number."""
    said = [pack_json_says(f) for f in packs["all"]]
    assert {rag for s in said for rag in s["rag"]} >= {"Green", "Amber", "Red", "No data"}
    assert sum(s["findings"]["error"] for s in said) > 0
    assert sum(s["findings"]["warning"] for s in said) > 0
    assert sum(s["findings"]["waived"] for s in said) > 0
    kinds = {d["kind"] for s in said for d in s["decisions"]}
    assert kinds >= {"Proposal to approve", "Improve or close",
                     "Proposals that do not all fit", "Review due"}
    # The RAG moved over PMO A's months.
    assert len({tuple(sorted(pack_json_says(f)["rag"].items())) for f in packs["a"]}) >= 2


def test_packs_of_two_pmos_sit_side_by_side(packs) -> None:
    tables = read_pandas(packs["out"])
    by_organisation = tables["packs"].groupby("organisation").size().to_dict()
    assert by_organisation == {"Northwind Group": 2, "Example Org": 5, "Finance PMO": 3}
    status = tables["service_status"].merge(tables["packs"][["pack_id", "organisation"]])
    finance = status[status.organisation == "Finance PMO"]
    assert set(finance.service_id) == {"FIN-SVC-001", "FIN-SVC-002", "FIN-SVC-003"}
    # One row per service per pack: the keys hold.
    assert not tables["service_status"].duplicated(["pack_id", "service_id"]).any()
    assert not tables["kpi_actuals"].duplicated(["pack_id", "kpi_id"]).any()
    assert tables["services"].service_id.is_unique
    assert set(tables["pmos"].pmo_id) >= {"FIN-PMO-1", "PMO-1", "PMO-ENT"}


def test_two_masters_giving_one_id_to_different_services_is_named(packs) -> None:
    """The demo's Northwind Group and PMO A both number their services SVC-001 on: the facts
    keep them apart by pack, the services table cannot, and the command says so."""
    stderr = packs["result"].stderr
    assert ("Warning: Example Org's a-master.xlsx and Northwind Group's example-master.xlsx "
            "give the same service ID to different services (SVC-001, SVC-002, SVC-003): each "
            "fact row tells them apart by its pack, but the services table describes each ID "
            "once, as the newest pack naming it does. Give each master its own IDs.") in stderr
    assert "FIN-" not in stderr  # PMO B has IDs of its own
    status = read_pandas(packs["out"])["service_status"]
    names = status[status.service_id == "SVC-001"].service_name
    assert set(names) == {"Portfolio reporting", "Portfolio status reporting"}


def test_the_story_of_a_service_reads_as_its_months(packs) -> None:
    """KPI-01 of PMO A: its actual and RAG per meeting, and the decision it led to."""
    tables = read_pandas(packs["out"])
    kpi = tables["kpi_actuals"].merge(tables["packs"][["pack_id", "organisation"]])
    kpi = kpi[(kpi.organisation == "Example Org") & (kpi.kpi_id == "KPI-01")]
    kpi = kpi.sort_values("pack_date")
    assert kpi.period.str[:7].tolist() == ["2026-09", "2026-10", "2026-11",
                                                        "2026-12", "2027-01"]
    assert kpi.actual.tolist() == [93.0, 96.0, 70.0, 72.0, 71.0]
    assert kpi.rag.tolist() == ["Amber", "Green", "Red", "Red", "Red"]
    decided = tables["decisions"].merge(tables["packs"][["pack_id", "organisation"]])
    chronic = decided[(decided.kind == "Improve or close") & (decided.service_id == "SVC-001")]
    assert chronic.organisation.tolist() == ["Example Org"]
    assert chronic.record.tolist() == ["KPI-01"] and chronic.decider.tolist() == ["P-001"]


def test_a_master_renamed_between_meetings_is_one_story_not_a_clash(packs, tmp_path) -> None:
    folder = tmp_path / "packs"
    copy_pack(packs["a"][0], folder / "october")
    later = copy_pack(packs["a"][1], folder / "november")
    memory = json.loads((later / "pack.json").read_text())
    memory["master"]["name"] = "pmo-master.xlsx"
    memory["services"]["SVC-001"]["name"] = "Portfolio reporting and insight"
    (later / "pack.json").write_text(json.dumps(memory, indent=1))
    result = history(folder, out=tmp_path / "out")
    assert result.exit_code == 0 and result.stderr == ""
    services = read_pandas(tmp_path / "out")["services"].set_index("service_id")
    assert services.loc["SVC-001", "service_name"] == "Portfolio reporting and insight"


# --- types: dates as dates, numbers as numbers ---------------------------------------------


DUCKDB = {t.TEXT: "VARCHAR", t.DATE: "DATE", t.INTEGER: "BIGINT", t.NUMBER: "DOUBLE",
          t.BOOLEAN: "BOOLEAN"}


def test_duckdb_reads_every_column_as_its_declared_type(packs) -> None:
    for table in t.TABLES.values():
        relation = duckdb.sql(f"select * from read_csv('{packs['out'] / table.name}.csv')")
        assert relation.columns == table.headers, table.name
        nulls = duckdb.sql(f"select {', '.join(f'count({c})' for c in table.headers)} "
                           f"from relation").fetchall()[0]
        for column, kind, filled in zip(table.columns, relation.types, nulls, strict=True):
            if filled:  # a column with no value at all has no type to read
                assert str(kind) == DUCKDB[column.type], (table.name, column.name, kind)


def test_pandas_reads_dates_as_dates_and_numbers_as_numbers(packs) -> None:
    for table in t.TABLES.values():
        frame = pd.read_csv(packs["out"] / f"{table.name}.csv",
                            parse_dates=table.of_type(t.DATE))
        assert frame.columns.tolist() == table.headers
        for column in table.columns:
            values = frame[column.name]
            if values.isna().all():
                continue
            if column.type == t.DATE:
                assert pd.api.types.is_datetime64_any_dtype(values), column.name
            elif column.type in (t.NUMBER, t.INTEGER):
                assert pd.api.types.is_numeric_dtype(values), (table.name, column.name)
            elif column.type == t.BOOLEAN:
                assert set(values.dropna()) <= {True, False}, column.name


def test_parquet_carries_the_declared_types_and_the_same_rows(packs, tmp_path) -> None:
    out = tmp_path / "parquet"
    result = run("history", *sorted(packs["demo"].glob("pack-*")), packs["root"] / "pmo-a",
                 packs["root"] / "pmo-b", "-o", out, "--format", "parquet")
    assert result.exit_code == 0, result.output
    arrow = {t.TEXT: "string", t.DATE: "date32[day]", t.INTEGER: "int64", t.NUMBER: "double",
             t.BOOLEAN: "bool"}
    for table in t.TABLES.values():
        schema = pq.read_schema(out / f"{table.name}.parquet")
        assert [(f.name, str(f.type)) for f in schema] == [
            (c.name, arrow[c.type]) for c in table.columns], table.name
        from_parquet = duckdb.sql(f"select * from '{out / table.name}.parquet'").fetchall()
        from_csv = duckdb.sql(f"select * from read_csv('{packs['out'] / table.name}.csv', "
                              f"all_varchar=true)").fetchall()
        assert len(from_parquet) == len(from_csv), table.name


# --- packs left out, packs counted once ----------------------------------------------------


def copy_pack(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def history(*paths: Path, out: Path):
    return run("history", *paths, "-o", out)


@pytest.mark.parametrize("content, words", [
    ("{not json", "is damaged (not JSON"),
    ('{"format": 99, "as_of": "2026-10-31"}', "written by a newer pmo-xl (format 99"),
    ("[" * 100_000, "is damaged"),
    (None, "is damaged (Expected `str | null`, got `int`".replace("`", "")),
    ("rag-missing", "is damaged (a service or KPI has no RAG)"),
    ("huge-number", "is damaged (Number out of range"),
    ("bad-period", "is not a date"),
])
def test_a_pack_that_cannot_be_read_is_named_and_left_out(packs, tmp_path, content,
                                                        words) -> None:
    folder = tmp_path / "packs"
    good = copy_pack(packs["a"][0], folder / "good")
    bad = copy_pack(packs["a"][1], folder / "bad")
    memory = json.loads((bad / "pack.json").read_text())
    if content is None:
        memory["services"]["SVC-001"]["name"] = 5
        content = json.dumps(memory, indent=1)
    elif content == "rag-missing":
        del memory["kpis"]["KPI-01"]["rag"]
        content = json.dumps(memory, indent=1)
    elif content == "huge-number":
        content = json.dumps(memory, indent=1).replace('"actual": 96.0', '"actual": 1e999')
    elif content == "bad-period":
        memory["kpis"]["KPI-02"]["period"] = "2026-02-31"
        content = json.dumps(memory, indent=1)
    (bad / "pack.json").write_text(content)
    result = history(folder, out=tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert words in result.stderr and str(bad) in result.stderr
    assert "It is left out of the history." in result.stderr
    tables = read_pandas(tmp_path / "out")
    assert tables["packs"].folder.tolist() == [str(good)]
    assert set(tables["service_status"].pack_id) == set(tables["packs"].pack_id)


def test_a_pack_without_its_snapshot_or_whose_pack_json_is_no_file_is_left_out(
        packs, tmp_path) -> None:
    import os

    folder = tmp_path / "packs"
    copy_pack(packs["a"][0], folder / "good")
    lost = copy_pack(packs["a"][1], folder / "lost")
    (lost / "master-snapshot.xlsx").unlink()
    pipe = copy_pack(packs["a"][2], folder / "pipe")
    (pipe / "pack.json").unlink()
    os.mkfifo(pipe / "pack.json")  # reading it would wait for ever
    result = history(folder, out=tmp_path / "out")
    assert result.exit_code == 0
    assert f"{lost} has lost its master-snapshot.xlsx" in result.stderr
    assert f"The pack.json of {pipe} is not a file." in result.stderr
    assert len(read_pandas(tmp_path / "out")["packs"]) == 1


def test_the_same_pack_twice_counts_once(packs, tmp_path) -> None:
    elsewhere = copy_pack(packs["a"][0], tmp_path / "copies" / "october")
    result = history(packs["root"] / "pmo-a", packs["a"][0], elsewhere, out=tmp_path / "out")
    assert result.exit_code == 0
    assert f"{elsewhere} is the same pack as {packs['a'][0]}" in result.stderr
    assert "it is counted once" in result.stderr
    tables = read_pandas(tmp_path / "out")
    assert len(tables["packs"]) == 5 and tables["packs"].pack_id.is_unique
    assert not tables["service_status"].duplicated(["pack_id", "service_id"]).any()


def test_a_pack_made_again_for_the_same_date_counts_once_the_later(packs, tmp_path) -> None:
    import os

    folder = tmp_path / "packs"
    first = copy_pack(packs["a"][2], folder / "pack-2026-12-31")
    # Made again into another folder after an edit: the same master, date, other bytes.
    again = copy_pack(packs["a"][2], folder / "pack-2026-12-31-again")
    memory = json.loads((again / "pack.json").read_text())
    memory["master"]["sha256"] = "0" * 64
    (again / "pack.json").write_text(json.dumps(memory, indent=1))
    os.utime(first / "pack.json", (1_000_000, 1_000_000))
    result = history(folder, out=tmp_path / "out")
    assert result.exit_code == 0
    assert (f"{first} and {again} are both packs of a-master.xlsx for 2026-12-31; the one "
            f"written later, {again}, is counted.") in result.stderr
    assert read_pandas(tmp_path / "out")["packs"].folder.tolist() == [str(again)]


def strip_to_first_round(folder: Path) -> None:
    """pack.json as pmo-xl wrote it before health, actuals, decisions, PMOs and people."""
    memory = json.loads((folder / "pack.json").read_text())
    old = {k: memory[k] for k in ("format", "written_by", "as_of", "organisation", "master",
                                  "summary")}
    old["services"] = {sid: {k: s[k] for k in ("name", "stage", "rag")}
                       for sid, s in memory["services"].items()}
    old["kpis"] = {kid: {"service": k["service"], "rag": k["rag"]}
                   for kid, k in memory["kpis"].items()}
    old["findings"] = memory["findings"]
    (folder / "pack.json").write_text(json.dumps(old, indent=1))


def test_a_pack_from_an_older_pmo_xl_says_what_it_does_not_know(packs, tmp_path) -> None:
    from pmo_xl.compare.packs import read_pack

    folder = copy_pack(packs["a"][1], tmp_path / "packs" / "old")
    strip_to_first_round(folder)
    record = read_pack(folder)  # the pack's memory still reads it
    assert record.decisions is None and record.services["SVC-001"].health is None
    result = history(tmp_path / "packs", out=tmp_path / "out")
    assert result.exit_code == 0, result.output
    tables = read_pandas(tmp_path / "out")
    pack = tables["packs"].iloc[0]
    assert not pack.details and pd.isna(pack.decisions)
    status = tables["service_status"]
    assert status.health.isna().all() and status.data_quality_errors.isna().all()
    assert status.rag.notna().all()
    assert tables["kpi_actuals"].period.isna().all() and tables["kpi_actuals"].rag.notna().all()
    assert tables["decisions"].empty
    # Its PMOs, people and KPI names come from its master snapshot instead.
    assert set(tables["pmos"].pmo_id) == {"PMO-1", "PMO-2"}
    assert "Dana Director" in set(tables["people"].name)
    assert tables["kpis"].kpi_name.notna().all()


# --- the folder written, and what is refused -----------------------------------------------


def test_a_second_run_refreshes_the_folder_and_nothing_else(packs, tmp_path) -> None:
    out = tmp_path / "out"
    assert history(packs["root"] / "pmo-b", out=out).exit_code == 0
    assert len(read_pandas(out)["packs"]) == 3
    assert history(packs["root"] / "pmo-a", out=out).exit_code == 0
    assert len(read_pandas(out)["packs"]) == 5
    (out / "my-chart.pbix").write_text("mine")
    result = history(packs["root"] / "pmo-a", out=out)
    assert result.exit_code == 2
    assert "holds my-chart.pbix, which pmo-xl did not write" in result.stderr
    assert (out / "my-chart.pbix").read_text() == "mine"


@pytest.mark.parametrize("case, words", [
    ("missing", "does not exist; name pack folders"),
    ("text", "is neither a pack folder, a folder of packs nor a master workbook"),
    ("empty", "No pack to read:"),
    ("output-is-master", "is the master itself"),
    ("output-in-a-pack", "pmo-xl never writes into a pack, so choose a folder outside it"),
])
def test_bad_input_is_one_sentence_and_exit_2(packs, tmp_path, case, words) -> None:
    args: list[object] = [packs["root"] / "pmo-b"]
    out: Path = tmp_path / "out"
    if case == "missing":
        args = [tmp_path / "nowhere"]
    elif case == "text":
        (tmp_path / "notes.txt").write_text("x")
        args = [tmp_path / "notes.txt"]
    elif case == "empty":
        (tmp_path / "nothing").mkdir()
        args = [tmp_path / "nothing"]
    elif case == "output-in-a-pack":
        out = packs["b"][0] / "history"
    else:
        master = write_master(tmp_path / "master.xlsx", base_rows())
        args, out = [packs["root"] / "pmo-b", master], master
    result = run("history", *args, "-o", out)
    assert result.exit_code == 2
    assert words in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_parquet_without_pyarrow_is_one_sentence(packs, tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyarrow", None)  # as if it were not installed
    result = run("history", packs["root"] / "pmo-b", "-o", tmp_path / "out", "--format",
                 "parquet")
    assert result.exit_code == 2
    assert "pip install 'pmo-xl[parquet]'" in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_current_master_describes_the_services_as_they_are_now(packs, tmp_path) -> None:
    rows = finance_rows()
    rows["Services"][0]["Service Name"] = "Budget reporting (renamed)"
    master = write_master(tmp_path / "finance.xlsx", rows)
    result = run("history", packs["root"] / "pmo-b", master, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "and 1 current master" in result.stdout
    assert result.stderr == ""  # a service renamed since is one story told on
    services = read_pandas(tmp_path / "out")["services"].set_index("service_id")
    assert services.loc["FIN-SVC-001", "service_name"] == "Budget reporting (renamed)"
    # The facts stay what each meeting saw.
    status = read_pandas(tmp_path / "out")["service_status"]
    assert set(status[status.service_id == "FIN-SVC-001"].service_name) == {
        "Portfolio reporting"}


def test_a_master_alone_gives_its_dimensions_and_no_fact(tmp_path) -> None:
    master = write_master(tmp_path / "master.xlsx", finance_rows())
    result = run("history", master, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Read no pack, only 1 current master; wrote 10 tables")
    tables = read_pandas(tmp_path / "out")
    assert tables["packs"].empty and tables["service_status"].empty
    assert set(tables["services"].service_id) == {"FIN-SVC-001", "FIN-SVC-002", "FIN-SVC-003"}
    assert tables["services"].first_pack_date.isna().all()
    assert "@" not in (tmp_path / "out" / "people.csv").read_text(encoding="utf-8")


def test_text_stays_text_whatever_it_holds(packs, tmp_path) -> None:
    """A comma, quote or line break survives the trip; text Excel would run as a formula
    is written after an apostrophe (and only there: the other cells are untouched)."""
    folder = copy_pack(packs["b"][0], tmp_path / "packs" / "odd")
    memory = json.loads((folder / "pack.json").read_text())
    odd = {"FIN-SVC-001": 'Budget, "forecast"\nand actuals',
           "FIN-SVC-002": '=HYPERLINK("http://evil.example","click")',
           "FIN-SVC-003": "-2+3"}
    for sid, name in odd.items():
        memory["services"][sid]["name"] = name
    (folder / "pack.json").write_text(json.dumps(memory, indent=1))
    assert history(tmp_path / "packs", out=tmp_path / "out").exit_code == 0
    status = read_pandas(tmp_path / "out")["service_status"].set_index("service_id")
    assert status.loc["FIN-SVC-001", "service_name"] == odd["FIN-SVC-001"]
    assert status.loc["FIN-SVC-002", "service_name"] == "'" + odd["FIN-SVC-002"]
    assert status.loc["FIN-SVC-003", "service_name"] == "'-2+3"
    assert status.loc["FIN-SVC-002", "stage"] == "Design"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_spreadsheet_opens_the_csv_as_text_and_numbers_evaluating_nothing(packs,
                                                                           tmp_path) -> None:
    """LibreOffice Calc opens service_status.csv (as UTF-8, as Excel does with its byte-order
    mark): accented names intact, counts as numbers, the formula-like name as text."""
    import subprocess
    import uuid

    folder = copy_pack(packs["b"][0], tmp_path / "packs" / "odd")
    memory = json.loads((folder / "pack.json").read_text())
    memory["services"]["FIN-SVC-001"]["name"] = "Trésorerie, prévisions"
    memory["services"]["FIN-SVC-002"]["name"] = '=HYPERLINK("http://evil.example","click")'
    (folder / "pack.json").write_text(json.dumps(memory, indent=1))
    assert history(tmp_path / "packs", out=tmp_path / "out").exit_code == 0
    profile = f"file:///tmp/lo-{uuid.uuid4().hex}"
    try:
        subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                        "--infilter=CSV:44,34,76,1", "--convert-to", "xlsx", "--outdir",
                        str(tmp_path / "lo"), str(tmp_path / "out" / "service_status.csv")],
                       check=True, capture_output=True, timeout=120)
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    sheet = openpyxl.load_workbook(tmp_path / "lo" / "service_status.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == t.SERVICE_STATUS.headers
    by_id = {r[2]: r for r in rows[1:]}
    assert by_id["FIN-SVC-001"][3] == "Trésorerie, prévisions"
    assert by_id["FIN-SVC-002"][3] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert all(c.data_type == "s" for c in sheet["D"])  # text, no formula anywhere
    assert by_id["FIN-SVC-001"][8] == 0 and isinstance(by_id["FIN-SVC-001"][8], int)


def test_several_readers_write_exactly_what_one_does(packs, tmp_path) -> None:
    paths = [*sorted(packs["demo"].glob("pack-*")), packs["root"] / "pmo-a",
             packs["root"] / "pmo-b"]
    one = write_history(paths, tmp_path / "one", readers=1)
    three = write_history(paths, tmp_path / "three", readers=3)
    assert one.rows == three.rows and one.packs == three.packs == 10
    for table in t.TABLES.values():
        name = f"{table.name}.csv"
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "three" / name).read_bytes()
    assert not list((tmp_path / "three").glob(".part-*"))


def test_the_api_does_what_the_command_does(packs, tmp_path) -> None:
    written = api.history([packs["root"] / "pmo-b"], tmp_path / "out")
    assert written.packs == 3 and written.series == 1 and written.warnings == []
    assert written.rows["service_status"] == 9
    assert written.files["packs"] == tmp_path / "out" / "packs.csv"
    assert (tmp_path / "out" / "packs.csv").read_bytes().startswith(b"\xef\xbb\xbfpack_id,")


def test_as_a_process(packs, tmp_path) -> None:
    from tests.conftest import run_process

    done = run_process("history", packs["root"] / "pmo-b", "-o", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Read 3 packs of 1 master; wrote 10 tables to ")
    assert re.search(r"service_status\.csv +9 rows", done.stdout)
    assert done.stderr == ""


def test_the_demo_writes_the_history_of_its_packs(packs) -> None:
    tables = read_pandas(packs["demo"] / "history")
    assert sorted(tables["packs"].pack_date) == ["2026-10-31", "2026-11-30"]
    assert len(tables["service_status"]) == 2 * len(tables["services"]) == 64
    assert set(tables["packs"].organisation) == {"Northwind Group"}


# --- the docs show real output ---------------------------------------------------------------


ROOT = Path(__file__).resolve().parents[1]


def _blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"```(\w*)\n(.*?)```", text, re.S)


def test_the_readme_and_docs_answer_with_what_the_demo_s_tables_say(packs) -> None:
    """The pandas example's printed output and each DuckDB example's rows, as the docs show
    them, are what running them on `pmo-xl demo --as-of 2026-11-30` gives."""
    import contextlib
    import io

    demo = str(packs["demo"]) + "/"
    checked = 0
    for doc in (ROOT / "README.md", ROOT / "docs" / "history.md"):
        blocks = _blocks(doc.read_text())
        for i, (kind, code) in enumerate(blocks):
            if "pmo-xl-demo/history" not in code or kind not in ("python", "sql"):
                continue
            shown = blocks[i + 1][1]
            code = code.replace("pmo-xl-demo/", demo)
            if kind == "python":
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(code, {})
                lines = [line.rstrip() for line in printed.getvalue().splitlines()]
                assert lines == shown.rstrip("\n").splitlines(), doc
            else:
                rows = [tuple(cell.strip() for cell in line.strip("│").split("│"))
                        for line in shown.splitlines() if line.startswith("│")][1:]
                got = [tuple(str(v) for v in row) for row in duckdb.sql(code).fetchall()]
                assert got == rows, doc
            checked += 1
    assert checked == 4

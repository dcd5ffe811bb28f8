"""What the meeting reads (meeting.md), on the demo as the issue tried it (as of 2026-12-06)
and on small masters: health apart from hygiene, thresholds that decide, a set-up plan is
no step done, who hears about a decision, and `--pmo`."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile

import openpyxl
import pytest

from pmo_xl import api, rag
from pmo_xl.example.northwind import THIS_MONTH, write_example_master
from pmo_xl.reports.kpi import write_kpi_report
from pmo_xl.reports.status import write_status_report
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

from .conftest import run_process

DEMO_AS_OF = dt.date(2026, 12, 6)  # the day the issue tried the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("meeting")
    master = write_example_master(folder / "example-master.xlsx", DEMO_AS_OF, THIS_MONTH)
    result = api.check(master, DEMO_AS_OF)
    return {"folder": folder, "master": master, "result": result,
            "status": write_status_report(result, folder / "status.xlsx"),
            "kpi": write_kpi_report(result, folder / "kpi.xlsx")}


def _table(sheet, first_header: str) -> dict[str, dict]:
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r and r[0] == first_header)
    found = {}
    for r in rows[start + 1:]:
        if not r or all(v is None for v in r):
            break
        found[r[0]] = dict(zip(rows[start], r, strict=False))
    return found


# --- health apart from hygiene ------------------------------------------------------------


def test_a_finding_about_the_data_never_changes_a_colour(demo) -> None:
    """SVC-010's Last Reviewed typed as text (S105) and SVC-005's change with its handbook
    not updated (C105) made them Amber; now they are Green, with their data quality beside."""
    services = _table(openpyxl.load_workbook(demo["status"])["Services"], "Service ID")
    for sid, rule in (("SVC-010", "S105"), ("SVC-005", "C105")):
        assert services[sid]["Health"] == "Green", sid
        assert services[sid]["Data quality: errors"] >= 1
        assert any(f.rule == rule for f in demo["result"].service_statuses[sid].findings)


def test_set_up_services_are_not_reporting_yet_not_no_data(demo) -> None:
    result = demo["result"]
    health = {sid: s.health for sid, s in result.service_statuses.items()
              if result.facts.active(sid)}
    set_up = [sid for sid in health if result.facts.stage_of[sid] in ("Design", "Pilot",
                                                                       "Transition")]
    assert set_up and all(health[sid] == rag.NOT_REPORTING for sid in set_up)
    counts = result.active_service_rags
    assert counts[rag.NOT_REPORTING] == len(set_up)
    # No data is the service that should report and has nothing: SVC-011 (KPI-12 missing)
    # and the Closing services without KPIs.
    assert health["SVC-011"] == rag.NO_DATA
    body_counts = ", ".join(f"{w} {n}" for w, n in counts.items())
    assert body_counts == "Green 8, Amber 4, Red 3, No data 3, Not reporting yet 8"


def test_a_kpi_summary_row_and_its_bar_agree(demo) -> None:
    """SVC-011 has one KPI and no actual: its Summary row says No data, not Amber, and the
    bar drawn from that row is grey."""
    sheet = openpyxl.load_workbook(demo["kpi"])["Summary"]
    rows = list(sheet.iter_rows(values_only=True))
    header = max(i for i, r in enumerate(rows) if r and r[0] == "Service or PMO")
    row = next(r for r in rows[header:] if r and r[0] == "SVC-011")
    assert row[3:9] == (1, 0, 0, 0, 1, "No data")
    assert any(rag.RAG_RULE in str(r[0]) for r in rows if r and r[0])
    with zipfile.ZipFile(demo["kpi"]) as package:
        chart = package.read("xl/charts/chart1.xml").decode()
    # Four series, one per word, each its RAG colour: No data is the grey one.
    assert "D9D9D9" in chart and chart.count("<c:ser>") == 4


# --- thresholds that decide ---------------------------------------------------------------


def test_kpi_07_is_amber_and_its_amber_threshold_is_named(demo) -> None:
    sheet = openpyxl.load_workbook(demo["kpi"])["KPIs"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    row = dict(zip(header, next(r for r in rows if r[2] == "KPI-07"), strict=True))
    assert (row["Actual"], row["Amber Threshold"], row["Red Threshold"], row["RAG"]) == (
        73.7, 75, 60, "Amber")
    [finding] = [f for f in demo["result"].findings if f.rule == "K109"]
    assert (finding.address, finding.severity) == ("KPIs!G8", "info")
    assert "KPIs!G8" in finding.message and "KPIs!H8" in finding.message
    # Every other threshold printed decides a colour: one threshold per KPI.
    others = [r for r in rows[1:] if r[2] and r[2] != "KPI-07"]
    assert all((r[11] is None) != (r[12] is None) for r in others)


def test_the_template_and_the_guide_say_the_threshold_rule(tmp_path) -> None:
    from pmo_xl.terminal.schema_doc import schema_markdown
    from pmo_xl.workbook.template import write_master

    template = openpyxl.load_workbook(write_master(tmp_path / "t.xlsx"))["KPIs"]
    comments = {c.value: c.comment.text for c in template[1] if c.comment}
    assert "with a Red Threshold set, that one decides" in comments["Amber Threshold"]
    assert "Red at this value or worse" in comments["Red Threshold"]
    guide = schema_markdown()
    assert "with a Red Threshold set, that one decides and this changes no colour" in guide


# --- the set-up pipeline: a future date is a plan ----------------------------------------


def test_a_planned_sign_off_is_not_a_step_done(demo) -> None:
    rows = _table(openpyxl.load_workbook(demo["status"])["Set-up pipeline"], "Service ID")
    pilot = rows["SVC-016"]  # Pilot, Sign-off Date 2027-02-18: a plan
    assert pilot["Sign-off Date"] is None
    # (and what else it lacks before Transition: its outcome, the pilot's result, a KPI of it)
    assert pilot["Missing before the next stage"] == (
        "Desired Outcome; Pilot Result (how the pilot met its success criteria); an Outcome "
        "KPI with its Target; Sign-off Date (planned 2027-02-18)")
    assert "Sign-off Date 2027-02-18 (in 74 days)" in pilot["Plans (dates not reached yet)"]
    assert not any(r["Missing before the next stage"] == "Nothing: ready to move on"
                   and r["Stage"] == "Pilot" for r in rows.values())


def test_a_readiness_assessment_in_the_future_is_a_plan(tmp_path) -> None:
    master = write_example(tmp_path / "m.xlsx", [Edit("Services", "SVC-002", {
        "Stage": "Transition", "Sign-off Date": dt.date(2026, 10, 1),
        "Readiness Assessment Date": dt.date(2026, 12, 1)})])
    result = api.check(master, EXAMPLE_AS_OF)
    status = write_status_report(result, tmp_path / "status.xlsx")
    row = _table(openpyxl.load_workbook(status)["Set-up pipeline"], "Service ID")["SVC-002"]
    assert row["Readiness Assessment"] is None
    assert "Readiness Assessment Date (planned 2026-12-01)" in row[
        "Missing before the next stage"]


# --- who hears about it -------------------------------------------------------------------


def test_who_decides_and_who_hears(demo, tmp_path) -> None:
    found = api.actions(demo["master"], DEMO_AS_OF)
    lists = {p.person.name: p.actions for p in found.people}
    # The chronic Red of KPI-17 (SVC-032) reaches its Service Owner, Rajesh Iyer, to decide.
    assert any(a.decision == "Improve or close" and "yours to decide" in a.text
               for a in lists["Rajesh Iyer"])
    # Marcus Webb owns SVC-002, whose High risk RSK-003 is not escalated (G105), and
    # SVC-016, piloted with no Desired Outcome (L122).
    assert [a.rule for a in lists["Marcus Webb"]] == ["L122", "G105"]
    # Messages name people by name, and a person reads "you" about themselves.
    l106 = next(a for a in lists["Rajesh Iyer"] if a.rule == "L106")
    assert "approved by you (Rajesh Iyer, P-002)" in l106.text
    assert "P-002," not in l106.text.replace("(Rajesh Iyer, P-002)", "")
    # Every decision reaches who decides it.
    deciders = {d.decider for d in found.decisions}
    assert all(any(a.decision and "yours to decide" in a.text
                   for a in next(p for p in found.people if p.person_id == pid).actions)
               for pid in deciders)


def test_a_draft_with_no_due_date_has_no_due_column(demo, tmp_path) -> None:
    import email
    import email.policy

    api.actions(demo["master"], DEMO_AS_OF, output=tmp_path / "drafts")
    for path in (tmp_path / "drafts").glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        markup = message.get_body(("html",)).get_content()
        plain = message.get_body(("plain",)).get_content()
        assert ("Due:" in plain) == (">Due</th>" in markup), path.name
        assert "—</td>" not in markup


# --- --pmo ---------------------------------------------------------------------------------


def test_pmo_limits_the_reports_to_its_services_kpis_and_people(demo, tmp_path, run_cli) -> None:
    master = demo["master"]
    stamp = DEMO_AS_OF.isoformat()
    out = tmp_path / "dig.xlsx"
    done = run_cli("report", "status", master, "--as-of", stamp, "--pmo", "PMO-DIG", "-o", out)
    assert done.exit_code == 0, done.output
    book = openpyxl.load_workbook(out)
    services = _table(book["Services"], "Service ID")
    result = demo["result"]
    led = {sid for sid, r in result.facts.services.items() if r["Lead PMO"] == "PMO-DIG"}
    assert led <= set(services)  # every service it leads (and those it delivers)
    assert "SVC-001" not in services  # Enterprise PMO's portfolio reporting, not delivered
    summary = [r[0] for r in book["Summary"].iter_rows(values_only=True) if r[0]]
    assert any(str(v).startswith("Digital Portfolio PMO (PMO-DIG)") for row in
               book["Summary"].iter_rows(values_only=True) for v in row if v)
    assert "Decisions for the meeting: 0" in summary
    kpi = tmp_path / "dig-kpi.xlsx"
    assert run_cli("report", "kpi", master, "--as-of", stamp, "--pmo", "PMO-DIG", "-o",
                   kpi).exit_code == 0
    kpis = [r[2] for r in openpyxl.load_workbook(kpi)["KPIs"].iter_rows(min_row=2,
                                                                          values_only=True)
            if r[2]]
    assert "KPI-19" in kpis and "KPI-18" not in kpis  # its own KPI, not the Enterprise PMO's
    data = json.loads(run_cli("actions", master, "--as-of", stamp, "--pmo", "PMO-ENT",
                              "--format", "json").stdout)
    assert {d["pmo"] for d in data["decisions"]} == {"PMO-ENT"}
    assert len(data["decisions"]) == 6  # ISS-001 is the Finance PMO's


def test_a_pmo_pack_compares_only_with_packs_of_the_same_pmo(demo, tmp_path) -> None:
    earlier = api.pack(demo["master"], DEMO_AS_OF - dt.timedelta(days=30), tmp_path / "all")
    assert json.loads((earlier.folder / "pack.json").read_text())["pmo"] is None
    pack = api.pack(demo["master"], DEMO_AS_OF, pmo="PMO-FIN")
    try:
        assert pack.folder.name == f"pmo-pack-PMO-FIN-{DEMO_AS_OF.isoformat()}"
        assert json.loads((pack.folder / "pack.json").read_text())["pmo"] == "PMO-FIN"
    finally:
        import shutil

        shutil.rmtree(pack.folder)
    beside = api.pack(demo["master"], DEMO_AS_OF, tmp_path / "fin", pmo="PMO-FIN")
    assert beside.memory.previous is None  # the whole-master pack beside it is not its own


def test_an_unknown_pmo_is_one_sentence(demo) -> None:
    done = run_process("report", "status", demo["master"], "--as-of",
                       DEMO_AS_OF.isoformat(), "--pmo", "PMO-XYZ")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: PMO-XYZ is not a PMO ID in the PMOs sheet of example-master.xlsx (it has "
        "PMO-ENT, PMO-DIG, PMO-FIN); give one of those.")


def test_catalogue_for_one_pmo(demo, tmp_path, run_cli) -> None:
    out = tmp_path / "fin.html"
    done = run_cli("catalogue", demo["master"], "--as-of", DEMO_AS_OF.isoformat(), "--pmo",
                   "PMO-FIN", "-o", out)
    assert done.exit_code in (0, 1), done.output
    page = out.read_text(encoding="utf-8")
    assert "Schedule assurance" in page and "Portfolio status reporting" not in page
    assert re.search(r"\(\d services? in", done.stdout)

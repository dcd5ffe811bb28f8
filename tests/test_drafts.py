"""Addressed drafts: `pmo-xl actions -o DIR` and a pack's to-people/, and `send` sending them."""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest

from pmo_xl import api
from pmo_xl.facts import Person
from pmo_xl.people.actions import PersonActions
from pmo_xl.reports import drafts as drafting
from pmo_xl.reports.drafts import MAX_LISTED, PERSON_HEADER, file_names, slug
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example
from pmo_xl.validators.registry import Edit

# The send tests' fixtures: a real SMTP server on 127.0.0.1, and nothing else reachable.
from .test_send import (  # noqa: F401
    SENDER,
    loopback_only,
    run_send,
    start_server,
)

AS_OF = EXAMPLE_AS_OF.isoformat()
D = EXAMPLE_AS_OF.__class__
SAFE_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*\.eml$")
# BASE with findings for three people: SVC-001's Service Name (P-001, P-002), RSK-001's
# Owner P-006 late with its action, and the proposal SVC-003 (for P-001 to decide).
EDITS = [
    Edit("Services", "SVC-001", {"Service Name": None}),
    Edit("Risks and Issues", "RSK-001", {"Owner": "P-006", "Target Date": D(2026, 10, 31)}),
]


def read(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str, list]:
    plain = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    markup = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    return plain, markup, list(message.iter_attachments())


def plain_text(path: Path) -> str:
    return read(path).get_body(("plain",)).get_content().replace("\r\n", "\n")


def emls(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.suffix == ".eml")


@pytest.fixture
def master(tmp_path) -> Path:
    return write_example(tmp_path / "master.xlsx", EDITS)


def test_one_draft_per_person_to_their_email(master, tmp_path, run_cli) -> None:
    out = tmp_path / "drafts"
    result = run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 1, result.output
    assert f"Drafts: {out} (3 drafts written; `pmo-xl send` sends them)" in result.stdout
    assert emls(out) == ["dana-director-p-001.eml", "jo-analyst-p-006.eml",
                         "morgan-manager-p-002.eml"]
    message = read(out / "jo-analyst-p-006.eml")
    assert message["To"] == "Jo Analyst <jo@example.org>"
    assert message["X-Unsent"] == "1"
    assert message["Subject"] == "Example Org PMO — your actions, October 2026"
    assert message[PERSON_HEADER] == "P-006"
    assert re.fullmatch(r"<[0-9a-f]{40}@pmo-xl\.invalid>", message["Message-ID"])
    assert message["From"] is None and message["Date"] is None
    plain, markup, attachments = parts(message)
    assert attachments == []
    assert plain.startswith("Hello Jo Analyst,\n\nBefore the Example Org PMO governance ")
    words = " ".join(plain.split())
    assert "meeting for October 2026, please see to this item in the PMO master" in words
    assert ("1. RSK-001 (G106 warning) at 'Risks and Issues'!J2 RSK-001 is open and its "
            "Target Date 2026-10-31 has passed (15 days ago).") in words
    assert "   Due: 2026-10-31\n" in plain
    assert "<th " in markup and ">What to do</th>" in markup
    assert "&#x27;Risks and Issues&#x27;!<wbr>" in markup
    assert ">2026-10-31</td>" in markup
    assert all(len(line) <= 78 for line in plain.splitlines())


def test_the_drafts_are_what_send_sends_and_never_twice(
        master, tmp_path, run_cli, start_server, run_send) -> None:  # noqa: F811
    out = tmp_path / "drafts"
    assert run_cli("actions", master, "--as-of", AS_OF, "-o", out).exit_code == 1
    server = start_server()
    sent = run_send(out, "--smtp", server.address, "--from", SENDER, "--yes")
    assert sent.exit_code == 0, sent.output
    assert sorted(r.rcpt_tos[0] for r in server.received) == [
        "dana@example.org", "jo@example.org", "morgan@example.org"]
    delivered = {r.message["Message-ID"]: r.message for r in server.received}
    for name in emls(out):
        draft = read(out / name)
        message = delivered[draft["Message-ID"]]
        assert message["To"] == draft["To"] and "X-Unsent" not in message
        assert parts(message)[:2] == parts(draft)[:2]
    # The analyst writes the drafts again the next day: same people, same items.
    again = run_cli("actions", master, "--as-of", "2026-11-16", "-o", out)
    assert again.exit_code == 1
    assert (out / "sent.json").is_file()
    rerun = run_send(out, "--smtp", server.address, "--from", SENDER, "--yes")
    assert rerun.exit_code == 0, rerun.output
    assert "Already sent before (see sent.json), not sent again: 3." in rerun.stdout
    assert len(server.received) == 3


def test_message_id_follows_the_items_not_the_run(master, tmp_path, run_cli) -> None:
    def ids(as_of: str, path: Path = master) -> dict[str, str]:
        out = tmp_path / f"run-{as_of}-{path.stem}"
        run_cli("actions", path, "--as-of", as_of, "-o", out)
        return {name: read(out / name)["Message-ID"] for name in emls(out)}

    first = ids(AS_OF)
    assert ids(AS_OF) == first
    # the day after, RSK-001 is 16 days late instead of 15: the same item, the same message
    assert ids("2026-11-16") == first
    # next month's meeting is another message
    assert set(ids("2026-12-02").values()).isdisjoint(first.values())
    # a new item for Jo is a new message for Jo only (a KPI of theirs with no actual)
    changed = write_example(tmp_path / "changed.xlsx", [*EDITS, Edit(
        "KPIs", None, {"KPI ID": "KPI-03", "Service ID": "SVC-001", "KPI Name": "New measure",
                       "Direction": "Higher is better", "Target": 8, "Frequency": "Monthly",
                       "Owner": "P-006"})])
    later = ids(AS_OF, changed)
    assert later["jo-analyst-p-006.eml"] != first["jo-analyst-p-006.eml"]
    assert later["dana-director-p-001.eml"] == first["dana-director-p-001.eml"]


def test_the_same_run_writes_the_same_bytes(master, tmp_path, run_cli) -> None:
    for name in ("a", "b"):
        run_cli("actions", master, "--as-of", AS_OF, "-o", tmp_path / name)
    for name in emls(tmp_path / "a"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_a_long_list_comes_as_a_workbook(tmp_path, run_cli) -> None:
    kpis = [Edit("KPIs", None, {"KPI ID": f"KPI-{n:02d}", "Service ID": "SVC-001",
                                "KPI Name": f"Measure {n}", "Direction": "Higher is better",
                                "Target": 8, "Frequency": "Monthly", "Owner": "P-006"})
            for n in range(10, 10 + MAX_LISTED + 2)]
    master = write_example(tmp_path / "m.xlsx", kpis)
    out = tmp_path / "drafts"
    run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    plain, markup, attachments = parts(read(out / "jo-analyst-p-006.eml"))
    count = MAX_LISTED + 2
    assert f"{MAX_LISTED}. KPI-34 (K103 warning) at KPIs!A28" in plain
    assert f"\n{MAX_LISTED + 1}. " not in plain
    more = (f"… and 2 more: all {count} are in the attached workbook "
            f"your-actions-{AS_OF}.xlsx.")
    assert " ".join(more.split()) in " ".join(plain.split())
    assert markup.count("<tr>") == MAX_LISTED + 1  # the header and 25 items
    assert [a.get_filename() for a in attachments] == [f"your-actions-{AS_OF}.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(attachments[0].get_content()))
    sheet = book["Your actions"]
    rows = list(sheet.iter_rows(values_only=True))
    # No item has a due date: no column of blanks.
    assert rows[0] == ("Record", "Kind", "Rule", "What to do", "Cell")
    assert ">Due</th>" not in markup
    assert len(rows) == count + 1
    assert rows[1][:3] == ("KPI-10", "finding", "K103 warning") and rows[1][4] == "KPIs!A4"
    # a short list has no attachment
    assert parts(read(out / "dana-director-p-001.eml"))[2] == []


INJECTED = ["<script>document.body.setAttribute('data-pwned','1')</script>",
            "\"><img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"]


def injected_master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "injected.xlsx", [
        # Morgan owns the proposed service, so hears of it: their draft carries its name.
        Edit("Services", "SVC-003", {"Service Name": INJECTED[0], "Service Owner": "P-002"}),
        Edit("Changes", "CHG-001", {"Status": "Proposed", "Approved By": None,
                                    "Approved Date": None, "Description": INJECTED[1]}),
        Edit("People", "P-002", {"Name": "Morgan <b>Manager</b> & \"Co\""}),
        Edit("Settings", "Organisation", {"Value": "Example <i>Org</i>\nBcc: evil@x.org"}),
    ])


def test_master_text_is_escaped_in_the_html(tmp_path, run_cli) -> None:
    out = tmp_path / "drafts"
    run_cli("actions", injected_master(tmp_path), "--as-of", AS_OF, "-o", out)
    for name in emls(out):
        message = read(out / name)
        assert message["Bcc"] is None
        assert message["Subject"] == "Example <i>Org</i> Bcc: evil@x.org PMO — your actions, " \
                                     "October 2026"
        plain, markup, _ = parts(message)
        for text in INJECTED:
            assert text not in markup
        assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
    _, morgan, _ = parts(read(out / "morgan-b-manager-b-co-p-002.eml"))
    assert ("&lt;script&gt;document.body.setAttribute(&#x27;data-pwned&#x27;,&#x27;1&#x27;)"
            "&lt;/script&gt;") in morgan
    assert "Hello Morgan &lt;b&gt;Manager&lt;/b&gt; &amp; &quot;Co&quot;," in morgan
    _, dana, _ = parts(read(out / "dana-director-p-001.eml"))
    assert "&quot;&gt;&lt;img src=x onerror=&quot;" in dana


# --- who cannot be addressed -------------------------------------------------------------------

def test_no_or_malformed_email_is_listed_and_gets_no_draft(tmp_path, run_cli) -> None:
    master = write_example(tmp_path / "m.xlsx", [
        *EDITS,
        Edit("People", "P-001", {"Email": None}),
        Edit("People", "P-006", {"Email": "jo at example.org"}),
        Edit("People", "P-002", {"Email": "morgan@example.org\nBcc: evil@example.org"}),
    ])
    out = tmp_path / "drafts"
    result = run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 1, result.output
    # (the third: RSK-001 past its Target Date, of which the Service Owner is told)
    assert "Dana Director (P-001), no draft (no Email in People): 3 actions" in result.stdout
    assert ("Jo Analyst (P-006), no draft (Email 'jo at example.org' in People is not an "
            "address): 1 action") in result.stdout
    assert ("no usable email for Dana Director (P-001), Morgan Manager (P-002), Jo Analyst "
            "(P-006)") in result.stdout
    assert emls(out) == []
    data = json.loads(run_cli("actions", master, "--as-of", AS_OF, "--format", "json").stdout)
    assert data["unaddressed"] == ["P-001", "P-002", "P-006"]
    assert [p["email"] for p in data["people"]] == [
        None, "morgan@example.org\nBcc: evil@example.org", "jo at example.org"]


def test_the_pack_email_names_who_could_not_be_addressed(tmp_path) -> None:
    master = write_example(tmp_path / "m.xlsx", [*EDITS, Edit("People", "P-006",
                                                              {"Email": None})])
    pack = api.pack(master, EXAMPLE_AS_OF, tmp_path / "pack")
    assert emls(pack.folder / "to-people") == ["dana-director-p-001.eml",
                                               "morgan-manager-p-002.eml"]
    body = plain_text(pack.email)
    assert ("Each person's actions: 2 addressed drafts in to-people/ (pmo-xl send sends "
            "them).\nNot addressed, no usable Email in People (pass their actions on, or add "
            "the Email and run again):\n- Jo Analyst (P-006): no Email in People.\n") in body


def test_two_people_with_one_name_get_two_drafts(tmp_path, run_cli) -> None:
    master = write_example(tmp_path / "m.xlsx", [
        *EDITS, Edit("People", "P-006", {"Name": "Dana Director", "Email": "dana2@example.org"})])
    out = tmp_path / "drafts"
    run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert emls(out) == ["dana-director-p-001.eml", "dana-director-p-006.eml",
                         "morgan-manager-p-002.eml"]
    assert read(out / "dana-director-p-006.eml")["To"] == "Dana Director <dana2@example.org>"


def test_names_windows_forbids_make_safe_file_names(tmp_path, run_cli) -> None:
    master = write_example(tmp_path / "m.xlsx", [
        *EDITS, Edit("People", "P-006", {"Name": 'Jo: "A/B" <x>|?*\\. '}),
        Edit("People", "P-002", {"Name": "Zoë Ñúñez-Łukasz"})])
    out = tmp_path / "drafts"
    run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert emls(out) == ["dana-director-p-001.eml", "jo-a-b-x-p-006.eml",
                         "zoe-nunez-ukasz-p-002.eml"]
    assert read(out / "zoe-nunez-ukasz-p-002.eml")["To"].addresses[0].display_name == \
        "Zoë Ñúñez-Łukasz"


def person(pid: str, name: str | None) -> PersonActions:
    return PersonActions(Person(pid, name, None, None, f"{pid}@example.org"))


@pytest.mark.parametrize(("people", "expected"), [
    ([("CON", None)], ["person-con.eml"]),
    ([("P-1", "aux"), ("P-2", "Lpt1 Smith")], ["aux-p-1.eml", "lpt1-smith-p-2.eml"]),
    ([("NUL", ""), ("com1", None)], ["person-nul.eml", "person-com1.eml"]),
    ([("王伟", "王伟")], ["person.eml"]),
    ([("P 1", "Ann"), ("P-1", "Ann"), ("p_1", "ANN")],
     ["ann-p-1.eml", "ann-p-1-2.eml", "ann-p-1-3.eml"]),
    ([("P-9", "x" * 300)], ["x" * 60 + ".eml"]),
    ([("P-1", "  ...  ")], ["p-1.eml"]),
])
def test_file_names(people, expected) -> None:
    names = file_names([person(pid, name) for pid, name in people])
    assert list(names.values()) == expected
    assert all(SAFE_NAME.match(n) for n in names.values())


def test_slug() -> None:
    assert slug("Zoë O'Brien-Smith") == "zoe-o-brien-smith"
    assert slug(None) == ""


# --- the folder: a derived output --------------------------------------------------------------

def test_rewriting_replaces_only_its_own_drafts(master, tmp_path, run_cli) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    (out / "sent.json").write_text('{"sent": []}\n')
    (out / "notes.txt").write_text("mine")
    (out / "my-own.eml").write_bytes(b"Subject: kept\r\n\r\nmine\r\n")
    run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert emls(out) == ["dana-director-p-001.eml", "jo-analyst-p-006.eml",
                         "morgan-manager-p-002.eml", "my-own.eml"]
    # RSK-001 is closed: Jo has nothing to do now, so her earlier draft goes
    fixed = write_example(tmp_path / "fixed.xlsx", [EDITS[0], Edit(
        "Risks and Issues", "RSK-001", {"Owner": "P-006", "Status": "Closed"})])
    result = run_cli("actions", fixed, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 1, result.output
    assert emls(out) == ["dana-director-p-001.eml", "morgan-manager-p-002.eml", "my-own.eml"]
    assert (out / "sent.json").read_text() == '{"sent": []}\n'
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "my-own.eml").read_bytes() == b"Subject: kept\r\n\r\nmine\r\n"
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_one_person_replaces_only_their_draft(master, tmp_path, run_cli) -> None:
    out = tmp_path / "drafts"
    run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    before = {n: (out / n).read_bytes() for n in emls(out)}
    (out / "dana-director-p-001.eml").unlink()
    run_cli("actions", master, "--as-of", AS_OF, "-o", out, "--person", "P-006")
    assert emls(out) == ["jo-analyst-p-006.eml", "morgan-manager-p-002.eml"]
    assert {n: (out / n).read_bytes() for n in emls(out)} == {
        n: b for n, b in before.items() if n != "dana-director-p-001.eml"}


def test_a_file_not_written_by_pmo_xl_under_a_drafts_name_is_refused(master, tmp_path,
                                                                     run_cli) -> None:
    out = tmp_path / "drafts"
    out.mkdir()
    (out / "jo-analyst-p-006.eml").write_bytes(b"Subject: my draft\r\n\r\nhand-written\r\n")
    result = run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: {out / 'jo-analyst-p-006.eml'} exists and was not "
                                     "written by pmo-xl; move it or choose another folder for "
                                     "the drafts.")
    assert emls(out) == ["jo-analyst-p-006.eml"]


@pytest.mark.parametrize("target", ["file", "master"])
def test_an_output_that_is_not_a_folder_is_one_sentence(master, tmp_path, run_cli,
                                                        target) -> None:
    out = master if target == "master" else tmp_path / "drafts.txt"
    if target == "file":
        out.write_text("x")
    before = out.read_bytes()
    result = run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert out.read_bytes() == before


def test_a_failure_mid_way_keeps_the_earlier_drafts(master, tmp_path, run_cli,
                                                    monkeypatch) -> None:
    out = tmp_path / "drafts"
    run_cli("actions", master, "--as-of", AS_OF, "-o", out)
    before = {n: (out / n).read_bytes() for n in emls(out)}
    real = drafting.build_message
    calls = []

    def fail_on_second(actions, someone):
        calls.append(someone.person_id)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real(actions, someone)

    monkeypatch.setattr(drafting, "build_message", fail_on_second)
    changed = write_example(tmp_path / "changed.xlsx", [*EDITS, Edit(
        "Changes", "CHG-001", {"Status": "Proposed", "Approved By": None,
                               "Approved Date": None})])
    result = run_cli("actions", changed, "--as-of", AS_OF, "-o", out)
    assert result.exit_code == 2
    assert result.stderr.strip() == (f"Error: The disk is full; the drafts in {out} were not "
                                     "written.")
    assert {n: (out / n).read_bytes() for n in emls(out)} == before
    assert list(p.name for p in out.iterdir() if p.name.startswith(".")) == []


# --- packs and the demo ------------------------------------------------------------------------

def test_pack_force_replaces_the_drafts_and_keeps_sent_json(master, tmp_path, run_cli) -> None:
    folder = tmp_path / "pack"
    assert run_cli("pack", master, "--as-of", AS_OF, "-o", folder).exit_code == 1
    assert emls(folder / "to-people") == ["dana-director-p-001.eml", "jo-analyst-p-006.eml",
                                          "morgan-manager-p-002.eml"]
    record = '{"sent": [{"message_id": "<x@y>", "to": ["jo@example.org"]}]}\n'
    (folder / "sent.json").write_text(record)
    ids = {n: read(folder / "to-people" / n)["Message-ID"] for n in emls(folder / "to-people")}
    fixed = write_example(tmp_path / "fixed.xlsx", [EDITS[0]])
    result = run_cli("pack", fixed, "--as-of", AS_OF, "-o", folder, "--force")
    assert result.exit_code == 1, result.output
    assert "  to-people/  (2 addressed drafts, 0 people without a usable email)" in result.stdout
    assert (folder / "sent.json").read_text() == record
    # Jo's draft is gone; Dana's changed (she was told of RSK-001's G106 as its Service
    # Owner); Morgan's, unchanged, keeps its Message-ID.
    assert {n: read(folder / "to-people" / n)["Message-ID"]
            for n in emls(folder / "to-people")} == {
        n: i for n, i in ids.items() if n == "morgan-manager-p-002.eml"} | {
        "dana-director-p-001.eml": read(folder / "to-people" / "dana-director-p-001.eml")[
            "Message-ID"]}
    assert read(folder / "to-people" / "dana-director-p-001.eml")["Message-ID"] != ids[
        "dana-director-p-001.eml"]


def test_the_demo_writes_the_drafts_and_says_so(tmp_path, run_cli) -> None:
    result = run_cli("demo", tmp_path / "demo", "--as-of", "2026-11-30")
    assert result.exit_code == 0, result.output
    drafts = tmp_path / "demo" / "pack-2026-11-30" / "to-people"
    assert (f"  {drafts}  (one email draft per person with their actions, 11 in all; Hannah "
            "Lewis (P-014) has none: no Email in People)") in result.stdout
    # Marcus Webb decides SVC-023 and owns SVC-002, whose High risk is not escalated.
    assert emls(drafts) == ["aisha-rahman-p-005.eml", "claire-donovan-p-003.eml",
                            "daniel-price-p-008.eml", "grace-whitfield-p-010.eml",
                            "helen-marsh-p-001.eml", "lukas-novak-p-006.eml",
                            "marcus-webb-p-015.eml", "mei-chen-p-007.eml",
                            "rajesh-iyer-p-002.eml", "sofia-alvarez-p-009.eml",
                            "tom-okafor-p-004.eml"]
    body = plain_text(drafts.parent / "governance-pack.eml")
    assert "- Hannah Lewis (P-014): no Email in People." in body

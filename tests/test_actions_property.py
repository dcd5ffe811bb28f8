"""Property: on any master a person can type, every finding that is not waived reaches a
person or the unassigned list (with the reason), and nothing else appears.

Masters are generated as in tests/test_property.py (BASE mutated in memory: blanks, retypes,
swapped IDs, duplicates, odd text), then checked and routed; every addressed draft is built
too, so odd names and addresses never break one.

Examples: 40 by default, 200 when CI is set, or PMO_XL_HYPOTHESIS_EXAMPLES.
"""

from __future__ import annotations

import email.policy
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pmo_xl import api
from pmo_xl.people.actions import FINDING, KINDS, build_actions
from pmo_xl.reports.drafts import build_message, file_names
from pmo_xl.validators.examples import EXAMPLE_AS_OF, base_rows
from pmo_xl.validators.registry import Edit

from .test_property import mutate, mutation, write

EXAMPLES = int(os.environ.get("PMO_XL_HYPOTHESIS_EXAMPLES")
               or (200 if os.environ.get("CI") else 40))


def assert_every_finding_reaches_someone(found) -> None:
    facts = found.result.facts
    owed = {(f.rule, f.address) for f in found.result.findings if not f.waived}
    waived = {(f.rule, f.address) for f in found.result.findings if f.waived} - owed
    given_to: set[tuple[str | None, str]] = set()
    for person in found.people:
        assert person.person_id in facts.people, person.person_id
        assert person.actions, person.person_id
        for action in person.actions:
            assert action.kind in KINDS, action
            assert (action.kind == FINDING) == (action.rule is not None), action
            assert action.text and action.cell, action
            if action.kind == FINDING:
                assert (action.rule, action.cell) in owed, action
                given_to.add((action.rule, action.cell))
        identities = [a.identity for a in person.actions]
        assert len(identities) == len(set(identities)), person.person_id
    for item in found.unassigned:
        action = item.action
        assert action.kind in KINDS, action
        assert item.why and item.why.endswith("."), item
        if action.kind == FINDING:
            assert (action.rule, action.cell) in owed, action
            given_to.add((action.rule, action.cell))
    assert given_to == owed, owed - given_to
    assert not given_to & waived
    assert {p.person_id for p in found.unaddressed} <= {p.person_id for p in found.people}
    json.dumps(found.as_json())


def assert_drafts_build(found) -> None:
    addressed = [p for p in found.people if p.address]
    names = file_names(addressed)
    assert len(set(n.lower() for n in names.values())) == len(addressed)
    for person in addressed:
        policy = email.policy.SMTP if person.address.isascii() else email.policy.SMTPUTF8
        message = build_message(found, person)
        data = message.as_bytes(policy=policy)
        assert b"\nBcc:" not in data
        assert message["To"].addresses[0].addr_spec == person.address


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("actions-property")


@settings(max_examples=EXAMPLES, deadline=None,
          derandomize=not os.environ.get("PMO_XL_HYPOTHESIS_EXAMPLES"),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(changes=st.lists(mutation(), min_size=1, max_size=8))
def test_every_finding_reaches_a_person_or_the_unassigned_list(folder: Path, changes) -> None:
    path = folder / "mutated.xlsx"
    write(path, mutate(base_rows(), changes))
    found = build_actions(api.check(path, EXAMPLE_AS_OF))
    assert_every_finding_reaches_someone(found)
    assert_drafts_build(found)


def test_the_property_can_fail(tmp_path: Path) -> None:
    """The assertion sees a finding that reached nobody."""
    path = tmp_path / "m.xlsx"
    write(path, mutate(base_rows(), [("Services", "blank", 0, 0, "Service Name", None)]))
    found = build_actions(api.check(path, EXAMPLE_AS_OF))
    assert_every_finding_reaches_someone(found)
    for person in found.people:
        person.actions[:] = [a for a in person.actions if a.rule != "S104"]
    with pytest.raises(AssertionError):
        assert_every_finding_reaches_someone(found)


def test_the_unassigned_reasons_hold_on_a_master_nobody_owns(tmp_path: Path) -> None:
    """Every owner and manager blanked: all goes to the unassigned list, each with why."""
    from pmo_xl.validators.examples import write_example

    edits = [Edit("Services", sid, {"Service Owner": None, "Service Managers": None})
             for sid in ("SVC-001", "SVC-002", "SVC-003")]
    edits += [Edit("PMOs", pmo, {"PMO Manager": None}) for pmo in ("PMO-1", "PMO-2")]
    found = build_actions(api.check(write_example(tmp_path / "m.xlsx", edits), EXAMPLE_AS_OF))
    assert_every_finding_reaches_someone(found)
    why = {(u.action.label, u.action.cell): u.why for u in found.unassigned}
    assert why[("S104 error", "Services!P2")] == (
        "Its service's Service Owner and Service Managers are blank, and SVC-001's Lead PMO "
        "PMO-1 has no PMO Manager in People.")

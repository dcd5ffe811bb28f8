"""O — roles: Service Owner, Service Manager, Service Operative, and the key documents' owners.

Who typically holds each role is a convention (information by default; a PMO that wants it
enforced raises it in its Rules sheet); who owns each key document is said outright. The
checks read a person's Job Role and PMO from People; an ID that is not in People is X101's finding
and is skipped here, so one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.findings import ERROR, INFO, WARNING, Problem
from pmo_xl.validators.registry import CONVENTION, RECOMMENDED, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    DOCUMENT_OWNER_ROLE,
    KEY_DOCUMENTS,
    MANAGER_JOB_ROLES,
    OUTSOURCED,
    OWNER_JOB_ROLES,
    Delivery,
    Documents,
    JobRole,
    KeyDocument,
    People,
    Services,
    Stage,
    split_list,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts, Person

# Stages at which a service must have its Service Managers (Pilot onwards, as in L rules).
MANAGED_STAGES = tuple(s for s in ACTIVE_STAGES if s != Stage.DESIGN)


def _service(facts: Facts, row: int) -> str:
    return facts.master[Services].record(row) or f"the service on row {row}"


def _who(facts: Facts, pid: str, person: Person) -> str:
    """`Grace Whitfield (P-010), a PMO Administrator`."""
    return f"{facts.person_label(pid)}, a {person.job_role}"


@rule("O101", INFO, "A Service Owner is not a PMO Director or PMO Manager",
      kind=CONVENTION,
      why="A Service Owner is typically a PMO Director or a PMO Manager: typical, not required.",
      fails=[Edit(Services, "SVC-001", {Services.service_owner: "P-004"})], cell="Services!P2",
      passes=[Edit(Services, "SVC-001", {Services.service_owner: "P-002"})])
def owner_role(facts: Facts) -> Iterator[Problem]:
    """The Service Owner is accountable for setting up, running and closing the service, is
    appointed by the PMO Director, and is typically a PMO Director or a PMO Manager. Typical
    is not required: information by default (raise it in the Rules sheet to require it).

    Passing: SVC-001's owner is P-002, a PMO Manager (the more junior of the two roles).
    Failing: its owner is P-004, a PMO Analyst.
    """
    services, staff = facts.master[Services], facts.people
    for row, owner in facts.master[Services].data[Services.service_owner].items():
        person = staff.get(owner) if owner is not None else None
        if person is None or person.job_role is None or person.job_role in OWNER_JOB_ROLES:
            continue
        yield services.problem(
            int(row), Services.service_owner,
            f"The Service Owner of {_service(facts, int(row))} is {_who(facts, owner, person)}; "
            "a Service Owner is typically a PMO Director or PMO Manager.",
            "If that is not what your PMO intends, appoint a PMO Director or PMO Manager as "
            "Service Owner, or correct the person's Job Role in People.")


@rule("O102", INFO, "A Service Manager is not a PMO Manager or PMO Analyst",
      kind=CONVENTION,
      why="A Service Manager is typically a PMO Manager or a PMO Analyst: typical, not required.",
      fails=[Edit(Services, "SVC-001", {Services.service_managers: "P-005"})], cell="Services!Q2",
      passes=[Edit(Services, "SVC-001", {Services.service_managers: "P-002 ;P-004"})])
def manager_role(facts: Facts) -> Iterator[Problem]:
    """A Service Manager runs the service day to day and reports its KPIs, a role typically
    held by a PMO Manager or a PMO Analyst. Typical is not required: information by default
    (raise it in the Rules sheet to require it). Every person in Service Managers is
    checked; one finding per service names all who do not fit.

    Passing: SVC-001's Service Managers typed `P-002 ;P-004`: a PMO Manager and a PMO
    Analyst. Failing: its Service Manager is P-005, a PMO Administrator.
    """
    services, staff = facts.master[Services], facts.people
    for row, managers in services.data[Services.service_managers].items():
        wrong = [
            _who(facts, pid, staff[pid]) for pid in split_list(managers)
            if pid in staff and staff[pid].job_role is not None
            and staff[pid].job_role not in MANAGER_JOB_ROLES
        ]
        if wrong:
            yield services.problem(
                int(row), Services.service_managers,
                f"{_service(facts, int(row))} has Service Manager(s) {'; '.join(wrong)}; a "
                "Service Manager is typically a PMO Manager or PMO Analyst.",
                "If that is not what your PMO intends, name a PMO Manager or PMO Analyst as "
                "Service Manager (an administrator can be a Service Operative), or correct "
                "the Job Role in People.")


def delivering_pmos(lead: str | None, operatives: object, staff: dict[str, Person]) -> list[str]:
    """The PMOs that deliver a service: its Lead PMO plus the PMO of each Service Operative.

    Operatives execute the service's processes, so the PMO they work in takes
    part in delivering it. Operatives outside any PMO (an outsourced supplier) add none.
    The Service Managers' own PMOs are not added: they would always be covered.
    """
    pmos = [lead] if lead else []
    for pid in split_list(operatives):
        pmo = staff[pid].pmo if pid in staff else None
        if pmo and pmo not in pmos:
            pmos.append(pmo)
    return pmos


@rule("O103", INFO, "A PMO that may deliver the service has no Service Manager",
      kind=CONVENTION,
      why="Where several PMOs deliver a service there may be several Service Managers: an option, "
          "not a requirement.",
      fails=[Edit(Services, "SVC-001", {Services.operatives: "P-004; P-006"})], cell="Services!Q2")
def manager_per_pmo(facts: Facts) -> Iterator[Problem]:
    """Where a service is delivered by multiple PMOs, there *may* be multiple Service
    Managers: one per delivering PMO is an option, not a requirement.

    A convention, so information: the "may" does not oblige a PMO to
    appoint a manager in every PMO, and the delivering PMOs are only inferred here (the Lead
    PMO plus the home PMO, in People, of each Service Operative), while an operative
    borrowed from another PMO does not make that PMO a deliverer. So the finding tells the
    PMO where a manager could be missing and never counts against the master; an opt-in
    setting was not chosen because a rule that is off by default is one nobody finds.
    Checked from Pilot to Closing, and only when Service Managers is filled in (a blank one
    is a lifecycle finding). An outsourced service with no in-PMO manager at all is O106's
    finding instead.
    Passing: SVC-001 is led by PMO-1 and its operatives and manager P-002 all work in PMO-1.
    Failing: operative P-006 works in PMO-2, where SVC-001 has no Service Manager.
    """
    services, staff = facts.master[Services], facts.people
    data = services.data
    for row, stage, lead, managers, operatives, delivery in zip(
        data.index, data[Services.stage], data[Services.lead_pmo], data[Services.service_managers],
        data[Services.operatives], data[Services.delivery], strict=True,
    ):
        listed = [pid for pid in split_list(managers) if pid]
        if stage not in MANAGED_STAGES or not listed:
            continue
        managed = {staff[pid].pmo for pid in listed if pid in staff and staff[pid].pmo}
        if delivery in OUTSOURCED and not managed:
            continue  # O106
        missing = [p for p in delivering_pmos(lead, operatives, staff) if p not in managed]
        if missing:
            yield services.problem(
                int(row), Services.service_managers,
                f"{_service(facts, int(row))} {_why_delivering(lead, missing)}, but none of "
                f"its Service Managers ({'; '.join(listed)}) works there.",
                f"If {', '.join(missing)} delivers the service too, it may have its own "
                "Service Manager (add them to Service Managers); an operative on loan needs "
                "none.")


def _why_delivering(lead: str | None, missing: list[str]) -> str:
    """`is led by PMO-1`, `has operatives in PMO-2`, or both."""
    parts = [f"is led by {lead}"] if lead in missing else []
    others = [p for p in missing if p != lead]
    if others:
        parts.append(f"has operatives in {', '.join(others)}")
    return " and ".join(parts)


@rule("O104", WARNING, "A key document is owned by the wrong role",
      kind=RECOMMENDED,
      why="The Service Strategy is owned by the PMO Director and the Operations Handbook by the "
          "PMO Manager; another owner is worth a second look.",
      fails=[Edit(Documents, KeyDocument.STRATEGY, {Documents.owner: "P-002"})],
      cell="Documents!B2",
      passes=[Edit(Documents, KeyDocument.CATALOGUE, {Documents.owner: "P-004"})])
def document_owner_role(facts: Facts) -> Iterator[Problem]:
    """The PMO Service Strategy is owned by the PMO Director and the PMO
    Operations Handbook by the PMO Manager. The Service Catalogue's owner is not
    prescribed.

    Passing: the Service Catalogue is owned by P-004, a PMO Analyst (its owner is not
    prescribed). Failing: the Service Strategy is owned by P-002, a PMO Manager.
    """
    documents, staff = facts.master[Documents], facts.people
    for row, document, owner in zip(documents.data.index, documents.data[Documents.document],
                                    documents.data[Documents.owner], strict=True):
        wanted = DOCUMENT_OWNER_ROLE.get(document)
        person = staff.get(owner) if owner is not None else None
        if wanted is None or person is None or person.job_role is None or person.job_role == wanted:
            continue
        yield documents.problem(
            int(row), Documents.owner,
            f"The {document} is owned by {_who(facts, owner, person)}; it is owned by a {wanted}.",
            f"Make a {wanted} the owner of the {document}.")


@rule("O105", WARNING, "A key document is missing from Documents",
      kind=RECOMMENDED,
      why="The Service Strategy, the Service Catalogue and the Operations Handbook are the PMO's "
          "key documents, each with an owner.",
      fails=[Edit(Documents, KeyDocument.CATALOGUE, None)], cell="Documents!A1",
      passes=[Edit(Documents, KeyDocument.CATALOGUE, None),
              Edit(Documents, None, {Documents.document: KeyDocument.CATALOGUE,
                                     Documents.owner: "P-002"})])
def document_missing(facts: Facts) -> Iterator[Problem]:
    """Documents lists the three key documents: the Service Strategy, the Service Catalogue
    and the Operations Handbook, each with its owner.

    The finding points at the Document header, since the missing row has no cell of its own;
    its record is the document's name (so a waiver can name it).
    Passing: the Service Catalogue's row moved to the end, with only its owner filled in
    (any row, in any order, counts). Failing: the Service Catalogue's row is gone.
    """
    documents = facts.master[Documents]
    if not documents.present or not documents.has(Documents.document):
        return
    listed = set(documents.data[Documents.document].dropna())
    for document in KEY_DOCUMENTS:
        if document not in listed:
            yield Problem(
                documents.title, documents.header_row, documents.letter(Documents.document),
                document,
                f"Documents has no row for the {document}.",
                f"Add a row for the {document} with its owner, version and last review date.")


@rule("O106", ERROR, "An outsourced service has no Service Manager in a PMO",
      kind=REQUIRED,
      why="A PMO may outsource all or part of a service, but it still delivers the service or "
          "manages its outsourcing.",
      fails=[Edit(People, None, {People.person_id: "P-007", People.name: "Vera Vendor",
                                 People.job_role: JobRole.OTHER}),
             Edit(Services, "SVC-001", {Services.delivery: Delivery.OUTSOURCED_EXTERNAL,
                                        Services.service_managers: "P-007"})],
      cell="Services!Q2",
      passes=[Edit(People, None, {People.person_id: "P-007", People.name: "Vera Vendor",
                                  People.job_role: JobRole.OTHER}),
              Edit(Services, "SVC-001", {Services.delivery: Delivery.OUTSOURCED_EXTERNAL,
                                         Services.service_managers: "P-007; P-002"})])
def outsourced_manager(facts: Facts) -> Iterator[Problem]:
    """A service the PMO outsources (inside or outside the organisation) is still managed
    from the PMO: at least one Service Manager works in a PMO (the PMO
    delivers the service or manages its outsourcing). Checked from Pilot to Closing when
    Service Managers is filled in.

    Passing: SVC-001 is outsourced and managed by P-007, who works in no PMO, and P-002 of
    PMO-1 (one in a PMO is enough). Failing: its only Service Manager is P-007.
    """
    services, staff = facts.master[Services], facts.people
    data = services.data
    for row, stage, managers, delivery in zip(
        data.index, data[Services.stage], data[Services.service_managers],
        data[Services.delivery], strict=True,
    ):
        listed = [pid for pid in split_list(managers) if pid]
        if delivery not in OUTSOURCED or stage not in MANAGED_STAGES or not listed:
            continue
        if any(pid not in staff for pid in listed):
            continue  # an unknown person is X101's finding; it may well be in a PMO
        if not any(staff[pid].pmo for pid in listed):
            yield services.problem(
                int(row), Services.service_managers,
                f"{_service(facts, int(row))} is {delivery.lower()} but none of its Service "
                f"Managers ({'; '.join(listed)}) works in a PMO.",
                "Name a Service Manager from the Lead PMO to manage the supplier (set their "
                "PMO in People if they already work in one).")

"""O — roles: Service Owner, Service Manager, Service Operative (seed §3, §4).

The seed says who typically holds each role and who owns each key document. The checks
read a person's Job Role and PMO from People; an ID that is not in People is X101's finding
and is skipped here, so one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.master import Master
from pmo_xl.validators.registry import Context, Edit, rule
from pmo_xl.validators.schema import ACTIVE_STAGES, KEY_DOCUMENTS, split_list

OWNER_ROLES = ("PMO Director", "PMO Manager")  # seed §3.1
MANAGER_ROLES = ("PMO Manager", "PMO Analyst")  # seed §3.2
DOCUMENT_OWNER_ROLE = {  # seed §4.1 and §4.3; the catalogue's owner is not prescribed
    "Service Strategy": "PMO Director",
    "Operations Handbook": "PMO Manager",
}
OUTSOURCED = ("Outsourced internal", "Outsourced external")
# Stages at which a service must have its Service Managers (Pilot onwards, as in L rules).
MANAGED_STAGES = tuple(s for s in ACTIVE_STAGES if s != "Design")


@dataclass(frozen=True)
class Person:
    role: str | None
    pmo: str | None


def people(master: Master) -> dict[str, Person]:
    """Person ID -> job role and PMO, read once."""
    table = master["People"]
    found: dict[str, Person] = {}
    for pid, role, pmo in zip(table.data["Person ID"], table.data["Job Role"],
                              table.data["PMO"], strict=True):
        if pid is not None:
            found[str(pid)] = Person(role, None if pmo is None else str(pmo))
    return found


def _service(master: Master, row: int) -> str:
    return master["Services"].record(row) or f"the service on row {row}"


def _who(pid: str, person: Person) -> str:
    return f"{pid} ({person.role})"


@rule("O101", WARNING, "A Service Owner is not a PMO Director or PMO Manager",
      fails=[Edit("Services", "SVC-001", {"Service Owner": "P-004"})], cell="Services!P2")
def owner_role(master: Master, context: Context) -> Iterator[Problem]:
    """The Service Owner is accountable for setting up, running and closing the service, and
    is appointed by the PMO Director from the PMO's senior people: a PMO Director or a PMO
    Manager (seed §3.1).

    Passing: SVC-001's owner P-001 is a PMO Director. Failing: its owner is P-004, a PMO
    Analyst.
    """
    services, staff = master["Services"], people(master)
    for row, owner in master["Services"].data["Service Owner"].items():
        person = staff.get(owner) if owner is not None else None
        if person is None or person.role is None or person.role in OWNER_ROLES:
            continue
        yield services.problem(
            int(row), "Service Owner",
            f"The Service Owner of {_service(master, int(row))} is {_who(owner, person)}; "
            "a Service Owner is a PMO Director or PMO Manager.",
            "Appoint a PMO Director or PMO Manager as Service Owner, or correct the person's "
            "Job Role in People.")


@rule("O102", WARNING, "A Service Manager is not a PMO Manager or PMO Analyst",
      fails=[Edit("Services", "SVC-001", {"Service Managers": "P-005"})], cell="Services!Q2")
def manager_role(master: Master, context: Context) -> Iterator[Problem]:
    """A Service Manager runs the service day to day and reports its KPIs, a role for a PMO
    Manager or a PMO Analyst (seed §3.2). Every person in Service Managers is checked; one
    finding per service names all who do not fit.

    Passing: SVC-001's Service Manager P-002 is a PMO Manager. Failing: its Service Manager
    is P-005, a PMO Administrator.
    """
    services, staff = master["Services"], people(master)
    for row, managers in services.data["Service Managers"].items():
        wrong = [
            _who(pid, staff[pid]) for pid in split_list(managers)
            if pid in staff and staff[pid].role is not None
            and staff[pid].role not in MANAGER_ROLES
        ]
        if wrong:
            yield services.problem(
                int(row), "Service Managers",
                f"{_service(master, int(row))} has Service Manager(s) {', '.join(wrong)}; a "
                "Service Manager is a PMO Manager or PMO Analyst.",
                "Name a PMO Manager or PMO Analyst as Service Manager (an administrator can "
                "be a Service Operative), or correct the Job Role in People.")


def delivering_pmos(lead: str | None, operatives: object, staff: dict[str, Person]) -> list[str]:
    """The PMOs that deliver a service: its Lead PMO plus the PMO of each Service Operative.

    Operatives execute the service's processes (seed §3.3), so the PMO they work in takes
    part in delivering it. Operatives outside any PMO (an outsourced supplier) add none.
    The Service Managers' own PMOs are not added: they would always be covered.
    """
    pmos = [lead] if lead else []
    for pid in split_list(operatives):
        pmo = staff[pid].pmo if pid in staff else None
        if pmo and pmo not in pmos:
            pmos.append(pmo)
    return pmos


@rule("O103", WARNING, "A delivering PMO has no Service Manager",
      fails=[Edit("Services", "SVC-001", {"Operatives": "P-004; P-006"})], cell="Services!Q2")
def manager_per_pmo(master: Master, context: Context) -> Iterator[Problem]:
    """Where a service is delivered by several PMOs, each of them has its own Service
    Manager (seed §3 NB, §5.1).

    The delivering PMOs are the Lead PMO plus the PMO (in People) of each Service Operative;
    each needs a Service Manager who works in it. Checked from Pilot to Closing, and only
    when Service Managers is filled in (a blank one is a lifecycle finding). An outsourced
    service with no in-PMO manager at all is O106's finding instead.
    Passing: SVC-001 is led by PMO-1 and its operatives and manager P-002 all work in PMO-1.
    Failing: operative P-006 works in PMO-2, where SVC-001 has no Service Manager.
    """
    services, staff = master["Services"], people(master)
    data = services.data
    for row, stage, lead, managers, operatives, delivery in zip(
        data.index, data["Stage"], data["Lead PMO"], data["Service Managers"],
        data["Operatives"], data["Delivery"], strict=True,
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
                int(row), "Service Managers",
                f"{_service(master, int(row))} is delivered by {', '.join(missing)} too, but "
                f"none of its Service Managers ({'; '.join(listed)}) works there.",
                f"Add a Service Manager from {', '.join(missing)} to Service Managers "
                "(one per delivering PMO).")


@rule("O104", WARNING, "A key document is owned by the wrong role",
      fails=[Edit("Documents", "Service Strategy", {"Owner": "P-002"})], cell="Documents!B2")
def document_owner_role(master: Master, context: Context) -> Iterator[Problem]:
    """The PMO Service Strategy is owned by the PMO Director (seed §4.1) and the PMO
    Operations Handbook by the PMO Manager (seed §4.3). The Service Catalogue's owner is not
    prescribed.

    Passing: the Service Strategy is owned by P-001, a PMO Director. Failing: it is owned by
    P-002, a PMO Manager.
    """
    documents, staff = master["Documents"], people(master)
    for row, document, owner in zip(documents.data.index, documents.data["Document"],
                                    documents.data["Owner"], strict=True):
        wanted = DOCUMENT_OWNER_ROLE.get(document)
        person = staff.get(owner) if owner is not None else None
        if wanted is None or person is None or person.role is None or person.role == wanted:
            continue
        yield documents.problem(
            int(row), "Owner",
            f"The {document} is owned by {_who(owner, person)}; it is owned by a {wanted}.",
            f"Make a {wanted} the owner of the {document}.")


@rule("O105", WARNING, "A key document is missing from Documents",
      fails=[Edit("Documents", "Service Catalogue", None)], cell="Documents!A1")
def document_missing(master: Master, context: Context) -> Iterator[Problem]:
    """Documents lists the three key documents: the Service Strategy, the Service Catalogue
    and the Operations Handbook (seed §4), each with its owner.

    The finding points at the Document header, since the missing row has no cell of its own;
    its record is the document's name (so a waiver can name it).
    Passing: all three documents have a row. Failing: the Service Catalogue's row is gone.
    """
    documents = master["Documents"]
    if not documents.present or not documents.has("Document"):
        return
    listed = set(documents.data["Document"].dropna())
    for document in KEY_DOCUMENTS:
        if document not in listed:
            yield Problem(
                documents.title, documents.header_row, documents.letter("Document"), document,
                f"Documents has no row for the {document}.",
                f"Add a row for the {document} with its owner, version and last review date.")


@rule("O106", ERROR, "An outsourced service has no Service Manager in a PMO",
      fails=[Edit("People", None, {"Person ID": "P-007", "Name": "Vera Vendor",
                                   "Job Role": "Other"}),
             Edit("Services", "SVC-001", {"Delivery": "Outsourced external",
                                          "Service Managers": "P-007"})],
      cell="Services!Q2")
def outsourced_manager(master: Master, context: Context) -> Iterator[Problem]:
    """A service the PMO outsources (inside or outside the organisation) is still managed
    from the PMO: at least one Service Manager works in a PMO (seed §2, §5.1: the PMO
    delivers the service or manages its outsourcing). Checked from Pilot to Closing when
    Service Managers is filled in.

    Passing: an outsourced service managed by P-002 of PMO-1. Failing: SVC-001 is outsourced
    and its only Service Manager, P-007, works in no PMO.
    """
    services, staff = master["Services"], people(master)
    data = services.data
    for row, stage, managers, delivery in zip(
        data.index, data["Stage"], data["Service Managers"], data["Delivery"], strict=True,
    ):
        listed = [pid for pid in split_list(managers) if pid]
        if delivery not in OUTSOURCED or stage not in MANAGED_STAGES or not listed:
            continue
        if any(pid not in staff for pid in listed):
            continue  # an unknown person is X101's finding; it may well be in a PMO
        if not any(staff[pid].pmo for pid in listed):
            yield services.problem(
                int(row), "Service Managers",
                f"{_service(master, int(row))} is {delivery.lower()} but none of its Service "
                f"Managers ({'; '.join(listed)}) works in a PMO.",
                "Name a Service Manager from the Lead PMO to manage the supplier (set their "
                "PMO in People if they already work in one).")

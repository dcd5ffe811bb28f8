"""H — catalogue against handbook: the Service Catalogue and the Operations Handbook agree.

The Service Catalogue (Services, SIPOC) and the Operations Handbook (Procedures, RACI) tell
one story: a service past Design has procedures for its processes, they are tested before
the service goes live and approved while it runs, retired when it closes, each with a
RACI; a running service's KPI reporting is itself a procedure. SIPOC inputs and outputs
link processes: an input of one process that is another's output is a dependency.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from pmo_xl.facts import reached
from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.validators.common import all_present, is_at, problem_at
from pmo_xl.validators.registry import RECOMMENDED, REQUIRED, Edit, rule
from pmo_xl.validators.schema import (
    ENDED_STAGES,
    RACI,
    SIPOC,
    ProcedureKind,
    Procedures,
    ProcedureStatus,
    Services,
    Stage,
)

if TYPE_CHECKING:
    from pmo_xl.facts import Facts


@rule("H101", ERROR, "A service in Pilot or later has no procedure",
      kind=REQUIRED,
      why="The detailed procedures of a service need to be defined in the Operations Handbook "
          "during set-up, and a pilot tests them.",
      fails=[Edit(Services, "SVC-002", {Services.stage: Stage.PILOT})], cell="Services!I3",
      passes=[Edit(Services, "SVC-003", {Services.stage: Stage.CLOSED})])
def service_without_procedure(facts: Facts) -> Iterator[Problem]:
    """A service is piloted with its procedures (processes and procedures are
    tested before business as usual), so from Pilot until it closes it has at least one
    procedure in the Operations Handbook.

    Passing: SVC-002 in Design and SVC-003 Closed, neither with a procedure (Design is the
    last stage before the check, Closed the first after it). Failing: SVC-002 moved to Pilot
    with no procedure.
    """
    if not all_present(facts, Services, Procedures):
        return
    services = facts.master[Services]
    for sid, stage in facts.stage_of.items():
        if (reached(stage, Stage.PILOT) and stage != Stage.CLOSED
                and sid not in facts.procedures_by_service):
            row = facts.service_row[sid]
            yield problem_at(
                services, row, Services.stage, sid,
                f"Service {sid} {is_at(stage)} but has no procedure in the Operations "
                "Handbook.",
                f"Add the procedures that deliver {sid} to Procedures, each with its RACI.")


@rule("H102", ERROR, "A process has no procedure",
      kind=REQUIRED,
      why="Each process underpinning a service needs the procedures that carry it out, defined in "
          "the Operations Handbook during set-up.",
      fails=[Edit(SIPOC, None, {SIPOC.service_id: "SVC-001", SIPOC.process_id: "PRC-003",
                                SIPOC.process_name: "Archive the report"})],
      cell="SIPOC!B4",
      passes=[Edit(SIPOC, None, {SIPOC.service_id: "SVC-002", SIPOC.process_id: "PRC-003",
                                 SIPOC.process_name: "Map benefits"}),
              Edit(Services, "SVC-003", {Services.stage: Stage.CLOSED}),
              Edit(SIPOC, None, {SIPOC.service_id: "SVC-003", SIPOC.process_id: "PRC-004",
                                 SIPOC.process_name: "Publish lessons"})])
def process_without_procedure(facts: Facts) -> Iterator[Problem]:
    """Every SIPOC process of a service in Pilot or later is carried out by at least one
    procedure in the Operations Handbook (the detailed procedures are defined
    during set-up). Processes of services still in Proposed or Design may not have them
    yet, and Closed services are not checked.

    Passing: new processes PRC-003 of SVC-002 (in Design) and PRC-004 of SVC-003 (Closed),
    neither carried out by a procedure. Failing: a new process PRC-003 of SVC-001 (Running)
    that no procedure names.
    """
    if not all_present(facts, SIPOC, Procedures):
        return
    sipoc = facts.master[SIPOC]
    for row, process, sid in zip(sipoc.data.index.tolist(), sipoc.data[SIPOC.process_id].tolist(),
                                 sipoc.data[SIPOC.service_id].tolist(), strict=True):
        stage = facts.stage_of.get(sid) if sid is not None else None
        if (process is None or not reached(stage, Stage.PILOT) or stage == Stage.CLOSED
                or process in facts.procedures_by_process):
            continue
        yield problem_at(
            sipoc, row, SIPOC.process_id, process,
            f"Process {process} of {sid} ({stage}) has no procedure in the Operations "
            "Handbook.",
            f"Add a procedure with Process ID {process} to Procedures, or remove the process "
            "from SIPOC if it is no longer used.")


@rule("H103", ERROR, "A procedure is still Draft at Transition or Running",
      kind=REQUIRED,
      why="All processes and procedures require testing before a service moves into business as "
          "usual.",
      fails=[Edit(Procedures, "PRD-002", {Procedures.status: ProcedureStatus.DRAFT})],
      cell="Procedures!E3",
      passes=[Edit(Services, "SVC-002", {Services.stage: Stage.PILOT}),
              Edit(Procedures, None, {Procedures.procedure_id: "PRD-004",
                                      Procedures.procedure_name: "Build the benefits register",
                                      Procedures.service_id: "SVC-002",
                                      Procedures.status: ProcedureStatus.DRAFT,
                                      Procedures.owner: "P-003",
                                      Procedures.kind: ProcedureKind.DELIVERY})])
def draft_in_operation(facts: Facts) -> Iterator[Problem]:
    """All processes and procedures are tested before a service transitions into business
    as usual, so a service in Transition or Running has no Draft procedure.

    Passing: PRD-004 of SVC-002 is still Draft while SVC-002 is in Pilot, the stage before
    Transition. Failing: PRD-002 of Running SVC-001 is Draft.
    """
    if not all_present(facts, Services, Procedures):
        return
    table = facts.master[Procedures]
    for item in facts.procedures:
        stage = facts.stage_of.get(item.service) if item.service else None
        if item.status == ProcedureStatus.DRAFT and stage in (Stage.TRANSITION, Stage.RUNNING):
            yield problem_at(
                table, item.row, Procedures.status, item.procedure_id,
                f"Procedure {item.procedure_id} of {item.service} is still Draft, but the "
                f"service is {stage}.",
                "Test the procedure and set its Status to Tested (then Approved), or move the "
                "service back until its procedures are tested.")


@rule("H104", WARNING, "A Running service's procedure is Tested but not Approved",
      kind=RECOMMENDED,
      why="A Running service's handbook is the one signed off; a procedure still at Tested has "
          "been tested but not approved.",
      fails=[Edit(Procedures, "PRD-002", {Procedures.status: ProcedureStatus.TESTED})],
      cell="Procedures!E3",
      passes=[Edit(Services, "SVC-002", {Services.stage: Stage.TRANSITION}),
              Edit(Procedures, None, {Procedures.procedure_id: "PRD-004",
                                      Procedures.procedure_name: "Build the benefits register",
                                      Procedures.service_id: "SVC-002",
                                      Procedures.status: ProcedureStatus.TESTED,
                                      Procedures.owner: "P-003",
                                      Procedures.kind: ProcedureKind.DELIVERY})])
def tested_not_approved(facts: Facts) -> Iterator[Problem]:
    """The Operations Handbook of a Running service holds approved procedures; a procedure
    left at Tested after go-live has not been formally approved.

    Passing: PRD-004 of SVC-002 is Tested while SVC-002 is in Transition, the stage before
    Running. Failing: PRD-002 of Running SVC-001 is Tested.
    """
    if not all_present(facts, Services, Procedures):
        return
    table = facts.master[Procedures]
    for item in facts.procedures:
        if (item.status == ProcedureStatus.TESTED and item.service
                and facts.stage_of.get(item.service) == Stage.RUNNING):
            yield problem_at(
                table, item.row, Procedures.status, item.procedure_id,
                f"Procedure {item.procedure_id} of Running service {item.service} is Tested "
                "but not Approved.",
                "Have the procedure approved and set its Status to Approved.")


@rule("H105", WARNING, "A Closed service's procedure is not Retired",
      kind=RECOMMENDED,
      why="A closed service's procedures are no longer carried out; left live, someone may keep "
          "following them.",
      fails=[Edit(Services, "SVC-003", {Services.stage: Stage.CLOSED}),
             Edit(Procedures, None, {Procedures.procedure_id: "PRD-009",
                                     Procedures.procedure_name: "Publish lessons",
                                     Procedures.service_id: "SVC-003",
                                     Procedures.status: ProcedureStatus.APPROVED,
                                     Procedures.kind: ProcedureKind.DELIVERY})],
      cell="Procedures!E5",
      passes=[Edit(Services, "SVC-003", {Services.stage: Stage.CLOSING}),
              Edit(Procedures, None, {Procedures.procedure_id: "PRD-009",
                                      Procedures.procedure_name: "Publish lessons",
                                      Procedures.service_id: "SVC-003",
                                      Procedures.status: ProcedureStatus.APPROVED,
                                      Procedures.kind: ProcedureKind.DELIVERY})])
def closed_not_retired(facts: Facts) -> Iterator[Problem]:
    """When a service is closed its procedures leave the Operations Handbook's live set:
    they are Retired, so nobody keeps carrying them out.

    Passing: PRD-009 of SVC-003 is still Approved while SVC-003 is Closing, the stage before
    Closed. Failing: PRD-009 of Closed SVC-003 is still Approved.
    """
    if not all_present(facts, Services, Procedures):
        return
    table = facts.master[Procedures]
    for item in facts.procedures:
        if (item.status not in (None, ProcedureStatus.RETIRED) and item.service
                and facts.stage_of.get(item.service) == Stage.CLOSED):
            yield problem_at(
                table, item.row, Procedures.status, item.procedure_id,
                f"Procedure {item.procedure_id} of Closed service {item.service} is still "
                f"{item.status}.",
                "Set its Status to Retired (keep the row: it is part of the artefacts "
                "reviewed for future reuse).")


@rule("H106", ERROR, "A Running service's process has only Retired procedures",
      kind=REQUIRED,
      why="A Running service's processes are still carried out and need procedures to carry them "
          "out.",
      fails=[Edit(Procedures, "PRD-001", {Procedures.status: ProcedureStatus.RETIRED})],
      cell="Procedures!E2",
      passes=[Edit(Procedures, "PRD-001", {Procedures.status: ProcedureStatus.RETIRED}),
              Edit(Procedures, None, {Procedures.procedure_id: "PRD-004",
                                      Procedures.procedure_name: "Collect status from the portal",
                                      Procedures.service_id: "SVC-001",
                                      Procedures.process_id: "PRC-001",
                                      Procedures.status: ProcedureStatus.APPROVED,
                                      Procedures.owner: "P-002",
                                      Procedures.kind: ProcedureKind.DELIVERY})])
def retired_only_procedure(facts: Facts) -> Iterator[Problem]:
    """A process of a Running service is still carried out, so it keeps at least one
    procedure that is not Retired. Retiring the only procedure of such a process leaves the
    process without instructions. The first retired procedure of the process is named.

    Passing: PRD-001 is Retired, but PRC-001 of Running SVC-001 has a second procedure,
    PRD-004, that is Approved. Failing: PRD-001, PRC-001's only procedure, is Retired.
    """
    if not all_present(facts, Services, Procedures):
        return
    table = facts.master[Procedures]
    for process, items in facts.procedures_by_process.items():
        if any(i.status != ProcedureStatus.RETIRED for i in items):
            continue
        running = [i for i in items if i.service and facts.stage_of.get(i.service) == Stage.RUNNING]
        if running:
            first = running[0]
            yield problem_at(
                table, first.row, Procedures.status, first.procedure_id,
                f"Procedure {first.procedure_id} is Retired, and process {process} of Running "
                f"service {first.service} has no other procedure.",
                f"Add or reinstate an Approved procedure for {process}, or remove the process "
                "from SIPOC if the service no longer needs it.")


@rule("H107", ERROR, "A procedure has no RACI",
      kind=REQUIRED,
      why="The Operations Handbook details who is Responsible, Accountable, Consulted and "
          "Informed for each activity of each procedure.",
      fails=[Edit(RACI, "PRD-003", None)], cell="Procedures!A4",
      passes=[Edit(RACI, "PRD-003", None),
              Edit(Procedures, "PRD-003", {Procedures.status: ProcedureStatus.RETIRED})])
def procedure_without_raci(facts: Facts) -> Iterator[Problem]:
    """The Operations Handbook details the RACI of each activity of each procedure:
    every procedure that is not Retired has at least one row in RACI. A Draft
    procedure's missing RACI is a warning (it is still being written); procedures of Closed
    or Rejected services are not checked.

    Passing: PRD-003 has no RACI row, and is Retired. Failing: PRD-003 (Approved) has no
    RACI row.
    """
    if not all_present(facts, Procedures, RACI):
        return
    table = facts.master[Procedures]
    with_raci = facts.procedures_with_raci
    for item in facts.procedures:
        stage = facts.stage_of.get(item.service) if item.service else None
        if (item.status in (None, ProcedureStatus.RETIRED) or stage in ENDED_STAGES
                or item.procedure_id in with_raci):
            continue
        yield problem_at(
            table, item.row, Procedures.procedure_id, item.procedure_id,
            f"Procedure {item.procedure_id} ({item.status}) has no RACI.",
            f"Add its activities to RACI with Procedure ID {item.procedure_id}, each with one "
            "A and at least one R.",
            WARNING if item.status == ProcedureStatus.DRAFT else None)


@rule("H108", WARNING, "A Running service has no Monitoring procedure",
      kind=RECOMMENDED,
      why="A running service is managed through its KPI reporting as the Operations Handbook "
          "details it; without a Monitoring procedure nobody is set to report.",
      fails=[Edit(Procedures, "PRD-003", {Procedures.kind: ProcedureKind.DELIVERY})],
      cell="Services!I2",
      passes=[Edit(Procedures, "PRD-003", {Procedures.status: ProcedureStatus.TESTED})])
def running_without_monitoring(facts: Facts) -> Iterator[Problem]:
    """A running service is managed through its KPI reporting, as detailed in the Operations
    Handbook: a Running service has a procedure of Kind Monitoring that is not
    Retired.

    Passing: SVC-001's Monitoring procedure PRD-003 is only Tested (any Status but Retired
    counts). Failing: PRD-003's Kind is Delivery, so SVC-001 has none.
    """
    if not all_present(facts, Services, Procedures):
        return
    services = facts.master[Services]
    for sid, stage in facts.stage_of.items():
        if stage != Stage.RUNNING:
            continue
        items = facts.procedures_by_service.get(sid, [])
        if not any(i.kind == ProcedureKind.MONITORING and i.status != ProcedureStatus.RETIRED
                   for i in items):
            yield problem_at(
                services, facts.service_row[sid], Services.stage, sid,
                f"Service {sid} is Running but has no Monitoring procedure for its KPI "
                "reporting.",
                f"Add a procedure for reporting {sid}'s KPIs to Procedures with Kind "
                "Monitoring (or set Kind on the one that does it).")


# --- dependencies between processes (SIPOC inputs and outputs) ----------------------------


@rule("H109", ERROR, "A process depends on a process of a closing or closed service",
      kind=REQUIRED,
      why="Dependencies between processes need to be considered: an input that is no longer "
          "produced stops the process that needs it.",
      fails=[Edit(Services, "SVC-003", {Services.stage: Stage.CLOSED}),
             Edit(SIPOC, "PRC-001", {SIPOC.service_id: "SVC-003"})],
      cell="SIPOC!E3",
      passes=[Edit(Services, "SVC-003", {Services.stage: Stage.CLOSED}),
              Edit(SIPOC, "PRC-001", {SIPOC.service_id: "SVC-003"}),
              Edit(SIPOC, None, {SIPOC.service_id: "SVC-001", SIPOC.process_id: "PRC-003",
                                 SIPOC.process_name: "Collect status from the portal",
                                 SIPOC.outputs: "status  DATASET"})])
def dependency_on_closing(facts: Facts) -> Iterator[Problem]:
    """An input of one process that is another process's output makes a dependency
    (matched trimmed and case-insensitively). A process of a live service does not
    depend on a process of a service that is Closed (an error: the input is no longer
    produced) or Closing (a warning: it soon will not be). An input that a live process
    also produces is fine.

    Passing: PRC-001, which makes PRC-002's input `Status dataset`, belongs to Closed SVC-003,
    but a new process PRC-003 of Running SVC-001 makes it too (typed `status  DATASET`).
    Failing: PRC-001 belongs to Closed SVC-003 and no live process makes `Status dataset`.
    """
    if not all_present(facts, Services, SIPOC):
        return
    sipoc = facts.master[SIPOC]
    for dependency in facts.dependencies_on_going:
        process, source, item = dependency.process, dependency.source, dependency.item
        yield problem_at(
            sipoc, process.row, SIPOC.inputs, process.process_id,
            f"Process {process.process_id} of {process.service} takes {item!r} from "
            f"{source.process_id} of {source.service}, which is {dependency.source_stage}.",
            f"Find another source for {item!r} (a process of a live service), or plan "
            f"{process.service}'s process without it.",
            WARNING if dependency.source_stage == Stage.CLOSING else None)


@rule("H110", WARNING, "Processes depend on each other in a cycle",
      kind=RECOMMENDED,
      why="Dependencies between processes need to be considered when a service is designed, and a "
          "cycle of them cannot start.",
      fails=[Edit(SIPOC, "PRC-001",
                  {SIPOC.inputs: "Project status updates; Portfolio report"})],
      cell="SIPOC!E2",
      passes=[Edit(SIPOC, "PRC-001", {SIPOC.inputs: "Project status updates; status DATASET"})])
def dependency_cycle(facts: Facts) -> Iterator[Problem]:
    """Dependencies between processes (an input of one is an output of another, matched
    trimmed and case-insensitively) are considered when a service is designed.
    A cycle, where a process ends up waiting on its own output through others, cannot be
    started and is reported once, at the Inputs of its first process in SIPOC. A process
    that takes its own output (a register it updates) is not a cycle on its own.

    Passing: PRC-001 also takes `status DATASET`, its own output (a register it updates),
    and feeds PRC-002. Failing: PRC-001 also takes `Portfolio report`, the output of PRC-002,
    so PRC-001 -> PRC-002 -> PRC-001.
    """
    if not facts.master[SIPOC].present:
        return
    sipoc, found = facts.master[SIPOC], facts.processes
    made = {item: [p.process_id for p in makers] for item, makers in facts.producers.items()}
    index = {p.process_id: p for p in reversed(found)}  # first row wins for a duplicated ID
    inputs: dict[str, list[str]] = {}
    for process in found:
        inputs.setdefault(process.process_id, []).extend(
            i for i in process.inputs if i in made)
    for pids in _cycles(inputs, made):
        first = min(pids, key=lambda pid: index[pid].row)
        path = _path_back(first, inputs, made, pids)
        process = index[first]
        yield problem_at(
            sipoc, process.row, SIPOC.inputs, process.process_id,
            "Processes depend on each other in a cycle (each takes an input from the next): "
            + " -> ".join(path) + ".",
            f"Break the cycle: check the Inputs and Outputs of {', '.join(path[:-1])} "
            "(an input that is another process's output makes a dependency).")


def _cycles(inputs: dict[str, list[str]], made: dict[str, list[str]]) -> list[set[str]]:
    """The groups of two or more processes that depend on each other, in a graph of
    processes and the items between them (process -> its inputs -> the processes making
    them), so its size grows with the SIPOC, not with the pairs of processes sharing an
    item. Tarjan's strongly connected components, without recursion.
    """

    def following(node: tuple[str, str]) -> list[tuple[str, str]]:
        kind, name = node
        if kind == "process":
            return [("item", i) for i in inputs.get(name, ())]
        return [("process", p) for p in made.get(name, ())]

    order: dict[tuple[str, str], int] = {}
    low: dict[tuple[str, str], int] = {}
    stack: list[tuple[str, str]] = []
    on_stack: set[tuple[str, str]] = set()
    groups: list[set[str]] = []
    for root in [("process", pid) for pid in inputs]:
        if root in order:
            continue
        order[root] = low[root] = len(order)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(following(root)))]
        while work:
            node, children = work[-1]
            for child in children:
                if child not in order:
                    order[child] = low[child] = len(order)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(following(child))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], order[child])
            else:  # every child seen: close the node
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == order[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        if member[0] == "process":
                            group.add(member[1])
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(group)
    return groups


def _path_back(start: str, inputs: dict[str, list[str]], made: dict[str, list[str]],
               within: set[str]) -> list[str]:
    """A shortest chain start -> ... -> start through other processes of one cycle."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        ahead = []
        for node in frontier:
            for item in inputs.get(node, ()):
                for child in made.get(item, ()):
                    if child == node or child not in within:
                        continue
                    if child == start:
                        chain = [node]
                        while chain[-1] != start:
                            chain.append(came_from[chain[-1]])
                        return [*reversed(chain), start]
                    if child not in came_from:
                        came_from[child] = node
                        ahead.append(child)
        frontier = ahead
    return [start, start]

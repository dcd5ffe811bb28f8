"""H — catalogue against handbook (seed §4.3, §5.1).

The Service Catalogue (Services, SIPOC) and the Operations Handbook (Procedures, RACI) tell
one story: a service past Design has procedures for its processes, they are tested before
the service goes live and approved while it runs, retired when it closes, each with a
RACI; a running service's KPI reporting is itself a procedure. SIPOC inputs and outputs
link processes: an input of one process that is another's output is a dependency.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pmo_xl.findings import ERROR, WARNING, Problem
from pmo_xl.master import Master
from pmo_xl.validators.lifecycle import is_at, per_master, problem_at, reached
from pmo_xl.validators.registry import Context, Edit, rule
from pmo_xl.validators.schema import split_list

GONE = ("Closing", "Closed")  # a service whose processes are going or gone


@dataclass
class Procedure:
    row: int
    pid: str
    service: str | None
    process: str | None
    status: str | None
    kind: str | None


@dataclass
class Handbook:
    """Services, processes and procedures, indexed once for every H rule."""

    stage: dict[str, str] = field(default_factory=dict)  # service -> stage
    service_row: dict[str, int] = field(default_factory=dict)  # service -> Excel row
    procedures: list[Procedure] = field(default_factory=list)
    by_service: dict[str, list[Procedure]] = field(default_factory=dict)
    by_process: dict[str, list[Procedure]] = field(default_factory=dict)


@per_master
def handbook(master: Master) -> Handbook:
    found = Handbook()
    services = master["Services"]
    for row, sid, stage in zip(services.data.index.tolist(),
                               services.data["Service ID"].tolist(),
                               services.data["Stage"].tolist(), strict=True):
        if sid is not None:
            found.service_row.setdefault(str(sid), row)
            if stage is not None:
                found.stage.setdefault(str(sid), stage)
    table = master["Procedures"]
    data = table.data
    for row, pid, sid, process, status, kind in zip(
            data.index.tolist(),
            *(data[c].tolist() for c in ("Procedure ID", "Service ID", "Process ID",
                                         "Status", "Kind")), strict=True):
        if pid is None:
            continue
        item = Procedure(row, str(pid), sid, process, status, kind)
        found.procedures.append(item)
        if sid is not None:
            found.by_service.setdefault(sid, []).append(item)
        if process is not None:
            found.by_process.setdefault(process, []).append(item)
    return found


def _both_present(master: Master, *sheets: str) -> bool:
    # A missing sheet is S101's finding; judging against it would report every record.
    return all(master[s].present for s in sheets)


@rule("H101", ERROR, "A service in Pilot or later has no procedure",
      fails=[Edit("Services", "SVC-002", {"Stage": "Pilot"})], cell="Services!I3")
def service_without_procedure(master: Master, context: Context) -> Iterator[Problem]:
    """A service is piloted with its procedures (seed §5.1: processes and procedures are
    tested before business as usual), so from Pilot until it closes it has at least one
    procedure in the Operations Handbook.

    Passing: SVC-001, Running, with procedures PRD-001 to PRD-003. Failing: SVC-002 moved to
    Pilot with no procedure.
    """
    if not _both_present(master, "Services", "Procedures"):
        return
    book, services = handbook(master), master["Services"]
    for sid, stage in book.stage.items():
        if reached(stage, "Pilot") and stage != "Closed" and sid not in book.by_service:
            row = book.service_row[sid]
            yield problem_at(
                services, row, "Stage", sid,
                f"Service {sid} {is_at(stage)} but has no procedure in the Operations "
                "Handbook.",
                f"Add the procedures that deliver {sid} to Procedures, each with its RACI.")


@rule("H102", ERROR, "A process has no procedure",
      fails=[Edit("SIPOC", None, {"Service ID": "SVC-001", "Process ID": "PRC-003",
                                  "Process Name": "Archive the report"})],
      cell="SIPOC!B4")
def process_without_procedure(master: Master, context: Context) -> Iterator[Problem]:
    """Every SIPOC process of a service in Pilot or later is carried out by at least one
    procedure in the Operations Handbook (seed §5.1: the detailed procedures are defined
    during set-up). Processes of services still in Proposed or Design may not have them
    yet, and Closed services are not checked.

    Passing: PRC-001 is carried out by PRD-001. Failing: a new process PRC-003 of SVC-001
    that no procedure names.
    """
    if not _both_present(master, "SIPOC", "Procedures"):
        return
    book, sipoc = handbook(master), master["SIPOC"]
    for row, process, sid in zip(sipoc.data.index.tolist(), sipoc.data["Process ID"].tolist(),
                                 sipoc.data["Service ID"].tolist(), strict=True):
        stage = book.stage.get(sid) if sid is not None else None
        if (process is None or not reached(stage, "Pilot") or stage == "Closed"
                or process in book.by_process):
            continue
        yield problem_at(
            sipoc, row, "Process ID", process,
            f"Process {process} of {sid} ({stage}) has no procedure in the Operations "
            "Handbook.",
            f"Add a procedure with Process ID {process} to Procedures, or remove the process "
            "from SIPOC if it is no longer used.")


@rule("H103", ERROR, "A procedure is still Draft at Transition or Running",
      fails=[Edit("Procedures", "PRD-002", {"Status": "Draft"})], cell="Procedures!E3")
def draft_in_operation(master: Master, context: Context) -> Iterator[Problem]:
    """All processes and procedures are tested before a service transitions into business
    as usual (seed §5.1), so a service in Transition or Running has no Draft procedure.

    Passing: PRD-002 of Running SVC-001 is Approved. Failing: PRD-002 is Draft.
    """
    if not _both_present(master, "Services", "Procedures"):
        return
    book, table = handbook(master), master["Procedures"]
    for item in book.procedures:
        stage = book.stage.get(item.service) if item.service else None
        if item.status == "Draft" and stage in ("Transition", "Running"):
            yield problem_at(
                table, item.row, "Status", item.pid,
                f"Procedure {item.pid} of {item.service} is still Draft, but the service is "
                f"{stage}.",
                "Test the procedure and set its Status to Tested (then Approved), or move the "
                "service back until its procedures are tested.")


@rule("H104", WARNING, "A Running service's procedure is Tested but not Approved",
      fails=[Edit("Procedures", "PRD-002", {"Status": "Tested"})], cell="Procedures!E3")
def tested_not_approved(master: Master, context: Context) -> Iterator[Problem]:
    """The Operations Handbook of a Running service holds approved procedures; a procedure
    left at Tested after go-live has not been formally approved.

    Passing: PRD-002 of Running SVC-001 is Approved. Failing: PRD-002 is Tested.
    """
    if not _both_present(master, "Services", "Procedures"):
        return
    book, table = handbook(master), master["Procedures"]
    for item in book.procedures:
        if item.status == "Tested" and item.service and book.stage.get(item.service) == "Running":
            yield problem_at(
                table, item.row, "Status", item.pid,
                f"Procedure {item.pid} of Running service {item.service} is Tested but not "
                "Approved.",
                "Have the procedure approved and set its Status to Approved.")


@rule("H105", WARNING, "A Closed service's procedure is not Retired",
      fails=[Edit("Services", "SVC-003", {"Stage": "Closed"}),
             Edit("Procedures", None, {"Procedure ID": "PRD-009", "Procedure Name":
                                       "Publish lessons", "Service ID": "SVC-003",
                                       "Status": "Approved", "Kind": "Delivery"})],
      cell="Procedures!E5")
def closed_not_retired(master: Master, context: Context) -> Iterator[Problem]:
    """When a service is closed its procedures leave the Operations Handbook's live set:
    they are Retired, so nobody keeps carrying them out.

    Passing: every procedure of a Closed service is Retired. Failing: PRD-009 of Closed
    SVC-003 is still Approved.
    """
    if not _both_present(master, "Services", "Procedures"):
        return
    book, table = handbook(master), master["Procedures"]
    for item in book.procedures:
        if (item.status not in (None, "Retired") and item.service
                and book.stage.get(item.service) == "Closed"):
            yield problem_at(
                table, item.row, "Status", item.pid,
                f"Procedure {item.pid} of Closed service {item.service} is still "
                f"{item.status}.",
                "Set its Status to Retired (keep the row: it is part of the artefacts "
                "reviewed for future reuse).")


@rule("H106", ERROR, "A Running service's process has only Retired procedures",
      fails=[Edit("Procedures", "PRD-001", {"Status": "Retired"})], cell="Procedures!E2")
def retired_only_procedure(master: Master, context: Context) -> Iterator[Problem]:
    """A process of a Running service is still carried out, so it keeps at least one
    procedure that is not Retired. Retiring the only procedure of such a process leaves the
    process without instructions. The first retired procedure of the process is named.

    Passing: PRD-001 (Approved) carries out PRC-001 of Running SVC-001. Failing: PRD-001,
    PRC-001's only procedure, is Retired.
    """
    if not _both_present(master, "Services", "Procedures"):
        return
    book, table = handbook(master), master["Procedures"]
    for process, items in book.by_process.items():
        if any(i.status != "Retired" for i in items):
            continue
        running = [i for i in items if i.service and book.stage.get(i.service) == "Running"]
        if running:
            first = running[0]
            yield problem_at(
                table, first.row, "Status", first.pid,
                f"Procedure {first.pid} is Retired, and process {process} of Running service "
                f"{first.service} has no other procedure.",
                f"Add or reinstate an Approved procedure for {process}, or remove the process "
                "from SIPOC if the service no longer needs it.")


@rule("H107", ERROR, "A procedure has no RACI",
      fails=[Edit("RACI", "PRD-003", None)], cell="Procedures!A4")
def procedure_without_raci(master: Master, context: Context) -> Iterator[Problem]:
    """The Operations Handbook details the RACI of each activity of each procedure (seed
    §4.3): every procedure that is not Retired has at least one row in RACI. A Draft
    procedure's missing RACI is a warning (it is still being written); procedures of Closed
    or Rejected services are not checked.

    Passing: PRD-003 has the activity `Report KPIs to the owner` in RACI. Failing: PRD-003
    has no RACI row.
    """
    if not _both_present(master, "Procedures", "RACI"):
        return
    book, table = handbook(master), master["Procedures"]
    with_raci = {str(p).strip() for p in master["RACI"].raw["Procedure ID"] if p is not None}
    for item in book.procedures:
        stage = book.stage.get(item.service) if item.service else None
        if (item.status in (None, "Retired") or stage in ("Closed", "Rejected")
                or item.pid in with_raci):
            continue
        yield problem_at(
            table, item.row, "Procedure ID", item.pid,
            f"Procedure {item.pid} ({item.status}) has no RACI.",
            f"Add its activities to RACI with Procedure ID {item.pid}, each with one A and at "
            "least one R.",
            WARNING if item.status == "Draft" else None)


@rule("H108", WARNING, "A Running service has no Monitoring procedure",
      fails=[Edit("Procedures", "PRD-003", {"Kind": "Delivery"})], cell="Services!I2")
def running_without_monitoring(master: Master, context: Context) -> Iterator[Problem]:
    """A running service is managed through its KPI reporting, as detailed in the Operations
    Handbook (seed §5.2): a Running service has a procedure of Kind Monitoring that is not
    Retired.

    Passing: SVC-001 has PRD-003 `Report the service's KPIs`, Kind Monitoring. Failing:
    PRD-003's Kind is Delivery.
    """
    if not _both_present(master, "Services", "Procedures"):
        return
    book, services = handbook(master), master["Services"]
    for sid, stage in book.stage.items():
        if stage != "Running":
            continue
        items = book.by_service.get(sid, [])
        if not any(i.kind == "Monitoring" and i.status != "Retired" for i in items):
            yield problem_at(
                services, book.service_row[sid], "Stage", sid,
                f"Service {sid} is Running but has no Monitoring procedure for its KPI "
                "reporting.",
                f"Add a procedure for reporting {sid}'s KPIs to Procedures with Kind "
                "Monitoring (or set Kind on the one that does it).")


# --- dependencies between processes (SIPOC inputs and outputs) ----------------------------


def _item(text: str) -> str:
    """An input or output as it is matched: trimmed and case-insensitive."""
    return " ".join(text.split()).casefold()


@dataclass
class Process:
    row: int
    pid: str
    service: str | None
    inputs: dict[str, str]  # matched form -> as typed
    outputs: list[str]  # matched form


@per_master
def processes(master: Master) -> list[Process]:
    sipoc = master["SIPOC"]
    data = sipoc.data
    found = []
    for row, pid, sid, inputs, outputs in zip(
            data.index.tolist(),
            *(data[c].tolist() for c in ("Process ID", "Service ID", "Inputs", "Outputs")),
            strict=True):
        if pid is None:
            continue
        typed: dict[str, str] = {}
        for text in split_list(inputs):
            if text:
                typed.setdefault(_item(text), text)
        found.append(Process(row, str(pid), sid, typed,
                             [_item(o) for o in split_list(outputs) if o]))
    return found


def producers(found: list[Process]) -> dict[str, list[Process]]:
    """Output (matched form) -> the processes that produce it (each once, in SIPOC order)."""
    made: dict[str, list[Process]] = {}
    for process in found:
        for output in dict.fromkeys(process.outputs):
            made.setdefault(output, []).append(process)
    return made


@rule("H109", ERROR, "A process depends on a process of a closing or closed service",
      fails=[Edit("Services", "SVC-003", {"Stage": "Closed"}),
             Edit("SIPOC", "PRC-001", {"Service ID": "SVC-003"})],
      cell="SIPOC!E3")
def dependency_on_closing(master: Master, context: Context) -> Iterator[Problem]:
    """An input of one process that is another process's output makes a dependency (seed
    §5.1; matched trimmed and case-insensitively). A process of a live service does not
    depend on a process of a service that is Closed (an error: the input is no longer
    produced) or Closing (a warning: it soon will not be). An input that a live process
    also produces is fine.

    Passing: PRC-002 takes `Status dataset` from PRC-001, both of Running SVC-001. Failing:
    PRC-001 belongs to SVC-003, which is Closed.
    """
    if not _both_present(master, "Services", "SIPOC"):
        return
    stage_of = handbook(master).stage
    sipoc, found = master["SIPOC"], processes(master)

    def live(process: Process) -> bool:
        return stage_of.get(process.service) not in GONE

    # Per output, counted once: how many live processes make it, and the first going one.
    # (Many processes may share one register; comparing every pair would be quadratic.)
    live_makers: dict[str, int] = {}
    going_maker: dict[str, Process] = {}
    for item, makers in producers(found).items():
        live_makers[item] = sum(1 for p in makers if live(p))
        going = next((p for p in makers if not live(p)), None)
        if going is not None:
            going_maker[item] = going
    for process in found:
        if process.service is None or stage_of.get(process.service) in (*GONE, "Rejected"):
            continue
        outputs = set(process.outputs)
        for item, typed in process.inputs.items():
            source = going_maker.get(item)
            # the process itself (live) does not count as another live source
            others_live = live_makers.get(item, 0) - (1 if item in outputs else 0)
            if source is None or others_live > 0:
                continue
            stage = stage_of[source.service]
            yield problem_at(
                sipoc, process.row, "Inputs", process.pid,
                f"Process {process.pid} of {process.service} takes {typed!r} from "
                f"{source.pid} of {source.service}, which is {stage}.",
                f"Find another source for {typed!r} (a process of a live service), or plan "
                f"{process.service}'s process without it.",
                WARNING if stage == "Closing" else None)


@rule("H110", WARNING, "Processes depend on each other in a cycle",
      fails=[Edit("SIPOC", "PRC-001", {"Inputs": "Project status updates; Portfolio report"})],
      cell="SIPOC!E2")
def dependency_cycle(master: Master, context: Context) -> Iterator[Problem]:
    """Dependencies between processes (an input of one is an output of another, matched
    trimmed and case-insensitively) are considered when a service is designed (seed §5.1).
    A cycle, where a process ends up waiting on its own output through others, cannot be
    started and is reported once, at the Inputs of its first process in SIPOC. A process
    that takes its own output (a register it updates) is not a cycle on its own.

    Passing: PRC-001 feeds PRC-002. Failing: PRC-001 also takes `Portfolio report`, the
    output of PRC-002, so PRC-001 -> PRC-002 -> PRC-001.
    """
    if not master["SIPOC"].present:
        return
    sipoc, found = master["SIPOC"], processes(master)
    made = {item: [p.pid for p in makers] for item, makers in producers(found).items()}
    index = {p.pid: p for p in reversed(found)}  # first row wins for a duplicated ID
    inputs: dict[str, list[str]] = {}
    for process in found:
        inputs.setdefault(process.pid, []).extend(i for i in process.inputs if i in made)
    for pids in _cycles(inputs, made):
        first = min(pids, key=lambda pid: index[pid].row)
        path = _path_back(first, inputs, made, pids)
        process = index[first]
        yield problem_at(
            sipoc, process.row, "Inputs", process.pid,
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

"""The pack's memory: what each pack keeps of its meeting, and finding the packs before it.

Every pack folder keeps a byte copy of the master it was made from (``master-snapshot.xlsx``)
and a small ``pack.json``: the as-of date, the master's SHA-256, each service's stage,
health, data quality, why and Lead PMO, each KPI's reporting period, actual, target,
thresholds and RAG, the rule and record of each finding, the meeting's agenda
(``decisions``), and the PMOs and people (never their email addresses) the master names.
`pmo-xl history` turns years of them into tables without opening a single snapshot. The
next pack finds the
previous one by itself (the newest folder beside it holding a ``pack.json`` with an earlier
as-of date; its name does not matter), so there is no hidden state anywhere: the history is
the pack folders the PMO already keeps. Nothing in an earlier pack is ever written.

A ``pack.json`` that is damaged, or written by a newer pmo-xl, is passed over with a warning
when packs are looked for; named by ``--since`` it stops the command with one sentence.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.json_file import Damaged, Missing, UnreadableJson, read_json_file
from pmo_xl.output import atomic_output, file_sha256
from pmo_xl.validators.schema import PMOs, Services

if TYPE_CHECKING:
    from pmo_xl.facts import Facts
    from pmo_xl.validators.engine import CheckResult

PACK_JSON = "pack.json"
SNAPSHOT = "master-snapshot.xlsx"
# pack.json's format; a later pmo-xl that changes its shape raises it. Fields added since
# (health, data quality, KPI actuals, decisions, PMOs, people) left it at 1: a reader of
# format 1 ignores what it does not know, and a pack written before them reads as one
# whose health, actuals and decisions are unknown (never as zero).
FORMAT = 1
HISTORY_PACKS = 12  # the RAG history shows the last 12 packs, this one included


class PackMemoryError(CannotCheck):
    """A pack's memory cannot be used: its pack.json is missing, damaged or too new, or its
    snapshot is missing or not the master it names."""


@dataclass(frozen=True)
class ServiceMemory:
    name: str | None
    stage: str | None
    rag: str  # its health (before health was kept apart, a colour that mixed in findings)
    health: str | None = None  # None: a pack written before health was kept, or ended
    data_quality: dict[str, int] | None = None  # unwaived {"error": n, "warning": n}
    why: str | None = None
    lead_pmo: str | None = None

    @property
    def colour(self) -> str:
        """Its health where the pack kept one, else its RAG (older packs)."""
        return self.health if self.health is not None else self.rag


@dataclass(frozen=True)
class KpiMemory:
    service: str | None
    rag: str
    # Unknown (None) in a pack written before they were kept.
    pmo: str | None = None
    period: dt.date | None = None
    actual: float | None = None
    target: float | None = None


@dataclass(frozen=True)
class FindingMemory:
    rule: str
    severity: str
    record: str | None
    sheet: str
    cell: str
    waived: bool

    @property
    def key(self) -> tuple[str, str]:
        """What makes two findings the same across packs: the rule and the record (or the
        cell, for a finding on no record)."""
        return self.rule, self.record if self.record is not None else f"{self.sheet}!{self.cell}"


@dataclass
class PackRecord:
    """One pack's pack.json, read."""

    folder: Path | None  # None for a master named by --since (no pack around it)
    as_of: dt.date
    master_name: str
    sha256: str
    organisation: str
    summary: dict[str, int]
    services: dict[str, ServiceMemory]
    kpis: dict[str, KpiMemory]
    findings: list[FindingMemory] = field(default_factory=list)
    decisions: list[dict] | None = None  # None: a pack written before the agenda was kept
    pmo: str | None = None  # the one PMO the pack is limited to (--pmo); None: the whole master

    @property
    def snapshot(self) -> Path | None:
        return None if self.folder is None else self.folder / SNAPSHOT

    @property
    def label(self) -> str:
        """`the pack of 2026-10-31` (or the master's name for a master named by --since)."""
        return (f"the pack of {self.as_of.isoformat()}" if self.folder is not None
                else self.master_name)


# --- writing a pack's memory -----------------------------------------------------------------


def pack_record(result: CheckResult) -> dict:
    """pack.json's content for one check run (see the module docstring).

    Each service keeps its health (`rag` says the same, for older readers; a Closed or
    Rejected service, which has no health, reads as No data there and null in `health`),
    its data quality (the unwaived errors and warnings on its records), why, and its Lead
    PMO; `decisions` is the meeting's agenda, each item as ``Decision.as_record`` says.
    All additive: a reader of format 1 reads it as before.
    """
    facts = result.facts
    statuses = result.service_statuses
    described = dimension_record(facts)
    services = {}
    for sid, service in described["services"].items():
        status = statuses[sid]
        services[sid] = {**service, "rag": status.rag, "health": status.health,
                         "data_quality": status.data_quality, "why": status.why or None}
    kpis = {k.kpi_id: {**described["kpis"][k.kpi_id], "rag": k.rag,
                       "period": k.period.isoformat(), "actual": _number(k.actual)}
            for k in facts.current_kpis}
    memory = {
        "format": FORMAT,
        "written_by": f"pmo-xl {_version()}",
        "as_of": result.as_of.isoformat(),
        "organisation": facts.settings.organisation,
        "master": {"name": result.master.path.name, "sha256": result.master.sha256,
                   "snapshot": SNAPSHOT},
        "summary": dict(result.summary),
        "services": services,
        "kpis": kpis,
        "findings": [{"rule": f.rule, "severity": f.severity, "record": f.record,
                      "sheet": f.sheet, "cell": f.cell, "waived": f.waived}
                     for f in result.findings],
        "pmos": described["pmos"],
        "people": described["people"],
        "decisions": [decision.as_record() for decision in result.agenda],
        "pmo": result.pmo,
    }
    return memory


def dimension_record(facts: Facts) -> dict:
    """What pack.json says of the master's services, KPIs, PMOs and people apart from how
    they did: names, stages, owners, KPI definitions. People are who they are, never how to
    reach them (no email address leaves the master this way). `pmo-xl history` reads the
    same from a master or an older pack's snapshot."""
    return {
        "services": {sid: {"name": _text(r.get(Services.service_name)),
                           "stage": _text(r.get(Services.stage)),
                           "lead_pmo": _text(r.get(Services.lead_pmo)),
                           "category": _text(r.get(Services.category)),
                           "service_owner": _text(r.get(Services.service_owner))}
                     for sid, r in facts.services.items()},
        "kpis": {k.kpi_id: {"service": _text(k.service_id), "pmo": _text(k.pmo_id),
                            "name": _text(k.name), "unit": _text(k.unit),
                            "owner": _text(k.owner), "direction": _text(k.direction),
                            "frequency": _text(k.frequency), "target": _number(k.target),
                            "amber_threshold": _number(k.amber_threshold),
                            "red_threshold": _number(k.red_threshold)}
                 for k in facts.kpi_statuses},
        "pmos": {pid: {"name": _text(r.get(PMOs.pmo_name)), "level": _text(r.get(PMOs.level)),
                       "parent": _text(r.get(PMOs.parent_pmo)),
                       "capacity_fte": _number(r.get(PMOs.capacity_fte)),
                       "manager": _text(r.get(PMOs.pmo_manager))}
                 for pid, r in facts.pmos.items()},
        "people": {pid: {"name": _text(p.name), "job_role": _text(p.job_role), "pmo": p.pmo}
                   for pid, p in facts.people.items()},
    }


def write_memory(result: CheckResult, folder: Path) -> tuple[Path, Path]:
    """Keep a byte copy of the master and pack.json in the pack folder.

    The copy is checked against the SHA-256 the check read: a master saved in Excel while
    the pack was being made would otherwise be remembered as something it never checked.
    """
    master = result.master.path
    snapshot = folder / SNAPSHOT
    with atomic_output(snapshot, source=master) as temp:
        try:
            shutil.copyfile(master, temp)
        except OSError as exc:
            raise CannotCheck(f"{master.name} cannot be copied into the pack: "
                              f"{exc.strerror or exc}.") from None
        if file_sha256(temp) != result.master.sha256:
            raise CannotCheck(f"{master.name} changed while the pack was being made; close "
                              "it in Excel (or wait for the save) and run pmo-xl pack again.")
    memory = folder / PACK_JSON
    with atomic_output(memory, source=master) as temp:
        content = json.dumps(pack_record(result), indent=1, ensure_ascii=False)
        temp.write_text(content + "\n", encoding="utf-8")
    return snapshot, memory


# --- reading one --------------------------------------------------------------------------


def read_pack(folder: Path) -> PackRecord:
    """The pack.json of a pack folder; PackMemoryError (one sentence) when it is unusable."""
    data = load_pack_json(folder)
    try:
        return parse_record(Path(folder), data)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError,
            RecursionError) as exc:
        raise damaged(folder, exc) from None


def load_pack_json(folder: Path) -> dict:
    """The content of a pack folder's pack.json, of a format this pmo-xl reads; its fields
    are not looked at yet (PackMemoryError when the file is missing, unreadable, not JSON
    or too new)."""
    path = Path(folder) / PACK_JSON
    try:
        data = read_json_file(path)
    except Missing:
        raise PackMemoryError(f"{folder} is not a pack folder: it has no {PACK_JSON}.") from None
    except Damaged as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is damaged ({exc}).") from None
    except UnreadableJson as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} cannot be read ({exc}).") from None
    try:
        version = data["format"]
        if not isinstance(version, int) or isinstance(version, bool):
            raise TypeError("format")
    except (KeyError, TypeError) as exc:
        raise damaged(folder, exc) from None
    if version > FORMAT:
        raise PackMemoryError(
            f"The {PACK_JSON} of {folder} was written by a newer pmo-xl (format "
            f"{version}; this one reads up to {FORMAT}); update pmo-xl to use it.")
    return data


def damaged(folder: Path, exc: Exception) -> PackMemoryError:
    """One sentence for a pack.json whose content is not what pmo-xl wrote."""
    return PackMemoryError(f"The {PACK_JSON} of {folder} is damaged (its {_what(exc)} is "
                           "missing or not what pmo-xl wrote).")


def parse_record(folder: Path, data: dict) -> PackRecord:
    master = data["master"]
    services = {str(sid): ServiceMemory(_opt(s.get("name")), _opt(s.get("stage")),
                                        str(s["rag"]), _opt(s.get("health")),
                                        _counts(s.get("data_quality")), _opt(s.get("why")),
                                        _opt(s.get("lead_pmo")))
                for sid, s in data["services"].items()}
    kpis = {str(kid): KpiMemory(_opt(k.get("service")), str(k["rag"]), _opt(k.get("pmo")),
                                _day(k.get("period")), _number(k.get("actual")),
                                _number(k.get("target")))
            for kid, k in data["kpis"].items()}
    findings = [FindingMemory(str(f["rule"]), str(f["severity"]), _opt(f.get("record")),
                              str(f["sheet"]), str(f["cell"]), bool(f.get("waived", False)))
                for f in data["findings"]]
    summary = {str(k): int(v) for k, v in data["summary"].items()}
    decisions = data.get("decisions")
    if decisions is not None:
        decisions = [{str(k): _opt(v) for k, v in d.items()} for d in decisions]
    return PackRecord(folder, dt.date.fromisoformat(data["as_of"]), str(master["name"]),
                      str(master["sha256"]), str(data.get("organisation", "")), summary,
                      services, kpis, findings, decisions, _opt(data.get("pmo")))


def _counts(value: object) -> dict[str, int] | None:
    """A data-quality count as written ({"error": n, "warning": n}), None when not kept."""
    if not isinstance(value, dict):
        return None
    return {str(k): int(v) for k, v in value.items()}


def snapshot_of(record: PackRecord) -> Path:
    """The pack's master snapshot, checked against the SHA-256 its pack.json names."""
    path = record.snapshot
    if path is None or not path.is_file():
        raise PackMemoryError(f"{record.folder} has no {SNAPSHOT} (the master it was made "
                              "from), so there is nothing to compare with.")
    if file_sha256(path) != record.sha256:
        raise PackMemoryError(f"The {SNAPSHOT} of {record.folder} is not the master its "
                              f"{PACK_JSON} names (it was changed since the pack was made).")
    return path


# --- finding the packs before this one -------------------------------------------------------


@dataclass
class Earlier:
    """The packs beside a new pack folder with an earlier as-of date, oldest first, and a
    warning for each folder whose pack.json could not be used."""

    packs: list[PackRecord]
    warnings: list[str]

    @property
    def newest(self) -> PackRecord | None:
        return self.packs[-1] if self.packs else None


def earlier_packs(folder: Path, as_of: dt.date, pmo: str | None = None) -> Earlier:
    """Every pack folder beside `folder` (not `folder` itself, nor a hidden folder such as a
    pack still being written) whose as-of date is before `as_of`, one per as-of date, of
    the same scope: the whole master, or the one PMO `pmo` (`--pmo`)."""
    folder = Path(folder).absolute()
    parent = folder.parent
    found: dict[dt.date, tuple[float, PackRecord]] = {}
    warnings: list[str] = []
    try:
        candidates = sorted(p for p in parent.iterdir() if p.is_dir())
    except OSError:
        return Earlier([], [])
    for candidate in candidates:
        if candidate.name.startswith(".") or candidate == folder:
            continue
        memory = candidate / PACK_JSON
        if not os.path.lexists(memory):  # a pipe or a link under the name: read_pack says why
            continue
        try:
            record = read_pack(candidate)
        except PackMemoryError as exc:
            warnings.append(f"{exc} It is left out of the history.")
            continue
        if record.as_of >= as_of or (record.pmo or "").casefold() != (pmo or "").casefold():
            continue
        try:
            written = memory.stat().st_mtime
        except OSError:
            continue  # gone since it was read
        # Two packs for one as-of date (a re-run into a new folder): the later one counts.
        if record.as_of not in found or written >= found[record.as_of][0]:
            found[record.as_of] = (written, record)
    packs = [found[day][1] for day in sorted(found)]
    return Earlier(packs, warnings)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _day(value: object) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))


def _number(value: object) -> float | int | None:
    """A number JSON can hold (NaN and infinity cannot be written: unknown instead)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value) if math.isfinite(value) else None


def _what(exc: Exception) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return repr(exc.args[0])
    return "content"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pmo-xl")
    except PackageNotFoundError:
        return "unknown"

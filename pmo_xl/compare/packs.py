"""The pack's memory: what each pack keeps of its meeting, and finding the packs before it.

Every pack folder keeps a byte copy of the master it was made from (``master-snapshot.xlsx``)
and a small ``pack.json``: the as-of date, the master's SHA-256, each service's stage and
RAG, each KPI's RAG and the rule and record of each finding. The next pack finds the
previous one by itself (the newest folder beside it holding a ``pack.json`` with an earlier
as-of date; its name does not matter), so there is no hidden state anywhere: the history is
the pack folders the PMO already keeps. Nothing in an earlier pack is ever written.

A ``pack.json`` that is damaged, or written by a newer pmo-xl, is passed over with a warning
when packs are looked for; named by ``--since`` it stops the command with one sentence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.output import atomic_output
from pmo_xl.validators.schema import Services

if TYPE_CHECKING:
    from pmo_xl.validators.engine import CheckResult

PACK_JSON = "pack.json"
SNAPSHOT = "master-snapshot.xlsx"
FORMAT = 1  # pack.json's format; a later pmo-xl that changes its shape raises it
HISTORY_PACKS = 12  # the RAG history shows the last 12 packs, this one included


class PackMemoryError(CannotCheck):
    """A pack's memory cannot be used: its pack.json is missing, damaged or too new, or its
    snapshot is missing or not the master it names."""


@dataclass(frozen=True)
class ServiceMemory:
    name: str | None
    stage: str | None
    rag: str


@dataclass(frozen=True)
class KpiMemory:
    service: str | None
    rag: str


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
    """pack.json's content for one check run (see the module docstring)."""
    facts = result.facts
    statuses = result.service_statuses
    return {
        "format": FORMAT,
        "written_by": f"pmo-xl {_version()}",
        "as_of": result.as_of.isoformat(),
        "organisation": facts.settings.organisation,
        "master": {"name": result.master.path.name, "sha256": result.master.sha256,
                   "snapshot": SNAPSHOT},
        "summary": dict(result.summary),
        "services": {sid: {"name": _text(record.get(Services.service_name)),
                           "stage": _text(record.get(Services.stage)),
                           "rag": statuses[sid].rag}
                     for sid, record in facts.services.items()},
        "kpis": {k.kpi_id: {"service": _text(k.service_id), "rag": k.rag}
                 for k in facts.current_kpis},
        "findings": [{"rule": f.rule, "severity": f.severity, "record": f.record,
                      "sheet": f.sheet, "cell": f.cell, "waived": f.waived}
                     for f in result.findings],
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
        if _sha256(temp) != result.master.sha256:
            raise CannotCheck(f"{master.name} changed while the pack was being made; close "
                              "it in Excel (or wait for the save) and run pmo-xl pack again.")
    memory = folder / PACK_JSON
    with atomic_output(memory, source=master) as temp:
        temp.write_text(json.dumps(pack_record(result), indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    return snapshot, memory


# --- reading one --------------------------------------------------------------------------


def read_pack(folder: Path) -> PackRecord:
    """The pack.json of a pack folder; PackMemoryError (one sentence) when it is unusable."""
    path = Path(folder) / PACK_JSON
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackMemoryError(f"{folder} is not a pack folder: it has no {PACK_JSON}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} cannot be read "
                              f"({getattr(exc, 'strerror', None) or exc}).") from None
    except json.JSONDecodeError as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is damaged (not JSON: {exc.msg} "
                              f"at line {exc.lineno}).") from None
    try:
        version = data["format"]
        if not isinstance(version, int):
            raise TypeError("format")
        if version > FORMAT:
            raise PackMemoryError(
                f"The {PACK_JSON} of {folder} was written by a newer pmo-xl (format "
                f"{version}; this one reads up to {FORMAT}); update pmo-xl to use it.")
        return parse_record(Path(folder), data)
    except PackMemoryError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is damaged (its {_what(exc)} is "
                              "missing or not what pmo-xl wrote).") from None


def parse_record(folder: Path, data: dict) -> PackRecord:
    master = data["master"]
    services = {str(sid): ServiceMemory(_opt(s.get("name")), _opt(s.get("stage")),
                                        str(s["rag"]))
                for sid, s in data["services"].items()}
    kpis = {str(kid): KpiMemory(_opt(k.get("service")), str(k["rag"]))
            for kid, k in data["kpis"].items()}
    findings = [FindingMemory(str(f["rule"]), str(f["severity"]), _opt(f.get("record")),
                              str(f["sheet"]), str(f["cell"]), bool(f.get("waived", False)))
                for f in data["findings"]]
    summary = {str(k): int(v) for k, v in data["summary"].items()}
    return PackRecord(folder, dt.date.fromisoformat(data["as_of"]), str(master["name"]),
                      str(master["sha256"]), str(data.get("organisation", "")), summary,
                      services, kpis, findings)


def snapshot_of(record: PackRecord) -> Path:
    """The pack's master snapshot, checked against the SHA-256 its pack.json names."""
    path = record.snapshot
    if path is None or not path.is_file():
        raise PackMemoryError(f"{record.folder} has no {SNAPSHOT} (the master it was made "
                              "from), so there is nothing to compare with.")
    if _sha256(path) != record.sha256:
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


def earlier_packs(folder: Path, as_of: dt.date) -> Earlier:
    """Every pack folder beside `folder` (not `folder` itself, nor a hidden folder such as a
    pack still being written) whose as-of date is before `as_of`, one per as-of date."""
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
        if not memory.is_file():
            continue
        try:
            record = read_pack(candidate)
        except PackMemoryError as exc:
            warnings.append(f"{exc} It is left out of the history.")
            continue
        if record.as_of >= as_of:
            continue
        written = memory.stat().st_mtime
        # Two packs for one as-of date (a re-run into a new folder): the later one counts.
        if record.as_of not in found or written >= found[record.as_of][0]:
            found[record.as_of] = (written, record)
    packs = [found[day][1] for day in sorted(found)]
    return Earlier(packs, warnings)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


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

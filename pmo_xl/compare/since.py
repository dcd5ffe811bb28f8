"""Since the last meeting: what moved between the previous pack and this one, as plain data.

A new pack recalls the packs before it (:func:`recall`, before any work, so a bad `--since`
stops the command with one sentence), then, once the master is checked, works out what moved
(:func:`since_last_meeting`): services whose RAG or stage moved, risks and issues opened and
closed, KPIs whose RAG moved, findings that are new and findings resolved (all from the
previous pack's ``pack.json``), and the record-level diff and drift findings against the
previous pack's master snapshot. The status report and the email only present this.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.compare.packs import (
    HISTORY_PACKS,
    PackMemoryError,
    PackRecord,
    earlier_packs,
    pack_record,
    parse_record,
    read_pack,
    snapshot_of,
)
from pmo_xl.errors import CannotCheck
from pmo_xl.findings import severity_label
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    CLOSED_RISK_STATUSES,
    KPIs,
    Risks,
    Services,
)

if TYPE_CHECKING:
    from pmo_xl.compare.comparison import Comparison
    from pmo_xl.validators.engine import CheckResult

NONE = "none"  # `--since none`: no comparison, no history

# The kinds of move, in the order the Since last meeting sheet lists them.
SERVICE_RAG = "Service health"
SERVICE_STAGE = "Service stage"
ITEM_OPENED = "Risk or issue opened"
ITEM_CLOSED = "Risk or issue closed"
KPI_RAG = "KPI RAG"
NEW_FINDING = "New finding"
RESOLVED_FINDING = "Finding resolved"
DRIFT = "Drift finding"
NOT_THERE = "(not in the master)"


@dataclass(frozen=True)
class Move:
    """One line of the Since last meeting sheet."""

    what: str  # one of the kinds above
    record: str | None
    name: str | None  # the service, KPI or item in words
    was: object
    now: object
    where: str | None  # the cell, e.g. Services!I24 (in NEW unless said)
    detail: str | None = None


@dataclass
class PackMemory:
    """What a new pack knows of the packs before it, before its master is checked."""

    previous: PackRecord | None  # None: no earlier pack (or a master named by --since)
    old_master: Path | None  # the master to compare records with
    history: list[PackRecord]  # earlier packs for the RAG history, oldest first
    warnings: list[str] = field(default_factory=list)
    named: bool = False  # chosen by --since: a problem with it stops the command
    since: SinceLastMeeting | None = None  # what moved, once this pack's master is checked

    @property
    def empty(self) -> bool:
        return self.previous is None and self.old_master is None


def recall(folder: Path, as_of: dt.date, since: str | Path | None = None,
           pmo: str | None = None) -> PackMemory:
    """The previous pack and the history for a pack about to be written into `folder`.

    `since` None finds the previous pack by itself (one of the same PMO, for a pack limited
    to `pmo`); NONE turns the memory off; a path names a pack folder or a master workbook,
    and anything wrong with it raises CannotCheck.
    """
    if since is not None and str(since).strip().casefold() == NONE:
        return PackMemory(None, None, [], named=True)
    earlier = earlier_packs(folder, as_of, pmo)
    warnings = list(earlier.warnings)
    history = earlier.packs[-(HISTORY_PACKS - 1):]
    if since is None:
        previous = earlier.newest
        old_master = None
        if previous is not None:
            try:
                old_master = snapshot_of(previous)
            except PackMemoryError as exc:
                warnings.append(f"{exc} Records are not compared with it.")
        return PackMemory(previous, old_master, history, warnings)
    path = Path(since)
    if path.is_dir():
        previous = read_pack(path)
        if previous.as_of >= as_of:
            raise CannotCheck(f"--since {path} is the pack of {previous.as_of.isoformat()}, "
                              f"not one before this pack's as-of date {as_of.isoformat()}.")
        old_master = snapshot_of(previous)
        if all(p.folder is None or p.folder.resolve() != path.resolve() for p in history):
            history = sorted([*history, previous], key=lambda p: p.as_of)[-(HISTORY_PACKS - 1):]
        return PackMemory(previous, old_master, history, warnings, named=True)
    if path.is_file():
        return PackMemory(None, path, history, warnings, named=True)
    raise CannotCheck(f"--since {path}: there is no such pack folder or master workbook; name "
                      "a folder written by pmo-xl pack, a master, or none.")


def since_last_meeting(memory: PackMemory, result: CheckResult) -> SinceLastMeeting | None:
    """What moved since the previous pack (None when there is none to compare with)."""
    from pmo_xl.compare.comparison import run_comparison
    from pmo_xl.validators.engine import run_checks
    from pmo_xl.workbook.master import read_master

    if memory.empty:
        return None
    previous = memory.previous
    comparison = None
    if memory.old_master is not None:
        try:
            old = read_master(memory.old_master)
        except CannotCheck as exc:
            if memory.named or previous is None:
                raise
            memory.warnings.append(f"The master snapshot of {previous.label} cannot be read "
                                   f"({exc}); records are not compared with it.")
            old = None
        if old is not None:
            if previous is None:  # a master named by --since: judged as of this pack's date
                previous = parse_record(None, pack_record(run_checks(old, result.as_of)))
            comparison = run_comparison(old, result.master, result.as_of,
                                        old_as_of=previous.as_of, new_facts=result.facts)
    if previous is None:
        return None
    return SinceLastMeeting(previous, result, comparison)


@dataclass
class SinceLastMeeting:
    """The previous pack's memory against this pack's check (and records, where its master
    snapshot could be read)."""

    previous: PackRecord
    result: CheckResult
    comparison: Comparison | None

    @property
    def heading(self) -> str:
        return f"Since {self.previous.label}"

    # --- services and KPIs -----------------------------------------------------------

    @cached_property
    def service_moves(self) -> list[Move]:
        """Services whose stage or health moved (health counts for an active service
        only)."""
        facts = self.result.facts
        table = facts.master[Services]
        moves: list[Move] = []
        for sid, record in facts.services.items():
            name = record[Services.service_name]
            stage = record[Services.stage]
            rag = self.result.service_statuses[sid].health if facts.active(sid) else None
            before = self.previous.services.get(sid)
            old_stage = before.stage if before else None
            old_rag = before.colour if before and before.stage in ACTIVE_STAGES else None
            row = facts.service_row[sid]
            if before is None or old_stage != stage:
                moves.append(Move(SERVICE_STAGE, sid, name,
                                  old_stage if before else NOT_THERE, stage,
                                  table.address(row, Services.stage)))
            if rag != old_rag and (rag is not None and old_rag is not None):
                moves.append(Move(SERVICE_RAG, sid, name, old_rag, rag,
                                  table.address(row, Services.service_id),
                                  self.result.service_statuses[sid].reasons or None))
        for sid, before in self.previous.services.items():
            if sid not in facts.services:
                moves.append(Move(SERVICE_STAGE, sid, before.name, before.stage, NOT_THERE,
                                  None))
        return moves

    @cached_property
    def kpi_moves(self) -> list[Move]:
        facts = self.result.facts
        table = facts.master[KPIs]
        moves = []
        for kpi in facts.current_kpis:
            before = self.previous.kpis.get(kpi.kpi_id)
            if before is not None and before.rag == kpi.rag:
                continue
            shown = "no actual" if kpi.actual is None else f"actual {_number(kpi.actual)}"
            target = "" if kpi.target is None else f" against target {_number(kpi.target)}"
            moves.append(Move(KPI_RAG, kpi.kpi_id, kpi.name,
                              before.rag if before else NOT_THERE, kpi.rag,
                              table.address(kpi.row, KPIs.kpi_id),
                              f"{kpi.period_label}: {shown}{target} ({kpi.service_id})"))
        return moves

    # --- risks and issues (from the records) -------------------------------------------

    @cached_property
    def item_moves(self) -> list[Move]:
        """Risks and issues opened (raised, or reopened) and closed between the versions."""
        if self.comparison is None:
            return []
        items = self.comparison.diff[Risks]
        moves = []
        for key, row in items.added.items():
            record = items.new_record(key) or {}
            closed = record.get(Risks.status) in CLOSED_RISK_STATUSES
            moves.append(self._item(ITEM_CLOSED if closed else ITEM_OPENED, key, record,
                                    NOT_THERE, items.new.address(row, Risks.item_id),
                                    "raised and closed since" if closed else "raised since"))
        for key, change in items.changed.items():
            if Risks.status not in change.columns:
                continue
            before, after = change.columns[Risks.status]
            was_closed = before in CLOSED_RISK_STATUSES
            now_closed = after in CLOSED_RISK_STATUSES
            if was_closed == now_closed:
                continue
            record = items.new_record(key) or {}
            moves.append(self._item(ITEM_CLOSED if now_closed else ITEM_OPENED, key, record,
                                    before, items.new.address(change.new_row, Risks.status),
                                    None if now_closed else "reopened"))
        moves.sort(key=lambda m: (m.what != ITEM_OPENED, str(m.record)))
        return moves

    @staticmethod
    def _item(what: str, key: str, record: dict, was: object, where: str,
              detail: str | None) -> Move:
        kind = record.get(Risks.type) or "Item"
        severity = record.get(Risks.severity)
        described = " ".join(str(record.get(Risks.description) or "").split())
        name = f"{severity} {str(kind).lower()}: {described}" if severity else described
        return Move(what, key, name or None, was, record.get(Risks.status), where,
                    f"{record.get(Risks.service_id)}" + (f"; {detail}" if detail else ""))

    # --- findings ----------------------------------------------------------------------

    @cached_property
    def finding_moves(self) -> list[Move]:
        """Findings new since the previous pack and findings it had that are resolved, matched
        on rule and record (waived findings on neither side count)."""
        from pmo_xl.validators.families import load_rules

        rules = load_rules()
        before = {f.key for f in self.previous.findings if not f.waived}
        now = {}
        for finding in self.result.counted:
            key = (finding.rule, finding.record if finding.record is not None
                   else f"{finding.sheet}!{finding.cell}")
            now.setdefault(key, finding)
        moves = [Move(NEW_FINDING, f.record, f"{f.rule} {severity_label(f.severity)}", None,
                      None, f.address, f.message) for key, f in now.items() if key not in before]
        seen = set()
        for finding in self.previous.findings:
            if finding.waived or finding.key in now or finding.key in seen:
                continue
            seen.add(finding.key)
            title = rules[finding.rule].title if finding.rule in rules else finding.rule
            moves.append(Move(RESOLVED_FINDING, finding.record,
                              f"{finding.rule} {severity_label(finding.severity)}", None, None,
                              f"{finding.sheet}!{finding.cell} (previous version)", title))
        return moves

    @cached_property
    def drift_moves(self) -> list[Move]:
        if self.comparison is None:
            return []
        return [Move(DRIFT, f.record, f"{f.rule} {severity_label(f.severity)}", None, None,
                     f.address + (" (previous version)" if f.in_old else ""),
                     f.message + (" (waived)" if f.waived else ""))
                for f in self.comparison.findings]

    @property
    def moves(self) -> list[Move]:
        """Every line of the Since last meeting sheet, in its order."""
        services = self.service_moves
        return ([m for m in services if m.what == SERVICE_RAG]
                + [m for m in services if m.what == SERVICE_STAGE]
                + self.item_moves + self.kpi_moves + self.finding_moves + self.drift_moves)

    # --- counts and words --------------------------------------------------------------

    def _count(self, moves: list[Move], what: str) -> int:
        return sum(1 for m in moves if m.what == what)

    @property
    def drift_errors(self) -> int:
        return 0 if self.comparison is None else self.comparison.count("error")

    @property
    def drift_warnings(self) -> int:
        return 0 if self.comparison is None else self.comparison.count("warning")

    def counts(self) -> list[tuple[str, int]]:
        """The Summary sheet's lines."""
        rows = [
            ("Services whose health moved", self._count(self.service_moves, SERVICE_RAG)),
            ("Services whose stage moved", self._count(self.service_moves, SERVICE_STAGE)),
        ]
        if self.comparison is not None:
            rows += [("Risks and issues opened", self._count(self.item_moves, ITEM_OPENED)),
                     ("Risks and issues closed", self._count(self.item_moves, ITEM_CLOSED))]
        rows += [
            ("KPIs whose RAG moved", len(self.kpi_moves)),
            ("New findings", self._count(self.finding_moves, NEW_FINDING)),
            ("Findings resolved", self._count(self.finding_moves, RESOLVED_FINDING)),
        ]
        if self.comparison is not None:
            rows += [("Drift errors", self.drift_errors),
                     ("Drift warnings", self.drift_warnings)]
        return rows

    def paragraph(self, pointer: bool = True) -> str:
        """The email's "Since the pack of DATE" paragraph: a few plain sentences (`pointer`:
        ending with where each move is listed)."""
        rag = [m for m in self.service_moves if m.what == SERVICE_RAG]
        stage = [m for m in self.service_moves if m.what == SERVICE_STAGE]
        parts = [f"{_plural(len(rag), 'service')} changed health{_examples(rag)}",
                 f"{len(stage)} moved stage{_examples(stage)}"]
        if self.comparison is not None:
            parts.append(f"risks and issues: {self._count(self.item_moves, ITEM_OPENED)} "
                         f"opened, {self._count(self.item_moves, ITEM_CLOSED)} closed")
        parts.append(f"{_plural(len(self.kpi_moves), 'KPI')} changed RAG")
        parts.append(f"findings: {self._count(self.finding_moves, NEW_FINDING)} new, "
                     f"{self._count(self.finding_moves, RESOLVED_FINDING)} resolved")
        text = f"{self.heading}: " + "; ".join(parts) + "."
        if self.comparison is not None:
            text += (f" Changes the governance process should have seen: "
                     f"{_plural(self.drift_errors, 'error')}, "
                     f"{_plural(self.drift_warnings, 'warning')}.")
        if not pointer:
            return text
        return text + " The status report's Since last meeting sheet lists each one."


def _examples(moves: list[Move], most: int = 3) -> str:
    if not moves:
        return ""
    shown = [f"{m.record} {m.was} → {m.now}" for m in moves[:most]]
    more = f" and {len(moves) - most} more" if len(moves) > most else ""
    return f" ({', '.join(shown)}{more})"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _number(value: float) -> str:
    return f"{value:g}"

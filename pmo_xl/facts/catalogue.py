"""The catalogue: each service's record, stage, owner and managers, its Lifecycle Log and
its planned set-up dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from pmo_xl.facts.base import FactsBase, is_plan
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    ENDED_STAGES,
    SET_UP_DATE_STAGE,
    STAGE_ENTRY_DATES,
    LifecycleLog,
    Services,
    Stage,
    split_list,
)


@dataclass(frozen=True)
class PlannedDate:
    """A set-up date of a stage the service has not reached yet: a plan (rules.md V)."""

    service_id: str
    row: int
    header: str  # the Services column, e.g. Pilot Start
    stage: str  # the stage it marks
    date: dt.date
    slipped_days: int | None  # days since a stage-entry date passed; None while it has not


class CatalogueFacts(FactsBase):
    """The Services sheet and the Lifecycle Log, as records by Service ID."""

    @cached_property
    def catalogue(self) -> list[tuple[int, dict, dict]]:
        """Each Services row as (Excel row, typed values, values as typed), in sheet order."""
        services = self.master[Services]
        typed = list(services.rows())
        names = list(services.raw.columns)
        columns = [services.raw[name].tolist() for name in names]
        raw = [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]
        return [(row, record, as_typed) for (row, record), as_typed
                in zip(typed, raw, strict=True)]

    @cached_property
    def services(self) -> dict[str, dict]:
        """Service ID -> its typed record (the first row of a duplicated ID), catalogue order."""
        found: dict[str, dict] = {}
        for _row, record, _raw in self.catalogue:
            sid = record[Services.service_id]
            if sid is not None:
                found.setdefault(str(sid), record)
        return found

    @cached_property
    def service_row(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for row, record, _raw in self.catalogue:
            if record[Services.service_id] is not None:
                found.setdefault(str(record[Services.service_id]), row)
        return found

    @cached_property
    def stage_of(self) -> dict[str, str]:
        return {sid: r[Services.stage] for sid, r in self.services.items()
                if r[Services.stage] is not None}

    @cached_property
    def stage_as_typed(self) -> dict[str, str | None]:
        """Service ID -> its Stage as a reader should see it: the lifecycle's own word, or
        the cell's text as typed when it is not one of the lifecycle's stages (a mistyped
        "Runing" shows as "Runing", never as blank or "Not recorded"); None when blank."""
        found: dict[str, str | None] = {}
        for _row, record, raw in self.catalogue:
            sid = record[Services.service_id]
            if sid is None or str(sid) in found:
                continue
            typed, as_typed = record[Services.stage], raw.get(Services.stage)
            if typed is None and as_typed is not None and str(as_typed).strip():
                typed = str(as_typed).strip()
            found[str(sid)] = typed
        return found

    def stage_unknown(self, sid: object) -> bool:
        """The Stage cell holds text that is no lifecycle stage: the service is in no stage,
        so it belongs in no count by stage and is given no KPI RAG (the check names its cell)."""
        return (sid is not None and str(sid) not in self.stage_of
                and self.stage_as_typed.get(str(sid)) is not None)

    def service_name(self, sid: object) -> str | None:
        record = self.services.get(str(sid)) if sid is not None else None
        return record.get(Services.service_name) if record else None

    def active(self, sid: object) -> bool:
        """Set-up, Running or Closing: a service that takes effort and has a RAG to show."""
        return self.stage_of.get(str(sid)) in ACTIVE_STAGES

    @cached_property
    def leaders(self) -> dict[str, set[str]]:
        """Service ID -> its Service Owner and Service Managers."""
        found: dict[str, set[str]] = {}
        for sid, record in self.services.items():
            found[sid] = {p for p in [record[Services.service_owner],
                                      *split_list(record[Services.service_managers])] if p}
        return found

    def managers_of(self, sid: object) -> list[str]:
        record = self.services.get(str(sid)) if sid is not None else None
        return [p for p in split_list(record[Services.service_managers]) if p] if record else []

    def owner_of(self, sid: object) -> str | None:
        record = self.services.get(str(sid)) if sid is not None else None
        return record[Services.service_owner] if record else None

    @cached_property
    def closures_awaiting_approval(self) -> list[str]:
        """Closing services whose closure the Service Owner has not yet approved."""
        return [sid for sid, r in self.services.items()
                if r[Services.stage] == Stage.CLOSING
                and r[Services.closure_approved_date] is None]

    @cached_property
    def log_steps(self) -> dict[str, list[tuple[int, dict]]]:
        """Service ID -> its Lifecycle Log rows (Excel row, record), in sheet order."""
        steps: dict[str, list[tuple[int, dict]]] = {}
        for row, record in self.master[LifecycleLog].rows():
            sid = record[LifecycleLog.service_id]
            if sid is not None:
                steps.setdefault(str(sid), []).append((row, record))
        return steps

    def supported_by(self, sid: str) -> list[str]:
        """Live services that name `sid` as the service they support."""
        return [other for other, r in self.services.items()
                if r[Services.supports_service] == sid
                and r[Services.stage] not in (*ENDED_STAGES, Stage.CLOSING)]

    @cached_property
    def planned_dates(self) -> dict[str, list[PlannedDate]]:
        """Service ID -> its set-up dates for stages it has not reached yet (plans), each with
        the days it has slipped by: for a date that marks entering its stage and lies before
        the as-of date, the days since; None while it lies ahead (or on the as-of day). A
        past Readiness Assessment Date of a service in Transition has happened (the
        assessment comes before go-live), so it is no plan."""
        found: dict[str, list[PlannedDate]] = {}
        for row, record, _raw in self.catalogue:
            sid, stage = record[Services.service_id], record[Services.stage]
            if sid is None:
                continue
            for header, marks in SET_UP_DATE_STAGE.items():
                value = record[header]
                if not isinstance(value, dt.date) or not is_plan(stage, header):
                    continue
                entry = header in STAGE_ENTRY_DATES
                if not entry and value <= self.as_of:
                    continue
                slipped = (self.as_of - value).days if entry and value < self.as_of else None
                found.setdefault(str(sid), []).append(
                    PlannedDate(str(sid), row, header, marks, value, slipped))
        return found


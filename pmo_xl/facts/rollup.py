"""The roll-up: which service each finding belongs to, and each service's colour and why."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from pmo_xl import rag
from pmo_xl.facts.handbook import HandbookFacts
from pmo_xl.facts.items import ItemsFacts
from pmo_xl.facts.kpis import KpiFacts, KpiStatus
from pmo_xl.validators.schema import (
    ENDED_STAGES,
    RACI,
    SERIOUS_SEVERITIES,
    KPIActuals,
    LifecycleLog,
    Risks,
    Services,
    Stage,
)

if TYPE_CHECKING:
    from pmo_xl.findings import Finding


@dataclass(frozen=True)
class ServiceStatus:
    """One service's health and data quality, and the reasons for its health.

    Health comes from its KPIs and its open risks and issues only (``rag.ROLLUP_RULE``);
    data quality is the errors and warnings on its records, counted beside the health and
    never mixed into it."""

    service_id: str
    kpis: list[KpiStatus] = field(default_factory=list)
    open_items: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # unwaived, on its records
    stage: str | None = None
    expected: bool = True  # it should report KPIs for the period (False: not yet)
    in_no_stage: bool = False  # its Stage is text that is no lifecycle stage ("Runing")

    @property
    def kpi_rag(self) -> str:
        return rag.kpi_rollup(k.rag for k in self.kpis)

    @property
    def errors(self) -> int:
        from pmo_xl.findings import ERROR

        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> int:
        from pmo_xl.findings import WARNING

        return sum(1 for f in self.findings if f.severity == WARNING)

    @property
    def data_quality(self) -> dict[str, int]:
        """The errors and warnings on the service's records: `{"error": n, "warning": n}`."""
        return {"error": self.errors, "warning": self.warnings}

    @property
    def ended(self) -> bool:
        """Closed or Rejected: it delivers nothing, so it has no health to show."""
        return self.stage in ENDED_STAGES

    @property
    def health(self) -> str | None:
        """Green, Amber, Red, No data or Not reporting yet; None for a Closed or Rejected
        service, and for one in no stage (a mistyped Stage): no colour until it is fixed."""
        if self.ended or self.in_no_stage:
            return None
        return rag.service_health((k.rag for k in self.kpis),
                                  (r.get(Risks.severity) for r in self.open_items),
                                  self.expected)

    @property
    def rag(self) -> str:
        """The health as a word for readers that need one (a Closed or Rejected service
        reads as No data): pack.json's `rag`, kept for packs' older readers."""
        return self.health or rag.NO_DATA

    @property
    def reasons(self) -> str:
        """Why the health is what it is, in words (empty when Green with nothing to say)."""
        if self.ended:
            return str(self.stage)
        if self.in_no_stage:
            return "no health: its Stage is not one of the lifecycle's stages"
        coloured = [k for k in self.kpis if k.rag != rag.NO_DATA]
        parts = [f"{k.kpi_id} {k.rag}" for k in coloured if k.rag != rag.GREEN]
        parts += [f"{r.get(Risks.item_id)} {r.get(Risks.severity)} open" for r in self.open_items
                  if r.get(Risks.severity) in SERIOUS_SEVERITIES]
        if self.expected:
            parts += [f"{k.kpi_id} no actual for {k.period_label}" for k in self.kpis
                      if k.rag == rag.NO_DATA and k.due]
        if not coloured:
            if not self.expected:
                parts.append(f"not reporting KPIs yet ({self.stage})" if self.stage
                             else "not reporting KPIs yet")
            elif not self.kpis:
                parts.append("No KPIs")
            elif not any(k.due for k in self.kpis):
                parts.append("no KPI actual for the period")
        return "; ".join(parts)

    @property
    def why(self) -> str:
        return self.reasons


class RollupFacts(KpiFacts, ItemsFacts, HandbookFacts):
    """Each service's health (its KPIs and open items) and data quality (the findings on
    its records)."""

    def service_of_row(self, sheet_title: str, row: int) -> str | None:
        """The Service ID the record on `row` of a sheet belongs to (an actual or a RACI
        line belongs to the service of its KPI or procedure)."""
        return self._row_services.get(sheet_title, {}).get(row)

    @cached_property
    def _row_services(self) -> dict[str, dict[int, str]]:
        found: dict[str, dict[int, str]] = {}
        for name, table in self.master.sheets.items():
            if not table.present:
                continue
            if name == KPIActuals.SHEET:
                header, lookup = KPIActuals.kpi_id, self.service_of_kpi
            elif name == RACI.SHEET:
                header, lookup = RACI.procedure_id, self.service_of_procedure
            elif Services.service_id in table.data.columns and name != LifecycleLog.SHEET:
                header, lookup = Services.service_id, None
            elif name == LifecycleLog.SHEET:
                header, lookup = LifecycleLog.service_id, None
            else:
                continue
            rows = {}
            for row, value in zip(table.data.index.tolist(), table.data[header].tolist(),
                                  strict=True):
                service = value if lookup is None else lookup.get(str(value))
                if service is not None:
                    rows[row] = str(service)
            found[table.title] = rows
        return found

    def rollup(self, findings: Iterable[Finding]) -> dict[str, ServiceStatus]:
        """Service ID -> its health (from its KPIs and its open risks and issues) and data
        quality (the unwaived findings on its records), for every service in the catalogue
        (catalogue order)."""
        by_service: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.waived:
                continue
            service = self.service_of_row(finding.sheet, finding.row)
            if service is not None:
                by_service.setdefault(service, []).append(finding)
        return {sid: ServiceStatus(sid, self.kpis_by_service.get(sid, []),
                                   self.open_items_by_service.get(sid, []),
                                   by_service.get(sid, []), self.stage_of.get(sid),
                                   self.expected_to_report(sid), self.stage_unknown(sid))
                for sid in self.services}

    def health_of(self, measured: str) -> str | None:
        """The health ServiceStatus.health gives a service (it needs no findings), worked
        out here for the ranking; a PMO's own KPIs (or a service missing from the
        catalogue) have their KPI RAG. None for a Closed or Rejected service and for one
        whose Stage is no lifecycle stage (it is in no stage, so it has no colour)."""
        if measured not in self.services:
            return rag.kpi_rollup(k.rag for k in self.current_kpis if k.measured == measured)
        return ServiceStatus(measured, self.kpis_by_service.get(measured, []),
                             self.open_items_by_service.get(measured, []),
                             stage=self.stage_of.get(measured),
                             expected=self.expected_to_report(measured),
                             in_no_stage=self.stage_unknown(measured)).health

    @cached_property
    def attention_ranking(self) -> dict[str, int]:
        """Each service or PMO with KPIs in force -> its place in THE ranking of attention
        (rag.attention_key, 0 first): the KPI report's table, charts and sheets follow it."""
        by_measured: dict[str, list[str]] = {}
        for kpi in self.current_kpis:
            if kpi.measured is not None:
                by_measured.setdefault(kpi.measured, []).append(kpi.rag)
        def health(measured: str) -> str | None:
            if measured in self.services:
                return self.health_of(measured)
            return rag.kpi_rollup(by_measured[measured])  # health_of, without a search

        ranked = sorted(by_measured, key=lambda m: rag.attention_key(
            health(m), by_measured[m], m))
        return {measured: place for place, measured in enumerate(ranked)}

    def expected_to_report(self, sid: str) -> bool:
        """Whether the service should have KPI actuals for the reporting period: not when it
        is Proposed or in set-up with no actual (rag.NOT_REPORTING_STAGES), nor when it is
        Running but went live too late for any of its KPIs to be due (K103 asks nothing of
        it). A service with an actual is judged on it, whatever its stage."""
        kpis = self.kpis_by_service.get(sid, [])
        if any(k.actual is not None for k in kpis):
            return True
        stage = self.stage_of.get(sid)
        if stage in rag.NOT_REPORTING_STAGES:
            return False
        return not (stage == Stage.RUNNING and kpis and not any(k.due for k in kpis))


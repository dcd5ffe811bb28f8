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
    RACI,
    SERIOUS_SEVERITIES,
    KPIActuals,
    LifecycleLog,
    Risks,
    Services,
)

if TYPE_CHECKING:
    from pmo_xl.findings import Finding


@dataclass(frozen=True)
class ServiceStatus:
    """One service's roll-up and the reasons for it."""

    service_id: str
    kpis: list[KpiStatus] = field(default_factory=list)
    open_items: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def kpi_rag(self) -> str:
        return rag.worst(k.rag for k in self.kpis)

    @property
    def errors(self) -> int:
        from pmo_xl.findings import ERROR

        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def rag(self) -> str:
        return rag.service_rag((k.rag for k in self.kpis),
                               (r.get(Risks.severity) for r in self.open_items), self.errors > 0)

    @property
    def reasons(self) -> str:
        """Why the roll-up is what it is, in words (empty when Green with nothing to say)."""
        parts = [f"{k.kpi_id} {k.rag}" for k in self.kpis if k.rag != rag.GREEN]
        parts += [f"{r.get(Risks.item_id)} {r.get(Risks.severity)} open" for r in self.open_items
                  if r.get(Risks.severity) in SERIOUS_SEVERITIES]
        if self.errors:
            parts.append(f"{self.errors} error finding{'s' if self.errors != 1 else ''}")
        if not self.kpis and not parts:
            parts.append("No KPIs")
        return "; ".join(parts)


class RollupFacts(KpiFacts, ItemsFacts, HandbookFacts):
    """Each service's roll-up from its KPIs, its open items and the findings on its records."""

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
        """Service ID -> its roll-up for every service in the catalogue (catalogue order),
        from its KPIs, its open risks and issues and the unwaived findings on its records."""
        by_service: dict[str, list[Finding]] = {}
        for finding in findings:
            if finding.waived:
                continue
            service = self.service_of_row(finding.sheet, finding.row)
            if service is not None:
                by_service.setdefault(service, []).append(finding)
        return {sid: ServiceStatus(sid, self.kpis_by_service.get(sid, []),
                                   self.open_items_by_service.get(sid, []),
                                   by_service.get(sid, []))
                for sid in self.services}


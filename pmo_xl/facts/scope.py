"""One PMO's part of the master (`--pmo PMO-ID`): the services it leads or delivers, the KPIs
of those services and of the PMO itself, their actuals, risks, issues, changes, processes,
procedures and log, and its people.

A report, pack, action list or catalogue limited to one PMO is the same output made from the
master with only those rows (each keeping its Excel row, so every cell address stays true);
the checks always run on the whole master, and only the findings on the PMO's rows are
kept (meeting.md "The first page").
"""

from __future__ import annotations

import dataclasses
from functools import cached_property
from typing import TYPE_CHECKING

from pmo_xl.facts.handbook import HandbookFacts
from pmo_xl.facts.items import ItemsFacts
from pmo_xl.facts.kpis import KpiFacts
from pmo_xl.validators.schema import (
    RACI,
    SIPOC,
    Changes,
    KPIActuals,
    KPIs,
    LifecycleLog,
    People,
    PMOs,
    Procedures,
    Risks,
    Services,
    split_list,
)

if TYPE_CHECKING:
    from pmo_xl.findings import Finding
    from pmo_xl.workbook.master import Master

# The sheets whose rows belong to services (or to a PMO's own KPIs and changes): a PMO's
# part keeps only its rows of these. Every other sheet (PMOs, People, Strategy, Documents,
# Settings, Waivers) is kept whole: names, capacities and settings are looked up there.
SCOPED_SHEETS = (Services.SHEET, SIPOC.SHEET, Procedures.SHEET, RACI.SHEET, KPIs.SHEET,
                 KPIActuals.SHEET, Risks.SHEET, Changes.SHEET, LifecycleLog.SHEET)


class ScopeFacts(KpiFacts, ItemsFacts, HandbookFacts):
    """Which rows of the master belong to one PMO."""

    def serving_pmos(self, sid: str) -> list[str]:
        """The PMOs that lead or deliver a service: its Lead PMO, and the PMO of each of its
        Service Managers and Service Operatives."""
        record = self.services.get(sid)
        if record is None:
            return []
        found = [str(record[Services.lead_pmo])] if record[Services.lead_pmo] else []
        for pid in (*split_list(record[Services.service_managers]),
                    *split_list(record[Services.operatives])):
            person = self.people.get(pid) if pid else None
            if person is not None and person.pmo and person.pmo not in found:
                found.append(person.pmo)
        return found

    def rows_of_pmo(self, pmo: str) -> dict[str, set[int]]:
        """Sheet (schema name) -> the Excel rows of the PMO's part, for SCOPED_SHEETS and
        for its own rows of PMOs and People (the findings a PMO's outputs keep)."""
        services = {sid for sid in self.services if pmo in self.serving_pmos(sid)}
        master = self.master
        rows: dict[str, set[int]] = {}

        def keep(sheet, test) -> None:
            table = master[sheet]
            rows[table.name] = ({row for row, record in table.rows() if test(record)}
                                if table.present else set())

        keep(Services, lambda r: r[Services.service_id] in services)
        keep(SIPOC, lambda r: r[SIPOC.service_id] in services)
        keep(Procedures, lambda r: r[Procedures.service_id] in services)
        procedures = {item.procedure_id for item in self.procedures
                      if item.service in services}
        keep(RACI, lambda r: r[RACI.procedure_id] in procedures)
        keep(KPIs, lambda r: r[KPIs.service_id] in services
             or (r[KPIs.service_id] is None and r[KPIs.pmo_id] == pmo))
        kpis = {str(r[KPIs.kpi_id]) for row, r in self.kpi_rows if row in rows[KPIs.SHEET]}
        keep(KPIActuals, lambda r: r[KPIActuals.kpi_id] in kpis)
        keep(Risks, lambda r: r[Risks.service_id] in services)
        keep(Changes, lambda r: r[Changes.service_id] in services
             or (r[Changes.service_id] is None and r.get("PMO ID") == pmo))
        keep(LifecycleLog, lambda r: r[LifecycleLog.service_id] in services)
        keep(PMOs, lambda r: r[PMOs.pmo_id] == pmo)
        keep(People, lambda r: r[People.pmo] == pmo)
        return rows

    def pmo_master(self, rows: dict[str, set[int]]) -> Master:
        """The master with only the PMO's rows of SCOPED_SHEETS (each row keeps its Excel
        row number, so every address stays the master's)."""
        master = self.master
        sheets = dict(master.sheets)
        for name in SCOPED_SHEETS:
            table = sheets[name]
            keep = rows.get(name, set())
            sheets[name] = dataclasses.replace(
                table, raw=table.raw[table.raw.index.isin(keep)],
                data=table.data[table.data.index.isin(keep)], _records=None)
        return dataclasses.replace(master, sheets=sheets)

    def in_pmo(self, finding: Finding, rows: dict[str, set[int]]) -> bool:
        """Whether a finding is about the PMO's part: it sits on one of its rows, or on a
        sheet as a whole (a missing sheet or column concerns every PMO)."""
        name = self._sheet_names.get(finding.sheet)
        if name is None:
            return True
        table = self.master[name]
        if not table.present or finding.row <= table.header_row:
            return True
        return finding.row in rows.get(name, ())

    @cached_property
    def _sheet_names(self) -> dict[str, str]:
        """Sheet title in this workbook -> schema name."""
        return {table.title: name for name, table in self.master.sheets.items()}

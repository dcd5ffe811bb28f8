"""What each service is for, and whether it delivers it: its outcome KPIs, a Running service
whose outcome has gone unmet for the chronic-Red run, and what its risks and issues led to.

A KPI whose Evidences is Outcome measures the service's Desired Outcome. The status
report's Outcomes sheet, the catalogue's "how we measure it" and the agenda's "Improve or
close" all read these facts; none works them out again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from pmo_xl import rag
from pmo_xl.facts.handbook import HandbookFacts
from pmo_xl.facts.items import ItemsFacts
from pmo_xl.facts.kpis import KpiFacts, KpiStatus
from pmo_xl.period import step_back
from pmo_xl.validators.schema import (
    ACTIVE_STAGES,
    LED_TO_CLOSURE,
    Changes,
    Evidence,
    Risks,
    Services,
    Stage,
    Strategy,
)

# What an outcome that is not being delivered looks like, period after period.
UNMET = (rag.RED, rag.NO_DATA)


@dataclass(frozen=True)
class OutcomeMiss:
    """A Running service whose every Outcome KPI was Red or without data for the run."""

    service_id: str
    row: int  # the service's Excel row in Services
    periods: int  # how many periods in a row (Settings' Chronic Red Periods)
    kpis: tuple[KpiStatus, ...]  # its Outcome KPIs
    rags: tuple[tuple[str, ...], ...]  # each KPI's RAG per period of the run, oldest first


@dataclass(frozen=True)
class OutcomeLine:
    """One line of the Outcomes sheet: an objective, a service aligned to it with its
    desired outcome, and one KPI that measures that outcome (None: no KPI measures it)."""

    objective_id: str | None
    objective: str | None
    service_id: str
    service_name: str | None
    stage: str
    desired_outcome: str | None
    kpi: KpiStatus | None
    trend: tuple[tuple[dt.date, float | None, str], ...]  # (period, actual, RAG), oldest first
    unmet: OutcomeMiss | None  # set when the outcome has gone unmet for the chronic-Red run


TREND_PERIODS = 6  # how many periods the Outcomes sheet shows of each KPI


class OutcomeFacts(KpiFacts, ItemsFacts, HandbookFacts):  # Rollup's order of bases
    @cached_property
    def outcome_kpis(self) -> dict[str, list[KpiStatus]]:
        """Service ID -> its KPIs in force that evidence its outcome (Evidences = Outcome)."""
        found: dict[str, list[KpiStatus]] = {}
        for kpi in self.current_kpis:
            if kpi.service_id is not None and kpi.evidences == Evidence.OUTCOME:
                found.setdefault(str(kpi.service_id), []).append(kpi)
        return found

    def rag_run(self, kpi: KpiStatus, count: int) -> tuple[str, ...]:
        """The KPI's RAG in each of the `count` periods up to its reporting period, oldest
        first (No data where no actual counts)."""
        history = self._histories.get(kpi.kpi_id)
        if history is None:
            return ()
        record, _periods, rows = history
        periods = [step_back(kpi.frequency, kpi.period, count - 1 - i) for i in range(count)]
        return tuple(self._rag_of(record, rows.get(p)) for p in periods)

    @cached_property
    def outcomes_unmet(self) -> dict[str, OutcomeMiss]:
        """Running services whose Outcome KPIs have all been Red or without data for each of
        the last Chronic Red Periods reporting periods, every one of them after go-live
        (a service live for fewer periods is not judged yet). The agenda's Improve or
        close reads it."""
        needed = self.settings.chronic_red_periods
        found: dict[str, OutcomeMiss] = {}
        for sid, kpis in self.outcome_kpis.items():
            record = self.services.get(sid)
            if record is None or record[Services.stage] != Stage.RUNNING:
                continue
            go_live = record[Services.go_live_date]
            runs = []
            for kpi in kpis:
                first = step_back(kpi.frequency, kpi.period, needed - 1)
                if not isinstance(go_live, dt.date) or go_live > first:
                    break  # not live for the whole run: not judged yet
                run = self.rag_run(kpi, needed)
                if not run or any(word not in UNMET for word in run):
                    break
                runs.append(run)
            else:
                found[sid] = OutcomeMiss(sid, self.service_row[sid], needed, tuple(kpis),
                                         tuple(runs))
        return found

    @cached_property
    def led_to_change(self) -> dict[str, list[str]]:
        """Change ID (as Changes spells it, matched in any case) -> the IDs of the risks and
        issues that led to it (Risks' Led To)."""
        table = self.master[Changes]
        ids = table.data[Changes.change_id].dropna().tolist() if table.present else []
        changes = {str(c).strip().casefold(): str(c).strip() for c in ids}
        found: dict[str, list[str]] = {}
        for _row, item in self.master[Risks].rows():
            led = item[Risks.led_to]
            key = str(led).strip().casefold() if led is not None else ""
            if key in changes and item[Risks.item_id] is not None:
                found.setdefault(changes[key], []).append(str(item[Risks.item_id]))
        return found

    @cached_property
    def led_to_closure(self) -> dict[str, list[str]]:
        """Service ID -> the IDs of its risks and issues that led to its closure."""
        found: dict[str, list[str]] = {}
        for _row, item in self.master[Risks].rows():
            led = item[Risks.led_to]
            if (led is not None and str(led).strip().casefold() == LED_TO_CLOSURE.casefold()
                    and item[Risks.service_id] is not None and item[Risks.item_id] is not None):
                found.setdefault(str(item[Risks.service_id]), []).append(str(item[Risks.item_id]))
        return found

    @cached_property
    def objectives(self) -> dict[str, str | None]:
        """Objective ID -> its Objective text (Strategy)."""
        table = self.master[Strategy]
        if not table.present:
            return {}
        return {str(r[Strategy.objective_id]): r[Strategy.objective]
                for _row, r in table.rows() if r[Strategy.objective_id] is not None}

    def trend_of(self, kpi: KpiStatus, count: int = TREND_PERIODS
                 ) -> tuple[tuple[dt.date, float | None, str], ...]:
        """(period, actual, RAG) for the `count` periods up to the KPI's reporting period."""
        history = self._histories.get(kpi.kpi_id)
        if history is None:
            return ()
        record, _periods, rows = history
        found = []
        for i in range(count):
            period = step_back(kpi.frequency, kpi.period, count - 1 - i)
            row = rows.get(period)
            value = None if row is None else self._actual_values[row]
            found.append((period, value if isinstance(value, int | float) else None,
                          self._rag_of(record, row)))
        return tuple(found)

    @cached_property
    def outcome_lines(self) -> list[OutcomeLine]:
        """Objective -> desired outcome -> service -> its Outcome KPIs, for every active
        service (set-up, Running, Closing), by objective then service; a service without
        an objective comes last."""
        lines = []
        for sid, record in self.services.items():
            if record[Services.stage] not in ACTIVE_STAGES:
                continue
            objective = record[Services.strategic_objective]
            objective = None if objective is None else str(objective)
            kpis: list[KpiStatus | None] = list(self.outcome_kpis.get(sid, [])) or [None]
            for kpi in kpis:
                lines.append(OutcomeLine(
                    objective, self.objectives.get(objective) if objective else None, sid,
                    record[Services.service_name], str(record[Services.stage]),
                    record[Services.desired_outcome], kpi,
                    self.trend_of(kpi) if kpi is not None else (),
                    self.outcomes_unmet.get(sid)))
        return sorted(lines, key=lambda line: (line.objective_id is None,
                                               line.objective_id or "", line.service_id))

"""RAG a PMO can trust: a KPI's period actual against its target, and a service's roll-up.

Everything here is a pure function of the master's typed values, the check findings and the
as-of context, so the status report, the KPI report and the email draft all agree on every
colour, and the two rules below are the whole story told to the reader.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from pmo_xl.findings import ERROR, Finding
from pmo_xl.master import Master
from pmo_xl.period import period_label, step_back
from pmo_xl.validators.registry import Context

GREEN, AMBER, RED, NO_DATA = "Green", "Amber", "Red", "No data"
RAG_WORDS = (GREEN, AMBER, RED, NO_DATA)
HIGHER, LOWER = "Higher is better", "Lower is better"

RAG_RULE = (
    "A KPI is Green when its actual for the reporting period is at or beyond its Target "
    "(in the KPI's Direction), Amber when it misses the Target but is no worse than the "
    "Amber Threshold, Red when it is worse than the Amber Threshold or at or beyond the Red "
    "Threshold (with neither threshold set, any miss is Red), and No data (grey, never "
    "Green) when the period has no actual or the KPI has no usable Target or Direction."
)

ROLLUP_RULE = (
    "A service takes the worst RAG of its KPIs for the reporting period (a KPI with No data "
    "counts as Amber); an open (not Closed) Critical risk or issue makes it Red, an open High "
    "one or any error finding on its records makes it at least Amber; a service with no KPIs "
    "and nothing else raising it shows No data, never Green."
)

# Worst first: the roll-up takes the lowest rank.
_SEVERITY_RANK = {RED: 0, AMBER: 1, GREEN: 2}

T = TypeVar("T")
# Facts worked out once per master read: the status report, the KPI report and the email
# draft of one pack all need the KPI statuses and the actuals, which at enterprise scale
# (200,000 actuals) cost more than writing a sheet. Keyed by the Master object's identity,
# dropped when that Master is garbage-collected; a Master is never changed after reading.
_MEMO: dict[int, tuple[weakref.ref, dict]] = {}


def _memo(master: Master, key: tuple, compute: Callable[[], T]) -> T:
    ident = id(master)
    slot = _MEMO.get(ident)
    if slot is None or slot[0]() is not master:
        slot = (weakref.ref(master, lambda _: _MEMO.pop(ident, None)), {})
        _MEMO[ident] = slot
    cache = slot[1]
    if key not in cache:
        cache[key] = compute()
    return cache[key]


# --- one KPI --------------------------------------------------------------------------


def _at_or_beyond(value: float, mark: float, direction: str) -> bool:
    """True when `value` is at `mark` or on its better side, for this Direction."""
    return value >= mark if direction == HIGHER else value <= mark


def kpi_rag(
    actual: float | None,
    target: float | None,
    direction: str | None,
    amber_threshold: float | None = None,
    red_threshold: float | None = None,
) -> str:
    """The RAG word for one actual, exactly as RAG_RULE says."""
    if actual is None or target is None or direction not in (HIGHER, LOWER):
        return NO_DATA
    if _at_or_beyond(actual, target, direction):
        return GREEN
    # "At or beyond the Red Threshold" means at it or on its worse side.
    if red_threshold is not None and (
        actual == red_threshold or not _at_or_beyond(actual, red_threshold, direction)
    ):
        return RED
    if amber_threshold is not None:
        return AMBER if _at_or_beyond(actual, amber_threshold, direction) else RED
    return AMBER if red_threshold is not None else RED


def variance(actual: float | None, target: float | None) -> float | None:
    """Actual minus Target (its sign is read with the Direction beside it)."""
    if actual is None or target is None:
        return None
    return round(actual - target, 6)


def worst(words: Iterable[str]) -> str:
    """The worst of Green/Amber/Red words (No data counts as Amber); No data when empty."""
    ranked = [AMBER if w == NO_DATA else w for w in words]
    if not ranked:
        return NO_DATA
    return min(ranked, key=lambda w: _SEVERITY_RANK.get(w, 1))


def service_rag(
    kpi_rags: Iterable[str], open_severities: Iterable[str | None], has_error: bool
) -> str:
    """A service's roll-up, exactly as ROLLUP_RULE says."""
    levels = [AMBER if w == NO_DATA else w for w in kpi_rags]
    severities = set(open_severities)
    if "Critical" in severities:
        levels.append(RED)
    if "High" in severities:
        levels.append(AMBER)
    if has_error:
        levels.append(AMBER)
    return worst(levels) if levels else NO_DATA


def rag_counts(words: Iterable[str]) -> dict[str, int]:
    """How many of each RAG word, in the order Green, Amber, Red, No data."""
    counts = dict.fromkeys(RAG_WORDS, 0)
    for word in words:
        counts[word if word in counts else NO_DATA] += 1
    return counts


# --- from the master ------------------------------------------------------------------


@dataclass(frozen=True)
class KpiStatus:
    """One KPI in its reporting period."""

    kpi_id: str
    service_id: str | None
    name: str | None
    unit: str | None
    direction: str | None
    frequency: str | None
    target: float | None
    amber_threshold: float | None
    red_threshold: float | None
    owner: str | None
    period: dt.date
    actual: float | None
    commentary: str | None
    rag: str

    @property
    def period_label(self) -> str:
        return period_label(self.frequency, self.period)

    @property
    def variance(self) -> float | None:
        return variance(self.actual, self.target)

    @property
    def missing(self) -> bool:
        return self.actual is None


def actuals_by_kpi(master: Master) -> dict[str, dict[dt.date, dict]]:
    """KPI ID -> period -> the actual's row (a later row for the same period wins, as K rules
    report the duplicate). Worked out once per master; the caller must not change it."""
    return _memo(master, ("actuals",), lambda: _actuals_by_kpi(master))


def _actuals_by_kpi(master: Master) -> dict[str, dict[dt.date, dict]]:
    found: dict[str, dict[dt.date, dict]] = {}
    for _, record in master["KPI Actuals"].rows():
        kpi, period = record.get("KPI ID"), record.get("Period")
        if kpi is None or not isinstance(period, dt.date):
            continue
        found.setdefault(str(kpi), {})[period.replace(day=1)] = record
    return found


def kpi_statuses(master: Master, context: Context) -> list[KpiStatus]:
    """Every KPI with its actual and RAG for the reporting period of its frequency."""
    key = ("kpis", context.as_of, context.settings.reporting_period)
    return list(_memo(master, key, lambda: _kpi_statuses(master, context)))


def _kpi_statuses(master: Master, context: Context) -> list[KpiStatus]:
    actuals = actuals_by_kpi(master)
    statuses = []
    for _, kpi in master["KPIs"].rows():
        kpi_id = kpi.get("KPI ID")
        if kpi_id is None:
            continue
        kpi_id = str(kpi_id)
        period = context.period_for(kpi.get("Frequency"))
        record = actuals.get(kpi_id, {}).get(period, {})
        actual = record.get("Actual")
        statuses.append(KpiStatus(
            kpi_id=kpi_id,
            service_id=kpi.get("Service ID"),
            name=kpi.get("KPI Name"),
            unit=kpi.get("Unit"),
            direction=kpi.get("Direction"),
            frequency=kpi.get("Frequency"),
            target=kpi.get("Target"),
            amber_threshold=kpi.get("Amber Threshold"),
            red_threshold=kpi.get("Red Threshold"),
            owner=kpi.get("Owner"),
            period=period,
            actual=actual,
            commentary=record.get("Commentary"),
            rag=kpi_rag(actual, kpi.get("Target"), kpi.get("Direction"),
                        kpi.get("Amber Threshold"), kpi.get("Red Threshold")),
        ))
    return statuses


def trend_periods(frequency: str | None, context: Context, count: int = 12) -> list[dt.date]:
    """The last `count` periods up to the reporting period, oldest first."""
    latest = context.period_for(frequency)
    return [step_back(frequency, latest, count - 1 - i) for i in range(count)]


def is_open(record: dict) -> bool:
    """Open means not Closed; an unreadable status counts as open (never hide a risk)."""
    return record.get("Status") != "Closed"


def open_risks(master: Master) -> list[tuple[int, dict]]:
    """(Excel row, record) of every open risk and issue."""
    return [(row, r) for row, r in master["Risks and Issues"].rows() if is_open(r)]


def _column(master: Master, sheet: str, header: str) -> list[object]:
    data = master[sheet].data
    return data[header].tolist() if header in data.columns else [None] * len(data)


def service_of_finding(
    master: Master, findings: Iterable[Finding] | None = None
) -> dict[tuple[str, int], str]:
    """(sheet title, Excel row) -> the Service ID that row belongs to.

    A finding names its row, so it belongs to the service on that row (or, for KPI actuals
    and RACI lines, to the service of the KPI or procedure they name). Given `findings`,
    only their rows are looked up: a check finds a few rows among hundreds of thousands.
    """
    kpi_service = {str(k): s for k, s in zip(_column(master, "KPIs", "KPI ID"),
                                              _column(master, "KPIs", "Service ID"),
                                              strict=True) if k is not None}
    procedure_service = {str(p): s for p, s in zip(
        _column(master, "Procedures", "Procedure ID"),
        _column(master, "Procedures", "Service ID"), strict=True) if p is not None}
    wanted: dict[str, set[int]] | None = None
    if findings is not None:
        wanted = {}
        for finding in findings:
            wanted.setdefault(finding.sheet, set()).add(finding.row)
    owner: dict[tuple[str, int], str] = {}
    for name, table in master.sheets.items():
        if not table.present or (wanted is not None and table.title not in wanted):
            continue
        if name == "KPI Actuals":
            header, lookup = "KPI ID", kpi_service
        elif name == "RACI":
            header, lookup = "Procedure ID", procedure_service
        else:
            header, lookup = "Service ID", None
        rows = table.data.index.tolist()
        values = _column(master, name, header)
        if wanted is not None:
            position = {row: i for i, row in enumerate(rows)}
            pairs = [(row, values[position[row]]) for row in wanted[table.title]
                     if row in position]
        else:
            pairs = list(zip(rows, values, strict=True))
        for row, value in pairs:
            service = value if lookup is None else lookup.get(str(value))
            if service is not None:
                owner[(table.title, row)] = str(service)
    return owner


def findings_by_service(master: Master, findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    """Service ID -> the (unwaived) findings on its records."""
    findings = list(findings)
    owner = service_of_finding(master, findings)
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.waived:
            continue
        service = owner.get((finding.sheet, finding.row))
        if service is not None:
            grouped.setdefault(service, []).append(finding)
    return grouped


@dataclass(frozen=True)
class ServiceStatus:
    """One service's roll-up and the reasons for it."""

    service_id: str
    kpis: list[KpiStatus] = field(default_factory=list)
    open_items: list[dict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def kpi_rag(self) -> str:
        return worst(k.rag for k in self.kpis)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR)

    @property
    def rag(self) -> str:
        return service_rag((k.rag for k in self.kpis),
                           (r.get("Severity") for r in self.open_items), self.errors > 0)

    @property
    def reasons(self) -> str:
        """Why the roll-up is what it is, in words (empty when Green with nothing to say)."""
        parts = [f"{k.kpi_id} {k.rag}" for k in self.kpis if k.rag != GREEN]
        parts += [f"{r.get('ID')} {r.get('Severity')} open" for r in self.open_items
                  if r.get("Severity") in ("Critical", "High")]
        if self.errors:
            parts.append(f"{self.errors} error finding{'s' if self.errors != 1 else ''}")
        if not self.kpis and not parts:
            parts.append("No KPIs")
        return "; ".join(parts)


def service_statuses(
    master: Master, context: Context, findings: Iterable[Finding]
) -> dict[str, ServiceStatus]:
    """Service ID -> its roll-up, for every service in the catalogue (in catalogue order)."""
    # Grouped once, so the roll-up is linear in the size of the master, not services x KPIs.
    kpis: dict[object, list[KpiStatus]] = {}
    for kpi in kpi_statuses(master, context):
        kpis.setdefault(kpi.service_id, []).append(kpi)
    risks: dict[object, list[dict]] = {}
    for _, risk in open_risks(master):
        risks.setdefault(risk.get("Service ID"), []).append(risk)
    by_service = findings_by_service(master, findings)
    statuses: dict[str, ServiceStatus] = {}
    for sid in _column(master, "Services", "Service ID"):
        if sid is None or str(sid) in statuses:
            continue
        sid = str(sid)
        statuses[sid] = ServiceStatus(
            service_id=sid,
            kpis=kpis.get(sid, []),
            open_items=risks.get(sid, []),
            findings=by_service.get(sid, []),
        )
    return statuses

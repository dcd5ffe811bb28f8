"""RAG a PMO can trust: the words, the two rules in plain English, and the functions behind them.

A KPI's RAG comes from its period actual against its target; a service's roll-up from its
KPIs, its open risks and issues and the error findings on its records. Every report, the
email and the published catalogue show colours worked out here, once per run, by
:class:`pmo_xl.facts.Facts`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pmo_xl.validators.schema import Direction, Severity

GREEN, AMBER, RED, NO_DATA = "Green", "Amber", "Red", "No data"
RAG_WORDS = (GREEN, AMBER, RED, NO_DATA)

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
_RANK = {RED: 0, AMBER: 1, GREEN: 2}
# How much attention a RAG asks for, most first (Red, Amber, No data, Green).
ATTENTION = {RED: 0, AMBER: 1, NO_DATA: 2, GREEN: 3}


def at_or_beyond(value: float, mark: float, direction: str) -> bool:
    """True when `value` is at `mark` or on its better side, for this Direction."""
    return value >= mark if direction == Direction.HIGHER else value <= mark


def kpi_rag(
    actual: float | None,
    target: float | None,
    direction: str | None,
    amber_threshold: float | None = None,
    red_threshold: float | None = None,
) -> str:
    """The RAG word for one actual, exactly as RAG_RULE says."""
    if actual is None or target is None or direction not in (Direction.HIGHER, Direction.LOWER):
        return NO_DATA
    if at_or_beyond(actual, target, direction):
        return GREEN
    # "At or beyond the Red Threshold" means at it or on its worse side.
    if red_threshold is not None and (
        actual == red_threshold or not at_or_beyond(actual, red_threshold, direction)
    ):
        return RED
    if amber_threshold is not None:
        return AMBER if at_or_beyond(actual, amber_threshold, direction) else RED
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
    return min(ranked, key=lambda w: _RANK.get(w, 1))


def service_rag(
    kpi_rags: Iterable[str], open_severities: Iterable[str | None], has_error: bool
) -> str:
    """A service's roll-up, exactly as ROLLUP_RULE says."""
    levels = [AMBER if w == NO_DATA else w for w in kpi_rags]
    severities = set(open_severities)
    if Severity.CRITICAL in severities:
        levels.append(RED)
    if Severity.HIGH in severities:
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

"""RAG a PMO can trust: the words, the rules in plain English, and the functions behind them.

A KPI's RAG comes from its period actual against its Target and thresholds (RAG_RULE). A
service's **health** comes from its KPIs and its open risks and issues only (ROLLUP_RULE): a
finding about the data (a date typed as text, a missing approval) never changes a colour; it
is counted beside the health as the service's data quality. Every report, the email and the
published catalogue show colours worked out here, once per run, by
:class:`pmo_xl.facts.Facts`.
"""

from __future__ import annotations

from collections.abc import Iterable

from pmo_xl.validators.schema import Direction, Severity, Stage

GREEN, AMBER, RED, NO_DATA = "Green", "Amber", "Red", "No data"
# A service not expected to report KPIs yet: not a colour, and never counted as No data.
NOT_REPORTING = "Not reporting yet"
RAG_WORDS = (GREEN, AMBER, RED, NO_DATA)  # a KPI's words
HEALTH_WORDS = (*RAG_WORDS, NOT_REPORTING)  # a service's words

# Stages at which a service is not expected to report KPIs yet (until it has an actual).
NOT_REPORTING_STAGES = (Stage.PROPOSED, Stage.DESIGN, Stage.PILOT, Stage.TRANSITION)

RAG_RULE = (
    "A KPI is Green when its actual for the reporting period is at or beyond its Target (in "
    "the KPI's Direction), Red when it is at or beyond its Red Threshold (at it or on its "
    "worse side), and Amber when it misses the Target but is not Red; a KPI with only an "
    "Amber Threshold reads it as the last value that is still Amber (anything worse is Red), "
    "one with no threshold is Amber for any miss, and a period with no actual (or a KPI with "
    "no usable Target or Direction) is No data, grey and never Green."
)

THRESHOLD_RULE = (
    "The Red Threshold decides Red (at it or worse); with only an Amber Threshold, anything "
    "worse than it is Red; with both set and different, the values between them are Amber "
    "and pmo-xl says so (K109), since the Amber Threshold then changes no colour."
)

ROLLUP_RULE = (
    "A service's health is the worst RAG of its KPIs that have an actual for the period, made "
    "Red by an open Critical risk or issue and at least Amber by an open High one; without "
    "either it is No data, or Not reporting yet while it is Proposed or in set-up with no "
    "actual, and a finding about the data never changes it (that is its data quality)."
)

# Worst first: the roll-up takes the lowest rank.
_RANK = {RED: 0, AMBER: 1, GREEN: 2}
# How much attention a health or RAG asks for, most first.
ATTENTION = {RED: 0, AMBER: 1, NO_DATA: 2, GREEN: 3, NOT_REPORTING: 4}


ATTENTION_RULE = (
    "Services are ranked by what needs most attention: worst health first (Red, Amber, No "
    "data, Green, Not reporting yet), then most Red KPIs, most Amber, most with no data, "
    "then by ID; a PMO's own KPIs rank by their KPI RAG."
)
# After every colour: a Closed or Rejected service, or one whose Stage is no stage.
_NO_HEALTH = len(ATTENTION)


def attention_key(health: str | None, kpi_rags: Iterable[str], measured: str) -> tuple:
    """THE ranking of attention (ATTENTION_RULE), as a sort key: the KPI report's "need most
    attention" table, its trend charts and the order of its sheets all sort by it."""
    counts = rag_counts(kpi_rags)
    return (ATTENTION.get(health, _NO_HEALTH) if health is not None else _NO_HEALTH,
            -counts[RED], -counts[AMBER], -counts[NO_DATA], measured)


def kpi_attention(kpi_rag: str) -> int:
    """A KPI's place within its service: Red first, then Amber, No data, Green."""
    return ATTENTION.get(kpi_rag, _NO_HEALTH)


def at_or_beyond(value: float, mark: float, direction: str) -> bool:
    """True when `value` is at `mark` or on its better side, for this Direction."""
    return value >= mark if direction == Direction.HIGHER else value <= mark


def at_or_worse(value: float, mark: float, direction: str) -> bool:
    """True when `value` is at `mark` or on its worse side, for this Direction."""
    return value == mark or not at_or_beyond(value, mark, direction)


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
    if red_threshold is not None:  # with both set, the Red Threshold decides
        return RED if at_or_worse(actual, red_threshold, direction) else AMBER
    if amber_threshold is not None:  # the last value that is still Amber
        return AMBER if at_or_beyond(actual, amber_threshold, direction) else RED
    return AMBER


def thresholds_differ(amber_threshold: float | None, red_threshold: float | None) -> bool:
    """Both thresholds set and different: the Amber Threshold then decides no colour."""
    return (amber_threshold is not None and red_threshold is not None
            and amber_threshold != red_threshold)


def variance(actual: float | None, target: float | None) -> float | None:
    """Actual minus Target (its sign is read with the Direction beside it)."""
    if actual is None or target is None:
        return None
    return round(actual - target, 6)


def worst(words: Iterable[str]) -> str:
    """The worst of the Green/Amber/Red words, leaving out No data (a missing actual is a
    data-quality finding, not a colour); No data when none has a colour."""
    ranked = [w for w in words if w in _RANK]
    if not ranked:
        return NO_DATA
    return min(ranked, key=_RANK.__getitem__)


def kpi_rollup(kpi_rags: Iterable[str]) -> str:
    """The KPI RAG of a service or a PMO: the worst of its KPIs that have a colour, No data
    when none has (a row of the KPI report's Summary and its bar say the same)."""
    return worst(kpi_rags)


def service_health(
    kpi_rags: Iterable[str], open_severities: Iterable[str | None], expected: bool
) -> str:
    """A service's health, exactly as ROLLUP_RULE says. `expected`: the service should
    report KPIs for the period (False: Proposed or in set-up with no actual)."""
    levels = [w for w in kpi_rags if w in _RANK]
    severities = set(open_severities)
    if Severity.CRITICAL in severities:
        levels.append(RED)
    if Severity.HIGH in severities:
        levels.append(AMBER)
    if levels:
        return worst(levels)
    return NO_DATA if expected else NOT_REPORTING


def rag_counts(words: Iterable[str], *, health: bool = False) -> dict[str, int]:
    """How many of each word, in the order Green, Amber, Red, No data (and Not reporting
    yet, for services' health)."""
    counts = dict.fromkeys(HEALTH_WORDS if health else RAG_WORDS, 0)
    for word in words:
        counts[word if word in counts else NO_DATA] += 1
    return counts

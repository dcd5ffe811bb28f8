"""One pack's pack.json as columns of the history's tables, and the dimensions it adds to.

Values go out in their text forms (:class:`pmo_xl.portfolio.table_files.TextForms`), column
by column: one list comprehension per column over a pack's services or KPIs, and no Python
step per row when the file writers join them into lines.
"""

from __future__ import annotations

import datetime as dt

from pmo_xl.compare.packs import PACK_JSON, PackMemoryError
from pmo_xl.portfolio import tables as t
from pmo_xl.portfolio.pack_file import Described, Kpi, PackFile, Person, Pmo, Service
from pmo_xl.portfolio.pack_folders import Pack
from pmo_xl.portfolio.table_files import TextForms
from pmo_xl.validators.schema import ACTIVE_STAGES

Columns = list  # one table's values, column by column, each a list of text
Held = dict[str, tuple[str, tuple, str]]  # ID -> (date of its source, its row, its source)


class Texts:
    """The text forms of one reader: each float and date formatted once (a look-up in C
    after that), counts apart (1 and 1.0 are one key but "1" and "1.0" differ)."""

    def __init__(self) -> None:
        self.text = TextForms().__getitem__
        self.count = TextForms().__getitem__


class Dimensions:
    """Each ID's description from the newest source naming it, and the dates seen.

    Packs are read newest first within each series, so the first description of an ID is
    the newest; an older pack only adds the IDs no newer one named (found with one set
    difference, not a look at every row). Several readers' dimensions merge into one.
    """

    def __init__(self) -> None:
        self.services: Held = {}
        self.kpis: Held = {}
        self.pmos: Held = {}
        self.people: Held = {}
        self.first_pack: dict[str, str] = {}  # Service ID -> the first pack date it is in
        self.last_pack: dict[str, str] = {}
        self.first_day: str | None = None
        self.last_day: str | None = None
        self.described: set[tuple] = set()  # series whose PMOs and people a pack gave
        # (table, source, source) -> IDs the two sources describe differently, and each
        # source's first and last pack date
        self.clashes: dict[tuple[str, str, str], set[str]] = {}
        self.spans: dict[str, list[str]] = {}
        self._series: tuple | None = None  # the series being read, and its dates so far
        self._first: dict[str, str] = {}
        self._last: dict[str, str] = {}

    def saw(self, day: str | None) -> None:
        if day is None:
            return
        if self.first_day is None or day < self.first_day:
            self.first_day = day
        if self.last_day is None or day > self.last_day:
            self.last_day = day

    def take(self, data: Described, day: str, newest: bool, texts: Texts, source: str,
             fuller: bool = False) -> None:
        """Describe what a pack (or a master) names: every ID where nothing newer has, when
        it is the newest of its series that this reader sees; else only the IDs nothing has
        named yet. `source` names the master (an ID two masters name differently is kept
        in `clashes`). `fuller`: a master snapshot describing its own pack, which said less
        of the same day, replaces that pack's description."""
        for table, held, given, row in (
                (t.SERVICES, self.services, data.services, _service),
                (t.KPIS, self.kpis, data.kpis, _kpi),
                (t.PMOS, self.pmos, data.pmos or {}, _pmo),
                (t.PEOPLE, self.people, data.people or {}, _person)):
            if newest:
                ids = given.keys()
            elif given.keys() <= held.keys():  # as a rule: an older pack names nothing new
                continue
            else:
                # set(...).difference(a dict) looks up each of the few given IDs; `keys() -
                # keys()` would walk every ID held so far.
                ids = set(given).difference(held)
            for key in ids:
                before = held.get(key)
                described = tuple(v if type(v) is str else texts.text(v)
                                  for v in row(key, given[key]))  # None: ""
                if before is not None and before[2] != source and before[1][1] != described[1]:
                    self._clash(table.name, before[2], source, key)
                if before is None or before[0] < day or (fuller and before[0] == day):
                    held[key] = (day, described, source)

    def _clash(self, table: str, one: str, other: str, key: str) -> None:
        first, second = sorted((one, other))
        self.clashes.setdefault((table, first, second), set()).add(key)

    def appeared(self, series: tuple, services: dict, day: str) -> None:
        """The first and last pack each service is in. A series' packs come one after the
        other, newest first: within it, each pack's date is the first so far (one update in
        C) and the last is the first date seen; across series, the earliest and latest."""
        if series != self._series:
            self.close_series()
            self._series, self._first, self._last = series, {}, {}
        self._first.update(dict.fromkeys(services, day))
        if not services.keys() <= self._last.keys():
            self._last.update((sid, day) for sid in services if sid not in self._last)

    def close_series(self) -> None:
        """Fold the series read last into the first and last pack dates."""
        first, last = self.first_pack, self.last_pack
        for sid, day in self._first.items():
            if day < first.get(sid, "~"):
                first[sid] = day
        for sid, day in self._last.items():
            if day > last.get(sid, ""):
                last[sid] = day
        self._series, self._first, self._last = None, {}, {}

    def merge(self, other: Dimensions) -> None:
        """Another reader's dimensions into these: the newer description of each ID."""
        self.close_series()
        other.close_series()
        for table, mine, theirs in ((t.SERVICES, self.services, other.services),
                                    (t.KPIS, self.kpis, other.kpis),
                                    (t.PMOS, self.pmos, other.pmos),
                                    (t.PEOPLE, self.people, other.people)):
            for key, (day, row, source) in theirs.items():
                before = mine.get(key)
                if before is not None and before[2] != source and before[1][1] != row[1]:
                    self._clash(table.name, before[2], source, key)
                if before is None or before[0] < day:
                    mine[key] = (day, row, source)
        for clash, keys in other.clashes.items():
            self.clashes.setdefault(clash, set()).update(keys)
        for source, (first, last) in other.spans.items():
            self.span(source, first)
            self.span(source, last)
        for sid, day in other.first_pack.items():
            if sid not in self.first_pack or day < self.first_pack[sid]:
                self.first_pack[sid] = day
        for sid, day in other.last_pack.items():
            if sid not in self.last_pack or day > self.last_pack[sid]:
                self.last_pack[sid] = day
        self.saw(other.first_day)
        self.saw(other.last_day)
        self.described |= other.described

    def span(self, source: str, day: str) -> None:
        """The first and last pack date of a source (a master's packs)."""
        held = self.spans.setdefault(source, [day, day])
        held[0], held[1] = min(held[0], day), max(held[1], day)

    def service_rows(self) -> list[tuple]:
        first, last = self.first_pack, self.last_pack
        return [(*row, first.get(sid, ""), last.get(sid, ""))
                for sid, (_day, row, _source) in sorted(self.services.items())]

    @staticmethod
    def rows(held: Held) -> list[tuple]:
        return [row for _key, (_day, row, _source) in sorted(held.items())]

    def clash_warnings(self) -> list[str]:
        """One sentence per two masters that give one ID to different things at the same
        time: their packs' dates overlap. A master renamed between meetings, or a service
        renamed in the current master, is one story told on, not two."""
        words = {t.SERVICES.name: ("service", "services"), t.KPIS.name: ("KPI", "KPIs"),
                 t.PMOS.name: ("PMO", "PMOs"), t.PEOPLE.name: ("Person", "people")}
        found = []
        for (table, one, other), keys in sorted(self.clashes.items()):
            if one not in self.spans or other not in self.spans:
                continue
            (first, last), (other_first, other_last) = self.spans[one], self.spans[other]
            if last < other_first or other_last < first:
                continue
            single, plural = words[table]
            shown = sorted(keys)
            named = ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3
                                            else "")
            found.append(f"{one} and {other} give the same {single} ID to different "
                         f"{plural} ({named}): each fact row tells them apart by its pack, "
                         f"but the {table} table describes each ID once, as the newest pack "
                         "naming it does. Give each master its own IDs.")
        return found


def _service(sid: str, s: Service) -> tuple:
    return sid, s.name, s.category, s.stage, s.lead_pmo, s.service_owner


def _kpi(kid: str, k: Kpi) -> tuple:
    return (kid, k.name, k.service, k.pmo, k.unit, k.direction, k.frequency, k.target,
            k.amber_threshold, k.red_threshold, k.owner)


def _pmo(pid: str, p: Pmo) -> tuple:
    return pid, p.name, p.level, p.parent, p.capacity_fte, p.manager


def _person(pid: str, p: Person) -> tuple:
    return pid, p.name, p.job_role, p.pmo


def pack_columns(pack: Pack, data: PackFile, dims: Dimensions, newest: bool,
                 texts: Texts) -> dict[str, Columns]:
    """What one pack gives each fact table and the packs table, column by column, every
    value in its text form: PackMemoryError when a value a pack must have is missing (then
    it gives nothing at all)."""
    pid, day = pack.pack_id, pack.as_of.isoformat()
    text, count = texts.text, texts.count
    services, kpis = list(data.services.values()), list(data.kpis.values())
    if any(s.rag is None for s in services) or any(k.rag is None for k in kpis):
        raise PackMemoryError(f"The {PACK_JSON} of {pack.folder} is damaged (a service or "
                              "KPI has no RAG).")
    periods = {k.period for k in kpis} - {None}
    for period in periods:  # a pack's KPIs have one or two periods: each checked once
        _iso_date(period, pack)
    n = len(services)
    quality = [s.data_quality for s in services]
    status = [[pid] * n, [day] * n, list(data.services), [s.name or "" for s in services],
              [s.stage or "" for s in services],
              ["True" if s.stage in _ACTIVE else "False" for s in services],
              [s.rag for s in services], [s.health or "" for s in services],
              ["" if q is None else count(q.error) for q in quality],
              ["" if q is None else count(q.warning) for q in quality],
              [s.why or "" for s in services], [s.lead_pmo or "" for s in services]]
    n = len(kpis)
    actuals = [[pid] * n, [day] * n, list(data.kpis), [k.service or "" for k in kpis],
               [k.pmo or "" for k in kpis], [k.period or "" for k in kpis],
               [text(k.actual) for k in kpis], [text(k.target) for k in kpis],
               [text(k.amber_threshold) for k in kpis], [text(k.red_threshold) for k in kpis],
               [k.direction or "" for k in kpis], [k.frequency or "" for k in kpis],
               [k.rag for k in kpis]]
    found = columns([(pid, day, f.rule, f.severity, f.record or "", f.sheet, f.cell,
                      "True" if f.waived else "False") for f in data.findings],
                    len(t.FINDINGS.columns))
    decisions = data.decisions
    decided = columns([] if decisions is None else [
        (pid, day, d.kind, d.record or "", d.service or "", d.pmo or "", d.decider or "",
         d.summary or "") for d in decisions], len(t.DECISIONS.columns))
    summary = data.summary
    packs = columns([(pid, day, pack.organisation, pack.master, pack.sha256,
                      str(pack.folder), data.written_by or "", count(len(services)),
                      count(summary.error), count(summary.warning), count(summary.info),
                      count(summary.waived),
                      "" if decisions is None else count(len(decisions)),
                      "False" if decisions is None else "True")], len(t.PACKS.columns))
    # Everything is built: only now does the pack count towards the dimensions.
    dims.take(data, day, newest, texts, pack.source)
    dims.span(pack.source, day)
    dims.appeared(pack.series, data.services, day)
    dims.saw(day)
    for period in periods:
        dims.saw(period)
    if data.pmos is not None:
        dims.described.add(pack.series)
    return {t.PACKS.name: packs, t.SERVICE_STATUS.name: status, t.KPI_ACTUALS.name: actuals,
            t.FINDINGS.name: found, t.DECISIONS.name: decided}


FACT_TABLES = (t.PACKS, t.SERVICE_STATUS, t.KPI_ACTUALS, t.FINDINGS, t.DECISIONS)


def _iso_date(value: str, pack: Pack) -> None:
    """A period must be a date (a date column takes nothing else)."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise PackMemoryError(f"The {PACK_JSON} of {pack.folder} is damaged (a KPI's period "
                              f"{value!r} is not a date).") from None


_ACTIVE = frozenset(ACTIVE_STAGES)


def columns(rows: list[tuple], width: int) -> Columns:
    """Rows turned into columns (`width` empty columns for no row)."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def date_rows(first: str | None, last: str | None) -> list[tuple]:
    """Every day from `first` to `last` (ISO dates), for a Power BI date table."""
    if first is None or last is None:
        return []
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    rows = []
    while day <= end:
        quarter = (day.month - 1) // 3 + 1
        rows.append((day.isoformat(), str(day.year), str(quarter), f"{day.year} Q{quarter}",
                     str(day.month), day.strftime("%B"), f"{day.year}-{day.month:02d}",
                     day.replace(day=1).isoformat(), str(day.isocalendar().week),
                     str(day.isoweekday())))
        day += dt.timedelta(days=1)
    return rows

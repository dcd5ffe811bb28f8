"""`pmo-xl history`: years of packs as long-format tables, one file per table.

Every pack folder keeps its meeting in ``pack.json`` (:mod:`pmo_xl.history`): each service's
stage, RAG, health, data quality and why, each KPI's actual for its reporting period, the
findings, the decisions, the PMOs and people. This module finds the packs under the PATHs
given, counts each once, and turns what they say into the tables :mod:`.tables` declares,
without checking a master again: 5,000 packs take seconds, not hours.

How packs are counted:
  * A folder holding ``pack.json`` is a pack; any other folder is searched for packs (hidden
    folders, such as a pack still being written, are not).
  * A pack whose pack.json is damaged or written by a newer pmo-xl, or that has lost its
    ``master-snapshot.xlsx``, is named in a warning and left out, never guessed at.
  * One master's packs side by side make a series; two packs of a series for the same
    as-of date (a pack made again) count once: the later written. The same pack reached
    twice (a copy in another folder) counts once. Each is named.
  * Packs of different PMOs' masters sit side by side in the same tables, told apart by
    their pack (its organisation and master) and their own IDs.

Dimensions (services, KPIs, PMOs, people) describe each ID as the newest pack naming it
does; a master named among the PATHs is newer than any pack. A pack made by an older pmo-xl
kept no PMOs or people: for a series whose newest pack is one, its master snapshot is read
instead (checked against the SHA-256 its pack.json names).

Speed: a pack's header is read from the first few kilobytes of its pack.json to sort and
count the packs; then each counted pack is read once, its rows written and forgotten, so
memory does not grow with the number of packs (benchmarks/history.py measures it).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.history import (
    FORMAT,
    PACK_JSON,
    SNAPSHOT,
    PackMemoryError,
    damaged,
    dimension_record,
    load_pack_json,
)
from pmo_xl.output import atomic_folder, refuse_master
from pmo_xl.portfolio import tables as t
from pmo_xl.portfolio.table_files import CSV, file_name, open_files, require_format
from pmo_xl.validators.schema import ACTIVE_STAGES

LEFT_OUT = "It is left out of the history."
HEAD_BYTES = 8192  # pack.json's header (format to summary) fits in the first few hundred
MASTER_SUFFIXES = (".xlsx", ".xlsm")
_ACTIVE = frozenset(ACTIVE_STAGES)
_NUMBER = (int, float)
MASTER_DAY = "9999-12-31"  # a master named is newer than any pack


@dataclass
class Pack:
    """A pack folder, known by its header before its services are read."""

    folder: Path
    as_of: dt.date
    organisation: str
    master: str
    sha256: str
    written: float  # pack.json's modification time: of two packs for one date, the later

    @property
    def pack_id(self) -> str:
        return f"{self.as_of.isoformat()}-{self.sha256[:12]}"

    @property
    def series(self) -> tuple[str, str, str]:
        """One master's packs side by side: the folder they sit in, the organisation and
        the master's name."""
        return str(self.folder.parent), self.organisation, self.master

    @property
    def label(self) -> str:
        return f"{self.folder} (the pack of {self.as_of.isoformat()})"


@dataclass
class Found:
    """The packs to count, oldest first within each folder, and every one left out, named."""

    packs: list[Pack]
    masters: list[Path]
    warnings: list[str] = field(default_factory=list)


@dataclass
class HistoryWritten:
    """What `pmo-xl history` wrote: the folder, each table's file and rows, the packs."""

    folder: Path
    files: dict[str, Path]
    rows: dict[str, int]
    packs: int
    series: int
    masters: int
    warnings: list[str]


# --- finding the packs --------------------------------------------------------------------


def find_packs(paths: Iterable[str | Path]) -> Found:
    """Every pack under `paths` counted once (see the module docstring); masters named."""
    folders: dict[str, Path] = {}
    masters: list[Path] = []
    warnings: list[str] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise CannotCheck(f"{path} does not exist; name pack folders, folders holding "
                              "them, or a master workbook.")
        if path.is_file():
            if path.suffix.lower() not in MASTER_SUFFIXES:
                raise CannotCheck(f"{path} is neither a pack folder, a folder of packs nor a "
                                  "master workbook (.xlsx).")
            if all(os.path.realpath(path) != os.path.realpath(m) for m in masters):
                masters.append(path)
            continue
        found = _pack_folders(path, warnings)
        if not found:
            warnings.append(f"{path} holds no pack (no folder in it has a {PACK_JSON}).")
        for folder in found:
            folders.setdefault(os.path.realpath(folder), folder)
    packs = []
    for folder in folders.values():
        try:
            packs.append(_header(folder))
        except PackMemoryError as exc:
            warnings.append(f"{exc} {LEFT_OUT}")
    return Found(_counted_once(packs, warnings), masters, warnings)


def _pack_folders(top: Path, warnings: list[str]) -> list[Path]:
    if (top / PACK_JSON).exists():
        return [top]
    found = []
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = sorted(s for s in subfolders if not s.startswith("."))
        if PACK_JSON in files:
            found.append(Path(folder))
            subfolders[:] = []  # a pack's to-people/ holds no pack
        elif SNAPSHOT in files:
            warnings.append(f"{folder} holds a {SNAPSHOT} but no {PACK_JSON}, so it is not "
                            f"a pack pmo-xl can read. {LEFT_OUT}")
    return found


def _header(folder: Path) -> Pack:
    """The pack's date, organisation and master, from the start of its pack.json (the whole
    file when the start cannot be read on its own), and proof its snapshot is there."""
    path = folder / PACK_JSON
    try:
        info = os.stat(path)
    except OSError as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} cannot be read "
                              f"({exc.strerror or exc}).") from None
    if not stat.S_ISREG(info.st_mode):
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is not a file.")
    data = _head(path)
    if data is None:
        data = load_pack_json(folder)  # raises the sentence for a damaged or newer one
    try:
        master = data["master"]
        pack = Pack(folder, dt.date.fromisoformat(data["as_of"]),
                    str(data.get("organisation", "")), str(master["name"]),
                    str(master["sha256"]), info.st_mtime)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise damaged(folder, exc) from None
    if not (folder / SNAPSHOT).is_file():
        raise PackMemoryError(f"{folder} has lost its {SNAPSHOT} (the master it was made "
                              "from), so it is not a whole pack.")
    return pack


def _head(path: Path) -> dict | None:
    """pack.json up to its services, as pmo-xl writes it (format, written_by, as_of,
    organisation, master, summary first, one to a line); None when it is not laid out so
    or is not of a format this pmo-xl reads (the whole file then decides)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(HEAD_BYTES)
    except OSError:
        return None
    cut = start.find(b'\n "services":')
    if cut < 0:
        return None
    try:
        data = json.loads(start[:cut].rstrip().rstrip(b",") + b"\n}")
    except (ValueError, RecursionError):
        return None
    version = data.get("format") if isinstance(data, dict) else None
    if type(version) is not int or version > FORMAT:
        return None
    return data


def _counted_once(packs: list[Pack], warnings: list[str]) -> list[Pack]:
    """One pack per series and date (the later written), and one per pack_id."""
    packs.sort(key=lambda p: (p.series, p.as_of, p.written, str(p.folder)))
    by_date: dict[tuple, Pack] = {}
    for pack in packs:
        key = (*pack.series, pack.as_of)
        earlier = by_date.get(key)
        if earlier is not None:
            warnings.append(_twice(earlier, pack))
        by_date[key] = pack  # sorted by time written: the later one stays
    counted: dict[str, Pack] = {}
    for pack in by_date.values():
        first = counted.get(pack.pack_id)
        if first is not None:
            warnings.append(f"{pack.folder} is the same pack as {first.folder} (the same "
                            f"master on {pack.as_of.isoformat()}): it is counted once.")
            continue
        counted[pack.pack_id] = pack
    return sorted(counted.values(), key=lambda p: (str(p.folder.parent), p.as_of,
                                                   str(p.folder)))


def _twice(earlier: Pack, later: Pack) -> str:
    if earlier.sha256 == later.sha256:
        return (f"{earlier.folder} is the same pack as {later.folder} (the same master on "
                f"{later.as_of.isoformat()}): it is counted once.")
    return (f"{earlier.folder} and {later.folder} are both packs of {later.master} for "
            f"{later.as_of.isoformat()}; the one written later, {later.folder}, is counted.")


# --- the rows of one pack -----------------------------------------------------------------


class Dimensions:
    """Each ID's description from the newest source naming it, and the dates seen."""

    def __init__(self) -> None:
        # ID -> (date of the source, row); a source as new or newer replaces the row.
        self.services: dict[str, tuple[str, tuple]] = {}
        self.kpis: dict[str, tuple[str, tuple]] = {}
        self.pmos: dict[str, tuple[str, tuple]] = {}
        self.people: dict[str, tuple[str, tuple]] = {}
        self.appears: dict[str, list[str]] = {}  # Service ID -> [first, last] pack date
        self.first_day: str | None = None
        self.last_day: str | None = None
        self.described: set[tuple] = set()  # series whose PMOs and people a pack gave

    def saw(self, day: str) -> None:
        if self.first_day is None or day < self.first_day:
            self.first_day = day
        if self.last_day is None or day > self.last_day:
            self.last_day = day

    def appeared(self, services: Iterable[str], day: str) -> None:
        appears = self.appears
        for sid in services:
            seen = appears.get(sid)
            if seen is None:
                appears[sid] = [day, day]
            elif day > seen[1]:
                seen[1] = day
            elif day < seen[0]:
                seen[0] = day

    def take(self, data: dict, day: str) -> None:
        """Describe what a pack.json (or a master, as dimension_record gives it) names, where
        nothing newer has."""
        services, kpis, pmos, people = (self.services, self.kpis, self.pmos, self.people)
        for sid, s in data["services"].items():
            held = services.get(sid)
            if held is None or held[0] <= day:
                services[sid] = (day, (sid, _text(s.get("name")), _text(s.get("category")),
                                       _text(s.get("stage")), _text(s.get("lead_pmo")),
                                       _text(s.get("service_owner"))))
        for kid, k in data["kpis"].items():
            held = kpis.get(kid)
            if held is None or held[0] <= day:
                kpis[kid] = (day, (kid, _text(k.get("name")), _text(k.get("service")),
                                   _text(k.get("pmo")), _text(k.get("unit")),
                                   _text(k.get("direction")), _text(k.get("frequency")),
                                   _number(k.get("target")), _number(k.get("amber_threshold")),
                                   _number(k.get("red_threshold")), _text(k.get("owner"))))
        for pid, p in (data.get("pmos") or {}).items():
            held = pmos.get(pid)
            if held is None or held[0] <= day:
                pmos[pid] = (day, (pid, _text(p.get("name")), _text(p.get("level")),
                                   _text(p.get("parent")), _number(p.get("capacity_fte")),
                                   _text(p.get("manager"))))
        for pid, p in (data.get("people") or {}).items():
            held = people.get(pid)
            if held is None or held[0] <= day:
                people[pid] = (day, (pid, _text(p.get("name")), _text(p.get("job_role")),
                                     _text(p.get("pmo"))))

    def service_rows(self) -> list[tuple]:
        rows = []
        for sid, (_day, row) in sorted(self.services.items()):
            first, last = self.appears.get(sid, (None, None))
            rows.append((*row, first, last))
        return rows

    @staticmethod
    def rows(held: dict[str, tuple[str, tuple]]) -> list[tuple]:
        return [row for _key, (_day, row) in sorted(held.items())]


def pack_rows(pack: Pack, data: dict, dims: Dimensions) -> dict[str, list[tuple]]:
    """The rows one pack.json gives each fact table and the packs table; raises
    PackMemoryError when its content is not what pmo-xl wrote (then it gives no row)."""
    try:
        return _pack_rows(pack, data, dims)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise damaged(pack.folder, exc) from None


def _pack_rows(pack: Pack, data: dict, dims: Dimensions) -> dict[str, list[tuple]]:
    pid, day = pack.pack_id, pack.as_of.isoformat()
    services, kpis, findings = data["services"], data["kpis"], data["findings"]
    summary, decisions = data["summary"], data.get("decisions")
    status = []
    for sid, s in services.items():
        quality = s.get("data_quality")
        stage = s.get("stage")
        status.append((pid, day, sid, _text(s.get("name")), _text(stage), stage in _ACTIVE,
                       _word(s["rag"]), _text(s.get("health")),
                       None if quality is None else _count(quality["error"]),
                       None if quality is None else _count(quality["warning"]),
                       _text(s.get("why")), _text(s.get("lead_pmo"))))
    actuals = []
    for kid, k in kpis.items():
        actuals.append((pid, day, kid, _text(k.get("service")), _text(k.get("pmo")),
                        _day(k.get("period")),
                        _number(k.get("actual")), _number(k.get("target")),
                        _number(k.get("amber_threshold")), _number(k.get("red_threshold")),
                        _text(k.get("direction")), _text(k.get("frequency")), _word(k["rag"])))
    found = [(pid, day, _word(f["rule"]), _word(f["severity"]), _text(f.get("record")),
              _word(f["sheet"]), _word(f["cell"]), bool(f.get("waived", False)))
             for f in findings]
    decided = None if decisions is None else [
        (pid, day, _word(d["kind"]), _text(d.get("record")), _text(d.get("service")),
         _text(d.get("pmo")), _text(d.get("decider")), _text(d.get("summary")))
        for d in decisions]
    packs = [(pid, day, pack.organisation, pack.master, pack.sha256, str(pack.folder),
              _text(data.get("written_by")), len(services), _count(summary["error"]),
              _count(summary["warning"]), _count(summary["info"]),
              _count(summary.get("waived", 0)), None if decided is None else len(decided),
              decided is not None)]
    # Every row is built: only now does the pack count towards the dimensions.
    dims.take(data, day)
    dims.appeared(services, day)
    dims.saw(day)
    for row in actuals:
        if row[5] is not None:
            dims.saw(row[5])
    if data.get("pmos") is not None:
        dims.described.add(pack.series)
    return {t.PACKS.name: packs, t.SERVICE_STATUS.name: status, t.KPI_ACTUALS.name: actuals,
            t.FINDINGS.name: found, t.DECISIONS.name: decided or []}


def _text(value: object) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # a name typed as a number in the master
    raise TypeError("text")


def _word(value: object) -> str:
    if type(value) is not str:
        raise TypeError("text")
    return value


def _number(value: object) -> float | int | None:
    if value is None or type(value) in _NUMBER:
        return value
    raise TypeError("number")


def _count(value: object) -> int:
    if type(value) is not int:
        raise TypeError("count")
    return value


def _day(value: object) -> str | None:
    """An ISO date as pack.json keeps it, checked (a date column takes nothing else)."""
    if value is None:
        return None
    dt.date.fromisoformat(value)  # TypeError or ValueError: damaged
    return value


# --- dates ---------------------------------------------------------------------------------


def date_rows(first: str | None, last: str | None) -> list[tuple]:
    """Every day from `first` to `last` (ISO dates), for a Power BI date table."""
    if first is None or last is None:
        return []
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    rows = []
    while day <= end:
        quarter = (day.month - 1) // 3 + 1
        rows.append((day.isoformat(), day.year, quarter, f"{day.year} Q{quarter}", day.month,
                     day.strftime("%B"), f"{day.year}-{day.month:02d}",
                     day.replace(day=1).isoformat(), day.isocalendar().week, day.isoweekday()))
        day += dt.timedelta(days=1)
    return rows


# --- the whole export ----------------------------------------------------------------------


def write_history(paths: Iterable[str | Path], output_dir: str | Path,
                  output_format: str = CSV,
                  progress: Callable[[int, int], None] | None = None) -> HistoryWritten:
    """Find the packs under `paths` and write the history tables into `output_dir` (replaced
    as a whole when it holds only tables pmo-xl wrote; see the module docstring)."""
    require_format(output_format)
    paths = [Path(p) for p in paths]
    output_dir = Path(output_dir)
    for given in paths:
        refuse_master(output_dir, given)
    found = find_packs(paths)
    if not found.packs and not found.masters:
        raise CannotCheck("No pack to read: " + (found.warnings[0] if found.warnings else
                          "name pack folders written by pmo-xl pack, or folders holding "
                          "them."))
    # A master named is read first: one that cannot be read stops the command before the
    # packs are read. It is newer than any pack, so its descriptions stand.
    described = [dimension_record(_facts(m, dt.date.today())) for m in found.masters]
    warnings = list(found.warnings)
    dims = Dimensions()
    newest: dict[tuple, Pack] = {}
    counted = 0
    with atomic_folder(output_dir, overwrite=True, replaceable=is_history_file,
                       what="history folder") as temp:
        files = open_files(t.TABLES.values(), temp, output_format)
        try:
            for number, pack in enumerate(found.packs, start=1):
                try:
                    rows = pack_rows(pack, load_pack_json(pack.folder), dims)
                except PackMemoryError as exc:
                    warnings.append(f"{exc} {LEFT_OUT}")
                    continue
                for name, table_rows in rows.items():
                    files[name].add(table_rows)
                counted += 1
                newest[pack.series] = pack
                if progress is not None:
                    progress(number, len(found.packs))
            if not counted and not described:
                raise CannotCheck("No pack could be read: " + warnings[-1])
            _describe_older(newest, dims, warnings)
            for record in described:
                dims.take(record, MASTER_DAY)
            files[t.SERVICES.name].add(dims.service_rows())
            files[t.KPIS.name].add(dims.rows(dims.kpis))
            files[t.PMOS.name].add(dims.rows(dims.pmos))
            files[t.PEOPLE.name].add(dims.rows(dims.people))
            files[t.DATES.name].add(date_rows(dims.first_day, dims.last_day))
        finally:
            for table_file in files.values():
                table_file.close()
    return HistoryWritten(output_dir, {n: output_dir / f.path.name for n, f in files.items()},
                          {n: f.rows for n, f in files.items()}, counted, len(newest),
                          len(found.masters), warnings)


def _describe_older(newest: dict[tuple, Pack], dims: Dimensions, warnings: list[str]) -> None:
    """A series whose newest pack was made by an older pmo-xl kept no PMOs or people: read
    them, and its KPIs' definitions, from that pack's master snapshot."""
    from pmo_xl.history import read_pack, snapshot_of

    for series, pack in newest.items():
        if series in dims.described:
            continue
        try:
            facts = _facts(snapshot_of(read_pack(pack.folder)), pack.as_of)
        except CannotCheck as exc:
            warnings.append(f"{exc} The PMOs and people of {pack.master} are not in the "
                            "tables.")
            continue
        dims.take(dimension_record(facts), pack.as_of.isoformat())


def _facts(path: Path, as_of: dt.date):
    from pmo_xl.facts import Facts
    from pmo_xl.master import read_master

    return Facts(read_master(path), as_of)


def is_history_file(path: Path) -> bool:
    """A table file `pmo-xl history` writes (what a new run may replace)."""
    return (path.is_file() and not path.is_symlink()
            and any(path.name == file_name(table, kind) for table in t.TABLES.values()
                    for kind in ("csv", "parquet")))

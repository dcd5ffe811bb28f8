"""`pmo-xl history`: years of packs as long-format tables, one file per table.

Every pack folder keeps its meeting in ``pack.json`` (:mod:`pmo_xl.compare.packs`): each service's
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
    their pack (its organisation and master) and their own IDs. Two masters in use at the
    same time that give one ID to different things are named.

Dimensions (services, KPIs, PMOs, people) describe each ID as the newest pack naming it
does; a master named among the PATHs is newer than any pack. A pack made by an older pmo-xl
kept no PMOs or people: for a series whose newest pack is one, its master snapshot is read
instead (checked against the SHA-256 its pack.json names).

Where it happens: :mod:`.pack_folders` finds and counts the packs, :mod:`.parts` reads them
(on several cores for many packs), :mod:`.pack_columns` turns one pack into rows,
:mod:`.table_files` writes the files. Each counted pack is read once, its rows written and
forgotten, so memory does not grow with the number of packs (benchmarks/history.py).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pmo_xl.compare.packs import PACK_JSON, dimension_record
from pmo_xl.errors import CannotCheck
from pmo_xl.output import atomic_folder, refuse_master
from pmo_xl.portfolio import tables as t
from pmo_xl.portfolio.pack_columns import Dimensions, Texts, columns, date_rows
from pmo_xl.portfolio.pack_file import described
from pmo_xl.portfolio.pack_folders import Pack, find_packs
from pmo_xl.portfolio.parts import join_parts, read_parts
from pmo_xl.portfolio.table_files import CSV, file_name, open_files, require_format

MASTER_DAY = "9999-12-31"  # a master named is newer than any pack


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


# --- the whole export ----------------------------------------------------------------------


def write_history(paths: Iterable[str | Path], output_dir: str | Path,
                  output_format: str = CSV, *, readers: int | None = None) -> HistoryWritten:
    """Find the packs under `paths` and write the history tables into `output_dir` (replaced
    as a whole when it holds only tables pmo-xl wrote; see the module docstring).
    `readers`: how many processes read the packs (default: one per core, see .parts)."""
    require_format(output_format)
    paths = [Path(p) for p in paths]
    output_dir = Path(output_dir)
    for given in paths:
        refuse_master(output_dir, given)
    refuse_inside_a_pack(output_dir)
    found = find_packs(paths)
    if not found.packs and not found.masters:
        raise CannotCheck("No pack to read: " + (found.warnings[0] if found.warnings else
                          "name pack folders written by pmo-xl pack, or folders holding "
                          "them."))
    # A master named is read first: one that cannot be read stops the command before the
    # packs are read. It is newer than any pack, so its descriptions stand.
    masters = []
    for path in found.masters:
        facts = _facts(path, dt.date.today())
        masters.append((described(dimension_record(facts)),
                        f"{facts.settings.organisation}'s {path.name}"))
    with atomic_folder(output_dir, overwrite=True, replaceable=is_history_file,
                       what="history folder") as temp:
        whole = join_parts(read_parts(temp, found.packs, output_format, readers), temp,
                           output_format)
        warnings = found.warnings + whole.warnings
        if not whole.counted and not masters:
            raise CannotCheck("No pack could be read: " + warnings[-1])
        dims, texts = whole.dims, Texts()
        _describe_older(whole.newest, dims, warnings, texts)
        for record, source in masters:
            dims.take(record, MASTER_DAY, True, texts, source)
        warnings += dims.clash_warnings()
        described_by = {t.SERVICES: dims.service_rows(), t.KPIS: dims.rows(dims.kpis),
                        t.PMOS: dims.rows(dims.pmos), t.PEOPLE: dims.rows(dims.people),
                        t.DATES: date_rows(dims.first_day, dims.last_day)}
        files = open_files(described_by, temp, output_format)
        try:
            for table, rows in described_by.items():
                files[table.name].add(columns(rows, len(table.columns)))
        finally:
            for table_file in files.values():
                table_file.close()
        rows = {**whole.rows, **{name: f.rows for name, f in files.items()}}
    return HistoryWritten(output_dir,
                          {t.TABLES[n].name: output_dir / file_name(t.TABLES[n], output_format)
                           for n in t.TABLES},
                          {n: rows[n] for n in t.TABLES}, whole.counted, len(whole.newest),
                          len(found.masters), warnings)


def _describe_older(newest: dict[tuple, Pack], dims: Dimensions, warnings: list[str],
                    texts: Texts) -> None:
    """A series whose newest pack was made by an older pmo-xl kept no PMOs or people: read
    them, and its KPIs' definitions, from that pack's master snapshot."""
    from pmo_xl.compare.packs import read_pack, snapshot_of

    for series, pack in newest.items():
        if series in dims.described:
            continue
        try:
            facts = _facts(snapshot_of(read_pack(pack.folder)), pack.as_of)
        except CannotCheck as exc:
            warnings.append(f"{exc} The PMOs and people of {pack.master} are not in the "
                            "tables.")
            continue
        dims.take(described(dimension_record(facts)), pack.as_of.isoformat(), True, texts,
                  pack.source, fuller=True)


def _facts(path: Path, as_of: dt.date):
    from pmo_xl.facts import Facts
    from pmo_xl.workbook.master import read_master

    return Facts(read_master(path), as_of)


def refuse_inside_a_pack(output_dir: Path) -> None:
    """Nothing is ever written into a pack: not the tables either."""
    folder = Path(os.path.abspath(output_dir))
    for above in (folder, *folder.parents):
        if (above / PACK_JSON).is_file():
            raise CannotCheck(f"{output_dir} is inside the pack folder {above}; pmo-xl never "
                              "writes into a pack, so choose a folder outside it.")


def is_history_file(path: Path) -> bool:
    """A table file `pmo-xl history` writes (what a new run may replace)."""
    return (path.is_file() and not path.is_symlink()
            and any(path.name == file_name(table, kind) for table in t.TABLES.values()
                    for kind in ("csv", "parquet")))

"""Reading many packs on several cores: each reader turns its share of the packs into part
files of the fact tables and its own dimensions; the parts are then appended into one file
per table and the dimensions merged (the newer description of each ID wins).

Reading and turning a pack.json into rows is all Python, so one process uses one core:
5,000 packs of 150 services take about 2 ms each. The packs are split into as many shares
as there are cores to use (at most MAX_READERS), in the order they were sorted, so each
share holds whole series or runs of one. A share never needs another's: a description is
kept by date, whoever read it. Few packs are read in the process itself (starting readers
costs more than it saves).

Readers ignore Ctrl-C and die with SIGTERM: the command itself is interrupted, stops them
(``Pool.terminate``) and removes the half-written folder as for any interruption.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path

from pmo_xl.compare.packs import PACK_JSON, PackMemoryError
from pmo_xl.portfolio.pack_columns import FACT_TABLES, Dimensions, Texts, pack_columns
from pmo_xl.portfolio.pack_file import decode
from pmo_xl.portfolio.pack_folders import LEFT_OUT, Pack
from pmo_xl.portfolio.table_files import join_files, open_files

MAX_READERS = 4
ONE_READER_BELOW = 400  # packs: fewer are read in the process itself


@dataclass
class Part:
    """What one reader made of its share of the packs."""

    folder: Path
    rows: dict[str, int]
    dims: Dimensions
    counted: int = 0
    newest: dict[tuple, Pack] = field(default_factory=dict)  # series -> its newest pack
    warnings: list[str] = field(default_factory=list)


def readers(packs: int) -> int:
    """How many readers for `packs` packs: one per core this process may use, at most
    MAX_READERS, and one below ONE_READER_BELOW packs."""
    if packs < ONE_READER_BELOW:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_READERS))


def read_parts(folder: Path, packs: list[Pack], output_format: str,
               count: int | None = None) -> list[Part]:
    """The packs read into part folders inside `folder` by `count` readers (default:
    :func:`readers`), in order."""
    count = readers(len(packs)) if count is None else count
    size = max(1, -(-len(packs) // max(count, 1)))  # ceiling: every pack in one share
    shares = [packs[i:i + size] for i in range(0, len(packs), size)] or [[]]
    jobs = [(folder / f".part-{i}", share, output_format) for i, share in enumerate(shares)]
    if len(jobs) == 1:
        return [read_part(*jobs[0])]
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    pool = context.Pool(len(jobs), initializer=_reader_starts)
    try:
        parts = pool.starmap_async(read_part, jobs).get()
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return parts


def _reader_starts() -> None:
    """A reader leaves Ctrl-C to the command, and SIGTERM (Pool.terminate) ends it quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def read_part(folder: Path, packs: list[Pack], output_format: str) -> Part:
    """Read `packs` (sorted newest first within each series) into the fact tables' part
    files in `folder`, joined into the whole tables later."""
    folder.mkdir()
    files = open_files(FACT_TABLES, folder, output_format)
    part = Part(folder, {}, Dimensions())
    texts = Texts()
    # Millions of short-lived objects and no reference cycles: the cyclic garbage collector
    # would walk them again and again (as pmo_xl.workbook.master.collector_paused says; not imported
    # from there, which would bring pandas into a command that needs none of it).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for pack in packs:
            try:
                content = read_pack_bytes(pack)
                columns = pack_columns(pack, decode(content, pack.folder), part.dims,
                                       pack.series not in part.newest, texts)
            except PackMemoryError as exc:
                part.warnings.append(f"{exc} {LEFT_OUT}")
                continue
            for name, table_columns in columns.items():
                files[name].add(table_columns)
            part.counted += 1
            part.newest.setdefault(pack.series, pack)
        part.dims.close_series()
    finally:
        for table_file in files.values():
            table_file.close()
        if collecting:
            gc.enable()
    part.rows = {name: table_file.rows for name, table_file in files.items()}
    return part


def read_pack_bytes(pack: Pack) -> bytes:
    try:
        return (pack.folder / PACK_JSON).read_bytes()
    except OSError as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {pack.folder} cannot be read "
                              f"({exc.strerror or exc}).") from None


def join_parts(parts: list[Part], folder: Path, output_format: str) -> Part:
    """The parts' fact tables joined into one file each in `folder`, their dimensions
    merged, their folders removed: the whole, as one Part."""
    whole = Part(folder, {}, Dimensions())
    for table in FACT_TABLES:
        name = f"{table.name}.{output_format}"
        join_files(table, [part.folder / name for part in parts], folder / name, output_format)
        whole.rows[table.name] = sum(part.rows[table.name] for part in parts)
    for part in parts:
        whole.dims.merge(part.dims)
        whole.counted += part.counted
        whole.warnings += part.warnings
        for series, pack in part.newest.items():
            if series not in whole.newest or whole.newest[series].as_of < pack.as_of:
                whole.newest[series] = pack
        shutil.rmtree(part.folder)
    return whole

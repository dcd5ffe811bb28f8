"""How fast is `pmo-xl rollup`, and does its memory stay flat as members are added?

Usage: python benchmarks/rollup.py [--members 60 120 240] [--folder DIR] [--workers N]

Writes N members of the example's size (Northwind's example master, 32 services, each copy
with its own PMO, people and service IDs and its own addresses, the strategy shared as an
enterprise's is) into DIR once (kept for the next run), then for each N, in a fresh process:
  * rollup    the N members found, checked (in one worker process per core) and judged
              together, then its outputs written (findings workbook, catalogue page,
              drafts): wall-clock seconds, and CPU seconds of every process (which the
              other load on a shared machine disturbs far less);
  * one by one  the same members checked with `pmo_xl.api.check` one after the other in
              one process (the sum a PMO would spend running check on each);
  * memory    the peak resident memory (ru_maxrss) of the roll-up's own process, once the
              members are checked and with the outputs, of the largest worker checking
              members (which should not grow with N) and of the largest worker of all (the
              outputs' workers hold every member's rows, as the outputs do).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AS_OF = dt.date(2026, 11, 30)
# The IDs a member renumbers as its own (objectives stay shared: the enterprise strategy).
_IDS = re.compile(r"\b(SVC-\d+|PMO-[A-Z]+|P-\d+|KPI-\d+|PRD-\d+|PRC-\d+|RSK-\d+|ISS-\d+|"
                  r"CHG-\d+)\b")


def member_rows(number: int):
    from pmo_xl.example.northwind import example_rows

    prefix = f"M{number:03d}"

    def renumbered(value):
        if not isinstance(value, str):
            return value
        value = _IDS.sub(lambda m: f"{prefix}-{m.group(1)}", value)
        return value.replace("@example.org", f"@{prefix.lower()}.example.org")

    rows = example_rows(AS_OF)
    return {sheet: [{key: renumbered(value) for key, value in record.items()}
                    for record in records] for sheet, records in rows.items()}


def write_members(folder: Path, count: int) -> list[Path]:
    """The members, written once per version of the example data (a stamp file keeps the
    data's digest: members written from older data are written again)."""
    import hashlib

    from pmo_xl.example.northwind import DATA
    from pmo_xl.workbook.template import write_master

    digest = hashlib.sha256(b"".join(item.read_bytes() for item in sorted(
        DATA.iterdir(), key=lambda i: i.name) if item.name.endswith(".csv"))).hexdigest()
    stamp = folder / "example-data.sha256"
    if folder.exists() and (not stamp.exists() or stamp.read_text() != digest):
        for old in folder.glob("member-*.xlsx"):
            old.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    paths = []
    saved = dt.datetime.combine(AS_OF, dt.time(9))
    for number in range(count):
        path = folder / f"member-{number:03d}.xlsx"
        if not path.exists():
            write_master(path, member_rows(number), saved=saved)
        paths.append(path)
    return paths


def measure(folder: Path, count: int, workers: int | None) -> dict:
    """In this (fresh) process: the roll-up of the first `count` members, then each checked
    one by one."""
    import resource

    from pmo_xl import api
    from pmo_xl.portfolio.outputs import write_outputs
    from pmo_xl.portfolio.rollup import run_rollup

    def cpu() -> float:
        mine = resource.getrusage(resource.RUSAGE_SELF)
        theirs = resource.getrusage(resource.RUSAGE_CHILDREN)
        return mine.ru_utime + mine.ru_stime + theirs.ru_utime + theirs.ru_stime

    paths = sorted(folder.glob("member-*.xlsx"))[:count]
    with tempfile.TemporaryDirectory() as out:
        start, used = time.perf_counter(), cpu()
        found = run_rollup(paths, AS_OF, workers=workers)
        members, members_cpu = time.perf_counter() - start, cpu() - used
        own_members = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        checkers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        start, used = time.perf_counter(), cpu()
        write_outputs(found, Path(out) / "rollup", workers=workers)
        outputs, outputs_cpu = time.perf_counter() - start, cpu() - used
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        counted = len(found.counted_members)
        across = len(found.across)
        findings = len(found.findings)
    del found
    start, used = time.perf_counter(), time.process_time()
    for path in paths:
        api.check(path, AS_OF)
    one_by_one, one_by_one_cpu = time.perf_counter() - start, time.process_time() - used
    return {"members": count, "counted": counted, "findings": findings, "across": across,
            "rollup_s": round(members + outputs, 1), "members_s": round(members, 1),
            "outputs_s": round(outputs, 1), "members_cpu": round(members_cpu, 1),
            "outputs_cpu": round(outputs_cpu, 1), "one_by_one_s": round(one_by_one, 1),
            "one_by_one_cpu": round(one_by_one_cpu, 1),
            "peak_mb_main_members": round(own_members), "peak_mb_main": round(own),
            "peak_mb_checker": round(checkers), "peak_mb_worker": round(children)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[60, 120, 240])
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "pmo-xl-rollup-members")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.folder, args.measure, args.workers)))
        return
    start = time.perf_counter()
    write_members(args.folder, max(args.members))
    print(f"{max(args.members)} members in {args.folder} "
          f"(written in {time.perf_counter() - start:.0f} s)")
    for count in args.members:
        command = [sys.executable, __file__, "--folder", str(args.folder),
                   "--measure", str(count)]
        if args.workers is not None:
            command += ["--workers", str(args.workers)]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{row['members']:>4} members: roll-up {row['rollup_s']:>5} s wall "
              f"(members {row['members_s']} s, {row['members_cpu']} s CPU in all processes; "
              f"outputs {row['outputs_s']} s, {row['outputs_cpu']} s CPU); one by one in one "
              f"process: {row['one_by_one_s']} s wall, {row['one_by_one_cpu']} s CPU")
        print(f"      peak memory: roll-up process {row['peak_mb_main_members']} MB once the "
              f"members are checked, {row['peak_mb_main']} MB with the outputs; largest "
              f"worker checking members {row['peak_mb_checker']} MB, largest worker (checking "
              f"or writing an output) {row['peak_mb_worker']} MB; {row['counted']} counted, "
              f"{row['findings']:,} findings, {row['across']} across masters")


if __name__ == "__main__":
    main()

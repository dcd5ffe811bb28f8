"""How fast is `pmo-xl history` on years of packs of many PMOs, and does its memory stay put?

Usage: python benchmarks/history.py [--pmos 100] [--meetings 50] [--services 150]
                                    [--format csv|parquet] [--keep DIR] [--repeat 1]

It writes PMOS x MEETINGS pack folders (one folder of monthly packs per PMO; with --keep DIR
they are kept, and reused by the next run with the same shape) and times `pmo-xl history`
as a fresh process, printing:
  * packs     how many packs, and the megabytes of pack.json
  * history   all of them: wall-clock seconds, CPU seconds (the command and its readers,
              start-up included) and peak resident memory (the largest of its processes)
  * fewer     the same PMOs' first fifth of the meetings: the same measures. Memory is
              bounded when the peak does not grow with the number of packs (it grows a
              little with the number of IDs the dimension tables describe)
Wall-clock time depends on what else the machine runs; CPU seconds much less. --repeat
keeps the best of several runs of each.

Each pack.json is what `pmo-xl pack` writes for a master of SERVICES services made by
benchmarks/generate.py (checked once, with its decisions), with each PMO's IDs made its own
and each meeting's RAGs, actuals and findings varied, so the rows are real and the packs
are different. Every pack folder has its master-snapshot.xlsx (a hard link to one file:
history checks it is there and reads it only for packs made by an older pmo-xl).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import AS_OF, generate  # noqa: E402

from pmo_xl import api  # noqa: E402
from pmo_xl.compare.packs import PACK_JSON, SNAPSHOT, pack_record  # noqa: E402
from pmo_xl.period import add_months  # noqa: E402

RAGS = ("Green", "Green", "Green", "Amber", "Red", "No data")
FIRST_MEETING = dt.date(2022, 11, 30)


def template(services: int, folder: Path) -> tuple[dict, Path]:
    """One real pack.json of a generated master, and the master itself."""
    master = folder / "master.xlsx"
    generate(services, master)
    result = api.check(master, AS_OF)
    return pack_record(result), master  # its decisions are the run's agenda


def _own(value: object, prefix: str) -> object:
    """An ID made a PMO's own: SVC-00001 -> B07-SVC-00001 (P- and PMO- IDs too)."""
    if isinstance(value, str) and value[:4] in ("SVC-", "KPI-", "PMO-", "P-00", "RSK-"):
        return f"{prefix}-{value}"
    return value


def pack_json(base: dict, pmo: int, meeting: int, rng: random.Random) -> dict:
    """A meeting of one PMO: the template with the PMO's own IDs and this month's colours."""
    prefix = f"B{pmo:03d}"
    day = add_months(FIRST_MEETING, meeting)
    record = dict(base)
    record["as_of"] = day.isoformat()
    record["organisation"] = f"Benchmark PMO {pmo:03d}"
    record["master"] = {"name": f"pmo-{pmo:03d}-master.xlsx",
                        "sha256": hashlib.sha256(f"{pmo}/{meeting}".encode()).hexdigest(),
                        "snapshot": SNAPSHOT}
    services = {}
    for sid, s in base["services"].items():
        rag = rng.choice(RAGS)
        errors = 1 if rng.random() < 0.05 else 0
        services[_own(sid, prefix)] = {**s, "rag": rag, "health": rag,
                                       "lead_pmo": _own(s["lead_pmo"], prefix),
                                       "service_owner": _own(s["service_owner"], prefix),
                                       "data_quality": {"error": errors, "warning": 0},
                                       "why": None if rag == "Green" else f"KPI {rag}"}
    period = add_months(day.replace(day=1), -1).isoformat()
    kpis = {}
    for kid, k in base["kpis"].items():
        actual = round(rng.uniform(80, 100), 1)
        kpis[_own(kid, prefix)] = {**k, "service": _own(k["service"], prefix),
                                   "owner": _own(k["owner"], prefix), "period": period,
                                   "actual": actual, "rag": rng.choice(RAGS[:5])}
    findings = [{**f, "record": _own(f["record"], prefix)} for f in base["findings"]]
    findings += [{"rule": "S105", "severity": "error", "record": sid, "sheet": "Services",
                  "cell": f"AI{n + 2}", "waived": False}
                 for n, (sid, s) in enumerate(services.items()) if s["data_quality"]["error"]]
    record.update(services=services, kpis=kpis, findings=findings,
                  summary={"error": sum(f["severity"] == "error" for f in findings),
                           "warning": sum(f["severity"] == "warning" for f in findings),
                           "info": sum(f["severity"] == "info" for f in findings),
                           "waived": 0},
                  decisions=[{**d, "record": _own(d["record"], prefix),
                              "service": _own(d["service"], prefix),
                              "pmo": _own(d["pmo"], prefix),
                              "decider": _own(d["decider"], prefix)}
                             for d in base.get("decisions", [])],
                  pmos={_own(k, prefix): {**v, "parent": _own(v["parent"], prefix),
                                          "manager": _own(v["manager"], prefix)}
                        for k, v in base["pmos"].items()},
                  people={_own(k, prefix): {**v, "pmo": _own(v["pmo"], prefix)}
                          for k, v in base["people"].items()})
    return record


def write_packs(root: Path, base: dict, master: Path, pmos: int, meetings: int) -> int:
    rng = random.Random(22)
    size = 0
    for pmo in range(pmos):
        for meeting in range(meetings):
            record = pack_json(base, pmo, meeting, rng)
            folder = root / f"pmo-{pmo:03d}" / f"pmo-pack-{record['as_of']}"
            folder.mkdir(parents=True)
            text = json.dumps(record, indent=1, ensure_ascii=False) + "\n"
            (folder / PACK_JSON).write_text(text, encoding="utf-8")
            size += len(text.encode())
            os.link(master, folder / SNAPSHOT)
    return size


def run_history(packs: list[Path], out: Path, output_format: str) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak resident KB) of `pmo-xl history` as a fresh process,
    its readers included."""
    command = [sys.executable, "-m", "pmo_xl", "history", *map(str, packs), "-o", str(out),
               "--format", output_format, "-q"]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    error = process.stderr.read().decode()
    process.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"pmo-xl history failed: {error}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def best(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def shown(count: int, measured: tuple[float, float, int]) -> str:
    wall, cpu, peak = measured
    return (f"{count:,} packs: {wall:.2f} s wall, {cpu:.2f} s cpu, peak {peak / 1024:.0f} MB "
            f"({wall / count * 1000:.2f} ms a pack)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pmos", type=int, default=100)
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--services", type=int, default=150)
    parser.add_argument("--format", dest="output_format", default="csv",
                        choices=("csv", "parquet"))
    parser.add_argument("--keep", type=Path, help="Write the packs here and keep them.")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pmo-xl-history-") as temp:
        root = args.keep or Path(temp) / "packs"
        total = args.pmos * args.meetings
        shape = root / "shape.json"
        wanted = {"pmos": args.pmos, "meetings": args.meetings, "services": args.services}
        if shape.is_file() and json.loads(shape.read_text()) == wanted:
            print(f"packs     {total:,} kept in {root} ({args.pmos} PMOs x {args.meetings} "
                  f"meetings x {args.services} services)")
        else:
            if root.exists() and any(root.iterdir()):
                raise SystemExit(f"{root} holds something else; give an empty or new folder.")
            root.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            base, master = template(args.services, Path(temp))
            size = write_packs(root, base, master, args.pmos, args.meetings)
            shape.write_text(json.dumps(wanted))
            print(f"packs     {total:,} ({args.pmos} PMOs x {args.meetings} meetings x "
                  f"{args.services} services, {len(base['kpis'])} KPIs each): "
                  f"{size / 1e6:,.0f} MB of pack.json, written in "
                  f"{time.perf_counter() - started:.0f} s")
        folders = sorted(p for p in root.iterdir() if p.is_dir())
        first = [pack for folder in folders
                 for pack in sorted(folder.iterdir())[: max(1, args.meetings // 5)]]
        whole = best([run_history(folders, Path(temp) / f"whole-{i}", args.output_format)
                      for i in range(args.repeat)])
        fewer = best([run_history(first, Path(temp) / f"fewer-{i}", args.output_format)
                      for i in range(args.repeat)])
        print(f"history   {shown(total, whole)}")
        print(f"fewer     {shown(len(first), fewer)}")
        print(f"load      {os.getloadavg()[0]:.1f} (other work on the machine, 1-minute average)")


if __name__ == "__main__":
    main()

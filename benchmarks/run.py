"""How fast is `pmo-xl check` on a large enterprise master, against a floor and a peer?

Usage: python benchmarks/run.py [--services N] [--scaling BASE] [--skip-peer] [--keep DIR]

From one run it prints:
  * check     `pmo_xl.api.check` in-process (imports done first), best of --repeat
  * floor     python-calamine reading every sheet and doing nothing else; check / floor
  * peer      frictionless validating the same sheets with the same field constraints
              (required, enum, unique, types) and foreign keys; peer / check
  * scaling   check at BASE, 2 BASE, 4 BASE services; time ratio per doubling
  * memory    peak resident memory of a `check` in a fresh process (ru_maxrss)
  * reports   status + KPI report workbooks against writing the same number of cells with
              xlsxwriter alone (when pmo_xl.reports.status exists)
Times are CPU seconds of this process (time.process_time), which other load on the machine
disturbs far less than wall-clock time; wall-clock is printed beside them.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import python_calamine  # noqa: E402
import xlsxwriter  # noqa: E402
from generate import AS_OF, RACI_COLUMNS, generate  # noqa: E402

from pmo_xl import api  # noqa: E402
from pmo_xl.validators.schema import (  # noqa: E402
    CHOICE,
    DATE,
    INTEGER,
    KEY_OF,
    NUMBER,
    SHEETS,
    YESNO,
    columns_of,
)


class Timing:
    def __init__(self, cpu: float, wall: float) -> None:
        self.cpu, self.wall = cpu, wall

    def __str__(self) -> str:
        return f"{self.cpu:6.2f} s cpu ({self.wall:.2f} s wall)"


def measure(work: Callable[[], object], repeat: int = 1) -> Timing:
    """Best of `repeat` runs, collecting garbage before each so runs start alike."""
    best: Timing | None = None
    for _ in range(repeat):
        gc.collect()
        cpu, wall = time.process_time(), time.perf_counter()
        work()
        took = Timing(time.process_time() - cpu, time.perf_counter() - wall)
        if best is None or took.cpu < best.cpu:
            best = took
    assert best is not None
    return best


def floor(path: Path) -> None:
    """The least any checker must do: read every cell of every sheet."""
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    book.close()


def check(path: Path):
    return api.check(path, AS_OF)


# --- the peer: frictionless with the same constraints ---------------------------------------

_TYPES = {NUMBER: "number", INTEGER: "integer", DATE: "date"}


def _slug(sheet: str) -> str:
    return sheet.lower().replace(" ", "-")


def frictionless_package(path: Path):
    """A frictionless Package: one resource per sheet, the schema's constraints, and a
    foreign key for every single-valued reference column."""
    from frictionless import Package, Resource, Schema
    from frictionless.formats import ExcelControl

    resources = []
    for sheet in SHEETS:
        if sheet in ("Waivers",):
            continue  # empty in the generated master
        fields, keys = [], []
        for col in columns_of(sheet):
            field = {"name": col.header, "type": _TYPES.get(col.kind, "string")}
            constraints = {}
            if col.required:
                constraints["required"] = True
            if col.unique:
                constraints["unique"] = True
            if col.kind == CHOICE and col.choices:
                constraints["enum"] = list(col.choices)
            if col.kind == YESNO:
                constraints["enum"] = ["Y", "N"]
            if constraints:
                field["constraints"] = constraints
            fields.append(field)
            if col.references and not col.many and col.references in KEY_OF:
                keys.append({"fields": [col.header],
                             "reference": {"resource": _slug(col.references),
                                           "fields": [KEY_OF[col.references]]}})
        if sheet == "RACI":
            fields += [{"name": role, "type": "string"} for role in RACI_COLUMNS]
        descriptor = {"fields": fields}
        if keys:
            descriptor["foreignKeys"] = keys
        resources.append(Resource(
            path=path.name, name=_slug(sheet), format="xlsx",
            control=ExcelControl(sheet=sheet, preserve_formatting=False),
            schema=Schema.from_descriptor(descriptor)))
    return Package(resources=resources, basepath=str(path.parent))


def peer(path: Path) -> dict:
    report = frictionless_package(path).validate()
    errors = report.flatten(["type"])
    kinds: dict[str, int] = {}
    for (kind,) in errors:
        kinds[kind] = kinds.get(kind, 0) + 1
    assert "resource-error" not in kinds, report.flatten(["message"])[:3]
    return {"valid": report.valid, "errors": len(errors), "kinds": kinds}


# --- memory, reports ------------------------------------------------------------------------


def peak_memory_mb(path: Path) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process that checks `path`, and of one that only imports."""
    def run(code: str) -> float:
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
        probe = ("import datetime as dt\n" + code + "\nprint([l.split()[1] for l in "
                 "open('/proc/self/status') if l.startswith('VmHWM')][0])")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              check=True)
        return int(done.stdout.strip().splitlines()[-1]) / 1024

    imported = run("from pmo_xl import api")
    checked = run(f"from pmo_xl import api\napi.check({str(path)!r}, "
                  f"dt.date({AS_OF.year}, {AS_OF.month}, {AS_OF.day}))")
    return checked, imported


def count_cells(path: Path) -> int:
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    total = 0
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=True):
            total += sum(1 for v in row if v not in ("", None))
    book.close()
    return total


def raw_xlsxwriter(path: Path, cells: int) -> None:
    """Write `cells` cells (text and numbers, 10 columns) with xlsxwriter and nothing else."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                           "strings_to_urls": False})
    sheet = book.add_worksheet("Data")
    for i in range(cells):
        r, c = divmod(i, 10)
        if c % 2:
            sheet.write_number(r, c, i)
        else:
            sheet.write_string(r, c, f"SVC-{r:05d} text")
    book.close()


# --- the run --------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pmo-xl check benchmark")
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--scaling", type=int, default=None, metavar="BASE",
                        help="services for the scaling runs BASE, 2 BASE, 4 BASE "
                             "(default: --services)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to keep (and reuse) the generated masters in")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pmo-xl-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {"services": args.services, "python": sys.version.split()[0],
                                  "cpus": os.cpu_count()}

    def master(n: int) -> Path:
        path = folder / f"master-{n}.xlsx"
        if not path.exists():
            start = time.perf_counter()
            counts = generate(n, path)
            print(f"generated {path.name}: {sum(counts.values()):,} rows, "
                  f"KPI Actuals {counts['KPI Actuals']:,} "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)
        return path

    path = master(args.services)
    print(f"\npmo-xl check benchmark, {args.services:,} services "
          f"({path.stat().st_size / 1024**2:.1f} MB), as of {AS_OF}")
    check(master(10))  # warm imports and caches outside the timing
    base = measure(lambda: floor(path), args.repeat)
    took = measure(lambda: check(path), args.repeat)
    findings = len(check(path).findings)
    print(f"  floor (calamine reads every sheet) {base}")
    print(f"  pmo-xl check                       {took}   {findings} findings")
    print(f"  check / floor                      {took.cpu / base.cpu:6.2f}x   (target <= 2)")
    results.update(floor_cpu=base.cpu, check_cpu=took.cpu, check_wall=took.wall,
                   ratio_floor=took.cpu / base.cpu)

    if not args.skip_peer:
        if importlib.util.find_spec("frictionless") is None:
            print("  peer: frictionless is not installed (pip install frictionless); skipped")
        else:
            outcome: dict = {}
            peer_took = measure(lambda: outcome.update(peer(path)), 1)
            print(f"  peer (frictionless, same constraints + foreign keys) {peer_took}   "
                  f"{outcome['errors']} errors {outcome['kinds']}")
            print(f"  peer / check                       {peer_took.cpu / took.cpu:6.1f}x   "
                  "(target >= 5)")
            results.update(peer_cpu=peer_took.cpu, peer_ratio=peer_took.cpu / took.cpu)

    if not args.skip_scaling:
        start = args.scaling or args.services
        times = []
        for n in (start, 2 * start, 4 * start):
            t = took if n == args.services else measure(lambda n=n: check(master(n)), 2)
            times.append(t.cpu)
            print(f"  scaling: {n:>6,} services        {t}")
        ratios = [b / a for a, b in zip(times, times[1:], strict=False)]
        print("  per doubling                       "
              + ", ".join(f"{r:.2f}x" for r in ratios) + "   (target <= 2.2)")
        results.update(scaling_services=[start, 2 * start, 4 * start], scaling_cpu=times,
                       per_doubling=ratios)

    peak, imported = peak_memory_mb(path)
    print(f"  peak memory of a check             {peak:6.0f} MB (imports alone {imported:.0f} MB;"
          " target < 1536)")
    results.update(peak_mb=peak, import_mb=imported)

    if importlib.util.find_spec("pmo_xl.reports.status") is not None:
        from pmo_xl.reports.status import write_status_report

        kpi_writer = None
        if importlib.util.find_spec("pmo_xl.reports.kpi") is not None:
            from pmo_xl.reports.kpi import write_kpi_report as kpi_writer
        result = check(path)
        out = folder / "reports"
        out.mkdir(exist_ok=True)

        def reports() -> None:
            write_status_report(result, out / "status.xlsx")
            if kpi_writer is not None:
                kpi_writer(result, out / "kpi.xlsx")

        report_took = measure(reports, 1)
        cells = count_cells(out / "status.xlsx")
        if kpi_writer is not None:
            cells += count_cells(out / "kpi.xlsx")
        raw = measure(lambda: raw_xlsxwriter(out / "raw.xlsx", cells), 1)
        print(f"  status + KPI reports               {report_took}   {cells:,} cells")
        print(f"  xlsxwriter alone, same cells       {raw}")
        print(f"  reports / raw                      {report_took.cpu / raw.cpu:6.2f}x   "
              "(target <= 3)")
        results.update(reports_cpu=report_took.cpu, raw_cpu=raw.cpu, report_cells=cells,
                       reports_ratio=report_took.cpu / raw.cpu)
    else:
        print("  reports: pmo_xl.reports.status does not exist yet; skipped")
    print("\n" + json.dumps(results, default=str))


if __name__ == "__main__":
    main()

"""How long does `pmo-xl check --annotate` take against `pmo-xl check` alone?

Usage: python benchmarks/annotate.py [--services 1000 5000] [--repeat 3] [--keep DIR]

For each size it checks the generated master (benchmarks/generate.py) in-process, then checks
it and writes the annotated copy, best of --repeat each, and prints the ratio (target: at
most 2, the copy written in no more than the check's own time). Two as-of dates: the
benchmark's (a couple of findings) and a month later, when every KPI lacks its latest
actual (K103 on every KPI: thousands of cells to mark and comment). Times are CPU seconds
of this process (time.process_time), wall-clock beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import AS_OF, generate  # noqa: E402
from run import measure  # noqa: E402

from pmo_xl import api  # noqa: E402

A_MONTH_LATER = dt.date(AS_OF.year + (AS_OF.month == 12), AS_OF.month % 12 + 1, AS_OF.day)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="check --annotate against check")
    parser.add_argument("--services", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to keep (and reuse) the generated masters in")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pmo-xl-annotate-"))
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    warm = folder / "master-10.xlsx"
    if not warm.exists():
        generate(10, warm)
    api.check(warm, AS_OF, annotate=folder / "warm.xlsx")  # imports outside the timing
    for services in args.services:
        path = folder / f"master-{services}.xlsx"
        if not path.exists():
            generate(services, path)
        copy = folder / f"annotated-{services}.xlsx"
        for as_of in (AS_OF, A_MONTH_LATER):
            found = len(api.check(path, as_of).findings)
            alone = measure(lambda p=path, d=as_of: api.check(p, d), args.repeat)
            annotated = measure(lambda p=path, d=as_of, c=copy: api.check(p, d, annotate=c),
                                args.repeat)
            ratio = annotated.cpu / alone.cpu
            print(f"{services:>6,} services, as of {as_of}, {found:>6,} findings: "
                  f"check {alone}   check --annotate {annotated}   {ratio:.2f}x (target <= 2)",
                  flush=True)
            results.append({"services": services, "as_of": as_of.isoformat(),
                            "findings": found, "check_cpu": alone.cpu,
                            "annotate_cpu": annotated.cpu, "check_wall": alone.wall,
                            "annotate_wall": annotated.wall, "ratio": ratio})
    print(json.dumps(results))


if __name__ == "__main__":
    main()

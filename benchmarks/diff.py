"""How fast is `pmo-xl diff` on two enterprise masters, against reading both and nothing else?

Usage: python benchmarks/diff.py [--services N] [--repeat R] [--keep DIR] [--profile]

OLD is the synthetic master of benchmarks/generate.py. NEW is the same master a month later,
as a PMO leaves it: every sheet written in another order (Services by name Z to A, KPI
Actuals newest first, risks reversed, RACI by activity), a "Local Notes" column inserted in
Services, and a few hundred edits (``EDITS`` below: stages moved with and without their log
step, descriptions rewritten, actuals restated, risks closed and deleted, changes raised).

It prints, CPU seconds of this process (time.process_time), best of --repeat:
  * floor   python-calamine reading every sheet of both files, nothing else
  * diff    `pmo_xl.api.diff` in-process (imports done first): reading both masters,
            matching and comparing every record, running the drift rules
  * diff / floor  (target <= 2.5)
and checks that the diff found exactly the edits made.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import AS_OF, SHEETS, generate, headers, write  # noqa: E402
from run import floor, measure  # noqa: E402

from pmo_xl import api  # noqa: E402

# The month's edits, by kind: how many of each (all deterministic, seed 2026).
EDITS = {
    "stage moved, logged": 50,
    "stage moved, not logged": 50,  # D101
    "description rewritten": 50,  # D103
    "actual restated": 100,  # D104
    "risk closed": 50,
    "risk deleted": 50,  # D102
    "change raised": 50,
}


def month_later(services: int, out: Path, seed: int = 2026) -> dict[str, int]:
    """Write NEW (unless it is there already): OLD's records, edited and re-sorted; returns
    the expected diff counts."""
    pick = random.Random(seed)
    rows = {sheet: list(make(services)) for sheet, make in SHEETS.items()}
    running = [r for r in rows["Services"] if r["Stage"] == "Running"]
    moved = pick.sample(running, EDITS["stage moved, logged"] + EDITS["stage moved, not logged"])
    for i, service in enumerate(moved):
        service["Stage"] = "Closing"
        service["Closure Reason"] = "Objective achieved"
        if i < EDITS["stage moved, logged"]:
            rows["Lifecycle Log"].append({
                "Service ID": service["Service ID"], "From Stage": "Running",
                "To Stage": "Closing", "Date": AS_OF, "Approved By": service["Service Owner"]})
    others = [r for r in running if r not in moved]
    # Rewritten descriptions and raised changes on different services: a change raised for
    # a service whose description changed is change control, and D103 rightly stays silent.
    touched = pick.sample(others, EDITS["description rewritten"] + EDITS["change raised"])
    for service in touched[:EDITS["description rewritten"]]:
        service["Description"] = "Weekly portfolio status report to the executive board."
    for actual in pick.sample(rows["KPI Actuals"], EDITS["actual restated"]):
        actual["Actual"] = actual["Actual"] - 3
    risks = pick.sample(rows["Risks and Issues"],
                        EDITS["risk closed"] + EDITS["risk deleted"])
    for risk in risks[:EDITS["risk closed"]]:
        risk["Status"] = "Closed"
    deleted = {id(r) for r in risks[EDITS["risk closed"]:]}
    rows["Risks and Issues"] = [r for r in rows["Risks and Issues"] if id(r) not in deleted]
    for k, service in enumerate(touched[EDITS["description rewritten"]:], start=1):
        rows["Changes"].append({
            "Change ID": f"CHG-NEW-{k:03d}", "Service ID": service["Service ID"],
            "Type": "Continuous improvement", "Reason": "Feedback",
            "Description": "Shorter report.", "Requested Date": AS_OF, "Status": "Proposed"})
    # Another order for every big sheet, and a column of the PMO's own.
    rows["Services"].sort(key=lambda r: r["Service Name"], reverse=True)
    rows["KPI Actuals"].sort(key=lambda r: (r["Period"], r["KPI ID"]), reverse=True)
    rows["Risks and Issues"].reverse()
    rows["RACI"].sort(key=lambda r: (r["Activity"], r["Procedure ID"]))
    for service in rows["Services"]:
        service["Local Notes"] = "checked"
    names = headers("Services")
    names.insert(3, "Local Notes")
    if not out.exists():
        write(out, rows, {"Services": names})
    changed = (2 * len(moved) + EDITS["description rewritten"] + EDITS["actual restated"]
               + EDITS["risk closed"])
    return {"added": EDITS["stage moved, logged"] + EDITS["change raised"],
            "removed": EDITS["risk deleted"], "changed": changed,
            "D101": EDITS["stage moved, not logged"], "D102": EDITS["risk deleted"],
            "D103": EDITS["description rewritten"], "D104": EDITS["actual restated"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None,
                        help="folder to keep (and reuse) the generated masters in")
    parser.add_argument("--profile", action="store_true",
                        help="print the 25 costliest functions of one diff")
    args = parser.parse_args(argv)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="pmo-xl-diff-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    old, new = folder / f"master-{args.services}.xlsx", folder / f"master-{args.services}-b.xlsx"
    start = time.perf_counter()
    if not old.exists():
        generate(args.services, old)
    expected = month_later(args.services, new)
    print(f"generated OLD and NEW ({time.perf_counter() - start:.1f} s): "
          f"{old.stat().st_size / 1024**2:.1f} MB and {new.stat().st_size / 1024**2:.1f} MB")

    small = folder / "small.xlsx"
    generate(20, small)
    api.diff(small, small, AS_OF)  # imports and caches warmed outside the timing
    comparison = api.diff(old, new, AS_OF)
    summary = comparison.summary
    rules = {code: sum(1 for f in comparison.findings if f.rule == code)
             for code in ("D101", "D102", "D103", "D104")}
    found = {k: summary[k] for k in ("added", "removed", "changed")} | rules
    assert found == expected, f"expected {expected}, found {found}"
    base = measure(lambda: (floor(old), floor(new)), args.repeat)
    took = measure(lambda: api.diff(old, new, AS_OF), args.repeat)
    print(f"\npmo-xl diff benchmark, {args.services:,} services, {sum(EDITS.values())} edits, "
          f"NEW sorted differently with a column inserted")
    print(f"  found exactly the edits: {found}")
    print(f"  floor (calamine reads both)        {base}")
    print(f"  pmo-xl diff                        {took}")
    print(f"  diff / floor                       {took.cpu / base.cpu:6.2f}x   (target <= 2.5)")
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(api.diff, old, new, AS_OF)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()

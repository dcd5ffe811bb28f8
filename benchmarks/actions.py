"""Time `pmo-xl actions` on a synthetic enterprise master: routing and writing the drafts.

Usage: python benchmarks/actions.py [SERVICES]   (default 5,000 services)

Generates the master with benchmarks/generate.py, then, at the benchmark's as-of date and
at one eight months later (every KPI without its actual, reviews due: many more actions),
prints CPU seconds for the check, for routing its findings to people (build_actions) and
for writing every person's draft.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import AS_OF, generate  # noqa: E402
from pmo_xl import api  # noqa: E402
from pmo_xl.people.actions import build_actions  # noqa: E402
from pmo_xl.reports.drafts import write_drafts  # noqa: E402


def cpu(work):
    start = time.process_time()
    value = work()
    return value, time.process_time() - start


def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as temp:
        master = Path(temp) / "master.xlsx"
        generate(count, master)
        for as_of in (AS_OF, dt.date(2027, 7, 15)):
            result, checking = cpu(lambda d=as_of: api.check(master, d))
            found, routing = cpu(lambda r=result: build_actions(r))
            drafts, writing = cpu(lambda f=found, d=as_of: write_drafts(
                f, Path(temp) / f"drafts-{d}", source=master))
            print(f"{count:,} services as of {as_of}: {len(result.findings):,} findings, "
                  f"{found.action_count:,} actions for {len(found.people):,} people, "
                  f"{len(found.unassigned):,} unassigned")
            print(f"  check {checking:.2f} s, route {routing:.2f} s, "
                  f"{len(drafts.files):,} drafts {writing:.2f} s "
                  f"({1000 * writing / max(len(drafts.files), 1):.1f} ms each)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)

"""How quickly does `pmo-xl` answer? Start-up against Python itself and `import click`.

Usage: python benchmarks/startup.py [--runs N]

Runs each command N times as a fresh process (as a shell would, through the installed
`pmo-xl` script) and prints the best and the median wall-clock time, hyperfine-style, with
ratios to two baselines:
  * python      `python -c pass`: the interpreter's own start-up
  * click       `python -c "import click"`: what any click command pays
  * imports     `python -c "import pandas, pandera.pandas, python_calamine, openpyxl, rich,
                click"`: the third-party imports `check` needs, the floor for `check`
Targets (issue 12): `--version` within 3x `import click`; `check` on the example master
within the import floor plus 0.2 s.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORTS = "import pandas, pandera.pandas, python_calamine, openpyxl, rich, click"


def pmo_xl_command() -> list[str]:
    """The installed `pmo-xl` script beside this Python, else `python -m pmo_xl`."""
    script = Path(sys.executable).with_name("pmo-xl")
    if script.exists():
        return [str(script)]
    found = shutil.which("pmo-xl")
    return [found] if found else [sys.executable, "-m", "pmo_xl"]


def timed(command: list[str], runs: int) -> tuple[float, float]:
    """Best and median wall-clock seconds of `runs` runs (after one warm-up run)."""
    subprocess.run(command, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pmo-xl start-up benchmark")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    from pmo_xl.example import EXAMPLE_AS_OF, write_example_master

    folder = Path(tempfile.mkdtemp(prefix="pmo-xl-startup-"))
    master = write_example_master(folder / "example-master.xlsx", EXAMPLE_AS_OF)
    pmo_xl = pmo_xl_command()
    rows = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import click'": [sys.executable, "-c", "import click"],
        "python -c 'import <check's libraries>'": [sys.executable, "-c", IMPORTS],
        "pmo-xl --version": [*pmo_xl, "--version"],
        "pmo-xl --help": [*pmo_xl, "--help"],
        "pmo-xl check --help": [*pmo_xl, "check", "--help"],
        "pmo-xl check example-master.xlsx": [*pmo_xl, "check", str(master), "--as-of",
                                             EXAMPLE_AS_OF.isoformat(), "--quiet"],
    }
    results = {}
    print(f"{'command':<42} {'best':>8} {'median':>8}   (wall clock, {args.runs} runs)")
    for label, command in rows.items():
        results[label] = timed(command, args.runs)
        best, median = results[label]
        print(f"{label:<42} {best:7.3f}s {median:7.3f}s")
    shutil.rmtree(folder, ignore_errors=True)

    python, click, imports = (results[k][1] for k in list(rows)[:3])
    version, help_, _, check = (results[k][1] for k in list(rows)[3:])
    print()
    print(f"--version / import click     {version / click:5.2f}x   (target <= 3x)")
    print(f"--help / import click        {help_ / click:5.2f}x")
    print(f"--version / python start-up  {version / python:5.2f}x")
    print(f"check - import floor         {check - imports:+6.3f} s (target <= +0.2 s; medians)")


if __name__ == "__main__":
    main()

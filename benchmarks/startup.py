"""How quickly does `pmo-xl` answer? Start-up against Python itself and `import click`.

Usage: python benchmarks/startup.py [--runs N]

Runs each command N times as a fresh process (as a shell would, through the installed
`pmo-xl` script), the commands taking turns so that load on the machine falls on all of them
alike, and prints hyperfine-style the best and the median wall-clock time and the median CPU
time (user + system of the process), with ratios of the CPU medians to three baselines (CPU
time is what other load on a shared machine disturbs least; on an idle machine the two agree):
  * python      `python -c pass`: the interpreter's own start-up
  * click       `python -c "import click"`: what any click command pays
  * imports     `python -c "import pandas, pandera.pandas, python_calamine, openpyxl, rich,
                click"`: the third-party imports `check` needs, the floor for `check`
Targets (issue 12): `--version` within 3x `import click`; `check` on the example master
within the import floor plus 0.2 s.
"""

from __future__ import annotations

import argparse
import resource
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


def timed(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float, float]]:
    """Per command: best and median wall-clock seconds, median CPU seconds, over `runs` runs
    taken in turns (after one warm-up run each)."""
    for command in commands.values():
        subprocess.run(command, capture_output=True, check=False)
    wall: dict[str, list[float]] = {label: [] for label in commands}
    cpu: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False)
            wall[label].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[label].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {label: (min(wall[label]), statistics.median(wall[label]),
                    statistics.median(cpu[label])) for label in commands}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="pmo-xl start-up benchmark")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)

    from pmo_xl.example.northwind import EXAMPLE_AS_OF, write_example_master

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
    print(f"{'command':<42} {'best':>7} {'median':>7} {'cpu':>7}   ({args.runs} runs each)")
    results = timed(rows, args.runs)
    for label, (best, median, cpu) in results.items():
        print(f"{label:<42} {best:6.3f}s {median:6.3f}s {cpu:6.3f}s")
    shutil.rmtree(folder, ignore_errors=True)

    python, click, imports, version, help_, _, check = (cpu for _, _, cpu in results.values())
    print()
    print(f"--version / import click     {version / click:5.2f}x   (target <= 3x)")
    print(f"--help / import click        {help_ / click:5.2f}x")
    print(f"--version / python start-up  {version / python:5.2f}x")
    print(f"check - import floor         {check - imports:+6.3f} s (target <= +0.2 s)")
    print("(ratios and differences of the median CPU times)")

if __name__ == "__main__":
    main()

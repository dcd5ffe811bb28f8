"""`--help`, `--version` and every command's `--help` answer without the heavy imports
(issue 12: each took about a second importing pandas, pandera and openpyxl first).

Timings belong in benchmarks/startup.py; this asserts what makes them fast: after such a run
in a fresh process, none of the heavy modules has been imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

HEAVY = ("pandas", "pandera", "openpyxl", "numpy", "xlsxwriter", "python_calamine")

# Runs pmo-xl as its script does, then reports which heavy modules got imported.
PROBE = f"""
import json, sys
sys.argv = ["pmo-xl", *sys.argv[1:]]
from pmo_xl.__main__ import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write("\\nHEAVY " + json.dumps(
    [m for m in {HEAVY!r} if m in sys.modules]) + "\\n")
"""

COMMANDS = [["--version"], ["--help"], [], ["check", "--help"], ["new", "--help"],
            ["rules", "--help"], ["schema", "--help"], ["report", "--help"],
            ["report", "status", "--help"], ["report", "kpi", "--help"], ["pack", "--help"],
            ["demo", "--help"], ["report"], ["check"], ["check", "--as-of", "soon", "x.xlsx"],
            ["nonsense"]]


def heavy_imports(*args: str) -> tuple[list[str], subprocess.CompletedProcess]:
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=env, timeout=60)
    line = done.stderr.rsplit("HEAVY ", 1)[-1]
    return json.loads(line), done


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a) or "(nothing)")
def test_no_heavy_import_for_help_version_or_a_usage_error(args):
    imported, done = heavy_imports(*args)
    assert "Traceback" not in done.stderr
    assert imported == [], f"pmo-xl {' '.join(args)} imported {imported}"


def test_the_version_is_the_packages():
    from importlib.metadata import version

    _, done = heavy_imports("--version")
    assert done.stdout.strip() == f"pmo-xl, version {version('pmo-xl')}"


def test_import_pmo_xl_is_light_and_its_names_still_work(example_master):
    code = (f"import sys, pmo_xl; print(sorted(m for m in {HEAVY!r} if m in sys.modules)); "
            "print(pmo_xl.check.__module__, pmo_xl.CannotCheck.__name__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.splitlines() == ["[]", "pmo_xl.api CannotCheck"], done.stderr
    import pmo_xl

    assert set(pmo_xl.__all__) <= set(dir(pmo_xl))
    with pytest.raises(AttributeError):
        pmo_xl.nothing_of_that_name  # noqa: B018

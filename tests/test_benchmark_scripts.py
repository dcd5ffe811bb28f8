"""The benchmark scripts stay runnable: each imports what it measures, and a name moved or
removed in the code (as issue 18's agenda removed the decisions function history's
benchmark imported) fails here, not the next time someone measures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))


def test_there_are_benchmarks() -> None:
    assert {p.stem for p in BENCHMARKS} >= {"run", "generate", "history", "rollup", "diff"}


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda p: p.stem)
def test_each_benchmark_imports_what_it_measures(script: Path) -> None:
    spec = importlib.util.spec_from_file_location(f"benchmark_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # its `if __name__ == "__main__"` part does not run
    assert callable(getattr(module, "main", None)), f"{script.name} has no main()"

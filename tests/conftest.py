"""Shared fixtures: workbooks are built in code, the CLI is run in-process and as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from pmo_xl.cli import cli
from pmo_xl.validators.examples import EXAMPLE_AS_OF, write_example

AS_OF = EXAMPLE_AS_OF.isoformat()


@pytest.fixture
def run_cli():
    """Run pmo-xl in-process; returns the click Result."""
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)

    return run


def check_json(path: Path, *extra: str) -> dict:
    """`pmo-xl check PATH --format json` in-process, parsed."""
    result = CliRunner().invoke(
        cli, ["check", str(path), "--format", "json", "--as-of", AS_OF, *extra],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def diff_json(old: Path, new: Path, *extra: str) -> dict:
    """`pmo-xl diff OLD NEW --format json` in-process, parsed."""
    result = CliRunner().invoke(
        cli, ["diff", str(old), str(new), "--format", "json", "--as-of", AS_OF, *extra],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def run_process(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """pmo-xl as a real subprocess, the way a user's shell runs it."""
    env = dict(os.environ, NO_COLOR="1", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "pmo_xl", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


@pytest.fixture
def example_master(tmp_path: Path) -> Path:
    return write_example(tmp_path / "master.xlsx")

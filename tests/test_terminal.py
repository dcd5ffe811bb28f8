"""`pmo-xl check` on a real (pseudo-)terminal: colour, NO_COLOR and the progress spinner.

Everywhere else the tests capture the output, so stdout and stderr are not terminals and the
terminal path (rich's colours and its status spinner) would go untested: rich before 9.10
cannot update a status with a message, so on a terminal every check stopped on a TypeError.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pmo_xl.validators.examples import write_example
from pmo_xl.validators.registry import Edit

from .conftest import AS_OF

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX only")

STAGE_TYPO = [Edit("Services", "SVC-001", {"Stage": "Runing"})]
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _on_a_terminal(path: Path, *extra: str, **env_extra: str) -> tuple[int, str]:
    """Run `pmo-xl check` with stdin, stdout and stderr on a pseudo-terminal; its exit code
    and everything it showed there."""
    import pty

    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(TERM="xterm", PYTHONIOENCODING="utf-8", **env_extra)
    process = subprocess.Popen(
        [sys.executable, "-m", "pmo_xl", "check", str(path), "--as-of", AS_OF, *extra],
        stdin=follower, stdout=follower, stderr=follower, env=env, close_fds=True)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1)
            if ready:
                chunk = os.read(leader, 4096)
                if not chunk:
                    break
                seen += chunk
            elif process.poll() is not None:
                break
    except OSError:  # the terminal closes when the process ends
        pass
    finally:
        os.close(leader)
    return process.wait(timeout=60), seen.decode("utf-8", "replace")


def _colours(text: str) -> set[int]:
    """The foreground colours (30-37, 90-97) that `text` switches on."""
    found = set()
    for params in SGR.findall(text):
        for code in params.split(";"):
            if code.isdigit() and (30 <= int(code) <= 37 or 90 <= int(code) <= 97):
                found.add(int(code))
    return found


def test_findings_in_colour_on_a_terminal(tmp_path: Path) -> None:
    code, shown = _on_a_terminal(write_example(tmp_path / "m.xlsx", STAGE_TYPO))
    assert code == 1, shown
    assert "Traceback" not in shown and "unexpected problem" not in shown, shown
    assert "Services!I2" in shown
    assert 31 in _colours(shown), shown  # the error and the summary line in red


def test_no_color_on_a_terminal_drops_the_colours(tmp_path: Path) -> None:
    code, shown = _on_a_terminal(write_example(tmp_path / "m.xlsx", STAGE_TYPO), NO_COLOR="1")
    assert code == 1, shown
    assert "Traceback" not in shown and "unexpected problem" not in shown, shown
    assert "Services!I2" in shown
    assert _colours(shown) == set(), shown


def test_annotating_on_a_terminal_says_what_it_does_without_a_hitch(tmp_path: Path) -> None:
    """The spinner hears words as well as rules while the copy is written."""
    copy = tmp_path / "annotated.xlsx"
    code, shown = _on_a_terminal(write_example(tmp_path / "m.xlsx", STAGE_TYPO),
                                 "--annotate", str(copy))
    assert code == 1, shown
    assert "Traceback" not in shown and "unexpected problem" not in shown, shown
    assert copy.is_file() and "Annotated copy:" in shown

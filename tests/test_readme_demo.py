"""The README's demo section and sample outputs are what the demo prints and writes as it
runs (docs/regenerate.py writes them), never typed by hand: the counts in them (services,
deliberate problems, drafts, decisions) are the demo's own."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pmo_xl.example.northwind import DELIBERATE, WAIVED

ROOT = Path(__file__).resolve().parents[1]


def _regenerate():
    spec = importlib.util.spec_from_file_location("regenerate", ROOT / "docs" / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_shows_the_demo_as_it_runs(tmp_path: Path) -> None:
    regenerate = _regenerate()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    shown = regenerate.blocks_in(readme)
    made = regenerate.demo_blocks(tmp_path / "demo")
    assert set(shown) == set(made) == {"intro", "finding", "actions"}
    for name, block in made.items():
        assert shown[name] == regenerate.marked(name, block), (
            f"the README's {name} block is not what the demo prints: run python "
            "docs/regenerate.py")
    # Its counts are the demo's own, in one place.
    words = " ".join(made["intro"].split())
    assert f"with {len(DELIBERATE)} deliberate problems" in words
    assert f"and {len(WAIVED)} finding its Waivers sheet waives" in words


def test_the_readme_shows_page_one_of_the_status_report() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "![Page 1 of the demo's status report](docs/status-first-page.png)" in readme
    assert (ROOT / "docs" / "status-first-page.png").stat().st_size > 10_000

"""Regenerate the committed workbooks: the blank template and the example master.

Run `python workbook_templates/regenerate.py` after changing a schema or the example's tables
(pmo_xl/example/data/northwind/); the test in tests/test_template.py fails while the
committed files are out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from pmo_xl.example.northwind import EXAMPLE_AS_OF, write_example_master
from pmo_xl.validators.families import load_rules
from pmo_xl.validators.policy import policy_choices
from pmo_xl.workbook.template import write_master

HERE = Path(__file__).resolve().parent
TEMPLATE_NAME = "pmo-master-template.xlsx"
EXAMPLE_NAME = "example-master.xlsx"


def regenerate(folder: Path = HERE) -> list[Path]:
    """Write both workbooks into `folder` (replacing them) and return their paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    template = write_master(folder / TEMPLATE_NAME, rule_codes=policy_choices(load_rules()))
    example = write_example_master(folder / EXAMPLE_NAME, EXAMPLE_AS_OF)
    return [template, example]


if __name__ == "__main__":
    for path in regenerate(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"Wrote {path}")

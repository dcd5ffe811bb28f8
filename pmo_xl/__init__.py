"""pmo-xl: check a PMO's master Excel workbook and write the reports for its governance meetings.

From Python, the same names as the command line::

    import pmo_xl
    result = pmo_xl.check("master.xlsx", as_of=datetime.date(2026, 11, 30))
    for finding in result.findings:
        print(finding.address, finding.rule, finding.message)
    changes = pmo_xl.compare.diff("master-2026-10.xlsx", "master.xlsx")  # what changed, and drift

The names are loaded on first use, so `import pmo_xl` (and `pmo-xl --help`) stays quick:
the checks need pandas, pandera and openpyxl, which take most of a second to import.
"""

from __future__ import annotations

__version__ = "0.1.0"

import importlib
import os
from typing import TYPE_CHECKING

# Installed, validators/ and reports/ sit inside this package (pyproject maps them there).
# Run from a checkout (`python -m pmo_xl` in the repository's root, where this folder
# shadows any installed copy), they sit beside it: look for them there too, so a checkout
# runs as the installed package does.
_HERE = os.path.dirname(os.path.abspath(__file__))
if not os.path.isdir(os.path.join(_HERE, "validators")) and os.path.isfile(
        os.path.join(os.path.dirname(_HERE), "validators", "__init__.py")):
    __path__.append(os.path.dirname(_HERE))

if TYPE_CHECKING:
    from pmo_xl.api import (
        actions,
        catalogue,
        check,
        demo,
        diff,
        history,
        new,
        pack,
        report_kpi,
        report_status,
        rollup,
        rules,
        schema,
        send,
    )
    from pmo_xl.errors import CannotCheck
    from pmo_xl.findings import Finding

# Every command of the CLI, by the same name (pmo_xl.api has each one's example).
__all__ = ["CannotCheck", "Finding", "actions", "catalogue", "check", "demo", "diff",
           "history", "new", "pack", "report_kpi", "report_status", "rollup", "rules", "schema",
           "send"]
_WHERE = {name: "pmo_xl.api" for name in __all__}
_WHERE.update(CannotCheck="pmo_xl.errors", Finding="pmo_xl.findings")


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'pmo_xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # once loaded, found like any module attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])

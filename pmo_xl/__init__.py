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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pmo_xl.api import catalogue, check, diff, new, rules
    from pmo_xl.errors import CannotCheck
    from pmo_xl.findings import Finding

_WHERE = {
    "catalogue": "pmo_xl.api",
    "check": "pmo_xl.api",
    "diff": "pmo_xl.api",
    "new": "pmo_xl.api",
    "rules": "pmo_xl.api",
    "CannotCheck": "pmo_xl.errors",
    "Finding": "pmo_xl.findings",
}

__all__ = ["CannotCheck", "Finding", "catalogue", "check", "diff", "new", "rules"]


def __getattr__(name: str) -> object:
    if name not in _WHERE:
        raise AttributeError(f"module 'pmo_xl' has no attribute {name!r}")
    value = getattr(importlib.import_module(_WHERE[name]), name)
    globals()[name] = value  # once loaded, found like any module attribute
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])

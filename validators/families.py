"""Every rule family, registered: importing this module imports each family's module, whose
`@rule` decorators fill the registry, and `load_rules` returns them in family order. The rule
modules import only the registry (the decorator, `Edit`, `Rule`), never this module.
"""

from __future__ import annotations

from pmo_xl.validators import (  # noqa: F401
    across,
    changes,
    drift,
    governance,
    handbook,
    kpis,
    lifecycle,
    method,
    raci,
    references,
    review,
    roles,
    structure,
    waivers,
)
from pmo_xl.validators.registry import FAMILIES, RULES, Rule


def load_rules() -> dict[str, Rule]:
    """Every rule, by code, in family order (this module's imports registered them)."""
    return dict(sorted(RULES.items(), key=lambda item: (_family_order(item[0]), item[0])))


def _family_order(code: str) -> int:
    return list(FAMILIES).index(code[0]) if code[0] in FAMILIES else len(FAMILIES)

"""Importing this module registers every rule family with the registry."""

from pmo_xl.validators import (  # noqa: F401
    changes,
    governance,
    handbook,
    kpis,
    lifecycle,
    raci,
    references,
    review,
    roles,
    structure,
    waivers,
)

"""Importing this module registers every rule family with the registry."""

from pmo_xl.validators import (  # noqa: F401
    changes,
    drift,
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

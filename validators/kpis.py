"""K — KPIs and their actuals (seed §5.2)."""

from __future__ import annotations

"""H — catalogue against handbook (seed §4.3, §5.1)."""

from __future__ import annotations

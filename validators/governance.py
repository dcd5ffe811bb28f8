"""G — governance and capacity (seed §2, talk notes)."""

from __future__ import annotations

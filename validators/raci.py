"""R — RACI: who is Responsible, Accountable, Consulted and Informed (seed §4.3)."""

from __future__ import annotations

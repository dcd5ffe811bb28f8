"""C — changes to a service (seed §5.2)."""

from __future__ import annotations

"""L — lifecycle: set-up, running and closing a service (seed §5)."""

from __future__ import annotations

"""O — roles: Service Owner, Service Manager, Service Operative (seed §3)."""

from __future__ import annotations

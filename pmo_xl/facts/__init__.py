"""One account of the master: every fact more than one place needs, worked out once per run.

A :class:`Facts` is built from the read master and the as-of date, then passed explicitly
to every rule and every output (status and KPI reports, the email, diff, actions, the
published catalogue). Rules decide findings from it; outputs only present it and the
findings. Each fact is a cached property, so a fact nobody asks for costs nothing and one
asked for twice is worked out once; nothing is kept anywhere else (no module state, nothing
added to the master).

The facts live in one file per domain, each a class that builds on the domains below it
and none above (the same order as this list):

- ``base``: the master, the as-of date, the settings, the reporting periods;
- ``catalogue``: services, stages, owners, the Lifecycle Log, planned set-up dates;
- ``people``: people and PMOs;
- ``handbook``: procedures, the RACI as read, SIPOC processes and their dependencies;
- ``items``: risks, issues and changes that are open, overdue or awaiting approval;
- ``kpis``: the actual that counts for each KPI and period, RAG, histories, chronic Reds;
- ``reviews``: what is reviewed periodically and what is due;
- ``capacity``: PMO loads and headroom, proposals, skill gaps;
- ``rollup``: which service a finding belongs to, each service's health (its KPIs and open
  risks and issues) and why, and its data quality (the findings on its records);
- ``agenda``: the meeting's decisions, one list, each with the person who decides;
- ``checks``: the waivers in force and the schema's verdict on each cell;
- ``scope``: one PMO's part of the master (``--pmo``).

May import: the shared words (``pmo_xl.findings``, ``pmo_xl.period``, ``pmo_xl.rag``), the
schema (``pmo_xl.validators.schema``, ``cell_checks``) and the reader (``pmo_xl.read``);
never the rules, the reports, comparisons or the command line.
"""

from __future__ import annotations

from pmo_xl.facts.agenda import AgendaFacts, Decision, Figure
from pmo_xl.facts.base import FactsBase, is_plan, matched, reached
from pmo_xl.facts.capacity import FTE_TOLERANCE, PmoLoad, Proposal
from pmo_xl.facts.catalogue import PlannedDate
from pmo_xl.facts.checks import CheckFacts
from pmo_xl.facts.handbook import (
    Activity,
    Dependency,
    Procedure,
    Process,
    RoleColumn,
    raci_letters,
)
from pmo_xl.facts.items import affected, is_open_change, is_open_item
from pmo_xl.facts.kpis import KpiStatus, RedRun
from pmo_xl.facts.people import Person
from pmo_xl.facts.reviews import Review
from pmo_xl.facts.rollup import ServiceStatus
from pmo_xl.facts.scope import ScopeFacts


class Facts(AgendaFacts, CheckFacts, ScopeFacts):
    """The derived facts of one master as of one date. Build one per run; never change it."""


__all__ = [
    "FTE_TOLERANCE", "Activity", "Decision", "Dependency", "Facts", "FactsBase", "Figure",
    "KpiStatus", "Person", "PlannedDate", "PmoLoad", "Procedure", "Process", "Proposal",
    "RedRun", "Review", "RoleColumn", "ServiceStatus", "affected", "is_open_change",
    "is_open_item", "is_plan", "matched", "raci_letters", "reached",
]

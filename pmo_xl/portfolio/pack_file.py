"""pack.json as `pmo-xl history` reads it: a typed view, decoded and type-checked in one pass.

:func:`pmo_xl.compare.packs.pack_record` writes pack.json; these declarations say which of its
fields the history reads, and of what type. msgspec decodes a 200 KB pack.json straight into
them about four times faster than ``json.loads`` builds dictionaries (which then still need
checking), so 5,000 packs are read in seconds. A field of the wrong type (a date that is
not a date, text where a number belongs) stops the decoding: the pack is damaged and is
named, never half read. A field a pack does not have (an older pmo-xl kept no health, KPI
actuals, decisions, PMOs or people) is None: unknown, never zero.
"""

from __future__ import annotations

import msgspec

from pmo_xl.compare.packs import PACK_JSON, PackMemoryError

Text = str | None
Number = float | None  # an integer in pack.json reads as a float, as in a number column


class Quality(msgspec.Struct, gc=False):
    error: int
    warning: int


class Service(msgspec.Struct, gc=False):
    rag: Text = None  # required in a pack; absent from a master's description
    name: Text = None
    stage: Text = None
    health: Text = None
    data_quality: Quality | None = None
    why: Text = None
    lead_pmo: Text = None
    category: Text = None
    service_owner: Text = None


class Kpi(msgspec.Struct, gc=False):
    rag: Text = None  # required in a pack; absent from a master's description
    service: Text = None
    pmo: Text = None
    period: Text = None  # an ISO date: each pack's few periods are checked as dates
    actual: Number = None
    target: Number = None
    amber_threshold: Number = None
    red_threshold: Number = None
    direction: Text = None
    frequency: Text = None
    name: Text = None
    unit: Text = None
    owner: Text = None


class Finding(msgspec.Struct, gc=False):
    rule: str
    severity: str
    sheet: str
    cell: str
    record: Text = None
    waived: bool = False


class Decision(msgspec.Struct, gc=False):
    kind: str
    record: Text = None
    service: Text = None
    pmo: Text = None
    decider: Text = None
    summary: Text = None


class Pmo(msgspec.Struct, gc=False):
    name: Text = None
    level: Text = None
    parent: Text = None
    capacity_fte: Number = None
    manager: Text = None


class Person(msgspec.Struct, gc=False):
    name: Text = None
    job_role: Text = None
    pmo: Text = None


class Summary(msgspec.Struct, gc=False):
    error: int
    warning: int
    info: int
    waived: int = 0


class Described(msgspec.Struct):
    """What a pack (or a master, as pmo_xl.compare.packs.dimension_record gives it) describes."""

    services: dict[str, Service]
    kpis: dict[str, Kpi]
    pmos: dict[str, Pmo] | None = None
    people: dict[str, Person] | None = None


class PackFile(Described):
    """One pack.json, as far as the history reads it."""

    summary: Summary | None = None
    findings: list[Finding] = []
    decisions: list[Decision] | None = None
    written_by: Text = None


_DECODER = msgspec.json.Decoder(PackFile)


def decode(content: bytes, folder: object) -> PackFile:
    """A pack.json's bytes as a PackFile; PackMemoryError (one sentence) when damaged."""
    try:
        pack = _DECODER.decode(content)
    except msgspec.DecodeError as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is damaged ({_plain(exc)}).") from None
    if pack.summary is None:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is damaged (it has no summary).")
    return pack


def described(record: dict) -> Described:
    """A master's description (pmo_xl.compare.packs.dimension_record) in the same shape."""
    return msgspec.convert(record, Described)


def _plain(exc: msgspec.DecodeError) -> str:
    """msgspec's `Expected `str`, got `int` - at `$.services[...].rag`` in fewer marks."""
    return str(exc).replace("`", "").replace(" - at ", " at ").rstrip(".")

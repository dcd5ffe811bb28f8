"""The members of a roll-up: finding them, and checking each one on its own.

A PATH given to `pmo-xl rollup` is a master (.xlsx), a pack folder (its master snapshot is
read, as of the pack's date) or a folder holding them: every master in it and in the
folders below, and the newest pack of each master whose own file is not there (a master
beside its packs is the member; its packs are its history). Files pmo-xl wrote as reports,
Excel's lock files (`~$…`) and hidden files are passed over.

Each member is read and checked with its own rules exactly as `pmo-xl check` (or the pack)
would, then let go: :func:`check_member` returns a :class:`MemberOutcome` holding its
findings, the keys the rules across masters need and what the enterprise outputs show of it,
never the workbook. A member that cannot be read, or whose structure is broken (a missing
sheet, a missing or doubled header), is *not counted*: it is named, with the reason, and
takes no part in the totals or in the rules across masters.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pmo_xl.errors import CannotCheck
from pmo_xl.findings import ERROR, INFO, WARNING, Finding
from pmo_xl.validators.member_keys import MASTER, PACK, MemberKeys, member_keys

if TYPE_CHECKING:
    from pmo_xl.portfolio.view import MemberView

# A broken structure makes a member's numbers unreadable: a missing sheet, a missing
# required column, a header twice (which of the two columns holds the values?).
STRUCTURAL = ("S101", "S102", "S103")
REPORT_MARK = b"Written by pmo-xl from the PMO master workbook."
MAX_DEPTH = 4  # folders below a PATH that are searched for members


@dataclass(frozen=True)
class MemberSource:
    """Where one member comes from."""

    given: Path  # the master file, or the pack folder
    workbook: Path  # what is read: the master, or the pack's master snapshot
    kind: str = MASTER  # MASTER or PACK
    pack_as_of: dt.date | None = None
    pack_master: str | None = None  # a pack's: the file name of the master it was made from
    name: str = ""  # its name in the roll-up (filled in by name_members)
    problem: str | None = None  # why it cannot be read, found before reading it


@dataclass
class MemberOutcome:
    """One member, checked: counted or not (and why), its findings, what is kept of it."""

    source: MemberSource
    counted: bool
    why_not: str | None = None  # one sentence, when not counted
    as_of: dt.date | None = None  # the date it was checked as of
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=lambda: {ERROR: 0, WARNING: 0, INFO: 0,
                                                             "waived": 0})
    sha256: str | None = None
    keys: MemberKeys | None = None
    view: MemberView | None = None

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def kind(self) -> str:
        return self.source.kind


# --- finding the members ------------------------------------------------------------------


def find_members(paths: list[str | Path]) -> list[MemberSource]:
    """Every member the PATHs name, each once, in the order given (a folder's in name
    order), with names unique in the roll-up. A folder holding no member is one entry
    whose problem says so: nothing given is silently dropped."""
    found: list[MemberSource] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            if is_pack_folder(path):
                found.append(pack_member(path))
                continue
            inside = folder_members(path)
            found += inside or [MemberSource(path, path, problem=(
                f"{path} holds no master workbook (.xlsx) and no pack folder."))]
        else:
            found.append(MemberSource(path, path))
    unique: dict[str, MemberSource] = {}
    for source in found:
        unique.setdefault(_identity(source.workbook), source)
    return name_members(list(unique.values()))


def _identity(path: Path) -> str:
    try:
        return os.path.realpath(path)
    except OSError:
        return str(path)


def is_pack_folder(path: Path) -> bool:
    from pmo_xl.compare.packs import PACK_JSON

    return (path / PACK_JSON).is_file()


def pack_member(folder: Path) -> MemberSource:
    """A pack folder as a member: its snapshot, as of the pack's date. A pack whose
    pack.json or snapshot cannot be used is a member that cannot be read (never guessed)."""
    from pmo_xl.compare.packs import SNAPSHOT, read_pack, snapshot_of

    try:
        record = read_pack(folder)
        snapshot = snapshot_of(record)
    except CannotCheck as exc:
        return MemberSource(folder, folder / SNAPSHOT, PACK, problem=str(exc))
    return MemberSource(folder, snapshot, PACK, record.as_of, record.master_name)


def folder_members(folder: Path, depth: int = 0) -> list[MemberSource]:
    """The members in a folder and the folders below it (see the module docstring)."""
    from pmo_xl.compare.packs import PackMemoryError, read_pack

    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name.casefold())
    except OSError as exc:
        return [MemberSource(folder, folder, problem=f"{folder} cannot be read: "
                                                     f"{exc.strerror or exc}.")]
    masters: list[MemberSource] = []
    packs: dict[str, tuple[dt.date, float, MemberSource]] = {}
    below: list[MemberSource] = []
    for entry in entries:
        if entry.name.startswith((".", "~$")):
            continue
        if entry.is_dir():
            if is_pack_folder(entry):
                try:
                    record = read_pack(entry)
                except PackMemoryError:
                    below.append(pack_member(entry))  # named as not counted, with the reason
                    continue
                key = record.master_name.casefold()
                stamp = (entry / "pack.json").stat().st_mtime
                if key not in packs or (record.as_of, stamp) > packs[key][:2]:
                    packs[key] = (record.as_of, stamp, pack_member(entry))
            elif depth < MAX_DEPTH:
                below += folder_members(entry, depth + 1)
        elif entry.suffix.lower() == ".xlsx" and entry.is_file() and not written_report(entry):
            masters.append(MemberSource(entry, entry))
    here = {m.workbook.name.casefold() for m in masters}
    newest = [source for key, (_day, _stamp, source) in sorted(packs.items()) if key not in here]
    return masters + newest + below


def written_report(path: Path) -> bool:
    """True for a workbook pmo-xl wrote as a report (its properties say so): not a master."""
    try:
        with zipfile.ZipFile(path) as archive:
            return REPORT_MARK in archive.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile, RuntimeError):
        return False


def name_members(sources: list[MemberSource]) -> list[MemberSource]:
    """Give each member the shortest name that tells it apart: its file name, or with as
    many of its folders as it takes (`finance/master.xlsx`); a pack with its folder and the
    one above (`finance/pack-2026-10-31/master-snapshot.xlsx`)."""
    def parts(source: MemberSource) -> list[str]:
        return list(Path(os.path.abspath(source.workbook)).parts)

    names: list[str] = []
    for source in sources:
        mine = parts(source)
        # A pack's snapshot is named with its pack folder and the folder above it (the
        # PMO's, as a rule): `finance/pack-2026-10-31/master-snapshot.xlsx`.
        size = min(3, len(mine) - 1) if source.kind == PACK else 1
        while size < len(mine):
            name = "/".join(mine[-size:])
            clash = any("/".join(parts(o)[-size:]).casefold() == name.casefold()
                        for o in sources if o is not source)
            if not clash:
                break
            size += 1
        names.append("/".join(mine[-size:]))
    return [replace(source, name=name) for source, name in zip(sources, names, strict=True)]


# --- when a member was last saved ----------------------------------------------------------

_MODIFIED = re.compile(rb"<dcterms:modified[^>]*>\s*(\d{4}-\d{2}-\d{2})")


def saved_on(path: Path) -> dt.date | None:
    """The day a master was last saved: its own properties (Excel and LibreOffice set them
    on every save, and they travel with the file when it is copied or mailed), else the
    file's modification date."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = _MODIFIED.search(archive.read("docProps/core.xml")[:65536])
        if found:
            return dt.date.fromisoformat(found.group(1).decode())
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, RuntimeError):
        pass
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime)
    except (OSError, ValueError, OverflowError):
        return None


# --- checking one member -------------------------------------------------------------------


def across_codes() -> frozenset[str]:
    """The codes of the rules across masters (a member's Rules sheet may set them)."""
    from pmo_xl.validators.families import load_rules

    return frozenset(code for code, item in load_rules().items() if item.needs_members)


def check_member(source: MemberSource, as_of: dt.date) -> MemberOutcome:
    """Read and check one member as `pmo-xl check` would (a pack as of its own date), and
    keep what the roll-up needs of it. Never raises for a member that cannot be read: it
    comes back not counted, with the reason."""
    from pmo_xl.validators.engine import check_path

    when = source.pack_as_of or as_of
    try:
        if source.problem is not None:
            raise CannotCheck(source.problem)
        result = check_path(source.workbook, when)
    except CannotCheck as exc:
        return MemberOutcome(source, False, str(exc), when)
    except Exception as exc:  # a defect in pmo-xl: this member is not counted, the rest are
        if os.environ.get("PMO_XL_DEBUG"):
            raise
        return MemberOutcome(source, False, (
            f"pmo-xl stopped on an unexpected problem reading it ({type(exc).__name__}: "
            f"{str(exc)[:200]}); set PMO_XL_DEBUG=1 for details and please report it."), when)
    findings = [replace(f, member=source.name) for f in result.findings]
    outcome = MemberOutcome(source, True, None, when, findings, dict(result.summary),
                            result.master.sha256)
    broken = [f for f in findings if f.rule in STRUCTURAL and not f.waived]
    if broken:
        outcome.counted = False
        outcome.why_not = broken_structure(broken)
        return outcome
    dated = source.pack_as_of if source.kind == PACK else saved_on(source.workbook)
    outcome.keys = member_keys(result.facts, source.name, kind=source.kind, dated=dated,
                               dated_from="packed as of" if source.kind == PACK
                               else "last saved", master_name=source.pack_master,
                               severities={setting.code: setting.severity for setting
                                           in result.rule_policy.departures
                                           if setting.code in across_codes()})
    from pmo_xl.portfolio.view import member_view

    outcome.view = member_view(result, source.name)
    return outcome


def broken_structure(broken: list[Finding]) -> str:
    """Why a member with a broken structure is not counted, in one sentence."""
    first = broken[0]
    more = f" (and {len(broken) - 1} more such finding{'s' if len(broken) > 2 else ''})" \
        if len(broken) > 1 else ""
    message = first.message.rstrip(".")
    return (f"its structure is broken, so its numbers cannot be read: {message} "
            f"({first.rule} at {first.address}){more}.")

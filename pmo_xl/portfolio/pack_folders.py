"""Finding the packs under the PATHs given, and counting each once.

A folder holding ``pack.json`` is a pack; any other folder is searched for packs (hidden
folders, such as a pack still being written, are not). A pack whose pack.json is damaged or
written by a newer pmo-xl, or that has lost its ``master-snapshot.xlsx``, is named and left
out. One master's packs side by side make a series; two packs of a series for the same
as-of date (a pack made again) count once, the later written; the same pack reached twice
(a copy in another folder) counts once. Each is named.

Only the start of each pack.json is read here (its date, organisation and master come
first): sorting and counting 5,000 packs does not read them whole.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import msgspec

from pmo_xl.compare.packs import (
    FORMAT,
    PACK_JSON,
    SNAPSHOT,
    PackMemoryError,
    damaged,
    load_pack_json,
)
from pmo_xl.errors import CannotCheck

LEFT_OUT = "It is left out of the history."
HEAD_BYTES = 8192  # pack.json's header (format to summary) fits in the first few hundred
MASTER_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class Pack:
    """A pack folder, known by its header before its services are read."""

    folder: Path
    as_of: dt.date
    organisation: str
    master: str
    sha256: str
    written: float  # pack.json's modification time: of two packs for one date, the later

    @property
    def pack_id(self) -> str:
        return f"{self.as_of.isoformat()}-{self.sha256[:12]}"

    @property
    def series(self) -> tuple[str, str, str]:
        """One master's packs side by side: the folder they sit in, the organisation and
        the master's name."""
        return str(self.folder.parent), self.organisation, self.master

    @property
    def source(self) -> str:
        """The master it was made from, in words: `Example Org's master.xlsx`."""
        return f"{self.organisation}'s {self.master}" if self.organisation else self.master


@dataclass
class Found:
    """The packs to count (one series after another, newest first within each), the masters
    named, and a sentence for every pack left out or counted once."""

    packs: list[Pack]
    masters: list[Path]
    warnings: list[str] = field(default_factory=list)


# --- finding the packs --------------------------------------------------------------------


def find_packs(paths: Iterable[str | Path]) -> Found:
    """Every pack under `paths` counted once (see the module docstring); masters named."""
    folders: dict[str, Path] = {}
    masters: list[Path] = []
    warnings: list[str] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise CannotCheck(f"{path} does not exist; name pack folders, folders holding "
                              "them, or a master workbook.")
        if path.is_file():
            if path.suffix.lower() not in MASTER_SUFFIXES:
                raise CannotCheck(f"{path} is neither a pack folder, a folder of packs nor a "
                                  "master workbook (.xlsx).")
            if all(os.path.realpath(path) != os.path.realpath(m) for m in masters):
                masters.append(path)
            continue
        found = _pack_folders(path, warnings)
        if not found:
            warnings.append(f"{path} holds no pack (no folder in it has a {PACK_JSON}).")
        for folder in found:
            folders.setdefault(os.path.realpath(folder), folder)
    packs = []
    for folder in folders.values():
        try:
            packs.append(_header(folder))
        except PackMemoryError as exc:
            warnings.append(f"{exc} {LEFT_OUT}")
    return Found(_counted_once(packs, warnings), masters, warnings)


def _pack_folders(top: Path, warnings: list[str]) -> list[Path]:
    if (top / PACK_JSON).exists():
        return [top]
    found = []
    for folder, subfolders, files in os.walk(top):
        subfolders[:] = sorted(s for s in subfolders if not s.startswith("."))
        if PACK_JSON in files:
            found.append(Path(folder))
            subfolders[:] = []  # a pack's to-people/ holds no pack
        elif SNAPSHOT in files:
            warnings.append(f"{folder} holds a {SNAPSHOT} but no {PACK_JSON}, so it is not "
                            f"a pack pmo-xl can read. {LEFT_OUT}")
    return found


def _header(folder: Path) -> Pack:
    """The pack's date, organisation and master, from the start of its pack.json (the whole
    file when the start cannot be read on its own), and proof its snapshot is there."""
    path = folder / PACK_JSON
    try:
        info = os.stat(path)
    except OSError as exc:
        raise PackMemoryError(f"The {PACK_JSON} of {folder} cannot be read "
                              f"({exc.strerror or exc}).") from None
    if not stat.S_ISREG(info.st_mode):
        raise PackMemoryError(f"The {PACK_JSON} of {folder} is not a file.")
    data = _head(path)
    if data is None:
        data = load_pack_json(folder)  # raises the sentence for a damaged or newer one
    try:
        master = data["master"]
        pack = Pack(folder, dt.date.fromisoformat(data["as_of"]),
                    str(data.get("organisation", "")), str(master["name"]),
                    str(master["sha256"]), info.st_mtime)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise damaged(folder, exc) from None
    if not (folder / SNAPSHOT).is_file():
        raise PackMemoryError(f"{folder} has lost its {SNAPSHOT} (the master it was made "
                              "from), so it is not a whole pack.")
    return pack


def _head(path: Path) -> dict | None:
    """pack.json up to its services, as pmo-xl writes it (format, written_by, as_of,
    organisation, master, summary first, one to a line); None when it is not laid out so
    or is not of a format this pmo-xl reads (the whole file then decides)."""
    try:
        with path.open("rb") as handle:
            start = handle.read(HEAD_BYTES)
    except OSError:
        return None
    cut = start.find(b'\n "services":')
    if cut < 0:
        return None
    try:
        data = msgspec.json.decode(start[:cut].rstrip().rstrip(b",") + b"\n}")
    except msgspec.DecodeError:
        return None
    version = data.get("format") if isinstance(data, dict) else None
    if type(version) is not int or version > FORMAT:
        return None
    return data


def _counted_once(packs: list[Pack], warnings: list[str]) -> list[Pack]:
    """One pack per series and date (the later written), and one per pack_id."""
    packs.sort(key=lambda p: (p.series, p.as_of, p.written, str(p.folder)))
    by_date: dict[tuple, Pack] = {}
    for pack in packs:
        key = (*pack.series, pack.as_of)
        earlier = by_date.get(key)
        if earlier is not None:
            warnings.append(_twice(earlier, pack))
        by_date[key] = pack  # sorted by time written: the later one stays
    counted: dict[str, Pack] = {}
    for pack in by_date.values():
        first = counted.get(pack.pack_id)
        if first is not None:
            warnings.append(f"{pack.folder} is the same pack as {first.folder} (the same "
                            f"master on {pack.as_of.isoformat()}): it is counted once.")
            continue
        counted[pack.pack_id] = pack
    # Newest first within each series: the dimensions take the newest description first.
    return sorted(counted.values(), key=lambda p: (p.series, _descending(p.as_of)))


def _descending(day: dt.date) -> int:
    return -day.toordinal()


def _twice(earlier: Pack, later: Pack) -> str:
    if earlier.sha256 == later.sha256:
        return (f"{earlier.folder} is the same pack as {later.folder} (the same master on "
                f"{later.as_of.isoformat()}): it is counted once.")
    return (f"{earlier.folder} and {later.folder} are both packs of {later.master} for "
            f"{later.as_of.isoformat()}; the one written later, {later.folder}, is counted.")

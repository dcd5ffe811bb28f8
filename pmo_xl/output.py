"""Writing outputs safely: never over the master, never a half-written file or folder.

Every output is written under a temporary name beside its target and renamed into place
only when complete: a file with :func:`atomic_output`, a folder of files (the governance
pack) with :func:`atomic_folder`. On an error, Ctrl-C or SIGTERM (see
:mod:`pmo_xl.interrupts`) the temporary file or folder is removed and the previous output,
if any, is left as it was. Only SIGKILL, which no program can catch, can leave a temporary
file (`.name-xxxx.xlsx`) or folder (`.name-xxxx`) beside the target; the target itself is
then still the previous, complete output.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from pmo_xl.errors import CannotCheck
from pmo_xl.interrupts import held, hold, release

try:
    import fcntl
except ImportError:  # Windows: a byte-range lock does the same job
    fcntl = None  # type: ignore[assignment]


# xlsxwriter otherwise writes each part of a workbook to a file in $TMPDIR while it closes
# the workbook, where a Ctrl-C would leave them. In memory there is nothing to clean up;
# measured on the 2,500-service reports: the same time, 23 MB more at the peak.
WORKBOOK_OPTIONS = {"in_memory": True}


def same_file(a: Path, b: Path) -> bool:
    """True when two paths name one file (also through links or a different spelling)."""
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def refuse_master(output: Path, source: Path | None) -> None:
    if source is not None and same_file(Path(output), Path(source)):
        raise CannotCheck(
            f"{output} is the master itself; pmo-xl never writes the master, choose another "
            "output name."
        )


def refuse_shared(outputs: dict[str, Path | None]) -> None:
    """Refuse two outputs of one run that name the same file (one would replace the other).

    `outputs` maps each option (`--output`, `--annotate`) to its path or None.
    """
    given = [(option, Path(path)) for option, path in outputs.items() if path is not None]
    for i, (first, a) in enumerate(given):
        for second, b in given[i + 1:]:
            if same_file(a, b):
                raise CannotCheck(f"{first} and {second} both name {b}; one would replace "
                                  "the other, so give each its own file name.")


def refuse_odd_target(path: Path) -> None:
    """Refuse a target that exists and is not a regular file (a device, pipe or socket).

    Renaming a file over /dev/null or a named pipe would replace it with a regular file
    (as root, the system's own /dev/null).
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise _not_a_folder(exc, path) or CannotCheck(
            f"{path} cannot be used as an output: {exc.strerror or exc}.") from None
    if stat.S_ISDIR(mode):
        raise CannotCheck(f"{path} is a folder; give a file name for the output.")
    if not stat.S_ISREG(mode):
        raise CannotCheck(f"{path} is not an ordinary file (it is a device, pipe or socket); "
                          "pmo-xl writes its outputs to ordinary files only, choose a file "
                          "name.")


def _not_a_folder(exc: OSError, path: Path) -> CannotCheck | None:
    """For "Not a directory" (`-o /dev/full/x.xlsx`, `-o notes.txt/x.xlsx`): the sentence
    naming what stands where a folder should be; None for any other failure."""
    if exc.errno not in (errno.ENOTDIR, errno.EEXIST):
        return None
    for parent in Path(path).parents:
        if os.path.exists(parent) and not os.path.isdir(parent):
            return CannotCheck(f"{parent} is not a folder, so nothing can be written inside "
                               f"it; choose an output in a folder.")
    return None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cannot_write(exc: OSError, path: Path) -> CannotCheck:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # a full disk, or a full quota
        return CannotCheck(f"The disk is full; {path.name} was not written.")
    if isinstance(exc, PermissionError):
        return CannotCheck(f"{path} cannot be written: permission denied.")
    return CannotCheck(f"{path} cannot be written: {exc.strerror or exc}.")


@contextlib.contextmanager
def atomic_output(
    path: str | Path, *, source: Path | None = None, overwrite: bool = True
) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success rename it into place.

    An interrupted or failed write leaves nothing under the final name (the temporary file
    is removed), so a reader never opens half a workbook.
    """
    path = Path(path)
    refuse_master(path, source)
    refuse_odd_target(path)
    if not overwrite and path.exists():
        raise CannotCheck(f"{path} already exists; pmo-xl does not overwrite it. Move it or "
                          "choose another name.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CannotCheck(f"The folder {folder} does not exist; create it or choose another.")
    # A signal between "the temporary file exists" and "the try below owns it" would leave
    # it behind: hold signals until the try has begun.
    hold()
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix,
                                             dir=folder)
        os.close(handle)
    except BaseException as exc:
        release()
        if isinstance(exc, PermissionError):
            raise CannotCheck(f"The folder {folder} is not writable; choose another "
                              "output.") from None
        if isinstance(exc, OSError):
            raise CannotCheck(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
        raise
    temp = Path(temp_name)
    try:
        release()
        yield temp
        # mkstemp makes the file private (0600); a report is shared, so honour the umask.
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise _cannot_write(exc, path) from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# --- text for an email header ------------------------------------------------------------


def header_value(text: object) -> str:
    """One line of plain text for an email header.

    Line breaks and other spacing characters (one could smuggle in a header of its own, such
    as Bcc) become single spaces; other control characters (a bell, an escape) and format
    characters (a right-to-left override that reverses what the reader sees) are dropped.
    """
    import unicodedata

    kept = "".join(" " if ch.isspace() else ch for ch in str(text)
                   if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(kept.split())


# --- proof that a file is ours ----------------------------------------------------------

STAMP_HEADER = b"X-Pmo-Xl-Digest: sha256="


def stamped(content: bytes) -> bytes:
    """An email message (bytes) with a first header line holding the digest of the rest.

    A file that still matches its stamp was written by pmo-xl and not changed since, so a
    re-run may replace it without losing anyone's work (see :func:`carries_stamp`).
    """
    import hashlib

    return STAMP_HEADER + hashlib.sha256(content).hexdigest().encode() + b"\r\n" + content


def carries_stamp(path: Path) -> bool:
    """True for a file written with :func:`stamped` and unchanged since."""
    import hashlib

    try:
        first, _, rest = Path(path).read_bytes().partition(b"\r\n")
    except OSError:
        return False
    return first == STAMP_HEADER + hashlib.sha256(rest).hexdigest().encode()


# --- whole folders ------------------------------------------------------------------------


def made_folder(path: Path, what: str, source: Path | None = None) -> Path:
    """`path` as a folder that exists, made with its parents if need be; one sentence when it
    is the master itself, a file, or cannot be made."""
    path = Path(path)
    if source is not None and same_file(path, Path(source)):
        raise CannotCheck(f"{path} is the master itself; give a folder for the {what}.")
    if path.exists() and not path.is_dir():
        raise CannotCheck(f"{path} is a file, not a folder; give a folder for the {what}.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _not_a_folder(exc, path) or CannotCheck(
            f"The {what} folder {path} cannot be created: {exc.strerror or exc}.") from None
    return path


def refuse_folder(
    path: Path, *, source: Path | None, overwrite: bool,
    replaceable: Callable[[Path], bool] | None = None, what: str = "output folder",
) -> None:
    """One sentence, before any work, when `path` cannot or should not become a new folder.

    An empty folder is simply used. A folder with files in it is replaced only with
    `overwrite` (the --force of `pack`), and only when every entry passes `replaceable`:
    a folder is replaced as a whole, so files that are not the command's own would be lost.
    The master is never inside a folder that is replaced.
    """
    path = Path(path)
    if source is not None and same_file(path, Path(source)):
        raise CannotCheck(f"{path} is the master itself; give a folder for the {what}.")
    if path.exists() and not path.is_dir():
        raise CannotCheck(f"{path} is a file, not a folder; give a folder for the {what}.")
    if not path.is_dir():
        return
    try:
        entries = sorted(path.iterdir())
    except OSError as exc:
        raise CannotCheck(f"The {what} {path} cannot be read: {exc.strerror or exc}.") from None
    if not entries:
        return
    if not overwrite:
        raise CannotCheck(f"The {what} {path} already exists and is not empty; pmo-xl does "
                          "not overwrite it. Choose another --output or pass --force to "
                          "replace it.")
    if source is not None and _inside(Path(source), path):
        raise CannotCheck(f"The master {source} is inside {path}; pmo-xl replaces that folder "
                          "as a whole, so choose another --output.")
    foreign = [entry for entry in entries
               if replaceable is None or entry.is_symlink() or not replaceable(entry)]
    if foreign:
        raise CannotCheck(f"{path} holds {foreign[0].name}, which pmo-xl did not write (or "
                          f"which was changed since); it replaces the {what} as a whole, so "
                          "move that out first or choose another folder.")


def _inside(item: Path, folder: Path) -> bool:
    try:
        Path(os.path.realpath(item)).relative_to(os.path.realpath(folder))
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def atomic_folder(
    path: str | Path, *, source: Path | None = None, overwrite: bool = False,
    replaceable: Callable[[Path], bool] | None = None, what: str = "output folder",
    notes: list[str] | None = None,
) -> Iterator[Path]:
    """Yield a new temporary folder beside `path`; when the block succeeds, it becomes `path`.

    All or nothing: an error or interruption removes the temporary folder and leaves `path`
    as it was. An existing folder is replaced (see :func:`refuse_folder` for when) only once
    the new one is complete, by an atomic exchange where the system offers one (Linux), else
    by two renames with signals held. A lock file beside the folder (`.name.lock`) makes a
    second run into the same folder at the same time wait for nothing: it is refused.
    The replaced folder is removed, a read-only one too; one that cannot be removed is
    said in a sentence added to `notes`, never left unsaid.
    """
    # A real name for the folder (`.` has none) and, behind a symbolic link, the folder the
    # link leads to: that is where the user means the pack to go.
    path = Path(os.path.realpath(path) if Path(path).is_symlink() else os.path.abspath(path))
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _not_a_folder(exc, path) or CannotCheck(
            f"The {what} {path} cannot be created: {exc.strerror or exc}.") from None
    with _locked(parent / f".{path.name}.lock", path, what):
        refuse_folder(path, source=source, overwrite=overwrite, replaceable=replaceable,
                      what=what)
        hold()
        try:
            temp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=parent))
        except BaseException as exc:
            release()
            if isinstance(exc, OSError):
                raise CannotCheck(f"The {what} {path} cannot be created: "
                                  f"{exc.strerror or exc}.") from None
            raise
        try:
            release()
            yield temp
            os.chmod(temp, 0o777 & ~_umask())  # mkdtemp makes it private (0700)
            left = _swap_in(temp, path)
        except OSError as exc:
            shutil.rmtree(temp, ignore_errors=True)
            raise _cannot_write(exc, path) from None
        except BaseException:
            shutil.rmtree(temp, ignore_errors=True)
            raise
    if left is not None and notes is not None:
        notes.append(f"The previous {what} could not be removed once the new one was in "
                     f"place (it is read-only); it is kept beside it as {left}, a hidden "
                     "folder: delete it when you no longer need it.")


def _swap_in(new: Path, path: Path) -> Path | None:
    """Put the complete folder `new` at `path`, then remove what was there; returns where
    the replaced folder still is when it could not be removed (else None)."""
    with held():
        if not path.exists():
            os.rename(new, path)
            return None
        if path.is_dir() and not any(path.iterdir()):
            os.rmdir(path)
            os.rename(new, path)
            return None
        if _exchange(new, path):
            return _remove_replaced(new)  # `new` now holds the old folder
        old = path.with_name(f".{path.name}-replaced-{secrets.token_hex(4)}")
        os.rename(path, old)
        try:
            os.rename(new, path)
        except BaseException:
            os.rename(old, path)
            raise
        return _remove_replaced(old)


def _remove_replaced(folder: Path) -> Path | None:
    """Remove a replaced folder, first making its read-only folders writable (their entries
    cannot be removed otherwise); the folder when it is still there, else None."""
    shutil.rmtree(folder, ignore_errors=True)
    if not os.path.lexists(folder):
        return None
    for root, dirs, _files in os.walk(folder):
        for name in (root, *(os.path.join(root, d) for d in dirs)):
            with contextlib.suppress(OSError):
                os.chmod(name, os.stat(name).st_mode | stat.S_IRWXU)
    shutil.rmtree(folder, ignore_errors=True)
    return folder if os.path.lexists(folder) else None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError, TypeError):  # not Linux, or a C library without it
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return done == 0


@contextlib.contextmanager
def _locked(lock: Path, path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `lock` for the block, or refuse at once when another holds it.

    The lock file is removed afterwards. A run that finds a lock file whose holder has gone
    (the kernel drops the lock when a process ends, even on SIGKILL) simply takes it.
    """
    busy = CannotCheck(f"Another pmo-xl run is writing the {what} {path} right now; wait for "
                       "it to finish, then run again.")
    hold()
    try:
        while True:
            try:
                handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as exc:
                raise CannotCheck(f"The {what} {path} cannot be created: "
                                  f"{exc.strerror or exc}.") from None
            if not _try_lock(handle):
                os.close(handle)
                raise busy
            # The previous holder may have removed the file between our open and our lock:
            # then we hold a lock on a file nobody else will ever see, so try again.
            try:
                if os.stat(lock).st_ino == os.fstat(handle).st_ino:
                    break
            except FileNotFoundError:
                pass
            os.close(handle)
    except BaseException:
        release()
        raise
    try:
        release()
        yield
    finally:
        with held():
            with contextlib.suppress(OSError):
                os.unlink(lock)  # while still held, so no one else is holding it
            os.close(handle)


def _try_lock(handle: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
    except OSError:
        return False
    return True


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes (the master's fingerprint; a pack's snapshot is checked
    against it), read a megabyte at a time."""
    import hashlib

    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()

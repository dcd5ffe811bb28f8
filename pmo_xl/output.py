"""Writing outputs safely: never over the master, never a half-written file under its name."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pmo_xl.errors import CannotCheck


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
    if path.is_dir():
        raise CannotCheck(f"{path} is a folder; give a file name for the output.")
    if not overwrite and path.exists():
        raise CannotCheck(f"{path} already exists; pmo-xl does not overwrite it. Move it or "
                          "choose another name.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CannotCheck(f"The folder {folder} does not exist; create it or choose another.")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix,
                                             dir=folder)
    except PermissionError:
        raise CannotCheck(f"The folder {folder} is not writable; choose another output.") from None
    except OSError as exc:
        raise CannotCheck(f"Cannot write in {folder}: {exc.strerror or exc}.") from None
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        # mkstemp makes the file private (0600); a report is shared, so honour the umask.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise CannotCheck(f"The disk is full; {path.name} was not written.") from None
        if isinstance(exc, PermissionError):
            raise CannotCheck(f"{path} cannot be written: permission denied.") from None
        raise CannotCheck(f"{path} cannot be written: {exc.strerror or exc}.") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise

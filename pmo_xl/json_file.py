"""Reading a small JSON file pmo-xl wrote (a pack's pack.json, a folder's sent.json) safely.

Whatever sits under the name: a named pipe (which would block a plain open for ever), a link
to /dev/zero (which never ends), a file far larger than pmo-xl ever writes, text that is not
UTF-8, nesting 100,000 deep (Python's parser runs out of stack), or numbers no program can
use (`1e999` reads as infinity, NaN, an integer of 5,000 digits): each becomes one
:class:`UnreadableJson` whose message says why in a few plain words, for the caller to put
into its own sentence. Nothing else is raised.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from pathlib import Path

# pack.json of a 5,000-service master with every finding is a few MB; sent.json far less.
MAX_BYTES = 64 * 1024 * 1024
MAX_DIGITS = 30  # a whole number longer than this is no count or time pmo-xl wrote


class UnreadableJson(Exception):
    """The file cannot be used; str() is the reason, e.g. `not JSON: Expecting value at
    line 1` or `it is a device, pipe or socket, not an ordinary file`."""


class Missing(UnreadableJson):
    """There is no file under the name."""


class Damaged(UnreadableJson):
    """The file was read, but what it holds is not JSON pmo-xl could have written."""


def read_json_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> object:
    """The JSON value in the file at `path` (a link to an ordinary file is followed).

    Raises :class:`Missing` when there is no file, :class:`UnreadableJson` for anything
    else that keeps it from being read as JSON pmo-xl could have written.
    """
    return parse_json(read_small_file(path, max_bytes=max_bytes))


def read_small_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an ordinary file of at most `max_bytes`, opened without blocking."""
    try:
        # O_NONBLOCK: opening a named pipe waits for a writer otherwise; the file type is
        # then checked on the open handle, so nothing can be swapped in between.
        handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                         | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise Missing("there is no such file") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableJson("it is a link that leads round in a circle") from None
        raise UnreadableJson(exc.strerror or str(exc)) from None
    try:
        mode = os.fstat(handle).st_mode
        if stat.S_ISDIR(mode):
            raise UnreadableJson("it is a folder, not a file")
        if not stat.S_ISREG(mode):
            raise UnreadableJson("it is a device, pipe or socket, not an ordinary file")
        chunks, total = [], 0
        while True:
            chunk = os.read(handle, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise UnreadableJson(f"it is larger than the {max_bytes // (1024 * 1024)} MB "
                                     "pmo-xl ever writes there")
    except OSError as exc:
        raise UnreadableJson(exc.strerror or str(exc)) from None
    finally:
        os.close(handle)
    return b"".join(chunks)


def parse_json(data: bytes) -> object:
    """JSON text (UTF-8) as Python values; UnreadableJson for anything that is not JSON pmo-xl
    could have written."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Damaged("not UTF-8 text") from None
    try:
        return json.loads(text, parse_float=_finite, parse_int=_whole,
                          parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Damaged(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    except RecursionError:
        raise Damaged("not JSON pmo-xl writes: it is nested too deep") from None
    except ValueError as exc:  # a number out of range, or an integer too long to convert
        raise Damaged(f"not JSON pmo-xl writes: {_first_line(exc)}") from None
    except MemoryError:
        raise Damaged("too large to read") from None


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is too large")
    return value


def _whole(text: str) -> int:
    # Python refuses to convert more than 4,300 digits, in a sentence about its own settings;
    # no count pmo-xl writes has more than a handful.
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise ValueError(f"the number {text[:12]}… is too large")
    return int(text)


def _no_constant(text: str) -> float:
    raise ValueError(f"{text} is not a number")


def _first_line(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:120]

"""Ctrl-C and SIGTERM: one line, exit 130 (or 143), and outputs cleaned up as on an error.

Python turns Ctrl-C into KeyboardInterrupt, which click reports as "Aborted." with exit code 1
(the code for "errors found"), and SIGTERM kills the process without running any clean-up.
The `pmo-xl` command installs :func:`install` before it imports anything heavy, so both
signals raise :class:`Interrupted` wherever the process is; the `finally` blocks of
:mod:`pmo_xl.output` then remove every temporary file and folder, and the command prints one
line. This module imports nothing but the standard library's signal, so it is cheap to load
first.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator

SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)

_held = 0  # depth of hold() calls in force
_pending: int | None = None  # a signal that arrived while held


class Interrupted(BaseException):
    """Raised by the signal handler: not an Exception, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention: 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM)."""
        return 128 + self.signum

    @property
    def message(self) -> str:
        how = "Interrupted" if self.signum == signal.SIGINT else "Stopped (SIGTERM)"
        return f"{how}; nothing was left half-written."


def _raise(signum: int, frame: object) -> None:
    global _pending
    # Further Ctrl-Cs while the first one unwinds would cut the clean-up short: ignore them.
    # The clean-up is a few unlinks, so the process ends at once anyway.
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    if _held:
        _pending = signum
        return
    raise Interrupted(signum)


def install() -> None:
    """Make SIGINT and SIGTERM raise Interrupted in the main thread (the command does this)."""
    for sig in SIGNALS:
        signal.signal(sig, _raise)


def settle() -> None:
    """Ignore both signals from here on: the work is done and the exit code decided."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)


def hold() -> None:
    """Hold SIGINT and SIGTERM back until :func:`release`.

    Used around the few steps that create a temporary file or swap folders, so that a signal
    cannot land between "the file exists" and "the clean-up knows about it". Python runs
    signal handlers in the main thread only, whichever thread the signal reached, so a flag
    that the handler reads is enough (no OS signal mask, which would cover one thread only).
    Effective once :func:`install` has run; without it (pmo-xl used as a library) Python's
    own KeyboardInterrupt applies.
    """
    global _held
    _held += 1


def release() -> None:
    """End a :func:`hold`; a signal that arrived meanwhile is raised now."""
    global _held, _pending
    _held = max(_held - 1, 0)
    if not _held and _pending is not None:
        signum, _pending = _pending, None
        raise Interrupted(signum)


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Run a block with SIGINT and SIGTERM held back; one that arrives is raised at the end."""
    hold()
    try:
        yield
    finally:
        release()

"""The worker processes a roll-up checks its members and writes its outputs in.

Forked where the system can (Linux), so a worker starts at once with everything the roll-up
process has imported and worked out; elsewhere each worker imports pmo-xl once. Ctrl-C is
the roll-up process's to handle: a worker ignores it. When the roll-up stops (Ctrl-C, an
error), it stops its workers with SIGTERM, which in a worker removes whatever it was writing
(as in the roll-up process itself: :mod:`pmo_xl.interrupts`), and waits for them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator
from typing import TypeVar

from pmo_xl import interrupts

T = TypeVar("T")

# Below this many members a roll-up works in its own process: starting workers costs more
# than it saves.
POOL_FROM = 4


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@contextlib.contextmanager
def worker_pool(count: int) -> Iterator[concurrent.futures.ProcessPoolExecutor]:
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=count, mp_context=multiprocessing.get_context(method),
        initializer=_worker_start)
    try:
        yield pool
    except BaseException:
        # The pool keeps its processes in a private mapping; without it nothing is stopped
        # early, and the shutdown below still waits for them.
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
        raise
    pool.shutdown(wait=True)


def run(task: Callable[..., T], *args: object) -> T:
    """Run `task` in a worker (submit this, with the task and its arguments): stopped while
    at it, the worker cleans up what it was writing and ends quietly."""
    global _busy
    _busy = True
    try:
        return task(*args)
    except interrupts.Interrupted as exc:
        os._exit(exc.exit_code)  # the clean-up has run on the way out; no traceback
    finally:
        _busy = False


_busy = False  # a worker is running a task


def _worker_start() -> None:
    interrupts.install()
    raising = signal.getsignal(signal.SIGTERM)  # raises Interrupted, honouring held signals

    def stop(signum: int, frame: object) -> None:
        if _busy:
            raising(signum, frame)  # clean up what is being written (see run)
        os._exit(128 + signum)  # idle: nothing to clean up

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the roll-up process's

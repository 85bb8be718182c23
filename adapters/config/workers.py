"""DOLGO_WORKERS: how many processes `serve` runs (uvicorn workers on one socket).

Several workers need state that lives outside the process: the in-process iamport sandbox keeps
its payments in memory, so a window opened by one worker would be unknown to another; SQLite
has one writer at a time, and several processes on one file are not proven here. Both mean
one worker: by default, and an explicit DOLGO_WORKERS above 1 is refused.
"""

import os
from collections.abc import Callable

MAX_WORKERS = 64


def cores() -> int:
    """The CPUs this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def workers(
    raw: str | None, *, sandbox: bool, sqlite: bool, fail: Callable[[str, str], None]
) -> int:
    """The number of workers `raw` asks for, or the default (the cores where several may run)."""
    single = "the in-process sandbox" if sandbox else "SQLite" if sqlite else None
    if raw is None:
        return 1 if single else cores()
    try:
        count = int(raw)
    except ValueError:
        fail("DOLGO_WORKERS", "must be a whole number")
        return 1
    if not 1 <= count <= MAX_WORKERS:
        fail("DOLGO_WORKERS", f"must be between 1 and {MAX_WORKERS}")
        return 1
    if count > 1 and single:
        fail(
            "DOLGO_WORKERS",
            f"must be 1 with {single} (its state is in one process); use MariaDB and an "
            "iamport URL (or `dolgo-pay sandbox` on its own) for several workers",
        )
        return 1
    return count

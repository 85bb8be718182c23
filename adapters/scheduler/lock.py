"""One scheduler among the `serve` workers of one instance.

`serve` with several workers gives them one lock file (worker.share_scheduler). Each worker's
scheduler tries an exclusive flock(2) on it at every tick; the one that holds it runs the jobs,
the others wait. The kernel drops a lock with the process that held it, so when that worker
exits or is killed another takes over at its next tick. Across instances the jobs still share
their rows through leases in the database (docs/adr/0015); this only keeps one instance from
running every job once per worker.
"""

import fcntl
import os


class SchedulerLock:
    def __init__(self, path: str | None) -> None:
        """`path` None: this process is the only worker and always runs the jobs."""
        self._path = path
        self._fd: int | None = None

    def held(self) -> bool:
        """True when this process runs the jobs (taking the lock if it is free)."""
        if self._path is None or self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

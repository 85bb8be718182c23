"""Id generators: sequential for tests, time-ordered for real instances."""

import itertools
import secrets
import threading
import time


class SequentialIds:
    def __init__(self, start: int = 1001) -> None:
        self._next = itertools.count(start)

    def new_id(self) -> int:
        return next(self._next)


class TimeOrderedIds:
    """53-bit ids: milliseconds since 2024-01-01 (41 bits) and 12 random-then-counted bits.

    Unique across instances with overwhelming probability, ordered by time, and safe as JSON
    numbers. The database's primary keys catch the astronomically rare collision.
    """

    EPOCH_MS = 1_704_067_200_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last_ms = 0
        self._seq = 0

    def new_id(self) -> int:
        with self._lock:
            ms = max(int(time.time() * 1000) - self.EPOCH_MS, self._last_ms)
            if ms == self._last_ms:
                self._seq = (self._seq + 1) & 0xFFF
                if self._seq == 0:
                    ms += 1
            else:
                self._seq = secrets.randbelow(0x800)
            self._last_ms = ms
            return (ms << 12) | self._seq

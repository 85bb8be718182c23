"""Count what an engine sends the database: statements by verb, COMMITs, ROLLBACKs (explicit
or the pool's reset) and pings. Every one is a round trip on MySQL.

    with RoundTrips(engine) as trips:
        await use_case.execute(...)
    trips.total, trips.counts  # {"SELECT": 3, "UPDATE": 2, ..., "COMMIT": 1}
"""

from collections import Counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class RoundTrips:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.sync_engine
        self._dialect = engine.dialect
        self.counts: Counter[str] = Counter()

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def _statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        self.counts[statement.split(None, 1)[0].upper()] += 1

    def _wrap(self, name: str, what: str) -> None:
        original = getattr(self._dialect, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.counts[what] += 1
            return original(*args, **kwargs)

        setattr(self._dialect, name, counted)

    def __enter__(self) -> "RoundTrips":
        event.listen(self._engine, "before_cursor_execute", self._statement)
        for name, what in (
            ("do_commit", "COMMIT"),
            ("do_rollback", "ROLLBACK"),
            ("do_ping", "PING"),
        ):
            self._wrap(name, what)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(self._engine, "before_cursor_execute", self._statement)
        for name in ("do_commit", "do_rollback", "do_ping"):
            del self._dialect.__dict__[name]  # the class's method again

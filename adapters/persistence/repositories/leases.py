"""WorkLeases on the claimed rows' own `lease_owner` / `lease_until` columns.

MySQL/MariaDB: `SELECT seq ... FOR UPDATE SKIP LOCKED` picks due rows no live lease holds and
no other transaction has locked, then one UPDATE leases them until `UTC_TIMESTAMP(6)` plus the
lease; the claim commits with the unit of work. SQLite (one writer, BEGIN IMMEDIATE) takes the
same statements, without the locking clause, which it does not have.

A new kind of work (another job's table) is one entry in CLAIMABLE: its table (with `*_lease()`
columns, see tables.py), what makes a row due at a given moment, and the order to take rows in.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, or_, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from adapters.persistence.repositories.base import SqlRepository
from adapters.persistence.tables import (
    event_delivery,
    payment,
    payment_cancel,
    payment_order,
    webhook_inbox,
)
from adapters.persistence.types import UtcDateTime
from application.outbox import DeliveryState
from application.ports import ExpiredLease, Work
from application.records import InboxState
from domain.status import CancellationStatus, OrderStatus, OrderType, PaymentStatus


class db_now(FunctionElement[datetime]):  # noqa: N801 - reads as SQL
    """The database's UTC clock plus `micros` microseconds (leases never use an instance's)."""

    type = UtcDateTime()
    # Not cached: `micros` is rendered into the SQL text, and a cached statement would keep the
    # first lease length it was compiled with for every later claim.
    inherit_cache = False

    def __init__(self, micros: int = 0) -> None:
        self.micros = int(micros)
        super().__init__()


@compiles(db_now, "mysql")
@compiles(db_now, "mariadb")
def _mysql_now(element: db_now, compiler: Any, **kw: Any) -> str:
    return f"(UTC_TIMESTAMP(6) + INTERVAL {element.micros} MICROSECOND)"


@compiles(db_now, "sqlite")
def _sqlite_now(element: db_now, compiler: Any, **kw: Any) -> str:
    # The text form SQLAlchemy's DATETIME stores (microseconds as six digits), so comparisons
    # with stored values are in order.
    seconds = element.micros / 1_000_000
    return f"strftime('%Y-%m-%d %H:%M:%f000', 'now', '{seconds:+.6f} seconds')"


@dataclass(frozen=True, slots=True)
class Claimable:
    table: Table
    due: Callable[[datetime], ColumnElement[bool]]
    order_by: Callable[[], Sequence[Any]]


_ACTIVE_ROUTINE = (int(OrderStatus.ROUTINE), int(OrderStatus.ROUTINE_PAST_DUE))
o, p, c, w, d = payment_order.c, payment.c, payment_cancel.c, webhook_inbox.c, event_delivery.c

CLAIMABLE: dict[Work, Claimable] = {
    Work.DUE_CHARGES: Claimable(
        payment_order,
        lambda now: and_(o.order_status.in_(_ACTIVE_ROUTINE), o.next_charge_at <= now),
        lambda: (o.next_charge_at, o.seq),
    ),
    Work.UNKNOWN_PAYMENTS: Claimable(
        payment,
        lambda now: and_(
            p.payment_status == int(PaymentStatus.REQUESTED),
            p.unknown_since.is_not(None),
            p.unknown_next_check_at <= now,
        ),
        lambda: (p.unknown_next_check_at, p.seq),
    ),
    Work.UNKNOWN_CANCELLATIONS: Claimable(
        payment_cancel,
        lambda now: and_(
            c.cancel_status.in_(
                (int(CancellationStatus.REQUESTED), int(CancellationStatus.UNKNOWN))
            ),
            c.next_check_at <= now,
        ),
        lambda: (c.next_check_at, c.seq),
    ),
    Work.DUE_WEBHOOKS: Claimable(
        webhook_inbox,
        lambda now: and_(
            w.inbox_state.in_((InboxState.RECEIVED.value, InboxState.FAILED.value)),
            or_(w.next_attempt_at.is_(None), w.next_attempt_at <= now),
        ),
        lambda: (w.seq,),
    ),
    Work.VBANKS_PAST_DUE: Claimable(
        payment,
        lambda now: and_(p.payment_status == int(PaymentStatus.READY), p.vbank_date < now),
        lambda: (p.seq,),
    ),
    Work.STALE_ORDERS: Claimable(
        payment_order,
        lambda before: and_(
            o.order_status == int(OrderStatus.ORDERED),
            o.type_code != int(OrderType.MONTHLY),
            o.created_at < before,
        ),
        lambda: (o.created_at, o.seq),
    ),
    Work.EVENT_DELIVERIES: Claimable(
        event_delivery,
        lambda now: and_(d.delivery_state == DeliveryState.PENDING.value, d.next_attempt_at <= now),
        lambda: (d.next_attempt_at, d.seq),
    ),
}


def _micros(lease: timedelta) -> int:
    if lease <= timedelta():
        raise ValueError("a lease must be positive")
    return int(lease / timedelta(microseconds=1))


class SqlWorkLeases(SqlRepository):
    async def claim(
        self, work: Work, owner: str, due_at: datetime, limit: int, lease: timedelta
    ) -> list[int]:
        kind = CLAIMABLE[work]
        t = kind.table
        free = or_(t.c.lease_until.is_(None), t.c.lease_until < db_now())
        query = (
            select(t.c.seq)
            .where(kind.due(due_at), free)
            .order_by(*kind.order_by())
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        conn = await self._conn()
        ids = [int(r[0]) for r in (await conn.execute(query)).all()]
        if ids:
            await conn.execute(
                update(t)
                .where(t.c.seq.in_(ids))
                .values(lease_owner=owner, lease_until=db_now(_micros(lease)))
            )
        return ids

    async def renew(self, work: Work, ids: Sequence[int], owner: str, lease: timedelta) -> int:
        if not ids:
            return 0
        t = CLAIMABLE[work].table
        conn = await self._conn()
        result = await conn.execute(
            update(t)
            .where(t.c.seq.in_(list(ids)), t.c.lease_owner == owner, t.c.lease_until >= db_now())
            .values(lease_until=db_now(_micros(lease)))
        )
        return int(result.rowcount)

    async def release(self, work: Work, ids: Sequence[int], owner: str) -> None:
        if not ids:
            return
        t = CLAIMABLE[work].table
        conn = await self._conn()
        await conn.execute(
            update(t)
            .where(t.c.seq.in_(list(ids)), t.c.lease_owner == owner)
            .values(lease_owner=None, lease_until=None)
        )

    async def expired(self, work: Work, due_at: datetime, limit: int) -> list[ExpiredLease]:
        kind = CLAIMABLE[work]
        t = kind.table
        query = (
            select(t.c.seq, t.c.lease_owner, t.c.lease_until)
            .where(kind.due(due_at), t.c.lease_owner.is_not(None), t.c.lease_until < db_now())
            .order_by(t.c.lease_until, t.c.seq)
            .limit(limit)
        )
        rows = await self._rows(query)
        return [ExpiredLease(work, int(r["seq"]), r["lease_owner"], r["lease_until"]) for r in rows]

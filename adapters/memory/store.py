"""In-memory repositories and unit of work.

Reads hand out deep copies; `commit` writes the copies back. A UoW that locks a row
(`for_update=True`) or writes takes the store's single writer lock until it ends — the same
serialisation SQLite's BEGIN IMMEDIATE gives — so races behave as on a real database.
"""

import asyncio
import copy
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

from adapters.events.schema import outbox_events
from adapters.memory.leases import InMemoryWorkLeases
from application.outbox import (
    DeliveryAttempt,
    DeliveryFilter,
    DeliveryState,
    EventDelivery,
    OutboxEvent,
)
from application.ports import ConcurrentUpdate, OrderFilter, Page, PaymentFilter
from application.records import IdempotencyRecord, InboxMessage, InboxState, ReconcileReport
from domain.cancellation import Cancellation
from domain.card import PaymentCard
from domain.cash_receipt import CashReceipt
from domain.channel_health import ChannelHealth
from domain.history import HistoryEntry
from domain.order import Order
from domain.payment import Payment
from domain.status import (
    CancellationStatus,
    CardStatus,
    CashReceiptStatus,
    OrderStatus,
    OrderType,
    PaymentStatus,
)

E = TypeVar("E")


def _database_time() -> datetime:
    return datetime.now(UTC)


@dataclass
class InMemoryStore:
    orders: dict[int, Order] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    cancellations: dict[int, Cancellation] = field(default_factory=dict)
    receipts: dict[int, CashReceipt] = field(default_factory=dict)
    cards: dict[int, PaymentCard] = field(default_factory=dict)
    history: list[HistoryEntry] = field(default_factory=list)
    inbox: dict[int, InboxMessage] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)
    channel_health: dict[str, ChannelHealth] = field(default_factory=dict)
    reconcile_reports: dict[int, ReconcileReport] = field(default_factory=dict)
    outbox: dict[str, OutboxEvent] = field(default_factory=dict)  # in insertion order
    deliveries: dict[int, EventDelivery] = field(default_factory=dict)
    delivery_attempts: list[DeliveryAttempt] = field(default_factory=list)
    writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    # WorkLeases: (table, id) → (owner, expiry by db_clock, the database's clock)
    leases: dict[tuple[str, int], tuple[str, datetime]] = field(default_factory=dict)
    db_clock: Callable[[], datetime] = field(default=_database_time)

    def uow(self) -> "InMemoryUnitOfWork":
        return InMemoryUnitOfWork(self)

    __call__ = uow  # the store is itself a UnitOfWorkFactory


class _Table:
    """Staged changes of one entity kind inside one unit of work."""

    def __init__(self, uow: "InMemoryUnitOfWork", rows: dict[Any, Any], versioned: bool = True):
        self._uow = uow
        self._rows = rows
        self._versioned = versioned
        self.staged: dict[Any, Any] = {}
        self.added: set[Any] = set()
        self.base_versions: dict[Any, int] = {}  # version each row had when first staged
        self.deleted: set[Any] = set()

    def read(self, key: Any) -> Any:
        if key in self.deleted:
            return None
        if key in self.staged:
            return copy.deepcopy(self.staged[key])
        row = self._rows.get(key)
        return copy.deepcopy(row) if row is not None else None

    def all(self) -> list[Any]:
        merged = {**self._rows, **self.staged}
        return [copy.deepcopy(v) for k, v in merged.items() if k not in self.deleted]

    def delete(self, key: Any) -> None:
        self.staged.pop(key, None)
        self.deleted.add(key)

    def add(self, key: Any, entity: Any) -> None:
        if key in self._rows or key in self.staged:
            raise ConcurrentUpdate(f"{type(entity).__name__} {key} exists already")
        self._drain_history(entity)
        self.staged[key] = copy.deepcopy(entity)
        self.added.add(key)

    def save(self, key: Any, entity: Any) -> None:
        current = self.staged.get(key, self._rows.get(key))
        if current is None:
            raise ConcurrentUpdate(f"{type(entity).__name__} {key} does not exist")
        if self._versioned:
            if current.version != entity.version:
                raise ConcurrentUpdate(f"{type(entity).__name__} {key} changed concurrently")
            if key not in self.added:
                self.base_versions.setdefault(key, current.version)
            entity.version += 1
        self._drain_history(entity)
        self.staged[key] = copy.deepcopy(entity)

    def _drain_history(self, entity: Any) -> None:
        pending = getattr(entity, "pending_history", None)
        if pending:
            self._uow.staged_history.extend(pending)
            for event in outbox_events(entity, pending):
                self._uow.events.stage(event)
            pending.clear()

    def commit(self) -> None:
        for key, entity in self.staged.items():
            if self._versioned and key in self.base_versions:
                stored = self._rows.get(key)
                if stored is not None and stored.version != self.base_versions[key]:
                    raise ConcurrentUpdate(f"{type(entity).__name__} {key} changed concurrently")
            self._rows[key] = entity
        for key in self.deleted:
            self._rows.pop(key, None)
        self.clear()

    def clear(self) -> None:
        self.staged.clear()
        self.added.clear()
        self.base_versions.clear()
        self.deleted.clear()


def _page(items: list[E], page: Page) -> list[E]:
    return items[page.offset : page.offset + page.limit]


def _where(items: Iterable[E], *tests: Callable[[E], bool]) -> list[E]:
    return [item for item in items if all(t(item) for t in tests)]


class _Repo:
    def __init__(self, uow: "InMemoryUnitOfWork", table: _Table) -> None:
        self._uow = uow
        self._t = table

    async def _read(self, key: Any, for_update: bool) -> Any:
        if for_update:
            await self._uow.lock()
        return self._t.read(key)


class OrderRepo(_Repo):
    async def add(self, order: Order) -> None:
        await self._uow.lock()
        self._t.add(order.id, order)

    async def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        return await self._read(order_id, for_update)

    async def get_by_merchant_uid(
        self, merchant_uid: str, *, for_update: bool = False
    ) -> Order | None:
        payment = await self._uow.payments.get_by_merchant_uid(merchant_uid)
        return None if payment is None else await self._read(payment.order_id, for_update)

    async def save(self, order: Order) -> None:
        await self._uow.lock()
        self._t.save(order.id, order)

    async def search(self, filter: OrderFilter, page: Page = Page()) -> list[Order]:
        f = filter
        rows = _where(
            self._t.all(),
            lambda o: f.user_seq is None or o.user_seq == f.user_seq,
            lambda o: not f.status or o.status in f.status,
            lambda o: f.type is None or o.type is f.type,
            lambda o: f.created_from is None or o.created_at >= f.created_from,
            lambda o: f.created_to is None or o.created_at < f.created_to,
        )
        return _page(sorted(rows, key=lambda o: o.id, reverse=True), page)

    async def due_subscriptions(self, now: datetime, limit: int) -> list[Order]:
        rows = _where(
            self._t.all(),
            lambda o: o.status in (OrderStatus.ROUTINE, OrderStatus.ROUTINE_PAST_DUE),
            lambda o: (
                o.subscription is not None
                and o.subscription.next_charge_at is not None
                and o.subscription.next_charge_at <= now
            ),
        )
        return sorted(rows, key=lambda o: o.subscription.next_charge_at)[:limit]  # type: ignore[union-attr]

    async def count_active_using_card(self, card_id: int) -> int:
        return len(
            _where(
                self._t.all(),
                lambda o: o.type is OrderType.MONTHLY,
                lambda o: (
                    o.status
                    in (OrderStatus.ORDERED, OrderStatus.ROUTINE, OrderStatus.ROUTINE_PAST_DUE)
                ),
                lambda o: o.subscription is not None and o.subscription.card_id == card_id,
            )
        )

    async def stale_unpaid(self, created_before: datetime, limit: int) -> list[Order]:
        rows = _where(
            self._t.all(),
            lambda o: o.status is OrderStatus.ORDERED,
            lambda o: o.type is not OrderType.MONTHLY,
            lambda o: o.created_at < created_before,
        )
        return sorted(rows, key=lambda o: o.created_at)[:limit]


class PaymentRepo(_Repo):
    async def add(self, payment: Payment) -> None:
        await self._uow.lock()
        if any(p.merchant_uid == payment.merchant_uid for p in self._t.all()):
            raise ConcurrentUpdate(f"merchant_uid {payment.merchant_uid} exists already")
        self._t.add(payment.id, payment)

    async def get(self, payment_id: int, *, for_update: bool = False) -> Payment | None:
        return await self._read(payment_id, for_update)

    async def get_by_merchant_uid(
        self, merchant_uid: str, *, for_update: bool = False
    ) -> Payment | None:
        if for_update:
            await self._uow.lock()
        return next((p for p in self._t.all() if p.merchant_uid == merchant_uid), None)

    async def get_by_imp_uid(self, imp_uid: str) -> Payment | None:
        return next((p for p in self._t.all() if p.imp_uid == imp_uid), None)

    async def owner_of(self, merchant_uid: str) -> int | None:
        payment = await self.get_by_merchant_uid(merchant_uid)
        return None if payment is None else payment.user_seq

    async def save(self, payment: Payment) -> None:
        await self._uow.lock()
        if payment.imp_uid and any(
            p.imp_uid == payment.imp_uid and p.id != payment.id for p in self._t.all()
        ):
            raise ConcurrentUpdate(f"imp_uid {payment.imp_uid} belongs to another payment")
        self._t.save(payment.id, payment)

    async def for_order(self, order_id: int) -> list[Payment]:
        return sorted(_where(self._t.all(), lambda p: p.order_id == order_id), key=lambda p: p.id)

    async def latest_for_orders(self, order_ids: Sequence[int]) -> dict[int, Payment]:
        wanted = set(order_ids)
        latest: dict[int, Payment] = {}
        for p in sorted(_where(self._t.all(), lambda p: p.order_id in wanted), key=lambda p: p.id):
            latest[p.order_id] = p
        return latest

    async def search(self, filter: PaymentFilter, page: Page = Page()) -> list[Payment]:
        f = filter
        rows = _where(
            self._t.all(),
            lambda p: f.user_seq is None or p.user_seq == f.user_seq,
            lambda p: f.order_id is None or p.order_id == f.order_id,
            lambda p: not f.status or p.status in f.status,
            lambda p: f.pay_method is None or p.pay_method == f.pay_method,
            lambda p: f.channel is None or p.channel == f.channel,
            lambda p: f.merchant_uid is None or p.merchant_uid == f.merchant_uid,
            lambda p: f.imp_uid is None or p.imp_uid == f.imp_uid,
            lambda p: f.requested_from is None or p.requested_at >= f.requested_from,
            lambda p: f.requested_to is None or p.requested_at < f.requested_to,
            lambda p: f.paid_from is None or (p.paid_at is not None and p.paid_at >= f.paid_from),
            lambda p: f.paid_to is None or (p.paid_at is not None and p.paid_at < f.paid_to),
            lambda p: not f.unknown_only or p.unknown is not None,
            lambda p: not f.attention_only or p.attention is not None,
        )
        return _page(sorted(rows, key=lambda p: p.id, reverse=True), page)

    async def unresolved(self, now: datetime, limit: int) -> list[Payment]:
        rows = _where(
            self._t.all(),
            lambda p: p.status is PaymentStatus.REQUESTED,
            lambda p: p.unknown is not None and p.unknown.next_check_at <= now,
        )
        return sorted(rows, key=lambda p: p.unknown.next_check_at)[:limit]  # type: ignore[union-attr]

    async def vbanks_past_due(self, now: datetime, limit: int) -> list[Payment]:
        rows = _where(
            self._t.all(),
            lambda p: p.status is PaymentStatus.READY,
            lambda p: p.vbank is not None and p.vbank.due_at is not None and p.vbank.due_at < now,
        )
        return sorted(rows, key=lambda p: p.id)[:limit]

    async def refundable(
        self, after_id: int, limit: int, paid_since: datetime | None = None
    ) -> list[Payment]:
        rows = _where(
            self._t.all(),
            lambda p: p.id > after_id,
            lambda p: p.is_paid and p.refundable > 0,
            lambda p: paid_since is None or (p.paid_at is not None and p.paid_at >= paid_since),
        )
        return sorted(rows, key=lambda p: p.id)[:limit]


class CancellationRepo(_Repo):
    async def add(self, cancellation: Cancellation) -> None:
        await self._uow.lock()
        self._t.add(cancellation.id, cancellation)

    async def get(self, cancellation_id: int, *, for_update: bool = False) -> Cancellation | None:
        return await self._read(cancellation_id, for_update)

    async def save(self, cancellation: Cancellation) -> None:
        await self._uow.lock()
        self._t.save(cancellation.id, cancellation)

    async def for_payment(self, payment_id: int) -> list[Cancellation]:
        return sorted(
            _where(self._t.all(), lambda c: c.payment_id == payment_id), key=lambda c: c.id
        )

    async def unresolved(self, now: datetime, limit: int) -> list[Cancellation]:
        rows = _where(
            self._t.all(),
            lambda c: c.status in (CancellationStatus.REQUESTED, CancellationStatus.UNKNOWN),
            lambda c: c.next_check_at is not None and c.next_check_at <= now,
        )
        return sorted(rows, key=lambda c: (c.next_check_at, c.id))[:limit]


class CashReceiptRepo(_Repo):
    async def add(self, receipt: CashReceipt) -> None:
        await self._uow.lock()
        self._t.add(receipt.id, receipt)

    async def get(self, receipt_id: int, *, for_update: bool = False) -> CashReceipt | None:
        return await self._read(receipt_id, for_update)

    async def save(self, receipt: CashReceipt) -> None:
        await self._uow.lock()
        self._t.save(receipt.id, receipt)

    async def for_payment(self, payment_id: int) -> list[CashReceipt]:
        rows = _where(self._t.all(), lambda r: r.payment_id == payment_id)
        return sorted(rows, key=lambda r: r.id)

    async def unresolved(self, now: datetime, limit: int) -> list[CashReceipt]:
        in_flight = (CashReceiptStatus.ISSUING, CashReceiptStatus.CANCELLING)
        rows = _where(
            self._t.all(),
            lambda r: r.status in in_flight,
            lambda r: r.next_check_at is not None and r.next_check_at <= now,
        )
        return sorted(rows, key=lambda r: (r.next_check_at, r.id))[:limit]

    async def to_cancel(self, limit: int) -> list[CashReceipt]:
        def refunded(r: CashReceipt) -> bool:
            payment = self._uow.payments._t.read(r.payment_id)
            return payment is not None and payment.status is PaymentStatus.CANCELLED

        rows = _where(
            self._t.all(),
            lambda r: r.status is CashReceiptStatus.ISSUED and r.failure_message is None,
            refunded,
        )
        return sorted(rows, key=lambda r: r.id)[:limit]


class CardRepo(_Repo):
    def _check_unique_keys(self, card: PaymentCard) -> None:
        mine = {k.customer_uid for k in card.keys}
        for other in self._t.all():
            if other.id != card.id and mine & {k.customer_uid for k in other.keys}:
                raise ConcurrentUpdate(f"customer_uid of card {card.id} belongs to card {other.id}")

    async def add(self, card: PaymentCard) -> None:
        await self._uow.lock()
        self._check_unique_keys(card)
        self._t.add(card.id, card)

    async def get(self, card_id: int, *, for_update: bool = False) -> PaymentCard | None:
        return await self._read(card_id, for_update)

    async def get_by_customer_uid(self, customer_uid: str) -> PaymentCard | None:
        return next(
            (c for c in self._t.all() if any(k.customer_uid == customer_uid for k in c.keys)),
            None,
        )

    async def save(self, card: PaymentCard) -> None:
        await self._uow.lock()
        self._check_unique_keys(card)
        self._t.save(card.id, card)

    async def for_user(self, user_seq: int) -> list[PaymentCard]:
        rows = _where(
            self._t.all(),
            lambda c: c.user_seq == user_seq,
            lambda c: c.status is not CardStatus.DELETED,
        )
        return sorted(rows, key=lambda c: c.id, reverse=True)

    async def issuing(self, before: datetime, limit: int) -> list[PaymentCard]:
        rows = _where(
            self._t.all(),
            lambda c: c.status is CardStatus.ISSUING,
            lambda c: c.created_at < before,
        )
        return sorted(rows, key=lambda c: (c.created_at, c.id))[:limit]


class HistoryRepo:
    def __init__(self, uow: "InMemoryUnitOfWork") -> None:
        self._uow = uow

    def _all(self) -> list[HistoryEntry]:
        return [*self._uow.store.history, *self._uow.staged_history]

    async def for_entity(self, entity: str, entity_id: int) -> list[HistoryEntry]:
        return [h for h in self._all() if h.entity == entity and h.entity_id == entity_id]

    async def for_order(self, order_id: int) -> list[HistoryEntry]:
        payments = {p.id for p in self._uow.payments._t.all() if p.order_id == order_id}
        cancels = {c.id for c in self._uow.cancellations._t.all() if c.payment_id in payments}
        keys = {("order", order_id)} | {("payment", i) for i in payments}
        keys |= {("cancellation", i) for i in cancels}
        receipts = {r.id for r in self._uow.receipts._t.all() if r.payment_id in payments}
        keys |= {("cash_receipt", i) for i in receipts}
        return sorted(
            (h for h in self._all() if (h.entity, h.entity_id) in keys), key=lambda h: h.at
        )


class InboxRepo(_Repo):
    async def add(self, message: InboxMessage) -> None:
        await self._uow.lock()
        self._t.add(message.id, message)

    async def get(self, message_id: int, *, for_update: bool = False) -> InboxMessage | None:
        return await self._read(message_id, for_update)

    async def save(self, message: InboxMessage) -> None:
        await self._uow.lock()
        self._t.save(message.id, message)

    async def due(self, now: datetime, limit: int) -> list[InboxMessage]:
        rows = _where(
            self._t.all(),
            lambda m: m.state in (InboxState.RECEIVED, InboxState.FAILED),
            lambda m: m.next_attempt_at is None or m.next_attempt_at <= now,
        )
        return sorted(rows, key=lambda m: m.id)[:limit]

    async def search(self, state: str | None, page: Page = Page()) -> list[InboxMessage]:
        rows = _where(self._t.all(), lambda m: state is None or m.state == state)
        return _page(sorted(rows, key=lambda m: m.id, reverse=True), page)

    async def for_payment(
        self, imp_uid: str | None, merchant_uid: str, limit: int
    ) -> list[InboxMessage]:
        rows = _where(
            self._t.all(),
            lambda m: (
                m.merchant_uid == merchant_uid or (imp_uid is not None and m.imp_uid == imp_uid)
            ),
        )
        return sorted(rows, key=lambda m: m.id, reverse=True)[:limit]


class IdempotencyRepo(_Repo):
    async def get(
        self, scope: str, key: str, *, for_update: bool = False
    ) -> IdempotencyRecord | None:
        return await self._read((scope, key), for_update)

    async def add(self, record: IdempotencyRecord) -> bool:
        await self._uow.lock()
        if self._t.read((record.scope, record.key)) is not None:
            return False
        self._t.add((record.scope, record.key), record)
        return True

    async def save(self, record: IdempotencyRecord) -> None:
        await self._uow.lock()
        self._t.save((record.scope, record.key), record)

    async def purge(self, created_before: datetime, limit: int) -> int:
        await self._uow.lock()
        old = sorted(
            (r for r in self._t.all() if r.created_at < created_before), key=lambda r: r.created_at
        )[:limit]
        for record in old:
            self._t.delete((record.scope, record.key))
        return len(old)


class ChannelHealthRepo(_Repo):
    async def get(self, channel: str, *, for_update: bool = False) -> ChannelHealth | None:
        return await self._read(channel, for_update)

    async def add(self, health: ChannelHealth) -> bool:
        await self._uow.lock()
        if self._t.read(health.channel) is not None:
            return False
        self._t.add(health.channel, health)
        return True

    async def save(self, health: ChannelHealth) -> None:
        await self._uow.lock()
        self._t.save(health.channel, health)

    async def all(self) -> list[ChannelHealth]:
        return sorted(self._t.all(), key=lambda h: h.channel)


class EventsRepo(_Repo):
    """The outbox (`_t`) and its deliveries, with the attempt log staged until commit."""

    def __init__(self, uow: "InMemoryUnitOfWork", events: _Table, deliveries: _Table) -> None:
        super().__init__(uow, events)
        self._d = deliveries
        self.staged_attempts: list[DeliveryAttempt] = []
        self.purged_deliveries: set[int] = set()  # their attempt log goes at commit

    def stage(self, event: OutboxEvent) -> None:
        self._t.add(event.id, event)

    async def undispatched(self, limit: int) -> list[OutboxEvent]:
        await self._uow.lock()
        return [e for e in self._t.all() if not e.dispatched][:limit]

    async def mark_dispatched(self, event_ids: Sequence[str]) -> None:
        await self._uow.lock()
        for event_id in event_ids:
            event = self._t.read(event_id)
            if event is not None:
                event.dispatched = True
                self._t.save(event_id, event)

    async def get(self, event_id: str) -> OutboxEvent | None:
        return self._t.read(event_id)

    async def search(self, type: str | None, page: Page = Page()) -> list[OutboxEvent]:
        rows = _where(self._t.all(), lambda e: type is None or e.type == type)
        return _page(rows[::-1], page)

    async def add_delivery(self, delivery: EventDelivery) -> None:
        await self._uow.lock()
        if any(
            d.event_id == delivery.event_id and d.endpoint == delivery.endpoint
            for d in self._d.all()
        ):
            raise ConcurrentUpdate(f"{delivery.event_id} has a delivery to {delivery.endpoint}")
        self._d.add(delivery.id, delivery)

    async def due(self, now: datetime, limit: int) -> list[EventDelivery]:
        rows = _where(
            self._d.all(),
            lambda d: d.state is DeliveryState.PENDING,
            lambda d: d.next_attempt_at is not None and d.next_attempt_at <= now,
        )
        return sorted(rows, key=lambda d: (d.next_attempt_at, d.id))[:limit]

    async def get_delivery(
        self, delivery_id: int, *, for_update: bool = False
    ) -> EventDelivery | None:
        if for_update:
            await self._uow.lock()
        return self._d.read(delivery_id)

    async def save_delivery(
        self, delivery: EventDelivery, attempt: DeliveryAttempt | None = None
    ) -> None:
        await self._uow.lock()
        self._d.save(delivery.id, delivery)
        if attempt is not None:
            self.staged_attempts.append(attempt)

    async def deliveries(self, filter: DeliveryFilter, page: Page = Page()) -> list[EventDelivery]:
        f = filter
        rows = _where(
            self._d.all(),
            lambda d: f.state is None or d.state is f.state,
            lambda d: f.endpoint is None or d.endpoint == f.endpoint,
            lambda d: f.event_id is None or d.event_id == f.event_id,
        )
        return _page(sorted(rows, key=lambda d: d.id, reverse=True), page)

    async def attempts(self, delivery_id: int) -> list[DeliveryAttempt]:
        stored = [*self._uow.store.delivery_attempts, *self.staged_attempts]
        return [a for a in stored if a.delivery_id == delivery_id]

    async def purge_delivered(self, occurred_before: datetime, limit: int) -> int:
        await self._uow.lock()
        deliveries = self._d.all()

        def all_delivered(event: OutboxEvent) -> bool:
            return all(
                d.state is DeliveryState.DELIVERED for d in deliveries if d.event_id == event.id
            )

        old = _where(
            self._t.all(),
            lambda e: e.dispatched and e.occurred_at < occurred_before,
            all_delivered,
        )[:limit]
        ids = {e.id for e in old}
        for delivery in deliveries:
            if delivery.event_id in ids:
                self._d.delete(delivery.id)
                self.purged_deliveries.add(delivery.id)
        for event_id in ids:
            self._t.delete(event_id)
        return len(old)


class ReconcileReportRepo(_Repo):
    async def add(self, report: ReconcileReport) -> int:
        await self._uow.lock()
        report_id = max((r.id or 0 for r in self._t.all()), default=0) + 1
        self._t.add(report_id, dataclasses.replace(report, id=report_id))
        return report_id

    async def latest(self, limit: int) -> list[ReconcileReport]:
        return sorted(self._t.all(), key=lambda r: r.id or 0, reverse=True)[:limit]


class InMemoryUnitOfWork:
    def __init__(self, store: InMemoryStore) -> None:
        self.store = store
        self.staged_history: list[HistoryEntry] = []
        self.staged_leases: dict[tuple[str, int], tuple[str, datetime] | None] = {}
        self._locked = False
        self._tables = [
            _Table(self, store.orders),
            _Table(self, store.payments),
            _Table(self, store.cancellations),
            _Table(self, store.cards),
            _Table(self, store.inbox, versioned=False),
            _Table(self, store.idempotency, versioned=False),
            _Table(self, store.channel_health, versioned=False),
            _Table(self, store.reconcile_reports, versioned=False),
            _Table(self, store.outbox, versioned=False),
            _Table(self, store.deliveries, versioned=False),
            _Table(self, store.receipts),
        ]
        t = self._tables
        self.orders = OrderRepo(self, t[0])
        self.payments = PaymentRepo(self, t[1])
        self.cancellations = CancellationRepo(self, t[2])
        self.cards = CardRepo(self, t[3])
        self.webhooks = InboxRepo(self, t[4])
        self.idempotency = IdempotencyRepo(self, t[5])
        self.channel_health = ChannelHealthRepo(self, t[6])
        self.reconcile_reports = ReconcileReportRepo(self, t[7])
        self.history = HistoryRepo(self)
        self.leases = InMemoryWorkLeases(self)
        self.events = EventsRepo(self, t[8], t[9])
        self.receipts = CashReceiptRepo(self, t[10])

    async def lock(self) -> None:
        if not self._locked:
            await self.store.writer.acquire()
            self._locked = True

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.rollback()

    async def commit(self) -> None:
        try:
            for table in self._tables:
                table.commit()
            self.store.history.extend(self.staged_history)
            self.staged_history = []
            for key, lease in self.staged_leases.items():
                if lease is None:
                    self.store.leases.pop(key, None)
                else:
                    self.store.leases[key] = lease
            self.staged_leases = {}
            self.store.delivery_attempts.extend(self.events.staged_attempts)
            self.events.staged_attempts = []
            if self.events.purged_deliveries:
                purged = self.events.purged_deliveries
                self.store.delivery_attempts[:] = [
                    a for a in self.store.delivery_attempts if a.delivery_id not in purged
                ]
                self.events.purged_deliveries = set()
        finally:
            self._release()

    async def rollback(self) -> None:
        for table in self._tables:
            table.clear()
        self.staged_history = []
        self.staged_leases = {}
        self.events.staged_attempts = []
        self.events.purged_deliveries = set()
        self._release()

    def _release(self) -> None:
        if self._locked:
            self._locked = False
            self.store.writer.release()

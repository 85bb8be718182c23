"""Ports of the application: repositories, unit of work, clock, ids.

Repositories return domain entities; `save` persists an entity's changes and its
`pending_history` (then clears it) and raises ConcurrentUpdate when the row's version moved.
`for_update=True` locks the row for the rest of the transaction (SELECT ... FOR UPDATE on
MySQL; on SQLite the whole writing transaction is serialised with BEGIN IMMEDIATE).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol, Self

from application.outbox import DeliveryAttempt, DeliveryFilter, EventDelivery, OutboxEvent
from application.records import IdempotencyRecord, InboxMessage, ReconcileReport
from domain.cancellation import Cancellation
from domain.card import PaymentCard
from domain.cash_receipt import CashReceipt
from domain.channel_health import ChannelHealth
from domain.history import HistoryEntry
from domain.order import Order
from domain.payment import Payment
from domain.status import OrderStatus, OrderType, PaymentStatus


class ConcurrentUpdate(Exception):
    """Another transaction changed the row first; the use case may reload and retry."""


@dataclass(frozen=True, slots=True)
class Page:
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True, slots=True)
class OrderFilter:
    user_seq: int | None = None
    status: Sequence[OrderStatus] | None = None
    type: OrderType | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    user_seq: int | None = None
    order_id: int | None = None
    status: Sequence[PaymentStatus] | None = None
    pay_method: str | None = None
    channel: str | None = None
    merchant_uid: str | None = None
    imp_uid: str | None = None
    requested_from: datetime | None = None
    requested_to: datetime | None = None
    paid_from: datetime | None = None  # paid_at in [paid_from, paid_to) (settlement reports)
    paid_to: datetime | None = None
    unknown_only: bool = False
    attention_only: bool = False  # something was reported to operators and not acknowledged


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None: ...
    async def get(self, order_id: int, *, for_update: bool = False) -> Order | None: ...
    async def get_by_merchant_uid(
        self, merchant_uid: str, *, for_update: bool = False
    ) -> Order | None:
        """The order of the payment with this merchant_uid (locking the order only)."""
        ...

    async def save(self, order: Order) -> None: ...
    async def search(self, filter: OrderFilter, page: Page = Page()) -> list[Order]: ...
    async def due_subscriptions(self, now: datetime, limit: int) -> list[Order]:
        """ROUTINE / ROUTINE_PAST_DUE orders whose next_charge_at <= now, oldest first."""
        ...

    async def count_active_using_card(self, card_id: int) -> int: ...
    async def stale_unpaid(self, created_before: datetime, limit: int) -> list[Order]:
        """ORDERED one-time orders created before the cut-off (abandoned-order expiry)."""
        ...


class PaymentRepository(Protocol):
    async def add(self, payment: Payment) -> None: ...
    async def get(self, payment_id: int, *, for_update: bool = False) -> Payment | None: ...
    async def get_by_merchant_uid(
        self, merchant_uid: str, *, for_update: bool = False
    ) -> Payment | None: ...
    async def get_by_imp_uid(self, imp_uid: str) -> Payment | None: ...
    async def owner_of(self, merchant_uid: str) -> int | None:
        """The user_seq of the payment with this merchant_uid (None: there is none), without
        loading the payment."""
        ...

    async def save(self, payment: Payment) -> None: ...
    async def for_order(self, order_id: int) -> list[Payment]:
        """All attempts of an order, oldest first."""
        ...

    async def latest_for_orders(self, order_ids: Sequence[int]) -> dict[int, Payment]:
        """The newest payment (attempt or cycle charge) of each order, by order id; orders
        without a payment are absent."""
        ...

    async def search(self, filter: PaymentFilter, page: Page = Page()) -> list[Payment]: ...
    async def unresolved(self, now: datetime, limit: int) -> list[Payment]:
        """REQUESTED payments with an unknown outcome whose next check is due."""
        ...

    async def vbanks_past_due(self, now: datetime, limit: int) -> list[Payment]:
        """READY payments whose vbank due time has passed."""
        ...

    async def refundable(
        self, after_id: int, limit: int, paid_since: datetime | None = None
    ) -> list[Payment]:
        """PAID / ROUTINE_PAID payments with a refundable balance, by id (reconciliation);
        with `paid_since`, only those paid since then."""
        ...


class CancellationRepository(Protocol):
    async def add(self, cancellation: Cancellation) -> None: ...
    async def get(
        self, cancellation_id: int, *, for_update: bool = False
    ) -> Cancellation | None: ...
    async def save(self, cancellation: Cancellation) -> None: ...
    async def for_payment(self, payment_id: int) -> list[Cancellation]: ...
    async def unresolved(self, now: datetime, limit: int) -> list[Cancellation]:
        """In-flight cancellations (REQUESTED or UNKNOWN) whose next check is due, by due time.

        A REQUESTED one carries its first check time from the moment it is recorded, so one
        whose process died before iamport's answer was recorded is found here too."""
        ...


class CashReceiptRepository(Protocol):
    async def add(self, receipt: CashReceipt) -> None: ...
    async def get(self, receipt_id: int, *, for_update: bool = False) -> CashReceipt | None: ...
    async def save(self, receipt: CashReceipt) -> None: ...
    async def for_payment(self, payment_id: int) -> list[CashReceipt]:
        """The payment's receipts, oldest first."""
        ...

    async def unresolved(self, now: datetime, limit: int) -> list[CashReceipt]:
        """ISSUING or CANCELLING receipts whose next check is due, by due time."""
        ...

    async def to_cancel(self, limit: int) -> list[CashReceipt]:
        """ISSUED receipts (never refused a cancel) of payments fully refunded (CANCELLED)."""
        ...


class CardRepository(Protocol):
    async def add(self, card: PaymentCard) -> None: ...
    async def get(self, card_id: int, *, for_update: bool = False) -> PaymentCard | None: ...
    async def get_by_customer_uid(self, customer_uid: str) -> PaymentCard | None: ...
    async def save(self, card: PaymentCard) -> None: ...
    async def for_user(self, user_seq: int) -> list[PaymentCard]:
        """The user's cards that are not deleted, newest first."""
        ...

    async def issuing(self, before: datetime, limit: int) -> list[PaymentCard]:
        """ISSUING cards created before `before`, oldest first (key issuances left unsettled)."""
        ...


class HistoryRepository(Protocol):
    async def for_entity(self, entity: str, entity_id: int) -> list[HistoryEntry]: ...
    async def for_order(self, order_id: int) -> list[HistoryEntry]:
        """The order's own entries and those of its payments and their cancellations, by time."""
        ...


class WebhookInbox(Protocol):
    async def add(self, message: InboxMessage) -> None: ...
    async def get(self, message_id: int, *, for_update: bool = False) -> InboxMessage | None: ...
    async def save(self, message: InboxMessage) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[InboxMessage]:
        """RECEIVED or FAILED messages whose next attempt is due."""
        ...

    async def search(self, state: str | None, page: Page = Page()) -> list[InboxMessage]: ...
    async def for_payment(
        self, imp_uid: str | None, merchant_uid: str, limit: int
    ) -> list[InboxMessage]:
        """Notifications naming this imp_uid or merchant_uid, newest first."""
        ...


class IdempotencyStore(Protocol):
    async def get(
        self, scope: str, key: str, *, for_update: bool = False
    ) -> IdempotencyRecord | None: ...
    async def add(self, record: IdempotencyRecord) -> bool:
        """False when the (scope, key) already exists (another request got there first)."""
        ...

    async def save(self, record: IdempotencyRecord) -> None: ...
    async def purge(self, created_before: datetime, limit: int) -> int:
        """Deletes up to `limit` records created before the cut-off, oldest first; how many."""
        ...


class ChannelHealthRepository(Protocol):
    """One breaker row per channel. Writes are made under the row's lock (`for_update`)."""

    async def get(self, channel: str, *, for_update: bool = False) -> ChannelHealth | None: ...
    async def add(self, health: ChannelHealth) -> bool:
        """False when the channel's row exists already (another instance made it first)."""
        ...

    async def save(self, health: ChannelHealth) -> None: ...
    async def all(self) -> list[ChannelHealth]: ...


class Work(StrEnum):
    """Kinds of rows the jobs claim. Each names a table and what makes one of its rows due."""

    DUE_CHARGES = "due-charges"  # active sponsorships whose next charge is due (payment_order)
    UNKNOWN_PAYMENTS = "unknown-payments"  # REQUESTED payments whose check is due (payment)
    UNKNOWN_CANCELLATIONS = "unknown-cancellations"  # in-flight cancels due for a check
    DUE_WEBHOOKS = "due-webhooks"  # stored notifications to (re)process (webhook_inbox)
    VBANKS_PAST_DUE = "vbanks-past-due"  # READY vbank payments past their due time (payment)
    STALE_ORDERS = "stale-orders"  # ORDERED one-time orders created before the cut-off
    EVENT_DELIVERIES = "event-deliveries"  # PENDING event deliveries due (event_delivery)


@dataclass(frozen=True, slots=True)
class ExpiredLease:
    """Due work whose lease ran out without being released: its owner died or hung."""

    work: Work
    row_id: int
    owner: str
    lease_until: datetime  # database time


class WorkLeases(Protocol):
    """Leases on due rows, so that N instances running the same job take disjoint work.

    A lease is an owner and an expiry measured in the database's own clock (never an
    instance's), held on the row itself. A lease protects work from being *taken twice at
    once*; it is not what makes the work correct — the row locks, version checks and recorded
    intents are (docs/adr/0004-locking.md) — so a lease that expires under a slow owner costs
    duplicate effort, never a double charge. Claims commit with the unit of work.
    """

    async def claim(
        self, work: Work, owner: str, due_at: datetime, limit: int, lease: timedelta
    ) -> list[int]:
        """Up to `limit` ids of rows of `work` due at `due_at` (the application's clock: what
        "due" means is business time) that no live lease holds, most overdue first, now
        leased to `owner` until database time + `lease`. Rows another transaction has locked
        are skipped (`FOR UPDATE SKIP LOCKED`), not waited for."""
        ...

    async def renew(self, work: Work, ids: Sequence[int], owner: str, lease: timedelta) -> int:
        """Extends the leases `owner` still holds on `ids`; how many it still held."""
        ...

    async def release(self, work: Work, ids: Sequence[int], owner: str) -> None:
        """Gives up the leases `owner` holds on `ids` (others' leases are left alone)."""
        ...

    async def expired(self, work: Work, due_at: datetime, limit: int) -> list[ExpiredLease]:
        """Rows of `work` still due at `due_at` whose lease expired unreleased (the next claim
        takes them over), the longest expired first: what operators see as stuck work."""
        ...


class ReconcileReports(Protocol):
    async def add(self, report: ReconcileReport) -> int:
        """Keeps a finished run; its id."""
        ...

    async def latest(self, limit: int) -> list[ReconcileReport]:
        """The last runs, newest first, with their id and ran_at."""
        ...


class EventOutbox(Protocol):
    async def undispatched(self, limit: int) -> list[OutboxEvent]:
        """Events without deliveries yet, oldest first, locked (skipping rows others hold)."""
        ...

    async def mark_dispatched(self, event_ids: Sequence[str]) -> None: ...
    async def get(self, event_id: str) -> OutboxEvent | None: ...
    async def search(self, type: str | None, page: Page = Page()) -> list[OutboxEvent]: ...
    async def add_delivery(self, delivery: EventDelivery) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[EventDelivery]:
        """PENDING deliveries whose next attempt is due, oldest due first (the deliverer
        claims them through WorkLeases, Work.EVENT_DELIVERIES)."""
        ...

    async def get_delivery(
        self, delivery_id: int, *, for_update: bool = False
    ) -> EventDelivery | None: ...
    async def save_delivery(
        self, delivery: EventDelivery, attempt: DeliveryAttempt | None = None
    ) -> None:
        """Writes the delivery and appends `attempt` to its log."""
        ...

    async def deliveries(
        self, filter: DeliveryFilter, page: Page = Page()
    ) -> list[EventDelivery]: ...
    async def attempts(self, delivery_id: int) -> list[DeliveryAttempt]: ...
    async def purge_delivered(self, occurred_before: datetime, limit: int) -> int:
        """Deletes up to `limit` events older than `occurred_before` whose every delivery was
        delivered, with their deliveries and attempt log; how many events went. Events still
        pending, dead, or never dispatched stay."""
        ...


class UnitOfWork(Protocol):
    leases: WorkLeases
    orders: OrderRepository
    payments: PaymentRepository
    cancellations: CancellationRepository
    receipts: CashReceiptRepository
    cards: CardRepository
    history: HistoryRepository
    webhooks: WebhookInbox
    idempotency: IdempotencyStore
    channel_health: ChannelHealthRepository
    reconcile_reports: ReconcileReports
    events: EventOutbox  # written by the repositories' add/save (domain/events.py)

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None:
        """Rolls back whatever was not committed."""
        ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware UTC datetime."""
        ...


class IdGenerator(Protocol):
    def new_id(self) -> int:
        """A new positive id, unique across instances, below 2**53 (safe in JSON)."""
        ...

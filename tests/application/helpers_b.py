"""Part B's test helpers: a whole in-memory world, builders of paid payments, Seoul time."""

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from adapters.memory import FakeGateway, FixedClock, InMemoryStore, SequentialIds
from application.channels import ChannelDirectory
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.register_card import RegisterCard, RegisterCardCommand
from domain.card import PaymentCard
from domain.card_credentials import CardCredentials
from domain.identifiers import merchant_uid_for
from domain.money import Amount
from domain.order import Order
from domain.payment import Payment, SettledFacts
from domain.status import OrderType, PayMethod
from tests.application.conftest import DEMO_CHANNELS

SEOUL = ZoneInfo("Asia/Seoul")
USER = 7
OTHER_USER = 8
OPERATOR = 900


def kst(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given in Seoul wall time, as the aware UTC datetime the core stores."""
    return datetime(year, month, day, hour, minute, tzinfo=SEOUL).astimezone(UTC)


def good_card(number: str = "5365-1034-8291-4417") -> CardCredentials:
    return CardCredentials(number=number, expiry="2031-07", birth="730415", pwd_2digit="93")


@dataclass
class World:
    clock: FixedClock = field(default_factory=lambda: FixedClock(kst(2026, 3, 2, 10)))
    ids: SequentialIds = field(default_factory=SequentialIds)
    store: InMemoryStore = field(default_factory=InMemoryStore)
    settings: PaymentSettings = field(
        default_factory=lambda: PaymentSettings(public_base_url="https://pay.dolgo.example")
    )
    channels: ChannelDirectory = field(default_factory=lambda: ChannelDirectory.of(DEMO_CHANNELS))
    gateway: FakeGateway = field(init=False)

    def __post_init__(self) -> None:
        self.gateway = FakeGateway(clock=self.clock.now)

    # -- reading the store back ------------------------------------------------------------------
    async def order(self, order_id: int) -> Order:
        async with self.store.uow() as uow:
            order = await uow.orders.get(order_id)
        assert order is not None
        return order

    async def payment(self, payment_id: int) -> Payment:
        async with self.store.uow() as uow:
            payment = await uow.payments.get(payment_id)
        assert payment is not None
        return payment

    async def payments_of(self, order_id: int) -> list[Payment]:
        async with self.store.uow() as uow:
            return await uow.payments.for_order(order_id)

    # -- builders --------------------------------------------------------------------------------
    async def paid_payment(
        self,
        *,
        method: str = "card",
        pg_provider: str = "nice",
        channel: str | None = None,
        amount: int = 10_000,
        tax_free: int = 0,
        paid_at: datetime | None = None,
        card_name: str | None = "신한카드",
        user_seq: int = USER,
    ) -> Payment:
        """A one-time order paid through the PG window: in our store and at the fake iamport."""
        paid_at = paid_at or self.clock.now()
        order = Order(
            id=self.ids.new_id(),
            user_seq=user_seq,
            type=OrderType.ONE_TIME,
            content_type_code=1,
            content_seq=42,
            name="후원",
            amount=Amount(amount, tax_free),
            created_at=paid_at,
            pay_method=PayMethod(method),
        )
        attempt = order.start_attempt(paid_at)
        uid = merchant_uid_for(order.id, attempt)
        record = self.gateway.plant_payment(
            uid, amount, pay_method=method, pg_provider=pg_provider, card_name=card_name
        )
        payment = Payment(
            id=self.ids.new_id(),
            order_id=order.id,
            user_seq=user_seq,
            type=OrderType.ONE_TIME,
            merchant_uid=uid,
            amount=Amount(amount, tax_free),
            channel=channel or pg_provider,
            name="후원",
            requested_at=paid_at,
            pay_method=method,
        )
        payment.approve(
            SettledFacts(
                imp_uid=record.imp_uid,
                pg_provider=pg_provider,
                pay_method=method,
                card_name=card_name,
            ),
            paid_at,
            "test",
        )
        order.paid(paid_at, "test")
        async with self.store.uow() as uow:
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()
        return payment


# -- looking for leaked secrets --------------------------------------------------------------------
def strings_in(obj: Any, _seen: set[int] | None = None) -> Iterator[str]:
    """Every string reachable from `obj`: dataclass fields (repr=False ones too), containers."""
    seen = _seen if _seen is not None else set()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, bytes):
        yield obj.decode(errors="replace")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from strings_in(k, seen)
            yield from strings_in(v, seen)
    elif isinstance(obj, list | tuple | set | frozenset):
        for item in obj:
            yield from strings_in(item, seen)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from strings_in(getattr(obj, f.name), seen)
    elif isinstance(obj, BaseException):
        yield str(obj)
        yield repr(obj)
        yield from strings_in(obj.args, seen)
        yield from strings_in(vars(obj), seen)
    elif isinstance(obj, int | float | bool | datetime) or obj is None:
        yield str(obj)
    else:
        yield repr(obj)


# -- use cases wired on a world --------------------------------------------------------------------
def settlement(w: World) -> Settlement:
    return Settlement(w.settings, w.channels)


async def registered_card(
    w: World, user_seq: int = USER, number: str = "5365-1034-8291-4417"
) -> PaymentCard:
    result = await RegisterCard(w.store, w.gateway, w.clock, w.ids, w.channels, w.settings).execute(
        RegisterCardCommand(user_seq, good_card(number))
    )
    return result.card

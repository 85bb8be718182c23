"""CreateCheckout / RetryCheckout: a one-time sponsorship through the PG window (spec §4.1).

The order and its attempt are committed first, then the amount is pre-registered with iamport
(POST /payments/prepare) outside any transaction, and the exact `IMP.request_pay` parameters
are returned. Prepare outcomes:
  Approved     → fine.
  NotAttempted → GatewayUnavailable; the attempt is failed as known unpaid (its merchant_uid was
                 never handed out), the order is kept and the sponsor may retry.
  Rejected     → iamport may already hold this merchant_uid (e.g. our earlier call's answer was
                 lost): GET /payments/prepare/{uid}; the same amount is fine, anything else is
                 GatewayRejected (attempt failed as known unpaid).
  Unknown      → the same GET decides; if that is unanswered too, GatewayUnavailable.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from application.channel_health import ChannelHealthBook
from application.channels import Channel, ChannelDirectory
from application.errors import ConflictError, GatewayRejected, GatewayUnavailable, NotFoundError
from application.gateway import Approved, IamportGateway, NotAttempted, Rejected, Unknown
from application.payment_sync import PaymentSync, prove_unpaid
from application.ports import Clock, IdGenerator, UnitOfWorkFactory
from application.routing import ChannelRouter, Route
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.actor import user_cause
from domain.errors import InvalidValue
from domain.money import Amount
from domain.order import Buyer, Order
from domain.payment import Payment
from domain.seoul import SEOUL
from domain.status import OrderType, PaymentStatus, PayMethod


@dataclass(frozen=True, slots=True)
class RequestPayParams:
    """The exact parameters of `IMP.request_pay` (docs/iamport.md §8)."""

    pg: str
    pay_method: str
    merchant_uid: str
    name: str
    amount: int
    tax_free: int
    buyer_name: str | None
    buyer_tel: str | None
    buyer_email: str | None
    notice_url: str
    m_redirect_url: str
    vbank_due: str | None = None  # YYYYMMDDHHmm, Asia/Seoul
    digital: bool | None = None  # phone

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True, slots=True)
class CreateCheckoutCommand:
    user_seq: int
    content_type_code: int
    content_seq: int
    name: str
    amount: int
    pay_method: str  # card | trans | vbank | phone
    tax_free: int = 0
    buyer_name: str | None = None
    buyer_tel: str | None = None
    buyer_email: str | None = None


@dataclass(frozen=True, slots=True)
class CheckoutResult:
    order_id: int
    payment_id: int
    merchant_uid: str
    request_pay: RequestPayParams


class _Checkout:
    """What both use cases share: pick the channel, add the attempt, prepare, build params."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        ids: IdGenerator,
        settings: PaymentSettings,
        channels: ChannelDirectory,
        settlement: Settlement,
        health: ChannelHealthBook | None = None,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._ids = ids
        self._settings = settings
        self._channels = channels
        self._settlement = settlement
        self._router = ChannelRouter(
            channels,
            health or ChannelHealthBook(uow, clock, settings.breaker),
            production=settings.production,
        )

    async def _route(self, method: str) -> Route:
        return await self._router.for_method(method)

    def _attempt(
        self, order: Order, route: Route, at: datetime, method: PayMethod | None = None
    ) -> Payment:
        attempt = order.start_attempt(at, method)
        return order.attempt_payment(
            self._ids.new_id(),
            attempt=attempt,
            at=at,
            channel=route.channel.name,
            route_reason=route.reason,
        )

    async def _prepare(self, order: Order, payment: Payment, channel: Channel) -> CheckoutResult:
        uid, amount = payment.merchant_uid, payment.amount.total
        outcome = await self._gateway.prepare(uid, amount)
        if not isinstance(outcome, Approved):
            if isinstance(outcome, NotAttempted):
                await self._unusable(payment, f"prepare not attempted: {outcome.reason}")
                raise GatewayUnavailable("iamport could not be reached; please try again")
            check = await self._gateway.get_prepared(uid)
            if not (isinstance(check, Approved) and check.value.amount == amount):
                answered = not isinstance(check, Unknown | NotAttempted)
                if isinstance(outcome, Rejected) and answered:
                    await self._unusable(payment, f"prepare rejected: {outcome.message}")
                    raise GatewayRejected(f"iamport refused the checkout: {outcome.message}")
                await self._unusable(payment, "prepare unanswered")
                raise GatewayUnavailable("iamport did not answer; please try again")
        return CheckoutResult(order.id, payment.id, uid, self._params(order, payment, channel))

    async def _unusable(self, payment: Payment, reason: str) -> None:
        """Its merchant_uid was never handed to the browser: nothing can be paid under it."""
        at = self._clock.now()
        await prove_unpaid(self._uow, self._settlement, at, payment, "checkout", reason)

    def _params(self, order: Order, payment: Payment, channel: Channel) -> RequestPayParams:
        method = str(payment.pay_method)  # this attempt's method
        vbank_due = None
        if method == PayMethod.VBANK:
            due = (self._clock.now() + self._settings.vbank_due).astimezone(SEOUL)
            vbank_due = due.strftime("%Y%m%d%H%M")
        return RequestPayParams(
            pg=channel.pg,
            pay_method=method,
            merchant_uid=payment.merchant_uid,
            name=order.name,
            amount=payment.amount.total,
            tax_free=payment.amount.tax_free,
            buyer_name=order.buyer.name,
            buyer_tel=order.buyer.tel,
            buyer_email=order.buyer.email,
            notice_url=self._settings.notice_url,
            m_redirect_url=self._settings.return_url,
            vbank_due=vbank_due,
            digital=True if method == PayMethod.PHONE else None,
        )


class CreateCheckout(_Checkout):
    async def execute(self, command: CreateCheckoutCommand) -> CheckoutResult:
        method = _pay_method(command.pay_method)
        if not command.name.strip():
            raise InvalidValue("name", "must not be empty")
        amount = Amount(command.amount, command.tax_free)
        route = await self._route(method)
        now = self._clock.now()
        order = Order.place(
            self._ids.new_id(),
            now,
            user_seq=command.user_seq,
            type=OrderType.ONE_TIME,
            content_type_code=command.content_type_code,
            content_seq=command.content_seq,
            name=command.name.strip(),
            amount=amount,
            pay_method=method,
            buyer=Buyer(name=command.buyer_name, tel=command.buyer_tel, email=command.buyer_email),
        )
        payment = self._attempt(order, route, now)
        async with self._uow() as uow:
            await uow.orders.add(order)
            await uow.payments.add(payment)
            await uow.commit()
        return await self._prepare(order, payment, route.channel)


@dataclass(frozen=True, slots=True)
class RetryCheckoutCommand:
    order_id: int
    user_seq: int
    pay_method: str | None = None  # card | trans | vbank | phone; None keeps the order's method


class RetryCheckout(_Checkout):
    """A new attempt (new merchant_uid) for an unpaid one-time order — only when every earlier
    attempt is known unpaid. A REQUESTED attempt is first asked about at iamport: a try under
    its merchant_uid settles it; none at all proves the window was never paid. The new attempt
    may use another method (e.g. 계좌이체 after an abandoned card window): it goes to the best
    channel for that method and the order records it as its latest attempt's method."""

    def __init__(self, *args: Any, sync: PaymentSync, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sync = sync

    async def execute(self, command: RetryCheckoutCommand) -> CheckoutResult:
        method = _pay_method(command.pay_method) if command.pay_method is not None else None
        async with self._uow() as uow:
            order = await uow.orders.get(command.order_id)
            payments = await uow.payments.for_order(command.order_id)
        if order is None or order.user_seq != command.user_seq:
            raise NotFoundError("order not found")
        if order.type is not OrderType.ONE_TIME:
            raise ConflictError("only one-time orders are paid again through the window")
        for payment in payments:
            if payment.status is PaymentStatus.REQUESTED:
                await self._confirm(payment)

        route = await self._route(str(method or order.pay_method))
        async with self._uow() as uow:
            order = await uow.orders.get(command.order_id, for_update=True)
            assert order is not None
            for payment in await uow.payments.for_order(order.id):
                if not payment.known_unpaid:
                    raise ConflictError(
                        f"attempt {payment.merchant_uid} is {payment.status.name} and not known "
                        "to be unpaid; it must settle before a new attempt"
                    )
            now = self._clock.now()
            payment = self._attempt(order, route, now, method)
            await uow.orders.save(order)
            await uow.payments.add(payment)
            await uow.commit()
        return await self._prepare(order, payment, route.channel)

    async def _confirm(self, payment: Payment) -> None:
        confirmed = await self._sync.confirm(payment, user_cause(payment.user_seq))
        if not confirmed.answered:
            raise GatewayUnavailable("iamport did not answer about the previous attempt")
        if confirmed.synced is None and payment.unknown is None:
            # a window payment nobody paid under
            await self._unusable(payment, "결제창 미결제: iamport에 결제 시도 없음")


def _pay_method(value: str) -> PayMethod:
    try:
        return PayMethod(value)
    except ValueError:
        raise InvalidValue("pay_method", "must be card, trans, vbank or phone") from None

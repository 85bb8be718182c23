"""Refunds (spec §4.5): through iamport, or recorded after the operator's own bank transfer.

One cancellation in flight per payment: the payment row is locked while its cancellations are
checked and the new one is added (another request gets RefundInProgress, 409). Every request
sends iamport's `checksum` — iamport's refundable balance: ours plus the manual bank refunds it
never saw — so a refund whose answer was lost can never be repeated against a balance that
already moved.
"""

import logging
from dataclasses import dataclass

from application.channels import ChannelDirectory, NoChannel
from application.errors import GatewayRejected, GatewayUnavailable, NotFoundError, RefundInProgress
from application.gateway import (
    CancelRequest,
    Declined,
    IamportGateway,
    NotAttempted,
    Rejected,
)
from application.ports import Clock, IdGenerator, UnitOfWork, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.settlement import Settlement
from application.use_cases.actor import Actor, require_owner
from domain.cancellation import (
    Cancellation,
    RefundAccount,
    manually_refunded,
)
from domain.order import Order
from domain.payment import Payment
from domain.refund_policy import (
    ChannelRefundTerms,
    RefundPlan,
    check_manual_refund,
    refund_vat,
    unconfigured_terms,
)

log = logging.getLogger("dolgo_pay.refunds")


@dataclass(frozen=True, slots=True)
class RequestRefundCommand:
    actor: Actor  # a sponsor (own payment, business window) or an operator (admin route)
    payment_id: int
    reason: str
    amount: int | None = None  # None: the whole refundable balance
    refund_account: RefundAccount | None = None  # vbank only


@dataclass(frozen=True, slots=True)
class RefundResult:
    cancellation: Cancellation  # SUCCEEDED, or UNKNOWN (the janitor asks iamport)
    payment: Payment

    @property
    def pending(self) -> bool:
        return self.cancellation.in_flight


class RequestRefund:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        ids: IdGenerator,
        settings: PaymentSettings,
        settlement: Settlement,
        channels: ChannelDirectory,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._ids = ids
        self._settings = settings
        self._settlement = settlement
        self._channels = channels

    async def execute(self, command: RequestRefundCommand) -> RefundResult:
        actor = command.actor
        account = command.refund_account
        async with self._uow() as uow:
            _, payment = await _locked_payment(uow, command.payment_id, actor)
            others = await _refuse_if_in_flight(uow, payment.id)
            now = self._clock.now()
            plan = self._settings.refund_policy.plan(
                payment,
                command.amount,
                now,
                by_operator=actor.operator,
                manually_refunded=manually_refunded(others),
                has_refund_account=account is not None,
                refund_bank=account.bank_code if account else None,
                terms=refund_terms_of(self._channels, payment.channel),
            )
            cancellation = payment.cancellation(
                self._ids.new_id(),
                amount=plan.amount,
                tax_free=plan.tax_free,
                vat_amount=plan.vat_amount,
                checksum=plan.checksum,
                reason=command.reason,
                requested_by=actor.cause,
                at=now,
                next_check_at=self._settlement.first_check_at(now),
                account=account,
            )
            await uow.cancellations.add(cancellation)
            await uow.commit()
        assert payment.imp_uid is not None  # a paid payment carries iamport's imp_uid
        log.info(
            "payment %s: refund %s of %s KRW (checksum %s) sent",
            payment.id,
            cancellation.id,
            plan.amount,
            plan.checksum,
        )

        outcome = await self._gateway.cancel(_cancel_request(payment.imp_uid, plan, command))

        now = self._clock.now()
        async with self._uow() as uow:
            # Lock order: order, payment, cancellation (as every writer of these rows does).
            order = await uow.orders.get(payment.order_id, for_update=True)
            payment = await uow.payments.get(payment.id, for_update=True)
            cancellation = await uow.cancellations.get(cancellation.id, for_update=True)
            assert payment is not None and order is not None and cancellation is not None
            others = await uow.cancellations.for_payment(payment.id)
            settled = self._settlement.apply_cancel(
                order, payment, cancellation, outcome, now, actor.cause, others
            )
            if settled.needs_operator:
                log.warning("payment %s: %s", payment.id, settled.needs_operator)
            await uow.payments.save(payment)
            await uow.orders.save(order)
            for changed in {c.id: c for c in (cancellation, *settled.cancellations)}.values():
                await uow.cancellations.save(changed)
            await uow.commit()

        match outcome:
            case Rejected(message=message) | Declined(reason=message):
                raise GatewayRejected(message)
            case NotAttempted():
                raise GatewayUnavailable("iamport could not be reached; nothing was refunded")
        return RefundResult(cancellation, payment)


def refund_terms_of(channels: ChannelDirectory, channel: str) -> ChannelRefundTerms:
    """The refund terms of the channel that took the payment (fail closed for a channel no
    longer configured)."""
    try:
        return channels.named(channel).refund_terms()
    except NoChannel:
        return unconfigured_terms(channel)


def _cancel_request(imp_uid: str, plan: RefundPlan, command: RequestRefundCommand) -> CancelRequest:
    account = command.refund_account
    return CancelRequest(
        imp_uid=imp_uid,
        amount=plan.amount,
        checksum=plan.checksum,
        reason=command.reason,
        tax_free=plan.tax_free if plan.send_tax_free else None,
        vat_amount=plan.vat_amount if plan.send_tax_free else None,
        refund_holder=account.holder if account else None,
        refund_bank=account.bank_code if account else None,
        refund_account=account.number if account else None,
        refund_tel=account.tel if account else None,
    )


async def _locked_payment(uow: UnitOfWork, payment_id: int, actor: Actor) -> tuple[Order, Payment]:
    """The payment and its order, locked in the one order every writer takes them."""
    seen = await uow.payments.get(payment_id)
    if seen is None:
        raise NotFoundError("payment not found")
    require_owner(actor, seen.user_seq, "payment")
    order = await uow.orders.get(seen.order_id, for_update=True)
    payment = await uow.payments.get(payment_id, for_update=True)
    assert order is not None and payment is not None
    return order, payment


async def _refuse_if_in_flight(uow: UnitOfWork, payment_id: int) -> list[Cancellation]:
    """The payment's cancellations, none of them in flight."""
    existing = await uow.cancellations.for_payment(payment_id)
    for c in existing:
        if c.in_flight:
            raise RefundInProgress(
                f"refund {c.id} of this payment is still in flight; try again later"
            )
    return existing


# -- manual bank refund ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RecordManualRefundCommand:
    operator: Actor
    payment_id: int
    amount: int
    reason: str
    tax_free: int | None = None  # None: the proportional share (the last refund takes the rest)
    refund_account: RefundAccount | None = None  # where the operator sent it (masked when kept)


class RecordManualRefund:
    """An operator refunded by their own bank transfer (e.g. past the PG window): record it."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, ids: IdGenerator, settings: PaymentSettings
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._ids = ids
        self._settings = settings

    async def execute(self, command: RecordManualRefundCommand) -> RefundResult:
        operator = command.operator
        if not operator.operator:
            raise NotFoundError("payment not found")  # an admin route only
        account = command.refund_account
        async with self._uow() as uow:
            order, payment = await _locked_payment(uow, command.payment_id, operator)
            await _refuse_if_in_flight(uow, payment.id)
            check_manual_refund(payment, command.amount)
            tax_free = command.tax_free
            if tax_free is None:
                tax_free = self._settings.refund_policy.tax_free_part(payment, command.amount)
            now = self._clock.now()
            cancellation = payment.cancellation(
                self._ids.new_id(),
                amount=command.amount,
                tax_free=tax_free,
                vat_amount=refund_vat(payment, command.amount, tax_free),
                checksum=payment.refundable,
                reason=command.reason,
                requested_by=operator.cause,
                at=now,
                account=account,
                manual=True,
            )
            cancellation.succeeded(now, operator.cause, None, {"manual_bank": True})
            payment.record_refund(
                command.amount,
                tax_free,
                now,
                operator.cause,
                command.reason,
                {"manual_bank": True, "cancellation": cancellation.id},
            )
            await uow.cancellations.add(cancellation)
            await uow.payments.save(payment)
            data = {"payment_id": payment.id}
            order.attempt_refunded(payment, now, operator.cause, data, duplicate=False)
            await uow.orders.save(order)
            await uow.commit()
        return RefundResult(cancellation, payment)

"""What a refund would do before it is sent: the amount, its tax split, or the rule that would
refuse it (the operator console shows this next to the refund form).

It runs the very checks of RequestRefund and RecordManualRefund on the payment as it is now;
the refund itself checks again under the payment's lock.
"""

from dataclasses import dataclass

from application.channels import ChannelDirectory
from application.errors import NotFoundError
from application.ports import Clock, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.actor import Actor
from application.use_cases.refund import refund_terms_of
from domain.cancellation import manually_refunded
from domain.errors import RefundRefused
from domain.refund_policy import check_manual_refund, refund_vat


@dataclass(frozen=True, slots=True)
class RefundCheckQuery:
    operator: Actor
    payment_id: int
    amount: int | None = None  # None: the whole refundable balance
    manual: bool = False  # a manual bank refund instead of one through iamport
    refund_bank: str | None = None  # vbank: the bank code of the refund account to be given


@dataclass(frozen=True, slots=True)
class RefundCheck:
    refundable: int
    amount: int
    allowed: bool
    tax_free: int | None = None
    vat_amount: int | None = None
    rule: str | None = None  # the rule that refuses it
    message: str | None = None
    needs_refund_account: bool = False
    refund_banks: tuple[str, ...] = ()  # the codes the PG takes (vbank)


class CheckRefund:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        settings: PaymentSettings,
        channels: ChannelDirectory,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings
        self._channels = channels

    async def execute(self, query: RefundCheckQuery) -> RefundCheck:
        if not query.operator.operator:
            raise NotFoundError("payment not found")  # an admin route only
        async with self._uow() as uow:
            payment = await uow.payments.get(query.payment_id)
            if payment is None:
                raise NotFoundError("payment not found")
            cancellations = await uow.cancellations.for_payment(payment.id)
        policy = self._settings.refund_policy
        refundable = payment.refundable if payment.is_paid else 0
        amount = refundable if query.amount is None else query.amount
        try:
            rule = policy.rule_for(payment.pay_method, payment.pg_provider)
            needs_account = rule.needs_refund_account and not query.manual
        except RefundRefused:
            needs_account = False
        terms = refund_terms_of(self._channels, payment.channel)
        banks = tuple(sorted(terms.vbank_refund_banks))
        found = RefundCheck(
            refundable,
            amount,
            allowed=False,
            needs_refund_account=needs_account,
            refund_banks=banks if needs_account else (),
        )
        in_flight = next((c for c in cancellations if c.in_flight), None)
        if in_flight is not None:
            return _refused(found, "in_flight", f"refund {in_flight.id} is still in flight")
        try:
            if query.manual:
                check_manual_refund(payment, amount)
                tax_free = policy.tax_free_part(payment, amount)
                vat = refund_vat(payment, amount, tax_free)
            else:
                plan = policy.plan(
                    payment,
                    amount,
                    self._clock.now(),
                    by_operator=True,
                    manually_refunded=manually_refunded(cancellations),
                    has_refund_account=query.refund_bank is not None,
                    refund_bank=query.refund_bank,
                    terms=terms,
                )
                tax_free, vat = plan.tax_free, plan.vat_amount
        except RefundRefused as refused:
            return _refused(found, refused.rule, str(refused))
        return RefundCheck(
            refundable,
            amount,
            allowed=True,
            tax_free=tax_free,
            vat_amount=vat,
            needs_refund_account=found.needs_refund_account,
            refund_banks=found.refund_banks,
        )


def _refused(found: RefundCheck, rule: str, message: str) -> RefundCheck:
    return RefundCheck(
        found.refundable,
        found.amount,
        allowed=False,
        rule=rule,
        message=message,
        needs_refund_account=found.needs_refund_account,
        refund_banks=found.refund_banks,
    )

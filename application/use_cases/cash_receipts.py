"""현금영수증 (cash receipts) of 계좌이체 / 가상계좌 payments: issue, cancel with the full refund,
resolve what iamport did not answer.

Like every gateway call here, a receipt is recorded (ISSUING, or CANCELLING) and committed
before iamport is asked, with its first check time already set: a lost answer (timeout, 5xx,
a crash) leaves a row the janitor re-asks iamport about (`GET /receipts/{imp_uid}`) and settles
from iamport's record, never by guess. The identifier lives only in the command's
ReceiptIdentifier; iamport's messages are scrubbed of it before anything keeps them.
"""

import logging
from dataclasses import dataclass, field

from application.errors import ConflictError, NotFoundError
from application.gateway import (
    Approved,
    GatewayReceipt,
    IamportGateway,
    NotAttempted,
    NotFound,
    ReceiptOutcome,
    ReceiptRequest,
    Rejected,
)
from application.ports import Clock, IdGenerator, UnitOfWorkFactory
from application.settings import PaymentSettings
from application.use_cases.actor import Actor, require_owner
from domain.cash_receipt import CashReceipt, ReceiptIdentifier, receipt_refusal
from domain.payment import Payment
from domain.status import CashReceiptStatus

log = logging.getLogger("dolgo_pay.receipts")

JANITOR = "janitor"


@dataclass(frozen=True, slots=True)
class RequestCashReceiptCommand:
    actor: Actor  # the sponsor (own payments only), or an operator (any; re-issue)
    payment_id: int
    identifier: ReceiptIdentifier  # repr shows only the masked form


@dataclass(frozen=True, slots=True)
class ListCashReceiptsQuery:
    actor: Actor
    payment_id: int


async def _visible_payment(uow, actor: Actor, payment_id: int) -> Payment:  # noqa: ANN001
    payment = await uow.payments.get(payment_id)
    if payment is None:
        raise NotFoundError("payment not found")
    require_owner(actor, payment.user_seq, "payment")
    return payment


class ListCashReceipts:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, query: ListCashReceiptsQuery) -> list[CashReceipt]:
        async with self._uow() as uow:
            await _visible_payment(uow, query.actor, query.payment_id)
            return await uow.receipts.for_payment(query.payment_id)


class RequestCashReceipt:
    """Issue a receipt for a paid trans / vbank payment that has none (issued or on its way).
    The same use case re-issues for an operator after a failed or cancelled one."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        ids: IdGenerator,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._ids = ids
        self._settings = settings

    async def execute(self, command: RequestCashReceiptCommand) -> CashReceipt:
        cause = command.actor.cause
        async with self._uow() as uow:
            payment = await _visible_payment(uow, command.actor, command.payment_id)
            locked = await uow.payments.get(payment.id, for_update=True)  # one request at a time
            assert locked is not None
            if (refusal := receipt_refusal(locked)) is not None:
                raise ConflictError(refusal)
            if any(r.active for r in await uow.receipts.for_payment(locked.id)):
                raise ConflictError("this payment has a cash receipt already (or one on its way)")
            now = self._clock.now()
            receipt = CashReceipt(
                id=self._ids.new_id(),
                payment_id=locked.id,
                imp_uid=locked.imp_uid or "",
                kind=command.identifier.kind,
                identifier_masked=command.identifier.masked,
                requested_by=cause,
                requested_at=now,
                next_check_at=now + self._settings.next_check_after(0),
            )
            await uow.receipts.add(receipt)
            await uow.commit()
        log.info("cash receipt %s for %s by %s", receipt.id, receipt.imp_uid, cause)

        outcome = await self._gateway.issue_receipt(
            ReceiptRequest(
                imp_uid=receipt.imp_uid,
                identifier=command.identifier.digits,
                identifier_type=command.identifier.kind.identifier_type,
                type=command.identifier.kind.iamport_type,
                tax_free=locked.refundable_tax_free,  # the receipt is of the balance
            )
        )
        async with self._uow() as uow:
            current = await uow.receipts.get(receipt.id, for_update=True)
            assert current is not None
            _apply_issue(current, outcome, self._clock.now(), cause, command.identifier)
            if current.status is CashReceiptStatus.ISSUING:
                current.still_unknown(self._clock.now() + self._settings.next_check_after(0))
            await uow.receipts.save(current)
            await uow.commit()
        return current


def _apply_issue(
    receipt: CashReceipt,
    outcome: ReceiptOutcome,
    at,  # noqa: ANN001
    cause: str,
    identifier: ReceiptIdentifier | None = None,
) -> None:
    """iamport's answer to an issue: issued, refused, never sent; anything else stays unknown."""
    match outcome:
        case Approved(value=GatewayReceipt() as record):
            _issued(receipt, record, at, cause)
        case Rejected(message=message) | NotAttempted(reason=message):
            receipt.issue_failed(at, cause, identifier.scrub(message) if identifier else message)


def _issued(receipt: CashReceipt, record: GatewayReceipt, at, cause: str) -> None:  # noqa: ANN001
    receipt.issued(
        at,
        cause,
        amount=record.amount,
        vat=record.vat,
        apply_num=record.apply_num,
        receipt_url=record.receipt_url,
        data={"apply_num": record.apply_num, "amount": record.amount, "type": record.type},
    )


@dataclass(frozen=True, slots=True)
class ReceiptResolution:
    id: int
    imp_uid: str
    outcome: str  # issued | failed | cancelled | cancel_refused | still_unknown | ...


@dataclass(frozen=True, slots=True)
class ReceiptJanitorResult:
    resolutions: list[ReceiptResolution] = field(default_factory=list)


class CashReceiptJanitor:
    """The `resolve-unknown` job's part for receipts: cancel the issued receipt of every fully
    refunded payment (whatever refunded it: us, iamport's console seen by reconcile), and settle
    issues and cancels whose answer was lost from iamport's record."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateway: IamportGateway,
        clock: Clock,
        settings: PaymentSettings,
    ) -> None:
        self._uow = uow
        self._gateway = gateway
        self._clock = clock
        self._settings = settings

    async def execute(self, limit: int = 100) -> ReceiptJanitorResult:
        done: list[ReceiptResolution] = []
        async with self._uow() as uow:
            refunded = await uow.receipts.to_cancel(limit)
            due = await uow.receipts.unresolved(self._clock.now(), limit)
        for receipt in refunded:
            done.append(await self._cancel(receipt.id))
        for receipt in due:
            done.append(await self._resolve(receipt.id))
        return ReceiptJanitorResult(done)

    async def _cancel(self, receipt_id: int) -> ReceiptResolution:
        async with self._uow() as uow:
            receipt = await uow.receipts.get(receipt_id, for_update=True)
            assert receipt is not None
            if receipt.status is not CashReceiptStatus.ISSUED:  # another instance took it
                return ReceiptResolution(receipt.id, receipt.imp_uid, "skipped")
            now = self._clock.now()
            receipt.cancel_requested(now, now + self._settings.next_check_after(0), JANITOR)
            await uow.receipts.save(receipt)
            await uow.commit()
        outcome = await self._gateway.cancel_receipt(receipt.imp_uid)
        async with self._uow() as uow:
            receipt = await uow.receipts.get(receipt_id, for_update=True)
            assert receipt is not None
            result = "still_unknown"
            if receipt.status is CashReceiptStatus.CANCELLING:
                now = self._clock.now()
                match outcome:
                    case Approved():
                        receipt.cancelled(now, JANITOR)
                        result = "cancelled"
                    case Rejected(message=message) | NotAttempted(reason=message):
                        receipt.cancel_rejected(now, JANITOR, message, retry=False)
                        result = "cancel_refused"
                    case _:
                        receipt.still_unknown(now + self._settings.next_check_after(0))
                await uow.receipts.save(receipt)
                await uow.commit()
        log.info("cash receipt %s of %s: %s", receipt.id, receipt.imp_uid, result)
        return ReceiptResolution(receipt.id, receipt.imp_uid, result)

    async def _resolve(self, receipt_id: int) -> ReceiptResolution:
        async with self._uow() as uow:
            receipt = await uow.receipts.get(receipt_id)
        assert receipt is not None
        found = await self._gateway.get_receipt(receipt.imp_uid)
        async with self._uow() as uow:
            receipt = await uow.receipts.get(receipt_id, for_update=True)
            assert receipt is not None
            now = self._clock.now()
            result = _settle_from_record(receipt, found, now)
            if result == "still_unknown":
                receipt.still_unknown(now + self._settings.next_check_after(receipt.checks + 1))
            await uow.receipts.save(receipt)
            await uow.commit()
        log.info("cash receipt %s of %s: %s", receipt.id, receipt.imp_uid, result)
        return ReceiptResolution(receipt.id, receipt.imp_uid, result)


def _settle_from_record(receipt: CashReceipt, found, at) -> str:  # noqa: ANN001
    """What iamport's record proves about an in-flight receipt (checked after the call's
    deadline, so a missing receipt was never issued)."""
    issuing = receipt.status is CashReceiptStatus.ISSUING
    match found:
        case Approved(value=GatewayReceipt() as record):
            if issuing:
                _issued(receipt, record, at, JANITOR)
                if record.cancelled_at is None:
                    return "issued"
                receipt.cancel_requested(at, at, JANITOR)
            if record.cancelled_at is not None:
                receipt.cancelled(at, JANITOR)
                return "cancelled"
            receipt.cancel_rejected(
                at, JANITOR, "iamport shows the receipt still issued", retry=True
            )
            return "cancel_not_applied"  # the next run sends the cancel again
        case NotFound() if issuing:
            receipt.issue_failed(at, JANITOR, "iamport holds no receipt for this payment")
            return "failed"
    return "still_unknown"

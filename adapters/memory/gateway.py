"""A fake iamport gateway: an in-memory iamport that tests can script call by call.

Unscripted calls behave like iamport: payments, prepared amounts, billing keys and cancels
live in memory. `script(operation, outcome, apply=...)` makes the next call of `operation`
return `outcome`; with `apply=True` the call's real effect happens first (e.g. "charged, then
timed out": the charge exists at iamport, the answer is Unknown).
"""

import itertools
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from application.gateway import (
    AgainRequest,
    Approved,
    BillingKeyInfo,
    BillingKeyRequest,
    CancelRequest,
    ChargeOutcome,
    Declined,
    GatewayCancel,
    GatewayPayment,
    GatewayReceipt,
    IamportStatus,
    KeyLookup,
    KeyOutcome,
    ListOutcome,
    NotFound,
    OnetimeRequest,
    PaymentLookup,
    Pending,
    PreparedAmount,
    PrepareOutcome,
    ReceiptLookup,
    ReceiptOutcome,
    ReceiptRequest,
    Rejected,
)

INVALID_CARD = "유효하지않은 카드번호를 입력하셨습니다."
UNKNOWN_CUSTOMER = "등록되지 않은 구매자입니다."


def outage(pg_provider: str | None) -> str:
    return f"[{pg_provider}] PG사 통신 장애로 요청을 처리하지 못했습니다."


@dataclass
class _Scripted:
    outcome: object
    apply: bool


def lookup_outcome(payment: GatewayPayment) -> PaymentLookup:
    """How a lookup answers for a payment in each iamport status."""
    if payment.status is IamportStatus.FAILED:
        return Declined(payment.fail_reason or "failed", payment)
    if payment.status is IamportStatus.READY:
        return Pending(payment)
    return Approved(payment)


class FakeGateway:
    def __init__(self, clock: Callable[[], datetime] | None = None, pg_provider: str = "nice"):
        self._clock = clock or (lambda: datetime.now(UTC))
        self.pg_provider = pg_provider
        self.payments: dict[str, GatewayPayment] = {}
        self.prepared: dict[str, int] = {}
        self.keys: dict[str, BillingKeyInfo] = {}
        self.declining: dict[str, str] = {}  # customer_uid -> decline reason
        self.declining_cards: dict[str, str] = {}  # card digits -> decline reason (key-in)
        self.receipts: dict[str, GatewayReceipt] = {}  # imp_uid -> its 현금영수증
        self.invalid_cards: set[str] = {"4000000000000010"}
        self.down: set[str] = set()  # pg_providers in an outage: they reject before approval
        self.calls: list[tuple[str, object]] = []
        self._scripts: dict[str, deque[_Scripted]] = defaultdict(deque)
        self._imp = itertools.count(100000000001)
        self._cancel_ids = itertools.count(1)

    # -- scripting -------------------------------------------------------------------------------
    def script(self, operation: str, outcome: object, *, apply: bool = False) -> None:
        self._scripts[operation].append(_Scripted(outcome, apply))

    def calls_of(self, operation: str) -> list[object]:
        return [arg for op, arg in self.calls if op == operation]

    def _next(self, operation: str, arg: object) -> _Scripted | None:
        self.calls.append((operation, arg))
        queue = self._scripts.get(operation)
        return queue.popleft() if queue else None

    async def _run(self, operation: str, arg: object, real: Callable[[], object]) -> object:
        scripted = self._next(operation, arg)
        if scripted is None:
            return real()
        if scripted.apply:
            real()
        return scripted.outcome

    # -- planting iamport's side of the PG window -------------------------------------------------
    def new_imp_uid(self) -> str:
        return f"imp_{next(self._imp)}"

    def plant_payment(self, merchant_uid: str, amount: int, **fields: object) -> GatewayPayment:
        """A payment made at iamport (e.g. through the PG window), paid unless told otherwise."""
        now = self._clock()
        status = IamportStatus(fields.pop("status", "paid"))
        payment = GatewayPayment(
            imp_uid=str(fields.pop("imp_uid", None) or self.new_imp_uid()),
            merchant_uid=merchant_uid,
            status=status,
            amount=amount,
            pay_method=str(fields.pop("pay_method", "card")),
            pg_provider=str(fields.pop("pg_provider", self.pg_provider)),
            channel=str(fields.pop("channel", "pc")),
            started_at=now,
            paid_at=now if status is IamportStatus.PAID else None,
            failed_at=now if status is IamportStatus.FAILED else None,
            **fields,  # type: ignore[arg-type]
        )
        self.payments[payment.imp_uid] = payment
        return payment

    def update_payment(self, imp_uid: str, **fields: object) -> GatewayPayment:
        payment = replace(self.payments[imp_uid], **fields)  # type: ignore[arg-type]
        self.payments[imp_uid] = payment
        return payment

    # -- prepare ------------------------------------------------------------------------------------
    async def prepare(self, merchant_uid: str, amount: int) -> PrepareOutcome:
        def real() -> PrepareOutcome:
            if merchant_uid in self.prepared:
                return Rejected(
                    "결제정보 사전등록에 실패하였습니다(이미 등록된 merchant_uid입니다).", 1
                )
            self.prepared[merchant_uid] = amount
            return Approved(PreparedAmount(merchant_uid, amount))

        return await self._run("prepare", (merchant_uid, amount), real)  # type: ignore[return-value]

    async def get_prepared(self, merchant_uid: str) -> PrepareOutcome:
        def real() -> PrepareOutcome:
            if merchant_uid not in self.prepared:
                return NotFound()
            return Approved(PreparedAmount(merchant_uid, self.prepared[merchant_uid]))

        return await self._run("get_prepared", merchant_uid, real)  # type: ignore[return-value]

    async def update_prepared(self, merchant_uid: str, amount: int) -> PrepareOutcome:
        def real() -> PrepareOutcome:
            if merchant_uid not in self.prepared:
                return NotFound()
            self.prepared[merchant_uid] = amount
            return Approved(PreparedAmount(merchant_uid, amount))

        return await self._run("update_prepared", (merchant_uid, amount), real)  # type: ignore[return-value]

    # -- lookups ------------------------------------------------------------------------------------
    async def get_payment(self, imp_uid: str) -> PaymentLookup:
        def real() -> PaymentLookup:
            payment = self.payments.get(imp_uid)
            if payment is None or payment.sandbox:
                return NotFound("존재하지 않는 결제정보입니다.")
            return lookup_outcome(payment)

        return await self._run("get_payment", imp_uid, real)  # type: ignore[return-value]

    def _by_merchant_uid(self, merchant_uid: str) -> list[GatewayPayment]:
        found = [p for p in self.payments.values() if p.merchant_uid == merchant_uid]
        return sorted(
            found, key=lambda p: p.started_at or datetime.min.replace(tzinfo=UTC), reverse=True
        )

    async def find_payment(self, merchant_uid: str, *, paid_only: bool = False) -> PaymentLookup:
        def real() -> PaymentLookup:
            found = self._by_merchant_uid(merchant_uid)
            if paid_only:
                found = [p for p in found if p.status is IamportStatus.PAID]
            return lookup_outcome(found[0]) if found else NotFound()

        return await self._run("find_payment", (merchant_uid, paid_only), real)  # type: ignore[return-value]

    async def find_all_payments(self, merchant_uid: str) -> ListOutcome:
        def real() -> ListOutcome:
            found = self._by_merchant_uid(merchant_uid)
            return Approved(found) if found else NotFound()

        return await self._run("find_all_payments", merchant_uid, real)  # type: ignore[return-value]

    async def get_payments(self, imp_uids: Sequence[str]) -> ListOutcome:
        def real() -> ListOutcome:
            found = [self.payments[i] for i in imp_uids if i in self.payments]
            return Approved(found) if found else NotFound()

        return await self._run("get_payments", tuple(imp_uids), real)  # type: ignore[return-value]

    async def list_payments(self, status: str, since: datetime, until: datetime) -> ListOutcome:
        def real() -> ListOutcome:
            def when(p: GatewayPayment) -> datetime | None:
                return (
                    {
                        IamportStatus.READY: p.started_at,
                        IamportStatus.PAID: p.paid_at,
                        IamportStatus.CANCELLED: p.cancelled_at,
                        IamportStatus.FAILED: p.failed_at,
                    }[p.status]
                    if status != "all"
                    else (p.started_at)
                )

            found = [
                p
                for p in self.payments.values()
                if (status == "all" or p.status == status)
                and (t := when(p)) is not None
                and since <= t < until
            ]
            return Approved(found)

        return await self._run("list_payments", (status, since, until), real)  # type: ignore[return-value]

    # -- cancel -------------------------------------------------------------------------------------
    async def cancel(self, request: CancelRequest) -> ChargeOutcome:
        def real() -> ChargeOutcome:
            payment = self.payments.get(request.imp_uid)
            if payment is None:
                return Rejected("취소할 결제건이 존재하지 않습니다.", 1)
            if payment.status is IamportStatus.CANCELLED:
                return Rejected("이미 전액취소된 주문입니다.", 1)
            balance = payment.amount - payment.cancel_amount
            if request.checksum != balance:
                return Rejected("취소요청금액 검증에 실패하였습니다(checksum 불일치).", 1)
            amount = request.amount or balance
            if amount > balance:
                return Rejected("취소가능금액을 초과하였습니다.", 1)
            now = self._clock()
            cancel = GatewayCancel(
                amount=amount,
                cancelled_at=now,
                reason=request.reason,
                cancellation_id=f"cxl_{next(self._cancel_ids)}",
            )
            full = amount == balance
            updated = replace(
                payment,
                cancel_amount=payment.cancel_amount + amount,
                status=IamportStatus.CANCELLED if full else payment.status,
                cancelled_at=now if full else payment.cancelled_at,
                cancel_reason=request.reason,
                cancel_history=(*payment.cancel_history, cancel),
            )
            self.payments[payment.imp_uid] = updated
            return Approved(updated)

        return await self._run("cancel", request, real)  # type: ignore[return-value]

    async def close_vbank(self, imp_uid: str) -> ChargeOutcome:
        def real() -> ChargeOutcome:
            payment = self.payments.get(imp_uid)
            if payment is None or payment.status is not IamportStatus.READY:
                return Rejected("취소할 가상계좌가 없습니다.", 1)
            closed = replace(payment, status=IamportStatus.CANCELLED, cancelled_at=self._clock())
            self.payments[imp_uid] = closed
            return Approved(closed)

        return await self._run("close_vbank", imp_uid, real)  # type: ignore[return-value]

    # -- billing keys -----------------------------------------------------------------------------
    async def issue_billing_key(self, request: BillingKeyRequest) -> KeyOutcome:
        def real() -> KeyOutcome:
            if request.pg.split(".")[0] in self.down:
                return Rejected(outage(request.pg.split(".")[0]), -1)
            if request.card.digits in self.invalid_cards:
                return Rejected(INVALID_CARD, -1)
            digits = request.card.digits
            info = BillingKeyInfo(
                customer_uid=request.customer_uid,
                pg_provider=request.pg.split(".")[0],
                card_name="신한카드",
                card_code="366",
                card_number=f"{digits[:4]}-{digits[4:6]}**-****-{digits[-4:]}",
                card_type=0,
                inserted=self._clock(),
            )
            self.keys[request.customer_uid] = info
            return Approved(info)

        return await self._run("issue_billing_key", request, real)  # type: ignore[return-value]

    async def get_billing_key(self, customer_uid: str) -> KeyLookup:
        def real() -> KeyLookup:
            info = self.keys.get(customer_uid)
            return Approved(info) if info else NotFound()

        return await self._run("get_billing_key", customer_uid, real)  # type: ignore[return-value]

    async def delete_billing_key(self, customer_uid: str, reason: str | None = None) -> KeyLookup:
        def real() -> KeyLookup:
            info = self.keys.pop(customer_uid, None)
            return Approved(info) if info else NotFound()

        return await self._run("delete_billing_key", customer_uid, real)  # type: ignore[return-value]

    async def charge_billing_key(self, request: AgainRequest) -> ChargeOutcome:
        def real() -> ChargeOutcome:
            info = self.keys.get(request.customer_uid)
            if info is None:
                return Rejected(UNKNOWN_CUSTOMER, 1)
            if info.pg_provider in self.down:
                return Rejected(outage(info.pg_provider), -1)
            reason = self.declining.get(request.customer_uid)
            payment = self.plant_payment(
                request.merchant_uid,
                request.amount,
                status="failed" if reason else "paid",
                fail_reason=reason,
                channel="api",
                pg_provider=info.pg_provider or self.pg_provider,
                card_name=info.card_name,
                card_number=info.card_number,
                customer_uid=request.customer_uid,
                customer_uid_usage="payment",
                name=request.name,
            )
            return Declined(reason, payment) if reason else Approved(payment)

        return await self._run("charge_billing_key", request, real)  # type: ignore[return-value]

    # -- cash receipts (현금영수증) ------------------------------------------------------------------
    async def issue_receipt(self, request: ReceiptRequest) -> ReceiptOutcome:
        def real() -> ReceiptOutcome:
            payment = self.payments.get(request.imp_uid)
            if payment is None or payment.status is not IamportStatus.PAID:
                return Rejected("결제완료(paid) 상태의 결제건이 아닙니다.", -1)
            if payment.pay_method not in ("trans", "vbank"):
                return Rejected("현금성 거래(가상계좌, 계좌이체)가 아닙니다.", -1)
            held = self.receipts.get(request.imp_uid)
            if held is not None and held.cancelled_at is None:
                return Rejected("이미 현금영수증이 발행된 거래건입니다.", -1)
            amount = payment.amount - payment.cancel_amount
            receipt = GatewayReceipt(
                imp_uid=request.imp_uid,
                apply_num=f"{next(self._cancel_ids):09d}",
                type=request.type,
                amount=amount,
                vat=(amount - request.tax_free) // 11,
                receipt_url=f"https://iamport.test/receipt/{request.imp_uid}",
                applied_at=self._clock(),
            )
            self.receipts[request.imp_uid] = receipt
            return Approved(receipt)

        return await self._run("issue_receipt", request, real)  # type: ignore[return-value]

    async def get_receipt(self, imp_uid: str) -> ReceiptLookup:
        def real() -> ReceiptLookup:
            held = self.receipts.get(imp_uid)
            return Approved(held) if held else NotFound("현금영수증 발행된 내역이 없습니다.")

        return await self._run("get_receipt", imp_uid, real)  # type: ignore[return-value]

    async def cancel_receipt(self, imp_uid: str) -> ReceiptOutcome:
        def real() -> ReceiptOutcome:
            held = self.receipts.get(imp_uid)
            if held is None or held.cancelled_at is not None:
                return Rejected("현금영수증이 발급된 적이 없는 거래건입니다.", -1)
            self.receipts[imp_uid] = replace(held, cancelled_at=self._clock())
            return Approved(self.receipts[imp_uid])

        return await self._run("cancel_receipt", imp_uid, real)  # type: ignore[return-value]

    async def charge_onetime(self, request: OnetimeRequest) -> ChargeOutcome:
        """Key-in: a number in `invalid_cards` is refused, one in `declining_cards` declined."""

        def real() -> ChargeOutcome:
            pg = (request.pg or self.pg_provider).split(".")[0]
            if pg in self.down:
                return Rejected(outage(pg), -1)
            digits = request.card.digits
            if digits in self.invalid_cards:
                return Rejected(INVALID_CARD, -1)
            reason = self.declining_cards.get(digits)
            payment = self.plant_payment(
                request.merchant_uid,
                request.amount,
                status="failed" if reason else "paid",
                fail_reason=reason,
                channel="api",
                pg_provider=pg,
                card_name="신한카드",
                card_number=f"{digits[:4]}-{digits[4:6]}**-****-{digits[-4:]}",
                name=request.name,
            )
            return Declined(reason, payment) if reason else Approved(payment)

        return await self._run("charge_onetime", request, real)  # type: ignore[return-value]

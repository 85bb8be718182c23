"""`IamportClient`: the iamport V1 REST client that implements `application.gateway.IamportGateway`.

Every method answers one outcome of the port's closed set and raises only
`GatewayConfigurationError` (bad key pair, wrong base URL) or `ValueError` for a caller bug.
Each call is logged at INFO (operation, target, outcome, latency) and reported to the optional
`observer(operation, outcome, seconds)`; bodies go to DEBUG, redacted (see `redact.py`).
"""

import logging
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from functools import partial
from time import perf_counter
from types import TracebackType
from typing import Any, Self

import httpx

from adapters.iamport import bodies, translate
from adapters.iamport.bodies import OnetimeRequest
from adapters.iamport.translate import Missing, Outcome, Page, Reader
from adapters.iamport.transport import Call, Transport, segment
from application.gateway import (
    AgainRequest,
    Approved,
    BillingKeyRequest,
    CancelRequest,
    ChargeOutcome,
    GatewayConfigurationError,
    GatewayPayment,
    KeyLookup,
    KeyOutcome,
    ListOutcome,
    NotFound,
    PaymentLookup,
    PrepareOutcome,
    ReceiptLookup,
    ReceiptOutcome,
    ReceiptRequest,
    Unknown,
)

log = logging.getLogger("dolgo_pay.iamport")

Observer = Callable[[str, str, float], None]

STATUSES = frozenset({"all", "ready", "paid", "cancelled", "failed"})
MAX_IDS = 100  # GET /payments?imp_uid[]= takes at most 100 ids
WINDOW = timedelta(days=90)  # /payments/status/{status}: from..to may span 90 days at most
MAX_PAGES = 1000


class IamportClient:
    def __init__(
        self,
        base_url: str,
        imp_key: str,
        imp_secret: str,
        *,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        http: httpx.AsyncClient | None = None,
        observer: Observer | None = None,
        include_sandbox: bool = False,
        token_margin: float = 60.0,
        page_size: int = 100,
    ) -> None:
        """`clock` is a monotonic seconds clock (token lifetime only); `include_sandbox` is the
        default for `get_payment` (iamport hides test-channel payments unless asked)."""
        if not base_url.startswith(("http://", "https://")):
            raise GatewayConfigurationError("iamport base URL must start with http:// or https://")
        if not imp_key or not imp_secret:
            raise GatewayConfigurationError("iamport imp_key and imp_secret are required")
        if not 1 <= page_size <= 1000:
            raise ValueError("page_size must be within 1..1000")
        self._observer = observer
        self._include_sandbox = include_sandbox
        self._page_size = page_size
        self._transport = Transport(
            base_url,
            imp_key,
            imp_secret,
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            clock=clock,
            token_margin=token_margin,
            http=http,
            emit=self._emit,
        )

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- prepare ---------------------------------------------------------------------------------
    async def prepare(self, merchant_uid: str, amount: int) -> PrepareOutcome:
        call = Call(
            "prepare", "POST", "/payments/prepare", body=bodies.prepare(merchant_uid, amount)
        )
        return await self._one(call, translate.read_prepared)

    async def get_prepared(self, merchant_uid: str) -> PrepareOutcome:
        call = Call("get_prepared", "GET", f"/payments/prepare/{segment(merchant_uid)}")
        return await self._one(call, translate.read_prepared, Missing.NOT_FOUND)

    async def update_prepared(self, merchant_uid: str, amount: int) -> PrepareOutcome:
        body = bodies.prepare(merchant_uid, amount)
        call = Call("update_prepared", "PUT", "/payments/prepare", body=body)
        return await self._one(call, translate.read_prepared, Missing.NOT_FOUND)

    # -- lookups ---------------------------------------------------------------------------------
    async def get_payment(
        self, imp_uid: str, *, include_sandbox: bool | None = None
    ) -> PaymentLookup:
        sandbox = self._include_sandbox if include_sandbox is None else include_sandbox
        params = {"include_sandbox": "true"} if sandbox else None
        call = Call("get_payment", "GET", f"/payments/{segment(imp_uid)}", params=params)
        return await self._one(call, translate.read_payment_status, Missing.NOT_FOUND)

    async def find_payment(self, merchant_uid: str, *, paid_only: bool = False) -> PaymentLookup:
        path = f"/payments/find/{segment(merchant_uid)}" + ("/paid" if paid_only else "")
        call = Call("find_payment", "GET", path)
        return await self._one(call, translate.read_payment_status, Missing.NOT_FOUND)

    async def find_all_payments(self, merchant_uid: str) -> ListOutcome:
        path = f"/payments/findAll/{segment(merchant_uid)}"
        return await self._observed(
            "find_all_payments", "GET " + path, self._pages("find_all_payments", path, {})
        )

    async def get_payments(self, imp_uids: Sequence[str]) -> ListOutcome:
        """Several payments at once (100 ids per request); ids iamport does not know are left
        out (HTTP 207); NotFound only when it knows none of them."""
        return await self._observed("get_payments", "GET /payments", self._many(list(imp_uids)))

    async def list_payments(self, status: str, since: datetime, until: datetime) -> ListOutcome:
        """Every page of `/payments/status/{status}` with its status time in [since, until),
        split into 90-day windows as iamport requires."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}")
        if since.tzinfo is None or until.tzinfo is None:
            raise ValueError("since and until must be timezone-aware")
        path = f"/payments/status/{status}"
        return await self._observed(
            "list_payments", "GET " + path, self._windows(path, since, until)
        )

    # -- commands --------------------------------------------------------------------------------
    async def cancel(self, request: CancelRequest) -> ChargeOutcome:
        call = Call("cancel", "POST", "/payments/cancel", body=bodies.cancel(request))
        return await self._one(call, translate.read_payment)

    async def close_vbank(self, imp_uid: str) -> ChargeOutcome:
        call = Call("close_vbank", "DELETE", f"/vbanks/{segment(imp_uid)}")
        return await self._one(call, translate.read_payment)

    async def charge_billing_key(self, request: AgainRequest) -> ChargeOutcome:
        call = Call(
            "charge_billing_key", "POST", "/subscribe/payments/again", body=bodies.again(request)
        )
        return await self._one(call, translate.read_payment_status)

    async def charge_onetime(self, request: OnetimeRequest) -> ChargeOutcome:
        secrets = bodies.card_secrets(request.card)
        call = Call(
            "charge_onetime",
            "POST",
            "/subscribe/payments/onetime",
            body=bodies.onetime(request),
            secrets=secrets,
        )
        return await self._one(call, partial(translate.read_payment_status, secrets=secrets))

    # -- cash receipts (현금영수증) ------------------------------------------------------------------
    async def issue_receipt(self, request: ReceiptRequest) -> ReceiptOutcome:
        call = Call(
            "issue_receipt",
            "POST",
            f"/receipts/{segment(request.imp_uid)}",
            body=bodies.receipt(request),
            secrets=bodies.receipt_secrets(request),
        )
        return await self._one(call, translate.read_receipt)

    async def get_receipt(self, imp_uid: str) -> ReceiptLookup:
        call = Call("get_receipt", "GET", f"/receipts/{segment(imp_uid)}")
        return await self._one(call, translate.read_receipt, Missing.NOT_FOUND)

    async def cancel_receipt(self, imp_uid: str) -> ReceiptOutcome:
        call = Call("cancel_receipt", "DELETE", f"/receipts/{segment(imp_uid)}")
        return await self._one(call, translate.read_receipt)

    # -- billing keys ----------------------------------------------------------------------------
    async def issue_billing_key(self, request: BillingKeyRequest) -> KeyOutcome:
        call = Call(
            "issue_billing_key",
            "POST",
            f"/subscribe/customers/{segment(request.customer_uid)}",
            body=bodies.billing_key(request),
            secrets=bodies.card_secrets(request.card),
        )
        return await self._one(call, translate.read_customer)

    async def get_billing_key(self, customer_uid: str) -> KeyLookup:
        """A 404 is NotFound; iamport's "200 + code ≠ 0" for an unknown uid is Rejected (it cannot
        be told apart from other refusals without reading the message)."""
        call = Call("get_billing_key", "GET", f"/subscribe/customers/{segment(customer_uid)}")
        return await self._one(call, translate.read_customer, Missing.NOT_FOUND)

    async def delete_billing_key(self, customer_uid: str, reason: str | None = None) -> KeyLookup:
        params = {"reason": reason} if reason else None
        path = f"/subscribe/customers/{segment(customer_uid)}"
        call = Call("delete_billing_key", "DELETE", path, params=params)
        return await self._one(call, translate.read_customer, Missing.NOT_FOUND)

    # -- plumbing --------------------------------------------------------------------------------
    async def _one(self, call: Call, read: Reader, missing: Missing = Missing.REJECTED) -> Any:
        return await self._observed(call.operation, call.target, self._request(call, read, missing))

    async def _request(self, call: Call, read: Reader, missing: Missing) -> Outcome:
        reply = await self._transport.exchange(call)
        if not isinstance(reply, httpx.Response):
            return reply
        return translate.classify(
            reply.status_code, reply.content, read, missing=missing, secrets=call.secrets
        )

    async def _pages(self, operation: str, path: str, params: dict[str, Any]) -> Outcome:
        payments: list[GatewayPayment] = []
        page = 1
        for _ in range(MAX_PAGES):
            query = {**params, "page": page, "limit": self._page_size}
            call = Call(operation, "GET", path, params=query)
            outcome = await self._request(call, translate.read_page, Missing.NOT_FOUND)
            if not isinstance(outcome, Approved):
                return outcome
            result: Page = outcome.value
            payments.extend(result.payments)
            if result.next <= page:
                return Approved(payments)
            page = result.next
        return Unknown(f"{path}: more than {MAX_PAGES} pages")

    async def _windows(self, path: str, since: datetime, until: datetime) -> Outcome:
        found: dict[str, GatewayPayment] = {}
        # iamport filters whole seconds, both ends inclusive; we ask for the half-open since..until
        start, end = math.ceil(since.timestamp()), math.ceil(until.timestamp()) - 1
        step = int(WINDOW.total_seconds())
        while start <= end:
            stop = min(start + step - 1, end)
            params = {"from": start, "to": stop, "sorting": "started"}
            outcome = await self._pages("list_payments", path, params)
            if not isinstance(outcome, Approved):
                return outcome
            found.update((p.imp_uid, p) for p in outcome.value)
            start = stop + 1
        return Approved(list(found.values()))

    async def _many(self, imp_uids: list[str]) -> Outcome:
        found: list[GatewayPayment] = []
        missing = 0
        chunks = [imp_uids[i : i + MAX_IDS] for i in range(0, len(imp_uids), MAX_IDS)]
        for chunk in chunks:
            call = Call("get_payments", "GET", "/payments", params=bodies.id_list("imp_uid", chunk))
            outcome = await self._request(call, translate.read_payments, Missing.NOT_FOUND)
            if isinstance(outcome, NotFound):
                missing += 1
                continue
            if not isinstance(outcome, Approved):
                return outcome
            found.extend(outcome.value)
        if chunks and missing == len(chunks):
            return NotFound("none of the imp_uids is known to iamport")
        return Approved(found)

    async def _observed(self, operation: str, target: str, work: Awaitable[Outcome]) -> Any:
        started = perf_counter()
        try:
            outcome = await work
        except GatewayConfigurationError:
            self._emit(operation, "configuration_error", perf_counter() - started, target)
            raise
        self._emit(
            operation, translate.outcome_name(outcome), perf_counter() - started, target, outcome
        )
        return outcome

    def _emit(
        self, operation: str, outcome: str, seconds: float, target: str, detail: object = None
    ) -> None:
        why = _why(detail)
        log.info("iamport %s %s -> %s in %.3fs%s", operation, target, outcome, seconds, why)
        if self._observer is not None:
            try:
                self._observer(operation, outcome, seconds)
            except Exception:  # a broken metrics hook must not turn into a payment failure
                log.exception("iamport observer failed for %s", operation)


def _why(outcome: object) -> str:
    for attribute in ("reason", "message"):
        text = getattr(outcome, attribute, None)
        if isinstance(text, str):
            return f" ({text})"
    return ""

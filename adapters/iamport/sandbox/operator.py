"""Operator controls (not iamport): /_sandbox/... JSON endpoints to drive the sandbox in tests and
demos — vbank deposits and expiry, console cancels, the clock, faults, webhooks, reset."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

import msgspec
from litestar import Controller, Response, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from . import cards, pg
from .payments import notify_cancelled
from .state import SandboxDep, SandboxState
from .store import Outage, Payment


class ClockChange(msgspec.Struct):
    advance: float | None = None  # seconds
    set: int | None = None  # unix seconds


class ChannelChange(msgspec.Struct):
    # true (= "reject"), "reject" or "hang" (see store.Outage); false ends the outage
    outage: bool | Literal["reject", "hang"]
    seconds: float | None = None  # hang: how long a call is held (default hold_seconds)


class FaultSpec(msgspec.Struct):
    kind: Literal[
        "latency", "error", "drop", "hang", "refuse", "timeout_after_commit", "drop_after_commit"
    ]
    path: str | None = None
    method: str | None = None
    count: int | None = None
    status: int = 503
    seconds: float | None = None
    message: str = "sandbox fault: refused"


class WebhookChange(msgspec.Struct, omit_defaults=True):
    url: str | None | msgspec.UnsetType = msgspec.UNSET
    format: Literal["json", "form"] | msgspec.UnsetType = msgspec.UNSET
    timing: Literal["background", "before_response"] | msgspec.UnsetType = msgspec.UNSET
    delay: float | msgspec.UnsetType = msgspec.UNSET
    duplicates: int | msgspec.UnsetType = msgspec.UNSET
    retry: bool | msgspec.UnsetType = msgspec.UNSET
    retry_interval: float | msgspec.UnsetType = msgspec.UNSET
    hold: bool | msgspec.UnsetType = msgspec.UNSET


class Flush(msgspec.Struct):
    order: Literal["fifo", "reverse"] = "fifo"


class ConsoleCancel(msgspec.Struct):
    amount: int | None = None
    reason: str | None = None
    refund_holder: str | None = None
    refund_bank: str | None = None
    refund_account: str | None = None


def _error(status: int, message: str) -> Response:
    return Response({"error": message}, status_code=status)


def _payment(sandbox: SandboxState, imp_uid: str) -> Payment | Response:
    payment = sandbox.store.payments.get(imp_uid)
    return payment if payment is not None else _error(404, f"no payment {imp_uid}")


def _clock(sandbox: SandboxState) -> dict[str, Any]:
    now = sandbox.store.clock.now()
    return {
        "now": int(now.timestamp()),
        "iso": now.isoformat(),
        "offset": sandbox.store.clock.offset.total_seconds(),
    }


class OperatorController(Controller):
    path = "/_sandbox"
    include_in_schema = False

    @get("/")
    async def overview(self, sandbox: SandboxDep) -> dict[str, Any]:
        store = sandbox.store
        return {
            "clock": _clock(sandbox),
            "channels": [self._channel(sandbox, c.name) for c in store.channels.values()],
            "payments": len(store.payments),
            "customers": len(store.customers),
            "faults": [r.as_dict() for r in sandbox.faults.rules],
        }

    @post("/reset", status_code=200)
    async def reset(self, sandbox: SandboxDep) -> dict[str, Any]:
        sandbox.reset()
        return {"reset": True}

    @get("/cards")
    async def test_cards(self) -> list[dict[str, Any]]:
        return [
            {
                "number": c.number,
                "masked": cards.mask(c.number),
                "card_name": c.card_name or None,
                "card_code": c.card_code or None,
                "outcome": c.outcome.value,
                "decline_reason": c.decline_reason,
            }
            for c in cards.TEST_CARDS
        ]

    # --- clock ------------------------------------------------------------------------------
    @get("/clock")
    async def get_clock(self, sandbox: SandboxDep) -> dict[str, Any]:
        return _clock(sandbox)

    @post("/clock", status_code=200)
    async def change_clock(
        self, data: JSONBody[ClockChange], sandbox: SandboxDep
    ) -> dict[str, Any]:
        if data.set is not None:
            sandbox.store.clock.set(datetime.fromtimestamp(data.set, UTC))
        if data.advance is not None:
            sandbox.store.clock.advance(data.advance)
        return _clock(sandbox)

    # --- channels ---------------------------------------------------------------------------
    @staticmethod
    def _channel(sandbox: SandboxDep, name: FromPath[str]) -> dict[str, Any]:
        c = sandbox.store.channels[name]
        return {
            "name": c.name,
            "pg": f"{c.pg_provider}.{c.pg_id}",
            "channel_key": c.channel_key,
            "methods": sorted(c.methods),
            "billing": c.billing,
            "test": c.test,
            "outage": sandbox.store.is_down(c),
            "outage_mode": outage.mode if (outage := sandbox.store.outage_of(c)) else None,
        }

    @get("/channels")
    async def channels(self, sandbox: SandboxDep) -> list[dict[str, Any]]:
        return [self._channel(sandbox, name) for name in sandbox.store.channels]

    @put("/channels/{name:str}")
    async def change_channel(
        self, name: FromPath[str], data: JSONBody[ChannelChange], sandbox: SandboxDep
    ) -> Response:
        if name not in sandbox.store.channels:
            return _error(404, f"no channel {name}")
        if data.outage is False:
            sandbox.store.outages.pop(name, None)
        else:
            mode = "reject" if data.outage is True else data.outage
            sandbox.store.outages[name] = Outage(mode, data.seconds)
        return Response(self._channel(sandbox, name))

    # --- faults -----------------------------------------------------------------------------
    @get("/faults")
    async def faults(self, sandbox: SandboxDep) -> dict[str, Any]:
        f = sandbox.faults
        return {"rules": [r.as_dict() for r in f.rules], "triggered": f.triggered}

    @post("/faults", status_code=201)
    async def add_fault(self, data: JSONBody[FaultSpec], sandbox: SandboxDep) -> dict[str, Any]:
        rule = sandbox.faults.add(**msgspec.structs.asdict(data))
        return rule.as_dict()

    @delete("/faults", status_code=200)
    async def clear_faults(self, sandbox: SandboxDep) -> dict[str, Any]:
        sandbox.faults.clear()
        return {"rules": []}

    @post("/faults/release", status_code=200)
    async def release_held(self, sandbox: SandboxDep) -> dict[str, Any]:
        sandbox.faults.release()
        return {"released": True}

    # --- webhooks ---------------------------------------------------------------------------
    @get("/webhooks")
    async def webhooks(self, sandbox: SandboxDep, wait: FromQuery[bool] = False) -> dict[str, Any]:
        if wait:
            await sandbox.webhooks.drain()
        return {
            "url": sandbox.webhooks.console_url,
            "options": msgspec.structs.asdict(_options_view(sandbox)),
            "deliveries": [d.as_dict() for d in sandbox.webhooks.deliveries],
        }

    @put("/webhooks/config")
    async def configure_webhooks(
        self, data: JSONBody[WebhookChange], sandbox: SandboxDep
    ) -> dict[str, Any]:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        sandbox.webhooks.configure(**changes)
        return {
            "url": sandbox.webhooks.console_url,
            "options": msgspec.structs.asdict(_options_view(sandbox)),
        }

    @post("/webhooks/flush", status_code=200)
    async def flush_webhooks(
        self, sandbox: SandboxDep, data: JSONBody[Flush | None] = None
    ) -> dict[str, Any]:
        return {"flushed": sandbox.webhooks.flush((data or Flush()).order)}

    # --- payments ---------------------------------------------------------------------------
    @post("/vbanks/{imp_uid:str}/deposit", status_code=200)
    async def deposit(self, imp_uid: FromPath[str], sandbox: SandboxDep) -> Response:
        payment = _payment(sandbox, imp_uid)
        if isinstance(payment, Response):
            return payment
        if payment.pay_method != "vbank" or payment.status != "ready" or not payment.vbank_num:
            return _error(409, "only an issued, unpaid vbank (status ready) can receive a deposit")
        now = sandbox.store.touch(payment)
        pg.mark_paid(sandbox.store, payment, now)  # also after the due date: banks sometimes do
        # deposit_history is for fixed (무제한) vbanks only; an ordinary vbank leaves it empty
        await sandbox.webhooks.notify(
            imp_uid=payment.imp_uid,
            merchant_uid=payment.merchant_uid,
            status="paid",
            notice_url=payment.notice_url,
        )
        return Response({"imp_uid": imp_uid, "status": payment.status, "paid_at": payment.paid_at})

    @post("/vbanks/{imp_uid:str}/expire", status_code=200)
    async def expire(self, imp_uid: FromPath[str], sandbox: SandboxDep) -> Response:
        payment = _payment(sandbox, imp_uid)
        if isinstance(payment, Response):
            return payment
        if payment.pay_method != "vbank" or payment.status != "ready" or not payment.vbank_num:
            return _error(409, "only an issued, unpaid vbank can expire")
        now = sandbox.store.touch(payment)
        payment.vbank_date = min(payment.vbank_date, now - 1)
        status = sandbox.config.vbank_expired_status
        if status == "failed":
            pg.fail(sandbox.store, payment, "가상계좌 입금기한 만료")
        elif status == "cancelled":
            payment.status, payment.cancelled_at = "cancelled", now
        return Response(
            {"imp_uid": imp_uid, "status": payment.status, "vbank_date": payment.vbank_date}
        )

    @post("/payments/{imp_uid:str}/cancel", status_code=200)
    async def console_cancel(
        self,
        imp_uid: FromPath[str],
        sandbox: SandboxDep,
        data: JSONBody[ConsoleCancel | None] = None,
    ) -> Response:
        payment = _payment(sandbox, imp_uid)
        if isinstance(payment, Response):
            return payment
        data = data or ConsoleCancel()
        outcome = pg.cancel(
            sandbox.store,
            payment,
            pg.CancelRequest(
                amount=data.amount,
                tax_free=None,
                vat_amount=None,
                checksum=None,
                reason=data.reason or "관리자 콘솔 취소",
                refund_holder=data.refund_holder,
                refund_bank=data.refund_bank,
                refund_account=data.refund_account,
            ),
        )
        if isinstance(outcome, str):
            return _error(409, outcome)
        await notify_cancelled(sandbox, payment, outcome.cancellation_id)  # console cancels notify
        return Response(
            {
                "imp_uid": imp_uid,
                "status": payment.status,
                "cancel_amount": payment.cancel_amount,
                "cancellation_id": outcome.cancellation_id,
            }
        )


class _OptionsView(msgspec.Struct):
    format: str
    timing: str
    delay: float
    duplicates: int
    retry: bool
    retry_interval: float
    hold: bool


def _options_view(sandbox: SandboxState) -> _OptionsView:
    o = sandbox.webhooks.options
    return _OptionsView(
        o.format, o.timing, o.delay, o.duplicates, o.retry, o.retry_interval, o.hold
    )

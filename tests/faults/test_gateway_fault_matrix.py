"""The fault matrix: every gateway operation × every way a call to iamport can go wrong, on the
real client, the sandbox served over loopback HTTP and a migrated SQLite database.

Each cell runs the use case that makes the call with one fault armed for that call, then the
janitor (resolve-unknown and reconcile, on a clock moved through the whole backoff) runs once
for all cells, and every payment, refund and card of ours is compared with the sandbox's own
record: the same state, no double charge, no payment lost. A state still unknown is accepted
only where iamport has nothing to show and only once it is escalated to operators (ADR 0007:
never guessed). No webhook is delivered: the janitor alone must get there.

`onetime` (key-in) cells check what the client answers against what
the sandbox did, and that the janitor's lookup (findAll by merchant_uid) shows the truth.
"""

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.container import Container
from adapters.iamport.bodies import OnetimeRequest
from adapters.iamport.client import IamportClient
from adapters.iamport.sandbox import SandboxConfig, create_sandbox_app
from adapters.scheduler.jobs import JOBS
from application.errors import GatewayRejected, GatewayUnavailable
from application.gateway import (
    Approved,
    GatewayPayment,
    IamportStatus,
)
from application.payment_sync import decisive_try, tries_of
from application.ports import OrderFilter
from application.use_cases.actor import Actor
from application.use_cases.complete_payment import CompletePaymentCommand
from application.use_cases.create_checkout import CreateCheckoutCommand
from application.use_cases.one_click import PayWithCardCommand
from application.use_cases.refund import RequestRefundCommand
from application.use_cases.register_card import RegisterCardCommand
from domain.card_credentials import CardCredentials
from domain.status import CardStatus, PaymentStatus
from tests.faults.wiring import MovableClock, container_on
from tests.iamport_client.fake_iamport import serving
from tests.persistence.databases import sql_database

APPROVE = "4111-1111-1111-1111"
DECLINE = "4000-0000-0000-0002"  # issued, every charge declined (잔액부족)
INVALID = "4000-0000-0000-0127"  # no billing key: code -1
READ_TIMEOUT = 0.5

OPERATIONS = {  # operation → the path prefix its call has at iamport
    "prepare": "/payments/prepare",
    "find": "/payments/imp_",  # GET /payments/{imp_uid}, CompletePayment's lookup
    "again": "/subscribe/payments/again",
    "cancel": "/payments/cancel",
    "customer issue": "/subscribe/customers/",
    "onetime": "/subscribe/payments/onetime",
}
FAULTS = ("5xx", "refused", "timeout before", "timeout after commit", "declined")


def card(number: str) -> CardCredentials:
    return CardCredentials(number=number, expiry="2030-12", birth="900101", pwd_2digit="12")


class RefusingTransport(httpx.AsyncBaseTransport):
    """Loopback HTTP; the next request whose path starts with an armed prefix goes to a port
    that is bound but not listening, so the kernel refuses the connection."""

    def __init__(self) -> None:
        self._inner = httpx.AsyncHTTPTransport()
        self._closed = socket.socket()
        self._closed.bind(("127.0.0.1", 0))
        self.armed: str | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.armed is not None and request.url.path.startswith(self.armed):
            self.armed = None
            request.url = request.url.copy_with(port=self._closed.getsockname()[1])
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        self._closed.close()
        await self._inner.aclose()


@dataclass
class Cell:
    operation: str
    fault: str
    user_seq: int
    merchant_uids: list[str] = field(default_factory=list)
    customer_uids: list[str] = field(default_factory=list)
    answer: str = ""  # what the use case (or the client) answered
    verdict: str = ""  # after the janitor: "ok: ..." or the mismatch


@dataclass
class Matrix:
    container: Container
    client: IamportClient
    truth: IamportClient  # never faulted
    refusing: RefusingTransport
    sandbox: str
    http: httpx.AsyncClient
    clock: MovableClock

    async def use_case(self, name: str) -> Any:
        return getattr(self.container, name)()

    async def arm(self, operation: str, fault: str) -> None:
        path = OPERATIONS[operation]
        if fault == "refused":
            self.refusing.armed = path
            return
        kind = {
            "5xx": "error",
            "timeout before": "hang",
            "timeout after commit": ("timeout_after_commit"),
        }[fault]
        body = {"kind": kind, "path": path, "count": 1, "seconds": READ_TIMEOUT * 4}
        response = await self.http.post(f"{self.sandbox}/_sandbox/faults", json=body)
        assert response.status_code == 201, response.text

    async def disarm(self) -> None:
        self.refusing.armed = None
        await self.http.delete(f"{self.sandbox}/_sandbox/faults")

    async def window(self, params: dict[str, Any], number: str = APPROVE) -> dict[str, Any]:
        opened = await self.http.post(
            f"{self.sandbox}/window/open",
            json={"merchant_code": "imp00000000", "has_callback": True, "params": params},
        )
        assert opened.status_code == 200, opened.text
        done = await self.http.post(
            f"{self.sandbox}/window/{opened.json()['window_id']}/approve",
            json={"card_number": number},
            headers={"Accept": "application/json"},
        )
        assert done.status_code == 200, done.text
        return done.json()["rsp"]

    async def checkout(self, cell: Cell) -> Any:
        result = await (await self.use_case("create_checkout")).execute(
            CreateCheckoutCommand(
                user_seq=cell.user_seq,
                content_type_code=3,
                content_seq=77,
                name="겨울 후원",
                amount=10_000,
                pay_method="card",
                buyer_name="홍길동",
            )
        )
        cell.merchant_uids.append(result.merchant_uid)
        return result

    async def complete(self, cell: Cell, imp_uid: str, merchant_uid: str) -> Any:
        return await (await self.use_case("complete_payment")).execute(
            CompletePaymentCommand(imp_uid, merchant_uid, cell.user_seq)
        )

    async def paid(self, cell: Cell) -> Any:
        started = await self.checkout(cell)
        rsp = await self.window(started.request_pay.as_dict())
        done = await self.complete(cell, rsp["imp_uid"], started.merchant_uid)
        assert done.paid, done
        return done

    async def register(self, cell: Cell, number: str) -> Any:
        result = await (await self.use_case("register_card")).execute(
            RegisterCardCommand(user_seq=cell.user_seq, card=card(number))
        )
        cell.customer_uids.extend(k.customer_uid for k in result.card.keys)
        return result.card

    async def janitor(self) -> list[str]:
        """resolve-unknown and reconcile at +2 min, +10 min, +2 h and +27 h: each step of the
        backoff (1 min, 5 min, 1 h, 1 day) comes due, so what stays unknown is escalated."""
        summaries = []
        for offset in (
            timedelta(minutes=2),
            timedelta(minutes=10),
            timedelta(hours=2),
            timedelta(hours=27),
        ):
            self.clock.offset = offset
            for job in ("resolve-unknown", "reconcile"):
                summaries.append(f"{offset} {job}: {await JOBS[job][1](self.container)}")
        return summaries


# -- one cell per operation: the call under the fault ----------------------------------------
async def prepare(m: Matrix, cell: Cell) -> str:
    if cell.fault == "declined":
        await m.http.post(
            f"{m.sandbox}/_sandbox/faults",
            json={"kind": "refuse", "path": OPERATIONS["prepare"], "count": 1},
        )
    else:
        await m.arm("prepare", cell.fault)
    try:
        started = await m.checkout(cell)
    except (GatewayUnavailable, GatewayRejected) as exc:
        return type(exc).__name__
    await m.disarm()
    rsp = await m.window(started.request_pay.as_dict())  # the sponsor pays what was prepared
    done = await m.complete(cell, rsp["imp_uid"], started.merchant_uid)
    return f"checkout ok, {done.payment_status.name}"


async def find(m: Matrix, cell: Cell) -> str:
    await m.disarm()
    started = await m.checkout(cell)
    number = DECLINE if cell.fault == "declined" else APPROVE
    rsp = await m.window(started.request_pay.as_dict(), number)
    if cell.fault != "declined":
        await m.arm("find", cell.fault)
    done = await m.complete(cell, rsp["imp_uid"], started.merchant_uid)
    pending = " (pending)" if done.pending_confirmation else ""
    return f"{done.payment_status.name}{pending}"


async def again(m: Matrix, cell: Cell) -> str:
    await m.disarm()
    registered = await m.register(cell, DECLINE if cell.fault == "declined" else APPROVE)
    if cell.fault != "declined":
        await m.arm("again", cell.fault)
    result = await (await m.use_case("pay_with_card")).execute(
        PayWithCardCommand(
            user_seq=cell.user_seq,
            card_id=registered.id,
            amount=5_000,
            name="원클릭 후원",
            content_type_code=3,
            content_seq=78,
        )
    )
    cell.merchant_uids.append(result.payment.merchant_uid)
    return str(result.state)


async def cancel(m: Matrix, cell: Cell) -> str:
    await m.disarm()
    paid = await m.paid(cell)
    if cell.fault == "declined":  # an operator already cancelled it in iamport's console
        async with m.container.uow_factory()() as uow:
            payment = await uow.payments.get(paid.payment_id)
        assert payment is not None and payment.imp_uid
        r = await m.http.post(f"{m.sandbox}/_sandbox/payments/{payment.imp_uid}/cancel")
        assert r.status_code == 200, r.text
    else:
        await m.arm("cancel", cell.fault)
    try:
        result = await (await m.use_case("request_refund")).execute(
            RequestRefundCommand(Actor(cell.user_seq), paid.payment_id, reason="단순 변심")
        )
    except (GatewayUnavailable, GatewayRejected) as exc:
        return type(exc).__name__
    return f"cancellation {result.cancellation.status.name}"


async def customer_issue(m: Matrix, cell: Cell) -> str:
    number = INVALID if cell.fault == "declined" else APPROVE
    if cell.fault != "declined":
        await m.arm("customer issue", cell.fault)
    try:
        registered = await m.register(cell, number)
    except (GatewayUnavailable, GatewayRejected) as exc:
        return type(exc).__name__
    return f"card {registered.status.name}"


async def onetime(m: Matrix, cell: Cell) -> str:
    merchant_uid = f"fm_onetime_{cell.user_seq}"
    cell.merchant_uids.append(merchant_uid)
    number = DECLINE if cell.fault == "declined" else APPROVE
    if cell.fault != "declined":
        await m.arm("onetime", cell.fault)
    outcome = await m.client.charge_onetime(
        OnetimeRequest(merchant_uid=merchant_uid, amount=3_000, card=card(number), pg="nice")
    )
    return type(outcome).__name__


RUN: dict[str, Callable[[Matrix, Cell], Awaitable[str]]] = {
    "prepare": prepare,
    "find": find,
    "again": again,
    "cancel": cancel,
    "customer issue": customer_issue,
    "onetime": onetime,
}


# -- the truth, after the janitor ----------------------------------------------------------
def expected_status(record: GatewayPayment | None) -> set[PaymentStatus]:
    if record is None:
        return {PaymentStatus.FAILED, PaymentStatus.REQUESTED}  # never charged
    status = IamportStatus(record.status)
    if status is IamportStatus.PAID:
        return {PaymentStatus.PAID, PaymentStatus.ROUTINE_PAID}
    if status is IamportStatus.CANCELLED:
        return {PaymentStatus.CANCELLED}
    if status is IamportStatus.FAILED:
        return {PaymentStatus.FAILED}
    return {PaymentStatus.READY, PaymentStatus.REQUESTED}


async def verdict(m: Matrix, cell: Cell) -> str:
    problems: list[str] = []
    async with m.container.uow_factory()() as uow:
        orders = await uow.orders.search(OrderFilter(user_seq=cell.user_seq))
        payments = [p for o in orders for p in await uow.payments.for_order(o.id)]
        cards = await uow.cards.for_user(cell.user_seq)
    seen: list[str] = []
    ours_uids = [p.merchant_uid for p in payments]
    for merchant_uid in ours_uids + [u for u in cell.merchant_uids if u not in ours_uids]:
        tries = tries_of(await m.truth.find_all_payments(merchant_uid))
        assert tries is not None, f"the sandbox did not answer for {merchant_uid}"
        paid = [t for t in tries if IamportStatus(t.status) is IamportStatus.PAID]
        if len(paid) > 1:
            problems.append(f"DOUBLE CHARGE {merchant_uid}: {[t.imp_uid for t in paid]}")
        record = decisive_try(tries)
        ours = next((p for p in payments if p.merchant_uid == merchant_uid), None)
        if ours is None:  # onetime: no payment of ours; the client's answer must not lie
            truth = record.status if record else "none"
            if truth == "paid" and cell.answer in ("NotAttempted", "Declined", "Rejected"):
                problems.append(f"LOST PAYMENT {merchant_uid}: {cell.answer}, iamport paid")
            if truth != "paid" and cell.answer == "Approved":
                problems.append(f"{merchant_uid}: Approved, iamport {truth}")
            seen.append(f"iamport {truth}")
            continue
        if ours.status not in expected_status(record):
            lost = record is not None and IamportStatus(record.status) is IamportStatus.PAID
            problems.append(
                f"{'LOST PAYMENT ' if lost else ''}{merchant_uid}: ours {ours.status.name}, "
                f"iamport {record.status if record else 'none'}"
            )
        elif ours.status is PaymentStatus.REQUESTED:
            escalated = ours.unknown is not None and ours.unknown.checks >= 4
            if not escalated:
                problems.append(f"{merchant_uid}: unknown and not escalated")
            seen.append("unknown, escalated")
        else:
            seen.append(ours.status.name)
        if record is not None and ours.cancelled_amount != record.cancel_amount:
            problems.append(
                f"{merchant_uid}: refunded {ours.cancelled_amount}, iamport {record.cancel_amount}"
            )
    for registered in cards:
        for key in registered.keys:
            has_key = isinstance(await m.truth.get_billing_key(key.customer_uid), Approved)
            if key.issued_at is None and key.deleted_at is not None:
                # A backup key recorded as never issued (its primary failed first): it must
                # not exist at iamport, whatever the card's state.
                if has_key:
                    problems.append(f"card {registered.id}: {key.channel} key at iamport")
                continue
            want = {CardStatus.ACTIVE} if has_key else {CardStatus.FAILED, CardStatus.DELETED}
            if registered.status not in want:
                problems.append(
                    f"card {registered.id}: ours {registered.status.name}, key at iamport "
                    f"{'yes' if has_key else 'no'}"
                )
            else:
                seen.append(f"card {registered.status.name}")
    if not payments and not cards and not cell.merchant_uids:
        seen.append("nothing anywhere")
    if problems:
        return "MISMATCH " + "; ".join(problems)
    return "ok: " + ", ".join(seen or ["-"])


def table(cells: list[Cell]) -> str:
    width = max(len(c.answer) for c in cells)
    lines = [f"{'operation':<15} {'fault':<21} {'answer':<{width}}  after the janitor"]
    for c in cells:
        lines.append(f"{c.operation:<15} {c.fault:<21} {c.answer:<{width}}  {c.verdict}")
    return "\n".join(lines)


@pytest.fixture
async def matrix(tmp_path: Path) -> AsyncIterator[Matrix]:
    app = create_sandbox_app(
        SandboxConfig(
            seed=None,
            hold_seconds=READ_TIMEOUT * 4,
            webhook_transport=httpx.MockTransport(lambda _: httpx.Response(200)),
        )
    )
    refusing = RefusingTransport()
    clock = MovableClock()
    async with (
        sql_database("sqlite", pool_size=5, directory=tmp_path) as db,
        serving(app) as base_url,
        httpx.AsyncClient(timeout=10) as http,
        httpx.AsyncClient(transport=refusing) as faulty_http,
        IamportClient(
            base_url,
            "sandbox_key",
            "sandbox_secret",
            connect_timeout=READ_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            http=faulty_http,
        ) as client,
        IamportClient(base_url, "sandbox_key", "sandbox_secret") as truth,
    ):
        container = container_on(base_url, db.uow_factory, client, clock, READ_TIMEOUT)
        yield Matrix(container, client, truth, refusing, base_url, http, clock)
        await http.post(f"{base_url}/_sandbox/faults/release")


async def test_every_gateway_fault_ends_in_iamports_truth(
    matrix: Matrix, capsys: pytest.CaptureFixture[str]
) -> None:
    cells = [
        Cell(operation, fault, user_seq=5000 + i)
        for i, (operation, fault) in enumerate((o, f) for o in OPERATIONS for f in FAULTS)
    ]
    for cell in cells:
        cell.answer = await RUN[cell.operation](matrix, cell)
        await matrix.disarm()
    summaries = await matrix.janitor()
    for cell in cells:
        cell.verdict = await verdict(matrix, cell)
    report = table(cells)
    with capsys.disabled():  # the table is part of every run's output, green or not
        print(f"\nfault matrix ({len(cells)} cells)\n{report}")
    assert len(cells) == 30
    assert all(c.verdict.startswith("ok") for c in cells), report + "\n" + "\n".join(summaries)

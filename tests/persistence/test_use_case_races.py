"""Use-case races on MariaDB and SQLite, against the iamport sandbox over real HTTP.

Each race: a pool at least as large as the race, racers released together by a barrier placed
right before the unit of work that takes the use case's locks, one IamportClient shared by all
racers, and the final state read in SQL from the tables (not through the repositories).

1. 20 partial refunds of 1,000 KRW of a 10,000 KRW payment at once (RequestRefund), then the
   rest one by one until the balance is 0.
2. 10 CompletePayment calls for one order at once.
3. iamport's webhook (ReceiveWebhook + ProcessWebhook) racing the browser's CompletePayment.

The negative controls run races 1 and 2 with every `for_update` dropped (and the driver's own
transactions on SQLite): the same checks then see the broken rules (several refunds in flight at
once, refused by iamport's checksum and left REQUESTED; ConcurrentUpdate escaping to callers).
Run with `-s` to see each run's figures.
"""

import os

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from adapters.persistence.tables import payment as payment_table
from adapters.persistence.tables import (
    payment_cancel,
    payment_history,
    payment_order,
    webhook_inbox,
)
from application.errors import RefundInProgress
from application.gateway import Approved, IamportStatus
from application.records import InboxState
from application.use_cases.actor import Actor
from application.use_cases.complete_payment import CompletePaymentCommand, CompletePaymentResult
from application.use_cases.handle_webhook import (
    ProcessWebhookCommand,
    ProcessWebhookResult,
    ReceiveWebhookCommand,
)
from application.use_cases.refund import RefundResult, RequestRefundCommand
from domain.errors import RefundRefused
from domain.status import CancellationStatus, OrderStatus, PaymentStatus
from tests.persistence.databases import mysql_test_url
from tests.persistence.racing import race
from tests.persistence.use_case_world import (
    USER,
    Paid,
    UnlockedUnitOfWorkFactory,
    UseCaseWorld,
    use_case_world,
)

BALANCE = 10_000
STEP = 1_000
REFUNDERS = 20
COMPLETERS = 10

KINDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("mariadb", id="mariadb", marks=pytest.mark.mariadb),
]

# The refusals a racing refund may get; anything else fails the test. RefundInProgress: another
# refund of the payment is in flight (409). RefundRefused("not_paid"): the whole balance is
# refunded already (the payment is CANCELLED). "amount" cannot happen: every step is 1,000 of 10,000.
ALLOWED_REFUSALS = {RefundInProgress: None, RefundRefused: {"not_paid"}}


@pytest.fixture(autouse=True)
def own_mariadb_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Race on `<test database>_races` (or DOLGO_TEST_MYSQL_RACES_URL), so a parallel run of the
    other MariaDB tests (which empty `dolgo_test` between tests) cannot interfere."""
    own = os.environ.get("DOLGO_TEST_MYSQL_RACES_URL")
    if own:
        monkeypatch.setenv("DOLGO_TEST_MYSQL_URL", own)
        return
    url = make_url(mysql_test_url())
    if not (url.database or "").endswith("_races"):
        url = url.set(database=f"{url.database}_races")
    monkeypatch.setenv("DOLGO_TEST_MYSQL_URL", url.render_as_string(hide_password=False))


# -- SQL reads of the final state ------------------------------------------------------------------
async def payment_row(world: UseCaseWorld, payment_id: int) -> tuple[int, int]:
    """(cancel_amount, payment_status)."""
    async with world.db.engine.connect() as conn:
        row = (
            await conn.execute(
                select(payment_table.c.cancel_amount, payment_table.c.payment_status).where(
                    payment_table.c.seq == payment_id
                )
            )
        ).one()
    return row[0], row[1]


async def refunds_in_sql(world: UseCaseWorld, payment_id: int) -> tuple[int, int, int]:
    """(count, sum of amounts) of the payment's SUCCEEDED cancellations, and how many are still
    in flight (REQUESTED or UNKNOWN)."""
    async with world.db.engine.connect() as conn:
        count, total = (
            await conn.execute(
                select(func.count(), func.coalesce(func.sum(payment_cancel.c.amount), 0)).where(
                    payment_cancel.c.payment_seq == payment_id,
                    payment_cancel.c.cancel_status == CancellationStatus.SUCCEEDED,
                )
            )
        ).one()
        in_flight = (
            await conn.execute(
                select(func.count()).where(
                    payment_cancel.c.payment_seq == payment_id,
                    payment_cancel.c.cancel_status.in_(
                        [CancellationStatus.REQUESTED, CancellationStatus.UNKNOWN]
                    ),
                )
            )
        ).scalar_one()
    return count, int(total), in_flight


async def transitions(world: UseCaseWorld, entity: str, entity_id: int, to_status: int) -> int:
    async with world.db.engine.connect() as conn:
        return (
            await conn.execute(
                select(func.count()).where(
                    payment_history.c.entity == entity,
                    payment_history.c.entity_id == entity_id,
                    payment_history.c.to_status == int(to_status),
                )
            )
        ).scalar_one()


async def paid_by(world: UseCaseWorld, payment_id: int) -> list[str]:
    """Who made the payment's PAID transition(s): `webhook` or `user:<seq>`."""
    async with world.db.engine.connect() as conn:
        rows = await conn.execute(
            select(payment_history.c.cause).where(
                payment_history.c.entity == "payment",
                payment_history.c.entity_id == payment_id,
                payment_history.c.to_status == int(PaymentStatus.PAID),
            )
        )
        return [r[0] for r in rows]


async def order_status(world: UseCaseWorld, order_id: int) -> int:
    async with world.db.engine.connect() as conn:
        return (
            await conn.execute(
                select(payment_order.c.order_status).where(payment_order.c.seq == order_id)
            )
        ).scalar_one()


async def inbox_state(world: UseCaseWorld, message_id: int) -> str:
    async with world.db.engine.connect() as conn:
        return (
            await conn.execute(
                select(webhook_inbox.c.inbox_state).where(webhook_inbox.c.seq == message_id)
            )
        ).scalar_one()


async def cancel_amount_at_iamport(world: UseCaseWorld, imp_uid: str) -> tuple[int, IamportStatus]:
    found = await world.gateway.get_payment(imp_uid)
    assert isinstance(found, Approved), found
    return found.value.cancel_amount, found.value.status


def refusal_allowed(error: BaseException) -> bool:
    for kind, rules in ALLOWED_REFUSALS.items():
        if type(error) is kind:
            return rules is None or getattr(error, "rule", None) in rules
    return False


# -- 1. twenty partial refunds at once -------------------------------------------------------------
async def refund_race(world: UseCaseWorld, paid: Paid, inner=None) -> list:
    """20 sponsors' requests for 1,000 KRW each, released together before the locking UoW."""

    async def refund_racer(barrier):
        # The first unit of work is the one that locks order and payment.
        use_case = world.request_refund(world.gated(barrier, at=0, inner=inner))
        return await use_case.execute(
            RequestRefundCommand(Actor(USER), paid.payment_id, "부분 환불", amount=STEP)
        )

    return await race(REFUNDERS, refund_racer, engine=world.db.engine)


async def refund_race_violations(world: UseCaseWorld, paid: Paid, results: list) -> list[str]:
    """Every way the race's outcome breaks the rules, checked against SQL and the sandbox."""
    violations: list[str] = []
    successes = [r for r in results if isinstance(r, RefundResult)]
    errors = [r for r in results if isinstance(r, BaseException)]
    violations += [f"unexpected {type(e).__name__}: {e}" for e in errors if not refusal_allowed(e)]
    violations += [f"refund {r.cancellation.id} left pending" for r in successes if r.pending]
    if not successes:
        violations.append("no refund went through")
    cancel_amount, status = await payment_row(world, paid.payment_id)
    count, total, in_flight = await refunds_in_sql(world, paid.payment_id)
    at_iamport, _ = await cancel_amount_at_iamport(world, paid.imp_uid)
    if in_flight:
        violations.append(f"{in_flight} cancellations left in flight")
    if not cancel_amount == total == count * STEP == len(successes) * STEP:
        violations.append(
            f"cancel_amount {cancel_amount}, cancellations {count} ({total} KRW), "
            f"{len(successes)} successes"
        )
    if cancel_amount > BALANCE:
        violations.append(f"refunded {cancel_amount} of {BALANCE}")
    if at_iamport != cancel_amount:
        violations.append(f"iamport cancel_amount {at_iamport} != ours {cancel_amount}")
    expected = PaymentStatus.CANCELLED if cancel_amount == BALANCE else PaymentStatus.PAID
    if status != expected:
        violations.append(f"payment status {status} at cancel_amount {cancel_amount}")
    print(  # noqa: T201 - the figures of the run, shown with -s
        f"\n[{world.db.kind}] concurrent refunds: {len(successes)} succeeded, "
        f"{sum(isinstance(e, RefundInProgress) for e in errors)} RefundInProgress, "
        f"{sum(isinstance(e, RefundRefused) for e in errors)} RefundRefused, "
        f"{len(errors) - sum(refusal_allowed(e) for e in errors)} other errors; "
        f"cancel_amount {cancel_amount}, at iamport {at_iamport}"
    )
    return violations


@pytest.mark.parametrize("kind", KINDS)
async def test_twenty_concurrent_partial_refunds_never_refund_more_than_was_paid(kind, tmp_path):
    async with use_case_world(kind, pool_size=REFUNDERS, directory=tmp_path) as world:
        paid = await world.pay(BALANCE)
        results = await refund_race(world, paid)
        assert await refund_race_violations(world, paid, results) == []
        successes = sum(isinstance(r, RefundResult) for r in results)

        # Then one by one until nothing is left.
        sponsor = Actor(USER)
        cancel_amount, status = await payment_row(world, paid.payment_id)
        sequential = 0
        while cancel_amount < BALANCE:
            result = await world.request_refund().execute(
                RequestRefundCommand(sponsor, paid.payment_id, "부분 환불", amount=STEP)
            )
            assert not result.pending
            sequential += 1
            cancel_amount, status = await payment_row(world, paid.payment_id)
        print(f"[{kind}] then {sequential} refunds one by one")  # noqa: T201
        with pytest.raises(RefundRefused) as refused:
            await world.request_refund().execute(
                RequestRefundCommand(sponsor, paid.payment_id, "부분 환불", amount=STEP)
            )
        assert refused.value.rule == "not_paid"

        count, total, in_flight = await refunds_in_sql(world, paid.payment_id)
        assert (cancel_amount, total, count, in_flight) == (BALANCE, BALANCE, BALANCE // STEP, 0)
        assert count == successes + sequential
        assert status == PaymentStatus.CANCELLED
        assert await transitions(world, "payment", paid.payment_id, PaymentStatus.CANCELLED) == 1
        assert await order_status(world, paid.order_id) == OrderStatus.CANCELLED
        assert await cancel_amount_at_iamport(world, paid.imp_uid) == (
            BALANCE,
            IamportStatus.CANCELLED,
        )


@pytest.mark.parametrize("kind", KINDS)
async def test_negative_control_refunds_without_locks_break_the_rules(kind, tmp_path):
    """The same race and the same checks, with every `for_update` dropped (and, on SQLite, the
    driver's own transactions instead of BEGIN IMMEDIATE): the checks must see it."""
    extra = {"sqlite_begin": None} if kind == "sqlite" else {}
    async with use_case_world(kind, pool_size=REFUNDERS, directory=tmp_path, **extra) as world:
        paid = await world.pay(BALANCE)
        unlocked = UnlockedUnitOfWorkFactory(world.db.uow_factory)
        results = await refund_race(world, paid, inner=unlocked)
        violations = await refund_race_violations(world, paid, results)
        print(f"[{kind}] without locks: {sorted({v.split(':')[0] for v in violations})}")  # noqa: T201
        assert violations != []


# -- 2. ten completes of one order at once ---------------------------------------------------------
async def complete_race(world: UseCaseWorld, paid: Paid, inner=None) -> list:
    command = CompletePaymentCommand(paid.imp_uid, paid.merchant_uid, USER)

    async def complete_racer(barrier):
        # Unit of work 0 reads the payment; then iamport is asked; 1 locks and settles.
        return await world.complete(world.gated(barrier, at=1, inner=inner)).execute(command)

    return await race(COMPLETERS, complete_racer, engine=world.db.engine)


async def complete_race_violations(world: UseCaseWorld, paid: Paid, results: list) -> list[str]:
    violations = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    answers = [r for r in results if isinstance(r, CompletePaymentResult)]
    violations += [f"answered {r}" for r in answers if not r.paid]
    violations += [
        f"answered order {r.order_status!r}" for r in answers if r.order_status != OrderStatus.PAID
    ]
    paid_transitions = await transitions(world, "payment", paid.payment_id, PaymentStatus.PAID)
    order_transitions = await transitions(world, "order", paid.order_id, OrderStatus.PAID)
    if (paid_transitions, order_transitions) != (1, 1):
        violations.append(f"{paid_transitions} payment, {order_transitions} order PAID rows")
    _, status = await payment_row(world, paid.payment_id)
    if status != PaymentStatus.PAID or await order_status(world, paid.order_id) != OrderStatus.PAID:
        violations.append(f"payment status {status}")
    print(  # noqa: T201
        f"\n[{world.db.kind}] concurrent completes: {sum(r.paid for r in answers)} answered paid, "
        f"{len(results) - len(answers)} errors; {paid_transitions} PAID transition(s)"
    )
    return violations


@pytest.mark.parametrize("kind", KINDS)
async def test_ten_concurrent_completes_make_one_paid_transition(kind, tmp_path):
    async with use_case_world(kind, pool_size=COMPLETERS, directory=tmp_path) as world:
        paid = await world.paid_at_iamport(BALANCE)
        results = await complete_race(world, paid)
        assert await complete_race_violations(world, paid, results) == []


@pytest.mark.parametrize("kind", KINDS)
async def test_negative_control_completes_without_locks_break_the_rules(kind, tmp_path):
    extra = {"sqlite_begin": None} if kind == "sqlite" else {}
    async with use_case_world(kind, pool_size=COMPLETERS, directory=tmp_path, **extra) as world:
        paid = await world.paid_at_iamport(BALANCE)
        unlocked = UnlockedUnitOfWorkFactory(world.db.uow_factory)
        results = await complete_race(world, paid, inner=unlocked)
        violations = await complete_race_violations(world, paid, results)
        print(f"[{kind}] without locks: {sorted({v.split(':')[0] for v in violations})}")  # noqa: T201
        assert violations != []


# -- 3. the webhook and the complete at once -------------------------------------------------------
ROUNDS = 5  # orders, each raced once: more chances for either side to win the lock


def each_once(racers: list):
    """A racer for `race()` that runs each of `racers` once, in order."""
    queue = list(racers)
    return lambda barrier: queue.pop(0)(barrier)


@pytest.mark.parametrize("kind", KINDS)
async def test_webhook_racing_complete_settle_once(kind, tmp_path):
    async with use_case_world(kind, pool_size=2, directory=tmp_path) as world:
        for round_ in range(ROUNDS):
            paid = await world.paid_at_iamport(BALANCE)
            hook = world.webhook_for(paid.imp_uid)  # what the sandbox sent to notice_url
            message_ids: list[int] = []

            async def webhook_racer(barrier, paid=paid, hook=hook, message_ids=message_ids):
                # Units of work: 0 stores the message, 1 reads it, (iamport), 2 locks, settles.
                uow = world.gated(barrier, at=2)
                message_id = await world.receive_webhook(uow).execute(
                    ReceiveWebhookCommand(hook.body, hook.content_type, "127.0.0.1")
                )
                message_ids.append(message_id)
                return await world.process_webhook(uow).execute(ProcessWebhookCommand(message_id))

            async def complete_racer(barrier, paid=paid):
                return await world.complete(world.gated(barrier, at=1)).execute(
                    CompletePaymentCommand(paid.imp_uid, paid.merchant_uid, USER)
                )

            # Released together, the first racer in the gather usually locks first: alternate.
            pair = [webhook_racer, complete_racer][:: 1 if round_ % 2 == 0 else -1]
            results = await race(2, each_once(pair), engine=world.db.engine)
            processed = next(r for r in results if not isinstance(r, CompletePaymentResult))
            completed = next(r for r in results if not isinstance(r, ProcessWebhookResult))

            assert isinstance(processed, ProcessWebhookResult), processed
            assert processed.state is InboxState.PROCESSED, processed
            assert processed.detail is None, processed
            assert isinstance(completed, CompletePaymentResult), completed
            assert completed.paid and completed.order_status is OrderStatus.PAID

            assert await inbox_state(world, message_ids[0]) == InboxState.PROCESSED
            assert await transitions(world, "payment", paid.payment_id, PaymentStatus.PAID) == 1
            assert await transitions(world, "order", paid.order_id, OrderStatus.PAID) == 1
            _, status = await payment_row(world, paid.payment_id)
            assert status == PaymentStatus.PAID
            assert await order_status(world, paid.order_id) == OrderStatus.PAID
            causes = await paid_by(world, paid.payment_id)
            print(f"\n[{kind}] webhook vs complete: PAID by {causes}")  # noqa: T201

"""The database round trips of one checkout and one completion: a budget, counted (not timed).

Every statement, COMMIT, ROLLBACK and ping is a round trip on MySQL; on SQLite each transaction
also sends its own BEGIN IMMEDIATE. Lowering a count is welcome (lower the budget with it);
raising one needs a reason the reviewer accepts.
"""

import pytest

from adapters.persistence import engine as engine_module
from application.use_cases.complete_payment import CompletePaymentCommand
from tests.persistence.round_trips import RoundTrips
from tests.persistence.use_case_world import USER, use_case_world

KINDS = ["sqlite", pytest.param("mariadb", marks=pytest.mark.mariadb)]
BEGIN = {"sqlite": 1, "mariadb": 0}  # statements a transaction starts with

# Checkout (POST /api/orders): read the channels' breakers; insert order and payment; commit.
CHECKOUT_TRANSACTIONS = 2
CHECKOUT_BUDGET = 5
# Completion: read the payment (its owner, before asking iamport); under the locks: the order
# (by the merchant_uid, in one statement), the payment, its cancellations; update payment and
# order; insert their history rows (one INSERT) and outbox rows (one); commit.
COMPLETION_TRANSACTIONS = 2
COMPLETION_BUDGET = 10


@pytest.fixture(autouse=True)
def _no_idle_pings(monkeypatch):
    """A slow machine may leave a connection idle past the ping threshold between steps."""
    monkeypatch.setattr(engine_module, "PING_AFTER_IDLE_SECONDS", 3600.0)


@pytest.mark.parametrize("kind", KINDS)
async def test_one_checkout_and_one_completion_stay_within_their_round_trips(kind, tmp_path):
    async with use_case_world(kind, pool_size=5, directory=tmp_path) as world:
        await world.pay(1000)  # the token is warm, the statement caches are filled

        with RoundTrips(world.db.engine) as checkout:
            paid = await world.paid_at_iamport(2000)
        with RoundTrips(world.db.engine) as completion:
            result = await world.complete().execute(
                CompletePaymentCommand(paid.imp_uid, paid.merchant_uid, USER)
            )
        assert result.paid

    for name, trips, transactions, budget in (
        ("checkout", checkout, CHECKOUT_TRANSACTIONS, CHECKOUT_BUDGET),
        ("completion", completion, COMPLETION_TRANSACTIONS, COMPLETION_BUDGET),
    ):
        print(f"{kind} {name}: {trips.total} round trips {dict(trips.counts)}")
        assert trips.counts["PING"] == 0, (name, trips.counts)
        # Each transaction ends once (COMMIT or ROLLBACK); the pool adds no reset ROLLBACK.
        assert trips.counts["COMMIT"] + trips.counts["ROLLBACK"] == transactions, (
            name,
            trips.counts,
        )
        assert trips.total <= budget + transactions * BEGIN[kind], (name, trips.counts)

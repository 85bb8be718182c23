"""The one-shot jobs run against the composed container, and reach the janitor's use cases."""

from datetime import timedelta

import pytest

from adapters.scheduler.jobs import JOBS
from domain.card import PaymentCard
from domain.status import CardStatus
from tests.http.conftest import make_api_parts


@pytest.mark.parametrize("name", sorted(JOBS))
async def test_every_job_runs_on_the_composed_container(name: str) -> None:
    _, container, *_ = make_api_parts()
    report = await JOBS[name][1](container)
    assert isinstance(report.summary, str) and report.summary and report.errors == 0


async def test_resolve_unknown_settles_a_card_whose_key_issuance_answer_was_lost() -> None:
    _, container, store, gateway, clock = make_api_parts()
    card = PaymentCard(id=77, user_seq=1, created_at=clock.now())
    key = card.key_for("nice")
    async with store() as uow:
        await uow.cards.add(card)
        await uow.commit()
    # iamport issued the key; our process died before recording the answer.
    from application.gateway import BillingKeyRequest
    from domain.card_credentials import CardCredentials

    await gateway.issue_billing_key(
        BillingKeyRequest(
            key.customer_uid,
            "nice",
            CardCredentials("4111-1111-1111-1111", "2030-01", "900101", "12"),
        )
    )
    clock.advance(timedelta(hours=2))

    await JOBS["resolve-unknown"][1](container)

    assert store.cards[77].status is CardStatus.ACTIVE

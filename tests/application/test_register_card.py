"""Card registration (REST and PG window), listing and deletion — spec §4.2."""

import logging
import re

import pytest

from application.errors import (
    GatewayRejected,
    GatewayUnavailable,
    NotFoundError,
    VerificationFailed,
)
from application.gateway import NotAttempted, Rejected, Unknown
from application.use_cases.actor import Actor
from application.use_cases.cards import DeleteCard, DeleteCardCommand, ListCards, ListCardsCommand
from application.use_cases.register_card import (
    RegisterCard,
    RegisterCardCommand,
    ResolveCardIssuance,
    ResolveCardIssuanceCommand,
)
from application.use_cases.window_card import (
    CompleteWindowCardRegistration,
    CompleteWindowCardRegistrationCommand,
    StartWindowCardRegistration,
    StartWindowCardRegistrationCommand,
)
from domain.card import PaymentCard
from domain.card_credentials import CardCredentials
from domain.status import CardStatus
from tests.application.builders import OTHER_USER, USER, World, good_card, strings_in

INVALID = "4000-0000-0000-0010"  # the fake iamport refuses this number


def register(w: World) -> RegisterCard:
    return RegisterCard(w.store, w.gateway, w.clock, w.ids, w.channels, w.settings)


async def card_of(w: World, card_id: int) -> PaymentCard:
    async with w.store.uow() as uow:
        card = await uow.cards.get(card_id)
    assert card is not None
    return card


# -- REST ----------------------------------------------------------------------------------------
async def test_registered_card_keeps_only_customer_uid_masked_number_company_and_channel():
    w = World()
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))

    card = await card_of(w, result.card.id)
    assert (
        card.status,
        card.card_disp,
        card.card_corp,
        [(k.channel, k.customer_uid) for k in card.keys],
    ) == (
        CardStatus.ACTIVE,
        "5365-10**-****-4417",
        "신한카드",
        [("nice", f"dpc{card.id}_nice")],
    )


async def test_key_is_issued_at_the_primary_rest_channel_under_the_cards_customer_uid():
    w = World()
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))

    (request,) = w.gateway.calls_of("issue_billing_key")
    assert (request.pg, request.customer_uid) == ("nice", f"dpc{result.card.id}_nice")


async def test_invalid_card_fails_the_card_and_the_error_carries_iamports_message_only():
    w = World()
    with pytest.raises(GatewayRejected) as caught:
        await register(w).execute(RegisterCardCommand(USER, good_card(INVALID)))

    (card,) = w.store.cards.values()
    assert (card.status, caught.value.message) == (
        CardStatus.FAILED,
        "유효하지않은 카드번호를 입력하셨습니다.",
    )


async def test_an_iamport_message_echoing_the_card_number_is_scrubbed():
    w = World()
    w.gateway.script("issue_billing_key", Rejected("카드번호 5365-1034-8291-4417 오류", -1))
    with pytest.raises(GatewayRejected) as caught:
        await register(w).execute(RegisterCardCommand(USER, good_card()))

    assert "8291" not in str(caught.value)


@pytest.mark.parametrize(
    "echo",
    [
        "5365 1034 8291 4417",  # the number with spaces
        "5365  1034-8291 4417",
        "5365103482914417",
        "3107",  # the expiry (2031-07) as YYMM
        "0731",  # MMYY
        "07/31",
        "07/2031",
        "2031/07",
        "203107",
        "2031-07",
        "73-04-15",  # the birth date with separators
    ],
)
async def test_an_iamport_message_echoing_card_data_in_another_format_is_scrubbed(echo):
    w = World()
    w.gateway.script("issue_billing_key", Rejected(f"카드정보 [{echo}] 오류", -1))
    with pytest.raises(GatewayRejected) as caught:
        await register(w).execute(RegisterCardCommand(USER, good_card()))

    assert caught.value.message == f"카드정보 [{'*' * len(echo)}] 오류"


async def test_scrubbing_leaves_other_numbers_alone():
    w = World()
    w.gateway.script("issue_billing_key", Rejected("한도초과 (코드 310745, 1,000원)", -1))
    with pytest.raises(GatewayRejected) as caught:
        await register(w).execute(RegisterCardCommand(USER, good_card()))

    assert caught.value.message == "한도초과 (코드 310745, 1,000원)"


async def test_card_data_appears_in_no_entity_history_error_or_log_record(caplog):
    """A planted number, birth date, expiry and password digits, through a successful, a refused
    and an echoing registration: nothing we keep, raise or log holds any of them."""
    caplog.set_level(logging.DEBUG)
    w = World()
    planted = CardCredentials(
        number="5412-7534-9876-1234", expiry="2029-11", birth="840229", pwd_2digit="58"
    )
    refused = CardCredentials(
        number="4000-0000-0000-0010", expiry="2029-11", birth="840229", pwd_2digit="58"
    )
    errors: list[BaseException] = []
    await register(w).execute(RegisterCardCommand(USER, planted, customer_name="홍길동"))
    for card, script in ((refused, None), (planted, Rejected("5412753498761234 840229 거절", -1))):
        if script:
            w.gateway.script("issue_billing_key", script)
        try:
            await register(w).execute(RegisterCardCommand(USER, card))
        except GatewayRejected as e:
            errors.append(e)
    assert len(errors) == 2

    kept = [w.store.cards, w.store.orders, w.store.payments, w.store.history, errors]
    logged = [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    text = "\n".join([*strings_in(kept), *logged])
    secrets = ["5412753498761234", "5412-7534-9876-1234", "753498", "840229", "2029-11"]
    leaked = [s for s in secrets if s in text] + re.findall(r"(?<!\d)58(?!\d)", text)
    assert leaked == []


async def test_refused_connection_fails_the_card_and_says_iamport_is_unavailable():
    w = World()
    w.gateway.script("issue_billing_key", NotAttempted("connection refused"))
    with pytest.raises(GatewayUnavailable):
        await register(w).execute(RegisterCardCommand(USER, good_card()))

    (card,) = w.store.cards.values()
    assert card.status is CardStatus.FAILED


async def test_lost_answer_leaves_the_card_issuing_until_iamport_shows_the_key():
    w = World()
    w.gateway.script("issue_billing_key", Unknown("read timeout"), apply=True)
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))
    assert result.card.status is CardStatus.ISSUING

    resolved = await ResolveCardIssuance(w.store, w.gateway, w.clock, w.channels).execute(
        ResolveCardIssuanceCommand(result.card.id)
    )
    assert (await card_of(w, resolved.card.id)).status is CardStatus.ACTIVE


async def test_lost_answer_then_no_key_at_iamport_fails_the_card():
    w = World()
    w.gateway.script("issue_billing_key", Unknown("read timeout"))  # never reached the PG
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))

    await ResolveCardIssuance(w.store, w.gateway, w.clock, w.channels).execute(
        ResolveCardIssuanceCommand(result.card.id)
    )
    assert (await card_of(w, result.card.id)).status is CardStatus.FAILED


async def test_lookup_without_an_answer_keeps_the_card_issuing():
    w = World()
    w.gateway.script("issue_billing_key", Unknown("read timeout"))
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))
    w.gateway.script("get_billing_key", Unknown("502"))

    resolved = await ResolveCardIssuance(w.store, w.gateway, w.clock, w.channels).execute(
        ResolveCardIssuanceCommand(result.card.id)
    )
    assert (resolved.resolved, (await card_of(w, result.card.id)).status) == (
        False,
        CardStatus.ISSUING,
    )


# -- list / delete -------------------------------------------------------------------------------
async def test_list_shows_the_users_active_cards_only():
    w = World()
    mine = await register(w).execute(RegisterCardCommand(USER, good_card()))
    await register(w).execute(RegisterCardCommand(OTHER_USER, good_card()))
    with pytest.raises(GatewayRejected):
        await register(w).execute(RegisterCardCommand(USER, good_card(INVALID)))

    listed = await ListCards(w.store).execute(ListCardsCommand(USER))
    assert [c.id for c in listed.cards] == [mine.card.id]


async def test_delete_removes_the_key_at_iamport_and_sets_use_yn_0():
    w = World()
    card = (await register(w).execute(RegisterCardCommand(USER, good_card()))).card
    customer_uid = card.keys[0].customer_uid

    await DeleteCard(w.store, w.gateway, w.clock).execute(DeleteCardCommand(Actor(USER), card.id))

    stored = await card_of(w, card.id)
    assert (stored.use_yn, stored.status, customer_uid in w.gateway.keys) == (
        0,
        CardStatus.DELETED,
        False,
    )


async def test_another_users_card_cannot_be_deleted():
    w = World()
    card = (await register(w).execute(RegisterCardCommand(USER, good_card()))).card
    with pytest.raises(NotFoundError):
        await DeleteCard(w.store, w.gateway, w.clock).execute(
            DeleteCardCommand(Actor(OTHER_USER), card.id)
        )
    assert (await card_of(w, card.id)).status is CardStatus.ACTIVE


# -- PG window -----------------------------------------------------------------------------------
async def start_window(w: World):
    return await StartWindowCardRegistration(
        w.store, w.clock, w.ids, w.channels, w.settings
    ).execute(StartWindowCardRegistrationCommand(USER, buyer_name="홍길동"))


def complete(w: World) -> CompleteWindowCardRegistration:
    return CompleteWindowCardRegistration(w.store, w.gateway, w.clock, w.channels, w.settings)


def issue_in_window(w: World, customer_uid: str, pg: str = "html5_inicis") -> str:
    """What the browser does in the PG window: iamport issues the key and records a payment."""
    from application.gateway import BillingKeyInfo

    w.gateway.keys[customer_uid] = BillingKeyInfo(
        customer_uid, pg_provider=pg, card_name="KB국민카드", card_number="9410-61**-****-0012"
    )
    record = w.gateway.plant_payment(
        "dpk0", 0, pg_provider=pg, customer_uid=customer_uid, customer_uid_usage="issue"
    )
    return record.imp_uid


async def test_window_registration_gives_request_pay_params_with_the_cards_customer_uid():
    w = World()
    started = await start_window(w)

    assert started.params.as_request_pay() == {
        "pg": "html5_inicis",
        "pay_method": "card",
        "merchant_uid": f"dpk{started.card.id}",
        "customer_uid": f"dpc{started.card.id}_html5_inicis",
        "amount": 0,
        "name": "카드 등록",
        "notice_url": "https://pay.dolgo.example/api/webhooks/iamport",
        "m_redirect_url": "https://pay.dolgo.example/payments/return",
        "buyer_name": "홍길동",
    }


async def test_window_registration_completes_only_when_iamport_shows_the_key():
    w = World()
    started = await start_window(w)
    imp_uid = issue_in_window(w, started.params.customer_uid)

    done = await complete(w).execute(
        CompleteWindowCardRegistrationCommand(USER, started.card.id, imp_uid)
    )
    assert (done.card.status, done.card.card_corp) == (CardStatus.ACTIVE, "KB국민카드")


async def test_window_registration_without_a_key_at_iamport_fails():
    w = World()
    started = await start_window(w)
    with pytest.raises(VerificationFailed):
        await complete(w).execute(CompleteWindowCardRegistrationCommand(USER, started.card.id))
    assert (await card_of(w, started.card.id)).status is CardStatus.FAILED


async def test_window_completion_with_another_cards_imp_uid_touches_nothing():
    w = World()
    started = await start_window(w)
    issue_in_window(w, started.params.customer_uid)
    foreign = issue_in_window(w, "dpc1_html5_inicis")

    with pytest.raises(VerificationFailed):
        await complete(w).execute(
            CompleteWindowCardRegistrationCommand(USER, started.card.id, foreign)
        )
    assert (await card_of(w, started.card.id)).status is CardStatus.ISSUING


async def test_window_key_issued_on_another_pg_is_refused():
    w = World()
    started = await start_window(w)
    issue_in_window(w, started.params.customer_uid, pg="kakaopay")

    with pytest.raises(VerificationFailed):
        await complete(w).execute(CompleteWindowCardRegistrationCommand(USER, started.card.id))
    assert (await card_of(w, started.card.id)).status is CardStatus.FAILED


async def test_window_completion_of_another_users_card_is_not_found():
    w = World()
    started = await start_window(w)
    issue_in_window(w, started.params.customer_uid)
    with pytest.raises(NotFoundError):
        await complete(w).execute(
            CompleteWindowCardRegistrationCommand(OTHER_USER, started.card.id)
        )


async def test_a_rest_key_that_iamport_marks_a_test_channels_is_refused_in_production():
    from application.gateway import Approved, BillingKeyInfo
    from application.settings import PaymentSettings

    w = World(
        settings=PaymentSettings(public_base_url="https://pay.dolgo.example", production=True)
    )
    test_key = BillingKeyInfo("cu_any", pg_provider="nice", card_number="5365-10**", sandbox=True)
    w.gateway.script("issue_billing_key", Approved(test_key))
    with pytest.raises(VerificationFailed):
        await register(w).execute(RegisterCardCommand(USER, good_card()))

    [card] = list(w.store.cards.values())
    assert card.status is CardStatus.FAILED


async def test_the_same_test_key_is_active_outside_production():
    from application.gateway import Approved, BillingKeyInfo

    w = World()
    test_key = BillingKeyInfo("cu_any", pg_provider="nice", card_number="5365-10**", sandbox=True)
    w.gateway.script("issue_billing_key", Approved(test_key))
    result = await register(w).execute(RegisterCardCommand(USER, good_card()))
    assert result.card.status is CardStatus.ACTIVE

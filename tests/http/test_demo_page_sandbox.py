"""The demo page learns where the sandbox is mounted, and the sandbox lists its test cards."""

import pytest

from adapters.iamport.sandbox.cards import TEST_CARDS
from tests.http.conftest import Api

SANDBOX_ON = {"DOLGO_SANDBOX": "on", "DOLGO_IAMPORT_URL": ""}


@pytest.mark.parametrize("env", [SANDBOX_ON])
async def test_with_the_sandbox_the_page_names_it_and_it_lists_the_test_cards(api: Api) -> None:
    page = await api.client.get("/")
    assert '<meta name="dolgo-sandbox-url" content="/sandbox">' in page.text
    cards = await api.client.get("/sandbox/_sandbox/cards")  # public: no token
    assert cards.status_code == 200, cards.text
    assert [c["number"] for c in cards.json()] == [c.number for c in TEST_CARDS]
    assert {c["outcome"] for c in cards.json()} == {"approve", "decline", "invalid"}


async def test_without_the_sandbox_the_page_offers_no_test_cards(api: Api) -> None:
    page = await api.client.get("/")
    assert page.status_code == 200
    assert '<meta name="dolgo-sandbox-url" content="">' in page.text
    assert (await api.client.get("/sandbox/_sandbox/cards")).status_code == 404

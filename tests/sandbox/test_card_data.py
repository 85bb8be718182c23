"""Raw card data never leaves the sandbox: not in responses, webhooks, logs or the banner."""

from __future__ import annotations

import logging

from adapters.iamport.sandbox import SandboxConfig
from adapters.iamport.sandbox.cards import mask
from adapters.iamport.sandbox.server import banner

CARD = "5555-5555-5555-4444"
SECRETS = ("5555555555554444", CARD, "881231", "47")


async def test_card_data_is_never_echoed_or_logged(api, client, state, caplog):
    caplog.set_level(logging.DEBUG)
    seen = []
    seen.append(
        (await api.register_card("c-mask", card=CARD, birth="881231", pwd_2digit="47")).text
    )
    seen.append(
        (
            await api.register_card(
                "c-bad", card="4000-0000-0000-0127", birth="881231", pwd_2digit="47"
            )
        ).text
    )
    seen.append(
        (
            await api.post(
                "/subscribe/payments/onetime",
                json={
                    "merchant_uid": "m",
                    "amount": 100,
                    "card_number": CARD,
                    "expiry": "2030-12",
                    "birth": "881231",
                    "pwd_2digit": "47",
                },
            )
        ).text
    )
    seen.append(
        (
            await api.post(
                "/subscribe/payments/onetime",
                data={
                    "merchant_uid": "m2",
                    "amount": "x",
                    "card_number": CARD,
                    "expiry": "2030-12",
                },
            )
        ).text
    )
    seen.append((await client.get("/_sandbox/webhooks")).text)
    seen.append(repr(state.store.customers))
    seen.append(repr(list(state.store.payments.values())))
    seen.append(caplog.text)
    everything = "\n".join(seen)
    assert "5555-55**-****-4444" in everything
    for secret in SECRETS:
        if secret == "47":
            assert '"47"' not in everything and "pwd_2digit=47" not in everything
        else:
            assert secret not in everything, secret


def test_mask_keeps_first_six_and_last_four():
    assert mask("4111111111111111") == "4111-11**-****-1111"
    assert mask("3530-1113-3330-0000") == "3530-11**-****-0000"
    assert mask("123") == "***"


def test_banner_lists_credentials_and_test_cards():
    text = banner(SandboxConfig(), "http://127.0.0.1:8090")
    assert "imp_key=sandbox_key" in text and "imp_secret=sandbox_secret" in text
    assert "4111-1111-1111-1111" in text and "잔액부족" in text and "imp00000000" in text

"""POST /api/admin/key-in-payments: operators only; the card data appears nowhere (answers,
errors, logs, the store, idempotency records); the history names the operator."""

import logging
import pickle

import pytest

from tests.http.conftest import ADMIN, USER_A, Api, assert_problem
from tests.http.test_card_data import BIRTH, DIGITS, EXPIRY, NUMBER, PWD, SPACED, secrets_in

KEY_IN = {
    "user_seq": USER_A,
    "amount": 30000,
    "name": "전화 후원",
    "content_type_code": 1,
    "content_seq": 4521,
    "card_number": NUMBER,
    "expiry": EXPIRY,
    "birth": BIRTH,
    "pwd_2digit": PWD,
}
PATH = "/api/admin/key-in-payments"


async def test_a_sponsor_token_is_refused_and_nothing_is_charged(api: Api) -> None:
    r = await api.post(PATH, who="a", json=KEY_IN)
    assert_problem(r, 403, "forbidden")
    assert api.gateway.calls_of("charge_onetime") == []


async def test_an_operator_keys_in_a_charge_and_the_history_names_them(api: Api) -> None:
    r = await api.post(PATH, who="admin", json=KEY_IN)
    assert r.status_code == 201, r.text
    body = r.json()
    order = await api.get(f"/api/admin/orders/{body['order']['id']}", who="admin")
    causes = {entry["cause"] for entry in order.json()["history"]}
    assert (body["state"], api.store.orders[body["order"]["id"]].user_seq, causes) == (
        "paid",
        USER_A,
        {f"operator:{ADMIN}"},
    )


MALFORMED = [
    {**KEY_IN, "birth": BIRTH + "9"},
    {**KEY_IN, "pwd_2digit": PWD + "1"},
    {**KEY_IN, "card_number": DIGITS + "99999"},
    {**KEY_IN, "expiry": "2031-13"},
    {**KEY_IN, "card_number": 5365103482914417},
    {**KEY_IN, DIGITS: BIRTH},
    {**KEY_IN, "note": SPACED},
    {**KEY_IN, "amount": 0},
    [NUMBER, BIRTH, PWD],
]


async def test_card_data_appears_nowhere(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    responses = [await api.post(PATH, who="admin", json=KEY_IN)]
    responses.append(await api.post(PATH, who="a", json=KEY_IN))
    for body in MALFORMED:
        r = await api.post(PATH, who="admin", json=body)
        assert r.status_code == 400, (body, r.text)
        responses.append(r)
    api.gateway.declining_cards[DIGITS] = f"카드 {DIGITS} 한도초과 ({BIRTH})"
    declined = await api.post(PATH, who="admin", json=KEY_IN, headers={"Idempotency-Key": "k1"})
    assert declined.json()["state"] == "failed", declined.text
    responses += [
        declined,
        await api.post(PATH, who="admin", json=KEY_IN, headers={"Idempotency-Key": "k1"}),
    ]
    api.gateway.invalid_cards.add(DIGITS)
    responses.append(await api.post(PATH, who="admin", json=KEY_IN))
    responses.append(await api.get("/api/admin/payments", who="admin"))

    for response in responses:
        assert not secrets_in(response.text + str(response.headers)), response.text
    log_text = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert not secrets_in(log_text)
    stored = pickle.dumps({k: v for k, v in api.store.__dict__.items() if k != "writer"})
    assert not [s for s in (DIGITS, BIRTH, NUMBER, SPACED) if s.encode() in stored]

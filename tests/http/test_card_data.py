"""Planted card data (number, birth date, password digits) never leaves: not in a response,
a log line, a metric or a stored entity — for valid and malformed requests alike."""

import logging
import pickle
import re

import pytest

from tests.http.conftest import Api

NUMBER = "5365-1034-8291-4417"
DIGITS = NUMBER.replace("-", "")
SPACED = NUMBER.replace("-", " ")
BIRTH = "730415"
PWD = "93"
EXPIRY = "2031-07"
VALID = {
    "issuance": "rest",
    "card_number": NUMBER,
    "expiry": EXPIRY,
    "birth": BIRTH,
    "pwd_2digit": PWD,
}
MALFORMED = [
    {**VALID, "birth": BIRTH + "9"},  # 7 digits
    {**VALID, "pwd_2digit": PWD + "1"},
    {**VALID, "card_number": DIGITS + "99999"},  # too long
    {**VALID, "card_number": DIGITS[:8] + "abcd" + DIGITS[12:]},
    {**VALID, "expiry": "2031-13"},
    {**VALID, "issuance": DIGITS},
    {**VALID, DIGITS: BIRTH},  # an unknown field named like a card number
    {**VALID, "cvc": "123"},
    {"issuance": "window", "card_number": NUMBER, "birth": BIRTH},
    [NUMBER, BIRTH, PWD],
    {**VALID, "card_number": 5365103482914417},
    {**VALID, "birth": 730415},
    # dashed and spaced numbers as unknown keys and as values
    {**VALID, "x-" + NUMBER: 1},
    {**VALID, SPACED: PWD},
    {**VALID, "note": SPACED},
    {**VALID, "card_number": SPACED + " 1"},
    {**VALID, "issuance": SPACED},
    {**VALID, "birth": NUMBER},
    {**VALID, "expiry": SPACED},
]
RAW = [
    b'{"issuance":"rest","card_number":"' + NUMBER.encode() + b'","birth":"' + BIRTH.encode(),
    ("card_number=" + NUMBER + "&birth=" + BIRTH + "&pwd_2digit=" + PWD).encode(),
    # invalid UTF-8 after the card data: Litestar's decoder fails, a 400 that echoes nothing
    b'{"issuance":"rest","card_number":"'
    + NUMBER.encode()
    + b'","birth":"\xff'
    + BIRTH.encode()
    + b'"}',
]


def metric_names_and_labels(exposition: str) -> str:
    """The exposition without its sample values: card data could leak only through a name or a
    label, and a float (a start time, a sum of seconds) may spell any six digits."""
    value = re.compile(r"(\s+(?:[-+]?[0-9.]+(?:e[-+]?[0-9]+)?|NaN|[-+]Inf))+$", re.IGNORECASE)
    return "\n".join(value.sub("", line) for line in exposition.splitlines())


def secrets_in(text: str) -> list[str]:
    found = [s for s in (NUMBER, DIGITS, DIGITS[4:12], SPACED, SPACED[5:14], BIRTH) if s in text]
    if f'"{PWD}"' in text or f"={PWD}" in text or f"'{PWD}'" in text:
        found.append("pwd_2digit")
    return found


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


NO_LIMITS = {"DOLGO_RATE_LIMIT_CARD_PER_USER": "off", "DOLGO_RATE_LIMIT_CARD_PER_IP": "off"}


@pytest.mark.parametrize("env", [NO_LIMITS])
async def test_card_data_appears_nowhere(
    api: Api, logs: pytest.LogCaptureFixture, env: dict
) -> None:
    responses = []
    r = await api.post("/api/cards", json=VALID)
    assert r.status_code == 201
    responses.append(r)
    card_id = r.json()["card"]["id"]
    for body in MALFORMED:
        r = await api.post("/api/cards", json=body)
        assert r.status_code == 400, (body, r.text)
        responses.append(r)
    for raw in RAW:
        for content_type in ("application/json", "application/x-www-form-urlencoded"):
            r = await api.post("/api/cards", content=raw, headers={"content-type": content_type})
            assert 400 <= r.status_code < 500, r.text
            responses.append(r)
    # the same data sent to the other routes that take a body
    for path in (f"/api/cards/{card_id}/complete", "/api/orders", "/api/billing/payments"):
        r = await api.post(path, json=VALID)
        assert r.status_code == 400
        responses.append(r)
    # with an Idempotency-Key (the stored response is checked below with the store)
    r = await api.post("/api/cards", json=VALID, headers={"Idempotency-Key": "card-1"})
    responses.append(r)
    r = await api.post("/api/cards", json=MALFORMED[0], headers={"Idempotency-Key": "card-1"})
    responses.append(r)
    responses.append(await api.get("/api/cards"))

    for response in responses:
        leaked = secrets_in(response.text) + secrets_in(str(response.headers))
        assert not leaked, (leaked, response.text)

    log_text = "\n".join(
        f"{rec.getMessage()} {rec.exc_text or ''} {rec.args!r}" for rec in logs.records
    )
    assert not secrets_in(log_text), secrets_in(log_text)

    metrics = (await api.client.get("/metrics")).text
    assert not secrets_in(metric_names_and_labels(metrics))

    stored = repr(pickle.dumps(api.store.__dict__ | {"writer": None}))
    stored += repr(api.store.__dict__)
    for secret in (DIGITS, BIRTH, NUMBER, DIGITS[4:12], SPACED):
        assert secret not in stored, secret
        assert secret.encode() not in pickle.dumps(
            {k: v for k, v in api.store.__dict__.items() if k != "writer"}
        )


@pytest.mark.parametrize(
    "message",
    [
        f"Object contains unknown field `x-{NUMBER}`",
        f"Object contains unknown field `{SPACED}` - at `$.buyer`",
        f"Object contains unknown field `a`{SPACED}`",  # a backtick inside the key
        f"Invalid enum value {SPACED}",
        f"Expected `str`, got {DIGITS[:6]}-{DIGITS[6:]}",
    ],
)
def test_validation_messages_are_scrubbed(message: str) -> None:
    from adapters.http.validation_problems import _field, _reason

    for text in (_field("", message), _reason(message)):
        assert not secrets_in(text) and not any(g in text for g in NUMBER.split("-")), text

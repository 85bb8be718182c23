"""현금영수증 over HTTP: a sponsor asks for one for a paid transfer, an operator re-issues;
the identifier (phone number, 사업자번호) appears nowhere but masked: not in an answer, an
error, a log line or the store."""

import logging
import pickle

import pytest

from tests.http.conftest import Api, assert_problem, checkout

PHONE = "010-2345-6789"
DIGITS = PHONE.replace("-", "")
BUSINESS = "123-45-67890"


async def paid_transfer(api: Api) -> int:
    started = await checkout(api, pay_method="trans")
    pg = started["request_pay"]["pg"].split(".")[0]
    imp_uid = api.gateway.plant_payment(
        started["merchant_uid"], 10000, pay_method="trans", pg_provider=pg
    ).imp_uid
    r = await api.post(
        "/api/payments/complete",
        json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]},
    )
    assert r.status_code == 200 and r.json()["paid"], r.text
    return int(r.json()["payment_id"])


def leaks(text: str) -> list[str]:
    return [s for s in (PHONE, DIGITS, DIGITS[3:], "1234567890", "67890") if s in text]


async def test_identifiers_appear_nowhere_but_masked(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    payment_id = await paid_transfer(api)
    path = f"/api/payments/{payment_id}/cash-receipts"
    issued = await api.post(path, json={"kind": "personal", "identifier": PHONE})
    assert issued.status_code == 201, issued.text
    responses = [issued]
    responses.append(await api.post(path, json={"kind": "personal", "identifier": PHONE}))
    assert responses[-1].status_code == 409
    for bad in (
        {"kind": "personal", "identifier": DIGITS + "9"},
        {"kind": "business", "identifier": PHONE},
        {"kind": "personal", "identifier": PHONE, DIGITS: 1},
        {"kind": DIGITS, "identifier": PHONE},
    ):
        r = await api.post(path, json=bad)
        assert r.status_code == 400, (bad, r.text)
        responses.append(r)
    responses.append(await api.post(path, who="b", json={"kind": "personal", "identifier": PHONE}))
    assert responses[-1].status_code == 404
    responses.append(await api.get(path))
    admin = f"/api/admin/payments/{payment_id}/cash-receipts"
    responses.append(
        await api.post(admin, who="admin", json={"kind": "business", "identifier": BUSINESS})
    )
    responses.append(await api.get(admin, who="admin"))

    assert issued.json()["identifier"] == "*******6789"
    assert responses[-1].json()["items"][0]["status"] == "issued"
    for r in responses:
        assert not leaks(r.text), r.text
    log_text = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    assert not leaks(log_text)
    stored = pickle.dumps({k: v for k, v in api.store.__dict__.items() if k != "writer"})
    assert DIGITS.encode() not in stored and PHONE.encode() not in stored


async def test_a_card_payment_gets_no_receipt(api: Api) -> None:
    started = await checkout(api)
    imp_uid = api.gateway.plant_payment(started["merchant_uid"], 10000).imp_uid
    r = await api.post(
        "/api/payments/complete", json={"imp_uid": imp_uid, "merchant_uid": started["merchant_uid"]}
    )
    payment_id = r.json()["payment_id"]
    r = await api.post(
        f"/api/payments/{payment_id}/cash-receipts",
        json={"kind": "personal", "identifier": PHONE},
    )
    assert_problem(r, 409, "conflict")

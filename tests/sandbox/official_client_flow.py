"""Run with the official `iamport-rest-client==0.9.0` (its own virtualenv), against a sandbox URL.

    python official_client_flow.py http://127.0.0.1:PORT

Exits non-zero (AssertionError / exception) when the sandbox does not behave like iamport
towards the official client.
"""

import sys

import requests
from iamport import Iamport

base = sys.argv[1].rstrip("/")
iamport = Iamport(imp_key="sandbox_key", imp_secret="sandbox_secret", imp_url=base + "/")
merchant_uid = "official_order_1"

# prepare, then pay through the PG window (driven over HTTP, as the browser would)
iamport.prepare(merchant_uid=merchant_uid, amount=10000)
assert iamport.prepare_validate(merchant_uid=merchant_uid, amount=10000)
opened = requests.post(
    base + "/window/open",
    json={
        "merchant_code": "imp00000000",
        "params": {
            "merchant_uid": merchant_uid,
            "amount": 10000,
            "name": "후원",
            "pay_method": "card",
        },
    },
).json()
assert opened["window_url"], opened
result = requests.post(
    base + "/window/" + opened["window_id"] + "/approve",
    json={"card_number": "4111-1111-1111-1111"},
    headers={"Accept": "application/json"},
).json()
assert result["rsp"]["success"] is True, result
imp_uid = result["rsp"]["imp_uid"]

# find by imp_uid and by merchant_uid
by_imp = iamport.find(imp_uid=imp_uid)
by_merchant = iamport.find(merchant_uid=merchant_uid)
assert by_imp["imp_uid"] == by_merchant["imp_uid"] == imp_uid
assert by_imp["status"] == "paid" and by_imp["amount"] == 10000
assert iamport.is_paid(10000, imp_uid=imp_uid)

# partial, then full cancel; a third cancel is refused with code 1
partial = iamport.cancel("부분 환불", imp_uid=imp_uid, amount=3000, checksum=10000)
assert partial["status"] == "paid" and partial["cancel_amount"] == 3000, partial
full = iamport.cancel("전액 환불", merchant_uid=merchant_uid)
assert full["status"] == "cancelled" and full["cancel_amount"] == 10000, full
try:
    iamport.cancel("또 환불", imp_uid=imp_uid)
    raise AssertionError("a fully cancelled payment was cancelled again")
except Iamport.ResponseError as error:
    assert error.code == 1 and error.message == "이미 전액취소된 주문입니다.", (
        error.code,
        error.message,
    )

# billing key: create, charge (no `name`, like this client), get, delete
customer = iamport.customer_create(
    customer_uid="official_customer",
    card_number="4111-1111-1111-1111",
    expiry="2030-12",
    birth="900101",
    pwd_2digit="12",
)
assert customer["card_number"] == "4111-11**-****-1111" and customer["card_name"] == "신한카드", (
    customer
)
paid = iamport.pay_again(
    customer_uid="official_customer", merchant_uid="official_monthly_1", amount=8900
)
assert paid["status"] == "paid" and paid["customer_uid_usage"] == "payment", paid
assert iamport.customer_get("official_customer")["customer_uid"] == "official_customer"
assert iamport.customer_delete("official_customer")["customer_uid"] == "official_customer"
try:
    iamport.customer_get("official_customer")
    raise AssertionError("a deleted billing key was found")
except Iamport.HttpError as error:
    assert error.code == 404, error.code

# a declined charge is a Payment with status failed (code 0), not an error
iamport.customer_create(
    customer_uid="official_poor",
    card_number="4000-0000-0000-0002",
    expiry="2030-12",
    birth="900101",
)
declined = iamport.pay_again(
    customer_uid="official_poor", merchant_uid="official_monthly_2", amount=8900
)
assert declined["status"] == "failed" and declined["fail_reason"] == "잔액부족", declined
print("official client flow: ok")

"""Every call's path, parameters and body, and the multi-page / multi-id listings."""

import asyncio
from datetime import UTC, datetime, timedelta

from adapters.iamport.bodies import OnetimeRequest
from adapters.iamport.client import IamportClient
from application.gateway import (
    Approved,
    BillingKeyInfo,
    BillingKeyRequest,
    Buyer,
    CancelRequest,
    IamportStatus,
    NotFound,
    PreparedAmount,
    Rejected,
    Unknown,
)
from domain.card_credentials import CardCredentials
from tests.iamport_client.fake_iamport import (
    KEY,
    SECRET,
    FakeIamport,
    Reply,
    Seen,
    customer,
    ok,
    payment,
)

CARD = CardCredentials(number="9410123456789012", expiry="2031-07", birth="871203", pwd_2digit="47")


async def test_prepare_get_and_update(fake: FakeIamport, client: IamportClient):
    prepared = {"merchant_uid": "ord_1", "amount": 12000, "currency": None}
    fake.on("POST", "/payments/prepare", ok(prepared))
    fake.on("GET", "/payments/prepare/ord_1", ok(prepared))
    fake.on(
        "PUT", "/payments/prepare", Reply(404, {"code": -1, "message": "없음", "response": None})
    )
    assert await client.prepare("ord_1", 12000) == Approved(PreparedAmount("ord_1", 12000))
    assert await client.get_prepared("ord_1") == Approved(PreparedAmount("ord_1", 12000))
    assert await client.update_prepared("ord_1", 13000) == NotFound("없음")
    assert fake.seen("POST", "/payments/prepare")[0].body == {
        "merchant_uid": "ord_1",
        "amount": 12000,
    }
    assert fake.seen("PUT", "/payments/prepare")[0].body == {
        "merchant_uid": "ord_1",
        "amount": 13000,
    }


async def test_path_segments_are_encoded(fake: FakeIamport, client: IamportClient):
    fake.on("GET", "/payments/find/ord 1/", ok(payment("paid")))
    await client.find_payment("ord 1/")
    assert fake.requests[-1].path == "/payments/find/ord 1/"  # sent as ord%201%2F


async def test_cancel_sends_every_field(fake: FakeIamport, client: IamportClient):
    fake.on("POST", "/payments/cancel", ok(payment("cancelled", cancel_amount=10000)))
    request = CancelRequest(
        imp_uid="imp_1",
        amount=10000,
        checksum=10000,
        reason="환불",
        tax_free=0,
        vat_amount=909,
        refund_holder="홍길동",
        refund_bank="88",
        refund_account="110-123-456789",
        refund_tel="010-1234-5678",
    )
    outcome = await client.cancel(request)
    assert isinstance(outcome, Approved) and outcome.value.status is IamportStatus.CANCELLED
    assert fake.seen("POST", "/payments/cancel")[0].body == {
        "imp_uid": "imp_1",
        "amount": 10000,
        "checksum": 10000,
        "reason": "환불",
        "tax_free": 0,
        "vat_amount": 909,
        "refund_holder": "홍길동",
        "refund_bank": "88",
        "refund_account": "110-123-456789",
        "refund_tel": "010-1234-5678",
    }


async def test_partial_cancel_is_approved_and_still_paid(fake: FakeIamport, client: IamportClient):
    fake.on("POST", "/payments/cancel", ok(payment("paid", cancel_amount=4000)))
    request = CancelRequest(imp_uid="imp_1", amount=4000, checksum=10000, reason="부분")
    outcome = await client.cancel(request)
    assert isinstance(outcome, Approved)
    assert outcome.value.status is IamportStatus.PAID and outcome.value.cancel_amount == 4000


async def test_close_vbank(fake: FakeIamport, client: IamportClient):
    fake.on(
        "DELETE", "/vbanks/imp_7", ok(payment("cancelled", imp_uid="imp_7", pay_method="vbank"))
    )
    outcome = await client.close_vbank("imp_7")
    assert isinstance(outcome, Approved) and outcome.value.imp_uid == "imp_7"
    fake.on(
        "DELETE",
        "/vbanks/imp_8",
        Reply(400, {"code": -1, "message": "입금대기 아님", "response": None}),
    )
    assert await client.close_vbank("imp_8") == Rejected("입금대기 아님", -1)
    assert isinstance(await client.close_vbank("imp_9"), Rejected)  # 404: not a lookup


async def test_issue_billing_key_sends_the_card_as_iamport_documents_it(
    fake: FakeIamport, client: IamportClient
):
    fake.on("POST", "/subscribe/customers/card_1", ok(customer("card_1")))
    request = BillingKeyRequest(
        customer_uid="card_1",
        pg="nice.nictest04m",
        card=CARD,
        customer_name="홍길동",
        customer_tel="010-1234-5678",
    )
    outcome = await client.issue_billing_key(request)
    assert isinstance(outcome, Approved) and isinstance(outcome.value, BillingKeyInfo)
    assert outcome.value.card_number == "5594-10**-****-9012"
    assert fake.seen("POST", "/subscribe/customers/card_1")[0].body == {
        "pg": "nice.nictest04m",
        "card_number": "9410-1234-5678-9012",
        "expiry": "2031-07",
        "birth": "871203",
        "pwd_2digit": "47",
        "customer_name": "홍길동",
        "customer_tel": "010-1234-5678",
    }


async def test_get_billing_key(fake: FakeIamport, client: IamportClient):
    fake.on("GET", "/subscribe/customers/card_1", ok(customer("card_1", sandbox=True)))
    outcome = await client.get_billing_key("card_1")
    assert isinstance(outcome, Approved) and outcome.value.sandbox is True


async def test_charge_onetime(fake: FakeIamport, client: IamportClient):
    fake.on("POST", "/subscribe/payments/onetime", ok(payment("paid", merchant_uid="ord_5")))
    request = OnetimeRequest(
        merchant_uid="ord_5", amount=5000, card=CARD, name="후원", buyer=Buyer(name="홍길동")
    )
    outcome = await client.charge_onetime(request)
    assert isinstance(outcome, Approved)
    assert fake.seen("POST", "/subscribe/payments/onetime")[0].body == {
        "merchant_uid": "ord_5",
        "amount": 5000,
        "card_number": "9410-1234-5678-9012",
        "expiry": "2031-07",
        "birth": "871203",
        "pwd_2digit": "47",
        "name": "후원",
        "tax_free": 0,
        "buyer_name": "홍길동",
    }


def _paged(per_page: int, total: int):
    def reply(seen: Seen) -> Reply:
        page = int(seen.param("page") or 1)
        start = (page - 1) * per_page
        items = [
            payment("paid", imp_uid=f"imp_{i:012d}", merchant_uid="ord_1")
            for i in range(start, min(start + per_page, total))
        ]
        last = (total + per_page - 1) // per_page
        return ok(
            {
                "total": total,
                "previous": page - 1,
                "next": page + 1 if page < last else 0,
                "list": items,
            }
        )

    return reply


async def test_find_all_reads_every_page(fake: FakeIamport, client: IamportClient, observed):
    fake.on("GET", "/payments/findAll/ord_1", _paged(2, 5))
    outcome = await client.find_all_payments("ord_1")
    assert isinstance(outcome, Approved) and len(outcome.value) == 5
    pages = fake.seen("GET", "/payments/findAll/ord_1")
    assert [r.param("page") for r in pages] == ["1", "2", "3"]
    assert {r.param("limit") for r in pages} == {"100"}
    assert observed.pairs()[-1] == ("find_all_payments", "approved")  # one report per call


async def test_find_all_unknown_merchant_uid(fake: FakeIamport, client: IamportClient):
    assert isinstance(await client.find_all_payments("nobody"), NotFound)


async def test_a_failing_page_fails_the_listing(fake: FakeIamport, client: IamportClient):
    pages = _paged(2, 5)
    fake.on(
        "GET",
        "/payments/findAll/ord_1",
        lambda seen: Reply(500, b"") if seen.param("page") == "2" else pages(seen),
    )
    assert isinstance(await client.find_all_payments("ord_1"), Unknown)


async def test_list_payments_splits_into_90_day_windows(fake: FakeIamport, client: IamportClient):
    fake.on("GET", "/payments/status/paid", _paged(100, 3))
    since = datetime(2026, 1, 1, tzinfo=UTC)
    until = since + timedelta(days=200)
    outcome = await client.list_payments("paid", since, until)
    assert isinstance(outcome, Approved) and len(outcome.value) == 3  # de-duplicated by imp_uid
    windows = [
        (int(r.param("from")), int(r.param("to")))
        for r in fake.seen("GET", "/payments/status/paid")
    ]
    start, end = int(since.timestamp()), int(until.timestamp()) - 1
    assert windows[0][0] == start and windows[-1][1] == end
    assert len(windows) == 3
    assert all(b - a < 90 * 86400 for a, b in windows)
    assert all(nxt[0] == prev[1] + 1 for prev, nxt in zip(windows, windows[1:], strict=False))


async def test_get_payments_by_many_ids(fake: FakeIamport, client: IamportClient):
    def some(seen: Seen) -> Reply:
        ids = [v for k, v in seen.query if k == "imp_uid[]"]
        found = [payment("paid", imp_uid=i) for i in ids if not i.endswith("x")]
        if not found:
            return Reply(404, {"code": -1, "message": "없음", "response": None})
        return ok(found, status=207 if len(found) < len(ids) else 200)

    fake.on("GET", "/payments", some)
    ids = [f"imp_{i:012d}" for i in range(150)] + ["imp_x"]
    outcome = await client.get_payments(ids)
    assert isinstance(outcome, Approved) and len(outcome.value) == 150
    assert [len([k for k, _ in r.query]) for r in fake.seen("GET", "/payments")] == [100, 51]
    assert isinstance(await client.get_payments(["imp_x"]), NotFound)
    assert await client.get_payments([]) == Approved([])


async def _wave(fake: FakeIamport, client: IamportClient, calls: int) -> set:
    """`calls` lookups at once, none answered before all arrived; the connections they used."""
    all_in = asyncio.Event()

    def held(seen: Seen) -> Reply:
        if len(fake.seen("GET", "/payments/imp_1")) == calls:
            all_in.set()
        return Reply(200, ok(payment()).body, release=all_in)

    fake.on("GET", "/payments/imp_1", held)
    fake.requests.clear()
    outcomes = await asyncio.gather(*(client.get_payment("imp_1") for _ in range(calls)))
    assert all(isinstance(o, Approved) for o in outcomes), outcomes[:3]
    return {seen.client for seen in fake.seen("GET", "/payments/imp_1")}


async def test_concurrent_calls_reuse_their_connections_in_the_next_wave(fake: FakeIamport):
    async with IamportClient(fake.base_url, KEY, SECRET, read_timeout=60) as client:
        first = await _wave(fake, client, 40)
        second = await _wave(fake, client, 40)
    assert len(first) == 40  # more than httpx keeps by default (20)
    # The second wave found every connection kept alive: none was opened anew.
    assert second == first

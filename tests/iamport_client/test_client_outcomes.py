"""One test per outcome class, over real HTTP against the scripted fake iamport."""

import httpx
import pytest

from adapters.iamport.client import IamportClient
from application.gateway import (
    AgainRequest,
    Approved,
    Buyer,
    CancelRequest,
    Declined,
    GatewayConfigurationError,
    IamportStatus,
    NotAttempted,
    NotFound,
    Pending,
    Rejected,
    Unknown,
)
from tests.iamport_client.conftest import Observed
from tests.iamport_client.fake_iamport import (
    KEY,
    SECRET,
    FakeIamport,
    Reply,
    closed_port,
    customer,
    ok,
    payment,
    refuse,
)

AGAIN = AgainRequest(
    customer_uid="card_1",
    merchant_uid="ord_9",
    amount=10000,
    name="정기후원",
    buyer=Buyer(name="홍길동", email="gildong@example.com", tel="010-1234-5678"),
    notice_url="https://dolgo.example/api/webhooks/iamport",
)
CANCEL = CancelRequest(imp_uid="imp_100000000001", amount=4000, checksum=10000, reason="변심")


async def test_approved_lookup(fake: FakeIamport, client: IamportClient, observed: Observed):
    fake.on("GET", "/payments/imp_100000000001", ok(payment("paid")))
    outcome = await client.get_payment("imp_100000000001")
    assert isinstance(outcome, Approved)
    assert outcome.value.status is IamportStatus.PAID and outcome.value.amount == 10000
    assert outcome.value.card_number == "559410*********4"
    (request,) = fake.seen("GET", "/payments/imp_100000000001")
    assert request.headers["authorization"] == "tok-1"
    assert request.param("include_sandbox") is None  # iamport's default: false
    assert observed.pairs() == [("get_token", "approved"), ("get_payment", "approved")]


async def test_include_sandbox(fake: FakeIamport, client: IamportClient):
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1", sandbox=True)))
    outcome = await client.get_payment("imp_1", include_sandbox=True)
    assert isinstance(outcome, Approved) and outcome.value.sandbox is True
    assert fake.seen("GET", "/payments/imp_1")[0].param("include_sandbox") == "true"


async def test_declined_charge(fake: FakeIamport, client: IamportClient, observed: Observed):
    fake.on("POST", "/subscribe/payments/again", ok(payment("failed", fail_reason="잔액부족")))
    outcome = await client.charge_billing_key(AGAIN)
    assert isinstance(outcome, Declined) and outcome.reason == "잔액부족"
    assert outcome.payment is not None and outcome.payment.status is IamportStatus.FAILED
    (request,) = fake.seen("POST", "/subscribe/payments/again")
    assert request.body == {
        "customer_uid": "card_1",
        "merchant_uid": "ord_9",
        "amount": 10000,
        "name": "정기후원",
        "tax_free": 0,
        "buyer_name": "홍길동",
        "buyer_email": "gildong@example.com",
        "buyer_tel": "010-1234-5678",
        "notice_url": "https://dolgo.example/api/webhooks/iamport",
    }
    assert ("charge_billing_key", "declined") in observed.pairs()


async def test_approved_charge(fake: FakeIamport, client: IamportClient):
    fake.on("POST", "/subscribe/payments/again", ok(payment("paid", merchant_uid="ord_9")))
    outcome = await client.charge_billing_key(AGAIN)
    assert isinstance(outcome, Approved) and outcome.value.merchant_uid == "ord_9"


async def test_pending_vbank(fake: FakeIamport, client: IamportClient):
    vbank = payment(
        "ready",
        pay_method="vbank",
        vbank_num="T0309260001",
        vbank_name="신한은행",
        vbank_holder="돌고",
        vbank_date=1700086400,
    )
    fake.on("GET", "/payments/find/ord_1", ok(vbank))
    outcome = await client.find_payment("ord_1")
    assert isinstance(outcome, Pending)
    assert outcome.payment.vbank_num == "T0309260001" and outcome.payment.vbank_date is not None


async def test_rejected_cancel(fake: FakeIamport, client: IamportClient, observed: Observed):
    fake.on("POST", "/payments/cancel", refuse("취소할 결제건이 존재하지 않습니다."))
    outcome = await client.cancel(CANCEL)
    assert outcome == Rejected("취소할 결제건이 존재하지 않습니다.", 1)
    (request,) = fake.seen("POST", "/payments/cancel")
    assert request.body == {
        "imp_uid": "imp_100000000001",
        "amount": 4000,
        "checksum": 10000,
        "reason": "변심",
    }
    assert ("cancel", "rejected") in observed.pairs()


async def test_rejected_on_400(fake: FakeIamport, client: IamportClient):
    fake.on("GET", "/payments/prepare/ord_1", refuse("잘못된 요청", -1, 400))
    assert await client.get_prepared("ord_1") == Rejected("잘못된 요청", -1)


async def test_not_found(fake: FakeIamport, client: IamportClient):
    assert await client.get_payment("imp_404") == NotFound("존재하지 않는 결제정보입니다.")
    fake.on("GET", "/payments/find/ord_1/paid", refuse("결제건이 존재하지 않습니다.", -1, 404))
    assert isinstance(await client.find_payment("ord_1", paid_only=True), NotFound)
    fake.on("GET", "/subscribe/customers/nobody", refuse("없음", -1, 404))
    assert await client.get_billing_key("nobody") == NotFound("없음")


async def test_unknown_customer_on_200_is_rejected(fake: FakeIamport, client: IamportClient):
    message = "요청하신 customer_uid(nobody)로 등록된 정보를 찾을 수 없습니다."
    fake.on("GET", "/subscribe/customers/nobody", refuse(message))
    fake.on("DELETE", "/subscribe/customers/nobody", refuse(message))
    assert await client.get_billing_key("nobody") == Rejected(message, 1)
    assert await client.delete_billing_key("nobody", reason="탈퇴") == Rejected(message, 1)
    assert fake.seen("DELETE", "/subscribe/customers/nobody")[0].param("reason") == "탈퇴"


async def test_delete_billing_key(fake: FakeIamport, client: IamportClient):
    fake.on("DELETE", "/subscribe/customers/card_1", ok(customer("card_1")))
    outcome = await client.delete_billing_key("card_1")
    assert isinstance(outcome, Approved) and outcome.value.customer_uid == "card_1"


async def test_bad_key_is_a_configuration_error(fake: FakeIamport, observed: Observed):
    async with IamportClient(fake.base_url, KEY, "wrong", observer=observed) as client:
        with pytest.raises(GatewayConfigurationError, match="imp_key / imp_secret"):
            await client.get_payment("imp_1")
        with pytest.raises(GatewayConfigurationError):
            await client.charge_billing_key(AGAIN)
    assert fake.seen("POST", "/subscribe/payments/again") == []
    assert observed.pairs()[:2] == [
        ("get_token", "configuration_error"),
        ("get_payment", "configuration_error"),
    ]


async def test_wrong_base_url_is_a_configuration_error(fake: FakeIamport):
    fake.token_reply = Reply(404, b"Not Found")
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        with pytest.raises(GatewayConfigurationError, match="base URL"):
            await client.prepare("ord_1", 1000)


@pytest.mark.parametrize(
    "bare", [Reply(404, b"Not Found"), Reply(404, {"detail": "Not Found", "status_code": 404})]
)
async def test_a_404_without_iamports_envelope_is_a_configuration_error(
    fake: FakeIamport, client: IamportClient, observed: Observed, bare: Reply
):
    """A route that is not iamport's (a wrong base URL behind a working getToken) is no proof
    that a payment does not exist."""
    fake.on("GET", "/payments/imp_1", bare)
    fake.on("DELETE", "/vbanks/imp_1", bare)
    with pytest.raises(GatewayConfigurationError, match="base URL"):
        await client.get_payment("imp_1")
    with pytest.raises(GatewayConfigurationError, match="base URL"):
        await client.close_vbank("imp_1")
    assert ("get_payment", "configuration_error") in observed.pairs()


def test_constructor_refuses_missing_settings():
    with pytest.raises(GatewayConfigurationError):
        IamportClient("api.iamport.kr", KEY, SECRET)
    with pytest.raises(GatewayConfigurationError):
        IamportClient("https://api.iamport.kr", "", SECRET)


async def test_not_attempted_when_nobody_listens(observed: Observed):
    base = f"http://127.0.0.1:{closed_port()}"
    async with IamportClient(base, KEY, SECRET, connect_timeout=1, observer=observed) as client:
        outcome = await client.charge_billing_key(AGAIN)
        assert isinstance(outcome, NotAttempted) and "ConnectError" in outcome.reason
        assert isinstance(await client.get_payment("imp_1"), NotAttempted)
    assert ("charge_billing_key", "not_attempted") in observed.pairs()


async def test_unknown_on_read_timeout_and_the_post_is_sent_once(fake: FakeIamport):
    fake.on("POST", "/subscribe/payments/again", Reply(200, b"{}", delay=1.0))
    async with IamportClient(fake.base_url, KEY, SECRET, read_timeout=0.2) as client:
        outcome = await client.charge_billing_key(AGAIN)
    assert isinstance(outcome, Unknown) and "ReadTimeout" in outcome.reason
    assert len(fake.seen("POST", "/subscribe/payments/again")) == 1


@pytest.mark.parametrize(
    "reply",
    [
        refuse("internal error", -1, 500),
        Reply(502, b"<html>bad gateway</html>"),
        Reply(200, b"\x00not json"),
        Reply(200, {"code": 0, "message": None, "response": None}),
        Reply(200, ok(payment("paid")).body, drop=True),
    ],
    ids=["500", "502-html", "garbage", "code0-null", "dropped"],
)
async def test_unknown_when_the_answer_is_unusable(
    fake: FakeIamport, client: IamportClient, reply: Reply
):
    fake.on("POST", "/payments/cancel", reply)
    fake.on("GET", "/payments/imp_1", reply)
    assert isinstance(await client.cancel(CANCEL), Unknown)
    assert isinstance(await client.get_payment("imp_1"), Unknown)
    # neither is retried: a GET only after a connect error, a POST never
    assert len(fake.seen("POST", "/payments/cancel")) == 1
    assert len(fake.seen("GET", "/payments/imp_1")) == 1


class FlakyConnect(httpx.AsyncBaseTransport):
    """Refuses the first `failures` non-token requests with ConnectError, then passes through."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.failures and not request.url.path.endswith("/getToken"):
            self.failures -= 1
            raise httpx.ConnectError("connection refused (scripted)", request=request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


async def test_a_get_is_retried_once_after_a_connect_error(fake: FakeIamport):
    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with httpx.AsyncClient(transport=FlakyConnect(1)) as http:
        client = IamportClient(fake.base_url, KEY, SECRET, http=http)
        assert isinstance(await client.get_payment("imp_1"), Approved)
    async with httpx.AsyncClient(transport=FlakyConnect(2)) as http:
        client = IamportClient(fake.base_url, KEY, SECRET, http=http)
        assert isinstance(await client.get_payment("imp_1"), NotAttempted)


async def test_a_post_is_not_retried_after_a_connect_error(fake: FakeIamport):
    fake.on("POST", "/subscribe/payments/again", ok(payment("paid")))
    async with httpx.AsyncClient(transport=FlakyConnect(1)) as http:
        client = IamportClient(fake.base_url, KEY, SECRET, http=http)
        assert isinstance(await client.charge_billing_key(AGAIN), NotAttempted)
    assert fake.seen("POST", "/subscribe/payments/again") == []


async def test_token_server_error_means_the_charge_was_not_attempted(fake: FakeIamport):
    fake.token_reply = refuse("internal", -1, 503)
    fake.on("POST", "/subscribe/payments/again", ok(payment("paid")))
    async with IamportClient(fake.base_url, KEY, SECRET) as client:
        outcome = await client.charge_billing_key(AGAIN)
    assert isinstance(outcome, NotAttempted) and "access token" in outcome.reason
    assert fake.seen("POST", "/subscribe/payments/again") == []


async def test_a_broken_observer_does_not_break_a_call(fake: FakeIamport):
    def observer(operation: str, outcome: str, seconds: float) -> None:
        raise RuntimeError("prometheus is down")

    fake.on("GET", "/payments/imp_1", ok(payment("paid", imp_uid="imp_1")))
    async with IamportClient(fake.base_url, KEY, SECRET, observer=observer) as client:
        assert isinstance(await client.get_payment("imp_1"), Approved)

"""Operator controls: console cancel, clock, faults, webhook delivery options, reset."""

from __future__ import annotations

import asyncio

import httpx
import pytest


async def test_console_cancel_sends_cancelled_webhooks(api, client, inbox, drained):
    paid = await api.pay("o-con", 10000)
    part = (
        await client.post(f"/_sandbox/payments/{paid['imp_uid']}/cancel", json={"amount": 4000})
    ).json()
    assert part["status"] == "paid" and part["cancel_amount"] == 4000
    full = (await client.post(f"/_sandbox/payments/{paid['imp_uid']}/cancel")).json()
    assert full["status"] == "cancelled"
    await drained()
    assert inbox.bodies()[1:] == [
        {
            "imp_uid": paid["imp_uid"],
            "merchant_uid": "o-con",
            "status": "cancelled",
            "cancellation_id": part["cancellation_id"],
        },
        {
            "imp_uid": paid["imp_uid"],
            "merchant_uid": "o-con",
            "status": "cancelled",
            "cancellation_id": full["cancellation_id"],
        },
    ]
    assert (await client.post(f"/_sandbox/payments/{paid['imp_uid']}/cancel")).status_code == 409


async def test_clock_advance_and_set(client, clock):
    start = int(clock.now.timestamp())
    advanced = (await client.post("/_sandbox/clock", json={"advance": 3600})).json()
    assert advanced["now"] == start + 3600
    token = (
        await client.post(
            "/users/getToken", json={"imp_key": "sandbox_key", "imp_secret": "sandbox_secret"}
        )
    ).json()
    assert token["response"]["now"] == start + 3600
    assert (await client.post("/_sandbox/clock", json={"set": 1800000000})).json()[
        "now"
    ] == 1800000000


async def test_error_fault_on_the_next_n_calls_of_a_path(api, raw_client, client):
    await client.post(
        "/_sandbox/faults",
        json={"kind": "error", "path": "/payments/prepare", "count": 2, "status": 502},
    )
    token = await api.token()
    for _ in range(2):
        failed = await raw_client.post(
            "/payments/prepare",
            json={"merchant_uid": "o-5xx", "amount": 1},
            headers={"Authorization": token},
        )
        assert failed.status_code == 502 and "text/html" in failed.headers["content-type"]
    assert (await api.ok("POST", "/payments/prepare", json={"merchant_uid": "o-5xx", "amount": 1}))[
        "amount"
    ] == 1
    assert (await client.get("/_sandbox/faults")).json()["rules"] == []


async def test_drop_fault_does_not_apply_the_request(api, raw_client, client, state):
    await client.post(
        "/_sandbox/faults", json={"kind": "drop", "path": "/payments/prepare", "count": 1}
    )
    token = await api.token()
    with pytest.raises(httpx.RemoteProtocolError):
        await raw_client.post(
            "/payments/prepare",
            json={"merchant_uid": "o-drop", "amount": 1},
            headers={"Authorization": token},
        )
    assert "o-drop" not in state.store.prepared


async def test_drop_after_commit_applies_the_charge(api, raw_client, client, state):
    await api.register_card("cust-dac")
    await client.post(
        "/_sandbox/faults", json={"kind": "drop_after_commit", "path": "/subscribe/payments/again"}
    )
    token = await api.token()
    with pytest.raises(httpx.RemoteProtocolError):
        await raw_client.post(
            "/subscribe/payments/again",
            json={"customer_uid": "cust-dac", "merchant_uid": "o-dac", "amount": 100},
            headers={"Authorization": token},
        )
    [payment] = state.store.by_merchant_uid("o-dac")
    assert payment.status == "paid"


async def test_timeout_after_commit_holds_the_response_until_released(
    api, raw_client, client, state
):
    paid = await api.pay("o-hold", 1000)
    await client.post(
        "/_sandbox/faults",
        json={"kind": "timeout_after_commit", "path": "/payments/cancel", "seconds": 30},
    )
    token = await api.token()
    call = asyncio.create_task(
        raw_client.post(
            "/payments/cancel", json={"imp_uid": paid["imp_uid"]}, headers={"Authorization": token}
        )
    )
    for _ in range(100):
        await asyncio.sleep(0.01)
        if state.store.payments[paid["imp_uid"]].status == "cancelled":
            break
    assert state.store.payments[paid["imp_uid"]].status == "cancelled"  # applied...
    assert not call.done()  # ...but no answer
    await client.post("/_sandbox/faults/release")
    response = await asyncio.wait_for(call, 5)
    assert response.json()["response"]["status"] == "cancelled"


async def test_hang_fault_never_handles_the_request(api, raw_client, client, state):
    await client.post(
        "/_sandbox/faults",
        json={"kind": "hang", "path": "/subscribe/payments/again", "seconds": 30, "count": 1},
    )
    token = await api.token()
    body = {"customer_uid": "cu_hang", "merchant_uid": "o-hang", "amount": 1000, "name": "후원"}
    call = asyncio.create_task(
        raw_client.post("/subscribe/payments/again", json=body, headers={"Authorization": token})
    )
    await asyncio.sleep(0.1)
    assert not call.done()  # held...
    await client.post("/_sandbox/faults/release")
    with pytest.raises(httpx.RemoteProtocolError):
        await asyncio.wait_for(call, 5)
    assert state.store.by_merchant_uid("o-hang") == []  # ...and never handled


async def test_refuse_fault_answers_the_refusal_envelope_unhandled(api, raw_client, client, state):
    await client.post(
        "/_sandbox/faults",
        json={"kind": "refuse", "path": "/payments/prepare", "message": "거절", "count": 1},
    )
    token = await api.token()
    response = await raw_client.post(
        "/payments/prepare",
        json={"merchant_uid": "o-refused", "amount": 1000},
        headers={"Authorization": token},
    )
    assert response.status_code == 200
    assert response.json() == {"code": 1, "message": "거절", "response": None}
    assert "o-refused" not in state.store.prepared


async def test_latency_fault(api, client):
    await client.post(
        "/_sandbox/faults",
        json={"kind": "latency", "path": "/payments/find", "seconds": 0.2, "count": 1},
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    await api.get("/payments/find/none")
    assert loop.time() - started >= 0.2


async def test_faults_never_touch_the_window_or_operator_paths(api, client):
    await client.post("/_sandbox/faults", json={"kind": "error"})
    assert (await client.get("/_sandbox/faults")).status_code == 200
    assert (await client.get("/js/iamport.js")).status_code == 200
    await client.delete("/_sandbox/faults")
    assert await api.token()


async def test_webhooks_as_form_with_duplicates(api, client, inbox, drained):
    await client.put("/_sandbox/webhooks/config", json={"format": "form", "duplicates": 1})
    paid = await api.pay("o-form", 1000)
    await drained()
    assert [r["content_type"] for r in inbox.received] == ["application/x-www-form-urlencoded"] * 2
    assert (
        inbox.bodies()
        == [{"imp_uid": paid["imp_uid"], "merchant_uid": "o-form", "status": "paid"}] * 2
    )


async def test_held_webhooks_are_flushed_in_reverse_order(api, client, inbox, drained):
    await client.put("/_sandbox/webhooks/config", json={"hold": True})
    rsp = (await api.window(merchant_uid="o-ro", amount=1000, pay_method="vbank", pg="kcp"))["rsp"]
    await client.post(f"/_sandbox/vbanks/{rsp['imp_uid']}/deposit")
    await drained()
    assert inbox.received == []
    assert (await client.post("/_sandbox/webhooks/flush", json={"order": "reverse"})).json() == {
        "flushed": 2
    }
    await drained()
    assert [b["status"] for b in inbox.bodies()] == ["paid", "ready"]


async def test_retries_on_5xx_only_when_enabled(api, client, inbox, drained):
    inbox.fail_next = 2
    await api.pay("o-noretry", 1000)
    await drained()
    assert len(inbox.received) == 1  # default: one attempt
    await client.put("/_sandbox/webhooks/config", json={"retry": True, "retry_interval": 0.01})
    await api.pay("o-retry", 1000)
    await drained()
    deliveries = (await client.get("/_sandbox/webhooks", params={"wait": "true"})).json()[
        "deliveries"
    ]
    assert [a["status_code"] for a in deliveries[-1]["attempts"]] == [500, 200]
    assert deliveries[-1]["state"] == "delivered"


async def test_retries_stop_after_five(api, client, inbox, drained):
    inbox.fail_next = 10
    await client.put("/_sandbox/webhooks/config", json={"retry": True, "retry_interval": 0.001})
    await api.pay("o-5", 1000)
    await drained()
    assert len(inbox.received) == 6
    assert (await client.get("/_sandbox/webhooks")).json()["deliveries"][0]["state"] == "failed"


async def test_unreachable_webhook_is_recorded_not_raised(make_app, clock):
    from .conftest import BASE, Api

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    app = make_app(webhook_transport=httpx.MockTransport(refuse))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        api = Api(client, app.state.sandbox)
        paid = await api.pay("o-unreach", 1000)
        assert paid["status"] == "paid"
        await app.state.sandbox.webhooks.drain()
        [delivery] = app.state.sandbox.webhooks.deliveries
        assert delivery.state == "failed" and "ConnectError" in delivery.attempts[0].error


async def test_webhook_first_timing_delivers_before_the_callback(api, client, inbox):
    await client.put("/_sandbox/webhooks/config", json={"timing": "before_response"})
    await api.pay("o-first", 1000)
    assert len(inbox.received) == 1  # no drain needed: delivered before the window answered


async def test_no_console_url_records_no_url(make_app):
    from .conftest import BASE, Api

    app = make_app(webhook_url=None)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        await Api(client, app.state.sandbox).pay("o-nourl", 1000)
        [delivery] = app.state.sandbox.webhooks.deliveries
        assert delivery.state == "no_url"


async def test_reset_forgets_everything(api, client, state):
    await api.pay("o-reset", 1000)
    await client.put("/_sandbox/channels/nice", json={"outage": True})
    await client.post("/_sandbox/clock", json={"advance": 100})
    await client.post("/_sandbox/reset")
    assert (
        state.store.payments == {} and state.store.outages == {} and state.webhooks.deliveries == []
    )
    assert (await client.get("/_sandbox/clock")).json()["offset"] == 0
    overview = (await client.get("/_sandbox")).json()
    assert overview["payments"] == 0 and all(not c["outage"] for c in overview["channels"])


async def test_cards_listing(client):
    listed = (await client.get("/_sandbox/cards")).json()
    assert {c["outcome"] for c in listed} == {"approve", "decline", "invalid"}
    assert any(c["decline_reason"] == "잔액부족" for c in listed)

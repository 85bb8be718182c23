"""Operators see outgoing events, their delivery log and dead letters, and resend them."""

from datetime import timedelta

import pytest
from dependency_injector import providers

from adapters.scheduler.jobs import JOBS
from application.outbox import DELIVERY_SCHEDULE
from tests.application.test_deliver_events import DOWN, ScriptedSender
from tests.http.conftest import Api, assert_problem, paid_order

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture
def env() -> dict[str, str]:
    return {
        "DOLGO_EVENT_ENDPOINTS": "main=https://dolgo.example/hooks/pay",
        "DOLGO_EVENT_SECRETS": SECRET,
    }


@pytest.fixture
def sender(api: Api) -> ScriptedSender:
    sender = ScriptedSender(api.clock)
    api.container.event_sender.override(providers.Object(sender))
    return sender


async def deliver(api: Api) -> str:
    return (await JOBS["deliver-events"][1](api.container)).summary


async def test_a_dead_letter_is_listed_logged_and_resent_by_an_operator(api: Api, sender) -> None:
    order = await paid_order(api)
    sender.fail("main", *([DOWN] * 8))
    for step in (timedelta(0), *DELIVERY_SCHEDULE):
        api.clock.advance(step)
        await deliver(api)

    r = await api.get("/api/admin/event-deliveries?state=dead", who="admin")
    assert r.status_code == 200, r.text
    [dead] = r.json()["items"]
    assert (dead["endpoint"], dead["attempts"], dead["last_status"]) == ("main", 8, 503)

    r = await api.get(f"/api/admin/events/{dead['event_id']}", who="admin")
    assert r.status_code == 200, r.text
    detail = r.json()
    assert (detail["event"]["type"], detail["body"]["type"], detail["body"]["id"]) == (
        "payment.paid",
        "payment.paid",
        dead["event_id"],
    )
    assert detail["body"]["data"]["merchant_uid"] == order["merchant_uid"]
    assert [a["attempt"] for a in detail["deliveries"][0]["attempts"]] == list(range(1, 9))

    r = await api.post(f"/api/admin/events/{dead['event_id']}/resend", who="admin", json={})
    assert r.status_code == 200, r.text
    assert r.json()["deliveries"][0]["delivery"]["state"] == "pending"
    assert "delivered 1" in await deliver(api)
    r = await api.get("/api/admin/event-deliveries?state=delivered", who="admin")
    [delivered] = r.json()["items"]
    assert (delivered["id"], delivered["resent_by"]) == (dead["id"], "operator:900")


async def test_the_outbox_lists_events_by_type(api: Api, sender) -> None:
    await paid_order(api)
    r = await api.get("/api/admin/events?type=payment.paid", who="admin")
    assert [e["type"] for e in r.json()["items"]] == ["payment.paid"]
    r = await api.get("/api/admin/events?type=card.deleted", who="admin")
    assert r.json()["items"] == []
    r = await api.get("/api/admin/events?type=payment.exploded", who="admin")
    assert_problem(r, 400, "validation_error")


async def test_events_are_for_operators_only(api: Api, sender) -> None:
    await paid_order(api)
    r = await api.get("/api/admin/events", who="a")
    assert r.status_code == 403, r.text
    r = await api.post(f"/api/admin/events/evt_{'0' * 32}/resend", who="admin", json={})
    assert_problem(r, 404, "not_found")
    r = await api.get("/api/admin/events/not-an-id", who="admin")
    assert_problem(r, 400, "validation_error")

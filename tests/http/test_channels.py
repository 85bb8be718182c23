"""PG channels for operators: the shared breakers (view, force open/closed), metrics, and
checkout routing around an open breaker (spec §4.9)."""

from tests.http.conftest import Api, assert_problem, checkout


async def put_breaker(api: Api, name: str, body: dict, who: str = "admin"):
    return await api.client.put(
        f"/api/admin/channels/{name}/breaker", json=body, headers=api.auth(who)
    )


async def test_operators_see_every_channel_closed_at_first(api: Api) -> None:
    r = await api.get("/api/admin/channels", who="admin")
    assert r.status_code == 200, r.text
    channels = {c["name"]: c for c in r.json()["channels"]}
    assert {"nice", "html5_inicis", "kcp", "danal"} <= channels.keys()
    assert (channels["nice"]["breaker"], channels["nice"]["admits"]) == ("closed", "allow")
    assert channels["nice"]["key_issuance"] == "rest"


async def test_forcing_a_breaker_open_moves_checkout_and_lifting_it_moves_it_back(api: Api):
    assert (await checkout(api))["request_pay"]["pg"].startswith("nice")
    r = await put_breaker(api, "nice", {"force": "open", "reason": "PG사 장애 공지"})
    assert r.status_code == 200, r.text
    assert (r.json()["breaker"], r.json()["admits"], r.json()["forced_by"]) == (
        "forced_open",
        "refuse",
        "operator:900",
    )

    moved = await checkout(api)
    assert moved["request_pay"]["pg"].startswith("html5_inicis")
    payment = (await api.get(f"/api/payments/{moved['payment_id']}")).json()
    assert payment["channel"] == "html5_inicis"
    assert "passed over nice (forced_open)" in payment["route_reason"]

    assert (await put_breaker(api, "nice", {"force": None})).json()["breaker"] == "closed"
    back = await checkout(api)
    assert back["request_pay"]["pg"].startswith("nice")


async def test_the_breaker_state_is_in_the_metrics(api: Api) -> None:
    await put_breaker(api, "kcp", {"force": "open"})
    text = (await api.get("/metrics", who=None)).text
    assert 'dolgo_pay_channel_breaker{channel="kcp",state="forced_open"} 1.0' in text
    assert 'dolgo_pay_channel_breaker{channel="kcp",state="closed"} 0.0' in text


async def test_forcing_names_the_channel_and_the_mode(api: Api) -> None:
    assert_problem(await put_breaker(api, "nowhere", {"force": "open"}), 404, "not_found")
    body = assert_problem(
        await put_breaker(api, "nice", {"force": "ajar"}), 400, "validation_error"
    )
    assert body["field"] == "force"
    assert_problem(await put_breaker(api, "nice", {"force": "open"}, who="a"), 403, "forbidden")

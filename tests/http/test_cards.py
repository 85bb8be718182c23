"""Cards: REST registration, window registration, list, delete."""

from tests.http.conftest import Api, assert_problem

CARD = {
    "issuance": "rest",
    "card_number": "5365-1034-8291-4417",
    "expiry": "2031-07",
    "birth": "730415",
    "pwd_2digit": "93",
}


async def test_register_by_rest_then_list_and_delete(api: Api) -> None:
    r = await api.post("/api/cards", json=CARD)
    assert r.status_code == 201, r.text
    card = r.json()["card"]
    assert card["status"] == "active"
    assert card["card_disp"].endswith("4417") and "1034-8291" not in card["card_disp"]

    listed = await api.get("/api/cards")
    assert [c["id"] for c in listed.json()["items"]] == [card["id"]]

    r = await api.client.delete(f"/api/cards/{card['id']}", headers=api.auth("a"))
    assert r.status_code == 200 and r.json()["status"] == "deleted"
    assert (await api.get("/api/cards")).json()["items"] == []


async def test_window_registration_returns_request_pay(api: Api) -> None:
    r = await api.post("/api/cards", json={"issuance": "window"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["card"]["status"] == "issuing"
    params = body["request_pay"]
    assert params["customer_uid"] and params["pg"].startswith("html5_inicis")
    assert params["notice_url"] == "https://pay.dolgo.example/api/webhooks/iamport"


async def test_window_completion_activates_the_card(api: Api) -> None:
    started = (await api.post("/api/cards", json={"issuance": "window"})).json()
    customer_uid = started["request_pay"]["customer_uid"]
    from application.gateway import BillingKeyInfo

    api.gateway.keys[customer_uid] = BillingKeyInfo(
        customer_uid,
        pg_provider="html5_inicis",
        pg_id="MOIdolgo01",
        card_number="5365-10**-****-4417",
    )
    r = await api.post(f"/api/cards/{started['card']['id']}/complete", json={})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "active"


async def test_card_refused_by_iamport_is_422(api: Api) -> None:
    r = await api.post("/api/cards", json={**CARD, "card_number": "4000-0000-0000-0010"})
    assert_problem(r, 422, "gateway_rejected")


async def test_other_users_card_is_404(api: Api) -> None:
    card = (await api.post("/api/cards", json=CARD)).json()["card"]
    r = await api.client.delete(f"/api/cards/{card['id']}", headers=api.auth("b"))
    assert_problem(r, 404, "not_found")
    assert (await api.get("/api/cards", who="b")).json()["items"] == []


async def test_unknown_issuance_and_fields_are_400(api: Api) -> None:
    r = await api.post("/api/cards", json={"issuance": "telepathy"})
    body = assert_problem(r, 400, "validation_error")
    assert body["field"] == "issuance"
    r = await api.post("/api/cards", json={**CARD, "cvc": "123"})
    body = assert_problem(r, 400, "validation_error")
    assert body["field"] == "cvc"


async def window_key(api: Api, customer_uid: str, pg_provider: str, pg_id: str) -> None:
    """iamport now holds a key under `customer_uid` (the sponsor finished that window)."""
    from application.gateway import BillingKeyInfo

    api.gateway.keys[customer_uid] = BillingKeyInfo(
        customer_uid, pg_provider=pg_provider, pg_id=pg_id, card_number="5365-10**-****-4417"
    )


async def test_a_window_card_whose_backup_is_window_issued_asks_for_a_second_window(api: Api):
    started = (await api.post("/api/cards", json={"issuance": "window"})).json()
    card_id = started["card"]["id"]
    await window_key(api, started["request_pay"]["customer_uid"], "html5_inicis", "MOIdolgo01")
    done = (await api.post(f"/api/cards/{card_id}/complete", json={})).json()
    assert done["channels"] == ["html5_inicis"]
    assert done["backup_registration"]["channel"] == "kcp_billing"

    backup = await api.post(f"/api/cards/{card_id}/backup", json={"buyer_name": "홍길동"})
    assert backup.status_code == 201, backup.text
    params = backup.json()["request_pay"]
    assert (params["pg"], params["merchant_uid"]) == (
        "kcp_billing.BA001",
        f"dpk{card_id}bkcp_billing",
    )
    assert params["customer_uid"] != started["request_pay"]["customer_uid"]
    await window_key(api, params["customer_uid"], "kcp_billing", "BA001")
    done = (await api.post(f"/api/cards/{card_id}/complete", json={})).json()

    assert done["channels"] == ["html5_inicis", "kcp_billing"]  # the same card, two keys
    assert "backup_registration" not in done
    again = await api.post(f"/api/cards/{card_id}/backup", json={})
    assert_problem(again, 409, "conflict")


async def test_a_backup_window_left_without_a_key_keeps_the_card_on_its_primary(api: Api):
    started = (await api.post("/api/cards", json={"issuance": "window"})).json()
    card_id = started["card"]["id"]
    await window_key(api, started["request_pay"]["customer_uid"], "html5_inicis", "MOIdolgo01")
    await api.post(f"/api/cards/{card_id}/complete", json={})
    assert (await api.post(f"/api/cards/{card_id}/backup", json={})).status_code == 201

    failed = await api.post(f"/api/cards/{card_id}/complete", json={})  # no key at iamport

    assert_problem(failed, 422, "verification_failed")
    [listed] = (await api.get("/api/cards")).json()["items"]
    assert (listed["status"], listed["channels"]) == ("active", ["html5_inicis"])
    assert listed["backup_registration"]["channel"] == "kcp_billing"  # may be tried again


async def test_the_backup_windows_webhook_settles_the_backup_key_without_the_browser(api: Api):
    from application.use_cases.register_card import ResolveCardIssuanceCommand

    started = (await api.post("/api/cards", json={"issuance": "window"})).json()
    card_id = started["card"]["id"]
    await window_key(api, started["request_pay"]["customer_uid"], "html5_inicis", "MOIdolgo01")
    await api.post(f"/api/cards/{card_id}/complete", json={})
    params = (await api.post(f"/api/cards/{card_id}/backup", json={})).json()["request_pay"]
    await window_key(api, params["customer_uid"], "kcp_billing", "BA001")

    resolved = await api.container.resolve_card_issuance().execute(
        ResolveCardIssuanceCommand(card_id, missing_is_failure=False, cause="webhook")
    )

    assert resolved.resolved
    assert [k.channel for k in resolved.card.keys if k.active] == ["html5_inicis", "kcp_billing"]

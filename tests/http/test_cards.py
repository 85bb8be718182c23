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

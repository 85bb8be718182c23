"""POST /users/getToken and the token rules of docs/iamport.md §2 / §11.1."""

from __future__ import annotations

KEYS = {"imp_key": "sandbox_key", "imp_secret": "sandbox_secret"}


async def _token(client, **kwargs):
    response = await client.post("/users/getToken", **kwargs)
    return response.status_code, response.json()


async def test_get_token_json_and_form_return_the_same_token(client, clock):
    status, body = await _token(client, json=KEYS)
    assert status == 200 and body["code"] == 0 and body["message"] is None
    token = body["response"]
    assert token["now"] == int(clock.now.timestamp())
    assert token["expired_at"] == token["now"] + 30 * 60
    status, form_body = await _token(client, data=KEYS)
    assert status == 200 and form_body["response"]["access_token"] == token["access_token"]


async def test_reuse_before_expiry_keeps_the_same_expiry(client, clock):
    first = (await _token(client, json=KEYS))[1]["response"]
    clock.advance(minutes=20)
    again = (await _token(client, json=KEYS))[1]["response"]
    assert again["access_token"] == first["access_token"]
    assert again["expired_at"] == first["expired_at"]


async def test_asking_in_the_last_minute_extends_by_five_minutes(client, clock):
    first = (await _token(client, json=KEYS))[1]["response"]
    clock.advance(minutes=29, seconds=30)
    again = (await _token(client, json=KEYS))[1]["response"]
    assert again["access_token"] == first["access_token"]
    assert again["expired_at"] == first["expired_at"] + 5 * 60


async def test_after_expiry_a_new_token_and_the_old_one_is_refused(client, clock):
    first = (await _token(client, json=KEYS))[1]["response"]
    clock.advance(minutes=30)
    refused = await client.get(
        "/payments/imp_000000000000", headers={"Authorization": first["access_token"]}
    )
    assert refused.status_code == 401
    assert refused.json() == {"code": -1, "message": "Unauthorized", "response": None}
    second = (await _token(client, json=KEYS))[1]["response"]
    assert second["access_token"] != first["access_token"]
    assert second["expired_at"] == int(clock.now.timestamp()) + 30 * 60


async def test_bad_keys_and_missing_keys_are_401(client):
    status, body = await _token(client, json={"imp_key": "sandbox_key", "imp_secret": "nope"})
    assert status == 401 and body == {"code": -1, "message": "Unauthorized", "response": None}
    status, body = await _token(client, json={})
    assert status == 401 and body["code"] == -1 and "imp_key" in body["message"]


async def test_token_is_an_opaque_40_hex_string(client):
    token = (await _token(client, json=KEYS))[1]["response"]["access_token"]
    assert len(token) == 40 and int(token, 16) >= 0


async def test_raw_bearer_and_legacy_headers_are_accepted(client):
    token = (await _token(client, json=KEYS))[1]["response"]["access_token"]
    for headers in (
        {"Authorization": token},
        {"Authorization": f"Bearer {token}"},
        {"X-ImpTokenHeader": token},
    ):
        response = await client.get("/payments/imp_000000000000", headers=headers)
        assert response.status_code == 404, headers  # authorized, then not found


async def test_authorization_wins_over_the_legacy_header(client):
    token = (await _token(client, json=KEYS))[1]["response"]["access_token"]
    wrong_auth = {"Authorization": "0" * 40, "X-ImpTokenHeader": token}
    assert (await client.get("/payments/imp_000000000000", headers=wrong_auth)).status_code == 401
    right_auth = {"Authorization": token, "X-ImpTokenHeader": "0" * 40}
    assert (await client.get("/payments/imp_000000000000", headers=right_auth)).status_code == 404


async def test_every_api_route_needs_a_token(client):
    for method, path in [
        ("GET", "/payments/imp_000000000000"),
        ("POST", "/payments/prepare"),
        ("POST", "/payments/cancel"),
        ("GET", "/subscribe/customers/c1"),
        ("POST", "/subscribe/payments/again"),
        ("DELETE", "/vbanks/imp_000000000000"),
    ]:
        response = await client.request(method, path)
        assert response.status_code == 401, (method, path)

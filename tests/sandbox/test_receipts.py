"""현금영수증 routes (GET / POST / DELETE /receipts/{imp_uid}), answers checked against the swagger."""

from __future__ import annotations

PHONE = "01012345678"


async def test_a_transfer_gets_a_receipt_once_then_it_is_cancelled(api):
    paid = await api.pay("o-rc1", 11000, pay_method="trans", pg="kcp")
    path = f"/receipts/{paid['imp_uid']}"
    issued = await api.ok("POST", path, json={"identifier": PHONE, "type": "person"})
    again = await api.post(path, json={"identifier": PHONE})
    looked_up = await api.ok("GET", path)
    cancelled = await api.ok("DELETE", path)
    twice = await api.call("DELETE", path)

    assert (issued["amount"], issued["vat"], issued["type"], issued["cancelled_at"]) == (
        11000,
        1000,
        "person",
        0,
    )
    assert (again.status_code, looked_up["apply_num"]) == (400, issued["apply_num"])
    assert cancelled["cancelled_at"] > 0 and twice.status_code == 400
    assert PHONE not in str(api.state.store.receipts)  # kept masked only


async def test_refusals_follow_the_swagger(api):
    card = await api.pay("o-rc2", 5000)
    trans = await api.pay("o-rc3", 5000, pay_method="trans", pg="kcp")
    no_identifier = await api.post(f"/receipts/{trans['imp_uid']}", json={})
    not_cash = await api.post(f"/receipts/{card['imp_uid']}", json={"identifier": PHONE})
    none = await api.get(f"/receipts/{trans['imp_uid']}")
    unknown = await api.post("/receipts/imp_000000000000", json={"identifier": PHONE})
    assert [r.status_code for r in (no_identifier, not_cash, none, unknown)] == [400, 400, 404, 400]

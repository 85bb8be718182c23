"""The client address under a real uvicorn (`dolgo-pay serve`): X-Forwarded-For counts only
from DOLGO_TRUSTED_PROXIES, so a loopback peer cannot pick its own address with one header."""

from pathlib import Path

import httpx

from tests.serving import serving

ALLOWED = "203.0.113.7"  # the only address the webhook allow-list admits
WEBHOOK = {"imp_uid": "imp_100000000001", "merchant_uid": "dp1a1", "status": "paid"}


def post_webhook(base_url: str, forwarded_for: str | None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return httpx.post(f"{base_url}/api/webhooks/iamport", json=WEBHOOK, headers=headers)


def test_a_spoofed_forwarded_for_is_ignored_without_trusted_proxies(tmp_path: Path) -> None:
    with serving(tmp_path, {"DOLGO_WEBHOOK_ALLOWED_IPS": ALLOWED}) as served:
        r = post_webhook(served.base_url, ALLOWED)
        assert r.status_code == 403, r.text
        assert r.json()["code"] == "webhook_source_forbidden"


def test_forwarded_for_counts_from_a_trusted_proxy(tmp_path: Path) -> None:
    env = {"DOLGO_WEBHOOK_ALLOWED_IPS": ALLOWED, "DOLGO_TRUSTED_PROXIES": "127.0.0.1/32"}
    with serving(tmp_path, env) as served:
        assert post_webhook(served.base_url, None).status_code == 403
        r = post_webhook(served.base_url, f"198.51.100.1, {ALLOWED}")
        assert r.status_code == 200, r.text


def test_allow_listed_webhook_sources_are_never_rate_limited(tmp_path: Path) -> None:
    """A billing run's notifications come from iamport's few addresses: the per-IP webhook
    limit counts only the others."""
    env = {"DOLGO_WEBHOOK_ALLOWED_IPS": "127.0.0.1", "DOLGO_RATE_LIMIT_WEBHOOK_PER_IP": "1/minute"}
    with serving(tmp_path, env) as served:
        assert [post_webhook(served.base_url, None).status_code for _ in range(3)] == [200] * 3

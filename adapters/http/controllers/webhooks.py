"""POST /api/webhooks/iamport: iamport's notification (JSON or form), stored then processed.

The body is a hint: it is stored in the inbox first (ReceiveWebhook) and answered 200 as soon
as it is stored (400 naming the field when imp_uid, merchant_uid or status is present but not in
iamport's format: stored all the same, never looked up); processing (re-fetch by imp_uid, sync) follows in the same request, and if it
fails the message stays in the inbox for the scheduler's retry. Unknown fields are accepted.
An optional source-IP allow-list (DOLGO_WEBHOOK_ALLOWED_IPS) is checked on the client address
(X-Forwarded-For only from DOLGO_TRUSTED_PROXIES); other sources are rate-limited per IP
(DOLGO_RATE_LIMIT_WEBHOOK_PER_IP: 429 before anything is stored).
"""

import logging
from typing import Any

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency

from adapters.http.auth import NO_TOKEN, PUBLIC
from adapters.http.network import allowed, client_ip
from adapters.http.openapi import problems
from adapters.http.problems import WebhookSourceForbidden
from adapters.http.rate_limit import WEBHOOK, limited
from adapters.metrics import webhook_received
from application.use_cases.handle_webhook import (
    ProcessWebhook,
    ProcessWebhookCommand,
    ReceiveWebhook,
    ReceiveWebhookCommand,
    malformed_field,
    parse_notification,
)
from domain.errors import InvalidValue

log = logging.getLogger("dolgo_pay.webhooks")
MAX_BODY = 64 * 1024


class WebhookAck(msgspec.Struct):
    received: bool
    id: int
    state: str  # processed | unmatched | failed (kept for a retry) | received


async def _process(process: ProcessWebhook, message_id: int) -> str:
    """Processing never turns a stored webhook into an error answer: a failure is retried."""
    try:
        result = await process.execute(ProcessWebhookCommand(message_id))
    except Exception:  # noqa: BLE001 - stored already; the scheduler retries it
        log.exception("webhook %s stored; processing failed, will be retried", message_id)
        return "received"
    return str(result.state.value)


class WebhookController(Controller):
    path = "/api/webhooks"
    tags = ["webhooks"]
    opt = PUBLIC

    @post(
        "/iamport",
        operation_id="iamportWebhook",
        summary="iamport notification: {imp_uid, merchant_uid, status} as JSON or form",
        description="Unknown fields are accepted. Answered 200 once stored in the inbox.",
        status_code=200,
        request_max_body_size=MAX_BODY,
        opt=limited(WEBHOOK),
        responses=problems(403, 413, 429),
        security=NO_TOKEN,
    )
    async def iamport(
        self,
        request: Request[Any, Any, Any],
        config: NamedDependency[Any],
        receive_webhook: NamedDependency[ReceiveWebhook],
        process_webhook: NamedDependency[ProcessWebhook],
    ) -> WebhookAck:
        source = client_ip(request, config.trusted_proxies)
        if config.webhook_allowed_ips and not allowed(source, config.webhook_allowed_ips):
            log.warning("webhook refused from %s (not in DOLGO_WEBHOOK_ALLOWED_IPS)", source)
            raise WebhookSourceForbidden("this address may not send iamport webhooks")
        body = (await request.body()).decode("utf-8", errors="replace")
        content_type = request.headers.get("content-type", "")
        message_id = await receive_webhook.execute(
            ReceiveWebhookCommand(body=body, content_type=content_type, source_ip=source)
        )
        hint = parse_notification(body, content_type)
        webhook_received(hint.get("status"))
        state = await _process(process_webhook, message_id)  # a malformed one stays unmatched
        malformed = malformed_field(hint)
        if malformed:
            raise InvalidValue(malformed, "not in iamport's format (the notification is stored)")
        return WebhookAck(True, message_id, state)

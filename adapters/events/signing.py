"""Standard Webhooks signatures (https://www.standardwebhooks.com/), by `standardwebhooks`.

`webhook-signature` carries one `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per active
secret, space-separated: during a rotation both the new and the old secret sign, so a consumer
holding either verifies.
"""

import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from math import floor

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
MIN_SECRET_BYTES = 24  # the specification's lower bound


def check_secret(secret: str) -> None:
    """Raises ValueError unless `secret` is `whsec_` + base64 of 24 to 64 bytes."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(f"must start with {SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("must be whsec_ followed by base64") from None
    if not MIN_SECRET_BYTES <= len(key) <= 64:
        raise ValueError(f"must hold {MIN_SECRET_BYTES} to 64 bytes of key")


def signed_headers(
    msg_id: str, timestamp: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    signatures = " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(timestamp.timestamp())),
        "webhook-signature": signatures,
    }

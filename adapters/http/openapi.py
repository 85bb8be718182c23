"""OpenAPI helpers: the error responses every route declares, and the document's config."""

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin

from adapters.http.errors import ERROR_CODES
from adapters.http.wire.common import Problem

PROBLEM_JSON = "application/problem+json"


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Problem responses for `statuses`, plus 400 (validation) and 500, which any route may give."""
    wanted = sorted({*statuses, 400, 500})
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description="codes: " + ", ".join(ERROR_CODES.get(status, (f"http_{status}",))),
            generate_examples=False,
        )
        for status in wanted
    }


USER = (401, 404)  # what any authenticated route may answer besides its own errors
ADMIN = (401, 403, 404)


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="dolgo-pay",
        version=version,
        description=(
            "Payment service of the dolgo sponsorship platform (iamport / PortOne V1). "
            "Errors are RFC 9457 application/problem+json with a stable `code`. POSTs that "
            "create an order, a charge, a card or a refund accept an `Idempotency-Key` header."
        ),
        path="/schema",
        render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
    )

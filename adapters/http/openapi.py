"""OpenAPI helpers: the error responses every route declares, and the document's config.

The docs page (Swagger UI at `/schema` and `/schema/swagger`) loads its script and style from
this service, never from a CDN: the assets are the `swagger-ui-bundle` package's pinned copy of
Swagger UI, served under `/schema/assets/`, so the page works on a network with no way out.
"""

from typing import Any

from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from adapters.http.errors import error_codes
from adapters.http.wire.common import Problem

PROBLEM_JSON = "application/problem+json"
SCHEMA_PATH = "/schema"
ASSETS_PATH = f"{SCHEMA_PATH}/assets/swagger-ui"


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Problem responses for `statuses`, plus 400 (validation) and 500, which any route may give."""
    wanted = sorted({*statuses, 400, 500})
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_JSON,
            description="codes: " + ", ".join(error_codes().get(status, (f"http_{status}",))),
            generate_examples=False,
        )
        for status in wanted
    }


USER = (401, 404)  # what any authenticated route may answer besides its own errors
ADMIN = (401, 403, 404)


def _swagger_ui() -> SwaggerRenderPlugin:
    return SwaggerRenderPlugin(
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        path="/swagger",  # the only plugin, so also the page at /schema itself
    )


def docs_assets(**opt: Any) -> Any:
    """The static route of the docs page's script, style and icon (from swagger-ui-bundle)."""
    from swagger_ui_bundle import swagger_ui_path

    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[swagger_ui_path],
        opt=opt,
        include_in_schema=False,
        name="docs_assets",
    )


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="dolgo-pay",
        version=version,
        description=(
            "Payment service of the dolgo sponsorship platform (iamport / PortOne V1). "
            "Errors are RFC 9457 application/problem+json with a stable `code`. POSTs that "
            "create an order, a charge, a card or a refund accept an `Idempotency-Key` header."
        ),
        path=SCHEMA_PATH,
        render_plugins=[_swagger_ui()],
    )

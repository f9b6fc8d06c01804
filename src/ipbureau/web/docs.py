"""API documentation (Swagger UI) served from local assets: no CDN at run time."""

from __future__ import annotations

from ipbureau.core.uow import Router

import swagger_ui_bundle
from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, Response

router = Router(include_in_schema=False)
_ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}


@router.get("/api/docs")
def swagger_ui() -> Response:
    return get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="ipbureau API 文档",
        swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/api/docs/assets/swagger-ui.css",
        swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
    )


@router.get("/api/docs/assets/{name}")
def swagger_asset(name: str) -> Response:
    if name not in _ASSETS:
        return Response(status_code=404)
    return FileResponse(f"{swagger_ui_bundle.swagger_ui_path}/{name}")

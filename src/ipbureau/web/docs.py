"""API documentation (Swagger UI) served from local assets: no CDN at run time. Public, like the login page."""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import Depends, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

from ipbureau.auth.models import User
from ipbureau.core.errors import NotFound
from ipbureau.core.fields import ShortText, register_labels
from ipbureau.core.uow import Router
from ipbureau.policy import requires

router = Router(include_in_schema=False)
_ASSETS = {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"}
register_labels({"name": "文件名"}, __name__)


@router.get("/api/docs")
def swagger_ui(request: Request, _visitor: User | None = Depends(requires("public", "view"))) -> Response:
    page = get_swagger_ui_html(
        openapi_url="/api/openapi.json",
        title="ipbureau API 文档",
        swagger_js_url="/api/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/api/docs/assets/swagger-ui.css",
        swagger_favicon_url="/api/docs/assets/favicon-32x32.png",
    )
    # The page's one inline script (Swagger UI's start-up) carries the request's CSP nonce (web.middleware).
    nonce = getattr(request.state, "csp_nonce", "")
    return HTMLResponse(page.body.decode().replace("<script>", f'<script nonce="{nonce}">'))


@router.get("/api/docs/assets/{name}")
def swagger_asset(name: ShortText, _visitor: User | None = Depends(requires("public", "view"))) -> Response:
    if name not in _ASSETS:  # only the bundle's own files, never a path
        raise NotFound("文件")
    return FileResponse(f"{swagger_ui_bundle.swagger_ui_path}/{name}")


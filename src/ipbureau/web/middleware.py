from __future__ import annotations

from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class BodySizeLimit:
    """Refuse request bodies whose declared length exceeds the upload limit (HTTP 413).

    Chunked bodies without a Content-Length are limited again where they are read
    (``web.uploads.read_limited``).
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", []):
                if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                    message = f"上传内容超过大小上限 {self.max_bytes // (1024 * 1024)} MB"
                    path = scope.get("path", "")
                    response = (JSONResponse({"detail": message}, status_code=413) if path.startswith("/api")
                                else PlainTextResponse(message, status_code=413))
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)

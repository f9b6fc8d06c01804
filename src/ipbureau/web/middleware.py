"""ASGI middleware of the web edge: the security headers every response carries, and the body limit's answer in
Chinese.

(The request body limit is FastAPI's own ``max_body_size``, set in ``ipbureau.app``: it counts the bytes of
the body while it streams, chunked or not, and stops at the limit before the multipart parser spools more. For a
body whose declared Content-Length is over the limit, Starlette answers "Content Too Large" itself, outside every
handler and user middleware; ``BodyLimitInChinese`` wraps the whole stack to say it in the user's language.)
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Scripts only from this site, or inline ones carrying the request's nonce (templates: ``request.state.csp_nonce``;
# the API docs page). Inline styles stay allowed: templates use style="" attributes for bar widths and colours,
# which a nonce cannot cover, and a style cannot run code. No framing by anyone (clickjacking).
CSP = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
HSTS = "max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Adds Content-Security-Policy (with a fresh script nonce per request), X-Frame-Options, X-Content-Type-Options,
    Referrer-Policy, and Strict-Transport-Security when the site is served over HTTPS, to every HTTP response,
    error pages and static files included."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.https = https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP.format(nonce=nonce)
                headers["X-Frame-Options"] = "DENY"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
                if self.https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)


# Starlette's own answer when a body passes max_body_size (starlette.middleware.body_limit).
STARLETTE_TOO_LARGE = b"Content Too Large"


class BodyLimitInChinese:
    """Replaces Starlette's plain "Content Too Large" (413) with the Chinese message: JSON under /api, text otherwise.
    It must wrap the whole middleware stack (``ipbureau.app.Application.build_middleware_stack``), as the limit's
    own response is sent from outside it."""

    def __init__(self, app: ASGIApp, *, max_mb: int) -> None:
        self.app = app
        self.message = f"上传内容超过大小上限 {max_mb} MB"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None  # a 413's start, held until its body shows whose answer it is

        async def translating_send(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start" and message["status"] == 413:
                held = message
                return
            if held is not None and message["type"] == "http.response.body":
                start, held = held, None
                if message.get("body") == STARLETTE_TOO_LARGE and not message.get("more_body"):
                    response = (JSONResponse({"detail": self.message}, status_code=413)
                                if scope.get("path", "").startswith("/api")
                                else PlainTextResponse(self.message, status_code=413))
                    await response(scope, receive, send)
                    return
                await send(start)
            await send(message)

        await self.app(scope, receive, translating_send)

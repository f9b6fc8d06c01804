"""ASGI middleware of the web edge: the security headers every response carries.

(The request body limit is FastAPI's own ``max_body_size``, set in ``ipbureau.app``: it counts the bytes of
the body while it streams, chunked or not, and stops at the limit before the multipart parser spools more.)
"""

from __future__ import annotations

import secrets

from starlette.datastructures import MutableHeaders
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

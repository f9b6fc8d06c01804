"""Who may do what: FastAPI dependencies that every router uses.

Pages and the JSON API share them. A request is authenticated by a server-side
session (auth.sessions): its random secret comes in the signed session cookie
(browser, key ``sid``) or as ``Authorization: Bearer <token>`` (API clients).
Unsafe methods on cookie sessions must carry the session's CSRF token, in the
form field ``csrf_token`` or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ipbureau.auth import sessions
from ipbureau.auth.models import AuthSession, User
from ipbureau.core.errors import Forbidden
from ipbureau.core.uow import get_db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Exception):
    """No valid session or token."""


# A role that may not use a function at all (403). One error type for the whole platform: core.errors.Forbidden.
PermissionDenied = Forbidden


class CsrfFailed(Exception):
    """An unsafe request on a cookie session without the right CSRF token."""


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def optional_user(request: Request, db: Session = Depends(get_db)) -> User | None:
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    found: tuple[User, AuthSession] | None = None
    token = _bearer(request)
    if token:
        found = sessions.resolve(db, sessions.TOKEN, token)
        request.state.auth_via = "token"
    else:
        secret = request.session.get("sid")
        if isinstance(secret, str):
            found = sessions.resolve(db, sessions.BROWSER, secret)
            request.state.auth_via = "session"
    user, request.state.auth_session = found or (None, None)
    request.state.user = user
    return user


def current_session(request: Request) -> AuthSession | None:
    """The server-side session (or token) of the signed-in request, after ``optional_user``."""
    return getattr(request.state, "auth_session", None)


async def verify_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS or _bearer(request):
        return
    expected = request.session.get("csrf")
    supplied = request.headers.get("x-csrf-token")
    if supplied is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        supplied = value if isinstance(value, str) else None
    if not expected or not supplied or not hmac.compare_digest(expected, supplied):
        raise CsrfFailed()


async def current_user(request: Request, user: User | None = Depends(optional_user)) -> User:
    # Authentication first: a request without a login gets 401 / the login page, not a CSRF error.
    if user is None:
        raise LoginRequired()
    await verify_csrf(request)
    return user

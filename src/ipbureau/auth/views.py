"""Sign-in (page and API token), sign-out, the user's own sessions and password (我的会话), and user management
(page and API, one schema and one service call)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlparse

from fastapi import Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask
from starlette.datastructures import FormData

from ipbureau.auth import service, sessions, throttle
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserRead
from ipbureau.auth.permissions import current_session, verify_csrf
from ipbureau.auth.schemas import (
    LockRead,
    LoginForm,
    NewUser,
    PasswordChange,
    PasswordReset,
    SessionRead,
    SessionsEnded,
    TokenRequest,
    TokenResponse,
)
from ipbureau.auth.service import WrongCredentials
from ipbureau.auth.throttle import LoginThrottled
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id
from ipbureau.core.forms import form_data, posted_form, validate
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], form: Any) -> M:
    """The form as the schema (as ``form_model`` does), but passwords as typed: spaces at their ends are part
    of them, as they are through the API."""
    data = form_data(model, form)
    for name in model.model_fields:
        if "password" in name and isinstance(form.get(name), str) and form.get(name):
            data[name] = form.get(name)
    return validate(model, data)


def _safe_next(target: str | None) -> str:
    # Only same-site paths, so the login form cannot be used as an open redirect.
    if not target or urlparse(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None, db: Session = Depends(get_db),
               user: User | None = Depends(requires("public", "view"))):
    if user:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"next": _safe_next(next), "error": None}, db=db)


def _address(request: Request) -> str:
    # request.client is the real client behind a trusted proxy (uvicorn --forwarded-allow-ips).
    return client_ip(request) or "unknown"


def _count_failure(request: Request, username: str) -> BackgroundTask:
    """Counting the failure after the response: the error response's unit of work rolls back (auth.throttle)."""
    return BackgroundTask(throttle.record_failure, username, _address(request))


@router.post("/login", include_in_schema=False, dependencies=[Depends(verify_csrf)])
def login_submit(request: Request, db: Session = Depends(get_db),
                 _visitor: User | None = Depends(requires("public", "view")),
                 form: FormData = Depends(posted_form)):
    try:
        credentials = _parse(LoginForm, form)
    except DomainError as exc:
        return _login_again(request, db, form, str(exc), exc.status)
    username = credentials.username.strip()
    try:
        _user, secret = service.sign_in(db, username, credentials.password, sessions.BROWSER,
                                        ip_address=_address(request), user_agent=request.headers.get("user-agent"),
                                        replacing=current_session(request))
    except WrongCredentials as exc:
        response = _login_again(request, db, form, str(exc), exc.status)
        response.background = _count_failure(request, username)
        return response
    except LoginThrottled as exc:
        response = _login_again(request, db, form, str(exc), exc.status)
        response.headers.update(exc.headers)  # Retry-After: the seconds left of the lock
        return response
    request.session.clear()  # a fresh cookie on login (no fixation); it carries only the session's secret
    request.session["sid"] = secret
    return RedirectResponse(_safe_next(credentials.next), status_code=303)


def _login_again(request: Request, db: Session, form: Any, error: str, status_code: int):
    return render(request, "auth/login.html", {"next": _safe_next(form.get("next")), "error": error,
                                               "username": form.get("username")}, db=db, status_code=status_code)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, db: Session = Depends(get_db), _user: User = Depends(requires("session", "use"))):
    service.sign_out(db, current_session(request))  # a copy of the cookie stops working too
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/api/auth/token", response_model=TokenResponse, tags=["认证"])
def api_token(body: TokenRequest, request: Request, db: Session = Depends(get_db),
              _visitor: User | None = Depends(requires("public", "view"))):
    """Exchange a username and password for a bearer token (12 hours; listed and revocable in 我的会话)."""
    try:
        user, token = service.sign_in(db, body.username, body.password, sessions.TOKEN, ip_address=_address(request),
                                      user_agent=request.headers.get("user-agent"))
    except WrongCredentials as exc:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers={"WWW-Authenticate": "Bearer"},
                            background=_count_failure(request, body.username))
    return TokenResponse(access_token=token, user=UserRead.model_validate(user))


@router.get("/api/auth/me", response_model=UserRead, tags=["认证"])
def api_me(user: User = Depends(requires("session", "use"))):
    return user


@router.get("/api/users", response_model=list[UserRead], tags=["用户"])
def api_list_users(db: Session = Depends(get_db), admin: User = Depends(requires("user", "manage"))):
    return service.list_users(db, admin)


@router.post("/api/users", response_model=UserRead, status_code=201, tags=["用户"])
def api_create_user(body: NewUser, db: Session = Depends(get_db), admin: User = Depends(requires("user", "manage"))):
    return service.create(db, body, actor=admin)


# ---- 我的会话: the user's own sessions, tokens and password ------------------------------------------------------

def _sessions_page(request: Request, db: Session, user: User, *, error: str | None = None, notice: str | None = None,
                   status_code: int = 200):
    settings = get_settings()
    return render(request, "auth/sessions.html", {
        "sessions": service.my_sessions(db, user, current_session(request)), "error": error, "notice": notice,
        "idle_minutes": settings.session_idle_timeout_s // 60, "absolute_hours": settings.session_max_age_s // 3600,
        "token_hours": settings.api_token_max_age_s // 3600, "local": sessions.local_time,
    }, db=db, status_code=status_code)


@router.get("/account/sessions", include_in_schema=False)
def sessions_page(request: Request, db: Session = Depends(get_db),
                  user: User = Depends(requires("auth.session", "view"))):
    return _sessions_page(request, db, user)


@router.post("/account/sessions/{session_id}/end", include_in_schema=False)
def sessions_end(session_id: Id, request: Request, db: Session = Depends(get_db),
                 user: User = Depends(requires("auth.session", "end"))):
    ended = service.end_my_session(db, user, session_id, ip_address=client_ip(request))
    current = current_session(request)
    if current is not None and ended.id == current.id:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/account/sessions", status_code=303)


@router.post("/account/password", include_in_schema=False)
def password_change(request: Request, db: Session = Depends(get_db),
                    user: User = Depends(requires("session", "password")),
                    form: FormData = Depends(posted_form)):
    try:
        data = _parse(PasswordChange, form)
        ended = service.change_password(db, user, data, current_session(request), ip_address=client_ip(request))
    except DomainError as exc:  # the unit of work rolls back with the form's error status
        return _sessions_page(request, db, user, error=str(exc), status_code=exc.status)
    return _sessions_page(request, db, user, notice=f"密码已修改，其他会话与令牌已结束（{ended} 个）")


@router.get("/api/auth/sessions", response_model=list[SessionRead], tags=["认证"])
def api_sessions(request: Request, db: Session = Depends(get_db),
                 user: User = Depends(requires("auth.session", "view"))):
    """The caller's live browser sessions and API tokens (``current``: the one making this request)."""
    return service.my_sessions(db, user, current_session(request))


@router.post("/api/auth/sessions/{session_id}/end", response_model=SessionRead, tags=["认证"])
def api_session_end(session_id: Id, request: Request, db: Session = Depends(get_db),
                    user: User = Depends(requires("auth.session", "end"))):
    current = current_session(request)
    ended = service.end_my_session(db, user, session_id, ip_address=client_ip(request))
    return sessions.describe(ended, current.id if current else None)


@router.post("/api/auth/password", response_model=SessionsEnded, tags=["认证"])
def api_password_change(body: PasswordChange, request: Request, db: Session = Depends(get_db),
                        user: User = Depends(requires("session", "password"))):
    """Change one's own password; every other session and token of the caller ends."""
    return SessionsEnded(ended=service.change_password(db, user, body, current_session(request),
                                                       ip_address=client_ip(request)))


# ---- user management (administrator) ------------------------------------------------------------------------------

def _users_page(request: Request, db: Session, admin: User, *, error: str | None = None, status_code: int = 200):
    return render(request, "auth/users.html", {"users": service.list_users(db, admin), "roles": Role.choices(),
                                               "districts": district_map(db), "error": error,
                                               "locks": throttle.active_locks(db, admin),
                                               "lock_kinds": throttle.KIND_LABELS, "local": sessions.local_time},
                  db=db, status_code=status_code)


@router.get("/users", include_in_schema=False)
def users_page(request: Request, db: Session = Depends(get_db), admin: User = Depends(requires("user", "manage"))):
    return _users_page(request, db, admin)


def _on_users_page(request: Request, db: Session, admin: User, action: Callable[[], object]):
    """An administrator's action from the users page: back to the page, or the page again with the error's message
    and status (the unit of work then rolls the action back)."""
    try:
        action()
    except DomainError as exc:
        return _users_page(request, db, admin, error=str(exc), status_code=exc.status)
    return RedirectResponse("/users", status_code=303)


@router.post("/users", include_in_schema=False)
def users_create(request: Request, db: Session = Depends(get_db),
                 admin: User = Depends(requires("user", "manage")),
                 form: FormData = Depends(posted_form)):
    return _on_users_page(request, db, admin, lambda: service.create(db, _parse(NewUser, form), actor=admin))


@router.post("/users/{user_id}/disable", include_in_schema=False)
def users_disable(user_id: Id, request: Request, db: Session = Depends(get_db),
                  admin: User = Depends(requires("user", "manage"))):
    return _on_users_page(request, db, admin, lambda: service.set_active(db, admin, user_id, False,
                                                                         ip_address=client_ip(request)))


@router.post("/users/{user_id}/enable", include_in_schema=False)
def users_enable(user_id: Id, request: Request, db: Session = Depends(get_db),
                 admin: User = Depends(requires("user", "manage"))):
    return _on_users_page(request, db, admin, lambda: service.set_active(db, admin, user_id, True,
                                                                         ip_address=client_ip(request)))


@router.post("/users/{user_id}/password", include_in_schema=False)
def users_password(user_id: Id, request: Request, db: Session = Depends(get_db),
                   admin: User = Depends(requires("user", "manage")),
                   form: FormData = Depends(posted_form)):
    return _on_users_page(request, db, admin, lambda: service.reset_password(
        db, admin, user_id, _parse(PasswordReset, form), ip_address=client_ip(request)))


@router.post("/users/{user_id}/sessions/end", include_in_schema=False)
def users_sessions_end(user_id: Id, request: Request, db: Session = Depends(get_db),
                       admin: User = Depends(requires("user", "manage"))):
    return _on_users_page(request, db, admin, lambda: service.end_sessions_of(db, admin, user_id,
                                                                              ip_address=client_ip(request)))


@router.post("/users/locks/{lock_id}/unlock", include_in_schema=False)
def users_unlock(lock_id: Id, request: Request, db: Session = Depends(get_db),
                 admin: User = Depends(requires("auth.lock", "unlock"))):
    return _on_users_page(request, db, admin, lambda: throttle.unlock(db, admin, lock_id,
                                                                      ip_address=client_ip(request)))


@router.post("/api/users/{user_id}/disable", response_model=UserRead, tags=["用户"])
def api_users_disable(user_id: Id, request: Request, db: Session = Depends(get_db),
                      admin: User = Depends(requires("user", "manage"))):
    """Disable an account: it can no longer sign in, and every session and token of it ends."""
    return service.set_active(db, admin, user_id, False, ip_address=client_ip(request))


@router.post("/api/users/{user_id}/enable", response_model=UserRead, tags=["用户"])
def api_users_enable(user_id: Id, request: Request, db: Session = Depends(get_db),
                     admin: User = Depends(requires("user", "manage"))):
    return service.set_active(db, admin, user_id, True, ip_address=client_ip(request))


@router.post("/api/users/{user_id}/password", response_model=UserRead, tags=["用户"])
def api_users_password(user_id: Id, body: PasswordReset, request: Request, db: Session = Depends(get_db),
                       admin: User = Depends(requires("user", "manage"))):
    """Set a user's password; every session and token of the user ends."""
    return service.reset_password(db, admin, user_id, body, ip_address=client_ip(request))


@router.post("/api/users/{user_id}/sessions/end", response_model=SessionsEnded, tags=["用户"])
def api_users_sessions_end(user_id: Id, request: Request, db: Session = Depends(get_db),
                           admin: User = Depends(requires("user", "manage"))):
    return SessionsEnded(ended=service.end_sessions_of(db, admin, user_id, ip_address=client_ip(request)))


@router.get("/api/auth/locks", response_model=list[LockRead], tags=["用户"])
def api_locks(db: Session = Depends(get_db), admin: User = Depends(requires("auth.lock", "view"))):
    """User names and addresses locked out of sign-in after too many failures."""
    return throttle.active_locks(db, admin)


@router.post("/api/auth/locks/{lock_id}/unlock", response_model=LockRead, tags=["用户"])
def api_unlock(lock_id: Id, request: Request, db: Session = Depends(get_db),
               admin: User = Depends(requires("auth.lock", "unlock"))):
    return throttle.unlock(db, admin, lock_id, ip_address=client_ip(request))

"""Sign-in (page and API token), sign-out, and user management (page and API, one schema and one service call)."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlparse

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth import service
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserRead
from ipbureau.auth.permissions import verify_csrf
from ipbureau.auth.schemas import LoginForm, NewUser, TokenRequest, TokenResponse
from ipbureau.auth.security import issue_api_token
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.forms import form_data, validate
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.web.templating import render

router = Router()
M = TypeVar("M", bound=BaseModel)
WRONG_CREDENTIALS = "用户名或密码错误"


def _parse(model: type[M], form: Any) -> M:
    """The form as the schema (as ``form_model`` does), but the password as typed: spaces at its ends are part
    of it, as they are through the API."""
    data = form_data(model, form)
    if form.get("password"):
        data["password"] = form.get("password")
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


@router.post("/login", include_in_schema=False, dependencies=[Depends(verify_csrf)])
async def login_submit(request: Request, db: Session = Depends(get_db),
                       _visitor: User | None = Depends(requires("public", "view"))):
    form = await request.form()
    try:
        credentials = _parse(LoginForm, form)
    except DomainError as exc:
        return _login_again(request, db, form, str(exc), exc.status)
    user = service.authenticate(db, credentials.username.strip(), credentials.password)
    if user is None:
        return _login_again(request, db, form, WRONG_CREDENTIALS, 401)
    request.session.clear()  # a fresh session on login: no fixation
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(credentials.next), status_code=303)


def _login_again(request: Request, db: Session, form: Any, error: str, status_code: int):
    return render(request, "auth/login.html", {"next": _safe_next(form.get("next")), "error": error,
                                               "username": form.get("username")}, db=db, status_code=status_code)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _user: User = Depends(requires("session", "use"))):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/api/auth/token", response_model=TokenResponse, tags=["认证"])
def api_token(body: TokenRequest, db: Session = Depends(get_db),
              _visitor: User | None = Depends(requires("public", "view"))):
    """Exchange a username and password for a bearer token (12 hours)."""
    user = service.authenticate(db, body.username, body.password)
    if user is None:
        raise HTTPException(status_code=401, detail=WRONG_CREDENTIALS)
    token = issue_api_token(get_settings().resolved_secret_key(), user.id, user.password_hash)
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


def _users_page(request: Request, db: Session, admin: User, *, error: str | None = None, status_code: int = 200):
    return render(request, "auth/users.html", {"users": service.list_users(db, admin), "roles": Role.choices(),
                                               "districts": district_map(db), "error": error},
                  db=db, status_code=status_code)


@router.get("/users", include_in_schema=False)
def users_page(request: Request, db: Session = Depends(get_db), admin: User = Depends(requires("user", "manage"))):
    return _users_page(request, db, admin)


@router.post("/users", include_in_schema=False)
async def users_create(request: Request, db: Session = Depends(get_db),
                       admin: User = Depends(requires("user", "manage"))):
    try:
        service.create(db, _parse(NewUser, await request.form()), actor=admin)
    except DomainError as exc:  # the unit of work rolls back with the form's error status
        return _users_page(request, db, admin, error=str(exc), status_code=exc.status)
    return RedirectResponse("/users", status_code=303)

from __future__ import annotations

from ipbureau.core.uow import Router

from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from ipbureau.auth import service
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserCreate, UserRead
from ipbureau.auth.permissions import current_user, optional_user, require_admin, verify_csrf
from ipbureau.auth.security import issue_api_token
from ipbureau.config import get_settings
from ipbureau.core.uow import get_db
from ipbureau.reference.service import district_map
from ipbureau.web.templating import render

router = Router()


def _safe_next(target: str | None) -> str:
    # Only same-site paths, so the login form cannot be used as an open redirect.
    if not target or urlparse(target).netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None, db: Session = Depends(get_db),
               user: User | None = Depends(optional_user)):
    if user:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None}, db=db)


@router.post("/login", include_in_schema=False, dependencies=[Depends(verify_csrf)])
def login_submit(request: Request, username: str = Form(...), password: str = Form(...), next: str = Form("/"),
                 db: Session = Depends(get_db)):
    user = service.authenticate(db, username.strip(), password)
    if user is None:
        return render(request, "login.html", {"next": _safe_next(next), "error": "用户名或密码错误", "username": username},
                      db=db, status_code=401)
    db.commit()
    request.session.clear()  # a fresh session on login: no fixation
    request.session["user_id"] = user.id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request, _user: User = Depends(current_user)):
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


class TokenRequest(BaseModel):
    username: str
    password: str


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user: UserRead


@router.post("/api/auth/token", response_model=TokenResponse, tags=["认证"])
def api_token(body: TokenRequest, db: Session = Depends(get_db)):
    """Exchange a username and password for a bearer token (12 hours)."""
    user = service.authenticate(db, body.username, body.password)
    if user is None:
        raise HTTPException(status_code=401, detail="用户名或密码错误")
    db.commit()
    token = issue_api_token(get_settings().resolved_secret_key(), user.id, user.password_hash)
    return TokenResponse(access_token=token, user=UserRead.model_validate(user))


@router.get("/api/auth/me", response_model=UserRead, tags=["认证"])
def api_me(user: User = Depends(current_user)):
    return user


@router.get("/api/users", response_model=list[UserRead], tags=["用户"])
def api_list_users(db: Session = Depends(get_db), _admin: User = Depends(require_admin)):
    return service.list_users(db)


@router.post("/api/users", response_model=UserRead, status_code=201, tags=["用户"])
def api_create_user(body: UserCreate, db: Session = Depends(get_db), admin: User = Depends(require_admin)):
    try:
        user = service.create(db, body, actor=admin)
    except service.UserError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    db.commit()
    return user


@router.get("/users", include_in_schema=False)
def users_page(request: Request, db: Session = Depends(get_db), _admin: User = Depends(require_admin)):
    return render(request, "users.html", {"users": service.list_users(db), "roles": Role.choices(),
                                          "districts": district_map(db), "error": None}, db=db)


@router.post("/users", include_in_schema=False)
def users_create(request: Request, username: str = Form(...), display_name: str = Form(...), password: str = Form(...),
                 role: str = Form(...), district_code: str = Form(""), enterprise_id: str = Form(""),
                 db: Session = Depends(get_db), admin: User = Depends(require_admin)):
    error = None
    try:
        data = UserCreate(username=username, display_name=display_name, password=password, role=role,
                          district_code=district_code or None,
                          enterprise_id=int(enterprise_id) if enterprise_id.strip().isdigit() else None)
        service.create(db, data, actor=admin)
        db.commit()
    except ValidationError as exc:
        error = "；".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
    except service.UserError as exc:
        error = str(exc)
    if error:
        db.rollback()
        return render(request, "users.html", {"users": service.list_users(db), "roles": Role.choices(),
                                              "districts": district_map(db), "error": error}, db=db, status_code=422)
    return RedirectResponse("/users", status_code=303)

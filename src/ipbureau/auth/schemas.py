"""Request and response shapes of sign-in and user management."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ipbureau.auth.models import UserCreate, UserRead
from ipbureau.core.fields import Id, register_labels


class NewUser(UserCreate):
    """A user created by the administrator, from the users page or the API (the same schema for both)."""

    district_code: str | None = Field(default=None, max_length=6)
    enterprise_id: Id | None = None


class TokenRequest(BaseModel):
    username: str = Field(max_length=64)
    password: str = Field(max_length=128)


class LoginForm(TokenRequest):
    """The login page's form: the API's credentials and where to go next."""

    next: str = Field(default="/", max_length=2000)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user: UserRead


class SessionRead(BaseModel):
    """A live browser session or API token of the user, as 我的会话 shows it (``current``: this request's)."""

    id: int
    kind: str
    kind_label: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip_address: str | None
    user_agent: str | None
    current: bool


class SessionsEnded(BaseModel):
    ended: int


class LockRead(BaseModel):
    """A user name ("account") or client address ("address") locked out of sign-in."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    subject: str
    created_at: datetime
    locked_until: datetime


class PasswordReset(BaseModel):
    """An administrator sets a user's password (every session and token of the user ends)."""

    password: str = Field(min_length=8, max_length=128)


class PasswordChange(BaseModel):
    """A user changes their own password (their other sessions and tokens end)."""

    current_password: str = Field(max_length=128)
    new_password: str = Field(min_length=8, max_length=128)


register_labels({"username": "用户名", "display_name": "姓名", "password": "密码", "role": "角色",
                 "enterprise_id": "企业编号",
                 "current_password": "当前密码", "new_password": "新密码"}, __name__)

"""Request and response shapes of sign-in and user management."""

from __future__ import annotations

from pydantic import BaseModel, Field

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


register_labels({"username": "用户名", "display_name": "姓名", "password": "密码", "role": "角色",
                 "enterprise_id": "企业编号"}, __name__)

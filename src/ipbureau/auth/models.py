from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.auth.enums import Role
from ipbureau.database.core import Base, TimestampMixin


class User(TimestampMixin, Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(32), index=True)
    # District staff work on one district's data.
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    # Enterprise users act for one enterprise and see its non-public data only.
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def role_enum(self) -> Role:
        return Role(self.role)


class AuthSession(Base):
    """A signed-in browser session or an API token, kept on the server so that it can be ended: the browser's
    cookie (or the client's bearer header) carries only a random secret; this row keeps its SHA-256, never the
    secret itself, so the table cannot be used to sign in."""

    __tablename__ = "auth_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "browser" or "token" (auth.sessions.BROWSER / TOKEN)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Written at most once a minute, off the request path (auth.sessions.note_seen).
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ip_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(32))


class LoginFailure(Base):
    """One wrong password (or unknown user name), counted per name and per address by auth.throttle. Rows older
    than the window no longer count; a successful sign-in or an unlock removes the name's."""

    __tablename__ = "login_failure"
    __table_args__ = (Index("ix_login_failure_username_created", "username", "created_at"),
                      Index("ix_login_failure_address_created", "ip_address", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    ip_address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LoginLock(Base):
    """A user name ("account") or a client address ("address") refused sign-in until ``locked_until`` because of
    too many failures, unless an administrator unlocked it earlier."""

    __tablename__ = "login_lock"
    __table_args__ = (Index("ix_login_lock_kind_subject", "kind", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    unlocked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unlocked_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class UserCreate(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=128)
    role: Role
    district_code: str | None = None
    enterprise_id: int | None = None


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    role: Role
    district_code: str | None
    enterprise_id: int | None
    is_active: bool

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserCreate
from ipbureau.auth.security import hash_password, needs_rehash, verify_password
from ipbureau.core.errors import DomainError
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.policy import policy
from ipbureau.reference.models import District


class UserError(DomainError):
    """A user could not be created or changed; the message names the field, for the person asking."""


def get(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session, user: Any) -> list[User]:
    """Every account, for a user who manages them."""
    return list(session.scalars(policy.scoped(select(User), user, "user", "manage").order_by(User.id)))


def create(session: Session, data: UserCreate, *, actor: User | None = None) -> User:
    """Create an account. ``actor`` is the administrator doing it (checked and audited); the CLI, the demo data
    and fixtures create accounts without one."""
    if actor is not None:
        policy.authorize(session, actor, "user", "manage")
    if get_by_username(session, data.username):
        raise UserError("用户名", f"“{data.username}”已存在")
    # Which accounts need a district or an enterprise is a rule of the account, not of who creates it.
    if data.role == Role.DISTRICT_STAFF and not data.district_code:
        raise UserError("区", "区局工作人员必须指定所属区")
    if data.role == Role.ENTERPRISE and not data.enterprise_id:
        raise UserError("企业编号", "企业用户必须关联一家企业")
    if data.district_code and session.get(District, data.district_code) is None:
        raise UserError("区", f"没有代码为 {data.district_code} 的区")
    if data.enterprise_id and session.get(Enterprise, data.enterprise_id) is None:
        raise UserError("企业编号", f"没有编号为 {data.enterprise_id} 的企业")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role.value,
        district_code=data.district_code,
        enterprise_id=data.enterprise_id,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        summary=f"创建用户 {user.username}（{data.role.label}）",
        changes={"role": [None, data.role.value]},
    )
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active account with this name and password (None otherwise); records the sign-in. The caller's unit
    of work commits it."""
    user = get_by_username(session, username)
    if user is None or not user.is_active:
        # Hash anyway so that a missing user takes as long as a wrong password.
        verify_password(hash_password("timing-equaliser"), password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user

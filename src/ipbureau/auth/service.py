from __future__ import annotations

from ipbureau.core.errors import DomainError

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User, UserCreate
from ipbureau.auth.security import hash_password, needs_rehash, verify_password
from ipbureau.database.core import utcnow


class UserError(DomainError):
    """A user could not be created or changed; the message is for the person asking."""


def get(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def create(session: Session, data: UserCreate, *, actor: User | None = None) -> User:
    if get_by_username(session, data.username):
        raise UserError(f"用户名“{data.username}”已存在")
    if data.role == Role.DISTRICT_STAFF and not data.district_code:
        raise UserError("区局工作人员必须指定所属区")
    if data.role == Role.ENTERPRISE and not data.enterprise_id:
        raise UserError("企业用户必须关联一家企业")
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

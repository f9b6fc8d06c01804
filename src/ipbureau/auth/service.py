from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth import sessions, throttle
from ipbureau.auth.enums import Role
from ipbureau.auth.models import AuthSession, User, UserCreate
from ipbureau.auth.schemas import PasswordChange, PasswordReset
from ipbureau.auth.security import hash_password, needs_rehash, verify_dummy, verify_password
from ipbureau.core.errors import AppError, DomainError, NotFound
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.policy import policy
from ipbureau.reference.models import District


class UserError(DomainError):
    """A user could not be created or changed; the message names the field, for the person asking."""


class WrongCredentials(AppError):
    """No active account with this name and password (HTTP 401); the same words whichever it was."""

    status = 401

    def __init__(self) -> None:
        super().__init__("", "用户名或密码错误")


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
    of work commits it. Exactly one Argon2 verification either way, so the time taken does not tell whether the
    name exists."""
    user = get_by_username(session, username)
    if user is None or not user.is_active:
        verify_dummy(password)
        return None
    if not verify_password(user.password_hash, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    return user


def sign_in(session: Session, username: str, password: str, kind: str, *, ip_address: str,
            user_agent: str | None, replacing: AuthSession | None = None) -> tuple[User, str]:
    """Check the throttle and the password, and start a browser session or an API token: the user and the secret
    for the client. ``replacing``: the browser's session before this sign-in, which ends. Raises LoginThrottled (429)
    or WrongCredentials (401); the caller then counts the failure with ``throttle.record_failure`` after its
    response (an error response's unit of work rolls back)."""
    throttle.check(session, username, ip_address)
    user = authenticate(session, username, password)
    if user is None:
        raise WrongCredentials()
    throttle.forget_failures(session, username)
    sessions.purge(session)
    if replacing is not None:
        sessions.end(replacing, "logout")
    return user, sessions.start(session, user, kind, ip_address=ip_address, user_agent=user_agent)


def sign_out(session: Session, current: AuthSession | None) -> None:
    if current is not None:
        sessions.end(current, "logout")


def my_sessions(session: Session, user: User, current: AuthSession | None) -> list[dict[str, Any]]:
    """The user's live sessions and tokens (我的会话), most recently used first, the current one marked."""
    query = policy.scoped(select(AuthSession).where(AuthSession.user_id == user.id, sessions.live(sessions.now())),
                          user, "auth.session")
    rows = session.scalars(query.order_by(AuthSession.last_seen_at.desc(), AuthSession.id.desc()))
    return [sessions.describe(row, current.id if current else None) for row in rows]


def end_my_session(session: Session, user: User, session_id: int, *, ip_address: str | None = None) -> AuthSession:
    """End one of the user's own sessions or tokens (the current one too, which signs the user out)."""
    row = policy.get(session, user, "auth.session", session_id, "end")
    if session.scalar(select(AuthSession.id).where(AuthSession.id == row.id, sessions.live(sessions.now()))) is None:
        raise NotFound("会话")
    sessions.end(row, "ended")
    audit.record(session, actor=user, action="session.end", entity_type="user", entity_id=user.id,
                 summary=f"结束本人的{sessions.KIND_LABELS[row.kind]}（{row.ip_address or '地址未知'}）",
                 ip_address=ip_address)
    return row


def _managed(session: Session, admin: User, user_id: int) -> User:
    return policy.get(session, admin, "user", user_id, "manage")


def end_sessions_of(session: Session, admin: User, user_id: int, *, ip_address: str | None = None) -> int:
    """An administrator ends every session and token of a user; returns how many were open."""
    user = _managed(session, admin, user_id)
    ended = sessions.end_all(session, user.id, "admin")
    audit.record(session, actor=admin, action="user.sessions_end", entity_type="user", entity_id=user.id,
                 summary=f"结束用户 {user.username} 的全部会话与令牌（{ended} 个）", changes={"ended": ended},
                 ip_address=ip_address)
    return ended


def set_active(session: Session, admin: User, user_id: int, active: bool, *, ip_address: str | None = None) -> User:
    """Enable or disable an account; disabling ends all its sessions and tokens."""
    user = _managed(session, admin, user_id)
    if not active and user.id == admin.id:
        raise UserError("状态", "不能停用自己的账户")
    before = user.is_active
    user.is_active = active
    ended = 0 if active else sessions.end_all(session, user.id, "disabled")
    audit.record(session, actor=admin, action="user.enable" if active else "user.disable", entity_type="user",
                 entity_id=user.id, summary=f"{'启用' if active else '停用'}用户 {user.username}"
                 + ("" if active else f"，结束其会话与令牌 {ended} 个"),
                 changes={"is_active": [before, active]}, ip_address=ip_address)
    return user


def reset_password(session: Session, admin: User, user_id: int, data: PasswordReset, *,
                   ip_address: str | None = None) -> User:
    """An administrator sets a user's password; every session and token of the user ends."""
    user = _managed(session, admin, user_id)
    user.password_hash = hash_password(data.password)
    ended = sessions.end_all(session, user.id, "password")
    audit.record(session, actor=admin, action="user.password_reset", entity_type="user", entity_id=user.id,
                 summary=f"重置用户 {user.username} 的密码，结束其会话与令牌 {ended} 个", ip_address=ip_address)
    return user


def change_password(session: Session, user: User, data: PasswordChange, current: AuthSession | None, *,
                    ip_address: str | None = None) -> int:
    """A user changes their own password; every other session and token of theirs ends (this one stays, so the
    user is not signed out by it). Returns how many ended."""
    policy.authorize(session, user, "session", "password")
    if not verify_password(user.password_hash, data.current_password):
        raise UserError("当前密码", "不正确")
    user.password_hash = hash_password(data.new_password)
    ended = sessions.end_all(session, user.id, "password", keep=current.id if current else None)
    audit.record(session, actor=user, action="user.password_change", entity_type="user", entity_id=user.id,
                 summary=f"用户 {user.username} 修改了本人密码，结束其他会话与令牌 {ended} 个", ip_address=ip_address)
    return ended

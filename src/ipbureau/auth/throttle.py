"""Login throttling, for the login form and the token endpoint alike: too many wrong passwords for one user name
(``login_failures_per_account``, 5) or from one client address (``login_failures_per_address``, 20) within
``login_failure_window_s`` (15 min) lock that name or address for the same length of time. Every lock is audited;
an administrator may lift one early (audited too).

The counts live in the database (``login_failure``, ``login_lock``), so every server worker sees the same ones. A
user name is counted whether or not an account has it, so the lock does not tell which names exist.

A refused sign-in is an error response, whose unit of work rolls back: the failure is therefore recorded after the
response, in a session of its own (``record_failure``, run as the response's background task), not in the request's.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth import sessions
from ipbureau.auth.models import LoginFailure, LoginLock, User
from ipbureau.auth.sessions import aware, local_time
from ipbureau.config import get_settings
from ipbureau.core.access import Actor
from ipbureau.core.errors import AppError, NotFound
from ipbureau.database.core import session_scope
from ipbureau.policy import policy

log = logging.getLogger(__name__)

ACCOUNT = "account"
ADDRESS = "address"
KIND_LABELS = {ACCOUNT: "账户", ADDRESS: "地址"}


class LoginThrottled(AppError):
    """Sign-in refused: the user name or the client address is locked (HTTP 429)."""

    status = 429

    def __init__(self, until: datetime) -> None:
        self.until = aware(until)
        super().__init__("", f"登录失败次数过多，请于 {local_time(self.until):%H:%M} 后再试或联系管理员解锁")

    @property
    def headers(self) -> dict[str, str]:
        """``Retry-After`` (RFC 9110 §10.2.3): the whole seconds left of the lock, rounded up, at least 1, so a
        client that waits that long is not refused again by the same lock."""
        left = (self.until - sessions.now()).total_seconds()
        return {"Retry-After": str(max(1, math.ceil(left)))}


def _window() -> timedelta:
    return timedelta(seconds=get_settings().login_failure_window_s)


def _active_locks(at: datetime):
    return select(LoginLock).where(LoginLock.unlocked_at.is_(None), LoginLock.locked_until > at)


def check(session: Session, username: str, ip_address: str) -> None:
    """Raise LoginThrottled while the name or the address is locked."""
    lock = session.scalars(_active_locks(sessions.now()).where(or_(
        and_(LoginLock.kind == ACCOUNT, LoginLock.subject == username[:64]),
        and_(LoginLock.kind == ADDRESS, LoginLock.subject == ip_address[:64]),
    )).order_by(LoginLock.locked_until.desc())).first()
    if lock is not None:
        raise LoginThrottled(lock.locked_until)


def forget_failures(session: Session, username: str) -> None:
    """A successful sign-in starts the name's count again (the address's count stays), and drops every failure
    too old to count and every lock that ended more than a month ago, so the tables stay small."""
    at = sessions.now()
    session.execute(delete(LoginFailure).where(or_(LoginFailure.username == username[:64],
                                                   LoginFailure.created_at <= at - _window()))
                    .execution_options(synchronize_session=False))
    session.execute(delete(LoginLock).where(LoginLock.locked_until < at - timedelta(days=sessions.KEEP_ENDED_DAYS))
                    .execution_options(synchronize_session=False))


def record_failure(username: str, ip_address: str) -> None:
    """Count a failed sign-in and lock what has failed too often; in a session of its own (see module doc). It runs
    after the response has gone, so a database error can only be logged."""
    try:
        with session_scope() as session:
            count_failure(session, username, ip_address)
    except Exception:
        log.exception("login throttling: the failed sign-in of %r from %s was not counted", username, ip_address)


def count_failure(session: Session, username: str, ip_address: str) -> list[LoginLock]:
    """Count one failure; returns the locks it caused (audited)."""
    settings = get_settings()
    at = sessions.now()
    username, ip_address = username[:64], ip_address[:64]
    session.add(LoginFailure(username=username, ip_address=ip_address, created_at=at))
    session.flush()
    locks = []
    for kind, subject, column, limit in ((ACCOUNT, username, LoginFailure.username, settings.login_failures_per_account),
                                         (ADDRESS, ip_address, LoginFailure.ip_address,
                                          settings.login_failures_per_address)):
        failures = session.scalar(select(func.count()).where(column == subject, LoginFailure.created_at > at - _window()))
        if failures < limit or session.scalars(_active_locks(at).where(LoginLock.kind == kind,
                                                                       LoginLock.subject == subject)).first():
            continue
        lock = LoginLock(kind=kind, subject=subject, created_at=at, locked_until=at + _window())
        session.add(lock)
        session.flush()
        minutes = settings.login_failure_window_s // 60
        audit.record(session, actor=None, action="auth.lock", entity_type="login_lock", entity_id=lock.id,
                     summary=f"{KIND_LABELS[kind]} {subject} 在 {minutes} 分钟内登录失败 {failures} 次，"
                             f"锁定至 {local_time(lock.locked_until):%H:%M}",
                     changes={"kind": kind, "subject": subject, "failures": failures}, ip_address=ip_address)
        locks.append(lock)
    return locks


def active_locks(session: Session, actor: Actor) -> list[LoginLock]:
    """The locks in force, newest first, for the administrator who may lift them."""
    query = policy.scoped(_active_locks(sessions.now()), actor, "auth.lock")
    return list(session.scalars(query.order_by(LoginLock.created_at.desc())))


def unlock(session: Session, actor: User, lock_id: int, *, ip_address: str | None = None) -> LoginLock:
    """Lift a lock now, and forget the failures that caused it (so the next failure does not lock again)."""
    lock = policy.get(session, actor, "auth.lock", lock_id, "unlock")
    if lock.unlocked_at is not None or aware(lock.locked_until) <= sessions.now():
        raise NotFound("登录锁定")
    lock.unlocked_at = sessions.now()
    lock.unlocked_by_id = actor.id
    column = LoginFailure.username if lock.kind == ACCOUNT else LoginFailure.ip_address
    session.execute(delete(LoginFailure).where(column == lock.subject))
    audit.record(session, actor=actor, action="auth.unlock", entity_type="login_lock", entity_id=lock.id,
                 summary=f"解除{KIND_LABELS[lock.kind]} {lock.subject} 的登录锁定",
                 changes={"kind": lock.kind, "subject": lock.subject}, ip_address=ip_address)
    return lock

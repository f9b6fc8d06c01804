"""Server-side sessions and API tokens: started at sign-in, looked up on every request, ended by signing out, by
the user (我的会话), by an administrator, or for every session of a user whose account is disabled or whose password
changes.

The browser's session cookie (signed by Starlette, beside the CSRF token) and an API client's bearer header carry
only a random secret; the ``auth_session`` row keeps its digest. A row is *live* while it is not ended, not past
``expires_at`` (absolute: ``session_max_age_s`` for browsers, ``api_token_max_age_s`` for tokens) and, for a
browser, seen within ``session_idle_timeout_s``. Liveness is decided in SQL at each request, so nothing has to
write when a session times out; a timed-out row simply stops matching.

``last_seen_at``: a GET must not write in its request's unit of work (core.uow), and writing on every request
would cost a write per page. So a request only *notes* that its session was seen when the stored time is a minute
old or more (``SEEN_EVERY``); a writer thread writes the noted times every few seconds in a session of its own,
after the request is done (as search/usage.py does for usage counts). The idle time-out (30 min) is then exact to
about a minute; a crash loses only the last few seconds' notes, which at worst ends a session a minute early.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, bindparam, delete, or_, select, update
from sqlalchemy.orm import Session

from ipbureau.auth.models import AuthSession, User
from ipbureau.auth.security import new_secret, secret_digest
from ipbureau.config import get_settings
from ipbureau.core.workflow import BEIJING
from ipbureau.database.core import get_sessionmaker, session_scope, utcnow

log = logging.getLogger(__name__)

BROWSER = "browser"
TOKEN = "token"
KIND_LABELS = {BROWSER: "浏览器会话", TOKEN: "API 令牌"}
SEEN_EVERY = timedelta(minutes=1)
WRITE_INTERVAL_S = 5.0
KEEP_ENDED_DAYS = 30


def now() -> datetime:
    """The sessions' and the throttle's clock (tests replace it to move time)."""
    return utcnow()


def aware(value: datetime) -> datetime:
    """SQLite gives back naive UTC datetimes; PostgreSQL aware ones."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def local_time(value: datetime) -> datetime:
    """A stored time as Beijing time, as pages and messages show it."""
    return aware(value).astimezone(BEIJING)


def live(at: datetime) -> ColumnElement[bool]:
    idle = timedelta(seconds=get_settings().session_idle_timeout_s)
    return and_(AuthSession.ended_at.is_(None), AuthSession.expires_at > at,
                or_(AuthSession.kind == TOKEN, AuthSession.last_seen_at > at - idle))


def start(session: Session, user: User, kind: str, *, ip_address: str | None, user_agent: str | None) -> str:
    """A new session (or token) of the user; returns its secret, which only the client keeps."""
    settings = get_settings()
    lifetime = settings.session_max_age_s if kind == BROWSER else settings.api_token_max_age_s
    started = now()
    secret = new_secret()
    session.add(AuthSession(kind=kind, secret_hash=secret_digest(secret), user_id=user.id, created_at=started,
                            last_seen_at=started, expires_at=started + timedelta(seconds=lifetime),
                            ip_address=(ip_address or "")[:64] or None, user_agent=(user_agent or "")[:255] or None))
    session.flush()
    return secret


def resolve(session: Session, kind: str, secret: str) -> tuple[User, AuthSession] | None:
    """The active user and the live session this secret belongs to (None otherwise); notes it as seen."""
    at = now()
    found = session.execute(
        select(User, AuthSession).join(AuthSession, AuthSession.user_id == User.id)
        .where(AuthSession.secret_hash == secret_digest(secret), AuthSession.kind == kind, User.is_active, live(at))
    ).first()
    if found is None:
        return None
    user, row = found
    if at - aware(row.last_seen_at) >= SEEN_EVERY:
        note_seen(row.id, at)
    return user, row


def end(row: AuthSession, reason: str) -> None:
    """End one session or token; ``reason``: logout, ended (by its user), admin, disabled or password."""
    row.ended_at = now()
    row.end_reason = reason


def end_all(session: Session, user_id: int, reason: str, *, keep: int | None = None) -> int:
    """End every session and token of a user (but ``keep``); returns how many were still open. The caller's unit of
    work commits, and audits the reason."""
    query = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(AuthSession.id != keep)
    result = session.execute(query.values(ended_at=now(), end_reason=reason).execution_options(
        synchronize_session="fetch"))
    return result.rowcount or 0


def purge(session: Session, *, keep_days: int = KEEP_ENDED_DAYS) -> int:
    """Delete sessions and tokens that ended or expired more than ``keep_days`` ago (they stay that long for anyone
    looking into a sign-in); run at each successful sign-in, so the table does not grow without bound."""
    cutoff = now() - timedelta(days=keep_days)
    # No row of the request is among them: nothing in the session needs synchronising.
    result = session.execute(delete(AuthSession).where(or_(AuthSession.expires_at < cutoff, AuthSession.ended_at < cutoff))
                             .execution_options(synchronize_session=False))
    return result.rowcount or 0


# ---- last seen, written off the request path --------------------------------------------------------------------

_seen: dict[int, datetime] = {}
_seen_lock = threading.Lock()
_write_lock = threading.Lock()
_writer: threading.Thread | None = None


def note_seen(session_id: int, at: datetime) -> None:
    with _seen_lock:
        _seen[session_id] = at
    _ensure_writer()


def flush_seen() -> int:
    """Write the noted times now, in a session of its own; returns how many sessions were updated."""
    with _write_lock:
        with _seen_lock:
            rows = [{"seen_id": key, "seen_at": value} for key, value in _seen.items()]
            _seen.clear()
        if not rows:
            return 0
        table = AuthSession.__table__
        statement = (table.update()
                     .where(table.c.id == bindparam("seen_id"), table.c.last_seen_at < bindparam("seen_at"))
                     .values(last_seen_at=bindparam("seen_at")))
        with session_scope() as session:
            session.connection().execute(statement, rows)
        return len(rows)


def discard_seen() -> None:
    """Forget the notes not yet written (tests start from none)."""
    with _seen_lock:
        _seen.clear()


def _write_forever() -> None:
    while True:
        threading.Event().wait(WRITE_INTERVAL_S)
        # In the test suite every session shares one connection, which two threads must not use at once: the
        # tests write the notes with flush_seen().
        if isinstance(get_sessionmaker().kw.get("bind"), Connection):
            continue
        try:
            flush_seen()
        except Exception:  # the database may be back at the next tick; these notes are given up
            log.exception("last-seen times of sessions: writing failed")


def _ensure_writer() -> None:
    global _writer
    if _writer is not None and _writer.is_alive():
        return
    with _seen_lock:
        if _writer is None or not _writer.is_alive():
            _writer = threading.Thread(target=_write_forever, name="session-seen-writer", daemon=True)
            _writer.start()


def describe(row: AuthSession, current_id: int | None) -> dict[str, Any]:
    """A session as the 我的会话 page and the API show it."""
    return {"id": row.id, "kind": row.kind, "kind_label": KIND_LABELS.get(row.kind, row.kind),
            "created_at": aware(row.created_at), "last_seen_at": aware(row.last_seen_at),
            "expires_at": aware(row.expires_at), "ip_address": row.ip_address, "user_agent": row.user_agent,
            "current": row.id == current_id}

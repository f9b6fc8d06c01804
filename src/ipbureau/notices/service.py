"""Notices: create, list for a user (own + own enterprise's), count unread, mark read."""

from __future__ import annotations

from ipbureau.core.errors import DomainError

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipbureau.database.core import utcnow
from ipbureau.notices.models import Notice


class NoticeError(DomainError):
    """zh-CN message naming the field."""


def create(session: Session, *, title: str, body: str = "", link: str | None = None, user_id: int | None = None,
           enterprise_id: int | None = None, created_by: int | None = None) -> Notice:
    if (user_id is None) == (enterprise_id is None):
        raise NoticeError("收件人：请指定一个用户或一家企业")
    title = (title or "").strip()
    if not title:
        raise NoticeError("标题：不能为空")
    notice = Notice(user_id=user_id, enterprise_id=enterprise_id, title=title[:200], body=body or "", link=link,
                    created_by=created_by, created_at=utcnow())
    session.add(notice)
    session.flush()
    return notice


def _mine(user: Any):
    clauses = [Notice.user_id == user.id]
    if getattr(user, "enterprise_id", None):
        clauses.append(Notice.enterprise_id == user.enterprise_id)
    return or_(*clauses)


def notices_for(session: Session, user: Any, *, limit: int = 200) -> list[Notice]:
    return list(session.scalars(select(Notice).where(_mine(user))
                                .order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def unread_count(session: Session, user: Any) -> int:
    return session.scalar(select(func.count()).select_from(Notice).where(_mine(user), Notice.read_at.is_(None))) or 0


def can_read(user: Any, notice: Notice) -> bool:
    return notice.user_id == user.id or (notice.enterprise_id is not None
                                         and notice.enterprise_id == getattr(user, "enterprise_id", None))


def mark_read(session: Session, notice: Notice) -> Notice:
    if notice.read_at is None:
        notice.read_at = utcnow()
        session.flush()
    return notice


def mark_all_read(session: Session, user: Any) -> int:
    rows = list(session.scalars(select(Notice).where(_mine(user), Notice.read_at.is_(None))))
    now = utcnow()
    for notice in rows:
        notice.read_at = now
    session.flush()
    return len(rows)

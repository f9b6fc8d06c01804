"""Notices (站内通知): create, list the user's (addressed to the user or to the user's enterprise), count the
unread, mark read. Who reads which notice is the policy's (``notice``: its addressee)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError
from ipbureau.database.core import utcnow
from ipbureau.notices.models import Notice
from ipbureau.policy import policy

RESOURCE = "notice"


def create(session: Session, *, title: str, body: str = "", link: str | None = None, user_id: int | None = None,
           enterprise_id: int | None = None, created_by: int | None = None) -> Notice:
    if (user_id is None) == (enterprise_id is None):
        raise DomainError("收件人", "请指定一个用户或一家企业")
    title = (title or "").strip()
    if not title:
        raise DomainError("标题", "不能为空")
    notice = Notice(user_id=user_id, enterprise_id=enterprise_id, title=title[:200], body=body or "", link=link,
                    created_by=created_by, created_at=utcnow())
    session.add(notice)
    session.flush()
    return notice


def notices_for(session: Session, user: Any, *, limit: int = 200) -> list[Notice]:
    query = policy.scoped(select(Notice), user, RESOURCE)
    return list(session.scalars(query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit)))


def unread_count(session: Session, user: Any) -> int:
    query = policy.scoped(select(func.count()).select_from(Notice).where(Notice.read_at.is_(None)), user, RESOURCE)
    return session.scalar(query) or 0


def mark_read(session: Session, user: Any, notice_id: int) -> Notice:
    """Mark one of the user's notices read (NotFound for a notice addressed to someone else)."""
    notice = policy.get(session, user, RESOURCE, notice_id, "read")
    if notice.read_at is None:
        notice.read_at = utcnow()
        session.flush()
    return notice


def mark_all_read(session: Session, user: Any) -> int:
    rows = list(session.scalars(policy.scoped(select(Notice).where(Notice.read_at.is_(None)), user, RESOURCE, "read")))
    now = utcnow()
    for notice in rows:
        notice.read_at = now
    session.flush()
    return len(rows)

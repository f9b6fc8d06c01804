"""Enterprises: read, list, and who may see the non-public fields."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.database.core import paginate
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.models import PatentApplicant
from ipbureau.trademarks.models import Trademark


def get(session: Session, enterprise_id: int) -> Enterprise | None:
    return session.get(Enterprise, enterprise_id)


def list_enterprises(session: Session, *, q: str | None = None, district_code: str | None = None,
                     tag: str | None = None, kind: str | None = None, dataset: str | None = None,
                     offset: int = 0, limit: int = 50) -> tuple[list[Enterprise], int]:
    query = select(Enterprise)
    if q:
        query = query.where(or_(Enterprise.name.contains(q), Enterprise.credit_code == q.upper()))
    if district_code:
        query = query.where(Enterprise.district_code == district_code)
    if kind:
        query = query.where(Enterprise.kind == kind)
    if dataset:
        query = query.where(Enterprise.dataset == dataset)
    if tag:
        # Tags are a JSON list; a LIKE on its text form works on SQLite and PostgreSQL alike.
        from sqlalchemy import String, cast

        query = query.where(cast(Enterprise.tags, String).contains(f'"{tag}"'))
    return paginate(session, query, Enterprise.name, offset=offset, limit=limit)


def can_view_private(user: User, enterprise: Enterprise) -> bool:
    """Non-public fields: city staff, the district's own staff, and the enterprise's own users."""
    role = Role(user.role)
    if role in (Role.ADMIN, Role.BUREAU_STAFF):
        return True
    if role == Role.DISTRICT_STAFF:
        return user.district_code is not None and user.district_code == enterprise.district_code
    if role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise.id
    return False


def record_counts(session: Session, enterprise: Enterprise) -> dict[str, int]:
    """How many patents and marks are linked to the enterprise (by applicant name at import)."""
    patents = session.scalar(select(func.count(func.distinct(PatentApplicant.patent_id)))
                             .where(PatentApplicant.enterprise_id == enterprise.id)) or 0
    marks = session.scalar(select(func.count()).select_from(Trademark).where(Trademark.enterprise_id == enterprise.id)) or 0
    return {"patents": patents, "trademarks": marks}

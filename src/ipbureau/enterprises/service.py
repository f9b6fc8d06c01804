"""The enterprise entity: one enterprise for a user, the directory, what is linked to an enterprise.

Who sees which part is the access policy's (``policy/enterprises.py``): every signed-in user the public fields,
``enterprise.view_private`` the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from ipbureau.database.core import paginate
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.schemas import (
    PAGE_SIZE,
    EnterpriseDetail,
    EnterpriseFilters,
    EnterpriseRead,
    offset_of,
)
from ipbureau.patents.models import PatentApplicant
from ipbureau.policy import policy
from ipbureau.trademarks.models import Trademark


def get_enterprise(session: Session, user: Any, enterprise_id: int) -> Enterprise:
    """The enterprise if the user may see it (NotFound otherwise)."""
    return policy.get(session, user, "enterprise", enterprise_id)


def shows_private(session: Session, user: Any, enterprise: Enterprise) -> bool:
    """Whether the user may see the enterprise's non-public fields and records."""
    return policy.can(session, user, "enterprise", "view_private", enterprise)


def read_enterprise(session: Session, user: Any, enterprise_id: int) -> EnterpriseRead:
    """The enterprise as the user may see it: with the non-public fields or without them."""
    enterprise = get_enterprise(session, user, enterprise_id)
    return as_read(enterprise, private=shows_private(session, user, enterprise))


def as_read(enterprise: Enterprise, *, private: bool) -> EnterpriseRead:
    return (EnterpriseDetail if private else EnterpriseRead).model_validate(enterprise)


def list_enterprises(session: Session, user: Any, filters: EnterpriseFilters, *, page: int = 1,
                     limit: int = PAGE_SIZE) -> tuple[list[Enterprise], int]:
    query = policy.scoped(select(Enterprise), user, "enterprise")
    if filters.q:
        query = query.where(or_(Enterprise.name.contains(filters.q), Enterprise.credit_code == filters.q.upper()))
    if filters.district_code:
        query = query.where(Enterprise.district_code == filters.district_code)
    if filters.kind:
        query = query.where(Enterprise.kind == filters.kind.value)
    if filters.dataset:
        query = query.where(Enterprise.dataset == filters.dataset.value)
    if filters.tag:
        # Tags are a JSON list; a LIKE on its text form works on SQLite and PostgreSQL alike.
        query = query.where(cast(Enterprise.tags, String).contains(f'"{filters.tag}"'))
    return paginate(session, query, Enterprise.name, offset=offset_of(page), limit=limit)


def record_counts(session: Session, enterprise: Enterprise) -> dict[str, int]:
    """How many patents and marks are linked to the enterprise (by applicant name at import)."""
    patents = session.scalar(select(func.count(func.distinct(PatentApplicant.patent_id)))
                             .where(PatentApplicant.enterprise_id == enterprise.id)) or 0
    marks = session.scalar(select(func.count()).select_from(Trademark)
                           .where(Trademark.enterprise_id == enterprise.id)) or 0
    return {"patents": patents, "trademarks": marks}

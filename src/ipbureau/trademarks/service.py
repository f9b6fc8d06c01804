from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipbureau.database.core import paginate
from ipbureau.trademarks.models import Trademark


def list_trademarks(session: Session, *, q: str | None = None, district_code: str | None = None,
                    nice_class: int | None = None, status: str | None = None, dataset: str | None = None,
                    offset: int = 0, limit: int = 50) -> tuple[list[Trademark], int]:
    query = select(Trademark)
    if q:
        query = query.where(or_(Trademark.mark_name.contains(q), Trademark.applicant_name.contains(q),
                                Trademark.application_no == q))
    if district_code:
        query = query.where(Trademark.district_code == district_code)
    if nice_class:
        query = query.where(Trademark.primary_class == nice_class)
    if status:
        query = query.where(Trademark.status == status)
    if dataset:
        query = query.where(Trademark.dataset == dataset)
    return paginate(session, query, Trademark.filing_date.desc(), Trademark.id, offset=offset, limit=limit)

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipbureau.database.core import paginate
from ipbureau.policy import policy
from ipbureau.trademarks.models import Trademark
from ipbureau.trademarks.nice import check_classes, headings
from ipbureau.trademarks.schemas import PAGE_SIZE, TrademarkQuery


def list_trademarks(session: Session, user: Any, query: TrademarkQuery) -> tuple[list[Trademark], int]:
    """One page of the trademarks the user may see that match the query, newest filing first."""
    found = policy.scoped(select(Trademark), user, "trademark")
    if query.q:
        found = found.where(or_(Trademark.mark_name.contains(query.q), Trademark.applicant_name.contains(query.q),
                                Trademark.application_no == query.q))
    if query.district_code:
        found = found.where(Trademark.district_code == query.district_code)
    if query.nice_class:
        check_classes(session, [query.nice_class])
        found = found.where(Trademark.primary_class == query.nice_class)
    if query.status:
        found = found.where(Trademark.status == query.status)
    if query.dataset:
        found = found.where(Trademark.dataset == query.dataset)
    return paginate(session, found, Trademark.filing_date.desc(), Trademark.id, offset=query.offset, limit=PAGE_SIZE)


def class_headings(session: Session, rows: list[Trademark]) -> dict[int, str]:
    """The Nice headings of the classes the rows carry (for the list page and the API)."""
    names = headings(session)
    wanted = {n for t in rows for n in (t.nice_classes or [])}
    return {n: names[n] for n in sorted(wanted) if n in names}

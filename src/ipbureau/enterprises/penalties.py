"""Deductions for the assessment, read from the protection modules' records.

* ``ipbureau.protection.enforcement.penalties``: enforcement cases against the enterprise
  (it is the party, ``party_enterprise_id``) that ended in a penalty — closed with a penalty
  decision number or fines above zero, or transferred to the judicial organs — closed or
  transferred within the three years up to the scoring date.
* ``ipbureau.protection.screening.penalties``: the enterprise's patent applications that the
  abnormal-application review confirmed as 非正常 (decided within the three years), counted
  once per application.

Each builder returns a ``SELECT enterprise_id, count … GROUP BY enterprise_id`` limited to
the scope, or None when the module is not installed, so the assessment runs without them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session


def _three_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 3)
    except ValueError:
        return day.replace(year=day.year - 3, day=28)


def enforcement_query(scope: Select, as_of: date) -> Select | None:
    try:
        from ipbureau.protection.enforcement.enums import CaseStatus
        from ipbureau.protection.enforcement.models import EnforcementCase as C
    except ImportError:
        return None
    since = _three_years_before(as_of)
    closed = and_(C.status == CaseStatus.CLOSED.value, C.closed_on > since, C.closed_on <= as_of,
                  or_(C.fines_yuan > 0, C.penalty_decision_no.is_not(None)))
    transferred = and_(C.status == CaseStatus.TRANSFERRED.value,
                       func.coalesce(C.transferred_on, C.closed_on) > since,
                       func.coalesce(C.transferred_on, C.closed_on) <= as_of)
    return (select(C.party_enterprise_id, func.count())
            .where(C.party_enterprise_id.in_(scope), or_(closed, transferred))
            .group_by(C.party_enterprise_id))


def abnormal_query(scope: Select, as_of: date) -> Select | None:
    try:
        from ipbureau.protection.screening.enums import CaseStatus
        from ipbureau.protection.screening.models import ScreeningCase as S
    except ImportError:
        return None
    from ipbureau.patents.models import PatentApplicant

    start = datetime.combine(_three_years_before(as_of) + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    return (select(PatentApplicant.enterprise_id, func.count(func.distinct(S.patent_id)))
            .join(PatentApplicant, PatentApplicant.patent_id == S.patent_id)
            .where(PatentApplicant.enterprise_id.in_(scope), S.status == CaseStatus.CONFIRMED.value,
                   S.decided_at >= start, S.decided_at < end)
            .group_by(PatentApplicant.enterprise_id))


BUILDERS: dict[str, Callable[[Select, date], Select | None]] = {
    "ipbureau.protection.enforcement.penalties": enforcement_query,
    "ipbureau.protection.screening.penalties": abnormal_query,
}


def count(source: str, session: Session, scope: Select, as_of: date) -> dict[int, int] | None:
    builder = BUILDERS.get(source)
    query = builder(scope, as_of) if builder else None
    if query is None:
        return None
    return {row[0]: int(row[1] or 0) for row in session.execute(query) if row[0] is not None}

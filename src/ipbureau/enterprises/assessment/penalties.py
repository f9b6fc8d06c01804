"""Deductions for the assessment, read from the protection modules' records.

* enforcement: cases against the enterprise (it is the party, ``party_enterprise_id``) that ended in a
  penalty — closed with a penalty decision number or fines above zero, or transferred to the judicial
  organs — closed or transferred within the three years up to the scoring date.
* abnormal applications: the enterprise's patent applications that the abnormal-application review
  confirmed as 非正常 (decided within the three years), counted once per application.

Each query is a ``SELECT enterprise_id, count … GROUP BY enterprise_id`` limited to the scope.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from ipbureau.patents.models import PatentApplicant
from ipbureau.protection.enforcement.enums import CaseStatus as EnforcementStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.protection.screening.enums import CaseStatus as ScreeningStatus
from ipbureau.protection.screening.models import ScreeningCase

PenaltyQuery = Callable[[Select, date], Select]


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29 February); the scoring windows use it too."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def enforcement_query(scope: Select, as_of: date) -> Select:
    case = EnforcementCase
    since = years_before(as_of, 3)
    closed = and_(case.status == EnforcementStatus.CLOSED.value, case.closed_on > since, case.closed_on <= as_of,
                  or_(case.fines_yuan > 0, case.penalty_decision_no.is_not(None)))
    ended_on = func.coalesce(case.transferred_on, case.closed_on)
    transferred = and_(case.status == EnforcementStatus.TRANSFERRED.value, ended_on > since, ended_on <= as_of)
    return (select(case.party_enterprise_id, func.count())
            .where(case.party_enterprise_id.in_(scope), or_(closed, transferred))
            .group_by(case.party_enterprise_id))


def abnormal_query(scope: Select, as_of: date) -> Select:
    start = datetime.combine(years_before(as_of, 3) + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return (select(PatentApplicant.enterprise_id, func.count(func.distinct(ScreeningCase.patent_id)))
            .join(PatentApplicant, PatentApplicant.patent_id == ScreeningCase.patent_id)
            .where(PatentApplicant.enterprise_id.in_(scope), ScreeningCase.status == ScreeningStatus.CONFIRMED.value,
                   ScreeningCase.decided_at >= start, ScreeningCase.decided_at < end)
            .group_by(PatentApplicant.enterprise_id))


def count(session: Session, query: PenaltyQuery, scope: Select, as_of: date) -> dict[int, int]:
    """{enterprise_id: records} of one deduction for the enterprises in scope."""
    return {row[0]: int(row[1] or 0) for row in session.execute(query(scope, as_of)) if row[0] is not None}

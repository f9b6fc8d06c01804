"""Live statistics of enforcement cases and their Excel export, over the cases the user may see.

Counting rules (the same as the indicators in ``indicators.py``):

* a case is *closed* (办结) in the period of its ``closed_on``: closed with a penalty decision, or ended by
  transfer to a judicial organ (移送司法机关, the administrative procedure ends there; a case closed with a
  penalty and transferred afterwards keeps its closing day);
* amounts involved (涉案金额) and fines and confiscations (罚没款) are summed over the closed cases;
* a case counts as *transferred* in the period of its ``transferred_on``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, extract, func, or_, select
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.documents.spreadsheet import Sheet, Styled, workbook
from ipbureau.policy import policy
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.protection.enforcement.workflows import RESOURCE
from ipbureau.protection.fields import district_names
from ipbureau.stats.charts import bar_ranking, column_chart

CLOSED_STATUSES = (CaseStatus.CLOSED.value, CaseStatus.TRANSFERRED.value)
DATASETS = ("real", "demo")


def _visible(user: User) -> Select:
    return policy.scoped(select(EnforcementCase), user, RESOURCE)


@dataclass
class Figures:
    closed: int = 0
    amount_yuan: Decimal = Decimal(0)
    fines_yuan: Decimal = Decimal(0)
    transferred: int = 0

    @property
    def amount_wan(self) -> float:
        return round(float(self.amount_yuan) / 10000, 2)

    @property
    def fines_wan(self) -> float:
        return round(float(self.fines_yuan) / 10000, 2)


@dataclass
class EnforcementStats:
    year: int
    dataset: str
    total: Figures
    by_category: dict[str, Figures] = field(default_factory=dict)
    by_district: dict[str, Figures] = field(default_factory=dict)
    by_month: dict[int, Figures] = field(default_factory=dict)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def statistics(session: Session, user: User, year: int, *, dataset: str = "real") -> EnforcementStats:
    """Closed cases, amounts and fines (by closing day) and transfers (by transfer day) in a year,
    over the cases the user may see, by category, district and month; computed from the records."""
    visible = _visible(user).where(EnforcementCase.dataset == dataset).subquery()
    start, end = date(year, 1, 1), date(year, 12, 31)
    closed = and_(visible.c.status.in_(CLOSED_STATUSES), visible.c.closed_on >= start, visible.c.closed_on <= end)
    moved = and_(visible.c.transferred.is_(True), visible.c.transferred_on >= start, visible.c.transferred_on <= end)
    stats = EnforcementStats(year=year, dataset=dataset, total=Figures(),
                             by_month={m: Figures() for m in range(1, 13)})
    month = extract("month", visible.c.closed_on)
    rows = session.execute(select(visible.c.category, visible.c.district_code, month, func.count(),
                                  func.sum(visible.c.amount_involved_yuan), func.sum(visible.c.fines_yuan))
                           .where(closed).group_by(visible.c.category, visible.c.district_code, month))
    for category, district_code, m, count, amount_sum, fines_sum in rows:
        for bucket in (stats.total, stats.by_category.setdefault(category, Figures()),
                       stats.by_district.setdefault(district_code, Figures()), stats.by_month[int(m)]):
            bucket.closed += count
            bucket.amount_yuan += _dec(amount_sum)
            bucket.fines_yuan += _dec(fines_sum)
    month_moved = extract("month", visible.c.transferred_on)
    rows = session.execute(select(visible.c.category, visible.c.district_code, month_moved, func.count())
                           .where(moved).group_by(visible.c.category, visible.c.district_code, month_moved))
    for category, district_code, m, count in rows:
        for bucket in (stats.total, stats.by_category.setdefault(category, Figures()),
                       stats.by_district.setdefault(district_code, Figures()), stats.by_month[int(m)]):
            bucket.transferred += count
    stats.by_category = {c.value: stats.by_category.get(c.value, Figures()) for c in CaseCategory}
    stats.by_district = dict(sorted(stats.by_district.items()))
    return stats


def default_dataset(session: Session, user: User) -> str:
    """Real records when there are any the user may see; demo records otherwise (a demo installation)."""
    visible = _visible(user).with_only_columns(EnforcementCase.id)
    if session.scalar(visible.where(EnforcementCase.dataset == "real").limit(1)) is not None:
        return "real"
    return "demo" if session.scalar(visible.where(EnforcementCase.dataset == "demo").limit(1)) else "real"


def year_statistics(session: Session, user: User, year: int | None, dataset: str | None, *,
                    today: date) -> EnforcementStats:
    """The statistics a page or the API asks for: this year and the user's default dataset unless chosen."""
    dataset = dataset if dataset in DATASETS else default_dataset(session, user)
    return statistics(session, user, year or today.year, dataset=dataset)


def export_workbook(session: Session, user: User, stats: EnforcementStats) -> bytes:
    """Sheets by category, district and month (closed, 万元 amounts, transferred) and the cases closed or
    transferred in the year."""
    names = district_names(session)
    headers = ("办结案件数（件）", "涉案金额（万元）", "罚没款（万元）", "移送司法机关（件）")
    caption = f"{stats.year}年行政执法案件统计（{'演示数据' if stats.dataset == 'demo' else '真实数据'}）"
    total = stats.total
    total_row = [Styled(v, bold=True) for v in ("合计", total.closed, total.amount_wan, total.fines_wan, total.transferred)]
    breakdowns = (("按类别", "案件类别", [(CaseCategory(c).label, f) for c, f in stats.by_category.items()]),
                  ("按区", "区", [(names.get(d, d or "未知"), f) for d, f in stats.by_district.items()]),
                  ("按月", "月份", [(f"{m}月", f) for m, f in stats.by_month.items()]))
    sheets = [Sheet(title, (first, *headers), [*([label, f.closed, f.amount_wan, f.fines_wan, f.transferred]
                                                 for label, f in rows), total_row],
                    caption=caption, widths=[16, 18, 18, 18, 18]) for title, first, rows in breakdowns]
    start, end = date(stats.year, 1, 1), date(stats.year, 12, 31)
    query = _visible(user).where(EnforcementCase.dataset == stats.dataset, or_(
        and_(EnforcementCase.status.in_(CLOSED_STATUSES), EnforcementCase.closed_on.between(start, end)),
        and_(EnforcementCase.transferred.is_(True), EnforcementCase.transferred_on.between(start, end))))
    cases = session.scalars(query.order_by(EnforcementCase.closed_on, EnforcementCase.id))
    details = ([case.case_no, CaseCategory(case.category).label, names.get(case.district_code), case.enforcement_unit,
                case.party_name, case.opened_on, case.closed_on, float(case.amount_involved_yuan or 0),
                float(case.fines_yuan or 0), case.penalty_decision_no,
                case.transferred_organ if case.transferred else "否", case.transferred_on,
                CaseStatus(case.status).label] for case in cases)
    sheets.append(Sheet("案件明细", ("案件编号", "类别", "区", "执法单位", "当事人", "立案日期", "结案日期", "涉案金额（元）",
                                 "罚没款（元）", "处罚决定书文号", "移送司法机关", "移送日期", "状态"), details))
    return workbook(*sheets)


def month_chart(stats: EnforcementStats) -> str:
    return column_chart([f"{m}月" for m in stats.by_month], [f.closed for f in stats.by_month.values()],
                        title=f"{stats.year}年各月办结执法案件数")


def category_chart(stats: EnforcementStats) -> str:
    return bar_ranking([CaseCategory(c).label for c in stats.by_category],
                       [f.amount_wan for f in stats.by_category.values()], title=f"{stats.year}年各类案件涉案金额（万元）")

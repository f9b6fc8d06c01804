"""The marketplace's figures (交易统计), computed by the statistics engine (ipbureau.stats.engine) from the indicators
declared in market/indicators.py, so the figures here are the ones /stats, the white paper and the work plan
show. Periods are UTC calendar days of the events (the engine's convention). District staff read their own
district's figures (the policy: ``market.stats``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.market.schemas import StatsQuery
from ipbureau.policy import policy
from ipbureau.policy._scopes import locked_district
from ipbureau.stats import engine
from ipbureau.stats.catalogue import indicator
from ipbureau.stats.charts import bar_ranking, column_chart
from ipbureau.workplan.flows import DEFAULT_PLAN_FILE
from ipbureau.workplan.models import WorkPlan, WorkPoint, WorkTarget

RESOURCE = "market.stats"
# 2023年工作要点（十四）: 专利展示、交易、开放许可数量达到1000件.
TARGET_2023 = 1000

# figure name -> indicator code
STAT_CODES = {
    "patents_counted": "market_patents_operated",
    "listed": "market_listings_published",
    "open_licences": "market_open_licence_patents",
    "deals_done": "market_deals_done",
    "deals_amount": "market_deal_amount",  # 万元
    "free_licences": "market_free_licences",
    "pledges": "market_pledges",
    "pledge_amount": "market_pledge_amount",  # 万元
    "demands": "market_demands_posted",
    "smes_pushed": "market_smes_pushed",
}
TARGET_INDICATOR = "market_patents_operated"


def plan_target(session: Session, year: int = 2023) -> tuple[float, str]:
    """The work plan's target for market_patents_operated (（十四）: 1000 件): from the loaded plan,
    else from the plan file shipped with the work-plan module."""
    row = session.execute(select(WorkTarget.target_value, WorkTarget.description)
                          .join(WorkPoint, WorkPoint.id == WorkTarget.point_id)
                          .join(WorkPlan, WorkPlan.id == WorkPoint.plan_id)
                          .where(WorkTarget.indicator_code == TARGET_INDICATOR, WorkPlan.year == year)).first()
    if row is not None:
        return float(row[0]), row[1]
    plan = yaml.safe_load(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    for point in plan.get("points", []):
        for target in point.get("targets", []):
            if target.get("indicator_code") == TARGET_INDICATOR:
                return float(target["target_value"]), target["description"]
    return float(TARGET_2023), "专利展示、交易、开放许可数量"


@dataclass
class MonthFigures:
    month: int
    listed: int = 0
    open_licences: int = 0
    deals_done: int = 0
    amount: Decimal = Decimal("0")  # 元
    demands: int = 0
    smes_pushed: int = 0
    patents_cumulative: int = 0  # distinct patents operated from 1 January to the month's end


@dataclass
class DistrictFigures:
    district_code: str | None
    name: str
    listed: int = 0
    open_licences: int = 0
    deals_done: int = 0
    amount: Decimal = Decimal("0")
    patents: int = 0
    demands: int = 0
    smes_pushed: int = 0


@dataclass
class MarketStats:
    year: int
    dataset: str = "real"
    district_code: str | None = None  # None: the whole city
    listed: int = 0  # listings first published in the year
    open_licences: int = 0  # patents declared for open licence in the year
    deals_done: int = 0
    deals_amount: Decimal = Decimal("0")  # 元
    free_licences: int = 0
    pledges: int = 0
    pledge_amount: Decimal = Decimal("0")  # 元
    demands: int = 0
    smes_pushed: int = 0
    patents_counted: int = 0  # distinct patents shown, traded or under open licence in the year
    target: int = TARGET_2023
    target_label: str = "专利展示、交易、开放许可数量"
    by_month: list[MonthFigures] = field(default_factory=list)
    by_district: list[DistrictFigures] = field(default_factory=list)
    yoy: dict[str, float | None] = field(default_factory=dict)

    @property
    def target_ratio(self) -> float:
        return self.patents_counted / self.target if self.target else 0.0


def _yuan(wan: float | int | None) -> Decimal:
    return (Decimal(str(wan or 0)) * 10000).quantize(Decimal("0.01"))


def market_stats(session: Session, year: int, *, district_code: str | None = None,
                 dataset: str = "real") -> MarketStats:
    """The marketplace figures of a calendar year, by month and by district, from the engine.

    Progress towards the plan's target counts patents (件), each once: a patent listed and then
    traded in the same year is one patent shown and traded, not two.
    """
    target, label = plan_target(session)
    stats = MarketStats(year=year, dataset=dataset, district_code=district_code, target=int(target),
                        target_label=label, by_month=[MonthFigures(m) for m in range(1, 13)])
    months = [engine.period_bounds(year, f"M{m:02d}") for m in range(1, 13)]
    for name, code in STAT_CODES.items():
        defn = indicator(code)
        value = engine.compute(session, code, year, district_code=district_code, dataset=dataset)
        total = value.value or 0
        stats.yoy[name] = value.yoy_growth
        setattr(stats, name, _yuan(total) if defn.sum_column else int(total))
        if name in ("listed", "open_licences", "deals_done", "demands", "smes_pushed"):
            for figures, n in zip(stats.by_month, engine.count_periods(session, defn, months, dataset=dataset,
                                                                       district_code=district_code), strict=True):
                setattr(figures, name, int(n))
        elif name == "deals_amount":
            for figures, n in zip(stats.by_month, engine.count_periods(session, defn, months, dataset=dataset,
                                                                       district_code=district_code), strict=True):
                figures.amount = _yuan(n)
        elif name == "patents_counted":
            cumulative = [(months[0][0], end) for _start, end in months]
            for figures, n in zip(stats.by_month, engine.count_periods(session, defn, cumulative, dataset=dataset,
                                                                       district_code=district_code), strict=True):
                figures.patents_cumulative = int(n)
    rows: dict[str, DistrictFigures] = {}
    for name, attr in (("listed", "listed"), ("open_licences", "open_licences"), ("deals_done", "deals_done"),
                       ("deals_amount", "amount"), ("patents_counted", "patents"), ("demands", "demands"),
                       ("smes_pushed", "smes_pushed")):
        for value in engine.by_district(session, STAT_CODES[name], year, dataset=dataset):
            if district_code and value.district_code != district_code:
                continue
            row = rows.setdefault(value.district_code, DistrictFigures(value.district_code, value.label or ""))
            number = value.value or 0
            setattr(row, attr, _yuan(number) if name == "deals_amount" else int(number))
    stats.by_district = sorted((r for r in rows.values() if r.listed or r.open_licences or r.deals_done or r.patents
                                or r.demands or r.smes_pushed),
                               key=lambda r: (-(r.patents + r.deals_done), r.district_code or "~"))
    return stats


def by_month_chart(stats: MarketStats) -> str:
    return column_chart([f"{m.month}月" for m in stats.by_month],
                        [m.listed + m.open_licences + m.deals_done for m in stats.by_month],
                        title=f"{stats.year}年各月挂牌、开放许可与成交数量")


def progress_chart(stats: MarketStats) -> str:
    """Distinct patents shown, traded or openly licensed from 1 January to each month's end, and
    the plan's target as the last bar."""
    return column_chart([f"{m.month}月" for m in stats.by_month] + ["目标"],
                        [m.patents_cumulative for m in stats.by_month] + [stats.target],
                        title=f"{stats.year}年{stats.target_label}累计进度（目标 {stats.target} 件）", width=640)


def district_chart(stats: MarketStats) -> str:
    rows = stats.by_district or [DistrictFigures(None, "无数据")]
    return bar_ranking([r.name for r in rows], [r.patents for r in rows],
                       title=f"{stats.year}年各区{stats.target_label}（件）")


def stats_for(session: Session, user: Any, query: StatsQuery | None = None) -> MarketStats:
    """The figures the user may read: the city's, or for district staff their district's. Defaults: this year,
    real data when there are any (else the demo data)."""
    policy.require(user, RESOURCE, "view")
    query = query or StatsQuery()
    district = locked_district(user, policy.resource(RESOURCE))
    dataset = query.dataset or engine.default_dataset(session)
    return market_stats(session, query.year or date.today().year, district_code=district, dataset=dataset.value)

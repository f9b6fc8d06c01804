"""Cycle-time statistics of pre-examination, live from the case rows.

The rows are read with one SELECT (dates as the UTC day, as the indicators count them) and
aggregated by DuckDB in memory: each case contributes up to three events (received, decided,
granted), each placed in the period and month of its own date, so every figure equals the
matching indicator (预审案件受理量 / 预审合格量 / 预审后授权量) for the same scope.
Medians: days from receipt to the decision (over decisions in the period) and from the
decision to the grant (over grants in the period).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import duckdb
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from ipbureau.documents.spreadsheet import Sheet, Styled, workbook
from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import IndustryChain, load_chains
from ipbureau.policy import policy
from ipbureau.protection.preexam.enums import Decision
from ipbureau.protection.preexam.models import Case, Centre
from ipbureau.protection.preexam.schemas import StatsQuery
from ipbureau.stats import charts
from ipbureau.stats.definitions import day_of

DIMENSIONS = {"centre": "保护中心", "chain": "技术领域（产业链）", "section": "IPC 部", "month": "月份"}
SECTIONS = {"A": "A 人类生活必需", "B": "B 作业；运输", "C": "C 化学；冶金", "D": "D 纺织；造纸", "E": "E 固定建筑物",
            "F": "F 机械工程；照明；加热；武器；爆破", "G": "G 物理", "H": "H 电学"}
NO_CHAIN = "其他领域"


@dataclass
class Row:
    key: str
    received: int = 0
    decided: int = 0
    qualified: int = 0
    granted: int = 0
    median_decision_days: float | None = None
    median_grant_days: float | None = None

    @property
    def qualified_ratio(self) -> float | None:
        return self.qualified / self.decided if self.decided else None


@dataclass
class CycleStats:
    dataset: str
    year: int | None
    district_code: str | None
    total: Row
    by: dict[str, list[Row]] = field(default_factory=dict)


def _rows(session: Session, dataset: str, condition: ColumnElement[bool] | None) -> list[Any]:
    query = (select(Centre.short_name, Case.chain_code, Case.ipc_main, day_of(Case.received_at),
                    day_of(Case.decided_at), Case.decision, Case.granted_on)
             .join(Centre, Centre.id == Case.centre_id)
             .join(Enterprise, Enterprise.id == Case.enterprise_id)
             .where(Enterprise.dataset == dataset))
    if condition is not None:
        query = query.where(condition)
    return session.execute(query).all()


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _events(rows: list[Any], year: int | None, chains: tuple[IndustryChain, ...]) -> dict[str, np.ndarray]:
    """One row per event in the period: kind, dimensions, whether qualified, and its span in days."""
    kind, centre, chain, section, month, qualified, days = [], [], [], [], [], [], []
    names = {c.code: c.name for c in chains}

    def add(what: str, row: Any, day: date, is_qualified: bool, span: float) -> None:
        if year is not None and day.year != year:
            return
        kind.append(what)
        centre.append(row[0])
        chain.append(names.get(row[1], NO_CHAIN) if row[1] else NO_CHAIN)
        section.append(SECTIONS.get(row[2][:1], row[2][:1]))
        month.append(f"{day.year}-{day.month:02d}")
        qualified.append(is_qualified)
        days.append(span)

    for row in rows:
        received, decided, granted = _as_date(row[3]), _as_date(row[4]), _as_date(row[6])
        add("received", row, received, False, np.nan)
        if decided is not None:
            add("decided", row, decided, row[5] == Decision.QUALIFIED.value, float((decided - received).days))
        if granted is not None:
            span = float((granted - decided).days) if decided is not None else np.nan
            add("granted", row, granted, False, span)
    return {"kind": np.array(kind, dtype=object), "centre": np.array(centre, dtype=object),
            "chain": np.array(chain, dtype=object), "section": np.array(section, dtype=object),
            "month": np.array(month, dtype=object), "qualified": np.array(qualified, dtype=bool),
            "days": np.array(days, dtype=float)}


AGGREGATES = """
    count(*) FILTER (WHERE kind = 'received') AS received,
    count(*) FILTER (WHERE kind = 'decided') AS decided,
    count(*) FILTER (WHERE kind = 'decided' AND qualified) AS qualified,
    count(*) FILTER (WHERE kind = 'granted') AS granted,
    median(days) FILTER (WHERE kind = 'decided') AS median_decision_days,
    median(days) FILTER (WHERE kind = 'granted') AS median_grant_days
"""


def cycle_stats(session: Session, *, dataset: str = "real", year: int | None = None,
                condition: ColumnElement[bool] | None = None, district_code: str | None = None) -> CycleStats:
    """The figures of the cases of one dataset, for a year or all. ``condition`` limits the cases (the user's row
    scope, see ``for_user``); ``district_code`` names the district it limits them to, for the page and workbook."""
    events = _events(_rows(session, dataset, condition), year, load_chains(session))
    connection = duckdb.connect()
    try:
        if len(events["kind"]):
            connection.register("events", events)
        else:
            connection.execute("CREATE TABLE events (kind VARCHAR, centre VARCHAR, chain VARCHAR, section VARCHAR, "
                               "month VARCHAR, qualified BOOLEAN, days DOUBLE)")
        result = connection.execute(
            f"SELECT grouping(centre) AS g_centre, grouping(chain) AS g_chain, grouping(section) AS g_section, "
            f"grouping(month) AS g_month, centre, chain, section, month, {AGGREGATES} FROM events "
            f"GROUP BY GROUPING SETS ((centre), (chain), (section), (month), ())").fetchall()
    finally:
        connection.close()
    stats = CycleStats(dataset=dataset, year=year, district_code=district_code, total=Row("合计"),
                       by={name: [] for name in DIMENSIONS})
    for record in result:
        flags, keys, figures = record[0:4], record[4:8], record[8:]
        row = Row("", *(int(x) for x in figures[:4]),
                  *(None if x is None else float(x) for x in figures[4:]))
        if all(flags):
            row.key = "合计"
            stats.total = row
            continue
        dimension = list(DIMENSIONS)[list(flags).index(0)]
        row.key = keys[list(DIMENSIONS).index(dimension)]
        stats.by[dimension].append(row)
    stats.by["month"].sort(key=lambda r: r.key)
    for name in ("centre", "chain", "section"):
        stats.by[name].sort(key=lambda r: (-r.received, r.key))
    return stats


def months_chart(stats: CycleStats, *, last: int = 24) -> str:
    months = stats.by["month"][-last:]
    return charts.column_chart([r.key[2:].replace("-", ".") for r in months], [r.received for r in months],
                               title="预审案件受理量（按月）", width=max(560, 28 * len(months)))


def chain_chart(stats: CycleStats) -> str:
    rows = stats.by["chain"]
    return charts.bar_ranking([r.key for r in rows], [r.median_decision_days for r in rows],
                              title="受理至预审结论中位天数（按技术领域）")


def _days(value: float | None) -> float | str:
    return "—" if value is None else value


def export_workbook(stats: CycleStats) -> bytes:
    """The same figures as the page, one sheet per breakdown."""
    headers = ["", "受理量（件）", "作出结论（件）", "预审合格（件）", "合格率", "授权（件）", "受理至结论中位天数",
               "结论至授权中位天数"]
    scope = (f"{stats.year}年" if stats.year else "全部年份") + ("（演示数据）" if stats.dataset == "demo" else "") + (
        f"，区划 {stats.district_code}" if stats.district_code else "")

    def rows(name: str) -> list[list[Any]]:
        return [[row.key, row.received, row.decided, row.qualified,
                 "—" if row.qualified_ratio is None else round(row.qualified_ratio, 4), row.granted,
                 _days(row.median_decision_days), _days(row.median_grant_days)] for row in [*stats.by[name], stats.total]]

    return workbook(*(Sheet(label.replace("（", "(").replace("）", ")"), [label, *headers[1:]], rows(name),
                            caption=Styled(f"专利预审周期统计 · 按{label} · {scope}", bold=True), widths={0: 28})
                      for name, label in DIMENSIONS.items()))


def available_years(session: Session, dataset: str) -> list[int]:
    days = session.scalars(select(day_of(Case.received_at)).join(Enterprise, Enterprise.id == Case.enterprise_id)
                           .where(Enterprise.dataset == dataset).distinct())
    return sorted({_as_date(d).year for d in days}, reverse=True)


def default_dataset(session: Session) -> str:
    """Real data when there is any (or no demo either), else the demo's."""
    return Dataset.REAL.value if available_years(session, "real") or not available_years(session, "demo") \
        else Dataset.DEMO.value


def for_user(session: Session, user: Any, query: StatsQuery) -> CycleStats:
    """The figures of the cases the user may count: the policy limits district staff to their district's
    enterprises (``preexam.stats``); such a limited view is labelled with the user's district."""
    condition = policy.clause(user, "preexam.stats", "view")
    district = None if condition is None else user.district_code
    return cycle_stats(session, dataset=query.dataset or default_dataset(session), year=query.year,
                       district_code=district, condition=condition)


@dataclass
class StatsPage:
    stats: CycleStats
    years: list[int]
    months_chart: str
    chain_chart: str


def stats_page(session: Session, user: Any, query: StatsQuery) -> StatsPage:
    figures = for_user(session, user, query)
    return StatsPage(figures, available_years(session, figures.dataset), months_chart(figures), chain_chart(figures))

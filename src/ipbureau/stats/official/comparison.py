"""Official figures beside computed ones, and Tianjin among the provinces.

``COUNTERPARTS`` is the explicit mapping from a computed indicator (``stats.catalogue``) to the official
indicators *as published* that count the same thing closely enough to be set side by side. Each entry says how
the definitions differ; an official indicator not listed here is never compared (e.g. ``国内职务发明创造专利申请
授权量`` counts only service inventions and is not a counterpart of 发明专利授权量).

Only year-end or whole-year official figures are compared: period ``YYYY`` or ``YYYY-12`` (a December cumulative
flow or a December month-end stock); a month-end stock of September is not a year-end stock.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.core.errors import NotFound
from ipbureau.enums import Dataset
from ipbureau.policy import policy
from ipbureau.stats import engine
from ipbureau.stats.catalogue import BY_CODE
from ipbureau.stats.official.models import OfficialStatistic
from ipbureau.stats.official.schemas import Comparison, PeerRow, PeerTable, PeerTableRef
from ipbureau.stats.official.service import rows_for

TIANJIN = "12"
# Region codes that are not provinces in the CNIPA tables (national total, Taiwan, Hong Kong, Macau).
NOT_PROVINCES = ("00", "71", "81", "82")
# A by-province table is a peer table when at least this many provinces are in it (a cut-off excerpt with a
# handful of rows would rank Tianjin among an arbitrary few).
MIN_PEER_PROVINCES = 20
ROUNDED_MARK = "四舍五入"


@dataclass(frozen=True)
class Counterpart:
    code: str  # computed indicator
    indicator: str  # official indicator, as published
    scope: str
    note: str  # how the definitions differ


_WHITE_PAPER = "官方数为天津市白皮书或新闻发布数，未说明统计口径（按申请人类型、日期）；"
_OURS = "计算值按第一申请人地址在天津统计。"

COUNTERPARTS: tuple[Counterpart, ...] = (
    Counterpart("invention_grants", "发明专利授权", "—", _WHITE_PAPER + "计算值按授权公告日、" + _OURS),
    Counterpart("invention_grants", "发明专利授权量", "国内", "官方为国家知识产权局国内（含港澳台）发明专利授权量；" + _OURS),
    Counterpart("valid_inventions", "有效发明专利", "—", _WHITE_PAPER + "计算值为年末仍有效的发明专利，" + _OURS),
    Counterpart("valid_inventions", "国内有效发明专利量", "国内",
                "官方为国家知识产权局月报的国内有效发明专利量（仅取 12 月末）；" + _OURS),
    Counterpart("valid_inventions", "发明专利有效量", "国内", "官方为国家知识产权局年报国内发明专利有效量；" + _OURS),
    Counterpart("high_value_inventions_per_10k", "每万人口高价值发明专利拥有量", "—",
                "官方按国家知识产权局五类认定并含获奖专利；计算值以可支持的近似条件认定（见指标说明）。"),
    Counterpart("trademark_applications", "商标注册申请", "—", _WHITE_PAPER + "计算值按申请日、" + _OURS),
    Counterpart("trademark_applications", "申请注册商标", "—", _WHITE_PAPER + "计算值按申请日、" + _OURS),
    Counterpart("trademark_applications", "申请商标注册", "—", _WHITE_PAPER + "计算值按申请日、" + _OURS),
    Counterpart("trademark_applications", "提交商标申请", "—", _WHITE_PAPER + "计算值按申请日、" + _OURS),
    Counterpart("trademark_registrations", "核准注册商标", "—", _WHITE_PAPER + "计算值按注册日、" + _OURS),
    Counterpart("valid_trademarks", "有效注册商标", "—", _WHITE_PAPER + "计算值为年末有效注册商标，" + _OURS),
)
BY_OFFICIAL: dict[tuple[str, str], Counterpart] = {(c.indicator, c.scope): c for c in COUNTERPARTS}


def year_end(row: OfficialStatistic) -> bool:
    return row.period in (str(row.year), f"{row.year}-12")


def official_counterparts(session: Session, *, year: int | None = None) -> list[tuple[Counterpart, OfficialStatistic]]:
    """Tianjin's official rows that have a computed counterpart (whole years / year ends only)."""
    rows = rows_for(session, region_code=TIANJIN, indicators={c.indicator for c in COUNTERPARTS}, year=year)
    return [(BY_OFFICIAL[(r.indicator, r.scope)], r) for r in rows
            if (r.indicator, r.scope) in BY_OFFICIAL and year_end(r)]


def comparisons(session: Session, *, dataset: str | Dataset = Dataset.REAL, year: int | None = None,
                computed: dict[tuple[str, int], int | float | None] | None = None) -> list[Comparison]:
    """Each official Tianjin figure with a counterpart, beside the figure computed from the records for the same
    year (computed once per indicator and year; ``computed`` may bring values the caller already has)."""
    ds = Dataset(engine.dataset_value(dataset))
    pairs = official_counterparts(session, year=year)
    values = dict(computed or {})
    missing: dict[str, set[int]] = defaultdict(set)
    for counterpart, row in pairs:
        if (counterpart.code, row.year) not in values:
            missing[counterpart.code].add(row.year)
    for code, years in missing.items():  # one aggregate query per indicator for all its years
        values |= {(code, v.year): v.value for v in engine.series(session, code, sorted(years), dataset=ds)}
    out = []
    for counterpart, row in pairs:
        ours = values[(counterpart.code, row.year)]
        difference = None if ours is None else round(float(ours) - row.value, 2)
        out.append(Comparison(
            code=counterpart.code, name=BY_CODE[counterpart.code].name, year=row.year, computed=ours,
            official_id=row.id, official_indicator=row.indicator, official_scope=row.scope,
            official_period=row.period, official=row.value, unit=row.unit, source_url=row.source_url,
            rounded=ROUNDED_MARK in (row.note or ""), difference=difference,
            difference_pct=(round(difference / row.value * 100, 1) if difference is not None and row.value else None),
            definition_note=counterpart.note))
    out.sort(key=lambda c: (list(BY_CODE).index(c.code), -c.year, c.official_indicator, c.official_id))
    return out


# ---- peers ---------------------------------------------------------------------------------------------------


def peer_tables(session: Session) -> list[PeerTableRef]:
    """The official by-province tables (indicator, scope, period) with at least MIN_PEER_PROVINCES provinces,
    newest period first within each indicator."""
    t = OfficialStatistic
    provinces = func.count(func.distinct(t.region_code))
    rows = session.execute(
        select(t.indicator, t.scope, t.period, func.min(t.unit), provinces)
        .where(t.region_code.not_in(NOT_PROVINCES))
        .group_by(t.indicator, t.scope, t.period)
        .having(provinces >= MIN_PEER_PROVINCES)
        .order_by(t.indicator, t.scope, t.period.desc())).all()
    return [PeerTableRef(indicator=i, scope=s, period=p, unit=u, regions=int(n)) for i, s, p, u, n in rows]


def peer_table(session: Session, indicator: str, scope: str, period: str) -> PeerTable:
    """The provinces of one official table, largest first (competition ranking), Tianjin marked."""
    t = OfficialStatistic
    rows = list(session.scalars(select(t).where(t.indicator == indicator, t.scope == scope, t.period == period,
                                                t.region_code.not_in(NOT_PROVINCES)).order_by(t.id)))
    first: dict[str, OfficialStatistic] = {}
    sources: dict[str, None] = {}
    for row in rows:  # one figure per province: the first recorded (a second page repeats it)
        first.setdefault(row.region_code, row)
        sources[row.source_url] = None
    ordered = sorted(first.values(), key=lambda r: (-r.value, r.region_code))
    values = [r.value for r in ordered]
    ranked = [PeerRow(rank=1 + sum(1 for v in values if v > r.value), region=r.region, region_code=r.region_code,
                      value=r.value, tianjin=r.region_code == TIANJIN) for r in ordered]
    tianjin = next((r.rank for r in ranked if r.tianjin), None)
    median = None
    if values:
        middle = sorted(values)
        n = len(middle)
        median = middle[n // 2] if n % 2 else (middle[n // 2 - 1] + middle[n // 2]) / 2
    return PeerTable(indicator=indicator, scope=scope, period=period, unit=rows[0].unit if rows else "",
                     source_urls=list(sources), rows=ranked, tianjin_rank=tianjin, median=median)


def latest_peer_tables(session: Session) -> list[PeerTable]:
    """For each official by-province indicator, its newest table (the white paper's and the dashboard's)."""
    newest: dict[tuple[str, str], PeerTableRef] = {}
    for ref in peer_tables(session):
        newest.setdefault((ref.indicator, ref.scope), ref)
    return [peer_table(session, r.indicator, r.scope, r.period) for r in newest.values()]


def by_year(items: list[Comparison]) -> dict[int, list[Comparison]]:
    grouped: dict[int, list[Comparison]] = defaultdict(list)
    for item in items:
        grouped[item.year].append(item)
    return dict(grouped)


# ---- entry points with the access policy ---------------------------------------------------------------------


def comparison_for(session: Session, user: object, *, year: int | None, dataset: str) -> list[Comparison]:
    policy.authorize(session, user, "stats.official", "view")
    return comparisons(session, dataset=dataset, year=year)


def peers_for(session: Session, user: object, *, indicator: str | None, scope: str | None,
              period: str | None) -> tuple[list[PeerTableRef], PeerTable | None]:
    """The list of peer tables, and the one asked for (default: the first, i.e. the newest of the first
    indicator). An unknown table is a 404."""
    policy.authorize(session, user, "stats.official", "view")
    refs = peer_tables(session)
    if indicator is None and scope is None and period is None:
        chosen = refs[0] if refs else None
    else:
        chosen = next((r for r in refs if r.indicator == indicator and (scope is None or r.scope == scope)
                       and (period is None or r.period == period)), None)
        if chosen is None:
            raise NotFound("该分省统计表")
    return refs, (peer_table(session, chosen.indicator, chosen.scope, chosen.period) if chosen else None)

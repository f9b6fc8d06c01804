"""Computing the catalogue's indicators: one value, a yearly series, and the breakdowns by
district and by industry chain.

Every function issues a fixed, small number of aggregate queries: the periods asked for
(and the same periods a year earlier, for YoY) become ``COUNT(CASE WHEN … THEN 1 END)``
columns of one SELECT, grouped by district or, for chains, evaluated per chain over the
patent ⋈ patent_ipc join with ``COUNT(DISTINCT …)``. Real and demo records are never
mixed: every query is restricted to one ``dataset``.
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError

import calendar
from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, FromClause, and_, case, func, select
from sqlalchemy.orm import Session

from ipbureau.enums import Dataset
from ipbureau.navigation.chains import IndustryChain, chain_by_code, load_chains
from ipbureau.patents.enums import PatentType
from ipbureau.reference.address import TIANJIN_PROVINCE
from ipbureau.reference.models import District
from ipbureau.reference.service import CITY_CODE, city_population, district_map
from ipbureau.stats.catalogue import CATALOGUE, PATENT, PATENT_IPC, chain_condition, indicator, ipc_prefix_condition
from ipbureau.stats.definitions import IndicatorDef, record_source
from ipbureau.stats.enums import Measure, Subject, YoyNote
from ipbureau.stats.models import IndicatorDefRead, IndicatorValue

PERIODS = ("year", "H1", "H2", "Q1", "Q2", "Q3", "Q4", *(f"M{m:02d}" for m in range(1, 13)))
PERIOD_LABELS = {"year": "全年", "H1": "上半年", "H2": "下半年", **{f"Q{q}": f"第{q}季度" for q in range(1, 5)},
                 **{f"M{m:02d}": f"{m}月" for m in range(1, 13)}}
MIN_YEAR, MAX_YEAR = 1985, 2100  # the Chinese patent system starts in 1985

NOTE_NO_DATA = "无数据：所选数据集未覆盖该期间"
NOTE_NO_POPULATION = "无人口数据"
NOTE_CHAIN_NO_POPULATION = "产业链没有人口口径，不计算每万人口指标"
NOTE_TRADEMARK_NO_CHAIN = "商标没有 IPC 分类，不适用产业链口径"
NOTE_NO_CHAIN = "该指标不按产业链统计（产业链按专利 IPC 分类界定）"


def _no_chain_note(defn: IndicatorDef) -> str:
    return NOTE_TRADEMARK_NO_CHAIN if defn.subject == Subject.TRADEMARK else NOTE_NO_CHAIN
NOTE_NO_CHAIN = "该指标不按产业链统计（产业链按专利 IPC 分类界定）"


class StatsInputError(DomainError):
    """A request the engine cannot answer (unknown indicator, period, chain…); zh-CN message."""


# --- periods ------------------------------------------------------------------------------


def period_bounds(year: int, period: str = "year") -> tuple[date, date]:
    """First and last day of a period: 'year', 'H1'/'H2', 'Q1'..'Q4' or 'M01'..'M12'."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise StatsInputError(f"年份应在 {MIN_YEAR} 到 {MAX_YEAR} 之间")
    if period == "year":
        first, last = 1, 12
    elif period in ("H1", "H2"):
        first = 1 if period == "H1" else 7
        last = first + 5
    elif period in ("Q1", "Q2", "Q3", "Q4"):
        first = 3 * (int(period[1]) - 1) + 1
        last = first + 2
    elif period in PERIODS:
        first = last = int(period[1:])
    else:
        raise StatsInputError(f"统计期间无效：“{period}”（应为 year、H1、H2、Q1–Q4 或 M01–M12）")
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


# --- the SQL ---------------------------------------------------------------------------------


def _definition(code: str) -> IndicatorDef:
    found = indicator(code)
    if found is None:
        raise StatsInputError(f"未知指标：“{code}”")
    return found


def _chain(code: str | None) -> IndustryChain | None:
    if not code:
        return None
    found = chain_by_code(code)
    if found is None:
        raise StatsInputError(f"未知产业链：“{code}”")
    return found


_table = record_source  # the FROM of an indicator: its table, or its module's record source


def _scope(defn: IndicatorDef, periods: Sequence[tuple[date, date]], dataset: str,
           district_code: str | None, by_district: bool) -> list[ColumnElement[bool]]:
    t = _table(defn)
    where: list[ColumnElement[bool]] = [t.c.dataset == dataset]
    if district_code:
        where.append(t.c.district_code == district_code)
    elif by_district:
        where.append(t.c.district_code.is_not(None))
    else:
        where.append(t.c.province_code == CITY_CODE)
    # A cheap, indexable outer bound on the date so the CASE columns see fewer rows.
    column = t.c[defn.date_column]
    latest_end = max(end for _, end in periods)
    if defn.measure == Measure.FLOW:
        where.append(and_(column >= min(start for start, _ in periods), column <= latest_end))
    else:
        where.append(column <= latest_end)
    if defn.subject == Subject.PATENT:
        where.append(t.c.patent_type == PatentType.INVENTION.value)  # every patent indicator is about inventions
    return where


def _aggregate(defn: IndicatorDef, t: FromClause, condition: ColumnElement[bool]) -> ColumnElement:
    """COUNT of the rows meeting the condition, or the SUM / COUNT DISTINCT the indicator asks for."""
    if defn.sum_column:
        return func.coalesce(func.sum(case((condition, t.c[defn.sum_column]))), 0)
    if defn.distinct_column:
        return func.count(func.distinct(case((condition, t.c[defn.distinct_column]))))
    return func.count(case((condition, 1)))


def _number(defn: IndicatorDef, raw: object) -> int | float:
    """A database aggregate as the indicator's number (sums scaled, e.g. 元 -> 万元)."""
    if defn.sum_column:
        value = float(raw or 0) / defn.scale
        return round(value, 2)
    return int(raw or 0)


def _period_counts(defn: IndicatorDef, periods: Sequence[tuple[date, date]]) -> list[ColumnElement[int]]:
    t = _table(defn)
    return [_aggregate(defn, t, defn.condition(t, start, end)).label(f"p{i}")
            for i, (start, end) in enumerate(periods)]


def count_periods(session: Session, defn: IndicatorDef, periods: Sequence[tuple[date, date]], *, dataset: str,
                  district_code: str | None = None, chain: IndustryChain | None = None) -> list[int]:
    """Records counted in each period, for the city (or one district, or one chain)."""
    t = _table(defn)
    where = _scope(defn, periods, dataset, district_code, by_district=False)
    if chain is not None:
        where.append(chain_condition(chain, t))
    row = session.execute(select(*_period_counts(defn, periods)).where(*where)).one()
    return [_number(defn, n) for n in row]


def count_periods_by_district(session: Session, defn: IndicatorDef, periods: Sequence[tuple[date, date]], *,
                              dataset: str, chain: IndustryChain | None = None) -> dict[str, list[int]]:
    t = _table(defn)
    where = _scope(defn, periods, dataset, None, by_district=True)
    if chain is not None:
        where.append(chain_condition(chain, t))
    query = select(t.c.district_code, *_period_counts(defn, periods)).where(*where).group_by(t.c.district_code)
    return {code: [_number(defn, n) for n in counts] for code, *counts in session.execute(query)}


def count_periods_by_chain(session: Session, defn: IndicatorDef, periods: Sequence[tuple[date, date]], *,
                           dataset: str, district_code: str | None = None) -> dict[str, list[int]]:
    """Per chain and period, the patents with at least one IPC code in the chain, over one
    scan of patent ⋈ patent_ipc (COUNT DISTINCT: a patent with several codes in a chain counts once)."""
    t = _table(defn)
    chains = load_chains()
    where = _scope(defn, periods, dataset, district_code, by_district=False)
    all_prefixes = [p for chain in chains for p in chain.all_ipc_prefixes()]
    where.append(ipc_prefix_condition(all_prefixes))
    columns = []
    for ci, chain in enumerate(chains):
        in_chain = ipc_prefix_condition(chain.all_ipc_prefixes())
        for pi, (start, end) in enumerate(periods):
            columns.append(func.count(func.distinct(case((and_(in_chain, defn.condition(t, start, end)), t.c.id))))
                           .label(f"c{ci}p{pi}"))
    query = select(*columns).select_from(t.join(PATENT_IPC, PATENT_IPC.c.patent_id == t.c.id)).where(*where)
    row = list(session.execute(query).one())
    n = len(periods)
    return {chain.code: [int(v) for v in row[ci * n:(ci + 1) * n]] for ci, chain in enumerate(chains)}


def coverage(session: Session, defn: IndicatorDef, dataset: str) -> tuple[date, date] | None:
    """Earliest and latest date of the indicator's date column in the dataset (None: no records)."""
    t = _table(defn)
    column = t.c[defn.date_column]
    where = [t.c.dataset == dataset]
    if defn.subject == Subject.PATENT:
        where.append(t.c.patent_type == PatentType.INVENTION.value)
    low, high = session.execute(select(func.min(column), func.max(column)).where(*where)).one()
    if low is None:
        return None
    return (_as_date(low), _as_date(high))


def _as_date(value: object) -> date:
    """Dates come back as date (or datetime, or ISO text from SQLite's date()) depending on the source."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _covered(defn: IndicatorDef, span: tuple[date, date] | None, start: date, end: date) -> bool:
    """Whether the dataset speaks about the period at all (else the figure is "no data", not 0).
    A flow needs the period to overlap the records' dates; a stock at the period's end holds
    from the first record on, up to today (a future stock would just repeat today's)."""
    if span is None or end < span[0]:
        return False
    latest = span[1] if defn.measure == Measure.FLOW else max(span[1], date.today())
    return start <= latest


# --- values ---------------------------------------------------------------------------------


def yoy(current: int | float | None, previous: int | float | None) -> tuple[float | None, YoyNote | None]:
    """Growth in percent over the same period a year earlier; None with the reason when undefined."""
    if current is None or previous is None:
        return None, YoyNote.NO_DATA
    if previous == 0:
        return None, YoyNote.ZERO_BASE
    return round((current - previous) * 100 / previous, 1), None


def drilldown_url(defn: IndicatorDef, start: date, end: date, *, dataset: str, district_code: str | None,
                  chain_code: str | None, today: date | None = None) -> str | None:
    """A /search URL listing exactly the counted records, or None when its filters cannot say it.

    The search filters match the indicator's conditions: applicant in Tianjin (province 12)
    or in the district, the industry chain by the same IPC prefixes, the grant-date range.
    "Valid at end" drills down only for a period that ends today or later, since the search
    filters on the current legal status.
    """
    if defn.drilldown is None:
        return None
    params = {"patent_type": PatentType.INVENTION.value}
    if defn.drilldown == "grant":
        params.update(grant_from=start.isoformat(), grant_to=end.isoformat())
    elif defn.drilldown == "valid":
        if end < (today or date.today()):
            return None
        params.update(legal_status="valid", grant_to=end.isoformat())
    if district_code:
        params["district_code"] = district_code
    else:
        params["province_code"] = TIANJIN_PROVINCE
    if chain_code:
        params["chain"] = chain_code
    params["dataset"] = dataset
    return f"/search?{urlencode(params)}"


def _population(session: Session, district_code: str | None) -> int | None:
    if district_code:
        return session.scalar(select(District.population).where(District.code == district_code))
    return city_population(session)


def _per_10k(count: int, population: int | None) -> float | None:
    if not population:
        return None
    return round(count * 10000 / population, 2)


def _value(defn: IndicatorDef, year: int, period: str, dataset: str, span: tuple[date, date] | None,
           current: int | float, previous: int | float, *, population: int | None, district_code: str | None = None,
           chain_code: str | None = None, label: str | None = None) -> IndicatorValue:
    start, end = period_bounds(year, period)
    prev_start, prev_end = period_bounds(year - 1, period)
    note = None
    value: int | float | None = current
    previous_value: int | float | None = previous
    record_count: int | None = None if defn.sum_column else int(current)
    if not _covered(defn, span, start, end):
        value, record_count, note = None, None, NOTE_NO_DATA
    if not _covered(defn, span, prev_start, prev_end):
        previous_value = None
    if defn.per_10k_people:
        if chain_code:
            value, previous_value, note = None, None, NOTE_CHAIN_NO_POPULATION
        elif population is None:
            value, previous_value, note = None, None, note or NOTE_NO_POPULATION
        else:
            value = _per_10k(current, population) if value is not None else None
            previous_value = _per_10k(previous, population) if previous_value is not None else None
    growth, yoy_note = yoy(value, previous_value)
    url = drilldown_url(defn, start, end, dataset=dataset, district_code=district_code, chain_code=chain_code)
    return IndicatorValue(
        code=defn.code, name=defn.name, unit=defn.unit, year=year, period=period, period_start=start,
        period_end=end, dataset=dataset, district_code=district_code, chain_code=chain_code, label=label,
        value=value, record_count=record_count, note=note, previous_value=previous_value, yoy_growth=growth,
        yoy_note=yoy_note, record_count_url=url if value is not None else None)


def _not_applicable(defn: IndicatorDef, year: int, period: str, dataset: str, note: str, *,
                    district_code: str | None = None, chain_code: str | None = None,
                    label: str | None = None) -> IndicatorValue:
    start, end = period_bounds(year, period)
    return IndicatorValue(code=defn.code, name=defn.name, unit=defn.unit, year=year, period=period,
                          period_start=start, period_end=end, dataset=dataset, district_code=district_code,
                          chain_code=chain_code, label=label, value=None, record_count=None, note=note,
                          previous_value=None, yoy_growth=None, yoy_note=YoyNote.NO_DATA)


def _dataset(dataset: str | Dataset) -> str:
    value = str(dataset.value if isinstance(dataset, Dataset) else dataset)
    if value not in {d.value for d in Dataset}:
        raise StatsInputError(f"数据类别无效：“{dataset}”（应为 real 或 demo）")
    return value


def series(session: Session, code: str, years: Sequence[int], *, period: str = "year", district_code: str | None = None,
           chain_code: str | None = None, dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """The indicator for each year (same period), with YoY: one aggregate query for all years."""
    defn, ds, chain = _definition(code), _dataset(dataset), _chain(chain_code)
    years = sorted(set(years))
    if not years:
        return []
    if chain is not None and not defn.by_chain:
        return [_not_applicable(defn, y, period, ds, _no_chain_note(defn), district_code=district_code,
                                chain_code=chain_code) for y in years]
    all_years = sorted(set(years) | {y - 1 for y in years})
    periods = [period_bounds(y, period) for y in all_years]
    counts = dict(zip(all_years, count_periods(session, defn, periods, dataset=ds, district_code=district_code,
                                               chain=chain), strict=True))
    span = coverage(session, defn, ds)
    population = _population(session, district_code) if defn.per_10k_people and not chain else None
    return [_value(defn, y, period, ds, span, counts[y], counts[y - 1], population=population,
                   district_code=district_code, chain_code=chain_code) for y in years]


def compute(session: Session, code: str, year: int, *, period: str = "year", district_code: str | None = None,
            chain_code: str | None = None, dataset: str | Dataset = Dataset.REAL) -> IndicatorValue:
    """One indicator for one period of a year, for the city (province 12), a district or a chain."""
    return series(session, code, [year], period=period, district_code=district_code, chain_code=chain_code,
                  dataset=dataset)[0]


def by_district(session: Session, code: str, year: int, *, period: str = "year", chain_code: str | None = None,
                dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """The indicator for each of the 16 districts (0 for a district without records), code order."""
    defn, ds, chain = _definition(code), _dataset(dataset), _chain(chain_code)
    districts = list(session.execute(select(District.code, District.name, District.population)
                                     .order_by(District.code)))
    if chain is not None and not defn.by_chain:
        return [_not_applicable(defn, year, period, ds, _no_chain_note(defn), district_code=c, chain_code=chain_code,
                                label=name) for c, name, _ in districts]
    periods = [period_bounds(year, period), period_bounds(year - 1, period)]
    counts = count_periods_by_district(session, defn, periods, dataset=ds, chain=chain)
    span = coverage(session, defn, ds)
    return [_value(defn, year, period, ds, span, *counts.get(c, [0, 0]), population=population, district_code=c,
                   chain_code=chain_code, label=name) for c, name, population in districts]


def by_chain(session: Session, code: str, year: int, *, period: str = "year", district_code: str | None = None,
             dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """The indicator for each of the 12 industry chains (a patent may count in several)."""
    defn, ds = _definition(code), _dataset(dataset)
    chains = load_chains()
    if not defn.by_chain:
        return [_not_applicable(defn, year, period, ds, _no_chain_note(defn), district_code=district_code,
                                chain_code=c.code, label=c.name) for c in chains]
    periods = [period_bounds(year, period), period_bounds(year - 1, period)]
    counts = count_periods_by_chain(session, defn, periods, dataset=ds, district_code=district_code)
    span = coverage(session, defn, ds)
    return [_value(defn, year, period, ds, span, *counts[c.code], population=None, district_code=district_code,
                   chain_code=c.code, label=c.name) for c in chains]


def catalogue() -> list[IndicatorDefRead]:
    return [IndicatorDefRead(code=d.code, name=d.name, unit=d.unit, subject=d.subject, measure=d.measure,
                             definition=d.definition, formula=d.formula, sources=list(d.sources),
                             per_10k_people=d.per_10k_people, limitations=d.limitations) for d in CATALOGUE]


# --- the dashboard ----------------------------------------------------------------------------

TREND_CODES = ("invention_grants", "valid_inventions")
RANKING_CODE = "invention_grants"
CHAIN_CODE = "invention_grants"
TREND_YEARS = 10


def latest_year(session: Session, dataset: str | Dataset) -> int | None:
    """The latest year with an invention grant in the dataset (the dashboard's default year)."""
    ds = _dataset(dataset)
    latest = session.scalar(select(func.max(PATENT.c.grant_date)).where(
        PATENT.c.dataset == ds, PATENT.c.patent_type == PatentType.INVENTION.value))
    return latest.year if latest else None


def default_year(session: Session, dataset: str | Dataset) -> int:
    """The latest year whose grants reach December: a part year would show a misleading YoY."""
    ds = _dataset(dataset)
    last = session.scalar(select(func.max(PATENT.c.grant_date)).where(
        PATENT.c.dataset == ds, PATENT.c.patent_type == PatentType.INVENTION.value))
    if last is None:
        return date.today().year - 1
    return last.year if last.month == 12 else last.year - 1


def dashboard(session: Session, year: int, *, dataset: str | Dataset, district_code: str | None = None) -> dict:
    """Every figure of the /stats page: the catalogue's values, the 10-year trends, the district
    ranking and the chain breakdown (the ranking always covers all 16 districts)."""
    ds = _dataset(dataset)
    years = list(range(year - TREND_YEARS + 1, year + 1))
    return {
        "figures": [compute(session, d.code, year, district_code=district_code, dataset=ds) for d in CATALOGUE],
        "trends": {c: series(session, c, years, district_code=district_code, dataset=ds) for c in TREND_CODES},
        "ranking": by_district(session, RANKING_CODE, year, dataset=ds),
        "chains": by_chain(session, CHAIN_CODE, year, district_code=district_code, dataset=ds),
        "districts": district_map(session),
    }

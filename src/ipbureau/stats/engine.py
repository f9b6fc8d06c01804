"""Computing the catalogue's indicators: one value, a yearly series, and the breakdowns by
district and by industry chain.

Every function issues a fixed, small number of aggregate queries: the periods asked for
(and the same periods a year earlier, for YoY) become ``COUNT(CASE WHEN … THEN 1 END)``
columns of one SELECT, grouped by district or, for chains, evaluated per chain over the
patent ⋈ patent_ipc join with ``COUNT(DISTINCT …)``. Real and demo records are never
mixed: every query is restricted to one ``dataset``.

Everything is read on the session the caller passes, industry chains included (``load_chains(session)``),
so a request never opens a second connection. The engine knows nothing of users: the entry points that
take one are in ``stats.service``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, FromClause, Select, and_, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError
from ipbureau.core.fields import MAX_YEAR, MIN_YEAR
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import IndustryChain, load_chains
from ipbureau.patents.enums import PatentType
from ipbureau.patents.service import dataset_present
from ipbureau.reference.address import TIANJIN_PROVINCE
from ipbureau.reference.models import District
from ipbureau.reference.service import CITY_CODE, city_population
from ipbureau.stats import analytic
from ipbureau.stats.catalogue import CATALOGUE, indicator
from ipbureau.stats.definitions import IndicatorDef
from ipbureau.stats.enums import Measure, Period, Subject, YoyNote
from ipbureau.stats.indicators import (
    PATENT,
    PATENT_IPC,
    TRADEMARK,
    any_chain_condition,
    chain_condition,
    ipc_prefix_condition,
)
from ipbureau.stats.memo import BoundedMemo
from ipbureau.stats.schemas import IndicatorDefRead, IndicatorValue

PERIODS = tuple(p.value for p in Period)
PERIOD_LABELS = {p.value: p.label for p in Period}

NOTE_NO_DATA = "无数据：所选数据集未覆盖该期间"
NOTE_NO_POPULATION = "无人口数据"
NOTE_CHAIN_NO_POPULATION = "产业链没有人口口径，不计算每万人口指标"
NOTE_TRADEMARK_NO_CHAIN = "商标没有 IPC 分类，不适用产业链口径"
NOTE_NO_CHAIN = "该指标不按产业链统计（产业链按专利 IPC 分类界定）"


class StatsInputError(DomainError):
    """A request the engine cannot answer (unknown indicator, period, chain…); zh-CN message."""


def _no_chain_note(defn: IndicatorDef) -> str:
    return NOTE_TRADEMARK_NO_CHAIN if defn.subject == Subject.TRADEMARK else NOTE_NO_CHAIN


# --- periods ------------------------------------------------------------------------------


def check_year(year: int) -> int:
    """A year asked for (the years before it that YoY and trends read need not be in range)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise StatsInputError("年份", f"应在 {MIN_YEAR} 到 {MAX_YEAR} 之间")
    return year


def trend_years(year: int, count: int) -> list[int]:
    """The ``count`` years up to ``year``, none before the first year of the patent system."""
    return list(range(max(MIN_YEAR, year - count + 1), year + 1))


def _period(period: str | Period) -> Period:
    try:
        return Period(period)
    except ValueError:
        raise StatsInputError("统计期间", f"“{period}”无效（应为 year、H1、H2、Q1–Q4 或 M01–M12）") from None


def period_bounds(year: int, period: str | Period = Period.YEAR) -> tuple[date, date]:
    """First and last day of a period: 'year', 'H1'/'H2', 'Q1'..'Q4' or 'M01'..'M12'."""
    first, last = _period(period).months
    if not 1 < year < 9999:
        raise StatsInputError("年份", f"“{year}”无效")
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


# --- the SQL ---------------------------------------------------------------------------------


def _definition(code: str) -> IndicatorDef:
    found = indicator(code)
    if found is None:
        raise StatsInputError("指标", f"未知指标“{code}”")
    return found


def _chain(session: Session, code: str | None) -> IndustryChain | None:
    if not code:
        return None
    found = next((c for c in load_chains(session) if c.code == code), None)
    if found is None:
        raise StatsInputError("产业链", f"未知产业链“{code}”")
    return found


_SOURCES: dict[str, FromClause] = {}


def record_source(defn: IndicatorDef) -> FromClause:
    """The FROM of an indicator: its table, or its module's record source, built once per process so that
    conditions and scope refer to the same object within a query."""
    if defn.source is None:
        return PATENT if defn.subject == Subject.PATENT else TRADEMARK
    found = _SOURCES.get(defn.code)
    if found is None:
        found = _SOURCES[defn.code] = defn.source().subquery(f"src_{defn.code}")
    return found


def _chains_for(session: Session, defn: IndicatorDef) -> Sequence[IndustryChain]:
    """The chains an indicator's condition reads (none for most), on the caller's session."""
    return load_chains(session) if defn.uses_chains else ()


def _copy_for(session: Session, defn: IndicatorDef, dataset: str) -> analytic.Store | None:
    """The analytic copy when it answers this indicator: the patent indicators (the copy holds the patent facts;
    the other domains' record sources are small tables read row-level), and only while it holds exactly what the
    session sees (``analytic.current``). None: compute with the row-level SQL."""
    if defn.subject != Subject.PATENT or defn.source is not None:
        return None
    return analytic.current(session, dataset)


def _source(defn: IndicatorDef, store: analytic.Store | None) -> FromClause:
    return analytic.FACT if store is not None else record_source(defn)


def _rows(session: Session, store: analytic.Store | None, query: Select) -> Sequence[Any]:
    """The same SQL, run by DuckDB on the copy or by the record store."""
    return store.rows(query) if store is not None else session.execute(query).all()


def _scope(defn: IndicatorDef, t: FromClause, periods: Sequence[tuple[date, date]], dataset: str,
           district_code: str | None, by_district: bool) -> list[ColumnElement[bool]]:
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
        value = float(raw or 0) / defn.scale  # type: ignore[arg-type]
        return round(value, 2)
    return int(raw or 0)  # type: ignore[call-overload]


def _period_counts(defn: IndicatorDef, t: FromClause, periods: Sequence[tuple[date, date]],
                   chains: Sequence[IndustryChain]) -> list[ColumnElement[int]]:
    return [_aggregate(defn, t, defn.holds(t, start, end, chains)).label(f"p{i}")
            for i, (start, end) in enumerate(periods)]


# Built statements by everything they are a function of (the function, indicator, periods, dataset, territory,
# chain definitions, and whether they read the copy). Building the SQLAlchemy expression of a dashboard cost
# more than DuckDB running it; a statement built once also keeps SQLAlchemy's compiled cache and the copy's
# answers (keyed by the statement) warm.
_STATEMENTS: BoundedMemo[Any] = BoundedMemo(2048)


def _built(key: tuple, build: Callable[[], Any]) -> Any:
    return _STATEMENTS.get(key, build)


def forget_built() -> None:
    """Drop the built statements (benchmarks: the first request for a year and territory)."""
    _STATEMENTS.clear()


def _periods_query(defn: IndicatorDef, store: analytic.Store | None, periods: Sequence[tuple[date, date]],
                   dataset: str, district_code: str | None, chain: IndustryChain | None,
                   chains: tuple[IndustryChain, ...], *, by_district: bool) -> Select:
    """One aggregate column per period, for the scope (grouped by district with ``by_district``); built once."""

    def build() -> Select:
        t = _source(defn, store)
        where = _scope(defn, t, periods, dataset, district_code, by_district=by_district)
        if chain is not None:
            where.append(chain_condition(chain, t))
        counts = _period_counts(defn, t, periods, chains)
        if by_district:
            return select(t.c.district_code, *counts).where(*where).group_by(t.c.district_code)
        return select(*counts).where(*where)

    return _built(("periods", defn.code, tuple(periods), dataset, district_code, chain, chains, store is not None,
                   by_district), build)


def count_periods(session: Session, defn: IndicatorDef, periods: Sequence[tuple[date, date]], *, dataset: str,
                  district_code: str | None = None, chain: IndustryChain | None = None) -> list[int | float]:
    """Records counted in each period, for the city (or one district, or one chain)."""
    store = _copy_for(session, defn, dataset)
    query = _periods_query(defn, store, periods, dataset, district_code, chain, tuple(_chains_for(session, defn)),
                           by_district=False)
    return [_number(defn, n) for n in _rows(session, store, query)[0]]


def count_periods_by_district(session: Session, defn: IndicatorDef, periods: Sequence[tuple[date, date]], *,
                              dataset: str, chain: IndustryChain | None = None) -> dict[str, list[int | float]]:
    store = _copy_for(session, defn, dataset)
    query = _periods_query(defn, store, periods, dataset, None, chain, tuple(_chains_for(session, defn)),
                           by_district=True)
    return {code: [_number(defn, n) for n in values] for code, *values in _rows(session, store, query)}


def count_periods_by_chain(session: Session, defn: IndicatorDef, periods: Sequence[tuple[date, date]], *,
                           dataset: str, district_code: str | None = None) -> dict[str, list[int]]:
    """Per chain and period, the patents with at least one IPC code in the chain. On the analytic copy one
    scan of the patent facts reads the stored membership bits; row-level, one scan of patent ⋈ patent_ipc
    (COUNT DISTINCT: a patent with several codes in a chain counts once)."""
    chains = load_chains(session)
    store = _copy_for(session, defn, dataset)

    def build() -> Select:
        t = _source(defn, store)
        where = _scope(defn, t, periods, dataset, district_code, by_district=False)
        columns = []
        if store is not None:
            where.append(any_chain_condition(t, chains))
            for ci, chain in enumerate(chains):
                for pi, (start, end) in enumerate(periods):
                    counted = and_(chain_condition(chain, t), defn.holds(t, start, end, chains))
                    columns.append(_aggregate(defn, t, counted).label(f"c{ci}p{pi}"))
            return select(*columns).where(*where)
        all_prefixes = [p for chain in chains for p in chain.all_ipc_prefixes()]
        where.append(ipc_prefix_condition(all_prefixes))
        for ci, chain in enumerate(chains):
            in_chain = ipc_prefix_condition(chain.all_ipc_prefixes())
            for pi, (start, end) in enumerate(periods):
                counted = and_(in_chain, defn.holds(t, start, end, chains))
                columns.append(func.count(func.distinct(case((counted, t.c.id)))).label(f"c{ci}p{pi}"))
        return select(*columns).select_from(t.join(PATENT_IPC, PATENT_IPC.c.patent_id == t.c.id)).where(*where)

    query = _built(("chains", defn.code, tuple(periods), dataset, district_code, chains, store is not None), build)
    row = list(_rows(session, store, query)[0])
    n = len(periods)
    return {chain.code: [int(v) for v in row[ci * n:(ci + 1) * n]] for ci, chain in enumerate(chains)}


def coverage(session: Session, defn: IndicatorDef, dataset: str) -> tuple[date, date] | None:
    """Earliest and latest date of the indicator's date column in the dataset (None: no records)."""
    store = _copy_for(session, defn, dataset)
    if store is not None:
        return store.coverage(dataset, defn.date_column)
    t = record_source(defn)
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


def yoy(current: float | None, previous: float | None) -> tuple[float | None, YoyNote | None]:
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


def _per_10k(count: float, population: int | None) -> float | None:
    if not population:
        return None
    return round(count * 10000 / population, 2)


def _value(defn: IndicatorDef, year: int, period: str, dataset: str, span: tuple[date, date] | None,
           current: float, previous: float, *, population: int | None, district_code: str | None = None,
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


def dataset_value(dataset: str | Dataset) -> str:
    value = str(dataset.value if isinstance(dataset, Dataset) else dataset)
    if value not in {d.value for d in Dataset}:
        raise StatsInputError("数据类别", f"“{dataset}”无效（应为 real 或 demo）")
    return value


def series(session: Session, code: str, years: Sequence[int], *, period: str | Period = Period.YEAR,
           district_code: str | None = None, chain_code: str | None = None,
           dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """The indicator for each year (same period), with YoY: one aggregate query for all years."""
    defn, ds, chain, period = _definition(code), dataset_value(dataset), _chain(session, chain_code), _period(period)
    years = sorted({check_year(y) for y in years})
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


def compute_many(session: Session, codes: Sequence[str], year: int, *, district_code: str | None = None,
                 dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """``compute(code, year)`` for each code (the year, with YoY), in the codes' order: the patent indicators on
    the analytic copy as ``compute`` does, every other one in ONE statement for all of them (a UNION ALL with a
    row per indicator: its two periods' figures and its coverage, ``MIN``/``MAX`` of its date column). Those
    records are small tables of several domains; one round trip instead of two queries per indicator is what
    the dashboard and the white paper spent most of their time on."""
    ds, year = dataset_value(dataset), check_year(year)
    definitions = [_definition(code) for code in codes]
    grouped = [d for d in definitions if d.subject != Subject.PATENT or d.source is not None]
    found = {d.code: compute(session, d.code, year, district_code=district_code, dataset=ds)
             for d in definitions if d not in grouped}
    if grouped:
        periods = [period_bounds(year, Period.YEAR), period_bounds(year - 1, Period.YEAR)]

        def build() -> Any:
            branches = []
            for i, defn in enumerate(grouped):
                t = record_source(defn)
                # The territory and date bound of ``_scope`` go inside each aggregate (same rows counted), so
                # the same scan also gives the coverage over the whole dataset, as ``coverage`` reads it.
                scope = and_(*_scope(defn, t, periods, ds, district_code, by_district=False))
                counts = [_aggregate(defn, t, and_(scope, defn.holds(t, start, end, ()))) for start, end in periods]
                column = t.c[defn.date_column]
                branches.append(select(literal(i), *counts, func.min(column), func.max(column))
                                .where(t.c.dataset == ds))
            return union_all(*branches)

        query = _built(("many", tuple(d.code for d in grouped), year, ds, district_code), build)
        population = None
        if any(d.per_10k_people for d in grouped):
            population = _population(session, district_code)
        for i, current, previous, low, high in session.execute(query).all():
            defn = grouped[int(i)]
            span = None if low is None else (_as_date(low), _as_date(high))
            found[defn.code] = _value(defn, year, Period.YEAR, ds, span, _number(defn, current),
                                      _number(defn, previous), population=population, district_code=district_code)
    return [found[code] for code in codes]


def compute(session: Session, code: str, year: int, *, period: str | Period = Period.YEAR,
            district_code: str | None = None, chain_code: str | None = None,
            dataset: str | Dataset = Dataset.REAL) -> IndicatorValue:
    """One indicator for one period of a year, for the city (province 12), a district or a chain."""
    return series(session, code, [year], period=period, district_code=district_code, chain_code=chain_code,
                  dataset=dataset)[0]


def by_district(session: Session, code: str, year: int, *, period: str | Period = Period.YEAR,
                chain_code: str | None = None, dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """The indicator for each of the 16 districts (0 for a district without records), code order."""
    defn, ds, chain, period = _definition(code), dataset_value(dataset), _chain(session, chain_code), _period(period)
    check_year(year)
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


def by_chain(session: Session, code: str, year: int, *, period: str | Period = Period.YEAR,
             district_code: str | None = None, dataset: str | Dataset = Dataset.REAL) -> list[IndicatorValue]:
    """The indicator for each of the 12 industry chains (a patent may count in several)."""
    defn, ds, period = _definition(code), dataset_value(dataset), _period(period)
    check_year(year)
    chains = load_chains(session)
    if not defn.by_chain:
        return [_not_applicable(defn, year, period, ds, _no_chain_note(defn), district_code=district_code,
                                chain_code=c.code, label=c.name) for c in chains]
    periods = [period_bounds(year, period), period_bounds(year - 1, period)]
    counts = count_periods_by_chain(session, defn, periods, dataset=ds, district_code=district_code)
    span = coverage(session, defn, ds)
    return [_value(defn, year, period, ds, span, *counts[c.code], population=None, district_code=district_code,
                   chain_code=c.code, label=c.name) for c in chains]


def catalogue() -> list[IndicatorDefRead]:
    return [IndicatorDefRead.model_validate(d, from_attributes=True) for d in CATALOGUE]


# --- defaults ---------------------------------------------------------------------------------


def default_dataset(session: Session) -> Dataset:
    """Real data when there are any, else the demo data (pages then show the demo banner)."""
    if dataset_present(session, Dataset.REAL) or not dataset_present(session, Dataset.DEMO):
        return Dataset.REAL
    return Dataset.DEMO


def default_year(session: Session, dataset: str | Dataset) -> int:
    """The latest year whose grants reach December: a part year would show a misleading YoY."""
    ds = dataset_value(dataset)
    last = session.scalar(select(func.max(PATENT.c.grant_date)).where(
        PATENT.c.dataset == ds, PATENT.c.patent_type == PatentType.INVENTION.value))
    if last is None:
        return date.today().year - 1
    return last.year if last.month == 12 else last.year - 1

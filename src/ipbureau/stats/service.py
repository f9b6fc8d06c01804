"""The statistics as users reach them: the indicator API, the /stats dashboard and the white paper download.

Each entry point takes the user and enforces the access policy first (``stats``: staff only; there are no
rows to scope, every staff member reads every figure), then asks the engine (``stats.engine``) on the
caller's session. Other packages that compute figures for their own pages (market, CLI) call the engine's
functions re-exported below, under the names they have always used.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.enums import Dataset
from ipbureau.policy import policy
from ipbureau.reference.service import district_map
from ipbureau.stats import engine, whitepaper
from ipbureau.stats.catalogue import CATALOGUE
from ipbureau.stats.engine import (  # noqa: F401  (the engine's API, as market and the CLI import it from here)
    StatsInputError,
    by_district,
    compute,
    count_periods,
    default_year,
    period_bounds,
)
from ipbureau.stats.schemas import (
    ChainBreakdownQuery,
    Dashboard,
    DashboardQuery,
    DistrictBreakdownQuery,
    IndicatorDefRead,
    IndicatorQuery,
    IndicatorValue,
    SeriesQuery,
    WhitePaperQuery,
)

# What the dashboard shows besides the catalogue's figures.
TREND_CODES = ("invention_grants", "valid_inventions")
RANKING_CODE = "invention_grants"
CHAIN_CODE = "invention_grants"
TREND_YEARS = 10


def _check_district(session: Session, district_code: str | None) -> dict[str, str]:
    """The districts (code -> name); a district code that is not one of them is refused."""
    districts = district_map(session)
    if district_code and district_code not in districts:
        raise StatsInputError("区", f"未知的区代码“{district_code}”")
    return districts


# ---- the indicator API ------------------------------------------------------------------------


def indicator_catalogue(session: Session, user: Any) -> list[IndicatorDefRead]:
    policy.authorize(session, user, "stats", "view")
    return engine.catalogue()


def indicator_value(session: Session, user: Any, code: str, query: IndicatorQuery) -> IndicatorValue:
    policy.authorize(session, user, "stats", "view")
    _check_district(session, query.district_code)
    return engine.compute(session, code, query.year, period=query.period, district_code=query.district_code,
                          chain_code=query.chain_code, dataset=query.dataset)


def indicator_series(session: Session, user: Any, code: str, query: SeriesQuery) -> list[IndicatorValue]:
    policy.authorize(session, user, "stats", "view")
    _check_district(session, query.district_code)
    return engine.series(session, code, query.years, period=query.period, district_code=query.district_code,
                         chain_code=query.chain_code, dataset=query.dataset)


def indicator_by_district(session: Session, user: Any, code: str,
                          query: DistrictBreakdownQuery) -> list[IndicatorValue]:
    policy.authorize(session, user, "stats", "view")
    return engine.by_district(session, code, query.year, period=query.period, chain_code=query.chain_code,
                              dataset=query.dataset)


def indicator_by_chain(session: Session, user: Any, code: str, query: ChainBreakdownQuery) -> list[IndicatorValue]:
    policy.authorize(session, user, "stats", "view")
    _check_district(session, query.district_code)
    return engine.by_chain(session, code, query.year, period=query.period, district_code=query.district_code,
                           dataset=query.dataset)


# ---- the dashboard ------------------------------------------------------------------------------


def dashboard(session: Session, year: int, *, dataset: str | Dataset, district_code: str | None = None) -> Dashboard:
    """Every figure of the /stats page: the catalogue's values, the 10-year trends, the district
    ranking and the chain breakdown (the ranking always covers all 16 districts)."""
    ds = Dataset(engine.dataset_value(dataset))
    districts = _check_district(session, district_code)
    years = engine.trend_years(engine.check_year(year), TREND_YEARS)
    chains = engine.by_chain(session, CHAIN_CODE, year, district_code=district_code, dataset=ds)
    trends = {c: engine.series(session, c, years, district_code=district_code, dataset=ds) for c in TREND_CODES}
    # A trend's last point is that indicator's figure for the year (``compute`` is ``series`` of one year).
    others = engine.compute_many(session, [d.code for d in CATALOGUE if d.code not in trends], year,
                                 district_code=district_code, dataset=ds)
    by_code = {v.code: v for v in others}
    figures = [trends[d.code][-1] if d.code in trends else by_code[d.code] for d in CATALOGUE]
    return Dashboard(
        year=year, dataset=ds, district_code=district_code, district_name=districts.get(district_code or "", ""),
        districts=districts, figures=figures, trends=trends,
        ranking=engine.by_district(session, RANKING_CODE, year, dataset=ds),
        chains=chains, chain_count=len(chains),
    )


def dashboard_for(session: Session, user: Any, query: DashboardQuery) -> Dashboard:
    """The /stats page as the user first sees it: real data when there are any, the latest full year, and a
    user who belongs to a district starts on that district (``district_code=""`` asks for the whole city)."""
    policy.authorize(session, user, "stats", "view")
    dataset = query.dataset or engine.default_dataset(session)
    district_code = user.district_code if query.district_code is None else query.district_code
    year = query.year if query.year is not None else engine.default_year(session, dataset)
    return dashboard(session, year, dataset=dataset, district_code=district_code or None)


# ---- the white paper ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WhitePaperFile:
    content: bytes
    media_type: str
    filename: str
    seconds: float  # generation runs in the request (a few seconds on 30,000 patents); the time is reported


def whitepaper_file(session: Session, user: Any, query: WhitePaperQuery) -> WhitePaperFile:
    """The annual white paper of a year (default: the latest full year) as Word or PDF."""
    policy.authorize(session, user, "stats", "whitepaper")
    started = time.perf_counter()
    dataset = query.dataset or Dataset.REAL
    year = query.year if query.year is not None else engine.default_year(session, dataset)
    paper = whitepaper.build(session, year, dataset=dataset)
    content = whitepaper.render(paper, query.fmt)
    return WhitePaperFile(content, whitepaper.FORMATS[query.fmt], whitepaper.filename(paper, query.fmt),
                          time.perf_counter() - started)

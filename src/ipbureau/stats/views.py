"""The statistics dashboard (/stats), the white paper download and the JSON API (/api/stats/…), for staff.

Thin: each route parses its query into a schema (``stats.schemas``), makes one service call and renders or
returns the result. Who may call is declared in ``policy/statistics.py``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request, Response
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.uow import Router, get_db
from ipbureau.enums import Dataset
from ipbureau.patents.enums import PatentType
from ipbureau.policy import requires
from ipbureau.stats import charts, service, whitepaper
from ipbureau.stats.catalogue import BY_CODE, CATALOGUE
from ipbureau.stats.engine import default_dataset  # noqa: F401  (market.views imports it from here)
from ipbureau.stats.enums import Subject
from ipbureau.stats.official import views as official_views
from ipbureau.stats.official_panel import OfficialPanel, dashboard_with_official
from ipbureau.stats.publication_lag import INCOMPLETE, RULE
from ipbureau.stats.schemas import (
    ChainBreakdownQuery,
    Dashboard,
    DashboardQuery,
    DistrictBreakdownQuery,
    IndicatorCode,
    IndicatorDefRead,
    IndicatorQuery,
    IndicatorValue,
    SeriesQuery,
    WhitePaperQuery,
)
from ipbureau.web.downloads import download
from ipbureau.web.templating import render

router = Router()
TAGS: list = ["统计分析"]


@router.get("/api/stats/indicators", response_model=list[IndicatorDefRead], tags=TAGS)
def api_catalogue(db: Session = Depends(get_db), user: User = Depends(requires("stats", "view"))):
    """The indicator catalogue: definition, formula, unit and source tables of each indicator."""
    return service.indicator_catalogue(db, user)


# Declared before /api/stats/{code}, which would otherwise take "whitepaper" for an indicator code. The page's
# link and the API are one route: errors come back as the error page or as JSON by the path.
@router.get("/api/stats/whitepaper", tags=TAGS, response_class=Response,
            responses={200: {"content": {m: {} for m in whitepaper.FORMATS.values()}}})
@router.get("/stats/whitepaper", include_in_schema=False)
def whitepaper_download(query: Annotated[WhitePaperQuery, Query()], db: Session = Depends(get_db),
                        user: User = Depends(requires("stats", "whitepaper"))):
    """The annual white paper (知识产权发展状况白皮书) of a year as Word (fmt=docx) or PDF (fmt=pdf); the time
    the generation took is returned in X-Generation-Seconds."""
    paper = service.whitepaper_file(db, user, query)
    return download(paper.content, paper.filename, paper.media_type,
                    headers={"X-Generation-Seconds": f"{paper.seconds:.2f}"})


@router.get("/api/stats/{code}", response_model=IndicatorValue, tags=TAGS)
def api_value(code: IndicatorCode, query: Annotated[IndicatorQuery, Query()], db: Session = Depends(get_db),
              user: User = Depends(requires("stats", "view"))):
    """One indicator for a period (year, H1/H2, Q1–Q4, M01–M12), for the city, a district or a chain."""
    return service.indicator_value(db, user, code, query)


@router.get("/api/stats/{code}/series", response_model=list[IndicatorValue], tags=TAGS)
def api_series(code: IndicatorCode, query: Annotated[SeriesQuery, Query()], db: Session = Depends(get_db),
               user: User = Depends(requires("stats", "view"))):
    """The indicator for each year from year_from to year_to (at most 50 years)."""
    return service.indicator_series(db, user, code, query)


@router.get("/api/stats/{code}/by-district", response_model=list[IndicatorValue], tags=TAGS)
def api_by_district(code: IndicatorCode, query: Annotated[DistrictBreakdownQuery, Query()],
                    db: Session = Depends(get_db), user: User = Depends(requires("stats", "view"))):
    """The indicator for each of the 16 districts."""
    return service.indicator_by_district(db, user, code, query)


@router.get("/api/stats/{code}/by-chain", response_model=list[IndicatorValue], tags=TAGS)
def api_by_chain(code: IndicatorCode, query: Annotated[ChainBreakdownQuery, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires("stats", "view"))):
    """The indicator for each of the 12 industry chains (a patent may count in several)."""
    return service.indicator_by_chain(db, user, code, query)


# ---- the page -------------------------------------------------------------------------------------


def _charts(data: Dashboard) -> dict[str, str]:
    grants, valid = data.trends["invention_grants"], data.trends["valid_inventions"]
    where = data.district_name or "全市"
    return {
        "grants": charts.column_chart([str(v.year) for v in grants], [v.value for v in grants],
                                      title=f"{where}发明专利授权量（件）", links=[v.record_count_url for v in grants]),
        "valid": charts.line_chart([str(v.year) for v in valid], [v.value for v in valid],
                                   title=f"{where}有效发明专利拥有量（件，年末）"),
        "ranking": charts.bar_ranking([v.label or "" for v in data.ranking], [v.value for v in data.ranking],
                                      title="各区发明专利授权量排名（件）",
                                      links=[v.record_count_url for v in data.ranking]),
        "chains": charts.bar_ranking([v.label or "" for v in data.chains], [v.value for v in data.chains],
                                     title=f"{where}重点产业链发明专利授权量（件）", width=560),
    }


def _official_charts(data: Dashboard, official: OfficialPanel) -> dict[str, str]:
    """The filing trend by kind (incomplete years hatched) and Tianjin among the provinces."""
    where = data.district_name or "全市"
    filings = official.filings
    out = {f"filings_{kind}": charts.column_chart(
        [str(y) for y in filings.years], filings.counts[kind], title=f"{where}{PatentType(kind).label}专利申请量（件，按申请日）",
        incomplete=filings.incomplete[kind]) for kind in filings.counts}
    if official.peer is not None:
        peer = official.peer
        out["peer"] = charts.bar_ranking([r.region for r in peer.rows], [r.value for r in peer.rows],
                                         title=f"{peer.indicator}（{peer.scope}，{peer.period}）",
                                         highlight=[r.tianjin for r in peer.rows])
    return out


def figure_groups(figures: list[IndicatorValue]) -> list[tuple[Subject, list[IndicatorValue]]]:
    """The dashboard's figures under one heading per subject (专利、商标、运营交易、保护…), catalogue order."""
    groups: dict[Subject, list[IndicatorValue]] = {}
    for value in figures:
        groups.setdefault(BY_CODE[value.code].subject, []).append(value)
    return list(groups.items())


def _year_choices() -> list[int]:
    """The page's year list: this year and the 24 before it, newest first."""
    this_year = date.today().year
    return list(range(this_year, this_year - 25, -1))


@router.get("/stats", include_in_schema=False)
def stats_page(request: Request, query: Annotated[DashboardQuery, Query()], db: Session = Depends(get_db),
               user: User = Depends(requires("stats", "view"))):
    data, official = dashboard_with_official(db, user, query)
    return render(request, "stats/dashboard.html", {
        "data": data, "datasets": Dataset.choices(), "years": _year_choices(),
        "figure_groups": figure_groups(data.figures), "definitions": CATALOGUE, "charts": _charts(data),
        "official": official, "official_charts": _official_charts(data, official), "lag_rule": RULE,
        "INCOMPLETE": INCOMPLETE,
    }, db=db)


# The official statistics (their list, edit and import pages, the peer comparison and their API) are served
# with the statistics: ``stats.official.views``.
router.include_router(official_views.router)

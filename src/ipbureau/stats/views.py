"""The statistics dashboard (/stats) and its JSON API (/api/stats/…), for staff only."""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_staff
from ipbureau.core.uow import get_db
from ipbureau.enums import Dataset
from ipbureau.navigation.chains import load_chains
from ipbureau.patents.service import dataset_present
from ipbureau.stats import charts, service, whitepaper
from ipbureau.stats.catalogue import BY_CODE, CATALOGUE
from ipbureau.stats.enums import Subject
from ipbureau.stats.models import IndicatorDefRead, IndicatorValue
from ipbureau.web.templating import render

router = Router()


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def default_dataset(db: Session) -> Dataset:
    """Real data when there are any, else the demo data (the page then shows the demo banner)."""
    return Dataset.REAL if dataset_present(db, Dataset.REAL) or not dataset_present(db, Dataset.DEMO) else Dataset.DEMO


def _api_error(exc: service.StatsInputError) -> HTTPException:
    return HTTPException(status_code=422, detail=f"输入有误：{exc}")


@router.get("/api/stats/indicators", response_model=list[IndicatorDefRead], tags=["统计分析"])
def api_catalogue(_user: User = Depends(require_staff)):
    """The indicator catalogue: definition, formula, unit and source tables of each indicator."""
    return service.catalogue()


def _whitepaper(db: Session, year: int | None, dataset: str | None, fmt: str) -> Response:
    """Build and render the white paper; generation runs in the request (a few seconds on
    30,000 patents), and the time it took is returned in X-Generation-Seconds."""
    import time

    started = time.perf_counter()
    if fmt not in whitepaper.FORMATS:
        raise HTTPException(status_code=422, detail=f"输入有误：白皮书格式应为 docx 或 pdf，而不是“{fmt}”")
    try:
        chosen = Dataset(dataset or Dataset.REAL.value)
    except ValueError:
        raise HTTPException(status_code=422, detail=f"输入有误：数据类别无效：“{dataset}”（应为 real 或 demo）") from None
    try:
        paper = whitepaper.build(db, year if year is not None else service.default_year(db, chosen), dataset=chosen)
        content = whitepaper.render(paper, fmt)
    except service.StatsInputError as exc:
        raise _api_error(exc) from None
    except whitepaper.WhitePaperError as exc:
        raise HTTPException(status_code=503, detail=str(exc)) from None
    return Response(content, media_type=whitepaper.FORMATS[fmt], headers={
        "Content-Disposition": f'attachment; filename="{whitepaper.filename(paper, fmt)}"',
        "X-Generation-Seconds": f"{time.perf_counter() - started:.2f}"})


# Declared before /api/stats/{code}, which would otherwise take "whitepaper" for an indicator code.
@router.get("/api/stats/whitepaper", tags=["统计分析"], response_class=Response,
            responses={200: {"content": {m: {} for m in whitepaper.FORMATS.values()}}})
def api_whitepaper(year: int | None = None, dataset: str = "real", fmt: str = "docx",
                   db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    """The annual white paper (知识产权发展状况白皮书) of a year as Word (fmt=docx) or PDF (fmt=pdf)."""
    return _whitepaper(db, year, dataset, fmt)


@router.get("/stats/whitepaper", include_in_schema=False)
def whitepaper_download(year: str | None = None, dataset: str | None = None, fmt: str = "docx",
                        db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    try:
        chosen_year = int(year) if _blank(year) else None
    except ValueError:
        raise HTTPException(status_code=422, detail=f"年份应为整数：“{year}”") from None
    return _whitepaper(db, chosen_year, _blank(dataset), fmt)


@router.get("/api/stats/{code}", response_model=IndicatorValue, tags=["统计分析"])
def api_value(code: str, year: int, period: str = "year", district_code: str | None = None,
              chain_code: str | None = None, dataset: str = "real", db: Session = Depends(get_db),
              _user: User = Depends(require_staff)):
    """One indicator for a period (year, H1/H2, Q1–Q4, M01–M12), for the city, a district or a chain."""
    try:
        return service.compute(db, code, year, period=period, district_code=_blank(district_code),
                               chain_code=_blank(chain_code), dataset=dataset)
    except service.StatsInputError as exc:
        raise _api_error(exc) from None


@router.get("/api/stats/{code}/series", response_model=list[IndicatorValue], tags=["统计分析"])
def api_series(code: str, year_from: int, year_to: int, period: str = "year", district_code: str | None = None,
               chain_code: str | None = None, dataset: str = "real", db: Session = Depends(get_db),
               _user: User = Depends(require_staff)):
    """The indicator for each year from year_from to year_to (at most 50 years)."""
    if not 0 <= year_to - year_from < 50:
        raise HTTPException(status_code=422, detail="输入有误：年份区间应为 1 到 50 年")
    try:
        return service.series(db, code, range(year_from, year_to + 1), period=period,
                              district_code=_blank(district_code), chain_code=_blank(chain_code), dataset=dataset)
    except service.StatsInputError as exc:
        raise _api_error(exc) from None


@router.get("/api/stats/{code}/by-district", response_model=list[IndicatorValue], tags=["统计分析"])
def api_by_district(code: str, year: int, period: str = "year", chain_code: str | None = None,
                    dataset: str = "real", db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    """The indicator for each of the 16 districts."""
    try:
        return service.by_district(db, code, year, period=period, chain_code=_blank(chain_code), dataset=dataset)
    except service.StatsInputError as exc:
        raise _api_error(exc) from None


@router.get("/api/stats/{code}/by-chain", response_model=list[IndicatorValue], tags=["统计分析"])
def api_by_chain(code: str, year: int, period: str = "year", district_code: str | None = None,
                 dataset: str = "real", db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    """The indicator for each of the 12 industry chains (a patent may count in several)."""
    try:
        return service.by_chain(db, code, year, period=period, district_code=_blank(district_code), dataset=dataset)
    except service.StatsInputError as exc:
        raise _api_error(exc) from None


def _charts(data: dict[str, Any], district_name: str) -> dict[str, str]:
    grants = data["trends"]["invention_grants"]
    valid = data["trends"]["valid_inventions"]
    ranking = data["ranking"]
    chains = data["chains"]
    where = district_name or "全市"
    return {
        "grants": charts.column_chart([str(v.year) for v in grants], [v.value for v in grants],
                                      title=f"{where}发明专利授权量（件）", links=[v.record_count_url for v in grants]),
        "valid": charts.line_chart([str(v.year) for v in valid], [v.value for v in valid],
                                   title=f"{where}有效发明专利拥有量（件，年末）"),
        "ranking": charts.bar_ranking([v.label or "" for v in ranking], [v.value for v in ranking],
                                      title="各区发明专利授权量排名（件）",
                                      links=[v.record_count_url for v in ranking]),
        "chains": charts.bar_ranking([v.label or "" for v in chains], [v.value for v in chains],
                                     title=f"{where}重点产业链发明专利授权量（件）", width=560),
    }


def figure_groups(figures: list[IndicatorValue]) -> list[tuple[Subject, list[IndicatorValue]]]:
    """The dashboard's figures under one heading per subject (专利、商标、运营交易、保护…), catalogue order."""
    groups: dict[Subject, list[IndicatorValue]] = {}
    for value in figures:
        groups.setdefault(BY_CODE[value.code].subject, []).append(value)
    return list(groups.items())


@router.get("/stats", include_in_schema=False)
def stats_page(request: Request, year: str | None = None, dataset: str | None = None,
               district_code: str | None = Query(None), db: Session = Depends(get_db),
               user: User = Depends(require_staff)):
    chosen_dataset = Dataset(dataset) if dataset in {d.value for d in Dataset} else default_dataset(db)
    if district_code is None and Role(user.role) == Role.DISTRICT_STAFF:
        district_code = user.district_code  # district staff start on their own district
    district_code = _blank(district_code)
    error = None
    try:
        chosen_year = int(year) if _blank(year) else service.default_year(db, chosen_dataset)
        data = service.dashboard(db, chosen_year, dataset=chosen_dataset, district_code=district_code)
    except (ValueError, service.StatsInputError) as exc:
        error = f"输入有误：{exc}" if isinstance(exc, service.StatsInputError) else f"年份应为整数：“{year}”"
        chosen_year = service.default_year(db, chosen_dataset)
        data = service.dashboard(db, chosen_year, dataset=chosen_dataset, district_code=district_code)
    districts = data["districts"]
    if district_code and district_code not in districts:
        error = f"输入有误：未知的区代码“{district_code}”"
    context = {
        "year": chosen_year, "dataset": chosen_dataset, "datasets": Dataset.choices(), "district_code": district_code,
        "district_name": districts.get(district_code or "", ""), "districts": districts,
        "years": list(range(date.today().year, date.today().year - 25, -1)),
        "figures": data["figures"], "figure_groups": figure_groups(data["figures"]), "definitions": CATALOGUE, "charts": _charts(data, districts.get(district_code or "", "")),
        "ranking": data["ranking"], "chains": data["chains"], "chain_count": len(load_chains()), "error": error,
    }
    return render(request, "stats.html", context, db=db, status_code=422 if error else 200)

"""Official statistics: the list page (filters, sources, the import form), the edit form, the peer comparison
page, and the JSON API (list, read, create, update, import, comparison with computed figures, peer tables).

Thin: parse into the schema, one service call, render or return. Who may do what: ``policy/statistics.py``
(``stats.official``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, File, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import policy, requires
from ipbureau.stats import charts
from ipbureau.stats.official import comparison, service
from ipbureau.stats.official.schemas import (
    PAGE_SIZE,
    SCOPES,
    Comparison,
    ComparisonQuery,
    ImportResult,
    OfficialStatisticIn,
    OfficialStatisticList,
    OfficialStatisticQuery,
    OfficialStatisticRead,
    PeerQuery,
    PeerTable,
    PeerTableRef,
)
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render
from ipbureau.web.uploads import read_limited

router = Router()
TAGS: list = ["官方统计数据"]



def _uploaded(file: UploadFile = File(...)) -> tuple[str, bytes]:
    return file.filename or "official.csv", read_limited(file, get_settings().max_upload_bytes)


# ---- API ----------------------------------------------------------------------------------------------


@router.get("/api/official-statistics", response_model=OfficialStatisticList, tags=TAGS)
def api_list(query: Annotated[OfficialStatisticQuery, Query()], db: Session = Depends(get_db),
             user: User = Depends(requires("stats.official", "view"))):
    """Published figures (CNIPA, the bureau, the press), each with its source page; 100 a page."""
    rows, total = service.list_statistics(db, user, query)
    return OfficialStatisticList(total=total, items=rows)


@router.get("/api/official-statistics/comparison", response_model=list[Comparison], tags=TAGS)
def api_comparison(query: Annotated[ComparisonQuery, Query()], db: Session = Depends(get_db),
                   user: User = Depends(requires("stats.official", "view"))):
    """Each official Tianjin figure that has a computed counterpart, beside the computed figure and the
    difference (absolute and %)."""
    return comparison.comparison_for(db, user, year=query.year, dataset=query.dataset)


@router.get("/api/official-statistics/peers", response_model=list[PeerTableRef], tags=TAGS)
def api_peer_tables(db: Session = Depends(get_db), user: User = Depends(requires("stats.official", "view"))):
    """The official by-province tables that can rank Tianjin among the provinces."""
    return comparison.peers_for(db, user, indicator=None, scope=None, period=None)[0]


@router.get("/api/official-statistics/peers/table", response_model=PeerTable | None, tags=TAGS)
def api_peer_table(query: Annotated[PeerQuery, Query()], db: Session = Depends(get_db),
                   user: User = Depends(requires("stats.official", "view"))):
    """One by-province table, ranked, Tianjin marked."""
    return comparison.peers_for(db, user, indicator=query.indicator, scope=query.scope, period=query.period)[1]


@router.get("/api/official-statistics/{statistic_id}", response_model=OfficialStatisticRead, tags=TAGS)
def api_read(statistic_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("stats.official", "view"))):
    return service.get(db, user, statistic_id)


@router.post("/api/official-statistics", response_model=OfficialStatisticRead, status_code=201, tags=TAGS)
def api_create(body: OfficialStatisticIn, request: Request, db: Session = Depends(get_db),
               user: User = Depends(requires("stats.official", "edit"))):
    return service.create(db, user, body, ip_address=client_ip(request))


@router.put("/api/official-statistics/{statistic_id}", response_model=OfficialStatisticRead, tags=TAGS)
def api_update(statistic_id: Id, body: OfficialStatisticIn, request: Request, db: Session = Depends(get_db),
               user: User = Depends(requires("stats.official", "edit"))):
    return service.update(db, user, statistic_id, body, ip_address=client_ip(request))


@router.post("/api/official-statistics/import", response_model=ImportResult, tags=TAGS)
def api_import(request: Request, upload: tuple[str, bytes] = Depends(_uploaded), db: Session = Depends(get_db),
               user: User = Depends(requires("stats.official", "edit"))):
    """A CSV or XLSX with the columns of official_ip_statistics.csv; all rows or none (each problem names its
    row and field)."""
    filename, data = upload
    return service.import_file(db, user, data, filename, ip_address=client_ip(request))


# ---- pages ---------------------------------------------------------------------------------------------


def _list_page(request: Request, db: Session, user: User, *, error: str | None = None,
               message: str | None = None, status_code: int = 200) -> Response:
    form = {name: (request.query_params.get(name) or "").strip() for name in OfficialStatisticQuery.model_fields}
    context: dict[str, Any] = {"form": form, "choices": service.filter_choices(db), "rows": [], "total": 0,
                               "page": 1, "pages": 1, "error": error, "message": message,
                               "can_edit": policy.allows(user, "stats.official", "edit")}
    try:
        query = form_model(OfficialStatisticQuery, request.query_params)
        rows, total = service.list_statistics(db, user, query)
    except DomainError as exc:
        return render(request, "stats/official_list.html", {**context, "error": str(exc)}, db=db,
                      status_code=exc.status)
    return render(request, "stats/official_list.html", {
        **context, "rows": rows, "total": total, "page": query.page, "pages": max(1, -(-total // PAGE_SIZE))},
        db=db, status_code=status_code)


@router.get("/stats/official", include_in_schema=False)
def list_page(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("stats.official", "view"))):
    message = {"imported": "导入完成", "saved": "已保存"}.get(request.query_params.get("message", ""))
    return _list_page(request, db, user, message=message)


@router.post("/stats/official/import", include_in_schema=False)
def import_page(request: Request, upload: tuple[str, bytes] = Depends(_uploaded), db: Session = Depends(get_db),
                user: User = Depends(requires("stats.official", "edit"))):
    filename, data = upload
    try:
        result = service.import_file(db, user, data, filename, ip_address=client_ip(request))
    except DomainError as exc:
        return _list_page(request, db, user, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/stats/official?message=imported&added={result.added}&updated={result.updated}",
                            status_code=303)


def _edit_page(request: Request, db: Session, statistic_id: int | None, form: dict[str, Any], *,
               error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "stats/official_edit.html", {"statistic_id": statistic_id, "form": form, "error": error,
                                                        "scopes": [(s, s) for s in SCOPES]}, db=db, status_code=status_code)


def _as_form(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in ("region", "region_code", "year", "period", "scope", "value",
                                                     "unit", "source_url", "note")} | {"indicator_zh": record.indicator}


@router.get("/stats/official/new", include_in_schema=False)
def new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("stats.official", "edit"))):
    return _edit_page(request, db, None, {"region": "天津", "region_code": "12", "scope": "—", "unit": "件"})


@router.post("/stats/official/new", include_in_schema=False)
def create_page(request: Request, form: FormData = Depends(posted_form), db: Session = Depends(get_db),
                user: User = Depends(requires("stats.official", "edit"))):
    try:
        record = service.create(db, user, form_model(OfficialStatisticIn, form), ip_address=client_ip(request))
    except DomainError as exc:
        typed = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _edit_page(request, db, None, typed, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/stats/official?message=saved&year={record.year}", status_code=303)


@router.get("/stats/official/{statistic_id}/edit", include_in_schema=False)
def edit_page(request: Request, statistic_id: Id, db: Session = Depends(get_db),
              user: User = Depends(requires("stats.official", "edit"))):
    return _edit_page(request, db, statistic_id, _as_form(service.get(db, user, statistic_id)))


@router.post("/stats/official/{statistic_id}/edit", include_in_schema=False)
def update_page(request: Request, statistic_id: Id, form: FormData = Depends(posted_form),
                db: Session = Depends(get_db), user: User = Depends(requires("stats.official", "edit"))):
    try:
        record = service.update(db, user, statistic_id, form_model(OfficialStatisticIn, form),
                                ip_address=client_ip(request))
    except DomainError as exc:
        typed = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _edit_page(request, db, statistic_id, typed, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/stats/official?message=saved&year={record.year}", status_code=303)


@router.get("/stats/peers", include_in_schema=False)
def peers_page(request: Request, query: Annotated[PeerQuery, Query()], db: Session = Depends(get_db),
               user: User = Depends(requires("stats.official", "view"))):
    refs, table = comparison.peers_for(db, user, indicator=query.indicator, scope=query.scope, period=query.period)
    chart = None
    if table is not None:
        chart = charts.bar_ranking([r.region for r in table.rows], [r.value for r in table.rows],
                                   title=f"{table.indicator}（{table.scope}，{table.period}，{table.unit}）",
                                   highlight=[r.tianjin for r in table.rows])
    return render(request, "stats/peers.html", {"refs": refs, "table": table, "chart": chart}, db=db)

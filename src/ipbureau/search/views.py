"""Patent search: the search page, the JSON API and file export.

Query parameters are read by hand rather than declared: an HTML form sends every
field, empty ones as "", and an empty field means "no condition", never a 422.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.core.uow import get_db
from ipbureau.enums import Dataset
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.reference.service import district_map
from ipbureau.search import service
from ipbureau.search.models import PatentQuery, SearchPage
from ipbureau.web.templating import render

router = Router()

FIELD_LABELS = {
    "q": "检索词", "patent_type": "专利类型", "ipc": "IPC 分类号", "applicant": "申请人", "district_code": "所属区", "province_code": "申请人所在地", "chain": "产业链",
    "legal_status": "法律状态", "filing_from": "申请日（起）", "filing_to": "申请日（止）", "grant_from": "授权公告日（起）",
    "grant_to": "授权公告日（止）", "dataset": "数据类别", "page": "页码", "page_size": "每页条数", "fmt": "导出格式",
}
QUERY_FIELDS = tuple(PatentQuery.model_fields)
MAX_API_PAGE_SIZE = 100
PAGE_SIZE = 20
MAX_PAGE = 10_000
# Chinese labels are accepted where the API takes an enum value ("发明" as well as "invention").
_LABEL_VALUES = {
    "patent_type": {label: value for value, label in PatentType.choices()},
    "legal_status": {label: value for value, label in LegalStatus.choices()},
    "dataset": {label: value for value, label in Dataset.choices()},
}


def _problem(field: str, error: dict[str, Any]) -> str:
    label = FIELD_LABELS.get(field, field)
    value = error.get("input")
    kind = error.get("type", "")
    if kind.startswith("date"):
        return f"{label}不是有效日期：“{value}”（应为 YYYY-MM-DD，如 2023-01-31）"
    if kind == "string_too_long":
        return f"{label}过长（最多 {error.get('ctx', {}).get('max_length')} 字）"
    return f"{label}取值无效：“{value}”"


def parse_query(request: Request) -> PatentQuery:
    """The PatentQuery in the URL, blank fields dropped; SearchInputError with a zh-CN message."""
    params = request.query_params
    values: dict[str, str] = {}
    for name in QUERY_FIELDS:
        raw = (params.get(name) or "").strip()
        if raw:
            values[name] = _LABEL_VALUES.get(name, {}).get(raw, raw)
    try:
        return PatentQuery(**values)
    except ValidationError as exc:
        problems = [_problem(str(e["loc"][0]) if e["loc"] else "", e) for e in exc.errors()]
        raise service.SearchInputError("；".join(problems)) from None


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = (request.query_params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise service.SearchInputError(f"{FIELD_LABELS[name]}应为整数：“{raw}”") from None
    if not low <= value <= high:
        raise service.SearchInputError(f"{FIELD_LABELS[name]}应在 {low} 到 {high} 之间")
    return value


def _query_string(query: PatentQuery, **extra: Any) -> str:
    values = {k: v for k, v in query.model_dump(mode="json").items() if v not in (None, "")}
    values.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(values)


def _download(db: Session, user: User, query: PatentQuery, fmt: str) -> Response:
    data = service.export(db, query, fmt, user=user)  # type: ignore[arg-type]
    db.commit()
    media = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if fmt == "xlsx"
             else "text/csv; charset=utf-8")
    filename = f"patents-{date.today():%Y%m%d}.{fmt}"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/api/search", response_model=SearchPage, tags=["专利检索"])
def api_search(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Search patents. Parameters: the PatentQuery fields, page (from 1) and page_size (at most 100)."""
    try:
        query = parse_query(request)
        page = _int_param(request, "page", 1, 1, MAX_PAGE)
        page_size = _int_param(request, "page_size", PAGE_SIZE, 1, MAX_API_PAGE_SIZE)
        result = service.search(db, query, page, page_size, user=user)
    except service.SearchInputError as exc:
        raise HTTPException(status_code=422, detail=f"输入有误：{exc}") from None
    db.commit()
    return result


def _export(request: Request, db: Session, user: User) -> Response:
    fmt = (request.query_params.get("fmt") or "xlsx").strip().lower()
    try:
        query = parse_query(request)
        return _download(db, user, query, fmt)
    except service.SearchInputError as exc:
        raise HTTPException(status_code=422, detail=f"输入有误：{exc}") from None


@router.get("/api/search/export", tags=["专利检索"])
def api_export(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Download the results (at most 5000) as xlsx or csv: fmt=xlsx|csv plus the search parameters."""
    return _export(request, db, user)


@router.get("/search/export", include_in_schema=False)
def export_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _export(request, db, user)


@router.get("/search", include_in_schema=False)
def search_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    districts = district_map(db)
    form = {name: (request.query_params.get(name) or "").strip() for name in QUERY_FIELDS}
    context: dict[str, Any] = {
        "form": form, "districts": districts, "patent_types": PatentType.choices(),
        "legal_statuses": LegalStatus.choices(), "datasets": Dataset.choices(), "error": None, "result": None,
    }
    try:
        query = parse_query(request)
        page = _int_param(request, "page", 1, 1, MAX_PAGE)
        # Opening the page lists the newest records; only an actual query counts as a search.
        result = service.search(db, query, page, PAGE_SIZE, user=user, record=service.has_criteria(query))
    except service.SearchInputError as exc:
        context["error"] = str(exc)
        return render(request, "search.html", context, db=db, status_code=422)
    db.commit()
    pages = max(1, -(-result.total // PAGE_SIZE))
    context.update(
        result=result, query=query, pages=pages,
        page_link=lambda n: f"/search?{_query_string(query, page=n)}",
        export_xlsx=f"/search/export?{_query_string(query, fmt='xlsx')}",
        export_csv=f"/search/export?{_query_string(query, fmt='csv')}",
        type_labels=dict(PatentType.choices()), status_labels=dict(LegalStatus.choices()),
    )
    return render(request, "search.html", context, db=db)

"""Patent search: the search page, the JSON API and file export, all over one query schema (PatentQuery).

The API and export take the query as declared query parameters; the page parses the same schema from its form
so that a mistake re-shows the form with the message (status 422) instead of an error page.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.errors import InvalidInput
from ipbureau.core.forms import form_model
from ipbureau.core.uow import Router, get_db
from ipbureau.enums import Dataset
from ipbureau.patents.enums import LegalStatus, PatentType
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.search import service
from ipbureau.search.schemas import (
    DEFAULT_PAGE_SIZE,
    ExportFormat,
    PatentQuery,
    ResultPage,
    ResultsPerPage,
    SearchPage,
)
from ipbureau.web.downloads import download
from ipbureau.web.templating import render

router = Router()

QueryParams = Annotated[PatentQuery, Query()]
FILE_RESPONSES = {200: {"content": {service.MEDIA_TYPES["xlsx"]: {}, "text/csv": {}},
                        "description": "检索结果文件（最多 5000 条）"}}


@router.get("/api/search", response_model=SearchPage, tags=["专利检索"])
def api_search(query: QueryParams, page: ResultPage = 1, page_size: ResultsPerPage = DEFAULT_PAGE_SIZE,
               db: Session = Depends(get_db), user: User = Depends(requires("patent", "search"))):
    """Search patents: the PatentQuery fields, page (from 1) and page_size (at most 100)."""
    return service.search(db, query, page, page_size, user=user)


def _download(db: Session, user: User, query: PatentQuery, fmt: str) -> Response:
    file = service.export_file(db, query, fmt, user=user)  # type: ignore[arg-type]
    return download(file.content, file.filename, file.media_type)


@router.get("/api/search/export", response_class=Response, responses=FILE_RESPONSES, tags=["专利检索"])
def api_export(query: QueryParams, fmt: ExportFormat = "xlsx", db: Session = Depends(get_db),
               user: User = Depends(requires("patent", "export"))):
    """Download the results (at most 5000) as xlsx or csv: fmt=xlsx|csv plus the search parameters."""
    return _download(db, user, query, fmt)


@router.get("/search/export", include_in_schema=False)
def export_page(query: QueryParams, fmt: ExportFormat = "xlsx", db: Session = Depends(get_db),
                user: User = Depends(requires("patent", "export"))):
    return _download(db, user, query, fmt)


def _link(path: str, query: PatentQuery, **extra: str) -> str:
    return f"{path}?{urlencode({**query.conditions(), **extra})}"


@router.get("/search", include_in_schema=False)
def search_page(request: Request, page: ResultPage = 1, db: Session = Depends(get_db),
                user: User = Depends(requires("patent", "search"))):
    form = {name: (request.query_params.get(name) or "").strip() for name in PatentQuery.model_fields}
    context = {"form": form, "districts": district_map(db), "patent_types": PatentType.choices(),
               "legal_statuses": LegalStatus.choices(), "datasets": Dataset.choices(), "error": None, "result": None}
    try:
        query = form_model(PatentQuery, request.query_params)
        # Opening the page lists the newest records; only an actual query counts as a search.
        result = service.search(db, query, page, DEFAULT_PAGE_SIZE, user=user, record=query.has_criteria())
    except InvalidInput as exc:
        return render(request, "search/index.html", {**context, "error": str(exc)}, db=db, status_code=exc.status)
    return render(request, "search/index.html", {
        **context, "result": result, "query": query, "pages": max(1, -(-result.total // DEFAULT_PAGE_SIZE)),
        "export_limit": service.EXPORT_LIMIT, "export_xlsx": _link("/search/export", query, fmt="xlsx"),
        "export_csv": _link("/search/export", query, fmt="csv"),
    }, db=db)

"""The trademark directory: its page and the JSON API, over one query schema."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.errors import InvalidInput
from ipbureau.core.forms import form_model
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.trademarks import service
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.schemas import PAGE_SIZE, TrademarkList, TrademarkQuery
from ipbureau.web.templating import render

router = Router()


@router.get("/api/trademarks", response_model=TrademarkList, tags=["商标"])
def api_list(query: Annotated[TrademarkQuery, Query()], db: Session = Depends(get_db),
             user: User = Depends(requires("trademark", "view"))):
    rows, total = service.list_trademarks(db, user, query)
    return TrademarkList(total=total, items=rows)


@router.get("/trademarks", include_in_schema=False)
def list_page(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("trademark", "view"))):
    form = {name: (request.query_params.get(name) or "").strip() for name in TrademarkQuery.model_fields}
    context = {"form": form, "districts": district_map(db), "statuses": TrademarkStatus.choices(),
               "TrademarkStatus": TrademarkStatus, "error": None,
               "rows": [], "total": 0, "page": 1, "pages": 1}
    try:
        query = form_model(TrademarkQuery, request.query_params)
        rows, total = service.list_trademarks(db, user, query)
    except InvalidInput as exc:
        return render(request, "trademarks/list.html", {**context, "error": str(exc)}, db=db, status_code=exc.status)
    return render(request, "trademarks/list.html", {**context, "rows": rows, "total": total, "page": query.page,
                                                    "pages": max(1, -(-total // PAGE_SIZE))}, db=db)

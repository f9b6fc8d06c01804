"""The trademark directory (page and JSON API over one query schema), trademark statistics by Nice class, and
the Nice classification itself (classes, groups and items, 2018 wording)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.errors import InvalidInput
from ipbureau.core.forms import form_model
from ipbureau.core.uow import Router, get_db
from ipbureau.enums import Dataset
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.stats import charts
from ipbureau.trademarks import nice, service
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.schemas import (
    PAGE_SIZE,
    ClassCountRead,
    ClassStatisticsQuery,
    NiceClassRead,
    TrademarkList,
    TrademarkQuery,
)
from ipbureau.web.templating import render

router = Router()


@router.get("/api/trademarks", response_model=TrademarkList, tags=["商标"])
def api_list(query: Annotated[TrademarkQuery, Query()], db: Session = Depends(get_db),
             user: User = Depends(requires("trademark", "view"))):
    rows, total = service.list_trademarks(db, user, query)
    return TrademarkList(total=total, items=rows, class_headings=service.class_headings(db, rows))


@router.get("/api/trademarks/by-class", response_model=list[ClassCountRead], tags=["商标"])
def api_by_class(query: Annotated[ClassStatisticsQuery, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires("trademark", "view"))):
    """Trademarks by primary Nice class (all 45 classes), with how many are registered."""
    return nice.class_statistics(db, user, query.dataset, query.district_code)


@router.get("/api/nice-classes", response_model=list[NiceClassRead], tags=["商标"])
def api_nice_classes(db: Session = Depends(get_db), user: User = Depends(requires("reference", "view"))):
    """The 45 Nice classes with their Chinese headings (2018 wording) and the edition."""
    return nice.classes(db, user)


@router.get("/trademarks", include_in_schema=False)
def list_page(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("trademark", "view"))):
    form = {name: (request.query_params.get(name) or "").strip() for name in TrademarkQuery.model_fields}
    context = {"form": form, "districts": district_map(db), "statuses": TrademarkStatus.choices(),
               "TrademarkStatus": TrademarkStatus, "error": None, "headings": {}, "edition": nice.EDITION,
               "rows": [], "total": 0, "page": 1, "pages": 1}
    try:
        query = form_model(TrademarkQuery, request.query_params)
        rows, total = service.list_trademarks(db, user, query)
    except InvalidInput as exc:
        return render(request, "trademarks/list.html", {**context, "error": str(exc)}, db=db, status_code=exc.status)
    return render(request, "trademarks/list.html", {**context, "rows": rows, "total": total, "page": query.page,
                                                    "headings": service.class_headings(db, rows),
                                                    "pages": max(1, -(-total // PAGE_SIZE))}, db=db)


@router.get("/trademarks/classes", include_in_schema=False)
def classes_page(request: Request, query: Annotated[ClassStatisticsQuery, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires("trademark", "view"))):
    counts = nice.class_statistics(db, user, query.dataset, query.district_code)
    chart = charts.bar_ranking([f"第{c.number}类" for c in counts], [c.marks for c in counts],
                               title="商标数量按尼斯分类（主类别）", links=[f"/trademarks?nice_class={c.number}" for c in counts])
    return render(request, "trademarks/classes.html", {
        "counts": counts, "chart": chart, "edition": nice.EDITION, "source": nice.SOURCE_NOTE,
        "datasets": Dataset.choices(), "districts": district_map(db), "query": query,
        "total": sum(c.marks for c in counts)}, db=db)


@router.get("/trademarks/classes/{number}", include_in_schema=False)
def class_page(request: Request, number: Annotated[int, Path(ge=1, le=nice.CLASS_COUNT)], db: Session = Depends(get_db),
               user: User = Depends(requires("reference", "view"))):
    entry = nice.class_entry(db, user, number)
    return render(request, "trademarks/class.html", {"entry": entry, "edition": nice.EDITION,
                                                     "source": nice.SOURCE_NOTE}, db=db)

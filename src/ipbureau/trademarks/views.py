from __future__ import annotations

from ipbureau.core.uow import Router

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.core.uow import get_db
from ipbureau.reference.service import district_map
from ipbureau.trademarks import service
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.models import TrademarkRead
from ipbureau.web.templating import render

router = Router()
PAGE = 50


@router.get("/api/trademarks", tags=["商标"])
def api_list(q: str | None = None, district_code: str | None = None, nice_class: int | None = Query(None, ge=1, le=45),
             status: TrademarkStatus | None = None, page: int = Query(1, ge=1),
             db: Session = Depends(get_db), _user: User = Depends(current_user)):
    rows, total = service.list_trademarks(db, q=q, district_code=district_code, nice_class=nice_class,
                                          status=status.value if status else None, offset=(page - 1) * PAGE, limit=PAGE)
    return {"total": total, "items": [TrademarkRead.model_validate(r).model_dump(mode="json") for r in rows]}


@router.get("/trademarks", include_in_schema=False)
def list_page(request: Request, q: str | None = None, district_code: str | None = None, nice_class: str | None = None,
              status: str | None = None, page: int = Query(1, ge=1),
              db: Session = Depends(get_db), _user: User = Depends(current_user)):
    q = (q or "").strip() or None
    district_code = (district_code or "").strip() or None
    status = status if status in {s.value for s in TrademarkStatus} else None
    klass = int(nice_class) if nice_class and nice_class.isdigit() and 1 <= int(nice_class) <= 45 else None
    rows, total = service.list_trademarks(db, q=q, district_code=district_code, nice_class=klass, status=status,
                                          offset=(page - 1) * PAGE, limit=PAGE)
    return render(request, "trademarks.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)), "districts": district_map(db),
        "statuses": TrademarkStatus.choices(), "q": q or "", "district_code": district_code or "",
        "nice_class": klass or "", "status": status or "",
    }, db=db)

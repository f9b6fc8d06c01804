from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.database.core import get_db
from ipbureau.enterprises import service
from ipbureau.enterprises.enums import KNOWN_TAGS, EntityKind
from ipbureau.enterprises.models import EnterpriseDetail, EnterprisePublic
from ipbureau.reference.service import district_map
from ipbureau.web.templating import render

router = APIRouter()
PAGE = 50


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/api/enterprises", tags=["企业"])
def api_list(q: str | None = None, district_code: str | None = None, tag: str | None = None, kind: str | None = None,
             page: int = Query(1, ge=1), db: Session = Depends(get_db), _user: User = Depends(current_user)):
    rows, total = service.list_enterprises(db, q=q, district_code=district_code, tag=tag, kind=kind,
                                           offset=(page - 1) * PAGE, limit=PAGE)
    return {"total": total, "items": [EnterprisePublic.model_validate(r).model_dump(mode="json") for r in rows]}


@router.get("/api/enterprises/{enterprise_id}", tags=["企业"])
def api_get(enterprise_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Public fields for everyone signed in; contact details etc. only for staff and the enterprise itself."""
    enterprise = service.get(db, enterprise_id)
    if enterprise is None:
        raise HTTPException(status_code=404, detail="企业不存在")
    schema = EnterpriseDetail if service.can_view_private(user, enterprise) else EnterprisePublic
    return schema.model_validate(enterprise).model_dump(mode="json")


@router.get("/enterprises", include_in_schema=False)
def list_page(request: Request, q: str | None = None, district_code: str | None = None, tag: str | None = None,
              page: int = Query(1, ge=1), db: Session = Depends(get_db), _user: User = Depends(current_user)):
    q, district_code, tag = _blank_to_none(q), _blank_to_none(district_code), _blank_to_none(tag)
    rows, total = service.list_enterprises(db, q=q, district_code=district_code, tag=tag,
                                           offset=(page - 1) * PAGE, limit=PAGE)
    return render(request, "enterprises.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)),
        "districts": district_map(db), "tags": KNOWN_TAGS, "kinds": dict(EntityKind.choices()),
        "q": q or "", "district_code": district_code or "", "tag": tag or "",
    }, db=db)


@router.get("/enterprises/{enterprise_id}", include_in_schema=False)
def detail_page(request: Request, enterprise_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    enterprise = service.get(db, enterprise_id)
    if enterprise is None:
        raise HTTPException(status_code=404, detail="企业不存在")
    return render(request, "enterprise.html", {
        "e": enterprise, "private": service.can_view_private(user, enterprise), "counts": service.record_counts(db, enterprise),
        "districts": district_map(db), "kinds": dict(EntityKind.choices()),
    }, db=db)

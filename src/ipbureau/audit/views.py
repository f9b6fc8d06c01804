from __future__ import annotations

from ipbureau.core.uow import Router

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.orm import Session

from ipbureau.audit import service
from ipbureau.audit.models import AuditLogRead
from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_admin
from ipbureau.core.uow import get_db
from ipbureau.web.templating import render

router = Router()


@router.get("/api/audit", response_model=dict, tags=["操作日志"])
def api_audit(entity_type: str | None = None, entity_id: str | None = None, page: int = Query(1, ge=1),
              db: Session = Depends(get_db), _admin: User = Depends(require_admin)):
    rows, total = service.list_entries(db, entity_type=entity_type, entity_id=entity_id, offset=(page - 1) * 50)
    return {"total": total, "items": [AuditLogRead.model_validate(r).model_dump(mode="json") for r in rows]}


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, entity_type: str | None = None, page: int = Query(1, ge=1),
               db: Session = Depends(get_db), _admin: User = Depends(require_admin)):
    rows, total = service.list_entries(db, entity_type=entity_type, offset=(page - 1) * 50)
    return render(request, "audit.html", {"rows": rows, "total": total, "page": page, "entity_type": entity_type}, db=db)

"""The audit log: its page and the JSON API (the administrator's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from ipbureau.audit import service
from ipbureau.audit.schemas import PAGE_SIZE, AuditLogPage, AuditQuery
from ipbureau.auth.models import User
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.web.templating import render

router = Router()
AuditParams = Annotated[AuditQuery, Query()]


def _entries(db: Session, query: AuditQuery):
    return service.list_entries(db, entity_type=query.entity_type, entity_id=query.entity_id,
                                offset=query.offset, limit=PAGE_SIZE)


@router.get("/api/audit", response_model=AuditLogPage, tags=["操作日志"])
def api_audit(query: AuditParams, db: Session = Depends(get_db), _admin: User = Depends(requires("audit", "view"))):
    rows, total = _entries(db, query)
    return AuditLogPage(total=total, items=rows)


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, query: AuditParams, db: Session = Depends(get_db),
               _admin: User = Depends(requires("audit", "view"))):
    rows, total = _entries(db, query)
    return render(request, "audit/list.html", {"rows": rows, "total": total, "page": query.page,
                                               "pages": max(1, -(-total // PAGE_SIZE))}, db=db)

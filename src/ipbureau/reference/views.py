"""Reference data: the districts (API), the IPC scheme (page and API) and district attribution's staff page (records
no rule could attribute, assigned a district by hand; page and API)."""

from __future__ import annotations

from typing import Literal

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Offset, PageSize, ShortText, register_labels
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.reference import attribution, service
from ipbureau.reference.schemas import (
    DistrictAssign,
    DistrictAssignmentRead,
    DistrictRead,
    IpcEntryRead,
    UnattributedRead,
)
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render, templates

router = Router()
# A record's page shows why it is in its district: ``{{ patent.district_rule|district_rule }}``.
templates.env.filters["district_rule"] = attribution.rule_label
register_labels({"ipc_code": "IPC 分类号", "kind": "记录类型", "record_id": "记录", "district_code": "所属区"}, __name__)
PAGE_SIZE = 50


@router.get("/api/districts", response_model=list[DistrictRead], tags=["参考数据"])
def api_districts(db: Session = Depends(get_db), user: User = Depends(requires("reference", "view"))):
    return service.districts(db, user)


@router.get("/api/ipc/{ipc_code:path}", response_model=IpcEntryRead, tags=["参考数据"])
def api_ipc(ipc_code: ShortText, db: Session = Depends(get_db), user: User = Depends(requires("reference", "view"))):
    """One IPC code with its ancestors and children, titles in Chinese and English."""
    return service.ipc_entry(db, user, ipc_code)


@router.get("/ipc", include_in_schema=False)
def ipc_root(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("reference", "view"))):
    return render(request, "reference/ipc.html", {"entry": service.ipc_entry(db, user)}, db=db)


@router.get("/ipc/{ipc_code:path}", include_in_schema=False)
def ipc_page(request: Request, ipc_code: ShortText, db: Session = Depends(get_db),
             user: User = Depends(requires("reference", "view"))):
    return render(request, "reference/ipc.html", {"entry": service.ipc_entry(db, user, ipc_code)}, db=db)


@router.get("/api/districts/unattributed", response_model=UnattributedRead, tags=["参考数据"])
def api_unattributed(kind: Literal["patent", "enterprise"] = "patent", offset: Offset = 0, limit: PageSize = PAGE_SIZE,
                     db: Session = Depends(get_db), user: User = Depends(requires("district_attribution", "view"))):
    """Tianjin patents and enterprises whose district no rule could attribute: the counts, and one page of a kind."""
    return attribution.unattributed(db, user, kind, offset=offset, limit=limit)


@router.post("/api/districts/assignments", response_model=DistrictAssignmentRead, tags=["参考数据"])
def api_assign_district(body: DistrictAssign, request: Request, db: Session = Depends(get_db),
                        user: User = Depends(requires("district_attribution", "assign"))):
    """Assign a district by hand (rule ``manual``, kept by later imports of the record; audited)."""
    record = attribution.assign_district(db, user, body.kind, body.record_id, body.district_code,
                                         ip_address=client_ip(request))
    return DistrictAssignmentRead(kind=body.kind, record_id=record.id, district_code=record.district_code,
                                  district_rule=record.district_rule)


def _unattributed_page(request: Request, db: Session, user: User, kind: str, offset: int, *,
                       error: str | None = None, status_code: int = 200):
    page = attribution.unattributed(db, user, kind, offset=offset, limit=PAGE_SIZE)  # type: ignore[arg-type]
    message = "已指定所属区" if request.query_params.get("message") == "assigned" else None
    return render(request, "reference/unattributed.html", {
        "page": page, "kind": kind, "offset": offset, "limit": PAGE_SIZE, "kinds": attribution.KIND_LABELS,
        "districts": service.district_map(db), "message": message, "error": error}, db=db, status_code=status_code)


@router.get("/districts/unattributed", include_in_schema=False)
def unattributed_page(request: Request, kind: Literal["patent", "enterprise"] = "patent", offset: Offset = 0,
                      db: Session = Depends(get_db), user: User = Depends(requires("district_attribution", "view"))):
    return _unattributed_page(request, db, user, kind, offset)


@router.post("/districts/unattributed", include_in_schema=False)
def unattributed_assign(request: Request, db: Session = Depends(get_db),
                        user: User = Depends(requires("district_attribution", "assign")),
                        form: FormData = Depends(posted_form)):
    kind = form.get("kind") if form.get("kind") in attribution.KIND_LABELS else "patent"
    try:
        data = form_model(DistrictAssign, form)
        attribution.assign_district(db, user, data.kind, data.record_id, data.district_code,
                                    ip_address=client_ip(request))
    except DomainError as exc:
        return _unattributed_page(request, db, user, str(kind), 0, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/districts/unattributed?kind={data.kind}&message=assigned", status_code=303)

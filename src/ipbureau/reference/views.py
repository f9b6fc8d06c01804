"""Reference data: the districts (API) and the IPC scheme (page and API)."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.fields import ShortText, register_labels
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.reference import service
from ipbureau.reference.schemas import DistrictRead, IpcEntryRead
from ipbureau.web.templating import render

router = Router()
register_labels({"ipc_code": "IPC 分类号"}, __name__)


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

from __future__ import annotations

from ipbureau.core.uow import Router

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.core.uow import get_db
from ipbureau.reference import service
from ipbureau.reference.ipc import IpcFormatError, normalise_ipc
from ipbureau.reference.models import DistrictRead, IpcCode, IpcCodeRead
from ipbureau.web.templating import render

router = Router()


@router.get("/api/districts", response_model=list[DistrictRead], tags=["参考数据"])
def api_districts(db: Session = Depends(get_db), _user: User = Depends(current_user)):
    return service.list_districts(db)


def _lookup(db: Session, raw: str) -> tuple[str, list[IpcCode], list[IpcCode]]:
    try:
        code = normalise_ipc(raw)
    except IpcFormatError:
        raise HTTPException(status_code=422, detail=f"不是有效的 IPC 分类号：“{raw}”") from None
    path = service.ipc_path(db, code)
    if not path or path[-1].code != code:
        raise HTTPException(status_code=404, detail=f"IPC 分类表中没有 {code}")
    children = list(db.scalars(select(IpcCode).where(IpcCode.parent_code == code).order_by(IpcCode.code).limit(500)))
    return code, path, children


@router.get("/api/ipc/{raw:path}", tags=["参考数据"])
def api_ipc(raw: str, db: Session = Depends(get_db), _user: User = Depends(current_user)):
    """One IPC code with its ancestors and children, titles in Chinese and English."""
    _code, path, children = _lookup(db, raw)
    return {"path": [IpcCodeRead.model_validate(p).model_dump() for p in path],
            "children": [IpcCodeRead.model_validate(c).model_dump() for c in children]}


@router.get("/ipc", include_in_schema=False)
def ipc_root(request: Request, db: Session = Depends(get_db), _user: User = Depends(current_user)):
    sections = list(db.scalars(select(IpcCode).where(IpcCode.level == "section").order_by(IpcCode.code)))
    return render(request, "ipc.html", {"path": [], "children": sections}, db=db)


@router.get("/ipc/{raw:path}", include_in_schema=False)
def ipc_page(request: Request, raw: str, db: Session = Depends(get_db), _user: User = Depends(current_user)):
    _code, path, children = _lookup(db, raw)
    return render(request, "ipc.html", {"path": path, "children": children}, db=db)

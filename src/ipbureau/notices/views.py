"""Notice pages (/notices) and API (/api/notices): the signed-in user's notices, mark read."""

from __future__ import annotations

from ipbureau.core.uow import Router

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.core.uow import get_db
from ipbureau.notices import service
from ipbureau.notices.models import Notice
from ipbureau.web.templating import render

router = Router()


def _notice_or_404(db: Session, notice_id: int, user: User) -> Notice:
    notice = db.get(Notice, notice_id)
    if notice is None or not service.can_read(user, notice):
        raise HTTPException(status_code=404, detail="通知不存在")
    return notice


def notice_json(notice: Notice) -> dict[str, Any]:
    return {"id": notice.id, "title": notice.title, "body": notice.body, "link": notice.link,
            "created_at": notice.created_at.isoformat(), "read": notice.read_at is not None,
            "read_at": notice.read_at.isoformat() if notice.read_at else None}


@router.get("/notices", include_in_schema=False)
def notices_page(request: Request, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return render(request, "notices/list.html", {"notices": service.notices_for(db, user),
                                                 "unread": service.unread_count(db, user)}, db=db)


@router.post("/notices/{notice_id}/read", include_in_schema=False)
def notice_read(notice_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    notice = _notice_or_404(db, notice_id, user)
    service.mark_read(db, notice)
    db.commit()
    # Opening a notice leads to what it is about.
    return RedirectResponse(notice.link or "/notices", status_code=303)


@router.post("/notices/read-all", include_in_schema=False)
def notices_read_all(db: Session = Depends(get_db), user: User = Depends(current_user)):
    service.mark_all_read(db, user)
    db.commit()
    return RedirectResponse("/notices", status_code=303)


@router.get("/api/notices", tags=["站内通知"])
def api_notices(db: Session = Depends(get_db), user: User = Depends(current_user)):
    return {"unread": service.unread_count(db, user), "items": [notice_json(n) for n in service.notices_for(db, user)]}


@router.post("/api/notices/{notice_id}/read", tags=["站内通知"])
def api_notice_read(notice_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    notice = service.mark_read(db, _notice_or_404(db, notice_id, user))
    db.commit()
    return notice_json(notice)

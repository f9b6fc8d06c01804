"""Notice pages (/notices) and API (/api/notices): the signed-in user's notices; mark them read."""

from __future__ import annotations

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.fields import Id
from ipbureau.core.uow import Router, get_db
from ipbureau.notices import service
from ipbureau.notices.schemas import NoticeList, NoticeRead
from ipbureau.policy import requires
from ipbureau.web.templating import render

router = Router()
TAGS: list = ["站内通知"]


@router.get("/notices", include_in_schema=False)
def notices_page(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("notice", "view"))):
    return render(request, "notices/list.html", {"notices": service.notices_for(db, user),
                                                 "unread": service.unread_count(db, user)}, db=db)


@router.post("/notices/{notice_id}/read", include_in_schema=False)
def notice_read(notice_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("notice", "read"))):
    notice = service.mark_read(db, user, notice_id)
    # Opening a notice leads to what it is about.
    return RedirectResponse(notice.link or "/notices", status_code=303)


@router.post("/notices/read-all", include_in_schema=False)
def notices_read_all(db: Session = Depends(get_db), user: User = Depends(requires("notice", "read"))):
    service.mark_all_read(db, user)
    return RedirectResponse("/notices", status_code=303)


@router.get("/api/notices", response_model=NoticeList, tags=TAGS)
def api_notices(db: Session = Depends(get_db), user: User = Depends(requires("notice", "view"))):
    return NoticeList(unread=service.unread_count(db, user), items=service.notices_for(db, user))


@router.post("/api/notices/{notice_id}/read", response_model=NoticeRead, tags=TAGS)
def api_notice_read(notice_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("notice", "read"))):
    return service.mark_read(db, user, notice_id)

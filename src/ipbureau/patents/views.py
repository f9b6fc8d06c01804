"""A patent record: its page and the JSON API; both count a record view."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.fields import Id
from ipbureau.core.uow import Router, get_db
from ipbureau.market import matching
from ipbureau.patents import service
from ipbureau.patents.schemas import PatentRead
from ipbureau.policy import requires
from ipbureau.web.templating import render

router = Router()


@router.get("/api/patents/{patent_id}", response_model=PatentRead, tags=["专利"])
def api_patent(patent_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("patent", "view"))):
    return service.view(db, user, patent_id)


@router.get("/patents/{patent_id}", include_in_schema=False)
def patent_page(request: Request, patent_id: Id, db: Session = Depends(get_db),
                user: User = Depends(requires("patent", "view"))):
    detail = service.detail(db, user, patent_id)
    # Patents on offer like this one: the matching engine's index, read only (the patent's stored vector or, if it
    # has none yet, its terms alone).
    similar = matching.similar_patents(db, detail.patent)
    return render(request, "patents/patent.html", {"detail": detail, "similar": similar}, db=db)

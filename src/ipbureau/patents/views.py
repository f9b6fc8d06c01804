from __future__ import annotations

from ipbureau.core.uow import Router

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.core.uow import get_db
from ipbureau.patents import service
from ipbureau.patents.models import PatentRead
from ipbureau.reference.service import district_map, ipc_titles
from ipbureau.search.service import record_usage
from ipbureau.web.templating import render

router = Router()


@router.get("/api/patents/{patent_id}", response_model=PatentRead, tags=["专利"])
def api_patent(patent_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    patent = service.get(db, patent_id)
    if patent is None:
        raise HTTPException(status_code=404, detail="专利不存在")
    record_usage(db, user, "view", query_text=patent.application_no, result_count=1)
    db.commit()
    return patent


@router.get("/patents/{patent_id}", include_in_schema=False)
def patent_page(request: Request, patent_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    patent = service.get(db, patent_id)
    if patent is None:
        raise HTTPException(status_code=404, detail="专利不存在")
    record_usage(db, user, "view", query_text=patent.application_no, result_count=1)
    db.commit()
    return render(request, "patent.html", {"p": patent, "ipc": ipc_titles(db, patent.ipc_list),
                                           "districts": district_map(db)}, db=db)

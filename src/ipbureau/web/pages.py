"""The home page: a live overview computed from the records."""

from __future__ import annotations

from ipbureau.core.uow import Router

from fastapi import APIRouter, Depends, Request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user
from ipbureau.core.uow import get_db
from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import Patent
from ipbureau.reference.service import district_map
from ipbureau.trademarks.models import Trademark
from ipbureau.web.templating import render

router = Router()


def overview(db: Session) -> dict:
    """Record counts per dataset; real and demo figures are never added together."""
    by_type = {(str(ds), str(t)): n for ds, t, n in db.execute(
        select(Patent.dataset, Patent.patent_type, func.count()).group_by(Patent.dataset, Patent.patent_type))}
    by_district = {(str(ds), code): n for ds, code, n in db.execute(
        select(Patent.dataset, Patent.district_code, func.count()).where(Patent.district_code.is_not(None))
        .group_by(Patent.dataset, Patent.district_code))}
    trademarks = dict(db.execute(select(Trademark.dataset, func.count()).group_by(Trademark.dataset)).all())
    enterprises = dict(db.execute(select(Enterprise.dataset, func.count()).group_by(Enterprise.dataset)).all())
    names = district_map(db)
    datasets = []
    for ds in Dataset:
        types = {t: by_type.get((ds.value, t.value), 0) for t in PatentType}
        total = sum(types.values())
        if not total and not trademarks.get(ds.value) and not enterprises.get(ds.value):
            continue
        districts = sorted(((names.get(code, code), n) for (d, code), n in by_district.items() if d == ds.value),
                           key=lambda x: -x[1])
        datasets.append({"dataset": ds, "types": types, "total": total, "districts": districts,
                         "district_max": max((n for _, n in districts), default=0),
                         "trademarks": trademarks.get(ds.value, 0), "enterprises": enterprises.get(ds.value, 0)})
    return {"datasets": datasets}


@router.get("/", include_in_schema=False)
def home(request: Request, db: Session = Depends(get_db), _user: User = Depends(current_user)):
    return render(request, "home.html", overview(db), db=db)


@router.get("/api/overview", tags=["概览"])
def api_overview(db: Session = Depends(get_db), _user: User = Depends(current_user)):
    data = overview(db)
    return {"datasets": [{**d, "dataset": d["dataset"].value, "types": d["types"]} for d in data["datasets"]]}

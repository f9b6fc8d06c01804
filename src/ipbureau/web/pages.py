"""The home page: a live overview computed from the records (page and API)."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Request
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.uow import Router, get_db
from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import Patent
from ipbureau.policy import policy, requires
from ipbureau.reference.service import district_map
from ipbureau.trademarks.models import Trademark
from ipbureau.web.templating import render

router = Router()


class DatasetOverview(BaseModel):
    """The figures of one dataset (real or demo); the two are never added together."""

    dataset: Dataset
    types: dict[PatentType, int]
    total: int
    districts: list[tuple[str, int]]  # (district name, patents), most first
    district_max: int
    trademarks: int
    enterprises: int


class Overview(BaseModel):
    datasets: list[DatasetOverview]


def overview(db: Session, user: Any) -> Overview:
    """Record counts per dataset, for any signed-in user."""
    policy.authorize(db, user, "session", "use")
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
        datasets.append(DatasetOverview(dataset=ds, types=types, total=total, districts=districts,
                                        district_max=max((n for _, n in districts), default=0),
                                        trademarks=trademarks.get(ds.value, 0),
                                        enterprises=enterprises.get(ds.value, 0)))
    return Overview(datasets=datasets)


@router.get("/", include_in_schema=False)
def home(request: Request, db: Session = Depends(get_db), user: User = Depends(requires("session", "use"))):
    return render(request, "home.html", {"datasets": overview(db, user).datasets}, db=db)


@router.get("/api/overview", response_model=Overview, tags=["概览"])
def api_overview(db: Session = Depends(get_db), user: User = Depends(requires("session", "use"))):
    return overview(db, user)

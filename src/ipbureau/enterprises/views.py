"""Enterprise directory and profile pages and JSON API, and (included first, so that "/enterprises/assessment"
is not taken for an enterprise id) the cultivation programme's routes. Thin: what a user sees of an
enterprise is decided by ``service`` and ``profile.service`` with the access policy.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.fields import Id
from ipbureau.core.uow import Router, get_db
from ipbureau.enterprises import service
from ipbureau.enterprises.assessment.scoring import CRITERIA
from ipbureau.enterprises.assessment.views import router as assessment_router
from ipbureau.enterprises.enums import (
    KNOWN_TAGS,
    AssessmentLevel,
    AssessmentStatus,
    EntityKind,
)
from ipbureau.enterprises.profile.schemas import ProfileRead
from ipbureau.enterprises.profile.service import profile_of, read_profile
from ipbureau.enterprises.schemas import (
    EnterpriseDetail,
    EnterpriseFilters,
    EnterpriseRead,
    Page,
    PageNumber,
    pages_for,
)
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.web.templating import render

router = Router()
router.include_router(assessment_router)
TAGS: list[str] = ["企业"]

Db = Annotated[Session, Depends(get_db)]
Reader = Annotated[User, Depends(requires("enterprise", "view"))]
DirectoryQuery = Annotated[EnterpriseFilters, Query()]


@router.get("/api/enterprises", response_model=Page[EnterpriseRead], tags=TAGS)
def api_list(db: Db, user: Reader, filters: DirectoryQuery, page: PageNumber = 1):
    """The directory: public fields only, whoever asks."""
    rows, total = service.list_enterprises(db, user, filters, page=page)
    return Page[EnterpriseRead](total=total, items=[EnterpriseRead.model_validate(r) for r in rows])


@router.get("/api/enterprises/{enterprise_id}", response_model=EnterpriseDetail | EnterpriseRead, tags=TAGS)
def api_get(enterprise_id: Id, db: Db, user: Reader):
    """Public fields for everyone signed in; contact details etc. only for staff and the enterprise itself."""
    return service.read_enterprise(db, user, enterprise_id)


@router.get("/api/enterprises/{enterprise_id}/profile", response_model=ProfileRead, tags=TAGS)
def api_profile(enterprise_id: Id, db: Db, user: Reader):
    """The profile's sections; non-public ones (deals, cases, services, score) for staff and the enterprise only."""
    return read_profile(db, user, enterprise_id)


@router.get("/enterprises", include_in_schema=False)
def list_page(request: Request, db: Db, user: Reader, filters: DirectoryQuery, page: PageNumber = 1):
    rows, total = service.list_enterprises(db, user, filters, page=page)
    return render(request, "enterprises/list.html", {
        "rows": rows, "total": total, "page": page, "pages": pages_for(total), "filters": filters,
        "districts": district_map(db), "tags": KNOWN_TAGS, "kinds": dict(EntityKind.choices()),
    }, db=db)


@router.get("/enterprises/{enterprise_id}", include_in_schema=False)
def profile_page(request: Request, enterprise_id: Id, db: Db, user: Reader):
    return render(request, "enterprises/profile.html", {
        "p": profile_of(db, user, enterprise_id), "districts": district_map(db), "kinds": dict(EntityKind.choices()),
        "criteria": CRITERIA, "AssessmentLevel": AssessmentLevel, "AssessmentStatus": AssessmentStatus,
        "this_year": date.today().year,
        "message": {"applied": "已提交申报", "management": "知识产权管理情况已保存"}.get(
            request.query_params.get("message", "")),
    }, db=db)

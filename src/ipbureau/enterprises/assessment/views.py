"""优势/示范企业培育 pages and JSON API: candidates by score (page, Excel export, API), applications and their
review, the IP management items of an enterprise. Thin: the rules are ``service.py``'s, who may do what is
the access policy's (``policy/enterprises.py``), the states are ``workflows.ASSESSMENT``.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.fields import Id, Year
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.enterprises.assessment import service
from ipbureau.enterprises.assessment.schemas import (
    CRITERIA_READ,
    AssessmentAction,
    AssessmentCreate,
    AssessmentDecision,
    AssessmentRead,
    CandidateFilters,
    CandidatesRead,
    ManagementRead,
    ManagementUpdate,
    ScoreRead,
)
from ipbureau.enterprises.assessment.scoring import CRITERIA, THRESHOLDS
from ipbureau.enterprises.enums import AssessmentLevel, AssessmentStatus
from ipbureau.enterprises.schemas import PAGE_SIZE, PageNumber, offset_of, pages_for
from ipbureau.enterprises.spreadsheet import XLSX
from ipbureau.policy import policy, requires
from ipbureau.reference.service import district_map
from ipbureau.web.downloads import download
from ipbureau.web.templating import render

router = Router()
TAGS: list[str] = ["企业"]

Db = Annotated[Session, Depends(get_db)]
ProgrammeStaff = Annotated[User, Depends(requires("enterprise.assessment", "view"))]
Assessor = Annotated[User, Depends(requires("enterprise", "assess"))]
Applicant = Annotated[User, Depends(requires("enterprise", "apply_assessment"))]
Decider = Annotated[User, Depends(requires("enterprise.assessment", "decide"))]
ManagementEditor = Annotated[User, Depends(requires("enterprise", "manage_ip"))]
CandidateQuery = Annotated[CandidateFilters, Query()]


# ---- pages -------------------------------------------------------------------------------------------


@router.get("/enterprises/assessment", include_in_schema=False)
def programme_page(request: Request, db: Db, user: ProgrammeStaff, filters: CandidateQuery, page: PageNumber = 1):
    programme = service.programme(db, user, filters, page)
    return render(request, "enterprises/assessment.html", {
        "p": programme, "page": page, "pages": pages_for(programme.total), "offset": offset_of(page),
        "criteria": CRITERIA, "thresholds": THRESHOLDS, "districts": district_map(db), "filters": filters,
        "export_query": urlencode(filters.conditions()), "AssessmentLevel": AssessmentLevel,
        "AssessmentStatus": AssessmentStatus, "this_year": date.today().year,
        "message": {"applied": "已申报", "moved": "已更新评审状态"}.get(request.query_params.get("message", "")),
    }, db=db)


@router.get("/enterprises/assessment/export.xlsx", include_in_schema=False)
def candidates_export(db: Db, user: Assessor, filters: CandidateQuery):
    today = date.today()
    return download(service.candidates_workbook(db, user, filters, as_of=today),
                    f"assessment-candidates-{today}.xlsx", XLSX)


@router.post("/enterprises/assessment", include_in_schema=False)
def apply_form(request: Request, db: Db, user: Applicant,
               form: FormData = Depends(posted_form)):
    created = service.apply(db, user, form_model(AssessmentCreate, form))
    if policy.allows(user, "enterprise.assessment", "view"):  # the programme's staff go back to its page
        return RedirectResponse("/enterprises/assessment?message=applied", status_code=303)
    return RedirectResponse(f"/enterprises/{created.enterprise_id}?message=applied#assessment", status_code=303)


@router.post("/enterprises/assessment/{assessment_id}/{action}", include_in_schema=False)
def decide_form(request: Request, assessment_id: Id, action: AssessmentAction, db: Db, user: Decider,
                form: FormData = Depends(posted_form)):
    service.decide(db, user, assessment_id, action, form_model(AssessmentDecision, form))
    return RedirectResponse("/enterprises/assessment?message=moved#applications", status_code=303)


@router.post("/enterprises/{enterprise_id}/management", include_in_schema=False)
def management_form(request: Request, enterprise_id: Id, db: Db, user: ManagementEditor,
                    form: FormData = Depends(posted_form)):
    service.save_management(db, user, enterprise_id, form_model(ManagementUpdate, form))
    return RedirectResponse(f"/enterprises/{enterprise_id}?message=management#assessment", status_code=303)


# ---- JSON API ------------------------------------------------------------------------------------


@router.get("/api/enterprises/assessment/candidates", response_model=CandidatesRead, tags=TAGS)
def api_candidates(db: Db, user: Assessor, filters: CandidateQuery, page: PageNumber = 1):
    """Enterprises by score, highest first (district staff: their district's, whatever the filter says)."""
    scores = service.candidates(db, user, filters)
    shown = scores[offset_of(page): offset_of(page) + PAGE_SIZE]
    return CandidatesRead(total=len(scores), criteria=CRITERIA_READ, items=[ScoreRead.of(s) for s in shown])


@router.get("/api/enterprises/assessment/applications", response_model=list[AssessmentRead], tags=TAGS)
def api_applications(db: Db, user: ProgrammeStaff, year: Year | None = None, status: AssessmentStatus | None = None):
    return [AssessmentRead.of(a) for a in service.list_applications(db, user, year=year, status=status)]


@router.post("/api/enterprises/assessment/applications", response_model=AssessmentRead, status_code=201, tags=TAGS)
def api_apply(data: AssessmentCreate, db: Db, user: Applicant):
    return AssessmentRead.of(service.apply(db, user, data))


@router.post("/api/enterprises/assessment/applications/{assessment_id}/{action}", response_model=AssessmentRead,
             tags=TAGS)
def api_decide(assessment_id: Id, action: AssessmentAction, db: Db, user: Decider,
               decision: AssessmentDecision | None = None):
    """评审 (review), 认定 (confirm) or 不予认定 (reject, with a note); decided_on defaults to today."""
    return AssessmentRead.of(service.decide(db, user, assessment_id, action, decision or AssessmentDecision()))


@router.put("/api/enterprises/{enterprise_id}/management", response_model=ManagementRead, tags=TAGS)
def api_management(enterprise_id: Id, data: ManagementUpdate, db: Db, user: ManagementEditor):
    return ManagementRead.model_validate(service.save_management(db, user, enterprise_id, data))

"""Review queue pages (/screening) and JSON API (/api/screening). Thin: each route parses its input into the
schemas, makes one call to ``service`` (reading), ``flows`` (the review) or ``jobs`` (runs), and renders or
answers. Who may do what is the access policy's (``screening.case``, ``screening.run``); errors are the kernel's
(422 input, 404 missing or hidden, 403 role, 409 state), and a page re-shows its form with the message."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Offset, PageSize, ShortText
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import requires
from ipbureau.protection.screening import flows, jobs, service
from ipbureau.protection.screening.enums import CaseStatus, Handling, RunState, Sign
from ipbureau.protection.screening.schemas import (
    CaseDetail,
    CaseList,
    CaseRead,
    Decision,
    HandlingRecord,
    JobRead,
    QueueFilters,
    QueuePageFilters,
    RunCreate,
)
from ipbureau.protection.screening.scoring import WEIGHTS, Parameters
from ipbureau.web.downloads import download
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
TAGS: list[Any] = ["非正常专利申请筛查"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MESSAGES = {"confirm": "已认定为非正常专利申请", "clear": "已排除", "handle": "处理结果已登记"}


# ---- pages --------------------------------------------------------------------------------------------

def _queue(request: Request, db: Session, user: User, filters: QueueFilters, *, offset: int = 0,
           job: str | None = None, error: str | None = None, status_code: int = 200):
    return render(request, "screening/queue.html", {
        "page": service.queue_page(db, user, filters, offset=offset, job_id=job), "filters": filters,
        "offset": offset, "limit": service.PAGE_SIZE, "error": error, "signs": Sign, "statuses": CaseStatus,
        "Handling": Handling, "RunState": RunState, "params": Parameters(), "weights": WEIGHTS,
    }, db=db, status_code=status_code)


@router.get("/screening", include_in_schema=False)
def queue_page(request: Request, filters: Annotated[QueuePageFilters, Query()], offset: Offset = 0,
               job: ShortText | None = None, db: Session = Depends(get_db),
               user: User = Depends(requires("screening.case", "view"))):
    return _queue(request, db, user, filters, offset=offset, job=job)


@router.post("/screening/runs", include_in_schema=False)
def start_run_page(request: Request, db: Session = Depends(get_db),
                   user: User = Depends(requires("screening.run", "run")),
                   form: FormData = Depends(posted_form)):
    try:
        job = jobs.start_run(db, user, form_model(RunCreate, form))
    except DomainError as exc:
        return _queue(request, db, user, QueuePageFilters(), error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/screening?job={job.id}", status_code=303)


@router.get("/screening/export.xlsx", include_in_schema=False)
def export_page(filters: Annotated[QueueFilters, Query()], db: Session = Depends(get_db),
                user: User = Depends(requires("screening.case", "export"))):
    return download(service.export_workbook(db, user, filters), "screening-queue.xlsx", XLSX)


def _case(request: Request, db: Session, user: User, case_id: int, *, message: str | None = None,
          error: str | None = None, form: dict[str, Any] | None = None, status_code: int = 200):
    return render(request, "screening/case.html", {
        "page": service.case_page(db, user, case_id), "message": message, "error": error, "form": form or {},
        "CaseStatus": CaseStatus, "Handling": Handling, "Sign": Sign,
    }, db=db, status_code=status_code)


@router.get("/screening/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: Id, message: ShortText | None = None, db: Session = Depends(get_db),
              user: User = Depends(requires("screening.case", "view"))):
    return _case(request, db, user, case_id, message=MESSAGES.get(message or ""))


@router.post("/screening/{case_id}/decision", include_in_schema=False)
def decide_page(request: Request, case_id: Id, db: Session = Depends(get_db),
                user: User = Depends(requires("screening.case", "review")),
                form: FormData = Depends(posted_form)):
    try:
        decision = form_model(Decision, form)
        flows.decide_case(db, user, case_id, decision, ip_address=client_ip(request))
    except DomainError as exc:  # the form again, with the message (the unit of work rolls back)
        return _case(request, db, user, case_id, error=str(exc), form=dict(form), status_code=exc.status)
    return RedirectResponse(f"/screening/{case_id}?message={decision.decision}", status_code=303)


@router.post("/screening/{case_id}/handling", include_in_schema=False)
def handling_page(request: Request, case_id: Id, db: Session = Depends(get_db),
                  user: User = Depends(requires("screening.case", "handle")),
                  form: FormData = Depends(posted_form)):
    try:
        flows.record_case_handling(db, user, case_id, form_model(HandlingRecord, form), ip_address=client_ip(request))
    except DomainError as exc:
        return _case(request, db, user, case_id, error=str(exc), form=dict(form), status_code=exc.status)
    return RedirectResponse(f"/screening/{case_id}?message=handle", status_code=303)


# ---- API ------------------------------------------------------------------------------------------------

@router.get("/api/screening/cases", response_model=CaseList, tags=TAGS)
def api_cases(filters: Annotated[QueueFilters, Query()], offset: Offset = 0, limit: PageSize = service.PAGE_SIZE,
              db: Session = Depends(get_db), user: User = Depends(requires("screening.case", "view"))):
    return service.case_list(db, user, filters, offset=offset, limit=limit)


@router.get("/api/screening/cases/{case_id}", response_model=CaseDetail, tags=TAGS)
def api_case(case_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("screening.case", "view"))):
    return service.case_detail(db, user, case_id)


@router.post("/api/screening/cases/{case_id}/decision", response_model=CaseRead, tags=TAGS)
def api_decide(request: Request, case_id: Id, body: Decision, db: Session = Depends(get_db),
               user: User = Depends(requires("screening.case", "review"))):
    return CaseRead.of(flows.decide_case(db, user, case_id, body, ip_address=client_ip(request)))


@router.post("/api/screening/cases/{case_id}/handling", response_model=CaseRead, tags=TAGS)
def api_handling(request: Request, case_id: Id, body: HandlingRecord, db: Session = Depends(get_db),
                 user: User = Depends(requires("screening.case", "handle"))):
    return CaseRead.of(flows.record_case_handling(db, user, case_id, body, ip_address=client_ip(request)))


@router.post("/api/screening/runs", response_model=JobRead, status_code=202, tags=TAGS)
def api_start_run(body: RunCreate, db: Session = Depends(get_db), user: User = Depends(requires("screening.run", "run"))):
    return jobs.start_run(db, user, body)


@router.get("/api/screening/jobs/{job}", response_model=JobRead, tags=TAGS)
def api_job(job: ShortText, db: Session = Depends(get_db), user: User = Depends(requires("screening.run", "view"))):
    return jobs.job_of(db, user, job)

"""Enforcement pages (/enforcement) and JSON API (/api/enforcement). Thin: each route parses its input into the
schema, makes one service call and renders or returns it; page forms and the API share schemas and services."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Offset, PageSize, ShortText, Year
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import policy, requires
from ipbureau.protection import fields
from ipbureau.protection.enforcement import service, statistics
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.protection.enforcement.schemas import (
    CaseFilters,
    CaseIn,
    CaseList,
    CaseRead,
    CloseIn,
    StatsRead,
    TransferIn,
)
from ipbureau.protection.enforcement.workflows import RESOURCE
from ipbureau.web.downloads import download
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
TAGS = ["行政执法"]
PAGE_SIZE = 50
TEMPLATE_NAMES = {"CaseCategory": CaseCategory, "CaseStatus": CaseStatus}
MESSAGES = {"created": "案件已登记", "edit": "已保存", "close": "已结案", "transfer": "已移送司法机关"}
Message = Annotated[ShortText | None, Query()]
Dataset = Annotated[ShortText | None, Query(description="real 或 demo；默认为有真实数据时的真实数据")]

can_view = requires(RESOURCE, "view")
can_create = requires(RESOURCE, "create")
can_handle = requires(RESOURCE, "handle")


# ---- pages ---------------------------------------------------------------------------------------------

@router.get("/enforcement", include_in_schema=False)
def list_page(request: Request, filters: Annotated[CaseFilters, Query()], offset: Offset = 0,
              db: Session = Depends(get_db), user: User = Depends(can_view)):
    error, status_code = None, 200
    try:
        cases, total = service.list_cases(db, user, filters, offset=offset, limit=PAGE_SIZE)
    except DomainError as exc:
        cases, total, error, status_code = [], 0, str(exc), exc.status
    return render(request, "enforcement/list.html", {
        "cases": cases, "total": total, "offset": offset, "limit": PAGE_SIZE, "filters": filters, "error": error,
        "districts": fields.district_choices(db), "district_names": fields.district_names(db),
        "may_register": policy.allows(user, RESOURCE, "create"), **TEMPLATE_NAMES}, db=db, status_code=status_code)


def _edit_page(request: Request, db: Session, user: User, case: EnforcementCase | None, *, form: Any = None,
               error: str | None = None, status_code: int = 200):
    if form is None:
        form = ({"district_code": user.district_code or "", "opened_on": date.today().isoformat(),
                 "category": "trademark"} if case is None else {
            "category": case.category, "district_code": case.district_code, "enforcement_unit": case.enforcement_unit,
            "party_name": case.party_name, "party_credit_code": case.party_credit_code or "",
            "party_is_person": case.party_is_person, "summary": case.summary or "",
            "opened_on": case.opened_on.isoformat(), "amount_involved": str(case.amount_involved_yuan),
            "fines": str(case.fines_yuan)})
    return render(request, "enforcement/edit.html", {
        "case": case, "form": form, "error": error, "districts": fields.district_choices(db), **TEMPLATE_NAMES},
        db=db, status_code=status_code)


@router.get("/enforcement/new", include_in_schema=False)
def new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(can_create)):
    return _edit_page(request, db, user, None)


@router.post("/enforcement", include_in_schema=False)
def create_page(request: Request, db: Session = Depends(get_db), user: User = Depends(can_create),
                form: FormData = Depends(posted_form)):
    try:
        case = service.register(db, user, form_model(CaseIn, form), today=date.today(), ip_address=client_ip(request))
    except DomainError as exc:
        return _edit_page(request, db, user, None, form=form, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/enforcement/{case.id}?message=created", status_code=303)


@router.get("/enforcement/stats", include_in_schema=False)
def stats_page(request: Request, year: Year | None = None, dataset: Dataset = None, db: Session = Depends(get_db),
               user: User = Depends(can_view)):
    stats = statistics.year_statistics(db, user, year, dataset, today=date.today())
    return render(request, "enforcement/stats.html", {
        "stats": stats, "month_chart": statistics.month_chart(stats),
        "category_chart": statistics.category_chart(stats), "district_names": fields.district_names(db),
        **TEMPLATE_NAMES}, db=db)


@router.get("/enforcement/stats.xlsx", include_in_schema=False)
def stats_export(year: Year | None = None, dataset: Dataset = None, db: Session = Depends(get_db),
                 user: User = Depends(can_view)):
    stats = statistics.year_statistics(db, user, year, dataset, today=date.today())
    return download(statistics.export_workbook(db, user, stats), f"enforcement-{stats.year}.xlsx",
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _case_page(request: Request, db: Session, user: User, case_id: int, *, error: str | None = None,
               message: str | None = None, status_code: int = 200):
    case = service.get_case(db, user, case_id)
    return render(request, "enforcement/case.html", {
        "case": case, "actions": service.available_actions(db, user, case), "today": date.today(),
        "handler": db.get(User, case.handler_id) if case.handler_id else None,
        "district_names": fields.district_names(db), "error": error, "message": MESSAGES.get(message or ""),
        **TEMPLATE_NAMES}, db=db, status_code=status_code)


@router.get("/enforcement/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: Id, message: Message = None, db: Session = Depends(get_db),
              user: User = Depends(can_view)):
    return _case_page(request, db, user, case_id, message=message)


@router.get("/enforcement/{case_id}/edit", include_in_schema=False)
def edit_page(request: Request, case_id: Id, db: Session = Depends(get_db), user: User = Depends(can_handle)):
    return _edit_page(request, db, user, service.get_case(db, user, case_id))


@router.post("/enforcement/{case_id}/edit", include_in_schema=False)
def edit_submit(request: Request, case_id: Id, db: Session = Depends(get_db), user: User = Depends(can_handle),
                form: FormData = Depends(posted_form)):
    try:
        service.update(db, user, case_id, form_model(CaseIn, form), today=date.today(), ip_address=client_ip(request))
    except DomainError as exc:
        return _edit_page(request, db, user, service.get_case(db, user, case_id), form=form, error=str(exc),
                          status_code=exc.status)
    return RedirectResponse(f"/enforcement/{case_id}?message=edit", status_code=303)


@router.post("/enforcement/{case_id}/close", include_in_schema=False)
def close_page(request: Request, case_id: Id, db: Session = Depends(get_db), user: User = Depends(can_handle),
               form: FormData = Depends(posted_form)):
    try:
        service.close(db, user, case_id, form_model(CloseIn, form), today=date.today(),
                      ip_address=client_ip(request))
    except DomainError as exc:
        return _case_page(request, db, user, case_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/enforcement/{case_id}?message=close", status_code=303)


@router.post("/enforcement/{case_id}/transfer", include_in_schema=False)
def transfer_page(request: Request, case_id: Id, db: Session = Depends(get_db),
                  user: User = Depends(can_handle),
                  form: FormData = Depends(posted_form)):
    try:
        service.transfer(db, user, case_id, form_model(TransferIn, form), today=date.today(),
                         ip_address=client_ip(request))
    except DomainError as exc:
        return _case_page(request, db, user, case_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/enforcement/{case_id}?message=transfer", status_code=303)


# ---- JSON API ------------------------------------------------------------------------------------------

@router.get("/api/enforcement/cases", tags=TAGS, response_model=CaseList)
def api_list(filters: Annotated[CaseFilters, Query()], offset: Offset = 0, limit: PageSize = PAGE_SIZE,
             db: Session = Depends(get_db), user: User = Depends(can_view)):
    rows, total = service.list_cases(db, user, filters, offset=offset, limit=limit)
    return CaseList(total=total, items=rows)


@router.post("/api/enforcement/cases", status_code=201, tags=TAGS, response_model=CaseRead)
def api_create(request: Request, body: CaseIn, db: Session = Depends(get_db), user: User = Depends(can_create)):
    return service.register(db, user, body, today=date.today(), ip_address=client_ip(request))


@router.get("/api/enforcement/stats", tags=TAGS, response_model=StatsRead)
def api_stats(year: Year | None = None, dataset: Dataset = None, db: Session = Depends(get_db),
              user: User = Depends(can_view)):
    """Closed cases, amounts (万元), fines (万元) and transfers by category, district and month, live."""
    return StatsRead.of(statistics.year_statistics(db, user, year, dataset, today=date.today()))


@router.get("/api/enforcement/cases/{case_id}", tags=TAGS, response_model=CaseRead)
def api_case(case_id: Id, db: Session = Depends(get_db), user: User = Depends(can_view)):
    return service.get_case(db, user, case_id)


@router.put("/api/enforcement/cases/{case_id}", tags=TAGS, response_model=CaseRead)
def api_update(request: Request, case_id: Id, body: CaseIn, db: Session = Depends(get_db),
               user: User = Depends(can_handle)):
    return service.update(db, user, case_id, body, today=date.today(), ip_address=client_ip(request))


@router.post("/api/enforcement/cases/{case_id}/close", tags=TAGS, response_model=CaseRead)
def api_close(request: Request, case_id: Id, body: CloseIn, db: Session = Depends(get_db),
              user: User = Depends(can_handle)):
    """Close an open case: closed_on, penalty_decision_no, and the fines and amount involved if corrected."""
    return service.close(db, user, case_id, body, today=date.today(), ip_address=client_ip(request))


@router.post("/api/enforcement/cases/{case_id}/transfer", tags=TAGS, response_model=CaseRead)
def api_transfer(request: Request, case_id: Id, body: TransferIn, db: Session = Depends(get_db),
                 user: User = Depends(can_handle)):
    """Transfer the case to a judicial organ: transferred_on, organ."""
    return service.transfer(db, user, case_id, body, today=date.today(), ip_address=client_ip(request))

"""Enforcement pages (/enforcement) and JSON API (/api/enforcement). Thin: the rules live in service.py.

EnforcementError → 422 (the message names the field); TransitionError → 409; PermissionDenied → 403.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from functools import partial
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_roles
from ipbureau.core.uow import get_db
from ipbureau.protection.enforcement import service
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.web.templating import render
from ipbureau.web.errors import api_transaction, client_ip, status_for

router = Router()
TAGS = ["行政执法"]
require_reader = require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.ENFORCEMENT)
TEMPLATE_NAMES = {"CaseCategory": CaseCategory, "CaseStatus": CaseStatus, "yuan": service.format_yuan}
MESSAGES = {"created": "案件已登记", "edit": "已保存", "close": "已结案", "transfer": "已移送司法机关"}


_ip = client_ip
_status_for = partial(status_for, conflicts=service.TransitionError)
_api_transaction = partial(api_transaction, errors=service.EnforcementError, conflicts=service.TransitionError)


def _case_or_404(db: Session, case_id: int, user: User) -> EnforcementCase:
    case = db.get(EnforcementCase, case_id)
    if case is None or not service.can_view(db, user, case):
        raise HTTPException(status_code=404, detail="案件不存在或无权查看")
    return case


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_json(case: EnforcementCase) -> dict[str, Any]:
    return {
        "id": case.id, "case_no": case.case_no, "category": case.category,
        "category_label": CaseCategory(case.category).label, "status": case.status,
        "status_label": CaseStatus(case.status).label, "district_code": case.district_code,
        "enforcement_unit": case.enforcement_unit, "handler_id": case.handler_id,
        "party": {"name": case.party_name, "credit_code": case.party_credit_code, "is_person": case.party_is_person,
                  "enterprise_id": case.party_enterprise_id},
        "summary": case.summary, "opened_on": _iso(case.opened_on), "closed_on": _iso(case.closed_on),
        "amount_involved_yuan": float(case.amount_involved_yuan or 0), "fines_yuan": float(case.fines_yuan or 0),
        "penalty_decision_no": case.penalty_decision_no, "transferred": case.transferred,
        "transferred_on": _iso(case.transferred_on), "transferred_organ": case.transferred_organ,
        "dataset": case.dataset,
    }


def stats_json(stats: service.EnforcementStats) -> dict[str, Any]:
    def figures(f: service.Figures) -> dict[str, Any]:
        return {"closed": f.closed, "amount_involved_wan": f.amount_wan, "fines_wan": f.fines_wan,
                "transferred": f.transferred}

    return {"year": stats.year, "dataset": stats.dataset, "total": figures(stats.total),
            "by_category": [{"category": c, "label": CaseCategory(c).label, **figures(f)}
                            for c, f in stats.by_category.items()],
            "by_district": [{"district_code": d, **figures(f)} for d, f in stats.by_district.items()],
            "by_month": [{"month": m, **figures(f)} for m, f in stats.by_month.items()]}


def _form_input(form: dict[str, str]) -> service.CaseInput:
    enterprise_id = form.get("party_enterprise_id", "").strip()
    return service.CaseInput(category=form.get("category", ""), district_code=form.get("district_code"),
                             enforcement_unit=form.get("enforcement_unit"), party_name=form.get("party_name"),
                             opened_on=form.get("opened_on"), case_no=form.get("case_no"),
                             party_credit_code=form.get("party_credit_code"),
                             party_is_person=bool(form.get("party_is_person")),
                             party_enterprise_id=int(enterprise_id) if enterprise_id.isdigit() else None,
                             summary=form.get("summary"), amount_involved=form.get("amount_involved"),
                             fines=form.get("fines"))


async def _form(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}


# ---- pages ---------------------------------------------------------------------------------------------

@router.get("/enforcement", include_in_schema=False)
def list_page(request: Request, category: str | None = Query(None), status: str | None = Query(None),
              district: str | None = Query(None), year: str | None = Query(None), keyword: str | None = Query(None),
              offset: int = Query(0, ge=0), db: Session = Depends(get_db), user: User = Depends(require_reader)):
    filters = service.CaseFilters(category=category or None, status=status or None, district=district or None,
                                  year=int(year) if year and year.isdigit() else None,
                                  keyword=(keyword or "").strip() or None)
    error, status_code = None, 200
    try:
        cases, total = service.list_cases(db, user, filters, offset=offset, limit=50)
    except service.EnforcementError as exc:
        cases, total, error, status_code = [], 0, str(exc), 422
    return render(request, "enforcement/list.html", {
        "cases": cases, "total": total, "offset": offset, "filters": filters, "error": error,
        "districts": service.district_choices(db), "district_names": service.district_names(db),
        "may_register": service.may_register(user), **TEMPLATE_NAMES}, db=db, status_code=status_code)


def _edit_page(request: Request, db: Session, user: User, case: EnforcementCase | None, *,
               form: dict[str, Any] | None = None, error: str | None = None, status_code: int = 200):
    if form is None:
        form = ({"district_code": user.district_code or "", "opened_on": date.today().isoformat(),
                 "category": "trademark"} if case is None else {
            "case_no": case.case_no, "category": case.category, "district_code": case.district_code,
            "enforcement_unit": case.enforcement_unit, "party_name": case.party_name,
            "party_credit_code": case.party_credit_code or "", "party_is_person": case.party_is_person,
            "summary": case.summary or "", "opened_on": case.opened_on.isoformat(),
            "amount_involved": str(case.amount_involved_yuan), "fines": str(case.fines_yuan)})
    return render(request, "enforcement/edit.html", {
        "case": case, "form": form, "error": error, "districts": service.district_choices(db), **TEMPLATE_NAMES},
        db=db, status_code=status_code)


@router.get("/enforcement/new", include_in_schema=False)
def new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    return _edit_page(request, db, user, None)


@router.post("/enforcement", include_in_schema=False)
async def create_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    form = await _form(request)
    try:
        case = service.register(db, _form_input(form), actor=user, today=date.today(), ip_address=_ip(request))
        db.commit()
    except service.EnforcementError as exc:
        db.rollback()
        return _edit_page(request, db, user, None, form=form, error=str(exc), status_code=_status_for(exc))
    return RedirectResponse(f"/enforcement/{case.id}?message=created", status_code=303)


def _stats_context(db: Session, user: User, year: int | None, dataset: str | None) -> service.EnforcementStats:
    dataset = dataset if dataset in ("real", "demo") else service.default_dataset(db, user)
    return service.statistics(db, user, year or date.today().year, dataset=dataset)


@router.get("/enforcement/stats", include_in_schema=False)
def stats_page(request: Request, year: int | None = Query(None), dataset: str | None = Query(None),
               db: Session = Depends(get_db), user: User = Depends(require_reader)):
    stats = _stats_context(db, user, year, dataset)
    return render(request, "enforcement/stats.html", {
        "stats": stats, "month_chart": service.month_chart(stats), "category_chart": service.category_chart(stats),
        "district_names": service.district_names(db), **TEMPLATE_NAMES}, db=db)


@router.get("/enforcement/stats.xlsx", include_in_schema=False)
def stats_export(year: int | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
                 user: User = Depends(require_reader)):
    stats = _stats_context(db, user, year, dataset)
    data = service.export_workbook(db, user, stats)
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="enforcement-{stats.year}.xlsx"'})


def _case_page(request: Request, db: Session, user: User, case: EnforcementCase, *, error: str | None = None,
               status_code: int = 200):
    return render(request, "enforcement/case.html", {
        "case": case, "actions": service.available_actions(db, case, user), "today": date.today().isoformat(),
        "handler": db.get(User, case.handler_id) if case.handler_id else None,
        "district_names": service.district_names(db), "error": error,
        "message": MESSAGES.get(request.query_params.get("message", "")), **TEMPLATE_NAMES}, db=db,
        status_code=status_code)


@router.get("/enforcement/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    return _case_page(request, db, user, _case_or_404(db, case_id, user))


@router.get("/enforcement/{case_id}/edit", include_in_schema=False)
def edit_page(request: Request, case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    return _edit_page(request, db, user, _case_or_404(db, case_id, user))


def _act(db: Session, case: EnforcementCase, action: str, form: dict[str, Any], user: User, ip: str | None) -> None:
    today = date.today()
    if action == "edit":
        service.update(db, case, _form_input(form), actor=user, today=today, ip_address=ip)
    elif action == "close":
        service.close(db, case, actor=user, today=today, closed_on=form.get("closed_on"),
                      penalty_decision_no=form.get("penalty_decision_no"), fines=form.get("fines"),
                      amount_involved=form.get("amount_involved"), ip_address=ip)
    elif action == "transfer":
        service.transfer(db, case, actor=user, today=today, transferred_on=form.get("transferred_on"),
                         organ=form.get("organ"), ip_address=ip)
    else:
        raise HTTPException(status_code=404, detail="未知操作")


@router.post("/enforcement/{case_id}/{action}", include_in_schema=False)
async def case_action_page(request: Request, case_id: int, action: str, db: Session = Depends(get_db),
                           user: User = Depends(require_reader)):
    case = _case_or_404(db, case_id, user)
    form = await _form(request)
    try:
        _act(db, case, action, form, user, _ip(request))
        db.commit()
    except service.EnforcementError as exc:
        db.rollback()
        if action == "edit":
            return _edit_page(request, db, user, db.get(EnforcementCase, case_id), form=form, error=str(exc),
                              status_code=_status_for(exc))
        return _case_page(request, db, user, db.get(EnforcementCase, case_id), error=str(exc),
                          status_code=_status_for(exc))
    return RedirectResponse(f"/enforcement/{case_id}?message={action}", status_code=303)


# ---- JSON API ------------------------------------------------------------------------------------------

class CaseIn(BaseModel):
    category: str
    district_code: str | None = None
    enforcement_unit: str | None = None
    party_name: str | None = None
    opened_on: str | date | None = None
    case_no: str | None = None
    party_credit_code: str | None = None
    party_is_person: bool = False
    party_enterprise_id: int | None = None
    summary: str | None = None
    amount_involved_yuan: str | float | None = None
    fines_yuan: str | float | None = None
    handler_id: int | None = None

    def to_input(self) -> service.CaseInput:
        data = self.model_dump()
        data["amount_involved"], data["fines"] = data.pop("amount_involved_yuan"), data.pop("fines_yuan")
        return service.CaseInput(**data)


@router.get("/api/enforcement/cases", tags=TAGS)
def api_list(category: str | None = Query(None), status: str | None = Query(None), district: str | None = Query(None),
             year: int | None = Query(None), keyword: str | None = Query(None), offset: int = Query(0, ge=0),
             limit: int = Query(50, ge=1, le=200), db: Session = Depends(get_db), user: User = Depends(require_reader)):
    filters = service.CaseFilters(category=category, status=status, district=district, year=year, keyword=keyword)
    try:
        rows, total = service.list_cases(db, user, filters, offset=offset, limit=limit)
    except service.EnforcementError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return {"total": total, "items": [case_json(c) for c in rows]}


@router.post("/api/enforcement/cases", status_code=201, tags=TAGS)
def api_create(request: Request, body: CaseIn, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    with _api_transaction(db):
        case = service.register(db, body.to_input(), actor=user, today=date.today(), ip_address=_ip(request))
    return case_json(case)


@router.get("/api/enforcement/stats", tags=TAGS)
def api_stats(year: int | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
              user: User = Depends(require_reader)):
    """Closed cases, amounts (万元), fines (万元) and transfers by category, district and month, live."""
    return stats_json(_stats_context(db, user, year, dataset))


@router.get("/api/enforcement/cases/{case_id}", tags=TAGS)
def api_case(case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    return case_json(_case_or_404(db, case_id, user))


@router.put("/api/enforcement/cases/{case_id}", tags=TAGS)
def api_update(request: Request, case_id: int, body: CaseIn, db: Session = Depends(get_db),
               user: User = Depends(require_reader)):
    case = _case_or_404(db, case_id, user)
    with _api_transaction(db):
        service.update(db, case, body.to_input(), actor=user, today=date.today(), ip_address=_ip(request))
    return case_json(case)


@router.post("/api/enforcement/cases/{case_id}/{action}", tags=TAGS)
def api_action(request: Request, case_id: int, action: str, body: dict[str, Any] | None = None,
               db: Session = Depends(get_db), user: User = Depends(require_reader)):
    """close (closed_on, penalty_decision_no, fines, amount_involved) / transfer (transferred_on, organ)."""
    case = _case_or_404(db, case_id, user)
    if action not in ("close", "transfer"):
        raise HTTPException(status_code=404, detail="未知操作")
    with _api_transaction(db):
        _act(db, case, action, {k: v for k, v in (body or {}).items()}, user, _ip(request))
    return case_json(case)

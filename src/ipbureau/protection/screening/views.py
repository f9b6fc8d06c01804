"""Review queue pages (/screening) and JSON API (/api/screening). Thin: rules live in flows.py / service.py.

Domain errors map to 422 (bad input, the message names the field) and 409 (reviewing twice,
handling what was not confirmed); PermissionDenied is the app's 403.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied, district_scope, require_roles
from ipbureau.core.uow import get_db
from ipbureau.imports.readers import parse_date
from ipbureau.protection.screening import flows, jobs, service
from ipbureau.protection.screening.enums import CaseStatus, Handling, RunState, Sign
from ipbureau.protection.screening.models import ScreeningCase
from ipbureau.protection.screening.scoring import WEIGHTS, Parameters
from ipbureau.reference.models import District
from ipbureau.web.templating import render
from ipbureau.web.errors import client_ip

router = Router()
require_reviewer = require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF)
require_runner = require_roles(Role.ADMIN, Role.BUREAU_STAFF)
TAGS: list[Any] = ["非正常专利申请筛查"]
MESSAGES = {"confirm": "已认定为非正常专利申请", "clear": "已排除", "handle": "处理结果已登记"}


_ip = client_ip


def _float_or_none(text: str | None) -> float | None:
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None


def _filters(min_score: str | None, sign: str | None, district: str | None, agency: str | None,
             status: str | None) -> service.CaseFilters:
    return service.CaseFilters(min_score=_float_or_none(min_score),
                               sign=sign if sign in {s.value for s in Sign} else None,
                               district=district or None, agency=(agency or "").strip() or None,
                               status=status if status in {s.value for s in CaseStatus} else None)


def _case_or_error(db: Session, case_id: int, user: User) -> ScreeningCase:
    case = db.get(ScreeningCase, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail="审查案件不存在")
    flows.check_review(user, case)
    return case


def _day(value: str | None, field_name: str) -> date | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        raise flows.ScreeningError(field_name, f"日期“{value}”无法识别（如 2023-05-01）") from None


def _status_for(exc: flows.ScreeningError) -> int:
    return 409 if isinstance(exc, flows.TransitionError) else 422


# ---- JSON shapes -------------------------------------------------------------------------------------

def flag_json(flag) -> dict[str, Any]:
    return {"sign": flag.sign, "sign_label": Sign(flag.sign).label, "score": flag.score, "reason": flag.reason,
            "evidence": flag.evidence}


def case_json(case: ScreeningCase, flags: list | None = None) -> dict[str, Any]:
    patent = case.patent
    data = {
        "id": case.id, "patent_id": patent.id, "application_no": patent.application_no, "title": patent.title,
        "applicants": patent.applicant_names, "agency": patent.agency, "district_code": patent.district_code,
        "filing_date": patent.filing_date.isoformat() if patent.filing_date else None,
        "total_score": case.total_score, "signs": [s for s in case.signs.split(",") if s],
        "status": case.status, "status_label": CaseStatus(case.status).label,
        "decision_reason": case.decision_reason,
        "decided_at": case.decided_at.isoformat() if case.decided_at else None,
        "handling": case.handling, "handling_label": Handling(case.handling).label if case.handling else None,
        "handled_on": case.handled_on.isoformat() if case.handled_on else None,
    }
    if flags is not None:
        data["flags"] = [flag_json(f) for f in flags]
    return data


# ---- pages --------------------------------------------------------------------------------------------

@router.get("/screening", include_in_schema=False)
def queue_page(request: Request, min_score: str | None = None, sign: str | None = None, district: str | None = None,
               agency: str | None = None, status: str | None = "pending", offset: int = Query(0, ge=0),
               job: str | None = None, message: str | None = None, db: Session = Depends(get_db),
               user: User = Depends(require_reviewer)):
    filters = _filters(min_score, sign, district, agency, status)
    cases, total = service.list_cases(db, user, filters, offset=offset, limit=50)
    query = {k: v for k, v in {"min_score": min_score, "sign": sign, "district": district, "agency": agency,
                               "status": status}.items() if v}
    return render(request, "screening/queue.html", {
        "cases": cases, "total": total, "offset": offset, "filters": filters, "status": status or "",
        "query": urlencode(query), "counts": service.status_counts(db, user),
        "districts": db.execute(select(District.code, District.name).where(District.code.like("12%"))
                                .order_by(District.code)).all(),
        "district_locked": district_scope(user), "signs": Sign, "statuses": CaseStatus, "Handling": Handling,
        "RunState": RunState,
        "can_run": Role(user.role) in flows.RUN_ROLES, "runs": service.latest_runs(db),
        "job": jobs.get_job(job) if job else None, "params": Parameters(), "weights": WEIGHTS,
        "error": request.query_params.get("error"),
    }, db=db)


@router.post("/screening/runs", include_in_schema=False)
def start_run_page(filed_from: str = Form(""), filed_to: str = Form(""), dataset: str = Form("real"),
                   user: User = Depends(require_runner)):
    try:
        start, end = _day(filed_from, "申请日起"), _day(filed_to, "申请日止")
        if start and end and end < start:
            raise flows.ScreeningError("申请日范围", "结束日期不能早于开始日期")
    except flows.ScreeningError as exc:
        return RedirectResponse("/screening?" + urlencode({"error": str(exc)}), status_code=303)
    job = jobs.start_screening("demo" if dataset == "demo" else "real", start, end, user.id)
    return RedirectResponse(f"/screening?job={job.id}", status_code=303)


@router.get("/screening/export.xlsx", include_in_schema=False)
def export_page(min_score: str | None = None, sign: str | None = None, district: str | None = None,
                agency: str | None = None, status: str | None = None, db: Session = Depends(get_db),
                user: User = Depends(require_reviewer)):
    data = service.export_workbook(db, user, _filters(min_score, sign, district, agency, status))
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="screening-queue.xlsx"'})


def _case_page(request: Request, db: Session, user: User, case: ScreeningCase, *, error: str | None = None,
               status_code: int = 200, form: dict[str, str] | None = None):
    flags = service.flags_of(db, case.patent_id)
    district = db.get(District, case.patent.district_code) if case.patent.district_code else None
    return render(request, "screening/case.html", {
        "case": case, "patent": case.patent, "flags": flags, "pairs": service.duplicate_pairs(db, case.patent, flags),
        "district": district, "error": error, "form": form or {}, "message": MESSAGES.get(request.query_params.get("message", "")),
        "CaseStatus": CaseStatus, "Handling": Handling, "Sign": Sign,
    }, db=db, status_code=status_code)


@router.get("/screening/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reviewer)):
    return _case_page(request, db, user, _case_or_error(db, case_id, user))


@router.post("/screening/{case_id}/decision", include_in_schema=False)
def decide_page(request: Request, case_id: int, decision: str = Form(""), reason: str = Form(""),
                db: Session = Depends(get_db), user: User = Depends(require_reviewer)):
    case = _case_or_error(db, case_id, user)
    try:
        flows.decide(db, case, user, decision, reason, ip_address=_ip(request))
        db.commit()
    except flows.ScreeningError as exc:
        db.rollback()
        case = _case_or_error(db, case_id, user)
        return _case_page(request, db, user, case, error=str(exc), status_code=_status_for(exc),
                          form={"decision": decision, "reason": reason})
    return RedirectResponse(f"/screening/{case_id}?message={decision}", status_code=303)


@router.post("/screening/{case_id}/handling", include_in_schema=False)
def handling_page(request: Request, case_id: int, handling: str = Form(""), note: str = Form(""),
                  handled_on: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_reviewer)):
    case = _case_or_error(db, case_id, user)
    try:
        flows.record_handling(db, case, user, handling, note, handled_on=_day(handled_on, "处理完成日期"),
                              ip_address=_ip(request))
        db.commit()
    except flows.ScreeningError as exc:
        db.rollback()
        case = _case_or_error(db, case_id, user)
        return _case_page(request, db, user, case, error=str(exc), status_code=_status_for(exc),
                          form={"handling": handling, "note": note})
    return RedirectResponse(f"/screening/{case_id}?message=handle", status_code=303)


# ---- API ------------------------------------------------------------------------------------------------

class RunRequest(BaseModel):
    dataset: str = "real"
    filed_from: date | None = None
    filed_to: date | None = None


class DecisionRequest(BaseModel):
    decision: str
    reason: str = ""


class HandlingRequest(BaseModel):
    handling: str
    note: str | None = None
    handled_on: date | None = None


@router.get("/api/screening/cases", tags=TAGS)
def api_cases(min_score: str | None = None, sign: str | None = None, district: str | None = None,
              agency: str | None = None, status: str | None = None, offset: int = Query(0, ge=0),
              limit: int = Query(50, ge=1, le=500), db: Session = Depends(get_db),
              user: User = Depends(require_reviewer)):
    cases, total = service.list_cases(db, user, _filters(min_score, sign, district, agency, status),
                                      offset=offset, limit=limit)
    return {"total": total, "offset": offset, "items": [case_json(c) for c in cases]}


@router.get("/api/screening/cases/{case_id}", tags=TAGS)
def api_case(case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reviewer)):
    case = _case_or_error(db, case_id, user)
    return case_json(case, service.flags_of(db, case.patent_id))


@router.post("/api/screening/cases/{case_id}/decision", tags=TAGS)
def api_decide(request: Request, case_id: int, body: DecisionRequest, db: Session = Depends(get_db),
               user: User = Depends(require_reviewer)):
    case = _case_or_error(db, case_id, user)
    try:
        flows.decide(db, case, user, body.decision, body.reason, ip_address=_ip(request))
        db.commit()
    except flows.ScreeningError as exc:
        db.rollback()
        raise HTTPException(status_code=_status_for(exc), detail=str(exc)) from exc
    return case_json(case)


@router.post("/api/screening/cases/{case_id}/handling", tags=TAGS)
def api_handling(request: Request, case_id: int, body: HandlingRequest, db: Session = Depends(get_db),
                 user: User = Depends(require_reviewer)):
    case = _case_or_error(db, case_id, user)
    try:
        flows.record_handling(db, case, user, body.handling, body.note, handled_on=body.handled_on,
                              ip_address=_ip(request))
        db.commit()
    except flows.ScreeningError as exc:
        db.rollback()
        raise HTTPException(status_code=_status_for(exc), detail=str(exc)) from exc
    return case_json(case)


@router.post("/api/screening/runs", tags=TAGS, status_code=202)
def api_start_run(body: RunRequest, user: User = Depends(require_runner)):
    if body.filed_from and body.filed_to and body.filed_to < body.filed_from:
        raise HTTPException(status_code=422, detail="申请日范围：结束日期不能早于开始日期")
    job = jobs.start_screening("demo" if body.dataset == "demo" else "real", body.filed_from, body.filed_to, user.id)
    return job.as_dict()


@router.get("/api/screening/jobs/{job_id}", tags=TAGS)
def api_job(job_id: str, _user: User = Depends(require_runner)):
    job = jobs.get_job(job_id)
    if job is None:
        raise HTTPException(status_code=404, detail="筛查任务不存在")
    return job.as_dict()


__all__ = ["router", "PermissionDenied"]

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user, require_staff
from ipbureau.core.uow import get_db
from ipbureau.enterprises import assessment, flows, profile, service
from ipbureau.enterprises.enums import (
    KNOWN_TAGS,
    AssessmentLevel,
    AssessmentStatus,
    EntityKind,
)
from ipbureau.enterprises.models import (
    AdvantageAssessment,
    Enterprise,
    EnterpriseDetail,
    EnterprisePublic,
)
from ipbureau.reference.service import district_map
from ipbureau.web.templating import render

router = Router()
PAGE = 50


def _blank_to_none(value: str | None) -> str | None:
    return value.strip() or None if value else None


@router.get("/api/enterprises", tags=["企业"])
def api_list(q: str | None = None, district_code: str | None = None, tag: str | None = None, kind: str | None = None,
             page: int = Query(1, ge=1), db: Session = Depends(get_db), _user: User = Depends(current_user)):
    rows, total = service.list_enterprises(db, q=q, district_code=district_code, tag=tag, kind=kind,
                                           offset=(page - 1) * PAGE, limit=PAGE)
    return {"total": total, "items": [EnterprisePublic.model_validate(r).model_dump(mode="json") for r in rows]}


@router.get("/api/enterprises/{enterprise_id}", tags=["企业"])
def api_get(enterprise_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """Public fields for everyone signed in; contact details etc. only for staff and the enterprise itself."""
    enterprise = service.get(db, enterprise_id)
    if enterprise is None:
        raise HTTPException(status_code=404, detail="企业不存在")
    schema = EnterpriseDetail if service.can_view_private(user, enterprise) else EnterprisePublic
    return schema.model_validate(enterprise).model_dump(mode="json")


@router.get("/enterprises", include_in_schema=False)
def list_page(request: Request, q: str | None = None, district_code: str | None = None, tag: str | None = None,
              page: int = Query(1, ge=1), db: Session = Depends(get_db), _user: User = Depends(current_user)):
    q, district_code, tag = _blank_to_none(q), _blank_to_none(district_code), _blank_to_none(tag)
    rows, total = service.list_enterprises(db, q=q, district_code=district_code, tag=tag,
                                           offset=(page - 1) * PAGE, limit=PAGE)
    return render(request, "enterprises.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)),
        "districts": district_map(db), "tags": KNOWN_TAGS, "kinds": dict(EntityKind.choices()),
        "q": q or "", "district_code": district_code or "", "tag": tag or "",
    }, db=db)


# ---- 优势/示范企业培育: candidates by score, applications and decisions --------------------------------
# (declared before /enterprises/{enterprise_id}, which would otherwise take "assessment" as an id)


def _assessment_filters(user: User, district_code: str | None, chain: str | None, dataset: str | None,
                        q: str | None) -> dict[str, str | None]:
    from ipbureau.auth.permissions import district_scope

    return {"district_code": district_scope(user) or _blank_to_none(district_code), "chain": _blank_to_none(chain),
            "dataset": _blank_to_none(dataset), "q": _blank_to_none(q)}


def _score_json(s: assessment.EnterpriseScore) -> dict:
    return {"enterprise_id": s.enterprise_id, "name": s.name, "district_code": s.district_code,
            "industry_chain": s.industry_chain, "dataset": s.dataset, "total": s.total, "deduction": s.deduction,
            "level": s.level.value if s.level else None, "level_label": s.level.label if s.level else None,
            "criteria": [{"code": c.code, "label": c.label, "weight": c.weight, "value": s.values[c.code],
                          "points": s.points[c.code]} for c in assessment.CRITERIA],
            "penalties": s.penalties}


def _assessment_json(a: AdvantageAssessment) -> dict:
    return {"id": a.id, "enterprise_id": a.enterprise_id, "enterprise": a.enterprise.name, "year": a.year,
            "level": a.level, "level_label": AssessmentLevel(a.level).label, "status": a.status,
            "status_label": AssessmentStatus(a.status).label, "applied_on": a.applied_on.isoformat(),
            "score": a.score, "breakdown": a.breakdown, "decided_on": a.decided_on.isoformat() if a.decided_on else None,
            "note": a.note}


def _assessment_page(request: Request, db: Session, user: User, *, district_code: str | None, chain: str | None,
                     dataset: str | None, q: str | None, page: int, error: str | None = None, status_code: int = 200):
    filters = _assessment_filters(user, district_code, chain, dataset, q)
    scores = assessment.score_enterprises(db, **filters)
    total = len(scores)
    shown = scores[(page - 1) * PAGE: page * PAGE]
    levels = {level: sum(1 for s in scores if s.level == level) for level in AssessmentLevel}
    applications = flows.list_assessments(db, district_code=filters["district_code"])
    return render(request, "enterprises/assessment.html", {
        "scores": shown, "total": total, "page": page, "pages": max(1, -(-total // PAGE)), "offset": (page - 1) * PAGE,
        "criteria": assessment.CRITERIA, "thresholds": assessment.THRESHOLDS, "levels": levels,
        "applications": applications, "districts": district_map(db), "filters": filters,
        "district_locked": bool(district_scope_of(user)), "can_decide": Role(user.role) in (Role.ADMIN, Role.BUREAU_STAFF),
        "AssessmentLevel": AssessmentLevel, "AssessmentStatus": AssessmentStatus, "this_year": date.today().year,
        "query": urlencode({k: v for k, v in filters.items() if v}), "error": error,
        "message": {"applied": "已申报", "moved": "已更新评审状态"}.get(request.query_params.get("message", "")),
    }, db=db, status_code=status_code)


def district_scope_of(user: User) -> str | None:
    from ipbureau.auth.permissions import district_scope

    return district_scope(user)


@router.get("/enterprises/assessment", include_in_schema=False)
def assessment_page(request: Request, district_code: str | None = None, chain: str | None = None,
                    dataset: str | None = None, q: str | None = None, page: int = Query(1, ge=1),
                    db: Session = Depends(get_db), user: User = Depends(require_staff)):
    return _assessment_page(request, db, user, district_code=district_code, chain=chain, dataset=dataset, q=q, page=page)


@router.get("/enterprises/assessment/export.xlsx", include_in_schema=False)
def assessment_export(district_code: str | None = None, chain: str | None = None, dataset: str | None = None,
                      q: str | None = None, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    filters = _assessment_filters(user, district_code, chain, dataset, q)
    today = date.today()
    scores = assessment.score_enterprises(db, as_of=today, **filters)
    from ipbureau.web.templating import _chain_names

    data = assessment.export_workbook(scores, districts=district_map(db), chains=_chain_names(), as_of=today)
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="assessment-candidates-{today}.xlsx"'})


@router.post("/enterprises/assessment", include_in_schema=False)
def assessment_apply_form(request: Request, enterprise_id: str = Form(""), year: str = Form(""), level: str = Form(""),
                          note: str = Form(""), db: Session = Depends(get_db), user: User = Depends(current_user)):
    try:
        created = flows.apply_assessment(db, enterprise_id=enterprise_id, year=year, level=level, note=note, actor=user)
        db.commit()
    except flows.AssessmentError as exc:
        db.rollback()
        return render(request, "error.html", {"message": str(exc)}, db=db, status_code=422)
    if Role(user.role) == Role.ENTERPRISE:
        return RedirectResponse(f"/enterprises/{created.enterprise_id}?message=applied#assessment", status_code=303)
    return RedirectResponse("/enterprises/assessment?message=applied", status_code=303)


@router.post("/enterprises/assessment/{assessment_id}/{action}", include_in_schema=False)
def assessment_move_form(request: Request, assessment_id: int, action: str, note: str = Form(""),
                         decided_on: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    found = db.get(AdvantageAssessment, assessment_id)
    if found is None:
        raise HTTPException(status_code=404, detail="申报不存在")
    try:
        flows.move_assessment(db, found, action, actor=user, note=note, decided_on=decided_on)
        db.commit()
    except flows.AssessmentError as exc:
        db.rollback()
        status = 409 if isinstance(exc, flows.AssessmentTransitionError) else 422
        return render(request, "error.html", {"message": str(exc)}, db=db, status_code=status)
    return RedirectResponse("/enterprises/assessment?message=moved#applications", status_code=303)


@router.get("/api/enterprises/assessment/candidates", tags=["企业"])
def api_candidates(district_code: str | None = None, chain: str | None = None, dataset: str | None = None,
                   q: str | None = None, level: str | None = None, page: int = Query(1, ge=1),
                   db: Session = Depends(get_db), user: User = Depends(require_staff)):
    scores = assessment.score_enterprises(db, **_assessment_filters(user, district_code, chain, dataset, q))
    if level:
        scores = [s for s in scores if s.level and s.level.value == level]
    return {"total": len(scores), "criteria": [{"code": c.code, "label": c.label, "weight": c.weight,
                                                "saturation": c.saturation, "unit": c.unit} for c in assessment.CRITERIA],
            "items": [_score_json(s) for s in scores[(page - 1) * PAGE: page * PAGE]]}


@router.get("/api/enterprises/assessment/applications", tags=["企业"])
def api_applications(year: int | None = None, status: str | None = None, db: Session = Depends(get_db),
                     user: User = Depends(require_staff)):
    return [_assessment_json(a) for a in flows.list_assessments(db, year=year, status=status,
                                                                district_code=district_scope_of(user))]


@router.post("/api/enterprises/assessment/applications", tags=["企业"], status_code=201)
def api_apply(payload: dict = Body(...), db: Session = Depends(get_db), user: User = Depends(current_user)):
    try:
        created = flows.apply_assessment(db, enterprise_id=payload.get("enterprise_id"), year=payload.get("year"),
                                         level=payload.get("level"), note=payload.get("note"), actor=user)
        db.commit()
    except flows.AssessmentError as exc:
        db.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return _assessment_json(created)


@router.post("/api/enterprises/assessment/applications/{assessment_id}/{action}", tags=["企业"])
def api_move(assessment_id: int, action: str, payload: dict | None = Body(None), db: Session = Depends(get_db),
             user: User = Depends(require_staff)):
    found = db.get(AdvantageAssessment, assessment_id)
    if found is None:
        raise HTTPException(status_code=404, detail="申报不存在")
    payload = payload or {}
    try:
        flows.move_assessment(db, found, action, actor=user, note=payload.get("note"),
                              decided_on=payload.get("decided_on"))
        db.commit()
    except flows.AssessmentError as exc:
        db.rollback()
        raise HTTPException(status_code=409 if isinstance(exc, flows.AssessmentTransitionError) else 422,
                            detail=str(exc)) from exc
    return _assessment_json(found)


# ---- one enterprise's profile ------------------------------------------------------------------------


def _enterprise_or_404(db: Session, enterprise_id: int) -> Enterprise:
    enterprise = service.get(db, enterprise_id)
    if enterprise is None:
        raise HTTPException(status_code=404, detail="企业不存在")
    return enterprise


def _cell(value: object) -> object:
    if isinstance(value, tuple):
        return {"text": str(value[0]), "href": value[1]}
    if isinstance(value, (date,)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


@router.get("/api/enterprises/{enterprise_id}/profile", tags=["企业"])
def api_profile(enterprise_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    """The profile's sections; non-public ones (deals, cases, services, score) for staff and the enterprise only."""
    enterprise = _enterprise_or_404(db, enterprise_id)
    private = service.can_view_private(user, enterprise)
    schema = EnterpriseDetail if private else EnterprisePublic
    score = assessment.score_of(db, enterprise.id) if private else None
    return {
        "enterprise": schema.model_validate(enterprise).model_dump(mode="json"),
        "sections": [{"key": s.key, "title": s.title, "figures": [[k, _cell(v)] for k, v in s.figures],
                      "headers": s.headers, "rows": [[_cell(c) for c in r] for r in s.rows]}
                     for s in profile.sections(db, enterprise, private=private)],
        "score": _score_json(score) if score else None,
        "assessments": [_assessment_json(a) for a in flows.list_assessments(db, enterprise_id=enterprise.id)]
        if private else [],
    }


@router.put("/api/enterprises/{enterprise_id}/management", tags=["企业"])
def api_management(enterprise_id: int, payload: dict = Body(...), db: Session = Depends(get_db),
                   user: User = Depends(current_user)):
    enterprise = _enterprise_or_404(db, enterprise_id)
    _require_management_editor(user, enterprise)
    try:
        record = profile.save_management(db, enterprise, payload, actor=user)
        db.commit()
    except ValueError as exc:
        db.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return {"ip_staff": record.ip_staff, "has_ip_department": record.has_ip_department,
            "standard_certified": record.standard_certified, "has_ip_policy": record.has_ip_policy}


def _require_management_editor(user: User, enterprise: Enterprise) -> None:
    from ipbureau.auth.permissions import PermissionDenied

    if Role(user.role) not in (Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.ENTERPRISE) \
            or not service.can_view_private(user, enterprise):
        raise PermissionDenied("只有工作人员和企业本身可以填写知识产权管理情况")


@router.post("/enterprises/{enterprise_id}/management", include_in_schema=False)
async def management_form(request: Request, enterprise_id: int, db: Session = Depends(get_db),
                          user: User = Depends(current_user)):
    enterprise = _enterprise_or_404(db, enterprise_id)
    _require_management_editor(user, enterprise)
    form = await request.form()
    try:
        profile.save_management(db, enterprise, dict(form), actor=user)
        db.commit()
    except ValueError as exc:
        db.rollback()
        return render(request, "error.html", {"message": str(exc)}, db=db, status_code=422)
    return RedirectResponse(f"/enterprises/{enterprise_id}?message=management#assessment", status_code=303)


@router.get("/enterprises/{enterprise_id}", include_in_schema=False)
def detail_page(request: Request, enterprise_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    enterprise = _enterprise_or_404(db, enterprise_id)
    private = service.can_view_private(user, enterprise)
    score = assessment.score_of(db, enterprise.id) if private else None
    return render(request, "enterprise.html", {
        "e": enterprise, "private": private, "counts": service.record_counts(db, enterprise),
        "districts": district_map(db), "kinds": dict(EntityKind.choices()),
        "sections": profile.sections(db, enterprise, private=private), "score": score,
        "criteria": assessment.CRITERIA, "management": profile.management_of(db, enterprise) if private else None,
        "assessments": flows.list_assessments(db, enterprise_id=enterprise.id) if private else [],
        "can_apply": private and Role(user.role) in (Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.ENTERPRISE),
        "AssessmentLevel": AssessmentLevel, "AssessmentStatus": AssessmentStatus, "this_year": date.today().year,
        "message": {"applied": "已提交申报", "management": "知识产权管理情况已保存"}.get(
            request.query_params.get("message", "")),
    }, db=db)

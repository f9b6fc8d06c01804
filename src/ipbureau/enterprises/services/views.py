"""Enterprise services pages (/services) and JSON API (/api/services). Thin: the rules live in service.py.

ServiceError → 422 with the message naming the field; PermissionDenied → the app's 403.
Staff only (city staff: all; district staff: their district's enterprises and trainings).
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from functools import partial
from datetime import date
from typing import Any

from fastapi import (
    APIRouter,
    Body,
    Depends,
    File,
    Form,
    HTTPException,
    Query,
    Request,
    UploadFile,
)
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_staff
from ipbureau.core.uow import get_db
from ipbureau.enterprises.services import service
from ipbureau.enterprises.services.enums import TrainingMode
from ipbureau.enterprises.services.models import FeeReduction, ServiceVisit, Training
from ipbureau.reference.service import district_map
from ipbureau.stats import charts
from ipbureau.web.templating import render
from ipbureau.web.errors import api_transaction

router = Router()
PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MESSAGES = {"saved": "已保存", "deleted": "已删除", "team": "服务队已保存", "imported": "导入完成"}


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


_api_transaction = partial(api_transaction, errors=service.ServiceError)


def _year(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _visit_json(v: ServiceVisit) -> dict[str, Any]:
    return {"id": v.id, "team": {"id": v.team.id, "name": v.team.name},
            "enterprise": {"id": v.enterprise.id, "name": v.enterprise.name, "district_code": v.enterprise.district_code},
            "visited_on": v.visited_on.isoformat(), "staff_count": v.staff_count, "problems_raised": v.problems_raised,
            "problems_solved": v.problems_solved, "topics": v.topics, "follow_up": v.follow_up}


def _training_json(t: Training) -> dict[str, Any]:
    return {"id": t.id, "title": t.title, "held_on": t.held_on.isoformat(), "organiser": t.organiser, "mode": t.mode,
            "district_code": t.district_code, "total_participants": t.total_participants, "note": t.note,
            "dataset": t.dataset,
            "participants": [{"enterprise_id": a.enterprise_id, "name": a.enterprise.name, "headcount": a.headcount}
                             for a in t.attendances]}


def _fee_json(f: FeeReduction) -> dict[str, Any]:
    return {"id": f.id, "enterprise": {"id": f.enterprise.id, "name": f.enterprise.name,
                                       "district_code": f.enterprise.district_code},
            "year": f.year, "recorded_on": f.recorded_on.isoformat(), "amount_yuan": float(f.amount_yuan),
            "patents_count": f.patents_count, "note": f.note}


def _common(db: Session) -> dict[str, Any]:
    return {"districts": district_map(db), "teams": service.list_teams(db), "modes": TrainingMode.choices(),
            "this_year": date.today().year}


# ---- overview ------------------------------------------------------------------------------------


def summary(db: Session, user: User, year: int) -> dict[str, Any]:
    visits = service.visit_totals(db, user, service.VisitFilters(year=year))
    trainings = service.training_totals(db, user, year=year)
    fees = service.fee_totals(db, user, year=year)
    return {"year": year, "visits": visits, "trainings": trainings,
            "fees": {**fees, "amount_wan": round(float(fees["amount_yuan"]) / 10000, 2)}}


def _monthly_chart(db: Session, user: User, year: int) -> str:
    month = func.extract("month", ServiceVisit.visited_on)
    query = service._visits_query(user, service.VisitFilters(year=year)).with_only_columns(
        month, func.count()).group_by(month)
    counts = {int(m): n for m, n in db.execute(query)}
    return charts.column_chart([f"{m}月" for m in range(1, 13)], [counts.get(m, 0) for m in range(1, 13)],
                               title=f"{year}年各月走访次数")


@router.get("/services", include_in_schema=False)
def overview_page(request: Request, year: str | None = Query(None), db: Session = Depends(get_db),
                  user: User = Depends(require_staff)):
    chosen = _year(year) or date.today().year
    years = list(range(chosen - 2, chosen + 1))
    rows = [summary(db, user, y) for y in years]
    teams = service.list_teams(db)
    team_counts = dict(db.execute(service._visits_query(user, service.VisitFilters(year=chosen)).with_only_columns(
        ServiceVisit.team_id, func.count()).group_by(ServiceVisit.team_id)).all())
    team_chart = charts.bar_ranking([t.name for t in teams], [team_counts.get(t.id, 0) for t in teams],
                                    title=f"{chosen}年各服务队走访次数") if teams else ""
    return render(request, "services/index.html", {
        **_common(db), "year": chosen, "rows": rows, "current": rows[-1], "team_counts": team_counts,
        "month_chart": _monthly_chart(db, user, chosen), "team_chart": team_chart,
        "can_edit_teams": service.role_of(user) in service.CITY_ROLES,
        "message": MESSAGES.get(request.query_params.get("message", "")), "error": None,
    }, db=db)


@router.post("/services/teams", include_in_schema=False)
def team_create(request: Request, name: str = Form(""), leader: str = Form(""), department: str = Form(""),
                db: Session = Depends(get_db), user: User = Depends(require_staff)):
    try:
        service.save_team(db, {"name": name, "leader": leader, "department": department}, actor=user)
        db.commit()
    except service.ServiceError as exc:
        db.rollback()
        return render(request, "error.html", {"message": str(exc)}, db=db, status_code=422)
    return RedirectResponse("/services?message=team", status_code=303)


# ---- visits --------------------------------------------------------------------------------------


def _visits_page(request: Request, db: Session, user: User, *, year: int | None, team_id: int | None,
                 district_code: str | None, page: int, form: dict[str, Any] | None = None, error: str | None = None,
                 edit: ServiceVisit | None = None, status_code: int = 200):
    filters = service.VisitFilters(year=year, team_id=team_id, district_code=district_code)
    rows, total = service.list_visits(db, user, filters, offset=(page - 1) * PAGE, limit=PAGE)
    if form is None and edit is not None:
        form = {"team_id": str(edit.team_id), "enterprise": edit.enterprise.name, "visited_on": edit.visited_on.isoformat(),
                "staff_count": edit.staff_count, "problems_raised": edit.problems_raised,
                "problems_solved": edit.problems_solved, "topics": edit.topics or "", "follow_up": edit.follow_up or ""}
    return render(request, "services/visits.html", {
        **_common(db), "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)),
        "totals": service.visit_totals(db, user, filters), "year": year or "", "team_id": team_id or "",
        "district_code": district_code or "", "form": form or {}, "error": error, "edit": edit,
        "district_locked": service.district_of_user(user),
        "message": MESSAGES.get(request.query_params.get("message", "")),
    }, db=db, status_code=status_code)


@router.get("/services/visits", include_in_schema=False)
def visits_page(request: Request, year: str | None = Query(None), team_id: str | None = Query(None),
                district_code: str | None = Query(None), edit: int | None = Query(None), page: int = Query(1, ge=1),
                db: Session = Depends(get_db), user: User = Depends(require_staff)):
    visit = _visit_or_404(db, user, edit) if edit else None
    return _visits_page(request, db, user, year=_year(year), team_id=_year(team_id),
                        district_code=(district_code or None), page=page, edit=visit)


def _visit_or_404(db: Session, user: User, visit_id: int) -> ServiceVisit:
    visit = db.get(ServiceVisit, visit_id)
    if visit is None or not service.can_view_enterprise_services(user, visit.enterprise):
        raise HTTPException(status_code=404, detail="走访记录不存在")
    return visit


VISIT_FORM = ("team_id", "enterprise", "visited_on", "staff_count", "problems_raised", "problems_solved", "topics",
              "follow_up")


async def _form(request: Request, names: tuple[str, ...]) -> dict[str, Any]:
    form = await request.form()
    return {name: str(form.get(name) or "") for name in names}


@router.post("/services/visits", include_in_schema=False)
async def visit_create(request: Request, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    form = await _form(request, VISIT_FORM)
    try:
        service.save_visit(db, form, actor=user)
        db.commit()
    except service.ServiceError as exc:
        db.rollback()
        return _visits_page(request, db, user, year=None, team_id=None, district_code=None, page=1, form=form,
                            error=str(exc), status_code=422)
    return RedirectResponse("/services/visits?message=saved", status_code=303)


@router.post("/services/visits/{visit_id}", include_in_schema=False)
async def visit_update(request: Request, visit_id: int, db: Session = Depends(get_db),
                       user: User = Depends(require_staff)):
    visit = _visit_or_404(db, user, visit_id)
    form = await _form(request, VISIT_FORM)
    try:
        service.save_visit(db, form, actor=user, visit=visit)
        db.commit()
    except service.ServiceError as exc:
        db.rollback()
        return _visits_page(request, db, user, year=None, team_id=None, district_code=None, page=1, form=form,
                            error=str(exc), edit=visit, status_code=422)
    return RedirectResponse("/services/visits?message=saved", status_code=303)


@router.post("/services/visits/{visit_id}/delete", include_in_schema=False)
def visit_delete(visit_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    service.delete_visit(db, _visit_or_404(db, user, visit_id), actor=user)
    db.commit()
    return RedirectResponse("/services/visits?message=deleted", status_code=303)


@router.get("/services/visits/export.xlsx", include_in_schema=False)
def visits_export(year: str | None = Query(None), team_id: str | None = Query(None),
                  district_code: str | None = Query(None), db: Session = Depends(get_db),
                  user: User = Depends(require_staff)):
    filters = service.VisitFilters(year=_year(year), team_id=_year(team_id), district_code=district_code or None)
    rows, _ = service.list_visits(db, user, filters, limit=None)
    districts = district_map(db)
    data = service.workbook("服务走访", ["走访日期", "服务队", "企业", "统一社会信用代码", "所属区", "服务人员数",
                                       "提出问题数", "解决问题数", "走访内容", "后续跟进"],
                            [[v.visited_on, v.team.name, v.enterprise.name, v.enterprise.credit_code,
                              districts.get(v.enterprise.district_code or "", ""), v.staff_count, v.problems_raised,
                              v.problems_solved, v.topics, v.follow_up] for v in rows])
    return _xlsx(data, f"service-visits-{year or 'all'}.xlsx")


# ---- trainings -----------------------------------------------------------------------------------


def _participants_text(training: Training) -> str:
    return "\n".join(f"{a.enterprise.name}, {a.headcount}" for a in training.attendances)


def _trainings_page(request: Request, db: Session, user: User, *, year: int | None, page: int,
                    form: dict[str, Any] | None = None, error: str | None = None, status_code: int = 200):
    rows, total = service.list_trainings(db, user, year=year, offset=(page - 1) * PAGE, limit=PAGE)
    return render(request, "services/trainings.html", {
        **_common(db), "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)),
        "totals": service.training_totals(db, user, year=year), "year": year or "", "form": form or {"mode": "offline"},
        "error": error, "district_locked": service.district_of_user(user),
        "message": MESSAGES.get(request.query_params.get("message", "")),
    }, db=db, status_code=status_code)


@router.get("/services/trainings", include_in_schema=False)
def trainings_page(request: Request, year: str | None = Query(None), page: int = Query(1, ge=1),
                   db: Session = Depends(get_db), user: User = Depends(require_staff)):
    return _trainings_page(request, db, user, year=_year(year), page=page)


TRAINING_FORM = ("title", "held_on", "organiser", "mode", "district_code", "total_participants", "participants", "note")


@router.post("/services/trainings", include_in_schema=False)
async def training_create(request: Request, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    form = await _form(request, TRAINING_FORM)
    try:
        training = service.save_training(db, form, actor=user)
        db.commit()
    except service.ServiceError as exc:
        db.rollback()
        return _trainings_page(request, db, user, year=None, page=1, form=form, error=str(exc), status_code=422)
    return RedirectResponse(f"/services/trainings/{training.id}?message=saved", status_code=303)


@router.get("/services/trainings/export.xlsx", include_in_schema=False)
def trainings_export(year: str | None = Query(None), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    rows, _ = service.list_trainings(db, user, year=_year(year), limit=None)
    districts = district_map(db)
    data = service.workbook("培训与活动", ["举办日期", "培训名称", "主办单位", "主办区", "形式", "参训企业数", "参训总人次",
                                        "参训企业（人数）"],
                            [[t.held_on, t.title, t.organiser, districts.get(t.district_code or "", "市局"),
                              TrainingMode(t.mode).label, len(t.attendances), t.total_participants,
                              "；".join(f"{a.enterprise.name}（{a.headcount}）" for a in t.attendances)] for t in rows])
    return _xlsx(data, f"service-trainings-{year or 'all'}.xlsx")


def _training_or_404(db: Session, user: User, training_id: int) -> Training:
    training = db.get(Training, training_id)
    if training is None or not service.can_view_training(user, training):
        raise HTTPException(status_code=404, detail="培训不存在")
    return training


def _training_page(request: Request, db: Session, user: User, training: Training, *, form: dict | None = None,
                   error: str | None = None, status_code: int = 200):
    if form is None:
        form = {"title": training.title, "held_on": training.held_on.isoformat(), "organiser": training.organiser,
                "mode": training.mode, "district_code": training.district_code or "",
                "total_participants": training.total_participants, "participants": _participants_text(training),
                "note": training.note or ""}
    return render(request, "services/training.html", {
        **_common(db), "t": training, "form": form, "error": error, "district_locked": service.district_of_user(user),
        "message": MESSAGES.get(request.query_params.get("message", "")),
    }, db=db, status_code=status_code)


@router.get("/services/trainings/{training_id}", include_in_schema=False)
def training_page(request: Request, training_id: int, db: Session = Depends(get_db),
                  user: User = Depends(require_staff)):
    return _training_page(request, db, user, _training_or_404(db, user, training_id))


@router.post("/services/trainings/{training_id}", include_in_schema=False)
async def training_update(request: Request, training_id: int, db: Session = Depends(get_db),
                          user: User = Depends(require_staff)):
    training = _training_or_404(db, user, training_id)
    form = await _form(request, TRAINING_FORM)
    try:
        service.save_training(db, form, actor=user, training=training)
        db.commit()
    except service.ServiceError as exc:
        db.rollback()
        return _training_page(request, db, user, training, form=form, error=str(exc), status_code=422)
    return RedirectResponse(f"/services/trainings/{training_id}?message=saved", status_code=303)


@router.post("/services/trainings/{training_id}/delete", include_in_schema=False)
def training_delete(training_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    service.delete_training(db, _training_or_404(db, user, training_id), actor=user)
    db.commit()
    return RedirectResponse("/services/trainings?message=deleted", status_code=303)


# ---- fee reductions ------------------------------------------------------------------------------

FEE_FORM = ("enterprise", "year", "recorded_on", "amount_yuan", "patents_count", "note")


def _fees_page(request: Request, db: Session, user: User, *, year: int | None, page: int,
               form: dict[str, Any] | None = None, error: str | None = None, problems: list | None = None,
               status_code: int = 200):
    rows, total = service.list_fee_reductions(db, user, year=year, offset=(page - 1) * PAGE, limit=PAGE)
    totals = service.fee_totals(db, user, year=year)
    return render(request, "services/fees.html", {
        **_common(db), "rows": rows, "total": total, "page": page, "pages": max(1, -(-total // PAGE)),
        "totals": totals, "amount_wan": round(float(totals["amount_yuan"]) / 10000, 2), "year": year or "",
        "form": form or {}, "error": error, "problems": problems or [],
        "message": MESSAGES.get(request.query_params.get("message", "")),
    }, db=db, status_code=status_code)


@router.get("/services/fees", include_in_schema=False)
def fees_page(request: Request, year: str | None = Query(None), page: int = Query(1, ge=1),
              db: Session = Depends(get_db), user: User = Depends(require_staff)):
    return _fees_page(request, db, user, year=_year(year), page=page)


@router.post("/services/fees", include_in_schema=False)
async def fee_create(request: Request, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    form = await _form(request, FEE_FORM)
    try:
        service.save_fee_reduction(db, form, actor=user)
        db.commit()
    except service.ServiceError as exc:
        db.rollback()
        return _fees_page(request, db, user, year=None, page=1, form=form, error=str(exc), status_code=422)
    return RedirectResponse("/services/fees?message=saved", status_code=303)


@router.post("/services/fees/import", include_in_schema=False)
async def fee_import(request: Request, file: UploadFile = File(...), db: Session = Depends(get_db),
                     user: User = Depends(require_staff)):
    from ipbureau.enterprises.services.imports import (
        FeeImportFailed,
        import_fee_reductions,
    )

    data = await file.read()
    try:
        result = import_fee_reductions(db, data, file.filename or "upload.xlsx", actor=user)
    except FeeImportFailed as exc:
        return _fees_page(request, db, user, year=None, page=1, error=exc.message, problems=exc.problems,
                          status_code=422)
    return RedirectResponse(f"/services/fees?message=imported&inserted={result.inserted}&updated={result.updated}",
                            status_code=303)


@router.post("/services/fees/{record_id}/delete", include_in_schema=False)
def fee_delete(record_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    record = _fee_or_404(db, user, record_id)
    service.delete_fee_reduction(db, record, actor=user)
    db.commit()
    return RedirectResponse("/services/fees?message=deleted", status_code=303)


def _fee_or_404(db: Session, user: User, record_id: int) -> FeeReduction:
    record = db.get(FeeReduction, record_id)
    if record is None or not service.can_view_enterprise_services(user, record.enterprise):
        raise HTTPException(status_code=404, detail="减缴记录不存在")
    return record


@router.get("/services/fees/export.xlsx", include_in_schema=False)
def fees_export(year: str | None = Query(None), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    rows, _ = service.list_fee_reductions(db, user, year=_year(year), limit=None)
    districts = district_map(db)
    data = service.workbook("专利费用减缴", ["年度", "企业名称", "统一社会信用代码", "所属区", "备案日期", "减缴金额（元）",
                                          "减缴专利件数", "备注"],
                            [[f.year, f.enterprise.name, f.enterprise.credit_code,
                              districts.get(f.enterprise.district_code or "", ""), f.recorded_on, float(f.amount_yuan),
                              f.patents_count, f.note] for f in rows])
    return _xlsx(data, f"fee-reductions-{year or 'all'}.xlsx")


# ---- JSON API ------------------------------------------------------------------------------------


@router.get("/api/services/summary", tags=["企业服务"])
def api_summary(year: int = Query(default_factory=lambda: date.today().year, ge=2000, le=2100),
                db: Session = Depends(get_db), user: User = Depends(require_staff)):
    data = summary(db, user, year)
    data["fees"]["amount_yuan"] = float(data["fees"]["amount_yuan"])
    return data


@router.get("/api/services/teams", tags=["企业服务"])
def api_teams(db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    return [{"id": t.id, "name": t.name, "leader": t.leader, "department": t.department} for t in service.list_teams(db)]


@router.post("/api/services/teams", tags=["企业服务"], status_code=201)
def api_team_create(payload: dict = Body(...), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        team = service.save_team(db, payload, actor=user)
    return {"id": team.id, "name": team.name, "leader": team.leader, "department": team.department}


@router.get("/api/services/visits", tags=["企业服务"])
def api_visits(year: int | None = None, team_id: int | None = None, district_code: str | None = None,
               enterprise_id: int | None = None, page: int = Query(1, ge=1), db: Session = Depends(get_db),
               user: User = Depends(require_staff)):
    filters = service.VisitFilters(year=year, team_id=team_id, district_code=district_code, enterprise_id=enterprise_id)
    rows, total = service.list_visits(db, user, filters, offset=(page - 1) * PAGE, limit=PAGE)
    return {"total": total, "items": [_visit_json(v) for v in rows]}


@router.post("/api/services/visits", tags=["企业服务"], status_code=201)
def api_visit_create(payload: dict = Body(...), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        visit = service.save_visit(db, payload, actor=user)
    return _visit_json(visit)


@router.put("/api/services/visits/{visit_id}", tags=["企业服务"])
def api_visit_update(visit_id: int, payload: dict = Body(...), db: Session = Depends(get_db),
                     user: User = Depends(require_staff)):
    visit = _visit_or_404(db, user, visit_id)
    with _api_transaction(db):
        service.save_visit(db, payload, actor=user, visit=visit)
    return _visit_json(visit)


@router.delete("/api/services/visits/{visit_id}", tags=["企业服务"], status_code=204)
def api_visit_delete(visit_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        service.delete_visit(db, _visit_or_404(db, user, visit_id), actor=user)
    return Response(status_code=204)


@router.get("/api/services/trainings", tags=["企业服务"])
def api_trainings(year: int | None = None, page: int = Query(1, ge=1), db: Session = Depends(get_db),
                  user: User = Depends(require_staff)):
    rows, total = service.list_trainings(db, user, year=year, offset=(page - 1) * PAGE, limit=PAGE)
    return {"total": total, "items": [_training_json(t) for t in rows]}


@router.post("/api/services/trainings", tags=["企业服务"], status_code=201)
def api_training_create(payload: dict = Body(...), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        training = service.save_training(db, payload, actor=user)
    return _training_json(training)


@router.get("/api/services/trainings/{training_id}", tags=["企业服务"])
def api_training(training_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    return _training_json(_training_or_404(db, user, training_id))


@router.put("/api/services/trainings/{training_id}", tags=["企业服务"])
def api_training_update(training_id: int, payload: dict = Body(...), db: Session = Depends(get_db),
                        user: User = Depends(require_staff)):
    training = _training_or_404(db, user, training_id)
    with _api_transaction(db):
        service.save_training(db, payload, actor=user, training=training)
    return _training_json(training)


@router.delete("/api/services/trainings/{training_id}", tags=["企业服务"], status_code=204)
def api_training_delete(training_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        service.delete_training(db, _training_or_404(db, user, training_id), actor=user)
    return Response(status_code=204)


@router.get("/api/services/fee-reductions", tags=["企业服务"])
def api_fees(year: int | None = None, page: int = Query(1, ge=1), db: Session = Depends(get_db),
             user: User = Depends(require_staff)):
    rows, total = service.list_fee_reductions(db, user, year=year, offset=(page - 1) * PAGE, limit=PAGE)
    return {"total": total, "items": [_fee_json(f) for f in rows]}


@router.post("/api/services/fee-reductions", tags=["企业服务"], status_code=201)
def api_fee_create(payload: dict = Body(...), db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        record = service.save_fee_reduction(db, payload, actor=user)
    return _fee_json(record)


@router.put("/api/services/fee-reductions/{record_id}", tags=["企业服务"])
def api_fee_update(record_id: int, payload: dict = Body(...), db: Session = Depends(get_db),
                   user: User = Depends(require_staff)):
    record = _fee_or_404(db, user, record_id)
    with _api_transaction(db):
        service.save_fee_reduction(db, payload, actor=user, record=record)
    return _fee_json(record)


@router.delete("/api/services/fee-reductions/{record_id}", tags=["企业服务"], status_code=204)
def api_fee_delete(record_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    with _api_transaction(db):
        service.delete_fee_reduction(db, _fee_or_404(db, user, record_id), actor=user)
    return Response(status_code=204)


@router.post("/api/services/fee-reductions/import", tags=["企业服务"])
async def api_fee_import(file: UploadFile = File(...), db: Session = Depends(get_db),
                         user: User = Depends(require_staff)):
    from ipbureau.enterprises.services.imports import (
        FeeImportFailed,
        import_fee_reductions,
    )

    data = await file.read()
    try:
        result = import_fee_reductions(db, data, file.filename or "upload.xlsx", actor=user)
    except FeeImportFailed as exc:
        raise HTTPException(status_code=422, detail={"message": exc.message, "problems": [
            {"row": p.row, "column": p.field, "message": p.message} for p in exc.problems]}) from exc
    return {"batch_id": result.batch_id, "total_rows": result.total_rows, "inserted": result.inserted,
            "updated": result.updated, "unchanged": result.unchanged}



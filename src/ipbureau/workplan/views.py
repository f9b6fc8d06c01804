"""Work plan pages and JSON API. Staff read; city staff and admins record progress; admins edit links."""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_admin, require_roles, require_staff
from ipbureau.config import get_settings
from ipbureau.core.uow import get_db
from ipbureau.imports.readers import parse_date
from ipbureau.web.templating import render
from ipbureau.web.uploads import read_limited
from ipbureau.workplan import flows, service
from ipbureau.workplan.enums import Aggregation, Comparison, TargetStatus
from ipbureau.workplan.models import WorkTarget

router = Router()
# District staff follow the plan but do not report on it: the city bureau owns the figures.
require_plan_editor = require_roles(Role.ADMIN, Role.BUREAU_STAFF)
# Notices after a redirect, by key: the query string never carries text to show.
MESSAGES = {"progress": "已记录进展", "indicator": "已保存指标关联", "department": "已保存责任部门",
            "loaded": "工作要点文件已载入", "unchanged": "文件与已载入的工作要点一致，未作任何修改"}


def _message(request: Request) -> str | None:
    return MESSAGES.get(request.query_params.get("message", ""))


# What the templates need besides the page's own data.
TEMPLATE_NAMES = {"Status": TargetStatus, "Comparison": Comparison, "Aggregation": Aggregation,
                  "fmt": service.format_number}


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def _progress_or_404(db: Session, year: int | None, today: date) -> tuple[service.PlanProgress | None, list[int]]:
    years = service.plan_years(db)
    year = year or service.default_year(db, today)
    if year is None:
        return None, years
    plan = service.get_plan(db, year)
    if plan is None:
        raise HTTPException(status_code=404, detail=f"没有{year}年的工作要点")
    return service.plan_progress(db, plan, today, indicator_dataset(db)), years


def indicator_dataset(db: Session) -> str:
    """Linked indicators count the real records, or the demo records while there are no real ones
    (as /stats does); the two are never mixed."""
    from ipbureau.stats.views import default_dataset

    return default_dataset(db).value


def _target_or_404(db: Session, target_id: int) -> WorkTarget:
    target = service.get_target(db, target_id)
    if target is None:
        raise HTTPException(status_code=404, detail="目标不存在")
    return target


def _target_json(item: service.TargetProgress) -> dict[str, Any]:
    target = item.target
    return {
        "id": target.id, "description": target.description, "target_value": target.target_value, "unit": target.unit,
        "comparison": target.comparison, "aggregation": target.aggregation, "deadline": target.deadline.isoformat(),
        "indicator_code": target.indicator_code, "indicator_problem": item.indicator_problem,
        "current_value": item.value, "value_source": item.source.value if item.source else None,
        "completion": None if item.ratio is None else round(item.ratio, 4),
        "status": item.status.value, "status_label": item.status.label,
        "updated_on": item.updated_on.isoformat() if item.updated_on else None,
    }


# ---- pages ----------------------------------------------------------------------------------------------

@router.get("/workplan", include_in_schema=False)
def plan_page(request: Request, year: int | None = Query(None), db: Session = Depends(get_db),
              user: User = Depends(require_staff)):
    today = date.today()
    progress, years = _progress_or_404(db, year, today)
    return render(request, "workplan.html", {
        "progress": progress, "years": years, "can_edit": Role(user.role) in (Role.ADMIN, Role.BUREAU_STAFF),
        "is_admin": Role(user.role) == Role.ADMIN, **TEMPLATE_NAMES,
        "message": _message(request), "error": None,
    }, db=db)


@router.post("/workplan/upload", include_in_schema=False)
async def plan_upload(request: Request, file: UploadFile = File(...), year: str = Form(""),
                      db: Session = Depends(get_db), user: User = Depends(require_plan_editor)):
    data = await read_limited(file, get_settings().max_upload_bytes)
    chosen_year = int(year) if year.strip().isdigit() else None
    try:
        result = flows.load_plan_bytes(db, data, file.filename or "plan", actor=user, year=chosen_year,
                                       ip_address=_client_ip(request))
    except flows.PlanFileError as exc:
        progress, years = _progress_or_404(db, chosen_year if chosen_year in service.plan_years(db) else None,
                                           date.today())
        return render(request, "workplan.html", {
            "progress": progress, "years": years, "can_edit": True, "is_admin": Role(user.role) == Role.ADMIN,
            **TEMPLATE_NAMES, "message": None, "error": exc.problems,
        }, db=db, status_code=422)
    return RedirectResponse(f"/workplan?year={result.year}&message={'loaded' if result.changed else 'unchanged'}", status_code=303)


@router.get("/workplan/export.xlsx", include_in_schema=False)
def plan_export(year: int | None = Query(None), db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    progress, _years = _progress_or_404(db, year, date.today())
    if progress is None:
        raise HTTPException(status_code=404, detail="尚未载入任何工作要点")
    data = flows.export_workbook(progress)
    filename = f"workplan-{progress.plan.year}.xlsx"
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _target_page(request: Request, db: Session, user: User, target: WorkTarget, *, error: str | None = None,
                 form: dict[str, str] | None = None, status_code: int = 200):
    plan = target.point.plan
    item = service.target_progress(db, target, date.today(), year=plan.year, dataset=indicator_dataset(db))
    entries = service.entries_of(db, target)
    user_ids = {e.entered_by for e in entries if e.entered_by}
    return render(request, "workplan_target.html", {
        "item": item, "point": target.point, "plan": plan, "entries": entries,
        "users": dict(db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()),
        "can_edit": Role(user.role) in (Role.ADMIN, Role.BUREAU_STAFF), "is_admin": Role(user.role) == Role.ADMIN,
        "indicator_choices": service.indicator_choices(), **TEMPLATE_NAMES, "error": error,
        "form": form or {"recorded_on": date.today().isoformat()}, "message": _message(request),
    }, db=db, status_code=status_code)


@router.get("/workplan/targets/{target_id}", include_in_schema=False)
def target_page(request: Request, target_id: int, db: Session = Depends(get_db), user: User = Depends(require_staff)):
    return _target_page(request, db, user, _target_or_404(db, target_id))


@router.post("/workplan/targets/{target_id}/progress", include_in_schema=False)
def target_add_progress(request: Request, target_id: int, value: str = Form(""), recorded_on: str = Form(""),
                        evidence: str = Form(""), note: str = Form(""), db: Session = Depends(get_db),
                        user: User = Depends(require_plan_editor)):
    target = _target_or_404(db, target_id)
    form = {"value": value, "recorded_on": recorded_on, "evidence": evidence, "note": note}
    try:
        try:
            day = parse_date(recorded_on)
        except ValueError:
            raise service.WorkPlanError(f"填报日期“{recorded_on}”无法识别") from None
        service.add_progress_entry(db, target, value=value, recorded_on=day, evidence=evidence, note=note, actor=user,
                                   ip_address=_client_ip(request))
        db.commit()
    except service.WorkPlanError as exc:
        db.rollback()
        return _target_page(request, db, user, target, error=str(exc), form=form, status_code=422)
    return RedirectResponse(f"/workplan/targets/{target_id}?message=progress", status_code=303)


@router.post("/workplan/targets/{target_id}/indicator", include_in_schema=False)
def target_set_indicator(request: Request, target_id: int, indicator_code: str = Form(""),
                         db: Session = Depends(get_db), user: User = Depends(require_admin)):
    target = _target_or_404(db, target_id)
    try:
        service.set_indicator(db, target, indicator_code, actor=user, ip_address=_client_ip(request))
        db.commit()
    except service.WorkPlanError as exc:
        db.rollback()
        return _target_page(request, db, user, target, error=str(exc), status_code=422)
    return RedirectResponse(f"/workplan/targets/{target_id}?message=indicator", status_code=303)


@router.post("/workplan/points/{point_id}/department", include_in_schema=False)
def point_set_department(request: Request, point_id: int, responsible_department: str = Form(""),
                         next: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_admin)):
    point = service.get_point(db, point_id)
    if point is None:
        raise HTTPException(status_code=404, detail="工作要点不存在")
    try:
        service.set_responsible_department(db, point, responsible_department, actor=user, ip_address=_client_ip(request))
        db.commit()
    except service.WorkPlanError as exc:
        db.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    target = next if next.startswith("/workplan") else f"/workplan?year={point.plan.year}"
    return RedirectResponse(f"{target}#point-{point.number}", status_code=303)


# ---- JSON API ------------------------------------------------------------------------------------------

class ProgressEntryIn(BaseModel):
    value: float = Field(description="截至填报日期的完成值（累计目标）或本次新增值（增量目标），不小于 0")
    recorded_on: date = Field(default_factory=date.today)
    evidence: str = Field(description="佐证材料：文件名称、文号或链接")
    note: str | None = None


@router.get("/api/workplan", tags=["工作要点"])
def api_plan(year: int | None = Query(None), db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    """A year's work points with their targets, current values and statuses."""
    progress, years = _progress_or_404(db, year, date.today())
    if progress is None:
        return {"years": years, "plan": None}
    plan = progress.plan
    return {
        "years": years,
        "plan": {"year": plan.year, "title": plan.title, "source_document": plan.source_document,
                 "source_url": plan.source_url, "issued_on": plan.issued_on.isoformat() if plan.issued_on else None},
        "status_counts": {status.value: count for status, count in progress.status_counts.items()},
        "points": [
            {"id": p.point.id, "number": p.point.number, "label": p.point.label, "heading": p.point.heading,
             "title": p.point.title, "text": p.point.text, "responsible_department": p.point.responsible_department,
             "targets": [_target_json(t) for t in p.targets]}
            for _heading, points in progress.sections for p in points
        ],
    }


@router.get("/api/workplan/targets/{target_id}", tags=["工作要点"])
def api_target(target_id: int, db: Session = Depends(get_db), _user: User = Depends(require_staff)):
    target = _target_or_404(db, target_id)
    item = service.target_progress(db, target, date.today(), year=target.point.plan.year,
                                   dataset=indicator_dataset(db))
    return {**_target_json(item), "point": {"number": target.point.number, "label": target.point.label,
                                             "title": target.point.title},
            "entries": [{"id": e.id, "recorded_on": e.recorded_on.isoformat(), "value": e.value, "evidence": e.evidence,
                         "note": e.note, "entered_by": e.entered_by, "created_at": e.created_at.isoformat()}
                        for e in service.entries_of(db, target)]}


@router.post("/api/workplan/targets/{target_id}/progress", status_code=201, tags=["工作要点"])
def api_add_progress(request: Request, target_id: int, body: ProgressEntryIn, db: Session = Depends(get_db),
                     user: User = Depends(require_plan_editor)):
    target = _target_or_404(db, target_id)
    try:
        entry = service.add_progress_entry(db, target, value=body.value, recorded_on=body.recorded_on,
                                           evidence=body.evidence, note=body.note, actor=user,
                                           ip_address=_client_ip(request))
        db.commit()
    except service.WorkPlanError as exc:
        db.rollback()
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return {"id": entry.id, "target_id": target.id, "recorded_on": entry.recorded_on.isoformat(), "value": entry.value}

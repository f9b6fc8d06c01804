"""Work plan pages and JSON API. Staff read; city staff record progress and load plan files; admins assign
departments and link indicators (``policy/statistics.py``).

Thin: each route parses into a schema (``workplan.schemas``; page forms with ``form_model``, into the same
schema as the API), makes one service call and renders, redirects or returns the result.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Year
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import policy, requires
from ipbureau.web.downloads import download
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render
from ipbureau.web.uploads import read_limited
from ipbureau.workplan import flows, service
from ipbureau.workplan.enums import Aggregation, Comparison, TargetStatus
from ipbureau.workplan.schemas import (
    PlanProgressRead,
    PlanQuery,
    PointDepartmentUpdate,
    ProgressEntryCreate,
    ProgressEntryRead,
    TargetDetailRead,
    TargetIndicatorUpdate,
)

router = Router()
TAGS: list = ["工作要点"]
# Notices after a redirect, by key: the query string never carries text to show.
MESSAGES = {"progress": "已记录进展", "indicator": "已保存指标关联", "department": "已保存责任部门",
            "loaded": "工作要点文件已载入", "unchanged": "文件与已载入的工作要点一致，未作任何修改"}

# What the templates need besides the page's own data.
TEMPLATE_NAMES = {"Status": TargetStatus, "Comparison": Comparison, "Aggregation": Aggregation,
                  "fmt": service.format_number}



def _message(request: Request) -> str | None:
    return MESSAGES.get(request.query_params.get("message", ""))


def _rights(user: User) -> dict[str, bool]:
    """Which of the pages' forms the user's role may submit (the policy decides; the forms only follow)."""
    return {"can_report": policy.allows(user, "workplan.target", "report"),
            "can_load": policy.allows(user, "workplan", "load"),
            "can_assign": policy.allows(user, "workplan.point", "assign"),
            "can_link": policy.allows(user, "workplan.target", "link")}


# ---- pages ----------------------------------------------------------------------------------------------

def _plan_page(request: Request, db: Session, user: User, year: int | None, *, error: list[str] | None = None,
               status_code: int = 200) -> Response:
    overview = service.plan_overview(db, user, year, date.today())
    return render(request, "workplan/plan.html", {
        "progress": overview.progress, "years": overview.years, **_rights(user), **TEMPLATE_NAMES,
        "message": None if error else _message(request), "error": error,
    }, db=db, status_code=status_code)


@router.get("/workplan", include_in_schema=False)
def plan_page(request: Request, query: Annotated[PlanQuery, Query()], db: Session = Depends(get_db),
              user: User = Depends(requires("workplan", "view"))):
    return _plan_page(request, db, user, query.year)


def uploaded_file(file: UploadFile = File(...)) -> tuple[str, bytes]:
    """(file name, content) of the uploaded plan file, within the upload limit."""
    return file.filename or "plan", read_limited(file, get_settings().max_upload_bytes)


@router.post("/workplan/upload", include_in_schema=False)
def plan_upload(request: Request, upload: tuple[str, bytes] = Depends(uploaded_file), year: Year | None = Form(None),
                db: Session = Depends(get_db), user: User = Depends(requires("workplan", "load"))):
    filename, data = upload
    try:
        result = flows.upload_plan(db, user, data, filename, year=year, ip_address=client_ip(request))
    except flows.PlanFileError as exc:
        shown = year if year in service.plan_years(db) else None
        return _plan_page(request, db, user, shown, error=exc.problems, status_code=exc.status)
    message = "loaded" if result.changed else "unchanged"
    return RedirectResponse(f"/workplan?year={result.year}&message={message}", status_code=303)


@router.get("/workplan/export.xlsx", include_in_schema=False)
def plan_export(query: Annotated[PlanQuery, Query()], db: Session = Depends(get_db),
                user: User = Depends(requires("workplan", "view"))):
    export = flows.export_plan(db, user, query.year, date.today())
    return download(export.content, export.filename, export.media_type)


def _target_page(request: Request, db: Session, user: User, target_id: int, *, error: str | None = None,
                 form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    detail = service.target_detail(db, user, target_id, date.today())
    return render(request, "workplan/target.html", {
        "item": detail.item, "point": detail.target.point, "plan": detail.target.point.plan, "entries": detail.entries,
        "users": detail.entered_by, **_rights(user), "indicator_choices": service.indicator_choices(),
        **TEMPLATE_NAMES, "error": error, "form": form or {"recorded_on": date.today().isoformat()},
        "message": None if error else _message(request),
    }, db=db, status_code=status_code)


@router.get("/workplan/targets/{target_id}", include_in_schema=False)
def target_page(request: Request, target_id: Id, db: Session = Depends(get_db),
                user: User = Depends(requires("workplan.target", "view"))):
    return _target_page(request, db, user, target_id)


@router.post("/workplan/targets/{target_id}/progress", include_in_schema=False)
def target_add_progress(request: Request, target_id: Id, form: FormData = Depends(posted_form),
                        db: Session = Depends(get_db), user: User = Depends(requires("workplan.target", "report"))):
    try:
        service.add_progress_entry(db, user, target_id, form_model(ProgressEntryCreate, form),
                                   ip_address=client_ip(request))
    except DomainError as exc:  # the form again, with what was typed and why it was refused
        typed = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _target_page(request, db, user, target_id, error=str(exc), form=typed, status_code=exc.status)
    return RedirectResponse(f"/workplan/targets/{target_id}?message=progress", status_code=303)


@router.post("/workplan/targets/{target_id}/indicator", include_in_schema=False)
def target_set_indicator(request: Request, target_id: Id, form: FormData = Depends(posted_form),
                         db: Session = Depends(get_db), user: User = Depends(requires("workplan.target", "link"))):
    try:
        service.set_indicator(db, user, target_id, form_model(TargetIndicatorUpdate, form),
                              ip_address=client_ip(request))
    except DomainError as exc:
        return _target_page(request, db, user, target_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/workplan/targets/{target_id}?message=indicator", status_code=303)


@router.post("/workplan/points/{point_id}/department", include_in_schema=False)
def point_set_department(request: Request, point_id: Id, form: FormData = Depends(posted_form),
                         db: Session = Depends(get_db), user: User = Depends(requires("workplan.point", "assign"))):
    point = service.set_responsible_department(db, user, point_id, form_model(PointDepartmentUpdate, form),
                                               ip_address=client_ip(request))
    back = str(form.get("next") or "")
    target = back if back.startswith("/workplan") else f"/workplan?year={point.plan.year}"
    return RedirectResponse(f"{target}#point-{point.number}", status_code=303)


# ---- JSON API ------------------------------------------------------------------------------------------

@router.get("/api/workplan", response_model=PlanProgressRead, tags=TAGS)
def api_plan(query: Annotated[PlanQuery, Query()], db: Session = Depends(get_db),
             user: User = Depends(requires("workplan", "view"))):
    """A year's work points with their targets, current values and statuses."""
    return PlanProgressRead.of(service.plan_overview(db, user, query.year, date.today()))


@router.get("/api/workplan/targets/{target_id}", response_model=TargetDetailRead, tags=TAGS)
def api_target(target_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("workplan.target", "view"))):
    """A target with its current value, status and progress entries (newest first)."""
    return TargetDetailRead.of(service.target_detail(db, user, target_id, date.today()))


@router.post("/api/workplan/targets/{target_id}/progress", status_code=201, response_model=ProgressEntryRead,
             tags=TAGS)
def api_add_progress(request: Request, target_id: Id, body: ProgressEntryCreate, db: Session = Depends(get_db),
                     user: User = Depends(requires("workplan.target", "report"))):
    """Record a reported value with its evidence (city staff)."""
    return service.add_progress_entry(db, user, target_id, body, ip_address=client_ip(request))

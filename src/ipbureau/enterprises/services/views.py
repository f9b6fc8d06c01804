"""Enterprise services pages (/services) and JSON API (/api/services). Thin: each parses its input into the
schema (``schemas.py``) and calls the service function the other one calls too; the rules, including who may
do what (``policy/services.py``), live in ``service.py``.

A page form that cannot be accepted is shown again with the message and the input, with the error's status.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, File, HTTPException, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Year
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.enterprises.schemas import Page, PageNumber, pages_for
from ipbureau.enterprises.services import service
from ipbureau.enterprises.services.enums import TrainingMode
from ipbureau.enterprises.services.imports import FeeImportFailed, import_fee_reductions
from ipbureau.enterprises.services.models import Training
from ipbureau.enterprises.services.schemas import (
    FeeReductionCreate,
    FeeReductionRead,
    ImportFailure,
    ImportProblem,
    ImportRead,
    TeamCreate,
    TeamRead,
    TrainingCreate,
    TrainingRead,
    VisitCreate,
    VisitFilters,
    VisitRead,
    YearFilter,
    YearSummary,
)
from ipbureau.enterprises.spreadsheet import XLSX
from ipbureau.policy import requires
from ipbureau.reference.service import district_map
from ipbureau.stats import charts
from ipbureau.web.downloads import download
from ipbureau.web.templating import render
from ipbureau.web.uploads import read_limited

router = Router()
TAGS: list[str] = ["企业服务"]
MESSAGES = {"saved": "已保存", "deleted": "已删除", "team": "服务队已保存", "imported": "导入完成"}

Db = Annotated[Session, Depends(get_db)]
TeamViewer = Annotated[User, Depends(requires("services.team", "view"))]
TeamKeeper = Annotated[User, Depends(requires("services.team", "manage"))]
VisitViewer = Annotated[User, Depends(requires("services.visit", "view"))]
VisitRecorder = Annotated[User, Depends(requires("services.visit", "record"))]
TrainingViewer = Annotated[User, Depends(requires("services.training", "view"))]
TrainingRecorder = Annotated[User, Depends(requires("services.training", "record"))]
FeeViewer = Annotated[User, Depends(requires("services.fee", "view"))]
FeeRecorder = Annotated[User, Depends(requires("services.fee", "record"))]
VisitQuery = Annotated[VisitFilters, Query()]
YearQuery = Annotated[YearFilter, Query()]


def _xlsx(data: bytes, filename: str) -> Response:
    return download(data, filename, XLSX)


def _common(request: Request, db: Session, user: User) -> dict[str, Any]:
    return {"districts": district_map(db), "teams": service.list_teams(db, user), "modes": TrainingMode.choices(),
            "this_year": date.today().year, "message": MESSAGES.get(request.query_params.get("message", ""))}


# ---- overview ------------------------------------------------------------------------------------


@router.get("/services", include_in_schema=False)
def overview_page(request: Request, db: Db, user: VisitViewer, filters: YearQuery):
    overview = service.overview(db, user, filters.year or date.today().year)
    month_chart = charts.column_chart([f"{m}月" for m in range(1, 13)],
                                      [overview.month_visits.get(m, 0) for m in range(1, 13)],
                                      title=f"{overview.year}年各月走访次数")
    team_chart = charts.bar_ranking([t.name for t in overview.teams],
                                    [overview.team_visits.get(t.id, 0) for t in overview.teams],
                                    title=f"{overview.year}年各服务队走访次数") if overview.teams else ""
    return render(request, "services/index.html", {
        **_common(request, db, user), "o": overview, "current": overview.rows[-1], "month_chart": month_chart,
        "team_chart": team_chart, "error": None,
    }, db=db)


@router.post("/services/teams", include_in_schema=False)
def team_create(request: Request, db: Db, user: TeamKeeper,
                form: FormData = Depends(posted_form)):
    service.create_team(db, user, form_model(TeamCreate, form))
    return RedirectResponse("/services?message=team", status_code=303)


# ---- visits --------------------------------------------------------------------------------------


def _visit_form(visit: Any) -> dict[str, Any]:
    return {"team_id": str(visit.team_id), "enterprise": visit.enterprise.name,
            "visited_on": visit.visited_on.isoformat(), "staff_count": visit.staff_count,
            "problems_raised": visit.problems_raised, "problems_solved": visit.problems_solved,
            "topics": visit.topics or "", "follow_up": visit.follow_up or ""}


def _visits_page(request: Request, db: Session, user: User, filters: VisitFilters, page: int, *,
                 form: dict[str, Any] | None = None, error: str | None = None, edit: Any = None,
                 status_code: int = 200):
    rows, total = service.list_visits(db, user, filters, page=page)
    if form is None and edit is not None:
        form = _visit_form(edit)
    return render(request, "services/visits.html", {
        **_common(request, db, user), "rows": rows, "total": total, "page": page, "pages": pages_for(total),
        "totals": service.visit_totals(db, user, filters), "filters": filters,
        "export_query": urlencode(filters.conditions()), "form": form or {}, "error": error, "edit": edit,
        "district_locked": service.district_lock(user, "services.visit"),
    }, db=db, status_code=status_code)


@router.get("/services/visits", include_in_schema=False)
def visits_page(request: Request, db: Db, user: VisitViewer, filters: VisitQuery, page: PageNumber = 1,
                edit: Id | None = None):
    visit = service.get_visit(db, user, edit) if edit else None
    return _visits_page(request, db, user, filters, page, edit=visit)


@router.post("/services/visits", include_in_schema=False)
def visit_create(request: Request, db: Db, user: VisitRecorder,
                 form: FormData = Depends(posted_form)):
    try:
        service.create_visit(db, user, form_model(VisitCreate, form))
    except DomainError as exc:
        return _visits_page(request, db, user, VisitFilters(), 1, form=dict(form), error=str(exc),
                            status_code=exc.status)
    return RedirectResponse("/services/visits?message=saved", status_code=303)


@router.post("/services/visits/{visit_id}", include_in_schema=False)
def visit_update(request: Request, visit_id: Id, db: Db, user: VisitRecorder,
                 form: FormData = Depends(posted_form)):
    try:
        service.update_visit(db, user, visit_id, form_model(VisitCreate, form))
    except DomainError as exc:
        return _visits_page(request, db, user, VisitFilters(), 1, form=dict(form), error=str(exc),
                            edit=service.get_visit(db, user, visit_id), status_code=exc.status)
    return RedirectResponse("/services/visits?message=saved", status_code=303)


@router.post("/services/visits/{visit_id}/delete", include_in_schema=False)
def visit_delete(visit_id: Id, db: Db, user: VisitRecorder):
    service.delete_visit(db, user, visit_id)
    return RedirectResponse("/services/visits?message=deleted", status_code=303)


@router.get("/services/visits/export.xlsx", include_in_schema=False)
def visits_export(db: Db, user: VisitViewer, filters: VisitQuery):
    return _xlsx(service.visits_workbook(db, user, filters), f"service-visits-{filters.year or 'all'}.xlsx")


# ---- trainings -----------------------------------------------------------------------------------


def _training_form(training: Training) -> dict[str, Any]:
    return {"title": training.title, "held_on": training.held_on.isoformat(), "organiser": training.organiser,
            "mode": training.mode, "district_code": training.district_code or "",
            "total_participants": training.total_participants, "note": training.note or "",
            "participants": "\n".join(f"{a.enterprise.name}, {a.headcount}" for a in training.attendances)}


def _trainings_page(request: Request, db: Session, user: User, year: int | None, page: int, *,
                    form: dict[str, Any] | None = None, error: str | None = None, status_code: int = 200):
    rows, total = service.list_trainings(db, user, year=year, page=page)
    return render(request, "services/trainings.html", {
        **_common(request, db, user), "rows": rows, "total": total, "page": page, "pages": pages_for(total),
        "totals": service.training_totals(db, user, year=year), "year": year or "",
        "form": form or {"mode": TrainingMode.OFFLINE.value}, "error": error,
        "district_locked": service.district_lock(user, "services.training", "record"),
    }, db=db, status_code=status_code)


@router.get("/services/trainings", include_in_schema=False)
def trainings_page(request: Request, db: Db, user: TrainingViewer, filters: YearQuery, page: PageNumber = 1):
    return _trainings_page(request, db, user, filters.year, page)


@router.post("/services/trainings", include_in_schema=False)
def training_create(request: Request, db: Db, user: TrainingRecorder,
                    form: FormData = Depends(posted_form)):
    try:
        training = service.create_training(db, user, form_model(TrainingCreate, form))
    except DomainError as exc:
        return _trainings_page(request, db, user, None, 1, form=dict(form), error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/services/trainings/{training.id}?message=saved", status_code=303)


@router.get("/services/trainings/export.xlsx", include_in_schema=False)
def trainings_export(db: Db, user: TrainingViewer, filters: YearQuery):
    return _xlsx(service.trainings_workbook(db, user, filters.year), f"service-trainings-{filters.year or 'all'}.xlsx")


def _training_page(request: Request, db: Session, user: User, training: Training, *,
                   form: dict[str, Any] | None = None, error: str | None = None, status_code: int = 200):
    return render(request, "services/training.html", {
        **_common(request, db, user), "t": training, "form": form or _training_form(training), "error": error,
        "district_locked": service.district_lock(user, "services.training", "record"),
    }, db=db, status_code=status_code)


@router.get("/services/trainings/{training_id}", include_in_schema=False)
def training_page(request: Request, training_id: Id, db: Db, user: TrainingViewer):
    return _training_page(request, db, user, service.get_training(db, user, training_id))


@router.post("/services/trainings/{training_id}", include_in_schema=False)
def training_update(request: Request, training_id: Id, db: Db, user: TrainingRecorder,
                    form: FormData = Depends(posted_form)):
    try:
        service.update_training(db, user, training_id, form_model(TrainingCreate, form))
    except DomainError as exc:
        return _training_page(request, db, user, service.get_training(db, user, training_id), form=dict(form),
                              error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/services/trainings/{training_id}?message=saved", status_code=303)


@router.post("/services/trainings/{training_id}/delete", include_in_schema=False)
def training_delete(training_id: Id, db: Db, user: TrainingRecorder):
    service.delete_training(db, user, training_id)
    return RedirectResponse("/services/trainings?message=deleted", status_code=303)


# ---- fee reductions ------------------------------------------------------------------------------


def _fees_page(request: Request, db: Session, user: User, year: int | None, page: int, *,
               form: dict[str, Any] | None = None, error: str | None = None, problems: list | None = None,
               status_code: int = 200):
    rows, total = service.list_fee_reductions(db, user, year=year, page=page)
    return render(request, "services/fees.html", {
        **_common(request, db, user), "rows": rows, "total": total, "page": page, "pages": pages_for(total),
        "totals": service.fee_totals(db, user, year=year), "year": year or "", "form": form or {}, "error": error,
        "problems": problems or [],
    }, db=db, status_code=status_code)


@router.get("/services/fees", include_in_schema=False)
def fees_page(request: Request, db: Db, user: FeeViewer, filters: YearQuery, page: PageNumber = 1):
    return _fees_page(request, db, user, filters.year, page)


@router.post("/services/fees", include_in_schema=False)
def fee_create(request: Request, db: Db, user: FeeRecorder,
               form: FormData = Depends(posted_form)):
    try:
        service.save_fee_reduction(db, user, form_model(FeeReductionCreate, form))
    except DomainError as exc:
        return _fees_page(request, db, user, None, 1, form=dict(form), error=str(exc), status_code=exc.status)
    return RedirectResponse("/services/fees?message=saved", status_code=303)


@router.post("/services/fees/import", include_in_schema=False)
def fee_import(request: Request, db: Db, user: FeeRecorder, file: Annotated[UploadFile, File()]):
    try:
        result = import_fee_reductions(db, user, read_limited(file, get_settings().max_upload_bytes), file.filename or "upload.xlsx")
    except FeeImportFailed as exc:
        return _fees_page(request, db, user, None, 1, error=exc.message, problems=exc.problems,
                          status_code=exc.status)
    return RedirectResponse(f"/services/fees?message=imported&inserted={result.inserted}&updated={result.updated}",
                            status_code=303)


@router.post("/services/fees/{record_id}/delete", include_in_schema=False)
def fee_delete(record_id: Id, db: Db, user: FeeRecorder):
    service.delete_fee_reduction(db, user, record_id)
    return RedirectResponse("/services/fees?message=deleted", status_code=303)


@router.get("/services/fees/export.xlsx", include_in_schema=False)
def fees_export(db: Db, user: FeeViewer, filters: YearQuery):
    return _xlsx(service.fees_workbook(db, user, filters.year), f"fee-reductions-{filters.year or 'all'}.xlsx")


# ---- JSON API ------------------------------------------------------------------------------------


@router.get("/api/services/summary", response_model=YearSummary, tags=TAGS)
def api_summary(db: Db, user: VisitViewer, year: Year | None = None):
    """The year's visits, trainings and fee reductions (default: this year)."""
    return service.summary(db, user, year or date.today().year)


@router.get("/api/services/teams", response_model=list[TeamRead], tags=TAGS)
def api_teams(db: Db, user: TeamViewer):
    return [TeamRead.model_validate(t) for t in service.list_teams(db, user)]


@router.post("/api/services/teams", response_model=TeamRead, status_code=201, tags=TAGS)
def api_team_create(data: TeamCreate, db: Db, user: TeamKeeper):
    return TeamRead.model_validate(service.create_team(db, user, data))


@router.get("/api/services/visits", response_model=Page[VisitRead], tags=TAGS)
def api_visits(db: Db, user: VisitViewer, filters: VisitQuery, page: PageNumber = 1):
    rows, total = service.list_visits(db, user, filters, page=page)
    return Page[VisitRead](total=total, items=[VisitRead.model_validate(v) for v in rows])


@router.post("/api/services/visits", response_model=VisitRead, status_code=201, tags=TAGS)
def api_visit_create(data: VisitCreate, db: Db, user: VisitRecorder):
    return VisitRead.model_validate(service.create_visit(db, user, data))


@router.put("/api/services/visits/{visit_id}", response_model=VisitRead, tags=TAGS)
def api_visit_update(visit_id: Id, data: VisitCreate, db: Db, user: VisitRecorder):
    return VisitRead.model_validate(service.update_visit(db, user, visit_id, data))


@router.delete("/api/services/visits/{visit_id}", status_code=204, response_model=None, tags=TAGS)
def api_visit_delete(visit_id: Id, db: Db, user: VisitRecorder) -> None:
    service.delete_visit(db, user, visit_id)


@router.get("/api/services/trainings", response_model=Page[TrainingRead], tags=TAGS)
def api_trainings(db: Db, user: TrainingViewer, filters: YearQuery, page: PageNumber = 1):
    rows, total = service.list_trainings(db, user, year=filters.year, page=page)
    return Page[TrainingRead](total=total, items=[TrainingRead.of(t) for t in rows])


@router.post("/api/services/trainings", response_model=TrainingRead, status_code=201, tags=TAGS)
def api_training_create(data: TrainingCreate, db: Db, user: TrainingRecorder):
    return TrainingRead.of(service.create_training(db, user, data))


@router.get("/api/services/trainings/{training_id}", response_model=TrainingRead, tags=TAGS)
def api_training(training_id: Id, db: Db, user: TrainingViewer):
    return TrainingRead.of(service.get_training(db, user, training_id))


@router.put("/api/services/trainings/{training_id}", response_model=TrainingRead, tags=TAGS)
def api_training_update(training_id: Id, data: TrainingCreate, db: Db, user: TrainingRecorder):
    return TrainingRead.of(service.update_training(db, user, training_id, data))


@router.delete("/api/services/trainings/{training_id}", status_code=204, response_model=None, tags=TAGS)
def api_training_delete(training_id: Id, db: Db, user: TrainingRecorder) -> None:
    service.delete_training(db, user, training_id)


@router.get("/api/services/fee-reductions", response_model=Page[FeeReductionRead], tags=TAGS)
def api_fees(db: Db, user: FeeViewer, filters: YearQuery, page: PageNumber = 1):
    rows, total = service.list_fee_reductions(db, user, year=filters.year, page=page)
    return Page[FeeReductionRead](total=total, items=[FeeReductionRead.model_validate(f) for f in rows])


@router.post("/api/services/fee-reductions", response_model=FeeReductionRead, status_code=201, tags=TAGS)
def api_fee_create(data: FeeReductionCreate, db: Db, user: FeeRecorder):
    return FeeReductionRead.model_validate(service.save_fee_reduction(db, user, data))


@router.put("/api/services/fee-reductions/{record_id}", response_model=FeeReductionRead, tags=TAGS)
def api_fee_update(record_id: Id, data: FeeReductionCreate, db: Db, user: FeeRecorder):
    return FeeReductionRead.model_validate(service.save_fee_reduction(db, user, data, record_id=record_id))


@router.delete("/api/services/fee-reductions/{record_id}", status_code=204, response_model=None, tags=TAGS)
def api_fee_delete(record_id: Id, db: Db, user: FeeRecorder) -> None:
    service.delete_fee_reduction(db, user, record_id)


@router.post("/api/services/fee-reductions/import", response_model=ImportRead, tags=TAGS,
             responses={422: {"model": ImportFailure, "description": "文件或数据行有误，未写入任何记录"}})
def api_fee_import(db: Db, user: FeeRecorder, file: Annotated[UploadFile, File()]):
    try:
        result = import_fee_reductions(db, user, read_limited(file, get_settings().max_upload_bytes), file.filename or "upload.xlsx")
    except FeeImportFailed as exc:
        # The problems by row and column, so a client can point at each cell (the kernel's errors carry one message).
        failure = ImportFailure(message=exc.message, problems=[
            ImportProblem(row=p.row, column=p.field, message=p.message) for p in exc.problems])
        raise HTTPException(status_code=exc.status, detail=failure.model_dump()) from exc
    return ImportRead(batch_id=result.batch_id, total_rows=result.total_rows, inserted=result.inserted,
                      updated=result.updated, unchanged=result.unchanged)

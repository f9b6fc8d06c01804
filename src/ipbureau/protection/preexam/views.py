"""Pre-examination pages (/preexam) and JSON API (/api/preexam). Thin: each route declares its policy rule, parses
its input into the schema (page forms into the same schema as the API), calls one service function and renders or
returns. The rules live in service.py / flows.py, who may do what in policy/preexam.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as FormFile

from ipbureau.auth.models import User
from ipbureau.config import get_settings
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, ShortText
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.patents.enums import PatentType
from ipbureau.policy import requires
from ipbureau.protection.preexam import flows, service
from ipbureau.protection.preexam import stats as cycle
from ipbureau.protection.preexam.enums import CaseStatus, Decision, FilingStatus
from ipbureau.protection.preexam.schemas import (
    CaseCreate,
    CaseFilters,
    CaseList,
    CaseRead,
    CaseStep,
    CentreList,
    CycleStatsRead,
    ExaminerList,
    ExaminerPlacement,
    ExaminerRead,
    ExaminerUpdate,
    FilingCreate,
    FilingDecision,
    FilingFilters,
    FilingList,
    FilingRead,
    KeyEnterpriseCreate,
    KeyEnterpriseList,
    KeyEnterpriseRead,
    KeyEnterpriseRemoved,
    StatsQuery,
)
from ipbureau.protection.preexam.service import Upload
from ipbureau.web.downloads import content_disposition, download
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render
from ipbureau.web.uploads import read_limited


@asynccontextmanager
async def _centres_at_startup(_app: FastAPI) -> AsyncIterator[None]:
    # The centres are reference rows every page shows; a GET may not create them, so the app does on start.
    await run_in_threadpool(service.seed_centres)
    yield


router = Router(lifespan=_centres_at_startup)
TAGS = ["专利预审"]

MESSAGES = {"applied": "备案申请已提交，等待市局审核", "approve": "已批准备案", "reject_filing": "已不予备案",
            "submitted": "预审案件已受理", "decide": "预审结论已作出", "assign": "已改派审查员",
            "submit_cnipa": "已登记提交国家知识产权局", "grant": "已登记授权", "reject": "已登记驳回",
            "withdraw": "案件已撤回", "uploaded": "文件已上传", "key_added": "已列入重点企业名单",
            "key_removed": "已移出重点企业名单", "examiner": "审查员设置已保存"}
ENUMS = {"CaseStatus": CaseStatus, "FilingStatus": FilingStatus, "Decision": Decision, "PatentType": PatentType}


def _uploads(files: list[FormFile] | None) -> list[Upload]:
    """The files of a request, each read with the size limit (413 beyond it); empty file inputs are skipped."""
    limit = get_settings().max_upload_bytes
    return [Upload(f.filename, f.content_type, read_limited(f, limit)) for f in files or [] if f.filename]


def _form_files(form: Any) -> list[FormFile]:
    # A parsed form holds Starlette's upload objects (FastAPI's UploadFile is a subclass of them).
    return [f for f in form.getlist("documents") if isinstance(f, FormFile)]


def _values(form: Any) -> dict[str, str]:
    """A submitted form's text fields, to show them again with its error."""
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---- pages: overview, filings ------------------------------------------------------------------------

def _index_page(request: Request, db: Session, user: User, filters: CaseFilters, *, message: str | None = None,
                error: str | None = None, form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "preexam/index.html", {
        "page": service.overview(db, user, filters), "filters": filters, "message": MESSAGES.get(message or ""),
        "error": error, "form": form or {}, **ENUMS}, db=db, status_code=status_code)


@router.get("/preexam", include_in_schema=False)
def index_page(request: Request, filters: Annotated[CaseFilters, Query()], message: ShortText | None = None,
               db: Session = Depends(get_db), user: User = Depends(requires("preexam.case", "view"))):
    return _index_page(request, db, user, filters, message=message)


@router.post("/preexam/filings", include_in_schema=False)
def filing_apply(request: Request, db: Session = Depends(get_db),
                 user: User = Depends(requires("preexam.filing", "apply")),
                 form: FormData = Depends(posted_form)):
    try:
        filing = service.apply_filing(db, form_model(FilingCreate, form), actor=user, ip_address=client_ip(request))
    except DomainError as exc:
        return _index_page(request, db, user, CaseFilters(), error=str(exc), form=_values(form),
                           status_code=exc.status)
    return _redirect(f"/preexam/filings/{filing.id}?message=applied")


def _filing_page(request: Request, db: Session, user: User, filing_id: int, *, message: str | None = None,
                 error: str | None = None, status_code: int = 200) -> Response:
    page = service.filing_page(db, user, filing_id)
    return render(request, "preexam/filing.html", {
        "page": page, "filing": page.filing, "message": MESSAGES.get(message or ""), "error": error, **ENUMS},
        db=db, status_code=status_code)


@router.get("/preexam/filings/{filing_id}", include_in_schema=False)
def filing_page(request: Request, filing_id: Id, message: ShortText | None = None, db: Session = Depends(get_db),
                user: User = Depends(requires("preexam.filing", "view"))):
    return _filing_page(request, db, user, filing_id, message=message)


@router.post("/preexam/filings/{filing_id}/{action}", include_in_schema=False)
def filing_decide(request: Request, filing_id: Id, action: str, db: Session = Depends(get_db),
                  user: User = Depends(requires("preexam.filing", "decide")),
                  form: FormData = Depends(posted_form)):
    try:
        service.decide_filing(db, filing_id, action, form_model(FilingDecision, form), actor=user,
                              ip_address=client_ip(request))
    except DomainError as exc:
        return _filing_page(request, db, user, filing_id, error=str(exc), status_code=exc.status)
    return _redirect(f"/preexam/filings/{filing_id}?message={'approve' if action == 'approve' else 'reject_filing'}")


# ---- pages: cases ---------------------------------------------------------------------------------

def _new_case_page(request: Request, db: Session, user: User, *, error: str | None = None,
                   form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "preexam/case_new.html", {
        "choices": service.submission_choices(db, user), "form": form or {"patent_type": PatentType.INVENTION.value},
        "error": error, "max_mb": get_settings().max_upload_mb, **ENUMS}, db=db, status_code=status_code)


@router.get("/preexam/cases/new", include_in_schema=False)
def case_new_page(request: Request, db: Session = Depends(get_db),
                  user: User = Depends(requires("preexam.case", "submit"))):
    return _new_case_page(request, db, user)


@router.post("/preexam/cases", include_in_schema=False)
def case_submit(request: Request, db: Session = Depends(get_db),
                user: User = Depends(requires("preexam.case", "submit")),
                form: FormData = Depends(posted_form)):
    try:
        documents = _uploads(_form_files(form))
        case = flows.submit_case(db, form_model(CaseCreate, form), actor=user, documents=documents,
                                 ip_address=client_ip(request))
    except DomainError as exc:
        return _new_case_page(request, db, user, error=str(exc), form=_values(form), status_code=exc.status)
    return _redirect(f"/preexam/cases/{case.id}?message=submitted")


def _case_page(request: Request, db: Session, user: User, case_id: int, *, message: str | None = None,
               error: str | None = None, status_code: int = 200) -> Response:
    page = service.case_page(db, user, case_id)
    return render(request, "preexam/case.html", {
        "page": page, "case": page.case, "actions": page.actions, "today": date.today().isoformat(),
        "message": MESSAGES.get(message or ""), "error": error, **ENUMS}, db=db, status_code=status_code)


@router.get("/preexam/cases/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: Id, message: ShortText | None = None, db: Session = Depends(get_db),
              user: User = Depends(requires("preexam.case", "view"))):
    return _case_page(request, db, user, case_id, message=message)


@router.post("/preexam/cases/{case_id}/documents", include_in_schema=False)
def case_upload(request: Request, case_id: Id, db: Session = Depends(get_db),
                user: User = Depends(requires("preexam.case", "upload")),
                form: FormData = Depends(posted_form)):
    try:
        service.upload_documents(db, case_id, _uploads(_form_files(form)), actor=user,
                                 ip_address=client_ip(request))
    except DomainError as exc:
        return _case_page(request, db, user, case_id, error=str(exc), status_code=exc.status)
    return _redirect(f"/preexam/cases/{case_id}?message=uploaded")


@router.get("/preexam/cases/{case_id}/documents/{document_id}", include_in_schema=False)
def case_document(case_id: Id, document_id: Id, db: Session = Depends(get_db),
                  user: User = Depends(requires("preexam.document", "view"))):
    document, path = service.get_document(db, user, case_id, document_id)
    return FileResponse(path, media_type=document.content_type or "application/octet-stream",
                        headers={"Content-Disposition": content_disposition(document.filename)})


@router.post("/preexam/cases/{case_id}/{action}", include_in_schema=False)
def case_move(request: Request, case_id: Id, action: str, db: Session = Depends(get_db),
              user: User = Depends(requires("preexam.case", "handle")),
              form: FormData = Depends(posted_form)):
    try:
        flows.move_case(db, case_id, action, form_model(CaseStep, form), actor=user, ip_address=client_ip(request))
    except DomainError as exc:
        return _case_page(request, db, user, case_id, error=str(exc), status_code=exc.status)
    return _redirect(f"/preexam/cases/{case_id}?message={action}")


# ---- pages: key enterprises, examiners -------------------------------------------------------------------

def _key_page(request: Request, db: Session, user: User, *, message: str | None = None, error: str | None = None,
              status_code: int = 200) -> Response:
    return render(request, "preexam/key_enterprises.html", {
        "page": service.key_enterprises_page(db, user), "message": MESSAGES.get(message or ""), "error": error},
        db=db, status_code=status_code)


@router.get("/preexam/key-enterprises", include_in_schema=False)
def key_page(request: Request, message: ShortText | None = None, db: Session = Depends(get_db),
             user: User = Depends(requires("preexam.key_enterprise", "view"))):
    return _key_page(request, db, user, message=message)


@router.post("/preexam/key-enterprises", include_in_schema=False)
def key_add(request: Request, db: Session = Depends(get_db),
            user: User = Depends(requires("preexam.key_enterprise", "manage")),
            form: FormData = Depends(posted_form)):
    try:
        service.add_key_enterprise(db, form_model(KeyEnterpriseCreate, form), actor=user,
                                   ip_address=client_ip(request))
    except DomainError as exc:
        return _key_page(request, db, user, error=str(exc), status_code=exc.status)
    return _redirect("/preexam/key-enterprises?message=key_added")


@router.post("/preexam/key-enterprises/{enterprise_id}/remove", include_in_schema=False)
def key_remove(request: Request, enterprise_id: Id, db: Session = Depends(get_db),
               user: User = Depends(requires("preexam.key_enterprise", "manage"))):
    try:
        service.remove_key_enterprise(db, enterprise_id, actor=user, ip_address=client_ip(request))
    except DomainError as exc:
        return _key_page(request, db, user, error=str(exc), status_code=exc.status)
    return _redirect("/preexam/key-enterprises?message=key_removed")


def _examiners_page(request: Request, db: Session, user: User, *, message: str | None = None,
                    error: str | None = None, form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    return render(request, "preexam/examiners.html", {
        "page": service.examiners_page(db, user), "form": form or {}, "message": MESSAGES.get(message or ""),
        "error": error}, db=db, status_code=status_code)


@router.get("/preexam/examiners", include_in_schema=False)
def examiners_page(request: Request, message: ShortText | None = None, db: Session = Depends(get_db),
                   user: User = Depends(requires("preexam.examiner", "view"))):
    return _examiners_page(request, db, user, message=message)


@router.post("/preexam/examiners", include_in_schema=False)
def examiners_set(request: Request, db: Session = Depends(get_db),
                  user: User = Depends(requires("preexam.examiner", "manage")),
                  form: FormData = Depends(posted_form)):
    try:
        placement = form_model(ExaminerPlacement, form)
        service.set_examiner(db, placement.user_id, placement, actor=user, ip_address=client_ip(request))
    except DomainError as exc:
        return _examiners_page(request, db, user, error=str(exc), form=_values(form), status_code=exc.status)
    return _redirect("/preexam/examiners?message=examiner")


# ---- pages: statistics ------------------------------------------------------------------------------------

@router.get("/preexam/stats", include_in_schema=False)
def stats_page(request: Request, query: Annotated[StatsQuery, Query()], db: Session = Depends(get_db),
               user: User = Depends(requires("preexam.stats", "view"))):
    page = cycle.stats_page(db, user, query)
    return render(request, "preexam/stats.html", {"page": page, "stats": page.stats, "dimensions": cycle.DIMENSIONS},
                  db=db)


@router.get("/preexam/stats.xlsx", include_in_schema=False)
def stats_export(query: Annotated[StatsQuery, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires("preexam.stats", "view"))):
    figures = cycle.for_user(db, user, query)
    name = f"preexam-stats-{figures.year or 'all'}-{figures.dataset}.xlsx"
    return download(cycle.export_workbook(figures), name,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# ---- JSON API ---------------------------------------------------------------------------------------------

@router.get("/api/preexam/centres", tags=TAGS, response_model=CentreList)
def api_centres(db: Session = Depends(get_db), user: User = Depends(requires("preexam.centre", "view"))):
    return CentreList(items=service.list_centres(db, user))


@router.get("/api/preexam/filings", tags=TAGS, response_model=FilingList)
def api_filings(filters: Annotated[FilingFilters, Query()], db: Session = Depends(get_db),
                user: User = Depends(requires("preexam.filing", "view"))):
    rows, total = service.list_filings(db, user, **filters.model_dump())
    return FilingList(total=total, items=rows)


@router.post("/api/preexam/filings", status_code=201, tags=TAGS, response_model=FilingRead)
def api_apply(request: Request, body: FilingCreate, db: Session = Depends(get_db),
              user: User = Depends(requires("preexam.filing", "apply"))):
    return service.apply_filing(db, body, actor=user, ip_address=client_ip(request))


@router.get("/api/preexam/filings/{filing_id}", tags=TAGS, response_model=FilingRead)
def api_filing(filing_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("preexam.filing", "view"))):
    return service.get_filing(db, user, filing_id)


@router.post("/api/preexam/filings/{filing_id}/{action}", tags=TAGS, response_model=FilingRead)
def api_decide_filing(request: Request, filing_id: Id, action: str, body: FilingDecision | None = None,
                      db: Session = Depends(get_db), user: User = Depends(requires("preexam.filing", "decide"))):
    """approve / reject (reason required)."""
    return service.decide_filing(db, filing_id, action, body or FilingDecision(), actor=user,
                                 ip_address=client_ip(request))


@router.get("/api/preexam/cases", tags=TAGS, response_model=CaseList)
def api_cases(filters: Annotated[CaseFilters, Query()], db: Session = Depends(get_db),
              user: User = Depends(requires("preexam.case", "view"))):
    """The cases the user may see; status=received lists them in queue order (green channel first)."""
    rows, total = service.list_cases(db, user, **filters.model_dump())
    return CaseList(total=total, items=rows)


@router.post("/api/preexam/cases", status_code=201, tags=TAGS, response_model=CaseRead)
def api_submit(request: Request, body: CaseCreate, db: Session = Depends(get_db),
               user: User = Depends(requires("preexam.case", "submit"))):
    return flows.submit_case(db, body, actor=user, ip_address=client_ip(request))


@router.get("/api/preexam/cases/{case_id}", tags=TAGS, response_model=CaseRead)
def api_case(case_id: Id, db: Session = Depends(get_db), user: User = Depends(requires("preexam.case", "view"))):
    return service.get_case(db, user, case_id)


@router.post("/api/preexam/cases/{case_id}/documents", status_code=201, tags=TAGS, response_model=CaseRead)
def api_upload(request: Request, case_id: Id, documents: list[UploadFile] = File(...),
               db: Session = Depends(get_db), user: User = Depends(requires("preexam.case", "upload"))):
    return service.upload_documents(db, case_id, _uploads(documents), actor=user,
                                    ip_address=client_ip(request))


@router.post("/api/preexam/cases/{case_id}/{action}", tags=TAGS, response_model=CaseRead)
def api_move_case(request: Request, case_id: Id, action: str, body: CaseStep | None = None,
                  db: Session = Depends(get_db), user: User = Depends(requires("preexam.case", "handle"))):
    """decide (decision, reason) / assign (examiner_id) / submit_cnipa (application_no, day) / grant (day) /
    reject (day, reason) / withdraw (reason)."""
    return flows.move_case(db, case_id, action, body or CaseStep(), actor=user, ip_address=client_ip(request))


@router.get("/api/preexam/key-enterprises", tags=TAGS, response_model=KeyEnterpriseList)
def api_key_enterprises(db: Session = Depends(get_db),
                        user: User = Depends(requires("preexam.key_enterprise", "view"))):
    return KeyEnterpriseList(items=service.key_enterprises(db, user))


@router.post("/api/preexam/key-enterprises", status_code=201, tags=TAGS, response_model=KeyEnterpriseRead)
def api_add_key(request: Request, body: KeyEnterpriseCreate, db: Session = Depends(get_db),
                user: User = Depends(requires("preexam.key_enterprise", "manage"))):
    return service.add_key_enterprise(db, body, actor=user, ip_address=client_ip(request))


@router.delete("/api/preexam/key-enterprises/{enterprise_id}", tags=TAGS, response_model=KeyEnterpriseRemoved)
def api_remove_key(request: Request, enterprise_id: Id, db: Session = Depends(get_db),
                   user: User = Depends(requires("preexam.key_enterprise", "manage"))):
    service.remove_key_enterprise(db, enterprise_id, actor=user, ip_address=client_ip(request))
    return KeyEnterpriseRemoved(enterprise_id=enterprise_id, removed=True)


@router.get("/api/preexam/examiners", tags=TAGS, response_model=ExaminerList)
def api_examiners(db: Session = Depends(get_db), user: User = Depends(requires("preexam.examiner", "view"))):
    return ExaminerList(items=service.list_examiners(db, user))


@router.put("/api/preexam/examiners/{user_id}", tags=TAGS, response_model=ExaminerRead)
def api_set_examiner(request: Request, user_id: Id, body: ExaminerUpdate, db: Session = Depends(get_db),
                     user: User = Depends(requires("preexam.examiner", "manage"))):
    return service.set_examiner(db, user_id, body, actor=user, ip_address=client_ip(request))


@router.get("/api/preexam/stats", tags=TAGS, response_model=CycleStatsRead)
def api_stats(query: Annotated[StatsQuery, Query()], db: Session = Depends(get_db),
              user: User = Depends(requires("preexam.stats", "view"))):
    """Received, qualified, granted and median cycle times per centre, field (chain), IPC section and month."""
    return cycle.for_user(db, user, query)

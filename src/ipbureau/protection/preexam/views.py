"""Pre-examination pages (/preexam) and JSON API (/api/preexam). Thin: the rules live in service.py and flows.py.

Domain errors map to 422 (bad input; the message names the field), 409 (an action the current state does not
allow) and 413 (an upload over the size limit); PermissionDenied is the app's 403.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from functools import partial
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied, require_roles
from ipbureau.config import get_settings
from ipbureau.core.uow import get_db
from ipbureau.enums import Dataset
from ipbureau.imports.errors import FileRejected
from ipbureau.patents.enums import PatentType
from ipbureau.protection.preexam import flows, service
from ipbureau.protection.preexam import stats as cycle
from ipbureau.protection.preexam.enums import CaseStatus, Decision, FilingStatus
from ipbureau.protection.preexam.models import Case, Document, Filing
from ipbureau.web.templating import render
from ipbureau.web.uploads import UploadTooLarge, read_limited
from ipbureau.web.errors import api_transaction, client_ip, status_for

router = Router()
TAGS = ["专利预审"]
require_preexam = require_roles(*service.PREEXAM_ROLES)
require_manager = require_roles(*service.MANAGER_ROLES)
require_stats_reader = require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.EXAMINER)

MESSAGES = {"applied": "备案申请已提交，等待市局审核", "approve": "已批准备案", "reject_filing": "已不予备案",
            "submitted": "预审案件已受理", "decide": "预审结论已作出", "assign": "已改派审查员",
            "submit_cnipa": "已登记提交国家知识产权局", "grant": "已登记授权", "reject": "已登记驳回",
            "withdraw": "案件已撤回", "uploaded": "文件已上传", "key_added": "已列入重点企业名单",
            "key_removed": "已移出重点企业名单", "examiner": "审查员设置已保存"}
TEMPLATE_NAMES = {"CaseStatus": CaseStatus, "FilingStatus": FilingStatus, "Decision": Decision,
                  "PatentType": PatentType, "ACTION_LABELS": flows.ACTION_LABELS, "chain_list": service.chain_names}


_ip = client_ip


def _message(request: Request) -> str | None:
    return MESSAGES.get(request.query_params.get("message", ""))


_status_for = partial(status_for, conflicts=service.TransitionError, too_large=UploadTooLarge)


_api_transaction = partial(api_transaction, errors=(service.PreexamError, FileRejected),
                           conflicts=service.TransitionError, too_large=UploadTooLarge)


def _case_or_error(db: Session, case_id: int, user: User) -> Case:
    case = db.get(Case, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail="预审案件不存在")
    if not service.can_view_case(db, user, case):
        raise PermissionDenied("您无权查看该预审案件")
    return case


def _filing_or_error(db: Session, filing_id: int, user: User) -> Filing:
    filing = db.get(Filing, filing_id)
    if filing is None:
        raise HTTPException(status_code=404, detail="备案不存在")
    if not service.can_view_filing(db, user, filing):
        raise PermissionDenied("您无权查看该备案")
    return filing


async def _read_uploads(uploads: list[UploadFile] | None) -> list[tuple[str, str | None, bytes]]:
    """The files of a form, each read with the size limit (empty file inputs are skipped)."""
    files = []
    for upload in uploads or []:
        if not upload.filename:
            continue
        files.append((upload.filename, upload.content_type,
                      await read_limited(upload, get_settings().max_upload_bytes)))
    return files


# ---- JSON shapes -----------------------------------------------------------------------------------

def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def centre_json(centre: Any) -> dict[str, Any]:
    return {"id": centre.id, "code": centre.code, "name": centre.name, "short_name": centre.short_name,
            "district_code": centre.district_code, "chains": centre.chains,
            "chain_names": service.chain_names(centre.chains), "ipc_prefixes": service.centre_prefixes(centre),
            "deadline_days": centre.deadline_days, "green_deadline_days": centre.green_deadline_days}


def filing_json(filing: Filing) -> dict[str, Any]:
    return {"id": filing.id, "centre": {"id": filing.centre.id, "name": filing.centre.name},
            "enterprise": {"id": filing.enterprise.id, "name": filing.enterprise.name,
                           "district_code": filing.enterprise.district_code,
                           "industry_chain": filing.enterprise.industry_chain},
            "status": filing.status, "status_label": FilingStatus(filing.status).label,
            "ipc_fields": filing.ipc_fields, "contact_person": filing.contact_person,
            "contact_phone": filing.contact_phone, "note": filing.note, "reason": filing.reason,
            "applied_at": _iso(filing.applied_at), "decided_at": _iso(filing.decided_at)}


def case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id, "case_no": case.case_no, "centre": {"id": case.centre.id, "name": case.centre.name},
        "enterprise": {"id": case.enterprise.id, "name": case.enterprise.name,
                       "district_code": case.enterprise.district_code},
        "title": case.title, "patent_type": case.patent_type, "ipc_main": case.ipc_main,
        "chain_code": case.chain_code, "abstract": case.abstract, "applicant": case.applicant,
        "status": case.status, "status_label": CaseStatus(case.status).label, "green_channel": case.green_channel,
        "examiner": ({"id": case.examiner.id, "display_name": case.examiner.display_name}
                     if case.examiner else None),
        "received_at": _iso(case.received_at), "due_on": _iso(case.due_on), "decision": case.decision,
        "decision_reason": case.decision_reason, "decided_at": _iso(case.decided_at),
        "cnipa_application_no": case.cnipa_application_no, "cnipa_submitted_on": _iso(case.cnipa_submitted_on),
        "granted_on": _iso(case.granted_on), "patent_id": case.patent_id, "closed_on": _iso(case.closed_on),
        "closed_reason": case.closed_reason,
        "documents": [{"id": d.id, "filename": d.filename, "size": d.size, "sha256": d.sha256}
                      for d in case.documents],
    }


def row_json(row: cycle.Row) -> dict[str, Any]:
    return {"key": row.key, "received": row.received, "decided": row.decided, "qualified": row.qualified,
            "granted": row.granted, "qualified_ratio": row.qualified_ratio,
            "median_decision_days": row.median_decision_days, "median_grant_days": row.median_grant_days}


# ---- pages: overview, filings ------------------------------------------------------------------------

def _index_page(request: Request, db: Session, user: User, *, error: str | None = None,
                form: dict[str, Any] | None = None, status_code: int = 200, status: str | None = None,
                centre_id: int | None = None, mine: bool = False, keyword: str | None = None, offset: int = 0):
    role = Role(user.role)
    filings, filings_total = service.list_filings(db, user, limit=100)
    cases, total = service.list_cases(db, user, status=status or None, centre_id=centre_id, mine=mine,
                                      keyword=keyword, offset=offset, limit=50)
    queue = []
    if role == Role.EXAMINER:
        queue, _ = service.list_cases(db, user, status=CaseStatus.RECEIVED.value, mine=True, limit=100)
    approved = [f for f in filings if f.status == FilingStatus.APPROVED]
    return render(request, "preexam/index.html", {
        "centres": service.centres(db), "filings": filings, "filings_total": filings_total, "cases": cases,
        "total": total, "offset": offset, "queue": queue, "profile": service.examiner_profile(db, user),
        "filters": {"status": status or "", "centre_id": centre_id or "", "mine": mine, "keyword": keyword or ""},
        "is_manager": service.is_manager(user), "is_enterprise": role == Role.ENTERPRISE,
        "is_examiner": role == Role.EXAMINER,
        "can_apply": service.is_manager(user) or (role == Role.ENTERPRISE and bool(user.enterprise_id)),
        "can_submit": service.is_manager(user) or (role == Role.ENTERPRISE and bool(approved)),
        "can_read_stats": role != Role.ENTERPRISE, "message": _message(request), "error": error,
        "form": form or {}, **TEMPLATE_NAMES,
    }, db=db, status_code=status_code)


@router.get("/preexam", include_in_schema=False)
def index_page(request: Request, status: str | None = Query(None), centre_id: str | None = Query(None),
               mine: str | None = Query(None), keyword: str | None = Query(None), offset: int = Query(0, ge=0),
               db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    centre = int(centre_id) if centre_id and centre_id.isdigit() else None
    db.commit()  # the centres' reference rows, created on first use
    return _index_page(request, db, user, status=status if status in set(CaseStatus) else None, centre_id=centre,
                       mine=bool(mine), keyword=keyword, offset=offset)


@router.post("/preexam/filings", include_in_schema=False)
def filing_apply(request: Request, centre_id: str = Form(""), ipc_fields: str = Form(""),
                 contact_person: str = Form(""), contact_phone: str = Form(""), note: str = Form(""),
                 enterprise: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    form = {"centre_id": centre_id, "ipc_fields": ipc_fields, "contact_person": contact_person,
            "contact_phone": contact_phone, "note": note, "enterprise": enterprise}
    try:
        filing = service.apply_filing(db, actor=user, centre_id=centre_id, enterprise_id=enterprise or None,
                                      ipc_fields=ipc_fields, contact_person=contact_person,
                                      contact_phone=contact_phone, note=note, ip_address=_ip(request))
        db.commit()
    except service.PreexamError as exc:
        db.rollback()
        return _index_page(request, db, user, error=str(exc), form=form, status_code=_status_for(exc))
    return RedirectResponse(f"/preexam/filings/{filing.id}?message=applied", status_code=303)


def _filing_page(request: Request, db: Session, user: User, filing: Filing, *, error: str | None = None,
                 status_code: int = 200):
    return render(request, "preexam/filing.html", {
        "filing": filing, "is_manager": service.is_manager(user),
        "is_key": service.is_key_enterprise(db, filing.enterprise_id), "message": _message(request),
        "error": error, **TEMPLATE_NAMES}, db=db, status_code=status_code)


@router.get("/preexam/filings/{filing_id}", include_in_schema=False)
def filing_page(request: Request, filing_id: int, db: Session = Depends(get_db),
                user: User = Depends(require_preexam)):
    return _filing_page(request, db, user, _filing_or_error(db, filing_id, user))


@router.post("/preexam/filings/{filing_id}/{action}", include_in_schema=False)
def filing_decide(request: Request, filing_id: int, action: str, reason: str = Form(""),
                  db: Session = Depends(get_db), user: User = Depends(require_manager)):
    filing = _filing_or_error(db, filing_id, user)
    try:
        service.decide_filing(db, filing, action, actor=user, reason=reason, ip_address=_ip(request))
        db.commit()
    except service.PreexamError as exc:
        db.rollback()
        return _filing_page(request, db, user, db.get(Filing, filing_id), error=str(exc),
                            status_code=_status_for(exc))
    return RedirectResponse(f"/preexam/filings/{filing_id}?message={'approve' if action == 'approve' else 'reject_filing'}",
                            status_code=303)


# ---- pages: cases ---------------------------------------------------------------------------------

def _new_case_page(request: Request, db: Session, user: User, *, error: str | None = None,
                   form: dict[str, Any] | None = None, status_code: int = 200):
    filings, _ = service.list_filings(db, user, status=FilingStatus.APPROVED.value, limit=100)
    return render(request, "preexam/case_new.html", {
        "centres": service.centres(db), "filings": filings, "is_manager": service.is_manager(user),
        "form": form or {"patent_type": "invention"}, "error": error,
        "max_mb": get_settings().max_upload_mb, **TEMPLATE_NAMES}, db=db, status_code=status_code)


@router.get("/preexam/cases/new", include_in_schema=False)
def case_new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    if not (service.is_manager(user) or Role(user.role) == Role.ENTERPRISE):
        raise PermissionDenied("只有备案企业（或代为办理的市局工作人员）可以提交预审案件")
    return _new_case_page(request, db, user)


@router.post("/preexam/cases", include_in_schema=False)
async def case_submit(request: Request, centre_id: str = Form(""), title: str = Form(""),
                      patent_type: str = Form(""), ipc_main: str = Form(""), abstract: str = Form(""),
                      applicant: str = Form(""), enterprise: str = Form(""),
                      documents: list[UploadFile] | None = File(None), db: Session = Depends(get_db),
                      user: User = Depends(require_preexam)):
    form = {"centre_id": centre_id, "title": title, "patent_type": patent_type, "ipc_main": ipc_main,
            "abstract": abstract, "applicant": applicant, "enterprise": enterprise}
    try:
        files = await _read_uploads(documents)
        if not files:
            raise service.PreexamError("申请文件", "请至少上传一份申请文件（说明书、权利要求书等）")
        case = flows.submit_case(db, flows.CaseInput(centre_id, title, patent_type, ipc_main, abstract, applicant),
                                 actor=user, enterprise_id=enterprise or None, ip_address=_ip(request))
        for name, content_type, data in files:
            service.store_document(db, case, actor=user, filename=name, content_type=content_type, data=data,
                                   ip_address=_ip(request))
        db.commit()
    except (service.PreexamError, FileRejected) as exc:
        db.rollback()
        return _new_case_page(request, db, user, error=str(exc), form=form, status_code=_status_for(exc))
    return RedirectResponse(f"/preexam/cases/{case.id}?message=submitted", status_code=303)


def _case_page(request: Request, db: Session, user: User, case: Case, *, error: str | None = None,
               status_code: int = 200):
    actions = flows.available_actions(db, user, case)
    return render(request, "preexam/case.html", {
        "case": case, "actions": actions,
        "examiners": service.examiners(db, case.centre_id) if "assign" in actions else [],
        "can_upload": case.status == CaseStatus.RECEIVED and (
            service.is_manager(user) or (Role(user.role) == Role.ENTERPRISE and user.enterprise_id == case.enterprise_id)),
        "today": date.today().isoformat(), "message": _message(request), "error": error, **TEMPLATE_NAMES,
    }, db=db, status_code=status_code)


@router.get("/preexam/cases/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: int, db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    return _case_page(request, db, user, _case_or_error(db, case_id, user))


@router.post("/preexam/cases/{case_id}/documents", include_in_schema=False)
async def case_upload(request: Request, case_id: int, documents: list[UploadFile] | None = File(None),
                      db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    case = _case_or_error(db, case_id, user)
    try:
        _check_upload_allowed(user, case)
        files = await _read_uploads(documents)
        if not files:
            raise service.PreexamError("申请文件", "请选择要上传的文件")
        for name, content_type, data in files:
            service.store_document(db, case, actor=user, filename=name, content_type=content_type, data=data,
                                   ip_address=_ip(request))
        db.commit()
    except (service.PreexamError, FileRejected) as exc:
        db.rollback()
        return _case_page(request, db, user, db.get(Case, case_id), error=str(exc), status_code=_status_for(exc))
    return RedirectResponse(f"/preexam/cases/{case_id}?message=uploaded", status_code=303)


def _check_upload_allowed(user: User, case: Case) -> None:
    if not (service.is_manager(user) or (Role(user.role) == Role.ENTERPRISE and user.enterprise_id == case.enterprise_id)):
        raise PermissionDenied("只有申请企业或市局工作人员可以上传申请文件")
    if case.status != CaseStatus.RECEIVED:
        raise service.TransitionError("案件状态", f"{CaseStatus(case.status).label}的案件不能再补充申请文件")


@router.get("/preexam/cases/{case_id}/documents/{document_id}", include_in_schema=False)
def case_document(case_id: int, document_id: int, db: Session = Depends(get_db),
                  user: User = Depends(require_preexam)):
    case = _case_or_error(db, case_id, user)
    document = db.get(Document, document_id)
    if document is None or document.case_id != case.id or not service.document_path(document).exists():
        raise HTTPException(status_code=404, detail="文件不存在")
    return FileResponse(service.document_path(document), filename=document.filename,
                        media_type=document.content_type or "application/octet-stream")


@router.post("/preexam/cases/{case_id}/{action}", include_in_schema=False)
def case_move(request: Request, case_id: int, action: str, decision: str = Form(""), reason: str = Form(""),
              examiner_id: str = Form(""), application_no: str = Form(""), day: str = Form(""),
              db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    case = _case_or_error(db, case_id, user)
    try:
        flows.move_case(db, case, action, actor=user, decision=decision, reason=reason, examiner_id=examiner_id,
                        application_no=application_no, day=day or None, ip_address=_ip(request))
        db.commit()
    except service.PreexamError as exc:
        db.rollback()
        return _case_page(request, db, user, db.get(Case, case_id), error=str(exc), status_code=_status_for(exc))
    return RedirectResponse(f"/preexam/cases/{case_id}?message={action}", status_code=303)


# ---- pages: key enterprises, examiners -------------------------------------------------------------------

def _key_page(request: Request, db: Session, user: User, *, error: str | None = None, status_code: int = 200):
    return render(request, "preexam/key_enterprises.html", {
        "rows": service.key_enterprises(db, user), "is_manager": service.is_manager(user),
        "message": _message(request), "error": error}, db=db, status_code=status_code)


@router.get("/preexam/key-enterprises", include_in_schema=False)
def key_page(request: Request, db: Session = Depends(get_db),
             user: User = Depends(require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.EXAMINER))):
    return _key_page(request, db, user)


@router.post("/preexam/key-enterprises", include_in_schema=False)
def key_add(request: Request, enterprise: str = Form(""), reason: str = Form(""), db: Session = Depends(get_db),
            user: User = Depends(require_manager)):
    try:
        service.add_key_enterprise(db, actor=user, enterprise_id=enterprise, reason=reason, ip_address=_ip(request))
        db.commit()
    except service.PreexamError as exc:
        db.rollback()
        return _key_page(request, db, user, error=str(exc), status_code=_status_for(exc))
    return RedirectResponse("/preexam/key-enterprises?message=key_added", status_code=303)


@router.post("/preexam/key-enterprises/{enterprise_id}/remove", include_in_schema=False)
def key_remove(request: Request, enterprise_id: int, db: Session = Depends(get_db),
               user: User = Depends(require_manager)):
    try:
        service.remove_key_enterprise(db, actor=user, enterprise_id=enterprise_id, ip_address=_ip(request))
        db.commit()
    except service.PreexamError as exc:
        db.rollback()
        return _key_page(request, db, user, error=str(exc), status_code=_status_for(exc))
    return RedirectResponse("/preexam/key-enterprises?message=key_removed", status_code=303)


def _examiners_page(request: Request, db: Session, user: User, *, error: str | None = None,
                    form: dict[str, Any] | None = None, status_code: int = 200):
    profiles = service.examiners(db)
    load: dict[int, int] = {}
    for centre in service.centres(db):
        load.update(service.open_case_counts(db, centre.id))
    return render(request, "preexam/examiners.html", {
        "profiles": profiles, "load": load, "users": service.examiner_users(db), "centres": service.centres(db),
        "form": form or {}, "message": _message(request), "error": error}, db=db, status_code=status_code)


@router.get("/preexam/examiners", include_in_schema=False)
def examiners_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_manager)):
    return _examiners_page(request, db, user)


@router.post("/preexam/examiners", include_in_schema=False)
def examiners_set(request: Request, user_id: str = Form(""), centre_id: str = Form(""), ipc_prefixes: str = Form(""),
                  active: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_manager)):
    form = {"user_id": user_id, "centre_id": centre_id, "ipc_prefixes": ipc_prefixes, "active": active}
    try:
        service.set_examiner(db, actor=user, user_id=user_id, centre_id=centre_id, ipc_prefixes=ipc_prefixes,
                             active=bool(active), ip_address=_ip(request))
        db.commit()
    except service.PreexamError as exc:
        db.rollback()
        return _examiners_page(request, db, user, error=str(exc), form=form, status_code=_status_for(exc))
    return RedirectResponse("/preexam/examiners?message=examiner", status_code=303)


# ---- pages: statistics ------------------------------------------------------------------------------------

def _stats_scope(db: Session, user: User, year: str | None, dataset: str | None) -> tuple[int | None, str, str | None]:
    chosen = dataset if dataset in {d.value for d in Dataset} else None
    if chosen is None:
        chosen = "real" if cycle.available_years(db, "real") or not cycle.available_years(db, "demo") else "demo"
    district = user.district_code if Role(user.role) == Role.DISTRICT_STAFF else None
    return (int(year) if year and year.isdigit() else None), chosen, district


@router.get("/preexam/stats", include_in_schema=False)
def stats_page(request: Request, year: str | None = Query(None), dataset: str | None = Query(None),
               db: Session = Depends(get_db), user: User = Depends(require_stats_reader)):
    chosen_year, chosen_dataset, district = _stats_scope(db, user, year, dataset)
    figures = cycle.cycle_stats(db, dataset=chosen_dataset, year=chosen_year, district_code=district)
    return render(request, "preexam/stats.html", {
        "stats": figures, "years": cycle.available_years(db, chosen_dataset), "dimensions": cycle.DIMENSIONS,
        "months_chart": cycle.months_chart(figures), "chain_chart": cycle.chain_chart(figures),
        "district": district}, db=db)


@router.get("/preexam/stats.xlsx", include_in_schema=False)
def stats_export(year: str | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
                 user: User = Depends(require_stats_reader)):
    chosen_year, chosen_dataset, district = _stats_scope(db, user, year, dataset)
    figures = cycle.cycle_stats(db, dataset=chosen_dataset, year=chosen_year, district_code=district)
    name = f"preexam-stats-{chosen_year or 'all'}-{chosen_dataset}.xlsx"
    return Response(cycle.export_workbook(figures),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- JSON API ---------------------------------------------------------------------------------------------

class FilingIn(BaseModel):
    centre_id: int
    ipc_fields: list[str] | str | None = None
    contact_person: str | None = None
    contact_phone: str | None = None
    note: str | None = None
    enterprise: str | int | None = None


class ReasonIn(BaseModel):
    reason: str | None = None


class CaseIn(BaseModel):
    centre_id: int
    title: str | None = None
    patent_type: str | None = None
    ipc_main: str | None = None
    abstract: str | None = None
    applicant: str | None = None
    enterprise: str | int | None = None


class CaseActionIn(BaseModel):
    decision: str | None = None
    reason: str | None = None
    examiner_id: int | None = None
    application_no: str | None = None
    day: date | None = None


class KeyEnterpriseIn(BaseModel):
    enterprise: str | int
    reason: str | None = None


class ExaminerIn(BaseModel):
    centre_id: int
    ipc_prefixes: list[str] | str
    active: bool = True


@router.get("/api/preexam/centres", tags=TAGS)
def api_centres(db: Session = Depends(get_db), _user: User = Depends(require_preexam)):
    items = [centre_json(c) for c in service.centres(db)]
    db.commit()
    return {"items": items}


@router.get("/api/preexam/filings", tags=TAGS)
def api_filings(status: str | None = Query(None), offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500),
                db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    rows, total = service.list_filings(db, user, status=status, offset=offset, limit=limit)
    return {"total": total, "items": [filing_json(f) for f in rows]}


@router.post("/api/preexam/filings", status_code=201, tags=TAGS)
def api_apply(request: Request, body: FilingIn, db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    with _api_transaction(db):
        filing = service.apply_filing(db, actor=user, centre_id=body.centre_id, enterprise_id=body.enterprise,
                                      ipc_fields=body.ipc_fields, contact_person=body.contact_person,
                                      contact_phone=body.contact_phone, note=body.note, ip_address=_ip(request))
    return filing_json(filing)


@router.get("/api/preexam/filings/{filing_id}", tags=TAGS)
def api_filing(filing_id: int, db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    return filing_json(_filing_or_error(db, filing_id, user))


@router.post("/api/preexam/filings/{filing_id}/{action}", tags=TAGS)
def api_decide_filing(request: Request, filing_id: int, action: str, body: ReasonIn | None = None,
                      db: Session = Depends(get_db), user: User = Depends(require_manager)):
    """approve / reject (reason required)."""
    filing = _filing_or_error(db, filing_id, user)
    with _api_transaction(db):
        service.decide_filing(db, filing, action, actor=user, reason=body.reason if body else None,
                              ip_address=_ip(request))
    return filing_json(filing)


@router.get("/api/preexam/cases", tags=TAGS)
def api_cases(status: str | None = Query(None), centre_id: int | None = Query(None), mine: bool = Query(False),
              keyword: str | None = Query(None), offset: int = Query(0, ge=0), limit: int = Query(50, ge=1, le=500),
              db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    """The cases the user may see; status=received lists them in queue order (green channel first)."""
    rows, total = service.list_cases(db, user, status=status, centre_id=centre_id, mine=mine, keyword=keyword,
                                     offset=offset, limit=limit)
    return {"total": total, "items": [case_json(c) for c in rows]}


@router.post("/api/preexam/cases", status_code=201, tags=TAGS)
def api_submit(request: Request, body: CaseIn, db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    with _api_transaction(db):
        case = flows.submit_case(db, flows.CaseInput(body.centre_id, body.title, body.patent_type, body.ipc_main,
                                                     body.abstract, body.applicant),
                                 actor=user, enterprise_id=body.enterprise, ip_address=_ip(request))
    return case_json(case)


@router.get("/api/preexam/cases/{case_id}", tags=TAGS)
def api_case(case_id: int, db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    return case_json(_case_or_error(db, case_id, user))


@router.post("/api/preexam/cases/{case_id}/documents", status_code=201, tags=TAGS)
async def api_upload(request: Request, case_id: int, documents: list[UploadFile] = File(...),
                     db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    case = _case_or_error(db, case_id, user)
    with _api_transaction(db):
        _check_upload_allowed(user, case)
        files = await _read_uploads(documents)
        if not files:
            raise service.PreexamError("申请文件", "请选择要上传的文件")
        for name, content_type, data in files:
            service.store_document(db, case, actor=user, filename=name, content_type=content_type, data=data,
                                   ip_address=_ip(request))
    return case_json(case)


@router.post("/api/preexam/cases/{case_id}/{action}", tags=TAGS)
def api_move_case(request: Request, case_id: int, action: str, body: CaseActionIn | None = None,
                  db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    """decide (decision, reason) / assign (examiner_id) / submit_cnipa (application_no, day) / grant (day) /
    reject (day, reason) / withdraw (reason)."""
    case = _case_or_error(db, case_id, user)
    body = body or CaseActionIn()
    with _api_transaction(db):
        flows.move_case(db, case, action, actor=user, decision=body.decision, reason=body.reason,
                        examiner_id=body.examiner_id, application_no=body.application_no, day=body.day,
                        ip_address=_ip(request))
    return case_json(case)


@router.get("/api/preexam/key-enterprises", tags=TAGS)
def api_key_enterprises(db: Session = Depends(get_db), user: User = Depends(require_preexam)):
    return {"items": [{"enterprise_id": k.enterprise_id, "name": k.enterprise.name, "reason": k.reason,
                       "added_at": _iso(k.created_at)} for k in service.key_enterprises(db, user)]}


@router.post("/api/preexam/key-enterprises", status_code=201, tags=TAGS)
def api_add_key(request: Request, body: KeyEnterpriseIn, db: Session = Depends(get_db),
                user: User = Depends(require_manager)):
    with _api_transaction(db):
        row = service.add_key_enterprise(db, actor=user, enterprise_id=body.enterprise, reason=body.reason,
                                         ip_address=_ip(request))
    return {"enterprise_id": row.enterprise_id, "name": row.enterprise.name, "reason": row.reason}


@router.delete("/api/preexam/key-enterprises/{enterprise_id}", tags=TAGS)
def api_remove_key(request: Request, enterprise_id: int, db: Session = Depends(get_db),
                   user: User = Depends(require_manager)):
    with _api_transaction(db):
        service.remove_key_enterprise(db, actor=user, enterprise_id=enterprise_id, ip_address=_ip(request))
    return {"enterprise_id": enterprise_id, "removed": True}


@router.get("/api/preexam/examiners", tags=TAGS)
def api_examiners(db: Session = Depends(get_db), _user: User = Depends(require_manager)):
    load: dict[int, int] = {}
    for centre in service.centres(db):
        load.update(service.open_case_counts(db, centre.id))
    return {"items": [{"user_id": e.user_id, "username": e.user.username, "display_name": e.user.display_name,
                       "centre_id": e.centre_id, "ipc_prefixes": e.ipc_prefixes, "active": e.active,
                       "open_cases": load.get(e.user_id, 0)} for e in service.examiners(db)]}


@router.put("/api/preexam/examiners/{user_id}", tags=TAGS)
def api_set_examiner(request: Request, user_id: int, body: ExaminerIn, db: Session = Depends(get_db),
                     user: User = Depends(require_manager)):
    with _api_transaction(db):
        profile = service.set_examiner(db, actor=user, user_id=user_id, centre_id=body.centre_id,
                                       ipc_prefixes=body.ipc_prefixes, active=body.active, ip_address=_ip(request))
    return {"user_id": profile.user_id, "centre_id": profile.centre_id, "ipc_prefixes": profile.ipc_prefixes,
            "active": profile.active}


@router.get("/api/preexam/stats", tags=TAGS)
def api_stats(year: str | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
              user: User = Depends(require_stats_reader)):
    """Received, qualified, granted and median cycle times per centre, field (chain), IPC section and month."""
    chosen_year, chosen_dataset, district = _stats_scope(db, user, year, dataset)
    figures = cycle.cycle_stats(db, dataset=chosen_dataset, year=chosen_year, district_code=district)
    return {"year": chosen_year, "dataset": chosen_dataset, "district_code": district,
            "total": row_json(figures.total),
            "by": {name: [row_json(r) for r in rows] for name, rows in figures.by.items()}}

"""Dispute pages (/disputes) and JSON API (/api/disputes). Thin: rules live in service.py and flows.py.

DisputeError → 422 (bad input, the message names the field); TransitionError → 409; PermissionDenied → 403.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from functools import partial
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import require_roles
from ipbureau.core.uow import get_db
from ipbureau.protection.disputes import flows, service
from ipbureau.protection.disputes.enums import (AdjudicationDecision, DeadlineState, DisputeKind, DisputeStatus,
                                                HandlingOrg, IpType, MediationOutcome, PartySide)
from ipbureau.protection.disputes.models import DisputeCase, Investigator
from ipbureau.web.templating import render
from ipbureau.web.errors import api_transaction, client_ip, status_for

router = Router()
TAGS = ["纠纷调解与裁决"]
require_reader = require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.MEDIATOR, Role.ENTERPRISE)
require_handler = require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.MEDIATOR)
require_manager = require_roles(Role.ADMIN, Role.BUREAU_STAFF)
TEMPLATE_NAMES = {"DisputeKind": DisputeKind, "DisputeStatus": DisputeStatus, "IpType": IpType,
                  "HandlingOrg": HandlingOrg, "PartySide": PartySide, "MediationOutcome": MediationOutcome,
                  "AdjudicationDecision": AdjudicationDecision, "DeadlineState": DeadlineState,
                  "ACTION_LABELS": flows.ACTION_LABELS}


_ip = client_ip
_status_for = partial(status_for, conflicts=service.TransitionError)
_api_transaction = partial(api_transaction, errors=service.DisputeError, conflicts=service.TransitionError)


def _case_or_404(db: Session, case_id: int, user: User) -> DisputeCase:
    case = db.get(DisputeCase, case_id)
    # A case the user may not read reads as not there.
    if case is None or not service.can_view(db, user, case):
        raise HTTPException(status_code=404, detail="案件不存在或无权查看")
    return case


# ---- JSON shapes -----------------------------------------------------------------------------------

def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def case_json(case: DisputeCase, today: date, *, full: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": case.id, "case_no": case.case_no, "kind": case.kind, "ip_type": case.ip_type, "status": case.status,
        "status_label": DisputeStatus(case.status).label, "district_code": case.district_code,
        "handling_org": case.handling_org, "received_on": _iso(case.received_on), "deadline": _iso(case.deadline),
        "deadline_state": service.deadline_state(case, today).value, "concluded_on": _iso(case.concluded_on),
        "handler_id": case.handler_id, "dataset": case.dataset,
        "parties": [{"side": p.side, "name": p.name, "credit_code": p.credit_code, "is_person": p.is_person,
                     "enterprise_id": p.enterprise_id} for p in case.parties],
    }
    if full:
        data.update({
            "ip_numbers": case.ip_numbers, "ipc": case.ipc, "claim": case.claim, "extended": case.extended,
            "outcome": case.outcome,
            "agreement_amount_yuan": None if case.agreement_amount_yuan is None else float(case.agreement_amount_yuan),
            "confirmation": None if not case.confirmation_ruling_no else {
                "court": case.confirmation_court, "date": _iso(case.confirmation_on),
                "ruling_no": case.confirmation_ruling_no},
            "sessions": [{"held_on": _iso(s.held_on), "participants": s.participants, "notes": s.notes}
                         for s in case.sessions],
            "accepted_on": _iso(case.accepted_on), "rejection_reason": case.rejection_reason,
            "investigator": None if case.investigator is None else {
                "id": case.investigator.id, "name": case.investigator.name,
                "organisation": case.investigator.organisation},
            "hearing_on": _iso(case.hearing_on), "hearing_notes": case.hearing_notes, "decision": case.decision,
            "decision_reasons": case.decision_reasons, "decision_no": case.decision_no,
        })
    return data


def investigator_json(investigator: Investigator, conflicts: list[str] | None = None) -> dict[str, Any]:
    data = {"id": investigator.id, "name": investigator.name, "organisation": investigator.organisation,
            "fields": investigator.fields, "affiliations": investigator.affiliations, "active": investigator.active}
    if conflicts is not None:
        data["conflicts"] = conflicts
    return data


# ---- pages ---------------------------------------------------------------------------------------------

@router.get("/disputes", include_in_schema=False)
def list_page(request: Request, kind: str | None = Query(None), status: str | None = Query(None),
              district: str | None = Query(None), deadline: str | None = Query(None),
              keyword: str | None = Query(None), offset: int = Query(0, ge=0), db: Session = Depends(get_db),
              user: User = Depends(require_reader)):
    today = date.today()
    filters = service.CaseFilters(kind=kind or None, status=status or None, district=district or None,
                                  deadline=deadline or None, keyword=(keyword or "").strip() or None)
    error, status_code = None, 200
    try:
        cases, total = service.list_cases(db, user, filters, today=today, offset=offset, limit=50)
    except service.DisputeError as exc:
        cases, total, error, status_code = [], 0, str(exc), 422
    return render(request, "disputes/list.html", {
        "cases": cases, "total": total, "offset": offset, "filters": filters, "today": today,
        "warnings": service.warning_counts(db, user, today), "districts": service.district_choices(db),
        "district_names": service.district_names(db), "may_register": service.may_register(user),
        "is_manager": Role(user.role) in service.MANAGERS, "deadline_state": service.deadline_state,
        "deadline_note": service.deadline_note, "error": error, **TEMPLATE_NAMES}, db=db, status_code=status_code)


def _new_page(request: Request, db: Session, user: User, *, form: dict[str, Any] | None = None,
              error: str | None = None, status_code: int = 200):
    return render(request, "disputes/new.html", {
        "form": form or {"kind": "mediation", "ip_type": "patent", "handling_org": "committee",
                         "district_code": user.district_code or "", "received_on": date.today().isoformat()},
        "districts": service.district_choices(db), "handlers": service.handler_choices(db), "error": error,
        **TEMPLATE_NAMES}, db=db, status_code=status_code)


@router.get("/disputes/new", include_in_schema=False)
def new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_handler)):
    return _new_page(request, db, user)


def _form_parties(form: dict[str, Any]) -> list[service.PartyInput]:
    return [service.PartyInput(side=side, name=form.get(f"{side}_name"), credit_code=form.get(f"{side}_credit_code"),
                               is_person=bool(form.get(f"{side}_person")))
            for side in ("requester", "respondent")]


@router.post("/disputes", include_in_schema=False)
async def create_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_handler)):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    data = flows.CaseInput(kind=form.get("kind", ""), ip_type=form.get("ip_type", ""), claim=form.get("claim"),
                           district_code=form.get("district_code"), handling_org=form.get("handling_org", ""),
                           received_on=form.get("received_on"), parties=_form_parties(form),
                           ip_numbers=form.get("ip_numbers"), ipc=form.get("ipc"),
                           handler_id=flows._int(form.get("handler_id"), "承办人") if form.get("handler_id") else None)
    try:
        case = flows.register(db, data, actor=user, today=date.today(), ip_address=_ip(request))
        db.commit()
    except service.DisputeError as exc:
        db.rollback()
        return _new_page(request, db, user, form=form, error=str(exc), status_code=_status_for(exc))
    return RedirectResponse(f"/disputes/{case.id}?message=created", status_code=303)


@router.get("/disputes/investigators", include_in_schema=False)
def investigators_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_manager)):
    return render(request, "disputes/investigators.html", {
        "investigators": service.list_investigators(db), "form": {}, "error": None,
        "message": "已登记" if request.query_params.get("message") == "saved" else None}, db=db)


@router.post("/disputes/investigators", include_in_schema=False)
def investigator_create_page(request: Request, name: str = Form(""), organisation: str = Form(""),
                             fields: str = Form(""), affiliations: str = Form(""), db: Session = Depends(get_db),
                             user: User = Depends(require_manager)):
    try:
        service.create_investigator(db, name=name, organisation=organisation, fields=fields,
                                    affiliations=affiliations, actor=user, ip_address=_ip(request))
        db.commit()
    except service.DisputeError as exc:
        db.rollback()
        return render(request, "disputes/investigators.html", {
            "investigators": service.list_investigators(db), "error": str(exc), "message": None,
            "form": {"name": name, "organisation": organisation, "fields": fields, "affiliations": affiliations}},
            db=db, status_code=422)
    return RedirectResponse("/disputes/investigators?message=saved", status_code=303)


MESSAGES = {"created": "案件已登记", **{k: f"已{v}" for k, v in flows.ACTION_LABELS.items()}}


def _case_page(request: Request, db: Session, user: User, case: DisputeCase, *, error: str | None = None,
               form: dict[str, Any] | None = None, status_code: int = 200):
    today = date.today()
    actions = flows.available_actions(case, user)
    handler = db.get(User, case.handler_id) if case.handler_id else None
    return render(request, "disputes/case.html", {
        "case": case, "actions": actions, "today": today, "handler": handler,
        "deadline_state": service.deadline_state(case, today), "deadline_note": service.deadline_note(case, today),
        "candidates": service.candidates(db, case) if "investigator" in actions else [],
        "handlers": service.handler_choices(db) if "assign" in actions else [],
        "district_names": service.district_names(db), "form": form or {}, "error": error,
        "message": MESSAGES.get(request.query_params.get("message", "")), **TEMPLATE_NAMES}, db=db,
        status_code=status_code)


@router.get("/disputes/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    return _case_page(request, db, user, _case_or_404(db, case_id, user))


@router.post("/disputes/{case_id}/{action}", include_in_schema=False)
async def case_action_page(request: Request, case_id: int, action: str, db: Session = Depends(get_db),
                           user: User = Depends(require_handler)):
    case = _case_or_404(db, case_id, user)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k != "csrf_token"}
    try:
        flows.act(db, case, action, actor=user, today=date.today(), data=form, ip_address=_ip(request))
        db.commit()
    except service.DisputeError as exc:
        db.rollback()
        return _case_page(request, db, user, db.get(DisputeCase, case_id), error=str(exc), form=form,
                          status_code=_status_for(exc))
    return RedirectResponse(f"/disputes/{case_id}?message={action}", status_code=303)


# ---- JSON API ------------------------------------------------------------------------------------------

class PartyIn(BaseModel):
    side: str
    name: str | None = None
    credit_code: str | None = None
    is_person: bool = False
    enterprise_id: int | None = None


class CaseIn(BaseModel):
    kind: str
    ip_type: str
    claim: str | None = None
    district_code: str | None = None
    handling_org: str
    received_on: str | date | None = None
    parties: list[PartyIn]
    ip_numbers: str | None = None
    ipc: str | None = None
    handler_id: int | None = None


class InvestigatorIn(BaseModel):
    name: str
    organisation: str
    fields: list[str]
    affiliations: list[str] = []


@router.get("/api/disputes", tags=TAGS)
def api_list(kind: str | None = Query(None), status: str | None = Query(None), district: str | None = Query(None),
             deadline: str | None = Query(None), keyword: str | None = Query(None), offset: int = Query(0, ge=0),
             limit: int = Query(50, ge=1, le=200), db: Session = Depends(get_db), user: User = Depends(require_reader)):
    """The cases the user may see; ``deadline=overdue|due_soon`` lists the open cases with a warning."""
    today = date.today()
    filters = service.CaseFilters(kind=kind, status=status, district=district, deadline=deadline, keyword=keyword)
    try:
        rows, total = service.list_cases(db, user, filters, today=today, offset=offset, limit=limit)
    except service.DisputeError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    return {"total": total, "warnings": service.warning_counts(db, user, today),
            "items": [case_json(c, today, full=False) for c in rows]}


@router.post("/api/disputes", status_code=201, tags=TAGS)
def api_create(request: Request, body: CaseIn, db: Session = Depends(get_db), user: User = Depends(require_handler)):
    data = flows.CaseInput(kind=body.kind, ip_type=body.ip_type, claim=body.claim, district_code=body.district_code,
                           handling_org=body.handling_org, received_on=body.received_on,
                           parties=[service.PartyInput(**p.model_dump()) for p in body.parties],
                           ip_numbers=body.ip_numbers, ipc=body.ipc, handler_id=body.handler_id)
    with _api_transaction(db):
        case = flows.register(db, data, actor=user, today=date.today(), ip_address=_ip(request))
    return case_json(case, date.today())


@router.get("/api/disputes/investigators", tags=TAGS)
def api_investigators(db: Session = Depends(get_db), _user: User = Depends(require_handler)):
    return {"items": [investigator_json(i) for i in service.list_investigators(db)]}


@router.post("/api/disputes/investigators", status_code=201, tags=TAGS)
def api_create_investigator(request: Request, body: InvestigatorIn, db: Session = Depends(get_db),
                            user: User = Depends(require_manager)):
    with _api_transaction(db):
        investigator = service.create_investigator(db, name=body.name, organisation=body.organisation,
                                                   fields=body.fields, affiliations=body.affiliations, actor=user,
                                                   ip_address=_ip(request))
    return investigator_json(investigator)


@router.get("/api/disputes/{case_id}", tags=TAGS)
def api_case(case_id: int, db: Session = Depends(get_db), user: User = Depends(require_reader)):
    return case_json(_case_or_404(db, case_id, user), date.today())


@router.get("/api/disputes/{case_id}/candidates", tags=TAGS)
def api_candidates(case_id: int, db: Session = Depends(get_db), user: User = Depends(require_handler)):
    """Investigators of the case's technical field; ``conflicts`` non-empty means he must stand aside."""
    case = _case_or_404(db, case_id, user)
    return {"items": [investigator_json(inv, found) for inv, found in service.candidates(db, case)]}


@router.post("/api/disputes/{case_id}/{action}", tags=TAGS)
def api_action(request: Request, case_id: int, action: str, body: dict[str, Any] | None = None,
               db: Session = Depends(get_db), user: User = Depends(require_handler)):
    """assign (handler_id) / session (held_on, participants, notes) / conclude (outcome, concluded_on,
    agreement_amount) / confirm (court, ruling_no, confirmation_on) / accept (accepted_on) / reject (reason,
    concluded_on) / investigator (investigator_id) / hearing (hearing_on, notes) / decide (decision, reasons,
    decision_no, concluded_on) / withdraw (concluded_on) / extend (reason)."""
    case = _case_or_404(db, case_id, user)
    with _api_transaction(db):
        flows.act(db, case, action, actor=user, today=date.today(), data=body or {}, ip_address=_ip(request))
    return case_json(case, date.today())

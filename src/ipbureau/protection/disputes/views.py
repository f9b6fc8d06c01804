"""Dispute pages (/disputes) and JSON API (/api/disputes). Thin: each route parses its input into the schema,
makes one service call and renders or returns it; page forms and the API share the schemas and the services.

Every action of the workflows has its own route, page and API alike (``POST /disputes/{id}/session``,
``POST /api/disputes/{id}/session``), each declaring the policy action that may perform it.
"""

# No ``from __future__ import annotations``: the action routes below are made in a loop, and FastAPI reads each
# one's body type (a different schema per action) from its annotations.

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Offset, PageSize, ShortText
from ipbureau.core.forms import form_data, form_model, posted_form, validate
from ipbureau.core.uow import Router, get_db
from ipbureau.policy import policy, requires
from ipbureau.protection import fields
from ipbureau.protection.disputes import actions, deadlines, investigators, service
from ipbureau.protection.disputes.enums import (
    AdjudicationDecision,
    DeadlineState,
    DisputeKind,
    DisputeStatus,
    HandlingOrg,
    IpType,
    MediationOutcome,
    PartySide,
)
from ipbureau.protection.disputes.schemas import (
    ACTION_INPUTS,
    CandidateList,
    CandidateRead,
    CaseCreate,
    CaseFilters,
    CaseList,
    CaseRead,
    InvestigatorCreate,
    InvestigatorList,
    InvestigatorRead,
)
from ipbureau.protection.disputes.workflows import DONE_MESSAGES, RESOURCE, WORKFLOWS
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
TAGS = ["纠纷调解与裁决"]
INVESTIGATORS = "dispute.investigator"
PAGE_SIZE = 50
TEMPLATE_NAMES = {"DisputeKind": DisputeKind, "DisputeStatus": DisputeStatus, "IpType": IpType,
                  "HandlingOrg": HandlingOrg, "PartySide": PartySide, "MediationOutcome": MediationOutcome,
                  "AdjudicationDecision": AdjudicationDecision, "DeadlineState": DeadlineState,
                  "deadline_state": deadlines.deadline_state, "deadline_note": deadlines.deadline_note}
MESSAGES = {"created": "案件已登记", "saved": "已登记", **DONE_MESSAGES}
Message = Annotated[ShortText | None, Query()]


# ---- pages ---------------------------------------------------------------------------------------------

@router.get("/disputes", include_in_schema=False)
def list_page(request: Request, filters: Annotated[CaseFilters, Query()], offset: Offset = 0,
              db: Session = Depends(get_db), user: User = Depends(requires(RESOURCE, "view"))):
    today = date.today()
    error, status_code = None, 200
    try:
        cases, total = service.list_cases(db, user, filters, today=today, offset=offset, limit=PAGE_SIZE)
    except DomainError as exc:
        cases, total, error, status_code = [], 0, str(exc), exc.status
    return render(request, "disputes/list.html", {
        "cases": cases, "total": total, "offset": offset, "limit": PAGE_SIZE, "filters": filters, "today": today,
        "warnings": service.warning_counts(db, user, today), "districts": fields.district_choices(db),
        "district_names": fields.district_names(db), "may_register": policy.allows(user, RESOURCE, "create"),
        "may_manage_investigators": policy.allows(user, INVESTIGATORS, "manage"), "error": error,
        **TEMPLATE_NAMES}, db=db, status_code=status_code)


def _new_page(request: Request, db: Session, user: User, *, form: Any = None, error: str | None = None,
              status_code: int = 200):
    return render(request, "disputes/new.html", {
        "form": form or {"kind": "mediation", "ip_type": "patent", "handling_org": "committee",
                         "district_code": user.district_code or "", "received_on": date.today().isoformat()},
        "districts": fields.district_choices(db), "handlers": service.handler_choices(db), "error": error,
        **TEMPLATE_NAMES}, db=db, status_code=status_code)


@router.get("/disputes/new", include_in_schema=False)
def new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(requires(RESOURCE, "create"))):
    return _new_page(request, db, user)


def _case_form(form: Any) -> CaseCreate:
    """The registration form as the API's schema: its two party blocks become ``parties``."""
    data = form_data(CaseCreate, form)
    data["parties"] = [{"side": side.value, "name": form.get(f"{side.value}_name"),
                        "credit_code": form.get(f"{side.value}_credit_code"),
                        "is_person": bool(form.get(f"{side.value}_person"))} for side in PartySide]
    return validate(CaseCreate, data)


@router.post("/disputes", include_in_schema=False)
def create_page(request: Request, db: Session = Depends(get_db),
                user: User = Depends(requires(RESOURCE, "create")),
                form: FormData = Depends(posted_form)):
    try:
        case = service.register(db, user, _case_form(form), today=date.today(), ip_address=client_ip(request))
    except DomainError as exc:
        return _new_page(request, db, user, form=form, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/disputes/{case.id}?message=created", status_code=303)


def _investigators_page(request: Request, db: Session, user: User, *, form: Any = None, error: str | None = None,
                        message: str | None = None, status_code: int = 200):
    return render(request, "disputes/investigators.html", {
        "investigators": investigators.list_investigators(db, user), "form": form or {}, "error": error,
        "message": MESSAGES.get(message or "")}, db=db, status_code=status_code)


@router.get("/disputes/investigators", include_in_schema=False)
def investigators_page(request: Request, message: Message = None, db: Session = Depends(get_db),
                       user: User = Depends(requires(INVESTIGATORS, "manage"))):
    return _investigators_page(request, db, user, message=message)


@router.post("/disputes/investigators", include_in_schema=False)
def investigator_create_page(request: Request, db: Session = Depends(get_db),
                             user: User = Depends(requires(INVESTIGATORS, "manage")),
                             form: FormData = Depends(posted_form)):
    try:
        investigators.create_investigator(db, user, form_model(InvestigatorCreate, form),
                                          ip_address=client_ip(request))
    except DomainError as exc:
        return _investigators_page(request, db, user, form=form, error=str(exc), status_code=exc.status)
    return RedirectResponse("/disputes/investigators?message=saved", status_code=303)


def _case_page(request: Request, db: Session, user: User, case_id: int, *, error: str | None = None,
               message: str | None = None, status_code: int = 200):
    page = actions.case_page(db, user, case_id)
    return render(request, "disputes/case.html", {
        "case": page.case, "actions": page.actions, "handler": page.handler, "candidates": page.candidates,
        "handlers": page.handlers, "today": date.today(), "district_names": fields.district_names(db),
        "error": error, "message": MESSAGES.get(message or ""), **TEMPLATE_NAMES}, db=db, status_code=status_code)


@router.get("/disputes/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: Id, message: Message = None, db: Session = Depends(get_db),
              user: User = Depends(requires(RESOURCE, "view"))):
    return _case_page(request, db, user, case_id, message=message)


# ---- JSON API ------------------------------------------------------------------------------------------

@router.get("/api/disputes", tags=TAGS, response_model=CaseList)
def api_list(filters: Annotated[CaseFilters, Query()], offset: Offset = 0, limit: PageSize = PAGE_SIZE,
             db: Session = Depends(get_db), user: User = Depends(requires(RESOURCE, "view"))):
    """The cases the user may see; ``deadline=overdue|due_soon`` lists the open cases with a warning."""
    today = date.today()
    rows, total = service.list_cases(db, user, filters, today=today, offset=offset, limit=limit)
    return CaseList(total=total, warnings=service.warning_counts(db, user, today), items=rows)


@router.post("/api/disputes", status_code=201, tags=TAGS, response_model=CaseRead)
def api_create(request: Request, body: CaseCreate, db: Session = Depends(get_db),
               user: User = Depends(requires(RESOURCE, "create"))):
    return service.register(db, user, body, today=date.today(), ip_address=client_ip(request))


@router.get("/api/disputes/investigators", tags=TAGS, response_model=InvestigatorList)
def api_investigators(db: Session = Depends(get_db), user: User = Depends(requires(INVESTIGATORS, "view"))):
    return InvestigatorList(items=investigators.list_investigators(db, user))


@router.post("/api/disputes/investigators", status_code=201, tags=TAGS, response_model=InvestigatorRead)
def api_create_investigator(request: Request, body: InvestigatorCreate, db: Session = Depends(get_db),
                            user: User = Depends(requires(INVESTIGATORS, "manage"))):
    return investigators.create_investigator(db, user, body, ip_address=client_ip(request))


@router.get("/api/disputes/{case_id}", tags=TAGS, response_model=CaseRead)
def api_case(case_id: Id, db: Session = Depends(get_db), user: User = Depends(requires(RESOURCE, "view"))):
    return service.get_case(db, user, case_id)


@router.get("/api/disputes/{case_id}/candidates", tags=TAGS, response_model=CandidateList)
def api_candidates(case_id: Id, db: Session = Depends(get_db), user: User = Depends(requires(RESOURCE, "handle"))):
    """Investigators of the case's technical field; ``conflicts`` non-empty means he must stand aside."""
    return CandidateList(items=[CandidateRead.of(inv, found) for inv, found in actions.candidates_for(db, user, case_id)])


# ---- the workflow actions: one page route and one API route each -----------------------------------------

def _add_action_routes(action: str, permission: str, label: str, body_type: type[BaseModel]) -> None:
    allowed = requires(RESOURCE, permission)

    def page(request: Request, case_id: Id, db: Session = Depends(get_db), user: User = Depends(allowed),
             form: FormData = Depends(posted_form)):
        try:
            data = form_model(body_type, form)
            actions.act(db, user, case_id, action, data, today=date.today(), ip_address=client_ip(request))
        except DomainError as exc:
            return _case_page(request, db, user, case_id, error=str(exc), status_code=exc.status)
        return RedirectResponse(f"/disputes/{case_id}?message={action}", status_code=303)

    def api(request: Request, case_id: Id, body: body_type, db: Session = Depends(get_db),  # type: ignore[valid-type]
            user: User = Depends(allowed)):
        return actions.act(db, user, case_id, action, body, today=date.today(), ip_address=client_ip(request))

    page.__name__, api.__name__ = f"{action}_page", f"api_{action}"
    router.add_api_route(f"/disputes/{{case_id}}/{action}", page, methods=["POST"], include_in_schema=False)
    router.add_api_route(f"/api/disputes/{{case_id}}/{action}", api, methods=["POST"], tags=TAGS,
                         response_model=CaseRead, summary=label)


for _transition in {t.action: t for workflow in WORKFLOWS.values() for t in workflow.transitions.values()}.values():
    _add_action_routes(_transition.action, _transition.policy_action, _transition.label,
                       ACTION_INPUTS[_transition.action])

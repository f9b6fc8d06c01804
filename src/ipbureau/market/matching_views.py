"""Pages and API for demands (技术需求), matching (匹配), pushes (推送) and open-licence detail pages.
Included by market.views; thin like it: the rules live in demands.py, matching.py, flows.py."""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user, require_roles
from ipbureau.core.uow import get_db
from ipbureau.market import demands, flows, matching, service
from ipbureau.market.enums import DemandStatus, FeeBasis, OpenLicenceStatus
from ipbureau.market.models import Demand
from ipbureau.patents.models import Patent
from ipbureau.market.web import int_or_none, market_status, market_transaction, open_licence_or_404
from ipbureau.web.templating import render
from ipbureau.web.errors import client_ip

router = Router()
require_trader = require_roles(Role.ENTERPRISE, Role.ADMIN, Role.BUREAU_STAFF)
PUSH_ROLES = require_roles(Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF)
MESSAGES = {"posted": "技术需求已发布", "saved": "已保存", "closed": "技术需求已关闭", "pushed": "已推送（站内通知及邮件）",
            "accepted": "已取得开放许可"}
NAMES = {"DemandStatus": DemandStatus, "FeeBasis": FeeBasis, "OpenLicenceStatus": OpenLicenceStatus,
         "yuan": service.format_yuan, "chain_name": matching.chain_name}


_ip = client_ip


_status = market_status
_int_or_none = int_or_none


def _demand_or_404(db: Session, demand_id: int, user: User) -> Demand:
    demand = db.get(Demand, demand_id)
    if demand is None or not demands.can_view_demand(db, user, demand):
        raise HTTPException(status_code=404, detail="技术需求不存在")
    return demand


def _patent_or_404(db: Session, patent_id: int) -> Patent:
    patent = db.get(Patent, patent_id)
    if patent is None:
        raise HTTPException(status_code=404, detail="专利不存在")
    return patent


def demand_json(demand: Demand) -> dict[str, Any]:
    return {"id": demand.id, "status": demand.status, "status_label": DemandStatus(demand.status).label,
            "title": demand.title, "description": demand.description, "industry_chain": demand.industry_chain,
            "budget_yuan": None if demand.budget_yuan is None else float(demand.budget_yuan), "region": demand.region,
            "contact_person": demand.contact_person, "contact_email": demand.contact_email,
            "enterprise": {"id": demand.enterprise.id, "name": demand.enterprise.name,
                           "district_code": demand.enterprise.district_code},
            "posted_at": demand.posted_at.isoformat(), "closed_at": demand.closed_at.isoformat() if demand.closed_at else None}


def match_json(match: matching.Match) -> dict[str, Any]:
    c = match.candidate
    return {"patent": {"id": c.patent_id, "application_no": c.application_no, "title": c.title, "ipc": list(c.ipc_codes)},
            "holder": {"id": c.holder_id, "name": c.holder_name, "district_code": c.district_code},
            "listing_id": c.listing_id, "open_licence_id": c.open_licence_id, "link": c.link,
            "score": round(match.score, 4), "bm25": round(match.bm25, 4), "cosine": round(match.cosine, 4),
            "shared_terms": match.shared_terms, "same_ipc_groups": match.same_groups,
            "same_ipc_subclasses": match.same_subclasses, "same_chains": match.same_chains,
            "same_district": match.same_district, "reasons": match.reasons}


def enterprise_match_json(match: matching.EnterpriseMatch) -> dict[str, Any]:
    return {"enterprise": {"id": match.enterprise.id, "name": match.enterprise.name,
                           "district_code": match.enterprise.district_code,
                           "industry_chain": match.enterprise.industry_chain},
            "demand_id": match.demand.id if match.demand else None, "score": round(match.score, 4),
            "cosine": None if match.cosine is None else round(match.cosine, 4), "shared_terms": match.shared_terms,
            "shared_ipc": match.shared_ipc, "same_chain": match.same_chain, "same_district": match.same_district,
            "reasons": match.reasons}


def _demand_input(form: dict[str, Any]) -> demands.DemandInput:
    return demands.DemandInput(description=form.get("description"), title=form.get("title"),
                               industry_chain=form.get("industry_chain"), budget=form.get("budget"),
                               region=form.get("region"), contact_person=form.get("contact_person"),
                               contact_email=form.get("contact_email"))


# ---- pages ----------------------------------------------------------------------------------------------

def _demands_page(request: Request, db: Session, user: User, *, error: str | None = None,
                  form: dict[str, Any] | None = None, status_code: int = 200, status: str | None = None,
                  chain: str | None = None):
    role = Role(user.role)
    return render(request, "market/demands.html", {
        "demands": demands.demands_of(db, user, status=status or None, chain=chain or None),
        "can_post": service.is_reviewer(user) or (role == Role.ENTERPRISE and bool(user.enterprise_id)),
        "is_reviewer": service.is_reviewer(user), "chains": demands.chain_choices(),
        "enterprises": service.enterprise_choices(db) if service.is_reviewer(user) else [],
        "filter_status": status or "", "filter_chain": chain or "", "form": form or {}, "error": error,
        "message": MESSAGES.get(request.query_params.get("message", "")), **NAMES}, db=db, status_code=status_code)


@router.get("/market/demands", include_in_schema=False)
def demands_page(request: Request, status: str | None = Query(None), chain: str | None = Query(None),
                 db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _demands_page(request, db, user, status=status, chain=chain)


@router.post("/market/demands", include_in_schema=False)
def demand_create(request: Request, title: str = Form(""), description: str = Form(""), industry_chain: str = Form(""),
                  budget: str = Form(""), region: str = Form(""), contact_person: str = Form(""),
                  contact_email: str = Form(""), enterprise_id: str = Form(""), db: Session = Depends(get_db),
                  user: User = Depends(require_trader)):
    form = {"title": title, "description": description, "industry_chain": industry_chain, "budget": budget,
            "region": region, "contact_person": contact_person, "contact_email": contact_email}
    try:
        demand = demands.create_demand(db, _demand_input(form), actor=user, enterprise_id=_int_or_none(enterprise_id),
                                       ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _demands_page(request, db, user, error=str(exc), form=form, status_code=_status(exc))
    return RedirectResponse(f"/market/demands/{demand.id}?message=posted", status_code=303)


def _demand_page(request: Request, db: Session, user: User, demand: Demand, *, error: str | None = None,
                 form: dict[str, Any] | None = None, status_code: int = 200):
    matches = matching.match_demand(db, demand) if demand.status == DemandStatus.OPEN else []
    db.commit()  # vectors computed lazily are kept
    if form is None:
        form = {"title": demand.title, "description": demand.description, "industry_chain": demand.industry_chain or "",
                "budget": "" if demand.budget_yuan is None else str(demand.budget_yuan), "region": demand.region or "",
                "contact_person": demand.contact_person or "", "contact_email": demand.contact_email or ""}
    return render(request, "market/demand.html", {
        "demand": demand, "matches": matches, "form": form, "chains": demands.chain_choices(),
        "can_edit": demand.status == DemandStatus.OPEN and service.acts_for(user, demand.enterprise_id),
        "can_push": demand.status == DemandStatus.OPEN and flows.can_push(user, demand.enterprise),
        "pushes": flows.pushes_for_demand(db, demand),
        "error": error, "message": MESSAGES.get(request.query_params.get("message", "")), **NAMES},
        db=db, status_code=status_code)


@router.get("/market/demands/{demand_id}", include_in_schema=False)
def demand_page(request: Request, demand_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _demand_page(request, db, user, _demand_or_404(db, demand_id, user))


@router.post("/market/demands/{demand_id}/edit", include_in_schema=False)
def demand_edit(request: Request, demand_id: int, title: str = Form(""), description: str = Form(""),
                industry_chain: str = Form(""), budget: str = Form(""), region: str = Form(""),
                contact_person: str = Form(""), contact_email: str = Form(""), db: Session = Depends(get_db),
                user: User = Depends(require_trader)):
    demand = _demand_or_404(db, demand_id, user)
    form = {"title": title, "description": description, "industry_chain": industry_chain, "budget": budget,
            "region": region, "contact_person": contact_person, "contact_email": contact_email}
    try:
        demands.update_demand(db, demand, _demand_input(form), actor=user, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _demand_page(request, db, user, db.get(Demand, demand_id), error=str(exc), form=form,
                            status_code=_status(exc))
    return RedirectResponse(f"/market/demands/{demand_id}?message=saved", status_code=303)


@router.post("/market/demands/{demand_id}/close", include_in_schema=False)
def demand_close(request: Request, demand_id: int, db: Session = Depends(get_db), user: User = Depends(require_trader)):
    demand = _demand_or_404(db, demand_id, user)
    try:
        demands.close_demand(db, demand, actor=user, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _demand_page(request, db, user, db.get(Demand, demand_id), error=str(exc), status_code=_status(exc))
    return RedirectResponse(f"/market/demands/{demand_id}?message=closed", status_code=303)


@router.post("/market/demands/{demand_id}/push", include_in_schema=False)
async def demand_push(request: Request, demand_id: int, db: Session = Depends(get_db), user: User = Depends(PUSH_ROLES)):
    demand = _demand_or_404(db, demand_id, user)
    patent_ids = (await request.form()).getlist("patent_ids")
    try:
        flows.push_demand_matches(db, demand, patent_ids, actor=user, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _demand_page(request, db, user, db.get(Demand, demand_id), error=str(exc), status_code=_status(exc))
    return RedirectResponse(f"/market/demands/{demand_id}?message=pushed", status_code=303)


def _patent_matches_page(request: Request, db: Session, user: User, patent: Patent, *, error: str | None = None,
                         status_code: int = 200):
    offered = {c.patent_id: c for c in matching.load_candidates(db)}
    matches = matching.match_enterprises(db, patent)
    db.commit()
    return render(request, "market/patent_matches.html", {
        "patent": patent, "candidate": offered.get(patent.id), "matches": matches, "error": error,
        "message": MESSAGES.get(request.query_params.get("message", "")), **NAMES}, db=db, status_code=status_code)


@router.get("/market/patents/{patent_id}/matches", include_in_schema=False)
def patent_matches_page(request: Request, patent_id: int, db: Session = Depends(get_db),
                        user: User = Depends(PUSH_ROLES)):
    return _patent_matches_page(request, db, user, _patent_or_404(db, patent_id))


@router.post("/market/patents/{patent_id}/push", include_in_schema=False)
async def patent_push(request: Request, patent_id: int, db: Session = Depends(get_db), user: User = Depends(PUSH_ROLES)):
    patent = _patent_or_404(db, patent_id)
    enterprise_ids = (await request.form()).getlist("enterprise_ids")
    try:
        flows.push_patent(db, patent, enterprise_ids, actor=user, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _patent_matches_page(request, db, user, patent, error=str(exc), status_code=_status(exc))
    return RedirectResponse(f"/market/patents/{patent_id}/matches?message=pushed", status_code=303)


_open_licence_or_404 = open_licence_or_404


@router.get("/market/open-licences/{declaration_id}", include_in_schema=False)
def open_licence_page(request: Request, declaration_id: int, db: Session = Depends(get_db),
                      user: User = Depends(current_user)):
    declaration = _open_licence_or_404(db, declaration_id)
    role = Role(user.role)
    today = date.today()
    can_accept = (role == Role.ENTERPRISE and bool(user.enterprise_id) and user.enterprise_id != declaration.holder_enterprise_id
                  and declaration.status == OpenLicenceStatus.PUBLISHED
                  and not (declaration.term_end and declaration.term_end < today))
    licences = [x for x in service.licences_of(db, user) if x.open_licence_id == declaration.id]
    return render(request, "market/open_licence.html", {
        "o": declaration, "can_accept": can_accept, "licences": licences,
        "can_withdraw": declaration.status == OpenLicenceStatus.PUBLISHED
        and service.acts_for(user, declaration.holder_enterprise_id),
        "is_staff_pusher": role in (Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF),
        "message": MESSAGES.get(request.query_params.get("message", "")), **NAMES}, db=db)


# ---- JSON API ---------------------------------------------------------------------------------------------

class DemandIn(BaseModel):
    description: str
    title: str | None = None
    industry_chain: str | None = None
    budget_yuan: str | float | None = None
    region: str | None = None
    contact_person: str | None = None
    contact_email: str | None = None
    enterprise_id: int | None = None

    def to_input(self) -> demands.DemandInput:
        return demands.DemandInput(description=self.description, title=self.title, industry_chain=self.industry_chain,
                                   budget=self.budget_yuan, region=self.region, contact_person=self.contact_person,
                                   contact_email=self.contact_email)


class PushPatentsIn(BaseModel):
    patent_ids: list[int]


class PushEnterprisesIn(BaseModel):
    enterprise_ids: list[int]


def _api(db: Session, call):
    with market_transaction(db):
        result = call()
    return result


@router.get("/api/market/demands", tags=["交易运营"])
def api_demands(status: str | None = Query(None), chain: str | None = Query(None), db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    """Technology demands: the own enterprise's; staff: all (district staff: their district's)."""
    return {"items": [demand_json(d) for d in demands.demands_of(db, user, status=status, chain=chain)]}


@router.post("/api/market/demands", status_code=201, tags=["交易运营"])
def api_create_demand(request: Request, body: DemandIn, db: Session = Depends(get_db),
                      user: User = Depends(require_trader)):
    demand = _api(db, lambda: demands.create_demand(db, body.to_input(), actor=user, enterprise_id=body.enterprise_id,
                                                    ip_address=_ip(request)))
    return demand_json(demand)


@router.get("/api/market/demands/{demand_id}", tags=["交易运营"])
def api_demand(demand_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return demand_json(_demand_or_404(db, demand_id, user))


@router.put("/api/market/demands/{demand_id}", tags=["交易运营"])
def api_update_demand(request: Request, demand_id: int, body: DemandIn, db: Session = Depends(get_db),
                      user: User = Depends(require_trader)):
    demand = _demand_or_404(db, demand_id, user)
    return demand_json(_api(db, lambda: demands.update_demand(db, demand, body.to_input(), actor=user,
                                                              ip_address=_ip(request))))


@router.post("/api/market/demands/{demand_id}/close", tags=["交易运营"])
def api_close_demand(request: Request, demand_id: int, db: Session = Depends(get_db),
                     user: User = Depends(require_trader)):
    demand = _demand_or_404(db, demand_id, user)
    return demand_json(_api(db, lambda: demands.close_demand(db, demand, actor=user, ip_address=_ip(request))))


@router.get("/api/market/demands/{demand_id}/matches", tags=["交易运营"])
def api_demand_matches(demand_id: int, limit: int = Query(10, ge=1, le=50), db: Session = Depends(get_db),
                       user: User = Depends(current_user)):
    """Patents on offer ranked for the demand (hybrid BM25 + embeddings + IPC/chain/district), explained."""
    demand = _demand_or_404(db, demand_id, user)
    matches = matching.match_demand(db, demand, limit=limit)
    db.commit()
    return {"demand_id": demand.id, "items": [match_json(m) for m in matches]}


@router.post("/api/market/demands/{demand_id}/push", status_code=201, tags=["交易运营"])
def api_push_demand(request: Request, demand_id: int, body: PushPatentsIn, db: Session = Depends(get_db),
                    user: User = Depends(PUSH_ROLES)):
    demand = _demand_or_404(db, demand_id, user)
    push = _api(db, lambda: flows.push_demand_matches(db, demand, body.patent_ids, actor=user, ip_address=_ip(request)))
    return {"id": push.id, "enterprise_id": push.enterprise_id, "patent_ids": [p.id for p in push.patents],
            "notice_id": push.notice_id, "email_to": push.email_to, "pushed_at": push.pushed_at.isoformat()}


@router.get("/api/market/patents/{patent_id}/matches", tags=["交易运营"])
def api_patent_matches(patent_id: int, limit: int = Query(20, ge=1, le=100), db: Session = Depends(get_db),
                       user: User = Depends(PUSH_ROLES)):
    """Enterprises that may need the patent (their demands and profiles), explained."""
    matches = matching.match_enterprises(db, _patent_or_404(db, patent_id), limit=limit)
    db.commit()
    return {"patent_id": patent_id, "items": [enterprise_match_json(m) for m in matches]}


@router.post("/api/market/patents/{patent_id}/push", status_code=201, tags=["交易运营"])
def api_push_patent(request: Request, patent_id: int, body: PushEnterprisesIn, db: Session = Depends(get_db),
                    user: User = Depends(PUSH_ROLES)):
    patent = _patent_or_404(db, patent_id)
    pushes = _api(db, lambda: flows.push_patent(db, patent, body.enterprise_ids, actor=user, ip_address=_ip(request)))
    return {"items": [{"id": p.id, "enterprise_id": p.enterprise_id, "notice_id": p.notice_id} for p in pushes]}


@router.get("/api/market/open-licences/{declaration_id}", tags=["交易运营"])
def api_open_licence(declaration_id: int, db: Session = Depends(get_db), _user: User = Depends(current_user)):
    from ipbureau.market.views import open_licence_json

    return open_licence_json(_open_licence_or_404(db, declaration_id))


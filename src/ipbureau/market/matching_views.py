"""Pages and API of technology demands (技术需求), matches (匹配) and pushes (推送); market.views includes this router.
Thin like it: the rules live in market.demands and market.pushes, who may do what in the policy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, PageSize
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.market import demands, pages, pushes
from ipbureau.market.enums import DemandStatus
from ipbureau.market.forms import flash
from ipbureau.market.matching import W_BM25, W_EMBEDDING
from ipbureau.market.models import Demand
from ipbureau.market.parties import acts_on_behalf, enterprise_choices, trades
from ipbureau.market.schemas import (
    DemandCreate,
    DemandFilters,
    DemandMatches,
    DemandRead,
    DemandUpdate,
    EnterpriseMatchRead,
    Items,
    MatchRead,
    PatentMatches,
    PushEnterprises,
    PushPatents,
    PushRead,
)
from ipbureau.policy import requires
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
TAGS: list[str | Any] = ["交易运营"]
DEMAND, RECOMMENDATION = "market.demand", "market.recommendation"
MESSAGES = {"posted": "技术需求已发布", "saved": "已保存", "closed": "技术需求已关闭", "pushed": "已推送（站内通知及邮件）"}


def _chains(db: Session) -> dict[str, Any]:
    """The industry chains for the forms' choices and for naming a demand's chain (read on the request's session)."""
    choices = demands.chain_choices(db)
    return {"chains": choices, "chain_names": dict(choices)}


# ---- pages ---------------------------------------------------------------------------------------------------

def _demands_page(request: Request, db: Session, user: User, filters: DemandFilters | None = None, *,
                  error: str | None = None, form: FormData | None = None, status_code: int = 200):
    filters = filters or DemandFilters()
    return render(request, "market/demands.html", {
        "demands": demands.demands_of(db, user, filters), "filters": filters, "can_post": trades(db, user),
        "on_behalf": acts_on_behalf(user), "enterprises": enterprise_choices(db, user), "form": dict(form or {}),
        "error": error, "message": flash(request, MESSAGES), "DemandStatus": DemandStatus, **_chains(db)},
        db=db, status_code=status_code)


@router.get("/market/demands", include_in_schema=False)
def demands_page(request: Request, filters: Annotated[DemandFilters, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires(DEMAND, "view"))):
    return _demands_page(request, db, user, filters)


@router.post("/market/demands", include_in_schema=False)
def demand_create(request: Request, form: FormData = Depends(posted_form), db: Session = Depends(get_db),
                  user: User = Depends(requires(DEMAND, "post"))):
    try:
        demand = demands.create_demand(db, user, form_model(DemandCreate, form), ip_address=client_ip(request))
    except DomainError as exc:
        return _demands_page(request, db, user, error=str(exc), form=form, status_code=exc.status)
    return RedirectResponse(f"/market/demands/{demand.id}?message=posted", status_code=303)


def _demand_values(demand: Demand) -> dict[str, Any]:
    return {"title": demand.title, "description": demand.description, "industry_chain": demand.industry_chain or "",
            "budget_yuan": "" if demand.budget_yuan is None else str(demand.budget_yuan),
            "region": demand.region or "", "contact_person": demand.contact_person or "",
            "contact_email": demand.contact_email or ""}


def _demand_page(request: Request, db: Session, user: User, demand_id: int, *, error: str | None = None,
                 form: FormData | None = None, status_code: int = 200):
    page = pages.demand_page(db, user, demand_id)
    return render(request, "market/demand.html", {
        "page": page, "demand": page.demand, "form": dict(form) if form is not None else _demand_values(page.demand),
        "weights": {"bm25": W_BM25, "embedding": W_EMBEDDING}, "error": error, "message": flash(request, MESSAGES),
        "DemandStatus": DemandStatus, **_chains(db)}, db=db, status_code=status_code)


@router.get("/market/demands/{demand_id}", include_in_schema=False)
def demand_page(request: Request, demand_id: Id, db: Session = Depends(get_db),
                user: User = Depends(requires(DEMAND, "view"))):
    return _demand_page(request, db, user, demand_id)


@router.post("/market/demands/{demand_id}/edit", include_in_schema=False)
def demand_edit(request: Request, demand_id: Id, form: FormData = Depends(posted_form),
                db: Session = Depends(get_db), user: User = Depends(requires(DEMAND, "edit"))):
    try:
        demands.update_demand(db, user, demand_id, form_model(DemandUpdate, form), ip_address=client_ip(request))
    except DomainError as exc:
        return _demand_page(request, db, user, demand_id, error=str(exc), form=form, status_code=exc.status)
    return RedirectResponse(f"/market/demands/{demand_id}?message=saved", status_code=303)


@router.post("/market/demands/{demand_id}/close", include_in_schema=False)
def demand_close(request: Request, demand_id: Id, db: Session = Depends(get_db),
                 user: User = Depends(requires(DEMAND, "close"))):
    try:
        demands.close_demand(db, user, demand_id, ip_address=client_ip(request))
    except DomainError as exc:
        return _demand_page(request, db, user, demand_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/market/demands/{demand_id}?message=closed", status_code=303)


@router.post("/market/demands/{demand_id}/push", include_in_schema=False)
def demand_push(request: Request, demand_id: Id, form: FormData = Depends(posted_form),
                db: Session = Depends(get_db), user: User = Depends(requires(DEMAND, "push"))):
    try:
        pushes.push_demand_matches(db, user, demand_id, form_model(PushPatents, form).patent_ids,
                                   ip_address=client_ip(request))
    except DomainError as exc:
        return _demand_page(request, db, user, demand_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/market/demands/{demand_id}?message=pushed", status_code=303)


def _patent_matches_page(request: Request, db: Session, user: User, patent_id: int, *, error: str | None = None,
                         status_code: int = 200):
    patent, candidate, matches = pushes.patent_matches(db, user, patent_id)
    return render(request, "market/patent_matches.html", {
        "patent": patent, "candidate": candidate, "matches": matches, "error": error,
        "message": flash(request, MESSAGES)}, db=db, status_code=status_code)


@router.get("/market/patents/{patent_id}/matches", include_in_schema=False)
def patent_matches_page(request: Request, patent_id: Id, db: Session = Depends(get_db),
                        user: User = Depends(requires(RECOMMENDATION, "view"))):
    return _patent_matches_page(request, db, user, patent_id)


@router.post("/market/patents/{patent_id}/push", include_in_schema=False)
def patent_push(request: Request, patent_id: Id, form: FormData = Depends(posted_form),
                db: Session = Depends(get_db), user: User = Depends(requires(RECOMMENDATION, "push"))):
    try:
        pushes.push_patent(db, user, patent_id, form_model(PushEnterprises, form).enterprise_ids,
                           ip_address=client_ip(request))
    except DomainError as exc:
        return _patent_matches_page(request, db, user, patent_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/market/patents/{patent_id}/matches?message=pushed", status_code=303)


# ---- JSON API -------------------------------------------------------------------------------------------------

@router.get("/api/market/demands", response_model=Items[DemandRead], tags=TAGS)
def api_demands(filters: Annotated[DemandFilters, Query()], db: Session = Depends(get_db),
                user: User = Depends(requires(DEMAND, "view"))):
    """Technology demands: the own enterprise's; city staff: all; district staff: their district's."""
    return Items[DemandRead](items=demands.demands_of(db, user, filters))


@router.post("/api/market/demands", status_code=201, response_model=DemandRead, tags=TAGS)
def api_create_demand(request: Request, body: DemandCreate, db: Session = Depends(get_db),
                      user: User = Depends(requires(DEMAND, "post"))):
    return demands.create_demand(db, user, body, ip_address=client_ip(request))


@router.get("/api/market/demands/{demand_id}", response_model=DemandRead, tags=TAGS)
def api_demand(demand_id: Id, db: Session = Depends(get_db), user: User = Depends(requires(DEMAND, "view"))):
    return demands.get_demand(db, user, demand_id)


@router.put("/api/market/demands/{demand_id}", response_model=DemandRead, tags=TAGS)
def api_update_demand(request: Request, demand_id: Id, body: DemandUpdate, db: Session = Depends(get_db),
                      user: User = Depends(requires(DEMAND, "edit"))):
    return demands.update_demand(db, user, demand_id, body, ip_address=client_ip(request))


@router.post("/api/market/demands/{demand_id}/close", response_model=DemandRead, tags=TAGS)
def api_close_demand(request: Request, demand_id: Id, db: Session = Depends(get_db),
                     user: User = Depends(requires(DEMAND, "close"))):
    return demands.close_demand(db, user, demand_id, ip_address=client_ip(request))


@router.get("/api/market/demands/{demand_id}/matches", response_model=DemandMatches, tags=TAGS)
def api_demand_matches(demand_id: Id, limit: PageSize = 10, db: Session = Depends(get_db),
                       user: User = Depends(requires(DEMAND, "view"))):
    """Patents on offer ranked for the demand (hybrid BM25 + embeddings + IPC/chain/district), explained."""
    demand, matches = pushes.demand_matches(db, user, demand_id, limit=limit)
    return DemandMatches(demand_id=demand.id, items=[MatchRead.of(m) for m in matches])


@router.post("/api/market/demands/{demand_id}/push", status_code=201, response_model=PushRead, tags=TAGS)
def api_push_demand(request: Request, demand_id: Id, body: PushPatents, db: Session = Depends(get_db),
                    user: User = Depends(requires(DEMAND, "push"))):
    return pushes.push_demand_matches(db, user, demand_id, body.patent_ids, ip_address=client_ip(request))


@router.get("/api/market/patents/{patent_id}/matches", response_model=PatentMatches, tags=TAGS)
def api_patent_matches(patent_id: Id, limit: PageSize = 20, db: Session = Depends(get_db),
                       user: User = Depends(requires(RECOMMENDATION, "view"))):
    """Enterprises that may need the patent (their demands and profiles), explained."""
    patent, _candidate, matches = pushes.patent_matches(db, user, patent_id, limit=limit)
    return PatentMatches(patent_id=patent.id, items=[EnterpriseMatchRead.of(m) for m in matches])


@router.post("/api/market/patents/{patent_id}/push", status_code=201, response_model=Items[PushRead], tags=TAGS)
def api_push_patent(request: Request, patent_id: Id, body: PushEnterprises, db: Session = Depends(get_db),
                    user: User = Depends(requires(RECOMMENDATION, "push"))):
    return Items[PushRead](items=pushes.push_patent(db, user, patent_id, body.enterprise_ids,
                                                    ip_address=client_ip(request)))

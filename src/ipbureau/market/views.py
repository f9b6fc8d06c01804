"""Marketplace pages (/market) and JSON API (/api/market): listings, open licences, deals, licences, pledges and the
figures. Demands, matches and pushes are in market.matching_views, whose routes this router includes.

Thin: each route parses its input into the schema (a page form into the same schema as the API), makes one service
call, and renders or returns. Every route declares who may call it (``requires``); the services check the record.
A form refused with a domain error is shown again with the message and the error's status (the request's unit of
work then rolls back).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.fields import Id, Offset, PageSize, ShortText
from ipbureau.core.forms import form_model, posted_form
from ipbureau.core.uow import Router, get_db
from ipbureau.core.workflow import Transition
from ipbureau.market import deals, exports, licences, listings, open_licences, pages, pledges, stats
from ipbureau.market.enums import (
    CONTRACT_LICENCE_TYPES,
    DealStatus,
    FeeBasis,
    LicenceType,
    ListingKind,
    ListingStatus,
    OpenLicenceStatus,
)
from ipbureau.market.forms import flash
from ipbureau.market.matching_views import router as matching_router
from ipbureau.market.models import Listing
from ipbureau.market.parties import acts_on_behalf, enterprise_choices
from ipbureau.market.schemas import (
    DealCreate,
    DealRead,
    DealStep,
    Items,
    LicenceRead,
    ListingCreate,
    ListingFilters,
    ListingPage,
    ListingRead,
    ListingUpdate,
    OpenLicenceAccept,
    OpenLicenceCreate,
    OpenLicenceRead,
    PledgeCreate,
    PledgeRead,
    ReasonIn,
    StatsQuery,
    StatsRead,
)
from ipbureau.market.workflows import DEAL, LISTING
from ipbureau.policy import requires
from ipbureau.web.downloads import download
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
router.include_router(matching_router)

TAGS: list[str | Any] = ["交易运营"]
LISTING_RES, OPEN_LICENCE_RES, DEAL_RES = "market.listing", "market.open_licence", "market.deal"
MESSAGES = {"saved": "已保存", "submit": "已提交审核", "approve": "已审核通过并发布", "reject": "已驳回",
            "withdraw": "已下架", "close": "已标记为已成交", "declared": "开放许可声明已公告",
            "ol_withdrawn": "开放许可声明已撤回（已取得的许可继续有效）", "accepted": "已取得开放许可",
            "deal": "已提交交易意向", "negotiate": "已进入洽谈", "sign": "已签约", "file": "已备案",
            "complete": "交易已完成", "cancel": "交易已取消", "pledge": "质押登记已保存"}
ENUMS = {"ListingKind": ListingKind, "ListingStatus": ListingStatus, "LicenceType": LicenceType, "FeeBasis": FeeBasis,
         "DealStatus": DealStatus, "OpenLicenceStatus": OpenLicenceStatus,
         "LICENCE_TYPE_CHOICES": [(t.value, t.label) for t in CONTRACT_LICENCE_TYPES]}
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- the front page ------------------------------------------------------------------------------------------

def _board_page(request: Request, db: Session, user: User, *, filters: ListingFilters | None = None, offset: int = 0,
                error: str | None = None, form: FormData | None = None, form_name: str = "", status_code: int = 200):
    """The board; after a refused declaration or pledge, with that form filled in again and the message."""
    return render(request, "market/index.html", {
        "b": pages.board(db, user, filters, offset=offset), "form": dict(form or {}), "form_name": form_name,
        "message": flash(request, MESSAGES), "error": error, **ENUMS}, db=db, status_code=status_code)


@router.get("/market", include_in_schema=False)
def market_page(request: Request, filters: Annotated[ListingFilters, Query()], offset: Offset = 0,
                db: Session = Depends(get_db), user: User = Depends(requires(LISTING_RES, "view"))):
    return _board_page(request, db, user, filters=filters, offset=offset)


# ---- listings: pages -----------------------------------------------------------------------------------------

def _listing_values(listing: Listing) -> dict[str, Any]:
    """The edit form of a listing, filled in with what it says now (the form's names are the schema's)."""
    return {"kind": listing.kind, "patents": " ".join(p.application_no for p in listing.patents),
            "title": listing.title, "description": listing.description or "",
            "price_yuan": "" if listing.price_yuan is None else str(listing.price_yuan),
            "price_negotiable": listing.price_negotiable, "licence_type": listing.licence_type or "",
            "region": listing.region or "", "term_start": listing.term_start or "", "term_end": listing.term_end or ""}


def _listing_page(request: Request, db: Session, user: User, listing_id: int | None, *, error: str | None = None,
                  form: FormData | None = None, status_code: int = 200):
    """A listing's page (None: the new-listing form), with a refused form filled in again and its message."""
    page = pages.listing_page(db, user, listing_id) if listing_id is not None else None
    values = dict(form) if form is not None else (_listing_values(page.listing) if page else {"kind": "transfer"})
    return render(request, "market/listing.html", {
        "page": page, "listing": page.listing if page else None, "form": values,
        "editable": page.editable if page else True, "on_behalf": acts_on_behalf(user),
        "enterprises": enterprise_choices(db, user), "message": flash(request, MESSAGES), "error": error, **ENUMS},
        db=db, status_code=status_code)


@router.get("/market/listings/new", include_in_schema=False)
def listing_new_page(request: Request, db: Session = Depends(get_db),
                     user: User = Depends(requires(LISTING_RES, "create"))):
    return _listing_page(request, db, user, None)


@router.post("/market/listings", include_in_schema=False)
def listing_create(request: Request, form: FormData = Depends(posted_form), db: Session = Depends(get_db),
                   user: User = Depends(requires(LISTING_RES, "create"))):
    submit = bool(form.get("then_submit"))
    try:
        listing = listings.create_listing(db, user, form_model(ListingCreate, form), submit=submit,
                                          ip_address=client_ip(request))
    except DomainError as exc:
        return _listing_page(request, db, user, None, error=str(exc), form=form, status_code=exc.status)
    return RedirectResponse(f"/market/listings/{listing.id}?message={'submit' if submit else 'saved'}", status_code=303)


@router.get("/market/listings/{listing_id}", include_in_schema=False)
def listing_page(request: Request, listing_id: Id, db: Session = Depends(get_db),
                 user: User = Depends(requires(LISTING_RES, "view"))):
    return _listing_page(request, db, user, listing_id)


@router.post("/market/listings/{listing_id}/edit", include_in_schema=False)
def listing_edit(request: Request, listing_id: Id, form: FormData = Depends(posted_form),
                 db: Session = Depends(get_db), user: User = Depends(requires(LISTING_RES, "edit"))):
    try:
        listings.update_listing(db, user, listing_id, form_model(ListingUpdate, form), ip_address=client_ip(request))
    except DomainError as exc:
        return _listing_page(request, db, user, listing_id, error=str(exc), form=form, status_code=exc.status)
    return RedirectResponse(f"/market/listings/{listing_id}?message=saved", status_code=303)


@router.post("/market/listings/{listing_id}/deals", include_in_schema=False)
def listing_open_deal(request: Request, listing_id: Id, form: FormData = Depends(posted_form),
                      db: Session = Depends(get_db), user: User = Depends(requires(LISTING_RES, "trade"))):
    try:
        data = form_model(DealCreate, form).model_copy(update={"listing_id": listing_id, "open_licence_id": None})
        deal = deals.open_deal(db, user, data, ip_address=client_ip(request))
    except DomainError as exc:
        return _listing_page(request, db, user, listing_id, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/market/deals/{deal.id}?message=deal", status_code=303)


def _listing_step_routes(step: Transition) -> None:
    """The page and the API route of one listing step (submit, approve, reject, withdraw, close)."""
    action, permission = step.action, step.policy_action

    @router.post(f"/market/listings/{{listing_id}}/{action}", include_in_schema=False, name=f"listing_{action}_page")
    def page(request: Request, listing_id: Id, form: FormData = Depends(posted_form),
             db: Session = Depends(get_db), user: User = Depends(requires(LISTING_RES, permission))):
        try:
            step_input = form_model(ReasonIn, form)
            listings.move_listing(db, user, listing_id, action, reason=step_input.reason, version=step_input.version,
                                  ip_address=client_ip(request))
        except DomainError as exc:
            return _listing_page(request, db, user, listing_id, error=str(exc), status_code=exc.status)
        return RedirectResponse(f"/market/listings/{listing_id}?message={action}", status_code=303)

    @router.post(f"/api/market/listings/{{listing_id}}/{action}", response_model=ListingRead, tags=TAGS,
                 name=f"listing_{action}", summary=f"挂牌：{step.label}")
    def api(request: Request, listing_id: Id, body: ReasonIn | None = None, db: Session = Depends(get_db),
            user: User = Depends(requires(LISTING_RES, permission))):
        return listings.move_listing(db, user, listing_id, action, reason=body.reason if body else None,
                                     version=body.version if body else None, ip_address=client_ip(request))


# ---- open licences: pages ------------------------------------------------------------------------------------

@router.post("/market/open-licences", include_in_schema=False)
def open_licence_declare(request: Request, form: FormData = Depends(posted_form), db: Session = Depends(get_db),
                         user: User = Depends(requires(OPEN_LICENCE_RES, "declare"))):
    try:
        open_licences.declare_open_licence(db, user, form_model(OpenLicenceCreate, form),
                                           ip_address=client_ip(request))
    except DomainError as exc:
        return _board_page(request, db, user, error=str(exc), form=form, form_name="open_licence",
                           status_code=exc.status)
    return RedirectResponse("/market?message=declared#open-licences", status_code=303)


@router.get("/market/open-licences/{declaration_id}", include_in_schema=False)
def open_licence_page(request: Request, declaration_id: Id, db: Session = Depends(get_db),
                      user: User = Depends(requires(OPEN_LICENCE_RES, "view"))):
    return render(request, "market/open_licence.html", {
        "page": pages.open_licence_page(db, user, declaration_id), "message": flash(request, MESSAGES), **ENUMS},
        db=db)


@router.post("/market/open-licences/{declaration_id}/withdraw", include_in_schema=False)
def open_licence_withdraw(request: Request, declaration_id: Id, db: Session = Depends(get_db),
                          user: User = Depends(requires(OPEN_LICENCE_RES, "withdraw"))):
    try:
        open_licences.withdraw_open_licence(db, user, declaration_id, ip_address=client_ip(request))
    except DomainError as exc:
        return _board_page(request, db, user, error=str(exc), status_code=exc.status)
    return RedirectResponse("/market?message=ol_withdrawn#open-licences", status_code=303)


@router.post("/market/open-licences/{declaration_id}/accept", include_in_schema=False)
def open_licence_accept(request: Request, declaration_id: Id, form: FormData = Depends(posted_form),
                        db: Session = Depends(get_db), user: User = Depends(requires(OPEN_LICENCE_RES, "accept"))):
    try:
        open_licences.accept_open_licence(db, user, declaration_id, form_model(OpenLicenceAccept, form),
                                          ip_address=client_ip(request))
    except DomainError as exc:
        return _board_page(request, db, user, error=str(exc), status_code=exc.status)
    return RedirectResponse(f"/market/open-licences/{declaration_id}?message=accepted", status_code=303)


# ---- deals and pledges: pages --------------------------------------------------------------------------------

def _deal_page(request: Request, db: Session, user: User, deal_id: int, *, error: str | None = None,
               status_code: int = 200):
    return render(request, "market/deal.html", {
        "page": pages.deal_page(db, user, deal_id), "today": date.today().isoformat(),
        "message": flash(request, MESSAGES), "error": error, **ENUMS}, db=db, status_code=status_code)


@router.get("/market/deals/{deal_id}", include_in_schema=False)
def deal_page(request: Request, deal_id: Id, db: Session = Depends(get_db),
              user: User = Depends(requires(DEAL_RES, "view"))):
    return _deal_page(request, db, user, deal_id)


def _deal_step_routes(step: Transition) -> None:
    """The page and the API route of one deal step (negotiate, sign, file, complete, cancel)."""
    action, permission = step.action, step.policy_action

    @router.post(f"/market/deals/{{deal_id}}/{action}", include_in_schema=False, name=f"deal_{action}_page")
    def page(request: Request, deal_id: Id, form: FormData = Depends(posted_form), db: Session = Depends(get_db),
             user: User = Depends(requires(DEAL_RES, permission))):
        try:
            deals.move_deal(db, user, deal_id, action, form_model(DealStep, form), ip_address=client_ip(request))
        except DomainError as exc:
            return _deal_page(request, db, user, deal_id, error=str(exc), status_code=exc.status)
        return RedirectResponse(f"/market/deals/{deal_id}?message={action}", status_code=303)

    @router.post(f"/api/market/deals/{{deal_id}}/{action}", response_model=DealRead, tags=TAGS, name=f"deal_{action}",
                 summary=f"交易：{step.label}")
    def api(request: Request, deal_id: Id, body: DealStep | None = None, db: Session = Depends(get_db),
            user: User = Depends(requires(DEAL_RES, permission))):
        deal = deals.move_deal(db, user, deal_id, action, body, ip_address=client_ip(request))
        return deals.read_deal(db, user, deal)


@router.post("/market/pledges", include_in_schema=False)
def pledge_register(request: Request, form: FormData = Depends(posted_form), db: Session = Depends(get_db),
                    user: User = Depends(requires("market.pledge", "register"))):
    try:
        pledges.register_pledge(db, user, form_model(PledgeCreate, form), ip_address=client_ip(request))
    except DomainError as exc:
        return _board_page(request, db, user, error=str(exc), form=form, form_name="pledge", status_code=exc.status)
    return RedirectResponse("/market?message=pledge#pledges", status_code=303)


# ---- figures: pages -------------------------------------------------------------------------------------------

@router.get("/market/stats", include_in_schema=False)
def stats_page(request: Request, query: Annotated[StatsQuery, Query()], db: Session = Depends(get_db),
               user: User = Depends(requires("market.stats", "view"))):
    figures = stats.stats_for(db, user, query)
    return render(request, "market/stats.html", {
        "stats": figures, "chart": stats.by_month_chart(figures), "progress_chart": stats.progress_chart(figures),
        "district_chart": stats.district_chart(figures), "district": figures.district_code}, db=db)


@router.get("/market/stats.xlsx", include_in_schema=False)
def stats_export(query: Annotated[StatsQuery, Query()], db: Session = Depends(get_db),
                 user: User = Depends(requires("market.stats", "view"))):
    figures = stats.stats_for(db, user, query)
    return download(exports.stats_workbook(figures), f"market-stats-{figures.year}.xlsx", EXCEL)


# ---- JSON API ---------------------------------------------------------------------------------------------------

@router.get("/api/market/listings", response_model=ListingPage, tags=TAGS)
def api_listings(filters: Annotated[ListingFilters, Query()], mine: bool = False, offset: Offset = 0,
                 limit: PageSize = 50, db: Session = Depends(get_db), user: User = Depends(requires(LISTING_RES, "view"))):
    """Published listings with filters; ``mine=true``: the user's work list (the own enterprise's listings; for city
    staff those awaiting review; for district staff their district's unpublished ones)."""
    if mine:
        rows = listings.worklist(db, user)[1]
        return ListingPage(total=len(rows), items=rows)
    rows, total = listings.published_listings(db, user, filters, offset=offset, limit=limit)
    return ListingPage(total=total, items=rows)


@router.post("/api/market/listings", status_code=201, response_model=ListingRead, tags=TAGS)
def api_create_listing(request: Request, body: ListingCreate, submit: bool = False, db: Session = Depends(get_db),
                       user: User = Depends(requires(LISTING_RES, "create"))):
    return listings.create_listing(db, user, body, submit=submit, ip_address=client_ip(request))


@router.get("/api/market/listings/{listing_id}", response_model=ListingRead, tags=TAGS)
def api_listing(listing_id: Id, db: Session = Depends(get_db), user: User = Depends(requires(LISTING_RES, "view"))):
    return listings.get_listing(db, user, listing_id)


@router.put("/api/market/listings/{listing_id}", response_model=ListingRead, tags=TAGS)
def api_update_listing(request: Request, listing_id: Id, body: ListingUpdate, db: Session = Depends(get_db),
                       user: User = Depends(requires(LISTING_RES, "edit"))):
    return listings.update_listing(db, user, listing_id, body, ip_address=client_ip(request))


@router.post("/api/market/listings/{listing_id}/deals", status_code=201, response_model=DealRead, tags=TAGS)
def api_listing_deal(request: Request, listing_id: Id, body: DealCreate, db: Session = Depends(get_db),
                     user: User = Depends(requires(LISTING_RES, "trade"))):
    data = body.model_copy(update={"listing_id": listing_id, "open_licence_id": None})
    return deals.read_deal(db, user, deals.open_deal(db, user, data, ip_address=client_ip(request)))


@router.get("/api/market/open-licences", response_model=Items[OpenLicenceRead], tags=TAGS)
def api_open_licences(keyword: ShortText | None = None, db: Session = Depends(get_db),
                      user: User = Depends(requires(OPEN_LICENCE_RES, "view"))):
    return Items[OpenLicenceRead](items=open_licences.published_open_licences(db, user, keyword=keyword))


@router.post("/api/market/open-licences", status_code=201, response_model=OpenLicenceRead, tags=TAGS)
def api_declare(request: Request, body: OpenLicenceCreate, db: Session = Depends(get_db),
                user: User = Depends(requires(OPEN_LICENCE_RES, "declare"))):
    return open_licences.declare_open_licence(db, user, body, ip_address=client_ip(request))


@router.get("/api/market/open-licences/{declaration_id}", response_model=OpenLicenceRead, tags=TAGS)
def api_open_licence(declaration_id: Id, db: Session = Depends(get_db),
                     user: User = Depends(requires(OPEN_LICENCE_RES, "view"))):
    return open_licences.get_open_licence(db, user, declaration_id)


@router.post("/api/market/open-licences/{declaration_id}/withdraw", response_model=OpenLicenceRead, tags=TAGS)
def api_withdraw_open_licence(request: Request, declaration_id: Id, db: Session = Depends(get_db),
                              user: User = Depends(requires(OPEN_LICENCE_RES, "withdraw"))):
    return open_licences.withdraw_open_licence(db, user, declaration_id, ip_address=client_ip(request))


@router.post("/api/market/open-licences/{declaration_id}/accept", status_code=201, response_model=LicenceRead,
             tags=TAGS)
def api_accept_open_licence(request: Request, declaration_id: Id, body: OpenLicenceAccept | None = None,
                            db: Session = Depends(get_db), user: User = Depends(requires(OPEN_LICENCE_RES, "accept"))):
    return open_licences.accept_open_licence(db, user, declaration_id, body, ip_address=client_ip(request))


@router.get("/api/market/deals", response_model=Items[DealRead], tags=TAGS)
def api_deals(db: Session = Depends(get_db), user: User = Depends(requires(DEAL_RES, "view"))):
    """The deals the user may see (the own enterprise's; city staff: all; district staff: their district's)."""
    return Items[DealRead](items=[deals.read_deal(db, user, d) for d in deals.deals_of(db, user)])


@router.post("/api/market/deals", status_code=201, response_model=DealRead, tags=TAGS)
def api_open_deal(request: Request, body: DealCreate, db: Session = Depends(get_db),
                  user: User = Depends(requires(DEAL_RES, "open"))):
    return deals.read_deal(db, user, deals.open_deal(db, user, body, ip_address=client_ip(request)))


@router.get("/api/market/deals/{deal_id}", response_model=DealRead, tags=TAGS)
def api_deal(deal_id: Id, db: Session = Depends(get_db), user: User = Depends(requires(DEAL_RES, "view"))):
    return deals.read_deal(db, user, deals.get_deal(db, user, deal_id))


@router.get("/api/market/licences", response_model=Items[LicenceRead], tags=TAGS)
def api_licences(db: Session = Depends(get_db), user: User = Depends(requires("market.licence", "view"))):
    return Items[LicenceRead](items=licences.licences_of(db, user))


@router.get("/api/market/pledges", response_model=Items[PledgeRead], tags=TAGS)
def api_pledges(db: Session = Depends(get_db), user: User = Depends(requires("market.pledge", "view"))):
    return Items[PledgeRead](items=pledges.pledges_of(db, user))


@router.post("/api/market/pledges", status_code=201, response_model=PledgeRead, tags=TAGS)
def api_register_pledge(request: Request, body: PledgeCreate, db: Session = Depends(get_db),
                        user: User = Depends(requires("market.pledge", "register"))):
    return pledges.register_pledge(db, user, body, ip_address=client_ip(request))


@router.get("/api/market/stats", response_model=StatsRead, tags=TAGS)
def api_stats(query: Annotated[StatsQuery, Query()], db: Session = Depends(get_db),
              user: User = Depends(requires("market.stats", "view"))):
    return stats.stats_for(db, user, query)


# One page route and one API route per step of the listing and deal workflows, each requiring the step's own
# policy action (the route × role test reads who may take it from the declaration).
for _step in LISTING.transitions.values():
    if _step.action in LISTING.button_actions:
        _listing_step_routes(_step)
for _step in DEAL.transitions.values():
    if _step.action in DEAL.button_actions:
        _deal_step_routes(_step)

"""Marketplace pages (/market) and JSON API (/api/market). Thin: the rules live in market.service.

Domain errors map to 422 (bad input, the message names the field) and 409 (an action the
current state does not allow); PermissionDenied is the app's 403.
"""

from __future__ import annotations

from ipbureau.core.uow import Router

from datetime import date
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied, current_user, require_roles, require_staff
from ipbureau.core.uow import get_db
from ipbureau.market import service
from ipbureau.market.enums import DealStatus, FeeBasis, LicenceType, ListingKind, ListingStatus, OpenLicenceStatus
from ipbureau.market.models import Deal, Licence, Listing, OpenLicence, Pledge
from ipbureau.market.web import int_or_none, market_status, market_transaction, open_licence_or_404
from ipbureau.web.errors import client_ip
from ipbureau.web.templating import render

router = Router()
# Who may hold or trade: enterprises for themselves, the city bureau on their behalf.
require_trader = require_roles(Role.ENTERPRISE, Role.ADMIN, Role.BUREAU_STAFF)
require_reviewer = require_roles(Role.ADMIN, Role.BUREAU_STAFF)

MESSAGES = {"saved": "已保存", "submit": "已提交审核", "approve": "已审核通过并发布", "reject": "已驳回",
            "withdraw": "已下架", "close": "已标记为已成交", "declared": "开放许可声明已公告",
            "ol_withdrawn": "开放许可声明已撤回（已取得的许可继续有效）", "accepted": "已取得开放许可",
            "deal": "已提交交易意向", "negotiate": "已进入洽谈", "sign": "已签约", "file": "已备案",
            "complete": "交易已完成", "cancel": "交易已取消", "pledge": "质押登记已保存"}
TEMPLATE_NAMES = {"ListingKind": ListingKind, "ListingStatus": ListingStatus, "LicenceType": LicenceType,
                  "FeeBasis": FeeBasis, "DealStatus": DealStatus, "OpenLicenceStatus": OpenLicenceStatus,
                  "yuan": service.format_yuan, "CONTRACT_LICENCE_TYPES": service.CONTRACT_LICENCE_TYPES}


_ip = client_ip


def _message(request: Request) -> str | None:
    return MESSAGES.get(request.query_params.get("message", ""))


_status_for = market_status
_api_transaction = market_transaction
_int_or_none = int_or_none


def _listing_or_404(db: Session, listing_id: int, user: User) -> Listing:
    listing = db.get(Listing, listing_id)
    # Not visible reads as not there: drafts of other enterprises are nobody else's business.
    if listing is None or not service.can_view_listing(db, user, listing):
        raise HTTPException(status_code=404, detail="挂牌不存在或尚未发布")
    return listing


_open_licence_or_404 = open_licence_or_404


def _deal_or_error(db: Session, deal_id: int, user: User) -> Deal:
    deal = db.get(Deal, deal_id)
    if deal is None:
        raise HTTPException(status_code=404, detail="交易不存在")
    if not service.can_view_deal(db, user, deal):
        raise PermissionDenied("交易详情只对交易双方和工作人员可见")
    return deal


def _filters(kind: str | None, district: str | None, ipc: str | None, price_min: str | None, price_max: str | None,
             keyword: str | None) -> service.ListingFilters:
    return service.ListingFilters(
        kind=kind or None, district=district or None, ipc=(ipc or "").strip() or None,
        price_min=service.parse_amount(price_min, "最低价格", required=False),
        price_max=service.parse_amount(price_max, "最高价格", required=False), keyword=(keyword or "").strip() or None)


# ---- JSON shapes --------------------------------------------------------------------------------

def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def listing_json(listing: Listing) -> dict[str, Any]:
    return {
        "id": listing.id, "kind": listing.kind, "status": listing.status,
        "status_label": ListingStatus(listing.status).label, "title": listing.title,
        "description": listing.description, "holder": {"id": listing.holder.id, "name": listing.holder.name,
                                                       "district_code": listing.holder.district_code},
        "patents": [{"id": p.id, "application_no": p.application_no, "title": p.title, "ipc_main": p.ipc_main}
                    for p in listing.patents],
        "price_yuan": _money(listing.price_yuan), "price_negotiable": listing.price_negotiable,
        "licence_type": listing.licence_type, "region": listing.region,
        "term_start": listing.term_start.isoformat() if listing.term_start else None,
        "term_end": listing.term_end.isoformat() if listing.term_end else None,
        "reject_reason": listing.reject_reason,
        "published_at": listing.published_at.isoformat() if listing.published_at else None,
    }


def open_licence_json(declaration: OpenLicence) -> dict[str, Any]:
    return {
        "id": declaration.id, "status": declaration.status, "patent": {
            "id": declaration.patent.id, "application_no": declaration.patent.application_no,
            "title": declaration.patent.title},
        "holder": {"id": declaration.holder.id, "name": declaration.holder.name},
        "fee_amount": _money(declaration.fee_amount), "fee_basis": declaration.fee_basis,
        "free": declaration.fee_amount == 0, "payment_method": declaration.payment_method,
        "term_start": declaration.term_start.isoformat(),
        "term_end": declaration.term_end.isoformat() if declaration.term_end else None,
        "published_at": declaration.published_at.isoformat(),
    }


def deal_json(deal: Deal) -> dict[str, Any]:
    """The full deal; only for users can_view_deal admits."""
    return {
        "id": deal.id, "kind": deal.kind, "status": deal.status, "status_label": DealStatus(deal.status).label,
        "listing_id": deal.listing_id, "open_licence_id": deal.open_licence_id,
        "holder": {"id": deal.holder.id, "name": deal.holder.name},
        "counterparty": {"id": deal.counterparty.id, "name": deal.counterparty.name},
        "licence_type": deal.licence_type, "free_licence": deal.free_licence, "amount_yuan": _money(deal.amount_yuan),
        "contract_no": deal.contract_no, "signed_on": deal.signed_on.isoformat() if deal.signed_on else None,
        "filing_no": deal.filing_no, "filed_on": deal.filed_on.isoformat() if deal.filed_on else None,
        "term_start": deal.term_start.isoformat() if deal.term_start else None,
        "term_end": deal.term_end.isoformat() if deal.term_end else None, "cancel_reason": deal.cancel_reason,
    }


def licence_json(licence: Licence) -> dict[str, Any]:
    return {"id": licence.id, "patent_id": licence.patent_id, "licence_type": licence.licence_type,
            "licensor_enterprise_id": licence.licensor_enterprise_id,
            "licensee_enterprise_id": licence.licensee_enterprise_id, "fee_amount": _money(licence.fee_amount),
            "fee_basis": licence.fee_basis, "free": licence.free, "term_start": licence.term_start.isoformat(),
            "term_end": licence.term_end.isoformat() if licence.term_end else None,
            "deal_id": licence.deal_id, "open_licence_id": licence.open_licence_id}


def pledge_json(pledge: Pledge) -> dict[str, Any]:
    return {"id": pledge.id, "holder_enterprise_id": pledge.holder_enterprise_id,
            "patents": [p.application_no for p in pledge.patents], "pledgee_bank": pledge.pledgee_bank,
            "amount_yuan": _money(pledge.amount_yuan), "registration_no": pledge.registration_no,
            "registered_on": pledge.registered_on.isoformat(),
            "term_start": pledge.term_start.isoformat() if pledge.term_start else None,
            "term_end": pledge.term_end.isoformat() if pledge.term_end else None}


def stats_json(stats: service.MarketStats) -> dict[str, Any]:
    return {"year": stats.year, "dataset": stats.dataset, "listed": stats.listed, "open_licences": stats.open_licences,
            "deals_done": stats.deals_done, "deals_amount": float(stats.deals_amount),
            "free_licences": stats.free_licences, "pledges": stats.pledges, "pledge_amount": float(stats.pledge_amount),
            "demands": stats.demands, "smes_pushed": stats.smes_pushed, "patents_counted": stats.patents_counted,
            "target": stats.target, "target_ratio": round(stats.target_ratio, 4), "yoy": stats.yoy,
            "by_month": [{"month": m.month, "listed": m.listed, "open_licences": m.open_licences,
                          "deals_done": m.deals_done, "amount": float(m.amount), "demands": m.demands,
                          "smes_pushed": m.smes_pushed, "patents_cumulative": m.patents_cumulative}
                         for m in stats.by_month],
            "by_district": [{"district_code": d.district_code, "name": d.name, "patents": d.patents,
                             "listed": d.listed, "open_licences": d.open_licences, "deals_done": d.deals_done,
                             "amount": float(d.amount), "demands": d.demands, "smes_pushed": d.smes_pushed}
                            for d in stats.by_district]}


# ---- pages ------------------------------------------------------------------------------------------------

def _market_page(request: Request, db: Session, user: User, *, error: str | None = None,
                 form: dict[str, str] | None = None, status_code: int = 200, filters: service.ListingFilters | None = None,
                 offset: int = 0):
    listings, total = service.published_listings(db, filters, offset=offset, limit=50)
    return render(request, "market.html", {
        "listings": listings, "total": total, "offset": offset, "filters": filters or service.ListingFilters(),
        "open_licences": service.published_open_licences(db), "mine": service.own_listings(db, user),
        "my_open_licences": service.own_open_licences(db, user), "deals": service.deals_of(db, user),
        "licences": service.licences_of(db, user), "pledges": service.pledges_of(db, user),
        "is_reviewer": service.is_reviewer(user), "is_enterprise": Role(user.role) == Role.ENTERPRISE,
        "is_staff_reader": Role(user.role) in (Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF),
        "can_trade": service.is_reviewer(user) or (Role(user.role) == Role.ENTERPRISE and bool(user.enterprise_id)),
        "districts": service.district_choices(db),
        "enterprises": service.enterprise_choices(db) if service.is_reviewer(user) else [],
        "message": _message(request), "error": error, "form": form or {}, **TEMPLATE_NAMES,
    }, db=db, status_code=status_code)


@router.get("/market", include_in_schema=False)
def market_page(request: Request, kind: str | None = Query(None), district: str | None = Query(None),
                ipc: str | None = Query(None), price_min: str | None = Query(None), price_max: str | None = Query(None),
                keyword: str | None = Query(None), offset: int = Query(0, ge=0), db: Session = Depends(get_db),
                user: User = Depends(current_user)):
    try:
        filters = _filters(kind, district, ipc, price_min, price_max, keyword)
    except service.MarketError as exc:
        return _market_page(request, db, user, error=str(exc), status_code=422)
    return _market_page(request, db, user, filters=filters, offset=offset)


def _listing_page(request: Request, db: Session, user: User, listing: Listing | None, *, error: str | None = None,
                  form: dict[str, Any] | None = None, status_code: int = 200):
    editable = listing is None or (listing.status in (ListingStatus.DRAFT, ListingStatus.REJECTED)
                                   and service.acts_for(user, listing.holder_enterprise_id))
    if form is None and listing is not None:
        form = {"kind": listing.kind, "patents": " ".join(p.application_no for p in listing.patents),
                "title": listing.title, "description": listing.description or "",
                "price": "" if listing.price_yuan is None else str(listing.price_yuan),
                "negotiable": listing.price_negotiable, "licence_type": listing.licence_type or "",
                "region": listing.region or "", "term_start": listing.term_start or "", "term_end": listing.term_end or ""}
    deals = [d for d in service.deals_of(db, user) if listing is not None and d.listing_id == listing.id]
    return render(request, "market_listing.html", {
        "listing": listing, "form": form or {"kind": "transfer"}, "editable": editable,
        "actions": service.listing_actions(listing, user) if listing else [],
        "can_open_deal": listing is not None and listing.status == ListingStatus.PUBLISHED and (
            service.is_reviewer(user) or (Role(user.role) == Role.ENTERPRISE and bool(user.enterprise_id))),
        "is_holder": listing is not None and service.acts_for(user, listing.holder_enterprise_id),
        "deals": deals, "is_reviewer": service.is_reviewer(user),
        "enterprises": service.enterprise_choices(db) if service.is_reviewer(user) or listing is not None else [],
        "message": _message(request), "error": error, **TEMPLATE_NAMES,
    }, db=db, status_code=status_code)


def _listing_input(form: dict[str, Any]) -> service.ListingInput:
    return service.ListingInput(kind=form["kind"], patents=form["patents"], title=form["title"],
                                description=form["description"], price=form["price"],
                                negotiable=bool(form["negotiable"]), licence_type=form["licence_type"] or None,
                                region=form["region"], term_start=form["term_start"], term_end=form["term_end"])


@router.get("/market/listings/new", include_in_schema=False)
def listing_new_page(request: Request, db: Session = Depends(get_db), user: User = Depends(require_trader)):
    return _listing_page(request, db, user, None)


@router.post("/market/listings", include_in_schema=False)
def listing_create(request: Request, kind: str = Form("transfer"), patents: str = Form(""), title: str = Form(""),
                   description: str = Form(""), price: str = Form(""), negotiable: str = Form(""),
                   licence_type: str = Form(""), region: str = Form(""), term_start: str = Form(""),
                   term_end: str = Form(""), holder_enterprise_id: str = Form(""), then_submit: str = Form(""),
                   db: Session = Depends(get_db), user: User = Depends(require_trader)):
    form = {"kind": kind, "patents": patents, "title": title, "description": description, "price": price,
            "negotiable": negotiable, "licence_type": licence_type, "region": region, "term_start": term_start,
            "term_end": term_end, "holder_enterprise_id": holder_enterprise_id}
    try:
        listing = service.create_listing(db, _listing_input(form), actor=user,
                                         holder_enterprise_id=_int_or_none(holder_enterprise_id), ip_address=_ip(request))
        if then_submit:
            service.move_listing(db, listing, "submit", actor=user, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _listing_page(request, db, user, None, error=str(exc), form=form, status_code=_status_for(exc))
    return RedirectResponse(f"/market/listings/{listing.id}?message={'submit' if then_submit else 'saved'}",
                            status_code=303)


@router.get("/market/listings/{listing_id}", include_in_schema=False)
def listing_page(request: Request, listing_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _listing_page(request, db, user, _listing_or_404(db, listing_id, user))


@router.post("/market/listings/{listing_id}/edit", include_in_schema=False)
def listing_edit(request: Request, listing_id: int, kind: str = Form("transfer"), patents: str = Form(""),
                 title: str = Form(""), description: str = Form(""), price: str = Form(""), negotiable: str = Form(""),
                 licence_type: str = Form(""), region: str = Form(""), term_start: str = Form(""),
                 term_end: str = Form(""), db: Session = Depends(get_db), user: User = Depends(require_trader)):
    listing = _listing_or_404(db, listing_id, user)
    form = {"kind": kind, "patents": patents, "title": title, "description": description, "price": price,
            "negotiable": negotiable, "licence_type": licence_type, "region": region, "term_start": term_start,
            "term_end": term_end}
    try:
        service.update_listing(db, listing, _listing_input(form), actor=user, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _listing_page(request, db, user, db.get(Listing, listing_id), error=str(exc), form=form,
                             status_code=_status_for(exc))
    return RedirectResponse(f"/market/listings/{listing_id}?message=saved", status_code=303)


@router.post("/market/listings/{listing_id}/deals", include_in_schema=False)
def listing_open_deal(request: Request, listing_id: int, counterparty_enterprise_id: str = Form(""),
                      licence_type: str = Form(""), free_licence: str = Form(""), note: str = Form(""),
                      db: Session = Depends(get_db), user: User = Depends(require_trader)):
    listing = _listing_or_404(db, listing_id, user)
    try:
        deal = service.open_deal(db, actor=user, listing=listing,
                                 counterparty_enterprise_id=_int_or_none(counterparty_enterprise_id),
                                 licence_type=licence_type or None, free_licence=bool(free_licence), note=note,
                                 ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _listing_page(request, db, user, db.get(Listing, listing_id), error=str(exc),
                             status_code=_status_for(exc))
    return RedirectResponse(f"/market/deals/{deal.id}?message=deal", status_code=303)


@router.post("/market/listings/{listing_id}/{action}", include_in_schema=False)
def listing_move(request: Request, listing_id: int, action: str, reason: str = Form(""),
                 db: Session = Depends(get_db), user: User = Depends(require_trader)):
    listing = _listing_or_404(db, listing_id, user)
    try:
        service.move_listing(db, listing, action, actor=user, reason=reason, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _listing_page(request, db, user, db.get(Listing, listing_id), error=str(exc),
                             status_code=_status_for(exc))
    return RedirectResponse(f"/market/listings/{listing_id}?message={action}", status_code=303)


@router.post("/market/open-licences", include_in_schema=False)
def open_licence_declare(request: Request, patent: str = Form(""), fee_amount: str = Form(""),
                         fee_basis: str = Form("lump_sum"), payment_method: str = Form(""), term_start: str = Form(""),
                         term_end: str = Form(""), note: str = Form(""), holder_enterprise_id: str = Form(""),
                         db: Session = Depends(get_db), user: User = Depends(require_trader)):
    form = {"ol_patent": patent, "fee_amount": fee_amount, "fee_basis": fee_basis, "payment_method": payment_method,
            "ol_term_start": term_start, "ol_term_end": term_end, "ol_note": note}
    try:
        service.declare_open_licence(db, service.OpenLicenceInput(patent, fee_amount, fee_basis, payment_method,
                                                                  term_start, term_end, note), actor=user,
                                     holder_enterprise_id=_int_or_none(holder_enterprise_id), ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _market_page(request, db, user, error=str(exc), form=form, status_code=_status_for(exc))
    return RedirectResponse("/market?message=declared#open-licences", status_code=303)


@router.post("/market/open-licences/{declaration_id}/{action}", include_in_schema=False)
def open_licence_move(request: Request, declaration_id: int, action: str, licensee_enterprise_id: str = Form(""),
                      db: Session = Depends(get_db), user: User = Depends(require_trader)):
    declaration = _open_licence_or_404(db, declaration_id)
    try:
        if action == "withdraw":
            service.withdraw_open_licence(db, declaration, actor=user, ip_address=_ip(request))
        elif action == "accept":
            service.accept_open_licence(db, declaration, actor=user,
                                        licensee_enterprise_id=_int_or_none(licensee_enterprise_id),
                                        ip_address=_ip(request))
        else:
            raise HTTPException(status_code=404, detail="未知操作")
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _market_page(request, db, user, error=str(exc), status_code=_status_for(exc))
    if action == "accept":
        return RedirectResponse(f"/market/open-licences/{declaration_id}?message=accepted", status_code=303)
    return RedirectResponse("/market?message=ol_withdrawn#open-licences", status_code=303)


def _deal_page(request: Request, db: Session, user: User, deal: Deal, *, error: str | None = None,
               status_code: int = 200):
    return render(request, "market_deal.html", {
        "deal": deal, "patents": service.deal_patents(deal), "actions": service.deal_actions(deal, user),
        "today": date.today().isoformat(), "message": _message(request), "error": error, **TEMPLATE_NAMES,
    }, db=db, status_code=status_code)


@router.get("/market/deals/{deal_id}", include_in_schema=False)
def deal_page(request: Request, deal_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return _deal_page(request, db, user, _deal_or_error(db, deal_id, user))


@router.post("/market/deals/{deal_id}/{action}", include_in_schema=False)
def deal_move(request: Request, deal_id: int, action: str, amount: str = Form(""), contract_no: str = Form(""),
              signed_on: str = Form(""), term_start: str = Form(""), term_end: str = Form(""),
              filing_no: str = Form(""), filed_on: str = Form(""), reason: str = Form(""),
              db: Session = Depends(get_db), user: User = Depends(require_trader)):
    deal = _deal_or_error(db, deal_id, user)
    try:
        service.move_deal(db, deal, action, actor=user, amount=amount, contract_no=contract_no, signed_on=signed_on,
                          term_start=term_start, term_end=term_end, filing_no=filing_no, filed_on=filed_on,
                          reason=reason, ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _deal_page(request, db, user, db.get(Deal, deal_id), error=str(exc), status_code=_status_for(exc))
    return RedirectResponse(f"/market/deals/{deal_id}?message={action}", status_code=303)


@router.post("/market/pledges", include_in_schema=False)
def pledge_register(request: Request, patents: str = Form(""), pledgee_bank: str = Form(""), amount: str = Form(""),
                    registered_on: str = Form(""), registration_no: str = Form(""), term_start: str = Form(""),
                    term_end: str = Form(""), holder_enterprise_id: str = Form(""), db: Session = Depends(get_db),
                    user: User = Depends(require_trader)):
    form = {"pl_patents": patents, "pledgee_bank": pledgee_bank, "pl_amount": amount, "registered_on": registered_on,
            "registration_no": registration_no, "pl_term_start": term_start, "pl_term_end": term_end}
    try:
        service.register_pledge(db, service.PledgeInput(patents, pledgee_bank, amount, registered_on, registration_no,
                                                        term_start, term_end), actor=user,
                                holder_enterprise_id=_int_or_none(holder_enterprise_id), ip_address=_ip(request))
        db.commit()
    except service.MarketError as exc:
        db.rollback()
        return _market_page(request, db, user, error=str(exc), form=form, status_code=_status_for(exc))
    return RedirectResponse("/market?message=pledge#pledges", status_code=303)


def _stats_scope(db: Session, user: User, year: int | None, dataset: str | None) -> tuple[int, str | None, str]:
    from ipbureau.stats.views import default_dataset

    chosen = dataset or default_dataset(db).value
    if chosen not in ("real", "demo"):
        raise HTTPException(status_code=422, detail=f"数据类别无效：“{dataset}”（应为 real 或 demo）")
    if year is not None and not 1985 <= year <= 2100:
        raise HTTPException(status_code=422, detail="年份应在 1985 到 2100 之间")
    # District staff read their own district's figures.
    district = user.district_code if Role(user.role) == Role.DISTRICT_STAFF else None
    return year or date.today().year, district, chosen


@router.get("/market/stats", include_in_schema=False)
def stats_page(request: Request, year: int | None = Query(None), dataset: str | None = Query(None),
               db: Session = Depends(get_db), user: User = Depends(require_staff)):
    year, district, chosen = _stats_scope(db, user, year, dataset)
    stats = service.market_stats(db, year, district_code=district, dataset=chosen)
    return render(request, "market_stats.html", {
        "stats": stats, "chart": service.by_month_chart(stats), "progress_chart": service.progress_chart(stats),
        "district_chart": service.district_chart(stats), "district": district, **TEMPLATE_NAMES}, db=db)


@router.get("/market/stats.xlsx", include_in_schema=False)
def stats_export(year: int | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
                 user: User = Depends(require_staff)):
    year, district, chosen = _stats_scope(db, user, year, dataset)
    data = service.stats_workbook(service.market_stats(db, year, district_code=district, dataset=chosen))
    filename = f"market-stats-{year}.xlsx"
    return Response(content=data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# ---- JSON API ------------------------------------------------------------------------------------------------

class ListingIn(BaseModel):
    kind: str
    patents: list[str]
    title: str | None = None
    description: str | None = None
    price_yuan: str | float | None = None
    price_negotiable: bool = False
    licence_type: str | None = None
    region: str | None = None
    term_start: date | None = None
    term_end: date | None = None
    holder_enterprise_id: int | None = None

    def to_input(self) -> service.ListingInput:
        return service.ListingInput(kind=self.kind, patents=self.patents, title=self.title,
                                    description=self.description, price=self.price_yuan,
                                    negotiable=self.price_negotiable, licence_type=self.licence_type, region=self.region,
                                    term_start=self.term_start, term_end=self.term_end)


class ReasonIn(BaseModel):
    reason: str | None = None


class OpenLicenceIn(BaseModel):
    patent: str
    fee_amount: str | float
    fee_basis: str
    payment_method: str
    term_start: date | None = None
    term_end: date | None = None
    note: str | None = None
    holder_enterprise_id: int | None = None


class AcceptIn(BaseModel):
    licensee_enterprise_id: int | None = None


class DealIn(BaseModel):
    listing_id: int | None = None
    open_licence_id: int | None = None
    counterparty_enterprise_id: int | None = None
    licence_type: str | None = None
    free_licence: bool = False
    note: str | None = None


class DealActionIn(BaseModel):
    amount_yuan: str | float | None = None
    contract_no: str | None = None
    signed_on: date | None = None
    term_start: date | None = None
    term_end: date | None = None
    filing_no: str | None = None
    filed_on: date | None = None
    reason: str | None = None


class PledgeIn(BaseModel):
    patents: list[str]
    pledgee_bank: str
    amount_yuan: str | float
    registered_on: date
    registration_no: str | None = None
    term_start: date | None = None
    term_end: date | None = None
    holder_enterprise_id: int | None = None


@router.get("/api/market/listings", tags=["交易运营"])
def api_listings(kind: str | None = Query(None), district: str | None = Query(None), ipc: str | None = Query(None),
                 price_min: str | None = Query(None), price_max: str | None = Query(None),
                 keyword: str | None = Query(None), mine: bool = Query(False), offset: int = Query(0, ge=0),
                 limit: int = Query(50, ge=1, le=200), db: Session = Depends(get_db),
                 user: User = Depends(current_user)):
    """Published listings with filters; ``mine=true``: the own enterprise's (or, for staff, those awaiting review)."""
    if mine:
        rows = service.own_listings(db, user)
        return {"total": len(rows), "items": [listing_json(x) for x in rows]}
    try:
        filters = _filters(kind, district, ipc, price_min, price_max, keyword)
    except service.MarketError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from exc
    rows, total = service.published_listings(db, filters, offset=offset, limit=limit)
    return {"total": total, "items": [listing_json(x) for x in rows]}


@router.post("/api/market/listings", status_code=201, tags=["交易运营"])
def api_create_listing(request: Request, body: ListingIn, submit: bool = Query(False), db: Session = Depends(get_db),
                       user: User = Depends(require_trader)):
    with _api_transaction(db):
        listing = service.create_listing(db, body.to_input(), actor=user,
                                         holder_enterprise_id=body.holder_enterprise_id, ip_address=_ip(request))
        if submit:
            service.move_listing(db, listing, "submit", actor=user, ip_address=_ip(request))
    return listing_json(listing)


@router.get("/api/market/listings/{listing_id}", tags=["交易运营"])
def api_listing(listing_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return listing_json(_listing_or_404(db, listing_id, user))


@router.put("/api/market/listings/{listing_id}", tags=["交易运营"])
def api_update_listing(request: Request, listing_id: int, body: ListingIn, db: Session = Depends(get_db),
                       user: User = Depends(require_trader)):
    listing = _listing_or_404(db, listing_id, user)
    with _api_transaction(db):
        service.update_listing(db, listing, body.to_input(), actor=user, ip_address=_ip(request))
    return listing_json(listing)


@router.post("/api/market/listings/{listing_id}/deals", status_code=201, tags=["交易运营"])
def api_listing_deal(request: Request, listing_id: int, body: DealIn, db: Session = Depends(get_db),
                     user: User = Depends(require_trader)):
    listing = _listing_or_404(db, listing_id, user)
    with _api_transaction(db):
        deal = service.open_deal(db, actor=user, listing=listing,
                                 counterparty_enterprise_id=body.counterparty_enterprise_id,
                                 licence_type=body.licence_type, free_licence=body.free_licence, note=body.note,
                                 ip_address=_ip(request))
    return deal_json(deal)


@router.post("/api/market/listings/{listing_id}/{action}", tags=["交易运营"])
def api_move_listing(request: Request, listing_id: int, action: str, body: ReasonIn | None = None,
                     db: Session = Depends(get_db), user: User = Depends(require_trader)):
    """submit / approve / reject (reason) / withdraw / close."""
    listing = _listing_or_404(db, listing_id, user)
    with _api_transaction(db):
        service.move_listing(db, listing, action, actor=user, reason=body.reason if body else None,
                             ip_address=_ip(request))
    return listing_json(listing)


@router.get("/api/market/open-licences", tags=["交易运营"])
def api_open_licences(keyword: str | None = Query(None), db: Session = Depends(get_db),
                      _user: User = Depends(current_user)):
    return {"items": [open_licence_json(x) for x in service.published_open_licences(db, keyword=keyword)]}


@router.post("/api/market/open-licences", status_code=201, tags=["交易运营"])
def api_declare(request: Request, body: OpenLicenceIn, db: Session = Depends(get_db),
                user: User = Depends(require_trader)):
    with _api_transaction(db):
        declaration = service.declare_open_licence(
            db, service.OpenLicenceInput(body.patent, body.fee_amount, body.fee_basis, body.payment_method,
                                         body.term_start, body.term_end, body.note),
            actor=user, holder_enterprise_id=body.holder_enterprise_id, ip_address=_ip(request))
    return open_licence_json(declaration)


@router.post("/api/market/open-licences/{declaration_id}/withdraw", tags=["交易运营"])
def api_withdraw_open_licence(request: Request, declaration_id: int, db: Session = Depends(get_db),
                              user: User = Depends(require_trader)):
    declaration = _open_licence_or_404(db, declaration_id)
    with _api_transaction(db):
        service.withdraw_open_licence(db, declaration, actor=user, ip_address=_ip(request))
    return open_licence_json(declaration)


@router.post("/api/market/open-licences/{declaration_id}/accept", status_code=201, tags=["交易运营"])
def api_accept_open_licence(request: Request, declaration_id: int, body: AcceptIn | None = None,
                            db: Session = Depends(get_db), user: User = Depends(require_trader)):
    declaration = _open_licence_or_404(db, declaration_id)
    with _api_transaction(db):
        licence = service.accept_open_licence(db, declaration, actor=user,
                                              licensee_enterprise_id=body.licensee_enterprise_id if body else None,
                                              ip_address=_ip(request))
    return licence_json(licence)


@router.get("/api/market/deals", tags=["交易运营"])
def api_deals(db: Session = Depends(get_db), user: User = Depends(current_user)):
    """The deals the user may see (own enterprise's; staff: all, district staff: their district's)."""
    return {"items": [deal_json(d) for d in service.deals_of(db, user)]}


@router.post("/api/market/deals", status_code=201, tags=["交易运营"])
def api_open_deal(request: Request, body: DealIn, db: Session = Depends(get_db), user: User = Depends(require_trader)):
    listing = _listing_or_404(db, body.listing_id, user) if body.listing_id else None
    declaration = _open_licence_or_404(db, body.open_licence_id) if body.open_licence_id else None
    with _api_transaction(db):
        deal = service.open_deal(db, actor=user, listing=listing, open_licence=declaration,
                                 counterparty_enterprise_id=body.counterparty_enterprise_id,
                                 licence_type=body.licence_type, free_licence=body.free_licence, note=body.note,
                                 ip_address=_ip(request))
    return deal_json(deal)


@router.get("/api/market/deals/{deal_id}", tags=["交易运营"])
def api_deal(deal_id: int, db: Session = Depends(get_db), user: User = Depends(current_user)):
    return deal_json(_deal_or_error(db, deal_id, user))


@router.post("/api/market/deals/{deal_id}/{action}", tags=["交易运营"])
def api_move_deal(request: Request, deal_id: int, action: str, body: DealActionIn | None = None,
                  db: Session = Depends(get_db), user: User = Depends(require_trader)):
    """negotiate / sign (amount_yuan, …) / file (filing_no, filed_on) / complete / cancel (reason)."""
    deal = _deal_or_error(db, deal_id, user)
    body = body or DealActionIn()
    with _api_transaction(db):
        service.move_deal(db, deal, action, actor=user, amount=body.amount_yuan, contract_no=body.contract_no,
                          signed_on=body.signed_on, term_start=body.term_start, term_end=body.term_end,
                          filing_no=body.filing_no, filed_on=body.filed_on, reason=body.reason,
                          ip_address=_ip(request))
    return deal_json(deal)


@router.get("/api/market/licences", tags=["交易运营"])
def api_licences(db: Session = Depends(get_db), user: User = Depends(current_user)):
    return {"items": [licence_json(x) for x in service.licences_of(db, user)]}


@router.get("/api/market/pledges", tags=["交易运营"])
def api_pledges(db: Session = Depends(get_db), user: User = Depends(current_user)):
    return {"items": [pledge_json(x) for x in service.pledges_of(db, user)]}


@router.post("/api/market/pledges", status_code=201, tags=["交易运营"])
def api_register_pledge(request: Request, body: PledgeIn, db: Session = Depends(get_db),
                        user: User = Depends(require_trader)):
    with _api_transaction(db):
        pledge = service.register_pledge(
            db, service.PledgeInput(body.patents, body.pledgee_bank, body.amount_yuan, body.registered_on,
                                    body.registration_no, body.term_start, body.term_end),
            actor=user, holder_enterprise_id=body.holder_enterprise_id, ip_address=_ip(request))
    return pledge_json(pledge)


@router.get("/api/market/stats", tags=["交易运营"])
def api_stats(year: int | None = Query(None), dataset: str | None = Query(None), db: Session = Depends(get_db),
              user: User = Depends(require_staff)):
    year, district, chosen = _stats_scope(db, user, year, dataset)
    return stats_json(service.market_stats(db, year, district_code=district, dataset=chosen))


# Demands, matching, pushes and open-licence pages live in their own module.
from ipbureau.market.matching_views import router as _matching_router  # noqa: E402

router.include_router(_matching_router)

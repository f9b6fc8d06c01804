"""Deals (交易): from an intention on a published listing or open licence, through negotiation, contract and
filing, to completion, or cancelled on the way (market.workflows.DEAL).

A deal is private: its two parties, city staff, and district staff of either party's district read it; anyone else
gets 404, as for a deal that does not exist. The parties and city staff take its steps. A completed licence deal
files the licences; a completed transfer (or exclusive licence) closes the listing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.errors import DomainError, TransitionError
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.market.checks import check_term, optional_text, required_text
from ipbureau.market.enums import (
    CONTRACT_LICENCE_TYPES,
    FeeBasis,
    LicenceType,
    ListingKind,
)
from ipbureau.market.licences import file_licence
from ipbureau.market.listings import close_after_deal
from ipbureau.market.models import Deal
from ipbureau.market.parties import acting_enterprise
from ipbureau.market.patents import check_no_open_licence
from ipbureau.market.schemas import DealCreate, DealRead, DealStep
from ipbureau.market.workflows import DEAL, LISTING, OPEN_LICENCE
from ipbureau.patents.models import Patent
from ipbureau.policy import policy

RESOURCE = "market.deal"
LOADED = (selectinload(Deal.holder), selectinload(Deal.counterparty))


def get_deal(session: Session, user: Any, deal_id: int) -> Deal:
    """The deal if the user may see it; NotFound otherwise (missing and hidden alike)."""
    return policy.get(session, user, RESOURCE, deal_id, options=LOADED)


def deal_patents(deal: Deal) -> list[Patent]:
    if deal.listing is not None:
        return list(deal.listing.patents)
    if deal.open_licence is not None:
        return [deal.open_licence.patent]
    return []


def open_deal(session: Session, user: Any, data: DealCreate, *, ip_address: str | None = None) -> Deal:
    """An intention (意向) on a published listing or open licence. Another enterprise's user opens it for the own
    enterprise; the holder's side (its users, staff on its behalf) names the counterparty instead."""
    policy.authorize(session, user, RESOURCE, "open")
    if (data.listing_id is None) == (data.open_licence_id is None):
        raise DomainError("交易标的", "请选择一项挂牌或一份开放许可声明")
    listing = open_licence = None
    if data.listing_id is not None:
        listing = policy.get(session, user, "market.listing", data.listing_id, "trade")
        LISTING.check(listing, "trade")
        holder, kind, patents = listing.holder, ListingKind(listing.kind), list(listing.patents)
    else:
        open_licence = policy.get(session, user, "market.open_licence", data.open_licence_id, "trade")
        OPEN_LICENCE.check(open_licence, "trade")
        holder, kind, patents = open_licence.holder, ListingKind.LICENCE, [open_licence.patent]
    if user.enterprise_id is not None and user.enterprise_id != holder.id:
        counterparty = acting_enterprise(session, user, None, field_name="交易对方")
    else:
        acting_enterprise(session, user, holder.id, field_name="专利权人企业")
        counterparty = _named_counterparty(session, data.counterparty_enterprise_id)
    if counterparty.id == holder.id:
        raise DomainError("交易对方", "交易对方不能是专利权人自己")
    licence_type = None
    if open_licence is not None:
        licence_type = LicenceType.OPEN
    elif kind == ListingKind.LICENCE:
        licence_type = data.licence_type or listing.licence_type
        if licence_type not in CONTRACT_LICENCE_TYPES:
            raise DomainError("许可类型", "只能选择独占、排他或普通许可")
    check_no_open_licence(session, patents, licence_type)
    deal = Deal(created_by=user.id)
    with DEAL.step(session, deal, "create", actor=user, policy=None, ip_address=ip_address,
                   summary=f"交易意向：{counterparty.name} — {holder.name}（{kind.label}）"):
        deal.kind, deal.licence_type = kind, licence_type
        deal.free_licence = data.free_licence and kind == ListingKind.LICENCE
        deal.listing, deal.open_licence = listing, open_licence
        deal.listing_id = listing.id if listing else None
        deal.open_licence_id = open_licence.id if open_licence else None
        deal.holder_enterprise_id, deal.holder = holder.id, holder
        deal.counterparty_enterprise_id, deal.counterparty = counterparty.id, counterparty
        deal.note = optional_text(data.note)
        session.add(deal)
    return deal


def _named_counterparty(session: Session, enterprise_id: int | None) -> Enterprise:
    if enterprise_id is None:
        raise DomainError("交易对方", "请选择交易对方企业")
    counterparty = session.get(Enterprise, enterprise_id)
    if counterparty is None:
        raise DomainError("交易对方", f"编号为 {enterprise_id} 的企业不存在")
    return counterparty


def move_deal(session: Session, user: Any, deal_id: int, action: str, data: DealStep | None = None, *,
              today: date | None = None, ip_address: str | None = None) -> Deal:
    """negotiate / sign (amount, contract, term) / file (filing number and date) / complete / cancel (reason)."""
    if action not in DEAL.button_actions:
        raise TransitionError("操作", f"未知的操作“{action}”")
    policy.require(user, RESOURCE, DEAL.transition(action).policy_action)
    deal = get_deal(session, user, deal_id)
    data = data or DealStep()
    today = today or date.today()
    with DEAL.step(session, deal, action, actor=user, policy=policy, ip_address=ip_address,
                   summary=f"交易{DEAL.transition(action).label}：#{deal.id}", expected_version=data.version):
        if action == "sign":
            _sign(session, deal, data, today)
        elif action == "file":
            _file(deal, data)
        elif action == "complete":
            check_no_open_licence(session, deal_patents(deal), deal.licence_type)
            deal.done_at = utcnow()
        elif action == "cancel":
            deal.cancel_reason = required_text(data.reason, "取消原因")
    if action == "complete":
        _on_done(session, user, deal, today, ip_address)
    return deal


def _sign(session: Session, deal: Deal, data: DealStep, today: date) -> None:
    if deal.free_licence:
        if data.amount_yuan:
            raise DomainError("成交金额", "免费许可的成交金额应为 0")
        amount = Decimal("0.00")
    elif data.amount_yuan is None:
        raise DomainError("成交金额", "请填写金额")
    elif data.amount_yuan <= 0:
        raise DomainError("成交金额", "签约时必须填写大于 0 的金额（元）")
    else:
        amount = data.amount_yuan
    check_term(data.term_start, data.term_end, "许可期限")
    check_no_open_licence(session, deal_patents(deal), deal.licence_type)
    deal.amount_yuan, deal.contract_no = amount, optional_text(data.contract_no)
    deal.signed_on = data.signed_on or today
    deal.term_start, deal.term_end = data.term_start, data.term_end


def _file(deal: Deal, data: DealStep) -> None:
    filing_no = required_text(data.filing_no, "备案号")
    if data.filed_on is None:
        raise DomainError("备案日期", "请填写备案日期")
    if deal.signed_on and data.filed_on < deal.signed_on:
        raise DomainError("备案日期", f"不能早于签约日期 {deal.signed_on}")
    deal.filing_no, deal.filed_on = filing_no, data.filed_on


def _on_done(session: Session, actor: Any, deal: Deal, today: date, ip_address: str | None) -> None:
    if deal.kind == ListingKind.LICENCE:
        for patent in deal_patents(deal):
            file_licence(session, actor, ip_address=ip_address, patent_id=patent.id,
                         licensor_enterprise_id=deal.holder_enterprise_id,
                         licensee_enterprise_id=deal.counterparty_enterprise_id, licence_type=deal.licence_type,
                         fee_amount=deal.amount_yuan, fee_basis=FeeBasis.LUMP_SUM, free=bool(deal.free_licence),
                         term_start=deal.term_start or deal.signed_on or today, term_end=deal.term_end,
                         deal_id=deal.id, open_licence_id=deal.open_licence_id)
    if deal.listing is not None and (deal.kind == ListingKind.TRANSFER or deal.licence_type == LicenceType.EXCLUSIVE):
        close_after_deal(session, actor, deal.listing, ip_address=ip_address)


# ---- reading -----------------------------------------------------------------------------------------------

def deals_of(session: Session, user: Any, *, listing_id: int | None = None) -> list[Deal]:
    """The deals the user may see, latest first."""
    query = policy.scoped(select(Deal), user, RESOURCE).options(*LOADED)
    if listing_id is not None:
        query = query.where(Deal.listing_id == listing_id)
    return list(session.scalars(query.order_by(Deal.updated_at.desc(), Deal.id.desc()).limit(200)))


def read_deal(session: Session, user: Any, deal: Deal) -> DealRead:
    """The deal as the user may read it: the amount only where the policy shows it (``market.deal`` amount)."""
    read = DealRead.model_validate(deal)
    if not policy.can(session, user, RESOURCE, "amount", deal):
        read.amount_yuan = None
    return read

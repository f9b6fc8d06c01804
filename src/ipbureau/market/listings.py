"""Listings (挂牌): a holder offers its valid patents for transfer, licence or pledge financing; city staff review
the offer, which is then on the public board until it is withdrawn or traded (market.workflows.LISTING).

Who may do what, and which listings a user sees, is the policy's (``market.listing``); the rules here are the
offer's own: the patents are valid and held by the holder, a licence offer names its type, a term ends after it
starts. Everything is checked before anything is set, so a refused change leaves the listing as it was.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.access import role_name
from ipbureau.core.errors import DomainError, TransitionError
from ipbureau.database.core import paginate, utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.market.checks import check_term, optional_text, required_text
from ipbureau.market.enums import CONTRACT_LICENCE_TYPES, ListingKind, ListingStatus
from ipbureau.market.models import Listing, listing_patent
from ipbureau.market.parties import acting_enterprise
from ipbureau.market.patents import check_holder, held_patents
from ipbureau.market.schemas import ListingCreate, ListingFilters, ListingUpdate
from ipbureau.market.workflows import LISTING
from ipbureau.patents.models import Patent, PatentIpc
from ipbureau.policy import policy
from ipbureau.policy.market import WORKLIST_HEADINGS

RESOURCE = "market.listing"
LOADED = (selectinload(Listing.patents), selectinload(Listing.holder))


def get_listing(session: Session, user: Any, listing_id: int) -> Listing:
    """The listing if the user may see it (published, or the user's own, or staff's); NotFound otherwise."""
    return policy.get(session, user, RESOURCE, listing_id, options=LOADED)


def _offer(session: Session, data: ListingUpdate, holder: Enterprise, today: date) -> dict[str, Any]:
    """The listing's fields from what the holder filled in, every rule checked."""
    patents = held_patents(session, data.patents, holder, today)
    licence_type = None
    if data.kind == ListingKind.LICENCE:
        if data.licence_type is None:
            raise DomainError("许可类型", "许可挂牌须选择独占、排他或普通许可")
        if data.licence_type not in CONTRACT_LICENCE_TYPES:
            raise DomainError("许可类型", "挂牌只能选择独占、排他或普通许可")
        licence_type = data.licence_type
    if not data.price_negotiable and data.price_yuan is None:
        raise DomainError("挂牌价格", "请填写金额")
    check_term(data.term_start, data.term_end, "挂牌期限")
    return {"kind": data.kind, "patents": patents, "title": optional_text(data.title) or patents[0].title[:200],
            "description": optional_text(data.description),
            "price_yuan": None if data.price_negotiable else data.price_yuan,
            "price_negotiable": data.price_negotiable, "licence_type": licence_type,
            "region": optional_text(data.region), "term_start": data.term_start, "term_end": data.term_end}


def _set(listing: Listing, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(listing, name, value)


def create_listing(session: Session, user: Any, data: ListingCreate, *, submit: bool = False,
                   today: date | None = None, ip_address: str | None = None) -> Listing:
    """A draft listing of the holder's valid patents (``submit``: submitted for review at once)."""
    policy.authorize(session, user, RESOURCE, "create")
    holder = acting_enterprise(session, user, data.holder_enterprise_id, field_name="专利权人企业")
    today = today or date.today()
    values = _offer(session, data, holder, today)
    listing = Listing(created_by=user.id)
    with LISTING.step(session, listing, "create", actor=user, policy=None, summary=f"新建挂牌：{values['title']}",
                      ip_address=ip_address):
        _set(listing, values)
        listing.holder_enterprise_id, listing.holder = holder.id, holder
        session.add(listing)
    if submit:
        _move(session, user, listing, "submit", today=today, ip_address=ip_address)
    return listing


def update_listing(session: Session, user: Any, listing_id: int, data: ListingUpdate, *, today: date | None = None,
                   ip_address: str | None = None) -> Listing:
    """Edit a draft or a rejected listing (a rejected one goes back to draft, to be resubmitted)."""
    policy.require(user, RESOURCE, "edit")
    listing = get_listing(session, user, listing_id)
    with LISTING.step(session, listing, "update", actor=user, policy=policy, summary=f"修改挂牌：{listing.title}",
                      ip_address=ip_address, expected_version=data.version):
        _set(listing, _offer(session, data, listing.holder, today or date.today()))
    return listing


def move_listing(session: Session, user: Any, listing_id: int, action: str, *, reason: str | None = None,
                 version: int | None = None, today: date | None = None, ip_address: str | None = None) -> Listing:
    """submit / approve / reject (with a reason) / withdraw / close; ``version``: the one the user saw, if known."""
    if action not in LISTING.button_actions:
        raise TransitionError("操作", f"未知的操作“{action}”")
    policy.require(user, RESOURCE, LISTING.transition(action).policy_action)
    listing = get_listing(session, user, listing_id)
    return _move(session, user, listing, action, reason=reason, today=today, ip_address=ip_address, version=version)


def close_after_deal(session: Session, actor: Any, listing: Listing, *, ip_address: str | None = None) -> None:
    """A transferred patent, or one now under an exclusive licence, cannot be offered again as it was: the
    completed deal closes its listing, whichever party completed it (the deal's step checked who)."""
    if LISTING.allowed_from(listing, "close"):
        _move(session, actor, listing, "close", who=None, ip_address=ip_address)


def _move(session: Session, actor: Any, listing: Listing, action: str, *, reason: str | None = None,
          today: date | None = None, ip_address: str | None = None, who: Any = policy,
          version: int | None = None) -> Listing:
    today = today or date.today()
    summary = f"挂牌{LISTING.transition(action).label}：{listing.title}"
    if action == "reject" and reason:
        summary += f"（理由：{reason.strip()}）"
    with LISTING.step(session, listing, action, actor=actor, policy=who, summary=summary, ip_address=ip_address,
                      expected_version=version):
        if action in ("submit", "approve"):
            check_holder(session, list(listing.patents), listing.holder, today)  # a patent may have lapsed since
        if action == "reject":
            listing.reject_reason = required_text(reason, "驳回理由")
            listing.reviewed_by = actor.id
        elif action == "submit":
            listing.submitted_at = utcnow()
        elif action == "approve":
            listing.reviewed_by, listing.reject_reason = actor.id, None
            listing.published_at = listing.published_at or utcnow()
            # The listed patents' vectors are computed after this commit, in the background (market.embeddings).
    return listing


# ---- reading -----------------------------------------------------------------------------------------------

def _filtered(query: Select, filters: ListingFilters) -> Select:
    if filters.kind:
        query = query.where(Listing.kind == filters.kind)
    if filters.district:
        query = query.where(Listing.holder_enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.district_code == filters.district)))
    if filters.ipc:
        code = re.sub(r"\s", "", filters.ipc).upper()
        query = query.where(Listing.id.in_(
            select(listing_patent.c.listing_id).join(PatentIpc, PatentIpc.patent_id == listing_patent.c.patent_id)
            .where(PatentIpc.code.startswith(code, autoescape=True))))
    if filters.price_min is not None:
        query = query.where(Listing.price_yuan >= filters.price_min)
    if filters.price_max is not None:
        query = query.where(Listing.price_yuan <= filters.price_max)
    if filters.keyword and filters.keyword.strip():
        keyword = filters.keyword.strip()
        query = query.where(Listing.title.icontains(keyword, autoescape=True) | Listing.id.in_(
            select(listing_patent.c.listing_id).join(Patent, Patent.id == listing_patent.c.patent_id)
            .where(Patent.title.icontains(keyword, autoescape=True))))
    return query


def published_listings(session: Session, user: Any, filters: ListingFilters | None = None, *, offset: int = 0,
                       limit: int = 50) -> tuple[list[Listing], int]:
    """The public board: published listings, newest first, filtered."""
    query = policy.scoped(select(Listing).where(Listing.status == ListingStatus.PUBLISHED), user, RESOURCE)
    query = _filtered(query, filters or ListingFilters()).options(*LOADED)
    return paginate(session, query, Listing.published_at.desc(), Listing.id.desc(), offset=offset, limit=limit)


def worklist(session: Session, user: Any) -> tuple[str, list[Listing]]:
    """The listings the user has work with, under their heading: the own enterprise's (any state), those awaiting
    review (city staff), or the district's unpublished ones (district staff); none for other roles."""
    if not policy.allows(user, RESOURCE, "worklist"):
        return "", []
    scope = policy.resource(RESOURCE).action("worklist").roles[role_name(user)]
    query = policy.scoped(select(Listing), user, RESOURCE, "worklist").options(*LOADED)
    rows = session.scalars(query.order_by(Listing.updated_at.desc(), Listing.id.desc()).limit(200))
    return WORKLIST_HEADINGS[scope], list(rows)

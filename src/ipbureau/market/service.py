"""Marketplace rules (no HTTP here): listings, open licences, deals, licences, pledges, visibility, statistics.

Every change is recorded in the audit log in the caller's transaction; the caller commits.
Errors carry the field they concern, so the message reads "挂牌价格：不能为负数".
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError
from ipbureau.core.errors import TransitionError as CoreTransitionError

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import paginate, utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.imports.readers import parse_date
from ipbureau.market.enums import (BLOCKING_LICENCE_TYPES, CONTRACT_LICENCE_TYPES, DealStatus, FeeBasis, LicenceType,
                                   ListingKind, ListingStatus, OpenLicenceStatus)
from ipbureau.market.models import Deal, Licence, Listing, OpenLicence, Pledge, listing_patent
from ipbureau.patents.enums import LegalStatus
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.patents.numbers import ApplicationNumberError, normalise_application_no
from ipbureau.reference.models import District

# 2023年工作要点（十四）: 专利展示、交易、开放许可数量达到1000件.
TARGET_2023 = 1000
# China has no daylight saving time: months are counted in Beijing time.
BEIJING = timezone(timedelta(hours=8))
MAX_TEXT = 2000
MAX_LINE = 200
# Staff who review and may act for any enterprise; district staff only read.
REVIEWER_ROLES = frozenset({Role.ADMIN, Role.BUREAU_STAFF})


class MarketError(DomainError):
    """Input that cannot be accepted; the message names the field and is shown as it is (zh-CN)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}：{message}")
        self.field = field_name


class TransitionError(MarketError, CoreTransitionError):
    """An action the current state does not allow (e.g. publishing a draft that was never reviewed)."""


# ---- who acts for whom ------------------------------------------------------------------------------

def role_of(user: Any) -> Role:
    return Role(user.role)


def is_reviewer(user: Any) -> bool:
    return role_of(user) in REVIEWER_ROLES


def acts_for(user: Any, enterprise_id: int | None) -> bool:
    """Whether the user may change records of this enterprise (its own users, or reviewing staff)."""
    if is_reviewer(user):
        return True
    return role_of(user) == Role.ENTERPRISE and enterprise_id is not None and user.enterprise_id == enterprise_id


def _district_of(session: Session, enterprise_id: int | None) -> str | None:
    enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
    return enterprise.district_code if enterprise else None


def reads_for(session: Session, user: Any, *enterprise_ids: int | None) -> bool:
    """Whether the user may read non-public records of any of these enterprises."""
    if any(acts_for(user, e) for e in enterprise_ids):
        return True
    if role_of(user) == Role.DISTRICT_STAFF and user.district_code:
        return any(_district_of(session, e) == user.district_code for e in enterprise_ids)
    return False


def acting_enterprise(session: Session, user: Any, holder_enterprise_id: int | None, *,
                      field_name: str = "专利权人企业") -> Enterprise:
    """The enterprise a holder-side action is for: the user's own, or the one staff name when acting on its behalf."""
    role = role_of(user)
    if role == Role.ENTERPRISE:
        if not user.enterprise_id:
            raise PermissionDenied("您的账号尚未关联企业，不能办理交易业务")
        if holder_enterprise_id and holder_enterprise_id != user.enterprise_id:
            raise PermissionDenied("企业用户只能为本企业办理")
        return session.get(Enterprise, user.enterprise_id)
    if role not in REVIEWER_ROLES:
        raise PermissionDenied("只有企业用户和市局工作人员可以办理")
    if not holder_enterprise_id:
        raise MarketError(field_name, "代为办理时请选择企业")
    enterprise = session.get(Enterprise, holder_enterprise_id)
    if enterprise is None:
        raise MarketError(field_name, f"编号为 {holder_enterprise_id} 的企业不存在")
    return enterprise


# ---- input ---------------------------------------------------------------------------------------

def parse_amount(value: Any, field_name: str, *, required: bool = True) -> Decimal | None:
    """A sum in yuan (or a percentage) as typed: "12,000", "3.5"; non-negative, finite, rounded to fen."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise MarketError(field_name, "请填写金额")
        return None
    if isinstance(value, bool):
        raise MarketError(field_name, "必须是数字")
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise MarketError(field_name, f"“{value}”不是数字") from None
    if not number.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise MarketError(field_name, "必须是有限的数字")
    if number < 0:
        raise MarketError(field_name, "不能为负数")
    if number >= Decimal("1e14"):
        raise MarketError(field_name, "金额过大")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_day(value: Any, field_name: str) -> date | None:
    try:
        return parse_date(value)
    except ValueError:
        raise MarketError(field_name, f"日期“{value}”无法识别（如 2023-05-01）") from None


def _text(value: Any, field_name: str, *, required: bool = False, limit: int = MAX_LINE) -> str | None:
    text = (str(value) if value is not None else "").strip() or None
    if required and not text:
        raise MarketError(field_name, "不能为空")
    if text and len(text) > limit:
        raise MarketError(field_name, f"不能超过 {limit} 个字符")
    return text


def _check_term(start: date | None, end: date | None, field_name: str) -> None:
    if start and end and end <= start:
        raise MarketError(field_name, "结束日期必须晚于开始日期")


def _enum(enum_class: Any, value: Any, field_name: str) -> Any:
    try:
        return enum_class(str(value))
    except ValueError:
        allowed = "、".join(label for _v, label in enum_class.choices())
        raise MarketError(field_name, f"“{value}”无效，可选：{allowed}") from None


# ---- patents ---------------------------------------------------------------------------------------

def find_patent(session: Session, number: str) -> Patent | None:
    text = re.sub(r"[\s\u3000]", "", number).upper()
    patent = session.scalar(select(Patent).where(Patent.application_no == text))
    if patent is None:
        try:
            patent = session.scalar(select(Patent).where(Patent.application_no == normalise_application_no(text)))
        except ApplicationNumberError:
            return None
    return patent


def resolve_patents(session: Session, numbers: Any) -> list[Patent]:
    """Patents by application number; a string may list several (comma, 、, space or newline)."""
    if isinstance(numbers, str):
        numbers = re.split(r"[,，、;；\s]+", numbers)
    wanted = [n for n in (str(x).strip() for x in numbers or []) if n]
    if not wanted:
        raise MarketError("专利", "请至少填写一件专利的申请号")
    patents: list[Patent] = []
    for number in wanted:
        patent = find_patent(session, number)
        if patent is None:
            raise MarketError("专利", f"申请号为 {number} 的专利不存在")
        if patent not in patents:
            patents.append(patent)
    return patents


def check_patent_valid(patent: Patent, today: date) -> None:
    if patent.legal_status != LegalStatus.VALID:
        status = LegalStatus(patent.legal_status).label if patent.legal_status in set(LegalStatus) else patent.legal_status
        raise MarketError("专利", f"{patent.application_no} 不是有效专利（法律状态：{status}），只有有权专利才能办理")
    if patent.lapse_date and patent.lapse_date <= today:
        raise MarketError("专利", f"{patent.application_no} 已于 {patent.lapse_date} 失效")


def holds(session: Session, enterprise_id: int, patent: Patent) -> bool:
    return session.scalar(select(PatentApplicant.patent_id).where(
        PatentApplicant.patent_id == patent.id, PatentApplicant.enterprise_id == enterprise_id).limit(1)) is not None


def check_holder(session: Session, patents: list[Patent], holder: Enterprise, today: date) -> None:
    """Every patent is valid and the enterprise is one of its patentees."""
    for patent in patents:
        check_patent_valid(patent, today)
        if not holds(session, holder.id, patent):
            raise MarketError("专利", f"{patent.application_no} 的专利权人中没有{holder.name}，不能以其名义办理")


def blocking_licences(session: Session, patent: Patent, today: date) -> list[Licence]:
    """Exclusive or sole licences in force on the patent."""
    rows = session.scalars(select(Licence).where(Licence.patent_id == patent.id,
                                                 Licence.licence_type.in_(BLOCKING_LICENCE_TYPES)))
    return [licence for licence in rows if licence.in_force(today)]


def published_open_licence(session: Session, patent: Patent) -> OpenLicence | None:
    return session.scalar(select(OpenLicence).where(OpenLicence.patent_id == patent.id,
                                                    OpenLicence.status == OpenLicenceStatus.PUBLISHED).limit(1))


# ---- snapshots for the audit log -------------------------------------------------------------------

def _snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(obj, name)
        values[name] = str(value) if isinstance(value, Decimal) else value
    return values


LISTING_FIELDS = ("holder_enterprise_id", "kind", "status", "title", "description", "price_yuan", "price_negotiable",
                  "licence_type", "region", "term_start", "term_end", "reject_reason")
OPEN_LICENCE_FIELDS = ("patent_id", "holder_enterprise_id", "status", "fee_amount", "fee_basis", "payment_method",
                       "term_start", "term_end", "note")
DEAL_FIELDS = ("kind", "listing_id", "open_licence_id", "holder_enterprise_id", "counterparty_enterprise_id", "status",
               "licence_type", "free_licence", "amount_yuan", "contract_no", "signed_on", "filing_no", "filed_on",
               "term_start", "term_end", "cancel_reason", "note")
LICENCE_FIELDS = ("patent_id", "licensor_enterprise_id", "licensee_enterprise_id", "licence_type", "fee_amount",
                  "fee_basis", "free", "term_start", "term_end", "deal_id", "open_licence_id")
PLEDGE_FIELDS = ("holder_enterprise_id", "pledgee_bank", "amount_yuan", "registration_no", "registered_on",
                 "term_start", "term_end", "listing_id")


def _listing_state(listing: Listing) -> dict[str, Any]:
    return {**_snapshot(listing, LISTING_FIELDS), "patents": [p.application_no for p in listing.patents]}


def _record(session: Session, actor: Any, action: str, entity_type: str, entity_id: int, summary: str,
            before: dict[str, Any], after: dict[str, Any], ip_address: str | None) -> None:
    audit.record(session, actor=actor, action=f"market.{action}", entity_type=entity_type, entity_id=entity_id,
                 summary=summary, changes=audit.diff(before, after), ip_address=ip_address)


# ---- listings ----------------------------------------------------------------------------------------

@dataclass
class ListingInput:
    """What a holder fills in; text as typed (the service parses and checks it)."""

    kind: Any
    patents: Any
    title: Any = None
    description: Any = None
    price: Any = None
    negotiable: bool = False
    licence_type: Any = None
    region: Any = None
    term_start: Any = None
    term_end: Any = None


def _apply_listing_input(session: Session, listing: Listing, data: ListingInput, holder: Enterprise,
                         today: date) -> None:
    kind = _enum(ListingKind, data.kind, "挂牌类型")
    patents = resolve_patents(session, data.patents)
    check_holder(session, patents, holder, today)
    licence_type = None
    if kind == ListingKind.LICENCE:
        if not data.licence_type:
            raise MarketError("许可类型", "许可挂牌须选择独占、排他或普通许可")
        licence_type = _enum(LicenceType, data.licence_type, "许可类型")
        if licence_type not in CONTRACT_LICENCE_TYPES:
            raise MarketError("许可类型", "挂牌只能选择独占、排他或普通许可")
    price = None if data.negotiable else parse_amount(data.price, "挂牌价格")
    term_start = parse_day(data.term_start, "挂牌期限") if not isinstance(data.term_start, date) else data.term_start
    term_end = parse_day(data.term_end, "挂牌期限") if not isinstance(data.term_end, date) else data.term_end
    _check_term(term_start, term_end, "挂牌期限")
    listing.kind = kind
    listing.patents = patents
    listing.title = _text(data.title, "标题") or patents[0].title[:MAX_LINE]
    listing.description = _text(data.description, "说明", limit=MAX_TEXT)
    listing.price_yuan = price
    listing.price_negotiable = bool(data.negotiable)
    listing.licence_type = licence_type
    listing.region = _text(data.region, "许可/交易地域")
    listing.term_start, listing.term_end = term_start, term_end


def create_listing(session: Session, data: ListingInput, *, actor: Any, holder_enterprise_id: int | None = None,
                   today: date | None = None, ip_address: str | None = None) -> Listing:
    """A draft listing of the holder's valid patents."""
    holder = acting_enterprise(session, actor, holder_enterprise_id)
    listing = Listing(holder_enterprise_id=holder.id, status=ListingStatus.DRAFT, created_by=actor.id)
    listing.holder = holder
    _apply_listing_input(session, listing, data, holder, today or date.today())
    session.add(listing)
    session.flush()
    _record(session, actor, "listing.create", "market_listing", listing.id, f"新建挂牌：{listing.title}",
            {}, _listing_state(listing), ip_address)
    return listing


def update_listing(session: Session, listing: Listing, data: ListingInput, *, actor: Any, today: date | None = None,
                   ip_address: str | None = None) -> Listing:
    """Edit a draft or a rejected listing (a rejected one goes back to draft, to be resubmitted)."""
    _require_acts_for(actor, listing.holder_enterprise_id)
    if listing.status not in (ListingStatus.DRAFT, ListingStatus.REJECTED):
        raise TransitionError("状态", f"{ListingStatus(listing.status).label}的挂牌不能修改，只有草稿或已驳回的挂牌可以修改")
    before = _listing_state(listing)
    _apply_listing_input(session, listing, data, listing.holder, today or date.today())
    listing.status = ListingStatus.DRAFT
    session.flush()
    _record(session, actor, "listing.update", "market_listing", listing.id, f"修改挂牌：{listing.title}",
            before, _listing_state(listing), ip_address)
    return listing


# action -> (states it may start from, resulting state, wording for errors)
LISTING_TRANSITIONS: dict[str, tuple[frozenset[ListingStatus], ListingStatus, str]] = {
    "submit": (frozenset({ListingStatus.DRAFT, ListingStatus.REJECTED}), ListingStatus.SUBMITTED, "提交审核"),
    "approve": (frozenset({ListingStatus.SUBMITTED}), ListingStatus.PUBLISHED, "审核通过并发布"),
    "reject": (frozenset({ListingStatus.SUBMITTED}), ListingStatus.REJECTED, "驳回"),
    "withdraw": (frozenset({ListingStatus.SUBMITTED, ListingStatus.PUBLISHED}), ListingStatus.WITHDRAWN, "下架"),
    "close": (frozenset({ListingStatus.PUBLISHED}), ListingStatus.CLOSED, "标记为已成交"),
}
REVIEW_ACTIONS = frozenset({"approve", "reject"})


def _require_acts_for(actor: Any, enterprise_id: int) -> None:
    if not acts_for(actor, enterprise_id):
        raise PermissionDenied("您不能为其他企业办理")


def listing_actions(listing: Listing, user: Any) -> list[str]:
    """Actions the user may take on the listing now (for the page's buttons)."""
    actions = []
    for action, (sources, _target, _words) in LISTING_TRANSITIONS.items():
        if listing.status not in sources:
            continue
        allowed = is_reviewer(user) if action in REVIEW_ACTIONS else acts_for(user, listing.holder_enterprise_id)
        if allowed:
            actions.append(action)
    return actions


def move_listing(session: Session, listing: Listing, action: str, *, actor: Any, reason: str | None = None,
                 today: date | None = None, ip_address: str | None = None, consequence: bool = False) -> Listing:
    """submit / approve / reject (with reason) / withdraw / close; anything else is refused.

    ``consequence``: the move follows from another action the actor was allowed to take (a
    completed deal closes the listing even when the counterparty completed it)."""
    if action not in LISTING_TRANSITIONS:
        raise TransitionError("操作", f"未知操作“{action}”")
    sources, target, words = LISTING_TRANSITIONS[action]
    if consequence:
        pass
    elif action in REVIEW_ACTIONS:
        if not is_reviewer(actor):
            raise PermissionDenied("只有市局工作人员可以审核挂牌")
    else:
        _require_acts_for(actor, listing.holder_enterprise_id)
    current = ListingStatus(listing.status)
    if current not in sources:
        needed = "、".join(s.label for s in sources)
        raise TransitionError("状态", f"{current.label}的挂牌不能{words}（只有{needed}的挂牌可以）")
    today = today or date.today()
    before = _listing_state(listing)
    if action in ("submit", "approve"):
        # A patent may have lapsed since the draft was written.
        check_holder(session, list(listing.patents), listing.holder, today)
    if action == "reject":
        listing.reject_reason = _text(reason, "驳回理由", required=True, limit=MAX_TEXT)
    if action == "submit":
        listing.submitted_at = utcnow()
    if action == "approve":
        listing.reviewed_by = actor.id
        listing.reject_reason = None
        listing.published_at = listing.published_at or utcnow()
        # Matching needs the listed patents' vectors: compute them now rather than at the first search.
        from ipbureau.market.embeddings import ensure_patent_embeddings

        ensure_patent_embeddings(session, [p.id for p in listing.patents])
    if action == "reject":
        listing.reviewed_by = actor.id
    listing.status = target
    session.flush()
    summary = f"挂牌{words}：{listing.title}" + (f"（理由：{listing.reject_reason}）" if action == "reject" else "")
    _record(session, actor, f"listing.{action}", "market_listing", listing.id, summary, before,
            _listing_state(listing), ip_address)
    return listing


def can_view_listing(session: Session, user: Any, listing: Listing) -> bool:
    return listing.status == ListingStatus.PUBLISHED or reads_for(session, user, listing.holder_enterprise_id)


@dataclass
class ListingFilters:
    kind: str | None = None
    district: str | None = None
    ipc: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    keyword: str | None = None


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
    if filters.keyword:
        keyword = filters.keyword.strip()
        query = query.where(Listing.title.icontains(keyword, autoescape=True) | Listing.id.in_(
            select(listing_patent.c.listing_id).join(Patent, Patent.id == listing_patent.c.patent_id)
            .where(Patent.title.icontains(keyword, autoescape=True))))
    return query


def published_listings(session: Session, filters: ListingFilters | None = None, *, offset: int = 0,
                       limit: int = 50) -> tuple[list[Listing], int]:
    query = _filtered(select(Listing).where(Listing.status == ListingStatus.PUBLISHED), filters or ListingFilters())
    query = query.options(selectinload(Listing.patents), selectinload(Listing.holder))
    return paginate(session, query, Listing.published_at.desc(), Listing.id.desc(), offset=offset, limit=limit)


def own_listings(session: Session, user: Any) -> list[Listing]:
    """Every listing of the user's enterprise, any state; for staff: those awaiting review."""
    query = select(Listing).options(selectinload(Listing.patents), selectinload(Listing.holder))
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id:
        query = query.where(Listing.holder_enterprise_id == user.enterprise_id)
    elif is_reviewer(user):
        query = query.where(Listing.status == ListingStatus.SUBMITTED)
    elif role_of(user) == Role.DISTRICT_STAFF and user.district_code:
        query = query.where(Listing.status != ListingStatus.PUBLISHED, Listing.holder_enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.district_code == user.district_code)))
    else:
        return []
    return list(session.scalars(query.order_by(Listing.updated_at.desc(), Listing.id.desc()).limit(200)))


# ---- open licences ----------------------------------------------------------------------------------

@dataclass
class OpenLicenceInput:
    patent: Any
    fee_amount: Any
    fee_basis: Any
    payment_method: Any
    term_start: Any = None
    term_end: Any = None
    note: Any = None


def declare_open_licence(session: Session, data: OpenLicenceInput, *, actor: Any,
                         holder_enterprise_id: int | None = None, today: date | None = None,
                         ip_address: str | None = None) -> OpenLicence:
    """Check and publish (已公告) an open-licence declaration for one valid patent the enterprise holds."""
    today = today or date.today()
    holder = acting_enterprise(session, actor, holder_enterprise_id)
    patents = resolve_patents(session, data.patent)
    if len(patents) != 1:
        raise MarketError("专利", "一份开放许可声明只针对一件专利")
    patent = patents[0]
    check_holder(session, patents, holder, today)
    # 专利法第五十一条: no open licence while an exclusive or sole licence is in force.
    for licence in blocking_licences(session, patent, today):
        until = f"至 {licence.term_end}" if licence.term_end else "未约定期限"
        raise MarketError("专利", f"{patent.application_no} 有正在生效的{LicenceType(licence.licence_type).label}"
                                 f"（被许可人：{licence.licensee.name}，{until}），不能声明开放许可")
    if published_open_licence(session, patent):
        raise MarketError("专利", f"{patent.application_no} 已有公告中的开放许可声明")
    basis = _enum(FeeBasis, data.fee_basis, "许可使用费计算方式")
    fee = parse_amount(data.fee_amount, "许可使用费")
    if basis == FeeBasis.SALES_PERCENT and fee > 100:
        raise MarketError("许可使用费", "按销售额提成的比例不能超过 100%")
    term_start = (data.term_start if isinstance(data.term_start, date) else parse_day(data.term_start, "许可期限")) or today
    term_end = data.term_end if isinstance(data.term_end, date) else parse_day(data.term_end, "许可期限")
    _check_term(term_start, term_end, "许可期限")
    if term_end and term_end <= today:
        raise MarketError("许可期限", "结束日期已过")
    declaration = OpenLicence(patent_id=patent.id, holder_enterprise_id=holder.id, status=OpenLicenceStatus.PUBLISHED,
                              fee_amount=fee, fee_basis=basis,
                              payment_method=_text(data.payment_method, "支付方式", required=True),
                              term_start=term_start, term_end=term_end, note=_text(data.note, "说明", limit=MAX_TEXT),
                              published_at=utcnow(), created_by=actor.id)
    declaration.patent, declaration.holder = patent, holder
    session.add(declaration)
    session.flush()
    from ipbureau.market.embeddings import ensure_patent_embeddings

    ensure_patent_embeddings(session, [patent.id])
    _record(session, actor, "open_licence.declare", "market_open_licence", declaration.id,
            f"开放许可声明公告：{patent.application_no} {patent.title}", {},
            _snapshot(declaration, OPEN_LICENCE_FIELDS), ip_address)
    return declaration


def withdraw_open_licence(session: Session, declaration: OpenLicence, *, actor: Any,
                          ip_address: str | None = None) -> OpenLicence:
    """Withdraw the declaration; licences already obtained under it continue (专利法第五十条)."""
    _require_acts_for(actor, declaration.holder_enterprise_id)
    if declaration.status != OpenLicenceStatus.PUBLISHED:
        raise TransitionError("状态", "开放许可声明已撤回，不能再次撤回")
    before = _snapshot(declaration, OPEN_LICENCE_FIELDS)
    declaration.status = OpenLicenceStatus.WITHDRAWN
    declaration.withdrawn_at = utcnow()
    session.flush()
    _record(session, actor, "open_licence.withdraw", "market_open_licence", declaration.id,
            f"撤回开放许可声明：{declaration.patent.application_no}", before,
            _snapshot(declaration, OPEN_LICENCE_FIELDS), ip_address)
    return declaration


def _new_licence(session: Session, actor: Any, ip_address: str | None, **values: Any) -> Licence:
    licence = Licence(created_by=actor.id, **values)
    session.add(licence)
    session.flush()
    _record(session, actor, "licence.create", "market_licence", licence.id,
            f"许可登记：{LicenceType(licence.licence_type).label}，专利编号 {licence.patent_id}", {},
            _snapshot(licence, LICENCE_FIELDS), ip_address)
    return licence


def accept_open_licence(session: Session, declaration: OpenLicence, *, actor: Any,
                        licensee_enterprise_id: int | None = None, today: date | None = None,
                        ip_address: str | None = None) -> Licence:
    """An enterprise takes the open licence on the declared terms: a licence record with the declared fee."""
    today = today or date.today()
    licensee = acting_enterprise(session, actor, licensee_enterprise_id, field_name="被许可企业")
    if declaration.status != OpenLicenceStatus.PUBLISHED:
        raise TransitionError("状态", "开放许可声明已撤回，不能再接受许可")
    if declaration.term_end and declaration.term_end < today:
        raise TransitionError("状态", f"开放许可期限已于 {declaration.term_end} 届满")
    if licensee.id == declaration.holder_enterprise_id:
        raise MarketError("被许可企业", "专利权人不能接受自己的开放许可")
    existing = session.scalars(select(Licence).where(Licence.open_licence_id == declaration.id,
                                                     Licence.licensee_enterprise_id == licensee.id))
    if any(licence.in_force(today) for licence in existing):
        raise MarketError("被许可企业", f"{licensee.name}已取得该开放许可")
    return _new_licence(session, actor, ip_address, patent_id=declaration.patent_id,
                        licensor_enterprise_id=declaration.holder_enterprise_id, licensee_enterprise_id=licensee.id,
                        licence_type=LicenceType.OPEN, fee_amount=declaration.fee_amount,
                        fee_basis=declaration.fee_basis, free=declaration.fee_amount == 0,
                        term_start=max(today, declaration.term_start), term_end=declaration.term_end,
                        open_licence_id=declaration.id)


def published_open_licences(session: Session, *, keyword: str | None = None, limit: int = 100) -> list[OpenLicence]:
    query = (select(OpenLicence).join(Patent, Patent.id == OpenLicence.patent_id)
             .where(OpenLicence.status == OpenLicenceStatus.PUBLISHED)
             .options(selectinload(OpenLicence.patent), selectinload(OpenLicence.holder)))
    if keyword:
        query = query.where(Patent.title.icontains(keyword.strip(), autoescape=True))
    return list(session.scalars(query.order_by(OpenLicence.published_at.desc(), OpenLicence.id.desc()).limit(limit)))


def own_open_licences(session: Session, user: Any) -> list[OpenLicence]:
    if role_of(user) != Role.ENTERPRISE or not user.enterprise_id:
        return []
    return list(session.scalars(select(OpenLicence).where(OpenLicence.holder_enterprise_id == user.enterprise_id)
                                .order_by(OpenLicence.id.desc())))


def licences_of(session: Session, user: Any) -> list[Licence]:
    """Licences the user's enterprise granted or holds; all for reviewing staff."""
    query = select(Licence).options(selectinload(Licence.patent), selectinload(Licence.licensor),
                                    selectinload(Licence.licensee))
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id:
        query = query.where((Licence.licensor_enterprise_id == user.enterprise_id)
                            | (Licence.licensee_enterprise_id == user.enterprise_id))
    elif not is_reviewer(user):
        return []
    return list(session.scalars(query.order_by(Licence.id.desc()).limit(200)))


# ---- deals -----------------------------------------------------------------------------------------------

def deal_patents(deal: Deal) -> list[Patent]:
    if deal.listing is not None:
        return list(deal.listing.patents)
    if deal.open_licence is not None:
        return [deal.open_licence.patent]
    return []


def open_deal(session: Session, *, actor: Any, listing: Listing | None = None,
              open_licence: OpenLicence | None = None, counterparty_enterprise_id: int | None = None,
              licence_type: Any = None, free_licence: bool = False, note: Any = None,
              ip_address: str | None = None) -> Deal:
    """An intention (意向) on a published listing or open licence.

    The counterparty is the acting enterprise user's own enterprise; the holder's users and
    staff name the counterparty instead.
    """
    if (listing is None) == (open_licence is None):
        raise MarketError("交易标的", "请选择一项挂牌或一份开放许可声明")
    if listing is not None:
        if listing.status != ListingStatus.PUBLISHED:
            raise TransitionError("状态", f"{ListingStatus(listing.status).label}的挂牌不能洽谈交易，只有已发布的挂牌可以")
        holder_id, kind = listing.holder_enterprise_id, ListingKind(listing.kind)
    else:
        if open_licence.status != OpenLicenceStatus.PUBLISHED:
            raise TransitionError("状态", "开放许可声明已撤回，不能洽谈交易")
        holder_id, kind = open_licence.holder_enterprise_id, ListingKind.LICENCE
    if role_of(actor) == Role.ENTERPRISE and actor.enterprise_id and actor.enterprise_id != holder_id:
        counterparty = acting_enterprise(session, actor, None, field_name="交易对方")
    else:
        if not is_reviewer(actor) and not acts_for(actor, holder_id):
            raise PermissionDenied("只有企业用户和市局工作人员可以发起交易")
        if not counterparty_enterprise_id:
            raise MarketError("交易对方", "请选择交易对方企业")
        counterparty = session.get(Enterprise, counterparty_enterprise_id)
        if counterparty is None:
            raise MarketError("交易对方", f"编号为 {counterparty_enterprise_id} 的企业不存在")
    if counterparty.id == holder_id:
        raise MarketError("交易对方", "交易对方不能是专利权人自己")
    chosen_type = None
    if kind == ListingKind.LICENCE:
        if open_licence is not None:
            chosen_type = LicenceType.OPEN
        else:
            chosen_type = _enum(LicenceType, licence_type or listing.licence_type, "许可类型")
            if chosen_type not in CONTRACT_LICENCE_TYPES:
                raise MarketError("许可类型", "只能选择独占、排他或普通许可")
    deal = Deal(kind=kind, listing_id=listing.id if listing else None,
                open_licence_id=open_licence.id if open_licence else None, holder_enterprise_id=holder_id,
                counterparty_enterprise_id=counterparty.id, status=DealStatus.INTENTION, licence_type=chosen_type,
                free_licence=bool(free_licence) and kind == ListingKind.LICENCE,
                note=_text(note, "备注", limit=MAX_TEXT), created_by=actor.id)
    deal.listing, deal.open_licence = listing, open_licence
    deal.holder, deal.counterparty = session.get(Enterprise, holder_id), counterparty
    session.add(deal)
    session.flush()
    _check_no_open_licence_conflict(session, deal)
    _record(session, actor, "deal.create", "market_deal", deal.id,
            f"交易意向：{counterparty.name} — {deal.holder.name}（{ListingKind(kind).label}）", {},
            _snapshot(deal, DEAL_FIELDS), ip_address)
    return deal


def _check_no_open_licence_conflict(session: Session, deal: Deal) -> None:
    # 专利法第五十一条: during an open licence the patentee may not grant exclusive or sole licences.
    if deal.licence_type in BLOCKING_LICENCE_TYPES:
        for patent in deal_patents(deal):
            if published_open_licence(session, patent):
                raise MarketError("许可类型", f"{patent.application_no} 处于开放许可期间，不能给予"
                                            f"{LicenceType(deal.licence_type).label}")


# action -> (states it may start from, resulting state, wording for errors)
DEAL_TRANSITIONS: dict[str, tuple[frozenset[DealStatus], DealStatus, str]] = {
    "negotiate": (frozenset({DealStatus.INTENTION}), DealStatus.NEGOTIATION, "进入洽谈"),
    "sign": (frozenset({DealStatus.NEGOTIATION}), DealStatus.CONTRACT, "签约"),
    "file": (frozenset({DealStatus.CONTRACT}), DealStatus.FILING, "备案"),
    "complete": (frozenset({DealStatus.FILING}), DealStatus.DONE, "完成"),
    "cancel": (frozenset({DealStatus.INTENTION, DealStatus.NEGOTIATION, DealStatus.CONTRACT, DealStatus.FILING}),
               DealStatus.CANCELLED, "取消"),
}


def deal_actions(deal: Deal, user: Any) -> list[str]:
    if not (acts_for(user, deal.holder_enterprise_id) or acts_for(user, deal.counterparty_enterprise_id)):
        return []
    return [action for action, (sources, _t, _w) in DEAL_TRANSITIONS.items() if deal.status in sources]


def can_view_deal(session: Session, user: Any, deal: Deal) -> bool:
    """Deals are not public: the two parties, reviewing staff, and district staff of either party's district."""
    return reads_for(session, user, deal.holder_enterprise_id, deal.counterparty_enterprise_id)


def move_deal(session: Session, deal: Deal, action: str, *, actor: Any, amount: Any = None, contract_no: Any = None,
              signed_on: Any = None, term_start: Any = None, term_end: Any = None, filing_no: Any = None,
              filed_on: Any = None, reason: Any = None, today: date | None = None,
              ip_address: str | None = None) -> Deal:
    """negotiate / sign (amount) / file (filing number, date) / complete / cancel (reason)."""
    if action not in DEAL_TRANSITIONS:
        raise TransitionError("操作", f"未知操作“{action}”")
    if not (acts_for(actor, deal.holder_enterprise_id) or acts_for(actor, deal.counterparty_enterprise_id)):
        raise PermissionDenied("只有交易双方和市局工作人员可以办理该交易")
    sources, target, words = DEAL_TRANSITIONS[action]
    current = DealStatus(deal.status)
    if current not in sources:
        needed = "、".join(s.label for s in sorted(sources, key=list(DealStatus).index))
        raise TransitionError("状态", f"{current.label}阶段的交易不能{words}（只有{needed}阶段可以）")
    today = today or date.today()
    before = _snapshot(deal, DEAL_FIELDS)
    if action == "sign":
        value = parse_amount(amount, "成交金额", required=not deal.free_licence)
        if deal.free_licence:
            if value:
                raise MarketError("成交金额", "免费许可的成交金额应为 0")
            value = Decimal("0.00")
        elif value <= 0:
            raise MarketError("成交金额", "签约时必须填写大于 0 的金额（元）")
        start = signed_on if isinstance(signed_on, date) else parse_day(signed_on, "签约日期")
        term_from = term_start if isinstance(term_start, date) else parse_day(term_start, "许可期限")
        term_to = term_end if isinstance(term_end, date) else parse_day(term_end, "许可期限")
        _check_term(term_from, term_to, "许可期限")
        _check_no_open_licence_conflict(session, deal)
        deal.amount_yuan = value
        deal.contract_no = _text(contract_no, "合同编号", limit=100)
        deal.signed_on = start or today
        deal.term_start, deal.term_end = term_from, term_to
    elif action == "file":
        deal.filing_no = _text(filing_no, "备案号", required=True, limit=100)
        day = filed_on if isinstance(filed_on, date) else parse_day(filed_on, "备案日期")
        if day is None:
            raise MarketError("备案日期", "请填写备案日期")
        if deal.signed_on and day < deal.signed_on:
            raise MarketError("备案日期", f"不能早于签约日期 {deal.signed_on}")
        deal.filed_on = day
    elif action == "complete":
        _check_no_open_licence_conflict(session, deal)
        deal.done_at = utcnow()
    elif action == "cancel":
        deal.cancel_reason = _text(reason, "取消原因", required=True, limit=MAX_TEXT)
    deal.status = target
    session.flush()
    _record(session, actor, f"deal.{action}", "market_deal", deal.id, f"交易{words}：#{deal.id}", before,
            _snapshot(deal, DEAL_FIELDS), ip_address)
    if action == "complete":
        _on_deal_done(session, deal, actor=actor, today=today, ip_address=ip_address)
    return deal


def _on_deal_done(session: Session, deal: Deal, *, actor: Any, today: date, ip_address: str | None) -> None:
    if deal.kind == ListingKind.LICENCE:
        for patent in deal_patents(deal):
            _new_licence(session, actor, ip_address, patent_id=patent.id,
                         licensor_enterprise_id=deal.holder_enterprise_id,
                         licensee_enterprise_id=deal.counterparty_enterprise_id, licence_type=deal.licence_type,
                         fee_amount=deal.amount_yuan, fee_basis=FeeBasis.LUMP_SUM, free=bool(deal.free_licence),
                         term_start=deal.term_start or deal.signed_on or today, term_end=deal.term_end,
                         deal_id=deal.id, open_licence_id=deal.open_licence_id)
    # A transferred patent, or one now under an exclusive licence, cannot be offered again as it was.
    listing = deal.listing
    if listing is not None and listing.status == ListingStatus.PUBLISHED and (
            deal.kind == ListingKind.TRANSFER or deal.licence_type == LicenceType.EXCLUSIVE):
        move_listing(session, listing, "close", actor=actor, today=today, ip_address=ip_address, consequence=True)


def deals_of(session: Session, user: Any) -> list[Deal]:
    query = select(Deal).options(selectinload(Deal.holder), selectinload(Deal.counterparty))
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id:
        query = query.where((Deal.holder_enterprise_id == user.enterprise_id)
                            | (Deal.counterparty_enterprise_id == user.enterprise_id))
    elif role_of(user) == Role.DISTRICT_STAFF and user.district_code:
        district_ids = select(Enterprise.id).where(Enterprise.district_code == user.district_code)
        query = query.where(Deal.holder_enterprise_id.in_(district_ids) | Deal.counterparty_enterprise_id.in_(district_ids))
    elif not is_reviewer(user):
        return []
    return list(session.scalars(query.order_by(Deal.updated_at.desc(), Deal.id.desc()).limit(200)))


# ---- pledges ------------------------------------------------------------------------------------------

@dataclass
class PledgeInput:
    patents: Any
    pledgee_bank: Any
    amount: Any
    registered_on: Any
    registration_no: Any = None
    term_start: Any = None
    term_end: Any = None
    listing_id: int | None = None


def register_pledge(session: Session, data: PledgeInput, *, actor: Any, holder_enterprise_id: int | None = None,
                    today: date | None = None, ip_address: str | None = None) -> Pledge:
    """A pledge registration (质押登记) of the holder's valid patents with a bank."""
    today = today or date.today()
    holder = acting_enterprise(session, actor, holder_enterprise_id, field_name="出质企业")
    patents = resolve_patents(session, data.patents)
    check_holder(session, patents, holder, today)
    amount = parse_amount(data.amount, "质押金额")
    if amount <= 0:
        raise MarketError("质押金额", "必须大于 0")
    registered_on = data.registered_on if isinstance(data.registered_on, date) else parse_day(data.registered_on, "登记日期")
    if registered_on is None:
        raise MarketError("登记日期", "请填写登记日期")
    if registered_on > today:
        raise MarketError("登记日期", "不能晚于今天")
    term_start = data.term_start if isinstance(data.term_start, date) else parse_day(data.term_start, "质押期限")
    term_end = data.term_end if isinstance(data.term_end, date) else parse_day(data.term_end, "质押期限")
    _check_term(term_start, term_end, "质押期限")
    pledge = Pledge(holder_enterprise_id=holder.id, pledgee_bank=_text(data.pledgee_bank, "质权人（银行）", required=True),
                    amount_yuan=amount, registration_no=_text(data.registration_no, "登记号", limit=100),
                    registered_on=registered_on, term_start=term_start, term_end=term_end,
                    listing_id=data.listing_id, created_by=actor.id)
    pledge.patents = patents
    session.add(pledge)
    session.flush()
    _record(session, actor, "pledge.create", "market_pledge", pledge.id,
            f"质押登记：{holder.name} → {pledge.pledgee_bank}", {},
            {**_snapshot(pledge, PLEDGE_FIELDS), "patents": [p.application_no for p in patents]}, ip_address)
    return pledge


def pledges_of(session: Session, user: Any) -> list[Pledge]:
    query = select(Pledge).options(selectinload(Pledge.patents), selectinload(Pledge.holder))
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id:
        query = query.where(Pledge.holder_enterprise_id == user.enterprise_id)
    elif not is_reviewer(user):
        return []
    return list(session.scalars(query.order_by(Pledge.registered_on.desc(), Pledge.id.desc()).limit(200)))


# ---- statistics ---------------------------------------------------------------------------------------
# Computed by the statistics engine (ipbureau.stats.service) from the indicators declared in
# market/indicators.py, so the figures here are the ones /stats, the white paper and the work
# plan show. Periods are UTC calendar days of the events (the engine's convention).

# figure name -> indicator code
STAT_CODES = {
    "patents_counted": "market_patents_operated",
    "listed": "market_listings_published",
    "open_licences": "market_open_licence_patents",
    "deals_done": "market_deals_done",
    "deals_amount": "market_deal_amount",  # 万元
    "free_licences": "market_free_licences",
    "pledges": "market_pledges",
    "pledge_amount": "market_pledge_amount",  # 万元
    "demands": "market_demands_posted",
    "smes_pushed": "market_smes_pushed",
}
TARGET_INDICATOR = "market_patents_operated"


def plan_target(session: Session, year: int = 2023) -> tuple[float, str]:
    """The work plan's target for market_patents_operated (（十四）: 1000 件): from the loaded plan,
    else from the plan file shipped with the work-plan module."""
    from ipbureau.workplan.models import WorkPlan, WorkPoint, WorkTarget

    row = session.execute(select(WorkTarget.target_value, WorkTarget.description)
                          .join(WorkPoint, WorkPoint.id == WorkTarget.point_id)
                          .join(WorkPlan, WorkPlan.id == WorkPoint.plan_id)
                          .where(WorkTarget.indicator_code == TARGET_INDICATOR, WorkPlan.year == year)).first()
    if row is not None:
        return float(row[0]), row[1]
    import yaml

    from ipbureau.workplan.flows import DEFAULT_PLAN_FILE

    plan = yaml.safe_load(DEFAULT_PLAN_FILE.read_text(encoding="utf-8"))
    for point in plan.get("points", []):
        for target in point.get("targets", []):
            if target.get("indicator_code") == TARGET_INDICATOR:
                return float(target["target_value"]), target["description"]
    return float(TARGET_2023), "专利展示、交易、开放许可数量"


@dataclass
class MonthFigures:
    month: int
    listed: int = 0
    open_licences: int = 0
    deals_done: int = 0
    amount: Decimal = Decimal("0")  # 元
    demands: int = 0
    smes_pushed: int = 0
    patents_cumulative: int = 0  # distinct patents operated from 1 January to the month's end


@dataclass
class DistrictFigures:
    district_code: str | None
    name: str
    listed: int = 0
    open_licences: int = 0
    deals_done: int = 0
    amount: Decimal = Decimal("0")
    patents: int = 0
    demands: int = 0
    smes_pushed: int = 0


@dataclass
class MarketStats:
    year: int
    dataset: str = "real"
    listed: int = 0  # listings first published in the year
    open_licences: int = 0  # patents declared for open licence in the year
    deals_done: int = 0
    deals_amount: Decimal = Decimal("0")  # 元
    free_licences: int = 0
    pledges: int = 0
    pledge_amount: Decimal = Decimal("0")  # 元
    demands: int = 0
    smes_pushed: int = 0
    patents_counted: int = 0  # distinct patents shown, traded or under open licence in the year
    target: int = TARGET_2023
    target_label: str = "专利展示、交易、开放许可数量"
    by_month: list[MonthFigures] = field(default_factory=list)
    by_district: list[DistrictFigures] = field(default_factory=list)
    yoy: dict[str, float | None] = field(default_factory=dict)

    @property
    def target_ratio(self) -> float:
        return self.patents_counted / self.target if self.target else 0.0


def _yuan(wan: float | int | None) -> Decimal:
    return (Decimal(str(wan or 0)) * 10000).quantize(Decimal("0.01"))


def market_stats(session: Session, year: int, *, district_code: str | None = None,
                 dataset: str = "real") -> MarketStats:
    """The marketplace figures of a calendar year, by month and by district, from the engine.

    Progress towards the plan's target counts patents (件), each once: a patent listed and then
    traded in the same year is one patent shown and traded, not two.
    """
    from ipbureau.stats import service as engine
    from ipbureau.stats.catalogue import indicator

    target, label = plan_target(session)
    stats = MarketStats(year=year, dataset=dataset, target=int(target), target_label=label,
                        by_month=[MonthFigures(m) for m in range(1, 13)])
    months = [engine.period_bounds(year, f"M{m:02d}") for m in range(1, 13)]
    for name, code in STAT_CODES.items():
        defn = indicator(code)
        value = engine.compute(session, code, year, district_code=district_code, dataset=dataset)
        total = value.value or 0
        stats.yoy[name] = value.yoy_growth
        setattr(stats, name, _yuan(total) if defn.sum_column else int(total))
        if name in ("listed", "open_licences", "deals_done", "demands", "smes_pushed"):
            for figures, n in zip(stats.by_month, engine.count_periods(session, defn, months, dataset=dataset,
                                                                       district_code=district_code), strict=True):
                setattr(figures, name, int(n))
        elif name == "deals_amount":
            for figures, n in zip(stats.by_month, engine.count_periods(session, defn, months, dataset=dataset,
                                                                       district_code=district_code), strict=True):
                figures.amount = _yuan(n)
        elif name == "patents_counted":
            cumulative = [(months[0][0], end) for _start, end in months]
            for figures, n in zip(stats.by_month, engine.count_periods(session, defn, cumulative, dataset=dataset,
                                                                       district_code=district_code), strict=True):
                figures.patents_cumulative = int(n)
    rows: dict[str, DistrictFigures] = {}
    for name, attr in (("listed", "listed"), ("open_licences", "open_licences"), ("deals_done", "deals_done"),
                       ("deals_amount", "amount"), ("patents_counted", "patents"), ("demands", "demands"),
                       ("smes_pushed", "smes_pushed")):
        for value in engine.by_district(session, STAT_CODES[name], year, dataset=dataset):
            if district_code and value.district_code != district_code:
                continue
            row = rows.setdefault(value.district_code, DistrictFigures(value.district_code, value.label or ""))
            number = value.value or 0
            setattr(row, attr, _yuan(number) if name == "deals_amount" else int(number))
    stats.by_district = sorted((r for r in rows.values() if r.listed or r.open_licences or r.deals_done or r.patents
                                or r.demands or r.smes_pushed),
                               key=lambda r: (-(r.patents + r.deals_done), r.district_code or "~"))
    return stats


def format_yuan(value: Decimal | float | None) -> str:
    """12000 -> "12,000", 12.5 -> "12.50"; None -> "面议"-free dash."""
    if value is None:
        return "—"
    value = Decimal(value)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def by_month_chart(stats: MarketStats) -> str:
    from ipbureau.stats.charts import column_chart

    return column_chart([f"{m.month}月" for m in stats.by_month],
                        [m.listed + m.open_licences + m.deals_done for m in stats.by_month],
                        title=f"{stats.year}年各月挂牌、开放许可与成交数量")


def progress_chart(stats: MarketStats) -> str:
    """Distinct patents shown, traded or openly licensed from 1 January to each month's end, and
    the plan's target as the last bar."""
    from ipbureau.stats.charts import column_chart

    return column_chart([f"{m.month}月" for m in stats.by_month] + ["目标"],
                        [m.patents_cumulative for m in stats.by_month] + [stats.target],
                        title=f"{stats.year}年{stats.target_label}累计进度（目标 {stats.target} 件）", width=640)


def district_chart(stats: MarketStats) -> str:
    from ipbureau.stats.charts import bar_ranking

    rows = stats.by_district or [DistrictFigures(None, "无数据")]
    return bar_ranking([r.name for r in rows], [r.patents for r in rows],
                       title=f"{stats.year}年各区{stats.target_label}（件）")


def stats_workbook(stats: MarketStats) -> bytes:
    """The statistics page as an Excel workbook: 汇总, 按月, 按区."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([f"{stats.year}年知识产权展示交易统计（数据类别：{'演示数据' if stats.dataset == 'demo' else '真实数据'}）"])
    summary.append(["指标", "数值", "单位", "同比增长（%）"])
    for name, label, unit in (("patents_counted", stats.target_label, "件"), ("listed", "挂牌项目数", "项"),
                              ("open_licences", "开放许可专利数", "件"), ("deals_done", "成交项目数", "项"),
                              ("deals_amount", "成交金额", "元"), ("free_licences", "免费许可数", "项"),
                              ("pledges", "专利质押登记数", "笔"), ("pledge_amount", "专利质押融资金额", "元"),
                              ("demands", "技术需求发布数", "项"), ("smes_pushed", "企业匹配推送数", "家")):
        value = getattr(stats, name)
        summary.append([label, float(value) if isinstance(value, Decimal) else value, unit, stats.yoy.get(name)])
    summary.append([])
    summary.append(["2023年工作要点（十四）目标", stats.target, "件", None])
    summary.append(["完成比例（%）", round(stats.target_ratio * 100, 1), "%", None])
    months = book.create_sheet("按月")
    months.append(["月份", "挂牌", "开放许可", "成交", "成交金额（元）", "技术需求", "推送企业", "累计专利（件）"])
    for m in stats.by_month:
        months.append([f"{m.month}月", m.listed, m.open_licences, m.deals_done, float(m.amount), m.demands,
                       m.smes_pushed, m.patents_cumulative])
    districts = book.create_sheet("按区")
    districts.append(["区", "专利（件）", "挂牌", "开放许可", "成交", "成交金额（元）", "技术需求", "推送企业"])
    for d in stats.by_district:
        districts.append([d.name, d.patents, d.listed, d.open_licences, d.deals_done, float(d.amount), d.demands,
                          d.smes_pushed])
    for sheet in book.worksheets:
        for cell in sheet[1 if sheet is not summary else 2]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 34 if sheet is summary else 14
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def enterprise_choices(session: Session) -> list[tuple[int, str]]:
    return list(session.execute(select(Enterprise.id, Enterprise.name).order_by(Enterprise.name).limit(2000)).all())


def district_choices(session: Session) -> list[tuple[str, str]]:
    return list(session.execute(select(District.code, District.name).order_by(District.code)).all())

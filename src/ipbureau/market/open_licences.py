"""Open licences (专利开放许可, 专利法第五十至五十二条): a patentee declares the terms on which anyone may take a
licence; an enterprise accepts them and has its licence at once (market.workflows.OPEN_LICENCE).

The declaration is public (everyone signed in reads it); its holder's side may withdraw it, and licences already
obtained continue. While it is declared, no exclusive or sole licence may be granted, and a patent under one in
force cannot be declared (第五十一条).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.errors import Conflict, DomainError
from ipbureau.core.workflow import Transition
from ipbureau.database.core import utcnow
from ipbureau.market.checks import check_term, optional_text, required_text
from ipbureau.market.enums import FeeBasis, LicenceType, OpenLicenceStatus
from ipbureau.market.licences import file_licence
from ipbureau.market.models import Licence, OpenLicence
from ipbureau.market.parties import acting_enterprise
from ipbureau.market.patents import (
    blocking_licences,
    held_patents,
    published_open_licence,
)
from ipbureau.market.schemas import OpenLicenceAccept, OpenLicenceCreate
from ipbureau.market.workflows import OPEN_LICENCE
from ipbureau.patents.models import Patent
from ipbureau.policy import policy

RESOURCE = "market.open_licence"
LOADED = (selectinload(OpenLicence.patent), selectinload(OpenLicence.holder))


def get_open_licence(session: Session, user: Any, declaration_id: int) -> OpenLicence:
    return policy.get(session, user, RESOURCE, declaration_id, options=LOADED)


def declare_open_licence(session: Session, user: Any, data: OpenLicenceCreate, *, today: date | None = None,
                         ip_address: str | None = None) -> OpenLicence:
    """Check and publish (已公告) a declaration for one valid patent the enterprise holds."""
    policy.authorize(session, user, RESOURCE, "declare")
    today = today or date.today()
    holder = acting_enterprise(session, user, data.holder_enterprise_id, field_name="专利权人企业")
    if len(set(data.patent)) > 1:
        raise DomainError("专利", "一份开放许可声明只针对一件专利")
    patent = held_patents(session, data.patent, holder, today)[0]
    for licence in blocking_licences(session, patent, today):
        until = f"至 {licence.term_end}" if licence.term_end else "未约定期限"
        raise DomainError("专利", f"{patent.application_no} 有正在生效的{LicenceType(licence.licence_type).label}"
                                 f"（被许可人：{licence.licensee.name}，{until}），不能声明开放许可")
    if published_open_licence(session, patent):
        raise DomainError("专利", f"{patent.application_no} 已有公告中的开放许可声明")
    if data.fee_basis == FeeBasis.SALES_PERCENT and data.fee_amount > 100:
        raise DomainError("许可使用费", "按销售额提成的比例不能超过 100%")
    term_start = data.term_start or today
    check_term(term_start, data.term_end, "许可期限")
    if data.term_end and data.term_end <= today:
        raise DomainError("许可期限", "结束日期已过")
    payment_method = required_text(data.payment_method, "支付方式")
    declaration = OpenLicence(created_by=user.id)
    with OPEN_LICENCE.step(session, declaration, "declare", actor=user, policy=None,
                           summary=f"开放许可声明公告：{patent.application_no} {patent.title}", ip_address=ip_address):
        declaration.patent_id, declaration.patent = patent.id, patent
        declaration.holder_enterprise_id, declaration.holder = holder.id, holder
        declaration.fee_amount, declaration.fee_basis, declaration.payment_method = \
            data.fee_amount, data.fee_basis, payment_method
        declaration.term_start, declaration.term_end = term_start, data.term_end
        declaration.note, declaration.published_at = optional_text(data.note), utcnow()
        session.add(declaration)
    # The declared patent's vector is computed after this commit, in the background (market.embeddings).
    return declaration


def withdraw_open_licence(session: Session, user: Any, declaration_id: int, *,
                          ip_address: str | None = None) -> OpenLicence:
    """Withdraw the declaration; licences already obtained under it continue (专利法第五十条)."""
    policy.require(user, RESOURCE, "withdraw")
    declaration = get_open_licence(session, user, declaration_id)
    with OPEN_LICENCE.step(session, declaration, "withdraw", actor=user, policy=policy,
                           summary=f"撤回开放许可声明：{declaration.patent.application_no}", ip_address=ip_address):
        declaration.withdrawn_at = utcnow()
    return declaration


def accept_open_licence(session: Session, user: Any, declaration_id: int, data: OpenLicenceAccept | None = None, *,
                        today: date | None = None, ip_address: str | None = None) -> Licence:
    """An enterprise takes the licence on the declared terms: a licence with the declared fee, filed at once."""
    policy.require(user, RESOURCE, "accept")
    today = today or date.today()
    declaration = get_open_licence(session, user, declaration_id)
    licensee = acting_enterprise(session, user, (data or OpenLicenceAccept()).licensee_enterprise_id,
                                 field_name="被许可企业")
    if licensee.id == declaration.holder_enterprise_id:
        raise DomainError("被许可企业", "专利权人不能接受自己的开放许可")
    policy.authorize(session, user, RESOURCE, "accept", declaration)
    OPEN_LICENCE.check(declaration, "accept")
    if declaration.term_end and declaration.term_end < today:
        raise Conflict("状态", f"开放许可期限已于 {declaration.term_end} 届满")
    existing = session.scalars(select(Licence).where(Licence.open_licence_id == declaration.id,
                                                     Licence.licensee_enterprise_id == licensee.id))
    if any(licence.in_force(today) for licence in existing):
        raise DomainError("被许可企业", f"{licensee.name}已取得该开放许可")
    return file_licence(session, user, ip_address=ip_address, patent_id=declaration.patent_id,
                        licensor_enterprise_id=declaration.holder_enterprise_id, licensee_enterprise_id=licensee.id,
                        licence_type=LicenceType.OPEN, fee_amount=declaration.fee_amount,
                        fee_basis=declaration.fee_basis, free=declaration.fee_amount == 0,
                        term_start=max(today, declaration.term_start), term_end=declaration.term_end,
                        open_licence_id=declaration.id)


def published_open_licences(session: Session, user: Any, *, keyword: str | None = None,
                            limit: int = 100) -> list[OpenLicence]:
    query = (policy.scoped(select(OpenLicence), user, RESOURCE).join(Patent, Patent.id == OpenLicence.patent_id)
             .where(OpenLicence.status == OpenLicenceStatus.PUBLISHED).options(*LOADED))
    if keyword and keyword.strip():
        query = query.where(Patent.title.icontains(keyword.strip(), autoescape=True))
    return list(session.scalars(query.order_by(OpenLicence.published_at.desc(), OpenLicence.id.desc()).limit(limit)))


def shown_buttons(buttons: list[Transition], declaration: OpenLicence, today: date) -> list[Transition]:
    """The holder's side (its users, staff) may withdraw; everyone else may accept for itself until the term ends
    (staff accept on an enterprise's behalf through the API, which names the licensee)."""
    holder_side = any(t.action == "withdraw" for t in buttons)
    expired = declaration.term_end is not None and declaration.term_end < today
    return [t for t in buttons if not (t.action == "accept" and (holder_side or expired))]


def row_buttons(session: Session, user: Any, declarations: list[OpenLicence]) -> dict[int, list[Transition]]:
    """The buttons of each declaration of a list."""
    today = date.today()
    by_row = OPEN_LICENCE.buttons_of(session, user, declarations)
    return {d.id: shown_buttons(by_row[d.id], d, today) for d in declarations}

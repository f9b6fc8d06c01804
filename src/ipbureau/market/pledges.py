"""Pledges (专利权质押登记): an enterprise's valid patents securing a bank loan, registered once
(market.workflows.PLEDGE). Read by the pledging enterprise and city staff."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.errors import DomainError
from ipbureau.market.checks import check_term, optional_text, required_text
from ipbureau.market.models import Pledge
from ipbureau.market.parties import acting_enterprise
from ipbureau.market.patents import held_patents
from ipbureau.market.schemas import PledgeCreate
from ipbureau.market.workflows import PLEDGE
from ipbureau.policy import policy

RESOURCE = "market.pledge"


def register_pledge(session: Session, user: Any, data: PledgeCreate, *, today: date | None = None,
                    ip_address: str | None = None) -> Pledge:
    """A pledge registration of the holder's valid patents with a bank."""
    policy.authorize(session, user, RESOURCE, "register")
    today = today or date.today()
    holder = acting_enterprise(session, user, data.holder_enterprise_id, field_name="出质企业")
    patents = held_patents(session, data.patents, holder, today)
    if data.amount_yuan <= 0:
        raise DomainError("质押金额", "必须大于 0")
    if data.registered_on > today:
        raise DomainError("登记日期", "不能晚于今天")
    check_term(data.term_start, data.term_end, "质押期限")
    bank = required_text(data.pledgee_bank, "质权人（银行）")
    pledge = Pledge(created_by=user.id)
    with PLEDGE.step(session, pledge, "create", actor=user, policy=None, summary=f"质押登记：{holder.name} → {bank}",
                     ip_address=ip_address):
        pledge.holder_enterprise_id, pledge.holder, pledge.patents = holder.id, holder, patents
        pledge.pledgee_bank, pledge.amount_yuan = bank, data.amount_yuan
        pledge.registration_no, pledge.registered_on = optional_text(data.registration_no), data.registered_on
        pledge.term_start, pledge.term_end = data.term_start, data.term_end
        session.add(pledge)
    return pledge


def pledges_of(session: Session, user: Any) -> list[Pledge]:
    """The pledges the user may read (the own enterprise's; all for city staff), latest first."""
    query = policy.scoped(select(Pledge), user, RESOURCE).options(selectinload(Pledge.patents),
                                                                   selectinload(Pledge.holder))
    return list(session.scalars(query.order_by(Pledge.registered_on.desc(), Pledge.id.desc()).limit(200)))

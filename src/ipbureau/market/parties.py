"""Who a marketplace action is done for: the acting enterprise (the user's own, or the one city staff act for),
and the choices the forms offer. Who may act for whom is the policy's (``market.trader`` in ipbureau.policy)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.core.errors import DomainError, Forbidden
from ipbureau.enterprises.models import Enterprise
from ipbureau.policy import policy
from ipbureau.reference.models import District

TRADER = "market.trader"


def acts_on_behalf(user: Any) -> bool:
    """Whether the user acts on enterprises' behalf (and so names the enterprise in every form)."""
    return policy.allows(user, TRADER, "proxy")


def acting_enterprise(session: Session, user: Any, enterprise_id: int | None, *, field_name: str) -> Enterprise:
    """The enterprise an action is done for: the one named (city staff acting on its behalf), else the user's own.
    Forbidden for a user who may not act for it."""
    policy.require(user, TRADER, "act")
    if enterprise_id is None and not acts_on_behalf(user):
        enterprise_id = user.enterprise_id
        if enterprise_id is None:
            raise Forbidden("您的账号尚未关联企业，不能办理交易业务")
    if enterprise_id is None:
        raise DomainError(field_name, "代为办理时请选择企业")
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise DomainError(field_name, f"编号为 {enterprise_id} 的企业不存在")
    policy.authorize(session, user, TRADER, "act", enterprise)
    return enterprise


def trades(session: Session, user: Any) -> bool:
    """Whether the user may act for some enterprise (an enterprise user whose account names none may not)."""
    if not policy.allows(user, TRADER, "act"):
        return False
    return session.scalar(policy.scoped(select(Enterprise.id), user, TRADER, "act").limit(1)) is not None


def enterprise_choices(session: Session, user: Any) -> list[tuple[int, str]]:
    """The enterprises a form lets the user name (only those who act on enterprises' behalf name one)."""
    if not acts_on_behalf(user):
        return []
    return [(row.id, row.name) for row in session.execute(
        select(Enterprise.id, Enterprise.name).order_by(Enterprise.name).limit(2000))]


def district_choices(session: Session) -> list[tuple[str, str]]:
    return [(row.code, row.name) for row in session.execute(select(District.code, District.name).order_by(District.code))]

"""Technology demands (技术需求): enterprises post needs in free text; staff see all of them.

Same conventions as market.service: errors name the field ("预算：不能为负数"), every change is
audited in the caller's transaction, the caller commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.auth.enums import Role
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import utcnow
from ipbureau.enterprises.models import Enterprise
from ipbureau.market.enums import DemandStatus
from ipbureau.market.models import Demand
from ipbureau.market.service import (MAX_TEXT, MarketError, TransitionError, _record, _snapshot, _text, acting_enterprise,
                                     acts_for, is_reviewer, parse_amount, reads_for, role_of)
from ipbureau.navigation.chains import chain_by_code, load_chains

DEMAND_FIELDS = ("enterprise_id", "status", "title", "description", "industry_chain", "budget_yuan", "region",
                 "contact_person", "contact_email")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_DESCRIPTION = 10


@dataclass
class DemandInput:
    description: Any
    title: Any = None
    industry_chain: Any = None
    budget: Any = None
    region: Any = None
    contact_person: Any = None
    contact_email: Any = None


def chain_choices() -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in load_chains()]


def _apply(demand: Demand, data: DemandInput) -> None:
    description = _text(data.description, "需求描述", required=True, limit=MAX_TEXT)
    if len(description) < MIN_DESCRIPTION:
        raise MarketError("需求描述", f"请至少用 {MIN_DESCRIPTION} 个字说明所需技术")
    chain = (str(data.industry_chain).strip() if data.industry_chain else "") or None
    if chain and chain_by_code(chain) is None:
        allowed = "、".join(name for _c, name in chain_choices())
        raise MarketError("所属产业链", f"“{chain}”无效，可选：{allowed}")
    email = _text(data.contact_email, "联系邮箱")
    if email and not EMAIL.match(email):
        raise MarketError("联系邮箱", f"“{email}”格式不正确")
    demand.description = description
    demand.title = _text(data.title, "需求标题") or description[:30]
    demand.industry_chain = chain
    demand.budget_yuan = parse_amount(data.budget, "预算", required=False)
    demand.region = _text(data.region, "地域")
    demand.contact_person = _text(data.contact_person, "联系人", limit=64)
    demand.contact_email = email


def create_demand(session: Session, data: DemandInput, *, actor: Any, enterprise_id: int | None = None,
                  ip_address: str | None = None) -> Demand:
    enterprise = acting_enterprise(session, actor, enterprise_id, field_name="需求企业")
    now = utcnow()
    demand = Demand(enterprise_id=enterprise.id, status=DemandStatus.OPEN, posted_at=now, created_by=actor.id)
    demand.enterprise = enterprise
    _apply(demand, data)
    session.add(demand)
    session.flush()
    _record(session, actor, "demand.create", "market_demand", demand.id, f"发布技术需求：{demand.title}", {},
            _snapshot(demand, DEMAND_FIELDS), ip_address)
    return demand


def update_demand(session: Session, demand: Demand, data: DemandInput, *, actor: Any,
                  ip_address: str | None = None) -> Demand:
    if not acts_for(actor, demand.enterprise_id):
        raise PermissionDenied("只能修改本企业的技术需求")
    if demand.status != DemandStatus.OPEN:
        raise TransitionError("状态", "已关闭的技术需求不能修改")
    before = _snapshot(demand, DEMAND_FIELDS)
    _apply(demand, data)
    session.flush()
    _record(session, actor, "demand.update", "market_demand", demand.id, f"修改技术需求：{demand.title}", before,
            _snapshot(demand, DEMAND_FIELDS), ip_address)
    return demand


def close_demand(session: Session, demand: Demand, *, actor: Any, ip_address: str | None = None) -> Demand:
    if not acts_for(actor, demand.enterprise_id):
        raise PermissionDenied("只能关闭本企业的技术需求")
    if demand.status == DemandStatus.CLOSED:
        raise TransitionError("状态", "技术需求已关闭，不能再次关闭")
    before = _snapshot(demand, DEMAND_FIELDS)
    demand.status = DemandStatus.CLOSED
    demand.closed_at = utcnow()
    session.flush()
    _record(session, actor, "demand.close", "market_demand", demand.id, f"关闭技术需求：{demand.title}", before,
            _snapshot(demand, DEMAND_FIELDS), ip_address)
    return demand


def can_view_demand(session: Session, user: Any, demand: Demand) -> bool:
    """The enterprise's own users and staff (district staff: their district's enterprises)."""
    return reads_for(session, user, demand.enterprise_id)


def demands_of(session: Session, user: Any, *, status: str | None = None, chain: str | None = None,
               limit: int = 300) -> list[Demand]:
    query = select(Demand).options(selectinload(Demand.enterprise))
    role = role_of(user)
    if role == Role.ENTERPRISE:
        if not user.enterprise_id:
            return []
        query = query.where(Demand.enterprise_id == user.enterprise_id)
    elif role == Role.DISTRICT_STAFF and user.district_code:
        query = query.where(Demand.enterprise_id.in_(
            select(Enterprise.id).where(Enterprise.district_code == user.district_code)))
    elif not is_reviewer(user):
        return []
    if status:
        query = query.where(Demand.status == status)
    if chain:
        query = query.where(Demand.industry_chain == chain)
    return list(session.scalars(query.order_by(Demand.posted_at.desc(), Demand.id.desc()).limit(limit)))

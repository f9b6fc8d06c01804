"""Technology demands (技术需求): an enterprise states a need in free text, to be matched with the patents on offer
(market.workflows.DEMAND). Read by the enterprise's own users and staff (district staff: their district's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.core.errors import DomainError
from ipbureau.database.core import utcnow
from ipbureau.market.checks import optional_text, required_text
from ipbureau.market.models import Demand
from ipbureau.market.parties import acting_enterprise
from ipbureau.market.schemas import DemandCreate, DemandFilters, DemandUpdate
from ipbureau.market.workflows import DEMAND
from ipbureau.navigation.chains import load_chains
from ipbureau.policy import policy

RESOURCE = "market.demand"
MIN_DESCRIPTION = 10


def chain_choices(session: Session) -> list[tuple[str, str]]:
    return [(c.code, c.name) for c in load_chains(session)]


def get_demand(session: Session, user: Any, demand_id: int, action: str = "view") -> Demand:
    """The demand if the user may see it (and take ``action`` on it); NotFound otherwise."""
    return policy.get(session, user, RESOURCE, demand_id, action, options=(selectinload(Demand.enterprise),))


def _need(session: Session, data: DemandUpdate) -> dict[str, Any]:
    """The demand's fields from what the enterprise filled in, every rule checked."""
    description = required_text(data.description, "需求描述")
    if len(description) < MIN_DESCRIPTION:
        raise DomainError("需求描述", f"请至少用 {MIN_DESCRIPTION} 个字说明所需技术")
    chain = optional_text(data.industry_chain)
    chains = dict(chain_choices(session))
    if chain and chain not in chains:
        raise DomainError("所属产业链", f"“{chain}”无效，可选：{'、'.join(chains.values())}")
    return {"description": description, "title": optional_text(data.title) or description[:30],
            "industry_chain": chain, "budget_yuan": data.budget_yuan, "region": optional_text(data.region),
            "contact_person": optional_text(data.contact_person), "contact_email": optional_text(data.contact_email)}


def _set(demand: Demand, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(demand, name, value)


def create_demand(session: Session, user: Any, data: DemandCreate, *, ip_address: str | None = None) -> Demand:
    policy.authorize(session, user, RESOURCE, "post")
    enterprise = acting_enterprise(session, user, data.enterprise_id, field_name="需求企业")
    values = _need(session, data)
    demand = Demand(created_by=user.id)
    with DEMAND.step(session, demand, "create", actor=user, policy=None, summary=f"发布技术需求：{values['title']}",
                     ip_address=ip_address):
        _set(demand, values)
        demand.enterprise_id, demand.enterprise, demand.posted_at = enterprise.id, enterprise, utcnow()
        session.add(demand)
    return demand


def update_demand(session: Session, user: Any, demand_id: int, data: DemandUpdate, *,
                  ip_address: str | None = None) -> Demand:
    policy.require(user, RESOURCE, "edit")
    demand = get_demand(session, user, demand_id)
    with DEMAND.step(session, demand, "update", actor=user, policy=policy, summary=f"修改技术需求：{demand.title}",
                     ip_address=ip_address):
        _set(demand, _need(session, data))
    return demand


def close_demand(session: Session, user: Any, demand_id: int, *, ip_address: str | None = None) -> Demand:
    policy.require(user, RESOURCE, "close")
    demand = get_demand(session, user, demand_id)
    with DEMAND.step(session, demand, "close", actor=user, policy=policy, summary=f"关闭技术需求：{demand.title}",
                     ip_address=ip_address):
        demand.closed_at = utcnow()
    return demand


def demands_of(session: Session, user: Any, filters: DemandFilters | None = None, *, limit: int = 300) -> list[Demand]:
    """The demands the user may read, latest first."""
    filters = filters or DemandFilters()
    query = policy.scoped(select(Demand), user, RESOURCE).options(selectinload(Demand.enterprise))
    if filters.status:
        query = query.where(Demand.status == filters.status)
    if filters.chain:
        query = query.where(Demand.industry_chain == filters.chain)
    return list(session.scalars(query.order_by(Demand.posted_at.desc(), Demand.id.desc()).limit(limit)))

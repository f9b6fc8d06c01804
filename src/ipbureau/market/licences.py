"""Licences (许可登记): the licences in force or past on a patent, filed when a licence deal completes or an
enterprise accepts an open licence (market.workflows.LICENCE). Only their two parties and city staff read them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.market.enums import LicenceType
from ipbureau.market.models import Licence
from ipbureau.market.workflows import LICENCE
from ipbureau.policy import policy

RESOURCE = "market.licence"


def file_licence(session: Session, actor: Any, *, ip_address: str | None = None, **values: Any) -> Licence:
    """Record a licence. The caller has checked who (the deal's or the declaration's step)."""
    licence = Licence(created_by=actor.id)
    summary = f"许可登记：{LicenceType(values['licence_type']).label}，专利编号 {values['patent_id']}"
    with LICENCE.step(session, licence, "create", actor=actor, policy=None, summary=summary, ip_address=ip_address):
        for name, value in values.items():
            setattr(licence, name, value)
        session.add(licence)
    return licence


def licences_of(session: Session, user: Any, *, open_licence_id: int | None = None) -> list[Licence]:
    """The licences the user may read (the own enterprise's as licensor or licensee; all for city staff)."""
    query = policy.scoped(select(Licence), user, RESOURCE).options(
        selectinload(Licence.patent), selectinload(Licence.licensor), selectinload(Licence.licensee))
    if open_licence_id is not None:
        query = query.where(Licence.open_licence_id == open_licence_id)
    return list(session.scalars(query.order_by(Licence.id.desc()).limit(200)))

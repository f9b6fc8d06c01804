"""The register of technical investigators (技术调查官) and the conflict-of-interest check (回避).

An investigator assists patent adjudication in his technical fields (IPC prefixes); he declares his
affiliations (former employers, relatives' companies, shareholdings: names, credit codes), and must stand
aside from a case when one of them names a party.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.forms import validate
from ipbureau.enterprises.creditcode import normalise as normalise_credit_code
from ipbureau.policy import policy
from ipbureau.protection.disputes.enums import PartySide
from ipbureau.protection.disputes.models import DisputeCase, Investigator
from ipbureau.protection.disputes.schemas import InvestigatorCreate
from ipbureau.protection.fields import required

RESOURCE = "dispute.investigator"
AUDITED = ("name", "organisation", "fields", "affiliations", "active")
IPC_LABEL = "技术领域（IPC）"


def ipc_prefix(value: Any, field_name: str = IPC_LABEL) -> str | None:
    """An IPC class or a prefix of one ("G06F", "G06F16/00"), upper case without spaces."""
    code = re.sub(r"\s+", "", str(value or "")).upper() or None
    if code and not re.fullmatch(r"[A-H](\d{2}([A-Z](\d{1,4}(/\d{1,6})?)?)?)?", code):
        raise DomainError(field_name, f"“{value}”不是 IPC 分类号（如 G06F 或 G06F16/00）")
    return code


def _key(value: str) -> str:
    """Names and credit codes compared without spaces, full-width forms or case."""
    return normalise_credit_code(value)


def conflicts(investigator: Investigator, case: DisputeCase) -> list[str]:
    """The declared affiliations that name a party (its name or credit code), as readable clauses."""
    found = []
    for declared in investigator.affiliations or []:
        wanted = _key(declared)
        if not wanted:
            continue
        for party in case.parties:
            keys = {_key(party.name)} | ({_key(party.credit_code)} if party.credit_code else set())
            # An organisation name also matches its longer form ("天津某某" in "天津某某科技有限公司").
            if wanted in keys or (len(wanted) >= 4 and not party.is_person and wanted in _key(party.name)):
                found.append(f"申报的关联关系“{declared}”与{PartySide(party.side).label}“{party.name}”")
    return found


def field_matches(investigator: Investigator, ipc: str | None) -> bool:
    if not ipc:
        return True
    return any(ipc.startswith(prefix.upper()) or prefix.upper().startswith(ipc) for prefix in investigator.fields or [])


def candidates(session: Session, case: DisputeCase) -> list[tuple[Investigator, list[str]]]:
    """Active investigators of the case's technical field, each with its conflicts (empty: may serve)."""
    rows = session.scalars(select(Investigator).where(Investigator.active.is_(True),
                                                      Investigator.dataset == case.dataset).order_by(Investigator.name))
    return [(inv, conflicts(inv, case)) for inv in rows if field_matches(inv, case.ipc)]


def check_may_serve(session: Session, case: DisputeCase, investigator_id: int | None) -> Investigator:
    """The investigator chosen for a case: on the register, of its technical field and without a conflict."""
    investigator = session.get(Investigator, investigator_id) if investigator_id else None
    if investigator is None or not investigator.active:
        raise DomainError("技术调查官", "请从名册中选择在册的技术调查官")
    if not field_matches(investigator, case.ipc):
        raise DomainError("技术调查官", f"{investigator.name}的技术领域（{'、'.join(investigator.fields)}）"
                                     f"与本案技术领域（{case.ipc}）不符")
    found = conflicts(investigator, case)
    if found:
        raise DomainError("技术调查官", f"{investigator.name}{'；'.join(found)}存在利害关系，应当回避，不能指派")
    return investigator


def create_investigator(session: Session, user: User, data: InvestigatorCreate | Mapping[str, Any], *,
                        ip_address: str | None = None) -> Investigator:
    policy.require(user, RESOURCE, "manage")
    data = validate(InvestigatorCreate, data)
    investigator = Investigator(name=required(data, "investigator_name"),
                                organisation=required(data, "investigator_organisation"),
                                fields=[ipc_prefix(item) for item in data.investigator_fields],
                                affiliations=list(data.affiliations), active=True)
    if not investigator.fields:
        raise DomainError(IPC_LABEL, "请至少填写一个 IPC 分类（如 G06F、A61K）")
    session.add(investigator)
    session.flush()
    audit.record(session, actor=user, action="disputes.investigator.create", entity_type="dispute_investigator",
                 entity_id=investigator.id, summary=f"登记技术调查官 {investigator.name}（{investigator.organisation}）",
                 changes=audit.diff({}, audit.snapshot(investigator, AUDITED)), ip_address=ip_address)
    return investigator


def list_investigators(session: Session, user: User) -> list[Investigator]:
    policy.require(user, RESOURCE, "view")
    return list(session.scalars(select(Investigator).order_by(Investigator.dataset, Investigator.name)))

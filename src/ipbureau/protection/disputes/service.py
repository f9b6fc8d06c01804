"""Dispute cases (no HTTP here): registration with its parties, reading and listing within the access policy,
deadline warnings, and the users who may handle a case. The actions on a case are in actions.py, the register
of technical investigators in investigators.py, the deadlines in deadlines.py.

Every service checks the access policy on entry (``policy.require`` / ``get`` / ``scoped``), so it is as safe
called from the CLI as from a route; every change is audited; the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.forms import validate
from ipbureau.database.core import paginate
from ipbureau.policy import policy
from ipbureau.protection import fields
from ipbureau.protection.disputes import deadlines
from ipbureau.protection.disputes.enums import OPEN_STATUSES, DisputeKind, DisputeStatus, HandlingOrg, IpType, PartySide
from ipbureau.protection.disputes.investigators import ipc_prefix
from ipbureau.protection.disputes.models import DisputeCase, DisputeParty
from ipbureau.protection.disputes.schemas import CaseCreate, CaseFilters, PartyIn
from ipbureau.protection.disputes.workflows import AUDIT_PREFIX, ENTITY, RESOURCE, workflow_for

CASE_PREFIX = {DisputeKind.MEDIATION: "津知调", DisputeKind.ADJUDICATION: "津知裁"}
LOADED = (selectinload(DisputeCase.parties), selectinload(DisputeCase.sessions), selectinload(DisputeCase.investigator))


# ---- parties -----------------------------------------------------------------------------------

def _party(session: Session, item: PartyIn, index: int) -> DisputeParty:
    side = fields.choice(PartySide, item.party_side, f"当事人{index}的身份")
    label = PartySide(side).label
    enterprise, code = fields.party_enterprise(session, label, enterprise_id=item.party_enterprise_id,
                                               credit_code=item.party_credit_code, is_person=item.party_is_person)
    if enterprise is not None:
        return DisputeParty(side=side, enterprise_id=enterprise.id, name=enterprise.name,
                            credit_code=enterprise.credit_code, is_person=False)
    name = fields.text(item.party_name, f"{label}名称", required=True)
    if item.party_is_person:
        return DisputeParty(side=side, name=name, credit_code=None, is_person=True)
    if code is None:
        raise DomainError(f"{label}统一社会信用代码", "当事人为单位时须填写（自然人请勾选“自然人”）")
    return DisputeParty(side=side, name=name, credit_code=code, is_person=False)


def build_parties(session: Session, items: list[PartyIn]) -> list[DisputeParty]:
    """The parties of a new case (rows left empty on the form are skipped): at least one of each side, none
    listed twice."""
    parties = [_party(session, item, i) for i, item in enumerate(items, start=1)
               if item.party_enterprise_id or item.party_name or item.party_credit_code]
    for side in PartySide:
        if not any(p.side == side for p in parties):
            raise DomainError(side.label, "至少须有一名")
    keys = [(p.credit_code or p.name) for p in parties]
    if len(set(keys)) != len(keys):
        raise DomainError("当事人", "同一当事人不能重复列出，也不能既是请求人又是被请求人")
    return parties


# ---- handlers ----------------------------------------------------------------------------------

def check_handler(session: Session, handler_id: int | None) -> int | None:
    """A handler (承办人) named for a case: an active user whose role may handle cases."""
    if not handler_id:
        return None
    user = session.get(User, handler_id)
    if user is None or not user.is_active:
        raise DomainError("承办人", f"编号为 {handler_id} 的用户不存在或已停用")
    if not policy.allows(user, RESOURCE, "handle"):
        raise DomainError("承办人", f"{user.display_name} 不是调解员或工作人员，不能承办案件")
    return user.id


def handler_choices(session: Session) -> list[User]:
    roles = sorted(policy.roles_for(RESOURCE, "handle"))
    return list(session.scalars(select(User).where(User.is_active.is_(True), User.role.in_(roles))
                                .order_by(User.username)))


# ---- registration ------------------------------------------------------------------------------

def next_case_no(session: Session, kind: DisputeKind, year: int, *, demo: bool = False) -> str:
    return fields.next_case_no(session, DisputeCase.case_no, f"{CASE_PREFIX[kind]}〔{year}〕{'D' if demo else ''}")


def register(session: Session, user: User, data: CaseCreate | Mapping[str, Any], *, today: date,
             ip_address: str | None = None) -> DisputeCase:
    policy.require(user, RESOURCE, "create")
    data = validate(CaseCreate, data)
    kind = fields.choice(DisputeKind, data.case_kind, fields.label(data, "case_kind"))
    ip_type = fields.choice(IpType, data.ip_type, fields.label(data, "ip_type"))
    org = fields.choice(HandlingOrg, data.handling_org, fields.label(data, "handling_org"))
    district_code = fields.district(session, data.district_code)
    if kind == DisputeKind.ADJUDICATION and org == HandlingOrg.MEDIATION_COMMITTEE:
        raise DomainError("办理机构", "行政裁决由知识产权管理部门办理，人民调解委员会不能作出裁决")
    received_on = fields.day(data, "received_on", today=today)
    ipc = ipc_prefix(data.case_ipc)
    if kind == DisputeKind.ADJUDICATION and ip_type == IpType.PATENT and not ipc:
        raise DomainError("技术领域（IPC）", "专利侵权纠纷行政裁决须填写涉案专利的 IPC 分类，以便指派技术调查官")
    handler_id = check_handler(session, data.handler_id)
    if handler_id is None and policy.allows(user, RESOURCE, "undertake"):
        handler_id = user.id
    case = DisputeCase(
        case_no=next_case_no(session, kind, received_on.year), kind=kind, ip_type=ip_type,
        status=DisputeStatus.RECEIVED, ip_numbers=data.ip_numbers or None, ipc=ipc,
        claim=fields.required(data, "claim"), district_code=district_code, handling_org=org,
        received_on=received_on, deadline=deadlines.initial_deadline(kind, received_on), handler_id=handler_id,
        created_by=user.id)
    case.parties = build_parties(session, data.parties)
    session.add(case)
    fields.require_scope(session, user, RESOURCE, "create", case)  # district staff: a case of their district
    changes = audit.diff({}, audit.snapshot(case, workflow_for(case).audited))
    changes["parties"] = [None, [f"{p.side}:{p.name}:{p.credit_code or ''}" for p in case.parties]]
    audit.record(session, actor=user, action=f"{AUDIT_PREFIX}.create", entity_type=ENTITY, entity_id=case.id,
                 summary=f"{case.case_no}：登记{DisputeKind(kind).label}案件（{IpType(ip_type).label}）",
                 changes=changes, ip_address=ip_address)
    return case


# ---- reading -----------------------------------------------------------------------------------

def get_case(session: Session, user: User, case_id: int, action: str = "view") -> DisputeCase:
    """The case if the user may see it (and perform ``action`` on it); NotFound otherwise, missing or hidden."""
    return policy.get(session, user, RESOURCE, case_id, action, options=LOADED)


def list_cases(session: Session, user: User, filters: CaseFilters | None = None, *, today: date,
               offset: int = 0, limit: int = 50) -> tuple[list[DisputeCase], int]:
    filters = filters or CaseFilters()
    query = policy.scoped(select(DisputeCase), user, RESOURCE).options(selectinload(DisputeCase.parties))
    if filters.kind:
        query = query.where(DisputeCase.kind == fields.choice(DisputeKind, filters.kind, "类型"))
    if filters.status:
        query = query.where(DisputeCase.status == fields.choice(DisputeStatus, filters.status, "状态"))
    if filters.district:
        query = query.where(DisputeCase.district_code == filters.district)
    if filters.deadline in ("overdue", "due_soon"):
        query = query.where(DisputeCase.status.in_([s.value for s in OPEN_STATUSES]))
        if filters.deadline == "overdue":
            query = query.where(DisputeCase.deadline < today)
        else:
            query = query.where(DisputeCase.deadline >= today,
                                DisputeCase.deadline <= today + timedelta(days=deadlines.DUE_SOON_DAYS))
    if filters.keyword:
        like = f"%{filters.keyword}%"
        query = query.where(or_(DisputeCase.case_no.like(like), DisputeCase.claim.like(like),
                                DisputeCase.ip_numbers.like(like), DisputeCase.id.in_(
                                    select(DisputeParty.case_id).where(DisputeParty.name.like(like)))))
    return paginate(session, query, DisputeCase.received_on.desc(), DisputeCase.id.desc(), offset=offset, limit=limit)


def warning_counts(session: Session, user: User, today: date) -> dict[str, int]:
    """Open cases past their deadline and due within DUE_SOON_DAYS, among those the user sees."""
    open_cases = policy.scoped(select(DisputeCase), user, RESOURCE).where(
        DisputeCase.status.in_([s.value for s in OPEN_STATUSES])).subquery()
    overdue = session.scalar(select(func.count()).select_from(open_cases).where(open_cases.c.deadline < today)) or 0
    soon = session.scalar(select(func.count()).select_from(open_cases).where(
        open_cases.c.deadline >= today, open_cases.c.deadline <= today + timedelta(days=deadlines.DUE_SOON_DAYS))) or 0
    return {"overdue": overdue, "due_soon": soon}

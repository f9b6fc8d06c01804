"""Enforcement cases (no HTTP here): registration, reading and listing within the access policy, and the
workflow's actions (correcting an open case, closing it, transferring it to a judicial organ). The live
statistics and their export are in statistics.py.

Every service checks the access policy on entry, so it is as safe called from the CLI as from a route; every
change is audited; the caller's unit of work commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError
from ipbureau.core.forms import validate
from ipbureau.core.workflow import Transition
from ipbureau.database.core import paginate
from ipbureau.policy import policy
from ipbureau.protection import fields
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.protection.enforcement.schemas import CaseFilters, CaseIn, CloseIn, TransferIn
from ipbureau.protection.enforcement.workflows import AUDIT_PREFIX, CASE, ENTITY, RESOURCE
from ipbureau.protection.fields import Plan, label

ZERO = Decimal("0.00")


# ---- input -------------------------------------------------------------------------------------

def _party(session: Session, data: CaseIn) -> dict[str, Any]:
    enterprise, code = fields.party_enterprise(session, "当事人", enterprise_id=data.party_enterprise_id,
                                               credit_code=data.party_credit_code, is_person=data.party_is_person)
    if enterprise is not None:
        return {"party_enterprise_id": enterprise.id, "party_name": enterprise.name,
                "party_credit_code": enterprise.credit_code, "party_is_person": False}
    return {"party_enterprise_id": None, "party_name": fields.required(data, "party_name"),
            "party_is_person": data.party_is_person, "party_credit_code": None if data.party_is_person else code}


def _facts(session: Session, data: CaseIn, today: date) -> dict[str, Any]:
    """The facts of a case as registered or corrected, checked."""
    return {
        "category": fields.choice(CaseCategory, data.case_category, label(data, "case_category")),
        "district_code": fields.district(session, data.district_code),
        "enforcement_unit": fields.required(data, "enforcement_unit"),
        **_party(session, data),
        "summary": data.case_summary or None,
        "opened_on": fields.day(data, "opened_on", today=today),
        "amount_involved_yuan": data.amount_involved or ZERO,
        "fines_yuan": data.fines or ZERO,
    }


def check_handler(session: Session, handler_id: int | None) -> int | None:
    """The officer named to handle a case (承办执法人员): a user whose role undertakes enforcement cases."""
    if not handler_id:
        return None
    user = session.get(User, handler_id)
    if user is None or not policy.allows(user, RESOURCE, "undertake"):
        raise DomainError("承办执法人员", f"编号为 {handler_id} 的用户不是执法人员")
    return user.id


def next_case_no(session: Session, year: int, *, demo: bool = False) -> str:
    return fields.next_case_no(session, EnforcementCase.case_no, f"津知执〔{year}〕{'D' if demo else ''}")


# ---- registration and reading ------------------------------------------------------------------

def register(session: Session, user: User, data: CaseIn | Mapping[str, Any], *, today: date,
             ip_address: str | None = None) -> EnforcementCase:
    policy.require(user, RESOURCE, "create")
    data = validate(CaseIn, data)
    facts = _facts(session, data, today)
    # An officer who registers a case handles it himself; staff may name the officer.
    handler_id = user.id if policy.allows(user, RESOURCE, "undertake") else check_handler(session, data.handler_id)
    if data.case_no and session.scalar(select(EnforcementCase.id).where(EnforcementCase.case_no == data.case_no)):
        raise DomainError(label(data, "case_no"), f"“{data.case_no}”已被使用")
    case = EnforcementCase(**facts, status=CaseStatus.OPEN, transferred=False, handler_id=handler_id,
                           created_by=user.id, case_no=data.case_no or next_case_no(session, facts["opened_on"].year))
    session.add(case)
    fields.require_scope(session, user, RESOURCE, "create", case)  # district staff: a case of their district
    audit.record(session, actor=user, action=f"{AUDIT_PREFIX}.create", entity_type=ENTITY, entity_id=case.id,
                 summary=f"{case.case_no}：登记{CaseCategory(case.category).label}案件，当事人 {case.party_name}",
                 changes=audit.diff({}, audit.snapshot(case, CASE.audited)), ip_address=ip_address)
    return case


def get_case(session: Session, user: User, case_id: int) -> EnforcementCase:
    """The case if the user may see it; NotFound otherwise, missing or hidden alike."""
    return policy.get(session, user, RESOURCE, case_id)


def list_cases(session: Session, user: User, filters: CaseFilters | None = None, *, offset: int = 0,
               limit: int = 50) -> tuple[list[EnforcementCase], int]:
    filters = filters or CaseFilters()
    query = policy.scoped(select(EnforcementCase), user, RESOURCE)
    if filters.category:
        query = query.where(EnforcementCase.category == fields.choice(CaseCategory, filters.category, "案件类别"))
    if filters.status:
        query = query.where(EnforcementCase.status == fields.choice(CaseStatus, filters.status, "状态"))
    if filters.district:
        query = query.where(EnforcementCase.district_code == filters.district)
    if filters.year:
        query = query.where(EnforcementCase.opened_on >= date(filters.year, 1, 1),
                            EnforcementCase.opened_on <= date(filters.year, 12, 31))
    if filters.keyword:
        like = f"%{filters.keyword}%"
        query = query.where(or_(EnforcementCase.case_no.like(like), EnforcementCase.party_name.like(like),
                                EnforcementCase.penalty_decision_no.like(like),
                                EnforcementCase.enforcement_unit.like(like)))
    return paginate(session, query, EnforcementCase.opened_on.desc(), EnforcementCase.id.desc(), offset=offset,
                    limit=limit)


# ---- the workflow's actions --------------------------------------------------------------------

def update(session: Session, user: User, case_id: int, data: CaseIn | Mapping[str, Any], *, today: date,
           ip_address: str | None = None) -> EnforcementCase:
    """Correct the facts of an open case."""
    case = get_case(session, user, case_id)
    fields.perform(session, user, CASE, case, "update",
                   lambda: Plan("修改案件信息", _facts(session, validate(CaseIn, data), today)), ip_address=ip_address,
                   seen=data)
    fields.require_scope(session, user, RESOURCE, "handle", case)  # district staff keep it in their district
    return case


def close(session: Session, user: User, case_id: int, data: CloseIn | Mapping[str, Any], *, today: date,
          ip_address: str | None = None) -> EnforcementCase:
    """Close an open case with its penalty (or no-penalty) decision; the amounts may be corrected then."""
    case = get_case(session, user, case_id)

    def plan() -> Plan:
        form = validate(CloseIn, data)
        if not form.penalty_decision_no:
            raise DomainError(label(form, "penalty_decision_no"), "结案前须填写行政处罚（或不予处罚）决定书文号")
        changes: dict[str, Any] = {"penalty_decision_no": form.penalty_decision_no, "closed_on": fields.day(
            form, "case_closed_on", today=today, not_before=((case.opened_on, "立案日期"),))}
        if form.fines is not None:
            changes["fines_yuan"] = form.fines
        if form.amount_involved is not None:
            changes["amount_involved_yuan"] = form.amount_involved
        fines = changes.get("fines_yuan", case.fines_yuan)
        return Plan(f"结案（{form.penalty_decision_no}），罚没款 {fields.format_yuan(fines)} 元", changes)

    fields.perform(session, user, CASE, case, "close", plan, ip_address=ip_address, seen=data)
    return case


def transfer(session: Session, user: User, case_id: int, data: TransferIn | Mapping[str, Any], *, today: date,
             ip_address: str | None = None) -> EnforcementCase:
    """移送司法机关 (涉嫌犯罪): an open case ends there (its closing day is the transfer's); a closed one keeps its
    closing day."""
    case = get_case(session, user, case_id)

    def plan() -> Plan:
        form = validate(TransferIn, data)
        organ = fields.required(form, "transfer_organ")
        on = fields.day(form, "transferred_on", today=today, not_before=((case.opened_on, "立案日期"),))
        changes: dict[str, Any] = {"transferred": True, "transferred_on": on, "transferred_organ": organ}
        if case.status == CaseStatus.OPEN:
            changes["closed_on"] = on
        return Plan(f"移送{organ}", changes)

    fields.perform(session, user, CASE, case, "transfer", plan, ip_address=ip_address, seen=data)
    return case


def available_actions(session: Session, user: User, case: EnforcementCase) -> list[Transition]:
    return CASE.available(session, user, case, policy)

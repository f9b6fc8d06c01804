"""Dispute cases (no HTTP here): input checking, who sees and handles what, deadlines, listing,
the technical-investigator register and the conflict-of-interest check.

Deadlines (the sources we follow; working days skip weekends only, public holidays are not known):

* mediation — 30 days from registration: 司法部《人民调解工作若干规定》“人民调解委员会调解纠纷，
  一般在一个月内调结”; the bureau's mediation committee works to the same month.
* adjudication, before acceptance — 5 working days from receipt of the request: 《专利行政执法办法》
  “请求符合本办法第八条规定条件的，管理专利工作的部门应当在收到请求书之日起5个工作日内立案”.
* adjudication, after acceptance — 3 months from acceptance (立案), extendable once by at most one
  month with the head's approval: 《专利行政执法办法》“管理专利工作的部门处理专利侵权纠纷，应当自立案之日起
  3个月内结案。案件特别复杂需要延长期限的，应当由管理专利工作的部门负责人批准。经批准延长的期限，最多不超过1个月”.
  Trademark and other adjudications use the same periods (assumption: no separate rule is applied).

The caller commits; every change is audited in the caller's transaction.
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError
from ipbureau.core.errors import TransitionError as CoreTransitionError

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import paginate
from ipbureau.enterprises.creditcode import normalise as normalise_credit_code
from ipbureau.enterprises.creditcode import validate_credit_code
from ipbureau.enterprises.models import Enterprise
from ipbureau.imports.readers import parse_date
from ipbureau.protection import fields
from ipbureau.protection.disputes.enums import (OPEN_STATUSES, DeadlineState, DisputeKind, DisputeStatus, PartySide)
from ipbureau.protection.disputes.models import DisputeCase, DisputeParty, Investigator
from ipbureau.reference.models import District

MEDIATION_DAYS = 30
ACCEPTANCE_WORKING_DAYS = 5
ADJUDICATION_MONTHS = 3
EXTENSION_MONTHS = 1
DUE_SOON_DAYS = 7
MAX_LINE = 200
MAX_TEXT = 5000
MANAGERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF})


class DisputeError(DomainError):
    """Input that cannot be accepted (HTTP 422); the message names the field: "协议金额：不能为负数"."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}：{message}")
        self.field = field_name


class TransitionError(DisputeError, CoreTransitionError):
    """An action the case's state does not allow (HTTP 409)."""


# ---- input -------------------------------------------------------------------------------------

def text(value: Any, field_name: str, *, required: bool = False, limit: int = MAX_LINE) -> str | None:
    result = (str(value) if value is not None else "").strip() or None
    if required and not result:
        raise DisputeError(field_name, "不能为空")
    if result and len(result) > limit:
        raise DisputeError(field_name, f"不能超过 {limit} 个字符")
    return result


def day(value: Any, field_name: str, *, required: bool = False) -> date | None:
    try:
        parsed = parse_date(value)
    except ValueError:
        raise DisputeError(field_name, f"日期“{value}”无法识别（如 2023-05-01）") from None
    if parsed is None and required:
        raise DisputeError(field_name, "请填写日期")
    return parsed


def amount(value: Any, field_name: str, *, required: bool = False) -> Decimal | None:
    """A sum in yuan as typed ("12,000.5"): non-negative, finite, rounded to fen."""
    return fields.parse_amount(value, field_name, error=DisputeError, required=required)


def enum_value(enum_class: Any, value: Any, field_name: str) -> Any:
    return fields.parse_enum(enum_class, value, field_name, error=DisputeError)


def district(session: Session, code: Any, field_name: str = "所属区") -> str:
    return fields.parse_district(session, code, field_name, error=DisputeError)


def ipc_prefix(value: Any, field_name: str = "技术领域（IPC）") -> str | None:
    code = re.sub(r"\s+", "", str(value or "")).upper() or None
    if code and not re.fullmatch(r"[A-H](\d{2}([A-Z](\d{1,4}(/\d{1,6})?)?)?)?", code):
        raise DisputeError(field_name, f"“{value}”不是 IPC 分类号（如 G06F 或 G06F16/00）")
    return code


def add_months(start: date, months: int) -> date:
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


# ---- parties -----------------------------------------------------------------------------------

@dataclass
class PartyInput:
    side: str
    name: str | None = None
    credit_code: str | None = None
    is_person: bool = False
    enterprise_id: int | None = None


def _party(session: Session, item: PartyInput, index: int) -> DisputeParty:
    side = enum_value(PartySide, item.side, f"当事人{index}的身份")
    label = PartySide(side).label
    enterprise = None
    if item.enterprise_id:
        enterprise = session.get(Enterprise, item.enterprise_id)
        if enterprise is None:
            raise DisputeError(label, f"编号为 {item.enterprise_id} 的企业不存在")
    code = None
    if not item.is_person and item.credit_code and str(item.credit_code).strip():
        try:
            code = validate_credit_code(item.credit_code)
        except ValueError as exc:
            raise DisputeError(f"{label}统一社会信用代码", str(exc)) from None
        enterprise = enterprise or session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if enterprise is not None:
        return DisputeParty(side=side, enterprise_id=enterprise.id, name=enterprise.name,
                            credit_code=enterprise.credit_code, is_person=False)
    name = text(item.name, f"{label}名称", required=True)
    if item.is_person:
        return DisputeParty(side=side, name=name, credit_code=None, is_person=True)
    if code is None:
        raise DisputeError(f"{label}统一社会信用代码", "当事人为单位时须填写（自然人请勾选“自然人”）")
    return DisputeParty(side=side, name=name, credit_code=code, is_person=False)


def build_parties(session: Session, items: list[PartyInput]) -> list[DisputeParty]:
    parties = [_party(session, item, i) for i, item in enumerate(items, start=1) if item.enterprise_id or
               (item.name and str(item.name).strip()) or (item.credit_code and str(item.credit_code).strip())]
    for side in PartySide:
        if not any(p.side == side for p in parties):
            raise DisputeError(side.label, "至少须有一名")
    keys = [(p.credit_code or p.name) for p in parties]
    if len(set(keys)) != len(keys):
        raise DisputeError("当事人", "同一当事人不能重复列出，也不能既是请求人又是被请求人")
    return parties


# ---- who sees and handles what -----------------------------------------------------------------

def role_of(user: Any) -> Role:
    return Role(user.role)


def visible_cases(session: Session, user: User) -> Select:
    """The cases a user may read: staff all; district staff their district; mediators theirs;
    enterprises the cases their enterprise is a party to. Others none (the views refuse them)."""
    query = select(DisputeCase)
    role = role_of(user)
    if role in MANAGERS:
        return query
    if role == Role.DISTRICT_STAFF:
        return query.where(DisputeCase.district_code == (user.district_code or "-"))
    if role == Role.MEDIATOR:
        return query.where(DisputeCase.handler_id == user.id)
    if role == Role.ENTERPRISE and user.enterprise_id:
        return query.where(DisputeCase.id.in_(
            select(DisputeParty.case_id).where(DisputeParty.enterprise_id == user.enterprise_id)))
    return query.where(DisputeCase.id == -1)


def can_view(session: Session, user: User, case: DisputeCase) -> bool:
    return session.scalar(visible_cases(session, user).where(DisputeCase.id == case.id).with_only_columns(
        DisputeCase.id)) is not None


def can_handle(user: User, case: DisputeCase) -> bool:
    role = role_of(user)
    if role in MANAGERS:
        return True
    if role == Role.DISTRICT_STAFF:
        return bool(user.district_code) and case.district_code == user.district_code
    return role == Role.MEDIATOR and case.handler_id == user.id


def check_handler(user: User, case: DisputeCase) -> None:
    if not can_handle(user, case):
        raise PermissionDenied("只有本案承办人、本区工作人员或市局工作人员可以办理")


def may_register(user: User) -> bool:
    return role_of(user) in MANAGERS | {Role.DISTRICT_STAFF, Role.MEDIATOR}


# ---- deadlines ---------------------------------------------------------------------------------

def initial_deadline(kind: DisputeKind, received_on: date) -> date:
    if kind == DisputeKind.MEDIATION:
        return received_on + timedelta(days=MEDIATION_DAYS)
    return add_working_days(received_on, ACCEPTANCE_WORKING_DAYS)


def deadline_state(case: DisputeCase, today: date) -> DeadlineState:
    if case.status not in OPEN_STATUSES:
        return DeadlineState.DONE
    if case.deadline is None:
        return DeadlineState.OK
    if case.deadline < today:
        return DeadlineState.OVERDUE
    if (case.deadline - today).days <= DUE_SOON_DAYS:
        return DeadlineState.DUE_SOON
    return DeadlineState.OK


def deadline_note(case: DisputeCase, today: date) -> str:
    state = deadline_state(case, today)
    if state == DeadlineState.OVERDUE:
        return f"已超期 {(today - case.deadline).days} 天"
    if state == DeadlineState.DUE_SOON:
        left = (case.deadline - today).days
        return "今日到期" if left == 0 else f"{left} 天后到期"
    return state.label


# ---- numbering and listing ---------------------------------------------------------------------

CASE_PREFIX = {DisputeKind.MEDIATION: "津知调", DisputeKind.ADJUDICATION: "津知裁"}


def next_case_no(session: Session, kind: DisputeKind, year: int, *, demo: bool = False) -> str:
    stem = f"{CASE_PREFIX[kind]}〔{year}〕{'D' if demo else ''}"
    taken = session.scalars(select(DisputeCase.case_no).where(DisputeCase.case_no.like(f"{stem}%号"))).all()
    numbers = [int(m.group(1)) for n in taken if (m := re.fullmatch(re.escape(stem) + r"(\d+)号", n))]
    return f"{stem}{max(numbers, default=0) + 1:04d}号"


@dataclass
class CaseFilters:
    kind: str | None = None
    status: str | None = None
    district: str | None = None
    deadline: str | None = None  # overdue / due_soon
    keyword: str | None = None


def list_cases(session: Session, user: User, filters: CaseFilters | None = None, *, today: date,
               offset: int = 0, limit: int = 50) -> tuple[list[DisputeCase], int]:
    filters = filters or CaseFilters()
    query = visible_cases(session, user).options(selectinload(DisputeCase.parties))
    if filters.kind:
        query = query.where(DisputeCase.kind == enum_value(DisputeKind, filters.kind, "类型"))
    if filters.status:
        query = query.where(DisputeCase.status == enum_value(DisputeStatus, filters.status, "状态"))
    if filters.district:
        query = query.where(DisputeCase.district_code == filters.district)
    if filters.deadline in ("overdue", "due_soon"):
        query = query.where(DisputeCase.status.in_([s.value for s in OPEN_STATUSES]))
        if filters.deadline == "overdue":
            query = query.where(DisputeCase.deadline < today)
        else:
            query = query.where(DisputeCase.deadline >= today,
                                DisputeCase.deadline <= today + timedelta(days=DUE_SOON_DAYS))
    if filters.keyword:
        like = f"%{filters.keyword}%"
        query = query.where(or_(DisputeCase.case_no.like(like), DisputeCase.claim.like(like),
                                DisputeCase.ip_numbers.like(like), DisputeCase.id.in_(
                                    select(DisputeParty.case_id).where(DisputeParty.name.like(like)))))
    return paginate(session, query, DisputeCase.received_on.desc(), DisputeCase.id.desc(), offset=offset, limit=limit)


def warning_counts(session: Session, user: User, today: date) -> dict[str, int]:
    """Open cases past their deadline and due within DUE_SOON_DAYS, among those the user sees."""
    base = visible_cases(session, user).where(DisputeCase.status.in_([s.value for s in OPEN_STATUSES])).subquery()
    overdue = session.scalar(select(func.count()).select_from(base).where(base.c.deadline < today)) or 0
    soon = session.scalar(select(func.count()).select_from(base).where(
        base.c.deadline >= today, base.c.deadline <= today + timedelta(days=DUE_SOON_DAYS))) or 0
    return {"overdue": overdue, "due_soon": soon}


def district_choices(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.code)))


def district_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(District.code, District.name)).all())


def handler_choices(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.is_active.is_(True), User.role.in_(
        [Role.MEDIATOR.value, Role.BUREAU_STAFF.value, Role.DISTRICT_STAFF.value])).order_by(User.username)))


# ---- technical investigators -------------------------------------------------------------------

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


def _list_of(value: Any, field_name: str, *, ipc: bool = False) -> list[str]:
    items = re.split(r"[,，、;；\n]+", value) if isinstance(value, str) else list(value or [])
    result = []
    for item in (str(x).strip() for x in items):
        if item:
            result.append(ipc_prefix(item, field_name) if ipc else text(item, field_name))
    return result


def create_investigator(session: Session, *, name: Any, organisation: Any, fields: Any, affiliations: Any,
                        actor: User, ip_address: str | None = None) -> Investigator:
    from ipbureau.audit import service as audit

    investigator = Investigator(name=text(name, "姓名", required=True, limit=64),
                                organisation=text(organisation, "所在单位", required=True),
                                fields=_list_of(fields, "技术领域（IPC）", ipc=True),
                                affiliations=_list_of(affiliations, "申报的关联关系"))
    if not investigator.fields:
        raise DisputeError("技术领域（IPC）", "请至少填写一个 IPC 分类（如 G06F、A61K）")
    session.add(investigator)
    session.flush()
    audit.record(session, actor=actor, action="disputes.investigator.create", entity_type="dispute_investigator",
                 entity_id=investigator.id, summary=f"登记技术调查官 {investigator.name}（{investigator.organisation}）",
                 changes=audit.diff({}, investigator_snapshot(investigator)), ip_address=ip_address)
    return investigator


def investigator_snapshot(investigator: Investigator) -> dict[str, Any]:
    return {"name": investigator.name, "organisation": investigator.organisation, "fields": investigator.fields,
            "affiliations": investigator.affiliations, "active": investigator.active}


def list_investigators(session: Session) -> list[Investigator]:
    return list(session.scalars(select(Investigator).order_by(Investigator.dataset, Investigator.name)))

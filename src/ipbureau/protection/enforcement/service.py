"""Enforcement cases (no HTTP here): input checking, visibility, registration, updates, closing and
transfer to judicial organs, live statistics and their Excel export.

Counting rules (the same as the indicators in ``indicators.py``):

* a case is *closed* (办结) in the period of its ``closed_on``: closed with a penalty decision, or ended by
  transfer to a judicial organ (移送司法机关, the administrative procedure ends there; a case closed with a
  penalty and transferred afterwards keeps its closing day);
* amounts involved (涉案金额) and fines and confiscations (罚没款) are summed over the closed cases;
* a case counts as *transferred* in the period of its ``transferred_on``.

Every change is audited; the caller commits.
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError
from ipbureau.core.errors import TransitionError as CoreTransitionError

import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, extract, func, or_, select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import paginate
from ipbureau.enterprises.creditcode import validate_credit_code
from ipbureau.enterprises.models import Enterprise
from ipbureau.imports.readers import parse_date
from ipbureau.protection import fields
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.reference.models import District

MANAGERS = frozenset({Role.ADMIN, Role.BUREAU_STAFF})
MAX_LINE = 200
MAX_TEXT = 5000
CLOSED_STATUSES = (CaseStatus.CLOSED.value, CaseStatus.TRANSFERRED.value)
_FORMULA_START = re.compile(r"^[=+\-@\t\r]")


class EnforcementError(DomainError):
    """Input that cannot be accepted (HTTP 422); the message names the field: "罚没款：不能为负数"."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}：{message}")
        self.field = field_name


class TransitionError(EnforcementError, CoreTransitionError):
    """An action the case's status does not allow (HTTP 409)."""


# ---- input -------------------------------------------------------------------------------------

def text(value: Any, field_name: str, *, required: bool = False, limit: int = MAX_LINE) -> str | None:
    result = (str(value) if value is not None else "").strip() or None
    if required and not result:
        raise EnforcementError(field_name, "不能为空")
    if result and len(result) > limit:
        raise EnforcementError(field_name, f"不能超过 {limit} 个字符")
    return result


def day(value: Any, field_name: str, *, required: bool = False, today: date | None = None) -> date | None:
    try:
        parsed = parse_date(value)
    except ValueError:
        raise EnforcementError(field_name, f"日期“{value}”无法识别（如 2023-05-01）") from None
    if parsed is None and required:
        raise EnforcementError(field_name, "请填写日期")
    if parsed and today and parsed > today:
        raise EnforcementError(field_name, "不能晚于今天")
    return parsed


def amount(value: Any, field_name: str) -> Decimal:
    """A sum in yuan as typed ("12,000.5"); empty is 0; non-negative, finite, rounded to fen."""
    return fields.parse_amount(value, field_name, error=EnforcementError, empty=Decimal("0.00"))


def enum_value(enum_class: Any, value: Any, field_name: str) -> Any:
    return fields.parse_enum(enum_class, value, field_name, error=EnforcementError)


def district(session: Session, code: Any, field_name: str = "所属区") -> str:
    return fields.parse_district(session, code, field_name, error=EnforcementError)


# ---- who sees and handles what -----------------------------------------------------------------

def visible_cases(user: User) -> Select:
    """Staff all; district staff their district; enforcement officers the cases they handle and, when
    their account names a district, that district's (their unit's). Others none."""
    query = select(EnforcementCase)
    role = Role(user.role)
    if role in MANAGERS:
        return query
    if role == Role.DISTRICT_STAFF:
        return query.where(EnforcementCase.district_code == (user.district_code or "-"))
    if role == Role.ENFORCEMENT:
        own = EnforcementCase.handler_id == user.id
        return query.where(or_(own, EnforcementCase.district_code == user.district_code) if user.district_code
                           else own)
    return query.where(EnforcementCase.id == -1)


def can_view(session: Session, user: User, case: EnforcementCase) -> bool:
    return session.scalar(visible_cases(user).where(EnforcementCase.id == case.id)
                          .with_only_columns(EnforcementCase.id)) is not None


def may_register(user: User) -> bool:
    return Role(user.role) in MANAGERS | {Role.DISTRICT_STAFF, Role.ENFORCEMENT}


# ---- registration and changes ------------------------------------------------------------------

@dataclass
class CaseInput:
    category: str
    district_code: str | None
    enforcement_unit: str | None
    party_name: str | None
    opened_on: Any
    case_no: str | None = None
    party_credit_code: str | None = None
    party_is_person: bool = False
    party_enterprise_id: int | None = None
    summary: str | None = None
    amount_involved: Any = None
    fines: Any = None
    handler_id: int | None = None


SNAPSHOT_FIELDS = ("case_no", "category", "status", "district_code", "enforcement_unit", "handler_id",
                   "party_enterprise_id", "party_name", "party_credit_code", "party_is_person", "summary", "opened_on",
                   "closed_on", "amount_involved_yuan", "fines_yuan", "penalty_decision_no", "transferred",
                   "transferred_on", "transferred_organ")


def snapshot(case: EnforcementCase) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in SNAPSHOT_FIELDS}
    for key in ("amount_involved_yuan", "fines_yuan"):
        if values[key] is not None:
            values[key] = str(Decimal(values[key]).quantize(Decimal("0.01")))
    return values


def _audit(session: Session, case: EnforcementCase, before: dict[str, Any], *, actor: User, verb: str,
           summary: str, ip_address: str | None) -> None:
    audit.record(session, actor=actor, action=f"enforcement.case.{verb}", entity_type="enforcement_case",
                 entity_id=case.id, summary=f"{case.case_no}：{summary}", changes=audit.diff(before, snapshot(case)),
                 ip_address=ip_address)


def next_case_no(session: Session, year: int, *, demo: bool = False) -> str:
    stem = f"津知执〔{year}〕{'D' if demo else ''}"
    taken = session.scalars(select(EnforcementCase.case_no).where(EnforcementCase.case_no.like(f"{stem}%号"))).all()
    numbers = [int(m.group(1)) for n in taken if (m := re.fullmatch(re.escape(stem) + r"(\d+)号", n))]
    return f"{stem}{max(numbers, default=0) + 1:04d}号"


def _apply_party(session: Session, case: EnforcementCase, data: CaseInput) -> None:
    enterprise = None
    if data.party_enterprise_id:
        enterprise = session.get(Enterprise, data.party_enterprise_id)
        if enterprise is None:
            raise EnforcementError("当事人", f"编号为 {data.party_enterprise_id} 的企业不存在")
    code = None
    if not data.party_is_person and data.party_credit_code and str(data.party_credit_code).strip():
        try:
            code = validate_credit_code(data.party_credit_code)
        except ValueError as exc:
            raise EnforcementError("当事人统一社会信用代码", str(exc)) from None
        enterprise = enterprise or session.scalar(select(Enterprise).where(Enterprise.credit_code == code))
    if enterprise is not None:
        case.party_enterprise_id, case.party_name = enterprise.id, enterprise.name
        case.party_credit_code, case.party_is_person = enterprise.credit_code, False
        return
    case.party_enterprise_id = None
    case.party_name = text(data.party_name, "当事人名称", required=True)
    case.party_is_person = bool(data.party_is_person)
    case.party_credit_code = None if data.party_is_person else code


def _apply(session: Session, case: EnforcementCase, data: CaseInput, today: date) -> None:
    case.category = enum_value(CaseCategory, data.category, "案件类别")
    case.district_code = district(session, data.district_code)
    case.enforcement_unit = text(data.enforcement_unit, "执法单位", required=True)
    _apply_party(session, case, data)
    case.summary = text(data.summary, "案情摘要", limit=MAX_TEXT)
    case.opened_on = day(data.opened_on, "立案日期", required=True, today=today)
    case.amount_involved_yuan = amount(data.amount_involved, "涉案金额")
    case.fines_yuan = amount(data.fines, "罚没款")


def register(session: Session, data: CaseInput, *, actor: User, today: date,
             ip_address: str | None = None) -> EnforcementCase:
    if not may_register(actor):
        raise PermissionDenied("只有执法人员和工作人员可以登记执法案件")
    case = EnforcementCase(status=CaseStatus.OPEN, created_by=actor.id, transferred=False)
    _apply(session, case, data, today)
    if Role(actor.role) == Role.DISTRICT_STAFF and case.district_code != actor.district_code:
        raise PermissionDenied("区局工作人员只能登记本区的案件")
    case.handler_id = actor.id if Role(actor.role) == Role.ENFORCEMENT else _handler(session, data.handler_id)
    number = text(data.case_no, "案件编号", limit=64)
    if number and session.scalar(select(EnforcementCase.id).where(EnforcementCase.case_no == number)):
        raise EnforcementError("案件编号", f"“{number}”已被使用")
    case.case_no = number or next_case_no(session, case.opened_on.year)
    session.add(case)
    session.flush()
    _audit(session, case, {}, actor=actor, verb="create", ip_address=ip_address,
           summary=f"登记{CaseCategory(case.category).label}案件，当事人 {case.party_name}")
    return case


def _handler(session: Session, handler_id: int | None) -> int | None:
    if not handler_id:
        return None
    user = session.get(User, handler_id)
    if user is None or Role(user.role) != Role.ENFORCEMENT:
        raise EnforcementError("承办执法人员", f"编号为 {handler_id} 的用户不是执法人员")
    return user.id


def check_handler(session: Session, user: User, case: EnforcementCase) -> None:
    if not may_register(user) or not can_view(session, user, case):
        raise PermissionDenied("只有本案执法人员、本区工作人员或市局工作人员可以办理")


def update(session: Session, case: EnforcementCase, data: CaseInput, *, actor: User, today: date,
           ip_address: str | None = None) -> EnforcementCase:
    check_handler(session, actor, case)
    if case.status != CaseStatus.OPEN:
        raise TransitionError("案件", f"{CaseStatus(case.status).label}的案件不能修改")
    before = snapshot(case)
    _apply(session, case, data, today)
    if Role(actor.role) == Role.DISTRICT_STAFF and case.district_code != actor.district_code:
        raise PermissionDenied("区局工作人员只能办理本区的案件")
    _audit(session, case, before, actor=actor, verb="update", summary="修改案件信息", ip_address=ip_address)
    return case


def close(session: Session, case: EnforcementCase, *, actor: User, today: date, closed_on: Any,
          penalty_decision_no: Any, fines: Any = None, amount_involved: Any = None,
          ip_address: str | None = None) -> EnforcementCase:
    check_handler(session, actor, case)
    if case.status != CaseStatus.OPEN:
        raise TransitionError("结案", f"{CaseStatus(case.status).label}的案件不能再结案")
    decision_no = text(penalty_decision_no, "处罚决定书文号", limit=100)
    if not decision_no:
        raise EnforcementError("处罚决定书文号", "结案前须填写行政处罚（或不予处罚）决定书文号")
    closed = day(closed_on, "结案日期", required=True, today=today)
    if closed < case.opened_on:
        raise EnforcementError("结案日期", f"不能早于立案日期（{case.opened_on.isoformat()}）")
    before = snapshot(case)
    if fines is not None and str(fines).strip() != "":
        case.fines_yuan = amount(fines, "罚没款")
    if amount_involved is not None and str(amount_involved).strip() != "":
        case.amount_involved_yuan = amount(amount_involved, "涉案金额")
    case.penalty_decision_no, case.closed_on, case.status = decision_no, closed, CaseStatus.CLOSED
    _audit(session, case, before, actor=actor, verb="close", ip_address=ip_address,
           summary=f"结案（{decision_no}），罚没款 {format_yuan(case.fines_yuan)} 元")
    return case


def transfer(session: Session, case: EnforcementCase, *, actor: User, today: date, transferred_on: Any,
             organ: Any, ip_address: str | None = None) -> EnforcementCase:
    """移送司法机关 (涉嫌犯罪): from an open case (which ends there) or after a penalty decision."""
    check_handler(session, actor, case)
    if case.transferred:
        raise TransitionError("移送司法机关", f"本案已于 {case.transferred_on} 移送{case.transferred_organ}")
    organ_name = text(organ, "接收移送的司法机关", required=True)
    on = day(transferred_on, "移送日期", required=True, today=today)
    if on < case.opened_on:
        raise EnforcementError("移送日期", f"不能早于立案日期（{case.opened_on.isoformat()}）")
    before = snapshot(case)
    if case.status == CaseStatus.OPEN:
        case.closed_on = on
    case.transferred, case.transferred_on, case.transferred_organ = True, on, organ_name
    case.status = CaseStatus.TRANSFERRED
    _audit(session, case, before, actor=actor, verb="transfer", ip_address=ip_address,
           summary=f"移送{organ_name}")
    return case


def available_actions(session: Session, case: EnforcementCase, user: User) -> list[str]:
    if not may_register(user) or not can_view(session, user, case):
        return []
    if case.status == CaseStatus.OPEN:
        return ["edit", "close", "transfer"]
    return [] if case.transferred else ["transfer"]


# ---- listing -----------------------------------------------------------------------------------

@dataclass
class CaseFilters:
    category: str | None = None
    status: str | None = None
    district: str | None = None
    year: int | None = None
    keyword: str | None = None


def list_cases(session: Session, user: User, filters: CaseFilters | None = None, *, offset: int = 0,
               limit: int = 50) -> tuple[list[EnforcementCase], int]:
    filters = filters or CaseFilters()
    query = visible_cases(user)
    if filters.category:
        query = query.where(EnforcementCase.category == enum_value(CaseCategory, filters.category, "案件类别"))
    if filters.status:
        query = query.where(EnforcementCase.status == enum_value(CaseStatus, filters.status, "状态"))
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


def district_choices(session: Session) -> list[District]:
    return list(session.scalars(select(District).order_by(District.code)))


def district_names(session: Session) -> dict[str, str]:
    return dict(session.execute(select(District.code, District.name)).all())


def format_yuan(value: Decimal | float | int | None) -> str:
    return "—" if value is None else f"{Decimal(value):,.2f}"


# ---- statistics --------------------------------------------------------------------------------

@dataclass
class Figures:
    closed: int = 0
    amount_yuan: Decimal = Decimal(0)
    fines_yuan: Decimal = Decimal(0)
    transferred: int = 0

    @property
    def amount_wan(self) -> float:
        return round(float(self.amount_yuan) / 10000, 2)

    @property
    def fines_wan(self) -> float:
        return round(float(self.fines_yuan) / 10000, 2)


@dataclass
class EnforcementStats:
    year: int
    dataset: str
    total: Figures
    by_category: dict[str, Figures] = field(default_factory=dict)
    by_district: dict[str, Figures] = field(default_factory=dict)
    by_month: dict[int, Figures] = field(default_factory=dict)


def _dec(value: Any) -> Decimal:
    return Decimal(str(value or 0))


def statistics(session: Session, user: User, year: int, *, dataset: str = "real") -> EnforcementStats:
    """Closed cases, amounts and fines (by closing day) and transfers (by transfer day) in a year,
    over the cases the user may see, by category, district and month; computed from the records."""
    visible = visible_cases(user).where(EnforcementCase.dataset == dataset).subquery()
    start, end = date(year, 1, 1), date(year, 12, 31)
    closed = and_(visible.c.status.in_(CLOSED_STATUSES), visible.c.closed_on >= start, visible.c.closed_on <= end)
    moved = and_(visible.c.transferred.is_(True), visible.c.transferred_on >= start, visible.c.transferred_on <= end)
    stats = EnforcementStats(year=year, dataset=dataset, total=Figures(),
                             by_month={m: Figures() for m in range(1, 13)})
    month = extract("month", visible.c.closed_on)
    rows = session.execute(select(visible.c.category, visible.c.district_code, month, func.count(),
                                  func.sum(visible.c.amount_involved_yuan), func.sum(visible.c.fines_yuan))
                           .where(closed).group_by(visible.c.category, visible.c.district_code, month))
    for category, district_code, m, count, amount_sum, fines_sum in rows:
        for bucket in (stats.total, stats.by_category.setdefault(category, Figures()),
                       stats.by_district.setdefault(district_code, Figures()), stats.by_month[int(m)]):
            bucket.closed += count
            bucket.amount_yuan += _dec(amount_sum)
            bucket.fines_yuan += _dec(fines_sum)
    month_moved = extract("month", visible.c.transferred_on)
    rows = session.execute(select(visible.c.category, visible.c.district_code, month_moved, func.count())
                           .where(moved).group_by(visible.c.category, visible.c.district_code, month_moved))
    for category, district_code, m, count in rows:
        for bucket in (stats.total, stats.by_category.setdefault(category, Figures()),
                       stats.by_district.setdefault(district_code, Figures()), stats.by_month[int(m)]):
            bucket.transferred += count
    stats.by_category = {c.value: stats.by_category.get(c.value, Figures()) for c in CaseCategory}
    stats.by_district = dict(sorted(stats.by_district.items()))
    return stats


def default_dataset(session: Session, user: User) -> str:
    """Real records when there are any the user may see; demo records otherwise (a demo installation)."""
    visible = visible_cases(user).with_only_columns(EnforcementCase.id)
    if session.scalar(visible.where(EnforcementCase.dataset == "real").limit(1)) is not None:
        return "real"
    return "demo" if session.scalar(visible.where(EnforcementCase.dataset == "demo").limit(1)) else "real"


def _safe(value: Any) -> Any:
    if isinstance(value, str) and _FORMULA_START.match(value):
        return "'" + value
    return value


def export_workbook(session: Session, user: User, stats: EnforcementStats) -> bytes:
    """Sheets by category, district and month (closed, 万元 amounts, transferred) and the cases closed or
    transferred in the year."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    names = district_names(session)
    headers = ("办结案件数（件）", "涉案金额（万元）", "罚没款（万元）", "移送司法机关（件）")
    workbook = Workbook()
    sheets = (("按类别", "案件类别", [(CaseCategory(c).label, f) for c, f in stats.by_category.items()]),
              ("按区", "区", [(names.get(d, d or "未知"), f) for d, f in stats.by_district.items()]),
              ("按月", "月份", [(f"{m}月", f) for m, f in stats.by_month.items()]))
    for index, (title, first, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = title
        sheet.append((f"{stats.year}年行政执法案件统计（{'演示数据' if stats.dataset == 'demo' else '真实数据'}）",))
        sheet.append((first, *headers))
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for label, figures in rows:
            sheet.append((label, figures.closed, figures.amount_wan, figures.fines_wan, figures.transferred))
        total = stats.total
        sheet.append(("合计", total.closed, total.amount_wan, total.fines_wan, total.transferred))
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 16
        for letter in "BCDE":
            sheet.column_dimensions[letter].width = 18
        sheet.freeze_panes = "A3"
    detail = workbook.create_sheet("案件明细")
    detail.append(("案件编号", "类别", "区", "执法单位", "当事人", "立案日期", "结案日期", "涉案金额（元）", "罚没款（元）",
                   "处罚决定书文号", "移送司法机关", "移送日期", "状态"))
    for cell in detail[1]:
        cell.font = Font(bold=True)
    start, end = date(stats.year, 1, 1), date(stats.year, 12, 31)
    query = visible_cases(user).where(EnforcementCase.dataset == stats.dataset, or_(
        and_(EnforcementCase.status.in_(CLOSED_STATUSES), EnforcementCase.closed_on.between(start, end)),
        and_(EnforcementCase.transferred.is_(True), EnforcementCase.transferred_on.between(start, end))))
    for case in session.scalars(query.order_by(EnforcementCase.closed_on, EnforcementCase.id)):
        detail.append((_safe(case.case_no), CaseCategory(case.category).label, names.get(case.district_code),
                       _safe(case.enforcement_unit), _safe(case.party_name), case.opened_on, case.closed_on,
                       float(case.amount_involved_yuan or 0), float(case.fines_yuan or 0),
                       _safe(case.penalty_decision_no), _safe(case.transferred_organ) if case.transferred else "否",
                       case.transferred_on, CaseStatus(case.status).label))
        for column in (6, 7, 12):
            detail.cell(detail.max_row, column).number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def month_chart(stats: EnforcementStats) -> str:
    from ipbureau.stats.charts import column_chart

    return column_chart([f"{m}月" for m in stats.by_month], [f.closed for f in stats.by_month.values()],
                        title=f"{stats.year}年各月办结执法案件数")


def category_chart(stats: EnforcementStats) -> str:
    from ipbureau.stats.charts import bar_ranking

    return bar_ranking([CaseCategory(c).label for c in stats.by_category],
                       [f.amount_wan for f in stats.by_category.values()], title=f"{stats.year}年各类案件涉案金额（万元）")

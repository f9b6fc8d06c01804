"""Enterprise services (no HTTP here): teams, visits, trainings, fee reductions; who may see and change them.

Every change is written to the audit log in the caller's transaction; the caller commits.
Errors name the field: "问题解决数：不能大于提出问题数".
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError

import io
import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.database.core import paginate
from ipbureau.enterprises.creditcode import normalise
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services.enums import TrainingMode
from ipbureau.enterprises.services.models import (
    FeeReduction,
    ServiceTeam,
    ServiceVisit,
    Training,
    TrainingAttendance,
)
from ipbureau.imports.readers import parse_date

MAX_COUNT = 100_000
MAX_TEXT = 2000
CITY_ROLES = frozenset({Role.ADMIN, Role.BUREAU_STAFF})
STAFF = frozenset({Role.ADMIN, Role.BUREAU_STAFF, Role.DISTRICT_STAFF})


class ServiceError(DomainError):
    """Input that cannot be accepted; the message names the field (zh-CN)."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}：{message}")
        self.field = field_name


# ---- who sees and changes what ------------------------------------------------------------------


def role_of(user: Any) -> Role:
    return Role(user.role)


def district_of_user(user: Any) -> str | None:
    """The district a staff user is limited to (None: the whole city)."""
    return user.district_code if role_of(user) == Role.DISTRICT_STAFF else None


def require_manager(user: Any, enterprise: Enterprise | None = None) -> None:
    """Staff record services; district staff only for their district's enterprises."""
    role = role_of(user)
    if role not in STAFF:
        raise PermissionDenied("只有市局和区局工作人员可以登记企业服务")
    if role == Role.DISTRICT_STAFF:
        if not user.district_code:
            raise PermissionDenied("您的账号尚未设置所属区")
        if enterprise is not None and enterprise.district_code != user.district_code:
            raise PermissionDenied("区局工作人员只能登记本区企业的服务记录")


def can_view_enterprise_services(user: Any, enterprise: Enterprise) -> bool:
    """Services of an enterprise are non-public: staff (district: own district) and the enterprise itself."""
    role = role_of(user)
    if role in CITY_ROLES:
        return True
    if role == Role.DISTRICT_STAFF:
        return bool(user.district_code) and user.district_code == enterprise.district_code
    if role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise.id
    return False


# ---- input parsing ---------------------------------------------------------------------------------


def parse_count(value: Any, field_name: str, *, required: bool = True, minimum: int = 0) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError(field_name, "不能为空")
        return 0
    if isinstance(value, bool):
        raise ServiceError(field_name, "必须是整数")
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ServiceError(field_name, f"“{value}”不是整数")
        value = int(value)
    text = str(value).strip().replace(",", "")
    try:
        number = int(text)
    except ValueError:
        raise ServiceError(field_name, f"“{value}”不是整数") from None
    if number < 0:
        raise ServiceError(field_name, "不能为负数")
    if number < minimum:
        raise ServiceError(field_name, f"不能小于 {minimum}")
    if number > MAX_COUNT:
        raise ServiceError(field_name, "数值过大")
    return number


def parse_day(value: Any, field_name: str, *, required: bool = True, today: date | None = None) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError(field_name, "不能为空")
        return None
    if isinstance(value, date):
        day = value
    else:
        try:
            day = parse_date(value)
        except ValueError:
            raise ServiceError(field_name, f"日期“{value}”无法识别（如 2023-05-01）") from None
    if day is None:
        raise ServiceError(field_name, "不能为空")
    if day > (today or date.today()):
        raise ServiceError(field_name, "不能晚于今天")
    if day.year < 2000:
        raise ServiceError(field_name, "早于 2000 年")
    return day


def parse_amount(value: Any, field_name: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(field_name, "请填写金额")
    if isinstance(value, bool):
        raise ServiceError(field_name, "必须是数字")
    text = str(value).strip().replace(",", "").replace("，", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ServiceError(field_name, f"“{value}”不是数字") from None
    if not number.is_finite():
        raise ServiceError(field_name, "必须是有限的数字")
    if number < 0:
        raise ServiceError(field_name, "不能为负数")
    if number >= Decimal("1e12"):
        raise ServiceError(field_name, "金额过大")
    return number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def parse_text(value: Any, field_name: str, *, required: bool = False, limit: int = MAX_TEXT) -> str | None:
    text = (str(value) if value is not None else "").strip() or None
    if required and not text:
        raise ServiceError(field_name, "不能为空")
    if text and len(text) > limit:
        raise ServiceError(field_name, f"不能超过 {limit} 个字符")
    return text


def find_enterprise(session: Session, value: Any, field_name: str = "企业") -> Enterprise:
    """An enterprise by id, unified social credit code or exact name."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ServiceError(field_name, "请选择企业")
    enterprise = None
    if isinstance(value, int) and not isinstance(value, bool) or str(value).strip().isdigit():
        enterprise = session.get(Enterprise, int(value))
    if enterprise is None:
        text = str(value).strip()
        enterprise = session.scalar(select(Enterprise).where(
            or_(Enterprise.credit_code == normalise(text), Enterprise.name == text)))
    if enterprise is None:
        raise ServiceError(field_name, f"未找到企业“{value}”（请填写企业名称或统一社会信用代码）")
    return enterprise


def _snapshot(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    out = {}
    for name in names:
        value = getattr(obj, name)
        out[name] = str(value) if isinstance(value, Decimal) else value
    return out


def _record(session: Session, actor: Any, action: str, entity_type: str, entity_id: int, summary: str,
            before: dict[str, Any], after: dict[str, Any]) -> None:
    audit.record(session, actor=actor, action=f"services.{action}", entity_type=entity_type, entity_id=entity_id,
                 summary=summary, changes=audit.diff(before, after))


# ---- teams -----------------------------------------------------------------------------------------

TEAM_FIELDS = ("name", "leader", "department")


def list_teams(session: Session) -> list[ServiceTeam]:
    return list(session.scalars(select(ServiceTeam).order_by(ServiceTeam.name)))


def save_team(session: Session, data: dict[str, Any], *, actor: Any, team: ServiceTeam | None = None) -> ServiceTeam:
    if role_of(actor) not in CITY_ROLES:
        raise PermissionDenied("服务队由市局工作人员维护")
    name = parse_text(data.get("name"), "服务队名称", required=True, limit=100)
    clash = session.scalar(select(ServiceTeam).where(ServiceTeam.name == name))
    if clash is not None and clash is not team:
        raise ServiceError("服务队名称", f"“{name}”已存在")
    before = _snapshot(team, TEAM_FIELDS) if team else {}
    if team is None:
        team = ServiceTeam()
        session.add(team)
    team.name = name
    team.leader = parse_text(data.get("leader"), "队长", limit=64)
    team.department = parse_text(data.get("department"), "牵头处室", limit=100)
    session.flush()
    _record(session, actor, "team.update" if before else "team.create", "service_team", team.id,
            f"{'修改' if before else '新建'}服务队“{team.name}”", before, _snapshot(team, TEAM_FIELDS))
    return team


# ---- visits ----------------------------------------------------------------------------------------

VISIT_FIELDS = ("team_id", "enterprise_id", "visited_on", "staff_count", "problems_raised", "problems_solved",
                "topics", "follow_up")


def save_visit(session: Session, data: dict[str, Any], *, actor: Any, visit: ServiceVisit | None = None,
               today: date | None = None) -> ServiceVisit:
    """Create or change a visit from form/API values (team, enterprise, visited_on, staff_count, …)."""
    require_manager(actor)
    team_value = data.get("team_id")
    team = session.get(ServiceTeam, int(team_value)) if str(team_value or "").strip().isdigit() else None
    if team is None:
        raise ServiceError("服务队", "请选择服务队" if not team_value else f"编号为 {team_value} 的服务队不存在")
    enterprise = find_enterprise(session, data.get("enterprise"))
    require_manager(actor, enterprise)
    if visit is not None:
        require_manager(actor, visit.enterprise)
    visited_on = parse_day(data.get("visited_on"), "走访日期", today=today)
    staff = parse_count(data.get("staff_count"), "服务人员数", minimum=1)
    raised = parse_count(data.get("problems_raised"), "提出问题数", required=False)
    solved = parse_count(data.get("problems_solved"), "解决问题数", required=False)
    if solved > raised:
        raise ServiceError("解决问题数", f"不能大于提出问题数（{solved} > {raised}）")
    before = _snapshot(visit, VISIT_FIELDS) if visit else {}
    if visit is None:
        visit = ServiceVisit(created_by=getattr(actor, "id", None))
        session.add(visit)
    visit.team_id, visit.enterprise_id, visit.visited_on = team.id, enterprise.id, visited_on
    visit.staff_count, visit.problems_raised, visit.problems_solved = staff, raised, solved
    visit.topics = parse_text(data.get("topics"), "走访内容")
    visit.follow_up = parse_text(data.get("follow_up"), "后续跟进")
    session.flush()
    _record(session, actor, "visit.update" if before else "visit.create", "service_visit", visit.id,
            f"{'修改' if before else '登记'}走访：{team.name} → {enterprise.name}（{visited_on.isoformat()}）",
            before, _snapshot(visit, VISIT_FIELDS))
    return visit


def delete_visit(session: Session, visit: ServiceVisit, *, actor: Any) -> None:
    require_manager(actor, visit.enterprise)
    before = _snapshot(visit, VISIT_FIELDS)
    _record(session, actor, "visit.delete", "service_visit", visit.id,
            f"删除走访记录：{visit.enterprise.name}（{visit.visited_on.isoformat()}）", before, {})
    session.delete(visit)
    session.flush()


@dataclass
class VisitFilters:
    year: int | None = None
    team_id: int | None = None
    district_code: str | None = None
    enterprise_id: int | None = None


def _visits_query(user: Any, filters: VisitFilters) -> Select:
    query = select(ServiceVisit).join(Enterprise, Enterprise.id == ServiceVisit.enterprise_id)
    district = district_of_user(user) or filters.district_code
    if district:
        query = query.where(Enterprise.district_code == district)
    if filters.year:
        query = query.where(ServiceVisit.visited_on >= date(filters.year, 1, 1),
                            ServiceVisit.visited_on <= date(filters.year, 12, 31))
    if filters.team_id:
        query = query.where(ServiceVisit.team_id == filters.team_id)
    if filters.enterprise_id:
        query = query.where(ServiceVisit.enterprise_id == filters.enterprise_id)
    return query


def list_visits(session: Session, user: Any, filters: VisitFilters, *, offset: int = 0,
                limit: int | None = 50) -> tuple[list[ServiceVisit], int]:
    query = _visits_query(user, filters).options(selectinload(ServiceVisit.team), selectinload(ServiceVisit.enterprise))
    if limit is None:
        rows = list(session.scalars(query.order_by(ServiceVisit.visited_on.desc(), ServiceVisit.id.desc())))
        return rows, len(rows)
    return paginate(session, query, ServiceVisit.visited_on.desc(), ServiceVisit.id.desc(), offset=offset,
                    limit=limit)


def visit_totals(session: Session, user: Any, filters: VisitFilters) -> dict[str, int]:
    sub = _visits_query(user, filters).subquery()
    row = session.execute(select(func.count(), func.coalesce(func.sum(sub.c.staff_count), 0),
                                 func.count(func.distinct(sub.c.enterprise_id)),
                                 func.coalesce(func.sum(sub.c.problems_raised), 0),
                                 func.coalesce(func.sum(sub.c.problems_solved), 0))).one()
    return {"visits": int(row[0]), "staff": int(row[1]), "units": int(row[2]), "raised": int(row[3]),
            "solved": int(row[4])}


# ---- trainings -------------------------------------------------------------------------------------

TRAINING_FIELDS = ("title", "held_on", "organiser", "mode", "district_code", "total_participants", "note")


def parse_participants(session: Session, value: Any) -> list[tuple[Enterprise, int]]:
    """Participants as lines "企业名称或信用代码, 人数" (人数 defaults to 1), or a list of
    {"enterprise": …, "headcount": …} from the API."""
    items: list[tuple[Any, Any, str]] = []
    if isinstance(value, list):
        for i, item in enumerate(value, start=1):
            if not isinstance(item, dict):
                raise ServiceError(f"参训企业第 {i} 项", "应为 {enterprise, headcount}")
            items.append((item.get("enterprise"), item.get("headcount", 1), f"参训企业第 {i} 项"))
    else:
        for i, line in enumerate(str(value or "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
            items.append((parts[0], parts[1] if len(parts) > 1 and parts[1] else 1, f"参训企业第 {i} 行"))
    seen: dict[int, tuple[Enterprise, int]] = {}
    for enterprise_value, headcount_value, where in items:
        enterprise = find_enterprise(session, enterprise_value, where)
        headcount = parse_count(headcount_value, f"{where}人数", minimum=1)
        if enterprise.id in seen:
            raise ServiceError(where, f"企业“{enterprise.name}”重复")
        seen[enterprise.id] = (enterprise, headcount)
    return list(seen.values())


def save_training(session: Session, data: dict[str, Any], *, actor: Any, training: Training | None = None,
                  today: date | None = None) -> Training:
    require_manager(actor)
    if training is not None and district_of_user(actor) and training.district_code != district_of_user(actor):
        raise PermissionDenied("区局工作人员只能修改本区主办的培训")
    title = parse_text(data.get("title"), "培训名称", required=True, limit=200)
    held_on = parse_day(data.get("held_on"), "举办日期", today=today)
    organiser = parse_text(data.get("organiser"), "主办单位", required=True, limit=200)
    mode_value = str(data.get("mode") or TrainingMode.OFFLINE.value)
    if mode_value not in {m.value for m in TrainingMode}:
        raise ServiceError("形式", f"未知的形式“{mode_value}”（线上、线下或线上线下结合）")
    district = district_of_user(actor) or (str(data.get("district_code") or "").strip() or None)
    if district is not None:
        from ipbureau.reference.models import District

        if session.get(District, district) is None:
            raise ServiceError("主办区", f"行政区划码“{district}”不存在")
    participants = parse_participants(session, data.get("participants"))
    enterprise_heads = sum(h for _e, h in participants)
    total = parse_count(data.get("total_participants"), "参训总人次", required=False)
    total = total or enterprise_heads
    if total < enterprise_heads:
        raise ServiceError("参训总人次", f"不能少于各参训企业人数之和（{enterprise_heads}）")
    if total < 1:
        raise ServiceError("参训总人次", "至少为 1")
    datasets = {e.dataset for e, _h in participants}
    before = _training_state(training) if training else {}
    if training is None:
        training = Training(created_by=getattr(actor, "id", None))
        session.add(training)
    training.title, training.held_on, training.organiser, training.mode = title, held_on, organiser, mode_value
    training.district_code, training.total_participants = district, total
    training.note = parse_text(data.get("note"), "备注")
    # A training of demo enterprises is a demo record: the statistics never mix the two.
    training.dataset = "demo" if datasets == {"demo"} else (data.get("dataset") or training.dataset or "real")
    existing = {a.enterprise_id: a for a in training.attendances}
    wanted = {e.id: h for e, h in participants}
    for enterprise_id, attendance in list(existing.items()):
        if enterprise_id not in wanted:
            training.attendances.remove(attendance)
    for enterprise_id, headcount in wanted.items():
        if enterprise_id in existing:
            existing[enterprise_id].headcount = headcount
        else:
            training.attendances.append(TrainingAttendance(enterprise_id=enterprise_id, headcount=headcount))
    session.flush()
    _record(session, actor, "training.update" if before else "training.create", "service_training", training.id,
            f"{'修改' if before else '登记'}培训“{title}”（{held_on.isoformat()}，{len(wanted)} 家企业，{total} 人次）",
            before, _training_state(training))
    return training


def _training_state(training: Training) -> dict[str, Any]:
    state = _snapshot(training, TRAINING_FIELDS)
    state["participants"] = sorted(f"{a.enterprise_id}:{a.headcount}" for a in training.attendances)
    return state


def delete_training(session: Session, training: Training, *, actor: Any) -> None:
    require_manager(actor)
    if district_of_user(actor) and training.district_code != district_of_user(actor):
        raise PermissionDenied("区局工作人员只能删除本区主办的培训")
    _record(session, actor, "training.delete", "service_training", training.id, f"删除培训“{training.title}”",
            _training_state(training), {})
    session.delete(training)
    session.flush()


def can_view_training(user: Any, training: Training) -> bool:
    role = role_of(user)
    if role in CITY_ROLES:
        return True
    return role == Role.DISTRICT_STAFF and bool(user.district_code) and training.district_code == user.district_code


def _trainings_query(user: Any, year: int | None, district_code: str | None) -> Select:
    query = select(Training)
    district = district_of_user(user) or district_code
    if district:
        query = query.where(Training.district_code == district)
    if year:
        query = query.where(Training.held_on >= date(year, 1, 1), Training.held_on <= date(year, 12, 31))
    return query


def list_trainings(session: Session, user: Any, *, year: int | None = None, district_code: str | None = None,
                   offset: int = 0, limit: int | None = 50) -> tuple[list[Training], int]:
    query = _trainings_query(user, year, district_code).options(selectinload(Training.attendances))
    if limit is None:
        rows = list(session.scalars(query.order_by(Training.held_on.desc(), Training.id.desc())))
        return rows, len(rows)
    return paginate(session, query, Training.held_on.desc(), Training.id.desc(), offset=offset, limit=limit)


def training_totals(session: Session, user: Any, *, year: int | None = None,
                    district_code: str | None = None) -> dict[str, int]:
    sub = _trainings_query(user, year, district_code).subquery()
    held, people = session.execute(select(func.count(), func.coalesce(func.sum(sub.c.total_participants), 0))).one()
    enterprises = session.scalar(select(func.count(func.distinct(TrainingAttendance.enterprise_id)))
                                 .where(TrainingAttendance.training_id.in_(select(sub.c.id)))) or 0
    return {"held": int(held), "participants": int(people), "enterprises": int(enterprises)}


# ---- fee reductions --------------------------------------------------------------------------------

FEE_FIELDS = ("enterprise_id", "year", "recorded_on", "amount_yuan", "patents_count", "note")


def default_recorded_on(year: int, today: date | None = None) -> date:
    """A year's record without a filing day counts on the year's last day (or today, for this year)."""
    today = today or date.today()
    return min(date(year, 12, 31), today)


def parse_year(value: Any, today: date | None = None) -> int:
    year = parse_count(value, "年度")
    if year < 2000 or year > (today or date.today()).year:
        raise ServiceError("年度", f"应在 2000 至 {(today or date.today()).year} 之间")
    return year


def save_fee_reduction(session: Session, data: dict[str, Any], *, actor: Any, record: FeeReduction | None = None,
                       today: date | None = None, import_batch_id: int | None = None) -> FeeReduction:
    """One enterprise's fee reductions of a year; recording the same enterprise and year again updates it."""
    require_manager(actor)
    enterprise = find_enterprise(session, data.get("enterprise"))
    require_manager(actor, enterprise)
    year = parse_year(data.get("year"), today)
    recorded_on = parse_day(data.get("recorded_on"), "备案日期", required=False, today=today) \
        or default_recorded_on(year, today)
    if recorded_on.year != year:
        raise ServiceError("备案日期", f"应在 {year} 年内")
    amount = parse_amount(data.get("amount_yuan"), "减缴金额（元）")
    patents = parse_count(data.get("patents_count"), "减缴专利件数", required=False)
    if record is None:
        record = session.scalar(select(FeeReduction).where(FeeReduction.enterprise_id == enterprise.id,
                                                           FeeReduction.year == year))
    elif (record.enterprise_id, record.year) != (enterprise.id, year):
        clash = session.scalar(select(FeeReduction).where(FeeReduction.enterprise_id == enterprise.id,
                                                          FeeReduction.year == year))
        if clash is not None:
            raise ServiceError("年度", f"{enterprise.name} 已有 {year} 年的减缴记录")
    if record is not None:
        require_manager(actor, record.enterprise)
    before = _snapshot(record, FEE_FIELDS) if record else {}
    if record is None:
        record = FeeReduction(created_by=getattr(actor, "id", None))
        session.add(record)
    record.enterprise_id, record.year, record.recorded_on = enterprise.id, year, recorded_on
    record.amount_yuan, record.patents_count = amount, patents
    record.note = parse_text(data.get("note"), "备注")
    if import_batch_id is not None:
        record.import_batch_id = import_batch_id
    session.flush()
    after = _snapshot(record, FEE_FIELDS)
    if before != after:
        _record(session, actor, "fee.update" if before else "fee.create", "service_fee_reduction", record.id,
                f"{'修改' if before else '登记'}专利费用减缴：{enterprise.name} {year} 年 {amount} 元", before, after)
    return record


def delete_fee_reduction(session: Session, record: FeeReduction, *, actor: Any) -> None:
    require_manager(actor, record.enterprise)
    _record(session, actor, "fee.delete", "service_fee_reduction", record.id,
            f"删除专利费用减缴记录：{record.enterprise.name} {record.year} 年", _snapshot(record, FEE_FIELDS), {})
    session.delete(record)
    session.flush()


def _fees_query(user: Any, year: int | None, district_code: str | None) -> Select:
    query = select(FeeReduction).join(Enterprise, Enterprise.id == FeeReduction.enterprise_id)
    district = district_of_user(user) or district_code
    if district:
        query = query.where(Enterprise.district_code == district)
    if year:
        query = query.where(FeeReduction.year == year)
    return query


def list_fee_reductions(session: Session, user: Any, *, year: int | None = None, district_code: str | None = None,
                        offset: int = 0, limit: int | None = 50) -> tuple[list[FeeReduction], int]:
    query = _fees_query(user, year, district_code).options(selectinload(FeeReduction.enterprise))
    if limit is None:
        rows = list(session.scalars(query.order_by(FeeReduction.year.desc(), Enterprise.name)))
        return rows, len(rows)
    return paginate(session, query, FeeReduction.year.desc(), Enterprise.name, offset=offset, limit=limit)


def fee_totals(session: Session, user: Any, *, year: int | None = None, district_code: str | None = None) -> dict:
    sub = _fees_query(user, year, district_code).subquery()
    n, amount, patents = session.execute(select(func.count(func.distinct(sub.c.enterprise_id)),
                                                func.coalesce(func.sum(sub.c.amount_yuan), 0),
                                                func.coalesce(func.sum(sub.c.patents_count), 0))).one()
    return {"enterprises": int(n), "amount_yuan": Decimal(str(amount)), "patents": int(patents)}


# ---- one enterprise's services (profile page) -------------------------------------------------------


def services_of(session: Session, enterprise_id: int) -> dict[str, list]:
    visits = list(session.scalars(select(ServiceVisit).where(ServiceVisit.enterprise_id == enterprise_id)
                                  .options(selectinload(ServiceVisit.team))
                                  .order_by(ServiceVisit.visited_on.desc())))
    trainings = list(session.execute(select(Training, TrainingAttendance.headcount)
                                     .join(TrainingAttendance, TrainingAttendance.training_id == Training.id)
                                     .where(TrainingAttendance.enterprise_id == enterprise_id)
                                     .order_by(Training.held_on.desc())).all())
    fees = list(session.scalars(select(FeeReduction).where(FeeReduction.enterprise_id == enterprise_id)
                                .order_by(FeeReduction.year.desc())))
    return {"visits": visits, "trainings": trainings, "fees": fees}


# ---- exports ---------------------------------------------------------------------------------------


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def workbook(title: str, headers: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe(v) for v in row])
    sheet.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[sheet.cell(1, i).column_letter].width = max(10, min(40, len(header) * 2 + 4))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

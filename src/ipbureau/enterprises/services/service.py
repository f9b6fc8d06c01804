"""Enterprise services (no HTTP here): teams, visits, trainings, fee reductions.

Who may see and record what is the access policy's (``policy/services.py``): each function checks it on entry
(``policy.get`` for a record by id — missing and hidden alike are NotFound —, ``policy.authorize`` for the
enterprise a record is made for, ``policy.scoped`` for lists). Input arrives validated by the schemas
(``schemas.py``); the rules here are the ones that need the database or today's date, and their errors name
the field ("解决问题数：不能大于提出问题数"). Every change is audited in the caller's transaction; the caller
(the request's unit of work, or a CLI/job session) commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.core.errors import DomainError
from ipbureau.database.core import paginate
from ipbureau.enterprises.creditcode import normalise
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.schemas import PAGE_SIZE, offset_of
from ipbureau.enterprises.services.enums import TrainingMode
from ipbureau.enterprises.services.models import (
    FeeReduction,
    ServiceTeam,
    ServiceVisit,
    Training,
    TrainingAttendance,
)
from ipbureau.enterprises.services.schemas import (
    FeeReductionCreate,
    FeeTotals,
    TeamCreate,
    TrainingCreate,
    TrainingTotals,
    VisitCreate,
    VisitFilters,
    VisitTotals,
    YearSummary,
)
from ipbureau.enterprises.spreadsheet import workbook
from ipbureau.policy import policy
from ipbureau.policy._scopes import locked_district
from ipbureau.reference.models import District
from ipbureau.reference.service import district_map

TEAM_FIELDS = ("name", "leader", "department")
VISIT_FIELDS = ("team_id", "enterprise_id", "visited_on", "staff_count", "problems_raised", "problems_solved",
                "topics", "follow_up")
TRAINING_FIELDS = ("title", "held_on", "organiser", "mode", "district_code", "total_participants", "note")
FEE_FIELDS = ("enterprise_id", "year", "recorded_on", "amount_yuan", "patents_count", "note")


def district_lock(user: Any, resource: str, action: str = "view") -> str | None:
    """The district a user's records of the resource are confined to (district staff), whatever a filter says."""
    return locked_district(user, policy.resource(resource), action)


def _state(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    # The audit log is JSON, which has no decimal numbers: amounts are kept as their exact text.
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in audit.snapshot(obj, names).items()}


def _record(session: Session, actor: Any, action: str, entity_type: str, entity_id: int, summary: str,
            before: dict[str, Any], after: dict[str, Any]) -> None:
    audit.record(session, actor=actor, action=f"services.{action}", entity_type=entity_type, entity_id=entity_id,
                 summary=summary, changes=audit.diff(before, after))


def past_day(day: date, field_name: str, today: date) -> date:
    """A day on which something happened: not after today, not before 2000."""
    if day > today:
        raise DomainError(field_name, "不能晚于今天")
    if day.year < 2000:
        raise DomainError(field_name, "早于 2000 年")
    return day


def find_enterprise(session: Session, value: str, field_name: str = "企业") -> Enterprise:
    """An enterprise by id, unified social credit code or exact name."""
    enterprise = session.get(Enterprise, int(value)) if value.isascii() and value.isdigit() and len(value) < 19 else None
    if enterprise is None:
        enterprise = session.scalar(select(Enterprise).where(
            or_(Enterprise.credit_code == normalise(value), Enterprise.name == value)))
    if enterprise is None:
        raise DomainError(field_name, f"未找到企业“{value}”（请填写企业名称或统一社会信用代码）")
    return enterprise


def _served_enterprise(session: Session, user: Any, value: str, field_name: str = "企业") -> Enterprise:
    """The enterprise a visit or fee reduction is recorded for, if the user may record its services."""
    enterprise = find_enterprise(session, value, field_name)
    policy.authorize(session, user, "services.enterprise", "record", enterprise)
    return enterprise


# ---- teams -----------------------------------------------------------------------------------------


def list_teams(session: Session, user: Any) -> list[ServiceTeam]:
    policy.require(user, "services.team", "view")
    return list(session.scalars(select(ServiceTeam).order_by(ServiceTeam.name)))


def create_team(session: Session, user: Any, data: TeamCreate) -> ServiceTeam:
    policy.require(user, "services.team", "manage")
    if session.scalar(select(ServiceTeam.id).where(ServiceTeam.name == data.name)) is not None:
        raise DomainError("服务队名称", f"“{data.name}”已存在")
    team = ServiceTeam(name=data.name, leader=data.leader, department=data.department)
    session.add(team)
    session.flush()
    _record(session, user, "team.create", "service_team", team.id, f"新建服务队“{team.name}”", {},
            _state(team, TEAM_FIELDS))
    return team


# ---- visits ----------------------------------------------------------------------------------------


def get_visit(session: Session, user: Any, visit_id: int) -> ServiceVisit:
    return policy.get(session, user, "services.visit", visit_id)


def _write_visit(session: Session, user: Any, visit: ServiceVisit | None, data: VisitCreate,
                 today: date | None) -> ServiceVisit:
    team = session.get(ServiceTeam, data.team_id)
    if team is None:
        raise DomainError("服务队", f"编号为 {data.team_id} 的服务队不存在")
    enterprise = _served_enterprise(session, user, data.enterprise)
    visited_on = past_day(data.visited_on, "走访日期", today or date.today())
    if data.problems_solved > data.problems_raised:
        raise DomainError("解决问题数", f"不能大于提出问题数（{data.problems_solved} > {data.problems_raised}）")
    before = _state(visit, VISIT_FIELDS) if visit else {}
    if visit is None:
        visit = ServiceVisit(created_by=getattr(user, "id", None))
        session.add(visit)
    visit.team, visit.enterprise, visit.visited_on = team, enterprise, visited_on
    visit.staff_count, visit.problems_raised, visit.problems_solved = (data.staff_count, data.problems_raised,
                                                                       data.problems_solved)
    visit.topics, visit.follow_up = data.topics, data.follow_up
    session.flush()
    _record(session, user, "visit.update" if before else "visit.create", "service_visit", visit.id,
            f"{'修改' if before else '登记'}走访：{team.name} → {enterprise.name}（{visited_on.isoformat()}）",
            before, _state(visit, VISIT_FIELDS))
    return visit


def create_visit(session: Session, user: Any, data: VisitCreate, *, today: date | None = None) -> ServiceVisit:
    policy.require(user, "services.visit", "record")
    return _write_visit(session, user, None, data, today)


def update_visit(session: Session, user: Any, visit_id: int, data: VisitCreate, *,
                 today: date | None = None) -> ServiceVisit:
    visit = get_visit(session, user, visit_id)
    policy.authorize(session, user, "services.visit", "record", visit)
    return _write_visit(session, user, visit, data, today)


def delete_visit(session: Session, user: Any, visit_id: int) -> None:
    visit = get_visit(session, user, visit_id)
    policy.authorize(session, user, "services.visit", "record", visit)
    _record(session, user, "visit.delete", "service_visit", visit.id,
            f"删除走访记录：{visit.enterprise.name}（{visit.visited_on.isoformat()}）", _state(visit, VISIT_FIELDS), {})
    session.delete(visit)
    session.flush()


def _visits_query(user: Any, filters: VisitFilters) -> Select:
    query = policy.scoped(select(ServiceVisit).join(Enterprise, Enterprise.id == ServiceVisit.enterprise_id), user,
                          "services.visit")
    district = district_lock(user, "services.visit") or filters.district_code
    if district:
        query = query.where(Enterprise.district_code == district)
    if filters.year:
        query = query.where(ServiceVisit.visited_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    if filters.team_id:
        query = query.where(ServiceVisit.team_id == filters.team_id)
    if filters.enterprise_id:
        query = query.where(ServiceVisit.enterprise_id == filters.enterprise_id)
    return query


def list_visits(session: Session, user: Any, filters: VisitFilters, *, page: int | None = 1
                ) -> tuple[list[ServiceVisit], int]:
    """One page of visits (``page=None``: all of them), newest first, and how many there are."""
    query = _visits_query(user, filters).options(selectinload(ServiceVisit.team), selectinload(ServiceVisit.enterprise))
    order = (ServiceVisit.visited_on.desc(), ServiceVisit.id.desc())
    if page is None:
        rows = list(session.scalars(query.order_by(*order)))
        return rows, len(rows)
    return paginate(session, query, *order, offset=offset_of(page), limit=PAGE_SIZE)


def visit_totals(session: Session, user: Any, filters: VisitFilters) -> VisitTotals:
    sub = _visits_query(user, filters).subquery()
    row = session.execute(select(func.count(), func.coalesce(func.sum(sub.c.staff_count), 0),
                                 func.count(func.distinct(sub.c.enterprise_id)),
                                 func.coalesce(func.sum(sub.c.problems_raised), 0),
                                 func.coalesce(func.sum(sub.c.problems_solved), 0))).one()
    return VisitTotals(visits=row[0], staff=row[1], units=row[2], raised=row[3], solved=row[4])


def visits_by_month(session: Session, user: Any, year: int) -> dict[int, int]:
    month = func.extract("month", ServiceVisit.visited_on)
    query = _visits_query(user, VisitFilters(year=year)).with_only_columns(month, func.count()).group_by(month)
    return {int(m): n for m, n in session.execute(query)}


def visits_by_team(session: Session, user: Any, year: int) -> dict[int, int]:
    query = _visits_query(user, VisitFilters(year=year)).with_only_columns(
        ServiceVisit.team_id, func.count()).group_by(ServiceVisit.team_id)
    return dict(session.execute(query).all())


def visits_workbook(session: Session, user: Any, filters: VisitFilters) -> bytes:
    rows, _ = list_visits(session, user, filters, page=None)
    districts = district_map(session)
    return workbook("服务走访", ["走访日期", "服务队", "企业", "统一社会信用代码", "所属区", "服务人员数", "提出问题数",
                             "解决问题数", "走访内容", "后续跟进"],
                    [[v.visited_on, v.team.name, v.enterprise.name, v.enterprise.credit_code,
                      districts.get(v.enterprise.district_code or "", ""), v.staff_count, v.problems_raised,
                      v.problems_solved, v.topics, v.follow_up] for v in rows])


# ---- trainings -------------------------------------------------------------------------------------


def get_training(session: Session, user: Any, training_id: int) -> Training:
    return policy.get(session, user, "services.training", training_id)


def _training_state(training: Training) -> dict[str, Any]:
    state = _state(training, TRAINING_FIELDS)
    state["participants"] = sorted(f"{a.enterprise_id}:{a.headcount}" for a in training.attendances)
    return state


def _write_training(session: Session, user: Any, training: Training | None, data: TrainingCreate,
                    today: date | None) -> Training:
    held_on = past_day(data.held_on, "举办日期", today or date.today())
    # A district's staff organise for their district; city staff name the organising district (none: the city).
    district = district_lock(user, "services.training", "record") or data.district_code
    if district is not None and session.get(District, district) is None:
        raise DomainError("主办区", f"行政区划码“{district}”不存在")
    attending: dict[int, tuple[Enterprise, int]] = {}
    for number, participant in enumerate(data.participants, start=1):
        where = f"参训企业第 {number} 项"
        enterprise = find_enterprise(session, participant.enterprise, where)
        if enterprise.id in attending:
            raise DomainError(where, f"企业“{enterprise.name}”重复")
        attending[enterprise.id] = (enterprise, participant.headcount)
    enterprise_heads = sum(h for _e, h in attending.values())
    total = data.total_participants or enterprise_heads
    if total < enterprise_heads:
        raise DomainError("参训总人次", f"不能少于各参训企业人数之和（{enterprise_heads}）")
    if total < 1:
        raise DomainError("参训总人次", "至少为 1")
    before = _training_state(training) if training else {}
    if training is None:
        training = Training(created_by=getattr(user, "id", None))
        session.add(training)
    training.title, training.held_on, training.organiser = data.title, held_on, data.organiser
    training.mode, training.district_code, training.total_participants = data.mode.value, district, total
    training.note = data.note
    # A training of demo enterprises is a demo record: the statistics never mix the two.
    datasets = {e.dataset for e, _h in attending.values()}
    training.dataset = "demo" if datasets == {"demo"} else (
        data.dataset.value if data.dataset else training.dataset or "real")
    existing = {a.enterprise_id: a for a in training.attendances}
    for enterprise_id, attendance in existing.items():
        if enterprise_id not in attending:
            training.attendances.remove(attendance)
    for enterprise_id, (_enterprise, headcount) in attending.items():
        if enterprise_id in existing:
            existing[enterprise_id].headcount = headcount
        else:
            training.attendances.append(TrainingAttendance(enterprise_id=enterprise_id, headcount=headcount))
    session.flush()
    _record(session, user, "training.update" if before else "training.create", "service_training", training.id,
            f"{'修改' if before else '登记'}培训“{data.title}”（{held_on.isoformat()}，{len(attending)} 家企业，"
            f"{total} 人次）", before, _training_state(training))
    return training


def create_training(session: Session, user: Any, data: TrainingCreate, *, today: date | None = None) -> Training:
    policy.require(user, "services.training", "record")
    return _write_training(session, user, None, data, today)


def update_training(session: Session, user: Any, training_id: int, data: TrainingCreate, *,
                    today: date | None = None) -> Training:
    training = get_training(session, user, training_id)
    policy.authorize(session, user, "services.training", "record", training)
    return _write_training(session, user, training, data, today)


def delete_training(session: Session, user: Any, training_id: int) -> None:
    training = get_training(session, user, training_id)
    policy.authorize(session, user, "services.training", "record", training)
    _record(session, user, "training.delete", "service_training", training.id, f"删除培训“{training.title}”",
            _training_state(training), {})
    session.delete(training)
    session.flush()


def _trainings_query(user: Any, year: int | None) -> Select:
    query = policy.scoped(select(Training), user, "services.training")
    if year:
        query = query.where(Training.held_on.between(date(year, 1, 1), date(year, 12, 31)))
    return query


def list_trainings(session: Session, user: Any, *, year: int | None = None, page: int | None = 1
                   ) -> tuple[list[Training], int]:
    """One page of trainings (``page=None``: all of them), newest first, and how many there are."""
    query = _trainings_query(user, year).options(
        selectinload(Training.attendances).selectinload(TrainingAttendance.enterprise))
    order = (Training.held_on.desc(), Training.id.desc())
    if page is None:
        rows = list(session.scalars(query.order_by(*order)))
        return rows, len(rows)
    return paginate(session, query, *order, offset=offset_of(page), limit=PAGE_SIZE)


def training_totals(session: Session, user: Any, *, year: int | None = None) -> TrainingTotals:
    sub = _trainings_query(user, year).subquery()
    held, people = session.execute(select(func.count(), func.coalesce(func.sum(sub.c.total_participants), 0))).one()
    enterprises = session.scalar(select(func.count(func.distinct(TrainingAttendance.enterprise_id)))
                                 .where(TrainingAttendance.training_id.in_(select(sub.c.id)))) or 0
    return TrainingTotals(held=held, participants=people, enterprises=enterprises)


def trainings_workbook(session: Session, user: Any, year: int | None) -> bytes:
    rows, _ = list_trainings(session, user, year=year, page=None)
    districts = district_map(session)
    return workbook("培训与活动", ["举办日期", "培训名称", "主办单位", "主办区", "形式", "参训企业数", "参训总人次",
                              "参训企业（人数）"],
                    [[t.held_on, t.title, t.organiser, districts.get(t.district_code or "", "市局"),
                      TrainingMode(t.mode).label, len(t.attendances), t.total_participants,
                      "；".join(f"{a.enterprise.name}（{a.headcount}）" for a in t.attendances)] for t in rows])


# ---- fee reductions --------------------------------------------------------------------------------


def get_fee_reduction(session: Session, user: Any, record_id: int) -> FeeReduction:
    return policy.get(session, user, "services.fee", record_id)


def fee_period(year: int, recorded_on: date | None, today: date) -> date:
    """The day a year's fee reductions count on: the filing day, which must lie in the year, or else the year's
    last day (today, for this year). The same rule serves the form, the API and the spreadsheet import."""
    if not 2000 <= year <= today.year:
        raise DomainError("年度", f"应在 2000 至 {today.year} 之间")
    if recorded_on is None:
        return min(date(year, 12, 31), today)
    past_day(recorded_on, "备案日期", today)
    if recorded_on.year != year:
        raise DomainError("备案日期", f"应在 {year} 年内")
    return recorded_on


def save_fee_reduction(session: Session, user: Any, data: FeeReductionCreate, *, record_id: int | None = None,
                       today: date | None = None) -> FeeReduction:
    """Record an enterprise's fee reductions of a year; without ``record_id``, recording the same enterprise and
    year again updates that record. With it, that record is changed (and may move to another enterprise or
    year, unless one is recorded there already)."""
    policy.require(user, "services.fee", "record")
    record = None
    if record_id is not None:
        record = get_fee_reduction(session, user, record_id)
        policy.authorize(session, user, "services.fee", "record", record)
    enterprise = _served_enterprise(session, user, data.enterprise)
    recorded_on = fee_period(data.year, data.recorded_on, today or date.today())
    same_year = session.scalar(select(FeeReduction).where(FeeReduction.enterprise_id == enterprise.id,
                                                          FeeReduction.year == data.year))
    if record is None:
        record = same_year
    elif same_year is not None and same_year is not record:
        raise DomainError("年度", f"{enterprise.name} 已有 {data.year} 年的减缴记录")
    before = _state(record, FEE_FIELDS) if record else {}
    if record is None:
        record = FeeReduction(created_by=getattr(user, "id", None))
        session.add(record)
    record.enterprise_id, record.year, record.recorded_on = enterprise.id, data.year, recorded_on
    record.amount_yuan, record.patents_count, record.note = data.amount_yuan, data.patents_count, data.note
    session.flush()
    after = _state(record, FEE_FIELDS)
    if before != after:
        _record(session, user, "fee.update" if before else "fee.create", "service_fee_reduction", record.id,
                f"{'修改' if before else '登记'}专利费用减缴：{enterprise.name} {data.year} 年 {data.amount_yuan} 元",
                before, after)
    return record


def delete_fee_reduction(session: Session, user: Any, record_id: int) -> None:
    record = get_fee_reduction(session, user, record_id)
    policy.authorize(session, user, "services.fee", "record", record)
    _record(session, user, "fee.delete", "service_fee_reduction", record.id,
            f"删除专利费用减缴记录：{record.enterprise.name} {record.year} 年", _state(record, FEE_FIELDS), {})
    session.delete(record)
    session.flush()


def _fees_query(user: Any, year: int | None) -> Select:
    query = policy.scoped(select(FeeReduction).join(Enterprise, Enterprise.id == FeeReduction.enterprise_id), user,
                          "services.fee")
    if year:
        query = query.where(FeeReduction.year == year)
    return query


def list_fee_reductions(session: Session, user: Any, *, year: int | None = None, page: int | None = 1
                        ) -> tuple[list[FeeReduction], int]:
    """One page of fee reductions (``page=None``: all of them), latest year first, and how many there are."""
    query = _fees_query(user, year).options(selectinload(FeeReduction.enterprise))
    order = (FeeReduction.year.desc(), Enterprise.name)
    if page is None:
        rows = list(session.scalars(query.order_by(*order)))
        return rows, len(rows)
    return paginate(session, query, *order, offset=offset_of(page), limit=PAGE_SIZE)


def fee_totals(session: Session, user: Any, *, year: int | None = None) -> FeeTotals:
    sub = _fees_query(user, year).subquery()
    n, amount, patents = session.execute(select(func.count(func.distinct(sub.c.enterprise_id)),
                                                func.coalesce(func.sum(sub.c.amount_yuan), 0),
                                                func.coalesce(func.sum(sub.c.patents_count), 0))).one()
    yuan = float(Decimal(str(amount)))
    return FeeTotals(enterprises=n, amount_yuan=yuan, amount_wan=round(yuan / 10000, 2), patents=patents)


def fees_workbook(session: Session, user: Any, year: int | None) -> bytes:
    rows, _ = list_fee_reductions(session, user, year=year, page=None)
    districts = district_map(session)
    return workbook("专利费用减缴", ["年度", "企业名称", "统一社会信用代码", "所属区", "备案日期", "减缴金额（元）",
                                 "减缴专利件数", "备注"],
                    [[f.year, f.enterprise.name, f.enterprise.credit_code,
                      districts.get(f.enterprise.district_code or "", ""), f.recorded_on, float(f.amount_yuan),
                      f.patents_count, f.note] for f in rows])


# ---- the yearly overview ---------------------------------------------------------------------------


def summary(session: Session, user: Any, year: int) -> YearSummary:
    return YearSummary(year=year, visits=visit_totals(session, user, VisitFilters(year=year)),
                       trainings=training_totals(session, user, year=year), fees=fee_totals(session, user, year=year))


@dataclass
class Overview:
    year: int
    rows: list[YearSummary]  # the year and the two before it, oldest first
    teams: list[ServiceTeam]
    team_visits: dict[int, int]  # team id -> visits in the year
    month_visits: dict[int, int]  # month -> visits in the year
    can_edit_teams: bool
    district_lock: str | None


def overview(session: Session, user: Any, year: int) -> Overview:
    return Overview(year=year, rows=[summary(session, user, y) for y in range(year - 2, year + 1)],
                    teams=list_teams(session, user), team_visits=visits_by_team(session, user, year),
                    month_visits=visits_by_month(session, user, year),
                    can_edit_teams=policy.allows(user, "services.team", "manage"),
                    district_lock=district_lock(user, "services.visit"))


# ---- one enterprise's services (profile page) -------------------------------------------------------


def services_of(session: Session, enterprise_id: int) -> dict[str, list]:
    """The enterprise's visits, trainings attended and fee reductions, for its profile (whose non-public part
    the caller has checked)."""
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

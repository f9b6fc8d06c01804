"""Work plan progress: current values, statuses, progress entries and staff edits (no HTTP here).

A target's current value comes from the statistics indicator it is linked to; otherwise, or
when the indicator gives no figure (an unknown code, no data for the year), from the progress
entries staff made, and the page says why (``指标尚未接入``…). A target's status is computed from
its value and the date each time it is read (it is not a stored state, so there is no workflow);
progress entries are records, each one audited when it is made.

The entry points that take a user enforce the access policy (``policy/statistics.py``) first:
``policy.get`` for a record by id (404 when there is none), ``policy.authorize`` for an action.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError, NotFound
from ipbureau.policy import policy
from ipbureau.stats import engine as stats
from ipbureau.stats.catalogue import BY_CODE, CATALOGUE
from ipbureau.workplan.enums import Aggregation, TargetStatus, ValueSource
from ipbureau.workplan.models import ProgressEntry, WorkPlan, WorkPoint, WorkTarget
from ipbureau.workplan.schemas import PointDepartmentUpdate, ProgressEntryCreate, TargetIndicatorUpdate

logger = logging.getLogger(__name__)

# At risk: below this share of where a linear pace through the plan year would be by now.
AT_RISK_SHARE = 0.8
INDICATOR_NOT_CONNECTED = "指标尚未接入"
INDICATOR_FAILED = "指标计算失败"

_DIGITS = "一二三四五六七八九"


class WorkPlanError(DomainError):
    """A staff input that cannot be accepted; the message is shown as it is (zh-CN)."""


def chinese_numeral(number: int) -> str:
    """1 -> 一, 14 -> 十四, 23 -> 二十三 (the numbering of work points, 1-99)."""
    if not 1 <= number <= 99:
        raise ValueError(f"number out of range: {number}")
    tens, ones = divmod(number, 10)
    text = ("" if tens <= 1 else _DIGITS[tens - 1]) + ("十" if tens else "")
    return text + (_DIGITS[ones - 1] if ones else "")


def point_label(number: int) -> str:
    return f"（{chinese_numeral(number)}）"


# ---- status ------------------------------------------------------------------------------

def target_status(value: float | None, target_value: float, deadline: date, today: date, *,
                  period_start: date) -> TargetStatus:
    """The status of a target on ``today``.

    - 已完成: the value has reached the target (whatever the date);
    - 已逾期: the deadline has passed and the target is not met — also when nobody
      reported anything, since an unreported target was not shown to be met;
    - 无数据: nothing reported yet, deadline still ahead;
    - 滞后/有风险: below AT_RISK_SHARE of the linear expectation, i.e. of
      target x (share of the period from period_start to deadline that has elapsed);
    - 进行中: otherwise.
    """
    if value is not None and value >= target_value:
        return TargetStatus.DONE
    if today > deadline:
        return TargetStatus.OVERDUE
    if value is None:
        return TargetStatus.NO_DATA
    span = (deadline - period_start).days
    elapsed = 1.0 if span <= 0 else min(max((today - period_start).days / span, 0.0), 1.0)
    if value < AT_RISK_SHARE * target_value * elapsed:
        return TargetStatus.AT_RISK
    return TargetStatus.ON_TRACK


def manual_value(target: WorkTarget, entries: list[ProgressEntry]) -> tuple[float | None, date | None]:
    """The value the progress entries give, and the date of the latest one."""
    if not entries:
        return None, None
    ordered = sorted(entries, key=lambda e: (e.recorded_on, e.id or 0))
    latest = ordered[-1]
    if target.aggregation == Aggregation.INCREMENT:
        return sum(e.value for e in ordered), latest.recorded_on
    return latest.value, latest.recorded_on


# ---- the statistics engine ------------------------------------------------------------------

def indicator_choices() -> list[tuple[str, str]]:
    """(code, "名称（单位）") for every catalogue indicator."""
    return sorted((d.code, f"{d.name}（{d.unit}）") for d in CATALOGUE)


def indicator_dataset(session: Session) -> str:
    """Linked indicators count the real records, or the demo records while there are no real ones
    (as /stats does); the two are never mixed."""
    return stats.default_dataset(session).value


def indicator_value(session: Session, code: str, year: int, dataset: str = "real") -> tuple[float | None, str | None]:
    """(value, problem): the indicator's value for the plan year, or why there is none.

    Figures come from one dataset only (real, or the demo data when the system holds no real
    records); the pages say which."""
    if code not in BY_CODE:
        return None, INDICATOR_NOT_CONNECTED
    try:
        result = stats.compute(session, code, year, period="year", dataset=dataset)
    except Exception:  # one failing indicator must not take the whole plan page down
        logger.exception("indicator %s for %s could not be computed", code, year)
        return None, INDICATOR_FAILED
    if result.value is None:
        return None, result.note
    return float(result.value), None


# ---- progress of a plan ---------------------------------------------------------------------

@dataclass
class TargetProgress:
    target: WorkTarget
    value: float | None
    source: ValueSource | None
    updated_on: date | None
    status: TargetStatus
    indicator_problem: str | None = None  # set when a linked indicator could not give the value

    @property
    def ratio(self) -> float | None:
        """Share of the target reached (may pass 1)."""
        if self.value is None or not self.target.target_value:
            return None
        return self.value / self.target.target_value


@dataclass
class PointProgress:
    point: WorkPoint
    targets: list[TargetProgress]


@dataclass
class PlanProgress:
    plan: WorkPlan
    today: date
    sections: list[tuple[str, list[PointProgress]]] = field(default_factory=list)

    @property
    def targets(self) -> list[TargetProgress]:
        return [t for _heading, points in self.sections for p in points for t in p.targets]

    @property
    def status_counts(self) -> dict[TargetStatus, int]:
        counts = Counter(t.status for t in self.targets)
        return {status: counts.get(status, 0) for status in TargetStatus}


def target_progress(session: Session, target: WorkTarget, today: date, *, year: int,
                    dataset: str = "real") -> TargetProgress:
    value: float | None = None
    source: ValueSource | None = None
    updated_on: date | None = None
    problem: str | None = None
    if target.indicator_code:
        value, problem = indicator_value(session, target.indicator_code, year, dataset)
        if value is not None:
            source, updated_on = ValueSource.INDICATOR, today
    if value is None:  # no indicator, or one that gave nothing: the manual entries count
        value, updated_on = manual_value(target, list(target.entries))
        source = ValueSource.MANUAL if value is not None else None
    status = target_status(value, target.target_value, target.deadline, today, period_start=date(year, 1, 1))
    return TargetProgress(target, value, source, updated_on, status, problem)


def plan_years(session: Session) -> list[int]:
    return list(session.scalars(select(WorkPlan.year).order_by(WorkPlan.year.desc())))


def default_year(session: Session, today: date) -> int | None:
    """This year's plan if there is one, else the latest before it, else the earliest after."""
    years = plan_years(session)
    past = [y for y in years if y <= today.year]
    return max(past) if past else (min(years) if years else None)


def get_plan(session: Session, year: int) -> WorkPlan | None:
    return session.scalar(
        select(WorkPlan).where(WorkPlan.year == year).options(
            selectinload(WorkPlan.points).selectinload(WorkPoint.targets).selectinload(WorkTarget.entries)))


def plan_progress(session: Session, plan: WorkPlan, today: date, dataset: str = "real") -> PlanProgress:
    progress = PlanProgress(plan, today)
    for point in plan.points:
        entry = PointProgress(point, [target_progress(session, t, today, year=plan.year, dataset=dataset)
                                      for t in point.targets])
        if progress.sections and progress.sections[-1][0] == (point.heading or ""):
            progress.sections[-1][1].append(entry)
        else:
            progress.sections.append((point.heading or "", [entry]))
    return progress


@dataclass
class PlanOverview:
    """What the plan page, its export and ``GET /api/workplan`` show: a year's progress (None before any plan
    is loaded) and the years there are plans for."""

    progress: PlanProgress | None
    years: list[int]


def plan_overview(session: Session, user: Any, year: int | None, today: date) -> PlanOverview:
    policy.authorize(session, user, "workplan", "view")
    years = plan_years(session)
    year = year or default_year(session, today)
    if year is None:
        return PlanOverview(None, years)
    plan = get_plan(session, year)
    if plan is None:
        raise NotFound(f"{year}年的工作要点")
    return PlanOverview(plan_progress(session, plan, today, indicator_dataset(session)), years)


def get_target(session: Session, user: Any, target_id: int, action: str = "view") -> WorkTarget:
    """The target if the user may perform ``action`` on it (NotFound when there is no such target)."""
    target = policy.get(session, user, "workplan.target", target_id,
                        options=[selectinload(WorkTarget.point).selectinload(WorkPoint.plan)])
    policy.authorize(session, user, "workplan.target", action, target)
    return target


def get_point(session: Session, user: Any, point_id: int, action: str = "view") -> WorkPoint:
    point = policy.get(session, user, "workplan.point", point_id, options=[selectinload(WorkPoint.plan)])
    policy.authorize(session, user, "workplan.point", action, point)
    return point


def entries_of(session: Session, target: WorkTarget) -> list[ProgressEntry]:
    """Newest first, as the history table shows them."""
    return list(session.scalars(select(ProgressEntry).where(ProgressEntry.target_id == target.id)
                                .order_by(ProgressEntry.recorded_on.desc(), ProgressEntry.id.desc())))


@dataclass
class TargetDetail:
    """A target's page and ``GET /api/workplan/targets/{id}``: its progress, its entries (newest first) and
    the names of the users who made them."""

    item: TargetProgress
    entries: list[ProgressEntry]
    entered_by: dict[int, str]

    @property
    def target(self) -> WorkTarget:
        return self.item.target


def target_detail(session: Session, user: Any, target_id: int, today: date) -> TargetDetail:
    target = get_target(session, user, target_id)
    item = target_progress(session, target, today, year=target.point.plan.year, dataset=indicator_dataset(session))
    entries = entries_of(session, target)
    user_ids = {e.entered_by for e in entries if e.entered_by}
    names = {user_id: name for user_id, name in session.execute(
        select(User.id, User.display_name).where(User.id.in_(user_ids)))}
    return TargetDetail(item, entries, names)


# ---- staff input ------------------------------------------------------------------------------

def add_progress_entry(session: Session, user: Any, target_id: int, data: ProgressEntryCreate, *,
                       today: date | None = None, ip_address: str | None = None) -> ProgressEntry:
    """Record a reported value with its evidence (the request's unit of work commits it)."""
    target = get_target(session, user, target_id, "report")
    if data.value < 0:
        raise WorkPlanError("完成值不能为负数")
    if data.recorded_on > (today or date.today()):
        raise WorkPlanError("填报日期", "不能晚于今天")
    entry = ProgressEntry(target_id=target.id, recorded_on=data.recorded_on, value=data.value,
                          evidence=data.evidence, note=data.note, entered_by=getattr(user, "id", None))
    session.add(entry)
    session.flush()
    audit.record(session, actor=user, action="workplan.progress.add", entity_type="work_target", entity_id=target.id,
                 summary=f"填报进展：{target.point.label}{target.description} {entry.recorded_on} "
                         f"完成 {format_number(entry.value)}{target.unit}",
                 changes=audit.diff({}, {"entry_id": entry.id,
                                         **audit.snapshot(entry, ("value", "recorded_on", "evidence", "note"))}),
                 ip_address=ip_address)
    return entry


def _set_audited(session: Session, obj: Any, name: str, value: Any, *, actor: Any, action: str, entity_type: str,
                 summary: str, ip_address: str | None) -> bool:
    """Set one field a staff member maintains and audit the change; False when it did not change."""
    before = audit.snapshot(obj, (name,))
    if before[name] == value:
        return False
    setattr(obj, name, value)
    audit.record(session, actor=actor, action=action, entity_type=entity_type, entity_id=obj.id, summary=summary,
                 changes=audit.diff(before, audit.snapshot(obj, (name,))), ip_address=ip_address)
    return True


def set_responsible_department(session: Session, user: Any, point_id: int, data: PointDepartmentUpdate, *,
                               ip_address: str | None = None) -> WorkPoint:
    """Set or clear a point's responsible department (audited when it changes)."""
    point = get_point(session, user, point_id, "assign")
    department = data.responsible_department
    _set_audited(session, point, "responsible_department", department, actor=user, action="workplan.point.update",
                 entity_type="work_point", summary=f"修改责任部门：{point.label}{point.title} → {department or '（空）'}",
                 ip_address=ip_address)
    return point


def set_indicator(session: Session, user: Any, target_id: int, data: TargetIndicatorUpdate, *,
                  ip_address: str | None = None) -> WorkTarget:
    """Link the target to a catalogue indicator, or unlink it (no code)."""
    target = get_target(session, user, target_id, "link")
    code = data.indicator_code
    if code is not None and code not in BY_CODE:
        raise WorkPlanError("统计指标", f"指标目录中没有代码为“{code}”的指标")
    _set_audited(session, target, "indicator_code", code, actor=user, action="workplan.target.update",
                 entity_type="work_target", summary=f"关联统计指标：{target.point.label}{target.description} → "
                                                    f"{code or '（不关联）'}", ip_address=ip_address)
    return target


def format_number(value: float | None) -> str:
    """1000.0 -> "1000", 12.5 -> "12.5"; None -> "—"."""
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")

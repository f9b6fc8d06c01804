"""Work plan progress: current values, statuses, progress entries and staff edits (no HTTP here).

A target's current value comes from the statistics indicator it is linked to; otherwise, or
when the indicator gives no figure (an unknown code, no data for the year), from the progress
entries staff made, and the page says why (``指标尚未接入``…).
"""

from __future__ import annotations

from ipbureau.core.errors import DomainError

import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ipbureau.audit import service as audit
from ipbureau.workplan.enums import Aggregation, TargetStatus, ValueSource
from ipbureau.workplan.models import ProgressEntry, WorkPlan, WorkPoint, WorkTarget

logger = logging.getLogger(__name__)

# At risk: below this share of where a linear pace through the plan year would be by now.
AT_RISK_SHARE = 0.8
INDICATOR_NOT_CONNECTED = "指标尚未接入"
INDICATOR_FAILED = "指标计算失败"
MAX_EVIDENCE = 1000
MAX_NOTE = 2000
MAX_DEPARTMENT = 200

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
    from ipbureau.stats.catalogue import CATALOGUE

    return sorted((d.code, f"{d.name}（{d.unit}）") for d in CATALOGUE)


def indicator_value(session: Session, code: str, year: int, dataset: str = "real") -> tuple[float | None, str | None]:
    """(value, problem): the indicator's value for the plan year, or why there is none.

    Figures come from one dataset only (real, or the demo data when the system holds no real
    records); the pages say which."""
    from ipbureau.stats import service as stats
    from ipbureau.stats.catalogue import BY_CODE

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


def get_target(session: Session, target_id: int) -> WorkTarget | None:
    return session.get(WorkTarget, target_id)


def get_point(session: Session, point_id: int) -> WorkPoint | None:
    return session.get(WorkPoint, point_id)


def entries_of(session: Session, target: WorkTarget) -> list[ProgressEntry]:
    """Newest first, as the history table shows them."""
    return list(session.scalars(select(ProgressEntry).where(ProgressEntry.target_id == target.id)
                                .order_by(ProgressEntry.recorded_on.desc(), ProgressEntry.id.desc())))


# ---- staff input ------------------------------------------------------------------------------

def parse_value(text: Any) -> float:
    """A progress value as typed ("1,200", "35.5"); non-negative and finite."""
    if text is None or (isinstance(text, str) and not text.strip()):
        raise WorkPlanError("请填写完成值")
    if isinstance(text, bool):
        raise WorkPlanError("完成值必须是数字")
    try:
        value = float(str(text).strip().replace(",", "").replace("，", ""))
    except ValueError:
        raise WorkPlanError(f"完成值“{text}”不是数字") from None
    if not math.isfinite(value):
        raise WorkPlanError("完成值必须是有限的数字")
    if value < 0:
        raise WorkPlanError("完成值不能为负数")
    return value


def add_progress_entry(session: Session, target: WorkTarget, *, value: Any, recorded_on: date | None,
                       evidence: str | None, note: str | None, actor: Any, today: date | None = None,
                       ip_address: str | None = None) -> ProgressEntry:
    """Record a reported value with its evidence; the caller commits."""
    number = parse_value(value)
    today = today or date.today()
    if recorded_on is None:
        raise WorkPlanError("请填写填报日期")
    if recorded_on > today:
        raise WorkPlanError("填报日期不能晚于今天")
    evidence = (evidence or "").strip()
    if not evidence:
        raise WorkPlanError("请填写佐证材料（文件名称、文号或链接）")
    if len(evidence) > MAX_EVIDENCE:
        raise WorkPlanError(f"佐证材料不能超过 {MAX_EVIDENCE} 个字符")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise WorkPlanError(f"说明不能超过 {MAX_NOTE} 个字符")
    entry = ProgressEntry(target_id=target.id, recorded_on=recorded_on, value=number, evidence=evidence, note=note,
                          entered_by=getattr(actor, "id", None))
    session.add(entry)
    session.flush()
    point = target.point
    audit.record(session, actor=actor, action="workplan.progress.add", entity_type="work_target", entity_id=target.id,
                 summary=f"填报进展：{point.label}{target.description} {recorded_on} 完成 {format_number(number)}{target.unit}",
                 changes={"entry_id": [None, entry.id], "value": [None, number], "recorded_on": [None, recorded_on],
                          "evidence": [None, evidence], "note": [None, note]},
                 ip_address=ip_address)
    return entry


def set_responsible_department(session: Session, point: WorkPoint, department: str | None, *, actor: Any,
                               ip_address: str | None = None) -> bool:
    """Set or clear the department; False when nothing changed. The caller commits."""
    department = (department or "").strip() or None
    if department and len(department) > MAX_DEPARTMENT:
        raise WorkPlanError(f"责任部门不能超过 {MAX_DEPARTMENT} 个字符")
    if department == point.responsible_department:
        return False
    changes = audit.diff({"responsible_department": point.responsible_department},
                         {"responsible_department": department})
    point.responsible_department = department
    audit.record(session, actor=actor, action="workplan.point.update", entity_type="work_point", entity_id=point.id,
                 summary=f"修改责任部门：{point.label}{point.title} → {department or '（空）'}", changes=changes,
                 ip_address=ip_address)
    return True


def set_indicator(session: Session, target: WorkTarget, code: str | None, *, actor: Any,
                  ip_address: str | None = None) -> bool:
    """Link the target to a catalogue indicator, or unlink it (empty code)."""
    code = (code or "").strip() or None
    if code is not None:
        if code not in dict(indicator_choices()):
            raise WorkPlanError(f"指标目录中没有代码为“{code}”的指标")
    if code == target.indicator_code:
        return False
    changes = audit.diff({"indicator_code": target.indicator_code}, {"indicator_code": code})
    target.indicator_code = code
    audit.record(session, actor=actor, action="workplan.target.update", entity_type="work_target", entity_id=target.id,
                 summary=f"关联统计指标：{target.point.label}{target.description} → {code or '（不关联）'}",
                 changes=changes, ip_address=ip_address)
    return True


def format_number(value: float | None) -> str:
    """1000.0 -> "1000", 12.5 -> "12.5"; None -> "—"."""
    if value is None:
        return "—"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")

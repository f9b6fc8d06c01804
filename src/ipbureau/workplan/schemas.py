"""Request and response shapes of the work plan (工作要点). The page forms parse into the same schemas as the
JSON API (``core.forms.form_model``), so a progress entry is checked once, the same way, either way."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from ipbureau.core.fields import Day, Filters, Year, register_labels
from ipbureau.stats.schemas import IndicatorCode, blank_to_none

MAX_EVIDENCE = 1000
MAX_NOTE = 2000
MAX_DEPARTMENT = 200
# A progress value is a count (件、家、场次) or a percentage: far below this.
MAX_PROGRESS_VALUE = 1e12


def _number_text(value: Any) -> Any:
    """A value as staff type it: "1,200" or "1，200" (thousands separators) is 1200."""
    if isinstance(value, str):
        return value.strip().replace(",", "").replace("，", "")
    return value


# Negative values pass the schema: the service refuses them with its own message ("完成值不能为负数").
ProgressValue = Annotated[float, BeforeValidator(_number_text), Field(le=MAX_PROGRESS_VALUE, allow_inf_nan=False)]
Evidence = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_EVIDENCE)]
Note = Annotated[Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE)] | None,
                 BeforeValidator(blank_to_none)]
Department = Annotated[Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DEPARTMENT)] | None,
                       BeforeValidator(blank_to_none)]


# ---- input ------------------------------------------------------------------------------------------


class PlanQuery(Filters):
    year: Year | None = None  # default: this year's plan, else the latest before it, else the earliest


class ProgressEntryCreate(BaseModel):
    value: ProgressValue = Field(description="截至填报日期的完成值（累计目标）或本次新增值（增量目标），不小于 0")
    recorded_on: Day = Field(default_factory=date.today)
    evidence: Evidence = Field(description="佐证材料：文件名称、文号或链接")
    note: Note = None


class TargetIndicatorUpdate(BaseModel):
    """Link a target to a catalogue indicator, or unlink it (empty)."""

    indicator_code: Annotated[IndicatorCode | None, BeforeValidator(blank_to_none)] = None


class PointDepartmentUpdate(BaseModel):
    """Set or clear a point's responsible department (empty clears it)."""

    responsible_department: Department = None


# ---- output -----------------------------------------------------------------------------------------


class ProgressEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    target_id: int
    recorded_on: date
    value: float
    evidence: str | None
    note: str | None
    entered_by: int | None
    created_at: datetime | None


class TargetRead(BaseModel):
    """A target with its current value and status (computed on each request)."""

    id: int
    description: str
    target_value: float
    unit: str
    comparison: str
    aggregation: str
    deadline: date
    indicator_code: str | None
    indicator_problem: str | None  # why a linked indicator gave no value (the manual entries count then)
    current_value: float | None
    value_source: str | None  # indicator | manual | None (no value yet)
    completion: float | None  # share of the target reached, 4 decimals (may pass 1)
    status: str
    status_label: str
    updated_on: date | None

    @classmethod
    def of(cls, item: Any) -> TargetRead:
        """From a ``service.TargetProgress``."""
        target = item.target
        return cls(id=target.id, description=target.description, target_value=target.target_value, unit=target.unit,
                   comparison=target.comparison, aggregation=target.aggregation, deadline=target.deadline,
                   indicator_code=target.indicator_code, indicator_problem=item.indicator_problem,
                   current_value=item.value, value_source=item.source.value if item.source else None,
                   completion=None if item.ratio is None else round(item.ratio, 4), status=item.status.value,
                   status_label=item.status.label, updated_on=item.updated_on)


class PointRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    label: str
    title: str


class TargetDetailRead(TargetRead):
    point: PointRef
    entries: list[ProgressEntryRead]  # newest first

    @classmethod
    def of(cls, detail: Any) -> TargetDetailRead:
        """From a ``service.TargetDetail``."""
        return cls(**TargetRead.of(detail.item).model_dump(), point=PointRef.model_validate(detail.target.point),
                   entries=[ProgressEntryRead.model_validate(e) for e in detail.entries])


class PointRead(BaseModel):
    id: int
    number: int
    label: str
    heading: str | None
    title: str
    text: str
    responsible_department: str | None
    targets: list[TargetRead]


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    title: str
    source_document: str | None
    source_url: str | None
    issued_on: date | None


class PlanProgressRead(BaseModel):
    """A year's plan with every point, target, current value and status; ``plan`` is None before any is loaded."""

    years: list[int]
    plan: PlanRead | None
    status_counts: dict[str, int] = Field(default_factory=dict)
    points: list[PointRead] = Field(default_factory=list)

    @classmethod
    def of(cls, overview: Any) -> PlanProgressRead:
        """From a ``service.PlanOverview``."""
        progress = overview.progress
        if progress is None:
            return cls(years=overview.years, plan=None)
        return cls(
            years=overview.years, plan=PlanRead.model_validate(progress.plan),
            status_counts={status.value: count for status, count in progress.status_counts.items()},
            points=[PointRead(id=p.point.id, number=p.point.number, label=p.point.label, heading=p.point.heading,
                              title=p.point.title, text=p.point.text,
                              responsible_department=p.point.responsible_department,
                              targets=[TargetRead.of(t) for t in p.targets])
                    for _heading, points in progress.sections for p in points])


register_labels({
    "value": "完成值", "recorded_on": "填报日期", "evidence": "佐证材料", "note": "说明", "indicator_code": "统计指标",
    "responsible_department": "责任部门", "target_id": "目标", "point_id": "工作要点", "file": "文件",
}, __name__)


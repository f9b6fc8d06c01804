"""Request and response shapes of 优势/示范企业培育: candidate filters and scores, applications and decisions,
the IP management items."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator

from ipbureau.core.fields import Day, Id, LongText, ShortText, Year, register_labels
from ipbureau.enterprises.assessment.scoring import CRITERIA, EnterpriseScore
from ipbureau.enterprises.enums import AssessmentLevel, AssessmentStatus
from ipbureau.enterprises.models import AdvantageAssessment
from ipbureau.enterprises.schemas import DistrictCode, Filters, Read
from ipbureau.enums import Dataset

AssessmentAction = Literal["review", "confirm", "reject"]

# Either the value or the label is accepted ("advantage" or "知识产权优势企业").
_LEVELS = {value: value for value, _label in AssessmentLevel.choices()} | {
    label: value for value, label in AssessmentLevel.choices()}


class CandidateFilters(Filters):
    q: ShortText | None = Field(default=None, description="企业名称包含")
    district_code: DistrictCode | None = None
    chain: str | None = Field(default=None, max_length=32, description="重点产业链代码")
    dataset: Dataset | None = None
    level: AssessmentLevel | None = Field(default=None, description="只列出达到该等级条件的企业")


class CriterionRead(BaseModel):
    code: str
    label: str
    weight: float
    saturation: float
    unit: str


class CriterionScore(BaseModel):
    code: str
    label: str
    weight: float
    value: float
    points: float


class ScoreRead(BaseModel):
    enterprise_id: int
    name: str
    district_code: str | None
    industry_chain: str | None
    dataset: str
    total: float
    deduction: float
    level: AssessmentLevel | None
    level_label: str | None
    criteria: list[CriterionScore]
    penalties: dict[str, int]

    @classmethod
    def of(cls, score: EnterpriseScore) -> ScoreRead:
        return cls(enterprise_id=score.enterprise_id, name=score.name, district_code=score.district_code,
                   industry_chain=score.industry_chain, dataset=score.dataset, total=score.total,
                   deduction=score.deduction, level=score.level, level_label=score.level.label if score.level else None,
                   criteria=[CriterionScore(code=c.code, label=c.label, weight=c.weight, value=score.values[c.code],
                                            points=score.points[c.code]) for c in CRITERIA],
                   penalties=score.penalties)


class CandidatesRead(BaseModel):
    total: int
    criteria: list[CriterionRead]
    items: list[ScoreRead]


CRITERIA_READ = [CriterionRead(code=c.code, label=c.label, weight=c.weight, saturation=c.saturation, unit=c.unit)
                 for c in CRITERIA]


class AssessmentCreate(BaseModel):
    """申报: an enterprise applies for a level in a year."""

    enterprise_id: Id
    year: Year
    level: AssessmentLevel
    note: LongText | None = None

    @field_validator("level", mode="before")
    @classmethod
    def _known_level(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() in _LEVELS:
            return _LEVELS[value.strip()]
        raise ValueError(f"未知的类别“{value}”（优势企业或示范企业）")


class AssessmentDecision(BaseModel):
    """评审, 认定 or 不予认定: the reviewer's note, and the decision date (default today)."""

    note: LongText | None = None
    decided_on: Day | None = None


class AssessmentRead(Read):
    id: int
    enterprise_id: int
    enterprise: str
    year: int
    level: AssessmentLevel
    level_label: str
    status: AssessmentStatus
    status_label: str
    applied_on: date
    score: float | None
    breakdown: dict[str, Any] | None
    decided_on: date | None
    note: str | None

    @classmethod
    def of(cls, assessment: AdvantageAssessment) -> AssessmentRead:
        level, status = AssessmentLevel(assessment.level), AssessmentStatus(assessment.status)
        return cls(id=assessment.id, enterprise_id=assessment.enterprise_id, enterprise=assessment.enterprise.name,
                   year=assessment.year, level=level, level_label=level.label, status=status,
                   status_label=status.label, applied_on=assessment.applied_on, score=assessment.score,
                   breakdown=assessment.breakdown, decided_on=assessment.decided_on, note=assessment.note)


class ManagementUpdate(BaseModel):
    """知识产权管理情况 (criterion 管理 of the score)."""

    ip_staff: Annotated[int, Field(ge=0, le=10_000)] = 0
    has_ip_department: bool = False
    standard_certified: bool = False
    has_ip_policy: bool = False


class ManagementRead(Read):
    ip_staff: int
    has_ip_department: bool
    standard_certified: bool
    has_ip_policy: bool


register_labels({
    "level": "认定类别", "note": "说明", "decided_on": "认定日期", "action": "操作",
    "ip_staff": "知识产权工作人员数", "has_ip_department": "知识产权管理机构", "standard_certified": "贯标认证",
    "has_ip_policy": "知识产权管理制度", "enterprise_id": "企业",
}, __name__)

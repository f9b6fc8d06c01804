"""Request and response shapes of 企业服务: teams, visits, trainings (with their participants), fee reductions,
the list filters and the yearly summary. The pages parse their forms into the same schemas as the JSON API."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from ipbureau.core.fields import Count, Day, Id, LongText, Money, Year, register_labels
from ipbureau.enterprises.schemas import DistrictCode, Filters, Read
from ipbureau.enterprises.services.enums import TrainingMode
from ipbureau.enterprises.services.models import Training
from ipbureau.enums import Dataset

CENT = Decimal("0.01")


def _as_text(value: Any) -> Any:
    """An enterprise may be named by its id (a number in JSON), credit code or name."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.strip() if isinstance(value, str) else value


def _amount(value: Any) -> Any:
    """Amounts as people type them ("12,500.5", "1，200") and as spreadsheets store them, to the fen; anything
    that is not a finite number is left for the Money type to name."""
    if isinstance(value, str):
        value = value.replace(",", "").replace("，", "").strip()
    if isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value))
        return number.quantize(CENT, rounding=ROUND_HALF_UP) if number.is_finite() else value
    except (InvalidOperation, ValueError):
        return value


def _participant_lines(value: Any) -> Any:
    """Participants from a form's textarea, one per line "企业名称或信用代码, 人数" (人数 defaults to 1); from
    the API, a list of {enterprise, headcount}."""
    items = value if isinstance(value, list) else [value]
    participants: list[Any] = []
    for item in items:
        if not isinstance(item, str):
            participants.append(item)
            continue
        for line in item.splitlines():
            parts = [p.strip() for p in line.replace("，", ",").replace("\t", ",").split(",")]
            if parts[0]:
                participants.append({"enterprise": parts[0], "headcount": parts[1] if len(parts) > 1 and parts[1] else 1})
    return participants


EnterpriseRef = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=200,
                                                                   description="企业编号、统一社会信用代码或企业名称")]
Amount = Annotated[Money, BeforeValidator(_amount)]
Headcount = Annotated[Count, Field(ge=1)]


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class TeamCreate(_Input):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    leader: Annotated[str, Field(max_length=64)] | None = None
    department: Annotated[str, Field(max_length=100)] | None = None


class VisitCreate(_Input):
    """A visit as recorded (creating it, or replacing what was recorded)."""

    team_id: Id
    enterprise: EnterpriseRef
    visited_on: Day
    staff_count: Headcount
    problems_raised: Count = 0
    problems_solved: Count = 0
    topics: LongText | None = None
    follow_up: LongText | None = None


class Participant(_Input):
    enterprise: EnterpriseRef
    headcount: Headcount = 1


class TrainingCreate(_Input):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    held_on: Day
    organiser: Annotated[str, Field(min_length=1, max_length=200)]
    mode: TrainingMode = TrainingMode.OFFLINE
    district_code: DistrictCode | None = Field(default=None, description="主办区（空：市局主办）")
    total_participants: Count | None = Field(default=None, description="参训总人次（空：各参训企业人数之和）")
    participants: Annotated[list[Participant], BeforeValidator(_participant_lines)] = []
    note: LongText | None = None
    dataset: Dataset | None = None


class FeeFigures(_Input):
    """The figures of a year's fee reductions (a spreadsheet row names its enterprise in its own columns)."""

    year: Year
    recorded_on: Day | None = Field(default=None, description="备案日期（空：该年最后一天，本年为今天）")
    amount_yuan: Amount
    patents_count: Count = 0
    note: LongText | None = None


class FeeReductionCreate(FeeFigures):
    """One enterprise's fee reductions of a year; recording the same enterprise and year again updates it."""

    enterprise: EnterpriseRef


class VisitFilters(Filters):
    year: Year | None = None
    team_id: Id | None = None
    district_code: DistrictCode | None = None
    enterprise_id: Id | None = None


class YearFilter(Filters):
    year: Year | None = None


# ---- responses -------------------------------------------------------------------------------------------


class TeamRead(Read):
    id: int
    name: str
    leader: str | None
    department: str | None


class TeamBrief(Read):
    id: int
    name: str


class EnterpriseBrief(Read):
    id: int
    name: str
    district_code: str | None


class VisitRead(Read):
    id: int
    team: TeamBrief
    enterprise: EnterpriseBrief
    visited_on: date
    staff_count: int
    problems_raised: int
    problems_solved: int
    topics: str | None
    follow_up: str | None


class ParticipantRead(BaseModel):
    enterprise_id: int
    name: str
    headcount: int


class TrainingRead(Read):
    id: int
    title: str
    held_on: date
    organiser: str
    mode: TrainingMode
    district_code: str | None
    total_participants: int
    note: str | None
    dataset: Dataset
    participants: list[ParticipantRead]

    @classmethod
    def of(cls, training: Training) -> TrainingRead:
        return cls.model_validate({
            **{name: getattr(training, name) for name in cls.model_fields if name != "participants"},
            "participants": [ParticipantRead(enterprise_id=a.enterprise_id, name=a.enterprise.name,
                                             headcount=a.headcount) for a in training.attendances]})


class FeeReductionRead(Read):
    id: int
    enterprise: EnterpriseBrief
    year: int
    recorded_on: date
    amount_yuan: float
    patents_count: int
    note: str | None


class VisitTotals(BaseModel):
    visits: int
    staff: int
    units: int
    raised: int
    solved: int


class TrainingTotals(BaseModel):
    held: int
    participants: int
    enterprises: int


class FeeTotals(BaseModel):
    enterprises: int
    amount_yuan: float
    amount_wan: float
    patents: int


class YearSummary(BaseModel):
    year: int
    visits: VisitTotals
    trainings: TrainingTotals
    fees: FeeTotals


class ImportRead(BaseModel):
    batch_id: int
    total_rows: int
    inserted: int
    updated: int
    unchanged: int


class ImportProblem(BaseModel):
    row: int
    column: str
    message: str


class ImportFailure(BaseModel):
    message: str
    problems: list[ImportProblem]


register_labels({
    "team_id": "服务队", "visited_on": "走访日期", "staff_count": "服务人员数", "problems_raised": "提出问题数",
    "problems_solved": "解决问题数", "topics": "走访内容", "follow_up": "后续跟进", "name": "名称", "leader": "队长",
    "department": "牵头处室", "title": "名称", "held_on": "举办日期", "organiser": "主办单位", "mode": "形式",
    "total_participants": "参训总人次", "participants": "参训企业", "headcount": "人数",
    "recorded_on": "备案日期", "amount_yuan": "减缴金额（元）", "patents_count": "减缴专利件数",
}, __name__)

"""Request and response shapes of 专利预审. The JSON API and the page forms parse into the same schemas
(``core.forms.form_model``) and call the same service functions; every number and date is bounded
(``core.fields``) and every message is Chinese."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AliasPath, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, computed_field

from ipbureau.core.fields import Day, Filters, Id, LongText, Offset, PageSize, ShortText, Year, register_labels
from ipbureau.core.forms import VersionSeen
from ipbureau.enums import Dataset
from ipbureau.patents.enums import PatentType
from ipbureau.protection.preexam.enums import CaseStatus, Decision, FilingStatus

# ---- field types --------------------------------------------------------------------------------------


def _choice(enum_class: Any) -> BeforeValidator:
    """An enum field whose message names the choices by their labels (“plant”无效，可选：发明、实用新型、外观设计)."""
    def parse(value: Any) -> Any:
        if value is None or isinstance(value, enum_class):
            return value
        try:
            return enum_class(str(value).strip())
        except ValueError:
            allowed = "、".join(label for _value, label in enum_class.choices())
            raise ValueError(f"“{value}”无效，可选：{allowed}") from None
    return BeforeValidator(parse)


def _codes(value: Any) -> Any:
    """IPC codes as typed: one text with separators ("G06F, H04L") or a list of them."""
    if value is None:
        return []
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list):
        return value  # not text nor a list: the list type refuses it with its own message
    return [code for item in items for code in (re.split(r"[,，、;；\s]+", item) if isinstance(item, str) else [item])
            if code != ""]


def _reference_text(value: Any) -> Any:
    # An enterprise may be named by its id in JSON; it is looked up as text like a typed one.
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


IpcCodes = Annotated[list[Annotated[str, Field(max_length=32)]], BeforeValidator(_codes), Field(max_length=100)]
# An enterprise as staff type it: 统一社会信用代码, exact name, or id.
EnterpriseRef = Annotated[ShortText, BeforeValidator(_reference_text)]
IsoTime = Annotated[datetime, PlainSerializer(lambda value: value.isoformat(), return_type=str)]
IsoDay = Annotated[date, PlainSerializer(lambda value: value.isoformat(), return_type=str)]


# ---- queries (Filters: the filter forms send an empty value for "all", which is an absent one) ----------------

class CaseFilters(Filters):
    status: Annotated[CaseStatus | None, _choice(CaseStatus)] = None
    centre_id: Id | None = None
    mine: bool = False  # an examiner's own cases only
    keyword: ShortText | None = None
    offset: Offset = 0
    limit: PageSize = 50


class FilingFilters(Filters):
    status: Annotated[FilingStatus | None, _choice(FilingStatus)] = None
    offset: Offset = 0
    limit: PageSize = 50


class StatsQuery(Filters):
    year: Year | None = None  # all years
    dataset: Annotated[Dataset | None, _choice(Dataset)] = None  # real data when there is any


class _Input(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# ---- filings ------------------------------------------------------------------------------------------

class FilingCreate(_Input):
    """An enterprise's application to be filed with a centre (staff name the enterprise)."""

    centre_id: Id
    ipc_fields: IpcCodes = []
    contact_person: Annotated[str, Field(max_length=64)] | None = None
    contact_phone: Annotated[str, Field(max_length=32)] | None = None
    note: LongText | None = None
    enterprise: EnterpriseRef | None = None


class FilingDecision(_Input):
    """Approve (no reason needed) or reject (reason required)."""

    reason: LongText | None = None


class CentreRef(_Read):
    id: Id
    name: str


class EnterpriseBrief(_Read):
    id: Id
    name: str
    district_code: str | None = None


class FilingEnterprise(EnterpriseBrief):
    industry_chain: str | None = None


class FilingRead(_Read):
    id: Id
    centre: CentreRef
    enterprise: FilingEnterprise
    status: FilingStatus
    ipc_fields: list[str]
    contact_person: str | None
    contact_phone: str | None
    note: str | None
    reason: str | None
    applied_at: IsoTime
    decided_at: IsoTime | None

    @computed_field
    @property
    def status_label(self) -> str:
        return FilingStatus(self.status).label


class FilingList(BaseModel):
    total: int
    items: list[FilingRead]


# ---- centres ------------------------------------------------------------------------------------------

class CentreRead(_Read):
    id: Id
    code: str
    name: str
    short_name: str
    district_code: str | None
    chains: list[str]
    chain_names: list[str]
    ipc_prefixes: list[str]
    deadline_days: int
    green_deadline_days: int


class CentreList(BaseModel):
    items: list[CentreRead]


# ---- key enterprises and examiners --------------------------------------------------------------------

class KeyEnterpriseCreate(_Input):
    enterprise: EnterpriseRef
    reason: ShortText | None = None


class KeyEnterpriseRead(_Read):
    enterprise_id: Id
    name: str = Field(validation_alias=AliasPath("enterprise", "name"))
    reason: str | None
    added_at: IsoTime = Field(validation_alias="created_at")


class KeyEnterpriseList(BaseModel):
    items: list[KeyEnterpriseRead]


class KeyEnterpriseRemoved(BaseModel):
    enterprise_id: Id
    removed: bool


class ExaminerUpdate(_Input):
    """An examiner's place: the centre and the IPC prefixes examined."""

    centre_id: Id
    ipc_prefixes: IpcCodes
    active: bool = True


class ExaminerPlacement(ExaminerUpdate):
    """The page's form names the user; the API names it in the path."""

    user_id: Id


class ExaminerRead(_Read):
    user_id: Id
    username: str = Field(validation_alias=AliasPath("user", "username"))
    display_name: str = Field(validation_alias=AliasPath("user", "display_name"))
    centre_id: Id
    ipc_prefixes: list[str]
    active: bool
    open_cases: int = 0


class ExaminerList(BaseModel):
    items: list[ExaminerRead]


# ---- cases --------------------------------------------------------------------------------------------

class CaseCreate(_Input):
    """What the enterprise fills in (empty title, IPC or abstract are refused by the service, naming the field)."""

    centre_id: Id
    title: ShortText = ""
    patent_type: Annotated[PatentType, _choice(PatentType)]
    ipc_main: ShortText = ""
    abstract: LongText = ""
    applicant: ShortText | None = None
    enterprise: EnterpriseRef | None = None


class CaseStep(VersionSeen, _Input):
    """The fields of the case actions: decide (decision, reason), assign (examiner_id, reason), submit_cnipa
    (application_no, day), grant (day), reject (day, reason), withdraw (reason)."""

    decision: Annotated[Decision | None, _choice(Decision)] = None
    reason: LongText | None = None
    examiner_id: Id | None = None
    application_no: ShortText | None = None
    day: Day | None = None


class ExaminerRef(_Read):
    id: Id
    display_name: str


class DocumentRead(_Read):
    id: Id
    filename: str
    size: int
    sha256: str


class CaseRead(_Read):
    id: Id
    case_no: str
    centre: CentreRef
    enterprise: EnterpriseBrief
    title: str
    patent_type: str
    ipc_main: str
    chain_code: str | None
    abstract: str | None
    applicant: str
    status: CaseStatus
    green_channel: bool
    examiner: ExaminerRef | None
    received_at: IsoTime
    due_on: IsoDay
    decision: str | None
    decision_reason: str | None
    decided_at: IsoTime | None
    cnipa_application_no: str | None
    cnipa_submitted_on: IsoDay | None
    granted_on: IsoDay | None
    patent_id: Id | None
    closed_on: IsoDay | None
    closed_reason: str | None
    documents: list[DocumentRead]
    version: int  # send it back with a change: a change to a case changed meanwhile is refused (409)

    @computed_field
    @property
    def status_label(self) -> str:
        return CaseStatus(self.status).label


class CaseList(BaseModel):
    total: int
    items: list[CaseRead]


# ---- statistics ---------------------------------------------------------------------------------------

class CycleRow(_Read):
    key: str
    received: int
    decided: int
    qualified: int
    granted: int
    qualified_ratio: float | None
    median_decision_days: float | None
    median_grant_days: float | None


class CycleStatsRead(_Read):
    year: int | None
    dataset: str
    district_code: str | None
    total: CycleRow
    by: dict[str, list[CycleRow]]


register_labels({
    "centre_id": "保护中心", "ipc_fields": "技术领域（IPC）", "contact_person": "联系人", "contact_phone": "联系电话",
    "note": "说明", "enterprise": "企业", "enterprise_id": "企业", "reason": "理由", "title": "名称",
    "patent_type": "专利类型", "ipc_main": "IPC 主分类号", "abstract": "摘要", "applicant": "申请人",
    "decision": "预审结论", "examiner_id": "审查员", "application_no": "申请号", "day": "日期",
    "ipc_prefixes": "审查领域（IPC）", "active": "在岗", "user_id": "用户", "documents": "申请文件",
    "case_id": "案件", "filing_id": "备案", "document_id": "文件", "mine": "只看分配给我的", "action": "操作",
    "dataset": "数据", "message": "提示",
}, __name__)

"""Request and response shapes of patent search: the query (one schema for the search page, the JSON API and
file export), the paging parameters, and a page of hits."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ipbureau.core.fields import Day, Filters, Page, ShortText, register_labels
from ipbureau.enums import Dataset
from ipbureau.patents.enums import LegalStatus, PatentType

MAX_PAGE_SIZE = 100
MAX_RESULT_PAGE = 10_000
DEFAULT_PAGE_SIZE = 20

# The index ranks every hit before the page asked for: pages stop at 10,000 (a million hits with the largest pages).
ResultPage = Annotated[Page, Field(le=MAX_RESULT_PAGE, description="页码（从 1 起）")]
ResultsPerPage = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（最多 {MAX_PAGE_SIZE}）")]
# "XLSX" and " csv " are the same choice; the file name is built from this validated value only.
ExportFormat = Annotated[Literal["xlsx", "csv"],
                         BeforeValidator(lambda v: v.strip().lower() if isinstance(v, str) else v)]

# Chinese labels are accepted where an enum value is expected ("发明" as well as "invention").
_LABEL_VALUES: dict[str, dict[str, str]] = {
    "patent_type": {label: value for value, label in PatentType.choices()},
    "legal_status": {label: value for value, label in LegalStatus.choices()},
    "dataset": {label: value for value, label in Dataset.choices()},
}


class PatentQuery(Filters):
    """A fielded and full-text patent query; every field is optional, and a blank field means "no condition"
    (an HTML form sends every field, empty ones as "")."""

    model_config = ConfigDict(str_strip_whitespace=True)

    q: str | None = Field(default=None, max_length=500, description="全文检索词（中文或英文）")
    patent_type: PatentType | None = None
    ipc: str | None = Field(default=None, max_length=16, description="IPC 前缀，如 H04N 或 H04N5/00")
    applicant: ShortText | None = None
    district_code: str | None = Field(default=None, max_length=6)
    province_code: str | None = Field(default=None, pattern=r"^[0-9]{2}$",
                                      description="申请人所在省级行政区代码，天津为 12")
    chain: str | None = Field(default=None, max_length=32,
                              description="重点产业链代码（navigation/data/industry_chains.yaml）")
    legal_status: LegalStatus | None = None
    filing_from: Day | None = None
    filing_to: Day | None = None
    grant_from: Day | None = None
    grant_to: Day | None = None
    dataset: Dataset | None = None

    @field_validator("patent_type", "legal_status", "dataset", mode="before")
    @classmethod
    def _label_to_value(cls, value: Any, info: Any) -> Any:
        if isinstance(value, str):
            return _LABEL_VALUES[info.field_name].get(value.strip(), value.strip())
        return value

    @field_validator("q", "ipc", "applicant", "district_code", mode="before")
    @classmethod
    def _drop_control_characters(cls, value: object) -> object:
        # NUL and other control characters are never meaningful in a query, and PostgreSQL
        # refuses NUL in text (the query is also kept in the usage log).
        if isinstance(value, str):
            return "".join(ch for ch in value if ch >= " " or ch in "\t\n")
        return value

    def has_criteria(self) -> bool:
        return any(v not in (None, "") for v in self.model_dump().values())

    def conditions(self) -> dict[str, Any]:
        """The non-empty fields as URL/JSON values (for links, the usage log and export file links)."""
        return {k: v for k, v in self.model_dump(mode="json").items() if v not in (None, "")}


class SearchHit(BaseModel):
    id: int
    application_no: str
    title: str
    title_highlight: str
    abstract_highlight: str
    patent_type: PatentType
    applicants: list[str]
    ipc_main: str | None
    district_code: str | None
    filing_date: date | None
    grant_date: date | None
    legal_status: LegalStatus
    dataset: str
    score: float


class SearchPage(BaseModel):
    total: int
    page: int
    page_size: int
    hits: list[SearchHit]
    took_ms: float


register_labels({
    "patent_type": "专利类型", "ipc": "IPC 分类号", "applicant": "申请人", "province_code": "申请人所在地",
    "legal_status": "法律状态", "filing_from": "申请日（起）", "filing_to": "申请日（止）",
    "grant_from": "授权公告日（起）", "grant_to": "授权公告日（止）", "dataset": "数据类别", "page_size": "每页条数",
    "fmt": "导出格式",
}, __name__)

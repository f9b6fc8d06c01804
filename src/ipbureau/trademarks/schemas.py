"""Request and response shapes of the trademark directory: one query schema for the page and the API."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from ipbureau.core.fields import Filters, Page, ShortText, register_labels
from ipbureau.enums import Dataset
from ipbureau.trademarks.enums import TrademarkStatus

PAGE_SIZE = 50


class TrademarkQuery(Filters):
    """Filters of the directory and the page (from 1); a blank field means "no condition"."""

    q: ShortText | None = Field(default=None, description="商标名称、申请人（包含）或注册号（完全一致）")
    district_code: str | None = Field(default=None, max_length=6)
    nice_class: int | None = Field(default=None, ge=1, le=45, description="主类别（尼斯分类 1–45）")
    status: TrademarkStatus | None = None
    dataset: Dataset | None = None
    page: Page = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


class TrademarkRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    application_no: str
    mark_name: str
    nice_classes: list[int]
    applicant_name: str
    district_code: str | None
    filing_date: date
    registration_date: date | None
    expiry_date: date | None
    status: TrademarkStatus
    dataset: Dataset


class TrademarkList(BaseModel):
    total: int
    items: list[TrademarkRead]
    # The Nice class headings (2018 wording) of the classes on this page.
    class_headings: dict[int, str] = {}


class ClassStatisticsQuery(Filters):
    dataset: Dataset | None = None
    district_code: str | None = Field(default=None, pattern=r"^[0-9]{6}$")


class ClassCountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    heading: str
    marks: int
    registered: int


class NiceClassRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    heading: str
    edition: str


register_labels({"nice_class": "尼斯分类", "dataset": "数据类别", "number": "尼斯分类类别"}, __name__)

"""Shapes of the official statistics: one row (create/update/read), the list filters, the comparison of an
official figure with the computed one, and a peer (by-province) table."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ipbureau.core.fields import Filters, Page, Year, register_labels

PAGE_SIZE = 100
SCOPES = ("国内", "国内外", "职务", "非职务", "国内职务", "国内非职务", "国内外职务", "国内外非职务",
          "国内(不含港澳台)", "—")
_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")


def _url(value: str) -> str:
    if not re.match(r"^https?://\S+$", value):
        raise ValueError("应为以 http:// 或 https:// 开头的网址")
    return value


RegionCode = Annotated[str, Field(pattern=r"^[0-9]{2}$")]
SourceUrl = Annotated[str, Field(min_length=10, max_length=500), AfterValidator(_url)]
Scope = Annotated[str, Field(min_length=1, max_length=16)]


class OfficialStatisticIn(BaseModel):
    """A published figure (the columns of official_ip_statistics.csv; ``indicator`` is ``indicator_zh``)."""

    model_config = ConfigDict(populate_by_name=True, str_strip_whitespace=True)

    region: Annotated[str, Field(min_length=1, max_length=16)]
    region_code: RegionCode
    year: Year
    period: Annotated[str, Field(max_length=7)]
    indicator: Annotated[str, Field(min_length=1, max_length=100, alias="indicator_zh")]
    scope: Scope
    value: Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
    unit: Annotated[str, Field(min_length=1, max_length=16)]
    source_url: SourceUrl
    note: Annotated[str, Field(max_length=2000)] = ""

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, scope: str) -> str:
        if scope not in SCOPES:
            raise ValueError(f"应为 {'、'.join(SCOPES)} 之一")
        return scope

    @model_validator(mode="after")
    def _period_in_year(self) -> OfficialStatisticIn:
        match = _PERIOD.match(self.period)
        if match is None:
            raise ValueError("统计期应为 YYYY 或 YYYY-MM")
        if int(match.group(1)) != self.year:
            raise ValueError(f"统计期 {self.period} 与年份 {self.year} 不一致")
        return self


class OfficialStatisticRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    region: str
    region_code: str
    year: int
    period: str
    indicator: str
    scope: str
    value: float
    unit: str
    source_url: str
    note: str
    updated_at: datetime
    updated_by_name: str | None


class OfficialStatisticQuery(Filters):
    region_code: RegionCode | None = None
    year: Year | None = None
    indicator: Annotated[str, Field(max_length=100)] | None = None
    scope: Scope | None = None
    q: Annotated[str, Field(max_length=100)] | None = Field(default=None, description="指标名称或备注（包含）")
    page: Page = 1

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


class OfficialStatisticList(BaseModel):
    total: int
    items: list[OfficialStatisticRead]


class ImportResult(BaseModel):
    added: int
    updated: int
    unchanged: int


class ComparisonQuery(Filters):
    year: Year
    dataset: Annotated[str, Field(pattern=r"^(real|demo)$")] = "real"


class Comparison(BaseModel):
    """A computed indicator beside one official figure of the same year (its counterpart by the mapping)."""

    code: str  # the computed indicator
    name: str
    year: int
    computed: int | float | None
    official_id: int
    official_indicator: str
    official_scope: str
    official_period: str
    official: float
    unit: str
    source_url: str
    rounded: bool  # the official figure is a rounded 万 figure (its note says so)
    difference: float | None  # computed − official
    difference_pct: float | None  # (computed − official) ÷ official × 100
    definition_note: str  # how the two definitions differ


class PeerTableRef(BaseModel):
    indicator: str
    scope: str
    period: str
    unit: str
    regions: int


class PeerRow(BaseModel):
    rank: int
    region: str
    region_code: str
    value: float
    tianjin: bool


class PeerTable(BaseModel):
    indicator: str
    scope: str
    period: str
    unit: str
    source_urls: list[str]
    rows: list[PeerRow]
    tianjin_rank: int | None
    median: float | None


class PeerQuery(Filters):
    indicator: Annotated[str, Field(max_length=100)] | None = None
    scope: Scope | None = None
    period: Annotated[str, Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2]))?$")] | None = None


register_labels({
    "region": "地区", "region_code": "地区代码", "period": "统计期", "indicator": "指标",
    "indicator_zh": "指标", "scope": "口径", "value": "数值", "unit": "单位", "source_url": "来源网址", "note": "备注",
    "dataset": "数据类别",
}, __name__)

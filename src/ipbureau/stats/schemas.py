"""Request and response shapes of the statistics (no tables: every figure is computed from the records).

Query parameters arrive through these models (bounded with core.fields), so a year of -1 or ², an unknown
period or a district code of 10^30 is a 422 naming the field in Chinese before any computation starts.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

from ipbureau.core.fields import Filters, Year, register_labels
from ipbureau.enums import Dataset
from ipbureau.stats.enums import Measure, Period, Subject, YoyNote

# The longest year range one series request may cover.
MAX_SERIES_YEARS = 50


def blank_to_none(value: Any) -> Any:
    """An empty field means "not given" (for fields whose schema cannot be a ``Filters``)."""
    return None if isinstance(value, str) and not value.strip() else value


IndicatorCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
DistrictCode = Annotated[str, Field(pattern=r"^[0-9]{6}$")]
ChainCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
WhitePaperFormat = Literal["docx", "pdf"]


# ---- queries (Filters: a blank field is an absent one) -------------------------------------------


class PeriodQuery(Filters):
    year: Year
    period: Period = Period.YEAR
    dataset: Dataset = Dataset.REAL


class IndicatorQuery(PeriodQuery):
    """One indicator for a period, for the city, a district or an industry chain."""

    district_code: DistrictCode | None = None
    chain_code: ChainCode | None = None


class DistrictBreakdownQuery(PeriodQuery):
    chain_code: ChainCode | None = None


class ChainBreakdownQuery(PeriodQuery):
    district_code: DistrictCode | None = None


class SeriesQuery(Filters):
    year_from: Year
    year_to: Year
    period: Period = Period.YEAR
    district_code: DistrictCode | None = None
    chain_code: ChainCode | None = None
    dataset: Dataset = Dataset.REAL

    @field_validator("year_to")
    @classmethod
    def _span(cls, year_to: int, info: ValidationInfo) -> int:
        year_from = info.data.get("year_from")
        if year_from is not None and not 0 <= year_to - year_from < MAX_SERIES_YEARS:
            raise ValueError(f"年份区间应为 1 到 {MAX_SERIES_YEARS} 年（不早于起始年份）")
        return year_to

    @property
    def years(self) -> range:
        return range(self.year_from, self.year_to + 1)


class DashboardQuery(BaseModel):
    """The /stats page. Not a ``Filters``: its form sends ``district_code=""`` for 全市, which must stay apart
    from an absent district_code (a user who belongs to a district then starts on it)."""

    year: Annotated[Year | None, BeforeValidator(blank_to_none)] = None
    dataset: Annotated[Dataset | None, BeforeValidator(blank_to_none)] = None
    district_code: Annotated[str, Field(pattern=r"^([0-9]{6})?$")] | None = None


class WhitePaperQuery(Filters):
    year: Year | None = None  # default: the latest year whose grants reach December
    dataset: Dataset | None = None  # default: real
    fmt: WhitePaperFormat = "docx"


# ---- answers ------------------------------------------------------------------------------------


class IndicatorDefRead(BaseModel):
    code: str
    name: str
    unit: str
    subject: Subject
    measure: Measure
    definition: str
    formula: str
    sources: list[str]
    per_10k_people: bool
    limitations: str


class IndicatorValue(BaseModel):
    """One indicator for one period and scope (city, a district or an industry chain)."""

    code: str
    name: str
    unit: str
    year: int
    period: str
    period_start: date
    period_end: date
    dataset: str
    district_code: str | None = None
    chain_code: str | None = None
    # What the row stands for in a breakdown (a district's or a chain's name), else None.
    label: str | None = None
    # None when the figure cannot be computed; ``note`` says why (e.g. "无人口数据").
    value: int | float | None
    # The number of records behind the value (the numerator for per-10,000-people figures).
    record_count: int | None
    note: str | None = None
    previous_value: int | float | None
    # Year-on-year growth in percent (59.2 means +59.2 %); None with ``yoy_note`` saying why.
    yoy_growth: float | None
    yoy_note: YoyNote | None = None
    # /search listing exactly the records counted, when the search filters can express it.
    record_count_url: str | None = None


class Dashboard(BaseModel):
    """Every figure of the /stats page for one year, dataset and territory."""

    year: int
    dataset: Dataset
    district_code: str | None  # None: the whole city
    district_name: str  # "" for the whole city
    districts: dict[str, str]  # code -> name, all 16
    figures: list[IndicatorValue]  # the catalogue's values, catalogue order
    trends: dict[str, list[IndicatorValue]]  # ten-year series by indicator code
    ranking: list[IndicatorValue]  # every district (always all 16)
    chains: list[IndicatorValue]  # every industry chain
    chain_count: int


register_labels({
    "code": "指标代码", "chain_code": "产业链", "year_from": "起始年份", "year_to": "截止年份", "dataset": "数据类别",
    "fmt": "格式",
}, __name__)

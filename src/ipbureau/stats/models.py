"""Pydantic schemas of the statistics API (no tables: every figure is computed from the records)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ipbureau.stats.enums import Measure, Subject, YoyNote


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

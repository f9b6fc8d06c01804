from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, utcnow
from ipbureau.patents.enums import LegalStatus, PatentType


class SearchUsage(Base):
    """One use of the patent information service (search, export, record view): usage counts."""

    __tablename__ = "search_usage"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), index=True)  # search | export | view
    query_text: Mapped[str | None] = mapped_column(String(500))
    filters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    result_count: Mapped[int] = mapped_column(Integer, default=0)


class PatentQuery(BaseModel):
    """A fielded and full-text patent query; every field is optional."""

    q: str | None = Field(default=None, max_length=500, description="全文检索词（中文或英文）")
    patent_type: PatentType | None = None
    ipc: str | None = Field(default=None, max_length=16, description="IPC 前缀，如 H04N 或 H04N5/00")
    applicant: str | None = Field(default=None, max_length=200)
    district_code: str | None = Field(default=None, max_length=6)
    province_code: str | None = Field(default=None, pattern=r"^\d{2}$", description="申请人所在省级行政区代码，天津为 12")
    chain: str | None = Field(default=None, max_length=32, description="重点产业链代码（navigation/data/industry_chains.yaml）")
    legal_status: LegalStatus | None = None
    filing_from: date | None = None
    filing_to: date | None = None
    grant_from: date | None = None
    grant_to: date | None = None
    dataset: str | None = Field(default=None, pattern="^(real|demo)$")

    @field_validator("q", "ipc", "applicant", "district_code", mode="before")
    @classmethod
    def _drop_control_characters(cls, value: object) -> object:
        # NUL and other control characters are never meaningful in a query, and PostgreSQL
        # refuses NUL in text (the query is also kept in the usage log).
        if isinstance(value, str):
            return "".join(ch for ch in value if ch >= " " or ch in "\t\n")
        return value


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

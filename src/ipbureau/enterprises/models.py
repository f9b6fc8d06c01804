"""The enterprise entity and the records kept about it for the assessment (IP management items, applications).

Request and response shapes are in ``schemas.py``; what a user may see of an enterprise is the access policy's
(``policy/enterprises.py``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin
from ipbureau.enterprises.enums import AssessmentLevel, AssessmentStatus, EntityKind
from ipbureau.enums import Dataset


class Enterprise(TimestampMixin, Base):
    """An enterprise, university or institute; patents and marks link to it by name."""

    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    # 统一社会信用代码 (GB 32100-2015), 18 characters with a check character.
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[EntityKind] = mapped_column(String(16), index=True, default=EntityKind.ENTERPRISE)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    # The rule that attributed the district (see ipbureau.reference.attribution), shown on the profile.
    district_rule: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(500))
    industry_chain: Mapped[str | None] = mapped_column(String(32), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    established_on: Mapped[date | None] = mapped_column(Date)
    # Non-public (policy: enterprise.view_private): city staff, the district's staff, the enterprise's own users.
    employees: Mapped[int | None] = mapped_column(Integer)
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)


# ---- 知识产权优势企业 / 示范企业培育 ---------------------------------------------------------------


class EnterpriseIpManagement(TimestampMixin, Base):
    """What an enterprise reports about its IP organisation (知识产权管理情况), one row per enterprise.

    Entered by staff or by the enterprise itself; read by the assessment (criterion 管理).
    """

    __tablename__ = "enterprise_ip_management"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), unique=True)
    # 专职/兼职知识产权工作人员数
    ip_staff: Mapped[int] = mapped_column(Integer, default=0)
    # 设有知识产权管理机构（部门）
    has_ip_department: Mapped[bool] = mapped_column(Boolean, default=False)
    # 通过《企业知识产权合规管理体系》(GB/T 29490) 认证 (贯标)
    standard_certified: Mapped[bool] = mapped_column(Boolean, default=False)
    # 制定知识产权管理制度 (奖酬、保密、合同管理…)
    has_ip_policy: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class AdvantageAssessment(TimestampMixin, Base):
    """One application for recognition as 知识产权优势企业 or 示范企业 in a year, and its decision.

    申报 (applied) → 评审 (reviewing) → 认定 (confirmed) / 不予认定 (rejected). The score and its
    breakdown are frozen when the review starts, so a decision can be read against what was assessed.
    Confirmed rows are the records the indicator ``advantage_enterprises_cultivated`` counts.
    """

    __tablename__ = "enterprise_assessment"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", "level", name="uq_enterprise_assessment_year_level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    level: Mapped[AssessmentLevel] = mapped_column(String(16))
    status: Mapped[AssessmentStatus] = mapped_column(String(16), index=True, default=AssessmentStatus.APPLIED)
    applied_on: Mapped[date] = mapped_column(Date)
    score: Mapped[float | None] = mapped_column(Float)
    breakdown: Mapped[dict | None] = mapped_column(JSON)
    decided_on: Mapped[date | None] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    enterprise: Mapped[Enterprise] = relationship()

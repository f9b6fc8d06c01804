"""Administrative enforcement cases (行政执法案件). Parties may be natural persons, so each case carries
its own ``dataset`` (default real)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin, VersionedMixin
from ipbureau.enterprises.models import Enterprise
from ipbureau.enums import Dataset
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus

Money = Numeric(16, 2)


class EnforcementCase(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "enforcement_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[CaseCategory] = mapped_column(String(24), index=True)
    status: Mapped[CaseStatus] = mapped_column(String(16), index=True, default=CaseStatus.OPEN)
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"), index=True)
    # 执法单位, e.g. 滨海新区市场监督管理局、市市场监管综合行政执法总队.
    enforcement_unit: Mapped[str] = mapped_column(String(200))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    party_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    party_name: Mapped[str] = mapped_column(String(200))
    party_credit_code: Mapped[str | None] = mapped_column(String(18))
    party_is_person: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    closed_on: Mapped[date | None] = mapped_column(Date, index=True)
    # 涉案金额 and 罚没款 (fines and confiscated illegal gains), in yuan.
    amount_involved_yuan: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    fines_yuan: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    penalty_decision_no: Mapped[str | None] = mapped_column(String(100))
    transferred: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    transferred_on: Mapped[date | None] = mapped_column(Date, index=True)
    transferred_organ: Mapped[str | None] = mapped_column(String(200))
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    party_enterprise: Mapped[Enterprise | None] = relationship()

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, TimestampMixin
from ipbureau.enterprises.enums import EntityKind
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
    address: Mapped[str | None] = mapped_column(String(500))
    industry_chain: Mapped[str | None] = mapped_column(String(32), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    established_on: Mapped[date | None] = mapped_column(Date)
    # Non-public: visible to staff and to the enterprise's own users only.
    employees: Mapped[int | None] = mapped_column(Integer)
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)


class EnterprisePublic(BaseModel):
    """What anyone signed in may see."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    credit_code: str
    name: str
    kind: EntityKind
    district_code: str | None
    industry_chain: str | None
    tags: list[str]
    dataset: Dataset


class EnterpriseDetail(EnterprisePublic):
    """Public fields plus the non-public ones, for staff and the enterprise itself."""

    address: str | None
    established_on: date | None
    employees: int | None
    contact_person: str | None
    contact_phone: str | None

"""Reference tables: Tianjin's districts, the IPC scheme and the districts staff assigned by hand."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, utcnow


class District(Base):
    """One of Tianjin's 16 districts (statistical division code, 2023 edition)."""

    __tablename__ = "district"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    # Resident population (persons), for per-10,000-people indicators; entered by staff.
    population: Mapped[int | None] = mapped_column(Integer)


class IpcCode(Base):
    """One entry of the International Patent Classification."""

    __tablename__ = "ipc_code"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(16), index=True)
    title_zh: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    # True when the code is in the current Chinese edition; False for codes known only
    # from the older English edition (e.g. H01L, reclassified into H10 since).
    current: Mapped[bool] = mapped_column(default=True)


class DistrictAssignment(Base):
    """A district staff assigned by hand to a record whose address attributes none. Keyed by the record's import key
    (application number, credit code) rather than its row id, so that a re-import keeps it (rule ``manual``)."""

    __tablename__ = "district_assignment"
    __table_args__ = (UniqueConstraint("kind", "record_key", name="uq_district_assignment_record"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "patent" | "enterprise"
    record_key: Mapped[str] = mapped_column(String(64))
    district_code: Mapped[str] = mapped_column(ForeignKey("district.code"))
    assigned_by: Mapped[str | None] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

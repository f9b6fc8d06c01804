"""Reference tables: Tianjin's districts and the IPC scheme."""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base


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

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, TimestampMixin
from ipbureau.enums import Dataset
from ipbureau.trademarks.enums import TrademarkStatus


class Trademark(TimestampMixin, Base):
    __tablename__ = "trademark"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_no: Mapped[str] = mapped_column(String(20), unique=True)
    mark_name: Mapped[str] = mapped_column(String(200), index=True)
    # Nice classes 1-45; the first is the one the statistics count the mark under.
    nice_classes: Mapped[list[int]] = mapped_column(JSON, default=list)
    primary_class: Mapped[int] = mapped_column(Integer, index=True)
    applicant_name: Mapped[str] = mapped_column(String(200), index=True)
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    filing_date: Mapped[date] = mapped_column(Date, index=True)
    registration_date: Mapped[date | None] = mapped_column(Date, index=True)
    expiry_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[TrademarkStatus] = mapped_column(String(16), index=True)
    is_geographical_indication: Mapped[bool] = mapped_column(default=False)
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)
    source: Mapped[str | None] = mapped_column(String(255))
    record_hash: Mapped[str] = mapped_column(String(64))


# ---- the Nice classification (reference data, see data/SOURCES.md) ---------------------------------------------


class NiceClass(Base):
    """A class of the Nice classification (1–45) with its Chinese heading (CNIPA 《类似商品和服务区分表》)."""

    __tablename__ = "nice_class"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    heading: Mapped[str] = mapped_column(String(600))
    edition: Mapped[str] = mapped_column(String(40))


class NiceGroup(Base):
    """A group of similar goods or services (类似群, four digits: class and group)."""

    __tablename__ = "nice_group"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    class_number: Mapped[int] = mapped_column(ForeignKey("nice_class.number"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class NiceItem(Base):
    """A goods or services item of a group. The source lists one item code under several groups and sometimes
    with two wordings in one group (010093 一氧化氮 / 一氧化二氮), so rows have their own id."""

    __tablename__ = "nice_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_code: Mapped[str] = mapped_column(ForeignKey("nice_group.code"), index=True)
    item_code: Mapped[str] = mapped_column(String(8), index=True)
    class_number: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(100))

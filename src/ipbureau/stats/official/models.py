"""One published figure per row, exactly as published: the indicator's title and scope are never merged across
definitions (``国内职务发明创造专利申请授权量`` stays apart from ``授权专利``), and every row keeps its source."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, TimestampMixin


class OfficialStatistic(TimestampMixin, Base):
    __tablename__ = "official_statistic"
    __table_args__ = (
        # The same figure may be published on two pages (both kept), but one page gives one figure per
        # indicator, scope, region and period: that is what a re-import updates instead of duplicating.
        UniqueConstraint("region_code", "period", "indicator", "scope", "source_url", name="uq_official_statistic_key"),
        Index("ix_official_statistic_indicator_year", "indicator", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(16))
    # GB/T 2260 two digits (12 天津, 00 全国, 71/81/82 台湾/香港/澳门).
    region_code: Mapped[str] = mapped_column(String(2), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # ``YYYY`` (annual or year-end) or ``YYYY-MM`` (monthly cumulative flow or month-end stock).
    period: Mapped[str] = mapped_column(String(7))
    indicator: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(16))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    source_url: Mapped[str] = mapped_column(String(500))
    note: Mapped[str] = mapped_column(Text, default="")
    # Who changed the row last (None: loaded from the packaged reference file or an import by the CLI).
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    updated_by_name: Mapped[str | None] = mapped_column(String(64))

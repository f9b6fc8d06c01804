"""Patent navigation tables: staff edits of the industry-chain definitions, and delivered
navigation projects (the records behind the indicator ``navigation_chains_served``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, TimestampMixin
from ipbureau.enums import Dataset
from ipbureau.patents.models import Patent


class ChainOverride(TimestampMixin, Base):
    """A staff edit of one of the 12 chains; overrides the shipped YAML definition of ``code``
    (deleting the row reverts to the YAML). ``revision`` grows with every save."""

    __tablename__ = "navigation_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    ipc_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # [{"name": ..., "ipc": [...], "keywords": [...]}, ...]
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class NavigationProject(TimestampMixin, Base):
    """A delivered patent navigation report or service (专利导航项目) for one chain."""

    __tablename__ = "navigation_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_code: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(300))
    # The year of the data the report covers up to (报告年度).
    year: Mapped[int] = mapped_column(Integer)
    # Who it was delivered to: an enterprise, an industrial park or base (服务对象/产业基地).
    client: Mapped[str] = mapped_column(String(200))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    published_on: Mapped[date] = mapped_column(Date, index=True)
    note: Mapped[str | None] = mapped_column(Text)
    # Key figures of the report as delivered (the live report changes as patents are imported).
    figures: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


# Indexes on the patent table that the navigation report needs (migration 0010): declared here,
# next to their only user, so that the patent module stays as it is. Both cover their queries
# (the report never reads the wide patent rows for dataset-wide figures):
# * the dataset's filings by year, Tianjin and district (trends, district totals, default years);
# * the dataset's data stamp (COUNT, MAX(id), MAX(updated_at)) that keys the report cache.
_PATENT_T = Patent.__table__
Index("ix_patent_dataset_filing_province_district", _PATENT_T.c.dataset, _PATENT_T.c.filing_date,
      _PATENT_T.c.province_code, _PATENT_T.c.district_code)
Index("ix_patent_dataset_updated", _PATENT_T.c.dataset, _PATENT_T.c.updated_at)

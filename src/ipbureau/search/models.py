from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, utcnow

# The query schema's former home: the statistics and navigation tests still import it from here.
from ipbureau.search.schemas import PatentQuery, SearchHit, SearchPage  # noqa: F401


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

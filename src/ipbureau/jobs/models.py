from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ipbureau.database.core import Base, utcnow


class BackgroundJob(Base):
    """One background job, durable: queued -> running -> succeeded | failed, with who started it, what it works
    on, its counts and the reason of a failure. While it runs, its progress is in a file (``jobs.progress``):
    an import's transaction holds SQLite's one write lock until it ends, so progress cannot be committed beside
    it. The row holds the final counts once the job has ended."""

    __tablename__ = "background_job"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex: the job's address in URLs
    # What runs: "import.patent", "import.enterprise", "import.trademark", "screening".
    kind: Mapped[str] = mapped_column(String(32), index=True)
    subject: Mapped[str] = mapped_column(String(255), default="")  # the file imported, the range screened
    dataset: Mapped[str] = mapped_column(String(8), default="real")
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)  # queued|running|succeeded|failed
    stage: Mapped[str] = mapped_column(String(100), default="")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(1000), default="")
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The record the job produced (an import batch, a screening run): a different table per kind, so no key.
    result_id: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # host:pid of the process running it: start-up recovery fails only the jobs of processes that are gone.
    worker: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

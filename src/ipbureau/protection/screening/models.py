"""Tables of the screening: runs, the flags each application carries, and the review queue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin, VersionedMixin
from ipbureau.patents.models import Patent
from ipbureau.protection.screening.enums import CaseStatus, Handling, RunState, Sign


class ScreeningRun(TimestampMixin, Base):
    """One screening over a filing-date range of one dataset (the durable record of a background job)."""

    __tablename__ = "screening_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset: Mapped[str] = mapped_column(String(8), default="real")
    filed_from: Mapped[date | None] = mapped_column(Date)
    filed_to: Mapped[date | None] = mapped_column(Date)
    state: Mapped[RunState] = mapped_column(String(16), default=RunState.RUNNING)
    applications: Mapped[int] = mapped_column(Integer, default=0)
    flagged: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    # Thresholds and weights in force, so a past run can be explained.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    message: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    started_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))


class ScreeningFlag(Base):
    """One sign seen on one application, with its reason and evidence (replaced by each run that covers it)."""

    __tablename__ = "screening_flag"
    __table_args__ = (UniqueConstraint("patent_id", "sign", name="uq_screening_flag_patent_id_sign"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id", ondelete="CASCADE"), index=True)
    sign: Mapped[Sign] = mapped_column(String(24), index=True)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("screening_run.id", ondelete="SET NULL"), index=True)

    patent: Mapped[Patent] = relationship()


class ScreeningCase(VersionedMixin, TimestampMixin, Base):
    """An application on the review queue (total score at or above the threshold) and its review."""

    __tablename__ = "screening_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id", ondelete="CASCADE"), unique=True)
    total_score: Mapped[float] = mapped_column(Float, index=True)
    # Sign values joined by "," (filterable with LIKE; the flags hold the details).
    signs: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[CaseStatus] = mapped_column(String(16), index=True, default=CaseStatus.PENDING)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    handling: Mapped[Handling | None] = mapped_column(String(16))
    handling_note: Mapped[str | None] = mapped_column(Text)
    # The day the handling completed (撤回/驳回/整改): the date of abnormal_applications_handled.
    handled_on: Mapped[date | None] = mapped_column(Date, index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("screening_run.id", ondelete="SET NULL"), index=True)

    patent: Mapped[Patent] = relationship()


from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin, utcnow
from ipbureau.workplan.enums import Aggregation, Comparison


class WorkPlan(TimestampMixin, Base):
    """One year's 工作要点 as issued by the bureau."""

    __tablename__ = "work_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(200))
    source_document: Mapped[str | None] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(500))
    issued_on: Mapped[date | None] = mapped_column(Date)

    points: Mapped[list[WorkPoint]] = relationship(back_populates="plan", order_by="WorkPoint.number")


class WorkPoint(TimestampMixin, Base):
    """A numbered work point, e.g. （十四）搭建知识产权展示交易平台."""

    __tablename__ = "work_point"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("work_plan.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(16))  # （十四）
    heading: Mapped[str | None] = mapped_column(String(200))  # 六、实施知识产权转化促进计划
    title: Mapped[str] = mapped_column(String(200))  # the bold lead sentence
    # The rest of the paragraph, verbatim: label + title + "。" + text is the published paragraph.
    text: Mapped[str] = mapped_column(Text, default="")
    # The plan assigns no department per point; staff fill it in.
    responsible_department: Mapped[str | None] = mapped_column(String(200))

    plan: Mapped[WorkPlan] = relationship(back_populates="points")
    targets: Mapped[list[WorkTarget]] = relationship(back_populates="point", order_by="WorkTarget.position")


class WorkTarget(TimestampMixin, Base):
    """A quantitative target of a work point, e.g. 专利展示、交易、开放许可数量达到1000件."""

    __tablename__ = "work_target"
    __table_args__ = (UniqueConstraint("point_id", "description"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("work_point.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)  # order within the point, as the text names them
    description: Mapped[str] = mapped_column(String(200))
    target_value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    comparison: Mapped[Comparison] = mapped_column(String(16), default=Comparison.REACH)
    aggregation: Mapped[Aggregation] = mapped_column(String(16), default=Aggregation.CUMULATIVE)
    deadline: Mapped[date] = mapped_column(Date)
    # Code of an ipbureau.stats indicator that counts this target; None: progress is entered by hand.
    indicator_code: Mapped[str | None] = mapped_column(String(64))
    # The words of the point's text the target was read from (transcription check).
    source_phrase: Mapped[str | None] = mapped_column(String(300))

    point: Mapped[WorkPoint] = relationship(back_populates="targets")
    entries: Mapped[list[ProgressEntry]] = relationship(
        back_populates="target", order_by=lambda: (ProgressEntry.recorded_on, ProgressEntry.id))


class ProgressEntry(Base):
    """A value staff reported for a target on a date, with its evidence."""

    __tablename__ = "work_progress_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("work_target.id"), index=True)
    recorded_on: Mapped[date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(String(1000))  # a document name, file number or URL
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    target: Mapped[WorkTarget] = relationship(back_populates="entries")

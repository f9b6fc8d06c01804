"""企业服务的记录：服务队与走访、培训与活动（参训企业）、专利费用减缴备案。

Territory and dataset of a record are its enterprise's (a visit to a demo enterprise is a demo
record); a training, which may have no enterprise at all, carries its own ``dataset`` and the
organising district (None: organised by the city bureau).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services.enums import TrainingMode
from ipbureau.enums import Dataset


class ServiceTeam(TimestampMixin, Base):
    """A bureau service team (服务队) that visits enterprises one-to-one (“一对一”帮扶)."""

    __tablename__ = "service_team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    leader: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(100))
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)


class ServiceVisit(TimestampMixin, Base):
    """One visit of a team to an enterprise (深入企业走访): staff sent, problems raised and solved."""

    __tablename__ = "service_visit"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("service_team.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    visited_on: Mapped[date] = mapped_column(Date, index=True)
    # 服务人员人次: staff taking part in this visit.
    staff_count: Mapped[int] = mapped_column(Integer)
    problems_raised: Mapped[int] = mapped_column(Integer, default=0)
    problems_solved: Mapped[int] = mapped_column(Integer, default=0)
    # Non-public: the enterprise's needs and what was agreed.
    topics: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    team: Mapped[ServiceTeam] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class Training(TimestampMixin, Base):
    """A training or event (培训、宣讲、活动) with its participating enterprises."""

    __tablename__ = "service_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    organiser: Mapped[str] = mapped_column(String(200))
    mode: Mapped[TrainingMode] = mapped_column(String(16), default=TrainingMode.OFFLINE)
    # Organising district; None: the city bureau.
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    # 参训人次: everyone who took part, including people not from a recorded enterprise.
    total_participants: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    attendances: Mapped[list[TrainingAttendance]] = relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="TrainingAttendance.id")


class TrainingAttendance(Base):
    """An enterprise at a training, with how many of its people came."""

    __tablename__ = "service_training_attendance"
    __table_args__ = (UniqueConstraint("training_id", "enterprise_id", name="uq_service_training_attendance_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("service_training.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    headcount: Mapped[int] = mapped_column(Integer, default=1)

    training: Mapped[Training] = relationship(back_populates="attendances")
    enterprise: Mapped[Enterprise] = relationship()


class FeeReduction(TimestampMixin, Base):
    """专利费用减缴备案: an enterprise's fee reductions of one year (one row per enterprise and year)."""

    __tablename__ = "service_fee_reduction"
    __table_args__ = (UniqueConstraint("enterprise_id", "year", name="uq_service_fee_reduction_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # The day the record counts on in statistics: the filing day, else the year's last day (or today).
    recorded_on: Mapped[date] = mapped_column(Date, index=True)
    amount_yuan: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    patents_count: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    enterprise: Mapped[Enterprise] = relationship()

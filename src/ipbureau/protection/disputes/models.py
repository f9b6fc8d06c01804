"""Dispute cases (纠纷调解 / 行政裁决), their parties and mediation sessions, and the register of
technical investigators (技术调查官).

Parties may be natural persons, so every case carries its own ``dataset`` (default real) rather than
taking it from an enterprise.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin, VersionedMixin, utcnow
from ipbureau.enums import Dataset
from ipbureau.protection.disputes.enums import DisputeKind, DisputeStatus, HandlingOrg, IpType, PartySide

Money = Numeric(16, 2)


class Investigator(TimestampMixin, Base):
    """A technical investigator (技术调查官) who may assist patent adjudication in his technical fields."""

    __tablename__ = "dispute_investigator"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    organisation: Mapped[str] = mapped_column(String(200))
    # IPC prefixes of the fields he may assist in ("G06F", "H04", "A61K").
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Declared affiliations and relations (former employers, relatives' companies, shareholdings):
    # organisation names, credit codes or persons' names, checked against every case's parties.
    affiliations: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)


class DisputeCase(VersionedMixin, TimestampMixin, Base):
    __tablename__ = "dispute_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[DisputeKind] = mapped_column(String(16), index=True)
    ip_type: Mapped[IpType] = mapped_column(String(16), index=True)
    status: Mapped[DisputeStatus] = mapped_column(String(16), index=True, default=DisputeStatus.RECEIVED)
    # Patent / trademark numbers involved, as typed (one or several).
    ip_numbers: Mapped[str | None] = mapped_column(String(500))
    # Technical field (IPC) of the patent in suit: chooses the technical investigator.
    ipc: Mapped[str | None] = mapped_column(String(16))
    claim: Mapped[str] = mapped_column(Text)
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    handling_org: Mapped[HandlingOrg] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date, index=True)
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    # Mediation
    outcome: Mapped[str | None] = mapped_column(String(16))
    agreement_amount_yuan: Mapped[Decimal | None] = mapped_column(Money)
    confirmation_court: Mapped[str | None] = mapped_column(String(200))
    confirmation_on: Mapped[date | None] = mapped_column(Date)
    confirmation_ruling_no: Mapped[str | None] = mapped_column(String(100))
    # Adjudication
    accepted_on: Mapped[date | None] = mapped_column(Date)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    investigator_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_investigator.id"), index=True)
    hearing_on: Mapped[date | None] = mapped_column(Date)
    hearing_notes: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    decision_no: Mapped[str | None] = mapped_column(String(100))
    # Both: the day the case ended (agreement, failure, withdrawal, decision); counts in the statistics.
    concluded_on: Mapped[date | None] = mapped_column(Date, index=True)
    dataset: Mapped[Dataset] = mapped_column(String(8), index=True, default=Dataset.REAL)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    parties: Mapped[list[DisputeParty]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                       order_by="DisputeParty.id")
    sessions: Mapped[list[MediationSession]] = relationship(back_populates="case", cascade="all, delete-orphan",
                                                            order_by="MediationSession.held_on")
    investigator: Mapped[Investigator | None] = relationship()


class DisputeParty(Base):
    """A requester or respondent: an enterprise record, or a named organisation or person."""

    __tablename__ = "dispute_party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id", ondelete="CASCADE"), index=True)
    side: Mapped[PartySide] = mapped_column(String(16))
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Organisations only (统一社会信用代码); None for a natural person.
    credit_code: Mapped[str | None] = mapped_column(String(18), index=True)
    is_person: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[DisputeCase] = relationship(back_populates="parties")


class MediationSession(Base):
    __tablename__ = "dispute_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("dispute_case.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[str] = mapped_column(String(500))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    case: Mapped[DisputeCase] = relationship(back_populates="sessions")

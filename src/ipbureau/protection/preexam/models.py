"""Pre-examination (专利预审) tables: protection centres, enterprise filings, key enterprises (green channel),
examiners' fields, cases and their documents."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.auth.models import User
from ipbureau.database.core import Base, TimestampMixin, VersionedMixin
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import Patent
from ipbureau.protection.preexam.enums import CaseStatus, Decision, FilingStatus


class Centre(TimestampMixin, Base):
    """A protection centre (知识产权保护中心) that pre-examines applications in its declared technical fields."""

    __tablename__ = "preexam_centre"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str] = mapped_column(String(32))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"))
    # Industry-chain codes (navigation/data/industry_chains.yaml); their IPC prefixes are the centre's fields.
    chains: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Further IPC prefixes served beyond the chains'.
    ipc_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Calendar days from receipt to the qualification decision.
    deadline_days: Mapped[int] = mapped_column(Integer, default=7)
    green_deadline_days: Mapped[int] = mapped_column(Integer, default=3)


class Filing(TimestampMixin, Base):
    """An enterprise's filing (备案) with one centre; one row per (centre, enterprise), re-applied in place."""

    __tablename__ = "preexam_filing"
    __table_args__ = (UniqueConstraint("centre_id", "enterprise_id", name="uq_preexam_filing_centre_enterprise"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("preexam_centre.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[FilingStatus] = mapped_column(String(16), index=True, default=FilingStatus.PENDING)
    # IPC prefixes the enterprise declares as its technical fields (besides its industry chain).
    ipc_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    centre: Mapped[Centre] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class KeyEnterprise(TimestampMixin, Base):
    """An enterprise on the key-enterprise list (重点企业): its cases take the green channel."""

    __tablename__ = "preexam_key_enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(String(200))
    added_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    enterprise: Mapped[Enterprise] = relationship()


class Examiner(TimestampMixin, Base):
    """An examiner's place and fields: the centre they work for and the IPC prefixes they examine."""

    __tablename__ = "preexam_examiner"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("preexam_centre.id"), index=True)
    ipc_prefixes: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    user: Mapped[User] = relationship()
    centre: Mapped[Centre] = relationship()


class Case(VersionedMixin, TimestampMixin, Base):
    """A pre-examination case (预审案件) of a filed enterprise, from receipt to CNIPA's outcome."""

    __tablename__ = "preexam_case"
    __table_args__ = (Index("ix_preexam_case_centre_status", "centre_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    centre_id: Mapped[int] = mapped_column(ForeignKey("preexam_centre.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    filing_id: Mapped[int] = mapped_column(ForeignKey("preexam_filing.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    patent_type: Mapped[PatentType] = mapped_column(String(16))
    ipc_main: Mapped[str] = mapped_column(String(16), index=True)
    # The first industry chain covering ipc_main (None when no chain does); kept for statistics by field.
    chain_code: Mapped[str | None] = mapped_column(String(32), index=True)
    abstract: Mapped[str | None] = mapped_column(Text)
    applicant: Mapped[str] = mapped_column(String(200))
    status: Mapped[CaseStatus] = mapped_column(String(16), index=True, default=CaseStatus.RECEIVED)
    green_channel: Mapped[bool] = mapped_column(Boolean, default=False)
    examiner_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    decision: Mapped[Decision | None] = mapped_column(String(16), index=True)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    cnipa_application_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    cnipa_submitted_on: Mapped[date | None] = mapped_column(Date)
    granted_on: Mapped[date | None] = mapped_column(Date, index=True)
    patent_id: Mapped[int | None] = mapped_column(ForeignKey("patent.id"), index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    centre: Mapped[Centre] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    filing: Mapped[Filing] = relationship()
    examiner: Mapped[User | None] = relationship(foreign_keys=[examiner_id])
    patent: Mapped[Patent | None] = relationship()
    documents: Mapped[list[Document]] = relationship(back_populates="case", order_by="Document.id",
                                                     cascade="all, delete-orphan")


class Document(Base):
    """A file of a case (说明书、权利要求书、附图…), stored under the data dir, named by its id."""

    __tablename__ = "preexam_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("preexam_case.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Relative to the data dir.
    stored_path: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    case: Mapped[Case] = relationship(back_populates="documents")

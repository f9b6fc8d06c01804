from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin
from ipbureau.enums import Dataset
from ipbureau.patents.enums import LegalStatus, PatentType


class Patent(TimestampMixin, Base):
    """A Chinese patent application or patent, keyed by its application number."""

    __tablename__ = "patent"
    __table_args__ = (
        Index("ix_patent_dataset_type_grant", "dataset", "patent_type", "grant_date"),
        Index("ix_patent_dataset_district", "dataset", "district_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Normalised "CN" + 12 (or 8) digits + "." + check character, e.g. CN202223220665.2.
    application_no: Mapped[str] = mapped_column(String(20), unique=True)
    publication_no: Mapped[str | None] = mapped_column(String(20), index=True)
    grant_no: Mapped[str | None] = mapped_column(String(20))
    patent_type: Mapped[PatentType] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(500))
    abstract: Mapped[str | None] = mapped_column(Text)
    claims: Mapped[str | None] = mapped_column(Text)
    ipc_main: Mapped[str | None] = mapped_column(String(16), index=True)
    inventors: Mapped[list[str]] = mapped_column(JSON, default=list)
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    postcode: Mapped[str | None] = mapped_column(String(6))
    province_code: Mapped[str | None] = mapped_column(String(2), index=True)
    city_code: Mapped[str | None] = mapped_column(String(4))
    district_code: Mapped[str | None] = mapped_column(ForeignKey("district.code"), index=True)
    # The rule that attributed the district (address:district:…, address:zone:…, credit_code, manual …; see
    # ipbureau.reference.attribution), shown on the record so that staff can check it.
    district_rule: Mapped[str | None] = mapped_column(String(64))
    filing_date: Mapped[date | None] = mapped_column(Date, index=True)
    publication_date: Mapped[date | None] = mapped_column(Date)
    grant_date: Mapped[date | None] = mapped_column(Date, index=True)
    # Date the right ended (expiry, non-payment, invalidation): needed for "valid at year end".
    lapse_date: Mapped[date | None] = mapped_column(Date)
    legal_status: Mapped[LegalStatus] = mapped_column(String(16), index=True, default=LegalStatus.UNKNOWN)
    legal_status_raw: Mapped[str | None] = mapped_column(String(100))
    citation_count: Mapped[int] = mapped_column(Integer, default=0)
    family_size: Mapped[int | None] = mapped_column(Integer)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)
    license_count: Mapped[int] = mapped_column(Integer, default=0)
    pledge_count: Mapped[int] = mapped_column(Integer, default=0)
    agency: Mapped[str | None] = mapped_column(String(200), index=True)
    agent: Mapped[str | None] = mapped_column(String(200))
    # No index of its own: every index that starts with dataset (ix_patent_dataset_*) serves a filter on it.
    dataset: Mapped[Dataset] = mapped_column(String(8), default=Dataset.REAL)
    source: Mapped[str | None] = mapped_column(String(255))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batch.id"), index=True)
    # SHA-256 of the normalised record: re-importing an unchanged row is a no-op.
    record_hash: Mapped[str] = mapped_column(String(64))

    applicants: Mapped[list[PatentApplicant]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentApplicant.position"
    )
    ipc_codes: Mapped[list[PatentIpc]] = relationship(
        back_populates="patent", cascade="all, delete-orphan", order_by="PatentIpc.position"
    )

    @property
    def applicant_names(self) -> list[str]:
        return [a.name for a in self.applicants]

    @property
    def ipc_list(self) -> list[str]:
        return [i.code for i in self.ipc_codes]


class PatentApplicant(Base):
    __tablename__ = "patent_applicant"

    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id"), index=True)

    patent: Mapped[Patent] = relationship(back_populates="applicants")


class PatentIpc(Base):
    __tablename__ = "patent_ipc"

    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), index=True)
    # The subclass, for the commonest breakdown without string functions in SQL.
    subclass: Mapped[str] = mapped_column(String(4), index=True)

    patent: Mapped[Patent] = relationship(back_populates="ipc_codes")

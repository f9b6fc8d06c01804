from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ipbureau.database.core import Base, TimestampMixin, VersionedMixin
from ipbureau.enterprises.models import Enterprise
from ipbureau.market.enums import (
    DealStatus,
    DemandStatus,
    FeeBasis,
    LicenceStatus,
    LicenceType,
    ListingKind,
    ListingStatus,
    OpenLicenceStatus,
    PledgeStatus,
    PushKind,
)
from ipbureau.notices.models import Notice  # noqa: F401  (market_push.notice_id)
from ipbureau.patents.models import Patent

# Amounts in yuan with fen; percentages of sales fit the same column.
Money = Numeric(16, 2)

listing_patent = Table(
    "market_listing_patent", Base.metadata,
    Column("listing_id", ForeignKey("market_listing.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patent.id"), primary_key=True, index=True),
)

pledge_patent = Table(
    "market_pledge_patent", Base.metadata,
    Column("pledge_id", ForeignKey("market_pledge.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patent.id"), primary_key=True, index=True),
)


class Listing(VersionedMixin, TimestampMixin, Base):
    """A holder's offer (挂牌) of one or more of its patents for transfer, licence or pledge financing."""

    __tablename__ = "market_listing"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    kind: Mapped[ListingKind] = mapped_column(String(16), index=True)
    status: Mapped[ListingStatus] = mapped_column(String(16), index=True, default=ListingStatus.DRAFT)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # None with price_negotiable: 面议.
    price_yuan: Mapped[Decimal | None] = mapped_column(Money)
    price_negotiable: Mapped[bool] = mapped_column(Boolean, default=False)
    licence_type: Mapped[LicenceType | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(200))
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    reject_reason: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # First publication: the listing counts as shown (展示) from then on, whatever happens later.
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    holder: Mapped[Enterprise] = relationship(foreign_keys=[holder_enterprise_id])
    patents: Mapped[list[Patent]] = relationship(secondary=listing_patent, order_by=Patent.application_no)


class OpenLicence(TimestampMixin, Base):
    """An open-licence declaration (专利开放许可声明, 专利法第五十至五十二条) for one patent."""

    __tablename__ = "market_open_licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id"), index=True)
    holder_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[OpenLicenceStatus] = mapped_column(String(16), index=True, default=OpenLicenceStatus.PUBLISHED)
    fee_amount: Mapped[Decimal] = mapped_column(Money)
    fee_basis: Mapped[FeeBasis] = mapped_column(String(16))
    payment_method: Mapped[str] = mapped_column(String(200))
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    patent: Mapped[Patent] = relationship()
    holder: Mapped[Enterprise] = relationship(foreign_keys=[holder_enterprise_id])


class Deal(VersionedMixin, TimestampMixin, Base):
    """A transaction (交易) between a holder and a counterparty, from intention to completion."""

    __tablename__ = "market_deal"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ListingKind] = mapped_column(String(16), index=True)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("market_listing.id"), index=True)
    open_licence_id: Mapped[int | None] = mapped_column(ForeignKey("market_open_licence.id"), index=True)
    holder_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    counterparty_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[DealStatus] = mapped_column(String(16), index=True, default=DealStatus.INTENTION)
    licence_type: Mapped[LicenceType | None] = mapped_column(String(16))
    free_licence: Mapped[bool] = mapped_column(Boolean, default=False)
    # Non-public: the parties and staff only.
    amount_yuan: Mapped[Decimal | None] = mapped_column(Money)
    contract_no: Mapped[str | None] = mapped_column(String(100))
    signed_on: Mapped[date | None] = mapped_column(Date)
    filing_no: Mapped[str | None] = mapped_column(String(100))
    filed_on: Mapped[date | None] = mapped_column(Date)
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    listing: Mapped[Listing | None] = relationship()
    open_licence: Mapped[OpenLicence | None] = relationship()
    holder: Mapped[Enterprise] = relationship(foreign_keys=[holder_enterprise_id])
    counterparty: Mapped[Enterprise] = relationship(foreign_keys=[counterparty_enterprise_id])


class Licence(TimestampMixin, Base):
    """A licence in force or past on one patent: from a completed licence deal or an accepted open licence."""

    __tablename__ = "market_licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id"), index=True)
    licensor_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    licensee_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    licence_type: Mapped[LicenceType] = mapped_column(String(16), index=True)
    fee_amount: Mapped[Decimal | None] = mapped_column(Money)
    fee_basis: Mapped[FeeBasis | None] = mapped_column(String(16))
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    deal_id: Mapped[int | None] = mapped_column(ForeignKey("market_deal.id"), index=True)
    open_licence_id: Mapped[int | None] = mapped_column(ForeignKey("market_open_licence.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    patent: Mapped[Patent] = relationship()
    licensor: Mapped[Enterprise] = relationship(foreign_keys=[licensor_enterprise_id])
    licensee: Mapped[Enterprise] = relationship(foreign_keys=[licensee_enterprise_id])

    def in_force(self, today: date) -> bool:
        return self.term_start <= today and (self.term_end is None or self.term_end >= today)

    @property
    def filing_status(self) -> LicenceStatus | None:
        """None until the licence is stored, then filed (the state market.workflows.LICENCE steps from)."""
        return None if self.id is None else LicenceStatus.FILED


class Pledge(TimestampMixin, Base):
    """A registered patent pledge (专利权质押登记) securing a bank loan."""

    __tablename__ = "market_pledge"

    id: Mapped[int] = mapped_column(primary_key=True)
    holder_enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    pledgee_bank: Mapped[str] = mapped_column(String(200))
    amount_yuan: Mapped[Decimal] = mapped_column(Money)
    registration_no: Mapped[str | None] = mapped_column(String(100))
    registered_on: Mapped[date] = mapped_column(Date, index=True)
    term_start: Mapped[date | None] = mapped_column(Date)
    term_end: Mapped[date | None] = mapped_column(Date)
    listing_id: Mapped[int | None] = mapped_column(ForeignKey("market_listing.id"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    holder: Mapped[Enterprise] = relationship(foreign_keys=[holder_enterprise_id])
    patents: Mapped[list[Patent]] = relationship(secondary=pledge_patent, order_by=Patent.application_no)

    @property
    def registration_status(self) -> PledgeStatus | None:
        """None until the pledge is stored, then registered (the state market.workflows.PLEDGE steps from)."""
        return None if self.id is None else PledgeStatus.REGISTERED


push_patent = Table(
    "market_push_patent", Base.metadata,
    Column("push_id", ForeignKey("market_push.id", ondelete="CASCADE"), primary_key=True),
    Column("patent_id", ForeignKey("patent.id"), primary_key=True, index=True),
)


class Demand(TimestampMixin, Base):
    """A technology need (技术需求) an enterprise posts in free text, to be matched with patents on offer."""

    __tablename__ = "market_demand"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    status: Mapped[DemandStatus] = mapped_column(String(16), index=True, default=DemandStatus.OPEN)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    # An industry chain code (ipbureau.navigation.chains), e.g. "ic01"; None: not stated.
    industry_chain: Mapped[str | None] = mapped_column(String(32), index=True)
    budget_yuan: Mapped[Decimal | None] = mapped_column(Money)
    region: Mapped[str | None] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(64))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    # When the need was posted: the date the indicator market_demands_posted counts it on.
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))

    enterprise: Mapped[Enterprise] = relationship(foreign_keys=[enterprise_id])


class Push(Base):
    """One push (推送) of matched patents to one enterprise, by a staff member: the record behind
    the indicator 企业匹配推送数 (market_smes_pushed)."""

    __tablename__ = "market_push"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PushKind] = mapped_column(String(16), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id"), index=True)
    demand_id: Mapped[int | None] = mapped_column(ForeignKey("market_demand.id"), index=True)
    # For a patent push: the listed patent recommended (also in patents).
    source_patent_id: Mapped[int | None] = mapped_column(ForeignKey("patent.id"), index=True)
    pushed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    pushed_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notice.id"))
    email_to: Mapped[str | None] = mapped_column(String(200))

    enterprise: Mapped[Enterprise] = relationship(foreign_keys=[enterprise_id])
    demand: Mapped[Demand | None] = relationship()
    patents: Mapped[list[Patent]] = relationship(secondary=push_patent, order_by=Patent.application_no)


class StoredVector:
    """A sentence vector for matching (market.embeddings): float32 bytes, the encoder that made it and the hash of
    the text it was computed from (a vector of another model or text is not used, and is recomputed)."""

    # The encoder that made the vector (ranking.encoders name): indexed, to find the vectors of an older model.
    model: Mapped[str] = mapped_column(String(32), index=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PatentEmbedding(StoredVector, Base):
    """A patent's passage vector, recomputed when the patent's title or abstract changes."""

    __tablename__ = "market_patent_embedding"

    patent_id: Mapped[int] = mapped_column(ForeignKey("patent.id", ondelete="CASCADE"), primary_key=True)


class DemandEmbedding(StoredVector, Base):
    """A demand's query vector, computed once after the demand is posted or edited, so that matching a stored
    demand never encodes text in a request."""

    __tablename__ = "market_demand_embedding"

    demand_id: Mapped[int] = mapped_column(ForeignKey("market_demand.id", ondelete="CASCADE"), primary_key=True)

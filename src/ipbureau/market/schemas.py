"""Request and response shapes of the marketplace: the JSON API and the page forms parse into the same schemas
(``core.forms.form_model``) and call the same service functions.

Numbers, dates and lengths are bounded here (core.fields): a price of -3, a year of 10^30 or a date of 2023-02-30 is
a 422 naming the field in Chinese, never a 500. Rules that need the database (a patent exists and is held by the
enterprise, an industry chain exists) or that read several fields together are the services' business.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
)

from ipbureau.core.fields import Day, Filters, Id, Money, ShortText, Year, register_labels
from ipbureau.core.forms import VersionSeen
from ipbureau.enums import Dataset
from ipbureau.market.enums import (
    DealStatus,
    DemandStatus,
    FeeBasis,
    LicenceType,
    ListingKind,
    ListingStatus,
    OpenLicenceStatus,
)

T = TypeVar("T")

# A sum in yuan, kept to the fen ("50000" is stored and shown as 50000.00).
Amount = Annotated[Money, AfterValidator(lambda value: value.quantize(Decimal("0.01")))]
Description = Annotated[str, Field(max_length=2000)]
Reference = Annotated[str, Field(max_length=100)]  # contract, filing and registration numbers
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _application_numbers(value: Any) -> list[str]:
    """Application numbers as a list; one text may give several (comma, 、, semicolon, space or newline)."""
    items = [value] if isinstance(value, str) else list(value or [])
    return [number for item in items for number in re.split(r"[,，、;；\s\u3000]+", str(item)) if number]


def _email(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError(f"“{value}”格式不正确")
    return value


PatentNumbers = Annotated[list[ShortText], BeforeValidator(_application_numbers), Field(max_length=100)]
Email = Annotated[str, Field(max_length=200), AfterValidator(_email)]


class Items(BaseModel, Generic[T]):
    items: list[T]


# ---- references to other records ----------------------------------------------------------------------------

class EnterpriseRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    district_code: str | None = None


class PatentRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    application_no: str
    title: str
    ipc_main: str | None = None


# ---- listings -----------------------------------------------------------------------------------------------

class ListingFilters(Filters):
    kind: ListingKind | None = None
    district: ShortText | None = None  # the holder's district code
    ipc: ShortText | None = None  # a code prefix: "G06F", "h01m50"
    price_min: Money | None = None
    price_max: Money | None = None
    keyword: ShortText | None = None  # in the listing's or a listed patent's title


class ListingUpdate(VersionSeen):
    """What a holder fills in (a draft or a rejected listing is edited with the same fields; an edit carries the
    version the holder saw, which a new listing ignores)."""

    kind: ListingKind
    patents: PatentNumbers
    title: ShortText | None = None
    description: Description | None = None
    price_yuan: Amount | None = None
    price_negotiable: bool = False  # 面议: then no price
    licence_type: LicenceType | None = None
    region: ShortText | None = None
    term_start: Day | None = None
    term_end: Day | None = None


class ListingCreate(ListingUpdate):
    holder_enterprise_id: Id | None = None  # city staff listing on an enterprise's behalf


class ReasonIn(VersionSeen):
    reason: Description | None = None


class ListingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ListingKind
    status: ListingStatus
    title: str
    description: str | None
    holder: EnterpriseRef
    patents: list[PatentRef]
    price_yuan: float | None
    price_negotiable: bool
    licence_type: LicenceType | None
    region: str | None
    term_start: date | None
    term_end: date | None
    reject_reason: str | None
    published_at: datetime | None
    version: int  # send it back with a change: a change to a listing changed meanwhile is refused (409)

    @computed_field
    def status_label(self) -> str:
        return self.status.label


class ListingPage(BaseModel):
    total: int
    items: list[ListingRead]


# ---- open licences ------------------------------------------------------------------------------------------

class OpenLicenceCreate(BaseModel):
    patent: PatentNumbers  # the application number of the one patent declared
    fee_amount: Amount  # yuan, or a percentage of sales
    fee_basis: FeeBasis
    payment_method: ShortText
    term_start: Day | None = None  # default: today
    term_end: Day | None = None  # none: until the patent lapses
    note: Description | None = None
    holder_enterprise_id: Id | None = None


class OpenLicenceAccept(BaseModel):
    licensee_enterprise_id: Id | None = None  # city staff accepting on an enterprise's behalf


class OpenLicenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: OpenLicenceStatus
    patent: PatentRef
    holder: EnterpriseRef
    fee_amount: float
    fee_basis: FeeBasis
    payment_method: str
    term_start: date
    term_end: date | None
    published_at: datetime

    @computed_field
    def free(self) -> bool:
        return self.fee_amount == 0


# ---- deals ----------------------------------------------------------------------------------------------------

class DealCreate(BaseModel):
    """An intention on a published listing or open licence (exactly one of the two)."""

    listing_id: Id | None = None
    open_licence_id: Id | None = None
    counterparty_enterprise_id: Id | None = None  # named by the holder's side; another enterprise is itself
    licence_type: LicenceType | None = None
    free_licence: bool = False
    note: Description | None = None


class DealStep(VersionSeen):
    """What a step of a deal records: signing (amount, contract, term), filing (number, date), cancelling."""

    amount_yuan: Amount | None = None
    contract_no: Reference | None = None
    signed_on: Day | None = None
    term_start: Day | None = None
    term_end: Day | None = None
    filing_no: Reference | None = None
    filed_on: Day | None = None
    reason: Description | None = None


class DealRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: ListingKind
    status: DealStatus
    listing_id: int | None
    open_licence_id: int | None
    holder: EnterpriseRef
    counterparty: EnterpriseRef
    licence_type: LicenceType | None
    free_licence: bool
    amount_yuan: float | None  # None for a reader the policy does not show amounts to
    contract_no: str | None
    signed_on: date | None
    filing_no: str | None
    filed_on: date | None
    term_start: date | None
    term_end: date | None
    cancel_reason: str | None
    version: int  # send it back with a step: a step on a deal changed meanwhile is refused (409)

    @computed_field
    def status_label(self) -> str:
        return self.status.label


# ---- licences and pledges --------------------------------------------------------------------------------------

class LicenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    patent_id: int
    licence_type: LicenceType
    licensor_enterprise_id: int
    licensee_enterprise_id: int
    fee_amount: float | None
    fee_basis: FeeBasis | None
    free: bool
    term_start: date
    term_end: date | None
    deal_id: int | None
    open_licence_id: int | None


class PledgeCreate(BaseModel):
    patents: PatentNumbers
    pledgee_bank: ShortText
    amount_yuan: Amount
    registered_on: Day
    registration_no: Reference | None = None
    term_start: Day | None = None
    term_end: Day | None = None
    holder_enterprise_id: Id | None = None


class PledgeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    holder_enterprise_id: int
    patents: list[str]  # application numbers
    pledgee_bank: str
    amount_yuan: float
    registration_no: str | None
    registered_on: date
    term_start: date | None
    term_end: date | None

    @field_validator("patents", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return [getattr(p, "application_no", p) for p in value]


# ---- demands, matches, pushes ---------------------------------------------------------------------------------

class DemandFilters(Filters):
    status: DemandStatus | None = None
    chain: ShortText | None = None  # an industry chain code


class DemandUpdate(BaseModel):
    description: Description  # in free text: what technology, used for what
    title: ShortText | None = None  # default: the description's opening
    industry_chain: ShortText | None = None
    budget_yuan: Amount | None = None
    region: ShortText | None = None
    contact_person: Annotated[str, Field(max_length=64)] | None = None
    contact_email: Email | None = None


class DemandCreate(DemandUpdate):
    enterprise_id: Id | None = None  # city staff posting on an enterprise's behalf


class DemandRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: DemandStatus
    title: str
    description: str
    industry_chain: str | None
    budget_yuan: float | None
    region: str | None
    contact_person: str | None
    contact_email: str | None
    enterprise: EnterpriseRef
    posted_at: datetime
    closed_at: datetime | None

    @computed_field
    def status_label(self) -> str:
        return self.status.label


class PushPatents(BaseModel):
    patent_ids: list[Id] = Field(default_factory=list)


class PushEnterprises(BaseModel):
    enterprise_ids: list[Id] = Field(default_factory=list)


class PushRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    patent_ids: list[int] = Field(validation_alias="patents")
    notice_id: int | None
    email_to: str | None
    pushed_at: datetime

    @field_validator("patent_ids", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        return [getattr(p, "id", p) for p in value]


class OfferedPatent(BaseModel):
    id: int
    application_no: str
    title: str
    ipc: list[str]


class MatchRead(BaseModel):
    """A patent on offer ranked for a demand, with what the score is made of."""

    patent: OfferedPatent
    holder: EnterpriseRef
    listing_id: int | None
    open_licence_id: int | None
    link: str
    score: float
    bm25: float
    cosine: float | None  # None: the patent or the demand has no stored vector yet (ranked by terms)
    shared_terms: list[str]
    same_ipc_groups: list[str]
    same_ipc_subclasses: list[str]
    same_chains: list[str]
    same_district: bool
    reasons: list[str]

    @classmethod
    def of(cls, match: Any) -> MatchRead:
        c = match.candidate
        return cls(patent=OfferedPatent(id=c.patent_id, application_no=c.application_no, title=c.title,
                                        ipc=list(c.ipc_codes)),
                   holder=EnterpriseRef(id=c.holder_id, name=c.holder_name, district_code=c.district_code),
                   listing_id=c.listing_id, open_licence_id=c.open_licence_id, link=c.link,
                   score=round(match.score, 4), bm25=round(match.bm25, 4), cosine=None if match.cosine is None else round(match.cosine, 4),
                   shared_terms=match.shared_terms, same_ipc_groups=match.same_groups,
                   same_ipc_subclasses=match.same_subclasses, same_chains=match.same_chains,
                   same_district=match.same_district, reasons=match.reasons)


class DemandMatches(BaseModel):
    demand_id: int
    items: list[MatchRead]


class MatchedEnterprise(EnterpriseRef):
    industry_chain: str | None = None


class EnterpriseMatchRead(BaseModel):
    """An enterprise that may need a patent (its demand, its profile), with what the score is made of."""

    enterprise: MatchedEnterprise
    demand_id: int | None
    score: float
    cosine: float | None
    shared_terms: list[str]
    shared_ipc: list[str]
    same_chain: str | None
    same_district: bool
    reasons: list[str]

    @classmethod
    def of(cls, match: Any) -> EnterpriseMatchRead:
        e = match.enterprise
        return cls(enterprise=MatchedEnterprise(id=e.id, name=e.name, district_code=e.district_code,
                                                industry_chain=e.industry_chain),
                   demand_id=match.demand.id if match.demand else None, score=round(match.score, 4),
                   cosine=None if match.cosine is None else round(match.cosine, 4), shared_terms=match.shared_terms,
                   shared_ipc=match.shared_ipc, same_chain=match.same_chain, same_district=match.same_district,
                   reasons=match.reasons)


class PatentMatches(BaseModel):
    patent_id: int
    items: list[EnterpriseMatchRead]


# ---- statistics ------------------------------------------------------------------------------------------------

class StatsQuery(Filters):
    year: Year | None = None  # default: this year
    dataset: Dataset | None = None  # default: real data when there are any, else the demo data


class MonthRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    month: int
    listed: int
    open_licences: int
    deals_done: int
    amount: float
    demands: int
    smes_pushed: int
    patents_cumulative: int


class DistrictRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    district_code: str | None
    name: str
    patents: int
    listed: int
    open_licences: int
    deals_done: int
    amount: float
    demands: int
    smes_pushed: int


class StatsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    dataset: str
    listed: int
    open_licences: int
    deals_done: int
    deals_amount: float
    free_licences: int
    pledges: int
    pledge_amount: float
    demands: int
    smes_pushed: int
    patents_counted: int
    target: int
    target_ratio: float
    yoy: dict[str, float | None]
    by_month: list[MonthRead]
    by_district: list[DistrictRead]

    @field_validator("target_ratio")
    @classmethod
    def _rounded(cls, value: float) -> float:
        return round(value, 4)


register_labels({
    "listing_id": "挂牌", "open_licence_id": "开放许可声明", "declaration_id": "开放许可声明", "deal_id": "交易",
    "demand_id": "技术需求", "patents": "专利", "patent": "专利",
    "price_yuan": "挂牌价格", "price_negotiable": "面议", "licence_type": "许可类型", "region": "地域",
    "term_start": "期限开始日期", "term_end": "期限结束日期", "description": "描述",
    "holder_enterprise_id": "专利权人企业", "licensee_enterprise_id": "被许可企业",
    "counterparty_enterprise_id": "交易对方", "free_licence": "免费许可",
    "fee_amount": "许可使用费", "fee_basis": "许可使用费计算方式", "payment_method": "支付方式",
    "contract_no": "合同编号", "signed_on": "签约日期", "filing_no": "备案号", "filed_on": "备案日期",
    "pledgee_bank": "质权人（银行）", "registration_no": "登记号", "registered_on": "登记日期",
    "industry_chain": "所属产业链", "budget_yuan": "预算", "contact_email": "联系邮箱",
    "patent_ids": "推送专利", "enterprise_ids": "推送企业",
    "price_min": "最低价格", "price_max": "最高价格", "ipc": "IPC 分类号",
}, __name__)

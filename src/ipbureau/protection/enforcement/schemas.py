"""Request and response shapes of enforcement cases, for the JSON API and the pages alike.

The category travels as text and is checked by the service (its message lists the categories by their Chinese
labels); so are the texts and dates a form must have. Amounts are core.fields.Money, typed with thousands
separators or not (see ``protection.fields``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, computed_field

from ipbureau.core.fields import Filters, Id, Year, register_labels
from ipbureau.protection.enforcement.enums import CaseCategory, CaseStatus
from ipbureau.protection.fields import MAX_TEXT, ActionInput, Amount, DateInput, Text

Line = Text()


# ---- input -----------------------------------------------------------------------------------------

class CaseIn(ActionInput):
    """A case as registered or corrected (the case number is given, or made, at registration only; the version the
    user saw matters to a correction only)."""

    case_category: Line = Field(None, alias="category")
    district_code: Text(12) = None
    enforcement_unit: Line = None
    party_name: Line = None
    party_credit_code: Text(32) = None
    party_is_person: bool = False
    party_enterprise_id: Id | None = None
    opened_on: DateInput = None
    case_no: Text(64) = None
    case_summary: Text(MAX_TEXT) = Field(None, alias="summary")
    # The form's names, and the API's (``amount_involved_yuan``, as the case reads back).
    amount_involved: Amount = Field(None, validation_alias=AliasChoices("amount_involved", "amount_involved_yuan"))
    fines: Amount = Field(None, validation_alias=AliasChoices("fines", "fines_yuan"))
    handler_id: Id | None = None


class CloseIn(ActionInput):
    case_closed_on: DateInput = Field(None, alias="closed_on")
    penalty_decision_no: Text(100) = None
    fines: Amount = None  # empty: as recorded
    amount_involved: Amount = None  # empty: as recorded


class TransferIn(ActionInput):
    transfer_organ: Line = Field(None, alias="organ")
    transferred_on: DateInput = None


class CaseFilters(Filters):
    """The list's filters (query parameters of the page and the API; a blank one is no filter)."""

    category: Line = None
    status: Line = None
    district: Text(12) = None
    year: Year | None = None  # the year the case was opened
    keyword: Line = None


# ---- output ----------------------------------------------------------------------------------------

class PartyRead(BaseModel):
    name: str
    credit_code: str | None
    is_person: bool
    enterprise_id: int | None


class CaseRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_no: str
    category: str
    status: str
    district_code: str
    enforcement_unit: str
    handler_id: int | None
    summary: str | None
    opened_on: date
    closed_on: date | None
    amount_involved_yuan: float
    fines_yuan: float
    penalty_decision_no: str | None
    transferred: bool
    transferred_on: date | None
    transferred_organ: str | None
    dataset: str
    version: int  # send it back with a change: a change to a case changed meanwhile is refused (409)
    party_name: str = Field(exclude=True)  # shown as ``party``
    party_credit_code: str | None = Field(None, exclude=True)
    party_is_person: bool = Field(False, exclude=True)
    party_enterprise_id: int | None = Field(None, exclude=True)

    @computed_field
    def category_label(self) -> str:
        return CaseCategory(self.category).label

    @computed_field
    def status_label(self) -> str:
        return CaseStatus(self.status).label

    @computed_field
    def party(self) -> PartyRead:
        return PartyRead(name=self.party_name, credit_code=self.party_credit_code, is_person=self.party_is_person,
                         enterprise_id=self.party_enterprise_id)


class CaseList(BaseModel):
    total: int
    items: list[CaseRead]


class FiguresRead(BaseModel):
    closed: int
    amount_involved_wan: float
    fines_wan: float
    transferred: int

    @classmethod
    def of(cls, figures: Any) -> dict[str, Any]:
        return {"closed": figures.closed, "amount_involved_wan": figures.amount_wan, "fines_wan": figures.fines_wan,
                "transferred": figures.transferred}


class CategoryFigures(FiguresRead):
    category: str
    label: str


class DistrictFigures(FiguresRead):
    district_code: str


class MonthFigures(FiguresRead):
    month: int


class StatsRead(BaseModel):
    """Closed cases, amounts (万元), fines (万元) and transfers of a year, in total and by category, district, month."""

    year: int
    dataset: str
    total: FiguresRead
    by_category: list[CategoryFigures]
    by_district: list[DistrictFigures]
    by_month: list[MonthFigures]

    @classmethod
    def of(cls, stats: Any) -> StatsRead:
        return cls(year=stats.year, dataset=stats.dataset, total=FiguresRead(**FiguresRead.of(stats.total)),
                   by_category=[CategoryFigures(category=c, label=CaseCategory(c).label, **FiguresRead.of(f))
                                for c, f in stats.by_category.items()],
                   by_district=[DistrictFigures(district_code=d, **FiguresRead.of(f))
                                for d, f in stats.by_district.items()],
                   by_month=[MonthFigures(month=m, **FiguresRead.of(f)) for m, f in stats.by_month.items()])


# Field names unique to this area (see protection.fields.FormSchema), as the messages name them.
LABELS = {
    "case_category": "案件类别", "enforcement_unit": "执法单位", "party_name": "当事人名称",
    "party_credit_code": "当事人统一社会信用代码", "party_is_person": "自然人", "party_enterprise_id": "当事人企业",
    "opened_on": "立案日期", "case_no": "案件编号", "case_summary": "案情摘要", "amount_involved": "涉案金额",
    "fines": "罚没款", "handler_id": "承办人", "case_closed_on": "结案日期", "penalty_decision_no": "处罚决定书文号",
    "transfer_organ": "接收移送的司法机关", "transferred_on": "移送日期", "case_id": "案件编号",
}
register_labels(LABELS, __name__)

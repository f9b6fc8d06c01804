"""Request and response shapes of dispute cases, for the JSON API and the pages alike.

Choices (kind, outcome, decision...) travel as text and are checked by the service, whose message lists the
choices by their Chinese labels; so are texts and dates a form must have, with the form's own label
("不予受理理由：不能为空"). Everything else is bounded here (see ``protection.fields``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, computed_field

from ipbureau.core.fields import Filters, Id, ShortText, register_labels
from ipbureau.protection.disputes import deadlines
from ipbureau.protection.disputes.enums import DisputeStatus
from ipbureau.protection.fields import MAX_TEXT, ActionInput, Amount, DateInput, FormSchema, Text

Line = Text()
Paragraph = Text(MAX_TEXT)


def _items(value: Any) -> Any:
    """A list typed in one box ("G06F, H04L" / "甲公司；乙") or sent as a JSON list."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [item.strip() for v in values for item in re.split(r"[,，、;；\n]+", str(v)) if item.strip()]


Items = Annotated[list[ShortText], BeforeValidator(_items), Field(max_length=100)]


# ---- input -----------------------------------------------------------------------------------------

class PartyIn(FormSchema):
    """A requester or respondent: an enterprise of the register (by id or credit code), an organisation with
    its credit code, or a natural person (``is_person``) by name."""

    party_side: Line = Field(None, alias="side")
    party_name: Line = Field(None, alias="name")
    party_credit_code: Text(32) = Field(None, alias="credit_code")
    party_is_person: bool = Field(False, alias="is_person")
    party_enterprise_id: Id | None = Field(None, alias="enterprise_id")


class CaseCreate(FormSchema):
    case_kind: Line = Field(None, alias="kind")
    ip_type: Line = None
    handling_org: Line = None
    district_code: Text(12) = None
    received_on: DateInput = None
    claim: Paragraph = None
    parties: list[PartyIn] = Field([], max_length=20)
    ip_numbers: Text(500) = None
    case_ipc: Text(32) = Field(None, alias="ipc")
    handler_id: Id | None = None


class AssignIn(ActionInput):
    handler_id: Id | None = None


class SessionIn(ActionInput):
    session_on: DateInput = Field(None, alias="held_on")
    session_participants: Text(500) = Field(None, alias="participants")
    session_notes: Paragraph = Field(None, alias="notes")


class ConcludeIn(ActionInput):
    mediation_outcome: Line = Field(None, alias="outcome")
    mediation_concluded_on: DateInput = Field(None, alias="concluded_on")
    agreement_amount: Amount = None


class ConfirmIn(ActionInput):
    confirmation_court: Line = Field(None, alias="court")
    confirmation_ruling_no: Text(100) = Field(None, alias="ruling_no")
    confirmation_on: DateInput = None


class AcceptIn(ActionInput):
    accepted_on: DateInput = None


class RejectIn(ActionInput):
    rejection_reason: Paragraph = Field(None, alias="reason")
    rejected_on: DateInput = Field(None, alias="concluded_on")


class InvestigatorChoice(ActionInput):
    investigator_id: Id | None = None


class HearingIn(ActionInput):
    hearing_on: DateInput = None
    hearing_notes: Paragraph = Field(None, alias="notes")


class DecideIn(ActionInput):
    adjudication_decision: Line = Field(None, alias="decision")
    decision_reasons: Paragraph = Field(None, alias="reasons")
    decision_no: Text(100) = None
    adjudicated_on: DateInput = Field(None, alias="concluded_on")
    without_investigator: bool = False  # the rare case decided without a technical opinion, on purpose


class WithdrawIn(ActionInput):
    withdrawn_on: DateInput = Field(None, alias="concluded_on")
    withdrawal_reasons: Paragraph = Field(None, alias="reasons")


class ExtendIn(ActionInput):
    extension_reason: Paragraph = Field(None, alias="reason")


# The input of each workflow action (see workflows.py).
ACTION_INPUTS: dict[str, type[BaseModel]] = {
    "assign": AssignIn, "session": SessionIn, "conclude": ConcludeIn, "confirm": ConfirmIn, "accept": AcceptIn,
    "reject": RejectIn, "investigator": InvestigatorChoice, "hearing": HearingIn, "decide": DecideIn,
    "withdraw": WithdrawIn, "extend": ExtendIn,
}


class InvestigatorCreate(FormSchema):
    investigator_name: Text(64) = Field(None, alias="name")
    investigator_organisation: Line = Field(None, alias="organisation")
    investigator_fields: Items = Field([], alias="fields")  # IPC prefixes
    affiliations: Items = []  # organisations, credit codes, persons' names


class CaseFilters(Filters):
    """The list's filters (query parameters of the page and the API; a blank one is no filter)."""

    kind: Line = None
    status: Line = None
    district: Text(12) = None
    deadline: Line = None  # overdue / due_soon
    keyword: Line = None


# ---- output ----------------------------------------------------------------------------------------

class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PartyRead(_Read):
    side: str
    name: str
    credit_code: str | None
    is_person: bool
    enterprise_id: int | None


class SessionRead(_Read):
    held_on: date
    participants: str
    notes: str | None


class InvestigatorRef(_Read):
    id: int
    name: str
    organisation: str


class ConfirmationRead(BaseModel):
    court: str | None
    date: date | None
    ruling_no: str


class CaseSummary(_Read):
    id: int
    case_no: str
    kind: str
    ip_type: str
    status: str
    district_code: str | None
    handling_org: str
    received_on: date
    deadline: date | None
    concluded_on: date | None
    handler_id: int | None
    dataset: str
    parties: list[PartyRead]

    @computed_field
    def status_label(self) -> str:
        return DisputeStatus(self.status).label

    @computed_field
    def deadline_state(self) -> str:
        return deadlines.deadline_state(self, date.today()).value


class CaseRead(CaseSummary):
    ip_numbers: str | None
    ipc: str | None
    claim: str
    extended: bool
    outcome: str | None
    agreement_amount_yuan: float | None
    confirmation_court: str | None = Field(None, exclude=True)  # shown as ``confirmation``
    confirmation_on: date | None = Field(None, exclude=True)
    confirmation_ruling_no: str | None = Field(None, exclude=True)
    sessions: list[SessionRead]
    accepted_on: date | None
    rejection_reason: str | None
    investigator: InvestigatorRef | None
    hearing_on: date | None
    hearing_notes: str | None
    decision: str | None
    decision_reasons: str | None
    decision_no: str | None
    version: int  # send it back with an action: an action on a case changed meanwhile is refused (409)

    @computed_field
    def confirmation(self) -> ConfirmationRead | None:
        if not self.confirmation_ruling_no:
            return None
        return ConfirmationRead(court=self.confirmation_court, date=self.confirmation_on,
                                ruling_no=self.confirmation_ruling_no)


class CaseList(BaseModel):
    total: int
    warnings: dict[str, int]
    items: list[CaseSummary]


class InvestigatorRead(_Read):
    id: int
    name: str
    organisation: str
    fields: list[str]
    affiliations: list[str]
    active: bool


class CandidateRead(InvestigatorRead):
    conflicts: list[str]  # declared affiliations that name a party: the investigator must stand aside

    @classmethod
    def of(cls, investigator: Any, conflicts: list[str]) -> CandidateRead:
        return cls.model_validate({**InvestigatorRead.model_validate(investigator).model_dump(),
                                   "conflicts": conflicts})


class InvestigatorList(BaseModel):
    items: list[InvestigatorRead]


class CandidateList(BaseModel):
    items: list[CandidateRead]


# Field names unique to this area (see protection.fields.FormSchema), as the messages name them.
LABELS = {
    "party_side": "当事人身份", "party_name": "当事人名称", "party_credit_code": "当事人统一社会信用代码",
    "party_is_person": "自然人", "party_enterprise_id": "当事人企业", "case_kind": "案件类型", "ip_type": "知识产权类型",
    "handling_org": "办理机构", "received_on": "收到日期", "claim": "请求事项", "parties": "当事人",
    "ip_numbers": "涉案专利/商标号", "case_ipc": "技术领域（IPC）", "handler_id": "承办人", "session_on": "调解日期",
    "session_participants": "参加人员", "session_notes": "调解记录", "mediation_outcome": "调解结果",
    "mediation_concluded_on": "结案日期", "agreement_amount": "协议金额", "confirmation_court": "确认法院",
    "confirmation_ruling_no": "确认裁定书文号", "confirmation_on": "司法确认日期", "accepted_on": "立案日期",
    "rejection_reason": "不予受理理由", "rejected_on": "决定日期", "investigator_id": "技术调查官",
    "hearing_on": "口头审理日期", "hearing_notes": "审理记录", "adjudication_decision": "裁决结果",
    "decision_reasons": "裁决理由", "decision_no": "裁决书文号", "adjudicated_on": "裁决日期",
    "without_investigator": "未经技术调查官", "withdrawn_on": "撤回日期", "withdrawal_reasons": "撤回说明",
    "extension_reason": "延长理由", "investigator_name": "姓名", "investigator_organisation": "所在单位",
    "investigator_fields": "技术领域（IPC）", "affiliations": "申报的关联关系", "deadline": "期限",
    "case_id": "案件编号",
}
register_labels(LABELS, __name__)

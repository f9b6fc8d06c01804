"""The actions on a dispute case (see workflows.py): one ``act`` for the page and the API alike.

Each action *plans* its change from the form (checking the input and the preconditions that are not a state,
without touching the case); ``fields.perform`` checks who and the state, then runs the plan in the workflow
step, which moves the state and writes one audit entry with the diff and the plan's summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from ipbureau.auth.models import User
from ipbureau.core.errors import DomainError, TransitionError
from ipbureau.core.forms import validate
from ipbureau.core.workflow import Transition, Workflow
from ipbureau.policy import policy
from ipbureau.protection import fields
from ipbureau.protection.disputes import deadlines
from ipbureau.protection.disputes.enums import AdjudicationDecision, DisputeKind, IpType, MediationOutcome
from ipbureau.protection.disputes.investigators import candidates, check_may_serve
from ipbureau.protection.disputes.models import DisputeCase, Investigator, MediationSession
from ipbureau.protection.disputes.schemas import (
    ACTION_INPUTS,
    AcceptIn,
    AssignIn,
    ConcludeIn,
    ConfirmIn,
    DecideIn,
    ExtendIn,
    HearingIn,
    InvestigatorChoice,
    RejectIn,
    SessionIn,
    WithdrawIn,
)
from ipbureau.protection.disputes.service import check_handler, get_case, handler_choices
from ipbureau.protection.disputes.workflows import WORKFLOWS, workflow_for
from ipbureau.protection.fields import Plan

FINDINGS = (AdjudicationDecision.INFRINGEMENT_FOUND, AdjudicationDecision.NOT_FOUND)


# ---- preconditions that are not a state (also hide the action's button) --------------------------

def _confirm_refusal(case: DisputeCase) -> str | None:
    if case.outcome != MediationOutcome.AGREEMENT:
        return "只有达成调解协议并结案的案件才能申请司法确认"
    if case.confirmation_ruling_no:
        return f"本案已于 {case.confirmation_on} 经{case.confirmation_court}司法确认"
    return None


def _extend_refusal(case: DisputeCase) -> str | None:
    return "结案期限只能延长一次（最多一个月）" if case.extended else None


PRECONDITIONS: dict[str, tuple[str, Callable[[DisputeCase], str | None]]] = {
    "confirm": ("司法确认", _confirm_refusal), "extend": ("延长期限", _extend_refusal)}


def _require_precondition(case: DisputeCase, action: str) -> None:
    field_name, refusal = PRECONDITIONS[action]
    message = refusal(case)
    if message:
        raise TransitionError(field_name, message)


# ---- the plans ---------------------------------------------------------------------------------

def _since_received(case: DisputeCase) -> tuple[tuple[date | None, str], ...]:
    return ((case.received_on, "收到日期"),)


def _assign(session: Session, user: User, case: DisputeCase, data: AssignIn, today: date) -> Plan:
    handler_id = check_handler(session, data.handler_id)
    if handler_id is None:
        raise DomainError(fields.label(data, "handler_id"), "请选择承办人")
    return Plan(f"指定承办人 {session.get(User, handler_id).display_name}", {"handler_id": handler_id})


def _session(session: Session, user: User, case: DisputeCase, data: SessionIn, today: date) -> Plan:
    held_on = fields.day(data, "session_on", today=today, not_before=_since_received(case))
    record = MediationSession(held_on=held_on, participants=fields.required(data, "session_participants"),
                              notes=data.session_notes or None, created_by=user.id)
    return Plan(f"记录调解（{held_on.isoformat()}）", {"sessions": [*case.sessions, record]})


def _conclude(session: Session, user: User, case: DisputeCase, data: ConcludeIn, today: date) -> Plan:
    outcome_label = fields.label(data, "mediation_outcome")
    outcome = fields.choice(MediationOutcome, data.mediation_outcome, outcome_label)
    if outcome != MediationOutcome.WITHDRAWN and not case.sessions:
        raise TransitionError(outcome_label, "尚未记录任何调解，不能以“达成调解协议”或“调解不成”结案")
    last_session = max((s.held_on for s in case.sessions), default=None)
    concluded_on = fields.day(data, "mediation_concluded_on", today=today,
                              not_before=(*_since_received(case), (last_session, "最后一次调解日期")))
    if outcome != MediationOutcome.AGREEMENT and data.agreement_amount:
        raise DomainError(fields.label(data, "agreement_amount"), "只有达成调解协议时才填写协议金额")
    return Plan(f"调解结案：{MediationOutcome(outcome).label}", {
        "outcome": outcome, "agreement_amount_yuan": data.agreement_amount, "concluded_on": concluded_on})


def _confirm(session: Session, user: User, case: DisputeCase, data: ConfirmIn, today: date) -> Plan:
    _require_precondition(case, "confirm")
    court = fields.required(data, "confirmation_court")
    ruling_no = fields.required(data, "confirmation_ruling_no")
    on = fields.day(data, "confirmation_on", today=today,
                    not_before=(*_since_received(case), (case.concluded_on, "结案日期")))
    return Plan(f"经{court}司法确认（{ruling_no}）", {
        "confirmation_court": court, "confirmation_ruling_no": ruling_no, "confirmation_on": on})


def _accept(session: Session, user: User, case: DisputeCase, data: AcceptIn, today: date) -> Plan:
    accepted_on = fields.day(data, "accepted_on", today=today, not_before=_since_received(case))
    deadline = deadlines.add_months(accepted_on, deadlines.ADJUDICATION_MONTHS)
    return Plan(f"立案，结案期限 {deadline.isoformat()}", {"accepted_on": accepted_on, "deadline": deadline})


def _reject(session: Session, user: User, case: DisputeCase, data: RejectIn, today: date) -> Plan:
    reason = fields.required(data, "rejection_reason")
    concluded_on = fields.day(data, "rejected_on", today=today, not_before=_since_received(case))
    return Plan("决定不予受理", {"rejection_reason": reason, "concluded_on": concluded_on})


def _investigator(session: Session, user: User, case: DisputeCase, data: InvestigatorChoice, today: date) -> Plan:
    investigator = check_may_serve(session, case, data.investigator_id)
    return Plan(f"指派技术调查官 {investigator.name}（{investigator.organisation}）",
                {"investigator_id": investigator.id, "investigator": investigator})


def _hearing(session: Session, user: User, case: DisputeCase, data: HearingIn, today: date) -> Plan:
    hearing_on = fields.day(data, "hearing_on", today=today,
                            not_before=(*_since_received(case), (case.accepted_on, "立案日期")))
    return Plan(f"口头审理（{hearing_on.isoformat()}）", {"hearing_on": hearing_on, "hearing_notes": data.hearing_notes or None})


def _decide(session: Session, user: User, case: DisputeCase, data: DecideIn, today: date) -> Plan:
    decision_label = fields.label(data, "adjudication_decision")
    if not data.adjudication_decision:
        raise DomainError(decision_label, "结案前须作出裁决（侵权成立、不成立或和解）")
    decision = fields.choice(AdjudicationDecision, data.adjudication_decision, decision_label)
    if decision == AdjudicationDecision.WITHDRAWN:
        raise DomainError(decision_label, "请求人撤回请求请使用“撤回”操作")
    reasons = fields.required(data, "decision_reasons")
    decided_on = fields.day(data, "adjudicated_on", today=today, not_before=(
        *_since_received(case), (case.hearing_on or case.accepted_on, "立案或口头审理日期")))
    finding = decision in FINDINGS
    if finding and case.ip_type == IpType.PATENT and case.investigator_id is None and not data.without_investigator:
        raise TransitionError("技术调查官", "专利侵权纠纷须先指派技术调查官出具技术审查意见再作出裁决")
    decision_no = fields.required(data, "decision_no") if finding else data.decision_no or None
    return Plan(f"作出裁决：{AdjudicationDecision(decision).label}", {
        "decision": decision, "decision_reasons": reasons, "decision_no": decision_no, "concluded_on": decided_on})


def _withdraw(session: Session, user: User, case: DisputeCase, data: WithdrawIn, today: date) -> Plan:
    concluded_on = fields.day(data, "withdrawn_on", today=today, not_before=_since_received(case))
    if case.kind == DisputeKind.MEDIATION:
        changes: dict[str, Any] = {"outcome": MediationOutcome.WITHDRAWN}
    else:
        changes = {"decision": AdjudicationDecision.WITHDRAWN, "decision_reasons": data.withdrawal_reasons or None}
    return Plan("请求人撤回，结案", {**changes, "concluded_on": concluded_on})


def _extend(session: Session, user: User, case: DisputeCase, data: ExtendIn, today: date) -> Plan:
    _require_precondition(case, "extend")
    fields.required(data, "extension_reason")
    deadline = deadlines.add_months(case.deadline, deadlines.EXTENSION_MONTHS)
    return Plan(f"经批准延长结案期限至 {deadline.isoformat()}", {"deadline": deadline, "extended": True})


PLANS: dict[str, Callable[..., Plan]] = {
    "assign": _assign, "session": _session, "conclude": _conclude, "confirm": _confirm, "accept": _accept,
    "reject": _reject, "investigator": _investigator, "hearing": _hearing, "decide": _decide,
    "withdraw": _withdraw, "extend": _extend}


# ---- performing and offering -------------------------------------------------------------------

def _workflow_offering(case: DisputeCase, action: str) -> Workflow:
    workflow = workflow_for(case)
    if action in workflow.transitions:
        return workflow
    for other in WORKFLOWS.values():
        if action in other.transitions:
            raise TransitionError("操作", f"{DisputeKind(case.kind).label}案件不能{other.transitions[action].label}")
    raise DomainError("操作", f"未知操作“{action}”")


def act(session: Session, user: User, case_id: int, action: str, data: BaseModel | Mapping[str, Any], *,
        today: date, ip_address: str | None = None) -> DisputeCase:
    """Perform one action on a case (its input: schemas.ACTION_INPUTS[action])."""
    case = get_case(session, user, case_id)
    workflow = _workflow_offering(case, action)
    fields.perform(session, user, workflow, case, action,
                   lambda: PLANS[action](session, user, case, validate(ACTION_INPUTS[action], data), today),
                   ip_address=ip_address, seen=data)
    return case


def available_actions(session: Session, user: User, case: DisputeCase) -> list[Transition]:
    """The actions the case page offers this user now (the workflow's, less those a precondition refuses)."""
    return [t for t in workflow_for(case).available(session, user, case, policy)
            if t.action not in PRECONDITIONS or PRECONDITIONS[t.action][1](case) is None]


def candidates_for(session: Session, user: User, case_id: int) -> list[tuple[Investigator, list[str]]]:
    """The investigators who could assist a case the user handles, each with its conflicts."""
    return candidates(session, get_case(session, user, case_id, "handle"))


@dataclass
class CasePage:
    """What the case page shows: the case, the actions offered, and the choices their forms need."""

    case: DisputeCase
    actions: list[Transition]
    handler: User | None
    candidates: list[tuple[Investigator, list[str]]] = field(default_factory=list)
    handlers: list[User] = field(default_factory=list)


def case_page(session: Session, user: User, case_id: int) -> CasePage:
    case = get_case(session, user, case_id)
    offered = available_actions(session, user, case)
    names = {t.action for t in offered}
    return CasePage(case=case, actions=offered, handler=session.get(User, case.handler_id) if case.handler_id else None,
                    candidates=candidates(session, case) if "investigator" in names else [],
                    handlers=handler_choices(session) if "assign" in names else [])

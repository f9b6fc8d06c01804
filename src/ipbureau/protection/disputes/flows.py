"""Dispute workflows: registration, mediation (sessions, outcome, judicial confirmation) and
administrative adjudication (acceptance, technical investigator, hearing, decision).

Mediation:     received → in_progress (first session) → closed (agreement / failed / withdrawn)
               closed with an agreement → judicial confirmation (司法确认) recorded once.
Adjudication:  received → accepted (立案) or rejected (不予受理); accepted → in_progress (hearing)
               → closed (decision with reasons); withdrawal or settlement closes it at any open stage.

Every change is audited; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.protection.disputes import service
from ipbureau.protection.disputes.enums import (OPEN_STATUSES, AdjudicationDecision, DisputeKind, DisputeStatus,
                                                HandlingOrg, IpType, MediationOutcome)
from ipbureau.protection.disputes.models import DisputeCase, Investigator, MediationSession
from ipbureau.protection.disputes.service import DisputeError, TransitionError

SNAPSHOT_FIELDS = ("case_no", "kind", "ip_type", "status", "ip_numbers", "ipc", "claim", "district_code", "handling_org",
                   "received_on", "deadline", "extended", "handler_id", "outcome", "agreement_amount_yuan",
                   "confirmation_court", "confirmation_on", "confirmation_ruling_no", "accepted_on", "rejection_reason",
                   "investigator_id", "hearing_on", "hearing_notes", "decision", "decision_reasons", "decision_no",
                   "concluded_on")


def snapshot(case: DisputeCase) -> dict[str, Any]:
    values = {name: getattr(case, name) for name in SNAPSHOT_FIELDS}
    if values["agreement_amount_yuan"] is not None:
        values["agreement_amount_yuan"] = str(values["agreement_amount_yuan"])
    values["parties"] = [f"{p.side}:{p.name}:{p.credit_code or ''}" for p in case.parties]
    return values


def _audit(session: Session, case: DisputeCase, before: dict[str, Any], *, actor: User, verb: str, summary: str,
           ip_address: str | None) -> None:
    audit.record(session, actor=actor, action=f"disputes.case.{verb}", entity_type="dispute_case", entity_id=case.id,
                 summary=f"{case.case_no}：{summary}", changes=audit.diff(before, snapshot(case)),
                 ip_address=ip_address)


# ---- registration ----------------------------------------------------------------------------------

@dataclass
class CaseInput:
    kind: str
    ip_type: str
    claim: str | None
    district_code: str | None
    handling_org: str
    received_on: Any
    parties: list[service.PartyInput] = field(default_factory=list)
    ip_numbers: str | None = None
    ipc: str | None = None
    handler_id: int | None = None


def _handler(session: Session, handler_id: int | None) -> int | None:
    if not handler_id:
        return None
    user = session.get(User, handler_id)
    if user is None or not user.is_active:
        raise DisputeError("承办人", f"编号为 {handler_id} 的用户不存在或已停用")
    if Role(user.role) not in (Role.MEDIATOR, Role.BUREAU_STAFF, Role.DISTRICT_STAFF, Role.ADMIN):
        raise DisputeError("承办人", f"{user.display_name} 不是调解员或工作人员，不能承办案件")
    return user.id


def register(session: Session, data: CaseInput, *, actor: User, today: date,
             ip_address: str | None = None) -> DisputeCase:
    if not service.may_register(actor):
        raise PermissionDenied("只有调解员和工作人员可以登记纠纷案件")
    kind = service.enum_value(DisputeKind, data.kind, "案件类型")
    ip_type = service.enum_value(IpType, data.ip_type, "知识产权类型")
    org = service.enum_value(HandlingOrg, data.handling_org, "办理机构")
    district_code = service.district(session, data.district_code)
    if Role(actor.role) == Role.DISTRICT_STAFF and district_code != actor.district_code:
        raise PermissionDenied("区局工作人员只能登记本区的案件")
    if kind == DisputeKind.ADJUDICATION and org == HandlingOrg.MEDIATION_COMMITTEE:
        raise DisputeError("办理机构", "行政裁决由知识产权管理部门办理，人民调解委员会不能作出裁决")
    received_on = service.day(data.received_on, "收到日期", required=True)
    if received_on > today:
        raise DisputeError("收到日期", "不能晚于今天")
    ipc = service.ipc_prefix(data.ipc)
    if kind == DisputeKind.ADJUDICATION and ip_type == IpType.PATENT and not ipc:
        raise DisputeError("技术领域（IPC）", "专利侵权纠纷行政裁决须填写涉案专利的 IPC 分类，以便指派技术调查官")
    handler_id = _handler(session, data.handler_id)
    if handler_id is None and Role(actor.role) == Role.MEDIATOR:
        handler_id = actor.id  # a mediator registers the cases he takes on
    case = DisputeCase(
        case_no=service.next_case_no(session, kind, received_on.year), kind=kind, ip_type=ip_type,
        status=DisputeStatus.RECEIVED, ip_numbers=service.text(data.ip_numbers, "涉案专利/商标号", limit=500),
        ipc=ipc, claim=service.text(data.claim, "请求事项", required=True, limit=service.MAX_TEXT),
        district_code=district_code, handling_org=org, received_on=received_on,
        deadline=service.initial_deadline(kind, received_on), handler_id=handler_id, created_by=actor.id)
    case.parties = service.build_parties(session, data.parties)
    session.add(case)
    session.flush()
    _audit(session, case, {}, actor=actor, verb="create", ip_address=ip_address,
           summary=f"登记{DisputeKind(kind).label}案件（{IpType(ip_type).label}）")
    return case


# ---- actions -----------------------------------------------------------------------------------------

ACTION_LABELS = {"assign": "指定承办人", "session": "记录调解", "conclude": "调解结案", "confirm": "司法确认",
                 "accept": "立案", "reject": "不予受理", "investigator": "指派技术调查官", "hearing": "口头审理",
                 "decide": "作出裁决", "withdraw": "撤回", "extend": "延长期限"}


def _require(case: DisputeCase, kind: DisputeKind, action: str) -> None:
    if case.kind != kind:
        raise TransitionError("操作", f"{DisputeKind(case.kind).label}案件不能{ACTION_LABELS[action]}")


def _require_status(case: DisputeCase, action: str, *allowed: DisputeStatus) -> None:
    if case.status not in allowed:
        raise TransitionError("操作", f"{DisputeStatus(case.status).label}的案件不能{ACTION_LABELS[action]}")


def _not_before(value: date, earlier: date | None, field_name: str, what: str) -> None:
    if earlier and value < earlier:
        raise DisputeError(field_name, f"不能早于{what}（{earlier.isoformat()}）")


def _check_day(data: dict[str, Any], key: str, field_name: str, case: DisputeCase, today: date) -> date:
    value = service.day(data.get(key), field_name, required=True)
    if value > today:
        raise DisputeError(field_name, "不能晚于今天")
    _not_before(value, case.received_on, field_name, "收到日期")
    return value


def act(session: Session, case: DisputeCase, action: str, *, actor: User, today: date,
        data: dict[str, Any] | None = None, ip_address: str | None = None) -> DisputeCase:
    """Perform one action on a case (see ACTION_LABELS); raises DisputeError / TransitionError."""
    if action not in ACTION_LABELS:
        raise DisputeError("操作", f"未知操作“{action}”")
    service.check_handler(actor, case)
    data = data or {}
    before = snapshot(case)
    summary = _ACTIONS[action](session, case, data, actor, today)
    _audit(session, case, before, actor=actor, verb=action, summary=summary, ip_address=ip_address)
    return case


def _assign(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    if Role(actor.role) == Role.MEDIATOR:
        raise PermissionDenied("承办人由工作人员指定")
    _require_status(case, "assign", *OPEN_STATUSES)
    handler_id = _handler(session, _int(data.get("handler_id"), "承办人"))
    if handler_id is None:
        raise DisputeError("承办人", "请选择承办人")
    case.handler_id = handler_id
    return f"指定承办人 {session.get(User, handler_id).display_name}"


def _int(value: Any, field_name: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise DisputeError(field_name, f"“{value}”不是有效的编号") from None


def _session(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.MEDIATION, "session")
    _require_status(case, "session", DisputeStatus.RECEIVED, DisputeStatus.IN_PROGRESS)
    held_on = _check_day(data, "held_on", "调解日期", case, today)
    record = MediationSession(held_on=held_on, participants=service.text(data.get("participants"), "参加人员",
                                                                         required=True, limit=500),
                              notes=service.text(data.get("notes"), "调解记录", limit=service.MAX_TEXT),
                              created_by=actor.id)
    case.sessions.append(record)
    case.status = DisputeStatus.IN_PROGRESS
    return f"记录调解（{held_on.isoformat()}）"


def _conclude(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.MEDIATION, "conclude")
    _require_status(case, "conclude", DisputeStatus.RECEIVED, DisputeStatus.IN_PROGRESS)
    outcome = service.enum_value(MediationOutcome, data.get("outcome"), "调解结果")
    concluded_on = _check_day(data, "concluded_on", "结案日期", case, today)
    if outcome != MediationOutcome.WITHDRAWN and not case.sessions:
        raise TransitionError("调解结果", "尚未记录任何调解，不能以“达成调解协议”或“调解不成”结案")
    last_session = max((s.held_on for s in case.sessions), default=None)
    _not_before(concluded_on, last_session, "结案日期", "最后一次调解日期")
    money = service.amount(data.get("agreement_amount"), "协议金额")
    if outcome != MediationOutcome.AGREEMENT and money:
        raise DisputeError("协议金额", "只有达成调解协议时才填写协议金额")
    case.outcome, case.agreement_amount_yuan = outcome, money
    case.concluded_on, case.status = concluded_on, DisputeStatus.CLOSED
    return f"调解结案：{MediationOutcome(outcome).label}"


def _confirm(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.MEDIATION, "confirm")
    if case.status != DisputeStatus.CLOSED or case.outcome != MediationOutcome.AGREEMENT:
        raise TransitionError("司法确认", "只有达成调解协议并结案的案件才能申请司法确认")
    if case.confirmation_ruling_no:
        raise TransitionError("司法确认", f"本案已于 {case.confirmation_on} 经{case.confirmation_court}司法确认")
    court = service.text(data.get("court"), "确认法院", required=True)
    ruling_no = service.text(data.get("ruling_no"), "确认裁定书文号", required=True, limit=100)
    on = _check_day(data, "confirmation_on", "司法确认日期", case, today)
    _not_before(on, case.concluded_on, "司法确认日期", "结案日期")
    case.confirmation_court, case.confirmation_ruling_no, case.confirmation_on = court, ruling_no, on
    return f"经{court}司法确认（{ruling_no}）"


def _accept(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.ADJUDICATION, "accept")
    _require_status(case, "accept", DisputeStatus.RECEIVED)
    accepted_on = _check_day(data, "accepted_on", "立案日期", case, today)
    case.accepted_on, case.status = accepted_on, DisputeStatus.ACCEPTED
    case.deadline = service.add_months(accepted_on, service.ADJUDICATION_MONTHS)
    return f"立案，结案期限 {case.deadline.isoformat()}"


def _reject(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.ADJUDICATION, "reject")
    _require_status(case, "reject", DisputeStatus.RECEIVED)
    case.rejection_reason = service.text(data.get("reason"), "不予受理理由", required=True, limit=service.MAX_TEXT)
    case.concluded_on = _check_day(data, "concluded_on", "决定日期", case, today)
    case.status = DisputeStatus.REJECTED
    return "决定不予受理"


def _investigator(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.ADJUDICATION, "investigator")
    _require_status(case, "investigator", DisputeStatus.ACCEPTED, DisputeStatus.IN_PROGRESS)
    investigator_id = _int(data.get("investigator_id"), "技术调查官")
    investigator = session.get(Investigator, investigator_id) if investigator_id else None
    if investigator is None or not investigator.active:
        raise DisputeError("技术调查官", "请从名册中选择在册的技术调查官")
    if not service.field_matches(investigator, case.ipc):
        raise DisputeError("技术调查官", f"{investigator.name}的技术领域（{'、'.join(investigator.fields)}）"
                                        f"与本案技术领域（{case.ipc}）不符")
    found = service.conflicts(investigator, case)
    if found:
        raise DisputeError("技术调查官", f"{investigator.name}{'；'.join(found)}存在利害关系，应当回避，不能指派")
    case.investigator_id = investigator.id
    case.investigator = investigator
    return f"指派技术调查官 {investigator.name}（{investigator.organisation}）"


def _hearing(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.ADJUDICATION, "hearing")
    _require_status(case, "hearing", DisputeStatus.ACCEPTED, DisputeStatus.IN_PROGRESS)
    hearing_on = _check_day(data, "hearing_on", "口头审理日期", case, today)
    _not_before(hearing_on, case.accepted_on, "口头审理日期", "立案日期")
    case.hearing_on = hearing_on
    case.hearing_notes = service.text(data.get("notes"), "审理记录", limit=service.MAX_TEXT)
    case.status = DisputeStatus.IN_PROGRESS
    return f"口头审理（{hearing_on.isoformat()}）"


def _decide(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.ADJUDICATION, "decide")
    _require_status(case, "decide", DisputeStatus.ACCEPTED, DisputeStatus.IN_PROGRESS)
    if not str(data.get("decision") or "").strip():
        raise DisputeError("裁决结果", "结案前须作出裁决（侵权成立、不成立或和解）")
    decision = service.enum_value(AdjudicationDecision, data.get("decision"), "裁决结果")
    if decision == AdjudicationDecision.WITHDRAWN:
        raise DisputeError("裁决结果", "请求人撤回请求请使用“撤回”操作")
    reasons = service.text(data.get("reasons"), "裁决理由", required=True, limit=service.MAX_TEXT)
    decided_on = _check_day(data, "concluded_on", "裁决日期", case, today)
    _not_before(decided_on, case.hearing_on or case.accepted_on, "裁决日期", "立案或口头审理日期")
    if decision in (AdjudicationDecision.INFRINGEMENT_FOUND, AdjudicationDecision.NOT_FOUND):
        if case.ip_type == IpType.PATENT and case.investigator_id is None and not data.get("without_investigator"):
            raise TransitionError("技术调查官", "专利侵权纠纷须先指派技术调查官出具技术审查意见再作出裁决")
        case.decision_no = service.text(data.get("decision_no"), "裁决书文号", required=True, limit=100)
    else:
        case.decision_no = service.text(data.get("decision_no"), "裁决书文号", limit=100)
    case.decision, case.decision_reasons = decision, reasons
    case.concluded_on, case.status = decided_on, DisputeStatus.CLOSED
    return f"作出裁决：{AdjudicationDecision(decision).label}"


def _withdraw(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require_status(case, "withdraw", *OPEN_STATUSES)
    concluded_on = _check_day(data, "concluded_on", "撤回日期", case, today)
    if case.kind == DisputeKind.MEDIATION:
        case.outcome = MediationOutcome.WITHDRAWN
    else:
        case.decision = AdjudicationDecision.WITHDRAWN
        case.decision_reasons = service.text(data.get("reasons"), "撤回说明", limit=service.MAX_TEXT)
    case.concluded_on, case.status = concluded_on, DisputeStatus.CLOSED
    return "请求人撤回，结案"


def _extend(session: Session, case: DisputeCase, data: dict[str, Any], actor: User, today: date) -> str:
    _require(case, DisputeKind.ADJUDICATION, "extend")
    _require_status(case, "extend", DisputeStatus.ACCEPTED, DisputeStatus.IN_PROGRESS)
    if case.extended:
        raise TransitionError("延长期限", "结案期限只能延长一次（最多一个月）")
    if Role(actor.role) not in service.MANAGERS | {Role.DISTRICT_STAFF}:
        raise PermissionDenied("延长期限须由管理专利工作的部门负责人批准")
    service.text(data.get("reason"), "延长理由", required=True, limit=service.MAX_TEXT)
    case.deadline = service.add_months(case.deadline, service.EXTENSION_MONTHS)
    case.extended = True
    return f"经批准延长结案期限至 {case.deadline.isoformat()}"


_ACTIONS = {"assign": _assign, "session": _session, "conclude": _conclude, "confirm": _confirm, "accept": _accept,
            "reject": _reject, "investigator": _investigator, "hearing": _hearing, "decide": _decide,
            "withdraw": _withdraw, "extend": _extend}


def available_actions(case: DisputeCase, user: User) -> list[str]:
    """The actions the page offers for this case and user (the flows check again)."""
    if not service.can_handle(user, case):
        return []
    open_ = case.status in OPEN_STATUSES
    actions: list[str] = []
    if open_ and Role(user.role) != Role.MEDIATOR:
        actions.append("assign")
    if case.kind == DisputeKind.MEDIATION:
        if open_:
            actions += ["session", "conclude", "withdraw"]
        elif case.outcome == MediationOutcome.AGREEMENT and not case.confirmation_ruling_no:
            actions.append("confirm")
    else:
        if case.status == DisputeStatus.RECEIVED:
            actions += ["accept", "reject", "withdraw"]
        elif open_:
            actions += ["investigator", "hearing", "decide", "withdraw"]
            if not case.extended and Role(user.role) != Role.MEDIATOR:
                actions.append("extend")
    return actions

"""The two workflows of dispute cases, as data (core.workflow).

Mediation (纠纷调解):   已登记 → 办理中 (each mediation session recorded) → 已结案 (达成调解协议 / 调解不成 / 撤回);
                        a case closed with an agreement may then record its judicial confirmation (司法确认), once.
Adjudication (行政裁决): 已登记 → 已立案 or 不予受理; 已立案 → 办理中 (口头审理) → 已结案 (裁决, with a technical
                        investigator for a patent infringement finding); the deadline may be extended once;
                        withdrawal closes the case at any open stage.

Who may perform each action is the policy's "dispute.case" resource (``permission``); the preconditions that
are not a state ("尚未记录任何调解", "须先指派技术调查官", "只能延长一次") are checked by the actions in
service.py, inside the step.
"""

from __future__ import annotations

from typing import Any

from ipbureau.core.workflow import Workflow, step
from ipbureau.protection.disputes.enums import OPEN_STATUSES, DisputeKind, DisputeStatus

RESOURCE = "dispute.case"
ENTITY = "dispute_case"  # the audit log's entity type
AUDIT_PREFIX = "disputes.case"  # its actions: "disputes.case.create", "disputes.case.session"...
AUDITED = ("case_no", "kind", "ip_type", "ip_numbers", "ipc", "claim", "district_code", "handling_org", "received_on",
           "deadline", "extended", "handler_id", "outcome", "agreement_amount_yuan", "confirmation_court",
           "confirmation_on", "confirmation_ruling_no", "accepted_on", "rejection_reason", "investigator_id",
           "hearing_on", "hearing_notes", "decision", "decision_reasons", "decision_no", "concluded_on")

S = DisputeStatus
HANDLING = (S.ACCEPTED, S.IN_PROGRESS)  # an accepted adjudication, before and after its hearing

ASSIGN = step("assign", OPEN_STATUSES, None, "指定承办人", permission="assign")
WITHDRAW = step("withdraw", OPEN_STATUSES, S.CLOSED, "撤回", permission="handle", style="secondary")

MEDIATION = Workflow(RESOURCE, ENTITY, "案件", [
    ASSIGN,
    step("session", (S.RECEIVED, S.IN_PROGRESS), S.IN_PROGRESS, "记录调解", permission="handle"),
    step("conclude", (S.RECEIVED, S.IN_PROGRESS), S.CLOSED, "调解结案", permission="handle"),
    step("confirm", (S.CLOSED,), None, "司法确认", permission="handle"),
    WITHDRAW,
], states=DisputeStatus, audited=AUDITED, audit_prefix=AUDIT_PREFIX)

ADJUDICATION = Workflow(RESOURCE, ENTITY, "案件", [
    ASSIGN,
    step("accept", (S.RECEIVED,), S.ACCEPTED, "立案", permission="handle"),
    step("reject", (S.RECEIVED,), S.REJECTED, "不予受理", permission="handle", style="secondary"),
    step("investigator", HANDLING, None, "指派技术调查官", permission="handle"),
    step("hearing", HANDLING, S.IN_PROGRESS, "口头审理", permission="handle"),
    step("decide", HANDLING, S.CLOSED, "作出裁决", permission="handle"),
    WITHDRAW,
    step("extend", HANDLING, None, "延长期限", permission="extend"),
], states=DisputeStatus, audited=AUDITED, audit_prefix=AUDIT_PREFIX)

WORKFLOWS = {DisputeKind.MEDIATION: MEDIATION, DisputeKind.ADJUDICATION: ADJUDICATION}


def workflow_for(case: Any) -> Workflow:
    return WORKFLOWS[DisputeKind(case.kind)]


# "已记录调解", "已立案"...: the notice after each action.
DONE_MESSAGES = {t.action: f"已{t.label}" for workflow in WORKFLOWS.values() for t in workflow.transitions.values()}

"""The state machines of 专利预审, as data (core.workflow). Who may take each action is the policy's
(``policy/preexam.py``: resource ``preexam.filing`` / ``preexam.case``, the action named by ``permission``).

Filing (备案), one row per (centre, enterprise):
    (apply creates it) pending ─approve→ approved
                               └─reject→ rejected ─reapply→ pending

Case (预审案件):
    received ─decide→ qualified ─submit_cnipa→ submitted ─grant→ granted
        │          └→ unqualified                      └─reject→ rejected
        └─ withdraw (from received, qualified or submitted) → withdrawn
    While received: assign (staff (re)assign the examiner) and upload (more application documents) keep the
    state. ``decide`` leads to qualified or unqualified as the examiner decides, so the service sets the state.
"""

from __future__ import annotations

from ipbureau.core.workflow import Workflow, step
from ipbureau.protection.preexam.enums import CaseStatus, FilingStatus

# The fields each audit entry diffs (besides the state).
FILING_AUDITED = ("centre_id", "enterprise_id", "ipc_fields", "contact_person", "contact_phone", "note", "reason")
CASE_AUDITED = ("examiner_id", "green_channel", "due_on", "decision", "decision_reason", "cnipa_application_no",
                "cnipa_submitted_on", "granted_on", "patent_id", "closed_on", "closed_reason", "title", "ipc_main")

FILING = Workflow("preexam.filing", "preexam_filing", "备案", [
    step("approve", [FilingStatus.PENDING], FilingStatus.APPROVED, "批准备案", permission="decide"),
    step("reject", [FilingStatus.PENDING], FilingStatus.REJECTED, "不予备案", permission="decide", style="secondary"),
    step("reapply", [FilingStatus.REJECTED], FilingStatus.PENDING, "重新申请备案", permission="apply"),
], states=FilingStatus, audited=FILING_AUDITED, audit_prefix="preexam.filing")

CASE = Workflow("preexam.case", "preexam_case", "案件", [
    step("decide", [CaseStatus.RECEIVED], None, "作出预审结论"),
    step("assign", [CaseStatus.RECEIVED], None, "分配审查员", style="secondary"),
    step("upload", [CaseStatus.RECEIVED], None, "补充申请文件", style="secondary"),
    step("submit_cnipa", [CaseStatus.QUALIFIED], CaseStatus.SUBMITTED, "登记提交国家知识产权局", permission="track"),
    step("grant", [CaseStatus.SUBMITTED], CaseStatus.GRANTED, "登记授权", permission="track"),
    step("reject", [CaseStatus.SUBMITTED], CaseStatus.REJECTED, "登记驳回", permission="track", style="secondary"),
    step("withdraw", [CaseStatus.RECEIVED, CaseStatus.QUALIFIED, CaseStatus.SUBMITTED], CaseStatus.WITHDRAWN, "撤回",
         style="danger"),
], states=CaseStatus, audited=CASE_AUDITED, audit_prefix="preexam.case")

# The outcome of ``decide``.
DECISION_STATES = {"qualified": CaseStatus.QUALIFIED, "unqualified": CaseStatus.UNQUALIFIED}

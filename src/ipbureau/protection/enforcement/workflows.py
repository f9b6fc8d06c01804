"""The workflow of an enforcement case, as data (core.workflow).

办理中 → 已结案 (a penalty, or no-penalty, decision); 办理中 or 已结案 → 已移送司法机关 (涉嫌犯罪: an open case ends
there, a closed one keeps its closing day). An open case's facts may be corrected. Who may do each is the
policy's "enforcement.case" resource (action ``handle``).
"""

from __future__ import annotations

from ipbureau.core.workflow import Workflow, step
from ipbureau.protection.enforcement.enums import CaseStatus

RESOURCE = "enforcement.case"
ENTITY = "enforcement_case"  # the audit log's entity type
AUDIT_PREFIX = "enforcement.case"  # its actions: "enforcement.case.create", "enforcement.case.close"...
AUDITED = ("case_no", "category", "district_code", "enforcement_unit", "handler_id", "party_enterprise_id",
           "party_name", "party_credit_code", "party_is_person", "summary", "opened_on", "closed_on",
           "amount_involved_yuan", "fines_yuan", "penalty_decision_no", "transferred", "transferred_on",
           "transferred_organ")

CASE = Workflow(RESOURCE, ENTITY, "案件", [
    step("update", (CaseStatus.OPEN,), None, "修改", permission="handle"),
    step("close", (CaseStatus.OPEN,), CaseStatus.CLOSED, "结案", permission="handle"),
    step("transfer", (CaseStatus.OPEN, CaseStatus.CLOSED), CaseStatus.TRANSFERRED, "移送司法机关", permission="handle",
         style="secondary"),
], states=CaseStatus, audited=AUDITED, audit_prefix=AUDIT_PREFIX)

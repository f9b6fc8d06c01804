"""The area's workflows, declared as data (``core.workflow``).

优势/示范企业认定: an application is made (申报, status 已申报; ``assessment.service.apply``), the city bureau
starts the review (评审, which freezes the score), then recognises the enterprise (认定) or not (不予认定). Who
may act is the access policy's ``enterprise.assessment`` ``decide``.
"""

from __future__ import annotations

from ipbureau.core.workflow import Workflow, step
from ipbureau.enterprises.enums import AssessmentStatus

ASSESSMENT = Workflow(
    "enterprise.assessment", "enterprise_assessment", "申报", [
        step("review", [AssessmentStatus.APPLIED], AssessmentStatus.REVIEWING, "进入评审", permission="decide",
             style="secondary"),
        step("confirm", [AssessmentStatus.REVIEWING], AssessmentStatus.CONFIRMED, "认定", permission="decide"),
        step("reject", [AssessmentStatus.REVIEWING], AssessmentStatus.REJECTED, "不予认定", permission="decide",
             style="secondary"),
    ],
    states=AssessmentStatus,
    audited=("enterprise_id", "year", "level", "applied_on", "score", "decided_on", "note"),
)

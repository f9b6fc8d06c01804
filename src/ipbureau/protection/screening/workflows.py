"""The review of a queued application, as data (core.workflow).

REVIEW: pending → confirmed (认定非正常) | cleared (排除), on ``status``.
HANDLING: a confirmed application's handling, recorded once: pending → withdrawn (申请人主动撤回) | rejected
(已驳回) | corrected (已整改), on ``handling`` (a cleared or pending application has none to record).

Who may act is the policy's ``screening.case`` review / handle (staff; district staff in their own district).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ipbureau.core.errors import TransitionError
from ipbureau.core.workflow import Transition, Workflow, step
from ipbureau.protection.screening.enums import CaseStatus, Handling
from ipbureau.protection.screening.models import ScreeningCase


class ReviewWorkflow(Workflow):
    """A workflow whose refusal (the one TransitionError, 409) names the field and says why in the review's own
    words ("该申请已审查（认定非正常），不能重复审查"), as reviewers have always read it. The kernel's generic
    wording ("认定非正常的申请不能排除") would say less; a ``refusal`` parameter of core.workflow.Workflow would
    make this subclass unnecessary."""

    def __init__(self, resource: str, entity_type: str, noun: str, transitions: Iterable[Transition], *,
                 refusal: Callable[[Any], tuple[str, str]], **options: Any) -> None:
        super().__init__(resource, entity_type, noun, transitions, **options)
        self.refusal = refusal

    def check(self, obj: Any, action: str) -> Transition:
        transition = self.transition(action)
        if self.state_of(obj) not in transition.sources:
            raise TransitionError(*self.refusal(obj))
        return transition


def _already_reviewed(case: ScreeningCase) -> tuple[str, str]:
    return "审查结论", f"该申请已审查（{CaseStatus(case.status).label}），不能重复审查"


def _nothing_to_handle(case: ScreeningCase) -> tuple[str, str]:
    if case.status != CaseStatus.CONFIRMED:
        return "处理结果", "只有认定为非正常的申请才能登记处理结果"
    return "处理结果", f"处理结果已登记（{Handling(case.handling).label}），不能重复登记"


REVIEW = ReviewWorkflow("screening.case", "screening_case", "申请", [
    step("confirm", [CaseStatus.PENDING], CaseStatus.CONFIRMED, "认定非正常", permission="review", style="danger"),
    step("clear", [CaseStatus.PENDING], CaseStatus.CLEARED, "排除", permission="review", style="secondary"),
], states=CaseStatus, audited=("decision_reason", "handling"), audit_prefix="screening.case",
   refusal=_already_reviewed)

HANDLING = ReviewWorkflow("screening.case", "screening_case", "申请", [
    step("withdraw", [Handling.PENDING], Handling.WITHDRAWN, Handling.WITHDRAWN.label, permission="handle"),
    step("reject", [Handling.PENDING], Handling.REJECTED, Handling.REJECTED.label, permission="handle"),
    step("correct", [Handling.PENDING], Handling.CORRECTED, Handling.CORRECTED.label, permission="handle"),
], states=Handling, state_attr="handling", audited=("handled_on", "handling_note"), audit_prefix="screening.case",
   refusal=_nothing_to_handle)

# The handling's outcome (what the form and the API send) → the action that records it.
HANDLING_ACTIONS = {t.target: t.action for t in HANDLING.transitions.values()}

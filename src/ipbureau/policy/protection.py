"""Access rules of 知识产权保护：专利预审、纠纷调解与行政裁决、行政执法、非正常申请筛查."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("preexam.case", "预审案件", {"view": Action(roles(*STAFF, Role.EXAMINER, Role.ENTERPRISE), "查看预审案件")}),
    Resource("dispute.case", "纠纷案件", {"view": Action(roles(*STAFF, Role.MEDIATOR, Role.ENTERPRISE), "查看纠纷案件")}),
    Resource("enforcement.case", "执法案件", {"view": Action(roles(*STAFF, Role.ENFORCEMENT), "查看执法案件")}),
    Resource("screening.case", "筛查记录", {"view": Action(roles(*STAFF), "查看筛查结果")}),
]

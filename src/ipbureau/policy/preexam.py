"""Access rules of 专利预审：保护中心、企业备案、重点企业、预审案件与文件、审查员、统计."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("preexam.case", "预审案件", {"view": Action(roles(*STAFF, Role.EXAMINER, Role.ENTERPRISE), "查看预审案件")}),
]

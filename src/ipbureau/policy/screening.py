"""Access rules of 非正常专利申请筛查：筛查运行、审查队列、认定与处理."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("screening.case", "筛查记录", {"view": Action(roles(*STAFF), "查看筛查结果")}),
]

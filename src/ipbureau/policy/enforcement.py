"""Access rules of 行政执法：案件、结案、移送、统计."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("enforcement.case", "执法案件", {"view": Action(roles(*STAFF, Role.ENFORCEMENT), "查看执法案件")}),
]

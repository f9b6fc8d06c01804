"""Access rules of 企业服务：服务队走访、培训与活动、费用减缴."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("services.visit", "走访记录", {"view": Action(roles(*STAFF), "查看企业服务")}),
]

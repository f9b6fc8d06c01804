"""Access rules of 纠纷调解与行政裁决：案件、当事人、调解、裁决、技术调查官."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("dispute.case", "纠纷案件", {"view": Action(roles(*STAFF, Role.MEDIATOR, Role.ENTERPRISE), "查看纠纷案件")}),
]

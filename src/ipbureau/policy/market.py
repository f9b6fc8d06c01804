"""Access rules of 交易运营：挂牌、开放许可、交易、许可与质押备案、技术需求与匹配推送."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("notice", "通知", {"view": Action(roles(*EVERY_ROLE), "查看本人通知")}),
    Resource("market.listing", "挂牌", {"view": Action(roles(*EVERY_ROLE), "查看挂牌")}),
]

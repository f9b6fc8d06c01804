"""Access rules of 统计分析（指标、看板、白皮书）与年度工作要点."""

from __future__ import annotations

from ipbureau.auth.enums import Role  # noqa: F401  (sections name roles)
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes  # noqa: F401  (row scopes: district, own enterprise, assignee...)
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF  # noqa: F401

RESOURCES: list[Resource] = [
    Resource("stats", "统计分析", {
        "view": Action(roles(*STAFF), "查看统计分析"),
        "whitepaper": Action(roles(*STAFF), "生成白皮书"),
    }),
    Resource("workplan", "工作要点", {
        "view": Action(roles(*STAFF), "查看工作要点"),
        "edit": Action(roles(*CITY_STAFF), "录入进度", denied="工作要点进度由市局工作人员录入"),
        "load": Action(roles(Role.ADMIN), "载入工作要点"),
    }),
]

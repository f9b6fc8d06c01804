"""Access rules of 专利导航：重点产业链定义、导航报告、导航项目.

Staff (city, district, admins) read the chains, the reports and the delivered projects of the whole city (the
chains are the city's); city staff and admins edit the chain definitions and record or delete projects.
"""

from __future__ import annotations

from typing import Any

from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy._scopes import CITY_STAFF, STAFF


def _project() -> Any:
    """The project table, imported on first use (the policy table imports no model eagerly)."""
    from ipbureau.navigation.models import NavigationProject

    return NavigationProject


RESOURCES: list[Resource] = [
    Resource("navigation.chain", "产业链", {
        "view": Action(roles(*STAFF), "查看专利导航"),
        "edit": Action(roles(*CITY_STAFF), "编辑产业链定义"),
    }),
    Resource("navigation.report", "导航报告", {
        "view": Action(roles(*STAFF), "查看导航报告与专利归属说明"),
        "export": Action(roles(*STAFF), "导出 Word 导航报告"),
    }),
    Resource("navigation.project", "导航项目", {
        "view": Action(roles(*STAFF), "查看已交付的导航项目"),
        "create": Action(roles(*CITY_STAFF), "登记导航项目"),
        "delete": Action(roles(*CITY_STAFF), "删除导航项目"),
    }, model=_project),
]

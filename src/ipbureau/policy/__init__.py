"""The platform's access policy: the one place that says who may do what, and to which rows.

Each module of this package declares the resources of one area as data (``core.access.Resource``): for each
action, the roles that may perform it and, per role, the row scope. ``policy`` assembles them; every route
declares ``Depends(requires(resource, action))``, every service calls ``policy.authorize`` /
``policy.scoped`` / ``policy.get`` on entry, the menu (``MENU``) is filtered by it, and
``tests/kernel/test_route_matrix.py`` derives every expected outcome from it. There is no role list, district
filter or ``can_view_*`` anywhere else.

Roles (auth.enums.Role): admin 系统管理员, bureau_staff 市局, district_staff 区局 (own district only),
examiner 预审审查员, mediator 调解员/裁决承办人, enforcement 执法人员, enterprise 企业/高校 (own enterprise only),
agency 服务机构, public 社会公众; ``anonymous`` is a visitor who is not signed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Depends

from ipbureau.auth.models import User
from ipbureau.auth.permissions import current_user, optional_user
from ipbureau.core.access import ANONYMOUS, Policy
from ipbureau.policy import (
    base,
    disputes,
    enforcement,
    enterprises,
    market,
    navigation,
    preexam,
    reference,
    screening,
    services,
    statistics,
)

policy = Policy([*base.RESOURCES, *enterprises.RESOURCES, *services.RESOURCES, *market.RESOURCES, *preexam.RESOURCES,
                 *disputes.RESOURCES, *enforcement.RESOURCES, *screening.RESOURCES, *navigation.RESOURCES,
                 *statistics.RESOURCES, *reference.RESOURCES])


def requires(resource: str, action: str) -> Callable[..., Any]:
    """Route dependency: the signed-in user (401 / login page otherwise) whose role may perform the action on
    the resource (403 otherwise). Row scope is the service's business (``policy.get`` and friends). For a
    resource whose action admits ``anonymous``, a visitor gets through with ``None``."""
    policy.resource(resource).action(action)  # fail at import time on a typo
    public = ANONYMOUS in policy.roles_for(resource, action)

    if public:
        def dependency(user: User | None = Depends(optional_user)) -> User | None:
            policy.require(user, resource, action)
            return user
    else:
        def dependency(user: User = Depends(current_user)) -> User:
            policy.require(user, resource, action)
            return user

    dependency.resource = resource  # type: ignore[attr-defined]  (read by the route × role test)
    dependency.action = action  # type: ignore[attr-defined]
    dependency.__name__ = f"requires_{resource.replace('.', '_')}_{action}"
    return dependency


# The top menu: (path, label, resource, action). An item shows when the user's role may perform the action.
MENU: list[tuple[str, str, str, str]] = [
    ("/", "首页", "session", "use"),
    ("/search", "专利检索", "patent", "search"),
    ("/enterprises", "企业与机构", "enterprise", "view"),
    ("/trademarks", "商标", "trademark", "view"),
    ("/ipc", "IPC 分类", "reference", "view"),
    ("/market", "交易运营", "market.listing", "view"),
    ("/services", "企业服务", "services.visit", "view"),
    ("/enterprises/assessment", "优势企业培育", "enterprise.assessment", "view"),
    ("/preexam", "专利预审", "preexam.case", "view"),
    ("/disputes", "纠纷调解与裁决", "dispute.case", "view"),
    ("/enforcement", "行政执法", "enforcement.case", "view"),
    ("/workplan", "工作要点", "workplan", "view"),
    ("/stats", "统计分析", "stats", "view"),
    ("/stats/official", "官方统计数据", "stats.official", "view"),
    ("/navigation", "专利导航", "navigation.chain", "view"),
    ("/screening", "异常申请筛查", "screening.case", "view"),
    ("/imports", "数据导入", "import", "run"),
    ("/districts/unattributed", "待归属地区", "district_attribution", "view"),
    ("/audit", "操作日志", "audit", "view"),
    ("/users", "用户管理", "user", "manage"),
]


def menu_for(user: Any) -> list[tuple[str, str]]:
    return [(path, label) for path, label, resource, action in MENU
            if user is not None and policy.allows(user, resource, action)]

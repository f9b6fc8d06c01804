"""Records every signed-in user reads (patents, trademarks, IPC), imports, the audit log and user management."""

from __future__ import annotations

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE, STAFF

RESOURCES = [
    Resource("session", "会话", {"use": Action(roles(*EVERY_ROLE), "使用平台")}),
    Resource("patent", "专利", {
        "view": Action(roles(*EVERY_ROLE), "查看专利"),
        "search": Action(roles(*EVERY_ROLE), "检索"),
        "export": Action(roles(*EVERY_ROLE), "导出检索结果"),
    }, model=lambda: __import__("ipbureau.patents.models", fromlist=["Patent"]).Patent),
    Resource("trademark", "商标", {"view": Action(roles(*EVERY_ROLE), "查看商标")}),
    Resource("reference", "参考数据", {"view": Action(roles(*EVERY_ROLE), "查看区划与 IPC 分类")}),
    Resource("import", "数据导入", {"run": Action(roles(*STAFF), "导入数据")}),
    Resource("audit", "操作日志", {"view": Action(roles(Role.ADMIN), "查看操作日志")}),
    Resource("user", "用户", {"manage": Action(roles(Role.ADMIN), "管理用户")}),
]

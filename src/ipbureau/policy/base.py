"""Access rules of the data platform: the public pages (login, API documentation), the signed-in session (home
page), the records every signed-in user reads (patents, trademarks, districts and IPC), imports, the audit log,
user management, the user's own sessions and tokens, and login locks.

Only the sessions have a row scope (each user their own); patents, trademarks and the reference tables are public information
that every role reads in full; import records are shared by all staff; the audit log and the user list are the
administrator's. A record that does not exist is a 404 through ``policy.get`` like any hidden one.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ipbureau.auth.enums import Role
from ipbureau.core.access import ALL, ANONYMOUS, Action, Resource, roles
from ipbureau.policy._scopes import EVERY_ROLE, STAFF, own_user


def _model(module: str, name: str) -> Callable[[], type]:
    """The model class, imported when the policy first needs it (the policy must not import every model)."""
    return lambda: getattr(import_module(module), name)


RESOURCES = [
    Resource("public", "公开页面", {
        "view": Action({ANONYMOUS: ALL, **roles(*EVERY_ROLE)}, "打开登录页与 API 文档"),
    }, public=True),
    Resource("session", "会话", {
        "use": Action(roles(*EVERY_ROLE), "使用平台"),
        "password": Action(roles(*EVERY_ROLE), "修改本人密码"),
    }),
    # Each user sees and ends their own sessions and API tokens (我的会话); an administrator ends all of a user's
    # through "user.manage".
    Resource("auth.session", "会话", {
        "view": Action(roles(*EVERY_ROLE, scope="own"), "查看本人会话"),
        "end": Action(roles(*EVERY_ROLE, scope="own"), "结束本人会话"),
    }, model=_model("ipbureau.auth.models", "AuthSession"),
        scopes={"own": own_user(lambda: import_module("ipbureau.auth.models").AuthSession.user_id)}),
    Resource("auth.lock", "登录锁定", {
        "view": Action(roles(Role.ADMIN), "查看登录锁定"),
        "unlock": Action(roles(Role.ADMIN), "解除登录锁定"),
    }, model=_model("ipbureau.auth.models", "LoginLock")),
    Resource("patent", "专利", {
        "view": Action(roles(*EVERY_ROLE), "查看专利"),
        "search": Action(roles(*EVERY_ROLE), "检索"),
        "export": Action(roles(*EVERY_ROLE), "导出检索结果"),
    }, model=_model("ipbureau.patents.models", "Patent")),
    Resource("trademark", "商标", {"view": Action(roles(*EVERY_ROLE), "查看商标")},
             model=_model("ipbureau.trademarks.models", "Trademark")),
    Resource("reference", "参考数据", {"view": Action(roles(*EVERY_ROLE), "查看区划与 IPC 分类")}),
    # The records of past imports are read with the right to import: staff who import see every batch.
    Resource("import", "导入记录", {"run": Action(roles(*STAFF), "导入数据")},
             model=_model("ipbureau.imports.models", "ImportBatch")),
    Resource("audit", "操作日志", {"view": Action(roles(Role.ADMIN), "查看操作日志")},
             model=_model("ipbureau.audit.models", "AuditLog")),
    Resource("user", "用户", {"manage": Action(roles(Role.ADMIN), "管理用户")},
             model=_model("ipbureau.auth.models", "User")),
]

"""Access rules of 行政执法：案件、结案、移送、统计.

Who sees and handles a case: city staff all; district staff the cases of their district; an enforcement
officer (执法人员) the cases he handles and, when his account names a district, every case of that district
(his unit's). The statistics and their export count the cases the user sees.
"""

from __future__ import annotations

from typing import Any

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF


def _case() -> Any:
    from ipbureau.protection.enforcement.models import EnforcementCase

    return EnforcementCase


CASE_SCOPES = {
    "district": _scopes.district(lambda: _case().district_code),
    "handled": _scopes.any_of(_scopes.own_user(lambda: _case().handler_id),
                              _scopes.district(lambda: _case().district_code)),
}
HANDLERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"),
            **roles(Role.ENFORCEMENT, scope="handled")}

RESOURCES: list[Resource] = [
    Resource("enforcement.case", "执法案件", model=_case, scopes=CASE_SCOPES, actions={
        "view": Action(HANDLERS, "查看执法案件与统计"),
        "create": Action({**roles(*CITY_STAFF, Role.ENFORCEMENT), **roles(Role.DISTRICT_STAFF, scope="district")},
                         "登记执法案件", denied="只有执法人员和工作人员可以登记执法案件；区局工作人员只能登记本区的案件"),
        # The officer named as 承办执法人员; an officer who registers a case handles it himself.
        "undertake": Action(roles(Role.ENFORCEMENT), "承办执法案件"),
        "handle": Action(HANDLERS, "办理执法案件（修改、结案、移送）",
                         denied="只有本案执法人员、本区工作人员或市局工作人员可以办理；区局工作人员只能办理本区的案件"),
    }),
]

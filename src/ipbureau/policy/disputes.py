"""Access rules of 纠纷调解与行政裁决：案件、当事人、调解、裁决、技术调查官.

Who sees a case: city staff all; district staff the cases of their district; a mediator (调解员/裁决承办人) the
cases he handles (承办人); an enterprise user the cases where his enterprise is a party. Who handles it: the same
staff and the mediator handling it, never a party. Only staff name the handler (a mediator registering a case
takes it on himself), and only the heads' staff approve the one extension of an adjudication.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF


def _models() -> Any:
    from ipbureau.protection.disputes import models

    return models


def _cases_of_own_enterprise(user: Any) -> Select:
    party = _models().DisputeParty
    return select(party.case_id).where(_scopes.own_enterprise(lambda: party.enterprise_id)(user))


CASE_SCOPES = {
    "district": _scopes.district(lambda: _models().DisputeCase.district_code),
    "assigned": _scopes.own_user(lambda: _models().DisputeCase.handler_id),
    "party": _scopes.member_of(lambda: _models().DisputeCase.id, _cases_of_own_enterprise),
}
# City staff handle every case, district staff the cases of their district, a mediator the cases assigned to him.
HANDLERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"),
            **roles(Role.MEDIATOR, scope="assigned")}
STAFF_HANDLERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district")}

RESOURCES: list[Resource] = [
    Resource("dispute.case", "纠纷案件", model=lambda: _models().DisputeCase, scopes=CASE_SCOPES, actions={
        "view": Action({**HANDLERS, **roles(Role.ENTERPRISE, scope="party")}, "查看纠纷案件"),
        "create": Action({**roles(*CITY_STAFF, Role.MEDIATOR), **roles(Role.DISTRICT_STAFF, scope="district")},
                         "登记纠纷案件", denied="只有调解员和工作人员可以登记纠纷案件；区局工作人员只能登记本区的案件"),
        # A mediator who registers a case takes it on (he is its 承办人), so he keeps seeing it.
        "undertake": Action(roles(Role.MEDIATOR), "承办自己登记的案件"),
        "handle": Action(HANDLERS, "办理纠纷案件", denied="只有本案承办人、本区工作人员或市局工作人员可以办理"),
        "assign": Action(STAFF_HANDLERS, "指定承办人", denied="承办人由工作人员指定"),
        "extend": Action(STAFF_HANDLERS, "延长裁决期限", denied="延长期限须由管理专利工作的部门负责人批准"),
    }),
    Resource("dispute.investigator", "技术调查官", model=lambda: _models().Investigator, actions={
        "view": Action(roles(*CITY_STAFF, Role.DISTRICT_STAFF, Role.MEDIATOR), "查看技术调查官名册"),
        "manage": Action(roles(*CITY_STAFF), "登记技术调查官", denied="技术调查官名册由市局工作人员管理"),
    }),
]

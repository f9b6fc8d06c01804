"""Access rules of 企业与机构、企业画像与优势企业培育.

Who is who here: every signed-in user reads the directory and an enterprise's public profile (name, credit code,
district, patents, trademarks, published listings). The non-public part (contact details, deals, cases, services,
the assessment score, the IP management items and the applications) is for city staff (admin, bureau staff), the
district staff of the enterprise's district and the enterprise's own users; the same people fill in the
management items and apply for recognition. Candidates are scored for city staff (district staff: their
district's enterprises); the review and the decision (认定/不予认定) are the city bureau's.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF, EVERY_ROLE


def _model(name: str) -> Callable[[], type]:
    """The model class, imported when the policy first needs it (the policy must not import every model)."""
    return lambda: getattr(import_module("ipbureau.enterprises.models"), name)


_enterprise = _model("Enterprise")
_assessment = _model("AdvantageAssessment")

# City staff, the enterprise's district staff and the enterprise itself: the non-public part of a profile.
INSIDERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"), **roles(Role.ENTERPRISE, scope="own")}
# City staff, and district staff for their district: the cultivation programme.
PROGRAMME_STAFF = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district")}

RESOURCES: list[Resource] = [
    Resource("enterprise", "企业", {
        "view": Action(roles(*EVERY_ROLE), "查看企业目录与公开信息"),
        "view_private": Action(INSIDERS, "查看企业非公开信息"),
        "manage_ip": Action(INSIDERS, "填写知识产权管理情况", denied="只有工作人员和企业本身可以填写知识产权管理情况"),
        "apply_assessment": Action(INSIDERS, "申报优势/示范企业", denied="只能为本企业（区局：本区企业）申报"),
        "assess": Action(PROGRAMME_STAFF, "评估优势企业培育候选"),
    }, model=_enterprise, scopes={
        "district": _scopes.district(lambda: _enterprise().district_code),
        "own": _scopes.own_enterprise(lambda: _enterprise().id),
    }),
    Resource("enterprise.assessment", "优势企业申报", {
        "view": Action(PROGRAMME_STAFF, "查看优势企业培育与申报"),
        "decide": Action(roles(*CITY_STAFF), "评审与认定", denied="评审与认定由市局工作人员办理"),
    }, model=_assessment, scopes={
        "district": _scopes.enterprise_in_district(lambda: _assessment().enterprise_id),
    }),
]

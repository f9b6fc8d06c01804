"""Access rules of 专利预审：保护中心、企业备案、重点企业、预审案件与文件、审查员、统计.

Who is who here: 市局 (admin, bureau staff) run the programme (decide filings, keep the key-enterprise list, place
examiners, assign cases); 区局 read their district's enterprises' filings and cases; 审查员 see the cases assigned to
them and their centre's queue and decide the assigned ones; 企业 file, submit and follow their own. Nobody else
(mediators, enforcement, agencies, the public) has business here.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import Any

from sqlalchemy import select

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF, STAFF


def _models() -> ModuleType:
    # Lazily: the policy table is imported before (and by) the services that use these models.
    return import_module("ipbureau.protection.preexam.models")


def _enterprise() -> type:
    return import_module("ipbureau.enterprises.models").Enterprise


def _examiner_centres(user: Any) -> Any:
    """The centre an examiner works for (none for everyone else)."""
    examiner = _models().Examiner
    return select(examiner.centre_id).where(examiner.user_id == user.id)


# ---- cases: one set of scopes, reused by the documents and the statistics of the cases -------------------

_CASE_DISTRICT = _scopes.enterprise_in_district(lambda: _models().Case.enterprise_id)
_CASE_OWN = _scopes.own_enterprise(lambda: _models().Case.enterprise_id)
_CASE_ASSIGNED = _scopes.own_user(lambda: _models().Case.examiner_id)
# An examiner sees the cases assigned to them and every case of their centre (the queue staff assign from).
_CASE_QUEUE = _scopes.any_of(_CASE_ASSIGNED, _scopes.member_of(lambda: _models().Case.centre_id, _examiner_centres))
CASE_SCOPES = {"district": _CASE_DISTRICT, "own": _CASE_OWN, "queue": _CASE_QUEUE, "assigned": _CASE_ASSIGNED}
CASE_READERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"),
                **roles(Role.ENTERPRISE, scope="own"), **roles(Role.EXAMINER, scope="queue")}


def _cases_seen_by(scope: _scopes.Clause) -> _scopes.Clause:
    """Rows that belong to a case in the given case scope (a case's documents)."""
    return _scopes.member_of(lambda: _models().Document.case_id,
                             lambda user: select(_models().Case.id).where(scope(user)))


RESOURCES: list[Resource] = [
    Resource("preexam.centre", "保护中心", {
        "view": Action(roles(*STAFF, Role.EXAMINER, Role.ENTERPRISE), "查看保护中心及其预审领域",
                       denied="专利预审业务只对企业、保护中心审查员和知识产权局工作人员开放"),
    }, model=lambda: _models().Centre),

    # The enterprise an enterprise-side action (filing, submitting a case) is done for.
    Resource("preexam.applicant", "办理企业", {
        "act": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own")}, "为企业办理预审业务",
                      denied="企业用户只能为本企业办理"),
        "proxy": Action(roles(*CITY_STAFF), "代企业办理备案和预审案件", denied="企业用户只能为本企业办理"),
    }, model=_enterprise, scopes={"own": _scopes.own_enterprise(lambda: _enterprise().id)}),

    Resource("preexam.filing", "备案", {
        "view": Action({**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district"),
                        **roles(Role.ENTERPRISE, scope="own"), **roles(Role.EXAMINER, scope="centre")}, "查看备案"),
        "apply": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own")}, "申请备案",
                        denied="只有企业用户和市局工作人员可以办理备案和提交预审案件"),
        "decide": Action(roles(*CITY_STAFF), "审核备案", denied="只有市局工作人员可以审核备案"),
    }, model=lambda: _models().Filing, scopes={
        "district": _scopes.enterprise_in_district(lambda: _models().Filing.enterprise_id),
        "own": _scopes.own_enterprise(lambda: _models().Filing.enterprise_id),
        "centre": _scopes.member_of(lambda: _models().Filing.centre_id, _examiner_centres),
    }),

    Resource("preexam.key_enterprise", "重点企业", {
        "view": Action({**roles(*CITY_STAFF, Role.EXAMINER), **roles(Role.DISTRICT_STAFF, scope="district"),
                        **roles(Role.ENTERPRISE, scope="own")}, "查看重点企业名单"),
        "manage": Action(roles(*CITY_STAFF), "维护重点企业名单", denied="只有市局工作人员可以维护重点企业名单"),
    }, model=lambda: _models().KeyEnterprise, scopes={
        "district": _scopes.enterprise_in_district(lambda: _models().KeyEnterprise.enterprise_id),
        "own": _scopes.own_enterprise(lambda: _models().KeyEnterprise.enterprise_id),
    }),

    Resource("preexam.examiner", "审查员", {
        "view": Action(roles(*CITY_STAFF), "查看审查员与审查领域"),
        "manage": Action(roles(*CITY_STAFF), "设置审查员", denied="只有市局工作人员可以设置审查员"),
    }, model=lambda: _models().Examiner),

    Resource("preexam.case", "预审案件", {
        "view": Action(CASE_READERS, "查看预审案件"),
        "submit": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own")}, "提交预审案件",
                         denied="只有备案企业（或代为办理的市局工作人员）可以提交预审案件"),
        # The route-level rule of the case actions below (each is checked on the case by the workflow).
        "handle": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own"),
                          **roles(Role.EXAMINER, scope="queue")}, "办理预审案件",
                         denied="只有申请企业、审查员和市局工作人员可以办理预审案件"),
        "upload": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own")}, "补充申请文件",
                         denied="只有申请企业或市局工作人员可以上传申请文件"),
        "decide": Action(roles(Role.EXAMINER, scope="assigned"), "作出预审结论",
                         denied="只有分配到本案的审查员可以作出预审结论"),
        "assign": Action(roles(*CITY_STAFF), "分配审查员", denied="只有市局工作人员可以分配或改派审查员"),
        # CNIPA's steps (submitted, granted, rejected) are recorded by whoever learns of them first.
        "track": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own"),
                         **roles(Role.EXAMINER, scope="assigned")}, "登记国家知识产权局的审查进展",
                        denied="只有申请企业、分配的审查员或市局工作人员可以登记国家知识产权局的审查进展"),
        "withdraw": Action({**roles(*CITY_STAFF), **roles(Role.ENTERPRISE, scope="own")}, "撤回案件",
                           denied="只有申请企业或市局工作人员可以撤回案件"),
    }, model=lambda: _models().Case, scopes=CASE_SCOPES),

    Resource("preexam.document", "文件", {
        "view": Action(CASE_READERS, "下载申请文件"),
    }, model=lambda: _models().Document, scopes={name: _cases_seen_by(scope) for name, scope in CASE_SCOPES.items()}),

    # Cycle-time statistics: district staff see their district's enterprises' cases only.
    Resource("preexam.stats", "预审统计", {
        "view": Action({**roles(*CITY_STAFF, Role.EXAMINER), **roles(Role.DISTRICT_STAFF, scope="district")},
                       "查看预审周期统计"),
    }, model=lambda: _models().Case, scopes={"district": _CASE_DISTRICT}),
]

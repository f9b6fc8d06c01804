"""Access rules of 统计分析（指标、看板、白皮书）与年度工作要点.

Neither area has rows to scope: every figure is computed for the whole city (a district is a filter the user
chooses, not a limit), and the work plan is the bureau's one plan. So every rule here is a role rule, and a
record that does not exist is the only 404.
"""

from __future__ import annotations

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy._scopes import CITY_STAFF, STAFF


def _workplan_model(name: str):
    return lambda: getattr(__import__("ipbureau.workplan.models", fromlist=[name]), name)


def _official_model():
    from ipbureau.stats.official.models import OfficialStatistic

    return OfficialStatistic


RESOURCES: list[Resource] = [
    Resource("stats", "统计分析", {
        "view": Action(roles(*STAFF), "查看统计分析"),
        "whitepaper": Action(roles(*STAFF), "生成白皮书"),
    }),
    # Published figures (CNIPA, the bureau, the press) kept beside the computed ones. Every staff member reads
    # them; the city bureau's statistics staff correct and import them (each change is audited).
    Resource("stats.official", "官方统计数据", {
        "view": Action(roles(*STAFF), "查看官方统计数据"),
        "edit": Action(roles(*CITY_STAFF), "录入、修改和导入官方统计数据", denied="官方统计数据由市局统计人员维护"),
    }, model=_official_model),
    # The plan of a year. District staff follow it; the city bureau owns its figures and loads the plan file
    # (the CLI's ``load-plan`` runs as a job, outside the policy).
    Resource("workplan", "工作要点", {
        "view": Action(roles(*STAFF), "查看工作要点"),
        "load": Action(roles(*CITY_STAFF), "载入工作要点文件", denied="工作要点文件由市局工作人员载入"),
    }, model=_workplan_model("WorkPlan")),
    Resource("workplan.point", "工作要点条目", {
        "view": Action(roles(*STAFF), "查看工作要点"),
        "assign": Action(roles(Role.ADMIN), "指定责任部门", denied="责任部门由系统管理员指定"),
    }, model=_workplan_model("WorkPoint")),
    Resource("workplan.target", "工作目标", {
        "view": Action(roles(*STAFF), "查看目标进展"),
        "report": Action(roles(*CITY_STAFF), "填报进展", denied="工作要点进度由市局工作人员录入"),
        "link": Action(roles(Role.ADMIN), "关联统计指标", denied="统计指标关联由系统管理员设置"),
    }, model=_workplan_model("WorkTarget")),
]

"""Access rules of 非正常专利申请筛查：筛查运行、审查队列、认定与处理.

Staff review the queue: city staff and admins every application, district staff the applications of their own
district (the patent's district), in the queue, the Excel export and the review alike. Only city staff run a
screening: a run replaces the flags of a whole filing-date range, city-wide.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ipbureau.auth.enums import Role
from ipbureau.core.access import Action, Resource, roles
from ipbureau.policy import _scopes
from ipbureau.policy._scopes import CITY_STAFF


def _models() -> Any:
    """The screening's tables, imported on first use (the policy table imports no model eagerly)."""
    from ipbureau.protection.screening import models

    return models


def _patent() -> Any:
    from ipbureau.patents.models import Patent

    return Patent


# A case is in a district when its patent is (a subquery: single records need no join).
IN_DISTRICT = _scopes.member_of(
    lambda: _models().ScreeningCase.patent_id,
    lambda user: select(_patent().id).where(_scopes.district(lambda: _patent().district_code)(user)))
REVIEWERS = {**roles(*CITY_STAFF), **roles(Role.DISTRICT_STAFF, scope="district")}

RESOURCES: list[Resource] = [
    Resource("screening.case", "审查案件", {
        "view": Action(REVIEWERS, "查看筛查结果"),
        "export": Action(REVIEWERS, "导出审查队列"),
        "review": Action(REVIEWERS, "认定非正常或排除"),
        "handle": Action(REVIEWERS, "登记处理结果"),
    }, model=lambda: _models().ScreeningCase, scopes={"district": IN_DISTRICT}),
    Resource("screening.run", "筛查任务", {
        "view": Action(roles(*CITY_STAFF), "查看筛查运行与进度"),
        "run": Action(roles(*CITY_STAFF), "运行筛查"),
    }, model=lambda: _models().ScreeningRun),
]

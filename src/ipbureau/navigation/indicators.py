"""Patent navigation's indicator for the statistics catalogue.

A navigation project (``navigation_project``) is a navigation report or service recorded by
staff as delivered for one chain. Territory: navigation serves the city's key chains, so every
project counts for the city (``province_code = '12'``); the district is the project's own
(the industrial base or client's district), when given. The dataset is the project's.
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select

from ipbureau.navigation.models import NavigationProject
from ipbureau.stats.definitions import IndicatorDef, Measure, Subject, dated_in


def projects_source() -> FromClause:
    return select(NavigationProject.id.label("id"), NavigationProject.dataset.label("dataset"),
                  literal("12").label("province_code"), NavigationProject.district_code.label("district_code"),
                  NavigationProject.published_on.label("published_on"),
                  NavigationProject.chain_code.label("chain_code"))


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="navigation_chains_served",
        name="开展专利导航服务的重点产业链",
        unit="条",
        subject=Subject.NAVIGATION,
        measure=Measure.FLOW,
        definition=("统计期内交付过专利导航报告（或导航服务）的重点产业链条数：以导航项目的交付日期计入期间，"
                    "同一产业链期内交付多份报告只计一次。对应 2023 年工作要点（六）“对全市 12 条重点产业链中的 10 条开展专利导航”。"
                    "导航项目由工作人员在“专利导航”中登记；全部计入全市，区为项目登记的所属区。"),
        formula="COUNT(DISTINCT 产业链 | 期初 ≤ 导航报告交付日期 ≤ 期末)",
        sources=("navigation_project",),
        date_column="published_on",
        condition=dated_in("published_on"),
        source=projects_source,
        distinct_column="chain_code",
    ),
)

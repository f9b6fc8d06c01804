"""Enforcement indicators (行政执法) for the statistics catalogue, matching the 2022 summary's figures
(办结各类商标侵权案件、涉案金额、罚没款、移送司法机关案件).

Territory: every case handled in Tianjin counts for the city (``province_code = '12'``); its district is the
case's district. The dataset is the case's own. Counting rules: see ``enforcement.service``.
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select

from ipbureau.protection.enforcement.enums import CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from ipbureau.stats.definitions import IndicatorDef, Measure, Subject, dated_in

TERRITORY = "全市办理的案件均计入全市；区为案件所属区。含商标、假冒专利、地理标志、奥林匹克标志等各类案件。"


def _columns():
    return (EnforcementCase.id.label("id"), EnforcementCase.dataset.label("dataset"),
            literal("12").label("province_code"), EnforcementCase.district_code.label("district_code"),
            EnforcementCase.category.label("category"))


def closed_source() -> FromClause:
    return select(*_columns(), EnforcementCase.closed_on.label("closed_on"),
                  EnforcementCase.amount_involved_yuan.label("amount_yuan"),
                  EnforcementCase.fines_yuan.label("fines_yuan")).where(
        EnforcementCase.status.in_([CaseStatus.CLOSED.value, CaseStatus.TRANSFERRED.value]),
        EnforcementCase.closed_on.is_not(None))


def transferred_source() -> FromClause:
    return select(*_columns(), EnforcementCase.transferred_on.label("transferred_on")).where(
        EnforcementCase.transferred.is_(True), EnforcementCase.transferred_on.is_not(None))


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="enforcement_cases_closed",
        name="办结执法案件数",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition=("统计期内办结的知识产权行政执法案件数（作出处罚或不予处罚决定结案，或移送司法机关而终结行政程序），"
                    "以结案日计入期间。" + TERRITORY),
        formula="COUNT(执法案件 | 状态 ∈ {已结案, 已移送} 且 期初 ≤ 结案日 ≤ 期末)",
        sources=("enforcement_case",),
        date_column="closed_on",
        condition=dated_in("closed_on"),
        source=closed_source,
    ),
    IndicatorDef(
        code="enforcement_amount_involved",
        name="执法案件涉案金额",
        unit="万元",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition="统计期内办结的执法案件的涉案金额合计（元折算为万元），以结案日计入期间。" + TERRITORY,
        formula="SUM(涉案金额 | 办结 且 期初 ≤ 结案日 ≤ 期末) ÷ 10000",
        sources=("enforcement_case",),
        date_column="closed_on",
        condition=dated_in("closed_on"),
        source=closed_source,
        sum_column="amount_yuan",
        scale=10000,
    ),
    IndicatorDef(
        code="enforcement_fines",
        name="执法案件罚没款",
        unit="万元",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition="统计期内办结的执法案件的罚款和没收违法所得合计（元折算为万元），以结案日计入期间。" + TERRITORY,
        formula="SUM(罚没款 | 办结 且 期初 ≤ 结案日 ≤ 期末) ÷ 10000",
        sources=("enforcement_case",),
        date_column="closed_on",
        condition=dated_in("closed_on"),
        source=closed_source,
        sum_column="fines_yuan",
        scale=10000,
    ),
    IndicatorDef(
        code="enforcement_cases_transferred",
        name="移送司法机关案件数",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition="统计期内移送司法机关（涉嫌犯罪）的执法案件数，以移送日计入期间。" + TERRITORY,
        formula="COUNT(执法案件 | 已移送 且 期初 ≤ 移送日 ≤ 期末)",
        sources=("enforcement_case",),
        date_column="transferred_on",
        condition=dated_in("transferred_on"),
        source=transferred_source,
    ),
)

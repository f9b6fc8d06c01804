"""The screening's indicators (非正常专利申请) for the statistics catalogue.

Territory: every screened application counts for the city (``province_code = '12'``, the bureau
screens what it holds); the district is the application's (``patent.district_code``) and the
dataset is the application's, so demo patents' cases are demo records.
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select

from ipbureau.patents.models import Patent
from ipbureau.protection.screening.enums import CaseStatus, Handling
from ipbureau.protection.screening.models import ScreeningCase
from ipbureau.stats.definitions import IndicatorDef, Measure, Subject, dated_in, day_of

TERRITORY = "全部计入全市；区为该申请的区（专利记录的所在区）。演示专利的审查记录属于演示数据。"
COMPLETE = (Handling.WITHDRAWN.value, Handling.REJECTED.value, Handling.CORRECTED.value)


def _patent_columns():
    return (Patent.dataset.label("dataset"), literal("12").label("province_code"),
            Patent.district_code.label("district_code"))


def confirmed_source() -> FromClause:
    return (select(ScreeningCase.id.label("id"), *_patent_columns(),
                   day_of(ScreeningCase.decided_at).label("decided_on"))
            .join(Patent, Patent.id == ScreeningCase.patent_id)
            .where(ScreeningCase.status == CaseStatus.CONFIRMED.value, ScreeningCase.decided_at.is_not(None)))


def handled_source() -> FromClause:
    return (select(ScreeningCase.id.label("id"), *_patent_columns(), ScreeningCase.handled_on.label("handled_on"))
            .join(Patent, Patent.id == ScreeningCase.patent_id)
            .where(ScreeningCase.status == CaseStatus.CONFIRMED.value, ScreeningCase.handling.in_(COMPLETE),
                   ScreeningCase.handled_on.is_not(None)))


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="abnormal_applications_confirmed",
        name="认定非正常专利申请量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition=("统计期内经筛查、人工审查认定为非正常专利申请（《关于规范申请专利行为的规定》）的申请件数，"
                    "以认定日期计入期间；被排除的不计。" + TERRITORY),
        formula="COUNT(筛查案件 | 审查结论 = 认定非正常 且 期初 ≤ 认定日 ≤ 期末)",
        sources=("screening_case", "patent"),
        date_column="decided_on",
        condition=dated_in("decided_on"),
        source=confirmed_source,
    ),
    IndicatorDef(
        code="abnormal_applications_handled",
        name="非正常申请处理完成量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition=("统计期内处理完成（申请人主动撤回、被驳回或已整改）的已认定非正常专利申请件数，"
                    "以处理完成日期计入期间。" + TERRITORY),
        formula="COUNT(筛查案件 | 认定非正常 且 处理结果 ∈ {撤回, 驳回, 整改} 且 期初 ≤ 处理完成日 ≤ 期末)",
        sources=("screening_case", "patent"),
        date_column="handled_on",
        condition=dated_in("handled_on"),
        source=handled_source,
    ),
)

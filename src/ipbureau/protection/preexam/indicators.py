"""The pre-examination indicators (专利预审) for the statistics catalogue.

Territory: both protection centres serve the whole city, so every case counts for the city
(``province_code = '12'``); the district is the applicant enterprise's district. The dataset
is the applicant enterprise's: demo enterprises' cases are demo records.
Dates: receipt (UTC day of ``received_at``), the qualification decision (UTC day of
``decided_at``) and the grant date recorded from CNIPA's notice.
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select

from ipbureau.enterprises.models import Enterprise
from ipbureau.protection.preexam.enums import Decision
from ipbureau.protection.preexam.models import Case
from ipbureau.stats.definitions import IndicatorDef, Measure, Subject, dated_in, dated_in_where, day_of

TERRITORY = "两个保护中心的案件均计入全市；区为申请企业所在区。演示企业的案件属于演示数据。"


def cases_source() -> FromClause:
    return (select(Case.id.label("id"), Enterprise.dataset.label("dataset"), literal("12").label("province_code"),
                   Enterprise.district_code.label("district_code"),
                   day_of(Case.received_at).label("received_on"), day_of(Case.decided_at).label("decided_on"),
                   Case.granted_on.label("granted_on"), Case.decision.label("decision"),
                   Case.centre_id.label("centre_id"))
            .join(Enterprise, Enterprise.id == Case.enterprise_id))


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="preexam_cases_received",
        name="预审案件受理量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition="统计期内市知识产权保护中心和滨海新区知识产权保护中心受理的专利预审案件数，以受理日计入期间；"
                   "其后撤回的仍计入。" + TERRITORY,
        formula="COUNT(预审案件 | 期初 ≤ 受理日 ≤ 期末)",
        sources=("preexam_case", "enterprise"),
        date_column="received_on",
        condition=dated_in("received_on"),
        source=cases_source,
    ),
    IndicatorDef(
        code="preexam_cases_qualified",
        name="预审合格量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition="统计期内经保护中心审查员预审合格的案件数，以预审结论日计入期间（受理可在上期）。" + TERRITORY,
        formula="COUNT(预审案件 | 预审结论 = 合格 且 期初 ≤ 结论日 ≤ 期末)",
        sources=("preexam_case", "enterprise"),
        date_column="decided_on",
        condition=dated_in_where("decided_on", lambda t: t.c.decision == Decision.QUALIFIED.value),
        source=cases_source,
    ),
    IndicatorDef(
        code="preexam_cases_granted",
        name="预审后授权量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition="统计期内经预审合格、提交国家知识产权局后获得授权的案件数，以授权日计入期间。" + TERRITORY,
        formula="COUNT(预审案件 | 期初 ≤ 授权日 ≤ 期末)",
        sources=("preexam_case", "enterprise"),
        date_column="granted_on",
        condition=dated_in("granted_on"),
        source=cases_source,
    ),
)

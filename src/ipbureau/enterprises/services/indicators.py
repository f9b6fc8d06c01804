"""Enterprise cultivation and service indicators (企业培育与服务) for the statistics catalogue.

Territory: every record counts for the city (``province_code = '12'``, these are the bureau's
own services to Tianjin enterprises); the district is the enterprise's. A training has its own
district (the organising district, NULL for the city bureau) and dataset, because a training
exists whether or not any enterprise was recorded at it.

``service_visits`` counts 服务人员人次 — the SUM of staff sent on each visit — because the
2022 summary's "派出服务人员665人次" counts staff, not visits; ``enterprises_visited`` counts
the distinct units (“深入294家单位”).
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select, union_all

from ipbureau.enterprises.enums import AssessmentStatus
from ipbureau.enterprises.models import AdvantageAssessment, Enterprise
from ipbureau.enterprises.services.models import (
    FeeReduction,
    ServiceVisit,
    Training,
    TrainingAttendance,
)
from ipbureau.stats.definitions import IndicatorDef, Measure, Subject, dated_in

CITY = literal("12")
TERRITORY = "全部计入全市；区为企业所在区。演示企业的记录属于演示数据。"


def _enterprise_columns():
    return (Enterprise.dataset.label("dataset"), CITY.label("province_code"), Enterprise.district_code.label("district_code"))


def assessments_source() -> FromClause:
    return (select(AdvantageAssessment.id.label("id"), *_enterprise_columns(),
                   AdvantageAssessment.decided_on.label("decided_on"),
                   AdvantageAssessment.enterprise_id.label("enterprise_id"), AdvantageAssessment.level.label("level"))
            .join(Enterprise, Enterprise.id == AdvantageAssessment.enterprise_id)
            .where(AdvantageAssessment.status == AssessmentStatus.CONFIRMED.value,
                   AdvantageAssessment.decided_on.is_not(None)))


def visits_source() -> FromClause:
    return (select(ServiceVisit.id.label("id"), *_enterprise_columns(), ServiceVisit.visited_on.label("visited_on"),
                   ServiceVisit.enterprise_id.label("enterprise_id"), ServiceVisit.staff_count.label("staff_count"),
                   ServiceVisit.problems_solved.label("problems_solved"))
            .join(Enterprise, Enterprise.id == ServiceVisit.enterprise_id))


def trainings_source() -> FromClause:
    return select(Training.id.label("id"), Training.dataset.label("dataset"), CITY.label("province_code"),
                  Training.district_code.label("district_code"), Training.held_on.label("held_on"),
                  Training.total_participants.label("total_participants"))


def attendances_source() -> FromClause:
    return (select(TrainingAttendance.id.label("id"), *_enterprise_columns(), Training.held_on.label("held_on"),
                   TrainingAttendance.enterprise_id.label("enterprise_id"))
            .join(Training, Training.id == TrainingAttendance.training_id)
            .join(Enterprise, Enterprise.id == TrainingAttendance.enterprise_id))


def fee_reductions_source() -> FromClause:
    return (select(FeeReduction.id.label("id"), *_enterprise_columns(), FeeReduction.recorded_on.label("recorded_on"),
                    FeeReduction.enterprise_id.label("enterprise_id"), FeeReduction.amount_yuan.label("amount_yuan"))
            .join(Enterprise, Enterprise.id == FeeReduction.enterprise_id))


def served_source() -> FromClause:
    """One row per service event (visit, training attended, fee reduction) with its enterprise."""
    visits = (select(ServiceVisit.enterprise_id.label("enterprise_id"), ServiceVisit.visited_on.label("served_on"))
              .select_from(ServiceVisit))
    trained = (select(TrainingAttendance.enterprise_id.label("enterprise_id"), Training.held_on.label("served_on"))
               .join(Training, Training.id == TrainingAttendance.training_id))
    reduced = select(FeeReduction.enterprise_id.label("enterprise_id"), FeeReduction.recorded_on.label("served_on"))
    events = union_all(visits, trained, reduced).subquery("service_events")
    return (select(events.c.enterprise_id.label("id"), *_enterprise_columns(), events.c.served_on,
                   events.c.enterprise_id)
            .join(Enterprise, Enterprise.id == events.c.enterprise_id))


def _service(code: str, name: str, unit: str, definition: str, formula: str, sources: tuple[str, ...],
             date_column: str, source, **extra) -> IndicatorDef:
    return IndicatorDef(code=code, name=name, unit=unit, subject=Subject.SERVICE, measure=Measure.FLOW,
                        definition=definition, formula=formula, sources=sources, date_column=date_column,
                        condition=dated_in(date_column), source=source, **extra)


INDICATORS: tuple[IndicatorDef, ...] = (
    _service("advantage_enterprises_cultivated", "认定的知识产权优势/示范企业数", "家",
             "统计期内经评审认定为知识产权优势企业或示范企业的企业数，以认定日期计入期间；同一企业期内多次认定只计一次。"
             "对应 2023 年工作要点（七）“择优培育知识产权优势企业100家”。" + TERRITORY,
             "COUNT(DISTINCT 企业 | 评审结论 = 认定 且 期初 ≤ 认定日 ≤ 期末)",
             ("enterprise_assessment",), "decided_on", assessments_source, distinct_column="enterprise_id"),
    _service("trained_enterprises", "参训企业数", "家",
             "统计期内参加知识产权培训、宣讲活动的企业数（按参训记录中的企业去重），以培训日期计入期间。"
             "对应 2023 年工作要点（八）“本市参训企业不少于1000家”。" + TERRITORY,
             "COUNT(DISTINCT 企业 | 期初 ≤ 培训日期 ≤ 期末)",
             ("service_training", "service_training_attendance"), "held_on", attendances_source,
             distinct_column="enterprise_id"),
    _service("trainings_held", "培训场次", "场",
             "统计期内举办的知识产权培训、宣讲活动场次（线上、线下），以举办日期计入期间；区为主办区，市局主办的只计入全市。",
             "COUNT(培训 | 期初 ≤ 举办日期 ≤ 期末)", ("service_training",), "held_on", trainings_source),
    _service("training_participants", "参训人次", "人次",
             "统计期内各场培训的参训总人次之和（含未登记企业的参训人员），以举办日期计入期间；区为主办区。",
             "SUM(参训总人次 | 期初 ≤ 举办日期 ≤ 期末)", ("service_training",), "held_on", trainings_source,
             sum_column="total_participants"),
    _service("service_visits", "服务走访人次", "人次",
             "统计期内服务队走访企业派出的服务人员人次（每次走访的服务人员数之和，对应“派出服务人员665人次”），"
             "以走访日期计入期间。" + TERRITORY,
             "SUM(走访服务人员数 | 期初 ≤ 走访日期 ≤ 期末)", ("service_visit",), "visited_on", visits_source,
             sum_column="staff_count"),
    _service("enterprises_visited", "走访单位数", "家",
             "统计期内服务队走访的单位数（同一单位多次走访只计一次），以走访日期计入期间。" + TERRITORY,
             "COUNT(DISTINCT 企业 | 期初 ≤ 走访日期 ≤ 期末)", ("service_visit",), "visited_on", visits_source,
             distinct_column="enterprise_id"),
    _service("problems_solved", "解决问题数", "个",
             "统计期内走访中帮助协调解决的问题数之和，以走访日期计入期间。" + TERRITORY,
             "SUM(解决问题数 | 期初 ≤ 走访日期 ≤ 期末)", ("service_visit",), "visited_on", visits_source,
             sum_column="problems_solved"),
    _service("fee_reduction_enterprises", "减缴专利费用企业数", "家",
             "统计期内办理专利费用减缴备案的企业数（去重），以备案日期计入期间。" + TERRITORY,
             "COUNT(DISTINCT 企业 | 期初 ≤ 备案日期 ≤ 期末)", ("service_fee_reduction",), "recorded_on",
             fee_reductions_source, distinct_column="enterprise_id"),
    _service("fee_reduction_amount", "减缴专利费用金额", "万元",
             "统计期内备案的专利费用减缴金额合计（元折算为万元），以备案日期计入期间。" + TERRITORY,
             "SUM(减缴金额 | 期初 ≤ 备案日期 ≤ 期末) ÷ 10000", ("service_fee_reduction",), "recorded_on",
             fee_reductions_source, sum_column="amount_yuan", scale=10000),
    _service("enterprises_served", "知识产权服务惠及企业数", "家",
             "统计期内接受过服务队走访、参加过培训或办理过专利费用减缴的企业数（三类记录合并去重），"
             "对应 2023 年工作要点（九）“知识产权服务惠及10000家企业”。" + TERRITORY,
             "COUNT(DISTINCT 企业 | 走访 ∪ 参训 ∪ 费用减缴，日期在期内)",
             ("service_visit", "service_training_attendance", "service_fee_reduction"), "served_on", served_source,
             distinct_column="enterprise_id"),
)

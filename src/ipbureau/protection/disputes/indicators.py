"""Dispute indicators (纠纷调解、行政裁决) for the statistics catalogue.

Territory: every case handled in Tianjin counts for the city (``province_code = '12'``); its district is
the case's district. The dataset is the case's own (parties may be natural persons). A case counts in the
period of its conclusion day (agreement, failure, withdrawal, decision).
"""

from __future__ import annotations

from sqlalchemy import FromClause, literal, select

from ipbureau.protection.disputes.enums import DisputeKind, DisputeStatus
from ipbureau.protection.disputes.models import DisputeCase
from ipbureau.stats.definitions import IndicatorDef, Measure, Subject, dated_in

TERRITORY = "全市受理的案件均计入全市；区为案件所属区。"


def _closed_source(kind: DisputeKind):
    def source() -> FromClause:
        return select(DisputeCase.id.label("id"), DisputeCase.dataset.label("dataset"),
                      literal("12").label("province_code"), DisputeCase.district_code.label("district_code"),
                      DisputeCase.concluded_on.label("concluded_on"), DisputeCase.outcome.label("outcome"),
                      DisputeCase.decision.label("decision")).where(
            DisputeCase.kind == kind.value, DisputeCase.status == DisputeStatus.CLOSED.value,
            DisputeCase.concluded_on.is_not(None))
    return source


INDICATORS: tuple[IndicatorDef, ...] = (
    IndicatorDef(
        code="disputes_mediated",
        name="纠纷调解结案量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition=("统计期内调解结案的知识产权纠纷件数（人民调解委员会及知识产权管理部门调解），"
                    "含达成调解协议、调解不成和撤回申请，以结案日计入期间。" + TERRITORY),
        formula="COUNT(调解案件 | 状态 = 已结案 且 期初 ≤ 结案日 ≤ 期末)",
        sources=("dispute_case",),
        date_column="concluded_on",
        condition=dated_in("concluded_on"),
        source=_closed_source(DisputeKind.MEDIATION),
    ),
    IndicatorDef(
        code="adjudication_cases_closed",
        name="行政裁决结案量",
        unit="件",
        subject=Subject.PROTECTION,
        measure=Measure.FLOW,
        definition=("统计期内办结的知识产权侵权纠纷行政裁决案件数（作出裁决、和解或请求人撤回），以结案日计入期间；"
                    "不予受理的不计。" + TERRITORY),
        formula="COUNT(行政裁决案件 | 状态 = 已结案 且 期初 ≤ 结案日 ≤ 期末)",
        sources=("dispute_case",),
        date_column="concluded_on",
        condition=dated_in("concluded_on"),
        source=_closed_source(DisputeKind.ADJUDICATION),
    ),
)

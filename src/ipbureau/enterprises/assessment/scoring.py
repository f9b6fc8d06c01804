"""Scoring model for 知识产权优势企业 / 示范企业 (2023年工作要点（七）: 择优培育知识产权优势企业100家).

The score (0–100, minus deductions) is the sum of nine criteria over the enterprise's own
records. Each criterion gives ``weight × min(1, value / saturation)`` points: linear up to the
value at which an enterprise is clearly strong on that criterion, flat beyond it, so that one
very large patent portfolio cannot make up for having no management, no use and no training.

Criteria and why they weigh what they weigh (the national evaluation of 优势/示范企业 looks at
creation, use, protection and management; we can only score what our records hold):

* 有效发明专利 (20, saturates at 20 件) — the core of an IP advantage; inventions only, because
  utility models and designs are not examined for inventiveness.
* 每百名从业人员有效发明专利 (10, saturates at 5) — intensity, so that a small firm with a
  focused portfolio is not outranked by size alone; 0 when the headcount is unknown.
* 近三年发明专利授权 (15, saturates at 15 件) — current creation, not past merit.
* 发明专利授权增长 (5, saturates at +50 %) — the last 12 months against the 12 before; an
  enterprise with grants now and none a year earlier gets full points; a decline scores 0.
* 高价值发明专利 (15, saturates at 10 件) — valid inventions that are in a key industry chain,
  have a foreign family member, have been maintained 10+ years or were pledged: the same test
  as the city's 高价值发明专利 indicator (``stats.catalogue.high_value_invention_valid_at``).
* 有效注册商标 (5, saturates at 5 件) — brand protection.
* 近三年运用 (10, saturates at 5 项) — licences granted, transfers completed and pledges
  registered on the marketplace in the last three years (转化运用).
* 近三年参训 (5, saturates at 3 场) — trainings attended (the bureau's 企业知识产权培训).
* 知识产权管理 (15) — points recorded directly: IP staff 2 per person up to 3 (6), an IP
  department (3), GB/T 29490 certification (4), written IP policies (2).

Deductions (subtracted, total at most 30): each enforcement case decided against the
enterprise −10; each of its patent applications found abnormal (非正常专利申请) −2. They
come from the protection modules' records (see ``penalties`` and ``PENALTY_SOURCES``).

Thresholds: 优势企业 ≥ 60 分 and at least 3 valid inventions; 示范企业 ≥ 80 分 and at least
10 valid inventions. They pick out enterprises for review; the city bureau decides (``workflows.ASSESSMENT``).

Everything is computed with one GROUP BY query per group of criteria for all enterprises in
scope at once (a candidate list of thousands does not query per enterprise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from ipbureau.enterprises.assessment import penalties
from ipbureau.enterprises.assessment.penalties import years_before
from ipbureau.enterprises.enums import AssessmentLevel
from ipbureau.enterprises.models import Enterprise, EnterpriseIpManagement
from ipbureau.enterprises.services.models import Training, TrainingAttendance
from ipbureau.market.enums import DealStatus, ListingKind
from ipbureau.market.models import Deal, Licence, Pledge
from ipbureau.navigation.chains import load_chains
from ipbureau.patents.enums import PatentType
from ipbureau.patents.models import PatentApplicant
from ipbureau.stats.catalogue import (
    PATENT,
    TRADEMARK,
    high_value_invention_valid_at,
    invention_valid_at,
    trademark_valid_at,
)


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    weight: float  # points at saturation
    saturation: float  # the value that earns the full weight
    unit: str


CRITERIA: tuple[Criterion, ...] = (
    Criterion("valid_inventions", "有效发明专利", 20, 20, "件"),
    Criterion("inventions_per_100_staff", "每百名从业人员有效发明专利", 10, 5, "件"),
    Criterion("recent_invention_grants", "近三年发明专利授权", 15, 15, "件"),
    Criterion("grant_growth", "发明专利授权增长", 5, 0.5, "%"),
    Criterion("high_value_patents", "高价值发明专利", 15, 10, "件"),
    Criterion("trademarks", "有效注册商标", 5, 5, "件"),
    Criterion("operations", "近三年许可、转让、质押", 10, 5, "项"),
    Criterion("trainings", "近三年参训场次", 5, 3, "场"),
    Criterion("management", "知识产权管理", 15, 15, "分"),
)
CRITERIA_BY_CODE = {c.code: c for c in CRITERIA}
assert sum(c.weight for c in CRITERIA) == 100

# Deductions: points per record and the cap on their total.
PENALTY_PER_ENFORCEMENT_CASE = 10
PENALTY_PER_ABNORMAL_APPLICATION = 2
PENALTY_CAP = 30

# Level thresholds (score, minimum valid inventions).
THRESHOLDS: dict[AssessmentLevel, tuple[float, int]] = {
    AssessmentLevel.DEMONSTRATION: (80, 10),
    AssessmentLevel.ADVANTAGE: (60, 3),
}

# Management points: per IP staff member (up to 3 people), department, certification, policies.
MANAGEMENT_POINTS = {"per_staff": 2, "max_staff": 3, "department": 3, "certified": 4, "policy": 2}


@dataclass
class EnterpriseScore:
    enterprise_id: int
    name: str
    district_code: str | None
    industry_chain: str | None
    dataset: str
    values: dict[str, float] = field(default_factory=dict)
    points: dict[str, float] = field(default_factory=dict)
    penalties: dict[str, int] = field(default_factory=dict)
    deduction: float = 0.0
    total: float = 0.0
    level: AssessmentLevel | None = None

    def breakdown(self) -> dict[str, Any]:
        """JSON form, frozen into an assessment when its review starts."""
        return {"criteria": {c.code: {"label": c.label, "value": self.values.get(c.code, 0),
                                      "points": self.points.get(c.code, 0), "weight": c.weight} for c in CRITERIA},
                "penalties": dict(self.penalties), "deduction": self.deduction, "total": self.total,
                "level": self.level.value if self.level else None}


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def points_for(criterion: Criterion, value: float) -> float:
    if value <= 0:
        return 0.0
    return round(criterion.weight * min(1.0, value / criterion.saturation), 2)


def management_points(ip_staff: int, department: bool, certified: bool, policy: bool) -> float:
    p = MANAGEMENT_POINTS
    return (min(max(ip_staff, 0), p["max_staff"]) * p["per_staff"] + (p["department"] if department else 0)
            + (p["certified"] if certified else 0) + (p["policy"] if policy else 0))


def growth(last: int, previous: int) -> float:
    """Grant growth as a fraction; with no grants a year earlier, any grants now count as full growth."""
    if last <= 0:
        return 0.0
    if previous <= 0:
        return CRITERIA_BY_CODE["grant_growth"].saturation
    return (last - previous) / previous


def level_for(total: float, valid_inventions: int) -> AssessmentLevel | None:
    for level, (score, inventions) in THRESHOLDS.items():
        if total >= score and valid_inventions >= inventions:
            return level
    return None


# ---- the aggregate queries ----------------------------------------------------------------------


def _patent_counts(session: Session, scope: Select, as_of: date) -> dict[int, tuple[int, ...]]:
    t = PATENT
    three_years = years_before(as_of, 3)
    one_year, two_years = years_before(as_of, 1), years_before(as_of, 2)
    invention_granted = and_(t.c.patent_type == PatentType.INVENTION.value, t.c.grant_date.is_not(None))

    def distinct_if(condition):
        return func.count(func.distinct(case((condition, t.c.id))))

    query = (select(PatentApplicant.enterprise_id,
                    distinct_if(invention_valid_at(t, as_of, as_of)),
                    distinct_if(and_(invention_granted, t.c.grant_date > three_years, t.c.grant_date <= as_of)),
                    distinct_if(and_(invention_granted, t.c.grant_date > one_year, t.c.grant_date <= as_of)),
                    distinct_if(and_(invention_granted, t.c.grant_date > two_years, t.c.grant_date <= one_year)),
                    # the chains read on this session: no second connection inside a request
                    distinct_if(high_value_invention_valid_at(t, as_of, as_of, load_chains(session))))
             .join(t, t.c.id == PatentApplicant.patent_id)
             .where(PatentApplicant.enterprise_id.in_(scope))
             .group_by(PatentApplicant.enterprise_id))
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in session.execute(query)}


def _grouped_count(session: Session, query: Select) -> dict[int, int]:
    return {row[0]: int(row[1] or 0) for row in session.execute(query)}


def _trademarks(session: Session, scope: Select, as_of: date) -> dict[int, int]:
    t = TRADEMARK
    return _grouped_count(session, select(t.c.enterprise_id, func.count()).where(
        t.c.enterprise_id.in_(scope), trademark_valid_at(t, as_of, as_of)).group_by(t.c.enterprise_id))


def _operations(session: Session, scope: Select, as_of: date) -> dict[int, int]:
    """Licences granted, transfers completed, pledges registered in the last three years."""
    since = years_before(as_of, 3)
    totals: dict[int, int] = {}
    queries = (
        select(Licence.licensor_enterprise_id, func.count()).where(
            Licence.licensor_enterprise_id.in_(scope), Licence.term_start > since, Licence.term_start <= as_of)
        .group_by(Licence.licensor_enterprise_id),
        select(Deal.holder_enterprise_id, func.count()).where(
            Deal.holder_enterprise_id.in_(scope), Deal.kind == ListingKind.TRANSFER.value,
            Deal.status == DealStatus.DONE.value, Deal.done_at >= _start_of(since + timedelta(days=1)),
            Deal.done_at < _start_of(as_of + timedelta(days=1)))
        .group_by(Deal.holder_enterprise_id),
        select(Pledge.holder_enterprise_id, func.count()).where(
            Pledge.holder_enterprise_id.in_(scope), Pledge.registered_on > since, Pledge.registered_on <= as_of)
        .group_by(Pledge.holder_enterprise_id),
    )
    for query in queries:
        for enterprise_id, n in _grouped_count(session, query).items():
            totals[enterprise_id] = totals.get(enterprise_id, 0) + n
    return totals


def _trainings(session: Session, scope: Select, as_of: date) -> dict[int, int]:
    since = years_before(as_of, 3)
    # Two-table count, then the scope in Python: with the scope as a third relation, PostgreSQL planned a nested
    # loop over all three for freshly loaded (not yet analysed) tables that ran for minutes.
    in_scope = set(session.scalars(scope))
    counts = _grouped_count(session, select(TrainingAttendance.enterprise_id, func.count(func.distinct(Training.id)))
                            .join(Training, Training.id == TrainingAttendance.training_id)
                            .where(Training.held_on > since, Training.held_on <= as_of)
                            .group_by(TrainingAttendance.enterprise_id))
    return {enterprise_id: n for enterprise_id, n in counts.items() if enterprise_id in in_scope}


def _management(session: Session, scope: Select) -> dict[int, float]:
    rows = session.execute(select(EnterpriseIpManagement.enterprise_id, EnterpriseIpManagement.ip_staff,
                                  EnterpriseIpManagement.has_ip_department, EnterpriseIpManagement.standard_certified,
                                  EnterpriseIpManagement.has_ip_policy)
                           .where(EnterpriseIpManagement.enterprise_id.in_(scope)))
    return {r[0]: management_points(r[1] or 0, bool(r[2]), bool(r[3]), bool(r[4])) for r in rows}


# Deductions: key -> (label, points per record, the query counting the records per enterprise).
PENALTY_SOURCES: dict[str, tuple[str, int, penalties.PenaltyQuery]] = {
    "enforcement": ("行政执法处罚案件", PENALTY_PER_ENFORCEMENT_CASE, penalties.enforcement_query),
    "abnormal": ("非正常专利申请", PENALTY_PER_ABNORMAL_APPLICATION, penalties.abnormal_query),
}


def enterprise_scope(*, enterprise_ids: list[int] | None = None, district_code: str | None = None,
                     chain: str | None = None, dataset: str | None = None, q: str | None = None) -> Select:
    """``SELECT enterprise.id`` of the enterprises to score (every one without conditions)."""
    scope = select(Enterprise.id)
    if enterprise_ids is not None:
        scope = scope.where(Enterprise.id.in_(enterprise_ids))
    if district_code:
        scope = scope.where(Enterprise.district_code == district_code)
    if chain:
        scope = scope.where(Enterprise.industry_chain == chain)
    if dataset:
        scope = scope.where(Enterprise.dataset == dataset)
    if q:
        scope = scope.where(Enterprise.name.contains(q))
    return scope


def score_enterprises(session: Session, *, as_of: date | None = None, scope: Select | None = None) -> list[EnterpriseScore]:
    """Scores of the enterprises in ``scope`` (``SELECT enterprise.id``; default every enterprise), highest first
    (ties by name)."""
    as_of = as_of or date.today()
    scope = enterprise_scope() if scope is None else scope
    base = session.execute(select(Enterprise.id, Enterprise.name, Enterprise.district_code, Enterprise.industry_chain,
                                  Enterprise.dataset, Enterprise.employees).where(Enterprise.id.in_(scope))).all()
    patents = _patent_counts(session, scope, as_of)
    trademarks = _trademarks(session, scope, as_of)
    operations = _operations(session, scope, as_of)
    trainings = _trainings(session, scope, as_of)
    management = _management(session, scope)
    found_penalties = {key: penalties.count(session, query, scope, as_of)
                       for key, (_label, _points, query) in PENALTY_SOURCES.items()}

    scores = []
    for enterprise_id, name, district, chain_code, ds, employees in base:
        valid, recent, last, previous, high_value = patents.get(enterprise_id, (0, 0, 0, 0, 0))
        values = {
            "valid_inventions": valid,
            "inventions_per_100_staff": round(valid * 100 / employees, 2) if employees else 0.0,
            "recent_invention_grants": recent,
            "grant_growth": round(growth(last, previous), 4),
            "high_value_patents": high_value,
            "trademarks": trademarks.get(enterprise_id, 0),
            "operations": operations.get(enterprise_id, 0),
            "trainings": trainings.get(enterprise_id, 0),
            "management": management.get(enterprise_id, 0),
        }
        points = {c.code: points_for(c, values[c.code]) for c in CRITERIA}
        found = {key: counts.get(enterprise_id, 0) for key, counts in found_penalties.items()}
        deduction = min(PENALTY_CAP, sum(PENALTY_SOURCES[k][1] * n for k, n in found.items()))
        total = round(max(0.0, sum(points.values()) - deduction), 2)
        scores.append(EnterpriseScore(enterprise_id, name, district, chain_code, ds, values, points,
                                      {k: n for k, n in found.items() if n}, deduction, total,
                                      level_for(total, valid)))
    scores.sort(key=lambda s: (-s.total, s.name))
    return scores


def score_of(session: Session, enterprise_id: int, *, as_of: date | None = None) -> EnterpriseScore | None:
    found = score_enterprises(session, as_of=as_of, scope=enterprise_scope(enterprise_ids=[enterprise_id]))
    return found[0] if found else None

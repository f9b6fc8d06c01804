"""优势/示范企业培育 (no HTTP here): candidates by score, applications and their review, the IP management items.

Who may do what is the access policy's (``policy/enterprises.py``): candidates and applications are the
programme staff's (district staff: their district's), applying and the management items are the enterprise's
insiders', the review and the decision are the city bureau's (``workflows.ASSESSMENT``). Every change is
audited in the caller's transaction; the caller (the request's unit of work, or a CLI/job session) commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.audit import service as audit
from ipbureau.core.errors import DomainError
from ipbureau.core.workflow import Transition
from ipbureau.enterprises.assessment.schemas import (
    AssessmentCreate,
    AssessmentDecision,
    CandidateFilters,
    ManagementUpdate,
)
from ipbureau.enterprises.assessment.scoring import (
    CRITERIA,
    EnterpriseScore,
    enterprise_scope,
    score_enterprises,
    score_of,
)
from ipbureau.enterprises.enums import AssessmentLevel, AssessmentStatus
from ipbureau.enterprises.models import (
    AdvantageAssessment,
    Enterprise,
    EnterpriseIpManagement,
)
from ipbureau.enterprises.schemas import PAGE_SIZE, offset_of
from ipbureau.enterprises.spreadsheet import workbook
from ipbureau.enterprises.workflows import ASSESSMENT
from ipbureau.navigation.chains import load_chains
from ipbureau.policy import policy
from ipbureau.policy._scopes import locked_district
from ipbureau.reference.service import district_map

MANAGEMENT_FIELDS = ("ip_staff", "has_ip_department", "standard_certified", "has_ip_policy")


# ---- candidates ------------------------------------------------------------------------------------


def district_lock(user: Any) -> str | None:
    """The district a user's candidates are confined to (district staff), whatever the filter says."""
    return locked_district(user, policy.resource("enterprise"), "assess")


def candidates(session: Session, user: Any, filters: CandidateFilters, *, as_of: date | None = None
               ) -> list[EnterpriseScore]:
    """The scores of the enterprises the user may assess, highest first."""
    scope = enterprise_scope(district_code=district_lock(user) or filters.district_code, chain=filters.chain,
                             dataset=filters.dataset.value if filters.dataset else None, q=filters.q)
    scores = score_enterprises(session, as_of=as_of, scope=policy.scoped(scope, user, "enterprise", "assess"))
    if filters.level:
        scores = [s for s in scores if s.level == filters.level]
    return scores


@dataclass
class Programme:
    """The cultivation page: one page of candidates, how many reach each level, and the applications."""

    scores: list[EnterpriseScore]
    total: int
    levels: dict[AssessmentLevel, int]
    applications: list[AdvantageAssessment]
    actions: dict[int, list[Transition]] = field(default_factory=dict)  # application id -> buttons
    district_lock: str | None = None


def programme(session: Session, user: Any, filters: CandidateFilters, page: int) -> Programme:
    scores = candidates(session, user, filters)
    applications = list_applications(session, user)
    return Programme(
        scores=scores[offset_of(page): offset_of(page) + PAGE_SIZE], total=len(scores),
        levels={level: sum(1 for s in scores if s.level == level) for level in AssessmentLevel},
        applications=applications,
        actions={a.id: ASSESSMENT.available(session, user, a, policy) for a in applications},
        district_lock=district_lock(user))


def candidates_workbook(session: Session, user: Any, filters: CandidateFilters, *, as_of: date) -> bytes:
    scores = candidates(session, user, filters, as_of=as_of)
    districts = district_map(session)
    chains = {chain.code: chain.name for chain in load_chains(session)}
    headers = ["排名", "企业名称", "所属区", "产业链", "数据集", *(f"{c.label}（值）" for c in CRITERIA),
               *(f"{c.label}（得分/{c.weight:g}）" for c in CRITERIA), "扣分", "总分", "可申报等级"]
    rows = ([rank, s.name, districts.get(s.district_code or "", ""), chains.get(s.industry_chain or "", ""),
             "演示" if s.dataset == "demo" else "真实", *(s.values[c.code] for c in CRITERIA),
             *(s.points[c.code] for c in CRITERIA), s.deduction, s.total, s.level.label if s.level else ""]
            for rank, s in enumerate(scores, start=1))
    return workbook("优势企业培育候选", headers, rows, caption=f"评分日期 {as_of.isoformat()}", fixed_columns=2,
                    widths={"B": 36})


# ---- applications: 申报 → 评审 → 认定 / 不予认定 ----------------------------------------------------------


def apply(session: Session, user: Any, data: AssessmentCreate, *, today: date | None = None) -> AdvantageAssessment:
    """申报: for the user's own enterprise (district staff: their district's; city staff: any)."""
    today = today or date.today()
    enterprise = policy.get(session, user, "enterprise", data.enterprise_id)
    policy.authorize(session, user, "enterprise", "apply_assessment", enterprise)
    if not 2000 <= data.year <= today.year + 1:
        raise DomainError("年度", f"应在 2000 至 {today.year + 1} 之间")
    exists = session.scalar(select(AdvantageAssessment.id).where(
        AdvantageAssessment.enterprise_id == enterprise.id, AdvantageAssessment.year == data.year,
        AdvantageAssessment.level == data.level.value))
    if exists is not None:
        raise DomainError("年度", f"{enterprise.name} 已申报 {data.year} 年{data.level.label}")
    assessment = AdvantageAssessment(enterprise_id=enterprise.id, year=data.year, level=data.level.value,
                                     status=AssessmentStatus.APPLIED.value, applied_on=today,
                                     note=(data.note or "").strip() or None, created_by=getattr(user, "id", None))
    session.add(assessment)
    session.flush()
    audit.record(session, actor=user, action=f"{ASSESSMENT.entity_type}.apply", entity_type=ASSESSMENT.entity_type,
                 entity_id=assessment.id, summary=f"{enterprise.name} 申报 {data.year} 年{data.level.label}",
                 changes=audit.diff({}, audit.snapshot(assessment, ASSESSMENT.audited)))
    return assessment


def decide(session: Session, user: Any, assessment_id: int, action: str, decision: AssessmentDecision, *,
           today: date | None = None) -> AdvantageAssessment:
    """评审 (freezes the score and its breakdown), then 认定 or 不予认定 (with the decision date)."""
    today = today or date.today()
    assessment = policy.get(session, user, "enterprise.assessment", assessment_id)
    transition = ASSESSMENT.transition(action)
    summary = (f"{assessment.enterprise.name} {assessment.year} 年{AssessmentLevel(assessment.level).label}："
               f"{transition.label}")
    note = (decision.note or "").strip() or None
    with ASSESSMENT.step(session, assessment, action, actor=user, policy=policy, summary=summary):
        if action == "review":
            score = score_of(session, assessment.enterprise_id, as_of=today)
            assessment.score = score.total if score else 0.0
            assessment.breakdown = score.breakdown() if score else None
        else:
            decided_on = decision.decided_on or today
            if decided_on > today:
                raise DomainError("认定日期", "不能晚于今天")
            if decided_on < assessment.applied_on:
                raise DomainError("认定日期", "不能早于申报日期")
            if action == "reject" and note is None:
                raise DomainError("评审意见", "不予认定时请填写理由")
            assessment.decided_on = decided_on
            assessment.decided_by = getattr(user, "id", None)
        if note is not None:
            assessment.note = note
    return assessment


def list_applications(session: Session, user: Any, *, year: int | None = None,
                      status: AssessmentStatus | None = None) -> list[AdvantageAssessment]:
    query = policy.scoped(select(AdvantageAssessment), user, "enterprise.assessment")
    if year:
        query = query.where(AdvantageAssessment.year == year)
    if status:
        query = query.where(AdvantageAssessment.status == status.value)
    return list(session.scalars(query.order_by(AdvantageAssessment.year.desc(), AdvantageAssessment.id.desc())))


def applications_of(session: Session, enterprise: Enterprise) -> list[AdvantageAssessment]:
    """The enterprise's applications, for its profile (whose non-public part the caller has checked)."""
    return list(session.scalars(select(AdvantageAssessment).where(AdvantageAssessment.enterprise_id == enterprise.id)
                                .order_by(AdvantageAssessment.year.desc(), AdvantageAssessment.id.desc())))


# ---- 知识产权管理情况 ------------------------------------------------------------------------------------


def management_of(session: Session, enterprise: Enterprise) -> EnterpriseIpManagement | None:
    return session.scalar(select(EnterpriseIpManagement).where(EnterpriseIpManagement.enterprise_id == enterprise.id))


def save_management(session: Session, user: Any, enterprise_id: int, data: ManagementUpdate) -> EnterpriseIpManagement:
    """Record the enterprise's IP organisation (staff or the enterprise itself); audited."""
    enterprise = policy.get(session, user, "enterprise", enterprise_id)
    policy.authorize(session, user, "enterprise", "manage_ip", enterprise)
    record = management_of(session, enterprise)
    before = audit.snapshot(record, MANAGEMENT_FIELDS) if record else {}
    if record is None:
        record = EnterpriseIpManagement(enterprise_id=enterprise.id)
        session.add(record)
    for name in MANAGEMENT_FIELDS:
        setattr(record, name, getattr(data, name))
    record.updated_by = getattr(user, "id", None)
    session.flush()
    audit.record(session, actor=user, action="enterprises.management.update", entity_type="enterprise",
                 entity_id=enterprise.id, summary=f"更新 {enterprise.name} 的知识产权管理情况",
                 changes=audit.diff(before, audit.snapshot(record, MANAGEMENT_FIELDS)))
    return record

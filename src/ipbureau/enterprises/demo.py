"""Demo records of enterprise services and cultivation (visits, trainings, fee reductions, management items,
assessments), generated after the demo enterprises, patents and trademarks (see
ipbureau.demo.generator.DOMAIN_DEMO_MODULES). It sits above enterprises.services and enterprises.assessment
because it fills both (the assessment scores read the services' trainings).

Volumes follow the 2022 summary, scaled to the demo's enterprises: 8 service teams; per year
about 10 % of the enterprises visited (2022: 294 units), about 1.15 visits per unit with 1–4
staff each (≈ 2.3 staff per unit: 665 staff visits to 294 units), problems raised 0–3 and
solved ≤ raised (345 solved); about 60 trainings a year (2022: 63) with 8–40 enterprises and
≈ 80 participants each (4,891 / 63); fee-reduction records for about 40 % of the enterprises
a year (1.1 万家, 1.5 亿元: ≈ 13,600 yuan each); management items for a third of the
enterprises; each year the best-scoring enterprises apply and most are confirmed.
Years 2021–2023 and the current year up to ``as_of``. The demo-enterprise user's enterprise is
visited, trained and granted fee reductions every year.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select

from ipbureau.auth.models import User
from ipbureau.database.core import utcnow
from ipbureau.enterprises.assessment.scoring import enterprise_scope, score_enterprises
from ipbureau.enterprises.enums import AssessmentLevel, AssessmentStatus
from ipbureau.enterprises.models import (
    AdvantageAssessment,
    Enterprise,
    EnterpriseIpManagement,
)
from ipbureau.enterprises.services.models import (
    FeeReduction,
    ServiceTeam,
    ServiceVisit,
    Training,
    TrainingAttendance,
)

TEAMS = (
    ("知识产权保护服务队", "保护处"), ("专利服务队", "专利管理处"), ("商标品牌服务队", "商标处"),
    ("运营转化服务队", "运用促进处"), ("重点产业链服务队", "规划发展处"), ("政策宣讲服务队", "办公室"),
    ("公共服务队", "公共服务处"), ("海外维权服务队", "国际合作处"),
)
TOPICS = ("高价值专利培育", "商标注册与布局", "专利预审备案", "海外维权指导", "专利质押融资", "知识产权贯标",
          "专利费用减缴", "侵权纠纷应对", "专利导航", "地理标志使用")
TRAININGS = ("专利申请实务培训", "商标品牌建设专题讲座", "知识产权保护政策宣讲", "高价值专利培育研修班",
             "企业知识产权合规管理培训", "专利导航实务培训", "知识产权质押融资对接会", "海外知识产权纠纷应对培训",
             "4·26知识产权宣传周专题活动", "专利检索分析实训")
ORGANISERS = ("市知识产权局", "市知识产权保护中心", "审协天津中心", "中汽中心TISC", "市知识产权服务中心")


def delete_demo(session: Any) -> dict[str, int]:
    """Delete this module's demo rows (called before the demo enterprises and patents go)."""
    demo_enterprises = select(Enterprise.id).where(Enterprise.dataset == "demo")
    demo_trainings = select(Training.id).where(Training.dataset == "demo")
    counts = {
        "service_visits": session.execute(delete(ServiceVisit).where(
            ServiceVisit.enterprise_id.in_(demo_enterprises))).rowcount,
        "training_attendances": session.execute(delete(TrainingAttendance).where(
            TrainingAttendance.training_id.in_(demo_trainings) | TrainingAttendance.enterprise_id.in_(demo_enterprises))
        ).rowcount,
    }
    counts["trainings"] = session.execute(delete(Training).where(Training.dataset == "demo")).rowcount
    counts["fee_reductions"] = session.execute(delete(FeeReduction).where(
        FeeReduction.enterprise_id.in_(demo_enterprises))).rowcount
    counts["assessments"] = session.execute(delete(AdvantageAssessment).where(
        AdvantageAssessment.enterprise_id.in_(demo_enterprises))).rowcount
    session.execute(delete(EnterpriseIpManagement).where(EnterpriseIpManagement.enterprise_id.in_(demo_enterprises)))
    # Demo teams without any remaining (real) visit go too.
    used = select(ServiceVisit.team_id)
    counts["service_teams"] = session.execute(delete(ServiceTeam).where(
        ServiceTeam.dataset == "demo", ServiceTeam.id.not_in(used))).rowcount
    return counts


def _day(rng: random.Random, year: int, as_of: date) -> date:
    start = date(year, 1, 1)
    end = min(date(year, 12, 31), as_of)
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def load_demo(session: Any, rng: random.Random, *, as_of: date) -> str:
    """Create this module's demo rows; return a short Chinese summary."""
    enterprises = list(session.execute(select(Enterprise.id, Enterprise.district_code, Enterprise.employees)
                                       .where(Enterprise.dataset == "demo", Enterprise.kind == "enterprise")
                                       .order_by(Enterprise.id)).all())
    if not enterprises:
        return ""
    ids = [e[0] for e in enterprises]
    linked = session.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}

    existing_teams = {t.name: t.id for t in session.scalars(select(ServiceTeam))}
    team_ids = []
    for name, department in TEAMS:
        if name not in existing_teams:
            team = ServiceTeam(name=name, department=department, leader=None, dataset="demo")
            session.add(team)
            session.flush()
            existing_teams[name] = team.id
        team_ids.append(existing_teams[name])

    years = list(range(2021, as_of.year + 1))  # every year, so each dashboard year has records
    visit_rows, fee_rows, attendance_rows = [], [], []
    trainings_made = 0
    for year in years:
        # A partial current year gets a proportional share.
        share = 1.0 if year < as_of.year else max(0.05, (as_of - date(year, 1, 1)).days / 365)
        units = rng.sample(ids, min(len(ids), max(3, round(len(ids) * 0.10 * share))))
        if linked and linked not in units:
            units.append(linked)
        for unit in units:
            for _ in range(2 if rng.random() < 0.15 or unit == linked else 1):
                raised = rng.choice((0, 1, 1, 1, 2, 2, 3))
                solved = raised if rng.random() < 0.8 else rng.randint(0, raised)
                visit_rows.append({"team_id": rng.choice(team_ids), "enterprise_id": unit,
                                   "visited_on": _day(rng, year, as_of), "staff_count": rng.choice((1, 2, 2, 2, 3, 3, 4)),
                                   "problems_raised": raised, "problems_solved": solved,
                                   "topics": "、".join(rng.sample(TOPICS, 2)),
                                   "follow_up": rng.choice((None, "一个月后回访", "协调国家局加快审查", "推送质押融资政策")),
                                   **stamp})
        for _ in range(max(1, round(60 * share))):
            present = rng.sample(ids, min(len(ids), rng.randint(8, 40)))
            if linked and linked not in present and rng.random() < 0.1:
                present.append(linked)
            heads = {e: rng.choice((1, 1, 2, 2, 3)) for e in present}
            district = rng.choice([None, None, None] + sorted({d for _i, d, _e in enterprises if d}))
            training = Training(title=rng.choice(TRAININGS), held_on=_day(rng, year, as_of),
                                organiser=rng.choice(ORGANISERS), mode=rng.choice(("online", "offline", "mixed")),
                                district_code=district, total_participants=sum(heads.values()) + rng.randint(10, 60),
                                dataset="demo")
            session.add(training)
            session.flush()
            trainings_made += 1
            attendance_rows += [{"training_id": training.id, "enterprise_id": e, "headcount": h} for e, h in heads.items()]
        if linked:
            # The demo enterprise attends at least one training a year.
            first = session.scalar(select(Training.id).where(Training.dataset == "demo", Training.held_on >= date(year, 1, 1),
                                                             Training.held_on <= date(year, 12, 31)).limit(1))
            if first and not any(r["training_id"] == first and r["enterprise_id"] == linked for r in attendance_rows):
                attendance_rows.append({"training_id": first, "enterprise_id": linked, "headcount": 2})
        reduced = rng.sample(ids, min(len(ids), round(len(ids) * 0.4 * share)))
        if linked and linked not in reduced:
            reduced.append(linked)
        for enterprise_id in reduced:
            patents = rng.randint(1, 20)
            amount = Decimal(patents * rng.randint(400, 1500)).quantize(Decimal("0.01"))
            fee_rows.append({"enterprise_id": enterprise_id, "year": year, "recorded_on": _day(rng, year, as_of),
                             "amount_yuan": amount, "patents_count": patents, **stamp})
    session.execute(insert(ServiceVisit), visit_rows)
    session.execute(insert(TrainingAttendance), attendance_rows)
    session.execute(insert(FeeReduction), fee_rows)

    # Management items for a third of the enterprises (larger firms more often).
    management_rows = []
    for enterprise_id, _district, employees in enterprises:
        if enterprise_id == linked or rng.random() < (0.5 if (employees or 0) >= 100 else 0.25):
            management_rows.append({"enterprise_id": enterprise_id, "ip_staff": rng.randint(0, 4),
                                    "has_ip_department": rng.random() < 0.5, "standard_certified": rng.random() < 0.3,
                                    "has_ip_policy": rng.random() < 0.6, **stamp})
    session.execute(insert(EnterpriseIpManagement), management_rows)
    session.flush()

    # Each year the best-scoring enterprises (as scored at the year's end) apply; most are confirmed.
    confirmed = 0
    applications = []
    taken: set[tuple[int, int]] = set()
    per_year = max(2, len(ids) // 100)
    for year in years:
        if year >= as_of.year:
            as_of_year = as_of
        else:
            as_of_year = date(year, 12, 31)
        scores = score_enterprises(session, as_of=as_of_year, scope=enterprise_scope(dataset="demo"))
        candidates = [s for s in scores if s.enterprise_id in set(ids)][: per_year + per_year // 2]
        for s in candidates:
            level = AssessmentLevel.DEMONSTRATION if s.level == AssessmentLevel.DEMONSTRATION else AssessmentLevel.ADVANTAGE
            if (s.enterprise_id, year) in taken:
                continue
            taken.add((s.enterprise_id, year))
            applied_on = min(as_of_year, date(year, 5, 1) + timedelta(days=rng.randint(0, 60)))
            finished = year < as_of.year
            status = (AssessmentStatus.CONFIRMED if rng.random() < 0.75 else AssessmentStatus.REJECTED) if finished \
                else AssessmentStatus.REVIEWING
            decided = min(as_of_year, applied_on + timedelta(days=rng.randint(60, 150))) if finished else None
            confirmed += status == AssessmentStatus.CONFIRMED
            applications.append({
                "enterprise_id": s.enterprise_id, "year": year, "level": level.value, "status": status.value,
                "applied_on": applied_on, "score": s.total, "breakdown": s.breakdown(), "decided_on": decided,
                "note": None if status != AssessmentStatus.REJECTED else "高价值专利数量不足，建议继续培育", **stamp})
    if applications:
        session.execute(insert(AdvantageAssessment), applications)
    session.flush()
    staff = sum(r["staff_count"] for r in visit_rows)
    amount = sum(r["amount_yuan"] for r in fee_rows)
    return (f"企业服务：服务队 {len(TEAMS)} 支、走访 {len(visit_rows):,} 次（服务人员 {staff:,} 人次）、"
            f"培训 {trainings_made:,} 场、费用减缴 {len(fee_rows):,} 家次 {float(amount) / 10000:,.1f} 万元、"
            f"优势/示范企业认定 {confirmed} 家")

"""Enterprise profile page, the 优势/示范企业 scoring model, and the application workflow."""

from __future__ import annotations

import io
import threading
from datetime import date, timedelta
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import event, func, select

from ipbureau.audit.models import AuditLog
from ipbureau.enterprises.assessment import scoring
from ipbureau.enterprises.enums import AssessmentLevel
from ipbureau.enterprises.models import AdvantageAssessment, Enterprise, EnterpriseIpManagement
from ipbureau.enterprises.services import service as services
from ipbureau.enterprises.services.schemas import FeeReductionCreate, TeamCreate, TrainingCreate, VisitCreate
from ipbureau.patents.models import Patent, PatentApplicant
from ipbureau.trademarks.models import Trademark
from tests.conftest import bearer, csrf_from, login

AS_OF = date(2024, 6, 30)


_serial = iter(range(100000, 999999))


def add_patent(db, enterprise, *, patent_type="invention", status="valid", grant=None, filed=date(2020, 1, 1),
               family=None, lapse=None, title="一种测试装置"):
    n = next(_serial)
    patent = Patent(application_no=f"CN2020{n:06d}.X", patent_type=patent_type, title=title, legal_status=status,
                    grant_date=grant, filing_date=filed, family_size=family, lapse_date=lapse, province_code="12",
                    district_code=enterprise.district_code, record_hash=f"h{n}", dataset=enterprise.dataset)
    db.add(patent)
    db.flush()
    db.add(PatentApplicant(patent_id=patent.id, position=0, name=enterprise.name, enterprise_id=enterprise.id))
    return patent


def add_mark(db, enterprise, status="registered", registered=date(2022, 1, 1)):
    n = next(_serial)
    db.add(Trademark(application_no=f"6{n:07d}", mark_name=f"测试{n}", nice_classes=[9], primary_class=9,
                     applicant_name=enterprise.name, enterprise_id=enterprise.id, filing_date=date(2021, 1, 1),
                     registration_date=registered if status == "registered" else None,
                     expiry_date=date(2032, 1, 1) if status == "registered" else None, status=status,
                     record_hash=f"t{n}"))


def crafted_records(db, users, enterprise):
    """The documented example (see the module docstring of ipbureau.enterprises.assessment.scoring)."""
    from ipbureau.market.models import Pledge

    enterprise.employees = 40
    for _ in range(6):  # valid inventions granted 2023-03-01: recent, in the earlier 12-month window
        add_patent(db, enterprise, grant=date(2023, 3, 1))
    for i in range(4):  # granted 2024-01-10: the last 12 months; two with a foreign family member
        add_patent(db, enterprise, grant=date(2024, 1, 10), family=2 if i < 2 else 1)
    add_patent(db, enterprise, status="invalid", grant=date(2015, 5, 1), filed=date(2012, 1, 1), lapse=date(2020, 1, 1))
    for _ in range(3):
        add_patent(db, enterprise, patent_type="utility_model", grant=date(2024, 2, 1))
    add_mark(db, enterprise)
    add_mark(db, enterprise)
    add_mark(db, enterprise, status="applied")
    db.add(Pledge(holder_enterprise_id=enterprise.id, pledgee_bank="天津银行", amount_yuan=Decimal("1000000"),
                  registered_on=date(2023, 5, 1)))
    services.create_training(db, users["bureau_staff"], TrainingCreate(
        title="专利培训", held_on="2024-03-01", organiser="市局", participants=enterprise.name), today=AS_OF)
    db.add(EnterpriseIpManagement(enterprise_id=enterprise.id, ip_staff=2, has_ip_department=True))
    db.commit()


def test_scoring_on_crafted_records(db, users, enterprise):
    crafted_records(db, users, enterprise)
    score = scoring.score_of(db, enterprise.id, as_of=AS_OF)
    assert score.values == {
        "valid_inventions": 10, "inventions_per_100_staff": 25.0, "recent_invention_grants": 10,
        "grant_growth": round((4 - 6) / 6, 4), "high_value_patents": 2, "trademarks": 2, "operations": 1,
        "trainings": 1, "management": 7,
    }
    # weight × min(1, value / saturation), each:
    assert score.points == {
        "valid_inventions": 10.0,  # 20 × 10/20
        "inventions_per_100_staff": 10.0,  # 10 × min(1, 25/5)
        "recent_invention_grants": 10.0,  # 15 × 10/15
        "grant_growth": 0.0,  # decline
        "high_value_patents": 3.0,  # 15 × 2/10
        "trademarks": 2.0,  # 5 × 2/5
        "operations": 2.0,  # 10 × 1/5
        "trainings": 1.67,  # 5 × 1/3
        "management": 7.0,  # 2 staff × 2 + department 3
    }
    assert score.total == 45.67 and score.level is None and score.deduction == 0


def test_levels_thresholds_and_growth():
    assert scoring.level_for(59.99, 50) is None
    assert scoring.level_for(60, 3) == AssessmentLevel.ADVANTAGE
    assert scoring.level_for(60, 2) is None  # too few valid inventions
    assert scoring.level_for(85, 5) == AssessmentLevel.ADVANTAGE  # 示范 needs 10 valid inventions
    assert scoring.level_for(80, 10) == AssessmentLevel.DEMONSTRATION
    assert scoring.growth(3, 0) == 0.5  # grants now, none a year earlier: full growth
    assert scoring.growth(0, 5) == 0.0
    assert scoring.growth(6, 4) == 0.5
    assert sum(c.weight for c in scoring.CRITERIA) == 100


def test_enterprise_without_records_has_empty_profile_and_zero_score(client, users, enterprise, db):
    assert scoring.score_of(db, enterprise.id).total == 0
    login(client, "enterprise_user")
    page = client.get(f"/enterprises/{enterprise.id}")
    assert page.status_code == 200
    assert 'id="no-records"' in page.text and '<strong id="score-total">0' in page.text
    data = client.get(f"/api/enterprises/{enterprise.id}/profile", headers=bearer(client, "enterprise_user")).json()
    assert data["sections"] == [] and data["score"]["total"] == 0 and data["assessments"] == []
    assert all(c["points"] == 0 for c in data["score"]["criteria"])


def test_profile_sections_and_who_sees_them(client, users, enterprise, other_enterprise, db):
    crafted_records(db, users, enterprise)
    team = services.create_team(db, users["admin"], TeamCreate(name="第一服务队"))
    services.create_visit(db, users["admin"], VisitCreate(team_id=team.id, enterprise=enterprise.name,
                                                          visited_on="2024-03-05", staff_count=2, problems_raised=1,
                                                          problems_solved=1))
    services.save_fee_reduction(db, users["admin"], FeeReductionCreate(enterprise=enterprise.name, year=2024,
                                                                       amount_yuan=800))
    db.commit()
    own = client.get(f"/api/enterprises/{enterprise.id}/profile", headers=bearer(client, "enterprise_user")).json()
    keys = [s["key"] for s in own["sections"]]
    assert keys == ["patents", "trademarks", "market_private", "services"]
    patents = own["sections"][0]
    assert ["专利总数", 14] in patents["figures"] and ["发明", "11（有效 10）"] in patents["figures"]
    assert own["score"]["total"] > 0
    public = client.get(f"/api/enterprises/{enterprise.id}/profile", headers=bearer(client, "public_user")).json()
    assert [s["key"] for s in public["sections"]] == ["patents", "trademarks"]
    assert public["score"] is None and "contact_phone" not in public["enterprise"]
    # Another district's staff: public view; the enterprise's district staff: everything.
    other_district = client.get(f"/api/enterprises/{other_enterprise.id}/profile",
                                headers=bearer(client, "district_staff_user")).json()
    assert other_district["score"] is None
    district = client.get(f"/api/enterprises/{enterprise.id}/profile",
                          headers=bearer(client, "district_staff_user")).json()
    assert "services" in [s["key"] for s in district["sections"]]
    login(client, "enterprise_user")
    page = client.get(f"/enterprises/{enterprise.id}")
    assert "/search?applicant=" in page.text and "企业服务（非公开）" in page.text and "第一服务队" in page.text
    login(client, "public_user")
    assert "第一服务队" not in client.get(f"/enterprises/{enterprise.id}").text


def test_management_items_saved_by_the_enterprise_and_audited(client, users, enterprise, other_enterprise, db):
    headers = bearer(client, "enterprise_user")
    saved = client.put(f"/api/enterprises/{enterprise.id}/management",
                       json={"ip_staff": 3, "standard_certified": True}, headers=headers)
    assert saved.status_code == 200 and saved.json()["ip_staff"] == 3
    assert scoring.score_of(db, enterprise.id).values["management"] == 10  # 3 × 2 + 4
    other = client.put(f"/api/enterprises/{other_enterprise.id}/management", json={"ip_staff": 1}, headers=headers)
    assert other.status_code == 403
    bad = client.put(f"/api/enterprises/{enterprise.id}/management", json={"ip_staff": -1}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"] == "输入有误：知识产权工作人员数：不能小于 0"
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "enterprises.management.update"))
    assert entry.changes["ip_staff"] == [None, 3]


def test_application_workflow_with_illegal_transitions_and_audit(client, users, enterprise, other_enterprise, db):
    from ipbureau.stats import service as stats

    crafted_records(db, users, enterprise)
    own = bearer(client, "enterprise_user")
    year = date.today().year
    applied = client.post("/api/enterprises/assessment/applications",
                          json={"enterprise_id": enterprise.id, "year": year, "level": "advantage"}, headers=own)
    assert applied.status_code == 201, applied.text
    assessment_id = applied.json()["id"]
    again = client.post("/api/enterprises/assessment/applications",
                        json={"enterprise_id": enterprise.id, "year": year, "level": "advantage"}, headers=own)
    assert again.status_code == 422
    assert again.json()["detail"] == f"年度：天津测试科技有限公司 已申报 {year} 年知识产权优势企业"
    assert client.post("/api/enterprises/assessment/applications",
                       json={"enterprise_id": other_enterprise.id, "year": year, "level": "advantage"},
                       headers=own).status_code == 403
    unknown = client.post("/api/enterprises/assessment/applications",
                          json={"enterprise_id": enterprise.id, "year": year, "level": "gold"}, headers=own)
    assert unknown.json()["detail"] == "输入有误：认定类别：未知的类别“gold”（优势企业或示范企业）"
    # Deciding is the city bureau's.
    assert client.post(f"/api/enterprises/assessment/applications/{assessment_id}/review",
                       headers=bearer(client, "district_staff_user")).status_code == 403
    staff = bearer(client, "bureau_staff_user")
    early = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/confirm", headers=staff)
    assert early.status_code == 409 and early.json()["detail"] == "状态：已申报的申报不能认定"
    reviewed = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/review", headers=staff)
    assert reviewed.status_code == 200
    frozen = reviewed.json()
    assert frozen["status"] == "reviewing" and frozen["score"] == scoring.score_of(db, enterprise.id).total
    assert frozen["breakdown"]["criteria"]["valid_inventions"]["value"] == 10
    no_reason = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/reject", json={}, headers=staff)
    assert no_reason.status_code == 422 and no_reason.json()["detail"] == "评审意见：不予认定时请填写理由"
    future = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/confirm",
                         json={"decided_on": (date.today() + timedelta(days=1)).isoformat()}, headers=staff)
    assert future.json()["detail"] == "认定日期：不能晚于今天"
    # A date beyond any a decision can carry is refused by the schema's bound (core.fields.Day).
    far = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/confirm",
                      json={"decided_on": "2999-01-01"}, headers=staff)
    assert far.status_code == 422
    assert far.json()["detail"] == "输入有误：认定日期：日期应在 1900-01-01 至 2100-12-31 之间"
    confirmed = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/confirm", headers=staff)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert client.post(f"/api/enterprises/assessment/applications/{assessment_id}/reject", json={"note": "x"},
                       headers=staff).status_code == 409
    actions = db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "enterprise_assessment")
                         .order_by(AuditLog.id)).all()
    assert actions == ["enterprise_assessment.apply", "enterprise_assessment.review",
                       "enterprise_assessment.confirm"]
    assert stats.compute(db, "advantage_enterprises_cultivated", year).value == 1
    assert db.get(AdvantageAssessment, assessment_id).decided_on == date.today()


def test_candidates_page_filters_and_export(client, users, enterprise, other_enterprise, db):
    crafted_records(db, users, enterprise)
    login(client, "bureau_staff_user")
    page = client.get("/enterprises/assessment")
    assert page.status_code == 200
    assert page.text.index("天津测试科技有限公司") < page.text.index("天津另一家科技有限公司")
    filtered = client.get("/enterprises/assessment", params={"district_code": "120104"})
    assert "天津另一家科技有限公司" in filtered.text and "天津测试科技有限公司" not in filtered.text
    export = client.get("/enterprises/assessment/export.xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.cell(2, 2).value == "企业名称" and sheet.cell(3, 2).value == "天津测试科技有限公司"
    assert sheet.max_row == 4
    # District staff see their district's candidates only, whatever the filter says.
    api = client.get("/api/enterprises/assessment/candidates", params={"district_code": "120104"},
                     headers=bearer(client, "district_staff_user")).json()
    assert [i["name"] for i in api["items"]] == ["天津测试科技有限公司"]
    assert client.get("/api/enterprises/assessment/candidates",
                      headers=bearer(client, "enterprise_user")).status_code == 403
    # The form on the page: staff register an application.
    response = client.post("/enterprises/assessment", data={
        "csrf_token": csrf_from(page.text), "enterprise_id": str(enterprise.id), "year": "2024",
        "level": "demonstration"}, follow_redirects=False)
    assert response.status_code == 303
    assert "知识产权示范企业" in client.get("/enterprises/assessment").text


def test_scoring_all_enterprises_takes_a_fixed_number_of_queries(db, users):
    """The candidate list is computed with grouped queries, not one query per enterprise."""
    from ipbureau.database.core import get_engine

    def queries_for(n: int) -> int:
        for i in range(n):
            ent = Enterprise(credit_code=f"X{n:03d}{i:014d}"[:18], name=f"天津批量{n}-{i}公司", district_code="120116",
                             employees=10)
            db.add(ent)
            db.flush()
            add_patent(db, ent, grant=date(2023, 1, 1))
        db.commit()
        statements = []

        this_thread = threading.get_ident()

        def count(*_args):
            # Only this test's statements: the app's background writers (usage, last-seen) share the engine.
            if threading.get_ident() == this_thread:
                statements.append(_args[2])

        engine = get_engine()
        event.listen(engine, "before_cursor_execute", count)
        try:
            scores = scoring.score_enterprises(db, as_of=AS_OF)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        assert all(s.values["valid_inventions"] == 1 for s in scores if s.name.startswith("天津批量"))
        assert len(scores) == db.scalar(select(func.count()).select_from(Enterprise))
        return statements

    scoring.score_enterprises(db, as_of=AS_OF)  # loads the cached chain definitions once, before counting
    few = queries_for(3)
    many = queries_for(40)
    assert len(few) == len(many), (few, many)


def test_protection_cases_show_on_the_profile_and_deduct_from_the_score(client, users, enterprise, db):
    from datetime import datetime, timezone

    from ipbureau.protection.enforcement.models import EnforcementCase
    from ipbureau.protection.screening.models import ScreeningCase

    crafted_records(db, users, enterprise)
    before = scoring.score_of(db, enterprise.id, as_of=AS_OF).total
    db.add(EnforcementCase(case_no="津市监执〔2023〕1号", category="trademark", status="closed", district_code="120116",
                           enforcement_unit="滨海新区市场监督管理局", party_enterprise_id=enterprise.id,
                           party_name=enterprise.name, opened_on=date(2023, 2, 1), closed_on=date(2023, 5, 1),
                           fines_yuan=Decimal("5000"), penalty_decision_no="津滨市监罚〔2023〕8号"))
    # An open case is no penalty (yet).
    db.add(EnforcementCase(case_no="津市监执〔2024〕2号", category="trademark", status="open", district_code="120116",
                           enforcement_unit="滨海新区市场监督管理局", party_enterprise_id=enterprise.id,
                           party_name=enterprise.name, opened_on=date(2024, 2, 1)))
    abnormal = add_patent(db, enterprise, patent_type="utility_model", status="pending")
    db.add(ScreeningCase(patent_id=abnormal.id, total_score=9.0, signs="duplicate", status="confirmed",
                         decided_at=datetime(2024, 1, 5, tzinfo=timezone.utc)))
    db.commit()
    score = scoring.score_of(db, enterprise.id, as_of=AS_OF)
    assert score.penalties == {"enforcement": 1, "abnormal": 1}
    assert score.deduction == 12 and score.total == round(before - 12, 2)
    own = client.get(f"/api/enterprises/{enterprise.id}/profile", headers=bearer(client, "enterprise_user")).json()
    enforcement = next(s for s in own["sections"] if s["key"] == "enforcement")
    assert enforcement["figures"] == [["涉及本企业的案件", 2]]
    assert {"text": "津市监执〔2023〕1号", "href": enforcement["rows"][1][0]["href"]} == enforcement["rows"][1][0]
    public = client.get(f"/api/enterprises/{enterprise.id}/profile", headers=bearer(client, "public_user")).json()
    assert "enforcement" not in [s["key"] for s in public["sections"]]

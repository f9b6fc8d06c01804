"""Enterprise services (服务队走访、培训、专利费用减缴): input rules, roles, audit, import, indicators, demo."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.enterprises.assessment import service as assessment
from ipbureau.enterprises.assessment.schemas import AssessmentCreate, AssessmentDecision
from ipbureau.enterprises.models import Enterprise
from ipbureau.enterprises.services import service
from ipbureau.enterprises.services.models import FeeReduction, ServiceTeam, ServiceVisit, Training, TrainingAttendance
from ipbureau.enterprises.services.schemas import FeeReductionCreate, TrainingCreate, VisitCreate
from tests.conftest import bearer, csrf_from, login


def _visit(team, ent, **overrides):
    payload = {"team_id": team.id, "enterprise": ent.credit_code, "visited_on": "2024-03-05", "staff_count": 3,
               "problems_raised": 2, "problems_solved": 1, "topics": "商标布局"}
    return payload | overrides


# ---- visits: input ------------------------------------------------------------------------------------

def test_visit_created_through_api_by_credit_code_or_name(client, users, enterprise, team):
    headers = bearer(client, "bureau_staff_user")
    created = client.post("/api/services/visits", json=_visit(team, enterprise), headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["enterprise"]["name"] == "天津测试科技有限公司" and body["staff_count"] == 3
    by_name = client.post("/api/services/visits", json=_visit(team, enterprise, enterprise="天津测试科技有限公司"),
                          headers=headers)
    assert by_name.status_code == 201
    listing = client.get("/api/services/visits", headers=headers).json()
    assert listing["total"] == 2


# Malformed and out-of-range values are refused by the schema (core.fields: "输入有误：" and the field), the
# rules that need the database or today's date by the service (the field and the rule).
@pytest.mark.parametrize(("override", "message"), [
    ({"staff_count": -1}, "输入有误：服务人员数：不能小于 1"),
    ({"staff_count": 0}, "输入有误：服务人员数：不能小于 1"),
    ({"staff_count": "三"}, "输入有误：服务人员数：应为整数"),
    ({"problems_raised": -2}, "输入有误：提出问题数：不能小于 0"),
    ({"problems_raised": 2, "problems_solved": 3}, "解决问题数：不能大于提出问题数（3 > 2）"),
    ({"enterprise": "天津不存在有限公司"},
     "企业：未找到企业“天津不存在有限公司”（请填写企业名称或统一社会信用代码）"),
    ({"visited_on": "2999-01-01"}, "输入有误：走访日期：日期应在 1900-01-01 至 2100-12-31 之间"),
    ({"visited_on": "2099-12-31"}, "走访日期：不能晚于今天"),
    ({"visited_on": "昨天"}, "输入有误：走访日期：应为日期（如 2023-05-01）"),
    ({"team_id": 99999}, "服务队：编号为 99999 的服务队不存在"),
])
def test_visit_bad_input_is_rejected_with_the_field(client, users, enterprise, team, db, override, message):
    response = client.post("/api/services/visits", json=_visit(team, enterprise, **override),
                           headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422
    assert response.json()["detail"] == message
    assert db.scalar(select(func.count()).select_from(ServiceVisit)) == 0


def test_visit_form_shows_the_error_and_keeps_the_input(client, users, enterprise, team):
    login(client, "bureau_staff_user")
    page = client.get("/services/visits")
    response = client.post("/services/visits", data={
        "csrf_token": csrf_from(page.text), "team_id": str(team.id), "enterprise": enterprise.name,
        "visited_on": "2024-03-05", "staff_count": "2", "problems_raised": "1", "problems_solved": "4"})
    assert response.status_code == 422
    assert "解决问题数：不能大于提出问题数（4 &gt; 1）" in response.text
    assert 'value="天津测试科技有限公司"' in response.text
    ok = client.post("/services/visits", data={
        "csrf_token": csrf_from(page.text), "team_id": str(team.id), "enterprise": enterprise.name,
        "visited_on": "2024-03-05", "staff_count": "2", "problems_raised": "4", "problems_solved": "4"},
        follow_redirects=False)
    assert ok.status_code == 303
    listing = client.get("/services/visits")
    assert "天津测试科技有限公司" in listing.text and "共 1 次走访，服务人员 2 人次" in listing.text


# ---- roles --------------------------------------------------------------------------------------------

def test_district_staff_record_and_see_their_district_only(client, users, enterprise, other_enterprise, team, db):
    service.create_visit(db, users["bureau_staff"], VisitCreate(**_visit(team, other_enterprise)))
    db.commit()
    headers = bearer(client, "district_staff_user")  # district 120116 = enterprise's district
    own = client.post("/api/services/visits", json=_visit(team, enterprise), headers=headers)
    assert own.status_code == 201
    other = client.post("/api/services/visits", json=_visit(team, other_enterprise), headers=headers)
    assert other.status_code == 403
    names = [v["enterprise"]["name"] for v in client.get("/api/services/visits", headers=headers).json()["items"]]
    assert names == ["天津测试科技有限公司"]
    everything = client.get("/api/services/visits", headers=bearer(client, "bureau_staff_user")).json()
    assert everything["total"] == 2
    other_visit = db.scalar(select(ServiceVisit).where(ServiceVisit.enterprise_id == other_enterprise.id))
    assert client.delete(f"/api/services/visits/{other_visit.id}", headers=headers).status_code == 404


@pytest.mark.parametrize("role", ["enterprise", "public", "examiner", "agency"])
def test_services_are_staff_only(client, users, team, role):
    headers = bearer(client, f"{role}_user")
    assert client.get("/api/services/visits", headers=headers).status_code == 403
    assert client.get("/api/services/summary", headers=headers).status_code == 403
    login(client, f"{role}_user")
    assert client.get("/services").status_code == 403


def test_only_city_staff_maintain_teams(client, users):
    response = client.post("/api/services/teams", json={"name": "区服务队"}, headers=bearer(client, "district_staff_user"))
    assert response.status_code == 403
    created = client.post("/api/services/teams", json={"name": "第二服务队"}, headers=bearer(client, "admin_user"))
    assert created.status_code == 201
    duplicate = client.post("/api/services/teams", json={"name": "第二服务队"}, headers=bearer(client, "admin_user"))
    assert duplicate.status_code == 422 and duplicate.json()["detail"] == "服务队名称：“第二服务队”已存在"


# ---- audit --------------------------------------------------------------------------------------------

def test_every_change_is_audited(client, users, enterprise, team, db):
    headers = bearer(client, "bureau_staff_user")
    visit_id = client.post("/api/services/visits", json=_visit(team, enterprise), headers=headers).json()["id"]
    assert client.put(f"/api/services/visits/{visit_id}", json=_visit(team, enterprise, staff_count=5),
                      headers=headers).status_code == 200
    assert client.delete(f"/api/services/visits/{visit_id}", headers=headers).status_code == 204
    entries = db.scalars(select(AuditLog).where(AuditLog.entity_type == "service_visit").order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == ["services.visit.create", "services.visit.update", "services.visit.delete"]
    assert entries[1].changes == {"staff_count": [3, 5]}
    assert all(e.actor_name == "bureau_staff_user" for e in entries)
    team_entry = db.scalar(select(AuditLog).where(AuditLog.entity_type == "service_team"))
    assert team_entry.action == "services.team.create" and "第一服务队" in team_entry.summary


# ---- trainings ----------------------------------------------------------------------------------------

def test_training_with_participants_and_totals(client, users, enterprise, other_enterprise, db):
    headers = bearer(client, "bureau_staff_user")
    payload = {"title": "专利布局培训", "held_on": "2024-04-26", "organiser": "市知识产权局", "mode": "online",
               "participants": [{"enterprise": enterprise.name, "headcount": 3},
                                {"enterprise": other_enterprise.credit_code, "headcount": 2}],
               "total_participants": 40}
    created = client.post("/api/services/trainings", json=payload, headers=headers)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["total_participants"] == 40 and len(body["participants"]) == 2
    too_few = client.post("/api/services/trainings", json=payload | {"total_participants": 4}, headers=headers)
    assert too_few.status_code == 422
    assert too_few.json()["detail"] == "参训总人次：不能少于各参训企业人数之和（5）"
    bad_head = client.post("/api/services/trainings", json=payload | {
        "participants": [{"enterprise": enterprise.name, "headcount": -1}]}, headers=headers)
    assert bad_head.json()["detail"] == "输入有误：第 1 项的人数：不能小于 1"
    twice = client.post("/api/services/trainings", json=payload | {
        "participants": [{"enterprise": enterprise.name}, {"enterprise": enterprise.credit_code}]}, headers=headers)
    assert twice.json()["detail"] == "参训企业第 2 项：企业“天津测试科技有限公司”重复"
    # Form: one participant per line; the total defaults to the sum of headcounts.
    login(client, "bureau_staff_user")
    page = client.get("/services/trainings")
    response = client.post("/services/trainings", data={
        "csrf_token": csrf_from(page.text), "title": "商标保护宣讲", "held_on": "2024-05-10", "organiser": "滨海新区局",
        "mode": "offline", "district_code": "120116",
        "participants": f"{enterprise.name}, 4\n{other_enterprise.credit_code}"}, follow_redirects=False)
    assert response.status_code == 303
    training = db.scalar(select(Training).where(Training.title == "商标保护宣讲"))
    db.refresh(training)
    assert training.total_participants == 5 and training.district_code == "120116"
    assert sorted(a.headcount for a in training.attendances) == [1, 4]
    assert service.training_totals(db, users["bureau_staff"], year=2024).model_dump() == {
        "held": 2, "participants": 45, "enterprises": 2}
    # District staff see their district's trainings only.
    district = client.get("/api/services/trainings", headers=bearer(client, "district_staff_user")).json()
    assert [t["title"] for t in district["items"]] == ["商标保护宣讲"]


# ---- fee reductions -----------------------------------------------------------------------------------

def test_fee_reduction_one_record_per_enterprise_and_year(client, users, enterprise, db):
    headers = bearer(client, "bureau_staff_user")
    first = client.post("/api/services/fee-reductions", json={
        "enterprise": enterprise.credit_code, "year": 2023, "amount_yuan": "12,500.5", "patents_count": 9},
        headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["recorded_on"] == "2023-12-31" and first.json()["amount_yuan"] == 12500.5
    again = client.post("/api/services/fee-reductions", json={
        "enterprise": enterprise.name, "year": 2023, "amount_yuan": 13000, "patents_count": 10,
        "recorded_on": "2023-06-01"}, headers=headers)
    assert again.json()["id"] == first.json()["id"]
    assert db.scalar(select(func.count()).select_from(FeeReduction)) == 1
    for payload, message in [
        ({"amount_yuan": -5}, "输入有误：减缴金额（元）：不能小于 0"),
        ({"year": 1999}, f"年度：应在 2000 至 {date.today().year} 之间"),
        ({"recorded_on": "2022-05-01"}, "备案日期：应在 2023 年内"),
        ({"patents_count": -1}, "输入有误：减缴专利件数：不能小于 0"),
    ]:
        bad = client.post("/api/services/fee-reductions", json={
            "enterprise": enterprise.name, "year": 2023, "amount_yuan": 1} | payload, headers=headers)
        assert bad.status_code == 422 and bad.json()["detail"] == message


def _fee_sheet(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["统一社会信用代码", "企业名称", "年度", "减缴金额（元）", "减缴专利件数", "备案日期"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_fee_reduction_import_is_transactional_idempotent_and_reports_cells(client, users, enterprise,
                                                                           other_enterprise, db):
    headers = bearer(client, "bureau_staff_user")
    good = _fee_sheet([[enterprise.credit_code, None, 2023, 8800, 6, "2023-04-01"],
                       [None, other_enterprise.name, 2023, "1,200.00", 1, None]])
    result = client.post("/api/services/fee-reductions/import", files={"file": ("fees.xlsx", good)}, headers=headers)
    assert result.status_code == 200, result.text
    assert result.json() | {"batch_id": 0} == {"batch_id": 0, "total_rows": 2, "inserted": 2, "updated": 0,
                                               "unchanged": 0}
    repeat = client.post("/api/services/fee-reductions/import", files={"file": ("fees.xlsx", good)}, headers=headers)
    assert repeat.json()["unchanged"] == 2 and repeat.json()["inserted"] == 0
    bad = _fee_sheet([[enterprise.credit_code, None, 2022, 100, 1, None],
                      ["91120116MAHUXQEEX0", None, 2023, 100, 1, None],
                      [other_enterprise.credit_code, None, 2023, -3, 1, None]])
    failed = client.post("/api/services/fee-reductions/import", files={"file": ("bad.xlsx", bad)}, headers=headers)
    assert failed.status_code == 422
    problems = failed.json()["detail"]["problems"]
    assert {"row": 3, "column": "统一社会信用代码", "message": "未找到企业“91120116MAHUXQEEX0”"} in problems
    assert {"row": 4, "column": "减缴金额（元）", "message": "不能小于 0"} in problems
    # Nothing of the bad file was written (row 2 was fine but the file failed as a whole).
    assert db.scalar(select(func.count()).select_from(FeeReduction).where(FeeReduction.year == 2022)) == 0
    district = client.post("/api/services/fee-reductions/import", files={"file": ("fees.xlsx", good)},
                           headers=bearer(client, "district_staff_user"))
    assert district.status_code == 422
    assert {"row": 3, "column": "企业名称", "message": "不是本区企业，区局只能导入本区企业的记录"} in \
        district.json()["detail"]["problems"]


# ---- pages and exports --------------------------------------------------------------------------------

def test_pages_and_excel_exports(client, users, enterprise, team, db):
    actor = users["bureau_staff"]
    service.create_visit(db, actor, VisitCreate(**_visit(team, enterprise)))
    service.create_training(db, actor, TrainingCreate(title="培训A", held_on="2024-02-01", organiser="市局",
                                                      participants=enterprise.name))
    service.save_fee_reduction(db, actor, FeeReductionCreate(enterprise=enterprise.name, year=2024, amount_yuan=500))
    db.commit()
    login(client, "bureau_staff_user")
    overview = client.get("/services?year=2024")
    assert overview.status_code == 200 and "<svg" in overview.text and "第一服务队" in overview.text
    for path, sheet_title, first_row in [
        ("/services/visits/export.xlsx?year=2024", "服务走访", ["走访日期", "服务队", "企业"]),
        ("/services/trainings/export.xlsx", "培训与活动", ["举办日期", "培训名称", "主办单位"]),
        ("/services/fees/export.xlsx", "专利费用减缴", ["年度", "企业名称", "统一社会信用代码"]),
    ]:
        response = client.get(path)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.title == sheet_title
        assert [c.value for c in sheet[1]][:3] == first_row
        assert sheet.max_row == 2
    summary = client.get("/api/services/summary?year=2024", headers=bearer(client, "bureau_staff_user")).json()
    assert summary["visits"] == {"visits": 1, "staff": 3, "units": 1, "raised": 2, "solved": 1}
    assert summary["fees"]["amount_yuan"] == 500.0


# ---- indicators ---------------------------------------------------------------------------------------

def test_indicators_equal_direct_counts(db, users, enterprise, other_enterprise, team):
    from ipbureau.stats import service as stats

    actor = users["admin"]
    visits = [(enterprise, "2023-03-01", 3, 4, 2), (enterprise, "2023-09-01", 2, 1, 1),
              (other_enterprise, "2023-05-05", 4, 3, 3), (other_enterprise, "2022-05-05", 9, 9, 9)]
    for ent, day, staff, raised, solved in visits:
        service.create_visit(db, actor, VisitCreate(team_id=team.id, enterprise=ent.name, visited_on=day,
                                                    staff_count=staff, problems_raised=raised,
                                                    problems_solved=solved))
    service.create_training(db, actor, TrainingCreate(
        title="T1", held_on="2023-04-26", organiser="市局", total_participants=60,
        participants=f"{enterprise.name}, 2\n{other_enterprise.name}, 5"))
    service.create_training(db, actor, TrainingCreate(
        title="T2", held_on="2023-11-02", organiser="滨海新区局", district_code="120116", total_participants=30,
        participants=f"{enterprise.name}, 1"))
    third = Enterprise(credit_code="911201167178926575", name="天津第三公司", district_code="120116")
    db.add(third)
    db.flush()
    service.save_fee_reduction(db, actor, FeeReductionCreate(enterprise=third.id, year=2023, amount_yuan="15000"))
    service.save_fee_reduction(db, actor, FeeReductionCreate(enterprise=enterprise.id, year=2023,
                                                             amount_yuan="5000.50"))
    applied = assessment.apply(db, actor, AssessmentCreate(enterprise_id=enterprise.id, year=2023, level="advantage"),
                               today=date(2023, 6, 1))
    assessment.decide(db, actor, applied.id, "review", AssessmentDecision(), today=date(2023, 7, 1))
    assessment.decide(db, actor, applied.id, "confirm", AssessmentDecision(decided_on="2023-08-01"),
                      today=date(2023, 8, 1))
    db.commit()

    in_2023 = [v for v in visits if v[1].startswith("2023")]
    expected_city = {
        "service_visits": sum(v[2] for v in in_2023),
        "enterprises_visited": len({v[0].id for v in in_2023}),
        "problems_solved": sum(v[4] for v in in_2023),
        "trainings_held": 2,
        "training_participants": 90,
        "trained_enterprises": 2,
        "fee_reduction_enterprises": 2,
        "fee_reduction_amount": round(20000.50 / 10000, 2),
        "advantage_enterprises_cultivated": 1,
        "enterprises_served": 3,
    }
    for code, expected in expected_city.items():
        assert stats.compute(db, code, 2023).value == expected, code
    # Direct counts from the tables, for the same figures.
    assert db.scalar(select(func.sum(ServiceVisit.staff_count)).where(
        ServiceVisit.visited_on.between(date(2023, 1, 1), date(2023, 12, 31)))) == expected_city["service_visits"]
    assert db.scalar(select(func.count(func.distinct(TrainingAttendance.enterprise_id)))) == 2
    # The district figure: the enterprise's district (120116: enterprise and the third one), the organiser's for trainings.
    expected_district = {"service_visits": 5, "enterprises_visited": 1, "trainings_held": 1,
                         "training_participants": 30, "trained_enterprises": 1, "fee_reduction_enterprises": 2,
                         "enterprises_served": 2, "advantage_enterprises_cultivated": 1}
    for code, expected in expected_district.items():
        assert stats.compute(db, code, 2023, district_code="120116").value == expected, code
    # Year-on-year: 2022 had one visit of 9 staff.
    assert stats.compute(db, "service_visits", 2023).previous_value == 9
    # Demo and real never mix.
    assert stats.compute(db, "service_visits", 2023, dataset="demo").value is None


# ---- demo ---------------------------------------------------------------------------------------------

@pytest.mark.heavy
def test_demo_hooks_create_and_remove_service_records(db, full_demo):
    from ipbureau.auth.models import User
    from ipbureau.demo import generator
    from ipbureau.enterprises.models import AdvantageAssessment

    # On the shared demo (conftest.full_demo): load_demo(patents=2000, enterprises=300), loaded once.
    demo_enterprises = db.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.dataset == "demo"))
    assert db.scalar(select(func.count()).select_from(ServiceTeam)) == 8
    demo_firms = db.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.dataset == "demo",
                                                                               Enterprise.kind == "enterprise"))
    # About 10 % of the enterprises visited a year, 2021-2023 and part of this year.
    visited_2022 = db.scalar(select(func.count(func.distinct(ServiceVisit.enterprise_id))).where(
        ServiceVisit.visited_on.between(date(2022, 1, 1), date(2022, 12, 31))))
    assert round(demo_firms * 0.10) <= visited_2022 <= round(demo_firms * 0.10) + 1
    assert db.scalar(select(func.count()).select_from(Training).where(Training.dataset == "demo")) > 100
    assert db.scalar(select(func.count(func.distinct(FeeReduction.enterprise_id)))) > demo_enterprises // 3
    assert db.scalar(select(func.count()).select_from(AdvantageAssessment).where(
        AdvantageAssessment.status == "confirmed")) > 0
    # No solved count above the raised one, no negative headcounts.
    assert db.scalar(select(func.count()).select_from(ServiceVisit).where(
        ServiceVisit.problems_solved > ServiceVisit.problems_raised)) == 0
    linked = db.scalar(select(User.enterprise_id).where(User.username == "demo-enterprise"))
    assert db.scalar(select(func.count()).select_from(ServiceVisit).where(ServiceVisit.enterprise_id == linked)) > 0
    assert db.scalar(select(func.count()).select_from(FeeReduction).where(FeeReduction.enterprise_id == linked)) > 0
    assert db.scalar(select(func.count()).select_from(TrainingAttendance).where(
        TrainingAttendance.enterprise_id == linked)) > 0
    assert db.scalar(select(func.sum(FeeReduction.amount_yuan))) > Decimal(0)
    generator.delete_demo(db)
    db.commit()
    assert db.scalar(select(func.count()).select_from(ServiceVisit)) == 0
    assert db.scalar(select(func.count()).select_from(ServiceTeam)) == 0

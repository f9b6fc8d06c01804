"""The kernel's rules in this area: the assessment workflow (illegal transitions are 409, each step one audit
entry), records a user may not see are 404 (never 403), and malformed numbers and dates are 422 with a Chinese
message naming the field."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select

from ipbureau.audit.models import AuditLog
from ipbureau.enterprises.models import AdvantageAssessment
from ipbureau.enterprises.services import service
from ipbureau.enterprises.services.schemas import FeeReductionCreate, TrainingCreate, VisitCreate
from ipbureau.enterprises.workflows import ASSESSMENT
from tests.conftest import bearer, csrf_from, login


def _apply(client, headers, enterprise_id: int, level: str = "advantage"):
    response = client.post("/api/enterprises/assessment/applications",
                           json={"enterprise_id": enterprise_id, "year": date.today().year, "level": level},
                           headers=headers)
    assert response.status_code == 201, response.text
    return response.json()["id"]


# ---- the assessment workflow ------------------------------------------------------------------------


def test_the_workflow_is_declared_as_data():
    assert ASSESSMENT.describe() == [
        {"action": "review", "from": ["applied"], "to": "reviewing", "label": "进入评审", "permission": "decide"},
        {"action": "confirm", "from": ["reviewing"], "to": "confirmed", "label": "认定", "permission": "decide"},
        {"action": "reject", "from": ["reviewing"], "to": "rejected", "label": "不予认定", "permission": "decide"},
    ]


def test_illegal_transitions_are_409_and_each_step_writes_one_audit_entry(client, users, enterprise, db):
    staff = bearer(client, "bureau_staff_user")
    assessment_id = _apply(client, staff, enterprise.id)
    url = f"/api/enterprises/assessment/applications/{assessment_id}"
    for action in ("confirm", "reject"):  # not before the review
        refused = client.post(f"{url}/{action}", json={"note": "理由"}, headers=staff)
        assert refused.status_code == 409
        assert refused.json()["detail"] == f"状态：已申报的申报不能{ASSESSMENT.transition(action).label}"
    assert client.post(f"{url}/review", headers=staff).status_code == 200
    again = client.post(f"{url}/review", headers=staff)
    assert again.status_code == 409 and again.json()["detail"] == "状态：评审中的申报不能进入评审"
    rejected = client.post(f"{url}/reject", json={"note": "高价值专利不足"}, headers=staff)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    for action in ("review", "confirm", "reject"):  # a decision is final
        late = client.post(f"{url}/{action}", json={"note": "x"}, headers=staff)
        assert late.status_code == 409 and late.json()["detail"].startswith("状态：不予认定的申报不能")
    entries = db.scalars(select(AuditLog).where(AuditLog.entity_type == "enterprise_assessment",
                                                AuditLog.entity_id == str(assessment_id)).order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == ["enterprise_assessment.apply", "enterprise_assessment.review",
                                           "enterprise_assessment.reject"]
    reject = entries[-1]
    assert reject.actor_name == "bureau_staff_user"
    assert reject.summary == f"天津测试科技有限公司 {date.today().year} 年知识产权优势企业：不予认定"
    assert reject.changes == {"status": ["reviewing", "rejected"], "note": [None, "高价值专利不足"],
                              "decided_on": [None, date.today().isoformat()]}
    assert entries[1].changes["status"] == ["applied", "reviewing"] and "score" in entries[1].changes
    assessment = db.get(AdvantageAssessment, assessment_id)
    db.refresh(assessment)
    assert assessment.status == "rejected" and assessment.decided_by == users["bureau_staff"].id


def test_page_buttons_follow_the_workflow_and_the_policy(client, users, enterprise, db):
    assessment_id = _apply(client, bearer(client, "bureau_staff_user"), enterprise.id)
    login(client, "bureau_staff_user")
    page = client.get("/enterprises/assessment").text
    assert f'action="/enterprises/assessment/{assessment_id}/review"' in page
    assert f'action="/enterprises/assessment/{assessment_id}/confirm"' not in page
    # A state the action does not start from: 409 on the page as well.
    wrong = client.post(f"/enterprises/assessment/{assessment_id}/confirm", data={"csrf_token": csrf_from(page)},
                        follow_redirects=False)
    assert wrong.status_code == 409 and "已申报的申报不能认定" in wrong.text
    moved = client.post(f"/enterprises/assessment/{assessment_id}/review", data={"csrf_token": csrf_from(page)},
                        follow_redirects=False)
    assert moved.status_code == 303
    page = client.get("/enterprises/assessment").text
    assert f'action="/enterprises/assessment/{assessment_id}/confirm"' in page
    assert f'action="/enterprises/assessment/{assessment_id}/reject"' in page
    # District staff see the application (their district's enterprise) but no button: deciding is the city's.
    login(client, "district_staff_user")
    page = client.get("/enterprises/assessment").text
    assert "天津测试科技有限公司" in page and f"/enterprises/assessment/{assessment_id}/" not in page


def test_unknown_action_is_a_422_naming_the_field(client, users, enterprise):
    staff = bearer(client, "bureau_staff_user")
    assessment_id = _apply(client, staff, enterprise.id)
    response = client.post(f"/api/enterprises/assessment/applications/{assessment_id}/approve", headers=staff)
    assert response.status_code == 422 and response.json()["detail"].startswith("输入有误：操作：")


# ---- records a user may not see: 404, never 403 ------------------------------------------------------


def test_district_staff_get_404_for_other_districts_records(client, users, enterprise, other_enterprise, team, db):
    actor = users["bureau_staff"]
    other_visit = service.create_visit(db, actor, VisitCreate(team_id=team.id, enterprise=other_enterprise.name,
                                                              visited_on="2024-03-05", staff_count=1))
    own_visit = service.create_visit(db, actor, VisitCreate(team_id=team.id, enterprise=enterprise.name,
                                                            visited_on="2024-03-05", staff_count=1))
    other_training = service.create_training(db, actor, TrainingCreate(
        title="河西区培训", held_on="2024-04-01", organiser="河西区局", district_code="120104", total_participants=5))
    own_training = service.create_training(db, actor, TrainingCreate(
        title="滨海新区培训", held_on="2024-04-01", organiser="滨海新区局", district_code="120116",
        total_participants=5))
    other_fee = service.save_fee_reduction(db, actor, FeeReductionCreate(enterprise=other_enterprise.name, year=2024,
                                                                         amount_yuan=100))
    own_fee = service.save_fee_reduction(db, actor, FeeReductionCreate(enterprise=enterprise.name, year=2024,
                                                                       amount_yuan=100))
    db.commit()
    headers = bearer(client, "district_staff_user")
    visit = {"team_id": team.id, "enterprise": enterprise.name, "visited_on": "2024-03-06", "staff_count": 2}
    training = {"title": "改名", "held_on": "2024-04-02", "organiser": "滨海新区局", "total_participants": 5}
    fee = {"enterprise": enterprise.name, "year": 2023, "amount_yuan": 10}
    hidden = [
        ("PUT", f"/api/services/visits/{other_visit.id}", visit),
        ("DELETE", f"/api/services/visits/{other_visit.id}", None),
        ("GET", f"/api/services/trainings/{other_training.id}", None),
        ("PUT", f"/api/services/trainings/{other_training.id}", training),
        ("DELETE", f"/api/services/trainings/{other_training.id}", None),
        ("PUT", f"/api/services/fee-reductions/{other_fee.id}", fee),
        ("DELETE", f"/api/services/fee-reductions/{other_fee.id}", None),
    ]
    for method, url, body in hidden:
        response = client.request(method, url, json=body, headers=headers)
        assert response.status_code == 404, (method, url, response.text)
        assert response.json()["detail"].endswith("不存在")
    # The same routes on the district's own records.
    assert client.get(f"/api/services/trainings/{own_training.id}", headers=headers).status_code == 200
    assert client.put(f"/api/services/visits/{own_visit.id}", json=visit, headers=headers).status_code == 200
    assert client.put(f"/api/services/trainings/{own_training.id}", json=training, headers=headers).status_code == 200
    assert client.put(f"/api/services/fee-reductions/{own_fee.id}", json=fee, headers=headers).status_code == 200
    # Pages alike.
    login(client, "district_staff_user")
    page = client.get("/services/visits")
    assert page.status_code == 200
    token = csrf_from(page.text)
    assert client.get(f"/services/visits?edit={other_visit.id}").status_code == 404
    assert client.get(f"/services/trainings/{other_training.id}").status_code == 404
    for url in (f"/services/visits/{other_visit.id}/delete", f"/services/trainings/{other_training.id}/delete",
                f"/services/fees/{other_fee.id}/delete"):
        assert client.post(url, data={"csrf_token": token}, follow_redirects=False).status_code == 404, url
    assert client.get(f"/services/visits?edit={own_visit.id}").status_code == 200


def test_district_staff_list_only_their_districts_applications(client, users, enterprise, other_enterprise):
    staff = bearer(client, "bureau_staff_user")
    _apply(client, staff, enterprise.id)
    _apply(client, staff, other_enterprise.id)
    everything = client.get("/api/enterprises/assessment/applications", headers=staff).json()
    assert sorted(a["enterprise"] for a in everything) == ["天津另一家科技有限公司", "天津测试科技有限公司"]
    district = client.get("/api/enterprises/assessment/applications", headers=bearer(client, "district_staff_user"))
    assert [a["enterprise"] for a in district.json()] == ["天津测试科技有限公司"]


def test_a_missing_record_is_404_and_a_visible_one_outside_the_actions_scope_403(client, users, enterprise,
                                                                               other_enterprise):
    own = bearer(client, "enterprise_user")
    for url in ("/api/enterprises/999999", "/api/enterprises/999999/profile"):
        response = client.get(url, headers=own)
        assert response.status_code == 404 and response.json()["detail"] == "企业不存在"
    assert client.post("/api/enterprises/assessment/applications/999999/review",
                       headers=bearer(client, "bureau_staff_user")).status_code == 404
    # Another district's enterprise is in the public directory: district staff see it but may not apply for it.
    district = client.post("/api/enterprises/assessment/applications",
                           json={"enterprise_id": other_enterprise.id, "year": date.today().year,
                                 "level": "advantage"}, headers=bearer(client, "district_staff_user"))
    assert district.status_code == 403 and district.json()["detail"] == "只能为本企业（区局：本区企业）申报"
    management = client.put(f"/api/enterprises/{other_enterprise.id}/management", json={"ip_staff": 1}, headers=own)
    assert management.status_code == 403
    assert management.json()["detail"] == "只有工作人员和企业本身可以填写知识产权管理情况"


# ---- malformed numbers and dates: 422 with a Chinese message naming the field ------------------------


@pytest.mark.parametrize(("url", "field"), [
    ("/api/enterprises/99999999999999999999", "企业"),
    ("/api/enterprises/-1/profile", "企业"),
    ("/api/enterprises?page=0", "页码"),
    ("/api/enterprises?page=99999999999999999999", "页码"),
    ("/api/enterprises/assessment/candidates?page=١٢", "页码"),
    ("/api/enterprises/assessment/applications?year=2023-13-45", "年份"),
    ("/api/services/summary?year=1e309", "年份"),
    ("/api/services/visits?year=nan", "年份"),
    ("/api/services/visits?team_id=-1", "服务队"),
    ("/api/services/fee-reductions?year=²", "年份"),
    ("/api/services/trainings/99999999999999999999", "培训编号"),
])
def test_bad_numbers_in_the_url_are_422_in_chinese(client, users, url, field):
    response = client.get(url, headers=bearer(client, "admin_user"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"输入有误：{field}：")


@pytest.mark.parametrize(("path", "body", "message"), [
    ("/api/services/fee-reductions", {"amount_yuan": "1e309"}, "输入有误：减缴金额（元）：数字位数过多（最多 16 位）"),
    ("/api/services/fee-reductions", {"amount_yuan": "nan"}, "输入有误：减缴金额（元）：应为有限的数值"),
    ("/api/services/fee-reductions", {"year": 99999999999}, "输入有误：年份：不能大于 2100"),
    # (recorded_on's label is shared with the work plan's in core.fields' one label table: whichever area registers
    # last names it, 备案日期 or 填报日期 — hence a pattern)
    ("/api/services/fee-reductions", {"recorded_on": "2023-02-30"}, r"输入有误：(备案|填报)日期：应为日期（如 2023-05-01）"),
    ("/api/services/visits", {"staff_count": "1e309"}, "输入有误：服务人员数：应为整数"),
    ("/api/services/visits", {"visited_on": "١٢"}, "输入有误：走访日期：应为日期（如 2023-05-01）"),
    ("/api/services/trainings", {"total_participants": -1}, "输入有误：参训总人次：不能小于 0"),
    ("/api/enterprises/assessment/applications", {"enterprise_id": 2**63}, "输入有误：企业：不能大于 9223372036854775807"),
])
def test_bad_numbers_in_a_body_are_422_in_chinese(client, users, enterprise, team, path, body, message):
    base = {"/api/services/fee-reductions": {"enterprise": enterprise.name, "year": 2023, "amount_yuan": 1},
            "/api/services/visits": {"team_id": team.id, "enterprise": enterprise.name, "visited_on": "2024-03-05",
                                     "staff_count": 1},
            "/api/services/trainings": {"title": "T", "held_on": "2024-03-05", "organiser": "市局"},
            "/api/enterprises/assessment/applications": {"enterprise_id": enterprise.id, "year": 2024,
                                                         "level": "advantage"}}[path]
    response = client.post(path, json=base | body, headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422 and re.fullmatch(message, response.json()["detail"]), response.text


def test_pages_take_blank_filters_and_refuse_bad_ones(client, users, team):
    login(client, "bureau_staff_user")
    for url in ("/services?year=", "/services/visits?year=&team_id=&district_code=", "/services/fees?year=",
                "/services/trainings?year=", "/enterprises?q=&district_code=&tag=",
                "/enterprises/assessment?q=&district_code=&chain=&dataset=", "/services/visits/export.xlsx?year="):
        assert client.get(url).status_code == 200, url
    bad = client.get("/services/visits?year=abc")
    assert bad.status_code == 422 and "年份" in bad.text
    page = client.get("/services/fees")
    form = client.post("/services/fees", data={"csrf_token": csrf_from(page.text), "enterprise": "天津测试科技有限公司",
                                              "year": "2023", "amount_yuan": "nan"})
    assert form.status_code == 422 and "减缴金额（元）：应为有限的数值" in form.text
    assert 'value="nan"' in form.text  # the input is shown again

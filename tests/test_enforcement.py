"""Enforcement cases (行政执法): registration, closing and transfer, illegal transitions, bad input, role
visibility, audit, statistics equal to the records (and to the indicators), Excel export, pages, API, demo."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.protection.enforcement import service
from ipbureau.protection.enforcement.enums import CaseStatus
from ipbureau.protection.enforcement.models import EnforcementCase
from tests.conftest import bearer, csrf_from, login

TODAY = date.today()
YEAR_START = date(TODAY.year, 1, 1)


def _input(**change):
    values = dict(category="trademark", district_code="120116", enforcement_unit="滨海新区市场监督管理局",
                  party_name="王某（个体经营）", party_is_person=True, opened_on=YEAR_START, amount_involved="25,000",
                  fines="")
    values.update(change)
    return service.CaseInput(**values)


def _case(db, users, actor="bureau_staff", **change):
    case = service.register(db, _input(**change), actor=users[actor], today=TODAY)
    db.commit()
    return case


def test_register_close_and_audit(db, users, enterprise):
    case = _case(db, users, party_is_person=False, party_name="", party_credit_code=enterprise.credit_code)
    assert case.case_no == f"津知执〔{TODAY.year}〕0001号"
    assert case.party_enterprise_id == enterprise.id and case.party_name == enterprise.name
    assert case.status == CaseStatus.OPEN and case.amount_involved_yuan == Decimal("25000.00")
    with pytest.raises(service.EnforcementError) as exc:
        service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=TODAY, penalty_decision_no="")
    assert str(exc.value) == "处罚决定书文号：结案前须填写行政处罚（或不予处罚）决定书文号"
    with pytest.raises(service.EnforcementError, match="^罚没款：不能为负数$"):
        service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=TODAY,
                      penalty_decision_no="津市监滨罚〔2023〕1号", fines="-1")
    with pytest.raises(service.EnforcementError, match="^结案日期：不能早于立案日期"):
        service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=YEAR_START - timedelta(days=1),
                      penalty_decision_no="津市监滨罚〔2023〕1号")
    service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=TODAY,
                  penalty_decision_no="津市监滨罚〔2023〕1号", fines="15000")
    db.commit()
    assert case.status == CaseStatus.CLOSED and case.fines_yuan == 15000
    with pytest.raises(service.TransitionError, match="^结案：已结案的案件不能再结案$"):
        service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=TODAY, penalty_decision_no="x")
    with pytest.raises(service.TransitionError, match="^案件：已结案的案件不能修改$"):
        service.update(db, case, _input(), actor=users["bureau_staff"], today=TODAY)
    # A closed case may still be transferred when a crime is suspected; it keeps its closing day.
    service.transfer(db, case, actor=users["bureau_staff"], today=TODAY, transferred_on=TODAY, organ="天津市公安局滨海分局")
    db.commit()
    assert case.status == CaseStatus.TRANSFERRED and case.closed_on == TODAY and case.transferred
    with pytest.raises(service.TransitionError, match="^移送司法机关：本案已于"):
        service.transfer(db, case, actor=users["bureau_staff"], today=TODAY, transferred_on=TODAY, organ="另一机关")
    actions = list(db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "enforcement_case",
                                                            AuditLog.entity_id == str(case.id)).order_by(AuditLog.id)))
    assert actions == ["enforcement.case.create", "enforcement.case.close", "enforcement.case.transfer"]


def test_transfer_of_open_case_ends_it(db, users):
    case = _case(db, users)
    with pytest.raises(service.EnforcementError, match="^接收移送的司法机关：不能为空$"):
        service.transfer(db, case, actor=users["bureau_staff"], today=TODAY, transferred_on=TODAY, organ=" ")
    service.transfer(db, case, actor=users["bureau_staff"], today=TODAY, transferred_on=TODAY, organ="天津市公安局")
    assert case.closed_on == TODAY and case.status == CaseStatus.TRANSFERRED
    with pytest.raises(service.TransitionError, match="^结案：已移送司法机关的案件不能再结案$"):
        service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=TODAY, penalty_decision_no="x")


@pytest.mark.parametrize(("change", "message"), [
    ({"amount_involved": "-3"}, "涉案金额：不能为负数"),
    ({"fines": "abc"}, "罚没款：“abc”不是数字"),
    ({"district_code": "120199"}, "所属区：区划代码“120199”不是天津市的区"),
    ({"category": "copyright"}, "案件类别：“copyright”无效，可选：商标侵权、假冒专利、地理标志、奥林匹克标志、其他"),
    ({"enforcement_unit": ""}, "执法单位：不能为空"),
    ({"party_name": "", "party_is_person": True}, "当事人名称：不能为空"),
    ({"party_is_person": False, "party_credit_code": "91120116MAHUXQEEX0"},
     "当事人统一社会信用代码：统一社会信用代码校验码（第 18 位）应为 M，实为 0"),
    ({"opened_on": TODAY + timedelta(days=2)}, "立案日期：不能晚于今天"),
])
def test_bad_input_names_the_field(db, users, enterprise, change, message):
    with pytest.raises(service.EnforcementError) as exc:
        service.register(db, _input(**change), actor=users["bureau_staff"], today=TODAY)
    assert str(exc.value) == message


def test_duplicate_case_number(db, users):
    _case(db, users, case_no="津市监滨立〔2023〕7号")
    with pytest.raises(service.EnforcementError, match="^案件编号：“津市监滨立〔2023〕7号”已被使用$"):
        _case(db, users, case_no="津市监滨立〔2023〕7号")


def test_role_visibility_and_handling(db, users):
    own = _case(db, users, actor="enforcement", district_code="120101")
    binhai = _case(db, users, district_code="120116")
    elsewhere = _case(db, users, district_code="120102")
    assert own.handler_id == users["enforcement"].id

    def seen(user):
        return {c.id for c in service.list_cases(db, user)[0]}

    assert seen(users["bureau_staff"]) == {own.id, binhai.id, elsewhere.id}
    assert seen(users["district_staff"]) == {binhai.id}
    assert seen(users["enforcement"]) == {own.id}
    assert seen(users["enterprise"]) == set() and seen(users["mediator"]) == set()
    users["enforcement"].district_code = "120102"  # an officer of the 河西 unit sees that district's cases too
    db.commit()
    assert seen(users["enforcement"]) == {own.id, elsewhere.id}
    with pytest.raises(PermissionDenied):
        service.close(db, binhai, actor=users["enforcement"], today=TODAY, closed_on=TODAY, penalty_decision_no="x")
    with pytest.raises(PermissionDenied):
        _case(db, users, actor="district_staff", district_code="120101")
    with pytest.raises(PermissionDenied):
        _case(db, users, actor="enterprise")


def _fill(db, users):
    """Cases in two districts and categories, some closed, one transferred, one open, one demo, one last year."""
    made = []
    for i, (category, district, amount, fines) in enumerate([
            ("trademark", "120116", "10000", "6000"), ("trademark", "120116", "30000.5", "20000"),
            ("patent_counterfeiting", "120101", "5000", "1000"), ("gi", "120101", "8000", "0")]):
        case = _case(db, users, category=category, district_code=district, amount_involved=amount)
        service.close(db, case, actor=users["bureau_staff"], today=TODAY, closed_on=YEAR_START + timedelta(days=i),
                      penalty_decision_no=f"罚{i}", fines=fines)
        made.append(case)
    moved = _case(db, users, category="olympic", amount_involved="7000")
    service.transfer(db, moved, actor=users["bureau_staff"], today=TODAY, transferred_on=YEAR_START, organ="公安机关")
    _case(db, users, amount_involved="99999")  # open: not counted
    demo = _case(db, users, amount_involved="11111")
    demo.dataset = "demo"
    service.close(db, demo, actor=users["bureau_staff"], today=TODAY, closed_on=YEAR_START, penalty_decision_no="d")
    last_year = _case(db, users, opened_on=date(TODAY.year - 1, 3, 1))
    service.close(db, last_year, actor=users["bureau_staff"], today=TODAY, closed_on=date(TODAY.year - 1, 5, 1),
                  penalty_decision_no="ly")
    db.commit()


def test_statistics_equal_the_records_and_the_indicators(db, users):
    from ipbureau.stats import service as stats

    _fill(db, users)
    result = service.statistics(db, users["bureau_staff"], TODAY.year)
    rows = db.scalars(select(EnforcementCase).where(
        EnforcementCase.dataset == "real", EnforcementCase.status.in_(["closed", "transferred"]),
        EnforcementCase.closed_on.between(YEAR_START, date(TODAY.year, 12, 31)))).all()
    assert result.total.closed == len(rows) == 5
    assert result.total.amount_yuan == sum(r.amount_involved_yuan for r in rows) == Decimal("60000.50")
    assert result.total.fines_yuan == Decimal("27000.00")
    assert result.total.transferred == 1
    assert result.total.amount_wan == 6.0 and result.total.fines_wan == 2.7
    assert result.by_category["trademark"].closed == 2 and result.by_category["olympic"].transferred == 1
    assert {d: f.closed for d, f in result.by_district.items()} == {"120101": 2, "120116": 3}
    assert sum(f.closed for f in result.by_month.values()) == 5
    assert stats.compute(db, "enforcement_cases_closed", TODAY.year).value == 5
    assert stats.compute(db, "enforcement_amount_involved", TODAY.year).value == pytest.approx(6.0, abs=0.01)
    assert stats.compute(db, "enforcement_fines", TODAY.year).value == pytest.approx(2.7)
    assert stats.compute(db, "enforcement_cases_transferred", TODAY.year).value == 1
    assert stats.compute(db, "enforcement_cases_closed", TODAY.year, district_code="120101").value == 2
    assert stats.compute(db, "enforcement_cases_closed", TODAY.year, dataset="demo").value == 1
    district = service.statistics(db, users["district_staff"], TODAY.year)
    assert district.total.closed == 3 and set(district.by_district) == {"120116"}


def test_excel_export_opens_and_matches(db, users):
    _fill(db, users)
    result = service.statistics(db, users["bureau_staff"], TODAY.year)
    workbook = load_workbook(io.BytesIO(service.export_workbook(db, users["bureau_staff"], result)))
    assert workbook.sheetnames == ["按类别", "按区", "按月", "案件明细"]
    by_category = workbook["按类别"]
    assert [c.value for c in by_category[2]] == ["案件类别", "办结案件数（件）", "涉案金额（万元）", "罚没款（万元）", "移送司法机关（件）"]
    labels = {row[0].value: [c.value for c in row[1:]] for row in by_category.iter_rows(min_row=3)}
    assert labels["商标侵权"] == [2, 4.0, 2.6, 0] and labels["合计"] == [5, 6.0, 2.7, 1]
    assert workbook["案件明细"].max_row == 1 + 5


def test_pages_and_api(client, db, users):
    _fill(db, users)
    login(client, "district_staff_user")
    page = client.get("/enforcement")
    assert page.status_code == 200 and "滨海新区市场监督管理局" in page.text
    stats_page = client.get("/enforcement/stats")
    assert stats_page.status_code == 200 and "<svg" in stats_page.text and 'id="closed">3<' in stats_page.text
    export = client.get(f"/enforcement/stats.xlsx?year={TODAY.year}")
    assert export.status_code == 200 and load_workbook(io.BytesIO(export.content))["按区"]["B3"].value == 3
    form = client.get("/enforcement/new")
    created = client.post("/enforcement", data={
        "csrf_token": csrf_from(form.text), "category": "trademark", "district_code": "120116",
        "enforcement_unit": "滨海新区市场监督管理局", "party_name": "赵某", "party_is_person": "1",
        "opened_on": TODAY.isoformat(), "amount_involved": "-1"})
    assert created.status_code == 422 and "涉案金额：不能为负数" in created.text

    headers = bearer(client, "enforcement_user")
    response = client.post("/api/enforcement/cases", headers=headers, json={
        "category": "patent_counterfeiting", "district_code": "120103", "enforcement_unit": "河东区市场监督管理局",
        "party_name": "孙某", "party_is_person": True, "opened_on": TODAY.isoformat(), "amount_involved_yuan": 3000})
    assert response.status_code == 201, response.text
    case_id = response.json()["id"]
    bad = client.post(f"/api/enforcement/cases/{case_id}/close", headers=headers,
                      json={"closed_on": TODAY.isoformat()})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("处罚决定书文号：")
    done = client.post(f"/api/enforcement/cases/{case_id}/close", headers=headers,
                       json={"closed_on": TODAY.isoformat(), "penalty_decision_no": "津市监东罚〔2023〕9号", "fines": 2000})
    assert done.status_code == 200 and done.json()["status"] == "closed"
    again = client.post(f"/api/enforcement/cases/{case_id}/close", headers=headers,
                        json={"closed_on": TODAY.isoformat(), "penalty_decision_no": "x"})
    assert again.status_code == 409 and again.json()["detail"] == "结案：已结案的案件不能再结案"
    assert client.get("/api/enforcement/cases", headers=headers).json()["total"] == 1
    api_stats = client.get("/api/enforcement/stats", headers=headers).json()
    assert api_stats["total"]["closed"] == 1 and api_stats["total"]["fines_wan"] == 0.2
    assert client.get("/api/enforcement/cases", headers=bearer(client, "enterprise_user")).status_code == 403
    other = db.scalar(select(EnforcementCase.id).where(EnforcementCase.district_code == "120101").limit(1))
    assert client.get(f"/api/enforcement/cases/{other}", headers=headers).status_code == 404


def test_demo_hook(db):
    from ipbureau.demo.generator import load_demo
    from ipbureau.stats import service as stats

    summary = load_demo(patents=300, enterprises=120, session=db)
    assert "执法案件" in summary
    year = 2022
    closed = db.scalars(select(EnforcementCase).where(
        EnforcementCase.dataset == "demo", EnforcementCase.status.in_(["closed", "transferred"]),
        EnforcementCase.closed_on.between(date(year, 1, 1), date(year, 12, 31)))).all()
    assert 330 < len(closed) < 450
    amount_wan = float(sum(c.amount_involved_yuan for c in closed)) / 10000
    assert 400 < amount_wan < 1800
    assert stats.compute(db, "enforcement_cases_closed", year, dataset="demo").value == len(closed)
    assert stats.compute(db, "enforcement_amount_involved", year, dataset="demo").value == pytest.approx(amount_wan, abs=0.01)
    assert 5 <= stats.compute(db, "enforcement_cases_transferred", year, dataset="demo").value <= 35
    from ipbureau.auth.models import User

    officer = db.scalar(select(User).where(User.username == "demo-enforcement"))
    assert service.list_cases(db, officer)[1] > 20
    total = db.scalar(select(func.count()).select_from(EnforcementCase).where(EnforcementCase.dataset == "demo"))
    load_demo(patents=300, enterprises=120, session=db)
    assert db.scalar(select(func.count()).select_from(EnforcementCase).where(EnforcementCase.dataset == "demo")) == total

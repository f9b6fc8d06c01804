"""Enforcement cases (行政执法): registration, closing and transfer, illegal transitions (409) and their audit
entries, bad input (422 in Chinese, on the services and the routes), role visibility (hidden cases are not there:
404), statistics equal to the records (and to the indicators), Excel export, pages, API, demo."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.core.errors import DomainError, Forbidden, NotFound, TransitionError
from ipbureau.core.fields import field_name
from ipbureau.protection.enforcement import service, statistics
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
    return values


def _case(db, users, actor="bureau_staff", **change):
    case = service.register(db, users[actor], _input(**change), today=TODAY)
    db.commit()
    return case


def _close(db, users, case, actor="bureau_staff", **data):
    return service.close(db, users[actor], case.id, data, today=TODAY)


def _transfer(db, users, case, actor="bureau_staff", **data):
    return service.transfer(db, users[actor], case.id, data, today=TODAY)


def test_register_close_and_audit(db, users, enterprise):
    case = _case(db, users, party_is_person=False, party_name="", party_credit_code=enterprise.credit_code)
    assert case.case_no == f"津知执〔{TODAY.year}〕0001号"
    assert case.party_enterprise_id == enterprise.id and case.party_name == enterprise.name
    assert case.status == CaseStatus.OPEN and case.amount_involved_yuan == Decimal("25000.00")
    with pytest.raises(DomainError) as exc:
        _close(db, users, case, closed_on=TODAY, penalty_decision_no="")
    assert str(exc.value) == "处罚决定书文号：结案前须填写行政处罚（或不予处罚）决定书文号"
    with pytest.raises(DomainError, match="^罚没款：不能为负数$"):
        _close(db, users, case, closed_on=TODAY, penalty_decision_no="津市监滨罚〔2023〕1号", fines="-1")
    with pytest.raises(DomainError, match="^结案日期：不能早于立案日期"):
        _close(db, users, case, closed_on=YEAR_START - timedelta(days=1), penalty_decision_no="津市监滨罚〔2023〕1号")
    _close(db, users, case, closed_on=TODAY, penalty_decision_no="津市监滨罚〔2023〕1号", fines="15000")
    db.commit()
    assert case.status == CaseStatus.CLOSED and case.fines_yuan == 15000
    with pytest.raises(TransitionError, match="^状态：已结案的案件不能结案$"):
        _close(db, users, case, closed_on=TODAY, penalty_decision_no="x")
    with pytest.raises(TransitionError, match="^状态：已结案的案件不能修改$"):
        service.update(db, users["bureau_staff"], case.id, _input(), today=TODAY)
    # A closed case may still be transferred when a crime is suspected; it keeps its closing day.
    _transfer(db, users, case, transferred_on=TODAY, organ="天津市公安局滨海分局")
    db.commit()
    assert case.status == CaseStatus.TRANSFERRED and case.closed_on == TODAY and case.transferred
    with pytest.raises(TransitionError, match="^状态：已移送司法机关的案件不能移送司法机关$"):
        _transfer(db, users, case, transferred_on=TODAY, organ="另一机关")
    actions = list(db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "enforcement_case",
                                                            AuditLog.entity_id == str(case.id)).order_by(AuditLog.id)))
    assert actions == ["enforcement.case.create", "enforcement.case.close", "enforcement.case.transfer"]


def test_transfer_of_open_case_ends_it(db, users):
    case = _case(db, users)
    with pytest.raises(DomainError, match="^接收移送的司法机关：不能为空$"):
        _transfer(db, users, case, transferred_on=TODAY, organ=" ")
    _transfer(db, users, case, transferred_on=TODAY, organ="天津市公安局")
    assert case.closed_on == TODAY and case.status == CaseStatus.TRANSFERRED
    with pytest.raises(TransitionError, match="^状态：已移送司法机关的案件不能结案$"):
        _close(db, users, case, closed_on=TODAY, penalty_decision_no="x")


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
    with pytest.raises(DomainError) as exc:
        service.register(db, users["bureau_staff"], _input(**change), today=TODAY)
    assert str(exc.value) == message


def test_duplicate_case_number(db, users):
    _case(db, users, case_no="津市监滨立〔2023〕7号")
    with pytest.raises(DomainError, match="^案件编号：“津市监滨立〔2023〕7号”已被使用$"):
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
    for role in ("enterprise", "mediator"):  # roles without the list at all: refused, not an empty list
        with pytest.raises(Forbidden):
            seen(users[role])
    users["enforcement"].district_code = "120102"  # an officer of the 河西 unit sees that district's cases too
    db.commit()
    assert seen(users["enforcement"]) == {own.id, elsewhere.id}
    with pytest.raises(NotFound):  # a case the officer may not see is not there (404, never 403)
        _close(db, users, binhai, actor="enforcement", closed_on=TODAY, penalty_decision_no="x")
    with pytest.raises(Forbidden):
        _case(db, users, actor="district_staff", district_code="120101")
    db.rollback()  # as the request's unit of work does after an error
    with pytest.raises(Forbidden):
        _case(db, users, actor="enterprise")


def _fill(db, users):
    """Cases in two districts and categories, some closed, one transferred, one open, one demo, one last year."""
    made = []
    for i, (category, district, amount, fines) in enumerate([
            ("trademark", "120116", "10000", "6000"), ("trademark", "120116", "30000.5", "20000"),
            ("patent_counterfeiting", "120101", "5000", "1000"), ("gi", "120101", "8000", "0")]):
        case = _case(db, users, category=category, district_code=district, amount_involved=amount)
        _close(db, users, case, closed_on=YEAR_START + timedelta(days=i), penalty_decision_no=f"罚{i}", fines=fines)
        made.append(case)
    moved = _case(db, users, category="olympic", amount_involved="7000")
    _transfer(db, users, moved, transferred_on=YEAR_START, organ="公安机关")
    _case(db, users, amount_involved="99999")  # open: not counted
    demo = _case(db, users, amount_involved="11111")
    demo.dataset = "demo"
    _close(db, users, demo, closed_on=YEAR_START, penalty_decision_no="d")
    last_year = _case(db, users, opened_on=date(TODAY.year - 1, 3, 1))
    _close(db, users, last_year, closed_on=date(TODAY.year - 1, 5, 1), penalty_decision_no="ly")
    db.commit()


def test_statistics_equal_the_records_and_the_indicators(db, users):
    from ipbureau.stats import service as stats

    _fill(db, users)
    result = statistics.statistics(db, users["bureau_staff"], TODAY.year)
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
    district = statistics.statistics(db, users["district_staff"], TODAY.year)
    assert district.total.closed == 3 and set(district.by_district) == {"120116"}


def test_excel_export_opens_and_matches(db, users):
    _fill(db, users)
    result = statistics.statistics(db, users["bureau_staff"], TODAY.year)
    workbook = load_workbook(io.BytesIO(statistics.export_workbook(db, users["bureau_staff"], result)))
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
    assert again.status_code == 409 and again.json()["detail"] == "状态：已结案的案件不能结案"
    assert client.get("/api/enforcement/cases", headers=headers).json()["total"] == 1
    api_stats = client.get("/api/enforcement/stats", headers=headers).json()
    assert api_stats["total"]["closed"] == 1 and api_stats["total"]["fines_wan"] == 0.2
    assert client.get("/api/enforcement/cases", headers=bearer(client, "enterprise_user")).status_code == 403
    other = db.scalar(select(EnforcementCase.id).where(EnforcementCase.district_code == "120101").limit(1))
    assert client.get(f"/api/enforcement/cases/{other}", headers=headers).status_code == 404


# ---- the workflow: illegal transitions (409), audit entries, buttons ------------------------------------

def _entries(db, case):
    return list(db.scalars(select(AuditLog).where(AuditLog.entity_type == "enforcement_case",
                                                  AuditLog.entity_id == str(case.id)).order_by(AuditLog.id)))


def test_illegal_transitions_are_409_and_leave_no_audit_entry(client, db, users):
    headers = bearer(client, "bureau_staff_user")
    closed = _case(db, users)
    _close(db, users, closed, closed_on=TODAY, penalty_decision_no="罚1")
    moved = _case(db, users)
    _transfer(db, users, moved, transferred_on=TODAY, organ="公安机关")
    db.commit()
    attempts = {
        closed: [("put", "", "修改"), ("post", "/close", "结案")],
        moved: [("put", "", "修改"), ("post", "/close", "结案"), ("post", "/transfer", "移送司法机关")],
    }
    for case, tries in attempts.items():
        before = len(_entries(db, case))
        for method, suffix, label in tries:
            response = client.request(method.upper(), f"/api/enforcement/cases/{case.id}{suffix}", headers=headers,
                                      json={})
            assert response.status_code == 409, (case.status, suffix, response.text)
            assert response.json()["detail"] == f"状态：{CaseStatus(case.status).label}的案件不能{label}"
        assert len(_entries(db, case)) == before


def test_each_action_writes_one_audit_entry_with_the_diff(db, users):
    case = _case(db, users, amount_involved="1000")
    service.update(db, users["bureau_staff"], case.id, _input(amount_involved="1,200", summary="查获侵权商品 30 件"),
                   today=TODAY)
    _close(db, users, case, closed_on=TODAY, penalty_decision_no="津市监滨罚〔2024〕3号", fines="800")
    _transfer(db, users, case, transferred_on=TODAY, organ="天津市公安局滨海分局")
    create, edit, close, transfer = _entries(db, case)
    assert create.changes["amount_involved_yuan"] == [None, "1000.00"] and create.changes["status"] == [None, "open"]
    assert edit.action == "enforcement.case.update" and edit.summary == f"{case.case_no}：修改案件信息"
    assert edit.changes == {"amount_involved_yuan": ["1000.00", "1200.00"], "summary": [None, "查获侵权商品 30 件"]}
    assert close.summary == f"{case.case_no}：结案（津市监滨罚〔2024〕3号），罚没款 800.00 元"
    assert close.changes == {"status": ["open", "closed"], "closed_on": [None, TODAY.isoformat()],
                             "penalty_decision_no": [None, "津市监滨罚〔2024〕3号"], "fines_yuan": ["0.00", "800.00"]}
    assert transfer.changes == {"status": ["closed", "transferred"], "transferred": [False, True],
                                "transferred_on": [None, TODAY.isoformat()],
                                "transferred_organ": [None, "天津市公安局滨海分局"]}


def test_buttons_follow_the_workflow_and_the_policy(db, users):
    def offered(case, role="bureau_staff"):
        return [t.action for t in service.available_actions(db, users[role], case)]

    case = _case(db, users)
    assert offered(case) == ["update", "close", "transfer"] == offered(case, "district_staff")
    _close(db, users, case, closed_on=TODAY, penalty_decision_no="罚1")
    assert offered(case) == ["transfer"]
    _transfer(db, users, case, transferred_on=TODAY, organ="公安机关")
    assert offered(case) == []


# ---- hidden cases (404) and the district's own cases ------------------------------------------------------

def test_hidden_cases_are_not_there(client, db, users):
    """A case outside the user's row scope answers 404 on every route, exactly as a missing one."""
    own = _case(db, users, actor="enforcement", district_code="120101")
    binhai = _case(db, users, district_code="120116")
    officer, staff = bearer(client, "enforcement_user"), bearer(client, "district_staff_user")
    for headers, visible, hidden in ((officer, own, binhai), (staff, binhai, own)):
        assert client.get(f"/api/enforcement/cases/{visible.id}", headers=headers).status_code == 200
        assert client.get(f"/api/enforcement/cases/{hidden.id}", headers=headers).status_code == 404
        assert client.put(f"/api/enforcement/cases/{hidden.id}", headers=headers,
                          json=_input(opened_on=TODAY.isoformat())).status_code == 404
        assert client.post(f"/api/enforcement/cases/{hidden.id}/close", headers=headers,
                           json={"closed_on": TODAY.isoformat(), "penalty_decision_no": "x"}).status_code == 404
        assert client.post(f"/api/enforcement/cases/{hidden.id}/transfer", headers=headers,
                           json={"transferred_on": TODAY.isoformat(), "organ": "公安机关"}).status_code == 404
    assert client.get(f"/api/enforcement/cases/{own.id}", headers=bearer(client, "enterprise_user")).status_code == 403
    login(client, "enforcement_user")
    assert client.get(f"/enforcement/{own.id}").status_code == 200
    page = client.get(f"/enforcement/{binhai.id}")
    assert page.status_code == 404 and "执法案件不存在" in page.text
    assert client.get(f"/enforcement/{binhai.id}/edit").status_code == 404
    with pytest.raises(NotFound):
        service.get_case(db, users["enforcement"], binhai.id)


def test_district_staff_keep_their_cases_in_their_district(client, db, users):
    case = _case(db, users, actor="district_staff", district_code="120116")
    with pytest.raises(Forbidden, match="区局工作人员只能办理本区的案件"):
        service.update(db, users["district_staff"], case.id, _input(district_code="120101"), today=TODAY)
    db.rollback()
    response = client.put(f"/api/enforcement/cases/{case.id}", headers=bearer(client, "district_staff_user"),
                          json=_input(district_code="120101", opened_on=TODAY.isoformat()))
    assert response.status_code == 403
    db.expire_all()
    assert db.get(EnforcementCase, case.id).district_code == "120116"
    assert not [e for e in _entries(db, case) if e.action == "enforcement.case.update"]


# ---- bad input on the routes (422 in Chinese) -------------------------------------------------------------

@pytest.mark.parametrize(("url", "name"), [
    ("/api/enforcement/cases/99999999999999999999", "case_id"),
    ("/api/enforcement/cases/-1", "case_id"),
    ("/api/enforcement/cases/١٢", "case_id"),
    ("/api/enforcement/cases?offset=-1", "offset"),
    ("/api/enforcement/cases?limit=100000", "limit"),
    ("/api/enforcement/cases?year=1800", "year"),
    ("/api/enforcement/cases?year=２０２３x", "year"),
    ("/api/enforcement/stats?year=99999999999999999999", "year"),
    ("/api/enforcement/stats?year=NaN", "year"),
])
def test_bad_numbers_in_urls_are_422_in_chinese(client, users, url, name):
    response = client.get(url, headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422, response.text
    label = field_name(("query", name), "ipbureau.protection.enforcement")  # the field's Chinese name in this area
    assert label != name and response.json()["detail"].startswith(f"输入有误：{label}：")


@pytest.mark.parametrize(("path", "body", "message"), [
    ("", {"category": "trademark", "opened_on": "2023-02-30"}, "立案日期：日期“2023-02-30”无法识别（如 2023-05-01）"),
    ("", {"category": "trademark", "amount_involved_yuan": 1e300}, "涉案金额：数字位数过多（最多 16 位）"),
    ("", {"category": "trademark", "fines_yuan": "Infinity"}, "罚没款：必须是有限的数字"),
    ("", {"category": "trademark", "handler_id": -1}, "承办人：不能小于 1"),
    ("/{id}/close", {"closed_on": "2023-02-30", "penalty_decision_no": "x"}, "结案日期：日期“2023-02-30”无法识别（如 2023-05-01）"),
    ("/{id}/close", {"closed_on": "2023-05-01", "penalty_decision_no": "x", "fines": "NaN"}, "罚没款：必须是有限的数字"),
    ("/{id}/close", {"closed_on": "2023-05-01", "penalty_decision_no": "x", "fines": -1}, "罚没款：不能为负数"),
    ("/{id}/transfer", {"organ": "公安", "transferred_on": "9999-01-01"}, "移送日期：日期应在 1900-01-01 至 2100-12-31 之间"),
])
def test_bad_numbers_and_dates_in_bodies_are_422_in_chinese(client, db, users, path, body, message):
    case = _case(db, users)
    response = client.post(f"/api/enforcement/cases{path.format(id=case.id)}", json=body,
                           headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == f"输入有误：{message}"


def test_pages_take_blank_filters_and_refuse_bad_numbers(client, db, users):
    _case(db, users)
    login(client, "bureau_staff_user")
    page = client.get("/enforcement?category=&status=&district=&year=&keyword=")  # the filter form, left empty
    assert page.status_code == 200 and "王某（个体经营）" in page.text
    assert client.get("/enforcement?year=abc").status_code == 422
    assert client.get("/enforcement/stats?year=-1").status_code == 422
    assert client.get("/enforcement/stats.xlsx?year=1e9").status_code == 422
    assert client.get("/enforcement/abc").status_code == 422


def test_demo_hook(db, monkeypatch):
    from ipbureau.demo import generator
    from ipbureau.demo.generator import load_demo
    from ipbureau.stats import service as stats

    # Only this module's hooks (as in the market's demo test): the other areas' demo modules are tested by their
    # own suites, and this one reads none of their records.
    monkeypatch.setattr(generator, "DOMAIN_DEMO_MODULES", ("ipbureau.protection.enforcement.demo",))
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

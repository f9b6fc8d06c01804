"""Disputes (纠纷调解 / 行政裁决): registration, mediation with judicial confirmation, adjudication with
technical investigators and conflict of interest, the workflows' illegal transitions and audit entries,
deadlines, role visibility (hidden cases are not there: 404), bad input on the routes (422 in Chinese),
indicators, demo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.core.errors import DomainError, Forbidden, NotFound, TransitionError
from ipbureau.core.fields import field_name
from ipbureau.enterprises.models import Enterprise
from ipbureau.protection.disputes import actions, deadlines, investigators, service
from ipbureau.protection.disputes.enums import DeadlineState, DisputeStatus
from ipbureau.protection.disputes.models import DisputeCase, Investigator
from ipbureau.protection.disputes.schemas import CaseFilters
from ipbureau.protection.disputes.workflows import ADJUDICATION, MEDIATION
from tests.conftest import bearer, csrf_from, login

TODAY = date.today()
OTHER_CODE = "91120101MAURQ2839M"  # a valid credit code


@pytest.fixture
def other(db):
    ent = Enterprise(credit_code=OTHER_CODE, name="天津被请求科技有限公司", district_code="120101")
    db.add(ent)
    db.commit()
    return ent


def _party(side, **values):
    return {"side": side, **values}


def _case(db, users, enterprise, *, kind="mediation", actor="bureau_staff", received_on=None, district="120116",
          ipc=None, ip_type="patent", respondent=None, handler=None):
    parties = [_party("requester", credit_code=enterprise.credit_code),
               respondent or _party("respondent", name="李四", is_person=True)]
    case = service.register(db, users[actor], dict(
        kind=kind, ip_type=ip_type, claim="请求停止侵害并赔偿损失", district_code=district,
        handling_org="committee" if kind == "mediation" else "city", received_on=received_on or TODAY,
        parties=parties, ip_numbers="ZL202110000001.X", ipc=ipc or ("G06F16/00" if kind == "adjudication" else None),
        handler_id=handler), today=TODAY)
    db.commit()
    return case


def _act(db, case, action, users, actor="bureau_staff", **data):
    actions.act(db, users[actor], case.id, action, data, today=TODAY)
    db.commit()
    return case


def _investigator(db, users, *, name="王工", fields="G06F, H04L", affiliations=""):
    investigator = investigators.create_investigator(db, users["bureau_staff"], {
        "name": name, "organisation": "国家知识产权局专利局专利审查协作天津中心", "fields": fields,
        "affiliations": affiliations})
    db.commit()
    return investigator


# ---- registration ------------------------------------------------------------------------------

def test_register_links_enterprise_party_numbers_case_and_audits(db, users, enterprise):
    case = _case(db, users, enterprise)
    assert case.case_no == f"津知调〔{TODAY.year}〕0001号"
    assert case.status == DisputeStatus.RECEIVED and case.deadline == TODAY + timedelta(days=30)
    requester, respondent = case.parties
    assert requester.enterprise_id == enterprise.id and requester.name == enterprise.name
    assert respondent.is_person and respondent.credit_code is None
    second = _case(db, users, enterprise, kind="adjudication")
    assert second.case_no == f"津知裁〔{TODAY.year}〕0001号"
    assert second.deadline == deadlines.add_working_days(TODAY, 5)
    entry = db.scalar(select(AuditLog).where(AuditLog.entity_type == "dispute_case", AuditLog.entity_id == str(case.id)))
    assert entry.action == "disputes.case.create" and case.case_no in entry.summary


@pytest.mark.parametrize(("change", "message"), [
    ({"district_code": "999999"}, "所属区：区划代码“999999”不是天津市的区"),
    ({"district_code": ""}, "所属区：请选择所属区"),
    ({"kind": "arbitration"}, "案件类型：“arbitration”无效，可选：纠纷调解、行政裁决"),
    ({"claim": "  "}, "请求事项：不能为空"),
    ({"received_on": "2023-02-30"}, "收到日期：日期“2023-02-30”无法识别（如 2023-05-01）"),
    ({"received_on": TODAY + timedelta(days=1)}, "收到日期：不能晚于今天"),
    ({"kind": "adjudication", "handling_org": "committee"},
     "办理机构：行政裁决由知识产权管理部门办理，人民调解委员会不能作出裁决"),
    ({"kind": "adjudication", "handling_org": "city", "ipc": ""},
     "技术领域（IPC）：专利侵权纠纷行政裁决须填写涉案专利的 IPC 分类，以便指派技术调查官"),
    ({"ipc": "XYZ"}, "技术领域（IPC）：“XYZ”不是 IPC 分类号（如 G06F 或 G06F16/00）"),
])
def test_register_rejects_bad_input_naming_the_field(db, users, enterprise, change, message):
    values = dict(kind="mediation", ip_type="patent", claim="请求赔偿", district_code="120116",
                  handling_org="committee", received_on=TODAY, ipc=None,
                  parties=[_party("requester", credit_code=enterprise.credit_code),
                           _party("respondent", name="李四", is_person=True)])
    values.update(change)
    with pytest.raises(DomainError) as exc:
        service.register(db, users["bureau_staff"], values, today=TODAY)
    assert str(exc.value) == message


def test_register_party_rules(db, users, enterprise):
    def register(*items):
        return service.register(db, users["bureau_staff"], dict(
            kind="mediation", ip_type="trademark", claim="商标侵权", district_code="120116", handling_org="committee",
            received_on=TODAY, parties=list(items)), today=TODAY)
    requester = _party("requester", credit_code=enterprise.credit_code)
    with pytest.raises(DomainError, match="^被请求人：至少须有一名$"):
        register(requester)
    with pytest.raises(DomainError, match="^被请求人统一社会信用代码：当事人为单位时须填写"):
        register(requester, _party("respondent", name="某公司"))
    with pytest.raises(DomainError, match="^被请求人统一社会信用代码：统一社会信用代码应为 18 位"):
        register(requester, _party("respondent", name="某公司", credit_code="123"))
    with pytest.raises(DomainError, match="^当事人：同一当事人不能重复列出"):
        register(requester, _party("respondent", credit_code=enterprise.credit_code))
    # An organisation not in the enterprise register keeps its name and code.
    case = register(requester, _party("respondent", name="外省某公司", credit_code=OTHER_CODE))
    assert case.parties[1].enterprise_id is None and case.parties[1].credit_code == OTHER_CODE


def test_register_roles(db, users, enterprise):
    with pytest.raises(Forbidden):
        _case(db, users, enterprise, actor="enterprise")
    with pytest.raises(Forbidden, match="区局工作人员只能登记本区的案件"):
        _case(db, users, enterprise, actor="district_staff", district="120101")
    db.rollback()  # as the request's unit of work does after an error
    assert db.scalar(select(func.count()).select_from(DisputeCase)) == 0
    mine = _case(db, users, enterprise, actor="mediator")
    assert mine.handler_id == users["mediator"].id


# ---- mediation ---------------------------------------------------------------------------------

def test_mediation_workflow_with_judicial_confirmation(db, users, enterprise):
    case = _case(db, users, enterprise, received_on=TODAY - timedelta(days=10), handler=users["mediator"].id)
    with pytest.raises(TransitionError, match="^调解结果：尚未记录任何调解"):
        _act(db, case, "conclude", users, actor="mediator", outcome="agreement", concluded_on=TODAY)
    # Confirmation follows a closed case (the workflow's state check; a closed case without an agreement is
    # refused by the action's own precondition, see test_confirmation_needs_an_agreement).
    with pytest.raises(TransitionError, match="^状态：已登记的案件不能司法确认$"):
        _act(db, case, "confirm", users, court="天津市河西区人民法院", ruling_no="(2023)津0103民特1号",
             confirmation_on=TODAY)
    _act(db, case, "session", users, actor="mediator", held_on=TODAY - timedelta(days=5), participants="双方代理人",
         notes="初步沟通")
    assert case.status == DisputeStatus.IN_PROGRESS and len(case.sessions) == 1
    with pytest.raises(DomainError, match="^协议金额：不能为负数$"):
        _act(db, case, "conclude", users, actor="mediator", outcome="agreement", concluded_on=TODAY,
             agreement_amount="-5")
    with pytest.raises(DomainError, match="^结案日期：不能早于最后一次调解日期"):
        _act(db, case, "conclude", users, actor="mediator", outcome="agreement",
             concluded_on=TODAY - timedelta(days=6))
    _act(db, case, "conclude", users, actor="mediator", outcome="agreement", concluded_on=TODAY,
         agreement_amount="120,000")
    assert case.status == DisputeStatus.CLOSED and case.agreement_amount_yuan == 120000
    with pytest.raises(TransitionError, match="^状态：已结案的案件不能记录调解$"):
        _act(db, case, "session", users, actor="mediator", held_on=TODAY, participants="x")
    with pytest.raises(DomainError, match="^确认法院：不能为空$"):
        _act(db, case, "confirm", users, ruling_no="x", confirmation_on=TODAY)
    _act(db, case, "confirm", users, court="天津市河西区人民法院", ruling_no="(2023)津0103民特1号", confirmation_on=TODAY)
    assert case.confirmation_court == "天津市河西区人民法院"
    with pytest.raises(TransitionError, match="^司法确认：本案已于"):
        _act(db, case, "confirm", users, court="另一法院", ruling_no="y", confirmation_on=TODAY)
    logged = [a for (a,) in db.execute(select(AuditLog.action).where(AuditLog.entity_id == str(case.id),
                                                                      AuditLog.entity_type == "dispute_case")
                                        .order_by(AuditLog.id))]
    assert logged == ["disputes.case.create", "disputes.case.session", "disputes.case.conclude",
                       "disputes.case.confirm"]


def test_mediation_actions_are_refused_on_adjudication_and_vice_versa(db, users, enterprise):
    mediation = _case(db, users, enterprise)
    with pytest.raises(TransitionError, match="^操作：纠纷调解案件不能立案$"):
        _act(db, mediation, "accept", users, accepted_on=TODAY)
    adjudication = _case(db, users, enterprise, kind="adjudication")
    with pytest.raises(TransitionError, match="^操作：行政裁决案件不能记录调解$"):
        _act(db, adjudication, "session", users, held_on=TODAY, participants="x")
    with pytest.raises(DomainError, match="^操作：未知操作“fly”$"):
        _act(db, adjudication, "fly", users)


def test_only_handlers_act(db, users, enterprise):
    case = _case(db, users, enterprise, handler=users["mediator"].id)
    with pytest.raises(Forbidden):  # a party sees the case but does not handle it
        _act(db, case, "session", users, actor="enterprise", held_on=TODAY, participants="x")
    other_district = _case(db, users, enterprise, district="120101")
    with pytest.raises(NotFound):  # a case the user may not see is not there (404, never 403)
        _act(db, other_district, "session", users, actor="district_staff", held_on=TODAY, participants="x")
    with pytest.raises(NotFound):  # not his case
        _act(db, other_district, "session", users, actor="mediator", held_on=TODAY, participants="x")
    with pytest.raises(Forbidden, match="承办人由工作人员指定"):
        _act(db, case, "assign", users, actor="mediator", handler_id=users["mediator"].id)
    with pytest.raises(DomainError, match="^承办人：企业/高校用户测试 不是调解员或工作人员，不能承办案件$"):
        _act(db, other_district, "assign", users, handler_id=users["enterprise"].id)
    _act(db, other_district, "assign", users, handler_id=users["mediator"].id)
    _act(db, other_district, "session", users, actor="mediator", held_on=TODAY, participants="双方")


# ---- adjudication ------------------------------------------------------------------------------

def test_adjudication_workflow_investigator_and_decision(db, users, enterprise, other):
    respondent = _party("respondent", credit_code=other.credit_code)
    case = _case(db, users, enterprise, kind="adjudication", received_on=TODAY - timedelta(days=3),
                 respondent=respondent)
    with pytest.raises(TransitionError, match="^状态：已登记的案件不能作出裁决$"):
        _act(db, case, "decide", users, decision="infringement", reasons="x", concluded_on=TODAY)
    _act(db, case, "accept", users, accepted_on=TODAY - timedelta(days=1))
    assert case.status == DisputeStatus.ACCEPTED
    assert case.deadline == deadlines.add_months(TODAY - timedelta(days=1), 3)
    with pytest.raises(TransitionError, match="^状态：已立案的案件不能立案$"):
        _act(db, case, "accept", users, accepted_on=TODAY)

    fit = _investigator(db, users, name="王工", fields="G06F", affiliations="天津某大学")
    conflicted = _investigator(db, users, name="赵工", fields="G06", affiliations=f"{other.name}, 父亲任职")
    by_code = _investigator(db, users, name="钱工", fields="G", affiliations=enterprise.credit_code)
    wrong_field = _investigator(db, users, name="孙工", fields="A61K")
    listed = {inv.name: found for inv, found in investigators.candidates(db, case)}
    assert set(listed) == {"王工", "赵工", "钱工"} and listed["王工"] == [] and listed["赵工"] and listed["钱工"]
    with pytest.raises(DomainError) as exc:
        _act(db, case, "investigator", users, investigator_id=conflicted.id)
    assert str(exc.value) == (f"技术调查官：赵工申报的关联关系“{other.name}”与被请求人“{other.name}”"
                              "存在利害关系，应当回避，不能指派")
    with pytest.raises(DomainError, match=f"^技术调查官：钱工申报的关联关系“{enterprise.credit_code}”与请求人"):
        _act(db, case, "investigator", users, investigator_id=by_code.id)
    with pytest.raises(DomainError, match=r"^技术调查官：孙工的技术领域（A61K）与本案技术领域（G06F16/00）不符$"):
        _act(db, case, "investigator", users, investigator_id=wrong_field.id)
    assert case.investigator_id is None
    with pytest.raises(TransitionError, match="^技术调查官：专利侵权纠纷须先指派技术调查官"):
        _act(db, case, "decide", users, decision="infringement", reasons="落入保护范围", decision_no="津知裁字1号",
             concluded_on=TODAY)
    _act(db, case, "investigator", users, investigator_id=fit.id)
    _act(db, case, "hearing", users, hearing_on=TODAY, notes="双方到庭")
    assert case.status == DisputeStatus.IN_PROGRESS
    with pytest.raises(DomainError, match="^裁决结果：结案前须作出裁决（侵权成立、不成立或和解）$"):
        _act(db, case, "decide", users, reasons="x", concluded_on=TODAY)
    with pytest.raises(DomainError, match="^裁决理由：不能为空$"):
        _act(db, case, "decide", users, decision="infringement", decision_no="1", concluded_on=TODAY)
    with pytest.raises(DomainError, match="^裁决书文号：不能为空$"):
        _act(db, case, "decide", users, decision="infringement", reasons="落入保护范围", concluded_on=TODAY)
    _act(db, case, "decide", users, decision="infringement", reasons="被诉产品落入权利要求1的保护范围",
         decision_no="津知裁字〔2023〕1号", concluded_on=TODAY)
    assert case.status == DisputeStatus.CLOSED and case.concluded_on == TODAY
    with pytest.raises(TransitionError, match="^状态：已结案的案件不能撤回$"):
        _act(db, case, "withdraw", users, concluded_on=TODAY)


def test_adjudication_rejection_extension_and_withdrawal(db, users, enterprise):
    rejected = _case(db, users, enterprise, kind="adjudication")
    with pytest.raises(DomainError, match="^不予受理理由：不能为空$"):
        _act(db, rejected, "reject", users, concluded_on=TODAY)
    _act(db, rejected, "reject", users, reason="不属于本部门管辖", concluded_on=TODAY)
    assert rejected.status == DisputeStatus.REJECTED
    case = _case(db, users, enterprise, kind="adjudication", handler=users["mediator"].id)
    _act(db, case, "accept", users, accepted_on=TODAY)
    with pytest.raises(Forbidden, match="负责人批准"):
        _act(db, case, "extend", users, actor="mediator", reason="案情复杂")
    deadline = case.deadline
    _act(db, case, "extend", users, reason="案情复杂，经负责人批准")
    assert case.deadline == deadlines.add_months(deadline, 1) and case.extended
    with pytest.raises(TransitionError, match=r"^延长期限：结案期限只能延长一次（最多一个月）$"):
        _act(db, case, "extend", users, reason="再次延长")
    _act(db, case, "withdraw", users, actor="mediator", concluded_on=TODAY)
    assert case.status == DisputeStatus.CLOSED and case.decision == "withdrawn"


# ---- the workflows: illegal transitions (409) and their audit entries ---------------------------------

def _entries(db, case):
    return list(db.scalars(select(AuditLog).where(AuditLog.entity_type == "dispute_case",
                                                  AuditLog.entity_id == str(case.id)).order_by(AuditLog.id)))


def test_every_illegal_transition_is_a_409_naming_the_state(client, db, users, enterprise):
    headers = bearer(client, "bureau_staff_user")
    closed_mediation = _case(db, users, enterprise)
    _act(db, closed_mediation, "withdraw", users, concluded_on=TODAY)
    rejected = _case(db, users, enterprise, kind="adjudication")
    _act(db, rejected, "reject", users, reason="不属于管辖", concluded_on=TODAY)
    received = _case(db, users, enterprise, kind="adjudication")
    checked = 0
    for case, workflow in ((closed_mediation, MEDIATION), (rejected, ADJUDICATION), (received, ADJUDICATION)):
        before = len(_entries(db, case))
        state = DisputeStatus(case.status)
        for transition in workflow.transitions.values():
            if state.value in transition.sources:
                continue
            response = client.post(f"/api/disputes/{case.id}/{transition.action}", headers=headers, json={})
            assert response.status_code == 409, (case.status, transition.action, response.text)
            assert response.json()["detail"] == f"状态：{state.label}的案件不能{transition.label}"
            checked += 1
        assert len(_entries(db, case)) == before  # a refused action leaves no audit entry
    assert checked >= 12
    # An action of the other kind's workflow is refused the same way, naming the kind.
    response = client.post(f"/api/disputes/{received.id}/session", headers=headers, json={})
    assert response.status_code == 409 and response.json()["detail"] == "操作：行政裁决案件不能记录调解"


def test_each_step_writes_one_audit_entry_with_the_diff(db, users, enterprise):
    case = _case(db, users, enterprise, received_on=TODAY - timedelta(days=3), handler=users["mediator"].id)
    _act(db, case, "session", users, actor="mediator", held_on=TODAY - timedelta(days=2), participants="双方")
    _act(db, case, "conclude", users, actor="mediator", outcome="agreement", concluded_on=TODAY,
         agreement_amount="8,000.5")
    create, session, conclude = _entries(db, case)
    assert create.changes["parties"][1] == [f"requester:{enterprise.name}:{enterprise.credit_code}", "respondent:李四:"]
    assert session.actor_name == "mediator_user" and session.summary == f"{case.case_no}：记录调解（{TODAY - timedelta(days=2)}）"
    assert session.changes == {"status": ["received", "in_progress"]}
    assert conclude.summary == f"{case.case_no}：调解结案：达成调解协议"
    assert conclude.changes == {"status": ["in_progress", "closed"], "outcome": [None, "agreement"],
                                "concluded_on": [None, TODAY.isoformat()], "agreement_amount_yuan": [None, "8000.50"]}
    adjudication = _case(db, users, enterprise, kind="adjudication")
    _act(db, adjudication, "accept", users, accepted_on=TODAY)
    accept = _entries(db, adjudication)[-1]
    deadline = deadlines.add_months(TODAY, 3)
    assert accept.action == "disputes.case.accept" and accept.summary.endswith(f"立案，结案期限 {deadline}")
    assert accept.changes["status"] == ["received", "accepted"]
    assert accept.changes["accepted_on"] == [None, TODAY.isoformat()]
    assert accept.changes["deadline"][1] == deadline.isoformat()


def test_confirmation_needs_an_agreement_and_is_offered_once(db, users, enterprise):
    failed = _case(db, users, enterprise, received_on=TODAY - timedelta(days=2))
    _act(db, failed, "session", users, held_on=TODAY - timedelta(days=1), participants="双方")
    _act(db, failed, "conclude", users, outcome="failed", concluded_on=TODAY)
    with pytest.raises(TransitionError, match="^司法确认：只有达成调解协议并结案的案件才能申请司法确认$"):
        _act(db, failed, "confirm", users, court="天津市河西区人民法院", ruling_no="x", confirmation_on=TODAY)
    assert actions.available_actions(db, users["bureau_staff"], failed) == []
    agreed = _case(db, users, enterprise, received_on=TODAY - timedelta(days=2))
    _act(db, agreed, "session", users, held_on=TODAY - timedelta(days=1), participants="双方")
    _act(db, agreed, "conclude", users, outcome="agreement", concluded_on=TODAY)
    assert [t.action for t in actions.available_actions(db, users["bureau_staff"], agreed)] == ["confirm"]
    _act(db, agreed, "confirm", users, court="天津市河西区人民法院", ruling_no="(2024)津0103民特2号", confirmation_on=TODAY)
    assert actions.available_actions(db, users["bureau_staff"], agreed) == []


def test_buttons_follow_the_workflow_and_the_policy(db, users, enterprise):
    def offered(case, role):
        return [t.action for t in actions.available_actions(db, users[role], case)]

    mediation = _case(db, users, enterprise, handler=users["mediator"].id)
    assert offered(mediation, "bureau_staff") == ["assign", "session", "conclude", "withdraw"]
    assert offered(mediation, "mediator") == ["session", "conclude", "withdraw"]  # staff name the handler
    assert offered(mediation, "enterprise") == []  # a party reads its case, it does not handle it
    adjudication = _case(db, users, enterprise, kind="adjudication", handler=users["mediator"].id)
    assert offered(adjudication, "district_staff") == ["assign", "accept", "reject", "withdraw"]
    _act(db, adjudication, "accept", users, accepted_on=TODAY)
    assert offered(adjudication, "bureau_staff") == ["assign", "investigator", "hearing", "decide", "withdraw",
                                                     "extend"]
    assert offered(adjudication, "mediator") == ["investigator", "hearing", "decide", "withdraw"]
    _act(db, adjudication, "extend", users, reason="案情复杂")
    assert "extend" not in offered(adjudication, "bureau_staff")  # once only


# ---- deadlines ---------------------------------------------------------------------------------

def test_deadline_states_and_warnings(db, users, enterprise):
    overdue = _case(db, users, enterprise, received_on=TODAY - timedelta(days=40))
    soon = _case(db, users, enterprise, received_on=TODAY - timedelta(days=25))
    fresh = _case(db, users, enterprise)
    closed = _case(db, users, enterprise, received_on=TODAY - timedelta(days=60))
    _act(db, closed, "withdraw", users, concluded_on=TODAY)
    assert deadlines.deadline_state(overdue, TODAY) == DeadlineState.OVERDUE
    assert deadlines.deadline_note(overdue, TODAY) == "已超期 10 天"
    assert deadlines.deadline_state(soon, TODAY) == DeadlineState.DUE_SOON
    assert deadlines.deadline_note(soon, TODAY) == "5 天后到期"
    assert deadlines.deadline_state(fresh, TODAY) == DeadlineState.OK
    assert deadlines.deadline_state(closed, TODAY) == DeadlineState.DONE
    assert service.warning_counts(db, users["bureau_staff"], TODAY) == {"overdue": 1, "due_soon": 1}
    rows, total = service.list_cases(db, users["bureau_staff"], CaseFilters(deadline="overdue"), today=TODAY)
    assert total == 1 and rows[0].id == overdue.id


def test_deadline_arithmetic():
    assert deadlines.add_months(date(2023, 1, 31), 3) == date(2023, 4, 30)
    assert deadlines.add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert deadlines.add_working_days(date(2023, 6, 2), 5) == date(2023, 6, 9)  # Friday + 5 working days


# ---- visibility and pages ----------------------------------------------------------------------

def test_role_visibility(db, users, enterprise, other):
    from ipbureau.auth import service as auth
    from ipbureau.auth.enums import Role
    from ipbureau.auth.models import UserCreate

    own = _case(db, users, enterprise, handler=users["mediator"].id)
    other_district = _case(db, users, enterprise, district="120101")
    not_ours = _case(db, users, enterprise, respondent=_party("respondent", name="王五", is_person=True))
    not_ours.parties[0].enterprise_id = None  # a case the enterprise is no party to
    not_ours.parties[0].name, not_ours.parties[0].credit_code = "天津别家有限公司", OTHER_CODE
    db.commit()
    outsider = auth.create(db, UserCreate(username="other_ent", display_name="他企", password="correct-horse-42",
                                          role=Role.ENTERPRISE, enterprise_id=other.id))
    db.commit()

    def seen(user):
        rows, _ = service.list_cases(db, user, today=TODAY)
        return {c.id for c in rows}

    assert seen(users["bureau_staff"]) == {own.id, other_district.id, not_ours.id}
    assert seen(users["district_staff"]) == {own.id, not_ours.id}
    assert seen(users["mediator"]) == {own.id}
    assert seen(users["enterprise"]) == {own.id, other_district.id}
    assert seen(outsider) == set()


def test_pages_and_api(client, db, users, enterprise):
    case = _case(db, users, enterprise, handler=users["mediator"].id)
    login(client, "mediator_user")
    page = client.get("/disputes")
    assert page.status_code == 200 and case.case_no in page.text
    detail = client.get(f"/disputes/{case.id}")
    assert detail.status_code == 200 and "记录调解" in detail.text
    response = client.post(f"/disputes/{case.id}/session", data={
        "csrf_token": csrf_from(detail.text), "held_on": TODAY.isoformat(), "participants": "双方", "notes": "首次"},
        follow_redirects=False)
    assert response.status_code == 303
    response = client.post(f"/disputes/{case.id}/conclude", data={
        "csrf_token": csrf_from(detail.text), "outcome": "agreement", "concluded_on": TODAY.isoformat(),
        "agreement_amount": "-1"})
    assert response.status_code == 422 and "协议金额：不能为负数" in response.text
    assert client.get("/disputes/investigators").status_code == 403

    client.post("/logout", data={"csrf_token": csrf_from(detail.text)})
    login(client, "bureau_staff_user")
    assert "登记纠纷案件" in client.get("/disputes/new").text
    register = client.get("/disputes/investigators")
    assert register.status_code == 200 and "技术调查官名册" in register.text
    added = client.post("/disputes/investigators", data={"csrf_token": csrf_from(register.text), "name": "吴工",
                                                          "organisation": "审协天津中心", "fields": "Q99"})
    assert added.status_code == 422 and "技术领域（IPC）：“Q99”不是 IPC 分类号" in added.text
    headers = bearer(client, "bureau_staff_user")
    created = client.post("/api/disputes", headers=headers, json={
        "kind": "adjudication", "ip_type": "patent", "claim": "停止侵权", "district_code": "120116",
        "handling_org": "district", "received_on": TODAY.isoformat(), "ipc": "H04L",
        "parties": [{"side": "requester", "credit_code": enterprise.credit_code},
                    {"side": "respondent", "name": "张某", "is_person": True}]})
    assert created.status_code == 201, created.text
    new_id = created.json()["id"]
    bad = client.post("/api/disputes", headers=headers, json={
        "kind": "mediation", "ip_type": "patent", "claim": "x", "district_code": "000000", "handling_org": "city",
        "received_on": TODAY.isoformat(), "parties": []})
    assert bad.status_code == 422 and bad.json()["detail"] == "所属区：区划代码“000000”不是天津市的区"
    conflict = client.post(f"/api/disputes/{new_id}/decide", headers=headers, json={"decision": "infringement"})
    assert conflict.status_code == 409 and conflict.json()["detail"] == "状态：已登记的案件不能作出裁决"
    assert client.post(f"/api/disputes/{new_id}/accept", headers=headers,
                       json={"accepted_on": TODAY.isoformat()}).status_code == 200
    inv = client.post("/api/disputes/investigators", headers=headers, json={
        "name": "周工", "organisation": "审协天津中心", "fields": ["H04"], "affiliations": ["张某"]})
    assert inv.status_code == 201
    candidates = client.get(f"/api/disputes/{new_id}/candidates", headers=headers).json()["items"]
    assert candidates[0]["conflicts"] == ["申报的关联关系“张某”与被请求人“张某”"]
    refused = client.post(f"/api/disputes/{new_id}/investigator", headers=headers,
                          json={"investigator_id": inv.json()["id"]})
    assert refused.status_code == 422 and "应当回避" in refused.json()["detail"]
    listed = client.get("/api/disputes", headers=bearer(client, "enterprise_user")).json()
    assert {item["id"] for item in listed["items"]} == {case.id, new_id}
    assert client.get("/api/disputes", headers=bearer(client, "public_user")).status_code == 403
    assert client.get(f"/api/disputes/{new_id}", headers=bearer(client, "mediator_user")).status_code == 404


def test_hidden_cases_are_not_there(client, db, users, enterprise, other):
    """A case outside the user's row scope answers 404 on every route, exactly as a missing one."""
    from ipbureau.auth import service as auth
    from ipbureau.auth.enums import Role
    from ipbureau.auth.models import UserCreate

    mine = _case(db, users, enterprise, handler=users["mediator"].id)  # 滨海新区, the enterprise is a party
    elsewhere = _case(db, users, enterprise, district="120101", kind="adjudication",
                      respondent=_party("respondent", credit_code=other.credit_code))
    auth.create(db, UserCreate(username="other_ent", display_name="他企", password="correct-horse-42",
                               role=Role.ENTERPRISE, enterprise_id=other.id))
    auth.create(db, UserCreate(username="other_mediator", display_name="另一调解员", password="correct-horse-42",
                               role=Role.MEDIATOR))
    db.commit()
    visible = {"district_staff_user": {mine.id}, "mediator_user": {mine.id}, "other_mediator": set(),
               "enterprise_user": {mine.id, elsewhere.id}, "other_ent": {elsewhere.id}}
    for username, sees in visible.items():
        headers = bearer(client, username)
        for case in (mine, elsewhere):
            expected = 200 if case.id in sees else 404
            assert client.get(f"/api/disputes/{case.id}", headers=headers).status_code == expected, (username, case.id)
        assert client.get("/api/disputes/999999", headers=headers).status_code == 404
    # Acting on, or asking for the investigators of, a case one may not see: 404 as well (not 403).
    staff = bearer(client, "district_staff_user")
    assert client.post(f"/api/disputes/{elsewhere.id}/accept", headers=staff,
                       json={"accepted_on": TODAY.isoformat()}).status_code == 404
    assert client.get(f"/api/disputes/{elsewhere.id}/candidates", headers=staff).status_code == 404
    assert client.post(f"/api/disputes/{mine.id}/withdraw", headers=bearer(client, "other_mediator"),
                       json={"concluded_on": TODAY.isoformat()}).status_code == 404
    # A party may see its case but not act on it: that is the role's rule (403), not the row's.
    assert client.post(f"/api/disputes/{mine.id}/withdraw", headers=bearer(client, "enterprise_user"),
                       json={"concluded_on": TODAY.isoformat()}).status_code == 403
    login(client, "district_staff_user")
    assert client.get(f"/disputes/{mine.id}").status_code == 200
    page = client.get(f"/disputes/{elsewhere.id}")
    assert page.status_code == 404 and "纠纷案件不存在" in page.text
    with pytest.raises(NotFound):
        service.get_case(db, users["district_staff"], elsewhere.id)


@pytest.mark.parametrize(("url", "name"), [
    ("/api/disputes/99999999999999999999", "case_id"),
    ("/api/disputes/-3", "case_id"),
    ("/api/disputes/１２", "case_id"),  # full-width digits
    ("/api/disputes/١٢", "case_id"),  # Arabic-Indic digits
    ("/api/disputes/1e3/candidates", "case_id"),
    ("/api/disputes?offset=-1", "offset"),
    ("/api/disputes?offset=10000000000000000000000", "offset"),
    ("/api/disputes?limit=0", "limit"),
    ("/api/disputes?limit=NaN", "limit"),
])
def test_bad_numbers_in_urls_are_422_in_chinese(client, users, url, name):
    response = client.get(url, headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422, response.text
    label = field_name(("path", name), "ipbureau.protection.disputes")  # the field's Chinese name in this area
    assert label != name and response.json()["detail"].startswith(f"输入有误：{label}：")


@pytest.mark.parametrize(("action", "body", "message"), [
    ("session", {"held_on": "2023-13-45", "participants": "双方"}, "调解日期：日期“2023-13-45”无法识别（如 2023-05-01）"),
    ("session", {"held_on": "1800-01-01", "participants": "双方"}, "调解日期：日期应在 1900-01-01 至 2100-12-31 之间"),
    ("conclude", {"outcome": "agreement", "agreement_amount": "NaN"}, "协议金额：必须是有限的数字"),
    ("conclude", {"outcome": "agreement", "agreement_amount": "-Infinity"}, "协议金额：必须是有限的数字"),
    ("conclude", {"outcome": "agreement", "agreement_amount": "1e12"}, "协议金额：不能大于 999999999999.99"),
    ("conclude", {"outcome": "agreement", "agreement_amount": 1e300}, "协议金额：数字位数过多（最多 16 位）"),
    ("conclude", {"outcome": "agreement", "agreement_amount": "一万"}, "协议金额：“一万”不是数字"),
    ("conclude", {"outcome": "agreement", "agreement_amount": -5}, "协议金额：不能为负数"),
    ("assign", {"handler_id": 2**64}, "承办人：不能大于 9223372036854775807"),
    ("assign", {"handler_id": "x"}, "承办人：应为整数"),
])
def test_bad_numbers_and_dates_in_bodies_are_422_in_chinese(client, db, users, enterprise, action, body, message):
    case = _case(db, users, enterprise)
    response = client.post(f"/api/disputes/{case.id}/{action}", headers=bearer(client, "bureau_staff_user"), json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == f"输入有误：{message}"


def test_bad_input_on_pages_is_422_in_chinese(client, db, users, enterprise):
    case = _case(db, users, enterprise)
    login(client, "bureau_staff_user")
    assert client.get("/disputes?offset=-5").status_code == 422
    detail = client.get(f"/disputes/{case.id}")
    response = client.post(f"/disputes/{case.id}/session", data={
        "csrf_token": csrf_from(detail.text), "held_on": "2023-02-30", "participants": "双方"})
    assert response.status_code == 422 and "调解日期：日期“2023-02-30”无法识别（如 2023-05-01）" in response.text
    response = client.post(f"/disputes/{case.id}/assign", data={"csrf_token": csrf_from(detail.text),
                                                               "handler_id": "１２ab"})
    assert response.status_code == 422 and "承办人：应为整数" in response.text
    new = client.get("/disputes/new")
    response = client.post("/disputes", data={
        "csrf_token": csrf_from(new.text), "kind": "mediation", "ip_type": "patent", "handling_org": "committee",
        "district_code": "120116", "received_on": "2023-02-30", "claim": "x", "requester_name": "甲",
        "requester_person": "1", "respondent_name": "乙", "respondent_person": "1"})
    assert response.status_code == 422 and "收到日期：日期“2023-02-30”无法识别" in response.text
    assert db.scalar(select(func.count()).select_from(DisputeCase)) == 1  # nothing of the refused forms was kept


# ---- statistics and demo -----------------------------------------------------------------------

def test_indicators_count_concluded_cases_per_dataset(db, users, enterprise):
    from ipbureau.stats import service as stats

    closed = _case(db, users, enterprise)
    _act(db, closed, "withdraw", users, concluded_on=TODAY)
    _case(db, users, enterprise)  # open: not counted
    adjudicated = _case(db, users, enterprise, kind="adjudication")
    _act(db, adjudicated, "reject", users, reason="不属于管辖", concluded_on=TODAY)  # rejected: not counted
    demo = _case(db, users, enterprise)
    demo.dataset = "demo"
    _act(db, demo, "withdraw", users, concluded_on=TODAY)
    assert stats.compute(db, "disputes_mediated", TODAY.year).value == 1
    assert stats.compute(db, "disputes_mediated", TODAY.year, dataset="demo").value == 1
    # No closed adjudication at all (the rejected one does not count): the engine reports "no data", not 0.
    assert stats.compute(db, "adjudication_cases_closed", TODAY.year).value is None
    assert stats.compute(db, "disputes_mediated", TODAY.year, district_code="120116").value == 1


def test_demo_hook(db, monkeypatch):
    from ipbureau.demo import generator
    from ipbureau.demo.generator import load_demo
    from ipbureau.stats import service as stats

    # Only this module's hooks (as in the market's demo test): the other areas' demo modules are tested by their
    # own suites, and this one reads none of their records.
    monkeypatch.setattr(generator, "DOMAIN_DEMO_MODULES", ("ipbureau.protection.disputes.demo",))
    summary = load_demo(patents=300, enterprises=120, session=db)
    assert "纠纷" in summary
    total = db.scalar(select(func.count()).select_from(DisputeCase).where(DisputeCase.dataset == "demo"))
    assert total > 3000
    year = 2022
    mediated = db.scalar(select(func.count()).select_from(DisputeCase).where(
        DisputeCase.dataset == "demo", DisputeCase.kind == "mediation", DisputeCase.status == "closed",
        DisputeCase.concluded_on.between(date(year, 1, 1), date(year, 12, 31))))
    assert 800 < mediated < 1100
    assert stats.compute(db, "disputes_mediated", year, dataset="demo").value == mediated
    from ipbureau.auth.models import User

    mediator = db.scalar(select(User).where(User.username == "demo-mediator"))
    assert db.scalar(select(func.count()).select_from(DisputeCase).where(DisputeCase.handler_id == mediator.id)) > 0
    ent_user = db.scalar(select(User).where(User.username == "demo-enterprise"))
    _rows, own_cases = service.list_cases(db, ent_user, today=TODAY)
    assert own_cases >= 2
    assert db.scalar(select(func.count()).select_from(Investigator).where(Investigator.dataset == "demo")) > 5
    load_demo(patents=300, enterprises=120, session=db)  # again: replaced, not doubled
    assert db.scalar(select(func.count()).select_from(DisputeCase).where(DisputeCase.dataset == "demo")) == total

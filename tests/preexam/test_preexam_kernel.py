"""专利预审 on the shared kernel: the workflows' illegal transitions (409) and audit entries, hidden records as 404
(own vs other enterprise, district, assigned examiner vs other centre), the upload rule enforced by the service
itself and its files never left behind by a failed write, bounded numbers and dates (422 in Chinese), GETs that
never write and requests that use one database connection."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from ipbureau.audit.models import AuditLog
from ipbureau.auth import service as auth
from ipbureau.auth.enums import Role
from ipbureau.auth.models import UserCreate
from ipbureau.core.errors import Forbidden, NotFound, TransitionError
from ipbureau.core.fields import field_name
from ipbureau.database.core import get_engine
from ipbureau.enterprises.models import Enterprise
from ipbureau.patents.numbers import make_application_no
from ipbureau.protection.preexam import flows, service
from ipbureau.protection.preexam.enums import CaseStatus, FilingStatus
from ipbureau.protection.preexam.models import Case, Centre, Document
from ipbureau.protection.preexam.schemas import CaseCreate, CaseStep, ExaminerUpdate, FilingCreate, FilingDecision
from ipbureau.protection.preexam.service import Upload
from ipbureau.protection.preexam.workflows import CASE, FILING
from tests.conftest import PASSWORD, bearer, csrf_from, login

_serial = itertools.count(1)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PDF = b"%PDF-1.4 preexam kernel test\n"
AREA = "ipbureau.protection.preexam"  # whose field labels name the fields


def _centre(db, code="tianjin") -> Centre:
    service.ensure_centres(db)
    return service.centre_by_code(db, code)


def _audit_count(db, case_id=None) -> int:
    query = select(func.count()).select_from(AuditLog)
    if case_id is not None:
        query = query.where(AuditLog.entity_type == "preexam_case", AuditLog.entity_id == str(case_id))
    return db.scalar(query)


def _last_audit(db) -> AuditLog:
    return db.scalar(select(AuditLog).order_by(AuditLog.id.desc()))


def _enterprise(db, *, name, district, chain="xinchuang") -> Enterprise:
    ent = Enterprise(credit_code=f"9112000{next(_serial):04d}MA05N5L", name=name, district_code=district,
                     industry_chain=chain)
    db.add(ent)
    db.flush()
    return ent


def _file(db, staff, enterprise, centre, **fields):
    filing = service.apply_filing(db, FilingCreate(centre_id=centre.id, enterprise=enterprise.id, **fields), actor=staff)
    return service.decide_filing(db, filing.id, "approve", FilingDecision(), actor=staff)


def _submit(db, actor, *, centre, enterprise=None, ipc="G06F16/30"):
    data = CaseCreate(centre_id=centre.id, title=f"一种数据处理方法{next(_serial)}", patent_type="invention",
                      ipc_main=ipc, abstract="摘要", enterprise=enterprise)
    return flows.submit_case(db, data, actor=actor)


def _move(db, case, action, actor, **fields):
    return flows.move_case(db, case.id, action, CaseStep(**fields), actor=actor)


@pytest.fixture
def world(db, users, enterprise):
    """The test enterprise (滨海新区 120116) filed with the city centre, a case of it assigned to users["examiner"]
    (city centre, G06F); another enterprise (和平区 120101) filed with both centres, with a city-centre case in the
    centre's queue and a Binhai case."""
    staff = users["bureau_staff"]
    city, binhai = _centre(db), _centre(db, "binhai")
    service.set_examiner(db, users["examiner"].id, ExaminerUpdate(centre_id=city.id, ipc_prefixes="G06F"),
                         actor=staff)
    own_filing = _file(db, staff, enterprise, city, ipc_fields="G06F")
    own_case = _submit(db, users["enterprise"], centre=city)
    other = _enterprise(db, name="天津和平科技有限公司", district="120101")
    other_filing = _file(db, staff, other, city)
    binhai_filing = _file(db, staff, other, binhai, ipc_fields="H01M")
    queued = _submit(db, staff, centre=city, enterprise=other.id, ipc="G06Q10/06")  # nobody examines G06Q
    binhai_case = _submit(db, staff, centre=binhai, enterprise=other.id, ipc="H01M10/0525")
    db.commit()
    return {"city": city, "binhai": binhai, "own_filing": own_filing, "own_case": own_case, "other": other,
            "other_filing": other_filing, "binhai_filing": binhai_filing, "queued": queued,
            "binhai_case": binhai_case}


# ---- workflows: illegal transitions and audit entries ------------------------------------------------

def _actor_for(users, action):
    return users["examiner"] if action == "decide" else users["bureau_staff"]


def test_every_case_action_is_refused_from_every_state_it_does_not_start_from(db, users, world):
    case = world["own_case"]
    fields = {"decision": "qualified", "reason": "理由", "examiner_id": users["examiner"].id,
              "application_no": make_application_no(2023, 1, 5), "day": date(2023, 6, 1)}
    refused = 0
    for state in CaseStatus:
        for transition in CASE.transitions.values():
            if state.value in transition.sources:
                continue
            case.status = state.value
            db.flush()
            before = _audit_count(db)
            actor = _actor_for(users, transition.action)
            with pytest.raises(TransitionError) as exc:
                if transition.action == "upload":
                    service.upload_documents(db, case.id, [Upload("说明书.pdf", "application/pdf", PDF)], actor=actor)
                else:
                    _move(db, case, transition.action, actor, **fields)
            assert exc.value.status == 409
            assert str(exc.value) == f"状态：{state.label}的案件不能{transition.label}", (state, transition.action)
            assert _audit_count(db) == before and case.status == state.value
            refused += 1
    assert refused == 7 * len(CASE.transitions) - sum(len(t.sources) for t in CASE.transitions.values())


def test_every_filing_decision_is_refused_once_decided(db, users, world):
    filing = world["own_filing"]
    for state, action in itertools.product((FilingStatus.APPROVED, FilingStatus.REJECTED), ("approve", "reject")):
        filing.status = state.value
        db.flush()
        before = _audit_count(db)
        with pytest.raises(TransitionError) as exc:
            service.decide_filing(db, filing.id, action, FilingDecision(reason="理由"), actor=users["bureau_staff"])
        assert str(exc.value) == f"状态：{state.label}的备案不能{FILING.transition(action).label}"
        assert _audit_count(db) == before
    # Re-applying is the step from rejected only: pending and approved filings say why in their own words.
    filing.status = FilingStatus.PENDING.value
    with pytest.raises(TransitionError, match="备案申请正在审核中"):
        service.apply_filing(db, FilingCreate(centre_id=filing.centre_id), actor=users["enterprise"])


def test_each_case_step_writes_one_audit_entry_with_its_diff(db, users, world):
    staff, city = users["bureau_staff"], world["city"]
    second = auth.create(db, UserCreate(username="examiner_two", display_name="审查员二", password=PASSWORD,
                                        role=Role.EXAMINER))
    db.flush()
    service.set_examiner(db, second.id, ExaminerUpdate(centre_id=city.id, ipc_prefixes="G06Q"), actor=staff)
    queued = world["queued"]
    _move(db, queued, "assign", staff, examiner_id=second.id, reason="对口")
    entry = _last_audit(db)
    assert (entry.action, entry.entity_type, entry.entity_id) == ("preexam.case.assign", "preexam_case", str(queued.id))
    assert entry.changes == {"examiner_id": [None, second.id]} and entry.actor_name == "bureau_staff_user"
    assert entry.summary == f"{queued.case_no} 改派审查员：审查员二（对口）"

    service.upload_documents(db, queued.id, [Upload("附图.png", "image/png", b"png")], actor=staff)
    entry = _last_audit(db)
    document = db.scalar(select(Document).where(Document.case_id == queued.id))
    assert entry.action == "preexam.case.upload" and entry.summary == f"上传预审申请文件“附图.png”（{queued.case_no}）"
    assert entry.changes == {"document_id": document.id, "filename": "附图.png", "size": 3,
                             "sha256": document.sha256}

    _move(db, queued, "decide", second, decision="unqualified", reason="说明书公开不充分")
    entry = _last_audit(db)
    assert entry.action == "preexam.case.decide" and entry.actor_name == "examiner_two"
    assert entry.changes["status"] == ["received", "unqualified"]
    assert entry.changes["decision"] == [None, "unqualified"] and entry.changes["closed_on"][0] is None

    own = world["own_case"]
    before = _audit_count(db, own.id)
    _move(db, own, "withdraw", users["enterprise"], reason="调整申请策略")
    entry = _last_audit(db)
    assert _audit_count(db, own.id) == before + 1
    assert entry.action == "preexam.case.withdraw" and entry.summary == f"{own.case_no} 已撤回：调整申请策略"
    assert entry.changes["status"] == ["received", "withdrawn"]
    assert entry.changes["closed_reason"] == [None, "调整申请策略"]


def test_filing_steps_are_audited_with_their_diff(db, users, enterprise):
    city, staff = _centre(db, "binhai"), users["bureau_staff"]
    ent = _enterprise(db, name="天津新能源有限公司", district="120116", chain="xinnengyuan")
    filing = service.apply_filing(db, FilingCreate(centre_id=city.id, enterprise=ent.credit_code,
                                                   contact_person="李四"), actor=staff)
    entry = _last_audit(db)
    assert (entry.action, entry.entity_type, entry.entity_id) == ("preexam.filing.apply", "preexam_filing",
                                                                  str(filing.id))
    assert entry.changes["status"] == [None, "pending"] and entry.changes["contact_person"] == [None, "李四"]
    service.decide_filing(db, filing.id, "reject", FilingDecision(reason="材料不全"), actor=staff)
    entry = _last_audit(db)
    assert entry.action == "preexam.filing.reject" and entry.summary == "不予备案：天津新能源有限公司（滨海新区知识产权保护中心）"
    assert entry.changes == {"status": ["pending", "rejected"], "reason": [None, "材料不全"]}
    service.apply_filing(db, FilingCreate(centre_id=city.id, enterprise=ent.name, contact_person="王五"), actor=staff)
    entry = _last_audit(db)
    assert entry.action == "preexam.filing.reapply"
    assert entry.changes == {"status": ["rejected", "pending"], "reason": ["材料不全", None],
                             "contact_person": ["李四", "王五"]}


# ---- hidden records: 404, never 403 --------------------------------------------------------------------

def test_enterprise_sees_its_own_records_and_gets_404_for_others(db, client, users, world):
    own_case, other_case = world["own_case"], world["queued"]
    service.upload_documents(db, other_case.id, [Upload("说明书.pdf", "application/pdf", PDF)],
                             actor=users["bureau_staff"])
    document = other_case.documents[0]
    db.commit()
    ent = bearer(client, "enterprise_user")
    assert client.get(f"/api/preexam/cases/{own_case.id}", headers=ent).status_code == 200
    assert client.get(f"/api/preexam/filings/{world['own_filing'].id}", headers=ent).status_code == 200
    for url in (f"/api/preexam/cases/{other_case.id}", f"/api/preexam/filings/{world['other_filing'].id}",
                f"/preexam/cases/{other_case.id}/documents/{document.id}", "/api/preexam/cases/99999999"):
        response = client.get(url, headers=ent)
        assert response.status_code == 404, url
    missing = client.get("/api/preexam/cases/99999999", headers=ent).json()
    hidden = client.get(f"/api/preexam/cases/{other_case.id}", headers=ent).json()
    assert hidden == missing == {"detail": "预审案件不存在"}  # hidden and missing cannot be told apart
    # Acting on another's case, or uploading to it: 404 as well.
    withdraw = client.post(f"/api/preexam/cases/{other_case.id}/withdraw", headers=ent, json={"reason": "x"})
    assert withdraw.status_code == 404
    upload = client.post(f"/api/preexam/cases/{other_case.id}/documents", headers=ent,
                         files=[("documents", ("a.pdf", PDF, "application/pdf"))])
    assert upload.status_code == 404
    assert db.scalar(select(func.count()).select_from(Document)) == 1
    login(client, "enterprise_user")
    assert client.get(f"/preexam/filings/{world['other_filing'].id}").status_code == 404
    assert client.get(f"/preexam/cases/{other_case.id}").status_code == 404
    # The service answers the same wherever it is called from.
    with pytest.raises(NotFound):
        service.get_case(db, users["enterprise"], other_case.id)
    with pytest.raises(NotFound):
        service.get_filing(db, users["enterprise"], world["binhai_filing"].id)


def test_district_staff_see_their_districts_enterprises_only(db, client, users, world):
    district = bearer(client, "district_staff_user")  # 120116: the test enterprise's district
    assert client.get(f"/api/preexam/cases/{world['own_case'].id}", headers=district).status_code == 200
    assert client.get(f"/api/preexam/filings/{world['own_filing'].id}", headers=district).status_code == 200
    assert client.get(f"/api/preexam/cases/{world['queued'].id}", headers=district).status_code == 404
    assert client.get(f"/api/preexam/filings/{world['other_filing'].id}", headers=district).status_code == 404
    listed = client.get("/api/preexam/filings", headers=district).json()
    assert {item["id"] for item in listed["items"]} == {world["own_filing"].id}
    # District staff only read: the case actions are not theirs at all (403 at the route, before any record).
    assert client.post(f"/api/preexam/cases/{world['own_case'].id}/withdraw", headers=district,
                       json={"reason": "x"}).status_code == 403
    stats = client.get("/api/preexam/stats", headers=district).json()
    assert stats["district_code"] == "120116" and stats["total"]["received"] == 1


def test_examiner_sees_assigned_and_own_centre_cases_only(db, client, users, world):
    examiner = bearer(client, "examiner_user")
    assert client.get(f"/api/preexam/cases/{world['own_case'].id}", headers=examiner).status_code == 200  # assigned
    assert client.get(f"/api/preexam/cases/{world['queued'].id}", headers=examiner).status_code == 200  # the queue
    assert client.get(f"/api/preexam/cases/{world['binhai_case'].id}", headers=examiner).status_code == 404
    assert client.get(f"/api/preexam/filings/{world['binhai_filing'].id}", headers=examiner).status_code == 404
    assert client.get(f"/api/preexam/filings/{world['other_filing'].id}", headers=examiner).status_code == 200
    # In the queue but not assigned: visible, so deciding it is a 403 with the action's reason.
    refused = client.post(f"/api/preexam/cases/{world['queued'].id}/decide", headers=examiner,
                          json={"decision": "qualified"})
    assert refused.status_code == 403 and refused.json()["detail"] == "只有分配到本案的审查员可以作出预审结论"
    assert client.post(f"/api/preexam/cases/{world['binhai_case'].id}/decide", headers=examiner,
                       json={"decision": "qualified"}).status_code == 404


# ---- uploads: the service's own rule, and no file without its row ------------------------------------------

def test_the_service_enforces_who_uploads_and_while_received_only(db, users, world):
    own = world["own_case"]
    upload = [Upload("说明书.pdf", "application/pdf", PDF)]
    with pytest.raises(Forbidden, match="只有申请企业或市局工作人员可以上传申请文件"):
        service.upload_documents(db, own.id, upload, actor=users["examiner"])
    with pytest.raises(NotFound):
        service.upload_documents(db, world["queued"].id, upload, actor=users["enterprise"])
    _move(db, own, "decide", users["examiner"], decision="qualified")
    with pytest.raises(TransitionError) as exc:
        service.upload_documents(db, own.id, upload, actor=users["enterprise"])
    assert str(exc.value) == "状态：预审合格的案件不能补充申请文件"
    with pytest.raises(TransitionError):  # store_documents itself, as any caller reaches it
        service.store_documents(db, own, upload, actor=users["bureau_staff"])
    assert db.scalar(select(func.count()).select_from(Document)) == 0


def _stored_files(case) -> list:
    folder = service.documents_folder(case)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_rolled_back_upload_leaves_no_file_and_a_committed_one_stays(db, users, world):
    own = world["own_case"]
    before = _stored_files(own)
    service.upload_documents(db, own.id, [Upload("说明书.pdf", "application/pdf", PDF)], actor=users["enterprise"])
    assert len(_stored_files(own)) == len(before) + 1
    db.rollback()
    assert _stored_files(own) == before
    service.upload_documents(db, own.id, [Upload("说明书.pdf", "application/pdf", PDF)], actor=users["enterprise"])
    db.commit()
    db.rollback()  # a later rollback does not touch what was committed
    assert len(_stored_files(own)) == len(before) + 1


def test_an_upload_whose_database_write_fails_leaves_no_file(db, users, world, monkeypatch):
    own = world["own_case"]

    def failing_record(*_args, **_kwargs):
        raise RuntimeError("the database refused the audit entry")

    monkeypatch.setattr("ipbureau.core.workflow.audit.record", failing_record)
    before = _stored_files(own)
    with pytest.raises(RuntimeError):
        service.upload_documents(db, own.id, [Upload("说明书.pdf", "application/pdf", PDF)],
                                 actor=users["enterprise"])
    db.rollback()  # what the unit of work does with a failed request
    assert _stored_files(own) == before


def test_a_refused_upload_writes_no_file(db, client, users, world):
    own = world["own_case"]
    before = _stored_files(own)
    login(client, "enterprise_user")
    token = csrf_from(client.get(f"/preexam/cases/{own.id}").text)
    refused = client.post(f"/preexam/cases/{own.id}/documents", data={"csrf_token": token},
                          files=[("documents", ("说明书.pdf", PDF, "application/pdf")),
                                 ("documents", ("run.exe", b"MZ", "application/octet-stream"))])
    assert refused.status_code == 422 and "“run.exe”的类型不受理" in refused.text
    assert _stored_files(own) == before and db.scalar(select(func.count()).select_from(Document)) == 0


# ---- bounded numbers and dates: 422 in Chinese, naming the field ---------------------------------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(("method", "url", "body", "field"), [
    ("GET", f"/api/preexam/cases/{HUGE}", None, "case_id"),
    ("GET", "/api/preexam/cases/-1", None, "case_id"),
    ("GET", "/api/preexam/filings/²", None, "filing_id"),
    ("GET", "/api/preexam/cases?offset=-1", None, "offset"),
    ("GET", "/api/preexam/cases?limit=100000", None, "limit"),
    ("GET", "/api/preexam/cases?centre_id=١٢", None, "centre_id"),
    ("GET", "/api/preexam/cases?status=nan", None, "status"),
    ("GET", "/api/preexam/filings?offset=1e309", None, "offset"),
    ("GET", "/api/preexam/stats?year=1e309", None, "year"),
    ("GET", "/api/preexam/stats?year=-1", None, "year"),
    ("GET", "/api/preexam/stats?dataset=2023-13-45", None, "dataset"),
    ("POST", "/api/preexam/cases/{case}/submit_cnipa", {"application_no": "x", "day": "2023-13-45"}, "day"),
    ("POST", "/api/preexam/cases/{case}/assign", {"examiner_id": HUGE}, "examiner_id"),
    ("POST", "/api/preexam/cases/{case}/decide", {"decision": "nan"}, "decision"),
    ("POST", "/api/preexam/filings", {"centre_id": -1}, "centre_id"),
    ("POST", "/api/preexam/cases", {"centre_id": "1e309", "patent_type": "invention"}, "centre_id"),
    ("PUT", "/api/preexam/examiners/{examiner}", {"centre_id": "nan", "ipc_prefixes": "G06F"}, "centre_id"),
    ("DELETE", f"/api/preexam/key-enterprises/{HUGE}", None, "enterprise_id"),
])
def test_bad_numbers_and_dates_are_422_in_chinese(db, client, users, world, method, url, body, field):
    url = url.format(case=world["own_case"].id, examiner=users["examiner"].id)
    response = client.request(method, url, headers=bearer(client, "admin_user"), json=body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    # Named as users know the field (labels are registered by each domain's schemas).
    assert CHINESE.search(detail) and f"{field_name(('query', field), AREA)}：" in detail, detail


def test_bad_numbers_and_dates_on_pages_are_422_in_chinese(db, client, users, world):
    login(client, "examiner_user")
    for url, field in ((f"/preexam?offset={HUGE}", "offset"), ("/preexam?centre_id=-1", "centre_id"),
                       ("/preexam/stats?year=2023-13-45", "year"), (f"/preexam/cases/{HUGE}", "case_id")):
        page = client.get(url)
        assert page.status_code == 422 and f"{field_name(('query', field), AREA)}：" in page.text, url
    own = world["own_case"]
    token = csrf_from(client.get(f"/preexam/cases/{own.id}").text)
    # The page form parses into the API's schema: a bad date is the same 422, shown on the case page.
    bad = client.post(f"/preexam/cases/{own.id}/decide", data={"csrf_token": token, "decision": "qualified",
                                                               "day": "2023-13-45"})
    assert bad.status_code == 422 and "日期：应为日期（如 2023-05-01）" in bad.text and own.case_no in bad.text
    # Empty filter values mean "all", not an error.
    assert client.get("/preexam?status=&centre_id=&keyword=").status_code == 200
    assert client.get("/preexam/stats?year=&dataset=").status_code == 200


# ---- one unit of work: GETs never write, one connection per request -----------------------------------------

def test_centres_are_created_at_start_up_never_by_a_get(db, app, users):
    count = lambda: db.scalar(select(func.count()).select_from(Centre))  # noqa: E731
    assert count() == 0
    client = TestClient(app)  # without its start-up
    headers = bearer(client, "enterprise_user")
    assert client.get("/api/preexam/centres", headers=headers).json() == {"items": []}
    login(client, "enterprise_user")
    assert client.get("/preexam").status_code == 200
    assert count() == 0
    with TestClient(app) as started:
        listed = started.get("/api/preexam/centres", headers=bearer(started, "enterprise_user")).json()
    assert [c["code"] for c in listed["items"]] == ["tianjin", "binhai"] and count() == 2
    assert "xinchuang" in listed["items"][0]["chains"] and "信创" in listed["items"][0]["chain_names"]


def test_a_request_uses_one_database_connection(db, client, users, world):
    checkouts: list[int] = []

    def checked_out(*_args):
        checkouts.append(1)

    ent = bearer(client, "enterprise_user")
    staff = bearer(client, "bureau_staff_user")
    login(client, "examiner_user")
    engine = get_engine()
    event.listen(engine, "checkout", checked_out)
    try:
        for method, url, headers in (("GET", "/preexam", {}), ("GET", f"/preexam/cases/{world['own_case'].id}", {}),
                                     ("GET", "/preexam/stats", {}), ("GET", "/api/preexam/centres", ent),
                                     ("GET", "/api/preexam/cases", staff), ("GET", "/api/preexam/stats", staff)):
            checkouts.clear()
            assert client.request(method, url, headers=headers).status_code == 200, url
            assert len(checkouts) <= 1, (url, len(checkouts))
        checkouts.clear()
        made = client.post("/api/preexam/cases", headers=ent, json={
            "centre_id": world["city"].id, "title": "一种检索方法", "patent_type": "invention",
            "ipc_main": "G06F16/30", "abstract": "摘要"})
        assert made.status_code == 201 and len(checkouts) <= 1
    finally:
        event.remove(engine, "checkout", checked_out)


def test_case_page_buttons_come_from_the_workflow_and_the_policy(db, client, users, world):
    own = world["own_case"]
    login(client, "examiner_user")
    page = client.get(f"/preexam/cases/{own.id}").text
    assert 'id="decide-form"' in page and "作出预审结论" in page and 'id="withdraw-form"' not in page
    login(client, "enterprise_user")
    page = client.get(f"/preexam/cases/{own.id}").text
    assert 'id="withdraw-form"' in page and 'id="decide-form"' not in page and "补充上传" in page
    login(client, "district_staff_user")
    page = client.get(f"/preexam/cases/{own.id}").text
    assert 'id="actions"' not in page and "补充上传" not in page
    assert db.get(Case, own.id).status == CaseStatus.RECEIVED.value


def test_examiner_form_parses_into_the_api_schema(db, client, users, world):
    """The page's form and the API's body are one schema (ExaminerUpdate): an unchecked 在岗 box means inactive."""
    login(client, "bureau_staff_user")
    token = csrf_from(client.get("/preexam/examiners").text)
    saved = client.post("/preexam/examiners", data={"csrf_token": token, "user_id": str(users["examiner"].id),
                                                    "centre_id": str(world["city"].id), "ipc_prefixes": "G06F, H04L",
                                                    "active": "0"}, follow_redirects=False)
    assert saved.status_code == 303
    api = client.get("/api/preexam/examiners", headers=bearer(client, "bureau_staff_user")).json()["items"]
    assert api == [{"user_id": users["examiner"].id, "username": "examiner_user",
                    "display_name": users["examiner"].display_name, "centre_id": world["city"].id,
                    "ipc_prefixes": ["G06F", "H04L"], "active": False, "open_cases": 1}]
    refused = client.post("/preexam/examiners", data={"csrf_token": token, "user_id": str(users["examiner"].id),
                                                      "centre_id": str(world["city"].id), "ipc_prefixes": "H01M"})
    assert refused.status_code == 422 and "审查领域（IPC）：H01M 不在天津市知识产权保护中心的预审领域内" in refused.text
    entry = _last_audit(db)
    assert entry.action == "preexam.examiner.set" and entry.changes == {"active": [True, False],
                                                                        "ipc_prefixes": [["G06F"], ["G06F", "H04L"]]}

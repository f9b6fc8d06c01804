"""Patent pre-examination (专利预审): filings, cases, examiner assignment, decisions, CNIPA tracking, green channel,
roles, uploads, cycle-time statistics and indicators, demo data."""

from __future__ import annotations

import io
import itertools
from datetime import date, datetime, timedelta, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.auth import service as auth
from ipbureau.auth.enums import Role
from ipbureau.auth.models import UserCreate
from ipbureau.auth.permissions import PermissionDenied
from ipbureau.core.errors import DomainError, TransitionError
from ipbureau.core.forms import FormInvalid, validate
from ipbureau.enterprises.models import Enterprise
from ipbureau.navigation.chains import load_chains
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import make_application_no
from ipbureau.protection.preexam import flows, service
from ipbureau.protection.preexam import stats as cycle
from ipbureau.protection.preexam.enums import CaseStatus, FilingStatus
from ipbureau.protection.preexam.models import Case, Document
from ipbureau.protection.preexam.schemas import (
    CaseCreate,
    CaseStep,
    ExaminerUpdate,
    FilingCreate,
    FilingDecision,
    KeyEnterpriseCreate,
)
from tests.conftest import PASSWORD, bearer, csrf_from, login

_serial = itertools.count(1)
UTC = timezone.utc


def _centre(db, code="tianjin"):
    service.ensure_centres(db)  # reference rows the app creates at start-up
    return service.centre_by_code(db, code)


def _place(db, staff, user_id, centre_id, fields):
    return service.set_examiner(db, user_id, ExaminerUpdate(centre_id=centre_id, ipc_prefixes=fields), actor=staff)


def _apply(db, actor, centre_id, **fields):
    return service.apply_filing(db, FilingCreate(centre_id=centre_id, **fields), actor=actor)


def _decide_filing(db, filing, action, actor, reason=None):
    return service.decide_filing(db, filing.id, action, FilingDecision(reason=reason), actor=actor)


def _move(db, case, action, actor, *, at=None, **fields):
    return flows.move_case(db, case.id, action, CaseStep(**fields), actor=actor, at=at)


def _examiner(db, username: str, *, centre="tianjin", fields="G06F H04L", staff):
    user = auth.create(db, UserCreate(username=username, display_name=f"审查员{username}", password=PASSWORD,
                                      role=Role.EXAMINER))
    db.flush()
    _place(db, staff, user.id, _centre(db, centre).id, fields)
    db.commit()
    return user


@pytest.fixture
def setup(db, users, enterprise):
    """The test enterprise filed (approved) with the city centre for G06F/H04L; users["examiner"] examines G06F."""
    staff = users["bureau_staff"]
    _place(db, staff, users["examiner"].id, _centre(db).id, "G06F H04L")
    filing = _apply(db, users["enterprise"], _centre(db).id, ipc_fields="G06F, H04L")
    _decide_filing(db, filing, "approve", staff)
    db.commit()
    return filing


def _submit(db, users, *, ipc="G06F16/30", title=None, actor=None, at=None, patent_type="invention", centre=None,
            enterprise=None):
    data = CaseCreate(centre_id=centre or _centre(db).id, title=title or f"一种数据检索方法{next(_serial)}",
                      patent_type=patent_type, ipc_main=ipc, abstract="本发明公开了一种数据检索方法。", enterprise=enterprise)
    case = flows.submit_case(db, data, actor=actor or users["enterprise"], received_at=at)
    db.commit()
    return case


def _other_enterprise(db, *, name="天津其他科技有限公司", district="120101", chain="xinchuang"):
    ent = Enterprise(credit_code=f"9112000{next(_serial):04d}MA05N5L", name=name, district_code=district,
                     industry_chain=chain)
    db.add(ent)
    db.commit()
    return ent


# ---- centres and filings -------------------------------------------------------------------------

def test_centres_are_reference_rows_with_declared_fields(db):
    centres = service.ensure_centres(db)
    assert [c.name for c in centres] == ["天津市知识产权保护中心", "滨海新区知识产权保护中心"]
    city, binhai = centres
    chains = load_chains(db)
    assert "xinchuang" in city.chains and binhai.district_code == "120116"
    assert service.centre_serves(city, "G06F16/30", chains) and not service.centre_serves(city, "H01M10/0525", chains)
    assert service.centre_serves(binhai, "H01M10/0525", chains)
    assert len(service.ensure_centres(db)) == 2  # idempotent


def test_filing_eligibility_approval_and_audit(db, users, enterprise):
    city = _centre(db)
    # The test enterprise has no industry chain: without a declared field in the centre's fields it is not eligible.
    with pytest.raises(DomainError) as exc:
        _apply(db, users["enterprise"], city.id, ipc_fields="H01M")
    assert str(exc.value).startswith("技术领域：天津测试科技有限公司所属领域（未登记产业链；申报 IPC H01M）不在天津市知识产权保护中心的预审领域")
    with pytest.raises(DomainError, match="技术领域（IPC）：IPC 中不存在小类 G06X（“G06X”）"):
        _apply(db, users["enterprise"], city.id, ipc_fields="G06X")
    filing = _apply(db, users["enterprise"], city.id, ipc_fields="g06f")
    db.commit()
    assert filing.status == FilingStatus.PENDING and filing.ipc_fields == ["G06F"]
    with pytest.raises(TransitionError, match="备案：天津测试科技有限公司在天津市知识产权保护中心的备案申请正在审核中"):
        _apply(db, users["enterprise"], city.id, ipc_fields="G06F")
    with pytest.raises(PermissionDenied):
        _decide_filing(db, filing, "approve", users["enterprise"])
    with pytest.raises(DomainError, match="理由：不能为空"):
        _decide_filing(db, filing, "reject", users["bureau_staff"], reason=" ")
    _decide_filing(db, filing, "reject", users["bureau_staff"], reason="材料不全")
    db.commit()
    # The workflow's one transition error (core.workflow): the state, then what it does not allow.
    with pytest.raises(TransitionError, match="状态：未通过的备案不能批准备案"):
        _decide_filing(db, filing, "approve", users["bureau_staff"])
    # A rejected enterprise re-applies in place; then staff approve.
    again = _apply(db, users["enterprise"], city.id, ipc_fields="G06F")
    assert again.id == filing.id and again.status == FilingStatus.PENDING and again.reason is None
    _decide_filing(db, again, "approve", users["bureau_staff"])
    db.commit()
    with pytest.raises(TransitionError, match="已在天津市知识产权保护中心备案，无需重复申请"):
        _apply(db, users["enterprise"], city.id)
    actions = list(db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "preexam_filing")
                              .order_by(AuditLog.id)))
    assert actions == ["preexam.filing.apply", "preexam.filing.reject", "preexam.filing.reapply",
                       "preexam.filing.approve"]


def test_enterprise_in_a_centre_chain_is_eligible_without_declared_fields(db, users):
    ent = _other_enterprise(db, chain="xinnengyuan")
    filing = _apply(db, users["bureau_staff"], _centre(db, "binhai").id, enterprise=ent.credit_code)
    assert filing.enterprise_id == ent.id
    with pytest.raises(DomainError, match="不在天津市知识产权保护中心的预审领域"):
        _apply(db, users["bureau_staff"], _centre(db).id, enterprise=ent.name)


# ---- cases ------------------------------------------------------------------------------------------

def test_case_workflow_to_grant_with_patent_link_and_audit(db, users, setup):
    case = _submit(db, users, title="一种分布式数据检索方法")
    assert case.status == CaseStatus.RECEIVED and case.examiner_id == users["examiner"].id
    assert case.case_no == f"YS-TI-{case.received_at.year}-00001" and case.chain_code == "xinchuang"
    assert case.due_on == case.received_at.date() + timedelta(days=7) and not case.green_channel
    # The decision is parsed by the action's schema (the API's body and the page's form alike).
    with pytest.raises(FormInvalid, match="预审结论：“maybe”无效，可选：预审合格、预审不合格"):
        validate(CaseStep, {"decision": "maybe"})
    _move(db, case, "decide", users["examiner"], decision="qualified", reason="符合预审要求")
    db.commit()
    assert case.status == CaseStatus.QUALIFIED and case.decision == "qualified"
    with pytest.raises(DomainError) as exc:
        _move(db, case, "submit_cnipa", users["enterprise"], application_no="CN202310000001.0")
    assert str(exc.value) == "申请号：申请号校验位不符：“CN202310000001.0”，按校验规则应为 5"
    utility_no = make_application_no(2023, 2, 1)
    with pytest.raises(DomainError, match=f"申请号：{utility_no.replace('.', '[.]')} 是实用新型申请号，本案为发明"):
        _move(db, case, "submit_cnipa", users["enterprise"], application_no=utility_no)
    number = make_application_no(2023, 1, 1)
    patent = Patent(application_no=number, patent_type="invention", title="一种分布式数据检索方法",
                    record_hash="p" * 64)
    db.add(patent)
    db.flush()
    _move(db, case, "submit_cnipa", users["enterprise"], application_no=number.replace(".", ""))
    db.commit()
    assert case.status == CaseStatus.SUBMITTED and case.cnipa_application_no == number
    assert case.patent_id == patent.id
    _move(db, case, "grant", users["bureau_staff"], day=date.today())
    db.commit()
    assert case.status == CaseStatus.GRANTED and case.granted_on == date.today()
    actions = list(db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "preexam_case",
                                                            AuditLog.entity_id == str(case.id)).order_by(AuditLog.id)))
    assert actions == ["preexam.case.submit", "preexam.case.decide", "preexam.case.submit_cnipa",
                       "preexam.case.grant"]
    decide = db.scalar(select(AuditLog).where(AuditLog.action == "preexam.case.decide"))
    assert decide.changes["status"] == ["received", "qualified"] and decide.actor_name == "examiner_user"


@pytest.mark.parametrize(("setup_steps", "action", "message"), [
    ([], "grant", "状态：已受理待预审的案件不能登记授权"),
    ([], "submit_cnipa", "状态：已受理待预审的案件不能登记提交国家知识产权局"),
    (["qualified"], "decide", "状态：预审合格的案件不能作出预审结论"),
    (["unqualified"], "withdraw", "状态：预审不合格的案件不能撤回"),
    (["qualified", "submit"], "assign", "状态：已提交国家知识产权局的案件不能分配审查员"),
])
def test_illegal_transitions(db, users, setup, setup_steps, action, message):
    case = _submit(db, users)
    for step in setup_steps:
        if step in ("qualified", "unqualified"):
            _move(db, case, "decide", users["examiner"], decision=step, reason="理由")
        else:
            _move(db, case, "submit_cnipa", users["enterprise"], application_no=make_application_no(2023, 1, next(_serial)))
    actor = users["examiner"] if action == "decide" else users["bureau_staff"]
    with pytest.raises(TransitionError) as exc:
        _move(db, case, action, actor, decision="qualified", examiner_id=users["examiner"].id, reason="理由",
              application_no=make_application_no(2023, 1, 99))
    assert str(exc.value) == message


def test_bad_case_input(db, users, setup):
    city = _centre(db).id
    cases = [
        ("G06F", "IPC 主分类号：主分类号应精确到大组或小组（如 G06F1/00），“G06F”只到小类"),
        ("XYZ", "IPC 主分类号：“XYZ”不是有效的 IPC 分类号（如 G06F16/30）"),
        ("H01L21/02", "IPC 主分类号：分类号 H01L21/02 不在现行 IPC 中（仅见于 2020 版，已改分），请使用现行分类号"),
        ("G06F999/99", "IPC 主分类号：IPC 中不存在分类号 G06F999/99"),
        ("H01M10/0525", "IPC 主分类号：H01M10/0525 不在天津市知识产权保护中心的预审技术领域"),
    ]
    def case(centre_id, title, patent_type, ipc_main, abstract):
        return CaseCreate(centre_id=centre_id, title=title, patent_type=patent_type, ipc_main=ipc_main,
                          abstract=abstract)

    for ipc, message in cases:
        with pytest.raises(DomainError) as exc:
            flows.submit_case(db, case(city, "一种方法", "invention", ipc, "摘要"), actor=users["enterprise"])
        assert str(exc.value).startswith(message), (ipc, str(exc.value))
    with pytest.raises(DomainError, match="发明名称：不能为空"):
        flows.submit_case(db, case(city, " ", "invention", "G06F16/30", "摘要"), actor=users["enterprise"])
    # The patent type is parsed by the schema (the API's body and the page's form alike).
    with pytest.raises(FormInvalid, match="专利类型：“plant”无效"):
        validate(CaseCreate, {"centre_id": city, "title": "一种方法", "patent_type": "plant", "ipc_main": "G06F16/30",
                              "abstract": "摘要"})
    # Not filed with the Binhai centre.
    with pytest.raises(DomainError) as exc:
        flows.submit_case(db, case(_centre(db, "binhai").id, "一种电池", "invention", "H01M10/0525", "摘要"),
                          actor=users["enterprise"])
    assert str(exc.value) == ("备案：天津测试科技有限公司尚未在滨海新区知识产权保护中心备案（或备案未获批准），"
                              "不能提交预审案件")
    assert db.scalar(select(func.count()).select_from(Case)) == 0


def test_assignment_by_field_fewest_open_cases_and_reassignment(db, users, setup):
    second = _examiner(db, "examiner_two", fields="G06F", staff=users["bureau_staff"])
    _examiner(db, "examiner_h04", fields="H04L", staff=users["bureau_staff"])
    first = _submit(db, users)
    two = _submit(db, users)
    three = _submit(db, users)
    # examiner_user (lower id) first, then the other G06F examiner with no open case, then back.
    assert [first.examiner_id, two.examiner_id, three.examiner_id] == [users["examiner"].id, second.id,
                                                                       users["examiner"].id]
    _move(db, first, "decide", users["examiner"], decision="unqualified", reason="说明书公开不充分")
    db.commit()
    assert _submit(db, users).examiner_id == users["examiner"].id  # one open each again; lower id wins
    # Nobody at the centre examines G06Q: the case waits in the centre's queue.
    queued = _submit(db, users, ipc="G06Q10/06")
    assert queued.examiner_id is None
    with pytest.raises(PermissionDenied, match="只有市局工作人员可以分配或改派审查员"):
        _move(db, queued, "assign", users["examiner"], examiner_id=second.id)
    binhai_examiner = _examiner(db, "examiner_bh", centre="binhai", fields="H01M", staff=users["bureau_staff"])
    with pytest.raises(DomainError, match="审查员：审查员examiner_bh不属于天津市知识产权保护中心"):
        _move(db, queued, "assign", users["bureau_staff"], examiner_id=binhai_examiner.id)
    _move(db, queued, "assign", users["bureau_staff"], examiner_id=second.id)
    db.commit()
    assert queued.examiner_id == second.id
    # Wrong examiner: only the assigned one decides.
    with pytest.raises(PermissionDenied, match="只有分配到本案的审查员可以作出预审结论"):
        _move(db, queued, "decide", users["examiner"], decision="qualified")
    with pytest.raises(PermissionDenied):
        _move(db, queued, "decide", users["bureau_staff"], decision="qualified")
    with pytest.raises(DomainError, match="理由：不能为空"):
        _move(db, queued, "decide", second, decision="unqualified")
    with pytest.raises(DomainError, match="审查领域（IPC）：H01M 不在天津市知识产权保护中心的预审领域内"):
        _place(db, users["bureau_staff"], second.id, _centre(db).id, "H01M")
    with pytest.raises(DomainError, match="审查员：请选择角色为保护中心审查员的用户"):
        _place(db, users["bureau_staff"], users["mediator"].id, _centre(db).id, "G06F")


def test_green_channel_queues_first_with_a_shorter_deadline(db, users, setup, enterprise):
    normal = _submit(db, users, at=datetime(2023, 3, 1, 2, tzinfo=UTC))
    def add(actor, reference, reason=None):
        return service.add_key_enterprise(db, KeyEnterpriseCreate(enterprise=reference, reason=reason), actor=actor)

    with pytest.raises(PermissionDenied):
        add(users["district_staff"], enterprise.id)
    with pytest.raises(DomainError, match="企业：找不到企业“不存在的公司”"):
        add(users["bureau_staff"], "不存在的公司")
    add(users["bureau_staff"], enterprise.credit_code, "重点企业")
    db.commit()
    with pytest.raises(DomainError, match="已在重点企业名单中"):
        add(users["bureau_staff"], enterprise.id)
    green = _submit(db, users, at=datetime(2023, 3, 2, 2, tzinfo=UTC))
    assert green.green_channel and green.due_on == date(2023, 3, 5) and normal.due_on == date(2023, 3, 8)
    queue, _ = service.list_cases(db, users["examiner"], status="received")
    assert [c.id for c in queue] == [green.id, normal.id]
    service.remove_key_enterprise(db, enterprise.id, actor=users["bureau_staff"])
    db.commit()
    assert not _submit(db, users).green_channel
    assert db.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action.in_(["preexam.key_enterprise.add", "preexam.key_enterprise.remove"]))) == 2


def test_withdraw_and_cnipa_rejection(db, users, setup):
    case = _submit(db, users)
    with pytest.raises(PermissionDenied):
        _move(db, case, "withdraw", users["examiner"], reason="x")
    with pytest.raises(DomainError, match="撤回理由：不能为空"):
        _move(db, case, "withdraw", users["enterprise"])
    _move(db, case, "withdraw", users["enterprise"], reason="调整申请策略")
    assert case.status == CaseStatus.WITHDRAWN
    other = _submit(db, users, at=datetime(2023, 4, 1, 2, tzinfo=UTC))
    _move(db, other, "decide", users["examiner"], decision="qualified", at=datetime(2023, 4, 3, 2, tzinfo=UTC))
    _move(db, other, "submit_cnipa", users["examiner"], application_no=make_application_no(2023, 1, 7),
          day="2023-05-01")
    with pytest.raises(DomainError, match="授权日期：不能早于提交日期 2023-05-01"):
        _move(db, other, "grant", users["enterprise"], day="2023-04-01")
    _move(db, other, "reject", users["enterprise"], day="2023-09-01", reason="不具备创造性")
    assert other.status == CaseStatus.REJECTED and other.closed_on == date(2023, 9, 1)


# ---- HTTP: API errors, uploads, roles -----------------------------------------------------------------

def test_api_workflow_errors_and_statuses(db, client, users, setup):
    ent = bearer(client, "enterprise_user")
    exr = bearer(client, "examiner_user")
    staff = bearer(client, "bureau_staff_user")
    city = _centre(db).id
    bad = client.post("/api/preexam/cases", headers=ent, json={"centre_id": city, "title": "一种方法",
                                                               "patent_type": "invention", "ipc_main": "G6F16",
                                                               "abstract": "摘要"})
    assert bad.status_code == 422 and bad.json()["detail"] == "IPC 主分类号：“G6F16”不是有效的 IPC 分类号（如 G06F16/30）"
    made = client.post("/api/preexam/cases", headers=ent, json={"centre_id": city, "title": "一种数据压缩方法",
                                                                "patent_type": "invention", "ipc_main": "G06F 16/30",
                                                                "abstract": "摘要"})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["ipc_main"] == "G06F16/30" and body["examiner"]["id"] == users["examiner"].id
    case_id = body["id"]
    early = client.post(f"/api/preexam/cases/{case_id}/grant", headers=staff, json={})
    assert early.status_code == 409 and early.json()["detail"] == "状态：已受理待预审的案件不能登记授权"
    wrong = client.post(f"/api/preexam/cases/{case_id}/decide", headers=staff, json={"decision": "qualified"})
    assert wrong.status_code == 403 and wrong.json()["detail"] == "只有分配到本案的审查员可以作出预审结论"
    ok = client.post(f"/api/preexam/cases/{case_id}/decide", headers=exr, json={"decision": "qualified"})
    assert ok.status_code == 200 and ok.json()["status"] == "qualified"
    again = client.post(f"/api/preexam/cases/{case_id}/decide", headers=exr, json={"decision": "qualified"})
    assert again.status_code == 409 and again.json()["detail"] == "状态：预审合格的案件不能作出预审结论"
    unknown = client.post(f"/api/preexam/cases/{case_id}/explode", headers=staff, json={})
    assert unknown.status_code == 422 and unknown.json()["detail"] == "操作：未知操作“explode”"
    # An enterprise that is not filed.
    other = _other_enterprise(db)
    auth.create(db, UserCreate(username="other_ent", display_name="他企", password=PASSWORD, role=Role.ENTERPRISE,
                               enterprise_id=other.id))
    db.commit()
    unfiled = client.post("/api/preexam/cases", headers=bearer(client, "other_ent"),
                          json={"centre_id": city, "title": "一种方法", "patent_type": "invention",
                                "ipc_main": "G06F16/30", "abstract": "摘要"})
    assert unfiled.status_code == 422
    assert unfiled.json()["detail"] == "备案：天津其他科技有限公司尚未在天津市知识产权保护中心备案（或备案未获批准），不能提交预审案件"


def test_uploads_are_stored_size_limited_and_typed(db, client, users, setup, test_env):
    ent = bearer(client, "enterprise_user")
    case = _submit(db, users)
    pdf = b"%PDF-1.4 preexam test\n" * 10
    stored = client.post(f"/api/preexam/cases/{case.id}/documents", headers=ent,
                         files=[("documents", ("说明书.pdf", pdf, "application/pdf"))])
    assert stored.status_code == 201, stored.text
    document = db.scalar(select(Document).where(Document.case_id == case.id))
    path = service.document_path(document)
    assert path.read_bytes() == pdf and str(path).startswith(test_env["IPBUREAU_DATA_DIR"])
    assert document.filename == "说明书.pdf" and document.size == len(pdf)
    got = client.get(f"/preexam/cases/{case.id}/documents/{document.id}", headers=ent)
    assert got.status_code == 200 and got.content == pdf
    limit = 2 * 1024 * 1024  # IPBUREAU_MAX_UPLOAD_MB=2 in the tests
    big = client.post(f"/api/preexam/cases/{case.id}/documents", headers=ent,
                      files=[("documents", ("附图.pdf", b"x" * (limit + 1), "application/pdf"))])
    assert big.status_code == 413 and big.json()["detail"] == "文件超过大小上限 2 MB"
    exe = client.post(f"/api/preexam/cases/{case.id}/documents", headers=ent,
                      files=[("documents", ("run.exe", b"MZ", "application/octet-stream"))])
    assert exe.status_code == 422 and exe.json()["detail"].startswith("申请文件：“run.exe”的类型不受理")
    assert db.scalar(select(func.count()).select_from(Document)) == 1
    # The page form: the case and its documents in one submission; an oversize file refuses it all.
    login(client, "enterprise_user")
    page = client.get("/preexam/cases/new")
    assert page.status_code == 200
    token = csrf_from(page.text)
    form = {"csrf_token": token, "centre_id": str(_centre(db).id), "title": "一种缓存方法", "patent_type": "invention",
            "ipc_main": "G06F12/08", "abstract": "摘要"}
    refused = client.post("/preexam/cases", data=form, files=[("documents", ("a.pdf", b"y" * (limit + 1), "application/pdf"))])
    assert refused.status_code == 413 and "文件超过大小上限 2 MB" in refused.text
    assert db.scalar(select(func.count()).select_from(Case)) == 1
    done = client.post("/preexam/cases", data=form, files=[("documents", ("a.pdf", pdf, "application/pdf"))],
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    new_case = db.scalar(select(Case).where(Case.title == "一种缓存方法"))
    assert [d.filename for d in new_case.documents] == ["a.pdf"]


def test_role_visibility(db, client, users, setup, enterprise):
    mine = _submit(db, users)
    other = _other_enterprise(db)
    _apply(db, users["bureau_staff"], _centre(db).id, enterprise=other.id)
    filing = _apply(db, users["bureau_staff"], _centre(db, "binhai").id, enterprise=other.id, ipc_fields="H01M")
    db.flush()
    for f in service.list_filings(db, users["admin"], status="pending")[0]:
        _decide_filing(db, f, "approve", users["admin"])
    db.commit()
    theirs = _submit(db, users, actor=users["bureau_staff"], enterprise=other.id)
    _move(db, theirs, "assign", users["bureau_staff"],
          examiner_id=_examiner(db, "examiner_two", staff=users["bureau_staff"]).id)
    binhai_case = flows.submit_case(db, CaseCreate(centre_id=_centre(db, "binhai").id, title="一种电池",
                                                   patent_type="invention", ipc_main="H01M10/0525", abstract="摘要",
                                                   enterprise=other.id), actor=users["bureau_staff"])
    db.commit()

    def visible(username):
        rows = client.get("/api/preexam/cases", headers=bearer(client, username))
        assert rows.status_code == 200, rows.text
        return {item["id"] for item in rows.json()["items"]}

    assert visible("bureau_staff_user") == visible("admin_user") == {mine.id, theirs.id, binhai_case.id}
    assert visible("enterprise_user") == {mine.id}
    assert visible("district_staff_user") == {mine.id}  # 滨海新区 (120116): the test enterprise only
    assert visible("examiner_user") == {mine.id, theirs.id}  # assigned + the city centre's queue
    ent = bearer(client, "enterprise_user")
    # A record the user may not see is answered as missing (404), never 403.
    assert client.get(f"/api/preexam/cases/{theirs.id}", headers=ent).status_code == 404
    assert client.get(f"/api/preexam/cases/{binhai_case.id}", headers=bearer(client, "examiner_user")).status_code == 404
    assert client.get(f"/api/preexam/filings/{filing.id}", headers=ent).status_code == 404
    for role in ("mediator", "enforcement", "agency", "public"):
        headers = bearer(client, f"{role}_user")
        assert client.get("/api/preexam/cases", headers=headers).status_code == 403, role
        assert client.get("/api/preexam/centres", headers=headers).status_code == 403, role
    assert client.get("/api/preexam/stats", headers=ent).status_code == 403
    assert client.post("/api/preexam/key-enterprises", headers=bearer(client, "district_staff_user"),
                       json={"enterprise": enterprise.id}).status_code == 403
    # Pages: each role sees its part; the others are refused.
    login(client, "examiner_user")
    page = client.get("/preexam")
    assert page.status_code == 200 and "我的待审队列" in page.text and mine.case_no in page.text
    assert client.get(f"/preexam/cases/{mine.id}").status_code == 200
    login(client, "enterprise_user")
    page = client.get("/preexam")
    assert page.status_code == 200 and mine.case_no in page.text and theirs.case_no not in page.text
    assert client.get(f"/preexam/cases/{theirs.id}").status_code == 404
    assert client.get("/preexam/stats").status_code == 403
    login(client, "public_user")
    assert client.get("/preexam").status_code == 403
    assert "专利预审" not in client.get("/").text


def test_pages_staff_flow(db, client, users, enterprise):
    """Filing approved on the page by staff; the examiners page; the key list page."""
    _place(db, users["admin"], users["examiner"].id, _centre(db).id, "G06F")
    db.commit()
    login(client, "enterprise_user")
    page = client.get("/preexam")
    token = csrf_from(page.text)
    refused = client.post("/preexam/filings", data={"csrf_token": token, "centre_id": str(_centre(db).id),
                                                    "ipc_fields": "A01B"})
    assert refused.status_code == 422 and "不在天津市知识产权保护中心的预审领域" in refused.text
    applied = client.post("/preexam/filings", data={"csrf_token": token, "centre_id": str(_centre(db).id),
                                                    "ipc_fields": "G06F"}, follow_redirects=False)
    assert applied.status_code == 303
    filing_url = applied.headers["location"].split("?")[0]
    login(client, "bureau_staff_user")
    page = client.get(filing_url)
    assert "批准备案" in page.text
    approved = client.post(f"{filing_url}/approve", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert approved.status_code == 303
    conflict = client.post(f"{filing_url}/approve", data={"csrf_token": csrf_from(page.text)})
    assert conflict.status_code == 409 and "状态：已备案的备案不能批准备案" in conflict.text
    assert client.get("/preexam/examiners").status_code == 200
    assert client.get("/preexam/key-enterprises").status_code == 200
    login(client, "examiner_user")
    assert client.get("/preexam/examiners").status_code == 403


# ---- statistics and indicators -------------------------------------------------------------------------

def _dated_case(db, users, received: datetime, *, decide: str | None = None, decide_after: int = 3,
                grant_after: int | None = None, ipc="G06F16/30"):
    case = _submit(db, users, at=received, ipc=ipc)
    if decide:
        _move(db, case, "decide", users["examiner"], decision=decide, reason="理由",
              at=received + timedelta(days=decide_after))
    if grant_after is not None:
        submitted = (received + timedelta(days=decide_after + 1)).date()
        _move(db, case, "submit_cnipa", users["enterprise"],
              application_no=make_application_no(received.year, 1, next(_serial)), day=submitted)
        _move(db, case, "grant", users["enterprise"], day=(received + timedelta(days=decide_after + grant_after)).date())
    db.commit()
    return case


def test_cycle_statistics_equal_the_rows_and_the_indicators(db, client, users, setup):
    from ipbureau.stats import service as stats_service

    at = lambda y, m, d: datetime(y, m, d, 2, tzinfo=UTC)  # noqa: E731
    _dated_case(db, users, at(2022, 1, 10), decide="qualified", decide_after=2, grant_after=60)
    _dated_case(db, users, at(2022, 1, 20), decide="qualified", decide_after=4, grant_after=100)
    _dated_case(db, users, at(2022, 2, 5), decide="unqualified", decide_after=6)
    _dated_case(db, users, at(2022, 12, 29), decide="qualified", decide_after=5)  # decided in 2023
    _dated_case(db, users, at(2023, 3, 1), decide="qualified", decide_after=1, grant_after=30, ipc="H04L9/40")
    _dated_case(db, users, at(2023, 4, 1))
    figures = cycle.cycle_stats(db, dataset="real", year=2022)
    rows = db.scalars(select(Case)).all()
    assert figures.total.received == sum(1 for c in rows if c.received_at.year == 2022) == 4
    assert figures.total.qualified == sum(1 for c in rows if c.decision == "qualified" and c.decided_at.year == 2022) == 2
    assert figures.total.granted == sum(1 for c in rows if c.granted_on and c.granted_on.year == 2022) == 2
    assert figures.total.median_decision_days == 4.0  # 2, 4, 6
    assert figures.total.median_grant_days == 80.0  # 60, 100
    months = {r.key: r for r in figures.by["month"]}
    assert months["2022-01"].received == 2 and months["2022-02"].decided == 1 and months["2022-12"].received == 1
    assert [r.key for r in figures.by["centre"]] == ["市保护中心"]
    everything = cycle.cycle_stats(db, dataset="real")
    assert everything.total.received == 6 and everything.total.qualified == 4 and everything.total.granted == 3
    sections = {r.key: r.received for r in everything.by["section"]}
    assert sections == {"G 物理": 5, "H 电学": 1}
    assert {r.key for r in everything.by["chain"]} == {"信创"}
    assert cycle.cycle_stats(db, dataset="demo").total.received == 0
    for year in (2022, 2023):
        figures = cycle.cycle_stats(db, dataset="real", year=year)
        for code, value in (("preexam_cases_received", figures.total.received),
                            ("preexam_cases_qualified", figures.total.qualified),
                            ("preexam_cases_granted", figures.total.granted)):
            assert stats_service.compute(db, code, year).value == value, (code, year)
            assert stats_service.compute(db, code, year, district_code="120116").value == value
            assert stats_service.compute(db, code, year, district_code="120101").value == 0
    # The page, the API and the workbook carry the same figures.
    staff = bearer(client, "bureau_staff_user")
    api = client.get("/api/preexam/stats?year=2022", headers=staff).json()
    assert api["total"]["received"] == 4 and api["total"]["median_grant_days"] == 80.0
    login(client, "bureau_staff_user")
    page = client.get("/preexam/stats?year=2022")
    assert page.status_code == 200 and 'id="total-received">4<' in page.text and "<svg" in page.text
    book = load_workbook(io.BytesIO(client.get("/preexam/stats.xlsx?year=2022").content))
    sheet = book["保护中心"]
    assert [c.value for c in sheet[3]][:6] == ["市保护中心", 4, 3, 2, round(2 / 3, 4), 2]


@pytest.mark.heavy
def test_demo_data(db, full_demo):
    from ipbureau.auth.models import User

    summary = full_demo  # the shared demo (conftest.full_demo): load_demo(patents=2000, enterprises=300)
    assert "专利预审" in summary
    cases = db.scalars(select(Case)).all()
    assert 4000 <= len(cases) <= 6000
    assert {c.received_at.year for c in cases} >= {2021, 2022, 2023}
    decided = [c for c in cases if c.decision]
    qualified_share = sum(1 for c in decided if c.decision == "qualified") / len(decided)
    assert 0.6 < qualified_share < 0.75
    assert any(c.green_channel for c in cases)
    examiner = db.scalar(select(User).where(User.username == "demo-examiner"))
    queue, total = service.list_cases(db, examiner, status="received", mine=True)
    assert total >= 8
    enterprise_user = db.scalar(select(User).where(User.username == "demo-enterprise"))
    own, own_total = service.list_cases(db, enterprise_user)
    assert own_total >= 10 and service.list_filings(db, enterprise_user)[1] >= 1
    assert len({c.examiner_id for c in cases}) >= 5
    first = cycle.cycle_stats(db, dataset="demo")
    assert first.total.received == len(cases)
    # Reloading replaces, it does not add (the module's own hooks, as the generator calls them).
    import random

    from ipbureau.demo.generator import effective_as_of
    from ipbureau.protection.preexam import demo

    removed = demo.delete_demo(db)
    assert removed["preexam_cases"] == len(cases)
    demo.load_demo(db, random.Random("2023-ipbureau.protection.preexam.demo"), as_of=effective_as_of())
    db.commit()
    # Replaced, not added. (The count may differ by a case or two from the first load: by now the
    # screening demo's planted applications hold some application numbers the cases would have used.)
    reloaded = db.scalar(select(func.count()).select_from(Case))
    assert 0.98 * len(cases) <= reloaded <= 1.02 * len(cases)

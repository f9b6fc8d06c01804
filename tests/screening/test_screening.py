"""非正常专利申请筛查: each sign on planted data and not on clean data, idempotent runs, the review
workflow (reasons, illegal transitions, audit), district visibility (hidden cases are 404), bounded input (422
in Chinese), Excel, indicators equal to the counts."""

from __future__ import annotations

import functools
import hashlib
import io
import random
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from ipbureau.core.errors import DomainError
from ipbureau.protection.screening.demo import edit_copy
from ipbureau.protection.screening.enums import Sign
from ipbureau.protection.screening.scoring import Application, Parameters, screen
from tests.conftest import bearer, csrf_from, login

TEMPLATE = ("1.一种{a}装置，包括底座，其特征在于：所述底座的顶部固定安装有支撑柱，所述支撑柱的顶端设置有{b}，"
            "所述{b}的一侧设有{c}，所述{c}与控制器电性连接，所述底座的底部安装有万向轮。")
NOUNS = ("纳米雾化喷头", "石墨烯导热膜", "磁流变阻尼器", "压电陶瓷片", "碳纤维支撑臂", "光栅编码器", "涡流探伤线圈",
         "钛合金卡扣", "聚四氟乙烯衬套", "蓝宝石视窗", "霍尔传感元件", "相变储能模块")
BASE_ABSTRACT = ("本实用新型公开了一种锂电池极片辊压装置，包括机架、上压辊和下压辊，所述机架的内侧设有调节丝杆。"
                 "所述调节丝杆与上压辊连接，通过旋转手轮调节辊缝间隙为0.5毫米。本实用新型提高了极片压实密度的一致性。"
                 "同时减少了极片边缘开裂的问题，结构简单，维护方便。")
BASE_CLAIMS = ("1.一种锂电池极片辊压装置，包括机架（1），其特征在于：所述机架（1）的内侧固定连接有调节丝杆（2），"
               "所述调节丝杆（2）的顶端设有上压辊（3），所述上压辊（3）的下方设有下压辊（4），所述下压辊（4）与电机连接。")


def generated_apps(n: int = 150, seed: int = 11) -> list[Application]:
    """Realistic clean applications from the demo generator (no planted pattern)."""
    return list(_generated(n, seed))


@functools.lru_cache
def _generated(n: int, seed: int) -> tuple[Application, ...]:
    from ipbureau.demo.generator import iter_patent_rows

    types = {"发明": "invention", "实用新型": "utility_model", "外观设计": "design"}
    apps = []
    for i, row in enumerate(iter_patent_rows(random.Random(seed), n)):
        filed = row["申请日"]
        apps.append(Application(
            key=f"g{i}", application_no=row["申请号"], applicants=tuple(row["申请人"].split(";")),
            agency=row["专利代理机构"] or None, ipc=tuple(c for c in row["分类号"].split(";") if c),
            title=row["专利名称"], abstract=row["申请摘要"], claims=row["主权项"],
            filing_date=date(int(filed[:4]), int(filed[4:6]), int(filed[6:])), patent_type=types[row["专利类型"]]))
    return tuple(apps)


def app(key, applicant="天津甲科技有限公司", *, filed=date(2023, 3, 1), agency=None, ipc=("H01M10/0525",),
        title="一种锂电池极片辊压装置", abstract="", claims="", patent_type="utility_model", in_scope=True):
    return Application(key=key, application_no=f"CN20232{int(str(key).strip('abcdefghijklmnopqrstuvwxyz') or 0):07d}.0",
                       applicants=(applicant,), agency=agency, ipc=tuple(ipc), title=title, abstract=abstract,
                       claims=claims, filing_date=filed, patent_type=patent_type, in_scope=in_scope)


def signs_of(result, key) -> set[Sign]:
    return {f.sign for f in result.flags.get(key, [])}


def flagged_with(result, sign: Sign) -> set:
    return {k for k, flags in result.flags.items() if any(f.sign == sign for f in flags)}


# ---- the signs, on plain records ------------------------------------------------------------------------

def test_clean_generated_applications_carry_no_text_or_burst_sign():
    result = screen(generated_apps())
    for sign in (Sign.BURST, Sign.NEAR_DUPLICATE, Sign.TEMPLATE_CLAIMS, Sign.AGENCY_PATTERN):
        assert not flagged_with(result, sign), sign
    assert result.queued() == []


def test_burst_is_measured_against_the_applicant_own_history():
    apps = [app(f"{i}", "天津突击申请有限公司", filed=date(2023, 5, 1) + timedelta(days=i % 20)) for i in range(12)]
    # A busy applicant filing ~10 a month for three years: 12 in a month is its normal pace.
    busy = [app(f"{100 + i}", "天津高产科技有限公司", filed=date(2021, 1, 1) + timedelta(days=3 * i)) for i in range(365)]
    # A quiet applicant: 12 filings over two years.
    quiet = [app(f"{900 + i}", "天津平稳科技有限公司", filed=date(2021, 1, 1) + timedelta(days=60 * i)) for i in range(12)]
    result = screen(apps + busy + quiet)
    assert flagged_with(result, Sign.BURST) == {a.key for a in apps}
    flag = next(f for f in result.flags["0"] if f.sign == Sign.BURST)
    assert flag.evidence["count"] == 12 and flag.evidence["window_days"] == 30
    assert "天津突击申请有限公司" in flag.reason and "12 件申请" in flag.reason


def test_history_outside_the_range_counts_but_is_not_flagged():
    inside = [app(f"{i}", "天津乙公司", filed=date(2023, 5, 1) + timedelta(days=i)) for i in range(6)]
    before = [app(f"{10 + i}", "天津乙公司", filed=date(2023, 4, 20) + timedelta(days=i), in_scope=False) for i in range(6)]
    result = screen(inside + before)
    assert flagged_with(result, Sign.BURST) == {a.key for a in inside}


def test_near_duplicates_are_found_and_paired_with_their_similarity():
    rng = random.Random(3)
    clean = generated_apps()
    base = app("1", "天津原创电池有限公司", abstract=BASE_ABSTRACT, claims=BASE_CLAIMS)
    copies = [app(f"{2 + i}", f"天津仿冒{i}号有限公司", title=edit_copy(base.title, rng, 1),
                  abstract=edit_copy(BASE_ABSTRACT, rng), claims=edit_copy(BASE_CLAIMS, rng)) for i in range(3)]
    result = screen(clean + [base] + copies)
    assert flagged_with(result, Sign.NEAR_DUPLICATE) == {"1", "2", "3", "4"}
    flag = next(f for f in result.flags["1"] if f.sign == Sign.NEAR_DUPLICATE)
    partners = {p["application_no"] for p in flag.evidence["partners"]}
    assert partners == {c.application_no for c in copies}
    assert all(0.8 <= p["similarity"] <= 1 for p in flag.evidence["partners"])
    assert copies[0].application_no in flag.reason and "相似度" in flag.reason
    assert set(result.queued()) == {"1", "2", "3", "4"}


def test_same_day_invention_and_utility_model_of_one_applicant_is_not_a_duplicate():
    twin = [app("1", "天津双报有限公司", abstract=BASE_ABSTRACT, claims=BASE_CLAIMS, patent_type="invention"),
            app("2", "天津双报有限公司", abstract=BASE_ABSTRACT, claims=BASE_CLAIMS, patent_type="utility_model")]
    assert not flagged_with(screen(twin), Sign.NEAR_DUPLICATE)
    later = [twin[0], app("2", "天津双报有限公司", abstract=BASE_ABSTRACT, claims=BASE_CLAIMS, filed=date(2023, 9, 1))]
    assert flagged_with(screen(later), Sign.NEAR_DUPLICATE) == {"1", "2"}


def _template_apps(agency_of) -> list[Application]:
    rng = random.Random(5)
    out = []
    for i in range(7):
        a, b, c = rng.sample(NOUNS, 3)
        out.append(app(f"t{i}", f"天津模板{i}有限公司", agency=agency_of(i), title=f"一种{a}装置",
                       abstract=f"本实用新型涉及{a}领域。{generated_apps(20, seed=i)[i].abstract}",
                       claims=TEMPLATE.format(a=a, b=b, c=c), filed=date(2023, 1, 1) + timedelta(days=40 * i)))
    return out


def test_template_claims_of_one_agency_are_flagged():
    planted = _template_apps(lambda i: "天津模板代理有限公司")
    result = screen(generated_apps() + planted)
    assert flagged_with(result, Sign.TEMPLATE_CLAIMS) == {a.key for a in planted}
    flag = next(f for f in result.flags["t0"] if f.sign == Sign.TEMPLATE_CLAIMS)
    assert flag.evidence["same_template_count"] == 6 and "天津模板代理有限公司" in flag.reason
    assert not flagged_with(result, Sign.NEAR_DUPLICATE) & {a.key for a in planted}


def test_same_claims_from_unrelated_agencies_are_not_a_template():
    spread = _template_apps(lambda i: f"天津第{i}代理事务所")
    assert not flagged_with(screen(generated_apps() + spread), Sign.TEMPLATE_CLAIMS)


def test_field_mismatch_against_the_applicant_other_applications():
    history = [app(f"{i}", "天津电池材料有限公司", ipc=("H01M4/139",), filed=date(2022, 1, 1) + timedelta(days=50 * i))
               for i in range(6)]
    off = app("50", "天津电池材料有限公司", ipc=("A01K61/00",), title="一种水产养殖增氧装置")
    near = app("51", "天津电池材料有限公司", ipc=("H01M10/0525",))
    result = screen(history + [off, near])
    assert flagged_with(result, Sign.FIELD_MISMATCH) == {"50"}
    flag = result.flags["50"][0]
    assert "A01K" in flag.reason and "H01M" in flag.reason and flag.evidence["history"] == 7


def test_field_mismatch_by_industry_chain_when_history_is_thin():
    chain = ("H01M", "B60L")
    off = app("1", ipc=("A23L2/00",))
    off.chain_prefixes, off.chain_name = chain, "新能源"
    inside = app("2", ipc=("H01M4/139",))
    inside.chain_prefixes, inside.chain_name = chain, "新能源"
    result = screen([off, inside])
    assert flagged_with(result, Sign.FIELD_MISMATCH) == {"1"}
    flag = next(f for f in result.flags["1"] if f.sign == Sign.FIELD_MISMATCH)
    assert flag.score == 10 and "新能源" in flag.reason and flag.evidence["basis"] == "industry_chain"


def test_agency_with_many_flagged_filings_taints_its_portfolio():
    bursts = [app(f"{i}", "天津突击申请有限公司", agency="天津可疑代理有限公司", filed=date(2023, 5, 1) + timedelta(days=i))
              for i in range(10)]
    clean = [app(f"{50 + i}", f"天津正常{i}有限公司", agency="天津可疑代理有限公司", filed=date(2022, 1, 1) + timedelta(days=30 * i))
             for i in range(5)]
    honest = [app(f"{80 + i}", f"天津良好{i}有限公司", agency="天津规范代理有限公司") for i in range(5)]
    result = screen(bursts + clean + honest)
    assert flagged_with(result, Sign.AGENCY_PATTERN) == {a.key for a in bursts + clean}
    flag = next(f for f in result.flags["50"] if f.sign == Sign.AGENCY_PATTERN)
    assert flag.evidence == {"agency": "天津可疑代理有限公司", "filed": 15, "flagged": 10, "share": 0.667,
                             "by_sign": {"burst": 10}}
    # burst 30 + agency 10 reaches the threshold; the agency sign alone does not.
    assert set(result.queued()) == {a.key for a in bursts}
    assert result.total("0") == 40 and Parameters().queue_threshold == 40


# ---- runs over the database ------------------------------------------------------------------------------

_serial = iter(range(1, 10**6))


def add_patent(db, applicant: str, *, district="120116", filed=date(2023, 5, 1), agency=None, ipc=("H01M10/0525",),
               title="一种锂电池极片辊压装置", abstract="", claims="", dataset="real", patent_type="utility_model"):
    from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
    from ipbureau.patents.numbers import make_application_no

    number = make_application_no(filed.year, 2 if patent_type == "utility_model" else 1, 1_000_000 + next(_serial))
    patent = Patent(application_no=number, patent_type=patent_type, title=title, abstract=abstract, claims=claims,
                    ipc_main=ipc[0], province_code="12", district_code=district, filing_date=filed, agency=agency,
                    dataset=dataset, record_hash=hashlib.sha256(number.encode()).hexdigest())
    patent.applicants = [PatentApplicant(position=0, name=applicant)]
    patent.ipc_codes = [PatentIpc(position=i, code=c, subclass=c[:4]) for i, c in enumerate(ipc)]
    db.add(patent)
    db.flush()
    return patent


@pytest.fixture
def planted(db):
    """Real dataset: a burst of 12 in 滨海新区 (120116), a near-duplicate pair in 西青 (120111), a clean filing."""
    rng = random.Random(8)
    burst = [add_patent(db, "天津突击申请有限公司", filed=date(2023, 5, 1) + timedelta(days=i), agency="天津可疑代理有限公司",
                        abstract=generated_apps(12)[i].abstract, claims=generated_apps(12)[i].claims)
             for i in range(12)]
    base = add_patent(db, "天津原创电池有限公司", district="120111", abstract=BASE_ABSTRACT, claims=BASE_CLAIMS)
    copy = add_patent(db, "天津仿冒电池有限公司", district="120111", filed=date(2023, 8, 1),
                      abstract=edit_copy(BASE_ABSTRACT, rng, 1), claims=edit_copy(BASE_CLAIMS, rng, 1))
    clean = add_patent(db, "天津正常科技有限公司", ipc=("G06F16/00",), title="一种数据检索方法",
                       abstract="本发明公开了一种基于倒排索引的数据检索方法。", claims="1.一种数据检索方法，包括建立倒排索引。")
    db.commit()
    return {"burst": burst, "base": base, "copy": copy, "clean": clean}


def _flags(db):
    from ipbureau.protection.screening.models import ScreeningFlag

    return sorted((f.patent_id, f.sign, f.score, f.reason) for f in db.scalars(select(ScreeningFlag)))


def test_run_stores_flags_and_queue_and_rerun_is_idempotent(db, planted, users):
    from ipbureau.audit.models import AuditLog
    from ipbureau.protection.screening import flows
    from ipbureau.protection.screening.models import ScreeningCase

    run = flows.run_screening(db, dataset="real", actor=users["bureau_staff"])
    db.commit()
    first = _flags(db)
    burst_ids = {p.id for p in planted["burst"]}
    assert {pid for pid, sign, *_ in first if sign == "burst"} == burst_ids
    assert {pid for pid, sign, *_ in first if sign == "near_duplicate"} == {planted["base"].id, planted["copy"].id}
    assert planted["clean"].id not in {pid for pid, *_ in first}
    cases = {c.patent_id: c for c in db.scalars(select(ScreeningCase))}
    assert set(cases) == burst_ids | {planted["base"].id, planted["copy"].id}
    assert cases[planted["burst"][0].id].total_score == 40  # burst 30 + agency 10
    assert run.applications == 15 and run.queued == 14
    assert db.scalar(select(AuditLog).where(AuditLog.action == "screening.run.complete")) is not None

    flows.decide(db, cases[planted["base"].id], users["bureau_staff"], "confirm", "内容实质相同")
    db.commit()
    flows.run_screening(db, dataset="real")
    db.commit()
    assert _flags(db) == first
    assert db.scalar(select(func.count()).select_from(ScreeningCase)) == 14
    assert db.get(ScreeningCase, cases[planted["base"].id].id).status == "confirmed"


def test_run_over_a_date_range_leaves_other_flags_alone(db, planted):
    from ipbureau.protection.screening import flows

    flows.run_screening(db, dataset="real")
    db.commit()
    before = _flags(db)
    run = flows.run_screening(db, dataset="real", filed_from=date(2023, 7, 1), filed_to=date(2023, 12, 31))
    db.commit()
    assert run.applications == 1  # only the copy was filed in the range; it has no partner inside it
    after = _flags(db)
    assert [f for f in after if f[0] != planted["copy"].id] == [f for f in before if f[0] != planted["copy"].id]
    with pytest.raises(DomainError, match="申请日范围：结束日期不能早于开始日期"):
        flows.run_screening(db, dataset="real", filed_from=date(2023, 7, 1), filed_to=date(2023, 1, 1))


def test_demo_records_are_screened_apart_from_real_ones(db, planted):
    from ipbureau.protection.screening import flows
    from ipbureau.protection.screening.models import ScreeningCase

    for i in range(12):
        add_patent(db, "天津演示突击有限公司", filed=date(2023, 5, 1) + timedelta(days=i), dataset="demo")
    db.commit()
    run = flows.run_screening(db, dataset="demo")
    db.commit()
    assert run.applications == 12 and run.queued == 0  # burst 30 alone stays under 40
    flows.run_screening(db, dataset="real")
    db.commit()
    assert db.scalar(select(func.count()).select_from(ScreeningCase)) == 14


# ---- review ---------------------------------------------------------------------------------------------

@pytest.fixture
def queue(db, planted, users):
    from ipbureau.protection.screening import flows
    from ipbureau.protection.screening.models import ScreeningCase

    flows.run_screening(db, dataset="real")
    db.commit()
    return {c.patent_id: c.id for c in db.scalars(select(ScreeningCase))}


def test_confirm_and_clear_need_a_reason_and_happen_once(client, db, planted, queue, users):
    from ipbureau.audit.models import AuditLog

    headers = bearer(client, "bureau_staff_user")
    case_id = queue[planted["base"].id]
    response = client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "clear", "reason": "  "},
                           headers=headers)
    assert response.status_code == 422 and response.json()["detail"] == "排除理由：必须填写理由"
    response = client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "confirm"}, headers=headers)
    assert response.status_code == 422 and response.json()["detail"] == "认定理由：必须填写理由"
    response = client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "maybe", "reason": "x"},
                           headers=headers)
    assert response.status_code == 422 and response.json()["detail"] == "审查结论：请选择“认定非正常”或“排除”"

    response = client.post(f"/api/screening/cases/{case_id}/decision",
                           json={"decision": "confirm", "reason": "与他人申请实质相同"}, headers=headers)
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert response.json()["handling"] == "pending"
    response = client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "clear", "reason": "误报"},
                           headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "审查结论：该申请已审查（认定非正常），不能重复审查"

    other = queue[planted["copy"].id]
    response = client.post(f"/api/screening/cases/{other}/decision", json={"decision": "clear", "reason": "独立研发"},
                           headers=headers)
    assert response.json()["status"] == "cleared" and response.json()["decision_reason"] == "独立研发"
    response = client.post(f"/api/screening/cases/{other}/handling", json={"handling": "withdrawn"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "处理结果：只有认定为非正常的申请才能登记处理结果"

    entries = db.scalars(select(AuditLog).where(AuditLog.entity_type == "screening_case")).all()
    assert {(e.action, e.entity_id) for e in entries} == {("screening.case.confirm", str(case_id)),
                                                         ("screening.case.clear", str(other))}
    assert all(e.actor_name == "bureau_staff_user" for e in entries)


def test_handling_of_a_confirmed_application(client, db, planted, queue, users):
    headers = bearer(client, "admin_user")
    case_id = queue[planted["base"].id]
    client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "confirm", "reason": "实质相同"},
                headers=headers)
    response = client.post(f"/api/screening/cases/{case_id}/handling", json={"handling": "pending"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "处理结果：请选择“申请人主动撤回”“已驳回”或“已整改”"
    response = client.post(f"/api/screening/cases/{case_id}/handling",
                           json={"handling": "withdrawn", "handled_on": "2020-01-01"}, headers=headers)
    assert response.status_code == 422 and response.json()["detail"] == "处理完成日期：不能早于认定日期"
    response = client.post(f"/api/screening/cases/{case_id}/handling", json={"handling": "withdrawn", "note": "已撤回"},
                           headers=headers)
    assert response.status_code == 200 and response.json()["handling"] == "withdrawn"
    assert response.json()["handled_on"] is not None
    response = client.post(f"/api/screening/cases/{case_id}/handling", json={"handling": "rejected"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "处理结果：处理结果已登记（申请人主动撤回），不能重复登记"


def test_review_pages_with_evidence_and_a_mandatory_reason(client, db, planted, queue, users):
    login(client, "bureau_staff_user")
    page = client.get("/screening")
    assert page.status_code == 200 and planted["base"].application_no in page.text
    case_id = queue[planted["base"].id]
    detail = client.get(f"/screening/{case_id}")
    assert detail.status_code == 200
    assert planted["copy"].application_no in detail.text and "<mark>" in detail.text  # side by side, shared text marked
    response = client.post(f"/screening/{case_id}/decision",
                           data={"decision": "clear", "reason": "", "csrf_token": csrf_from(detail.text)})
    assert response.status_code == 422 and "排除理由：必须填写理由" in response.text
    response = client.post(f"/screening/{case_id}/decision", follow_redirects=False,
                           data={"decision": "confirm", "reason": "实质相同", "csrf_token": csrf_from(detail.text)})
    assert response.status_code == 303
    again = client.post(f"/screening/{case_id}/decision",
                        data={"decision": "clear", "reason": "误报", "csrf_token": csrf_from(detail.text)})
    assert again.status_code == 409 and "不能重复审查" in again.text
    filtered = client.get("/screening", params={"sign": "burst", "status": ""})
    assert planted["burst"][0].application_no in filtered.text and planted["base"].application_no not in filtered.text


def test_district_staff_see_and_review_only_their_district(client, db, planted, queue, users):
    headers = bearer(client, "district_staff_user")  # 滨海新区 120116
    items = client.get("/api/screening/cases", headers=headers).json()
    assert items["total"] == 12 and {i["district_code"] for i in items["items"]} == {"120116"}
    other = queue[planted["base"].id]  # 西青: hidden from 滨海新区, so as missing as a case that does not exist
    assert client.get(f"/api/screening/cases/{other}", headers=headers).status_code == 404
    response = client.post(f"/api/screening/cases/{other}/decision", json={"decision": "confirm", "reason": "x"},
                           headers=headers)
    assert response.status_code == 404
    own = queue[planted["burst"][0].id]
    response = client.post(f"/api/screening/cases/{own}/decision", json={"decision": "clear", "reason": "正常研发节奏"},
                           headers=headers)
    assert response.status_code == 200
    assert client.post("/api/screening/runs", json={}, headers=headers).status_code == 403
    assert client.get("/api/screening/cases", headers=bearer(client, "bureau_staff_user")).json()["total"] == 14


@pytest.mark.parametrize("role", ["examiner", "mediator", "enforcement", "enterprise", "agency", "public"])
def test_other_roles_are_refused(client, queue, role):
    headers = bearer(client, f"{role}_user")
    assert client.get("/api/screening/cases", headers=headers).status_code == 403
    assert client.get("/screening/export.xlsx", headers=headers).status_code == 403


def test_excel_export_of_the_queue(client, planted, queue, users):
    from openpyxl import load_workbook

    response = client.get("/screening/export.xlsx", params={"sign": "near_duplicate"},
                          headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("申请号", "专利名称", "申请人")
    assert {r[0] for r in rows[1:]} == {planted["base"].application_no, planted["copy"].application_no}
    assert all("内容高度相似" in r[7] and "相似度" in r[13] for r in rows[1:])


@pytest.mark.committing  # the job works on sessions of its own, which must see the planted applications
def test_screening_job_runs_in_the_background(client, planted, users):
    headers = bearer(client, "bureau_staff_user")
    response = client.post("/api/screening/runs", json={"dataset": "real"}, headers=headers)
    assert response.status_code == 202
    job_id = response.json()["id"]
    for _ in range(600):
        job = client.get(f"/api/screening/jobs/{job_id}", headers=headers).json()
        if job["state"] in ("succeeded", "failed"):
            break
        time.sleep(0.1)
    assert job["state"] == "succeeded", job
    assert "进入审查队列 14 件" in job["message"] and job["run_id"]
    assert client.get("/api/screening/cases", headers=headers).json()["total"] == 14
    bad = client.post("/api/screening/runs", json={"filed_from": "2023-02-01", "filed_to": "2023-01-01"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"] == "申请日范围：结束日期不能早于开始日期"


# ---- indicators -------------------------------------------------------------------------------------------

def test_indicators_equal_the_counts_of_decisions_and_completed_handling(db, planted, queue, users):
    from ipbureau.protection.screening import flows
    from ipbureau.protection.screening.models import ScreeningCase
    from ipbureau.stats import service as stats

    cases = {pid: db.get(ScreeningCase, cid) for pid, cid in queue.items()}
    staff = users["bureau_staff"]
    at = lambda y, m, d: datetime(y, m, d, 10, tzinfo=timezone.utc)  # noqa: E731
    burst = [cases[p.id] for p in planted["burst"]]
    for case in burst[:5]:
        flows.decide(db, case, staff, "confirm", "集中申请", at=at(2023, 6, 1))
    for case in burst[5:7]:
        flows.decide(db, case, staff, "confirm", "集中申请", at=at(2024, 2, 1))
    flows.decide(db, burst[7], staff, "clear", "正常", at=at(2023, 6, 1))
    flows.decide(db, cases[planted["base"].id], staff, "confirm", "实质相同", at=at(2023, 9, 1))
    for case in burst[:3]:
        flows.record_handling(db, case, staff, "withdrawn", handled_on=date(2023, 7, 1))
    flows.record_handling(db, burst[5], staff, "rejected", handled_on=date(2024, 3, 1))
    db.commit()

    confirmed = stats.compute(db, "abnormal_applications_confirmed", 2023)
    assert confirmed.value == 6
    assert stats.compute(db, "abnormal_applications_confirmed", 2024).value == 2
    assert stats.compute(db, "abnormal_applications_confirmed", 2023, district_code="120116").value == 5
    assert stats.compute(db, "abnormal_applications_confirmed", 2023, district_code="120111").value == 1
    assert stats.compute(db, "abnormal_applications_handled", 2023).value == 3
    assert stats.compute(db, "abnormal_applications_handled", 2024).value == 1
    assert not stats.compute(db, "abnormal_applications_confirmed", 2023, dataset="demo").value  # real only
    total = db.scalar(select(func.count()).select_from(ScreeningCase).where(ScreeningCase.status == "confirmed"))
    assert total == 8


# ---- demo -----------------------------------------------------------------------------------------------

@pytest.mark.heavy
def test_demo_plants_patterns_that_the_screening_finds_and_reviews_part(db, full_demo):
    from ipbureau.protection.screening.models import ScreeningCase, ScreeningFlag

    summary = full_demo  # the shared demo (conftest.full_demo): load_demo(patents=2000, enterprises=300)
    assert "非正常专利申请筛查" in summary
    signs = dict(db.execute(select(ScreeningFlag.sign, func.count()).group_by(ScreeningFlag.sign)).all())
    assert set(signs) == {s.value for s in Sign}
    statuses = dict(db.execute(select(ScreeningCase.status, func.count()).group_by(ScreeningCase.status)).all())
    assert statuses.get("pending") and statuses.get("confirmed") and statuses.get("cleared")
    assert db.scalar(select(func.count()).select_from(ScreeningCase).where(ScreeningCase.handled_on.is_not(None)))


# ---- the workflows, hidden cases, bounded input ------------------------------------------------------------

def test_review_and_handling_are_declared_as_data():
    from ipbureau.protection.screening.workflows import HANDLING, REVIEW

    assert REVIEW.describe() == [
        {"action": "confirm", "from": ["pending"], "to": "confirmed", "label": "认定非正常", "permission": "review"},
        {"action": "clear", "from": ["pending"], "to": "cleared", "label": "排除", "permission": "review"}]
    assert [(t["action"], t["from"], t["to"], t["permission"]) for t in HANDLING.describe()] == [
        ("withdraw", ["pending"], "withdrawn", "handle"), ("reject", ["pending"], "rejected", "handle"),
        ("correct", ["pending"], "corrected", "handle")]


def test_illegal_transitions_are_409_and_each_step_is_audited_once(client, db, planted, queue, users):
    from ipbureau.audit.models import AuditLog

    headers = bearer(client, "bureau_staff_user")
    case_id = queue[planted["base"].id]
    # Nothing to handle before the review.
    response = client.post(f"/api/screening/cases/{case_id}/handling", json={"handling": "withdrawn"}, headers=headers)
    assert response.status_code == 409
    assert response.json() == {"detail": "处理结果：只有认定为非正常的申请才能登记处理结果", "field": "处理结果"}
    assert client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "confirm", "reason": "实质相同"},
                       headers=headers).status_code == 200
    response = client.post(f"/api/screening/cases/{case_id}/handling",
                           json={"handling": "corrected", "note": "已整改", "handled_on": None}, headers=headers)
    assert response.status_code == 200 and response.json()["handling_label"] == "已整改"
    for body in ({"decision": "confirm", "reason": "再次认定"}, {"decision": "clear", "reason": "误报"}):
        response = client.post(f"/api/screening/cases/{case_id}/decision", json=body, headers=headers)
        assert response.status_code == 409 and response.json()["field"] == "审查结论"
    entries = db.scalars(select(AuditLog).where(AuditLog.entity_type == "screening_case", AuditLog.entity_id == str(case_id))
                         .order_by(AuditLog.id)).all()
    assert [e.action for e in entries] == ["screening.case.confirm", "screening.case.correct"]  # refusals leave none
    confirm, handled = entries
    assert confirm.changes == {"status": ["pending", "confirmed"], "decision_reason": [None, "实质相同"],
                               "handling": [None, "pending"]}
    assert confirm.summary == f"申请 {planted['base'].application_no} 认定为非正常专利申请：实质相同"
    assert handled.changes["handling"] == ["pending", "corrected"] and handled.changes["handling_note"] == [None, "已整改"]
    assert handled.changes["handled_on"][0] is None and handled.summary.endswith("处理完成：已整改")


def test_hidden_cases_are_404_like_missing_ones(client, db, planted, queue, users):
    own = queue[planted["burst"][0].id]  # 滨海新区, the district user's own
    other = queue[planted["base"].id]  # 西青
    headers = bearer(client, "district_staff_user")
    missing = client.get("/api/screening/cases/999999", headers=headers)
    hidden = client.get(f"/api/screening/cases/{other}", headers=headers)
    assert missing.status_code == hidden.status_code == 404 and missing.json() == hidden.json()
    assert hidden.json()["detail"] == "审查案件不存在"
    assert client.get(f"/api/screening/cases/{own}", headers=headers).json()["flags"]
    response = client.post(f"/api/screening/cases/{other}/handling", json={"handling": "withdrawn"}, headers=headers)
    assert response.status_code == 404
    # The city sees both.
    city = bearer(client, "bureau_staff_user")
    assert client.get(f"/api/screening/cases/{other}", headers=city).status_code == 200

    login(client, "district_staff_user")
    assert client.get(f"/screening/{other}").status_code == 404
    page = client.get(f"/screening/{own}")
    assert page.status_code == 200 and 'value="confirm"' in page.text and 'value="clear"' in page.text
    response = client.post(f"/screening/{other}/decision",
                           data={"decision": "clear", "reason": "误报", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 404
    queue_page = client.get("/screening", params={"status": "all"})
    assert planted["burst"][0].application_no in queue_page.text and planted["base"].application_no not in queue_page.text
    assert 'name="district"' not in queue_page.text  # no district filter for a district's own staff
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(client.get("/screening/export.xlsx").content)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {p.application_no for p in planted["burst"]}


def test_case_page_offers_the_steps_the_state_allows(client, db, planted, queue, users):
    case_id = queue[planted["base"].id]
    login(client, "bureau_staff_user")
    page = client.get(f"/screening/{case_id}")
    assert "审查结论" in page.text and 'name="handling"' not in page.text
    client.post(f"/screening/{case_id}/decision", data={"decision": "confirm", "reason": "实质相同",
                                                        "csrf_token": csrf_from(page.text)})
    page = client.get(f"/screening/{case_id}?message=confirm")
    assert "已认定为非正常专利申请" in page.text and 'name="decision"' not in page.text
    assert all(f'value="{v}"' in page.text for v in ("withdrawn", "rejected", "corrected"))
    bad = client.post(f"/screening/{case_id}/handling", data={"handling": "withdrawn", "handled_on": "2023-13-45",
                                                              "csrf_token": csrf_from(page.text)})
    assert bad.status_code == 422 and "处理完成日期：应为日期（如 2023-05-01）" in bad.text
    done = client.post(f"/screening/{case_id}/handling", follow_redirects=False,
                       data={"handling": "withdrawn", "csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    page = client.get(f"/screening/{case_id}")
    assert 'name="decision"' not in page.text and 'name="handling"' not in page.text and "申请人主动撤回" in page.text


@pytest.mark.parametrize("url, field", [
    ("/api/screening/cases?min_score=1e309", "最低分"),
    ("/api/screening/cases?min_score=101", "最低分"),
    ("/api/screening/cases?min_score=nan", "最低分"),
    ("/api/screening/cases?offset=-1", "起始位置"),
    ("/api/screening/cases?offset=99999999999999999999999", "起始位置"),
    ("/api/screening/cases?limit=100000", "每页条数"),
    ("/api/screening/cases?sign=nonsense", "异常情形"),
    ("/api/screening/cases/99999999999999999999999", "审查案件编号：不能大于"),
    ("/api/screening/cases/%D9%A1%D9%A2", "审查案件编号：应为整数"),  # Arabic-Indic digits
    ("/api/screening/cases/0", "审查案件编号：不能小于 1"),
])
def test_bad_numbers_on_the_api_are_422_in_chinese(client, users, url, field):
    response = client.get(url, headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422 and field in response.json()["detail"]


def test_bad_numbers_and_dates_in_forms_and_bodies_are_422_in_chinese(client, db, planted, queue, users):
    headers = bearer(client, "bureau_staff_user")
    case_id = queue[planted["base"].id]
    response = client.post("/api/screening/runs", json={"filed_from": "2023-13-45"}, headers=headers)
    assert response.status_code == 422 and "申请日起" in response.json()["detail"]
    response = client.post("/api/screening/runs", json={"dataset": "mixed"}, headers=headers)
    assert response.status_code == 422 and "数据类别" in response.json()["detail"]
    response = client.post(f"/api/screening/cases/{case_id}/handling",
                           json={"handling": "withdrawn", "handled_on": "99999-01-01"}, headers=headers)
    assert response.status_code == 422 and "处理完成日期" in response.json()["detail"]
    login(client, "bureau_staff_user")
    page = client.get("/screening?min_score=abc")
    assert page.status_code == 422 and "最低分：应为数字" in page.text
    page = client.get("/screening?offset=-5")
    assert page.status_code == 422 and "起始位置：不能小于 0" in page.text
    queue_page = client.get("/screening")
    response = client.post("/screening/runs", data={"filed_from": "2023-02-01", "filed_to": "2023-01-01",
                                                    "csrf_token": csrf_from(queue_page.text)})
    assert response.status_code == 422 and "申请日范围：结束日期不能早于开始日期" in response.text
    response = client.post("/screening/runs", data={"filed_from": "1e309", "csrf_token": csrf_from(queue_page.text)})
    assert response.status_code == 422 and "申请日起：应为日期" in response.text


def test_reviewing_twice_is_409_whatever_the_reason(client, db, planted, queue, users):
    headers = bearer(client, "bureau_staff_user")
    case_id = queue[planted["base"].id]
    client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "clear", "reason": "独立研发"}, headers=headers)
    response = client.post(f"/api/screening/cases/{case_id}/decision", json={"decision": "confirm"}, headers=headers)
    assert response.status_code == 409 and response.json()["detail"] == "审查结论：该申请已审查（已排除），不能重复审查"

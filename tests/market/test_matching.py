"""Demands (技术需求), hybrid matching with explanations, pushes (notices + .eml), reverse matching,
and the marketplace figures computed by the statistics engine changing as users act."""

from __future__ import annotations

import contextlib
import email
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.core.errors import DomainError, Forbidden, NotFound, TransitionError
from ipbureau.core.forms import validate
from ipbureau.enterprises.models import Enterprise
from ipbureau.market import demands, embeddings, matching, open_licences, pushes, stats
from ipbureau.market.enums import DemandStatus
from ipbureau.market.models import PatentEmbedding, Push
from ipbureau.market.schemas import DemandCreate, DemandUpdate, OpenLicenceCreate
from ipbureau.navigation.chains import chain_by_code
from ipbureau.notices.models import Notice
from ipbureau.stats import engine
from tests.conftest import bearer, csrf_from, login
from tests.market.test_market import _declare, _published, add_patent, add_user

TITLES = [
    ("一种锂离子电池隔膜及其制备方法", "H01M50/403", "本发明公开了一种锂离子电池隔膜，采用聚乙烯微孔膜涂覆陶瓷层，提高隔膜耐热性和电池安全性。"),
    ("一种混凝土搅拌运输车的清洗装置", "B28C5/42", "本实用新型涉及混凝土搅拌车罐体清洗，利用高压水流自动冲洗。"),
    ("基于深度学习的工业图像缺陷检测方法", "G06T7/00", "通过卷积神经网络识别产品表面划痕与污渍，实现质检自动化。"),
    ("一种中药提取物的制备工艺", "A61K36/00", "以黄芪为原料经乙醇回流提取、浓缩干燥得到提取物。"),
    ("一种光伏组件清扫机器人", "H02S40/10", "机器人沿光伏板导轨行走，滚刷清除灰尘，提高发电效率。"),
]
DEMAND_TEXT = "我司生产动力电池，需要提高锂电池隔膜耐热性的涂覆技术，防止热失控"


@pytest.fixture
def buyer(db):
    ent = Enterprise(credit_code="91120000MA05N5L64B", name="天津需求方电池有限公司", district_code="120116",
                     industry_chain=None)
    db.add(ent)
    db.commit()
    return ent


@pytest.fixture
def buyer_user(db, buyer):
    return add_user(db, "buyer_ent", "需求方", enterprise=buyer)


@pytest.fixture
def offer(db, users, enterprise):
    """Five published listings of the test enterprise's patents (the first is the relevant one)."""
    patents = []
    for title, ipc, abstract in TITLES:
        patent = add_patent(db, enterprise, title=title, ipc=ipc)
        patent.abstract = abstract
        patents.append(patent)
    db.flush()
    listings = [_published(db, users, enterprise, kind="transfer", licence_type=None, patents=[p]) for p in patents]
    matching.forget_index()
    return patents, listings


def _embed_now(db):
    """What the background job does after a commit (rolled-back tests commit only savepoints, so it does not run):
    the vectors of the offer and of the open demands."""
    return embeddings.embed_missing(lambda: contextlib.nullcontext(db))


def _post(db, user, text=DEMAND_TEXT, **kwargs):
    values = {"description": text, "title": "锂电池隔膜耐热涂覆技术", "budget_yuan": "500000", "region": "天津市",
              "contact_email": "buyer@example.cn", **kwargs}
    return demands.create_demand(db, user, validate(DemandCreate, values))


# ---- demands ----------------------------------------------------------------------------------------

def test_demand_post_edit_close_with_audit(db, users, buyer_user):
    demand = _post(db, buyer_user)
    assert demand.status == DemandStatus.OPEN and demand.budget_yuan == 500000 and demand.enterprise_id == buyer_user.enterprise_id
    demands.update_demand(db, buyer_user, demand.id, DemandUpdate(
        description=DEMAND_TEXT + "，量产可用", budget_yuan="600000",
        industry_chain="ic05" if chain_by_code("ic05", db) else None))
    assert demand.budget_yuan == 600000
    # Another enterprise does not see the demand at all: 404, not 403.
    with pytest.raises(NotFound):
        demands.close_demand(db, users["enterprise"], demand.id)
    demands.close_demand(db, buyer_user, demand.id)
    with pytest.raises(TransitionError, match="^状态：已关闭的技术需求不能关闭$"):
        demands.close_demand(db, buyer_user, demand.id)
    with pytest.raises(TransitionError, match="^状态：已关闭的技术需求不能修改$"):
        demands.update_demand(db, buyer_user, demand.id, DemandUpdate(description=DEMAND_TEXT))
    db.commit()
    actions = db.scalars(select(AuditLog.action).where(AuditLog.entity_type == "market_demand")
                         .order_by(AuditLog.id)).all()
    assert actions == ["market.demand.create", "market.demand.update", "market.demand.close"]
    assert db.scalar(select(AuditLog).where(AuditLog.action == "market.demand.update")).changes["budget_yuan"] == [
        "500000.00", "600000.00"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"description": ""}, "需求描述：不能为空"),
    ({"description": "   "}, "需求描述：不能为空"),
    ({"description": "要电池"}, "需求描述：请至少用 10 个字说明所需技术"),
    ({"budget_yuan": "-1"}, "预算：不能小于 0"),
    ({"budget_yuan": "很多"}, "预算：应为数字"),
    ({"industry_chain": "nochain"}, "所属产业链：“nochain”无效"),
    ({"contact_email": "not-an-address"}, "联系邮箱：“not-an-address”格式不正确"),
])
def test_demand_bad_input_exact_messages(db, buyer_user, changes, message):
    with pytest.raises(DomainError) as exc_info:
        _post(db, buyer_user, **changes)
    assert str(exc_info.value).startswith(message)


def test_demand_roles(db, users, buyer, buyer_user):
    with pytest.raises(Forbidden):
        _post(db, users["public"])
    with pytest.raises(Forbidden):
        _post(db, users["district_staff"])
    with pytest.raises(DomainError, match="^需求企业：代为办理时请选择企业$"):
        _post(db, users["bureau_staff"])
    on_behalf = demands.create_demand(db, users["bureau_staff"], DemandCreate(description=DEMAND_TEXT,
                                                                              enterprise_id=buyer.id))
    own = _post(db, buyer_user)
    db.commit()
    assert {d.id for d in demands.demands_of(db, buyer_user)} == {on_behalf.id, own.id}
    assert demands.demands_of(db, users["enterprise"]) == []  # another enterprise sees none of them
    assert {d.id for d in demands.demands_of(db, users["admin"])} == {on_behalf.id, own.id}
    assert {d.id for d in demands.demands_of(db, users["district_staff"])} == {on_behalf.id, own.id}  # 滨海新区
    assert demands.demands_of(db, users["public"]) == []


# ---- matching -----------------------------------------------------------------------------------------

def test_matching_ranks_the_planted_patent_first_and_explains(db, users, buyer_user, offer):
    patents, _ = offer
    demand = _post(db, buyer_user)
    assert _embed_now(db) == {"技术需求": 1, "专利": len(patents)}
    matches = matching.match_demand(db, demand)
    assert matches and matches[0].candidate.patent_id == patents[0].id
    top = matches[0]
    assert "隔膜" in top.shared_terms and "耐热性" in top.shared_terms
    assert top.cosine > max(m.cosine for m in matches[1:])
    assert any(r.startswith("共同关键词：") and "隔膜" in r for r in top.reasons)
    assert top.reasons[-1].startswith("语义相似度 ")
    assert top.same_district  # holder and buyer both in 滨海新区
    assert "<mark>隔膜</mark>" in str(top.highlighted_title())
    # Vectors are stored per patent (computed once, after the listing's commit) and keyed by text hash.
    assert db.scalar(select(func.count()).select_from(PatentEmbedding)) == len(patents)
    assert _embed_now(db) == {"技术需求": 0, "专利": 0}


def test_matching_signals_ipc_of_the_buyers_own_patents(db, users, buyer, buyer_user, offer):
    patents, _ = offer
    add_patent(db, buyer, title="电池模组散热结构", ipc="H01M50/409")  # the buyer's own portfolio: H01M50
    demand = _post(db, buyer_user)
    top = matching.match_demand(db, demand)[0]
    assert top.candidate.patent_id == patents[0].id and top.same_groups == ["H01M50"]
    assert "同一 IPC 大组：H01M50" in top.reasons


def test_open_licence_patents_are_candidates_and_own_patents_excluded(db, users, enterprise, buyer, buyer_user):
    own = add_patent(db, buyer, title="一种锂电池隔膜涂覆浆料", ipc="H01M50/40")
    declared = add_patent(db, enterprise, title="耐高温锂电池隔膜", ipc="H01M50/40")
    _declare(db, users, declared)
    open_licences.declare_open_licence(db, buyer_user, OpenLicenceCreate(patent=own.application_no, fee_amount="0",
                                                                        fee_basis="lump_sum", payment_method="转账"))
    db.commit()
    demand = _post(db, buyer_user)
    ids = [m.candidate.patent_id for m in matching.match_demand(db, demand)]
    assert ids == [declared.id]


def test_reverse_matching_finds_the_enterprise_with_a_fitting_demand(db, users, buyer, buyer_user, offer):
    patents, _ = offer
    _post(db, buyer_user)
    db.commit()
    _embed_now(db)
    found = matching.match_enterprises(db, patents[0])
    assert found[0].enterprise.id == buyer.id and found[0].demand is not None
    assert found[0].cosine is not None  # the demand's and the patent's stored vectors
    assert any("隔膜" in r for r in found[0].reasons)
    # Profile only: an enterprise with patents in the same IPC subclass and no demand ranks lower, explained.
    peer = Enterprise(credit_code="91120000MA05N5L65X", name="天津同类专利企业", district_code="120101")
    db.add(peer)
    db.flush()
    add_patent(db, peer, title="隔膜卷绕设备", ipc="H01M50/409")
    db.commit()
    found = matching.match_enterprises(db, patents[0])
    by_id = {m.enterprise.id: m for m in found}
    assert found[0].enterprise.id == buyer.id and peer.id in by_id
    assert "企业自有专利同类 IPC：H01M50" in by_id[peer.id].reasons
    assert all(m.enterprise.id != patents[0].applicants[0].enterprise_id for m in found)  # the holder is not a match


# ---- push -----------------------------------------------------------------------------------------------

def test_push_creates_notice_eml_and_push_record(db, users, buyer, buyer_user, offer, test_env):
    patents, listings = offer
    demand = _post(db, buyer_user)
    # An enterprise does not push: not even its own demand's matches (403); another's demand it does not see.
    with pytest.raises(Forbidden):
        pushes.push_demand_matches(db, buyer_user, demand.id, [patents[0].id])
    with pytest.raises(Forbidden):
        pushes.push_demand_matches(db, users["enterprise"], demand.id, [patents[0].id])
    with pytest.raises(DomainError, match="^推送专利：请至少选择一项$"):
        pushes.push_demand_matches(db, users["bureau_staff"], demand.id, [])
    unlisted = add_patent(db, db.get(Enterprise, users["enterprise"].enterprise_id))
    with pytest.raises(DomainError, match=f"^推送专利：编号为 {unlisted.id} 的专利不在挂牌或开放许可中，不能推送$"):
        pushes.push_demand_matches(db, users["bureau_staff"], demand.id, [unlisted.id])
    outbox = Path(test_env["IPBUREAU_DATA_DIR"]) / "outbox"
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    push = pushes.push_demand_matches(db, users["bureau_staff"], demand.id, [patents[0].id, patents[2].id])
    db.commit()
    assert push.enterprise_id == buyer.id and {p.id for p in push.patents} == {patents[0].id, patents[2].id}
    notice = db.get(Notice, push.notice_id)
    assert notice.enterprise_id == buyer.id and notice.link == f"/market/demands/{demand.id}"
    assert patents[0].application_no in notice.body
    new = set(outbox.glob("*.eml")) - before
    assert len(new) == 1
    message = email.message_from_bytes(new.pop().read_bytes(), policy=email.policy.default)
    assert message["To"] == "buyer@example.cn" and "技术需求匹配结果" in message["Subject"]
    assert patents[0].application_no in message.get_content()
    assert db.scalar(select(AuditLog.action).where(AuditLog.entity_type == "market_push")) == "market.push.create"
    # Reverse push: a patent to candidate enterprises.
    sent = pushes.push_patent(db, users["district_staff"], patents[0].id, [buyer.id])
    with pytest.raises(DomainError, match="^推送企业：天津测试科技有限公司是该专利的专利权人$"):
        pushes.push_patent(db, users["bureau_staff"], patents[0].id, [listings[0].holder_enterprise_id])
    demands.close_demand(db, buyer_user, demand.id)
    with pytest.raises(TransitionError, match="^状态：已关闭的技术需求不能推送$"):
        pushes.push_demand_matches(db, users["bureau_staff"], demand.id, [patents[0].id])
    db.commit()
    assert len(sent) == 1 and db.scalar(select(func.count()).select_from(Push)) == 2


def test_notices_page_unread_count_and_mark_read(client, db, users, buyer, buyer_user, offer):
    patents, _ = offer
    demand = _post(db, buyer_user)
    pushes.push_demand_matches(db, users["bureau_staff"], demand.id, [patents[0].id])
    db.commit()
    login(client, "buyer_ent")
    page = client.get("/notices")
    assert page.status_code == 200 and "技术需求匹配结果" in page.text and 'id="unread-badge">1<' in page.text
    api = client.get("/api/notices", headers=bearer(client, "buyer_ent")).json()
    assert api["unread"] == 1
    notice_id = api["items"][0]["id"]
    other = client.get("/api/notices", headers=bearer(client, "enterprise_user")).json()
    assert other["unread"] == 0 and other["items"] == []
    response = client.post(f"/notices/{notice_id}/read", data={"csrf_token": csrf_from(page.text)}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/market/demands/{demand.id}"
    assert "unread-badge" not in client.get("/notices").text
    assert client.post(f"/api/notices/{notice_id}/read", headers=bearer(client, "enterprise_user")).status_code == 404


# ---- statistics --------------------------------------------------------------------------------------------

def test_indicators_and_stats_page_change_as_users_act(client, db, users, buyer, buyer_user, enterprise):
    year = date.today().year
    assert engine.compute(db, "market_demands_posted", year).value in (None, 0)
    patent = add_patent(db, enterprise, title="一种锂离子电池隔膜", ipc="H01M50/403")
    _published(db, users, enterprise, kind="transfer", licence_type=None, patents=[patent])
    demand = _post(db, buyer_user)
    _post(db, buyer_user, title="第二项需求")
    pushes.push_demand_matches(db, users["bureau_staff"], demand.id, [patent.id])
    pushes.push_patent(db, users["bureau_staff"], patent.id, [buyer.id])  # same enterprise: counted once
    db.commit()
    assert engine.compute(db, "market_demands_posted", year).value == 2
    assert engine.compute(db, "market_smes_pushed", year).value == 1
    assert [v.value for v in engine.by_district(db, "market_smes_pushed", year) if v.district_code == "120116"] == [1]
    figures = stats.market_stats(db, year)
    assert (figures.listed, figures.demands, figures.smes_pushed, figures.patents_counted, figures.target) == (1, 2, 1, 1, 1000)
    login(client, "bureau_staff_user")
    page = client.get("/market/stats")
    assert page.status_code == 200 and 'id="fig-demands">2<' in page.text and 'id="fig-pushed">1<' in page.text
    assert "<svg" in page.text and "目标 1000 件" in page.text
    _post(db, buyer_user, title="第三项需求")
    db.commit()
    assert 'id="fig-demands">3<' in client.get("/market/stats").text
    export = client.get(f"/market/stats.xlsx?year={year}")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(export.content))
    rows = {r[0]: r[1] for r in book["汇总"].iter_rows(min_row=3, values_only=True) if r and r[0]}
    assert rows["技术需求发布数"] == 3 and rows["企业匹配推送数"] == 1
    assert client.get("/market/stats.xlsx", headers=bearer(client, "public_user")).status_code in (401, 403)


# ---- HTTP -------------------------------------------------------------------------------------------------

def test_demand_pages_and_api(client, db, users, buyer, buyer_user, offer):
    patents, listings = offer
    headers = bearer(client, "buyer_ent")
    response = client.post("/api/market/demands", headers=headers, json={"description": DEMAND_TEXT, "budget_yuan": -5})
    assert response.status_code == 422 and response.json()["detail"] == "输入有误：预算：不能小于 0"
    response = client.post("/api/market/demands", headers=headers, json={"description": ""})
    assert response.status_code == 422 and response.json()["detail"] == "需求描述：不能为空"
    created = client.post("/api/market/demands", headers=headers,
                          json={"description": DEMAND_TEXT, "title": "隔膜需求", "contact_email": "a@b.cn"}).json()
    matches = client.get(f"/api/market/demands/{created['id']}/matches", headers=headers).json()["items"]
    assert matches[0]["patent"]["id"] == patents[0].id and "隔膜" in matches[0]["shared_terms"]
    assert client.get(f"/api/market/demands/{created['id']}", headers=bearer(client, "enterprise_user")).status_code == 404
    assert client.post(f"/api/market/demands/{created['id']}/push", headers=headers,
                       json={"patent_ids": [patents[0].id]}).status_code == 403
    staff = bearer(client, "bureau_staff_user")
    pushed = client.post(f"/api/market/demands/{created['id']}/push", headers=staff, json={"patent_ids": [patents[0].id]})
    assert pushed.status_code == 201 and pushed.json()["email_to"] == "a@b.cn"
    reverse = client.get(f"/api/market/patents/{patents[0].id}/matches", headers=staff).json()["items"]
    assert reverse[0]["enterprise"]["id"] == buyer.id
    assert client.get(f"/api/market/patents/{patents[0].id}/matches", headers=headers).status_code == 403
    closed = client.post(f"/api/market/demands/{created['id']}/close", headers=headers)
    assert closed.json()["status"] == "closed"
    again = client.post(f"/api/market/demands/{created['id']}/close", headers=headers)
    assert again.status_code == 409 and again.json()["detail"] == "状态：已关闭的技术需求不能关闭"

    login(client, "buyer_ent")
    page = client.get("/market/demands")
    assert page.status_code == 200 and "隔膜需求" in page.text
    bad = client.post("/market/demands", data={"csrf_token": csrf_from(page.text), "description": "短"})
    assert bad.status_code == 422 and "需求描述：请至少用 10 个字说明所需技术" in bad.text
    ok = client.post("/market/demands", data={"csrf_token": csrf_from(page.text), "description": DEMAND_TEXT,
                                             "title": "页面需求"}, follow_redirects=False)
    assert ok.status_code == 303
    detail = client.get(ok.headers["location"])
    # Until the background job (after the commit) has stored the demand's vector, its terms rank, and it says so.
    assert "<mark>隔膜</mark>" in detail.text and "共同关键词" in detail.text
    assert "需求的语义向量尚在后台计算，本次仅按关键词" in detail.text and "语义相似度" not in detail.text
    _embed_now(db)
    detail = client.get(ok.headers["location"])
    assert "语义相似度" in detail.text and "尚在后台计算" not in detail.text
    assert f"/market/listings/{listings[0].id}" in detail.text


def test_open_licence_detail_page_and_accept(client, db, users, enterprise, buyer_user):
    patent = add_patent(db, enterprise, title="开放许可的专利")
    declaration = open_licences.declare_open_licence(db, users["enterprise"], OpenLicenceCreate(
        patent=patent.application_no, fee_amount="3", fee_basis="sales_percent", payment_method="按季度银行转账",
        term_end=date(date.today().year + 3, 12, 31)))
    db.commit()
    login(client, "buyer_ent")
    page = client.get(f"/market/open-licences/{declaration.id}")
    assert page.status_code == 200 and "按销售额提成（%）" in page.text and "按季度银行转账" in page.text
    assert 'id="accept-button"' in page.text
    response = client.post(f"/market/open-licences/{declaration.id}/accept", data={"csrf_token": csrf_from(page.text)},
                           follow_redirects=False)
    assert response.headers["location"] == f"/market/open-licences/{declaration.id}?message=accepted"
    page = client.get(response.headers["location"])
    assert "已取得开放许可" in page.text and "天津需求方电池有限公司" in page.text
    api = client.get(f"/api/market/open-licences/{declaration.id}", headers=bearer(client, "public_user")).json()
    assert api["fee_basis"] == "sales_percent" and api["payment_method"] == "按季度银行转账"
    assert client.get(f"/market/open-licences/{declaration.id}").status_code == 200


# ---- demo ------------------------------------------------------------------------------------------------------

def test_demo_load_and_delete_including_ui_rows(db, users, monkeypatch):
    from ipbureau.demo import generator
    from ipbureau.demo.generator import delete_demo, load_demo
    from ipbureau.market.models import Deal, Demand, Listing, OpenLicence, Pledge

    # Only this module's hooks: the other areas' demo modules are tested by their own suites.
    monkeypatch.setattr(generator, "DOMAIN_DEMO_MODULES", ("ipbureau.market.demo",))
    summary = load_demo(patents=2000, enterprises=300, session=db)
    assert "交易运营：挂牌" in summary
    counts = {model.__name__: db.scalar(select(func.count()).select_from(model))
              for model in (Listing, OpenLicence, Deal, Pledge, Demand, Push, Notice)}
    assert counts["Listing"] > 50 and counts["Deal"] > 20 and counts["Demand"] == 150 and counts["Push"] > 0
    year = date.today().year
    assert engine.compute(db, "market_demands_posted", year, dataset="demo").value is not None
    assert engine.compute(db, "market_smes_pushed", year - 1, dataset="demo").value is not None
    demo_user = db.scalar(select(users["enterprise"].__class__).where(users["enterprise"].__class__.username == "demo-enterprise"))
    assert db.scalar(select(func.count()).select_from(Demand).where(Demand.enterprise_id == demo_user.enterprise_id)) >= 1
    # A row a user made in the UI on a demo enterprise goes too.
    demands.create_demand(db, demo_user, DemandCreate(description=DEMAND_TEXT))
    db.commit()
    removed = delete_demo(db)
    db.commit()
    assert removed["market_demands"] == 151 and removed["market_listings"] == counts["Listing"]
    for model in (Listing, OpenLicence, Deal, Pledge, Demand, Push, Notice, PatentEmbedding):
        assert db.scalar(select(func.count()).select_from(model)) == 0


# ---- index building helpers -------------------------------------------------------------------------------

def test_chain_lookup_same_prefix_semantics_once_per_code():
    from ipbureau.navigation.chains import chains_for_ipc, default_chains

    lookup = matching.ChainLookup(default_chains())
    codes = ["H01M50/403", "G06F16/30", "A61K36/00", "B28C5/42", "G06T7/00"]
    for code in codes:
        assert lookup.of_code(code) == frozenset(c.code for c in chains_for_ipc(code)), code
    assert lookup.of_codes(codes) == frozenset().union(*(lookup.of_code(c) for c in codes))
    assert set(lookup._by_code) == set(codes)  # each distinct code looked up once, then cached


def test_embedding_text_is_title_plus_opening_clauses_within_the_limit():
    from ipbureau.market.embeddings import EMBED_CHARS, patent_embedding_text, shorten
    from ipbureau.market.embeddings import patent_text as cut

    def patent_text(title, abstract):
        return cut(title, abstract, 64)

    text = patent_text("一种锂离子电池隔膜", "本发明公开了一种锂离子电池隔膜，采用聚乙烯微孔膜涂覆陶瓷层，提高隔膜耐热性和电池安全性。"
                       "所述陶瓷层厚度为2至4微米，所述聚乙烯微孔膜孔隙率为百分之四十。")
    assert text.startswith("一种锂离子电池隔膜，采用聚乙烯微孔膜涂覆陶瓷层") and len(text) <= EMBED_CHARS
    assert text.count("锂离子电池隔膜") == 1 and "本发明" not in text
    assert patent_text("标题", None) == "标题" and patent_text(None, "摘要第一句。第二句") == "摘要第一句，第二句"
    # The stored text is the whole one (e5's input limit); the short view is cut from it the same way.
    abstract = ("本发明公开了一种锂离子电池隔膜，采用聚乙烯微孔膜涂覆陶瓷层，提高隔膜耐热性和电池安全性。"
                "所述陶瓷层厚度为2至4微米，所述聚乙烯微孔膜孔隙率为百分之四十，用于动力电池和储能电池的隔膜。")
    full = patent_embedding_text("一种锂离子电池隔膜", abstract)
    assert full.endswith("用于动力电池和储能电池的隔膜") and len(full) <= EMBED_CHARS
    assert shorten(full, 64) == patent_text("一种锂离子电池隔膜", abstract) and len(shorten(full, 64)) <= 64

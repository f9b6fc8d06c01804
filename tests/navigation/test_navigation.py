"""Patent navigation: chain edits (validation, audit, effect), assignment explanation, the report
(figures equal direct counts, empty chain, Word export), projects and the indicator, roles."""

from __future__ import annotations

import io
from datetime import date
from itertools import count

import pytest
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.core.errors import Conflict, DomainError, Forbidden
from ipbureau.navigation import assignment, report, service
from ipbureau.navigation.chains import chain_by_code, chains_for_ipc, default_chains, load_chains
from ipbureau.navigation.models import NavigationProject
from ipbureau.navigation.schemas import ChainUpdate, ProjectCreate, SegmentData
from ipbureau.patents.models import Patent, PatentApplicant, PatentIpc
from ipbureau.patents.numbers import make_application_no
from tests.conftest import bearer, csrf_from, login

_serial = count(1)
BINHAI, XIQING = "120116", "120111"


def add_patent(db, *, ipc=("G06F21/60",), title="测试专利", abstract="", filed=date(2022, 3, 1), granted=None,
               province="12", district=BINHAI, applicants=("天津甲科技有限公司",), inventors=("张三",),
               dataset="real", citations=0, family=None, status="pending", patent_type="invention") -> Patent:
    n = next(_serial)
    patent = Patent(application_no=make_application_no(filed.year, 1, 900000 + n), patent_type=patent_type,
                    title=title, abstract=abstract, province_code=province, district_code=district, filing_date=filed,
                    grant_date=granted, legal_status=status, dataset=dataset, citation_count=citations,
                    family_size=family, inventors=list(inventors), record_hash=f"{n:064d}",
                    ipc_main=ipc[0] if ipc else None)
    patent.ipc_codes = [PatentIpc(position=i, code=c, subclass=c[:4]) for i, c in enumerate(ipc)]
    patent.applicants = [PatentApplicant(position=i, name=a) for i, a in enumerate(applicants)]
    db.add(patent)
    db.flush()
    return patent


def xinchuang_edit(**changes) -> ChainUpdate:
    chain = chain_by_code("xinchuang")
    data = {"name": chain.name, "ipc": list(chain.ipc_prefixes), "keywords": list(chain.keywords),
            "segments": [SegmentData(name=s.name, ipc=list(s.ipc_prefixes), keywords=list(s.keywords))
                         for s in chain.segments]}
    data.update(changes)
    return ChainUpdate(**data)


@pytest.fixture(autouse=True)
def _fresh_report_cache():
    report.clear_cache()
    yield
    report.clear_cache()


# --- chain definitions ---------------------------------------------------------------------------


def test_defaults_are_the_yaml_and_the_old_api_still_works(db):
    assert [c.code for c in load_chains()] == [c.code for c in default_chains()]
    assert len(load_chains()) == 12
    assert chain_by_code("jicheng_dianlu").name == "集成电路"
    assert "xinchuang" in [c.code for c in chains_for_ipc("G06F21/60")]


@pytest.mark.parametrize("change, message", [
    ({"name": "  "}, "产业链名称不能为空"),
    ({"ipc": ["G06F", "G6F"]}, "产业链的 IPC 前缀“G6F”格式不正确（应如 G06F、G06F21/00 或 G06F21/60）"),
    ({"ipc": ["H01L"]}, "产业链的 IPC 前缀“H01L”只见于 2020 版分类表，现行版已不再使用"),
    ({"ipc": ["G06F99/00"]}, "产业链的 IPC 前缀“G06F99/00”不在 IPC 分类表中"),
    ({"keywords": [" ", ""]}, "产业链的关键词不能为空"),
    ({"segments": []}, "至少需要一个细分环节"),
    ({"segments": [SegmentData(name="基础软件", ipc=["G06F9/00"], keywords=[])]}, "细分环节“基础软件”的关键词不能为空"),
    ({"segments": [SegmentData(name="基础软件", ipc=[], keywords=["内核"])]}, "细分环节“基础软件”至少需要一个 IPC 前缀"),
    ({"segments": [SegmentData(name="甲", ipc=["G06F"], keywords=["a"]), SegmentData(name="甲", ipc=["G06N"], keywords=["b"])]},
     "细分环节名称“甲”重复"),
])
def test_chain_edit_is_validated(db, users, change, message):
    with pytest.raises(DomainError) as error:
        service.save_chain(db, "xinchuang", xinchuang_edit(**change), actor=users["bureau_staff"])
    assert str(error.value) == message
    db.rollback()
    assert service.is_edited(db, "xinchuang") is None


@pytest.mark.committing  # a reader on a connection of its own (another process, the CLI) must see the commit
def test_chain_edit_is_audited_changes_assignment_and_reverts(db, users):
    robot = add_patent(db, ipc=("B25J9/16",), title="一种机械臂")
    db.commit()
    assert "xinchuang" not in [c.code for c in chains_for_ipc("B25J9/16")]
    edit = xinchuang_edit(ipc=["G06F", "G06N", "H04L", "G06Q", "B25J9/00"], keywords=["信息安全", "机械臂"])
    service.save_chain(db, "xinchuang", edit, actor=users["bureau_staff"])
    db.commit()
    # The cached load_chains() sees the committed edit (stamp check), and so do statistics and search.
    assert "B25J9/00" in chain_by_code("xinchuang").ipc_prefixes
    assert "xinchuang" in [c.code for c in chains_for_ipc("B25J9/16")]
    assert chain_by_code("xinchuang", db) == chain_by_code("xinchuang")  # on the caller's session, the same
    explained = assignment.explain(robot, [chain_by_code("xinchuang")])[0]
    assert explained.counted and explained.ipc_matches[0].prefix == "B25J9/00"
    assert [m.keyword for m in explained.keyword_matches] == ["机械臂"]
    model = report.build(db, "xinchuang", year_from=2022, year_to=2022)
    assert model.total == 1
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "navigation.chain.update"))
    assert entry.entity_id == "xinchuang" and entry.actor_name == "bureau_staff_user"
    assert entry.changes["ipc"][1][-1] == "B25J9/00" and "keywords" in entry.changes
    # A second save of the same definition changes nothing and is not audited again.
    service.save_chain(db, "xinchuang", edit, actor=users["bureau_staff"])
    db.commit()
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "navigation.chain.update")) == 1

    service.revert_chain(db, "xinchuang", actor=users["admin"])
    db.commit()
    assert chain_by_code("xinchuang") == next(c for c in default_chains() if c.code == "xinchuang")
    assert chain_by_code("xinchuang", db) == chain_by_code("xinchuang")
    assert report.build(db, "xinchuang", year_from=2022, year_to=2022).total == 0
    assert db.scalar(select(AuditLog.summary).where(AuditLog.action == "navigation.chain.revert")) == "产业链定义恢复为默认：信创"
    with pytest.raises(Conflict, match="未被修改过"):
        service.revert_chain(db, "xinchuang", actor=users["admin"])


def test_chain_edit_pages_and_api(client, db, users):
    login(client, "bureau_staff_user")
    page = client.get("/navigation/xinchuang/edit")
    assert page.status_code == 200 and "操作系统内核" in page.text
    form = {"csrf_token": csrf_from(page.text), "name": "信创", "ipc": "G06F, G06N", "keywords": "信息安全、数据库",
            "segments": "基础软件 | G06F9/00 | 操作系统内核、中间件\n信息安全 | G06F21/00 H04L9/00 | 数据加密"}
    bad = client.post("/navigation/xinchuang/edit", data={**form, "segments": "基础软件 | G06F9/00"})
    assert bad.status_code == 422 and "细分环节第 1 行应为“名称 | IPC 前缀 | 关键词”三栏" in bad.text
    saved = client.post("/navigation/xinchuang/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert [s.name for s in chain_by_code("xinchuang", db).segments] == ["基础软件", "信息安全"]

    headers = bearer(client, "admin_user")
    got = client.get("/api/navigation/chains/xinchuang", headers=headers).json()
    assert got["edited"] is True and got["ipc"] == ["G06F", "G06N"]
    body = {"name": "信创", "ipc": ["G06F"], "keywords": ["数据库"], "segments": [{"name": "基础软件", "ipc": ["X99"],
                                                                              "keywords": ["内核"]}]}
    bad = client.put("/api/navigation/chains/xinchuang", json=body, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["detail"] == "细分环节“基础软件”的 IPC 前缀“X99”格式不正确（应如 G06F、G06F21/00 或 G06F21/60）"
    assert client.put("/api/navigation/chains/nope", json=body, headers=headers).status_code == 404
    assert client.post("/api/navigation/chains/xinchuang/revert", headers=headers).json()["edited"] is False
    assert client.post("/api/navigation/chains/xinchuang/revert", headers=headers).status_code == 409


def test_roles(client, db, users):
    for role in ("district_staff", "bureau_staff", "admin"):
        headers = bearer(client, f"{role}_user")
        assert client.get("/api/navigation/chains", headers=headers).status_code == 200
    for role in ("enterprise", "public", "agency", "examiner"):
        headers = bearer(client, f"{role}_user")
        assert client.get("/api/navigation/chains/xinchuang/report", headers=headers).status_code == 403
    district = bearer(client, "district_staff_user")
    assert client.put("/api/navigation/chains/xinchuang", json={"name": "x"}, headers=district).status_code == 403
    assert client.post("/api/navigation/projects", json={}, headers=district).status_code == 403
    assert client.get("/api/navigation/chains").status_code == 401


# --- assignment ---------------------------------------------------------------------------------


def test_assignment_explains_ipc_keywords_and_segments(db):
    chain = chain_by_code("xinchuang")
    both = assignment.explain_codes(chain, ["G06F21/60", "A01B1/00"], "一种基于国密算法的数据加密方法", "")
    assert both.counted and both.basis == assignment.BASIS_BOTH
    assert [(m.code, m.prefix, m.segment) for m in both.ipc_matches] == [("G06F21/60", "G06F", None),
                                                                        ("G06F21/60", "G06F21/00", "信息安全")]
    assert {(m.keyword, m.field, m.segment) for m in both.keyword_matches} == {("数据加密", "名称", "信息安全"),
                                                                             ("国密算法", "名称", "信息安全")}
    assert both.segments == ["信息安全"] and both.segment_basis == "IPC"
    # Counted by a chain-level prefix only: the segment comes from the keywords.
    by_words = assignment.explain_codes(chain, ["G06F3/048"], "一种操作系统内核调度方法", "摘要")
    assert by_words.basis == assignment.BASIS_BOTH and by_words.segments == ["基础软件"]
    assert by_words.segment_basis == "关键词"
    # Keywords without an IPC match: a candidate, not counted.
    candidate = assignment.explain_codes(chain, ["A01B1/00"], "农机", "采用云计算平台调度农机")
    assert not candidate.counted and candidate.basis == assignment.BASIS_KEYWORDS
    assert [(m.keyword, m.field) for m in candidate.keyword_matches] == [("云计算", "摘要"), ("云计算平台", "摘要")]
    # jieba words, not substrings: 密码 is not in 密码子 (a codon), 主板 not in 主板块.
    assert not assignment.keyword_in("密码", assignment._words("遗传密码子的突变"))
    assert not assignment.keyword_in("主板", assignment._words("主板块轮动"))
    assert assignment.keyword_in("密码", assignment._words("一种密码验证方法"))


def test_assignment_panel_and_api(client, db, users):
    patent = add_patent(db, ipc=("G06F21/60",), title="一种数据加密方法")
    db.commit()
    login(client, "bureau_staff_user")
    page = client.get(f"/navigation/xinchuang?application_no={patent.application_no}")
    assert page.status_code == 200
    assert "计入信创产业链" in page.text and "G06F21/00" in page.text and "数据加密" in page.text
    missing = client.get("/navigation/xinchuang?application_no=CN000")
    assert "申请号“CN000”格式不正确" in missing.text
    api = client.get(f"/api/navigation/assignment?application_no={patent.application_no}",
                     headers=bearer(client, "district_staff_user")).json()
    assert api["assignments"][0]["chain_code"] == "xinchuang" and api["assignments"][0]["counted"] is True


# --- the report ----------------------------------------------------------------------------------


def _report_data(db):
    # Chain patents: two Tianjin (Binhai, Xiqing), one Beijing; one unrelated Tianjin patent; a demo one.
    a = add_patent(db, ipc=("G06F21/60",), filed=date(2021, 5, 1), granted=date(2022, 6, 1), status="valid",
                   applicants=("天津甲科技有限公司", "天津大学"), inventors=("张三", "李四"), citations=12, family=3)
    b = add_patent(db, ipc=("G06N3/08", "G06F9/50"), filed=date(2022, 5, 1), district=XIQING,
                   applicants=("天津甲科技有限公司",), inventors=("张三",))
    c = add_patent(db, ipc=("H04L9/32",), filed=date(2022, 7, 1), province="11", district=None,
                   applicants=("北京乙公司", "天津大学"), inventors=("王五",))
    unrelated = add_patent(db, ipc=("A01B1/00",), filed=date(2022, 7, 1), applicants=("天津农机厂",))
    demo = add_patent(db, ipc=("G06F21/60",), filed=date(2022, 7, 1), dataset="demo", applicants=("演示公司",))
    # Published late enough that 2021 and 2022 are complete under the publication-lag rule (18 months before
    # the newest publication date, stats.publication_lag), so growth and strengths/gaps are stated for them.
    unrelated.publication_date = demo.publication_date = date(2024, 7, 1)
    db.commit()
    return a, b, c


def test_report_figures_equal_direct_counts(db):
    a, b, c = _report_data(db)
    model = report.build(db, "xinchuang", dataset="real", year_from=2021, year_to=2022)
    f = model.figures
    assert (f["chain_total"], f["chain_tj"], f["dataset_total"], f["dataset_tj"]) == (3, 2, 4, 3)
    assert f["trends"]["chain_filed"] == [1, 2] and f["trends"]["chain_filed_tj"] == [1, 1]
    assert f["trends"]["chain_granted"] == [0, 1] and f["trends"]["dataset_filed"] == [1, 3]
    assert f["tj_share"] == pytest.approx(2 / 3) and f["tj_overall_share"] == pytest.approx(3 / 4)
    assert f["specialisation"] == pytest.approx((2 / 3) / (3 / 4))
    assert f["growth"] == pytest.approx(1.0)
    segments = {s["name"]: (s["all"], s["tj"]) for s in f["segments"]}
    assert segments["信息安全"] == (2, 1) and segments["基础软件"] == (1, 1) and segments["人工智能与大数据"] == (1, 1)
    assert {s["name"] for s in f["gaps"]} == {"信息安全"}
    assert {s["name"] for s in f["strengths"]} == {"基础软件", "人工智能与大数据"}
    assert {r["code"]: (r["all"], r["tj"]) for r in f["subclasses"]} == {"G06F": (2, 2), "G06N": (1, 1), "H04L": (1, 0)}
    assert f["applicants"][:2] == [{"name": "天津大学", "patents": 2, "inventions": 2},  # ties by name
                                   {"name": "天津甲科技有限公司", "patents": 2, "inventions": 2}]
    assert {r["name"] for r in f["applicants_tj"]} == {"天津甲科技有限公司", "天津大学"}
    assert f["inventors"][0] == {"name": "张三", "patents": 2}
    assert sorted(f["edges"]) == [("北京乙公司", "天津大学", 1), ("天津大学", "天津甲科技有限公司", 1)]
    assert f["nodes"][0] == ("天津大学", 2, 2)
    districts = {r["code"]: r for r in f["districts"]}
    assert districts[BINHAI]["chain"] == 1 and districts[BINHAI]["total"] == 2
    assert districts[XIQING]["specialisation"] == pytest.approx(1 / (3 / 4))
    # Score of a: 12 citations → 30, family 3 → 10, valid 25, no claims text → 0 = 65 (high value).
    assert f["high_value"] == {"all": 1, "tj": 1}
    assert f["high_value_top"][0]["application_no"] == a.application_no and f["high_value_top"][0]["score"] == 65.0
    # The demo patent never enters the real report, and vice versa.
    demo = report.build(db, "xinchuang", dataset="demo", year_from=2021, year_to=2022)
    assert demo.figures["chain_total"] == 1 and demo.figures["applicants"][0]["name"] == "演示公司"
    # Drill-down links carry the search's own filters.
    links = [cell.href for s in model.sections for blk in s.blocks if isinstance(blk, report.Table)
             for row in blk.rows for cell in row if isinstance(cell, report.Link)]
    assert "/search?chain=xinchuang&dataset=real&filing_from=2022-01-01&filing_to=2022-12-31&province_code=12" in links


def test_report_drilldown_matches_search(db):
    from ipbureau.search import service as search
    from ipbureau.search.models import PatentQuery

    _report_data(db)
    search.reindex_all(db)
    model = report.build(db, "xinchuang", dataset="real", year_from=2021, year_to=2022)
    found = search.search(db, PatentQuery(chain="xinchuang", dataset="real", province_code="12",
                                          filing_from=date(2021, 1, 1), filing_to=date(2022, 12, 31)), record=False)
    assert found.total == model.figures["chain_tj"]


def test_empty_chain_report_says_so(db, client, users):
    add_patent(db, ipc=("A01B1/00",))
    db.commit()
    model = report.build(db, "jicheng_dianlu", year_from=2020, year_to=2023)
    assert model.empty and "没有属于集成电路产业链的专利" in model.sections[-1].blocks[0].text
    data = report.to_docx(model)
    assert len(data) > 1000
    login(client, "bureau_staff_user")
    page = client.get("/navigation/jicheng_dianlu?dataset=real&year_from=2020&year_to=2023")
    assert page.status_code == 200 and "没有属于集成电路产业链的专利" in page.text
    # An empty database (no patents at all) too.
    assert client.get("/navigation/qiche").status_code == 200


def test_report_input_errors(client, db, users):
    login(client, "bureau_staff_user")
    assert client.get("/navigation/nope").status_code == 404
    bad = client.get("/navigation/xinchuang?year_from=2023&year_to=2020")
    assert bad.status_code == 422 and "起始年份不能晚于截止年份" in bad.text
    # Years are bounded route parameters: the kernel's 422 names the field in Chinese.
    bad = client.get("/navigation/xinchuang?year_from=abc")
    assert bad.status_code == 422 and "起始年份：应为整数" in bad.text
    headers = bearer(client, "bureau_staff_user")
    api = client.get("/api/navigation/chains/xinchuang/report?dataset=mixed", headers=headers)
    assert api.status_code == 422 and api.json()["detail"] == "数据类别应为 real 或 demo：mixed"


def test_word_export_opens_and_holds_the_figures(db, client, users):
    from docx import Document

    _report_data(db)
    model = report.build(db, "xinchuang", dataset="real", year_from=2021, year_to=2022)
    document = Document(io.BytesIO(report.to_docx(model)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "天津市信创产业链专利导航报告" in text
    assert "信创产业链专利申请 3 件" in text and "其中天津市 2 件" in text
    assert "天津甲科技有限公司" in cells and "信息安全" in cells and "短板" in cells
    assert len(document.inline_shapes) >= 3  # the charts, as pictures
    login(client, "district_staff_user")
    response = client.get("/navigation/xinchuang/export.docx?dataset=real&year_from=2021&year_to=2022")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert "天津市信创产业链专利导航报告" in "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)


def test_word_export_after_the_page_reuses_the_content_model(db, client, users, monkeypatch):
    _report_data(db)
    built = []
    original = report.build
    monkeypatch.setattr(report, "build", lambda *a, **k: built.append(a[1]) or original(*a, **k))
    login(client, "district_staff_user")
    query = "dataset=real&year_from=2021&year_to=2022"
    assert client.get(f"/navigation/xinchuang?{query}").status_code == 200
    assert client.get(f"/navigation/xinchuang/export.docx?{query}").status_code == 200
    assert built == ["xinchuang"]  # the export laid out the page's model
    add_patent(db, filed=date(2022, 5, 1))  # new data: a new stamp, so the report is computed again
    db.commit()
    assert client.get(f"/navigation/xinchuang/export.docx?{query}").status_code == 200
    assert built == ["xinchuang", "xinchuang"]


def test_report_page_and_api(client, db, users):
    _report_data(db)
    login(client, "district_staff_user")
    page = client.get("/navigation/xinchuang?dataset=real&year_from=2021&year_to=2022")
    assert page.status_code == 200
    assert '<svg' in page.text and 'id="fig-total">3<' in page.text and "申请人合作网络" in page.text
    assert "href=\"/search?chain=xinchuang&amp;dataset=real" in page.text
    api = client.get("/api/navigation/chains/xinchuang/report?dataset=real&year_from=2021&year_to=2022",
                     headers=bearer(client, "admin_user")).json()
    assert api["figures"]["chain_tj"] == 2 and api["sections"][0]["title"] == "一、产业链与检索口径"


# --- projects and the indicator -------------------------------------------------------------------


def test_projects_validation_and_indicator(db, users, client):
    from ipbureau.stats import service as stats

    staff = users["bureau_staff"]
    base = dict(chain_code="xinchuang", title="信创产业链专利导航报告", year=2022, client="滨海高新区",
                published_on=date(2023, 3, 1), district_code=BINHAI)
    for change, message in (({"chain_code": "nope"}, "产业链“nope”不存在"), ({"title": " "}, "报告名称不能为空"),
                            ({"client": ""}, "服务对象（企业、园区或产业基地）不能为空"),
                            ({"published_on": None}, "交付日期不能为空"),
                            ({"published_on": date(2099, 1, 1)}, "交付日期不能晚于今天"),
                            ({"year": 2024}, "报告年度应在 2000 到 2023 之间（不晚于交付年份）"),
                            ({"district_code": "999999"}, "所属区代码“999999”不存在")):
        with pytest.raises(DomainError) as error:
            service.create_project(db, ProjectCreate(**{**base, **change}), actor=staff)
        assert str(error.value) == message
    service.create_project(db, ProjectCreate(**base), actor=staff)
    service.create_project(db, ProjectCreate(**{**base, "published_on": date(2023, 9, 1)}), actor=staff)
    service.create_project(db, ProjectCreate(**{**base, "chain_code": "qiche", "district_code": None}), actor=staff)
    service.create_project(db, ProjectCreate(**{**base, "chain_code": "zhongyiyao", "published_on": date(2022, 5, 1),
                                            "year": 2021}), actor=staff)
    service.create_project(db, ProjectCreate(**{**base, "chain_code": "xincailiao", "dataset": "demo"}), actor=staff)
    db.commit()
    value = stats.compute(db, "navigation_chains_served", 2023, dataset="real")
    assert value.value == 2  # xinchuang twice, qiche: distinct chains
    assert stats.compute(db, "navigation_chains_served", 2022, dataset="real").value == 1
    assert stats.compute(db, "navigation_chains_served", 2023, dataset="demo").value == 1
    assert stats.compute(db, "navigation_chains_served", 2023, district_code=BINHAI, dataset="real").value == 1
    assert db.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "navigation.project.create")) == 5

    headers = bearer(client, "bureau_staff_user")
    created = client.post("/api/navigation/projects", headers=headers, json={
        "chain_code": "qinggong", "title": "轻工导航", "year": 2022, "client": "某园区", "published_on": "2023-02-01"})
    assert created.status_code == 201
    assert created.json()["chain_name"] == "轻工" and created.json()["figures"]["year_to"] == 2022
    assert client.post("/api/navigation/projects", headers=headers, json={**created.json(), "title": ""}).status_code == 422
    listed = client.get("/api/navigation/projects?chain=qinggong", headers=headers).json()
    assert [p["title"] for p in listed] == ["轻工导航"]
    assert client.delete(f"/api/navigation/projects/{created.json()['id']}", headers=headers).status_code == 204
    assert client.delete(f"/api/navigation/projects/{created.json()['id']}", headers=headers).status_code == 404


def test_project_form_on_report_page(client, db, users):
    login(client, "bureau_staff_user")
    page = client.get("/navigation/qiche?dataset=real&year_from=2020&year_to=2022")
    form = {"csrf_token": csrf_from(page.text), "chain_code": "qiche", "title": "汽车导航报告", "year": "2022",
            "client": "武清开发区", "district_code": "", "published_on": "2023-04-01", "dataset": "real",
            "back": "/navigation/qiche"}
    bad = client.post("/navigation/projects", data={**form, "published_on": "2023-13-01"})
    # The form is parsed into the API's schema: the kernel's date message, naming the field.
    assert bad.status_code == 422 and "交付日期：应为日期（如 2023-05-01）" in bad.text
    done = client.post("/navigation/projects", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/navigation/qiche?message=project"
    assert db.scalar(select(NavigationProject.client)) == "武清开发区"
    assert "汽车导航报告" in client.get("/navigation").text


@pytest.mark.heavy
def test_demo_hook(db, full_demo):
    # On the shared demo (conftest.full_demo): load_demo(patents=2000, enterprises=300), loaded once.
    projects = db.scalars(select(NavigationProject)).all()
    assert projects and all(p.dataset == "demo" for p in projects)
    years = {p.published_on.year for p in projects}
    assert {2022, 2023} <= years
    model = report.build(db, projects[0].chain_code, dataset="demo")
    assert model.total > 0
    from ipbureau.navigation.demo import delete_demo

    assert delete_demo(db)["navigation_projects"] == len(projects)


# --- browser ---------------------------------------------------------------------------------------


@pytest.mark.browser
def test_browser_opens_a_chain_report(db, users, live_server):
    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PASSWORD, _unavailable

    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    _report_data(db)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(base_url=live_server, locale="zh-CN")
            page.set_default_timeout(30_000)
            page.goto("/login")
            page.fill("input[name=username]", "bureau_staff_user")
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_url(f"{live_server}/")
            page.click("nav.mainnav a[href='/navigation']")
            page.click("#chains a[href='/navigation/xinchuang']")
            page.fill("#report-form input[name=year_from]", "2021")
            page.fill("#report-form input[name=year_to]", "2022")
            page.select_option("#report-form select[name=dataset]", "real")
            page.click("#report-form button[type=submit]")
            page.wait_for_selector("#fig-total")
            assert page.inner_text("#fig-total") == "3"
            assert page.locator("svg.chart").count() >= 4
            assert page.locator("#network svg line.edge").count() == 2
            page.fill("#assignment input[name=application_no]", db.scalar(
                select(Patent.application_no).where(Patent.dataset == "real").order_by(Patent.id)))
            page.click("#assignment button[type=submit]")
            page.wait_for_selector("#explanation")
            assert "计入信创产业链" in page.inner_text("#explanation")
        finally:
            browser.close()


# --- the chain cache, projects' access, bounded input --------------------------------------------------------


def test_an_uncommitted_chain_edit_is_seen_by_its_own_session_only(db, users):
    default = next(c for c in default_chains() if c.code == "xinchuang")
    service.save_chain(db, "xinchuang", xinchuang_edit(keywords=["信息安全", "机械臂"]), actor=users["bureau_staff"])
    assert "机械臂" in chain_by_code("xinchuang", db).keywords  # the edit's own transaction reads it
    assert chain_by_code("xinchuang") == default  # nobody else does, and the shared cache does not hold it
    db.rollback()
    assert chain_by_code("xinchuang", db) == default and chain_by_code("xinchuang") == default
    # A committed edit reaches the readers of the same session through the cache, emptied by the commit.
    service.save_chain(db, "xinchuang", xinchuang_edit(keywords=["机械臂"]), actor=users["bureau_staff"])
    db.commit()
    assert chain_by_code("xinchuang", db).keywords == ("机械臂",)
    assert load_chains(db) is load_chains(db)  # served from the cache while the stamp holds


def test_projects_are_the_citys_and_only_city_staff_change_them(client, db, users):
    project = service.create_project(db, ProjectCreate(chain_code="xinchuang", title="信创导航", year=2022,
                                                       client="滨海高新区", published_on=date(2023, 3, 1),
                                                       district_code=XIQING), actor=users["bureau_staff"])
    db.commit()
    district = bearer(client, "district_staff_user")
    listed = client.get("/api/navigation/projects", headers=district).json()
    assert [p["id"] for p in listed] == [project.id]  # district staff read every district's projects
    assert client.delete(f"/api/navigation/projects/{project.id}", headers=district).status_code == 403
    with pytest.raises(Forbidden, match="您没有访问此功能的权限"):
        service.delete_project(db, project.id, actor=users["district_staff"])
    city = bearer(client, "bureau_staff_user")
    assert client.delete("/api/navigation/projects/999999", headers=city).json()["detail"] == "导航项目不存在"
    login(client, "district_staff_user")
    page = client.get("/navigation")
    assert page.status_code == 200 and "信创导航" in page.text
    assert "登记交付的导航报告" not in page.text and "/delete" not in page.text and "编辑定义" not in page.text


@pytest.mark.parametrize("url, field", [
    ("/api/navigation/chains/xinchuang/report?year_from=99999999999999999999999", "起始年份"),
    ("/api/navigation/chains/xinchuang/report?year_to=-1", "截止年份"),
    ("/api/navigation/chains/xinchuang/report?year_from=%D9%A1%D9%A2", "起始年份"),
    ("/api/navigation/chains/xinchuang/report?year_from=1e309", "起始年份"),
    ("/api/navigation/chains/xinchuang/report.docx?year_to=2101", "截止年份"),
    ("/api/navigation/projects?dataset=mixed", "数据类别"),
])
def test_bad_numbers_on_the_api_are_422_in_chinese(client, users, url, field):
    response = client.get(url, headers=bearer(client, "bureau_staff_user"))
    assert response.status_code == 422 and field in response.json()["detail"]


def test_bad_numbers_and_dates_in_bodies_and_forms_are_422_in_chinese(client, db, users):
    headers = bearer(client, "bureau_staff_user")
    base = {"chain_code": "qinggong", "title": "轻工导航", "year": 2022, "client": "某园区", "published_on": "2023-02-01"}
    for change, field in (({"year": "1e309"}, "报告年度"), ({"year": 99999999999999999999}, "报告年度"),
                          ({"published_on": "2023-13-45"}, "交付日期"), ({"published_on": "9999-01-01"}, "交付日期")):
        response = client.post("/api/navigation/projects", json={**base, **change}, headers=headers)
        assert response.status_code == 422 and field in response.json()["detail"], change
    for url in ("/api/navigation/projects/0", "/api/navigation/projects/99999999999999999999999"):
        response = client.delete(url, headers=headers)
        assert response.status_code == 422 and "导航项目编号" in response.json()["detail"]
    login(client, "bureau_staff_user")
    page = client.get("/navigation/xinchuang?year_to=%D9%A1")
    assert page.status_code == 422 and "截止年份：应为整数" in page.text
    index = client.get("/navigation")
    bad = client.post("/navigation/projects", data={**base, "year": "二〇二二", "csrf_token": csrf_from(index.text)})
    assert bad.status_code == 422 and "报告年度：应为整数" in bad.text
    assert db.scalar(select(func.count()).select_from(NavigationProject)) == 0

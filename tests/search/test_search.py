"""Patent search: ranking, every filter, paging, highlighting, index upkeep, export, API and page."""

from __future__ import annotations

import csv
import io
import shutil

import openpyxl
import pytest
from sqlalchemy import select, update

from ipbureau.enums import Dataset
from ipbureau.patents.flows import import_patents
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import make_application_no
from ipbureau.search import service
from ipbureau.search.models import SearchUsage
from ipbureau.search.schemas import PatentQuery
from ipbureau.search.usage import discard_pending, flush_usage
from tests.conftest import bearer, login

HEADER = "申请号,名称,摘要,申请日,分类号,申请人,所属区,法律状态,授权公告日,公开（公告）号"

APP_IMAGE = make_application_no(2021, 1, 1)
APP_MIXER = make_application_no(2021, 2, 2)
APP_CAMERA = make_application_no(2022, 1, 3)
APP_BOX = make_application_no(2020, 3, 4)
APP_DEMO = make_application_no(2023, 1, 5)


def _rows(image_title: str = "Photodetector array for image sensors") -> list[str]:
    return [
        f"{APP_IMAGE},{image_title},An image sensor that reduces noise in low light,2021-03-01,H04N5/225,"
        f"天津光电科技有限公司,滨海新区,有权,2022-05-10,CN112000001B",
        f"{APP_MIXER},一种混凝土搅拌装置,本实用新型公开了一种混凝土搅拌装置，搅拌均匀,2021-06-01,B28C5/00,"
        f"天津建材集团有限公司,和平区,实质审查,,",
        f"{APP_CAMERA},Wireless camera module,Camera module transmitting image data over a wireless link,2022-01-15,"
        f"H04N7/18,北京视觉有限公司,,未缴年费终止,2023-02-01,",
        f"{APP_BOX},包装盒,用于<礼品>包装的盒子 & 配件,2020-08-08,,天津包装有限公司,南开区,有权,2021-01-05,",
    ]


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode("utf-8")


@pytest.fixture(autouse=True)
def _no_usage_from_earlier_tests():
    """Usage counts wait in a buffer of the process until written: each test counts only its own."""
    discard_pending()
    yield
    discard_pending()


@pytest.fixture
def own(db):
    """Four hand-made records covering each filter value, plus one demo record."""
    rows = [*_rows(), f"{APP_DEMO},演示用图像处理方法,演示摘要,2023-03-03,G06T5/00,演示企业,滨海新区,审中,,"]
    import_patents(db, _csv(rows), "own.csv")
    ids = {p.application_no: p.id for p in db.scalars(select(Patent))}
    # One import instead of two (each loads the IPC scheme): mark the demo row, then re-index it.
    db.execute(update(Patent).where(Patent.id == ids[APP_DEMO]).values(dataset=Dataset.DEMO.value))
    db.commit()
    service.index_patents(db, [ids[APP_DEMO]])
    return ids


@pytest.fixture
def sipo(db, sipo_sample):
    import_patents(db, sipo_sample, "sipo.xlsx")
    return db


def _apps(db, **fields) -> set[str]:
    page = service.search(db, PatentQuery(**fields), page_size=100)
    assert page.total == len(page.hits)
    return {h.application_no for h in page.hits}


def test_chinese_query_ranks_title_matches_first(sipo):
    page = service.search(sipo, PatentQuery(q="减振器"))
    assert 0 < page.total < 199
    assert "减振器" in page.hits[0].title
    assert page.hits[0].score >= page.hits[-1].score > 0
    # Two words OR'ed, with documents matching both ranked above those matching one.
    both = service.search(sipo, PatentQuery(q="混凝土 轨枕"), page_size=100)
    either = {h.id for h in service.search(sipo, PatentQuery(q="混凝土"), page_size=100).hits}
    assert both.total >= len(either)
    assert "混凝土" in both.hits[0].title and "轨枕" in both.hits[0].title


def test_application_and_publication_numbers_match_exactly(sipo):
    page = service.search(sipo, PatentQuery(q="cn 201220249771.0"))
    assert page.total == 1 and page.hits[0].application_no == "CN201220249771.0"
    page = service.search(sipo, PatentQuery(q="CN202644312U"))
    assert page.total == 1 and page.hits[0].application_no == "CN201220249767.4"
    assert service.search(sipo, PatentQuery(q="CN209999999U")).total == 0


def test_english_query_is_case_insensitive(db, own):
    page = service.search(db, PatentQuery(q="Image SENSOR"))
    assert page.hits[0].application_no == APP_IMAGE
    # Highlighting marks the words wherever they occur, inside "sensors" too.
    assert page.hits[0].title_highlight == "Photodetector array for <mark>image</mark> <mark>sensor</mark>s"
    assert _apps(db, q="Image SENSOR") == {APP_IMAGE, APP_CAMERA}
    assert _apps(db, q="wireless") == {APP_CAMERA}
    assert _apps(db, q="NOISE") == {APP_IMAGE}


def test_each_filter_narrows_results(db, own):
    everything = _apps(db)
    assert everything == {APP_IMAGE, APP_MIXER, APP_CAMERA, APP_BOX, APP_DEMO}
    assert _apps(db, patent_type="design") == {APP_BOX}
    assert _apps(db, patent_type="utility_model") == {APP_MIXER}
    assert _apps(db, ipc="H04N") == {APP_IMAGE, APP_CAMERA}
    assert _apps(db, ipc="H04") == {APP_IMAGE, APP_CAMERA}
    assert _apps(db, ipc="H04N5") == {APP_IMAGE}
    assert _apps(db, ipc="h04n 5/00") == {APP_IMAGE}
    assert _apps(db, ipc="H04N5/225") == {APP_IMAGE}
    assert _apps(db, ipc="H04N7/18") == {APP_CAMERA}
    assert _apps(db, ipc="H04N5/232") == set()
    assert _apps(db, applicant="光电科技") == {APP_IMAGE}
    assert _apps(db, applicant="天津建材集团有限公司") == {APP_MIXER}
    assert _apps(db, district_code="120116") == {APP_IMAGE, APP_DEMO}
    assert _apps(db, district_code="120104") == {APP_BOX}
    assert _apps(db, legal_status="valid") == {APP_IMAGE, APP_BOX}
    assert _apps(db, legal_status="invalid") == {APP_CAMERA}
    assert _apps(db, filing_from="2021-01-01", filing_to="2021-12-31") == {APP_IMAGE, APP_MIXER}
    # Records without a grant date are outside every grant range, open-ended or not.
    assert _apps(db, grant_to="2021-12-31") == {APP_BOX}
    assert _apps(db, grant_from="2022-05-10") == {APP_IMAGE, APP_CAMERA}
    assert _apps(db, dataset="demo") == {APP_DEMO}
    assert _apps(db, dataset="real") == everything - {APP_DEMO}
    # Filters combine with each other and with words.
    assert _apps(db, q="image", ipc="H04N", legal_status="invalid") == {APP_CAMERA}
    assert _apps(db, q="混凝土", district_code="120116") == set()


def test_invalid_ipc_and_reversed_dates_are_input_errors(db, own):
    with pytest.raises(service.SearchInputError, match="IPC 分类号“XYZ”格式不正确"):
        service.search(db, PatentQuery(ipc="XYZ"))
    with pytest.raises(service.SearchInputError, match="申请日的起始日期 2022-01-01 晚于截止日期 2021-01-01"):
        service.search(db, PatentQuery(filing_from="2022-01-01", filing_to="2021-01-01"))


def test_paging_without_words_is_newest_first(sipo):
    pages = [service.search(sipo, PatentQuery(), page=n, page_size=50) for n in (1, 2, 3, 4, 5)]
    assert [len(p.hits) for p in pages] == [50, 50, 50, 49, 0]
    assert all(p.total == 199 for p in pages)
    ids = [h.id for p in pages for h in p.hits]
    assert len(set(ids)) == 199
    dates = [h.filing_date for p in pages for h in p.hits]
    assert dates == sorted(dates, reverse=True)


def test_highlighting_marks_words_and_escapes_html(db, sipo_sample, own):
    import_patents(db, sipo_sample, "sipo.xlsx")
    hit = service.search(db, PatentQuery(q="轨枕")).hits[0]
    assert "<mark>轨枕</mark>" in hit.title_highlight
    assert "<mark>轨枕</mark>" in hit.abstract_highlight
    plain = hit.abstract_highlight.replace("<mark>", "").replace("</mark>", "").strip("…")
    assert len(plain) <= 160
    box = service.search(db, PatentQuery(q="包装")).hits[0]
    assert box.application_no == APP_BOX
    assert box.abstract_highlight == "用于&lt;礼品&gt;<mark>包装</mark>的盒子 &amp; 配件"


def test_reimport_with_changed_title_updates_the_index(db, own):
    assert _apps(db, q="photodetector") == {APP_IMAGE}
    result = import_patents(db, _csv(_rows(image_title="Thermal imaging device")), "own.csv")
    assert result.updated == 1
    assert _apps(db, q="photodetector") == set()
    assert _apps(db, q="thermal") == {APP_IMAGE}


def test_reindex_all_rebuilds_the_same_results(db, sipo_sample, own):
    import_patents(db, sipo_sample, "sipo.xlsx")
    queries = [PatentQuery(q="混凝土轨枕"), PatentQuery(q="image"), PatentQuery(ipc="E01B"),
               PatentQuery(district_code="120116"), PatentQuery()]

    def results() -> list[list[int]]:
        return [[h.id for h in service.search(db, q, page_size=100).hits] for q in queries]

    before = results()
    from ipbureau.config import get_settings

    shutil.rmtree(get_settings().resolved_index_dir())
    assert service.search(db, PatentQuery(q="混凝土轨枕")).total == 0
    assert service.reindex_all(db, batch_size=64) == 204
    after = results()
    # Filter-only queries list newest first, ties by id: exactly the same order.
    assert after[2:] == before[2:]
    # BM25 statistics count deleted documents until segments merge, so scores move a
    # little and equal scores may swap: the same hits, the same clear leaders.
    assert [set(ids) for ids in after[:2]] == [set(ids) for ids in before[:2]]
    assert after[0][:5] == before[0][:5] and after[1][0] == before[1][0] == own[APP_IMAGE]
    assert len(before[0]) > 5 and len(before[2]) == 24
    newest = [h.id for h in service.search(db, PatentQuery(), page_size=5).hits]
    assert newest[0] == own[APP_DEMO]


def test_removed_patents_leave_the_index(db, own):
    service.remove_patents([own[APP_CAMERA]])
    assert _apps(db, q="camera") == set()


NASTY = ['"', ":", "(", ")", "AND OR", 'title:"foo', "a:b OR (c", "*?~^[]{}\\", "x" * 500, "混凝土" * 160, "\x00'; --"]


def test_nasty_input_never_errors(db, own):
    for text in NASTY:
        page = service.search(db, PatentQuery(q=text, applicant=text[:200]))
        assert page.page == 1 and page.total == len(page.hits), text
    # Punctuation alone leaves no words: the query is then no query at all.
    assert service.search(db, PatentQuery(q='"(:)"')).total == 5
    assert service.search(db, PatentQuery(q="AND OR image")).hits[0].application_no == APP_IMAGE


def test_export_xlsx_and_csv(db, own):
    query = PatentQuery(dataset="real")
    workbook = openpyxl.load_workbook(io.BytesIO(service.export(db, query, "xlsx")))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == service.EXPORT_HEADERS
    assert len(rows) == 1 + 4
    by_app = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    image = by_app[APP_IMAGE]
    assert (image["专利类型"], image["所属区"], image["数据类别"], image["法律状态"]) == ("发明", "滨海新区", "真实数据", "有权")
    assert image["主分类号"] == "H04N5/225" and image["申请人"] == "天津光电科技有限公司"
    assert str(image["申请日"])[:10] == "2021-03-01"

    data = service.export(db, PatentQuery(q="混凝土"), "csv")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == list(service.EXPORT_HEADERS)
    assert [r[0] for r in table[1:]] == [APP_MIXER]
    assert table[1][10] == "和平区" and table[1][7] == "2021-06-01"
    assert flush_usage() == 2
    usage = db.scalars(select(SearchUsage).where(SearchUsage.kind == "export")).all()
    assert sorted(u.result_count for u in usage) == [1, 4]


def test_api_requires_login(client):
    response = client.get("/api/search", params={"q": "轨枕"})
    assert response.status_code == 401
    assert client.get("/api/search/export").status_code == 401
    page = client.get("/search", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_api_search_records_usage_and_treats_blank_fields_as_absent(client, users, own):
    headers = bearer(client, "public_user")
    params = {"q": "image", "patent_type": "", "ipc": "", "applicant": "", "district_code": "", "legal_status": "",
              "filing_from": "", "filing_to": "", "grant_from": "", "grant_to": "", "dataset": "", "page_size": "1"}
    response = client.get("/api/search", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 2 and body["page_size"] == 1 and body["hits"][0]["application_no"] == APP_IMAGE
    assert body["hits"][0]["title_highlight"] == "Photodetector array for <mark>image</mark> sensors"

    response = client.get("/api/search", params={"patent_type": "外观设计"}, headers=headers)
    assert [h["application_no"] for h in response.json()["hits"]] == [APP_BOX]

    from ipbureau.database.core import get_sessionmaker

    flush_usage()
    with get_sessionmaker()() as session:
        usage = session.scalars(select(SearchUsage).order_by(SearchUsage.id)).all()
        assert [(u.kind, u.query_text, u.result_count) for u in usage] == [("search", "image", 2), ("search", None, 1)]
        assert usage[1].filters == {"patent_type": "design"}
        assert usage[0].user_id == users["public"].id


def test_api_rejects_bad_input_with_chinese_messages(client, users, own):
    headers = bearer(client, "public_user")
    cases = [
        ({"filing_from": "2023-02-30"}, "申请日（起）：应为日期"),
        ({"grant_to": "yesterday"}, "授权公告日（止）：应为日期"),
        ({"ipc": "Q99"}, "IPC 分类号“Q99”格式不正确"),
        ({"q": "x" * 1000}, "检索词：不能超过 500 个字符"),
        ({"page_size": "101"}, "每页条数：不能大于 100"),
        ({"page_size": "0"}, "每页条数：不能小于 1"),
        ({"page": "abc"}, "页码：应为整数"),
        ({"patent_type": "plant"}, "专利类型：无效"),
    ]
    for params, message in cases:
        response = client.get("/api/search", params=params, headers=headers)
        assert response.status_code == 422, params
        assert message in response.json()["detail"], response.json()
    for text in ['"', ":", "(", "AND OR", 'a:"(b']:
        assert client.get("/api/search", params={"q": text}, headers=headers).status_code == 200


def test_export_endpoints_send_files(client, users, own):
    login(client, "public_user")
    response = client.get("/search/export", params={"fmt": "xlsx", "ipc": "H04N", "q": ""})
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith('attachment; filename="patents-')
    assert '.xlsx"; filename*=UTF-8\'\'patents-' in response.headers["content-disposition"]  # RFC 6266 (issue 11)
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {APP_IMAGE, APP_CAMERA}
    response = client.get("/api/search/export", params={"fmt": "csv", "district_code": "120104"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines()[1].startswith(APP_BOX)
    assert client.get("/api/search/export", params={"fmt": "pdf"}).status_code == 422


def test_search_page_renders_hits(client, users, own):
    login(client, "public_user")
    page = client.get("/search")
    assert page.status_code == 200
    assert 'id="search-form"' in page.text and '<button type="submit">检索</button>' in page.text
    assert '<span id="total">5</span>' in page.text
    assert page.text.count('class="hit"') == 5
    assert page.text.count('<option value="1201') == 16 and ">滨海新区</option>" in page.text

    page = client.get("/search", params={"q": "图像", "patent_type": "", "filing_from": "", "dataset": ""})
    assert page.status_code == 200
    assert '<span id="total">1</span>' in page.text
    assert f'<a class="hit-title" href="/patents/{own[APP_DEMO]}">演示用<mark>图像</mark>处理方法</a>' in page.text
    assert '<span class="badge demo">演示</span>' in page.text
    assert "/search/export?q=%E5%9B%BE%E5%83%8F&amp;fmt=xlsx" in page.text

    bad = client.get("/search", params={"filing_from": "2023-13-01"})
    assert bad.status_code == 422
    assert "申请日（起）：应为日期" in bad.text and 'id="search-form"' in bad.text
    assert 'name="filing_from" value="2023-13-01"' in bad.text  # the form shows what was typed

    from ipbureau.database.core import get_sessionmaker

    flush_usage()
    with get_sessionmaker()() as session:
        # Opening the page without a query lists the newest records but is not counted as a search.
        usage = session.scalars(select(SearchUsage).where(SearchUsage.kind == "search")).all()
        assert [(u.query_text, u.result_count) for u in usage] == [("图像", 1)]


def test_csv_export_defuses_formulas(db):
    """A title starting with = must not become a formula when the CSV is opened in Excel."""
    import_patents(db, _csv([f"{APP_IMAGE},=HYPERLINK(\"http://x\"),abstract,2021-03-01,H04N5/225,"
                             f"天津光电科技有限公司,滨海新区,有权,2022-05-10,"]), "formula.csv")
    data = service.export(db, PatentQuery(), "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    titles = [row[rows[0].index("名称")] for row in rows[1:]]
    assert titles == ["'=HYPERLINK(\"http://x\")"]


def test_province_and_chain_filters(db, own):
    from ipbureau.navigation.chains import chain_by_code
    from ipbureau.reference.models import IpcCode

    chain = chain_by_code("jicheng_dianlu")
    prefix = chain.all_ipc_prefixes()[0]
    code = db.scalar(select(IpcCode.code).where(IpcCode.code.like(f"{prefix.split('/')[0]}%"), IpcCode.current,
                                                IpcCode.level == "subgroup").order_by(IpcCode.code).limit(1))
    chip = make_application_no(2022, 1, 77)
    import_patents(db, _csv([f"{chip},一种芯片封装结构,芯片封装,2022-02-02,{code},天津芯片有限公司,西青区,有权,2023-01-01,"]),
                   "chip.csv")
    assert _apps(db, chain="jicheng_dianlu") == {chip}
    # Every Tianjin applicant, whatever the district; the Beijing camera is left out.
    tianjin = _apps(db, province_code="12")
    assert chip in tianjin and APP_IMAGE in tianjin and APP_CAMERA not in tianjin
    with pytest.raises(service.SearchInputError, match="产业链"):
        service.search(db, PatentQuery(chain="no_such_chain"), record=False)


def test_outdated_index_is_discarded_and_rebuilt(db, own, test_env):
    from pathlib import Path

    from ipbureau.search import index as index_module

    folder = Path(test_env["IPBUREAU_SEARCH_INDEX_DIR"])
    (folder / index_module.VERSION_FILE).write_text("0")
    index_module._indexes.clear()  # a new process opening the directory
    assert service.get_index().count() == 0
    assert service.ensure_index_matches_database(db) == len(own)
    assert _apps(db, q="混凝土") == {APP_MIXER}
    assert service.ensure_index_matches_database(db) == 0


def test_xlsx_export_keeps_text_as_text_and_the_search_order(db):
    """The export's XLSX writer must not turn a title beginning with "=" into a formula (it is text, made inert as
    in the CSV) nor a number-like text into a number, and keeps the rows in the search's order."""
    import_patents(db, _csv([f"{APP_IMAGE},=HYPERLINK(\"http://x\"),abstract,2021-03-01,H04N5/225,"
                             f"天津光电科技有限公司,滨海新区,有权,2022-05-10,",
                             f"{APP_BOX},00123,用于包装的盒子,2020-08-08,,天津包装有限公司,南开区,有权,2021-01-05,"]),
                   "formula.csv")
    stored = dict(db.execute(select(Patent.application_no, Patent.title)).all())
    assert stored[APP_IMAGE].endswith('=HYPERLINK("http://x")')  # as the import kept it
    sheet = openpyxl.load_workbook(io.BytesIO(service.export(db, PatentQuery(), "xlsx"))).active
    rows = list(sheet.iter_rows(min_row=2))
    titles = {row[0].value: row[3] for row in rows}
    assert titles[APP_IMAGE].value == "'" + stored[APP_IMAGE] and titles[APP_IMAGE].data_type == "s"
    assert titles[APP_BOX].value == "00123" and titles[APP_BOX].data_type == "s"
    # No query words: newest filing first, as on the page.
    assert [row[0].value for row in rows] == [APP_IMAGE, APP_BOX]
    assert rows[0][7].is_date and rows[0][7].number_format == "yyyy-mm-dd"


def test_the_page_says_when_the_export_holds_only_the_first_results(client, users, own, monkeypatch):
    login(client, "public_user")
    page = client.get("/search")
    assert "导出结果（最多 5000 条）" in page.text and 'id="export-cap"' not in page.text
    monkeypatch.setattr(service, "EXPORT_LIMIT", 2)
    assert "共 5 条，文件只含按申请日从新到旧的前 2 条" in client.get("/search").text
    monkeypatch.setattr(service, "EXPORT_LIMIT", 1)
    assert "共 2 条，文件只含按相关度排序的前 1 条" in client.get("/search", params={"q": "image"}).text

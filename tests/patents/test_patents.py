"""A patent record through its page and the API: the policy's 404 for an id that is not there, bounded ids
(422 with a Chinese message naming the field), and a counted record view."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ipbureau.core.errors import NotFound
from ipbureau.patents import service
from ipbureau.patents.flows import import_patents
from ipbureau.patents.models import Patent
from ipbureau.patents.numbers import make_application_no
from ipbureau.search.models import SearchUsage
from ipbureau.search.usage import discard_pending, flush_usage
from tests.conftest import bearer, login

NUMBER = make_application_no(2022, 1, 11)
HOSTILE_IDS = ["99999999999999999999999", "-1", "0", "١٢", "²", "1e309", "nan"]


@pytest.fixture
def patent(db) -> Patent:
    discard_pending()
    csv = ("申请号,名称,摘要,申请日,分类号,申请人,所属区,法律状态\n"
           f"{NUMBER},一种图像传感器,降低噪声的图像传感器,2022-03-01,H04N5/225,天津光电科技有限公司,滨海新区,有权\n")
    import_patents(db, csv.encode(), "one.csv", index=False)
    yield db.scalar(select(Patent).where(Patent.application_no == NUMBER))
    discard_pending()


def test_the_record_api_and_page_show_the_patent_and_count_each_view(client, users, db, patent):
    headers = bearer(client, "enterprise_user")
    body = client.get(f"/api/patents/{patent.id}", headers=headers).json()
    assert body["application_no"] == NUMBER and body["ipc_list"] == ["H04N5/225"]
    assert body["applicant_names"] == ["天津光电科技有限公司"] and body["legal_status"] == "valid"
    login(client, "enterprise_user")
    page = client.get(f"/patents/{patent.id}")
    assert page.status_code == 200
    assert "一种图像传感器" in page.text and "滨海新区" in page.text and "2022-03-01" in page.text
    assert 'href="/ipc/H04N5/225"' in page.text
    flush_usage()
    views = db.scalars(select(SearchUsage).where(SearchUsage.kind == "view")).all()
    assert [(v.query_text, v.user_id, v.result_count) for v in views] == [(NUMBER, users["enterprise"].id, 1)] * 2


def test_a_patent_that_is_not_there_is_404_on_the_api_the_page_and_the_service(client, users, db, patent):
    headers = bearer(client, "public_user")
    missing = client.get(f"/api/patents/{patent.id + 1000}", headers=headers)
    assert missing.status_code == 404 and missing.json()["detail"] == "专利不存在"
    login(client, "public_user")
    page = client.get(f"/patents/{patent.id + 1000}")
    assert page.status_code == 404 and "专利不存在" in page.text
    with pytest.raises(NotFound, match="专利不存在"):
        service.view(db, users["public"], patent.id + 1000)
    # Nothing is counted for a record that was not shown.
    assert flush_usage() == 0


@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_hostile_ids_are_422_naming_the_field_in_chinese(client, users, value):
    headers = bearer(client, "public_user")
    response = client.get(f"/api/patents/{value}", headers=headers)
    assert response.status_code == 422, (value, response.status_code)
    assert "专利编号：" in response.json()["detail"]
    login(client, "public_user")
    page = client.get(f"/patents/{value}")
    assert page.status_code == 422 and "专利编号：" in page.text


def test_the_record_needs_a_login(client, patent):
    assert client.get(f"/api/patents/{patent.id}").status_code == 401
    page = client.get(f"/patents/{patent.id}", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")

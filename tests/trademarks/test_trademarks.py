"""The trademark directory: one query schema for its page and its API, bounded filters, the pager."""

from __future__ import annotations

import pytest

from ipbureau.trademarks.flows import import_trademarks
from tests.conftest import bearer, login


@pytest.fixture
def marks(db):
    rows = ["12345678,海河牌,30;29,天津海河食品有限公司,天津市和平区南京路1号,2019-03-01,2020-01-07,已注册",
            "22345678,津门,35,天津某公司,天津市西青区,2023-05-06,,等待实质审查",
            "32345678,小站稻,30,天津市津南区小站稻产业协会,天津市津南区小站镇,2015-01-01,2016-01-01,注册"]
    data = ("注册号,商标名称,国际分类,申请人名称,申请人地址,申请日期,注册日期,商标状态\n" + "\n".join(rows) + "\n")
    import_trademarks(db, data.encode(), "tm.csv")


def _numbers(body: dict) -> list[str]:
    return [item["application_no"] for item in body["items"]]


def test_api_filters_newest_first(client, users, marks):
    headers = bearer(client, "public_user")
    everything = client.get("/api/trademarks", headers=headers).json()
    assert everything["total"] == 3 and _numbers(everything) == ["22345678", "12345678", "32345678"]
    assert _numbers(client.get("/api/trademarks", params={"nice_class": 30}, headers=headers).json()) == [
        "12345678", "32345678"]
    assert _numbers(client.get("/api/trademarks", params={"q": "海河"}, headers=headers).json()) == ["12345678"]
    assert _numbers(client.get("/api/trademarks", params={"status": "applied"}, headers=headers).json()) == [
        "22345678"]
    assert _numbers(client.get("/api/trademarks", params={"district_code": "120112"}, headers=headers).json()) == [
        "32345678"]
    assert client.get("/api/trademarks", params={"page": 2}, headers=headers).json() == {"total": 3, "items": [], "class_headings": {}}


@pytest.mark.parametrize(("params", "message"), [
    ({"nice_class": "46"}, "尼斯分类：不能大于 45"),
    ({"nice_class": "١٢"}, "尼斯分类：应为整数"),
    ({"nice_class": "1e309"}, "尼斯分类：应为整数"),
    ({"page": "0"}, "页码：不能小于 1"),
    ({"page": "99999999999999999999999"}, "页码：不能大于 1000000"),
    ({"status": "lost"}, "状态：无效"),
    ({"q": "商" * 201}, "检索词：不能超过 200 个字符"),
])
def test_bad_filters_are_422_in_chinese_on_the_api_and_the_page(client, users, marks, params, message):
    response = client.get("/api/trademarks", params=params, headers=bearer(client, "public_user"))
    assert response.status_code == 422 and message in response.json()["detail"], response.json()
    login(client, "public_user")
    page = client.get("/trademarks", params=params)
    assert page.status_code == 422
    assert message in page.text and '<form method="get" action="/trademarks"' in page.text  # the form again


def test_page_lists_with_blank_fields_as_no_condition(client, users, marks):
    login(client, "public_user")
    page = client.get("/trademarks", params={"q": "", "district_code": "", "nice_class": "", "status": ""})
    assert page.status_code == 200
    assert "共 3 件" in page.text and "海河牌" in page.text and "小站稻" in page.text
    assert 'class="badge status status-registered">已注册</span>' in page.text
    narrowed = client.get("/trademarks", params={"nice_class": "35", "q": ""})
    assert "共 1 件" in narrowed.text and "津门" in narrowed.text and "海河牌" not in narrowed.text
    assert 'name="nice_class" value="35"' in narrowed.text

"""Enterprise and trademark imports: same all-or-nothing and idempotent behaviour as patents."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from ipbureau.enterprises.creditcode import make_credit_code
from ipbureau.enterprises.flows import import_enterprises
from ipbureau.enterprises.models import Enterprise
from ipbureau.imports.errors import ImportFailed
from ipbureau.navigation.chains import load_chains
from ipbureau.patents.flows import import_patents
from ipbureau.patents.models import PatentApplicant
from ipbureau.patents.numbers import make_application_no
from ipbureau.trademarks.enums import TrademarkStatus
from ipbureau.trademarks.flows import import_trademarks
from ipbureau.trademarks.models import Trademark
from tests.conftest import bearer

RNG = random.Random(7)
CODE_A = make_credit_code(RNG, "120116")
CODE_B = make_credit_code(RNG, "120104")


def _enterprise_csv(*rows: str) -> bytes:
    return ("统一社会信用代码,企业名称,类型,所属区,地址,产业链,称号,联系电话\n" + "\n".join(rows) + "\n").encode()


def test_enterprise_import_links_patents_and_is_idempotent(db):
    number = make_application_no(2022, 1, 5)
    import_patents(db, f"申请号,名称,申请人,申请日\n{number},一种传感器,天津甲科技有限公司,20220101\n".encode(),
                   "p.csv", index=False)
    data = _enterprise_csv(
        f"{CODE_A},天津甲科技有限公司,企业,,天津经济技术开发区第三大街1号,集成电路,专精特新;高新技术企业,022-1",
        f"{CODE_B},天津乙大学,高等院校,南开区,,,,",
    )
    result = import_enterprises(db, data, "ent.csv")
    assert (result.inserted, result.updated, result.unchanged) == (2, 0, 0)
    a = db.scalar(select(Enterprise).where(Enterprise.credit_code == CODE_A))
    assert a.district_code == "120116" and a.tags == ["专精特新", "高新技术企业"] and a.kind == "enterprise"
    assert a.industry_chain == next(c.code for c in load_chains() if c.name == "集成电路")  # stored as the code
    assert db.scalar(select(PatentApplicant.enterprise_id).where(PatentApplicant.name == "天津甲科技有限公司")) == a.id
    b = db.scalar(select(Enterprise).where(Enterprise.credit_code == CODE_B))
    assert (b.kind, b.district_code) == ("university", "120104")
    assert import_enterprises(db, data, "ent.csv").unchanged == 2


def test_enterprise_import_errors_name_row_and_column(db):
    bad_code = CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")
    data = _enterprise_csv(
        f"{bad_code},天津丙有限公司,企业,,,,,",
        f"{CODE_B},天津丁有限公司,工厂,,,,,",
        f"{make_credit_code(RNG, '120101')},天津戊有限公司,企业,浦东新区,,,,",
        f"{make_credit_code(RNG, '120101')},天津己有限公司,企业,,,造船,,",
    )
    with pytest.raises(ImportFailed) as failure:
        import_enterprises(db, data, "bad.csv")
    found = {(p.row, p.field) for p in failure.value.problems}
    assert {(2, "统一社会信用代码"), (3, "类型"), (4, "所属区"), (5, "产业链")} <= found
    assert db.scalar(select(func.count()).select_from(Enterprise)) == 0


def _trademark_csv(*rows: str) -> bytes:
    return ("注册号,商标名称,国际分类,申请人名称,申请人地址,申请日期,注册日期,商标状态\n" + "\n".join(rows) + "\n").encode("gb18030")


def test_trademark_import(db, client, users):
    data = _trademark_csv(
        "12345678,海河牌,30;29,天津测试科技有限公司,天津市和平区南京路1号,2019-03-01,2020-01-07,已注册",
        "22345678,津门,35,天津某公司,天津市西青区,2023.05.06,,等待实质审查",
        "32345678,小站稻,30,天津市津南区小站稻产业协会,天津市津南区小站镇,2015-01-01,2016-01-01,注册",
    )
    result = import_trademarks(db, data, "tm.csv")
    assert result.inserted == 3
    mark = db.scalar(select(Trademark).where(Trademark.application_no == "12345678"))
    assert mark.nice_classes == [30, 29] and mark.primary_class == 30 and mark.district_code == "120101"
    assert mark.status == TrademarkStatus.REGISTERED and str(mark.registration_date) == "2020-01-07"
    assert mark.enterprise_id is not None  # the applicant is a known enterprise (fixture)
    pending = db.scalar(select(Trademark).where(Trademark.application_no == "22345678"))
    assert pending.status == TrademarkStatus.APPLIED and pending.district_code == "120111"
    assert import_trademarks(db, data, "tm.csv").unchanged == 3
    listing = client.get("/api/trademarks", params={"nice_class": 30}, headers=bearer(client, "public_user")).json()
    assert listing["total"] == 2


def test_trademark_import_errors(db):
    data = _trademark_csv(
        "ABC,海河牌,30,某公司,,2019-03-01,,",
        "1,海河牌,46,某公司,,2019-03-01,,",
        "2,海河牌,30,某公司,,2019-03-01,2018-01-01,",
        "3,海河牌,30,某公司,,,,",
    )
    with pytest.raises(ImportFailed) as failure:
        import_trademarks(db, data, "bad.csv")
    found = {(p.row, p.field) for p in failure.value.problems}
    assert {(2, "注册号"), (3, "国际分类"), (4, "注册日期"), (5, "申请日期")} <= found
    assert db.scalar(select(func.count()).select_from(Trademark)) == 0


def test_import_api_by_kind(client, users):
    headers = bearer(client, "bureau_staff_user")
    response = client.post("/api/imports/enterprise", headers=headers,
                           files={"file": ("e.csv", _enterprise_csv(f"{CODE_A},天津甲科技有限公司,企业,滨海新区,,,,"))})
    assert response.status_code == 200 and response.json()["inserted"] == 1
    response = client.post("/api/imports/trademark", headers=headers,
                           files={"file": ("t.csv", _trademark_csv("9,X,99,Y,,2019-01-01,,"))})
    assert response.status_code == 422
    assert any(p["field"] == "国际分类" and p["row"] == 2 for p in response.json()["problems"])
    assert client.post("/api/imports/nonsense", headers=headers, files={"file": ("t.csv", b"a")}).status_code == 422

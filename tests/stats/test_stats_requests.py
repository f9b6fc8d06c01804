"""The statistics routes as requests: malformed numbers, periods and codes are a 422 naming the field in
Chinese (never a 500), the dashboard's choices behave, and a request reads only on its own session."""

from __future__ import annotations

from datetime import date

import pytest

from ipbureau.stats import engine
from ipbureau.stats.enums import Period
from tests.conftest import bearer, login
from tests.stats.test_stats import BINHAI, XIQING, add_patent

CODE = "invention_grants"


def _problem(response) -> str:
    """The Chinese message of a 422 (API: detail; page: the error page's text)."""
    assert response.status_code == 422, (response.status_code, response.text[:300])
    return response.json()["detail"] if response.headers["content-type"].startswith("application/json") \
        else response.text


@pytest.mark.parametrize(("path", "params", "field"), [
    (f"/api/stats/{CODE}", {"year": "-1"}, "年份"),
    (f"/api/stats/{CODE}", {"year": "²"}, "年份"),
    (f"/api/stats/{CODE}", {"year": "２０２２"}, "年份"),  # full-width digits
    (f"/api/stats/{CODE}", {"year": "99999999999999999999999"}, "年份"),
    (f"/api/stats/{CODE}", {"year": "1e309"}, "年份"),
    (f"/api/stats/{CODE}", {"year": "2022", "period": "Q9"}, "时段"),
    (f"/api/stats/{CODE}", {"year": "2022", "period": "季度"}, "时段"),
    (f"/api/stats/{CODE}", {"year": "2022", "district_code": "1e309"}, "区"),
    (f"/api/stats/{CODE}", {"year": "2022", "district_code": "１２０１１６"}, "区"),
    (f"/api/stats/{CODE}", {"year": "2022", "district_code": "120199"}, "未知的区代码"),
    (f"/api/stats/{CODE}", {"year": "2022", "chain_code": "../etc"}, "产业链"),
    (f"/api/stats/{CODE}", {"year": "2022", "chain_code": "nope"}, "未知产业链"),
    (f"/api/stats/{CODE}", {"year": "2022", "dataset": "both"}, "数据"),  # 数据类别 (another area may say 数据)
    ("/api/stats/NOPE!", {"year": "2022"}, "指标代码"),
    ("/api/stats/nope", {"year": "2022"}, "未知指标"),
    (f"/api/stats/{CODE}/series", {"year_from": "2022", "year_to": "2100"}, "年份区间"),
    (f"/api/stats/{CODE}/series", {"year_from": "2022", "year_to": "2021"}, "截止年份"),
    (f"/api/stats/{CODE}/series", {"year_from": "0", "year_to": "2021"}, "起始年份"),
    (f"/api/stats/{CODE}/by-district", {"year": "10000000000000000000000"}, "年份"),
    (f"/api/stats/{CODE}/by-district", {"year": "2022", "period": "M13"}, "时段"),
    (f"/api/stats/{CODE}/by-chain", {"year": "2022", "district_code": "-1"}, "区"),
    (f"/api/stats/{CODE}/by-chain", {"year": "nan"}, "年份"),
    ("/api/stats/whitepaper", {"year": "-1"}, "年份"),
    ("/api/stats/whitepaper", {"year": "2022", "fmt": "xls"}, "格式"),
])
def test_api_bad_input_is_a_chinese_422(client, users, path, params, field):
    headers = bearer(client, "bureau_staff_user")
    message = _problem(client.get(path, params=params, headers=headers))
    assert field in message


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/stats", {"year": "-1"}, "年份"),
    ("/stats", {"year": "²"}, "年份"),
    ("/stats", {"district_code": "abc"}, "区"),
    ("/stats", {"district_code": "120199"}, "未知的区代码"),
    ("/stats", {"dataset": "both"}, "数据"),
    ("/stats/whitepaper", {"year": "99999999999999999999"}, "年份"),
    ("/stats/whitepaper", {"fmt": "exe"}, "格式"),
])
def test_page_bad_input_is_a_chinese_422(client, users, path, params, field):
    login(client, "bureau_staff_user")
    assert field in _problem(client.get(path, params=params))


def test_every_period_and_year_in_range_computes(client, users, db):
    """Every value the bounded types admit is answered (the first years of the range too: their YoY and
    trends reach before 1985, where the engine has no data rather than an error)."""
    add_patent(db, granted=date(2022, 5, 1))
    db.commit()
    headers = bearer(client, "bureau_staff_user")
    for period in Period:
        response = client.get(f"/api/stats/{CODE}", params={"year": 2022, "period": period.value}, headers=headers)
        assert response.status_code == 200, (period, response.text)
    for year in (1985, 1986, 2100):
        assert client.get(f"/api/stats/{CODE}", params={"year": year}, headers=headers).status_code == 200
    login(client, "bureau_staff_user")
    page = client.get("/stats", params={"year": 1985})
    assert page.status_code == 200 and "1985 年" in page.text
    assert engine.trend_years(1987, 10) == [1985, 1986, 1987]


def test_blank_form_fields_mean_not_given(client, users, db):
    """The dashboard's form sends district_code="" for 全市; a blank year or dataset takes the default."""
    add_patent(db, granted=date(2022, 12, 1))
    add_patent(db, granted=date(2022, 6, 1), district=XIQING)
    db.commit()
    login(client, "district_staff_user")
    own = client.get("/stats")  # district staff start on their district
    assert own.status_code == 200 and "2022 年 · 滨海新区" in own.text
    city = client.get("/stats", params={"year": "", "dataset": "", "district_code": ""})
    assert city.status_code == 200 and "2022 年 · 全市" in city.text
    assert '<span class="num">2</span>' in city.text[city.text.index('id="card-invention_grants"'):][:400]
    other = client.get("/stats", params={"district_code": XIQING})
    assert other.status_code == 200 and "滨海新区 · " not in other.text and "西青区 · " in other.text
    headers = bearer(client, "bureau_staff_user")
    blank = client.get(f"/api/stats/{CODE}", params={"year": 2022, "district_code": "", "chain_code": ""},
                       headers=headers)
    assert blank.status_code == 200 and blank.json()["value"] == 2 and blank.json()["district_code"] is None
    one = client.get(f"/api/stats/{CODE}", params={"year": 2022, "district_code": BINHAI}, headers=headers)
    assert one.json()["value"] == 1


def test_requests_read_on_their_own_session_only(client, users, db, monkeypatch):
    """A request never opens a second connection (20 clients once exhausted the pool): the industry chains
    (read without a session, they would open one) and every figure are read on the request's session, the
    white paper's included."""
    from ipbureau.navigation import chains

    def second_connection(*_args, **_kwargs):
        raise AssertionError("a request opened a second database connection")

    add_patent(db, granted=date(2022, 5, 1), ipc=("G06F21/62",))
    db.commit()
    login(client, "bureau_staff_user")
    headers = bearer(client, "bureau_staff_user")
    monkeypatch.setattr(chains, "get_engine", second_connection)
    assert client.get("/stats", params={"year": 2022}).status_code == 200
    for path in (f"/api/stats/{CODE}/by-chain", "/api/stats/high_value_inventions_per_10k",
                 "/api/stats/high_value_inventions_per_10k/by-district"):
        assert client.get(path, params={"year": 2022}, headers=headers).status_code == 200, path
    assert client.get(f"/api/stats/{CODE}", params={"year": 2022, "chain_code": "xinchuang"},
                      headers=headers).json()["value"] == 1
    assert client.get("/stats/whitepaper", params={"year": 2022, "fmt": "docx"}).status_code == 200


def test_dashboard_is_a_read(client, users, db):
    """The dashboard and the indicator API write nothing (a GET that flushed would raise ReadOnlyRequest)."""
    from sqlalchemy import func, select

    from ipbureau.audit.models import AuditLog

    add_patent(db, granted=date(2022, 5, 1))
    db.commit()
    before = db.scalar(select(func.count()).select_from(AuditLog))
    login(client, "admin_user")
    assert client.get("/stats").status_code == 200
    assert client.get("/api/stats/indicators").status_code == 200
    assert db.scalar(select(func.count()).select_from(AuditLog)) == before


def test_hostile_values_in_every_query_field(client, users):
    """Each field of each statistics query schema, one at a time, with each hostile value: never a 5xx, and
    the API's 422 is in Chinese."""
    from ipbureau.stats.schemas import (
        ChainBreakdownQuery,
        DashboardQuery,
        DistrictBreakdownQuery,
        IndicatorQuery,
        SeriesQuery,
        WhitePaperQuery,
    )
    from tests.stats.hostile import problem, variants

    routes = [(f"/api/stats/{CODE}", IndicatorQuery, {"year": "2022"}),
              (f"/api/stats/{CODE}/series", SeriesQuery, {"year_from": "2021", "year_to": "2022"}),
              (f"/api/stats/{CODE}/by-district", DistrictBreakdownQuery, {"year": "2022"}),
              (f"/api/stats/{CODE}/by-chain", ChainBreakdownQuery, {"year": "2022"}),
              ("/api/stats/whitepaper", WhitePaperQuery, {"year": "2022"}),
              ("/stats", DashboardQuery, {}),
              ("/stats/whitepaper", WhitePaperQuery, {"year": "2022"})]
    headers = bearer(client, "bureau_staff_user")
    login(client, "bureau_staff_user")
    wrong = []
    for path, schema, base in routes:
        for params in variants(base, schema.model_fields):
            response = client.get(path, params=params, headers=headers if path.startswith("/api") else {})
            if (found := problem(response, api=path.startswith("/api"))) is not None:
                wrong.append(f"{path} {params}: {found}")
    assert wrong == []

"""The indicator engine and the /stats dashboard, on small datasets whose figures are known exactly."""

from __future__ import annotations

from datetime import date
from itertools import count

import pytest

from ipbureau.patents.models import Patent, PatentIpc
from ipbureau.stats import charts, engine
from ipbureau.stats.enums import YoyNote
from ipbureau.trademarks.models import Trademark
from tests.conftest import bearer, login

_serial = count(1)

BINHAI, XIQING, HEPING, NINGHE = "120116", "120111", "120101", "120117"


def add_patent(db, *, granted: date | None, district: str | None = BINHAI, patent_type: str = "invention",
               status: str = "valid", lapse: date | None = None, dataset: str = "real", ipc: tuple[str, ...] = ("A01B1/00",),
               filed: date = date(2019, 5, 1), family_size: int | None = None, pledges: int = 0,
               province: str | None = "12") -> Patent:
    n = next(_serial)
    patent = Patent(application_no=f"CN2019{n:08d}.X", patent_type=patent_type, title=f"测试专利{n}",
                    province_code=province, district_code=district, filing_date=filed, grant_date=granted,
                    lapse_date=lapse, legal_status=status, dataset=dataset, family_size=family_size,
                    pledge_count=pledges, record_hash=f"{n:064d}", ipc_main=ipc[0] if ipc else None)
    patent.ipc_codes = [PatentIpc(position=i, code=code, subclass=code[:4]) for i, code in enumerate(ipc)]
    db.add(patent)
    return patent


def add_trademark(db, *, filed: date, registered: date | None = None, expiry: date | None = None,
                  status: str = "registered", district: str | None = BINHAI, dataset: str = "real") -> Trademark:
    n = next(_serial)
    mark = Trademark(application_no=f"TM{n:08d}", mark_name=f"商标{n}", nice_classes=[9], primary_class=9,
                     applicant_name="天津测试科技有限公司", province_code="12" if district else None, district_code=district,
                     filing_date=filed, registration_date=registered, expiry_date=expiry, status=status,
                     dataset=dataset, record_hash=f"{n:064d}")
    db.add(mark)
    return mark


def test_period_bounds():
    assert engine.period_bounds(2024, "year") == (date(2024, 1, 1), date(2024, 12, 31))
    assert engine.period_bounds(2024, "H1") == (date(2024, 1, 1), date(2024, 6, 30))
    assert engine.period_bounds(2024, "H2") == (date(2024, 7, 1), date(2024, 12, 31))
    assert engine.period_bounds(2024, "Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert engine.period_bounds(2024, "Q4") == (date(2024, 10, 1), date(2024, 12, 31))
    assert engine.period_bounds(2024, "M02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert engine.period_bounds(2023, "M02") == (date(2023, 2, 1), date(2023, 2, 28))
    for bad in ("Q5", "M13", "H3", "annual", ""):
        with pytest.raises(engine.StatsInputError):
            engine.period_bounds(2024, bad)


def test_invention_grants_by_year_period_and_type(db):
    add_patent(db, granted=date(2021, 12, 31))
    add_patent(db, granted=date(2022, 1, 1))
    add_patent(db, granted=date(2022, 3, 31))
    add_patent(db, granted=date(2022, 4, 1))
    add_patent(db, granted=date(2022, 6, 30))
    add_patent(db, granted=date(2022, 7, 1))
    add_patent(db, granted=date(2022, 12, 31))
    add_patent(db, granted=date(2023, 1, 1))
    add_patent(db, granted=date(2022, 5, 5), patent_type="utility_model")  # not an invention
    add_patent(db, granted=None, status="pending")  # not granted
    db.commit()
    value = engine.compute(db, "invention_grants", 2022)
    assert (value.value, value.previous_value, value.unit) == (6, 1, "件")
    assert value.yoy_growth == 500.0 and value.yoy_note is None
    assert engine.compute(db, "invention_grants", 2022, period="H1").value == 4
    assert engine.compute(db, "invention_grants", 2022, period="H2").value == 2
    assert engine.compute(db, "invention_grants", 2022, period="Q1").value == 2
    assert engine.compute(db, "invention_grants", 2022, period="Q2").value == 2
    assert engine.compute(db, "invention_grants", 2022, period="M03").value == 1
    assert engine.compute(db, "invention_grants", 2022, period="M12").value == 1
    assert engine.compute(db, "invention_grants", 2022, period="M02").value == 0


def test_yoy_normal_zero_base_and_missing_year(db):
    add_patent(db, granted=date(2020, 6, 1), district=XIQING)  # the dataset starts in 2020
    add_patent(db, granted=date(2022, 6, 1))
    add_patent(db, granted=date(2022, 7, 1))
    add_patent(db, granted=date(2023, 3, 1))
    db.commit()
    # 2021 counted 0 for the city (data exist for 2021: the dataset covers 2020-2023): zero base.
    zero = engine.compute(db, "invention_grants", 2022)
    assert (zero.value, zero.previous_value, zero.yoy_growth, zero.yoy_note) == (2, 0, None, YoyNote.ZERO_BASE)
    normal = engine.compute(db, "invention_grants", 2023)
    assert (normal.value, normal.previous_value, normal.yoy_growth) == (1, 2, -50.0)
    # 2019 lies before the dataset's first grant: no data, not a zero.
    missing = engine.compute(db, "invention_grants", 2020)
    assert (missing.value, missing.previous_value, missing.yoy_note) == (1, None, YoyNote.NO_DATA)
    before = engine.compute(db, "invention_grants", 2015)
    assert before.value is None and before.note == engine.NOTE_NO_DATA
    assert engine.yoy(5, 4) == (25.0, None)
    assert engine.yoy(5, 0) == (None, YoyNote.ZERO_BASE)
    assert engine.yoy(5, None) == (None, YoyNote.NO_DATA)


def test_valid_inventions_at_year_end_and_lapse_boundary(db):
    add_patent(db, granted=date(2018, 1, 1))  # valid throughout
    add_patent(db, granted=date(2018, 1, 1), lapse=date(2022, 12, 31), status="invalid")  # ended on the last day
    add_patent(db, granted=date(2018, 1, 1), lapse=date(2023, 1, 1), status="invalid")  # still in force at end 2022
    add_patent(db, granted=date(2018, 1, 1), status="invalid")  # dead, date unknown: not counted
    add_patent(db, granted=date(2018, 1, 1), status="withdrawn")
    add_patent(db, granted=date(2023, 1, 1))  # granted after the end
    add_patent(db, granted=date(2018, 1, 1), patent_type="design")
    db.commit()
    end_2022 = engine.compute(db, "valid_inventions", 2022)
    assert end_2022.value == 2 and end_2022.previous_value == 3
    assert end_2022.yoy_growth == pytest.approx(-33.3)
    assert engine.compute(db, "valid_inventions", 2023).value == 2
    # A stock at the end of a quarter: the lapse on 2022-12-31 has not happened by 30 September.
    assert engine.compute(db, "valid_inventions", 2022, period="Q3").value == 3


def test_district_breakdown_includes_districts_without_records(db):
    for _ in range(3):
        add_patent(db, granted=date(2022, 5, 1), district=BINHAI)
    add_patent(db, granted=date(2022, 5, 1), district=XIQING)
    add_patent(db, granted=date(2022, 5, 1), district=None, province="11")  # outside Tianjin
    db.commit()
    rows = engine.by_district(db, "invention_grants", 2022)
    assert len(rows) == 16
    values = {r.district_code: r.value for r in rows}
    assert values[BINHAI] == 3 and values[XIQING] == 1 and values[NINGHE] == 0
    assert sum(values.values()) == 4
    assert next(r for r in rows if r.district_code == NINGHE).label == "宁河区"
    assert engine.compute(db, "invention_grants", 2022).value == 4  # the city: province 12 only
    assert engine.compute(db, "invention_grants", 2022, district_code=NINGHE).value == 0
    binhai = next(r for r in rows if r.district_code == BINHAI)
    assert binhai.record_count_url == ("/search?patent_type=invention&grant_from=2022-01-01&grant_to=2022-12-31"
                                       "&district_code=120116&dataset=real")


def test_chain_breakdown_counts_a_patent_in_every_chain_it_touches(db):
    add_patent(db, granted=date(2022, 5, 1), ipc=("G06F21/62", "G06F21/60"))  # 信创, two codes: counted once
    add_patent(db, granted=date(2022, 5, 1), ipc=("A61K36/00",))  # 生物医药 and 中医药
    add_patent(db, granted=date(2022, 5, 1), ipc=("A01B1/00", "H01M10/052"))  # 新能源 by its second code
    add_patent(db, granted=date(2021, 5, 1), ipc=("H01M10/052",))
    add_patent(db, granted=date(2022, 5, 1), ipc=("A01B1/00",))  # no chain
    db.commit()
    rows = {r.chain_code: r for r in engine.by_chain(db, "invention_grants", 2022)}
    assert len(rows) == 12
    assert rows["xinchuang"].value == 1 and rows["shengwu_yiyao"].value == 1 and rows["zhongyiyao"].value == 1
    assert rows["xinnengyuan"].value == 1 and rows["xinnengyuan"].previous_value == 1
    assert rows["jicheng_dianlu"].value == 0 and rows["jicheng_dianlu"].yoy_note == YoyNote.ZERO_BASE
    assert "chain=xinchuang" in rows["xinchuang"].record_count_url
    one = engine.compute(db, "invention_grants", 2022, chain_code="zhongyiyao")
    assert one.value == 1
    with pytest.raises(engine.StatsInputError):
        engine.compute(db, "invention_grants", 2022, chain_code="nope")


def test_real_and_demo_are_never_mixed(db):
    add_patent(db, granted=date(2022, 5, 1), dataset="real")
    for _ in range(4):
        add_patent(db, granted=date(2022, 5, 1), dataset="demo")
    add_trademark(db, filed=date(2022, 2, 1), dataset="demo")
    db.commit()
    assert engine.compute(db, "invention_grants", 2022, dataset="real").value == 1
    assert engine.compute(db, "invention_grants", 2022, dataset="demo").value == 4
    assert engine.by_district(db, "invention_grants", 2022, dataset="real")[-5].value in (0, 1)
    assert sum(r.value for r in engine.by_district(db, "invention_grants", 2022, dataset="real")) == 1
    # No real trademark at all: no data rather than 0.
    real_marks = engine.compute(db, "trademark_applications", 2022, dataset="real")
    assert real_marks.value is None and real_marks.note == engine.NOTE_NO_DATA
    assert engine.compute(db, "trademark_applications", 2022, dataset="demo").value == 1


def test_high_value_per_10k_people(db):
    # High value (each by one criterion), all valid inventions in 滨海新区:
    add_patent(db, granted=date(2020, 1, 1), ipc=("G06F21/62",))  # key industry chain
    add_patent(db, granted=date(2020, 1, 1), family_size=3)  # family abroad (proxy)
    add_patent(db, granted=date(2015, 1, 1), filed=date(2012, 12, 30))  # maintained over 10 years at end 2022
    add_patent(db, granted=date(2020, 1, 1), pledges=1)  # pledged
    # Not high value: none of the criteria; family of 1; filed within the 10 years; not valid.
    add_patent(db, granted=date(2020, 1, 1), family_size=1, filed=date(2013, 1, 1))
    add_patent(db, granted=date(2020, 1, 1), pledges=2, lapse=date(2021, 1, 1), status="invalid")
    add_patent(db, granted=date(2020, 1, 1), district=HEPING, pledges=1)
    db.commit()
    binhai = engine.compute(db, "high_value_inventions_per_10k", 2022, district_code=BINHAI)
    assert binhai.record_count == 4
    assert binhai.value == round(4 * 10000 / 2_067_318, 2) and binhai.unit == "件/万人"
    # 和平区's exact census figure is not in the data file: not computable, with the reason.
    heping = engine.compute(db, "high_value_inventions_per_10k", 2022, district_code=HEPING)
    assert heping.value is None and heping.note == "无人口数据" and heping.yoy_growth is None
    city = engine.compute(db, "high_value_inventions_per_10k", 2022)
    assert city.record_count == 5 and city.value == round(5 * 10000 / 13_866_009, 2)
    rows = {r.district_code: r for r in engine.by_district(db, "high_value_inventions_per_10k", 2022)}
    assert rows[HEPING].value is None and rows[BINHAI].value == binhai.value
    chain = engine.compute(db, "high_value_inventions_per_10k", 2022, chain_code="xinchuang")
    assert chain.value is None and chain.note == engine.NOTE_CHAIN_NO_POPULATION


def test_trademark_indicators(db):
    add_trademark(db, filed=date(2021, 3, 1), registered=date(2022, 1, 15), expiry=date(2032, 1, 14))
    add_trademark(db, filed=date(2022, 3, 1), registered=date(2023, 2, 1), expiry=date(2033, 1, 31))
    add_trademark(db, filed=date(2022, 4, 1), status="applied")
    add_trademark(db, filed=date(2011, 1, 1), registered=date(2012, 1, 1), expiry=date(2022, 12, 31), status="expired")
    add_trademark(db, filed=date(2011, 1, 1), registered=date(2012, 1, 1), expiry=date(2023, 1, 1), status="expired")
    add_trademark(db, filed=date(2015, 1, 1), registered=date(2016, 1, 1), expiry=date(2026, 1, 1), status="invalidated")
    db.commit()
    assert engine.compute(db, "trademark_applications", 2022).value == 2
    assert engine.compute(db, "trademark_registrations", 2022).value == 1
    assert engine.compute(db, "valid_trademarks", 2022).value == 2  # the 2022 registration and the one expiring 2023-01-01
    assert engine.compute(db, "valid_trademarks", 2023).value == 2  # the 2022 and 2023 registrations
    chains = engine.by_chain(db, "trademark_applications", 2022)
    assert all(r.value is None and r.note == engine.NOTE_TRADEMARK_NO_CHAIN for r in chains)


def test_series_one_value_per_year(db):
    for year in (2019, 2020, 2020, 2022):
        add_patent(db, granted=date(year, 6, 1))
    db.commit()
    values = engine.series(db, "invention_grants", range(2019, 2023))
    assert [v.value for v in values] == [1, 2, 0, 1]
    assert [v.yoy_note for v in values] == [YoyNote.NO_DATA, None, None, YoyNote.ZERO_BASE]
    assert [v.yoy_growth for v in values] == [None, 100.0, -100.0, None]


def test_charts_escape_labels_and_mark_missing_values():
    svg = charts.column_chart(["2021", "<2022>"], [3, None], title="授权量")
    assert svg.startswith("<svg") and "&lt;2022&gt;" in svg and "—" in svg and "授权量" in svg
    ranking = charts.bar_ranking(["滨海新区", "和平区"], [5, 0], title="排名", links=["/search?a=1&b=2", None])
    assert ranking.index("滨海新区") < ranking.index("和平区") and 'href="/search?a=1&amp;b=2"' in ranking
    line = charts.line_chart(["2021", "2022", "2023"], [1, None, 3], title="有效量")
    assert "<polyline" not in line and line.count("<circle") == 2


def test_api_requires_staff(client, users):
    assert client.get("/api/stats/indicators").status_code == 401
    for role in ("public", "enterprise", "examiner", "agency"):
        headers = bearer(client, f"{role}_user")
        assert client.get("/api/stats/indicators", headers=headers).status_code == 403
        assert client.get("/api/stats/invention_grants", params={"year": 2022}, headers=headers).status_code == 403
    headers = bearer(client, "district_staff_user")
    catalogue = client.get("/api/stats/indicators", headers=headers).json()
    assert [d["code"] for d in catalogue][:3] == ["invention_grants", "valid_inventions", "high_value_inventions_per_10k"]
    assert all(d["definition"] and d["formula"] and d["sources"] for d in catalogue)


def test_api_values_and_errors(client, users, db):
    add_patent(db, granted=date(2021, 5, 1))
    add_patent(db, granted=date(2022, 5, 1))
    add_patent(db, granted=date(2022, 8, 1), district=XIQING)
    db.commit()
    headers = bearer(client, "bureau_staff_user")
    one = client.get("/api/stats/invention_grants", params={"year": 2022, "district_code": BINHAI},
                     headers=headers).json()
    assert one["value"] == 1 and one["yoy_growth"] == 0.0 and one["record_count_url"].startswith("/search?")
    h1 = client.get("/api/stats/invention_grants", params={"year": 2022, "period": "H1"}, headers=headers).json()
    assert h1["value"] == 1 and h1["period_end"] == "2022-06-30"
    series = client.get("/api/stats/invention_grants/series", params={"year_from": 2021, "year_to": 2022},
                        headers=headers).json()
    assert [v["value"] for v in series] == [1, 2]
    ranking = client.get("/api/stats/invention_grants/by-district", params={"year": 2022}, headers=headers).json()
    assert len(ranking) == 16 and {r["district_code"]: r["value"] for r in ranking}[XIQING] == 1
    chains = client.get("/api/stats/invention_grants/by-chain", params={"year": 2022}, headers=headers).json()
    assert len(chains) == 12
    assert client.get("/api/stats/nope", params={"year": 2022}, headers=headers).status_code == 422
    assert client.get("/api/stats/invention_grants", params={"year": 2022, "period": "Q9"},
                      headers=headers).status_code == 422
    assert client.get("/api/stats/invention_grants", params={"year": 2022, "dataset": "both"},
                      headers=headers).status_code == 422


def test_dashboard_page_renders_figures_charts_and_definitions(client, users, db):
    add_patent(db, granted=date(2021, 5, 1))
    add_patent(db, granted=date(2022, 5, 1))
    add_patent(db, granted=date(2022, 12, 20), district=XIQING)
    db.commit()
    login(client, "bureau_staff_user")
    response = client.get("/stats")
    assert response.status_code == 200
    assert "统计分析" in response.text and 'href="/stats"' in response.text
    assert "2022 年" in response.text  # default: the latest year whose grants reach December
    assert 'id="card-invention_grants"' in response.text and "▲ 100.0%" in response.text
    # Four figure charts, and the filing trend of each of the three patent kinds (publication lag marked); no
    # peer chart, as the official tables are empty here.
    assert response.text.count("<svg") == 4 + 3 and "滨海新区" in response.text
    assert "数据未完整公开" in response.text or "申请量（件，按申请日）" in response.text
    assert "每万人口高价值发明专利拥有量" in response.text and "中国专利奖" in response.text  # definitions and limitations
    assert "/search?patent_type=invention&amp;grant_from=2022-01-01" in response.text  # ranking bars drill down
    public = client.get("/stats", params={"year": "2022"})
    assert public.status_code == 200
    assert client.get("/stats", params={"year": "abc"}).status_code == 422


def test_dashboard_district_staff_default_to_their_district_and_demo_default(client, users, db):
    add_patent(db, granted=date(2022, 12, 1), dataset="demo")
    db.commit()
    login(client, "district_staff_user")
    response = client.get("/stats")
    assert response.status_code == 200
    assert "滨海新区 · 演示数据" in response.text and "演示数据，非真实统计" in response.text
    assert '<option value="120116" selected>' in response.text


def test_dashboard_forbidden_to_public(client, users):
    login(client, "public_user")
    assert client.get("/stats").status_code == 403
    assert 'href="/stats"' not in client.get("/").text


# --- in a real browser (fixtures shared with tests/test_browser.py) --------------------------

from tests.test_browser import _log_in, browser, page  # noqa: E402, F401 - pytest fixtures


@pytest.mark.browser
def test_browser_dashboard_shows_figures_and_charts(page, db, users):  # noqa: F811
    add_patent(db, granted=date(2021, 5, 1))
    add_patent(db, granted=date(2022, 5, 1))
    add_patent(db, granted=date(2022, 12, 20), district=XIQING)
    db.commit()
    _log_in(page, "bureau_staff_user")
    page.click("nav.mainnav a[href='/stats']")
    page.wait_for_selector("#card-invention_grants")
    assert page.locator("#card-invention_grants .num").inner_text().strip() == "2"
    assert "▲ 100.0%" in page.locator("#card-invention_grants").inner_text()
    assert page.locator("svg.chart").count() == 4 + 3  # the figure charts and the filing trend of each patent kind
    assert page.locator("svg.chart rect.bar").count() >= 3
    page.select_option("#stats-form select[name=district_code]", XIQING)
    page.locator("#stats-form button[type=submit]").click()
    page.wait_for_url("**district_code=120111**")
    assert page.locator("#card-invention_grants .num").inner_text().strip() == "1"
    # A district figure drills down to the records behind it.
    page.locator("#card-invention_grants a", has_text="查看记录").click()
    page.wait_for_url("**/search?**")
    assert "district_code=120111" in page.url and "grant_from=2022-01-01" in page.url


def test_drilldown_lists_exactly_the_counted_records(db):
    """Following a figure's link to /search finds as many records as the figure counts."""
    from urllib.parse import parse_qsl, urlparse

    from ipbureau.search import service as search_service
    from ipbureau.search.models import PatentQuery

    made = [
        add_patent(db, granted=date(2022, 3, 1), ipc=("G06F21/62",)),
        add_patent(db, granted=date(2022, 6, 1), district=XIQING, ipc=("A61K36/00",)),
        add_patent(db, granted=date(2022, 7, 1), district=None, ipc=("G06F21/62",)),  # Tianjin, district unknown
        add_patent(db, granted=date(2022, 8, 1), district=None, province="11"),  # Beijing: not counted
        add_patent(db, granted=date(2021, 8, 1)),  # another year
        add_patent(db, granted=date(2022, 9, 1), patent_type="utility_model"),
    ]
    db.commit()
    search_service.index_patents(db, [p.id for p in made])
    chain = next(r.chain_code for r in engine.by_chain(db, "invention_grants", 2022) if r.value == 2)
    for value in (engine.compute(db, "invention_grants", 2022),
                  engine.compute(db, "invention_grants", 2022, district_code=BINHAI),
                  engine.compute(db, "invention_grants", 2022, chain_code=chain)):
        params = dict(parse_qsl(urlparse(value.record_count_url).query))
        found = search_service.search(db, PatentQuery(**params), page_size=100, record=False)
        assert found.total == value.value
    assert engine.compute(db, "invention_grants", 2022).value == 3

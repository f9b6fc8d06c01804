"""Indicators over the bureau's work records (marketplace here; protection and services declare
theirs the same way): computed by the engine from the rows, by district, with YoY, never
mixing demo and real, and carried into the dashboard and the white paper."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from ipbureau.enterprises.models import Enterprise
from ipbureau.market.models import Deal, Listing, OpenLicence, Pledge
from ipbureau.stats import engine, whitepaper
from ipbureau.stats.catalogue import BY_CODE, CATALOGUE
from ipbureau.stats.enums import Subject
from tests.conftest import login
from tests.stats.test_stats import BINHAI, XIQING, add_patent, add_trademark


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 30, tzinfo=timezone.utc)  # late in the day: still that day


def _enterprise(db, name: str, credit: str, district: str, dataset: str = "real") -> Enterprise:
    ent = Enterprise(credit_code=credit, name=name, district_code=district, dataset=dataset)
    db.add(ent)
    db.flush()
    return ent


@pytest.fixture
def market_rows(db):
    """2024: 滨海 lists 2 patents (one listing) and declares an open licence on a third; one deal
    done for 300,000 yuan; one pledge of 5,000,000. 2023: 西青 lists 1 patent. A demo enterprise
    lists one patent in 2024 (must not count in real figures)."""
    binhai = _enterprise(db, "天津滨海统计测试有限公司", "91120116MA05T4XX1A", BINHAI)
    xiqing = _enterprise(db, "天津西青统计测试有限公司", "91120111MA05T4XX2B", XIQING)
    buyer = _enterprise(db, "天津受让统计测试有限公司", "91120111MA05T4XX3C", XIQING)
    demo = _enterprise(db, "演示统计测试有限公司", "91120116MA05T4XX4D", BINHAI, dataset="demo")
    p1, p2, p3, p4, p5 = (add_patent(db, granted=date(2020, 1, 1)) for _ in range(5))
    db.flush()
    listing = Listing(holder_enterprise_id=binhai.id, kind="licence", status="published", title="两件专利许可",
                      published_at=_at(date(2024, 12, 31)), patents=[p1, p2])
    old = Listing(holder_enterprise_id=xiqing.id, kind="transfer", status="closed", title="转让",
                  published_at=_at(date(2023, 6, 1)), patents=[p4])
    demo_listing = Listing(holder_enterprise_id=demo.id, kind="transfer", status="published", title="演示",
                           published_at=_at(date(2024, 3, 1)), patents=[p5])
    draft = Listing(holder_enterprise_id=binhai.id, kind="transfer", status="draft", title="草稿", patents=[p3])
    db.add_all([listing, old, demo_listing, draft])
    db.add(OpenLicence(patent_id=p3.id, holder_enterprise_id=binhai.id, fee_amount=Decimal("0"), fee_basis="lump_sum",
                       payment_method="一次性支付", term_start=date(2024, 1, 1), published_at=_at(date(2024, 2, 1))))
    db.flush()
    db.add(Deal(kind="licence", listing_id=listing.id, holder_enterprise_id=binhai.id,
                counterparty_enterprise_id=buyer.id, status="done", amount_yuan=Decimal("300000"),
                done_at=_at(date(2024, 8, 1))))
    db.add(Deal(kind="licence", listing_id=listing.id, holder_enterprise_id=binhai.id,
                counterparty_enterprise_id=buyer.id, status="cancelled", amount_yuan=Decimal("999")))
    db.add(Pledge(holder_enterprise_id=binhai.id, pledgee_bank="天津银行", amount_yuan=Decimal("5000000"),
                  registered_on=date(2024, 5, 1)))
    db.commit()


def test_market_indicators_count_the_records(db, market_rows):
    def value(code, year=2024, **kw):
        return engine.compute(db, code, year, **kw).value

    # p1, p2 listed; p3 openly licensed; the deal's listing patents p1, p2 again: 3 distinct.
    assert value("market_patents_operated") == 3
    assert value("market_patents_operated", 2023) == 1
    assert engine.compute(db, "market_patents_operated", 2024).yoy_growth == 200.0
    assert value("market_listings_published") == 1  # the draft and the demo listing do not count
    assert value("market_listings_published", dataset="demo") == 1
    assert value("market_deals_done") == 1  # the cancelled one does not
    assert value("market_deal_amount") == 30.0  # 万元
    assert value("market_open_licence_patents") == 1
    assert value("market_pledges") == 1 and value("market_pledge_amount") == 500.0
    # Districts are the holder's; 西青 had no 2024 activity, a true zero (the data cover 2024).
    districts = {v.district_code: v.value for v in engine.by_district(db, "market_listings_published", 2024)}
    assert districts[BINHAI] == 1 and districts[XIQING] == 0
    assert engine.compute(db, "market_listings_published", 2024, period="Q4").value == 1  # 23:30 UTC on 31 Dec
    # No IPC on a listing: the chain breakdown says why instead of inventing figures.
    chain = engine.by_chain(db, "market_deals_done", 2024)[0]
    assert chain.value is None and chain.note == engine.NOTE_NO_CHAIN
    # Sums carry no record count (it is an amount, not records).
    assert engine.compute(db, "market_deal_amount", 2024).record_count is None


def test_every_catalogue_indicator_computes_on_an_empty_database(db):
    for defn in CATALOGUE:
        result = engine.compute(db, defn.code, 2023)
        assert result.value is None and result.note == engine.NOTE_NO_DATA, defn.code
        assert len(engine.by_district(db, defn.code, 2023)) == 16
    assert engine.compute_many(db, [d.code for d in CATALOGUE], 2023) == [
        engine.compute(db, d.code, 2023) for d in CATALOGUE]


def test_the_batched_figures_equal_one_indicator_at_a_time(db, market_rows):
    """``compute_many`` (one statement for every non-patent indicator, as the dashboard and the white paper ask)
    against ``compute`` one by one: a sum, distinct counts, trademarks, a district without records, a year
    without data, the other dataset."""
    add_trademark(db, filed=date(2023, 4, 1), registered=date(2024, 2, 1), expiry=date(2034, 2, 1))
    add_trademark(db, filed=date(2024, 1, 5), district=XIQING)
    add_trademark(db, filed=date(2024, 3, 5), dataset="demo")
    db.flush()
    codes = [d.code for d in CATALOGUE]
    for year in (2010, 2023, 2024, 2025):
        for district in (None, BINHAI, XIQING, "120117"):
            for dataset in ("real", "demo"):
                one_by_one = [engine.compute(db, c, year, district_code=district, dataset=dataset) for c in codes]
                assert engine.compute_many(db, codes, year, district_code=district, dataset=dataset) == one_by_one, \
                    (year, district, dataset)
    figures = {v.code: v for v in engine.compute_many(db, codes, 2024)}
    assert figures["market_deal_amount"].value == 30.0 and figures["trademark_applications"].value == 1


def test_dashboard_and_white_paper_carry_the_market_figures(db, market_rows, client, users):
    paper = whitepaper.build(db, 2024, today=date(2025, 3, 1))
    work = next(s for s in paper.sections if s.title.startswith("五、"))
    assert [sub.title for sub in work.subsections][0] == f"（一）{Subject.MARKET.label}"
    facts = [f for f in paper.facts() if BY_CODE[f.code].subject == Subject.MARKET]
    assert {f.code for f in facts} >= {"market_patents_operated", "market_deal_amount"}
    for fact in facts:
        computed = engine.compute(db, fact.code, fact.year, dataset="real")
        assert getattr(computed, fact.field) == fact.value, fact

    login(client, "bureau_staff_user")
    page = client.get("/stats?year=2024&dataset=real").text
    assert 'id="subject-market"' in page and 'id="card-market_deal_amount"' in page
    card = page[page.index('id="card-market_patents_operated"'):]
    assert '<span class="num">3</span>' in card[:600]

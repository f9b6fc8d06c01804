"""Marketplace end to end in a real browser (Playwright + Debian chromium, pattern of test_browser.py):
an enterprise lists a patent, staff approve, another enterprise posts a demand, sees the explained
match, starts a deal, and the deal is completed."""

from __future__ import annotations

import re
from datetime import date

import pytest

from ipbureau.enterprises.models import Enterprise
from ipbureau.market import embeddings
from ipbureau.market.enums import DealStatus
from ipbureau.market.models import Deal
from tests.market.test_market import add_patent, add_user
from tests.test_browser import _log_in, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _log_out(page) -> None:
    page.click("form[action='/logout'] button[type=submit]")
    page.wait_for_url(re.compile(r"/login"))


def test_list_match_deal(page, db, users, enterprise):  # noqa: F811
    buyer = Enterprise(credit_code="91120000MA05N5L64B", name="天津需求方电池有限公司", district_code="120101")
    db.add(buyer)
    db.flush()
    add_user(db, "buyer_ent", "需求方", enterprise=buyer)
    patent = add_patent(db, enterprise, title="一种锂离子电池隔膜及其制备方法", ipc="H01M50/403")
    patent.abstract = "聚乙烯微孔膜涂覆陶瓷层，提高隔膜耐热性和电池安全性。"
    add_patent(db, enterprise, title="一种混凝土搅拌运输车的清洗装置", ipc="B28C5/42")
    db.commit()

    # The holder lists the patent and submits it.
    _log_in(page, "enterprise_user")
    page.goto("/market/listings/new")
    page.select_option("select[name=kind]", "transfer")
    page.fill("input[name=patents]", patent.application_no)
    page.fill("input[name=price_yuan]", "80000")
    page.locator("button[name=then_submit]").click()
    page.wait_for_url(re.compile(r"/market/listings/\d+"))
    listing_url = page.url.split("?")[0]
    assert "待审核" in page.locator("h1").inner_text()
    _log_out(page)

    # Staff approve.
    _log_in(page, "bureau_staff_user")
    page.goto(listing_url)
    page.click("form[action$='/approve'] button[type=submit]")
    page.wait_for_url(re.compile(r"message=approve"))
    assert "已发布" in page.locator("h1").inner_text()
    _log_out(page)

    # Another enterprise posts a demand and sees the explained match.
    _log_in(page, "buyer_ent")
    page.goto("/market/demands")
    page.fill("#demand-form input[name=title]", "锂电池隔膜耐热技术")
    page.fill("#demand-form textarea[name=description]", "我司生产动力电池，需要提高锂电池隔膜耐热性的涂覆技术")
    page.fill("#demand-form input[name=budget_yuan]", "100000")
    page.click("#demand-form button[type=submit]")
    page.wait_for_url(re.compile(r"/market/demands/\d+"))
    # The demand's vector (and the listed patent's) are computed after the commits, in the background.
    embeddings.wait_for_background()
    page.reload()
    first = page.locator("li.match").first
    first.wait_for()
    assert first.get_attribute("data-patent-id") == str(patent.id)
    assert first.locator("mark", has_text="隔膜").count() >= 1
    reasons = first.locator("ul.reasons").inner_text()
    assert "共同关键词" in reasons and "语义相似度" in reasons

    # … opens the listing from the match and starts a deal.
    first.locator("a.match-title").click()
    page.wait_for_url(re.compile(r"/market/listings/\d+"))
    page.locator("form[action$='/deals'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/market/deals/\d+"))
    deal_url = page.url.split("?")[0]
    deal_id = int(re.search(r"/market/deals/(\d+)", deal_url).group(1))

    # The deal is taken through to completion.
    page.click("form[action$='/negotiate'] button[type=submit]")
    page.wait_for_url(re.compile(r"message=negotiate"))
    page.fill("form[action$='/sign'] input[name=amount_yuan]", "80000")
    page.click("form[action$='/sign'] button[type=submit]")
    page.wait_for_url(re.compile(r"message=sign"))
    page.fill("form[action$='/file'] input[name=filing_no]", "2026120000001")
    page.fill("form[action$='/file'] input[name=filed_on]", date.today().isoformat())
    page.click("form[action$='/file'] button[type=submit]")
    page.wait_for_url(re.compile(r"message=file"))
    page.click("form[action$='/complete'] button[type=submit]")
    page.wait_for_url(re.compile(r"message=complete"))
    assert "完成" in page.locator("body").inner_text()
    db.expire_all()
    deal = db.get(Deal, deal_id)
    assert deal.status == DealStatus.DONE and deal.counterparty_enterprise_id == buyer.id and deal.amount_yuan == 80000

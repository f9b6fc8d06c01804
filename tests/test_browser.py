"""End to end in a real browser: Debian's chromium driven by Playwright, against the
app served by uvicorn (the ``live_server`` fixture) on the test database.

Playwright never downloads a browser here: /usr/bin/chromium is used. Without it
the tests are skipped locally and fail under CI=true.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 30_000


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e .[dev])")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def _log_in(page, username: str) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    assert "/login" not in page.url


def test_staff_search_finds_an_imported_patent_and_opens_it(page, db, users, sipo_sample, tmp_path_factory):
    from ipbureau.patents.flows import import_patents

    result = import_patents(db, sipo_sample, "sipo.xlsx")
    assert result.inserted == 199

    _log_in(page, "bureau_staff_user")
    page.goto("/search")
    page.fill("#search-form input[name=q]", "混凝土")
    page.locator("#search-form [type=submit]").first.click()
    page.wait_for_selector(".hit a.hit-title")

    total = page.locator("#total").inner_text()
    assert int(re.sub(r"\D", "", total)) > 0, total
    first = page.locator(".hit a.hit-title").first
    title = first.inner_text()
    assert "混凝土" in title

    shot = tmp_path_factory.mktemp("screenshots") / "search-results.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"search results screenshot: {shot}")

    first.click()
    page.wait_for_url(re.compile(r"/patents/\d+"))
    from sqlalchemy import select

    from ipbureau.patents.models import Patent

    patent_id = int(re.search(r"/patents/(\d+)", page.url).group(1))
    patent = db.get(Patent, patent_id)
    assert patent is not None and "混凝土" in patent.title
    body = page.locator("body").inner_text()
    assert patent.application_no in body
    assert patent.title in body
    assert db.scalar(select(Patent.application_no).where(Patent.id == patent_id)).startswith("CN2012")


def test_malformed_csv_upload_shows_row_and_column_on_the_job_page(page, db, users, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("申请号,名称,申请日,分类号,申请人地址,所属区\n"
                   "CN202210000001.0,日期错误,20221301,A01B1/02,天津市南开区,\n", encoding="utf-8")

    _log_in(page, "bureau_staff_user")
    page.goto("/imports")
    page.set_input_files("form[action='/imports'] input[type=file]", str(bad))
    page.click("form[action='/imports'] button[type=submit]")
    page.wait_for_url(re.compile(r"/imports/jobs/[0-9a-f]+"))

    problem = page.locator("#problems li").first
    problem.wait_for()
    text = problem.inner_text()
    assert text.startswith("第 2 行，“申请日”："), text
    assert page.locator("#state").inner_text().startswith("导入失败，未写入任何记录")
    assert "error" in (page.locator("#state").get_attribute("class") or "")

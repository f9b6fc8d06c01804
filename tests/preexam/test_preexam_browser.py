"""A pre-examination case from filing to decision in a real browser (Debian's chromium, Playwright):
the enterprise files, staff approve the filing, the enterprise submits a case with a document,
the examiner decides 合格, and the enterprise sees the decision."""

from __future__ import annotations

import re

import pytest

from ipbureau.protection.preexam import service
from ipbureau.protection.preexam.models import Case
from ipbureau.protection.preexam.schemas import ExaminerUpdate
from tests.conftest import PASSWORD
from tests.test_browser import CHROMIUM_ARGS, TIMEOUT_MS, browser  # noqa: F401  (module-scoped fixture)

pytestmark = pytest.mark.browser


def _session(browser, base_url: str, username: str):  # noqa: F811
    context = browser.new_context(base_url=base_url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page


def test_preexam_case_from_filing_to_decision(browser, live_server, db, users, tmp_path):  # noqa: F811
    service.ensure_centres(db)  # as the app does at start-up
    city = service.centre_by_code(db, "tianjin")
    service.set_examiner(db, users["examiner"].id, ExaminerUpdate(centre_id=city.id, ipc_prefixes="G06F"),
                         actor=users["bureau_staff"])
    db.commit()

    # 1. The enterprise applies to be filed with the city centre, declaring G06F.
    context, page = _session(browser, live_server, "enterprise_user")
    page.goto("/preexam")
    page.select_option("#filing-form select[name=centre_id]", label="天津市知识产权保护中心")
    page.fill("#filing-form input[name=ipc_fields]", "G06F")
    page.click("#filing-form button[type=submit]")
    page.wait_for_url(re.compile(r"/preexam/filings/\d+"))
    assert page.locator("#filing-status").inner_text() == "待审核"
    filing_url = page.url.split("?")[0]
    context.close()

    # 2. Bureau staff approve the filing.
    context, page = _session(browser, live_server, "bureau_staff_user")
    page.goto(filing_url)
    page.click("#approve-filing button[type=submit]")
    page.wait_for_selector("text=已批准备案")
    assert page.locator("#filing-status").inner_text() == "已备案"
    context.close()

    # 3. The enterprise submits a case with its specification.
    document = tmp_path / "说明书.pdf"
    document.write_bytes(b"%PDF-1.4 browser test\n")
    context, page = _session(browser, live_server, "enterprise_user")
    page.goto("/preexam")
    page.click("text=提交预审案件")
    page.wait_for_url(re.compile(r"/preexam/cases/new"))
    page.select_option("#case-form select[name=centre_id]", label="天津市知识产权保护中心")
    page.fill("#case-form input[name=title]", "一种基于索引的数据检索方法")
    page.fill("#case-form input[name=ipc_main]", "G06F 16/30")
    page.fill("#case-form textarea[name=abstract]", "本发明公开了一种基于倒排索引的数据检索方法。")
    page.set_input_files("#case-form input[type=file]", str(document))
    page.click("#case-form button[type=submit]")
    page.wait_for_url(re.compile(r"/preexam/cases/\d+"))
    assert page.locator("#case-status").inner_text() == "已受理待预审"
    assert page.locator("#documents li").first.inner_text().startswith("说明书.pdf")
    case_url = page.url.split("?")[0]
    context.close()

    # 4. The examiner assigned by field decides 合格.
    context, page = _session(browser, live_server, "examiner_user")
    page.goto("/preexam")
    page.click("#queue a:has-text('YS-TI-')")
    page.wait_for_url(re.compile(r"/preexam/cases/\d+"))
    page.select_option("#decide-form select[name=decision]", label="预审合格")
    page.fill("#decide-form input[name=reason]", "符合预审要求")
    page.click("#decide-form button[type=submit]")
    page.wait_for_selector("text=预审结论已作出")
    context.close()

    # 5. The enterprise sees the decision.
    context, page = _session(browser, live_server, "enterprise_user")
    page.goto(case_url)
    assert page.locator("#case-status").inner_text() == "预审合格"
    assert page.locator("#decision").inner_text().startswith("预审合格")
    assert "符合预审要求" in page.locator("#decision").inner_text()
    page.goto("/preexam")
    assert "预审合格" in page.locator("#case-list").inner_text()
    context.close()

    db.expire_all()
    case = db.query(Case).one()
    assert case.status == "qualified" and case.examiner_id == users["examiner"].id and len(case.documents) == 1

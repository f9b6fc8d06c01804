"""The shared progress script in a real browser, on the screening page (the import page's is in test_browser)."""

from __future__ import annotations

import re

import pytest

from tests.test_browser import _log_in, browser, page  # noqa: F401  (the browser fixtures)

pytestmark = pytest.mark.browser


def test_a_screening_started_from_the_page_shows_its_progress_then_its_end(page, db, users):  # noqa: F811
    _log_in(page, "bureau_staff_user")
    page.goto("/screening")
    page.click("form[action='/screening/runs'] button[type=submit]")
    page.wait_for_url(re.compile(r"/screening\?job=[0-9a-f]{32}"))
    page.wait_for_selector("#state.ok")
    state = page.locator("#state")
    assert "刷新队列" in state.inner_text() and state.locator("a").get_attribute("href") == "/screening"
    assert page.locator("#bar").get_attribute("value") == "100"

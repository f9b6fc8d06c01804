"""The Content-Security-Policy in a real browser (Playwright + Debian chromium, as tests/test_browser.py): the
pages that carry scripts (the import job page's progress poller, the API docs) work under it, and no page makes
the browser report a refused script, style or frame."""

from __future__ import annotations

import pytest

from tests.test_browser import _log_in, browser, page  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

PAGES = ["/", "/search?q=%E7%94%B5%E6%B1%A0", "/stats", "/market", "/preexam", "/screening", "/imports",
         "/enterprises", "/workplan", "/navigation"]


def _csp_reports(page) -> list[str]:
    reports: list[str] = []
    page.on("console", lambda message: reports.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text else None)
    page.on("pageerror", lambda error: reports.append(f"page error: {error}"))
    return reports


def test_staff_pages_run_under_the_policy(page, users):  # noqa: F811
    reports = _csp_reports(page)
    _log_in(page, "bureau_staff_user")
    for path in PAGES:
        response = page.goto(path)
        assert response is not None and response.status < 500, path
        assert "script-src 'self' 'nonce-" in response.headers["content-security-policy"]
    assert reports == []


def test_the_api_docs_start_with_their_nonce(page, users):  # noqa: F811
    reports = _csp_reports(page)
    page.goto("/api/docs")
    # The inline start-up script (nonce) draws Swagger UI into the empty #swagger-ui; refused, the div stays empty.
    page.wait_for_selector("#swagger-ui > .swagger-ui", state="attached", timeout=30_000)
    assert reports == []

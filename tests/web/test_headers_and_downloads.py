"""The web edge: security headers on every response, and download names that no query string can reach
(issue 11.6)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from ipbureau.web.downloads import content_disposition
from tests.conftest import login

HOSTILE = "2024\";filename*=UTF-8''evil.html"


def _assert_security_headers(response) -> None:
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert re.search(r"script-src 'self' 'nonce-[\w-]{16,}'", csp)
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]  # no inline script without the nonce
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/login", "/api/openapi.json", "/static/app.css", "/healthz", "/no-such-page",
                                  "/api/no-such-route", "/api/docs"])
def test_every_response_carries_the_security_headers(client, path):
    response = client.get(path)
    _assert_security_headers(response)
    assert "strict-transport-security" not in response.headers  # HTTP only: no HSTS


def test_error_pages_carry_the_headers_too(client, users):
    response = client.get("/audit", follow_redirects=False)  # anonymous: redirected to the login page
    _assert_security_headers(response)
    login(client, "public_user")
    forbidden = client.get("/audit")
    assert forbidden.status_code == 403
    _assert_security_headers(forbidden)


def test_each_request_gets_its_own_nonce_and_inline_scripts_carry_it(client):
    first = client.get("/api/docs")
    second = client.get("/api/docs")
    nonces = [re.search(r"'nonce-([\w-]+)'", r.headers["content-security-policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", first.text)
    assert inline and all(f'nonce="{nonces[0]}"' in attributes for attributes in inline)


def test_https_adds_strict_transport_security(db, monkeypatch):
    from fastapi.testclient import TestClient

    from ipbureau.app import create_app
    from ipbureau.config import get_settings

    monkeypatch.setenv("IPBUREAU_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    try:
        with TestClient(create_app(), base_url="https://testserver") as client:
            response = client.get("/login")
    finally:
        monkeypatch.delenv("IPBUREAU_SECURE_COOKIES")
        get_settings.cache_clear()
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    assert "secure" in response.headers["set-cookie"].lower()  # the session cookie goes over HTTPS only
    _assert_security_headers(response)


def test_content_disposition_keeps_a_hostile_name_inside_its_parameter():
    header = content_disposition(f"market-stats-{HOSTILE}.xlsx")
    # Exactly two parameters: the ASCII fallback in quotes, and the percent-encoded UTF-8 name.
    match = re.fullmatch(r'attachment; filename="([A-Za-z0-9._-]+)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~-]+)', header)
    assert match, header
    assert unquote(match.group(2)) == f"market-stats-{HOSTILE}.xlsx"  # the exact name, only encoded
    assert header.count("filename*=") == 1 and "evil.html\"" not in header


@pytest.mark.parametrize(("name", "fallback"), [
    ("人工智能产业导航（2020—2022）.docx", "20202022_.docx"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\plan.xlsx", "plan.xlsx"),
    ("line\r\nSet-Cookie: x=1.csv", "line_Set-Cookie_x_1.csv"),
    ("", "download"),
])
def test_content_disposition_of_awkward_names(name, fallback):
    header = content_disposition(name)
    assert f'filename="{fallback}"' in header
    assert "\r" not in header and "\n" not in header and "/" not in unquote(header.split("''")[1])


@pytest.mark.parametrize("path", ["/market/stats.xlsx", "/enforcement/stats.xlsx", "/preexam/stats.xlsx",
                                  "/workplan/export.xlsx"])
def test_a_hostile_year_is_refused_before_it_reaches_a_file_name(client, users, path):
    login(client, "bureau_staff_user")
    response = client.get(path, params={"year": HOSTILE})
    assert response.status_code == 422
    assert "content-disposition" not in response.headers
    assert "年" in response.text  # the Chinese message names the field


def test_exports_name_their_file_from_the_validated_year(client, users):
    login(client, "bureau_staff_user")
    response = client.get("/market/stats.xlsx", params={"year": "2023"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"market-stats-2023.xlsx\"; filename*=UTF-8''market-stats-2023.xlsx")


def test_an_unknown_path_is_answered_in_chinese(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "页面不存在" in page.text and "Not Found" not in page.text
    api = client.get("/api/no-such-route")
    assert api.status_code == 404 and api.json() == {"detail": "页面不存在"}

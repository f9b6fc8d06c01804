"""Server-side sessions and API tokens (issue 11.3): logout ends a copied cookie, disabling an account or changing
a password ends its sessions and tokens, idle and absolute time-outs, last-seen written off the request path,
and the 我的会话 page."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ipbureau.audit.models import AuditLog
from ipbureau.auth import sessions
from ipbureau.auth.models import AuthSession, User
from ipbureau.config import get_settings
from tests.conftest import PASSWORD, bearer, csrf_from, login

COOKIE = "ipbureau_session"


def _signed_in(app, username: str) -> TestClient:
    client = TestClient(app)
    login(client, username)
    return client


def _copy(app, client: TestClient) -> TestClient:
    """Another browser holding a copy of the client's cookie."""
    return TestClient(app, cookies={COOKIE: client.cookies[COOKIE]})


def _signed_in_ok(client: TestClient) -> bool:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def _token_ok(client: TestClient, headers: dict[str, str]) -> bool:
    status = client.get("/api/auth/me", headers=headers).status_code
    assert status in (200, 401), status
    return status == 200


def _rows(db, user: User) -> list[AuthSession]:
    db.expire_all()
    return list(db.scalars(select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.id)))


def _audit(db, action: str) -> list[AuditLog]:
    db.expire_all()
    return list(db.scalars(select(AuditLog).where(AuditLog.action == action)))


def test_the_cookie_carries_only_a_random_secret_whose_digest_is_stored(app, db, users):
    with _signed_in(app, "public_user") as client:
        payload = client.cookies[COOKIE].split(".")[0]
        data = json.loads(base64.b64decode(payload + "=" * (-len(payload) % 4)))
        assert set(data) <= {"sid", "csrf"} and "sid" in data
        # No value is the user's id (a digit may well occur inside the random secret itself).
        assert all(value not in (users["public"].id, str(users["public"].id)) for value in data.values())
        (row,) = _rows(db, users["public"])
        assert row.kind == sessions.BROWSER and row.ip_address == "testclient"
        assert row.secret_hash == hashlib.sha256(data["sid"].encode()).hexdigest() != data["sid"]


def test_logout_ends_the_session_so_a_copied_cookie_stops_working_at_once(app, db, users):
    with _signed_in(app, "public_user") as client, _copy(app, client) as thief:
        assert _signed_in_ok(thief)
        token = csrf_from(client.get("/").text)
        assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        assert not _signed_in_ok(client)
        assert not _signed_in_ok(thief)
    (row,) = _rows(db, users["public"])
    assert row.ended_at is not None and row.end_reason == "logout"


def test_tokens_are_server_side_rows_and_a_forged_one_is_refused(app, db, client, users):
    headers = bearer(client, "public_user")
    assert _token_ok(client, headers)
    (row,) = _rows(db, users["public"])
    assert row.kind == sessions.TOKEN
    assert row.secret_hash == hashlib.sha256(headers["Authorization"][7:].encode()).hexdigest()
    assert not _token_ok(client, {"Authorization": "Bearer " + "x" * 43})
    # A browser secret is not a token, and a token is not a browser secret.
    with _signed_in(app, "public_user") as browser:
        sid = json.loads(base64.b64decode(browser.cookies[COOKIE].split(".")[0] + "=="))["sid"]
        assert not _token_ok(client, {"Authorization": f"Bearer {sid}"})


@pytest.mark.parametrize("how", ["api", "page"])
def test_disabling_a_user_ends_all_their_sessions_and_tokens(app, db, users, how):
    target = users["public"]
    with _signed_in(app, "public_user") as browser, _signed_in(app, "admin_user") as admin:
        headers = bearer(browser, "public_user")
        assert _signed_in_ok(browser) and _token_ok(browser, headers)
        if how == "api":
            answer = admin.post(f"/api/users/{target.id}/disable", headers=bearer(admin, "admin_user"))
            assert answer.status_code == 200 and answer.json()["is_active"] is False
        else:
            answer = admin.post(f"/users/{target.id}/disable", data={"csrf_token": csrf_from(admin.get("/users").text)},
                                follow_redirects=False)
            assert answer.status_code == 303
        assert not _signed_in_ok(browser) and not _token_ok(browser, headers)
        assert {row.end_reason for row in _rows(db, target)} == {"disabled"}
        (entry,) = _audit(db, "user.disable")
        assert entry.entity_id == str(target.id) and entry.changes == {"is_active": [True, False]}
        assert "结束其会话与令牌 2 个" in entry.summary
        # Enabled again, the old sessions stay ended; signing in works again.
        assert admin.post(f"/api/users/{target.id}/enable", headers=bearer(admin, "admin_user")).status_code == 200
        assert not _signed_in_ok(browser) and not _token_ok(browser, headers)
        login(browser, "public_user")
        assert _signed_in_ok(browser)


def test_an_administrator_cannot_disable_their_own_account(app, db, users):
    with _signed_in(app, "admin_user") as admin:
        answer = admin.post(f"/api/users/{users['admin'].id}/disable", headers=bearer(admin, "admin_user"))
        assert answer.status_code == 422 and answer.json()["detail"] == "状态：不能停用自己的账户"
        assert _signed_in_ok(admin)


def test_a_password_reset_by_the_administrator_ends_all_sessions_and_tokens(app, db, users):
    target = users["examiner"]
    with _signed_in(app, "examiner_user") as browser, _signed_in(app, "admin_user") as admin:
        headers = bearer(browser, "examiner_user")
        page = admin.get("/users").text
        answer = admin.post(f"/users/{target.id}/password", data={"csrf_token": csrf_from(page),
                                                                   "password": " new password 1 "},
                            follow_redirects=False)
        assert answer.status_code == 303
        assert not _signed_in_ok(browser) and not _token_ok(browser, headers)
        assert {row.end_reason for row in _rows(db, target)} == {"password"}
        assert len(_audit(db, "user.password_reset")) == 1
        # The new password, spaces included, signs in; the old one does not.
        assert browser.post("/api/auth/token", json={"username": "examiner_user", "password": PASSWORD}
                            ).status_code == 401
        assert browser.post("/api/auth/token", json={"username": "examiner_user", "password": " new password 1 "}
                            ).status_code == 200
        short = admin.post(f"/api/users/{target.id}/password", json={"password": "short"},
                           headers=bearer(admin, "admin_user"))
        assert short.status_code == 422 and "密码" in short.json()["detail"]


def test_changing_ones_own_password_ends_the_other_sessions_and_tokens_and_keeps_this_one(app, db, users):
    with _signed_in(app, "agency_user") as browser, _signed_in(app, "agency_user") as other:
        headers = bearer(other, "agency_user")
        token = csrf_from(browser.get("/account/sessions").text)
        wrong = browser.post("/account/password", data={"csrf_token": token, "current_password": "not-it",
                                                          "new_password": "brand-new-pass"})
        assert wrong.status_code == 422 and "当前密码：不正确" in wrong.text
        assert _signed_in_ok(other)
        done = browser.post("/account/password", data={"csrf_token": token, "current_password": PASSWORD,
                                                         "new_password": "brand-new-pass"})
        assert done.status_code == 200 and "其他会话与令牌已结束（2 个）" in done.text
        assert _signed_in_ok(browser)
        assert not _signed_in_ok(other) and not _token_ok(other, headers)
        assert len(_audit(db, "user.password_change")) == 1


def test_a_browser_session_ends_after_30_idle_minutes_and_12_hours_in_all(app, db, users, clock):
    settings = get_settings()
    assert (settings.session_idle_timeout_s, settings.session_max_age_s) == (30 * 60, 12 * 3600)
    with _signed_in(app, "public_user") as client:
        # Used every 20 minutes: alive until 12 hours after sign-in, however active.
        for _ in range(35):
            clock.advance(minutes=20)
            assert _signed_in_ok(client)
            assert sessions.flush_seen() == 1
        clock.advance(minutes=20)  # 12 h 0 min after sign-in
        assert not _signed_in_ok(client)
    with _signed_in(app, "public_user") as client:
        clock.advance(minutes=29)
        assert _signed_in_ok(client)
        sessions.flush_seen()
        clock.advance(minutes=31)
        assert not _signed_in_ok(client)


def test_an_api_token_has_no_idle_limit_but_ends_after_12_hours(app, client, db, users, clock):
    headers = bearer(client, "public_user")
    clock.advance(hours=11, minutes=59)
    assert _token_ok(client, headers)
    clock.advance(minutes=2)
    assert not _token_ok(client, headers)


def test_last_seen_is_noted_at_most_once_a_minute_and_written_off_the_request(app, db, users, clock):
    with _signed_in(app, "public_user") as client:
        (row,) = _rows(db, users["public"])
        signed_in_at = row.last_seen_at
        clock.advance(seconds=30)
        assert _signed_in_ok(client)
        assert sessions.flush_seen() == 0  # seen 30 s ago: nothing to note
        clock.advance(seconds=45)
        assert _signed_in_ok(client) and _signed_in_ok(client)
        (row,) = _rows(db, users["public"])
        assert row.last_seen_at == signed_in_at  # the GETs wrote nothing themselves
        assert sessions.flush_seen() == 1
        (row,) = _rows(db, users["public"])
        assert sessions.aware(row.last_seen_at) == clock.at


def test_my_sessions_lists_sessions_and_tokens_and_ends_any_of_them(app, db, users):
    with _signed_in(app, "enterprise_user") as mine, _signed_in(app, "enterprise_user") as laptop, \
            _signed_in(app, "bureau_staff_user") as stranger:
        headers = bearer(mine, "enterprise_user")
        listed = mine.get("/api/auth/sessions", headers=headers).json()
        assert sorted(item["kind"] for item in listed) == ["browser", "browser", "token"]
        assert [item["current"] for item in listed if item["kind"] == "token"] == [True]
        page = mine.get("/account/sessions")
        assert page.status_code == 200 and "我的会话" in page.text
        assert page.text.count("（当前）") == 1 and page.text.count("API 令牌") >= 1
        assert 'href="/account/sessions"' in page.text  # the header links it from every page
        own_rows = _rows(db, users["enterprise"])
        laptop_row = own_rows[1]
        # Another user's session is not there for this one (404, not 403).
        stranger_row = _rows(db, users["bureau_staff"])[0]
        token = csrf_from(page.text)
        assert mine.post(f"/account/sessions/{stranger_row.id}/end", data={"csrf_token": token},
                         follow_redirects=False).status_code == 404
        assert _signed_in_ok(stranger)
        ended = mine.post(f"/account/sessions/{laptop_row.id}/end", data={"csrf_token": token},
                          follow_redirects=False)
        assert ended.status_code == 303 and ended.headers["location"] == "/account/sessions"
        assert not _signed_in_ok(laptop) and _signed_in_ok(mine)
        assert len(_audit(db, "session.end")) == 1
        # Ending the token through the API; then the current browser session through the page signs out.
        token_row = next(row for row in _rows(db, users["enterprise"]) if row.kind == sessions.TOKEN)
        assert mine.post(f"/api/auth/sessions/{token_row.id}/end", headers=headers).status_code == 200
        assert not _token_ok(mine, headers)
        current = own_rows[0]
        out = mine.post(f"/account/sessions/{current.id}/end", data={"csrf_token": token}, follow_redirects=False)
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert not _signed_in_ok(mine)


def test_an_administrator_ends_all_sessions_of_a_user(app, db, users):
    target = users["mediator"]
    with _signed_in(app, "mediator_user") as browser, _signed_in(app, "admin_user") as admin:
        headers = bearer(browser, "mediator_user")
        answer = admin.post(f"/users/{target.id}/sessions/end",
                            data={"csrf_token": csrf_from(admin.get("/users").text)}, follow_redirects=False)
        assert answer.status_code == 303
        assert not _signed_in_ok(browser) and not _token_ok(browser, headers)
        (entry,) = _audit(db, "user.sessions_end")
        assert entry.changes == {"ended": 2} and entry.actor_name == "admin_user"
        assert admin.post(f"/api/users/{target.id}/sessions/end", headers=bearer(admin, "admin_user")
                          ).json() == {"ended": 0}
        assert _signed_in_ok(admin)


def test_session_cookies_are_httponly_samesite_lax_and_secure_when_configured(app, users, monkeypatch):
    with TestClient(app) as client:
        header = client.get("/login").headers["set-cookie"].lower()
        assert "httponly" in header and "samesite=lax" in header and "secure" not in header
    monkeypatch.setenv("IPBUREAU_SECURE_COOKIES", "true")
    get_settings.cache_clear()
    try:
        from ipbureau.app import create_app

        with TestClient(create_app(), base_url="https://testserver") as client:
            header = client.get("/login").headers["set-cookie"].lower()
            assert "secure" in header and "httponly" in header and "samesite=lax" in header
    finally:
        monkeypatch.delenv("IPBUREAU_SECURE_COOKIES")
        get_settings.cache_clear()


def test_a_sign_in_purges_sessions_ended_or_expired_over_30_days_ago(app, db, users, clock):
    client = TestClient(app)
    bearer(client, "public_user")  # a token: expires 12 h later
    login(client, "public_user")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").text)})  # ended now

    def kinds() -> list[str]:
        return [row.kind for row in _rows(db, users["public"])]

    assert kinds() == [sessions.TOKEN, sessions.BROWSER]
    clock.advance(days=29, hours=23)
    login(client, "public_user")
    assert kinds() == [sessions.TOKEN, sessions.BROWSER, sessions.BROWSER]  # nothing 30 days old yet
    clock.advance(hours=2)
    login(client, "public_user")  # the session ended 30 days 1 h ago goes; the token expired 29 days 13 h ago
    assert kinds() == [sessions.TOKEN, sessions.BROWSER, sessions.BROWSER]
    assert all(row.end_reason != "logout" for row in _rows(db, users["public"]))
    clock.advance(hours=11, minutes=1)  # the token expired 30 days and a minute ago
    login(client, "public_user")
    assert kinds() == [sessions.BROWSER] * 3
    client.close()


def test_signing_in_again_in_the_same_browser_ends_the_previous_session(app, db, users):
    with _signed_in(app, "public_user") as client, _copy(app, client) as copy:
        login(client, "public_user")
        assert _signed_in_ok(client) and not _signed_in_ok(copy)
        first, second = _rows(db, users["public"])
        assert (first.end_reason, second.ended_at) == ("logout", None)

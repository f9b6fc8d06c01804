"""Login throttling (issue 11.4) on the login form and the token endpoint, per account and per address, counted in
the database; the lock's message, audit and administrator's unlock; and one Argon2 verification whether or not the
user name exists."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from ipbureau.audit.models import AuditLog
from ipbureau.auth import service, sessions
from ipbureau.auth.models import LoginFailure, LoginLock
from ipbureau.auth.security import verify_dummy
from ipbureau.config import get_settings
from tests.conftest import PASSWORD, bearer, csrf_from, login

LOCKED = "登录失败次数过多，请于 {} 后再试或联系管理员解锁"


def _form_login(client, username: str, password: str):
    return client.post("/login", data={"username": username, "password": password, "next": "/",
                                       "csrf_token": csrf_from(client.get("/login").text)}, follow_redirects=False)


def _token(client, username: str, password: str):
    return client.post("/api/auth/token", json={"username": username, "password": password})


def _locks(db) -> list[LoginLock]:
    db.expire_all()
    return list(db.scalars(select(LoginLock).order_by(LoginLock.id)))


def _until(lock: LoginLock) -> str:
    return f"{sessions.local_time(lock.locked_until):%H:%M}"


def test_the_limits_are_five_per_account_and_twenty_per_address_in_fifteen_minutes():
    settings = get_settings()
    assert (settings.login_failures_per_account, settings.login_failures_per_address,
            settings.login_failure_window_s) == (5, 20, 15 * 60)


def test_five_wrong_passwords_lock_the_account_on_the_form_and_the_token_endpoint(app, db, users, clock,
                                                                                   client_from):
    client = client_from("10.0.0.1")
    for attempt in range(5):
        answer = _form_login(client, "public_user", f"wrong-{attempt}")
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    (lock,) = _locks(db)
    assert (lock.kind, lock.subject) == ("account", "public_user")
    assert sessions.aware(lock.locked_until) == clock.at + timedelta(minutes=15)
    message = LOCKED.format(_until(lock))
    # The right password no longer signs in, from this address or any other, through the form or the API.
    refused = _form_login(client, "public_user", PASSWORD)
    assert refused.status_code == 429 and message in refused.text
    elsewhere = _token(client_from("10.9.9.9"), "public_user", PASSWORD)
    assert elsewhere.status_code == 429 and elsewhere.json()["detail"] == message
    # Other accounts from the same address are not locked.
    login(client, "agency_user")
    (entry,) = db.scalars(select(AuditLog).where(AuditLog.action == "auth.lock")).all()
    assert entry.entity_id == str(lock.id) and entry.ip_address == "10.0.0.1"
    assert entry.summary == f"账户 public_user 在 15 分钟内登录失败 5 次，锁定至 {_until(lock)}"
    assert entry.changes == {"kind": "account", "subject": "public_user", "failures": 5}
    # The lock ends by itself after 15 minutes.
    clock.advance(minutes=15)
    assert _token(client, "public_user", PASSWORD).status_code == 200


def test_wrong_passwords_on_the_token_endpoint_count_too(app, db, users, client_from):
    client = client_from("10.0.0.2")
    for _ in range(5):
        assert _token(client, "examiner_user", "nope-nope").status_code == 401
    assert _form_login(client, "examiner_user", PASSWORD).status_code == 429
    assert [(lock.kind, lock.subject) for lock in _locks(db)] == [("account", "examiner_user")]


def test_twenty_failures_from_one_address_lock_the_address(app, db, users, clock, client_from):
    attacker = client_from("203.0.113.5")
    for number in range(20):  # four tries each at five names: no single name is locked
        answer = _token(attacker, f"guess{number % 5}", "123456")
        assert answer.status_code == 401, number
        if number % 5 == 4:
            clock.advance(seconds=1)
    locks = _locks(db)
    assert [(lock.kind, lock.subject) for lock in locks] == [("address", "203.0.113.5")]
    refused = _form_login(attacker, "public_user", PASSWORD)
    assert refused.status_code == 429 and LOCKED.format(_until(locks[0])) in refused.text
    # Another address signs in as usual.
    login(client_from("198.51.100.7"), "public_user")
    assert db.scalars(select(AuditLog).where(AuditLog.action == "auth.lock")).one().summary.startswith(
        "地址 203.0.113.5 在 15 分钟内登录失败 20 次")


def test_failures_older_than_the_window_and_before_a_successful_sign_in_do_not_count(app, db, users, clock,
                                                                                      client_from):
    client = client_from("10.0.0.3")
    for _ in range(4):
        _token(client, "agency_user", "wrong-password")
    clock.advance(minutes=15, seconds=1)
    for _ in range(4):
        _token(client, "agency_user", "wrong-password")
    assert _token(client, "agency_user", PASSWORD).status_code == 200
    db.expire_all()
    assert db.scalars(select(LoginFailure).where(LoginFailure.username == "agency_user")).all() == []
    for _ in range(4):
        _token(client, "agency_user", "wrong-password")
    assert _locks(db) == []
    assert _token(client, "agency_user", PASSWORD).status_code == 200


def test_an_unknown_user_name_is_locked_like_a_real_one(app, db, users, client_from):
    client = client_from("10.0.0.4")
    answers = [_token(client, "no_such_user", "whatever-1") for _ in range(6)]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert [(lock.kind, lock.subject) for lock in _locks(db)] == [("account", "no_such_user")]


def test_the_administrator_sees_the_locks_and_unlocks_early_with_an_audit_entry(app, db, users, client_from):
    victim = client_from("10.0.0.5")
    for _ in range(5):
        _form_login(victim, "district_staff_user", "wrong-password")
    assert _form_login(victim, "district_staff_user", PASSWORD).status_code == 429
    (lock,) = _locks(db)
    admin = client_from("10.0.0.6")
    headers = bearer(admin, "admin_user")
    listed = admin.get("/api/auth/locks", headers=headers).json()
    assert [(item["kind"], item["subject"]) for item in listed] == [("account", "district_staff_user")]
    login(admin, "admin_user")
    page = admin.get("/users").text
    assert "登录锁定" in page and "district_staff_user" in page and f"/users/locks/{lock.id}/unlock" in page
    # Not for other roles.
    assert victim.get("/api/auth/locks", headers=bearer(client_from("10.0.0.8"), "bureau_staff_user")
                      ).status_code == 403
    done = admin.post(f"/users/locks/{lock.id}/unlock", data={"csrf_token": csrf_from(page)}, follow_redirects=False)
    assert done.status_code == 303
    (entry,) = db.scalars(select(AuditLog).where(AuditLog.action == "auth.unlock")).all()
    assert entry.actor_name == "admin_user" and entry.summary == "解除账户 district_staff_user 的登录锁定"
    # Unlocked, and the failures that caused the lock are forgotten: one more wrong password does not lock again.
    assert _form_login(victim, "district_staff_user", "wrong-again").status_code == 401
    login(victim, "district_staff_user")
    assert admin.post(f"/api/auth/locks/{lock.id}/unlock", headers=headers).status_code == 404


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many Argon2 hashes and verifications run (after the dummy hash exists)."""
    verify_dummy("warm-up")  # makes the process's dummy hash once, before counting
    counts = {"verify": 0, "hash": 0}
    real_verify, real_hash = PasswordHasher.verify, PasswordHasher.hash

    def verify(self, *args, **kwargs):
        counts["verify"] += 1
        return real_verify(self, *args, **kwargs)

    def hash_(self, *args, **kwargs):
        counts["hash"] += 1
        return real_hash(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", verify)
    monkeypatch.setattr(PasswordHasher, "hash", hash_)
    return counts


def test_known_and_unknown_user_names_cost_exactly_one_verification(db, users, verifications):
    users["agency"].is_active = False  # a disabled account is refused like an unknown name
    db.flush()
    for username, password in (("public_user", "wrong-password"), ("nobody_here", "wrong-password"),
                               ("agency_user", PASSWORD), ("public_user", PASSWORD)):
        before = dict(verifications)
        service.authenticate(db, username, password)
        assert (verifications["verify"] - before["verify"], verifications["hash"] - before["hash"]) == (1, 0), username


def test_the_login_form_costs_one_verification_for_known_and_unknown_names(client, users, verifications):
    page = client.get("/login").text
    for username in ("public_user", "nobody_here"):
        before = verifications["verify"]
        answer = client.post("/login", data={"username": username, "password": "wrong-password", "next": "/",
                                             "csrf_token": csrf_from(page)}, follow_redirects=False)
        assert answer.status_code == 401
        assert verifications["verify"] - before == 1 and verifications["hash"] == 0


def test_a_refusal_while_locked_says_in_retry_after_how_many_seconds_are_left(app, db, users, clock, client_from):
    client = client_from("10.0.0.9")
    for _ in range(5):
        _token(client, "agency_user", "wrong-password")
    refused = _token(client, "agency_user", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == str(15 * 60)
    clock.advance(minutes=10, seconds=30)
    assert _token(client, "agency_user", PASSWORD).headers["Retry-After"] == str(4 * 60 + 30)
    form = _form_login(client, "agency_user", PASSWORD)  # the login form's 429 page says the same
    assert form.status_code == 429 and form.headers["Retry-After"] == str(4 * 60 + 30)
    clock.advance(minutes=4, seconds=29, microseconds=500_000)  # half a second left: rounded up, never 0
    assert _token(client, "agency_user", PASSWORD).headers["Retry-After"] == "1"

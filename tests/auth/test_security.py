"""Security: authentication on every route, roles, CSRF, login, open redirects,
password storage, upload limits and the audit trail."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ipbureau.audit.models import AuditLog
from ipbureau.auth.enums import Role
from ipbureau.auth.models import User
from ipbureau.imports.models import ImportBatch
from tests.conftest import PASSWORD, bearer, csrf_from, login

# Routes that must answer without a session.
PUBLIC_PREFIXES = ("/static", "/api/docs")
PUBLIC_PATHS = {"/login", "/healthz", "/api/openapi.json", "/api/auth/token"}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _flatten(routes, prefix: str = ""):
    """(path, methods) of every route, through included routers and mounts.

    FastAPI >= 0.16x keeps included routers as ``_IncludedRouter`` entries in
    ``app.routes``; older versions copy their routes in. Both are handled.
    """
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:  # an included router
            context = getattr(route, "include_context", None)
            inner = prefix + (getattr(context, "prefix", "") or "")
            yield from _flatten(list(original.routes) + list(getattr(original, "_low_priority_routes", [])), inner)
        elif hasattr(route, "methods") and route.methods:
            yield prefix + route.path, set(route.methods) - {"HEAD", "OPTIONS"}
        elif hasattr(route, "path"):  # a mount (static files)
            yield prefix + route.path, set()


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_route_requires_a_session(app):
    checked, wrong = [], []
    with TestClient(app) as anonymous:
        for path, methods in sorted(_flatten(app.routes)):
            if _is_public(path):
                continue
            for method in sorted(methods):
                url = _concrete(path)
                response = anonymous.request(method, url, follow_redirects=False)
                checked.append(f"{method} {path}")
                if path.startswith("/api"):
                    ok = response.status_code == 401 and response.json()["detail"] == "请先登录"
                else:
                    location = response.headers.get("location", "")
                    ok = response.status_code == 303 and location.startswith("/login")
                if not ok:
                    wrong.append(f"{method} {path} -> {response.status_code} {response.headers.get('location', '')}")
    # The enumeration itself must see the app's routes (guards against a silently empty loop).
    for expected in ("GET /", "GET /imports", "POST /imports", "GET /api/imports", "POST /api/imports/{kind}",
                     "GET /users", "POST /users", "GET /api/users", "POST /api/users", "GET /audit",
                     "GET /patents/{patent_id}", "POST /logout"):
        assert expected in checked
    assert wrong == [], "routes answering without a session:\n" + "\n".join(wrong)


def test_public_routes_answer_without_a_session(client):
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/login").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/docs").status_code == 200


RESTRICTED = ("/imports", "/api/imports", "/audit", "/users", "/api/users")
STAFF_ONLY = ("/imports", "/api/imports")
ADMIN_ONLY = ("/audit", "/users", "/api/users", "/api/audit")


def _session_client(app, username: str) -> TestClient:
    client = TestClient(app)
    login(client, username)
    return client


@pytest.mark.parametrize("role", ["public", "enterprise", "examiner", "agency"])
def test_non_staff_roles_are_refused_restricted_pages(app, users, role):
    with _session_client(app, f"{role}_user") as client:
        for path in RESTRICTED:
            response = client.get(path, follow_redirects=False)
            assert response.status_code == 403, (role, path, response.status_code)
            if path.startswith("/api"):
                assert response.json()["detail"] == "您没有访问此功能的权限"
            else:
                assert "无权访问" in response.text
        assert client.get("/", follow_redirects=False).status_code == 200


def test_admin_reaches_every_restricted_page(app, users):
    with _session_client(app, "admin_user") as client:
        for path in RESTRICTED + ("/api/audit",):
            assert client.get(path, follow_redirects=False).status_code == 200, path
        listed = {u["username"] for u in client.get("/api/users").json()}
        assert listed == {f"{role}_user" for role in users}


@pytest.mark.parametrize("role", ["bureau_staff", "district_staff"])
def test_staff_reach_imports_but_not_user_management(app, users, role):
    with _session_client(app, f"{role}_user") as client:
        for path in STAFF_ONLY:
            assert client.get(path, follow_redirects=False).status_code == 200, path
        for path in ADMIN_ONLY:
            assert client.get(path, follow_redirects=False).status_code == 403, path


def _user_count(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(User))


NEW_USER = {"username": "csrf_victim", "display_name": "新用户", "password": "another-pass-99", "role": "public"}


@pytest.mark.parametrize("token", [None, "", "forged-token-value"])
def test_form_post_without_the_session_csrf_token_is_refused(app, db, users, token):
    before = _user_count(db)
    with _session_client(app, "admin_user") as client:
        form = dict(NEW_USER) | ({} if token is None else {"csrf_token": token})
        response = client.post("/users", data=form, follow_redirects=False)
        assert response.status_code == 403
        assert "表单校验令牌无效" in response.text
        assert _user_count(db) == before
        # The same form with the page's token goes through (so the refusal above was the CSRF check).
        good = client.post("/users", data=form | {"csrf_token": csrf_from(client.get("/users").text)},
                           follow_redirects=False)
        assert good.status_code == 303 and good.headers["location"] == "/users"
    assert _user_count(db) == before + 1


def test_json_post_on_a_cookie_session_needs_the_csrf_header(app, db, users):
    with _session_client(app, "admin_user") as client:
        refused = client.post("/api/users", json=NEW_USER)
        assert refused.status_code == 403
        assert _user_count(db) == len(users)
        token = csrf_from(client.get("/users").text)
        accepted = client.post("/api/users", json=NEW_USER, headers={"X-CSRF-Token": token})
        assert accepted.status_code == 201


def test_bearer_token_api_post_needs_no_csrf_token(client, db, users):
    headers = bearer(client, "admin_user")
    response = client.post("/api/users", json=NEW_USER, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["username"] == "csrf_victim" and response.json()["role"] == "public"
    assert _user_count(db) == len(users) + 1


def test_a_forged_bearer_token_is_not_a_login(client, users):
    response = client.get("/api/auth/me", headers={"Authorization": "Bearer forged.token.value"})
    assert response.status_code == 401


def test_wrong_password_is_refused(client, users):
    page = client.get("/login")
    response = client.post("/login", data={"username": "admin_user", "password": "wrong-password",
                                           "csrf_token": csrf_from(page.text), "next": "/"}, follow_redirects=False)
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "user_id" not in client.cookies.get("ipbureau_session", "")
    assert client.get("/", follow_redirects=False).status_code == 303  # still not logged in
    # An unknown user gets exactly the same answer.
    unknown = client.post("/login", data={"username": "nobody", "password": "wrong-password",
                                          "csrf_token": csrf_from(page.text), "next": "/"}, follow_redirects=False)
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.text
    api = client.post("/api/auth/token", json={"username": "admin_user", "password": "wrong-password"})
    assert api.status_code == 401 and api.json()["detail"] == "用户名或密码错误"


OFFSITE = ["//evil.com", "https://evil.com", "http://evil.com/login", "/\\evil.com", "///evil.com", "https:evil.com"]


def _stays_on_site(location: str) -> bool:
    target = urlsplit(urljoin("http://testserver/login", location.replace("\\", "/")))
    return target.netloc == "testserver"


@pytest.mark.parametrize("target", OFFSITE)
def test_login_next_cannot_redirect_off_site(client, users, target):
    page = client.get("/login", params={"next": target})
    assert page.status_code == 200
    response = client.post("/login", data={"username": "admin_user", "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text), "next": target},
                           follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert "\\" not in location and _stays_on_site(location), location
    if target != "/\\evil.com":  # that one may stay as the harmless same-site path /%5Cevil.com
        assert location == "/"
    # Already logged in, GET /login?next=... redirects too: also only on site.
    again = client.get("/login", params={"next": target}, follow_redirects=False)
    assert again.status_code == 303 and _stays_on_site(again.headers["location"])


def test_login_next_keeps_a_same_site_path(client, users):
    page = client.get("/login", params={"next": "/imports"})
    response = client.post("/login", data={"username": "admin_user", "password": PASSWORD,
                                           "csrf_token": csrf_from(page.text), "next": "/imports"},
                           follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/imports"


def test_passwords_are_stored_as_argon2id_hashes(db, users):
    hashes = db.scalars(select(User.password_hash)).all()
    assert len(hashes) == len(users) == len(Role)
    for value in hashes:
        assert value.startswith("$argon2id$"), value
        assert PASSWORD not in value
    assert len(set(hashes)) == len(hashes)  # salted: equal passwords, different hashes


def _batches(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(ImportBatch))


THREE_MB = b"a" * (3 * 1024 * 1024)


def test_api_upload_over_the_limit_is_refused_before_parsing(client, db, users):
    headers = bearer(client, "bureau_staff_user")
    response = client.post("/api/imports/patent", headers=headers,
                           files={"file": ("big.csv", THREE_MB, "text/csv")}, data={"dataset": "real"})
    assert response.status_code == 413
    assert response.json()["detail"] == "上传内容超过大小上限 2 MB"
    assert _batches(db) == 0


def test_chunked_upload_over_the_limit_is_refused_while_reading(client, db, users):
    """No Content-Length (chunked): the limit applies again where the file is read."""
    headers = bearer(client, "bureau_staff_user")
    boundary = "ipbureau-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        for _ in range(3):
            yield b"a" * (1024 * 1024)
        yield tail

    response = client.post("/api/imports/patent", content=body(),
                           headers=headers | {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413
    assert "大小上限 2 MB" in response.json()["detail"]
    assert _batches(db) == 0


def test_page_upload_over_the_limit_is_refused(app, db, users):
    with _session_client(app, "bureau_staff_user") as client:
        token = csrf_from(client.get("/imports").text)
        response = client.post("/imports", data={"csrf_token": token, "dataset": "real"},
                               files={"file": ("big.csv", THREE_MB, "text/csv")}, follow_redirects=False)
        assert response.status_code == 413
        assert "大小上限 2 MB" in response.text
    assert _batches(db) == 0


def test_user_creation_through_the_api_is_audited(client, db, users):
    headers = bearer(client, "admin_user")
    response = client.post("/api/users", json=NEW_USER, headers=headers)
    assert response.status_code == 201
    new_id = response.json()["id"]
    db.expire_all()
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "user.create", AuditLog.entity_id == str(new_id)))
    assert entry is not None
    assert entry.actor_name == "admin_user" and entry.actor_id == users["admin"].id
    assert entry.entity_type == "user"
    assert entry.summary == "创建用户 csrf_victim（社会公众）"
    assert entry.changes == {"role": [None, "public"]}


def test_patent_import_is_audited(client, db, users, cnipr_sample):
    headers = bearer(client, "bureau_staff_user")
    response = client.post("/api/imports/patent", headers=headers,
                           files={"file": ("cnipr.csv", cnipr_sample, "text/csv")}, data={"dataset": "real"})
    assert response.status_code == 200, response.text
    assert response.json()["inserted"] == 10
    batch_id = response.json()["batch_id"]
    db.expire_all()
    entry = db.scalar(select(AuditLog).where(AuditLog.action == "patent.import"))
    assert entry is not None
    assert entry.entity_type == "import_batch" and entry.entity_id == str(batch_id)
    assert entry.actor_name == "bureau_staff_user" and entry.actor_id == users["bureau_staff"].id
    assert entry.changes == {"inserted": 10, "updated": 0, "unchanged": 0}
    assert entry.summary == "导入专利文件 cnipr.csv：新增 10，更新 0，未变 0"

import pytest
from fastapi.testclient import TestClient
from ipbureau.core.access import ANONYMOUS
from tests.kernel import test_route_matrix as m
from tests.kernel import test_fuzz as f
from tests.kernel.routes import route_cases

pytestmark = pytest.mark.committing

def mine(c):
    return "/market" in c.path or "notices" in c.path

def test_matrix_mine(app, users):
    cases = sorted((c for c in route_cases(app) if c.requirement is not None and mine(c)), key=m._order)
    wrong = []
    anonymous = TestClient(app, raise_server_exceptions=False)
    for case in cases:
        p = m._verdict(case, ANONYMOUS, m._call(anonymous, case, {}))
        if p: wrong.append(f"{case} anon {p}")
    for role in m.ROLES:
        client, csrf, bearer = m._signed_in(app, users[role].username)
        for case in cases:
            headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in m.UNSAFE else {})
            p = m._verdict(case, role, m._call(client, case, headers))
            if p: wrong.append(f"{case} {role} {p}")
    assert wrong == [], "\n".join(wrong)

def test_fuzz_mine(app, users):
    client = TestClient(app, raise_server_exceptions=False)
    token = f.CSRF_RE.search(client.get("/login").text).group(1)
    client.post("/login", data={"username": users["admin"].username, "password": f.PASSWORD, "csrf_token": token, "next": "/"}, follow_redirects=False)
    csrf = f.CSRF_RE.search(client.get("/").text).group(1)
    api_token = client.post("/api/auth/token", json={"username": users["admin"].username, "password": f.PASSWORD})
    bearer = {"Authorization": f"Bearer {api_token.json()['access_token']}"}
    failures, english = [], []
    for case in route_cases(app):
        if not mine(case): continue
        headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in f.UNSAFE else {})
        for url, kwargs in f._requests(case):
            r = client.request(case.method, url, headers=headers, follow_redirects=False, **kwargs)
            if r.status_code >= 500: failures.append(f"{case.method} {url} {kwargs} -> {r.status_code} {r.text[:300]}")
            elif r.status_code == 422 and case.is_api:
                d = str(r.json().get("detail", ""))
                if not f.CHINESE.search(d): english.append(f"{url} {kwargs} {d[:100]}")
    assert failures == [], "\n".join(failures)
    assert english == [], "\n".join(english)

"""TEMPORARY (removed before hand-back): the kernel's route matrix and fuzz, on this area's routes only."""
import pytest
from fastapi.testclient import TestClient

from ipbureau.core.access import ANONYMOUS
from tests.conftest import PASSWORD
from tests.kernel import test_fuzz as fuzz
from tests.kernel import test_route_matrix as matrix
from tests.kernel.routes import route_cases

pytestmark = pytest.mark.committing


def mine(app):
    return [c for c in route_cases(app) if "screening" in c.path or "navigation" in c.path]


def test_matrix(app, users):
    cases = mine(app)
    assert len(cases) == 30, [str(c) for c in cases]
    assert all(c.requirement for c in cases)
    wrong = []
    anonymous = TestClient(app, raise_server_exceptions=False)
    for case in cases:
        p = matrix._verdict(case, ANONYMOUS, matrix._call(anonymous, case, {}))
        if p:
            wrong.append(f"{case} anon {p}")
    for role in matrix.ROLES:
        client, csrf, bearer = matrix._signed_in(app, users[role].username)
        for case in cases:
            headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in matrix.UNSAFE else {})
            p = matrix._verdict(case, role, matrix._call(client, case, headers))
            if p:
                wrong.append(f"{case} {role} {p}")
    assert wrong == []


def test_fuzz(app, users):
    client = TestClient(app, raise_server_exceptions=False)
    token = fuzz.CSRF_RE.search(client.get("/login").text).group(1)
    client.post("/login", data={"username": users["admin"].username, "password": PASSWORD, "csrf_token": token,
                                "next": "/"}, follow_redirects=False)
    csrf = fuzz.CSRF_RE.search(client.get("/").text).group(1)
    api_token = client.post("/api/auth/token", json={"username": users["admin"].username, "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {api_token.json()['access_token']}"}
    failures, english, sent = [], [], 0
    for case in mine(app):
        headers = bearer if case.is_api else ({"X-CSRF-Token": csrf} if case.method in fuzz.UNSAFE else {})
        for url, kwargs in fuzz._requests(case):
            r = client.request(case.method, url, headers=headers, follow_redirects=False, **kwargs)
            sent += 1
            if r.status_code >= 500:
                failures.append(f"{case.method} {url} {kwargs} -> {r.status_code}")
            elif r.status_code == 422 and case.is_api and not fuzz.CHINESE.search(str(r.json().get("detail", ""))):
                english.append(f"{case.method} {url} {kwargs} -> {r.text[:100]}")
    print("sent", sent)
    assert failures == [] and english == []
